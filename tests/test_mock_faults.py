"""Faults at the HTTP level in a real uvicorn: every kind, scripts, endpoint filters, seeds."""

from __future__ import annotations

import time
from pathlib import Path

import httpx
import pytest

from client.devtools.keys import DevKeys
from mock_server.faults import FaultInjector
from mock_server.settings import (
    FaultRule,
    FaultScript,
    FaultSettings,
    MockSettings,
    load_settings,
    parse_fault_spec,
)
from mock_server.testing import MockClient, dev_settings, envelope, make_document, running_mock

pytestmark = pytest.mark.timeout(90)


def _settings(tmp: Path, faults: FaultSettings) -> MockSettings:
    return dev_settings(tmp, faults=faults, admin_token="adm", rate_limit_per_second=0)


def test_parse_fault_spec() -> None:
    rules = parse_fault_spec("500:0.1,429:0.05,accept-drop:0.1, slow:1@POST /aanleveringen")
    assert [(r.kind, r.probability, r.endpoint) for r in rules] == [
        ("500", 0.1, None),
        ("429", 0.05, None),
        ("accept-drop", 0.1, None),
        ("slow", 1.0, "POST /aanleveringen"),
    ]
    with pytest.raises(ValueError, match="unknown fault kind"):
        parse_fault_spec("boom:0.5")
    with pytest.raises(ValueError):
        parse_fault_spec("500:often")
    with pytest.raises(ValueError):
        parse_fault_spec("500:1.5")


def test_same_seed_same_faults() -> None:
    rules = parse_fault_spec("500:0.3,503:0.2,reset:0.1")

    def run(seed: int) -> list[str | None]:
        injector = FaultInjector(FaultSettings(rules=rules, seed=seed))
        return [injector.choose("GET", "/v1/aanleverperiodes") for _ in range(200)]

    assert run(7) == run(7)
    assert run(7) != run(8)
    first = run(7)
    assert 40 < sum(k == "500" for k in first) < 80  # roughly 30 %


def test_scripts_and_endpoint_filters() -> None:
    settings = FaultSettings(
        scripts=[FaultScript(endpoint="POST /aanleveringen", sequence=["503", "ok", "500"])],
        rules=[FaultRule(kind="429", probability=1.0, endpoint="GET /aanleveringen/{id}")],
    )
    injector = FaultInjector(settings)
    posts = [injector.choose("POST", "/v1/aanleveringen") for _ in range(5)]
    assert posts == ["503", None, "500", None, None]
    assert injector.choose("GET", "/v1/aanleveringen/abc") == "429"
    assert injector.choose("GET", "/v1/aanleveringen") is None
    assert injector.choose("GET", "/v1/aanleveringen/abc/op-orde-rapport") is None


def test_config_file_scripts(tmp_path: Path) -> None:
    config = tmp_path / "mock.toml"
    config.write_text(
        """
[mock]
db = ":memory:"
token_ttl_seconds = 60

[mock.faults]
seed = 3
retry_after_seconds = 2

[[mock.faults.scripts]]
endpoint = "POST /v1/aanleveringen"
sequence = ["503", "503", "503"]
""",
        encoding="utf-8",
    )
    settings = load_settings(config)
    assert settings.token_ttl_seconds == 60 and settings.faults.seed == 3
    assert settings.faults.scripts[0].sequence == ["503", "503", "503"]
    yaml_config = tmp_path / "mock.yaml"
    yaml_config.write_text(
        "db: ':memory:'\nfaults:\n  rules:\n    - {kind: '500', probability: 0.5}\n", encoding="utf-8"
    )
    assert load_settings(yaml_config).faults.rules[0].probability == 0.5
    assert load_settings(yaml_config, db="x.sqlite").db == "x.sqlite"  # arguments win


def test_fail_three_times_then_succeed(tmp_path: Path) -> None:
    faults = FaultSettings(
        scripts=[FaultScript(endpoint="POST /aanleveringen", sequence=["503", "503", "503"])],
        retry_after_seconds=2,
    )
    settings = _settings(tmp_path, faults)
    with running_mock(settings) as url, MockClient(url, DevKeys.load(tmp_path / "keys").signer()) as client:
        body = envelope(make_document("2026H1", 2, seed=1))
        statuses = []
        for _ in range(4):
            r = client.deliver(body)
            statuses.append(r.status_code)
            if r.status_code == 503:
                assert r.headers["retry-after"] == "2"
                assert r.headers["content-type"].startswith("application/problem+json")
                assert r.headers["api-version"] and r.headers["nlgov-adr-payload-sig"]
        assert statuses == [503, 503, 503, 202]
        assert client.get("/aanleveringen").json()["total"] == 1


def test_every_kind_over_http(tmp_path: Path) -> None:
    sequence = ["500", "502", "503", "429", "latency", "reset", "accept-drop", "ok", "slow"]
    faults = FaultSettings(
        scripts=[FaultScript(endpoint="POST /aanleveringen", sequence=sequence)],
        latency_seconds=0.4,
        slow_seconds=2.0,
    )
    with running_mock(_settings(tmp_path, faults)) as url:
        signer = DevKeys.load(tmp_path / "keys").signer()
        with MockClient(url, signer, timeout=1.2) as client:
            client.token()

            def body(seed: int) -> bytes:
                return envelope(make_document("2026H1", 2, seed=seed))

            for status in (500, 502, 503, 429):
                r = client.deliver(body(status))
                assert r.status_code == status
                assert ("retry-after" in r.headers) == (status in (429, 503))
            assert client.get("/aanleveringen").json()["total"] == 0  # nothing processed

            started = time.monotonic()
            assert client.deliver(body(1)).status_code == 202  # latency
            assert time.monotonic() - started >= 0.4

            with pytest.raises((httpx.ReadError, httpx.RemoteProtocolError)):
                client.deliver(body(2))  # reset: nothing processed
            assert client.get("/aanleveringen").json()["total"] == 1

            dropped = body(3)
            with pytest.raises(httpx.RemoteProtocolError):
                client.deliver(dropped, key="drop-1")  # accept-drop: processed and committed
            assert client.get("/aanleveringen").json()["total"] == 2
            replay = client.deliver(dropped, key="drop-1")
            assert replay.status_code == 202 and replay.headers["idempotency-replayed"] == "true"

            slow = body(4)
            with pytest.raises(httpx.ReadTimeout):
                client.deliver(slow, key="slow-1")  # slower than the client's timeout
            replay = client.deliver(slow, key="slow-1")
            assert replay.status_code == 202 and replay.headers["idempotency-replayed"] == "true"
            assert client.get("/aanleveringen").json()["total"] == 3

            log = client.http.get(f"{url}/admin/requests", headers={"Authorization": "Bearer adm"}).json()
            recorded = {r["fault"] for r in log["requests"] if r["fault"]}
            assert {"500", "502", "503", "429", "latency", "reset", "accept-drop"} <= recorded


def test_seeded_faults_reproducible_over_http(tmp_path: Path) -> None:
    def statuses(tag: str) -> list[int | str]:
        faults = FaultSettings(rules=parse_fault_spec("500:0.3,503:0.2,reset:0.1"), seed=11)
        out: list[int | str] = []
        with running_mock(_settings(tmp_path / tag, faults)) as url:
            for _ in range(12):
                try:
                    # unauthenticated (401 unless a fault comes first), a fresh connection each time
                    out.append(httpx.get(f"{url}/aanleverperiodes", timeout=5).status_code)
                except httpx.TransportError as exc:
                    out.append(type(exc).__name__)
        return out

    first, second = statuses("a"), statuses("b")
    assert first == second
    assert len(set(first)) > 1
