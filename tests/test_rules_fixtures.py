"""A clean document (zero rule findings in both profiles) and helpers for the rules tests."""

from __future__ import annotations

import copy
from datetime import UTC, datetime
from typing import Any

from client.validation.findings import Finding, Profile
from client.validation.rules import RuleEngine

NOW = datetime(2024, 8, 1, tzinfo=UTC)
GOOD_BSN = "123456782"  # passes the 11-check
GOOD_BSN_2 = "111222333"  # passes the 11-check


def clean_traject() -> dict[str, Any]:
    return {
        "startdatum": "2024-01-10",
        "einddatum": "2024-06-20",
        "toekenningsdatum": "2024-03-20",
        "totaalSchuldbedragBijAanvangSchuld": 5000,
        "gemeentecode": "GM0344",
        "omschrijving": "Traject",
        "aanmelding": {"startdatum": "2024-01-10", "einddatum": "2024-01-12", "crisisinterventie": False},
        "informatieEnAdvies": {"startdatum": "2024-01-10", "einddatum": "2024-01-11"},
        "intake": {
            "startdatum": "2024-01-15",
            "einddatum": "2024-02-01",
            "beschikkingsdatum": "2024-02-01",
            "beschikkingssoort": "Toelatingsbeschikking",
        },
        "planVanAanpak": {"datumAfronding": "2024-02-05"},
        "stabilisatie": {"startdatum": "2024-02-05", "einddatum": "2024-03-01"},
        "schuldregeling": {"datum": "2024-03-05", "toegekend": "2024-03-20"},
        "oplossing": {
            "startdatum": "2024-03-25",
            "einddatum": "2024-06-20",
            "soort": "Schuldbemiddeling",
            "vtlb": 1200,
        },
        "nazorg": {"startdatum": "2024-06-20", "einddatum": "2024-06-20"},
        "begeleiding": [{"startdatum": "2024-02-01", "einddatum": "2024-06-20", "soort": "Budgetbeheer"}],
        "crisisinterventies": [{"startdatum": "2024-02-10", "einddatum": "2024-02-12"}],
        "moratoria": [
            {
                "datumAanvraag": "2024-03-06",
                "datumGoedkeuring": "2024-03-08",
                "startdatum": "2024-03-08",
                "einddatum": "2024-03-30",
            }
        ],
        "voorlopigeVoorzieningen": [{"startdatum": "2024-03-01", "einddatum": "2024-03-05"}],
        "schulden": [
            {
                "bedrag": 5000,
                "peildatum": "2024-01-20",
                "schuldsoort": "Overig",
                "zakelijkeSchuld": False,
                "schuldeiser": {
                    "naam": "Bank BV",
                    "Naam": "Bank BV",
                    "kvknummer": "12345678",
                    "postcode": "3511AB",
                },
            }
        ],
        "uitstroom": {
            "datum": "2024-06-20",
            "datumBeeindigingsbeschikking": "2024-06-20",
            "reden": "Afgerond",
        },
        "client": [
            {
                "Burgerservicenummer": GOOD_BSN,
                "Geboortedatum": "1980-05-01",
                "Geslachtsaanduiding": "Man",
                "Postcode": "3511AB",
                "Huisnummer": "10",
            }
        ],
    }


def clean_levering(teller: int = 1) -> dict[str, Any]:
    return {
        "teller": teller,
        "aanleverende_organisatie": {
            "(Statutaire) Naam": "Gemeente Utrecht",
            "gemeentecode": "GM0344",
            "postcode": "3511AB",
            "contactpersonen": [{"email": "shv@utrecht.example.nl", "naam": "A. Jansen"}],
        },
        "schuldhulptrajecten": [clean_traject()],
    }


def clean_document() -> dict[str, Any]:
    return {
        "startdatumLevering": "2024-01-01",
        "einddatumLevering": "2024-06-30",
        "aanleverdatumEnTijd": "2024-07-15T10:00:00Z",
        "codeGegevensleverancier": "Acme Schuldhulp 4.2",
        "leveringen": [clean_levering()],
    }


def run(doc: Any, profile: Profile = Profile.STANDARD, *, envelope: bool = False) -> list[Finding]:
    engine = RuleEngine(profile, envelope=envelope, now=NOW)
    engine.raise_internal = True
    out = engine.run(doc)
    assert engine.internal_errors == 0, "a rule check raised"
    return out


def traject0(doc: dict[str, Any]) -> dict[str, Any]:
    result: dict[str, Any] = doc["leveringen"][0]["schuldhulptrajecten"][0]
    return result


def copy_doc() -> dict[str, Any]:
    return copy.deepcopy(clean_document())
