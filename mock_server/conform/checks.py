"""The named checks of `ddas-mock conform`: each an id, a one-line description and a function.

A check sends what it needs through the `Session` and returns an `Outcome` with the exchanges it
judged. Facts several checks share (the first answer, the paged sequence) are fetched once by `Facts`.
The checks that judge every response (SHV-ERR-01, SHV-SIG-01, SHV-API-01) run last, over all exchanges.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

import orjson

from client.planning.lifetime import lifetime
from client.privacy import mask_text
from client.protocol import MAX_PAGE_TRAJECTEN as MAX_PAGE_SIZE
from mock_server.conform.session import ConformError, Exchange, Session
from mock_server.puller import traject_digest

PAGINERING_FIELDS = ("pageSize", "currentPage", "totalPages", "totalRecords")
MAX_LISTED = 5


class Status(StrEnum):
    PASSED = "passed"
    FAILED = "failed"
    SKIPPED = "skipped"


@dataclass
class Outcome:
    status: Status
    detail: str
    exchanges: list[Exchange] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.detail = mask_text(self.detail)  # details quote the provider's values and the schema's messages


def passed(detail: str, *exchanges: Exchange) -> Outcome:
    return Outcome(Status.PASSED, detail, list(exchanges))


def failed(detail: str, *exchanges: Exchange) -> Outcome:
    return Outcome(Status.FAILED, detail, list(exchanges))


def skipped(detail: str) -> Outcome:
    return Outcome(Status.SKIPPED, detail)


def _listed(problems: list[str]) -> str:
    more = f"; and {len(problems) - MAX_LISTED} more" if len(problems) > MAX_LISTED else ""
    return "; ".join(problems[:MAX_LISTED]) + more


@dataclass
class Page:
    """One 200 answer, read: its document, paginering and the digests of its trajecten."""

    exchange: Exchange
    document: dict[str, Any]
    paginering: dict[str, Any] | None
    trajecten: list[dict[str, Any]]

    @property
    def digests(self) -> list[bytes]:
        return [traject_digest(t) for t in self.trajecten]


def read_page(exchange: Exchange) -> Page | None:
    """The page in a 200 answer, or None when the answer is no page at all."""
    doc = exchange.document()
    if exchange.status != 200 or not isinstance(doc, dict) or not isinstance(doc.get("gegevens"), dict):
        return None
    trajecten: list[dict[str, Any]] = []
    leveringen = doc["gegevens"].get("leveringen")
    for levering in leveringen if isinstance(leveringen, list) else []:
        items = levering.get("schuldhulptrajecten") if isinstance(levering, dict) else None
        trajecten.extend(t for t in (items if isinstance(items, list) else []) if isinstance(t, dict))
    pag = doc.get("paginering")
    return Page(exchange, doc, pag if isinstance(pag, dict) else None, trajecten)


class Facts:
    """What several checks need, fetched on first use."""

    def __init__(self, session: Session) -> None:
        self.session = session
        self._single: Page | None = None
        self._sequence: list[Page] | None = None
        self.sequence_problem: str | None = None
        self.page_size = 0

    def first(self) -> Page:
        """Page 1 at the largest page size: the baseline. Unreachable or credentials refused: exit 2."""
        if self._single is None:
            exchange = self.session.post(
                "page 1 at pageSize 25000 (baseline)", self.session.request(page=1, pageSize=MAX_PAGE_SIZE)
            )
            if exchange.status in (401, 403):
                raise ConformError(
                    "usage",
                    f"the provider refused our credentials (HTTP {exchange.status}): "
                    f"{mask_text(exchange.body[:300].decode('utf-8', 'replace'))}; check --token or --dev",
                )
            if exchange.truncated:
                raise ConformError(
                    "usage",
                    f"page 1 at pageSize 25000 is over {self.session.options.max_body_bytes:,} bytes; "
                    "raise --max-body-mb if such pages are expected",
                )
            page = read_page(exchange)
            if page is None:
                raise ConformError(
                    "usage",
                    f"a plain request got HTTP {exchange.status}, not a page: "
                    f"{mask_text(exchange.body[:300].decode('utf-8', 'replace'))}; "
                    "check the URL, --period and --organisation",
                )
            self._single = page
        return self._single

    def total_records(self) -> int:
        first = self.first()
        if first.paginering is not None and isinstance(first.paginering.get("totalRecords"), int):
            return int(first.paginering["totalRecords"])
        return len(first.trajecten)

    def sequence(self) -> list[Page]:
        """All pages at a page size that gives at least 3 (when there are 3 trajecten), bounded."""
        if self._sequence is None:
            self.page_size = min(MAX_PAGE_SIZE, max(1, self.total_records() // 3))
            pages: list[Page] = []
            limit = self.session.options.max_pages
            number, total = 1, 1
            while number <= total:
                exchange = self.session.post(
                    f"page {number} at pageSize {self.page_size}",
                    self.session.request(page=number, pageSize=self.page_size),
                )
                page = read_page(exchange)
                if page is None:
                    self.sequence_problem = f"page {number}: HTTP {exchange.status}, not a page"
                    break
                pages.append(page)
                if number == 1 and page.paginering is not None:
                    declared = page.paginering.get("totalPages")
                    if not isinstance(declared, int) or declared < 1:
                        self.sequence_problem = f"page 1: totalPages {declared!r} is not a positive integer"
                        break
                    if declared > limit:
                        self.sequence_problem = (
                            f"page 1: totalPages {declared:,} is over the limit of {limit:,} (--max-pages)"
                        )
                        break
                    total = declared
                number += 1
            self._sequence = pages
        return self._sequence


Run = Callable[[Session, Facts], Outcome]


@dataclass(frozen=True)
class Check:
    id: str
    description: str
    run: Run


def _refused(exchange: Exchange, statuses: tuple[int, ...], what: str) -> Outcome:
    if exchange.status in statuses:
        return passed(f"{what}: HTTP {exchange.status}", exchange)
    wanted = " or ".join(str(s) for s in statuses)
    return failed(f"{what}: expected HTTP {wanted}, got {exchange.status}", exchange)


def check_unsigned(session: Session, facts: Facts) -> Outcome:
    exchange = session.post("unsigned request", session.request(page=1), sign=False)
    return _refused(exchange, (400, 401), "a request without Digest and signature is refused")


def check_tampered(session: Session, facts: Facts) -> Outcome:
    sent = session.request(page=1, pageSize=10)
    signed = session.request(page=1, pageSize=11)
    exchange = session.post("body changed after signing", sent, signed_body=orjson.dumps(signed))
    return _refused(exchange, (400, 401), "a body that does not match its Digest is refused")


def check_no_token(session: Session, facts: Facts) -> Outcome:
    exchange = session.post("no access token", session.request(page=1), authenticate=False)
    if exchange.status != 401:
        return failed(f"expected HTTP 401, got {exchange.status}", exchange)
    code = exchange.headers.get("Fsc-Error-Code")
    doc = exchange.document()
    if not code:
        return failed("401 without the Fsc-Error-Code header (FSC error)", exchange)
    if not isinstance(doc, dict) or not doc.get("code") or not doc.get("message"):
        return failed("the 401 body is not an FSC error (JSON with code and message)", exchange)
    return passed(f"401 with Fsc-Error-Code {code}", exchange)


def check_wrong_token(session: Session, facts: Facts) -> Outcome:
    exchange = session.post(
        "an invalid access token",
        session.request(page=1),
        authenticate=False,
        headers={"Authorization": "Bearer ddas-conform-invalid-token"},
    )
    return _refused(exchange, (401, 403), "an unknown token is refused")


def check_unknown_field(session: Session, facts: Facts) -> Outcome:
    field_name = "conformOnbekendVeld"
    exchange = session.post("unknown request field", session.request(page=1, **{field_name: 1}))
    if exchange.status != 400:
        return failed(f"expected HTTP 400, got {exchange.status}", exchange)
    if field_name.encode() not in exchange.body:
        return failed(f"the 400 does not name the field {field_name}", exchange)
    return passed(f"400 naming {field_name}", exchange)


def check_dates_reversed(session: Session, facts: Facts) -> Outcome:
    p = session.period
    request = session.request(
        aanleverperiodeStartdatum=p.end.isoformat(), aanleverperiodeEinddatum=p.start.isoformat()
    )
    exchange = session.post("start after end", request)
    return _refused(exchange, (400,), "aanleverperiodeStartdatum after aanleverperiodeEinddatum is refused")


def check_not_json(session: Session, facts: Facts) -> Outcome:
    exchange = session.post("a body that is not JSON", b'{"page": 1,')
    return _refused(exchange, (400,), "a body that is not JSON is refused")


def check_page_size_limit(session: Session, facts: Facts) -> Outcome:
    exchange = session.post("pageSize over 25,000", session.request(page=1, pageSize=MAX_PAGE_SIZE + 1))
    return _refused(exchange, (400,), f"pageSize {MAX_PAGE_SIZE + 1:,} is refused")


def _paginering_problems(page: Page, number: int, where: str) -> list[str]:
    pag = page.paginering
    if pag is None:
        return [f"page {number} {where}: no paginering"]
    missing = [
        f for f in PAGINERING_FIELDS if not isinstance(pag.get(f), int) or isinstance(pag.get(f), bool)
    ]
    return [f"page {number} {where}: paginering lacks integer {', '.join(missing)}"] if missing else []


def check_paginering_present(session: Session, facts: Facts) -> Outcome:
    first, sequence = facts.first(), facts.sequence()
    problems: list[str] = []
    if first.paginering is None:  # one page: it must be all the data
        whole = sequence[0].paginering.get("totalRecords") if sequence and sequence[0].paginering else None
        if isinstance(whole, int) and whole != len(first.trajecten):
            problems.append(
                f"page 1 at pageSize 25000 has no paginering but holds {len(first.trajecten)} "
                f"of {whole} trajecten"
            )
    else:
        problems.extend(_paginering_problems(first, 1, "at pageSize 25000"))
        total_pages = first.paginering.get("totalPages")
        if isinstance(total_pages, int) and total_pages <= 1:
            problems.append("page 1 at pageSize 25000 has paginering, yet the data is one page")
    if len(sequence) > 1:
        for number, page in enumerate(sequence, start=1):
            problems.extend(_paginering_problems(page, number, f"at pageSize {facts.page_size}"))
    elif sequence and sequence[0].paginering is not None:
        problems.append(f"pageSize {facts.page_size} gave one page, with paginering")
    exchanges = [first.exchange, *(p.exchange for p in sequence)]
    if problems:
        return failed(_listed(problems), *exchanges)
    return passed("paginering exactly when more than one page, with all four fields", *exchanges)


def check_partition(session: Session, facts: Facts) -> Outcome:
    total = facts.total_records()
    if total < 3:
        return skipped(f"the period holds {total} trajecten; this check needs at least 3 for 3 pages")
    pages = facts.sequence()
    exchanges = [p.exchange for p in pages]
    if facts.sequence_problem:
        return failed(facts.sequence_problem, *exchanges)
    problems: list[str] = []
    if len(pages) < 3:
        problems.append(
            f"pageSize {facts.page_size} for {total} trajecten gave {len(pages)} page(s), not 3 or more"
        )
    first = pages[0].paginering or {}
    seen: dict[bytes, int] = {}
    for number, page in enumerate(pages, start=1):
        pag = page.paginering or {}
        if pag.get("currentPage") != number:
            problems.append(f"asked page {number}, got currentPage {pag.get('currentPage')!r}")
        for key in ("totalPages", "totalRecords", "pageSize"):
            if pag.get(key) != first.get(key):
                problems.append(
                    f"page {number}: {key} {pag.get(key)!r} differs from page 1's {first.get(key)!r}"
                )
        if len(page.trajecten) > facts.page_size:
            problems.append(
                f"page {number} holds {len(page.trajecten)} trajecten, over pageSize {facts.page_size}"
            )
        for digest in page.digests:
            if digest in seen:
                problems.append(f"a traject on page {seen[digest]} is on page {number} again")
            seen.setdefault(digest, number)
    delivered = sum(len(p.trajecten) for p in pages)
    if first.get("totalRecords") != delivered:
        problems.append(
            f"totalRecords says {first.get('totalRecords')!r}, the pages hold {delivered} trajecten"
        )
    if problems:
        return failed(_listed(problems), *exchanges)
    return passed(
        f"{len(pages)} pages of at most {facts.page_size}: {delivered} trajecten, each once", *exchanges
    )


def check_past_the_end(session: Session, facts: Facts) -> Outcome:
    pages = facts.sequence()
    if not pages:
        return failed(facts.sequence_problem or "no pages")
    declared = (pages[0].paginering or {}).get("totalPages")
    beyond = (declared if isinstance(declared, int) and not isinstance(declared, bool) else len(pages)) + 1
    exchange = session.post(
        f"page {beyond} (past the end)", session.request(page=beyond, pageSize=facts.page_size)
    )
    page = read_page(exchange)
    if page is None:
        return failed(f"expected the first page (HTTP 200), got HTTP {exchange.status}", exchange)
    if page.paginering is None:
        return failed("the answer has no paginering", exchange)
    if page.paginering.get("currentPage") != 1:
        return failed(f"currentPage is {page.paginering.get('currentPage')!r}, not 1", exchange)
    if page.digests != pages[0].digests:
        return failed("the answer holds other trajecten than page 1", exchange, pages[0].exchange)
    return passed(f"page {beyond} answered page 1 with paginering", exchange)


def check_schema(session: Session, facts: Facts) -> Outcome:
    import jsonschema_rs

    from client.schema import bericht_schema

    validator = jsonschema_rs.validator_for(bericht_schema(), validate_formats=True)
    pages = [facts.first(), *facts.sequence()]
    problems: list[str] = []
    for page in pages:
        for error in validator.iter_errors(page.document):
            where = "/" + "/".join(str(p) for p in error.instance_path)
            problems.append(f"{page.exchange.what}: {where}: {str(error.message)[:200]}")
            if len(problems) > MAX_LISTED:
                break
    exchanges = [p.exchange for p in pages]
    if problems:
        return failed(_listed(problems), *exchanges)
    return passed(f"{len(pages)} page(s) valid against the Uitwisselmodel v1.0 schema", *exchanges)


def check_period(session: Session, facts: Facts) -> Outcome:
    period = session.period
    pages = [facts.first(), *facts.sequence()]
    problems: list[str] = []
    for page in pages:
        gegevens = page.document["gegevens"]
        echoed = (gegevens.get("startdatumLevering"), gegevens.get("einddatumLevering"))
        if echoed != (period.start.isoformat(), period.end.isoformat()):
            problems.append(
                f"{page.exchange.what}: levering dates {echoed[0]}..{echoed[1]}, asked {period.code}"
            )
        for index, traject in enumerate(page.trajecten):
            start, end, _ = lifetime(traject)
            if start is None or not period.overlaps(start, end):
                span = f"{start}..{end or 'open'}"
                problems.append(f"{page.exchange.what}: traject {index} ({span}) is outside {period.code}")
    exchanges = [p.exchange for p in pages]
    if problems:
        return failed(_listed(problems), *exchanges)
    return passed(f"every page is {period.code}; every traject overlaps it", *exchanges)


def check_deterministic(session: Session, facts: Facts) -> Outcome:
    request = session.request(page=1, pageSize=facts.page_size or MAX_PAGE_SIZE)
    one = session.post("the same request (1 of 2)", request)
    two = session.post("the same request (2 of 2)", request)
    a, b = read_page(one), read_page(two)
    if a is None or b is None:
        return failed(f"expected two pages, got HTTP {one.status} and {two.status}", one, two)
    if sorted(a.digests) != sorted(b.digests):
        return failed("the same request gave other trajecten the second time", one, two)
    return passed(f"the same {len(a.digests)} trajecten twice", one, two)


def check_problem_json(session: Session, facts: Facts) -> Outcome:
    errors = [e for e in session.exchanges if 400 <= e.status < 500]
    wrong = [
        e for e in errors if not e.headers.get("content-type", "").startswith("application/problem+json")
    ]
    if not errors:
        return skipped("no 4xx answer was seen")
    if wrong:
        return failed(
            _listed([f"{e.what}: HTTP {e.status} as {e.headers.get('content-type')!r}" for e in wrong]),
            *wrong,
        )
    return passed(f"{len(errors)} error answer(s), all application/problem+json", *errors[:MAX_LISTED])


def check_signatures(session: Session, facts: Facts) -> Outcome:
    bad = [e for e in session.exchanges if e.signature_error is not None]
    if bad:
        return failed(
            _listed([f"{e.what} (HTTP {e.status}): {e.signature_error}" for e in bad]), *bad[:MAX_LISTED]
        )
    return passed(
        f"{len(session.exchanges)} responses: Digest matches, JWS verifies against the trust anchors"
    )


def check_api_version(session: Session, facts: Facts) -> Outcome:
    missing = [e for e in session.exchanges if not e.headers.get("API-Version")]
    if missing:
        return failed(_listed([f"{e.what} (HTTP {e.status})" for e in missing]), *missing[:MAX_LISTED])
    versions = sorted({e.headers["API-Version"] for e in session.exchanges})
    return passed(f"{len(session.exchanges)} responses with API-Version {', '.join(versions)}")


CHECKS: tuple[Check, ...] = (
    Check(
        "SHV-PAGE-01",
        "paginering present iff more than one page, with all four fields",
        check_paginering_present,
    ),
    Check("SHV-PAGE-02", "pageSize over 25,000 is refused (400)", check_page_size_limit),
    Check(
        "SHV-PAGE-03", "the pages partition the data: no traject twice, totalRecords adds up", check_partition
    ),
    Check("SHV-PAGE-04", "a page past the end answers the first page with paginering", check_past_the_end),
    Check("SHV-SCHEMA-01", "every page validates against the Uitwisselmodel v1.0 schema", check_schema),
    Check(
        "SHV-PERIOD-01",
        "every traject overlaps the requested period; the levering dates echo it",
        check_period,
    ),
    Check("SHV-DET-01", "the same request twice gives the same trajecten", check_deterministic),
    Check("SHV-SIG-02", "an unsigned request is refused", check_unsigned),
    Check("SHV-SIG-03", "a body that does not match its Digest is refused", check_tampered),
    Check("SHV-AUTH-01", "no token: 401 FSC error with Fsc-Error-Code", check_no_token),
    Check("SHV-AUTH-02", "an unknown token is refused (401/403)", check_wrong_token),
    Check("SHV-REQ-01", "an unknown request field is 400 naming it", check_unknown_field),
    Check("SHV-REQ-02", "start after end is 400", check_dates_reversed),
    Check("SHV-REQ-03", "a body that is not JSON is 400", check_not_json),
    Check("SHV-ERR-01", "every 4xx answer is application/problem+json", check_problem_json),
    Check(
        "SHV-SIG-01",
        "every response has a Digest matching the body and a JWS that verifies",
        check_signatures,
    ),
    Check("SHV-API-01", "every response carries the API-Version header", check_api_version),
)
