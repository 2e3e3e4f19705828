/*
 * fuzz_config.c — libFuzzer target for the configuration loader
 * (src/config/): trailwatch files, describe outputs and CloudFormation
 * templates, in YAML or JSON.
 *
 * Each input is loaded with tw_config_load_buffer under a name ending in
 * .json when its first non-blank byte is '{' or '[' (the loader itself looks
 * at the content, the name only shows in messages), else .yaml. A few
 * parameters are set first so that ${Name} and template parameters resolve.
 * Checked: the status is one the API documents; a failure leaves the
 * configuration empty and names the file; a success gives compiled
 * filters and alarms, consistent targets, and tw_config_finish answers;
 * loading the same input again either fails without changing anything or
 * succeeds (a file without names).
 *
 *   clang -g -O1 -fsanitize=fuzzer,address,undefined -D_GNU_SOURCE \
 *     -Iinclude -Isrc -I/usr/include/hs fuzz/fuzz_config.c \
 *     $(find src/config src/pattern src/json src/util src/alarm src/engine -name '*.c') \
 *     $(pkg-config --cflags --libs jansson libhs yaml-0.1) -lstdc++ -lm -lpthread \
 *     -o /tmp/fuzz_config
 *   /tmp/fuzz_config -max_total_time=120 fuzz/corpus/config
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "config/config.h"

static void fuzz_check(int cond) {
  if (!cond)
    __builtin_trap();
}

typedef struct fuzz_counts {
  size_t filters, alarms, targets, rules;
} fuzz_counts;

static fuzz_counts fuzz_count(const tw_config *cfg) {
  fuzz_counts c = {tw_config_metric_filter_count(cfg), tw_config_alarm_count(cfg),
                   tw_config_target_count(cfg), tw_config_rule_count(cfg)};
  return c;
}

static const char *fuzz_name(const uint8_t *data, size_t size) {
  size_t i = size >= 3 && !memcmp(data, "\xEF\xBB\xBF", 3) ? 3 : 0;
  while (i < size && (data[i] == ' ' || data[i] == '\t' || data[i] == '\r' || data[i] == '\n'))
    i++;
  return i < size && (data[i] == '{' || data[i] == '[') ? "fuzz.json" : "fuzz.yaml";
}

static int fuzz_status_ok(int rc) {
  return rc == TW_OK || rc == TW_EINVAL || rc == TW_ENOMEM || rc == TW_ELIMIT;
}

/* Everything a successful load hands out is usable. */
static void fuzz_check_loaded(tw_config *cfg) {
  for (size_t i = 0; i < tw_config_metric_filter_count(cfg); i++) {
    const tw_metric_filter_def *d = tw_config_metric_filter(cfg, i);
    fuzz_check(d && d->pattern && d->transform && d->origin && d->filter_name);
  }
  for (size_t i = 0; i < tw_config_alarm_count(cfg); i++) {
    const char *origin = NULL;
    fuzz_check(json_is_object(tw_config_alarm(cfg, i, &origin)) && origin);
    fuzz_check(tw_config_alarm_compiled(cfg, i) != NULL);
  }
  const json_t *tj = tw_config_targets(cfg);
  fuzz_check(json_object_size(tj) == tw_config_target_count(cfg));
  for (size_t i = 0; i < tw_config_target_count(cfg); i++) {
    const tw_target_def *t = tw_config_target(cfg, i);
    fuzz_check(t && t->arn && tw_config_target_find(cfg, t->arn) == t);
    fuzz_check(json_array_size(json_object_get(tj, t->arn)) == t->ndeliveries);
    for (size_t k = 0; k < t->ndeliveries; k++)
      fuzz_check(t->deliveries[k].type_name && t->deliveries[k].origin);
  }
  for (size_t i = 0; i < tw_config_rule_count(cfg); i++) {
    const tw_rule_def *r = tw_config_rule(cfg, i);
    fuzz_check(r && r->name && r->filter_name && r->severity_name);
  }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  const char *name = fuzz_name(data, size);
  tw_config *cfg = NULL;
  if (tw_config_new(&cfg))
    return 0;
  tw_config_set_parameter(cfg, "Env", "dev");
  tw_config_set_parameter(cfg, "AWS::Region", "eu-west-1");
  tw_error err;
  memset(&err, 0, sizeof err);
  int rc = tw_config_load_buffer(cfg, name, (const char *)data, size, &err);
  fuzz_check(fuzz_status_ok(rc));
  fuzz_counts empty = {0, 0, 0, 0}, first = fuzz_count(cfg);
  if (rc) {
    fuzz_check(!memcmp(&first, &empty, sizeof first));
    fuzz_check(rc == TW_ENOMEM || !strncmp(err.message, name, strlen(name)));
    tw_config_free(cfg);
    return 0;
  }
  fuzz_check_loaded(cfg);
  rc = tw_config_finish(cfg, &err);
  fuzz_check(rc == TW_OK || rc == TW_EINVAL);
  rc = tw_config_load_buffer(cfg, name, (const char *)data, size, &err);
  fuzz_check(fuzz_status_ok(rc));
  fuzz_counts second = fuzz_count(cfg);
  if (rc)
    fuzz_check(!memcmp(&first, &second, sizeof first));
  else
    fuzz_check(!first.filters && !first.alarms && !first.rules);
  fuzz_check_loaded(cfg);
  tw_config_free(cfg);
  return 0;
}
