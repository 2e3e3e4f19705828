/*
 * sample.c — the synthetic CloudTrail generator's driver: options, the
 * generator object (PRNG state, cumulative API weights, cached day text),
 * the NDJSON streaming writer behind `trailwatch sample`, the number and
 * time formatting used by the event writers, and --start parsing.
 *
 * Speed: events are rendered straight into one large buffer (no per-event
 * allocation) that is flushed with fwrite every TW_SAMPLE_CHUNK bytes.
 */
#include <errno.h>
#include <stdlib.h>

#include "sample/sample_internal.h"

#define TW_SAMPLE_CHUNK (4u << 20)          /* flush threshold */
#define TW_SAMPLE_PROGRESS (64ull << 20)    /* progress callback interval */

/* ---- number formatting ------------------------------------------------ */

void tw_sw_u64(tw_sw *w, uint64_t v) {
  char tmp[20];
  int n = 0;
  do {
    tmp[19 - n++] = (char)('0' + v % 10);
    v /= 10;
  } while (v);
  tw_sw_put(w, tmp + 20 - n, (size_t)n);
}

void tw_sw_dec(tw_sw *w, uint64_t v, int n) {
  char tmp[20];
  for (int i = n - 1; i >= 0; i--) {
    tmp[i] = (char)('0' + v % 10);
    v /= 10;
  }
  tw_sw_put(w, tmp, (size_t)n);
}

void tw_sw_chars(tw_sw *w, uint64_t r, int n, const char *alphabet, unsigned size) {
  unsigned mask = size - 1;
  uint64_t state = r, bits = r; /* further words come from a splitmix chain */
  int left = 10;                /* 6-bit draws per 64-bit word */
  if ((size_t)(w->end - w->p) < (size_t)n) {
    w->overflow = 1;
    return;
  }
  for (int i = 0; i < n; i++) {
    if (left-- == 0) {
      bits = tw_rng_next(&state);
      left = 9;
    }
    *w->p++ = alphabet[bits & mask];
    bits >>= 6;
  }
}

/* ---- time ----------------------------------------------------------- */

/* Days since 1970-01-01 to civil date (proleptic Gregorian). */
static void civil_from_days(int64_t z, int64_t *y, unsigned *m, unsigned *d) {
  z += 719468;
  int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  unsigned doe = (unsigned)(z - era * 146097);
  unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  unsigned mp = (5 * doy + 2) / 153;
  *d = doy - (153 * mp + 2) / 5 + 1;
  *m = mp < 10 ? mp + 3 : mp - 9;
  *y = (int64_t)yoe + era * 400 + (*m <= 2);
}

static int64_t days_from_civil(int64_t y, unsigned m, unsigned d) {
  y -= m <= 2;
  int64_t era = (y >= 0 ? y : y - 399) / 400;
  unsigned yoe = (unsigned)(y - era * 400);
  unsigned doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
  unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + (int64_t)doe - 719468;
}

static int64_t floor_div(int64_t a, int64_t b) {
  int64_t q = a / b;
  return (a % b != 0 && (a < 0) != (b < 0)) ? q - 1 : q;
}

static void day_text(int64_t day, char out[11]) {
  int64_t y;
  unsigned m, d;
  civil_from_days(day, &y, &m, &d);
  tw_sw w = {out, out + 10, 0};
  tw_sw_dec(&w, (uint64_t)y, 4);
  tw_sw_ch(&w, '-');
  tw_sw_dec(&w, m, 2);
  tw_sw_ch(&w, '-');
  tw_sw_dec(&w, d, 2);
  out[10] = 0;
}

void tw_sample_time(struct tw_sample_gen *g, tw_sw *w, int64_t t) {
  int64_t day = floor_div(t, 86400), sec = t - day * 86400;
  char local[11];
  const char *text = local;
  if (g) {
    if (g->day != day) {
      day_text(day, g->day_text);
      g->day = day;
    }
    text = g->day_text;
  } else {
    day_text(day, local);
  }
  char tail[10] = {'T', 0, 0, ':', 0, 0, ':', 0, 0, 'Z'};
  tail[1] = (char)('0' + sec / 36000), tail[2] = (char)('0' + sec / 3600 % 10);
  tail[4] = (char)('0' + sec / 600 % 6), tail[5] = (char)('0' + sec / 60 % 10);
  tail[7] = (char)('0' + sec % 60 / 10), tail[8] = (char)('0' + sec % 10);
  tw_sw_put(w, text, 10);
  tw_sw_put(w, tail, sizeof tail);
}

void tw_sample_time_human(tw_sw *w, int64_t t) {
  static const char months[] = "JanFebMarAprMayJunJulAugSepOctNovDec";
  int64_t day = floor_div(t, 86400), sec = t - day * 86400, y;
  unsigned m, d;
  civil_from_days(day, &y, &m, &d);
  tw_sw_put(w, months + 3 * (m - 1), 3);
  tw_sw_ch(w, ' ');
  tw_sw_u64(w, d);
  TW_SW_LIT(w, ", ");
  tw_sw_u64(w, (uint64_t)y);
  TW_SW_LIT(w, ", ");
  uint64_t h = (uint64_t)(sec / 3600);
  tw_sw_u64(w, h % 12 == 0 ? 12 : h % 12);
  tw_sw_ch(w, ':');
  tw_sw_dec(w, (uint64_t)(sec / 60 % 60), 2);
  tw_sw_ch(w, ':');
  tw_sw_dec(w, (uint64_t)(sec % 60), 2);
  if (h < 12)
    TW_SW_LIT(w, " AM");
  else
    TW_SW_LIT(w, " PM");
}

static int parse_num(const char **s, int digits, unsigned *out) {
  unsigned v = 0;
  for (int i = 0; i < digits; i++) {
    char c = (*s)[i];
    if (c < '0' || c > '9')
      return TW_EINVAL;
    v = v * 10 + (unsigned)(c - '0');
  }
  *s += digits;
  *out = v;
  return TW_OK;
}

static int expect(const char **s, char c) {
  if (**s != c)
    return TW_EINVAL;
  (*s)++;
  return TW_OK;
}

int tw_sample_parse_time(const char *s, int64_t *out) {
  unsigned y, mo, d, h = 0, mi = 0, se = 0;
  if (parse_num(&s, 4, &y) || expect(&s, '-') || parse_num(&s, 2, &mo) || expect(&s, '-') ||
      parse_num(&s, 2, &d))
    return TW_EINVAL;
  if (*s == 'T') {
    s++;
    if (parse_num(&s, 2, &h) || expect(&s, ':') || parse_num(&s, 2, &mi) || expect(&s, ':') ||
        parse_num(&s, 2, &se) || expect(&s, 'Z'))
      return TW_EINVAL;
  }
  if (*s || mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || se > 59)
    return TW_EINVAL;
  *out = days_from_civil(y, mo, d) * 86400 + h * 3600 + mi * 60 + se;
  return TW_OK;
}

/* ---- the generator ---------------------------------------------------- */

void tw_sample_opts_init(tw_sample_opts *o) {
  o->events = 0;
  o->seed = 1;
  o->start = TW_SAMPLE_DEFAULT_START;
  o->span = TW_SAMPLE_DEFAULT_SPAN;
  o->profile = TW_SAMPLE_MIXED;
}

/* The background profile's day/night curve works in whole days and keeps
 * its integer arithmetic in range with the archive's limits. */
static int background_ok(const tw_sample_opts *o) {
  int64_t days = o->span / 86400;
  return o->span % 86400 == 0 && days >= 1 && days <= TW_SAMPLE_ARCHIVE_MAX_DAYS &&
         o->events <= (uint64_t)days * TW_SAMPLE_ARCHIVE_MAX_PER_DAY;
}

int tw_sample_gen_new(const tw_sample_opts *o, tw_sample_gen **out) {
  if (o->span < 0 || (o->profile != TW_SAMPLE_MIXED && o->profile != TW_SAMPLE_BACKGROUND))
    return TW_EINVAL;
  if (o->profile == TW_SAMPLE_BACKGROUND && !background_ok(o))
    return TW_EINVAL;
  tw_sample_gen *g = calloc(1, sizeof *g);
  if (!g)
    return TW_ENOMEM;
  g->api_cum = malloc(tw_sample_napis * sizeof *g->api_cum);
  if (!g->api_cum) {
    free(g);
    return TW_ENOMEM;
  }
  for (size_t i = 0; i < tw_sample_napis; i++) {
    g->api_total += tw_sample_apis[i].weight;
    g->api_cum[i] = g->api_total;
  }
  g->opts = *o;
  g->rng = o->seed ^ 0x7472616977617463ull; /* "traiwatc": seed 0 is fine too */
  g->day = INT64_MIN;
  *out = g;
  return TW_OK;
}

void tw_sample_gen_free(tw_sample_gen *g) {
  if (!g)
    return;
  free(g->api_cum);
  free(g);
}

int tw_sample_gen_next_in(tw_sample_gen *g, tw_buf *b, int64_t *event_time,
                          const char **region) {
  if (g->index >= g->opts.events)
    return TW_ENOTFOUND;
  int rc = tw_buf_reserve(b, TW_SAMPLE_MAX_EVENT);
  if (rc)
    return rc;
  tw_ev ev;
  tw_sample_event_pick(g, &ev);
  /* one byte stays free for the caller's newline */
  tw_sw w = {b->data + b->len, b->data + b->len + TW_SAMPLE_MAX_EVENT - 1, 0};
  tw_sample_event_write(g, &ev, &w);
  if (w.overflow)
    return TW_ELIMIT;
  b->len = (size_t)(w.p - b->data);
  g->index++;
  if (event_time)
    *event_time = ev.time;
  if (region)
    *region = tw_ev_region(&ev);
  return TW_OK;
}

int tw_sample_gen_next(tw_sample_gen *g, tw_buf *b, int64_t *event_time) {
  return tw_sample_gen_next_in(g, b, event_time, NULL);
}

static int flush(FILE *f, tw_buf *b, uint64_t *bytes) {
  if (b->len && fwrite(b->data, 1, b->len, f) != b->len)
    return TW_EIO;
  *bytes += b->len;
  b->len = 0;
  return TW_OK;
}

static int write_all(FILE *f, tw_sample_gen *g, tw_buf *b, tw_sample_progress_fn progress,
                     void *ctx, uint64_t *bytes) {
  uint64_t next_report = TW_SAMPLE_PROGRESS;
  int rc;
  while ((rc = tw_sample_gen_next(g, b, NULL)) == TW_OK) {
    b->data[b->len++] = '\n'; /* gen_next leaves one byte for it */
    if (b->len < TW_SAMPLE_CHUNK)
      continue;
    if ((rc = flush(f, b, bytes)))
      return rc;
    if (progress && *bytes >= next_report) {
      progress(ctx, g->index, *bytes);
      next_report = *bytes + TW_SAMPLE_PROGRESS;
    }
  }
  if (rc != TW_ENOTFOUND)
    return rc;
  if ((rc = flush(f, b, bytes)))
    return rc;
  if (progress)
    progress(ctx, g->index, *bytes);
  return fflush(f) ? TW_EIO : TW_OK;
}

int tw_sample_write(FILE *f, const tw_sample_opts *o, tw_sample_progress_fn progress,
                    void *ctx, uint64_t *bytes_out) {
  tw_sample_gen *g;
  uint64_t bytes = 0;
  int rc = tw_sample_gen_new(o, &g);
  if (rc)
    return rc;
  tw_buf b = {0};
  rc = tw_buf_reserve(&b, TW_SAMPLE_CHUNK + TW_SAMPLE_MAX_EVENT);
  if (!rc)
    rc = write_all(f, g, &b, progress, ctx, &bytes);
  int saved = errno;
  tw_buf_free(&b);
  tw_sample_gen_free(g);
  errno = saved;
  if (bytes_out)
    *bytes_out = bytes;
  return rc;
}
