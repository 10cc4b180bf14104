"""Per-traject context shared by the check functions (one reusable object, no per-traject allocation).

The engine fills it once per traject with what several checks need (parsed key dates, the base
JSON pointer, the delivery period) and every check is a small function `check(c) -> None` that
appends findings through `c.add`. Values that cannot be read (schema-invalid input) are None and
the checks that need them simply do nothing.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

from client.privacy import mask_text
from client.validation.findings import Finding, Severity
from client.validation.rules.dates import cached_date, parse_date

__all__ = ["Ctx", "E", "I", "Lazy", "W", "dget", "obj", "present", "pstr", "show"]

E, W, I = Severity.ERROR, Severity.WARNING, Severity.INFO  # noqa: E741

SevFn = Callable[[str, Severity], Severity]


def present(value: Any) -> bool:
    """RULES.md §0: present = not absent, not null, not ""."""
    return value is not None and value != ""


def pstr(value: Any) -> str | None:
    """A present string, else None (other types are the schema layer's business)."""
    return value if type(value) is str and value != "" else None


def obj(value: Any) -> dict[str, Any] | None:
    """The value if it is a JSON object, else None."""
    return value if type(value) is dict else None


def dget(container: dict[str, Any] | None, key: str) -> date | None:
    """Parsed date at `key` of an object (None when absent, not an object or unparseable)."""
    if container is None:
        return None
    v = container.get(key)
    return (cached_date(v) or parse_date(v)) if type(v) is str else None


def show(value: Any) -> str:
    """A value for a message: quoted, shortened, any nine-digit run masked (R-PRIV-01)."""
    text = value if isinstance(value, str) else repr(value)
    if len(text) > 60:
        text = text[:57] + "..."
    return "'" + mask_text(text) + "'"


class Lazy:
    """A message argument computed only when the message is rendered: `Lazy(show, value)`.

    Most findings are counted, never shown, so quoting, shortening and masking wait until output.
    """

    __slots__ = ("fn", "value")

    def __init__(self, fn: Callable[[Any], str], value: Any) -> None:
        self.fn = fn
        self.value = value

    def __format__(self, spec: str) -> str:
        return format(self.fn(self.value), spec)


class Ctx:
    """What the checks of one traject share. Reused for every traject (reset by the engine)."""

    __slots__ = (
        "aanl",
        "aanm",
        "aanm_start",
        "base",
        "creditors",
        "digest",
        "einddatum",
        "end",
        "geb",
        "hi_all",
        "hi_per",
        "li",
        "lo_a0",
        "lo_all",
        "lo_ts",
        "out",
        "p_end",
        "p_start",
        "prefix",
        "sev",
        "start",
        "start_any",
        "t",
        "ti",
        "uitstroom",
    )

    def __init__(self, sev: SevFn) -> None:
        self.sev = sev
        self.out: list[Finding] = []
        self.prefix = ""  # "/gegevens" in envelope mode
        # JSON pointer of the object checked; None = the traject (li, ti), built only when a rule fires
        self.base: str | None = ""
        self.t: dict[str, Any] = {}
        self.li = 0
        self.ti = 0
        self.digest: int | None = None  # the traject's R-DUP-01 digest, when the reader made it
        # header values (set once per file)
        self.p_start: date | None = None
        self.p_end: date | None = None
        self.aanl: date | None = None
        # per traject
        self.start: date | None = None  # T.startdatum
        self.start_any: date | None = None  # start(T) with the §0 fallback
        self.einddatum: date | None = None
        self.end: date | None = None  # end(T), None = open
        self.aanm: dict[str, Any] | None = None
        self.aanm_start: date | None = None
        self.uitstroom: dict[str, Any] | None = None
        self.geb: list[date] = []
        # JSON of creditor records found clean (per engine, so no personal data outlives the file)
        self.creditors: set[bytes] = set()
        # bounds outside which a date may trigger an every-date rule (see phases.walk_date)
        self.lo_a0 = self.lo_ts = self.lo_all = date.min
        self.hi_per = self.hi_all = date.max

    def path(self, rel: str) -> str:
        """The JSON pointer `base + rel`; a traject's base is built on first use (most need none)."""
        base = self.base
        if base is None:
            base = self.base = f"{self.prefix}/leveringen/{self.li}/schuldhulptrajecten/{self.ti}"
        return base + rel

    def add(
        self, code: str, listed: Severity, rel: str, message: str, hint: str = "", args: tuple[Any, ...] = ()
    ) -> None:
        """Record a finding at `base + rel` with the profile's effective severity.

        Hot: a warning-heavy export calls this for most trajecten. Give `message` as a `str.format`
        template with `args` so that a finding that is only counted is never formatted.
        """
        base = self.base
        if base is None:
            base = self.base = f"{self.prefix}/leveringen/{self.li}/schuldhulptrajecten/{self.ti}"
        severity = listed if listed is not E else self.sev(code, listed)
        self.out.append(Finding(code, severity, base + rel, message, hint, args))
