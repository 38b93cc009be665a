# shellcheck shell=bash
# Source this file to use the project's tools in the current shell:
#   . scripts/env.sh
__moat_repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
export PATH="$__moat_repo/.venv/bin:$PATH"
export ANSIBLE_COLLECTIONS_PATH="$__moat_repo/.cache/collections"
export MOAT_PROBE="$__moat_repo/tests/frontdoor/probe.py"
unset __moat_repo
