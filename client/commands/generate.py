"""`ddas generate`: write a realistic synthetic export (optionally with named defects).

rich and the generator are imported when the command runs, not when the CLI starts.
"""

from __future__ import annotations

import contextlib
import sys
import time
from collections.abc import Callable, Iterator
from datetime import date
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING

import click

from client.commands import exitcodes

if TYPE_CHECKING:
    from rich.console import Console

_PROGRESS_FROM = 10_000  # trajecten; smaller runs finish before a bar is worth drawing


def _date(option: str, text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise _Usage(f"{option} {text!r} is not a date; write it as YYYY-MM-DD, e.g. 2025-06-30") from None


class _Usage(Exception):
    pass


@contextlib.contextmanager
def _progress_bar(err: Console, total: int, *, shown: bool) -> Iterator[Callable[[int], None] | None]:
    """A transient bar on stderr and the callback that advances it; None when no bar is shown."""
    if not shown:
        yield None
        return
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

    columns = (TextColumn("generating"), BarColumn(), MofNCompleteColumn(), TimeRemainingColumn())
    with Progress(*columns, console=err, transient=True) as bar:
        task = bar.add_task("generate", total=total)
        yield partial(bar.advance, task)


def _list_defects() -> None:
    from rich.table import Table

    from client.commands._console import make_console
    from client.devtools.generate import DEFECTS

    table = Table(title="Defects `ddas generate --defects` can inject", show_lines=False)
    table.add_column("code")
    table.add_column("severity (strict)")
    table.add_column("where")
    table.add_column("what")
    for spec in DEFECTS.values():
        table.add_row(spec.code, spec.severity, spec.level, spec.description)
    make_console().print(table)


def register(app: click.Group) -> None:
    @app.command("generate")
    @click.option("--trajecten", "-n", type=int, default=100, help="Number of trajecten.", metavar="N")
    @click.option(
        "--from", "date_from", default="2025-01-01", help="startdatumLevering (YYYY-MM-DD).", metavar="DATE"
    )
    @click.option(
        "--to", "date_to", default="2025-06-30", help="einddatumLevering (YYYY-MM-DD).", metavar="DATE"
    )
    @click.option("--organisaties", "-k", type=int, default=1, help="Delivering organisations.", metavar="K")
    @click.option("--seed", type=int, default=1, help="Random seed: the same seed gives the same bytes.")
    @click.option(
        "--variant",
        default="gemeente",
        help="gemeente (delivers itself), derde (third party for one gemeente), "
        "meerdere (one party for several gemeenten, one levering each).",
    )
    @click.option(
        "--defects",
        default="",
        help="Comma-separated rule codes to inject (see --list-defects).",
        metavar="CODE,...",
        show_default=False,
    )
    @click.option(
        "--defect-share",
        type=float,
        default=None,
        help="Put each traject defect in this share of the trajecten (0 < S <= 1; default: 3 trajecten).",
        metavar="S",
    )
    @click.option(
        "--vendor",
        default=None,
        help="codeGegevensleverancier: vendor name (+ version; ours appended if absent).",
    )
    @click.option("--output", "-o", default=None, help="Output file, or - for stdout.", metavar="FILE")
    @click.option("--quiet", "-q", is_flag=True, help="No progress bar and no summary.")
    @click.option("--list-defects", is_flag=True, help="List the injectable defects and exit.")
    def generate_cmd(
        trajecten: int,
        date_from: str,
        date_to: str,
        organisaties: int,
        seed: int,
        variant: str,
        defects: str,
        defect_share: float | None,
        vendor: str | None,
        output: str | None,
        quiet: bool,
        list_defects: bool,
    ) -> None:
        """Generate a realistic synthetic Uitwisselmodel v1.0 export (BSNs pass the 11-check)."""
        from client.commands._console import error, escape, make_console
        from client.devtools.generate import (
            DEFAULT_VENDOR,
            GenerateError,
            check_share,
            parse_defects,
            write_export,
        )

        err = make_console(stderr=True)
        if list_defects:
            _list_defects()
            return
        try:
            if output is None:
                raise _Usage("-o FILE is required (use -o - to write to stdout)")
            start = _date("--from", date_from)
            end = _date("--to", date_to)
            codes = parse_defects(defects)
            check_share(defect_share)
        except (_Usage, GenerateError) as exc:
            error("ddas generate", str(exc))
            raise click.exceptions.Exit(exitcodes.USAGE) from None

        show_bar = not quiet and trajecten >= _PROGRESS_FROM and sys.stderr.isatty()
        target: str | Path = "-" if output == "-" else Path(output)
        began = time.perf_counter()
        try:
            with _progress_bar(err, trajecten, shown=show_bar) as progress:
                stats = write_export(
                    target,
                    trajecten=trajecten,
                    date_from=start,
                    date_to=end,
                    organisaties=organisaties,
                    seed=seed,
                    variant=variant,
                    defects=codes,
                    vendor=vendor or DEFAULT_VENDOR,
                    progress=progress,
                    defect_share=defect_share,
                )
        except GenerateError as exc:
            error("ddas generate", str(exc))
            raise click.exceptions.Exit(exitcodes.USAGE) from None
        except OSError as exc:
            reason = exc.strerror or exc
            error(
                "ddas generate",
                f"cannot write {output}: {reason}; check that the directory exists and is writable",
            )
            raise click.exceptions.Exit(exitcodes.USAGE) from None
        if not quiet:
            seconds = time.perf_counter() - began
            where = "stdout" if target == "-" else str(target)
            extra = f", defects {', '.join(codes)}" if codes else ""
            err.print(
                f"wrote {escape(where)}: {stats.trajecten:,} trajecten, {stats.bytes / 1e6:,.1f} MB "
                f"in {seconds:.1f} s (variant {variant}, seed {seed}{extra})",
                highlight=False,
            )
