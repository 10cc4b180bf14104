"""The conformance report as JUnit XML (one testcase per check, the id in its name) and as one HTML page."""

from __future__ import annotations

import html
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import TYPE_CHECKING

from client.files import write_atomic
from mock_server.conform.checks import Status

if TYPE_CHECKING:
    from mock_server.conform import Report

SUITE = "ddas-conform"


def _evidence(result_exchanges: list[str]) -> str:
    return "\n\n".join(result_exchanges)


def junit_xml(report: Report) -> bytes:
    """JUnit XML for the vendor's CI: failures carry the detail and the exchanges seen."""
    suite = ET.Element(
        "testsuite",
        name=SUITE,
        tests=str(len(report.results)),
        failures=str(report.count(Status.FAILED)),
        skipped=str(report.count(Status.SKIPPED)),
        errors="0",
        time=f"{sum(r.seconds for r in report.results):.3f}",
    )
    ET.SubElement(ET.SubElement(suite, "properties"), "property", name="url", value=report.url)
    for result in report.results:
        case = ET.SubElement(
            suite,
            "testcase",
            classname=SUITE,
            name=f"{result.check.id}: {result.check.description}",
            time=f"{result.seconds:.3f}",
        )
        outcome = result.outcome
        evidence = _evidence([e.summary() for e in outcome.exchanges])
        if outcome.status is Status.FAILED:
            failure = ET.SubElement(case, "failure", message=outcome.detail[:1000], type=result.check.id)
            failure.text = evidence
        elif outcome.status is Status.SKIPPED:
            ET.SubElement(case, "skipped", message=outcome.detail[:1000])
        else:
            ET.SubElement(case, "system-out").text = outcome.detail
    testsuites = ET.Element("testsuites", name=SUITE)
    testsuites.append(suite)
    data: bytes = ET.tostring(testsuites, encoding="utf-8", xml_declaration=True)
    return data


_STYLE = """
body{font-family:system-ui,sans-serif;margin:2rem;max-width:70rem}
table{border-collapse:collapse;width:100%}
td,th{border-bottom:1px solid #ddd;padding:.4rem;text-align:left;vertical-align:top}
.passed{color:#176117}.failed{color:#a11}.skipped{color:#666}
pre{white-space:pre-wrap;background:#f6f6f6;padding:.5rem;max-height:20rem;overflow:auto;font-size:.8rem}
"""


def html_page(report: Report) -> str:
    """One self-contained page (no scripts, no external resources)."""
    rows = []
    for result in report.results:
        o = result.outcome
        evidence = "".join(f"<pre>{html.escape(e.summary())}</pre>" for e in o.exchanges[:3])
        more = f"<p>and {len(o.exchanges) - 3} more exchange(s)</p>" if len(o.exchanges) > 3 else ""
        details = f"<details><summary>exchanges</summary>{evidence}{more}</details>" if evidence else ""
        rows.append(
            f'<tr><td class="{o.status.value}">{o.status.value.upper()}</td>'
            f"<td><b>{html.escape(result.check.id)}</b></td><td>{html.escape(result.check.description)}</td>"
            f"<td>{html.escape(o.detail)}{details}</td></tr>"
        )
    verdict = "conforms" if report.ok else "does not conform"
    counts = ", ".join(f"{report.count(s)} {s.value}" for s in Status)
    return (
        '<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">'
        f"<title>DDAS conformance: {html.escape(report.url)}</title><style>{_STYLE}</style></head><body>"
        f"<h1>DDAS conformance of POST /gegevens</h1><p>{html.escape(report.url)}, period "
        f"{html.escape(report.period)}: <b>{verdict}</b> ({counts}).</p>"
        "<table><tr><th>result</th><th>check</th><th>what</th><th>seen</th></tr>"
        + "".join(rows)
        + "</table></body></html>\n"
    )


def write_private(path: Path, data: bytes) -> None:
    """Write a report: 0600, since an exchange can show trajecten (BSNs) the provider sent."""
    path.parent.mkdir(parents=True, exist_ok=True)
    write_atomic(path, data)
