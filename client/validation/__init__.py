"""The validation facade: one entry point for every command and both servers.

Layers, in order, collecting everything: bytes (`encoding`) -> JSON syntax and duplicate keys
(`parse`, via `reader`) -> schema (`schema_check`) -> rules (`rules.RuleEngine`)
-> file name (`filenames`). One pass over the reader's events feeds the schema check, the rules and any
observers (the quality report), so a file is parsed once however many consumers it has.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

from client.validation.findings import Finding, Profile, Severity

if TYPE_CHECKING:
    from client.validation.reader import Event
    from client.validation.schema_check import SchemaChecker

__all__ = [
    "EXAMPLES_PER_CODE",
    "EventObserver",
    "FileReport",
    "FindingSink",
    "report_of",
    "validate_bytes",
    "validate_events",
    "validate_member",
    "validate_path",
]

EXAMPLES_PER_CODE = 5


class EventObserver(Protocol):
    """Anything that wants the reader's events as validation walks the file (e.g. the quality report)."""

    def observe(self, event: Event) -> None: ...


FindingSink = Callable[[Finding], None]


@dataclass
class FileReport:
    """The verdict on one file. `findings` holds at most `max_findings` items (then `truncated`); the
    counts, `by_code` and `examples` always cover every finding.

    The counts are kept per code and severity (`counts`), the one table everything else is derived from.
    """

    name: str
    findings: list[Finding] = field(default_factory=list)
    trajecten: int = 0
    leveringen: int = 0
    truncated: bool = False
    counts: dict[str, list[int]] = field(default_factory=dict)  # code -> [info, warning, error]
    examples: dict[str, list[Finding]] = field(default_factory=dict)
    rules_checked: bool = False

    @property
    def errors(self) -> int:
        return sum(c[2] for c in self.counts.values())

    @property
    def warnings(self) -> int:
        return sum(c[1] for c in self.counts.values())

    @property
    def infos(self) -> int:
        return sum(c[0] for c in self.counts.values())

    @property
    def by_code(self) -> dict[str, int]:
        return {code: sum(c) for code, c in self.counts.items()}

    @property
    def severity_by_code(self) -> dict[str, Severity]:
        """The highest severity each code was found with."""
        return {code: _SEVERITIES[max(i for i in range(3) if c[i])] for code, c in self.counts.items()}

    @property
    def valid(self) -> bool:
        return self.errors == 0

    def summary(self) -> dict[str, Any]:
        """Everything of `to_dict` except the findings."""
        return {
            "file": self.name,
            "valid": self.valid,
            "errors": self.errors,
            "warnings": self.warnings,
            "infos": self.infos,
            "trajecten": self.trajecten,
            "leveringen": self.leveringen,
            "truncated": self.truncated,
        }

    def to_dict(self, *, include_info: bool = True) -> dict[str, Any]:
        findings = [f for f in self.findings if include_info or f.severity is not Severity.INFO]
        return {**self.summary(), "findings": [f.to_dict() for f in findings]}


_SEVERITIES = (Severity.INFO, Severity.WARNING, Severity.ERROR)
_ERROR, _WARNING = Severity.ERROR, Severity.WARNING


class _Collector:
    """Counts every finding (per code and severity), keeps the first examples of each code and at most
    `max_findings` findings, and hands each finding to `sink` (a streaming writer) as it comes.

    This is the per-finding hot path: no rendering, no hashing of enums, a few dict and list operations.
    """

    __slots__ = ("counts", "examples", "findings", "keep", "report", "sink")

    def __init__(self, report: FileReport, max_findings: int | None, sink: FindingSink | None = None) -> None:
        self.report = report
        self.keep = -1 if max_findings is None else max_findings  # -1: keep every finding
        self.counts = report.counts
        self.examples = report.examples
        self.findings = report.findings
        self.sink = sink

    def add(self, finding: Finding) -> None:
        code = finding.code
        counts = self.counts.get(code)
        if counts is None:
            counts = self.counts[code] = [0, 0, 0]
            self.examples[code] = [finding]
        else:
            examples = self.examples[code]
            if len(examples) < EXAMPLES_PER_CODE:
                examples.append(finding)
        severity = finding.severity
        counts[2 if severity is _ERROR else 1 if severity is _WARNING else 0] += 1
        keep = self.keep
        if keep < 0 or len(self.findings) < keep:
            self.findings.append(finding)
        elif not self.report.truncated:
            self.report.truncated = True
        sink = self.sink
        if sink is not None:
            sink(finding)

    def extend(self, findings: Iterable[Finding]) -> None:
        add = self.add
        for finding in findings:
            add(finding)


def report_of(name: str, findings: Iterable[Finding], sink: FindingSink | None = None) -> FileReport:
    """A report of `findings` alone, counted as a validation counts them (e.g. a zip member not read)."""
    report = FileReport(name=name)
    _Collector(report, None, sink).extend(findings)
    return report


def validate_events(
    events: Iterator[Event],
    report: FileReport,
    *,
    profile: Profile = Profile.STANDARD,
    envelope: bool = False,
    max_findings: int | None = None,
    now: datetime | None = None,
    observers: Sequence[EventObserver] = (),
    checker: SchemaChecker | None = None,
    collector: Any = None,
    rules: bool = True,
) -> FileReport:
    """Run the schema check and the rules over reader events, feeding observers on the way."""
    from client.validation.reader import End, Header, LeveringEnd, LeveringStart, ReadError, TrajectItem
    from client.validation.schema_check import default_checker

    col: _Collector = collector or _Collector(report, max_findings)
    check = checker or default_checker(envelope)
    from client.validation.rules import RuleEngine

    engine = RuleEngine(profile, envelope=envelope, now=now) if rules else None
    report.rules_checked = engine is not None
    prefix = "/gegevens" if envelope else ""
    header: Header | None = None
    traject_valid = check.traject_valid
    try:
        for event in events:
            for observer in observers:
                observer.observe(event)
            if type(event) is TrajectItem:  # the hot branch: one per traject
                data = event.data
                if not traject_valid(data):
                    li, ti = event.levering_index, event.index
                    path = f"{prefix}/leveringen/{li}/schuldhulptrajecten/{ti}"
                    col.extend(check.traject_findings(data, path))
                if engine is not None and type(data) is dict:
                    found = engine.traject(event.levering_index, event.index, data, event.digest)
                    if found:
                        col.extend(found)
            elif isinstance(event, LeveringStart):
                col.extend(check.levering_findings(event.data, f"{prefix}/leveringen/{event.index}"))
                if engine is not None and isinstance(event.data, dict):
                    col.extend(engine.levering(event.index, event.data))
            elif isinstance(event, LeveringEnd):
                if event.listed:
                    col.extend(
                        check.traject_container_findings(event.count, f"{prefix}/leveringen/{event.index}")
                    )
                if engine is not None:
                    col.extend(engine.levering_end(event.index, event.count))
            elif isinstance(event, Header):
                header = event
                if envelope:  # R-API-03 on the message itself (the rules own it; the schema is the fallback)
                    if engine is not None:
                        col.extend(engine.check_envelope(event.envelope))
                    else:
                        col.extend(check.envelope_findings(event.envelope))
                if event.gegevens_present:
                    root = event.data if event.root_is_object else event.root
                    col.extend(check.root_findings(root, prefix))
                if engine is not None:
                    col.extend(engine.header(event.data))
            elif isinstance(event, End):
                report.leveringen = event.leveringen
                report.trajecten = event.trajecten
                if header is not None and header.gegevens_present and header.root_is_object:
                    if header.leveringen_is_list:
                        col.extend(check.leveringen_findings({"leveringen": [0] * event.leveringen}, prefix))
                    elif "leveringen" not in header.data:
                        col.extend(check.leveringen_findings({}, prefix))
                if engine is not None:
                    col.extend(engine.finish(event.paginering))
    except ReadError as exc:
        col.extend(exc.findings)
    return report


def _validate_source(
    source: bytes | Path,
    display: str,
    file_name: str | None,
    *,
    profile: Profile,
    envelope: bool,
    check_name: bool | None,
    max_findings: int | None,
    now: datetime | None,
    observers: Sequence[EventObserver],
    stream_threshold: int | None = None,
    opener: Callable[[], Any] | None = None,
    rules: bool = True,
    sink: FindingSink | None = None,
) -> FileReport:
    from client.validation.filenames import name_findings
    from client.validation.parse import gc_paused
    from client.validation.reader import STREAM_THRESHOLD, iter_events, iter_stream_events

    report = FileReport(name=display)
    col = _Collector(report, max_findings, sink)
    threshold = STREAM_THRESHOLD if stream_threshold is None else stream_threshold
    if opener is not None:
        events = iter_stream_events(opener, envelope=envelope, on_finding=col.add)
        streamed = True
    else:
        streamed = isinstance(source, Path) and source.stat().st_size > threshold
        events = iter_events(source, envelope=envelope, on_finding=col.add, stream_threshold=threshold)
    kwargs: dict[str, Any] = {
        "profile": profile,
        "envelope": envelope,
        "now": now,
        "observers": observers,
        "rules": rules,
    }
    if streamed:
        validate_events(events, report, collector=col, **kwargs)
    else:
        with gc_paused():
            validate_events(events, report, collector=col, **kwargs)
    if file_name:
        col.extend(name_findings(file_name, check_name))
    return report


def validate_bytes(
    data: bytes,
    *,
    name: str | None = None,
    profile: Profile = Profile.STANDARD,
    envelope: bool = False,
    check_name: bool | None = None,
    max_findings: int | None = None,
    now: datetime | None = None,
    observers: Sequence[EventObserver] = (),
    rules: bool = True,
    sink: FindingSink | None = None,
) -> FileReport:
    """Validate a document held in memory. `name` (a file name) enables the file-name layer:
    `check_name` True applies its rules, False skips it, None (default) applies them when the name
    starts with `SHV_` and otherwise adds one info finding (`filenames.name_findings`).
    `rules=False` runs only the bytes, JSON, schema and file-name layers. `sink` receives every
    finding as it is found (e.g. a streaming writer), whatever `max_findings` keeps."""
    return _validate_source(
        bytes(data),
        name or "<data>",
        name,
        profile=profile,
        envelope=envelope,
        check_name=check_name,
        max_findings=max_findings,
        now=now,
        observers=observers,
        rules=rules,
        sink=sink,
    )


def validate_path(
    path: Path | str,
    *,
    name: str | None = None,
    profile: Profile = Profile.STANDARD,
    envelope: bool = False,
    check_name: bool | None = None,
    max_findings: int | None = None,
    now: datetime | None = None,
    observers: Sequence[EventObserver] = (),
    stream_threshold: int | None = None,
    rules: bool = True,
    sink: FindingSink | None = None,
) -> FileReport:
    """Validate a file; files above `client.validation.reader.STREAM_THRESHOLD` bytes are streamed.

    Raises OSError (FileNotFoundError, IsADirectoryError, PermissionError) when the file cannot be read.
    """
    path = Path(path)
    if path.is_dir():
        raise IsADirectoryError(21, "is a directory", str(path))
    path.stat()  # FileNotFoundError / PermissionError here, before any work
    return _validate_source(
        path,
        name or str(path),
        name or path.name,
        profile=profile,
        envelope=envelope,
        check_name=check_name,
        max_findings=max_findings,
        now=now,
        observers=observers,
        stream_threshold=stream_threshold,
        rules=rules,
        sink=sink,
    )


def validate_member(
    opener: Callable[[], Any],
    size: int,
    display: str,
    file_name: str,
    *,
    profile: Profile = Profile.STANDARD,
    envelope: bool = False,
    check_name: bool | None = None,
    max_findings: int | None = None,
    now: datetime | None = None,
    observers: Sequence[EventObserver] = (),
    stream_threshold: int | None = None,
    sink: FindingSink | None = None,
) -> FileReport:
    """Validate a member of an archive: read whole when small, streamed when large."""
    from client.validation.reader import STREAM_THRESHOLD

    threshold = STREAM_THRESHOLD if stream_threshold is None else stream_threshold
    common: dict[str, Any] = {
        "profile": profile,
        "envelope": envelope,
        "check_name": check_name,
        "max_findings": max_findings,
        "now": now,
        "observers": observers,
        "sink": sink,
    }
    if size > threshold:
        return _validate_source(b"", display, file_name, opener=opener, **common)
    with opener() as fh:
        data = fh.read()
    return _validate_source(data, display, file_name, **common)
