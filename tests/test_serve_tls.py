"""TLS and mutual TLS (Digikoppeling/FSC) for `ddas serve` and `ddas-mock serve`, over real HTTPS on
127.0.0.1 with the development CA: no client certificate (or one from another CA) means no handshake."""

from __future__ import annotations

import ssl
import stat
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import httpx
import pytest
from click.testing import CliRunner
from cryptography import x509
from cryptography.x509.oid import ExtendedKeyUsageOID

from client.cli import app as ddas_cli
from client.devtools.generate import write_export
from client.devtools.keys import DevKeys, cert_pem, issue_certificate, key_pem, make_ca, write_dev_keys
from client.planning import Period
from client.provider.app import create_provider_app
from client.provider.settings import load_provider_settings
from client.provider.testing import ProviderClient, dev_provider_settings, process_output, serve_process
from client.wire.serving import serve_in_thread
from client.wire.tls import server_tls, ssl_context
from mock_server.cli import app as mock_cli
from mock_server.puller import Puller, PullError, PullOptions
from tests.test_push_support import client_settings, mock_settings

pytestmark = pytest.mark.timeout(90)
H1 = Period.parse("2026H1")


@pytest.fixture(scope="module")
def export(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("data") / "export.json"
    write_export(path, trajecten=12, date_from=date(2026, 1, 1), date_to=date(2026, 6, 30), seed=4)
    return path


@pytest.fixture(scope="module")
def stranger(tmp_path_factory: pytest.TempPathFactory) -> tuple[str, str]:
    """A client certificate from another CA (right shape, wrong issuer)."""
    ca_key, ca_cert = make_ca(cn="somebody else's CA")
    key, cert = issue_certificate(ca_key, ca_cert, "intruder", client=True)
    where = tmp_path_factory.mktemp("stranger")
    (where / "cert.pem").write_bytes(cert_pem(cert, ca_cert))
    (where / "key.pem").write_bytes(key_pem(key))
    return str(where / "cert.pem"), str(where / "key.pem")


@pytest.fixture(scope="module")
def https_provider(export: Path, keys: DevKeys) -> Iterator[str]:
    """A provider over mutual TLS: its base URL (https://127.0.0.1:PORT/v1)."""
    settings = dev_provider_settings([export], keys.dir, today=date(2026, 11, 28))
    tls = server_tls(keys.tls_cert_path, keys.tls_key_path, keys.ca_path)
    assert tls is not None
    app = create_provider_app(settings)
    try:
        with serve_in_thread(app, **tls.uvicorn_options()) as url:
            yield url + settings.base
    finally:
        app.state.provider.cache.close()


def _client_cert(keys: DevKeys) -> tuple[str, str]:
    return str(keys.client_cert_path), str(keys.client_key_path)


def _mtls(keys: DevKeys, cert: tuple[str, str] | None = None) -> ssl.SSLContext:
    """A client's context: trusts the dev CA, presents `cert` (default: the dev client certificate)."""
    return ssl_context(keys.ca_path, *(cert or _client_cert(keys)))


def test_keys_dev_writes_a_tls_client_certificate(tmp_path: Path) -> None:
    result = CliRunner().invoke(ddas_cli, ["keys", "dev", "--dir", str(tmp_path)])
    assert result.exit_code == 0, result.output
    assert "client-cert.pem" in result.output and "client-key.pem" in result.output
    keys = DevKeys(tmp_path)
    assert stat.S_IMODE(keys.client_key_path.stat().st_mode) == 0o600
    cert = x509.load_pem_x509_certificates(keys.client_cert_path.read_bytes())[0]
    usages = cert.extensions.get_extension_for_class(x509.ExtendedKeyUsage).value
    assert list(usages) == [ExtendedKeyUsageOID.CLIENT_AUTH]
    assert cert.issuer == keys.ca_certificate().subject


def test_a_key_set_from_before_gets_its_client_certificate(tmp_path: Path) -> None:
    keys = write_dev_keys(tmp_path)
    ca = keys.ca_path.read_bytes()
    keys.client_cert_path.unlink()
    keys.client_key_path.unlink()
    again = write_dev_keys(tmp_path)
    assert again.client_cert_path.is_file() and again.ca_path.read_bytes() == ca  # same CA, completed


def test_mutual_tls_admits_the_dev_client_certificate(https_provider: str, keys: DevKeys) -> None:
    with ProviderClient(https_provider, keys) as client:
        client.http.close()
        client.http = httpx.Client(verify=_mtls(keys), timeout=30)
        response = client.post({"page": 1})
    assert response.status_code == 200, response.text
    assert response.json()["gegevens"]["leveringen"]
    origin = https_provider.rsplit("/", 1)[0]
    with httpx.Client(verify=_mtls(keys)) as http:
        assert http.get(f"{origin}/health").status_code == 200


def test_mutual_tls_refuses_the_handshake_without_a_client_certificate(
    https_provider: str, keys: DevKeys, stranger: tuple[str, str]
) -> None:
    origin = https_provider.rsplit("/", 1)[0]
    with httpx.Client(verify=ssl_context(keys.ca_path)) as http, pytest.raises(httpx.TransportError):
        http.get(f"{origin}/health")  # TLS, but no client certificate
    with httpx.Client(verify=_mtls(keys, stranger)) as http, pytest.raises(httpx.TransportError):
        http.get(f"{origin}/health")  # a client certificate of another CA
    with httpx.Client(verify=_mtls(keys)) as http:
        assert http.get(f"{origin}/health").status_code == 200  # the same server admits the dev one


def test_pull_over_mutual_tls_with_dev(https_provider: str, keys: DevKeys, tmp_path: Path) -> None:
    result = CliRunner().invoke(
        mock_cli,
        [
            "pull",
            https_provider,
            "--period",
            "2026H1",
            "--dev",
            str(keys.dir),
            "--db",
            str(tmp_path / "m.db"),
        ],
    )
    assert result.exit_code == 0, result.output
    assert "12 trajecten" in result.output


def test_pull_with_explicit_client_certificate(
    https_provider: str, keys: DevKeys, stranger: tuple[str, str]
) -> None:
    cert, key = _client_cert(keys)
    options = PullOptions(
        url=https_provider,
        period=H1,
        dev_dir=keys.dir,
        client_cert=Path(cert),
        client_key=Path(key),
        ca_bundle=keys.ca_path,
    )
    puller = Puller(options)
    try:
        assert puller.pull(None).trajecten == 12
    finally:
        puller.close()
    wrong = PullOptions(
        url=https_provider,
        period=H1,
        dev_dir=keys.dir,
        client_cert=Path(stranger[0]),
        client_key=Path(stranger[1]),
        max_attempts=1,
    )
    puller = Puller(wrong)
    try:
        with pytest.raises(PullError) as raised:
            puller.pull(None)
    finally:
        puller.close()
    assert raised.value.kind == "unreachable"


def test_pull_client_certificate_needs_its_key(keys: DevKeys) -> None:
    result = CliRunner().invoke(
        mock_cli,
        [
            "pull",
            "https://127.0.0.1:9/v1",
            "--dev",
            str(keys.dir),
            "--client-cert",
            str(keys.client_cert_path),
            "--no-store",
        ],
    )
    assert result.exit_code == 2
    assert "--client-cert and --client-key go together" in result.output


def test_push_presents_its_client_certificate_to_a_mutual_tls_mock(keys: DevKeys, tmp_path: Path) -> None:
    from client.delivery.push import NotDelivered, Receiver
    from mock_server.app import create_app

    settings = mock_settings(tmp_path / "mock.sqlite", keys.dir)
    tls = server_tls(keys.tls_cert_path, keys.tls_key_path, keys.ca_path)
    assert tls is not None
    app = create_app(settings)
    with serve_in_thread(app, **tls.uvicorn_options()) as url:
        pushing = client_settings(keys.dir, url + "/v1", tmp_path / "journal.sqlite")
        assert pushing.tls_client_cert == keys.client_cert_path  # --dev presents the dev client certificate
        with Receiver(pushing) as receiver:
            assert receiver.periods()
        without = pushing.model_copy(
            update={"tls_client_cert": None, "tls_client_key": None, "max_attempts": 1}
        )
        with Receiver(without) as receiver, pytest.raises(NotDelivered):
            receiver.periods()  # no client certificate: no handshake, nothing answered
    app.state.mock.store.close()


def test_old_setting_names_still_name_the_client_certificate(keys: DevKeys, tmp_path: Path) -> None:
    config = tmp_path / "ddas.toml"
    config.write_text(
        f'tls_cert = "{keys.client_cert_path}"\ntls_key = "{keys.client_key_path}"\n', encoding="utf-8"
    )
    from client.delivery.config import load_settings

    settings = load_settings(config)
    assert settings.tls_client_cert == keys.client_cert_path
    assert settings.tls_client_key == keys.client_key_path


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--tls-cert", "{dir}/tls-cert.pem"], "--tls-cert and --tls-key go together"),
        (["--client-ca", "{dir}/ca.pem"], "--client-ca needs --tls-cert and --tls-key"),
        (["--tls-cert", "{dir}/tls-cert.pem", "--tls-key", "{dir}/signing-key.pem"], "matching private key"),
        (["--tls-cert", "{dir}/nope.pem", "--tls-key", "{dir}/tls-key.pem"], "nope.pem: no such file"),
        (
            [
                "--tls-cert",
                "{dir}/tls-cert.pem",
                "--tls-key",
                "{dir}/tls-key.pem",
                "--client-ca",
                "{dir}/ca-key.pem",
            ],
            "not a PEM CA certificate",
        ),
    ],
)
def test_bad_tls_options_exit_2_with_the_file_named(
    args: list[str], message: str, keys: DevKeys, export: Path
) -> None:
    filled = [a.format(dir=keys.dir) for a in args]
    for cli, command in (
        (ddas_cli, ["serve", "--data", str(export), "--dev", str(keys.dir)]),
        (mock_cli, ["serve"]),
    ):
        result = CliRunner().invoke(cli, [*command, "--port", "0", *filled])
        assert result.exit_code == 2, result.output
        assert message in result.output and "Traceback" not in result.output


def test_tls_in_the_provider_config_file(keys: DevKeys, tmp_path: Path) -> None:
    config = tmp_path / "provider.toml"
    config.write_text(
        "[provider]\n"
        f'tls_cert = "{keys.tls_cert_path}"\ntls_key = "{keys.tls_key_path}"\nclient_ca = "{keys.ca_path}"\n'
        'log_format = "json"\n',
        encoding="utf-8",
    )
    settings = load_provider_settings(config)
    tls = server_tls(settings.tls_cert, settings.tls_key, settings.client_ca)
    assert tls is not None and tls.uvicorn_options()["ssl_cert_reqs"] == ssl.CERT_REQUIRED
    assert settings.log_format == "json"


def test_ddas_serve_process_with_mutual_tls(export: Path, keys: DevKeys, tmp_path: Path) -> None:
    args = [
        "--data",
        str(export),
        "--dev",
        str(keys.dir),
        "--tls-cert",
        str(keys.tls_cert_path),
        "--tls-key",
        str(keys.tls_key_path),
        "--client-ca",
        str(keys.ca_path),
    ]
    with serve_process(args, cwd=tmp_path, verify=_mtls(keys)) as (_process, origin):
        assert origin.startswith("https://")
        with ProviderClient(f"{origin}/v1", keys) as client:
            client.http.close()
            client.http = httpx.Client(verify=_mtls(keys), timeout=30)
            assert client.post({"page": 1}).status_code == 200
        with httpx.Client(verify=ssl_context(keys.ca_path)) as http, pytest.raises(httpx.TransportError):
            http.get(f"{origin}/health")
        banner = process_output(tmp_path, origin, "out")
    assert f"{origin}/v1/gegevens" in banner and "mutual" in banner


def test_unknown_log_format_exits_2(export: Path, keys: DevKeys) -> None:
    for cli, command in (
        (ddas_cli, ["serve", "--data", str(export), "--dev", str(keys.dir)]),
        (mock_cli, ["serve"]),
    ):
        result = CliRunner().invoke(cli, [*command, "--port", "0", "--log-format", "xml"])
        assert result.exit_code == 2, result.output
        assert "log_format" in result.output and "Traceback" not in result.output


@pytest.fixture(scope="module")
def public_ca(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path, Path]:
    """A CA that stands in for the system's (SSL_CERT_FILE points at it) and a 127.0.0.1 server
    certificate it issued: (ca.pem, cert.pem, key.pem)."""
    ca_key, ca_cert = make_ca(cn="a public CA of the system store")
    key, cert = issue_certificate(ca_key, ca_cert, "localhost", server=True, ip_addresses=("127.0.0.1",))
    where = tmp_path_factory.mktemp("public-ca")
    (where / "ca.pem").write_bytes(cert_pem(ca_cert))
    (where / "cert.pem").write_bytes(cert_pem(cert, ca_cert))
    (where / "key.pem").write_bytes(key_pem(key))
    return where / "ca.pem", where / "cert.pem", where / "key.pem"


def test_with_dev_pull_and_conform_trust_the_development_ca_alone(
    export: Path, keys: DevKeys, public_ca: tuple[Path, Path, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    """One TLS setup (the puller's) for `ddas-mock pull` and `ddas-mock conform`: with --dev only the
    development CA is trusted, so a server whose certificate a system CA issued is refused by both;
    without --dev the system CAs are trusted (docs/decisions.md)."""
    from mock_server.conform import ConformError, ConformOptions
    from mock_server.conform.session import Session

    ca, cert, key = public_ca
    monkeypatch.setenv("SSL_CERT_FILE", str(ca))  # the "system" CAs of this test
    settings = dev_provider_settings([export], keys.dir, today=date(2026, 11, 28))
    tls = server_tls(cert, key, None)
    assert tls is not None
    app = create_provider_app(settings)
    try:
        with serve_in_thread(app, **tls.uvicorn_options()) as origin:
            url = origin.replace("http://", "https://") + settings.base
            with httpx.Client(verify=ssl.create_default_context()) as http:  # a system CA vouches for it
                assert http.get(f"{url.rsplit('/', 1)[0]}/health").status_code == 200
            puller = Puller(PullOptions(url=url, period=H1, dev_dir=keys.dir, max_attempts=1))
            try:
                with pytest.raises(PullError) as pulled:
                    puller.pull(None)
            finally:
                puller.close()
            dev = Session(ConformOptions(url=url, dev_dir=keys.dir, period=H1))
            try:
                with pytest.raises(ConformError) as conformed:
                    dev.post("page 1", dev.request(page=1))
            finally:
                dev.close()
            plain = Session(
                ConformOptions(
                    url=url,
                    token="dev",
                    trust_anchors=[keys.ca_path],
                    signing_key=keys.signing_key_path,
                    signing_chain=keys.signing_chain_path,
                    period=H1,
                )
            )
            try:
                answered = plain.post("page 1", plain.request(page=1))
            finally:
                plain.close()
    finally:
        app.state.provider.cache.close()
    assert pulled.value.kind == "unreachable" and "CERTIFICATE_VERIFY_FAILED" in pulled.value.message
    assert conformed.value.kind == "unreachable" and "CERTIFICATE_VERIFY_FAILED" in conformed.value.message
    assert answered.status == 200 and answered.signature_error is None


def test_the_puller_writes_its_development_keys_once(keys: DevKeys, monkeypatch: pytest.MonkeyPatch) -> None:
    """Keys, trust and the client certificate all come from the one DevKeys the puller wrote."""
    import mock_server.puller

    calls: list[Path] = []

    def counting(directory: Path) -> DevKeys:
        calls.append(directory)
        return write_dev_keys(directory)

    monkeypatch.setattr(mock_server.puller, "write_dev_keys", counting)
    puller = Puller(PullOptions(url="https://127.0.0.1:9/v1", period=H1, dev_dir=keys.dir))
    try:
        assert calls == [keys.dir] and puller.dev is not None and puller.dev.dir == keys.dir
    finally:
        puller.close()
