"""Layer (b): JSON syntax and duplicate keys.

Parsing is done once, by orjson (in memory) or by the streaming reader (`reader`). This module
turns parser errors into findings with line, column and byte offset, and finds duplicate keys, which
every fast parser silently resolves by keeping the last value (RFC 8259 only says names SHOULD be
unique, so parsers do not complain; RULES.md R-JSON-01 makes it an error because data is lost).

Duplicate keys, fast, in two proofs (`maybe_duplicates`); the exact scan runs only when both fail:
1. Equal text. `dumped = orjson.dumps(parsed)` is a rendering of the parsed value, whose objects are
   dicts and so cannot hold a key twice. When the raw text starts with `dumped` (a compact export
   written by orjson, as `ddas` and most fast writers produce; `OPT_INDENT_2` when the raw text is
   indented that way), the raw text *is* that rendering (only whitespace can follow a complete
   document, or nothing that holds a key), so it has no duplicates. One memcmp, stopping at the first
   difference: far cheaper than counting.
2. Counting colons. Every key is followed by exactly one `:` and orjson never escapes a `:` inside
   a string, so `raw.count(":")` = keys written + colons inside strings, and `dumped.count(":")` =
   keys kept + the same colons inside strings (strings are equal after parsing; only a `\\u003a`
   escape in the raw text hides a colon, and then we do not trust the count; indentation adds no
   colons). A dropped duplicate makes the raw count larger, so equal counts prove there are none.
Only when both fail do we run the exact scan, which parses again with an `object_pairs_hook` and
reports each duplicate with its path.

Proof 1 piece by piece (`rendered_digests`, the in-memory reader's first try): the same equal-text
proof, with orjson's compact rendering built part by part (keys, header values, each traject) and each
part compared in place with `startswith(part, pos)`. Each traject's rendering is needed anyway for its
R-DUP-01 digest (`rendering_digest`), so a compact export pays no whole-document serialisation.
"""

from __future__ import annotations

import gc
import json
import threading
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import orjson
from orjson import dumps

from client.privacy import mask_digit_runs
from client.validation.findings import Finding, Severity, pointer

__all__ = [
    "MAX_DEPTH",
    "duplicate_findings",
    "gc_paused",
    "maybe_duplicates",
    "proven_digest",
    "rendered_digests",
    "rendering_digest",
    "syntax_finding",
    "syntax_message",
]

MAX_DEPTH = 1024  # orjson's nesting limit; a delivery needs about 10 levels


JSON_HINT = (
    "Fix the JSON at that position (a missing comma, quote or bracket is the usual cause), or export "
    "the file again; check it with any JSON validator before delivery."
)

_gc_lock = threading.Lock()
_gc_depth = 0
_gc_was_enabled = False


@contextmanager
def gc_paused() -> Iterator[None]:
    """Pause the cyclic garbage collector while a large document is alive.

    Why: orjson builds millions of dicts and lists; every collection then walks all of them, which
    makes parsing a 200 MB file three times slower. The documents have no reference cycles, so
    reference counting frees them. Re-entrant and thread-safe: the collector is re-enabled when the
    last user leaves, and only if it was enabled when the first one came in.
    """
    global _gc_depth, _gc_was_enabled
    with _gc_lock:
        if _gc_depth == 0:
            _gc_was_enabled = gc.isenabled()
            gc.disable()
        _gc_depth += 1
    try:
        yield
    finally:
        with _gc_lock:
            _gc_depth -= 1
            if _gc_depth == 0 and _gc_was_enabled:
                gc.enable()


def _excerpt(text: str, pos: int) -> str:
    """The text around a syntax error, with no run of five or more digits (a cut BSN stays hidden)."""
    start = max(0, pos - 25)
    snippet = text[start : pos + 15].replace("\n", "\\n").replace("\r", "\\r").replace("\t", "\\t")
    return mask_digit_runs(snippet)


def syntax_message(msg: str, line: int, column: int, offset: int | None, excerpt: str, at_end: bool) -> str:
    where = f"line {line}, column {column}"
    if offset is not None:
        where += f" (byte offset {offset})"
    low = msg.lower()
    if "depth" in low or "recursion" in low:
        return (
            f"The JSON is nested more than {MAX_DEPTH} levels deep at {where}; a delivery is about 10 levels "
            "deep, so this is not an Uitwisselmodel document (or it is damaged)."
        )
    text = f"Invalid JSON at {where}: {msg}"
    if at_end:
        text += "; the file ends before the JSON is complete (it looks truncated)"
    if excerpt:
        text += f". Near: «{excerpt}»"
    return text + "."


def syntax_hint(at_end: bool) -> str:
    if at_end:
        return "The file is cut off: check that the export and any upload or copy finished; export it again."
    return JSON_HINT


def syntax_finding(
    payload: bytes, exc: orjson.JSONDecodeError, base_offset: int, transcoded: bool
) -> Finding:
    """An R-JSON-01 finding for an orjson error. orjson reports character positions; the byte offset
    is recomputed (on the error path only) so that hex editors agree with us."""
    text = payload.decode("utf-8", errors="replace")
    pos = min(max(int(exc.pos), 0), len(text))
    offset = None if transcoded else base_offset + len(text[:pos].encode("utf-8"))
    rest = text[pos:].strip()
    at_end = not rest or "end of" in exc.msg.lower() or "eof" in exc.msg.lower()
    at_end = at_end and "after document" not in exc.msg
    message = syntax_message(exc.msg, exc.lineno, exc.colno, offset, _excerpt(text, pos), at_end)
    return Finding("R-JSON-01", Severity.ERROR, "", message, syntax_hint(at_end))


_INDENTED = b'{\n  "'  # how `orjson.dumps(..., option=OPT_INDENT_2)` (and `json.dumps(indent=2)`) open


def maybe_duplicates(raw: bytes | str, value: Any) -> bool:
    """False when one of the two proofs above shows that `raw` has no duplicate keys."""
    indented = isinstance(raw, bytes) and raw.startswith(_INDENTED)
    try:
        dumped = orjson.dumps(value, option=orjson.OPT_INDENT_2 if indented else None)
    except (orjson.JSONEncodeError, TypeError):
        return True
    if isinstance(raw, bytes):
        if raw.startswith(dumped):  # proof 1: the raw text is orjson's own rendering of the value
            return False
        # A backslash is found with memchr; most exports have none, so the escape search is usually skipped.
        if b"\\" in raw and (b"\\u003a" in raw or b"\\u003A" in raw):
            return True
        return raw.count(b":") != dumped.count(b":")
    if "\\" in raw and ("\\u003a" in raw or "\\u003A" in raw):
        return True
    return raw.count(":") != dumped.count(b":")


def rendering_digest(value: Any) -> int | None:
    """R-DUP-01's fingerprint of a traject: the (64-bit) hash of its orjson rendering; None when the
    value is not JSON. `rendered_digests` computes the same from the rendering it already holds."""
    try:
        return hash(orjson.dumps(value))
    except TypeError:  # orjson.JSONEncodeError is one
        return None


def proven_digest(raw: str, value: Any) -> int | None:
    """Proof 1 for one part read as text (the streaming reader's trajecten): when `raw` is orjson's
    compact rendering of the parsed `value`, it has no duplicate keys, and that rendering's hash is the
    part's R-DUP-01 digest (`rendering_digest`). None when the text differs or the value is not JSON."""
    try:
        rendered = orjson.dumps(value)
    except TypeError:  # orjson.JSONEncodeError is one
        return None
    return hash(rendered) if raw == rendered.decode() else None


Digests = list[list[int] | None]  # per levering: its trajecten's digests (None: no traject array)


class _NotRendered(Exception):
    """The raw text differs from orjson's compact rendering of the parsed value (at some byte)."""


def rendered_digests(raw: bytes, document: Any, envelope: bool = False) -> Digests | None:
    """When `raw` is exactly orjson's compact rendering of `document` (plus trailing whitespace), it has
    no duplicate keys (proof 1 above): then the R-DUP-01 digests of its trajecten, per levering, in the
    reader's order. None when the text differs anywhere (then `maybe_duplicates` decides)."""
    if not raw.startswith(b'{"') or type(document) is not dict:
        return None
    digests: Digests = []
    try:
        end = _Rendering(raw, digests).object(document, 0, "envelope" if envelope else "root")
    except (_NotRendered, TypeError, IndexError):
        return None
    if end != len(raw) and raw[end:].strip():
        return None  # pragma: no cover - orjson accepted the text, so only whitespace can follow
    return digests


class _Rendering:
    """Compares `raw` with orjson's compact rendering of a document, part by part (no copies)."""

    __slots__ = ("digests", "raw")

    def __init__(self, raw: bytes, digests: Digests) -> None:
        self.raw = raw
        self.digests = digests

    def expect(self, part: bytes, pos: int) -> int:
        if not self.raw.startswith(part, pos):
            raise _NotRendered
        return pos + len(part)

    def object(self, obj: dict[str, Any], pos: int, role: str) -> int:
        """An object at `pos`. Roles: "envelope" (its `gegevens` is the root), "root" (its `leveringen`
        holds leveringen), "levering" (its `schuldhulptrajecten` holds trajecten), "" (anything)."""
        pos = self.expect(b"{", pos)
        first = True
        for key, value in obj.items():
            if not first:
                pos = self.expect(b",", pos)
            first = False
            pos = self.expect(dumps(key), pos)
            pos = self.expect(b":", pos)
            if role == "envelope" and key == "gegevens" and type(value) is dict:
                pos = self.object(value, pos, "root")
            elif role == "root" and key == "leveringen" and type(value) is list:
                pos = self.leveringen(value, pos)
            elif role == "levering" and key == "schuldhulptrajecten" and type(value) is list:
                pos = self.trajecten(value, pos)
            else:
                pos = self.expect(dumps(value), pos)
        return self.expect(b"}", pos)

    def leveringen(self, items: list[Any], pos: int) -> int:
        pos = self.expect(b"[", pos)
        for index, levering in enumerate(items):
            if index:
                pos = self.expect(b",", pos)
            if type(levering) is dict:
                if type(levering.get("schuldhulptrajecten")) is not list:
                    self.digests.append(None)
                pos = self.object(levering, pos, "levering")
            else:
                self.digests.append(None)
                pos = self.expect(dumps(levering), pos)
        return self.expect(b"]", pos)

    def trajecten(self, items: list[Any], pos: int) -> int:
        raw = self.raw
        own: list[int] = []
        self.digests.append(own)
        pos = self.expect(b"[", pos)
        for index, traject in enumerate(items):
            if index:
                if raw[pos] != 0x2C:  # `expect(b",", pos)` inlined: once per traject
                    raise _NotRendered
                pos += 1
            text = dumps(traject)
            if not raw.startswith(text, pos):
                raise _NotRendered
            pos += len(text)
            own.append(hash(text))  # = rendering_digest(traject), from the rendering at hand
        return self.expect(b"]", pos)


class _DupDict(dict[str, Any]):
    """A parsed object that had duplicate keys; `dups` maps each such key to its count."""

    __slots__ = ("dups",)
    dups: dict[str, int]


def _pairs_hook(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    obj = dict(pairs)
    if len(obj) == len(pairs):
        return obj
    marked = _DupDict(obj)
    marked.dups = {key: n for key, n in Counter(key for key, _ in pairs).items() if n > 1}
    return marked


def _reject_constant(name: str) -> Any:
    raise ValueError(f"{name} is not JSON")


def duplicate_findings(raw: bytes | str, prefix: str = "") -> list[Finding]:
    """The exact scan: every key that occurs more than once in one object, with its JSON pointer."""
    text = raw.decode("utf-8", errors="replace") if isinstance(raw, bytes) else raw
    try:
        value = json.loads(text, object_pairs_hook=_pairs_hook, parse_constant=_reject_constant)
    except (ValueError, RecursionError):
        return []  # the syntax layer reports what is wrong; nothing to add here
    findings: list[Finding] = []
    stack: list[tuple[Any, str]] = [(value, prefix)]
    while stack:
        node, path = stack.pop()
        if isinstance(node, dict):
            if isinstance(node, _DupDict):
                for key, count in node.dups.items():
                    findings.append(
                        Finding(
                            "R-JSON-01",
                            Severity.ERROR,
                            path + pointer(key),
                            f"Duplicate key '{key}': it occurs {count} times in the object at "
                            f"'{path or '/'}'. Parsers keep only one of the values (usually the last) and "
                            "silently drop the others, so data is lost.",
                            f"Write '{key}' once per object; if both values matter, one of them belongs "
                            "under a different key or in a different object.",
                        )
                    )
            for key, child in node.items():
                if isinstance(child, dict | list):
                    stack.append((child, path + pointer(key)))
        elif isinstance(node, list):
            for index, child in enumerate(node):
                if isinstance(child, dict | list):
                    stack.append((child, f"{path}/{index}"))
    findings.sort(key=lambda f: f.path)
    return findings
