"""Findings: cheap parts stored, text rendered and masked on access; the streaming JSON writer."""

from __future__ import annotations

import io
import json

from client.validation import FileReport, report_of
from client.validation.findings import Finding, Severity
from client.validation.jsonout import JsonReportWriter


def test_message_template_is_rendered_and_masked_on_access() -> None:
    finding = Finding(
        "R-X", Severity.WARNING, "/a/123456789", "BSN {} and {}", "see {} 987654321", ("123456782", 7)
    )
    assert finding.message == "BSN *****6782 and 7"
    assert finding.path == "/a/*****6789"
    assert finding.hint == "see {} *****4321"  # a hint is text, never a template
    assert finding.to_dict()["message"] == finding.message
    assert "123456782" not in repr(finding)


def test_equal_findings_compare_equal_whatever_their_form() -> None:
    templated = Finding("R-X", Severity.ERROR, "/p", "value {}", "h", ("x",))
    plain = Finding("R-X", Severity.ERROR, "/p", "value x", "h")
    assert templated == plain and hash(templated) == hash(plain)
    assert templated != Finding("R-X", Severity.WARNING, "/p", "value x", "h")


def test_report_counts_per_code_and_severity() -> None:
    findings = [
        Finding("R-A", Severity.WARNING, "", "w"),
        Finding("R-A", Severity.ERROR, "", "e"),
        Finding("R-B", Severity.INFO, "", "i"),
    ]
    report = report_of("f", findings)
    assert (report.errors, report.warnings, report.infos) == (1, 1, 1)
    assert report.by_code == {"R-A": 2, "R-B": 1}
    assert report.severity_by_code == {"R-A": Severity.ERROR, "R-B": Severity.INFO}
    assert not report.valid


def _written(**options: object) -> tuple[dict[str, object], list[bytes]]:
    out = io.BytesIO()
    writer = JsonReportWriter(out, **options)  # type: ignore[arg-type]
    findings = [Finding("R-A", Severity.WARNING, f"/{i}", "n {}", "", (i,)) for i in range(5)]
    findings.append(Finding("R-B", Severity.INFO, "", "info"))
    writer.begin("one.json")
    report = report_of("one.json", findings, writer.finding)
    writer.end(report)
    writer.problem("gone.json", "no such file")
    writer.close()
    return json.loads(out.getvalue()), out.getvalue().splitlines()


def test_writer_writes_every_finding_and_the_counts() -> None:
    data, lines = _written()
    one, gone = data["files"]  # type: ignore[index]
    assert [f["message"] for f in one["findings"]] == [f"n {i}" for i in range(5)] + ["info"]
    assert (one["warnings"], one["infos"], one["truncated"]) == (5, 1, False)
    assert gone == {
        "file": "gone.json",
        "valid": False,
        "errors": 0,
        "warnings": 0,
        "findings": [],
        "problem": "no such file",
    }
    assert sum(line.startswith(b'{"code":') for line in lines) == 6


def test_writer_caps_only_when_asked_and_says_so() -> None:
    data, _ = _written(max_findings=2, include_info=False)
    one = data["files"][0]  # type: ignore[index]
    assert len(one["findings"]) == 2 and one["truncated"] is True and one["warnings"] == 5


def test_report_without_findings_kept_still_counts() -> None:
    report = FileReport("x")
    assert report.valid and report.errors == 0 and report.by_code == {}
