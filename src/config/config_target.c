/*
 * config_target.c — notification targets: an alarm action ARN -> a list of
 * deliveries, each validated into a tw_delivery_def.
 *
 *   webhook  url (http/https), secret, timeout_ms, format (json|slack),
 *            headers (name: value), insecure
 *   command  argv (non-empty list of strings), timeout_ms
 *   file     path, fsync
 *   stdout   (nothing)
 *   email    to (a string or a list), from, subject_prefix, timeout_ms,
 *            sendmail
 *
 * Unknown keys and types are errors at their position. Targets come from a
 * file's `targets:` mapping (tw_cfg_target_build) or from an SNS topic of a
 * CloudFormation template, whose subscriptions config_cfn.c turns into
 * delivery objects of the same shape (tw_cfg_target_new + _add). Each
 * target keeps its deliveries as JSON too (tw_config_targets).
 *
 * Shared with the deliverers: tw_config_delivery_parse validates one
 * delivery object on its own (the live outbox keeps each row's delivery as
 * JSON) and tw_config_delivery_to_notify turns a definition into the
 * src/notify/ tw_delivery (scan --notify and the outbox workers).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config/config_internal.h"
#include "notify/notify.h"

#define TW_CFG_MAX_TIMEOUT_MS 3600000L
#define TW_CFG_MAX_HEADERS 64

static const char *const tw_types[] = {"webhook", "command", "file", "stdout", "email", NULL};

static const char *const tw_webhook_keys[] = {"type",   "url",     "secret",   "timeout_ms",
                                              "format", "headers", "insecure", NULL};
static const char *const tw_command_keys[] = {"type", "argv", "timeout_ms", NULL};
static const char *const tw_file_keys[] = {"type", "path", "fsync", NULL};
static const char *const tw_stdout_keys[] = {"type", NULL};
static const char *const tw_email_keys[] = {"type",       "to",       "from", "subject_prefix",
                                            "timeout_ms", "sendmail", NULL};

static void tw_cfg_strv_free(char **v, size_t n) {
  for (size_t i = 0; v && i < n; i++)
    free(v[i]);
  free(v);
}

static void tw_cfg_delivery_clear(tw_delivery_def *d) {
  free(d->url);
  free(d->secret);
  for (size_t i = 0; i < d->nheaders; i++) {
    free(d->headers[i].name);
    free(d->headers[i].value);
  }
  free(d->headers);
  tw_cfg_strv_free(d->header_lines, d->nheaders);
  tw_cfg_strv_free(d->argv, d->argc);
  free(d->path);
  tw_cfg_strv_free(d->to, d->nto);
  free(d->from);
  free(d->subject_prefix);
  free(d->sendmail);
  free(d->origin);
}

void tw_cfg_target_free(tw_cfg_target *t) {
  if (!t)
    return;
  for (size_t i = 0; i < t->def.ndeliveries; i++)
    tw_cfg_delivery_clear(&t->def.deliveries[i]);
  free(t->def.deliveries);
  free(t->def.arn);
  free(t->def.origin);
  json_decref(t->raw);
  free(t->problem);
  free(t->problem_where);
  free(t);
}

/* An optional non-empty string member, copied to *out. */
static int tw_cfg_opt_text(tw_cfg_ctx *c, const json_t *d, const char *key, char **out) {
  const json_t *v = tw_cfg_member(d, key);
  if (!v)
    return TW_OK;
  if (!json_is_string(v))
    return tw_cfg_fail_type(c, d, key, "a string", NULL);
  if (!json_string_length(v)) {
    tw_cfg_path_key(c, key);
    return tw_cfg_fail(c, tw_cfg_pos_of(c, d, key, 0, 0), "must not be empty");
  }
  return tw_cfg_dup(c, json_string_value(v), out);
}

static int tw_cfg_req_text(tw_cfg_ctx *c, const json_t *d, tw_cfg_pos dpos, const char *key,
                           char **out) {
  if (!tw_cfg_member(d, key))
    return tw_cfg_fail_missing(c, dpos, key);
  return tw_cfg_opt_text(c, d, key, out);
}

static int tw_cfg_timeout(tw_cfg_ctx *c, const json_t *d, long *out) {
  const json_t *v = tw_cfg_member(d, "timeout_ms");
  if (!v)
    return TW_OK;
  if (!json_is_integer(v))
    return tw_cfg_fail_type(c, d, "timeout_ms", "an integer (milliseconds)", NULL);
  json_int_t ms = json_integer_value(v);
  if (ms < 1 || ms > TW_CFG_MAX_TIMEOUT_MS) {
    tw_cfg_path_key(c, "timeout_ms");
    return tw_cfg_fail(c, tw_cfg_pos_of(c, d, "timeout_ms", 0, 0),
                       "must be between 1 and %ld, got %lld", TW_CFG_MAX_TIMEOUT_MS,
                       (long long)ms);
  }
  *out = (long)ms;
  return TW_OK;
}

static int tw_cfg_flag(tw_cfg_ctx *c, const json_t *d, const char *key, int *out) {
  const json_t *v = tw_cfg_member(d, key);
  if (!v)
    return TW_OK;
  if (!json_is_boolean(v))
    return tw_cfg_fail_type(c, d, key, "true or false", NULL);
  *out = json_is_true(v);
  return TW_OK;
}

static int tw_cfg_url_ok(const char *u) {
  size_t skip = !strncmp(u, "http://", 7) ? 7 : !strncmp(u, "https://", 8) ? 8 : 0;
  if (!skip || !u[skip] || u[skip] == '/' || u[skip] == ':')
    return 0;
  for (const unsigned char *p = (const unsigned char *)u; *p; p++)
    if (*p <= 0x20 || *p == 0x7f)
      return 0;
  return 1;
}

/* RFC 9110 token characters. */
static int tw_cfg_header_name_ok(const char *s) {
  if (!*s)
    return 0;
  for (; *s; s++)
    if (!((*s >= 'A' && *s <= 'Z') || (*s >= 'a' && *s <= 'z') || (*s >= '0' && *s <= '9') ||
          strchr("!#$%&'*+-.^_`|~", *s)))
      return 0;
  return 1;
}

static int tw_cfg_headers(tw_cfg_ctx *c, const json_t *d, tw_delivery_def *out) {
  const json_t *h = tw_cfg_member(d, "headers");
  if (!h)
    return TW_OK;
  if (!json_is_object(h))
    return tw_cfg_fail_type(c, d, "headers", "a mapping (header name: value)", NULL);
  size_t old = tw_cfg_path_key(c, "headers");
  if (json_object_size(h) > TW_CFG_MAX_HEADERS)
    return tw_cfg_fail(c, tw_cfg_pos_of(c, d, "headers", 0, 0), "at most %d headers, got %zu",
                       TW_CFG_MAX_HEADERS, json_object_size(h));
  out->headers = calloc(json_object_size(h) + 1, sizeof *out->headers);
  out->header_lines = calloc(json_object_size(h) + 1, sizeof *out->header_lines);
  if (!out->headers || !out->header_lines)
    return tw_cfg_nomem(c);
  const char *name;
  const json_t *v;
  json_object_foreach((json_t *)h, name, v) {
    if (!tw_cfg_header_name_ok(name)) {
      tw_cfg_path_key(c, name);
      return tw_cfg_fail(c, tw_cfg_pos_of(c, h, name, 0, 1), "not a valid HTTP header name");
    }
    if (!json_is_string(v))
      return tw_cfg_fail_type(c, h, name, "a string", NULL);
    if (strpbrk(json_string_value(v), "\r\n")) {
      tw_cfg_path_key(c, name);
      return tw_cfg_fail(c, tw_cfg_pos_of(c, h, name, 0, 0),
                         "header values must not contain line breaks");
    }
    tw_delivery_header *hd = &out->headers[out->nheaders];
    size_t len = strlen(name) + json_string_length(v) + 3;
    char *line = malloc(len);
    out->header_lines[out->nheaders++] = line;
    if (!line || tw_cfg_dup(c, name, &hd->name) || tw_cfg_dup(c, json_string_value(v), &hd->value))
      return tw_cfg_nomem(c);
    snprintf(line, len, "%s: %s", name, json_string_value(v));
  }
  tw_cfg_path_pop(c, old);
  return TW_OK;
}

static int tw_cfg_webhook(tw_cfg_ctx *c, const json_t *d, tw_cfg_pos dpos, tw_delivery_def *out) {
  int rc = tw_cfg_req_text(c, d, dpos, "url", &out->url);
  if (!rc && !tw_cfg_url_ok(out->url)) {
    tw_cfg_path_key(c, "url");
    return tw_cfg_fail(c, tw_cfg_pos_of(c, d, "url", 0, 0),
                       "expected an http:// or https:// URL with a host, without spaces");
  }
  if (!rc)
    rc = tw_cfg_opt_text(c, d, "secret", &out->secret);
  if (!rc)
    rc = tw_cfg_timeout(c, d, &out->timeout_ms);
  if (!rc)
    rc = tw_cfg_flag(c, d, "insecure", &out->insecure);
  const json_t *f = rc ? NULL : tw_cfg_member(d, "format");
  if (f) {
    const char *s = json_string_value(f);
    if (!s || (strcmp(s, "json") && strcmp(s, "slack"))) {
      tw_cfg_path_key(c, "format");
      return tw_cfg_fail(c, tw_cfg_pos_of(c, d, "format", 0, 0), "must be json or slack");
    }
    out->format = !strcmp(s, "slack") ? TW_WEBHOOK_SLACK : TW_WEBHOOK_JSON;
  }
  return rc ? rc : tw_cfg_headers(c, d, out);
}

/* A list of strings (or one string when one_ok) -> NULL-terminated copy. */
static int tw_cfg_strings(tw_cfg_ctx *c, const json_t *d, const char *key, int one_ok,
                          const char *what, char ***out, size_t *n) {
  const json_t *v = tw_cfg_member(d, key);
  size_t count = json_is_array(v) ? json_array_size(v) : 1;
  if (!json_is_array(v) && !(one_ok && json_is_string(v)))
    return tw_cfg_fail_type(c, d, key, what, NULL);
  if (!count) {
    tw_cfg_path_key(c, key);
    return tw_cfg_fail(c, tw_cfg_pos_of(c, d, key, 0, 0), "must not be empty");
  }
  if (!(*out = calloc(count + 1, sizeof **out)))
    return tw_cfg_nomem(c);
  size_t old = tw_cfg_path_key(c, key), base = c->plen;
  for (size_t i = 0; i < count; i++) {
    const json_t *s = json_is_array(v) ? json_array_get(v, i) : v;
    tw_cfg_pos pos = json_is_array(v) ? tw_cfg_pos_of(c, v, NULL, i, 0)
                                      : tw_cfg_pos_of(c, d, key, 0, 0);
    if (json_is_array(v))
      tw_cfg_path_index(c, i);
    if (!json_is_string(s))
      return tw_cfg_fail(c, pos, "expected a string, got %s", tw_cfg_type_name(s));
    if (tw_cfg_dup(c, json_string_value(s), &(*out)[i]))
      return TW_ENOMEM;
    *n = i + 1;
    tw_cfg_path_pop(c, base);
  }
  tw_cfg_path_pop(c, old);
  return TW_OK;
}

static int tw_cfg_command(tw_cfg_ctx *c, const json_t *d, tw_cfg_pos dpos, tw_delivery_def *out) {
  if (!tw_cfg_member(d, "argv"))
    return tw_cfg_fail_missing(c, dpos, "argv");
  int rc = tw_cfg_strings(c, d, "argv", 0, "a list of strings (program and arguments)",
                          &out->argv, &out->argc);
  if (!rc && !out->argv[0][0]) {
    tw_cfg_path_key(c, "argv");
    return tw_cfg_fail(c, tw_cfg_pos_of(c, d, "argv", 0, 0), "the program name is empty");
  }
  return rc ? rc : tw_cfg_timeout(c, d, &out->timeout_ms);
}

static int tw_cfg_address_ok(const char *a) {
  const char *at = strchr(a, '@');
  if (!at || at == a || !at[1] || strchr(at + 1, '@'))
    return 0;
  for (const unsigned char *p = (const unsigned char *)a; *p; p++)
    if (*p <= 0x20 || *p == 0x7f || *p == ',' || *p == '<' || *p == '>')
      return 0;
  return 1;
}

static int tw_cfg_email(tw_cfg_ctx *c, const json_t *d, tw_cfg_pos dpos, tw_delivery_def *out) {
  if (!tw_cfg_member(d, "to"))
    return tw_cfg_fail_missing(c, dpos, "to");
  int rc = tw_cfg_strings(c, d, "to", 1, "an address or a list of addresses", &out->to,
                          &out->nto);
  for (size_t i = 0; !rc && i < out->nto; i++)
    if (!tw_cfg_address_ok(out->to[i])) {
      const json_t *v = json_object_get(d, "to");
      tw_cfg_path_key(c, "to");
      if (json_is_array(v))
        tw_cfg_path_index(c, i);
      return tw_cfg_fail(c, json_is_array(v) ? tw_cfg_pos_of(c, v, NULL, i, 0)
                                             : tw_cfg_pos_of(c, d, "to", 0, 0),
                         "'%.80s' is not an e-mail address", out->to[i]);
    }
  if (!rc)
    rc = tw_cfg_opt_text(c, d, "from", &out->from);
  if (!rc && out->from && !tw_cfg_address_ok(out->from)) {
    tw_cfg_path_key(c, "from");
    return tw_cfg_fail(c, tw_cfg_pos_of(c, d, "from", 0, 0), "'%.80s' is not an e-mail address",
                       out->from);
  }
  if (!rc)
    rc = tw_cfg_opt_text(c, d, "subject_prefix", &out->subject_prefix);
  if (!rc)
    rc = tw_cfg_opt_text(c, d, "sendmail", &out->sendmail);
  return rc ? rc : tw_cfg_timeout(c, d, &out->timeout_ms);
}

static int tw_cfg_file(tw_cfg_ctx *c, const json_t *d, tw_cfg_pos dpos, tw_delivery_def *out) {
  int rc = tw_cfg_req_text(c, d, dpos, "path", &out->path);
  return rc ? rc : tw_cfg_flag(c, d, "fsync", &out->fsync);
}

/* The type member of delivery d: its index in tw_types. */
static int tw_cfg_delivery_type(tw_cfg_ctx *c, const json_t *d, tw_cfg_pos dpos, size_t *out) {
  const json_t *t = tw_cfg_member(d, "type");
  if (!t)
    return tw_cfg_fail(c, dpos,
                       "missing required key 'type' (webhook, command, file, stdout or email)");
  if (!json_is_string(t))
    return tw_cfg_fail_type(c, d, "type", "a string", NULL);
  for (size_t i = 0; tw_types[i]; i++)
    if (!strcmp(json_string_value(t), tw_types[i])) {
      *out = i;
      return TW_OK;
    }
  tw_cfg_path_key(c, "type");
  return tw_cfg_fail(c, tw_cfg_pos_of(c, d, "type", 0, 0),
                     "unknown delivery type '%.40s' (webhook, command, file, stdout or email)",
                     json_string_value(t));
}

static int tw_cfg_delivery(tw_cfg_ctx *c, const json_t *d, tw_cfg_pos dpos, tw_delivery_def *out) {
  static const char *const *const keys[] = {tw_webhook_keys, tw_command_keys, tw_file_keys,
                                            tw_stdout_keys, tw_email_keys};
  static const char *const what[] = {"a webhook delivery", "a command delivery",
                                     "a file delivery", "a stdout delivery",
                                     "an email delivery"};
  if (!json_is_object(d))
    return tw_cfg_fail(c, dpos, "expected a mapping (a delivery with a type), got %s",
                       tw_cfg_type_name(d));
  size_t type = 0;
  int rc = tw_cfg_delivery_type(c, d, dpos, &type);
  if (!rc)
    rc = tw_cfg_check_keys(c, d, keys[type], 7, what[type]);
  if (rc)
    return rc;
  out->type = (tw_target_type)type;
  out->type_name = tw_types[type];
  if (!(out->origin = tw_cfg_origin(c, dpos)))
    return tw_cfg_nomem(c);
  switch (out->type) {
  case TW_TARGET_WEBHOOK: return tw_cfg_webhook(c, d, dpos, out);
  case TW_TARGET_COMMAND: return tw_cfg_command(c, d, dpos, out);
  case TW_TARGET_FILE: return tw_cfg_file(c, d, dpos, out);
  case TW_TARGET_EMAIL: return tw_cfg_email(c, d, dpos, out);
  default: return TW_OK;
  }
}

int tw_cfg_target_add(tw_cfg_ctx *c, tw_cfg_target *t, const json_t *d, tw_cfg_pos dpos) {
  tw_delivery_def *nd =
      realloc(t->def.deliveries, (t->def.ndeliveries + 1) * sizeof *t->def.deliveries);
  if (!nd)
    return tw_cfg_nomem(c);
  t->def.deliveries = nd;
  tw_delivery_def *out = &nd[t->def.ndeliveries++];
  memset(out, 0, sizeof *out);
  int rc = tw_cfg_delivery(c, d, dpos, out);
  if (!rc && json_array_append(t->raw, (json_t *)d))
    rc = tw_cfg_nomem(c);
  return rc;
}

/* "arn:partition:service:region:account:resource" (at least 5 colons). */
static int tw_cfg_arn_like(const char *s) {
  size_t colons = 0;
  for (const char *p = s; *p; p++)
    colons += *p == ':';
  return !strncmp(s, "arn:", 4) && colons >= 5;
}

int tw_cfg_target_new(tw_cfg_ctx *c, const char *arn, tw_cfg_pos pos, tw_cfg_target **out) {
  tw_cfg_target *t = calloc(1, sizeof *t);
  if (!t)
    return tw_cfg_nomem(c);
  t->raw = json_array();
  t->def.origin = tw_cfg_origin(c, pos);
  if (!t->raw || !t->def.origin || tw_cfg_dup(c, arn, &t->def.arn)) {
    tw_cfg_target_free(t);
    return tw_cfg_nomem(c);
  }
  *out = t;
  return TW_OK;
}

int tw_cfg_target_build(tw_cfg_ctx *c, const char *arn, const json_t *list, tw_cfg_pos pos,
                        tw_cfg_target **out) {
  if (!tw_cfg_arn_like(arn))
    return tw_cfg_fail(c, pos, "'%.80s' is not an ARN (arn:partition:service:region:account:...)",
                       arn);
  if (!json_is_array(list))
    return tw_cfg_fail(c, pos, "expected a list of deliveries, got %s", tw_cfg_type_name(list));
  tw_cfg_target *t = NULL;
  int rc = tw_cfg_target_new(c, arn, pos, &t);
  for (size_t i = 0; !rc && i < json_array_size(list); i++) {
    size_t old = tw_cfg_path_index(c, i);
    rc = tw_cfg_target_add(c, t, json_array_get(list, i), tw_cfg_pos_of(c, list, NULL, i, 0));
    if (!rc)
      tw_cfg_path_pop(c, old);
  }
  if (rc) {
    tw_cfg_target_free(t);
    return rc;
  }
  *out = t;
  return TW_OK;
}

/* ---- one delivery on its own, and its src/notify/ form ---- */

int tw_config_delivery_parse(const json_t *d, const char *name, tw_delivery_def *out,
                             tw_error *err) {
  tw_cfg_ctx c;
  memset(&c, 0, sizeof c);
  memset(out, 0, sizeof *out);
  c.name = name ? name : "delivery";
  c.err = err;
  if (tw_cfg_posmap_new(&c.pm))
    return tw_error_set(err, TW_ENOMEM, 0, "out of memory");
  int rc = tw_cfg_delivery(&c, d, tw_cfg_posmap_root(c.pm), out);
  tw_cfg_posmap_free(c.pm);
  if (rc)
    tw_config_delivery_clear(out);
  return rc;
}

void tw_config_delivery_clear(tw_delivery_def *d) {
  if (!d)
    return;
  tw_cfg_delivery_clear(d);
  memset(d, 0, sizeof *d);
}

void tw_config_delivery_to_notify(const tw_delivery_def *d, struct tw_delivery *out) {
  memset(out, 0, sizeof *out);
  out->type = (tw_delivery_type)d->type; /* same order (config.h) */
  out->url = d->url;
  out->secret = d->secret;
  out->format_slack = d->format == TW_WEBHOOK_SLACK;
  out->timeout_ms = d->timeout_ms;
  out->headers = (const char *const *)d->header_lines;
  out->nheaders = d->nheaders;
  out->insecure = d->insecure;
  out->argv = (const char *const *)d->argv;
  out->argc = d->argc;
  out->path = d->path;
  out->fsync = d->fsync;
  out->to = (const char *const *)d->to;
  out->nto = d->nto;
  out->from = d->from;
  out->subject_prefix = d->subject_prefix;
  out->sendmail = d->sendmail;
}
