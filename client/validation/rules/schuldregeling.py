"""Section I: schuldregeling and toekenning (R-SR-01..06; R-SR-07/08 run with the oplossing)."""

from __future__ import annotations

from client.validation.rules.context import Ctx, E, I, W, dget, present
from client.validation.rules.dates import cached_date, parse_date

__all__ = ["check_schuldregeling", "check_toekenning"]

_OUTCOMES = ("toegekend", "afgewezen", "ingetrokken")


def check_schuldregeling(c: Ctx) -> None:
    """R-SR-01, R-SR-03, R-SR-04, R-SR-05."""
    sr = c.t.get("schuldregeling")
    if type(sr) is not dict or not sr:
        return
    v = sr.get("datum")
    datum = (cached_date(v) or parse_date(v)) if type(v) is str else None
    v = sr.get("toegekend")
    toegekend = (cached_date(v) or parse_date(v)) if type(v) is str else None
    dwang = sr.get("dwangakkoord")
    if dwang is True and not present(sr.get("toegekend")):
        c.add(
            "R-SR-01",
            E,
            "/schuldregeling/dwangakkoord",
            "dwangakkoord is true but schuldregeling.toegekend is empty.",
            "dwangakkoord is true only when the schuldregeling was granted (FAQ#8): fill toegekend or "
            "set it false.",
        )
    filled = [name for name in _OUTCOMES if present(sr.get(name))]
    if len(filled) > 1:
        c.add(
            "R-SR-03",
            W,
            "/schuldregeling/" + filled[1],
            "schuldregeling has more than one outcome: " + ", ".join(filled) + ".",
            "A schuldregeling is either toegekend, afgewezen or ingetrokken: keep the one that applies.",
        )
    if datum is not None:
        for name in _OUTCOMES:
            d = dget(sr, name)
            if d is not None and d < datum:
                c.add(
                    "R-SR-04",
                    E,
                    "/schuldregeling/" + name,
                    f"schuldregeling.{name} {d} is before the submission date {datum}.",
                    "An outcome cannot precede the submission: check schuldregeling.datum and the "
                    "outcome date.",
                )
    dvd = dget(sr, "datumVerzoekDwangakkoord")
    if dvd is not None and datum is not None and dvd < datum:
        c.add(
            "R-SR-05",
            W,
            "/schuldregeling/datumVerzoekDwangakkoord",
            f"datumVerzoekDwangakkoord {dvd} is before the submission date {datum}.",
            "A dwangakkoord is requested after creditors refuse the submitted schuldregeling.",
        )
    if dwang is True:
        if not present(sr.get("datumVerzoekDwangakkoord")):
            c.add(
                "R-SR-05",
                W,
                "/schuldregeling/datumVerzoekDwangakkoord",
                "dwangakkoord is true but datumVerzoekDwangakkoord is empty.",
                "Fill the date the dwangakkoord was requested from the court.",
            )
        elif dvd is not None and toegekend is not None and dvd > toegekend:
            c.add(
                "R-SR-05",
                W,
                "/schuldregeling/datumVerzoekDwangakkoord",
                f"datumVerzoekDwangakkoord {dvd} is after toegekend {toegekend}.",
                "The dwangakkoord request precedes the granting of the schuldregeling.",
            )
    elif present(sr.get("datumVerzoekDwangakkoord")):
        c.add(
            "R-SR-05",
            I,
            "/schuldregeling/dwangakkoord",
            "datumVerzoekDwangakkoord is filled but dwangakkoord is not true.",
            "FAQ#8 sets dwangakkoord true only when the schuldregeling is granted; UIT reads it as "
            "'requested'.",
        )


def check_toekenning(c: Ctx) -> None:
    """R-SR-02 (toekenningsdatum == schuldregeling.toegekend), R-SR-06 (inside the traject)."""
    t = c.t
    tk_raw = t.get("toekenningsdatum")
    sr = t.get("schuldregeling")
    if type(sr) is not dict:
        sr = None
    tg_raw = sr.get("toegekend") if sr is not None else None
    if (tk_raw is None or tk_raw == "") and (tg_raw is None or tg_raw == ""):
        return  # neither date: nothing to compare (the common case)
    tk = (cached_date(tk_raw) or parse_date(tk_raw)) if type(tk_raw) is str else None
    has_tk, has_tg = present(tk_raw), present(tg_raw)
    if has_tk and has_tg:
        tg = (cached_date(tg_raw) or parse_date(tg_raw)) if type(tg_raw) is str else None
        if tk is not None and tg is not None and tk != tg:
            c.add(
                "R-SR-02",
                E,
                "/toekenningsdatum",
                "toekenningsdatum {} differs from schuldregeling.toegekend {}.",
                "toekenningsdatum is the same date as schuldregeling.toegekend (FAQ#15): give both "
                "the same value.",
                (tk, tg),
            )
    elif has_tk:
        c.add(
            "R-SR-02",
            W,
            "/schuldregeling/toegekend",
            f"toekenningsdatum {tk or tk_raw} is filled but schuldregeling.toegekend is not.",
            "toekenningsdatum is the date the schuldregeling was granted: fill "
            "schuldregeling.toegekend with it, "
            "or leave both out.",
        )
    elif has_tg:
        c.add(
            "R-SR-02",
            W,
            "/toekenningsdatum",
            "schuldregeling.toegekend is filled but the traject toekenningsdatum is not.",
            "Fill toekenningsdatum with the same date as schuldregeling.toegekend (FAQ#15).",
        )
    if tk is None:
        return
    s0, a0 = c.start, c.aanm_start
    v = sr.get("datum") if sr is not None else None
    sd = (cached_date(v) or parse_date(v)) if type(v) is str else None
    if (s0 is None or tk >= s0) and (a0 is None or tk >= a0) and (sd is None or tk >= sd):
        return
    bounds = (
        ("the traject startdatum", c.start),
        ("aanmelding.startdatum", c.aanm_start),
        ("schuldregeling.datum", dget(sr, "datum")),
    )
    before = [f"{name} {d}" for name, d in bounds if d is not None and tk < d]
    if before:
        c.add(
            "R-SR-06",
            W,
            "/toekenningsdatum",
            f"toekenningsdatum {tk} is before " + " and ".join(before) + ".",
            "A schuldregeling is granted after aanmelding, intake and submission: check the "
            "toekenningsdatum.",
        )
