"""The push route as library calls: `push`, `status`, `withdraw` and `report`.

What `ddas push|status|withdraw|report` and `client.push|status|withdraw` run. Each takes settings,
returns plain results and raises typed errors (`ConfigError`, `JournalError`, `LockHeld`, `PushError`
and its kinds, `ProblemAnswer`, `NothingToWithdraw`); the CLI turns those into exit codes.
"""

from __future__ import annotations

from collections.abc import Sequence
from contextlib import suppress
from dataclasses import dataclass, field
from typing import Any

from client.delivery.config import ConfigError, PushSettings
from client.delivery.journal import DeliveryRecord, Journal, JournalError, PageRecord
from client.delivery.push import (
    InvalidExport,
    NotDelivered,
    ProblemAnswer,
    ProgressHook,
    Pusher,
    PushError,
    Receiver,
    api_period,
    describe_problem,
    findings_of,
    json_or_none,
    problem_of,
    state_of,
)
from client.delivery.results import Outcome, PushResult, final_outcome, masked_problem
from client.delivery.signer import checked_signer
from client.planning.sources import Source, sources_of
from client.protocol import DeliveryState


class NothingToWithdraw(LookupError):
    """Neither the journal nor the receiver knows a current delivery of that organisation and period."""


def _period_code(period: str | None) -> str | None:
    """`2026H1`/`2026-H1` as the planner's code; ValueError naming the expected form otherwise."""
    if not period:
        return None
    from client.planning import Period

    return Period.parse(period).code


def push(
    sources: Source | Sequence[Source],
    settings: PushSettings,
    *,
    periods: Sequence[str] | None = None,
    due: bool = False,
    dry_run: bool = False,
    progress: ProgressHook | None = None,
) -> PushResult:
    """Plan `periods` (or, with `due` or no periods, the receiver's open ones), validate, sign and
    deliver what changed since the last accepted delivery; poll each to a final state.

    Safe to repeat: the journal (`settings.journal`, locked for the run) makes every page go once.
    """
    if due and periods:
        raise ValueError("give periods or due=True, not both")
    items = sources_of(sources)
    selected = None if due or periods is None else [p for p in (_period_code(x) for x in periods) if p]
    from client.planning import SourceError

    signer = None if dry_run else checked_signer(settings)
    need_receiver = not dry_run or selected is None
    with Journal(settings.journal) as journal, journal.locked():
        receiver = Receiver(settings) if need_receiver else None
        try:
            pusher = Pusher(settings, journal, receiver=receiver, signer=signer, progress=progress)
            try:
                result = pusher.run(items, selected, dry_run=dry_run)
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
            result.requests = receiver.attempts if receiver is not None else 0
            return result
        finally:
            if receiver is not None:
                receiver.close()


# --------------------------------------------------------------------------------------------- status


@dataclass
class DeliveryStatus:
    """One delivery as the journal records it, with the receiver's state of it now when asked."""

    record: DeliveryRecord
    pages: list[PageRecord]
    receiver_now: str | None = None  # a receiver state, `HTTP 404`, or `unknown (why)`; None: not asked

    @property
    def pages_sent(self) -> int:
        return sum(1 for p in self.pages if p.state in (Outcome.SENT, Outcome.ACCEPTED))

    def to_dict(self) -> dict[str, Any]:
        row = self.record.to_dict()
        row["pages"] = [p.to_dict() for p in self.pages]
        if self.receiver_now is not None:
            row["receiver_now"] = self.receiver_now
        return row


@dataclass
class StatusReport:
    deliveries: list[DeliveryStatus] = field(default_factory=list)
    pages: dict[str, int] = field(default_factory=dict)  # journal page counts per state
    lock: dict[str, Any] | None = None  # who holds (or last held) the run lock

    def to_dict(self) -> dict[str, Any]:
        return {"deliveries": [d.to_dict() for d in self.deliveries], "pages": self.pages, "lock": self.lock}


def status(settings: PushSettings, *, period: str | None = None, offline: bool = False) -> StatusReport:
    """What the journal knows per delivery and, unless `offline`, the receiver's state of each now.

    A final state the receiver reached after the run stopped polling is recorded in the journal.
    """
    code = _period_code(period)
    if not settings.journal.exists():
        raise JournalError(f"no journal at {settings.journal}: nothing was pushed from here yet")
    out = StatusReport()
    with Journal(settings.journal) as journal:
        out.lock = journal.lock_holder()
        out.pages = journal.counts()
        receiver = None if offline or not settings.base_url else Receiver(settings)
        try:
            for record in journal.deliveries(period=code):
                row = DeliveryStatus(
                    record, journal.pages(record.receiver, record.delivery_key, record.content_hash)
                )
                if receiver is not None and record.receiver_id and record.receiver == settings.base_url:
                    row.receiver_now = _reconcile(journal, receiver, record)
                out.deliveries.append(row)
        finally:
            if receiver is not None:
                receiver.close()
    return out


def _reconcile(journal: Journal, receiver: Receiver, record: DeliveryRecord) -> str:
    """Ask the receiver for `record`'s state; record a final state the journal does not know yet."""
    assert record.receiver_id is not None
    try:
        response = receiver.delivery(record.receiver_id)
    except NotDelivered as exc:
        return f"unknown ({exc})"
    data = response.json() if response.status_code == 200 else None
    now = state_of(data) or f"HTTP {response.status_code}"
    final = final_outcome(now)
    if final and final != record.state and record.state in (Outcome.SENT, Outcome.ACCEPTED):
        journal.set_delivery(
            record.receiver,
            record.delivery_key,
            record.content_hash,
            state=final,
            receiver_state=now,
            findings=findings_of(data),
        )
    return now


# --------------------------------------------------------------------------------------------- withdraw


@dataclass
class Withdrawal:
    """The receiver's answer to withdrawing one delivery."""

    id: str
    status: int  # HTTP status of the withdrawal request
    state: str | None = None  # the delivery's state afterwards (ingetrokken)
    problem: str | None = None  # why not, when refused

    @property
    def ok(self) -> bool:
        return self.status < 300

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"id": self.id, "status": self.status}
        if self.ok:
            out["state"] = self.state
        else:
            out["problem"] = masked_problem(self.problem)
        return out


def withdraw(
    settings: PushSettings,
    *,
    delivery: str | None = None,
    period: str | None = None,
    organisation: str | None = None,
) -> list[Withdrawal]:
    """Withdraw one delivery by the receiver's id, or every current delivery of `organisation` in
    `period` (found in the journal, else asked of the receiver). The journal records each withdrawal."""
    if bool(delivery) == bool(period or organisation) or (not delivery and not (period and organisation)):
        raise ValueError("give a delivery id, or a period together with an organisation")
    code = _period_code(period)
    journal = Journal(settings.journal) if settings.journal.exists() else None
    try:
        with Receiver(settings) as receiver:
            if delivery:
                ids = [delivery]
            else:
                assert code is not None and organisation is not None
                ids = _current_ids(settings, journal, receiver, code, organisation)
            return [_withdraw_one(journal, receiver, delivery_id) for delivery_id in dict.fromkeys(ids)]
    finally:
        if journal is not None:
            journal.close()


def _current_ids(
    settings: PushSettings, journal: Journal | None, receiver: Receiver, period: str, organisation: str
) -> list[str]:
    ids: list[str] = []
    if journal is not None:
        ids = [
            r.receiver_id
            for r in journal.deliveries(receiver=settings.base_url, period=period, organisatie=organisation)
            if r.receiver_id and r.state not in (Outcome.WITHDRAWN, Outcome.SUPERSEDED)
        ]
    if not ids:
        with suppress(ProblemAnswer):
            ids = [
                str(item.get("id"))
                for item in receiver.list_deliveries(period, organisation)
                if item.get("id") and (DeliveryState.parse(state_of(item)) or DeliveryState.ONTVANGEN).current
            ]
    if not ids:
        raise NothingToWithdraw(f"no delivery of {organisation} for {api_period(period)} to withdraw")
    return ids


def _withdraw_one(journal: Journal | None, receiver: Receiver, delivery_id: str) -> Withdrawal:
    response = receiver.withdraw(delivery_id)
    if response.status_code >= 300:
        return Withdrawal(
            delivery_id,
            response.status_code,
            problem=describe_problem(response.status_code, problem_of(response)),
        )
    state = state_of(json_or_none(response)) or DeliveryState.INGETROKKEN
    if journal is not None:
        for record in journal.find_by_receiver_id(delivery_id):
            journal.set_delivery(
                record.receiver,
                record.delivery_key,
                record.content_hash,
                state=Outcome.WITHDRAWN,
                receiver_state=str(state),
            )
    return Withdrawal(delivery_id, response.status_code, state=str(state))


# --------------------------------------------------------------------------------------------- report


def report(settings: PushSettings, delivery_id: str) -> dict[str, Any]:
    """The op-orde rapport of a delivery, as the receiver computed it (`client.report`'s JSON shape).

    `ProblemAnswer` when the receiver refuses (unknown delivery, not final yet), `NotDelivered` when its
    answer is not a JSON report.
    """
    with Receiver(settings) as receiver:
        response = receiver.report(delivery_id)
    if response.status_code != 200:
        raise ProblemAnswer(response)
    data = json_or_none(response)
    if not isinstance(data, dict):
        raise NotDelivered(f"report of {delivery_id}: the receiver's answer is not a JSON report")
    return data
