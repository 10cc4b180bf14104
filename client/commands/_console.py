"""The one console factory of every command (`ddas` and `ddas-mock`): output that is not a terminal
is never hard-wrapped, so what a script or a test reads does not depend on a path's length.

rich is imported when a console is made, not when the CLI starts.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from rich.console import Console

__all__ = ["RULE_WIDTH", "UNWRAPPED_WIDTH", "error", "escape", "make_console", "rule"]

# Layout width of tables when the output is a file or a pipe: wide enough that no row is folded.
UNWRAPPED_WIDTH = 10_000
# A horizontal rule off a terminal: as wide as a reader's window, not as wide as the unwrapped tables.
RULE_WIDTH = 110


def make_console(*, stderr: bool = False, width: int | None = None) -> Console:
    """A rich Console without highlighting that never wraps text; off a terminal, tables get `width`
    (default `UNWRAPPED_WIDTH`) columns instead of 80, so nothing is folded either."""
    from rich.console import Console

    console = Console(stderr=stderr, highlight=False, soft_wrap=True)
    if not console.is_terminal:
        console.width = width or UNWRAPPED_WIDTH
    return console


def rule(console: Console, title: str) -> None:
    """A left-aligned rule with `title` (markup): the terminal's width, else `RULE_WIDTH`."""
    from rich.rule import Rule

    width = console.width if console.is_terminal else min(console.width, RULE_WIDTH)
    console.print(Rule(title, align="left"), width=width)


def escape(text: object) -> str:
    """Text (a file name, a message quoting input) made safe to put inside rich markup: `[x]` stays."""
    from rich.markup import escape as rich_escape

    return rich_escape(str(text))


def error(prefix: str, message: str) -> None:
    """`prefix: message` on stderr, prefix in red; the message masked (BSNs) and printed as is."""
    from client.privacy import mask_text

    make_console(stderr=True).print(f"[red]{escape(prefix)}:[/red] {escape(mask_text(message))}")
