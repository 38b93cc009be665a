#!/usr/bin/env bash
# Measure how converge time grows with the number of hosts that one
# controller deploys at once. For each fleet size (1, 3 and 6 by default)
# the script starts that many fresh Debian 12 containers and converges them
# with playbooks/site.yml in one run. All hosts are in one batch, with forks
# raised from Ansible's default of 5 to the fleet size. It then re-runs the
# play and removes the containers.
#
#   scripts/fleet-benchmark.sh [SIZE ...]     converge, measure, report
#   scripts/fleet-benchmark.sh destroy        remove the containers
#
# The role set is light: the firewall and the reverse proxy (--tags
# nftables,reverse_proxy), because Node-RED's npm install would measure the
# package registry more than the controller. The first run includes the apt
# downloads of nginx, fail2ban and nftables on every host. The re-run changes
# nothing, so it measures what the controller and the connections cost.
# Results: .cache/fleet-benchmark/results.tsv and one log per run.
set -euo pipefail

repo=$(cd "$(dirname "$0")/.." && pwd)
cd "$repo"
state="$repo/.cache/fleet-benchmark"
image=${MOAT_TEST_IMAGE:-moat-nodered/debian:bookworm}
max_size=6

remove_containers() {
    local index
    # docker rm -f also succeeds for a container that does not exist.
    for index in $(seq 1 "$max_size"); do
        if docker container inspect "moat-fleet-bench-$index" >/dev/null 2>&1; then
            docker rm -f "moat-fleet-bench-$index" >/dev/null
            echo "fleet-benchmark: removed moat-fleet-bench-$index"
        fi
    done
}

sizes=()
while (($#)); do
    case $1 in
        destroy)
            remove_containers
            exit 0
            ;;
        *)
            if ! [[ $1 =~ ^[1-9][0-9]*$ ]]; then
                echo "fleet-benchmark: invalid fleet size '$1': give positive integers, or destroy" >&2
                exit 2
            fi
            sizes+=("$1")
            ;;
    esac
    shift
done
if ((${#sizes[@]} == 0)); then
    sizes=(1 3 6)
fi
for size in "${sizes[@]}"; do
    if ((size > max_size)); then
        max_size=$size
    fi
done

"$repo/scripts/setup.sh"
# shellcheck source=scripts/env.sh
. "$repo/scripts/env.sh"
"$repo/scripts/testbed/docker.sh" start
"$repo/scripts/testbed/image.sh" bookworm

mkdir -p "$state"

# An inventory of max_size hosts reached with "docker exec". Each run limits
# it to the hosts it started. The roles that run need no passwords.
inventory="$state/inventory.yml"
{
    echo "nodered:"
    echo "  vars:"
    echo "    ansible_connection: community.docker.docker"
    echo "    ansible_python_interpreter: /usr/bin/python3"
    echo "    moat_domain: \"{{ inventory_hostname }}.example.com\""
    echo "  hosts:"
    for index in $(seq 1 "$max_size"); do
        echo "    moat-fleet-bench-$index: {}"
    done
} >"$inventory"

remove_containers
trap remove_containers EXIT
results="$state/results.tsv"
printf 'hosts\trun\tseconds\tseconds_per_host\tchanged_total\n' >"$results"
for size in "${sizes[@]}"; do
    hosts=()
    for index in $(seq 1 "$size"); do
        hosts+=("moat-fleet-bench-$index")
        "$repo/scripts/testbed/host.sh" "moat-fleet-bench-$index" "$image"
    done
    limit=$(
        IFS=,
        echo "${hosts[*]}"
    )
    ansible-playbook -i "$inventory" --limit "$limit" "$repo/molecule/shared/prepare.yml" >"$state/prepare-$size.log"
    for run in first rerun; do
        echo "fleet-benchmark: converging $size host(s), $run run"
        start=$(date +%s%N)
        ANSIBLE_FORKS=$size ansible-playbook -i "$inventory" --limit "$limit" \
            --tags nftables,reverse_proxy moat.nodered.site >"$state/converge-$size-$run.log"
        end=$(date +%s%N)
        changed=$(awk '/^moat-fleet-bench-/ { for (i = 1; i <= NF; i++) if ($i ~ /^changed=/) sum += substr($i, 9) } END { print sum + 0 }' \
            "$state/converge-$size-$run.log")
        milliseconds=$(((end - start) / 1000000))
        printf '%s\t%s\t%s.%03d\t%s\n' "$size" "$run" $((milliseconds / 1000)) $((milliseconds % 1000)) "$changed" |
            awk -F'\t' -v OFS='\t' '{ print $1, $2, $3, sprintf("%.1f", $3 / $1), $4 }' >>"$results"
    done
    remove_containers
done

echo "fleet-benchmark: load average at the end: $(cut -d' ' -f1-3 /proc/loadavg), $(nproc) CPUs"
column -t -s $'\t' "$results"
