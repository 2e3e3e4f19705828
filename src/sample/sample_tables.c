/*
 * sample_tables.c — the vocabulary of the synthetic CloudTrail generator:
 * which API calls happen and how often (weights modelled on real management
 * trails: Describe/Get/List and KMS/STS noise dominate), the rare
 * security-relevant calls (every eventName of the CIS monitoring filters),
 * roles, users, accounts, regions, user agents and value pools.
 *
 * All strings are JSON string content as written to the output, so the few
 * that carry escapes (\" \\ \/ \u00e9 \uD83D\uDE00) are spelled escaped here.
 */
#include "sample/sample_internal.h"

#define N_(a) (sizeof(a) / sizeof((a)[0]))
#define RO TW_API_RO
#define GL TW_API_GLOBAL
#define RS TW_API_RESOURCES
#define RE TW_API_RESP
#define AX TW_API_ACCESS_DENIED_EXC

/* source, name, flags, kind, weight, k1, p1, k2, p2 */
const tw_api tw_sample_apis[] = {
  /* EC2 reads */
  {"ec2", "DescribeInstances", RO, TW_SP_IDSET, 420, "instancesSet", "i-", "instanceId", NULL},
  {"ec2", "DescribeSecurityGroups", RO, TW_SP_EC2_FILTER, 200, "group-id", "sg-", NULL, NULL},
  {"ec2", "DescribeVpcs", RO, TW_SP_EC2_FILTER, 110, "vpc-id", "vpc-", NULL, NULL},
  {"ec2", "DescribeSubnets", RO, TW_SP_EC2_FILTER, 120, "vpc-id", "vpc-", NULL, NULL},
  {"ec2", "DescribeVolumes", RO, TW_SP_IDSET, 110, "volumeSet", "vol-", "volumeId", NULL},
  {"ec2", "DescribeNetworkInterfaces", RO, TW_SP_EC2_FILTER, 160, "subnet-id", "subnet-", NULL, NULL},
  {"ec2", "DescribeRouteTables", RO, TW_SP_EC2_FILTER, 60, "vpc-id", "vpc-", NULL, NULL},
  {"ec2", "DescribeInstanceStatus", RO, TW_SP_IDSET, 120, "instancesSet", "i-", "instanceId", NULL},
  {"ec2", "DescribeAddresses", RO, TW_SP_EMPTY, 40, NULL, NULL, NULL, NULL},
  {"ec2", "DescribeImages", RO, TW_SP_IDSET, 60, "imagesSet", "ami-", "imageId", NULL},
  {"ec2", "DescribeSnapshots", RO, TW_SP_IDSET, 50, "snapshotSet", "snap-", "snapshotId", NULL},
  {"ec2", "DescribeRegions", RO, TW_SP_EMPTY, 80, NULL, NULL, NULL, NULL},
  {"ec2", "DescribeAvailabilityZones", RO, TW_SP_EMPTY, 50, NULL, NULL, NULL, NULL},
  {"ec2", "DescribeTags", RO, TW_SP_EC2_FILTER, 50, "resource-id", "i-", NULL, NULL},
  {"ec2", "DescribeLaunchTemplateVersions", RO, TW_SP_IDS, 30, "launchTemplateId", "lt-", NULL, NULL},
  /* EC2 writes */
  {"ec2", "CreateTags", RE, TW_SP_CREATE_TAGS, 50, NULL, NULL, NULL, NULL},
  {"ec2", "RunInstances", RE, TW_SP_RUN_INSTANCES, 12, NULL, NULL, NULL, NULL},
  {"ec2", "TerminateInstances", RE, TW_SP_IDSET, 8, "instancesSet", "i-", "instanceId", NULL},
  {"ec2", "StartInstances", RE, TW_SP_IDSET, 6, "instancesSet", "i-", "instanceId", NULL},
  {"ec2", "StopInstances", RE, TW_SP_IDSET, 6, "instancesSet", "i-", "instanceId", NULL},
  {"ec2", "CreateNetworkInterface", RE, TW_SP_IDS, 25, "subnetId", "subnet-", "description", "ELB app/"},
  {"ec2", "DeleteNetworkInterface", RE, TW_SP_IDS, 20, "networkInterfaceId", "eni-", NULL, NULL},
  {"ec2", "CreateSnapshot", RE, TW_SP_IDS, 6, "volumeId", "vol-", NULL, NULL},
  /* S3 (bucket-level management events) */
  {"s3", "ListBuckets", RO | RE, TW_SP_EMPTY, 90, NULL, NULL, NULL, NULL},
  {"s3", "GetBucketAcl", RO | RS, TW_SP_BUCKET, 170, "acl", NULL, NULL, NULL},
  {"s3", "GetBucketPolicy", RO | RS, TW_SP_BUCKET, 90, "policy", NULL, NULL, NULL},
  {"s3", "GetBucketLocation", RO | RS, TW_SP_BUCKET, 150, "location", NULL, NULL, NULL},
  {"s3", "GetBucketVersioning", RO | RS, TW_SP_BUCKET, 80, "versioning", NULL, NULL, NULL},
  {"s3", "GetBucketEncryption", RO | RS, TW_SP_BUCKET, 70, "encryption", NULL, NULL, NULL},
  {"s3", "GetBucketPublicAccessBlock", RO | RS, TW_SP_BUCKET, 70, "publicAccessBlock", NULL, NULL, NULL},
  {"s3", "GetBucketLogging", RO | RS, TW_SP_BUCKET, 40, "logging", NULL, NULL, NULL},
  {"s3", "GetBucketTagging", RO | RS, TW_SP_BUCKET, 45, "tagging", NULL, NULL, NULL},
  {"s3", "PutBucketTagging", RS, TW_SP_BUCKET, 6, "tagging", NULL, NULL, NULL},
  /* IAM (global) */
  {"iam", "GetRole", RO | GL, TW_SP_KV, 90, "roleName", NULL, NULL, NULL},
  {"iam", "ListRoles", RO | GL, TW_SP_EMPTY, 50, NULL, NULL, NULL, NULL},
  {"iam", "ListAttachedRolePolicies", RO | GL, TW_SP_KV, 70, "roleName", NULL, NULL, NULL},
  {"iam", "ListRolePolicies", RO | GL, TW_SP_KV, 55, "roleName", NULL, NULL, NULL},
  {"iam", "GetPolicy", RO | GL, TW_SP_KV, 40, "policyArn", NULL, NULL, NULL},
  {"iam", "GetPolicyVersion", RO | GL, TW_SP_KV, 40, "policyArn", NULL, NULL, NULL},
  {"iam", "ListUsers", RO | GL, TW_SP_EMPTY, 30, NULL, NULL, NULL, NULL},
  {"iam", "GetUser", RO | GL, TW_SP_KV, 30, "userName", NULL, NULL, NULL},
  {"iam", "ListAccessKeys", RO | GL, TW_SP_KV, 40, "userName", NULL, NULL, NULL},
  {"iam", "GetAccountSummary", RO | GL, TW_SP_NULL, 15, NULL, NULL, NULL, NULL},
  {"iam", "ListMFADevices", RO | GL, TW_SP_KV, 20, "userName", NULL, NULL, NULL},
  {"iam", "TagRole", GL, TW_SP_KV, 5, "roleName", NULL, NULL, NULL},
  {"iam", "CreateAccessKey", GL | RE, TW_SP_KV, 3, "userName", NULL, NULL, NULL},
  /* KMS */
  {"kms", "Decrypt", RO | RS | AX, TW_SP_KMS_CRYPTO, 480, NULL, NULL, NULL, NULL},
  {"kms", "GenerateDataKey", RO | RS | AX, TW_SP_KMS_CRYPTO, 200, NULL, NULL, NULL, NULL},
  {"kms", "DescribeKey", RO | RS | AX, TW_SP_KMS_KEY, 70, NULL, NULL, NULL, NULL},
  {"kms", "ListAliases", RO | AX, TW_SP_NULL, 30, NULL, NULL, NULL, NULL},
  {"kms", "GetKeyRotationStatus", RO | RS | AX, TW_SP_KMS_KEY, 20, NULL, NULL, NULL, NULL},
  {"kms", "CreateGrant", RS | RE | AX, TW_SP_KMS_KEY, 20, NULL, NULL, NULL, NULL},
  {"kms", "RetireGrant", RS | AX, TW_SP_KMS_KEY, 12, NULL, NULL, NULL, NULL},
  /* STS */
  {"sts", "AssumeRole", RO | RS | RE, TW_SP_ASSUME_ROLE, 260, NULL, NULL, NULL, NULL},
  {"sts", "GetCallerIdentity", RO, TW_SP_NULL, 110, NULL, NULL, NULL, NULL},
  {"sts", "AssumeRoleWithWebIdentity", RO | RS | RE, TW_SP_ASSUME_ROLE, 35, NULL, NULL, NULL, NULL},
  {"sts", "GetSessionToken", RO | RE, TW_SP_EMPTY, 4, NULL, NULL, NULL, NULL},
  /* Lambda */
  {"lambda", "ListFunctions20150331", RO | AX, TW_SP_EMPTY, 40, NULL, NULL, NULL, NULL},
  {"lambda", "GetFunction20150331v2", RO | AX, TW_SP_KV, 30, "functionName", NULL, NULL, NULL},
  {"lambda", "UpdateFunctionCode20150331v2", RE | AX, TW_SP_KV, 5, "functionName", NULL, NULL, NULL},
  /* CloudWatch Logs / CloudWatch */
  {"logs", "DescribeLogGroups", RO | AX, TW_SP_EMPTY, 70, NULL, NULL, NULL, NULL},
  {"logs", "DescribeLogStreams", RO | AX, TW_SP_KV, 60, "logGroupName", NULL, NULL, NULL},
  {"logs", "DescribeMetricFilters", RO | AX, TW_SP_KV, 20, "logGroupName", NULL, NULL, NULL},
  {"logs", "CreateLogStream", AX, TW_SP_LOG_STREAM, 80, NULL, NULL, NULL, NULL},
  {"logs", "PutRetentionPolicy", AX, TW_SP_KV, 4, "logGroupName", NULL, NULL, NULL},
  {"monitoring", "DescribeAlarms", RO | AX, TW_SP_EMPTY, 60, NULL, NULL, NULL, NULL},
  {"monitoring", "GetMetricData", RO | AX, TW_SP_METRIC_DATA, 60, NULL, NULL, NULL, NULL},
  {"monitoring", "PutMetricAlarm", AX, TW_SP_KV, 6, "alarmName", NULL, NULL, NULL},
  /* CloudTrail and Config reads */
  {"cloudtrail", "DescribeTrails", RO | AX, TW_SP_EMPTY, 35, NULL, NULL, NULL, NULL},
  {"cloudtrail", "GetTrailStatus", RO | AX, TW_SP_TRAIL, 35, NULL, NULL, NULL, NULL},
  {"cloudtrail", "LookupEvents", RO | AX, TW_SP_EMPTY, 30, NULL, NULL, NULL, NULL},
  {"cloudtrail", "GetEventSelectors", RO | AX, TW_SP_TRAIL, 20, NULL, NULL, NULL, NULL},
  {"config", "DescribeConfigurationRecorders", RO | AX, TW_SP_EMPTY, 30, NULL, NULL, NULL, NULL},
  {"config", "DescribeConfigurationRecorderStatus", RO | AX, TW_SP_EMPTY, 30, NULL, NULL, NULL, NULL},
  {"config", "DescribeDeliveryChannels", RO | AX, TW_SP_EMPTY, 20, NULL, NULL, NULL, NULL},
  {"config", "PutEvaluations", AX, TW_SP_IDS, 30, "resultToken", "AAEAAQ", NULL, NULL},
  /* RDS, DynamoDB, ELB, Auto Scaling */
  {"rds", "DescribeDBInstances", RO | AX, TW_SP_KV, 60, "dBInstanceIdentifier", NULL, NULL, NULL},
  {"rds", "DescribeDBClusters", RO | AX, TW_SP_KV, 30, "dBClusterIdentifier", NULL, NULL, NULL},
  {"rds", "DescribeDBSnapshots", RO | AX, TW_SP_EMPTY, 20, NULL, NULL, NULL, NULL},
  {"dynamodb", "DescribeTable", RO | AX, TW_SP_KV, 60, "tableName", NULL, NULL, NULL},
  {"dynamodb", "ListTables", RO | AX, TW_SP_EMPTY, 30, NULL, NULL, NULL, NULL},
  {"dynamodb", "UpdateTable", RE | AX, TW_SP_KV, 3, "tableName", NULL, NULL, NULL},
  {"elasticloadbalancing", "DescribeLoadBalancers", RO | AX, TW_SP_EMPTY, 45, NULL, NULL, NULL, NULL},
  {"elasticloadbalancing", "DescribeTargetHealth", RO | AX, TW_SP_KV, 60, "targetGroupArn", NULL, NULL, NULL},
  {"elasticloadbalancing", "RegisterTargets", AX, TW_SP_KV, 12, "targetGroupArn", NULL, NULL, NULL},
  {"elasticloadbalancing", "DeregisterTargets", AX, TW_SP_KV, 12, "targetGroupArn", NULL, NULL, NULL},
  {"autoscaling", "DescribeAutoScalingGroups", RO | AX, TW_SP_EMPTY, 45, NULL, NULL, NULL, NULL},
  {"autoscaling", "UpdateAutoScalingGroup", AX, TW_SP_KV, 5, "autoScalingGroupName", NULL, NULL, NULL},
  /* SSM, Secrets Manager, ECR */
  {"ssm", "GetParameter", RO | AX, TW_SP_KV, 80, "name", NULL, NULL, NULL},
  {"ssm", "GetParameters", RO | AX, TW_SP_KV, 45, "names", NULL, NULL, NULL},
  {"ssm", "DescribeInstanceInformation", RO | AX, TW_SP_EMPTY, 45, NULL, NULL, NULL, NULL},
  {"ssm", "ListAssociations", RO | AX, TW_SP_EMPTY, 40, NULL, NULL, NULL, NULL},
  {"ssm", "UpdateInstanceInformation", AX, TW_SP_SSM_INFO, 160, NULL, NULL, NULL, NULL},
  {"ssm", "SendCommand", RE | AX, TW_SP_SSM_COMMAND, 5, NULL, NULL, NULL, NULL},
  {"secretsmanager", "GetSecretValue", RO | AX, TW_SP_KV, 50, "secretId", NULL, NULL, NULL},
  {"secretsmanager", "ListSecrets", RO | AX, TW_SP_EMPTY, 20, NULL, NULL, NULL, NULL},
  {"secretsmanager", "PutSecretValue", RE | AX, TW_SP_KV, 4, "secretId", NULL, NULL, NULL},
  {"ecr", "GetAuthorizationToken", RO | AX, TW_SP_EMPTY, 50, NULL, NULL, NULL, NULL},
  {"ecr", "DescribeRepositories", RO | AX, TW_SP_EMPTY, 25, NULL, NULL, NULL, NULL},
  {"ecr", "BatchGetImage", RO | AX, TW_SP_KV, 30, "repositoryName", NULL, NULL, NULL},
  /* Organizations, Security Hub, GuardDuty (reads) */
  {"organizations", "DescribeOrganization", RO | GL | AX, TW_SP_NULL, 20, NULL, NULL, NULL, NULL},
  {"organizations", "ListAccounts", RO | GL | AX, TW_SP_EMPTY, 15, NULL, NULL, NULL, NULL},
  {"securityhub", "GetFindings", RO | AX, TW_SP_EMPTY, 30, NULL, NULL, NULL, NULL},
  {"securityhub", "BatchImportFindings", AX, TW_SP_EMPTY, 25, NULL, NULL, NULL, NULL},
  {"guardduty", "ListDetectors", RO | AX, TW_SP_EMPTY, 20, NULL, NULL, NULL, NULL},
};
const size_t tw_sample_napis = N_(tw_sample_apis);

/* Every eventName of the 15 CIS filters (with the right eventSource), plus
 * the seed rules' calls; written in this order, one every
 * TW_SAMPLE_NOTABLE_EVERY events, so 20,000 events contain each at least once.
 * "console", "root" and "switch" entries are handled by sample_event.c. */
const tw_api tw_sample_notables[] = {
  {"cloudtrail", "StopLogging", AX, TW_SP_TRAIL, 0, NULL, NULL, NULL, NULL},
  {"iam", "PutRolePolicy", GL, TW_SP_IAM_POLICY, 0, "roleName", "put", NULL, NULL},
  {"ec2", "AuthorizeSecurityGroupIngress", RE, TW_SP_SG_RULE, 0, NULL, NULL, NULL, NULL},
  {"s3", "PutBucketPolicy", RS, TW_SP_BUCKET_POLICY, 0, "policy", NULL, NULL, NULL},
  {"ec2", "CreateVpc", RE, TW_SP_CREATE_VPC, 0, NULL, NULL, NULL, NULL},
  {"signin", "ConsoleLogin", 0, TW_SP_NULL, 0, "root", NULL, NULL, NULL},
  {"ec2", "DeleteRoute", RE, TW_SP_IDS, 0, "routeTableId", "rtb-", "destinationCidrBlock", NULL},
  {"kms", "DisableKey", RS | AX, TW_SP_KMS_KEY, 0, NULL, NULL, NULL, NULL},
  {"config", "StopConfigurationRecorder", AX, TW_SP_CONFIG, 0, NULL, NULL, NULL, NULL},
  {"ec2", "CreateCustomerGateway", RE, TW_SP_IDS, 0, "ipAddress", "", "bgpAsn", NULL},
  {"signin", "SwitchRole", 0, TW_SP_NULL, 0, "switch", NULL, NULL, NULL},
  {"sts", "AssumeRole", RO | RS | RE, TW_SP_ASSUME_ROLE, 0, "TemporaryAdminRole", NULL, NULL, NULL},
  {"cloudtrail", "DeleteTrail", AX, TW_SP_TRAIL, 0, NULL, NULL, NULL, NULL},
  {"organizations", "LeaveOrganization", GL | AX, TW_SP_NULL, 0, NULL, NULL, NULL, NULL},
  {"iam", "GetAccountSummary", RO | GL, TW_SP_NULL, 0, "root", NULL, NULL, NULL},
  {"signin", "ConsoleLogin", 0, TW_SP_NULL, 0, "console-nomfa", NULL, NULL, NULL},
  {"signin", "ConsoleLogin", 0, TW_SP_NULL, 0, "console-fail", NULL, NULL, NULL},
  /* CloudWatch.4 IAM policy changes */
  {"iam", "DeleteGroupPolicy", GL, TW_SP_IAM_POLICY, 0, "groupName", "delete", NULL, NULL},
  {"iam", "DeleteRolePolicy", GL, TW_SP_IAM_POLICY, 0, "roleName", "delete", NULL, NULL},
  {"iam", "DeleteUserPolicy", GL, TW_SP_IAM_POLICY, 0, "userName", "delete", NULL, NULL},
  {"iam", "PutGroupPolicy", GL, TW_SP_IAM_POLICY, 0, "groupName", "put", NULL, NULL},
  {"iam", "PutUserPolicy", GL, TW_SP_IAM_POLICY, 0, "userName", "put", NULL, NULL},
  {"iam", "CreatePolicy", GL | RE, TW_SP_IAM_POLICY, 0, "policyName", "put", NULL, NULL},
  {"iam", "DeletePolicy", GL, TW_SP_KV, 0, "policyArn", NULL, NULL, NULL},
  {"iam", "CreatePolicyVersion", GL | RE, TW_SP_IAM_POLICY, 0, "policyArn", "put", NULL, NULL},
  {"iam", "DeletePolicyVersion", GL, TW_SP_KV, 0, "policyArn", NULL, NULL, NULL},
  {"iam", "AttachRolePolicy", GL, TW_SP_IAM_POLICY, 0, "roleName", "attach", NULL, NULL},
  {"iam", "DetachRolePolicy", GL, TW_SP_IAM_POLICY, 0, "roleName", "attach", NULL, NULL},
  {"iam", "AttachUserPolicy", GL, TW_SP_IAM_POLICY, 0, "userName", "attach", NULL, NULL},
  {"iam", "DetachUserPolicy", GL, TW_SP_IAM_POLICY, 0, "userName", "attach", NULL, NULL},
  {"iam", "AttachGroupPolicy", GL, TW_SP_IAM_POLICY, 0, "groupName", "attach", NULL, NULL},
  {"iam", "DetachGroupPolicy", GL, TW_SP_IAM_POLICY, 0, "groupName", "attach", NULL, NULL},
  /* CloudWatch.5 CloudTrail */
  {"cloudtrail", "CreateTrail", RE | AX, TW_SP_TRAIL, 0, NULL, NULL, NULL, NULL},
  {"cloudtrail", "UpdateTrail", RE | AX, TW_SP_TRAIL, 0, NULL, NULL, NULL, NULL},
  {"cloudtrail", "StartLogging", AX, TW_SP_TRAIL, 0, NULL, NULL, NULL, NULL},
  /* CloudWatch.7 KMS */
  {"kms", "ScheduleKeyDeletion", RS | RE | AX, TW_SP_KMS_KEY, 0, "pendingWindowInDays", NULL, NULL, NULL},
  /* CloudWatch.8 S3 bucket policy */
  {"s3", "PutBucketAcl", RS, TW_SP_BUCKET, 0, "acl", NULL, NULL, NULL},
  {"s3", "PutBucketCors", RS, TW_SP_BUCKET, 0, "cors", NULL, NULL, NULL},
  {"s3", "PutBucketLifecycle", RS, TW_SP_BUCKET, 0, "lifecycle", NULL, NULL, NULL},
  {"s3", "PutBucketReplication", RS, TW_SP_BUCKET, 0, "replication", NULL, NULL, NULL},
  {"s3", "DeleteBucketPolicy", RS, TW_SP_BUCKET, 0, "policy", NULL, NULL, NULL},
  {"s3", "DeleteBucketCors", RS, TW_SP_BUCKET, 0, "cors", NULL, NULL, NULL},
  {"s3", "DeleteBucketLifecycle", RS, TW_SP_BUCKET, 0, "lifecycle", NULL, NULL, NULL},
  {"s3", "DeleteBucketReplication", RS, TW_SP_BUCKET, 0, "replication", NULL, NULL, NULL},
  /* CloudWatch.9 Config */
  {"config", "DeleteDeliveryChannel", AX, TW_SP_CONFIG, 0, "channel", NULL, NULL, NULL},
  {"config", "PutDeliveryChannel", AX, TW_SP_CONFIG, 0, "putchannel", NULL, NULL, NULL},
  {"config", "PutConfigurationRecorder", AX, TW_SP_CONFIG, 0, "putrecorder", NULL, NULL, NULL},
  /* CloudWatch.10 security groups */
  {"ec2", "AuthorizeSecurityGroupEgress", RE, TW_SP_SG_RULE, 0, NULL, NULL, NULL, NULL},
  {"ec2", "RevokeSecurityGroupIngress", RE, TW_SP_SG_RULE, 0, NULL, NULL, NULL, NULL},
  {"ec2", "RevokeSecurityGroupEgress", RE, TW_SP_SG_RULE, 0, NULL, NULL, NULL, NULL},
  {"ec2", "CreateSecurityGroup", RE, TW_SP_IDS, 0, "vpcId", "vpc-", "groupName", NULL},
  {"ec2", "DeleteSecurityGroup", RE, TW_SP_IDS, 0, "groupId", "sg-", NULL, NULL},
  /* CloudWatch.11 NACLs */
  {"ec2", "CreateNetworkAcl", RE, TW_SP_IDS, 0, "vpcId", "vpc-", NULL, NULL},
  {"ec2", "CreateNetworkAclEntry", RE, TW_SP_IDS, 0, "networkAclId", "acl-", "cidrBlock", NULL},
  {"ec2", "DeleteNetworkAcl", RE, TW_SP_IDS, 0, "networkAclId", "acl-", NULL, NULL},
  {"ec2", "DeleteNetworkAclEntry", RE, TW_SP_IDS, 0, "networkAclId", "acl-", NULL, NULL},
  {"ec2", "ReplaceNetworkAclEntry", RE, TW_SP_IDS, 0, "networkAclId", "acl-", "cidrBlock", NULL},
  {"ec2", "ReplaceNetworkAclAssociation", RE, TW_SP_IDS, 0, "associationId", "aclassoc-", "networkAclId", "acl-"},
  /* CloudWatch.12 gateways */
  {"ec2", "DeleteCustomerGateway", RE, TW_SP_IDS, 0, "customerGatewayId", "cgw-", NULL, NULL},
  {"ec2", "AttachInternetGateway", RE, TW_SP_IDS, 0, "internetGatewayId", "igw-", "vpcId", "vpc-"},
  {"ec2", "CreateInternetGateway", RE, TW_SP_EMPTY, 0, NULL, NULL, NULL, NULL},
  {"ec2", "DeleteInternetGateway", RE, TW_SP_IDS, 0, "internetGatewayId", "igw-", NULL, NULL},
  {"ec2", "DetachInternetGateway", RE, TW_SP_IDS, 0, "internetGatewayId", "igw-", "vpcId", "vpc-"},
  /* CloudWatch.13 routes */
  {"ec2", "CreateRoute", RE, TW_SP_IDS, 0, "routeTableId", "rtb-", "gatewayId", "igw-"},
  {"ec2", "CreateRouteTable", RE, TW_SP_IDS, 0, "vpcId", "vpc-", NULL, NULL},
  {"ec2", "ReplaceRoute", RE, TW_SP_IDS, 0, "routeTableId", "rtb-", "natGatewayId", "nat-"},
  {"ec2", "ReplaceRouteTableAssociation", RE, TW_SP_IDS, 0, "associationId", "rtbassoc-", "routeTableId", "rtb-"},
  {"ec2", "DeleteRouteTable", RE, TW_SP_IDS, 0, "routeTableId", "rtb-", NULL, NULL},
  {"ec2", "DisassociateRouteTable", RE, TW_SP_IDS, 0, "associationId", "rtbassoc-", NULL, NULL},
  /* CloudWatch.14 VPC */
  {"ec2", "DeleteVpc", RE, TW_SP_IDS, 0, "vpcId", "vpc-", NULL, NULL},
  {"ec2", "ModifyVpcAttribute", RE, TW_SP_IDS, 0, "vpcId", "vpc-", NULL, NULL},
  {"ec2", "AcceptVpcPeeringConnection", RE, TW_SP_IDS, 0, "vpcPeeringConnectionId", "pcx-", NULL, NULL},
  {"ec2", "CreateVpcPeeringConnection", RE, TW_SP_IDS, 0, "vpcId", "vpc-", "peerVpcId", "vpc-"},
  {"ec2", "DeleteVpcPeeringConnection", RE, TW_SP_IDS, 0, "vpcPeeringConnectionId", "pcx-", NULL, NULL},
  {"ec2", "RejectVpcPeeringConnection", RE, TW_SP_IDS, 0, "vpcPeeringConnectionId", "pcx-", NULL, NULL},
  {"ec2", "AttachClassicLinkVpc", RE, TW_SP_IDS, 0, "instanceId", "i-", "vpcId", "vpc-"},
  {"ec2", "DetachClassicLinkVpc", RE, TW_SP_IDS, 0, "instanceId", "i-", "vpcId", "vpc-"},
  {"ec2", "DisableVpcClassicLink", RE, TW_SP_IDS, 0, "vpcId", "vpc-", NULL, NULL},
  {"ec2", "EnableVpcClassicLink", RE, TW_SP_IDS, 0, "vpcId", "vpc-", NULL, NULL},
  /* CIS 4.15 Organizations */
  {"organizations", "AcceptHandshake", GL | RE | AX, TW_SP_IDS, 0, "handshakeId", "h-", NULL, NULL},
  {"organizations", "AttachPolicy", GL | AX, TW_SP_IDS, 0, "policyId", "p-", "targetId", "ou-"},
  {"organizations", "CreateAccount", GL | RE | AX, TW_SP_KV, 0, "accountName", NULL, NULL, NULL},
  {"organizations", "CreateOrganizationalUnit", GL | RE | AX, TW_SP_IDS, 0, "parentId", "r-", NULL, NULL},
  {"organizations", "CreatePolicy", GL | RE | AX, TW_SP_IDS, 0, "name", "scp-", NULL, NULL},
  {"organizations", "DeclineHandshake", GL | RE | AX, TW_SP_IDS, 0, "handshakeId", "h-", NULL, NULL},
  {"organizations", "DeleteOrganization", GL | AX, TW_SP_NULL, 0, NULL, NULL, NULL, NULL},
  {"organizations", "DeleteOrganizationalUnit", GL | AX, TW_SP_IDS, 0, "organizationalUnitId", "ou-", NULL, NULL},
  {"organizations", "DeletePolicy", GL | AX, TW_SP_IDS, 0, "policyId", "p-", NULL, NULL},
  {"organizations", "DetachPolicy", GL | AX, TW_SP_IDS, 0, "policyId", "p-", "targetId", "ou-"},
  {"organizations", "DisablePolicyType", GL | RE | AX, TW_SP_IDS, 0, "rootId", "r-", NULL, NULL},
  {"organizations", "EnablePolicyType", GL | RE | AX, TW_SP_IDS, 0, "rootId", "r-", NULL, NULL},
  {"organizations", "InviteAccountToOrganization", GL | RE | AX, TW_SP_KV, 0, "target", NULL, NULL, NULL},
  {"organizations", "MoveAccount", GL | AX, TW_SP_IDS, 0, "sourceParentId", "r-", "destinationParentId", "ou-"},
  {"organizations", "RemoveAccountFromOrganization", GL | AX, TW_SP_KV, 0, "accountId", NULL, NULL, NULL},
  {"organizations", "UpdatePolicy", GL | RE | AX, TW_SP_IDS, 0, "policyId", "p-", NULL, NULL},
  {"organizations", "UpdateOrganizationalUnit", GL | RE | AX, TW_SP_IDS, 0, "organizationalUnitId", "ou-", NULL, NULL},
  /* near misses: a CIS name from another eventSource (must not count for
   * CloudWatch.8), and a KMS change outside CloudWatch.7's list */
  {"s3-outposts", "PutBucketPolicy", RS, TW_SP_BUCKET_POLICY, 0, "policy", NULL, NULL, NULL},
  {"kms", "EnableKey", RS | AX, TW_SP_KMS_KEY, 0, NULL, NULL, NULL, NULL},
};
const size_t tw_sample_nnotables = N_(tw_sample_notables);

/* The first entries are service-linked roles (invokedBy their service). */
const tw_role tw_sample_roles[] = {
  {"AWSServiceRoleForConfig", "aws-service-role/config.amazonaws.com/", "config.amazonaws.com", "AWSConfig-Describe"},
  {"AWSServiceRoleForSecurityHub", "aws-service-role/securityhub.amazonaws.com/", "securityhub.amazonaws.com", "securityhub"},
  {"AWSServiceRoleForAmazonGuardDuty", "aws-service-role/guardduty.amazonaws.com/", "guardduty.amazonaws.com", "GuardDutySession"},
  {"AWSServiceRoleForRDS", "aws-service-role/rds.amazonaws.com/", "rds.amazonaws.com", "SLRManagement"},
  {"AWSServiceRoleForAutoScaling", "aws-service-role/autoscaling.amazonaws.com/", "autoscaling.amazonaws.com", "AutoScaling"},
  {"AWSServiceRoleForElasticLoadBalancing", "aws-service-role/elasticloadbalancing.amazonaws.com/", "elasticloadbalancing.amazonaws.com", "ElasticLoadBalancing"},
  {"AWSServiceRoleForTrustedAdvisor", "aws-service-role/trustedadvisor.amazonaws.com/", "trustedadvisor.amazonaws.com", "TrustedAdvisor_1a2b3c"},
  /* workload and human roles */
  {"OrganizationAccountAccessRole", "", NULL, "alice"},
  {"AWSReservedSSO_AdministratorAccess_5f1c2e9d04a7b3c8", "aws-reserved/sso.amazonaws.com/eu-west-1/", NULL, "jos\\u00e9.garcia@example.com"},
  {"AWSReservedSSO_ReadOnlyAccess_9a8b7c6d5e4f3a2b", "aws-reserved/sso.amazonaws.com/eu-west-1/", NULL, "renee.dupont@example.com"},
  {"ReadOnlyAuditor", "", NULL, "prowler-scan"},
  {"orders-api-lambda-exec", "service-role/", NULL, "orders-api"},
  {"eks-node-group-role", "", NULL, "i-0a7f3c9e21b54d806"},
  {"GitHubActionsDeploy", "", NULL, "GitHubActions"},
  {"terraform-ci", "", NULL, "terraform-run-18342"},
  {"TemporaryAdminRole", "", NULL, "breakglass-bob"},
};
const size_t tw_sample_nroles = N_(tw_sample_roles);
const size_t tw_sample_nslr = 7;

const char *const tw_sample_users[] = {
  "alice", "bob", "ci-deploy", "terraform", "svc-backup", "carol.admin", "dave", "legacy-app",
};
const size_t tw_sample_nusers = N_(tw_sample_users);

const char *const tw_sample_accounts[] = {
  "493812736551", "208537611904", "760019384215", "125540398817",
  TW_SAMPLE_ARCHIVE_ACCOUNT, /* the archive's account (TW_SAMPLE_ARCHIVE_ACCT) */
};
const size_t tw_sample_naccounts = N_(tw_sample_accounts);

/* Weighted by repetition: us-east-1 is the busiest region of most trails. */
const char *const tw_sample_regions[] = {
  "us-east-1", "us-east-1", "us-east-1", "us-east-1", "eu-west-1", "eu-west-1",
  "us-west-2", "us-west-2", "eu-central-1", "ap-southeast-2", "ap-northeast-1", "sa-east-1",
};
const size_t tw_sample_nregions = N_(tw_sample_regions);

const char *const tw_sample_agents[] = {
  "aws-cli/2.15.30 Python/3.11.8 Linux/6.1.0-18-amd64 exe/x86_64.debian.12 prompt/off command/ec2.describe-instances",
  "APN/1.0 HashiCorp/1.0 Terraform/1.7.4 (+https://www.terraform.io) terraform-provider-aws/5.40.0 (+https://registry.terraform.io/providers/hashicorp/aws) aws-sdk-go-v2/1.25.2 os/linux lang/go#1.21.8 md/GOOS#linux md/GOARCH#amd64 api/ec2#1.149.3",
  "Boto3/1.34.51 md/Botocore#1.34.51 ua/2.0 os/linux#6.1.0-18-amd64 md/arch#x86_64 lang/python#3.12.2 md/pyimpl#CPython cfg/retry-mode#legacy Botocore/1.34.51",
  "aws-sdk-java/2.25.6 Linux/5.10.210-201.852.amzn2.x86_64 OpenJDK_64-Bit_Server_VM/17.0.10+7-LTS Java/17.0.10 vendor/Amazon.com_Inc. io/sync http/Apache cfg/retry-mode/legacy",
  "aws-sdk-go/1.50.30 (go1.21.7; linux; amd64) exec-env/AWS_ECS_FARGATE",
  "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/122.0.0.0 Safari/537.36",
  "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.3 Safari/605.1.15",
  "aws-sdk-go/1.44.299 (go1.20.6; windows; amd64) amazon-ssm-agent/3.2.2222.0",
  "AWS Internal",
  "aws-sdk-js/3.525.0 ua/2.0 os/linux#5.10.209-198.858.amzn2.x86_64 lang/js md/nodejs#20.11.1 api/dynamodb#3.525.0 exec-env/AWS_Lambda_nodejs20.x",
};
const size_t tw_sample_nagents = N_(tw_sample_agents);

static const char *const pool_role[] = {
  "orders-api-lambda-exec", "eks-node-group-role", "ReadOnlyAuditor", "GitHubActionsDeploy",
  "terraform-ci", "OrganizationAccountAccessRole", "AWSServiceRoleForConfig", "data-pipeline-glue",
};
static const char *const pool_function[] = {
  "orders-api", "image-resizer", "nightly-report", "slack-notifier", "cost-anomaly-check",
};
static const char *const pool_log_group[] = {
  "/aws/lambda/orders-api", "/aws/lambda/image-resizer", "/aws/eks/prod/cluster",
  "/ecs/payments", "CloudTrail/DefaultLogGroup", "/aws/rds/cluster/orders-db/postgresql",
};
static const char *const pool_param[] = {
  "/prod/orders/db-password", "/prod/payments/api-key", "/shared/datadog/api-key",
  "/dev/feature-flags", "/prod/caf\\u00e9/menu-url",
};
static const char *const pool_table[] = {"orders", "sessions", "terraform-locks", "audit-log"};
static const char *const pool_secret[] = {
  "prod/orders/postgres", "prod/payments/stripe", "ci/github-token",
};
static const char *const pool_policy_arn[] = {
  "arn:aws:iam::aws:policy/AdministratorAccess", "arn:aws:iam::aws:policy/ReadOnlyAccess",
  "arn:aws:iam::aws:policy/AmazonS3FullAccess", "arn:aws:iam::aws:policy/SecurityAudit",
};
static const char *const pool_instance[] = {"orders-db", "payments-db", "analytics"};
static const char *const pool_cluster[] = {"orders-aurora", "reporting-aurora"};
static const char *const pool_alarm[] = {
  "orders-api-5xx", "CIS-3.1-UnauthorizedAPICalls", "payments-latency-p99",
};
static const char *const pool_account[] = {"sandbox-renee", "team-caf\\u00e9", "log-archive"};
static const char *const pool_repo[] = {"orders-api", "payments/worker", "base-images/debian"};
static const char *const pool_lb[] = {
  "arn:aws:elasticloadbalancing:us-east-1:493812736551:targetgroup/orders-api/6d0ecf831eec9f09",
  "arn:aws:elasticloadbalancing:eu-west-1:208537611904:targetgroup/payments/9a1b2c3d4e5f6a7b",
};

struct pool { const char *const *v; uint32_t n; };

static struct pool pool_get(int pool) {
  switch (pool) {
  case TW_POOL_ROLE: return (struct pool){pool_role, N_(pool_role)};
  case TW_POOL_USER: return (struct pool){tw_sample_users, N_(tw_sample_users)};
  case TW_POOL_FUNCTION: return (struct pool){pool_function, N_(pool_function)};
  case TW_POOL_LOG_GROUP: return (struct pool){pool_log_group, N_(pool_log_group)};
  case TW_POOL_PARAM: return (struct pool){pool_param, N_(pool_param)};
  case TW_POOL_TABLE: return (struct pool){pool_table, N_(pool_table)};
  case TW_POOL_SECRET: return (struct pool){pool_secret, N_(pool_secret)};
  case TW_POOL_POLICY_ARN: return (struct pool){pool_policy_arn, N_(pool_policy_arn)};
  case TW_POOL_INSTANCE: return (struct pool){pool_instance, N_(pool_instance)};
  case TW_POOL_CLUSTER: return (struct pool){pool_cluster, N_(pool_cluster)};
  case TW_POOL_ALARM: return (struct pool){pool_alarm, N_(pool_alarm)};
  case TW_POOL_ACCOUNT: return (struct pool){pool_account, N_(pool_account)};
  case TW_POOL_REPO: return (struct pool){pool_repo, N_(pool_repo)};
  default: return (struct pool){pool_lb, N_(pool_lb)};
  }
}

uint32_t tw_sample_pool_size(int pool) { return pool_get(pool).n; }

const char *tw_sample_pool_value(int pool, uint32_t i) {
  struct pool p = pool_get(pool);
  return p.v[i % p.n];
}
