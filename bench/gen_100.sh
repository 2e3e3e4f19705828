#!/usr/bin/env bash
# gen_100.sh — print a 100-filter trailwatch config: the 15 CIS filters of
# bench/cis.json plus 85 distinct, realistic detections (single eventNames,
# errorCodes, eventSources, identity and wildcard conditions), the kind of
# set a security team accumulates. Used by bench/run.sh for the "100
# filters" rows. Usage: bash bench/gen_100.sh > 100.json
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)

extra() {
cat <<'EOF'
ec2-run-instances	{ $.eventName = "RunInstances" }
ec2-terminate-instances	{ $.eventName = "TerminateInstances" }
ec2-stop-instances	{ $.eventName = "StopInstances" }
ec2-start-instances	{ $.eventName = "StartInstances" }
ec2-create-snapshot	{ $.eventName = "CreateSnapshot" }
ec2-modify-instance-attribute	{ $.eventName = "ModifyInstanceAttribute" }
ec2-create-key-pair	{ $.eventName = "CreateKeyPair" }
ec2-import-key-pair	{ $.eventName = "ImportKeyPair" }
ec2-get-password-data	{ $.eventName = "GetPasswordData" }
ec2-modify-snapshot-attribute	{ ($.eventSource = "ec2.amazonaws.com") && ($.eventName = "ModifySnapshotAttribute") }
ec2-modify-image-attribute	{ $.eventName = "ModifyImageAttribute" }
ec2-disable-ebs-encryption	{ $.eventName = "DisableEbsEncryptionByDefault" }
ec2-create-network-interface	{ $.eventName = "CreateNetworkInterface" }
ec2-delete-flow-logs	{ $.eventName = "DeleteFlowLogs" }
ec2-get-console-screenshot	{ $.eventName = "GetConsoleScreenshot" }
ec2-unauthorized	{ $.errorCode = "Client.UnauthorizedOperation" }
ec2-throttled	{ $.errorCode = "Client.RequestLimitExceeded" }
ec2-not-found	{ $.errorCode = "Client.Invalid*" }
iam-create-user	{ $.eventName = "CreateUser" }
iam-delete-user	{ $.eventName = "DeleteUser" }
iam-create-access-key	{ $.eventName = "CreateAccessKey" }
iam-update-access-key	{ $.eventName = "UpdateAccessKey" }
iam-create-login-profile	{ $.eventName = "CreateLoginProfile" }
iam-update-login-profile	{ $.eventName = "UpdateLoginProfile" }
iam-add-user-to-group	{ $.eventName = "AddUserToGroup" }
iam-create-role	{ $.eventName = "CreateRole" }
iam-update-assume-role-policy	{ $.eventName = "UpdateAssumeRolePolicy" }
iam-deactivate-mfa	{ ($.eventName = "DeactivateMFADevice") || ($.eventName = "DeleteVirtualMFADevice") }
iam-tag-role	{ ($.eventSource = "iam.amazonaws.com") && ($.eventName = "TagRole") }
iam-writes	{ ($.eventSource = "iam.amazonaws.com") && ($.readOnly IS FALSE) }
iam-admin-policy-attached	{ ($.eventName = "Attach*Policy") && ($.requestParameters.policyArn = "arn:aws:iam::aws:policy/AdministratorAccess") }
sts-assume-role-denied	{ ($.eventName = "AssumeRole") && ($.errorCode = "AccessDenied") }
sts-temporary-admin	{ ($.eventName = "AssumeRole") && ($.requestParameters.roleArn = "*:role/TemporaryAdminRole") }
sts-get-federation-token	{ $.eventName = "GetFederationToken" }
sts-get-session-token	{ $.eventName = "GetSessionToken" }
sts-web-identity	{ $.eventName = "AssumeRoleWithWebIdentity" }
switch-role	{ $.eventName = "SwitchRole" }
slr-get-denied	{ $.eventName = Get* && $.errorCode = AccessDenied && $.userIdentity.sessionContext.sessionIssuer.arn = "arn:aws:iam::*:role/aws-service-role/*" }
root-any	{ $.userIdentity.type = "Root" }
console-login-any	{ $.eventName = "ConsoleLogin" }
console-login-root	{ ($.eventName = "ConsoleLogin") && ($.userIdentity.type = "Root") }
console-login-sso-nomfa	{ ($.eventName = "ConsoleLogin") && ($.userIdentity.type = "AssumedRole") && ($.additionalEventData.MFAUsed = "No") }
access-denied-exception	{ $.errorCode = "AccessDeniedException" }
access-denied-exact	{ $.errorCode = "AccessDenied" }
throttling	{ $.errorCode = "ThrottlingException" }
resource-not-found	{ $.errorCode = "ResourceNotFoundException" }
any-error	{ $.errorCode = * }
s3-get-bucket-policy-missing	{ $.errorCode = "NoSuchBucketPolicy" }
s3-put-bucket-tagging	{ ($.eventSource = "s3.amazonaws.com") && ($.eventName = "PutBucketTagging") }
s3-public-access-block-changes	{ ($.eventName = "PutBucketPublicAccessBlock") || ($.eventName = "DeleteBucketPublicAccessBlock") || ($.eventName = "PutAccountPublicAccessBlock") }
s3-create-bucket	{ $.eventName = "CreateBucket" }
s3-delete-bucket	{ $.eventName = "DeleteBucket" }
s3-outposts	{ $.eventSource = "s3-outposts.amazonaws.com" }
kms-create-grant	{ ($.eventSource = "kms.amazonaws.com") && ($.eventName = "CreateGrant") }
kms-enable-key	{ $.eventName = "EnableKey" }
kms-decrypt-denied	{ ($.eventName = "Decrypt") && ($.errorCode = "AccessDenied*") }
kms-put-key-policy	{ $.eventName = "PutKeyPolicy" }
secrets-get-value	{ $.eventName = "GetSecretValue" }
secrets-put-value	{ $.eventName = "PutSecretValue" }
secrets-delete	{ $.eventName = "DeleteSecret" }
ssm-send-command	{ $.eventName = "SendCommand" }
ssm-start-session	{ $.eventName = "StartSession" }
ssm-get-parameter-secure	{ ($.eventName = "GetParameter*") && ($.requestParameters.withDecryption IS TRUE) }
lambda-update-code	{ $.eventName = "UpdateFunctionCode*" }
lambda-add-permission	{ $.eventName = "AddPermission*" }
logs-delete-log-group	{ $.eventName = "DeleteLogGroup" }
logs-put-retention	{ $.eventName = "PutRetentionPolicy" }
cloudwatch-delete-alarms	{ $.eventName = "DeleteAlarms" }
cloudwatch-put-alarm	{ $.eventName = "PutMetricAlarm" }
cloudtrail-put-event-selectors	{ $.eventName = "PutEventSelectors" }
guardduty-delete-detector	{ ($.eventSource = "guardduty.amazonaws.com") && ($.eventName = "DeleteDetector") }
securityhub-disable	{ $.eventName = "DisableSecurityHub" }
config-delete-rule	{ $.eventName = "DeleteConfigRule" }
rds-modify-db-instance	{ $.eventName = "ModifyDBInstance" }
rds-snapshot-shared	{ $.eventName = "ModifyDBSnapshotAttribute" }
dynamodb-update-table	{ $.eventName = "UpdateTable" }
ecr-get-token	{ $.eventName = "GetAuthorizationToken" }
elb-deregister-targets	{ $.eventName = "DeregisterTargets" }
autoscaling-update	{ $.eventName = "UpdateAutoScalingGroup" }
organizations-describe	{ $.eventSource = "organizations.amazonaws.com" && $.readOnly IS TRUE }
aws-service-event	{ $.eventType = "AwsServiceEvent" }
no-identity-type	{ $.eventType = "AwsServiceEvent" && $.userIdentity.type NOT EXISTS }
eu-west-1-writes	{ $.awsRegion = "eu-west-1" && $.readOnly IS FALSE }
unusual-region	{ $.awsRegion = "sa-east-1" && $.eventName = "RunInstances" }
console-session-writes	{ $.sessionCredentialFromConsole = "true" && $.readOnly IS FALSE }
EOF
}

extra | jq -R -s --slurpfile cis "$here/cis.json" '
  { metricFilters: ($cis[0].metricFilters + [
      split("\n")[] | select(length > 0) | split("\t") | {
        filterName: .[0], filterPattern: .[1], logGroupName: "CloudTrail/DefaultLogGroup",
        metricTransformations: [{metricName: .[0], metricNamespace: "LogMetrics", metricValue: "1"}]
      }]) }'
