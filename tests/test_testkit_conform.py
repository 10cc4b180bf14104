"""`ddas-mock conform` against our provider (all pass) and against deliberately broken ones (one fails)."""

from __future__ import annotations

import hashlib
import os
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import orjson
import pytest
from click.testing import CliRunner

from client.devtools.generate import write_export
from client.devtools.keys import DevKeys
from client.provider.app import create_provider_app
from client.provider.testing import dev_provider_settings
from client.wire.serving import free_port, serve_in_thread
from mock_server.cli import app as mock_cli
from mock_server.conform import CHECKS, ConformError, ConformOptions, run_conformance
from mock_server.conform.checks import Status
from mock_server.faults import ASGIApp, Message, Receive, Scope, Send

pytestmark = pytest.mark.timeout(120)
STAMP = datetime(2026, 7, 1, 8, 0, tzinfo=UTC)
IDS = [c.id for c in CHECKS]


class Broken:
    """Which single aspect the provider gets wrong (None: none)."""

    kind: str | None = None
    seen: dict[str, int] = {}  # noqa: RUF012 - one provider per module


def _headers(scope: Scope) -> dict[str, str]:
    return {k.decode().lower(): v.decode() for k, v in scope["headers"]}


def _set_headers(scope: Scope, headers: dict[str, str]) -> None:
    scope["headers"] = [(k.encode(), v.encode()) for k, v in headers.items()]


class BreakRequests:
    """Innermost: rewrites requests (re-signed with the dev keys) and responses (signed after this)."""

    def __init__(self, app: ASGIApp, keys: DevKeys) -> None:
        self.app = app
        self.signer = keys.signer()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        kind = Broken.kind
        if scope["type"] != "http" or kind is None:
            await self.app(scope, receive, send)
            return
        body = b""
        while True:
            message = await receive()
            body += message.get("body", b"")
            if not message.get("more_body"):
                break
        headers = _headers(scope)
        body, headers = self.request(kind, body, headers)
        _set_headers(scope, headers)
        requested = _json(body)
        n = Broken.seen[hashlib.sha256(body).hexdigest()] = (
            Broken.seen.get(hashlib.sha256(body).hexdigest(), 0) + 1
        )
        sent = False

        async def replay() -> Message:
            nonlocal sent
            if sent:
                return {"type": "http.disconnect"}
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}

        start: Message = {}
        chunks: list[bytes] = []

        async def hold(message: Message) -> None:
            nonlocal start
            if message["type"] == "http.response.start":
                start = message
                return
            chunks.append(message.get("body", b""))
            if message.get("more_body"):
                return
            status, out_headers, out = self.response(kind, start, b"".join(chunks), requested, n)
            start["status"] = status
            start["headers"] = [
                (k.encode(), v.encode()) for k, v in out_headers.items() if k != "content-length"
            ] + [(b"content-length", str(len(out)).encode())]
            await send(start)
            await send({"type": "http.response.body", "body": out})

        await self.app(scope, replay, hold)

    def request(self, kind: str, body: bytes, headers: dict[str, str]) -> tuple[bytes, dict[str, str]]:
        data = _json(body)
        resign = False
        if kind == "SHV-SIG-02" and "nlgov-adr-payload-sig" not in headers:
            resign = True
        if kind == "SHV-SIG-03" and "nlgov-adr-payload-sig" in headers:
            resign = True
        if kind == "SHV-AUTH-01" and "authorization" not in headers and "fsc-authorization" not in headers:
            headers["authorization"] = "Bearer dev"
        if kind == "SHV-AUTH-02" and headers.get("authorization", "Bearer dev") != "Bearer dev":
            headers["authorization"] = "Bearer dev"
        if isinstance(data, dict):
            if kind == "SHV-REQ-01":
                data = {k: v for k, v in data.items() if not k.startswith("conform")}
            if kind == "SHV-REQ-02" and data.get("aanleverperiodeStartdatum", "") > data.get(
                "aanleverperiodeEinddatum", "~"
            ):
                data["aanleverperiodeStartdatum"], data["aanleverperiodeEinddatum"] = (
                    data["aanleverperiodeEinddatum"],
                    data["aanleverperiodeStartdatum"],
                )
            if kind == "SHV-PAGE-02" and data.get("pageSize", 0) > 25_000:
                data["pageSize"] = 25_000
            if data != _json(body):
                body, resign = orjson.dumps(data), True
        elif kind == "SHV-REQ-03":
            body, resign = b"{}", True
        if resign:
            for name, value in self.signer.sign(body).items():
                headers[name.lower()] = value
        headers["content-length"] = str(len(body))
        return body, headers

    def response(
        self, kind: str, start: Message, body: bytes, requested: Any, n: int
    ) -> tuple[int, dict[str, str], bytes]:
        status = int(start["status"])
        headers = {k.decode().lower(): v.decode() for k, v in start.get("headers", [])}
        if kind == "SHV-ERR-01" and 400 <= status < 500:
            headers["content-type"] = "application/json"
        doc = _json(body)
        if status != 200 or not isinstance(doc, dict):
            return status, headers, body
        pag = doc.get("paginering")
        gegevens = doc["gegevens"]
        if kind == "SHV-PAGE-01" and pag is None:
            count = sum(len(lev["schuldhulptrajecten"]) for lev in gegevens["leveringen"])
            doc["paginering"] = {"pageSize": 25000, "currentPage": 1, "totalPages": 1, "totalRecords": count}
        elif kind == "SHV-PAGE-03" and pag is not None:
            pag["totalRecords"] += 1
        elif kind == "SHV-PAGE-04" and pag is not None and pag["currentPage"] != requested.get("page", 1):
            del doc["paginering"]
        elif kind == "SHV-SCHEMA-01":
            gegevens["onbekendVeld"] = 1
        elif kind == "SHV-PERIOD-01":
            gegevens["einddatumLevering"] = "2026-06-29"
        elif kind == "SHV-DET-01" and n % 2 == 0:
            for levering in gegevens["leveringen"]:
                for traject in levering["schuldhulptrajecten"][:1]:
                    traject["gemeentecode"] = (
                        "GM0363" if traject.get("gemeentecode") != "GM0363" else "GM0518"
                    )
        else:
            return status, headers, body
        return status, headers, orjson.dumps(doc)


class StripHeaders:
    """Outermost: drops a response header after signing (SHV-SIG-01, SHV-API-01)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        drop = {"SHV-SIG-01": b"nlgov-adr-payload-sig", "SHV-API-01": b"api-version"}.get(Broken.kind or "")

        async def stripped(message: Message) -> None:
            if drop and message["type"] == "http.response.start":
                message["headers"] = [(k, v) for k, v in message["headers"] if k.lower() != drop]
            await send(message)

        await self.app(scope, receive, stripped)


def _json(body: bytes) -> Any:
    try:
        return orjson.loads(body)
    except orjson.JSONDecodeError:
        return None


@pytest.fixture(scope="module")
def export(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("data") / "export.json"
    write_export(
        path, trajecten=20, date_from=date(2026, 1, 1), date_to=date(2026, 6, 30), organisaties=2, seed=9
    )
    return path


@pytest.fixture(scope="module")
def provider(export: Path, keys: DevKeys) -> Iterator[str]:
    from starlette.middleware import Middleware

    settings = dev_provider_settings([export], keys.dir, aanleverdatum=STAMP, today=date(2026, 11, 28))
    app = create_provider_app(settings)
    app.user_middleware.append(Middleware(BreakRequests, keys=keys))  # innermost: before signing
    app.add_middleware(StripHeaders)  # outermost: after signing
    try:
        with serve_in_thread(app) as url:
            yield url + settings.base
    finally:
        app.state.provider.cache.close()
        Broken.kind = None


def options(url: str, keys: DevKeys, organisation: str | None = None) -> ConformOptions:
    return ConformOptions(url=url, dev_dir=keys.dir, organisation=organisation, today=date(2026, 11, 28))


def first_organisation(export: Path) -> str:
    from mock_server.puller import organisation_label

    document = orjson.loads(export.read_bytes())
    return organisation_label(document["leveringen"][0]["aanleverende_organisatie"])


@pytest.mark.parametrize("one_organisation", [False, True])
def test_our_provider_conforms(provider: str, keys: DevKeys, export: Path, one_organisation: bool) -> None:
    Broken.kind = None
    report = run_conformance(
        options(provider, keys, first_organisation(export) if one_organisation else None)
    )
    assert len(report.results) >= 15
    assert {r.check.id: r.outcome.status for r in report.results} == {i: Status.PASSED for i in IDS}, [
        (r.check.id, r.outcome.detail) for r in report.results if r.outcome.status is not Status.PASSED
    ]
    assert report.period == "2026H1"


@pytest.mark.parametrize("broken", [i for i in IDS if i != "SHV-ERR-01"] + ["SHV-ERR-01"])
def test_a_broken_provider_fails_exactly_that_check(
    provider: str, keys: DevKeys, export: Path, broken: str
) -> None:
    # one organisation's data fits one page, where paginering must be absent
    organisation = first_organisation(export) if broken == "SHV-PAGE-01" else None
    Broken.kind, Broken.seen = broken, {}
    try:
        report = run_conformance(options(provider, keys, organisation))
    finally:
        Broken.kind = None
    failed = [r.check.id for r in report.results if r.outcome.status is Status.FAILED]
    assert failed == [broken], [
        (r.check.id, r.outcome.detail) for r in report.results if r.check.id in failed
    ]


def test_cli_junit_html_and_exit_codes(provider: str, keys: DevKeys, tmp_path: Path) -> None:
    Broken.kind, Broken.seen = "SHV-REQ-02", {}
    junit, page = tmp_path / "out" / "conform.xml", tmp_path / "conform.html"
    try:
        result = CliRunner().invoke(
            mock_cli,
            [
                "conform",
                provider,
                "--dev",
                str(keys.dir),
                "--period",
                "2026H1",
                "--junit",
                str(junit),
                "--html",
                str(page),
            ],
        )
    finally:
        Broken.kind = None
    assert result.exit_code == 1, result.output
    assert "FAILED  SHV-REQ-02" in result.output and "does not conform" in result.output
    suite = ET.parse(junit).getroot().find("testsuite")
    assert suite is not None
    cases = suite.findall("testcase")
    assert len(cases) == len(IDS) and all(any(c.get("name", "").startswith(i) for c in cases) for i in IDS)
    (failure,) = [c for c in cases if c.find("failure") is not None]
    assert failure.get("name", "").startswith("SHV-REQ-02")
    text = page.read_text(encoding="utf-8")
    assert "SHV-REQ-02" in text and "does not conform" in text and "<script" not in text
    assert os.stat(junit).st_mode & 0o777 == 0o600 and os.stat(page).st_mode & 0o777 == 0o600
    ok = CliRunner().invoke(mock_cli, ["conform", provider, "--dev", str(keys.dir), "--period", "2026H1"])
    assert ok.exit_code == 0, ok.output
    assert "conforms: 17 passed" in ok.output


def test_unreachable_or_unconfigured_is_exit_2(keys: DevKeys, provider: str) -> None:
    port = free_port()
    down = CliRunner().invoke(mock_cli, ["conform", f"http://127.0.0.1:{port}/v1", "--dev", str(keys.dir)])
    assert down.exit_code == 2 and "ConnectError" in down.output
    nokeys = CliRunner().invoke(mock_cli, ["conform", provider, "--token", "dev"])
    assert nokeys.exit_code == 2 and "signed" in nokeys.output
    wrong = CliRunner().invoke(
        mock_cli, ["conform", provider, "--dev", str(keys.dir), "--token", "not-the-token"]
    )
    assert wrong.exit_code == 2 and "refused our credentials" in wrong.output
    bad_url = CliRunner().invoke(mock_cli, ["conform", "ftp://x", "--dev", str(keys.dir)])
    assert bad_url.exit_code == 2 and "Traceback" not in bad_url.output
    with pytest.raises(ConformError):
        run_conformance(ConformOptions(url=provider, dev_dir=keys.dir, client_cert=keys.dir / "ca.pem"))


@pytest.mark.timeout(180)
def test_ddas_serve_conforms_as_a_vendor_runs_it(export: Path, keys: DevKeys, tmp_path: Path) -> None:
    """Two real processes: `ddas serve --dev` (default settings) and `ddas-mock conform` with JUnit XML."""
    import subprocess
    import sys
    import time

    import httpx

    port = free_port()
    serve = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "from client.cli import main; main()",
            "serve",
            "--data",
            str(export),
            "--dev",
            str(keys.dir),
            "--port",
            str(port),
            "--log-level",
            "warning",
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        cwd=tmp_path,
    )
    url = f"http://127.0.0.1:{port}/v1"
    try:
        deadline = time.monotonic() + 60
        while True:
            assert serve.poll() is None, serve.stdout.read() if serve.stdout else ""
            try:
                httpx.post(f"{url}/gegevens", timeout=1)
                break
            except httpx.TransportError:
                assert time.monotonic() < deadline, "ddas serve did not start"
                time.sleep(0.1)
        junit = tmp_path / "conform.xml"
        run = subprocess.run(
            [
                sys.executable,
                "-c",
                "from mock_server.cli import main; main()",
                "conform",
                url,
                "--dev",
                str(keys.dir),
                "--period",
                "2026H1",
                "--junit",
                str(junit),
            ],
            capture_output=True,
            text=True,
            timeout=150,
            cwd=tmp_path,
        )
    finally:
        serve.terminate()
        try:
            serve.communicate(timeout=15)
        except subprocess.TimeoutExpired:
            serve.kill()
            serve.communicate()
    assert run.returncode == 0, run.stdout + run.stderr
    assert f"conforms: {len(IDS)} passed, 0 failed, 0 skipped" in run.stdout
    suite = ET.parse(junit).getroot().find("testsuite")
    assert suite is not None and suite.get("failures") == "0" and suite.get("tests") == str(len(IDS))


def _fake_provider(body: bytes) -> Any:
    """A provider that answers every request with `body` (unsigned): for the bounds on what comes back."""
    from fastapi import FastAPI
    from fastapi.responses import Response

    fake = FastAPI()

    @fake.post("/v1/gegevens")
    def gegevens() -> Response:
        return Response(body, media_type="application/json", headers={"API-Version": "1.0.0"})

    return fake


def _page_body(total_pages: int, padding: int = 0) -> bytes:
    document = {
        "gegevens": {
            "startdatumLevering": "2026-01-01",
            "einddatumLevering": "2026-06-30",
            "leveringen": [{"schuldhulptrajecten": [{"startdatum": "2026-02-01", "n": n} for n in range(3)]}],
            "x": "y" * padding,
        },
        "paginering": {"pageSize": 1, "currentPage": 1, "totalPages": total_pages, "totalRecords": 3},
    }
    return orjson.dumps(document)


def test_total_pages_from_the_provider_is_bounded(keys: DevKeys) -> None:
    with serve_in_thread(_fake_provider(_page_body(10**9))) as origin:
        opts = ConformOptions(url=origin + "/v1", dev_dir=keys.dir, today=date(2026, 11, 28), max_pages=5)
        report = run_conformance(opts)
    outcome = {r.check.id: r.outcome for r in report.results}
    assert outcome["SHV-PAGE-03"].status is Status.FAILED
    assert "totalPages 1,000,000,000 is over the limit of 5" in outcome["SHV-PAGE-03"].detail
    assert outcome["SHV-SIG-01"].status is Status.FAILED  # unsigned answers
    assert b'"page":1000000001' in outcome["SHV-PAGE-04"].exchanges[0].request  # past the declared end
    assert not report.ok


def test_body_size_from_the_provider_is_bounded(keys: DevKeys) -> None:
    with serve_in_thread(_fake_provider(_page_body(1, padding=200_000))) as origin:
        opts = ConformOptions(url=origin + "/v1", dev_dir=keys.dir, max_body_bytes=64 * 1024)
        with pytest.raises(ConformError) as caught:
            run_conformance(opts)
    assert caught.value.kind == "usage" and "over 65,536 bytes" in caught.value.message


@pytest.mark.parametrize("broken", [None, "SHV-SCHEMA-01"])
def test_schema_check_agrees_with_the_official_schema(
    provider: str, keys: DevKeys, broken: str | None, official_schema: dict[str, object]
) -> None:
    """What SHV-SCHEMA-01 (generated schema) says of each page, ../shared's official schema says too
    (the fixture fails under CI when ../shared is missing)."""
    import jsonschema_rs

    official = jsonschema_rs.validator_for(official_schema, validate_formats=True)
    Broken.kind, Broken.seen = broken, {}
    try:
        report = run_conformance(options(provider, keys))
    finally:
        Broken.kind = None
    (schema,) = [r.outcome for r in report.results if r.check.id == "SHV-SCHEMA-01"]
    pages = [e.document()["gegevens"] for e in schema.exchanges]
    assert pages
    verdicts = {official.is_valid(page) for page in pages}
    assert verdicts == {broken is None}
    assert (schema.status is Status.PASSED) == (broken is None)


def test_mutual_tls_provider(export: Path, keys: DevKeys, tmp_path: Path) -> None:
    """A provider behind mutual TLS: --client-cert/--client-key reach it, and so does --dev alone (the
    development client certificate); a key set without a client certificate is exit 2."""
    import shutil
    import ssl

    bare = tmp_path / "keys-without-client-cert"  # a set from before client-cert.pem, without its CA key
    shutil.copytree(keys.dir, bare)
    for name in ("client-cert.pem", "client-key.pem", "ca-key.pem"):
        (bare / name).unlink()

    settings = dev_provider_settings([export], keys.dir, aanleverdatum=STAMP, today=date(2026, 11, 28))
    app = create_provider_app(settings)
    tls = {
        "ssl_certfile": str(keys.dir / "tls-cert.pem"),
        "ssl_keyfile": str(keys.dir / "tls-key.pem"),
        "ssl_ca_certs": str(keys.dir / "ca.pem"),
        "ssl_cert_reqs": ssl.CERT_REQUIRED,
    }
    try:
        with serve_in_thread(app, **tls) as origin:
            url = origin.replace("http://", "https://") + "/v1"
            common = ["conform", url, "--dev", str(keys.dir), "--period", "2026H1"]
            client = [
                "--client-cert",
                str(keys.dir / "client-cert.pem"),
                "--client-key",
                str(keys.dir / "client-key.pem"),
            ]
            with_cert = CliRunner().invoke(mock_cli, [*common, *client])
            with_dev = CliRunner().invoke(mock_cli, common)
            without = CliRunner().invoke(mock_cli, ["conform", url, "--dev", str(bare), "--period", "2026H1"])
            half = CliRunner().invoke(mock_cli, [*common, "--client-cert", str(keys.dir / "tls-cert.pem")])
    finally:
        app.state.provider.cache.close()
    assert with_cert.exit_code == 0, with_cert.output
    assert with_dev.exit_code == 0, with_dev.output
    assert without.exit_code == 2 and "Traceback" not in without.output
    assert half.exit_code == 2 and "--client-cert and --client-key go together" in half.output
