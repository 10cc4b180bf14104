"""The mock's clock: `--today` and `/admin/clock` move periods, deadlines, key and token expiry."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import httpx
import pytest
from click.testing import CliRunner

from client.devtools.keys import DevKeys
from mock_server.cli import app
from mock_server.clock import Clock
from mock_server.pytest_plugin import DdasMock
from mock_server.testing import MockClient, envelope, make_document

pytestmark = pytest.mark.timeout(60)


@pytest.fixture
def client(ddas_mock: DdasMock) -> Iterator[MockClient]:
    signer = DevKeys.load(ddas_mock.dev_dir).signer()
    with MockClient(ddas_mock.base_url, signer, ddas_mock.client_id, ddas_mock.client_secret) as c:
        yield c


def move(ddas_mock: DdasMock, client: MockClient, day: date) -> None:
    """Move the clock; a token issued before a jump forward has expired, so take a new one."""
    ddas_mock.set_today(day)
    client._token = None


def test_clock_unit() -> None:
    clock = Clock(date(2027, 7, 1))
    assert clock.today() == date(2027, 7, 1) and clock.moved
    assert clock.now_datetime().hour == 12  # starts at noon UTC, then runs
    clock.set_today(None)
    assert not clock.moved
    assert clock.today() in {datetime.now(UTC).date(), datetime.now(UTC).date() + timedelta(days=1)}


def test_periods_follow_the_clock(ddas_mock: DdasMock, client: MockClient) -> None:
    ddas_mock.set_today(date(2026, 3, 1))
    periods = client.get("/aanleverperiodes").json()
    assert periods["vandaag"] == "2026-03-01"
    assert "2026-H1" in periods["open"] and "2026-H2" not in periods["open"]
    body = envelope(make_document("2025H1", 2, seed=3))
    assert client.deliver(body, key="before").status_code == 202
    move(ddas_mock, client, date(2027, 1, 1))  # 2025H1 closed on 2026-12-31
    closed = client.deliver(body, key="after")
    assert closed.status_code == 409
    assert closed.json()["deadline"] == "2026-12-31"
    assert client.get("/aanleverperiodes").json()["vandaag"] == "2027-01-01"


def test_withdrawal_deadline_follows_the_clock(ddas_mock: DdasMock, client: MockClient) -> None:
    ddas_mock.set_today(date(2026, 12, 30))
    delivered = client.deliver(envelope(make_document("2025H1", 2, seed=4)))
    link = f"/aanleveringen/{delivered.json()['id']}/intrekking"
    move(ddas_mock, client, date(2027, 1, 2))
    late = client.post(link)
    assert late.status_code == 409 and late.json()["type"].endswith("withdrawal-deadline-passed")
    move(ddas_mock, client, date(2026, 12, 31))
    assert client.post(link).json()["status"] == "ingetrokken"


def test_token_and_idempotency_expiry_follow_the_clock(ddas_mock: DdasMock, client: MockClient) -> None:
    ddas_mock.set_today(date(2026, 10, 1))
    first = envelope(make_document("2026H1", 2, seed=5))
    assert client.deliver(first, key="k-1").status_code == 202
    other = envelope(make_document("2026H1", 2, seed=6))
    assert client.deliver(other, key="k-1").status_code == 422  # the key is remembered (48 h)
    ddas_mock.set_today(date(2026, 10, 4))
    expired = client.get("/aanleverperiodes")
    assert expired.status_code == 401 and "expired" in expired.json()["detail"]
    client._token = None  # a new token on the moved clock
    assert client.deliver(other, key="k-1").status_code == 202  # the key has expired


def test_admin_clock_endpoints(ddas_mock: DdasMock) -> None:
    admin = ddas_mock.admin
    moved = admin.put("/clock", json={"today": "2027-07-01"}).json()
    assert moved["today"] == "2027-07-01" and moved["moved"] and moved["now"].startswith("2027-07-01T12:")
    assert admin.get("/clock").json()["startedAt"] == "2027-07-01"
    real = admin.delete("/clock").json()
    assert not real["moved"] and real["startedAt"] is None
    assert date.fromisoformat(real["today"]) >= date(2026, 1, 1)
    for body, words in (
        (b"not json", "not JSON"),
        (b"{}", "/today must be a date"),
        (b'{"today": "2027-13-01"}', "/today must be a date"),
        (b'{"today": "2027-07-01", "tomorrow": 1}', "unknown field(s) tomorrow"),
        (b'{"today": "1999-12-31"}', "outside 2000-01-01..2199-12-31"),
        (b"[" * 9 + b"]" * 9, "nested more than 8 levels deep"),  # the admin routes' one body reader
    ):
        r = admin.put("/clock", content=body)
        assert r.status_code == 400, body
        assert words in r.json()["detail"]
    assert admin.put("/clock", content=b" " * 2000).status_code == 413  # the body is read at most 1 KiB
    assert httpx.put(f"{ddas_mock.base_url}/admin/clock", json={"today": "2027-07-01"}).status_code == 401


def test_serve_today_option() -> None:
    bad = CliRunner().invoke(app, ["serve", "--today", "1-7-2027", "--db", ":memory:"])
    assert bad.exit_code == 2
    assert "--today '1-7-2027' is not a date; write YYYY-MM-DD" in bad.output
    assert "Traceback" not in bad.output


@pytest.mark.timeout(90)
def test_serve_today_starts_the_clock(tmp_path: Path) -> None:
    from tests.test_mock_cli import _serve, _stop

    process, base = _serve(tmp_path, "--dev", str(tmp_path / "keys"), "--today", "2027-07-01")
    try:
        with MockClient(base, None) as c:
            assert c.get("/aanleverperiodes").json()["vandaag"] == "2027-07-01"
        clock = httpx.get(f"{base}/admin/clock", headers={"Authorization": "Bearer dev"}, timeout=10).json()
        assert clock["startedAt"] == "2027-07-01"
    finally:
        out = _stop(process)
    assert "clock: today is 2027-07-01" in out
    assert "test scenarios on" in out
