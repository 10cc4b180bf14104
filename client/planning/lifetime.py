"""A traject's lifetime [start, end] as the planner sees it (RULES.md §0 `start(T)` / `end(T)`).

start(T) = `startdatum`, else the earliest phase start or request date (the rules' shared helper
`client.validation.rules.dates.traject_start`, so planner and validator agree), else the earliest other
date recorded in the traject (docs/decisions.md "start(T) and end(T)"; client birth dates and debt
reference dates excluded: they say nothing about when the traject ran).
end(T) = `einddatum`, else `uitstroom.datum`, else `uitstroom.datumBeeindigingsbeschikking`, else open.
Dates that are not real ISO dates count as absent (the validator reports them).
"""

from __future__ import annotations

from datetime import date
from typing import Any

from client.validation.rules.dates import parse_date as parse_date
from client.validation.rules.dates import traject_end as traject_end
from client.validation.rules.dates import traject_start as rules_start

# Keys whose dates do not describe the traject's running time.
_SKIP_KEYS = frozenset({"client", "schulden"})


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
    return rules_start(traject) or _earliest(traject, None)


def lifetime(traject: dict[str, Any]) -> tuple[date | None, date | None, bool]:
    """(start, end, start_inferred). start None = no usable date (the planner reports it)."""
    start = parse_date(traject.get("startdatum"))
    if start is not None:
        return start, traject_end(traject), False
    return traject_start(traject), traject_end(traject), True
