/*
 * config_doc.c — turn a configuration file's bytes into a jansson tree plus
 * (when available) the source position of every value.
 *
 * The format is detected from the content, not the file name: after an
 * optional UTF-8 byte-order mark and blanks, '{' or '[' means JSON,
 * anything else YAML. JSON is parsed by jansson (exact JSON semantics,
 * duplicate keys rejected, syntax errors with line:column). jansson keeps
 * no positions, so the same bytes are then read by the YAML reader (JSON is
 * nearly a YAML subset); when that yields an identical tree its positions
 * are used, otherwise semantic errors in that file name only the field path
 * ("FILE: metricFilters[0].filterName: ...").
 */
#include <string.h>

#include "config/config_internal.h"
#include "util/util.h"

static size_t tw_cfg_skip_blank(const char *data, size_t len) {
  size_t i = 0;
  if (len >= 3 && !memcmp(data, "\xEF\xBB\xBF", 3))
    i = 3;
  while (i < len && (data[i] == ' ' || data[i] == '\t' || data[i] == '\r' || data[i] == '\n'))
    i++;
  return i;
}

/* Positions for a JSON document: the YAML reading of the same bytes when
 * it gives the same tree (*jroot is then replaced by it). */
static int tw_cfg_json_positions(const char *data, size_t len, json_t **jroot,
                                 tw_cfg_posmap **pm) {
  tw_cfg_posmap *ypm = NULL;
  json_t *yroot = NULL;
  tw_error scratch = {0};
  int rc = tw_cfg_posmap_new(&ypm);
  if (rc)
    return rc;
  rc = tw_cfg_yaml_parse("", data, len, ypm, &yroot, &scratch);
  if (rc == TW_ENOMEM) {
    tw_cfg_posmap_free(ypm);
    return rc;
  }
  if (rc || !yroot || !json_equal(yroot, *jroot)) {
    json_decref(yroot);
    tw_cfg_posmap_free(ypm);
    return TW_OK; /* no positions for this file */
  }
  json_decref(*jroot);
  *jroot = yroot;
  *pm = ypm;
  return TW_OK;
}

static int tw_cfg_json_parse(const char *name, const char *data, size_t len, json_t **root,
                             tw_cfg_posmap **pm, tw_error *err) {
  size_t skip = len >= 3 && !memcmp(data, "\xEF\xBB\xBF", 3) ? 3 : 0;
  json_error_t je;
  json_t *j = json_loadb(data + skip, len - skip, JSON_REJECT_DUPLICATES, &je);
  if (!j && json_error_code(&je) == json_error_out_of_memory)
    return tw_error_set(err, TW_ENOMEM, 0, "%s: out of memory", name);
  if (!j && je.line > 0)
    return tw_error_set(err, TW_EINVAL, 0, "%s:%d:%d: invalid JSON: %s", name, je.line,
                        je.column, je.text);
  if (!j)
    return tw_error_set(err, TW_EINVAL, 0, "%s: invalid JSON: %s", name, je.text);
  int rc = tw_cfg_json_positions(data, len, &j, pm);
  if (rc) {
    json_decref(j);
    return tw_error_set(err, rc, 0, "%s: out of memory", name);
  }
  *root = j;
  return TW_OK;
}

int tw_cfg_doc_parse(const char *name, const char *data, size_t len, json_t **root,
                     tw_cfg_posmap **pm, tw_error *err) {
  *root = NULL;
  *pm = NULL;
  size_t i = tw_cfg_skip_blank(data, len);
  if (i < len && (data[i] == '{' || data[i] == '['))
    return tw_cfg_json_parse(name, data, len, root, pm, err);
  tw_cfg_posmap *ypm = NULL;
  json_t *y = NULL;
  int rc = tw_cfg_posmap_new(&ypm);
  if (rc)
    return tw_error_set(err, rc, 0, "%s: out of memory", name);
  rc = tw_cfg_yaml_parse(name, data, len, ypm, &y, err);
  if (!rc && !y)
    rc = tw_error_set(err, TW_EINVAL, 0,
                      "%s: the file is empty: expected a mapping with metricFilters, "
                      "MetricAlarms or targets",
                      name);
  if (rc) {
    tw_cfg_posmap_free(ypm);
    return rc;
  }
  *root = y;
  *pm = ypm;
  return TW_OK;
}
