/*
 * config_sources.c — one configuration from what a command line names:
 * --parameter K=V values, --rules packs (NAME.yaml in the rules
 * directory) and --config files, loaded in that order into one tw_config
 * and finished (references checked). Shared by `scan` and `serve` (start
 * and SIGHUP reload), so both accept exactly the same inputs.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "config/config.h"
#include "util/util.h"

static int tw_cfg_params(tw_config *cfg, const tw_config_sources *s, tw_error *err) {
  for (size_t i = 0; i < s->nparams; i++) {
    const char *kv = s->params[i];
    const char *eq = strchr(kv, '=');
    if (!eq || eq == kv)
      return tw_error_set(err, TW_EINVAL, 0, "--parameter needs K=V, got '%s'", kv);
    char *name = strndup(kv, (size_t)(eq - kv));
    int rc = name ? tw_config_set_parameter(cfg, name, eq + 1) : TW_ENOMEM;
    free(name);
    if (rc == TW_ENOMEM)
      return tw_error_set(err, rc, 0, "out of memory");
    if (rc)
      return tw_error_set(err, rc, 0, "--parameter: '%s' is not a valid parameter name", kv);
  }
  return TW_OK;
}

/* One --rules value: a comma-separated list of pack names. */
static int tw_cfg_rules(tw_config *cfg, const char *dir, const char *list, tw_error *err) {
  char *copy = strdup(list), *save = NULL;
  int rc = copy ? TW_OK : tw_error_set(err, TW_ENOMEM, 0, "out of memory");
  for (char *name = copy ? strtok_r(copy, ",", &save) : NULL; !rc && name;
       name = strtok_r(NULL, ",", &save)) {
    if (strchr(name, '/') || name[0] == '.') {
      rc = tw_error_set(err, TW_EINVAL, 0, "--rules: '%s' is not a rule pack name", name);
      break;
    }
    char path[4096];
    snprintf(path, sizeof path, "%s/%s.yaml", dir, name);
    if (access(path, R_OK) != 0) {
      rc = tw_error_set(err, TW_EINVAL, 0, "--rules: no rule pack '%s' (looked for %s)", name,
                        path);
      break;
    }
    rc = tw_config_load(cfg, path, err);
  }
  free(copy);
  return rc;
}

int tw_config_load_sources(const tw_config_sources *s, tw_config **out, tw_error *err) {
  tw_config *cfg = NULL;
  if (tw_config_new(&cfg))
    return tw_error_set(err, TW_ENOMEM, 0, "out of memory");
  const char *dir = getenv("TRAILWATCH_RULES");
  if (!dir || !*dir)
    dir = s->rules_dir ? s->rules_dir : "rules";
  int rc = tw_cfg_params(cfg, s, err);
  for (size_t i = 0; !rc && i < s->nrules; i++)
    rc = tw_cfg_rules(cfg, dir, s->rules[i], err);
  for (size_t i = 0; !rc && i < s->nconfigs; i++)
    rc = tw_config_load(cfg, s->configs[i], err);
  if (!rc)
    rc = tw_config_finish(cfg, err);
  if (rc) {
    tw_config_free(cfg);
    return rc;
  }
  *out = cfg;
  return TW_OK;
}

int tw_config_sources_describe(const tw_config_sources *s, char *buf, size_t cap) {
  size_t n = 0;
  buf[0] = '\0';
  for (size_t i = 0; i < s->nrules && n < cap; i++)
    n += (size_t)snprintf(buf + n, cap - n, "%srules:%s", n ? "," : "", s->rules[i]);
  for (size_t i = 0; i < s->nconfigs && n < cap; i++)
    n += (size_t)snprintf(buf + n, cap - n, "%s%s", n ? "," : "", s->configs[i]);
  return n < cap ? TW_OK : TW_ELIMIT;
}
