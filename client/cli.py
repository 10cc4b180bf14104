"""The `ddas` command line: thin; each command module parses options, calls the library, renders."""

from __future__ import annotations

import importlib

import click

from client import __version__
from client.commands._framework import ROOT_SETTINGS, Group


def _version(ctx: click.Context, param: click.Parameter, value: bool) -> None:
    if value:
        click.echo(f"ddas {__version__}")
        ctx.exit()


@click.group(
    "ddas",
    cls=Group,
    help="Validate, plan, split, sign and deliver DDAS (SHV) data to CBS; serve the official pull route.",
    no_args_is_help=True,
    context_settings=ROOT_SETTINGS,
)
@click.option(
    "--version",
    is_flag=True,
    callback=_version,
    expose_value=False,
    is_eager=True,
    help="Show the version.",
)
def app() -> None:
    """ddas: the DDAS delivery toolkit."""


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

for _name in COMMAND_MODULES:  # a missing module is an error, never a silently missing command
    importlib.import_module(f"client.commands.{_name}").register(app)


def main() -> None:
    app()
