#!/usr/bin/env bash
# Start a container that boots systemd like the Molecule platforms in
# .config/molecule/config.yml, for the scripts that converge hosts outside
# Molecule (demo.sh, benchmark.sh).
#
#   host.sh NAME IMAGE [DOCKER-RUN-OPTION ...]
#
# The extra options, such as --publish, go to docker run before the image.
set -euo pipefail

name=${1:?usage: $0 NAME IMAGE [DOCKER-RUN-OPTION ...]}
image=${2:?usage: $0 NAME IMAGE [DOCKER-RUN-OPTION ...]}
shift 2

docker run --detach --name "$name" --hostname "$name" \
    --cap-add SYS_ADMIN --cap-add NET_ADMIN --cgroupns host \
    --volume /sys/fs/cgroup:/sys/fs/cgroup:rw \
    --volume /usr/local/share/ca-certificates:/usr/local/share/moat-host-ca:ro \
    --tmpfs /run --tmpfs /run/lock --tmpfs /tmp \
    --env container=docker \
    --network moat-test \
    "$@" \
    "$image" /lib/systemd/systemd >/dev/null
