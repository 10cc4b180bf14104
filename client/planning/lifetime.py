"""A traject's lifetime [start, end] as the planner sees it (RULES.md §0 `start(T)` / `end(T)`).

start(T) = `startdatum`, else the earliest phase start or request date (the rules' shared helper
`client.validation.rules.dates.traject_start`, so planner and validator agree), else the earliest other
date recorded in the traject (issue 3: "the earliest date in the traject"; client birth dates and debt
reference dates excluded: they say nothing about when the traject ran).
end(T) = `einddatum`, else `uitstroom.datum`, else `uitstroom.datumBeeindigingsbeschikking`, else open.
Dates that are not real ISO dates count as absent (the validator reports them).
"""

from __future__ import annotations

from datetime import date
from typing import Any

# Keys whose dates do not describe the traject's running time.
_SKIP_KEYS = frozenset({"client", "schulden"})


def parse_date(value: object) -> date | None:
    """A strict `YYYY-MM-DD` date, or None."""
    if not isinstance(value, str) or len(value) != 10 or value[4] != "-" or value[7] != "-":
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        return None


def _earliest(node: Any, best: date | None) -> date | None:
    if isinstance(node, dict):
        for key, value in node.items():
            if key in _SKIP_KEYS:
                continue
            if isinstance(value, str):
                d = parse_date(value)
                if d is not None and (best is None or d < best):
                    best = d
            elif isinstance(value, dict | list):
                best = _earliest(value, best)
    elif isinstance(node, list):
        for item in node:
            if isinstance(item, dict | list):
                best = _earliest(item, best)
    return best


def traject_start(traject: dict[str, Any]) -> date | None:
    """start(T); None when the traject holds no usable date at all."""
    d = parse_date(traject.get("startdatum"))
    if d is not None:
        return d
    if _shared_start is not None:
        d = _shared_start(traject)
        if d is not None:
            return d
    return _earliest(traject, None)


def _local_end(traject: dict[str, Any]) -> date | None:
    """end(T); None = open-ended (still running)."""
    d = parse_date(traject.get("einddatum"))
    if d is not None:
        return d
    uitstroom = traject.get("uitstroom")
    if isinstance(uitstroom, dict):
        for key in ("datum", "datumBeeindigingsbeschikking"):
            d = parse_date(uitstroom.get(key))
            if d is not None:
                return d
    return None


try:  # one implementation per concern: the rules part's helpers when present
    from client.validation.rules.dates import traject_end as _shared_end
    from client.validation.rules.dates import traject_start as _shared_start
except ImportError:  # pragma: no cover - only while the rules part is absent
    _shared_start = None  # type: ignore[assignment]
    _shared_end = None  # type: ignore[assignment]


def traject_end(traject: dict[str, Any]) -> date | None:
    """end(T); None = open-ended (still running)."""
    if _shared_end is not None:
        return _shared_end(traject)
    return _local_end(traject)


def lifetime(traject: dict[str, Any]) -> tuple[date | None, date | None, bool]:
    """(start, end, start_inferred). start None = no usable date (the planner reports it)."""
    start = parse_date(traject.get("startdatum"))
    if start is not None:
        return start, traject_end(traject), False
    return traject_start(traject), traject_end(traject), True
