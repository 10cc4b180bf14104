"""Section L: crisisinterventie, moratorium, begeleiding, nazorg, voorlopige voorziening."""

from __future__ import annotations

from datetime import date

from client.validation.rules.context import Ctx, E, I, W, dget, obj, present
from client.validation.rules.dates import add_months, cached_date, parse_date

__all__ = ["check_begeleiding", "check_crisis", "check_moratoria", "check_nazorg", "check_vv"]


def _age(born: date, on: date) -> int:
    return on.year - born.year - ((on.month, on.day) < (born.month, born.day))


def check_crisis(c: Ctx) -> None:
    """R-CRI-01 (flag true needs records), R-CRI-02 (flag false, crisis during aanmelding)."""
    aanm = c.aanm
    if aanm is None:
        return
    flag = aanm.get("crisisinterventie")
    if flag is not True and flag is not False:
        return
    items = c.t.get("crisisinterventies")
    items = items if type(items) is list else []
    if flag is True:
        if not any(type(i) is dict and present(i.get("startdatum")) for i in items):
            c.add(
                "R-CRI-01",
                W,
                "/aanmelding/crisisinterventie",
                "aanmelding.crisisinterventie is true but there is no crisisinterventies[] entry with "
                "a startdatum.",
                "Record the crisis in crisisinterventies[] with its start (and end) date.",
            )
        return
    a0 = c.aanm_start
    if a0 is None or not items:
        return
    a1 = dget(aanm, "einddatum")
    for k, item in enumerate(items):
        s = dget(obj(item), "startdatum")
        if s is not None and a0 <= s and (a1 is None or s <= a1):
            c.add(
                "R-CRI-02",
                I,
                f"/crisisinterventies/{k}/startdatum",
                f"A crisisinterventie starts {s}, during the aanmelding, while "
                "aanmelding.crisisinterventie is false.",
                "Set aanmelding.crisisinterventie to true when there was a crisis at aanmelding.",
            )
            return


def check_moratoria(c: Ctx) -> None:
    """R-MOR-01 (date order), R-MOR-02 (at most six months), R-MOR-03 (context of a schuldregeling)."""
    items = c.t.get("moratoria")
    if type(items) is not list:
        return
    sr = obj(c.t.get("schuldregeling"))
    outcome = None
    if sr is not None:
        dates = [d for d in (dget(sr, "toegekend"), dget(sr, "afgewezen"), dget(sr, "ingetrokken")) if d]
        outcome = min(dates) if dates else None
    for k, item in enumerate(items):
        m = obj(item)
        if not m:
            continue
        rel = f"/moratoria/{k}"
        aanvraag, goed = dget(m, "datumAanvraag"), dget(m, "datumGoedkeuring")
        start, eind = dget(m, "startdatum"), dget(m, "einddatum")
        if aanvraag is not None and goed is not None and goed < aanvraag:
            c.add(
                "R-MOR-01",
                E,
                rel + "/datumGoedkeuring",
                f"datumGoedkeuring {goed} is before datumAanvraag {aanvraag}.",
                "A moratorium is approved after it is requested: check both dates.",
            )
        if goed is not None and start is not None and start < goed:
            c.add(
                "R-MOR-01",
                W,
                rel + "/startdatum",
                f"The moratorium starts {start}, before its approval {goed}.",
                "A moratorium starts once the court has approved it.",
            )
        if start is not None and eind is not None and eind > add_months(start, 6):
            c.add(
                "R-MOR-02",
                W,
                rel + "/einddatum",
                "The moratorium runs {} .. {}, longer than six months.",
                "A moratorium lasts at most six months (DET §Moratorium).",
                (start, eind),
            )
        if sr is None:
            c.add(
                "R-MOR-03",
                I,
                rel,
                "A moratorium is recorded but the traject has no schuldregeling.",
                "A moratorium is requested while a schuldregeling request is being handled.",
            )
        elif aanvraag is not None and outcome is not None and aanvraag > outcome:
            c.add(
                "R-MOR-03",
                I,
                rel + "/datumAanvraag",
                f"The moratorium was requested {aanvraag}, after the schuldregeling outcome {outcome}.",
                "A moratorium is requested while a schuldregeling request is being handled.",
            )


def check_begeleiding(c: Ctx) -> None:
    """R-BEG-01 (same kind overlapping, exact duplicates), R-BEG-02 (beschermingsbewind for a minor)."""
    items = c.t.get("begeleiding")
    if type(items) is not list:
        return
    seen: list[tuple[int, object, date | None, date | None, dict[str, object]]] = []
    for k, item in enumerate(items):
        b = obj(item)
        if not b:
            continue
        soort = b.get("soort")
        s, e = dget(b, "startdatum"), dget(b, "einddatum")
        for j, psoort, ps, pe, prev in seen:
            if psoort != soort:
                continue
            if prev == b:
                c.add(
                    "R-BEG-01",
                    W,
                    f"/begeleiding/{k}",
                    f"begeleiding {k} is an exact duplicate of begeleiding {j}.",
                    "Remove the duplicate entry.",
                )
                break
            if s is not None and ps is not None and s <= (pe or date.max) and ps <= (e or date.max):
                c.add(
                    "R-BEG-01",
                    I,
                    f"/begeleiding/{k}",
                    f"begeleiding {k} ({soort}) overlaps begeleiding {j} of the same kind; CBS merges them.",
                    "Record one begeleiding per continuous period of the same kind.",
                )
                break
        seen.append((k, soort, s, e, b))
        if soort == "Beschermingsbewind" and s is not None:
            for born in c.geb:
                if _age(born, s) < 18:
                    c.add(
                        "R-BEG-02",
                        W,
                        f"/begeleiding/{k}/soort",
                        f"Beschermingsbewind starts {s} for a client born {born}, who is then under 18.",
                        "Beschermingsbewind is for adults (DET §EnumBegeleidingssoort): check the soort or "
                        "the birth date.",
                    )
                    break


def check_nazorg(c: Ctx) -> None:
    """R-NAZ-01: nazorg starts after the oplossing ends."""
    t = c.t
    o = t.get("nazorg")
    v = o.get("startdatum") if type(o) is dict else None
    s = (cached_date(v) or parse_date(v)) if type(v) is str else None
    if s is None:
        return
    o = t.get("oplossing")
    v = o.get("einddatum") if type(o) is dict else None
    e = (cached_date(v) or parse_date(v)) if type(v) is str else None
    if e is not None and s < e:
        c.add(
            "R-NAZ-01",
            I,
            "/nazorg/startdatum",
            f"nazorg starts {s}, before the oplossing ends ({e}).",
            "Nazorg is support after the (schuldregelings)traject (DET §Nazorg; FAQ#11).",
        )


def check_vv(c: Ctx) -> None:
    """R-VV-01: a voorlopige voorziening with the same period as a moratorium or a begeleiding."""
    items = c.t.get("voorlopigeVoorzieningen")
    if type(items) is not list:
        return
    others: dict[tuple[date, date | None], str] = {}
    for key in ("moratoria", "begeleiding"):
        arr = c.t.get(key)
        if type(arr) is list:
            for k, item in enumerate(arr):
                s = dget(obj(item), "startdatum")
                if s is not None:
                    others.setdefault((s, dget(obj(item), "einddatum")), f"{key}[{k}]")
    if not others:
        return
    for k, item in enumerate(items):
        s = dget(obj(item), "startdatum")
        if s is None:
            continue
        where = others.get((s, dget(obj(item), "einddatum")))
        if where is not None:
            c.add(
                "R-VV-01",
                I,
                f"/voorlopigeVoorzieningen/{k}",
                f"The voorlopige voorziening has the same period as {where}; it may be counted twice.",
                "Record a temporary moratorium or budgetbeheer in one place only.",
            )
