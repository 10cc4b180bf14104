"""devtools.keys and `ddas keys dev`: files, modes, chain, idempotency, and a real TLS server using them."""

from __future__ import annotations

import ipaddress
import stat
from datetime import timedelta
from pathlib import Path

import click
import httpx
import pytest
from click.testing import CliRunner
from cryptography import x509
from fastapi import FastAPI

from client.commands import keys as keys_command
from client.devtools.keys import DEV_FILES, DevKeys, DevKeysError, write_dev_keys
from client.wire.serving import serve_in_thread
from client.wire.signing import SigningProfile
from client.wire.transport import make_client

KEY_FILES = ("ca-key.pem", "signing-key.pem", "tls-key.pem")


@pytest.fixture(scope="module")
def dev_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    directory = tmp_path_factory.mktemp("dev-keys")
    write_dev_keys(directory)
    return directory


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_files_and_modes(dev_dir: Path) -> None:
    for name in DEV_FILES:
        assert (dev_dir / name).is_file(), name
    for name in KEY_FILES:
        assert _mode(dev_dir / name) == 0o600, name
    assert _mode(dev_dir / "ca.pem") & 0o077 == 0o044


def test_chain_signer_first_then_ca(dev_dir: Path) -> None:
    keys = DevKeys.load(dev_dir)
    chain = keys.chain()
    ca = keys.ca_certificate()
    assert len(chain) == 2 and chain[1] == ca
    assert chain[0].subject.get_attributes_for_oid(x509.NameOID.COMMON_NAME)[0].value == "ddas-dev-signer"
    chain[0].verify_directly_issued_by(ca)
    assert ca.extensions.get_extension_for_class(x509.BasicConstraints).value.ca
    assert ca.not_valid_after_utc - ca.not_valid_before_utc >= timedelta(days=3650)


def test_tls_certificate_names_loopback(dev_dir: Path) -> None:
    cert = x509.load_pem_x509_certificates((dev_dir / "tls-cert.pem").read_bytes())[0]
    san = cert.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    assert "localhost" in san.get_values_for_type(x509.DNSName)
    assert ipaddress.ip_address("127.0.0.1") in san.get_values_for_type(x509.IPAddress)


def test_dev_signer_and_verifier_agree(dev_dir: Path) -> None:
    keys = DevKeys.load(dev_dir)
    body = b'{"x": 1}'
    for profile in (SigningProfile.ADR, SigningProfile.BODY):
        result = keys.verifier().verify(body, keys.signer(profile=profile).sign(body))
        assert result.profile is profile and result.kid == "ddas-dev-signer"


def test_idempotent_unless_forced(tmp_path: Path) -> None:
    first = write_dev_keys(tmp_path)
    assert first.created
    before = {name: (tmp_path / name).read_bytes() for name in DEV_FILES}
    again = write_dev_keys(tmp_path)
    assert not again.created
    assert before == {name: (tmp_path / name).read_bytes() for name in DEV_FILES}
    forced = write_dev_keys(tmp_path, force=True)
    assert forced.created
    assert (tmp_path / "ca.pem").read_bytes() != before["ca.pem"]
    assert _mode(tmp_path / "signing-key.pem") == 0o600


def test_missing_leaf_files_are_reissued_from_the_existing_ca(tmp_path: Path) -> None:
    write_dev_keys(tmp_path)
    ca = (tmp_path / "ca.pem").read_bytes()
    signing = (tmp_path / "signing-key.pem").read_bytes()
    (tmp_path / "tls-cert.pem").unlink()
    write_dev_keys(tmp_path)
    assert (tmp_path / "ca.pem").read_bytes() == ca
    assert (tmp_path / "signing-key.pem").read_bytes() == signing
    assert (tmp_path / "tls-cert.pem").is_file()


def test_incomplete_without_ca_key_needs_force(tmp_path: Path) -> None:
    write_dev_keys(tmp_path)
    (tmp_path / "ca-key.pem").unlink()
    (tmp_path / "tls-key.pem").unlink()
    with pytest.raises(DevKeysError, match="--force"):
        write_dev_keys(tmp_path)
    assert write_dev_keys(tmp_path, force=True).created


def test_load_names_what_is_missing(tmp_path: Path) -> None:
    with pytest.raises(DevKeysError, match=r"ca\.pem.*ddas keys dev"):
        DevKeys.load(tmp_path)
    write_dev_keys(tmp_path)
    (tmp_path / "signing-chain.pem").write_text("garbage")
    with pytest.raises(DevKeysError, match="unreadable"):
        DevKeys.load(tmp_path)


def _cli() -> click.Group:
    @click.group()
    def app() -> None:
        """test root"""

    keys_command.register(app)
    return app


def test_cli_writes_then_keeps(tmp_path: Path) -> None:
    runner = CliRunner()
    target = tmp_path / "dev"
    result = runner.invoke(_cli(), ["keys", "dev", "--dir", str(target)])
    assert result.exit_code == 0, result.output
    assert "written" in result.output and "signing-chain.pem" in result.output
    result = runner.invoke(_cli(), ["keys", "dev", "--dir", str(target)])
    assert result.exit_code == 0 and "kept" in result.output
    result = runner.invoke(_cli(), ["keys", "dev", "--dir", str(target), "--force"])
    assert result.exit_code == 0 and "written" in result.output


def test_cli_bad_directory_exits_2(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("x")
    result = CliRunner().invoke(_cli(), ["keys", "dev", "--dir", str(blocker / "sub")])
    assert result.exit_code == 2
    assert "Traceback" not in result.output


@pytest.mark.timeout(30)
def test_tls_files_serve_https_on_loopback(dev_dir: Path) -> None:
    app = FastAPI()

    @app.get("/ping")
    def ping() -> dict[str, bool]:
        return {"ok": True}

    keys = DevKeys.load(dev_dir)
    with serve_in_thread(
        app, ssl_certfile=str(keys.tls_cert_path), ssl_keyfile=str(keys.tls_key_path)
    ) as base_url:
        https = base_url.replace("http://", "https://")
        with make_client(https, ca_bundle=keys.ca_path) as client:
            assert client.get("/ping").json() == {"ok": True}
        with httpx.Client(base_url=https) as untrusting, pytest.raises(httpx.ConnectError):
            untrusting.get("/ping")
