"""`ddas plan` (what would be delivered) and `ddas split` (write the delivery files).

The planner, rich and the page checker are imported when a command runs, not when the CLI starts.
"""

from __future__ import annotations

import os
import sys
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from client.commands import exitcodes
from client.commands._console import error, escape, make_console
from client.commands._framework import PATH, argument
from client.commands._inputs import input_problem
from client.commands._progress import progress_bar
from client.protocol import DEFAULT_VENDOR_CODE, MAX_PAGE_TRAJECTEN

if TYPE_CHECKING:
    from rich.console import Console

    from client.planning import Period, Plan
    from client.validation.findings import Finding

# client.planning's defaults, repeated so that the options need not import the planner
# (tests/test_cli_startup.py holds them equal)
DEFAULT_PAGE_SIZE = MAX_PAGE_TRAJECTEN
DEFAULT_UITVRAAGDEEL = "SHV"

_EXPORTS = argument(
    "exports",
    nargs=-1,
    required=True,
    type=PATH,
    doc="One or more exports (Uitwisselmodel JSON, or API messages).",
)
_PERIOD = click.option("--period", default=None, help="One half year, e.g. 2026H1.")
_PERIODS = click.option(
    "--periods", default=None, help="A range or list, e.g. 2025H1..2026H2 or 2025H2,2026H1."
)
_PAGE_SIZE = click.option(
    "--page-size",
    type=click.IntRange(1, MAX_PAGE_TRAJECTEN),
    default=DEFAULT_PAGE_SIZE,
    help=f"Trajecten per page (max {MAX_PAGE_TRAJECTEN:,}).",
)
_PER_GEMEENTE = click.option(
    "--per-gemeente",
    is_flag=True,
    help="One delivery (file) per organisation x municipality, uitvraagdeel = gemeentecode.",
)
_DEDUPE = click.option(
    "--dedupe", is_flag=True, help="Keep only the most complete of duplicate trajecten (R-DUP-01)."
)
_VENDOR = click.option(
    "--vendor",
    default=DEFAULT_VENDOR_CODE,
    envvar="DDAS_VENDOR",
    show_envvar=True,
    help="codeGegevensleverancier: vendor name + software version.",
)
_CODE = click.option(
    "--code-uitvraag",
    default=None,
    help="Code uitvraag in file names; default the period code; may use {period}, {year}, {half}.",
)
_DEEL = click.option(
    "--uitvraagdeel", default=DEFAULT_UITVRAAGDEEL, help="Uitvraagdeel of organisation-level deliveries."
)


def _periods(period: str | None, periods: str | None) -> list[Period]:
    from client.planning import Period

    if period and periods:
        raise click.BadParameter("give --period or --periods, not both")
    spec = period or periods
    return Period.parse_spec(spec) if spec else []


def _make_plan(
    exports: list[Path],
    period: str | None,
    periods: str | None,
    *,
    page_size: int,
    per_gemeente: bool,
    dedupe: bool,
    vendor: str,
    code_uitvraag: str | None,
    uitvraagdeel: str,
    aanleverdatum: datetime | None = None,
) -> Plan:
    """Plan or exit with a clear message (2: usage/I-O, 1: an input that is not JSON)."""
    from client.planning import SourceError, plan

    try:
        wanted = _periods(period, periods)
    except ValueError as exc:
        error("ddas", str(exc))
        raise click.exceptions.Exit(exitcodes.USAGE) from exc
    for path in exports:
        problem = input_problem(path)
        if problem is not None:
            error("ddas", f"{path}: {problem}")
            raise click.exceptions.Exit(exitcodes.USAGE)
    with progress_bar() as progress:
        task = progress.add_task("reading trajecten", total=None)

        def tick(stage: str, n: int) -> None:
            progress.update(task, completed=n)

        try:
            return plan(
                exports,
                wanted,
                vendor_code=vendor,
                page_size=page_size,
                dedupe=dedupe,
                aanleverdatum=aanleverdatum,
                code_uitvraag=code_uitvraag,
                per_gemeente=per_gemeente,
                uitvraagdeel=uitvraagdeel,
                progress=tick,
            )
        except SourceError as exc:
            error("ddas", f"{exc} (check it with `ddas validate {exc.name}`)")
            raise click.exceptions.Exit(exitcodes.USAGE if exc.usage else exitcodes.CONTENT_ERROR) from exc
        except ValueError as exc:
            error("ddas", str(exc))
            raise click.exceptions.Exit(exitcodes.USAGE) from exc
        except OSError as exc:  # the planner's spill file (a large plan) on a full temporary disk
            import tempfile

            from client.planning.output import describe_os_error

            error(
                "ddas",
                describe_os_error(Path(tempfile.gettempdir()), exc) + " (or set TMPDIR to a larger disk)",
            )
            raise click.exceptions.Exit(exitcodes.USAGE) from None


def _human(n: int) -> str:
    size = float(n)
    for unit in ("B", "kB", "MB", "GB"):
        if size < 1000 or unit == "GB":
            return f"{size:.0f} {unit}" if unit == "B" else f"{size:.1f} {unit}"
        size /= 1000
    return f"{n} B"


def _plan_dict(p: Plan) -> dict[str, Any]:
    out = p.to_dict()
    for d, dd in zip(p.deliveries, out["deliveries"], strict=True):
        for g in dd["gemeenten"]:
            g["findings"] = len(p.findings_for(d, g["gemeentecode"]))
    return out


def _print_findings(console: Console, findings: list[Finding], limit: int = 50) -> None:
    for f in findings[:limit]:  # a Finding's message and hint come out masked
        colour = {"error": "red", "warning": "yellow", "info": "blue"}[f.severity.value]
        console.print(
            f"[{colour}]{f.severity.value}[/{colour}] {f.code} {escape(f.message)}"
            + (f"\n    hint: {escape(f.hint)}" if f.hint else ""),
            highlight=False,
            soft_wrap=True,
        )
    if len(findings) > limit:
        console.print(f"... and {len(findings) - limit} more (use --format json for all)", highlight=False)


def _render_plan(p: Plan) -> None:
    from rich.table import Table

    console = make_console()
    table = Table(title=f"Delivery plan ({', '.join(x.code for x in p.periods) or 'no periods'})")
    for col in (
        "Period",
        "Organisation",
        "Uitvraagdeel",
        "Gemeente",
        "Teller",
        "Trajecten",
        "Pages",
        "Bytes",
        "Findings",
    ):
        table.add_column(
            col, justify="right" if col in ("Teller", "Trajecten", "Pages", "Bytes", "Findings") else "left"
        )
    for d in p.deliveries:
        pos = 0
        for k, lev in enumerate(d.leveringen):
            n = len(lev.recs)
            first = pos // d.page_size + 1
            last = (pos + n - 1) // d.page_size + 1
            pos += n
            table.add_row(
                d.period.code if k == 0 else "",
                escape(d.organisatie_naam) if k == 0 else "",
                escape(d.uitvraagdeel) if k == 0 else "",
                escape(lev.gm or "(none)"),
                str(lev.teller),
                f"{n:,}",
                str(first) if first == last else f"{first}-{last}",
                "",
                str(len(p.findings_for(d, lev.gm))),
            )
        table.add_row(
            "",
            f"[bold]{escape(d.filename)}[/bold]",
            "",
            "",
            "",
            f"[bold]{d.trajecten:,}[/bold]",
            f"[bold]{len(d.pages)}[/bold]",
            f"[bold]{_human(d.size)}[/bold]",
            f"[bold]{len(d.findings)}[/bold]",
            end_section=True,
        )
    if p.deliveries:
        console.print(table)
    else:
        console.print("Nothing to deliver: no traject overlaps the period(s).", highlight=False)
    console.print(
        f"{p.trajecten_read:,} trajecten read from {len(p.inputs)} input(s); {len(p.deliveries)} deliveries, "
        f"{sum(len(d.pages) for d in p.deliveries)} pages; {p.unplanned} without a usable date (not planned);"
        " "
        f"{p.dropped} duplicates dropped.",
        highlight=False,
    )
    if p.findings:
        _print_findings(console, p.findings)


def _aanleverdatum(text: str | None) -> datetime | None:
    if not text:
        return None
    try:
        moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError as exc:
        raise click.BadParameter(f"not an ISO date-time: {text!r} (e.g. 2026-07-01T08:00:00Z)") from exc
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def register(app: click.Group) -> None:
    @app.command("plan")
    @_EXPORTS
    @_PERIOD
    @_PERIODS
    @click.option("--format", "fmt", default="text", help="text or json.")
    @_PAGE_SIZE
    @_PER_GEMEENTE
    @_DEDUPE
    @_VENDOR
    @_CODE
    @_DEEL
    def plan_cmd(
        exports: tuple[Path, ...],
        period: str | None,
        periods: str | None,
        fmt: str,
        page_size: int,
        per_gemeente: bool,
        dedupe: bool,
        vendor: str,
        code_uitvraag: str | None,
        uitvraagdeel: str,
    ) -> None:
        """Show what would be delivered: periods x organisations x municipalities, trajecten, pages, bytes."""
        if fmt not in ("text", "json"):
            error("ddas", f"--format must be text or json, not {fmt!r}")
            raise click.exceptions.Exit(exitcodes.USAGE)
        p = _make_plan(
            list(exports), period, periods, page_size=page_size, per_gemeente=per_gemeente, dedupe=dedupe,
            vendor=vendor, code_uitvraag=code_uitvraag, uitvraagdeel=uitvraagdeel,
        )  # fmt: skip
        with p:
            if fmt == "json":
                import orjson

                sys.stdout.write(orjson.dumps(_plan_dict(p), option=orjson.OPT_INDENT_2).decode() + "\n")
            else:
                _render_plan(p)

    @app.command("split")
    @_EXPORTS
    @click.option("-o", "--out", type=PATH, required=True, help="Directory to write the delivery files into.")
    @click.option("--zip", "zip_", is_flag=True, help="Also pack each period's files into SHV_<code>.zip.")
    @_PERIOD
    @_PERIODS
    @_PAGE_SIZE
    @_PER_GEMEENTE
    @_DEDUPE
    @_VENDOR
    @_CODE
    @_DEEL
    @click.option(
        "--aanleverdatum",
        default=None,
        help="aanleverdatumEnTijd to use (default now, UTC); for reproducible files.",
    )
    @click.option(
        "--jobs",
        type=click.IntRange(min=0),
        default=0,
        help="Processes validating pages (0 = up to 4, by CPUs).",
    )
    @click.option(
        "--rules",
        is_flag=True,
        help="Also run the rules on every page (slower; R-KEY-02 then blocks, warnings shown).",
    )
    def split_cmd(
        exports: tuple[Path, ...],
        out: Path,
        zip_: bool,
        period: str | None,
        periods: str | None,
        page_size: int,
        per_gemeente: bool,
        dedupe: bool,
        vendor: str,
        code_uitvraag: str | None,
        uitvraagdeel: str,
        aanleverdatum: str | None,
        jobs: int,
        rules: bool,
    ) -> None:
        """Write every page of every planned delivery as a protocol-named file, each validated first."""
        from client.planning.check import PageChecker
        from client.planning.output import OutputError, write_atomic, write_zip
        from client.validation.findings import Severity

        moment = _aanleverdatum(aanleverdatum)
        try:
            out.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            error("ddas", f"{out}: cannot create the output directory: {exc.strerror or exc}")
            raise click.exceptions.Exit(exitcodes.USAGE) from exc
        # fork the validating workers before the plan fills the heap
        checker = PageChecker(jobs if jobs > 0 else min(4, os.cpu_count() or 1), rules=rules).start()
        try:
            p = _make_plan(
                list(exports), period, periods, page_size=page_size, per_gemeente=per_gemeente, dedupe=dedupe,
                vendor=vendor, code_uitvraag=code_uitvraag, uitvraagdeel=uitvraagdeel, aanleverdatum=moment,
            )  # fmt: skip
        except BaseException:
            checker.close()
            raise
        console = make_console()
        written: dict[str, list[Path]] = {}
        rejected = 0
        page_warnings: Counter[str] = Counter()
        with p, checker:
            total = sum(len(d.pages) for d in p.deliveries)
            bases = [d.filename.removesuffix(".json") for d in p.deliveries]
            zips = [f"SHV_{d.code_uitvraag}.zip" for d in p.deliveries]
            zips_written: list[Path] = []
            try:
                with progress_bar() as progress:
                    task = progress.add_task("validating and writing pages", total=total)
                    pages = (page for d in p.deliveries for page in d.pages)
                    for page, body, check in checker.check_all(pages):
                        d = page.delivery
                        page_warnings.update(f.code for f in check.findings if f.severity is Severity.WARNING)
                        if not check.valid:
                            rejected += 1
                            name = escape(page.filename)
                            progress.console.print(
                                f"[red]not written[/red] {name}: {len(check.errors)} error(s)"
                            )
                            _print_findings(progress.console, check.errors, limit=20)
                        else:
                            target = out / page.filename
                            write_atomic(target, body)
                            written.setdefault(d.code_uitvraag, []).append(target)
                        del body
                        progress.advance(task)
                if zip_:
                    for code, files in written.items():
                        target = out / f"SHV_{code}.zip"
                        write_zip(target, files)
                        zips_written.append(target)
                        console.print(f"zip {escape(target)} ({len(files)} files)")
            except OutputError as exc:
                _remove_stale(out, bases, zips, [*zips_written, *(f for v in written.values() for f in v)])
                error("ddas", str(exc))
                raise click.exceptions.Exit(exitcodes.USAGE) from None
            _remove_stale(
                out, bases, zips, [*zips_written, *(f for v in written.values() for f in v)], console
            )
            n_written = sum(len(v) for v in written.values())
            console.print(
                f"{n_written} file(s) written to {escape(out)}, {rejected} rejected; "
                f"{len(p.deliveries)} deliveries, "
                f"{p.trajecten_read:,} trajecten read, {p.unplanned} not planned (no usable date), "
                f"{p.dropped} duplicates dropped.",
                highlight=False,
            )
            if page_warnings:
                console.print(
                    "warnings in the written pages: "
                    + ", ".join(f"{code} x{n}" for code, n in sorted(page_warnings.items()))
                    + " (see `ddas validate` on the files for details)",
                    highlight=False,
                )
            shown = [f for f in p.findings if f.severity is not Severity.INFO or f.code == "R-DUP-01"]
            if shown:
                _print_findings(console, shown, limit=20)
        if rejected:
            raise click.exceptions.Exit(exitcodes.CONTENT_ERROR)


def _remove_stale(
    out: Path, bases: list[str], zips: list[str], written: list[Path], console: Any | None = None
) -> None:
    """Files of an earlier run of these deliveries go (docs/decisions.md): never old pages next to new."""
    from client.planning.output import OutputError, remove_stale

    try:
        removed = remove_stale(out, bases, {path.name for path in written}, zips)
    except OutputError as exc:
        error("ddas", str(exc))
        raise click.exceptions.Exit(exitcodes.USAGE) from None
    if removed and console is not None:
        shown = ", ".join(path.name for path in removed[:5]) + (" ..." if len(removed) > 5 else "")
        console.print(
            f"removed {len(removed)} file(s) of an earlier run of these deliveries: {shown}",
            highlight=False,
            markup=False,
        )
