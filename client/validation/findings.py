"""Findings: the one shape in which every check, on either side of the wire, reports a problem."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from client.privacy import mask_text


class Severity(StrEnum):
    ERROR = "error"
    WARNING = "warning"
    INFO = "info"

    @property
    def rank(self) -> int:
        return {"info": 0, "warning": 1, "error": 2}[self.value]


class Profile(StrEnum):
    """Severity profiles of RULES.md: `standard` caps rule severities at warning, `strict` keeps them."""

    STANDARD = "standard"
    STRICT = "strict"


@dataclass(frozen=True, slots=True)
class Finding:
    """One problem. `path` is an RFC 6901 JSON pointer into the document ("" for the whole file).

    Messages and hints never contain a BSN unmasked: build them with `client.privacy.mask_bsn`.
    """

    code: str
    severity: Severity
    path: str
    message: str
    hint: str = ""

    def to_dict(self) -> dict[str, Any]:
        return {
            "code": self.code,
            "severity": self.severity.value,
            "path": self.path,
            "message": self.message,
            "hint": self.hint,
        }


def pointer(*parts: str | int) -> str:
    """Build an RFC 6901 JSON pointer from path parts (escaping `~` and `/`).

    A key that holds a BSN (someone keyed an object by it) is masked: paths end up in findings.
    """
    out = []
    for part in parts:
        text = part if isinstance(part, int) else mask_text(part)
        text = str(text).replace("~", "~0").replace("/", "~1")
        out.append("/" + text)
    return "".join(out)
