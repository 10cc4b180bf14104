"""The validation layers one by one: bytes, JSON syntax and duplicates, schema codes, keys, file names."""

from __future__ import annotations

import copy
import json
import re
from typing import Any

import orjson
import pytest

from client.validation import FileReport, validate_bytes
from client.validation.filenames import check_filename
from client.validation.findings import Severity
from client.validation.parse import duplicate_findings, maybe_duplicates
from client.validation.schema_check import _FAST_PATTERNS
from tests.documents import one_levering

BASE: dict[str, Any] = one_levering(
    {
        "gemeentecode": "GM0363",
        "startdatum": "2024-02-01",
        "client": [{"Burgerservicenummer": "111222333", "Geboortedatum": "1980-01-01"}],
        "intake": {"startdatum": "2024-02-01", "beschikkingssoort": "Toelatingsbeschikking"},
    }
)


def doc(**changes: Any) -> dict[str, Any]:
    out = copy.deepcopy(BASE)
    out.update(changes)
    return out


def traject(data: dict[str, Any]) -> dict[str, Any]:
    return data["leveringen"][0]["schuldhulptrajecten"][0]  # type: ignore[no-any-return]


def run(data: Any, **kw: Any) -> FileReport:
    raw = data if isinstance(data, bytes) else orjson.dumps(data)
    kw.setdefault("check_name", False)
    kw.setdefault("rules", False)
    return validate_bytes(raw, **kw)


def codes(report: FileReport) -> list[tuple[str, str]]:
    return [(f.code, f.path) for f in report.findings]


T0 = "/leveringen/0/schuldhulptrajecten/0"


def test_clean_document_has_no_findings() -> None:
    report = run(doc())
    assert report.findings == []
    assert report.valid and report.trajecten == 1 and report.leveringen == 1


# ----------------------------------------------------------------------------------------- bytes


def test_empty_and_blank_files() -> None:
    for data in (b"", b"  \n\t"):
        report = run(data)
        assert [f.code for f in report.findings] == ["R-JSON-01"]
        assert "offset 0" in report.findings[0].message
        assert not report.valid


def test_utf8_bom_is_a_warning_and_validation_goes_on() -> None:
    report = run(b"\xef\xbb\xbf" + orjson.dumps(doc(startdatumLevering="2024-02-30")))
    assert ("R-ENC-02", "") in codes(report)
    assert ("R-FMT-01", "/startdatumLevering") in codes(report)
    assert report.findings[0].severity is Severity.WARNING


@pytest.mark.parametrize(
    ("codec", "bom", "name"),
    [
        ("utf-16-le", b"\xff\xfe", "UTF-16 LE with a byte-order mark"),
        ("utf-16-be", b"\xfe\xff", "UTF-16 BE with a byte-order mark"),
        ("utf-16-le", b"", "UTF-16 LE without a byte-order mark"),
        ("utf-16-be", b"", "UTF-16 BE without a byte-order mark"),
    ],
)
def test_utf16_is_named(codec: str, bom: bytes, name: str) -> None:
    data = bom + json.dumps(doc()).encode(codec)
    report = run(data)
    enc = [f for f in report.findings if f.code == "R-ENC-01"]
    assert len(enc) == 1 and name in enc[0].message
    assert report.trajecten == 1  # transcoded and validated further
    assert report.errors == 1


def test_latin1_named_with_offset_and_rest_still_checked() -> None:
    text = json.dumps(doc(codeGegevensleverancier="Acmé 1.0", einddatumLevering=None), ensure_ascii=False)
    data = text.encode("latin-1")
    offset = data.index(b"\xe9")
    report = run(data)
    enc = [f for f in report.findings if f.code == "R-ENC-01"]
    assert len(enc) == 1
    assert f"byte offset {offset}" in enc[0].message and "0xE9" in enc[0].message
    assert "Latin-1" in enc[0].message or "1252" in enc[0].message
    assert ("R-NULL-01", "/einddatumLevering") in codes(report)


def test_cp1252_named() -> None:
    data = orjson.dumps(doc(codeGegevensleverancier="Acme X")).replace(b"Acme X", b"Acme \x80 1.0")
    enc = [f for f in run(data).findings if f.code == "R-ENC-01"]
    assert "Windows-1252" in enc[0].message


def test_nul_bytes_reported_with_offset() -> None:
    raw = orjson.dumps(doc())
    data = raw[:20] + b"\x00" + raw[20:]
    report = run(data)
    enc = [f for f in report.findings if f.code == "R-ENC-01"]
    assert enc and "byte offset 20" in enc[0].message and "NUL" in enc[0].message
    assert any(f.code == "R-JSON-01" for f in report.findings)


def test_binary_file_is_not_json() -> None:
    report = run(b"PK\x03\x04" + bytes(range(256)) * 4)
    assert [f.code for f in report.findings] == ["R-ENC-01"]
    assert "zip" in report.findings[0].message


# ----------------------------------------------------------------------------------------- JSON


def test_syntax_error_has_line_and_column() -> None:
    data = b'{\n  "startdatumLevering": "2024-01-01",\n  "x": tru\n}'
    report = run(data)
    assert [f.code for f in report.findings] == ["R-JSON-01"]
    assert "line 3, column 8" in report.findings[0].message
    assert "byte offset" in report.findings[0].message


def test_truncated_json_says_so() -> None:
    raw = orjson.dumps(doc())
    report = run(raw[: len(raw) // 2])
    assert report.findings[0].code == "R-JSON-01"
    assert "truncated" in report.findings[0].message


def test_numbers_out_of_range_and_constants() -> None:
    for data in (b'{"a": 1e400}', b'{"a": NaN}', b'{"a": Infinity}'):
        assert [f.code for f in run(data).findings] == ["R-JSON-01"]


def test_deep_nesting_is_a_finding_not_a_recursion_error() -> None:
    report = run(b"[" * 100_000)
    assert [f.code for f in report.findings] == ["R-JSON-01"]
    assert "nested" in report.findings[0].message


def test_duplicate_keys_with_path() -> None:
    raw = orjson.dumps(doc()).replace(
        b'"gemeentecode":"GM0363","startdatum"',
        b'"gemeentecode":"GM0363","gemeentecode":"GM0001","startdatum"',
    )
    report = run(raw)
    assert ("R-JSON-01", f"{T0}/gemeentecode") in codes(report)


def test_duplicate_detection_counting_is_exact() -> None:
    value = {"a": "x: y", "b": {"c": '"quoted": colon'}}
    raw = json.dumps(value).encode()
    assert not maybe_duplicates(raw, value)
    dup = b'{"a": 1, "a": 1}'
    assert maybe_duplicates(dup, {"a": 1})
    escaped = b'{"a\\u003a": 1}'
    assert maybe_duplicates(escaped, {"a:": 1})  # cannot trust the count: exact scan
    assert duplicate_findings(escaped) == []
    nested = b'{"x": [{"k": 1, "k": 2, "k": 3}]}'
    (finding,) = duplicate_findings(nested)
    assert finding.path == "/x/0/k" and "3 times" in finding.message


@pytest.mark.parametrize(
    "render",
    [
        orjson.dumps,
        lambda v: orjson.dumps(v) + b"\n",
        lambda v: orjson.dumps(v, option=orjson.OPT_INDENT_2),
        lambda v: json.dumps(v, indent=2).encode() + b"\r\n",
    ],
    ids=["compact", "compact+newline", "orjson-indent", "json-indent"],
)
def test_duplicate_proof_by_equal_text(render: Any) -> None:
    """Proof 1: raw text that is orjson's rendering of the parsed value has no duplicates; the same
    text with one key written twice (even with an equal value) is never taken for it."""
    value = {"a": "x: y", "b": {"c": '"quoted": colon', "d": [1, {"e": None}]}, "f": 1}
    raw = render(value)
    assert not maybe_duplicates(raw, value)
    for dup in (raw.replace(b'"f"', b'"a"'), raw.replace(b'"e"', b'"e":null,"e"', 1)):
        parsed = orjson.loads(dup)
        assert maybe_duplicates(dup, parsed)
        assert [f.code for f in duplicate_findings(dup)] == ["R-JSON-01"]
    same = b'{"a":1,"a":1}'  # equal values: the rendering {"a":1} is no prefix of it
    assert maybe_duplicates(same, orjson.loads(same))


# Raw texts that are not orjson's rendering, so that the colon count decides. Each holds a key "m" and,
# around it, one of the things the count must survive.
_COUNTED = {
    "escaped-quotes": rb'{"k\":": "v\":\"", "m": "\\\": x"}',  # escaped quotes beside colons
    "whitespace": b'{"k" :1, "l"\t:\n2, "m": "a : b"}',  # whitespace between key and colon
    "unicode-escapes": rb'{"caf\u00e9:": "na\u00efve:", "m": "\u00e9 \u0022:"}',  # escapes, not of a colon
    "utf8": '{"café:": "naïve: ü", "m": 1}'.encode(),  # non-ASCII as is
}


@pytest.mark.parametrize("raw", list(_COUNTED.values()), ids=list(_COUNTED))
def test_duplicate_proof_by_counting(raw: bytes) -> None:
    """Proof 2 (the text is not orjson's rendering): colons are counted on both sides, and a key
    written twice makes the raw count larger, whatever the strings around it hold."""
    value = orjson.loads(raw)
    assert not raw.startswith(orjson.dumps(value))  # proof 1 does not apply: the count decides
    assert not maybe_duplicates(raw, value)
    assert not maybe_duplicates(raw.decode(), value)  # the streamed reader's text
    dup = raw[:-1] + b', "m" : 0}'
    assert maybe_duplicates(dup, orjson.loads(dup))
    assert maybe_duplicates(dup.decode(), orjson.loads(dup))
    (finding,) = duplicate_findings(dup)
    assert finding.path == "/m"


def test_duplicate_scan_with_spaces_before_colons() -> None:
    raw = b'{"a" : 1, "b" :{"c" : 1, "c" : 2}}'
    report = run(raw)
    assert ("R-JSON-01", "/b/c") in codes(report)


# ----------------------------------------------------------------------------------------- schema


def test_schema_codes() -> None:
    data = doc(aanleverdatumEnTijd="2024-12-31T23:59:59", einddatumLevering="2024-02-30")
    t = traject(data)
    t["einddatum"] = None
    t["totaalSchuldbedragBijAanvangSchuld"] = "100"
    data["leveringen"][0]["aanleverende_organisatie"]["contactpersonen"][0]["email"] = "jan at voorbeeld"
    report = run(data)
    got = set(codes(report))
    assert ("R-FMT-02", "/aanleverdatumEnTijd") in got
    assert ("R-FMT-01", "/einddatumLevering") in got
    assert ("R-NULL-01", f"{T0}/einddatum") in got
    assert ("R-SCHEMA-01", f"{T0}/totaalSchuldbedragBijAanvangSchuld") in got
    assert ("R-FMT-03", "/leveringen/0/aanleverende_organisatie/contactpersonen/0/email") in got
    for finding in report.findings:
        assert finding.message and finding.hint


def test_required_and_closed_objects_report_on_the_parent() -> None:
    data = doc()
    del traject(data)["gemeentecode"]
    traject(data)["gemeente"] = "GM0363"
    data["leveringen"][0]["gemeentecode"] = "GM0363"
    report = run(data)
    paths = [(f.code, f.path) for f in report.findings]
    assert paths.count(("R-SCHEMA-01", T0)) == 2  # required + additionalProperties, on the traject
    assert ("R-SCHEMA-01", "/leveringen/0") in paths
    extra = next(f for f in report.findings if "gemeente'" in f.message)
    assert "did you mean 'gemeentecode'" in extra.hint


def test_array_bounds() -> None:
    data = doc()
    traject(data)["client"] = [{}, {}, {}]
    data["leveringen"][0]["aanleverende_organisatie"]["contactpersonen"] = []
    got = codes(run(data))
    assert ("R-SCHEMA-01", f"{T0}/client") in got
    assert ("R-SCHEMA-01", "/leveringen/0/aanleverende_organisatie/contactpersonen") in got
    assert ("R-SCHEMA-01", "/leveringen") in codes(run(doc(leveringen=[])))


def test_missing_or_wrong_leveringen() -> None:
    data = doc()
    del data["leveringen"]
    assert codes(run(data)) == [("R-SCHEMA-01", "")]
    assert codes(run(doc(leveringen=None))) == [("R-NULL-01", "/leveringen")]
    assert codes(run(doc(leveringen={"a": 1}))) == [("R-SCHEMA-01", "/leveringen")]
    assert codes(run([1, 2])) == [("R-SCHEMA-01", "")]


def test_bad_enum_gets_a_suggestion() -> None:
    data = doc()
    traject(data)["intake"]["beschikkingssoort"] = "toelatingsbeschikking"
    (finding,) = run(data).findings
    assert finding.code == "R-SCHEMA-01" and "Did you mean 'Toelatingsbeschikking'" in finding.hint


def test_unknown_keys_in_open_objects_are_warnings_with_did_you_mean() -> None:
    data = doc()
    traject(data)["client"][0]["Burgerservicenumer"] = "x"
    traject(data)["intake"]["Startdatum"] = "2024-01-01"
    data["leveringen"][0]["aanleverende_organisatie"]["kvk-nummer"] = "1"
    report = run(data)
    assert report.valid
    by_path = {f.path: f for f in report.findings}
    assert by_path[f"{T0}/client/0/Burgerservicenumer"].code == "R-KEY-01"
    assert "Burgerservicenummer" in by_path[f"{T0}/client/0/Burgerservicenumer"].hint
    assert "'startdatum'" in by_path[f"{T0}/intake/Startdatum"].hint
    assert "'KvK-nummer'" in by_path["/leveringen/0/aanleverende_organisatie/kvk-nummer"].hint
    assert all(f.severity is Severity.WARNING for f in report.findings)


def test_keys_of_older_versions_are_errors_with_migration_hints() -> None:
    data = doc(aanleverperiodeStartdatum="2024-01-01")
    traject(data)["client"][0]["leefsituatie"] = [{"schulden": []}]
    traject(data)["client"][0]["bsn"] = "123456782"
    traject(data)["intake"]["toelatingsbeschikking"] = "2024-03-01"
    traject(data)["uitstroom"] = {"uitstroomredensoort": {"x": 1}}
    traject(data)["intake"]["beschikkingssoort"] = "Beeindigingsbeschikking"
    report = run(data)
    legacy = {f.path: f for f in report.findings if f.code == "R-KEY-02"}
    assert set(legacy) == {
        "/aanleverperiodeStartdatum",
        f"{T0}/client/0/leefsituatie",
        f"{T0}/client/0/bsn",
        f"{T0}/intake/toelatingsbeschikking",
        f"{T0}/uitstroom/uitstroomredensoort",
        f"{T0}/intake/beschikkingssoort",
    }
    assert "schulden" in legacy[f"{T0}/client/0/leefsituatie"].hint
    assert "startdatumLevering" in legacy["/aanleverperiodeStartdatum"].hint
    assert ("R-SCHEMA-01", "") in codes(report)  # the closed root also rejects it
    assert all(f.severity is Severity.ERROR for f in legacy.values())


def test_no_bsn_unmasked_in_any_message() -> None:
    bsn = "123456782"
    data = doc()
    traject(data)["client"][0]["Burgerservicenummer"] = 123456782
    traject(data)["client"].append({"Burgerservicenummer": bsn, "bsn": bsn})
    traject(data)["intake"]["beschikkingssoort"] = bsn
    traject(data)["startdatum"] = bsn
    for report in (run(data), run(data, rules=True)):
        assert report.findings
        text = json.dumps([f.to_dict() for f in report.findings])
        assert bsn not in text


def test_envelope_paths_are_prefixed() -> None:
    data = doc()
    traject(data)["einddatum"] = "2024-13-01"
    message = {
        "gegevens": data,
        "paginering": {"pageSize": 10, "currentPage": 1, "totalPages": 1, "totalRecords": 1},
    }
    got = codes(run(message, envelope=True))
    assert ("R-FMT-01", f"/gegevens{T0}/einddatum") in got
    report = run({"paginering": {}}, envelope=True)
    assert not report.valid


def test_max_findings_truncates_but_counts_stay_exact() -> None:
    data = doc()
    data["leveringen"][0]["schuldhulptrajecten"] = [{"gemeentecode": 1} for _ in range(20)]
    report = run(data, max_findings=5)
    assert len(report.findings) == 5 and report.truncated
    assert report.errors == 20 and report.by_code["R-SCHEMA-01"] == 20
    assert len(report.examples["R-SCHEMA-01"]) == 5
    assert report.to_dict()["errors"] == 20


# ----------------------------------------------------------------------------------------- file names


@pytest.mark.parametrize(
    "name",
    [
        "SHV_2024_Amsterdam_WIJKTEAMZUID.json",
        "SHV_2024_ISDBollenstreek_Teylingen.json",
        "SHV_2024_WIJKTEAMS_gemeenteDenHaag.json",
        "SHV_2026H1_Amsterdam.json",
        "SHV_2026H2_Gemeente-Utrecht_deel-1_van-3.json",
    ],
)
def test_good_file_names(name: str) -> None:
    assert check_filename(name) == []


@pytest.mark.parametrize(
    ("name", "fragment"),
    [
        ("export.json", "SHV_"),
        ("SHV_2024_Amsterdam.JSON", ".json"),
        ("SHV_2024_Amsterdam.xml", "extension"),
        ("SHV_2024_Amsterdam", "no extension"),
        ("SHV_2024_Amster.dam.json", "'.'"),
        ("SHV_2024_Am[ster]dam.json", "forbidden"),
        ("SHV_2024_A:B.json", "forbidden"),
        ("SHV_2024_A;B.json", "forbidden"),
        ("SHV_2024.json", "lacks"),
        ("SHV_Amsterdam_2024.json", "code uitvraag"),
        ("SHV_2024__Amsterdam.json", "empty part"),
    ],
)
def test_bad_file_names(name: str, fragment: str) -> None:
    findings = check_filename(name)
    assert findings and all(f.code == "R-FILE-01" and f.severity is Severity.ERROR for f in findings)
    assert any(fragment in f.message for f in findings), [f.message for f in findings]


def test_file_name_checked_only_when_asked() -> None:
    raw = orjson.dumps(doc())
    assert validate_bytes(raw, name="bad name.txt", rules=False).by_code.get("R-FILE-01")
    assert not validate_bytes(raw, name="bad name.txt", check_name=False, rules=False).findings
    assert not validate_bytes(raw, rules=False).findings


def test_fast_date_pattern_is_the_year_check() -> None:
    """The closed schema's date pattern (no look-ahead) says what `^(?!0000)` says, on every year of a
    date-shaped string; an actual year 0000 still comes out as R-FMT-01 (the exact path decides)."""
    fast = re.compile(_FAST_PATTERNS["date"])
    for year in range(10_000):
        assert bool(fast.search(f"{year:04d}-01-01")) == (year != 0)
    data = doc()
    traject(data)["startdatum"] = "0000-02-01"  # a traject: the closed schema's fast path runs first
    assert ("R-FMT-01", f"{T0}/startdatum") in codes(run(data))
