"""`make demo`: the whole push route on this machine, with no configuration, in well under a minute.

Steps (each a function of a shared `DemoContext`, listed in `DEMO_STEPS` so that other routes can add
theirs, e.g. the official pull route after the push):
  1. development keys in ./.ddas-demo/keys (`ddas keys dev`),
  2. a synthetic dataset spanning 2025-2026 (two municipalities delivering themselves, one party
     delivering for several municipalities),
  3. validation of the exports, with the verdict, and `ddas split` into protocol-named files,
  4. the mock receiver on a free loopback port (real uvicorn, development mode),
  5. `ddas push` of every open period: per delivery the receiver's answer and the quality report,
     the HTML reports written to ./.ddas-demo/,
  6. the same push again: nothing is sent twice,
then the mock is stopped.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

from rich.console import Console
from rich.table import Table

from client.commands import exitcodes
from client.commands._console import make_console, rule

if TYPE_CHECKING:
    from client.delivery.results import PushResult

from mock_server.demo_pull import step_pull
from mock_server.demo_testkit import step_testkit

DEMO_DIR = Path(".ddas-demo")
DEMO_SEED = 2026


@dataclass
class DemoContext:
    """What the steps share. A step reads what earlier steps left and adds its own results."""

    workdir: Path
    console: Console
    trajecten: int = 3000
    keys_dir: Path | None = None
    exports: list[Path] = field(default_factory=list)
    base_url: str | None = None
    mock_settings: Any = None
    settings: Any = None
    push_result: PushResult | None = None
    second_result: PushResult | None = None
    html_reports: list[Path] = field(default_factory=list)
    stack: contextlib.ExitStack = field(default_factory=contextlib.ExitStack)
    timings: dict[str, float] = field(default_factory=dict)


DemoStep = Callable[[DemoContext], None]


def _title(ctx: DemoContext, text: str) -> None:
    ctx.console.print()
    rule(ctx.console, f"[bold]{text}[/bold]")


def step_keys(ctx: DemoContext) -> None:
    from client.devtools.keys import write_dev_keys

    _title(ctx, "1. Development keys")
    keys = write_dev_keys(ctx.workdir / "keys")
    ctx.keys_dir = keys.dir
    ctx.console.print(f"CA, signing key and chain in [cyan]{keys.dir}[/cyan] (what `ddas keys dev` writes)")


def _data_until() -> date:
    """Yesterday, at the latest 2026-12-31: real exports hold no dates in the future."""
    return min(date(2026, 12, 31), date.today() - timedelta(days=1))


def step_generate(ctx: DemoContext) -> None:
    from client.devtools.generate import write_export

    _title(ctx, "2. A synthetic dataset, 2025-2026")
    data = ctx.workdir / "data"
    data.mkdir(parents=True, exist_ok=True)
    plans = [
        ("gemeenten.json", "gemeente", 2, ctx.trajecten * 3 // 5),
        ("regio-meerdere.json", "meerdere", 1, ctx.trajecten - ctx.trajecten * 3 // 5),
    ]
    table = Table("export", "variant", "organisations", "trajecten")
    for index, (name, variant, organisaties, count) in enumerate(plans):
        path = data / name
        write_export(
            path,
            trajecten=count,
            date_from=date(2025, 1, 1),
            date_to=_data_until(),
            organisaties=organisaties,
            seed=DEMO_SEED + index,
            variant=variant,
        )
        path.chmod(0o600)  # it holds (synthetic) BSNs
        ctx.exports.append(path)
        table.add_row(str(path), variant, str(organisaties), f"{count:,}")
    ctx.console.print(table)


def step_validate(ctx: DemoContext) -> None:
    from client.validation import validate_path

    _title(ctx, "3. Validation (what CBS's technical check would say, and more)")
    for path in ctx.exports:
        report = validate_path(path, check_name=False)
        verdict = "[green]valid[/green]" if report.valid else "[red]errors[/red]"
        codes: dict[str, int] = {}
        for finding in report.findings:
            if finding.severity.value != "info":  # the counts beside them are errors and warnings
                codes[finding.code] = codes.get(finding.code, 0) + 1
        top = ", ".join(f"{code} ×{n}" for code, n in sorted(codes.items(), key=lambda kv: -kv[1])[:5])
        ctx.console.print(
            f"{path.name}: {verdict} · {report.trajecten:,} trajecten · {_count(report.errors, 'error')} · "
            f"{_count(report.warnings, 'warning')} · {_count(report.infos, 'info')}"
            + (f"  [dim]{top}[/dim]" if top else "")
        )


def step_split(ctx: DemoContext) -> None:
    """`ddas split` as a user runs it: the protocol-named files a portal upload would take."""
    import subprocess

    _title(ctx, "3b. ddas split (every period's deliveries as protocol-named files)")
    out = ctx.workdir / "split"
    shutil.rmtree(out, ignore_errors=True)
    command = [sys.executable, "-c", "from client.cli import main; main()", "split"]
    command += [str(p) for p in ctx.exports] + ["-o", str(out), "--zip", "--jobs", "1"]
    command += ["--periods", "2025H1..2026H2"]
    environment = {**os.environ, "COLUMNS": "200"}
    done = subprocess.run(command, capture_output=True, text=True, timeout=300, check=False, env=environment)
    summary = [line for line in done.stdout.splitlines() if "written to" in line]
    for line in summary or done.stderr.splitlines()[-5:]:
        ctx.console.print(line, markup=False, highlight=False)
    names = sorted(p.name for p in out.glob("SHV_*.json"))
    zips = sorted(p.name for p in out.glob("*.zip"))
    if names:
        ctx.console.print(f"e.g. [cyan]{names[0]}[/cyan], one zip per period ({', '.join(zips)})")


def _count(n: int, noun: str) -> str:
    return f"{n:,} {noun}" + ("" if n == 1 else "s")


def step_mock(ctx: DemoContext) -> None:
    from client.delivery.config import load_settings
    from client.wire.serving import serve_in_thread
    from mock_server.app import create_app
    from mock_server.settings import MockSettings

    _title(ctx, "4. The mock receiver (development mode, loopback)")
    assert ctx.keys_dir is not None
    db = ctx.workdir / "mock.sqlite"
    for stale in ctx.workdir.glob("mock.sqlite*"):
        stale.unlink()
    ctx.mock_settings = MockSettings(db=str(db), dev_dir=ctx.keys_dir, processing_delay_seconds=0.2)
    ctx.base_url = ctx.stack.enter_context(serve_in_thread(create_app(ctx.mock_settings))) + "/v1"
    journal = ctx.workdir / "journal.sqlite"
    for stale in ctx.workdir.glob("journal.sqlite*"):
        stale.unlink()
    ctx.settings = load_settings(
        None,
        dev=ctx.keys_dir,
        base_url=ctx.base_url,
        journal=journal,
        poll_interval=0.1,
        poll_max_interval=0.25,
        poll_timeout=60.0,
    )
    ctx.console.print(f"receiver at [cyan]{ctx.base_url}[/cyan] (client dev/dev, trusts the development CA)")


def _delivery_table(result: Any) -> Table:
    table = Table("period", "organisation", "trajecten", "pages", "receiver's answer", "findings")
    table.columns[1].max_width = 30
    table.columns[1].no_wrap = True
    table.columns[1].overflow = "ellipsis"
    for d in result.deliveries:
        style = "red" if d.state.failed else "yellow" if d.state.unfinished else "green"
        errors = sum(1 for f in d.findings if f.get("severity") == "error")
        warnings = sum(1 for f in d.findings if f.get("severity") == "warning")
        table.add_row(
            d.period,
            d.organisatie_naam or d.organisatie,
            f"{d.trajecten:,}",
            str(d.pages),
            f"[{style}]{d.receiver_state or d.state}[/{style}]",
            f"{errors} E / {warnings} W",
        )
    return table


def step_push(ctx: DemoContext) -> None:
    from client.delivery.run import push
    from client.report import render_html, render_text

    _title(ctx, "5. ddas push --due (every open period)")
    started = time.perf_counter()
    ctx.push_result = push(ctx.exports, ctx.settings, due=True)
    ctx.timings["push"] = time.perf_counter() - started
    result = ctx.push_result
    ctx.console.print(f"open periods at the receiver: {', '.join(result.periods)}")
    ctx.console.print(_delivery_table(result))
    reports = ctx.workdir / "reports"
    reports.mkdir(parents=True, exist_ok=True)
    with_report = [(d, d.report) for d in result.deliveries if d.report]
    for d, report in with_report:
        path = reports / f"op-orde-{d.period}-{d.organisatie.replace(':', '-')}.html"
        path.write_text(render_html(report), encoding="utf-8")
        path.chmod(0o600)
        ctx.html_reports.append(path)
    for d in result.deliveries:
        if not d.report and d.problem:
            ctx.console.print(f"{d.period} {d.organisatie}: {d.problem}")
    if with_report:  # one report in full (the largest delivery); the others are in the HTML files
        _, shown = max(with_report, key=lambda pair: (pair[0].trajecten, pair[0].period))
        ctx.console.print()
        ctx.console.print(render_text(shown), markup=False)
    ctx.console.print(
        f"{len(result.deliveries)} deliveries in {ctx.timings['push']:.1f}s; "
        f"HTML quality reports in [cyan]{reports}[/cyan]"
    )


def step_push_again(ctx: DemoContext) -> None:
    from client.delivery.run import push

    _title(ctx, "6. The same push again (what a daily timer does)")
    ctx.second_result = push(ctx.exports, ctx.settings, due=True)
    states: dict[str, int] = {}
    for d in ctx.second_result.deliveries:
        states[d.state] = states.get(d.state, 0) + 1
    summary = ", ".join(f"{n} {s}" for s, n in sorted(states.items()))
    ctx.console.print(f"{summary}: nothing was sent twice (the journal and the idempotency keys see to that)")


# The demo, in order; a step finds the mock's URL, the exports and the push results in the context.
DEMO_STEPS: list[tuple[str, DemoStep]] = [
    ("keys", step_keys),
    ("generate", step_generate),
    ("validate", step_validate),
    ("split", step_split),
    ("mock", step_mock),
    ("push", step_push),
    ("push-again", step_push_again),
    ("pull", step_pull),
    ("testkit", step_testkit),
]


@contextlib.contextmanager
def _context(workdir: Path, console: Console, trajecten: int) -> Iterator[DemoContext]:
    ctx = DemoContext(workdir=workdir, console=console, trajecten=trajecten)
    with ctx.stack:
        yield ctx


def run(workdir: Path = DEMO_DIR, *, trajecten: int = 3000, console: Console | None = None) -> DemoContext:
    """Run every step; the mock is stopped on the way out, whatever happens."""
    if console is None:
        console = make_console()  # off a terminal: nothing wrapped, rules 110 wide
    workdir.mkdir(parents=True, exist_ok=True, mode=0o700)
    for stale in ("data", "reports"):
        shutil.rmtree(workdir / stale, ignore_errors=True)
    started = time.perf_counter()
    with _context(workdir, console, trajecten) as ctx:
        for _name, step in DEMO_STEPS:
            step(ctx)
        console.print()
        rule(console, f"[bold green]demo done in {time.perf_counter() - started:.1f}s[/bold green]")
    return ctx


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    workdir = Path(args[0]) if args else DEMO_DIR
    try:
        ctx = run(workdir)
    except KeyboardInterrupt:
        return exitcodes.INTERRUPTED
    result = ctx.push_result
    return exitcodes.of_push(result) if result is not None else exitcodes.CONTENT_ERROR


if __name__ == "__main__":
    raise SystemExit(main())
