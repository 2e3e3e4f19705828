/*
 * sample_archive.c — `trailwatch sample --archive DIR`: the demo archive's
 * driver. Background events come from the generator's background profile
 * (sample_event.c: one account, four regions, day/night rate, nothing the
 * rule packs match); the scripted incidents (sample_incidents.c) are merged
 * in by time. Every region collects its events per 5-minute window and
 * delivers the window as one {"Records":[...]} object a few minutes after
 * it closes, as CloudTrail does; sample_s3.c names, compresses and writes
 * the objects and the hourly digests.
 *
 * Everything is deterministic: the generator, the incident identifiers and
 * the object names all come from PRNGs seeded from --seed.
 */
#include <errno.h>
#include <stdlib.h>

#include "sample/sample_archive.h"

/* One region's open delivery window. */
typedef struct region_window {
  tw_buf records;          /* {"Records":[ ... (closed on delivery) */
  int64_t window;          /* start of the window, seconds */
  int64_t oldest, newest;
  size_t n;                /* events in it */
} region_window;

typedef struct driver {
  tw_archive a;
  region_window win[TW_ARCHIVE_NREGIONS];
  int64_t last_delivery;
  tw_incident_ref *inc;
  size_t ninc, next_inc;
  int64_t gap_from, gap_to; /* the trail was stopped in between */
  uint64_t inc_rng;
  tw_buf ev;                /* one rendered event */
} driver;

void tw_sample_archive_opts_init(tw_sample_archive_opts *o) {
  o->seed = 1;
  o->start = TW_SAMPLE_ARCHIVE_START;
  o->days = TW_SAMPLE_ARCHIVE_DAYS;
  o->events_per_day = TW_SAMPLE_ARCHIVE_PER_DAY;
}

static int64_t floor_mod(int64_t a, int64_t m) { return ((a % m) + m) % m; }

/* ---- delivery ----------------------------------------------------------- */

static int deliver(driver *d, int region) {
  region_window *w = &d->win[region];
  if (!w->n)
    return TW_OK;
  int rc = tw_buf_append(&w->records, "]}", 2);
  if (rc)
    return rc;
  /* delivered 1.5 to 5.5 minutes after the window closes */
  int64_t delay = 90 + (int64_t)tw_rng_below(&d->a.rng, 240);
  tw_log_object obj = {region, w->records.data, w->records.len,
                       w->window + TW_ARCHIVE_WINDOW + delay, w->oldest, w->newest};
  rc = tw_archive_put_log(&d->a, &obj);
  if (obj.delivered > d->last_delivery)
    d->last_delivery = obj.delivered;
  w->records.len = 0;
  w->n = 0;
  return rc;
}

static int add_event(driver *d, int region, int64_t t, const char *json, size_t len) {
  region_window *w = &d->win[region];
  int64_t window = t - floor_mod(t, TW_ARCHIVE_WINDOW);
  int rc = TW_OK;
  if (w->n && w->window != window && (rc = deliver(d, region)))
    return rc;
  if (!w->n) {
    rc = tw_buf_append(&w->records, "{\"Records\":[", 12);
    w->window = window;
    w->oldest = w->newest = t;
  } else {
    rc = tw_buf_append(&w->records, ",", 1);
  }
  if (!rc)
    rc = tw_buf_append(&w->records, json, len);
  if (t < w->oldest)
    w->oldest = t;
  if (t > w->newest)
    w->newest = t;
  w->n++;
  d->a.st->events++;
  return rc;
}

/* ---- the merge ---------------------------------------------------------- */

static int add_incident(driver *d, tw_buf *scratch) {
  const tw_incident_ref *ref = &d->inc[d->next_inc++];
  scratch->len = 0;
  int rc = tw_buf_reserve(scratch, TW_SAMPLE_MAX_EVENT);
  if (rc)
    return rc;
  tw_sw w = {scratch->data, scratch->data + TW_SAMPLE_MAX_EVENT, 0};
  tw_incident_write(&d->a.opts, ref, &d->inc_rng, &w);
  if (w.overflow)
    return TW_ELIMIT;
  int region = tw_archive_region_index(tw_incident_region(ref));
  if (region < 0)
    return TW_EINVAL;
  d->a.st->incident_events++;
  return add_event(d, region, ref->time, scratch->data, (size_t)(w.p - scratch->data));
}

static int add_background(driver *d, int64_t t, const char *region_name) {
  if (t > d->gap_from && t < d->gap_to) { /* StopLogging .. StartLogging */
    d->a.st->unlogged++;
    return TW_OK;
  }
  int region = tw_archive_region_index(region_name);
  if (region < 0)
    return TW_EINVAL;
  return add_event(d, region, t, d->ev.data, d->ev.len);
}

static int merge(driver *d, tw_sample_gen *g) {
  tw_buf scratch = {0};
  int64_t t = 0;
  const char *region = NULL;
  int have = 0, rc = TW_OK;
  for (;;) {
    if (!have) {
      d->ev.len = 0;
      rc = tw_sample_gen_next_in(g, &d->ev, &t, &region);
      if (rc && rc != TW_ENOTFOUND)
        break;
      have = rc == TW_OK;
    }
    if (d->next_inc < d->ninc && (!have || d->inc[d->next_inc].time < t)) {
      rc = add_incident(d, &scratch);
    } else if (have) {
      rc = add_background(d, t, region);
      have = 0;
    } else {
      rc = TW_OK;
      break;
    }
    if (rc)
      break;
  }
  tw_buf_free(&scratch);
  return rc;
}

static int finish(driver *d) {
  int rc = TW_OK;
  for (int r = 0; r < TW_ARCHIVE_NREGIONS && !rc; r++)
    rc = deliver(d, r);
  for (int r = 0; r < TW_ARCHIVE_NREGIONS && !rc; r++)
    rc = tw_archive_finish_digests(&d->a, r, d->last_delivery);
  return rc;
}

/* ---- setup -------------------------------------------------------------- */

static int check_opts(const tw_sample_archive_opts *o) {
  int64_t end = o->start + (int64_t)o->days * 86400;
  if (o->days < 1 || o->days > TW_SAMPLE_ARCHIVE_MAX_DAYS ||
      o->events_per_day > TW_SAMPLE_ARCHIVE_MAX_PER_DAY || o->start < 0 ||
      end > 253402300799LL - 86400) /* the keys' four-digit years */
    return TW_EINVAL;
  return TW_OK;
}

static int driver_init(driver *d, const char *dir, const tw_sample_archive_opts *o,
                       tw_sample_archive_stats *st) {
  memset(d, 0, sizeof *d);
  memset(st, 0, sizeof *st);
  d->a.dir = dir;
  d->a.opts = *o;
  d->a.st = st;
  d->a.rng = o->seed ^ 0x5333617263686976ull;   /* "S3archiv" */
  d->inc_rng = o->seed ^ 0x696e636964656e74ull; /* "incident" */
  d->last_delivery = INT64_MIN;
  for (int r = 0; r < TW_ARCHIVE_NREGIONS; r++) /* digest hours start at :00:20 .. :00:59 */
    d->a.digest[r].start = o->start + 20 + (int64_t)(tw_rng_hash(o->seed * 8 + (uint64_t)r) % 40);
  d->ninc = tw_incident_count();
  d->inc = malloc(d->ninc * sizeof *d->inc);
  if (!d->inc)
    return TW_ENOMEM;
  tw_incident_schedule(o, d->inc);
  tw_incident_gap(o, &d->gap_from, &d->gap_to);
  return TW_OK;
}

static void driver_free(driver *d) {
  for (int r = 0; r < TW_ARCHIVE_NREGIONS; r++) {
    tw_buf_free(&d->win[r].records);
    tw_buf_free(&d->a.digest[r].files);
  }
  tw_buf_free(&d->a.gz);
  tw_buf_free(&d->a.json);
  tw_buf_free(&d->a.path);
  tw_buf_free(&d->ev);
  free(d->inc);
}

static int run(driver *d, const char *dir) {
  const tw_sample_archive_opts *o = &d->a.opts;
  tw_sample_opts go;
  tw_sample_opts_init(&go);
  go.events = o->events_per_day * o->days;
  go.seed = o->seed;
  go.start = o->start;
  go.span = (int64_t)o->days * 86400;
  go.profile = TW_SAMPLE_BACKGROUND;
  tw_sample_gen *g;
  int rc = tw_archive_mkdirs(&d->a, dir);
  if (rc)
    return rc;
  if ((rc = tw_sample_gen_new(&go, &g)))
    return rc;
  rc = merge(d, g);
  tw_sample_gen_free(g);
  return rc ? rc : finish(d);
}

int tw_sample_archive_write(const char *dir, const tw_sample_archive_opts *o,
                            tw_sample_archive_stats *st) {
  if (!dir || !*dir || check_opts(o))
    return TW_EINVAL;
  driver d;
  int rc = driver_init(&d, dir, o, st);
  if (!rc)
    rc = run(&d, dir);
  int err = errno;
  driver_free(&d);
  errno = err;
  return rc;
}
