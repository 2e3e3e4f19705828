/*
 * trailwatch.h — the one public header of libtrailwatch.
 *
 * trailwatch evaluates CloudWatch Logs filter patterns, metric filters and
 * CloudWatch alarms over CloudTrail events, offline or live. Data flows one
 * way: ingest -> match (pattern) -> metrics -> alarms -> notify.
 *
 * Conventions (libuv-like):
 *   - every symbol has the tw_ / TW_ prefix;
 *   - handles are opaque; whoever creates a handle frees it with the
 *     matching *_free function (NULL is accepted and ignored);
 *   - functions that can fail return an int status (TW_OK or a negative
 *     TW_E* code) and fill out-parameters only on success;
 *   - no global state: compiled objects are immutable and may be shared
 *     between threads; per-thread scratch lives in separate handles
 *     (e.g. tw_match).
 */
#ifndef TRAILWATCH_H
#define TRAILWATCH_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* ------------------------------------------------------------------ */
/* Status codes and errors                                             */
/* ------------------------------------------------------------------ */

enum {
  TW_OK = 0,
  TW_ENOMEM = -1,   /* allocation failed */
  TW_EINVAL = -2,   /* invalid argument or invalid input (see tw_error) */
  TW_ESYNTAX = -3,  /* syntax error in a pattern / document */
  TW_ELIMIT = -4,   /* an AWS limit or an internal bound was exceeded */
  TW_EIO = -5,      /* I/O error */
  TW_ENOTFOUND = -6 /* looked-up item does not exist */
};

/* Describes why an operation failed. column is 1-based within the input
 * text the operation was given (0 when no position applies). */
typedef struct tw_error {
  int code;
  size_t column;
  char message[256];
} tw_error;

/* Short constant description of a status code. */
const char *tw_strerror(int code);

/* ------------------------------------------------------------------ */
/* Filter patterns (src/pattern/)                                      */
/* ------------------------------------------------------------------ */

typedef struct tw_pattern tw_pattern;
typedef struct tw_match tw_match;

typedef enum tw_pattern_kind {
  TW_PATTERN_ALL = 0,       /* empty pattern, "" or " ": matches every event */
  TW_PATTERN_TERMS = 1,     /* unstructured terms: FOO "a b" ?x -y */
  TW_PATTERN_REGEX = 2,     /* a standalone %regex% */
  TW_PATTERN_JSON = 3,      /* { $.a = 1 && ... } */
  TW_PATTERN_DELIMITED = 4  /* [a, b=1, ...] */
} tw_pattern_kind;

/* Compile flags. */
#define TW_PATTERN_NO_AWS_LIMITS 0x1u /* skip the 1024-char / 2-regex / wildcard quotas */

/* Compile a filter pattern. text need not be NUL-terminated. On failure
 * *err (if given) names the 1-based column and what was expected. */
int tw_pattern_compile(const char *text, size_t len, unsigned flags,
                       tw_pattern **out, tw_error *err);
void tw_pattern_free(tw_pattern *p);
tw_pattern_kind tw_pattern_get_kind(const tw_pattern *p);

/* Warnings for constructs whose AWS behaviour is uncertain (DECISIONS.md);
 * used by `trailwatch lint`. The strings are owned by the pattern. */
size_t tw_pattern_warning_count(const tw_pattern *p);
const char *tw_pattern_warning(const tw_pattern *p, size_t i, size_t *column);

/* Per-thread match scratch and results. Reused across calls; it owns
 * copies of the extracted values of the last match. */
int tw_match_new(tw_match **out);
void tw_match_free(tw_match *m);

/* Evaluate p against one log event message. *matched is set to 1 or 0.
 * Returns TW_OK, or TW_ENOMEM. m may be NULL when the extracted values
 * are not needed. */
int tw_pattern_match(const tw_pattern *p, const char *msg, size_t len,
                     tw_match *m, int *matched);

/* Extracted values of the last successful match (TestMetricFilter's
 * extractedValues): "$name"/"$N" for space-delimited patterns, the
 * selector text as written for JSON patterns, none for term/regex. */
size_t tw_match_extracted_count(const tw_match *m);
int tw_match_extracted(const tw_match *m, size_t i, const char **key,
                       size_t *klen, const char **val, size_t *vlen);

/* ------------------------------------------------------------------ */
/* Metric transformations: value and dimension extraction              */
/* ------------------------------------------------------------------ */

typedef struct tw_transform tw_transform;

/* Compile the metricValue and dimensions of a metric transformation
 * against a compiled pattern: metric_value is "1", "2.5", "$.path",
 * "$name" or "$N"; dims are name/token pairs (at most 3). has_default
 * says whether a defaultValue is set (not allowed with dimensions). */
int tw_transform_compile(const tw_pattern *p, const char *metric_value,
                         const char *const *dim_names,
                         const char *const *dim_tokens, size_t ndims,
                         int has_default, tw_transform **out, tw_error *err);
void tw_transform_free(tw_transform *t);

/* Outcome of applying a transformation to a matching event. */
typedef enum tw_extract_status {
  TW_EXTRACT_OK = 0,          /* value and dimensions produced */
  TW_EXTRACT_SKIP_VALUE = 1,  /* metric value missing or not numeric (D18) */
  TW_EXTRACT_SKIP_DIMENSION = 2 /* a dimension field is missing (D19) */
} tw_extract_status;

/* Apply t to an event that p matched (msg as given to tw_pattern_match).
 * On TW_EXTRACT_OK, *value holds the metric value and dimension values
 * are available through tw_transform_dimension until the next call with
 * the same m. */
int tw_transform_apply(const tw_transform *t, const char *msg, size_t len,
                       tw_match *m, double *value, tw_extract_status *status);
size_t tw_transform_dimension_count(const tw_transform *t);
int tw_transform_dimension(const tw_transform *t, const tw_match *m, size_t i,
                           const char **name, const char **val, size_t *vlen);

/* ------------------------------------------------------------------ */
/* Filter sets: many patterns, one pass over each event (src/engine/)  */
/* ------------------------------------------------------------------ */

typedef struct tw_filter_set tw_filter_set;
typedef struct tw_filter_scratch tw_filter_scratch;

/* Build a set from n compiled patterns (borrowed: they must outlive the
 * set). All JSON patterns share one scan of each event; an exact literal
 * prefilter skips the JSON work for events that cannot match (results are
 * always identical to tw_pattern_match of each pattern alone). */
int tw_filter_set_new(const tw_pattern *const *patterns, size_t n, tw_filter_set **out,
                      tw_error *err);
void tw_filter_set_free(tw_filter_set *fs);
size_t tw_filter_set_count(const tw_filter_set *fs);

/* Per-thread scratch for tw_filter_set_eval. */
int tw_filter_scratch_new(const tw_filter_set *fs, tw_filter_scratch **out);
void tw_filter_scratch_free(tw_filter_scratch *s);

/* Evaluate every pattern of the set against one message: matched[i] is set
 * to 1 or 0 for pattern i. Returns TW_OK or TW_ENOMEM. */
int tw_filter_set_eval(const tw_filter_set *fs, const char *msg, size_t len,
                       tw_filter_scratch *s, unsigned char *matched);

/* Whether the last tw_filter_set_eval parsed the message: 1 it is a JSON
 * object, 0 it is not (invalid JSON or another JSON value), -1 it was not
 * parsed (the prefilter ruled every JSON filter out). */
int tw_filter_scratch_json_state(const tw_filter_scratch *s);

/* The tw_match holding pattern i's extracted values after the last
 * tw_filter_set_eval that matched it (for metric transformations): call
 * before evaluating the next message. Returns NULL on allocation failure. */
tw_match *tw_filter_scratch_match(const tw_filter_set *fs, tw_filter_scratch *s, size_t i,
                                  const char *msg, size_t len);

/* Fused collection, for a reader that scans every event anyway (see
 * src/engine/filter_set.c). tw_filter_set_plan is the set's shared JSON
 * plan (a struct tw_json_plan of src/json/): the reader may add its own
 * paths to it before any scratch is made, then scan each event with it,
 * calling tw_filter_scratch_begin before the scan and passing every value
 * to tw_filter_scratch_visit (a tw_json_visit_fn; ctx is the scratch).
 * When that scan accepted msg as a JSON object, tw_filter_set_eval_collected
 * gives the same result as tw_filter_set_eval over msg, without scanning it
 * again (term and regex patterns are still matched on msg). Values must
 * come from text whose strings and numbers are byte-identical to msg's. */
struct tw_json_plan *tw_filter_set_plan(tw_filter_set *fs);
int tw_filter_scratch_begin(const tw_filter_set *fs, tw_filter_scratch *s);
struct tw_json_value;
int tw_filter_scratch_visit(void *s, uint32_t id, const struct tw_json_value *v);
int tw_filter_set_eval_collected(const tw_filter_set *fs, const char *msg, size_t len,
                                 tw_filter_scratch *s, unsigned char *matched);

/* ------------------------------------------------------------------ */
/* Metrics (src/metrics/) and alarms (src/alarm/)                      */
/* ------------------------------------------------------------------ */
/* (declared below by those modules) */

/* --- alarms --- */

/* A CloudWatch metric alarm, parsed from PutMetricAlarm JSON (PascalCase,
 * as `aws cloudwatch describe-alarms` prints it) and validated with the
 * service's rules. Immutable after parsing (except the configuration time
 * setter below), so it may be shared between threads. See docs/alarms.md. */
typedef struct tw_alarm tw_alarm;

typedef enum tw_alarm_state {
  TW_ALARM_INSUFFICIENT_DATA = 0,
  TW_ALARM_OK = 1,
  TW_ALARM_ALARM = 2
} tw_alarm_state;

/* "OK", "ALARM", "INSUFFICIENT_DATA". */
const char *tw_alarm_state_name(tw_alarm_state s);
/* Parse one of those names (exact spelling); TW_EINVAL otherwise. */
int tw_alarm_state_parse(const char *text, tw_alarm_state *out);

/* Parse and validate one alarm: a PutMetricAlarm input object, one
 * DescribeAlarms MetricAlarms entry, or a DescribeAlarms output holding
 * exactly one alarm. On failure err->message names the field, e.g.
 * "Period: must be 10, 20, 30 or a multiple of 60 (got 7)", and
 * *aws_code (may be NULL) receives the CloudWatch error code to answer
 * with ("InvalidParameterValue", "MissingParameter",
 * "InvalidParameterCombination", "ValidationError"). Anomaly-detection
 * alarms are rejected (not supported yet). */
int tw_alarm_parse(const char *json, size_t len, tw_alarm **out,
                   tw_error *err);
int tw_alarm_parse_ex(const char *json, size_t len, tw_alarm **out,
                      tw_error *err, const char **aws_code);
void tw_alarm_free(tw_alarm *a);

const char *tw_alarm_get_name(const tw_alarm *a);
int tw_alarm_get_period(const tw_alarm *a);                /* seconds */
size_t tw_alarm_get_evaluation_periods(const tw_alarm *a); /* N */
size_t tw_alarm_get_datapoints_to_alarm(const tw_alarm *a); /* M (N if unset) */
/* The metric a single-metric alarm watches: namespace, metric name, unit
 * (NULL when unset), the Statistic or ExtendedStatistic text ("Sum",
 * "p99") and the number of dimensions. TW_ENOTFOUND for metric-math
 * alarms. The strings belong to the alarm. */
int tw_alarm_get_metric(const tw_alarm *a, const char **ns, const char **name,
                        const char **unit, const char **statistic, size_t *ndims);
int tw_alarm_get_dimension(const tw_alarm *a, size_t i, const char **name,
                           const char **value);
/* Evaluation range R = N + max(N/3, 2) periods (D20): the number of
 * values tw_alarm_evaluate looks at. */
size_t tw_alarm_get_evaluation_range(const tw_alarm *a);
/* StateValue given in the input (DescribeAlarms output): returns 1 and
 * sets *out, or returns 0. */
int tw_alarm_get_input_state(const tw_alarm *a, tw_alarm_state *out);
/* AlarmConfigurationUpdatedTimestamp (for the SNS message / history);
 * taken from the input when present, else settable by the owner. */
void tw_alarm_set_config_time(tw_alarm *a, int64_t ms);

/* Start (epoch ms) of the period whose datapoint has the given age at
 * evaluation time eval_time_ms (age 1 = the period that just ended). The
 * newest period ends at eval_time_ms truncated to the minute (to 10 s for
 * high-resolution periods of 10/20/30 s); periods slide, they are not
 * aligned to multiples of Period (CloudWatch evaluates every minute). */
int64_t tw_alarm_period_start(const tw_alarm *a, int64_t eval_time_ms,
                              size_t age);

/* Result of one evaluation. Owned strings; release with
 * tw_alarm_result_clear. */
typedef struct tw_alarm_result {
  tw_alarm_state state;      /* the new state */
  tw_alarm_state prior;      /* the state before */
  int changed;               /* state != prior: a transition */
  int retained;              /* nothing decided (TreatMissingData ignore, or
                                too few samples for a percentile): state
                                kept, reason/reason_data NULL */
  char *reason;              /* StateReason */
  char *reason_data;         /* StateReasonData (JSON text) */
  int64_t time_ms;           /* evaluation / state-change time */
  const char *const *actions;/* actions to run for this transition (empty
                                unless changed and ActionsEnabled); they
                                point into the alarm */
  size_t nactions;
  const char *note;          /* static text: why the state was retained,
                                NULL otherwise */
} tw_alarm_result;

void tw_alarm_result_clear(tw_alarm_result *r);

/* Evaluate the alarm: a pure function of its inputs. values[0..n) holds
 * one datapoint per period, oldest first, NaN = no data; values[n-1] is
 * the period that just ended at eval_time_ms (see tw_alarm_period_start).
 * Only the last R values matter; fewer than R means the older periods had
 * no data. sample_counts (may be NULL) gives the SampleCount of each
 * datapoint (StateReasonData and EvaluateLowSampleCountPercentile).
 * Infinite values give TW_EINVAL. */
int tw_alarm_evaluate(const tw_alarm *a, const double *values, size_t n,
                      tw_alarm_state prior, int64_t eval_time_ms,
                      tw_alarm_result *out);
int tw_alarm_evaluate_ex(const tw_alarm *a, const double *values,
                         const double *sample_counts, size_t n,
                         tw_alarm_state prior, int64_t eval_time_ms,
                         tw_alarm_result *out);

/* The persistent state of one alarm (what DescribeAlarms shows). Owned
 * strings; tw_alarm_record_clear releases them. */
typedef struct tw_alarm_record {
  tw_alarm_state value;    /* StateValue */
  char *reason;            /* StateReason */
  char *reason_data;       /* StateReasonData, NULL when none */
  int64_t updated_ms;      /* StateUpdatedTimestamp */
  int64_t transitioned_ms; /* StateTransitionedTimestamp */
} tw_alarm_record;

/* A new alarm: INSUFFICIENT_DATA, "Unchecked: Initial alarm creation". */
int tw_alarm_record_init(tw_alarm_record *rec, int64_t now_ms);
void tw_alarm_record_clear(tw_alarm_record *rec);

/* Store an evaluation result. A transition replaces value, reason and
 * reason data and sets both timestamps; an unchanged state (or a retained
 * one) leaves the record alone. *history (may be NULL) receives the
 * StateUpdate history item for a transition (see tw_alarm_history_*),
 * else NULL. */
int tw_alarm_record_apply(tw_alarm_record *rec, const tw_alarm *a,
                          const tw_alarm_result *res, char **history);

/* SetAlarmState: validates StateReason (<= 1023 characters) and
 * StateReasonData (JSON, <= 4000 characters; "InvalidFormat" otherwise),
 * then sets the state at now_ms. *out describes the change like an
 * evaluation would (actions fire when the state differs); *history as in
 * tw_alarm_record_apply. Setting the current state again replaces the
 * reason texts and StateUpdatedTimestamp only (no transition, no
 * actions). out, history and aws_code may be NULL. */
int tw_alarm_set_state(tw_alarm_record *rec, const tw_alarm *a,
                       const char *state_value, const char *reason,
                       const char *reason_data, int64_t now_ms,
                       tw_alarm_result *out, char **history, tw_error *err,
                       const char **aws_code);

/* DescribeAlarmHistory items, as JSON objects {AlarmName, AlarmType,
 * Timestamp (epoch seconds), HistoryItemType, HistorySummary,
 * HistoryData}. */
int tw_alarm_history_state(const tw_alarm *a, const tw_alarm_record *old_rec,
                           const tw_alarm_record *new_rec, char **out);
/* ConfigurationUpdate: old NULL = "created", else "updated". */
int tw_alarm_history_config(const tw_alarm *a, const tw_alarm *old,
                            const tw_alarm_record *rec, const char *region,
                            const char *account, int64_t now_ms, char **out);
/* Action: failure_reason NULL = succeeded. */
int tw_alarm_history_action(const tw_alarm *a, const char *action,
                            const char *failure_reason, int64_t now_ms,
                            char **out);

/* The SNS "Message" JSON for a state change (metrics-alarms-api.md §8)
 * plus "Events" (D23): events[0..nevents) are raw JSON texts copied
 * verbatim (each must be valid JSON). region is a region code
 * ("us-east-1"), printed as its long name. */
int tw_alarm_sns_message(const tw_alarm *a, const tw_alarm_result *res,
                         const char *account, const char *region,
                         const char *const *events, size_t nevents,
                         char **json_out, tw_error *err);
/* 'ALARM: "name" in US East (N. Virginia)' */
int tw_alarm_sns_subject(const tw_alarm *a, const tw_alarm_result *res,
                         const char *region, char **out);

/* Long name of a commercial region ("US East (N. Virginia)"), or NULL. */
const char *tw_region_long_name(const char *code);

/* Parse ISO-8601 "YYYY-MM-DDTHH:MM:SS[.fff][Z|+HH:MM|+HHMM]" (UTC when no
 * zone) into epoch milliseconds. */
int tw_alarm_parse_time(const char *text, int64_t *out_ms);

/* --- metrics --- */

/* The metric store keeps CloudWatch-style datapoints per metric and time
 * bucket (1 minute, or 1 second for high-resolution data) and answers
 * statistics per period. It is not thread-safe: one owner at a time.
 * Memory is bounded by the retention window (relative to the newest
 * timestamp seen), never by the number of events. See docs/metrics.md. */
typedef struct tw_metric_store tw_metric_store;

typedef struct tw_metric_dimension {
  const char *name;  /* 1..255 bytes, unique within a key */
  const char *value; /* 1..1024 bytes */
} tw_metric_dimension;

/* A metric: namespace + name + exact dimension set (any order; the store
 * sorts by name). unit NULL means "None" when storing and "any unit" when
 * querying; data with different units are kept apart (no conversion). */
typedef struct tw_metric_key {
  const char *ns;
  const char *name;
  const tw_metric_dimension *dims;
  size_t ndims; /* at most 30 */
  const char *unit;
} tw_metric_key;

typedef struct tw_metric_store_config {
  int64_t retention_s;          /* window kept behind the newest timestamp */
  int64_t high_res_retention_s; /* after this, 1-s buckets fold into minutes */
  size_t samples_per_bucket;    /* events kept per bucket (first K); 0 = none */
} tw_metric_store_config;

/* Defaults: retention 15 days, high-res 3 hours, 10 samples per bucket. */
void tw_metric_store_config_init(tw_metric_store_config *cfg);

/* cfg NULL = defaults. */
int tw_metric_store_new(const tw_metric_store_config *cfg,
                        tw_metric_store **out);
void tw_metric_store_free(tw_metric_store *s);

/* Record one value at timestamp_ms. storage_resolution is 60 (or 0) for a
 * standard 1-minute metric, 1 for high resolution. event (may be NULL) is
 * the raw event that produced the value; the first samples_per_bucket
 * events of each bucket are copied. Returns TW_EINVAL for a bad key or a
 * non-finite value, TW_ELIMIT (nothing stored) when timestamp_ms is older
 * than the retention window. */
int tw_metric_store_put(tw_metric_store *s, const tw_metric_key *key,
                        int64_t timestamp_ms, double value,
                        int storage_resolution, const char *event,
                        size_t event_len);

/* PutMetricData Values + Counts: counts NULL means 1 each; counts must be
 * finite and >= 0. */
int tw_metric_store_put_values(tw_metric_store *s, const tw_metric_key *key,
                               int64_t timestamp_ms, const double *values,
                               const double *counts, size_t n,
                               int storage_resolution);

/* PutMetricData StatisticValues. Percentiles stay available only when
 * sample_count is 1 or minimum == maximum. */
typedef struct tw_metric_statistic_set {
  double sample_count, sum, minimum, maximum;
} tw_metric_statistic_set;
int tw_metric_store_put_statistic_set(tw_metric_store *s,
                                      const tw_metric_key *key,
                                      int64_t timestamp_ms,
                                      const tw_metric_statistic_set *set,
                                      int storage_resolution);

/* Move the store's clock forward (live mode) and drop expired data. Puts
 * do this implicitly with their own timestamps. */
int tw_metric_store_advance(tw_metric_store *s, int64_t now_ms);

typedef enum tw_metric_stat_kind {
  TW_METRIC_STAT_SAMPLE_COUNT = 0,
  TW_METRIC_STAT_SUM,
  TW_METRIC_STAT_AVERAGE,
  TW_METRIC_STAT_MINIMUM,
  TW_METRIC_STAT_MAXIMUM,
  TW_METRIC_STAT_PERCENTILE /* uses percentile, 0..100 */
} tw_metric_stat_kind;

typedef struct tw_metric_stat {
  tw_metric_stat_kind kind;
  double percentile;
} tw_metric_stat;

/* Parse "Sum", "SampleCount", "Average", "Minimum", "Maximum", "pNN",
 * "pNN.NN" (p0..p100). TW_EINVAL for anything else. */
int tw_metric_stat_parse(const char *text, tw_metric_stat *out);

/* Per-period aggregate; sample_count 0 means no data in the period. */
typedef struct tw_metric_datapoint {
  int64_t timestamp_ms; /* period start */
  double sample_count, sum, minimum, maximum;
} tw_metric_datapoint;

/* Aggregate [start_ms, end_ms) into periods start_ms + k*period_s (k <
 * nperiods; the last one is cut at end_ms). period_s is 1, 5, 10, 20, 30
 * or a multiple of 60. points (may be NULL) receives nperiods aggregates;
 * values (may be NULL) receives nperiods*nstats numbers, period-major
 * (values[k*nstats + j]), NaN when the period has no data or the
 * statistic is unavailable (percentiles with negative values or spread
 * statistic sets). Periods starting at or after end_ms are empty. A bucket
 * counts in the period holding its start (so minute data seen through a
 * sub-minute period lands in the sub-period holding its minute's start).
 * Times must lie within +-2^53 ms. An unknown metric gives all-NaN, not an
 * error. */
int tw_metric_store_query(const tw_metric_store *s, const tw_metric_key *key,
                          int64_t start_ms, int64_t end_ms, int period_s,
                          const tw_metric_stat *stats, size_t nstats,
                          tw_metric_datapoint *points, double *values,
                          size_t nperiods);

/* A sampled event. event points into the store and stays valid until the
 * next non-const call on it. event is NULL for values without an event. */
typedef struct tw_metric_event {
  int64_t timestamp_ms;
  double value;
  const char *event;
  size_t event_len;
} tw_metric_event;

/* The sampled events of the buckets in [start_ms, end_ms), oldest first,
 * at most cap; *n receives how many were written. Values stored without
 * an event are not listed. */
int tw_metric_store_events(const tw_metric_store *s, const tw_metric_key *key,
                           int64_t start_ms, int64_t end_ms,
                           tw_metric_event *out, size_t cap, size_t *n);

/* ListMetrics: call fn for each metric holding data inside the retention
 * window, in canonical order (namespace, name, then sorted dimensions);
 * key->unit is NULL. A non-zero return from fn stops and is returned. */
typedef int (*tw_metric_key_fn)(const tw_metric_key *key, void *ud);
int tw_metric_store_foreach(const tw_metric_store *s, tw_metric_key_fn fn,
                            void *ud);

/* Number of metrics and time buckets currently held (memory accounting). */
void tw_metric_store_usage(const tw_metric_store *s, size_t *metrics,
                           size_t *buckets);

/* Metric-filter accumulator: turns the per-event outcome of one metric
 * filter into datapoints, applying D16 (event time), D17 (defaultValue per
 * minute with events and no match) and D18/D19 (skipped counts). Feed it
 * every event of the filter's log group. Events may arrive out of order by
 * up to lateness_ms (see docs/metrics.md). */
typedef struct tw_metric_filter_acc tw_metric_filter_acc;

typedef struct tw_metric_filter_config {
  const char *ns;
  const char *name;
  const char *unit;     /* NULL = None */
  int has_default;      /* defaultValue set (not allowed with dimensions) */
  double default_value;
  int64_t lateness_ms;  /* 0 = events must arrive in time order */
} tw_metric_filter_config;

typedef struct tw_metric_filter_stats {
  uint64_t events;            /* events seen */
  uint64_t matched;           /* events the pattern matched */
  uint64_t datapoints;        /* values stored from matching events */
  uint64_t defaults;          /* default-value datapoints emitted */
  uint64_t skipped_value;     /* D18 */
  uint64_t skipped_dimension; /* D19 */
  uint64_t late;              /* arrived after their minute was closed */
  uint64_t expired;           /* older than the store's retention */
} tw_metric_filter_stats;

/* store must outlive the accumulator. */
int tw_metric_filter_acc_new(tw_metric_store *store,
                             const tw_metric_filter_config *cfg,
                             tw_metric_filter_acc **out);
void tw_metric_filter_acc_free(tw_metric_filter_acc *a);

/* One event of the log group at timestamp_ms. matched: the pattern
 * matched; then status says whether value/dims were extracted (dims may
 * be NULL when ndims is 0). event (may be NULL) is kept as a sample.
 * Dimensions together with has_default give TW_EINVAL. */
int tw_metric_filter_acc_event(tw_metric_filter_acc *a, int64_t timestamp_ms,
                               int matched, tw_extract_status status,
                               double value, const tw_metric_dimension *dims,
                               size_t ndims, const char *event,
                               size_t event_len);

/* Declare that time has reached now_ms (as if an event at now_ms had been
 * seen): closes the minutes that can no longer receive events. */
int tw_metric_filter_acc_advance(tw_metric_filter_acc *a, int64_t now_ms);

/* End of input: close every open minute (emit pending defaults). */
int tw_metric_filter_acc_flush(tw_metric_filter_acc *a);

void tw_metric_filter_acc_stats(const tw_metric_filter_acc *a,
                                tw_metric_filter_stats *out);

#ifdef __cplusplus
}
#endif
#endif /* TRAILWATCH_H */
