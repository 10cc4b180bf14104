"""The official `GegevensRequest`, read strictly: every violation is listed, nothing is silently defaulted.

The official schema has `additionalProperties: false`, so an unknown field is invalid input (ADR: 400
listing every violation). The published DDAS test tools send `startdatum`/`einddatum`; the answer names
those fields and the ones meant, so the caller can fix the request in one go (SIGNING.md §4).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

import orjson

from client.formats import parse_date
from client.planning.periods import Period
from client.protocol import MAX_PAGE_TRAJECTEN
from client.provider.settings import MAX_PERIOD_DAYS

FIELDS = (
    "aanleverperiodeStartdatum",
    "aanleverperiodeEinddatum",
    "aanleverende_organisatie",
    "page",
    "pageSize",
)
# Names seen in the wild (the DDAS test tools, older model versions, case slips) → the official field.
LIKELY_MEANT = {
    "startdatum": "aanleverperiodeStartdatum",
    "einddatum": "aanleverperiodeEinddatum",
    "startdatumlevering": "aanleverperiodeStartdatum",
    "einddatumlevering": "aanleverperiodeEinddatum",
    "aanleverperiodestartdatum": "aanleverperiodeStartdatum",
    "aanleverperiodeeinddatum": "aanleverperiodeEinddatum",
    "aanleverendeorganisatie": "aanleverende_organisatie",
    "aanleverende_organisatie": "aanleverende_organisatie",
    "organisatie": "aanleverende_organisatie",
    "page_size": "pageSize",
    "pagesize": "pageSize",
    "limit": "pageSize",
    "pagina": "page",
    "page": "page",
}


def request_schema() -> dict[str, Any]:
    """The body's JSON schema in the official document's shape (no nulls, additionalProperties false)."""
    return {
        "type": "object",
        "properties": {
            "aanleverperiodeStartdatum": {"type": "string", "format": "date", "example": "2026-01-01"},
            "aanleverperiodeEinddatum": {"type": "string", "format": "date", "example": "2026-06-30"},
            "aanleverende_organisatie": {"type": "string", "example": "Gemeente Voorbeeldstad"},
            "page": {"type": "integer", "minimum": 1, "example": 1},
            "pageSize": {
                "type": "integer",
                "minimum": 1,
                "maximum": MAX_PAGE_TRAJECTEN,
                "example": MAX_PAGE_TRAJECTEN,
            },
        },
        "additionalProperties": False,
    }


@dataclass(frozen=True)
class Violation:
    """One problem with the request, in ADR's `errors` shape."""

    location: str
    code: str
    detail: str

    def to_dict(self) -> dict[str, str]:
        where, _, name = self.location.partition(":")
        if where == "header":
            return {"in": "header", "location": name, "code": self.code, "detail": self.detail}
        return {"in": "body", "location": self.location, "code": self.code, "detail": self.detail}


@dataclass(frozen=True)
class Query:
    """What the request asks, resolved: the period, the organisation (None = all), page and page size."""

    period: Period
    organisation: str | None
    page: int
    page_size: int
    period_given: bool
    page_given: bool
    page_size_given: bool


class RequestInvalid(Exception):
    """The request has violations (400); `unknown` lists unknown field names for the problem's extensions."""

    def __init__(self, violations: list[Violation], unknown: list[str]) -> None:
        super().__init__(f"{len(violations)} violation(s)")
        self.violations = violations
        self.unknown = unknown


def _parse_date(value: Any, name: str, out: list[Violation]) -> date | None:
    if value is None:
        return None
    day = parse_date(value) if isinstance(value, str) else None
    if day is None:
        out.append(
            Violation(f"#/{name}", "date", f"{name} must be a calendar date YYYY-MM-DD (RFC 3339 full-date)")
        )
    return day


def _parse_int(value: Any, name: str, high: int | None, out: list[Violation]) -> int | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int):
        out.append(Violation(f"#/{name}", "integer", f"{name} must be an integer"))
        return None
    if value < 1:
        out.append(Violation(f"#/{name}", "minimum", f"{name} must be at least 1"))
        return None
    if high is not None and value > high:
        out.append(
            Violation(f"#/{name}", "maximum", f"{name} must be at most {high:,} (API-NF §Performance)")
        )
        return None
    return value


def parse_request(body: bytes, *, today: date, default_page_size: int) -> Query:
    """The strict reading of a GegevensRequest body; raises RequestInvalid (400). Any range from start
    to end (at most `MAX_PERIOD_DAYS` days) is a period; without dates, the last complete half year."""
    if not body.strip():
        raise RequestInvalid(
            [
                Violation(
                    "#", "required", "the request body is required: send a GegevensRequest, {} for defaults"
                )
            ],
            [],
        )
    try:
        data = orjson.loads(body)
    except orjson.JSONDecodeError as exc:
        raise RequestInvalid(
            [Violation("#", "json", f"the body is not valid UTF-8 JSON: {exc}")], []
        ) from None
    if not isinstance(data, dict):
        raise RequestInvalid(
            [Violation("#", "type", "the body must be a JSON object (a GegevensRequest)")], []
        )
    out: list[Violation] = []
    unknown = [key for key in data if key not in FIELDS]
    for key in unknown:
        meant = LIKELY_MEANT.get(key.lower().replace("-", "_")) or LIKELY_MEANT.get(key.lower())
        hint = f" (did you mean {meant!r}?)" if meant else ""
        out.append(
            Violation(
                f"#/{key}",
                "additionalProperties",
                f"unknown field {key!r}{hint}",
            )
        )
    start = _parse_date(data.get("aanleverperiodeStartdatum"), "aanleverperiodeStartdatum", out)
    end = _parse_date(data.get("aanleverperiodeEinddatum"), "aanleverperiodeEinddatum", out)
    for key in ("aanleverperiodeStartdatum", "aanleverperiodeEinddatum", "aanleverende_organisatie"):
        if key in data and data[key] is None:
            out.append(Violation(f"#/{key}", "null", f"{key} must not be null; leave it out instead"))
    has_start, has_end = (
        data.get("aanleverperiodeStartdatum") is not None,
        data.get("aanleverperiodeEinddatum") is not None,
    )
    if has_start != has_end:
        missing = "aanleverperiodeEinddatum" if has_start else "aanleverperiodeStartdatum"
        out.append(Violation(f"#/{missing}", "required", "give both aanleverperiode dates or neither"))
    if start is not None and end is not None and end < start:
        out.append(
            Violation(
                "#/aanleverperiodeEinddatum",
                "range",
                "aanleverperiodeEinddatum is before aanleverperiodeStartdatum",
            )
        )
    elif start is not None and end is not None and (end - start).days + 1 > MAX_PERIOD_DAYS:
        out.append(
            Violation(
                "#/aanleverperiodeEinddatum",
                "maximum",
                f"the period {start.isoformat()}..{end.isoformat()} is {(end - start).days + 1:,} days; "
                f"at most {MAX_PERIOD_DAYS:,} days (three years) are served in one request",
            )
        )
    organisation = data.get("aanleverende_organisatie")
    if organisation is not None and (not isinstance(organisation, str) or not organisation.strip()):
        out.append(
            Violation(
                "#/aanleverende_organisatie", "type", "aanleverende_organisatie must be a non-empty string"
            )
        )
        organisation = None
    page = _parse_int(data.get("page"), "page", None, out)
    page_size = _parse_int(data.get("pageSize"), "pageSize", MAX_PAGE_TRAJECTEN, out)
    for key in ("page", "pageSize"):
        if key in data and data[key] is None:
            out.append(Violation(f"#/{key}", "null", f"{key} must not be null; leave it out instead"))
    if out:
        raise RequestInvalid(out, unknown)
    period = Period.last_complete(today)
    if start is not None and end is not None:
        period = Period.span(start, end)
    return Query(
        period=period,
        organisation=organisation.strip() if isinstance(organisation, str) else None,
        page=page or 1,
        page_size=page_size or default_page_size,
        period_given=start is not None,
        page_given=page is not None,
        page_size_given=page_size is not None,
    )
