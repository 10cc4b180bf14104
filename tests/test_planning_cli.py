"""`ddas plan` and `ddas split`: output, exit codes, file modes, official-schema validity of every file."""

from __future__ import annotations

import json
import re
import stat
import zipfile
from pathlib import Path
from typing import Any

import orjson
from click.testing import CliRunner

from client.cli import app
from tests.conftest import OFFICIAL_EXAMPLES, needs_shared
from tests.test_planning_data import bsn, derde_org, export, gemeente_org, raw, traject

runner = CliRunner()


def _write(tmp: Path, name: str, doc: dict[str, Any]) -> Path:
    path = tmp / name
    path.write_bytes(raw(doc))
    return path


def _sample(tmp: Path) -> list[Path]:
    a = export(
        [
            (
                derde_org(),
                [
                    traject(i, gm=("GM0344", "GM0599", "Onbekend")[i % 3], start=f"2026-0{i % 6 + 1}-03")
                    for i in range(9)
                ],
            ),
            (gemeente_org(), [traject(20 + i, start="2025-11-01") for i in range(2)]),
        ]
    )
    b = export(
        [
            (
                derde_org(),
                [traject(40, gm="GM0599", start="2026-05-05", end="2026-06-30", bsns=[bsn(40), bsn(41)])],
            )
        ]
    )
    return [_write(tmp, "a.json", a), _write(tmp, "b.json", b)]


def _official_validator(schema: dict[str, Any]) -> Any:
    from jsonschema import Draft202012Validator, FormatChecker

    return Draft202012Validator(schema, format_checker=FormatChecker())


def test_plan_json(tmp_path: Path) -> None:
    srcs = _sample(tmp_path)
    result = runner.invoke(
        app, ["plan", *map(str, srcs), "--period", "2026H1", "--format", "json", "--page-size", "4"]
    )
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["periods"] == ["2026H1"]
    kb = next(d for d in data["deliveries"] if d["organisatie_id"] == "kvk:12345678")
    assert kb["trajecten"] == 10
    assert [g["gemeentecode"] for g in kb["gemeenten"]] == ["GM0344", "GM0599", "Onbekend"]
    assert [p["trajecten"] for p in kb["pages"]] == [4, 4, 2]
    assert kb["bytes"] == sum(p["bytes"] for p in kb["pages"])
    assert bsn(1) not in result.stdout


def test_plan_text_and_periods_range(tmp_path: Path) -> None:
    srcs = _sample(tmp_path)
    result = runner.invoke(
        app, ["plan", *map(str, srcs), "--periods", "2025H2..2026H1"], env={"COLUMNS": "200"}
    )
    assert result.exit_code == 0, result.output
    assert "2025H2" in result.stdout and "SHV_2026H1_KredietbankMidden_SHV.json" in result.stdout


def test_usage_errors(tmp_path: Path) -> None:
    assert runner.invoke(app, ["plan", str(tmp_path / "missing.json")]).exit_code == 2
    srcs = _sample(tmp_path)
    assert runner.invoke(app, ["plan", str(srcs[0]), "--period", "2026H3"]).exit_code == 2
    assert (
        runner.invoke(app, ["plan", str(srcs[0]), "--period", "2026H1", "--periods", "2026H1"]).exit_code == 2
    )
    bad = tmp_path / "bad.json"
    bad.write_bytes(b'{"leveringen": [')
    assert runner.invoke(app, ["split", str(bad), "-o", str(tmp_path / "out")]).exit_code == 1


def test_split_writes_private_atomic_files_and_is_reproducible(tmp_path: Path) -> None:
    srcs = _sample(tmp_path)
    args = [
        "split",
        *map(str, srcs),
        "--period",
        "2026H1",
        "--page-size",
        "4",
        "--aanleverdatum",
        "2026-07-02T09:00:00Z",
    ]
    out1, out2 = tmp_path / "o1", tmp_path / "o2"
    r1 = runner.invoke(app, [*args, "-o", str(out1), "--zip"])
    assert r1.exit_code == 0, r1.output
    r2 = runner.invoke(app, ["split", *map(str, reversed(srcs)), *args[len(srcs) + 1 :], "-o", str(out2)])
    assert r2.exit_code == 0, r2.output
    files = sorted(p.name for p in out1.glob("*.json"))
    assert files == [
        "SHV_2026H1_GemeenteUtrecht_SHV.json",
        "SHV_2026H1_KredietbankMidden_SHV_p001-of-003.json",
        "SHV_2026H1_KredietbankMidden_SHV_p002-of-003.json",
        "SHV_2026H1_KredietbankMidden_SHV_p003-of-003.json",
    ]
    assert not list(out1.glob(".*"))  # no temporary files left
    for name in files:
        assert stat.S_IMODE((out1 / name).stat().st_mode) == 0o600
        assert (out1 / name).read_bytes() == (out2 / name).read_bytes()
    with zipfile.ZipFile(out1 / "SHV_2026H1.zip") as zf:
        assert sorted(zf.namelist()) == files
    assert stat.S_IMODE((out1 / "SHV_2026H1.zip").stat().st_mode) == 0o600


@needs_shared
def test_every_written_file_validates_against_the_official_schema(
    tmp_path: Path, official_schema: dict[str, Any]
) -> None:
    validator = _official_validator(official_schema)
    srcs = [*_sample(tmp_path), *OFFICIAL_EXAMPLES]
    out = tmp_path / "out"
    for extra in ([], ["--per-gemeente"], ["--dedupe"]):
        result = runner.invoke(
            app,
            [
                "split",
                *map(str, srcs),
                "--periods",
                "2024H1..2026H2",
                "--page-size",
                "3",
                "-o",
                str(out),
                *extra,
            ],
        )
        assert result.exit_code == 0, result.output
    written = sorted(out.glob("*.json"))
    assert len(written) > 20
    for path in written:
        doc = orjson.loads(path.read_bytes())
        assert set(doc) <= {"gegevens", "paginering"}
        errors = [e.message for e in validator.iter_errors(doc["gegevens"])]
        assert errors == [], (path.name, errors)
        if "paginering" in doc:
            assert set(doc["paginering"]) == {"pageSize", "currentPage", "totalPages", "totalRecords"}
            assert len([t for lev in doc["gegevens"]["leveringen"] for t in lev["schuldhulptrajecten"]]) <= 3


@needs_shared
def test_official_examples_plan_without_errors(official_schema: dict[str, Any]) -> None:
    from client.planning import Period, plan

    with plan(OFFICIAL_EXAMPLES, [Period.parse("2024H2")], vendor_code="ddas 0.1.0") as p:
        assert p.deliveries and all(f.severity.value != "error" for f in p.findings)
        validator = _official_validator(official_schema)
        for d in p.deliveries:
            for page in d.pages:
                assert not list(validator.iter_errors(orjson.loads(page.build())["gegevens"]))


def _split(tmp: Path, name: str, inputs: list[Path], *flags: str) -> tuple[dict[str, bytes], str]:
    """Run `ddas split` for 2026H1 into tmp/name: the files written, and stdout with its lines joined."""
    out = tmp / name
    args = ["split", *map(str, inputs), "--period", "2026H1", "--aanleverdatum", "2026-07-02T09:00:00Z"]
    result = runner.invoke(app, [*args, "-o", str(out), *flags])
    assert result.exit_code == 0, result.output
    return {p.name: p.read_bytes() for p in sorted(out.glob("*.json"))}, " ".join(result.stdout.split())


def _trajecten(files: dict[str, bytes]) -> int:
    return sum(
        len(lev["schuldhulptrajecten"])
        for body in files.values()
        for lev in orjson.loads(body)["gegevens"]["leveringen"]
    )


def test_each_split_flag_changes_the_output_as_documented(tmp_path: Path) -> None:
    srcs = _sample(tmp_path)
    base, text = _split(tmp_path, "base", srcs)
    assert sorted(base) == ["SHV_2026H1_GemeenteUtrecht_SHV.json", "SHV_2026H1_KredietbankMidden_SHV.json"]

    # --per-gemeente: one file per organisation x municipality, the gemeentecode as uitvraagdeel
    per, _ = _split(tmp_path, "per", srcs, "--per-gemeente")
    assert sorted(per) == [
        "SHV_2026H1_GemeenteUtrecht_GM0344.json",
        "SHV_2026H1_KredietbankMidden_GM0344.json",
        "SHV_2026H1_KredietbankMidden_GM0599.json",
        "SHV_2026H1_KredietbankMidden_Onbekend.json",
    ]
    assert _trajecten(per) == _trajecten(base)

    # --rules: the rule engine checks the pages too; its warnings are counted (the pages stay written)
    ruled, ruled_text = _split(tmp_path, "rules", srcs, "--rules")
    assert "R-GEM-02" in ruled_text and "R-GEM-02" not in text
    assert ruled == base

    # --dedupe: an export given twice delivers each traject once (without it: twice)
    twice, twice_text = _split(tmp_path, "twice", [*srcs, srcs[0]])
    once, once_text = _split(tmp_path, "once", [*srcs, srcs[0]], "--dedupe")
    assert _trajecten(twice) > _trajecten(once) == _trajecten(base)
    dropped = [int(re.search(r"(\d+) duplicates dropped", t).group(1)) for t in (twice_text, once_text)]  # type: ignore[union-attr]
    assert dropped == [0, _trajecten(twice) - _trajecten(once)]

    # --jobs=1: one validating process, the same bytes
    single, _ = _split(tmp_path, "single", srcs, "--jobs=1")
    assert single == base


def test_a_page_with_errors_is_not_written_and_exits_1(tmp_path: Path) -> None:
    bad = traject(1)
    del bad["gemeentecode"]  # required by the schema: the page cannot pass the technical check
    src = _write(tmp_path, "bad.json", export([(derde_org(), [bad]), (gemeente_org(), [traject(2)])]))
    out = tmp_path / "out"
    result = runner.invoke(app, ["split", str(src), "--period", "2026H1", "-o", str(out), "--jobs", "1"])
    assert result.exit_code == 1, result.output
    assert "not written" in result.output
    assert [p.name for p in out.glob("*.json")] == ["SHV_2026H1_GemeenteUtrecht_SHV.json"]


def test_nothing_to_deliver(tmp_path: Path) -> None:
    src = _write(
        tmp_path, "old.json", export([(derde_org(), [traject(1, start="2020-01-01", end="2020-02-01")])])
    )
    result = runner.invoke(app, ["plan", str(src), "--period", "2026H1"])
    assert result.exit_code == 0
    assert "Nothing to deliver" in result.stdout
    result = runner.invoke(app, ["split", str(src), "--period", "2026H1", "-o", str(tmp_path / "o")])
    assert result.exit_code == 0 and "0 file(s) written" in result.stdout


def test_non_object_traject_is_reported() -> None:
    from client.planning import Period, plan

    doc = export([(derde_org(), [traject(1)])])
    doc["leveringen"][0]["schuldhulptrajecten"].append("not a traject")
    with plan([orjson.dumps(doc)], [Period.parse("2026H1")], vendor_code="x 1") as p:
        assert [f.code for f in p.findings] == ["R-PLAN-04"]
        assert p.deliveries[0].trajecten == 1
