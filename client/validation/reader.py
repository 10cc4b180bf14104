"""Read a delivery (bytes or a file) as a stream of events: header, leveringen, trajecten, end.

Why events: every consumer (schema check, rules, the quality report) works per traject, so the file is
parsed once and each part is handed to all of them in one pass. Order, always:
`Header` -> per levering `LeveringStart`, `TrajectItem`..., `LeveringEnd` -> `End`.

Two ways in, one event stream out:
- in memory (bytes, or files up to `STREAM_THRESHOLD`): orjson parses the whole document (fastest);
- streamed (larger files): a small hand-written reader walks only the skeleton (root object, the
  `leveringen` array, each levering object, its `schuldhulptrajecten` array) and lets the C JSON
  scanner of the standard library parse each traject and each header value. Memory stays at one
  traject plus a read window. Before the main pass, a cheap skeleton pre-scan collects the root and
  levering keys (skipping the trajecten by counting brackets, without parsing them), so that
  `Header`/`LeveringStart` are complete even when a file writes keys *after* the
  `leveringen`/`schuldhulptrajecten` arrays (JSON does not fix the key order).

Validation and planning both read through this module (`client.planning.sources` is a view of these
events); the planner passes `duplicates=False` and always streams files.

Problems that end reading (not JSON, binary, cut off) raise `ReadError` with findings; problems that
do not (BOM, UTF-16, stray Latin-1 bytes, duplicate keys) go to the `on_finding` callback.
"""

from __future__ import annotations

import codecs
import io
import json
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

import orjson

from client.validation import encoding, parse
from client.validation.findings import Finding, Severity, pointer

__all__ = [
    "CHUNK_SIZE",
    "STREAM_THRESHOLD",
    "End",
    "Event",
    "Header",
    "LeveringEnd",
    "LeveringStart",
    "ReadError",
    "TrajectItem",
    "iter_events",
]

STREAM_THRESHOLD = 300 * 1024 * 1024  # bytes; above this a file is streamed instead of loaded
CHUNK_SIZE = 4 * 1024 * 1024
HEAD_SIZE = 4096  # first read: enough to sniff the encoding and recognise binary files
MAX_VALUE = 256 * 1024 * 1024  # characters; no header value or traject is this large (bounds memory)

OnFinding = Callable[[Finding], None]


@dataclass(frozen=True, slots=True)
class Header:
    """The root object without `leveringen` (when that is an array; otherwise it stays in `data`).

    Envelope mode: `data` comes from `gegevens`, `prefix` is "/gegevens", `paginering` is the message's
    paginering (None when absent) and `envelope` the message without `gegevens` (for its own check).
    `root_is_object` is False when the document (or `gegevens`) is not an object; `root` then holds a
    value of the same JSON type (arrays are not kept: `[]`).
    """

    data: dict[str, Any]
    paginering: Any = None
    prefix: str = ""
    leveringen_is_list: bool = True
    root_is_object: bool = True
    root: Any = None
    envelope: Any = None
    gegevens_present: bool = True


@dataclass(frozen=True, slots=True)
class LeveringStart:
    """One levering without `schuldhulptrajecten` (when that is an array). `data` is the raw value
    when the levering is not an object."""

    index: int
    data: Any


@dataclass(frozen=True, slots=True)
class TrajectItem:
    """One traject. `digest` is its R-DUP-01 digest (`parse.rendering_digest`) when the reader has it:
    a by-product, so not part of the event's equality (both readers give equal events)."""

    levering_index: int
    index: int
    data: Any
    digest: int | None = field(default=None, compare=False, repr=False)


@dataclass(frozen=True, slots=True)
class LeveringEnd:
    index: int
    count: int
    listed: bool = True  # False when `schuldhulptrajecten` was absent or not an array


@dataclass(frozen=True, slots=True)
class End:
    paginering: Any = None
    leveringen: int = 0
    trajecten: int = 0


Event = Header | LeveringStart | TrajectItem | LeveringEnd | End


class ReadError(Exception):
    """The input cannot be read (further) as JSON. `findings` say what, where and how to fix."""

    def __init__(self, findings: list[Finding]) -> None:
        super().__init__("; ".join(f.message for f in findings) or "unreadable input")
        self.findings = findings


def _noop(_finding: Finding) -> None:
    return None


def iter_events(
    source: bytes | bytearray | memoryview | Path | str,
    *,
    envelope: bool = False,
    on_finding: OnFinding | None = None,
    stream_threshold: int | None = None,
    duplicates: bool = True,
) -> Iterator[Event]:
    """Events of one document. `source` is the content (bytes) or a file path; files larger than
    `stream_threshold` bytes (default `STREAM_THRESHOLD`; 0 = always) are streamed. `duplicates=False`
    skips the duplicate-key search, for readers that only take the data (the planner)."""
    emit = on_finding or _noop
    if isinstance(source, bytes | bytearray | memoryview):
        document, digests = _load(bytes(source), emit, duplicates, envelope)
        yield from events_from_value(document, envelope=envelope, digests=digests)
        return
    path = Path(source)
    threshold = STREAM_THRESHOLD if stream_threshold is None else stream_threshold
    if path.stat().st_size > threshold:
        yield from iter_stream_events(
            lambda: path.open("rb"), envelope=envelope, on_finding=emit, duplicates=duplicates
        )
        return
    document, digests = _load(path.read_bytes(), emit, duplicates, envelope)
    yield from events_from_value(document, envelope=envelope, digests=digests)


# --------------------------------------------------------------------------- in memory


def load_document(data: bytes, emit: OnFinding, duplicates: bool = True) -> Any:
    """Bytes -> parsed document, through the bytes and syntax layers. Raises ReadError."""
    return _load(data, emit, duplicates, False)[0]


def _load(data: bytes, emit: OnFinding, duplicates: bool, envelope: bool) -> tuple[Any, parse.Digests | None]:
    """`load_document`, plus the trajecten's R-DUP-01 digests when the duplicate-key proof made them."""
    prep = encoding.prepare(data)
    if prep.payload is None:
        raise ReadError(prep.findings)
    for finding in prep.findings:
        emit(finding)
    payload = prep.payload
    with parse.gc_paused():
        try:
            value = orjson.loads(payload)
        except orjson.JSONDecodeError as first:
            exc: orjson.JSONDecodeError | None = first
            if not prep.transcoded:
                diagnosis = encoding.diagnose_utf8(payload, prep.offset)
                for finding in diagnosis.findings:
                    emit(finding)
                if diagnosis.repaired is not None:
                    payload = diagnosis.repaired
                    try:
                        value = orjson.loads(payload)
                    except orjson.JSONDecodeError as second:
                        exc = second
                    else:
                        exc = None
            if exc is not None:
                transcoded = prep.transcoded or payload is not prep.payload
                raise ReadError([parse.syntax_finding(payload, exc, prep.offset, transcoded)]) from None
    digests = None
    if duplicates:
        digests = parse.rendered_digests(payload, value, envelope) if isinstance(payload, bytes) else None
        if digests is None and parse.maybe_duplicates(payload, value):
            for finding in parse.duplicate_findings(payload):
                emit(finding)
    return value, digests


def _placeholder(value: Any) -> Any:
    return [] if isinstance(value, list) else value


def events_from_value(
    document: Any, *, envelope: bool = False, digests: parse.Digests | None = None
) -> Iterator[Event]:
    """Events of an already parsed document (used by the in-memory path and by tests). `digests`
    (from `parse.rendered_digests`) go on the trajecten, so the rules need not render them again."""
    prefix = ""
    paginering = None
    env: Any = None
    root: Any = document
    gegevens_present = True
    if envelope:
        prefix = "/gegevens"
        if isinstance(document, dict):
            paginering = document.get("paginering")
            env = {k: v for k, v in document.items() if k != "gegevens"}
            if "gegevens" in document:  # the Uitwisselmodel itself is read part by part
                gegevens = document["gegevens"]
                env["gegevens"] = {} if isinstance(gegevens, dict) else _placeholder(gegevens)
            gegevens_present = "gegevens" in document
            root = document.get("gegevens", {})
        else:
            env = _placeholder(document)
            gegevens_present = False
            root = {}
    if not isinstance(root, dict):
        yield Header({}, paginering, prefix, False, False, _placeholder(root), env, gegevens_present)
        yield End(paginering, 0, 0)
        return
    leveringen = root.get("leveringen")
    is_list = isinstance(leveringen, list)
    data = {k: v for k, v in root.items() if k != "leveringen"} if is_list else dict(root)
    yield Header(data, paginering, prefix, is_list, True, None, env, gegevens_present)
    total = 0
    if is_list:
        assert isinstance(leveringen, list)
        for li, levering in enumerate(leveringen):
            trajecten = levering.get("schuldhulptrajecten") if isinstance(levering, dict) else None
            if isinstance(trajecten, list):
                assert isinstance(levering, dict)
                yield LeveringStart(li, {k: v for k, v in levering.items() if k != "schuldhulptrajecten"})
                own = digests[li] if digests is not None else None
                if own is not None:
                    for ti, traject in enumerate(trajecten):
                        yield TrajectItem(li, ti, traject, own[ti])
                else:
                    for ti, traject in enumerate(trajecten):
                        yield TrajectItem(li, ti, traject)
                total += len(trajecten)
                yield LeveringEnd(li, len(trajecten), True)
            else:
                yield LeveringStart(li, levering)
                yield LeveringEnd(li, 0, False)
    yield End(paginering, len(leveringen) if isinstance(leveringen, list) else 0, total)


# --------------------------------------------------------------------------- streamed


_WS = re.compile(r"[ \t\n\r]*")
_SURROGATE = re.compile("[\udc80-\udcff]")


def _reject_constant(name: str) -> Any:
    raise ValueError(f"{name} is not valid JSON")


def _finite_float(text: str) -> float:
    value = float(text)
    if value in (float("inf"), float("-inf")):
        raise ValueError(f"number {text[:40]} is infinity when parsed as a double")
    return value


# Same answers as orjson on the in-memory path: no NaN/Infinity, no numbers that overflow a double.
_DECODER = json.JSONDecoder(parse_constant=_reject_constant, parse_float=_finite_float, strict=True)
_scanstring: Callable[[str, int, bool], tuple[str, int]] = json.decoder.scanstring  # type: ignore[attr-defined]


@dataclass
class _ByteStats:
    bad_first: int | None = None
    bad_first_byte: int = 0
    bad_count: int = 0
    bad_sample: list[int] = field(default_factory=list)
    nul_first: int | None = None
    nul_count: int = 0

    def findings(self) -> list[Finding]:
        out = []
        if self.bad_first is not None:
            out.append(
                encoding.describe_bad_bytes(
                    self.bad_first, self.bad_first_byte, self.bad_count, self.bad_sample, ""
                )
            )
        if self.nul_first is not None:
            out.append(encoding.nul_finding(self.nul_first, self.nul_count, ""))
        return out


class _TextSource:
    """Binary file -> decoded text chunks, doing the bytes layer on the way (UTF-16, BOM, bad
    UTF-8 bytes read as Windows-1252, NUL bytes), with exact byte offsets for the first problem."""

    def __init__(self, fh: IO[bytes], emit: OnFinding, chunk_size: int | None = None) -> None:
        self.fh = fh
        self.chunk_size = chunk_size
        head = fh.read(HEAD_SIZE)
        while head and not head.strip() and len(head) < (1 << 20):
            more = fh.read(HEAD_SIZE)
            if not more:
                break
            head += more
        self.stats = _ByteStats()
        if not head.strip():
            raise ReadError(encoding.prepare(head).findings)
        codec, bom = encoding.sniff(head[:4])
        self.codec = codec
        if codec != "utf-8":
            emit(encoding.wide_finding(codec, bom))
            errors = "replace"
        else:
            kind = encoding._binary_kind(head)
            if kind is not None:
                raise ReadError([encoding.binary_finding(kind)])
            if bom:
                emit(encoding.bom_finding())
            errors = "surrogateescape"
        self.decoder = codecs.getincrementaldecoder(codec)(errors=errors)
        self.pending = head[bom:]
        self.carry = b""  # an incomplete UTF-8 sequence at the end of the last read
        self.byte_pos = bom  # file offset of the first character of the next chunk (UTF-8)
        self.done = False

    def read(self) -> str:
        """The next chunk of text ('' at the end)."""
        while not self.done:
            if self.pending:
                raw, self.pending = self.pending, b""
            else:
                raw = self.fh.read(self.chunk_size or CHUNK_SIZE)
            final = not raw
            if final:
                self.done = True
            text = self._utf8(raw, final) if self.codec == "utf-8" else self.decoder.decode(raw, final=final)
            if text:
                return text
        return ""

    def _utf8(self, raw: bytes, final: bool) -> str:
        """Strict decoding first (the fast, common case); only a chunk with bad bytes is decoded
        again, keeping them as lone surrogates to find, count and repair them."""
        data = self.carry + raw if self.carry else raw
        try:
            text, used = codecs.utf_8_decode(data, "strict", final)
            bad = False
        except UnicodeDecodeError:
            text, used = codecs.utf_8_decode(data, "surrogateescape", final)
            bad = True
        self.carry = data[used:]
        base = self.byte_pos
        self.byte_pos += used
        stats = self.stats
        if bad:
            found = _SURROGATE.findall(text)
            if stats.bad_first is None:
                first = _SURROGATE.search(text)
                assert first is not None
                stats.bad_first = base + len(text[: first.start()].encode("utf-8", errors="surrogateescape"))
                stats.bad_first_byte = ord(found[0]) - 0xDC00
            stats.bad_count += len(found)
            if len(stats.bad_sample) < 1000:
                stats.bad_sample.extend(ord(ch) - 0xDC00 for ch in found[:1000])
            text = encoding.repair_surrogates(text)
        nul = text.find("\x00")
        if nul >= 0:
            if stats.nul_first is None:
                stats.nul_first = base + len(text[:nul].encode("utf-8", errors="surrogateescape"))
            stats.nul_count += text.count("\x00")
        return text


class _Scanner:
    """A window over the text with just enough JSON to walk the skeleton; values go to the C scanner."""

    def __init__(self, source: _TextSource, track_lines: bool = True) -> None:
        self.source = source
        self.track_lines = track_lines  # the pre-scan reports nothing, so it need not count lines
        self.buf = ""
        self.pos = 0
        self.eof = False
        self.lines = 0  # newlines before buf[0]
        self.col = 0  # characters between the last newline before buf[0] and buf[0]

    def more(self) -> bool:
        chunk = self.source.read()
        if not chunk:
            self.eof = True
            return False
        if self.track_lines:  # rfind is a memrchr: compact files (no newlines) are not counted
            buf, pos = self.buf, self.pos
            last = buf.rfind("\n", 0, pos)
            if last >= 0:
                self.lines += buf.count("\n", 0, pos)
                self.col = pos - last - 1
            else:
                self.col += pos
        self.buf = self.buf[self.pos :] + chunk
        self.pos = 0
        return True

    def grow(self) -> bool:
        """Read more for a value that did not fit: at least as much again as is pending, so that a
        huge value costs O(n log n) re-parsing instead of O(n^2)."""
        pending = len(self.buf) - self.pos
        if pending > MAX_VALUE:
            raise self.error(
                f"a single value larger than {MAX_VALUE // 2**20} MB; no part of an Uitwisselmodel is that "
                "large (an unterminated string, a missing bracket, or `leveringen`/`schuldhulptrajecten` "
                "that is not an array?)"
            )
        if not self.more():
            return False
        while len(self.buf) - self.pos < 2 * pending and self.more():
            pass
        return True

    def where(self, index: int) -> tuple[int, int]:
        before_nl = self.buf.rfind("\n", 0, index)
        line = self.lines + self.buf.count("\n", 0, index) + 1
        col = index - before_nl if before_nl >= 0 else self.col + index + 1
        return line, col

    def error(self, msg: str, index: int | None = None) -> ReadError:
        index = self.pos if index is None else index
        line, col = self.where(index)
        rest = self.buf[index:].strip()
        at_end = self.eof and not rest
        excerpt = parse._excerpt(self.buf, index)
        message = parse.syntax_message(msg, line, col, None, excerpt, at_end)
        return ReadError([Finding("R-JSON-01", Severity.ERROR, "", message, parse.syntax_hint(at_end))])

    def peek(self) -> str:
        while True:
            match = _WS.match(self.buf, self.pos)
            assert match is not None  # `[ \t\n\r]*` matches everywhere
            self.pos = match.end()
            if self.pos < len(self.buf):
                return self.buf[self.pos]
            if self.eof or not self.more():
                return ""

    def take(self, char: str, what: str) -> None:
        if self.peek() != char:
            raise self.error(f"expected {what}")
        self.pos += 1

    def key(self) -> str:
        if self.peek() != '"':
            raise self.error("expected a key (a string in double quotes)")
        while True:
            try:
                text, end = _scanstring(self.buf, self.pos + 1, True)
            except json.JSONDecodeError as exc:
                near_end = exc.pos >= len(self.buf) - 64 or exc.msg.startswith("Unterminated string")
                if near_end and not self.eof and self.grow():
                    continue
                raise self.error(exc.msg, exc.pos) from None
            self.pos = end
            return str(text)

    def value(self) -> tuple[Any, int, int]:
        """Parse one value at the cursor: (value, start, end) with start/end indexes into `buf`."""
        self.peek()
        while True:
            start = self.pos
            try:
                value, end = _DECODER.raw_decode(self.buf, start)
            except json.JSONDecodeError as exc:
                near_end = exc.pos >= len(self.buf) - 64 or exc.msg.startswith("Unterminated string")
                if near_end and not self.eof and self.grow():
                    continue
                raise self.error(exc.msg, exc.pos) from None
            except RecursionError:
                raise self.error("depth limit exceeded", start) from None
            except ValueError as exc:  # NaN / Infinity
                raise self.error(str(exc), start) from None
            if end >= len(self.buf) - 64 and not self.eof and self.grow():
                continue  # a number ("1e" + "5") may go on in the next chunk: parse again with more text
            self.pos = end
            return value, start, end

    def skip_array(self) -> None:
        """Move past the array at the cursor without building it: the pre-scan's way over the
        trajecten, several times faster than parsing them. Strings are blanked by quote parity
        (escapes removed first), then only the brackets outside strings are counted, piece by piece;
        the piece where the array closes is tokenised exactly. Only valid JSON needs to come out right:
        the main pass parses everything and reports what is broken."""
        self.take("[", "'['")
        depth = 1
        inside = False  # the cursor is inside a string
        while True:
            buf, start = self.buf, self.pos
            limit = len(buf)
            while limit > start and buf[limit - 1] == "\\":
                limit -= 1  # never split an escape between two pieces
            while start < limit:
                end = min(start + _SKIP_PIECE, limit)
                while end > start and buf[end - 1] == "\\":
                    end -= 1
                if end == start:
                    end = limit
                closers, net, after = _bracket_balance(buf[start:end], inside)
                if depth - closers <= 0:
                    close = _close_position(buf, start, end, inside, depth)
                    if close < 0:
                        raise self.error("unbalanced brackets")
                    self.pos = close
                    return
                depth += net
                inside = after
                start = end
            self.pos = start
            if self.eof or not self.more():
                raise self.error("unexpected end of data")

    def elements(self) -> Iterator[int]:
        self.take("[", "'['")
        if self.peek() == "]":
            self.pos += 1
            return
        index = 0
        while True:
            yield index
            char = self.peek()
            if char == ",":
                self.pos += 1
                index += 1
                continue
            if char == "]":
                self.pos += 1
                return
            raise self.error("expected ',' or ']' in the array")


# The pre-scan's skipping of the trajecten: see `_Scanner.skip_array`.
_SKIP_PIECE = 65536
_NOT_STRUCTURE = bytes(i for i in range(256) if chr(i) not in '"[]{}')
_ONE_BRACKET = bytes.maketrans(b"{}", b"[]")  # for counting depth, objects and arrays are alike
_STRING_REST = re.compile(r'[^"\\]*+(?:\\.[^"\\]*+)*+"', re.S)
_TOKEN = re.compile(r'"[^"\\]*+(?:\\.[^"\\]*+)*+"|[\[\]{}]', re.S)


def _bracket_balance(text: str, inside: bool) -> tuple[int, int, bool]:
    """For a piece of JSON text: how far its brackets outside strings drop the nesting depth at the
    lowest point (closers), their net effect, and whether the piece ends inside a string.
    All C-level byte operations: about 1 GB/s, against some 150 MB/s for parsing."""
    data = text.encode("utf-8", "surrogatepass")
    if b"\\" in data:
        data = data.replace(b"\\\\", b"").replace(b'\\"', b"")
    # Dropping two adjacent quotes changes no other character's inside/outside state.
    marks = data.translate(_ONE_BRACKET, _NOT_STRUCTURE).replace(b'""', b"")
    quotes = marks.count(b'"')
    if inside and not quotes:
        return 0, 0, True  # the whole piece is inside one string
    if quotes:
        parts = (b'"' + marks if inside else marks).split(b'"')
        marks = b"".join(parts[0::2])
    while True:  # matched pairs never lower the depth: what is left is closers, then openers
        reduced = marks.replace(b"[]", b"")
        if len(reduced) == len(marks):
            break
        marks = reduced
    closers = len(marks) - len(marks.lstrip(b"]"))
    net = len(marks) - 2 * marks.count(b"]")
    return closers, net, inside ^ bool(quotes & 1)


def _close_position(buf: str, start: int, end: int, inside: bool, depth: int) -> int:
    """The index just after the bracket in `buf[start:end]` that brings `depth` to zero (-1: none,
    which only broken JSON can cause)."""
    pos = start
    if inside:
        match = _STRING_REST.match(buf, pos, end)
        if match is None:
            return -1
        pos = match.end()
    for token in _TOKEN.finditer(buf, pos, end):
        char = token.group()
        if char in "[{":
            depth += 1
        elif char in "]}":
            depth -= 1
            if depth == 0:
                return token.end()
    return -1


def _iter_members(sc: _Scanner) -> Iterator[str]:
    """Keys of the object at the cursor. After each yielded key the cursor is at its value, which the
    caller must consume before asking for the next key."""
    sc.take("{", "'{'")
    if sc.peek() == "}":
        sc.pos += 1
        return
    while True:
        key = sc.key()
        sc.take(":", "':' after the key")
        if sc.peek() == "":
            raise sc.error("unexpected end of data")
        yield key
        char = sc.peek()
        if char == ",":
            sc.pos += 1
            continue
        if char == "}":
            sc.pos += 1
            return
        raise sc.error("expected ',' or '}' after the value")


def _non_object(sc: _Scanner) -> tuple[Any, bool]:
    """A root (or `gegevens`) that is not an object: keep only its type. An array (say, a bare list of
    trajecten of 2 GB) is not read at all: the verdict "not an object" does not need it.
    Returns (placeholder, whether the value was consumed)."""
    if sc.peek() == "[":
        return [], False
    value, _s, _e = sc.value()
    return _placeholder(value), True


@dataclass
class _Skeleton:
    envelope: dict[str, Any] = field(default_factory=dict)
    root: dict[str, Any] = field(default_factory=dict)
    leveringen: dict[int, dict[str, Any]] = field(default_factory=dict)


class _Stream:
    """One pass over the text. With `skeleton=None` it is the pre-scan (collects keys, yields
    nothing); otherwise it yields events, taking header data from the pre-scan's skeleton."""

    def __init__(
        self,
        sc: _Scanner,
        envelope: bool,
        emit: OnFinding,
        skeleton: _Skeleton | None,
        duplicates: bool = True,
    ) -> None:
        self.sc = sc
        self.check_duplicates = duplicates and skeleton is not None
        self.envelope = envelope
        self.emit = emit
        self.skel = skeleton
        self.collected = _Skeleton()
        self.trajecten = 0
        self._leveringen = 0
        self.unread_tail = False  # a non-object root array is not read (its type is the verdict)

    def _small_value(self, path: str) -> Any:
        value, start, end = self.sc.value()
        if self.check_duplicates and isinstance(value, dict | list):
            self._duplicates(value, start, end, path)
        return value

    def _duplicates(self, value: Any, start: int, end: int, path: str) -> None:
        raw = self.sc.buf[start:end]
        if parse.maybe_duplicates(raw, value):
            for finding in parse.duplicate_findings(raw, path):
                self.emit(finding)

    def _traject_duplicates(self, value: Any, start: int, end: int, path: str, ti: int) -> int | None:
        """The duplicate-key check of one traject; its R-DUP-01 digest when proof 1 holds for its text
        (`parse.proven_digest`), so that the rules need not render it again."""
        digest = parse.proven_digest(self.sc.buf[start:end], value)
        if digest is None:
            self._duplicates(value, start, end, f"{path}/schuldhulptrajecten/{ti}")
        return digest

    def _dup_key(self, seen: set[str], key: str, path: str) -> None:
        if key in seen and self.check_duplicates:
            self.emit(
                Finding(
                    "R-JSON-01",
                    Severity.ERROR,
                    path + pointer(key),
                    f"Duplicate key '{key}' in the object at '{path or '/'}'. Parsers keep only one of "
                    "the values and silently drop the others, so data is lost.",
                    f"Write '{key}' once per object.",
                )
            )
        seen.add(key)

    def run(self) -> Iterator[Event]:
        sc = self.sc
        if not self.envelope:
            yield from self._root("")
            if not self.unread_tail:
                self._finish_text()
            return
        first = sc.peek()
        if first != "{":
            if first == "":
                raise sc.error("no JSON value")
            env, consumed = _non_object(sc)
            if consumed:
                self._finish_text()
            yield Header({}, None, "/gegevens", False, True, None, env, False)
            yield End(None, 0, 0)
            return
        seen: set[str] = set()
        gegevens_seen = False
        for key in _iter_members(sc):
            self._dup_key(seen, key, "")
            if key == "gegevens" and sc.peek() == "{" and not gegevens_seen:
                gegevens_seen = True
                self.collected.envelope[key] = {}
                yield from self._root("/gegevens")
            else:
                self.collected.envelope[key] = self._small_value(pointer(key))
        self._finish_text()
        if not gegevens_seen:
            env = self._skel().envelope
            gegevens = env.get("gegevens")
            present = "gegevens" in env
            root = _placeholder(gegevens) if present else None
            yield Header({}, env.get("paginering"), "/gegevens", False, not present, root, env, present)
            yield End(env.get("paginering"), 0, 0)
            return
        yield End(self._skel().envelope.get("paginering"), self._leveringen, self.trajecten)

    def _skel(self) -> _Skeleton:
        return self.skel if self.skel is not None else self.collected

    def _finish_text(self) -> None:
        if self.sc.peek() != "":
            raise self.sc.error("unexpected content after the JSON document")

    def _header(self, prefix: str, is_list: bool) -> Header:
        skel = self._skel()
        paginering = skel.envelope.get("paginering") if self.envelope else None
        env = skel.envelope if self.envelope else None
        return Header(dict(skel.root), paginering, prefix, is_list, True, None, env, True)

    def _root(self, prefix: str) -> Iterator[Event]:
        sc = self.sc
        first = sc.peek()
        if first != "{":
            if first == "":
                raise sc.error("no JSON value")
            root, consumed = _non_object(sc)
            self.unread_tail = not consumed
            if not self.envelope:
                yield Header({}, None, prefix, False, False, root, None, True)
                yield End(None, 0, 0)
            return
        seen: set[str] = set()
        emitted = False
        for key in _iter_members(sc):
            self._dup_key(seen, key, prefix)
            if key == "leveringen" and sc.peek() == "[" and not emitted:
                emitted = True
                if self.skel is not None:
                    yield self._header(prefix, True)
                yield from self._leveringen_array(prefix)
            else:
                self.collected.root[key] = self._small_value(prefix + pointer(key))
        if not emitted and self.skel is not None:
            yield self._header(prefix, False)
        if not self.envelope and self.skel is not None:
            self._finish_text()
            yield End(None, self._leveringen, self.trajecten)

    def _leveringen_array(self, prefix: str) -> Iterator[Event]:
        sc = self.sc
        count = 0
        for li in sc.elements():
            count += 1
            path = f"{prefix}/leveringen/{li}"
            if sc.peek() != "{":
                value = self._small_value(path)
                if self.skel is not None:
                    yield LeveringStart(li, value)
                    yield LeveringEnd(li, 0, False)
                continue
            yield from self._levering(li, path)
        self._leveringen = count

    def _levering(self, li: int, path: str) -> Iterator[Event]:
        sc = self.sc
        collected: dict[str, Any] = {}
        self.collected.leveringen[li] = collected
        seen: set[str] = set()
        started = False
        listed = False
        count = 0
        for key in _iter_members(sc):
            self._dup_key(seen, key, path)
            if key == "schuldhulptrajecten" and sc.peek() == "[" and not listed:
                listed = True
                if self.skel is None:
                    sc.skip_array()  # the pre-scan wants the levering's other keys only
                    continue
                if not started:
                    started = True
                    yield LeveringStart(li, dict(self.skel.leveringen.get(li, {})))
                check = self.check_duplicates
                for ti in sc.elements():
                    value, start, end = sc.value()
                    count += 1
                    digest = None
                    if check and isinstance(value, dict | list):
                        digest = self._traject_duplicates(value, start, end, path, ti)
                    yield TrajectItem(li, ti, value, digest)
            else:
                collected[key] = self._small_value(path + pointer(key))
        if self.skel is not None:
            if not started:
                yield LeveringStart(li, dict(self.skel.leveringen.get(li, {})))
            self.trajecten += count
            yield LeveringEnd(li, count, listed)


def iter_stream_events(
    opener: Callable[[], IO[bytes]],
    *,
    envelope: bool = False,
    on_finding: OnFinding | None = None,
    duplicates: bool = True,
    chunk_size: int | None = None,
) -> Iterator[Event]:
    """Stream a document that is too large to load: a skeleton pre-scan (which skips over the
    trajecten without parsing them), then the main pass. `chunk_size` overrides `CHUNK_SIZE`."""
    emit = on_finding or _noop

    with opener() as fh:
        source = _TextSource(fh, _noop, chunk_size)
        pre = _Stream(_Scanner(source, track_lines=False), envelope, _noop, None)
        try:
            for _event in pre.run():
                pass
        except (ReadError, RecursionError):
            pass  # the main pass reports it, at the same place
    skeleton = pre.collected

    with opener() as fh:
        source = _TextSource(fh, emit, chunk_size)
        main = _Stream(_Scanner(source), envelope, emit, skeleton, duplicates)
        try:
            yield from main.run()
        except ReadError as exc:
            for finding in source.stats.findings():
                emit(finding)
            raise ReadError(exc.findings) from None
        for finding in source.stats.findings():
            emit(finding)


def stream_bytes(
    data: bytes, *, envelope: bool = False, on_finding: OnFinding | None = None
) -> Iterator[Event]:
    """The streamed reader over bytes in memory: used by tests to check both paths agree."""
    return iter_stream_events(lambda: io.BytesIO(data), envelope=envelope, on_finding=on_finding)
