"""SQLite state of the mock: tokens, deliveries and their pages, idempotency keys, the request log.

One connection guarded by a lock: uvicorn runs sync endpoints in a thread pool, and SQLite serialises
writers anyway, so a lock costs nothing and avoids "database is locked" under load. WAL for a file
database, so a reader (a second process, `sqlite3`) never blocks the mock. Page bodies are stored
zlib-compressed. State survives a restart: open the same file again.

Another process can still hold the write lock (a `sqlite3` shell in a transaction, a second mock on
the same file). Waiting for it is bounded by `busy_timeout` seconds, for the lock of this process and
for SQLite's alike; then `StoreBusy` is raised, which the app answers with 503 and `Retry-After`.
"""

from __future__ import annotations

import contextlib
import os
import sqlite3
import threading
import zlib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import orjson

SCHEMA = """
CREATE TABLE IF NOT EXISTS tokens (
    token TEXT PRIMARY KEY, client_id TEXT NOT NULL, scopes TEXT NOT NULL, expires_at REAL NOT NULL
);
CREATE TABLE IF NOT EXISTS deliveries (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    id TEXT UNIQUE NOT NULL,
    org_key TEXT NOT NULL, org_name TEXT NOT NULL, period TEXT NOT NULL, uitvraagdeel TEXT NOT NULL,
    status TEXT NOT NULL, total_pages INTEGER NOT NULL, client_id TEXT NOT NULL,
    signature_profile TEXT, created_at REAL NOT NULL, updated_at REAL NOT NULL,
    last_page_at REAL NOT NULL, ready_at REAL, findings TEXT NOT NULL DEFAULT '[]',
    replaced_by TEXT, withdrawn_at REAL, report TEXT
);
CREATE INDEX IF NOT EXISTS deliveries_scope ON deliveries (org_key, period, uitvraagdeel);
CREATE TABLE IF NOT EXISTS pages (
    delivery_id TEXT NOT NULL, number INTEGER NOT NULL, body BLOB NOT NULL, body_sha256 TEXT NOT NULL,
    size INTEGER NOT NULL, trajecten INTEGER NOT NULL, meta TEXT NOT NULL, findings TEXT NOT NULL,
    filename TEXT, received_at REAL NOT NULL,
    PRIMARY KEY (delivery_id, number)
);
CREATE TABLE IF NOT EXISTS idempotency (
    client_id TEXT NOT NULL, key TEXT NOT NULL, body_hash TEXT NOT NULL, state TEXT NOT NULL,
    status INTEGER, headers TEXT, body BLOB, created_at REAL NOT NULL,
    PRIMARY KEY (client_id, key)
);
CREATE TABLE IF NOT EXISTS requests (
    id INTEGER PRIMARY KEY AUTOINCREMENT, time REAL NOT NULL, client_id TEXT, method TEXT NOT NULL,
    path TEXT NOT NULL, query TEXT NOT NULL, status INTEGER, headers TEXT NOT NULL,
    body_sha256 TEXT NOT NULL, body_size INTEGER NOT NULL, signature_profile TEXT, duration_ms REAL,
    fault TEXT, scenario TEXT
);
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value BLOB NOT NULL);
"""

DEFAULT_BUSY_TIMEOUT = 5.0  # seconds a transaction waits for the database before `StoreBusy`

# Tables emptied by `POST /admin/reset` (tokens and the mock's own key stay, so clients keep working).
RESET_TABLES = ("deliveries", "pages", "idempotency", "requests")


def dumps(value: Any) -> str:
    return orjson.dumps(value).decode("utf-8")


def loads(text: str | bytes | None) -> Any:
    return orjson.loads(text) if text else None


def compress(body: bytes) -> bytes:
    return zlib.compress(body, 1)


def decompress(blob: bytes) -> bytes:
    return zlib.decompress(blob)


class StoreError(ValueError):
    """The database file cannot be opened or is not a mock database: a usage problem, not a crash."""


class StoreBusy(Exception):
    """The database stayed locked (by another connection) for the whole busy timeout: try again later."""

    def __init__(self, path: str, timeout: float) -> None:
        super().__init__(
            f"the mock database {path} stayed locked by another connection for {timeout:g} s; try again later"
        )
        self.timeout = timeout


def _is_busy(exc: sqlite3.OperationalError) -> bool:
    """SQLITE_BUSY / SQLITE_LOCKED ("database is locked", "database table is locked", "... busy")."""
    text = str(exc).lower()
    return "locked" in text or "busy" in text


def _create_private(path: Path) -> None:
    """Create the file 0600 before SQLite does: it holds delivered pages, so BSNs.

    SQLite gives its -wal and -shm files the mode of the database file, so they are private too.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    if not path.exists():
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT, 0o600))
    if path.is_file():
        os.chmod(path, 0o600)


# Columns added after the first release: a database written by an older mock gains them on open.
ADDED_COLUMNS = {"requests": {"scenario": "TEXT"}}


def _add_missing_columns(conn: sqlite3.Connection) -> None:
    for table, columns in ADDED_COLUMNS.items():
        present = {row[1] for row in conn.execute(f"PRAGMA table_info({table})")}
        for name, kind in columns.items():
            if name not in present:
                conn.execute(f"ALTER TABLE {table} ADD COLUMN {name} {kind}")


class Store:
    """The mock's database. Use `with store.tx() as db:` for every read or write."""

    def __init__(self, path: str | Path, busy_timeout: float = DEFAULT_BUSY_TIMEOUT) -> None:
        self.path = str(path)
        self.busy_timeout = busy_timeout
        self._lock = threading.RLock()
        try:
            if self.path != ":memory:":
                _create_private(Path(self.path))
            self._conn = sqlite3.connect(
                self.path, check_same_thread=False, isolation_level=None, timeout=busy_timeout
            )
            self._conn.row_factory = sqlite3.Row
            if self.path != ":memory:":
                self._conn.execute("PRAGMA journal_mode=WAL")
                self._conn.execute("PRAGMA synchronous=NORMAL")
            self._conn.executescript(SCHEMA)
            _add_missing_columns(self._conn)
        except (sqlite3.Error, OSError) as exc:
            reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
            raise StoreError(
                f"cannot open the mock database {self.path}: {reason}; "
                "give another file with --db (or move this one aside), or --db :memory:"
            ) from None

    @contextlib.contextmanager
    def tx(self) -> Iterator[sqlite3.Connection]:
        """A transaction under the store's lock: committed on success, rolled back on an exception.

        Raises `StoreBusy` when the database stays locked for `busy_timeout` seconds.
        """
        if not self._lock.acquire(timeout=self.busy_timeout):
            raise StoreBusy(self.path, self.busy_timeout)
        try:
            try:
                self._conn.execute("BEGIN IMMEDIATE")
            except sqlite3.OperationalError as exc:
                if _is_busy(exc):
                    raise StoreBusy(self.path, self.busy_timeout) from None
                raise
            try:
                yield self._conn
            except BaseException:
                self._conn.execute("ROLLBACK")
                raise
            try:
                self._conn.execute("COMMIT")
            except sqlite3.OperationalError as exc:
                if self._conn.in_transaction:
                    self._conn.execute("ROLLBACK")
                if _is_busy(exc):
                    raise StoreBusy(self.path, self.busy_timeout) from None
                raise
        finally:
            self._lock.release()

    def reset(self) -> None:
        with self.tx() as db:
            for table in RESET_TABLES:
                db.execute(f"DELETE FROM {table}")

    def get_meta(self, key: str) -> bytes | None:
        with self.tx() as db:
            row = db.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
        return bytes(row["value"]) if row else None

    def set_meta(self, key: str, value: bytes) -> None:
        with self.tx() as db:
            db.execute("INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)", (key, value))

    def close(self) -> None:
        with self._lock:
            self._conn.close()
