/*
 * cjson_count.c — benchmark peer: counts the events of an NDJSON file
 * matching each of the 15 CIS filters, parsing every line into a cJSON tree
 * and evaluating hand-written predicates (cis.h). Prints "name count" per
 * filter, like simdjson_count.
 * Usage: cjson_count FILE.ndjson   (- for standard input)
 */
#include <inttypes.h>
#include <stdio.h>

#include <cjson/cJSON.h>

#include "cis.h"
#include "lines.h"

struct state {
  uint64_t counts[PEER_NFILTERS];
  uint64_t events, invalid;
};

static peer_field classify(const cJSON *e) {
  peer_field f = {PK_OTHER, NULL, 0};
  if (cJSON_IsString(e)) {
    f.kind = PK_STRING;
    f.s = e->valuestring;
    f.n = strlen(e->valuestring); /* cJSON strings are NUL-terminated */
  } else if (cJSON_IsNumber(e)) {
    f.kind = PK_NUMBER;
  }
  return f;
}

/* Case-sensitive member lookup, as JSON keys are. */
static peer_field lookup(const cJSON *root, const char *k1, const char *k2) {
  peer_field absent = {PK_ABSENT, NULL, 0};
  const cJSON *e = cJSON_GetObjectItemCaseSensitive(root, k1);
  if (e && k2)
    e = cJSON_IsObject(e) ? cJSON_GetObjectItemCaseSensitive(e, k2) : NULL;
  return e ? classify(e) : absent;
}

static void on_line(const char *line, size_t len, void *ctx) {
  struct state *st = ctx;
  st->events++;
  cJSON *root = cJSON_ParseWithLength(line, len);
  if (!cJSON_IsObject(root)) { /* D14: not a JSON object, never matches */
    st->invalid++;
    cJSON_Delete(root);
    return;
  }
  peer_field f[F_COUNT];
  for (int i = 0; i < F_COUNT; i++)
    f[i] = lookup(root, peer_fields[i][0], peer_fields[i][1]);
  peer_cis_eval(f, st->counts);
  cJSON_Delete(root);
}

int main(int argc, char **argv) {
  if (argc != 2) {
    fprintf(stderr, "usage: cjson_count FILE.ndjson\n");
    return 2;
  }
  struct state st = {{0}, 0, 0};
  if (peer_for_each_line(argv[1], on_line, &st))
    return 1;
  for (int i = 0; i < PEER_NFILTERS; i++)
    printf("%s %" PRIu64 "\n", peer_filter_names[i], st.counts[i]);
  fprintf(stderr, "cjson_count: %" PRIu64 " events, %" PRIu64 " not JSON objects\n", st.events,
          st.invalid);
  return 0;
}
