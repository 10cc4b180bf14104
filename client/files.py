"""Writing files whole or not at all, private from their first byte.

One way for every file the tools write that may hold BSNs or keys (split pages and zips, development
keys, conformance reports): a temporary file beside the target, created with its final mode, synced and
renamed over the target, so a crash or a full disk leaves the earlier file or the new one, never half
of one, and never a moment in which it is readable by others.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import BinaryIO


@contextmanager
def atomic_write(path: Path, mode: int = 0o600) -> Iterator[BinaryIO]:
    """A binary handle whose content replaces `path` when the block ends without an exception."""
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as handle:
            os.fchmod(handle.fileno(), mode)
            yield handle
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def write_atomic(path: Path, data: bytes, mode: int = 0o600) -> None:
    """`data` as the new content of `path` (see `atomic_write`)."""
    with atomic_write(path, mode) as handle:
        handle.write(data)
