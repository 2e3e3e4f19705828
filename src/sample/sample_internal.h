/*
 * sample_internal.h — shared pieces of the synthetic CloudTrail generator
 * (src/sample/): the bounded output writer, the PRNG, the tables of API
 * calls and identities, and the per-event description that sample_event.c
 * turns into one compact JSON line. Not part of the public API.
 *
 * Everything here is deterministic: the only source of variation is the
 * splitmix64 state seeded from --seed, and no floating point is used, so
 * the same seed gives byte-identical output on every platform.
 */
#ifndef TW_SAMPLE_INTERNAL_H
#define TW_SAMPLE_INTERNAL_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "sample/sample.h"

/* ---- bounded writer -------------------------------------------------- */

/* Writes into [p, end); sets overflow instead of writing past end. Every
 * table string is already valid JSON string content (escapes included). */
typedef struct tw_sw {
  char *p;
  char *end;
  int overflow;
} tw_sw;

static inline void tw_sw_put(tw_sw *w, const char *s, size_t n) {
  if ((size_t)(w->end - w->p) < n) {
    w->overflow = 1;
    return;
  }
  memcpy(w->p, s, n);
  w->p += n;
}

/* A string literal (length known at compile time). */
#define TW_SW_LIT(w, lit) tw_sw_put((w), "" lit, sizeof(lit) - 1)

static inline void tw_sw_str(tw_sw *w, const char *s) { tw_sw_put(w, s, strlen(s)); }

static inline void tw_sw_ch(tw_sw *w, char c) {
  if (w->p >= w->end) {
    w->overflow = 1;
    return;
  }
  *w->p++ = c;
}

void tw_sw_u64(tw_sw *w, uint64_t v);
/* v's low n digits, zero-padded (n <= 20). */
void tw_sw_dec(tw_sw *w, uint64_t v, int n);
/* n characters from alphabet (size must be a power of two <= 64), drawn
 * 6 bits at a time from the random word r (and further words as needed). */
void tw_sw_chars(tw_sw *w, uint64_t r, int n, const char *alphabet, unsigned size);

/* ---- PRNG ------------------------------------------------------------ */

/* splitmix64: tiny, fast and statistically fine for synthetic data. */
static inline uint64_t tw_rng_next(uint64_t *s) {
  uint64_t z = (*s += 0x9E3779B97F4A7C15ull);
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
  return z ^ (z >> 31);
}

/* Uniform in [0, n) for n < 2^32 (multiply-shift, no division). */
static inline uint32_t tw_rng_below(uint64_t *s, uint32_t n) {
  return (uint32_t)(((tw_rng_next(s) >> 32) * (uint64_t)n) >> 32);
}

/* A fixed pseudo-random word derived from a key (stable identifiers). */
static inline uint64_t tw_rng_hash(uint64_t key) {
  uint64_t s = key;
  return tw_rng_next(&s);
}

/* ---- tables ---------------------------------------------------------- */

/* How requestParameters / responseElements are written (sample_params.c). */
enum tw_sp_kind {
  TW_SP_NULL,         /* requestParameters null */
  TW_SP_EMPTY,        /* {} */
  TW_SP_KV,           /* {k1: <value of pool a>} */
  TW_SP_IDSET,        /* {k1:{"items":[{k2:"<p1>id"}...]}} (EC2 style) */
  TW_SP_IDS,          /* {k1:"<p1>id"[, k2:"<p2>id"]} */
  TW_SP_EC2_FILTER,   /* Describe* with a filterSet */
  TW_SP_BUCKET,       /* S3 bucket sub-resource call, k1 = query key */
  TW_SP_BUCKET_POLICY,/* PutBucketPolicy with a nested policy document */
  TW_SP_KMS_CRYPTO,   /* Decrypt / GenerateDataKey with encryptionContext */
  TW_SP_KMS_KEY,      /* keyId (+ pendingWindowInDays for deletion) */
  TW_SP_ASSUME_ROLE,  /* roleArn + session; credentials in the response */
  TW_SP_LOG_STREAM,   /* logGroupName + logStreamName */
  TW_SP_SSM_INFO,     /* UpdateInstanceInformation */
  TW_SP_SSM_COMMAND,  /* SendCommand (Windows paths with backslashes) */
  TW_SP_RUN_INSTANCES,/* large request and nested response */
  TW_SP_CREATE_TAGS,  /* tags with \u escapes and a surrogate pair */
  TW_SP_SG_RULE,      /* Authorize/Revoke SecurityGroup ingress/egress */
  TW_SP_IAM_POLICY,   /* Put*Policy (escaped JSON document) / Attach*Policy */
  TW_SP_TRAIL,        /* CloudTrail trail name / ARN */
  TW_SP_CONFIG,       /* AWS Config recorder / delivery channel */
  TW_SP_CREATE_VPC,   /* cidrBlock, response with a vpc object */
  TW_SP_METRIC_DATA   /* GetMetricData: array of queries */
};

/* Value pools for TW_SP_KV. */
enum tw_sp_pool {
  TW_POOL_ROLE, TW_POOL_USER, TW_POOL_FUNCTION, TW_POOL_LOG_GROUP, TW_POOL_PARAM,
  TW_POOL_TABLE, TW_POOL_SECRET, TW_POOL_POLICY_ARN, TW_POOL_INSTANCE, TW_POOL_CLUSTER,
  TW_POOL_ALARM, TW_POOL_ACCOUNT, TW_POOL_REPO, TW_POOL_LB
};

/* API call flags. */
enum {
  TW_API_RO = 1,         /* readOnly true */
  TW_API_GLOBAL = 2,     /* recorded in us-east-1 whatever the caller's region */
  TW_API_RESOURCES = 4,  /* has a "resources" array */
  TW_API_RESP = 8,       /* responseElements is an object, not null */
  TW_API_ACCESS_DENIED_EXC = 16 /* access errors are "AccessDeniedException" */
};

typedef struct tw_api {
  const char *source;   /* eventSource without ".amazonaws.com" */
  const char *name;     /* eventName */
  uint8_t flags;
  uint8_t kind;         /* enum tw_sp_kind */
  uint16_t weight;      /* relative frequency among ordinary calls */
  const char *k1, *p1, *k2, *p2; /* kind-specific keys and id prefixes */
} tw_api;

extern const tw_api tw_sample_apis[];
extern const size_t tw_sample_napis;
/* The rare, security-relevant calls (every name of the 15 CIS filters and
 * the seed rules): one is written every TW_SAMPLE_NOTABLE_EVERY events. */
extern const tw_api tw_sample_notables[];
extern const size_t tw_sample_nnotables;
#define TW_SAMPLE_NOTABLE_EVERY 149

typedef struct tw_role {
  const char *name;     /* role name */
  const char *path;     /* "" or "aws-service-role/<svc>/" etc. */
  const char *service;  /* service-linked: invokedBy host; else NULL */
  const char *session;  /* role session name (may contain escapes) */
} tw_role;

extern const tw_role tw_sample_roles[];
extern const size_t tw_sample_nroles;
extern const size_t tw_sample_nslr;       /* the first nslr roles are service-linked */
extern const char *const tw_sample_users[];
extern const size_t tw_sample_nusers;
/* The mixed profile's accounts come first; the archive's single account
 * (TW_SAMPLE_ARCHIVE_ACCOUNT) is the last entry. */
extern const char *const tw_sample_accounts[];
extern const size_t tw_sample_naccounts;
#define TW_SAMPLE_NMIXED_ACCOUNTS 4u
#define TW_SAMPLE_ARCHIVE_ACCT TW_SAMPLE_NMIXED_ACCOUNTS /* index of the archive account */
extern const char *const tw_sample_regions[];
extern const size_t tw_sample_nregions;
extern const char *const tw_sample_agents[];
extern const size_t tw_sample_nagents;
const char *tw_sample_pool_value(int pool, uint32_t i);
uint32_t tw_sample_pool_size(int pool);

/* ---- one event ------------------------------------------------------- */

enum tw_ident {
  TW_ID_ROLE,     /* AssumedRole, human or workload role */
  TW_ID_SLR,      /* AssumedRole, service-linked role (invokedBy set) */
  TW_ID_USER,     /* IAMUser with an access key */
  TW_ID_SERVICE,  /* AWSService (e.g. sts:AssumeRole by lambda) */
  TW_ID_ROOT,     /* Root */
  TW_ID_NOTYPE    /* AwsServiceEvent: userIdentity without "type" */
};

enum tw_evtype { TW_EV_API, TW_EV_SERVICE, TW_EV_CONSOLE };

typedef struct tw_ev {
  const tw_api *api;
  int ident;            /* enum tw_ident */
  int evtype;           /* enum tw_evtype */
  uint32_t acct, region, role, user, agent;
  const char *error_code;    /* NULL: success */
  const char *error_message; /* may be NULL with an error code */
  const char *invoked_by;    /* Root / AWSService invokedBy, or NULL */
  int mfa;                   /* console sign-in: MFAUsed "Yes" */
  int denied;                /* errorMessage is a composed "not authorized" text */
  int64_t time;              /* epoch seconds */
  uint64_t r;                /* per-event random word for consistent choices
                                (bucket, key, ...) across the event's fields */
} tw_ev;

static inline const char *tw_ev_account(const tw_ev *ev) {
  return tw_sample_accounts[ev->acct];
}

static inline const char *tw_ev_region(const tw_ev *ev) {
  return (ev->api->flags & TW_API_GLOBAL) ? "us-east-1" : tw_sample_regions[ev->region];
}

/* The generator state behind the opaque tw_sample_gen. */
struct tw_sample_gen {
  tw_sample_opts opts;
  uint64_t rng;
  uint64_t index;       /* events written so far */
  uint32_t notable;     /* next entry of tw_sample_notables */
  uint32_t api_total;   /* sum of tw_sample_apis weights */
  uint32_t *api_cum;    /* cumulative weights, napis entries */
  int64_t day;          /* cached day number of day_text */
  char day_text[11];    /* "YYYY-MM-DD" */
};

static inline int tw_sample_is_background(const struct tw_sample_gen *g) {
  return g->opts.profile == TW_SAMPLE_BACKGROUND;
}

/* sample.c: like tw_sample_gen_next, also giving the event's awsRegion
 * (a static string). */
int tw_sample_gen_next_in(tw_sample_gen *g, tw_buf *b, int64_t *event_time,
                          const char **region);

/* sample_event.c */
void tw_sample_event_pick(struct tw_sample_gen *g, tw_ev *ev);
void tw_sample_event_write(struct tw_sample_gen *g, const tw_ev *ev, tw_sw *w);
/* "2024-03-01T00:00:00Z"; g may be NULL (then the day text is not cached). */
void tw_sample_time(struct tw_sample_gen *g, tw_sw *w, int64_t t);
/* "Mar 1, 2024, 1:00:00 AM" (the form CloudTrail uses inside responses) */
void tw_sample_time_human(tw_sw *w, int64_t t);
/* The caller's ARN (for error messages). */
void tw_sample_caller_arn(const tw_ev *ev, tw_sw *w);
/* Stable identifiers, shared by the background and the archive's incidents:
 * "AROA" + 17 (role acct/role), "AIDA" + 17 and "AKIA" + 16 (user). */
void tw_sample_role_principal(uint32_t acct, uint32_t role, tw_sw *w);
void tw_sample_user_principal(uint32_t acct, uint32_t user, tw_sw *w);
void tw_sample_user_key(uint32_t acct, uint32_t user, tw_sw *w);
/* The event's S3 bucket name (from ev->r). */
void tw_sample_bucket(const tw_ev *ev, tw_sw *w);

/* sample_params.c: the inside of requestParameters / responseElements
 * (written after the key, value only: an object or null). */
void tw_sample_request(struct tw_sample_gen *g, const tw_ev *ev, tw_sw *w);
void tw_sample_response(struct tw_sample_gen *g, const tw_ev *ev, tw_sw *w);
/* The event's "resources" array (S3 bucket, KMS key or IAM role). */
void tw_sample_resources(const tw_ev *ev, tw_sw *w);
/* Writes an id such as "sg-0a1b2c..." (prefix + 17 lowercase hex). */
void tw_sample_id(uint64_t *rng, const char *prefix, tw_sw *w);
void tw_sample_uuid(uint64_t *rng, tw_sw *w);
void tw_sample_ip(uint64_t *rng, tw_sw *w);

#endif /* TW_SAMPLE_INTERNAL_H */
