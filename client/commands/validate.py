"""`ddas validate FILE...`: the verdict a vendor runs before every delivery.

Thin: resolves the inputs (files, `-` for stdin, zip archives member by member), calls
`client.validation`, renders text or JSON and maps the outcome to the exit code
(0 no errors, 1 errors, 2 usage or I/O problems). The validation library is imported when the command
runs, not when the CLI starts: `ddas --help` and the other commands stay fast.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import IO, TYPE_CHECKING, Any

import click

from client.commands import exitcodes
from client.commands._console import error
from client.commands._framework import argument
from client.commands._inputs import input_problem

if TYPE_CHECKING:
    from client.report import ReportBuilder
    from client.validation import FileReport, FindingSink
    from client.validation.findings import Severity
    from client.validation.jsonout import JsonReportWriter

__all__ = ["register", "run_validate"]

EXAMPLES_SHOWN = 3
EXAMPLES_SHOWN_VERBOSE = 5


@dataclass
class _Outcome:
    reports: list[FileReport] = field(default_factory=list)
    problems: list[tuple[str, str]] = field(default_factory=list)  # (input, message): I/O and usage
    extras: dict[int, dict[str, Any]] = field(default_factory=dict)  # id(report) -> quality report
    writer: JsonReportWriter | None = None  # --format json: each file is written as it is validated

    def begin(self, label: str) -> FindingSink | None:
        if self.writer is None:
            return None
        self.writer.begin(label)
        return self.writer.finding

    def add_report(self, report: FileReport, extra: dict[str, Any] | None = None) -> None:
        self.reports.append(report)
        if extra is not None:
            self.extras[id(report)] = extra
        if self.writer is not None:
            self.writer.end(report, extra=extra)

    def add_problem(self, label: str, message: str) -> None:
        self.problems.append((label, message))
        if self.writer is not None:
            self.writer.problem(label, message)


Runner = Callable[[list[Any], "FindingSink | None"], "FileReport"]


def _titles() -> dict[str, str]:
    from client.validation.catalogue import RULES

    return {code: rule.title for code, rule in RULES.items()}


def _report_builder() -> ReportBuilder:
    from client.report import ReportBuilder

    return ReportBuilder()


def _validate_one(label: str, runner: Runner, outcome: _Outcome, want_report: bool) -> None:
    builder = _report_builder() if want_report else None
    sink = outcome.begin(label)
    report = runner([builder] if builder is not None else [], sink)
    extra = None
    if builder is not None:
        try:
            extra = builder.build(report.findings)
        except Exception as exc:  # the report is an extra: a bug there must not hide the verdict
            outcome.add_report(report)
            outcome.add_problem(label, f"the quality report could not be built: {exc}")
            return
    outcome.add_report(report, extra)


def _zip_members(path: Path, outcome: _Outcome, want_report: bool, common: dict[str, Any]) -> None:
    import zipfile

    from client.validation import report_of, validate_member
    from client.validation.filenames import check_filename
    from client.validation.findings import Finding, Severity
    from client.validation.sources import InputRefused, check_zip

    try:
        archive = zipfile.ZipFile(path)
    except zipfile.BadZipFile as exc:
        outcome.add_problem(str(path), f"not a readable zip archive ({exc})")
        return
    with archive:
        try:
            members = check_zip(archive)
        except InputRefused as exc:
            outcome.add_problem(str(path), str(exc))
            return
        if not members:
            outcome.add_problem(str(path), "the zip archive holds no files")
            return
        for info in members:
            base = PurePosixPath(info.filename.replace("\\", "/")).name
            label = f"{path}!{info.filename}"
            if not base.lower().endswith(".json") or base.startswith("._") or "__MACOSX/" in info.filename:
                sink = outcome.begin(label)
                report = report_of(
                    label,
                    check_filename(base)
                    or [
                        Finding(
                            "R-FILE-01",
                            Severity.ERROR,
                            "",
                            f"'{base}' in the zip is not a .json file; CBS reads only .json files "
                            "from a zip.",
                            "Put only the .json delivery files in the zip.",
                        )
                    ],
                    sink,
                )
                outcome.add_report(report)
                continue

            def opener(info: zipfile.ZipInfo = info) -> IO[bytes]:
                return archive.open(info)

            def runner(
                observers: list[Any],
                sink: FindingSink | None,
                opener: Any = opener,
                info: Any = info,
                label: str = label,
            ) -> FileReport:
                return validate_member(
                    opener,
                    info.file_size,
                    label,
                    PurePosixPath(info.filename).name,
                    observers=observers,
                    sink=sink,
                    **common,
                )

            try:
                _validate_one(label, runner, outcome, want_report)
            except (OSError, zipfile.BadZipFile, RuntimeError, NotImplementedError, EOFError) as exc:
                outcome.add_problem(label, f"cannot read this member ({exc})")
            except Exception as exc:  # a bug must still end in a message and exit 2, never a traceback
                outcome.add_problem(label, f"internal error while validating ({type(exc).__name__})")


def _validate_stdin(stream: IO[bytes], outcome: _Outcome, want_report: bool, common: dict[str, Any]) -> None:
    """Standard input with the limits and the streaming of a file: spooled to a 0600 temporary file."""
    from client.validation import validate_path
    from client.validation.sources import InputRefused, spooled_stdin

    def runner(observers: list[Any], sink: FindingSink | None, path: Path) -> FileReport:
        report = validate_path(path, observers=observers, sink=sink, **{**common, "check_name": False})
        report.name = "<stdin>"
        return report

    try:
        with spooled_stdin(stream) as path:
            _validate_one(
                "<stdin>", lambda observers, sink: runner(observers, sink, path), outcome, want_report
            )
    except InputRefused as exc:
        outcome.add_problem("<stdin>", str(exc))
    except OSError as exc:
        outcome.add_problem("<stdin>", f"cannot read standard input ({exc.strerror or exc})")
    except MemoryError:
        outcome.add_problem("<stdin>", "not enough memory to validate this input")
    except Exception as exc:  # never a traceback
        outcome.add_problem("<stdin>", f"internal error while validating ({type(exc).__name__})")


def run_validate(
    inputs: list[str],
    *,
    strict: bool = False,
    max_findings: int | None = None,
    envelope: bool = False,
    check_name: bool | None = None,
    want_report: bool = False,
    stdin: IO[bytes] | None = None,
    writer: JsonReportWriter | None = None,
    stream: bool = False,
) -> _Outcome:
    """Validate every input; I/O problems are collected, never raised. With a `writer`, each file's
    verdict and findings are written as they are produced (the outcome then keeps counts only)."""
    from client.validation import validate_path
    from client.validation.findings import Profile

    outcome = _Outcome(writer=writer)
    common: dict[str, Any] = {
        "profile": Profile.STRICT if strict else Profile.STANDARD,
        "envelope": envelope,
        "check_name": check_name,
        "max_findings": max_findings,
        "stream_threshold": 0 if stream else None,  # 0: every file is streamed, whatever its size
    }
    for item in inputs:
        if item == "-":
            _validate_stdin(stdin if stdin is not None else sys.stdin.buffer, outcome, want_report, common)
            continue
        path = Path(item)
        try:
            problem = input_problem(path)
            if problem is not None:
                outcome.add_problem(item, problem)
                continue
            with path.open("rb") as probe:
                head = probe.read(4)
        except OSError as exc:
            outcome.add_problem(item, f"cannot read the file ({exc.strerror or exc})")
            continue
        if path.suffix.lower() == ".zip" or (
            head.startswith(b"PK\x03\x04") and path.suffix.lower() != ".json"
        ):
            _zip_members(path, outcome, want_report, common)
            continue

        def path_runner(observers: list[Any], sink: FindingSink | None, path: Path = path) -> FileReport:
            return validate_path(path, observers=observers, sink=sink, **common)

        try:
            _validate_one(item, path_runner, outcome, want_report)
        except OSError as exc:
            outcome.add_problem(item, f"cannot read the file ({exc.strerror or exc})")
        except MemoryError:
            outcome.add_problem(item, "not enough memory to validate this file")
        except Exception as exc:  # a bug must still end in a message and exit 2, never a traceback
            outcome.add_problem(
                item, f"internal error while validating ({type(exc).__name__}); please report it"
            )
    return outcome


# ------------------------------------------------------------------------------------------- rendering


def _visible(report: FileReport, verbose: bool) -> list[tuple[str, int, Severity]]:
    from client.validation.findings import Severity

    rows = []
    severities = report.severity_by_code
    for code, count in report.by_code.items():
        severity = severities.get(code, Severity.INFO)
        if severity is Severity.INFO and not verbose:
            continue
        rows.append((code, count, severity))
    rows.sort(key=lambda r: (-r[2].rank, r[0]))
    return rows


def _verdict(report: FileReport) -> str:
    figures = f"{report.errors} error{'s' if report.errors != 1 else ''}, "
    figures += f"{report.warnings} warning{'s' if report.warnings != 1 else ''}"
    if report.infos:
        figures += f", {report.infos} info"
    size = ""
    if report.trajecten or report.leveringen:
        plural = "en" if report.leveringen != 1 else ""
        size = f" ({report.trajecten} trajecten in {report.leveringen} levering{plural})"
    mark = "VALID" if report.valid else "INVALID"
    return f"{'✔' if report.valid else '✘'} {report.name}: {mark}, {figures}{size}"


def render_text(outcome: _Outcome, *, verbose: bool = False) -> str:
    from client.privacy import mask_text

    titles = _titles()
    lines: list[str] = []
    shown = EXAMPLES_SHOWN_VERBOSE if verbose else EXAMPLES_SHOWN
    for report in outcome.reports:
        lines.append(f"== {report.name}")
        rows = _visible(report, verbose)
        if not rows:
            lines.append(
                "   no findings" + ("" if verbose or not report.infos else " (info findings: use --verbose)")
            )
        for code, count, severity in rows:
            title = titles.get(code, "")
            lines.append(f"   {code:<16} {severity.value:<7} {count:>7}×  {title}")
            for example in report.examples.get(code, [])[:shown]:
                if example.path and example.message.startswith(example.path):
                    lines.append(f"       {example.message}")  # the message already says where
                else:
                    lines.append(f"       {example.path or '(file)'}: {example.message}")
                if verbose and example.hint:
                    lines.append(f"         hint: {example.hint}")
            if count > shown:
                lines.append(f"       ... and {count - shown} more")
            elif not verbose:
                hint = next((e.hint for e in report.examples.get(code, []) if e.hint), "")
                if hint:
                    lines.append(f"       hint: {hint}")
        extra = outcome.extras.get(id(report))
        if extra is not None:
            lines.append("")
            lines.append(_report_text(extra))
        lines.append("")
    for report in outcome.reports:
        lines.append(_verdict(report))
    for item, message in outcome.problems:
        lines.append(f"✘ {item}: {message}")
    return mask_text("\n".join(lines)) + "\n"


def _report_text(report: dict[str, Any]) -> str:
    from client.report import render_text

    return render_text(report).rstrip()


def exit_code(outcome: _Outcome) -> int:
    if outcome.problems:
        return exitcodes.USAGE
    if any(not report.valid for report in outcome.reports):
        return exitcodes.CONTENT_ERROR
    return exitcodes.OK


def register(app: click.Group) -> None:
    @app.command("validate")
    @argument(
        "files", nargs=-1, required=True, metavar="FILE...", doc="JSON files, .zip archives, or - for stdin."
    )
    @click.option("--format", "output_format", default="text", help="Output: text or json.")
    @click.option("--strict", is_flag=True, help="The strict profile: rule severities as listed.")
    @click.option(
        "--max-findings",
        type=click.IntRange(min=0),
        default=None,
        help="Keep at most N findings per file in the output (counts stay exact).",
    )
    @click.option("--verbose", "-v", is_flag=True, help="Also info findings, more examples, hints.")
    @click.option("--report", is_flag=True, help="Also print the quality (op-orde) report.")
    @click.option("--envelope", is_flag=True, help="Inputs are API messages {gegevens, paginering}.")
    @click.option(
        "--name-check/--no-name-check",
        default=None,
        help="Apply the file-name rules (R-FILE-01) to every file, or to none; by default only to "
        "names that start with SHV_ (delivery files).",
        show_default=False,
    )
    @click.option(
        "--stream",
        is_flag=True,
        help="Stream every file (memory bounded by the largest traject, slower); files over 300 MB "
        "are always streamed.",
    )
    def validate_command(
        files: tuple[str, ...],
        output_format: str,
        strict: bool,
        max_findings: int | None,
        verbose: bool,
        report: bool,
        envelope: bool,
        name_check: bool | None,
        stream: bool,
    ) -> None:
        """Validate deliveries: bytes, JSON, the official schema, the rules and the file name."""
        if output_format not in ("text", "json"):
            error("ddas validate", f"--format must be text or json, not {output_format!r}")
            raise click.exceptions.Exit(exitcodes.USAGE)
        if files.count("-") > 1:
            error("ddas validate", "'-' (standard input) can be given only once")
            raise click.exceptions.Exit(exitcodes.USAGE)
        writer = None
        keep = max_findings
        if output_format == "json":
            from client.validation.jsonout import JsonReportWriter

            # streamed: every finding is written as it is found, none is held (unless --report needs them)
            writer = JsonReportWriter(sys.stdout.buffer, include_info=verbose, max_findings=max_findings)
            keep = None if report else 0
        elif keep is None and not report:
            keep = 0  # text shows counts and examples only: do not hold millions of findings in memory
        try:
            outcome = run_validate(
                list(files),
                strict=strict,
                max_findings=keep,
                envelope=envelope,
                check_name=name_check,
                want_report=report,
                writer=writer,
                stream=stream,
            )
        except KeyboardInterrupt:
            if writer is not None:
                writer.close()
            error("ddas validate", "interrupted")
            raise click.exceptions.Exit(exitcodes.USAGE) from None
        if writer is not None:
            writer.close()
        else:
            sys.stdout.write(render_text(outcome, verbose=verbose))
            sys.stdout.flush()
        for item, message in outcome.problems:
            error("ddas validate", f"{item}: {message}")
        raise click.exceptions.Exit(exit_code(outcome))
