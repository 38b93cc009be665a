# Copyright (c) 2026, moat.nodered developers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Shared fixtures for the unit tests: the collection import path, Node.js and bcryptjs.

The plugins import each other as ansible_collections.moat.nodered.*, so this file links the
repository into a temporary ansible_collections tree and puts that tree first on sys.path.
The Node.js tests need node and npm on PATH. They fail, and do not skip, when node is missing.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import tempfile
import typing as t
from pathlib import Path

import pytest

REPOSITORY_ROOT = Path(__file__).resolve().parents[2]

_collections_root = Path(tempfile.mkdtemp(prefix="moat-nodered-unit-"))
(_collections_root / "ansible_collections" / "moat").mkdir(parents=True)
(_collections_root / "ansible_collections" / "moat" / "nodered").symlink_to(REPOSITORY_ROOT, target_is_directory=True)
sys.path.insert(0, str(_collections_root))

# Imported only now, because the import goes through the link made above.
from ansible_collections.moat.nodered.tests.unit.js_helpers import JS_DIRECTORY, BcryptjsVerifier  # noqa: E402


def pytest_unconfigure(config: pytest.Config) -> None:
    shutil.rmtree(_collections_root, ignore_errors=True)


@pytest.fixture(scope="session")
def collections_root() -> Path:
    """Directory that contains ansible_collections/moat/nodered, for ANSIBLE_COLLECTIONS_PATH."""
    return _collections_root


@pytest.fixture(scope="session")
def node_executable() -> str:
    node = shutil.which("node")
    if node is None:
        pytest.fail("node (Node.js 18 or later) is not on PATH, but the settings.js and bcryptjs tests need it")
    return node


@pytest.fixture(scope="session")
def js_packages(node_executable: str) -> Path:
    """Install tests/unit/js/package-lock.json with npm ci unless node_modules exists."""
    if not (JS_DIRECTORY / "node_modules").is_dir():
        npm = shutil.which("npm")
        if npm is None:
            pytest.fail("npm is not on PATH, but it is needed to install bcryptjs into tests/unit/js/node_modules")
        result = subprocess.run(
            [npm, "ci", "--prefix", str(JS_DIRECTORY), "--ignore-scripts", "--no-audit", "--no-fund"],
            capture_output=True,
            text=True,
            timeout=300,
            check=False,
        )
        if result.returncode != 0:
            pytest.fail(f"npm ci in tests/unit/js failed with exit code {result.returncode}:\n{result.stderr}")
    return JS_DIRECTORY


@pytest.fixture(scope="session")
def bcryptjs(node_executable: str, js_packages: Path, tmp_path_factory: pytest.TempPathFactory) -> t.Iterator[BcryptjsVerifier]:
    verifier = BcryptjsVerifier(node_executable, tmp_path_factory.mktemp("node-home"))
    yield verifier
    verifier.close()
