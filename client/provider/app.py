"""The provider app: `POST /v1/gegevens` served from the vendor's exports (the official 2026 route).

Settings in, a FastAPI app out, no globals. A request passes, in order: authentication (FSC 401/403),
the rate limit (429), then the request's signature and body, whose problems are listed together in one
400 (ADR: list every violation), then the period (422 when the exports do not cover it) and
organisation (422); the pages come from the
planner through the cache. Every answer carries `API-Version`, the ADR security headers, `Digest` and
`nlgov-adr-payload-sig` (client.wire.adr).
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

from fastapi import FastAPI, Request
from fastapi.responses import Response
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException as StarletteHTTPException

from client.devtools.keys import DevKeys, write_dev_keys
from client.provider import errors
from client.provider.auth import Authenticator, Denied
from client.provider.cache import DataUnavailable, IntegrityError, PageCache
from client.provider.consistency import DATA_VERSION_HEADER, data_version, requested_version
from client.provider.health import Readiness
from client.provider.metrics import ProviderMetrics
from client.provider.pages import OrganisationUnknown, answer
from client.provider.request import FIELDS, Query, RequestInvalid, Violation, parse_request
from client.provider.settings import ProviderSettings
from client.validation.rules.api import MAX_TOTAL_PAGES
from client.wire.adr import install_adr, problem
from client.wire.observability import Operations, annotate
from client.wire.ratelimit import RateLimiter, retry_after_seconds
from client.wire.signing import (
    SIGNATURE_HEADER,
    SignatureError,
    Signer,
    SigningProfile,
    Verified,
    Verifier,
    load_signer,
    load_trust_anchors,
    max_skew,
)

log = logging.getLogger("ddas.provider")

PROFILE_HEADER = "DDAS-Signature-Profile"
PROVIDER_KID = "ddas-provider"
TITLE = "DDAS Gegevens Uitwissel API - SHV (provider)"


@dataclass
class ProviderContext:
    """What the route needs, built once per app."""

    settings: ProviderSettings
    cache: PageCache
    authenticator: Authenticator
    verifier: Verifier
    limiter: RateLimiter
    signer: Signer
    metrics: ProviderMetrics | None = None


def _signer(settings: ProviderSettings, dev: DevKeys | None) -> Signer:
    profile = SigningProfile(settings.signing_profile)
    if settings.signing_key and settings.signing_chain:
        signer = load_signer(
            settings.signing_key, settings.signing_chain, kid=settings.signing_kid or PROVIDER_KID
        )
        signer.profile = profile
        return signer
    if dev is not None:
        return dev.signer(kid=settings.signing_kid or PROVIDER_KID, profile=profile)
    raise ValueError(
        "responses must be signed: configure signing_key and signing_chain (PKIoverheid), "
        "or use --dev DIR for development keys"
    )


def build_context(settings: ProviderSettings) -> ProviderContext:
    """Load keys and trust anchors; ValueError/OSError for a configuration that cannot work."""
    if not settings.data:
        raise ValueError("no data: give --data EXPORT_OR_DIR (a DDAS export file or a directory of them)")
    dev = write_dev_keys(settings.dev_dir) if settings.dev_dir is not None else None
    anchors = load_trust_anchors(settings.trust_anchors) if settings.trust_anchors else []
    if dev is not None:
        anchors.extend(dev.trust_anchors())
    if settings.require_request_signature and not anchors:
        raise ValueError(
            "request signatures are required but no trust anchor is configured (trust_anchors or --dev)"
        )
    return ProviderContext(
        settings=settings,
        cache=PageCache(
            settings.data,
            vendor_code=settings.vendor_code,
            max_age=settings.cache_max_age_seconds,
            entries=settings.cache_entries,
            aanleverdatum=settings.aanleverdatum,
        ),
        authenticator=Authenticator(settings),
        verifier=Verifier(
            anchors,
            lenient=settings.lenient_signatures,
            require_digest=True,
            max_skew=max_skew(settings.signature_max_skew_seconds),
        ),
        limiter=RateLimiter(settings.rate_limit_per_second, settings.rate_limit_burst),
        signer=_signer(settings, dev),
    )


def _signature(ctx: ProviderContext, body: bytes, headers: Any) -> tuple[Verified | None, Violation | None]:
    """Verify the request's signature (A, B; C only when lenient); a failure is a violation, not an answer."""
    if not headers.get(SIGNATURE_HEADER) and not ctx.settings.require_request_signature:
        return None, None
    try:
        return ctx.verifier.verify(body, headers), None
    except SignatureError as exc:
        return None, Violation(
            f"header:{SIGNATURE_HEADER}", exc.reason, f"request signature refused: {exc.message}"
        )


def _invalid(violations: list[Violation], unknown: list[str], path: str, headers: dict[str, str]) -> Response:
    # the caller's keys and values are echoed: `problem` masks a pasted BSN in every part of the answer
    extensions: dict[str, Any] = {"errors": [v.to_dict() for v in violations]}
    if unknown:
        extensions["unknownFields"] = unknown
        extensions["acceptedFields"] = list(FIELDS)
    parts = [v.detail for v in violations if v.code != "additionalProperties"]
    if unknown:
        parts.insert(
            0,
            f"unknown field(s) {', '.join(repr(u) for u in unknown)}; GegevensRequest accepts only: "
            + ", ".join(FIELDS),
        )
    detail = "; ".join(parts[:6]) + ("; ..." if len(parts) > 6 else "")
    return problem(
        400,
        "Invalid request",
        detail,
        type_=f"{errors.PROBLEM_BASE}invalid-input",
        instance=path,
        headers=headers,
        **extensions,
    )


def _today(settings: ProviderSettings) -> date:
    return settings.today or datetime.now(UTC).date()


def _version_gone(wanted: str, served: str, path: str, headers: dict[str, str]) -> Response:
    """409: the page was asked for a data version this replica no longer (or not yet) serves."""
    return problem(
        409,
        "Data version changed",
        f"this page was asked for data version {wanted}, but {served} is served here: the exports "
        "changed during the pull; start again from page 1 without the header (or with the new version)",
        type_=f"{errors.PROBLEM_BASE}data-version-changed",
        instance=path,
        headers=headers,
        requestedVersion=wanted,  # echoed input (masked by `problem`)
        servedVersion=served,
    )


def handle(ctx: ProviderContext, path: str, headers: Any, body: bytes) -> Response:
    """One `POST /gegevens`, synchronously (planning and building block: the route runs it in a thread)."""
    settings = ctx.settings
    try:
        caller = ctx.authenticator.authenticate(headers)
    except Denied as exc:
        return errors.fsc_problem(exc.status, exc.code, exc.title, exc.detail)
    annotate(client=caller.name)
    wait = ctx.limiter.acquire(caller.name)
    if wait > 0:
        return problem(
            429,
            "Too many requests",
            f"at most {settings.rate_limit_per_second:g} requests per second; retry after the given seconds",
            type_=f"{errors.PROBLEM_BASE}rate-limited",
            instance=path,
            headers={"Retry-After": retry_after_seconds(wait)},
        )
    extra: dict[str, str] = {}
    violations: list[Violation] = []
    if len(body) > settings.max_request_bytes:
        violations.append(
            Violation("#", "size", f"the request body exceeds {settings.max_request_bytes} bytes")
        )
        return _invalid(violations, [], path, extra)
    content_type = headers.get("content-type", "application/json").split(";")[0].strip().lower()
    if content_type != "application/json" and not content_type.endswith("+json"):
        violations.append(
            Violation("header:Content-Type", "media-type", "the request body must be application/json")
        )
    wanted_version: str | None = None
    try:
        wanted_version = requested_version(headers.get(DATA_VERSION_HEADER))
    except ValueError as exc:
        violations.append(Violation(f"header:{DATA_VERSION_HEADER}", "pattern", str(exc)))
    verified, sig_problem = _signature(ctx, body, headers)
    if sig_problem is not None:
        violations.append(sig_problem)
    if verified is not None:
        extra[PROFILE_HEADER] = verified.profile.value
    query: Query | None = None
    unknown: list[str] = []
    try:
        query = parse_request(body, today=_today(settings), default_page_size=settings.default_page_size)
    except RequestInvalid as exc:
        violations.extend(exc.violations)
        unknown = exc.unknown
    if violations or query is None:
        return _invalid(violations, unknown, path, extra)
    annotate(organisation=query.organisation, page=query.page)
    try:
        current = ctx.cache.version()
        if wanted_version is not None:  # checked before planning: a 409 costs no plan
            served = data_version(current)
            if wanted_version != served:
                return _version_gone(wanted_version, served, path, {**extra, DATA_VERSION_HEADER: served})
        coverage = current.coverage
        if coverage is not None and not coverage.covers(query.period):
            period = query.period
            return problem(
                422,
                "Period not covered by the data",
                f"{period.start.isoformat()}..{period.end.isoformat()} lies outside every export served "
                f"here; they cover {coverage} (their startdatumLevering..einddatumLevering). Ask a period "
                "that overlaps them, or have the vendor export the period asked",
                type_=f"{errors.PROBLEM_BASE}period-not-covered",
                instance=path,
                headers=extra,
                covered=coverage.to_list(),
            )
        version, entry = ctx.cache.entry(query.period, query.page_size)
        try:
            result = answer(ctx.cache, version, entry, query)
        except IntegrityError:
            log.error("cached page failed its integrity check; planning again from the exports")
            version, entry = ctx.cache.entry(query.period, query.page_size)
            result = answer(ctx.cache, version, entry, query)
        served = data_version(version)
        extra[DATA_VERSION_HEADER] = served
        if wanted_version is not None and wanted_version != served:  # the data changed meanwhile
            return _version_gone(wanted_version, served, path, extra)
        pages = result.paginering["totalPages"] if result.paginering else 1
        if pages > MAX_TOTAL_PAGES:
            least = -(-result.total_records // MAX_TOTAL_PAGES)
            detail = (
                f"pageSize {query.page_size:,} makes {pages:,} pages; at most {MAX_TOTAL_PAGES:,} pages are "
                f"served (R-API-02): ask a pageSize of at least {least:,}"
            )
            return _invalid([Violation("#/pageSize", "minimum", detail)], [], path, extra)
    except OrganisationUnknown as exc:
        return problem(
            422,
            "Organisation not served",
            f"{exc}; organisations served: {', '.join(exc.known) or 'none'}",
            type_=f"{errors.PROBLEM_BASE}organisation-unknown",
            instance=path,
            headers=extra,
            organisaties=exc.known,
        )
    except DataUnavailable as exc:
        log.error("data unavailable: %s", exc)
        return errors.service_unreachable()
    if ctx.metrics is not None:
        ctx.metrics.trajecten_served.inc(result.trajecten)
    log.info(
        "%s: %s page %s of %s, %d trajecten%s (signature %s)",
        caller.name,
        query.period.code,
        result.paginering["currentPage"] if result.paginering else 1,
        result.paginering["totalPages"] if result.paginering else 1,
        result.trajecten,
        " (page past the end: first page)" if result.fallback else "",
        verified.profile.letter if verified else "none",
    )
    return Response(result.body, media_type="application/json", headers=extra)


def register_routes(app: FastAPI, settings: ProviderSettings, ctx: ProviderContext | None) -> None:
    """The official route on `app` (without a context only for reading the routes: the OpenAPI export)."""

    @app.post(
        f"{settings.base}/gegevens",
        summary="Aanvragen en ontvangen van SHV-gegevens",
        operation_id="postGegevens",
        response_class=Response,
    )
    async def post_gegevens(request: Request) -> Response:
        assert ctx is not None
        limit = ctx.settings.max_request_bytes
        body = bytearray()
        async for chunk in request.stream():  # a GegevensRequest is tiny: never buffer more than the limit
            body += chunk
            if len(body) > limit:
                break
        return await run_in_threadpool(handle, ctx, request.url.path, request.headers, bytes(body))


def create_provider_app(settings: ProviderSettings) -> FastAPI:
    """A complete provider for `settings`; raises ValueError/OSError for an unusable configuration."""
    ctx = build_context(settings)
    ctx.metrics = ProviderMetrics(ctx.cache)
    readiness = Readiness(ctx.cache, lambda: _today(settings), settings.default_page_size)

    @contextlib.asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        readiness.start()  # the server accepts at once; /ready says when the cache is warm
        yield

    app = FastAPI(
        title=TITLE,
        version=settings.api_version,
        openapi_url=f"{settings.base}/openapi.json",
        docs_url=None,
        redoc_url=None,
        lifespan=lifespan,
    )
    app.state.provider = ctx
    app.state.readiness = readiness
    register_routes(app, settings, ctx)
    install_adr(app, settings.api_version, signer=ctx.signer, problem_type_base=errors.PROBLEM_BASE)
    app.add_exception_handler(StarletteHTTPException, errors.http_exception)
    app.add_middleware(Operations, metrics=ctx.metrics.base, ready=readiness.check)  # outermost

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            from client.provider.openapi_export import provider_openapi

            app.openapi_schema = provider_openapi(app, settings)
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]
    return app
