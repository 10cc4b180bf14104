"""Section K: end of the traject (R-END-01..04) and the uitstroom omschrijving (R-TRAJ-04)."""

from __future__ import annotations

from client.validation.rules.context import Ctx, E, Lazy, W, dget, present, show
from client.validation.rules.dates import parse_date
from client.validation.rules.traject import _omschrijving

__all__ = ["UITSTROOMREDEN", "check_end", "check_uitstroom"]

UITSTROOMREDEN = frozenset(
    {
        "Overleden",
        "Verhuisd",
        "Nietverschenen",
        "Ingetrokken",
        "Niet passend",
        "Overig",
        "Voldoet niet",
        "Afgerond",
        "Zelf",
    }
)
_REDEN_BY_FOLD = {r.replace(" ", "").lower(): r for r in UITSTROOMREDEN}


def check_end(c: Ctx) -> None:
    """R-END-01 (the three end dates agree), R-END-02 (complete), R-END-03 (einddatum <-> reden)."""
    t = c.t
    u = c.uitstroom
    e_raw = t.get("einddatum")
    # fast paths: an open traject without uitstroom, or the three end dates written identically
    if u is None:
        if e_raw is None:
            return
    elif (
        type(e_raw) is str
        and e_raw != ""
        and u.get("datum") == e_raw
        and u.get("datumBeeindigingsbeschikking") == e_raw
    ):
        return
    ud_raw = u.get("datum") if u is not None else None
    ub_raw = u.get("datumBeeindigingsbeschikking") if u is not None else None
    have = (present(e_raw), present(ud_raw), present(ub_raw))
    if not (have[0] or have[1] or have[2]):
        if u is not None and present(u.get("reden")):
            c.add(
                "R-END-03",
                W,
                "/einddatum",
                f"uitstroom.reden is {show(u.get('reden'))} but the traject has no einddatum.",
                "A traject with an uitstroomreden has ended: fill einddatum, uitstroom.datum and "
                "uitstroom.datumBeeindigingsbeschikking with the same date.",
            )
        return
    names = ("/einddatum", "/uitstroom/datum", "/uitstroom/datumBeeindigingsbeschikking")
    dates = (c.einddatum, parse_date(ud_raw), parse_date(ub_raw))
    first = None
    for name, d in zip(names, dates, strict=True):
        if d is None:
            continue
        if first is None:
            first = (name, d)
        elif d != first[1]:
            c.add(
                "R-END-01",
                E,
                name,
                f"{name[1:].replace('/', '.')} {d} differs from {first[0][1:].replace('/', '.')} {first[1]}.",
                "einddatum, uitstroom.datum and uitstroom.datumBeeindigingsbeschikking are the same "
                "date (FAQ#21).",
            )
    if not (have[0] and have[1] and have[2]):
        missing = [n[1:].replace("/", ".") for n, h in zip(names, have, strict=True) if not h]
        rel = names[have.index(False)]
        c.add(
            "R-END-02",
            W,
            rel,
            "The traject has an end date but not all three end fields: missing " + ", ".join(missing) + ".",
            "Fill einddatum, uitstroom.datum and uitstroom.datumBeeindigingsbeschikking, all with the "
            "same date "
            "(FAQ#21).",
        )
    if have[0] and u is None:
        c.add(
            "R-END-03",
            W,
            "/uitstroom",
            "The traject has einddatum {} but no uitstroom with a reden.",
            "An ended traject records its uitstroom: add uitstroom with reden and the end dates.",
            (c.einddatum or Lazy(show, e_raw),),
        )
    elif not have[0] and u is not None and present(u.get("reden")):
        c.add(
            "R-END-03",
            W,
            "/einddatum",
            f"uitstroom.reden is {show(u.get('reden'))} but the traject has no einddatum.",
            "A traject with an uitstroomreden has ended: fill einddatum with the uitstroom date.",
        )


def check_uitstroom(c: Ctx) -> None:
    """R-END-04 (uitstroom without a valid reden), R-TRAJ-04 on uitstroom.omschrijving."""
    u = c.t.get("uitstroom")
    if type(u) is not dict or not u:
        return  # absent, not an object, or empty (R-DATE-PHASE-03)
    reden = u.get("reden")
    if reden is None or reden == "":
        d = dget(u, "datum")
        c.add(
            "R-END-04",
            W,
            "/uitstroom/reden",
            "uitstroom has no reden" + (f" (uitstroom.datum {d})." if d else "."),
            "Fill uitstroom.reden with one of: " + ", ".join(sorted(UITSTROOMREDEN)) + ".",
        )
    elif type(reden) is str and reden not in UITSTROOMREDEN:
        fixed = _REDEN_BY_FOLD.get(reden.replace(" ", "").lower())
        if fixed is not None:
            c.add(
                "R-END-04",
                W,
                "/uitstroom/reden",
                f"uitstroom.reden {show(reden)} is not spelt as in the schema enumeration.",
                f"Write it exactly as {show(fixed)} (the enumeration is case- and space-sensitive).",
            )
    text = u.get("omschrijving")
    if text is not None:
        _omschrijving(c, "/uitstroom/omschrijving", text)
