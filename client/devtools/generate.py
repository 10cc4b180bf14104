"""Synthetic, realistic Uitwisselmodel v1.0 exports for tests, demos and benchmarks.

Why it is built this way:
- Deterministic: one `random.Random(seed)` stream drives everything, the delivery timestamp is derived
  from the period (the day after `--to`, 00:00:00Z), never from the wall clock; same seed, same bytes.
- Plain dicts, not models, and `write_export` streams traject by traject with orjson, so a million
  trajecten (about 2 GB) are written in bounded memory.
- Clean by construction: without `--defects` the output obeys the rules of RULES.md A–N (BSNs pass the
  11-check and are unique, real CBS gemeentecodes `GM`+4 digits, phases in order, end dates agree, ...).
  Defects are injected afterwards from a separate random stream, so a file with a defect differs from
  the clean file of the same seed only where the defect was put.
"""

from __future__ import annotations

import os
import random
import re
import sys
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from typing import IO, Any

import orjson

from client import __version__
from client.validation.rules.clients import bsn_check_digit

__all__ = [
    "DEFECTS",
    "GEMEENTEN",
    "VARIANTS",
    "DefectSpec",
    "ExportStats",
    "Gemeente",
    "GenerateError",
    "check_share",
    "generate_export",
    "iter_export_chunks",
    "write_export",
]

VARIANTS = ("gemeente", "derde", "meerdere")
DEFAULT_VENDOR = "DDAS Generator"


class GenerateError(ValueError):
    """Bad generator options (the CLI turns this into exit code 2)."""


# --------------------------------------------------------------------------- reference data


@dataclass(frozen=True, slots=True)
class Gemeente:
    """A CBS municipality: code `GM` + 4 digits, name, web domain, postcode range, rough size."""

    code: str
    naam: str
    domein: str
    pc_lo: int
    pc_hi: int
    weight: int  # inhabitants in thousands, for spreading trajecten realistically


# Real CBS gemeentecodes (CBS "Gebieden in Nederland"); postcode ranges approximate.
GEMEENTEN: tuple[Gemeente, ...] = (
    Gemeente("GM0363", "Amsterdam", "amsterdam.nl", 1011, 1109, 930),
    Gemeente("GM0599", "Rotterdam", "rotterdam.nl", 3011, 3089, 670),
    Gemeente("GM0518", "'s-Gravenhage", "denhaag.nl", 2491, 2597, 560),
    Gemeente("GM0344", "Utrecht", "utrecht.nl", 3511, 3585, 370),
    Gemeente("GM0772", "Eindhoven", "eindhoven.nl", 5611, 5658, 240),
    Gemeente("GM0014", "Groningen", "groningen.nl", 9711, 9747, 240),
    Gemeente("GM0855", "Tilburg", "tilburg.nl", 5011, 5049, 230),
    Gemeente("GM0034", "Almere", "almere.nl", 1311, 1363, 220),
    Gemeente("GM0758", "Breda", "breda.nl", 4811, 4839, 185),
    Gemeente("GM0268", "Nijmegen", "nijmegen.nl", 6511, 6546, 180),
    Gemeente("GM0202", "Arnhem", "arnhem.nl", 6811, 6846, 165),
    Gemeente("GM0392", "Haarlem", "haarlem.nl", 2011, 2037, 165),
    Gemeente("GM0394", "Haarlemmermeer", "haarlemmermeer.nl", 2131, 2159, 160),
    Gemeente("GM0153", "Enschede", "enschede.nl", 7511, 7548, 160),
    Gemeente("GM0200", "Apeldoorn", "apeldoorn.nl", 7311, 7339, 165),
    Gemeente("GM0307", "Amersfoort", "amersfoort.nl", 3811, 3829, 160),
    Gemeente("GM0479", "Zaanstad", "zaanstad.nl", 1501, 1509, 160),
    Gemeente("GM0796", "'s-Hertogenbosch", "s-hertogenbosch.nl", 5211, 5237, 160),
    Gemeente("GM0193", "Zwolle", "zwolle.nl", 8011, 8047, 130),
    Gemeente("GM0935", "Maastricht", "gemeentemaastricht.nl", 6211, 6229, 120),
    Gemeente("GM0546", "Leiden", "leiden.nl", 2311, 2334, 125),
    Gemeente("GM0637", "Zoetermeer", "zoetermeer.nl", 2711, 2729, 125),
    Gemeente("GM0080", "Leeuwarden", "leeuwarden.nl", 8911, 8939, 125),
    Gemeente("GM0505", "Dordrecht", "dordrecht.nl", 3311, 3329, 120),
    Gemeente("GM0228", "Ede", "ede.nl", 6711, 6721, 120),
    Gemeente("GM0503", "Delft", "delft.nl", 2611, 2629, 105),
    Gemeente("GM0361", "Alkmaar", "alkmaar.nl", 1811, 1829, 110),
    Gemeente("GM0150", "Deventer", "deventer.nl", 7411, 7431, 100),
    Gemeente("GM0114", "Emmen", "gemeente.emmen.nl", 7811, 7891, 107),
    Gemeente("GM0995", "Lelystad", "lelystad.nl", 8211, 8245, 80),
    Gemeente("GM0402", "Hilversum", "hilversum.nl", 1211, 1223, 92),
    Gemeente("GM0794", "Helmond", "helmond.nl", 5701, 5709, 93),
    Gemeente("GM0513", "Gouda", "gouda.nl", 2801, 2809, 74),
    Gemeente("GM0362", "Amstelveen", "amstelveen.nl", 1181, 1189, 92),
    Gemeente("GM0983", "Venlo", "venlo.nl", 5911, 5928, 102),
    Gemeente("GM0917", "Heerlen", "heerlen.nl", 6411, 6419, 87),
    Gemeente("GM0106", "Assen", "assen.nl", 9401, 9409, 69),
    Gemeente("GM0164", "Hengelo", "hengelo.nl", 7551, 7559, 82),
    Gemeente("GM0141", "Almelo", "almelo.nl", 7601, 7609, 74),
    Gemeente("GM0606", "Schiedam", "schiedam.nl", 3111, 3125, 80),
    Gemeente("GM0622", "Vlaardingen", "vlaardingen.nl", 3131, 3138, 75),
    Gemeente("GM0400", "Den Helder", "denhelder.nl", 1781, 1789, 56),
    Gemeente("GM0687", "Middelburg", "middelburg.nl", 4331, 4339, 50),
    Gemeente("GM0718", "Vlissingen", "vlissingen.nl", 4381, 4389, 45),
    Gemeente("GM0828", "Oss", "oss.nl", 5341, 5349, 95),
    Gemeente("GM0484", "Alphen aan den Rijn", "alphenaandenrijn.nl", 2401, 2409, 115),
)

_VOORNAMEN = (
    "Jan", "Anna", "Mohamed", "Fatima", "Pieter", "Sanne", "Daan", "Emma", "Kees", "Lotte", "Ahmet",
    "Ayse", "Thomas", "Sophie", "Rachid", "Naima", "Bas", "Iris", "Joost", "Eva", "Ricardo", "Shanti",
)  # fmt: skip
_ACHTERNAMEN = (
    "de Jong", "Jansen", "de Vries", "van den Berg", "van Dijk", "Bakker", "Janssen", "Visser",
    "Smit", "Meijer", "de Boer", "Mulder", "de Groot", "Bos", "Vos", "Peters", "Hendriks", "Yilmaz",
    "El Amrani", "Dekker", "Brouwer", "Kramer", "Ramdin", "Martina",
)  # fmt: skip
_FUNCTIES = (
    "Schuldhulpverlener", "Teamleider schuldhulpverlening", "Functioneel beheerder",
    "Informatiemanager", "Beleidsmedewerker armoede en schulden", "Kwaliteitsmedewerker",
)  # fmt: skip
_DERDE_VORMEN = (
    "Kredietbank {r}", "Stichting Schuldhulp {r}", "Schuldhulpverlening {r} B.V.", "Budgetadviesbureau {r}",
    "Stichting Financiele Hulp {r}", "Plangroep {r}", "Sociaal Raadslieden {r}",
)  # fmt: skip
_REGIOS = (
    "West-Brabant", "Rijnmond", "Twente", "Gooi en Vechtstreek", "Zuid-Limburg", "Drechtsteden",
    "Noord-Veluwe", "Haaglanden", "Holland Rijnland", "Midden-Holland", "Noord-Kennemerland", "IJssel-Vecht",
    "Fryslan", "Drenthe", "Achterhoek", "Rivierenland", "Zeeland", "De Kempen", "Peel", "Amstelland",
)  # fmt: skip

# (name, soort, kvknummer or None for a private person, postcode)
_SCHULDEISERS: tuple[tuple[str, str, str | None, str], ...] = (
    ("Belastingdienst", "Publiek", "27364572", "7327BH"),
    ("Centraal Justitieel Incassobureau", "Publiek", "27370941", "8917BZ"),
    ("Dienst Uitvoering Onderwijs", "Publiek", "27376409", "9722TB"),
    ("UWV", "Publiek", "34251254", "1018WD"),
    ("Sociale Verzekeringsbank", "Publiek", "34187396", "1183NB"),
    ("Waterschapsbedrijf", "Publiek", "24472103", "3088GN"),
    ("CAK", "Zorg", "27285231", "2595BE"),
    ("Zilveren Kruis", "Zorg", "30208635", "3707NH"),
    ("VGZ", "Zorg", "09109853", "6534AA"),
    ("CZ", "Zorg", "18046283", "5038EA"),
    ("Menzis", "Zorg", "08059218", "7511JC"),
    ("Vattenfall", "Nuts", "33292246", "1096AC"),
    ("Eneco", "Nuts", "29049934", "3011BN"),
    ("Essent", "Nuts", "14021291", "5211AK"),
    ("Vitens", "Nuts", "05022283", "8028PL"),
    ("Evides", "Nuts", "24280259", "3013AX"),
    ("Woonstichting De Key", "Overig", "33037547", "1076GS"),
    ("Ymere", "Overig", "33036982", "1012JS"),
    ("KPN", "Overig", "27124701", "2516CK"),
    ("Vodafone", "Overig", "27146334", "3528BJ"),
    ("Wehkamp", "Overig", "05014395", "8025BK"),
    ("Klarna", "Overig", "65857054", "1017SG"),
    ("Intrum", "Overig", "24279155", "2491AD"),
    ("Particuliere schuldeiser", "Overig", None, "1234AB"),
)

_BEGELEIDING = (
    "Budgetbeheer", "Budgetbeheer", "Beschermingsbewind", "Budgetcoaching", "Budgetbegeleiding",
    "Lange Termijn Begeleiding (DFD)",
)  # fmt: skip
_DROP_OFF = ("Ingetrokken", "Zelf", "Verhuisd", "Overig", "Nietverschenen", "Overleden")
# phase objects and arrays that carry an einddatum (closed when the traject ends)
_PHASES = (
    "aanmelding", "informatieEnAdvies", "intake", "stabilisatie", "oplossing", "nazorg", "begeleiding",
    "crisisinterventies", "moratoria", "voorlopigeVoorzieningen",
)  # fmt: skip

_PC_LETTERS = "ABCDEFGHJKLMNPRSTVWXZ"
_FORBIDDEN_PC = frozenset({"SA", "SD", "SS"})
_VERSION_TAIL = re.compile(r"\s+v?\d+(\.\d+)*$")


_PC_PAIRS = tuple(a + b for a in _PC_LETTERS for b in _PC_LETTERS if a + b not in _FORBIDDEN_PC)
_HUISNUMMERS = 250


class _AddressSource:
    """Unique (postcode, huisnummer) per municipality: households that are not partners never share an
    address, so no false R-CLIENT-OVL-02 (partners in separate trajecten) hints."""

    _MULT = 1_000_003  # prime, larger than any factor of the address space

    def __init__(self, rng: random.Random, g: Gemeente) -> None:
        self._g = g
        self._space = (g.pc_hi - g.pc_lo + 1) * len(_PC_PAIRS) * _HUISNUMMERS
        self._offset = rng.randrange(self._space)
        self._counter = 0

    def next(self) -> tuple[str, str]:
        k = (self._counter * self._MULT + self._offset) % self._space
        self._counter += 1
        k, nummer = divmod(k, _HUISNUMMERS)
        pc, pair = divmod(k, len(_PC_PAIRS))
        return f"{self._g.pc_lo + pc}{_PC_PAIRS[pair]}", str(nummer + 1)


class _BsnSource:
    """Unique BSNs without a set: a counter mapped through a bijection of the 8-digit prefix space."""

    _SPACE = 30_000_000  # prefixes 10000000..39999999, so BSNs 100000000..399999999

    def __init__(self, rng: random.Random) -> None:
        mult = rng.randrange(1_000_003, 9_999_991)
        while mult % 2 == 0 or mult % 3 == 0 or mult % 5 == 0:
            mult += 1
        self._mult = mult
        self._offset = rng.randrange(self._SPACE)
        self._counter = 0

    def next(self) -> str:
        while True:
            prefix = 10_000_000 + (self._counter * self._mult + self._offset) % self._SPACE
            self._counter += 1
            digits = str(prefix)
            check = bsn_check_digit(digits)
            if check is None:
                continue
            bsn = digits + str(check)
            if len(set(bsn)) > 1:
                return bsn


# --------------------------------------------------------------------------- defects


@dataclass(frozen=True, slots=True)
class DefectSpec:
    """A rule violation `--defects` can inject. `where` matches the JSON pointers it changes."""

    code: str
    description: str
    severity: str  # under the strict profile (RULES.md); the standard profile caps rule findings at warning
    level: str  # "file", "levering" or "traject"
    where: str


DEFECTS: dict[str, DefectSpec] = {
    d.code: d
    for d in (
        DefectSpec(
            "R-FMT-02", "aanleverdatumEnTijd without a time zone", "error", "file", r"^/aanleverdatumEnTijd$"
        ),
        DefectSpec(
            "R-META-01",
            "codeGegevensleverancier without a version",
            "warning",
            "file",
            r"^/codeGegevensleverancier$",
        ),
        DefectSpec(
            "R-PERIOD-01",
            "startdatumLevering after einddatumLevering",
            "error",
            "file",
            r"^/(startdatumLevering|einddatumLevering)$",
        ),
        DefectSpec(
            "R-FMT-03",
            "contact e-mail that is not an address",
            "error",
            "levering",
            r"^/leveringen/\d+/aanleverende_organisatie/contactpersonen/0/email$",
        ),
        DefectSpec(
            "R-ORG-01",
            "organisation without (Statutaire) Naam",
            "error",
            "levering",
            r"^/leveringen/\d+/aanleverende_organisatie/\(Statutaire\) Naam$",
        ),
        DefectSpec("R-ID-BSN-01", "BSN of 8 digits", "error", "traject", r"/client/0/Burgerservicenummer$"),
        DefectSpec(
            "R-ID-BSN-02",
            "BSN that fails the 11-check",
            "error",
            "traject",
            r"/client/0/Burgerservicenummer$",
        ),
        DefectSpec("R-CLIENT-01", "traject without client", "error", "traject", r"/client(/|$)"),
        DefectSpec("R-CLIENT-02", "two clients with the same BSN", "error", "traject", r"/client(/1(/|$)|$)"),
        DefectSpec(
            "R-CLIENT-GESL-01",
            "Geslachtsaanduiding 'M' instead of Man/Vrouw/Onbekend/Leeg",
            "error",
            "traject",
            r"/client/0/Geslachtsaanduiding$",
        ),
        DefectSpec(
            "R-CLIENT-GEB-02",
            "client aged 15 at the start of the traject",
            "warning",
            "traject",
            r"/client/0/Geboortedatum$",
        ),
        DefectSpec(
            "R-KEY-01",
            "misspelt key 'Geslachtsaanduding' in a client",
            "warning",
            "traject",
            r"/client/0/Geslachtsaanduding$",
        ),
        DefectSpec(
            "R-KEY-02", "v0.9 key client[].leefsituatie", "error", "traject", r"/client/0/leefsituatie$"
        ),
        DefectSpec("R-NULL-01", "einddatum null on a running traject", "error", "traject", r"/einddatum$"),
        DefectSpec(
            "R-FMT-01", "impossible date 30 February", "error", "traject", r"/aanmelding(/startdatum)?$"
        ),
        DefectSpec("R-GEM-01", "empty traject gemeentecode", "error", "traject", r"/gemeentecode$"),
        DefectSpec("R-GEM-03", "gemeentecode GM + 3 digits", "error", "traject", r"/gemeentecode$"),
        DefectSpec(
            "R-DATE-PHASE-01", "stabilisatie ends before it starts", "error", "traject", r"/stabilisatie(/|$)"
        ),
        DefectSpec(
            "R-DATE-ORDER-01",
            "intake starts before the aanmelding",
            "warning",
            "traject",
            r"/(intake|aanmelding)(/|$)",
        ),
        DefectSpec(
            "R-END-01",
            "einddatum differs from uitstroom.datum",
            "error",
            "traject",
            r"/(einddatum|uitstroom)(/|$)",
        ),
        DefectSpec(
            "R-INT-01",
            "intake einddatum differs from beschikkingsdatum",
            "warning",
            "traject",
            r"/intake(/|$)",
        ),
        DefectSpec(
            "R-SR-01",
            "dwangakkoord true without toegekend",
            "error",
            "traject",
            r"/(schuldregeling|toekenningsdatum)(/|$)",
        ),
        DefectSpec(
            "R-SR-02",
            "toekenningsdatum differs from schuldregeling.toegekend",
            "error",
            "traject",
            r"/(toekenningsdatum|schuldregeling)(/|$)",
        ),
        DefectSpec(
            "R-CRI-01",
            "crisisinterventie true without crisisinterventies",
            "warning",
            "traject",
            r"/(aanmelding(/crisisinterventie)?|crisisinterventies)(/|$)",
        ),
        DefectSpec("R-OPL-01", "schuldbemiddeling of 24 months", "warning", "traject", r"/oplossing(/|$)"),
        DefectSpec("R-MOR-02", "moratorium of 9 months", "warning", "traject", r"/moratoria(/|$)"),
        DefectSpec(
            "R-SCH-01",
            "schuldeiser naam differs from Naam",
            "error",
            "traject",
            r"/schulden(/\d+)?(/schuldeiser/Naam)?$|/totaalSchuldbedragBijAanvangSchuld$",
        ),
        DefectSpec(
            "R-AMT-02",
            "negative debt amount",
            "error",
            "traject",
            r"/schulden(/\d+/bedrag)?$|/totaalSchuldbedragBijAanvangSchuld$",
        ),
        DefectSpec(
            "R-PERIOD-03a",
            "traject that starts after the delivery period",
            "error",
            "traject",
            r"/(startdatum|aanmelding/startdatum)$",
        ),
    )
}

_TRAJECTEN_PER_DEFECT = 3


def parse_defects(text: str | Sequence[str] | None) -> tuple[str, ...]:
    """`"R-END-01,R-SCH-01"` -> codes, validated against `DEFECTS` (raises `GenerateError`)."""
    if not text:
        return ()
    items = text.split(",") if isinstance(text, str) else [c for part in text for c in part.split(",")]
    canonical = {code.upper(): code for code in DEFECTS}
    codes = [canonical.get(c.strip().upper(), c.strip()) for c in items if c.strip()]
    unknown = [c for c in codes if c not in DEFECTS]
    if unknown:
        raise GenerateError(
            f"unknown defect code(s): {', '.join(unknown)}; `ddas generate --list-defects` shows the "
            f"{len(DEFECTS)} supported codes"
        )
    return tuple(dict.fromkeys(codes))


# --------------------------------------------------------------------------- dates


class _Iso:
    """date ordinal -> 'YYYY-MM-DD', memoised (a few thousand distinct days per file)."""

    def __init__(self) -> None:
        self._cache: dict[int, str] = {}

    def __call__(self, ordinal: int) -> str:
        text = self._cache.get(ordinal)
        if text is None:
            text = date.fromordinal(ordinal).isoformat()
            self._cache[ordinal] = text
        return text


# --------------------------------------------------------------------------- the plan of a file


@dataclass(slots=True)
class _LeveringPlan:
    teller: int
    organisatie: dict[str, Any]
    gemeente: Gemeente
    count: int
    first_index: int  # global index of its first traject


@dataclass(slots=True)
class _FilePlan:
    header: dict[str, Any]
    leveringen: list[_LeveringPlan]
    traject_defects: dict[int, list[str]] = field(default_factory=dict)
    levering_defects: dict[int, list[str]] = field(default_factory=dict)
    # with a defect share: the traject-level codes, each put in that share of the trajecten
    shared_codes: tuple[str, ...] = ()
    share: float = 0.0


def _vendor_code(vendor: str) -> str:
    vendor = vendor.strip() or DEFAULT_VENDOR
    return vendor if _VERSION_TAIL.search(vendor) else f"{vendor} {__version__}"


def _check_options(trajecten: int, date_from: date, date_to: date, organisaties: int, variant: str) -> None:
    if trajecten < 0:
        raise GenerateError(f"--trajecten must be 0 or more, got {trajecten}")
    if date_from > date_to:
        raise GenerateError(f"--from {date_from} is after --to {date_to}: the period must not be reversed")
    if organisaties < 1:
        raise GenerateError(f"--organisaties must be at least 1, got {organisaties}")
    if variant not in VARIANTS:
        raise GenerateError(f"--variant must be one of {', '.join(VARIANTS)}, got {variant!r}")
    needed = organisaties * 2 if variant == "meerdere" else organisaties
    if needed > len(GEMEENTEN):
        raise GenerateError(
            f"--organisaties {organisaties} with --variant {variant} needs {needed} distinct municipalities; "
            f"the generator knows {len(GEMEENTEN)}"
        )
    if date_from.year < 1950 or date_to.year > 2200:
        raise GenerateError("the period must lie between 1950 and 2200")


def _postcode(rng: random.Random, g: Gemeente) -> str:
    while True:
        letters = rng.choice(_PC_LETTERS) + rng.choice(_PC_LETTERS)
        if letters not in _FORBIDDEN_PC:
            return f"{rng.randint(g.pc_lo, g.pc_hi)}{letters}"


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "", text.lower())


def _contactpersonen(rng: random.Random, domein: str, g: Gemeente) -> list[dict[str, Any]]:
    out = []
    for _ in range(1 if rng.random() < 0.6 else 2):
        voornaam = rng.choice(_VOORNAMEN)
        achternaam = rng.choice(_ACHTERNAMEN)
        local = f"{voornaam[0]}.{_slug(achternaam)}".lower()
        out.append(
            {
                "email": f"{local}@{domein}",
                "functietitel": rng.choice(_FUNCTIES),
                "naam": f"{voornaam} {achternaam}",
                "telefoonnummer": f"0{rng.randint(10, 99)}{rng.randint(1000000, 9999999)}",
            }
        )
    return out


def _organisatie(rng: random.Random, variant: str, gemeenten: Sequence[Gemeente]) -> dict[str, Any]:
    first = gemeenten[0]
    if variant == "gemeente":
        return {
            "(Statutaire) Naam": f"Gemeente {first.naam}",
            "postcode": _postcode(rng, first),
            "gemeentecode": first.code,
            "contactpersonen": _contactpersonen(rng, first.domein, first),
        }
    regio = first.naam if variant == "derde" else rng.choice(_REGIOS)
    naam = rng.choice(_DERDE_VORMEN).format(r=regio)
    domein = _slug(naam.replace(" B.V.", "")) + ".nl"
    return {
        "(Statutaire) Naam": naam,
        "KvK-nummer": str(rng.randint(10_000_000, 99_999_999)),
        "postcode": _postcode(rng, first),
        "contactpersonen": _contactpersonen(rng, domein, first),
    }


def _split(total: int, weights: Sequence[int]) -> list[int]:
    """Largest-remainder split of `total` over `weights`; every part gets one first when possible."""
    n = len(weights)
    if total >= n:
        base = [1] * n
        rest = total - n
    else:
        base = [1 if i < total else 0 for i in range(n)]
        rest = 0
    wsum = sum(weights)
    shares = [rest * w / wsum for w in weights]
    parts = [int(s) for s in shares]
    left = rest - sum(parts)
    order = sorted(range(n), key=lambda i: (-(shares[i] - parts[i]), i))
    for i in order[:left]:
        parts[i] += 1
    return [b + p for b, p in zip(base, parts, strict=True)]


def _plan(
    *,
    trajecten: int,
    date_from: date,
    date_to: date,
    organisaties: int,
    seed: int,
    variant: str,
    defects: Sequence[str],
    vendor: str,
    share: float | None = None,
) -> tuple[_FilePlan, random.Random]:
    _check_options(trajecten, date_from, date_to, organisaties, variant)
    rng = random.Random(seed)
    pool = list(GEMEENTEN)
    rng.shuffle(pool)
    groups: list[tuple[dict[str, Any], list[Gemeente]]] = []
    if variant == "meerdere":
        # each organisation serves 2..4 municipalities, distinct across the file
        spare = len(pool) - 2 * organisaties
        cursor = 0
        for _ in range(organisaties):
            extra = min(spare, rng.randint(0, 2))
            spare -= extra
            served = pool[cursor : cursor + 2 + extra]
            cursor += 2 + extra
            groups.append((_organisatie(rng, variant, served), served))
    else:
        for i in range(organisaties):
            groups.append((_organisatie(rng, variant, [pool[i]]), [pool[i]]))
    pairs = [(org, g) for org, served in groups for g in served]
    counts = _split(trajecten, [g.weight for _, g in pairs])
    leveringen: list[_LeveringPlan] = []
    first = 0
    for teller, ((org, g), count) in enumerate(zip(pairs, counts, strict=True), start=1):
        leveringen.append(_LeveringPlan(teller, org, g, count, first))
        first += count
    aanlever = date_to + timedelta(days=1)
    header = {
        "startdatumLevering": date_from.isoformat(),
        "einddatumLevering": date_to.isoformat(),
        "aanleverdatumEnTijd": f"{aanlever.isoformat()}T00:00:00Z",
        "codeGegevensleverancier": _vendor_code(vendor),
    }
    plan = _FilePlan(header, leveringen)
    _plan_defects(plan, trajecten, seed, defects, share)
    return plan, rng


def check_share(share: float | None) -> None:
    """A defect share is a fraction of the trajecten: above 0, at most 1."""
    if share is not None and not (0.0 < share <= 1.0):
        raise GenerateError(f"--defect-share must be above 0 and at most 1, got {share}")


def _plan_defects(
    plan: _FilePlan, trajecten: int, seed: int, defects: Sequence[str], share: float | None = None
) -> None:
    """Pick the targets of each defect from its own random stream (independent of the data stream).

    Without `share` a traject-level defect goes into 3 trajecten; with it, each traject gets each code
    with that probability (decided while writing, so a million trajecten need no table of targets).
    """
    check_share(share)
    for code in defects:
        spec = DEFECTS[code]
        drng = random.Random(f"{seed}:{code}")
        if spec.level == "file":
            _apply_file_defect(plan.header, code)
        elif spec.level == "levering":
            for i in drng.sample(range(len(plan.leveringen)), min(2, len(plan.leveringen))):
                plan.levering_defects.setdefault(i, []).append(code)
        elif share is not None:
            plan.shared_codes += (code,)
            plan.share = share
        else:
            for i in drng.sample(range(trajecten), min(_TRAJECTEN_PER_DEFECT, trajecten)):
                plan.traject_defects.setdefault(i, []).append(code)


def _apply_file_defect(header: dict[str, Any], code: str) -> None:
    if code == "R-FMT-02":
        header["aanleverdatumEnTijd"] = header["aanleverdatumEnTijd"].removesuffix("Z")
    elif code == "R-META-01":
        header["codeGegevensleverancier"] = "GL987654"
    elif code == "R-PERIOD-01":
        header["startdatumLevering"], header["einddatumLevering"] = (
            header["einddatumLevering"],
            header["startdatumLevering"],
        )


def _apply_levering_defect(org: dict[str, Any], code: str) -> None:
    if code == "R-FMT-03":
        org["contactpersonen"][0]["email"] = "schuldhulp.at.gemeente.nl"
    elif code == "R-ORG-01":
        org.pop("(Statutaire) Naam", None)


# --------------------------------------------------------------------------- trajecten


class _TrajectFactory:
    """Builds one traject dict at a time: a plausible path through the phases, cut off at the period end."""

    def __init__(self, rng: random.Random, date_from: date, date_to: date) -> None:
        self.rng = rng
        self.p_from = date_from.toordinal()
        self.p_to = date_to.toordinal()
        self.bsn = _BsnSource(rng)
        self.addresses: dict[str, _AddressSource] = {}
        self.iso = _Iso()
        span = self.p_to - self.p_from
        # Trajecten running at the period start may have begun up to two years earlier.
        self.earliest = self.p_from - 730
        self.span = span

    # -- helpers
    def _client(self, g: Gemeente, start: int, address: tuple[str, str, str | None] | None) -> dict[str, Any]:
        rng = self.rng
        age_days = rng.randint(19 * 365 + 5, 82 * 365)
        geb = self.iso(start - age_days)
        roll = rng.random()
        geslacht = "Man" if roll < 0.48 else "Vrouw" if roll < 0.985 else "Onbekend"
        if address is None:
            toev = rng.choice(("A", "B", "C", "1", "2", "3", "bis", "hs")) if rng.random() < 0.15 else None
            source = self.addresses.get(g.code)
            if source is None:
                source = self.addresses[g.code] = _AddressSource(rng, g)
            postcode, huisnummer = source.next()
            address = (postcode, huisnummer, toev)
        client: dict[str, Any] = {
            "Burgerservicenummer": self.bsn.next(),
            "Geboortedatum": geb,
            "Geslachtsaanduiding": geslacht,
            "Postcode": address[0],
            "Huisnummer": address[1],
        }
        if address[2] is not None:
            client["Huisnummertoevoeging"] = address[2]
        return client

    def _schulden(self, peil_lo: int, peil_hi: int) -> tuple[list[dict[str, Any]], int]:
        rng = self.rng
        out = []
        total = 0
        for _ in range(rng.choice((1, 2, 3, 3, 4, 4, 5, 6, 7, 8, 10, 12))):
            naam, soort, kvk, pc = rng.choice(_SCHULDEISERS)
            bedrag = int(rng.lognormvariate(6.6, 1.1)) + 25
            bedrag = min(bedrag, 85_000)
            total += bedrag
            eiser: dict[str, Any] = {"naam": naam, "Naam": naam}
            if kvk is not None:
                eiser["kvknummer"] = kvk
            eiser["postcode"] = pc
            eiser["privepersoon"] = kvk is None
            out.append(
                {
                    "bedrag": bedrag,
                    "peildatum": self.iso(rng.randint(peil_lo, peil_hi)),
                    "schuldsoort": soort,
                    "zakelijkeSchuld": kvk is not None and rng.random() < 0.03,
                    "schuldeiser": eiser,
                }
            )
        return out, total

    def make(self, g: Gemeente) -> dict[str, Any]:
        rng = self.rng
        for _ in range(20):
            if rng.random() < 0.3:
                start = rng.randint(self.earliest, self.p_from - 1)
            else:
                start = rng.randint(self.p_from, self.p_to)
            traject = self._build(g, start)
            end = traject.get("einddatum")
            if end is None or end >= self.iso(self.p_from):
                return traject
        return self._build(g, rng.randint(self.p_from, self.p_to))

    def _build(self, g: Gemeente, start: int) -> dict[str, Any]:
        """One traject starting at `start`: aanmelding -> intake (beschikking) -> stabilisatie ->
        schuldregeling -> oplossing -> nazorg, with drop-off at every step. Whatever would happen after
        the period end is left out, and the phase in progress stays open (a running traject)."""
        rng = self.rng
        iso = self.iso
        horizon = self.p_to
        t: dict[str, Any] = {"startdatum": iso(start), "gemeentecode": g.code}

        # one or two clients; partners share the address
        first = self._client(g, start, None)
        clients = [first]
        if rng.random() < 0.35:
            address = (first["Postcode"], first["Huisnummer"], first.get("Huisnummertoevoeging"))
            clients.append(self._client(g, start, address))
        t["client"] = clients

        # aanmelding; 5% start at the intake (referral from vroegsignalering, no aanmelding)
        intake_start = start
        if rng.random() < 0.95:
            crisis = rng.random() < 0.08
            aanmelding: dict[str, Any] = {"crisisinterventie": crisis, "startdatum": iso(start)}
            t["aanmelding"] = aanmelding
            if crisis:
                crisis_obj: dict[str, Any] = {"startdatum": iso(start)}
                c_end = start + rng.randint(1, 30)
                if c_end <= horizon:
                    crisis_obj["einddatum"] = iso(c_end)
                t["crisisinterventies"] = [crisis_obj]
            a_end = start + rng.randint(0, 14)
            if a_end > horizon:
                return t
            aanmelding["einddatum"] = iso(a_end)
            if rng.random() < 0.10:  # drop-off before the intake
                stop = a_end + rng.randint(7, 45)
                why = rng.choice(("Nietverschenen", "Zelf", "Ingetrokken"))
                return self._finish(t, stop if stop <= horizon else None, why)
            if rng.random() < 0.12:  # informatie en advies was enough
                ia_end = a_end + rng.randint(0, 30)
                if ia_end > horizon:
                    return t
                t["informatieEnAdvies"] = {"startdatum": iso(start), "einddatum": iso(ia_end)}
                return self._finish(t, ia_end, "Afgerond")
            intake_start = a_end + rng.randint(0, 21)
            if intake_start > horizon:
                return t

        # intake, ending with a beschikking; the debts are established during the intake
        intake: dict[str, Any] = {"startdatum": iso(intake_start)}
        t["intake"] = intake
        schulden, total = self._schulden(intake_start, min(intake_start + 7, horizon))
        t["totaalSchuldbedragBijAanvangSchuld"] = total
        t["schulden"] = schulden
        besch = intake_start + rng.randint(7, 45)
        if besch > horizon:
            return t
        intake["beschikkingsdatum"] = iso(besch)
        intake["einddatum"] = iso(besch)
        if rng.random() < 0.13:
            intake["beschikkingssoort"] = "Afwijzingsbeschikking"
            # a rejection ends the traject (R-INT-05); at the latest on the last day of the period
            stop = min(besch + rng.randint(0, 14), horizon)
            return self._finish(t, stop, rng.choice(("Voldoet niet", "Niet passend")))
        intake["beschikkingssoort"] = "Toelatingsbeschikking"
        pva = besch + rng.randint(0, 30)
        if pva <= horizon:
            t["planVanAanpak"] = {"datumAfronding": iso(pva)}

        # begeleiding (budgetbeheer, bewind, coaching ...) from the beschikking on
        if rng.random() < 0.4:
            b_start = besch + rng.randint(0, 30)
            if b_start <= horizon:
                beg: dict[str, Any] = {"soort": rng.choice(_BEGELEIDING), "startdatum": iso(b_start)}
                b_end = b_start + rng.randint(90, 700)
                if b_end <= horizon:
                    beg["einddatum"] = iso(b_end)
                t["begeleiding"] = [beg]

        # stabilisatie (most trajecten; some go straight to a betalingsregeling)
        after = besch
        if rng.random() < 0.85:
            s_start = besch + rng.randint(0, 14)
            if s_start > horizon:
                return t
            stab: dict[str, Any] = {"startdatum": iso(s_start)}
            t["stabilisatie"] = stab
            s_end = s_start + rng.randint(60, 300)
            if rng.random() < 0.05:
                vv_start = s_start + rng.randint(0, 20)
                vv_end = vv_start + rng.randint(14, 40)
                if vv_start <= horizon:
                    vv: dict[str, Any] = {"startdatum": iso(vv_start)}
                    if vv_end <= horizon:
                        vv["einddatum"] = iso(vv_end)
                    t["voorlopigeVoorzieningen"] = [vv]
            if s_end > horizon:
                return t
            stab["einddatum"] = iso(s_end)
            if rng.random() < 0.15:  # drop-off during stabilisatie
                return self._finish(t, s_end, rng.choice(_DROP_OFF))
            after = s_end

        # the oplossing: a 100% arrangement, or a schuldregeling that leads to a settlement
        if rng.random() < 0.35:
            soort = rng.choice(("Betalingsregeling", "Betalingsregeling", "Herfinanciering"))
            o_start = after + rng.randint(0, 30)
            o_len = rng.randint(90, 1000)
        else:
            sr_datum = after + rng.randint(0, 14)
            if sr_datum > horizon:
                return t
            sr: dict[str, Any] = {"datum": iso(sr_datum)}
            t["schuldregeling"] = sr
            outcome = sr_datum + rng.randint(21, 90)
            if rng.random() < 0.1:  # a moratorium while the request is handled
                m_aanvraag = sr_datum + rng.randint(1, 10)
                m_goed = m_aanvraag + rng.randint(1, 10)
                if m_goed < outcome and m_aanvraag <= horizon:
                    mor: dict[str, Any] = {"datumAanvraag": iso(m_aanvraag)}
                    if m_goed <= horizon:
                        mor["datumGoedkeuring"] = iso(m_goed)
                        mor["startdatum"] = iso(m_goed)
                        m_end = m_goed + rng.randint(30, 180)
                        if m_end <= horizon:
                            mor["einddatum"] = iso(m_end)
                    t["moratoria"] = [mor]
            if outcome > horizon:
                return t
            roll = rng.random()
            if roll < 0.2:  # rejected or withdrawn: the traject ends
                sr["afgewezen" if roll < 0.12 else "ingetrokken"] = iso(outcome)
                stop = outcome + rng.randint(0, 30)
                return self._finish(
                    t, stop if stop <= horizon else None, "Overig" if roll < 0.12 else "Ingetrokken"
                )
            if rng.random() < 0.1:
                sr["datumVerzoekDwangakkoord"] = iso(rng.randint(sr_datum + 1, outcome - 1))
                sr["dwangakkoord"] = True
            sr["toegekend"] = iso(outcome)
            t["toekenningsdatum"] = iso(outcome)
            r = rng.random()
            soort = "Schuldbemiddeling" if r < 0.5 else "Saneringskrediet" if r < 0.9 else "0%-aanbod"
            o_start = outcome + rng.randint(0, 30)
            # at most 18 months (R-OPL-01): 540 days is always within 18 calendar months
            o_len = rng.randint(480, 540) if rng.random() < 0.85 else rng.randint(60, 470)
        if o_start > horizon:
            return t
        opl: dict[str, Any] = {"soort": soort, "startdatum": iso(o_start), "vtlb": rng.randint(950, 1950)}
        t["oplossing"] = opl
        o_end = o_start + o_len
        if o_end > horizon:
            return t
        opl["einddatum"] = iso(o_end)
        if rng.random() < 0.08:  # ended with another reason than completion
            return self._finish(t, o_end, rng.choice(("Overig", "Verhuisd", "Overleden")))
        end_day = o_end
        if rng.random() < 0.5:
            n_start = o_end + rng.randint(0, 14)
            if n_start <= horizon:
                naz: dict[str, Any] = {"startdatum": iso(n_start)}
                t["nazorg"] = naz
                n_end = n_start + rng.randint(30, 180)
                if n_end > horizon:
                    return t
                naz["einddatum"] = iso(n_end)
                end_day = n_end
        stop = end_day + rng.randint(0, 14)
        return self._finish(t, stop if stop <= horizon else None, "Afgerond")

    def _finish(self, t: dict[str, Any], end: int | None, reden: str | None) -> dict[str, Any]:
        """End the traject at `end`, or, with `end` None, leave it running (no einddatum, no uitstroom)."""
        if end is not None and reden is not None:
            _close(t, self.iso(end), reden)
        return t


def _close(t: dict[str, Any], day: str, reden: str) -> None:
    """All three end dates equal (R-END-01), a reason (R-END-03), every phase closed no later than the
    end (R-DATE-TRAJ-01b/02)."""
    for key in _PHASES:
        value = t.get(key)
        if value is None:
            continue
        for phase in value if isinstance(value, list) else (value,):
            current = phase.get("einddatum")
            if current is None or current > day:
                phase["einddatum"] = day
    t["einddatum"] = day
    t["uitstroom"] = {"datum": day, "datumBeeindigingsbeschikking": day, "reden": reden}


# --------------------------------------------------------------------------- traject defects


def _iso_dates(node: Any) -> Iterator[tuple[str, str]]:
    """(key, value) of every YYYY-MM-DD value in a traject, clients' birth dates excluded."""
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "client":
                continue
            if isinstance(value, str) and len(value) == 10 and value[4] == "-" and value[7] == "-":
                yield key, value
            else:
                yield from _iso_dates(value)
    elif isinstance(node, list):
        for item in node:
            yield from _iso_dates(item)


def _apply_traject_defect(t: dict[str, Any], code: str, rng: random.Random, plan: _FilePlan) -> None:
    """Inject one named violation, building the parts it needs (a traject may lack the phase)."""
    start = date.fromisoformat(t["startdatum"])

    def day(offset: int) -> str:
        return (start + timedelta(days=offset)).isoformat()

    client = t.setdefault("client", [{}])[0] if code != "R-CLIENT-01" else None
    if code == "R-ID-BSN-01" and client is not None:
        client["Burgerservicenummer"] = client.get("Burgerservicenummer", "123456782")[1:]
    elif code == "R-ID-BSN-02" and client is not None:
        bsn = client.get("Burgerservicenummer", "123456782")
        client["Burgerservicenummer"] = bsn[:8] + str((int(bsn[8]) + 1) % 10)
    elif code == "R-CLIENT-01":
        t.pop("client", None)
    elif code == "R-CLIENT-02" and client is not None:
        twin = dict(client)
        twin["Geslachtsaanduiding"] = "Vrouw" if client.get("Geslachtsaanduiding") == "Man" else "Man"
        t["client"] = [client, twin]
    elif code == "R-CLIENT-GESL-01" and client is not None:
        client["Geslachtsaanduiding"] = "M"
    elif code == "R-CLIENT-GEB-02" and client is not None:
        client["Geboortedatum"] = (start - timedelta(days=15 * 365 + 30)).isoformat()
    elif code == "R-KEY-01" and client is not None:
        client["Geslachtsaanduding"] = client.get("Geslachtsaanduiding", "Man")
    elif code == "R-KEY-02" and client is not None:
        client["leefsituatie"] = [{"datumGeldigVanaf": t["startdatum"], "schulden": []}]
    elif code == "R-NULL-01":
        t["einddatum"] = None
    elif code == "R-FMT-01":
        t.setdefault("aanmelding", {})["startdatum"] = f"{start.year}-02-30"
    elif code == "R-GEM-01":
        t["gemeentecode"] = ""
    elif code == "R-GEM-03":
        t["gemeentecode"] = "GM" + t["gemeentecode"][-3:]
    elif code == "R-DATE-PHASE-01":
        t["stabilisatie"] = {"startdatum": day(40), "einddatum": day(10)}
    elif code == "R-DATE-ORDER-01":
        t.setdefault("aanmelding", {})["startdatum"] = day(5)
        t["intake"] = {**t.get("intake", {}), "startdatum": day(0)}
    elif code == "R-END-01":
        if "einddatum" not in t:  # end a running traject properly first, on the last date it has
            _close(t, max(value for _, value in _iso_dates(t)), "Overig")
        end = date.fromisoformat(t["einddatum"])
        t["uitstroom"]["datum"] = (end - timedelta(days=3)).isoformat()
    elif code == "R-INT-01":
        intake = t.setdefault("intake", {"startdatum": day(3), "beschikkingssoort": "Toelatingsbeschikking"})
        intake["beschikkingsdatum"] = day(20)
        intake["einddatum"] = day(27)
    elif code == "R-SR-01":
        sr = t.setdefault("schuldregeling", {"datum": day(30)})
        sr.pop("toegekend", None)
        t.pop("toekenningsdatum", None)
        sr["dwangakkoord"] = True
    elif code == "R-SR-02":
        sr = t.setdefault("schuldregeling", {"datum": day(30)})
        sr.setdefault("toegekend", day(60))
        t["toekenningsdatum"] = (date.fromisoformat(sr["toegekend"]) + timedelta(days=7)).isoformat()
    elif code == "R-CRI-01":
        t.setdefault("aanmelding", {"startdatum": t["startdatum"]})["crisisinterventie"] = True
        t.pop("crisisinterventies", None)
    elif code == "R-OPL-01":
        t["oplossing"] = {"soort": "Schuldbemiddeling", "startdatum": day(-760), "einddatum": day(-30)}
    elif code == "R-MOR-02":
        t["moratoria"] = [{"datumAanvraag": day(-300), "startdatum": day(-290), "einddatum": day(-15)}]
    elif code == "R-SCH-01":
        schulden = t.setdefault("schulden", [{"bedrag": 500, "schuldsoort": "Overig", "schuldeiser": {}}])
        eiser = schulden[0].setdefault("schuldeiser", {})
        eiser["naam"] = eiser.get("naam", "Eneco")
        eiser["Naam"] = eiser["naam"] + " Retail B.V."
    elif code == "R-AMT-02":
        schulden = t.setdefault("schulden", [{"schuldsoort": "Overig", "bedrag": 1}])
        schulden[0]["bedrag"] = -abs(schulden[0].get("bedrag", 1))
    elif code == "R-PERIOD-03a":
        after = (
            date.fromisoformat(plan.header["einddatumLevering"]) + timedelta(days=rng.randint(5, 40))
        ).isoformat()
        t["startdatum"] = after
        if "aanmelding" in t:
            t["aanmelding"]["startdatum"] = after


# --------------------------------------------------------------------------- output


@dataclass(slots=True)
class ExportStats:
    trajecten: int = 0
    bytes: int = 0


def _levering_head(lev: _LeveringPlan, plan: _FilePlan, index: int) -> dict[str, Any]:
    org = lev.organisatie
    if index in plan.levering_defects:
        org = orjson.loads(orjson.dumps(org))
        for code in plan.levering_defects[index]:
            _apply_levering_defect(org, code)
    return {"teller": lev.teller, "aanleverende_organisatie": org}


def _iter_trajecten(
    plan: _FilePlan, rng: random.Random, date_from: date, date_to: date, seed: int
) -> Iterator[tuple[int, Iterator[dict[str, Any]]]]:
    factory = _TrajectFactory(rng, date_from, date_to)
    share_rng = random.Random(f"{seed}:share")
    shared, share = plan.shared_codes, plan.share

    def per_levering(lev: _LeveringPlan) -> Iterator[dict[str, Any]]:
        for k in range(lev.count):
            t = factory.make(lev.gemeente)
            codes = plan.traject_defects.get(lev.first_index + k)
            if shared:
                picked = [code for code in shared if share_rng.random() < share]
                codes = [*(codes or ()), *picked]
            if codes:
                drng = random.Random(f"{seed}:{lev.first_index + k}")
                for code in codes:
                    _apply_traject_defect(t, code, drng, plan)
            yield t

    for i, lev in enumerate(plan.leveringen):
        yield i, per_levering(lev)


def iter_export_chunks(
    *,
    trajecten: int,
    date_from: date,
    date_to: date,
    organisaties: int = 1,
    seed: int = 1,
    variant: str = "gemeente",
    defects: Sequence[str] = (),
    vendor: str = DEFAULT_VENDOR,
    progress: Callable[[int], None] | None = None,
    defect_share: float | None = None,
) -> Iterator[bytes]:
    """The export as a stream of JSON byte chunks (one per traject), equal to `orjson.dumps` of the dict."""
    codes = parse_defects(defects)
    plan, rng = _plan(
        trajecten=trajecten,
        date_from=date_from,
        date_to=date_to,
        organisaties=organisaties,
        seed=seed,
        variant=variant,
        defects=codes,
        vendor=vendor,
        share=defect_share,
    )
    dumps = orjson.dumps
    yield dumps(plan.header)[:-1] + b',"leveringen":['
    for i, items in _iter_trajecten(plan, rng, date_from, date_to, seed):
        head = dumps(_levering_head(plan.leveringen[i], plan, i))
        yield (b"," if i else b"") + head[:-1] + b',"schuldhulptrajecten":['
        first = True
        pending = 0
        for t in items:
            yield dumps(t) if first else b"," + dumps(t)
            first = False
            pending += 1
            if progress is not None and pending >= 1000:
                progress(pending)
                pending = 0
        if progress is not None and pending:
            progress(pending)
        yield b"]}"
    yield b"]}"


def generate_export(
    *,
    trajecten: int,
    date_from: date,
    date_to: date,
    organisaties: int = 1,
    seed: int = 1,
    variant: str = "gemeente",
    defects: Sequence[str] = (),
    vendor: str = DEFAULT_VENDOR,
    defect_share: float | None = None,
) -> dict[str, Any]:
    """The whole export as a dict (for small files and tests); same content as `write_export`."""
    codes = parse_defects(defects)
    plan, rng = _plan(
        trajecten=trajecten,
        date_from=date_from,
        date_to=date_to,
        organisaties=organisaties,
        seed=seed,
        variant=variant,
        defects=codes,
        vendor=vendor,
        share=defect_share,
    )
    doc: dict[str, Any] = dict(plan.header)
    leveringen = []
    for i, items in _iter_trajecten(plan, rng, date_from, date_to, seed):
        lev = _levering_head(plan.leveringen[i], plan, i)
        lev["schuldhulptrajecten"] = list(items)
        leveringen.append(lev)
    doc["leveringen"] = leveringen
    return doc


def write_export(
    path: Path | str | IO[bytes],
    *,
    trajecten: int,
    date_from: date,
    date_to: date,
    organisaties: int = 1,
    seed: int = 1,
    variant: str = "gemeente",
    defects: Sequence[str] = (),
    vendor: str = DEFAULT_VENDOR,
    progress: Callable[[int], None] | None = None,
    defect_share: float | None = None,
) -> ExportStats:
    """Write the export, streaming (bounded memory). `path` may be `-` for stdout or a binary stream.

    A file holds BSNs, so it is created with mode 0600.
    """
    stats = ExportStats()
    chunks = iter_export_chunks(
        trajecten=trajecten,
        date_from=date_from,
        date_to=date_to,
        organisaties=organisaties,
        seed=seed,
        variant=variant,
        defects=defects,
        vendor=vendor,
        progress=progress,
        defect_share=defect_share,
    )
    first = next(chunks)  # validates the options before anything is created

    def pump(out: IO[bytes]) -> None:
        buf: list[bytes] = [first]
        size = len(first)
        for chunk in chunks:
            buf.append(chunk)
            size += len(chunk)
            if size >= 1 << 20:
                data = b"".join(buf)
                out.write(data)
                stats.bytes += len(data)
                buf.clear()
                size = 0
        data = b"".join(buf)
        out.write(data)
        stats.bytes += len(data)

    if isinstance(path, str | Path):
        if str(path) == "-":
            pump(sys.stdout.buffer)
            sys.stdout.buffer.flush()
        else:
            # write next to the target and rename at the end: no half-written export under the real name
            target = Path(path)
            if target.is_dir():
                raise IsADirectoryError(21, "Is a directory", str(target))
            part = target.with_name(target.name + ".part")
            fd = os.open(part, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
            try:
                os.fchmod(fd, 0o600)
                with os.fdopen(fd, "wb") as out:
                    pump(out)
                os.replace(part, target)
            except BaseException:
                part.unlink(missing_ok=True)
                raise
    else:
        pump(path)
    stats.trajecten = trajecten
    return stats
