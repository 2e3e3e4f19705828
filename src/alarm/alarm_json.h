/*
 * alarm_json.h — typed field readers over jansson objects for the alarm
 * parser (internal to src/alarm/). Each reader validates one member and,
 * on failure, fills the error with "<path>: <what is wrong>" and records
 * the CloudWatch error code a server should return.
 */
#ifndef TW_ALARM_JSON_H
#define TW_ALARM_JSON_H

#include <jansson.h>

#include "alarm/alarm.h"

#define TW_AWS_INVALID_VALUE "InvalidParameterValue"
#define TW_AWS_MISSING "MissingParameter"
#define TW_AWS_COMBINATION "InvalidParameterCombination"
#define TW_AWS_VALIDATION "ValidationError"
#define TW_AWS_INVALID_FORMAT "InvalidFormat"

typedef struct tw_jctx {
  char prefix[96];      /* path of the object being read, e.g. "Metrics[1]." */
  tw_error *err;
  const char *aws_code; /* code of the last failure */
} tw_jctx;

/* Record a failure of field key (under the current prefix). */
int tw_jfail(tw_jctx *c, const char *aws_code, const char *key,
             const char *fmt, ...) __attribute__((format(printf, 4, 5)));

int tw_jhas_control(const char *s);

/* out may be NULL (validate only); *out stays NULL when absent. Lengths
 * are in characters. */
int tw_jget_string(tw_jctx *c, json_t *o, const char *key, size_t minlen,
                   size_t maxlen, int required, char **out);
int tw_jget_bool(tw_jctx *c, json_t *o, const char *key, int *out);
int tw_jget_int(tw_jctx *c, json_t *o, const char *key, int required,
                long long *out, int *present);
int tw_jget_number(tw_jctx *c, json_t *o, const char *key, int required,
                   double *out, int *present);
int tw_jget_enum(tw_jctx *c, json_t *o, const char *key,
                 const char *const *names, int required, int *idx,
                 int *present);
/* Period: 10, 20, 30 or a multiple of 60. */
int tw_jget_period(tw_jctx *c, json_t *o, const char *key, int required,
                   int *out);
int tw_jget_actions(tw_jctx *c, json_t *o, const char *key,
                    tw_alarm_strlist *out);
int tw_jget_dims(tw_jctx *c, json_t *o, const char *key, size_t max,
                 tw_alarm_dim **out, size_t *n);
/* Epoch seconds (number) or ISO-8601 text. present may be NULL. */
int tw_jget_time(tw_jctx *c, json_t *o, const char *key, int64_t *out_ms,
                 int *present);

/* Metrics (metric-math alarms), alarm_queries.c. */
int tw_alarm_parse_queries(tw_jctx *c, json_t *metrics, tw_alarm *a);

#endif /* TW_ALARM_JSON_H */
