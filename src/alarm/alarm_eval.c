/*
 * alarm_eval.c — the alarm evaluation algorithm (metrics-alarms-api.md
 * §5.3 with D20/D21), as a pure function of (alarm, datapoints, prior
 * state). It decides the state and marks which slots of the evaluation
 * range were used, so alarm_reason.c can word the StateReason. The public
 * tw_alarm_evaluate glue (actions, result struct) is in alarm_result.c.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "alarm/alarm.h"

int tw_alarm_breaches(const tw_alarm *a, double v) {
  switch (a->op) {
  case TW_OP_GE: return v >= a->threshold;
  case TW_OP_GT: return v > a->threshold;
  case TW_OP_LT: return v < a->threshold;
  case TW_OP_LE: return v <= a->threshold;
  }
  return 0;
}

size_t tw_alarm_get_evaluation_range(const tw_alarm *a) {
  size_t extra = a->n / 3 > 2 ? a->n / 3 : 2;
  return a->n + extra;
}

/* Load the last R values into the decision, newest first (slot = age-1). */
static int load_slots(const tw_alarm *a, const double *values,
                      const double *samples, size_t n, tw_alarm_decision *d) {
  size_t r = tw_alarm_get_evaluation_range(a);
  memset(d, 0, sizeof *d);
  d->range = r;
  d->role = calloc(r, 1);
  d->breach = calloc(r, 1);
  d->value = calloc(r, sizeof *d->value);
  d->samples = samples ? calloc(r, sizeof *d->samples) : NULL;
  if (!d->role || !d->breach || !d->value || (samples && !d->samples))
    return TW_ENOMEM;
  for (size_t i = 0; i < r; i++) {
    int have = i < n;
    d->value[i] = have ? values[n - 1 - i] : NAN;
    if (d->samples)
      d->samples[i] = have ? samples[n - 1 - i] : NAN;
    if (!isnan(d->value[i])) {
      d->real++;
      d->breach[i] = (unsigned char)tw_alarm_breaches(a, d->value[i]);
    }
  }
  return TW_OK;
}

static void set_result(tw_alarm_decision *d, tw_alarm_state s,
                       tw_alarm_reason_kind kind) {
  d->state = s;
  d->kind = kind;
}

/* Step 1: nothing in the whole range. */
static void decide_all_missing(const tw_alarm *a, tw_alarm_state prior,
                               tw_alarm_decision *d) {
  size_t filled = 0;
  for (size_t i = 0; i < d->range && filled < a->n; i++, filled++)
    d->role[i] = TW_SLOT_FILLED;
  d->nfilled = filled;
  switch (a->tmd_eff) {
  case TW_TMD_MISSING:
    d->unknown = a->n;
    set_result(d, TW_ALARM_INSUFFICIENT_DATA, TW_REASON_UNKNOWN);
    break;
  case TW_TMD_IGNORE:
    set_result(d, prior, TW_REASON_RETAINED);
    break;
  case TW_TMD_BREACHING:
  case TW_TMD_NOT_BREACHING:
    d->fill_treated = 1;
    d->fill_breaching = a->tmd_eff == TW_TMD_BREACHING;
    set_result(d, d->fill_breaching ? TW_ALARM_ALARM : TW_ALARM_OK,
               TW_REASON_NONE_RECEIVED);
    break;
  }
}

/* Step 2: at least N real datapoints: the N most recent real ones decide,
 * gaps are skipped and TreatMissingData is not consulted. */
static void decide_enough(const tw_alarm *a, tw_alarm_decision *d) {
  size_t taken = 0, b = 0;
  for (size_t i = 0; i < d->range && taken < a->n; i++) {
    if (isnan(d->value[i]))
      continue;
    d->role[i] = TW_SLOT_REAL;
    taken++;
    b += d->breach[i];
  }
  set_result(d, b >= a->m ? TW_ALARM_ALARM : TW_ALARM_OK,
             TW_REASON_THRESHOLD);
}

/* Mark every real point used, plus the u most recent missing slots. */
static void mark_partial(tw_alarm_decision *d, size_t u, size_t *b,
                         size_t *nb, size_t *oldest_breach_age) {
  size_t filled = 0;
  *b = *nb = *oldest_breach_age = 0;
  for (size_t i = 0; i < d->range; i++) {
    if (!isnan(d->value[i])) {
      d->role[i] = TW_SLOT_REAL;
      if (d->breach[i]) {
        (*b)++;
        *oldest_breach_age = i + 1;
      } else {
        (*nb)++;
      }
    } else if (filled < u) {
      d->role[i] = TW_SLOT_FILLED;
      filled++;
    }
  }
  d->nfilled = filled;
}

/* Step 3: 1..N-1 real datapoints, u = N - real slots filled. */
static void decide_partial(const tw_alarm *a, tw_alarm_state prior,
                           tw_alarm_decision *d) {
  size_t u = a->n - d->real, b, nb, oldest;
  mark_partial(d, u, &b, &nb, &oldest);
  int alarm;
  switch (a->tmd_eff) {
  case TW_TMD_BREACHING:
  case TW_TMD_NOT_BREACHING:
    d->fill_treated = 1;
    d->fill_breaching = a->tmd_eff == TW_TMD_BREACHING;
    alarm = b + (d->fill_breaching ? u : 0) >= a->m;
    set_result(d, alarm ? TW_ALARM_ALARM : TW_ALARM_OK, TW_REASON_THRESHOLD);
    /* nothing real satisfies the stated condition: "r datapoints were
     * received for N periods and u missing datapoints were treated as" */
    if ((alarm && b == 0) || (!alarm && nb == 0))
      d->kind = TW_REASON_RECEIVED;
    return;
  case TW_TMD_MISSING:
  case TW_TMD_IGNORE:
    break;
  }
  if (b >= a->m)
    set_result(d, TW_ALARM_ALARM, TW_REASON_THRESHOLD);
  else if (nb > 0)
    set_result(d, TW_ALARM_OK, TW_REASON_THRESHOLD);
  else if (a->tmd_eff == TW_TMD_IGNORE)
    set_result(d, prior, TW_REASON_RETAINED);
  else if (oldest >= a->m) /* premature-alarm rule (D21) */
    set_result(d, TW_ALARM_ALARM, TW_REASON_THRESHOLD);
  else {
    d->unknown = u;
    set_result(d, TW_ALARM_INSUFFICIENT_DATA, TW_REASON_UNKNOWN);
  }
}

/* EvaluateLowSampleCountPercentile=ignore: a used datapoint with too few
 * samples keeps the state unchanged. */
static int low_samples(const tw_alarm *a, const tw_alarm_decision *d) {
  if (a->low_sample_min <= 0 || !d->samples)
    return 0;
  for (size_t i = 0; i < d->range; i++)
    if (d->role[i] == TW_SLOT_REAL && !isnan(d->samples[i]) &&
        d->samples[i] < a->low_sample_min)
      return 1;
  return 0;
}

int tw_alarm_decide(const tw_alarm *a, const double *values,
                    const double *samples, size_t n, tw_alarm_state prior,
                    tw_alarm_decision *d) {
  int rc = load_slots(a, values, samples, n, d);
  if (rc) {
    tw_alarm_decision_free(d);
    return rc;
  }
  if (d->real == 0)
    decide_all_missing(a, prior, d);
  else if (d->real >= a->n)
    decide_enough(a, d);
  else
    decide_partial(a, prior, d);
  if (d->kind != TW_REASON_RETAINED && low_samples(a, d)) {
    set_result(d, prior, TW_REASON_RETAINED);
    d->low_sample = 1;
  }
  return TW_OK;
}

void tw_alarm_decision_free(tw_alarm_decision *d) {
  free(d->role);
  free(d->breach);
  free(d->value);
  free(d->samples);
  memset(d, 0, sizeof *d);
}
