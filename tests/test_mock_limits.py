"""Bounded input at the mock receiver, over real HTTP: the Idempotency-Key (length, once), failed client
authentications per client id, the nesting of admin bodies, and a busy database (503, never 500), which
the push client retries like any 503."""

from __future__ import annotations

import contextlib
import hashlib
import sqlite3
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import httpx
import pytest

from client.devtools.keys import DevKeys
from client.wire.ratelimit import RateLimiter
from mock_server.auth import FAILED_AUTH_LIMIT
from mock_server.idempotency import MAX_KEY_LENGTH
from mock_server.settings import ClientConfig, MockSettings
from mock_server.testing import MockClient, dev_settings, envelope, make_document, running_mock

pytestmark = pytest.mark.timeout(120)

ADMIN = {"Authorization": "Bearer admin-secret"}
BUSY_TIMEOUT = 0.2


class Mock:
    def __init__(self, url: str, client: MockClient, settings: MockSettings) -> None:
        self.url, self.client, self.settings = url, client, settings


@pytest.fixture(scope="module")
def mock(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Mock]:
    tmp = tmp_path_factory.mktemp("limits")
    settings = dev_settings(
        tmp,
        today=date(2026, 11, 28),
        admin_token="admin-secret",
        rate_limit_per_second=0,
        busy_timeout_seconds=BUSY_TIMEOUT,
        clients=[ClientConfig(id="victim", secret="right"), ClientConfig(id="bystander", secret="b")],
    )
    with running_mock(settings) as url, MockClient(url, DevKeys.load(tmp / "keys").signer()) as client:
        yield Mock(url, client, settings)


def _problem(response: httpx.Response, status: int) -> dict[str, Any]:
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    body: dict[str, Any] = response.json()
    assert body["status"] == status and body["detail"]
    return body


def _send(mock: Mock, body: bytes, keys: list[str]) -> httpx.Response:
    """POST a signed page with these Idempotency-Key headers (zero, one or several)."""
    assert mock.client.signer is not None
    headers: list[tuple[str, str]] = [
        ("Content-Type", "application/json"),
        *mock.client.auth().items(),
        *mock.client.signer.sign(body).items(),
        *(("Idempotency-Key", key) for key in keys),
    ]
    return mock.client.http.post(f"{mock.url}/aanleveringen", content=body, headers=headers)


# ------------------------------------------------------------------------------------- Idempotency-Key


def test_idempotency_key_at_most_255_characters_and_sent_once(mock: Mock) -> None:
    body = envelope(make_document("2026H1", 3, seed=31))
    too_long = _problem(_send(mock, body, ["k" * (MAX_KEY_LENGTH + 1)]), 400)
    assert str(MAX_KEY_LENGTH) in too_long["detail"] and too_long["limit"] == MAX_KEY_LENGTH
    quoted = _problem(_send(mock, body, ['"' + "k" * (MAX_KEY_LENGTH + 1) + '"']), 400)
    assert quoted["type"] == too_long["type"]
    twice = _problem(_send(mock, body, ["a", "b"]), 400)
    assert "2 Idempotency-Key headers" in twice["detail"]
    _problem(_send(mock, body, ["same", "same"]), 400)
    assert _send(mock, body, ["k" * MAX_KEY_LENGTH]).status_code == 202
    # withdrawal checks the header the same way
    withdraw = mock.client.post(
        "/aanleveringen/any-id/intrekking", headers={"Idempotency-Key": "w" * (MAX_KEY_LENGTH + 1)}
    )
    _problem(withdraw, 400)


# ------------------------------------------------------------------------------- failed authentication


def _token(mock: Mock, client_id: str, secret: str) -> httpx.Response:
    return mock.client.http.post(
        f"{mock.url}/oauth/token",
        data={"grant_type": "client_credentials", "client_id": client_id, "client_secret": secret},
    )


def test_ten_failed_authentications_of_one_client_id_answer_429(mock: Mock) -> None:
    for _ in range(FAILED_AUTH_LIMIT):
        wrong = _token(mock, "victim", "guess")
        assert wrong.status_code == 401 and wrong.json()["error"] == "invalid_client"
    locked = _problem(_token(mock, "victim", "right"), 429)  # the right secret too, until it refills
    assert locked["type"].endswith("authentication-locked") and locked["error"] == "invalid_client"
    retry_after = _token(mock, "victim", "guess").headers["Retry-After"]
    assert retry_after.isdigit() and 1 <= int(retry_after) <= 60
    # other client ids, and unknown ones, are not affected
    assert _token(mock, "bystander", "b").status_code == 200
    for _ in range(FAILED_AUTH_LIMIT + 1):
        assert _token(mock, "nobody", "x").status_code == 401
    # the admin reset forgets the count
    assert mock.client.http.post(f"{mock.url}/admin/reset", headers=ADMIN).status_code == 200
    assert _token(mock, "victim", "right").status_code == 200


def test_the_failure_count_refills_over_the_window() -> None:
    now = [0.0]
    failures = RateLimiter(FAILED_AUTH_LIMIT / 60.0, FAILED_AUTH_LIMIT, clock=lambda: now[0])
    for _ in range(FAILED_AUTH_LIMIT):
        assert failures.peek("c") == 0.0
        failures.acquire("c")
    assert failures.peek("c") == pytest.approx(6.0)
    assert failures.peek("c") == pytest.approx(6.0)  # peeking takes nothing
    now[0] = 6.0
    assert failures.peek("c") == 0.0


# ---------------------------------------------------------------------------------------- admin bodies


@pytest.mark.parametrize(
    "body",
    [
        b"[" * 30_000 + b"]" * 30_000,  # beyond any parser's nesting limit, within the size limit
        b'{"rules": ' + b"[" * 20 + b"]" * 20 + b"}",  # parses, but deeper than a configuration
    ],
)
def test_an_admin_body_nested_too_deep_is_400(mock: Mock, body: bytes) -> None:
    response = mock.client.http.put(
        f"{mock.url}/admin/faults", content=body, headers={**ADMIN, "Content-Type": "application/json"}
    )
    assert "nested more than" in _problem(response, 400)["detail"]


def test_admin_bodies_are_bounded_and_a_fault_configuration_still_fits(mock: Mock) -> None:
    url = f"{mock.url}/admin/faults"
    headers = {**ADMIN, "Content-Type": "application/json"}
    _problem(mock.client.http.put(url, content=b" " * 70_000 + b"{}", headers=headers), 413)
    _problem(mock.client.http.put(url, content=b"{not json", headers=headers), 400)
    config = {"rules": [{"kind": "500", "probability": 0.0}], "scripts": [], "seed": 3}
    ok = mock.client.http.put(url, json=config, headers=ADMIN)
    assert ok.status_code == 200 and ok.json()["seed"] == 3
    assert mock.client.http.put(url, json={"rules": [], "scripts": []}, headers=ADMIN).status_code == 200


# ------------------------------------------------------------------------------------ a busy database


@contextlib.contextmanager
def write_locked(db: str) -> Iterator[sqlite3.Connection]:
    """Hold the write lock of the mock's database from another connection, as a second process would."""
    conn = sqlite3.connect(db, isolation_level=None, timeout=5)
    conn.execute("BEGIN IMMEDIATE")
    try:
        yield conn
    finally:
        conn.execute("ROLLBACK")
        conn.close()


def _busy(response: httpx.Response) -> None:
    body = _problem(response, 503)
    assert body["type"].endswith("store-busy")
    assert response.headers["Retry-After"].isdigit() and int(response.headers["Retry-After"]) >= 1


def test_a_locked_database_answers_503_with_retry_after_on_every_endpoint(mock: Mock) -> None:
    mock.client.token()  # before the lock: the token itself is in the database
    body = envelope(make_document("2026H1", 3, seed=32))
    key = hashlib.sha256(body).hexdigest()
    with write_locked(mock.settings.db):
        _busy(mock.client.get("/aanleverperiodes"))
        _busy(mock.client.get("/aanleveringen"))
        _busy(mock.client.deliver(body, key=key))
        _busy(_token(mock, "dev", "dev"))
        _busy(mock.client.http.get(f"{mock.url}/admin/requests", headers=ADMIN))
    # the lock is gone: everything works, and the page refused while busy is taken afresh
    assert mock.client.get("/aanleverperiodes").status_code == 200
    accepted = mock.client.deliver(body, key=key)
    assert accepted.status_code == 202 and "idempotency-replayed" not in accepted.headers


def test_the_push_client_retries_a_busy_database(tmp_path: Path) -> None:
    """`ddas push` meets a locked database on its first page: the 503 is retried, the delivery accepted."""
    from client.delivery.journal import Journal
    from client.delivery.push import Pusher, Receiver
    from client.devtools.keys import write_dev_keys
    from tests.test_push_support import client_settings, held, write_export
    from tests.test_push_support import running_mock as running_push_mock

    keys = write_dev_keys(tmp_path / "keys")
    export = write_export(tmp_path / "export.json", 20)
    db = tmp_path / "mock.sqlite"
    seen: list[int] = []

    class LockOnFirstPage(httpx.HTTPTransport):
        """Locks the database just before the first page is sent; unlocks once the 503 came back."""

        def handle_request(self, request: httpx.Request) -> httpx.Response:
            is_page = request.method == "POST" and request.url.path.endswith("/aanleveringen")
            if not (is_page and not seen):
                return super().handle_request(request)
            with write_locked(str(db)):
                response = super().handle_request(request)
                response.read()
            seen.append(response.status_code)
            return response

    with running_push_mock(db, keys.dir, busy_timeout_seconds=BUSY_TIMEOUT) as url:
        settings = client_settings(keys.dir, url, tmp_path / "journal.sqlite")
        receiver = Receiver(settings, transport=LockOnFirstPage())
        with Journal(settings.journal) as journal, receiver:
            pusher = Pusher(settings, journal, receiver=receiver, signer=keys.signer())
            result = pusher.run([export], ["2026H1"])
    assert seen == [503]
    assert [d.state for d in result.deliveries] == ["accepted"], result.to_dict()
    assert result.ok and result.problem is None
    held(db).assert_exactly_once(1, result.deliveries[0].pages)
