"""`ddas-mock pull` against a live provider: signed, verified, checked, stored like a pushed delivery."""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Iterator
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import httpx
import pytest
from click.testing import CliRunner
from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse

from client.devtools.generate import write_export
from client.devtools.keys import DevKeys, write_dev_keys
from client.planning import Period
from client.provider import TokenConfig
from client.provider.testing import dev_provider_settings, running_provider
from client.wire.serving import free_port, serve_in_thread
from mock_server.cli import app as mock_cli
from mock_server.puller import PulledPage, Puller, PullError, PullOptions, PullResult, run_pull

STAMP = datetime(2026, 7, 1, 8, 0, tzinfo=UTC)
H1 = Period.parse("2026H1")


@pytest.fixture(scope="module")
def export(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("data") / "export.json"
    write_export(
        path, trajecten=20, date_from=date(2026, 1, 1), date_to=date(2026, 6, 30), organisaties=2, seed=9
    )
    return path


@pytest.fixture
def provider(export: Path, keys: DevKeys) -> Iterator[str]:
    settings = dev_provider_settings([export], keys.dir, aanleverdatum=STAMP, today=date(2026, 11, 28))
    with running_provider(settings) as url:
        yield url


def _stored(db: Path) -> list[sqlite3.Row]:
    conn = sqlite3.connect(db)
    conn.row_factory = sqlite3.Row
    try:
        return conn.execute("SELECT * FROM deliveries ORDER BY seq").fetchall()
    finally:
        conn.close()


def test_pull_pages_and_store_each_organisation(provider: str, keys: DevKeys, tmp_path: Path) -> None:
    db = tmp_path / "mock.sqlite"
    options = PullOptions(url=provider, period=H1, page_size=4, dev_dir=keys.dir, db=str(db))
    result = run_pull(options)
    assert result.ok, [f.message for f in result.findings]
    assert result.trajecten == 20 and len(result.organisations) == 2
    assert sorted(d.status for d in result.deliveries) == ["technisch_goedgekeurd"] * 2
    assert sum(d.trajecten for d in result.deliveries) == 20
    assert all(d.report is not None and d.pages >= 2 for d in result.deliveries)
    rows = _stored(db)
    assert len(rows) == 2 and {r["period"] for r in rows} == {"2026H1"}
    assert {r["signature_profile"] for r in rows} == {"adr"}


def test_pull_cli_prints_a_summary_and_exits_0(provider: str, keys: DevKeys, tmp_path: Path) -> None:
    db = tmp_path / "mock.sqlite"
    result = CliRunner().invoke(
        mock_cli, ["pull", provider, "--period", "2026H1", "--dev", str(keys.dir), "--db", str(db), "--fsc"]
    )
    assert result.exit_code == 0, result.output
    assert "pulled 2026H1" in result.output and "technisch_goedgekeurd" in result.output
    rows = _stored(db)
    organisation = rows[0]["org_name"]
    again = CliRunner().invoke(
        mock_cli,
        [
            "pull",
            provider,
            "--period",
            "2026H1",
            "--dev",
            str(keys.dir),
            "--db",
            str(db),
            "--organisation",
            organisation,
        ],
    )
    assert again.exit_code == 0, again.output
    assert "1 page(s)" in again.output
    # the same pages again: the receiver's idempotency (key = hash of the page) stores nothing twice
    assert len(_stored(db)) == 2
    assert rows[0]["id"] in again.output


def test_pull_with_client_credentials(export: Path, keys: DevKeys, tmp_path: Path) -> None:
    issued: list[str] = []
    token_app = FastAPI()

    @token_app.post("/token")
    async def token(request: Request) -> JSONResponse:
        form = await request.form()
        issued.append(str(form.get("grant_type")))
        return JSONResponse({"access_token": "cbs-token", "token_type": "Bearer", "expires_in": 300})

    settings = dev_provider_settings(
        [export],
        keys.dir,
        tokens=[TokenConfig(value="cbs-token", name="cbs")],
        aanleverdatum=STAMP,
    )
    with serve_in_thread(token_app) as token_url, running_provider(settings) as url:
        options = PullOptions(
            url=url,
            period=H1,
            client_id="cbs",
            client_secret="secret",
            token_url=token_url + "/token",
            dev_dir=keys.dir,
        )
        result = run_pull(options, store=False)
    assert result.trajecten == 20 and result.deliveries == []
    assert result.ok and not result.findings  # validated without storing: no errors
    assert issued == ["client_credentials"]


def test_untrusted_response_signature_is_refused(provider: str, tmp_path: Path) -> None:
    other = write_dev_keys(tmp_path / "other-keys")
    # signed requests with another CA: the provider refuses them (400) before any data leaves
    options = PullOptions(url=provider, period=H1, dev_dir=other.dir, db=str(tmp_path / "m.sqlite"))
    with pytest.raises(PullError) as refused:
        run_pull(options)
    assert refused.value.kind == "refused" and "400" in refused.value.message


def test_response_signed_by_an_unknown_key_is_refused(export: Path, keys: DevKeys, tmp_path: Path) -> None:
    provider_keys = write_dev_keys(tmp_path / "provider-keys")
    settings = dev_provider_settings(
        [export],
        provider_keys.dir,
        trust_anchors=[keys.ca_path],
        tokens=[TokenConfig(value="t")],
    )
    with running_provider(settings) as url:
        options = PullOptions(url=url, period=H1, token="t", dev_dir=keys.dir)
        with pytest.raises(PullError) as refused:
            run_pull(options, store=False)
    assert refused.value.kind == "refused" and "response signature refused" in refused.value.message


def test_unreachable_provider_exits_3(keys: DevKeys, tmp_path: Path) -> None:
    url = f"http://127.0.0.1:{free_port()}/v1"
    result = CliRunner().invoke(
        mock_cli,
        ["pull", url, "--dev", str(keys.dir), "--no-store", "--period", "2026H1", "--max-attempts", "2"],
    )
    assert result.exit_code == 3, result.output


def test_retries_after_429(export: Path, keys: DevKeys) -> None:
    settings = dev_provider_settings(
        [export], keys.dir, rate_limit_per_second=20.0, rate_limit_burst=1, aanleverdatum=STAMP
    )
    waits: list[float] = []

    def sleep(seconds: float) -> None:
        waits.append(seconds)
        time.sleep(0.06)

    with running_provider(settings) as url:
        puller = Puller(PullOptions(url=url, period=H1, page_size=5, dev_dir=keys.dir), sleep=sleep)
        try:
            result = puller.pull(None)
        finally:
            puller.close()
    assert result.trajecten == 20 and not result.findings
    assert waits and all(w >= 1.0 for w in waits)  # Retry-After honoured (whole seconds)
    assert result.requests == result.pages + len(waits)


def _page(
    number: int, digests: list[bytes], paginering: dict[str, Any] | None, start: str = "2026-01-01"
) -> PulledPage:
    return PulledPage(
        number, b"", httpx.Headers(), paginering, len(digests), "GM0001", "adr", start, "2026-06-30", digests
    )


def test_cross_page_checks(keys: DevKeys) -> None:
    puller = Puller(PullOptions(url="http://127.0.0.1:9/v1", period=H1, dev_dir=keys.dir))
    try:
        pag = {"pageSize": 2, "totalPages": 2, "totalRecords": 5}
        pages = [
            _page(1, [b"a", b"b"], {**pag, "currentPage": 1}),
            _page(2, [b"b"], {**pag, "currentPage": 3, "totalRecords": 4}, start="2025-07-01"),
        ]
        result = PullResult(puller.options.url, H1)
        puller.check(pages, result)
    finally:
        puller.close()
    codes = {f.code for f in result.findings}
    assert {"PULL-PAG-02", "PULL-PAG-03", "PULL-PAG-04", "PULL-DUP-01", "PULL-PER-01", "R-API-04"} <= codes
    assert not result.ok


def test_content_errors_are_found_without_storing(keys: DevKeys, tmp_path: Path) -> None:
    bad = tmp_path / "bad.json"
    write_export(
        bad, trajecten=5, date_from=date(2026, 1, 1), date_to=date(2026, 6, 30), seed=13, defects=["R-FMT-03"]
    )
    with running_provider(dev_provider_settings([bad], keys.dir, aanleverdatum=STAMP)) as url:
        result = run_pull(PullOptions(url=url, period=H1, dev_dir=keys.dir), store=False)
        stored = CliRunner().invoke(
            mock_cli,
            ["pull", url, "--period", "2026H1", "--dev", str(keys.dir), "--db", str(tmp_path / "m.sqlite")],
        )
    assert not result.ok and "R-FMT-03" in {f.code for f in result.findings}
    assert stored.exit_code == 1, stored.output  # the receiver's technical check refuses it, like a push
    assert "refused" in stored.output
