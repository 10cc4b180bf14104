"""Writing planned pages to a directory (`ddas split -o DIR`): whole files or none, never stale ones.

Each file is written to a temporary name in the same directory (mode 0600: pages hold BSNs), synced and
renamed over its target, so a crash or a full disk leaves the earlier file or the new one, never half a
file. A directory may hold the files of an earlier run of the same deliveries with other page counts
(`_p001-of-003` then `_p001-of-002`); those are removed once the run has written its own, so the
directory never offers two versions of one delivery.
"""

from __future__ import annotations

import errno
import os
import re
import zipfile
from collections.abc import Iterable
from pathlib import Path

from client import files

_PAGE_SUFFIX = r"(?:_p\d{3,}-of-\d{3,})?\.json"


class OutputError(Exception):
    """A file could not be written (exit 2); the message names the file, the cause and what to do."""


def describe_os_error(target: Path, exc: OSError) -> str:
    """One line for a failed write: a full disk is named as such, with what to do."""
    if exc.errno in (errno.ENOSPC, errno.EDQUOT):
        return (
            f"{target}: cannot write: the disk is full; free space there and run again "
            "(files already written are complete; the next run replaces them)"
        )
    return f"{target}: cannot write: {exc.strerror or exc}"


def write_atomic(path: Path, data: bytes) -> None:
    """`data` written whole (0600, synced, renamed over the target); OutputError on failure."""
    try:
        files.write_atomic(path, data)
    except OSError as exc:
        raise OutputError(describe_os_error(path, exc)) from None


def write_zip(target: Path, members: list[Path]) -> None:
    """`members` packed into `target`, written like `write_atomic`."""
    try:
        with files.atomic_write(target) as handle, zipfile.ZipFile(handle, "w", zipfile.ZIP_DEFLATED) as zf:
            for member in members:
                zf.write(member, arcname=member.name)
    except OSError as exc:
        raise OutputError(describe_os_error(target, exc)) from None


def delivery_files(directory: Path, base_names: Iterable[str]) -> list[Path]:
    """The files in `directory` that belong to the deliveries named `SHV_..._<uitvraagdeel>` (the file
    name without `.json`): the single file and every page file, whatever its page count."""
    bases = sorted(set(base_names))
    if not bases:
        return []
    pattern = re.compile("(?:" + "|".join(re.escape(b) for b in bases) + ")" + _PAGE_SUFFIX)
    try:
        entries = list(os.scandir(directory))
    except OSError:
        return []
    return sorted(
        Path(e.path) for e in entries if pattern.fullmatch(e.name) and e.is_file(follow_symlinks=False)
    )


def remove_stale(
    directory: Path, base_names: Iterable[str], written: set[str], zips: Iterable[str] = ()
) -> list[Path]:
    """Remove the files of these deliveries that this run did not write; returns what was removed.

    `zips` names the `SHV_<code>.zip` files of this run's codes: one not written now holds an earlier
    run's pages and goes too. Called after the run wrote its pages (also when it stopped early), so
    nothing of an earlier run of the same deliveries is left next to the new files. OutputError when a
    file cannot be removed.
    """
    removed: list[Path] = []
    candidates = delivery_files(directory, base_names)
    candidates += [directory / name for name in sorted(set(zips)) if (directory / name).is_file()]
    for path in candidates:
        if path.name in written:
            continue
        try:
            path.unlink()
        except FileNotFoundError:
            continue
        except OSError as exc:
            raise OutputError(
                f"{path}: a file of an earlier run of this delivery cannot be removed: "
                f"{exc.strerror or exc}; remove it by hand"
            ) from None
        removed.append(path)
    return removed
