"""The engine never raises on schema-invalid input, and never leaks a BSN into a message or hint."""

from __future__ import annotations

import copy
import json
import re
from pathlib import Path
from typing import Any

import orjson
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from client.validation.findings import Profile
from client.validation.rules import RuleEngine
from tests.test_rules_fixtures import NOW, clean_document, clean_traject, copy_doc, run

_json = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(-5, 10**12)
    | st.floats(allow_nan=False)
    | st.text(max_size=12)
    | st.sampled_from(
        ["2024-02-30", "2024-01-01", "", "GM0344", "Onbekend", "123456789", "9999-12-31", "0001-01-01"]
    ),
    lambda children: (
        st.lists(children, max_size=3) | st.dictionaries(st.text(max_size=8), children, max_size=4)
    ),
    max_leaves=12,
)

_KEYS = sorted(
    {k for k in clean_traject()}
    | {"Burgerservicenummer", "Geboortedatum", "startdatum", "einddatum", "datum", "soort", "reden", "bedrag"}
)


def _paths(obj: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    out = [prefix]
    if isinstance(obj, dict):
        for k, v in obj.items():
            out += _paths(v, (*prefix, k))
    elif isinstance(obj, list):
        for i, v in enumerate(obj):
            out += _paths(v, (*prefix, i))
    return out


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data(), profile=st.sampled_from(list(Profile)), envelope=st.booleans())
def test_mutated_documents_never_raise(data: st.DataObject, profile: Profile, envelope: bool) -> None:
    doc: Any = clean_document()
    doc["leveringen"][0]["schuldhulptrajecten"].append(clean_traject())
    for _ in range(data.draw(st.integers(1, 4))):
        paths = _paths(doc)
        path = data.draw(st.sampled_from(paths))
        value = data.draw(_json)
        if not path:
            doc = value
            continue
        parent = doc
        for part in path[:-1]:
            parent = parent[part]
        parent[path[-1]] = value
    engine = RuleEngine(profile, envelope=envelope, now=NOW)
    engine.raise_internal = True
    found = engine.run({"gegevens": doc, "paginering": data.draw(_json)} if envelope else doc)
    assert engine.internal_errors == 0
    for f in found:
        assert f.path == "" or f.path.startswith("/")


@settings(max_examples=150, deadline=None)
@given(traject=st.dictionaries(st.sampled_from(_KEYS), _json, max_size=8))
def test_random_trajecten_never_raise(traject: dict[str, Any]) -> None:
    engine = RuleEngine(Profile.STRICT, now=NOW)
    engine.raise_internal = True
    engine.header(clean_document())
    engine.levering(0, {"teller": 1})
    engine.traject(0, 0, traject)
    engine.traject(0, 1, traject)
    engine.levering_end(0, 2)
    engine.finish()
    assert engine.internal_errors == 0


def test_wrong_shapes_are_skipped() -> None:
    engine = RuleEngine(now=NOW)
    engine.raise_internal = True
    values: list[Any] = [None, [], "x", 3, {"leveringen": "x"}]
    for value in values:
        engine.header(value)
        engine.levering(0, value)
        engine.traject(0, 0, value)
    doc = copy_doc()
    t = doc["leveringen"][0]["schuldhulptrajecten"][0]
    t.update(
        startdatum=["2024-01-01"],
        client={"Burgerservicenummer": 5},
        intake=[],
        schulden={"a": 1},
        begeleiding=[None, 3, {"startdatum": {}}],
        uitstroom="Afgerond",
        oplossing={"startdatum": 20240101, "soort": ["x"]},
    )
    run(doc, Profile.STRICT)
    assert engine.internal_errors == 0


_NINE = re.compile(r"(?<!\d)\d{9}(?!\d)")


def _bsns(doc: Any) -> set[str]:
    text = json.dumps(doc)
    return set(_NINE.findall(text))


def _assert_no_bsn(found: list[Any], bsns: set[str]) -> None:
    for f in found:
        for text in (f.message, f.hint, f.path):
            for bsn in bsns:
                assert bsn not in text, (f.code, text)


def test_no_bsn_in_messages_or_hints(official_examples: list[Path]) -> None:
    docs: list[Any] = [json.loads(p.read_text(encoding="utf-8")) for p in official_examples]
    # a document where every BSN rule fires, with the BSN also in free text
    doc = copy_doc()
    t = doc["leveringen"][0]["schuldhulptrajecten"][0]
    t["omschrijving"] = "klant 123456782"
    t["client"].append(copy.deepcopy(t["client"][0]))  # R-CLIENT-02
    doc["leveringen"][0]["schuldhulptrajecten"].append(copy.deepcopy(t) | {"omschrijving": "x 987654321"})
    bad = copy.deepcopy(clean_traject())
    bad["client"] = [{"Burgerservicenummer": "123456789"}, {"Burgerservicenummer": "999999999"}]
    bad["gemeentecode"] = "123456789"
    doc["leveringen"][0]["schuldhulptrajecten"].append(bad)
    docs.append(doc)
    for d in docs:
        for profile in Profile:
            found = run(d, profile)
            assert found
            _assert_no_bsn(found, _bsns(d))


# ---- a crashing rule never passes a file (issue 9 item 4) ------------------------------------------


def _boom(ctx: Any) -> None:
    raise KeyError("123456782")  # a message that quotes data: it must not reach the finding


def _inject_failing_rule(monkeypatch: pytest.MonkeyPatch) -> None:
    """Add `_boom` to every new engine's check list: reaches the compiled build as well as pure Python."""
    from client.validation.rules import engine as engine_module

    original = engine_module.RuleEngine.__init__

    def init(self: Any, *args: Any, **kwargs: Any) -> None:
        original(self, *args, **kwargs)
        self._always = (*self._always, _boom)

    monkeypatch.setattr(engine_module.RuleEngine, "__init__", init)


@pytest.mark.parametrize("profile", [Profile.STANDARD, Profile.STRICT])
def test_a_failing_rule_is_an_internal_error_finding(
    monkeypatch: pytest.MonkeyPatch, profile: Profile
) -> None:
    from client.validation import validate_bytes

    clean = orjson.dumps(clean_document())
    assert validate_bytes(clean, check_name=False, profile=profile).valid
    _inject_failing_rule(monkeypatch)
    report = validate_bytes(clean, check_name=False, profile=profile)
    internal = [f for f in report.findings if f.code == "R-INTERNAL-01"]
    assert not report.valid and internal
    first = internal[0]
    assert first.severity.value == "error"
    assert first.path == "/leveringen/0/schuldhulptrajecten/0"
    assert "_boom" in first.message and "KeyError" in first.message
    assert "123456782" not in first.message + first.hint and "6782" not in first.message


def test_a_failing_rule_makes_ddas_validate_exit_1(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    from click.testing import CliRunner

    from client.cli import app
    from client.commands import exitcodes

    _inject_failing_rule(monkeypatch)
    path = tmp_path / "export.json"
    path.write_bytes(orjson.dumps(clean_document()))
    result = CliRunner().invoke(app, ["validate", str(path)])
    assert result.exit_code == exitcodes.CONTENT_ERROR, result.output
    assert "R-INTERNAL-01" in result.output and "Traceback" not in result.output
    assert "123456782" not in result.output
