# Copyright (c) 2026, moat.nodered developers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Tests for raspberry_pi_facts."""

from __future__ import annotations

import pytest
from ansible.errors import AnsibleFilterError

from ansible_collections.moat.nodered.plugins.filter.raspberry_pi import raspberry_pi_facts

DEBIAN_OS_RELEASE = '[os-release]\nPRETTY_NAME="Debian GNU/Linux 12 (bookworm)"\nID=debian\n'
RASPBIAN_OS_RELEASE = '[os-release]\nPRETTY_NAME="Raspbian GNU/Linux 12 (bookworm)"\nID="raspbian"\nID_LIKE=debian\n'
DEBIAN_SOURCES = "[apt-sources]\ndeb http://mirror.example.org/debian bookworm main\n"
PI_ONE_LINE = "[apt-sources]\ndeb [signed-by=/usr/share/keyrings/x.gpg arch=arm64] http://archive.raspberrypi.com/debian/ bookworm main\n"
PI_DEB822 = "[apt-sources]\nTypes: deb\nURIs: http://archive.raspberrypi.com/debian/\nSuites: trixie\nComponents: main\n"


@pytest.mark.parametrize(
    ("probe", "expected_evidence"),
    [
        (DEBIAN_OS_RELEASE + DEBIAN_SOURCES, []),
        ("[rpi-issue]\nRaspberry Pi reference 2024-11-19\n" + DEBIAN_OS_RELEASE, ["/etc/rpi-issue"]),
        ("[rpi-issue]\n" + DEBIAN_OS_RELEASE, ["/etc/rpi-issue"]),
        (RASPBIAN_OS_RELEASE, ["/etc/os-release ID=raspbian"]),
        (DEBIAN_OS_RELEASE + PI_ONE_LINE, ["apt source http://archive.raspberrypi.com/debian/"]),
        (DEBIAN_OS_RELEASE + PI_DEB822, ["apt source http://archive.raspberrypi.com/debian/"]),
        ("[apt-sources]\ndeb http://raspbian.raspberrypi.com/raspbian/ bookworm main\n",
         ["apt source http://raspbian.raspberrypi.com/raspbian/"]),
        ("[apt-sources]\ndeb http://legacy.raspbian.org/raspbian/ buster main\n",
         ["apt source http://legacy.raspbian.org/raspbian/"]),
    ],
)
def test_raspberry_pi_os_evidence(probe, expected_evidence):
    facts = raspberry_pi_facts(probe)
    assert facts["evidence"] == expected_evidence
    assert facts["raspberry_pi_os"] is bool(expected_evidence)


@pytest.mark.parametrize(
    "sources",
    [
        # Commented out, disabled, or only a look-alike name.
        "[apt-sources]\n# deb http://archive.raspberrypi.com/debian/ bookworm main\n",
        "[apt-sources]\nTypes: deb\nURIs: http://archive.raspberrypi.com/debian/\nEnabled: no\n",
        "[apt-sources]\ndeb http://archive.raspberrypi.com.example.net/debian/ bookworm main\n",
        "[apt-sources]\ndeb http://notraspberrypi.com/debian/ bookworm main\n",
        "[apt-sources]\ndeb http://mirror.example.org/raspberrypi.com/ bookworm main\n",
    ],
)
def test_sources_that_are_not_the_pi_archive(sources):
    assert raspberry_pi_facts(DEBIAN_OS_RELEASE + sources)["raspberry_pi_os"] is False


def test_disabled_stanza_does_not_hide_the_next_one():
    sources = (
        "[apt-sources]\nTypes: deb\nURIs: http://mirror.example.org/debian\nEnabled: no\n\n"
        "Types: deb\nURIs: http://archive.raspberrypi.com/debian/\n"
    )
    assert raspberry_pi_facts(sources)["evidence"] == ["apt source http://archive.raspberrypi.com/debian/"]


def test_all_three_signs_are_listed_once():
    probe = "[rpi-issue]\n" + RASPBIAN_OS_RELEASE + PI_ONE_LINE + PI_ONE_LINE.replace("[apt-sources]\n", "")
    assert raspberry_pi_facts(probe)["evidence"] == [
        "/etc/rpi-issue",
        "/etc/os-release ID=raspbian",
        "apt source http://archive.raspberrypi.com/debian/",
    ]


@pytest.mark.parametrize(
    ("model", "is_pi"),
    [
        ("Raspberry Pi 3 Model B Rev 1.2\x00", True),
        ("Raspberry Pi Zero W Rev 1.1", True),
        ("Raspberry Pi 5 Model B Rev 1.0", True),
        ("Hardkernel ODROID-C4", False),
        ("", False),
    ],
)
def test_board_model(model, is_pi):
    facts = raspberry_pi_facts(f"[device-tree-model]\n{model}\n" + DEBIAN_OS_RELEASE)
    assert facts["board_model"] == model.replace("\x00", "")
    assert facts["raspberry_pi_board"] is is_pi


def test_empty_probe_is_a_plain_host():
    assert raspberry_pi_facts("") == {
        "raspberry_pi_os": False,
        "evidence": [],
        "board_model": "",
        "raspberry_pi_board": False,
    }


def test_lines_before_any_section_are_ignored():
    assert raspberry_pi_facts("ID=raspbian\n/etc/rpi-issue\n")["raspberry_pi_os"] is False


@pytest.mark.parametrize("value", [None, 3, ["[rpi-issue]"], b"[rpi-issue]"])
def test_non_string_input_is_rejected(value):
    with pytest.raises(AnsibleFilterError) as raised:
        raspberry_pi_facts(value)
    assert str(raised.value) == f"raspberry_pi_facts: expected the probe's output as a string, got {type(value).__name__}"
