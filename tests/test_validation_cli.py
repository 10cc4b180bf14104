"""`ddas validate`: output formats, exit codes, stdin, zip archives, and bad input without tracebacks."""

from __future__ import annotations

import copy
import json
import os
import re
import subprocess
import sys
import zipfile
from pathlib import Path
from typing import Any

import orjson
import pytest
from click.testing import CliRunner

from client.cli import app
from client.commands import exitcodes
from tests.documents import one_levering

GOOD: dict[str, Any] = one_levering({"gemeentecode": "GM0363", "startdatum": "2024-02-01"})
NAME = "SHV_2024_Voorbeeld.json"

runner = CliRunner()


def invoke(*args: str, stdin: bytes | None = None) -> Any:
    result = runner.invoke(app, ["validate", *args], input=stdin, catch_exceptions=False)
    assert "Traceback" not in result.output
    return result


def bad_doc() -> dict[str, Any]:
    doc = copy.deepcopy(GOOD)
    doc["einddatumLevering"] = "2024-02-30"
    doc["leveringen"][0]["schuldhulptrajecten"] = [{"gemeentecode": 5} for _ in range(7)]
    return doc


@pytest.fixture
def good(tmp_path: Path) -> Path:
    path = tmp_path / NAME
    path.write_bytes(orjson.dumps(GOOD))
    return path


@pytest.fixture
def bad(tmp_path: Path) -> Path:
    path = tmp_path / "SHV_2024_Fout.json"
    path.write_bytes(orjson.dumps(bad_doc()))
    return path


def test_valid_file_exits_0(good: Path) -> None:
    result = invoke(str(good))
    assert result.exit_code == exitcodes.OK
    assert f"✔ {good}: VALID" in result.output


def test_invalid_file_text_groups_by_code(bad: Path) -> None:
    result = invoke(str(bad))
    assert result.exit_code == exitcodes.CONTENT_ERROR
    out = result.output
    assert "R-SCHEMA-01" in out and "7×" in out and "... and 4 more" in out
    assert "R-FMT-01" in out and "/einddatumLevering" in out
    assert out.strip().splitlines()[-1].startswith(f"✘ {bad}: INVALID, 8 errors")


def test_json_output_shape(good: Path, bad: Path) -> None:
    result = invoke("--format", "json", str(good), str(bad))
    assert result.exit_code == exitcodes.CONTENT_ERROR
    data = json.loads(result.stdout)
    assert [f["file"] for f in data["files"]] == [str(good), str(bad)]
    first, second = data["files"]
    assert first["valid"] is True and second["valid"] is False
    assert {"file", "valid", "errors", "warnings", "findings"} <= set(second)
    assert second["errors"] == 8
    assert {"code", "severity", "path", "message", "hint"} == set(second["findings"][0])


def test_max_findings(bad: Path) -> None:
    data = json.loads(invoke("--format", "json", "--max-findings", "2", str(bad)).stdout)
    entry = data["files"][0]
    assert len(entry["findings"]) == 2 and entry["truncated"] is True and entry["errors"] == 8


def test_stdin(good: Path) -> None:
    result = invoke("-", stdin=good.read_bytes())
    assert result.exit_code == exitcodes.OK and "<stdin>" in result.output
    result = invoke("--format", "json", "-", stdin=b'{"a": ')
    assert result.exit_code == exitcodes.CONTENT_ERROR
    assert json.loads(result.stdout)["files"][0]["findings"][0]["code"] == "R-JSON-01"


def test_file_name_rules_and_opt_out(tmp_path: Path) -> None:
    path = tmp_path / "SHV_2024.v2.json"
    path.write_bytes(orjson.dumps(GOOD))
    result = invoke(str(path))
    assert result.exit_code == exitcodes.CONTENT_ERROR and "R-FILE-01" in result.output
    assert invoke("--no-name-check", str(path)).exit_code == exitcodes.OK


@pytest.mark.parametrize("name", ["SHV_2024.v2.json", "shv_2024.v2.json", "Shv_x.JSON"])
def test_a_name_that_claims_a_protocol_file_is_checked(tmp_path: Path, name: str) -> None:
    path = tmp_path / name
    path.write_bytes(orjson.dumps(GOOD))
    result = invoke("--format", "json", str(path))
    assert result.exit_code == exitcodes.CONTENT_ERROR
    codes = {(f["code"], f["severity"]) for f in json.loads(result.stdout)["files"][0]["findings"]}
    assert ("R-FILE-01", "error") in codes


def test_an_export_is_not_a_delivery_file(tmp_path: Path) -> None:
    """Issue 9 item 3: a clean export named export.json passes, with one info about `ddas split`."""
    path = tmp_path / "export.v2.json"
    path.write_bytes(orjson.dumps(GOOD))
    result = invoke("--format", "json", "--verbose", str(path))
    assert result.exit_code == exitcodes.OK, result.output
    files = [f for f in json.loads(result.stdout)["files"][0]["findings"] if f["code"] == "R-FILE-01"]
    assert len(files) == 1 and files[0]["severity"] == "info" and "ddas split" in files[0]["hint"]
    asked = invoke("--name-check", str(path))
    assert asked.exit_code == exitcodes.CONTENT_ERROR and "R-FILE-01" in asked.output


def test_zip_member_by_member(tmp_path: Path) -> None:
    archive = tmp_path / "levering.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        zf.writestr(NAME, orjson.dumps(GOOD))
        zf.writestr("map/SHV_2024_Fout.json", orjson.dumps(bad_doc()))
        zf.writestr("leesmij.txt", b"hallo")
    data = json.loads(invoke("--format", "json", str(archive)).stdout)
    by_name = {f["file"].split("!")[1]: f for f in data["files"]}
    assert by_name[NAME]["valid"] is True
    assert by_name["map/SHV_2024_Fout.json"]["errors"] == 8
    assert by_name["leesmij.txt"]["valid"] is False
    assert by_name["leesmij.txt"]["findings"][0]["code"] == "R-FILE-01"


def test_strict_keeps_the_rules_severity(good: Path) -> None:
    standard = invoke(str(good))  # the document has no client[]: R-CLIENT-01, a warning by default
    assert standard.exit_code == exitcodes.OK
    assert re.search(r"R-CLIENT-01\s+warning", standard.output) and ": VALID," in standard.output
    strict = invoke("--strict", str(good))
    assert strict.exit_code == exitcodes.CONTENT_ERROR
    assert re.search(r"R-CLIENT-01\s+error", strict.output) and ": INVALID," in strict.output


def test_verbose_lists_every_finding(bad: Path) -> None:
    short, verbose = invoke(str(bad)), invoke("--verbose", str(bad))
    assert short.exit_code == verbose.exit_code == exitcodes.CONTENT_ERROR
    assert verbose.output.count("/schuldhulptrajecten/") > short.output.count("/schuldhulptrajecten/")


def test_report_flag(good: Path) -> None:
    result = invoke("--report", str(good))
    assert result.exit_code == exitcodes.OK
    assert result.output.strip()


def test_bad_format_option(good: Path) -> None:
    result = runner.invoke(app, ["validate", "--format", "xml", str(good)])
    assert result.exit_code == exitcodes.USAGE


# ------------------------------------------------------------------------------------------ bad input


def test_missing_file_exits_2(tmp_path: Path) -> None:
    result = invoke(str(tmp_path / "nope.json"))
    assert result.exit_code == exitcodes.USAGE
    assert "no such file" in result.output


def test_directory_exits_2(tmp_path: Path) -> None:
    result = invoke(str(tmp_path))
    assert result.exit_code == exitcodes.USAGE
    assert "is a directory" in result.output


def test_binary_file(tmp_path: Path) -> None:
    path = tmp_path / "SHV_2024_Plaatje.json"
    path.write_bytes(b"\x89PNG\r\n\x1a\n" + os.urandom(2048))
    result = invoke(str(path))
    assert result.exit_code == exitcodes.CONTENT_ERROR
    assert "R-ENC-01" in result.output and "PNG" in result.output


def test_random_bytes(tmp_path: Path) -> None:
    path = tmp_path / "SHV_2024_Ruis.json"
    path.write_bytes(os.urandom(10_000))
    result = invoke(str(path))
    assert result.exit_code == exitcodes.CONTENT_ERROR


def test_truncated_json(tmp_path: Path) -> None:
    path = tmp_path / NAME
    raw = json.dumps(GOOD, indent=2).encode()
    path.write_bytes(raw[: len(raw) - 40])
    result = invoke(str(path))
    assert result.exit_code == exitcodes.CONTENT_ERROR
    assert "R-JSON-01" in result.output and "truncated" in result.output


def test_deeply_nested_json(tmp_path: Path) -> None:
    path = tmp_path / NAME
    path.write_bytes(b"[" * 100_000)
    result = invoke(str(path))
    assert result.exit_code == exitcodes.CONTENT_ERROR
    assert "nested" in result.output


@pytest.mark.timeout(60)
def test_huge_file_is_streamed(tmp_path: Path) -> None:
    """A 2 GB file (sparse: JSON head, then NUL bytes) gets a clear message fast, in bounded memory."""
    path = tmp_path / NAME
    with path.open("wb") as fh:
        fh.write(b'{"startdatumLevering": "2024-01-01", "leveringen": [')
        fh.truncate(2 * 1024**3)
    result = invoke(str(path))
    assert result.exit_code == exitcodes.CONTENT_ERROR
    assert "R-JSON-01" in result.output or "R-ENC-01" in result.output


@pytest.mark.timeout(60)
def test_subprocess_no_traceback(tmp_path: Path) -> None:
    path = tmp_path / NAME
    path.write_bytes(b"\x00\x01\x02" * 100)
    proc = subprocess.run(
        [
            sys.executable,
            "-c",
            "from client.cli import main; main()",
            "validate",
            str(path),
            str(tmp_path / "missing.json"),
        ],
        capture_output=True,
        timeout=60,
        check=False,
    )
    assert proc.returncode == exitcodes.USAGE
    assert b"Traceback" not in proc.stderr and b"Traceback" not in proc.stdout
    assert b"missing.json: no such file" in proc.stderr


def test_readme_walkthrough_generate_and_validate_run_clean(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The README's push walkthrough: `ddas generate ... -o export.json` then `ddas validate export.json
    --report` exits 0 (an export is not a delivery file, issue 9 item 3)."""
    import shlex

    readme = (Path(__file__).resolve().parent.parent / "README.md").read_text(encoding="utf-8")
    steps = [
        shlex.split(line.split("#", 1)[0])
        for line in readme.splitlines()
        if line.startswith(("ddas generate ", "ddas validate export.json"))
    ]
    assert [step[1] for step in steps] == ["generate", "validate"], steps
    monkeypatch.chdir(tmp_path)
    for step in steps:
        result = runner.invoke(app, step[1:], catch_exceptions=False)
        assert result.exit_code == exitcodes.OK, (step, result.output)
    assert "VALID, 0 errors" in result.output


def test_json_output_is_complete_and_streamed_per_file(tmp_path: Path) -> None:
    """Every finding is written (no default cap), one per line, and each file's counts match its list."""
    doc = copy.deepcopy(GOOD)
    doc["leveringen"][0]["schuldhulptrajecten"] = [{"gemeentecode": 5} for _ in range(300)]
    many = tmp_path / "SHV_2024_Veel.json"
    many.write_bytes(orjson.dumps(doc))
    result = invoke("--format", "json", "--verbose", str(many), str(tmp_path / "missing.json"))
    assert result.exit_code == exitcodes.USAGE  # the missing input wins
    data = json.loads(result.stdout)
    entry, missing = data["files"]
    assert entry["truncated"] is False
    assert len(entry["findings"]) == entry["errors"] + entry["warnings"] + entry["infos"] >= 300
    assert missing["valid"] is False and "problem" in missing
    finding_lines = [line for line in result.stdout.splitlines() if line.startswith('{"code":')]
    assert len(finding_lines) == len(entry["findings"])


def test_json_output_masks_bsns(tmp_path: Path) -> None:
    doc = copy.deepcopy(GOOD)
    traject = doc["leveringen"][0]["schuldhulptrajecten"][0]
    traject["client"] = [{"Burgerservicenummer": "123456789"}]  # fails the 11-check: a finding names it
    path = tmp_path / NAME
    path.write_bytes(orjson.dumps(doc))
    result = invoke("--format", "json", "--verbose", str(path))
    assert "123456789" not in result.stdout
    messages = [f["message"] for f in json.loads(result.stdout)["files"][0]["findings"]]
    assert any("*****6789" in m for m in messages), messages


def test_stream_reads_every_file_as_a_stream(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """`--stream` bounds memory on a small machine: the same verdict and findings, through the streaming
    reader even for a small file; the help names the size above which files are always streamed."""
    from datetime import date

    import client.validation.reader as reader
    from client.devtools.generate import write_export

    path = tmp_path / "export.json"
    write_export(
        path, trajecten=40, date_from=date(2025, 1, 1), date_to=date(2025, 6, 30), defects=("R-SCH-01",)
    )
    streamed: list[bool] = []
    original = reader.iter_stream_events

    def counting(*args: Any, **kwargs: Any) -> Any:
        streamed.append(True)
        return original(*args, **kwargs)

    monkeypatch.setattr(reader, "iter_stream_events", counting)
    plain = CliRunner().invoke(app, ["validate", "--format", "json", str(path)])
    assert streamed == []
    result = CliRunner().invoke(app, ["validate", "--format", "json", "--stream", str(path)])
    assert streamed == [True]
    assert result.exit_code == plain.exit_code
    files = orjson.loads(result.stdout)["files"]
    assert files == orjson.loads(plain.stdout)["files"] and files[0]["warnings"] > 0
    help_text = " ".join(CliRunner().invoke(app, ["validate", "--help"]).output.split())
    assert f"files over {reader.STREAM_THRESHOLD // 2**20} MB are always streamed" in help_text
