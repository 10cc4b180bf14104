"""`RuleEngine`: the rules of RULES.md over reader events, in one pass, on plain dicts.

The reader (client.validation.reader) calls `header`, then per levering `levering`, `traject`... and
`levering_end`, and finally `finish`. Each traject runs a flat sequence of small checks: the
always-applicable ones, then one short list per key the traject actually has (so a traject
without moratoria costs nothing for the moratorium rules). Cross-traject state is compact
(`crossref.FileState`). Schema-invalid input never raises: unreadable values are skipped, and a
check that fails unexpectedly becomes an R-INTERNAL-01 error finding (naming the check and the JSON
path, never a data value) and validation goes on: a rule bug never makes a bad file look clean.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterable
from datetime import UTC, date, datetime
from typing import Any

from client.validation.catalogue import effective_severity
from client.validation.findings import Finding, Profile, Severity
from client.validation.rules import api
from client.validation.rules.amounts import check_totaal
from client.validation.rules.clients import check_clients
from client.validation.rules.context import Ctx, obj
from client.validation.rules.crossref import FileState
from client.validation.rules.dates import _fallback_start, cached_date, parse_date
from client.validation.rules.gemeente import check_code_format, classify
from client.validation.rules.intake import check_intake, check_pva
from client.validation.rules.meta import check_meta, check_organisation, check_teller
from client.validation.rules.misc import (
    check_begeleiding,
    check_crisis,
    check_moratoria,
    check_nazorg,
    check_vv,
)
from client.validation.rules.oplossing import check_oplossing
from client.validation.rules.period import check_header_period, check_traject_period
from client.validation.rules.phases import check_order, phase_handler, walk_traject_dates
from client.validation.rules.schulden import check_schulden
from client.validation.rules.schuldregeling import check_schuldregeling, check_toekenning
from client.validation.rules.traject import check_omschrijving, check_traject_fields
from client.validation.rules.uitstroom import check_end, check_uitstroom

__all__ = ["RuleEngine"]

Check = Callable[[Ctx], None]
_MIN, _MAX = date.min, date.max
_ERROR = Severity.ERROR

_HANDLERS: dict[str, tuple[Check, ...]] = {
    "aanmelding": (phase_handler("aanmelding"), check_crisis),
    "informatieEnAdvies": (phase_handler("informatieEnAdvies"),),
    "intake": (phase_handler("intake"), check_intake),
    "planVanAanpak": (phase_handler("planVanAanpak"), check_pva),
    "stabilisatie": (phase_handler("stabilisatie"),),
    "schuldregeling": (phase_handler("schuldregeling"), check_schuldregeling),
    "oplossing": (phase_handler("oplossing"), check_oplossing),
    "nazorg": (phase_handler("nazorg"), check_nazorg),
    "uitstroom": (phase_handler("uitstroom"), check_uitstroom),
    "begeleiding": (phase_handler("begeleiding"), check_begeleiding),
    "crisisinterventies": (phase_handler("crisisinterventies"),),
    "moratoria": (phase_handler("moratoria"), check_moratoria),
    "voorlopigeVoorzieningen": (phase_handler("voorlopigeVoorzieningen"), check_vv),
    "schulden": (check_schulden,),
    "totaalSchuldbedragBijAanvangSchuld": (check_totaal,),
    "omschrijving": (check_omschrijving,),
}


class RuleEngine:
    """The rules of RULES.md A-O that need one file, under a severity profile.

    `envelope=True` for API messages (`{"gegevens": ..., "paginering": ...}`): paths get the
    `/gegevens` prefix and `finish(paginering)` applies R-API-01..03. `now` is the validation time
    for R-PERIOD-02 (default: the current time).
    """

    def __init__(
        self,
        profile: Profile | str = Profile.STANDARD,
        *,
        envelope: bool = False,
        now: datetime | None = None,
    ) -> None:
        self.profile = Profile(profile)
        self.envelope = envelope
        self.prefix = "/gegevens" if envelope else ""
        if now is None:
            now = datetime.now(UTC)
        elif now.tzinfo is None:
            now = now.replace(tzinfo=UTC)
        self.now = now
        self._errs: dict[str, Severity] = {}
        self._ctx = Ctx(self._sev)
        self._ctx.prefix = self.prefix
        self._state = FileState(self.prefix)
        self._tellers: set[int] = set()
        self._first_teller = 1
        self._header_seen = False
        self._gegevens_missing_reported = False
        self.trajecten = 0
        self.leveringen = 0
        self.internal_errors = 0
        self.raise_internal = False  # tests set this to see the traceback of a failing check
        self._hi_per = _MAX
        state = self._state
        self._always: tuple[Check, ...] = (
            state.gemeente,
            check_clients,
            state.clients,
            check_traject_fields,
            check_traject_period,
            walk_traject_dates,
            check_order,
            check_end,
            check_toekenning,
            state.duplicate,
        )

    def _internal(self, check: object, path: str, out: list[Finding]) -> None:
        """A check raised: an R-INTERNAL-01 error in `out` (validation goes on), or re-raise when
        debugging (tests). The exception's text may quote data, so only its type is named."""
        self.internal_errors += 1
        if self.raise_internal:
            raise
        exc = sys.exception()
        name = getattr(check, "__qualname__", None) or getattr(check, "__name__", None) or str(check)
        out.append(
            Finding(
                "R-INTERNAL-01",
                self._sev("R-INTERNAL-01", _ERROR),
                path,
                f"The rule check '{name}' failed with an internal error ({type(exc).__name__}) at "
                f"{path or 'the root'}: the rules could not decide on this part, so the file is not valid.",
                "This is a bug in ddas, not in your file: please report it with this message (it holds no "
                "data). The other checks ran.",
            )
        )

    # ---- severities ----------------------------------------------------------------------------
    def _sev(self, code: str, listed: Severity) -> Severity:
        # Only errors depend on the profile; keyed by code alone (hashing an Enum runs Python code).
        if listed is not _ERROR:
            return listed
        sev = self._errs.get(code)
        if sev is None:
            sev = self._errs[code] = effective_severity(code, listed, self.profile)
        return sev

    def _collector(self, out: list[Finding]) -> Callable[[str, Severity, str, str, str], None]:
        def emit(code: str, listed: Severity, path: str, message: str, hint: str) -> None:
            out.append(Finding(code, self._sev(code, listed), path, message, hint))

        return emit

    # ---- events --------------------------------------------------------------------------------
    def header(self, data: Any) -> list[Finding]:
        """Root-level rules (R-META-01, R-PERIOD-01/02/07) on the root object without `leveringen`."""
        self._header_seen = True
        out: list[Finding] = []
        if type(data) is not dict:
            return out
        emit = self._collector(out)
        try:
            check = "check_meta"
            check_meta(data, self.prefix, emit)
            check = "check_header_period"
            p_start, p_end, aanl = check_header_period(data, self.prefix, self.now, emit)
        except Exception:  # never let a rule bug abort validation, nor pass the file
            self._internal(check, self.prefix, out)
            return out
        c = self._ctx
        c.p_start, c.p_end, c.aanl = p_start, p_end, aanl
        hi = _MAX
        for bound in (p_end, aanl):
            if bound is not None and bound < hi:
                hi = bound
        self._hi_per = c.hi_per = hi
        return out

    def levering(self, index: int, data: Any) -> list[Finding]:
        """Levering rules (R-LEV-01, R-ORG-*, organisation gemeentecode) on the levering without trajecten."""
        out: list[Finding] = []
        self.leveringen += 1
        lev = obj(data)
        org = obj(lev.get("aanleverende_organisatie")) if lev is not None else None
        self._state.lev_reset(index, org)
        if lev is None:
            return out
        emit = self._collector(out)
        rel = f"{self.prefix}/leveringen/{index}"
        try:
            teller = lev.get("teller")
            if self.envelope and index == 0 and type(teller) is int and teller >= 1:
                self._first_teller = teller  # a page may open with a levering continued from the last page
            check_teller(teller, index, self._tellers, rel + "/teller", emit, first=self._first_teller)
            check_organisation(org, rel + "/aanleverende_organisatie", self.envelope, emit)
            code = org.get("gemeentecode") if org is not None else None
            if type(code) is str and code != "":
                c = self._ctx
                c.out, c.base = out, rel + "/aanleverende_organisatie"
                info = classify(code)
                check_code_format(c, "/gemeentecode", code, info, traject=False)
                self._state.note_code_notation(c, "/gemeentecode", info, code)
        except Exception:
            self._internal("levering rules", rel, out)
        return out

    def traject(self, levering_index: int, index: int, data: Any, digest: int | None = None) -> list[Finding]:
        """All per-traject rules, plus the cross-traject ones that can be decided at this traject.
        `digest`: the traject's R-DUP-01 digest when the reader already has it (else computed here)."""
        out: list[Finding] = []
        self.trajecten += 1
        if type(data) is not dict:
            return out
        state = self._state
        if levering_index != state.li:
            state.lev_reset(levering_index, None)
        c = self._ctx
        c.out = out
        c.t = data
        c.li = levering_index
        c.ti = index
        c.digest = digest
        c.base = None  # built by `Ctx.path` when a rule fires
        # `context.dget` inlined on purpose (runs per traject): the memo lookup first, parse_date on a miss
        v = data.get("startdatum")
        start = (cached_date(v) or parse_date(v)) if type(v) is str else None
        v = data.get("einddatum")
        eind = (cached_date(v) or parse_date(v)) if type(v) is str else None
        c.start, c.einddatum = start, eind
        c.start_any = start if start is not None else _fallback_start(data)
        u = data.get("uitstroom")
        u = u if type(u) is dict else None
        c.uitstroom = u
        end: date | None = eind
        if end is None and u is not None:
            end = parse_date(u.get("datum"))
            if end is None:
                end = parse_date(u.get("datumBeeindigingsbeschikking"))
        c.end = end
        a = data.get("aanmelding")
        a = a if type(a) is dict else None
        c.aanm = a
        v = a.get("startdatum") if a is not None else None
        c.aanm_start = (cached_date(v) or parse_date(v)) if type(v) is str else None
        c.geb = []
        # bounds for the every-date rules (phases.walk_date): dates inside them trigger nothing
        a0 = c.aanm_start
        lo_a0 = c.lo_a0 = a0 if a0 is not None else _MIN
        lo_ts = c.lo_ts = start if start is not None else _MIN
        c.lo_all = lo_a0 if lo_a0 > lo_ts else lo_ts
        hi_per = self._hi_per
        c.hi_all = end if end is not None and end < hi_per else hi_per
        for fn in self._always:
            try:
                fn(c)
            except Exception:
                self._internal(fn, c.path(""), out)
        # the checks of the keys this traject has, in the traject's key order
        handlers = _HANDLERS
        for key in data:
            fns = handlers.get(key)
            if fns is None:
                continue
            for fn in fns:
                try:
                    fn(c)
                except Exception:
                    self._internal(fn, c.path(""), out)
        return out

    def levering_end(self, index: int, count: int) -> list[Finding]:
        """R-LEV-02 (no trajecten) and R-LEV-03 (same organisation and gemeente as an earlier levering)."""
        out: list[Finding] = []
        emit = self._collector(out)
        rel = f"{self.prefix}/leveringen/{index}"
        if count == 0:
            emit(
                "R-LEV-02",
                Severity.WARNING,
                rel,
                "The levering has no schuldhulptrajecten.",
                "Leave out leveringen without trajecten, or check the export.",
            )
        try:
            for path, message in self._state.lev_end(index, rel):
                emit(
                    "R-LEV-03",
                    Severity.WARNING,
                    path,
                    message,
                    "Put all trajecten of one organisation and gemeente in a single levering.",
                )
        except Exception:
            self._internal("R-LEV-03 levering comparison", rel, out)
        self._state.lev_reset(-1, None)
        return out

    def finish(self, paginering: Any = None) -> list[Finding]:
        """File-level rules at the end; in API mode R-API-01..03 on the message."""
        out: list[Finding] = []
        if not self.envelope:
            return out
        emit = self._collector(out)
        if not self._header_seen and not self._gegevens_missing_reported:
            emit(
                "R-API-03",
                Severity.ERROR,
                "/gegevens",
                "The API message has no gegevens object.",
                'Wrap the Uitwisselmodel as {"gegevens": <Uitwisselmodel>, "paginering": {...}}.',
            )
        try:
            api.check_paginering(paginering, self.trajecten, emit)
        except Exception:
            self._internal(api.check_paginering, "/paginering", out)
        return out

    # ---- helpers for callers that hold a whole document ----------------------------------------
    def check_requested_period(self, header: dict[str, Any], start: Any, end: Any) -> list[Finding]:
        """R-API-04 (see `api.check_requested_period`)."""
        return api.check_requested_period(header, start, end, profile=self.profile, envelope=self.envelope)

    def check_envelope(self, message: Any) -> list[Finding]:
        """R-API-03 on a parsed API message: only `gegevens` (an object) and `paginering`."""
        out: list[Finding] = []
        api.check_envelope_keys(message, self._collector(out))
        if any(f.path in ("", "/gegevens") for f in out):
            self._gegevens_missing_reported = True
        return out

    def run(self, document: Any) -> list[Finding]:
        """Every rule over an already parsed document (the envelope itself when `envelope=True`)."""
        out: list[Finding] = []
        pag = None
        root = document
        if self.envelope:
            out += self.check_envelope(document)
            if type(document) is not dict:
                return out
            root, pag = document.get("gegevens"), document.get("paginering")
        if type(root) is dict:
            out += self.header({k: v for k, v in root.items() if k != "leveringen"})
            leveringen = root.get("leveringen")
            for li, lev in enumerate(leveringen if type(leveringen) is list else ()):
                lev_d = obj(lev)
                out += self.levering(
                    li, {k: v for k, v in lev_d.items() if k != "schuldhulptrajecten"} if lev_d else lev
                )
                trajecten = lev_d.get("schuldhulptrajecten") if lev_d else None
                items: Iterable[Any] = trajecten if type(trajecten) is list else ()
                n = 0
                for ti, t in enumerate(items):
                    out += self.traject(li, ti, t)
                    n += 1
                out += self.levering_end(li, n)
        out += self.finish(pag)
        return out
