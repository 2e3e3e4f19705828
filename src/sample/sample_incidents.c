/*
 * sample_incidents.c — the scripted incidents of the demo archive
 * (`trailwatch sample --archive`), as documented in docs/sample.md: when
 * each event happens and the CloudTrail JSON it records. Each incident
 * keeps one identity, source IP and user agent across its events, so a
 * report built on them tells a story:
 *
 *   1. alice (IAM user, member of the TemporaryAdmins group; CloudTrail
 *      records no groups) assumes TemporaryAdminRole from an unusual IP and
 *      uses it (seed: privileged-role-assumption).
 *   2. a bucket policy change by the Terraform role (CIS.8), then Config's
 *      service-linked role is denied reading that bucket (seed:
 *      service-linked-role-access-denied, CIS.2).
 *   3. bob: two failed console sign-ins (CIS.6), a sign-in without MFA
 *      (CIS.3) and a SwitchRole (seed: privileged-role-assumption).
 *   4. the CI role's session stops the trail (CIS.5); carol restarts it
 *      (CIS.5). Nothing is recorded in between (tw_incident_gap).
 *   5. dave opens SSH to 0.0.0.0/0 on a security group in eu-west-1 (CIS.10).
 *
 * Times are offsets from --start; random identifiers (eventID, requestID)
 * come from the caller's PRNG, identities from fixed hashes shared with the
 * background (tw_sample_user_principal and friends).
 */
#include <stdlib.h>

#include "sample/sample_archive.h"

#define ACCT TW_SAMPLE_ARCHIVE_ACCT
#define ACCOUNT TW_SAMPLE_ARCHIVE_ACCOUNT
#define TRAIL_ARN "arn:aws:cloudtrail:us-east-1:" ACCOUNT ":trail/" TW_ARCHIVE_TRAIL
#define LAKE "data-lake-raw-" ACCOUNT

static const char upper32[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
static const char b64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
static const char hex[] = "0123456789abcdef";

/* Indexes into tw_sample_users / tw_sample_roles (sample_tables.c), so the
 * principal IDs match the same people's background events. */
enum { U_ALICE = 0, U_BOB = 1, U_CAROL = 5, U_DAVE = 6 };
enum { R_CONFIG = 0, R_GITHUB = 13, R_TERRAFORM = 14, R_TEMPADMIN = 15, R_PRODSUPPORT = 200 };

/* Seeds of the temporary access keys, one per session. */
enum { K_ALICE_ADMIN = 0x7A1, K_BOB_SWITCHED, K_CONFIG, K_GITHUB, K_TERRAFORM, K_CAROL };

/* Where the incidents come from (documentation ranges, RFC 5737). */
#define IP_ALICE "198.51.100.201"
#define IP_BOB "203.0.113.45"
#define IP_DAVE "198.51.100.77"
#define IP_CI "198.51.100.23"
#define IP_STOPPER "192.0.2.150"
#define IP_CAROL "203.0.113.10"

#define UA_ALICE "aws-cli/2.15.30 Python/3.11.8 Darwin/23.4.0 exe/x86_64 prompt/off command/"
#define UA_DAVE "aws-cli/2.13.4 Python/3.11.4 Windows/10 exe/AMD64 prompt/off command/"
#define UA_STOPPER \
  "aws-cli/2.17.2 Python/3.11.9 Linux/5.15.0-105-generic exe/x86_64.ubuntu.22 prompt/off command/"
#define UA_FIREFOX "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0"

typedef struct inc_ctx {
  tw_sw *w;
  uint64_t *rng;
  int64_t t;          /* this event's time */
  int64_t t0;         /* the incident's first event's time */
  const char *region; /* this event's awsRegion */
} inc_ctx;

typedef void (*inc_fn)(inc_ctx *c);

typedef struct inc_step {
  int32_t after;      /* seconds after the incident's first event */
  const char *region;
  inc_fn write;
} inc_step;

typedef struct incident {
  int64_t at;         /* first event, seconds after --start */
  const inc_step *steps;
  uint16_t n;
} incident;

/* An assumed-role session as written in userIdentity. */
typedef struct session {
  const char *role, *path; /* role name, IAM path ("" or "aws-service-role/...") */
  uint32_t role_index;     /* for the principal ID */
  const char *name;        /* role session name */
  int key;                 /* K_* seed of the ASIA access key */
  int64_t created;         /* attributes.creationDate */
  const char *web_id;      /* OIDC provider, or NULL */
  const char *invoked_by;  /* service, or NULL */
} session;

/* ---- pieces ---------------------------------------------------------- */

static void put_time(tw_sw *w, int64_t t) { tw_sample_time(NULL, w, t); }

static void put_asia(tw_sw *w, int key) {
  TW_SW_LIT(w, "ASIA");
  tw_sw_chars(w, tw_rng_hash(0x5EED0000u + (uint64_t)key), 16, upper32, 32);
}

static void begin(inc_ctx *c) { TW_SW_LIT(c->w, "{\"eventVersion\":\"1.09\",\"userIdentity\":"); }

static void id_user_head(inc_ctx *c, uint32_t user, int arn) {
  tw_sw *w = c->w;
  TW_SW_LIT(w, "{\"type\":\"IAMUser\",\"principalId\":\"");
  tw_sample_user_principal(ACCT, user, w);
  if (arn) {
    TW_SW_LIT(w, "\",\"arn\":\"arn:aws:iam::" ACCOUNT ":user/");
    tw_sw_str(w, tw_sample_users[user]);
  }
  TW_SW_LIT(w, "\",\"accountId\":\"" ACCOUNT "\"");
}

/* An IAM user calling with its long-term access key (CLI / SDK). */
static void id_user_key(inc_ctx *c, uint32_t user) {
  id_user_head(c, user, 1);
  TW_SW_LIT(c->w, ",\"accessKeyId\":\"");
  tw_sample_user_key(ACCT, user, c->w);
  TW_SW_LIT(c->w, "\",\"userName\":\"");
  tw_sw_str(c->w, tw_sample_users[user]);
  TW_SW_LIT(c->w, "\"}");
}

/* An IAM user in a console session signed in with MFA. */
static void id_user_console(inc_ctx *c, uint32_t user, int key, int64_t created) {
  id_user_head(c, user, 1);
  TW_SW_LIT(c->w, ",\"accessKeyId\":\"");
  put_asia(c->w, key);
  TW_SW_LIT(c->w, "\",\"userName\":\"");
  tw_sw_str(c->w, tw_sample_users[user]);
  TW_SW_LIT(c->w, "\",\"sessionContext\":{\"sessionIssuer\":{},\"webIdFederationData\":{},"
                  "\"attributes\":{\"creationDate\":\"");
  put_time(c->w, created);
  TW_SW_LIT(c->w, "\",\"mfaAuthenticated\":\"true\"}}}");
}

static void id_session(inc_ctx *c, const session *s) {
  tw_sw *w = c->w;
  TW_SW_LIT(w, "{\"type\":\"AssumedRole\",\"principalId\":\"");
  tw_sample_role_principal(ACCT, s->role_index, w);
  tw_sw_ch(w, ':');
  tw_sw_str(w, s->name);
  TW_SW_LIT(w, "\",\"arn\":\"arn:aws:sts::" ACCOUNT ":assumed-role/");
  tw_sw_str(w, s->role);
  tw_sw_ch(w, '/');
  tw_sw_str(w, s->name);
  TW_SW_LIT(w, "\",\"accountId\":\"" ACCOUNT "\",\"accessKeyId\":\"");
  put_asia(w, s->key);
  TW_SW_LIT(w, "\",\"sessionContext\":{\"sessionIssuer\":{\"type\":\"Role\",\"principalId\":\"");
  tw_sample_role_principal(ACCT, s->role_index, w);
  TW_SW_LIT(w, "\",\"arn\":\"arn:aws:iam::" ACCOUNT ":role/");
  tw_sw_str(w, s->path);
  tw_sw_str(w, s->role);
  TW_SW_LIT(w, "\",\"accountId\":\"" ACCOUNT "\",\"userName\":\"");
  tw_sw_str(w, s->role);
  TW_SW_LIT(w, "\"},\"webIdFederationData\":{");
  if (s->web_id) {
    TW_SW_LIT(w, "\"federatedProvider\":\"");
    tw_sw_str(w, s->web_id);
    TW_SW_LIT(w, "\",\"attributes\":{}");
  }
  TW_SW_LIT(w, "},\"attributes\":{\"creationDate\":\"");
  put_time(w, s->created);
  TW_SW_LIT(w, "\",\"mfaAuthenticated\":\"false\"}}");
  if (s->invoked_by) {
    TW_SW_LIT(w, ",\"invokedBy\":\"");
    tw_sw_str(w, s->invoked_by);
    tw_sw_ch(w, '"');
  }
  tw_sw_ch(w, '}');
}

/* eventTime .. userAgent; agent is a prefix completed by command (or NULL). */
static void where(inc_ctx *c, const char *source, const char *name, const char *ip,
                  const char *agent, const char *command) {
  tw_sw *w = c->w;
  TW_SW_LIT(w, ",\"eventTime\":\"");
  put_time(w, c->t);
  TW_SW_LIT(w, "\",\"eventSource\":\"");
  tw_sw_str(w, source);
  TW_SW_LIT(w, "\",\"eventName\":\"");
  tw_sw_str(w, name);
  TW_SW_LIT(w, "\",\"awsRegion\":\"");
  tw_sw_str(w, c->region);
  TW_SW_LIT(w, "\",\"sourceIPAddress\":\"");
  tw_sw_str(w, ip);
  TW_SW_LIT(w, "\",\"userAgent\":\"");
  tw_sw_str(w, agent);
  if (command)
    tw_sw_str(w, command);
  tw_sw_ch(w, '"');
}

static void request_id(inc_ctx *c) {
  TW_SW_LIT(c->w, ",\"requestID\":\"");
  tw_sample_uuid(c->rng, c->w);
  tw_sw_ch(c->w, '"');
}

/* S3: the request ID and the additionalEventData before it. */
static void s3_extra(inc_ctx *c, unsigned bytes_out) {
  tw_sw *w = c->w;
  TW_SW_LIT(w, ",\"additionalEventData\":{\"SignatureVersion\":\"SigV4\",\"CipherSuite\":"
               "\"TLS_AES_128_GCM_SHA256\",\"bytesTransferredIn\":0,\"AuthenticationMethod\":"
               "\"AuthHeader\",\"x-amz-id-2\":\"");
  tw_sw_chars(w, tw_rng_next(c->rng), 76, b64, 64);
  TW_SW_LIT(w, "=\",\"bytesTransferredOut\":");
  tw_sw_u64(w, bytes_out);
  TW_SW_LIT(w, "},\"requestID\":\"");
  tw_sw_chars(w, tw_rng_next(c->rng), 16, "0123456789ABCDEF", 16);
  tw_sw_ch(w, '"');
}

enum { RO = 1, CONSOLE_CREDS = 2, SIGNIN = 4, NO_TLS = 8 };

/* eventID .. the closing brace. resource: the JSON of one "resources"
 * entry or NULL; tls_host: clientProvidedHostHeader. */
static void end(inc_ctx *c, int flags, const char *resource, const char *tls_host) {
  tw_sw *w = c->w;
  TW_SW_LIT(w, ",\"eventID\":\"");
  tw_sample_uuid(c->rng, w);
  if (flags & RO)
    TW_SW_LIT(w, "\",\"readOnly\":true");
  else
    TW_SW_LIT(w, "\",\"readOnly\":false");
  if (resource) {
    TW_SW_LIT(w, ",\"resources\":[{\"accountId\":\"" ACCOUNT "\",");
    tw_sw_str(w, resource);
    TW_SW_LIT(w, "}]");
  }
  if (flags & SIGNIN)
    TW_SW_LIT(w, ",\"eventType\":\"AwsConsoleSignIn\"");
  else
    TW_SW_LIT(w, ",\"eventType\":\"AwsApiCall\"");
  TW_SW_LIT(w, ",\"managementEvent\":true,\"recipientAccountId\":\"" ACCOUNT
               "\",\"eventCategory\":\"Management\"");
  if (!(flags & NO_TLS)) {
    TW_SW_LIT(w, ",\"tlsDetails\":{\"tlsVersion\":\"TLSv1.3\",\"cipherSuite\":"
                 "\"TLS_AES_128_GCM_SHA256\",\"clientProvidedHostHeader\":\"");
    tw_sw_str(w, tls_host);
    TW_SW_LIT(w, "\"}");
  }
  if (flags & CONSOLE_CREDS)
    TW_SW_LIT(w, ",\"sessionCredentialFromConsole\":\"true\"");
  tw_sw_ch(w, '}');
}

/* ---- 1. alice assumes TemporaryAdminRole ------------------------------ */

static session alice_admin(const inc_ctx *c) {
  return (session){"TemporaryAdminRole", "", R_TEMPADMIN, "alice", K_ALICE_ADMIN, c->t0,
                   NULL, NULL};
}

static void alice_assume_role(inc_ctx *c) {
  tw_sw *w = c->w;
  begin(c);
  id_user_key(c, U_ALICE);
  where(c, "sts.amazonaws.com", "AssumeRole", IP_ALICE, UA_ALICE, "sts.assume-role");
  TW_SW_LIT(w, ",\"requestParameters\":{\"roleArn\":\"arn:aws:iam::" ACCOUNT
               ":role/TemporaryAdminRole\",\"roleSessionName\":\"alice\",\"durationSeconds\":3600},"
               "\"responseElements\":{\"credentials\":{\"accessKeyId\":\"");
  put_asia(w, K_ALICE_ADMIN);
  TW_SW_LIT(w, "\",\"sessionToken\":\"IQoJb3JpZ2luX2VjE");
  tw_sw_chars(w, tw_rng_next(c->rng), 180, b64, 64);
  TW_SW_LIT(w, "\",\"expiration\":\"");
  tw_sample_time_human(w, c->t + 3600);
  TW_SW_LIT(w, "\"},\"assumedRoleUser\":{\"assumedRoleId\":\"");
  tw_sample_role_principal(ACCT, R_TEMPADMIN, w);
  TW_SW_LIT(w, ":alice\",\"arn\":\"arn:aws:sts::" ACCOUNT
               ":assumed-role/TemporaryAdminRole/alice\"}}");
  request_id(c);
  end(c, RO, "\"type\":\"AWS::IAM::Role\",\"ARN\":\"arn:aws:iam::" ACCOUNT
             ":role/TemporaryAdminRole\"", "sts.amazonaws.com");
}

static void alice_call(inc_ctx *c, const char *source, const char *name, const char *command) {
  session s = alice_admin(c);
  begin(c);
  id_session(c, &s);
  where(c, source, name, IP_ALICE, UA_ALICE, command);
}

static void alice_get_caller_identity(inc_ctx *c) {
  alice_call(c, "sts.amazonaws.com", "GetCallerIdentity", "sts.get-caller-identity");
  TW_SW_LIT(c->w, ",\"requestParameters\":null,\"responseElements\":null");
  request_id(c);
  end(c, RO, NULL, "sts.amazonaws.com");
}

static void alice_list_users(inc_ctx *c) {
  alice_call(c, "iam.amazonaws.com", "ListUsers", "iam.list-users");
  TW_SW_LIT(c->w, ",\"requestParameters\":null,\"responseElements\":null");
  request_id(c);
  end(c, RO, NULL, "iam.amazonaws.com");
}

static void alice_create_access_key(inc_ctx *c) {
  tw_sw *w = c->w;
  alice_call(c, "iam.amazonaws.com", "CreateAccessKey", "iam.create-access-key");
  TW_SW_LIT(w, ",\"requestParameters\":{\"userName\":\"legacy-app\"},\"responseElements\":"
               "{\"accessKey\":{\"userName\":\"legacy-app\",\"accessKeyId\":\"AKIA");
  tw_sw_chars(w, tw_rng_next(c->rng), 16, upper32, 32);
  TW_SW_LIT(w, "\",\"status\":\"Active\",\"createDate\":\"");
  tw_sample_time_human(w, c->t);
  TW_SW_LIT(w, "\"}}");
  request_id(c);
  end(c, 0, NULL, "iam.amazonaws.com");
}

static void alice_list_buckets(inc_ctx *c) {
  alice_call(c, "s3.amazonaws.com", "ListBuckets", "s3.ls");
  TW_SW_LIT(c->w, ",\"requestParameters\":{\"Host\":\"s3.us-east-1.amazonaws.com\"},"
                  "\"responseElements\":null");
  s3_extra(c, 2187);
  end(c, RO, NULL, "s3.us-east-1.amazonaws.com");
}

static const inc_step alice_steps[] = {
  {0, "us-east-1", alice_assume_role},
  {22, "us-east-1", alice_get_caller_identity},
  {64, "us-east-1", alice_list_users},
  {107, "us-east-1", alice_create_access_key},
  {193, "us-east-1", alice_list_buckets},
};

/* ---- 2. a bucket policy change locks out AWS Config -------------------- */

static void ci_put_bucket_policy(inc_ctx *c) {
  session s = {"terraform-ci", "", R_TERRAFORM, "terraform-run-18342", K_TERRAFORM,
               c->t0 - 95, NULL, NULL};
  begin(c);
  id_session(c, &s);
  where(c, "s3.amazonaws.com", "PutBucketPolicy", IP_CI, tw_sample_agents[1], NULL);
  TW_SW_LIT(c->w, ",\"requestParameters\":{\"bucketPolicy\":{\"Version\":\"2012-10-17\","
                  "\"Statement\":[{\"Sid\":\"DenyOutsideVpce\",\"Effect\":\"Deny\",\"Principal\":"
                  "\"*\",\"Action\":\"s3:*\",\"Resource\":[\"arn:aws:s3:::" LAKE
                  "\",\"arn:aws:s3:::" LAKE "/*\"],\"Condition\":{\"StringNotEquals\":"
                  "{\"aws:SourceVpce\":\"vpce-0a7c41d9e2b35f608\"}}}]},\"bucketName\":\"" LAKE
                  "\",\"Host\":\"" LAKE ".s3.amazonaws.com\",\"policy\":\"\"},"
                  "\"responseElements\":null");
  s3_extra(c, 0);
  end(c, 0, "\"type\":\"AWS::S3::Bucket\",\"ARN\":\"arn:aws:s3:::" LAKE "\"",
      LAKE ".s3.amazonaws.com");
}

/* Config's service-linked role reading the bucket's configuration. */
static void slr_denied(inc_ctx *c, const char *name, const char *subresource) {
  tw_sw *w = c->w;
  session s = {"AWSServiceRoleForConfig", "aws-service-role/config.amazonaws.com/", R_CONFIG,
               "AWSConfig-Describe", K_CONFIG, c->t0 + 277, NULL, "config.amazonaws.com"};
  begin(c);
  id_session(c, &s);
  where(c, "s3.amazonaws.com", name, "config.amazonaws.com", "config.amazonaws.com", NULL);
  TW_SW_LIT(w, ",\"errorCode\":\"AccessDenied\",\"errorMessage\":\"Access Denied\","
               "\"requestParameters\":{\"bucketName\":\"" LAKE "\",\"Host\":\"" LAKE
               ".s3.us-east-1.amazonaws.com\",\"");
  tw_sw_str(w, subresource);
  TW_SW_LIT(w, "\":\"\"},\"responseElements\":null");
  s3_extra(c, 243);
  end(c, RO | NO_TLS, "\"type\":\"AWS::S3::Bucket\",\"ARN\":\"arn:aws:s3:::" LAKE "\"", NULL);
}

static void slr_get_acl(inc_ctx *c) { slr_denied(c, "GetBucketAcl", "acl"); }
static void slr_get_policy(inc_ctx *c) { slr_denied(c, "GetBucketPolicy", "policy"); }
static void slr_get_logging(inc_ctx *c) { slr_denied(c, "GetBucketLogging", "logging"); }

static const inc_step slr_steps[] = {
  {0, "us-east-1", ci_put_bucket_policy},
  {322, "us-east-1", slr_get_acl},
  {322, "us-east-1", slr_get_policy},
  {323, "us-east-1", slr_get_logging},
  {474, "us-east-1", slr_get_acl},
  {475, "us-east-1", slr_get_policy},
  {570, "us-east-1", slr_get_acl},
};

/* ---- 3. bob: console sign-in without MFA, then SwitchRole -------------- */

static void bob_login(inc_ctx *c, int ok) {
  tw_sw *w = c->w;
  begin(c);
  id_user_head(c, U_BOB, ok);
  if (ok)
    TW_SW_LIT(w, ",\"userName\":\"bob\"}");
  else
    TW_SW_LIT(w, ",\"accessKeyId\":\"\",\"userName\":\"bob\"}");
  where(c, "signin.amazonaws.com", "ConsoleLogin", IP_BOB, UA_FIREFOX, NULL);
  if (!ok)
    TW_SW_LIT(w, ",\"errorMessage\":\"Failed authentication\"");
  TW_SW_LIT(w, ",\"requestParameters\":null,\"responseElements\":{\"ConsoleLogin\":\"");
  if (ok)
    TW_SW_LIT(w, "Success\"}");
  else
    TW_SW_LIT(w, "Failure\"}");
  TW_SW_LIT(w, ",\"additionalEventData\":{\"LoginTo\":\"https://console.aws.amazon.com/console/"
               "home?hashArgs=%23&isauthcode=true&state=hashArgsFromTB_us-east-1_");
  tw_sw_chars(w, tw_rng_next(c->rng), 16, hex, 16);
  TW_SW_LIT(w, "\",\"MobileVersion\":\"No\",\"MFAUsed\":\"No\"}");
  end(c, SIGNIN, NULL, "signin.aws.amazon.com");
}

static void bob_login_failed(inc_ctx *c) { bob_login(c, 0); }
static void bob_login_ok(inc_ctx *c) { bob_login(c, 1); }

#define BOB_SWITCH_AFTER 153

static session bob_switched(const inc_ctx *c) {
  return (session){"ProdSupportRole", "", R_PRODSUPPORT, "bob", K_BOB_SWITCHED,
                   c->t0 + BOB_SWITCH_AFTER, NULL, NULL};
}

static void bob_switch_role(inc_ctx *c) {
  session s = bob_switched(c);
  begin(c);
  id_session(c, &s);
  where(c, "signin.amazonaws.com", "SwitchRole", IP_BOB, UA_FIREFOX, NULL);
  TW_SW_LIT(c->w, ",\"requestParameters\":null,\"responseElements\":{\"SwitchRole\":\"Success\"},"
                  "\"additionalEventData\":{\"SwitchFrom\":\"arn:aws:iam::" ACCOUNT ":user/bob\","
                  "\"RedirectTo\":\"https://us-east-1.console.aws.amazon.com/ec2/home?"
                  "region=us-east-1#Instances:\"}");
  end(c, SIGNIN, NULL, "signin.aws.amazon.com");
}

static void bob_console_call(inc_ctx *c, const char *name, const char *request) {
  session s = bob_switched(c);
  begin(c);
  id_session(c, &s);
  where(c, "ec2.amazonaws.com", name, IP_BOB, UA_FIREFOX, NULL);
  TW_SW_LIT(c->w, ",\"requestParameters\":");
  tw_sw_str(c->w, request);
  TW_SW_LIT(c->w, ",\"responseElements\":null");
  request_id(c);
  end(c, RO | CONSOLE_CREDS, NULL, "ec2.us-east-1.amazonaws.com");
}

static void bob_describe_instances(inc_ctx *c) {
  bob_console_call(c, "DescribeInstances",
                   "{\"instancesSet\":{},\"filterSet\":{},\"maxResults\":50}");
}

static void bob_describe_sgs(inc_ctx *c) {
  bob_console_call(c, "DescribeSecurityGroups",
                   "{\"securityGroupSet\":{},\"securityGroupIdSet\":{},\"filterSet\":{},"
                   "\"maxResults\":100}");
}

static const inc_step bob_steps[] = {
  {0, "us-east-1", bob_login_failed},
  {24, "us-east-1", bob_login_failed},
  {55, "us-east-1", bob_login_ok},
  {BOB_SWITCH_AFTER, "us-east-1", bob_switch_role},
  {185, "us-east-1", bob_describe_instances},
  {241, "us-east-1", bob_describe_sgs},
};

/* ---- 4. the CI role's session stops the trail; carol restarts it ------- */

#define STOP_AFTER 94
#define RESTART_AFTER 1499

static void stopper_call(inc_ctx *c, const char *name, const char *command, const char *request) {
  session s = {"GitHubActionsDeploy", "", R_GITHUB, "GitHubActions", K_GITHUB, c->t0 - 312,
               "arn:aws:iam::" ACCOUNT ":oidc-provider/token.actions.githubusercontent.com",
               NULL};
  begin(c);
  id_session(c, &s);
  where(c, "cloudtrail.amazonaws.com", name, IP_STOPPER, UA_STOPPER, command);
  TW_SW_LIT(c->w, ",\"requestParameters\":");
  tw_sw_str(c->w, request);
  TW_SW_LIT(c->w, ",\"responseElements\":null");
  request_id(c);
}

static void stopper_describe_trails(inc_ctx *c) {
  stopper_call(c, "DescribeTrails", "cloudtrail.describe-trails",
               "{\"trailNameList\":[],\"includeShadowTrails\":true}");
  end(c, RO, NULL, "cloudtrail.us-east-1.amazonaws.com");
}

static void stopper_get_trail_status(inc_ctx *c) {
  stopper_call(c, "GetTrailStatus", "cloudtrail.get-trail-status",
               "{\"name\":\"" TRAIL_ARN "\"}");
  end(c, RO, NULL, "cloudtrail.us-east-1.amazonaws.com");
}

static void stopper_stop_logging(inc_ctx *c) {
  stopper_call(c, "StopLogging", "cloudtrail.stop-logging", "{\"name\":\"" TRAIL_ARN "\"}");
  end(c, 0, NULL, "cloudtrail.us-east-1.amazonaws.com");
}

static void carol_start_logging(inc_ctx *c) {
  begin(c);
  id_user_console(c, U_CAROL, K_CAROL, c->t - 540);
  where(c, "cloudtrail.amazonaws.com", "StartLogging", IP_CAROL, tw_sample_agents[6], NULL);
  TW_SW_LIT(c->w, ",\"requestParameters\":{\"name\":\"" TRAIL_ARN "\"},\"responseElements\":null");
  request_id(c);
  end(c, CONSOLE_CREDS, NULL, "cloudtrail.us-east-1.amazonaws.com");
}

static const inc_step stop_steps[] = {
  {0, "us-east-1", stopper_describe_trails},
  {31, "us-east-1", stopper_get_trail_status},
  {STOP_AFTER, "us-east-1", stopper_stop_logging},
  {RESTART_AFTER, "us-east-1", carol_start_logging},
};

/* ---- 5. dave opens SSH to the world in eu-west-1 ----------------------- */

#define DAVE_SG "sg-0f3e2d1c0b9a87654"

static void dave_describe_sgs(inc_ctx *c) {
  begin(c);
  id_user_key(c, U_DAVE);
  where(c, "ec2.amazonaws.com", "DescribeSecurityGroups", IP_DAVE, UA_DAVE,
        "ec2.describe-security-groups");
  TW_SW_LIT(c->w, ",\"requestParameters\":{\"securityGroupSet\":{},\"securityGroupIdSet\":"
                  "{\"items\":[{\"groupId\":\"" DAVE_SG "\"}]},\"filterSet\":{}},"
                  "\"responseElements\":null");
  request_id(c);
  end(c, RO, NULL, "ec2.eu-west-1.amazonaws.com");
}

static void dave_authorize_ssh(inc_ctx *c) {
  tw_sw *w = c->w;
  begin(c);
  id_user_key(c, U_DAVE);
  where(c, "ec2.amazonaws.com", "AuthorizeSecurityGroupIngress", IP_DAVE, UA_DAVE,
        "ec2.authorize-security-group-ingress");
  TW_SW_LIT(w, ",\"requestParameters\":{\"groupId\":\"" DAVE_SG "\",\"ipPermissions\":{\"items\":"
               "[{\"ipProtocol\":\"tcp\",\"fromPort\":22,\"toPort\":22,\"groups\":{},\"ipRanges\":"
               "{\"items\":[{\"cidrIp\":\"0.0.0.0/0\",\"description\":\"temp ssh from home\"}]},"
               "\"ipv6Ranges\":{},\"prefixListIds\":{}}]}},\"responseElements\":{\"requestId\":\"");
  tw_sample_uuid(c->rng, w);
  TW_SW_LIT(w, "\",\"_return\":true,\"securityGroupRuleSet\":{\"items\":[{\"groupOwnerId\":\""
               ACCOUNT "\",\"groupId\":\"" DAVE_SG "\",\"securityGroupRuleId\":\"sgr-");
  tw_sw_chars(w, tw_rng_next(c->rng), 17, hex, 16);
  TW_SW_LIT(w, "\",\"isEgress\":false,\"ipProtocol\":\"tcp\",\"fromPort\":22,\"toPort\":22,"
               "\"cidrIpv4\":\"0.0.0.0/0\",\"description\":\"temp ssh from home\"}]}}");
  request_id(c);
  end(c, 0, NULL, "ec2.eu-west-1.amazonaws.com");
}

static const inc_step sg_steps[] = {
  {0, "eu-west-1", dave_describe_sgs},
  {33, "eu-west-1", dave_authorize_ssh},
};

/* ---- the schedule ----------------------------------------------------- */

#define N_(a) (uint16_t)(sizeof(a) / sizeof((a)[0]))
#define DAY 86400

/* Numbered as in docs/sample.md; day 1 starts at --start. */
static const incident incidents[] = {
  {DAY + 10 * 3600 + 5 * 60 + 18, alice_steps, N_(alice_steps)}, /* day 2 10:05:18 */
  {14 * 3600 + 31 * 60 + 50, slr_steps, N_(slr_steps)},          /* day 1 14:31:50 */
  {9 * 3600 + 12 * 60 + 7, bob_steps, N_(bob_steps)},            /* day 1 09:12:07 */
  {DAY + 3 * 3600 + 16 * 60 + 10, stop_steps, N_(stop_steps)},   /* day 2 03:16:10 */
  {22 * 3600 + 47 * 60 + 30, sg_steps, N_(sg_steps)},            /* day 1 22:47:30 */
};
#define N_INCIDENTS (sizeof incidents / sizeof incidents[0])
#define STOP_INCIDENT 3

/* The incident's first event: day 2 moves to day 1 when there is one day. */
static int64_t incident_start(const tw_sample_archive_opts *o, size_t i) {
  int64_t at = incidents[i].at;
  if (o->days < 2)
    at %= DAY;
  return o->start + at;
}

size_t tw_incident_count(void) {
  size_t n = 0;
  for (size_t i = 0; i < N_INCIDENTS; i++)
    n += incidents[i].n;
  return n;
}

static int ref_cmp(const void *pa, const void *pb) {
  const tw_incident_ref *a = pa, *b = pb;
  if (a->time != b->time)
    return a->time < b->time ? -1 : 1;
  if (a->incident != b->incident)
    return a->incident < b->incident ? -1 : 1;
  return a->step < b->step ? -1 : a->step > b->step;
}

void tw_incident_schedule(const tw_sample_archive_opts *o, tw_incident_ref *refs) {
  size_t k = 0;
  for (size_t i = 0; i < N_INCIDENTS; i++)
    for (uint16_t s = 0; s < incidents[i].n; s++)
      refs[k++] = (tw_incident_ref){incident_start(o, i) + incidents[i].steps[s].after,
                                    (uint16_t)i, s};
  qsort(refs, k, sizeof *refs, ref_cmp);
}

const char *tw_incident_region(const tw_incident_ref *ref) {
  return incidents[ref->incident].steps[ref->step].region;
}

void tw_incident_write(const tw_sample_archive_opts *o, const tw_incident_ref *ref,
                       uint64_t *rng, tw_sw *w) {
  const inc_step *s = &incidents[ref->incident].steps[ref->step];
  inc_ctx c = {w, rng, ref->time, incident_start(o, ref->incident), s->region};
  s->write(&c);
}

void tw_incident_gap(const tw_sample_archive_opts *o, int64_t *from, int64_t *to) {
  int64_t t0 = incident_start(o, STOP_INCIDENT);
  *from = t0 + STOP_AFTER;
  *to = t0 + RESTART_AFTER;
}
