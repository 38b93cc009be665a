#!/usr/bin/env bash
# Deploy the whole stack to a local throwaway Debian 12 container and print
# how to reach it.
#
#   scripts/demo.sh           create (or update) the container "moat-demo"
#   scripts/demo.sh destroy   remove the container and its state in .cache/demo
#
# The container runs systemd, like a real host, and publishes Node-RED's
# front door on 127.0.0.1:8443 (HTTPS) and 127.0.0.1:8080 (HTTP redirect).
set -euo pipefail

repo=$(cd "$(dirname "$0")/.." && pwd)
cd "$repo"
name=moat-demo
state="$repo/.cache/demo"
image=${MOAT_TEST_IMAGE:-moat-nodered/debian:bookworm}

if [[ ${1:-} == destroy ]]; then
    docker rm -f "$name" >/dev/null 2>&1 && echo "demo: removed $name" || echo "demo: no container $name"
    # The generated password, certificate and reports belong to the removed host.
    rm -rf "$state"
    exit 0
fi

"$repo/scripts/setup.sh"
# shellcheck source=scripts/env.sh
. "$repo/scripts/env.sh"
"$repo/scripts/testbed/docker.sh" start
"$repo/scripts/testbed/image.sh" bookworm

if ! docker container inspect "$name" >/dev/null 2>&1; then
    echo "demo: starting container $name"
    "$repo/scripts/testbed/host.sh" "$name" "$image" \
        --publish 127.0.0.1:8443:8443 --publish 127.0.0.1:8080:80
fi

mkdir -p "$state"
chmod 0700 "$state"
if [[ ! -f $state/secrets.yml ]]; then
    (
        umask 077
        password=$(head -c 18 /dev/urandom | base64 | tr '+/' '-_')
        printf 'demo_admin_password: "%s"\n' "$password" >"$state/secrets.yml"
    )
fi

inventory="$repo/examples/demo/inventory.yml"
ansible-playbook -i "$inventory" "$repo/molecule/shared/prepare.yml"
ansible-playbook -i "$inventory" -e "@$state/secrets.yml" moat.nodered.site

url=https://nodered.localhost:8443/
status=$(curl --silent --insecure --output /dev/null --write-out '%{http_code}' \
    --resolve nodered.localhost:8443:127.0.0.1 "$url")
if [[ $status != 200 ]]; then
    echo "demo: $url returned HTTP $status instead of 200" >&2
    exit 1
fi

cat <<MESSAGE

Node-RED is running behind nginx in the container $name.

  Editor:   $url
  User:     admin
  Password: stored in $state/secrets.yml (readable by root only)

The certificate is a self-signed placeholder, so the browser warns once.
Remove the container with: scripts/demo.sh destroy
MESSAGE
