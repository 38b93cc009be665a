#!/usr/bin/env bash
# Build a local Debian systemd image for Molecule, once.
#
#   image.sh SUITE [ARCH]    SUITE: bookworm | trixie; ARCH: a Debian
#                            architecture (default: the host's)
#
# The image is tagged moat-nodered/debian:SUITE (or SUITE-ARCH for a foreign
# architecture) and reused while it exists. Debian's mirror is taken from the
# host's own apt sources, because container registries are not reachable.
# A foreign architecture, such as arm64 or armhf, runs under qemu-user: the
# script installs qemu-user-static and registers it with the kernel.
set -euo pipefail

suite=${1:?usage: $0 bookworm|trixie [ARCH]}
host_arch=$(dpkg --print-architecture)
arch=${2:-$host_arch}
case $suite in
    bookworm | trixie) ;;
    *) echo "image: unsupported suite '$suite'; use bookworm or trixie" >&2; exit 2 ;;
esac

# Make the kernel run foreign binaries through qemu-user, for debootstrap
# and for the containers. binfmt_misc registrations last until the host
# reboots, so this runs for every foreign image, also when the image exists.
enable_qemu_user() {
    if ! command -v update-binfmts >/dev/null 2>&1 || ! dpkg -s qemu-user-static >/dev/null 2>&1; then
        echo "image: installing qemu-user-static and binfmt-support"
        apt-get update -qq
        DEBIAN_FRONTEND=noninteractive apt-get install -y -qq qemu-user-static binfmt-support >/dev/null
    fi
    if [[ ! -e /proc/sys/fs/binfmt_misc/status ]]; then
        mount -t binfmt_misc binfmt_misc /proc/sys/fs/binfmt_misc
    fi
    update-binfmts --enable >/dev/null 2>&1 || true
    local interpreter
    case $arch in
        arm64) interpreter=qemu-aarch64 ;;
        armhf | armel) interpreter=qemu-arm ;;
        *) interpreter=qemu-$arch ;;
    esac
    if ! grep -qx enabled "/proc/sys/fs/binfmt_misc/$interpreter" 2>/dev/null; then
        echo "image: no enabled binfmt_misc entry $interpreter for $arch after update-binfmts --enable; see /proc/sys/fs/binfmt_misc" >&2
        exit 1
    fi
}

tag="moat-nodered/debian:$suite"
if [[ $arch != "$host_arch" ]]; then
    tag="$tag-$arch"
    enable_qemu_user
fi
if docker image inspect "$tag" >/dev/null 2>&1; then
    echo "image: $tag exists"
    exit 0
fi

# Print the first Debian archive URI named in the host's apt sources,
# in either the one-line or the deb822 format.
host_mirror() {
    local files=()
    [[ -f /etc/apt/sources.list ]] && files+=(/etc/apt/sources.list)
    for f in /etc/apt/sources.list.d/*.list /etc/apt/sources.list.d/*.sources; do
        [[ -f $f ]] && files+=("$f")
    done
    ((${#files[@]})) || return 1
    awk '
        /^[[:space:]]*#/ { next }
        /^deb[[:space:]]/ {
            for (i = 2; i <= NF; i++) if ($i ~ /^(http|https|file):/) { print $i; exit }
        }
        /^URIs:/ { print $2; exit }
    ' "${files[@]}" | grep -v -- '-security' | head -n 1
}

mirror=$(host_mirror || true)
if [[ -z $mirror ]]; then
    echo "image: no Debian mirror found in the host's apt sources" >&2
    exit 1
fi

if ! command -v debootstrap >/dev/null 2>&1; then
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq debootstrap >/dev/null
fi

work=$(mktemp -d /var/tmp/moat-image.XXXXXX)
trap 'rm -rf "$work"' EXIT
rootfs="$work/rootfs"

echo "image: debootstrap $suite/$arch from $mirror"
debootstrap --variant=minbase --arch="$arch" \
    --include=systemd,systemd-sysv,dbus,python3,python3-apt,sudo,ca-certificates,iproute2,procps,gnupg,curl \
    "$suite" "$rootfs" "$mirror" >"$work/debootstrap.log" 2>&1 || {
    tail -n 30 "$work/debootstrap.log" >&2
    exit 1
}

rm -rf "$rootfs"/var/lib/apt/lists/* "$rootfs"/var/cache/apt/archives/*.deb
# With the lists gone, an old modification time makes apt's cache look stale,
# so the first package task on a new container refreshes it.
touch -d @0 "$rootfs/var/lib/apt/lists"
: >"$rootfs/etc/machine-id"

if [[ $arch != "$host_arch" ]]; then
    # Under qemu-user these units fail with 243/CREDENTIALS unless their
    # credential loading is switched off.
    for unit in systemd-tmpfiles-setup systemd-tmpfiles-setup-dev systemd-sysusers; do
        mkdir -p "$rootfs/etc/systemd/system/$unit.service.d"
        printf '[Service]\nLoadCredential=\n' >"$rootfs/etc/systemd/system/$unit.service.d/moat-qemu.conf"
    done
fi

tar -C "$rootfs" -c . | docker import \
    --change 'CMD ["/lib/systemd/systemd"]' \
    --change 'ENV container=docker' \
    - "$tag" >/dev/null
echo "image: built $tag"
