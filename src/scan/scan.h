/*
 * scan.h — the backtest pipeline behind `trailwatch scan` (internal).
 *
 * ingest -> match -> metrics -> alarms: the inputs (files, directories, "-")
 * are expanded by src/ingest/; plain NDJSON files are split at line
 * boundaries into byte ranges, every other input (CloudTrail S3 objects,
 * .gz, arrays, CloudWatch Logs exports, EventBridge envelopes) is read whole
 * by the ingest module; worker threads evaluate every metric filter of the
 * configuration's log group on each event in one pass (src/engine/), turn
 * matches into datapoints and hand them to the backtest (src/backtest/),
 * which then replays every alarm. Every event and byte is accounted for.
 */
#ifndef TW_SCAN_H
#define TW_SCAN_H

#include <stdint.h>

#include "backtest/backtest.h"
#include "config/config.h"
#include "ingest/ingest.h"

typedef struct tw_scan_opts {
  const char *const *inputs;
  size_t ninputs;
  int threads;
  int64_t from_ms, to_ms;    /* INT64_MIN / INT64_MAX: no window */
  const char *log_group;     /* the events' log group */
  size_t events_per_alarm;   /* D23 limit, default 10 */
  int progress;              /* progress line on stderr */
  size_t max_errors_shown;   /* input errors printed on stderr (all are counted) */
  size_t max_event;          /* largest event in bytes (default 1 MiB) */
} tw_scan_opts;

typedef struct tw_scan_result {
  tw_ingest_stats in;        /* files, bytes and events accounting */
  uint64_t events_no_time;   /* matched events without a usable eventTime */
  double seconds;
  size_t nfilters;           /* filters of the log group, in config order */
  size_t *filter_index;      /* -> index in the config */
  uint64_t *matches;         /* per filter */
  uint64_t *datapoints, *skipped; /* per filter not fed to the backtest (no alarm
                                     watches it); add tw_backtest_filter_stats */
  size_t nalarms;
  tw_alarm **alarms;         /* borrowed from the config */
  tw_backtest *bt;
  tw_bt_filter *btf;
} tw_scan_result;

void tw_scan_opts_init(tw_scan_opts *o);
int tw_scan_run(const tw_config *cfg, const tw_scan_opts *o, tw_scan_result *out,
                tw_error *err);
void tw_scan_result_free(tw_scan_result *r);

/* --notify: deliver every transition that has actions (scan_notify.c). */
typedef struct tw_scan_notify_stats {
  size_t delivered, failed;
} tw_scan_notify_stats;
int tw_scan_notify(const tw_config *cfg, const tw_scan_result *r, const char *account,
                   const char *region, tw_scan_notify_stats *st);

#endif /* TW_SCAN_H */
