/*
 * cis.h — the 15 CIS CloudWatch filters as hand-written predicates, shared
 * by the benchmark peers (simdjson_count.cpp, cjson_count.c). A peer looks
 * up the few fields the filters use (peer_fields) once per event with its
 * own JSON library, then peer_cis_eval adds the event to each filter's
 * count. Semantics are trailwatch's (docs/patterns.md, DECISIONS.md):
 *
 *   - a comparison on a missing field is false, '!=' included (D10);
 *     only NOT EXISTS is true there, and NOT EXISTS is false for any value;
 *   - string literals equal JSON strings only (after escape decoding);
 *     a JSON number never equals these non-numeric literals, so '!=' is
 *     true for it (D9: its text as written differs); booleans, null,
 *     objects and arrays are false for both '=' and '!=';
 *   - '*' in "*UnauthorizedOperation" / "AccessDenied*" is a suffix /
 *     prefix test (D6).
 *
 * Limitation (irrelevant for CloudTrail): with duplicate keys the peers see
 * one occurrence (the library's choice), trailwatch all of them.
 * Filter i is CIS-(i+1): CloudWatch.1-14, then CIS-15 = CIS v1.4 4.15.
 */
#ifndef PEER_CIS_H
#define PEER_CIS_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

enum peer_kind { PK_ABSENT, PK_STRING, PK_NUMBER, PK_OTHER /* bool, null, object, array */ };

typedef struct peer_field {
  int kind;      /* enum peer_kind */
  const char *s; /* PK_STRING: decoded text (not NUL-terminated) */
  size_t n;
} peer_field;

enum {
  F_EVENT_NAME, F_EVENT_SOURCE, F_ERROR_CODE, F_ERROR_MESSAGE, F_EVENT_TYPE,
  F_UI_TYPE, F_UI_INVOKED_BY, F_MFA_USED, F_RESP_CONSOLE_LOGIN, F_COUNT
};

/* Each field as (object key, member key or NULL). */
static const char *const peer_fields[F_COUNT][2] = {
  {"eventName", NULL},           {"eventSource", NULL},  {"errorCode", NULL},
  {"errorMessage", NULL},        {"eventType", NULL},    {"userIdentity", "type"},
  {"userIdentity", "invokedBy"}, {"additionalEventData", "MFAUsed"},
  {"responseElements", "ConsoleLogin"},
};

#define PEER_NFILTERS 15
static const char *const peer_filter_names[PEER_NFILTERS] = {
  "CIS-1", "CIS-2", "CIS-3", "CIS-4", "CIS-5", "CIS-6", "CIS-7", "CIS-8",
  "CIS-9", "CIS-10", "CIS-11", "CIS-12", "CIS-13", "CIS-14", "CIS-15",
};

static int peer_eq(const peer_field *f, const char *lit) {
  size_t n = strlen(lit);
  return f->kind == PK_STRING && f->n == n && memcmp(f->s, lit, n) == 0;
}

static int peer_ne(const peer_field *f, const char *lit) {
  if (f->kind == PK_NUMBER)
    return 1;
  return f->kind == PK_STRING && !peer_eq(f, lit);
}

static int peer_prefix(const peer_field *f, const char *lit) {
  size_t n = strlen(lit);
  return f->kind == PK_STRING && f->n >= n && memcmp(f->s, lit, n) == 0;
}

static int peer_suffix(const peer_field *f, const char *lit) {
  size_t n = strlen(lit);
  return f->kind == PK_STRING && f->n >= n && memcmp(f->s + f->n - n, lit, n) == 0;
}

/* Is the field one of the NULL-terminated names? */
static int peer_in(const peer_field *f, const char *const *names) {
  for (; *names; names++)
    if (peer_eq(f, *names))
      return 1;
  return 0;
}

static const char *const cw4[] = {
  "DeleteGroupPolicy", "DeleteRolePolicy", "DeleteUserPolicy", "PutGroupPolicy", "PutRolePolicy",
  "PutUserPolicy", "CreatePolicy", "DeletePolicy", "CreatePolicyVersion", "DeletePolicyVersion",
  "AttachRolePolicy", "DetachRolePolicy", "AttachUserPolicy", "DetachUserPolicy",
  "AttachGroupPolicy", "DetachGroupPolicy", NULL};
static const char *const cw5[] = {"CreateTrail", "UpdateTrail", "DeleteTrail", "StartLogging",
                                  "StopLogging", NULL};
static const char *const cw7[] = {"DisableKey", "ScheduleKeyDeletion", NULL};
static const char *const cw8[] = {
  "PutBucketAcl", "PutBucketPolicy", "PutBucketCors", "PutBucketLifecycle", "PutBucketReplication",
  "DeleteBucketPolicy", "DeleteBucketCors", "DeleteBucketLifecycle", "DeleteBucketReplication",
  NULL};
static const char *const cw9[] = {"StopConfigurationRecorder", "DeleteDeliveryChannel",
                                  "PutDeliveryChannel", "PutConfigurationRecorder", NULL};
static const char *const cw10[] = {
  "AuthorizeSecurityGroupIngress", "AuthorizeSecurityGroupEgress", "RevokeSecurityGroupIngress",
  "RevokeSecurityGroupEgress", "CreateSecurityGroup", "DeleteSecurityGroup", NULL};
static const char *const cw11[] = {
  "CreateNetworkAcl", "CreateNetworkAclEntry", "DeleteNetworkAcl", "DeleteNetworkAclEntry",
  "ReplaceNetworkAclEntry", "ReplaceNetworkAclAssociation", NULL};
static const char *const cw12[] = {
  "CreateCustomerGateway", "DeleteCustomerGateway", "AttachInternetGateway",
  "CreateInternetGateway", "DeleteInternetGateway", "DetachInternetGateway", NULL};
static const char *const cw13[] = {
  "CreateRoute", "CreateRouteTable", "ReplaceRoute", "ReplaceRouteTableAssociation",
  "DeleteRouteTable", "DeleteRoute", "DisassociateRouteTable", NULL};
static const char *const cw14[] = {
  "CreateVpc", "DeleteVpc", "ModifyVpcAttribute", "AcceptVpcPeeringConnection",
  "CreateVpcPeeringConnection", "DeleteVpcPeeringConnection", "RejectVpcPeeringConnection",
  "AttachClassicLinkVpc", "DetachClassicLinkVpc", "DisableVpcClassicLink", "EnableVpcClassicLink",
  NULL};
static const char *const cis415[] = {
  "AcceptHandshake", "AttachPolicy", "CreateAccount", "CreateOrganizationalUnit", "CreatePolicy",
  "DeclineHandshake", "DeleteOrganization", "DeleteOrganizationalUnit", "DeletePolicy",
  "DetachPolicy", "DisablePolicyType", "EnablePolicyType", "InviteAccountToOrganization",
  "LeaveOrganization", "MoveAccount", "RemoveAccountFromOrganization", "UpdatePolicy",
  "UpdateOrganizationalUnit", NULL};

static void peer_cis_eval(const peer_field *f, uint64_t *counts) {
  const peer_field *name = &f[F_EVENT_NAME], *src = &f[F_EVENT_SOURCE];
  const peer_field *err = &f[F_ERROR_CODE];
  int console = peer_eq(name, "ConsoleLogin");
  counts[0] += peer_eq(&f[F_UI_TYPE], "Root") && f[F_UI_INVOKED_BY].kind == PK_ABSENT &&
               peer_ne(&f[F_EVENT_TYPE], "AwsServiceEvent");
  counts[1] += peer_suffix(err, "UnauthorizedOperation") || peer_prefix(err, "AccessDenied");
  counts[2] += console && peer_ne(&f[F_MFA_USED], "Yes") && peer_eq(&f[F_UI_TYPE], "IAMUser") &&
               peer_eq(&f[F_RESP_CONSOLE_LOGIN], "Success");
  counts[3] += peer_in(name, cw4);
  counts[4] += peer_in(name, cw5);
  counts[5] += console && peer_eq(&f[F_ERROR_MESSAGE], "Failed authentication");
  counts[6] += peer_eq(src, "kms.amazonaws.com") && peer_in(name, cw7);
  counts[7] += peer_eq(src, "s3.amazonaws.com") && peer_in(name, cw8);
  counts[8] += peer_eq(src, "config.amazonaws.com") && peer_in(name, cw9);
  counts[9] += peer_in(name, cw10);
  counts[10] += peer_in(name, cw11);
  counts[11] += peer_in(name, cw12);
  counts[12] += peer_in(name, cw13);
  counts[13] += peer_in(name, cw14);
  counts[14] += peer_eq(src, "organizations.amazonaws.com") && peer_in(name, cis415);
}

#endif /* PEER_CIS_H */
