"""The push client's HTTP decisions, with respx (no server): what each answer of the receiver leads to.

The retry policy itself (statuses, Retry-After forms, budget, token refresh) is tested with the transport;
here: how `client.delivery.push` turns answers into page and delivery states, and that nothing is retried that
must not be.
"""

from __future__ import annotations

import json
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import httpx
import pytest
import respx

from client.delivery.config import load_settings
from client.delivery.identity import idempotency_key
from client.delivery.journal import Journal
from client.delivery.push import (
    NotDelivered,
    Pusher,
    Receiver,
    Refused,
    _Page,
)
from client.planning import page_hash

BASE = "http://receiver.test/v1"
TOKEN = {"access_token": "tok", "token_type": "Bearer", "expires_in": 300}


class _Signer:
    def sign(self, body: bytes) -> dict[str, str]:
        return {"Digest": "SHA-256=x", "nlgov-adr-payload-sig": "h..s"}


@pytest.fixture
def sleeps() -> list[float]:
    return []


@pytest.fixture
def pusher(tmp_path: Path, sleeps: list[float]) -> Any:
    settings = load_settings(
        None,
        base_url=BASE,
        client_id="c",
        client_secret="s",
        journal=tmp_path / "journal.sqlite",
        max_attempts=3,
        retry_budget=10,
        backoff_initial=0.0,
        backoff_max=0.0,
        retry_after_cap=5.0,
        poll_interval=0.5,
        poll_max_interval=4.0,
        poll_timeout=60.0,
    )
    journal = Journal(settings.journal)
    receiver = Receiver(settings, sleep=sleeps.append)
    p = Pusher(settings, journal, receiver=receiver, signer=_Signer(), sleep=sleeps.append)
    yield p
    receiver.close()
    journal.close()


def _page(p: Any, number: int = 1, total: int = 1) -> _Page:
    body = b'{"gegevens":{"aanleverdatumEnTijd":"2026-07-01T00:00:00Z","leveringen":[]}}'
    key = idempotency_key(BASE, "kvk:1", "2026H1", "SHV", number, page_hash(body))
    p.journal.pin_delivery(
        receiver=BASE,
        delivery_key="2026H1|kvk:1|SHV",
        content_hash="c",
        period="2026H1",
        organisatie="kvk:1",
        uitvraagdeel="SHV",
        aanleverdatum="2026-07-01T00:00:00Z",
        total_pages=total,
        trajecten=1,
    )
    p.journal.plan_page(
        idempotency_key=key,
        receiver=BASE,
        delivery_key="2026H1|kvk:1|SHV",
        content_hash="c",
        period="2026H1",
        organisatie="kvk:1",
        uitvraagdeel="SHV",
        page=number,
        total_pages=total,
        page_hash="h",
    )
    source = SimpleNamespace(
        body=body, number=number, total_pages=total, filename="SHV_2026H1_Org_SHV.json", content_hash="h"
    )
    return _Page(source, key)  # type: ignore[arg-type]


_DELIVERY: Any = SimpleNamespace(
    period=SimpleNamespace(code="2026H1"), organisation="kvk:1", uitvraagdeel="SHV"
)


def _problem(status: int, slug: str, **extra: Any) -> httpx.Response:
    body = {"type": f"https://ddas.example/problems/{slug}", "title": slug, "status": status, "detail": slug}
    body.update(extra)
    return httpx.Response(status, json=body, headers={"Content-Type": "application/problem+json"})


@respx.mock
def test_202_marks_the_page_sent_with_the_receiver_id(pusher: Any) -> None:
    respx.post(f"{BASE}/oauth/token").mock(return_value=httpx.Response(200, json=TOKEN))
    post = respx.post(f"{BASE}/aanleveringen").mock(
        return_value=httpx.Response(202, json={"id": "D1", "status": "ontvangen"})
    )
    page = _page(pusher)
    answer = pusher._send_page(page, _DELIVERY)
    assert answer.state == "sent" and answer.receiver_id == "D1" and not answer.replayed
    request = post.calls.last.request
    assert request.headers["Idempotency-Key"] == page.key
    assert request.headers["Authorization"] == "Bearer tok"
    assert request.headers["DDAS-Bestandsnaam"] == page.filename
    record = pusher.journal.page(page.key)
    assert record.state == "sent" and record.receiver_id == "D1" and record.attempts == 1


@respx.mock
def test_replay_after_a_lost_answer_is_success(pusher: Any, sleeps: list[float]) -> None:
    respx.post(f"{BASE}/oauth/token").mock(return_value=httpx.Response(200, json=TOKEN))
    respx.post(f"{BASE}/aanleveringen").mock(
        side_effect=[
            httpx.RemoteProtocolError("connection closed without response"),  # accept-then-drop
            httpx.Response(202, json={"id": "D1"}, headers={"Idempotency-Replayed": "true"}),
        ]
    )
    page = _page(pusher)
    answer = pusher._send_page(page, _DELIVERY)
    assert (answer.state, answer.receiver_id, answer.replayed) == ("sent", "D1", True)
    assert len(sleeps) == 1  # one retry, with the same key


@respx.mock
def test_400_with_findings_rejects_without_retry(pusher: Any) -> None:
    respx.post(f"{BASE}/oauth/token").mock(return_value=httpx.Response(200, json=TOKEN))
    finding = {"code": "R-SCHEMA-01", "severity": "error", "path": "/gegevens/x", "message": "m", "hint": ""}
    post = respx.post(f"{BASE}/aanleveringen").mock(
        return_value=_problem(400, "technical-check-failed", findings=[finding])
    )
    page = _page(pusher)
    answer = pusher._send_page(page, _DELIVERY)
    assert answer.state == "rejected" and post.call_count == 1
    assert answer.findings[0]["file"] == page.filename
    assert pusher.journal.page(page.key).state == "rejected"


@respx.mock
def test_409_in_flight_waits_retry_after_then_gets_the_answer(pusher: Any, sleeps: list[float]) -> None:
    respx.post(f"{BASE}/oauth/token").mock(return_value=httpx.Response(200, json=TOKEN))
    in_flight = _problem(409, "idempotency-key-in-flight")
    in_flight.headers["Retry-After"] = "2"
    respx.post(f"{BASE}/aanleveringen").mock(
        side_effect=[
            in_flight,
            httpx.Response(202, json={"id": "D7"}, headers={"Idempotency-Replayed": "true"}),
        ]
    )
    answer = pusher._send_page(_page(pusher), _DELIVERY)
    assert answer.receiver_id == "D7" and sleeps == [2.0]


@respx.mock
def test_422_same_key_other_bytes_is_reconciled_through_the_list(pusher: Any) -> None:
    """The journal was lost: the page went out before with another timestamp. Not sent twice."""
    respx.post(f"{BASE}/oauth/token").mock(return_value=httpx.Response(200, json=TOKEN))
    respx.post(f"{BASE}/aanleveringen").mock(return_value=_problem(422, "idempotency-key-reused"))
    listing = respx.get(f"{BASE}/aanleveringen").mock(
        return_value=httpx.Response(
            200,
            json={
                "aanleveringen": [
                    {"id": "OLD", "status": "vervangen", "uitvraagdeel": "SHV"},
                    {"id": "D9", "status": "technisch_goedgekeurd", "uitvraagdeel": "SHV"},
                ]
            },
        )
    )
    page = _page(pusher)
    answer = pusher._send_page(page, _DELIVERY)
    assert answer.state == "sent" and answer.receiver_id == "D9"
    assert listing.calls.last.request.url.params["periode"] == "2026-H1"
    assert listing.calls.last.request.url.params["organisatie"] == "kvk:1"


@respx.mock
def test_409_period_closed_is_refused_not_retried(pusher: Any) -> None:
    respx.post(f"{BASE}/oauth/token").mock(return_value=httpx.Response(200, json=TOKEN))
    post = respx.post(f"{BASE}/aanleveringen").mock(return_value=_problem(409, "period-closed"))
    answer = pusher._send_page(_page(pusher), _DELIVERY)
    assert answer.state == "refused" and post.call_count == 1


@respx.mock
def test_wrong_secret_is_refused_at_once(pusher: Any) -> None:
    token = respx.post(f"{BASE}/oauth/token").mock(
        return_value=httpx.Response(401, json={"error": "invalid_client", "error_description": "bad secret"})
    )
    post = respx.post(f"{BASE}/aanleveringen")
    with pytest.raises(Refused, match="client credentials"):
        pusher._send_page(_page(pusher), _DELIVERY)
    assert token.call_count == 1 and post.call_count == 0


@respx.mock
def test_signature_refused_is_refused_not_retried(pusher: Any) -> None:
    respx.post(f"{BASE}/oauth/token").mock(return_value=httpx.Response(200, json=TOKEN))
    post = respx.post(f"{BASE}/aanleveringen").mock(return_value=_problem(401, "signature-untrusted"))
    with pytest.raises(Refused, match="signing key"):
        pusher._send_page(_page(pusher), _DELIVERY)
    assert post.call_count == 2  # the token is refreshed once on a 401, then the answer stands


@respx.mock
def test_503_until_the_last_attempt_is_not_delivered(pusher: Any) -> None:
    respx.post(f"{BASE}/oauth/token").mock(return_value=httpx.Response(200, json=TOKEN))
    post = respx.post(f"{BASE}/aanleveringen").mock(return_value=_problem(503, "unavailable"))
    page = _page(pusher)
    with pytest.raises(NotDelivered, match="503"):
        pusher._send_page(page, _DELIVERY)
    assert post.call_count == 3  # max_attempts
    record = pusher.journal.page(page.key)
    assert record.state == "sending" and "503" in (record.last_problem or "")


@respx.mock
def test_poll_honours_retry_after_and_stops_at_a_final_state(pusher: Any, sleeps: list[float]) -> None:
    respx.post(f"{BASE}/oauth/token").mock(return_value=httpx.Response(200, json=TOKEN))
    respx.get(f"{BASE}/aanleveringen/D1").mock(
        side_effect=[
            httpx.Response(200, json={"id": "D1", "status": "in_behandeling"}, headers={"Retry-After": "3"}),
            httpx.Response(200, json={"id": "D1", "status": "in_behandeling"}),
            httpx.Response(200, json={"id": "D1", "status": "technisch_goedgekeurd", "findings": []}),
        ]
    )
    data = pusher.poll("D1")
    assert data["status"] == "technisch_goedgekeurd"
    assert sleeps == [3.0, 1.0]  # Retry-After, then the doubled poll interval


@respx.mock
def test_poll_gives_up_at_its_deadline(pusher: Any, sleeps: list[float]) -> None:
    pusher.settings.poll_timeout = 0.5
    respx.post(f"{BASE}/oauth/token").mock(return_value=httpx.Response(200, json=TOKEN))
    respx.get(f"{BASE}/aanleveringen/D1").mock(
        return_value=httpx.Response(
            200, json={"id": "D1", "status": "in_behandeling"}, headers={"Retry-After": "3"}
        )
    )
    data = pusher.poll("D1")
    assert data["status"] == "in_behandeling" and sleeps == []


@respx.mock
def test_unverifiable_answer_signature_is_not_trusted(tmp_path: Path) -> None:
    from client.devtools.keys import write_dev_keys

    keys = write_dev_keys(tmp_path / "keys")
    settings = load_settings(None, dev=keys.dir, base_url=BASE, journal=tmp_path / "j.sqlite", max_attempts=1)
    respx.post(f"{BASE}/oauth/token").mock(return_value=httpx.Response(200, json=TOKEN))
    respx.get(f"{BASE}/aanleverperiodes").mock(
        return_value=httpx.Response(200, json={"aanleverperiodes": []})
    )
    with Receiver(settings) as receiver, pytest.raises(NotDelivered, match="no valid signature"):
        receiver.periods()
    # a correctly signed answer is accepted
    body = json.dumps({"aanleverperiodes": [{"code": "2026H1", "open": True}]}).encode()
    headers = {"Content-Type": "application/json", **keys.signer().sign(body)}
    respx.get(f"{BASE}/aanleverperiodes").mock(
        return_value=httpx.Response(200, content=body, headers=headers)
    )
    with Receiver(settings) as receiver:
        assert receiver.periods()[0]["code"] == "2026H1"


def test_idempotency_key_is_stable_and_covers_every_part() -> None:
    base = ("http://r/v1", "kvk:1", "2026H1", "SHV", 1, "abc")
    key = idempotency_key(*base)
    assert key == idempotency_key(*base) and len(key) == 64
    assert idempotency_key("http://r/v1/", *base[1:]) == key  # a trailing slash is the same receiver
    for index, other in enumerate(("http://other/v1", "kvk:2", "2026H2", "GM0344", 2, "abd")):
        changed = list(base)
        changed[index] = other
        assert idempotency_key(*changed) != key


def test_page_hash_ignores_only_the_timestamp() -> None:
    body = (
        b'{"gegevens":{"startdatumLevering":"2026-01-01","aanleverdatumEnTijd":"2026-07-01T10:00:00Z","x":1}}'
    )
    later = body.replace(b"2026-07-01T10:00:00Z", b"2026-07-02T11:00:00Z")
    assert later != body and page_hash(later) == page_hash(body)
    assert page_hash(body.replace(b'"x":1', b'"x":2')) != page_hash(body)
    assert page_hash(body.replace(b"2026-01-01", b"2026-01-02")) != page_hash(body)
