"""Faults injected at the HTTP level, as a pure ASGI middleware in front of the app.

Kinds: `500`, `502`, `503`, `429` (answered at once, `Retry-After` on 503 and 429, nothing processed),
`latency` (a delay, then normal processing), `reset` (the TCP connection is reset before any response;
nothing processed), `accept-drop` (the request is processed and committed, then the connection is
closed without a response: the case a client can only survive with idempotency keys) and `slow` (the
request is processed, the response held back `slow_seconds`, longer than a client's timeout).

Choices are deterministic for a seed: one `random.Random(seed)` draws, under a lock, in arrival order.
Scripts ("fail 3 times, then succeed") take precedence over probabilities.

Closing a connection without a response needs the transport: uvicorn's `send` is a bound method of its
request-response cycle, which holds it. `MockApp` keeps uvicorn's own `send` in the scope for this.
"""

from __future__ import annotations

import asyncio
import contextlib
import random
import re
import socket
import struct
import threading
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

import orjson

from mock_server.settings import FaultSettings

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

RAW_SEND_KEY = "ddas.raw_send"
FAULT_STATE_KEY = "fault"
# Set by the test-scenario middleware (mock_server.scenarios): this request gets this fault, whatever the
# rules and scripts say; `slow` waits SLOW_SECONDS_KEY seconds instead of `slow_seconds`.
FORCED_FAULT_KEY = "forced_fault"
SLOW_SECONDS_KEY = "slow_seconds"
_TITLES = {
    500: "Internal Server Error",
    502: "Bad Gateway",
    503: "Service Unavailable",
    429: "Too Many Requests",
}


class ConnectionDropped(Exception):
    """Raised where the transport cannot be reached (not under uvicorn): the server closes the connection."""


def _compile(endpoint: str, base_path: str) -> tuple[str | None, re.Pattern[str]]:
    method: str | None = None
    text = endpoint.strip()
    if " " in text:
        method, _, text = text.partition(" ")
        method = method.strip().upper()
        text = text.strip()
    if base_path and not text.startswith(base_path + "/") and text != base_path:
        text = base_path.rstrip("/") + "/" + text.lstrip("/")
    pattern = re.escape(text.rstrip("/") or "/")
    pattern = re.sub(r"\\\{[^}]*\\\}", "[^/]+", pattern)
    return method, re.compile(f"^{pattern}/?$")


class _Matcher:
    def __init__(self, endpoint: str | None, base_path: str) -> None:
        self.endpoint = endpoint
        self.method, self.pattern = _compile(endpoint, base_path) if endpoint else (None, re.compile(".*"))

    def matches(self, method: str, path: str) -> bool:
        return (self.method is None or self.method == method) and bool(self.pattern.match(path))


class FaultInjector:
    """Decides, per request, which fault (if any) to inject. Reconfigurable at run time (admin endpoint)."""

    def __init__(self, settings: FaultSettings, base_path: str = "/v1") -> None:
        self.base_path = base_path
        self._lock = threading.Lock()
        self.configure(settings)

    def configure(self, settings: FaultSettings) -> None:
        with self._lock:
            self.settings = settings
            self._rng = random.Random(settings.seed)
            self._rules = [(r, _Matcher(r.endpoint, self.base_path)) for r in settings.rules]
            self._scripts = [(s, _Matcher(s.endpoint, self.base_path)) for s in settings.scripts]
            self._counters = [0 for _ in settings.scripts]
            self.injected: dict[str, int] = {}

    def snapshot(self) -> dict[str, Any]:
        with self._lock:
            data = self.settings.model_dump(mode="json")
            data["injected"] = dict(self.injected)
            data["script_positions"] = list(self._counters)
            return data

    def choose(self, method: str, path: str) -> str | None:
        with self._lock:
            kind: str | None = None
            decided = False
            for index, (script, matcher) in enumerate(self._scripts):
                if not matcher.matches(method, path):
                    continue
                position = self._counters[index]
                if position < len(script.sequence):
                    self._counters[index] = position + 1
                    step = script.sequence[position]
                    kind = None if step == "ok" else step
                    decided = True
                    break
            if not decided:
                for rule, matcher in self._rules:
                    if matcher.matches(method, path) and self._rng.random() < rule.probability:
                        kind = rule.kind
                        break
            if kind is not None:
                self.injected[kind] = self.injected.get(kind, 0) + 1
            return kind


def abort_connection(scope: Scope, *, reset: bool) -> bool:
    """Close the client connection without a response; with `reset` as a TCP RST. False if impossible."""
    raw_send = scope.get(RAW_SEND_KEY)
    cycle = getattr(raw_send, "__self__", None)
    transport = getattr(cycle, "transport", None)
    if cycle is None or transport is None:
        return False
    if reset:
        sock = transport.get_extra_info("socket")
        if sock is not None:
            with contextlib.suppress(OSError):
                sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    # uvicorn then neither answers 500 nor logs "returned without starting response".
    cycle.disconnected = True
    transport.abort()
    return True


async def drain(receive: Receive) -> None:
    """Read and discard the request body (before answering without the app)."""
    while True:
        message = await receive()
        if message["type"] != "http.request" or not message.get("more_body", False):
            return


class FaultMiddleware:
    """Pure ASGI: injects the injector's choice for every non-admin request."""

    def __init__(
        self,
        app: ASGIApp,
        injector: FaultInjector,
        api_version: str,
        exempt_prefix: str = "/v1/admin",
    ) -> None:
        self.app = app
        self.injector = injector
        self.api_version = api_version
        self.exempt_prefix = exempt_prefix

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"].startswith(self.exempt_prefix):
            await self.app(scope, receive, send)
            return
        state = scope.setdefault("state", {})
        kind = state.get(FORCED_FAULT_KEY) or self.injector.choose(scope["method"], scope["path"])
        if kind is None:
            await self.app(scope, receive, send)
            return
        state[FAULT_STATE_KEY] = kind
        settings = self.injector.settings
        if kind in ("500", "502", "503", "429"):
            await drain(receive)
            await self._problem(send, int(kind), settings.retry_after_seconds)
        elif kind == "latency":
            await asyncio.sleep(settings.latency_seconds)
            await self.app(scope, receive, send)
        elif kind == "reset":
            await drain(receive)
            if not abort_connection(scope, reset=True):
                raise ConnectionDropped("fault: reset")
        elif kind == "accept-drop":
            await self.app(scope, receive, _discard)  # processed and committed, the answer thrown away
            if not abort_connection(scope, reset=False):
                raise ConnectionDropped("fault: accept-drop")
        elif kind == "slow":
            held: list[Message] = []

            async def hold(message: Message) -> None:
                held.append(message)

            await self.app(scope, receive, hold)
            await asyncio.sleep(float(state.get(SLOW_SECONDS_KEY, settings.slow_seconds)))
            for message in held:
                await send(message)

    async def _problem(self, send: Send, status: int, retry_after: int) -> None:
        body = orjson.dumps(
            {
                "type": f"https://ddas.example/problems/fault-{status}",
                "title": _TITLES[status],
                "status": status,
                "detail": f"injected fault {status} (mock receiver fault injection)",
            }
        )
        headers = [
            (b"content-type", b"application/problem+json"),
            (b"content-length", str(len(body)).encode()),
            (b"api-version", self.api_version.encode()),
            (b"cache-control", b"no-store"),
            (b"x-content-type-options", b"nosniff"),
            (b"x-frame-options", b"DENY"),
            (b"content-security-policy", b"frame-ancestors 'none'"),
        ]
        if status in (429, 503):
            headers.append((b"retry-after", str(retry_after).encode()))
        await send({"type": "http.response.start", "status": status, "headers": headers})
        await send({"type": "http.response.body", "body": body})


async def _discard(message: Message) -> None:
    return None
