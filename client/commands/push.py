"""`ddas push`, `ddas status`, `ddas withdraw`, `ddas report` and `ddas config show`.

Thin: options → `delivery.config` settings → one call of `client.delivery.run` → rendering. Every
expected failure becomes a clear message on stderr and a documented exit code (`exitcodes.of_error`);
none becomes a traceback. The push client (httpx, pydantic settings, the journal) and rich are imported
when a command runs, not when the CLI starts.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from client.commands import exitcodes
from client.commands._console import error, escape, make_console
from client.commands._framework import PATH, argument
from client.commands._inputs import input_problem
from client.commands._progress import progress_bar
from client.privacy import mask_text

if TYPE_CHECKING:
    import logging

    from rich.console import Console
    from rich.progress import TaskID

    from client.delivery.config import PushSettings
    from client.delivery.results import DeliveryResult, PushResult

_CONFIG = click.option(
    "--config", type=PATH, default=None, help="Configuration file (default ./ddas.toml when present)."
)
_DEV = click.option(
    "--dev",
    type=PATH,
    default=None,
    help="Development mode: client dev/dev and the signing files of `ddas keys dev --dir DIR`.",
)
_BASE_URL = click.option("--base-url", default=None, help="Receiver base URL, e.g. http://127.0.0.1:8080/v1.")
_JOURNAL = click.option(
    "--journal", type=PATH, default=None, help="Journal file (default ./.ddas/journal.sqlite)."
)
_FORMAT = click.option("--format", "fmt", default="text", help="Output format: text or json.")

_STATE_STYLE = {
    "accepted": "green",
    "unchanged": "green",
    "dry_run": "cyan",
    "rejected": "red",
    "invalid": "red",
    "refused": "red",
    "not_delivered": "yellow",
    "pending": "yellow",
    "superseded": "magenta",
    "withdrawn": "magenta",
}


def _fail(message: str, code: int) -> click.exceptions.Exit:
    error("ddas", message)
    return click.exceptions.Exit(code)


def _check_format(fmt: str) -> None:
    if fmt not in ("text", "json"):
        raise click.BadParameter("--format must be text or json")


def _settings(
    config: Path | None, dev: Path | None, base_url: str | None, journal: Path | None
) -> PushSettings:
    from client.delivery.config import load_settings

    return load_settings(config, dev=dev, base_url=base_url, journal=journal)


@contextmanager
def _errors() -> Iterator[None]:
    """Turn the library's expected failures into messages and their exit codes."""
    try:
        yield
    except click.exceptions.Exit:
        raise
    except OSError as exc:
        raise _fail(
            f"{getattr(exc, 'filename', '') or ''} {exc.strerror or exc}".strip(), exitcodes.USAGE
        ) from None
    except Exception as exc:
        code = exitcodes.of_error(exc)
        if code is None:
            raise
        raise _fail(str(exc), code) from None


# --------------------------------------------------------------------------------------------- progress


class _Bars:
    """Progress on stderr (rich), one bar per delivery's pages; silent when not a terminal or --quiet."""

    def __init__(self, enabled: bool) -> None:
        self.progress = progress_bar(enabled=enabled)
        self.task: TaskID | None = None
        self._handler: logging.Handler | None = None  # the bar's log handler, while a bar shows

    def __enter__(self) -> _Bars:
        self.progress.__enter__()
        if not self.progress.disable:
            # log lines (retries) go through the bar's console, so they print above the bar, not into it
            from client.commands._logging import ConsoleHandler, swap_handler

            self._handler = ConsoleHandler(self.progress.console)
            swap_handler(self._handler)
        return self

    def __exit__(self, *exc: Any) -> None:
        self.progress.__exit__(*exc)
        if self._handler is not None:
            from client.commands._logging import swap_handler

            swap_handler(None)

    def __call__(self, event: str, data: dict[str, Any]) -> None:
        if event == "planning":
            self.task = self.progress.add_task(f"planning {', '.join(data['periods'])}", total=None)
        elif event == "delivery":
            if self.task is not None:
                self.progress.remove_task(self.task)
            label = f"{data['period']} {data['organisatie']} {data['uitvraagdeel']}"
            self.task = self.progress.add_task(label, total=None)
        elif event == "page" and self.task is not None:
            self.progress.update(self.task, total=data["total"], completed=data["page"])
        elif event == "poll" and self.task is not None:
            self.progress.update(self.task, description=f"delivery {data['delivery']}: {data['state']}")


# --------------------------------------------------------------------------------------------- rendering


def _finding_line(item: dict[str, Any]) -> str:
    where = item.get("file", "")
    path = item.get("path", "")
    place = f"{where}{' ' if where and path else ''}{path}" if (where or path) else "(whole delivery)"
    text = f"{item.get('severity', '?')} {item.get('code', '?')} at {place}: {item.get('message', '')}"
    if item.get("hint"):
        text += f" (hint: {item['hint']})"
    return mask_text(text)


def _render_delivery(console: Console, result: DeliveryResult, *, max_findings: int = 10) -> None:
    from client.delivery.results import report_summary

    style = _STATE_STYLE.get(result.state, "white")
    label = result.state.replace("_", " ")
    extra = []
    if result.correction:
        extra.append("correction")
    if result.receiver_id:
        extra.append(f"id {result.receiver_id}")
    if result.receiver_state:
        extra.append(f"receiver: {result.receiver_state}")
    if result.replayed:
        extra.append(f"{result.replayed} page(s) already there")
    console.print(
        f"[bold]{result.period}[/bold] {escape(result.organisatie_naam or result.organisatie)} "
        f"({escape(result.organisatie)}) "
        f"{escape(result.uitvraagdeel)}: {result.trajecten:,} trajecten, {result.pages} page(s) → "
        f"[{style}]{label}[/{style}]" + (f"  [dim]{escape(', '.join(extra))}[/dim]" if extra else "")
    )
    if result.problem:
        console.print(f"    {mask_text(result.problem)}", markup=False)
    errors = [f for f in result.findings if f.get("severity") == "error"]
    warnings = [f for f in result.findings if f.get("severity") == "warning"]
    infos = len(result.findings) - len(errors) - len(warnings)
    if result.findings:
        codes: dict[str, int] = {}
        for item in errors + warnings:
            codes[str(item.get("code"))] = codes.get(str(item.get("code")), 0) + 1
        top = ", ".join(f"{code} ×{n}" for code, n in sorted(codes.items(), key=lambda kv: -kv[1])[:6])
        console.print(
            f"    findings: {len(errors)} error(s), {len(warnings)} warning(s), {infos} info(s)"
            f"  [dim]{escape(top)}[/dim]"
        )
        for item in (errors or [])[:max_findings]:
            console.print(f"      {_finding_line(item)}", markup=False)
        if len(errors) > max_findings:
            console.print(f"      … and {len(errors) - max_findings} more error(s) (--format json lists all)")
    if result.report:
        summary = report_summary(result.report)
        console.print("    report: " + ", ".join(f"{k.replace('_', ' ')} {v:,}" for k, v in summary.items()))


def render_result(result: PushResult, fmt: str, *, quiet: bool = False) -> None:
    code = exitcodes.of_push(result)
    if fmt == "json":
        data = result.to_dict()
        data["exit_code"] = code
        sys.stdout.write(json.dumps(data, ensure_ascii=False, indent=2) + "\n")
        return
    console = make_console()
    if result.plan_findings and not quiet:
        errors = sum(1 for f in result.plan_findings if f.get("severity") == "error")
        console.print(f"planning: {len(result.plan_findings)} finding(s), {errors} error(s)")
        for item in result.plan_findings[:5]:
            console.print(f"  {_finding_line(item)}", markup=False)
    for delivery in result.deliveries:
        if quiet and exitcodes.of_outcome(delivery.state) == exitcodes.OK:
            continue
        _render_delivery(console, delivery)
    if result.problem:
        error("ddas", result.problem)
    counts: dict[str, int] = {}
    for delivery in result.deliveries:
        counts[delivery.state] = counts.get(delivery.state, 0) + 1
    if not quiet or code:
        summary = (
            ", ".join(f"{n} {state.replace('_', ' ')}" for state, n in sorted(counts.items())) or "nothing"
        )
        console.print(f"{len(result.deliveries)} deliveries: {summary} (exit {code})")


# --------------------------------------------------------------------------------------------- commands


@argument("exports", nargs=-1, required=True, type=PATH, doc="One or more exports (Uitwisselmodel JSON).")
@click.option("--period", default=None, help="One half year, e.g. 2026H1.")
@click.option("--periods", default=None, help="A range, e.g. 2025H1..2026H2.")
@click.option("--due", is_flag=True, help="Every period whose window is open; send only what changed.")
@click.option("--dry-run", is_flag=True, help="Plan and validate only; send nothing.")
@_FORMAT
@click.option("--quiet", "-q", is_flag=True, help="No progress; print only problems.")
@_DEV
@_BASE_URL
@_CONFIG
@_JOURNAL
def push_command(
    exports: tuple[Path, ...],
    period: str | None,
    periods: str | None,
    due: bool,
    dry_run: bool,
    fmt: str,
    quiet: bool,
    dev: Path | None,
    base_url: str | None,
    config: Path | None,
    journal: Path | None,
) -> None:
    """Deliver exports: plan per period, validate, sign, send each page once, poll to a final state.

    Safe to repeat and to run from a timer: what was accepted is not sent again, a crash resumes from the
    journal, and a second concurrent run exits 4. Exit: 0 accepted, 1 rejected, 2 usage, 3 not delivered.
    """
    _check_format(fmt)
    from client.commands._logging import setup_logging

    setup_logging(quiet)
    chosen = sum(1 for x in (period, periods, due) if x)
    if chosen > 1:
        raise click.BadParameter("give one of --period, --periods or --due")
    from client.planning import Period

    selected: list[str] | None = None
    try:
        if period or periods:
            selected = [p.code for p in Period.parse_spec(str(period or periods))]
    except ValueError as exc:
        raise click.BadParameter(str(exc)) from None
    for export in exports:
        problem = input_problem(export)
        if problem is not None:
            raise _fail(f"{export}: {problem}", exitcodes.USAGE)
    from client.delivery.run import push

    with _errors():
        settings = _settings(config, dev, base_url, journal)
        with _Bars(not quiet) as bars:
            result = push(list(exports), settings, periods=selected, due=due, dry_run=dry_run, progress=bars)
    render_result(result, fmt, quiet=quiet)
    raise click.exceptions.Exit(exitcodes.of_push(result))


def _period_code(period: str | None) -> str | None:
    """`--period` as its code; a bad one is a usage error (exit 2), like on `push`."""
    if not period:
        return None
    from client.planning import Period

    try:
        return Period.parse(period).code
    except ValueError as exc:
        raise click.BadParameter(str(exc)) from None


@click.option("--period", default=None, help="Only this half year, e.g. 2026H1.")
@click.option("--offline", is_flag=True, help="Journal only; do not ask the receiver.")
@_FORMAT
@_DEV
@_BASE_URL
@_CONFIG
@_JOURNAL
def status_command(
    period: str | None,
    offline: bool,
    fmt: str,
    dev: Path | None,
    base_url: str | None,
    config: Path | None,
    journal: Path | None,
) -> None:
    """What the journal knows per delivery, with the receiver's current state of each."""
    from client.delivery.run import status

    _check_format(fmt)
    from client.commands._logging import setup_logging

    setup_logging(False)
    code = _period_code(period)
    with _errors():
        report = status(_settings(config, dev, base_url, journal), period=code, offline=offline)
    if fmt == "json":
        sys.stdout.write(json.dumps(report.to_dict(), ensure_ascii=False, indent=2) + "\n")
        return
    console = make_console()
    if not report.deliveries:
        console.print("the journal holds no delivery" + (f" for {period}" if period else ""), markup=False)
    for row in report.deliveries:
        record = row.record
        now = f", receiver now: {row.receiver_now}" if row.receiver_now is not None else ""
        style = _STATE_STYLE.get(record.state, "white")
        console.print(
            f"[bold]{record.period}[/bold] {escape(record.organisatie)} {escape(record.uitvraagdeel)} "
            f"[{style}]{record.state}[/{style}] id {escape(record.receiver_id or '-')}, "
            f"pages {row.pages_sent}/{record.total_pages}, "
            f"{record.trajecten:,} trajecten, updated {record.updated_at}{escape(now)}"
        )
        if record.last_problem:
            console.print(f"    last problem: {mask_text(record.last_problem)}", markup=False)
    holder = report.lock
    if holder:
        console.print(
            f"[dim]last run lock: pid {holder['pid']} on {holder['host']} since {holder['started_at']}[/dim]"
        )


@click.option("--delivery", default=None, help="The receiver's delivery id.")
@click.option("--period", default=None, help="With --organisation: every delivery of it.")
@click.option(
    "--organisation",
    "--organisatie",
    "organisation",
    default=None,
    help="Organisation as the journal names it, e.g. kvk:12345678.",
)
@_FORMAT
@_DEV
@_BASE_URL
@_CONFIG
@_JOURNAL
def withdraw_command(
    delivery: str | None,
    period: str | None,
    organisation: str | None,
    fmt: str,
    dev: Path | None,
    base_url: str | None,
    config: Path | None,
    journal: Path | None,
) -> None:
    """Withdraw a delivery (allowed until the period's withdrawal deadline)."""
    from client.delivery.run import withdraw

    _check_format(fmt)
    from client.commands._logging import setup_logging

    setup_logging(False)
    if bool(delivery) == bool(period or organisation) or (not delivery and not (period and organisation)):
        raise click.BadParameter("give --delivery ID, or --period P together with --organisation ORG")
    period_code = _period_code(period)
    with _errors():
        results = withdraw(
            _settings(config, dev, base_url, journal),
            delivery=delivery,
            period=period_code,
            organisation=organisation,
        )
    if fmt == "json":
        body = {"withdrawn": [item.to_dict() for item in results]}
        sys.stdout.write(json.dumps(body, ensure_ascii=False, indent=2) + "\n")
    else:
        console = make_console()
        for item in results:
            if item.ok:
                console.print(f"{escape(item.id)}: [magenta]{escape(str(item.state))}[/magenta]")
            else:
                console.print(
                    f"{escape(item.id)}: [red]not withdrawn[/red]: {escape(mask_text(str(item.problem)))}"
                )
    refused = [exitcodes.of_refusal(item.status) for item in results if not item.ok]
    raise click.exceptions.Exit(refused[-1] if refused else exitcodes.OK)


@argument("delivery", doc="The receiver's delivery id (see `ddas status`).")
@click.option("--html", type=PATH, default=None, help="Also write the self-contained HTML report here.")
@_FORMAT
@_DEV
@_BASE_URL
@_CONFIG
def report_command(
    delivery: str,
    html: Path | None,
    fmt: str,
    dev: Path | None,
    base_url: str | None,
    config: Path | None,
) -> None:
    """Fetch a delivery's quality (op-orde) report from the receiver."""
    from client.delivery.push import ProblemAnswer
    from client.delivery.run import report as fetch_report

    _check_format(fmt)
    from client.commands._logging import setup_logging

    setup_logging(False)
    with _errors():
        try:
            report = fetch_report(_settings(config, dev, base_url, None), delivery)
        except ProblemAnswer as exc:
            raise _fail(f"report of {delivery}: {exc}", exitcodes.of_refusal(exc.status)) from None
        if html is not None:
            from client.report import render_html

            html.parent.mkdir(parents=True, exist_ok=True)
            html.write_text(render_html(report), encoding="utf-8")
    if fmt == "json":
        sys.stdout.write(json.dumps(report, ensure_ascii=False, indent=2) + "\n")
    else:
        from client.report import render_text

        make_console().print(render_text(report), markup=False)
    if html is not None:
        make_console(stderr=True).print(f"HTML report written to {html}", markup=False)


@_FORMAT
@_DEV
@_BASE_URL
@_CONFIG
@click.option("--check", is_flag=True, help="Also check that every key and certificate can be read.")
def config_show_command(
    fmt: str,
    dev: Path | None,
    base_url: str | None,
    config: Path | None,
    check: bool,
) -> None:
    """Print the effective configuration (environment > file > defaults), secrets masked."""
    _check_format(fmt)
    with _errors():
        settings = _settings(config, dev, base_url, None)
        shown = settings.shown()
        if check:
            from client.delivery.signer import checked_signer

            checked_signer(settings)
    if fmt == "json":
        sys.stdout.write(json.dumps(shown, ensure_ascii=False, indent=2) + "\n")
        return
    console = make_console()
    width = max(len(k) for k in shown)
    for key, value in shown.items():
        text = ", ".join(value) if isinstance(value, list) else ("" if value is None else str(value))
        console.print(f"{key:<{width}}  {text}", markup=False)


def register(app: click.Group) -> None:
    app.command("push")(push_command)
    app.command("status")(status_command)
    app.command("withdraw")(withdraw_command)
    app.command("report")(report_command)

    @app.group("config", help="Show the push client's configuration.", no_args_is_help=True)
    def config_app() -> None:
        pass

    config_app.command("show")(config_show_command)
