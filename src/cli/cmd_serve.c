/*
 * cmd_serve.c — `trailwatch serve`: the AWS-compatible CloudWatch Logs +
 * CloudWatch API (src/api/) with durable state in SQLite (src/store/).
 * Parses the options, opens the database (rebuilding the in-memory state),
 * preloads --config, loads --auth keys, starts the HTTP server, the
 * outbox delivery workers and the live sources (src/live/), then waits
 * for signals: SIGINT/SIGTERM stop gracefully (sources finish their batch,
 * HTTP and ticker stop, workers end their attempts, the database closes
 * and checkpoints its WAL); SIGHUP reloads --config, validated whole
 * before anything changes (src/api/api.c). Structured logs (logfmt) go to
 * standard error after the banner line that tests read the port from.
 */
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/api.h"
#include "api/http.h"
#include "api/metrics_text.h"
#include "cli/cli.h"
#include "config/config.h"
#include "live/live.h"
#include "util/log.h"

int tw_cmd_serve(int argc, char **argv);

#ifndef TW_RULES_DIR
#define TW_RULES_DIR "rules"
#endif

typedef struct tw_serve_opts {
  char address[64];
  unsigned short port;
  const char *db, *auth, *region, *account, *log_group;
  const char *configs[32], *rules[16], *params[64];
  size_t nconfigs, nrules, nparams;
  tw_config_sources src;  /* the three lists above */
  char config_desc[1024]; /* "rules:seed,a.yaml" for logs */
  int eval_interval;
  int workers;
  tw_log_level log_level;
  const char *follow[64];
  size_t nfollow;
} tw_serve_opts;

static void tw_serve_usage(FILE *f) {
  fprintf(f,
          "usage: trailwatch serve [--listen ADDR:PORT] [--db PATH]\n"
          "                        [--config FILE]... [--rules NAME[,NAME]]\n"
          "                        [--parameter K=V]... [--auth FILE]\n"
          "                        [--eval-interval SECONDS]\n"
          "                        [--region REGION] [--account ID]\n"
          "                        [--follow PATH]... [--log-group NAME]\n"
          "                        [--workers N] [--log-level LEVEL]\n"
          "\n"
          "Serve the CloudWatch Logs (Logs_20140328) and CloudWatch\n"
          "(GraniteServiceVersion20100801) JSON APIs so that the AWS CLI and SDKs\n"
          "work against trailwatch with --endpoint-url. State is kept in SQLite.\n"
          "\n"
          "  --listen ADDR:PORT     address to bind (default 127.0.0.1:4588;\n"
          "                         [::1]:4588 for IPv6; port 0 picks a free one)\n"
          "  --db PATH              database file (default ./trailwatch.db)\n"
          "  --config FILE          metric filters, alarms and targets to load\n"
          "                         (docs/config.md), repeatable\n"
          "  --rules NAME[,NAME]    bundled rule packs: seed, cis (docs/rules.md)\n"
          "  --parameter K=V        value for ${K} in rule packs / templates\n"
          "  --auth FILE            access key pairs (\"ID SECRET\" per line): every\n"
          "                         request must carry a valid SigV4 signature\n"
          "  --eval-interval SECS   evaluate every alarm every SECS seconds instead\n"
          "                         of CloudWatch's schedule (60 s; 10 s high-res)\n"
          "  --region REGION        region in ARNs and notifications (us-east-1)\n"
          "  --account ID           account id in ARNs (123456789012)\n"
          "  --follow PATH          live source, repeatable: a directory (a\n"
          "                         CloudTrail archive an S3 sync adds objects\n"
          "                         to; each object ingested once), an NDJSON\n"
          "                         file (followed across rotation), or - for\n"
          "                         standard input\n"
          "  --log-group NAME       log group of followed events\n"
          "                         (default CloudTrail/DefaultLogGroup)\n"
          "  --workers N            concurrent notification deliveries (4)\n"
          "  --log-level LEVEL      debug, info, warn, error or off (info)\n"
          "\n"
          "Signals: SIGTERM/SIGINT stop gracefully; SIGHUP reloads --config/--rules\n"
          "(the old configuration stays when the new one is invalid).\n");
}

static int tw_serve_listen(tw_serve_opts *o, const char *arg) {
  const char *colon = strrchr(arg, ':');
  if (!colon)
    return -1;
  size_t n = (size_t)(colon - arg);
  if (n >= 2 && arg[0] == '[' && arg[n - 1] == ']') {
    arg++;
    n -= 2;
  }
  char *end = NULL;
  long port = strtol(colon + 1, &end, 10);
  if (n == 0 || n >= sizeof o->address || !*(colon + 1) || *end || port < 0 ||
      port > 65535)
    return -1;
  memcpy(o->address, arg, n);
  o->address[n] = '\0';
  o->port = (unsigned short)port;
  return 0;
}

/* --config, --rules and --parameter, repeatable. */
static int tw_serve_list_add(tw_serve_opts *o, const char *a, const char *v) {
  const char **list = a[2] == 'c' ? o->configs : a[2] == 'r' ? o->rules : o->params;
  size_t *n = a[2] == 'c' ? &o->nconfigs : a[2] == 'r' ? &o->nrules : &o->nparams;
  size_t cap = a[2] == 'c'   ? sizeof o->configs / sizeof o->configs[0]
               : a[2] == 'r' ? sizeof o->rules / sizeof o->rules[0]
                             : sizeof o->params / sizeof o->params[0];
  if (*n == cap) {
    fprintf(stderr, "trailwatch serve: too many %s options\n", a);
    return -1;
  }
  list[(*n)++] = v;
  o->src = (tw_config_sources){o->params, o->nparams, o->rules, o->nrules,
                               o->configs, o->nconfigs, TW_RULES_DIR};
  tw_config_sources_describe(&o->src, o->config_desc, sizeof o->config_desc);
  return 0;
}

/* Any configuration to load (and to reload on SIGHUP)? */
static int tw_serve_has_config(const tw_serve_opts *o) {
  return o->nconfigs + o->nrules > 0;
}

static int tw_serve_args(int argc, char **argv, tw_serve_opts *o) {
  for (int i = 1; i < argc; i++) {
    const char *a = argv[i];
    const char *v = i + 1 < argc ? argv[i + 1] : NULL;
    if (!strcmp(a, "--help") || !strcmp(a, "-h")) {
      tw_serve_usage(stdout);
      return 1;
    }
    int takes = !strcmp(a, "--listen") || !strcmp(a, "--db") ||
                !strcmp(a, "--config") || !strcmp(a, "--auth") ||
                !strcmp(a, "--rules") || !strcmp(a, "--parameter") ||
                !strcmp(a, "--eval-interval") || !strcmp(a, "--region") ||
                !strcmp(a, "--account") || !strcmp(a, "--follow") ||
                !strcmp(a, "--log-group") || !strcmp(a, "--workers") ||
                !strcmp(a, "--log-level");
    if (!takes) {
      fprintf(stderr, "trailwatch serve: unknown option '%s'\n", a);
      return -1;
    }
    if (!v) {
      fprintf(stderr, "trailwatch serve: %s needs a value\n", a);
      return -1;
    }
    i++;
    if (!strcmp(a, "--listen") && tw_serve_listen(o, v)) {
      fprintf(stderr, "trailwatch serve: invalid --listen '%s' (ADDR:PORT)\n", v);
      return -1;
    }
    if (!strcmp(a, "--db"))
      o->db = v;
    else if (!strcmp(a, "--config") || !strcmp(a, "--rules") ||
             !strcmp(a, "--parameter")) {
      if (tw_serve_list_add(o, a, v))
        return -1;
    }
    else if (!strcmp(a, "--auth"))
      o->auth = v;
    else if (!strcmp(a, "--region"))
      o->region = v;
    else if (!strcmp(a, "--account"))
      o->account = v;
    else if (!strcmp(a, "--log-group"))
      o->log_group = v;
    else if (!strcmp(a, "--follow")) {
      if (o->nfollow == sizeof o->follow / sizeof o->follow[0]) {
        fprintf(stderr, "trailwatch serve: too many --follow paths\n");
        return -1;
      }
      o->follow[o->nfollow++] = v;
    } else if (!strcmp(a, "--workers") &&
               ((o->workers = atoi(v)) < 1 || o->workers > 64)) {
      fprintf(stderr, "trailwatch serve: --workers must be 1..64\n");
      return -1;
    } else if (!strcmp(a, "--log-level") &&
               tw_log_level_parse(v, &o->log_level)) {
      fprintf(stderr, "trailwatch serve: --log-level must be debug, info, "
                      "warn, error or off\n");
      return -1;
    }
    else if (!strcmp(a, "--eval-interval") &&
             ((o->eval_interval = atoi(v)) < 1 || o->eval_interval > 3600)) {
      fprintf(stderr, "trailwatch serve: --eval-interval must be 1..3600\n");
      return -1;
    }
  }
  return 0;
}

/* Block the stop signals in every thread; the main thread waits for them. */
static void tw_serve_block(sigset_t *set) {
  sigemptyset(set);
  sigaddset(set, SIGINT);
  sigaddset(set, SIGTERM);
  sigaddset(set, SIGHUP);
  pthread_sigmask(SIG_BLOCK, set, NULL);
  signal(SIGPIPE, SIG_IGN);
}

static int tw_serve_setup(const tw_serve_opts *o, tw_log *log, tw_api **api,
                          tw_sigv4_keys **keys) {
  tw_error err;
  memset(&err, 0, sizeof err);
  tw_api_config cfg = {o->db, o->region, o->account, o->eval_interval, 0};
  if (tw_api_new(&cfg, api, &err)) {
    fprintf(stderr, "trailwatch serve: %s\n", err.message);
    return TW_EXIT_FAILURE;
  }
  tw_api_set_log(*api, log);
  if (tw_serve_has_config(o) &&
      tw_api_preload(*api, &o->src, tw_api_now_ms(), &err)) {
    fprintf(stderr, "trailwatch serve: %s\n", err.message);
    return TW_EXIT_USAGE;
  }
  if (o->auth && tw_sigv4_keys_load(o->auth, keys, &err)) {
    fprintf(stderr, "trailwatch serve: --auth: %s\n", err.message);
    return TW_EXIT_USAGE;
  }
  return TW_EXIT_OK;
}

static void tw_serve_banner(const tw_serve_opts *o, const tw_http *h,
                            const tw_sigv4_keys *keys) {
  int v6 = strchr(o->address, ':') != NULL;
  fprintf(stderr, "trailwatch serve: listening on http://%s%s%s:%u (db %s)\n",
          v6 ? "[" : "", o->address, v6 ? "]" : "", tw_http_port(h),
          o->db ? o->db : "./trailwatch.db");
  if (keys)
    fprintf(stderr, "trailwatch serve: SigV4 required, %zu access key(s) "
                    "from %s\n",
            tw_sigv4_keys_count(keys), o->auth);
  else
    fprintf(stderr, "trailwatch serve: no --auth file: any signature (and "
                    "any access key) is accepted\n");
  fflush(stderr);
}

static void tw_serve_log_start(const tw_serve_opts *o, const tw_http *h,
                               const tw_sigv4_keys *keys, tw_log *log) {
  int v6 = strchr(o->address, ':') != NULL;
  char listen[96], every[16], workers[16];
  snprintf(listen, sizeof listen, "%s%s%s:%u", v6 ? "[" : "", o->address,
           v6 ? "]" : "", tw_http_port(h));
  snprintf(every, sizeof every, "%ds", o->eval_interval);
  snprintf(workers, sizeof workers, "%d", o->workers);
  tw_log_kv(log, TW_LOG_INFO, "start", "listen", listen, "db",
            o->db ? o->db : "./trailwatch.db", "version", TW_SERVE_VERSION,
            "auth", keys ? "sigv4" : "none", "eval_interval",
            o->eval_interval ? every : "schedule", "workers", workers,
            "config", tw_serve_has_config(o) ? o->config_desc : NULL, NULL);
}

/* Wait for signals: SIGHUP reloads --config, SIGINT/SIGTERM return. */
static int tw_serve_wait(const tw_serve_opts *o, const sigset_t *set,
                         tw_api *api, tw_log *log) {
  for (;;) {
    int sig = 0;
    sigwait(set, &sig);
    if (sig != SIGHUP)
      return sig;
    if (!tw_serve_has_config(o)) {
      tw_log_kv(log, TW_LOG_WARN, "config.reload", "result", "skipped",
                "reason", "no --config or --rules", NULL);
      continue;
    }
    tw_error err;
    memset(&err, 0, sizeof err);
    int rc = tw_api_reload(api, &o->src, tw_api_now_ms(), &err);
    /* success is logged by the API (config.loaded trigger=reload) */
    if (rc)
      tw_log_kv(log, TW_LOG_ERROR, "config.reload", "result", "rejected",
                "file", o->config_desc, "error", err.message, NULL);
  }
}

static int tw_serve_live(const tw_serve_opts *o, tw_api *api, tw_http **h,
                         tw_outbox **ob, tw_follow **fw,
                         const tw_sigv4_keys *keys) {
  tw_error err;
  memset(&err, 0, sizeof err);
  tw_http_config hc = {o->address, o->port, api, keys};
  tw_outbox_opts oo = {o->workers, 0, 0, 0};
  tw_follow_opts fo = {o->follow, o->nfollow, o->log_group};
  int rc = tw_outbox_start(api, &oo, ob, &err);
  if (rc == TW_OK)
    rc = tw_http_start(&hc, h, &err);
  if (rc == TW_OK)
    rc = tw_follow_start(api, &fo, fw, &err);
  if (rc)
    fprintf(stderr, "trailwatch serve: %s\n", err.message);
  return rc;
}

int tw_cmd_serve(int argc, char **argv) {
  tw_serve_opts o;
  memset(&o, 0, sizeof o);
  snprintf(o.address, sizeof o.address, "127.0.0.1");
  o.port = 4588;
  o.workers = 4;
  o.log_level = TW_LOG_INFO;
  int rc = tw_serve_args(argc, argv, &o);
  if (rc)
    return rc > 0 ? TW_EXIT_OK : TW_EXIT_USAGE;
  sigset_t set;
  tw_serve_block(&set);
  tw_log *log = NULL;
  if (tw_log_new(stderr, o.log_level, &log))
    return TW_EXIT_FAILURE;
  tw_api *api = NULL;
  tw_sigv4_keys *keys = NULL;
  tw_http *h = NULL;
  tw_outbox *ob = NULL;
  tw_follow *fw = NULL;
  rc = tw_serve_setup(&o, log, &api, &keys);
  if (rc == TW_EXIT_OK && tw_serve_live(&o, api, &h, &ob, &fw, keys))
    rc = TW_EXIT_FAILURE;
  if (rc == TW_EXIT_OK) {
    tw_serve_banner(&o, h, keys);
    tw_serve_log_start(&o, h, keys, log);
    int sig = tw_serve_wait(&o, &set, api, log);
    tw_log_kv(log, TW_LOG_INFO, "stop", "signal",
              sig == SIGTERM ? "SIGTERM" : "SIGINT", NULL);
  }
  tw_follow_stop(fw);
  tw_http_stop(h);
  tw_outbox_stop(ob);
  tw_api_free(api);
  tw_sigv4_keys_free(keys);
  tw_log_kv(log, TW_LOG_INFO, "stopped", NULL);
  tw_log_free(log);
  return rc;
}
