"""The receiver's state machine: pages → deliveries, the whole-delivery check, corrections, withdrawal.

States: `ontvangen` (pages missing) → `in_behandeling` (all pages in; the check "runs" for
`processing_delay_seconds`) → `technisch_goedgekeurd` | `technisch_afgekeurd`; later `vervangen` or
`ingetrokken`. Time-driven transitions (the end of processing, the missing-pages timeout) are applied
lazily whenever a delivery is read, so they need no background thread and survive a restart.
"""

from __future__ import annotations

import hashlib
import logging
import math
import re
import sqlite3
import uuid
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import orjson

from client.planning.periods import Period
from client.privacy import mask_text, mask_value
from client.protocol import DeliveryState
from client.validation.findings import Finding, Severity
from client.wire.adr import ProblemError
from client.wire.signing import SignatureError, Verified, Verifier
from mock_server import periods as periods_mod
from mock_server import scenarios
from mock_server import technical_check as tc
from mock_server.clock import Clock
from mock_server.idempotency import IdempotencyKeys, Outcome, StoredAnswer
from mock_server.problems import fail, signature_problem
from mock_server.scenarios import Scenario
from mock_server.settings import MockSettings
from mock_server.spool import SpooledBody
from mock_server.store import Store, compress, decompress, dumps, loads
from mock_server.tenancy import Mandate, not_mandated


def finding_dict(finding: Finding) -> dict[str, Any]:
    """A finding as the receiver stores and answers it, nine-digit runs masked.

    The rules mask the BSN values they report, but a path can hold an unknown key that is a BSN
    (`/client/0/123456782`): what the receiver says about a page must never repeat one.
    """
    return {key: mask_value(value) for key, value in finding.to_dict().items()}


log = logging.getLogger("ddas.mock")

# the states of client.protocol.DeliveryState, by short names in this module
ONTVANGEN, IN_BEHANDELING, GOEDGEKEURD, AFGEKEURD, VERVANGEN, INGETROKKEN = DeliveryState
STATES = tuple(DeliveryState)
MAX_LISTED_FINDINGS = 1000
_PAGE_SUFFIX = re.compile(r"_p\d+-of-\d+$", re.IGNORECASE)
PROFILE_HEADER = "DDAS-Signature-Profile"
BACKGROUND_COMPRESS_BYTES = 1024 * 1024
HOLD_KEY = "scenario-hold:"


@dataclass
class Answer:
    status: int
    body: bytes
    headers: dict[str, str] = field(default_factory=dict)
    media_type: str = "application/json"


def _refused(code: str, path: str, message: str, hint: str, *, title: str, slug: str) -> ProblemError:
    """A 400 carrying its one error finding, so the client sees what, where and how to fix it."""
    finding = Finding(code, Severity.ERROR, path, message, hint)
    return fail(400, title, message, slug=slug, findings=[finding_dict(finding)])


def _iso(ts: float | None) -> str | None:
    if ts is None:
        return None
    return datetime.fromtimestamp(ts, UTC).isoformat(timespec="seconds").replace("+00:00", "Z")


def uitvraagdeel_from_filename(name: str | None, default: str) -> str:
    """The uitvraagdeel part of `SHV_<code>_<organisatie>_<uitvraagdeel>[_pNNN-of-NNN].json`."""
    if name and name.lower().endswith(".json"):
        parts = _PAGE_SUFFIX.sub("", name.strip()[: -len(".json")]).split("_")
        if len(parts) >= 4 and parts[0].upper() == "SHV" and parts[-1]:
            return mask_text(parts[-1])  # stored and echoed: a nine-digit part is masked like data
    return default


def _problem_answer(exc: ProblemError, instance: str, extra_headers: dict[str, str]) -> Answer:
    response = exc.response(instance)
    headers = {
        k: v for k, v in response.headers.items() if k.lower() not in ("content-length", "content-type")
    }
    headers.update(extra_headers)
    return Answer(exc.status, bytes(response.body), headers, "application/problem+json")


def _held_polls(db: sqlite3.Connection, delivery_id: str) -> int:
    """Status polls the delivery still stays in_behandeling for (test scenario in_behandeling:N)."""
    row = db.execute("SELECT value FROM meta WHERE key = ?", (HOLD_KEY + delivery_id,)).fetchone()
    return int(row["value"]) if row else 0


def _hold_polls(db: sqlite3.Connection, delivery_id: str, polls: int) -> None:
    if polls > 0:
        db.execute(
            "INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)", (HOLD_KEY + delivery_id, str(polls))
        )
    else:
        db.execute("DELETE FROM meta WHERE key = ?", (HOLD_KEY + delivery_id,))


class Deliveries:
    """All operations on deliveries; the routes translate HTTP to these calls and back."""

    def __init__(
        self, settings: MockSettings, store: Store, verifier: Verifier, clock: Clock | None = None
    ) -> None:
        self.settings = settings
        self.store = store
        self.verifier = verifier
        self.clock = clock or Clock(settings.today)
        self.idempotency = IdempotencyKeys(store, settings.idempotency_ttl_seconds, self.clock)
        self.base = settings.base_path.rstrip("/")
        # Large pages are compressed while the validator runs (zlib releases the GIL).
        self._background = ThreadPoolExecutor(max_workers=2, thread_name_prefix="ddas-mock-zlib")

    # ------------------------------------------------------------------------------------------ receive

    def verify(self, body: bytes | SpooledBody, headers: Any) -> Verified:
        try:
            return self.verifier.verify(body.streamed if isinstance(body, SpooledBody) else body, headers)
        except SignatureError as exc:
            raise signature_problem(exc) from None

    def receive(
        self,
        client_id: str,
        body: bytes | SpooledBody,
        headers: Any,
        filename: str | None,
        key: str | None,
        *,
        mandate: Mandate,
        scenario: Scenario | None = None,
    ) -> Answer:
        """Digest → signature → idempotency → JSON → organisation → schema → bookkeeping (the route did
        the rest). `mandate`: the organisations `client_id` may deliver for."""
        verified = self.verify(body, headers)
        profile_headers = {PROFILE_HEADER: verified.profile.value}
        instance = f"{self.base}/aanleveringen"
        if not key:
            raise fail(
                400,
                "Idempotency-Key missing",
                "every POST carries an Idempotency-Key header (draft-ietf-httpapi-idempotency-key-header)",
                slug="idempotency-key-missing",
                headers=profile_headers,
            )
        body_hash = body.sha256_hex if isinstance(body, SpooledBody) else hashlib.sha256(body).hexdigest()
        claim = self.idempotency.claim(client_id, key, body_hash)
        if claim.outcome is Outcome.REPLAY:
            assert claim.answer is not None
            headers_out = {**claim.answer.headers, "Idempotency-Replayed": "true", **profile_headers}
            media = headers_out.pop("content-type", None) or "application/json"
            return Answer(claim.answer.status, claim.answer.body, headers_out, media)
        if claim.outcome is Outcome.OTHER_BODY:
            raise fail(
                422,
                "Idempotency-Key reused",
                "this Idempotency-Key was used before with a different body; use a new key for new content",
                slug="idempotency-key-reused",
                headers=profile_headers,
            )
        if claim.outcome is Outcome.IN_FLIGHT:
            raise fail(
                409,
                "Request in progress",
                "a request with this Idempotency-Key is still being processed; retry later",
                slug="idempotency-key-in-flight",
                headers={**profile_headers, "Retry-After": "1"},
            )
        blob: Future[bytes] | None = None
        if isinstance(body, SpooledBody):
            blob = self._background.submit(body.compress)
        elif len(body) >= BACKGROUND_COMPRESS_BYTES:
            blob = self._background.submit(compress, body)
        try:
            try:
                answer = self._process(
                    client_id, body, filename, verified, body_hash, mandate, blob, scenario
                )
                answer.headers.update(profile_headers)
            except ProblemError as exc:
                answer = _problem_answer(exc, instance, profile_headers)
        except BaseException:
            self.idempotency.release(client_id, key)
            raise
        if answer.status == 403:
            # the mandate is configuration, not the request: once it is granted, the same key must work
            self.idempotency.release(client_id, key)
            return answer
        stored = {**answer.headers, "content-type": answer.media_type}
        self.idempotency.complete(client_id, key, StoredAnswer(answer.status, stored, answer.body))
        return answer

    def _process(
        self,
        client_id: str,
        body: bytes | SpooledBody,
        filename: str | None,
        verified: Verified,
        body_hash: str,
        mandate: Mandate,
        blob: Future[bytes] | None = None,
        scenario: Scenario | None = None,
    ) -> Answer:
        source = body.path if isinstance(body, SpooledBody) else body
        report, facts = tc.check_page(source, name=filename, profile=self.settings.validation_profile)
        if tc.unreadable(report):
            findings = [finding_dict(f) for f in report.findings if f.severity is Severity.ERROR]
            log.info("page refused: not JSON or not UTF-8 (%d findings)", len(findings))
            raise fail(
                400,
                "Body is not valid UTF-8 JSON",
                "the body could not be read as JSON; see findings",
                slug="invalid-json",
                findings=findings,
            )
        if facts.org_key is not None and not mandate.covers(facts.org_key):
            raise not_mandated(facts.org_key)  # before the findings: they are not this client's business
        limit = self.settings.max_trajecten_per_page
        if facts.meta.trajecten > limit:
            raise fail(
                413,
                "Page too large",
                f"the page holds {facts.meta.trajecten} trajecten; at most {limit} per page",
                slug="page-too-large",
                limit=limit,
            )
        if report.errors:
            log.info(
                "page refused by the technical check: %d errors, %d warnings", report.errors, report.warnings
            )
            raise fail(
                400,
                "Technical check failed",
                f"the page has {report.errors} error(s) and {report.warnings} warning(s); see findings",
                slug="technical-check-failed",
                errors=report.errors,
                warnings=report.warnings,
                findings=[finding_dict(f) for f in report.findings],
            )
        page_findings = [f for f in report.findings if f.severity is not Severity.ERROR]
        period = periods_mod.period_of_dates(facts.start, facts.end)
        if period is None:
            raise _refused(
                tc.CODE_PERIOD,
                "/gegevens/startdatumLevering",
                "startdatumLevering..einddatumLevering is not exactly one half year",
                "deliver per half year: 1 January-30 June or 1 July-31 December",
                title="Not a half-year period",
                slug="period-not-half-year",
            )
        today = self.clock.today()
        window = periods_mod.window_for(self.settings, period, today)
        if window is None or not window.is_open(today):
            code = periods_mod.api_code(period)
            if window is None:
                detail = f"period {code} is not accepted by this receiver"
                extra: dict[str, Any] = {"periode": code}
            elif today < window.opens:
                detail = f"period {code} opens on {window.opens.isoformat()}"
                extra = {"periode": code, "opens": window.opens.isoformat()}
            else:
                detail = f"period {code} closed for deliveries and corrections on {window.closes.isoformat()}"
                extra = {"periode": code, "deadline": window.closes.isoformat()}
            raise fail(409, "Period not open", detail, slug="period-closed", **extra)
        if facts.org_key is None:
            raise _refused(
                tc.CODE_ORG,
                "/gegevens/leveringen/0/aanleverende_organisatie",
                "the delivering organisation has no KvK-nummer, gemeentecode or name",
                "fill KvK-nummer (or gemeentecode for a municipality delivering itself)",
                title="Organisation unknown",
                slug="organisation-unknown",
            )
        meta = facts.meta
        if meta.number > meta.total_pages:
            raise fail(
                400,
                "Page number out of range",
                f"currentPage {meta.number} is greater than totalPages {meta.total_pages}",
                slug="page-out-of-range",
            )
        if "canonical-json" in verified.notes:
            page_findings.append(
                Finding(
                    tc.CODE_CANONICAL,
                    Severity.WARNING,
                    "",
                    "the signature verified only over canonical JSON (profile C), not over the bytes sent",
                    "sign the exact body bytes: profile A (ADR/JAdES) or B",
                )
            )
        if "digest-missing-tolerated" in verified.notes:
            page_findings.append(
                Finding(tc.CODE_CANONICAL, Severity.WARNING, "", "no Digest header was sent", "send Digest")
            )
        uitvraagdeel = uitvraagdeel_from_filename(filename, self.settings.default_uitvraagdeel)
        return self._book_page(
            client_id=client_id,
            body=body,
            facts=facts,
            period=period,
            uitvraagdeel=uitvraagdeel,
            filename=filename,
            findings=page_findings,
            profile=verified.profile.value,
            sha=body_hash,
            blob=blob,
            scenario=scenario,
        )

    def _book_page(
        self,
        *,
        client_id: str,
        body: bytes | SpooledBody,
        facts: tc.PageFacts,
        period: Period,
        uitvraagdeel: str,
        filename: str | None,
        findings: list[Finding],
        profile: str,
        sha: str,
        blob: Future[bytes] | None,
        scenario: Scenario | None = None,
    ) -> Answer:
        meta = facts.meta
        if blob is not None:
            compressed = blob.result()
        else:
            compressed = body.compress() if isinstance(body, SpooledBody) else compress(body)
        size = body.size if isinstance(body, SpooledBody) else len(body)
        meta_json = meta.to_json()
        findings_json = dumps([finding_dict(f) for f in findings])
        assert facts.org_key is not None
        now = self.clock.now()
        with self.store.tx() as db:
            current = db.execute(
                "SELECT * FROM deliveries "
                "WHERE org_key = ? AND period = ? AND uitvraagdeel = ? AND status = ? "
                "ORDER BY seq DESC LIMIT 1",
                (facts.org_key, period.code, uitvraagdeel, ONTVANGEN),
            ).fetchone()
            if current is not None:
                current = self._refresh(db, current, now)
            delivery_id: str | None = None
            if current is not None and current["status"] == ONTVANGEN:
                present = {
                    r[0]
                    for r in db.execute("SELECT number FROM pages WHERE delivery_id = ?", (current["id"],))
                }
                if current["total_pages"] == meta.total_pages and meta.number not in present:
                    delivery_id = current["id"]
            if delivery_id is None:
                delivery_id = uuid.uuid4().hex
                if current is not None and current["status"] == ONTVANGEN:
                    # An incomplete delivery restarted: the new one replaces it.
                    db.execute(
                        "UPDATE deliveries SET status = ?, replaced_by = ?, updated_at = ? WHERE id = ?",
                        (VERVANGEN, delivery_id, now, current["id"]),
                    )
                db.execute(
                    "INSERT INTO deliveries (id, org_key, org_name, period, uitvraagdeel, status, "
                    "total_pages, "
                    "client_id, signature_profile, created_at, updated_at, last_page_at) "
                    "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    (
                        delivery_id,
                        facts.org_key,
                        facts.org_name or facts.org_key,
                        period.code,
                        uitvraagdeel,
                        ONTVANGEN,
                        meta.total_pages,
                        client_id,
                        profile,
                        now,
                        now,
                        now,
                    ),
                )
            db.execute(
                "INSERT INTO pages (delivery_id, number, body, body_sha256, size, trajecten, meta, findings, "
                "filename, received_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    delivery_id,
                    meta.number,
                    compressed,
                    sha,
                    size,
                    meta.trajecten,
                    meta_json,
                    findings_json,
                    mask_text(filename) if filename else filename,  # echoed by GET: masked like data
                    now,
                ),
            )
            db.execute(
                "UPDATE deliveries SET last_page_at = ?, updated_at = ?, signature_profile = ? WHERE id = ?",
                (now, now, profile, delivery_id),
            )
            count = db.execute("SELECT COUNT(*) FROM pages WHERE delivery_id = ?", (delivery_id,)).fetchone()[
                0
            ]
            if scenario is not None:
                self._apply_scenario(db, delivery_id, scenario)
            if count >= meta.total_pages:
                ready = now + self.settings.processing_delay_seconds
                db.execute(
                    "UPDATE deliveries SET status = ?, ready_at = ? WHERE id = ?",
                    (IN_BEHANDELING, ready, delivery_id),
                )
                if self.settings.processing_delay_seconds <= 0 and not _held_polls(db, delivery_id):
                    self._finalize(db, delivery_id, now)
            row = db.execute("SELECT * FROM deliveries WHERE id = ?", (delivery_id,)).fetchone()
            resource = self._resource(db, row, now, page_number=meta.number)
        log.info(
            "page %d/%d of delivery %s accepted: %d trajecten, %d warnings, body sha256 %s",
            meta.number,
            meta.total_pages,
            delivery_id,
            meta.trajecten,
            len(findings),
            sha[:16],
        )
        headers = {"Location": f"{self.base}/aanleveringen/{delivery_id}"}
        return Answer(202, orjson.dumps(resource), headers)

    # --------------------------------------------------------------------------------------- transitions

    def _apply_scenario(self, db: sqlite3.Connection, delivery_id: str, scenario: Scenario) -> None:
        """A page of this delivery carried a delivery scenario (mock_server.scenarios)."""
        if scenario.name == IN_BEHANDELING:
            _hold_polls(db, delivery_id, scenario.polls)
        elif scenario.name == AFGEKEURD:
            finding = Finding(
                scenarios.CODE,
                Severity.ERROR,
                "",
                "refused by the test scenario technisch_afgekeurd (DDAS-Test-Scenario header)",
                "deliver without the DDAS-Test-Scenario header for a real technical check",
            )
            row = db.execute("SELECT findings FROM deliveries WHERE id = ?", (delivery_id,)).fetchone()
            existing = loads(row["findings"]) or []
            db.execute(
                "UPDATE deliveries SET findings = ? WHERE id = ?",
                (dumps([*existing, finding_dict(finding)]), delivery_id),
            )

    def _finalize(self, db: sqlite3.Connection, delivery_id: str, now: float) -> None:
        row = db.execute("SELECT * FROM deliveries WHERE id = ?", (delivery_id,)).fetchone()
        metas = [
            tc.PageMeta.from_json(r[0])
            for r in db.execute("SELECT meta FROM pages WHERE delivery_id = ?", (delivery_id,))
        ]
        whole = tc.whole_delivery_findings(metas)
        existing = loads(row["findings"]) or []
        forced = any(f.get("code") == scenarios.CODE for f in existing)  # test scenario technisch_afgekeurd
        status = AFGEKEURD if forced or any(f.severity is Severity.ERROR for f in whole) else GOEDGEKEURD
        db.execute(
            "UPDATE deliveries SET status = ?, findings = ?, updated_at = ? WHERE id = ?",
            (status, dumps([*existing, *(finding_dict(f) for f in whole)]), now, delivery_id),
        )
        if status == GOEDGEKEURD:
            db.execute(
                "UPDATE deliveries SET status = ?, replaced_by = ?, updated_at = ? "
                "WHERE org_key = ? AND period = ? AND uitvraagdeel = ? AND seq < ? "
                "AND status IN (?, ?, ?, ?)",
                (
                    VERVANGEN,
                    delivery_id,
                    now,
                    row["org_key"],
                    row["period"],
                    row["uitvraagdeel"],
                    row["seq"],
                    ONTVANGEN,
                    IN_BEHANDELING,
                    GOEDGEKEURD,
                    AFGEKEURD,
                ),
            )
        log.info("delivery %s checked: %s (%d whole-delivery findings)", delivery_id, status, len(whole))

    def _refresh(self, db: sqlite3.Connection, row: sqlite3.Row, now: float) -> sqlite3.Row:
        """Apply the transitions that are due by now (end of processing, missing-pages timeout)."""
        status = row["status"]
        if status == ONTVANGEN and now - row["last_page_at"] > self.settings.missing_pages_timeout_seconds:
            received = [
                r[0] for r in db.execute("SELECT number FROM pages WHERE delivery_id = ?", (row["id"],))
            ]
            finding = tc.missing_pages_finding(
                received, row["total_pages"], self.settings.missing_pages_timeout_seconds
            )
            existing = loads(row["findings"]) or []
            db.execute(
                "UPDATE deliveries SET status = ?, findings = ?, updated_at = ? WHERE id = ?",
                (AFGEKEURD, dumps([*existing, finding_dict(finding)]), now, row["id"]),
            )
        elif status == IN_BEHANDELING and (row["ready_at"] or 0) <= now and not _held_polls(db, row["id"]):
            self._finalize(db, row["id"], now)
        else:
            return row
        fresh: sqlite3.Row = db.execute("SELECT * FROM deliveries WHERE id = ?", (row["id"],)).fetchone()
        return fresh

    # -------------------------------------------------------------------------------------------- reading

    def _resource(
        self,
        db: sqlite3.Connection,
        row: sqlite3.Row,
        now: float,
        *,
        full: bool = True,
        page_number: int | None = None,
    ) -> dict[str, Any]:
        pages = db.execute(
            "SELECT number, trajecten, body_sha256, size, filename, received_at"
            + (", findings" if full else "")
            + " FROM pages WHERE delivery_id = ? ORDER BY number",
            (row["id"],),
        ).fetchall()
        received = [p["number"] for p in pages]
        link = f"{self.base}/aanleveringen/{row['id']}"
        resource: dict[str, Any] = {
            "id": row["id"],
            "status": row["status"],
            "state": row["status"],
            "periode": periods_mod.api_code(Period.parse(row["period"])),
            "organisatie": {"id": row["org_key"], "naam": row["org_name"]},
            "uitvraagdeel": row["uitvraagdeel"],
            "totalPages": row["total_pages"],
            "pagesReceived": len(received),
            "pagesMissing": tc.missing_pages(received, row["total_pages"]),
            "trajecten": sum(p["trajecten"] for p in pages),
            "signatureProfile": row["signature_profile"],
            "ontvangenOp": _iso(row["created_at"]),
            "bijgewerktOp": _iso(row["updated_at"]),
            "vervangenDoor": row["replaced_by"],
            "ingetrokkenOp": _iso(row["withdrawn_at"]),
            "links": {
                "self": link,
                "opOrdeRapport": f"{link}/op-orde-rapport",
                "intrekking": f"{link}/intrekking",
            },
        }
        if page_number is not None:
            resource["page"] = {"number": page_number, "totalPages": row["total_pages"]}
        if row["status"] == IN_BEHANDELING and row["ready_at"]:
            resource["retryAfter"] = max(1, math.ceil(row["ready_at"] - now))
        if full:
            findings: list[dict[str, Any]] = []
            errors = warnings = 0
            for page in pages:
                for item in loads(page["findings"]) or []:
                    findings.append({**item, "page": page["number"]})
            findings.extend(loads(row["findings"]) or [])
            for item in findings:
                errors += item.get("severity") == "error"
                warnings += item.get("severity") == "warning"
            resource["pages"] = [
                {
                    "number": p["number"],
                    "trajecten": p["trajecten"],
                    "sha256": p["body_sha256"],
                    "size": p["size"],
                    "bestandsnaam": p["filename"],
                    "ontvangenOp": _iso(p["received_at"]),
                }
                for p in pages
            ]
            resource["findingCounts"] = {"errors": errors, "warnings": warnings, "total": len(findings)}
            resource["findings"] = findings[:MAX_LISTED_FINDINGS]
            resource["findingsTruncated"] = len(findings) > MAX_LISTED_FINDINGS
        return resource

    def _row(self, db: sqlite3.Connection, delivery_id: str, now: float, mandate: Mandate) -> sqlite3.Row:
        """The delivery, due transitions applied; 404 when unknown or of an organisation outside `mandate`
        (the same answer: whether another organisation's delivery exists is not disclosed)."""
        row = db.execute("SELECT * FROM deliveries WHERE id = ?", (delivery_id,)).fetchone()
        if row is None or not mandate.covers(row["org_key"]):
            raise fail(
                404, "Delivery not found", f"no delivery with id {delivery_id!r}", slug="delivery-not-found"
            )
        return self._refresh(db, row, now)

    def get(self, delivery_id: str, *, mandate: Mandate) -> tuple[dict[str, Any], dict[str, str]]:
        now = self.clock.now()
        with self.store.tx() as db:
            row = self._row(db, delivery_id, now, mandate)
            resource = self._resource(db, row, now)
            held = _held_polls(db, delivery_id)
            if held:  # test scenario in_behandeling:N: this poll was one of the N
                _hold_polls(db, delivery_id, held - 1)
        headers: dict[str, str] = {}
        if "retryAfter" in resource:
            headers["Retry-After"] = str(resource["retryAfter"])
        return resource, headers

    def list_deliveries(
        self,
        periode: str | None,
        organisatie: str | None,
        status: str | None,
        uitvraagdeel: str | None,
        *,
        mandate: Mandate,
    ) -> dict[str, Any]:
        clause, args = mandate.sql()
        clauses: list[str] = [clause] if clause else []
        if periode:
            try:
                code = Period.parse(periode).code
            except ValueError as exc:
                raise fail(400, "Invalid input", str(exc), slug="invalid-input") from None
            clauses.append("period = ?")
            args.append(code)
        if organisatie:
            clauses.append(
                "(org_key = ? OR substr(org_key, instr(org_key, ':') + 1) = ? OR lower(org_name) = lower(?))"
            )
            args.extend([organisatie, organisatie, organisatie])
        if uitvraagdeel:
            clauses.append("uitvraagdeel = ?")
            args.append(uitvraagdeel)
        where = (" WHERE " + " AND ".join(clauses)) if clauses else ""
        now = self.clock.now()
        with self.store.tx() as db:
            rows = db.execute(f"SELECT * FROM deliveries{where} ORDER BY seq", args).fetchall()
            items = [self._resource(db, self._refresh(db, r, now), now, full=False) for r in rows]
        if status:
            items = [i for i in items if i["status"] == status]
        return {"aanleveringen": items, "total": len(items)}

    def withdraw(self, delivery_id: str, *, mandate: Mandate) -> dict[str, Any]:
        now = self.clock.now()
        today = self.clock.today()
        with self.store.tx() as db:
            row = self._row(db, delivery_id, now, mandate)
            if row["status"] == VERVANGEN:
                raise fail(
                    409,
                    "Delivery replaced",
                    f"this delivery was replaced by {row['replaced_by']}; withdraw that one instead",
                    slug="delivery-replaced",
                    vervangenDoor=row["replaced_by"],
                )
            if row["status"] != INGETROKKEN:
                window = periods_mod.window_for(self.settings, Period.parse(row["period"]), today)
                deadline = window.withdrawal_deadline if window else None
                if deadline is None or today > deadline:
                    when = deadline.isoformat() if deadline else "unknown"
                    raise fail(
                        409,
                        "Withdrawal deadline passed",
                        f"withdrawal for period {row['period']} was possible until {when}",
                        slug="withdrawal-deadline-passed",
                        deadline=when,
                    )
                db.execute(
                    "UPDATE deliveries SET status = ?, withdrawn_at = ?, updated_at = ? WHERE id = ?",
                    (INGETROKKEN, now, now, delivery_id),
                )
                log.info("delivery %s withdrawn", delivery_id)
            fresh = db.execute("SELECT * FROM deliveries WHERE id = ?", (delivery_id,)).fetchone()
            return self._resource(db, fresh, now)

    # -------------------------------------------------------------------------------------------- report

    def report(self, delivery_id: str, *, mandate: Mandate) -> dict[str, Any]:
        now = self.clock.now()
        with self.store.tx() as db:
            row = self._row(db, delivery_id, now, mandate)
            if row["status"] != GOEDGEKEURD:
                headers = {}
                if row["status"] == IN_BEHANDELING and row["ready_at"]:
                    headers["Retry-After"] = str(max(1, math.ceil(row["ready_at"] - now)))
                raise fail(
                    409,
                    "Report not available",
                    "the quality report exists once the technical check has passed; "
                    f"the delivery is {row['status']}",
                    slug="report-not-available",
                    headers=headers,
                    status_aanlevering=row["status"],
                )
            if row["report"]:
                cached: dict[str, Any] = loads(row["report"])
                return cached
            pages = db.execute(
                "SELECT body, findings FROM pages WHERE delivery_id = ? ORDER BY number", (delivery_id,)
            ).fetchall()
            bodies = [decompress(p["body"]) for p in pages]
            findings: list[dict[str, Any]] = []
            for p in pages:
                findings.extend(loads(p["findings"]) or [])
            findings.extend(loads(row["findings"]) or [])
            previous = self._previous_report(db, row)
        report = self._build_report(row, bodies, findings, previous)
        with self.store.tx() as db:
            db.execute("UPDATE deliveries SET report = ? WHERE id = ?", (dumps(report), delivery_id))
        return report

    def _previous_report(self, db: sqlite3.Connection, row: sqlite3.Row) -> dict[str, Any] | None:
        """The report of this organisation's accepted delivery of the previous period (for the drop flag)."""
        previous_code = Period.parse(row["period"]).previous().code
        prev = db.execute(
            "SELECT report FROM deliveries "
            "WHERE org_key = ? AND period = ? AND uitvraagdeel = ? AND status = ? "
            "AND report IS NOT NULL ORDER BY seq DESC LIMIT 1",
            (row["org_key"], previous_code, row["uitvraagdeel"], GOEDGEKEURD),
        ).fetchone()
        result: dict[str, Any] | None = loads(prev["report"]) if prev else None
        return result

    def _build_report(
        self,
        row: sqlite3.Row,
        bodies: list[bytes],
        findings: list[dict[str, Any]],
        previous: dict[str, Any] | None,
    ) -> dict[str, Any]:
        from client.report import ReportBuilder

        period = Period.parse(row["period"])
        builder = ReportBuilder(period.start, period.end)
        levering_offset = 0
        for number, body in enumerate(bodies):
            doc = orjson.loads(body)
            gegevens = doc.get("gegevens", {}) if isinstance(doc, dict) else {}
            if number == 0:
                builder.header(doc)
            leveringen = gegevens.get("leveringen") if isinstance(gegevens, dict) else None
            for li, levering in enumerate(leveringen if isinstance(leveringen, list) else []):
                if not isinstance(levering, dict):
                    continue
                builder.levering(levering_offset + li, levering)
                trajecten = levering.get("schuldhulptrajecten")
                for ti, traject in enumerate(trajecten if isinstance(trajecten, list) else []):
                    builder.traject(levering_offset + li, ti, traject)
            levering_offset += len(leveringen) if isinstance(leveringen, list) else 0
        report = builder.build(findings, previous, status=row["status"])
        report["aanlevering"] = {
            "id": row["id"],
            "periode": periods_mod.api_code(period),
            "organisatie": {"id": row["org_key"], "naam": row["org_name"]},
            "uitvraagdeel": row["uitvraagdeel"],
        }
        return report
