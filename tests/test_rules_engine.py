"""Every implemented rule code: a case that triggers it (path and severity in both profiles) and the clean
document that triggers nothing."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest

from client.validation.catalogue import RULES, STANDARD_ERRORS
from client.validation.findings import Profile, Severity
from client.validation.rules import RuleEngine, check_requested_period
from tests.test_rules_fixtures import GOOD_BSN, GOOD_BSN_2, NOW, clean_traject, copy_doc, run, traject0

P = "/leveringen/0/schuldhulptrajecten/0"
P1 = "/leveringen/0/schuldhulptrajecten/1"
ORG = "/leveringen/0/aanleverende_organisatie"
E, W, I = Severity.ERROR, Severity.WARNING, Severity.INFO  # noqa: E741

Doc = dict[str, Any]


@dataclass
class Case:
    code: str
    mutate: Callable[[Doc], Doc | None]
    path: str
    listed: Severity
    envelope: bool = False
    id: str = ""


def T(doc: Doc) -> Doc:
    return traject0(doc)


def setp(path: str, value: Any) -> Callable[[Doc], None]:
    """Set a value at a slash path below traject 0 (`-` deletes)."""

    def mutate(doc: Doc) -> None:
        obj: Any = T(doc)
        parts = path.split("/")
        for part in parts[:-1]:
            obj = obj[int(part)] if isinstance(obj, list) else obj[part]
        last = parts[-1]
        if value == "-":
            del obj[last]
        elif isinstance(obj, list):
            if int(last) == len(obj):
                obj.append(value)
            else:
                obj[int(last)] = value
        else:
            obj[last] = value

    return mutate


def seq(*fns: Callable[[Doc], Any]) -> Callable[[Doc], None]:
    def mutate(doc: Doc) -> None:
        for fn in fns:
            fn(doc)

    return mutate


def root(key: str, value: Any) -> Callable[[Doc], None]:
    def mutate(doc: Doc) -> None:
        doc[key] = value

    return mutate


def org(key: str, value: Any) -> Callable[[Doc], None]:
    def mutate(doc: Doc) -> None:
        o = doc["leveringen"][0]["aanleverende_organisatie"]
        if value == "-":
            del o[key]
        else:
            o[key] = value

    return mutate


def add_traject(**changes: Any) -> Callable[[Doc], None]:
    def mutate(doc: Doc) -> None:
        t = clean_traject()
        for key, value in changes.items():
            t[key] = value
        doc["leveringen"][0]["schuldhulptrajecten"].append(t)

    return mutate


def second_levering(**org_changes: Any) -> Callable[[Doc], None]:
    def mutate(doc: Doc) -> None:
        import copy

        lev = copy.deepcopy(doc["leveringen"][0])
        lev["teller"] = 2
        lev["aanleverende_organisatie"].update(org_changes)
        lev["schuldhulptrajecten"][0]["client"][0]["Burgerservicenummer"] = GOOD_BSN_2
        doc["leveringen"].append(lev)

    return mutate


def other_client(**fields: Any) -> dict[str, Any]:
    base = {
        "Burgerservicenummer": GOOD_BSN_2,
        "Geboortedatum": "1982-03-03",
        "Geslachtsaanduiding": "Vrouw",
        "Postcode": "1234AB",
        "Huisnummer": "5",
    }
    base.update(fields)
    return base


def envelope(doc: Doc, pag: Any = None, **extra: Any) -> Doc:
    out: Doc = {"gegevens": doc}
    if pag is not None:
        out["paginering"] = pag
    out.update(extra)
    return out


PAG = {"pageSize": 100, "currentPage": 1, "totalPages": 1, "totalRecords": 1}

CASES: list[Case] = [
    # B. period
    Case("R-PERIOD-01", root("einddatumLevering", "2023-12-31"), "/einddatumLevering", E),
    Case(
        "R-PERIOD-02",
        root("aanleverdatumEnTijd", "2024-06-15T10:00:00Z"),
        "/aanleverdatumEnTijd",
        W,
        id="early",
    ),
    Case(
        "R-PERIOD-02",
        root("aanleverdatumEnTijd", "2030-01-01T00:00:00Z"),
        "/aanleverdatumEnTijd",
        W,
        id="future",
    ),
    Case("R-PERIOD-03a", setp("startdatum", "2024-07-01"), P + "/startdatum", E),
    Case(
        "R-PERIOD-03b",
        seq(setp("einddatum", "2023-12-01"), setp("uitstroom/datum", "2023-12-01")),
        P + "/einddatum",
        W,
    ),
    Case("R-PERIOD-04", setp("oplossing/einddatum", "2024-07-20"), P + "/oplossing/einddatum", W),
    Case(
        "R-PERIOD-04",
        lambda d: d["leveringen"][0].update(
            schuldhulptrajecten=[
                {
                    "gemeentecode": "GM0344",
                    "client": [{"Burgerservicenummer": GOOD_BSN, "Geboortedatum": "2025-01-01"}],
                }
            ]
        ),
        P + "/client/0/Geboortedatum",
        E,
        id="birth-date",
    ),
    Case("R-PERIOD-05", setp("nazorg/einddatum", "2024-07-05"), P + "/nazorg/einddatum", I),
    Case(
        "R-PERIOD-04",
        setp("moratoria/0/datumAanvraag", "2024-07-20"),
        P + "/moratoria/0/datumAanvraag",
        W,
        id="moratorium-request",
    ),
    Case(
        "R-PERIOD-04",
        setp("schulden/0/peildatum", "2024-07-20"),
        P + "/schulden/0/peildatum",
        W,
        id="peildatum",
    ),
    Case("R-PERIOD-07", root("einddatumLevering", "2024-05-31"), "/startdatumLevering", I),
    # C. metadata, levering, organisation
    Case("R-META-01", root("codeGegevensleverancier", "GL987654"), "/codeGegevensleverancier", W),
    Case("R-LEV-01", lambda d: d["leveringen"][0].update(teller=0), "/leveringen/0/teller", E, id="zero"),
    Case("R-LEV-01", lambda d: d["leveringen"][0].update(teller=2), "/leveringen/0/teller", W, id="order"),
    Case(
        "R-LEV-01",
        seq(second_levering(gemeentecode="GM0345"), lambda d: d["leveringen"][1].update(teller=1)),
        "/leveringen/1/teller",
        E,
        id="duplicate",
    ),
    Case("R-LEV-02", lambda d: d["leveringen"][0].update(schuldhulptrajecten=[]), "/leveringen/0", W),
    Case("R-LEV-03", second_levering(), "/leveringen/1", W),
    Case("R-ORG-01", org("(Statutaire) Naam", "-"), ORG + "/(Statutaire) Naam", E),
    Case("R-ORG-02", org("gemeentecode", "-"), ORG + "/KvK-nummer", E, id="neither"),
    Case("R-ORG-02", org("KvK-nummer", "12345678"), ORG + "/gemeentecode", W, id="both"),
    Case(
        "R-ORG-02",
        seq(org("gemeentecode", "-"), org("KvK-nummer", "12345678")),
        ORG + "/gemeentecode",
        I,
        id="looks-like-gemeente",
    ),
    Case("R-ORG-03", org("contactpersonen", "-"), ORG + "/contactpersonen", W),
    Case(
        "R-ORG-03",
        lambda d: envelope(setp_org_contacts(d)),
        "/gegevens" + ORG + "/contactpersonen",
        E,
        True,
        "api",
    ),
    Case("R-ORG-04", org("postcode", "3511 ab"), ORG + "/postcode", W),
    Case(
        "R-FMT-04", org("contactpersonen", [{"email": "Jan <jan@x.nl>"}]), ORG + "/contactpersonen/0/email", E
    ),
    # D. gemeentecode
    Case("R-GEM-01", setp("gemeentecode", ""), P + "/gemeentecode", E),
    Case("R-GEM-02", setp("gemeentecode", "Onbekend"), P + "/gemeentecode", W, id="onbekend"),
    Case("R-GEM-02", setp("gemeentecode", "onbekend"), P + "/gemeentecode", E, id="variant"),
    Case("R-GEM-03", setp("gemeentecode", "GM344"), P + "/gemeentecode", E, id="traject"),
    Case("R-GEM-03", org("gemeentecode", "344"), ORG + "/gemeentecode", E, id="organisation"),
    Case("R-GEM-04", add_traject(gemeentecode="GM0345"), P1 + "/gemeentecode", E),
    Case("R-GEM-04", add_traject(gemeentecode="Onbekend"), P1 + "/gemeentecode", W, id="onbekend-mix"),
    Case("R-GEM-05", setp("gemeentecode", "GM0345"), P + "/gemeentecode", W),
    Case("R-GEM-06", setp("gemeentecode", "0344"), P + "/gemeentecode", W),
    # E. clients
    Case("R-CLIENT-01", setp("client", "-"), P + "/client", E, id="missing"),
    Case(
        "R-CLIENT-01",
        setp("client", [other_client(), other_client(), other_client()]),
        P + "/client",
        E,
        id="three",
    ),
    Case(
        "R-CLIENT-02",
        setp("client/1", other_client(Burgerservicenummer=GOOD_BSN)),
        P + "/client/1/Burgerservicenummer",
        E,
    ),
    Case("R-ID-01", setp("client/0", {}), P + "/client/0", E, id="nothing"),
    Case(
        "R-ID-01",
        setp("client/0", {"Geboortedatum": "1980-05-01", "Geslachtsaanduiding": "Leeg"}),
        P + "/client/0",
        W,
        id="incomplete",
    ),
    Case(
        "R-ID-BSN-01",
        setp("client/0/Burgerservicenummer", "12345678"),
        P + "/client/0/Burgerservicenummer",
        E,
    ),
    Case(
        "R-ID-BSN-02",
        setp("client/0/Burgerservicenummer", "123456789"),
        P + "/client/0/Burgerservicenummer",
        E,
    ),
    Case(
        "R-ID-BSN-03",
        setp("client/0/Burgerservicenummer", "000000000"),
        P + "/client/0/Burgerservicenummer",
        E,
    ),
    Case(
        "R-CLIENT-GESL-01", setp("client/0/Geslachtsaanduiding", "M"), P + "/client/0/Geslachtsaanduiding", E
    ),
    Case("R-CLIENT-GEB-01", setp("client/0/Geboortedatum", "01-05-1980"), P + "/client/0/Geboortedatum", E),
    Case(
        "R-CLIENT-GEB-01",
        setp("client/0/Geboortedatum", "1980-00-00"),
        P + "/client/0/Geboortedatum",
        W,
        id="brp",
    ),
    Case("R-CLIENT-GEB-02", setp("client/0/Geboortedatum", "2024-02-01"), P + "/client/0/Geboortedatum", E),
    Case(
        "R-CLIENT-GEB-02",
        setp("client/0/Geboortedatum", "2010-01-01"),
        P + "/client/0/Geboortedatum",
        W,
        id="age",
    ),
    Case("R-CLIENT-ADR-01", setp("client/0/Postcode", "3511 ab"), P + "/client/0/Postcode", W),
    Case("R-CLIENT-ADR-02", setp("client/0/Huisnummer", "10a"), P + "/client/0/Huisnummer", W),
    Case(
        "R-CLIENT-ADR-02",
        setp("client/0/Huisnummertoevoeging", "ABCDE"),
        P + "/client/0/Huisnummertoevoeging",
        W,
        id="toevoeging",
    ),
    Case("R-CLIENT-OVL-01", add_traject(omschrijving="Ander"), P1 + "/client/0/Burgerservicenummer", W),
    Case(
        "R-CLIENT-OVL-02",
        add_traject(client=[other_client(Postcode="3511AB", Huisnummer="10")]),
        P1 + "/client",
        I,
    ),
    # F. traject fields
    Case("R-TRAJ-01", setp("startdatum", "-"), P + "/startdatum", W),
    Case("R-TRAJ-02", setp("startdatum", "2024-06-25"), P + "/einddatum", E),
    Case(
        "R-TRAJ-03",
        lambda d: d["leveringen"][0].update(
            schuldhulptrajecten=[{"gemeentecode": "GM0344", "client": [{"Burgerservicenummer": GOOD_BSN}]}]
        ),
        P,
        W,
    ),
    Case("R-TRAJ-04", setp("omschrijving", f"klant {GOOD_BSN} te Utrecht"), P + "/omschrijving", I),
    Case(
        "R-TRAJ-05",
        setp("totaalSchuldbedragBijAanvangSchuld", "-"),
        P + "/totaalSchuldbedragBijAanvangSchuld",
        W,
    ),
    Case(
        "R-TRAJ-05",
        setp("totaalSchuldbedragBijAanvangSchuld", 100000),
        P + "/totaalSchuldbedragBijAanvangSchuld",
        I,
        id="sum",
    ),
    # G. dates
    Case("R-DATE-PHASE-01", setp("stabilisatie/einddatum", "2024-02-01"), P + "/stabilisatie/einddatum", E),
    Case("R-DATE-PHASE-02", setp("stabilisatie/startdatum", "-"), P + "/stabilisatie/einddatum", W),
    Case("R-DATE-PHASE-03", setp("planVanAanpak", {}), P + "/planVanAanpak", W),
    Case("R-DATE-ORDER-01", setp("stabilisatie/startdatum", "2024-01-14"), P + "/stabilisatie/startdatum", W),
    Case(
        "R-DATE-ORDER-02",
        seq(setp("intake/einddatum", "2024-02-10"), setp("intake/beschikkingsdatum", "2024-02-10")),
        P + "/stabilisatie/startdatum",
        I,
    ),
    Case(
        "R-DATE-ORDER-03",
        setp("crisisinterventies/0/startdatum", "2024-01-05"),
        P + "/crisisinterventies/0/startdatum",
        W,
    ),
    Case(
        "R-DATE-TRAJ-01", setp("begeleiding/0/startdatum", "2024-01-05"), P + "/begeleiding/0/startdatum", W
    ),
    Case(
        "R-DATE-TRAJ-01",
        setp("aanmelding/startdatum", "2024-01-08"),
        P + "/aanmelding/startdatum",
        I,
        id="aanmelding",
    ),
    Case("R-DATE-TRAJ-01", setp("nazorg/einddatum", "2024-06-25"), P + "/nazorg/einddatum", I, id="nazorg"),
    Case("R-DATE-TRAJ-02", setp("stabilisatie/einddatum", "-"), P + "/stabilisatie/einddatum", W),
    Case(
        "R-DATE-TRAJ-02",
        setp("begeleiding/0/einddatum", "-"),
        P + "/begeleiding/0/einddatum",
        I,
        id="begeleiding",
    ),
    Case(
        "R-DATE-PVA-01",
        setp("planVanAanpak/datumAfronding", "2024-01-14"),
        P + "/planVanAanpak/datumAfronding",
        W,
    ),
    # H. intake
    Case("R-INT-01", setp("intake/einddatum", "2024-02-02"), P + "/intake/einddatum", W),
    Case("R-INT-02", setp("intake/beschikkingssoort", "-"), P + "/intake/beschikkingssoort", W),
    Case("R-INT-03", setp("intake/beschikkingsdatum", "2024-01-14"), P + "/intake/beschikkingsdatum", E),
    Case(
        "R-INT-04",
        setp("intake/beschikkingssoort", "Beeindigingsbeschikking"),
        P + "/intake/beschikkingssoort",
        E,
    ),
    Case("R-INT-05", setp("intake/beschikkingssoort", "Afwijzingsbeschikking"), P + "/stabilisatie", W),
    # I. schuldregeling
    Case(
        "R-SR-01",
        seq(setp("schuldregeling/dwangakkoord", True), setp("schuldregeling/toegekend", "-")),
        P + "/schuldregeling/dwangakkoord",
        E,
    ),
    Case("R-SR-02", setp("toekenningsdatum", "2024-03-21"), P + "/toekenningsdatum", E),
    Case("R-SR-02", setp("toekenningsdatum", "-"), P + "/toekenningsdatum", W, id="one-missing"),
    Case("R-SR-03", setp("schuldregeling/afgewezen", "2024-03-22"), P + "/schuldregeling/afgewezen", W),
    Case("R-SR-04", setp("schuldregeling/toegekend", "2024-03-01"), P + "/schuldregeling/toegekend", E),
    Case(
        "R-SR-05",
        setp("schuldregeling/dwangakkoord", True),
        P + "/schuldregeling/datumVerzoekDwangakkoord",
        W,
    ),
    Case(
        "R-SR-05",
        setp("schuldregeling/datumVerzoekDwangakkoord", "2024-03-10"),
        P + "/schuldregeling/dwangakkoord",
        I,
        id="requested-only",
    ),
    Case(
        "R-SR-06",
        seq(setp("toekenningsdatum", "2024-03-01"), setp("schuldregeling/toegekend", "2024-03-01")),
        P + "/toekenningsdatum",
        W,
    ),
    Case(
        "R-SR-07", seq(setp("schuldregeling", "-"), setp("toekenningsdatum", "-")), P + "/schuldregeling", W
    ),
    Case(
        "R-SR-08",
        seq(
            setp("schuldregeling", {"datum": "2024-03-05", "afgewezen": "2024-03-20"}),
            setp("toekenningsdatum", "-"),
        ),
        P + "/oplossing/soort",
        W,
    ),
    # J. oplossing
    Case("R-OPL-01", setp("oplossing/startdatum", "2022-09-01"), P + "/oplossing/einddatum", W),
    Case("R-OPL-02", setp("oplossing/vtlb", 120000), P + "/oplossing/vtlb", W),
    Case("R-OPL-03", setp("oplossing/soort", "SA"), P + "/oplossing/soort", I),
    # K. uitstroom
    Case("R-END-01", setp("uitstroom/datum", "2024-06-21"), P + "/uitstroom/datum", E),
    Case(
        "R-END-02",
        setp("uitstroom/datumBeeindigingsbeschikking", "-"),
        P + "/uitstroom/datumBeeindigingsbeschikking",
        W,
    ),
    Case("R-END-03", setp("uitstroom", "-"), P + "/uitstroom", W),
    Case(
        "R-END-03",
        seq(setp("einddatum", "-"), setp("uitstroom", {"reden": "Afgerond"})),
        P + "/einddatum",
        W,
        id="reden-without-date",
    ),
    Case("R-END-04", setp("uitstroom/reden", "-"), P + "/uitstroom/reden", W),
    Case("R-END-04", setp("uitstroom/reden", "Niet verschenen"), P + "/uitstroom/reden", W, id="spelling"),
    # L. crisis, moratorium, begeleiding, nazorg, vv
    Case(
        "R-CRI-01",
        seq(setp("aanmelding/crisisinterventie", True), setp("crisisinterventies", "-")),
        P + "/aanmelding/crisisinterventie",
        W,
    ),
    Case(
        "R-CRI-02",
        setp("crisisinterventies/0/startdatum", "2024-01-11"),
        P + "/crisisinterventies/0/startdatum",
        I,
    ),
    Case(
        "R-MOR-01", setp("moratoria/0/datumGoedkeuring", "2024-03-05"), P + "/moratoria/0/datumGoedkeuring", E
    ),
    Case(
        "R-MOR-01", setp("moratoria/0/startdatum", "2024-03-07"), P + "/moratoria/0/startdatum", W, id="start"
    ),
    Case("R-MOR-02", setp("moratoria/0/einddatum", "2024-09-09"), P + "/moratoria/0/einddatum", W),
    Case("R-MOR-03", seq(setp("schuldregeling", "-"), setp("toekenningsdatum", "-")), P + "/moratoria/0", I),
    Case(
        "R-BEG-01",
        lambda d: T(d)["begeleiding"].append(dict(T(d)["begeleiding"][0])),
        P + "/begeleiding/1",
        W,
        id="duplicate",
    ),
    Case(
        "R-BEG-01",
        lambda d: T(d)["begeleiding"].append(
            {"startdatum": "2024-03-01", "einddatum": "2024-04-01", "soort": "Budgetbeheer"}
        ),
        P + "/begeleiding/1",
        I,
        id="overlap",
    ),
    Case(
        "R-BEG-02",
        seq(setp("begeleiding/0/soort", "Beschermingsbewind"), setp("client/0/Geboortedatum", "2007-01-01")),
        P + "/begeleiding/0/soort",
        W,
    ),
    Case("R-NAZ-01", setp("nazorg/startdatum", "2024-06-19"), P + "/nazorg/startdatum", I),
    Case(
        "R-VV-01",
        setp("voorlopigeVoorzieningen/0", {"startdatum": "2024-03-08", "einddatum": "2024-03-30"}),
        P + "/voorlopigeVoorzieningen/0",
        I,
    ),
    # M. schulden
    Case("R-SCH-01", setp("schulden/0/schuldeiser/Naam", "Bank NV"), P + "/schulden/0/schuldeiser/Naam", E),
    Case(
        "R-SCH-01", setp("schulden/0/schuldeiser/Naam", "-"), P + "/schulden/0/schuldeiser/Naam", W, id="one"
    ),
    Case("R-SCH-02", setp("schulden/0/peildatum", "2024-01-05"), P + "/schulden/0/peildatum", W),
    Case("R-SCH-03", setp("schulden/0/schuldsoort", "-"), P + "/schulden/0", W),
    Case(
        "R-SCH-04",
        setp("schulden/0/schuldeiser/kvknummer", "123"),
        P + "/schulden/0/schuldeiser/kvknummer",
        W,
    ),
    Case(
        "R-SCH-04",
        setp("schulden/0/schuldeiser/privepersoon", True),
        P + "/schulden/0/schuldeiser/privepersoon",
        W,
        id="prive",
    ),
    Case(
        "R-SCH-05",
        setp("schulden/0/schuldeiser/postcode", "3511 ab"),
        P + "/schulden/0/schuldeiser/postcode",
        W,
    ),
    Case(
        "R-SCH-05",
        setp("schulden/0/schuldeiser/postcode", "10115"),
        P + "/schulden/0/schuldeiser/postcode",
        I,
        id="foreign",
    ),
    # N. amounts
    Case(
        "R-AMT-01",
        setp("totaalSchuldbedragBijAanvangSchuld", 5000.0),
        P + "/totaalSchuldbedragBijAanvangSchuld",
        I,
    ),
    Case("R-AMT-02", setp("schulden/0/bedrag", -5), P + "/schulden/0/bedrag", E),
    Case("R-AMT-03", setp("schulden/0/bedrag", 0), P + "/schulden/0/bedrag", W),
    Case(
        "R-AMT-03",
        setp("totaalSchuldbedragBijAanvangSchuld", 20_000_000),
        P + "/totaalSchuldbedragBijAanvangSchuld",
        W,
        id="large",
    ),
    # duplicates within a file
    Case("R-DUP-01", lambda d: d["leveringen"][0]["schuldhulptrajecten"].append(clean_traject()), P1, W),
    # O. API mode
    Case("R-API-01", lambda d: envelope(d, dict(PAG, pageSize=30000)), "/paginering/pageSize", E, True),
    Case(
        "R-API-02",
        lambda d: envelope(d, {k: v for k, v in PAG.items() if k != "totalRecords"}),
        "/paginering/totalRecords",
        E,
        True,
    ),
    Case(
        "R-API-02",
        lambda d: envelope(d, dict(PAG, currentPage=2)),
        "/paginering/currentPage",
        W,
        True,
        "page-order",
    ),
    Case("R-API-03", lambda d: {"data": d}, "/gegevens", E, True),
    Case("R-API-03", lambda d: envelope(d, PAG, extra=1), "/extra", E, True, "extra-key"),
]


def setp_org_contacts(doc: Doc) -> Doc:
    del doc["leveringen"][0]["aanleverende_organisatie"]["contactpersonen"]
    return doc


def _expected(code: str, listed: Severity, profile: Profile) -> Severity:
    if profile is Profile.STRICT or code in STANDARD_ERRORS or listed is not Severity.ERROR:
        return listed
    return Severity.WARNING


@pytest.mark.parametrize("profile", list(Profile), ids=lambda p: p.value)
@pytest.mark.parametrize("case", CASES, ids=lambda c: c.code + (f"-{c.id}" if c.id else ""))
def test_rule_triggers(case: Case, profile: Profile) -> None:
    doc = copy_doc()
    result = case.mutate(doc)
    if result is not None:
        doc = result
    found = run(doc, profile, envelope=case.envelope)
    hits = [f for f in found if f.code == case.code and f.path == case.path]
    assert hits, f"{case.code} not at {case.path}; got {[(f.code, f.path) for f in found]}"
    want = _expected(case.code, case.listed, profile)
    assert want in {f.severity for f in hits}, [(f.severity, f.message) for f in hits]
    for f in hits:
        assert f.message and f.hint


def test_requested_period_r_api_04() -> None:
    doc = copy_doc()
    assert check_requested_period(doc, "2024-01-01", "2024-06-30") == []
    found = check_requested_period(doc, "2024-01-01", "2024-12-31")
    assert [(f.code, f.path, f.severity) for f in found] == [("R-API-04", "/gegevens/einddatumLevering", W)]
    engine = RuleEngine(Profile.STRICT, envelope=False, now=NOW)
    found = engine.check_requested_period(doc, None, "2024-12-31")
    assert [(f.code, f.path) for f in found] == [("R-API-04", "/einddatumLevering")]


IMPLEMENTED = sorted({c.code for c in CASES} | {"R-API-04"})


def test_every_rules_code_has_a_trigger_case() -> None:
    engine_codes = {code for code, rule in RULES.items() if rule.checked_by == "rules"}
    assert engine_codes == set(IMPLEMENTED)


@pytest.mark.parametrize("profile", list(Profile), ids=lambda p: p.value)
def test_clean_document_triggers_nothing(profile: Profile) -> None:
    assert run(copy_doc(), profile) == []
    assert run(envelope(copy_doc(), PAG), profile, envelope=True) == []
    assert run(envelope(copy_doc()), profile, envelope=True) == []
