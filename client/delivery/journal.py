"""The push journal: a small SQLite file that makes `ddas push` safe to repeat, to overlap and to kill.

Why it exists:
- Every page is recorded *before* it is sent (state `sending`, attempts + 1), so after a crash the next run
  knows which pages may have reached the receiver and resends exactly those with the same bytes and the
  same `Idempotency-Key` (the receiver then replays its first answer instead of storing twice).
- The `aanleverdatumEnTijd` is pinned per planned delivery content: a rerun rebuilds byte-identical
  pages, so the receiver's idempotency check recognises them.
- A run lock (an exclusive `flock` on `<journal>.lock`, released by the kernel when the process dies,
  plus a row naming the pid for `ddas status`) keeps two runs on one journal apart.

Page states: planned -> sending -> sent (receiver delivery id) -> accepted | rejected.
Delivery states: planned -> sending -> sent -> accepted | rejected | not_delivered | superseded | withdrawn.
The journal holds no BSN: only hashes, codes, counts and problem texts that were masked before.
"""

from __future__ import annotations

import contextlib
import errno
import fcntl
import json
import os
import socket
import sqlite3
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import IO, Any

from client.privacy import mask_text

SCHEMA_VERSION = 1
MAX_FINDINGS = 200

PAGE_STATES = ("planned", "sending", "sent", "accepted", "rejected")
FINAL_DELIVERY_STATES = ("accepted", "rejected", "superseded", "withdrawn")

_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS deliveries (
    receiver      TEXT NOT NULL,
    delivery_key  TEXT NOT NULL,
    content_hash  TEXT NOT NULL,
    period        TEXT NOT NULL,
    organisatie   TEXT NOT NULL,
    uitvraagdeel  TEXT NOT NULL,
    aanleverdatum TEXT NOT NULL,
    total_pages   INTEGER NOT NULL,
    trajecten     INTEGER NOT NULL,
    filename      TEXT NOT NULL DEFAULT '',
    receiver_id   TEXT,
    state         TEXT NOT NULL,
    receiver_state TEXT,
    findings      TEXT,
    last_problem  TEXT,
    created_at    TEXT NOT NULL,
    updated_at    TEXT NOT NULL,
    PRIMARY KEY (receiver, delivery_key, content_hash)
);
CREATE INDEX IF NOT EXISTS deliveries_by_period ON deliveries (receiver, period, organisatie, uitvraagdeel);
CREATE TABLE IF NOT EXISTS pages (
    idempotency_key TEXT PRIMARY KEY,
    receiver      TEXT NOT NULL,
    delivery_key  TEXT NOT NULL,
    content_hash  TEXT NOT NULL,
    period        TEXT NOT NULL,
    organisatie   TEXT NOT NULL,
    uitvraagdeel  TEXT NOT NULL,
    page          INTEGER NOT NULL,
    total_pages   INTEGER NOT NULL,
    page_hash     TEXT NOT NULL,
    state         TEXT NOT NULL,
    receiver_id   TEXT,
    attempts      INTEGER NOT NULL DEFAULT 0,
    created_at    TEXT NOT NULL,
    updated_at    TEXT NOT NULL,
    sent_at       TEXT,
    last_problem  TEXT
);
CREATE INDEX IF NOT EXISTS pages_by_delivery ON pages (receiver, delivery_key, content_hash, page);
CREATE TABLE IF NOT EXISTS run_lock (
    id INTEGER PRIMARY KEY CHECK (id = 1), pid INTEGER NOT NULL, host TEXT NOT NULL, started_at TEXT NOT NULL
);
"""


def _now() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


class JournalError(Exception):
    """The journal cannot be opened or is not a ddas journal (exit 2)."""


class LockHeld(Exception):
    """Another run holds the journal's lock (exit 4)."""

    def __init__(self, path: Path, holder: str) -> None:
        self.path = path
        self.holder = holder
        super().__init__(
            f"another `ddas push` run holds the journal lock {path} ({holder}); "
            "wait for it to finish (runs are safe to repeat) or, if no such process exists, run again"
        )


@dataclass(frozen=True, slots=True)
class PageRecord:
    idempotency_key: str
    receiver: str
    delivery_key: str
    content_hash: str
    period: str
    organisatie: str
    uitvraagdeel: str
    page: int
    total_pages: int
    page_hash: str
    state: str
    receiver_id: str | None
    attempts: int
    created_at: str
    updated_at: str
    sent_at: str | None
    last_problem: str | None

    def to_dict(self) -> dict[str, Any]:
        return {name: getattr(self, name) for name in self.__slots__}


@dataclass(frozen=True, slots=True)
class DeliveryRecord:
    receiver: str
    delivery_key: str
    content_hash: str
    period: str
    organisatie: str
    uitvraagdeel: str
    aanleverdatum: str
    total_pages: int
    trajecten: int
    filename: str
    receiver_id: str | None
    state: str
    receiver_state: str | None
    findings: str | None
    last_problem: str | None
    created_at: str
    updated_at: str

    def to_dict(self) -> dict[str, Any]:
        out = {name: getattr(self, name) for name in self.__slots__}
        out["findings"] = json.loads(self.findings) if self.findings else None
        return out


class _Rows(list[sqlite3.Row]):
    """A statement's rows, all fetched while the guard still catches errors."""

    def fetchone(self) -> sqlite3.Row | None:
        return self[0] if self else None

    def fetchall(self) -> list[sqlite3.Row]:
        return list(self)


class _Guarded:
    """The journal's connection: every SQLite failure becomes one `JournalError` naming the journal.

    A full disk (`database or disk is full`, ENOSPC) while the run writes must end the run with a clear
    message and exit 2, not a traceback. Each statement commits on its own (autocommit), so what was
    journaled before the failure stays, and the next run resumes from it.
    """

    def __init__(self, db: sqlite3.Connection, path: Path) -> None:
        self.db = db
        self.path = path

    def execute(self, sql: str, args: Any = ()) -> _Rows:
        try:
            return _Rows(self.db.execute(sql, args).fetchall())
        except (sqlite3.Error, OSError) as exc:
            raise journal_failure(self.path, exc) from None

    def close(self) -> None:
        self.db.close()


def journal_failure(path: Path, exc: BaseException) -> JournalError:
    """The message for a journal that cannot be written or read any more (disk full, I/O error, damage)."""
    text = str(exc) if not isinstance(exc, OSError) else (exc.strerror or str(exc))
    full = "full" in text.lower() or (isinstance(exc, OSError) and exc.errno == errno.ENOSPC)
    if full:
        return JournalError(
            f"cannot write the journal {path}: the disk is full; free space there and run again "
            "(what was journaled is kept: the next run resumes from it)"
        )
    return JournalError(
        f"cannot use the journal {path}: {text}; "
        "check the disk, or move a damaged journal aside and run again"
    )


def _open_private(path: Path) -> None:
    """Create `path` (and its directory) readable by the owner only, before SQLite touches it."""
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
    os.close(fd)
    with contextlib.suppress(OSError):
        os.chmod(path, 0o600)


class Journal:
    """One journal file. Not thread-safe: one run uses it from one thread."""

    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        self._lock_file: IO[str] | None = None
        try:
            _open_private(self.path)
            old = os.umask(0o077)  # the -wal and -shm files SQLite creates get mode 0600 too
            try:
                db = sqlite3.connect(self.path, isolation_level=None, timeout=30)
                db.row_factory = sqlite3.Row
                db.execute("PRAGMA journal_mode=WAL")
                db.execute("PRAGMA synchronous=NORMAL")
                db.executescript(_SCHEMA)
            finally:
                os.umask(old)
            self._db = _Guarded(db, self.path)
            row = db.execute("SELECT value FROM meta WHERE key='schema'").fetchone()
            if row is None:
                db.execute("INSERT INTO meta(key, value) VALUES ('schema', ?)", (str(SCHEMA_VERSION),))
            elif str(row["value"]) != str(SCHEMA_VERSION):
                raise JournalError(f"{self.path}: journal schema {row['value']!r} is not {SCHEMA_VERSION}")
        except (sqlite3.DatabaseError, OSError) as exc:
            reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
            where = f" ({exc.filename})" if isinstance(exc, OSError) and exc.filename else ""
            raise JournalError(
                f"cannot open the journal {self.path}: {reason}{where}; "
                "give a writable file with --journal (or move a damaged one aside)"
            ) from None

    # ------------------------------------------------------------------ lock

    @property
    def lock_path(self) -> Path:
        return self.path.with_name(self.path.name + ".lock")

    def acquire(self) -> None:
        """Take the run lock or raise `LockHeld` at once (never wait: a timer simply tries again later)."""
        handle = open(self.lock_path, "a+", encoding="utf-8")  # noqa: SIM115 - held for the whole run
        with contextlib.suppress(OSError):
            os.chmod(self.lock_path, 0o600)
        try:
            fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            handle.seek(0)
            holder = handle.read().strip() or "unknown process"
            handle.close()
            raise LockHeld(self.lock_path, holder) from None
        handle.seek(0)
        handle.truncate()
        handle.write(f"pid {os.getpid()} on {socket.gethostname()} since {_now()}")
        handle.flush()
        self._lock_file = handle
        self._db.execute(
            "INSERT OR REPLACE INTO run_lock(id, pid, host, started_at) VALUES (1, ?, ?, ?)",
            (os.getpid(), socket.gethostname(), _now()),
        )

    def release(self) -> None:
        if self._lock_file is None:
            return
        with contextlib.suppress(sqlite3.Error, JournalError):
            self._db.execute("DELETE FROM run_lock WHERE id = 1 AND pid = ?", (os.getpid(),))
        with contextlib.suppress(OSError):
            self._lock_file.seek(0)
            self._lock_file.truncate()
        fcntl.flock(self._lock_file.fileno(), fcntl.LOCK_UN)
        self._lock_file.close()
        self._lock_file = None

    @contextlib.contextmanager
    def locked(self) -> Iterator[Journal]:
        self.acquire()
        try:
            yield self
        finally:
            self.release()

    def lock_holder(self) -> dict[str, Any] | None:
        """The last recorded holder (may be stale after a crash: the flock, not this row, is the lock)."""
        row = self._db.execute("SELECT pid, host, started_at FROM run_lock WHERE id = 1").fetchone()
        return dict(row) if row else None

    def close(self) -> None:
        self.release()
        with contextlib.suppress(sqlite3.Error):
            self._db.close()

    def __enter__(self) -> Journal:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # ------------------------------------------------------------------ deliveries

    def pin_delivery(
        self,
        *,
        receiver: str,
        delivery_key: str,
        content_hash: str,
        period: str,
        organisatie: str,
        uitvraagdeel: str,
        aanleverdatum: str,
        total_pages: int,
        trajecten: int,
        filename: str = "",
    ) -> DeliveryRecord:
        """Record a planned delivery content once; later runs get the first run's `aanleverdatum` back."""
        now = _now()
        self._db.execute(
            "INSERT OR IGNORE INTO deliveries(receiver, delivery_key, content_hash, period, organisatie,"
            " uitvraagdeel, aanleverdatum, total_pages, trajecten, filename, state, created_at, updated_at)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'planned', ?, ?)",
            (
                receiver,
                delivery_key,
                content_hash,
                period,
                organisatie,
                uitvraagdeel,
                aanleverdatum,
                total_pages,
                trajecten,
                filename,
                now,
                now,
            ),
        )
        record = self.delivery(receiver, delivery_key, content_hash)
        assert record is not None
        return record

    def _record(self, row: sqlite3.Row) -> DeliveryRecord:
        """A delivery row, its stored findings proven readable JSON (a damaged journal: JournalError)."""
        record = DeliveryRecord(**dict(row))
        if record.findings:
            try:
                json.loads(record.findings)
            except ValueError:
                raise JournalError(
                    f"the journal {self.path} holds unreadable findings for delivery {record.delivery_key} "
                    f"({record.period}); move it aside and run again (a new journal delivers nothing "
                    "twice: the receiver recognises the pages it holds)"
                ) from None
        return record

    def delivery(self, receiver: str, delivery_key: str, content_hash: str) -> DeliveryRecord | None:
        row = self._db.execute(
            "SELECT * FROM deliveries WHERE receiver = ? AND delivery_key = ? AND content_hash = ?",
            (receiver, delivery_key, content_hash),
        ).fetchone()
        return self._record(row) if row else None

    def set_delivery(
        self,
        receiver: str,
        delivery_key: str,
        content_hash: str,
        *,
        state: str | None = None,
        receiver_id: str | None = None,
        receiver_state: str | None = None,
        findings: list[dict[str, Any]] | None = None,
        last_problem: str | None = None,
        aanleverdatum: str | None = None,
    ) -> None:
        sets: list[str] = ["updated_at = ?"]
        args: list[Any] = [_now()]
        for column, value in (
            ("state", state),
            ("receiver_id", receiver_id),
            ("receiver_state", receiver_state),
            ("last_problem", mask_text(last_problem) if last_problem is not None else None),
            ("aanleverdatum", aanleverdatum),
        ):
            if value is not None:
                sets.append(f"{column} = ?")
                args.append(value)
        if findings is not None:
            # errors and warnings first, at most MAX_FINDINGS: the journal is bookkeeping, not an archive
            ranked = sorted(findings, key=lambda f: {"error": 0, "warning": 1}.get(str(f.get("severity")), 2))
            sets.append("findings = ?")
            args.append(mask_text(json.dumps(ranked[:MAX_FINDINGS], ensure_ascii=False)))
        args.extend([receiver, delivery_key, content_hash])
        self._db.execute(
            f"UPDATE deliveries SET {', '.join(sets)}"
            " WHERE receiver = ? AND delivery_key = ? AND content_hash = ?",
            args,
        )

    def last_accepted(self, receiver: str, delivery_key: str) -> DeliveryRecord | None:
        """The most recently accepted content of a delivery (what `--due` compares against)."""
        row = self._db.execute(
            "SELECT * FROM deliveries WHERE receiver = ? AND delivery_key = ? AND state = 'accepted'"
            " ORDER BY updated_at DESC LIMIT 1",
            (receiver, delivery_key),
        ).fetchone()
        return self._record(row) if row else None

    def deliveries(
        self, *, receiver: str | None = None, period: str | None = None, organisatie: str | None = None
    ) -> list[DeliveryRecord]:
        where: list[str] = []
        args: list[Any] = []
        for column, value in (("receiver", receiver), ("period", period), ("organisatie", organisatie)):
            if value is not None:
                where.append(f"{column} = ?")
                args.append(value)
        sql = "SELECT * FROM deliveries"
        if where:
            sql += " WHERE " + " AND ".join(where)
        sql += " ORDER BY period, organisatie, uitvraagdeel, created_at"
        return [self._record(row) for row in self._db.execute(sql, args)]

    def find_by_receiver_id(self, receiver_id: str) -> list[DeliveryRecord]:
        rows = self._db.execute("SELECT * FROM deliveries WHERE receiver_id = ?", (receiver_id,)).fetchall()
        return [self._record(row) for row in rows]

    # ------------------------------------------------------------------ pages

    def plan_page(
        self,
        *,
        idempotency_key: str,
        receiver: str,
        delivery_key: str,
        content_hash: str,
        period: str,
        organisatie: str,
        uitvraagdeel: str,
        page: int,
        total_pages: int,
        page_hash: str,
    ) -> PageRecord:
        now = _now()
        self._db.execute(
            "INSERT OR IGNORE INTO pages(idempotency_key, receiver, delivery_key, content_hash, period,"
            " organisatie, uitvraagdeel, page, total_pages, page_hash, state, created_at, updated_at)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'planned', ?, ?)",
            (
                idempotency_key,
                receiver,
                delivery_key,
                content_hash,
                period,
                organisatie,
                uitvraagdeel,
                page,
                total_pages,
                page_hash,
                now,
                now,
            ),
        )
        record = self.page(idempotency_key)
        assert record is not None
        return record

    def page(self, idempotency_key: str) -> PageRecord | None:
        row = self._db.execute("SELECT * FROM pages WHERE idempotency_key = ?", (idempotency_key,)).fetchone()
        return PageRecord(**dict(row)) if row else None

    def pages(self, receiver: str, delivery_key: str, content_hash: str) -> list[PageRecord]:
        rows = self._db.execute(
            "SELECT * FROM pages WHERE receiver = ? AND delivery_key = ? AND content_hash = ? ORDER BY page",
            (receiver, delivery_key, content_hash),
        ).fetchall()
        return [PageRecord(**dict(row)) for row in rows]

    def mark_sending(self, idempotency_key: str) -> None:
        """Called *before* the POST: a crash after this leaves `sending`, which the next run resends."""
        now = _now()
        self._db.execute(
            "UPDATE pages SET state = CASE WHEN state IN ('sent', 'accepted', 'rejected') THEN state"
            " ELSE 'sending' END, attempts = attempts + 1, updated_at = ? WHERE idempotency_key = ?",
            (now, idempotency_key),
        )

    def mark_page(
        self,
        idempotency_key: str,
        state: str,
        *,
        receiver_id: str | None = None,
        last_problem: str | None = None,
    ) -> None:
        if state not in PAGE_STATES:
            raise ValueError(f"unknown page state {state!r}")
        now = _now()
        self._db.execute(
            "UPDATE pages SET state = ?, receiver_id = COALESCE(?, receiver_id), updated_at = ?,"
            " sent_at = CASE WHEN ? IN ('sent', 'accepted') AND sent_at IS NULL THEN ? ELSE sent_at END,"
            " last_problem = COALESCE(?, last_problem) WHERE idempotency_key = ?",
            (
                state,
                receiver_id,
                now,
                state,
                now,
                mask_text(last_problem) if last_problem is not None else None,
                idempotency_key,
            ),
        )

    def note_problem(self, idempotency_key: str, problem: str) -> None:
        self._db.execute(
            "UPDATE pages SET last_problem = ?, updated_at = ? WHERE idempotency_key = ?",
            (mask_text(problem), _now(), idempotency_key),
        )

    def mark_delivery_pages(self, receiver: str, delivery_key: str, content_hash: str, state: str) -> None:
        """Carry a delivery's final state to all its sent pages."""
        self._db.execute(
            "UPDATE pages SET state = ?, updated_at = ? WHERE receiver = ? AND delivery_key = ?"
            " AND content_hash = ? AND state IN ('sent', 'sending', 'accepted', 'rejected')",
            (state, _now(), receiver, delivery_key, content_hash),
        )

    def counts(self) -> dict[str, int]:
        rows = self._db.execute("SELECT state, COUNT(*) AS n FROM pages GROUP BY state").fetchall()
        return {row["state"]: int(row["n"]) for row in rows}
