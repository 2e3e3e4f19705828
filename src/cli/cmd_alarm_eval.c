/*
 * cmd_alarm_eval.c — `trailwatch alarm-eval`: evaluates one CloudWatch
 * alarm (PutMetricAlarm / describe-alarms JSON) over a series of period
 * values and prints the resulting state with CloudWatch's exact
 * StateReason, to answer "why did (or didn't) my alarm fire?". A thin
 * shell over tw_alarm_parse / tw_alarm_evaluate (src/alarm/).
 */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <jansson.h>

#include "cli/cli.h"
#include "trailwatch.h"

static const char usage_text[] =
    "usage: trailwatch alarm-eval --alarm ALARM.json --values VALUES.json\n"
    "                             [--prior-state STATE] [--time ISO8601]\n"
    "                             [--format text|json]\n"
    "\n"
    "Evaluate one CloudWatch metric alarm the way CloudWatch does and print\n"
    "the resulting state and its StateReason.\n"
    "\n"
    "  --alarm FILE        the alarm: a PutMetricAlarm input object (PascalCase),\n"
    "                      one describe-alarms MetricAlarms entry, or a\n"
    "                      describe-alarms output holding one alarm ('-' = stdin)\n"
    "  --values FILE       JSON array, one entry per period, oldest first; the\n"
    "                      last entry is the period that just ended. Each entry\n"
    "                      is a number, null (no data), or\n"
    "                      {\"value\": number|null, \"sampleCount\": number}\n"
    "  --prior-state S     OK, ALARM or INSUFFICIENT_DATA: the state before this\n"
    "                      evaluation (default: the alarm's StateValue if the file\n"
    "                      has one, else INSUFFICIENT_DATA, as for a new alarm)\n"
    "  --time T            evaluation time, ISO-8601 (e.g. 2024-03-16T12:16:45Z);\n"
    "                      the last period ends at T truncated to the minute (to\n"
    "                      10 s for 10/20/30-second periods). Default: now\n"
    "  --format F          text (default) or json:\n"
    "                      {\"StateValue\":..,\"StateReason\":..,\"StateReasonData\":{..}}\n"
    "\n"
    "Exit status: 0 evaluated, 2 invalid input (the message names the field),\n"
    "3 failure. See docs/alarms.md.\n";

struct opts {
  const char *alarm_path, *values_path, *prior, *time_text, *format;
};

static int usage_error(const char *msg, const char *arg) {
  fprintf(stderr, "trailwatch alarm-eval: %s%s\n", msg, arg ? arg : "");
  fprintf(stderr, "Run `trailwatch alarm-eval --help` for usage.\n");
  return TW_EXIT_USAGE;
}

/* Returns -1 to go on, else an exit status. */
static int parse_args(int argc, char **argv, struct opts *o) {
  for (int i = 1; i < argc; i++) {
    const char *a = argv[i];
    const char **slot = !strcmp(a, "--alarm")         ? &o->alarm_path
                        : !strcmp(a, "--values")      ? &o->values_path
                        : !strcmp(a, "--prior-state") ? &o->prior
                        : !strcmp(a, "--time")        ? &o->time_text
                        : !strcmp(a, "--format")      ? &o->format
                                                      : NULL;
    if (!strcmp(a, "--help") || !strcmp(a, "-h")) {
      fputs(usage_text, stdout);
      return TW_EXIT_OK;
    }
    if (!slot)
      return usage_error("unknown argument: ", a);
    if (i + 1 >= argc)
      return usage_error("missing value after ", a);
    *slot = argv[++i];
  }
  if (!o->alarm_path)
    return usage_error("--alarm is required", NULL);
  if (!o->values_path)
    return usage_error("--values is required", NULL);
  if (o->format && strcmp(o->format, "text") && strcmp(o->format, "json"))
    return usage_error("--format must be text or json, not ", o->format);
  return -1;
}

static char *read_all(const char *path, size_t *len) {
  FILE *f = strcmp(path, "-") ? fopen(path, "rb") : stdin;
  if (!f)
    return NULL;
  size_t cap = 4096, n = 0;
  char *buf = malloc(cap);
  while (buf) {
    n += fread(buf + n, 1, cap - n, f);
    if (n < cap)
      break;
    char *nb = realloc(buf, cap * 2);
    if (!nb) {
      free(buf);
      buf = NULL;
      break;
    }
    buf = nb;
    cap *= 2;
  }
  int bad = ferror(f);
  if (f != stdin)
    fclose(f);
  if (bad) {
    free(buf);
    return NULL;
  }
  *len = n;
  return buf;
}

typedef struct series {
  double *values, *samples;
  size_t n;
  int has_samples;
} series;

static int values_error(const char *path, size_t i, const char *what) {
  fprintf(stderr, "trailwatch alarm-eval: %s: values[%zu]: %s\n", path, i,
          what);
  return TW_EXIT_USAGE;
}

static int read_entry(const char *path, size_t i, json_t *e, series *s) {
  s->values[i] = NAN;
  s->samples[i] = NAN;
  if (json_is_null(e))
    return -1;
  if (json_is_number(e)) {
    s->values[i] = json_number_value(e);
    return -1;
  }
  if (!json_is_object(e))
    return values_error(path, i, "must be a number, null or "
                                 "{\"value\": ..., \"sampleCount\": ...}");
  json_t *v = json_object_get(e, "value"), *c = json_object_get(e, "sampleCount");
  if (!v || !(json_is_null(v) || json_is_number(v)))
    return values_error(path, i, "\"value\" must be a number or null");
  if (c && (!json_is_number(c) || json_number_value(c) < 0))
    return values_error(path, i, "\"sampleCount\" must be a number >= 0");
  if (json_is_number(v))
    s->values[i] = json_number_value(v);
  if (c) {
    s->samples[i] = json_number_value(c);
    s->has_samples = 1;
  }
  return -1;
}

static int load_values(const char *path, series *s) {
  size_t len = 0;
  char *text = read_all(path, &len);
  if (!text) {
    fprintf(stderr, "trailwatch alarm-eval: %s: %s\n", path, strerror(errno));
    return TW_EXIT_USAGE;
  }
  json_error_t je;
  json_t *root = json_loadb(text, len, JSON_DECODE_ANY, &je);
  free(text);
  if (!root || !json_is_array(root)) {
    if (root)
      fprintf(stderr, "trailwatch alarm-eval: %s: values: must be a JSON array\n",
              path);
    else
      fprintf(stderr, "trailwatch alarm-eval: %s: values: invalid JSON at line "
              "%d, column %d: %s\n", path, je.line, je.column, je.text);
    json_decref(root);
    return TW_EXIT_USAGE;
  }
  s->n = json_array_size(root);
  s->values = calloc(s->n + 1, sizeof *s->values);
  s->samples = calloc(s->n + 1, sizeof *s->samples);
  int rc = s->values && s->samples ? -1 : TW_EXIT_FAILURE;
  for (size_t i = 0; rc < 0 && i < s->n; i++)
    rc = read_entry(path, i, json_array_get(root, i), s);
  json_decref(root);
  return rc;
}

static int load_alarm(const char *path, tw_alarm **out) {
  size_t len = 0;
  char *text = read_all(path, &len);
  if (!text) {
    fprintf(stderr, "trailwatch alarm-eval: %s: %s\n", path, strerror(errno));
    return TW_EXIT_USAGE;
  }
  tw_error err = {0};
  int rc = tw_alarm_parse(text, len, out, &err);
  free(text);
  if (rc == TW_ENOMEM)
    return TW_EXIT_FAILURE;
  if (rc) {
    fprintf(stderr, "trailwatch alarm-eval: %s: %s\n", path, err.message);
    return TW_EXIT_USAGE;
  }
  return -1;
}

static int64_t now_ms(void) {
  struct timespec ts;
  clock_gettime(CLOCK_REALTIME, &ts);
  return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* JSON string with the minimal escapes. */
static void print_json_string(const char *s) {
  putchar('"');
  for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
    if (*p == '"' || *p == '\\')
      printf("\\%c", *p);
    else if (*p < 0x20)
      printf("\\u%04x", *p);
    else
      putchar(*p);
  }
  putchar('"');
}

static void print_json(const tw_alarm_result *r) {
  printf("{\"StateValue\":\"%s\",\"StateReason\":", tw_alarm_state_name(r->state));
  if (r->reason)
    print_json_string(r->reason);
  else
    fputs("null", stdout);
  printf(",\"StateReasonData\":%s}\n", r->reason_data ? r->reason_data : "null");
}

static void print_text(const tw_alarm_result *r) {
  printf("StateValue: %s\n", tw_alarm_state_name(r->state));
  if (r->retained)
    printf("StateReason: (unchanged) %s\n", r->note ? r->note : "");
  else
    printf("StateReason: %s\nStateReasonData: %s\n", r->reason, r->reason_data);
  if (r->changed)
    printf("Transition: %s -> %s\n", tw_alarm_state_name(r->prior),
           tw_alarm_state_name(r->state));
  else
    printf("Transition: none (stays %s; actions run only on transitions)\n",
           tw_alarm_state_name(r->state));
  if (r->changed) {
    printf("Actions:%s\n", r->nactions ? "" : " none");
    for (size_t i = 0; i < r->nactions; i++)
      printf("  %s\n", r->actions[i]);
  }
}

static int resolve_inputs(const struct opts *o, const tw_alarm *a,
                          tw_alarm_state *prior, int64_t *t) {
  *prior = TW_ALARM_INSUFFICIENT_DATA;
  tw_alarm_get_input_state(a, prior);
  if (o->prior && tw_alarm_state_parse(o->prior, prior) != TW_OK)
    return usage_error("--prior-state must be OK, ALARM or INSUFFICIENT_DATA, "
                       "not ", o->prior);
  *t = now_ms();
  if (o->time_text && tw_alarm_parse_time(o->time_text, t) != TW_OK)
    return usage_error("--time must be ISO-8601 like 2024-03-16T12:16:45Z, "
                       "not ", o->time_text);
  return -1;
}

static int run(const struct opts *o, tw_alarm *a, const series *s) {
  tw_alarm_state prior;
  int64_t t;
  int rc = resolve_inputs(o, a, &prior, &t);
  if (rc >= 0)
    return rc;
  tw_alarm_result r;
  if (tw_alarm_evaluate_ex(a, s->values, s->has_samples ? s->samples : NULL,
                           s->n, prior, t, &r) != TW_OK) {
    fprintf(stderr, "trailwatch alarm-eval: out of memory\n");
    return TW_EXIT_FAILURE;
  }
  if (o->format && !strcmp(o->format, "json"))
    print_json(&r);
  else
    print_text(&r);
  tw_alarm_result_clear(&r);
  return TW_EXIT_OK;
}

int tw_cmd_alarm_eval(int argc, char **argv) {
  struct opts o = {0};
  int rc = parse_args(argc, argv, &o);
  if (rc >= 0)
    return rc;
  tw_alarm *a = NULL;
  series s = {0};
  rc = load_alarm(o.alarm_path, &a);
  if (rc < 0)
    rc = load_values(o.values_path, &s);
  if (rc < 0)
    rc = run(&o, a, &s);
  tw_alarm_free(a);
  free(s.values);
  free(s.samples);
  return rc;
}
