/*
 * deliver_command.c — the "command" target: run a program (argv, no
 * shell) with the notification as a Lambda-style SNS event on stdin and
 * TW_NOTIFICATION_ID / TW_TOPIC_ARN / TW_SUBJECT in its environment. Exit
 * status 0 delivers; any other outcome (non-zero exit, signal, time limit)
 * is retryable. The process handling lives in notify_proc.c.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "notify/notify.h"

static int tw_cmd_check(const tw_delivery *d, char *err, size_t cap) {
  if (!d->argv || d->argc == 0 || !d->argv[0] || !*d->argv[0])
    return tw_notify_err(err, cap, "command: argv is required");
  for (size_t i = 0; i < d->argc; i++)
    if (!d->argv[i])
      return tw_notify_err(err, cap, "command: argv[%zu] is missing", i);
  return TW_OK;
}

/* "NAME=value" in a malloc'ed string. */
static char *tw_cmd_env(const char *name, const char *value) {
  size_t len = strlen(name) + strlen(value) + 2;
  char *s = malloc(len);
  if (s)
    snprintf(s, len, "%s=%s", name, value);
  return s;
}

static int tw_cmd_run(const tw_delivery *d, const tw_notification *n,
                      const char *path, const char *input,
                      tw_delivery_result *out) {
  char *env[3] = {tw_cmd_env("TW_NOTIFICATION_ID", n->id),
                  tw_cmd_env("TW_TOPIC_ARN", n->topic_arn),
                  tw_cmd_env("TW_SUBJECT", n->subject ? n->subject : "")};
  int rc;
  if (!env[0] || !env[1] || !env[2]) {
    rc = tw_notify_fail(out, TW_ENOMEM, 1, "command: out of memory");
  } else {
    tw_notify_proc p = {
        .path = path, .argv = d->argv, .argc = d->argc,
        .env = (const char *const *)env, .nenv = 3,
        .input = input, .input_len = strlen(input),
        .timeout_ms = d->timeout_ms > 0 ? d->timeout_ms
                                        : TW_NOTIFY_COMMAND_TIMEOUT_MS};
    rc = tw_notify_run(&p, out);
  }
  for (int i = 0; i < 3; i++)
    free(env[i]);
  return rc;
}

static int tw_cmd_deliver(const tw_delivery *d, const tw_notification *n,
                          tw_delivery_result *out) {
  char *path = NULL, *input = NULL;
  int rc = tw_notify_which(d->argv[0], &path);
  if (rc == TW_ENOTFOUND)
    return tw_notify_fail(out, TW_EIO, 0, "command: %s: not found or not executable",
                          d->argv[0]);
  if (rc == TW_OK)
    rc = tw_notify_lambda_event(n, &input);
  if (rc != TW_OK)
    rc = tw_notify_fail(out, rc, 1, "command: out of memory");
  else
    rc = tw_cmd_run(d, n, path, input, out);
  free(path);
  free(input);
  return rc;
}

const tw_delivery_ops tw_delivery_command_ops = {
    TW_DELIVERY_COMMAND, "command", tw_cmd_check, tw_cmd_deliver};
