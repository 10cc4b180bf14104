"""The pydantic models: exact round trip of the official examples, and the schema's constraints."""

from __future__ import annotations

import copy
import json
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pytest
from pydantic import ValidationError

from client.model import (
    Bericht,
    Client,
    Oplossingssoort,
    Paginering,
    Schuldeiser,
    Uitwisselmodel,
    dump_document,
    parse_bericht,
    parse_document,
    to_wire,
)

MINIMAL: dict[str, Any] = {
    "startdatumLevering": "2025-01-01",
    "einddatumLevering": "2025-06-30",
    "aanleverdatumEnTijd": "2025-07-01T00:00:00Z",
    "codeGegevensleverancier": "Acme SHV 1.2.3",
    "leveringen": [
        {
            "teller": 1,
            "aanleverende_organisatie": {
                "(Statutaire) Naam": "Gemeente Utrecht",
                "gemeentecode": "GM0344",
                "contactpersonen": [{"email": "a.b@utrecht.nl", "naam": "A. B."}],
            },
            "schuldhulptrajecten": [
                {
                    "gemeentecode": "GM0344",
                    "startdatum": "2025-02-03",
                    "client": [{"Burgerservicenummer": "123456782", "Geslachtsaanduiding": "Vrouw"}],
                    "schulden": [{"bedrag": 1200, "schuldeiser": {"naam": "CJIB", "Naam": "CJIB"}}],
                }
            ],
        }
    ],
}


def _doc() -> dict[str, Any]:
    return copy.deepcopy(MINIMAL)


def _traject(doc: dict[str, Any]) -> dict[str, Any]:
    t: dict[str, Any] = doc["leveringen"][0]["schuldhulptrajecten"][0]
    return t


@pytest.mark.shared
def test_official_examples_round_trip_exactly(official_examples: list[Path]) -> None:
    assert len(official_examples) >= 5
    for path in official_examples:
        raw = path.read_bytes()
        assert json.loads(dump_document(parse_document(raw))) == json.loads(raw), path.name


@pytest.mark.shared
def test_official_examples_round_trip_in_an_envelope(official_examples: list[Path]) -> None:
    for path in official_examples:
        body = {"gegevens": json.loads(path.read_bytes())}
        assert json.loads(dump_document(parse_bericht(body))) == body


def test_minimal_round_trip_and_python_names() -> None:
    model = parse_document(json.dumps(MINIMAL).encode())
    assert json.loads(dump_document(model)) == MINIMAL
    levering = model.leveringen[0]
    assert levering.aanleverende_organisatie.statutaire_naam == "Gemeente Utrecht"
    traject = (levering.schuldhulptrajecten or [])[0]
    assert traject.startdatum == date(2025, 2, 3)
    assert (traject.client or [])[0].burgerservicenummer == "123456782"
    schuldeiser = (traject.schulden or [])[0].schuldeiser
    assert schuldeiser is not None
    assert (schuldeiser.naam, schuldeiser.naam_subject) == ("CJIB", "CJIB")


def test_populate_by_name_and_dump_by_alias() -> None:
    eiser = Schuldeiser(naam="Belastingdienst", naam_subject="Belastingdienst", privepersoon=False)
    assert to_wire(eiser) == {"naam": "Belastingdienst", "Naam": "Belastingdienst", "privepersoon": False}
    client = Client(burgerservicenummer="123456782")
    assert to_wire(client) == {"Burgerservicenummer": "123456782"}


def test_datetime_keeps_its_text() -> None:
    for text in ("2025-07-01T00:00:00Z", "2025-07-01T02:00:00+02:00", "2025-07-01T00:00:00.000Z"):
        doc = _doc()
        doc["aanleverdatumEnTijd"] = text
        model = parse_document(doc)
        assert to_wire(model)["aanleverdatumEnTijd"] == text
        assert model.aanleverdatum_en_tijd == datetime(2025, 7, 1, tzinfo=UTC)
    built = Uitwisselmodel.model_validate({**_doc(), "aanleverdatumEnTijd": datetime(2025, 7, 1, tzinfo=UTC)})
    assert to_wire(built)["aanleverdatumEnTijd"] == "2025-07-01T00:00:00Z"


@pytest.mark.parametrize(
    "value", ["2025-07-01T00:00:00", "2025-07-01", "2025-07-01 00:00:00Z", "1751328000", 1751328000]
)
def test_datetime_needs_rfc3339_with_zone(value: object) -> None:
    doc = _doc()
    doc["aanleverdatumEnTijd"] = value
    with pytest.raises(ValidationError):
        parse_document(doc)


@pytest.mark.parametrize("value", ["2025-02-30", "20250203", "2025-2-3", "2025-02-03T00:00:00Z", 20250203])
def test_dates_are_real_yyyy_mm_dd(value: object) -> None:
    doc = _doc()
    _traject(doc)["startdatum"] = value
    with pytest.raises(ValidationError) as info:
        parse_document(doc)
    assert info.value.errors()[0]["loc"] == ("leveringen", 0, "schuldhulptrajecten", 0, "startdatum")


@pytest.mark.parametrize(
    ("where", "key"),
    [
        ("root", "startdatumLevering"),
        ("traject", "einddatum"),
        ("client", "Postcode"),
        ("oplossing", "soort"),
    ],
)
def test_null_is_rejected_for_known_keys(where: str, key: str) -> None:
    doc = _doc()
    target = {
        "root": doc,
        "traject": _traject(doc),
        "client": _traject(doc)["client"][0],
        "oplossing": _traject(doc).setdefault("oplossing", {}),
    }[where]
    target[key] = None
    with pytest.raises(ValidationError, match="null is not allowed"):
        parse_document(doc)


@pytest.mark.parametrize("where", ["root", "levering", "traject"])
def test_unknown_keys_forbidden_where_the_schema_closes_objects(where: str) -> None:
    doc = _doc()
    target = {"root": doc, "levering": doc["leveringen"][0], "traject": _traject(doc)}[where]
    target["onbekend"] = 1
    with pytest.raises(ValidationError, match="Extra inputs are not permitted"):
        parse_document(doc)


def test_unknown_keys_kept_in_open_objects() -> None:
    doc = _doc()
    _traject(doc)["client"][0]["burgerservicenummer"] = "123456782"
    _traject(doc)["client"][0]["leefsituatie"] = [{"x": None}]
    doc["leveringen"][0]["aanleverende_organisatie"]["website"] = "https://example.org"
    _traject(doc)["uitstroom"] = {"reden": "Afgerond", "toelichting": None}
    model = parse_document(doc)
    assert json.loads(dump_document(model)) == doc
    client = ((model.leveringen[0].schuldhulptrajecten or [])[0].client or [])[0]
    assert client.model_extra == {"burgerservicenummer": "123456782", "leefsituatie": [{"x": None}]}


@pytest.mark.parametrize(
    ("mutate", "fragment"),
    [
        (lambda d: d.update(leveringen=[]), "at least 1"),
        (lambda d: _traject(d).update(client=[]), "at least 1"),
        (lambda d: _traject(d).update(client=[{}, {}, {}]), "at most 2"),
        (lambda d: d["leveringen"][0]["aanleverende_organisatie"].update(contactpersonen=[]), "at least 1"),
        (lambda d: _traject(d).pop("gemeentecode"), "Field required"),
        (lambda d: d["leveringen"][0].pop("teller"), "Field required"),
        (lambda d: d.pop("codeGegevensleverancier"), "Field required"),
        (lambda d: _traject(d).update(oplossing={"soort": "Wsnp"}), "0%-aanbod"),
        (lambda d: _traject(d).update(intake={"beschikkingssoort": "Beeindigingsbeschikking"}), "Toelating"),
        (lambda d: _traject(d).update(totaalSchuldbedragBijAanvangSchuld="100"), "whole number"),
        (lambda d: _traject(d).update(totaalSchuldbedragBijAanvangSchuld=10.5), "whole euros"),
        (lambda d: _traject(d).update(aanmelding={"crisisinterventie": "true"}), "boolean"),
        (lambda d: _traject(d)["client"][0].update(Huisnummer=12), "string"),
        (lambda d: d["leveringen"][0].update(teller="1"), "whole number"),
        (
            lambda d: d["leveringen"][0]["aanleverende_organisatie"]["contactpersonen"][0].update(email="x"),
            "e-mail",
        ),
    ],
)
def test_schema_constraints(mutate: Any, fragment: str) -> None:
    doc = _doc()
    mutate(doc)
    with pytest.raises(ValidationError, match=fragment.replace("(", r"\(")):
        parse_document(doc)


def test_integral_float_amount_accepted_like_json_schema() -> None:
    doc = _doc()
    _traject(doc)["totaalSchuldbedragBijAanvangSchuld"] = 10000.0
    model = parse_document(doc)
    assert (model.leveringen[0].schuldhulptrajecten or [])[0].totaal_schuldbedrag_bij_aanvang_schuld == 10000


def test_email_kept_as_written() -> None:
    doc = _doc()
    doc["leveringen"][0]["aanleverende_organisatie"]["contactpersonen"][0]["email"] = "Jan.Jansen@Utrecht.NL"
    assert json.loads(dump_document(parse_document(doc))) == doc


def test_enum_values() -> None:
    assert [s.value for s in Oplossingssoort] == [
        "Betalingsregeling",
        "Herfinanciering",
        "Saneringskrediet",
        "Schuldbemiddeling",
        "0%-aanbod",
    ]


def test_bericht_and_paginering() -> None:
    body = {
        "gegevens": _doc(),
        "paginering": {"pageSize": 25000, "currentPage": 1, "totalPages": 2, "totalRecords": 30000},
    }
    bericht = parse_bericht(json.dumps(body))
    assert isinstance(bericht, Bericht)
    assert bericht.paginering == Paginering(pageSize=25000, currentPage=1, totalPages=2, totalRecords=30000)
    assert json.loads(dump_document(bericht)) == body
    assert "paginering" not in to_wire(Bericht(gegevens=parse_document(_doc())))
    with pytest.raises(ValidationError):
        parse_bericht({"gegevens": _doc(), "paginering": {"pageSize": 0, "currentPage": 1, "totalPages": 1}})


def test_copy_and_pickle_keep_the_wire_form() -> None:
    import pickle

    doc = _doc()
    doc["aanleverdatumEnTijd"] = "2025-07-01T02:00:00+02:00"
    model = parse_document(doc)
    for other in (model.model_copy(deep=True), pickle.loads(pickle.dumps(model))):
        assert other == model
        assert to_wire(other)["aanleverdatumEnTijd"] in ("2025-07-01T02:00:00+02:00",)
