"""Builders of small exports for the planning tests (cheap dicts, no generator needed)."""

from __future__ import annotations

from typing import Any

import orjson

from client.validation.rules.clients import bsn_check_digit, elfproef

CONTACT = [
    {
        "email": "shv@example.nl",
        "naam": "A. Beheer",
        "functietitel": "Coordinator",
        "telefoonnummer": "0301234567",
    }
]


def gemeente_org(code: str = "GM0344", naam: str = "Gemeente Utrecht") -> dict[str, Any]:
    return {"(Statutaire) Naam": naam, "gemeentecode": code, "postcode": "3511AA", "contactpersonen": CONTACT}


def derde_org(kvk: str = "12345678", naam: str = "Kredietbank Midden") -> dict[str, Any]:
    return {"(Statutaire) Naam": naam, "KvK-nummer": kvk, "postcode": "3511AB", "contactpersonen": CONTACT}


def bsn(i: int) -> str:
    """A nine-digit BSN that passes the 11-check (the planner does not care, the validator warns)."""
    base = f"{10000000 + i * 13:08d}"
    last = bsn_check_digit(base)
    return bsn(i + 100_000) if last is None else base + str(last)


def traject(
    i: int = 0,
    *,
    gm: str = "GM0344",
    start: str | None = "2026-02-01",
    end: str | None = None,
    bsns: list[str] | None = None,
    **extra: Any,
) -> dict[str, Any]:
    t: dict[str, Any] = {}
    if end is not None:
        t["einddatum"] = end
    t["omschrijving"] = f"Traject {i}"
    if start is not None:
        t["startdatum"] = start
    t["gemeentecode"] = gm
    t["client"] = [
        {"Burgerservicenummer": b, "Geboortedatum": "1980-01-01", "Geslachtsaanduiding": "Vrouw"}
        for b in (bsns or [bsn(i)])
    ]
    t.update(extra)
    return t


def export(
    leveringen: list[tuple[dict[str, Any], list[dict[str, Any]]]],
    *,
    start: str = "2024-01-01",
    end: str = "2026-12-31",
) -> dict[str, Any]:
    return {
        "startdatumLevering": start,
        "einddatumLevering": end,
        "aanleverdatumEnTijd": "2027-01-02T08:00:00Z",
        "codeGegevensleverancier": "Test 1.0",
        "leveringen": [
            {"teller": n + 1, "aanleverende_organisatie": org, "schuldhulptrajecten": ts}
            for n, (org, ts) in enumerate(leveringen)
        ],
    }


def raw(doc: dict[str, Any]) -> bytes:
    return orjson.dumps(doc)


def test_bsn_helper_passes_elfproef() -> None:
    for i in range(50):
        b = bsn(i)
        assert len(b) == 9
        assert elfproef(b)
