# Copyright (c) 2026, moat.nodered developers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Load the filters through ansible-core by their fully qualified names, as the roles do."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import typing as t
from pathlib import Path

import bcrypt
import pytest

from ansible_collections.moat.nodered.plugins.module_utils.sha512_crypt import verify_sha512_crypt

FILTERS = ("moat.nodered.bcrypt_hash", "moat.nodered.crypt_hash", "moat.nodered.settings_js")
PASSWORD = "pläy'book \"pass\" ${x} `y` \\ 😀"

PLAYBOOK = """\
- name: Render hashes and settings.js with the moat.nodered filters
  hosts: localhost
  gather_facts: false
  vars:
    password: "{{ lookup('ansible.builtin.env', 'MOAT_TEST_PASSWORD') }}"
    output: "{{ lookup('ansible.builtin.env', 'MOAT_TEST_OUTPUT') }}"
    current_bcrypt: "{{ lookup('ansible.builtin.file', output ~ '/bcrypt.txt') }}"
    current_crypt: "{{ lookup('ansible.builtin.file', output ~ '/crypt.txt') }}"
  tasks:
    - name: Write the bcrypt hash
      ansible.builtin.copy:
        content: "{{ password | moat.nodered.bcrypt_hash(cost=8, current=current_bcrypt) }}"
        dest: "{{ output }}/bcrypt.txt"
        mode: "0600"

    - name: Write the SHA-512 crypt hash
      ansible.builtin.copy:
        content: "{{ password | moat.nodered.crypt_hash(current=current_crypt) }}"
        dest: "{{ output }}/crypt.txt"
        mode: "0600"

    - name: Write settings.js
      ansible.builtin.copy:
        content: "{{ settings | moat.nodered.settings_js }}"
        dest: "{{ output }}/settings.js"
        mode: "0600"
      vars:
        settings:
          uiPort: 1880
          title: "{{ password }}"
          adminAuth:
            type: credentials
            users:
              - username: admin
                password: $2b$04$xEVOuAca.giU1MbqkKKqauErsOBLcqERPaQEdX4rEa.PUaIqeyeZG
                permissions: "*"
"""


def ansible_environment(collections_root: Path, home: Path) -> dict[str, str]:
    environment = dict(os.environ)
    environment.update(
        {
            "ANSIBLE_COLLECTIONS_PATH": str(collections_root),
            "ANSIBLE_HOME": str(home),
            "ANSIBLE_LOCAL_TEMP": str(home / "tmp"),
            "ANSIBLE_NOCOLOR": "1",
            "ANSIBLE_STDOUT_CALLBACK": "ansible.builtin.default",
        }
    )
    return environment


def ansible_command(name: str) -> str:
    return str(Path(sys.executable).parent / name)


def filter_documents(collections_root: Path, home: Path, names: t.Iterable[str]) -> dict:
    """Return the documentation of the named filters as ansible-doc parses it."""
    result = subprocess.run(
        [ansible_command("ansible-doc"), "-t", "filter", "--json", *names],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
        env=ansible_environment(collections_root, home),
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def test_ansible_doc_parses_documentation(collections_root: Path, tmp_path: Path) -> None:
    documents = filter_documents(collections_root, tmp_path, FILTERS)

    for name in FILTERS:
        assert documents[name]["doc"]["version_added"] == "0.1.0", name
        assert documents[name]["doc"]["options"]["_input"]["required"] is True, name
        assert documents[name]["return"]["_value"]["type"] == "string", name
        assert documents[name]["examples"].strip(), name


def run_playbook(collections_root: Path, tmp_path: Path, output: Path) -> subprocess.CompletedProcess:
    playbook = tmp_path / "playbook.yml"
    playbook.write_text(PLAYBOOK, encoding="utf-8")
    environment = ansible_environment(collections_root, tmp_path / "ansible-home")
    environment["MOAT_TEST_PASSWORD"] = PASSWORD
    environment["MOAT_TEST_OUTPUT"] = str(output)
    return subprocess.run(
        [
            ansible_command("ansible-playbook"),
            "-i",
            "localhost,",
            "-c",
            "local",
            "-e",
            json.dumps({"ansible_python_interpreter": sys.executable}),
            str(playbook),
        ],
        capture_output=True,
        text=True,
        timeout=180,
        check=False,
        env=environment,
    )


def read_outputs(output: Path) -> dict[str, str | None]:
    names = ("bcrypt.txt", "crypt.txt", "settings.js")
    return {name: (output / name).read_text(encoding="utf-8") if (output / name).exists() else None for name in names}


@pytest.fixture(scope="module")
def playbook_runs(collections_root: Path, tmp_path_factory: pytest.TempPathFactory) -> dict:
    """Run the playbook twice, starting from empty hash files, and keep the results and files of each run."""
    tmp_path = tmp_path_factory.mktemp("playbook")
    output = tmp_path / "output"
    output.mkdir()
    (output / "bcrypt.txt").write_text("")
    (output / "crypt.txt").write_text("")

    first = run_playbook(collections_root, tmp_path, output)
    first_files = read_outputs(output)
    second = run_playbook(collections_root, tmp_path, output)
    second_files = read_outputs(output)
    return {"first": first, "second": second, "first_files": first_files, "second_files": second_files}


def test_playbook_runs_filters(playbook_runs: dict) -> None:
    first = playbook_runs["first"]
    files = playbook_runs["first_files"]

    assert first.returncode == 0, first.stdout + first.stderr
    assert bcrypt.checkpw(PASSWORD.encode("utf-8"), files["bcrypt.txt"].encode("ascii"))
    assert verify_sha512_crypt(PASSWORD.encode("utf-8"), files["crypt.txt"])
    assert files["settings.js"].startswith("module.exports = {\n")
    assert json.dumps(PASSWORD, ensure_ascii=False) in files["settings.js"]


def test_playbook_second_run_changes_nothing(playbook_runs: dict) -> None:
    second = playbook_runs["second"]

    assert second.returncode == 0, second.stdout + second.stderr
    assert playbook_runs["second_files"] == playbook_runs["first_files"]
    assert "changed=0" in second.stdout, second.stdout
