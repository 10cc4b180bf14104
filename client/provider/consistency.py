"""One consistent paging across replicas and data changes: the data version.

Every replica on the same exports plans the same pages (the planner is deterministic over the files'
content in name order), so pages can come from any replica. What must not happen is a pull that mixes
pages of two data versions. Each answer therefore carries `DDAS-Data-Version` (derived from the
exports' SHA-256); a puller sends the version of its page 1 with every further page, and a replica
that serves another version answers 409: the puller starts again from page 1 (docs/decisions.md).
"""

from __future__ import annotations

import re

from client.provider.cache import DataVersion

DATA_VERSION_HEADER = "DDAS-Data-Version"
VERSION_LENGTH = 32
VERSION_PATTERN = r"^[0-9a-f]{1,64}$"
_VERSION = re.compile(VERSION_PATTERN)


def data_version(version: DataVersion) -> str:
    """The exports' content version: the first 128 bits of their SHA-256 (file stats do not count)."""
    return version.fingerprint.sha256[:VERSION_LENGTH]


def requested_version(value: str | None) -> str | None:
    """The version a request asks for (None: any); ValueError for a value that cannot be a version."""
    if value is None or not value.strip():
        return None
    text = value.strip().lower()
    if not _VERSION.match(text):
        raise ValueError(
            f"{DATA_VERSION_HEADER} must be the hexadecimal version of an earlier answer "
            "(at most 64 characters)"
        )
    return text
