"""CBS's side of the official route: pull `POST /gegevens` page by page and store it like a pushed delivery.

Per page: a signed request (profile A), the response's Digest and signature verified, R-API-04 (the
period asked is the period delivered). Across pages: the same `totalPages` and `totalRecords` on every
page, the trajecten adding up to `totalRecords`, no traject twice, one period. The pages are then stored
through the receiver's own `Deliveries.receive`, so a pulled delivery gets exactly the technical check,
the states and the quality report of a pushed one.

A pull never mixes data versions: the version of the first answer (`DDAS-Data-Version`) goes with
every further request; a replica serving another version answers 409, and the pull starts again from
page 1 (at most `MAX_RESTARTS` times). An answer whose version differs anyway is an error (PULL-VER-01).

A delivery is per organisation; a pull without `aanleverende_organisatie` may span several (each page
holds one). The puller then pulls each organisation's own page sequence to store it, since the pages of
the combined sequence carry the combined `paginering`.
"""

from __future__ import annotations

import hashlib
import logging
import ssl
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import httpx
import orjson

from client.devtools.keys import DevKeys, write_dev_keys
from client.planning.filenames import make_filename
from client.planning.periods import Period
from client.privacy import mask_digit_runs, mask_text
from client.protocol import DeliveryState
from client.provider.consistency import DATA_VERSION_HEADER
from client.validation.findings import Finding, Severity
from client.validation.rules import RuleEngine
from client.validation.rules.api import total_pages_problem
from client.wire.signing import SignatureError, Signer, Verified, Verifier, load_signer, load_trust_anchors
from client.wire.tls import client_verify
from client.wire.transport import ClientCredentialsAuth, DeliveryHTTPError, RetryPolicy
from mock_server.service import Deliveries
from mock_server.settings import MockSettings
from mock_server.store import Store
from mock_server.tenancy import Mandate

log = logging.getLogger("ddas.mock.pull")

PULL_CLIENT = "pull"
# CBS itself pulls: whatever organisation the provider answers for is stored (docs/decisions.md)
PULL_MANDATE = Mandate.everything()
MAX_RESTARTS = 3


class _VersionChanged(Exception):
    """The provider no longer serves the data version this pull began with (409): start again."""


def declared_total_pages(pag: dict[str, Any] | None) -> int:
    """Page 1's `totalPages`, checked before any further page is asked: integers, at most
    `MAX_TOTAL_PAGES` and consistent with totalRecords and pageSize (the validator's one check)."""
    if pag is None:
        return 1
    total, records, size = (pag.get(k) for k in ("totalPages", "totalRecords", "pageSize"))
    if type(total) is not int or type(records) is not int or type(size) is not int:
        raise PullError(
            "refused", "page 1: paginering.totalPages, totalRecords and pageSize must be integers (R-API-02)"
        )
    if total < 1 or records < 0 or size < 1:
        raise PullError("refused", "page 1: paginering values out of range (R-API-02)")
    problem = total_pages_problem(total, records, size)
    if problem is not None:
        raise PullError("refused", f"page 1: {problem[0]} (R-API-02); no further page was asked")
    return total


class PullError(Exception):
    """The pull could not be completed: `kind` is `usage`, `refused` (4xx, bad signature) or `unreachable`."""

    def __init__(self, kind: str, message: str) -> None:
        super().__init__(message)
        self.kind = kind
        self.message = message


@dataclass
class PullOptions:
    """What `ddas-mock pull` was asked (see pull_cmd for the options)."""

    url: str
    period: Period | None = None
    page_size: int | None = None
    organisation: str | None = None
    token: str | None = None
    client_id: str | None = None
    client_secret: str | None = None
    token_url: str | None = None
    scope: str = "read"
    auth_header: str = "Authorization"
    dev_dir: Path | None = None
    trust_anchors: list[Path] = field(default_factory=list)
    signing_key: Path | None = None
    signing_chain: Path | None = None
    client_cert: Path | None = None
    client_key: Path | None = None
    ca_bundle: Path | None = None
    db: str | None = None
    lenient: bool = False
    timeout: float = 300.0
    max_attempts: int = 5
    today: date | None = None


@dataclass
class PulledPage:
    number: int
    body: bytes
    headers: httpx.Headers
    paginering: dict[str, Any] | None
    trajecten: int
    organisation: str
    profile: str
    start: str | None
    end: str | None
    traject_digests: list[bytes]


@dataclass
class StoredDelivery:
    """One delivery as the receiver booked it."""

    id: str | None
    organisation: str
    status: str
    trajecten: int
    pages: int
    errors: int
    warnings: int
    problem: str | None = None
    report: dict[str, Any] | None = None


@dataclass
class PullResult:
    url: str
    period: Period
    requests: int = 0
    pages: int = 0
    trajecten: int = 0
    total_records: int = 0
    size: int = 0
    organisations: list[str] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)
    deliveries: list[StoredDelivery] = field(default_factory=list)
    trajecten_by_digest: dict[bytes, int] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return not any(f.severity is Severity.ERROR for f in self.findings) and all(
            d.status == DeliveryState.GOEDGEKEURD for d in self.deliveries
        )


def traject_digest(traject: Any) -> bytes:
    """A traject's identity across pages: SHA-256 of its JSON with sorted keys (key order is no change)."""
    return hashlib.sha256(orjson.dumps(traject, option=orjson.OPT_SORT_KEYS)).digest()


def _finding(code: str, message: str, hint: str = "", path: str = "") -> Finding:
    return Finding(code, Severity.ERROR, path, message, hint)


def organisation_label(header: Any) -> str:
    """KvK-nummer, else gemeentecode, else the name: what the provider accepts as aanleverende_organisatie."""
    if isinstance(header, dict):
        for key in ("KvK-nummer", "gemeentecode", "(Statutaire) Naam"):
            value = header.get(key)
            if isinstance(value, str) and value.strip():
                return value.strip()
    return "onbekend"


def _organisation_name(header: Any) -> str:
    if isinstance(header, dict):
        naam = header.get("(Statutaire) Naam")
        if isinstance(naam, str) and naam.strip():
            return naam.strip()
    return organisation_label(header)


class Puller:
    """Pulls one period from a provider and stores it in the mock receiver's database."""

    def __init__(
        self,
        options: PullOptions,
        *,
        client: httpx.Client | None = None,
        sleep: Callable[[float], None] | None = None,
    ) -> None:
        self.options = options
        self.dev = write_dev_keys(options.dev_dir) if options.dev_dir is not None else None
        self.signer, self.verifier = self._keys()
        self.auth = self._auth()
        self.client = client or httpx.Client(
            timeout=httpx.Timeout(options.timeout, connect=10.0), verify=self._tls()
        )
        self._own_client = client is None
        policy = RetryPolicy(max_attempts=options.max_attempts, deadline=options.timeout)
        if sleep is not None:
            policy.sleep = sleep
        self.retry = policy
        self.today = options.today or datetime.now(UTC).date()
        self.period = options.period or Period.last_complete(self.today)
        self.requests = 0
        self.version: str | None = None  # the data version of this pull's first answer
        self.restarts = 0

    def close(self) -> None:
        if self._own_client:
            self.client.close()

    # -- setup

    def _keys(self) -> tuple[Signer, Verifier]:
        o = self.options
        anchors = load_trust_anchors(o.trust_anchors) if o.trust_anchors else []
        signer: Signer | None = None
        if self.dev is not None:
            anchors.extend(self.dev.trust_anchors())
            signer = self.dev.signer(kid="ddas-mock-puller")
        if o.signing_key and o.signing_chain:
            signer = load_signer(o.signing_key, o.signing_chain)
        if signer is None:
            raise PullError("usage", "requests must be signed: give --dev DIR or a signing key and chain")
        if not anchors:
            raise PullError("usage", "responses must be verified: give --dev DIR or --trust-anchor FILE")
        return signer, Verifier(anchors, lenient=o.lenient)

    def _tls(self) -> ssl.SSLContext | bool:
        """TLS to the provider, for `ddas-mock pull` and `ddas-mock conform` alike: `--ca-bundle`, else
        with `--dev` the development CA alone (docs/decisions.md), else the system CAs; and for mutual
        TLS `--client-cert`/`--client-key`, else with `--dev` the development client certificate."""
        o = self.options
        cert, key, ca = o.client_cert, o.client_key, o.ca_bundle
        if self.dev is not None:
            ca = ca or self.dev.ca_path
            if cert is None and self.dev.client_cert_path.is_file() and self.dev.client_key_path.is_file():
                cert, key = self.dev.client_cert_path, self.dev.client_key_path
        if (cert is None) != (key is None):
            raise PullError("usage", "--client-cert and --client-key go together: give both or neither")
        try:
            return client_verify(ca, cert, key)
        except (OSError, ValueError) as exc:  # ssl.SSLError is an OSError
            raise PullError("usage", f"TLS files cannot be used ({cert or ca}): {exc}") from None

    def _auth(self) -> httpx.Auth | None:
        o = self.options
        if o.client_id and o.client_secret:
            if not o.token_url:
                raise PullError("usage", "--client-id/--client-secret need --token-url")
            return ClientCredentialsAuth(
                o.token_url, o.client_id, o.client_secret, o.scope, header_name=o.auth_header
            )
        return None

    def _auth_headers(self) -> dict[str, str]:
        o = self.options
        if self.auth is not None:
            return {}
        token = o.token or ("dev" if o.dev_dir is not None else None)
        if token is None:
            raise PullError(
                "usage", "no access token: give --token T, --client-id/--client-secret, or --dev DIR"
            )
        return {o.auth_header: f"Bearer {token}"}

    # -- one request

    def request_body(self, page: int, organisation: str | None) -> bytes:
        body: dict[str, Any] = {}
        if self.options.period is not None:
            body["aanleverperiodeStartdatum"] = self.period.start.isoformat()
            body["aanleverperiodeEinddatum"] = self.period.end.isoformat()
        if organisation is not None:
            body["aanleverende_organisatie"] = organisation
        body["page"] = page
        if self.options.page_size is not None:
            body["pageSize"] = self.options.page_size
        return orjson.dumps(body)

    def fetch(self, page: int, organisation: str | None) -> tuple[httpx.Response, Verified]:
        body = self.request_body(page, organisation)
        headers = {"Content-Type": "application/json", "Accept": "application/json", **self._auth_headers()}
        if self.version is not None:
            headers[DATA_VERSION_HEADER] = self.version
        headers.update(self.signer.sign(body))

        auth: Any = self.auth or httpx.USE_CLIENT_DEFAULT

        def send() -> httpx.Response:
            self.requests += 1
            return self.client.post(
                self.options.url.rstrip("/") + "/gegevens", content=body, headers=headers, auth=auth
            )

        try:
            response = self.retry.call(send, what=f"page {page}")
        except DeliveryHTTPError as exc:
            raise PullError("unreachable", f"page {page}: still {exc} after retries") from None
        except httpx.HTTPError as exc:
            raise PullError("unreachable", f"page {page}: {type(exc).__name__}: {exc}") from None
        if response.status_code == 409 and self.version is not None:
            raise _VersionChanged(_problem_text(response))
        if response.status_code != 200:
            raise PullError("refused", f"page {page}: HTTP {response.status_code}: {_problem_text(response)}")
        try:
            verified = self.verifier.verify(response.content, response.headers)
        except SignatureError as exc:
            raise PullError(
                "refused", f"page {page}: response signature refused ({exc.reason}): {exc.message}"
            ) from None
        served = response.headers.get(DATA_VERSION_HEADER)
        if self.version is None:
            self.version = served
        elif served is not None and served != self.version:
            raise PullError(
                "refused",
                f"page {page}: PULL-VER-01 data version {served} differs from this pull's {self.version} "
                f"although {DATA_VERSION_HEADER} was sent: the provider mixes data versions",
            )
        return response, verified

    def _page(self, number: int, response: httpx.Response, verified: Verified) -> PulledPage:
        try:
            document = orjson.loads(response.content)
        except orjson.JSONDecodeError:
            raise PullError("refused", f"page {number}: the response is not JSON") from None
        gegevens = document.get("gegevens") if isinstance(document, dict) else None
        if not isinstance(gegevens, dict):
            raise PullError("refused", f"page {number}: the response has no gegevens object (R-API-03)")
        raw = gegevens.get("leveringen")
        leveringen: list[Any] = raw if isinstance(raw, list) else []
        digests: list[bytes] = []
        labels: list[str] = []
        for lev in leveringen:
            if not isinstance(lev, dict):
                continue
            labels.append(organisation_label(lev.get("aanleverende_organisatie")))
            trajecten = lev.get("schuldhulptrajecten")
            for t in trajecten if isinstance(trajecten, list) else []:
                digests.append(traject_digest(t))
        pag = document.get("paginering")
        return PulledPage(
            number=number,
            body=response.content,
            headers=response.headers,
            paginering=pag if isinstance(pag, dict) else None,
            trajecten=len(digests),
            organisation=labels[0] if labels else "onbekend",
            profile=verified.profile.value,
            start=gegevens.get("startdatumLevering")
            if isinstance(gegevens.get("startdatumLevering"), str)
            else None,
            end=gegevens.get("einddatumLevering")
            if isinstance(gegevens.get("einddatumLevering"), str)
            else None,
            traject_digests=digests,
        )

    # -- a page sequence

    def sequence(self, organisation: str | None, result: PullResult) -> list[PulledPage]:
        """Pages 1..totalPages, with the cross-page checks recorded in `result.findings`."""
        response, verified = self.fetch(1, organisation)
        pages = [self._page(1, response, verified)]
        total = declared_total_pages(pages[0].paginering)
        for number in range(2, total + 1):
            response, verified = self.fetch(number, organisation)
            pages.append(self._page(number, response, verified))
        self.check(pages, result)
        return pages

    def check(self, pages: list[PulledPage], result: PullResult) -> None:
        """The cross-page checks: paginering agrees, totalRecords adds up, no duplicates, one period."""
        first = pages[0].paginering
        engine = RuleEngine(envelope=True)
        for page in pages:
            pag = page.paginering
            if len(pages) > 1 and pag is None:
                result.findings.append(_finding("PULL-PAG-01", f"page {page.number} has no paginering"))
            if pag is not None and first is not None:
                for key in ("totalPages", "totalRecords", "pageSize"):
                    if pag.get(key) != first.get(key):
                        result.findings.append(
                            _finding(
                                "PULL-PAG-02",
                                f"page {page.number}: {key} {pag.get(key)} differs from page 1's",
                            )
                        )
                if pag.get("currentPage") != page.number:
                    result.findings.append(
                        _finding(
                            "PULL-PAG-03",
                            f"asked page {page.number}, got currentPage {pag.get('currentPage')}",
                        )
                    )
            header = {"startdatumLevering": page.start, "einddatumLevering": page.end}
            for f in engine.check_requested_period(header, self.period.start, self.period.end):
                result.findings.append(
                    Finding(f.code, Severity.ERROR, f.path, f"page {page.number}: {f.message}", f.hint)
                )
        if len({(p.start, p.end) for p in pages}) > 1:
            result.findings.append(_finding("PULL-PER-01", "the pages hold more than one period"))
        total_records = int(first.get("totalRecords", 0)) if first else pages[0].trajecten
        got = sum(p.trajecten for p in pages)
        if got != total_records:
            result.findings.append(
                _finding(
                    "PULL-PAG-04",
                    f"the pages hold {got} trajecten, paginering.totalRecords says {total_records}",
                )
            )
        seen: dict[bytes, int] = {}
        duplicates = 0
        for page in pages:
            for digest in page.traject_digests:
                if digest in seen:
                    duplicates += 1
                seen[digest] = seen.get(digest, 0) + 1
        if duplicates:
            result.findings.append(
                _finding("PULL-DUP-01", f"{duplicates} traject(en) appear more than once across the pages")
            )

    def validate(self, pages: list[PulledPage], result: PullResult) -> None:
        """The content of each page, as the receiver's technical check sees it (errors only)."""
        from client.validation import validate_bytes

        for page in pages:
            report = validate_bytes(page.body, envelope=True, check_name=False)
            for f in report.findings:
                if f.severity is Severity.ERROR:
                    result.findings.append(
                        Finding(f.code, f.severity, f.path, f"page {page.number}: {f.message}", f.hint)
                    )

    # -- the whole pull

    def pull(self, store: Deliveries | None) -> PullResult:
        """The whole pull, started again from page 1 when the data version changes under it."""
        while True:
            self.version = None
            try:
                return self._pull(store)
            except _VersionChanged as exc:
                self.restarts += 1
                if self.restarts > MAX_RESTARTS:
                    raise PullError(
                        "refused",
                        f"the provider's data changed during the pull {self.restarts} times ({exc}); "
                        "try again when the exports are stable",
                    ) from None
                log.warning("data version changed during the pull (%s): starting again from page 1", exc)

    def _pull(self, store: Deliveries | None) -> PullResult:
        result = PullResult(self.options.url, self.period)
        pages = self.sequence(self.options.organisation, result)
        result.total_records = sum(p.trajecten for p in pages)
        result.pages = len(pages)
        result.size = sum(len(p.body) for p in pages)
        for page in pages:
            for digest in page.traject_digests:
                result.trajecten_by_digest[digest] = result.trajecten_by_digest.get(digest, 0) + 1
        result.trajecten = sum(result.trajecten_by_digest.values())
        organisations = list(dict.fromkeys(p.organisation for p in pages))
        result.organisations = organisations
        if store is None:  # storing runs the receiver's technical check; without it, check here
            self.validate(pages, result)
        if store is not None and not any(f.severity is Severity.ERROR for f in result.findings):
            if len(organisations) <= 1 or self.options.organisation is not None:
                result.deliveries.append(self._store(store, pages))
            else:
                # every sequence first, then store: a version change (restart) stores nothing twice
                sequences = [self.sequence(label, result) for label in organisations]
                for own in sequences:
                    result.deliveries.append(self._store(store, own))
        result.requests = self.requests
        return result

    def _store(self, deliveries: Deliveries, pages: list[PulledPage]) -> StoredDelivery:
        """Each page through the receiver's own `receive`: signature, technical check, states, report."""
        total = len(pages)
        resource: dict[str, Any] = {}
        label = pages[0].organisation
        try:
            doc = orjson.loads(pages[0].body)
            org_header = doc["gegevens"]["leveringen"][0]["aanleverende_organisatie"]
        except (KeyError, IndexError, TypeError, orjson.JSONDecodeError):
            org_header = {}
        name = _organisation_name(org_header)
        if name != label:
            label = f"{name} ({label})"
        for page in pages:
            filename = make_filename(self.period.code, name, "SHV", page.number if total > 1 else None, total)
            key = hashlib.sha256(b"pull\x00" + page.body).hexdigest()
            answer = deliveries.receive(
                PULL_CLIENT, page.body, page.headers, filename, key, mandate=PULL_MANDATE
            )
            body = orjson.loads(answer.body) if answer.body else {}
            if answer.status >= 400:
                errors = sum(1 for f in body.get("findings", []) if f.get("severity") == "error")
                return StoredDelivery(
                    None,
                    label,
                    "refused",
                    sum(p.trajecten for p in pages),
                    total,
                    errors,
                    0,
                    problem=f"HTTP {answer.status}: {body.get('title')}: {body.get('detail')}",
                )
            resource = body
        delivery_id = resource.get("id")
        report = None
        if delivery_id:
            resource, _ = deliveries.get(str(delivery_id), mandate=PULL_MANDATE)
            if resource.get("status") == DeliveryState.GOEDGEKEURD:
                report = deliveries.report(str(delivery_id), mandate=PULL_MANDATE)
        counts = resource.get("findingCounts", {})
        return StoredDelivery(
            str(delivery_id) if delivery_id else None,
            label,
            str(resource.get("status")),
            int(resource.get("trajecten", 0)),
            total,
            int(counts.get("errors", 0)),
            int(counts.get("warnings", 0)),
            report=report,
        )


def _problem_text(response: httpx.Response) -> str:
    """The provider's complaint in one line, BSN-masked (it is logged and printed)."""
    try:
        body = response.json()
    except ValueError:
        return mask_digit_runs(response.text[:200])
    if isinstance(body, dict):
        parts = [str(body.get(k)) for k in ("title", "detail") if body.get(k)]
        code = response.headers.get("Fsc-Error-Code")
        return mask_text((f"[{code}] " if code else "") + ": ".join(parts))
    return mask_digit_runs(response.text[:200])


def open_receiver(
    options: PullOptions, config: Path | None = None, dev: DevKeys | None = None
) -> tuple[Deliveries, Store]:
    """The receiver's bookkeeping in `options.db` (its config honoured), trusting the provider's keys
    (with `--dev`, the development keys `dev` the puller wrote)."""
    from mock_server.settings import load_settings

    settings: MockSettings = load_settings(
        config, db=options.db, dev_dir=options.dev_dir, lenient_signatures=options.lenient or None
    )
    anchors = load_trust_anchors([*settings.trust_anchors, *options.trust_anchors])
    if dev is not None:
        anchors.extend(dev.trust_anchors())
    store = Store(settings.db, settings.busy_timeout_seconds)
    # The signing time was judged when each page was fetched (the puller's own verifier); storing a long
    # pull's pages may happen later than the allowed skew, so it is not judged again here.
    verifier = Verifier(anchors, lenient=settings.lenient_signatures, require_digest=True, max_skew=None)
    return Deliveries(settings, store, verifier), store


def run_pull(options: PullOptions, *, store: bool = True, config: Path | None = None) -> PullResult:
    """Pull and (by default) store; raises PullError."""
    puller = Puller(options)
    receiver: tuple[Deliveries, Store] | None = open_receiver(options, config, puller.dev) if store else None
    try:
        return puller.pull(receiver[0] if receiver else None)
    finally:
        puller.close()
        if receiver is not None:
            receiver[1].close()
