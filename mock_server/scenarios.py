"""Test scenarios: `DDAS-Test-Scenario: NAME` on a request forces a documented outcome for that request.

Like HMRC's `Gov-Test-Scenario`, but stateful: `technisch_afgekeurd` and `in_behandeling:N` shape the
delivery the page belongs to, `token-expired` the token that was used. HTTP-level outcomes (5xx, 429,
`accept-drop`, `slow:SECONDS`) are forced through the fault injector (`mock_server.faults`), so they
behave exactly like configured faults. Scenarios are on in development mode or with
`--test-scenarios`; otherwise the header is refused with 400, so that a test never silently passes
against a mock that ignored it.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import anyio
from starlette.requests import Request

from client.privacy import mask_text
from client.protocol import DeliveryState
from client.wire.bearer import bearer_token
from client.wire.signing import SignatureError
from mock_server.auth import Tokens
from mock_server.faults import FORCED_FAULT_KEY, SLOW_SECONDS_KEY, ASGIApp, Receive, Scope, Send, drain
from mock_server.problems import ProblemError, fail, signature_problem

HEADER = "DDAS-Test-Scenario"
STATE_KEY = "scenario"  # the raw header value, for the request log
PARSED_KEY = "test_scenario"  # the parsed Scenario, for the route
CODE = "MOCK-SCENARIO-01"
MAX_POLLS = 100
MAX_SLOW_SECONDS = 300.0
MAX_HEADER_CHARS = 64

DELIVERY = "POST /aanleveringen"
ANY = "any endpoint"
BEARER = "any endpoint called with a bearer token"


@dataclass(frozen=True)
class Known:
    """One scenario as documented: its name as written in the header, where it applies, what it does."""

    name: str
    applies_to: str
    meaning: str


KNOWN: tuple[Known, ...] = (
    Known(
        DeliveryState.AFGEKEURD.value,
        DELIVERY,
        f"202 as usual; the delivery then ends technisch_afgekeurd with finding {CODE}",
    ),
    Known(
        f"{DeliveryState.IN_BEHANDELING.value}:N",
        DELIVERY,
        f"the delivery stays in_behandeling for the next N status polls (1..{MAX_POLLS}), "
        "each with Retry-After",
    ),
    Known("500", ANY, "500 problem+json, nothing processed"),
    Known("502", ANY, "502 problem+json, nothing processed"),
    Known("503", ANY, "503 problem+json with Retry-After, nothing processed"),
    Known("429", ANY, "429 problem+json with Retry-After, nothing processed"),
    Known("accept-drop", ANY, "processed and committed, then the connection is closed without an answer"),
    Known("slow:SECONDS", ANY, f"processed, the answer held back SECONDS (0..{MAX_SLOW_SECONDS:g})"),
    Known("period-closed", DELIVERY, "409 period closed, nothing processed"),
    Known(
        "signature-invalid", DELIVERY, "401 as the signature check answers a signature that does not verify"
    ),
    Known(
        "token-expired", BEARER, "processed as usual; the next request with the same token gets 401 expired"
    ),
)
NAMES: tuple[str, ...] = tuple(k.name for k in KNOWN)
FAULTS = frozenset({"500", "502", "503", "429", "accept-drop", "slow"})


class ScenarioError(ValueError):
    """A header value that names no scenario, or a parameter out of bounds."""


@dataclass(frozen=True)
class Scenario:
    """A parsed header value: `name` without its parameter, `value` the parameter (polls or seconds)."""

    name: str
    value: float = 0.0

    @property
    def polls(self) -> int:
        return int(self.value)


def _known_list() -> str:
    return ", ".join(NAMES)


def parse(raw: str) -> Scenario:
    """`in_behandeling:3` → Scenario("in_behandeling", 3); ScenarioError naming the known ones otherwise."""
    text = raw.strip()
    name, sep, param = text.partition(":")
    if name == DeliveryState.IN_BEHANDELING and sep:
        if not param.isdigit() or not 1 <= int(param) <= MAX_POLLS:
            raise ScenarioError(
                f"in_behandeling:N needs a whole number of polls N from 1 to {MAX_POLLS}, not {param!r}"
            )
        return Scenario(name, int(param))
    if name == "slow" and sep:
        try:
            seconds = float(param)
        except ValueError:
            seconds = math.nan
        if not 0 <= seconds <= MAX_SLOW_SECONDS:  # NaN fails too
            raise ScenarioError(
                f"slow:SECONDS needs a number of seconds from 0 to {MAX_SLOW_SECONDS:g}, not {param!r}"
            )
        return Scenario(name, seconds)
    if not sep and text in NAMES:
        return Scenario(text)
    shown = mask_text(text[:MAX_HEADER_CHARS]) + ("..." if len(text) > MAX_HEADER_CHARS else "")
    raise ScenarioError(f"unknown test scenario {shown!r}; known: {_known_list()}")


def _applies(known_for: str, method: str, path: str, base: str, bearer: str | None) -> bool:
    if known_for == DELIVERY:
        return method == "POST" and path.rstrip("/") == f"{base}/aanleveringen"
    if known_for == BEARER:
        return bearer is not None
    return True


def _where(scenario: Scenario) -> str:
    for known in KNOWN:
        if known.name.partition(":")[0] == scenario.name:
            return known.applies_to
    return ANY  # pragma: no cover - parse() only returns known names


class ScenarioMiddleware:
    """Pure ASGI, between the response signer and the fault injector: refused scenarios are signed too."""

    def __init__(
        self, app: ASGIApp, *, enabled: bool, tokens: Tokens, base_path: str, admin_prefix: str
    ) -> None:
        self.app = app
        self.enabled = enabled
        self.tokens = tokens
        self.base = base_path
        self.admin_prefix = admin_prefix

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        raw = _header(scope)
        if raw is None:
            await self.app(scope, receive, send)
            return
        state = scope.setdefault("state", {})
        state[STATE_KEY] = mask_text(raw[:MAX_HEADER_CHARS])
        try:
            scenario, bearer = self._check(scope, raw)
        except ProblemError as exc:
            await self._answer(exc, scope, receive, send)
            return
        if scenario.name == "period-closed":
            closed = fail(
                409,
                "Period not open",
                "the period of this page is closed for deliveries and corrections (test scenario)",
                slug="period-closed",
            )
            await self._answer(closed, scope, receive, send)
            return
        if scenario.name == "signature-invalid":
            error = SignatureError("signature-invalid", 401, "the signature does not verify (test scenario)")
            await self._answer(signature_problem(error), scope, receive, send)
            return
        if scenario.name in FAULTS:
            state[FORCED_FAULT_KEY] = scenario.name
            if scenario.name == "slow":
                state[SLOW_SECONDS_KEY] = scenario.value
        state[PARSED_KEY] = scenario
        await self.app(scope, receive, send)
        if scenario.name == "token-expired" and bearer is not None:
            await anyio.to_thread.run_sync(self.tokens.expire, bearer)  # a database write: off the event loop

    def _check(self, scope: Scope, raw: str) -> tuple[Scenario, str | None]:
        path: str = scope["path"]
        if not self.enabled:
            raise fail(
                400,
                "Test scenarios are off",
                f"the {HEADER} header is only honoured in development mode (--dev DIR) or with "
                "--test-scenarios (setting test_scenarios = true); remove the header or start the mock so",
                slug="test-scenarios-off",
            )
        if path.startswith(self.admin_prefix):
            raise fail(
                400,
                "No test scenarios on admin endpoints",
                f"the {HEADER} header applies to the receiver's own endpoints, not to {self.admin_prefix}",
                slug="test-scenario-not-applicable",
            )
        try:
            scenario = parse(raw)
        except ScenarioError as exc:
            raise fail(
                400, "Unknown test scenario", str(exc), slug="test-scenario-unknown", known=list(NAMES)
            ) from None
        headers = dict(_headers(scope))
        bearer = bearer_token(headers.get("authorization"), headers.get("fsc-authorization"))
        where = _where(scenario)
        if not _applies(where, scope["method"], path, self.base, bearer):
            raise fail(
                400,
                "Test scenario not applicable",
                f"test scenario {mask_text(raw.strip())!r} applies to {where}, "
                f"not to {scope['method']} {path}",
                slug="test-scenario-not-applicable",
            )
        return scenario, bearer

    @staticmethod
    async def _answer(exc: ProblemError, scope: Scope, receive: Receive, send: Send) -> None:
        await drain(receive)
        response = exc.response(scope["path"])
        await response(scope, receive, send)


def _headers(scope: Scope) -> list[tuple[str, str]]:
    return [(k.decode("latin-1").lower(), v.decode("latin-1")) for k, v in scope.get("headers", [])]


def _header(scope: Scope) -> str | None:
    name = HEADER.lower()
    for key, value in _headers(scope):
        if key == name:
            return value
    return None


def of(request: Request) -> Scenario | None:
    """The scenario the middleware accepted for this request (the delivery route reads it)."""
    scenario = getattr(request.state, PARSED_KEY, None)
    return scenario if isinstance(scenario, Scenario) else None
