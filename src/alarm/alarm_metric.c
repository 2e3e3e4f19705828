/*
 * alarm_metric.c — which metric a single-metric alarm watches, and with
 * which statistic, so the metrics layer (src/metrics/) can answer the
 * alarm's queries: used by backtests (src/backtest/) and the server.
 */
#include "alarm/alarm.h"

int tw_alarm_get_metric(const tw_alarm *a, const char **ns, const char **name,
                        const char **unit, const char **statistic, size_t *ndims) {
  if (!a->metric_name || !a->ns)
    return TW_ENOTFOUND; /* a metric-math alarm */
  *ns = a->ns;
  *name = a->metric_name;
  *unit = a->unit;
  *statistic = a->statistic ? a->statistic : a->extended_statistic;
  *ndims = a->ndims;
  return TW_OK;
}

int tw_alarm_get_dimension(const tw_alarm *a, size_t i, const char **name, const char **value) {
  if (i >= a->ndims)
    return TW_ENOTFOUND;
  *name = a->dims[i].name;
  *value = a->dims[i].value;
  return TW_OK;
}
