"""A large request body kept on disk, not in memory: the receiver holds a 200 MB page in a fraction of it.

The route reads the body chunk by chunk; past `SPOOL_AT` bytes the chunks go to a temporary file (mode
0600: pages hold BSNs) while `client.wire.signing.BodyHasher` computes the Digest and the profile-B
signing input on the way. Verification, the technical check (the streaming reader over the file) and
compression for the store then read the file, never the whole body at once. Small bodies stay bytes.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

from client.wire.signing import BodyHasher, StreamedBody

SPOOL_AT = 8 * 1024 * 1024  # bytes; smaller bodies are checked in memory (the fast path)
_CHUNK = 1024 * 1024


@dataclass
class SpooledBody:
    """A body on disk with its hashes; `remove()` deletes the file (the route does, in any case)."""

    path: Path
    streamed: StreamedBody

    @property
    def size(self) -> int:
        return self.streamed.size

    @property
    def sha256_hex(self) -> str:
        return self.streamed.sha256.hex()

    def open(self) -> IO[bytes]:
        return self.path.open("rb")

    def compress(self) -> bytes:
        """The store's compressed form (`mock_server.store.compress`), computed from the file in chunks."""
        packer = zlib.compressobj(1)
        parts: list[bytes] = []
        with self.open() as fh:
            while chunk := fh.read(_CHUNK):
                parts.append(packer.compress(chunk))
        parts.append(packer.flush())
        return b"".join(parts)

    def remove(self) -> None:
        self.path.unlink(missing_ok=True)


class Spool:
    """Collects a body: in memory up to `SPOOL_AT` bytes, then in a 0600 temporary file."""

    def __init__(self, headers: Any) -> None:
        self._headers = headers
        self._memory: list[bytes] = []
        self._size = 0
        self._file: IO[bytes] | None = None
        self._path: Path | None = None
        self._hasher: BodyHasher | None = None

    @property
    def size(self) -> int:
        return self._size

    def add(self, chunk: bytes) -> None:
        self._size += len(chunk)
        if self._file is None and self._size <= SPOOL_AT:
            self._memory.append(chunk)
            return
        if self._file is None:
            self._start_file()
        assert self._file is not None and self._hasher is not None
        self._file.write(chunk)
        self._hasher.update(chunk)

    def _start_file(self) -> None:
        fd, name = tempfile.mkstemp(prefix="ddas-mock-body-", suffix=".json")  # mode 0600
        self._path = Path(name)
        self._file = os.fdopen(fd, "wb")
        self._hasher = BodyHasher(self._headers)
        for part in self._memory:
            self._file.write(part)
            self._hasher.update(part)
        self._memory = []

    def result(self) -> bytes | SpooledBody:
        """The body: bytes when small, else the closed file with its hashes."""
        if self._file is None:
            return b"".join(self._memory)
        self._file.close()
        assert self._path is not None and self._hasher is not None
        path = self._path
        return SpooledBody(path, self._hasher.finish(path.read_bytes))

    def discard(self) -> None:
        """Drop whatever was collected (a refused or broken upload)."""
        if self._file is not None:
            with contextlib.suppress(OSError):
                self._file.close()
        if self._path is not None:
            self._path.unlink(missing_ok=True)
        self._memory = []


@contextlib.contextmanager
def removed_after(body: bytes | SpooledBody) -> Iterator[bytes | SpooledBody]:
    """Yield `body`; its file, if any, is removed afterwards whatever happens."""
    try:
        yield body
    finally:
        if isinstance(body, SpooledBody):
            body.remove()
