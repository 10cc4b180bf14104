"""Scale: the engine stays linear (no quadratic overlap scans) and reasonably fast; docs list every code."""

from __future__ import annotations

import copy
from pathlib import Path

import pytest

from client.validation.catalogue import RULES, markdown_table
from client.validation.findings import Profile
from client.validation.rules import RuleEngine
from client.validation.rules.clients import elfproef
from client.validation.rules.crossref import MAX_PER_ADDRESS, MAX_PER_BSN
from tests.test_rules_fixtures import NOW, clean_document, clean_traject, run

ROOT = Path(__file__).resolve().parent.parent


_BSNS: list[str] = []


def _bsn(i: int) -> str:
    """The i-th nine-digit number (from 100000000 up) that passes the 11-check."""
    n = int(_BSNS[-1]) + 1 if _BSNS else 100_000_000
    while len(_BSNS) <= i:
        if elfproef(str(n)):
            _BSNS.append(str(n))
        n += 1
    return _BSNS[i]


def _engine_over(trajecten: list[dict[str, object]]) -> tuple[int, RuleEngine]:
    engine = RuleEngine(Profile.STANDARD, now=NOW)
    engine.raise_internal = True
    doc = clean_document()
    engine.header({k: v for k, v in doc.items() if k != "leveringen"})
    lev = {k: v for k, v in doc["leveringen"][0].items() if k != "schuldhulptrajecten"}
    engine.levering(0, lev)
    n = 0
    for i, t in enumerate(trajecten):
        n += len(engine.traject(0, i, t))
    n += len(engine.levering_end(0, len(trajecten)))
    return n, engine


@pytest.mark.timeout(120)
def test_same_bsn_and_address_everywhere_stays_linear() -> None:
    base = clean_traject()
    trajecten = []
    for i in range(4000):
        t = copy.deepcopy(base)
        t["omschrijving"] = f"T{i}"  # not exact duplicates
        if i % 2:
            t["client"][0]["Burgerservicenummer"] = _bsn(i)  # other people at the same address
        trajecten.append(t)
    findings, engine = _engine_over(trajecten)
    assert engine.internal_errors == 0
    assert findings >= 1000  # overlaps are reported...
    # ...against a bounded set of earlier trajecten per BSN and address, so the scan stays linear
    state = engine._state
    assert all(not isinstance(v, list) or len(v) <= MAX_PER_BSN for v in state.bsn.values())
    assert all(not isinstance(v, list) or len(v) <= MAX_PER_ADDRESS for v in state.addresses.values())


@pytest.mark.timeout(120)
def test_clean_trajecten_at_scale_give_no_findings() -> None:
    base = clean_traject()
    trajecten = []
    for i in range(10_000):
        t = copy.deepcopy(base)
        t["client"][0]["Burgerservicenummer"] = _bsn(i)
        t["client"][0]["Huisnummer"] = str(1 + i)
        trajecten.append(t)
    findings, engine = _engine_over(trajecten)
    assert findings == 0
    assert engine.internal_errors == 0  # speed is measured in benchmarks/, not here


def test_envelope_without_gegevens_reports_r_api_03_once() -> None:
    found = run({"data": clean_document()}, Profile.STANDARD, envelope=True)
    assert [(f.code, f.path) for f in found].count(("R-API-03", "/gegevens")) == 1


def test_readme_part_lists_every_code() -> None:
    text = (ROOT / "docs" / "rules.md").read_text(encoding="utf-8")
    for code in RULES:
        assert f"`{code}`" in text, code
    assert markdown_table() in text, "regenerate the table with client.validation.catalogue.markdown_table()"
