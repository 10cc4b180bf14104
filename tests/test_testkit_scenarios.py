"""Test scenarios (`DDAS-Test-Scenario`) over real HTTP, with the vendor's fixture `ddas_mock`."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from client.devtools.keys import DevKeys
from mock_server.pytest_plugin import DdasMock
from mock_server.scenarios import CODE, MAX_POLLS, NAMES
from mock_server.settings import MockSettings
from mock_server.testing import MockClient, envelope, make_document, running_mock

pytestmark = pytest.mark.timeout(60)
HEADER = "DDAS-Test-Scenario"


@pytest.fixture
def client(ddas_mock: DdasMock) -> Iterator[MockClient]:
    signer = DevKeys.load(ddas_mock.dev_dir).signer()
    with MockClient(ddas_mock.base_url, signer, ddas_mock.client_id, ddas_mock.client_secret) as c:
        yield c


def page(seed: int = 1) -> bytes:
    return envelope(make_document("2026H1", 3, seed=seed))


def scenario(name: str) -> dict[str, str]:
    return {HEADER: name}


def deliveries(client: MockClient) -> int:
    total: int = client.get("/aanleveringen").json()["total"]
    return total


def test_technisch_afgekeurd(ddas_mock: DdasMock, client: MockClient) -> None:
    r = client.deliver(page(), headers=scenario("technisch_afgekeurd"))
    assert r.status_code == 202, r.text
    delivery = client.get(f"/aanleveringen/{r.json()['id']}").json()
    assert delivery["status"] == "technisch_afgekeurd"
    assert [f["code"] for f in delivery["findings"] if f["severity"] == "error"] == [CODE]
    # the same content without the header is approved: the scenario, not the page, refused it
    assert client.deliver(page(), key="no-scenario").json()["status"] == "technisch_goedgekeurd"
    logged = [r for r in ddas_mock.requests() if r["scenario"]]
    assert [(r["method"], r["scenario"], r["status"]) for r in logged] == [
        ("POST", "technisch_afgekeurd", 202)
    ]


def test_in_behandeling_for_n_polls(client: MockClient) -> None:
    r = client.deliver(page(), headers=scenario("in_behandeling:2"))
    assert r.status_code == 202 and r.json()["status"] == "in_behandeling"
    link = f"/aanleveringen/{r.json()['id']}"
    for _ in range(2):
        assert client.get(f"{link}/op-orde-rapport").status_code == 409  # not a status poll
        poll = client.get(link)
        assert poll.json()["status"] == "in_behandeling"
        assert int(poll.headers["Retry-After"]) >= 1
    final = client.get(link)
    assert final.json()["status"] == "technisch_goedgekeurd"
    assert "Retry-After" not in final.headers


@pytest.mark.parametrize("status", [500, 502, 503, 429])
def test_http_status_scenarios(client: MockClient, status: int) -> None:
    r = client.deliver(page(), headers=scenario(str(status)))
    assert r.status_code == status
    assert r.headers["content-type"] == "application/problem+json"
    assert ("retry-after" in r.headers) == (status in (429, 503))
    assert deliveries(client) == 0  # nothing processed
    assert client.get("/aanleverperiodes", headers=scenario(str(status))).status_code == status


def test_accept_drop_commits_then_drops(ddas_mock: DdasMock, client: MockClient) -> None:
    with pytest.raises(httpx.RemoteProtocolError):
        client.deliver(page(), headers=scenario("accept-drop"))
    assert deliveries(client) == 1  # committed: a retry with the same key gets the stored answer
    again = client.deliver(page())
    assert again.status_code == 202 and again.headers["Idempotency-Replayed"] == "true"
    dropped = [r for r in ddas_mock.requests() if r["scenario"] == "accept-drop"]
    assert dropped and dropped[0]["fault"] == "accept-drop"


def test_slow_holds_the_answer(ddas_mock: DdasMock, client: MockClient) -> None:
    with pytest.raises(httpx.ReadTimeout):
        client.http.get(
            f"{ddas_mock.base_url}/aanleverperiodes",
            headers={**client.auth(), **scenario("slow:3")},
            timeout=httpx.Timeout(0.3, connect=5.0),
        )
    r = client.get("/aanleverperiodes", headers=scenario("slow:0"))
    assert r.status_code == 200


def test_period_closed_and_signature_invalid(client: MockClient) -> None:
    closed = client.deliver(page(), headers=scenario("period-closed"))
    assert closed.status_code == 409 and closed.json()["type"].endswith("period-closed")
    refused = client.deliver(page(), headers=scenario("signature-invalid"))
    assert refused.status_code == 401
    assert refused.json()["reason"] == "signature-invalid"
    assert deliveries(client) == 0


def test_token_expired_on_the_next_request(client: MockClient) -> None:
    assert client.get("/aanleverperiodes", headers=scenario("token-expired")).status_code == 200
    expired = client.get("/aanleverperiodes")
    assert expired.status_code == 401
    assert "expired" in expired.json()["detail"]
    assert 'error="invalid_token"' in expired.headers["WWW-Authenticate"]


@pytest.mark.parametrize(
    ("value", "words"),
    [
        ("boom", "unknown test scenario 'boom'"),
        ("in_behandeling:0", f"from 1 to {MAX_POLLS}"),
        (f"in_behandeling:{MAX_POLLS + 1}", f"from 1 to {MAX_POLLS}"),
        ("slow:1e9", "from 0 to 300"),
        ("slow:nan", "from 0 to 300"),
        ("x" * 500, "..."),
    ],
)
def test_bad_scenarios_are_400(client: MockClient, value: str, words: str) -> None:
    r = client.get("/aanleverperiodes", headers=scenario(value))
    assert r.status_code == 400, r.text
    assert words in r.json()["detail"]
    if value == "boom":
        assert r.json()["known"] == list(NAMES)
        assert all(name in r.json()["detail"] for name in NAMES)


def test_delivery_scenario_elsewhere_is_400(client: MockClient) -> None:
    r = client.get("/aanleverperiodes", headers=scenario("technisch_afgekeurd"))
    assert r.status_code == 400
    assert "POST /aanleveringen" in r.json()["detail"]
    no_token = httpx.get(f"{client.base_url}/aanleverperiodes", headers=scenario("token-expired"), timeout=10)
    assert no_token.status_code == 400 and "bearer token" in no_token.json()["detail"]


def test_scenarios_off_outside_development_mode(tmp_path: Path) -> None:
    settings = MockSettings(db=str(tmp_path / "off.sqlite"))
    with running_mock(settings) as url:
        r = httpx.get(f"{url}/aanleverperiodes", headers=scenario("500"), timeout=10)
        assert r.status_code == 400
        assert "--test-scenarios" in r.json()["detail"]
        assert r.headers["content-type"] == "application/problem+json"
    on = MockSettings(db=str(tmp_path / "on.sqlite"), test_scenarios=True)
    with running_mock(on) as url:
        assert httpx.get(f"{url}/aanleverperiodes", headers=scenario("503"), timeout=10).status_code == 503


def test_no_bsn_from_the_header_in_answers_or_log(ddas_mock: DdasMock, client: MockClient) -> None:
    r = client.get("/aanleverperiodes", headers=scenario("123456789"))
    assert r.status_code == 400 and "123456789" not in r.text and "*****6789" in r.text
    assert "123456789" not in ddas_mock.admin.get("/requests").text


def test_request_log_of_an_older_database_gains_the_scenario_column(tmp_path: Path) -> None:
    import sqlite3

    from mock_server.store import Store

    path = tmp_path / "old.sqlite"
    with sqlite3.connect(path) as old:
        old.execute(
            "CREATE TABLE requests (id INTEGER PRIMARY KEY AUTOINCREMENT, time REAL NOT NULL, "
            "client_id TEXT, "
            "method TEXT NOT NULL, path TEXT NOT NULL, query TEXT NOT NULL, status INTEGER, "
            "headers TEXT NOT NULL, body_sha256 TEXT NOT NULL, body_size INTEGER NOT NULL, "
            "signature_profile TEXT, duration_ms REAL, fault TEXT)"
        )
    store = Store(path)
    with store.tx() as db:
        columns = {row[1] for row in db.execute("PRAGMA table_info(requests)")}
    store.close()
    assert "scenario" in columns
