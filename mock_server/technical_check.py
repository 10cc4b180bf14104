"""The receiver's technical check: per page the client's validator; after the last page, whole checks.

The per-page check is `client.validation.validate_bytes(envelope=True)`, the same code `ddas validate`
runs, so a vendor sees the same findings before and after delivery. What only the receiver can check,
because it sees all pages together, is here: the `teller` sequence across pages, the same traject on two
pages, `totalRecords` against what arrived, consistent pagination, and pages that never came.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import orjson

from client.validation.findings import Finding, Severity, pointer
from client.validation.rules.api import MAX_TOTAL_PAGES

if TYPE_CHECKING:
    from client.validation import FileReport

CODE_PERIOD = "MOCK-PERIOD-01"
CODE_ORG = "MOCK-ORG-01"
CODE_TELLER = "MOCK-WHOLE-01"
CODE_DUPLICATE = "MOCK-WHOLE-02"
CODE_TOTAL = "MOCK-WHOLE-03"
CODE_MISSING = "MOCK-WHOLE-04"
CODE_PAGINATION = "MOCK-WHOLE-05"
CODE_CANONICAL = "MOCK-SIG-01"
UNREADABLE_CODES = frozenset({"R-ENC-01", "R-JSON-01"})
MAX_LISTED_MISSING = 1000
# How the receiver names a delivering organisation, in order of preference: `<prefix>:<value of field>`.
ORGANISATION_IDS = (("kvk", "KvK-nummer"), ("gm", "gemeentecode"), ("naam", "(Statutaire) Naam"))
ORGANISATION_PREFIXES = tuple(prefix for prefix, _ in ORGANISATION_IDS)


@dataclass
class PageMeta:
    """What the whole-delivery checks need of one page (hashes and counts only: no BSN is kept here)."""

    number: int
    total_pages: int
    page_size: int | None
    total_records: int | None
    trajecten: int
    tellers: list[int | None] = field(default_factory=list)
    traject_keys: list[str] = field(default_factory=list)

    def to_json(self) -> str:
        return orjson.dumps(self.__dict__).decode("utf-8")

    @classmethod
    def from_json(cls, text: str) -> PageMeta:
        return cls(**orjson.loads(text))


@dataclass
class PageFacts:
    """Facts taken from a parsed page: where it belongs (period, organisation) and its bookkeeping."""

    start: Any
    end: Any
    org_key: str | None
    org_name: str
    paginering: dict[str, Any] | None
    meta: PageMeta


def _int(value: Any) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def organisation_key(org: Any) -> tuple[str | None, str]:
    """(key, name) of an `aanleverende_organisatie`: `kvk:<nummer>`, else `gm:<code>`, else `naam:<naam>`."""
    if not isinstance(org, dict):
        return None, ""
    *by_number, (name_prefix, name_field) = ORGANISATION_IDS
    name = org.get(name_field)
    name = name.strip() if isinstance(name, str) else ""
    for prefix, field_name in by_number:
        value = org.get(field_name)
        if isinstance(value, str) and value.strip():
            return f"{prefix}:{value.strip()}", name or value.strip()
    if name:
        return f"{name_prefix}:{name}", name
    return None, ""


def traject_key(traject: Any) -> str:
    """A hash naming a traject: its clients' BSNs, start date and gemeentecode (no traject id exists)."""
    if isinstance(traject, dict):
        clients = traject.get("client")
        bsns = sorted(
            str(c.get("Burgerservicenummer", ""))
            for c in (clients if isinstance(clients, list) else [])
            if isinstance(c, dict)
        )
        if any(bsns):
            ident = f"{','.join(bsns)}|{traject.get('startdatum')}|{traject.get('gemeentecode')}"
            raw = ident.encode("utf-8", "replace")
        else:
            raw = orjson.dumps(traject, option=orjson.OPT_SORT_KEYS)
    else:
        raw = orjson.dumps(traject)
    return hashlib.blake2b(raw, digest_size=16).hexdigest()


class FactsCollector:
    """An observer of the validator's reader events that gathers `PageFacts` in the same single pass."""

    def __init__(self) -> None:
        self.start: Any = None
        self.end: Any = None
        self.org_key: str | None = None
        self.org_name = ""
        self.paginering: dict[str, Any] | None = None
        self.tellers: list[int | None] = []
        self.keys: list[str] = []

    def observe(self, event: Any) -> None:
        kind = type(event).__name__
        if kind == "TrajectItem":
            self.keys.append(traject_key(event.data))
        elif kind == "LeveringStart":
            levering = event.data if isinstance(event.data, dict) else {}
            if self.org_key is None:
                self.org_key, self.org_name = organisation_key(levering.get("aanleverende_organisatie"))
            self.tellers.append(_int(levering.get("teller")))
        elif kind == "Header":
            data = event.data if isinstance(event.data, dict) else {}
            self.start, self.end = data.get("startdatumLevering"), data.get("einddatumLevering")
            self._paginering(getattr(event, "paginering", None))
        elif kind == "End":
            self._paginering(getattr(event, "paginering", None))

    def _paginering(self, value: Any) -> None:
        if isinstance(value, dict):
            self.paginering = value

    def facts(self) -> PageFacts:
        pag = self.paginering
        number = (_int(pag.get("currentPage")) or 1) if pag else 1
        total = (_int(pag.get("totalPages")) or 1) if pag else 1
        meta = PageMeta(
            number=number,
            total_pages=total,
            page_size=_int(pag.get("pageSize")) if pag else None,
            total_records=_int(pag.get("totalRecords")) if pag else None,
            trajecten=len(self.keys),
            tellers=self.tellers,
            traject_keys=self.keys,
        )
        return PageFacts(self.start, self.end, self.org_key, self.org_name, pag, meta)


def check_page(
    body: bytes | Path, *, name: str | None, profile: str = "standard"
) -> tuple[FileReport, PageFacts]:
    """The per-page technical check: the client's validator on the envelope (one implementation), with
    the bookkeeping facts gathered in the same pass over the page. A body spooled to disk (`Path`) is
    streamed from there, never loaded whole."""
    from client.validation import validate_bytes, validate_path
    from client.validation.findings import Profile

    collector = FactsCollector()
    common: dict[str, Any] = {
        "profile": Profile(profile),
        "envelope": True,
        "check_name": name is not None,
        "observers": [collector],
    }
    if isinstance(body, Path):
        report = validate_path(body, name=name, stream_threshold=0, **common)
        report.name = name or "<body>"
    else:
        report = validate_bytes(body, name=name, **common)
    return report, collector.facts()


def unreadable(report: FileReport) -> bool:
    """True when the page is not UTF-8 JSON at all (the JSON step of the fixed order)."""
    return any(f.severity is Severity.ERROR and f.code in UNREADABLE_CODES for f in report.findings)


def _finding(code: str, path: str, message: str, hint: str = "") -> Finding:
    return Finding(code, Severity.ERROR, path, message, hint)


def whole_delivery_findings(pages: list[PageMeta]) -> list[Finding]:
    """Checks across all pages of a complete delivery (pages sorted by number)."""
    findings: list[Finding] = []
    pages = sorted(pages, key=lambda p: p.number)
    # Pagination consistent across pages.
    for attr, label in (("total_pages", "totalPages"), ("total_records", "totalRecords")):
        values = {getattr(p, attr) for p in pages}
        if len(values) > 1:
            findings.append(
                _finding(
                    CODE_PAGINATION,
                    "/paginering/" + label,
                    f"the pages disagree on {label}: {sorted(v for v in values if v is not None)}",
                    "send the same paginering values on every page of one delivery",
                )
            )
    # totalRecords against what arrived.
    received = sum(p.trajecten for p in pages)
    declared = next((p.total_records for p in pages if p.total_records is not None), None)
    if declared is not None and declared != received:
        findings.append(
            _finding(
                CODE_TOTAL,
                "/paginering/totalRecords",
                f"totalRecords is {declared}, but the pages hold {received} trajecten together",
                "totalRecords must be the number of trajecten over all pages",
            )
        )
    # teller: 1, 2, 3 ... across pages; a levering continued on the next page keeps its teller.
    expected = 1
    previous: int | None = None
    for page in pages:
        for index, teller in enumerate(page.tellers):
            at_boundary = index == 0 and previous is not None
            if teller is not None and at_boundary and teller == previous:
                continue  # the same levering, continued on this page
            if teller != expected:
                findings.append(
                    _finding(
                        CODE_TELLER,
                        f"/gegevens/leveringen/{index}/teller",
                        f"page {page.number}: teller {teller} where {expected} was expected "
                        "(the tellers of all pages together must run 1, 2, 3 ...)",
                        "number the leveringen of the whole delivery in order; a levering that continues "
                        "on the next page keeps its teller",
                    )
                )
                break
            previous = teller
            expected += 1
        else:
            continue
        break
    # The same traject on two pages.
    seen: dict[str, int] = {}
    reported = 0
    for page in pages:
        for index, key in enumerate(page.traject_keys):
            first = seen.setdefault(key, page.number)
            if first != page.number and reported < 100:
                reported += 1
                findings.append(
                    _finding(
                        CODE_DUPLICATE,
                        pointer("gegevens", "trajecten", index),
                        f"page {page.number}: traject {index + 1} (same clients, start date and gemeente) "
                        f"was already delivered on page {first}",
                        "deliver each traject on one page only",
                    )
                )
    return findings


def missing_pages(received: list[int], total: int) -> list[int]:
    """The page numbers not received, listing at most `MAX_LISTED_MISSING` of them.

    `total` passed R-API-02 (at most `MAX_TOTAL_PAGES`), and the list stays short even so: it is built
    by walking 1..total only until enough gaps were found.
    """
    have = set(received)
    out: list[int] = []
    for n in range(1, min(total, MAX_TOTAL_PAGES) + 1):
        if n not in have:
            out.append(n)
            if len(out) >= MAX_LISTED_MISSING:
                break
    return out


def missing_pages_finding(received: list[int], total: int, timeout: float) -> Finding:
    missing = missing_pages(received, total)
    return _finding(
        CODE_MISSING,
        "/paginering/totalPages",
        f"pages {missing} of {total} did not arrive within {timeout:g} s of the last page",
        "deliver all pages of a delivery; a new delivery starts over with page 1",
    )
