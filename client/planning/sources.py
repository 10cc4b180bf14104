"""Reading exports for the planner: levering headers and trajecten, in document order.

One reader serves validation and planning: this module is a thin view of `validation.reader`'s events as
the planner's `Item`s. Files are always streamed (one traject in memory at a time, linear in the file
size); bytes already in memory are parsed with orjson. Because the reader pre-scans the skeleton, every
levering arrives complete before its trajecten, even when its header keys follow them in the file.
The planner does not validate its inputs (that is `ddas validate`): it skips the duplicate-key search
and stops only on input it cannot read; what it writes is validated page by page.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

from client.validation.findings import Finding, Severity
from client.validation.reader import (
    Header,
    LeveringStart,
    ReadError,
    TrajectItem,
    iter_events,
    iter_stream_events,
)

CHUNK = 8 * 1024 * 1024  # read window of the streamed path

Source = str | Path | bytes  # an export: its path, or its bytes


def sources_of(sources: Source | Sequence[Source]) -> list[Path | bytes]:
    """One source or several, as the planner takes them (a str is a path)."""
    items = [sources] if isinstance(sources, str | Path | bytes) else list(sources)
    return [Path(s) if isinstance(s, str) else s for s in items]


_FIRST_KEY = re.compile(rb'^(?:\xef\xbb\xbf)?\s*\{\s*"((?:[^"\\]|\\.)*)"')


class SourceError(Exception):
    """An input that cannot be read at all (missing, unreadable, not JSON). `usage` = I/O, not content."""

    def __init__(self, name: str, message: str, *, usage: bool) -> None:
        super().__init__(f"{name}: {message}")
        self.name = name
        self.usage = usage


@dataclass(slots=True)
class Item:
    """One thing read from an export, in document order."""

    kind: str  # "header" | "levering" | "traject"
    levering_index: int
    index: int
    data: Any  # a dict for well-formed input; anything else is reported by the planner


def is_envelope(head: bytes) -> bool:
    """An API message `{"gegevens": ..., "paginering": ...}` rather than a bare Uitwisselmodel."""
    m = _FIRST_KEY.match(head)
    return m is not None and m.group(1) in (b"gegevens", b"paginering")


def _head(source: Path | bytes) -> bytes:
    if isinstance(source, bytes):
        return source[:4096]
    with source.open("rb") as fh:
        return fh.read(4096)


def iter_items(source: Path | bytes, name: str) -> tuple[bool, Iterator[Item]]:
    """(envelope?, items): the header first, then per levering its header and its trajecten.

    Raises SourceError for a missing/unreadable file (at once) or, while iterating, for input that is
    not JSON, not UTF-8 or not an object. Leveringen that are not objects are skipped.
    """
    try:
        envelope = is_envelope(_head(source))
        if isinstance(source, Path) and source.is_dir():
            raise IsADirectoryError(21, "is a directory")
    except OSError as exc:
        raise SourceError(name, f"cannot read: {exc.strerror or exc}", usage=True) from exc
    return envelope, _items(source, name, envelope)


def _unreadable(name: str) -> Callable[[Finding], None]:
    """The reader's soft findings: only bytes that are not UTF-8 stop the planner (duplicates are off;
    a BOM is harmless)."""

    def on_finding(finding: Finding) -> None:
        if finding.code == "R-ENC-01" and finding.severity is Severity.ERROR:
            raise SourceError(name, "not UTF-8 (check it with `ddas validate`)", usage=False)

    return on_finding


def _items(source: Path | bytes, name: str, envelope: bool) -> Iterator[Item]:
    on_finding = _unreadable(name)
    if isinstance(source, bytes):
        events = iter_events(source, envelope=envelope, on_finding=on_finding, duplicates=False)
    else:

        def opener(path: Path = source) -> IO[bytes]:
            return path.open("rb")

        events = iter_stream_events(
            opener, envelope=envelope, on_finding=on_finding, duplicates=False, chunk_size=CHUNK
        )
    try:
        for event in events:
            if isinstance(event, TrajectItem):
                yield Item("traject", event.levering_index, event.index, event.data)
            elif isinstance(event, LeveringStart):
                if isinstance(event.data, dict):
                    head = {k: v for k, v in event.data.items() if k != "schuldhulptrajecten"}
                    yield Item("levering", event.index, -1, head)
            elif isinstance(event, Header):
                if not event.root_is_object or not event.gegevens_present:
                    what = "an API message with a `gegevens` object" if envelope else "an Uitwisselmodel"
                    raise SourceError(name, f"the document is not a JSON object ({what})", usage=False)
                header = {k: v for k, v in event.data.items() if k != "leveringen"}
                yield Item("header", -1, -1, header)
    except ReadError as exc:
        raise SourceError(name, f"not valid JSON: {_describe(exc)}", usage=False) from None
    except OSError as exc:
        raise SourceError(name, f"cannot read: {exc.strerror or exc}", usage=True) from exc


def _describe(exc: ReadError) -> str:
    """The reader's first finding, which names the line and column and what was expected."""
    return exc.findings[0].message if exc.findings else str(exc)
