# Copyright (c) 2026, moat.nodered developers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r"""
name: audit_findings
short_description: Compare the results of an exposure audit with the expected ones
version_added: 0.1.0
author:
  - moat.nodered developers
description:
  - Return one finding per check of a C(moat.nodered.audit_plan) list, in the same order, from the
    results of the C(moat.nodered.frontdoor_probe) module.
  - "A finding's C(outcome) is C(passed), C(failed), C(warning) (for example a certificate that
    expires within the warning threshold) or C(skipped) (the check needs credentials that the
    inventory does not define, or a TLS version that the controller cannot offer)."
options:
  _input:
    description: The checks, as returned by C(moat.nodered.audit_plan).
    type: list
    elements: dict
    required: true
  results:
    description: The C(results) of the C(moat.nodered.frontdoor_probe) module for those checks.
    type: list
    elements: dict
    required: true
"""

EXAMPLES = r"""
---
- name: Compare the probe's results with the expectations
  ansible.builtin.set_fact:
    audit_findings: "{{ audit_checks | moat.nodered.audit_findings(probe.results) }}"
"""

RETURN = r"""
_value:
  description:
    - The findings, each with C(id), C(category), C(route) (null for checks of no route), C(outcome),
      C(observed) (what came back, in a few words) and C(details) (why it failed or warned).
  type: list
  elements: dict
"""

import typing as t

from ansible.errors import AnsibleFilterError

from ansible_collections.moat.nodered.plugins.module_utils.audit import AuditInputError, audit_findings as compare


def audit_findings(plan: object, results: object) -> list[dict[str, t.Any]]:
    """Compare the probe's results with the plan's expectations; one finding per check."""
    try:
        return compare(plan, results)
    except AuditInputError as error:
        raise AnsibleFilterError(f"moat.nodered.audit_findings: {error}") from None


class FilterModule:
    """moat.nodered exposure audit findings filter."""

    def filters(self) -> dict[str, t.Callable[..., list[dict[str, t.Any]]]]:
        return {"audit_findings": audit_findings}
