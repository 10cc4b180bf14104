"""The `ddas` command line: thin; each command module parses options, calls the library, renders."""

from __future__ import annotations

import importlib

import typer

from client import __version__
from client.commands._console import markup_mode

app = typer.Typer(
    name="ddas",
    help="Validate, plan, split, sign and deliver DDAS (SHV) data to CBS; serve the official pull route.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode=markup_mode(),  # plain, unwrapped errors when stderr is not a terminal
)

# Each module under client/commands/ defines `register(app)`; one module per command group.
COMMAND_MODULES = (
    "validate",  # ddas validate
    "generate",  # ddas generate
    "schema",  # ddas schema
    "plan",  # ddas plan, ddas split
    "keys",  # ddas keys dev
    "push",  # ddas push, status, withdraw, report, config show
    "serve",  # ddas serve (official route, provider)
)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"ddas {__version__}")
        raise typer.Exit()


@app.callback()
def _root(
    version: bool = typer.Option(
        False, "--version", callback=_version, is_eager=True, help="Show the version."
    ),
) -> None:
    """ddas: the DDAS delivery toolkit."""


for _name in COMMAND_MODULES:  # a missing module is an error, never a silently missing command
    importlib.import_module(f"client.commands.{_name}").register(app)


def main() -> None:
    app()
