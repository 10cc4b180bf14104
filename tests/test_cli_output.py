"""Output that is not a terminal is never hard-wrapped, and file names print as they are (issue 9 item 1).

Every command prints through `client.commands._console`: whether a message survives must not depend on
the length of the temporary path (a fresh machine's is longer), and a name with `[...]` is not markup.
Each case runs with a short and with a 100-character directory path.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from client.cli import app as ddas_app
from client.commands import exitcodes
from client.commands._console import make_console
from mock_server.cli import app as mock_app

pytestmark = pytest.mark.timeout(60)

NAME = "trunc [bold]x[red] [y].json"  # rich would eat the tags


@pytest.fixture(params=["short", "long"])
def folder(request: pytest.FixtureRequest, tmp_path: Path) -> Path:
    """`tmp_path/s`, or a directory whose absolute path is exactly 100 characters long."""
    if request.param == "short":
        path = tmp_path / "s"
    else:
        pad = 100 - len(str(tmp_path)) - 1
        assert pad > 0, "tmp_path is already longer than 100 characters"
        path = tmp_path / ("d" * pad)
        assert len(str(path)) == 100
    path.mkdir()
    (path / NAME).write_bytes(b'{"leveringen": [')
    return path


def _run(app: Any, *args: str | Path) -> Any:
    return CliRunner().invoke(app, [str(a) for a in args])


def _lines_with(text: str, needle: str) -> list[str]:
    return [line for line in text.splitlines() if needle in line]


@pytest.mark.parametrize("command", ["plan", "split", "push"])
def test_error_names_the_file_whole_on_one_line(folder: Path, tmp_path: Path, command: str) -> None:
    target = folder / NAME
    extra: list[str | Path] = {
        "plan": [],
        "split": ["-o", tmp_path / "out"],
        "push": ["--dry-run", "--journal", tmp_path / "j.sqlite"],
    }[command]
    result = _run(ddas_app, command, target, "--period", "2025H1", *extra)
    assert result.exit_code == exitcodes.CONTENT_ERROR, result.output
    assert "Traceback" not in result.output
    lines = _lines_with(result.output, str(target))
    assert lines, f"the full path {target} is not on one line of:\n{result.output}"
    assert "ddas validate" in lines[0] or "ddas validate" in result.output.replace("\n", " ")
    assert all(len(line) < 1000 for line in result.output.splitlines())


def test_validate_prints_the_name_as_is(folder: Path) -> None:
    target = folder / NAME
    result = _run(ddas_app, "validate", target)
    assert result.exit_code == exitcodes.CONTENT_ERROR, result.output
    assert _lines_with(result.output, f"== {target}"), result.output
    assert _lines_with(result.output, f"✘ {target}: INVALID"), result.output


def test_usage_errors_are_not_wrapped(folder: Path, tmp_path: Path) -> None:
    """click's own errors (bad option values) are plain single lines off a terminal."""
    bogus = "not-a-date-" + "x" * 100
    out = tmp_path / "out"
    result = _run(ddas_app, "split", folder / NAME, "-o", out, "--period", "2025H1", "--aanleverdatum", bogus)
    assert result.exit_code == exitcodes.USAGE, result.output
    assert bogus in result.output, result.output
    assert "╭" not in result.output  # no rich panel box


def test_mock_cli_errors_are_not_wrapped(folder: Path) -> None:
    missing = folder / "no [such] file.toml"
    result = _run(mock_app, "serve", "--config", missing)
    assert result.exit_code != 0
    assert "Traceback" not in result.output
    assert str(missing) in result.output.replace("'", "").replace('"', ""), result.output


def test_console_off_a_terminal_is_wide_and_soft_wrapping() -> None:
    console = make_console()
    assert not console.is_terminal
    with console.capture() as capture:
        console.print("[bold]x[/bold] " + "word " * 100)
    assert len(capture.get().splitlines()) == 1


def test_the_demo_console_wraps_no_table_cell_and_keeps_rules_readable(
    capsys: pytest.CaptureFixture[str],
) -> None:
    """The demo prints through the same factory: off a terminal a long cell stays on one line, and a
    rule is `RULE_WIDTH` wide rather than the tables' layout width."""
    from rich.table import Table

    from client.commands._console import RULE_WIDTH, rule

    console = make_console()
    table = Table("check", "detail")
    cell = "every response carries the API-Version header " * 4
    table.add_row("SHV-API-01", cell.strip())
    console.print(table)
    rule(console, "[bold]7. The official route[/bold]")
    lines = capsys.readouterr().out.splitlines()
    assert any(cell.strip() in line for line in lines)
    assert len(lines[-1]) == RULE_WIDTH and lines[-1].startswith("7. The official route ")
