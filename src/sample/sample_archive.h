/*
 * sample_archive.h — internal interface of the demo archive writer
 * (`trailwatch sample --archive DIR`), split over three files:
 *
 *   sample_archive.c    the driver: background events from the generator's
 *                       background profile merged in time order with the
 *                       scripted incidents, cut per region into ~5-minute
 *                       delivery objects;
 *   sample_incidents.c  the incidents (docs/sample.md): their times and
 *                       their CloudTrail events;
 *   sample_s3.c         the S3 side: object keys, gzip (zlib, mtime 0) and
 *                       files, SHA-256, and the hourly digest objects.
 *
 * Not part of the public API (that is sample.h).
 */
#ifndef TW_SAMPLE_ARCHIVE_H
#define TW_SAMPLE_ARCHIVE_H

#include <stdint.h>

#include "sample/sample_internal.h"

#define TW_ARCHIVE_NREGIONS 4
#define TW_ARCHIVE_TRAIL "management-events"
#define TW_ARCHIVE_HOME_REGION "us-east-1"
#define TW_ARCHIVE_BUCKET "cloudtrail-logs-" TW_SAMPLE_ARCHIVE_ACCOUNT
#define TW_ARCHIVE_WINDOW 300   /* CloudTrail delivers about every 5 minutes */
#define TW_ARCHIVE_DIGEST 3600  /* and a digest every hour */
#define TW_ARCHIVE_KEY_MAX 256  /* longest S3 key written */

/* us-east-1 (the busiest, and home of global-service events), eu-west-1,
 * us-west-2, ap-southeast-2. */
extern const char *const tw_archive_regions[TW_ARCHIVE_NREGIONS];
/* Index of region name in tw_archive_regions, or -1. */
int tw_archive_region_index(const char *name);

/* ---- incidents (sample_incidents.c) ---------------------------------- */

/* One scheduled incident event. */
typedef struct tw_incident_ref {
  int64_t time;     /* eventTime, epoch seconds */
  uint16_t incident;
  uint16_t step;
} tw_incident_ref;

/* Number of incident events. */
size_t tw_incident_count(void);
/* Fill refs[0 .. tw_incident_count()) sorted by time: the scripted times
 * relative to o->start; with one day, day-2 incidents move to day 1 at the
 * same time of day. */
void tw_incident_schedule(const tw_sample_archive_opts *o, tw_incident_ref *refs);
/* The awsRegion of an incident event. */
const char *tw_incident_region(const tw_incident_ref *ref);
/* Render one incident event as compact JSON. rng gives eventIDs and other
 * per-event random identifiers. */
void tw_incident_write(const tw_sample_archive_opts *o, const tw_incident_ref *ref,
                       uint64_t *rng, tw_sw *w);
/* While the trail was stopped (StopLogging .. StartLogging, exclusive),
 * CloudTrail records nothing: background events with from < time < to are
 * dropped. */
void tw_incident_gap(const tw_sample_archive_opts *o, int64_t *from, int64_t *to);

/* ---- S3 objects (sample_s3.c) ---------------------------------------- */

/* Digest state of one region: the log objects delivered in the current
 * hour and the previous digest (for the hash chain). */
typedef struct tw_digest {
  int64_t start;          /* start of the current digest hour */
  tw_buf files;           /* the "logFiles" entries so far, comma separated */
  int64_t oldest, newest; /* event times over those files */
  int have_files;
  char prev_key[TW_ARCHIVE_KEY_MAX];
  char prev_hash[65];     /* hex SHA-256 of the previous digest's JSON */
} tw_digest;

/* The writer shared by the driver and sample_s3.c. */
typedef struct tw_archive {
  const char *dir;
  tw_sample_archive_opts opts;
  tw_sample_archive_stats *st;
  uint64_t rng;           /* object name suffixes, delivery delays, signatures */
  tw_buf gz;              /* compressed output scratch */
  tw_buf json;            /* digest JSON scratch */
  tw_buf path;            /* file path scratch */
  tw_digest digest[TW_ARCHIVE_NREGIONS];
} tw_archive;

/* A region's log object: records is the complete {"Records":[...]} text,
 * delivered at `delivered` (seconds); oldest/newest are its event times. */
typedef struct tw_log_object {
  int region;
  const char *records;
  size_t len;
  int64_t delivered, oldest, newest;
} tw_log_object;

/* Write one log object (and any digest whose hour ended before it). */
int tw_archive_put_log(tw_archive *a, const tw_log_object *obj);
/* Write the digests of every hour that starts at or before `until`. */
int tw_archive_finish_digests(tw_archive *a, int region, int64_t until);
/* Create dir and its parents (mkdir -p). */
int tw_archive_mkdirs(tw_archive *a, const char *dir);

#endif /* TW_SAMPLE_ARCHIVE_H */
