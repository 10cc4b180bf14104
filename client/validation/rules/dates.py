"""Date helpers shared by the rules, the planner and the report.

Dates in a DDAS file are ISO `YYYY-MM-DD` strings. The same few thousand strings recur across
100k trajecten, so parsing is memoised: a dict lookup is far cheaper than `date.fromisoformat`
plus the shape check that makes the parse strict (Python 3.11 also accepts `20240105`).
Anything that is not a real calendar date in exactly that shape gives `None`: the schema layer
reports it (R-FMT-01); the rules simply skip it.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

__all__ = [
    "PHASE_START_FIELDS",
    "add_months",
    "cached_date",
    "parse_date",
    "parse_datetime",
    "traject_end",
    "traject_start",
]

_CACHE: dict[str, date | None] = {}
_CACHE_LIMIT = 200_000


def _parse_uncached(value: str) -> date | None:
    if (
        len(value) != 10
        or value[4] != "-"
        or value[7] != "-"
        or not value.isascii()
        or not (value[:4].isdigit() and value[5:7].isdigit() and value[8:].isdigit())
    ):
        return None
    try:
        return date(int(value[:4]), int(value[5:7]), int(value[8:]))
    except ValueError:
        return None


cached_date = _CACHE.get
"""Hot-path lookup for a `str` value: its parsed date when seen before, else None (then call parse_date).

The rules inline `cached_date(v) or parse_date(v)` at their per-traject sites on purpose (one Python
call less per date, millions of times per large file); `parse_date` stays the one definition of what a
date is, and tests/test_rules_fastpaths.py holds the fast paths equal to the exact checks."""


def parse_date(value: Any) -> date | None:
    """A strict `YYYY-MM-DD` calendar date, or None for anything else (wrong type, shape or day)."""
    if type(value) is not str:
        return None
    try:
        return _CACHE[value]
    except KeyError:
        pass
    parsed = _parse_uncached(value)
    if len(_CACHE) >= _CACHE_LIMIT:  # bounded: hostile input must not grow memory without end
        _CACHE.clear()
    _CACHE[value] = parsed
    return parsed


def parse_datetime(value: Any) -> datetime | None:
    """An ISO date-time (a missing zone is read as UTC); None when unparseable."""
    if not isinstance(value, str) or len(value) < 19 or value[10] not in "Tt ":
        return None
    text = value[:-1] + "+00:00" if value[-1] in "Zz" else value
    try:
        parsed = datetime.fromisoformat(text)
    except ValueError:
        return None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=UTC)
    return parsed


def add_months(day: date, months: int) -> date:
    """`day` plus calendar months, clamped to the month's last day (31 Aug + 6 months = 28/29 Feb), and to
    the calendar: past year 9999 it is `date.max` (later than any date a file can hold), before year 1
    `date.min` (a moratorium starting in 9999 must not make the rule fail)."""
    total = day.month - 1 + months
    year, month = day.year + total // 12, total % 12 + 1
    if year > date.max.year:
        return date.max
    if year < date.min.year:
        return date.min
    for last in (31, 30, 29, 28):
        try:
            return date(year, month, min(day.day, last))
        except ValueError:
            continue
    raise AssertionError("unreachable")  # pragma: no cover


# Where a traject's start can be read when `startdatum` is missing (RULES.md §0 fallback):
# every phase start or request date.
PHASE_START_FIELDS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("aanmelding", ("startdatum",)),
    ("informatieEnAdvies", ("startdatum",)),
    ("intake", ("startdatum",)),
    ("stabilisatie", ("startdatum",)),
    ("schuldregeling", ("datum",)),
    ("oplossing", ("startdatum",)),
    ("nazorg", ("startdatum",)),
    ("begeleiding", ("startdatum",)),
    ("crisisinterventies", ("startdatum",)),
    ("moratoria", ("datumAanvraag", "startdatum")),
    ("voorlopigeVoorzieningen", ("startdatum",)),
)


def _fallback_start(traject: dict[str, Any]) -> date | None:
    best: date | None = None
    for key, fields in PHASE_START_FIELDS:
        obj = traject.get(key)
        items = obj if isinstance(obj, list) else (obj,)
        for item in items:
            if not isinstance(item, dict):
                continue
            for name in fields:
                day = parse_date(item.get(name))
                if day is not None and (best is None or day < best):
                    best = day
    return best


def traject_start(traject: Any) -> date | None:
    """start(T): `startdatum`, else the earliest phase start or request date, else None."""
    if not isinstance(traject, dict):
        return None
    day = parse_date(traject.get("startdatum"))
    return day if day is not None else _fallback_start(traject)


def traject_end(traject: Any) -> date | None:
    """end(T): einddatum, else uitstroom.datum, else uitstroom.datumBeeindigingsbeschikking; None = open."""
    if not isinstance(traject, dict):
        return None
    day = parse_date(traject.get("einddatum"))
    if day is not None:
        return day
    uitstroom = traject.get("uitstroom")
    if isinstance(uitstroom, dict):
        day = parse_date(uitstroom.get("datum"))
        if day is None:
            day = parse_date(uitstroom.get("datumBeeindigingsbeschikking"))
    return day
