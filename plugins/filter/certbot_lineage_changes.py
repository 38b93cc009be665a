# Copyright (c) 2026, moat.nodered developers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations


DOCUMENTATION = r"""
name: certbot_lineage_changes
short_description: List what differs between a certbot lineage and the requested certificate
version_added: 0.1.0
author:
  - moat.nodered developers
description:
  - Compare the certificate of a certbot lineage and its renewal configuration with the certificate
    that the inventory requests, and list every difference as a sentence.
  - An empty list means that the lineage already is what the inventory asks for, so the play sends
    no request to the ACME server. Renewal is left to certbot's timer.
  - The domains and the key come from the certificate itself (the output of
    C(community.crypto.x509_certificate_info)); the ACME server, the challenge and the deploy hook
    come from the C([renewalparams]) section of the renewal configuration.
options:
  _input:
    description:
      - The text of C(/etc/letsencrypt/renewal/NAME.conf), or null when it does not exist.
    type: string
    required: true
  certificate:
    description:
      - The result of C(community.crypto.x509_certificate_info) for the lineage's C(cert.pem), or
        null when there is no certificate.
    type: dict
  requested:
    description: The requested certificate.
    type: dict
    required: true
    suboptions:
      domains:
        description: DNS names, in any order.
        type: list
        elements: string
        required: true
      key_type:
        description: C(ecdsa) or C(rsa).
        type: string
        required: true
      elliptic_curve:
        description: Curve of an ECDSA key, such as C(secp256r1).
        type: string
      rsa_key_size:
        description: Size in bits of an RSA key.
        type: int
      renewal_params:
        description:
          - Values that C([renewalparams]) must hold, such as C(server), C(authenticator) and
            C(renew_hook). certbot writes lists with a trailing comma; the comparison ignores it.
        type: dict
"""

EXAMPLES = r"""
---
- name: Decide whether the certificate must be requested
  ansible.builtin.set_fact:
    __certbot_changes: >-
      {{ (__certbot_renewal.content | b64decode if __certbot_renewal.content is defined else None)
         | moat.nodered.certbot_lineage_changes(certificate=__certbot_info, requested=__certbot_requested) }}
"""

RETURN = r"""
_value:
  description:
    - "One sentence per difference, such as C(domains added: www.example.com), or an empty list."
  type: list
  elements: string
"""

import re
import typing as t

from ansible.errors import AnsibleFilterError

FILTER_NAME = "moat.nodered.certbot_lineage_changes"

_SECTION = re.compile(r"^\s*\[+\s*(?P<name>[^\]]+?)\s*\]+\s*$")
_ASSIGNMENT = re.compile(r"^\s*(?P<key>[A-Za-z0-9_.-]+)\s*=\s*(?P<value>.*?)\s*$")


def renewal_params(text: str) -> dict[str, str]:
    """Return the key = value pairs of the [renewalparams] section of a certbot renewal file.

    Subsections such as [[webroot_map]] end the section, as they do in configobj.
    """
    params: dict[str, str] = {}
    section = None
    for line in text.splitlines():
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        header = _SECTION.match(line)
        if header:
            section = header.group("name") if not line.lstrip().startswith("[[") else None
            continue
        assignment = _ASSIGNMENT.match(line)
        if assignment and section == "renewalparams":
            params[assignment.group("key")] = assignment.group("value")
    return params


def _normalise(value: object) -> str:
    # configobj writes a one-item list as "item," and quotes values with commas.
    text = str(value).strip()
    if len(text) >= 2 and text[0] == text[-1] and text[0] in "\"'":
        text = text[1:-1]
    return text.rstrip(",").strip()


def certificate_key(info: dict[str, t.Any]) -> tuple[str, str | int | None]:
    """Return ("ecdsa", curve) or ("rsa", bits) from x509_certificate_info's output."""
    key_type = str(info.get("public_key_type", "")).upper()
    data = info.get("public_key_data") or {}
    if key_type == "ECC":
        return "ecdsa", data.get("curve")
    if key_type == "RSA":
        return "rsa", data.get("size")
    return key_type.lower() or "unknown", None


def certificate_domains(info: dict[str, t.Any]) -> list[str]:
    names = info.get("subject_alt_name") or []
    return sorted({name[4:].lower() for name in names if isinstance(name, str) and name.startswith("DNS:")})


def _check_requested(requested: object) -> dict[str, t.Any]:
    if not isinstance(requested, dict):
        raise AnsibleFilterError(f"{FILTER_NAME}: requested must be a dict, got {type(requested).__name__}")
    domains = requested.get("domains")
    if not isinstance(domains, (list, tuple)) or not domains or not all(isinstance(name, str) for name in domains):
        raise AnsibleFilterError(f"{FILTER_NAME}: requested.domains must be a non-empty list of strings, got {domains!r}")
    if requested.get("key_type") not in ("ecdsa", "rsa"):
        raise AnsibleFilterError(
            f"{FILTER_NAME}: requested.key_type must be 'ecdsa' or 'rsa', got {requested.get('key_type')!r}"
        )
    params = requested.get("renewal_params", {})
    if not isinstance(params, dict):
        raise AnsibleFilterError(
            f"{FILTER_NAME}: requested.renewal_params must be a dict, got {type(params).__name__}"
        )
    return requested


def certbot_lineage_changes(value: object, certificate: object = None, requested: object = None) -> list[str]:
    """List the differences between a lineage and the requested certificate."""
    request = _check_requested(requested)
    if value is not None and not isinstance(value, str):
        raise AnsibleFilterError(
            f"{FILTER_NAME}: the input must be the renewal file's text or null, got {type(value).__name__}"
        )
    if certificate is not None and not isinstance(certificate, dict):
        raise AnsibleFilterError(
            f"{FILTER_NAME}: certificate must be x509_certificate_info's result or null, got {type(certificate).__name__}"
        )
    if value is None or not certificate:
        return ["no certificate has been issued yet"]

    changes = []
    current_domains = certificate_domains(certificate)
    requested_domains = sorted({name.lower() for name in request["domains"]})
    added = [name for name in requested_domains if name not in current_domains]
    removed = [name for name in current_domains if name not in requested_domains]
    if added:
        changes.append("domains added: " + ", ".join(added))
    if removed:
        changes.append("domains removed: " + ", ".join(removed))

    key_type, key_detail = certificate_key(certificate)
    if request["key_type"] == "ecdsa":
        expected_detail: object = request.get("elliptic_curve", "secp256r1")
    else:
        expected_detail = int(request.get("rsa_key_size", 2048))
    if key_type != request["key_type"] or key_detail != expected_detail:
        changes.append(f"key changes from {key_type} {key_detail} to {request['key_type']} {expected_detail}")

    params = renewal_params(value)
    for key, expected in sorted(request.get("renewal_params", {}).items()):
        current = params.get(key)
        if current is None or _normalise(current) != _normalise(expected):
            changes.append(f"{key} changes from {current if current is not None else '(unset)'} to {expected}")
    return changes


class FilterModule:
    """moat.nodered certbot lineage filter."""

    def filters(self) -> dict[str, t.Callable[..., t.Any]]:
        return {"certbot_lineage_changes": certbot_lineage_changes}
