"""boto3 against `trailwatch serve` (run by tests/cli/serve_boto3.sh).

usage: test_boto3.py PORT AUTH_PORT
PORT serves without --auth; AUTH_PORT serves with --auth holding the pair
AKIDTEST1 / secret1. Checks metrics operations (PutMetricData including
gzip-compressed bodies, GetMetricStatistics, GetMetricData, ListMetrics),
that errors raise the modeled boto3 exception classes, and SigV4 (valid,
wrong secret, unknown key, expired date). Prints "N passed, N failed".
"""
import datetime
import sys
import traceback

import boto3
import botocore.auth
from botocore.config import Config
from botocore.exceptions import ClientError

PORT, AUTH_PORT = sys.argv[1], sys.argv[2]
UTC = datetime.timezone.utc
results = {"passed": 0, "failed": 0}


def client(service, port=PORT, key="AKIDEXAMPLE", secret="x", **cfg):
    return boto3.client(
        service,
        endpoint_url="http://127.0.0.1:%s" % port,
        region_name="us-east-1",
        aws_access_key_id=key,
        aws_secret_access_key=secret,
        config=Config(retries={"max_attempts": 1}, **cfg),
    )


def check(name, fn):
    try:
        fn()
        results["passed"] += 1
    except Exception:  # noqa: BLE001 - report every failure
        results["failed"] += 1
        print("FAIL", name)
        traceback.print_exc()


def raises(call, exc_class=None, code=None, text=None):
    try:
        call()
    except ClientError as e:
        if exc_class is not None:
            assert isinstance(e, exc_class), "got %r" % type(e)
        if code is not None:
            assert e.response["Error"]["Code"] == code, e.response["Error"]
        if text is not None:
            assert text in e.response["Error"]["Message"], e.response["Error"]
        return e
    raise AssertionError("no error raised")


cw = client("cloudwatch")
logs = client("logs")
now = datetime.datetime.now(UTC).replace(microsecond=0)
minute = now.replace(second=0)


def put_and_get():
    cw.put_metric_data(Namespace="App", MetricData=[
        {"MetricName": "Latency", "Value": 10.0, "Unit": "Milliseconds",
         "Timestamp": minute, "Dimensions": [{"Name": "Svc", "Value": "api"}]},
        {"MetricName": "Latency", "Values": [20.0, 30.0], "Counts": [1.0, 2.0],
         "Unit": "Milliseconds", "Timestamp": minute,
         "Dimensions": [{"Name": "Svc", "Value": "api"}]},
        {"MetricName": "Latency", "Unit": "Milliseconds", "Timestamp": minute,
         "StatisticValues": {"SampleCount": 2, "Sum": 100, "Minimum": 50, "Maximum": 50},
         "Dimensions": [{"Name": "Svc", "Value": "api"}]},
    ])
    r = cw.get_metric_statistics(
        Namespace="App", MetricName="Latency",
        Dimensions=[{"Name": "Svc", "Value": "api"}],
        StartTime=minute - datetime.timedelta(minutes=5),
        EndTime=minute + datetime.timedelta(minutes=5), Period=600,
        Statistics=["Sum", "SampleCount", "Maximum", "Minimum", "Average"])
    dp = r["Datapoints"]
    assert len(dp) == 1, dp
    assert dp[0]["Sum"] == 190.0 and dp[0]["SampleCount"] == 6.0, dp
    assert dp[0]["Maximum"] == 50.0 and dp[0]["Minimum"] == 10.0, dp
    assert dp[0]["Unit"] == "Milliseconds", dp
    assert r["Label"] == "Latency"


def percentile():
    cw.put_metric_data(Namespace="Pct", MetricData=[
        {"MetricName": "V", "Values": [float(i) for i in range(1, 101)], "Timestamp": minute}])
    r = cw.get_metric_statistics(
        Namespace="Pct", MetricName="V", StartTime=minute,
        EndTime=minute + datetime.timedelta(minutes=1), Period=60,
        ExtendedStatistics=["p99", "p50"])
    ext = r["Datapoints"][0]["ExtendedStatistics"]
    # 100 distinct values in a bucket: the sketch, within 0.5 % (docs/metrics.md)
    assert abs(ext["p99"] - 99.0) <= 0.5 and abs(ext["p50"] - 50.0) <= 0.25, ext


def gzip_body():
    seen = {}

    def grab(request, **_):
        seen["encoding"] = request.headers.get("Content-Encoding")

    c = client("cloudwatch")
    c.meta.events.register("before-send.cloudwatch.PutMetricData", grab)
    c.put_metric_data(Namespace="Gz", MetricData=[
        {"MetricName": "M%03d" % i, "Value": float(i), "Timestamp": minute, "Unit": "Count",
         "Dimensions": [{"Name": "Service", "Value": "api"}]} for i in range(150)])
    assert seen["encoding"] in ("gzip", b"gzip"), seen
    r = cw.list_metrics(Namespace="Gz")
    assert len(r["Metrics"]) == 150, len(r["Metrics"])


def list_metrics_pages():
    for chunk in range(2):
        cw.put_metric_data(Namespace="Many", MetricData=[
            {"MetricName": "M", "Value": 1.0, "Timestamp": minute,
             "Dimensions": [{"Name": "Id", "Value": "%04d" % (chunk * 300 + i)}]}
            for i in range(300)])
    first = cw.list_metrics(Namespace="Many")
    assert len(first["Metrics"]) == 500 and "NextToken" in first
    total = sum(len(p["Metrics"]) for p in cw.get_paginator("list_metrics").paginate(Namespace="Many"))
    assert total == 600, total
    r = cw.list_metrics(Namespace="App", Dimensions=[{"Name": "Svc"}])
    assert [m["MetricName"] for m in r["Metrics"]] == ["Latency"], r["Metrics"]
    assert r["Metrics"][0]["Dimensions"] == [{"Name": "Svc", "Value": "api"}]


def metric_data():
    cw.put_metric_data(Namespace="Gmd", MetricData=[
        {"MetricName": "C", "Value": float(k + 1),
         "Timestamp": minute - datetime.timedelta(minutes=k)} for k in range(3)])
    r = cw.get_metric_data(
        MetricDataQueries=[{"Id": "c1", "MetricStat": {
            "Metric": {"Namespace": "Gmd", "MetricName": "C"}, "Period": 60, "Stat": "Sum"}}],
        StartTime=minute - datetime.timedelta(minutes=10),
        EndTime=minute + datetime.timedelta(minutes=1))
    res = r["MetricDataResults"][0]
    assert res["Id"] == "c1" and res["StatusCode"] == "Complete", res
    assert res["Values"] == [1.0, 2.0, 3.0], res["Values"]  # newest first
    assert res["Timestamps"][0] > res["Timestamps"][1]


def errors_cloudwatch():
    e = cw.exceptions
    raises(lambda: cw.get_metric_statistics(
        Namespace="App", MetricName="Latency", StartTime=minute, EndTime=minute + datetime.timedelta(hours=1),
        Period=7, Statistics=["Sum"]), e.InvalidParameterValueException, "InvalidParameterValue")
    raises(lambda: cw.get_metric_statistics(
        Namespace="App", MetricName="Latency", StartTime=minute - datetime.timedelta(days=2),
        EndTime=minute, Period=60, Statistics=["Sum"]),
        e.InvalidParameterCombinationException, "InvalidParameterCombination",
        "exceeds the limit of 1,440")
    raises(lambda: cw.set_alarm_state(AlarmName="nope", StateValue="OK", StateReason="x"),
           e.ResourceNotFound, "ResourceNotFound")
    raises(lambda: cw.describe_alarms(NextToken="garbage!"), e.InvalidNextToken, "InvalidNextToken")
    raw = client("cloudwatch", parameter_validation=False)
    raises(lambda: raw.put_metric_data(Namespace="App", MetricData=[{"MetricName": "X"}]),
           e.MissingRequiredParameterException, "MissingParameter")
    raises(lambda: raw.put_metric_data(Namespace="App", MetricData=[
        {"MetricName": "X", "Value": 1.0, "StatisticValues": {
            "SampleCount": 1, "Sum": 1, "Minimum": 1, "Maximum": 1}}]),
        e.InvalidParameterCombinationException, "InvalidParameterCombination")
    raises(lambda: raw.put_metric_data(Namespace="App", MetricData=[
        {"MetricName": "X", "Value": 1.0, "Timestamp": now - datetime.timedelta(days=20)}]),
        e.InvalidParameterValueException, "InvalidParameterValue", "two weeks")
    raises(lambda: raw.put_metric_alarm(AlarmName="p", MetricName="M", Namespace="N",
                                        Statistic="Sum", Period=7, EvaluationPeriods=1,
                                        Threshold=1.0, ComparisonOperator="GreaterThanThreshold"),
           e.InvalidParameterValueException, "InvalidParameterValue")
    raises(lambda: raw.get_metric_data(MetricDataQueries=[{"Id": "Bad", "Expression": "m1*2"}],
                                       StartTime=minute, EndTime=minute + datetime.timedelta(hours=1)),
           e.InvalidParameterValueException, "InvalidParameterValue")
    err = raises(lambda: raw.describe_alarms(MaxRecords="ten"), code="SerializationException")
    assert err.response["ResponseMetadata"]["HTTPStatusCode"] == 400


def errors_logs():
    e = logs.exceptions
    raises(lambda: logs.describe_log_streams(logGroupName="nope"), e.ResourceNotFoundException,
           "ResourceNotFoundException", "The specified log group does not exist.")
    logs.create_log_group(logGroupName="b3")
    raises(lambda: logs.create_log_group(logGroupName="b3"), e.ResourceAlreadyExistsException)
    raises(lambda: logs.test_metric_filter(filterPattern="{ $.a == 1 }", logEventMessages=["x"]),
           e.InvalidParameterException, "InvalidParameterException", "column")
    r = logs.test_metric_filter(filterPattern="[ip, user, status = 404]",
                                logEventMessages=["1.2.3.4 bob 404", "1.2.3.4 bob 200"])
    assert r["matches"] == [{"eventNumber": 1, "eventMessage": "1.2.3.4 bob 404",
                             "extractedValues": {"$ip": "1.2.3.4", "$user": "bob",
                                                 "$status": "404"}}], r["matches"]


def metric_filter_dimensions():
    logs.create_log_group(logGroupName="dims")
    logs.create_log_stream(logGroupName="dims", logStreamName="s")
    logs.put_metric_filter(
        logGroupName="dims", filterName="bysrc", filterPattern="{ $.errorCode = * }",
        metricTransformations=[{"metricName": "Errors", "metricNamespace": "Trail",
                                "metricValue": "1", "dimensions": {"Source": "$.eventSource"}}])
    ts = int(minute.timestamp() * 1000)
    logs.put_log_events(logGroupName="dims", logStreamName="s", logEvents=[
        {"timestamp": ts, "message": '{"errorCode":"AccessDenied","eventSource":"s3.amazonaws.com"}'},
        {"timestamp": ts + 1, "message": '{"errorCode":"AccessDenied","eventSource":"s3.amazonaws.com"}'},
        {"timestamp": ts + 2, "message": '{"errorCode":"Throttled","eventSource":"ec2.amazonaws.com"}'},
        {"timestamp": ts + 3, "message": '{"eventSource":"ec2.amazonaws.com"}'}])
    r = cw.get_metric_statistics(
        Namespace="Trail", MetricName="Errors",
        Dimensions=[{"Name": "Source", "Value": "s3.amazonaws.com"}], StartTime=minute,
        EndTime=minute + datetime.timedelta(minutes=1), Period=60, Statistics=["Sum"])
    assert r["Datapoints"][0]["Sum"] == 2.0, r
    names = sorted(d["Value"] for m in cw.list_metrics(Namespace="Trail")["Metrics"]
                   for d in m["Dimensions"])
    assert names == ["ec2.amazonaws.com", "s3.amazonaws.com"], names


def auth_valid():
    c = client("logs", AUTH_PORT, "AKIDTEST1", "secret1")
    c.create_log_group(logGroupName="signed")
    assert [g["logGroupName"] for g in c.describe_log_groups()["logGroups"]] == ["signed"]
    client("cloudwatch", AUTH_PORT, "AKIDTEST1", "secret1").put_metric_data(
        Namespace="Gz", MetricData=[{"MetricName": "M%03d" % i, "Value": 1.0, "Unit": "Count",
                                     "Dimensions": [{"Name": "Service", "Value": "api"}]}
                                    for i in range(150)])


def auth_wrong_secret():
    raises(lambda: client("logs", AUTH_PORT, "AKIDTEST1", "nope").describe_log_groups(),
           code="InvalidSignatureException", text="does not match the signature you provided")
    err = raises(lambda: client("cloudwatch", AUTH_PORT, "AKIDTEST1", "nope").describe_alarms(),
                 code="SignatureDoesNotMatch")
    assert err.response["ResponseMetadata"]["HTTPStatusCode"] == 403


def auth_unknown_key():
    raises(lambda: client("logs", AUTH_PORT, "AKIDOTHER", "secret1").describe_log_groups(),
           code="UnrecognizedClientException",
           text="The security token included in the request is invalid.")
    raises(lambda: client("cloudwatch", AUTH_PORT, "AKIDOTHER", "secret1").describe_alarms(),
           code="InvalidClientTokenId")


def auth_expired():
    real = botocore.auth.get_current_datetime
    botocore.auth.get_current_datetime = lambda: real() - datetime.timedelta(hours=1)
    try:
        raises(lambda: client("logs", AUTH_PORT, "AKIDTEST1", "secret1").describe_log_groups(),
               code="InvalidSignatureException", text="Signature expired:")
    finally:
        botocore.auth.get_current_datetime = real


for name, fn in [("put_and_get", put_and_get), ("percentile", percentile),
                 ("gzip_body", gzip_body), ("list_metrics_pages", list_metrics_pages),
                 ("metric_data", metric_data), ("errors_cloudwatch", errors_cloudwatch),
                 ("errors_logs", errors_logs), ("metric_filter_dimensions", metric_filter_dimensions),
                 ("auth_valid", auth_valid), ("auth_wrong_secret", auth_wrong_secret),
                 ("auth_unknown_key", auth_unknown_key), ("auth_expired", auth_expired)]:
    check(name, fn)
print("%d passed, %d failed" % (results["passed"], results["failed"]))
sys.exit(1 if results["failed"] else 0)
