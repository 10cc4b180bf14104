"""Section J: oplossing (R-OPL-01..03), with the schuldregeling links R-SR-07/08 and vtlb (R-AMT-*)."""

from __future__ import annotations

from datetime import date, timedelta

from client.validation.rules.amounts import check_amount
from client.validation.rules.context import Ctx, I, W, dget, obj, present, show
from client.validation.rules.dates import add_months, cached_date, parse_date

__all__ = ["SETTLEMENTS", "check_oplossing"]

SETTLEMENTS = frozenset({"Saneringskrediet", "Schuldbemiddeling", "0%-aanbod"})
_MAX_18 = frozenset({"Schuldbemiddeling", "Saneringskrediet"})
_ZERO_ALIASES = frozenset(
    {
        "sa",
        "schuldregeling zonder afloscapaciteit",
        "0% aanbod",
        "0%aanbod",
        "0 %-aanbod",
        "nulaanbod",
        "0-aanbod",
    }
)
VTLB_MAX = 10_000
OPL_TOLERANCE = timedelta(days=0)
# the enumeration's own spellings, none of which is a zero-offer alias (skips the case-folding for them)
_PLAIN_SOORTEN = frozenset(
    s
    for s in ("Betalingsregeling", "Herfinanciering", "Saneringskrediet", "Schuldbemiddeling", "0%-aanbod")
    if s.strip().lower() not in _ZERO_ALIASES
)
_LIMITS: dict[date, date] = {}  # start -> end of the 18 months (memoised: starts recur)


def check_oplossing(c: Ctx) -> None:
    raw = c.t.get("oplossing")
    if type(raw) is list:
        if len(raw) > 1:
            c.add(
                "R-OPL-03",
                I,
                "/oplossing",
                f"oplossing holds {len(raw)} entries; a traject has one oplossing.",
                "Send one oplossing object per traject (HFD §Processen).",
            )
        return
    if type(raw) is not dict or not raw:
        return
    op = raw
    soort = op.get("soort")
    if type(soort) is not str:
        soort = None
    elif soort not in _PLAIN_SOORTEN and soort.strip().lower() in _ZERO_ALIASES:
        c.add(
            "R-OPL-03",
            I,
            "/oplossing/soort",
            f"oplossing.soort {show(soort)} is a schuldregeling without repayment capacity.",
            "Send it as '0%-aanbod' until a new specification (FAQ#17).",
        )
    v = op.get("startdatum")
    start = (cached_date(v) or parse_date(v)) if type(v) is str else None
    v = op.get("einddatum")
    eind = (cached_date(v) or parse_date(v)) if type(v) is str else None
    if soort in _MAX_18 and start is not None and eind is not None:
        limit = _LIMITS.get(start)
        if limit is None:
            limit = add_months(start, 18) + OPL_TOLERANCE
            if len(_LIMITS) >= 100_000:
                _LIMITS.clear()
            _LIMITS[start] = limit
        if eind > limit:
            c.add(
                "R-OPL-01",
                W,
                "/oplossing/einddatum",
                f"The {soort} runs {start} .. {eind}, longer than 18 months (until {limit}).",
                "A schuldregeling repays in at most 18 months: check the dates.",
            )
    vtlb = op.get("vtlb")
    if vtlb is not None and not (type(vtlb) is int and 0 <= vtlb <= VTLB_MAX):  # whole euros: quiet
        check_amount(c, "/oplossing/vtlb", vtlb, debt=False, large=None)
        if type(vtlb) in (int, float) and vtlb > VTLB_MAX:
            c.add(
                "R-OPL-02",
                W,
                "/oplossing/vtlb",
                f"vtlb {vtlb} is more than {VTLB_MAX} euros per month.",
                "vtlb is whole euros per month: check for cents or an annual amount.",
            )
    if soort in SETTLEMENTS:
        sr = obj(c.t.get("schuldregeling"))
        granted = sr is not None and present(sr.get("toegekend"))
        failed = sr is not None and (present(sr.get("afgewezen")) or present(sr.get("ingetrokken")))
        if not granted and failed:
            c.add(
                "R-SR-08",
                W,
                "/oplossing/soort",
                f"The oplossing is a {soort} but the schuldregeling was rejected or withdrawn, never "
                "granted.",
                "Check the schuldregeling outcome or the oplossing soort.",
            )
        elif not granted:
            c.add(
                "R-SR-07",
                W,
                "/schuldregeling/toegekend" if sr is not None else "/schuldregeling",
                f"The oplossing is a {soort} but there is no granted schuldregeling.",
                "A settlement follows a granted schuldregeling: fill schuldregeling with its toegekend date.",
            )
        else:
            tg = dget(sr, "toegekend")
            if tg is not None and start is not None and start < tg:
                c.add(
                    "R-SR-07",
                    W,
                    "/oplossing/startdatum",
                    f"The oplossing starts {start}, before the schuldregeling was granted ({tg}).",
                    "The oplossing starts after approval of the request (DET §Oplossing).",
                )
