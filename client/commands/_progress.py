"""The progress bar every long-running command shows: on stderr, transient, only on a terminal."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from rich.progress import Progress


def progress_bar(*, enabled: bool = True) -> Progress:
    """A rich Progress (spinner, description, bar, n/m, elapsed) on stderr; disabled when not a terminal.

    Imported lazily so that `ddas --help` and quick commands do not pay for rich.
    """
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        SpinnerColumn,
        TextColumn,
        TimeElapsedColumn,
    )

    from client.commands._console import make_console

    console = make_console(stderr=True)
    return Progress(
        SpinnerColumn(),
        TextColumn("[progress.description]{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=console,
        transient=True,
        disable=not (enabled and console.is_terminal),
    )
