"""Section O: API mode (R-API-01..04) for a message `{"gegevens": ..., "paginering"?: {...}}`."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

from client.protocol import MAX_PAGE_TRAJECTEN
from client.validation.catalogue import effective_severity
from client.validation.findings import Finding, Profile, Severity
from client.validation.rules.context import E, W, show
from client.validation.rules.dates import parse_date

__all__ = [
    "MAX_TOTAL_PAGES",
    "check_envelope_keys",
    "check_paginering",
    "check_requested_period",
    "expected_total_pages",
    "total_pages_problem",
]

# At most this many pages per delivery (docs/decisions.md): 10,000 pages of MAX_PAGE_TRAJECTEN is far above
# any vendor's volume, and a receiver or puller can keep per-page bookkeeping for that many.
MAX_TOTAL_PAGES = 10_000
_FIELDS = (("pageSize", 1), ("currentPage", 1), ("totalPages", 1), ("totalRecords", 0))

Emit = Callable[[str, Severity, str, str, str], None]


def check_envelope_keys(envelope: Any, emit: Emit) -> None:
    """R-API-03 on the whole parsed body: an object with `gegevens` (object) and optional `paginering`."""
    if type(envelope) is not dict:
        emit(
            "R-API-03",
            E,
            "",
            "The API message is not a JSON object.",
            'Send {"gegevens": <Uitwisselmodel>, "paginering": {...}}.',
        )
        return
    if type(envelope.get("gegevens")) is not dict:
        emit(
            "R-API-03",
            E,
            "/gegevens",
            "The API message has no gegevens object.",
            'Wrap the Uitwisselmodel as {"gegevens": <Uitwisselmodel>, "paginering": {...}}.',
        )
    extra = sorted(k for k in envelope if k not in ("gegevens", "paginering"))
    if extra:
        emit(
            "R-API-03",
            E,
            "/" + extra[0].replace("~", "~0").replace("/", "~1"),
            "The API message has keys besides gegevens and paginering: "
            + ", ".join(show(k) for k in extra[:5])
            + ".",
            "The response body holds only gegevens and, when paged, paginering.",
        )


def expected_total_pages(total_records: int, page_size: int) -> int:
    """ceil(totalRecords / pageSize), and 1 for an empty delivery (one page saying "nothing")."""
    return max(1, -(-total_records // page_size))


def total_pages_problem(total_pages: int, total_records: int, page_size: int) -> tuple[str, str] | None:
    """(message, hint) when `totalPages` is over the limit or impossible for totalRecords and pageSize.

    Impossible: fewer pages than ceil(totalRecords / pageSize) cannot hold the records, and more than
    totalRecords (1 for an empty delivery) means pages without a traject. A combined sequence of several
    deliveries (the provider without an organisation, docs/decisions.md) may lie between the two.
    The one definition of the check: validation (R-API-02, an error), the mock receiver (through
    validation) and the puller (before it asks for page 2) call it; arguments are >= their minimum.
    """
    if total_pages > MAX_TOTAL_PAGES:
        return (
            f"paginering.totalPages is {total_pages}; at most {MAX_TOTAL_PAGES:,} pages per delivery.",
            f"Use larger pages (pageSize up to {MAX_PAGE_TRAJECTEN:,}) so that a delivery has at most "
            f"{MAX_TOTAL_PAGES:,} pages.",
        )
    least = expected_total_pages(total_records, page_size)
    most = max(1, total_records)
    if not least <= total_pages <= most:
        return (
            f"paginering.totalPages is {total_pages}, but {total_records} records in pages of {page_size} "
            f"make {least}" + (f" (at most {most} when some pages are not full)." if most > least else "."),
            "totalPages = ceil(totalRecords / pageSize), and 1 when totalRecords is 0.",
        )
    return None


def check_paginering(pag: Any, trajecten: int, emit: Emit) -> None:
    """R-API-01 (page size) and R-API-02 (pagination fields), given the trajecten on this page."""
    if pag is None:
        if trajecten > MAX_PAGE_TRAJECTEN:
            emit(
                "R-API-01",
                E,
                "/gegevens/leveringen",
                f"The message holds {trajecten} trajecten without pagination; "
                f"the maximum is {MAX_PAGE_TRAJECTEN}.",
                f"Split the delivery into pages of at most {MAX_PAGE_TRAJECTEN} trajecten with paginering.",
            )
        return
    if type(pag) is not dict:
        emit(
            "R-API-03",
            E,
            "/paginering",
            "paginering is not an object.",
            "paginering is {pageSize, currentPage, totalPages, totalRecords}.",
        )
        return
    values: dict[str, int] = {}
    for name, minimum in _FIELDS:
        v = pag.get(name)
        if type(v) is not int:
            emit(
                "R-API-02",
                E,
                "/paginering/" + name,
                f"paginering.{name} is " + ("missing." if v is None else f"not an integer ({show(v)})."),
                "paginering has all four fields pageSize, currentPage, totalPages, totalRecords as integers.",
            )
        elif v < minimum:
            emit(
                "R-API-02",
                E,
                "/paginering/" + name,
                f"paginering.{name} is {v}; it must be at least {minimum}.",
                "pageSize, currentPage and totalPages are >= 1, totalRecords >= 0.",
            )
        else:
            values[name] = v
    size = values.get("pageSize")
    if size is not None and size > MAX_PAGE_TRAJECTEN:
        emit(
            "R-API-01",
            E,
            "/paginering/pageSize",
            f"paginering.pageSize is {size}; the maximum is {MAX_PAGE_TRAJECTEN}.",
            f"Use pages of at most {MAX_PAGE_TRAJECTEN} trajecten.",
        )
    if trajecten > MAX_PAGE_TRAJECTEN:
        emit(
            "R-API-01",
            E,
            "/gegevens/leveringen",
            f"The page holds {trajecten} trajecten; the maximum is {MAX_PAGE_TRAJECTEN}.",
            f"Use pages of at most {MAX_PAGE_TRAJECTEN} trajecten.",
        )
    cur, pages, total = values.get("currentPage"), values.get("totalPages"), values.get("totalRecords")
    if cur is not None and pages is not None and cur > pages:
        emit(
            "R-API-02",
            W,
            "/paginering/currentPage",
            f"paginering.currentPage {cur} is greater than totalPages {pages}.",
            "currentPage runs from 1 to totalPages.",
        )
    if size is not None and trajecten > size:
        emit(
            "R-API-02",
            W,
            "/paginering/pageSize",
            f"The page holds {trajecten} trajecten, more than pageSize {size}.",
            "A page holds at most pageSize trajecten.",
        )
    if pages is not None and pages > MAX_TOTAL_PAGES:
        problem = total_pages_problem(pages, total or 0, size or 1)
    elif size is not None and pages is not None and total is not None:
        problem = total_pages_problem(pages, total, size)
    else:
        problem = None
    if problem is not None:
        emit("R-API-02", E, "/paginering/totalPages", *problem)
    elif size is not None and pages is not None and total is not None:
        expected = expected_total_pages(total, size)
        if pages != expected:
            emit(
                "R-API-02",
                W,
                "/paginering/totalPages",
                f"paginering.totalPages is {pages}, but {total} records in pages of {size} make {expected}.",
                "totalPages = ceil(totalRecords / pageSize); only a sequence of several deliveries has more.",
            )


def check_requested_period(
    header: dict[str, Any],
    start: date | str | None,
    end: date | str | None,
    *,
    profile: Profile = Profile.STANDARD,
    envelope: bool = True,
) -> list[Finding]:
    """R-API-04: the delivered period equals the requested aanleverperiodeStartdatum/-Einddatum.

    `header` is the Uitwisselmodel root (or any dict with startdatumLevering/einddatumLevering).
    A bound that is None is not checked: when the request gives no period, the caller (provider or
    puller) passes the previous reporting period it decided on.
    """
    out: list[Finding] = []
    prefix = "/gegevens" if envelope else ""
    if type(header) is not dict:
        return out
    for field, wanted_raw, req in (
        ("startdatumLevering", start, "aanleverperiodeStartdatum"),
        ("einddatumLevering", end, "aanleverperiodeEinddatum"),
    ):
        wanted = wanted_raw if isinstance(wanted_raw, date) else parse_date(wanted_raw)
        got = parse_date(header.get(field))
        if wanted is None or got is None or got == wanted:
            continue
        out.append(
            Finding(
                "R-API-04",
                effective_severity("R-API-04", W, profile),
                f"{prefix}/{field}",
                f"{field} {got} differs from the requested {req} {wanted}.",
                "Deliver exactly the requested period.",
            )
        )
    return out
