#!/usr/bin/env python3
"""live.py — [live] benchmark driver (run through bench/live.sh).

Measures, against a running `trailwatch serve` started by live.sh:
  1. latency: the time from an event arriving through each live source
     (PutLogEvents, --follow FILE, --follow DIR, standard input) to the
     webhook call of the alarm it fires. Every trial event has its own
     filter and alarm (Sum >= 1 over 60 s), so each fires exactly once.
     Reported two ways: end to end, and after the minute boundary from
     which the event's datapoint could first be evaluated (CloudWatch's
     schedule, D22: the current partial minute is never evaluated), which
     is trailwatch's own share of the delay.
  2. sustained ingest: PutLogEvents batches of real CloudTrail events
     (examples/events.ndjson) into the group carrying the CIS filters while
     the outbox delivers notifications and the latency trials run.

Usage: live.py config|run ... (see live.sh). Python 3 standard library only.
"""
import gzip
import http.client
import http.server
import json
import os
import random
import statistics
import sys
import threading
import time
import uuid

GROUP = "CloudTrail/DefaultLogGroup"
PUT_GROUP = "bench/put"
TOPIC = "arn:aws:sns:us-east-1:123456789012:bench-live"
SOURCES = ("put", "file", "dir", "stdin")


def trial_name(src, k):
    return "Bench%s%02d" % (src.capitalize(), k)


def make_config(path, per_source, hook_url, cis_path):
    filters, alarms = [], []
    cis = json.load(open(cis_path))["metricFilters"]
    for f in cis:  # the CIS filters, each with an alarm like the rule pack's
        filters.append(f)
        m = f["metricTransformations"][0]
        alarms.append({"AlarmName": "cis-" + f["filterName"], "MetricName": m["metricName"],
                       "Namespace": m["metricNamespace"], "Statistic": "Sum", "Period": 300,
                       "EvaluationPeriods": 1, "Threshold": 1,
                       "ComparisonOperator": "GreaterThanOrEqualToThreshold",
                       "TreatMissingData": "notBreaching", "AlarmActions": [TOPIC]})
    for src in SOURCES:
        for k in range(per_source):
            name = trial_name(src, k)
            filters.append({"filterName": name, "logGroupName": PUT_GROUP if src == "put" else GROUP,
                            "filterPattern": '{ $.eventName = "%s" }' % name,
                            "metricTransformations": [{"metricName": name,
                                                       "metricNamespace": "Bench",
                                                       "metricValue": "1"}]})
            alarms.append({"AlarmName": name, "MetricName": name, "Namespace": "Bench",
                           "Statistic": "Sum", "Period": 60, "EvaluationPeriods": 1,
                           "Threshold": 1, "ComparisonOperator": "GreaterThanOrEqualToThreshold",
                           "TreatMissingData": "notBreaching", "AlarmActions": [TOPIC]})
    cfg = {"metricFilters": filters, "MetricAlarms": alarms,
           "targets": {TOPIC: [{"type": "webhook", "url": hook_url}]}}
    with open(path, "w") as f:
        json.dump(cfg, f, indent=1)


class Sink(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    arrivals = {}
    lock = threading.Lock()

    def log_message(self, *a):
        pass

    def do_POST(self):
        t = time.time()
        body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
        try:
            name = json.loads(json.loads(body)["Message"])["AlarmName"]
            with Sink.lock:
                Sink.arrivals.setdefault(name, t)
        except (ValueError, KeyError):
            pass
        self.send_response(200)
        self.send_header("Content-Length", "0")
        self.end_headers()


def event(name, t):
    ts = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(t))
    return {"eventVersion": "1.08", "eventTime": ts, "eventSource": "bench.amazonaws.com",
            "eventName": name, "awsRegion": "us-east-1", "sourceIPAddress": "192.0.2.1",
            "userIdentity": {"type": "IAMUser", "userName": "bench",
                             "arn": "arn:aws:iam::123456789012:user/bench"},
            "eventID": str(uuid.uuid4()), "eventType": "AwsApiCall",
            "recipientAccountId": "123456789012"}


class Api:
    def __init__(self, port):
        self.c = http.client.HTTPConnection("127.0.0.1", port, timeout=60)

    def call(self, op, body):
        data = json.dumps(body).encode()
        self.c.request("POST", "/", data, {"X-Amz-Target": "Logs_20140328." + op,
                                           "Content-Type": "application/x-amz-json-1.1"})
        r = self.c.getresponse()
        out = r.read()
        if r.status != 200 and op not in ("CreateLogGroup", "CreateLogStream"):
            sys.exit("%s failed: %s %s" % (op, r.status, out[:200]))

    def put(self, group, stream, msgs_ts):
        self.call("PutLogEvents", {"logGroupName": group, "logStreamName": stream,
                                   "logEvents": [{"timestamp": t, "message": m}
                                                 for m, t in msgs_ts]})


def send(src, name, port, args, api):
    t = time.time()
    ev = event(name, t)
    line = json.dumps(ev, separators=(",", ":"))
    if src == "put":
        api.put(PUT_GROUP, "trials", [(line, int(t * 1000))])
    elif src == "file":
        with open(args["file"], "a") as f:
            f.write(line + "\n")
    elif src == "stdin":
        args["stdin"].write(line + "\n")
        args["stdin"].flush()
    else:  # an S3 object, written under a temporary name then renamed
        d = time.strftime("%Y/%m/%d", time.gmtime(t))
        key = "AWSLogs/123456789012/CloudTrail/us-east-1/%s" % d
        os.makedirs(os.path.join(args["dir"], key), exist_ok=True)
        name_gz = "123456789012_CloudTrail_us-east-1_%s_%s.json.gz" % (
            time.strftime("%Y%m%dT%H%MZ", time.gmtime(t)), uuid.uuid4().hex[:16])
        final = os.path.join(args["dir"], key, name_gz)
        tmp = os.path.join(args["dir"], key, "." + name_gz + ".tmp")
        with open(tmp, "wb") as f:
            f.write(gzip.compress(json.dumps({"Records": [ev]}).encode()))
        os.rename(tmp, final)
    return t


def load(port, stop, stats):
    """Sustained PutLogEvents load into the CIS group (batches of 1,000)."""
    api = Api(port)
    api.call("CreateLogStream", {"logGroupName": GROUP, "logStreamName": "load"})
    events = [l.strip() for l in open("examples/events.ndjson") if l.strip()]
    i = 0
    t0 = time.perf_counter()
    while not stop.is_set():
        now = int(time.time() * 1000)
        api.put(GROUP, "load", [(events[(i + j) % len(events)], now) for j in range(1000)])
        i += 1000
        stats["events"] = i
        stats["seconds"] = time.perf_counter() - t0


def pct(xs, p):
    xs = sorted(xs)
    return xs[min(len(xs) - 1, int(round(p / 100 * (len(xs) - 1))))]


def run(port, hook_port, per_source, spread, with_load, args):
    srv = http.server.ThreadingHTTPServer(("127.0.0.1", hook_port), Sink)
    threading.Thread(target=srv.serve_forever, daemon=True).start()
    api = Api(port)
    api.call("CreateLogGroup", {"logGroupName": PUT_GROUP})
    api.call("CreateLogStream", {"logGroupName": PUT_GROUP, "logStreamName": "trials"})
    stop, stats = threading.Event(), {"events": 0, "seconds": 0.0}
    loader = None
    if with_load:
        loader = threading.Thread(target=load, args=(port, stop, stats), daemon=True)
        loader.start()
    plan = sorted((random.uniform(0, spread), src, k)
                  for src in SOURCES for k in range(per_source))
    start, sent = time.time(), {}
    for at, src, k in plan:
        delay = start + at - time.time()
        if delay > 0:
            time.sleep(delay)
        sent[trial_name(src, k)] = (src, send(src, trial_name(src, k), port, args, api))
    deadline = time.time() + 150
    while time.time() < deadline:
        with Sink.lock:
            if all(n in Sink.arrivals for n in sent):
                break
        time.sleep(0.2)
    stop.set()
    if loader:
        loader.join()
    out = {}
    for src in SOURCES:
        e2e, own = [], []
        for name, (s, t) in sent.items():
            if s != src or name not in Sink.arrivals:
                continue
            a = Sink.arrivals[name]
            e2e.append(a - t)
            own.append(a - (int(t // 60) * 60 + 60))
        missing = sum(1 for n, (s, _) in sent.items() if s == src and n not in Sink.arrivals)
        if e2e:
            out[src] = (len(e2e), missing, statistics.median(e2e), pct(e2e, 99),
                        statistics.median(own), pct(own, 99))
        else:
            out[src] = (0, missing, 0, 0, 0, 0)
    print("%-7s %7s %8s %12s %12s %14s %14s" % ("source", "trials", "missing", "median s",
                                               "p99 s", "after-min med", "after-min p99"))
    for src in SOURCES:
        n, miss, m, p, om, op = out[src]
        print("%-7s %7d %8d %12.2f %12.2f %14.3f %14.3f" % (src, n, miss, m, p, om, op))
    if with_load:
        print("sustained PutLogEvents with the CIS filters and %d alarms, notifications "
              "being delivered: %d events in %.1f s = %.0f events/s"
              % (15 + 4 * per_source, stats["events"], stats["seconds"],
                 stats["events"] / max(stats["seconds"], 1e-9)))
    return 0 if all(out[s][1] == 0 for s in SOURCES) else 1


if __name__ == "__main__":
    if sys.argv[1] == "config":
        make_config(sys.argv[2], int(sys.argv[3]), sys.argv[4], sys.argv[5])
    else:
        port, hook_port, per, spread, with_load = (int(sys.argv[2]), int(sys.argv[3]),
                                                   int(sys.argv[4]), float(sys.argv[5]),
                                                   sys.argv[6] == "load")
        fifo = open(sys.argv[9], "w")
        sys.exit(run(port, hook_port, per, spread, with_load,
                     {"file": sys.argv[7], "dir": sys.argv[8], "stdin": fifo}))
