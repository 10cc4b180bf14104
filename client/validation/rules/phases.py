"""Section G: dates inside phases and relative to the traject (R-DATE-*), and the date walk.

Each phase object is visited once: `phase_handler(key)` returns the check for that key, which
walks the object's dates a single time for every "every date" rule (R-PERIOD-04/05,
R-DATE-ORDER-03, R-DATE-TRAJ-01) and applies the per-phase rules (R-DATE-PHASE-01..03,
R-DATE-TRAJ-02). The phase order (R-DATE-ORDER-01/02) and the traject-level dates are checked by
`check_order` and `walk_traject_dates`.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

from client.validation.findings import Severity
from client.validation.rules.context import Ctx, E, I, W
from client.validation.rules.dates import cached_date, parse_date

__all__ = ["PHASES", "check_order", "phase_handler", "walk_date", "walk_traject_dates"]

Check = Callable[[Ctx], None]

# mode: "T" traject field, "A" aanmelding, "L" lower-bound exempt, "U" upper-bound exempt,
#       "P" phase, "X" uitstroom, "S" schuld peildatum
# key -> (is_list, date fields, mode, severity when open on a closed traject (None: not checked),
#         has start/end pair)
PHASES: dict[str, tuple[bool, tuple[str, ...], str, Severity | None, bool]] = {
    "aanmelding": (False, ("startdatum", "einddatum"), "A", None, True),
    "informatieEnAdvies": (False, ("startdatum", "einddatum"), "L", None, True),
    "intake": (False, ("startdatum", "einddatum", "beschikkingsdatum"), "P", None, True),
    "planVanAanpak": (False, ("datumAfronding",), "P", None, False),
    "stabilisatie": (False, ("startdatum", "einddatum"), "P", W, True),
    "schuldregeling": (
        False,
        ("datum", "datumVerzoekDwangakkoord", "toegekend", "afgewezen", "ingetrokken"),
        "P",
        None,
        False,
    ),
    "oplossing": (False, ("startdatum", "einddatum"), "P", W, True),
    "nazorg": (False, ("startdatum", "einddatum"), "U", I, True),
    "uitstroom": (False, ("datum", "datumBeeindigingsbeschikking"), "X", None, False),
    "begeleiding": (True, ("startdatum", "einddatum"), "P", I, True),
    "crisisinterventies": (True, ("startdatum", "einddatum"), "L", W, True),
    "moratoria": (True, ("startdatum", "einddatum", "datumAanvraag", "datumGoedkeuring"), "P", W, True),
    "voorlopigeVoorzieningen": (True, ("startdatum", "einddatum"), "P", W, True),
}

_PHASE_MODES = frozenset("ALUP")
_HINT_BEFORE = "Phase dates lie inside the traject; check the traject startdatum."
_HINT_BEFORE_EXEMPT = _HINT_BEFORE + " (Aanmelding, crisis and informatie/advies may precede it.)"
_HINT_AFTER = "Phase dates lie inside the traject; check the traject einddatum."
_HINT_AFTER_NAZORG = _HINT_AFTER + " (Nazorg may follow the traject.)"


def walk_date(c: Ctx, d: date, rel: str, mode: str) -> None:
    """Every-date rules for one date: R-PERIOD-04/05, R-DATE-ORDER-03, R-DATE-TRAJ-01."""
    aanl = c.aanl
    if aanl is not None and d > aanl:
        c.add(
            "R-PERIOD-04",
            W,
            rel,
            "Date {} is after the delivery timestamp date {}.",
            "Record only events that have happened: planned dates do not belong in the file.",
            (d, aanl),
        )
    elif c.p_end is not None and d > c.p_end:
        c.add(
            "R-PERIOD-05",
            I,
            rel,
            "Date {} is after the end of the delivery period {}.",
            "Events after einddatumLevering fall outside the reporting period.",
            (d, c.p_end),
        )
    a0 = c.aanm_start
    if a0 is not None and mode != "A" and d < a0:
        c.add(
            "R-DATE-ORDER-03",
            W,
            rel,
            "Date {} is before aanmelding.startdatum {}, the first contact with debt assistance.",
            "aanmelding.startdatum is the date of first contact: no other traject date can be earlier.",
            (d, a0),
        )
    if mode in _PHASE_MODES:
        ts = c.start
        exempt = mode in "AL"
        # exempt phases (aanmelding, crisis, informatie en advies) commonly precede the traject start:
        # one info per object (at its startdatum) is enough
        if ts is not None and d < ts and (not exempt or rel.endswith("/startdatum")):
            c.add(
                "R-DATE-TRAJ-01",
                I if exempt else W,
                rel,
                "Phase date {} is before the traject startdatum {}.",
                _HINT_BEFORE_EXEMPT if exempt else _HINT_BEFORE,
                (d, ts),
            )
        te = c.end
        if te is not None and d > te:
            c.add(
                "R-DATE-TRAJ-01",
                I if mode == "U" else W,
                rel,
                "Phase date {} is after the end of the traject {}.",
                _HINT_AFTER_NAZORG if mode == "U" else _HINT_AFTER,
                (d, te),
            )


def _bounds(c: Ctx, mode: str) -> tuple[date, date]:
    """[lo, hi]: a phase's dates inside them trigger no every-date rule (see `walk_date`). Plain
    attribute reads: compiled, this is a C struct read and an unboxed pair (no attrgetter calls)."""
    if mode == "A":
        return c.lo_ts, c.hi_all
    if mode == "X":
        return c.lo_a0, c.hi_per
    return c.lo_all, c.hi_all


def _one(
    c: Ctx,
    rel: str,
    o: dict[str, Any],
    fields: tuple[str, ...],
    mode: str,
    open_sev: Severity | None,
    pair: bool,
) -> None:
    if not o:
        c.add(
            "R-DATE-PHASE-03",
            W,
            rel,
            "The phase object is empty.",
            "Leave a phase out entirely when nothing is known about it.",
        )
        return
    lo, hi = _bounds(c, mode)
    # walk every date once; only dates outside [lo, hi] can trigger an every-date rule
    if pair:  # fields start with startdatum, einddatum
        s_raw = o.get("startdatum")
        e_raw = o.get("einddatum")
        s = (cached_date(s_raw) or parse_date(s_raw)) if type(s_raw) is str else None
        e = (cached_date(e_raw) or parse_date(e_raw)) if type(e_raw) is str else None
        if s is not None and (s < lo or s > hi):
            walk_date(c, s, rel + "/startdatum", mode)
        if e is not None and (e < lo or e > hi):
            walk_date(c, e, rel + "/einddatum", mode)
        rest = fields[2:]
    else:
        rest = fields
    for name in rest:
        v = o.get(name)
        if type(v) is str:
            d = cached_date(v) or parse_date(v)
            if d is not None and (d < lo or d > hi):
                walk_date(c, d, f"{rel}/{name}", mode)
    if not pair:
        return
    if e is not None:
        if s is not None and s > e:
            c.add(
                "R-DATE-PHASE-01",
                E,
                rel + "/einddatum",
                "einddatum {} is before startdatum {}.",
                "A phase cannot end before it starts: check both dates.",
                (e, s),
            )
        if s_raw is None or s_raw == "":
            c.add(
                "R-DATE-PHASE-02",
                W,
                rel + "/einddatum",
                f"The phase has einddatum {e} but no startdatum.",
                "Fill the startdatum of the phase.",
            )
    elif open_sev is not None and c.end is not None and (e_raw is None or e_raw == ""):
        c.add(
            "R-DATE-TRAJ-02",
            open_sev,
            rel + "/einddatum",
            f"The traject ended {c.end} but this phase has no einddatum.",
            "Fill the phase's einddatum when the traject is closed"
            + (" (begeleiding and nazorg may go on after the traject)." if open_sev is I else "."),
        )


def phase_handler(key: str) -> Check:
    """The generic check for phase `key` (a single object or an array of them)."""
    is_list, fields, mode, open_sev, pair = PHASES[key]
    rel0 = "/" + key
    rest = fields[2:] if pair else fields
    closed_matters = open_sev is not None

    def quiet(c: Ctx, o: dict[str, Any]) -> bool:
        """True when `_one` would find nothing: every date inside the bounds, a consistent pair."""
        if not o:
            return False
        lo, hi = _bounds(c, mode)
        if pair:
            v = o.get("startdatum")
            s = (cached_date(v) or parse_date(v)) if type(v) is str else None
            if s is not None and (s < lo or s > hi):
                return False
            v = o.get("einddatum")
            e = (cached_date(v) or parse_date(v)) if type(v) is str else None
            if e is not None:
                if s is None or s > e or e < lo or e > hi:
                    return False
            elif closed_matters and c.end is not None and (v is None or v == ""):
                return False  # open phase on a closed traject (R-DATE-TRAJ-02)
            if not rest:
                return True
        for name in rest:
            v = o.get(name)
            if type(v) is str:
                d = cached_date(v) or parse_date(v)
                if d is not None and (d < lo or d > hi):
                    return False
        return True

    if is_list:

        def check_list(c: Ctx) -> None:
            items = c.t.get(key)
            if type(items) is not list:
                return
            for k, item in enumerate(items):
                if type(item) is dict and not quiet(c, item):
                    _one(c, f"{rel0}/{k}", item, fields, mode, open_sev, pair)

        return check_list

    if pair and not rest:

        def check_pair(c: Ctx) -> None:
            # `quiet` inlined for the common single start/end phase (one call less per phase)
            o = c.t.get(key)
            if type(o) is not dict:
                return
            if o:
                lo, hi = _bounds(c, mode)
                v = o.get("startdatum")
                s = (cached_date(v) or parse_date(v)) if type(v) is str else None
                if s is None or lo <= s <= hi:
                    v = o.get("einddatum")
                    e = (cached_date(v) or parse_date(v)) if type(v) is str else None
                    if e is not None:
                        if s is not None and s <= e and lo <= e <= hi:
                            return
                    elif not (closed_matters and c.end is not None and (v is None or v == "")):
                        return
            _one(c, rel0, o, fields, mode, open_sev, pair)

        return check_pair

    def check_single(c: Ctx) -> None:
        # `quiet` inlined for the single objects without a start/end pair (intake's pair has a third date)
        o = c.t.get(key)
        if type(o) is not dict:
            return
        if o and not pair:
            lo, hi = _bounds(c, mode)
            for name in rest:
                v = o.get(name)
                if type(v) is str:
                    d = cached_date(v) or parse_date(v)
                    if d is not None and (d < lo or d > hi):
                        break
            else:
                return
        elif quiet(c, o):
            return
        _one(c, rel0, o, fields, mode, open_sev, pair)

    return check_single


def walk_traject_dates(c: Ctx) -> None:
    """The every-date rules for the traject-level dates (startdatum, einddatum, toekenningsdatum)."""
    lo, hi = c.lo_a0, c.hi_per
    d = c.start
    if d is not None and (d < lo or d > hi):
        walk_date(c, d, "/startdatum", "T")
    d = c.einddatum
    if d is not None and (d < lo or d > hi):
        walk_date(c, d, "/einddatum", "T")
    raw = c.t.get("toekenningsdatum")
    if type(raw) is str:
        d = cached_date(raw) or parse_date(raw)
        if d is not None and (d < lo or d > hi):
            walk_date(c, d, "/toekenningsdatum", "T")


# R-DATE-ORDER-01: (phase, its start field, its end field or "")
_CHAIN: tuple[tuple[str, str, str], ...] = (
    ("aanmelding", "startdatum", "einddatum"),
    ("intake", "startdatum", "einddatum"),
    ("stabilisatie", "startdatum", "einddatum"),
    ("schuldregeling", "datum", ""),
    ("oplossing", "startdatum", "einddatum"),
    ("nazorg", "startdatum", "einddatum"),
)


def check_order(c: Ctx) -> None:
    """R-DATE-ORDER-01 (starts follow the Figure 3 order), R-DATE-ORDER-02 (end before next start)."""
    t = c.t
    pkey = ""  # the previous phase with a start date ("" before the first)
    ps = date.min
    pe: date | None = None
    for key, sfield, efield in _CHAIN:
        o = t.get(key)
        if type(o) is not dict:
            continue
        v = o.get(sfield)
        s = (cached_date(v) or parse_date(v)) if type(v) is str else None
        if s is None:
            continue
        if pkey and (s < ps or (pe is not None and s < pe)):
            if s < ps:
                c.add(
                    "R-DATE-ORDER-01",
                    W,
                    f"/{key}/{sfield}",
                    f"{key}.{sfield} {s} is before {pkey} starts ({ps}).",
                    "Phases follow the order aanmelding, intake, stabilisatie, schuldregeling, "
                    "oplossing, nazorg "
                    "(HFD Figure 3): check these dates.",
                )
            elif pe is not None and s < pe:
                c.add(
                    "R-DATE-ORDER-02",
                    I,
                    f"/{key}/{sfield}",
                    f"{key}.{sfield} {s} is before {pkey} ends ({pe}).",
                    "Usually a phase starts when its predecessor has ended; overlap is allowed.",
                )
        if efield:
            v = o.get(efield)
            pe = (cached_date(v) or parse_date(v)) if type(v) is str else None
        else:
            pe = None
        pkey, ps = key, s
