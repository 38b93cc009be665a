# Copyright (c) 2026, moat.nodered developers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Helpers for the tests that run Node.js: paths, a clean environment and a bcryptjs verifier."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

JS_DIRECTORY = Path(__file__).resolve().parent / "js"
HARNESS_SCRIPT = JS_DIRECTORY / "harness.js"


def node_environment(home: Path) -> dict[str, str]:
    """Return an environment in which node resolves modules only from the script's directory tree.

    NODE_PATH and NODE_OPTIONS are removed, and HOME points to a directory without the global
    folders .node_modules and .node_libraries.
    """
    environment = {key: value for key, value in os.environ.items() if key not in ("NODE_PATH", "NODE_OPTIONS")}
    environment["HOME"] = str(home)
    return environment


class BcryptjsVerifier:
    """A long-running node process that checks passwords against hashes with bcryptjs."""

    def __init__(self, node: str, home: Path) -> None:
        self._process = subprocess.Popen(
            [node, str(HARNESS_SCRIPT), "compare"],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
            encoding="utf-8",
            env=node_environment(home),
        )

    def verifies(self, password: str, hash_value: str) -> bool:
        assert self._process.stdin is not None and self._process.stdout is not None
        self._process.stdin.write(json.dumps({"password": password, "hash": hash_value}) + "\n")
        self._process.stdin.flush()
        line = self._process.stdout.readline()
        if not line:
            raise RuntimeError(f"the bcryptjs harness exited with code {self._process.wait(timeout=10)}")
        reply = json.loads(line)
        if "error" in reply:
            raise RuntimeError(f"bcryptjs could not compare: {reply['error']}")
        return reply["same"]

    def close(self) -> None:
        """Close stdin so the process exits, and kill it if it is still running after 10 s."""
        assert self._process.stdin is not None
        self._process.stdin.close()
        try:
            self._process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self._process.kill()
            self._process.wait(timeout=10)
