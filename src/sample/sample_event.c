/*
 * sample_event.c — one synthetic CloudTrail event: tw_sample_event_pick
 * decides what happens (which call, who, success or which error) and
 * tw_sample_event_write renders it as compact JSON in CloudTrail's field
 * order. The mix: a CIS-relevant "notable" call every
 * TW_SAMPLE_NOTABLE_EVERY events (cycling through tw_sample_notables), about
 * 0.2% console sign-ins, 1% AwsServiceEvents without userIdentity.type,
 * 0.05% root usage, and otherwise weighted ordinary calls (tw_sample_apis)
 * by assumed roles, service-linked roles, IAM users and AWS services, with
 * about 6% errors (throttling, access denied, not found). The background
 * profile (the demo archive's traffic) keeps the same mix minus everything
 * the seed and CIS rule packs match, on a day/night rate curve.
 */
#include "sample/sample_internal.h"

static const char upper32[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
static const char b64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

static const tw_api console_login = {"signin", "ConsoleLogin", 0, TW_SP_NULL, 0,
                                     NULL, NULL, NULL, NULL};
static const tw_api service_events[] = {
  {"kms", "RotateKey", 0, TW_SP_NULL, 0, NULL, NULL, NULL, NULL},
  {"secretsmanager", "RotationSucceeded", 0, TW_SP_NULL, 0, NULL, NULL, NULL, NULL},
  {"secretsmanager", "StartSecretVersionDelete", 0, TW_SP_NULL, 0, NULL, NULL, NULL, NULL},
  {"ec2", "SharedSnapshotCopyInitiated", 0, TW_SP_NULL, 0, NULL, NULL, NULL, NULL},
  {"backup", "BackupJobCompleted", 0, TW_SP_NULL, 0, NULL, NULL, NULL, NULL},
};
#define N_SERVICE_EVENTS (sizeof service_events / sizeof service_events[0])

enum { ERR_STATIC, ERR_DENIED }; /* how errorMessage is written */

/* ---- picking --------------------------------------------------------- */

static const tw_api *pick_api(struct tw_sample_gen *g) {
  uint32_t x = tw_rng_below(&g->rng, g->api_total);
  size_t lo = 0, hi = tw_sample_napis - 1;
  while (lo < hi) {
    size_t mid = (lo + hi) / 2;
    if (g->api_cum[mid] > x)
      hi = mid;
    else
      lo = mid + 1;
  }
  return &tw_sample_apis[lo];
}

static int is_source(const tw_ev *ev, const char *s) { return !strcmp(ev->api->source, s); }

static void pick_denied(tw_ev *ev) {
  if (is_source(ev, "ec2")) {
    ev->error_code = "Client.UnauthorizedOperation";
  } else if (ev->api->source[0] == 's' && ev->api->source[1] == '3') {
    ev->error_code = "AccessDenied";
    ev->error_message = "Access Denied";
    return;
  } else {
    ev->error_code = (ev->api->flags & TW_API_ACCESS_DENIED_EXC) ? "AccessDeniedException"
                                                                : "AccessDenied";
  }
  ev->denied = 1;
}

static void pick_not_found(tw_ev *ev) {
  const char *n = ev->api->name;
  if (!strcmp(n, "GetBucketPolicy")) {
    ev->error_code = "NoSuchBucketPolicy";
    ev->error_message = "The bucket policy does not exist";
  } else if (!strcmp(n, "GetBucketEncryption")) {
    ev->error_code = "ServerSideEncryptionConfigurationNotFoundError";
    ev->error_message = "The server side encryption configuration was not found";
  } else if (!strcmp(n, "GetBucketTagging")) {
    ev->error_code = "NoSuchTagSet";
    ev->error_message = "The TagSet does not exist";
  } else if (ev->api->flags & TW_API_ACCESS_DENIED_EXC) {
    ev->error_code = "ResourceNotFoundException";
    ev->error_message = "Requested resource not found";
  } else if (is_source(ev, "ec2")) {
    ev->error_code = "Client.InvalidInstanceID.NotFound";
    ev->error_message = "The instance ID 'i-0b22a22eec53b9321' does not exist";
  }
}

static void pick_error(struct tw_sample_gen *g, tw_ev *ev) {
  uint32_t e = tw_rng_below(&g->rng, 1000);
  if (e < 30) {
    int ec2 = is_source(ev, "ec2");
    ev->error_code = ec2 ? "Client.RequestLimitExceeded" : "ThrottlingException";
    ev->error_message = ec2 ? "Request limit exceeded." : "Rate exceeded";
  } else if (e < 55) {
    if (!tw_sample_is_background(g)) /* CloudWatch.2 stays quiet there */
      pick_denied(ev);
  } else if (e < 70 || (e < 400 && ev->api->kind == TW_SP_BUCKET &&
                        (ev->api->flags & TW_API_RO))) {
    pick_not_found(ev);
  }
}

static void pick_role(struct tw_sample_gen *g, tw_ev *ev, int slr) {
  if (slr) {
    ev->ident = TW_ID_SLR;
    ev->role = tw_rng_below(&g->rng, (uint32_t)tw_sample_nslr);
  } else {
    /* human and workload roles, except TemporaryAdminRole (the last) */
    ev->ident = TW_ID_ROLE;
    uint32_t n = (uint32_t)(tw_sample_nroles - tw_sample_nslr - 1);
    ev->role = (uint32_t)tw_sample_nslr + tw_rng_below(&g->rng, n);
  }
}

static void pick_ordinary(struct tw_sample_gen *g, tw_ev *ev) {
  ev->api = pick_api(g);
  uint32_t x = tw_rng_below(&g->rng, 100);
  if (x < 50)
    pick_role(g, ev, 0);
  else if (x < 72)
    pick_role(g, ev, 1);
  else if (x < 90)
    ev->ident = TW_ID_USER;
  else if (is_source(ev, "sts") || is_source(ev, "kms"))
    ev->ident = TW_ID_SERVICE, ev->invoked_by = "lambda.amazonaws.com";
  else
    pick_role(g, ev, 1);
  pick_error(g, ev);
}

static void pick_console(struct tw_sample_gen *g, tw_ev *ev, uint32_t variant) {
  ev->api = &console_login;
  ev->evtype = TW_EV_CONSOLE;
  ev->ident = TW_ID_USER;
  ev->mfa = 1;
  if (variant < 60)
    return;
  if (variant < 75) {
    ev->mfa = 0;
  } else if (variant < 85) {
    ev->mfa = 0;
    ev->error_message = "Failed authentication";
  } else {
    pick_role(g, ev, 0); /* SSO / federated sign-in: excluded by CloudWatch.3 */
    ev->mfa = 0;
  }
}

static void pick_service_event(struct tw_sample_gen *g, tw_ev *ev) {
  ev->api = &service_events[tw_rng_below(&g->rng, N_SERVICE_EVENTS)];
  ev->ident = TW_ID_NOTYPE;
  ev->evtype = TW_EV_SERVICE;
}

static void pick_notable(struct tw_sample_gen *g, tw_ev *ev) {
  const tw_api *a = &tw_sample_notables[g->notable];
  g->notable = (uint32_t)((g->notable + 1) % tw_sample_nnotables);
  const char *mark = a->source[0] == 's' && !strcmp(a->source, "signin") ? a->k1 : NULL;
  if (mark && !strcmp(mark, "console-nomfa")) {
    pick_console(g, ev, 70);
  } else if (mark && !strcmp(mark, "console-fail")) {
    pick_console(g, ev, 80);
  } else if (mark && !strcmp(mark, "root")) {
    pick_console(g, ev, 0);
    ev->ident = TW_ID_ROOT;
  } else if (mark) { /* SwitchRole into TemporaryAdminRole */
    ev->api = a;
    ev->evtype = TW_EV_CONSOLE;
    ev->ident = TW_ID_ROLE;
    ev->role = (uint32_t)tw_sample_nroles - 1;
    ev->agent = 5;
  } else if (a->k1 && !strcmp(a->k1, "root")) {
    ev->api = a;
    ev->ident = TW_ID_ROOT;
  } else {
    ev->api = a;
    if (a->kind == TW_SP_ASSUME_ROLE || tw_rng_below(&g->rng, 10) < 4)
      ev->ident = TW_ID_USER;
    else
      pick_role(g, ev, 0);
    if (tw_rng_below(&g->rng, 10) == 0)
      pick_denied(ev);
  }
}

/* ---- the background profile ----------------------------------------- */

/* Relative events per hour of the day (UTC): automation keeps a floor at
 * night, people add a peak in European and American working hours. */
static const uint16_t diurnal[24] = {
  40, 32, 26, 22, 20, 20, 22, 26, 34, 46, 60, 72,
  84, 96, 104, 108, 108, 104, 96, 86, 74, 62, 52, 46,
};

/* Event g->index's time: the day's share of events, placed through the
 * inverse of the piecewise-constant hourly rate (integer arithmetic only). */
static int64_t background_time(const struct tw_sample_gen *g) {
  const tw_sample_opts *o = &g->opts;
  uint64_t days = o->span >= 86400 ? (uint64_t)(o->span / 86400) : 1, n = o->events;
  uint64_t d = g->index * days / n;
  uint64_t first = (d * n + days - 1) / days, next = ((d + 1) * n + days - 1) / days;
  unsigned start_hour = (unsigned)((o->start % 86400 + 86400) % 86400 / 3600);
  uint64_t total = 0;
  for (unsigned h = 0; h < 24; h++)
    total += diurnal[h];
  uint64_t target = (g->index - first) * total * 3600 / (next - first), cum = 0;
  unsigned h = 0;
  for (; h < 23; h++) {
    uint64_t w = diurnal[(start_hour + h) % 24] * 3600ull;
    if (target < cum + w)
      break;
    cum += w;
  }
  uint64_t sec = (target - cum) / diurnal[(start_hour + h) % 24];
  return o->start + (int64_t)(d * 86400 + h * 3600ull + (sec < 3600 ? sec : 3599));
}

/* us-east-1 (the global services too) 58%, eu-west-1 22%, us-west-2 12%,
 * ap-southeast-2 8%, as indexes into tw_sample_regions. */
static uint32_t background_region(struct tw_sample_gen *g) {
  uint32_t x = tw_rng_below(&g->rng, 100);
  return x < 58 ? 0 : x < 80 ? 4 : x < 92 ? 6 : 9;
}

/* Like the mixed profile without anything a seed or CIS filter matches:
 * no notable calls, console sign-ins with MFA (or SSO), root only on
 * behalf of AWS Support, no denied calls (pick_error). */
static void pick_background(struct tw_sample_gen *g, tw_ev *ev) {
  memset(ev, 0, sizeof *ev);
  ev->r = tw_rng_next(&g->rng);
  ev->time = background_time(g);
  ev->acct = TW_SAMPLE_ARCHIVE_ACCT;
  ev->region = background_region(g);
  ev->agent = tw_rng_below(&g->rng, (uint32_t)tw_sample_nagents);
  ev->user = tw_rng_below(&g->rng, (uint32_t)tw_sample_nusers);
  uint32_t x = tw_rng_below(&g->rng, 10000);
  if (x < 20) {
    uint32_t variant = tw_rng_below(&g->rng, 100);
    pick_console(g, ev, variant < 85 ? 0 : variant);
    ev->region = 0; /* the global sign-in endpoint records in us-east-1 */
  } else if (x < 120) {
    pick_service_event(g, ev);
  } else if (x < 122) {
    ev->api = pick_api(g);
    ev->ident = TW_ID_ROOT;
    ev->invoked_by = "support.amazonaws.com";
  } else {
    pick_ordinary(g, ev);
  }
}

/* ---- the mixed profile ------------------------------------------------ */

void tw_sample_event_pick(struct tw_sample_gen *g, tw_ev *ev) {
  static const uint8_t acct_w[16] = {0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 3};
  const tw_sample_opts *o = &g->opts;
  if (tw_sample_is_background(g)) {
    pick_background(g, ev);
    return;
  }
  memset(ev, 0, sizeof *ev);
  ev->r = tw_rng_next(&g->rng);
  ev->time = o->start + (int64_t)((g->index * (uint64_t)o->span) / o->events);
  ev->acct = acct_w[ev->r >> 60];
  ev->region = tw_rng_below(&g->rng, (uint32_t)tw_sample_nregions);
  ev->agent = tw_rng_below(&g->rng, (uint32_t)tw_sample_nagents);
  ev->user = tw_rng_below(&g->rng, (uint32_t)tw_sample_nusers);
  if (g->index % TW_SAMPLE_NOTABLE_EVERY == TW_SAMPLE_NOTABLE_EVERY / 2) {
    pick_notable(g, ev);
    return;
  }
  uint32_t x = tw_rng_below(&g->rng, 10000);
  if (x < 20) {
    pick_console(g, ev, tw_rng_below(&g->rng, 100));
  } else if (x < 120) {
    pick_service_event(g, ev);
  } else if (x < 125) {
    ev->api = pick_api(g);
    ev->ident = TW_ID_ROOT;
    if (x < 122)
      ev->invoked_by = "support.amazonaws.com";
  } else {
    pick_ordinary(g, ev);
  }
}

/* ---- writing --------------------------------------------------------- */

static const tw_role *ev_role(const tw_ev *ev) { return &tw_sample_roles[ev->role]; }

static void write_role_arn_tail(const tw_ev *ev, tw_sw *w) {
  const tw_role *r = ev_role(ev);
  tw_sw_str(w, r->name);
  tw_sw_ch(w, '/');
  tw_sw_str(w, r->session);
}

void tw_sample_caller_arn(const tw_ev *ev, tw_sw *w) {
  switch (ev->ident) {
  case TW_ID_ROLE:
  case TW_ID_SLR:
    TW_SW_LIT(w, "arn:aws:sts::");
    tw_sw_str(w, tw_ev_account(ev));
    TW_SW_LIT(w, ":assumed-role/");
    write_role_arn_tail(ev, w);
    break;
  case TW_ID_USER:
    TW_SW_LIT(w, "arn:aws:iam::");
    tw_sw_str(w, tw_ev_account(ev));
    TW_SW_LIT(w, ":user/");
    tw_sw_str(w, tw_sample_users[ev->user]);
    break;
  default:
    TW_SW_LIT(w, "arn:aws:iam::");
    tw_sw_str(w, tw_ev_account(ev));
    TW_SW_LIT(w, ":root");
    break;
  }
}

void tw_sample_bucket(const tw_ev *ev, tw_sw *w) {
  static const char *const names[] = {
    "orders-assets-", "cloudtrail-logs-", "tf-state-", "data-lake-raw-", "static-site-",
  };
  tw_sw_str(w, names[(ev->r >> 24) % (sizeof names / sizeof names[0])]);
  tw_sw_str(w, tw_ev_account(ev));
}

static void write_attributes(const tw_ev *ev, tw_sw *w, int mfa) {
  TW_SW_LIT(w, "\"attributes\":{\"creationDate\":\"");
  /* Sessions start up to an hour before the call. The cached day text is
   * not used here, so the generator state is not needed. */
  char tmp[24];
  tw_sw t = {tmp, tmp + sizeof tmp, 0};
  tw_sample_time(NULL, &t, ev->time - (int64_t)((ev->r >> 40) % 3600));
  tw_sw_put(w, tmp, (size_t)(t.p - tmp));
  TW_SW_LIT(w, "\",\"mfaAuthenticated\":\"");
  if (mfa)
    TW_SW_LIT(w, "true\"}");
  else
    TW_SW_LIT(w, "false\"}");
}

void tw_sample_role_principal(uint32_t acct, uint32_t role, tw_sw *w) {
  TW_SW_LIT(w, "AROA");
  tw_sw_chars(w, tw_rng_hash(0xA0000 + acct * 256 + role), 17, upper32, 32);
}

void tw_sample_user_principal(uint32_t acct, uint32_t user, tw_sw *w) {
  TW_SW_LIT(w, "AIDA");
  tw_sw_chars(w, tw_rng_hash(0xB0000 + acct * 256 + user), 17, upper32, 32);
}

void tw_sample_user_key(uint32_t acct, uint32_t user, tw_sw *w) {
  TW_SW_LIT(w, "AKIA");
  tw_sw_chars(w, tw_rng_hash(0xC0000 + acct * 256 + user), 16, upper32, 32);
}

static void write_id_role(const tw_ev *ev, tw_sw *w) {
  const tw_role *r = ev_role(ev);
  TW_SW_LIT(w, "{\"type\":\"AssumedRole\",\"principalId\":\"");
  tw_sample_role_principal(ev->acct, ev->role, w);
  tw_sw_ch(w, ':');
  tw_sw_str(w, r->session);
  TW_SW_LIT(w, "\",\"arn\":\"");
  tw_sample_caller_arn(ev, w);
  TW_SW_LIT(w, "\",\"accountId\":\"");
  tw_sw_str(w, tw_ev_account(ev));
  if (ev->ident == TW_ID_ROLE && ev->evtype != TW_EV_CONSOLE) {
    TW_SW_LIT(w, "\",\"accessKeyId\":\"ASIA");
    tw_sw_chars(w, tw_rng_hash(ev->r), 16, upper32, 32);
  }
  TW_SW_LIT(w, "\",\"sessionContext\":{\"sessionIssuer\":{\"type\":\"Role\",\"principalId\":\"");
  tw_sample_role_principal(ev->acct, ev->role, w);
  TW_SW_LIT(w, "\",\"arn\":\"arn:aws:iam::");
  tw_sw_str(w, tw_ev_account(ev));
  TW_SW_LIT(w, ":role/");
  tw_sw_str(w, r->path);
  tw_sw_str(w, r->name);
  TW_SW_LIT(w, "\",\"accountId\":\"");
  tw_sw_str(w, tw_ev_account(ev));
  TW_SW_LIT(w, "\",\"userName\":\"");
  tw_sw_str(w, r->name);
  TW_SW_LIT(w, "\"},\"webIdFederationData\":{},");
  write_attributes(ev, w, ev->role >= tw_sample_nroles - 1);
  tw_sw_ch(w, '}');
  if (ev->ident == TW_ID_SLR) {
    TW_SW_LIT(w, ",\"invokedBy\":\"");
    tw_sw_str(w, r->service);
    tw_sw_ch(w, '"');
  }
  tw_sw_ch(w, '}');
}

static void write_id_user(const tw_ev *ev, tw_sw *w) {
  TW_SW_LIT(w, "{\"type\":\"IAMUser\",\"principalId\":\"");
  tw_sample_user_principal(ev->acct, ev->user, w);
  TW_SW_LIT(w, "\",\"arn\":\"");
  tw_sample_caller_arn(ev, w);
  TW_SW_LIT(w, "\",\"accountId\":\"");
  tw_sw_str(w, tw_ev_account(ev));
  if (ev->evtype == TW_EV_CONSOLE) {
    TW_SW_LIT(w, "\",\"userName\":\"");
    tw_sw_str(w, tw_sample_users[ev->user]);
    TW_SW_LIT(w, "\"}");
    return;
  }
  TW_SW_LIT(w, "\",\"accessKeyId\":\"");
  tw_sample_user_key(ev->acct, ev->user, w);
  TW_SW_LIT(w, "\",\"userName\":\"");
  tw_sw_str(w, tw_sample_users[ev->user]);
  tw_sw_ch(w, '"');
  if (ev->agent == 5 || ev->agent == 6) { /* console session */
    TW_SW_LIT(w, ",\"sessionContext\":{");
    write_attributes(ev, w, 1);
    tw_sw_ch(w, '}');
  }
  tw_sw_ch(w, '}');
}

static void write_id_root(const tw_ev *ev, tw_sw *w) {
  TW_SW_LIT(w, "{\"type\":\"Root\",\"principalId\":\"");
  tw_sw_str(w, tw_ev_account(ev));
  TW_SW_LIT(w, "\",\"arn\":\"arn:aws:iam::");
  tw_sw_str(w, tw_ev_account(ev));
  TW_SW_LIT(w, ":root\",\"accountId\":\"");
  tw_sw_str(w, tw_ev_account(ev));
  tw_sw_ch(w, '"');
  if (ev->evtype != TW_EV_CONSOLE) {
    TW_SW_LIT(w, ",\"accessKeyId\":\"ASIA");
    tw_sw_chars(w, tw_rng_hash(ev->r + 1), 16, upper32, 32);
    TW_SW_LIT(w, "\",\"sessionContext\":{");
    write_attributes(ev, w, 1);
    tw_sw_ch(w, '}');
  }
  if (ev->invoked_by) {
    TW_SW_LIT(w, ",\"invokedBy\":\"");
    tw_sw_str(w, ev->invoked_by);
    tw_sw_ch(w, '"');
  }
  tw_sw_ch(w, '}');
}

static void write_identity(const tw_ev *ev, tw_sw *w) {
  switch (ev->ident) {
  case TW_ID_ROLE:
  case TW_ID_SLR: write_id_role(ev, w); break;
  case TW_ID_USER: write_id_user(ev, w); break;
  case TW_ID_ROOT: write_id_root(ev, w); break;
  case TW_ID_SERVICE:
    TW_SW_LIT(w, "{\"type\":\"AWSService\",\"invokedBy\":\"");
    tw_sw_str(w, ev->invoked_by);
    TW_SW_LIT(w, "\"}");
    break;
  default:
    TW_SW_LIT(w, "{\"accountId\":\"");
    tw_sw_str(w, tw_ev_account(ev));
    TW_SW_LIT(w, "\",\"invokedBy\":\"");
    tw_sw_str(w, ev->api->source);
    TW_SW_LIT(w, ".amazonaws.com\"}");
    break;
  }
}

/* The host a service-originated call comes from, or NULL for a person/app. */
static const char *service_host(const tw_ev *ev) {
  if (ev->ident == TW_ID_SLR)
    return ev_role(ev)->service;
  if (ev->ident == TW_ID_SERVICE)
    return ev->invoked_by;
  return NULL;
}

static void write_origin(struct tw_sample_gen *g, const tw_ev *ev, tw_sw *w) {
  const char *host = service_host(ev);
  TW_SW_LIT(w, ",\"sourceIPAddress\":\"");
  if (ev->ident == TW_ID_NOTYPE) {
    tw_sw_str(w, ev->api->source);
    TW_SW_LIT(w, ".amazonaws.com");
  } else if (host) {
    tw_sw_str(w, host);
  } else {
    tw_sample_ip(&g->rng, w);
  }
  TW_SW_LIT(w, "\",\"userAgent\":\"");
  if (ev->ident == TW_ID_NOTYPE) {
    tw_sw_str(w, ev->api->source);
    TW_SW_LIT(w, ".amazonaws.com");
  } else if (host) {
    tw_sw_str(w, host);
  } else if (ev->evtype == TW_EV_CONSOLE) {
    tw_sw_str(w, tw_sample_agents[5 + (ev->r & 1)]);
  } else {
    tw_sw_str(w, tw_sample_agents[ev->agent]);
  }
  tw_sw_ch(w, '"');
}

static void write_denied_message(struct tw_sample_gen *g, const tw_ev *ev, tw_sw *w) {
  int ec2 = is_source(ev, "ec2");
  if (ec2)
    TW_SW_LIT(w, "You are not authorized to perform this operation. ");
  TW_SW_LIT(w, "User: ");
  tw_sample_caller_arn(ev, w);
  TW_SW_LIT(w, " is not authorized to perform: ");
  tw_sw_str(w, ev->api->source);
  tw_sw_ch(w, ':');
  tw_sw_str(w, ev->api->name);
  if (!ec2) {
    TW_SW_LIT(w, " on resource: \\\"arn:aws:");
    tw_sw_str(w, ev->api->source);
    tw_sw_ch(w, ':');
    tw_sw_str(w, tw_ev_region(ev));
    tw_sw_ch(w, ':');
    tw_sw_str(w, tw_ev_account(ev));
    TW_SW_LIT(w, ":*\\\"");
  }
  TW_SW_LIT(w, " because no identity-based policy allows the ");
  tw_sw_str(w, ev->api->source);
  tw_sw_ch(w, ':');
  tw_sw_str(w, ev->api->name);
  TW_SW_LIT(w, " action");
  if (ec2) {
    TW_SW_LIT(w, ". Encoded authorization failure message: ");
    tw_sw_chars(w, tw_rng_next(&g->rng), 120, b64, 64);
  }
}

static void write_error(struct tw_sample_gen *g, const tw_ev *ev, tw_sw *w) {
  if (ev->error_code) {
    TW_SW_LIT(w, ",\"errorCode\":\"");
    tw_sw_str(w, ev->error_code);
    tw_sw_ch(w, '"');
  }
  if (ev->error_message || ev->denied) {
    TW_SW_LIT(w, ",\"errorMessage\":\"");
    if (ev->error_message)
      tw_sw_str(w, ev->error_message);
    else
      write_denied_message(g, ev, w);
    tw_sw_ch(w, '"');
  }
}

static void write_console_extra(const tw_ev *ev, tw_sw *w) {
  int switch_role = ev->api->name[0] == 'S';
  TW_SW_LIT(w, ",\"responseElements\":{\"");
  tw_sw_str(w, ev->api->name);
  if (ev->error_message)
    TW_SW_LIT(w, "\":\"Failure\"}");
  else
    TW_SW_LIT(w, "\":\"Success\"}");
  if (switch_role) {
    TW_SW_LIT(w, ",\"additionalEventData\":{\"SwitchFrom\":\"arn:aws:iam::");
    tw_sw_str(w, tw_ev_account(ev));
    TW_SW_LIT(w, ":user/bob\",\"RedirectTo\":\"https:\\/\\/console.aws.amazon.com\\/ec2\\/home"
                 "?region=us-east-1#Instances:\"}");
    return;
  }
  TW_SW_LIT(w, ",\"additionalEventData\":{\"LoginTo\":\"https:\\/\\/console.aws.amazon.com\\/console"
               "\\/home?hashArgs=%23&isauthcode=true&state=hashArgsFromTB_us-east-1_");
  tw_sw_chars(w, ev->r, 16, "0123456789abcdef", 16);
  TW_SW_LIT(w, "\",\"MobileVersion\":\"No\",\"MFAUsed\":\"");
  if (ev->mfa)
    TW_SW_LIT(w, "Yes\"}");
  else
    TW_SW_LIT(w, "No\"}");
}

static void write_s3_extra(const tw_ev *ev, tw_sw *w) {
  TW_SW_LIT(w, ",\"additionalEventData\":{\"SignatureVersion\":\"SigV4\",\"CipherSuite\":"
               "\"TLS_AES_128_GCM_SHA256\",\"bytesTransferredIn\":0,\"AuthenticationMethod\":"
               "\"AuthHeader\",\"x-amz-id-2\":\"");
  tw_sw_chars(w, tw_rng_hash(ev->r ^ 0x5353), 76, b64, 64);
  TW_SW_LIT(w, "=\",\"bytesTransferredOut\":");
  tw_sw_u64(w, (ev->r >> 20) & 0x3ff);
  tw_sw_ch(w, '}');
}

static void write_service_extra(const tw_ev *ev, tw_sw *w) {
  TW_SW_LIT(w, ",\"serviceEventDetails\":{\"state\":\"COMPLETED\",\"resourceArn\":\"arn:aws:");
  tw_sw_str(w, ev->api->source);
  tw_sw_ch(w, ':');
  tw_sw_str(w, tw_ev_region(ev));
  tw_sw_ch(w, ':');
  tw_sw_str(w, tw_ev_account(ev));
  TW_SW_LIT(w, ":resource/");
  tw_sw_chars(w, ev->r, 12, "0123456789abcdef", 16);
  TW_SW_LIT(w, "\"}");
}

static void write_body(struct tw_sample_gen *g, const tw_ev *ev, tw_sw *w) {
  int s3 = ev->api->source[0] == 's' && ev->api->source[1] == '3';
  if (ev->evtype == TW_EV_CONSOLE) {
    TW_SW_LIT(w, ",\"requestParameters\":null");
    write_console_extra(ev, w);
    return;
  }
  TW_SW_LIT(w, ",\"requestParameters\":");
  if (ev->evtype == TW_EV_SERVICE)
    TW_SW_LIT(w, "null");
  else
    tw_sample_request(g, ev, w);
  TW_SW_LIT(w, ",\"responseElements\":");
  tw_sample_response(g, ev, w);
  if (ev->evtype == TW_EV_SERVICE)
    write_service_extra(ev, w);
  else if (s3)
    write_s3_extra(ev, w);
  TW_SW_LIT(w, ",\"requestID\":\"");
  if (s3)
    tw_sw_chars(w, tw_rng_next(&g->rng), 16, "0123456789ABCDEF", 16);
  else
    tw_sample_uuid(&g->rng, w);
  tw_sw_ch(w, '"');
}

static void write_tail(struct tw_sample_gen *g, const tw_ev *ev, tw_sw *w) {
  static const char *const types[] = {"AwsApiCall", "AwsServiceEvent", "AwsConsoleSignIn"};
  TW_SW_LIT(w, ",\"eventID\":\"");
  tw_sample_uuid(&g->rng, w);
  if ((ev->api->flags & TW_API_RO) && ev->evtype == TW_EV_API)
    TW_SW_LIT(w, "\",\"readOnly\":true");
  else
    TW_SW_LIT(w, "\",\"readOnly\":false");
  if ((ev->api->flags & TW_API_RESOURCES) && ev->evtype == TW_EV_API) {
    TW_SW_LIT(w, ",\"resources\":");
    tw_sample_resources(ev, w);
  }
  TW_SW_LIT(w, ",\"eventType\":\"");
  tw_sw_str(w, types[ev->evtype]);
  TW_SW_LIT(w, "\",\"managementEvent\":true,\"recipientAccountId\":\"");
  tw_sw_str(w, tw_ev_account(ev));
  TW_SW_LIT(w, "\",\"eventCategory\":\"Management\"");
}

static void write_tls(const tw_ev *ev, tw_sw *w) {
  if (ev->ident == TW_ID_NOTYPE || service_host(ev) || ev->agent == 8)
    return;
  if (ev->evtype == TW_EV_CONSOLE) {
    TW_SW_LIT(w, ",\"tlsDetails\":{\"tlsVersion\":\"TLSv1.3\",\"cipherSuite\":"
                 "\"TLS_AES_128_GCM_SHA256\",\"clientProvidedHostHeader\":\"signin.aws.amazon.com\"}");
    return;
  }
  TW_SW_LIT(w, ",\"tlsDetails\":{\"tlsVersion\":\"TLSv1.");
  if (ev->r & 4)
    TW_SW_LIT(w, "3\",\"cipherSuite\":\"TLS_AES_128_GCM_SHA256");
  else
    TW_SW_LIT(w, "2\",\"cipherSuite\":\"ECDHE-RSA-AES128-GCM-SHA256");
  TW_SW_LIT(w, "\",\"clientProvidedHostHeader\":\"");
  tw_sw_str(w, ev->api->source);
  tw_sw_ch(w, '.');
  tw_sw_str(w, tw_ev_region(ev));
  TW_SW_LIT(w, ".amazonaws.com\"}");
  if (ev->agent == 5 || ev->agent == 6)
    TW_SW_LIT(w, ",\"sessionCredentialFromConsole\":\"true\"");
}

void tw_sample_event_write(struct tw_sample_gen *g, const tw_ev *ev, tw_sw *w) {
  static const char *const versions[] = {"1.08", "1.09", "1.09", "1.09", "1.10"};
  TW_SW_LIT(w, "{\"eventVersion\":\"");
  tw_sw_str(w, versions[(ev->r >> 16) % 5]);
  TW_SW_LIT(w, "\",\"userIdentity\":");
  write_identity(ev, w);
  TW_SW_LIT(w, ",\"eventTime\":\"");
  tw_sample_time(g, w, ev->time);
  TW_SW_LIT(w, "\",\"eventSource\":\"");
  tw_sw_str(w, ev->api->source);
  TW_SW_LIT(w, ".amazonaws.com\",\"eventName\":\"");
  tw_sw_str(w, ev->api->name);
  TW_SW_LIT(w, "\",\"awsRegion\":\"");
  tw_sw_str(w, tw_ev_region(ev));
  tw_sw_ch(w, '"');
  write_origin(g, ev, w);
  write_error(g, ev, w);
  write_body(g, ev, w);
  write_tail(g, ev, w);
  write_tls(ev, w);
  tw_sw_ch(w, '}');
}
