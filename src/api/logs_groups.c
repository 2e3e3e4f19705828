/*
 * logs_groups.c — CloudWatch Logs log groups and log streams:
 * Create/Delete/DescribeLogGroups, Create/Delete/DescribeLogStreams,
 * Put/DeleteRetentionPolicy. Names are validated with the service's
 * patterns; listings are ASCII-sorted and paginated with opaque tokens.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/api_internal.h"

static const char tw_not_found_group[] = "The specified log group does not exist.";

static int tw_group_name_ok(const char *s) {
  for (; *s; s++)
    if (!strchr("._-/#", *s) && !((*s >= 'a' && *s <= 'z') ||
                                   (*s >= 'A' && *s <= 'Z') ||
                                   (*s >= '0' && *s <= '9')))
      return 0;
  return 1;
}

static int tw_check_group_name(tw_api_ctx *c, const char *key,
                               const char *name) {
  if (!tw_group_name_ok(name))
    return tw_api_invalid(c,
                          "1 validation error detected: Value '%.100s' at "
                          "'%s' failed to satisfy constraint: Member must "
                          "satisfy regular expression pattern: "
                          "[\\.\\-_/#A-Za-z0-9]+",
                          name, key);
  return TW_OK;
}

static int tw_check_stream_name(tw_api_ctx *c, const char *name) {
  if (strpbrk(name, ":*"))
    return tw_api_invalid(c,
                          "1 validation error detected: Value '%.100s' at "
                          "'logStreamName' failed to satisfy constraint: "
                          "Member must satisfy regular expression pattern: "
                          "[^:*]*",
                          name);
  return TW_OK;
}

/* "arn:aws:logs:<region>:<acct>:log-group:<name>[:*]" or a bare name. */
static int tw_identifier_name(const char *id, char *out, size_t cap) {
  const char *p = id;
  if (!strncmp(id, "arn:", 4)) {
    p = strstr(id, ":log-group:");
    if (!p)
      return 0;
    p += strlen(":log-group:");
  }
  size_t n = strlen(p);
  if (n >= 2 && !strcmp(p + n - 2, ":*"))
    n -= 2;
  if (n == 0 || n >= cap)
    return 0;
  memcpy(out, p, n);
  out[n] = '\0';
  return 1;
}

int tw_logs_find_group(tw_api_ctx *c, int required_name,
                       tw_store_group *out) {
  const char *name = NULL, *ident = NULL;
  char buf[600];
  int rc = tw_in_str(c, c->in, "logGroupName", 0, 1, 512, &name);
  if (!rc)
    rc = tw_in_str(c, c->in, "logGroupIdentifier", 0, 1, 2048, &ident);
  if (rc)
    return rc;
  if (name && ident)
    return tw_api_invalid(c, "LogGroup name and LogGroup ARN are mutually "
                             "exclusive parameters.");
  if (ident && !required_name) {
    if (!tw_identifier_name(ident, buf, sizeof buf))
      return tw_api_invalid(c, "Invalid logGroupIdentifier: %.200s", ident);
    name = buf;
  }
  if (!name)
    return tw_api_invalid(c, required_name
                                 ? "1 validation error detected: Value null "
                                   "at 'logGroupName' failed to satisfy "
                                   "constraint: Member must not be null"
                                 : "Either logGroupName or logGroupIdentifier "
                                   "must be specified.");
  rc = tw_store_group_get(c->api->store, name, out);
  if (rc == TW_ENOTFOUND)
    return tw_api_fail(c, 400, "ResourceNotFoundException", "%s",
                       tw_not_found_group);
  return rc ? tw_api_internal(c, rc) : TW_OK;
}

int tw_op_create_log_group(tw_api_ctx *c) {
  const char *name = NULL, *cls = NULL, *kms = NULL;
  int protect = 0;
  json_t *tags = NULL;
  int rc = tw_in_str(c, c->in, "logGroupName", 1, 1, 512, &name);
  if (!rc)
    rc = tw_in_str(c, c->in, "logGroupClass", 0, 0, 0, &cls);
  if (!rc)
    rc = tw_in_str(c, c->in, "kmsKeyId", 0, 0, 256, &kms);
  if (!rc)
    rc = tw_in_bool(c, c->in, "deletionProtectionEnabled", &protect);
  if (!rc)
    rc = tw_in_object(c, c->in, "tags", 0, &tags);
  if (!rc)
    rc = tw_check_group_name(c, "logGroupName", name);
  if (rc)
    return rc;
  if (!strncmp(name, "aws/", 4))
    return tw_api_invalid(c, "Log group names cannot start with 'aws/'.");
  if (cls && strcmp(cls, "STANDARD") && strcmp(cls, "INFREQUENT_ACCESS") &&
      strcmp(cls, "DELIVERY"))
    return tw_api_invalid(c,
                          "1 validation error detected: Value '%.64s' at "
                          "'logGroupClass' failed to satisfy constraint: "
                          "Member must satisfy enum value set: [STANDARD, "
                          "INFREQUENT_ACCESS, DELIVERY]",
                          cls);
  tw_store_group g;
  memset(&g, 0, sizeof g);
  snprintf(g.name, sizeof g.name, "%s", name);
  snprintf(g.cls, sizeof g.cls, "%s", cls ? cls : "STANDARD");
  g.creation_ms = c->now_ms;
  g.deletion_protection = protect;
  int created = 0;
  if ((rc = tw_store_group_create(c->api->store, &g, &created)) != TW_OK)
    return tw_api_internal(c, rc);
  if (!created)
    return tw_api_fail(c, 400, "ResourceAlreadyExistsException",
                       "The specified log group already exists");
  return TW_OK;
}

int tw_op_delete_log_group(tw_api_ctx *c) {
  tw_store_group g;
  int rc = tw_logs_find_group(c, 1, &g);
  if (rc)
    return rc;
  if (g.deletion_protection)
    return tw_api_fail(c, 400, "OperationAbortedException",
                       "Log group %s has deletion protection enabled.",
                       g.name);
  int64_t next = 0;
  if ((rc = tw_store_next_seq(c->api->store, &next)) == TW_OK)
    rc = tw_store_group_delete(c->api->store, g.id, next);
  if (rc)
    return tw_api_internal(c, rc);
  tw_engine_filter_remove(c->api, g.id, NULL);
  return TW_OK;
}

static int tw_group_arn(const tw_api *api, const char *name, int star,
                        char *out, size_t cap) {
  return snprintf(out, cap, "arn:aws:logs:%s:%s:log-group:%s%s", api->region,
                  api->account, name, star ? ":*" : "");
}

typedef struct tw_group_page {
  tw_api_ctx *c;
  json_t *list;
  int limit;
  int count;
  int pattern_mode;
  char last[516];
  int more;
} tw_group_page;

static json_t *tw_group_json(const tw_api *api, const tw_store_group *g,
                             int pattern_mode) {
  char arn[700], garn[700];
  tw_group_arn(api, g->name, 1, arn, sizeof arn);
  tw_group_arn(api, g->name, 0, garn, sizeof garn);
  json_t *o = json_object();
  if (!o)
    return NULL;
  json_object_set_new(o, "logGroupName", json_string(g->name));
  json_object_set_new(o, "creationTime", json_integer(g->creation_ms));
  if (!pattern_mode) {
    if (g->retention_days > 0)
      json_object_set_new(o, "retentionInDays", json_integer(g->retention_days));
    json_object_set_new(o, "metricFilterCount", json_integer(g->filter_count));
  }
  json_object_set_new(o, "arn", json_string(arn));
  if (!pattern_mode) {
    json_object_set_new(o, "storedBytes", json_integer(g->stored_bytes));
    json_object_set_new(o, "logGroupClass", json_string(g->cls));
    json_object_set_new(o, "logGroupArn", json_string(garn));
    if (g->deletion_protection)
      json_object_set_new(o, "deletionProtectionEnabled", json_true());
  }
  return o;
}

static int tw_group_row(const tw_store_group *g, void *ud) {
  tw_group_page *p = ud;
  if (p->count == p->limit) {
    p->more = 1;
    return 1;
  }
  json_t *o = tw_group_json(p->c->api, g, p->pattern_mode);
  if (!o || json_array_append_new(p->list, o))
    return TW_ENOMEM;
  p->count++;
  snprintf(p->last, sizeof p->last, "%s", g->name);
  return 0;
}

/* Decode a name-keyed token; InvalidParameterException when malformed. */
static int tw_name_token(tw_api_ctx *c, const char *token, char **after) {
  *after = NULL;
  if (!token)
    return TW_OK;
  *after = tw_token_decode(token);
  if (!*after || strncmp(*after, "n:", 2)) {
    free(*after);
    *after = NULL;
    return tw_api_invalid(c, "The specified nextToken is invalid.");
  }
  return TW_OK;
}

static int tw_set_name_token(tw_api_ctx *c, const char *last) {
  char buf[600], *tok = NULL;
  snprintf(buf, sizeof buf, "n:%s", last);
  if (tw_token_encode(buf, &tok))
    return TW_ENOMEM;
  json_object_set_new(c->out, "nextToken", json_string(tok));
  free(tok);
  return TW_OK;
}

int tw_op_describe_log_groups(tw_api_ctx *c) {
  const char *prefix = NULL, *pattern = NULL, *token = NULL, *cls = NULL;
  int64_t limit = 50;
  json_t *idents = NULL;
  int rc = tw_in_str(c, c->in, "logGroupNamePrefix", 0, 1, 512, &prefix);
  if (!rc)
    rc = tw_in_str(c, c->in, "logGroupNamePattern", 0, 0, 512, &pattern);
  if (!rc)
    rc = tw_in_str(c, c->in, "nextToken", 0, 1, 0, &token);
  if (!rc)
    rc = tw_in_int(c, c->in, "limit", 0, 1, 50, &limit, NULL);
  if (!rc)
    rc = tw_in_str(c, c->in, "logGroupClass", 0, 0, 0, &cls);
  if (!rc)
    rc = tw_in_array(c, c->in, "logGroupIdentifiers", 0, 1, 50, &idents);
  if (rc)
    return rc;
  if (prefix && pattern)
    return tw_api_invalid(c, "LogGroup name prefix and LogGroup name pattern "
                             "are mutually exclusive parameters.");
  char *after = NULL;
  if ((rc = tw_name_token(c, token, &after)) != TW_OK)
    return rc;
  tw_group_page p = {c, json_array(), (int)limit, 0, pattern != NULL, "", 0};
  rc = p.list ? tw_store_group_list(c->api->store, prefix,
                                    pattern && *pattern ? pattern : NULL,
                                    after ? after + 2 : NULL, (int)limit + 1,
                                    tw_group_row, &p)
              : TW_ENOMEM;
  free(after);
  json_object_set_new(c->out, "logGroups", p.list);
  if (rc == 1) /* stopped at the row after the page */
    rc = TW_OK;
  if (rc)
    return tw_api_internal(c, rc);
  return p.more ? tw_set_name_token(c, p.last) : TW_OK;
}

static const int tw_retention_days[] = {
    1,   3,   5,   7,   14,  30,   60,   90,   120,  150,  180,
    365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653};

int tw_op_put_retention_policy(tw_api_ctx *c) {
  int64_t days = 0;
  int rc = tw_in_int(c, c->in, "retentionInDays", 1, INT32_MIN, INT32_MAX,
                     &days, NULL);
  if (rc)
    return rc;
  int ok = 0;
  for (size_t i = 0; i < sizeof tw_retention_days / sizeof(int); i++)
    ok |= tw_retention_days[i] == days;
  if (!ok)
    return tw_api_invalid(c,
                          "1 validation error detected: Value '%lld' at "
                          "'retentionInDays' failed to satisfy constraint: "
                          "Member must satisfy enum value set: [1, 3, 5, 7, "
                          "14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, "
                          "1096, 1827, 2192, 2557, 2922, 3288, 3653]",
                          (long long)days);
  tw_store_group g;
  if ((rc = tw_logs_find_group(c, 0, &g)) != TW_OK)
    return rc;
  rc = tw_store_group_set_retention(c->api->store, g.id, (int)days);
  return rc ? tw_api_internal(c, rc) : TW_OK;
}

int tw_op_delete_retention_policy(tw_api_ctx *c) {
  tw_store_group g;
  int rc = tw_logs_find_group(c, 0, &g);
  if (rc)
    return rc;
  rc = tw_store_group_set_retention(c->api->store, g.id, 0);
  return rc ? tw_api_internal(c, rc) : TW_OK;
}

/* ---- streams ------------------------------------------------------------ */

int tw_op_create_log_stream(tw_api_ctx *c) {
  const char *name = NULL;
  tw_store_group g;
  int rc = tw_in_str(c, c->in, "logStreamName", 1, 1, 512, &name);
  if (!rc)
    rc = tw_check_stream_name(c, name);
  if (!rc)
    rc = tw_logs_find_group(c, 1, &g);
  if (rc)
    return rc;
  tw_store_stream st;
  memset(&st, 0, sizeof st);
  st.group_id = g.id;
  snprintf(st.name, sizeof st.name, "%s", name);
  st.creation_ms = c->now_ms;
  int created = 0;
  if ((rc = tw_store_stream_create(c->api->store, &st, &created)) != TW_OK)
    return tw_api_internal(c, rc);
  if (!created)
    return tw_api_fail(c, 400, "ResourceAlreadyExistsException",
                       "The specified log stream already exists");
  return TW_OK;
}

int tw_op_delete_log_stream(tw_api_ctx *c) {
  const char *name = NULL;
  tw_store_group g;
  tw_store_stream st;
  int rc = tw_in_str(c, c->in, "logStreamName", 1, 1, 512, &name);
  if (!rc)
    rc = tw_logs_find_group(c, 1, &g);
  if (rc)
    return rc;
  rc = tw_store_stream_get(c->api->store, g.id, name, &st);
  if (rc == TW_ENOTFOUND)
    return tw_api_fail(c, 400, "ResourceNotFoundException",
                       "The specified log stream does not exist.");
  if (!rc)
    rc = tw_store_stream_delete(c->api->store, st.id);
  return rc ? tw_api_internal(c, rc) : TW_OK;
}

typedef struct tw_stream_page {
  tw_api_ctx *c;
  const tw_store_group *g;
  json_t *list;
  int limit, count, more;
  char last[516];
} tw_stream_page;

static json_t *tw_stream_json(const tw_api *api, const tw_store_group *g,
                              const tw_store_stream *s) {
  char arn[1300];
  snprintf(arn, sizeof arn, "arn:aws:logs:%s:%s:log-group:%s:log-stream:%s",
           api->region, api->account, g->name, s->name);
  json_t *o = json_object();
  if (!o)
    return NULL;
  json_object_set_new(o, "logStreamName", json_string(s->name));
  json_object_set_new(o, "creationTime", json_integer(s->creation_ms));
  if (s->has_events) {
    json_object_set_new(o, "firstEventTimestamp", json_integer(s->first_ts));
    json_object_set_new(o, "lastEventTimestamp", json_integer(s->last_ts));
    json_object_set_new(o, "lastIngestionTime",
                        json_integer(s->last_ingest_ms));
  }
  json_object_set_new(o, "arn", json_string(arn));
  json_object_set_new(o, "storedBytes", json_integer(s->stored_bytes));
  return o;
}

static int tw_stream_row(const tw_store_stream *s, void *ud) {
  tw_stream_page *p = ud;
  if (p->count == p->limit) {
    p->more = 1;
    return 1;
  }
  json_t *o = tw_stream_json(p->c->api, p->g, s);
  if (!o || json_array_append_new(p->list, o))
    return TW_ENOMEM;
  p->count++;
  snprintf(p->last, sizeof p->last, "%s", s->name);
  return 0;
}

typedef struct tw_stream_args {
  const char *prefix, *order, *token;
  int64_t limit;
  int descending;
} tw_stream_args;

static int tw_stream_args_get(tw_api_ctx *c, tw_stream_args *a) {
  a->limit = 50;
  int rc = tw_in_str(c, c->in, "logStreamNamePrefix", 0, 1, 512, &a->prefix);
  if (!rc)
    rc = tw_in_str(c, c->in, "orderBy", 0, 0, 0, &a->order);
  if (!rc)
    rc = tw_in_bool(c, c->in, "descending", &a->descending);
  if (!rc)
    rc = tw_in_int(c, c->in, "limit", 0, 1, 50, &a->limit, NULL);
  if (!rc)
    rc = tw_in_str(c, c->in, "nextToken", 0, 1, 0, &a->token);
  if (rc)
    return rc;
  if (a->order && strcmp(a->order, "LogStreamName") &&
      strcmp(a->order, "LastEventTime"))
    return tw_api_invalid(c,
                          "1 validation error detected: Value '%.64s' at "
                          "'orderBy' failed to satisfy constraint: Member "
                          "must satisfy enum value set: [LogStreamName, "
                          "LastEventTime]",
                          a->order);
  if (a->prefix && a->order && !strcmp(a->order, "LastEventTime"))
    return tw_api_invalid(c, "Cannot order by LastEventTime with a "
                             "logStreamNamePrefix.");
  return TW_OK;
}

/* Stream tokens: "n:<name>" (name order) or "o:<offset>" (time order). */
static int tw_stream_token(tw_api_ctx *c, const tw_stream_args *a,
                           tw_store_stream_query *q, char **after) {
  *after = NULL;
  if (!a->token)
    return TW_OK;
  char *t = tw_token_decode(a->token);
  char *end = NULL;
  if (t && q->by_time && !strncmp(t, "o:", 2)) {
    q->offset = strtoll(t + 2, &end, 10);
    if (end && !*end && q->offset > 0) {
      free(t);
      return TW_OK;
    }
  } else if (t && !q->by_time && !strncmp(t, "n:", 2)) {
    *after = t;
    q->after_name = t + 2;
    return TW_OK;
  }
  free(t);
  return tw_api_invalid(c, "The specified nextToken is invalid.");
}

int tw_op_describe_log_streams(tw_api_ctx *c) {
  tw_stream_args a;
  tw_store_group g;
  memset(&a, 0, sizeof a);
  int rc = tw_stream_args_get(c, &a);
  if (!rc)
    rc = tw_logs_find_group(c, 0, &g);
  if (rc)
    return rc;
  tw_store_stream_query q = {g.id, a.prefix, NULL, 0, a.descending, 0,
                             (int)a.limit + 1};
  q.by_time = a.order && !strcmp(a.order, "LastEventTime");
  char *after = NULL;
  if ((rc = tw_stream_token(c, &a, &q, &after)) != TW_OK)
    return rc;
  tw_stream_page p = {c, &g, json_array(), (int)a.limit, 0, 0, ""};
  rc = p.list ? tw_store_stream_list(c->api->store, &q, tw_stream_row, &p)
              : TW_ENOMEM;
  free(after);
  json_object_set_new(c->out, "logStreams", p.list);
  if (rc == 1)
    rc = TW_OK;
  if (rc)
    return tw_api_internal(c, rc);
  if (!p.more)
    return TW_OK;
  if (!q.by_time)
    return tw_set_name_token(c, p.last);
  char buf[64], *tok = NULL;
  snprintf(buf, sizeof buf, "o:%lld", (long long)(q.offset + p.count));
  if (tw_token_encode(buf, &tok))
    return TW_ENOMEM;
  json_object_set_new(c->out, "nextToken", json_string(tok));
  free(tok);
  return TW_OK;
}
