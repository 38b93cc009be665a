# Copyright (c) 2026, moat.nodered developers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Tests for the cloudflare_ranges filter, which checks the lists fetched from Cloudflare."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from ansible.errors import AnsibleFilterError

from ansible_collections.moat.nodered.plugins.filter.cloudflare_ranges import (
    FILTER_NAME,
    FilterModule,
    cloudflare_ranges,
)
from ansible_collections.moat.nodered.plugins.module_utils.cloudflare_ranges import (
    CloudflareRangesError,
    check_source_url,
    parse_range_list,
)
from ansible_collections.moat.nodered.tests.unit.plugins.filter.test_filters_in_ansible import filter_documents

SHIPPED_FILE = Path(__file__).resolve().parents[4] / "roles" / "nftables" / "files" / "cloudflare_ranges.yml"
URLS = {"ipv4": "https://www.cloudflare.com/ips-v4", "ipv6": "https://www.cloudflare.com/ips-v6"}
IPV4_TEXT = "173.245.48.0/20\n103.21.244.0/22\n131.0.72.0/22"
IPV6_TEXT = "2400:cb00::/32\n2606:4700::/32\n2a06:98c0::/29"
CAPTIVE_PORTAL = """<!DOCTYPE html>
<html><head><title>Guest Wi-Fi</title></head>
<body><form action="/login">Accept the terms</form></body></html>
"""


def build(ipv4: object = IPV4_TEXT, ipv6: object = IPV6_TEXT) -> dict:
    return cloudflare_ranges({"ipv4": ipv4, "ipv6": ipv6}, urls=URLS, date="2026-12-05")


def test_filter_is_registered() -> None:
    assert FilterModule().filters() == {"cloudflare_ranges": cloudflare_ranges}


def test_good_lists_keep_published_order() -> None:
    result = build()

    assert result == {
        "date": "2026-12-05",
        "source": [URLS["ipv4"], URLS["ipv6"]],
        "ipv4": ["173.245.48.0/20", "103.21.244.0/22", "131.0.72.0/22"],
        "ipv6": ["2400:cb00::/32", "2606:4700::/32", "2a06:98c0::/29"],
    }


def test_trailing_newline_and_blank_lines_ignored() -> None:
    result = build(ipv4="\n173.245.48.0/20\r\n\r\n  103.21.244.0/22  \n\n", ipv6=IPV6_TEXT + "\n")

    assert result["ipv4"] == ["173.245.48.0/20", "103.21.244.0/22"]
    assert result["ipv6"] == ["2400:cb00::/32", "2606:4700::/32", "2a06:98c0::/29"]


def test_canonical_form_and_duplicates_dropped() -> None:
    result = build(ipv6="2400:CB00:0::/32\n2400:cb00::/32\n")

    assert result["ipv6"] == ["2400:cb00::/32"]


def test_shipped_file_lists_pass() -> None:
    # The shipped data file, printed one network per line as Cloudflare's pages are, gives its own lists back.
    shipped = yaml.safe_load(SHIPPED_FILE.read_text(encoding="utf-8"))

    result = build(ipv4="\n".join(shipped["ipv4"]) + "\n", ipv6="\n".join(shipped["ipv6"]) + "\n")

    assert result["ipv4"] == shipped["ipv4"]
    assert result["ipv6"] == shipped["ipv6"]


@pytest.mark.parametrize(
    ("family", "text", "line"),
    [
        ("ipv4", "173.245.48.0/20\n2400:cb00::/32\n", "line 2"),
        ("ipv6", "2400:cb00::/32\n173.245.48.0/20\n", "line 2"),
    ],
)
def test_wrong_family_rejected(family: str, text: str, line: str) -> None:
    with pytest.raises(AnsibleFilterError) as error:
        build(**{family: text})

    message = str(error.value)
    assert message.startswith("moat.nodered.cloudflare_ranges: ")
    assert f"{URLS[family]} {line}" in message
    assert "network, but the" in message
    assert "not swapped" in message


@pytest.mark.parametrize(
    "entry",
    [
        "173.245.48.1",  # a bare address
        "173.245.48.1/20",  # host bits set after the prefix
        "173.245.48.0/33",
        "173.245.48/20",
        "not a network",
        "173.245.48.0/20 # comment",
        "fe80::%eth0/64",
    ],
)
def test_non_cidr_line_rejected(entry: str) -> None:
    family = "ipv6" if ":" in entry else "ipv4"

    with pytest.raises(AnsibleFilterError) as error:
        build(**{family: f"{'173.245.48.0/20' if family == 'ipv4' else '2400:cb00::/32'}\n\n{entry}\n"})

    message = str(error.value)
    assert f"{URLS[family]} line 3 is {entry!r}" in message
    assert "not a network in CIDR notation" in message


@pytest.mark.parametrize("family", ["ipv4", "ipv6"])
def test_html_page_rejected(family: str) -> None:
    with pytest.raises(AnsibleFilterError) as error:
        build(**{family: CAPTIVE_PORTAL})

    message = str(error.value)
    assert f"{URLS[family]} returned an HTML page" in message
    assert "captive portal" in message


def test_html_after_networks_rejected() -> None:
    with pytest.raises(CloudflareRangesError, match="returned an HTML page"):
        parse_range_list("173.245.48.0/20\n<html><body>blocked</body></html>\n", "ipv4", URLS["ipv4"])


@pytest.mark.parametrize("text", ["", "\n", " \r\n\n\t\n"])
@pytest.mark.parametrize("family", ["ipv4", "ipv6"])
def test_empty_list_rejected(family: str, text: str) -> None:
    with pytest.raises(AnsibleFilterError) as error:
        build(**{family: text})

    assert f"{URLS[family]} returned no {family.replace('ip', 'IP')} networks" in str(error.value)


def test_non_string_text_rejected() -> None:
    with pytest.raises(AnsibleFilterError, match="returned NoneType in place of the text of the IPv4 list"):
        build(ipv4=None)


@pytest.mark.parametrize(
    "url",
    [
        "ftp://www.cloudflare.com/ips-v4",
        "file:///etc/passwd",
        "www.cloudflare.com/ips-v4",
        "https://",
        "",
        None,
        "https://example.test/ips-v4\n# injected",
    ],
)
def test_invalid_url_rejected(url: object) -> None:
    with pytest.raises(AnsibleFilterError) as error:
        cloudflare_ranges({"ipv4": IPV4_TEXT, "ipv6": IPV6_TEXT}, urls={**URLS, "ipv4": url}, date="2026-12-05")

    message = str(error.value)
    assert f"urls.ipv4 is {url!r}" in message
    assert "http" in message


def test_http_url_accepted() -> None:
    assert check_source_url("http://127.0.0.1:8080/ips-v4", "urls.ipv4") == "http://127.0.0.1:8080/ips-v4"


@pytest.mark.parametrize("date", ["2026-13-01", "5 Dec 2026", "", None, 20261205])
def test_invalid_date_rejected(date: object) -> None:
    with pytest.raises(AnsibleFilterError, match="date is .* YYYY-MM-DD"):
        cloudflare_ranges({"ipv4": IPV4_TEXT, "ipv6": IPV6_TEXT}, urls=URLS, date=date)


def test_missing_keys_rejected() -> None:
    with pytest.raises(AnsibleFilterError, match="the input is missing the key ipv6"):
        cloudflare_ranges({"ipv4": IPV4_TEXT}, urls=URLS, date="2026-12-05")
    with pytest.raises(AnsibleFilterError, match="urls is missing the key ipv4"):
        cloudflare_ranges({"ipv4": IPV4_TEXT, "ipv6": IPV6_TEXT}, urls={"ipv6": URLS["ipv6"]}, date="2026-12-05")


def test_ansible_doc_parses_documentation(collections_root: Path, tmp_path: Path) -> None:
    document = filter_documents(collections_root, tmp_path, [FILTER_NAME])[FILTER_NAME]

    assert document["doc"]["options"]["_input"]["type"] == "dict"
    assert document["doc"]["options"]["urls"]["required"] is True
    assert document["return"]["_value"]["contains"]["ipv4"]["elements"] == "string"
    assert document["examples"].strip()
