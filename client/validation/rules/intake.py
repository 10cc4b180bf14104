"""Section H: intake (R-INT-01..05) and the plan van aanpak date (R-DATE-PVA-01)."""

from __future__ import annotations

from client.validation.rules.context import Ctx, E, W, dget, obj, present, show
from client.validation.rules.dates import cached_date, parse_date

__all__ = ["BESCHIKKINGSSOORT", "check_intake", "check_pva"]

BESCHIKKINGSSOORT = frozenset({"Afwijzingsbeschikking", "Toelatingsbeschikking"})
_LATER = (("stabilisatie", "startdatum"), ("schuldregeling", "datum"), ("oplossing", "startdatum"))


def check_intake(c: Ctx) -> None:
    it = c.t.get("intake")
    if type(it) is not dict or not it:
        return
    # dates parsed inline (this runs for most trajecten)
    v = it.get("startdatum")
    start = (cached_date(v) or parse_date(v)) if type(v) is str else None
    v = it.get("einddatum")
    eind = (cached_date(v) or parse_date(v)) if type(v) is str else None
    bd_raw = it.get("beschikkingsdatum")
    bd = (cached_date(bd_raw) or parse_date(bd_raw)) if type(bd_raw) is str else None
    soort = it.get("beschikkingssoort")
    if eind is not None and bd is not None and eind != bd:
        c.add(
            "R-INT-01",
            W,
            "/intake/einddatum",
            "intake.einddatum {} differs from beschikkingsdatum {}.",
            "The beschikkingsdatum is leading; give einddatum the same value (FAQ#7, FAQ#12).",
            (eind, bd),
        )
    if (bd_raw is None or bd_raw == "") != (soort is None or soort == ""):  # one present, not the other
        missing = "beschikkingssoort" if present(bd_raw) else "beschikkingsdatum"
        c.add(
            "R-INT-02",
            W,
            f"/intake/{missing}",
            f"intake has {'beschikkingsdatum' if present(bd_raw) else 'beschikkingssoort'} but no {missing}.",
            "Fill beschikkingsdatum and beschikkingssoort together.",
        )
    if bd is not None and start is not None and bd < start:
        c.add(
            "R-INT-03",
            E,
            "/intake/beschikkingsdatum",
            f"beschikkingsdatum {bd} is before the intake startdatum {start}.",
            "The decision ends the intake: it cannot come before the intake starts.",
        )
    if type(soort) is str and soort != "" and soort not in BESCHIKKINGSSOORT:
        low = soort.lower()
        if low.startswith("beeindig") or low.startswith("beëindig"):
            hint = (
                "Beeindigingsbeschikking was removed in v1.0: record the end of the traject in "
                "uitstroom.datumBeeindigingsbeschikking (FAQ#5)."
            )
        elif low.startswith("toewijz") or low.startswith("toel"):
            hint = "Use 'Toelatingsbeschikking'."
        elif low.startswith("afw"):
            hint = "Use 'Afwijzingsbeschikking'."
        else:
            hint = "Use 'Afwijzingsbeschikking' or 'Toelatingsbeschikking'."
        c.add(
            "R-INT-04",
            E,
            "/intake/beschikkingssoort",
            f"beschikkingssoort {show(soort)} is not Afwijzingsbeschikking or Toelatingsbeschikking.",
            hint,
        )
    if soort == "Afwijzingsbeschikking":
        t = c.t
        for key, field in _LATER:
            o = obj(t.get(key))
            if not o:
                continue
            d = dget(o, field)
            if d is None or bd is None or d >= bd:
                c.add(
                    "R-INT-05",
                    W,
                    "/" + key,
                    "The intake was rejected (Afwijzingsbeschikking) but the traject has a later {}.",
                    "After an Afwijzingsbeschikking the traject ends: check the beschikkingssoort or "
                    "the phase.",
                    (key,),
                )
        if c.end is None:
            c.add(
                "R-INT-05",
                W,
                "/intake/beschikkingssoort",
                "The intake was rejected (Afwijzingsbeschikking) but the traject has not ended.",
                "Close the traject: einddatum and uitstroom with a reden.",
            )


def check_pva(c: Ctx) -> None:
    pva = c.t.get("planVanAanpak")
    v = pva.get("datumAfronding") if type(pva) is dict else None
    d = (cached_date(v) or parse_date(v)) if type(v) is str else None
    if d is None:
        return
    it = c.t.get("intake")
    v = it.get("startdatum") if type(it) is dict else None
    s = (cached_date(v) or parse_date(v)) if type(v) is str else None
    if s is not None and d < s:
        c.add(
            "R-DATE-PVA-01",
            W,
            "/planVanAanpak/datumAfronding",
            f"planVanAanpak.datumAfronding {d} is before the intake startdatum {s}.",
            "The plan van aanpak concludes the intake: it cannot be finished before the intake starts.",
        )
