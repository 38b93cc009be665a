#!/usr/bin/env bash
# Start or stop the Docker daemon that Molecule uses.
#
#   docker.sh start   install docker.io when dockerd is missing, start dockerd
#                     unless a daemon is already running, wait until it is ready,
#                     and create the test network when it is missing
#   docker.sh stop    stop the daemon only when this script started it
#   docker.sh status  print whether a daemon is running
set -euo pipefail

repo=$(cd "$(dirname "$0")/../.." && pwd)
state="$repo/.cache/testbed"
pidfile="$state/dockerd.pid"
logfile="$state/dockerd.log"
network=moat-test

daemon_running() {
    docker info >/dev/null 2>&1
}

# Test containers share one user-defined network, so sidecars reach each
# other by name and host-side servers (Pebble) bind to its gateway address.
ensure_network() {
    if ! docker network inspect "$network" >/dev/null 2>&1; then
        docker network create "$network" >/dev/null
        echo "docker: created network $network"
    fi
}

start() {
    if daemon_running; then
        echo "docker: a daemon is already running"
        ensure_network
        return 0
    fi
    if ! command -v dockerd >/dev/null 2>&1; then
        echo "docker: installing docker.io"
        apt-get update -qq
        DEBIAN_FRONTEND=noninteractive apt-get install -y -qq docker.io >/dev/null
    fi
    mkdir -p "$state"
    echo "docker: starting dockerd (log: $logfile)"
    # setsid detaches the daemon from this shell's job control, so it
    # outlives the calling script until "stop" ends it by PID.
    setsid dockerd --storage-driver=overlay2 >"$logfile" 2>&1 </dev/null &
    echo $! >"$pidfile"
    for _ in $(seq 1 60); do
        if daemon_running; then
            echo "docker: ready"
            ensure_network
            return 0
        fi
        if ! kill -0 "$(cat "$pidfile")" 2>/dev/null; then
            echo "docker: dockerd exited; last lines of $logfile:" >&2
            tail -n 20 "$logfile" >&2
            exit 1
        fi
        sleep 0.5
    done
    echo "docker: dockerd did not respond within 30 s; see $logfile" >&2
    exit 1
}

stop() {
    if [[ ! -f $pidfile ]]; then
        echo "docker: not started by this script; leaving it alone"
        return 0
    fi
    pid=$(cat "$pidfile")
    if kill -0 "$pid" 2>/dev/null; then
        echo "docker: stopping dockerd (PID $pid)"
        kill "$pid"
        for _ in $(seq 1 40); do
            kill -0 "$pid" 2>/dev/null || break
            sleep 0.5
        done
    fi
    rm -f "$pidfile"
}

case "${1:-}" in
    start) start ;;
    stop) stop ;;
    status) if daemon_running; then echo "docker: running"; else echo "docker: not running"; exit 1; fi ;;
    *) echo "usage: $0 start|stop|status" >&2; exit 2 ;;
esac
