#!/usr/bin/env bash
# Run ansible-test sanity on the collection.
#
#   scripts/sanity.sh                  every test that needs no pip bootstrap
#                                      (see below)
#   scripts/sanity.sh --all            every test
#   scripts/sanity.sh ARGUMENT ...     these ansible-test sanity arguments
#                                      instead, for example --test pep8
#
# ansible-test accepts only a tree under ansible_collections/NAMESPACE/NAME
# and rejects the symbolic link in .cache/collections. So the script copies
# the tracked files, and the untracked ones that .gitignore does not exclude,
# into a new temporary ansible_collections/moat/nodered, runs the tests there
# and removes the copy at the end. It exits with ansible-test's status.
# Accepted findings are listed, each with its reason, in
# tests/sanity/ignore-2.19.txt.
set -euo pipefail

repo=$(cd "$(dirname "$0")/.." && pwd)

"$repo/scripts/setup.sh" >/dev/null
# shellcheck source=scripts/env.sh
. "$repo/scripts/env.sh"

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
target="$work/ansible_collections/moat/nodered"
mkdir -p "$target"

# git ls-files --cached still lists a tracked file that was deleted from the
# working tree, so the loop passes on only the paths that exist.
cd "$repo"
git ls-files -z --cached --others --exclude-standard \
    | while IFS= read -r -d '' path; do
        if [[ -e $path || -L $path ]]; then
            printf '%s\0' "$path"
        fi
    done \
    | tar --create --null --files-from=- --file=- \
    | tar --extract --file=- --directory="$target"

# The tests below need Python packages, which ansible-test installs into
# virtualenvs of its own under ~/.ansible/test/venv. It creates them without
# pip and first downloads pip's get-pip.py bootstrap script from
# ci-files.testing.ansible.com (ansible-core 2.19), which is outside the
# package index. Where that host cannot be reached these tests fail at once,
# so the default run skips them and --all runs them.
# NOTE: the default run therefore leaves out pylint, pep8, validate-modules,
# import and the documentation checks.
needs_bootstrap=(ansible-doc changelog import pep8 pylint runtime-metadata validate-modules yamllint)
selection=()
if (($# == 0)); then
    for test in "${needs_bootstrap[@]}"; do
        selection+=(--skip-test "$test")
    done
    echo "sanity: skipping the tests that need ansible-test's pip bootstrap: ${needs_bootstrap[*]}"
elif [[ $1 == --all ]]; then
    shift
fi

cd "$target"
status=0
started=$SECONDS
ansible-test sanity --local --python 3.11 --color no "${selection[@]}" "$@" || status=$?
echo "sanity: ansible-test exited with status $status after $((SECONDS - started)) s"
exit "$status"
