# Copyright (c) 2026, moat.nodered developers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Tests for moat-nodered-certificate: the certbot deploy hook and the served-certificate check."""

from __future__ import annotations

import datetime
import importlib.machinery
import importlib.util
import json
import ssl
import stat
import sys
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

SCRIPT = Path(__file__).resolve().parents[2] / "roles" / "certbot" / "files" / "moat-nodered-certificate"
NOW = datetime.datetime(2026, 6, 1, tzinfo=datetime.timezone.utc)


def load_helper():
    loader = importlib.machinery.SourceFileLoader("moat_nodered_certificate", str(SCRIPT))
    spec = importlib.util.spec_from_loader(loader.name, loader)
    module = importlib.util.module_from_spec(spec)
    sys.modules[loader.name] = module
    loader.exec_module(module)
    return module


helper = load_helper()


def make_certificate(serial: int, days_left: float) -> tuple[bytes, bytes]:
    """Return a self-signed certificate and its key in PEM, expiring days_left after NOW."""
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "nodered.example.com")])
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(serial)
        .not_valid_before(NOW - datetime.timedelta(days=30))
        .not_valid_after(NOW + datetime.timedelta(days=days_left))
        .sign(key, hashes.SHA256())
    )
    key_pem = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    return certificate.public_bytes(serialization.Encoding.PEM), key_pem


class FakeJournal:
    def __init__(self):
        self.infos: list[str] = []
        self.errors: list[str] = []

    def info(self, message):
        self.infos.append(message)

    def error(self, message):
        self.errors.append(message)


class Runner:
    """Records commands and returns the exit code set for each command name."""

    def __init__(self, codes=None):
        self.codes = codes or {}
        self.calls: list[list[str]] = []

    def __call__(self, argv):
        self.calls.append(argv)
        return self.codes.get(argv[0], 0), f"{argv[0]} output"


@pytest.fixture()
def lineage(tmp_path):
    directory = tmp_path / "live" / "nodered.example.com"
    directory.mkdir(parents=True)
    leaf, key = make_certificate(0x1234, 60)
    (directory / "cert.pem").write_bytes(leaf)
    (directory / "fullchain.pem").write_bytes(leaf + leaf)
    (directory / "privkey.pem").write_bytes(key)
    return directory


def settings_for(tmp_path, lineage, proxy="nginx", **overrides):
    tls = tmp_path / "tls" / "nodered.example.com"
    tls.mkdir(parents=True, exist_ok=True)
    haproxy = tmp_path / "haproxy"
    haproxy.mkdir(exist_ok=True)
    data = {
        "cert_name": "nodered.example.com",
        "domains": ["nodered.example.com", "www.example.com"],
        "lineage": str(lineage),
        "proxy": proxy,
        "certificate": str(tls / "fullchain.pem"),
        "private_key": str(tls / "privkey.pem"),
        "combined_pem": str(haproxy / "nodered.example.com.pem") if proxy == "haproxy" else None,
        "validate_command": ["validate", "--config"],
        "reload_command": ["systemctl", "reload", f"{proxy}.service"],
        "https_port": 443,
    }
    data.update(overrides)
    return helper.Settings.from_dict(data)


def write_placeholder(settings):
    settings.certificate.write_bytes(b"placeholder certificate\n")
    settings.private_key.write_bytes(b"placeholder key\n")
    if settings.combined_pem is not None:
        settings.combined_pem.write_bytes(b"placeholder combined\n")


def mode_of(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


# deploy


def test_deploy_nginx_validates_and_reloads(tmp_path, lineage):
    settings = settings_for(tmp_path, lineage)
    write_placeholder(settings)
    journal, runner = FakeJournal(), Runner()

    assert helper.deploy(settings, journal, runner=runner) == 0

    assert settings.certificate.read_bytes() == (lineage / "fullchain.pem").read_bytes()
    assert settings.private_key.read_bytes() == (lineage / "privkey.pem").read_bytes()
    assert mode_of(settings.certificate) == 0o644
    assert mode_of(settings.private_key) == 0o600
    assert runner.calls == [["validate", "--config"], ["systemctl", "reload", "nginx.service"]]
    assert journal.errors == []
    assert journal.infos == [
        f"deployed nodered.example.com (nodered.example.com, www.example.com) from {lineage}, serial 1234, "
        "and reloaded nginx"
    ]


def test_deploy_haproxy_builds_the_combined_file(tmp_path, lineage):
    settings = settings_for(tmp_path, lineage, proxy="haproxy")
    write_placeholder(settings)

    assert helper.deploy(settings, FakeJournal(), runner=Runner()) == 0

    expected = (lineage / "privkey.pem").read_bytes() + b"\n" + (lineage / "fullchain.pem").read_bytes()
    assert settings.combined_pem.read_bytes() == expected
    assert mode_of(settings.combined_pem) == 0o600


def test_combined_file_layout():
    # The reverse_proxy role joins the key and the chain with "\n".
    assert helper.combined_pem(fullchain=b"CHAIN\n", key=b"KEY\n") == "\n".join(["KEY\n", "CHAIN\n"]).encode()


def test_deploy_creates_missing_files(tmp_path, lineage):
    settings = settings_for(tmp_path, lineage)

    assert helper.deploy(settings, FakeJournal(), runner=Runner()) == 0
    assert settings.private_key.read_bytes() == (lineage / "privkey.pem").read_bytes()


def test_unwritable_directory_changes_nothing(tmp_path, lineage):
    # A missing directory fails like a read-only one: the file cannot be created.
    settings = settings_for(tmp_path, lineage, proxy="haproxy", combined_pem=str(tmp_path / "missing" / "x.pem"))
    settings.certificate.write_bytes(b"placeholder certificate\n")
    settings.private_key.write_bytes(b"placeholder key\n")
    journal, runner = FakeJournal(), Runner()

    assert helper.deploy(settings, journal, runner=runner) == 1

    assert settings.certificate.read_bytes() == b"placeholder certificate\n"
    assert settings.private_key.read_bytes() == b"placeholder key\n"
    assert runner.calls == []
    assert sorted(path.name for path in settings.certificate.parent.iterdir()) == ["fullchain.pem", "privkey.pem"]
    assert len(journal.errors) == 1
    assert journal.errors[0].startswith("deploy failed for nodered.example.com (nodered.example.com, www.example.com)")
    assert f"cannot write in {tmp_path / 'missing'}" in journal.errors[0]
    assert journal.errors[0].endswith("haproxy still serves the previous certificate.")


def test_rejected_config_restores_files(tmp_path, lineage):
    settings = settings_for(tmp_path, lineage, proxy="haproxy")
    write_placeholder(settings)
    journal, runner = FakeJournal(), Runner({"validate": 1})

    assert helper.deploy(settings, journal, runner=runner) == 1

    assert settings.certificate.read_bytes() == b"placeholder certificate\n"
    assert settings.private_key.read_bytes() == b"placeholder key\n"
    assert settings.combined_pem.read_bytes() == b"placeholder combined\n"
    assert runner.calls == [["validate", "--config"]]
    assert "validate --config rejected the configuration with the new certificate (exit 1): validate output" in (
        journal.errors[0]
    )


def test_failed_reload_restores_files(tmp_path, lineage):
    settings = settings_for(tmp_path, lineage)
    write_placeholder(settings)
    journal = FakeJournal()

    assert helper.deploy(settings, journal, runner=Runner({"systemctl": 1})) == 1

    assert settings.certificate.read_bytes() == b"placeholder certificate\n"
    assert "systemctl reload nginx.service failed (exit 1)" in journal.errors[0]


def test_rejected_config_removes_new_files(tmp_path, lineage):
    settings = settings_for(tmp_path, lineage)

    assert helper.deploy(settings, FakeJournal(), runner=Runner({"validate": 1})) == 1
    assert not settings.certificate.exists()
    assert not settings.private_key.exists()


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("privkey.pem", b"not a key\n", "privkey.pem holds no PEM private key"),
        ("cert.pem", b"", "cert.pem or fullchain.pem holds no PEM certificate"),
    ],
    ids=["bad key", "empty certificate"],
)
def test_invalid_lineage_is_not_installed(tmp_path, lineage, name, content, message):
    (lineage / name).write_bytes(content)
    settings = settings_for(tmp_path, lineage)
    write_placeholder(settings)
    journal = FakeJournal()

    assert helper.deploy(settings, journal, runner=Runner()) == 1
    assert message in journal.errors[0]
    assert settings.certificate.read_bytes() == b"placeholder certificate\n"


def test_missing_lineage_is_reported(tmp_path, lineage):
    settings = settings_for(tmp_path, tmp_path / "live" / "absent.example.com")
    journal = FakeJournal()

    assert helper.deploy(settings, journal, runner=Runner()) == 1
    assert f"cannot read {tmp_path / 'live' / 'absent.example.com' / 'cert.pem'}: No such file or directory" in (
        journal.errors[0]
    )


# status


def test_status_lists_files_that_differ(tmp_path, lineage):
    settings = settings_for(tmp_path, lineage, proxy="haproxy")
    write_placeholder(settings)
    assert helper.installed_differences(settings) == [
        str(settings.certificate), str(settings.private_key), str(settings.combined_pem)
    ]

    helper.deploy(settings, FakeJournal(), runner=Runner())
    assert helper.installed_differences(settings) == []


# check


def settings_with_lineage(tmp_path, days_left, serial=0x1234):
    directory = tmp_path / "live" / "nodered.example.com"
    directory.mkdir(parents=True, exist_ok=True)
    leaf, key = make_certificate(serial, days_left)
    (directory / "cert.pem").write_bytes(leaf)
    (directory / "fullchain.pem").write_bytes(leaf)
    (directory / "privkey.pem").write_bytes(key)
    return settings_for(tmp_path, directory), ssl.PEM_cert_to_DER_cert(leaf.decode())


def serving(der):
    return lambda host, port, server_name, timeout: der


@pytest.mark.parametrize(
    ("days_left", "code", "ending"),
    [
        (90, helper.OK, "serial 1234, expiring 2026-08-30, 90 days left | days_left=90"),
        (20, helper.WARNING, ": 20 days left, fewer than 21 | days_left=20"),
        (6.5, helper.CRITICAL, ": 6 days left, fewer than 7 | days_left=6"),
        (-1, helper.CRITICAL, ": expired | days_left=-1"),
    ],
    ids=["ok", "warning", "critical", "expired"],
)
def test_check_reports_days_to_expiry(tmp_path, days_left, code, ending):
    settings, der = settings_with_lineage(tmp_path, days_left)
    result, message = helper.check(settings, now=NOW, fetch=serving(der))
    assert result == code
    assert message.startswith("127.0.0.1:443 (SNI nodered.example.com) serves the lineage certificate")
    assert message.endswith(ending)


def test_check_served_certificate_mismatch(tmp_path):
    settings, _der = settings_with_lineage(tmp_path, 90)
    other, _key = make_certificate(0xBEEF, 90)
    result, message = helper.check(settings, now=NOW, fetch=serving(ssl.PEM_cert_to_DER_cert(other.decode())))
    assert result == helper.CRITICAL
    assert message.startswith("127.0.0.1:443 (SNI nodered.example.com) serves serial beef, but the lineage")
    assert "holds serial 1234" in message


def test_check_reports_an_unreachable_proxy(tmp_path):
    settings, _der = settings_with_lineage(tmp_path, 90)

    def refuse(host, port, server_name, timeout):
        raise ConnectionRefusedError(111, "Connection refused")

    result, message = helper.check(settings, now=NOW, fetch=refuse)
    assert result == helper.CRITICAL
    assert message == (
        "cannot fetch the certificate served on 127.0.0.1:443 (SNI nodered.example.com): "
        "[Errno 111] Connection refused"
    )


def test_check_without_lineage_is_unknown(tmp_path):
    settings = settings_for(tmp_path, tmp_path / "live" / "absent.example.com")
    result, message = helper.check(settings, now=NOW, fetch=serving(b""))
    assert result == helper.UNKNOWN
    assert message.startswith("cannot read the lineage certificate")


# command line


def test_main_without_settings_file(tmp_path, capsys):
    missing = str(tmp_path / "absent.json")
    assert helper.main(["--config", missing, "check"]) == helper.UNKNOWN
    assert capsys.readouterr().out == (
        f"UNKNOWN: cannot read the settings file {missing}: No such file or directory\n"
    )


def test_main_skips_another_lineage(tmp_path, lineage, monkeypatch, capsys):
    settings = settings_for(tmp_path, lineage)
    config = tmp_path / "certbot.json"
    config.write_text(json.dumps({**{k: str(v) for k, v in settings.__dict__.items()},
                                  "domains": settings.domains, "validate_command": ["false"],
                                  "reload_command": ["false"], "combined_pem": None}))
    monkeypatch.setenv("RENEWED_LINEAGE", str(tmp_path / "live" / "other.example.com"))
    monkeypatch.setattr(helper.syslog, "syslog", lambda *args: None)

    assert helper.main(["--config", str(config), "deploy"]) == 0
    assert capsys.readouterr().out == f"skipped {tmp_path / 'live' / 'other.example.com'}: this host's proxy serves {lineage}\n"


def test_invalid_settings_file(tmp_path):
    config = tmp_path / "certbot.json"
    config.write_text('{"cert_name": "x"}')
    with pytest.raises(ValueError) as error:
        helper.load_settings(str(config))
    assert str(error.value) == f"the settings file {config} is invalid: KeyError('domains')"
