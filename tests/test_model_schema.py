"""The generated schema: committed files do not drift, and it means what the official schema means."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from jsonschema import Draft202012Validator, FormatChecker

from client.schema import (
    BERICHT_SCHEMA_FILE,
    UITWISSELMODEL_SCHEMA_FILE,
    bericht_schema,
    render,
    render_generated,
    traject_schema,
    uitwisselmodel_schema,
)


def test_committed_uitwisselmodel_schema_matches_models() -> None:
    assert UITWISSELMODEL_SCHEMA_FILE.read_text(encoding="utf-8") == render(uitwisselmodel_schema()), (
        "openapi/uitwisselmodel-v1.0.schema.json drifted from client.model: "
        "run `python -m client.schema --write`"
    )


def test_committed_bericht_schema_matches_models() -> None:
    assert BERICHT_SCHEMA_FILE.read_text(encoding="utf-8") == render(bericht_schema()), (
        "openapi/bericht.schema.json drifted from client.model: run `python -m client.schema --write`"
    )


def test_validator_copy_matches_models() -> None:
    """The validator reads this copy instead of importing pydantic at start-up: it must not drift."""
    from client.validation.schema_check import GENERATED_SCHEMAS_FILE, generated_schemas

    assert GENERATED_SCHEMAS_FILE.read_bytes() == render_generated(), (
        "client/validation/generated_schemas.json drifted from client.model: "
        "run `python -m client.schema --write`"
    )
    assert generated_schemas() == {"uitwisselmodel": uitwisselmodel_schema(), "bericht": bericht_schema()}


def test_schemas_are_valid_2020_12() -> None:
    for schema in (uitwisselmodel_schema(), bericht_schema(), traject_schema()):
        assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
        Draft202012Validator.check_schema(schema)


def test_defs_needed_by_the_validator() -> None:
    schema = uitwisselmodel_schema()
    assert {"Levering", "Schuldhulptraject"} <= set(schema["$defs"])
    assert "leveringen" in schema["properties"]


def test_no_null_anywhere() -> None:
    text = render(uitwisselmodel_schema()) + render(bericht_schema())
    assert "null" not in text


def test_returns_a_copy() -> None:
    schema = uitwisselmodel_schema()
    schema["properties"].clear()
    assert uitwisselmodel_schema()["properties"]


# --------------------------------------------------------------------------- structural equivalence


def _resolve(root: dict[str, Any], node: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in node:
        ref = node["$ref"]
        assert ref.startswith("#/$defs/"), ref
        node = root["$defs"][ref.split("/")[-1]]
    return node


def _shape(root: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """Every object/array/scalar path with the keywords that carry meaning (descriptions ignored)."""
    out: dict[str, dict[str, Any]] = {}

    def walk(node: dict[str, Any], path: str) -> None:
        node = _resolve(root, node)
        kind = node.get("type")
        info: dict[str, Any] = {"type": kind}
        for key in ("format", "minItems", "maxItems", "minimum", "maximum", "pattern", "const"):
            if key in node:
                info[key] = node[key]
        if "enum" in node:
            info["enum"] = sorted(node["enum"])
        if kind == "object":
            info["properties"] = sorted(node.get("properties", {}))
            info["required"] = sorted(node.get("required", []))
            info["additionalProperties"] = node.get("additionalProperties", "absent")
            for name, sub in node.get("properties", {}).items():
                walk(sub, f"{path}/{name}")
        elif kind == "array":
            walk(node["items"], f"{path}/*")
        for key in ("anyOf", "oneOf", "allOf"):
            assert key not in node, f"{path}: {key} is not expected in this schema"
        out[path or "/"] = info

    walk(root, "")
    return out


@pytest.mark.shared
def test_structure_equals_official(official_schema: dict[str, Any]) -> None:
    ours = _shape(uitwisselmodel_schema())
    theirs = _shape(official_schema)
    assert sorted(ours) == sorted(theirs)
    diffs = {path: (ours[path], theirs[path]) for path in theirs if ours[path] != theirs[path]}
    assert not diffs, json.dumps(diffs, indent=1)


@pytest.mark.shared
def test_closed_objects_are_exactly_root_levering_traject(official_schema: dict[str, Any]) -> None:
    closed = {
        p for p, info in _shape(uitwisselmodel_schema()).items() if info.get("additionalProperties") is False
    }
    assert closed == {"/", "/leveringen/*", "/leveringen/*/schuldhulptrajecten/*"}


@pytest.mark.shared
def test_official_examples_validate_under_our_schema(official_examples: list[Path]) -> None:
    validator = Draft202012Validator(uitwisselmodel_schema(), format_checker=FormatChecker())
    for path in official_examples:
        errors = [e.message for e in validator.iter_errors(json.loads(path.read_bytes()))]
        assert not errors, (path.name, errors)


@pytest.mark.shared
def test_official_examples_in_an_envelope_validate_under_bericht(official_examples: list[Path]) -> None:
    validator = Draft202012Validator(bericht_schema(), format_checker=FormatChecker())
    for path in official_examples:
        body = {
            "gegevens": json.loads(path.read_bytes()),
            "paginering": {"pageSize": 25000, "currentPage": 1, "totalPages": 1, "totalRecords": 1},
        }
        assert not list(validator.iter_errors(body)), path.name
    assert list(validator.iter_errors({"paginering": {}}))


@pytest.mark.shared
def test_same_verdict_as_official_on_simple_mutations(
    official_schema: dict[str, Any], official_examples: list[Path]
) -> None:
    """A few hand-picked mutations: both schemas reject them at the same paths."""
    ours = Draft202012Validator(uitwisselmodel_schema(), format_checker=FormatChecker())
    theirs = Draft202012Validator(official_schema, format_checker=FormatChecker())
    base = json.loads(official_examples[0].read_bytes())
    t = "/leveringen/0/schuldhulptrajecten/0"
    mutations: list[tuple[str, Any]] = [
        ("/aanleverdatumEnTijd", "2024-12-31T23:59:59"),
        ("/startdatumLevering", "2024-02-30"),
        ("/extra", 1),
        (f"{t}/einddatum", None),
        (f"{t}/client", []),
        (f"{t}/totaalSchuldbedragBijAanvangSchuld", "10"),
        (f"{t}/totaalSchuldbedragBijAanvangSchuld", 10.5),
        (f"{t}/intake", {"beschikkingssoort": "Beeindigingsbeschikking"}),
        (f"{t}/client/0/geslacht", "M"),
        (f"{t}/aanmelding/crisisinterventie", "ja"),
        ("/leveringen/0/aanleverende_organisatie/contactpersonen/0/email", "geen-adres"),
        ("/leveringen/0/gemeentecode", "GM0363"),
    ]

    def paths(validator: Draft202012Validator, doc: Any) -> set[str]:
        return {"/" + "/".join(str(p) for p in e.absolute_path) for e in validator.iter_errors(doc)}

    for pointer, value in mutations:
        doc = json.loads(json.dumps(base))
        *parents, last = pointer.strip("/").split("/")
        node = doc
        for part in parents:
            node = node[int(part)] if isinstance(node, list) else node[part]
        node[last] = value
        assert paths(ours, doc) == paths(theirs, doc), pointer
        assert paths(theirs, doc) or pointer.endswith("geslacht"), pointer
