"""`make demo` end to end (bounded): keys, data, validation, mock, push of every open period, reports."""

from __future__ import annotations

import io
import threading
from pathlib import Path

import pytest
from rich.console import Console

from mock_server import demo


@pytest.mark.timeout(120)
def test_demo_runs_end_to_end(tmp_path: Path) -> None:
    before = set(threading.enumerate())  # another test module's session-scoped server may be running
    out = io.StringIO()
    ctx = demo.run(tmp_path / "demo", trajecten=600, console=Console(file=out, width=120, highlight=False))
    text = out.getvalue()
    result = ctx.push_result
    assert result is not None and result.ok, text
    assert len(result.deliveries) >= 6  # three organisations x the open periods of 2025-2026
    assert {d.state for d in result.deliveries} == {"accepted"}
    assert {d.state for d in ctx.second_result.deliveries} == {"unchanged"}
    assert ctx.html_reports and all(p.read_text(encoding="utf-8").startswith("<!") for p in ctx.html_reports)
    # the pull step and the test kit's conformance run start the provider with the one demo helper
    assert ctx.timings.get("pull_equal") == 1.0 and ctx.timings.get("testkit_ok") == 1.0, text
    assert "Quality report" in text and "technisch_goedgekeurd" in text and "demo done" in text
    assert [name for name, _ in demo.DEMO_STEPS][:6] == [
        "keys",
        "generate",
        "validate",
        "split",
        "mock",
        "push",
    ]
    split = sorted((tmp_path / "demo" / "split").glob("SHV_*.json"))
    assert split and all(p.stat().st_mode & 0o777 == 0o600 for p in split)  # they hold BSNs
    left = [
        t for t in threading.enumerate() if t not in before and t.name.startswith("uvicorn") and t.is_alive()
    ]
    assert not left, left  # the demo stopped every server it started
