#!/usr/bin/env bash
# Run every test: linters, unit tests, then the Molecule scenarios.
#
#   scripts/test.sh                 all of it
#   scripts/test.sh SCENARIO ...    only these Molecule scenarios (no lint,
#                                   no unit tests)
#
# Sets up what the tests need first: the virtualenv, the Docker daemon (stopped
# again at the end when this script started it) and the local Debian images.
set -euo pipefail

repo=$(cd "$(dirname "$0")/.." && pwd)
cd "$repo"

"$repo/scripts/setup.sh"
# shellcheck source=scripts/env.sh
. "$repo/scripts/env.sh"

started_docker=false
if ! docker info >/dev/null 2>&1; then
    started_docker=true
fi
"$repo/scripts/testbed/docker.sh" start
cleanup() {
    if $started_docker; then
        "$repo/scripts/testbed/docker.sh" stop
    fi
}
trap cleanup EXIT

"$repo/scripts/testbed/image.sh" bookworm

run_lint_and_unit=true
scenarios=("$@")
if ((${#scenarios[@]} == 0)); then
    scenarios=(default)
else
    run_lint_and_unit=false
fi

if $run_lint_and_unit; then
    echo "== yamllint"
    yamllint --strict .
    echo "== ansible-lint"
    ansible-lint
    echo "== collection build"
    build_dir=$(mktemp -d)
    ansible-galaxy collection build --output-path "$build_dir" . >/dev/null
    tarball=$(ls "$build_dir"/moat-nodered-*.tar.gz)
    if tar -tzf "$tarball" | grep -E '^(molecule|tests|scripts|\.ci|\.venv|\.cache)/'; then
        echo "collection build: test material found in $tarball" >&2
        exit 1
    fi
    rm -rf "$build_dir"
    echo "== unit tests"
    pytest -q tests/unit
fi

for scenario in "${scenarios[@]}"; do
    echo "== molecule test -s $scenario"
    molecule test -s "$scenario"
done
