"""The mock receiver's app factory: settings in, a FastAPI app out, no globals.

Middleware, outermost first: operations (/health, /ready, /metrics; every request counted and logged) →
the request log (admin) → ADR headers → response signing (profile A) → test scenarios → fault
injection → the routes. Faults sit inside the signer, so injected 5xx answers are signed like any
other; the request log sits outside everything else, so it also records requests whose connection
was dropped.
"""

from __future__ import annotations

import logging
from typing import Any

from cryptography import x509
from cryptography.hazmat.primitives import serialization
from fastapi import FastAPI, Request
from fastapi.responses import Response
from starlette.types import Receive, Scope, Send

from client.wire.adr import install_adr
from client.wire.observability import Metrics, Operations
from client.wire.ratelimit import RateLimiter, retry_after_seconds
from client.wire.signing import (
    Signer,
    Verifier,
    certificate_thumbprint,
    load_signer,
    load_trust_anchors,
    max_skew,
)
from mock_server.auth import SCOPE, Tokens
from mock_server.clock import Clock
from mock_server.context import MockContext
from mock_server.faults import RAW_SEND_KEY, FaultInjector, FaultMiddleware
from mock_server.middleware import RequestLog
from mock_server.problems import fail
from mock_server.routes import admin, deliveries, periods, token
from mock_server.routes import clock as clock_routes
from mock_server.scenarios import ScenarioMiddleware
from mock_server.service import Deliveries
from mock_server.settings import ClientConfig, MockSettings
from mock_server.store import Store, StoreBusy

log = logging.getLogger("ddas.mock")

DEV_CLIENT = ClientConfig(id="dev", secret="dev", scopes=[SCOPE])
DEV_ADMIN_TOKEN = "dev"  # development mode turns /admin on behind this token unless another is set
MOCK_KID = "ddas-mock-receiver"
TITLE = "DDAS Aanlever-API (push route) — mock receiver"
DESCRIPTION = (
    "The push route of this project (PUSH-API.md): OAuth2 client credentials, `Digest` and "
    "`nlgov-adr-payload-sig` on requests and responses (SIGNING.md profile A; B accepted; C only in lenient "
    "mode), `Idempotency-Key` on every POST, RFC 9457 problem+json on every 4xx/5xx, `API-Version` on every "
    "response."
)


class MockApp(FastAPI):
    """FastAPI, keeping uvicorn's own `send` in the scope: fault injection needs it to drop a connection."""

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            scope[RAW_SEND_KEY] = send
        await super().__call__(scope, receive, send)


def _dev_keys(settings: MockSettings) -> Any:
    if settings.dev_dir is None:
        return None
    from client.devtools.keys import write_dev_keys

    return write_dev_keys(settings.dev_dir)


def _mock_signer(settings: MockSettings, store: Store, dev: Any) -> Signer:
    """The receiver's own signing key: configured, else generated once and kept in the store.

    In development mode the certificate is issued by the development CA, so `ddas push --dev DIR`
    verifies the mock's responses with the same trust anchor.
    """
    if settings.signing_key and settings.signing_chain:
        return load_signer(settings.signing_key, settings.signing_chain, kid=MOCK_KID)
    from client.devtools.keys import cert_pem, issue_certificate, key_pem, make_ca

    ca_key, ca_cert = (dev.ca_key(), dev.ca_certificate()) if dev is not None else (None, None)
    slot = "signer:" + (certificate_thumbprint(ca_cert) if ca_cert is not None else "self")
    saved = store.get_meta(slot)
    if saved:
        key_part, _, chain_part = saved.partition(b"\n--chain--\n")
        key = serialization.load_pem_private_key(key_part, password=None)
        chain = x509.load_pem_x509_certificates(chain_part)
        try:
            return Signer(key, chain, MOCK_KID)  # type: ignore[arg-type]
        except (TypeError, ValueError):
            log.warning("stored mock signing key unusable; generating a new one")
    if ca_key is None or ca_cert is None:
        ca_key, ca_cert = make_ca(cn="ddas mock receiver CA")
    key, cert = issue_certificate(ca_key, ca_cert, MOCK_KID)
    store.set_meta(slot, key_pem(key) + b"\n--chain--\n" + cert_pem(cert, ca_cert))
    return Signer(key, [cert, ca_cert], MOCK_KID)


async def store_busy(request: Request, exc: Exception) -> Response:
    """The one place where a locked database becomes an answer: 503 with `Retry-After`, never a 500."""
    assert isinstance(exc, StoreBusy)
    log.warning("%s %s: %s", request.method, request.url.path, exc)
    return fail(
        503,
        "Service Unavailable",
        "the receiver's database is busy; retry after the time in Retry-After",
        slug="store-busy",
        headers={"Retry-After": retry_after_seconds(exc.timeout)},
    ).response(request.url.path)


def create_app(settings: MockSettings) -> FastAPI:
    """A complete mock receiver for `settings` (serve it with uvicorn or `serving.serve_in_thread`)."""
    base = "/" + settings.base_path.strip("/") if settings.base_path.strip("/") else ""
    if settings.dev_dir is not None and not settings.admin_token:
        settings = settings.model_copy(update={"admin_token": DEV_ADMIN_TOKEN})
    store = Store(settings.db, settings.busy_timeout_seconds)
    dev = _dev_keys(settings)
    clients = list(settings.clients)
    anchors = load_trust_anchors(settings.trust_anchors) if settings.trust_anchors else []
    if dev is not None:
        anchors.extend(dev.trust_anchors())
        if not any(c.id == DEV_CLIENT.id for c in clients):
            clients.append(DEV_CLIENT)
    verifier = Verifier(
        anchors,
        lenient=settings.lenient_signatures,
        require_digest=True,
        max_skew=max_skew(settings.signature_max_skew_seconds),
    )
    signer = _mock_signer(settings, store, dev) if settings.sign_responses else None
    limiter = RateLimiter(settings.rate_limit_per_second, settings.rate_limit_burst)
    clock = Clock(settings.today)
    tokens = Tokens(store, clients, settings.token_ttl_seconds, limiter, clock)
    injector = FaultInjector(settings.faults, base)

    app = MockApp(
        title=TITLE,
        version=settings.api_version,
        description=DESCRIPTION,
        openapi_url=f"{base}/openapi.json",
        docs_url=f"{base}/docs",
        redoc_url=None,
    )
    app.state.mock = MockContext(
        settings=settings,
        store=store,
        tokens=tokens,
        deliveries=Deliveries(settings, store, verifier, clock),
        limiter=limiter,
        faults=injector,
        verifier=verifier,
        signer=signer,
        clock=clock,
    )
    for module in (token, periods, deliveries):
        app.include_router(module.router, prefix=base)
    if settings.admin_enabled:
        app.include_router(admin.router, prefix=base)
        app.include_router(clock_routes.router, prefix=base)
    app.add_middleware(
        FaultMiddleware, injector=injector, api_version=settings.api_version, exempt_prefix=f"{base}/admin"
    )
    app.add_middleware(
        ScenarioMiddleware,
        enabled=settings.scenarios_enabled,
        tokens=tokens,
        base_path=base,
        admin_prefix=f"{base}/admin",
    )
    install_adr(app, settings.api_version, signer=signer)
    app.add_exception_handler(StoreBusy, store_busy)
    app.add_middleware(RequestLog, store=store, exempt_prefix=f"{base}/admin")
    metrics = Metrics("ddas_mock")
    app.state.metrics = metrics
    app.add_middleware(Operations, metrics=metrics, ready=lambda: (True, ""))  # outermost

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            from mock_server.openapi_export import complete_openapi

            app.openapi_schema = complete_openapi(app)
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]
    return app
