"""The push client: plan → validate → journal → sign → POST → poll → report, exactly once whatever fails.

How "exactly once" is reached without trusting any single component:
- **Idempotency keys** are derived from the content (receiver, organisation, period, uitvraagdeel, page
  and a hash of the page's bytes with `aanleverdatumEnTijd` blanked), so every retry and every rerun
  sends the same key, even when the journal is gone.
- **The journal** records a page as `sending` before each POST and pins `aanleverdatumEnTijd` per planned
  delivery content, so a rerun after a crash resends byte-identical pages: the receiver replays its
  first answer (`Idempotency-Replayed: true`) instead of storing a second copy.
- **Reconciliation** without a journal: a 422 for our key (same key, other bytes: the page was sent
  before with another `aanleverdatumEnTijd`) proves the receiver holds the page already; it is recorded
  as sent, and the delivery it belongs to is found with `GET /aanleveringen?periode=&organisatie=`.
- **Retries** follow PUSH-API.md through `client.wire.transport` (one policy for the whole project), with a
  retry budget shared by the run so a dead receiver costs a bounded number of requests.
"""

from __future__ import annotations

import contextlib
import logging
import re
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import httpx

from client.delivery.config import ConfigError, PushSettings
from client.delivery.identity import idempotency_key, withdrawal_key
from client.delivery.journal import Journal
from client.delivery.results import DeliveryResult, Outcome, PushResult, final_outcome
from client.privacy import mask_text
from client.protocol import DeliveryState

if TYPE_CHECKING:
    from client.planning import Page, Plan, PlannedDelivery
    from client.wire.signing import Signer, Verifier

log = logging.getLogger("ddas.push")

PHASES = ("plan", "build", "validate", "sign", "send", "poll", "report")


# --------------------------------------------------------------------------------------------- errors


class PushError(Exception):
    """Base of the errors that end a run (the CLI maps each kind to its exit code)."""

    requests = 0  # HTTP requests the run had sent when it ended (tests check there was no retry storm)


class NotDelivered(PushError):
    """The receiver could not be reached or kept failing after the allowed retries."""


class Refused(PushError):
    """The receiver refused our credentials or signature: retrying cannot help (a configuration matter)."""


class InvalidExport(PushError):
    """An export that is not readable as JSON: a content error, fixed in the export."""


class ProblemAnswer(Exception):
    """A 4xx/5xx problem+json answer that the caller decides about."""

    def __init__(self, response: httpx.Response) -> None:
        self.response = response
        self.status = response.status_code
        self.problem = problem_of(response)
        super().__init__(describe_problem(response.status_code, self.problem))


def problem_of(response: httpx.Response) -> dict[str, Any]:
    try:
        body = response.json()
    except ValueError:
        return {"title": response.reason_phrase, "detail": mask_text(response.text[:300])}
    return body if isinstance(body, dict) else {"detail": str(body)[:300]}


def describe_problem(status: int, problem: dict[str, Any]) -> str:
    title = str(problem.get("title") or "").strip()
    detail = str(problem.get("detail") or problem.get("error_description") or "").strip()
    text = f"HTTP {status}"
    if title:
        text += f" {title}"
    if detail and detail != title:
        text += f": {detail}"
    return mask_text(text)


# --------------------------------------------------------------------------------------------- periods


def api_period(code: str) -> str:
    """`2026H1` → `2026-H1` (PUSH-API.md's spelling of the query parameter)."""
    m = re.match(r"^(\d{4})-?[Hh]([12])$", code.strip())
    return f"{m.group(1)}-H{m.group(2)}" if m else code


def internal_period(code: str) -> str:
    """`2026-H1` (the receiver's spelling) → `2026H1` (the planner's)."""
    m = re.match(r"^(\d{4})-?[Hh]([12])$", str(code).strip())
    return f"{m.group(1)}H{m.group(2)}" if m else str(code)


# --------------------------------------------------------------------------------------------- progress

ProgressHook = Callable[[str, dict[str, Any]], None]


def _no_progress(event: str, data: dict[str, Any]) -> None:
    return None


# --------------------------------------------------------------------------------------------- HTTP


class Receiver:
    """The receiver's HTTP API through one httpx client: token auth, retries, response signatures.

    Every request goes through `client.wire.transport`'s retry policy with this run's shared budget.
    `attempts` counts every HTTP request sent (tests use it to prove there is no retry storm).
    """

    def __init__(
        self,
        settings: PushSettings,
        *,
        transport: httpx.BaseTransport | None = None,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        from client.wire.tls import client_verify
        from client.wire.transport import ClientCredentialsAuth, RetryBudget, RetryPolicy

        settings.check_receiver()
        self.settings = settings
        self.base_url = settings.base_url
        self.sleep = sleep
        self.attempts = 0
        try:
            verify = client_verify(settings.ca_bundle, settings.tls_client_cert, settings.tls_client_key)
        except (OSError, ValueError) as exc:  # ssl.SSLError is an OSError
            raise ConfigError(
                f"TLS settings (ca_bundle, tls_client_cert, tls_client_key) cannot be used: {exc}"
            ) from None
        timeout = httpx.Timeout(settings.read_timeout, connect=settings.connect_timeout)
        hooks = {"request": [self._count]}
        self._token_client = httpx.Client(
            timeout=timeout, verify=verify, transport=transport, event_hooks=hooks
        )
        secret = settings.secret()
        assert settings.client_id is not None and secret is not None  # check_receiver proved it
        self.auth = ClientCredentialsAuth(
            settings.effective_token_url,
            settings.client_id,
            secret,
            settings.scope,
            token_client=self._token_client,
        )
        self.http = httpx.Client(
            base_url=self.base_url,
            auth=self.auth,
            timeout=timeout,
            verify=verify,
            transport=transport,
            event_hooks=hooks,
            headers={"Accept": "application/json", "User-Agent": f"ddas-push/{settings.vendor_code}"},
        )
        self.budget = RetryBudget(settings.retry_budget)
        self.policy = RetryPolicy(
            max_attempts=settings.max_attempts,
            deadline=settings.page_deadline,
            base=settings.backoff_initial,
            cap=settings.backoff_max,
            retry_after_cap=settings.retry_after_cap,
            budget=self.budget,
            sleep=sleep,
        )
        self.verifier: Verifier | None = None
        if settings.verify_response_signatures:
            from client.wire.signing import Verifier, load_trust_anchors

            try:
                self.verifier = Verifier(load_trust_anchors(settings.trust_anchors))
            except (OSError, ValueError) as exc:
                raise ConfigError(f"trust_anchors: {exc}") from None

    def _count(self, request: httpx.Request) -> None:
        self.attempts += 1

    def close(self) -> None:
        self.http.close()
        self._token_client.close()

    def __enter__(self) -> Receiver:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def request(
        self,
        method: str,
        path: str,
        *,
        content: bytes | None = None,
        headers: dict[str, str] | None = None,
        params: dict[str, str] | None = None,
        what: str = "",
        content_403: bool = False,
    ) -> httpx.Response:
        """One logical request with retries; returns any final response (2xx or a problem) or raises
        `NotDelivered` (unreachable, budget or attempts spent) / `Refused` (credentials refused).

        With `content_403`, a 403 without a `WWW-Authenticate` challenge is returned too: it refuses
        this request's content (a page of an organisation the client is not mandated for), not the
        credentials, so only this delivery fails and the run goes on.
        """
        from client.wire.transport import AuthError, DeliveryHTTPError

        def once() -> httpx.Response:
            return self.http.request(method, path, content=content, headers=headers, params=params)

        try:
            response = self.policy.call(once, what=what or f"{method} {path}")
        except DeliveryHTTPError as exc:
            raise NotDelivered(
                f"{what or path}: still failing after retries: "
                f"{describe_problem(exc.status_code, problem_of(exc.response))}"
            ) from None
        except AuthError as exc:
            if exc.status in (400, 401, 403):
                raise Refused(
                    f"the token endpoint refused the client credentials ({exc}); "
                    "check client_id and client_secret"
                ) from None
            if exc.status in (404, 405):
                # no token endpoint there: the base URL is wrong, which no retry will fix
                raise Refused(
                    f"no token endpoint at {self.settings.effective_token_url} ({exc}); "
                    "check base_url (it ends in the API version, e.g. .../v1) and token_url"
                ) from None
            raise NotDelivered(f"no token could be obtained: {exc}") from None
        except httpx.TimeoutException as exc:
            raise NotDelivered(
                f"{what or path}: the receiver did not answer in time ({type(exc).__name__})"
            ) from None
        except httpx.TransportError as exc:
            raise NotDelivered(
                f"{what or path}: the receiver at {self.base_url} cannot be reached ({type(exc).__name__}: "
                f"{mask_text(str(exc))[:200]})"
            ) from None
        about_content = (
            content_403 and response.status_code == 403 and "WWW-Authenticate" not in response.headers
        )
        if response.status_code in (401, 403) and not about_content:
            problem = problem_of(response)
            raise Refused(
                f"the receiver refused the request ({describe_problem(response.status_code, problem)}); "
                "check the credentials, the signing key and certificate"
            )
        if response.status_code >= 500 or response.status_code == 429:
            raise NotDelivered(
                f"{what or path}: still failing after retries: "
                f"{describe_problem(response.status_code, problem_of(response))}"
            )
        self._verify(response)
        return response

    def _verify(self, response: httpx.Response) -> None:
        if self.verifier is None:
            return
        from client.wire.signing import SignatureError

        try:
            self.verifier.verify(response.content, response.headers)
        except SignatureError as exc:
            raise NotDelivered(
                f"the receiver's answer ({response.status_code} to {response.request.method} "
                f"{response.request.url.path}) has no valid signature: {exc.message}; not trusting it"
            ) from None

    def json(self, method: str, path: str, **kwargs: Any) -> Any:
        response = self.request(method, path, **kwargs)
        if response.status_code >= 400:
            raise ProblemAnswer(response)
        try:
            return response.json()
        except ValueError:
            raise NotDelivered(f"{method} {path}: the answer is not JSON") from None

    # -- the resources of PUSH-API.md

    def periods(self) -> list[dict[str, Any]]:
        data = self.json("GET", "/aanleverperiodes", what="GET /aanleverperiodes")
        items = data.get("aanleverperiodes", data.get("periodes", data)) if isinstance(data, dict) else data
        return [item for item in items if isinstance(item, dict)] if isinstance(items, list) else []

    def list_deliveries(self, period: str, organisatie: str) -> list[dict[str, Any]]:
        data = self.json(
            "GET",
            "/aanleveringen",
            params={"periode": api_period(period), "organisatie": organisatie},
            what="GET /aanleveringen",
        )
        items = data.get("aanleveringen", data.get("items", data)) if isinstance(data, dict) else data
        return [item for item in items if isinstance(item, dict)] if isinstance(items, list) else []

    def delivery(self, delivery_id: str) -> httpx.Response:
        return self.request("GET", f"/aanleveringen/{delivery_id}", what=f"GET delivery {delivery_id}")

    def report(self, delivery_id: str, *, html: bool = False) -> httpx.Response:
        headers = {"Accept": "text/html"} if html else None
        return self.request(
            "GET",
            f"/aanleveringen/{delivery_id}/op-orde-rapport",
            headers=headers,
            what="GET op-orde-rapport",
        )

    def withdraw(self, delivery_id: str) -> httpx.Response:
        return self.request(
            "POST",
            f"/aanleveringen/{delivery_id}/intrekking",
            headers={"Idempotency-Key": withdrawal_key(delivery_id)},
            what=f"withdraw {delivery_id}",
        )


def delivery_id_of(data: Any, response: httpx.Response | None = None) -> str | None:
    if isinstance(data, dict):
        for key in ("id", "aanleveringId", "aanlevering_id", "delivery_id"):
            value = data.get(key)
            if isinstance(value, str | int) and str(value):
                return str(value)
        inner = data.get("aanlevering")
        if isinstance(inner, dict):
            return delivery_id_of(inner)
    if response is not None:
        location = response.headers.get("Location")
        if location:
            return str(location.rstrip("/").rsplit("/", 1)[-1])
    return None


def state_of(data: Any) -> str | None:
    if isinstance(data, dict):
        for key in ("status", "state", "toestand"):
            value = data.get(key)
            if isinstance(value, str):
                return value
        inner = data.get("aanlevering")
        if isinstance(inner, dict):
            return state_of(inner)
    return None


def findings_of(data: Any) -> list[dict[str, Any]]:
    if isinstance(data, dict):
        for key in ("findings", "bevindingen", "errors"):
            value = data.get(key)
            if isinstance(value, list):
                return [f for f in value if isinstance(f, dict)]
        inner = data.get("aanlevering")
        if isinstance(inner, dict):
            return findings_of(inner)
    return []


def _retry_after(response: httpx.Response, default: float, cap: float) -> float:
    from client.wire.transport import parse_retry_after

    value = response.headers.get("Retry-After")
    seconds = parse_retry_after(value) if value else None
    if seconds is None:
        return default
    return max(0.0, min(float(seconds), cap))


def _is_idempotency_problem(problem: dict[str, Any]) -> bool:
    text = " ".join(str(problem.get(k, "")) for k in ("type", "title", "detail")).lower()
    return "idempot" in text or "in flight" in text or "in-flight" in text or "being processed" in text


# --------------------------------------------------------------------------------------------- the run


@dataclass
class _Page:
    """A planned page with its idempotency key; the bytes are built on demand (pages can be 50 MB)."""

    source: Page
    key: str

    @property
    def number(self) -> int:
        return self.source.number

    @property
    def total(self) -> int:
        return self.source.total_pages

    @property
    def filename(self) -> str:
        return self.source.filename

    @property
    def page_hash(self) -> str:
        return self.source.content_hash


@dataclass
class _Answer:
    """The receiver's answer to one page: sent (with the delivery id it named), rejected or refused."""

    state: Outcome  # SENT | REJECTED | REFUSED
    receiver_id: str | None = None
    replayed: bool = False
    findings: list[dict[str, Any]] = field(default_factory=list)
    problem: str | None = None


class Pusher:
    """One `ddas push` run. Construct, then `run(...)`; the journal lock is held for the whole run."""

    def __init__(
        self,
        settings: PushSettings,
        journal: Journal,
        *,
        receiver: Receiver | None = None,
        signer: Signer | None = None,
        progress: ProgressHook | None = None,
        now: Callable[[], datetime] | None = None,
        sleep: Callable[[float], None] = time.sleep,
        fetch_reports: bool = True,
    ) -> None:
        self.settings = settings
        self.journal = journal
        self.receiver = receiver
        self.signer = signer
        self.progress = progress or _no_progress
        self.now = now or (lambda: datetime.now(UTC))
        self.sleep = sleep
        self.fetch_reports = fetch_reports
        # wall-clock seconds per phase (plan, build, validate, sign, send, poll, report), for the benchmark
        self.timings: dict[str, float] = dict.fromkeys(PHASES, 0.0)

        self.cpu_timings: dict[str, float] = dict.fromkeys(PHASES, 0.0)  # CPU seconds of this thread

    @contextlib.contextmanager
    def _timed(self, phase: str) -> Iterator[None]:
        started, cpu = time.perf_counter(), time.thread_time()
        try:
            yield
        finally:
            self.timings[phase] = self.timings.get(phase, 0.0) + time.perf_counter() - started
            self.cpu_timings[phase] = self.cpu_timings.get(phase, 0.0) + time.thread_time() - cpu

    @property
    def receiver_name(self) -> str:
        return self.settings.base_url

    # -- planning

    def open_periods(self) -> list[str]:
        assert self.receiver is not None
        out = []
        for item in self.receiver.periods():
            code = item.get("code") or item.get("periode")
            if isinstance(code, str) and item.get("open") is True:
                out.append(internal_period(code))
        return sorted(set(out))

    def plan(self, sources: Sequence[Path | bytes], periods: Sequence[str]) -> Plan:
        from client.planning import Period, plan

        return plan(
            sources,
            [Period.parse(p) for p in periods],
            vendor_code=self.settings.vendor_code,
            page_size=self.settings.page_size,
            aanleverdatum=self.now(),
            code_uitvraag=self.settings.code_uitvraag,
        )

    def run(
        self,
        sources: Sequence[Path | bytes],
        periods: Sequence[str] | None,
        *,
        dry_run: bool = False,
    ) -> PushResult:
        """Plan the periods (None = the receiver's open periods) and deliver what has changed."""
        result = PushResult()
        if periods is None:
            if self.receiver is None:
                raise ConfigError(
                    "--due (or no --period) asks the receiver which periods are open: set base_url"
                )
            periods = self.open_periods()
            if not periods:
                result.problem = "the receiver has no open period: nothing to deliver"
                return result
        result.periods = list(periods)
        self.progress("planning", {"periods": list(periods)})
        with self._timed("plan"):
            planned = self.plan(sources, periods)
        try:
            self._deliver_all(planned, result, dry_run=dry_run)
        finally:
            planned.close()  # the planner's spill file holds trajecten (BSNs): gone with the plan
            result.timings = dict(self.timings)
            result.cpu_timings = dict(self.cpu_timings)
        return result

    def _deliver_all(self, planned: Plan, result: PushResult, *, dry_run: bool) -> None:
        result.plan_findings = [f.to_dict() for f in planned.findings]
        deliveries = list(planned.deliveries)
        self.progress("planned", {"deliveries": len(deliveries)})
        for position, delivery in enumerate(deliveries):
            try:
                outcome = self.deliver(delivery, dry_run=dry_run)
            except NotDelivered as exc:
                outcome = self._result(delivery, Outcome.NOT_DELIVERED, problem=str(exc))
                result.deliveries.append(outcome)
                self.progress("delivery_done", {"result": outcome})
                # the receiver is unreachable or failing: stop, so a dead receiver costs a bounded
                # number of requests; the journal lets the next run continue where this one stopped
                result.problem = str(exc)
                for rest in deliveries[position + 1 :]:
                    result.deliveries.append(
                        self._result(rest, Outcome.NOT_DELIVERED, problem="not attempted")
                    )
                return
            result.deliveries.append(outcome)
            self.progress("delivery_done", {"result": outcome})

    # -- one delivery

    def _result(self, delivery: PlannedDelivery, state: Outcome, **extra: Any) -> DeliveryResult:
        return DeliveryResult(
            period=delivery.period.code,
            organisatie=delivery.organisation,
            organisatie_naam=delivery.organisatie_naam,
            uitvraagdeel=delivery.uitvraagdeel,
            filename=delivery.filename,
            pages=len(delivery.pages),
            trajecten=delivery.trajecten,
            content_hash=delivery.content_hash,
            state=state,
            **extra,
        )

    def _pages(
        self, delivery: PlannedDelivery, aanleverdatum: str | None
    ) -> tuple[list[_Page], list[dict[str, Any]]]:
        """Pin the timestamp, then build and validate each page once: its page hash, its idempotency key
        and its findings (errors stop the delivery; each finding names the page's file and JSON path)."""
        from client.validation import validate_bytes

        if aanleverdatum:
            delivery.aanleverdatum = aanleverdatum  # the planner stamps pages with this value
        out: list[_Page] = []
        findings: list[dict[str, Any]] = []
        for page in delivery.pages:
            with self._timed("build"):
                body = page.body  # also fills page.content_hash
            with self._timed("validate"):
                report = validate_bytes(body, name=page.filename, envelope=True, check_name=True)
            del body
            for finding in report.findings:
                item = finding.to_dict()
                item["file"] = page.filename
                findings.append(item)
            key = idempotency_key(
                self.receiver_name,
                delivery.organisation,
                delivery.period.code,
                delivery.uitvraagdeel,
                page.number,
                page.content_hash,
            )
            out.append(_Page(page, key))
        return out, findings

    def deliver(self, delivery: PlannedDelivery, *, dry_run: bool = False) -> DeliveryResult:
        period = delivery.period.code
        org = delivery.organisation
        deel = delivery.uitvraagdeel
        receiver = self.receiver_name
        key = delivery.key
        content = delivery.content_hash
        self.progress("delivery", {"period": period, "organisatie": org, "uitvraagdeel": deel})

        record = self.journal.delivery(receiver, key, content)
        previous = self.journal.last_accepted(receiver, key)
        correction = previous is not None and previous.content_hash != content
        if record is not None and record.state == Outcome.ACCEPTED:
            return self._result(
                delivery,
                Outcome.UNCHANGED,
                receiver_id=record.receiver_id,
                receiver_state=record.receiver_state,
            )
        if record is not None and record.state == Outcome.REJECTED:
            return self._result(
                delivery,
                Outcome.REJECTED,
                receiver_id=record.receiver_id,
                receiver_state=record.receiver_state,
                findings=_loads(record.findings),
                problem="this content was rejected before; fix the data and run again",
            )

        pages, findings = self._pages(delivery, record.aanleverdatum if record is not None else None)
        pinned = delivery.aanleverdatum
        errors = [f for f in findings if f.get("severity") == "error"]
        if errors:
            return self._result(
                delivery,
                Outcome.INVALID,
                findings=findings,
                problem=f"{len(errors)} error(s) in the content: not sent (fix the export and run again)",
            )
        if dry_run:
            return self._result(delivery, Outcome.DRY_RUN, findings=findings, correction=correction)
        assert self.receiver is not None and self.signer is not None

        record = self.journal.pin_delivery(
            receiver=receiver,
            delivery_key=key,
            content_hash=content,
            period=period,
            organisatie=org,
            uitvraagdeel=deel,
            aanleverdatum=pinned,
            total_pages=len(pages),
            trajecten=delivery.trajecten,
            filename=delivery.filename,
        )
        for page in pages:
            self.journal.plan_page(
                idempotency_key=page.key,
                receiver=receiver,
                delivery_key=key,
                content_hash=content,
                period=period,
                organisatie=org,
                uitvraagdeel=deel,
                page=page.number,
                total_pages=page.total,
                page_hash=page.page_hash,
            )
        outcome = self._result(delivery, Outcome.SENDING, correction=correction, findings=findings)
        delivery_id = record.receiver_id
        self.journal.set_delivery(receiver, key, content, state=Outcome.SENDING)
        for page in pages:
            page_record = self.journal.page(page.key)
            if page_record is not None and page_record.state in (Outcome.SENT, Outcome.ACCEPTED):
                delivery_id = delivery_id or page_record.receiver_id
                self.progress("page", {"page": page.number, "total": page.total, "skipped": True})
                continue
            answer = self._send_page(page, delivery)
            if answer.state == Outcome.REJECTED:
                self.journal.set_delivery(
                    receiver,
                    key,
                    content,
                    state=Outcome.REJECTED,
                    findings=answer.findings,
                    last_problem=answer.problem,
                )
                outcome.state = Outcome.REJECTED
                outcome.findings = findings + answer.findings
                outcome.problem = answer.problem
                return outcome
            if answer.state == Outcome.REFUSED:
                # the journal keeps it open (a period that opens later is sent by a later run), but
                # this run was refused: a content matter (e.g. period closed), not "try again"
                self.journal.set_delivery(
                    receiver, key, content, state=Outcome.NOT_DELIVERED, last_problem=answer.problem
                )
                outcome.state = Outcome.REFUSED
                outcome.problem = answer.problem
                return outcome
            outcome.replayed += 1 if answer.replayed else 0
            delivery_id = answer.receiver_id or delivery_id
            if delivery_id:
                self.journal.set_delivery(receiver, key, content, receiver_id=delivery_id)
            self.progress("page", {"page": page.number, "total": page.total, "skipped": False})
        self.journal.set_delivery(receiver, key, content, state=Outcome.SENT, receiver_id=delivery_id)
        outcome.receiver_id = delivery_id
        if delivery_id is None:
            outcome.state = Outcome.PENDING
            outcome.problem = "the receiver named no delivery id"
            return outcome
        self._finish(outcome, key, content, delivery_id)
        return outcome

    def _finish(self, outcome: DeliveryResult, key: str, content: str, delivery_id: str) -> None:
        """Poll to a final state, record it, fetch the quality report."""
        receiver = self.receiver_name
        try:
            with self._timed("poll"):
                data = self.poll(delivery_id)
        except ProblemAnswer as exc:  # e.g. 404: the receiver does not know the delivery (any more)
            outcome.state = Outcome.PENDING
            outcome.problem = f"delivery {delivery_id}: {exc}"
            self.journal.set_delivery(receiver, key, content, last_problem=outcome.problem)
            return
        receiver_state = state_of(data)
        outcome.receiver_state = receiver_state
        found = findings_of(data)
        outcome.findings = _merge_findings(outcome.findings, found)
        final = final_outcome(receiver_state)
        if final is None:
            outcome.state = Outcome.PENDING
            outcome.problem = (
                f"delivery {delivery_id} is still '{receiver_state}' "
                f"after {self.settings.poll_timeout:.0f}s; "
                "`ddas status` or the next run will look again"
            )
            self.journal.set_delivery(receiver, key, content, receiver_state=receiver_state)
            return
        outcome.state = final
        self.journal.set_delivery(
            receiver, key, content, state=final, receiver_state=receiver_state, findings=found
        )
        if final in (Outcome.ACCEPTED, Outcome.REJECTED):
            self.journal.mark_delivery_pages(receiver, key, content, final)
        if final == Outcome.ACCEPTED and self.fetch_reports:
            with self._timed("report"):
                outcome.report = self.fetch_report(delivery_id)

    def fetch_report(self, delivery_id: str) -> dict[str, Any] | None:
        assert self.receiver is not None
        try:
            response = self.receiver.report(delivery_id)
        except NotDelivered as exc:
            log.warning("quality report of %s not fetched: %s", delivery_id, exc)
            return None
        if response.status_code != 200:
            return None
        data = json_or_none(response)
        return data if isinstance(data, dict) else None

    def poll(self, delivery_id: str) -> Any:
        """GET the delivery until its state is final, honouring Retry-After, within `poll_timeout`."""
        assert self.receiver is not None
        deadline = time.monotonic() + self.settings.poll_timeout
        interval = self.settings.poll_interval
        data: Any = None
        polls = 0
        while True:
            response = self.receiver.delivery(delivery_id)
            polls += 1
            if response.status_code >= 400:
                raise ProblemAnswer(response)
            data = response.json()
            state = state_of(data)
            self.progress("poll", {"delivery": delivery_id, "state": state, "polls": polls})
            if final_outcome(state) is not None:
                return data
            wait = _retry_after(response, interval, self.settings.poll_max_interval)
            if time.monotonic() + wait > deadline:
                return data
            self.sleep(wait)
            interval = min(interval * 2, self.settings.poll_max_interval)

    def _send_page(self, page: _Page, delivery: PlannedDelivery) -> _Answer:
        """POST one page and say what the receiver made of it."""
        assert self.receiver is not None and self.signer is not None
        with self._timed("build"):
            body = page.source.body  # built once: the signature covers exactly these bytes
        with self._timed("sign"):
            signature = self.signer.sign(body)
        headers = {
            "Content-Type": "application/json",
            "Idempotency-Key": page.key,
            "DDAS-Bestandsnaam": page.filename,
            **signature,
        }
        conflicts = 0
        while True:
            self.journal.mark_sending(page.key)  # before the bytes leave: a crash now means "resend"
            what = f"page {page.number}/{page.total} of {page.filename}"
            try:
                with self._timed("send"):
                    response = self.receiver.request(
                        "POST", "/aanleveringen", content=body, headers=headers, what=what, content_403=True
                    )
            except NotDelivered as exc:
                self.journal.note_problem(page.key, str(exc))
                raise
            status = response.status_code
            if status in (200, 201, 202):
                delivery_id = delivery_id_of(json_or_none(response), response)
                replayed = response.headers.get("Idempotency-Replayed", "").lower() == "true"
                self.journal.mark_page(page.key, Outcome.SENT, receiver_id=delivery_id)
                return _Answer(Outcome.SENT, receiver_id=delivery_id, replayed=replayed)
            problem = problem_of(response)
            text = f"{what}: {describe_problem(status, problem)}"
            if status in (409, 422) and _is_idempotency_problem(problem):
                if status == 409:
                    # the first attempt of this key is still being processed by the receiver: wait, ask again
                    self.journal.note_problem(page.key, text)
                    conflicts += 1
                    if conflicts >= self.settings.max_attempts:
                        # still in flight: the page stays `sending`, the next run asks with the same key
                        raise NotDelivered(f"{text} ({conflicts} times); the next run will ask again")
                    self.sleep(
                        _retry_after(response, self.settings.poll_interval, self.settings.retry_after_cap)
                    )
                    continue
                # 422: the receiver holds this key with other bytes (journal lost, other timestamp);
                # the key covers the content, so the page is there: look its delivery up
                delivery_id = self._lookup_delivery_id(delivery)
                self.journal.mark_page(page.key, Outcome.SENT, receiver_id=delivery_id, last_problem=text)
                return _Answer(Outcome.SENT, receiver_id=delivery_id, replayed=True)
            findings = [f for f in problem.get("findings", []) if isinstance(f, dict)] if problem else []
            if status in (400, 413, 415, 422):
                for item in findings:
                    item.setdefault("file", page.filename)
                self.journal.mark_page(page.key, Outcome.REJECTED, last_problem=text)
                return _Answer(Outcome.REJECTED, findings=findings, problem=text)
            # 409 period closed, 403 organisation not mandated, 404, anything else: not delivered, and
            # retrying the same will not help
            self.journal.mark_page(page.key, "planned", last_problem=text)
            return _Answer(Outcome.REFUSED, findings=findings, problem=text)

    # -- reconciliation with the receiver

    def _lookup_delivery_id(self, delivery: PlannedDelivery) -> str | None:
        assert self.receiver is not None
        deel = delivery.uitvraagdeel
        try:
            items = self.receiver.list_deliveries(delivery.period.code, delivery.organisation)
        except ProblemAnswer:
            return None
        candidates = [
            item
            for item in items
            if str(item.get("uitvraagdeel", deel)) == deel and state_of(item) != DeliveryState.VERVANGEN
        ]
        candidates.sort(key=lambda item: str(item.get("ontvangen") or item.get("created_at") or ""))
        return delivery_id_of(candidates[-1]) if candidates else None


def json_or_none(response: httpx.Response) -> Any:
    """The response's JSON, or None when its body is not JSON (a proxy's HTML error page, an empty 502)."""
    try:
        return response.json()
    except ValueError:
        return None


def _loads(text: str | None) -> list[dict[str, Any]]:
    import json

    if not text:
        return []
    value = json.loads(text)
    return [v for v in value if isinstance(v, dict)] if isinstance(value, list) else []


def _merge_findings(first: list[dict[str, Any]], second: list[dict[str, Any]]) -> list[dict[str, Any]]:
    seen = {(f.get("code"), f.get("path"), f.get("message")) for f in first}
    out = list(first)
    for item in second:
        if (item.get("code"), item.get("path"), item.get("message")) not in seen:
            out.append(item)
    return out
