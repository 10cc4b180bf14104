"""What is wrong with an input path, said once for every command that reads exports."""

from __future__ import annotations

from pathlib import Path


def input_problem(path: Path) -> str | None:
    """None for a readable regular file, else why not and what to do instead (no I/O beyond stat)."""
    if path.is_dir():
        return "is a directory; give the export file(s) in it, e.g. DIR/*.json"
    if not path.exists():
        return "no such file"
    if not path.is_file():
        return "not a regular file (a pipe or device); save the export to a file first"
    return None
