"""The planner: any set of exports -> the deliveries each half-year period needs, cut into pages.

One pass over the inputs keeps, per traject, its serialised bytes (in a `ByteStore`, out of the Python
heap) and a small record (organisation, gemeentecode, lifetime, content digest, where it came from).
Grouping, duplicate detection and page layout work on those records; page bodies are assembled by
concatenating stored bytes, so 1M trajecten plan in bounded memory and the same input gives the same
bytes whatever the order of the input files.
"""

from __future__ import annotations

import gc
import hashlib
from collections import defaultdict
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import orjson

from client.planning.filenames import check_code_uitvraag, make_filename, sanitize_part
from client.planning.lifetime import lifetime, parse_date
from client.planning.periods import Period
from client.planning.sources import SourceError, iter_items
from client.planning.store import ByteStore
from client.privacy import mask_bsn
from client.protocol import MAX_PAGE_TRAJECTEN
from client.validation.findings import Finding, Severity, pointer

DEFAULT_PAGE_SIZE = MAX_PAGE_TRAJECTEN
DEFAULT_UITVRAAGDEEL = "SHV"
ONBEKEND = "Onbekend"
_OPEN = 10**9  # ordinal of an open end


class _Stamp:
    """Marker for the aanleverdatumEnTijd value in a page layout."""


_TS = _Stamp()
_Piece = bytes | tuple[int, int] | _Stamp

ProgressFn = Callable[[str, int], None]

__all__ = [
    "DEFAULT_PAGE_SIZE",
    "DEFAULT_UITVRAAGDEEL",
    "Page",
    "Plan",
    "PlannedDelivery",
    "SourceError",
    "format_timestamp",
    "page_hash",
    "plan",
]


def format_timestamp(moment: datetime) -> str:
    """`aanleverdatumEnTijd`: UTC with `Z`, whole seconds (the schema's `YYYY-MM-DDTHH:MM:SSZ`)."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def page_hash(body: bytes) -> str:
    """sha256 of a page with the `aanleverdatumEnTijd` value emptied: equal for reruns of the same page.

    The one page hash of the project: the planner's `Page.content_hash`, the push client's idempotency
    keys and journal all use it. Pages come from this planner, compact, the field once in the header.
    """
    key = b'"aanleverdatumEnTijd":"'
    i = body.find(key)
    if i < 0:
        return hashlib.sha256(body).hexdigest()
    j = body.find(b'"', i + len(key))
    view = memoryview(body)  # no copy of a 50 MB page
    h = hashlib.sha256(view[: i + len(key)])
    h.update(view[j:])
    return h.hexdigest()


@dataclass(slots=True)
class _Rec:
    """What the planner keeps per traject (the traject itself lives in the ByteStore)."""

    org: int
    gm: str | None
    start: int  # date ordinal; 0 = no usable date
    end: int  # date ordinal; _OPEN = open-ended
    digest: bytes
    off: int
    ln: int
    src: int
    li: int
    ti: int
    bsnkey: bytes | None
    dropped: bool = False


@dataclass
class _Org:
    ident: str
    variants: dict[bytes, dict[str, Any]] = field(default_factory=dict)
    chosen: dict[str, Any] = field(default_factory=dict)
    chosen_bytes: bytes = b"{}"
    naam: str = ""


def _org_identity(org: Any) -> str:
    """KvK-nummer if present, else the organisation's gemeentecode, else its name."""
    if not isinstance(org, dict):
        return "onbekend:"
    for key, prefix in (("KvK-nummer", "kvk"), ("gemeentecode", "gm"), ("(Statutaire) Naam", "naam")):
        value = org.get(key)
        if isinstance(value, str) and value.strip():
            return f"{prefix}:{value.strip()}"
    return "onbekend:"


def _completeness(node: Any) -> int:
    """Number of non-empty leaves: the measure of 'most complete record' for --dedupe."""
    if isinstance(node, dict):
        return sum(_completeness(v) for v in node.values())
    if isinstance(node, list):
        return sum(_completeness(v) for v in node)
    if node is None or node == "":
        return 0
    return 1


def _gm_order(gm: str | None) -> tuple[int, str]:
    """Sorted gemeentecode, `Onbekend` after the real codes, a missing code last."""
    if gm is None:
        return (2, "")
    if gm == ONBEKEND:
        return (1, gm)
    return (0, gm)


def _iso(ordinal: int) -> str:
    if ordinal == _OPEN:
        return "open"
    if ordinal == 0:
        return "?"
    return date.fromordinal(ordinal).isoformat()


@dataclass
class _Levering:
    teller: int
    gm: str | None
    recs: list[int]


class Page:
    """One message of a delivery. `build()` assembles the exact bytes (not cached: 1M trajecten)."""

    def __init__(self, delivery: PlannedDelivery, number: int, total_pages: int, first: int, count: int):
        self.delivery = delivery
        self.number = number
        self.total_pages = total_pages
        self.first = first  # index of its first traject within the delivery
        self.trajecten = count
        self.filename = delivery._page_filename(number, total_pages)
        self._hash: str | None = None

    def __repr__(self) -> str:
        return f"Page({self.filename!r}, {self.number}/{self.total_pages}, trajecten={self.trajecten})"

    @property
    def paginated(self) -> bool:
        return self.total_pages > 1

    @property
    def paginering(self) -> dict[str, int] | None:
        """Only when the delivery is split into pages (PUSH-API: `paginering` only when paginated)."""
        if not self.paginated:
            return None
        d = self.delivery
        return {
            "pageSize": d.page_size,
            "currentPage": self.number,
            "totalPages": self.total_pages,
            "totalRecords": d.trajecten,
        }

    @property
    def size(self) -> int:
        """Exact length of `body` in bytes, without building it."""
        total = 0
        for piece in self.delivery._layout(self):
            if isinstance(piece, _Stamp):
                total += len(self.delivery.aanleverdatum)
            elif isinstance(piece, bytes):
                total += len(piece)
            else:
                total += piece[1]
        return total

    def build(self) -> bytes:
        """The page's bytes; also fills `content_hash`."""
        d = self.delivery
        store = d._plan._store
        parts: list[bytes] = []
        ts = d.aanleverdatum.encode()
        for piece in d._layout(self):
            if isinstance(piece, _Stamp):
                parts.append(ts)
            else:
                parts.append(piece if isinstance(piece, bytes) else store.read(piece[0], piece[1]))
        body = b"".join(parts)
        self._hash = page_hash(body)
        return body

    @property
    def body(self) -> bytes:
        return self.build()

    @property
    def content_hash(self) -> str:
        """`page_hash` of the page: the same for every run, whatever `aanleverdatumEnTijd` it carries."""
        if self._hash is None:
            self.build()
        assert self._hash is not None
        return self._hash


class PlannedDelivery:
    """One delivery: a period x organisation (x gemeente with `--per-gemeente`)."""

    def __init__(
        self,
        plan: Plan,
        period: Period,
        org: _Org,
        uitvraagdeel: str,
        leveringen: list[_Levering],
        code_uitvraag: str,
    ) -> None:
        self._plan = plan
        self.period = period
        self._org = org
        self.organisatie: dict[str, Any] = org.chosen
        self.organisation = org.ident  # `kvk:…`, `gm:…` or `naam:…`: who delivers (the journal's organisatie)
        self.organisatie_naam = org.naam
        self.uitvraagdeel = uitvraagdeel
        self.code_uitvraag = code_uitvraag
        self.leveringen = leveringen
        self.key = f"{period.code}|{org.ident}|{uitvraagdeel}"
        self.trajecten = sum(len(lev.recs) for lev in leveringen)
        self.page_size = plan.page_size
        self.aanleverdatum = plan.aanleverdatum
        self.findings: list[Finding] = []
        self._file_org = org.naam  # may be disambiguated by the planner
        self._recs: list[int] = [i for lev in leveringen for i in lev.recs]
        total_pages = max(1, -(-self.trajecten // self.page_size))
        self.pages: list[Page] = [
            Page(
                self,
                n + 1,
                total_pages,
                n * self.page_size,
                min(self.page_size, self.trajecten - n * self.page_size),
            )
            for n in range(total_pages)
        ]
        self.content_hash = self._content_hash()

    def __repr__(self) -> str:
        return f"PlannedDelivery({self.key!r}, trajecten={self.trajecten}, pages={len(self.pages)})"

    @property
    def filename(self) -> str:
        """The delivery's protocol file name (pages add `_pNNN-of-NNN`)."""
        return make_filename(self.code_uitvraag, self._file_org, self.uitvraagdeel)

    def _page_filename(self, number: int, total: int) -> str:
        return make_filename(self.code_uitvraag, self._file_org, self.uitvraagdeel, number, total)

    def _refresh_filenames(self) -> None:
        for page in self.pages:
            page.filename = self._page_filename(page.number, page.total_pages)

    @property
    def gemeenten(self) -> list[tuple[str | None, int]]:
        return [(lev.gm, len(lev.recs)) for lev in self.leveringen]

    @property
    def size(self) -> int:
        return sum(p.size for p in self.pages)

    def _content_hash(self) -> str:
        """Over everything that makes the pages, except aanleverdatumEnTijd: cheap (traject digests)."""
        recs = self._plan._recs
        h = hashlib.sha256()
        h.update(b"ddas-delivery-v1\x00")
        h.update(self.key.encode())
        h.update(b"\x00%d\x00" % self.page_size)
        h.update(self._plan.vendor_code.encode())
        h.update(b"\x00")
        h.update(self._org.chosen_bytes)
        for lev in self.leveringen:
            h.update(b"\x00%d\x00%s\x00" % (lev.teller, (lev.gm or "").encode()))
            for i in lev.recs:
                h.update(recs[i].digest)
        return h.hexdigest()

    def _header(self) -> tuple[bytes, bytes]:
        p = self.period
        before = (
            b'{"gegevens":{"startdatumLevering":"%s","einddatumLevering":"%s","aanleverdatumEnTijd":"'
            % (
                p.start.isoformat().encode(),
                p.end.isoformat().encode(),
            )
        )
        after = b'","codeGegevensleverancier":' + orjson.dumps(self._plan.vendor_code) + b',"leveringen":['
        return before, after

    def _layout(self, page: Page) -> Iterator[_Piece]:
        """The pieces of a page: literal bytes, `_TS`, or (offset, length) of a stored traject."""
        recs = self._plan._recs
        org_bytes = self._org.chosen_bytes
        before, after = self._header()
        yield before
        yield _TS
        yield after
        lo, hi = page.first, page.first + page.trajecten
        pos = 0
        first_lev = True
        for lev in self.leveringen:
            n = len(lev.recs)
            a, b = max(lo, pos), min(hi, pos + n)
            if a < b:
                yield (b"" if first_lev else b",") + b'{"teller":%d,"aanleverende_organisatie":' % lev.teller
                yield org_bytes
                yield b',"schuldhulptrajecten":['
                for k in range(a - pos, b - pos):
                    rec = recs[lev.recs[k]]
                    if k != a - pos:
                        yield b","
                    yield (rec.off, rec.ln)
                yield b"]}"
                first_lev = False
            pos += n
            if pos >= hi:
                break
        yield b"]}"
        pag = page.paginering
        if pag is not None:
            yield b',"paginering":' + orjson.dumps(pag)
        yield b"}"

    def to_dict(self) -> dict[str, Any]:
        return {
            "key": self.key,
            "period": self.period.code,
            "organisatie_id": self.organisation,
            "organisatie_naam": self.organisatie_naam,
            "uitvraagdeel": self.uitvraagdeel,
            "code_uitvraag": self.code_uitvraag,
            "filename": self.filename,
            "trajecten": self.trajecten,
            "pages": [
                {"number": p.number, "filename": p.filename, "trajecten": p.trajecten, "bytes": p.size}
                for p in self.pages
            ],
            "bytes": self.size,
            "content_hash": self.content_hash,
            "gemeenten": [
                {"gemeentecode": gm, "teller": lev.teller, "trajecten": n}
                for lev, (gm, n) in zip(self.leveringen, self.gemeenten, strict=True)
            ],
            "findings": len(self.findings),
        }


class Plan:
    """The result of `plan()`: deliveries (pages built on demand) and findings. Close it when done."""

    def __init__(self, *, page_size: int, vendor_code: str, aanleverdatum: str) -> None:
        self.page_size = page_size
        self.vendor_code = vendor_code
        self.aanleverdatum = aanleverdatum
        self.periods: list[Period] = []
        self.deliveries: list[PlannedDelivery] = []
        self.findings: list[Finding] = []
        self.inputs: list[str] = []
        self.trajecten_read = 0
        self.unplanned = 0
        self.dropped = 0
        self._store = ByteStore()
        self._recs: list[_Rec] = []
        self._orgs: list[_Org] = []
        self._finding_recs: list[list[int]] = []

    def close(self) -> None:
        self._store.close()

    def __enter__(self) -> Plan:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def findings_for(self, delivery: PlannedDelivery, *gm: str | None) -> list[Finding]:
        """Findings about trajecten of this delivery, or of its levering for gemeentecode `gm` when given
        (`None` = the levering of trajecten without a gemeentecode)."""
        if not gm:
            return list(delivery.findings)
        return _gm_findings(self, delivery, gm[0])

    def to_dict(self) -> dict[str, Any]:
        return {
            "inputs": self.inputs,
            "periods": [p.code for p in self.periods],
            "page_size": self.page_size,
            "trajecten_read": self.trajecten_read,
            "unplanned": self.unplanned,
            "dropped_duplicates": self.dropped,
            "deliveries": [d.to_dict() for d in self.deliveries],
            "findings": [f.to_dict() for f in self.findings],
        }


def _gm_findings(plan: Plan, delivery: PlannedDelivery, gm: str | None) -> list[Finding]:
    recs = {i for lev in delivery.leveringen if lev.gm == gm for i in lev.recs}
    out = []
    for f, tids in zip(plan.findings, plan._finding_recs, strict=True):
        if any(t in recs for t in tids):
            out.append(f)
    return out


def _code_for(code_uitvraag: str | None, period: Period, several: bool) -> str:
    if not code_uitvraag:
        return period.code
    if "{" in code_uitvraag:
        try:
            code = code_uitvraag.format(period=period.code, year=period.year, half=period.half)
        except (KeyError, IndexError, ValueError) as exc:
            raise ValueError(
                f"code uitvraag template {code_uitvraag!r}: use only {{period}}, {{year}} and {{half}}"
            ) from exc
        check_code_uitvraag(code)
        return code
    if several:
        raise ValueError(
            f"code uitvraag {code_uitvraag!r} is the same for every period, so the file names would clash; "
            "use a template such as '{period}-v2' or plan one period at a time"
        )
    check_code_uitvraag(code_uitvraag)
    return code_uitvraag


def plan(
    sources: Sequence[Path | bytes],
    periods: Sequence[Period] = (),
    *,
    vendor_code: str,
    page_size: int = DEFAULT_PAGE_SIZE,
    dedupe: bool = False,
    aanleverdatum: datetime | None = None,
    code_uitvraag: str | None = None,
    per_gemeente: bool = False,
    uitvraagdeel: str = DEFAULT_UITVRAAGDEEL,
    names: Sequence[str] | None = None,
    today: date | None = None,
    progress: ProgressFn | None = None,
) -> Plan:
    """Plan the deliveries for `periods` (empty: every period the trajecten touch) from `sources`.

    Raises `SourceError` for an input that cannot be read or parsed, `ValueError` for bad options.
    """
    if not 1 <= page_size <= MAX_PAGE_TRAJECTEN:
        raise ValueError(f"page size must be between 1 and {MAX_PAGE_TRAJECTEN}, not {page_size}")
    if names is not None and len(names) != len(sources):
        raise ValueError("names must name every source")
    stamp = format_timestamp(aanleverdatum or datetime.now(UTC))
    result = Plan(page_size=page_size, vendor_code=vendor_code, aanleverdatum=stamp)
    # The cyclic GC would walk the whole parsed document again and again while we allocate small
    # records (it tripled the time at 100k trajecten); nothing here creates cycles.
    gc_was_enabled = gc.isenabled()
    gc.disable()
    try:
        _plan_into(
            result,
            sources,
            list(periods),
            dedupe=dedupe,
            code_uitvraag=code_uitvraag,
            per_gemeente=per_gemeente,
            uitvraagdeel=uitvraagdeel,
            names=names,
            today=today or datetime.now(UTC).date(),
            progress=progress,
        )
    except BaseException:
        result.close()
        raise
    finally:
        if gc_was_enabled:
            gc.enable()
    return result


def _source_name(source: Path | bytes, i: int) -> str:
    return str(source) if isinstance(source, Path) else f"<input {i + 1}>"


def _plan_into(
    result: Plan,
    sources: Sequence[Path | bytes],
    periods: list[Period],
    *,
    dedupe: bool,
    code_uitvraag: str | None,
    per_gemeente: bool,
    uitvraagdeel: str,
    names: Sequence[str] | None,
    today: date,
    progress: ProgressFn | None,
) -> None:
    store = result._store
    recs = result._recs
    orgs = result._orgs
    org_index: dict[str, int] = {}
    findings: list[tuple[Finding, list[int]]] = []
    prefixes: list[str] = []
    latest = 0  # ordinal of the latest date known to the inputs (caps open-ended trajecten)
    earliest = _OPEN
    dumps = orjson.dumps
    sha256 = hashlib.sha256
    gm_intern: dict[str, str] = {}

    for si, source in enumerate(sources):
        name = names[si] if names is not None else _source_name(source, si)
        result.inputs.append(name)
        envelope, items = iter_items(source, name)
        prefix = "/gegevens" if envelope else ""
        prefixes.append(prefix)
        org_i = -1

        def note(
            code: str,
            item: Any,
            message: str,
            hint: str,
            tids: list[int],
            prefix: str = prefix,
            name: str = name,
        ) -> None:
            where = prefix + pointer("leveringen", item.levering_index, "schuldhulptrajecten", item.index)
            findings.append((Finding(code, Severity.WARNING, where, f"{name}: {message}", hint), tids))

        for item in items:
            if item.kind == "traject":
                t = item.data
                tid = len(recs)
                if not isinstance(t, dict):
                    note(
                        "R-PLAN-04",
                        item,
                        "this traject is not a JSON object; it is not planned in any delivery",
                        "fix the export: every item of schuldhulptrajecten must be an object",
                        [],
                    )
                    continue
                if org_i < 0:  # a traject outside any levering cannot happen with a well-formed reader
                    org_i = _intern_org(orgs, org_index, None)
                try:
                    raw = dumps(t)
                except orjson.JSONEncodeError:
                    note(
                        "R-PLAN-04",
                        item,
                        "this traject holds a number beyond 64 bits; it is not planned in any delivery",
                        "fix the export: amounts are whole euros and fit easily",
                        [],
                    )
                    continue
                start, end, _ = lifetime(t)
                gm_raw = t.get("gemeentecode")
                gm = gm_intern.setdefault(gm_raw, gm_raw) if isinstance(gm_raw, str) and gm_raw else None
                bsnkey = _bsn_key(t.get("client"))
                s_ord = start.toordinal() if start else 0
                e_ord = end.toordinal() if end else _OPEN
                if s_ord and e_ord != _OPEN and e_ord < s_ord:
                    note(
                        "R-PLAN-02",
                        item,
                        f"the traject ends ({_iso(e_ord)}) before it starts ({_iso(s_ord)}); "
                        f"planned over {_iso(e_ord)}..{_iso(s_ord)}",
                        "correct startdatum/einddatum (see R-TRAJ-02)",
                        [tid],
                    )
                    s_ord, e_ord = e_ord, s_ord
                if s_ord:
                    earliest = min(earliest, s_ord)
                    latest = max(latest, s_ord if e_ord == _OPEN else e_ord)
                else:
                    result.unplanned += 1
                    note(
                        "R-PLAN-01",
                        item,
                        "the traject has no usable date (no startdatum and no other date), so it cannot be "
                        "placed in a period; it is not planned in any delivery",
                        "fill startdatum (R-TRAJ-01) and export again",
                        [tid],
                    )
                off = store.append(raw)
                rec = _Rec(org_i, gm, s_ord, e_ord, sha256(raw).digest(), off, len(raw), si, 0, 0, bsnkey)
                rec.li, rec.ti = item.levering_index, item.index
                recs.append(rec)
                if progress is not None and tid % 10_000 == 0:
                    progress("read", tid)
            elif item.kind == "levering":
                data = item.data if isinstance(item.data, dict) else {}
                # the reader announces each levering once, complete, before its trajecten
                org_i = _intern_org(orgs, org_index, data.get("aanleverende_organisatie"))
            elif item.kind == "header" and isinstance(item.data, dict):
                end_lev = parse_date(item.data.get("einddatumLevering"))
                if end_lev is not None:
                    latest = max(latest, end_lev.toordinal())
    result.trajecten_read = len(recs)
    if progress is not None:
        progress("read", len(recs))

    for org in orgs:
        _choose_org_variant(org, findings)

    _find_duplicates(result, prefixes, dedupe, findings)

    # periods: as asked, or every period the planned trajecten touch (open ends up to the latest known date)
    if not periods and earliest != _OPEN:
        cap = min(max(latest, earliest), today.toordinal())
        if cap >= earliest:
            periods = Period.range(
                Period.containing(date.fromordinal(earliest)), Period.containing(date.fromordinal(cap))
            )
    periods = sorted(set(periods))
    result.periods = periods
    several = len(periods) > 1
    bounds = [(p.start.toordinal(), p.end.toordinal()) for p in periods]

    groups: dict[tuple[int, int, str | None], list[int]] = defaultdict(list)
    for tid, rec in enumerate(recs):
        if rec.dropped or not rec.start:
            continue
        for pi, (ps, pe) in enumerate(bounds):
            if rec.start <= pe and rec.end >= ps:
                groups[(pi, rec.org, rec.gm)].append(tid)

    # assemble deliveries: (period, org[, gm]) -> leveringen sorted by gemeentecode, Onbekend last
    per_delivery: dict[tuple[int, int, str], list[tuple[str | None, list[int]]]] = defaultdict(list)
    for (pi, oi, gm), tids in groups.items():
        deel = (
            sanitize_part(gm or "ZonderGemeentecode", max_len=40, fallback="Onbekend")
            if per_gemeente
            else uitvraagdeel
        )
        tids.sort(key=lambda i: (recs[i].start, recs[i].digest))
        per_delivery[(pi, oi, deel)].append((gm, tids))
    for (pi, oi, deel), levs in sorted(
        per_delivery.items(), key=lambda kv: (kv[0][0], orgs[kv[0][1]].ident, kv[0][2])
    ):
        levs.sort(key=lambda x: _gm_order(x[0]))
        leveringen = [_Levering(n + 1, gm, tids) for n, (gm, tids) in enumerate(levs)]
        period = periods[pi]
        result.deliveries.append(
            PlannedDelivery(
                result, period, orgs[oi], deel, leveringen, _code_for(code_uitvraag, period, several)
            )
        )
    _disambiguate_filenames(result)

    findings.sort(key=lambda ft: (ft[0].code, ft[0].message, ft[0].path))
    result.findings = [f for f, _ in findings]
    result._finding_recs = [t for _, t in findings]
    by_rec: dict[int, list[int]] = defaultdict(list)
    for fi, tids in enumerate(result._finding_recs):
        for t in tids:
            by_rec[t].append(fi)
    if by_rec:
        for d in result.deliveries:
            seen: set[int] = set()
            for t in d._recs:
                seen.update(by_rec.get(t, ()))
            d.findings = [result.findings[i] for i in sorted(seen)]


def _bsn_key(clients: Any) -> bytes | None:
    """A short digest of the traject's set of client BSNs (None without BSNs): 'same clients'."""
    if not isinstance(clients, list):
        return None
    bsns = sorted(
        {
            str(c["Burgerservicenummer"])
            for c in clients
            if isinstance(c, dict) and c.get("Burgerservicenummer")
        }
    )
    if not bsns:
        return None
    return hashlib.blake2b("\x1f".join(bsns).encode(), digest_size=12).digest()


def _intern_org(orgs: list[_Org], index: dict[str, int], data: Any) -> int:
    ident = _org_identity(data)
    oi = index.get(ident)
    if oi is None:
        oi = index[ident] = len(orgs)
        orgs.append(_Org(ident))
    org = orgs[oi]
    value = data if isinstance(data, dict) else {}
    canon = orjson.dumps(value, option=orjson.OPT_SORT_KEYS)
    if canon not in org.variants:
        org.variants[canon] = value
    return oi


def _choose_org_variant(org: _Org, findings: list[tuple[Finding, list[int]]]) -> None:
    """Several exports may describe the same organisation differently: take the most complete header
    (ties: the smallest canonical form), so the choice does not depend on the order of the inputs."""
    best = (
        min(org.variants.items(), key=lambda kv: (-_completeness(kv[1]), kv[0]))
        if org.variants
        else (b"{}", {})
    )
    org.chosen = best[1]
    org.chosen_bytes = orjson.dumps(best[1])
    naam = best[1].get("(Statutaire) Naam") if isinstance(best[1], dict) else None
    org.naam = (
        naam.strip()
        if isinstance(naam, str) and naam.strip()
        else org.ident.partition(":")[2] or "Organisatie"
    )
    if len(org.variants) > 1:
        findings.append(
            (
                Finding(
                    "R-PLAN-03",
                    Severity.INFO,
                    "",
                    f"organisation {org.naam!r} ({org.ident}) appears with {len(org.variants)} different "
                    "aanleverende_organisatie headers; the most complete one is used in every delivery",
                    "make the exports agree on the organisation's details",
                ),
                [],
            )
        )


def _find_duplicates(
    result: Plan, prefixes: list[str], dedupe: bool, findings: list[tuple[Finding, list[int]]]
) -> None:
    """Same organisation, same set of client BSNs, overlapping lifetime: CBS would merge them (R-DUP-01).

    Across organisations this is samenloop (expected) and not reported here.
    """
    recs = result._recs
    buckets: dict[tuple[int, bytes], list[int]] = defaultdict(list)
    for tid, rec in enumerate(recs):
        if rec.bsnkey is not None and rec.start:
            buckets[(rec.org, rec.bsnkey)].append(tid)
    store = result._store

    def ptr(tid: int) -> str:
        r = recs[tid]
        return prefixes[r.src] + pointer("leveringen", r.li, "schuldhulptrajecten", r.ti)

    def where(tid: int) -> str:
        return f"{result.inputs[recs[tid].src]} {ptr(tid)}"

    def span(tid: int) -> str:
        return f"{_iso(recs[tid].start)}..{_iso(recs[tid].end)}"

    for tids in buckets.values():
        if len(tids) < 2:
            continue
        tids.sort(key=lambda i: (recs[i].start, recs[i].digest))
        components: list[list[int]] = []
        reach = -1
        for tid in tids:
            if components and recs[tid].start <= reach:
                components[-1].append(tid)
            else:
                components.append([tid])
                reach = -1
            reach = max(reach, recs[tid].end)
        for comp in components:
            if len(comp) < 2:
                continue
            docs = {tid: orjson.loads(store.read(recs[tid].off, recs[tid].ln)) for tid in comp}
            first = docs[comp[0]]
            clients = first.get("client") if isinstance(first, dict) else None
            masked = ", ".join(
                sorted(
                    mask_bsn(c.get("Burgerservicenummer"))
                    for c in (clients if isinstance(clients, list) else [])
                    if isinstance(c, dict) and c.get("Burgerservicenummer")
                )
            )
            if dedupe:
                keep = min(comp, key=lambda i: (-_completeness(docs[i]), recs[i].start, recs[i].digest))
                for tid in comp:
                    if tid == keep:
                        continue
                    recs[tid].dropped = True
                    result.dropped += 1
                    message = (
                        f"--dedupe dropped the traject at {where(tid)} ({_completeness(docs[tid])} fields, "
                        f"{span(tid)}, clients {masked}); kept the more complete one at {where(keep)} "
                        f"({_completeness(docs[keep])} fields)"
                    )
                    findings.append((Finding("R-DUP-01", Severity.INFO, ptr(tid), message, ""), [tid, keep]))
            else:
                base = comp[0]
                for tid in comp[1:]:
                    message = (
                        f"the traject at {where(tid)} ({span(tid)}) and the one at {where(base)} "
                        f"({span(base)}) have the same clients ({masked}) and overlapping lifetimes: "
                        "CBS would merge them"
                    )
                    hint = (
                        "remove one of them from the export, or plan with --dedupe to keep the most complete"
                    )
                    findings.append(
                        (Finding("R-DUP-01", Severity.WARNING, ptr(tid), message, hint), [tid, base])
                    )


def _disambiguate_filenames(result: Plan) -> None:
    """Two organisations whose names sanitise alike would get the same file name: add their identifier."""
    by_name: dict[str, list[PlannedDelivery]] = defaultdict(list)
    for d in result.deliveries:
        by_name[d.filename].append(d)
    for clash in by_name.values():
        if len({d.organisation for d in clash}) < 2:
            continue
        for d in clash:
            ident = d.organisation.partition(":")[2]
            short = sanitize_part(ident, max_len=20, fallback="")
            d._file_org = f"{sanitize_part(d.organisatie_naam, max_len=38, fallback='Organisatie')}-{short}"
            if not short:
                d._file_org += hashlib.sha256(d.organisation.encode()).hexdigest()[:8]
            d._refresh_filenames()
