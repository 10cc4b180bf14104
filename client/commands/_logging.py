"""The `ddas` log of the push commands on stderr: masked lines, above a progress bar when one shows.

Its own module so that `logging` is imported when a push-family command runs, not when the CLI starts.
"""

from __future__ import annotations

import logging
import sys
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from rich.console import Console

__all__ = ["ConsoleHandler", "StderrHandler", "setup_logging", "swap_handler"]


class ConsoleHandler(logging.Handler):
    def __init__(self, console: Console) -> None:
        super().__init__()
        self.console = console
        self.setFormatter(logging.Formatter("ddas: %(message)s"))

    def emit(self, record: logging.LogRecord) -> None:
        self.console.print(self.format(record), markup=False, highlight=False, soft_wrap=True)


class StderrHandler(logging.StreamHandler):  # type: ignore[type-arg]
    """Writes to whatever `sys.stderr` is at the time of the record, not when the handler was made.

    A later command in the same process (tests, the demo, `ddas-mock pull` after `ddas push`) may have
    replaced or closed the stream the first command saw.
    """

    def __init__(self) -> None:
        super().__init__(sys.stderr)

    @property
    def stream(self) -> Any:
        return sys.stderr

    @stream.setter
    def stream(self, value: Any) -> None:
        pass


def swap_handler(handler: logging.Handler | None) -> None:
    """Route the `ddas` log through `handler` (None: back to plain stderr)."""
    logger = logging.getLogger("ddas")
    for old in [h for h in logger.handlers if getattr(h, "_ddas", False)]:
        logger.removeHandler(old)
    if handler is None:
        handler = StderrHandler()
        handler.setFormatter(logging.Formatter("ddas: %(message)s"))
    handler._ddas = True  # type: ignore[attr-defined]
    logger.addHandler(handler)


def setup_logging(quiet: bool) -> None:
    """Retries and reconciliation are logged (masked) on stderr; --quiet keeps only errors."""
    logger = logging.getLogger("ddas")
    swap_handler(None)  # bound to the current stderr (tests swap it between invocations)
    logger.setLevel(logging.ERROR if quiet else logging.WARNING)
    logger.propagate = False
