"""Section M: debts (R-SCH-01..05), their amounts (R-AMT-*), and the traject total (R-TRAJ-05)."""

from __future__ import annotations

import re

from orjson import dumps

from client.validation.rules.amounts import LARGE_AMOUNT, check_amount
from client.validation.rules.context import Ctx, E, I, Lazy, W, present, pstr, show
from client.validation.rules.dates import cached_date, parse_date
from client.validation.rules.phases import walk_date

__all__ = ["check_schulden"]

_POSTCODE = re.compile(r"[1-9][0-9]{3}[A-Z]{2}")
_POSTCODE_LOOSE = re.compile(r"\s*[1-9][0-9]{3}\s*[A-Za-z]{2}\s*")
_FOREIGN = re.compile(
    r"[A-Z]{1,2}-?\s*\d{3,6}|\d{5}|\d{3}\s?\d{2}|[A-Z]{1,2}\d[A-Z\d]?\s?\d[A-Z]{2}", re.IGNORECASE
)
_KVK = re.compile(r"\d{8}")


def _creditor(c: Ctx, rel: str, se: dict[str, object]) -> None:
    lo, up = pstr(se.get("naam")), pstr(se.get("Naam"))
    if lo is not None and up is not None:
        if lo != up:
            c.add(
                "R-SCH-01",
                E,
                rel + "/Naam",
                "schuldeiser naam {} and Naam {} differ.",
                "Fill both naam and Naam with the same value (FAQ#9).",
                (Lazy(show, lo), Lazy(show, up)),
            )
    elif (lo is None) != (up is None):
        missing = "Naam" if up is None else "naam"
        c.add(
            "R-SCH-01",
            W,
            f"{rel}/{missing}",
            f"schuldeiser has {'naam' if up is None else 'Naam'} but not {missing}.",
            "The schema has both naam and Naam: fill both with the same value (FAQ#9).",
        )
    kvk = pstr(se.get("kvknummer"))
    if kvk is not None:
        if len(kvk) > 20:
            c.add(
                "R-SCH-04",
                W,
                rel + "/kvknummer",
                f"kvknummer has {len(kvk)} characters (at most 20).",
                "A KvK number has 8 digits (DET: at most 20 characters).",
            )
        elif not _KVK.fullmatch(kvk):
            c.add(
                "R-SCH-04",
                W,
                rel + "/kvknummer",
                f"kvknummer {show(kvk)} is not 8 digits.",
                "A KvK number has 8 digits, without spaces or dots.",
            )
        if se.get("privepersoon") is True:
            c.add(
                "R-SCH-04",
                W,
                rel + "/privepersoon",
                "The creditor is a private person (privepersoon true) yet has a kvknummer.",
                "Check privepersoon, or leave the kvknummer out for a private creditor.",
            )
    pc = pstr(se.get("postcode"))
    if pc is not None and not _POSTCODE.fullmatch(pc):
        if _POSTCODE_LOOSE.fullmatch(pc):
            c.add(
                "R-SCH-05",
                W,
                rel + "/postcode",
                f"Creditor postcode {show(pc)} is not written as 1234AB.",
                "Write 4 digits and 2 capital letters without a space.",
            )
        elif _FOREIGN.fullmatch(pc.strip()):
            c.add(
                "R-SCH-05",
                I,
                rel + "/postcode",
                f"Creditor postcode {show(pc)} looks like a foreign postcode.",
                "Fine for a foreign creditor; a Dutch postcode is written 1234AB.",
            )
        else:
            c.add(
                "R-SCH-05",
                W,
                rel + "/postcode",
                f"Creditor postcode {show(pc)} is not a Dutch postcode (1234AB).",
                "A Dutch postcode is 4 digits (not starting with 0) and 2 capital letters (AN6).",
            )


def _creditor_ok(se: dict[str, object]) -> bool:
    """Fast path: the common clean creditor record (names equal, 8-digit KvK, Dutch postcode)."""
    lo = se.get("naam")
    if type(lo) is not str or lo == "" or lo != se.get("Naam"):
        return False
    kvk = se.get("kvknummer")
    if kvk is not None and not (
        type(kvk) is str and len(kvk) == 8 and kvk.isdigit() and se.get("privepersoon") is not True
    ):
        return False
    pc = se.get("postcode")
    return pc is None or (type(pc) is str and _POSTCODE.fullmatch(pc) is not None)


# Creditors recur across a file (the same tax office, utility, insurer): the JSON of a creditor record
# that passed `_creditor_ok` is remembered (in `Ctx.creditors`, per engine), so a repeat costs one
# serialisation and a set lookup.
_CLEAN_LIMIT = 50_000


def _creditor_clean(se: dict[str, object], clean: set[bytes]) -> bool:
    """`_creditor_ok`, memoised in `clean` on the record's exact JSON (a pure function of the content)."""
    try:
        key = dumps(se)
    except TypeError:  # orjson.JSONEncodeError: not JSON-able, check it directly
        return _creditor_ok(se)
    if key in clean:
        return True
    if not _creditor_ok(se):
        return False
    if len(clean) >= _CLEAN_LIMIT:  # bounded: many distinct creditors must not grow memory
        clean.clear()
    clean.add(key)
    return True


def check_schulden(c: Ctx) -> None:
    items = c.t.get("schulden")
    if type(items) is not list:
        return
    lower = c.aanm_start if c.aanm_start is not None else c.start_any
    upper = c.end
    lo_b, hi_b = c.lo_a0, c.hi_per
    # a peildatum inside [lo, hi] triggers neither the every-date rules nor R-SCH-02
    lo = lo_b if lower is None or lower < lo_b else lower
    hi = hi_b if upper is None or hi_b < upper else upper
    clean = c.creditors
    total = 0
    counted = 0
    for k, s in enumerate(items):
        if type(s) is not dict:
            continue
        bedrag = s.get("bedrag")
        soort = s.get("schuldsoort")
        se = s.get("schuldeiser")
        raw = s.get("peildatum")
        if (
            type(bedrag) is int
            and 0 < bedrag <= LARGE_AMOUNT
            and soort is not None
            and soort != ""
            and type(se) is dict
            and type(raw) is str
        ):
            # fast path: the common complete debt with a positive amount and a peildatum
            d = cached_date(raw) or parse_date(raw)
            if d is None or lo <= d <= hi:
                try:
                    ok = dumps(se) in clean or _creditor_clean(se, clean)
                except TypeError:
                    ok = _creditor_ok(se)
                if ok:
                    total += bedrag
                    counted += 1
                    continue
        if bedrag is None or bedrag == "" or soort is None or soort == "" or se is None or se == "":
            missing = [name for name in ("bedrag", "schuldsoort", "schuldeiser") if not present(s.get(name))]
            c.add(
                "R-SCH-03",
                W,
                f"/schulden/{k}",
                "The debt record lacks " + ", ".join(missing) + ".",
                "Record each debt with its bedrag, schuldsoort and schuldeiser.",
            )
        if type(bedrag) is int and 0 < bedrag <= LARGE_AMOUNT:
            total += bedrag
            counted += 1
        elif bedrag is not None:
            check_amount(c, f"/schulden/{k}/bedrag", bedrag, debt=True)
            if type(bedrag) is int:
                total += bedrag
                counted += 1
        if type(raw) is str:
            d = cached_date(raw) or parse_date(raw)
            if d is not None:
                if d < lo_b or d > hi_b:
                    walk_date(c, d, f"/schulden/{k}/peildatum", "S")
                if lower is not None and d < lower:
                    c.add(
                        "R-SCH-02",
                        W,
                        f"/schulden/{k}/peildatum",
                        f"peildatum {d} is before the start of the traject ({lower}).",
                        "The peildatum is when the debt was established within the traject.",
                    )
                elif upper is not None and d > upper:
                    c.add(
                        "R-SCH-02",
                        W,
                        f"/schulden/{k}/peildatum",
                        f"peildatum {d} is after the end of the traject ({upper}).",
                        "The peildatum is when the debt was established within the traject.",
                    )
        if type(se) is dict and not _creditor_clean(se, clean):
            _creditor(c, f"/schulden/{k}/schuldeiser", se)
    if not items:
        return
    totaal = c.t.get("totaalSchuldbedragBijAanvangSchuld")
    if totaal is None:
        c.add(
            "R-TRAJ-05",
            W,
            "/totaalSchuldbedragBijAanvangSchuld",
            f"The traject lists {len(items)} debt(s) but no totaalSchuldbedragBijAanvangSchuld.",
            "Fill the total debt at the start of the traject.",
        )
    elif type(totaal) is int and counted and abs(totaal - total) > max(500, 0.25 * max(totaal, total)):
        c.add(
            "R-TRAJ-05",
            I,
            "/totaalSchuldbedragBijAanvangSchuld",
            f"totaalSchuldbedragBijAanvangSchuld {totaal} differs much from the sum of the debts ({total}).",
            "Fine when debts were established at other dates; otherwise check the total.",
        )
