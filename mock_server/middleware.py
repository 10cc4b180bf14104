"""The request log: what each client sent, for `GET /admin/requests` (a pure ASGI middleware)."""

from __future__ import annotations

import hashlib
import logging
import time
from typing import Any

import anyio

from client.privacy import mask_text
from mock_server.faults import FAULT_STATE_KEY, RAW_SEND_KEY, ASGIApp, Message, Receive, Scope, Send
from mock_server.scenarios import STATE_KEY as SCENARIO_STATE_KEY
from mock_server.store import Store, StoreBusy, dumps

log = logging.getLogger("ddas.mock")

SECRET_HEADERS = frozenset(
    {"authorization", "fsc-authorization", "cookie", "proxy-authorization", "x-admin-token"}
)
PROFILE_HEADER = "ddas-signature-profile"


def masked_headers(raw: list[tuple[bytes, bytes]]) -> list[list[str]]:
    """Request headers with secrets masked: the scheme of a credential is kept, never its value; a BSN
    in any other value (a `DDAS-Bestandsnaam`, a key) is masked like data."""
    out: list[list[str]] = []
    for name_b, value_b in raw:
        name = name_b.decode("latin-1").lower()
        value = value_b.decode("latin-1")
        if name in SECRET_HEADERS:
            scheme = value.split(" ", 1)[0] if " " in value else ""
            value = f"{scheme} ***".strip() if scheme else "***"
        out.append([name, mask_text(value)])
    return out


class RequestLog:
    """Records what each client sent (masked headers, body SHA-256, time, signature profile, status)."""

    def __init__(self, app: ASGIApp, store: Store, exempt_prefix: str = "/v1/admin") -> None:
        self.app = app
        self.store = store
        self.exempt_prefix = exempt_prefix

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        scope[RAW_SEND_KEY] = scope.get(RAW_SEND_KEY, send)
        if scope["path"].startswith(self.exempt_prefix):
            await self.app(scope, receive, send)
            return
        started = time.time()
        digest = hashlib.sha256()
        size = 0
        status: int | None = None
        profile: str | None = None

        async def counting_receive() -> Message:
            nonlocal size
            message = await receive()
            if message["type"] == "http.request":
                chunk = message.get("body", b"")
                size += len(chunk)
                digest.update(chunk)
            return message

        logged = False

        async def log_row() -> None:
            nonlocal logged
            if logged:
                return
            logged = True
            state: dict[str, Any] = scope.get("state", {}) or {}
            row = (
                started,
                state.get("client_id"),
                scope["method"],
                mask_text(scope["path"]),  # ids in paths and queries are input: masked like data
                mask_text(scope.get("query_string", b"").decode("latin-1")),
                status,
                dumps(masked_headers(list(scope.get("headers", [])))),
                digest.hexdigest(),
                size,
                profile or state.get("signature_profile"),
                round((time.time() - started) * 1000, 3),
                state.get(FAULT_STATE_KEY),
                state.get(SCENARIO_STATE_KEY),
            )
            await anyio.to_thread.run_sync(self._write, row)

        async def watching_send(message: Message) -> None:
            nonlocal status, profile
            if message["type"] == "http.response.start":
                status = int(message["status"])
                for name, value in message.get("headers", []):
                    if name.lower() == PROFILE_HEADER.encode():
                        profile = value.decode("latin-1")
            elif message["type"] == "http.response.body" and not message.get("more_body", False):
                await log_row()  # before the last byte: a client that has its answer finds it in the log
            await send(message)

        try:
            await self.app(scope, counting_receive, watching_send)
        finally:
            await log_row()  # no answer sent (a dropped connection, an error): logged all the same

    def _write(self, row: tuple[Any, ...]) -> None:
        """Log one request; a busy database costs the log entry, never the answer (already sent)."""
        try:
            self._insert(row)
        except StoreBusy as exc:
            log.warning("request %s %s not logged: %s", row[2], row[3], exc)

    def _insert(self, row: tuple[Any, ...]) -> None:
        with self.store.tx() as db:
            db.execute(
                "INSERT INTO requests (time, client_id, method, path, query, status, headers, body_sha256, "
                "body_size, signature_profile, duration_ms, fault, scenario) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                row,
            )
