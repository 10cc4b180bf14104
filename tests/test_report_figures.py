"""Quality report: exact figures on a hand-made document, flags, findings, privacy, HTML hygiene."""

from __future__ import annotations

import json
import random
import re
import statistics
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import orjson
import pytest

from client.report import ReportBuilder, build_report, render_html, render_text
from client.report.figures import AmountDistribution
from client.validation import validate_bytes
from client.validation.findings import Finding, Severity
from client.validation.reader import iter_events

PERIOD = ("2025-01-01", "2025-06-30")
BSN_A, BSN_B, BSN_C, BSN_D = "111222333", "123456782", "999888777", "246813579"
ALL_BSNS = (BSN_A, BSN_B, BSN_C, BSN_D)


def client(bsn: str | None, **extra: str) -> dict[str, str]:
    data = {
        "Geboortedatum": "1980-05-01",
        "Geslachtsaanduiding": "Vrouw",
        "Postcode": "1234AB",
        "Huisnummer": "1",
    }
    data.update(extra)
    if bsn is not None:
        data["Burgerservicenummer"] = bsn
    return data


def hand_made() -> dict[str, Any]:
    """Six trajecten around the period boundaries; GM0363 has five, GM0014 one."""
    t1 = {  # starts on the first day, open: started + running
        "gemeentecode": "GM0363",
        "startdatum": "2025-01-01",
        "totaalSchuldbedragBijAanvangSchuld": 1000,
        "aanmelding": {"startdatum": "2024-12-15"},
        "client": [{k: v for k, v in client(BSN_A).items() if k != "Geslachtsaanduiding"}],
        "schulden": [{"bedrag": 100, "schuldsoort": "Zorg"}, {"bedrag": 300, "schuldsoort": "Publiek"}],
    }
    t2 = {  # ends on the last day: ended, not running; two clients, one shared with t1
        "gemeentecode": "GM0363",
        "startdatum": "2024-06-01",
        "einddatum": "2025-06-30",
        "totaalSchuldbedragBijAanvangSchuld": 3000,
        "client": [client(BSN_B), client(BSN_A)],
        "schuldregeling": {"datum": "2024-09-01", "toegekend": "2024-10-01", "dwangakkoord": True},
        "oplossing": {"soort": "Schuldbemiddeling", "startdatum": "2024-11-01"},
        "uitstroom": {
            "datum": "2025-06-30",
            "datumBeeindigingsbeschikking": "2025-06-30",
            "reden": "Afgerond",
        },
        "schulden": [{"bedrag": 200, "schuldsoort": "Zorg"}],
    }
    t3 = {  # starts on the last day, ends after the period: started + running, not ended
        "gemeentecode": "GM0363",
        "startdatum": "2025-06-30",
        "einddatum": "2025-07-01",
        "totaalSchuldbedragBijAanvangSchuld": 2000,
        "client": [client(BSN_C)],
        "begeleiding": [
            {"soort": "Budgetbeheer", "startdatum": "2025-06-30"},
            {"soort": "Budgetbeheer"},
            {"soort": "Budgetcoaching", "startdatum": "2025-06-30"},
        ],
    }
    t4 = {  # ended before the period: none of the three; shares its client with t3
        "gemeentecode": "GM0363",
        "startdatum": "2024-12-31",
        "einddatum": "2024-12-31",
        "totaalSchuldbedragBijAanvangSchuld": 10000,
        "client": [client(BSN_C)],
    }
    t5 = {  # no startdatum: falls back to aanmelding; client without BSN, aged 15, gender Leeg
        "gemeentecode": "GM0363",
        "aanmelding": {"startdatum": "2025-02-01", "crisisinterventie": False},
        "intake": {"startdatum": "2025-02-10", "beschikkingssoort": "Toelatingsbeschikking"},
        "client": [client(None, Geboortedatum="2010-01-01", Geslachtsaanduiding="Leeg")],
    }
    t6 = {  # the only traject of GM0014; ended through uitstroom.datum (no einddatum)
        "gemeentecode": "GM0014",
        "startdatum": "2025-03-01",
        "uitstroom": {"datum": "2025-04-01", "reden": "Verhuisd"},
        "client": [client(BSN_D)],
    }
    return {
        "startdatumLevering": PERIOD[0],
        "einddatumLevering": PERIOD[1],
        "aanleverdatumEnTijd": "2025-07-10T12:00:00Z",
        "codeGegevensleverancier": "Acme SHV 4.2",
        "leveringen": [
            {
                "teller": 1,
                "aanleverende_organisatie": {"(Statutaire) Naam": "Kredietbank <Rivierenland> & Co"},
                "schuldhulptrajecten": [t1, t2, t3, t4, t5],
            },
            {
                "teller": 2,
                "aanleverende_organisatie": {"(Statutaire) Naam": "Gemeente Groningen"},
                "schuldhulptrajecten": [t6],
            },
        ],
    }


FIXED = datetime(2025, 7, 11, 9, 30, tzinfo=UTC)


@pytest.fixture(scope="module")
def report() -> dict[str, Any]:
    return build_report(hand_made(), findings=[], generated_at=FIXED)


def row(report: dict[str, Any], code: str) -> dict[str, Any]:
    return next(r for r in report["municipalities"] if r["gemeentecode"] == code)


def completeness(figures: dict[str, Any], field: str) -> dict[str, Any]:
    return next(c for c in figures["completeness"] if c["field"] == field)


def test_period_and_metadata_come_from_the_header(report: dict[str, Any]) -> None:
    assert report["period"] == {"start": PERIOD[0], "end": PERIOD[1], "source": "header"}
    assert report["generated_at"] == "2025-07-11T09:30:00Z"
    assert report["report_version"] == "1.0"
    assert report["delivery"]["organisations"] == ["Kredietbank <Rivierenland> & Co", "Gemeente Groningen"]
    assert report["delivery"]["leveringen"] == 2
    assert report["delivery"]["codeGegevensleverancier"] == "Acme SHV 4.2"
    assert set(report["method"]) >= {"amounts", "clients", "period", "completeness"}
    assert [r["gemeentecode"] for r in report["municipalities"]] == ["GM0014", "GM0363"]
    json.dumps(report)  # JSON-able as it stands


def test_started_ended_running_on_the_boundaries(report: dict[str, Any]) -> None:
    gm = row(report, "GM0363")
    assert gm["trajecten"] == 5
    assert (gm["started_in_period"], gm["ended_in_period"], gm["running_at_end"]) == (3, 1, 3)
    assert (row(report, "GM0014")["started_in_period"], row(report, "GM0014")["ended_in_period"]) == (1, 1)
    t = report["totals"]
    assert (t["trajecten"], t["started_in_period"], t["ended_in_period"], t["running_at_end"]) == (6, 4, 2, 3)


def test_the_period_argument_wins_over_the_header() -> None:
    r = build_report(hand_made(), period_start=date(2025, 7, 1), period_end=date(2025, 12, 31))
    assert r["period"]["source"] == "argument"
    # only t3 ends (2025-07-01); t1 and t5 are still running; nothing starts
    assert (r["totals"]["started_in_period"], r["totals"]["ended_in_period"]) == (0, 1)
    assert r["totals"]["running_at_end"] == 2


def test_distinct_clients_share_bsns_across_trajecten(report: dict[str, Any]) -> None:
    gm = row(report, "GM0363")
    assert gm["client_records"] == 6
    assert gm["clients"] == 4  # A (twice), B, C (twice), and one without BSN
    assert gm["clients_without_bsn"] == 1
    assert report["totals"]["clients"] == 5
    assert report["totals"]["client_records"] == 7


def test_completeness_percentages(report: dict[str, Any]) -> None:
    gm, t = row(report, "GM0363"), report["totals"]
    assert completeness(gm, "startdatum")["percent"] == 80.0
    assert completeness(t, "startdatum")["percent"] == 83.3
    assert completeness(gm, "client.Burgerservicenummer")["percent"] == 83.3
    assert completeness(t, "client.Burgerservicenummer")["percent"] == 85.7
    geslacht = completeness(gm, "client.Geslachtsaanduiding")  # one absent, one "Leeg"
    assert (geslacht["present"], geslacht["denominator"], geslacht["percent"]) == (4, 6, 66.7)
    eind = completeness(t, "einddatum")  # over the trajecten with an uitstroom: t2 has it, t6 not
    assert (eind["present"], eind["denominator"], eind["percent"]) == (1, 2, 50.0)
    beg = completeness(gm, "begeleiding.startdatum")  # items: 2 of 3 have a startdatum
    assert (beg["present"], beg["denominator"]) == (2, 3)
    assert completeness(gm, "nazorg.startdatum")["percent"] is None


def test_phase_counts_and_splits(report: dict[str, Any]) -> None:
    t = report["totals"]
    assert t["phases"]["aanmelding"] == 2
    assert t["phases"]["intake"] == 1
    assert t["phases"]["begeleiding"] == 1
    assert t["phases"]["uitstroom"] == 2
    assert t["phases"]["nazorg"] == 0
    assert t["intake_beschikkingssoort"] == {"Toelatingsbeschikking": 1, "Afwijzingsbeschikking": 0}
    assert t["begeleiding_soort"]["Budgetbeheer"] == 1  # trajecten, not items
    assert t["begeleiding_soort"]["Budgetcoaching"] == 1
    assert t["schuldregeling"] == {"toegekend": 1, "afgewezen": 0, "ingetrokken": 0, "dwangakkoord": 1}
    assert t["oplossing_soort"]["Schuldbemiddeling"] == 1
    assert t["uitstroom_reden"]["Afgerond"] == 1 and t["uitstroom_reden"]["Verhuisd"] == 1
    assert sum(t["uitstroom_reden"].values()) == 2


def test_debt_amounts(report: dict[str, Any]) -> None:
    debts = report["totals"]["debts"]
    total = debts["totaalSchuldbedragBijAanvangSchuld"]
    assert (total["count"], total["sum"], total["median"], total["p90"]) == (4, 16000, 2500, 7900)
    assert total["exact"] is True
    assert debts["schulden"]["count"] == 3 and debts["schulden"]["sum"] == 600
    assert debts["per_schuldsoort"]["Zorg"] == {
        "count": 2,
        "sum": 300,
        "median": 150,
        "p90": 190,
        "min": 100,
        "max": 200,
        "exact": True,
    }
    assert debts["schulden_per_schuldsoort"] == {"Zorg": 2, "Publiek": 1, "Nuts": 0, "Overig": 0}


def test_single_traject_missing_bsn_and_age_flags(report: dict[str, Any]) -> None:
    flags = {(f["code"], f["gemeentecode"]) for f in report["plausibility"]}
    assert ("single-traject", "GM0014") in flags
    assert ("single-traject", "GM0363") not in flags
    assert ("missing-bsn", "GM0363") in flags  # 1 of 6 records
    assert ("age-outside-18-110", "GM0363") in flags  # 15 at the start of t5
    assert ("missing-bsn", "GM0014") not in flags
    assert report["totals"]["ages"]["outside_18_110"] == 1


def test_drop_of_more_than_half_against_previous() -> None:
    previous = {
        "totals": {"trajecten": 20},
        "municipalities": [
            {"gemeentecode": "GM0363", "trajecten": 11},  # 5 < 5.5: flagged
            {"gemeentecode": "GM0014", "trajecten": 2},  # 1 is exactly half: not "more than half"
            {"gemeentecode": "GM9999", "trajecten": 3},  # gone entirely: flagged
        ],
    }
    r = build_report(hand_made(), previous=previous)
    drops = {
        (f["gemeentecode"], f["previous"], f["current"]) for f in r["plausibility"] if f["code"] == "drop"
    }
    assert drops == {("GM0363", 11, 5), ("GM9999", 3, 0), (None, 20, 6)}
    assert row(r, "GM0363")["previous_trajecten"] == 11
    assert r["totals"]["previous_trajecten"] == 20
    # the same figures as previous: no drop at all
    same = build_report(hand_made(), previous=r)
    assert not [f for f in same["plausibility"] if f["code"] == "drop"]


def test_findings_grouped_by_rule_with_examples() -> None:
    findings: list[Finding | dict[str, Any]] = [
        Finding(
            "R-ID-BSN-02", Severity.WARNING, f"/leveringen/0/schuldhulptrajecten/{i}/client/0", "*****2333"
        )
        for i in range(5)
    ]
    findings.append(
        {"code": "R-SCHEMA-01", "severity": "error", "path": "/leveringen/0/teller", "message": "x"}
    )
    findings.append(Finding("R-PERIOD-05", Severity.INFO, "", "after the period"))
    r = build_report(hand_made(), findings=findings)
    f = r["findings"]
    assert (f["checked"], f["errors"], f["warnings"], f["infos"]) == (True, 1, 5, 1)
    assert [g["code"] for g in f["by_rule"]] == ["R-SCHEMA-01", "R-ID-BSN-02", "R-PERIOD-05"]
    bsn = f["by_rule"][1]
    assert bsn["count"] == 5 and bsn["severity"] == "warning"
    assert bsn["examples"] == [f"/leveringen/0/schuldhulptrajecten/{i}/client/0" for i in range(3)]
    assert "message" not in bsn  # messages are not copied: paths and counts only
    assert build_report(hand_made())["findings"]["checked"] is False


def test_no_bsn_anywhere_in_the_outputs() -> None:
    findings = [Finding("R-ID-BSN-02", Severity.WARNING, "/leveringen/0/schuldhulptrajecten/0", "*****2333")]
    r = build_report(hand_made(), findings=findings, previous={"totals": {"trajecten": 100}})
    outputs = [json.dumps(r), orjson.dumps(r).decode(), render_html(r), render_text(r)]
    for text in outputs:
        for bsn in ALL_BSNS:
            assert bsn not in text


def test_html_is_self_contained_and_escaped(report: dict[str, Any]) -> None:
    page = render_html({**report, "status": "technisch_goedgekeurd"})
    assert page.startswith("<!DOCTYPE html>")
    refs = re.findall(r"""(?:src|href|xlink:href|action)\s*=\s*["']?([^"'\s>]+)""", page, flags=re.I)
    assert not [ref for ref in refs if not ref.startswith("#")]
    assert "http://" not in page and "https://" not in page
    assert "@import" not in page and "url(" not in page
    assert "<link" not in page.lower()
    assert "Kredietbank &lt;Rivierenland&gt; &amp; Co" in page
    assert "<Rivierenland>" not in page
    assert "Technical check passed" in page
    for name in ("municipalities", "funnel", "uitstroom", "oplossing", "completeness"):
        assert f'data-chart="{name}"' in page
    # bar sizes follow the data: the municipality bars differ (5 against 1 trajecten)
    bars = re.search(r'data-chart="municipalities".*?</svg>', page, flags=re.S)
    assert bars is not None
    widths = [
        float(w) for w in re.findall(r'class="bar" data-value="\d+"[^>]*width="([\d.]+)"', bars.group(0))
    ]
    assert len(widths) == 2 and widths[0] == pytest.approx(5 * widths[1], rel=0.01)


def test_html_verdicts() -> None:
    base = build_report(hand_made(), findings=[Finding("R-SCHEMA-01", Severity.ERROR, "/x", "bad")])
    assert "the technical check would reject this" in render_html(base)
    assert "Technical check failed" in render_html({**base, "status": "technisch_afgekeurd"})
    assert "Not validated" in render_html(build_report(hand_made()))


def test_text_summary(report: dict[str, Any]) -> None:
    text = render_text(report)
    assert "trajecten 6 · clients 5 · started 4 · ended 2 · running at end 3" in text
    assert "GM0014: only one traject" in text
    assert len(text.splitlines()) < 20


def test_render_handles_an_empty_document() -> None:
    r = build_report(
        {"startdatumLevering": "2025-01-01", "einddatumLevering": "2025-06-30", "leveringen": []}
    )
    assert r["totals"]["trajecten"] == 0 and r["municipalities"] == []
    page = render_html(r)
    assert "No data for this chart." in page
    assert "trajecten 0" in render_text(r)


def test_sources_bytes_path_dict_and_envelope_agree(tmp_path: Path) -> None:
    doc = hand_made()
    raw = orjson.dumps(doc)
    path = tmp_path / "doc.json"
    path.write_bytes(raw)
    env_path = tmp_path / "env.json"
    env_path.write_bytes(orjson.dumps({"gegevens": doc, "paginering": {"currentPage": 1, "totalPages": 1}}))
    results = [
        build_report(source, generated_at=FIXED)
        for source in (doc, raw, path, env_path, b"\xef\xbb\xbf" + raw, {"gegevens": doc})
    ]
    for r in results[1:]:
        assert r["totals"] == results[0]["totals"]
        assert r["municipalities"] == results[0]["municipalities"]


def test_pages_of_one_delivery_make_one_report() -> None:
    doc = hand_made()
    first = {
        **doc,
        "leveringen": [
            {**doc["leveringen"][0], "schuldhulptrajecten": doc["leveringen"][0]["schuldhulptrajecten"][:2]}
        ],
    }
    second = {
        **doc,
        "leveringen": [
            {**doc["leveringen"][0], "schuldhulptrajecten": doc["leveringen"][0]["schuldhulptrajecten"][2:]},
            doc["leveringen"][1],
        ],
    }
    pages = [orjson.dumps({"gegevens": first, "paginering": {"currentPage": 1}}), {"gegevens": second}]
    r = build_report(pages, generated_at=FIXED)
    whole = build_report(doc, generated_at=FIXED)
    assert r["totals"] == whole["totals"] and r["municipalities"] == whole["municipalities"]
    assert r["delivery"]["leveringen"] == 2


def test_observe_dispatches_reader_events() -> None:
    builder = ReportBuilder()
    for event in iter_events(orjson.dumps(hand_made())):
        builder.observe(event)
    r = builder.build([], generated_at=FIXED)
    assert r == build_report(hand_made(), findings=[], generated_at=FIXED)


def test_tolerates_schema_invalid_data() -> None:
    doc: dict[str, Any] = {
        "startdatumLevering": 20250101,
        "leveringen": [
            "nonsense",
            {
                "aanleverende_organisatie": ["x"],
                "schuldhulptrajecten": [
                    None,
                    {"gemeentecode": 363, "client": "x", "schulden": [None, {"bedrag": "12"}], "intake": []},
                    {
                        "gemeentecode": "",
                        "startdatum": "2025-13-45",
                        "client": [None, {"Burgerservicenummer": 1}],
                    },
                    {
                        "totaalSchuldbedragBijAanvangSchuld": 12.6,
                        "uitstroom": {"reden": 5},
                        "begeleiding": [3],
                    },
                ],
            },
        ],
    }
    r = build_report(doc)
    assert r["totals"]["trajecten"] == 3
    assert r["period"]["start"] is None and r["totals"]["started_in_period"] is None
    assert r["totals"]["debts"]["totaalSchuldbedragBijAanvangSchuld"]["sum"] == 13
    render_html(r)
    render_text(r)


def test_amount_distribution_exact_then_histogram() -> None:
    rnd = random.Random(4)
    values = [int(rnd.lognormvariate(9, 1.2)) for _ in range(30_000)]
    dist = AmountDistribution()
    for v in values[:1000]:
        dist.add(v)
    small = dist.to_dict()
    assert small["exact"] is True
    assert small["median"] == round(statistics.median(values[:1000]))
    for v in values[1000:]:
        dist.add(v)
    big = dist.to_dict()
    assert big["exact"] is False  # more than 4096 distinct amounts: folded into the histogram
    assert big["count"] == len(values) and big["sum"] == sum(values)
    assert (big["min"], big["max"]) == (min(values), max(values))
    ordered = sorted(values)
    assert big["median"] == pytest.approx(statistics.median(values), rel=0.01)
    assert big["p90"] == pytest.approx(ordered[int(0.9 * (len(values) - 1))], rel=0.01)
    merged = AmountDistribution()
    merged.merge(dist)
    merged.merge(AmountDistribution())
    assert merged.to_dict() == big


def test_state_is_compact_and_fast() -> None:
    """20k trajecten: memory does not grow with trajecten (no lists), and the pass is quick."""
    rnd = random.Random(1)
    builder = ReportBuilder("2025-01-01", "2025-06-30")
    builder.levering(0, {"aanleverende_organisatie": {"(Statutaire) Naam": "X"}})
    trajecten = [
        {
            "gemeentecode": f"GM{rnd.randint(1, 5):04d}",
            "startdatum": f"2025-0{rnd.randint(1, 9)}-10",
            "totaalSchuldbedragBijAanvangSchuld": rnd.randint(0, 50_000),
            "client": [{"Burgerservicenummer": f"{rnd.randrange(10**9):09d}", "Geboortedatum": "1980-01-01"}],
            "intake": {"startdatum": "2025-01-10", "beschikkingssoort": "Toelatingsbeschikking"},
            "schulden": [{"bedrag": rnd.randint(1, 5000), "schuldsoort": "Zorg"}],
        }
        for _ in range(20_000)
    ]
    for i, t in enumerate(trajecten):
        builder.traject(0, i, t)
    stats = builder._gemeenten
    assert len(stats) == 5
    for g in stats.values():
        assert len(g.c) < 60
        assert len(g.amounts_totaal.table) + len(g.amounts_totaal.bins) <= 4096 + 2000
    assert builder.build()["totals"]["trajecten"] == 20_000


def test_one_pass_with_the_validator_gives_the_same_report() -> None:
    raw = orjson.dumps(hand_made())
    builder = ReportBuilder()
    result = validate_bytes(raw, observers=[builder])
    r = builder.build(result.findings, generated_at=FIXED)
    assert r["totals"] == build_report(raw, generated_at=FIXED)["totals"]
    assert r["findings"]["checked"] is True
    assert r["findings"]["errors"] == result.errors
    assert sum(g["count"] for g in r["findings"]["by_rule"]) == len(result.findings)
    page = render_html(r)
    for bsn in ALL_BSNS:
        assert bsn not in page and bsn not in json.dumps(r)


def test_official_examples_give_reports(official_examples: list[Path]) -> None:
    for path in official_examples:
        r = build_report(path)
        assert r["totals"]["trajecten"] >= 1
        assert r["period"]["source"] == "header"
        render_html(r)
