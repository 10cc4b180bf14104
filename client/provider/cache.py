"""Planned pages for the provider, cached as the official text allows, and refreshed when the data changes.

The planner does the work (so pages are byte-identical to what the push route sends). A plan per
(period dates, pageSize) is kept, at most `entries` of them, each for at most `max_age` seconds (the official
text: refreshed at least daily). Every request checks the data files' (mtime, size) cheaply; when they
moved, their SHA-256 decides whether the data really changed. Integrity: the content hash of every page
built is recorded, and a rebuilt page whose hash differs (a corrupted or tampered spill file) drops the
entry and is planned again from the exports.
"""

from __future__ import annotations

import hashlib
import logging
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from client.planning import Page, Period, Plan, PlannedDelivery, plan
from client.planning.lifetime import parse_date
from client.planning.sources import iter_items

log = logging.getLogger("ddas.provider")

_HASH_CHUNK = 1024 * 1024

_PLANNING_GATES = 64


class DataUnavailable(Exception):
    """The exports cannot be read (missing, unreadable, not JSON): the service cannot answer (502)."""


class IntegrityError(Exception):
    """A rebuilt page differs from the first build of the same cache entry."""


def discover(paths: Sequence[Path]) -> list[Path]:
    """The export files: files as given, directories as their `*.json` files (sorted, not recursive)."""
    found: list[Path] = []
    for path in paths:
        if path.is_dir():
            found.extend(sorted(p for p in path.glob("*.json") if p.is_file()))
        else:
            found.append(path)
    return found


@dataclass(frozen=True)
class Fingerprint:
    """What identifies a data version: each file's (mtime_ns, size) and, computed once, the SHA-256 of all."""

    stats: tuple[tuple[str, int, int], ...]
    sha256: str

    @property
    def mtime(self) -> datetime:
        newest = max((ns for _, ns, _ in self.stats), default=0)
        return datetime.fromtimestamp(newest // 1_000_000_000, UTC)


def _stats(files: Sequence[Path]) -> tuple[tuple[str, int, int], ...]:
    try:
        return tuple((str(f), f.stat().st_mtime_ns, f.stat().st_size) for f in files)
    except OSError as exc:
        raise DataUnavailable(f"cannot read {exc.filename}: {exc.strerror}") from exc


def _sha256(files: Sequence[Path]) -> str:
    total = hashlib.sha256()
    for f in files:
        try:
            with f.open("rb") as handle:
                while chunk := handle.read(_HASH_CHUNK):
                    total.update(chunk)
        except OSError as exc:
            raise DataUnavailable(f"cannot read {f}: {exc.strerror}") from exc
        total.update(b"\x00")
    return total.hexdigest()


@dataclass
class Organisation:
    """An aanleverende_organisatie found in the exports: its header and the names a request may use."""

    header: dict[str, Any]
    names: frozenset[str]

    @property
    def label(self) -> str:
        for key in ("(Statutaire) Naam", "KvK-nummer", "gemeentecode"):
            value = self.header.get(key)
            if isinstance(value, str) and value.strip():
                return value.strip()
        return "onbekend"


def organisation_names(header: Any) -> frozenset[str]:
    """Every spelling a request may use for this organisation: name, KvK-nummer, gemeentecode (casefolded)."""
    if not isinstance(header, dict):
        return frozenset()
    names = set()
    for key, prefix in (("(Statutaire) Naam", "naam"), ("KvK-nummer", "kvk"), ("gemeentecode", "gm")):
        value = header.get(key)
        if isinstance(value, str) and value.strip():
            names.add(value.strip().casefold())
            names.add(f"{prefix}:{value.strip()}".casefold())
    return frozenset(names)


@dataclass(frozen=True)
class Coverage:
    """The dates the exports are about: each export's startdatumLevering..einddatumLevering."""

    ranges: tuple[tuple[date, date], ...]

    def covers(self, period: Period) -> bool:
        """True when the period overlaps at least one export's range (RULES.md §0 overlap, inclusive)."""
        return any(start <= period.end and period.start <= end for start, end in self.ranges)

    def to_list(self) -> list[dict[str, str]]:
        return [{"start": start.isoformat(), "end": end.isoformat()} for start, end in self.ranges]

    def __str__(self) -> str:
        return ", ".join(f"{start.isoformat()}..{end.isoformat()}" for start, end in self.ranges)


def _scan(files: Sequence[Path]) -> tuple[list[Organisation], Coverage | None]:
    """The organisation headers and the covered dates of the exports (one pass; the planner keeps its
    own copy private)."""
    seen: dict[frozenset[str], Organisation] = {}
    ranges: set[tuple[date, date]] = set()
    for f in files:
        try:
            _, items = iter_items(f, str(f))
            for item in items:
                if item.kind == "levering" and isinstance(item.data, dict):
                    header = item.data.get("aanleverende_organisatie")
                    names = organisation_names(header)
                    if names and names not in seen:
                        seen[names] = Organisation(dict(header) if isinstance(header, dict) else {}, names)
                elif item.kind == "header" and isinstance(item.data, dict):
                    start = parse_date(item.data.get("startdatumLevering"))
                    end = parse_date(item.data.get("einddatumLevering"))
                    if start is not None and end is not None and start <= end:
                        ranges.add((start, end))
        except Exception as exc:  # SourceError and the reader's own errors alike
            raise DataUnavailable(str(exc)) from exc
    return list(seen.values()), Coverage(tuple(sorted(ranges))) if ranges else None


@dataclass
class Entry:
    """One cached plan with the content hashes of the pages built from it so far."""

    plan: Plan
    created: float
    data_sha256: str
    hashes: dict[tuple[str, int], str] = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock)
    closed: bool = False


def _close(entry: Entry) -> None:
    """Close a plan once no page of it is being built (builds hold the entry's lock)."""
    with entry.lock:
        entry.closed = True
        entry.plan.close()


class DataVersion:
    """The exports as of one fingerprint. Their organisations and covered dates are read on first use
    (one extra pass over the files per data version, then kept)."""

    def __init__(self, files: list[Path], fingerprint: Fingerprint, aanleverdatum: datetime) -> None:
        self.files = files
        self.fingerprint = fingerprint
        self.aanleverdatum = aanleverdatum
        self._scanned: tuple[list[Organisation], Coverage | None] | None = None
        self._lock = threading.Lock()

    def _scan(self) -> tuple[list[Organisation], Coverage | None]:
        with self._lock:
            if self._scanned is None:
                self._scanned = _scan(self.files)
            return self._scanned

    @property
    def organisations(self) -> list[Organisation]:
        return self._scan()[0]

    @property
    def coverage(self) -> Coverage | None:
        """The dates the exports cover (see `Coverage`); read with the organisations, once."""
        return self._scan()[1]

    def moved(self, fingerprint: Fingerprint) -> DataVersion:
        """The same content under new file stats (touched, copied back): organisations kept."""
        twin = DataVersion(self.files, fingerprint, self.aanleverdatum)
        twin._scanned = self._scanned
        return twin


class PageCache:
    """Plans per (period start, period end, pageSize) over the current data version; thread-safe."""

    def __init__(
        self,
        paths: Sequence[Path],
        *,
        vendor_code: str,
        max_age: float = 24 * 3600.0,
        entries: int = 8,
        aanleverdatum: datetime | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.paths = list(paths)
        self.vendor_code = vendor_code
        self.max_age = max_age
        self.max_entries = entries
        self.fixed_aanleverdatum = aanleverdatum
        self.clock = clock
        self._lock = threading.Lock()
        self._version: DataVersion | None = None
        self._plans: OrderedDict[tuple[str, str, int], Entry] = OrderedDict()
        # One thread plans a key, the others wait for its plan. Striped locks: the keys come from requests
        # (any range, any pageSize), so a lock per key would grow without bound.
        self._gates = tuple(threading.Lock() for _ in range(_PLANNING_GATES))
        self.plans_built = 0
        self.refreshes = 0

    # -- data version

    def version(self) -> DataVersion:
        """The current data version: re-read when a file's mtime/size changed and its hash with it."""
        files = discover(self.paths)
        if not files:
            raise DataUnavailable("no export files found in the configured data paths")
        stats = _stats(files)
        with self._lock:
            current = self._version
            if current is not None and current.fingerprint.stats == stats:
                return current
            digest = _sha256(files)
            if current is not None and current.fingerprint.sha256 == digest and current.files == files:
                self._version = current.moved(Fingerprint(stats, digest))
                return self._version
            fingerprint = Fingerprint(stats, digest)
            self._close_plans()
            if current is not None:
                self.refreshes += 1
                log.info("data changed (sha256 %s): cached pages dropped", digest[:16])
            self._version = DataVersion(files, fingerprint, self.fixed_aanleverdatum or fingerprint.mtime)
            return self._version

    # -- plans

    def entry(self, period: Period, page_size: int) -> tuple[DataVersion, Entry]:
        """The cached plan for (period, pageSize), planned now when absent or older than `max_age`.
        The key holds the period's dates, so every requested range has its own plan."""
        version = self.version()
        key = (period.start.isoformat(), period.end.isoformat(), page_size)
        gate = self._gates[hash(key) % len(self._gates)]
        with gate:  # one thread plans a key; the others wait and take its plan
            with self._lock:
                found = self._plans.get(key)
                fresh = found is not None and self.clock() - found.created <= self.max_age
                if found is not None and fresh and found.data_sha256 == version.fingerprint.sha256:
                    self._plans.move_to_end(key)
                    return version, found
                if found is not None:
                    del self._plans[key]
                    _close(found)
            planned = self._plan(version, period, page_size)
            return version, self._keep(key, planned)

    def _keep(self, key: tuple[str, str, int], planned: Entry) -> Entry:
        with self._lock:
            self._plans[key] = planned
            while len(self._plans) > self.max_entries:
                _, old = self._plans.popitem(last=False)
                _close(old)
        return planned

    def _plan(self, version: DataVersion, period: Period, page_size: int) -> Entry:
        started = time.perf_counter()
        try:
            result = plan(
                list(version.files),
                [period],
                vendor_code=self.vendor_code,
                page_size=page_size,
                aanleverdatum=version.aanleverdatum,
            )
        except Exception as exc:  # SourceError (unreadable input) and I/O errors
            raise DataUnavailable(str(exc)) from exc
        self.plans_built += 1
        log.info(
            "planned %s pageSize %d: %d deliveries in %.2fs",
            period.code,
            page_size,
            len(result.deliveries),
            time.perf_counter() - started,
        )
        return Entry(result, self.clock(), version.fingerprint.sha256)

    def build(self, entry: Entry, delivery: PlannedDelivery, page: Page) -> bytes:
        """The page's bytes, checked against the content hash of the entry's first build of that page."""
        with entry.lock:
            if entry.closed:  # dropped (data changed, evicted) while this request held it
                raise IntegrityError(f"the plan of {delivery.key} was dropped; planning again")
            body = page.build()
            key = (delivery.key, page.number)
            known = entry.hashes.setdefault(key, page.content_hash)
        if known != page.content_hash:
            self.invalidate(entry)
            raise IntegrityError(f"page {page.number} of {delivery.key} changed between builds")
        return body

    def invalidate(self, entry: Entry) -> None:
        with self._lock:
            for key, value in list(self._plans.items()):
                if value is entry:
                    del self._plans[key]
                    _close(value)

    def _close_plans(self) -> None:
        for entry in self._plans.values():
            _close(entry)
        self._plans.clear()

    def close(self) -> None:
        with self._lock:
            self._close_plans()
