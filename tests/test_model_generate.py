"""`ddas generate`: deterministic, schema-valid, clean under RULES.md, defects on demand."""

from __future__ import annotations

import calendar
import itertools
import json
import re
import stat
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import orjson
import pytest
from click.testing import CliRunner
from jsonschema import Draft202012Validator, FormatChecker

from client.cli import app
from client.devtools.generate import (
    DEFECTS,
    GEMEENTEN,
    VARIANTS,
    GenerateError,
    generate_export,
    iter_export_chunks,
    write_export,
)
from client.formats import is_valid_email
from client.model import parse_document
from client.schema import uitwisselmodel_schema
from client.validation.rules import elfproef

FROM, TO = date(2025, 1, 1), date(2025, 6, 30)
runner = CliRunner()


def _gen(n: int = 300, *, variant: str = "gemeente", k: int = 2, seed: int = 11, **kw: Any) -> dict[str, Any]:
    return generate_export(
        trajecten=n, date_from=FROM, date_to=TO, organisaties=k, seed=seed, variant=variant, **kw
    )


# --------------------------------------------------------------------------- an independent rule oracle

_PC = re.compile(r"^[1-9][0-9]{3}[A-Z]{2}$")
_GM = re.compile(r"^GM\d{4}$")
_VERSION = re.compile(r"^\S.*\s+v?\d+(\.\d+)*$")
_ORDER = (
    ("aanmelding", "startdatum"),
    ("intake", "startdatum"),
    ("stabilisatie", "startdatum"),
    ("schuldregeling", "datum"),
    ("oplossing", "startdatum"),
    ("nazorg", "startdatum"),
)
_PHASE_OBJECTS = ("aanmelding", "intake", "stabilisatie", "oplossing", "nazorg", "informatieEnAdvies")
_PHASE_ARRAYS = ("begeleiding", "crisisinterventies", "moratoria", "voorlopigeVoorzieningen")
_MUST_CLOSE = ("stabilisatie", "oplossing", "moratoria", "crisisinterventies", "voorlopigeVoorzieningen")


def _add_months(d: date, months: int) -> date:
    y, m = divmod(d.month - 1 + months, 12)
    year, month = d.year + y, m + 1
    return date(year, month, min(d.day, calendar.monthrange(year, month)[1]))


def _dates(node: Any, path: str = "") -> Iterator[tuple[str, str]]:
    """Every (path, value) of a YYYY-MM-DD string in a traject."""
    if isinstance(node, dict):
        for key, value in node.items():
            yield from _dates(value, f"{path}/{key}")
    elif isinstance(node, list):
        for i, value in enumerate(node):
            yield from _dates(value, f"{path}/{i}")
    elif isinstance(node, str) and re.fullmatch(r"\d{4}-\d{2}-\d{2}", node):
        yield path, node


def _problems(doc: dict[str, Any], variant: str) -> list[str]:
    out: list[str] = []

    def bad(where: str, what: str) -> None:
        out.append(f"{where}: {what}")

    p_from, p_to = doc["startdatumLevering"], doc["einddatumLevering"]
    if not p_from <= p_to:
        bad("/", "R-PERIOD-01")
    if doc["aanleverdatumEnTijd"][:10] < p_to:
        bad("/", "R-PERIOD-02")
    if not _VERSION.match(doc["codeGegevensleverancier"]):
        bad("/", "R-META-01")
    seen_bsn: set[str] = set()
    seen_pairs: set[tuple[str, str]] = set()
    for li, lev in enumerate(doc["leveringen"]):
        lp = f"/leveringen/{li}"
        if lev["teller"] != li + 1:
            bad(lp, "R-LEV-01")
        org = lev["aanleverende_organisatie"]
        if not org.get("(Statutaire) Naam"):
            bad(lp, "R-ORG-01")
        if variant == "gemeente":
            if not _GM.match(org.get("gemeentecode", "")) or "KvK-nummer" in org:
                bad(lp, "R-ORG-02 gemeente variant")
            if not org["(Statutaire) Naam"].startswith("Gemeente "):
                bad(lp, "gemeente name")
        elif "gemeentecode" in org or not re.fullmatch(r"\d{8}", org.get("KvK-nummer", "")):
            bad(lp, "R-ORG-02/R-ORG-04 third party")
        if not _PC.match(org.get("postcode", "")):
            bad(lp, "R-ORG-04 postcode")
        contacts = org.get("contactpersonen") or []
        if not contacts:
            bad(lp, "R-ORG-03")
        for c in contacts:
            if not is_valid_email(c["email"]):
                bad(lp, "R-FMT-03/04")
        trajecten = lev.get("schuldhulptrajecten") or []
        if not trajecten:
            bad(lp, "R-LEV-02")
        codes = {t["gemeentecode"] for t in trajecten}
        if len(codes) > 1:
            bad(lp, "R-GEM-04")
        for code in codes:
            if not _GM.match(code) or code not in {g.code for g in GEMEENTEN}:
                bad(lp, "R-GEM-03")
            if variant == "gemeente" and code != org["gemeentecode"]:
                bad(lp, "R-GEM-05")
            pair = (org["(Statutaire) Naam"], code)
            if pair in seen_pairs:
                bad(lp, "R-LEV-03")
            seen_pairs.add(pair)
        for ti, t in enumerate(trajecten):
            _traject(t, f"{lp}/schuldhulptrajecten/{ti}", p_from, p_to, seen_bsn, bad)
    return out


def _traject(t: dict[str, Any], tp: str, p_from: str, p_to: str, seen: set[str], bad: Any) -> None:
    start = t.get("startdatum")
    if not start:
        bad(tp, "R-TRAJ-01")
        return
    end = t.get("einddatum")
    uit = t.get("uitstroom")
    if start > p_to:
        bad(tp, "R-PERIOD-03a")
    if end is not None and end < p_from:
        bad(tp, "R-PERIOD-03b")
    if end is not None and not start <= end:
        bad(tp, "R-TRAJ-02")
    # end of traject
    if (end is None) != (uit is None):
        bad(tp, "R-END-02/03")
    if uit is not None and not (end == uit.get("datum") == uit.get("datumBeeindigingsbeschikking")):
        bad(tp, "R-END-01")
    if uit is not None and not uit.get("reden"):
        bad(tp, "R-END-04")
    if "omschrijving" in t or (uit and "omschrijving" in uit):
        bad(tp, "R-TRAJ-04 (info)")
    # every date: not after the period end, not before the traject start, not after a closed end
    aanm_start = t.get("aanmelding", {}).get("startdatum", start)
    for path, value in _dates(t):
        if "/client/" in path:
            continue
        if value > p_to:
            bad(tp + path, "R-PERIOD-04/05")
        if value < start or value < aanm_start:
            bad(tp + path, "R-DATE-TRAJ-01a / R-DATE-ORDER-03")
        if end is not None and value > end:
            bad(tp + path, "R-DATE-TRAJ-01b")
    # clients
    clients = t.get("client") or []
    if not 1 <= len(clients) <= 2:
        bad(tp, "R-CLIENT-01")
    for c in clients:
        bsn = c.get("Burgerservicenummer", "")
        if not re.fullmatch(r"\d{9}", bsn):
            bad(tp, "R-ID-BSN-01")
        elif not elfproef(bsn):
            bad(tp, "R-ID-BSN-02")
        if len(set(bsn)) == 1:
            bad(tp, "R-ID-BSN-03")
        if bsn in seen:
            bad(tp, "R-CLIENT-02 / R-CLIENT-OVL-01")
        seen.add(bsn)
        if c.get("Geslachtsaanduiding") not in ("Man", "Vrouw", "Onbekend", "Leeg"):
            bad(tp, "R-CLIENT-GESL-01")
        geb = date.fromisoformat(c["Geboortedatum"])
        age = (date.fromisoformat(start) - geb).days / 365.25
        if not 18 <= age <= 110:
            bad(tp, "R-CLIENT-GEB-02")
        if not _PC.match(c.get("Postcode", "")) or c["Postcode"][4:] in ("SA", "SD", "SS"):
            bad(tp, "R-CLIENT-ADR-01")
        if not (c.get("Huisnummer", "").isdigit() and 1 <= int(c["Huisnummer"]) <= 99999):
            bad(tp, "R-CLIENT-ADR-02")
        if len(c.get("Huisnummertoevoeging", "")) > 4:
            bad(tp, "R-CLIENT-ADR-02 toevoeging")
    if len(clients) == 2:
        keys = ("Postcode", "Huisnummer", "Huisnummertoevoeging")
        if [clients[0].get(k) for k in keys] != [clients[1].get(k) for k in keys]:
            bad(tp, "partners share an address")
    # phases
    for key in _PHASE_OBJECTS:
        _phase(t.get(key), f"{tp}/{key}", bad)
    for key in _PHASE_ARRAYS:
        for i, item in enumerate(t.get(key) or []):
            _phase(item, f"{tp}/{key}/{i}", bad)
    order = [(k, t[k][f]) for k, f in _ORDER if k in t and f in t[k]]
    if [v for _, v in order] != sorted(v for _, v in order):
        bad(tp, "R-DATE-ORDER-01")
    chain = [k for k, _ in _ORDER if k in t]
    for prev, nxt in itertools.pairwise(chain):
        prev_end = t[prev].get("einddatum") or t[prev].get("toegekend")
        nxt_start = t[nxt].get("startdatum") or t[nxt].get("datum")
        if prev_end and nxt_start and prev_end > nxt_start:
            bad(tp, f"R-DATE-ORDER-02 {prev}->{nxt}")
    if end is not None:
        for key in _MUST_CLOSE:
            items = t.get(key)
            for item in items if isinstance(items, list) else [items] if items else []:
                if "einddatum" not in item:
                    bad(tp, f"R-DATE-TRAJ-02 {key}")
    aanmelding = t.get("aanmelding")
    crises = [c for c in t.get("crisisinterventies", []) if c.get("startdatum")]
    if aanmelding is not None and aanmelding.get("crisisinterventie") is True and not crises:
        bad(tp, "R-CRI-01")
    # intake
    intake = t.get("intake")
    if intake:
        if intake.get("einddatum") != intake.get("beschikkingsdatum"):
            bad(tp, "R-INT-01")
        if ("beschikkingsdatum" in intake) != ("beschikkingssoort" in intake):
            bad(tp, "R-INT-02")
        if intake.get("beschikkingsdatum", "9999") < intake["startdatum"]:
            bad(tp, "R-INT-03")
        later = any(k in t for k in ("stabilisatie", "schuldregeling", "oplossing"))
        if intake.get("beschikkingssoort") == "Afwijzingsbeschikking" and (later or end is None):
            bad(tp, "R-INT-05")
        pva = t.get("planVanAanpak", {}).get("datumAfronding")
        if pva and pva < intake["startdatum"]:
            bad(tp, "R-DATE-PVA-01")
    # schuldregeling
    sr = t.get("schuldregeling")
    if (t.get("toekenningsdatum") or None) != ((sr or {}).get("toegekend") or None):
        bad(tp, "R-SR-02")
    if sr:
        outcomes = [sr[k] for k in ("toegekend", "afgewezen", "ingetrokken") if k in sr]
        if len(outcomes) > 1:
            bad(tp, "R-SR-03")
        if any(o < sr["datum"] for o in outcomes):
            bad(tp, "R-SR-04")
        if sr.get("dwangakkoord") and "toegekend" not in sr:
            bad(tp, "R-SR-01")
        if sr.get("dwangakkoord") and not (
            sr["datum"] <= sr.get("datumVerzoekDwangakkoord", "") <= sr["toegekend"]
        ):
            bad(tp, "R-SR-05")
    opl = t.get("oplossing")
    if opl:
        granted = bool(sr) and "toegekend" in sr and opl["startdatum"] >= sr["toegekend"]
        if opl["soort"] in ("Saneringskrediet", "Schuldbemiddeling", "0%-aanbod") and not granted:
            bad(tp, "R-SR-07/08")
        if opl["soort"] in ("Saneringskrediet", "Schuldbemiddeling") and "einddatum" in opl:
            limit = _add_months(date.fromisoformat(opl["startdatum"]), 18)
            if date.fromisoformat(opl["einddatum"]) > limit:
                bad(tp, "R-OPL-01")
        if not 0 <= opl.get("vtlb", 0) <= 10_000:
            bad(tp, "R-OPL-02")
    for i, m in enumerate(t.get("moratoria") or []):
        if m.get("datumGoedkeuring", "9999") < m["datumAanvraag"]:
            bad(tp, "R-MOR-01")
        if "startdatum" in m and m["startdatum"] < m.get("datumGoedkeuring", ""):
            bad(tp, "R-MOR-01b")
        if (
            "einddatum" in m
            and "startdatum" in m
            and date.fromisoformat(m["einddatum"]) > _add_months(date.fromisoformat(m["startdatum"]), 6)
        ):
            bad(f"{tp}/moratoria/{i}", "R-MOR-02")
        if not sr:
            bad(tp, "R-MOR-03 (info)")
    # schulden
    schulden = t.get("schulden") or []
    if schulden and "totaalSchuldbedragBijAanvangSchuld" not in t:
        bad(tp, "R-TRAJ-05")
    for s in schulden:
        eiser = s.get("schuldeiser") or {}
        if eiser.get("naam") != eiser.get("Naam") or not eiser.get("naam"):
            bad(tp, "R-SCH-01")
        if not (s.get("peildatum") and s.get("schuldsoort") and eiser and "bedrag" in s):
            bad(tp, "R-SCH-03")
        if not 0 < s["bedrag"] <= 10_000_000:
            bad(tp, "R-AMT-02/03")
        if eiser.get("privepersoon") and "kvknummer" in eiser:
            bad(tp, "R-SCH-04")
        if not _PC.match(eiser.get("postcode", "")):
            bad(tp, "R-SCH-05")
    if t.get("totaalSchuldbedragBijAanvangSchuld", 0) < 0:
        bad(tp, "R-AMT-02")


def _phase(obj: dict[str, Any] | None, path: str, bad: Any) -> None:
    if obj is None:
        return
    if not obj:
        bad(path, "R-DATE-PHASE-03")
    s, e = obj.get("startdatum"), obj.get("einddatum")
    if e is not None and s is None and "datumAanvraag" not in obj:
        bad(path, "R-DATE-PHASE-02")
    if s is not None and e is not None and e < s:
        bad(path, "R-DATE-PHASE-01")


# --------------------------------------------------------------------------- tests


@pytest.mark.parametrize("variant", VARIANTS)
def test_clean_export_obeys_the_rules(variant: str) -> None:
    doc = _gen(600, variant=variant, k=3, seed=5)
    assert _problems(doc, variant) == []


def test_clean_over_many_seeds_and_periods() -> None:
    for seed, (start, end) in enumerate(
        [
            (date(2024, 1, 1), date(2024, 12, 31)),
            (date(2026, 1, 1), date(2026, 3, 31)),
            (date(2025, 7, 1), date(2025, 7, 1)),
        ]
    ):
        for variant in VARIANTS:
            doc = generate_export(
                trajecten=250, date_from=start, date_to=end, organisaties=2, seed=seed, variant=variant
            )
            assert _problems(doc, variant) == [], (seed, variant)


def test_plausible_mix() -> None:
    trajecten = [t for lev in _gen(3000, k=3)["leveringen"] for t in lev["schuldhulptrajecten"]]
    n = len(trajecten)
    assert n == 3000
    ended = sum("einddatum" in t for t in trajecten)
    assert 0.1 * n < ended < 0.6 * n
    assert 0.2 * n < sum(len(t["client"]) == 2 for t in trajecten) < 0.5 * n
    for key in ("intake", "stabilisatie", "schuldregeling", "oplossing", "nazorg", "schulden", "begeleiding"):
        assert sum(key in t for t in trajecten) > 0.01 * n, key
    reasons = {t["uitstroom"]["reden"] for t in trajecten if "uitstroom" in t}
    assert {"Afgerond", "Voldoet niet", "Nietverschenen"} <= reasons
    soorten = {t["oplossing"]["soort"] for t in trajecten if "oplossing" in t}
    assert {"Betalingsregeling", "Schuldbemiddeling", "Saneringskrediet"} <= soorten
    starts = sorted(t["startdatum"] for t in trajecten)
    assert starts[0] < "2025-01-01" and starts[-1] > "2025-06-01"


def test_bsns_pass_the_elfproef_and_are_unique() -> None:
    bsns = [
        c["Burgerservicenummer"]
        for lev in _gen(2000, variant="meerdere", k=3)["leveringen"]
        for t in lev["schuldhulptrajecten"]
        for c in t["client"]
    ]
    assert all(elfproef(b) for b in bsns)
    assert len(set(bsns)) == len(bsns)
    assert "000000000" not in bsns


def test_variants_shape() -> None:
    gem = _gen(50, variant="gemeente", k=3)
    assert [lev["teller"] for lev in gem["leveringen"]] == [1, 2, 3]
    for lev in gem["leveringen"]:
        org = lev["aanleverende_organisatie"]
        assert "KvK-nummer" not in org
        assert {t["gemeentecode"] for t in lev["schuldhulptrajecten"]} == {org["gemeentecode"]}
    derde = _gen(50, variant="derde", k=2)
    assert all("gemeentecode" not in lev["aanleverende_organisatie"] for lev in derde["leveringen"])
    meer = _gen(100, variant="meerdere", k=1)
    assert len(meer["leveringen"]) >= 2
    assert len({json.dumps(lev["aanleverende_organisatie"]) for lev in meer["leveringen"]}) == 1
    codes = [lev["schuldhulptrajecten"][0]["gemeentecode"] for lev in meer["leveringen"]]
    assert len(set(codes)) == len(codes)
    assert [lev["teller"] for lev in meer["leveringen"]] == list(range(1, len(codes) + 1))


def test_header() -> None:
    doc = _gen(5, vendor="Acme Schuldhulp 4.2")
    assert doc["startdatumLevering"] == "2025-01-01"
    assert doc["einddatumLevering"] == "2025-06-30"
    assert doc["aanleverdatumEnTijd"] == "2025-07-01T00:00:00Z"
    assert doc["codeGegevensleverancier"] == "Acme Schuldhulp 4.2"
    assert re.fullmatch(r"Acme \d+\.\d+\.\d+", _gen(5, vendor="Acme")["codeGegevensleverancier"])


@pytest.mark.shared
@pytest.mark.parametrize("variant", VARIANTS)
def test_every_variant_validates_against_official_and_our_schema(
    variant: str, official_schema: dict[str, Any]
) -> None:
    doc = _gen(400, variant=variant, k=2, seed=3)
    for schema in (official_schema, uitwisselmodel_schema()):
        validator = Draft202012Validator(schema, format_checker=FormatChecker())
        assert [e.message for e in validator.iter_errors(doc)] == []
    parse_document(doc)  # and the models accept it


def test_same_seed_same_bytes(tmp_path: Path) -> None:
    kw: dict[str, Any] = dict(
        trajecten=500, date_from=FROM, date_to=TO, organisaties=2, seed=42, variant="derde"
    )
    a, b = tmp_path / "a.json", tmp_path / "b.json"
    write_export(a, **kw)
    write_export(b, **kw)
    assert a.read_bytes() == b.read_bytes()
    assert a.read_bytes() == orjson.dumps(generate_export(**kw))
    assert stat.S_IMODE(a.stat().st_mode) == 0o600
    assert not list(tmp_path.glob("*.part"))
    write_export(b, **{**kw, "seed": 43})
    assert a.read_bytes() != b.read_bytes()


def test_zero_trajecten_is_valid_json() -> None:
    data = b"".join(iter_export_chunks(trajecten=0, date_from=FROM, date_to=TO))
    doc = orjson.loads(data)
    assert doc["leveringen"][0]["schuldhulptrajecten"] == []


@pytest.mark.parametrize(
    "kw",
    [
        {"trajecten": -1},
        {"date_from": date(2025, 7, 1)},
        {"organisaties": 0},
        {"variant": "provincie"},
        {"defects": ["R-NOPE-01"]},
        {"organisaties": 30, "variant": "meerdere"},
    ],
)
def test_bad_options_raise(kw: dict[str, Any]) -> None:
    args: dict[str, Any] = dict(
        trajecten=5, date_from=FROM, date_to=TO, organisaties=1, seed=1, variant="gemeente"
    )
    args.update(kw)
    with pytest.raises(GenerateError):
        generate_export(**args)


# --------------------------------------------------------------------------- defects


def _diff(a: Any, b: Any, path: str = "") -> Iterator[str]:
    if isinstance(a, dict) and isinstance(b, dict):
        for key in a.keys() | b.keys():
            sub = f"{path}/{key}"
            if key not in a or key not in b:
                yield sub
            else:
                yield from _diff(a[key], b[key], sub)
    elif isinstance(a, list) and isinstance(b, list) and len(a) == len(b):
        for i, (x, y) in enumerate(zip(a, b, strict=True)):
            yield from _diff(x, y, f"{path}/{i}")
    elif a != b or type(a) is not type(b):
        yield path


def test_at_least_twelve_defects_covering_errors_and_warnings() -> None:
    assert len(DEFECTS) >= 12
    assert {d.severity for d in DEFECTS.values()} == {"error", "warning"}


@pytest.mark.parametrize("code", sorted(DEFECTS))
def test_each_defect_changes_the_expected_place(code: str) -> None:
    clean = _gen(60, variant="meerdere", k=1, seed=9)
    broken = _gen(60, variant="meerdere", k=1, seed=9, defects=[code])
    spec = DEFECTS[code]
    paths = list(_diff(clean, broken))
    assert paths, f"{code} changed nothing"
    where = re.compile(spec.where)
    for path in paths:
        assert where.search(path), (code, path)
        if spec.level == "traject":
            assert re.match(r"^/leveringen/\d+/schuldhulptrajecten/\d+/", path), (code, path)
    if spec.level == "traject":
        touched = {re.sub(r"^(/leveringen/\d+/schuldhulptrajecten/\d+)/.*$", r"\1", p) for p in paths}
        assert 1 <= len(touched) <= 3
    # the clean part is unaffected: the other findings of the oracle are the same
    assert _gen(60, variant="meerdere", k=1, seed=9, defects=[code]) == broken


def test_defects_combine_and_stay_deterministic() -> None:
    codes = ["R-END-01", "R-ID-BSN-02", "R-SCH-01", "R-FMT-02"]
    a = _gen(80, defects=codes)
    assert a == _gen(80, defects=",".join(codes))
    problems = " ".join(_problems(a, "gemeente"))
    for code in ("R-END-01", "R-ID-BSN-02", "R-SCH-01"):
        assert code in problems


def test_oracle_sees_the_traject_defects() -> None:
    """The oracle above is not blind: most injected defects are caught by it."""
    caught = 0
    checked = 0
    for code, spec in DEFECTS.items():
        if spec.level != "traject" or code in ("R-KEY-01", "R-KEY-02", "R-NULL-01", "R-FMT-01"):
            continue
        checked += 1
        problems = " ".join(_problems(_gen(40, seed=4, defects=[code]), "gemeente"))
        caught += code in problems or code.split("-")[1] in problems
    assert caught >= checked - 3


# --------------------------------------------------------------------------- CLI


def test_cli_writes_file_and_stdout(tmp_path: Path) -> None:
    out = tmp_path / "x.json"
    result = runner.invoke(
        app, ["generate", "-n", "20", "--variant", "derde", "--seed", "3", "-o", str(out), "--quiet"]
    )
    assert result.exit_code == 0, result.output
    doc = orjson.loads(out.read_bytes())
    assert sum(len(lev["schuldhulptrajecten"]) for lev in doc["leveringen"]) == 20
    result = runner.invoke(
        app, ["generate", "-n", "20", "--variant", "derde", "--seed", "3", "-o", "-", "-q"]
    )
    assert result.exit_code == 0
    assert result.stdout_bytes == out.read_bytes()


def test_cli_list_defects() -> None:
    result = runner.invoke(app, ["generate", "--list-defects"])
    assert result.exit_code == 0
    for code in ("R-END-01", "R-ID-BSN-02", "R-SCH-01"):
        assert code in result.output


@pytest.mark.parametrize(
    ("args", "fragment"),
    [
        (["--from", "2025-07-01", "--to", "2025-01-01"], "after --to"),
        (["-n", "-5"], "0 or more"),
        (["--defects", "R-END-01,R-BOGUS-9"], "R-BOGUS-9"),
        (["--from", "1-1-2025"], "YYYY-MM-DD"),
        (["--variant", "provincie"], "gemeente, derde, meerdere"),
        ([], "-o FILE is required"),
    ],
)
def test_cli_bad_options_exit_2(args: list[str], fragment: str, tmp_path: Path) -> None:
    extra = [] if not args else ["-o", str(tmp_path / "x.json")]
    result = runner.invoke(app, ["generate", *args, *extra])
    assert result.exit_code == 2
    assert fragment in result.output.replace("\n", "")
    assert "Traceback" not in result.output


def test_cli_unwritable_target_exit_2(tmp_path: Path) -> None:
    result = runner.invoke(app, ["generate", "-n", "3", "-o", str(tmp_path / "missing" / "x.json")])
    assert result.exit_code == 2
    result = runner.invoke(app, ["generate", "-n", "3", "-o", str(tmp_path)])
    assert result.exit_code == 2


def test_cli_schema_command(tmp_path: Path) -> None:
    result = runner.invoke(app, ["schema"])
    assert result.exit_code == 0
    assert json.loads(result.stdout)["$defs"]["Schuldhulptraject"]["additionalProperties"] is False
    out = tmp_path / "b.json"
    assert runner.invoke(app, ["schema", "--bericht", "-o", str(out)]).exit_code == 0
    assert "paginering" in json.loads(out.read_text())["properties"]


def test_progress_callback_counts_every_traject(tmp_path: Path) -> None:
    seen: list[int] = []
    write_export(
        tmp_path / "p.json", trajecten=2500, date_from=FROM, date_to=TO, organisaties=3, progress=seen.append
    )
    assert sum(seen) == 2500
    assert max(seen) <= 1000


# --------------------------------------------------------------------------- agreement with `ddas validate`


def _validator() -> Any:
    try:
        from client.validation import validate_bytes
        from client.validation.findings import Profile
    except ImportError as exc:  # the validation part is built in parallel
        pytest.skip(f"client.validation is not available: {exc}")
    return validate_bytes, Profile


@pytest.mark.parametrize("variant", VARIANTS)
def test_clean_export_has_no_findings_under_the_strict_profile(variant: str) -> None:
    validate_bytes, profile = _validator()
    for seed, (start, end) in enumerate([(FROM, TO), (date(2024, 1, 1), date(2024, 12, 31))]):
        doc = generate_export(
            trajecten=800, date_from=start, date_to=end, organisaties=3, seed=seed, variant=variant
        )
        report = validate_bytes(orjson.dumps(doc), profile=profile.STRICT, check_name=False)
        found = sorted({f"{f.code} {f.severity.value} {f.path}" for f in report.findings})
        assert report.errors == 0 and report.warnings == 0, found[:10]


@pytest.mark.parametrize("code", sorted(DEFECTS))
def test_each_defect_is_reported_by_the_validator(code: str) -> None:
    validate_bytes, profile = _validator()
    doc = _gen(60, variant="meerdere", k=1, seed=9, defects=[code])
    report = validate_bytes(orjson.dumps(doc), profile=profile.STRICT, check_name=False)
    findings = [f for f in report.findings if f.code == code]
    assert findings, sorted({f.code for f in report.findings})
    assert {f.severity.value for f in findings} == {DEFECTS[code].severity}


def test_defect_share_puts_each_defect_in_that_share_of_the_trajecten() -> None:
    validate_bytes, profile = _validator()
    doc = generate_export(
        trajecten=400, date_from=FROM, date_to=TO, seed=3, defects=["R-CRI-01"], defect_share=0.5
    )
    report = validate_bytes(orjson.dumps(doc), profile=profile.STRICT, check_name=False)
    assert 150 <= report.by_code.get("R-CRI-01", 0) <= 250  # about half of 400
    again = generate_export(
        trajecten=400, date_from=FROM, date_to=TO, seed=3, defects=["R-CRI-01"], defect_share=0.5
    )
    assert again == doc  # deterministic


@pytest.mark.parametrize("share", ["0", "1.5", "-0.1"])
def test_defect_share_out_of_range_is_a_usage_error(tmp_path: Path, share: str) -> None:
    result = CliRunner().invoke(
        app, ["generate", "-o", str(tmp_path / "x.json"), "--defects", "R-CRI-01", "--defect-share", share]
    )
    assert result.exit_code == 2 and "--defect-share must be above 0 and at most 1" in result.output
    assert not (tmp_path / "x.json").exists()
