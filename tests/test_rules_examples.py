"""The official examples: zero errors under `standard`, and the warnings RULES.md §3.2 says they trigger."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import pytest

from client.validation.findings import Profile, Severity
from tests.test_rules_fixtures import run


def _load(path: Path) -> object:
    return json.loads(path.read_text(encoding="utf-8"))


def test_examples_have_no_errors_under_standard(official_examples: list[Path]) -> None:
    for path in official_examples:
        found = run(_load(path), Profile.STANDARD)
        errors = [f for f in found if f.severity is Severity.ERROR]
        assert errors == [], (path.name, errors)


def test_examples_raise_the_documented_warnings(official_examples: list[Path]) -> None:
    by_name = {
        p.name: Counter((f.code, f.severity) for f in run(_load(p), Profile.STANDARD))
        for p in official_examples
    }
    W = Severity.WARNING
    for name, counts in by_name.items():
        # Q-EX-01 (elfproef), Q-EX-10 (vendor code), Q-EX-03 (KvK and gemeentecode), Q-EX-02 (GM + 3 digits),
        # Q-EX-06 (einddatum without uitstroom), Q-EX-05 (toekenningsdatum before the start)
        for code in (
            "R-ID-BSN-02",
            "R-META-01",
            "R-ORG-02",
            "R-GEM-03",
            "R-END-02",
            "R-END-03",
            "R-SR-02",
            "R-SR-06",
        ):
            assert counts[(code, W)] >= 1, (name, code)
    meervoudig = by_name.get("meervoudigVoorbeeld.json")
    if meervoudig is not None:  # Q-EX-04
        assert meervoudig[("R-GEM-04", W)] >= 1
        assert meervoudig[("R-GEM-05", W)] == 8
    enkelvoudig = by_name.get("enkelvoudigVoorbeeld.json")
    if enkelvoudig is not None:  # Q-EX-08
        assert enkelvoudig[("R-CRI-01", W)] == 1


@pytest.mark.parametrize("profile", list(Profile), ids=lambda p: p.value)
def test_examples_in_api_envelope(official_examples: list[Path], profile: Profile) -> None:
    for path in official_examples:
        doc = _load(path)
        found = run({"gegevens": doc}, profile, envelope=True)
        assert all(f.path.startswith("/gegevens/") for f in found), path.name
        assert not [f for f in found if f.code.startswith("R-API")]


def test_strict_profile_turns_the_documented_cases_into_errors(official_examples: list[Path]) -> None:
    for path in official_examples:
        found = run(_load(path), Profile.STRICT)
        codes = {f.code for f in found if f.severity is Severity.ERROR}
        assert {"R-ID-BSN-02", "R-GEM-03"} <= codes, path.name
