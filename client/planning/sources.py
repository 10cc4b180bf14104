"""Reading exports for the planner: levering headers and trajecten, in document order.

Files are streamed by a lean skeleton walker over the standard library's C JSON scanner: one traject
in memory at a time, linear in the file size, and faster than parsing the whole document with orjson
(1.2 s against 1.5 s at 100k trajecten; `client.reader`'s streaming path, which also validates, took
3.3 s). Bytes already in memory are parsed with orjson. The planner does not validate its inputs (that
is `ddas validate`); what it writes is validated page by page.
"""

from __future__ import annotations

import codecs
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

import orjson

CHUNK = 8 * 1024 * 1024
MAX_VALUE = 256 * 1024 * 1024  # no traject or header value is this large
_WS = re.compile(r"[ \t\n\r]*")
_BOM = b"\xef\xbb\xbf"
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
    """(envelope?, items). Bytes are parsed with orjson; files are streamed (`_iter_stream`).

    Raises SourceError for a missing/unreadable file (at once) or, while iterating, for input that is
    not JSON. A levering whose header keys come after its `schuldhulptrajecten` is announced twice: once
    before its trajecten (what is known then), once after them with the complete header (same index).
    """
    try:
        envelope = is_envelope(_head(source))
        if isinstance(source, Path) and source.is_dir():
            raise IsADirectoryError(21, "is a directory")
    except OSError as exc:
        raise SourceError(name, f"cannot read: {exc.strerror or exc}", usage=True) from exc
    if isinstance(source, bytes):
        return envelope, _iter_orjson(source, name, envelope)
    return envelope, _iter_stream(source, name, envelope)


def _reject_constant(value: str) -> Any:
    raise ValueError(f"{value} is not JSON")


class _Window:
    """A sliding text window over a UTF-8 file for `json.JSONDecoder.raw_decode` (the C scanner)."""

    def __init__(self, fh: IO[bytes], name: str) -> None:
        self.fh = fh
        self.name = name
        self.decoder = codecs.getincrementaldecoder("utf-8-sig")()
        self.text = ""
        self.pos = 0
        self.base = 0  # characters dropped from the window so far (for error offsets)
        self.eof = False
        self._raw = json.JSONDecoder(parse_constant=_reject_constant).raw_decode

    def _fill(self) -> None:
        chunk = self.fh.read(CHUNK)
        try:
            text = self.decoder.decode(chunk, final=not chunk)
        except UnicodeDecodeError as exc:
            raise SourceError(self.name, "not UTF-8 (check it with `ddas validate`)", usage=False) from exc
        if not chunk:
            self.eof = True
        self.base += self.pos
        self.text = self.text[self.pos :] + text
        self.pos = 0

    def error(self, what: str) -> SourceError:
        return SourceError(
            self.name, f"not valid JSON near character {self.base + self.pos}: {what}", usage=False
        )

    def peek(self) -> str:
        """The next non-whitespace character ('' at the end of the file), not consumed."""
        while True:
            self.pos = _WS.match(self.text, self.pos).end()  # type: ignore[union-attr]
            if self.pos < len(self.text):
                return self.text[self.pos]
            if self.eof:
                return ""
            self._fill()

    def take(self, char: str) -> None:
        if self.peek() != char:
            raise self.error(f"expected {char!r}")
        self.pos += 1

    def value(self) -> Any:
        self.peek()
        while True:
            try:
                value, end = self._raw(self.text, self.pos)
            except json.JSONDecodeError as exc:
                # at the window's end the value may simply go on in the next chunk
                incomplete = exc.pos >= len(self.text) - 8 or exc.msg.startswith("Unterminated string")
                if self.eof or not incomplete:
                    raise self.error(exc.msg) from exc
                if len(self.text) - self.pos > MAX_VALUE:
                    raise self.error(f"a value larger than {MAX_VALUE // 2**20} MB (or broken JSON)") from exc
                self._fill()
                continue
            except ValueError as exc:  # NaN / Infinity
                raise self.error(str(exc)) from exc
            if end >= len(self.text) and not self.eof:  # a number may go on in the next chunk
                self._fill()
                continue
            self.pos = end
            return value

    def members(self) -> Iterator[str]:
        """The keys of the object that starts here; the caller consumes each value."""
        self.take("{")
        if self.peek() == "}":
            self.pos += 1
            return
        while True:
            key = self.value()
            if not isinstance(key, str):
                raise self.error("expected a key")
            self.take(":")
            yield key
            nxt = self.peek()
            self.pos += 1
            if nxt == "}":
                return
            if nxt != ",":
                raise self.error("expected ',' or '}'")

    def elements(self) -> Iterator[int]:
        """Indexes of the array that starts here; the caller consumes each element."""
        self.take("[")
        if self.peek() == "]":
            self.pos += 1
            return
        index = 0
        while True:
            yield index
            index += 1
            nxt = self.peek()
            self.pos += 1
            if nxt == "]":
                return
            if nxt != ",":
                raise self.error("expected ',' or ']'")


def _iter_stream(path: Path, name: str, envelope: bool) -> Iterator[Item]:
    """Walk only the skeleton (root, `leveringen`, each levering, its `schuldhulptrajecten`) and let the
    C scanner parse each traject and header value: memory stays at one traject plus a read window.
    Measured 1.3x faster than orjson on the whole document at 100k trajecten, and linear."""
    try:
        fh = path.open("rb")
    except OSError as exc:
        raise SourceError(name, f"cannot read: {exc.strerror or exc}", usage=True) from exc
    with fh:
        w = _Window(fh, name)
        try:
            if w.peek() != "{":
                raise SourceError(name, "the document is not a JSON object (an Uitwisselmodel)", usage=False)
            if envelope:
                for key in w.members():
                    if key == "gegevens" and w.peek() == "{":
                        yield from _document(w)
                    else:
                        w.value()
            else:
                yield from _document(w)
            if w.peek() != "":
                raise w.error("unexpected data after the document")
        except OSError as exc:
            raise SourceError(name, f"cannot read: {exc.strerror or exc}", usage=True) from exc


def _document(w: _Window) -> Iterator[Item]:
    header: dict[str, Any] = {}
    for key in w.members():
        if key == "leveringen" and w.peek() == "[":
            for li in w.elements():
                if w.peek() == "{":
                    yield from _levering(w, li)
                else:
                    w.value()
        else:
            header[key] = w.value()
    yield Item("header", -1, -1, header)


def _levering(w: _Window, li: int) -> Iterator[Item]:
    head: dict[str, Any] = {}
    announced = late = False
    for key in w.members():
        if key == "schuldhulptrajecten" and w.peek() == "[":
            if not announced:
                yield Item("levering", li, -1, dict(head))
                announced = True
            for ti in w.elements():
                yield Item("traject", li, ti, w.value())
        else:
            head[key] = w.value()
            late = late or announced
    if not announced or late:
        yield Item("levering", li, -1, head)


def _iter_orjson(source: Path | bytes, name: str, envelope: bool) -> Iterator[Item]:
    try:
        raw = source if isinstance(source, bytes) else source.read_bytes()
    except OSError as exc:
        raise SourceError(name, f"cannot read: {exc.strerror or exc}", usage=True) from exc
    if raw.startswith(_BOM):
        raw = raw[len(_BOM) :]
    try:
        doc = orjson.loads(raw)
    except orjson.JSONDecodeError as exc:
        raise SourceError(name, f"not valid JSON: {exc}", usage=False) from exc
    del raw
    if envelope and isinstance(doc, dict):
        doc = doc.get("gegevens")
    if not isinstance(doc, dict):
        raise SourceError(name, "the document is not a JSON object (an Uitwisselmodel)", usage=False)
    leveringen = doc.get("leveringen")
    yield Item("header", -1, -1, {k: v for k, v in doc.items() if k != "leveringen"})
    if not isinstance(leveringen, list):
        return
    for li, lev in enumerate(leveringen):
        if not isinstance(lev, dict):
            continue
        trajecten = lev.get("schuldhulptrajecten")
        yield Item("levering", li, -1, {k: v for k, v in lev.items() if k != "schuldhulptrajecten"})
        if isinstance(trajecten, list):
            for ti, t in enumerate(trajecten):
                yield Item("traject", li, ti, t)
        # free the levering's trajecten as we go: the dicts are no longer needed once serialised
        lev.clear()
