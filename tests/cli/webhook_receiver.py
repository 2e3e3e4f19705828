#!/usr/bin/env python3
"""webhook_receiver.py — a small HTTP receiver for the live webhook tests
(tests/cli/live_webhook.sh), Python 3 standard library only.

    webhook_receiver.py DIR [MODE]

Listens on 127.0.0.1 with a port chosen by the OS, written to DIR/port once
bound. Every request is appended to DIR/requests.ndjson as one JSON line:
{"t": arrival time (epoch seconds), "method", "path", "headers": {lower-case
name: value}, "body", "mode", "status"}.

The mode is read from DIR/mode before each request (MODE, default "ok", is
written there at start), so a test switches it by rewriting the file:
  ok      answer 200
  fail    answer 500
  hang    answer nothing for 120 s (the client times out)
  refuse  the socket is bound but not listening: connections are refused;
          the receiver starts listening when the mode file says otherwise.
"""
import http.server
import json
import os
import socket
import sys
import threading
import time

DIR = sys.argv[1]
LOCK = threading.Lock()


def mode():
    try:
        with open(os.path.join(DIR, "mode")) as f:
            return f.read().strip() or "ok"
    except OSError:
        return "ok"


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, fmt, *args):
        pass

    def record(self, body, m, status):
        line = json.dumps({
            "t": time.time(),
            "method": self.command,
            "path": self.path,
            "headers": {k.lower(): v for k, v in self.headers.items()},
            "body": body.decode("utf-8", "replace"),
            "mode": m,
            "status": status,
        })
        with LOCK:
            with open(os.path.join(DIR, "requests.ndjson"), "a") as f:
                f.write(line + "\n")

    def do_POST(self):
        n = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(n) if n else b""
        m = mode()
        status = {"ok": 200, "fail": 500}.get(m, 0)
        self.record(body, m, status)
        if m == "hang":
            time.sleep(120)
            return
        out = b"ok\n" if status == 200 else b"failing on purpose\n"
        self.send_response(status)
        self.send_header("Content-Type", "text/plain")
        self.send_header("Content-Length", str(len(out)))
        self.end_headers()
        self.wfile.write(out)


class Server(http.server.ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True


def main():
    os.makedirs(DIR, exist_ok=True)
    if len(sys.argv) > 2:
        with open(os.path.join(DIR, "mode"), "w") as f:
            f.write(sys.argv[2] + "\n")
    srv = Server(("127.0.0.1", 0), Handler, bind_and_activate=False)
    srv.socket.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    srv.server_bind()
    port = srv.server_address[1]
    tmp = os.path.join(DIR, "port.tmp")
    with open(tmp, "w") as f:
        f.write("%d\n" % port)
    os.replace(tmp, os.path.join(DIR, "port"))
    while mode() == "refuse":
        time.sleep(0.05)
    srv.server_activate()
    srv.serve_forever(poll_interval=0.1)


if __name__ == "__main__":
    main()
