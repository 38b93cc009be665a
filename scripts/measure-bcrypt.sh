#!/usr/bin/env bash
# Measure how long the bcrypt comparison of a Node-RED login takes on amd64
# and on arm64 and armhf under qemu-user emulation, in one run, and print the
# times side by side with the ratio of each architecture to amd64.
#
#   scripts/measure-bcrypt.sh [ARCH ...]   default: amd64 arm64 armhf
#
# Each architecture runs in a throwaway container from the local Debian 12
# image (built by scripts/testbed/image.sh when missing) with Debian's nodejs,
# the bcryptjs release that Node-RED 4.1.15 depends on, and the optional native
# @node-rs/bcrypt. Architectures run one after another, so they do not compete
# for the CPU. Other load on the machine still adds time, so the table shows
# the fastest of the repeated comparisons. MOAT_BCRYPT_COSTS and
# MOAT_BCRYPT_REPEATS are passed on to scripts/measure-bcrypt.js.
set -euo pipefail

repo=$(cd "$(dirname "$0")/.." && pwd)
architectures=("$@")
((${#architectures[@]})) || architectures=(amd64 arm64 armhf)

# The versions that node-red 4.1.15 and @node-red/editor-api 4.1.15 depend on.
bcryptjs_version=3.0.3
node_rs_version=1.10.7

"$repo/scripts/testbed/docker.sh" start >/dev/null
host_arch=$(dpkg --print-architecture)
for arch in "${architectures[@]}"; do
    "$repo/scripts/testbed/image.sh" bookworm "$arch"
done

if ! command -v npm >/dev/null 2>&1; then
    echo "measure-bcrypt: installing Debian's npm to fetch the bcrypt packages"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq npm >/dev/null
fi

work=$(mktemp -d /var/tmp/moat-bcrypt.XXXXXX)
trap 'rm -rf "$work"' EXIT
chmod 0755 "$work"

# npm installs only the native package of the machine it runs on, so each
# package is unpacked by hand into the layout that require() expects.
unpack() {
    local spec=$1 directory=$2 tarball
    mkdir -p "$work/node_modules/$directory"
    tarball=$(cd "$work" && npm pack --silent "$spec")
    tar -xzf "$work/$tarball" -C "$work/node_modules/$directory" --strip-components=1
    rm -f "$work/$tarball"
}
unpack "bcryptjs@$bcryptjs_version" bcryptjs
unpack "@node-rs/bcrypt@$node_rs_version" @node-rs/bcrypt
for native in linux-x64-gnu linux-arm64-gnu linux-arm-gnueabihf; do
    unpack "@node-rs/bcrypt-$native@$node_rs_version" "@node-rs/bcrypt-$native"
done
cp "$repo/scripts/measure-bcrypt.js" "$work/"

results="$work/results.jsonl"
for arch in "${architectures[@]}"; do
    image=moat-nodered/debian:bookworm
    [[ $arch != "$host_arch" ]] && image="$image-$arch"
    echo "measure-bcrypt: $arch: installing nodejs and timing comparisons" >&2
    # The image's apt sources name the mirror that image.sh built it from.
    docker run --rm --pull never --network moat-test \
        --env MOAT_BCRYPT_LABEL="$arch" \
        --env MOAT_BCRYPT_COSTS="${MOAT_BCRYPT_COSTS:-8,9,10,11,12}" \
        --env MOAT_BCRYPT_REPEATS="${MOAT_BCRYPT_REPEATS:-5}" \
        --volume "$work:/bench:ro" "$image" \
        sh -c 'apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends nodejs >/dev/null && cd /bench && node measure-bcrypt.js' \
        | tee -a "$results" >&2
done

echo
echo "Fastest of ${MOAT_BCRYPT_REPEATS:-5} bcrypt comparisons in milliseconds (ratio to amd64 in brackets):"
# Debian's npm package depends on nodejs, so node is on the host by now.
node "$repo/scripts/measure-bcrypt.js" --table "$results"
