"""Section H: intake (R-INT-01..05) and the plan van aanpak date (R-DATE-PVA-01)."""

from __future__ import annotations

from client.validation.rules.context import Ctx, E, W, dget, obj, present, show

__all__ = ["BESCHIKKINGSSOORT", "check_intake", "check_pva"]

BESCHIKKINGSSOORT = frozenset({"Afwijzingsbeschikking", "Toelatingsbeschikking"})
_LATER = (("stabilisatie", "startdatum"), ("schuldregeling", "datum"), ("oplossing", "startdatum"))


def check_intake(c: Ctx) -> None:
    it = obj(c.t.get("intake"))
    if not it:
        return
    start = dget(it, "startdatum")
    eind = dget(it, "einddatum")
    bd_raw = it.get("beschikkingsdatum")
    bd = dget(it, "beschikkingsdatum")
    soort = it.get("beschikkingssoort")
    if eind is not None and bd is not None and eind != bd:
        c.add(
            "R-INT-01",
            W,
            "/intake/einddatum",
            f"intake.einddatum {eind} differs from beschikkingsdatum {bd}.",
            "The beschikkingsdatum is leading; give einddatum the same value (FAQ#7, FAQ#12).",
        )
    if present(bd_raw) != present(soort):
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
                    f"The intake was rejected (Afwijzingsbeschikking) but the traject has a later {key}.",
                    "After an Afwijzingsbeschikking the traject ends: check the beschikkingssoort or "
                    "the phase.",
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
    pva = obj(c.t.get("planVanAanpak"))
    d = dget(pva, "datumAfronding")
    if d is None:
        return
    s = dget(obj(c.t.get("intake")), "startdatum")
    if s is not None and d < s:
        c.add(
            "R-DATE-PVA-01",
            W,
            "/planVanAanpak/datumAfronding",
            f"planVanAanpak.datumAfronding {d} is before the intake startdatum {s}.",
            "The plan van aanpak concludes the intake: it cannot be finished before the intake starts.",
        )
