/*
 * test_alarm_reference.c — a brute-force reference evaluator written from
 * the prose of AWS's "How alarm state is evaluated when data is missing"
 * (metrics-alarms-api.md §5.3-§5.4), independently of src/alarm/, and a
 * comparison with tw_alarm_evaluate on thousands of random series.
 *
 * The reference works on the doc's own notation: a string over the
 * evaluation range, '0' not breaching, 'X' breaching, '-' missing, most
 * recent last. It picks the N datapoints to evaluate by enumerating every
 * N-slot subset of the range and keeping the one the doc describes ("fill
 * in missing data points only as few times as possible", then the most
 * recent ones); then it applies the doc's rules to that choice literally.
 * For large N (C(R, N) too big) it walks the string instead.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "trailwatch.h"
#include "tw_test.h"

enum { REF_OK = 'O', REF_ALARM = 'A', REF_INSUFFICIENT = 'I' };

/* ---- choosing the evaluated slots ------------------------------------ */

/* Is subset a (bitmask over slots, bit i = slot i, slot R-1 newest)
 * preferable to b? Fewer fills first, then the more recent slots. */
static int better(unsigned a, unsigned b, const char *pat, int r) {
  int fa = 0, fb = 0;
  for (int i = 0; i < r; i++) {
    fa += (a >> i & 1) && pat[i] == '-';
    fb += (b >> i & 1) && pat[i] == '-';
  }
  if (fa != fb)
    return fa < fb;
  for (int i = r - 1; i >= 0; i--) /* newest slot decides first */
    if ((a >> i & 1) != (b >> i & 1))
      return (a >> i & 1) != 0;
  return 0;
}

static int popcount(unsigned v) {
  int n = 0;
  for (; v; v &= v - 1)
    n++;
  return n;
}

/* Enumerate every N-subset of the R slots; return the chosen one. */
static unsigned choose_by_enumeration(const char *pat, int r, int n) {
  unsigned best = 0;
  int have = 0;
  for (unsigned s = 0; s < (1u << r); s++) {
    if (popcount(s) != n)
      continue;
    if (!have || better(s, best, pat, r)) {
      best = s;
      have = 1;
    }
  }
  return best;
}

/* The same choice by walking from the newest slot (used when N is big):
 * real points first, newest first; then the newest missing slots. */
static unsigned long long choose_by_walk(const char *pat, int r, int n) {
  unsigned long long s = 0;
  int taken = 0;
  for (int i = r - 1; i >= 0 && taken < n; i--)
    if (pat[i] != '-') {
      s |= 1ull << i;
      taken++;
    }
  for (int i = r - 1; i >= 0 && taken < n; i--)
    if (pat[i] == '-') {
      s |= 1ull << i;
      taken++;
    }
  return s;
}

/* ---- the doc's rules --------------------------------------------------- */

/* "alarms are designed to always go into ALARM state when the oldest
 * available breaching datapoint during the Evaluation Periods number of
 * data points is at least as old as the value of Datapoints to Alarm, and
 * all other more recent data points are breaching or missing" */
static int premature(const char *pat, int r, int m) {
  int oldest = -1;
  for (int i = 0; i < r; i++)
    if (pat[i] == 'X') {
      oldest = i;
      break;
    }
  if (oldest < 0 || r - oldest < m)
    return 0;
  for (int i = oldest + 1; i < r; i++)
    if (pat[i] == '0')
      return 0;
  return 1;
}

/* tmd: 'm' missing, 'b' breaching, 'n' notBreaching, 'i' ignore. */
static char ref_evaluate(const char *pat, int n, int m, char tmd, char prior) {
  int r = (int)strlen(pat);
  if (!strchr(pat, 'X') && !strchr(pat, '0')) { /* table row "- - - - -" */
    if (tmd == 'm')
      return REF_INSUFFICIENT;
    if (tmd == 'i')
      return prior;
    return tmd == 'b' ? REF_ALARM : REF_OK;
  }
  unsigned long long chosen = r <= 16 ? choose_by_enumeration(pat, r, n)
                                      : choose_by_walk(pat, r, n);
  int x = 0, zero = 0, unknown = 0;
  for (int i = 0; i < r; i++) {
    if (!(chosen >> i & 1))
      continue;
    char c = pat[i];
    if (c == '-') /* a filled slot */
      c = tmd == 'b' ? 'X' : tmd == 'n' ? '0' : '?';
    x += c == 'X';
    zero += c == '0';
    unknown += c == '?';
  }
  if (x >= m)
    return REF_ALARM;
  if (zero > 0)
    return REF_OK;
  if (!unknown) /* fully known and not enough breaching */
    return REF_OK;
  if (tmd == 'i')
    return prior;
  return premature(pat, r, m) ? REF_ALARM : REF_INSUFFICIENT;
}

/* ---- doc tables through the reference itself ---------------------------- */

struct table_row {
  const char *pat;
  int n, m;
  const char *expect; /* for missing, ignore, breaching, notBreaching; 'R' = retain */
};

static const struct table_row doc_rows[] = {
    {"0-X-X", 3, 3, "OOOO"}, {"0----", 3, 3, "OOOO"}, {"-----", 3, 3, "IRAO"},
    {"0XX-X", 3, 3, "AAAA"}, {"--X--", 3, 3, "ARAO"}, {"0-X-X", 3, 2, "AAAA"},
    {"00X0X", 3, 2, "AAAA"}, {"0-X--", 3, 2, "OOAO"}, {"----0", 3, 2, "OOAO"},
    {"---X-", 3, 2, "ARAO"}, {"----X", 3, 3, "IRAO"}, {"X----", 3, 3, "ARAO"},
};

TW_TEST(reference_reproduces_doc_tables) {
  const char tmds[] = "mibn";
  for (size_t i = 0; i < sizeof doc_rows / sizeof doc_rows[0]; i++)
    for (int t = 0; t < 4; t++) {
      char want = doc_rows[i].expect[t];
      char got = ref_evaluate(doc_rows[i].pat, doc_rows[i].n, doc_rows[i].m,
                              tmds[t], 'P');
      if (want == 'R')
        want = 'P';
      if (got != want)
        fprintf(stderr, "doc row %s %d/%d tmd %c: got %c want %c\n",
                doc_rows[i].pat, doc_rows[i].m, doc_rows[i].n, tmds[t], got,
                want);
      TW_CHECK(got == want);
    }
}

TW_TEST(enumeration_and_walk_agree) {
  /* the two ways of choosing the evaluated slots pick the same set */
  unsigned seed = 7;
  for (int k = 0; k < 3000; k++) {
    seed = seed * 1103515245u + 12345u;
    int n = 1 + (int)(seed >> 16) % 8;
    int r = n + (n / 3 > 2 ? n / 3 : 2);
    char pat[32];
    for (int i = 0; i < r; i++) {
      seed = seed * 1103515245u + 12345u;
      pat[i] = "-0X"[(seed >> 16) % 3];
    }
    pat[r] = '\0';
    TW_CHECK(choose_by_enumeration(pat, r, n) == choose_by_walk(pat, r, n));
  }
}

/* ---- random comparison with the production code --------------------- */

static const char *const op_names[] = {
    "GreaterThanOrEqualToThreshold", "GreaterThanThreshold",
    "LessThanThreshold", "LessThanOrEqualToThreshold"};
static const char *const tmd_names[] = {"missing", "breaching",
                                        "notBreaching", "ignore"};

/* Breach test written out per operator (statistic on the left). */
static int ref_breaches(int op, double v, double t) {
  if (op == 0)
    return !(v < t);
  if (op == 1)
    return v > t && v != t;
  if (op == 2)
    return t > v;
  return !(v > t);
}

static unsigned rng_state = 12345;
static unsigned rnd(unsigned n) {
  rng_state = rng_state * 1664525u + 1013904223u;
  return (rng_state >> 8) % n;
}

struct random_case {
  int n, m, m_set, op, tmd;
  double threshold;
  double values[48];
  size_t len;
  tw_alarm_state prior;
};

static void make_case(struct random_case *c) {
  c->n = 1 + (int)rnd(24);
  c->m_set = rnd(4) != 0;
  c->m = c->m_set ? 1 + (int)rnd((unsigned)c->n) : c->n;
  c->op = (int)rnd(4);
  c->tmd = (int)rnd(4);
  c->threshold = (double)((int)rnd(5) - 2);
  int range = c->n + (c->n / 3 > 2 ? c->n / 3 : 2);
  c->len = rnd((unsigned)range + 6);
  unsigned missing_pct = 10 + rnd(80);
  for (size_t i = 0; i < c->len; i++)
    c->values[i] = rnd(100) < missing_pct
                       ? NAN
                       : c->threshold + (double)((int)rnd(3) - 1) * 0.5;
  c->prior = (tw_alarm_state)rnd(3);
}

static tw_alarm *make_alarm(const struct random_case *c) {
  char json[512], m[48] = "";
  if (c->m_set)
    snprintf(m, sizeof m, "\"DatapointsToAlarm\":%d,", c->m);
  snprintf(json, sizeof json,
           "{\"AlarmName\":\"r\",\"MetricName\":\"M\",\"Namespace\":\"N\","
           "\"Statistic\":\"Sum\",\"Period\":60,\"EvaluationPeriods\":%d,%s"
           "\"Threshold\":%g,\"ComparisonOperator\":\"%s\","
           "\"TreatMissingData\":\"%s\"}",
           c->n, m, c->threshold, op_names[c->op], tmd_names[c->tmd]);
  tw_alarm *a = NULL;
  tw_error err;
  if (tw_alarm_parse(json, strlen(json), &a, &err) != TW_OK)
    fprintf(stderr, "parse failed: %s\n", err.message);
  return a;
}

/* The evaluation range as a doc-style pattern (older slots beyond the
 * given values are missing). */
static void to_pattern(const struct random_case *c, char *pat) {
  int r = c->n + (c->n / 3 > 2 ? c->n / 3 : 2);
  for (int age = r; age >= 1; age--) {
    char ch = '-';
    if ((size_t)age <= c->len) {
      double v = c->values[c->len - (size_t)age];
      if (!isnan(v))
        ch = ref_breaches(c->op, v, c->threshold) ? 'X' : '0';
    }
    pat[r - age] = ch;
  }
  pat[r] = '\0';
}

static char state_letter(tw_alarm_state s) {
  return s == TW_ALARM_OK ? REF_OK : s == TW_ALARM_ALARM ? REF_ALARM : REF_INSUFFICIENT;
}

/* The reason must fit the state: prefix, and one listed datapoint per
 * "(dd/MM/yy HH:mm:ss)". */
static int reason_consistent(const tw_alarm_result *r) {
  if (r->retained)
    return r->reason == NULL && r->state == r->prior;
  if (!r->reason || !r->reason_data)
    return 0;
  if (r->state == TW_ALARM_INSUFFICIENT_DATA)
    return !strncmp(r->reason, "Insufficient Data: ", 19);
  if (strncmp(r->reason, "Threshold Crossed: ", 19))
    return 0;
  const char *want = r->state == TW_ALARM_ALARM ? " the threshold (" : "not ";
  return strstr(r->reason, want) != NULL || strstr(r->reason, "received for");
}

TW_TEST(random_series_match_reference) {
  int mismatches = 0, cases = 0, by_state[3] = {0};
  for (int k = 0; k < 20000; k++) {
    struct random_case c;
    make_case(&c);
    tw_alarm *a = make_alarm(&c);
    TW_CHECK(a != NULL);
    if (!a)
      continue;
    char pat[64];
    to_pattern(&c, pat);
    char want = ref_evaluate(pat, c.n, c.m, "mbni"[c.tmd], state_letter(c.prior));
    tw_alarm_result r;
    int rc = tw_alarm_evaluate(a, c.values, c.len, c.prior, 1700000000000, &r);
    TW_CHECK_EQ_INT(rc, TW_OK);
    if (rc == TW_OK) {
      cases++;
      by_state[r.state]++;
      if (state_letter(r.state) != want || !reason_consistent(&r)) {
        if (mismatches++ < 10)
          fprintf(stderr, "mismatch: %s N=%d M=%d op=%s tmd=%s prior=%s: got %s "
                  "want %c (%s)\n", pat, c.n, c.m, op_names[c.op],
                  tmd_names[c.tmd], tw_alarm_state_name(c.prior),
                  tw_alarm_state_name(r.state), want, r.reason ? r.reason : "-");
      }
      tw_alarm_result_clear(&r);
    }
    tw_alarm_free(a);
  }
  TW_CHECK_EQ_INT(mismatches, 0);
  TW_CHECK(cases == 20000);
  /* the generator reaches every state */
  TW_CHECK(by_state[0] > 1000 && by_state[1] > 1000 && by_state[2] > 1000);
}

int main(void) { return tw_test_run(); }
