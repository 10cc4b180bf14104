"""Findings: the one shape in which every check, on either side of the wire, reports a problem.

A finding is cheap until it is shown. Checks can fire hundreds of thousands of times on a real export
(warnings on every traject), and most of those findings are only counted: so a `Finding` holds its
code, severity and raw path as plain attributes, and its message as a template with arguments.
`message`, `hint` and `path` are rendered, and BSN-masked (`client.privacy`), when they are read,
which is only for the findings that are output.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Any

from client.privacy import mask_text

__all__ = ["RANK", "Finding", "Profile", "Severity", "pointer"]


class Severity(StrEnum):
    ERROR = "error"
    WARNING = "warning"
    INFO = "info"

    @property
    def rank(self) -> int:
        return RANK[self.value]


# by value: hashing a str is C, hashing an Enum member runs Python code
RANK: dict[str, int] = {"info": 0, "warning": 1, "error": 2}


class Profile(StrEnum):
    """Severity profiles of RULES.md: `standard` caps rule severities at warning, `strict` keeps them."""

    STANDARD = "standard"
    STRICT = "strict"


class Finding:
    """One problem. `path` is an RFC 6901 JSON pointer into the document ("" for the whole file).

    `message` is either the text itself or, with `args`, a `str.format` template rendered on access
    (so a finding that is only counted never formats its values). Whatever goes in, `message`, `hint`
    and `path` come out with every nine-digit run masked.
    """

    __slots__ = ("_args", "_hint", "_message", "_path", "code", "severity")

    code: str
    severity: Severity

    def __init__(
        self,
        code: str,
        severity: Severity,
        path: str,
        message: str,
        hint: str = "",
        args: tuple[Any, ...] = (),
    ) -> None:
        self.code = code
        self.severity = severity
        self._path = path
        self._message = message
        self._hint = hint
        self._args = args

    @property
    def path(self) -> str:
        return mask_text(self._path)

    @property
    def message(self) -> str:
        text = self._message.format(*self._args) if self._args else self._message
        return mask_text(text)

    @property
    def hint(self) -> str:
        return mask_text(self._hint)

    def to_dict(self) -> dict[str, Any]:
        """The JSON form (masked): what `--format json`, the mock and the provider write."""
        return {
            "code": self.code,
            "severity": self.severity.value,
            "path": self.path,
            "message": self.message,
            "hint": self.hint,
        }

    def unmasked(self) -> dict[str, Any]:
        """The JSON form before masking, for a writer that masks what it writes as a whole
        (`client.validation.jsonout`); anything else uses `to_dict`."""
        return {
            "code": self.code,
            "severity": self.severity,
            "path": self._path,
            "message": self._message.format(*self._args) if self._args else self._message,
            "hint": self._hint,
        }

    def _key(self) -> tuple[str, str, str, str, str]:
        return (self.code, self.severity.value, self.path, self.message, self.hint)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Finding):
            return NotImplemented
        return self._key() == other._key()

    def __hash__(self) -> int:
        return hash(self._key())

    def __repr__(self) -> str:
        return (
            f"Finding(code={self.code!r}, severity={self.severity.value!r}, path={self.path!r}, "
            f"message={self.message!r}, hint={self.hint!r})"
        )


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
