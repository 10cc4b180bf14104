"""client.wire.transport with respx: every retry decision, Retry-After, budget, deadline, token handling."""

from __future__ import annotations

import base64
import email.utils
import logging
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import parse_qs

import httpx
import pytest
import respx
from tenacity import RetryError

from client.wire.transport import (
    AuthError,
    ClientCredentialsAuth,
    DeliveryHTTPError,
    RetryBudget,
    RetryPolicy,
    parse_retry_after,
)

API = "https://receiver.test/v1/aanleveringen"
TOKEN_URL = "https://receiver.test/v1/oauth/token"
SECRET = "s3cr3t-value"


class FakeClock:
    """Time that only moves when the policy sleeps (or the test says so)."""

    def __init__(self) -> None:
        self.now = 1000.0
        self.sleeps: list[float] = []

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


def policy(clock: FakeClock, **kwargs: Any) -> RetryPolicy:
    kwargs.setdefault("random", lambda: 1.0)
    kwargs.setdefault("base", 1.0)
    kwargs.setdefault("cap", 8.0)
    return RetryPolicy(sleep=clock.sleep, clock=clock, **kwargs)


def post(client: httpx.Client) -> Callable[[], httpx.Response]:
    return lambda: client.post(API, content=b'{"gegevens": {}}', headers={"Idempotency-Key": "k1"})


# ------------------------------------------------------------------------------------------ statuses


@pytest.mark.parametrize("status", [200, 202, 400, 401, 403, 404, 409, 413, 415, 422])
@respx.mock
def test_never_retried(status: int, clock: FakeClock) -> None:
    route = respx.post(API).mock(return_value=httpx.Response(status))
    with httpx.Client() as client:
        response = policy(clock).call(post(client))
    assert response.status_code == status
    assert route.call_count == 1 and clock.sleeps == []


@pytest.mark.parametrize("status", [429, 502, 503, 504])
@respx.mock
def test_retried_statuses(status: int, clock: FakeClock) -> None:
    route = respx.post(API).mock(
        side_effect=[httpx.Response(status), httpx.Response(status), httpx.Response(202)]
    )
    with httpx.Client() as client:
        response = policy(clock).call(post(client))
    assert response.status_code == 202
    assert route.call_count == 3 and clock.sleeps == [1.0, 2.0]


@respx.mock
def test_500_is_retried_once(clock: FakeClock) -> None:
    route = respx.post(API).mock(side_effect=[httpx.Response(500), httpx.Response(202)])
    with httpx.Client() as client:
        assert policy(clock).call(post(client)).status_code == 202
    assert route.call_count == 2

    route.reset()
    route.mock(side_effect=[httpx.Response(500)] * 5)
    with httpx.Client() as client, pytest.raises(DeliveryHTTPError) as caught:
        policy(clock).call(post(client))
    assert caught.value.response.status_code == 500
    assert route.call_count == 2


@respx.mock
def test_exhausted_raises_delivery_error_with_last_response_not_retry_error(clock: FakeClock) -> None:
    route = respx.post(API).mock(return_value=httpx.Response(503, json={"title": "down"}))
    with httpx.Client() as client, pytest.raises(DeliveryHTTPError) as caught:
        policy(clock, max_attempts=4).call(post(client))
    assert not isinstance(caught.value, RetryError)
    assert caught.value.status_code == 503 and caught.value.response.json() == {"title": "down"}
    assert "POST /v1/aanleveringen" in str(caught.value)
    assert route.call_count == 4 and len(clock.sleeps) == 3


# ------------------------------------------------------------------------------------------ waiting


@respx.mock
def test_backoff_is_exponential_full_jitter_capped(clock: FakeClock) -> None:
    respx.post(API).mock(return_value=httpx.Response(502))
    with httpx.Client() as client, pytest.raises(DeliveryHTTPError):
        policy(clock, max_attempts=6, random=lambda: 0.5).call(post(client))
    assert clock.sleeps == [0.5, 1.0, 2.0, 4.0, 4.0]  # half of min(8, 1, 2, 4, 8, 16)


def test_full_jitter_draws_from_zero_to_the_ceiling() -> None:
    assert RetryPolicy(base=1.0, cap=10.0, random=lambda: 0.0).backoff(5) == 0.0
    assert RetryPolicy(base=1.0, cap=10.0, random=lambda: 1.0).backoff(5) == 10.0
    assert RetryPolicy(base=0.5, cap=10.0, random=lambda: 1.0).backoff(1) == 0.5


@respx.mock
def test_retry_after_seconds(clock: FakeClock) -> None:
    respx.post(API).mock(side_effect=[httpx.Response(429, headers={"Retry-After": "7"}), httpx.Response(202)])
    with httpx.Client() as client:
        assert policy(clock).call(post(client)).status_code == 202
    assert clock.sleeps == [7.0]


@respx.mock
def test_retry_after_http_date(clock: FakeClock) -> None:
    when = email.utils.format_datetime(datetime.now(UTC) + timedelta(seconds=20), usegmt=True)
    respx.post(API).mock(
        side_effect=[httpx.Response(503, headers={"Retry-After": when}), httpx.Response(202)]
    )
    with httpx.Client() as client:
        assert policy(clock).call(post(client)).status_code == 202
    assert len(clock.sleeps) == 1 and 17.0 <= clock.sleeps[0] <= 20.0


@respx.mock
def test_retry_after_is_capped(clock: FakeClock) -> None:
    respx.post(API).mock(
        side_effect=[httpx.Response(503, headers={"Retry-After": "86400"}), httpx.Response(202)]
    )
    with httpx.Client() as client:
        assert policy(clock, retry_after_cap=30.0).call(post(client)).status_code == 202
    assert clock.sleeps == [30.0]


def test_parse_retry_after() -> None:
    now = datetime(2026, 6, 1, 12, 0, 0, tzinfo=UTC)
    assert parse_retry_after("120") == 120.0
    assert parse_retry_after(" 0 ") == 0.0
    assert parse_retry_after("Mon, 01 Jun 2026 12:01:00 GMT", now=now) == 60.0
    assert parse_retry_after("Mon, 01 Jun 2026 11:00:00 GMT", now=now) == 0.0
    assert parse_retry_after("-5") is None
    assert parse_retry_after("soon") is None
    assert parse_retry_after(None) is None


# ------------------------------------------------------------------------------------------ limits


@respx.mock
def test_deadline_stops_before_a_wait_that_would_pass_it(clock: FakeClock) -> None:
    route = respx.post(API).mock(return_value=httpx.Response(503, headers={"Retry-After": "6"}))
    with httpx.Client() as client, pytest.raises(DeliveryHTTPError):
        policy(clock, deadline=10.0, max_attempts=10).call(post(client))
    assert route.call_count == 2 and clock.sleeps == [6.0]


@respx.mock
def test_budget_shared_by_a_run_prevents_a_retry_storm(clock: FakeClock) -> None:
    budget = RetryBudget(total=2)
    route = respx.post(API).mock(return_value=httpx.Response(503))
    shared = policy(clock, max_attempts=5, budget=budget)
    with httpx.Client() as client:
        with pytest.raises(DeliveryHTTPError):
            shared.call(post(client))
        assert route.call_count == 3 and budget.exhausted
        with pytest.raises(DeliveryHTTPError):
            shared.call(post(client))
    assert route.call_count == 4 and budget.spent == 2 and budget.remaining == 0


# ------------------------------------------------------------------------------------------ exceptions


@pytest.mark.parametrize("error", [httpx.ConnectError, httpx.ReadTimeout, httpx.RemoteProtocolError])
@respx.mock
def test_transport_errors_are_retried(error: type[httpx.TransportError], clock: FakeClock) -> None:
    route = respx.post(API).mock(side_effect=[error("boom"), httpx.Response(202)])
    with httpx.Client() as client:
        assert policy(clock).call(post(client)).status_code == 202
    assert route.call_count == 2


@respx.mock
def test_original_exception_surfaces_after_the_last_attempt(clock: FakeClock) -> None:
    route = respx.post(API).mock(side_effect=httpx.ConnectError("connection refused"))
    with httpx.Client() as client, pytest.raises(httpx.ConnectError, match="refused"):
        policy(clock, max_attempts=3).call(post(client))
    assert route.call_count == 3


def test_other_exceptions_are_not_retried(clock: FakeClock) -> None:
    calls = []

    def broken() -> httpx.Response:
        calls.append(1)
        raise ValueError("bug")

    with pytest.raises(ValueError):
        policy(clock).call(broken)
    assert calls == [1]


@pytest.mark.parametrize("error", [httpx.UnsupportedProtocol, httpx.LocalProtocolError])
@respx.mock
def test_errors_a_retry_cannot_fix_are_not_retried(error: type[Exception], clock: FakeClock) -> None:
    route = respx.post(API).mock(side_effect=error("no"))
    with httpx.Client() as client, pytest.raises(error):
        policy(clock).call(post(client))
    assert route.call_count == 1 and clock.sleeps == []


@respx.mock
def test_retries_are_logged_without_bodies(clock: FakeClock, caplog: pytest.LogCaptureFixture) -> None:
    body = {"detail": "BSN 123456782 invalid"}
    respx.post(API).mock(side_effect=[httpx.Response(503, json=body), httpx.Response(202)])
    with caplog.at_level(logging.DEBUG, logger="ddas.transport"), httpx.Client() as client:
        policy(clock).call(post(client), what="page 1/1 of 2026H1")
    messages = [r.getMessage() for r in caplog.records if r.name == "ddas.transport"]
    assert any("503" in m and "waiting 1.00s" in m and "2026H1" in m for m in messages), messages
    assert not any("123456782" in m for m in messages)


# ------------------------------------------------------------------------------------------ tokens


def token_response(token: str = "tok-1", expires_in: int = 300) -> httpx.Response:
    return httpx.Response(200, json={"access_token": token, "token_type": "Bearer", "expires_in": expires_in})


def auth(clock: FakeClock, **kwargs: Any) -> ClientCredentialsAuth:
    return ClientCredentialsAuth(TOKEN_URL, "dev", SECRET, "aanleveren", clock=clock, **kwargs)


@respx.mock
def test_token_request_basic_auth_and_caching(clock: FakeClock) -> None:
    token_route = respx.post(TOKEN_URL).mock(side_effect=[token_response("tok-1"), token_response("tok-2")])
    api = respx.post(API).mock(return_value=httpx.Response(202))
    credentials = auth(clock, leeway=30)
    with httpx.Client(auth=credentials) as client:
        for _ in range(3):
            client.post(API, content=b"{}")
        assert token_route.call_count == 1
        assert [c.request.headers["Authorization"] for c in api.calls] == ["Bearer tok-1"] * 3
        clock.now += 300 - 30 - 1
        client.post(API, content=b"{}")
        assert token_route.call_count == 1
        clock.now += 2
        client.post(API, content=b"{}")
        assert (
            token_route.call_count == 2 and api.calls[-1].request.headers["Authorization"] == "Bearer tok-2"
        )
    request = token_route.calls[0].request
    form = parse_qs(request.content.decode())
    assert form == {"grant_type": ["client_credentials"], "scope": ["aanleveren"]}
    assert request.headers["Authorization"] == "Basic " + base64.b64encode(f"dev:{SECRET}".encode()).decode()
    assert request.headers["Content-Type"] == "application/x-www-form-urlencoded"


@respx.mock
def test_token_request_form_client_auth(clock: FakeClock) -> None:
    token_route = respx.post(TOKEN_URL).mock(return_value=token_response())
    assert auth(clock, client_auth="form").token() == "tok-1"
    request = token_route.calls[0].request
    form = parse_qs(request.content.decode())
    assert form["client_id"] == ["dev"] and form["client_secret"] == [SECRET]
    assert "Authorization" not in request.headers


@respx.mock
def test_short_lived_token_is_cached_for_half_its_life(clock: FakeClock) -> None:
    token_route = respx.post(TOKEN_URL).mock(return_value=token_response(expires_in=10))
    credentials = auth(clock, leeway=30)
    credentials.token()
    clock.now += 4
    credentials.token()
    assert token_route.call_count == 1
    clock.now += 2
    credentials.token()
    assert token_route.call_count == 2


@respx.mock
def test_401_fetches_a_new_token_once_and_retries_once(clock: FakeClock) -> None:
    token_route = respx.post(TOKEN_URL).mock(side_effect=[token_response("old"), token_response("new")])
    api = respx.post(API).mock(side_effect=[httpx.Response(401), httpx.Response(202)])
    with httpx.Client(auth=auth(clock)) as client:
        assert client.post(API, content=b"{}").status_code == 202
    assert token_route.call_count == 2
    assert [c.request.headers["Authorization"] for c in api.calls] == ["Bearer old", "Bearer new"]
    assert api.calls[1].request.content == b"{}"


@respx.mock
def test_401_twice_is_returned_not_retried_again(clock: FakeClock) -> None:
    token_route = respx.post(TOKEN_URL).mock(side_effect=[token_response("a"), token_response("b")])
    api = respx.post(API).mock(return_value=httpx.Response(401, headers={"WWW-Authenticate": "Bearer"}))
    with httpx.Client(auth=auth(clock)) as client:
        response = policy(clock).call(lambda: client.post(API, content=b"{}"))
    assert response.status_code == 401
    assert api.call_count == 2 and token_route.call_count == 2


@pytest.mark.parametrize("error", ["invalid_client", "invalid_scope", "unsupported_grant_type"])
@respx.mock
def test_token_endpoint_error_is_a_clear_auth_error(error: str, clock: FakeClock) -> None:
    respx.post(TOKEN_URL).mock(
        return_value=httpx.Response(401 if error == "invalid_client" else 400, json={"error": error})
    )
    api = respx.post(API).mock(return_value=httpx.Response(202))
    with httpx.Client(auth=auth(clock)) as client, pytest.raises(AuthError) as caught:
        policy(clock).call(lambda: client.post(API, content=b"{}"))
    assert caught.value.error == error and error in str(caught.value)
    assert SECRET not in str(caught.value)
    assert api.call_count == 0 and clock.sleeps == []


@respx.mock
def test_token_endpoint_unavailable_is_retried_by_the_policy(clock: FakeClock) -> None:
    respx.post(TOKEN_URL).mock(
        side_effect=[httpx.Response(503, text="busy", headers={"Retry-After": "3"}), token_response()]
    )
    respx.post(API).mock(return_value=httpx.Response(202))
    with httpx.Client(auth=auth(clock)) as client:
        assert policy(clock).call(lambda: client.post(API, content=b"{}")).status_code == 202
    assert clock.sleeps == [3.0]


@respx.mock
def test_token_answer_without_access_token(clock: FakeClock) -> None:
    respx.post(TOKEN_URL).mock(return_value=httpx.Response(200, json={"token_type": "Bearer"}))
    with pytest.raises(AuthError) as caught:
        auth(clock).token()
    assert caught.value.error == "invalid_response"


@respx.mock
def test_secret_and_token_never_logged(clock: FakeClock, caplog: pytest.LogCaptureFixture) -> None:
    respx.post(TOKEN_URL).mock(side_effect=[token_response("tok-secret-1"), token_response("tok-secret-2")])
    respx.post(API).mock(side_effect=[httpx.Response(401), httpx.Response(202)])
    credentials = auth(clock)
    with caplog.at_level(logging.DEBUG), httpx.Client(auth=credentials) as client:
        client.post(API, content=b"{}")
    text = caplog.text + repr(credentials)
    assert SECRET not in text and "tok-secret" not in text
