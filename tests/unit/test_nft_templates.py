# Copyright (c) 2026, moat.nodered developers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Render the nftables role's templates through ansible-playbook and load them into nft.

Each rendered ruleset is loaded into an empty network namespace (unshare --net), so the test
checks nft's own reading of the file without touching the host's ruleset. This needs root and
the nft command, as the Molecule scenarios do; the tests fail, and do not skip, without them.
"""

from __future__ import annotations

import datetime
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from ansible_collections.moat.nodered.plugins.filter.nft_addresses import nft_addresses
from ansible_collections.moat.nodered.tests.unit.nft_settings import NFTABLES_DEFAULTS

ROLE_DIR = Path(__file__).resolve().parents[2] / "roles" / "nftables"
CLOUDFLARE_FILE = ROLE_DIR / "files" / "cloudflare_ranges.yml"

BASE_SETTINGS = NFTABLES_DEFAULTS


def load_cloudflare_ranges() -> dict:
    with CLOUDFLARE_FILE.open(encoding="utf-8") as handle:
        return yaml.safe_load(handle)


CASES = {
    "defaults": {},
    "cloudflare": {"nftables_cloudflare_only": True, "nftables_cloudflare_ranges": load_cloudflare_ranges()},
    "ipv6_sources_no_limits": {
        "nftables_ssh_sources": ["2001:db8::/48", "2001:db8:1::5"],
        "nftables_ssh_rate_per_minute": 0,
        "nftables_log_drops_per_minute": 0,
        "nftables_http_redirect": False,
        "nftables_acme_challenge": False,
    },
    "custom_table_and_ports": {
        "nftables_table": "fw_test",
        "nftables_ssh_port": 2200,
        "nftables_ssh_sources": ["198.51.100.0/24", "2001:db8::/48"],
        "nftables_https_port": 8443,
        "nftables_http_port": 8080,
    },
}

PLAYBOOK = """\
- name: Render the nftables role's templates
  hosts: localhost
  connection: local
  gather_facts: false
  vars:
    ansible_python_interpreter: "{{ ansible_playbook_python }}"
    output: "{{ lookup('ansible.builtin.env', 'MOAT_TEST_OUTPUT') }}"
    role_dir: "{{ lookup('ansible.builtin.env', 'MOAT_TEST_ROLE') }}"
    cases: "{{ lookup('ansible.builtin.file', output ~ '/cases.json') | from_json }}"
  tasks:
    - name: Load the role's internal variables
      ansible.builtin.include_vars:
        file: "{{ role_dir }}/vars/main.yml"

    - name: Render the ruleset of each case
      ansible.builtin.template:
        src: "{{ role_dir }}/templates/moat-nodered.nft.j2"
        dest: "{{ output }}/{{ item.key }}.nft"
        mode: "0600"
      vars:
        __nftables_model: "{{ item.value | moat.nodered.nft_ruleset_model }}"
      loop: "{{ cases | dict2items }}"

    - name: Render the helper and the drop-in of the default case
      ansible.builtin.template:
        src: "{{ role_dir }}/templates/{{ item.src }}"
        dest: "{{ output }}/{{ item.dest }}"
        mode: "0600"
      vars:
        __nftables_model: "{{ cases.defaults | moat.nodered.nft_ruleset_model }}"
      loop:
        - {src: moat-nodered-nftables.sh.j2, dest: helper.sh}
        - {src: nftables-service-dropin.conf.j2, dest: dropin.conf}
"""


@pytest.fixture(scope="module")
def rendered(collections_root: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Render every case and return the output directory."""
    output = tmp_path_factory.mktemp("nft-render")
    home = tmp_path_factory.mktemp("ansible-home")
    cases = {name: {**BASE_SETTINGS, **changes} for name, changes in CASES.items()}
    (output / "cases.json").write_text(json.dumps(cases), encoding="utf-8")
    (output / "render.yml").write_text(PLAYBOOK, encoding="utf-8")

    environment = dict(os.environ)
    environment.update(
        {
            "ANSIBLE_COLLECTIONS_PATH": str(collections_root),
            "ANSIBLE_HOME": str(home),
            "ANSIBLE_LOCAL_TEMP": str(home / "tmp"),
            "ANSIBLE_NOCOLOR": "1",
            "ANSIBLE_STDOUT_CALLBACK": "ansible.builtin.default",
            "MOAT_TEST_OUTPUT": str(output),
            "MOAT_TEST_ROLE": str(ROLE_DIR),
        }
    )
    result = subprocess.run(
        [str(Path(sys.executable).parent / "ansible-playbook"), "-i", "localhost,", str(output / "render.yml")],
        capture_output=True,
        text=True,
        env=environment,
        timeout=300,
        check=False,
    )
    assert result.returncode == 0, f"ansible-playbook failed:\n{result.stdout}\n{result.stderr}"
    return output


def load_in_empty_namespace(ruleset: Path, table: str) -> str:
    """Load the ruleset into a new network namespace and return nft's listing of the table."""
    if os.geteuid() != 0 or shutil.which("nft") is None or shutil.which("unshare") is None:
        pytest.fail("loading a ruleset into a network namespace needs root, nft and unshare")
    result = subprocess.run(
        ["unshare", "--net", "sh", "-c", 'nft -f "$1" && nft list table inet "$2"', "sh", str(ruleset), table],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, f"nft rejected {ruleset.name}:\n{result.stderr}"
    return result.stdout


def test_ruleset_defaults(rendered):
    listing = load_in_empty_namespace(rendered / "defaults.nft", "moat_nodered")
    assert "type filter hook input priority filter; policy drop;" in listing
    assert 'tcp dport 22 accept comment "SSH"' in listing
    assert 'tcp dport 443 accept comment "HTTPS"' in listing
    assert 'tcp dport 80 accept comment "HTTP"' in listing
    assert "update @ssh_rate_v4 { ip saddr limit rate over 10/minute burst 20 packets } drop" in listing
    assert 'limit rate 10/minute log prefix "moat_nodered drop: " level info' in listing
    assert "ip saddr @banned_v4 drop" in listing
    assert "1880" not in listing


def test_ruleset_defaults_chain_order(rendered):
    listing = load_in_empty_namespace(rendered / "defaults.nft", "moat_nodered")
    order = [
        'iif "lo" accept',
        "ip saddr @banned_v4 drop",
        "ct state established,related accept",
        "nd-neighbor-solicit",
        "ct state invalid drop",
        "update @ssh_rate_v4",
        "tcp dport 22 accept",
        "log prefix",
    ]
    positions = [listing.index(fragment) for fragment in order]
    assert positions == sorted(positions)


def test_ruleset_cloudflare(rendered):
    listing = load_in_empty_namespace(rendered / "cloudflare.nft", "moat_nodered")
    assert 'ip saddr @cloudflare_v4 tcp dport 443 accept comment "HTTPS from Cloudflare"' in listing
    assert 'ip6 saddr @cloudflare_v6 tcp dport 80 accept comment "HTTP from Cloudflare"' in listing
    assert "173.245.48.0/20" in listing
    assert "2400:cb00::/32" in listing
    assert 'tcp dport 443 accept comment "HTTPS"\n' not in listing


def test_ruleset_ipv6_sources_without_limits(rendered):
    listing = load_in_empty_namespace(rendered / "ipv6_sources_no_limits.nft", "moat_nodered")
    assert 'ip6 saddr @ssh_sources_v6 tcp dport 22 accept comment "SSH"' in listing
    assert "elements = { 2001:db8::/48,\n\t\t\t     2001:db8:1::5 }" in listing
    assert "ssh_sources_v4" not in listing
    assert "ssh_rate" not in listing
    assert " log " not in listing
    assert "dport 80" not in listing


def test_ruleset_custom_table_and_ports(rendered):
    listing = load_in_empty_namespace(rendered / "custom_table_and_ports.nft", "fw_test")
    assert listing.startswith("table inet fw_test {")
    assert 'ip saddr @ssh_sources_v4 tcp dport 2200 accept comment "SSH"' in listing
    assert 'tcp dport 8443 accept comment "HTTPS"' in listing
    assert 'tcp dport 8080 accept comment "HTTP"' in listing


def test_ruleset_reload_replaces_table(rendered):
    """Loading the file twice, as a restart of nftables.service does, gives the same table."""
    if os.geteuid() != 0:
        pytest.fail("loading a ruleset into a network namespace needs root")
    script = (
        'nft -f "$1" && nft add element inet moat_nodered banned_v4 { 192.0.2.7 } '
        '&& nft -f "$1" && nft list table inet moat_nodered'
    )
    twice = subprocess.run(
        ["unshare", "--net", "sh", "-c", script, "sh", str(rendered / "defaults.nft")],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert twice.returncode == 0, twice.stderr
    assert twice.stdout == load_in_empty_namespace(rendered / "defaults.nft", "moat_nodered")


def test_helper_script_syntax(rendered):
    result = subprocess.run(["sh", "-n", str(rendered / "helper.sh")], capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stderr


def test_dropin_clears_exec_stop(rendered):
    lines = (rendered / "dropin.conf").read_text(encoding="utf-8").splitlines()
    assert lines[-2:] == ["[Service]", "ExecStop="]


def test_cloudflare_file_date():
    ranges = load_cloudflare_ranges()
    assert datetime.date.fromisoformat(ranges["date"]) <= datetime.date.today()


def test_cloudflare_file_families():
    ranges = load_cloudflare_ranges()
    ipv4 = nft_addresses(ranges["ipv4"], variable="ipv4")
    ipv6 = nft_addresses(ranges["ipv6"], variable="ipv6")
    assert ipv4["ipv6"] == []
    assert ipv6["ipv4"] == []
    assert len(ipv4["ipv4"]) == len(ranges["ipv4"])
    assert len(ipv6["ipv6"]) == len(ranges["ipv6"])
