#!/usr/bin/env python3
"""Run the benchmark rounds on converged hosts and write the results.

Called by scripts/benchmark.sh after the converge. Every measurement runs
inside a host container through scripts/benchmark/load.py. Within a round
the compared setups run one after another, and their order flips from one
round to the next, so that load from other work on the machine reaches
both sides alike. Ratios are taken per round from paired runs, then
summarised as median and range over the rounds.
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import re
import statistics
import subprocess
import sys
import time
from pathlib import Path

DOMAIN = "bench.example.com"
PROXY_URL = f"https://{DOMAIN}"
DIRECT_URL = "http://127.0.0.1:1880"
NODERED_HTTPS_URL = "https://127.0.0.1:1881"
# The largest versioned editor asset (988 KB in Node-RED 4.1.15).
STATIC_ASSET = "/red/red.min.js"
LOGIN_USERS = ["admin", "bench1", "bench2"]
# Node-RED 4.1 rejects a user name after five login attempts in ten minutes.
MAX_LOGIN_ROUNDS = 5
# Seconds of unrecorded load on each HTTP endpoint before a host's runs.
WARM_UP_SECONDS = 2

PROXY_PROCESS = {"moat-bench-nginx": "nginx", "moat-bench-haproxy": "haproxy"}
CERT_FILES = {
    "nginx": ["/etc/moat-nodered/tls/{d}/fullchain.pem", "/etc/moat-nodered/tls/{d}/privkey.pem"],
    "haproxy": ["/etc/haproxy/moat-nodered/{d}.pem"],
}


def docker_exec(host: str, *argv: str, stdin: str | None = None) -> str:
    result = subprocess.run(
        ["docker", "exec", "-i", host, *argv], input=stdin, capture_output=True, text=True, check=False
    )
    if result.returncode != 0:
        raise RuntimeError(f"{host}: {' '.join(argv)} failed with exit code {result.returncode}:\n{result.stderr}")
    return result.stdout


def load(host: str, *argv: str, stdin: str | None = None) -> dict:
    return json.loads(docker_exec(host, "python3", "/opt/moat-bench/load.py", *argv, stdin=stdin))


def load_average() -> list[float]:
    return [float(value) for value in Path("/proc/loadavg").read_text().split()[:3]]


def prepare_rsa_certificate(host: str, proxy: str) -> None:
    """Keep copies of the role's ECDSA certificate files and make RSA 2048 equivalents."""
    script = f"""
set -eu
mkdir -p /opt/moat-bench/ecdsa /opt/moat-bench/rsa
cd /opt/moat-bench
if [ ! -f rsa/privkey.pem ]; then
    openssl req -x509 -newkey rsa:2048 -nodes -days 30 -subj /CN={DOMAIN} \
        -addext subjectAltName=DNS:{DOMAIN} -keyout rsa/privkey.pem -out rsa/fullchain.pem 2>/dev/null
    cat rsa/fullchain.pem rsa/privkey.pem >rsa/combined.pem
fi
for file in {' '.join(f.format(d=DOMAIN) for f in CERT_FILES[proxy])}; do
    [ -f ecdsa/$(basename $file) ] || cp -p $file ecdsa/
done
"""
    docker_exec(host, "sh", "-c", script)


def install_certificate(host: str, proxy: str, kind: str) -> None:
    """Put the ECDSA or RSA certificate in place and reload the proxy."""
    files = [f.format(d=DOMAIN) for f in CERT_FILES[proxy]]
    if kind == "ecdsa":
        commands = [f"cp -p /opt/moat-bench/ecdsa/{os.path.basename(f)} {f}" for f in files]
    elif proxy == "nginx":
        commands = [f"cp /opt/moat-bench/rsa/{os.path.basename(f)} {f}" for f in files]
    else:
        commands = [f"cp /opt/moat-bench/rsa/combined.pem {files[0]}"]
    docker_exec(host, "sh", "-c", " && ".join(commands + [f"systemctl reload {proxy}"]))
    time.sleep(1.5)  # let old workers finish before CPU time is counted


def measure_round(hosts: list[str], index: int, args: argparse.Namespace, password: str) -> dict:
    """Run every measurement once on every host; the order of setups flips each round."""
    flip = index % 2 == 1

    def ordered(items):
        return list(reversed(items)) if flip else list(items)

    results: dict[str, dict] = {}
    record = {"round": index + 1, "load_average_start": load_average(), "hosts": results}
    wrk = ["--duration", str(args.duration)]
    for host in ordered(hosts):
        proxy = PROXY_PROCESS[host]
        out = results.setdefault(host, {})

        # A host idles while the other host is measured. Without a warm-up,
        # its first run was the slowest, which lowered that setup's ratios.
        for url in (PROXY_URL, DIRECT_URL, NODERED_HTTPS_URL):
            load(host, "wrk", url + "/bench", "--duration", str(WARM_UP_SECONDS))

        for mode, extra in (("keepalive", []), ("close", ["--close"])):
            for setup, url in ordered([("proxy", PROXY_URL), ("direct", DIRECT_URL), ("nodered_https", NODERED_HTTPS_URL)]):
                out[f"http_{mode}_{setup}"] = load(host, "wrk", url + "/bench", *extra, *wrk)

        for setup, url in ordered([("proxy", PROXY_URL), ("direct", DIRECT_URL)]):
            out[f"static_{setup}"] = load(host, "wrk", url + STATIC_ASSET + f"?v={args.asset_version}", "--gzip", *wrk)
            out[f"editor_{setup}"] = load(host, "editor", url + "/")
            ws_url = url.replace("http", "ws", 1) + "/ws/echo"
            out[f"ws_{setup}"] = load(host, "ws", ws_url)

        prepare_rsa_certificate(host, proxy)
        for kind in ordered(["ecdsa", "rsa"]):
            install_certificate(host, proxy, kind)
            out[f"tls_{kind}"] = load(host, "tls", "127.0.0.1", "443", DOMAIN, proxy, "--count", str(args.handshakes))
        install_certificate(host, proxy, "ecdsa")

        if index < MAX_LOGIN_ROUNDS:
            user_args = [argument for user in LOGIN_USERS for argument in ("--user", user)]
            out["login_direct"] = load(host, "login", DIRECT_URL + "/auth/token", *user_args, stdin=password)
        print(f"benchmark: round {index + 1}, {host} done", flush=True)
    record["load_average_end"] = load_average()
    return record


def summary(values: list[float]) -> dict:
    return {"median": statistics.median(values), "min": min(values), "max": max(values), "n": len(values)}


def series(rounds: list[dict], host: str, key: str, *path: str) -> list[float]:
    values = []
    for record in rounds:
        item = record["hosts"].get(host, {}).get(key)
        if item is None:
            continue
        for step in path:
            item = item[step]
        values.extend(item if isinstance(item, list) else [item])
    return values


def paired_ratio(rounds, host, numerator, denominator) -> dict:
    """Summarise the per-round ratio numerator / denominator, each a (key, *path) tuple."""
    top = series(rounds, host, *numerator)
    bottom = series(rounds, host, *denominator)
    return summary([a / b for a, b in zip(top, bottom) if b])


def analyse(rounds: list[dict], hosts: list[str], converge: list[dict]) -> dict:
    figures: dict[str, dict] = {}
    targets: list[dict] = []
    for host in hosts:
        proxy = PROXY_PROCESS[host]
        figure_keys = {
            "http_keepalive_{s} rps": ("http_keepalive_{s}", "rps"),
            "http_keepalive_{s} p99_ms": ("http_keepalive_{s}", "p99_ms"),
            "http_close_{s} rps": ("http_close_{s}", "rps"),
            "http_close_{s} p99_ms": ("http_close_{s}", "p99_ms"),
        }
        for name, (key, field) in figure_keys.items():
            for setup in ("proxy", "direct", "nodered_https"):
                figures[f"{proxy} {name.format(s=setup)}"] = summary(series(rounds, host, key.format(s=setup), field))
        for setup in ("proxy", "direct"):
            figures[f"{proxy} static_{setup} rps"] = summary(series(rounds, host, f"static_{setup}", "rps"))
            for phase in ("first", "warm"):
                figures[f"{proxy} editor_{setup} {phase} bytes"] = summary(series(rounds, host, f"editor_{setup}", phase, "bytes"))
                figures[f"{proxy} editor_{setup} {phase} ms"] = summary(
                    [s * 1000 for s in series(rounds, host, f"editor_{setup}", phase, "seconds")]
                )
            figures[f"{proxy} ws_{setup} median_ms"] = summary(series(rounds, host, f"ws_{setup}", "median_ms"))
        for kind in ("ecdsa", "rsa"):
            figures[f"{proxy} tls_{kind} cpu_ms_per_1000"] = summary(series(rounds, host, f"tls_{kind}", "cpu_ms_per_1000"))
        login = series(rounds, host, "login_direct", "times_ms")
        if login:
            figures[f"{proxy} login_direct ms"] = summary(login)

        def target(name, ratio, limit, at_least):
            met = ratio["median"] >= limit if at_least else ratio["median"] <= limit
            targets.append({"proxy": proxy, "target": name, "ratio": ratio, "limit": limit,
                            "direction": ">=" if at_least else "<=", "met": met})

        target("keep-alive rps, proxy / direct HTTP",
               paired_ratio(rounds, host, ("http_keepalive_proxy", "rps"), ("http_keepalive_direct", "rps")), 0.95, True)
        target("keep-alive p99, proxy / direct HTTP",
               paired_ratio(rounds, host, ("http_keepalive_proxy", "p99_ms"), ("http_keepalive_direct", "p99_ms")), 1.1, False)
        target("new-connection rps, proxy / Node-RED HTTPS",
               paired_ratio(rounds, host, ("http_close_proxy", "rps"), ("http_close_nodered_https", "rps")), 1.3, True)
        target("new-connection p99, proxy / Node-RED HTTPS",
               paired_ratio(rounds, host, ("http_close_proxy", "p99_ms"), ("http_close_nodered_https", "p99_ms")), 1.0, False)
        target("editor first load bytes, proxy / direct",
               paired_ratio(rounds, host, ("editor_proxy", "first", "bytes"), ("editor_direct", "first", "bytes")), 0.35, False)
        target("editor warm reload bytes, proxy / direct first load",
               paired_ratio(rounds, host, ("editor_proxy", "warm", "bytes"), ("editor_direct", "first", "bytes")), 0.05, False)
        target("static asset rps, proxy / direct",
               paired_ratio(rounds, host, ("static_proxy", "rps"), ("static_direct", "rps")), 2.0, True)
        target("proxy CPU per handshake, ECDSA / RSA",
               paired_ratio(rounds, host, ("tls_ecdsa", "cpu_ms_per_1000"), ("tls_rsa", "cpu_ms_per_1000")), 1 / 3, False)
        # Not targets, but part of the comparison.
        figures[f"{proxy} ratio ws proxy / direct"] = paired_ratio(
            rounds, host, ("ws_proxy", "median_ms"), ("ws_direct", "median_ms"))
        figures[f"{proxy} ratio editor first load time proxy / direct"] = paired_ratio(
            rounds, host, ("editor_proxy", "first", "seconds"), ("editor_direct", "first", "seconds"))

    for entry in converge:
        figures[f"{PROXY_PROCESS[entry['host']]} converge {entry['run']} s"] = summary([entry["seconds"]])
    for host in hosts:
        runs = {e["run"]: e["seconds"] for e in converge if e["host"] == host}
        if "first" in runs and "rerun" in runs:
            ratio = runs["rerun"] / runs["first"]
            targets.append({"proxy": PROXY_PROCESS[host], "target": "idempotent re-run / first converge, wall time",
                            "ratio": summary([ratio]), "limit": 0.25, "direction": "<=", "met": ratio <= 0.25})
    return {"figures": figures, "targets": targets}


def markdown(result: dict) -> str:
    lines = [
        f"Run: {result['started']} to {result['finished']} UTC, {result['rounds']} rounds, "
        f"nproc {result['nproc']}, load average {result['load_average_range'][0]:.2f} to {result['load_average_range'][1]:.2f}",
        "",
        "| Proxy | Target | Ratio: median (min to max) | Limit | Met |",
        "|---|---|---|---|---|",
    ]
    for t in result["analysis"]["targets"]:
        r = t["ratio"]
        lines.append(
            f"| {t['proxy']} | {t['target']} | {r['median']:.3f} ({r['min']:.3f} to {r['max']:.3f}) "
            f"| {t['direction']} {t['limit']:.3f} | {'yes' if t['met'] else 'no'} |"
        )
    lines += ["", "| Figure | Median | Min | Max | n |", "|---|---|---|---|---|"]
    for name, s in result["analysis"]["figures"].items():
        lines.append(f"| {name} | {s['median']:.3f} | {s['min']:.3f} | {s['max']:.3f} | {s['n']} |")
    return "\n".join(lines) + "\n"


def read_converge(path: Path) -> list[dict]:
    entries = []
    if path.exists():
        for line in path.read_text().splitlines():
            host, run, milliseconds, changed = line.split("\t")
            entries.append({"host": host, "run": run, "seconds": int(milliseconds) / 1000, "changed": changed})
    return entries


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("hosts", nargs="+", choices=sorted(PROXY_PROCESS))
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--duration", type=int, default=4, help="seconds per wrk run")
    parser.add_argument("--handshakes", type=int, default=1000, help="full TLS handshakes per certificate and round")
    parser.add_argument("--state", type=Path, required=True, help="directory with secrets.yml and converge.tsv")
    args = parser.parse_args(argv)

    secrets = (args.state / "secrets.yml").read_text()
    password = secrets.split('"')[1]
    args.version = docker_exec(
        args.hosts[0], "sh", "-c", "node -p \"require('/opt/node-red/node_modules/node-red/package.json').version\""
    ).strip()
    # The editor page links its assets as ?v=HASH, and wrk requests the same URL.
    page = docker_exec(args.hosts[0], "curl", "--silent", "--fail", DIRECT_URL + "/")
    match = re.search(r'red/red\.min\.js\?v=([^"]+)"', page)
    if not match:
        raise RuntimeError("the editor page links no red/red.min.js?v=...; cannot pick the static asset")
    args.asset_version = match.group(1)

    started = datetime.datetime.now(datetime.timezone.utc)
    rounds = []
    for index in range(args.rounds):
        rounds.append(measure_round(args.hosts, index, args, password))
        # Results after every round, so an interrupted run still leaves them.
        table = write_results(args, rounds, started)
    print(table)
    return 0


def write_results(args: argparse.Namespace, rounds: list[dict], started: datetime.datetime) -> str:
    """Write results.json and results.md for the rounds so far; return the Markdown."""
    finished = datetime.datetime.now(datetime.timezone.utc)
    loads = [value for record in rounds for value in (record["load_average_start"][0], record["load_average_end"][0])]
    result = {
        "started": started.strftime("%Y-%m-%d %H:%M"),
        "finished": finished.strftime("%H:%M"),
        "rounds": len(rounds),
        "nproc": os.cpu_count(),
        "node_red_version": args.version,
        "load_average_range": [min(loads), max(loads)],
        "raw": rounds,
        "analysis": analyse(rounds, args.hosts, read_converge(args.state / "converge.tsv")),
    }
    (args.state / "results.json").write_text(json.dumps(result, indent=2) + "\n")
    table = markdown(result)
    (args.state / "results.md").write_text(table)
    return table


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
