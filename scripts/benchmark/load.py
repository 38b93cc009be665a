#!/usr/bin/env python3
"""Run one benchmark measurement inside a host container and print JSON.

scripts/benchmark/run.py copies this file into each container and calls it
with "docker exec", so that every client, the proxy and Node-RED share the
container's loopback. Only the standard library is needed, plus the
websockets package (copied from the controller's virtualenv) for "ws".

Subcommands:
  wrk URL [--close] [--gzip]   wrk's requests per second and p99 latency
  editor URL                   bytes and time of an editor first load and
                               of a warm reload with the browser's cache
  ws URL                       WebSocket echo round-trip times
  tls HOST PORT NAME PROCESS   CPU time of PROCESS per 1000 full handshakes
  login URL                    time of POST /auth/token for each --user,
                               with the password read from standard input
"""

from __future__ import annotations

import argparse
import gzip
import http.client
import json
import os
import re
import socket
import ssl
import statistics
import subprocess
import sys
import time
import urllib.parse

sys.path.insert(0, "/opt/moat-bench/lib")

# Accept-Encoding of current browsers; the proxies compress with gzip only.
BROWSER_ENCODING = "gzip, deflate, br"


def insecure_context() -> ssl.SSLContext:
    """Return a client context for the self-signed placeholder certificate."""
    context = ssl.create_default_context()
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE
    return context


def parse_wrk_duration(text: str) -> float:
    """Convert a wrk latency such as 1.23ms, 850.00us or 1.20s to milliseconds."""
    match = re.fullmatch(r"([\d.]+)(us|ms|s|m)", text)
    if not match:
        raise ValueError(f"invalid wrk latency {text!r}: expected a number with us, ms, s or m")
    value, unit = float(match.group(1)), match.group(2)
    return value * {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60000.0}[unit]


def run_wrk(args: argparse.Namespace) -> dict:
    # wrk reconnects after every response that carries "Connection: close",
    # which gives one full TLS handshake per request on the HTTPS targets.
    command = ["wrk", "--latency", "-t1", f"-c{args.connections}", f"-d{args.duration}s"]
    if args.close:
        command += ["-H", "Connection: close"]
    if args.gzip:
        command += ["-H", f"Accept-Encoding: {BROWSER_ENCODING}"]
    command.append(args.url)
    output = subprocess.run(command, check=True, capture_output=True, text=True).stdout
    rate = re.search(r"Requests/sec:\s+([\d.]+)", output)
    p99 = re.search(r"^\s+99%\s+(\S+)", output, re.MULTILINE)
    if not rate or not p99:
        raise RuntimeError(f"wrk output has no Requests/sec or 99% line:\n{output}")
    errors = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", output)
    socket_errors = re.search(r"Socket errors: (.*)", output)
    # The rate of error responses measures the error path, not the endpoint.
    if errors:
        raise RuntimeError(f"wrk got {errors.group(1)} responses outside 2xx and 3xx from {args.url}:\n{output}")
    return {
        "rps": float(rate.group(1)),
        "p99_ms": parse_wrk_duration(p99.group(1)),
        "non_2xx": int(errors.group(1)) if errors else 0,
        "socket_errors": socket_errors.group(1) if socket_errors else "",
    }


class Browser:
    """A browser's HTTP cache on one keep-alive connection, enough to replay an editor load."""

    def __init__(self, url: str):
        self.parts = urllib.parse.urlsplit(url)
        self.cache: dict[str, dict] = {}
        self.connection = None

    def connect(self):
        host = self.parts.hostname
        if self.parts.scheme == "https":
            return http.client.HTTPSConnection(host, self.parts.port or 443, context=insecure_context(), timeout=30)
        return http.client.HTTPConnection(host, self.parts.port or 80, timeout=30)

    def fetch(self, path: str, reload: bool) -> tuple[int, int, bytes]:
        """Fetch a path as a browser would; return (status, bytes on the wire, body)."""
        entry = self.cache.get(path)
        if reload and entry and entry["fresh_until"] > time.time() and not entry["is_page"]:
            # A reload takes fresh subresources from the cache (Chrome and
            # Firefox revalidate only the page itself).
            return 200, 0, entry["body"]
        headers = {"Accept-Encoding": BROWSER_ENCODING, "User-Agent": "moat-bench"}
        if entry and entry.get("etag"):
            headers["If-None-Match"] = entry["etag"]
        if entry and entry.get("last_modified"):
            headers["If-Modified-Since"] = entry["last_modified"]
        if self.connection is None:
            self.connection = self.connect()
        self.connection.request("GET", path, headers=headers)
        response = self.connection.getresponse()
        body = response.read()
        header_bytes = len(f"HTTP/1.1 {response.status} {response.reason}\r\n") + sum(
            len(name) + len(value) + 4 for name, value in response.getheaders()
        ) + 2
        if response.will_close:
            self.connection.close()
            self.connection = None
        if response.status == 304 and entry:
            return 304, header_bytes, entry["body"]
        max_age = re.search(r"max-age=(\d+)", response.getheader("Cache-Control", "") or "")
        self.cache[path] = {
            "body": body,
            "etag": response.getheader("ETag"),
            "last_modified": response.getheader("Last-Modified"),
            "fresh_until": time.time() + (int(max_age.group(1)) if max_age else 0),
            "is_page": path == self.parts.path,
        }
        return response.status, header_bytes + len(body), body

    def load(self, reload: bool) -> dict:
        start = time.perf_counter()
        status, total, page = self.fetch(self.parts.path, reload)
        if status not in (200, 304):
            raise RuntimeError(f"editor page {self.parts.path} returned HTTP {status}")
        html = gzip.decompress(page) if page[:2] == b"\x1f\x8b" else page
        assets = re.findall(rb'(?:src|href)="([^"#]+)"', html)
        requests, failed = 1, []
        for asset in assets:
            path = urllib.parse.urljoin(self.parts.path, asset.decode())
            if urllib.parse.urlsplit(path).netloc:
                continue
            status, size, _body = self.fetch(path, reload)
            total += size
            requests += size > 0
            if status not in (200, 304):
                failed.append(f"{path}: {status}")
        return {
            "bytes": total,
            "seconds": time.perf_counter() - start,
            "requests": requests,
            "assets": len(assets),
            "failed": failed,
        }


def run_editor(args: argparse.Namespace) -> dict:
    browser = Browser(args.url)
    first = browser.load(reload=False)
    warm = browser.load(reload=True)
    return {"first": first, "warm": warm}


def run_ws(args: argparse.Namespace) -> dict:
    from websockets.sync.client import connect

    options = {"open_timeout": 10}
    if args.url.startswith("wss:"):
        options["ssl"] = insecure_context()
    times = []
    with connect(args.url, **options) as websocket:
        for index in range(args.count + 10):
            message = f"round-trip {index}"
            start = time.perf_counter()
            websocket.send(message)
            answer = websocket.recv(timeout=10)
            elapsed = time.perf_counter() - start
            if answer != message:
                raise RuntimeError(f"echo returned {answer!r} for {message!r}")
            if index >= 10:  # the first ten warm up both ends
                times.append(elapsed * 1000)
    times.sort()
    return {
        "median_ms": statistics.median(times),
        "p99_ms": times[max(0, int(len(times) * 0.99) - 1)],
        "count": len(times),
    }


def process_cpu_seconds(name: str) -> float:
    """Sum utime and stime (fields 14 and 15 of /proc/PID/stat) of every process called name."""
    ticks = 0
    for pid in filter(str.isdigit, os.listdir("/proc")):
        try:
            with open(f"/proc/{pid}/stat") as stat:
                text = stat.read()
        except OSError:
            continue  # the process ended while we listed /proc
        command = text[text.index("(") + 1 : text.rindex(")")]
        if command != name:
            continue
        fields = text[text.rindex(")") + 2 :].split()
        ticks += int(fields[11]) + int(fields[12])
    return ticks / os.sysconf("SC_CLK_TCK")


def run_tls(args: argparse.Namespace) -> dict:
    # Python resumes a TLS session only when given one, and the proxies keep
    # session tickets off, so every handshake is a full one with the server's
    # certificate signature.
    context = insecure_context()
    before = process_cpu_seconds(args.process)
    start = time.perf_counter()
    versions = set()
    for _connection in range(args.count):
        with socket.create_connection((args.host, args.port), timeout=10) as raw:
            with context.wrap_socket(raw, server_hostname=args.name) as tls:
                versions.add(tls.version())
                if tls.session_reused:
                    raise RuntimeError("the TLS session was resumed; the handshake count would be wrong")
    elapsed = time.perf_counter() - start
    # The server's CPU time accrues in clock ticks (10 ms); wait for the
    # last handshake's work to be accounted.
    time.sleep(0.2)
    used = process_cpu_seconds(args.process) - before
    return {
        "cpu_ms_per_1000": used / args.count * 1000 * 1000,
        "handshakes_per_second": args.count / elapsed,
        "versions": sorted(versions),
    }


def run_login(args: argparse.Namespace) -> dict:
    password = sys.stdin.read().rstrip("\n")
    parts = urllib.parse.urlsplit(args.url)
    times = []
    for user in args.user:
        body = urllib.parse.urlencode(
            {"client_id": "node-red-editor", "grant_type": "password", "scope": "*", "username": user, "password": password}
        )
        if parts.scheme == "https":
            connection = http.client.HTTPSConnection(parts.hostname, parts.port or 443, context=insecure_context(), timeout=30)
        else:
            connection = http.client.HTTPConnection(parts.hostname, parts.port or 80, timeout=30)
        start = time.perf_counter()
        connection.request("POST", parts.path, body=body, headers={"Content-Type": "application/x-www-form-urlencoded"})
        response = connection.getresponse()
        answer = response.read()
        elapsed = time.perf_counter() - start
        connection.close()
        if response.status != 200 or b"access_token" not in answer:
            raise RuntimeError(f"login as {user} returned HTTP {response.status}")
        times.append(elapsed * 1000)
    return {"times_ms": times}


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    commands = parser.add_subparsers(dest="command", required=True)

    wrk = commands.add_parser("wrk")
    wrk.add_argument("url")
    wrk.add_argument("--close", action="store_true", help="new connection per request")
    wrk.add_argument("--gzip", action="store_true", help="send a browser's Accept-Encoding")
    wrk.add_argument("--connections", type=int, default=10)
    wrk.add_argument("--duration", type=int, default=5, help="seconds")
    wrk.set_defaults(run=run_wrk)

    editor = commands.add_parser("editor")
    editor.add_argument("url")
    editor.set_defaults(run=run_editor)

    ws = commands.add_parser("ws")
    ws.add_argument("url")
    ws.add_argument("--count", type=int, default=500)
    ws.set_defaults(run=run_ws)

    tls = commands.add_parser("tls")
    tls.add_argument("host")
    tls.add_argument("port", type=int)
    tls.add_argument("name", help="TLS server name")
    tls.add_argument("process", help="process name whose CPU time is counted, such as nginx")
    tls.add_argument("--count", type=int, default=500)
    tls.set_defaults(run=run_tls)

    login = commands.add_parser("login")
    login.add_argument("url")
    login.add_argument("--user", action="append", required=True)
    login.set_defaults(run=run_login)

    args = parser.parse_args(argv)
    print(json.dumps(args.run(args)))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
