"""The quality (op-orde) report: one pass over the reader's events, then a JSON-able dict.

`ReportBuilder` is an observer of `client.validation.reader` events, so `ddas validate --report` and the mock
receiver compute it in the same pass as validation. It keeps counters, bounded amount distributions and an
array of salted 64-bit client hashes per municipality: never a list of trajecten, never a BSN.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Iterator, Mapping, Sequence
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from client.report.figures import (
    AGE_BANDS,
    BEGELEIDINGSSOORTEN,
    BESCHIKKINGSSOORTEN,
    CLIENT_FIELDS,
    EXACT_CAP,
    OPLOSSINGSSOORTEN,
    PHASES,
    SCHULDENSOORTEN,
    SCHULDREGELING_UITKOMSTEN,
    UITSTROOMREDENEN,
    UNKNOWN,
    AmountDistribution,
    GemeenteStats,
    age_band,
    distinct_count,
    is_date,
)
from client.validation.findings import RANK, Finding
from client.validation.reader import (
    End,
    Event,
    Header,
    LeveringStart,
    TrajectItem,
    events_from_value,
    iter_events,
)

REPORT_VERSION = "1.0"
REPORT_KIND = "ddas-op-orde-rapport"

# Plausibility thresholds (docs/decisions.md).
DROP_FACTOR = 0.5  # a drop of more than half against the previous period
MISSING_BSN_SHARE = 0.10  # more than 10% of client records without a BSN
AGE_MIN, AGE_MAX = 18, 110

# Bits of the per-traject mask (g.tmask), the per-client mask (g.cmask) and the phase mask (g.pmask).
T_START, T_END, T_TOEKENNING, T_TOTAAL, T_SCHULDEN, T_STARTED, T_ENDED, T_RUNNING, T_END_UITSTROOM = (
    1 << i for i in range(9)
)
C_BSN, C_GEB, C_GESL, C_PC, C_HN = (1 << i for i in range(5))
C_FALLBACK = C_GEB | C_PC | C_HN
_PHASE_SPEC = {
    key: (main, is_array, 1 << (2 * i), 1 << (2 * i + 1), "items:" + key, "d:" + key)
    for i, (key, is_array, main) in enumerate(PHASES)
}
_UITSTROOM_BIT = _PHASE_SPEC["uitstroom"][2]
_END_KEYS = ("datum", "datumBeeindigingsbeschikking")
_SR_OUTCOMES = ("toegekend", "afgewezen", "ingetrokken")
_AGE_KEYS = {age: "age:" + age_band(age) for age in range(0, 111)}


def _age_key(age: int) -> str:
    return _AGE_KEYS.get(age) or ("age:<18" if age < 0 else "age:>110")


def _as_date(value: object) -> str | None:
    if value is None:
        return None
    if isinstance(value, date):
        return value.isoformat()[:10]
    if is_date(value):
        return str(value)
    return None


class ReportBuilder:
    """Accumulates the report figures from reader events (or the direct methods) in one pass."""

    def __init__(self, period_start: date | str | None = None, period_end: date | str | None = None) -> None:
        self._period_start = _as_date(period_start)
        self._period_end = _as_date(period_end)
        self._period_source = "argument" if (self._period_start or self._period_end) else None
        self._salt = int.from_bytes(os.urandom(8), "big") >> 1
        self._gemeenten: dict[str, GemeenteStats] = {}
        self._header: dict[str, Any] = {}
        self._organisations: list[str] = []
        self._organisation = ""
        self._leveringen: set[tuple[str, object]] = set()
        self._levering_gemeenten: dict[int, set[str]] = {}
        self._current_levering = -1
        self._paginering: dict[str, Any] | None = None
        self._last_seen: tuple[int, str] | None = None

    # -- event interface -------------------------------------------------------------------------------

    def observe(self, event: Event) -> None:
        """Take one `client.validation.reader` event (the builder is a validation observer too)."""
        if isinstance(event, TrajectItem):
            self.traject(event.levering_index, event.index, event.data)
        elif isinstance(event, LeveringStart):
            self.levering(event.index, event.data)
        elif isinstance(event, Header):
            self.header(event.data)
            self._take_paginering(event.paginering)
        elif isinstance(event, End):
            self._take_paginering(event.paginering)

    __call__ = observe  # so a builder can also be passed where a plain callable observer is expected

    def _take_paginering(self, pag: object) -> None:
        if isinstance(pag, Mapping):
            self._paginering = dict(pag)

    def header(self, data: Mapping[str, Any]) -> None:
        if not isinstance(data, Mapping):
            return
        if isinstance(data.get("gegevens"), Mapping):  # an envelope handed over whole
            if isinstance(data.get("paginering"), Mapping):
                self._paginering = dict(data["paginering"])
            data = data["gegevens"]
        self._header = {k: v for k, v in data.items() if k != "leveringen" and not isinstance(v, list | dict)}
        if self._period_source is None:
            start, end = _as_date(data.get("startdatumLevering")), _as_date(data.get("einddatumLevering"))
            if start or end:
                self._period_start, self._period_end = start, end
                self._period_source = "header"

    def levering(self, index: int, data: Mapping[str, Any]) -> None:
        self._current_levering = index
        name = ""
        teller: object = index
        if isinstance(data, Mapping):
            if isinstance(data.get("teller"), int):
                teller = data["teller"]
            org = data.get("aanleverende_organisatie")
            if isinstance(org, Mapping):
                raw = org.get("(Statutaire) Naam")
                name = raw.strip() if isinstance(raw, str) else ""
        self._organisation = name
        self._last_seen = None
        self._leveringen.add((name, teller))  # distinct, so the pages of one delivery count once
        if name and name not in self._organisations:
            self._organisations.append(name)

    def traject(self, levering_index: int, index: int, t: Mapping[str, Any]) -> None:
        """Count one traject. Written flat, with local names and few calls: this runs a million times.

        Yes/no facts are packed into bit masks (one counter update per traject or client instead of one
        per fact); `_expand` turns the mask counts back into named counters when the report is built.
        """
        if type(t) is not dict:
            if not isinstance(t, Mapping):
                return
            t = dict(t)
        code = t.get("gemeentecode")
        if type(code) is not str or not code.strip():
            code = UNKNOWN
        g = self._gemeenten.get(code)
        if g is None:
            g = self._gemeenten[code] = GemeenteStats()
        if (levering_index, code) != self._last_seen:  # once per run of trajecten, not per traject
            self._last_seen = (levering_index, code)
            if self._organisation:
                g.organisations.add(self._organisation)
            self._levering_gemeenten.setdefault(levering_index, set()).add(code)
        c = g.c

        # traject-level fields (dates are ISO strings: they compare correctly as text)
        tm = 0
        start = t.get("startdatum")
        if type(start) is str and len(start) == 10:
            tm = T_START
        else:
            start = None
        end = t.get("einddatum")
        if type(end) is str and len(end) == 10:
            tm |= T_END
        else:
            end = None
        toekenning = t.get("toekenningsdatum")
        if toekenning is not None and toekenning != "":
            tm |= T_TOEKENNING
        totaal = t.get("totaalSchuldbedragBijAanvangSchuld")
        if totaal is not None:
            if type(totaal) is int:
                tm |= T_TOTAAL
                tab = g.amounts_totaal.table
                tab[totaal] += 1
                if len(tab) > EXACT_CAP:
                    g.amounts_totaal.flush()
            elif g.amounts_totaal.add(totaal):
                tm |= T_TOTAAL

        # phases, by walking the traject's own keys (typically a dozen)
        earliest: str | None = None
        pm = 0
        phase_spec = _PHASE_SPEC.get
        for key, value in t.items():
            spec = phase_spec(key)
            if spec is None or not value:
                continue
            main, is_array, p_bit, d_bit, items_key, d_key = spec
            if is_array:
                if type(value) is not list:
                    continue
                pm |= p_bit
                c[items_key] += len(value)
                soorten: set[str] | None = set() if key == "begeleiding" else None
                for item in value:
                    if type(item) is dict:
                        d = item.get(main)
                        if d and type(d) is str:
                            c[d_key] += 1
                            if earliest is None or d < earliest:
                                earliest = d
                        if soorten is not None:
                            soort = item.get("soort")
                            soorten.add(soort if type(soort) is str and soort else UNKNOWN)
                if soorten:
                    for soort in soorten:  # trajecten per soort, not items
                        c["begeleiding:" + soort] += 1
                continue
            if type(value) is not dict:
                continue
            pm |= p_bit
            d = value.get(main)
            if d and type(d) is str:
                pm |= d_bit
                if (earliest is None or d < earliest) and key != "uitstroom":
                    earliest = d
            if key == "intake":
                soort = value.get("beschikkingssoort")
                c["intake:" + (soort if type(soort) is str and soort else UNKNOWN)] += 1
            elif key == "oplossing":
                soort = value.get("soort")
                c["oplossing:" + (soort if type(soort) is str and soort else UNKNOWN)] += 1
            elif key == "uitstroom":
                reden = value.get("reden")
                c["uitstroom:" + (reden if type(reden) is str and reden else UNKNOWN)] += 1
                if end is None:
                    for end_key in _END_KEYS:
                        e = value.get(end_key)
                        if type(e) is str and len(e) == 10:
                            end = e
                            break
            elif key == "schuldregeling":
                for outcome in _SR_OUTCOMES:
                    o = value.get(outcome)
                    if o is not None and o != "":
                        c["schuldregeling:" + outcome] += 1
                if value.get("dwangakkoord") is True:
                    c["schuldregeling:dwangakkoord"] += 1
        g.pmask[pm] += 1
        if pm & _UITSTROOM_BIT and tm & T_END:
            tm |= T_END_UITSTROOM

        # debts: per schuldsoort distributions (their merge gives all debts at build time)
        schulden = t.get("schulden")
        if schulden and type(schulden) is list:
            tm |= T_SCHULDEN
            c["schulden"] += len(schulden)
            per_soort = g.amounts_soort
            for schuld in schulden:
                if type(schuld) is not dict:
                    continue
                soort = schuld.get("schuldsoort")
                if type(soort) is not str or not soort:
                    soort = UNKNOWN
                bedrag = schuld.get("bedrag")
                dist = per_soort.get(soort)
                if dist is None:
                    dist = per_soort[soort] = AmountDistribution()
                if type(bedrag) is int:
                    tab = dist.table
                    tab[bedrag] += 1
                    if len(tab) > EXACT_CAP:
                        dist.flush()
                elif not dist.add(bedrag):
                    c["schuld-without-amount:" + soort] += 1

        # period status (RULES §0: start falls back to the earliest phase date, end to the uitstroom dates)
        if start is None and earliest is not None and len(earliest) == 10:
            start = earliest
        pe = self._period_end
        if pe is not None:
            ps = self._period_start or ""
            if start is not None and ps <= start <= pe:
                tm |= T_STARTED
            if end is not None and ps <= end <= pe:
                tm |= T_ENDED
            if (start is None or start <= pe) and (end is None or end > pe):
                tm |= T_RUNNING
        g.tmask[tm] += 1

        # clients: a mask of filled fields each, a hash for the distinct count, the age at the start
        clients = t.get("client")
        if clients and type(clients) is list:
            ref = start or pe
            ref_year = int(ref[:4]) if ref is not None and ref[:4].isdigit() else None
            ref_md = ref[5:] if ref is not None else ""
            cmask = g.cmask
            salt = self._salt
            append_hash = g.clients.append
            for cl in clients:
                if type(cl) is not dict:
                    continue
                bsn = cl.get("Burgerservicenummer")
                geb = cl.get("Geboortedatum")
                pc = cl.get("Postcode")
                hn = cl.get("Huisnummer")
                gesl = cl.get("Geslachtsaanduiding")
                m = C_BSN if bsn is not None and bsn != "" else 0
                if geb is not None and geb != "":
                    m |= C_GEB
                if gesl is not None and gesl != "" and gesl != "Leeg":
                    m |= C_GESL
                if pc is not None and pc != "":
                    m |= C_PC
                if hn is not None and hn != "":
                    m |= C_HN
                cmask[m] += 1
                if m & C_BSN:
                    # str hashes are salted per process (PYTHONHASHSEED); the salt makes that explicit
                    append_hash(hash(bsn) ^ salt if type(bsn) is str else hash(str(bsn)) ^ salt)
                elif m & C_FALLBACK == C_FALLBACK:
                    append_hash(hash((geb, pc, hn, cl.get("Huisnummertoevoeging"))) ^ salt)
                else:
                    c["clients_unidentified"] += 1
                if ref_year is not None and m & C_GEB and type(geb) is str and len(geb) == 10:
                    year = geb[:4]
                    if year.isdigit():
                        age = ref_year - int(year) - (ref_md < geb[5:])
                        c[_AGE_KEYS.get(age) or _age_key(age)] += 1
                        if age < AGE_MIN or age > AGE_MAX:
                            c["age_outside"] += 1

    # -- building the report ---------------------------------------------------------------------------

    def build(
        self,
        findings: Iterable[Finding | Mapping[str, Any]] | None = None,
        previous: Mapping[str, Any] | None = None,
        *,
        generated_at: datetime | None = None,
        status: str | None = None,
        title: str | None = None,
    ) -> dict[str, Any]:
        """The JSON-able report. `findings=None` means "not validated"; `()` means "validated, none"."""
        generated = generated_at or datetime.now(UTC)
        total = GemeenteStats()
        for stats in self._gemeenten.values():
            total.merge(stats)
        municipalities = []
        for code in sorted(self._gemeenten, key=lambda k: (k == UNKNOWN, k)):
            row = {"gemeentecode": code, **_figures(self._gemeenten[code], self._period_end is not None)}
            municipalities.append(row)
        totals = _figures(total, self._period_end is not None)
        if previous:
            prev_total, prev_per = _previous_counts(previous)
            totals["previous_trajecten"] = prev_total
            for row in municipalities:
                if row["gemeentecode"] in prev_per:
                    row["previous_trajecten"] = prev_per[row["gemeentecode"]]
        report: dict[str, Any] = {
            "kind": REPORT_KIND,
            "report_version": REPORT_VERSION,
            "generated_at": _iso(generated),
            "title": title or "Quality report (op-orde rapport)",
            "period": {"start": self._period_start, "end": self._period_end, "source": self._period_source},
            "delivery": {
                "organisations": list(self._organisations),
                "leveringen": len(self._leveringen),
                "codeGegevensleverancier": _str_or_none(self._header.get("codeGegevensleverancier")),
                "aanleverdatumEnTijd": _str_or_none(self._header.get("aanleverdatumEnTijd")),
                "paginering": self._paginering,
            },
            "method": _method(total),
            "totals": totals,
            "municipalities": municipalities,
            "findings": _group_findings(findings),
        }
        if status is not None:
            report["status"] = status
        report["plausibility"] = _plausibility(report, previous)
        return report


# -- helpers for build() -------------------------------------------------------------------------------


def _iso(moment: datetime) -> str:
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC).isoformat(timespec="seconds").replace("+00:00", "Z")


def _str_or_none(value: object) -> str | None:
    return value if isinstance(value, str) else None


def _pct(part: int, whole: int) -> float | None:
    return None if whole == 0 else round(100.0 * part / whole, 1)


def _enum_counts(c: Mapping[str, int], prefix: str, values: Sequence[str]) -> dict[str, int]:
    """Counts for every enum value (zeros included, schema order), then anything else seen, then absent."""
    out = {value: c.get(prefix + value, 0) for value in values}
    extra = sorted(k[len(prefix) :] for k in c if k.startswith(prefix) and k[len(prefix) :] not in out)
    for value in extra:
        if value != UNKNOWN:
            out[value] = c[prefix + value]
    if c.get(prefix + UNKNOWN):
        out[UNKNOWN] = c[prefix + UNKNOWN]
    return out


def _expand(g: GemeenteStats) -> dict[str, int]:
    """Named counters from the plain counters plus the bit-mask counts."""
    c: dict[str, int] = dict(g.c)

    def add(key: str, n: int) -> None:
        c[key] = c.get(key, 0) + n

    traject_bits = (
        (T_START, "f:startdatum"),
        (T_END, "f:einddatum"),
        (T_TOEKENNING, "f:toekenningsdatum"),
        (T_TOTAAL, "f:totaalSchuldbedragBijAanvangSchuld"),
        (T_SCHULDEN, "p:schulden"),
        (T_STARTED, "started"),
        (T_ENDED, "ended"),
        (T_RUNNING, "running"),
        (T_END_UITSTROOM, "f:einddatum|uitstroom"),
    )
    for mask, n in g.tmask.items():
        add("trajecten", n)
        for bit, key in traject_bits:
            if mask & bit:
                add(key, n)
    for mask, n in g.pmask.items():
        for phase, (_main, _is_array, p_bit, d_bit, _i, _d) in _PHASE_SPEC.items():
            if mask & p_bit:
                add("p:" + phase, n)
            if mask & d_bit:
                add("d:" + phase, n)
    client_bits = (
        (C_BSN, "f:Burgerservicenummer"),
        (C_GEB, "f:Geboortedatum"),
        (C_GESL, "f:Geslachtsaanduiding"),
        (C_PC, "f:Postcode"),
        (C_HN, "f:Huisnummer"),
    )
    for mask, n in g.cmask.items():
        add("client_records", n)
        if not mask & C_BSN:
            add("bsn_missing", n)
        for bit, key in client_bits:
            if mask & bit:
                add(key, n)
    return c


def _figures(g: GemeenteStats, has_period: bool) -> dict[str, Any]:
    c = _expand(g)
    n = c.get("trajecten", 0)
    records = c.get("client_records", 0)
    with_uitstroom = c.get("p:uitstroom", 0)
    completeness: list[dict[str, Any]] = []

    def row(field: str, label: str, basis: str, count: int, denominator: int) -> None:
        completeness.append(
            {
                "field": field,
                "label": label,
                "basis": basis,
                "present": count,
                "denominator": denominator,
                "percent": _pct(count, denominator),
            }
        )

    row("startdatum", "startdatum", "trajecten", c.get("f:startdatum", 0), n)
    row(
        "einddatum",
        "einddatum",
        "trajecten with uitstroom",
        c.get("f:einddatum|uitstroom", 0),
        with_uitstroom,
    )
    row("toekenningsdatum", "toekenningsdatum", "trajecten", c.get("f:toekenningsdatum", 0), n)
    row(
        "totaalSchuldbedragBijAanvangSchuld",
        "totaalSchuldbedragBijAanvangSchuld",
        "trajecten",
        c.get("f:totaalSchuldbedragBijAanvangSchuld", 0),
        n,
    )
    for field in CLIENT_FIELDS:
        row("client." + field, "client." + field, "client records", c.get("f:" + field, 0), records)
    for key, _is_array, main in PHASES:
        basis = key + (" items" if _is_array else "")
        denominator = c.get(("items:" if _is_array else "p:") + key, 0)
        row(f"{key}.{main}", f"{key}.{main}", basis, c.get("d:" + key, 0), denominator)

    distinct = distinct_count(g.clients) + c.get("clients_unidentified", 0)
    all_schulden = AmountDistribution()
    for dist in g.amounts_soort.values():
        all_schulden.merge(dist)
    ages = {band: c.get("age:" + band, 0) for band in AGE_BANDS}
    soort_amounts = {
        soort: g.amounts_soort[soort].to_dict()
        for soort in (*SCHULDENSOORTEN, *sorted(set(g.amounts_soort) - set(SCHULDENSOORTEN)))
        if soort in g.amounts_soort
    }
    return {
        "trajecten": n,
        "clients": distinct,
        "client_records": records,
        "clients_without_bsn": c.get("bsn_missing", 0),
        "started_in_period": c.get("started", 0) if has_period else None,
        "ended_in_period": c.get("ended", 0) if has_period else None,
        "running_at_end": c.get("running", 0) if has_period else None,
        "organisations": sorted(g.organisations),
        "phases": {key: c.get("p:" + key, 0) for key in (p[0] for p in PHASES)},
        "phase_items": {key: c.get("items:" + key, 0) for key, is_array, _m in PHASES if is_array},
        "intake_beschikkingssoort": _enum_counts(c, "intake:", BESCHIKKINGSSOORTEN),
        "begeleiding_soort": _enum_counts(c, "begeleiding:", BEGELEIDINGSSOORTEN),
        "schuldregeling": {k: c.get("schuldregeling:" + k, 0) for k in SCHULDREGELING_UITKOMSTEN},
        "oplossing_soort": _enum_counts(c, "oplossing:", OPLOSSINGSSOORTEN),
        "uitstroom_reden": _enum_counts(c, "uitstroom:", UITSTROOMREDENEN),
        "debts": {
            "totaalSchuldbedragBijAanvangSchuld": g.amounts_totaal.to_dict(),
            "trajecten_with_schulden": c.get("p:schulden", 0),
            "schulden": {**all_schulden.to_dict(), "records": c.get("schulden", 0)},
            "per_schuldsoort": soort_amounts,
            "schulden_per_schuldsoort": {
                soort: soort_amounts.get(soort, {}).get("count", 0)
                + c.get("schuld-without-amount:" + soort, 0)
                for soort in (*SCHULDENSOORTEN, *(s for s in soort_amounts if s not in SCHULDENSOORTEN))
            },
        },
        "completeness": completeness,
        "ages": {"bands": ages, "outside_18_110": c.get("age_outside", 0), "known": sum(ages.values())},
    }


def _method(total: GemeenteStats) -> dict[str, str]:
    exact = total.amounts_totaal.exact and all(d.exact for d in total.amounts_soort.values())
    return {
        "amounts": (
            "exact: median and p90 by linear interpolation between closest ranks"
            if exact
            else "histogram: fixed logarithmic bins 1% wide (median and p90 within about 0.5%), "
            "used once a group has more than 4096 distinct amounts"
        ),
        "clients": "distinct clients = distinct salted in-memory hashes of the BSN, or of birth date, "
        "postcode, house number and addition when the BSN is absent; a client with neither counts once per "
        "record. "
        "No BSN or hash is kept in the report.",
        "period": "start = traject startdatum, else the earliest phase date; end = einddatum, else "
        "uitstroom.datum, else uitstroom.datumBeeindigingsbeschikking, else open; started/ended = that "
        "date within the period (inclusive); running = started on or before the period end and not ended "
        "on or before it.",
        "completeness": "present = not null and not empty; Geslachtsaanduiding 'Leeg' counts as missing; "
        "client fields over client records; phase dates over the trajecten (or array items) that have "
        "the phase; einddatum over trajecten with an uitstroom.",
    }


def _rule_titles() -> dict[str, str]:
    from client.validation.catalogue import RULES

    return {str(code): rule.title for code, rule in RULES.items()}


def _group_findings(findings: Iterable[Finding | Mapping[str, Any]] | None) -> dict[str, Any]:
    if findings is None:
        return {"checked": False, "errors": 0, "warnings": 0, "infos": 0, "by_rule": []}
    titles = _rule_titles()
    groups: dict[str, dict[str, Any]] = {}
    totals = {"error": 0, "warning": 0, "info": 0}
    for f in findings:
        if isinstance(f, Finding):
            code, severity, path = f.code, f.severity.value, f.path
        elif isinstance(f, Mapping):
            code = str(f.get("code", "?"))
            severity = str(getattr(f.get("severity"), "value", f.get("severity", "warning")))
            path = str(f.get("path", ""))
        else:
            continue
        if severity not in totals:
            severity = "warning"
        totals[severity] += 1
        grp = groups.get(code)
        if grp is None:
            grp = groups[code] = {
                "code": code,
                "severity": severity,
                "title": titles.get(code),
                "count": 0,
                "examples": [],
            }
        grp["count"] += 1
        if RANK[severity] > RANK[grp["severity"]]:
            grp["severity"] = severity
        if len(grp["examples"]) < 3 and path not in grp["examples"]:
            grp["examples"].append(path)
    by_rule = sorted(groups.values(), key=lambda g: (-RANK[g["severity"]], -g["count"], g["code"]))
    return {
        "checked": True,
        "errors": totals["error"],
        "warnings": totals["warning"],
        "infos": totals["info"],
        "by_rule": by_rule,
    }


def _previous_counts(previous: Mapping[str, Any]) -> tuple[int | None, dict[str, int]]:
    total = None
    tot = previous.get("totals")
    if isinstance(tot, Mapping) and isinstance(tot.get("trajecten"), int):
        total = int(tot["trajecten"])
    per: dict[str, int] = {}
    rows = previous.get("municipalities")
    if isinstance(rows, list):
        for r in rows:
            if isinstance(r, Mapping) and isinstance(r.get("trajecten"), int):
                per[str(r.get("gemeentecode"))] = int(r["trajecten"])
    return total, per


def _plausibility(report: Mapping[str, Any], previous: Mapping[str, Any] | None) -> list[dict[str, Any]]:
    flags: list[dict[str, Any]] = []
    rows: list[dict[str, Any]] = report["municipalities"]

    def flag(code: str, gemeente: str | None, message: str, **values: Any) -> None:
        flags.append(
            {"code": code, "severity": "warning", "gemeentecode": gemeente, "message": message, **values}
        )

    for r in rows:
        gem = r["gemeentecode"]
        if r["trajecten"] == 1:
            flag("single-traject", gem, f"{gem}: only one traject in the whole period", trajecten=1)
        records, missing = r["client_records"], r["clients_without_bsn"]
        if records and missing / records > MISSING_BSN_SHARE:
            flag(
                "missing-bsn",
                gem,
                f"{gem}: {missing:,} of {records:,} client records without BSN "
                f"({100 * missing / records:.0f}%)",
                share=round(missing / records, 3),
            )
        outside = r["ages"]["outside_18_110"]
        if outside:
            flag(
                "age-outside-18-110",
                gem,
                f"{gem}: {outside:,} client(s) younger than 18 or older than 110 at the start of the traject",
                clients=outside,
            )
    if previous:
        prev_total, prev_per = _previous_counts(previous)
        current = {r["gemeentecode"]: r["trajecten"] for r in rows}
        for gem, before in sorted(prev_per.items()):
            now = current.get(gem, 0)
            if before > 0 and now < before * DROP_FACTOR:
                flag(
                    "drop",
                    gem,
                    f"{gem}: {now:,} trajecten against {before:,} in the previous period "
                    "(a drop of more than half)",
                    previous=before,
                    current=now,
                )
        now_total = report["totals"]["trajecten"]
        if prev_total and now_total < prev_total * DROP_FACTOR:
            flag(
                "drop",
                None,
                f"Total: {now_total:,} trajecten against {prev_total:,} in the previous period "
                "(a drop of more than half)",
                previous=prev_total,
                current=now_total,
            )
    return flags


# -- convenience -----------------------------------------------------------------------------------------


def _looks_like_envelope(head: bytes) -> bool:
    """An envelope names `gegevens` before any `leveringen` (good enough to pick the reader's mode)."""
    g, lev = head.find(b'"gegevens"'), head.find(b'"leveringen"')
    return g != -1 and (lev == -1 or g < lev)


Source = bytes | Mapping[str, Any] | Path


def build_report(
    source: Source | Sequence[Source],
    findings: Iterable[Finding | Mapping[str, Any]] | None = None,
    previous: Mapping[str, Any] | None = None,
    *,
    period_start: date | str | None = None,
    period_end: date | str | None = None,
    generated_at: datetime | None = None,
    status: str | None = None,
) -> dict[str, Any]:
    """Report for a whole document, or for the pages of one delivery given as a list.

    Read through `client.validation.reader` (a large file is streamed, in bounded memory). Unreadable
    input raises `client.validation.reader.ReadError`: validate first when the input is untrusted.
    """
    builder = ReportBuilder(period_start, period_end)
    sources: list[Source] = list(source) if isinstance(source, list | tuple) else [source]  # type: ignore[list-item]
    for item in sources:
        _feed(builder, item)
    return builder.build(findings, previous, generated_at=generated_at, status=status)


def _feed(builder: ReportBuilder, source: Source) -> None:
    """Every source goes through `client.validation.reader`: a file is streamed when large."""
    events: Iterator[Event]
    if isinstance(source, Mapping):
        events = events_from_value(dict(source), envelope=isinstance(source.get("gegevens"), Mapping))
    elif isinstance(source, Path):
        with source.open("rb") as fh:
            head = fh.read(65536)
        events = iter_events(source, envelope=_looks_like_envelope(head), duplicates=False)
    else:
        raw = bytes(source)
        events = iter_events(raw, envelope=_looks_like_envelope(raw[:65536]), duplicates=False)
    for event in events:
        builder.observe(event)
