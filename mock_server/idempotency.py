"""Idempotency keys (draft-ietf-httpapi-idempotency-key-header) over the SQLite store.

Per (client id, key): the SHA-256 of the request body and, once done, the answer. The same key with the
same body gets the stored answer again (`Idempotency-Replayed: true`); with another body 422; while the
first request is still being processed 409. Keys live `idempotency_ttl_seconds` (at least 24 h).
A key is at most `MAX_KEY_LENGTH` characters and sent once per request (`key_of`), else 400.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Protocol

from mock_server.clock import Clock
from mock_server.problems import fail
from mock_server.store import Store, compress, decompress, dumps, loads

MAX_KEY_LENGTH = 255
HEADER = "Idempotency-Key"


class _Headers(Protocol):
    def getlist(self, key: str) -> list[str]: ...


def key_of(headers: _Headers) -> str | None:
    """The request's Idempotency-Key (None when absent), or a 400 problem when it is sent twice or is
    longer than `MAX_KEY_LENGTH` characters.

    The draft's key is a Structured Field string (`"abc"`); a bare token is accepted too.
    """
    values = headers.getlist(HEADER)
    if len(values) > 1:
        raise fail(
            400,
            "Idempotency-Key repeated",
            f"the request carries {len(values)} Idempotency-Key headers; send exactly one",
            slug="idempotency-key-invalid",
        )
    if not values:
        return None
    text = values[0].strip()
    if len(text) >= 2 and text[0] == text[-1] == '"':
        text = text[1:-1]
    if len(text) > MAX_KEY_LENGTH:
        raise fail(
            400,
            "Idempotency-Key too long",
            f"the Idempotency-Key has {len(text)} characters; at most {MAX_KEY_LENGTH} are allowed "
            "(a UUID or a SHA-256 in hex fits)",
            slug="idempotency-key-invalid",
            limit=MAX_KEY_LENGTH,
        )
    return text or None


class Outcome(StrEnum):
    NEW = "new"
    REPLAY = "replay"
    OTHER_BODY = "other-body"
    IN_FLIGHT = "in-flight"


@dataclass
class StoredAnswer:
    status: int
    headers: dict[str, str]
    body: bytes


@dataclass
class Claim:
    outcome: Outcome
    answer: StoredAnswer | None = None


class IdempotencyKeys:
    def __init__(self, store: Store, ttl_seconds: float, clock: Clock) -> None:
        self.store = store
        self.ttl = ttl_seconds
        self.clock = clock
        with store.tx() as db:  # a restart ends every request that was in flight
            db.execute("DELETE FROM idempotency WHERE state = 'in-flight'")

    def claim(self, client_id: str, key: str, body_hash: str) -> Claim:
        """Claim `key` for this request, or say why not (replay, other body, in flight)."""
        now = self.clock.now()
        with self.store.tx() as db:
            db.execute("DELETE FROM idempotency WHERE created_at < ?", (now - self.ttl,))
            row = db.execute(
                "SELECT body_hash, state, status, headers, body FROM idempotency "
                "WHERE client_id = ? AND key = ?",
                (client_id, key),
            ).fetchone()
            if row is None:
                db.execute(
                    "INSERT INTO idempotency (client_id, key, body_hash, state, created_at) "
                    "VALUES (?, ?, ?, 'in-flight', ?)",
                    (client_id, key, body_hash, now),
                )
                return Claim(Outcome.NEW)
            if row["body_hash"] != body_hash:
                return Claim(Outcome.OTHER_BODY)
            if row["state"] == "in-flight":
                return Claim(Outcome.IN_FLIGHT)
            answer = StoredAnswer(int(row["status"]), loads(row["headers"]) or {}, decompress(row["body"]))
            return Claim(Outcome.REPLAY, answer)

    def complete(self, client_id: str, key: str, answer: StoredAnswer) -> None:
        with self.store.tx() as db:
            db.execute(
                "UPDATE idempotency SET state = 'done', status = ?, headers = ?, body = ? "
                "WHERE client_id = ? AND key = ?",
                (answer.status, dumps(answer.headers), compress(answer.body), client_id, key),
            )

    def release(self, client_id: str, key: str) -> None:
        """Forget a claim whose request failed unexpectedly, so that a retry is processed afresh."""
        with self.store.tx() as db:
            db.execute(
                "DELETE FROM idempotency WHERE client_id = ? AND key = ? AND state = 'in-flight'",
                (client_id, key),
            )
