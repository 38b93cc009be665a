# Copyright (c) 2026, moat.nodered developers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Tests for certbot_lineage_changes: when the certbot role sends a request to the ACME server."""

from __future__ import annotations

import pytest
from ansible.errors import AnsibleFilterError

from ansible_collections.moat.nodered.plugins.filter.certbot_lineage_changes import (
    FilterModule,
    certbot_lineage_changes,
    renewal_params,
)

HOOK = "/usr/local/sbin/moat-nodered-certificate deploy"
SERVER = "https://acme.example.net:14000/dir"

# As certbot 2.1 writes it for a webroot lineage.
RENEWAL = f"""# renew_before_expiry = 30 days
version = 2.1.0
archive_dir = /etc/letsencrypt/archive/nodered.example.com
cert = /etc/letsencrypt/live/nodered.example.com/cert.pem

# Options used in the renewal process
[renewalparams]
account = f5c24b929c19f81918933ffc8de8cb2d
key_type = ecdsa
elliptic_curve = secp256r1
renew_hook = {HOOK}
server = {SERVER}
authenticator = webroot
webroot_path = /var/lib/moat-nodered/acme,
[[webroot_map]]
nodered.example.com = /var/lib/moat-nodered/acme
server = https://inside.webroot-map.example/
"""

ECDSA_INFO = {
    "subject_alt_name": ["DNS:nodered.example.com"],
    "public_key_type": "ECC",
    "public_key_data": {"curve": "secp256r1", "size": 256},
}
RSA_INFO = {
    "subject_alt_name": ["DNS:nodered.example.com"],
    "public_key_type": "RSA",
    "public_key_data": {"size": 3072, "exponent": 65537},
}


def requested(**changes):
    base = {
        "domains": ["nodered.example.com"],
        "key_type": "ecdsa",
        "elliptic_curve": "secp256r1",
        "rsa_key_size": 3072,
        "renewal_params": {
            "server": SERVER,
            "authenticator": "webroot",
            "renew_hook": HOOK,
            "webroot_path": "/var/lib/moat-nodered/acme",
        },
    }
    base.update(changes)
    return base


def with_params(**params):
    return requested(renewal_params={**requested()["renewal_params"], **params})


@pytest.mark.parametrize(
    ("conf", "info", "requested_certificate", "expected"),
    [
        (RENEWAL, ECDSA_INFO, requested(), []),
        (None, ECDSA_INFO, requested(), ["no certificate has been issued yet"]),
        (RENEWAL, None, requested(), ["no certificate has been issued yet"]),
        (RENEWAL, {}, requested(), ["no certificate has been issued yet"]),
        (
            RENEWAL,
            ECDSA_INFO,
            requested(domains=["nodered.example.com", "www.example.com"]),
            ["domains added: www.example.com"],
        ),
        (
            RENEWAL,
            {**ECDSA_INFO, "subject_alt_name": ["DNS:nodered.example.com", "DNS:old.example.com", "IP:192.0.2.1"]},
            requested(),
            ["domains removed: old.example.com"],
        ),
        (RENEWAL, ECDSA_INFO, requested(domains=["NodeRed.Example.com"]), []),
        (
            RENEWAL,
            ECDSA_INFO,
            requested(domains=["www.example.com", "nodered.example.com"]),
            ["domains added: www.example.com"],
        ),
        (
            RENEWAL,
            ECDSA_INFO,
            requested(elliptic_curve="secp384r1"),
            ["key changes from ecdsa secp256r1 to ecdsa secp384r1"],
        ),
        (RENEWAL, ECDSA_INFO, requested(key_type="rsa"), ["key changes from ecdsa secp256r1 to rsa 3072"]),
        (RENEWAL, RSA_INFO, requested(key_type="rsa"), []),
        (RENEWAL, RSA_INFO, requested(key_type="rsa", rsa_key_size=4096), ["key changes from rsa 3072 to rsa 4096"]),
        (
            RENEWAL,
            ECDSA_INFO,
            with_params(server="https://acme-v02.api.letsencrypt.org/directory"),
            [f"server changes from {SERVER} to https://acme-v02.api.letsencrypt.org/directory"],
        ),
        (
            RENEWAL,
            ECDSA_INFO,
            with_params(dns_rfc2136_credentials="/etc/letsencrypt/dns.ini"),
            ["dns_rfc2136_credentials changes from (unset) to /etc/letsencrypt/dns.ini"],
        ),
        (
            RENEWAL.replace(f"renew_hook = {HOOK}\n", ""),
            ECDSA_INFO,
            requested(),
            [f"renew_hook changes from (unset) to {HOOK}"],
        ),
        (RENEWAL.replace("webroot_path = /var/lib/moat-nodered/acme,", 'webroot_path = "/var/lib/moat-nodered/acme,"'),
         ECDSA_INFO, requested(), []),
    ],
    ids=[
        "unchanged",
        "no renewal file",
        "no certificate",
        "empty certificate info",
        "domain added",
        "domain removed",
        "domain case ignored",
        "domain order ignored",
        "curve changed",
        "ecdsa to rsa",
        "rsa unchanged",
        "rsa size changed",
        "server changed",
        "dns credentials new",
        "hook missing",
        "quoted list value",
    ],
)
def test_lineage_changes(conf, info, requested_certificate, expected):
    assert certbot_lineage_changes(conf, certificate=info, requested=requested_certificate) == expected


def test_several_changes_are_all_listed():
    changes = certbot_lineage_changes(
        RENEWAL,
        certificate=ECDSA_INFO,
        requested={**with_params(authenticator="dns-rfc2136"), "domains": ["www.example.com"]},
    )
    assert changes == [
        "domains added: www.example.com",
        "domains removed: nodered.example.com",
        "authenticator changes from webroot to dns-rfc2136",
    ]


def test_webroot_map_not_renewal_params():
    params = renewal_params(RENEWAL)
    assert params["server"] == SERVER
    assert "nodered.example.com" not in params


def test_keys_outside_renewalparams_are_ignored():
    params = renewal_params(RENEWAL)
    assert "version" not in params
    assert "archive_dir" not in params


@pytest.mark.parametrize(
    ("value", "kwargs", "message"),
    [
        (
            RENEWAL,
            {"certificate": ECDSA_INFO, "requested": "nodered.example.com"},
            "moat.nodered.certbot_lineage_changes: requested must be a dict, got str",
        ),
        (
            RENEWAL,
            {"certificate": ECDSA_INFO, "requested": requested(domains=[])},
            "moat.nodered.certbot_lineage_changes: requested.domains must be a non-empty list of strings, got []",
        ),
        (
            RENEWAL,
            {"certificate": ECDSA_INFO, "requested": requested(domains=["a.example.com", 7])},
            "moat.nodered.certbot_lineage_changes: requested.domains must be a non-empty list of strings, "
            "got ['a.example.com', 7]",
        ),
        (
            RENEWAL,
            {"certificate": ECDSA_INFO, "requested": requested(key_type="ed25519")},
            "moat.nodered.certbot_lineage_changes: requested.key_type must be 'ecdsa' or 'rsa', got 'ed25519'",
        ),
        (
            RENEWAL,
            {"certificate": ECDSA_INFO, "requested": requested(renewal_params=["server"])},
            "moat.nodered.certbot_lineage_changes: requested.renewal_params must be a dict, got list",
        ),
        (
            b"[renewalparams]",
            {"certificate": ECDSA_INFO, "requested": requested()},
            "moat.nodered.certbot_lineage_changes: the input must be the renewal file's text or null, got bytes",
        ),
        (
            RENEWAL,
            {"certificate": "cert.pem", "requested": requested()},
            "moat.nodered.certbot_lineage_changes: certificate must be x509_certificate_info's result or null, got str",
        ),
    ],
    ids=["requested not a dict", "no domains", "domain not a string", "unknown key type",
         "params not a dict", "bytes input", "certificate not a dict"],
)
def test_invalid_arguments(value, kwargs, message):
    with pytest.raises(AnsibleFilterError) as error:
        certbot_lineage_changes(value, **kwargs)
    assert str(error.value) == message


@pytest.mark.parametrize(
    "hostile",
    ["nodered.example.com\n[renewalparams]", "a'b\"c`$(x)", "ü.example.com", "x" * 300],
    ids=["newline", "quotes and backticks", "non-ascii", "over-long"],
)
def test_hostile_domains_count_as_added(hostile):
    changes = certbot_lineage_changes(RENEWAL, certificate=ECDSA_INFO, requested=requested(
        domains=["nodered.example.com", hostile]))
    assert changes == [f"domains added: {hostile.lower()}"]


def test_filter_is_registered():
    assert FilterModule().filters()["certbot_lineage_changes"] is certbot_lineage_changes
