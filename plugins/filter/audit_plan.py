# Copyright (c) 2026, moat.nodered developers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r"""
name: audit_plan
short_description: Build the checks of an exposure audit from the route model and the inventory
version_added: 0.1.0
author:
  - moat.nodered developers
description:
  - Return the checks that C(playbooks/audit.yml) sends with the C(moat.nodered.frontdoor_probe)
    module, each with C(id), C(category), C(mode), the module's options and C(expect), the result
    that a host built by this collection returns.
  - "Categories: C(tls) (TLS 1.0 and 1.1 refused, 1.2 and 1.3 accepted, DHE, RSA key exchange,
    CBC and NULL suites refused), C(certificate) (trusted, names the domain, days to expiry),
    C(redirect) (HTTP to HTTPS), C(headers) (the security headers, no X-Powered-By, no version in
    Server), C(routes) (the security contract of every route of the route model, WebSockets
    included), C(host) (unknown names refused) and C(ports) (only the declared TCP ports accept connections)."
  - The companion filter C(moat.nodered.audit_findings) compares the module's results with the
    expectations.
options:
  _input:
    description:
      - The audit settings, a mapping with C(domain), C(address) (where to connect),
        C(https_port), C(http_port), C(routes) (the C(routes) of C(moat.nodered.route_model)),
        C(security_headers) (a list of C({name, value})), C(admin_root), C(node_root),
        C(http_redirect), C(acme_challenge), C(cross_origin), C(certificate_warning_days),
        C(certificate_critical_days), C(allowed_ports), C(required_ports), C(forbidden_ports),
        C(scan_ports), C(port_timeout) and C(timeout).
    type: dict
    required: true
"""

EXAMPLES = r"""
---
- name: Build the audit's checks
  ansible.builtin.set_fact:
    audit_checks: >-
      {{ {'domain': 'nodered.example.com', 'address': '192.0.2.10', 'https_port': 443, 'http_port': 80,
          'routes': route_model.routes, 'security_headers': [{'name': 'X-Frame-Options', 'value': 'SAMEORIGIN'}],
          'allowed_ports': [22, 80, 443], 'required_ports': [443], 'forbidden_ports': [1880],
          'scan_ports': [8080]} | moat.nodered.audit_plan }}
"""

RETURN = r"""
_value:
  description: The checks, in the order in which they run.
  type: list
  elements: dict
"""

import typing as t

from ansible.errors import AnsibleFilterError

from ansible_collections.moat.nodered.plugins.module_utils.audit import (
    AuditInputError,
    build_audit_plan,
)


def audit_plan(settings: object) -> list[dict[str, t.Any]]:
    """Build the audit's checks from the settings."""
    try:
        return build_audit_plan(settings)
    except AuditInputError as error:
        raise AnsibleFilterError(f"moat.nodered.audit_plan: {error}") from None


class FilterModule:
    """moat.nodered exposure audit plan filter."""

    def filters(self) -> dict[str, t.Callable[..., list[dict[str, t.Any]]]]:
        return {"audit_plan": audit_plan}
