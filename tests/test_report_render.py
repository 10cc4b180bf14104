"""The quality report's HTML drawn by headless Chromium: every chart has a size and the expected bars."""

from __future__ import annotations

import re
import shutil
import subprocess
from datetime import UTC, date, datetime
from html import unescape
from pathlib import Path
from typing import Any

import pytest

from client.devtools.generate import generate_export
from client.report import build_report, render_html
from client.report.figures import FUNNEL
from client.validation.findings import Finding, Severity

CHROMIUM = Path("/usr/bin/chromium")
pytestmark = pytest.mark.skipif(
    not CHROMIUM.is_file(),
    reason="/usr/bin/chromium is absent (Debian package `chromium`; .ci/run installs it)",
)
FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
    "--hide-scrollbars",
]


def sample_report() -> dict[str, Any]:
    """A realistic delivery from the project's generator (several municipalities, all phases)."""
    doc = generate_export(
        trajecten=1500,
        date_from=date(2025, 1, 1),
        date_to=date(2025, 6, 30),
        organisaties=2,
        variant="meerdere",
        seed=11,
    )
    findings = [
        Finding("R-ID-BSN-02", Severity.WARNING, f"/leveringen/0/schuldhulptrajecten/{i}/client/0", "masked")
        for i in range(12)
    ]
    previous = {"totals": {"trajecten": 1400}, "municipalities": []}
    report = build_report(
        doc, findings=findings, previous=previous, generated_at=datetime(2025, 7, 2, tzinfo=UTC)
    )
    report["status"] = "technisch_goedgekeurd"
    return report


def chromium(args: list[str], profile: Path, timeout: float = 25) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(CHROMIUM), *FLAGS, f"--user-data-dir={profile}", *args],
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


def expected_bars(report: dict[str, Any]) -> dict[str, tuple[int, int]]:
    """Per chart: (bars in the SVG, bars with a non-zero value) as the figures dictate."""
    t = report["totals"]
    munis = [r["trajecten"] for r in report["municipalities"]][:25]
    funnel = [t["phases"][p] for p in FUNNEL]
    uit = [v for v in t["uitstroom_reden"].values() if v]
    opl = [v for v in t["oplossing_soort"].values() if v]
    comp = [c["percent"] for c in t["completeness"] if c["denominator"]]
    soort = [d["count"] for d in t["debts"]["per_schuldsoort"].values()]
    ages = list(t["ages"]["bands"].values())

    def pair(values: list[Any]) -> tuple[int, int]:
        return len(values), sum(1 for v in values if v)

    return {
        "municipalities": pair(munis),
        "funnel": pair(funnel),
        "uitstroom": pair(uit),
        "oplossing": pair(opl),
        "completeness": pair(comp),
        "schuldsoort": pair(soort),
        "ages": pair(ages),
    }


@pytest.mark.timeout(30)
def test_charts_are_drawn_in_headless_chromium(tmp_path: Path) -> None:
    report = sample_report()
    page = tmp_path / "report.html"
    page.write_text(render_html(report), encoding="utf-8")
    result = chromium(["--window-size=1280,2000", "--dump-dom", page.as_uri()], tmp_path / "profile")
    assert result.returncode == 0, result.stderr[-2000:]
    dom = result.stdout
    rendered = {
        name: unescape(info)
        for name, info in re.findall(r'<svg[^>]*data-chart="([^"]+)"[^>]*data-rendered="([^"]+)"', dom)
    }
    rendered |= {
        name: unescape(info)
        for info, name in re.findall(r'<svg[^>]*data-rendered="([^"]+)"[^>]*data-chart="([^"]+)"', dom)
    }
    expected = expected_bars(report)
    assert set(rendered) == set(expected), f"charts measured: {sorted(rendered)}"
    for name, info in rendered.items():
        match = re.fullmatch(r"(\d+)x(\d+) bars=(\d+) drawn=(\d+)", info)
        assert match, info
        width, height, bars, drawn = map(int, match.groups())
        assert width > 200 and height > 20, f"{name} drawn at {width}x{height}"
        assert (bars, drawn) == expected[name], f"{name}: {info}, expected {expected[name]}"
        assert bars > 0, name


@pytest.mark.timeout(30)
def test_screenshot_is_written(tmp_path: Path) -> None:
    """A PNG of the first screen (kept by the test run's tmp dir for a human to look at)."""
    page = tmp_path / "report.html"
    page.write_text(render_html(sample_report()), encoding="utf-8")
    shot = tmp_path / "report.png"
    result = chromium(["--window-size=1200,1600", f"--screenshot={shot}", page.as_uri()], tmp_path / "p")
    assert result.returncode == 0, result.stderr[-2000:]
    data = shot.read_bytes()
    assert data.startswith(b"\x89PNG") and len(data) > 20_000
    if shutil.which("file"):
        assert "1200 x 1600" in subprocess.run(["file", str(shot)], capture_output=True, text=True).stdout
