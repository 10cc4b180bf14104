"""The `ddas-mock` command line: `serve` (the push receiver) and `pull` (CBS's side of the official route)."""

from __future__ import annotations

import importlib

import click

from client.commands._framework import ROOT_SETTINGS, Group


@click.group(
    "ddas-mock",
    cls=Group,
    help="A stateful emulation of the CBS receiving side, for testing deliveries locally.",
    no_args_is_help=True,
    context_settings=ROOT_SETTINGS,
)
def app() -> None:
    """ddas-mock: the CBS side, on your machine."""


COMMAND_MODULES = ("serve_cmd", "pull_cmd", "conform_cmd")

for _name in COMMAND_MODULES:  # a missing module is an error, never a silently missing command
    importlib.import_module(f"mock_server.{_name}").register(app)


def main() -> None:
    app()
