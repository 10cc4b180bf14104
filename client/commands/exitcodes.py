"""Exit codes of every `ddas` and `ddas-mock` command, documented in the README; the one place that
turns the library's results and typed errors into them (the library itself knows no exit codes)."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from client.delivery.results import Outcome, PushResult

OK = 0  # no errors (warnings allowed); everything accepted
CONTENT_ERROR = 1  # content has errors / rejected by the receiver
USAGE = 2  # usage or I/O problem (missing file, bad option, unreadable key)
NOT_DELIVERED = 3  # not delivered after retries (receiver unreachable, retry budget spent)
LOCKED = 4  # another run holds the journal lock
INTERRUPTED = 130  # Ctrl-C: 128 + SIGINT, as a shell reports a process ended by it


def of_outcome(state: Outcome) -> int:
    """A delivery's outcome: rejected or invalid content 1, not (yet) final 3, else 0."""
    if state.failed:
        return CONTENT_ERROR
    if state.unfinished:
        return NOT_DELIVERED
    return OK


def of_push(result: PushResult) -> int:
    """A whole run: the gravest of its deliveries' codes (3 before 1: a resend may still be due)."""
    codes = {of_outcome(d.state) for d in result.deliveries}
    for code in (NOT_DELIVERED, CONTENT_ERROR):
        if code in codes:
            return code
    return OK


def of_refusal(status: int) -> int:
    """A receiver's refusal of a request: our mistake (bad, unknown or not allowed now) is usage,
    anything else is not delivered."""
    return USAGE if status in (400, 404, 409) else NOT_DELIVERED


def of_error(exc: BaseException) -> int | None:
    """The exit code of an expected failure raised by the push route's library; None for the unexpected."""
    from client.delivery.config import ConfigError
    from client.delivery.journal import JournalError, LockHeld
    from client.delivery.push import InvalidExport, ProblemAnswer, PushError, Refused
    from client.delivery.run import NothingToWithdraw

    if isinstance(exc, LockHeld):
        return LOCKED
    if isinstance(exc, ConfigError | JournalError | Refused | NothingToWithdraw):
        return USAGE
    if isinstance(exc, InvalidExport):
        return CONTENT_ERROR
    if isinstance(exc, PushError):  # NotDelivered: unreachable, or failing after the retries
        return NOT_DELIVERED
    if isinstance(exc, ProblemAnswer):
        return of_refusal(exc.status)
    return None
