"""The demo's pull step: serve the demo exports, pull every pushed period, same trajecten on both routes."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from rich.console import Console

import mock_server.demo as demo


@pytest.mark.timeout(120)
def test_demo_pull_step_matches_the_push(tmp_path: Path) -> None:
    output = io.StringIO()
    ctx = demo.run(tmp_path / "demo", trajecten=300, console=Console(file=output, width=140))
    text = output.getvalue()
    assert ctx.timings["pull_equal"] == 1.0, text[-3000:]
    assert "the same trajecten" in text and "NO" not in text.split("7. The official route")[-1]
    assert (tmp_path / "demo" / "pull.sqlite").is_file()
    # 8. the test kit: one forced scenario, then ddas-mock conform against ddas serve, all checks passing
    kit = text.split("8. The test kit")[-1]
    assert ctx.timings["testkit_ok"] == 1.0, kit[-3000:]
    assert "DDAS-Test-Scenario: technisch_afgekeurd" in kit and "MOCK-SCENARIO-01" in kit
    assert "SHV-SIG-01" in kit and "failed" not in kit
