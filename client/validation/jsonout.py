"""The JSON verdict, streamed: `{"files": [...]}` written one file at a time, each finding as it is found.

Why: a warning-heavy export yields close to a million findings; holding them, then serialising one big
document, costs more than validating. Here a finding is rendered (message, hint, masked path) only when
it is written, with orjson, into a buffer flushed every `FLUSH_BYTES`. The output is complete: every
finding is written unless `max_findings` caps it, and then the file's entry says `"truncated": true`.
Each finding is one line, so line-oriented tools can follow the stream. The counts of a file come after
its findings (they are known only at the end); JSON readers do not care about key order.
"""

from __future__ import annotations

from typing import IO, TYPE_CHECKING, Any

import orjson

from client.privacy import mask_text, may_hold_bsn
from client.validation.findings import Finding, Severity

if TYPE_CHECKING:
    from client.validation import FileReport

__all__ = ["FLUSH_BYTES", "JsonReportWriter"]

FLUSH_BYTES = 1 << 16
_INFO = Severity.INFO
_OPTIONS = orjson.OPT_NON_STR_KEYS


def _dumps(value: Any) -> bytes:
    """Compact JSON, with any nine-digit run masked (names, problems and extras come from outside)."""
    return mask_text(orjson.dumps(value, option=_OPTIONS).decode()).encode()


class JsonReportWriter:
    """Call `begin(name)`, then `finding(f)` per finding (a `FindingSink`), then `end(report)` per file,
    and `close()` once. `problem(name, message)` writes an entry for an input that could not be read."""

    def __init__(self, out: IO[bytes], *, include_info: bool = True, max_findings: int | None = None) -> None:
        self.out = out
        self.include_info = include_info
        self.max = max_findings
        self._buf: list[bytes] = [b'{"files":[']
        self._size = 0
        self._files = 0
        self._open = False
        self._written = 0
        self._truncated = False

    # ---- plumbing ------------------------------------------------------------------------------
    def _put(self, data: bytes) -> None:
        self._buf.append(data)
        self._size += len(data)
        if self._size >= FLUSH_BYTES:
            self.flush()

    def flush(self) -> None:
        self.out.write(b"".join(self._buf))
        self.out.flush()
        self._buf.clear()
        self._size = 0

    def _start_entry(self, name: str) -> None:
        self._put((b",\n" if self._files else b"\n") + b'{"file":' + _dumps(name))
        self._files += 1

    # ---- per file ------------------------------------------------------------------------------
    def begin(self, name: str) -> None:
        """Open the entry of one file; its findings follow."""
        if self._open:
            self.end(None, problem="internal error: the previous file was not closed")
        self._start_entry(name)
        self._put(b',"findings":[')
        self._open = True
        self._written = 0
        self._truncated = False

    def finding(self, finding: Finding) -> None:
        """Write one finding (the `sink` of `client.validation`): rendered and masked here, once."""
        if not self._open or (finding.severity is _INFO and not self.include_info):
            return
        if self.max is not None and self._written >= self.max:
            self._truncated = True
            return
        # one check of the whole line instead of masking its three texts: nearly every line has no
        # nine digits in a row; one that may is rendered again from the masked texts
        data = orjson.dumps(finding.unmasked())
        if may_hold_bsn(data):
            data = orjson.dumps(finding.to_dict())
        self._buf.append(b",\n" if self._written else b"\n")
        self._buf.append(data)
        self._written += 1
        self._size += len(data)
        if self._size >= FLUSH_BYTES:
            self.flush()

    def end(
        self,
        report: FileReport | None,
        *,
        problem: str | None = None,
        extra: dict[str, Any] | None = None,
    ) -> None:
        """Close the file's entry with its counts (from `report`), a `problem` and an `extra` report."""
        if not self._open:
            return
        self._open = False
        tail: dict[str, Any] = {"valid": False, "errors": 0, "warnings": 0, "infos": 0}
        if report is not None:
            tail = report.summary()
            del tail["file"]
        tail["truncated"] = self._truncated
        if problem is not None:
            tail["valid"] = False
            tail["problem"] = problem
        if extra is not None:
            tail["report"] = extra
        self._put(b"\n]," + _dumps(tail)[1:])

    def problem(self, name: str, message: str) -> None:
        """An entry for an input that was not validated (missing, unreadable, not a zip...)."""
        if self._open:
            self.end(None, problem=message)
            return
        self._start_entry(name)
        entry = {"valid": False, "errors": 0, "warnings": 0, "findings": [], "problem": message}
        self._put(b"," + _dumps(entry)[1:])

    def close(self) -> None:
        if self._open:
            self.end(None, problem="internal error: validation stopped")
        self._put(b"\n]}\n")
        self.flush()
