"""Traject bytes kept out of the Python heap: each traject is serialised once (orjson, input key order)
and appended here; pages are assembled later by concatenation.

Small inputs stay in one in-memory buffer; past `spill_at` bytes everything moves to an anonymous
temporary file (created 0600 and already unlinked, so it vanishes with the process: it holds BSNs).
"""

from __future__ import annotations

import os
import tempfile
from typing import IO


class ByteStore:
    def __init__(self, spill_at: int = 256 * 1024 * 1024) -> None:
        self._buf = bytearray()
        self._file: IO[bytes] | None = None
        self._size = 0
        self._spill_at = spill_at
        self._pending: list[bytes] = []
        self._pending_size = 0

    @property
    def size(self) -> int:
        return self._size

    @property
    def spilled(self) -> bool:
        return self._file is not None

    def append(self, data: bytes) -> int:
        """Store `data`; returns its offset."""
        off = self._size
        self._size += len(data)
        if self._file is None:
            self._buf += data
            if len(self._buf) > self._spill_at:
                self._file = tempfile.TemporaryFile(prefix="ddas-plan-")  # noqa: SIM115 (lives with the store)
                self._file.write(self._buf)
                self._buf = bytearray()
        else:
            self._pending.append(data)
            self._pending_size += len(data)
            if self._pending_size >= 8 * 1024 * 1024:
                self._flush()
        return off

    def _flush(self) -> None:
        if self._file is not None and self._pending:
            self._file.write(b"".join(self._pending))
            self._pending.clear()
            self._pending_size = 0
            self._file.flush()

    def read(self, off: int, length: int) -> bytes:
        if self._file is None:
            return bytes(self._buf[off : off + length])
        if self._pending:
            self._flush()
        return os.pread(self._file.fileno(), length, off)

    def close(self) -> None:
        if self._file is not None:
            self._file.close()
            self._file = None
        self._buf = bytearray()
        self._pending.clear()
