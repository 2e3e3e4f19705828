/*
 * sample_params.c — requestParameters and responseElements of synthetic
 * CloudTrail events, one small writer per shape (enum tw_sp_kind). Shapes
 * follow what real trails record for these calls: EC2's "xxxSet":{"items":[
 * ...]} nesting, S3's bucket sub-resource keys, IAM policy documents as
 * escaped JSON text, STS credentials, and so on.
 */
#include "sample/sample_internal.h"

static const char hex[] = "0123456789abcdef";

void tw_sample_id(uint64_t *rng, const char *prefix, tw_sw *w) {
  tw_sw_str(w, prefix);
  tw_sw_chars(w, tw_rng_next(rng), 17, hex, 16);
}

void tw_sample_uuid(uint64_t *rng, tw_sw *w) {
  char u[36];
  uint64_t a = tw_rng_next(rng), b = tw_rng_next(rng);
  for (int i = 0, k = 0; i < 36; i++) {
    if (i == 8 || i == 13 || i == 18 || i == 23) {
      u[i] = '-';
      continue;
    }
    uint64_t *src = k < 16 ? &a : &b;
    u[i] = hex[*src & 15];
    *src >>= 4;
    k++;
  }
  u[14] = '4';                       /* version 4 */
  u[19] = "89ab"[(unsigned char)u[0] & 3]; /* RFC 4122 variant */
  tw_sw_put(w, u, sizeof u);
}

void tw_sample_ip(uint64_t *rng, tw_sw *w) {
  static const uint8_t first[] = {3, 18, 34, 35, 52, 54, 81, 185, 198, 203};
  uint64_t r = tw_rng_next(rng);
  tw_sw_u64(w, first[(r & 0xffff) % sizeof first]);
  for (int i = 0; i < 3; i++) {
    r >>= 16;
    tw_sw_ch(w, '.');
    tw_sw_u64(w, (r & 0xff) % 254 + 1);
  }
}

/* A stable KMS key ARN: one of four keys per account and region. */
static void kms_key_arn(const tw_ev *ev, tw_sw *w) {
  uint64_t s = tw_rng_hash(ev->acct * 131 + ev->region * 7 + (ev->r & 3));
  TW_SW_LIT(w, "arn:aws:kms:");
  tw_sw_str(w, tw_ev_region(ev));
  tw_sw_ch(w, ':');
  tw_sw_str(w, tw_ev_account(ev));
  TW_SW_LIT(w, ":key/");
  tw_sample_uuid(&s, w);
}

/* The pool's target group ARN moved into the event's region and account:
 * "arn:aws:elasticloadbalancing:R:A:targetgroup/NAME/ID". */
static void target_group_arn(const tw_ev *ev, const char *pooled, tw_sw *w) {
  const char *tg = strstr(pooled, ":targetgroup/");
  TW_SW_LIT(w, "arn:aws:elasticloadbalancing:");
  tw_sw_str(w, tw_ev_region(ev));
  tw_sw_ch(w, ':');
  tw_sw_str(w, tw_ev_account(ev));
  tw_sw_str(w, tg ? tg : ":targetgroup/unknown/0");
}

static void kv_value(struct tw_sample_gen *g, const tw_ev *ev, const char *k, tw_sw *w) {
  static const struct { const char *key; int pool; } map[] = {
    {"roleName", TW_POOL_ROLE}, {"userName", TW_POOL_USER}, {"functionName", TW_POOL_FUNCTION},
    {"logGroupName", TW_POOL_LOG_GROUP}, {"name", TW_POOL_PARAM}, {"tableName", TW_POOL_TABLE},
    {"secretId", TW_POOL_SECRET}, {"policyArn", TW_POOL_POLICY_ARN},
    {"dBInstanceIdentifier", TW_POOL_INSTANCE}, {"dBClusterIdentifier", TW_POOL_CLUSTER},
    {"alarmName", TW_POOL_ALARM}, {"accountName", TW_POOL_ACCOUNT},
    {"repositoryName", TW_POOL_REPO}, {"targetGroupArn", TW_POOL_LB},
  };
  if (!strcmp(k, "accountId") || !strcmp(k, "target")) {
    tw_sw_ch(w, '"');
    tw_sw_str(w, tw_sample_accounts[(ev->acct + 1) % TW_SAMPLE_NMIXED_ACCOUNTS]);
    tw_sw_ch(w, '"');
    return;
  }
  if (!strcmp(k, "names")) {
    TW_SW_LIT(w, "[\"/prod/orders/db-host\",\"/prod/orders/db-port\",\"/prod/orders/db-user\"]");
    return;
  }
  int pool = TW_POOL_ROLE;
  for (size_t i = 0; i < sizeof map / sizeof map[0]; i++)
    if (!strcmp(k, map[i].key)) {
      pool = map[i].pool;
      break;
    }
  const char *v = tw_sample_pool_value(pool, tw_rng_below(&g->rng, tw_sample_pool_size(pool)));
  tw_sw_ch(w, '"');
  if (pool == TW_POOL_LB && tw_sample_is_background(g))
    target_group_arn(ev, v, w);
  else
    tw_sw_str(w, v);
  tw_sw_ch(w, '"');
}

static void req_kv(struct tw_sample_gen *g, const tw_ev *ev, tw_sw *w) {
  tw_sw_ch(w, '{');
  tw_sw_ch(w, '"');
  tw_sw_str(w, ev->api->k1);
  TW_SW_LIT(w, "\":");
  kv_value(g, ev, ev->api->k1, w);
  if (!strcmp(ev->api->k1, "logGroupName"))
    TW_SW_LIT(w, ",\"descending\":true,\"orderBy\":\"LastEventTime\",\"limit\":50");
  tw_sw_ch(w, '}');
}

static void req_idset(struct tw_sample_gen *g, const tw_ev *ev, tw_sw *w) {
  const tw_api *a = ev->api;
  uint32_t n = 1 + tw_rng_below(&g->rng, 3);
  TW_SW_LIT(w, "{\"");
  tw_sw_str(w, a->k1);
  TW_SW_LIT(w, "\":{\"items\":[");
  for (uint32_t i = 0; i < n; i++) {
    TW_SW_LIT(w, "{\"");
    tw_sw_str(w, a->k2);
    TW_SW_LIT(w, "\":\"");
    tw_sample_id(&g->rng, a->p1, w);
    TW_SW_LIT(w, "\"}");
    if (i + 1 < n)
      tw_sw_ch(w, ',');
  }
  TW_SW_LIT(w, "]}");
  if (a->flags & TW_API_RO)
    TW_SW_LIT(w, ",\"filterSet\":{}");
  if (!strcmp(a->name, "DescribeInstanceStatus"))
    TW_SW_LIT(w, ",\"includeAllInstances\":false");
  tw_sw_ch(w, '}');
}

/* The value of an IDS key that has no id prefix. */
static void ids_plain(struct tw_sample_gen *g, const char *k, tw_sw *w) {
  if (!strcmp(k, "bgpAsn")) {
    tw_sw_u64(w, 64512 + tw_rng_below(&g->rng, 1000));
    return;
  }
  tw_sw_ch(w, '"');
  if (!strcmp(k, "ipAddress"))
    tw_sample_ip(&g->rng, w);
  else if (!strcmp(k, "groupName"))
    TW_SW_LIT(w, "launch-wizard-7");
  else if (!strcmp(k, "description"))
    TW_SW_LIT(w, "ELB app/orders-api/6d0ecf831eec9f09");
  else if (!strcmp(k, "resultToken"))
    TW_SW_LIT(w, "AAEAAQAAAAZSZXN1bHQAAAAB");
  else
    TW_SW_LIT(w, "0.0.0.0/0");
  tw_sw_ch(w, '"');
}

static void ids_pair(struct tw_sample_gen *g, const char *k, const char *p, tw_sw *w) {
  tw_sw_ch(w, '"');
  tw_sw_str(w, k);
  TW_SW_LIT(w, "\":");
  if (p && *p) {
    tw_sw_ch(w, '"');
    tw_sample_id(&g->rng, p, w);
    tw_sw_ch(w, '"');
  } else {
    ids_plain(g, k, w);
  }
}

static void req_ids(struct tw_sample_gen *g, const tw_ev *ev, tw_sw *w) {
  tw_sw_ch(w, '{');
  ids_pair(g, ev->api->k1, ev->api->p1, w);
  if (ev->api->k2) {
    tw_sw_ch(w, ',');
    ids_pair(g, ev->api->k2, ev->api->p2, w);
  }
  tw_sw_ch(w, '}');
}

static void req_ec2_filter(struct tw_sample_gen *g, const tw_ev *ev, tw_sw *w) {
  TW_SW_LIT(w, "{\"filterSet\":{\"items\":[{\"name\":\"");
  tw_sw_str(w, ev->api->k1);
  TW_SW_LIT(w, "\",\"valueSet\":{\"items\":[{\"value\":\"");
  tw_sample_id(&g->rng, ev->api->p1, w);
  TW_SW_LIT(w, "\"}]}}]}}");
}

static void req_bucket(struct tw_sample_gen *g, const tw_ev *ev, tw_sw *w) {
  const char *k = ev->api->k1;
  int put = ev->api->name[0] == 'P';
  TW_SW_LIT(w, "{\"bucketName\":\"");
  tw_sample_bucket(ev, w);
  TW_SW_LIT(w, "\",\"Host\":\"");
  tw_sample_bucket(ev, w);
  TW_SW_LIT(w, ".s3.");
  tw_sw_str(w, tw_ev_region(ev));
  TW_SW_LIT(w, ".amazonaws.com\",\"");
  tw_sw_str(w, k);
  TW_SW_LIT(w, "\":\"\"");
  if (put && !strcmp(k, "cors"))
    TW_SW_LIT(w, ",\"CORSConfiguration\":{\"xmlns\":\"http:\\/\\/s3.amazonaws.com\\/doc\\/2006-03-01\\/\","
                 "\"CORSRule\":[{\"AllowedMethod\":[\"GET\",\"PUT\"],\"AllowedOrigin\":"
                 "[\"https:\\/\\/app.example.com\",\"https:\\/\\/caf\\u00e9.example.com\"],"
                 "\"MaxAgeSeconds\":3000}]}");
  else if (put && !strcmp(k, "acl"))
    TW_SW_LIT(w, ",\"AccessControlPolicy\":{\"AccessControlList\":{\"Grant\":[{\"Grantee\":{\"xsi:type\":"
                 "\"Group\",\"URI\":\"http://acs.amazonaws.com/groups/global/AllUsers\"},"
                 "\"Permission\":\"READ\"}]},\"Owner\":{\"ID\":\"4f6a1b2c3d\"}}");
  else if (put && !strcmp(k, "tagging"))
    TW_SW_LIT(w, ",\"Tagging\":{\"TagSet\":{\"Tag\":[{\"Key\":\"team\",\"Value\":\"payments\"},"
                 "{\"Key\":\"cost-center\",\"Value\":\"4711\"}]}}");
  tw_sw_ch(w, '}');
  (void)g;
}

static void req_bucket_policy(struct tw_sample_gen *g, const tw_ev *ev, tw_sw *w) {
  TW_SW_LIT(w, "{\"bucketPolicy\":{\"Version\":\"2012-10-17\",\"Statement\":[{\"Sid\":"
               "\"AllowCloudFront\",\"Effect\":\"Allow\",\"Principal\":{\"Service\":"
               "\"cloudfront.amazonaws.com\"},\"Action\":\"s3:GetObject\",\"Resource\":"
               "\"arn:aws:s3:::");
  tw_sample_bucket(ev, w);
  TW_SW_LIT(w, "/*\"},{\"Sid\":\"DenyInsecure\",\"Effect\":\"Deny\",\"Principal\":\"*\","
               "\"Action\":\"s3:*\",\"Resource\":[\"arn:aws:s3:::");
  tw_sample_bucket(ev, w);
  TW_SW_LIT(w, "\"],\"Condition\":{\"Bool\":{\"aws:SecureTransport\":\"false\"}}}]},"
               "\"bucketName\":\"");
  tw_sample_bucket(ev, w);
  TW_SW_LIT(w, "\",\"Host\":\"");
  tw_sample_bucket(ev, w);
  TW_SW_LIT(w, ".s3.amazonaws.com\",\"policy\":\"\"}");
  (void)g;
}

static void req_kms_crypto(struct tw_sample_gen *g, const tw_ev *ev, tw_sw *w) {
  if (ev->api->name[0] == 'G') {
    TW_SW_LIT(w, "{\"keyId\":\"");
    kms_key_arn(ev, w);
    TW_SW_LIT(w, "\",\"encryptionContext\":{\"aws:s3:arn\":\"arn:aws:s3:::");
    tw_sample_bucket(ev, w);
    TW_SW_LIT(w, "/exports/");
    tw_sample_uuid(&g->rng, w);
    TW_SW_LIT(w, ".parquet\"},\"keySpec\":\"AES_256\"}");
    return;
  }
  TW_SW_LIT(w, "{\"encryptionContext\":{\"aws:lambda:FunctionArn\":\"arn:aws:lambda:");
  tw_sw_str(w, tw_ev_region(ev));
  tw_sw_ch(w, ':');
  tw_sw_str(w, tw_ev_account(ev));
  TW_SW_LIT(w, ":function:");
  tw_sw_str(w, tw_sample_pool_value(TW_POOL_FUNCTION, (uint32_t)(ev->r >> 8)));
  TW_SW_LIT(w, "\"},\"encryptionAlgorithm\":\"SYMMETRIC_DEFAULT\"}");
}

static void req_kms_key(struct tw_sample_gen *g, const tw_ev *ev, tw_sw *w) {
  TW_SW_LIT(w, "{\"keyId\":\"");
  kms_key_arn(ev, w);
  tw_sw_ch(w, '"');
  if (ev->api->k1)
    TW_SW_LIT(w, ",\"pendingWindowInDays\":7");
  if (!strcmp(ev->api->name, "CreateGrant"))
    TW_SW_LIT(w, ",\"operations\":[\"Decrypt\",\"GenerateDataKeyWithoutPlaintext\",\"ReEncryptFrom\","
                 "\"ReEncryptTo\",\"CreateGrant\",\"DescribeKey\"],\"granteePrincipal\":"
                 "\"autoscaling.amazonaws.com\",\"constraints\":{\"encryptionContextSubset\":"
                 "{\"aws:ebs:id\":\"vol-0c1d2e3f4a5b6c7d8\"}}");
  tw_sw_ch(w, '}');
  (void)g;
}

static const char *assume_target(const tw_ev *ev) {
  if (ev->api->k1)
    return ev->api->k1;
  return tw_sample_pool_value(TW_POOL_ROLE, (uint32_t)(ev->r >> 12));
}

static void req_assume_role(struct tw_sample_gen *g, const tw_ev *ev, tw_sw *w) {
  /* the mixed profile assumes roles across its accounts; the archive's
   * single account only its own */
  uint32_t acct = ev->acct == TW_SAMPLE_ARCHIVE_ACCT
                      ? ev->acct
                      : (ev->acct + (uint32_t)(ev->r & 1)) % TW_SAMPLE_NMIXED_ACCOUNTS;
  TW_SW_LIT(w, "{\"roleArn\":\"arn:aws:iam::");
  tw_sw_str(w, tw_sample_accounts[acct]);
  TW_SW_LIT(w, ":role/");
  tw_sw_str(w, assume_target(ev));
  TW_SW_LIT(w, "\",\"roleSessionName\":\"");
  if (ev->api->k1)
    TW_SW_LIT(w, "breakglass-bob");
  else
    tw_sample_id(&g->rng, "session-", w);
  TW_SW_LIT(w, "\",\"durationSeconds\":3600}");
}

static void req_log_stream(struct tw_sample_gen *g, const tw_ev *ev, tw_sw *w) {
  TW_SW_LIT(w, "{\"logGroupName\":\"");
  tw_sw_str(w, tw_sample_pool_value(TW_POOL_LOG_GROUP, (uint32_t)ev->r));
  TW_SW_LIT(w, "\",\"logStreamName\":\"");
  char day[24];
  tw_sw t = {day, day + sizeof day, 0};
  tw_sample_time(g, &t, ev->time); /* "YYYY-MM-DD..." -> "YYYY/MM/DD" */
  day[4] = day[7] = '/';
  tw_sw_put(w, day, 10);
  TW_SW_LIT(w, "/[$LATEST]");
  tw_sw_chars(w, tw_rng_next(&g->rng), 32, hex, 16);
  TW_SW_LIT(w, "\"}");
}

static void req_ssm_info(struct tw_sample_gen *g, const tw_ev *ev, tw_sw *w) {
  int win = (ev->r & 7) == 0;
  TW_SW_LIT(w, "{\"instanceId\":\"");
  tw_sample_id(&g->rng, "i-", w);
  TW_SW_LIT(w, "\",\"agentVersion\":\"3.2.2222.0\",\"agentStatus\":\"Active\",\"platformType\":\"");
  if (win)
    TW_SW_LIT(w, "Windows\",\"platformName\":\"Microsoft Windows Server 2022 Datacenter\","
                 "\"platformVersion\":\"10.0.20348\",\"iPAddress\":\"10.0.1.");
  else
    TW_SW_LIT(w, "Linux\",\"platformName\":\"Amazon Linux\",\"platformVersion\":\"2023\","
                 "\"iPAddress\":\"10.0.1.");
  tw_sw_u64(w, tw_rng_below(&g->rng, 250) + 2);
  TW_SW_LIT(w, "\",\"computerName\":\"");
  if (win)
    TW_SW_LIT(w, "WORKGROUP\\\\EC2AMAZ-7Q1B2C3");
  else
    TW_SW_LIT(w, "ip-10-0-1-17.ec2.internal");
  TW_SW_LIT(w, "\",\"agentName\":\"amazon-ssm-agent\",\"availabilityZone\":\"");
  tw_sw_str(w, tw_ev_region(ev));
  TW_SW_LIT(w, "a\"}");
}

static void req_ssm_command(struct tw_sample_gen *g, const tw_ev *ev, tw_sw *w) {
  TW_SW_LIT(w, "{\"documentName\":\"AWS-RunPowerShellScript\",\"instanceIds\":[\"");
  tw_sample_id(&g->rng, "i-", w);
  TW_SW_LIT(w, "\"],\"parameters\":{\"commands\":[\"Get-ChildItem -Path C:\\\\Windows\\\\Temp\","
               "\"Remove-Item \\\"C:\\\\Temp\\\\*.log\\\" -Force\"]},\"interactive\":false,"
               "\"comment\":\"nightly cleanup \\u2014 ops\"}");
  (void)ev;
}

static void tags_owner(tw_sw *w) {
  TW_SW_LIT(w, "[{\"key\":\"Name\",\"value\":\"orders-api\"},{\"key\":\"Owner\",\"value\":"
               "\"Ren\\u00e9e Dupont\"},{\"key\":\"Note\",\"value\":\"launched by \\\"deploy\\\" job "
               "\\uD83D\\uDE00\"}]");
}

static void req_run_instances(struct tw_sample_gen *g, const tw_ev *ev, tw_sw *w) {
  TW_SW_LIT(w, "{\"instancesSet\":{\"items\":[{\"imageId\":\"");
  tw_sample_id(&g->rng, "ami-", w);
  TW_SW_LIT(w, "\",\"minCount\":1,\"maxCount\":1}]},\"instanceType\":\"t3.medium\","
               "\"blockDeviceMapping\":{},\"monitoring\":{\"enabled\":false},"
               "\"disableApiTermination\":false,\"disableApiStop\":false,\"clientToken\":\"");
  tw_sample_uuid(&g->rng, w);
  TW_SW_LIT(w, "\",\"subnetId\":\"");
  tw_sample_id(&g->rng, "subnet-", w);
  TW_SW_LIT(w, "\",\"tagSpecificationSet\":{\"items\":[{\"resourceType\":\"instance\",\"tags\":");
  tags_owner(w);
  TW_SW_LIT(w, "}]}}");
  (void)ev;
}

static void req_create_tags(struct tw_sample_gen *g, const tw_ev *ev, tw_sw *w) {
  TW_SW_LIT(w, "{\"resourcesSet\":{\"items\":[{\"resourceId\":\"");
  tw_sample_id(&g->rng, (ev->r & 1) ? "i-" : "vol-", w);
  TW_SW_LIT(w, "\"}]},\"tagSet\":{\"items\":");
  tags_owner(w);
  TW_SW_LIT(w, "}}");
}

static void req_sg_rule(struct tw_sample_gen *g, const tw_ev *ev, tw_sw *w) {
  TW_SW_LIT(w, "{\"groupId\":\"");
  tw_sample_id(&g->rng, "sg-", w);
  TW_SW_LIT(w, "\",\"ipPermissions\":{\"items\":[{\"ipProtocol\":\"tcp\",\"fromPort\":");
  uint64_t port = (ev->r & 1) ? 22 : 3389;
  tw_sw_u64(w, port);
  TW_SW_LIT(w, ",\"toPort\":");
  tw_sw_u64(w, port);
  TW_SW_LIT(w, ",\"groups\":{},\"ipRanges\":{\"items\":[{\"cidrIp\":\"0.0.0.0/0\",\"description\":"
               "\"Caf\\u00e9 VPN \\uD83D\\uDE00 (temp)\"}]},\"ipv6Ranges\":{},\"prefixListIds\":{}}]}}");
}

static const char policy_doc[] =
    "\"{\\n    \\\"Version\\\": \\\"2012-10-17\\\",\\n    \\\"Statement\\\": [\\n        {\\n"
    "            \\\"Effect\\\": \\\"Allow\\\",\\n            \\\"Action\\\": \\\"s3:*\\\",\\n"
    "            \\\"Resource\\\": \\\"arn:aws:s3:::*\\\\/exports\\\\/*\\\"\\n        }\\n    ]\\n}\"";

static void iam_target(const tw_ev *ev, tw_sw *w) {
  const char *k = ev->api->k1;
  if (!strcmp(k, "roleName"))
    tw_sw_str(w, tw_sample_pool_value(TW_POOL_ROLE, (uint32_t)ev->r));
  else if (!strcmp(k, "userName"))
    tw_sw_str(w, tw_sample_users[ev->r % tw_sample_nusers]);
  else if (!strcmp(k, "groupName"))
    TW_SW_LIT(w, "Developers");
  else if (!strcmp(k, "policyName"))
    TW_SW_LIT(w, "ci-s3-access");
  else {
    TW_SW_LIT(w, "arn:aws:iam::");
    tw_sw_str(w, tw_ev_account(ev));
    TW_SW_LIT(w, ":policy/ci-s3-access");
  }
}

static void req_iam_policy(struct tw_sample_gen *g, const tw_ev *ev, tw_sw *w) {
  const char *mode = ev->api->p1;
  TW_SW_LIT(w, "{\"");
  tw_sw_str(w, ev->api->k1);
  TW_SW_LIT(w, "\":\"");
  iam_target(ev, w);
  tw_sw_ch(w, '"');
  if (!strcmp(mode, "attach")) {
    TW_SW_LIT(w, ",\"policyArn\":\"");
    tw_sw_str(w, tw_sample_pool_value(TW_POOL_POLICY_ARN, (uint32_t)(ev->r >> 3)));
    tw_sw_ch(w, '"');
  } else {
    if (strcmp(ev->api->k1, "policyName") && strcmp(ev->api->k1, "policyArn"))
      TW_SW_LIT(w, ",\"policyName\":\"inline-s3-exports\"");
    if (!strcmp(mode, "put")) {
      TW_SW_LIT(w, ",\"policyDocument\":");
      tw_sw_put(w, policy_doc, sizeof policy_doc - 1);
    }
  }
  tw_sw_ch(w, '}');
  (void)g;
}

static void req_trail(struct tw_sample_gen *g, const tw_ev *ev, tw_sw *w) {
  TW_SW_LIT(w, "{\"name\":\"arn:aws:cloudtrail:us-east-1:");
  tw_sw_str(w, tw_ev_account(ev));
  if (tw_sample_is_background(g)) /* the archive's trail (sample_archive.c) */
    TW_SW_LIT(w, ":trail/management-events\"");
  else
    TW_SW_LIT(w, ":trail/org-trail\"");
  if (ev->api->flags & TW_API_RESP) {
    TW_SW_LIT(w, ",\"s3BucketName\":\"cloudtrail-logs-");
    tw_sw_str(w, tw_ev_account(ev));
    TW_SW_LIT(w, "\",\"isMultiRegionTrail\":true,\"enableLogFileValidation\":true,"
                 "\"includeGlobalServiceEvents\":true");
  }
  tw_sw_ch(w, '}');
}

static void req_config(struct tw_sample_gen *g, const tw_ev *ev, tw_sw *w) {
  const char *k = ev->api->k1;
  if (!k)
    TW_SW_LIT(w, "{\"configurationRecorderName\":\"default\"}");
  else if (!strcmp(k, "channel"))
    TW_SW_LIT(w, "{\"deliveryChannelName\":\"default\"}");
  else if (!strcmp(k, "putchannel")) {
    TW_SW_LIT(w, "{\"deliveryChannel\":{\"name\":\"default\",\"s3BucketName\":\"config-bucket-");
    tw_sw_str(w, tw_ev_account(ev));
    TW_SW_LIT(w, "\",\"configSnapshotDeliveryProperties\":{\"deliveryFrequency\":\"TwentyFour_Hours\"}}}");
  } else {
    TW_SW_LIT(w, "{\"configurationRecorder\":{\"name\":\"default\",\"roleARN\":\"arn:aws:iam::");
    tw_sw_str(w, tw_ev_account(ev));
    TW_SW_LIT(w, ":role/aws-service-role/config.amazonaws.com/AWSServiceRoleForConfig\","
                 "\"recordingGroup\":{\"allSupported\":true,\"includeGlobalResourceTypes\":true,"
                 "\"resourceTypes\":[]}}}");
  }
  (void)g;
}

static void req_metric_data(struct tw_sample_gen *g, const tw_ev *ev, tw_sw *w) {
  static const char *const metrics[] = {"CPUUtilization", "NetworkIn", "StatusCheckFailed"};
  TW_SW_LIT(w, "{\"metricDataQueries\":[");
  for (int i = 0; i < 3; i++) {
    TW_SW_LIT(w, "{\"id\":\"m");
    tw_sw_u64(w, (uint64_t)i);
    TW_SW_LIT(w, "\",\"metricStat\":{\"metric\":{\"namespace\":\"AWS/EC2\",\"metricName\":\"");
    tw_sw_str(w, metrics[i]);
    TW_SW_LIT(w, "\",\"dimensions\":[{\"name\":\"InstanceId\",\"value\":\"");
    tw_sample_id(&g->rng, "i-", w);
    TW_SW_LIT(w, "\"}]},\"period\":300,\"stat\":\"Average\"},\"returnData\":true}");
    if (i < 2)
      tw_sw_ch(w, ',');
  }
  TW_SW_LIT(w, "],\"startTime\":\"");
  tw_sample_time(g, w, ev->time - 3600);
  TW_SW_LIT(w, "\",\"endTime\":\"");
  tw_sample_time(g, w, ev->time);
  TW_SW_LIT(w, "\"}");
}

static void req_empty(struct tw_sample_gen *g, const tw_ev *ev, tw_sw *w) {
  if (ev->r & 2)
    TW_SW_LIT(w, "{\"maxResults\":100}");
  else
    TW_SW_LIT(w, "{}");
  (void)g;
}

void tw_sample_request(struct tw_sample_gen *g, const tw_ev *ev, tw_sw *w) {
  switch (ev->api->kind) {
  case TW_SP_NULL: TW_SW_LIT(w, "null"); break;
  case TW_SP_EMPTY: req_empty(g, ev, w); break;
  case TW_SP_KV: req_kv(g, ev, w); break;
  case TW_SP_IDSET: req_idset(g, ev, w); break;
  case TW_SP_IDS: req_ids(g, ev, w); break;
  case TW_SP_EC2_FILTER: req_ec2_filter(g, ev, w); break;
  case TW_SP_BUCKET: req_bucket(g, ev, w); break;
  case TW_SP_BUCKET_POLICY: req_bucket_policy(g, ev, w); break;
  case TW_SP_KMS_CRYPTO: req_kms_crypto(g, ev, w); break;
  case TW_SP_KMS_KEY: req_kms_key(g, ev, w); break;
  case TW_SP_ASSUME_ROLE: req_assume_role(g, ev, w); break;
  case TW_SP_LOG_STREAM: req_log_stream(g, ev, w); break;
  case TW_SP_SSM_INFO: req_ssm_info(g, ev, w); break;
  case TW_SP_SSM_COMMAND: req_ssm_command(g, ev, w); break;
  case TW_SP_RUN_INSTANCES: req_run_instances(g, ev, w); break;
  case TW_SP_CREATE_TAGS: req_create_tags(g, ev, w); break;
  case TW_SP_SG_RULE: req_sg_rule(g, ev, w); break;
  case TW_SP_IAM_POLICY: req_iam_policy(g, ev, w); break;
  case TW_SP_TRAIL: req_trail(g, ev, w); break;
  case TW_SP_CONFIG: req_config(g, ev, w); break;
  case TW_SP_CREATE_VPC:
    TW_SW_LIT(w, "{\"cidrBlock\":\"10.42.0.0/16\",\"instanceTenancy\":\"default\","
                 "\"amazonProvidedIpv6CidrBlock\":false}");
    break;
  case TW_SP_METRIC_DATA: req_metric_data(g, ev, w); break;
  default: TW_SW_LIT(w, "null"); break;
  }
}

/* ---- responseElements ------------------------------------------------ */

static void resp_run_instances(struct tw_sample_gen *g, const tw_ev *ev, tw_sw *w) {
  TW_SW_LIT(w, "{\"requestId\":\"");
  tw_sample_uuid(&g->rng, w);
  TW_SW_LIT(w, "\",\"reservationId\":\"");
  tw_sample_id(&g->rng, "r-", w);
  TW_SW_LIT(w, "\",\"ownerId\":\"");
  tw_sw_str(w, tw_ev_account(ev));
  TW_SW_LIT(w, "\",\"groupSet\":{},\"instancesSet\":{\"items\":[{\"instanceId\":\"");
  tw_sample_id(&g->rng, "i-", w);
  TW_SW_LIT(w, "\",\"instanceState\":{\"code\":0,\"name\":\"pending\"},\"privateDnsName\":"
               "\"ip-10-0-1-23.ec2.internal\",\"amiLaunchIndex\":0,\"productCodes\":{},"
               "\"instanceType\":\"t3.medium\",\"launchTime\":");
  tw_sw_u64(w, (uint64_t)ev->time * 1000);
  TW_SW_LIT(w, ",\"placement\":{\"availabilityZone\":\"");
  tw_sw_str(w, tw_ev_region(ev));
  TW_SW_LIT(w, "a\",\"tenancy\":\"default\"},\"monitoring\":{\"state\":\"disabled\"},\"vpcId\":\"");
  tw_sample_id(&g->rng, "vpc-", w);
  TW_SW_LIT(w, "\",\"privateIpAddress\":\"10.0.1.23\",\"stateReason\":{\"code\":\"pending\","
               "\"message\":\"pending\"},\"architecture\":\"x86_64\",\"rootDeviceType\":\"ebs\","
               "\"rootDeviceName\":\"/dev/xvda\",\"blockDeviceMapping\":{},\"virtualizationType\":"
               "\"hvm\",\"hypervisor\":\"xen\",\"tagSet\":{\"items\":");
  tags_owner(w);
  TW_SW_LIT(w, "},\"groupSet\":{\"items\":[{\"groupId\":\"");
  tw_sample_id(&g->rng, "sg-", w);
  TW_SW_LIT(w, "\",\"groupName\":\"default\"}]},\"networkInterfaceSet\":{\"items\":[{"
               "\"networkInterfaceId\":\"");
  tw_sample_id(&g->rng, "eni-", w);
  TW_SW_LIT(w, "\",\"status\":\"in-use\",\"privateIpAddressesSet\":{\"item\":[{\"privateIpAddress\":"
               "\"10.0.1.23\",\"primary\":true}]},\"ipv6AddressesSet\":{},\"interfaceType\":"
               "\"interface\"}]},\"ebsOptimized\":false,\"enaSupport\":true,\"cpuOptions\":"
               "{\"coreCount\":1,\"threadsPerCore\":2},\"metadataOptions\":{\"state\":\"pending\","
               "\"httpTokens\":\"required\",\"httpPutResponseHopLimit\":2,\"httpEndpoint\":"
               "\"enabled\"},\"maintenanceOptions\":{\"autoRecovery\":\"default\"}}]}}");
}

static void resp_assume_role(struct tw_sample_gen *g, const tw_ev *ev, tw_sw *w) {
  static const char b64[] =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  TW_SW_LIT(w, "{\"credentials\":{\"accessKeyId\":\"ASIA");
  tw_sw_chars(w, tw_rng_next(&g->rng), 16, "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567", 32);
  TW_SW_LIT(w, "\",\"sessionToken\":\"IQoJb3JpZ2luX2VjE");
  tw_sw_chars(w, tw_rng_next(&g->rng), 160, b64, 64);
  TW_SW_LIT(w, "\",\"expiration\":\"");
  tw_sample_time_human(w, ev->time + 3600);
  TW_SW_LIT(w, "\"},\"assumedRoleUser\":{\"assumedRoleId\":\"AROA");
  tw_sw_chars(w, tw_rng_hash(ev->r >> 12), 17, "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567", 32);
  TW_SW_LIT(w, ":session\",\"arn\":\"arn:aws:sts::");
  tw_sw_str(w, tw_ev_account(ev));
  TW_SW_LIT(w, ":assumed-role/");
  tw_sw_str(w, assume_target(ev));
  TW_SW_LIT(w, "/session\"}}");
}

static void resp_sg_rule(struct tw_sample_gen *g, const tw_ev *ev, tw_sw *w) {
  TW_SW_LIT(w, "{\"requestId\":\"");
  tw_sample_uuid(&g->rng, w);
  TW_SW_LIT(w, "\",\"_return\":true,\"securityGroupRuleSet\":{\"items\":[{\"groupOwnerId\":\"");
  tw_sw_str(w, tw_ev_account(ev));
  TW_SW_LIT(w, "\",\"securityGroupRuleId\":\"");
  tw_sample_id(&g->rng, "sgr-", w);
  TW_SW_LIT(w, "\",\"isEgress\":false,\"ipProtocol\":\"tcp\",\"cidrIpv4\":\"0.0.0.0/0\"}]}}");
}

static void resp_create_vpc(struct tw_sample_gen *g, const tw_ev *ev, tw_sw *w) {
  TW_SW_LIT(w, "{\"requestId\":\"");
  tw_sample_uuid(&g->rng, w);
  TW_SW_LIT(w, "\",\"vpc\":{\"vpcId\":\"");
  tw_sample_id(&g->rng, "vpc-", w);
  TW_SW_LIT(w, "\",\"state\":\"pending\",\"ownerId\":\"");
  tw_sw_str(w, tw_ev_account(ev));
  TW_SW_LIT(w, "\",\"cidrBlock\":\"10.42.0.0/16\",\"cidrBlockAssociationSet\":{\"items\":[{"
               "\"cidrBlock\":\"10.42.0.0/16\",\"associationId\":\"");
  tw_sample_id(&g->rng, "vpc-cidr-assoc-", w);
  TW_SW_LIT(w, "\",\"cidrBlockState\":{\"state\":\"associated\"}}]},\"ipv6CidrBlockAssociationSet\":{},"
               "\"dhcpOptionsId\":\"");
  tw_sample_id(&g->rng, "dopt-", w);
  TW_SW_LIT(w, "\",\"instanceTenancy\":\"default\",\"tagSet\":{},\"isDefault\":false}}");
}

static void resp_instances_state(struct tw_sample_gen *g, tw_sw *w) {
  TW_SW_LIT(w, "{\"requestId\":\"");
  tw_sample_uuid(&g->rng, w);
  TW_SW_LIT(w, "\",\"instancesSet\":{\"items\":[{\"instanceId\":\"");
  tw_sample_id(&g->rng, "i-", w);
  TW_SW_LIT(w, "\",\"currentState\":{\"code\":32,\"name\":\"shutting-down\"},\"previousState\":"
               "{\"code\":16,\"name\":\"running\"}}]}}");
}

static void resp_iam(struct tw_sample_gen *g, const tw_ev *ev, tw_sw *w) {
  const char *n = ev->api->name;
  if (!strcmp(n, "CreateAccessKey")) {
    TW_SW_LIT(w, "{\"accessKey\":{\"accessKeyId\":\"AKIA");
    tw_sw_chars(w, tw_rng_next(&g->rng), 16, "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567", 32);
    TW_SW_LIT(w, "\",\"status\":\"Active\",\"createDate\":\"");
  } else if (!strcmp(n, "CreatePolicyVersion")) {
    TW_SW_LIT(w, "{\"policyVersion\":{\"versionId\":\"v3\",\"isDefaultVersion\":false,\"createDate\":\"");
  } else {
    TW_SW_LIT(w, "{\"policy\":{\"policyName\":\"ci-s3-access\",\"policyId\":\"ANPA");
    tw_sw_chars(w, tw_rng_next(&g->rng), 17, "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567", 32);
    TW_SW_LIT(w, "\",\"path\":\"/\",\"defaultVersionId\":\"v1\",\"attachmentCount\":0,"
                 "\"isAttachable\":true,\"createDate\":\"");
  }
  tw_sample_time_human(w, ev->time);
  TW_SW_LIT(w, "\"}}");
}

static void resp_generic(struct tw_sample_gen *g, const tw_ev *ev, tw_sw *w) {
  if (!strcmp(ev->api->source, "ec2")) {
    TW_SW_LIT(w, "{\"requestId\":\"");
    tw_sample_uuid(&g->rng, w);
    TW_SW_LIT(w, "\",\"_return\":true}");
  } else if (!strcmp(ev->api->source, "iam")) {
    resp_iam(g, ev, w);
  } else if (!strcmp(ev->api->source, "kms")) {
    TW_SW_LIT(w, "{\"keyId\":\"");
    kms_key_arn(ev, w);
    TW_SW_LIT(w, "\",\"keyState\":\"PendingDeletion\",\"pendingWindowInDays\":7,\"deletionDate\":\"");
    tw_sample_time_human(w, ev->time + 7 * 86400);
    TW_SW_LIT(w, "\"}");
  } else {
    TW_SW_LIT(w, "{\"id\":\"");
    tw_sample_uuid(&g->rng, w);
    TW_SW_LIT(w, "\",\"status\":\"IN_PROGRESS\",\"requestedTimestamp\":\"");
    tw_sample_time_human(w, ev->time);
    TW_SW_LIT(w, "\"}");
  }
}

void tw_sample_response(struct tw_sample_gen *g, const tw_ev *ev, tw_sw *w) {
  if (!(ev->api->flags & TW_API_RESP) || ev->error_code) {
    TW_SW_LIT(w, "null");
    return;
  }
  switch (ev->api->kind) {
  case TW_SP_RUN_INSTANCES: resp_run_instances(g, ev, w); break;
  case TW_SP_ASSUME_ROLE: resp_assume_role(g, ev, w); break;
  case TW_SP_SG_RULE: resp_sg_rule(g, ev, w); break;
  case TW_SP_CREATE_VPC: resp_create_vpc(g, ev, w); break;
  case TW_SP_IDSET: resp_instances_state(g, w); break;
  default: resp_generic(g, ev, w); break;
  }
}

/* ---- resources ------------------------------------------------------- */

void tw_sample_resources(const tw_ev *ev, tw_sw *w) {
  const char *src = ev->api->source;
  TW_SW_LIT(w, "[{\"accountId\":\"");
  tw_sw_str(w, tw_ev_account(ev));
  if (src[0] == 's' && src[1] == '3') {
    TW_SW_LIT(w, "\",\"type\":\"AWS::S3::Bucket\",\"ARN\":\"arn:aws:s3:::");
    tw_sample_bucket(ev, w);
  } else if (!strcmp(src, "kms")) {
    TW_SW_LIT(w, "\",\"type\":\"AWS::KMS::Key\",\"ARN\":\"");
    kms_key_arn(ev, w);
  } else {
    TW_SW_LIT(w, "\",\"type\":\"AWS::IAM::Role\",\"ARN\":\"arn:aws:iam::");
    tw_sw_str(w, tw_ev_account(ev));
    TW_SW_LIT(w, ":role/");
    tw_sw_str(w, assume_target(ev));
  }
  TW_SW_LIT(w, "\"}]");
}
