"""The click classes both command lines (`ddas`, `ddas-mock`) are built from.

click rather than typer (docs/decisions.md): every call of the CLI pays for its start-up, and typer
imports pydantic and builds a type adapter per parameter on each call. What typer added and the
commands rely on is kept here: commands listed in the order they were registered, a help text per
positional argument, defaults shown in `--help`, and Ctrl-C ending with exit 130 instead of a traceback.
click's own errors (a bad option value) are plain single lines, on a terminal or not.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, TypeVar

import click

from client.commands import exitcodes

__all__ = ["PATH", "ROOT_SETTINGS", "Argument", "Command", "F", "Group", "argument"]

# a command's function, as a decorator that adds a parameter takes and returns it
F = TypeVar("F", bound=Callable[..., Any])

# An option or argument naming a file or directory: a `pathlib.Path`, nothing checked (the command does).
PATH = click.Path(path_type=Path)


# Context settings of a command line's root group (inherited by its commands): defaults shown in --help.
ROOT_SETTINGS: dict[str, Any] = {"show_default": True}


class Argument(click.Argument):
    """A positional argument with a help text (click before 8.5 has none), shown under "Arguments"."""

    def __init__(self, param_decls: Sequence[str], *, doc: str | None = None, **attrs: Any) -> None:
        super().__init__(param_decls, **attrs)
        self.doc = doc


def argument(*param_decls: str, doc: str, **attrs: Any) -> Callable[[F], F]:
    """`click.argument` with a help text: `@argument("url", doc="The provider's base URL.")`."""
    return click.argument(*param_decls, cls=Argument, doc=doc, **attrs)


def _format_arguments(command: click.Command, ctx: click.Context, formatter: click.HelpFormatter) -> None:
    rows = []
    for param in command.get_params(ctx):
        if isinstance(param, Argument) and param.doc is not None:
            name = param.human_readable_name
            if param.nargs != 1 and not name.endswith("..."):
                name += "..."
            rows.append((name, param.doc + ("  [required]" if param.required else "")))
    if rows:
        with formatter.section("Arguments"):
            formatter.write_dl(rows)


class Command(click.Command):
    """A command whose help lists its positional arguments with their help texts."""

    def format_help(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        self.format_usage(ctx, formatter)
        self.format_help_text(ctx, formatter)
        _format_arguments(self, ctx, formatter)
        self.format_options(ctx, formatter)
        self.format_epilog(ctx, formatter)


class Group(click.Group):
    """A command group: its commands in registration order, then its groups (as typer listed them);
    subcommands of these classes; exit 130 on Ctrl-C."""

    command_class = Command
    group_class = type  # a subgroup is a Group too

    def list_commands(self, ctx: click.Context) -> list[str]:
        commands = list(self.commands.items())
        return [name for name, c in commands if not isinstance(c, click.Group)] + [
            name for name, c in commands if isinstance(c, click.Group)
        ]

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except KeyboardInterrupt:
            raise click.exceptions.Exit(exitcodes.INTERRUPTED) from None
