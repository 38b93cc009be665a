#!/usr/bin/env bash
# Run every test: linters, the collection build, unit tests, then the Molecule
# scenarios.
#
#   scripts/test.sh                 all of it
#   scripts/test.sh SCENARIO ...    only these Molecule scenarios (no lint,
#                                   no unit tests)
#
# Sets up what the tests need first: the virtualenv, the Docker daemon (stopped
# again at the end when this script started it), the local Debian images and
# Pebble. Scenarios run MOAT_TEST_JOBS at a time (default 2), each logging to
# .cache/test-logs/SCENARIO.log; most of their time is spent waiting for
# package downloads, so two lanes roughly halve the wall time on 2 cores.
set -euo pipefail

repo=$(cd "$(dirname "$0")/.." && pwd)
cd "$repo"

# Scenarios in the order they start; the slowest first keeps the lanes even.
all_scenarios=(default haproxy nginx certbot-dns01 nodered-node22 certbot-haproxy nftables nodered-trixie certbot-nginx ddns-nsupdate ddns-dyndns2)

"$repo/scripts/setup.sh"
# shellcheck source=scripts/env.sh
. "$repo/scripts/env.sh"

started_docker=false
if ! docker info >/dev/null 2>&1; then
    started_docker=true
fi
started_pebble=false
"$repo/scripts/testbed/docker.sh" start
cleanup() {
    if $started_pebble; then
        "$repo/scripts/testbed/pebble.sh" stop
    fi
    if $started_docker; then
        "$repo/scripts/testbed/docker.sh" stop
    fi
}
trap cleanup EXIT

"$repo/scripts/testbed/image.sh" bookworm
"$repo/scripts/testbed/image.sh" trixie

# The proxy scenarios scan TLS with testssl.sh from the controller.
if ! command -v testssl >/dev/null 2>&1; then
    echo "== installing the Debian package testssl.sh"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq testssl.sh >/dev/null
fi

run_static_checks=true
scenarios=("$@")
if ((${#scenarios[@]} == 0)); then
    scenarios=("${all_scenarios[@]}")
else
    run_static_checks=false
fi

if $run_static_checks; then
    echo "== yamllint"
    yamllint --strict .
    echo "== ansible-lint"
    ansible-lint
    echo "== collection build"
    build_dir=$(mktemp -d)
    ansible-galaxy collection build --output-path "$build_dir" . >/dev/null
    tarball=$(ls "$build_dir"/moat-nodered-*.tar.gz)
    if tar -tzf "$tarball" | grep -E '^(molecule|tests|scripts|\.ci|\.venv|\.cache|\.config)/'; then
        echo "collection build: test material found in $tarball" >&2
        exit 1
    fi
    rm -rf "$build_dir"
    echo "== unit tests"
    pytest -q tests/unit
fi

logs="$repo/.cache/test-logs"
mkdir -p "$logs"
jobs=${MOAT_TEST_JOBS:-2}

run_scenario() {
    local scenario=$1 started=$SECONDS
    if molecule test -s "$scenario" >"$logs/$scenario.log" 2>&1; then
        echo "== molecule $scenario: passed in $((SECONDS - started)) s"
        echo 0 >"$logs/$scenario.rc"
    else
        echo "== molecule $scenario: FAILED after $((SECONDS - started)) s; last lines of $logs/$scenario.log:"
        tail -n 60 "$logs/$scenario.log"
        echo 1 >"$logs/$scenario.rc"
    fi
}

# The Node.js 22 scenario installs Node.js from a tarball built once.
if [[ " ${scenarios[*]} " == *" nodered-node22 "* ]]; then
    "$repo/scripts/testbed/node-tarball.sh"
fi

# The certbot HTTP-01 scenarios get certificates from the shared Pebble and
# read its settings from MOAT_ACME_* variables. "start" leaves a running
# Pebble as it is, so accounts made by earlier runs stay valid. A Pebble that
# this script started is stopped at the end. The DNS-01 scenario runs a
# Pebble of its own on its sidecar.
if [[ " ${scenarios[*]} " =~ \ (certbot-nginx|certbot-haproxy)\  ]]; then
    if ! "$repo/scripts/testbed/pebble.sh" status >/dev/null 2>&1; then
        started_pebble=true
    fi
    eval "$("$repo/scripts/testbed/pebble.sh" start)"
fi

echo "== molecule: ${scenarios[*]} ($jobs at a time)"
rm -f "$logs"/*.rc
for scenario in "${scenarios[@]}"; do
    while (($(jobs -rp | wc -l) >= jobs)); do
        wait -n || true
    done
    run_scenario "$scenario" &
done
wait

passed=0
failed=0
for scenario in "${scenarios[@]}"; do
    if [[ $(cat "$logs/$scenario.rc" 2>/dev/null) == 0 ]]; then
        passed=$((passed + 1))
    else
        failed=$((failed + 1))
    fi
done
echo "scenarios: $passed passed, $failed failed"
((failed == 0))
