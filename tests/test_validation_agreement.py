"""Agreement with the official schema.

For mutations of the official examples, the SET of error paths our schema layer reports (codes
R-SCHEMA-01, R-FMT-*, R-NULL-01) must equal the set of instance paths that python-jsonschema
(Draft 2020-12, FormatChecker; jsonschema[format] makes `date-time` a real check) reports against the
OFFICIAL schema. A `required`/`additionalProperties` error sits on the object in both.

Mutations: drop a required field, wrong type, bad enum value, bad date, date-time without zone, extra
property (closed and open objects), array bounds (0 or 3 clients, empty leveringen/contactpersonen),
null where a value is expected, e-mails with and without "@". Our schema layer checks the formats
exactly as the referee does (client.formats): an e-mail with an "@" that is no RFC 5321 mailbox is not a
schema finding but R-FMT-04, a warning under `standard` (issue 9 item 2). `test_format_cases` lists
every format case with what the referee says and what each profile reports, deliberate divergences
included.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import orjson
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from client.validation import FileReport, validate_bytes, validate_events
from client.validation.findings import pointer
from client.validation.reader import iter_events, stream_bytes
from client.validation.schema_check import SchemaChecker
from tests.conftest import OFFICIAL_EXAMPLES, OFFICIAL_SCHEMA, needs_shared

pytestmark = [needs_shared, pytest.mark.shared]

SCHEMA_CODES = {"R-SCHEMA-01", "R-FMT-01", "R-FMT-02", "R-FMT-03", "R-NULL-01"}
MUTATIONS_TRIED: list[str] = []

BAD_DATES = [
    "2024-02-30",
    "20240105",
    "2024-1-5",
    "2023-02-29",
    "2024-13-01",
    "31-12-2024",
    "",
    "2024-01-01T00:00:00Z",
    "0000-01-01",
]
BAD_DATETIMES = [
    "2024-12-31T23:59:59",
    "2024-12-31 23:59:59Z",
    "2024-12-31",
    "2024-12-31T25:00:00Z",
    "20241231T235959Z",
    "2024-12-31T23:59:60Z",
    "0000-01-01T00:00:00Z",
    "2024-12-31t23:59:59z",  # valid: RFC 3339 allows lower case
]
BAD_EMAILS = [
    "jan.jansen",
    "",
    "jan at example.nl",
    "www.example.nl",
    # an "@": the official schema accepts these (R-FMT-04 warns about the non-mailboxes)
    "jan@localhost",
    "a@b",
    '"jan jansen"@example.nl',
    "jän@example.nl",
    "Jan <jan@x.nl>",
    "@",
    "jan@[127.0.0.1]",
]
BAD_ENUMS = [
    "",
    "onbekend",
    "Budgetbeheer ",
    "budgetbeheer",
    "Beeindigingsbeschikking",
    "Zelfstandig verder",
    "X",
]
ENUM_FIELDS = {"beschikkingssoort", "soort", "reden", "schuldsoort"}
DATE_FIELDS_EXCLUDED = {"Geboortedatum"}  # plain string in the official schema (Q-SCH-02)
OTHER_TYPES: list[Any] = [1, 1.5, "tekst", True, [], {}, None]


def _reference_validator() -> Any:
    import jsonschema

    schema = json.loads(OFFICIAL_SCHEMA.read_text(encoding="utf-8"))
    return jsonschema.Draft202012Validator(
        schema, format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER
    )


def _reference_paths(validator: Any, doc: Any) -> set[str]:
    return {pointer(*error.absolute_path) for error in validator.iter_errors(doc)}


def _our_paths(doc: Any, checker: Any = None) -> set[str]:
    if checker is None:
        report = validate_bytes(orjson.dumps(doc), check_name=False, rules=False)
    else:  # the same layers, with validators derived from another schema
        report = validate_events(
            iter_events(orjson.dumps(doc)), FileReport("doc"), checker=checker, rules=False
        )
    return {f.path for f in report.findings if f.code in SCHEMA_CODES}


def _walk(doc: Any) -> list[tuple[list[str | int], Any]]:
    out: list[tuple[list[str | int], Any]] = []
    stack: list[tuple[list[str | int], Any]] = [([], doc)]
    while stack:
        path, node = stack.pop()
        out.append((path, node))
        if isinstance(node, dict):
            stack.extend(([*path, k], v) for k, v in node.items())
        elif isinstance(node, list):
            stack.extend(([*path, i], v) for i, v in enumerate(node))
    out.sort(key=lambda item: [str(p) for p in item[0]])
    return out


def _get(doc: Any, path: list[str | int]) -> Any:
    for part in path:
        doc = doc[part]
    return doc


def _set(doc: Any, path: list[str | int], value: Any) -> None:
    _get(doc, path[:-1])[path[-1]] = value


def _del(doc: Any, path: list[str | int]) -> None:
    del _get(doc, path[:-1])[path[-1]]


def _key(path: list[str | int]) -> str:
    named = [p for p in path if isinstance(p, str)]
    return named[-1] if named else ""


@st.composite
def mutated(draw: st.DrawFn) -> tuple[str, Any, list[str]]:
    example = draw(st.sampled_from(OFFICIAL_EXAMPLES))
    doc = json.loads(example.read_text(encoding="utf-8"))
    applied: list[str] = []
    for _ in range(draw(st.integers(1, 3))):
        kind = draw(
            st.sampled_from(
                [
                    "drop_required",
                    "wrong_type",
                    "bad_enum",
                    "bad_date",
                    "bad_datetime",
                    "extra_closed",
                    "extra_open",
                    "clients",
                    "empty_array",
                    "null",
                    "bad_email",
                ]
            )
        )
        nodes = _walk(doc)
        if kind == "drop_required":
            targets = [p for p, _ in nodes if len(p) == 1 and p[0] != "leveringen"]
            targets += [
                p
                for p, _ in nodes
                if len(p) == 3 and p[0] == "leveringen" and p[2] in ("teller", "aanleverende_organisatie")
            ]
            targets += [
                p
                for p, _ in nodes
                if len(p) == 5 and p[2] == "schuldhulptrajecten" and p[4] == "gemeentecode"
            ]
            targets += [["leveringen"]] if "leveringen" in doc else []
            if not targets:
                continue
            path = draw(st.sampled_from(targets))
            _del(doc, path)
        elif kind == "wrong_type":
            targets = [p for p, _ in nodes if p]
            path = draw(st.sampled_from(targets))
            current = _get(doc, path)
            value = draw(st.sampled_from([v for v in OTHER_TYPES if type(v) is not type(current)]))
            _set(doc, path, value)
        elif kind == "bad_enum":
            targets = [
                p
                for p, v in nodes
                if isinstance(v, str) and _key(p) in ENUM_FIELDS and isinstance(p[-1], str)
            ]
            trajecten = [
                p for p, v in nodes if len(p) == 4 and p[2] == "schuldhulptrajecten" and isinstance(v, dict)
            ]
            bad = draw(st.sampled_from(BAD_ENUMS))
            if targets and (not trajecten or draw(st.booleans())):
                _set(doc, draw(st.sampled_from(targets)), bad)
            elif trajecten:
                where = _get(doc, draw(st.sampled_from(trajecten)))
                phase, field = draw(
                    st.sampled_from(
                        [("uitstroom", "reden"), ("intake", "beschikkingssoort"), ("oplossing", "soort")]
                    )
                )
                if isinstance(where.get(phase), dict):
                    where[phase][field] = bad
                else:
                    where[phase] = {field: bad}
            else:
                continue
        elif kind == "bad_date":
            targets = [
                p
                for p, v in nodes
                if isinstance(v, str)
                and len(v) == 10
                and v[4:5] == "-"
                and _key(p) not in DATE_FIELDS_EXCLUDED
            ]
            if not targets:
                continue
            _set(doc, draw(st.sampled_from(targets)), draw(st.sampled_from(BAD_DATES)))
        elif kind == "bad_datetime":
            if "aanleverdatumEnTijd" in doc:
                doc["aanleverdatumEnTijd"] = draw(st.sampled_from(BAD_DATETIMES))
        elif kind == "extra_closed":
            targets = [[]] + [
                p for p, v in nodes if isinstance(v, dict) and len(p) in (2, 4) and p[0] == "leveringen"
            ]
            path = draw(st.sampled_from(targets))
            node = _get(doc, path)
            if isinstance(node, dict):
                node[draw(st.sampled_from(["extra", "gemeentecode", "Teller", "bsn", "$schema"]))] = "x"
        elif kind == "extra_open":
            targets = [p for p, v in nodes if isinstance(v, dict) and len(p) > 4]
            if not targets:
                continue
            _get(doc, draw(st.sampled_from(targets)))[
                draw(st.sampled_from(["onbekend", "burgerservicenummer", "leefsituatie"]))
            ] = 1
        elif kind == "clients":
            targets = [p for p, v in nodes if isinstance(v, list) and _key(p) == "client"]
            if not targets:
                continue
            path = draw(st.sampled_from(targets))
            current = _get(doc, path)
            _set(doc, path, [] if draw(st.booleans()) or not current else [current[0]] * 3)
        elif kind == "empty_array":
            targets = [
                p
                for p, v in nodes
                if isinstance(v, list)
                and _key(p) in ("leveringen", "contactpersonen", "schuldhulptrajecten", "schulden")
            ]
            if not targets:
                continue
            _set(doc, draw(st.sampled_from(targets)), [])
        elif kind == "null":
            targets = [p for p, v in nodes if p and not isinstance(v, dict | list)]
            if not targets:
                continue
            _set(doc, draw(st.sampled_from(targets)), None)
        elif kind == "bad_email":
            targets = [p for p, v in nodes if _key(p) == "email" and isinstance(p[-1], str)]
            if not targets:
                continue
            _set(doc, draw(st.sampled_from(targets)), draw(st.sampled_from(BAD_EMAILS)))
        applied.append(kind)
    return example.name, doc, applied


def test_every_official_example_is_valid_under_standard(official_examples: list[Path]) -> None:
    validator = _reference_validator()
    for example in official_examples:
        doc = json.loads(example.read_text(encoding="utf-8"))
        assert not _reference_paths(validator, doc), example.name
        report = validate_bytes(example.read_bytes(), check_name=False)
        errors = [f for f in report.findings if f.severity.value == "error"]
        assert errors == [], (example.name, errors)
        assert report.trajecten > 0


def test_agreement_on_mutations(official_examples: list[Path], capsys: pytest.CaptureFixture[str]) -> None:
    validator = _reference_validator()
    official = SchemaChecker(json.loads(OFFICIAL_SCHEMA.read_text(encoding="utf-8")))
    MUTATIONS_TRIED.clear()

    @settings(
        max_examples=300,
        deadline=None,
        derandomize=True,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
        database=None,
    )
    @given(mutated())
    def check(case: tuple[str, Any, list[str]]) -> None:
        name, doc, applied = case
        MUTATIONS_TRIED.extend(applied)
        expected = _reference_paths(validator, doc)
        ours = _our_paths(doc)
        assert ours == expected, (name, applied, sorted(ours ^ expected))
        # our checker built straight from the official schema (inline items, no $defs for the parts)
        assert _our_paths(doc, official) == expected
        # the streamed reader produces the same events as the in-memory one
        data = orjson.dumps(doc)
        assert list(stream_bytes(data)) == list(iter_events(data))

    check()
    counts: dict[str, int] = {}
    for kind in MUTATIONS_TRIED:
        counts[kind] = counts.get(kind, 0) + 1
    with capsys.disabled():
        print(
            f"\n[agreement] {len(MUTATIONS_TRIED)} mutations tried over the official examples: "
            + json.dumps(counts, sort_keys=True)
        )
    assert len(MUTATIONS_TRIED) >= 300
    assert set(counts) >= {
        "drop_required",
        "wrong_type",
        "bad_enum",
        "bad_date",
        "null",
        "bad_email",
        "clients",
    }


def test_every_applied_mutation_changes_the_document(official_examples: list[Path]) -> None:
    """A mutation that is recorded as applied really changed the example (else agreement proves less
    than it claims), and the example files themselves stay as they are."""
    before = {p.name: p.read_bytes() for p in official_examples}
    originals = {name: json.loads(raw) for name, raw in before.items()}
    seen = {"applied": 0, "none": 0}

    @settings(max_examples=150, deadline=None, derandomize=True, database=None)
    @given(mutated())
    def check(case: tuple[str, Any, list[str]]) -> None:
        name, doc, applied = case
        seen["applied" if applied else "none"] += 1
        if applied:
            assert doc != originals[name], f"{applied} left {name} unchanged"

    check()
    assert seen["applied"] > seen["none"]
    assert {p.name: p.read_bytes() for p in official_examples} == before


def test_all_layers_survive_mutations_and_mask_bsns(official_examples: list[Path]) -> None:
    """Schema-invalid data never crashes a layer (rules included), in both profiles and in API mode,
    and no BSN of the examples appears unmasked in any finding."""
    from client.validation.findings import Profile

    bsns = {
        c["Burgerservicenummer"]
        for example in official_examples
        for lev in json.loads(example.read_text(encoding="utf-8"))["leveringen"]
        for t in lev.get("schuldhulptrajecten", [])
        for c in t.get("client", [])
        if isinstance(c.get("Burgerservicenummer"), str)
    }

    @settings(max_examples=100, deadline=None, derandomize=True, database=None)
    @given(mutated())
    def check(case: tuple[str, Any, list[str]]) -> None:
        _name, doc, _applied = case
        reports = [
            validate_bytes(orjson.dumps(doc), check_name=False, profile=profile)
            for profile in (Profile.STANDARD, Profile.STRICT)
        ]
        message = {"gegevens": doc, "paginering": {"pageSize": "x", "currentPage": 1}}
        reports.append(validate_bytes(orjson.dumps(message), envelope=True, check_name=False))
        for report in reports:
            text = json.dumps(report.to_dict())
            assert not any(bsn in text for bsn in bsns)

    check()


# (pointer, value, the referee accepts it, our codes under standard, our codes under strict) at that pointer.
EMAIL = "/leveringen/0/aanleverende_organisatie/contactpersonen/0/email"
FMT = {"R-FMT-01", "R-FMT-02", "R-FMT-03", "R-FMT-04", "R-SCHEMA-01", "R-NULL-01"}
FORMAT_CASES: list[tuple[str, str, bool, dict[str, str], dict[str, str]]] = [
    (EMAIL, "jan@example.nl", True, {}, {}),
    (EMAIL, "jan@localhost", True, {}, {}),  # single-label domain: an RFC 5321 mailbox
    (EMAIL, "a@b", True, {}, {}),
    (EMAIL, '"jan jansen"@example.nl', True, {}, {}),  # quoted local part
    (EMAIL, "jan@[127.0.0.1]", True, {}, {}),  # address literal
    # divergence on purpose: the schema accepts it, we warn (standard) or refuse (strict): not a mailbox
    (EMAIL, "jän@example.nl", True, {"R-FMT-04": "warning"}, {"R-FMT-04": "error"}),
    (EMAIL, "Jan <jan@x.nl>", True, {"R-FMT-04": "warning"}, {"R-FMT-04": "error"}),
    (EMAIL, "jan @example.nl", True, {"R-FMT-04": "warning"}, {"R-FMT-04": "error"}),
    (EMAIL, "@", True, {"R-FMT-04": "warning"}, {"R-FMT-04": "error"}),
    (EMAIL, "jan.jansen", False, {"R-FMT-03": "error"}, {"R-FMT-03": "error"}),
    ("/aanleverdatumEnTijd", "2024-12-31t23:59:59z", True, {}, {}),
    ("/aanleverdatumEnTijd", "2024-12-31T23:59:59.5-00:00", True, {}, {}),
    ("/aanleverdatumEnTijd", "2024-12-31T23:59:60Z", False, {"R-FMT-02": "error"}, {"R-FMT-02": "error"}),
    ("/aanleverdatumEnTijd", "0000-01-01T00:00:00Z", False, {"R-FMT-02": "error"}, {"R-FMT-02": "error"}),
    # divergence on purpose: the referee's pattern ends in `$`, which matches before a final newline
    ("/aanleverdatumEnTijd", "2024-12-31T23:59:59Z\n", True, {"R-FMT-02": "error"}, {"R-FMT-02": "error"}),
    ("/startdatumLevering", "2024-02-29", True, {}, {}),
    ("/startdatumLevering", "0000-01-01", False, {"R-FMT-01": "error"}, {"R-FMT-01": "error"}),
    ("/startdatumLevering", "2024-01-01\n", False, {"R-FMT-01": "error"}, {"R-FMT-01": "error"}),
]


@pytest.mark.parametrize(("where", "value", "referee_ok", "standard", "strict"), FORMAT_CASES)
def test_format_cases(
    where: str, value: str, referee_ok: bool, standard: dict[str, str], strict: dict[str, str]
) -> None:
    """Each format case: the referee's verdict, and what each profile reports at that place. Under
    `standard`, nothing the referee accepts is an error, except the cases listed as divergences."""
    from client.validation.findings import Profile

    doc = json.loads((OFFICIAL_EXAMPLES[0]).read_text(encoding="utf-8"))
    parts: list[str | int] = [int(p) if p.isdigit() else p for p in where.strip("/").split("/")]
    _set(doc, parts, value)
    referee = _reference_validator()
    assert (where not in _reference_paths(referee, doc)) is referee_ok
    for profile, expected in ((Profile.STANDARD, standard), (Profile.STRICT, strict)):
        report = validate_bytes(orjson.dumps(doc), check_name=False, profile=profile)
        got = {f.code: f.severity.value for f in report.findings if f.path == where and f.code in FMT}
        assert got == expected, (profile, value, got)
    diverges = "R-FMT-02" in standard and referee_ok
    if referee_ok and not diverges:
        assert "error" not in standard.values()
