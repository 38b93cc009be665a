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
# The two Raspberry Pi scenarios run under qemu-user emulation and take about
# 15 minutes each; armhf starts third, when its image is likely built.
# fleet converges three hosts one batch after another and comes next.
all_scenarios=(raspberrypi-arm64 default raspberrypi-armhf fleet nginx haproxy faults nodered-node22 nftables
    nodered-trixie ddns-nsupdate ddns-dyndns2 certbot-nginx certbot-haproxy certbot-dns01 pull bad-input)

"$repo/scripts/setup.sh"
# shellcheck source=scripts/env.sh
. "$repo/scripts/env.sh"

started_docker=false
if ! docker info >/dev/null 2>&1; then
    started_docker=true
fi
started_pebble=false
relink_working_tree=false
image_job=
"$repo/scripts/testbed/docker.sh" start
# End a process and everything it started, children first.
end_tree() {
    local child
    for child in $(pgrep -P "$1" || true); do
        end_tree "$child"
    done
    kill "$1" 2>/dev/null || true
}
cleanup() {
    if $relink_working_tree; then
        ln -sfn "$repo" "$repo/.cache/collections/ansible_collections/moat/nodered"
    fi
    # An early failure leaves the image builds running.
    if [[ -n $image_job ]] && kill -0 "$image_job" 2>/dev/null; then
        end_tree "$image_job"
    fi
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

logs="$repo/.cache/test-logs"
mkdir -p "$logs"
rm -f "$logs"/*.rc
jobs=${MOAT_TEST_JOBS:-2}

# The Node.js 22 and fleet scenarios install Node.js from a tarball built
# once.
if [[ " ${scenarios[*]} " =~ \ (nodered-node22|fleet)\  ]]; then
    "$repo/scripts/testbed/node-tarball.sh"
fi

# The certbot HTTP-01 and Raspberry Pi scenarios get certificates from the
# shared Pebble and read its settings from MOAT_ACME_* variables. "start"
# leaves a running Pebble as it is, so accounts made by earlier runs stay
# valid. A Pebble that this script started is stopped at the end. The DNS-01
# scenario runs a Pebble of its own on its sidecar.
if [[ " ${scenarios[*]} " =~ \ (certbot-nginx|certbot-haproxy|raspberrypi-arm64|raspberrypi-armhf)\  ]]; then
    if ! "$repo/scripts/testbed/pebble.sh" status >/dev/null 2>&1; then
        started_pebble=true
    fi
    # eval of an empty string succeeds, so a failed start is caught here.
    if ! pebble_env=$("$repo/scripts/testbed/pebble.sh" start); then
        echo "== Pebble failed to start, see its output above. The certificate and Raspberry Pi scenarios need it." >&2
        exit 1
    fi
    eval "$pebble_env"
fi

# The Raspberry Pi scenarios run arm64 and armhf images under qemu-user.
# Building them takes minutes of emulated work, so they are built in the
# background, one after the other, while the static checks and the first
# scenarios run. Each Raspberry Pi scenario waits for its image. This comes
# after the steps above because image.sh may install packages with apt, and
# only one apt can hold its lock.
foreign_arches=()
for scenario in "${scenarios[@]}"; do
    case $scenario in
        raspberrypi-arm64) foreign_arches+=(arm64) ;;
        raspberrypi-armhf) foreign_arches+=(armhf) ;;
    esac
done
if ((${#foreign_arches[@]})); then
    echo "== building the images for ${foreign_arches[*]} in the background (log: $logs/image-ARCH.log)"
    (
        for arch in "${foreign_arches[@]}"; do
            started=$SECONDS
            if "$repo/scripts/testbed/image.sh" bookworm "$arch" >"$logs/image-$arch.log" 2>&1; then
                echo "== image bookworm-$arch: ready after $((SECONDS - started)) s"
                echo 0 >"$logs/image-$arch.rc"
            else
                echo "== image bookworm-$arch: FAILED after $((SECONDS - started)) s:"
                tail -n 30 "$logs/image-$arch.log"
                echo 1 >"$logs/image-$arch.rc"
            fi
        done
    ) &
    image_job=$!
fi

if $run_static_checks; then
    echo "== yamllint"
    yamllint --strict .
    echo "== ansible-lint"
    ansible-lint
    echo "== ansible-test sanity"
    "$repo/scripts/sanity.sh"
    echo "== collection build"
    build_dir=$(mktemp -d)
    ansible-galaxy collection build --output-path "$build_dir" . >/dev/null
    tarball=$(ls "$build_dir"/moat-nodered-*.tar.gz)
    if tar -tzf "$tarball" | grep -E '^(molecule|tests|scripts|\.ci|\.venv|\.cache|\.config)/'; then
        echo "collection build: test material found in $tarball" >&2
        exit 1
    fi
    # The scenarios of a full run use the collection as a user gets it: the
    # built tarball, installed into an empty collections path. The link that
    # scripts/setup.sh made to the working tree comes back at the end.
    echo "== installing the built collection for the scenarios"
    installed="$repo/.cache/installed-collection"
    rm -rf "$installed"
    # --force: the link in the configured path looks like an installed copy.
    if ! install_output=$(ansible-galaxy collection install --offline --no-deps --force -p "$installed" "$tarball" 2>&1); then
        echo "$install_output" >&2
        exit 1
    fi
    ln -sfn "$installed/ansible_collections/moat/nodered" "$repo/.cache/collections/ansible_collections/moat/nodered"
    relink_working_tree=true
    rm -rf "$build_dir"
    echo "== unit tests"
    pytest -q tests/unit
fi

# Wait until the background job has built the image for ARCH; fails when
# the build failed.
wait_for_image() {
    local arch=$1
    until [[ -e $logs/image-$arch.rc ]]; do
        sleep 5
    done
    [[ $(cat "$logs/image-$arch.rc") == 0 ]]
}

run_scenario() {
    local scenario=$1 started=$SECONDS
    case $scenario in
        raspberrypi-arm64 | raspberrypi-armhf)
            if ! wait_for_image "${scenario#raspberrypi-}"; then
                echo "== molecule $scenario: not run, because its image failed to build"
                echo 1 >"$logs/$scenario.rc"
                return
            fi
            started=$SECONDS
            ;;
    esac
    if molecule test -s "$scenario" >"$logs/$scenario.log" 2>&1; then
        echo "== molecule $scenario: passed in $((SECONDS - started)) s"
        echo 0 >"$logs/$scenario.rc"
    else
        echo "== molecule $scenario: FAILED after $((SECONDS - started)) s; failed tasks and last lines of $logs/$scenario.log:"
        # The tail shows only the destroy step, so print each failed task
        # with the lines before it, which name the task and the step.
        sed 's/\x1b\[[0-9;]*m//g' "$logs/$scenario.log" \
            | grep -E -B 12 -A 40 '(fatal|failed): \[' | head -n 300 || true
        echo "-- last lines:"
        tail -n 30 "$logs/$scenario.log"
        echo 1 >"$logs/$scenario.rc"
    fi
}

echo "== molecule: ${scenarios[*]} ($jobs at a time)"
for scenario in "${scenarios[@]}"; do
    # The image builds run as a job of their own, which takes no lane.
    while (($(jobs -rp | grep -cvx "${image_job:-none}") >= jobs)); do
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
