"""`ddas push`, `ddas status`, `ddas withdraw`, `ddas report` and `ddas config show`.

Thin: options → `delivery.config` settings → `delivery.push` → rendering. Every expected failure becomes a
clear message on stderr and a documented exit code (0 accepted, 1 rejected, 2 usage/configuration,
3 not delivered, 4 lock held); none becomes a traceback. The push client (httpx, pydantic settings,
the journal) and rich are imported when a command runs, not when the CLI starts.
"""

from __future__ import annotations

import json
import logging
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import TYPE_CHECKING, Any

import typer

from client.commands import exitcodes
from client.commands._console import error, escape, make_console
from client.commands._inputs import input_problem
from client.commands._progress import progress_bar
from client.privacy import mask_text

if TYPE_CHECKING:
    from rich.console import Console
    from rich.progress import TaskID

    from client.delivery.config import DdasSettings
    from client.delivery.push import DeliveryResult, PushResult

_CONFIG = typer.Option(None, "--config", help="Configuration file (default ./ddas.toml when present).")
_DEV = typer.Option(
    None, "--dev", help="Development mode: client dev/dev and the signing files of `ddas keys dev --dir DIR`."
)
_BASE_URL = typer.Option(None, "--base-url", help="Receiver base URL, e.g. http://127.0.0.1:8080/v1.")
_JOURNAL = typer.Option(None, "--journal", help="Journal file (default ./.ddas/journal.sqlite).")
_FORMAT = typer.Option("text", "--format", help="Output format: text or json.")

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


def _out() -> Console:
    return make_console()


def _err() -> Console:
    return make_console(stderr=True)


def _fail(message: str, code: int) -> typer.Exit:
    error("ddas", message)
    return typer.Exit(code)


def _check_format(fmt: str) -> None:
    if fmt not in ("text", "json"):
        raise typer.BadParameter("--format must be text or json")


class _ConsoleHandler(logging.Handler):
    def __init__(self, console: Console) -> None:
        super().__init__()
        self.console = console
        self.setFormatter(logging.Formatter("ddas: %(message)s"))

    def emit(self, record: logging.LogRecord) -> None:
        self.console.print(self.format(record), markup=False, highlight=False, soft_wrap=True)


class _StderrHandler(logging.StreamHandler):  # type: ignore[type-arg]
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


def _swap_handler(handler: logging.Handler | None) -> None:
    """Route the `ddas` log through `handler` (None: back to plain stderr)."""
    logger = logging.getLogger("ddas")
    for old in [h for h in logger.handlers if getattr(h, "_ddas", False)]:
        logger.removeHandler(old)
    if handler is None:
        handler = _StderrHandler()
        handler.setFormatter(logging.Formatter("ddas: %(message)s"))
    handler._ddas = True  # type: ignore[attr-defined]
    logger.addHandler(handler)


def _setup_logging(quiet: bool) -> None:
    """Retries and reconciliation are logged (masked) on stderr; --quiet keeps only errors."""
    logger = logging.getLogger("ddas")
    _swap_handler(None)  # bound to the current stderr (tests swap it between invocations)
    logger.setLevel(logging.ERROR if quiet else logging.WARNING)
    logger.propagate = False


def _settings(
    config: Path | None, dev: Path | None, base_url: str | None, journal: Path | None
) -> DdasSettings:
    from client.delivery.config import load_settings

    return load_settings(config, dev=dev, base_url=base_url, journal=journal)


@contextmanager
def _errors() -> Iterator[None]:
    """Turn the expected failures into messages and exit codes."""
    from client.delivery.config import ConfigError
    from client.delivery.journal import JournalError, LockHeld
    from client.delivery.push import ProblemAnswer, PushError

    try:
        yield
    except typer.Exit:
        raise
    except LockHeld as exc:
        raise _fail(str(exc), exitcodes.LOCKED) from None
    except (ConfigError, JournalError) as exc:
        raise _fail(str(exc), exitcodes.USAGE) from None
    except PushError as exc:
        raise _fail(str(exc), exc.exit_code) from None
    except ProblemAnswer as exc:
        code = exitcodes.USAGE if exc.status in (400, 404, 409) else exitcodes.NOT_DELIVERED
        raise _fail(str(exc), code) from None
    except OSError as exc:
        raise _fail(
            f"{getattr(exc, 'filename', '') or ''} {exc.strerror or exc}".strip(), exitcodes.USAGE
        ) from None


def _load_signer(settings: DdasSettings) -> Any:
    """The signer, proven usable (readable key, matching and currently valid certificate) before sending."""
    from datetime import UTC, datetime

    from client.delivery.config import ConfigError
    from client.wire.signing import SigningProfile, load_signer

    settings.check_files(need_signing=True)
    assert settings.signing_key is not None and settings.signing_chain is not None
    try:
        signer = load_signer(
            settings.signing_key,
            settings.signing_chain,
            settings.signing_kid,
            SigningProfile(settings.signing_profile),
        )
    except (ValueError, TypeError) as exc:
        raise ConfigError(f"signing key or certificate chain cannot be used: {exc}") from None
    cert = signer.chain[0]
    now = datetime.now(UTC)
    if cert.not_valid_after_utc < now:
        raise ConfigError(
            f"the signing certificate in {settings.signing_chain} expired on "
            f"{cert.not_valid_after_utc:%Y-%m-%d %H:%M} UTC; renew it (development: `ddas keys dev`)"
        )
    if cert.not_valid_before_utc > now:
        raise ConfigError(
            f"the signing certificate in {settings.signing_chain} is not valid before "
            f"{cert.not_valid_before_utc:%Y-%m-%d %H:%M} UTC"
        )
    return signer


# --------------------------------------------------------------------------------------------- progress


class _Bars:
    """Progress on stderr (rich), one bar per delivery's pages; silent when not a terminal or --quiet."""

    def __init__(self, enabled: bool) -> None:
        self.progress = progress_bar(enabled=enabled)
        self.task: TaskID | None = None
        self._handler: logging.Handler | None = None

    def __enter__(self) -> _Bars:
        self.progress.__enter__()
        if not self.progress.disable:
            # log lines (retries) go through the bar's console, so they print above the bar, not into it
            self._handler = _ConsoleHandler(self.progress.console)
            _swap_handler(self._handler)
        return self

    def __exit__(self, *exc: Any) -> None:
        self.progress.__exit__(*exc)
        if self._handler is not None:
            _swap_handler(None)

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
    from client.delivery.push import report_summary

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
    if fmt == "json":
        sys.stdout.write(json.dumps(result.to_dict(), ensure_ascii=False, indent=2) + "\n")
        return
    console = _out()
    if result.plan_findings and not quiet:
        errors = sum(1 for f in result.plan_findings if f.get("severity") == "error")
        console.print(f"planning: {len(result.plan_findings)} finding(s), {errors} error(s)")
        for item in result.plan_findings[:5]:
            console.print(f"  {_finding_line(item)}", markup=False)
    for delivery in result.deliveries:
        if quiet and delivery.exit_code == 0:
            continue
        _render_delivery(console, delivery)
    if result.problem:
        _err().print(f"ddas: {mask_text(result.problem)}", markup=False)
    counts: dict[str, int] = {}
    for delivery in result.deliveries:
        counts[delivery.state] = counts.get(delivery.state, 0) + 1
    if not quiet or result.exit_code:
        summary = (
            ", ".join(f"{n} {state.replace('_', ' ')}" for state, n in sorted(counts.items())) or "nothing"
        )
        console.print(f"{len(result.deliveries)} deliveries: {summary} (exit {result.exit_code})")


# --------------------------------------------------------------------------------------------- commands


def push_command(
    exports: list[Path] = typer.Argument(
        ..., help="One or more exports (Uitwisselmodel JSON).", show_default=False
    ),
    period: str | None = typer.Option(None, "--period", help="One half year, e.g. 2026H1."),
    periods: str | None = typer.Option(None, "--periods", help="A range, e.g. 2025H1..2026H2."),
    due: bool = typer.Option(
        False, "--due", help="Every period whose window is open; send only what changed."
    ),
    dry_run: bool = typer.Option(False, "--dry-run", help="Plan and validate only; send nothing."),
    fmt: str = _FORMAT,
    quiet: bool = typer.Option(False, "--quiet", "-q", help="No progress; print only problems."),
    dev: Path | None = _DEV,
    base_url: str | None = _BASE_URL,
    config: Path | None = _CONFIG,
    journal: Path | None = _JOURNAL,
) -> None:
    """Deliver exports: plan per period, validate, sign, send each page once, poll to a final state.

    Safe to repeat and to run from a timer: what was accepted is not sent again, a crash resumes from the
    journal, and a second concurrent run exits 4. Exit: 0 accepted, 1 rejected, 2 usage, 3 not delivered.
    """
    _check_format(fmt)
    _setup_logging(quiet)
    chosen = sum(1 for x in (period, periods, due) if x)
    if chosen > 1:
        raise typer.BadParameter("give one of --period, --periods or --due")
    from client.planning import Period

    selected: list[str] | None = None
    try:
        if period or periods:
            selected = [p.code for p in Period.parse_spec(str(period or periods))]
    except ValueError as exc:
        raise typer.BadParameter(str(exc)) from None
    for export in exports:
        problem = input_problem(export)
        if problem is not None:
            raise _fail(f"{export}: {problem}", exitcodes.USAGE)
    with _errors():
        settings = _settings(config, dev, base_url, journal)
        result = run_push(settings, exports, selected, dry_run=dry_run, progress=not quiet)
    render_result(result, fmt, quiet=quiet)
    raise typer.Exit(result.exit_code)


def run_push(
    settings: DdasSettings,
    exports: list[Path],
    periods: list[str] | None,
    *,
    dry_run: bool = False,
    progress: bool = False,
    hook: Callable[[str, dict[str, Any]], None] | None = None,
) -> PushResult:
    """The library call behind `ddas push` (the demo and the tests use it directly)."""
    from client.delivery.config import ConfigError
    from client.delivery.journal import Journal
    from client.delivery.push import InvalidExport, Pusher, PushError, Receiver
    from client.planning import SourceError

    signer = None if dry_run else _load_signer(settings)
    need_receiver = not dry_run or periods is None
    with Journal(settings.journal) as journal, journal.locked():
        receiver = Receiver(settings) if need_receiver else None
        try:
            with _Bars(progress and hook is None) as bars:
                pusher = Pusher(settings, journal, receiver=receiver, signer=signer, progress=hook or bars)
                try:
                    result = pusher.run(list(exports), periods, dry_run=dry_run)
                    result.requests = receiver.attempts if receiver is not None else 0
                    return result
                except PushError as exc:
                    exc.requests = receiver.attempts if receiver is not None else 0
                    raise
                except SourceError as exc:
                    if exc.usage:
                        raise ConfigError(str(exc)) from None
                    hint = f"check it with `ddas validate {exc.name}`"
                    raise InvalidExport(str(exc) if hint in str(exc) else f"{exc} ({hint})") from None
                except ValueError as exc:
                    raise ConfigError(str(exc)) from None
        finally:
            if receiver is not None:
                receiver.close()


def _period_code(period: str | None) -> str | None:
    """`--period` as its code; a bad one is a usage error (exit 2), like on `push`."""
    if not period:
        return None
    from client.planning import Period

    try:
        return Period.parse(period).code
    except ValueError as exc:
        raise typer.BadParameter(str(exc)) from None


def status_command(
    period: str | None = typer.Option(None, "--period", help="Only this half year, e.g. 2026H1."),
    offline: bool = typer.Option(False, "--offline", help="Journal only; do not ask the receiver."),
    fmt: str = _FORMAT,
    dev: Path | None = _DEV,
    base_url: str | None = _BASE_URL,
    config: Path | None = _CONFIG,
    journal: Path | None = _JOURNAL,
) -> None:
    """What the journal knows per delivery, with the receiver's current state of each."""
    from client.delivery.journal import Journal
    from client.delivery.push import FINAL_RECEIVER_STATES, NotDelivered, Receiver, findings_of, state_of

    _check_format(fmt)
    _setup_logging(False)
    code = _period_code(period)
    with _errors():
        settings = _settings(config, dev, base_url, journal)
        if not settings.journal.exists():
            raise _fail(
                f"no journal at {settings.journal}: nothing was pushed from here yet", exitcodes.USAGE
            )
        rows: list[dict[str, Any]] = []
        with Journal(settings.journal) as jr:
            records = jr.deliveries(period=code)
            holder = jr.lock_holder()
            page_counts = jr.counts()
            receiver = None if offline or not settings.base_url else Receiver(settings)
            try:
                for record in records:
                    row = record.to_dict()
                    row["pages"] = [
                        p.to_dict()
                        for p in jr.pages(record.receiver, record.delivery_key, record.content_hash)
                    ]
                    if receiver is not None and record.receiver_id and record.receiver == settings.base_url:
                        try:
                            response = receiver.delivery(record.receiver_id)
                            data = response.json() if response.status_code == 200 else None
                            row["receiver_now"] = state_of(data) or f"HTTP {response.status_code}"
                            final = FINAL_RECEIVER_STATES.get(row["receiver_now"])
                            if final and final != record.state and record.state in ("sent", "accepted"):
                                jr.set_delivery(
                                    record.receiver,
                                    record.delivery_key,
                                    record.content_hash,
                                    state=final,
                                    receiver_state=row["receiver_now"],
                                    findings=findings_of(data),
                                )
                        except NotDelivered as exc:
                            row["receiver_now"] = f"unknown ({exc})"
                    rows.append(row)
            finally:
                if receiver is not None:
                    receiver.close()
    if fmt == "json":
        sys.stdout.write(
            json.dumps(
                {"deliveries": rows, "pages": page_counts, "lock": holder}, ensure_ascii=False, indent=2
            )
            + "\n"
        )
        return
    console = _out()
    if not rows:
        console.print("the journal holds no delivery" + (f" for {period}" if period else ""), markup=False)
    for row in rows:
        pages = row["pages"]
        done = sum(1 for p in pages if p["state"] in ("sent", "accepted"))
        now = f", receiver now: {row['receiver_now']}" if "receiver_now" in row else ""
        style = _STATE_STYLE.get(row["state"], "white")
        console.print(
            f"[bold]{row['period']}[/bold] {escape(row['organisatie'])} {escape(row['uitvraagdeel'])} "
            f"[{style}]{row['state']}[/{style}] id {escape(row['receiver_id'] or '-')}, "
            f"pages {done}/{row['total_pages']}, "
            f"{row['trajecten']:,} trajecten, updated {row['updated_at']}{now}"
        )
        if row.get("last_problem"):
            console.print(f"    last problem: {mask_text(row['last_problem'])}", markup=False)
    if holder:
        console.print(
            f"[dim]last run lock: pid {holder['pid']} on {holder['host']} since {holder['started_at']}[/dim]"
        )


def withdraw_command(
    delivery: str | None = typer.Option(None, "--delivery", help="The receiver's delivery id."),
    period: str | None = typer.Option(None, "--period", help="With --organisation: every delivery of it."),
    organisation: str | None = typer.Option(
        None,
        "--organisation",
        "--organisatie",
        help="Organisation as the journal names it, e.g. kvk:12345678.",
    ),
    fmt: str = _FORMAT,
    dev: Path | None = _DEV,
    base_url: str | None = _BASE_URL,
    config: Path | None = _CONFIG,
    journal: Path | None = _JOURNAL,
) -> None:
    """Withdraw a delivery (allowed until the period's withdrawal deadline)."""
    from client.delivery.journal import Journal
    from client.delivery.push import (
        ProblemAnswer,
        Receiver,
        api_period,
        describe_problem,
        json_or_none,
        problem_of,
        state_of,
    )

    _check_format(fmt)
    _setup_logging(False)
    if bool(delivery) == bool(period or organisation) or (not delivery and not (period and organisation)):
        raise typer.BadParameter("give --delivery ID, or --period P together with --organisation ORG")
    period_code = _period_code(period)
    results: list[dict[str, Any]] = []
    code = 0
    with _errors():
        settings = _settings(config, dev, base_url, journal)
        ids: list[str] = []
        jr = Journal(settings.journal) if settings.journal.exists() else None
        with Receiver(settings) as receiver:
            if delivery:
                ids = [delivery]
            else:
                assert period_code is not None and organisation is not None
                pcode = period_code
                if jr is not None:
                    ids = [
                        r.receiver_id
                        for r in jr.deliveries(
                            receiver=settings.base_url, period=pcode, organisatie=organisation
                        )
                        if r.receiver_id and r.state not in ("withdrawn", "superseded")
                    ]
                if not ids:
                    with suppress(ProblemAnswer):
                        ids = [
                            str(item.get("id"))
                            for item in receiver.list_deliveries(pcode, organisation)
                            if item.get("id") and state_of(item) not in ("ingetrokken", "vervangen")
                        ]
                if not ids:
                    raise _fail(
                        f"no delivery of {organisation} for {api_period(pcode)} to withdraw", exitcodes.USAGE
                    )
            for delivery_id in dict.fromkeys(ids):
                response = receiver.withdraw(delivery_id)
                ok = response.status_code < 300
                item: dict[str, Any] = {"id": delivery_id, "status": response.status_code}
                if ok:
                    item["state"] = state_of(json_or_none(response)) or "ingetrokken"
                    if jr is not None:
                        for record in jr.find_by_receiver_id(delivery_id):
                            jr.set_delivery(
                                record.receiver,
                                record.delivery_key,
                                record.content_hash,
                                state="withdrawn",
                                receiver_state=str(item["state"]),
                            )
                else:
                    item["problem"] = describe_problem(response.status_code, problem_of(response))
                    code = _refused_exit(response.status_code)
                results.append(item)
        if jr is not None:
            jr.close()
    if fmt == "json":
        sys.stdout.write(json.dumps({"withdrawn": results}, ensure_ascii=False, indent=2) + "\n")
    else:
        console = _out()
        for item in results:
            if "problem" in item:
                console.print(
                    f"{escape(item['id'])}: [red]not withdrawn[/red]: {escape(mask_text(item['problem']))}"
                )
            else:
                console.print(f"{escape(item['id'])}: [magenta]{item['state']}[/magenta]")
    raise typer.Exit(code)


def _refused_exit(status: int) -> int:
    """The exit code for a receiver's refusal: unknown or not allowed now is usage, the rest not delivered."""
    return exitcodes.USAGE if status in (404, 409) else exitcodes.NOT_DELIVERED


def report_command(
    delivery: str = typer.Argument(..., help="The receiver's delivery id (see `ddas status`)."),
    html: Path | None = typer.Option(None, "--html", help="Also write the self-contained HTML report here."),
    fmt: str = _FORMAT,
    dev: Path | None = _DEV,
    base_url: str | None = _BASE_URL,
    config: Path | None = _CONFIG,
) -> None:
    """Fetch a delivery's quality (op-orde) report from the receiver."""
    from client.delivery.push import Receiver, describe_problem, json_or_none, problem_of

    _check_format(fmt)
    _setup_logging(False)
    with _errors(), Receiver(_settings(config, dev, base_url, None)) as receiver:
        response = receiver.report(delivery)
        if response.status_code != 200:
            code = _refused_exit(response.status_code)
            raise _fail(
                f"report of {delivery}: {describe_problem(response.status_code, problem_of(response))}", code
            )
        report = json_or_none(response)
        if not isinstance(report, dict):
            raise _fail(
                f"report of {delivery}: the receiver's answer is not a JSON report", exitcodes.NOT_DELIVERED
            )
        if html is not None:
            from client.report import render_html

            html.parent.mkdir(parents=True, exist_ok=True)
            html.write_text(render_html(report), encoding="utf-8")
    if fmt == "json":
        sys.stdout.write(json.dumps(report, ensure_ascii=False, indent=2) + "\n")
    else:
        from client.report import render_text

        _out().print(render_text(report), markup=False)
    if html is not None:
        _err().print(f"HTML report written to {html}", markup=False)


def config_show_command(
    fmt: str = _FORMAT,
    dev: Path | None = _DEV,
    base_url: str | None = _BASE_URL,
    config: Path | None = _CONFIG,
    check: bool = typer.Option(
        False, "--check", help="Also check that every key and certificate can be read."
    ),
) -> None:
    """Print the effective configuration (environment > file > defaults), secrets masked."""
    _check_format(fmt)
    with _errors():
        settings = _settings(config, dev, base_url, None)
        shown = settings.shown()
        if check:
            _load_signer(settings)
    if fmt == "json":
        sys.stdout.write(json.dumps(shown, ensure_ascii=False, indent=2) + "\n")
        return
    console = _out()
    width = max(len(k) for k in shown)
    for key, value in shown.items():
        text = ", ".join(value) if isinstance(value, list) else ("" if value is None else str(value))
        console.print(f"{key:<{width}}  {text}", markup=False)


def register(app: typer.Typer) -> None:
    app.command("push")(push_command)
    app.command("status")(status_command)
    app.command("withdraw")(withdraw_command)
    app.command("report")(report_command)
    config_app = typer.Typer(help="Show the push client's configuration.", no_args_is_help=True)
    config_app.command("show")(config_show_command)
    app.add_typer(config_app, name="config")
