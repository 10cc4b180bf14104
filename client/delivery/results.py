"""What a push run reports: one `DeliveryResult` per planned delivery, gathered in a `PushResult`.

Plain data: the CLI renders it and maps it to an exit code (`client.commands.exitcodes`); a vendor's
own program reads the same objects from `client.push`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from client.privacy import mask_text
from client.protocol import DeliveryState


def masked_problem(problem: str | None) -> str | None:
    """A problem text for output: it may quote the receiver or an exception, so BSNs are masked."""
    return mask_text(problem) if problem is not None else None


class Outcome(StrEnum):
    """What happened to a delivery in a run (and what the journal records of it)."""

    ACCEPTED = "accepted"  # the receiver's technisch_goedgekeurd
    REJECTED = "rejected"  # technisch_afgekeurd, or a page refused for its content
    SUPERSEDED = "superseded"  # vervangen by a correction
    WITHDRAWN = "withdrawn"  # ingetrokken
    UNCHANGED = "unchanged"  # accepted before with the same content: not sent again
    DRY_RUN = "dry_run"  # planned and validated only
    INVALID = "invalid"  # errors in the content: not sent
    REFUSED = "refused"  # the receiver refused it for a reason a resend cannot fix (period closed)
    NOT_DELIVERED = "not_delivered"  # the receiver could not be reached, or kept failing
    PENDING = "pending"  # sent; the receiver had not decided when polling stopped
    SENDING = "sending"  # in the journal: pages on their way (a crash leaves this)
    SENT = "sent"  # in the journal: every page sent, not yet final

    @property
    def failed(self) -> bool:
        """The content must be fixed: rejected by the receiver or by validation."""
        return self in (Outcome.REJECTED, Outcome.INVALID, Outcome.REFUSED)

    @property
    def unfinished(self) -> bool:
        """Nothing is wrong with the content, but the delivery is not final yet: run again later."""
        return self in (Outcome.NOT_DELIVERED, Outcome.PENDING, Outcome.SENDING, Outcome.SENT)


#: The receiver's final states as the push client's outcomes (`None` for a state that is not final).
OUTCOME_OF_STATE: dict[DeliveryState, Outcome] = {
    DeliveryState.GOEDGEKEURD: Outcome.ACCEPTED,
    DeliveryState.AFGEKEURD: Outcome.REJECTED,
    DeliveryState.VERVANGEN: Outcome.SUPERSEDED,
    DeliveryState.INGETROKKEN: Outcome.WITHDRAWN,
}


def final_outcome(receiver_state: str | None) -> Outcome | None:
    """The outcome a receiver state settles, or None while the receiver is still busy (or says nonsense)."""
    state = DeliveryState.parse(receiver_state)
    return OUTCOME_OF_STATE.get(state) if state is not None else None


@dataclass
class DeliveryResult:
    """What happened to one planned delivery in this run: what `ddas push` prints per delivery."""

    period: str
    organisatie: str
    organisatie_naam: str
    uitvraagdeel: str
    filename: str
    pages: int
    trajecten: int
    content_hash: str
    state: Outcome
    receiver_id: str | None = None
    receiver_state: str | None = None
    correction: bool = False
    replayed: int = 0
    findings: list[dict[str, Any]] = field(default_factory=list)
    problem: str | None = None
    report: dict[str, Any] | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "period": self.period,
            "organisatie": self.organisatie,
            "organisatie_naam": self.organisatie_naam,
            "uitvraagdeel": self.uitvraagdeel,
            "filename": self.filename,
            "pages": self.pages,
            "trajecten": self.trajecten,
            "content_hash": self.content_hash,
            "state": str(self.state),
            "receiver_id": self.receiver_id,
            "receiver_state": self.receiver_state,
            "correction": self.correction,
            "replayed_pages": self.replayed,
            "findings": self.findings,
            "problem": masked_problem(self.problem),
            "report_summary": report_summary(self.report) if self.report else None,
        }


@dataclass
class PushResult:
    """The outcome of one push run: `ok` when every delivery is accepted, unchanged or a dry run."""

    deliveries: list[DeliveryResult] = field(default_factory=list)
    plan_findings: list[dict[str, Any]] = field(default_factory=list)
    periods: list[str] = field(default_factory=list)
    problem: str | None = None
    requests: int = 0  # HTTP requests sent by this run, retries and token requests included
    timings: dict[str, float] = field(default_factory=dict)  # wall seconds per phase (Pusher.timings)
    cpu_timings: dict[str, float] = field(default_factory=dict)  # CPU seconds per phase

    @property
    def ok(self) -> bool:
        return not any(d.state.failed or d.state.unfinished for d in self.deliveries)

    def to_dict(self) -> dict[str, Any]:
        return {
            "periods": self.periods,
            "ok": self.ok,
            "problem": masked_problem(self.problem),
            "requests": self.requests,
            "timings": {k: round(v, 3) for k, v in self.timings.items()},
            "deliveries": [d.to_dict() for d in self.deliveries],
            "plan_findings": self.plan_findings,
        }


def report_summary(report: dict[str, Any] | None) -> dict[str, Any]:
    """The headline figures of an op-orde rapport (`client.report`'s shape) for one line of output."""
    if not isinstance(report, dict):
        return {}
    totals = report.get("totals") if isinstance(report.get("totals"), dict) else {}
    assert isinstance(totals, dict)
    out: dict[str, Any] = {}
    for key in ("trajecten", "clients", "started_in_period", "ended_in_period"):
        if isinstance(totals.get(key), int | float):
            out[key] = totals[key]
    if isinstance(report.get("municipalities"), list):
        out["municipalities"] = len(report["municipalities"])
    if isinstance(report.get("plausibility"), list):
        out["plausibility_flags"] = len(report["plausibility"])
    return out
