"""`ddas serve` and the mock as an operations team runs them: health, readiness, Prometheus metrics,
JSON logs without bodies or BSNs, and a graceful SIGTERM that lets a request in flight complete."""

from __future__ import annotations

import json
import signal
import socket
import time
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import httpx
import orjson
import pytest
from prometheus_client.parser import text_string_to_metric_families

from client.devtools.generate import write_export
from client.devtools.keys import DevKeys
from client.provider.app import create_provider_app
from client.provider.testing import (
    ProviderClient,
    dev_provider_settings,
    process_output,
    running_provider,
    serve_process,
)
from client.wire.serving import serve_in_thread
from mock_server.testing import MockClient, dev_settings, envelope, make_document, running_mock

pytestmark = pytest.mark.timeout(120)
TODAY = date(2026, 11, 28)
BSN = "123456782"


@pytest.fixture(scope="module")
def export(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("data") / "export.json"
    write_export(path, trajecten=11, date_from=date(2026, 1, 1), date_to=date(2026, 6, 30), seed=3)
    return path


def _metrics(origin: str) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    response = httpx.get(f"{origin}/metrics")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/plain")
    values: dict[tuple[str, tuple[tuple[str, str], ...]], float] = {}
    for family in text_string_to_metric_families(response.text):
        for sample in family.samples:
            values[(sample.name, tuple(sorted(sample.labels.items())))] = sample.value
    return values


def _wait_ready(origin: str, timeout: float = 60) -> httpx.Response:
    deadline = time.monotonic() + timeout
    while True:
        response = httpx.get(f"{origin}/ready")
        if response.status_code == 200 or time.monotonic() > deadline:
            return response
        time.sleep(0.05)


@pytest.fixture
def provider(export: Path, keys: DevKeys) -> Iterator[str]:
    settings = dev_provider_settings([export], keys.dir, today=TODAY)
    with running_provider(settings) as url:
        yield url


def test_health_and_ready_need_no_token_and_hold_no_data(provider: str) -> None:
    origin = provider.removesuffix("/v1")
    health = httpx.get(f"{origin}/health")
    assert health.status_code == 200 and health.json() == {"status": "ok"}
    ready = _wait_ready(origin)
    assert ready.status_code == 200 and ready.json() == {"status": "ready"}
    assert httpx.get(f"{provider}/health").status_code in (404, 405)  # outside /v1 only


def test_ready_is_503_until_the_exports_are_there(keys: DevKeys, tmp_path: Path) -> None:
    data = tmp_path / "data"
    data.mkdir()
    settings = dev_provider_settings([data], keys.dir, today=TODAY)
    app = create_provider_app(settings)
    try:
        with serve_in_thread(app) as origin:
            first = httpx.get(f"{origin}/ready")
            assert first.status_code == 503 and first.json()["status"] == "not ready"
            assert httpx.get(f"{origin}/health").status_code == 200  # alive all the same
            tmp = tmp_path / "incoming.json"
            write_export(tmp, trajecten=3, date_from=date(2026, 1, 1), date_to=date(2026, 6, 30), seed=5)
            tmp.rename(data / "export.json")  # the atomic rename of docs/deploy.md
            assert _wait_ready(origin).status_code == 200
    finally:
        app.state.provider.cache.close()


def test_metrics_count_requests_trajecten_cache_builds_and_export_age(provider: str, keys: DevKeys) -> None:
    origin = provider.removesuffix("/v1")
    _wait_ready(origin)
    with ProviderClient(provider, keys) as client:
        first = client.post({"pageSize": 5, "page": 1})
        second = client.post({"pageSize": 5, "page": 2})
        denied = client.post({"page": 1}, token="wrong")
    assert first.status_code == second.status_code == 200 and denied.status_code == 401
    code = denied.headers.get("Fsc-Error-Code", "")
    assert code  # the FSC error code is the label
    values = _metrics(origin)
    assert values[("ddas_provider_requests_total", (("code", ""), ("status", "200")))] == 2
    assert values[("ddas_provider_requests_total", (("code", code), ("status", "401")))] == 1
    assert values[("ddas_provider_request_seconds_count", ())] == 3
    served = first.json()["gegevens"]["leveringen"][0]["schuldhulptrajecten"]
    served += second.json()["gegevens"]["leveringen"][0]["schuldhulptrajecten"]
    assert values[("ddas_provider_trajecten_served_total", ())] == len(served) == 10
    assert values[("ddas_provider_page_cache_builds_total", ())] >= 2  # the warm-up and pageSize 5
    assert values[("ddas_provider_export_age_seconds", ())] > 0
    versions = [labels for name, labels in values if name == "ddas_provider_data_version"]
    assert versions == [(("version", first.headers["DDAS-Data-Version"]),)]
    assert first.headers["X-Request-ID"]  # every answer names its request id


def test_each_app_has_its_own_registry(export: Path, keys: DevKeys, tmp_path: Path) -> None:
    settings = dev_provider_settings([export], keys.dir, today=TODAY)
    with running_provider(settings) as one, running_provider(settings) as two:
        with ProviderClient(one, keys) as client:
            assert client.post({"page": 1}).status_code == 200
        first, second = (_metrics(u.removesuffix("/v1")) for u in (one, two))
    assert first[("ddas_provider_requests_total", (("code", ""), ("status", "200")))] == 1
    assert ("ddas_provider_requests_total", (("code", ""), ("status", "200"))) not in second
    with running_mock(dev_settings(tmp_path, dev_dir=keys.dir)) as base:
        with MockClient(base, keys.signer()) as client:
            assert client.deliver(envelope(make_document("2026H1", 2))).status_code == 202
        origin = base.removesuffix("/v1")
        mock = _metrics(origin)
        assert httpx.get(f"{origin}/health").status_code == 200
        assert httpx.get(f"{origin}/ready").status_code == 200
    accepted = ("ddas_mock_requests_total", (("code", ""), ("status", "202")))
    assert mock[accepted] == 1
    assert not any(name.startswith("ddas_provider") for name, _ in mock)


def test_json_logs_one_object_per_line_without_bodies_or_bsns(
    export: Path, keys: DevKeys, tmp_path: Path
) -> None:
    args = ["--data", str(export), "--dev", str(keys.dir), "--log-format", "json"]
    with serve_process(args, cwd=tmp_path) as (_process, origin):
        with ProviderClient(f"{origin}/v1", keys) as client:
            ok = client.post({"page": 1}, headers={"X-Request-ID": "req-42"})
            unknown = client.post({"aanleverende_organisatie": f"Gemeente {BSN}"})
        assert ok.status_code == 200 and unknown.status_code == 422
    log = process_output(tmp_path, origin)  # after the stop: the access line follows the answer
    lines = [line for line in log.splitlines() if line.strip()]
    entries = [json.loads(line) for line in lines]  # every line is one JSON object
    assert all({"time", "level", "message"} <= set(e) for e in entries)
    access = [e for e in entries if e.get("logger") == "ddas.access"]
    first = next(e for e in access if e["request_id"] == "req-42")
    assert first["method"] == "POST" and first["path"] == "/v1/gegevens" and first["status"] == 200
    assert first["client"] and first["page"] == 1 and first["duration_ms"] >= 0
    refused = next(e for e in access if e["status"] == 422)
    assert refused["organisation"] == "Gemeente *****6782" and refused["code"] == "organisation-unknown"
    assert BSN not in log
    for traject in ok.json()["gegevens"]["leveringen"][0]["schuldhulptrajecten"]:
        for person in traject["client"]:  # no body: neither the BSNs nor the postcodes served
            assert person["Burgerservicenummer"] not in log and person["Postcode"] not in log


def _signed_request(keys: DevKeys, body: bytes, port: int) -> bytes:
    headers = {"Host": f"127.0.0.1:{port}", "Content-Type": "application/json", "Authorization": "Bearer dev"}
    headers.update(keys.signer().sign(body))
    headers["Content-Length"] = str(len(body))
    headers["Connection"] = "close"
    head = "POST /v1/gegevens HTTP/1.1\r\n" + "".join(f"{k}: {v}\r\n" for k, v in headers.items()) + "\r\n"
    return head.encode("latin-1")


def _refused(port: int) -> bool:
    try:
        socket.create_connection(("127.0.0.1", port), timeout=1).close()
    except OSError:
        return True
    return False


def test_sigterm_lets_the_request_in_flight_complete_and_exits_0(
    export: Path, keys: DevKeys, tmp_path: Path
) -> None:
    with serve_process(["--data", str(export), "--dev", str(keys.dir)], cwd=tmp_path) as (process, origin):
        port = int(origin.rsplit(":", 1)[1])
        body = orjson.dumps({"page": 1, "pageSize": 4})
        conn = socket.create_connection(("127.0.0.1", port), timeout=30)
        try:
            conn.sendall(_signed_request(keys, body, port) + body[:5])  # in flight: half a body sent
            time.sleep(0.3)  # let the server read the head (a wait, not an assertion)
            process.send_signal(signal.SIGTERM)
            deadline = time.monotonic() + 20
            while not _refused(port):  # the server stops accepting new connections first
                assert time.monotonic() < deadline, "still accepting after SIGTERM"
                time.sleep(0.05)
            assert process.poll() is None  # ... but waits for the request in flight
            conn.sendall(body[5:])
            answer = b""
            while chunk := conn.recv(65536):
                answer += chunk
        finally:
            conn.close()
        assert process.wait(timeout=30) == 0
    head, _, payload = answer.partition(b"\r\n\r\n")
    assert head.startswith(b"HTTP/1.1 200"), head
    assert len(orjson.loads(payload)["gegevens"]["leveringen"][0]["schuldhulptrajecten"]) == 4


def test_the_mock_access_log_names_the_client_not_the_token(
    keys: DevKeys, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    import logging

    from client.wire.observability import JsonFormatter

    caplog.set_level(logging.INFO, logger="ddas.access")
    with (
        running_mock(dev_settings(tmp_path, dev_dir=keys.dir)) as base,
        MockClient(base, keys.signer()) as client,
    ):
        token = client.token()
        assert client.deliver(envelope(make_document("2026H1", 2))).status_code == 202
    records = [r for r in caplog.records if r.name == "ddas.access"]
    posted = [r for r in records if r.access["method"] == "POST" and r.access["status"] == 202]  # type: ignore[attr-defined]
    assert posted and posted[0].access["client"] == "dev"  # type: ignore[attr-defined]
    lines = [JsonFormatter().format(r) for r in records]
    assert all(json.loads(line)["request_id"] for line in lines)
    assert token not in "\n".join(lines)
