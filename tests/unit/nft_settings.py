# Copyright (c) 2026, moat.nodered developers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The nftables role's settings with their default values, as the ruleset model receives them."""

from __future__ import annotations

NFTABLES_DEFAULTS = {
    "nftables_table": "moat_nodered",
    "nftables_ssh_port": 22,
    "nftables_ssh_sources": [],
    "nftables_ssh_rate_per_minute": 10,
    "nftables_ssh_rate_burst": 20,
    "nftables_https_port": 443,
    "nftables_http_port": 80,
    "nftables_http_redirect": True,
    "nftables_acme_challenge": True,
    "nftables_nodered_port": 1880,
    "nftables_cloudflare_only": False,
    "nftables_cloudflare_ranges": {},
    "nftables_log_drops_per_minute": 10,
}
