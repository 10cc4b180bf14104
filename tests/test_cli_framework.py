"""What `client.commands._framework` keeps from typer on click: command order, argument help, exit 130
on Ctrl-C, defaults shown, and the exit code of a bare `ddas` (help, 2)."""

from __future__ import annotations

import click
from click.testing import CliRunner

from client.cli import app as ddas_app
from client.commands import exitcodes
from client.commands._framework import ROOT_SETTINGS, Group, argument
from client.commands.exitcodes import INTERRUPTED
from mock_server.cli import app as mock_app


def _group() -> click.Group:
    @click.group(cls=Group, context_settings=ROOT_SETTINGS)
    def root() -> None:
        """root"""

    @root.command("zeta")
    @argument("items", nargs=-1, required=True, doc="Things to take.")
    @click.option("--size", type=int, default=7, help="How many.")
    def zeta(items: tuple[str, ...], size: int) -> None:
        """Last by name, first by registration."""
        click.echo(f"{len(items)} {size}")

    @root.group("alpha")
    def alpha() -> None:
        """A subgroup."""

    @root.command("beta")
    def beta() -> None:
        """Interrupted."""
        raise KeyboardInterrupt

    return root


def test_commands_in_registration_order_groups_last() -> None:
    text = CliRunner().invoke(_group(), ["--help"]).output
    commands = text[text.index("Commands:") :]
    assert commands.index("zeta") < commands.index("beta") < commands.index("alpha")


def test_argument_help_and_defaults_are_shown() -> None:
    result = CliRunner().invoke(_group(), ["zeta", "--help"])
    assert result.exit_code == 0
    assert "Arguments:" in result.output
    line = next(line for line in result.output.splitlines() if "ITEMS..." in line and "Things" in line)
    assert "[required]" in line
    assert "[default: 7]" in result.output
    assert CliRunner().invoke(_group(), ["zeta", "a", "b"]).output == "2 7\n"


def test_ctrl_c_exits_130_without_a_traceback() -> None:
    result = CliRunner().invoke(_group(), ["beta"])
    assert result.exit_code == INTERRUPTED == 130
    assert "Traceback" not in result.output


def test_a_bare_command_line_shows_help_and_exits_2() -> None:
    for app in (ddas_app, mock_app):
        result = CliRunner().invoke(app, [])
        assert result.exit_code == exitcodes.USAGE
        assert "Commands:" in result.output


def test_the_real_commands_keep_their_argument_help() -> None:
    result = CliRunner().invoke(ddas_app, ["validate", "--help"])
    assert "FILE...  JSON files, .zip archives, or - for stdin.  [required]" in result.output
    result = CliRunner().invoke(mock_app, ["pull", "--help"])
    assert "URL  The provider's base URL" in result.output
    assert "[default: 5; x>=1]" in result.output  # --max-attempts, as typer showed it
