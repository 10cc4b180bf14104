"""`ddas push` against the real mock receiver over loopback: the main job end to end, the commands
around it, and the failures a vendor meets first (wrong secret, expired certificate, wrong key,
unreachable receiver), each with its documented exit code and no retry storm."""

from __future__ import annotations

import json
import socket
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result

from client.cli import app
from client.commands.exitcodes import of_push
from client.delivery.config import load_settings
from client.delivery.journal import Journal
from client.delivery.push import NotDelivered, Refused
from client.delivery.run import push
from tests.test_push_support import client_settings, held, running_mock, write_export

pytestmark = pytest.mark.timeout(120)


@pytest.fixture(scope="module")
def keys_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from client.devtools.keys import write_dev_keys

    return write_dev_keys(tmp_path_factory.mktemp("push-keys")).dir


@pytest.fixture(scope="module")
def export(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Two organisations, trajecten over 2025-2026: several deliveries per period."""
    return write_export(
        tmp_path_factory.mktemp("push-data") / "export.json",
        240,
        start=date(2025, 7, 1),
        end=date(2026, 6, 30),
        organisaties=2,
        seed=5,
    )


@pytest.fixture
def mock(tmp_path: Path, keys_dir: Path) -> Any:
    db = tmp_path / "mock.sqlite"
    with running_mock(db, keys_dir) as url:
        yield url, db


def _cli(*args: str) -> Any:
    return CliRunner().invoke(app, list(args))


def test_push_delivers_every_period_once_then_nothing(
    mock: Any, keys_dir: Path, export: Path, tmp_path: Path
) -> None:
    url, db = mock
    settings = client_settings(keys_dir, url, tmp_path / "journal.sqlite", page_size=40)
    result = push([export], settings, periods=["2025H2", "2026H1"])
    assert of_push(result) == 0, result.to_dict()
    assert {d.state for d in result.deliveries} == {"accepted"}
    assert all(d.receiver_state == "technisch_goedgekeurd" and d.report for d in result.deliveries)
    pages = sum(d.pages for d in result.deliveries)
    assert pages > len(result.deliveries)  # pages really used
    held(db).assert_exactly_once(len(result.deliveries), pages)
    # a second run sends nothing: unchanged content is not delivered again
    again = push([export], settings, periods=["2025H2", "2026H1"])
    assert {d.state for d in again.deliveries} == {"unchanged"} and of_push(again) == 0
    assert again.requests == 0
    held(db).assert_exactly_once(len(result.deliveries), pages)


def test_due_sends_only_changes_and_a_change_is_a_correction(
    mock: Any, keys_dir: Path, export: Path, tmp_path: Path
) -> None:
    url, db = mock
    settings = client_settings(keys_dir, url, tmp_path / "journal.sqlite")
    first = push([export], settings, due=True)  # --due: the receiver's open periods
    assert of_push(first) == 0 and "2026H1" in first.periods
    planned = {(d.period, d.organisatie) for d in first.deliveries}
    # the export changes for one organisation: only what changed is sent, as a correction
    data = json.loads(export.read_text(encoding="utf-8"))
    data["leveringen"][0]["schuldhulptrajecten"].pop()
    changed = tmp_path / "changed.json"
    changed.write_text(json.dumps(data), encoding="utf-8")
    second = push([changed], settings, due=True)
    states = {(d.period, d.organisatie): d.state for d in second.deliveries}
    assert set(states) == planned
    sent = [d for d in second.deliveries if d.state == "accepted"]
    assert sent and all(d.correction for d in sent)
    assert any(s == "unchanged" for s in states.values())
    # the receiver replaced the old deliveries by the corrections
    scopes = held(db).by_scope()
    for rows in scopes.values():
        assert [r["status"] for r in rows].count("technisch_goedgekeurd") == 1


def test_cli_push_status_report_withdraw(mock: Any, keys_dir: Path, export: Path, tmp_path: Path) -> None:
    url, _db = mock
    journal = tmp_path / "j.sqlite"
    common = ["--dev", str(keys_dir), "--base-url", url]
    result = _cli(
        "push", str(export), "--period", "2026H1", "--journal", str(journal), "--format", "json", *common
    )
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["exit_code"] == 0 and data["deliveries"][0]["state"] == "accepted"
    delivery_id = data["deliveries"][0]["receiver_id"]
    assert data["deliveries"][0]["report_summary"]["trajecten"] > 0

    text = _cli("push", str(export), "--period", "2026H1", "--journal", str(journal), *common)
    assert text.exit_code == 0 and "unchanged" in text.stdout
    quiet = _cli("push", str(export), "--period", "2026H1", "--journal", str(journal), "--quiet", *common)
    assert quiet.exit_code == 0 and quiet.stdout == ""  # --quiet: only problems, and there are none

    offline = _cli("status", "--journal", str(journal), "--offline", "--format", "json", *common)
    assert offline.exit_code == 0 and all(
        "receiver_now" not in r for r in json.loads(offline.stdout)["deliveries"]
    )

    status = _cli("status", "--journal", str(journal), "--format", "json", *common)
    assert status.exit_code == 0, status.output
    rows = json.loads(status.stdout)["deliveries"]
    assert {r["receiver_now"] for r in rows} == {"technisch_goedgekeurd"}

    html = tmp_path / "report.html"
    report = _cli("report", delivery_id, "--html", str(html), *common)
    assert report.exit_code == 0, report.output
    assert "Quality report" in report.stdout and html.read_text(encoding="utf-8").startswith("<!")

    org = rows[0]["organisatie"]
    withdrawn = _cli(
        "withdraw",
        "--period",
        "2026H1",
        "--organisation",
        org,
        "--journal",
        str(journal),
        "--format",
        "json",
        *common,
    )
    assert withdrawn.exit_code == 0, withdrawn.output
    assert json.loads(withdrawn.stdout)["withdrawn"][0]["state"] == "ingetrokken"
    with Journal(journal) as jr:
        assert {r.state for r in jr.deliveries(organisatie=org, period="2026H1")} == {"withdrawn"}
    usage = _cli("withdraw", "--period", "2026H1", *common)
    assert usage.exit_code == 2


def test_dry_run_sends_nothing_and_invalid_content_stops_its_delivery(
    mock: Any, keys_dir: Path, export: Path, tmp_path: Path
) -> None:
    url, db = mock
    settings = client_settings(keys_dir, url, tmp_path / "journal.sqlite")
    dry = push([export], settings, periods=["2026H1"], dry_run=True)
    assert {d.state for d in dry.deliveries} == {"dry_run"} and of_push(dry) == 0
    assert held(db).deliveries == []
    data = json.loads(export.read_text(encoding="utf-8"))
    data["leveringen"][0]["schuldhulptrajecten"][0]["client"][0]["Geboortedatum"] = 12  # a schema error
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps(data), encoding="utf-8")
    result = push([bad], settings, periods=["2026H1"])
    states = {d.organisatie: d.state for d in result.deliveries}
    assert "invalid" in states.values() and of_push(result) == 1
    invalid = next(d for d in result.deliveries if d.state == "invalid")
    error = next(f for f in invalid.findings if f["severity"] == "error")
    assert error["file"].startswith("SHV_") and error["path"].startswith("/gegevens/leveringen/")
    assert len(held(db).by_scope()) == sum(1 for s in states.values() if s == "accepted")


def test_second_run_exits_4_while_the_lock_is_held(keys_dir: Path, export: Path, tmp_path: Path) -> None:
    journal = tmp_path / "journal.sqlite"
    holder = Journal(journal)
    holder.acquire()
    try:
        result = _cli(
            "push",
            str(export),
            "--period",
            "2026H1",
            "--dev",
            str(keys_dir),
            "--base-url",
            "http://127.0.0.1:9/v1",
            "--journal",
            str(journal),
        )
        assert result.exit_code == 4
        assert "lock" in result.output and "Traceback" not in result.output
    finally:
        holder.close()


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def test_unreachable_receiver_exits_3_without_a_retry_storm(
    keys_dir: Path, export: Path, tmp_path: Path
) -> None:
    url = f"http://127.0.0.1:{_closed_port()}/v1"
    settings = client_settings(keys_dir, url, tmp_path / "journal.sqlite", max_attempts=4, retry_budget=6)
    result = push([export], settings, periods=["2025H2", "2026H1"])
    assert of_push(result) == 3
    assert "cannot be reached" in (result.problem or "")
    assert result.requests == 4  # one request's attempts; the run stops instead of trying every page
    assert {d.state for d in result.deliveries} == {"not_delivered"}
    cli = CliRunner().invoke(
        app,
        [
            "push",
            str(export),
            "--due",
            "--dev",
            str(keys_dir),
            "--base-url",
            url,
            "--journal",
            str(tmp_path / "j2"),
        ],
        env={"DDAS_BACKOFF_MAX": "0.05"},
    )
    assert cli.exit_code == 3 and "Traceback" not in cli.output


def test_wrong_secret_exits_2_after_one_token_request(
    mock: Any, keys_dir: Path, export: Path, tmp_path: Path
) -> None:
    url, db = mock
    settings = client_settings(keys_dir, url, tmp_path / "journal.sqlite", client_secret="wrong")
    with pytest.raises(Refused, match="client credentials") as info:
        push([export], settings, periods=["2026H1"])
    assert info.value.requests == 1
    assert held(db).deliveries == []
    cli = CliRunner().invoke(
        app,
        ["push", str(export), "--period", "2026H1", "--base-url", url, "--journal", str(tmp_path / "j2")],
        env={
            "DDAS_CLIENT_ID": "dev",
            "DDAS_CLIENT_SECRET": "wrong-secret-value",
            "DDAS_SIGNING_KEY": str(keys_dir / "signing-key.pem"),
            "DDAS_SIGNING_CHAIN": str(keys_dir / "signing-chain.pem"),
        },
    )
    assert cli.exit_code == 2, cli.output
    assert "client credentials" in cli.output
    assert "wrong-secret-value" not in cli.output  # the secret is never printed


def _other_signer(
    tmp_path: Path, keys_dir: Path, *, expired: bool = False, other_ca: bool = False
) -> tuple[Path, Path]:
    from client.devtools.keys import DevKeys, cert_pem, issue_certificate, key_pem, make_ca

    dev = DevKeys.load(keys_dir)
    ca_key, ca_cert = make_ca("untrusted CA") if other_ca else (dev.ca_key(), dev.ca_certificate())
    now = datetime.now(UTC)
    window = (now - timedelta(days=30), now - timedelta(days=1)) if expired else (None, None)
    key, cert = issue_certificate(ca_key, ca_cert, "signer", window[0], window[1], key_size=2048)
    key_path, chain_path = tmp_path / "key.pem", tmp_path / "chain.pem"
    key_path.write_bytes(key_pem(key))
    chain_path.write_bytes(cert_pem(cert, ca_cert))
    return key_path, chain_path


def _push_signed_by(key: Path, chain: Path, export: Path, tmp_path: Path) -> Result:
    """`ddas push` signing with `key`/`chain`, to a receiver that is not there (port 9)."""
    return CliRunner().invoke(
        app,
        [
            "push",
            str(export),
            "--period",
            "2026H1",
            "--base-url",
            "http://127.0.0.1:9/v1",
            "--journal",
            str(tmp_path / "j"),
        ],
        env={
            "DDAS_SIGNING_KEY": str(key),
            "DDAS_SIGNING_CHAIN": str(chain),
            "DDAS_CLIENT_ID": "dev",
            "DDAS_CLIENT_SECRET": "dev",
        },
    )


def test_expired_certificate_exits_2_before_sending(keys_dir: Path, export: Path, tmp_path: Path) -> None:
    key, chain = _other_signer(tmp_path, keys_dir, expired=True)
    result = _push_signed_by(key, chain, export, tmp_path)
    assert result.exit_code == 2, result.output
    assert "expired" in result.output and "Traceback" not in result.output


def test_key_not_matching_the_certificate_exits_2(keys_dir: Path, export: Path, tmp_path: Path) -> None:
    _key, chain = _other_signer(tmp_path, keys_dir)
    result = _push_signed_by(keys_dir / "signing-key.pem", chain, export, tmp_path)
    assert result.exit_code == 2, result.output
    assert "does not belong to the signing key" in result.output


def test_key_the_receiver_does_not_trust_exits_2_without_retries(
    mock: Any, keys_dir: Path, export: Path, tmp_path: Path
) -> None:
    url, db = mock
    key, chain = _other_signer(tmp_path, keys_dir, other_ca=True)
    settings = client_settings(
        keys_dir, url, tmp_path / "journal.sqlite", signing_key=key, signing_chain=chain
    )
    with pytest.raises(Refused, match="refused the request") as info:
        push([export], settings, periods=["2026H1"])
    assert info.value.requests <= 4  # token, POST, (token again on the 401, POST): no retry storm
    assert held(db).deliveries == []


def test_missing_export_and_bad_options_exit_2(keys_dir: Path, tmp_path: Path) -> None:
    result = _cli("push", str(tmp_path / "absent.json"), "--period", "2026H1", "--dev", str(keys_dir))
    assert result.exit_code == 2 and "no such file" in result.output
    result = _cli("push", str(tmp_path), "--period", "2026X1", "--dev", str(keys_dir))
    assert result.exit_code == 2
    result = _cli("push", str(tmp_path), "--period", "2026H1", "--due")
    assert result.exit_code == 2
    result = _cli("push", str(tmp_path / "x.json"), "--period", "2026H1", "--dev", str(tmp_path / "nokeys"))
    assert result.exit_code == 2


def test_config_dev_mode_settings(keys_dir: Path) -> None:
    settings = load_settings(None, dev=keys_dir, base_url="http://127.0.0.1:1/v1")
    settings.check_files()
    assert settings.verify_response_signatures and settings.trust_anchors == [keys_dir / "ca.pem"]


def test_unexpected_network_error_is_not_delivered(keys_dir: Path, tmp_path: Path) -> None:
    settings = client_settings(
        keys_dir, f"http://127.0.0.1:{_closed_port()}/v1", tmp_path / "j", max_attempts=1
    )
    from client.delivery.push import Receiver

    with Receiver(settings) as receiver, pytest.raises(NotDelivered):
        receiver.periods()
    assert receiver.attempts == 1


def test_unusable_tls_files_are_a_configuration_error(keys_dir: Path, tmp_path: Path) -> None:
    from client.delivery.config import ConfigError
    from client.delivery.push import Receiver

    garbage = tmp_path / "ca-bundle.pem"
    garbage.write_text("not a certificate", encoding="utf-8")
    settings = client_settings(keys_dir, "https://127.0.0.1:9/v1", tmp_path / "j", ca_bundle=garbage)
    with pytest.raises(ConfigError, match="TLS settings"):
        Receiver(settings)
    settings = client_settings(keys_dir, "https://127.0.0.1:9/v1", tmp_path / "j").model_copy(
        update={"tls_client_cert": keys_dir / "client-cert.pem", "tls_client_key": None}
    )
    with pytest.raises(ConfigError, match="tls_client_cert and tls_client_key go together"):
        settings.check_files()
