"""Which HTTP failures are retried, how long to wait, and when to give up (built on tenacity).

`PUSH-API.md`: retry connection errors, timeouts, 429, 502, 503, 504, and 500 once; never any other
4xx; exponential backoff with full jitter; `Retry-After` honoured up to a cap; a maximum of attempts and
an overall deadline per call; a `RetryBudget` shared by a whole run so that a dead receiver causes no
retry storm. Retrying a POST is only safe because every POST carries an `Idempotency-Key`.
"""

from __future__ import annotations

import email.utils
import logging
import random as _random
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, NoReturn

import httpx
from tenacity import RetryCallState, Retrying

from client.privacy import mask_text
from client.wire.transport.auth import AuthError

log = logging.getLogger("ddas.transport")

RETRYABLE_STATUSES = frozenset({429, 502, 503, 504})
RETRY_ONCE_STATUSES = frozenset({500})
# Transport errors that a retry cannot fix (a bad URL, a request we could not even encode).
_NOT_RETRYABLE_ERRORS: tuple[type[Exception], ...] = (httpx.UnsupportedProtocol, httpx.LocalProtocolError)


class DeliveryHTTPError(Exception):
    """A retryable HTTP answer (429, 5xx) was still there after the last allowed attempt."""

    def __init__(self, response: httpx.Response) -> None:
        self.response = response
        self.status_code = response.status_code
        try:
            where = f"{response.request.method} {response.request.url.path}"
        except RuntimeError:  # a response built without its request
            where = "request"
        super().__init__(f"{where}: HTTP {response.status_code} {response.reason_phrase} after retries")


def parse_retry_after(value: str | None, *, now: datetime | None = None) -> float | None:
    """`Retry-After` as seconds from now: delta-seconds or an HTTP-date; None when absent or unreadable."""
    if value is None:
        return None
    text = value.strip()
    if text.isdigit():
        return float(int(text))
    try:
        moment = email.utils.parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError):
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return max(0.0, (moment - (now or datetime.now(UTC))).total_seconds())


class RetryBudget:
    """At most `total` retries for a whole run (thread-safe); once spent, errors surface at once."""

    def __init__(self, total: int = 50) -> None:
        self.total = total
        self._spent = 0
        self._lock = threading.Lock()

    def try_spend(self) -> bool:
        with self._lock:
            if self._spent >= self.total:
                return False
            self._spent += 1
            return True

    @property
    def spent(self) -> int:
        return self._spent

    @property
    def remaining(self) -> int:
        return max(0, self.total - self._spent)

    @property
    def exhausted(self) -> bool:
        return self.remaining == 0


@dataclass
class _CallState:
    started: float
    five_hundreds: int = 0
    stop_reason: str = ""


@dataclass
class RetryPolicy:
    """Runs one HTTP call with retries.

    `call(fn)` calls `fn()` (which sends the request and returns the response) until it gets an answer
    that is not retryable, and returns that answer, whatever its status (2xx, 3xx, any 4xx but 429:
    the caller decides). When a retryable status (429, 502, 503, 504, or a 500 already retried
    `retries_of_500` times) is still there after the last allowed attempt, `DeliveryHTTPError(response)`
    is raised; when a retryable exception (connection error, timeout, a 429/5xx from the token endpoint
    as AuthError) is, that original exception is raised. Never tenacity's RetryError. Other exceptions
    are raised at once.

    Attempts stop at `max_attempts`, when the next wait would pass `deadline` seconds since the call
    started, or when the shared `budget` is spent. Waits: full jitter, `random() * min(cap, base * 2**n)`;
    a `Retry-After` (seconds or HTTP-date) replaces it, capped at `retry_after_cap`.
    `sleep`, `random` and `clock` are injectable for deterministic tests.
    """

    max_attempts: int = 6
    base: float = 0.5
    cap: float = 30.0
    retry_after_cap: float = 120.0
    deadline: float | None = 600.0
    budget: RetryBudget | None = None
    retries_of_500: int = 1
    sleep: Callable[[float], None] = time.sleep
    random: Callable[[], float] = _random.random
    clock: Callable[[], float] = time.monotonic
    logger: logging.Logger = field(default=log, repr=False)

    def call(self, fn: Callable[[], httpx.Response], *, what: str = "") -> httpx.Response:
        state = _CallState(started=self.clock())
        retrying = Retrying(
            retry=lambda rs: self._should_retry(rs, state),
            wait=self._wait,
            stop=lambda rs: self._should_stop(rs, state),
            sleep=self.sleep,
            before_sleep=lambda rs: self._log_retry(rs, what),
            retry_error_callback=lambda rs: self._give_up(rs, state, what),
        )
        result: httpx.Response = retrying(fn)
        return result

    # -- decisions

    @staticmethod
    def retryable_status(status: int) -> bool:
        """429, 502, 503, 504; and 500, whose repetition `_should_stop` limits to `retries_of_500`."""
        return status in RETRYABLE_STATUSES or status in RETRY_ONCE_STATUSES

    @staticmethod
    def retryable_exception(exc: BaseException) -> bool:
        if isinstance(exc, AuthError):
            return exc.status is not None and (exc.status in RETRYABLE_STATUSES or exc.status >= 500)
        return isinstance(exc, httpx.TransportError) and not isinstance(exc, _NOT_RETRYABLE_ERRORS)

    def _should_retry(self, rs: RetryCallState, state: _CallState) -> bool:
        outcome = rs.outcome
        if outcome is None:
            return False
        if outcome.failed:
            exc = outcome.exception()
            return exc is not None and self.retryable_exception(exc)
        response: httpx.Response = outcome.result()
        if response.status_code in RETRY_ONCE_STATUSES:
            state.five_hundreds += 1
        return self.retryable_status(response.status_code)

    def _retry_after(self, rs: RetryCallState) -> float | None:
        outcome = rs.outcome
        if outcome is None:
            return None
        if outcome.failed:
            exc = outcome.exception()
            return parse_retry_after(exc.retry_after) if isinstance(exc, AuthError) else None
        response: httpx.Response = outcome.result()
        return parse_retry_after(response.headers.get("Retry-After"))

    def backoff(self, attempt: int) -> float:
        """Full jitter: uniform in [0, min(cap, base * 2**(attempt-1))]."""
        return float(self.random()) * min(self.cap, self.base * 2.0 ** max(0, attempt - 1))

    def _wait(self, rs: RetryCallState) -> float:
        retry_after = self._retry_after(rs)
        if retry_after is not None:
            return min(retry_after, self.retry_after_cap)
        return self.backoff(rs.attempt_number)

    def _should_stop(self, rs: RetryCallState, state: _CallState) -> bool:
        if state.five_hundreds > self.retries_of_500:
            state.stop_reason = f"HTTP 500 is retried {self.retries_of_500} time(s) only"
            return True
        if rs.attempt_number >= self.max_attempts:
            state.stop_reason = "max_attempts reached"
            return True
        if self.deadline is not None and self.clock() - state.started + rs.upcoming_sleep > self.deadline:
            state.stop_reason = f"the next wait would pass the {self.deadline:g}s deadline"
            return True
        if self.budget is not None and not self.budget.try_spend():
            state.stop_reason = "the run's retry budget is spent"
            return True
        return False

    # -- reporting

    @staticmethod
    def _describe(rs: RetryCallState) -> str:
        outcome = rs.outcome
        if outcome is None:
            return "no outcome"
        if outcome.failed:
            exc = outcome.exception()
            return mask_text(f"{type(exc).__name__}: {exc}")[:200]
        response: httpx.Response = outcome.result()
        return f"HTTP {response.status_code} {response.reason_phrase}"

    def _log_retry(self, rs: RetryCallState, what: str) -> None:
        outcome = rs.outcome
        if outcome is not None and not outcome.failed:
            outcome.result().close()  # the answer is being discarded; free its connection
        self.logger.warning(
            "retry %d/%d%s after %s; waiting %.2fs",
            rs.attempt_number,
            self.max_attempts - 1,
            f" of {mask_text(what)}" if what else "",
            self._describe(rs),
            rs.upcoming_sleep,
        )

    def _give_up(self, rs: RetryCallState, state: _CallState, what: str) -> NoReturn:
        self.logger.error(
            "giving up%s after %d attempt(s): %s (%s)",
            f" on {mask_text(what)}" if what else "",
            rs.attempt_number,
            self._describe(rs),
            state.stop_reason,
        )
        outcome: Any = rs.outcome
        if outcome.failed:
            raise outcome.exception()
        raise DeliveryHTTPError(outcome.result())
