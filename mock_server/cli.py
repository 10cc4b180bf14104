"""The `ddas-mock` command line: `serve` (the push receiver) and `pull` (CBS's side of the official route)."""

from __future__ import annotations

import importlib

import typer

from client.commands._console import markup_mode

app = typer.Typer(
    name="ddas-mock",
    help="A stateful emulation of the CBS receiving side, for testing deliveries locally.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode=markup_mode(),  # plain, unwrapped errors when stderr is not a terminal
)

COMMAND_MODULES = ("serve_cmd", "pull_cmd", "conform_cmd")


@app.callback()
def _root() -> None:
    """ddas-mock: the CBS side, on your machine."""


for _name in COMMAND_MODULES:  # a missing module is an error, never a silently missing command
    importlib.import_module(f"mock_server.{_name}").register(app)


def main() -> None:
    app()
