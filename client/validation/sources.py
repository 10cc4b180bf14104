"""Inputs that are not a plain file, opened with limits: standard input and zip archives.

A file on disk has a size the reader can stream; standard input has none, and a zip member's size is
what the archive claims. So standard input is spooled to a temporary file (mode 0600: an export holds
BSNs) and then validated exactly like a file, streamed when large; and a zip is checked against its
declared sizes before any member is extracted. Both raise `InputRefused` (exit 2 at the command).
"""

from __future__ import annotations

import contextlib
import os
import tempfile
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import IO

__all__ = [
    "MAX_INPUT_BYTES",
    "MAX_ZIP_MEMBERS",
    "MAX_ZIP_RATIO",
    "InputRefused",
    "check_zip",
    "spooled_stdin",
]

MAX_INPUT_BYTES = 4 * 1024**3  # standard input, and the uncompressed total of a zip archive
MAX_ZIP_RATIO = 100  # uncompressed / compressed; JSON deflates 5-20x, a zip bomb far more
MAX_ZIP_MEMBERS = 100_000
_RATIO_FROM = 1024 * 1024  # the ratio is judged for members (and archives) above 1 MiB uncompressed
_CHUNK = 1024 * 1024
_UTF8_BOM = b"\xef\xbb\xbf"
_JSON_START = frozenset(b'{["-0123456789tfn')
_WHITESPACE = b" \t\r\n"


class InputRefused(Exception):
    """An input refused before it is read whole: too large, or an archive that expands too much."""


def _cannot_be_json(head: bytes) -> bool:
    """True when the first bytes already show the input is not JSON (e.g. /dev/zero): reading more
    would change nothing the validator says, which is reported at the first byte."""
    text = head.removeprefix(_UTF8_BOM).lstrip(_WHITESPACE)
    if not text:
        return False
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        return False  # UTF-16: the encoding layer names it, from the whole input
    return text[0] not in _JSON_START


@contextlib.contextmanager
def spooled_stdin(stream: IO[bytes], *, limit: int | None = None) -> Iterator[Path]:
    """Standard input in a 0600 temporary file, removed afterwards; at most `limit` bytes (default
    `MAX_INPUT_BYTES`), else `InputRefused`. An input that cannot be JSON stops after its first chunk.

    OSError (a full disk) propagates: the caller reports it as an I/O problem.
    """
    limit = MAX_INPUT_BYTES if limit is None else limit
    fd, name = tempfile.mkstemp(prefix="ddas-stdin-", suffix=".json")
    path = Path(name)
    try:
        with os.fdopen(fd, "wb") as out:
            size = 0
            while chunk := stream.read(_CHUNK):
                size += len(chunk)
                if size > limit:
                    raise InputRefused(
                        f"standard input is larger than {limit:,} bytes; save it to a file and "
                        "validate the file (a file is streamed whatever its size)"
                    )
                out.write(chunk)
                if size == len(chunk) and _cannot_be_json(chunk[:4096]):
                    break
        yield path
    finally:
        with contextlib.suppress(OSError):
            path.unlink()


def check_zip(
    archive: zipfile.ZipFile,
    *,
    limit: int | None = None,
    ratio: int = MAX_ZIP_RATIO,
    members: int = MAX_ZIP_MEMBERS,
) -> list[zipfile.ZipInfo]:
    """Refuse an archive before extracting anything: more than `members` files, a total uncompressed
    size over `limit` (default `MAX_INPUT_BYTES`), or a member or the whole expanding more than `ratio`
    times (judged above 1 MiB uncompressed). The sizes are the archive's own; zipfile reads no more
    than a member's declared size, so they bound what extraction can produce. Returns the file members."""
    limit = MAX_INPUT_BYTES if limit is None else limit
    infos = [info for info in archive.infolist() if not info.is_dir()]
    if len(infos) > members:
        raise InputRefused(f"the zip archive holds {len(infos):,} files; at most {members:,} are read")
    total = compressed = 0
    for info in infos:
        total += info.file_size
        compressed += info.compress_size
        if info.file_size > _RATIO_FROM and info.file_size > ratio * max(1, info.compress_size):
            raise InputRefused(
                f"{info.filename} in the zip expands {info.file_size / max(1, info.compress_size):,.0f} "
                f"times ({info.file_size:,} bytes); at most {ratio} times is read (a zip bomb?); "
                "unpack it yourself and validate the files"
            )
    if total > limit:
        raise InputRefused(
            f"the zip archive expands to {total:,} bytes; at most {limit:,} are read; "
            "unpack it and validate the files"
        )
    if total > _RATIO_FROM and total > ratio * max(1, compressed):
        raise InputRefused(
            f"the zip archive expands {total / max(1, compressed):,.0f} times; at most {ratio} times is read"
        )
    return infos
