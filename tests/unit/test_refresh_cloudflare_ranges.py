# Copyright (c) 2026, moat.nodered developers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Run playbooks/refresh_cloudflare_ranges.yml against a loopback stand-in for Cloudflare's list pages.

The server on 127.0.0.1 serves text/plain lists in Cloudflare's format, one network per line. The tests
run ansible-playbook as a subprocess and skip when it is not installed.
"""

from __future__ import annotations

import json
import shutil
import socket
import subprocess
import sys
import typing as t
from pathlib import Path

import pytest
import yaml

from ansible_collections.moat.nodered.tests.unit.loopback_server import read_request, serve
from ansible_collections.moat.nodered.tests.unit.plugins.filter.test_filters_in_ansible import ansible_environment

REPOSITORY_ROOT = Path(__file__).resolve().parents[2]
PLAYBOOK = REPOSITORY_ROOT / "playbooks" / "refresh_cloudflare_ranges.yml"

IPV4_LIST = "173.245.48.0/20\n103.21.244.0/22\n131.0.72.0/22\n"
IPV6_LIST = "2400:cb00::/32\n2606:4700::/32\n2a06:98c0::/29\n"
CAPTIVE_PORTAL = "<!DOCTYPE html>\n<html><head><title>Hotel Wi-Fi</title></head><body>Log in</body></html>\n"

# Paths that the stand-in serves: path -> (media type, body).
PAGES = {
    "/ips-v4": ("text/plain", IPV4_LIST),
    "/ips-v6": ("text/plain", IPV6_LIST),
    "/ips-v4-changed": ("text/plain", IPV4_LIST + "104.16.0.0/13\n"),
    "/portal": ("text/html", CAPTIVE_PORTAL),
    "/ipv6-in-v4": ("text/plain", IPV4_LIST + "2400:cb00::/32\n"),
}


def find_ansible_playbook() -> str | None:
    beside_python = Path(sys.executable).parent / "ansible-playbook"
    if beside_python.exists():
        return str(beside_python)
    return shutil.which("ansible-playbook")


ANSIBLE_PLAYBOOK = find_ansible_playbook()
pytestmark = pytest.mark.skipif(ANSIBLE_PLAYBOOK is None, reason="ansible-playbook is not installed")


def answer_request(connection: socket.socket) -> None:
    request_line, _headers, _body = read_request(connection)
    path = request_line.split(" ")[1] if request_line.count(" ") >= 2 else ""
    if path in PAGES:
        media_type, text = PAGES[path]
        status = "200 OK"
    else:
        media_type, text = "text/plain", "not found\n"
        status = "404 Not Found"
    body = text.encode("utf-8")
    head = f"HTTP/1.1 {status}\r\nContent-Type: {media_type}; charset=utf-8\r\nContent-Length: {len(body)}\r\nConnection: close\r\n\r\n"
    connection.sendall(head.encode("ascii") + body)


@pytest.fixture(scope="module")
def base_url() -> t.Iterator[str]:
    port, stop = serve(answer_request)
    yield f"http://127.0.0.1:{port}"
    stop.set()


def run_playbook(
    playbook: Path, collections_root: Path, home: Path, extra_vars: dict[str, object]
) -> subprocess.CompletedProcess:
    environment = ansible_environment(collections_root, home)
    environment["ANSIBLE_LOCALHOST_WARNING"] = "false"
    environment["ANSIBLE_INVENTORY_UNPARSED_WARNING"] = "false"
    # The loopback server must be reached directly, never through a proxy from the environment.
    for name in ("http_proxy", "https_proxy", "HTTP_PROXY", "HTTPS_PROXY", "all_proxy", "ALL_PROXY"):
        environment.pop(name, None)
    environment["no_proxy"] = environment["NO_PROXY"] = "127.0.0.1"
    variables = {"ansible_python_interpreter": sys.executable, **extra_vars}
    return subprocess.run(
        [t.cast(str, ANSIBLE_PLAYBOOK), "-e", json.dumps(variables), str(playbook)],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
        env=environment,
    )


def run_refresh(collections_root: Path, home: Path, extra_vars: dict[str, object]) -> subprocess.CompletedProcess:
    return run_playbook(PLAYBOOK, collections_root, home, extra_vars)


def urls(base_url: str, ipv4: str = "/ips-v4", ipv6: str = "/ips-v6") -> dict[str, str]:
    return {"ipv4": base_url + ipv4, "ipv6": base_url + ipv6}


@pytest.fixture(scope="module")
def refresh_runs(collections_root: Path, base_url: str, tmp_path_factory: pytest.TempPathFactory) -> dict[str, t.Any]:
    """Run the refresh twice into a new file, keeping each result and the file after each run."""
    tmp_path = tmp_path_factory.mktemp("refresh")
    data_file = tmp_path / "inventory" / "cloudflare_ranges.yml"
    data_file.parent.mkdir()
    extra_vars = {"moat_cloudflare_ranges_file": str(data_file), "moat_cloudflare_ranges_urls": urls(base_url)}

    first = run_refresh(collections_root, tmp_path / "home", extra_vars)
    first_bytes = data_file.read_bytes() if data_file.exists() else None
    second = run_refresh(collections_root, tmp_path / "home", extra_vars)
    second_bytes = data_file.read_bytes() if data_file.exists() else None
    return {
        "data_file": data_file,
        "first": first,
        "first_bytes": first_bytes,
        "second": second,
        "second_bytes": second_bytes,
        "home": tmp_path / "home",
    }


def test_refresh_writes_roles_format(refresh_runs: dict[str, t.Any], base_url: str) -> None:
    first = refresh_runs["first"]
    assert first.returncode == 0, first.stdout + first.stderr
    assert "changed=1" in first.stdout, first.stdout
    assert refresh_runs["first_bytes"] is not None

    text = refresh_runs["first_bytes"].decode("utf-8")
    ranges = yaml.safe_load(text)
    assert ranges["ipv4"] == ["173.245.48.0/20", "103.21.244.0/22", "131.0.72.0/22"]
    assert ranges["ipv6"] == ["2400:cb00::/32", "2606:4700::/32", "2a06:98c0::/29"]
    assert ranges["source"] == [base_url + "/ips-v4", base_url + "/ips-v6"]
    assert isinstance(ranges["date"], str)
    assert len(ranges["date"]) == 10
    assert f"#   {base_url}/ips-v4\n" in text
    assert f"#   {base_url}/ips-v6\n" in text
    assert text.startswith("---\n")


def test_refresh_file_loads_with_from_yaml(refresh_runs: dict[str, t.Any], collections_root: Path) -> None:
    # Load the file as the docs show, with lookup and from_yaml, and check the families with the nft_addresses filter.
    playbook = refresh_runs["data_file"].parent / "load.yml"
    playbook.write_text(
        "- name: Load the refreshed ranges\n"
        "  hosts: localhost\n"
        "  gather_facts: false\n"
        "  vars:\n"
        "    moat_cloudflare_ranges: >-\n"
        "      {{ lookup('ansible.builtin.file', ranges_file) | from_yaml }}\n"
        "  tasks:\n"
        "    - name: Check the keys that the roles read\n"
        "      ansible.builtin.assert:\n"
        "        that:\n"
        "          - moat_cloudflare_ranges.date is match('^[0-9]{4}-[0-9]{2}-[0-9]{2}$')\n"
        "          - moat_cloudflare_ranges.ipv4 | length == 3\n"
        "          - moat_cloudflare_ranges.ipv6 | length == 3\n"
        "          - (moat_cloudflare_ranges.ipv4 | moat.nodered.nft_addresses).ipv6 == []\n"
        "          - (moat_cloudflare_ranges.ipv6 | moat.nodered.nft_addresses).ipv4 == []\n"
        # The patterns of the reverse_proxy role's preflight check.
        "          - moat_cloudflare_ranges.ipv4 | reject('match', '^[0-9.]+/[0-9]{1,2}$') | list == []\n"
        "          - moat_cloudflare_ranges.ipv6 | reject('match', '^[0-9a-fA-F:]+/[0-9]{1,3}$') | list == []\n",
        encoding="utf-8",
    )
    result = run_playbook(
        playbook, collections_root, refresh_runs["home"], {"ranges_file": str(refresh_runs["data_file"])}
    )

    assert result.returncode == 0, result.stdout + result.stderr


# NOTE: the play writes the current UTC day into the file, so this test fails
# when its two runs fall on either side of midnight UTC.
def test_refresh_second_run_unchanged(refresh_runs: dict[str, t.Any]) -> None:
    second = refresh_runs["second"]

    assert second.returncode == 0, second.stdout + second.stderr
    assert "changed=0" in second.stdout, second.stdout
    assert refresh_runs["second_bytes"] == refresh_runs["first_bytes"]


def test_refresh_changed_list_rewrites(collections_root: Path, base_url: str, tmp_path: Path) -> None:
    data_file = tmp_path / "cloudflare_ranges.yml"
    data_file.write_text("old\n", encoding="utf-8")
    data_file.chmod(0o640)

    result = run_refresh(
        collections_root,
        tmp_path / "home",
        {
            "moat_cloudflare_ranges_file": str(data_file),
            "moat_cloudflare_ranges_urls": urls(base_url, ipv4="/ips-v4-changed"),
        },
    )

    assert result.returncode == 0, result.stdout + result.stderr
    assert "changed=1" in result.stdout, result.stdout
    assert yaml.safe_load(data_file.read_text(encoding="utf-8"))["ipv4"][-1] == "104.16.0.0/13"
    assert data_file.stat().st_mode & 0o777 == 0o640


# (IPv4 path, IPv6 path, expected text in the failure message). The unit tests of the filter cover the
# other bad lists, such as an empty one, without starting ansible-playbook.
BAD_LISTS = [
    ("/portal", "/ips-v6", "/portal returned an HTML page"),
    ("/ipv6-in-v4", "/ips-v6", "/ipv6-in-v4 line 4 is '2400:cb00::/32', which is an IPv6 network"),
    ("/ips-v4", "/missing", "Fetching the ipv6 list from"),
]


@pytest.mark.parametrize(("ipv4", "ipv6", "expected"), BAD_LISTS)
def test_refresh_bad_list_keeps_file(
    collections_root: Path, base_url: str, tmp_path: Path, ipv4: str, ipv6: str, expected: str
) -> None:
    data_file = tmp_path / "cloudflare_ranges.yml"
    original = b'---\n# kept byte for byte\ndate: "2026-12-04"\nipv4: [173.245.48.0/20]\nipv6: [2400:cb00::/32]\n'
    data_file.write_bytes(original)

    result = run_refresh(
        collections_root,
        tmp_path / "home",
        {"moat_cloudflare_ranges_file": str(data_file), "moat_cloudflare_ranges_urls": urls(base_url, ipv4, ipv6)},
    )

    assert result.returncode != 0, result.stdout
    assert expected in result.stdout, result.stdout
    assert data_file.read_bytes() == original


# (extra variables, expected text in the failure message). FILE stands for the path of a file that exists.
BAD_VARIABLES = [
    ({}, 'moat_cloudflare_ranges_file is "unset", but it must be the absolute path'),
    (
        {"moat_cloudflare_ranges_file": "/nonexistent-moat-directory/ranges.yml"},
        "but /nonexistent-moat-directory is not an existing directory. Create the directory",
    ),
    (
        {
            "moat_cloudflare_ranges_file": "FILE",
            "moat_cloudflare_ranges_urls": {"ipv4": "ftp://127.0.0.1/ips-v4", "ipv6": "https://127.0.0.1/ips-v6"},
        },
        "each an http:// or https:// URL",
    ),
]


@pytest.mark.parametrize(("extra_vars", "expected"), BAD_VARIABLES)
def test_refresh_bad_variable_rejected(collections_root: Path, tmp_path: Path, extra_vars: dict, expected: str) -> None:
    data_file = tmp_path / "cloudflare_ranges.yml"
    original = b"unchanged\n"
    data_file.write_bytes(original)
    variables = {name: str(data_file) if value == "FILE" else value for name, value in extra_vars.items()}

    result = run_refresh(collections_root, tmp_path / "home", variables)

    assert result.returncode != 0, result.stdout
    assert expected in result.stdout, result.stdout
    assert "TASK [Fetch the lists]" not in result.stdout
    assert data_file.read_bytes() == original
