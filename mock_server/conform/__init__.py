"""`ddas-mock conform`: play CBS against anyone's `POST /gegevens` and run named conformance checks."""

from __future__ import annotations

import time
from dataclasses import dataclass, field

from mock_server.conform.checks import CHECKS, Check, Facts, Outcome, Status, failed
from mock_server.conform.session import ConformError, ConformOptions, Session

__all__ = ["CHECKS", "ConformError", "ConformOptions", "Report", "Result", "run_conformance"]


@dataclass
class Result:
    check: Check
    outcome: Outcome
    seconds: float


@dataclass
class Report:
    url: str
    period: str
    results: list[Result] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not any(r.outcome.status is Status.FAILED for r in self.results)

    def count(self, status: Status) -> int:
        return sum(1 for r in self.results if r.outcome.status is status)


def run_conformance(options: ConformOptions) -> Report:
    """Every check against `options.url`; ConformError when the provider cannot be reached or configured."""
    session = Session(options)
    try:
        facts = Facts(session)
        facts.first()  # the baseline: unreachable or refused credentials stop here (exit 2)
        report = Report(options.url, session.period.code)
        for check in CHECKS:
            started = time.monotonic()
            try:
                outcome = check.run(session, facts)
            except ConformError as exc:  # e.g. a connection dropped for this one request
                outcome = failed(exc.message)
            report.results.append(Result(check, outcome, time.monotonic() - started))
        return report
    finally:
        session.close()
