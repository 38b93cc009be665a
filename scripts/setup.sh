#!/usr/bin/env bash
# Create the project virtualenv with the pinned tools and make the working
# tree importable as the collection moat.nodered.
#
#   scripts/setup.sh     safe to run again; reinstalls only when
#                        requirements.txt changed
set -euo pipefail

repo=$(cd "$(dirname "$0")/.." && pwd)
venv="$repo/.venv"
python=${MOAT_PYTHON:-python3.11}

if ! command -v "$python" >/dev/null 2>&1; then
    echo "setup: $python not found; install Python 3.11 or set MOAT_PYTHON" >&2
    exit 1
fi

if [[ ! -x $venv/bin/python ]]; then
    echo "setup: creating $venv"
    "$python" -m venv "$venv"
fi

stamp="$venv/.requirements.sha256"
wanted=$(sha256sum "$repo/requirements.txt" | cut -d' ' -f1)
if [[ ! -f $stamp || $(cat "$stamp") != "$wanted" ]]; then
    echo "setup: installing the pinned Python tools"
    "$venv/bin/pip" install --quiet --upgrade pip
    "$venv/bin/pip" install --quiet -r "$repo/requirements.txt"
    echo "$wanted" >"$stamp"
fi

# Ansible finds a collection only under ansible_collections/NAMESPACE/NAME,
# so a link in .cache gives the working tree that layout.
collections="$repo/.cache/collections/ansible_collections/moat"
mkdir -p "$collections"
ln -sfn "$repo" "$collections/nodered"
echo "setup: ready; collections path $repo/.cache/collections"
