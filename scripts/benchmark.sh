#!/usr/bin/env bash
# Measure what the stack costs and saves, side by side, in one run. Two
# throwaway Debian 12 containers are converged with playbooks/site.yml, one
# with nginx and one with HAProxy. Then wrk and Python clients put load on
# them from inside each container, so "direct" is Node-RED on loopback.
#
#   scripts/benchmark.sh [--rounds N] [--keep]   converge, measure, report
#   scripts/benchmark.sh destroy                 remove the containers
#
# Results: .cache/benchmark/results.json and .cache/benchmark/results.md.
# --keep leaves the containers running for inspection; otherwise they are
# removed at the end. The nftables role runs too (loopback is always
# accepted); MOAT_BENCH_SKIP_TAGS=nftables skips it where it gets in the way.
set -euo pipefail

repo=$(cd "$(dirname "$0")/.." && pwd)
cd "$repo"
state="$repo/.cache/benchmark"
image=${MOAT_TEST_IMAGE:-moat-nodered/debian:bookworm}
hosts=(moat-bench-nginx moat-bench-haproxy)
inventory="$repo/scripts/benchmark/inventory.yml"
rounds=5
keep=0

remove_containers() {
    for host in "${hosts[@]}"; do
        if docker rm -f "$host" >/dev/null 2>&1; then
            echo "benchmark: removed $host"
        fi
    done
}

while (($#)); do
    case $1 in
        destroy)
            remove_containers
            exit 0
            ;;
        --rounds)
            rounds=${2:?--rounds needs a number}
            shift
            ;;
        --keep) keep=1 ;;
        *)
            echo "benchmark: unknown argument '$1'; expected --rounds N, --keep or destroy" >&2
            exit 2
            ;;
    esac
    shift
done
if ! [[ $rounds =~ ^[1-9][0-9]*$ ]]; then
    echo "benchmark: --rounds must be a positive integer, got '$rounds'" >&2
    exit 2
fi

"$repo/scripts/setup.sh"
# shellcheck source=scripts/env.sh
. "$repo/scripts/env.sh"
"$repo/scripts/testbed/docker.sh" start
"$repo/scripts/testbed/image.sh" bookworm

mkdir -p "$state"
chmod 0700 "$state"
if [[ ! -f $state/secrets.yml ]]; then
    (
        umask 077
        password=$(head -c 18 /dev/urandom | base64 | tr '+/' '-_')
        printf 'bench_admin_password: "%s"\n' "$password" >"$state/secrets.yml"
    )
fi

# Fresh hosts every run: the first converge must start from nothing.
remove_containers
if ((!keep)); then
    trap remove_containers EXIT
fi
for host in "${hosts[@]}"; do
    echo "benchmark: starting container $host"
    "$repo/scripts/testbed/host.sh" "$host" "$image"
done

ansible-playbook -i "$inventory" "$repo/molecule/shared/prepare.yml"

# First converge and idempotent re-run of site.yml, timed per host, one host
# at a time so the two converges do not compete for the CPU.
skip_tags=()
[[ -n ${MOAT_BENCH_SKIP_TAGS:-} ]] && skip_tags=(--skip-tags "$MOAT_BENCH_SKIP_TAGS")
: >"$state/converge.tsv"
for host in "${hosts[@]}"; do
    for run in first rerun; do
        echo "benchmark: converging $host ($run run)"
        start=$(date +%s%N)
        # profile_tasks lists the slowest tasks at the end of each log.
        ANSIBLE_CALLBACKS_ENABLED=ansible.posix.profile_tasks \
            ansible-playbook -i "$inventory" -e "@$state/secrets.yml" --limit "$host" \
                "${skip_tags[@]}" moat.nodered.site >"$state/converge-$host-$run.log"
        end=$(date +%s%N)
        changed=$(awk -v host="$host" '$1 == host { for (i = 1; i <= NF; i++) if ($i ~ /^changed=/) print substr($i, 9) }' \
            "$state/converge-$host-$run.log")
        # Columns: host, run, wall time in milliseconds, changed tasks.
        printf '%s\t%s\t%s\t%s\n' "$host" "$run" "$(((end - start) / 1000000))" "$changed" >>"$state/converge.tsv"
        tail -n 3 "$state/converge-$host-$run.log"
    done
done

# Load generators and fixtures inside each container: wrk from Debian, the
# websockets package from the virtualenv (both sides run Python 3.11), the
# benchmark flow and a second Node-RED that serves HTTPS itself.
ansible-playbook -i "$inventory" "$repo/scripts/benchmark/fixtures.yml"
site_packages=$(python -c 'import os, websockets; print(os.path.dirname(os.path.dirname(websockets.__file__)))')
for host in "${hosts[@]}"; do
    docker exec "$host" mkdir -p /opt/moat-bench/lib
    docker cp "$site_packages/websockets" "$host:/opt/moat-bench/lib/"
    docker cp "$repo/scripts/benchmark/load.py" "$host:/opt/moat-bench/load.py"
done

python "$repo/scripts/benchmark/run.py" --rounds "$rounds" --state "$state" "${hosts[@]}"
