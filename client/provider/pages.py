"""From a cached plan and a request to the one message to answer: the official pagination rules.

The answer for a request is a sequence of pages: the planner's pages of every delivery that matches
(period, organisation), in the planner's order, numbered 1..N across them. Rules (DDAS-SHV.yaml,
`Paginering`): `paginering` only when the data is paginated, meaning N > 1 (see
docs/decisions.md), then with all four fields; a page past the last answers the first page,
with `paginering`. With one delivery the bytes are the planner's page exactly, as the push route sends
them; `paginering` is only added or rewritten where the sequence differs from one delivery's.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

import orjson

from client.planning import Page, PlannedDelivery, format_timestamp
from client.privacy import mask_text
from client.provider.cache import DataVersion, Entry, PageCache, organisation_names
from client.provider.request import Query

_PAGINERING = b',"paginering":'


class OrganisationUnknown(Exception):
    """The requested aanleverende_organisatie is not in the exports (422)."""

    def __init__(self, name: str, known: list[str]) -> None:
        # the name is the caller's input, echoed in the answer and the log: mask a pasted BSN
        super().__init__(f"no organisation {mask_text(name)!r} in the data served here")
        self.name = name
        self.known = known


@dataclass(frozen=True)
class Answer:
    """The message for one request and the facts the route logs and reports."""

    body: bytes
    paginering: dict[str, int] | None
    trajecten: int
    total_records: int
    fallback: bool  # the requested page did not exist: the first page was answered


def _matches(delivery: PlannedDelivery, wanted: str | None) -> bool:
    return wanted is None or wanted.casefold() in organisation_names(delivery.organisatie)


def with_paginering(body: bytes, had_paginering: bool, paginering: dict[str, int]) -> bytes:
    """`body` (a planner page) with its `paginering` replaced by, or extended with, `paginering`."""
    if had_paginering:
        cut = body.rfind(_PAGINERING)
        if cut < 0:  # pragma: no cover - the planner always writes it when paginated
            raise ValueError("paginated page without paginering")
        gegevens = body[:cut]
    else:
        gegevens = body[:-1]
    return gegevens + _PAGINERING + orjson.dumps(paginering) + b"}"


def empty_body(
    query: Query, aanleverdatum: datetime, vendor_code: str, organisations: list[dict[str, Any]]
) -> bytes:
    """No trajecten in the period: one levering per organisation, empty (leveringen has minItems 1)."""
    leveringen = [
        {"teller": n + 1, "aanleverende_organisatie": org, "schuldhulptrajecten": []}
        for n, org in enumerate(organisations or [{}])
    ]
    gegevens = {
        "startdatumLevering": query.period.start.isoformat(),
        "einddatumLevering": query.period.end.isoformat(),
        "aanleverdatumEnTijd": format_timestamp(aanleverdatum),
        "codeGegevensleverancier": vendor_code,
        "leveringen": leveringen,
    }
    return orjson.dumps({"gegevens": gegevens})


def answer(cache: PageCache, version: DataVersion, entry: Entry, query: Query) -> Answer:
    """The message for `query`, following the official pagination rules."""
    wanted = query.organisation
    deliveries = [d for d in entry.plan.deliveries if _matches(d, wanted)]
    sequence: list[tuple[PlannedDelivery, Page]] = [(d, p) for d in deliveries for p in d.pages]
    total_records = sum(d.trajecten for d in deliveries)
    if not sequence:
        # known organisations only now: a filter that matched nothing, or a period without trajecten
        organisations = version.organisations
        if wanted is not None:
            organisations = [o for o in organisations if wanted.casefold() in o.names]
            if not organisations:
                raise OrganisationUnknown(wanted, sorted(o.label for o in version.organisations))
        body = empty_body(query, version.aanleverdatum, cache.vendor_code, [o.header for o in organisations])
        if query.page <= 1:
            return Answer(body, None, 0, 0, False)
        first = {"pageSize": query.page_size, "currentPage": 1, "totalPages": 1, "totalRecords": 0}
        return Answer(with_paginering(body, False, first), first, 0, 0, True)
    fallback = query.page > len(sequence)
    number = 1 if fallback else query.page
    delivery, page = sequence[number - 1]
    body = cache.build(entry, delivery, page)
    own = page.paginering
    paginering: dict[str, int] | None = None
    if len(sequence) > 1 or fallback:
        paginering = {
            "pageSize": query.page_size,
            "currentPage": number,
            "totalPages": len(sequence),
            "totalRecords": total_records,
        }
    if paginering != own:
        body = with_paginering(body, own is not None, paginering) if paginering else body
    return Answer(body, paginering, page.trajecten, total_records, fallback)
