/*
 * alarm.h — internal interface of the alarm module (src/alarm/).
 *
 * A tw_alarm is one CloudWatch metric alarm in PutMetricAlarm shape, parsed
 * and validated by alarm_parse.c. alarm_eval.c decides the state (the pure
 * algorithm of metrics-alarms-api.md §5.3 / D20-D21) and records *which*
 * datapoints decided it in a tw_alarm_decision; alarm_reason.c turns that
 * decision into CloudWatch's StateReason / StateReasonData text, using the
 * number/date formatting of alarm_format.c. alarm_state.c keeps the
 * per-alarm state record (SetAlarmState, transitions, actions, history)
 * and alarm_sns.c builds the SNS notification.
 */
#ifndef TW_ALARM_INTERNAL_H
#define TW_ALARM_INTERNAL_H

#include <stddef.h>
#include <stdint.h>

#include "trailwatch.h"
#include "util/util.h"

/* ---- the parsed alarm ------------------------------------------------ */

typedef enum tw_alarm_op {
  TW_OP_GE = 0, /* GreaterThanOrEqualToThreshold */
  TW_OP_GT,     /* GreaterThanThreshold */
  TW_OP_LT,     /* LessThanThreshold */
  TW_OP_LE      /* LessThanOrEqualToThreshold */
} tw_alarm_op;

typedef enum tw_alarm_tmd {
  TW_TMD_MISSING = 0,
  TW_TMD_BREACHING,
  TW_TMD_NOT_BREACHING,
  TW_TMD_IGNORE
} tw_alarm_tmd;

typedef struct tw_alarm_dim {
  char *name;
  char *value;
} tw_alarm_dim;

typedef struct tw_alarm_strlist {
  char **items;
  size_t n;
} tw_alarm_strlist;

/* One MetricDataQuery of a metric-math alarm (Metrics). */
typedef struct tw_alarm_query {
  char *id;
  char *expression;  /* NULL for a MetricStat query */
  char *label;       /* NULL when unset */
  int return_data;
  int period;        /* query-level Period, 0 when unset */
  int has_stat;      /* MetricStat present */
  char *metric_name;
  char *ns;
  tw_alarm_dim *dims;
  size_t ndims;
  int stat_period;
  char *stat;
  char *unit;        /* NULL when unset */
} tw_alarm_query;

struct tw_alarm {
  char *name;
  char *arn;         /* AlarmArn from the input, NULL when absent */
  char *description; /* NULL when unset */
  int actions_enabled;
  tw_alarm_strlist ok_actions, alarm_actions, insufficient_actions;

  /* single-metric alarms */
  char *metric_name;
  char *ns;
  tw_alarm_dim *dims;
  size_t ndims;
  char *statistic;          /* "Sum", ... ; NULL with ExtendedStatistic */
  char *extended_statistic; /* "p99", ... ; NULL with Statistic */
  char *unit;               /* NULL when unset */

  /* metric-math alarms */
  tw_alarm_query *queries;
  size_t nqueries;

  int period;               /* seconds */
  size_t n;                 /* EvaluationPeriods */
  size_t m;                 /* DatapointsToAlarm, = n when omitted */
  int m_set;
  double threshold;
  tw_alarm_op op;
  tw_alarm_tmd tmd;         /* as configured (missing when omitted) */
  int tmd_set;
  tw_alarm_tmd tmd_eff;     /* AWS/DynamoDB alarms always behave as ignore */
  char *low_sample;         /* EvaluateLowSampleCountPercentile, NULL = unset */
  double low_sample_min;    /* min samples for a percentile; 0 = no check */

  int has_state;            /* StateValue was in the input (describe-alarms) */
  tw_alarm_state state_value;
  int has_config_time;
  int64_t config_time_ms;   /* AlarmConfigurationUpdatedTimestamp */
};

/* ---- parsing helpers (alarm_fields.c) -------------------------------- */

/* Validate a Statistic name; returns 1 if it is one of the five. */
int tw_alarm_statistic_valid(const char *s);
/* Validate an ExtendedStatistic; on success *pct is the percentile of a
 * pNN statistic (else -1). */
int tw_alarm_extended_statistic_valid(const char *s, double *pct);
/* Validate a StandardUnit name. */
int tw_alarm_unit_valid(const char *s);
/* Length of a UTF-8 string in code points. */
size_t tw_alarm_utf8_len(const char *s);

/* ---- evaluation (alarm_eval.c) ---------------------------------------- */

/* How the reason is worded (alarm_reason.c). */
typedef enum tw_alarm_reason_kind {
  TW_REASON_THRESHOLD = 0, /* "Threshold Crossed: c out of the last N ..." */
  TW_REASON_RECEIVED,      /* "r datapoints were received for N periods and ..." */
  TW_REASON_NONE_RECEIVED, /* "no datapoints were received for N periods and ..." */
  TW_REASON_UNKNOWN,       /* "Insufficient Data: k datapoints were unknown." */
  TW_REASON_RETAINED       /* ignore / low sample count: state kept, no reason */
} tw_alarm_reason_kind;

/* Role of one slot of the evaluation range. */
enum {
  TW_SLOT_UNUSED = 0, /* not part of the decision */
  TW_SLOT_REAL = 1,   /* a real datapoint that was evaluated */
  TW_SLOT_FILLED = 2  /* a missing slot counted as one of the N datapoints */
};

/* The outcome of the algorithm plus the datapoints behind it. Slots are
 * indexed by age - 1 (0 = the period that just ended). */
typedef struct tw_alarm_decision {
  tw_alarm_state state;
  tw_alarm_reason_kind kind;
  size_t range;          /* R */
  unsigned char *role;   /* R entries, TW_SLOT_* */
  unsigned char *breach; /* R entries, 1 when the real value breaches */
  double *value;         /* R entries, NaN = missing */
  double *samples;       /* R entries or NULL: sample counts */
  size_t real;           /* real datapoints in the range */
  size_t nfilled;        /* slots filled by TreatMissingData */
  int fill_breaching;    /* filled slots count as breaching (1) / not (0) */
  int fill_treated;      /* breaching/notBreaching filled the slots */
  size_t unknown;        /* for TW_REASON_UNKNOWN */
  int low_sample;        /* retained because of too few samples */
} tw_alarm_decision;

/* Run the algorithm over values[0..n) (oldest first, NaN = missing). */
int tw_alarm_decide(const tw_alarm *a, const double *values,
                    const double *samples, size_t n, tw_alarm_state prior,
                    tw_alarm_decision *d);
void tw_alarm_decision_free(tw_alarm_decision *d);

/* Does value breach the threshold? */
int tw_alarm_breaches(const tw_alarm *a, double value);

/* ---- reason text (alarm_reason.c) ------------------------------------- */

int tw_alarm_reason_text(const tw_alarm *a, const tw_alarm_decision *d,
                         int64_t eval_time_ms, char **out);
int tw_alarm_reason_data(const tw_alarm *a, const tw_alarm_decision *d,
                         int64_t eval_time_ms, char **out);

/* ---- formatting (alarm_format.c) -------------------------------------- */

/* Java's Double.toString: "1.0", "99.50160229693434", "1.0E7". cap >= 32. */
void tw_fmt_java_double(double v, char *buf, size_t cap);
/* "dd/MM/yy HH:mm:ss" (UTC). cap >= 24. */
void tw_fmt_reason_date(int64_t ms, char *buf, size_t cap);
/* "yyyy-MM-dd'T'HH:mm:ss.SSS+0000" (UTC). cap >= 32. */
void tw_fmt_iso_date(int64_t ms, char *buf, size_t cap);
/* Epoch seconds as an awsJson timestamp number: "1700000000" or
 * "1700000000.123". cap >= 32. */
void tw_fmt_epoch_seconds(int64_t ms, char *buf, size_t cap);

/* JSON text writers on a tw_buf (return TW_OK or TW_ENOMEM). */
int tw_jw_raw(tw_buf *b, const char *s);
int tw_jw_str(tw_buf *b, const char *s);          /* quoted, escaped */
int tw_jw_str_or_null(tw_buf *b, const char *s);
int tw_jw_key(tw_buf *b, int *first, const char *key); /* ,"key": */
int tw_jw_double(tw_buf *b, double v);           /* Java style */
int tw_jw_int(tw_buf *b, long long v);
int tw_jw_strlist(tw_buf *b, const tw_alarm_strlist *l);
int tw_jw_dims(tw_buf *b, const tw_alarm_dim *d, size_t n); /* lower-case keys */
/* NUL-terminate and hand over the buffer's contents. */
int tw_jw_finish(tw_buf *b, char **out);

/* ---- misc ------------------------------------------------------------- */

/* Fill the transition part of a result (changed flag and actions) from
 * its state and prior. */
void tw_alarm_result_transition(const tw_alarm *a, tw_alarm_result *r);

/* A DescribeAlarmHistory item around HistoryData text (alarm_state.c). */
int tw_alarm_history_item(const tw_alarm *a, int64_t t, const char *type,
                          const char *summary, const char *data, char **out);

/* The alarm's ARN: the given AlarmArn, else built from region/account. */
int tw_alarm_arn_build(const tw_alarm *a, const char *region,
                       const char *account, char **out);
/* The actions list for a state. */
const tw_alarm_strlist *tw_alarm_actions_list(const tw_alarm *a,
                                              tw_alarm_state s);
char *tw_alarm_strdup(const char *s);

#endif /* TW_ALARM_INTERNAL_H */
