"""`/aanleveringen`: deliver a page, read a delivery, its quality report, withdraw it, list deliveries.

`POST /aanleveringen` checks in a fixed order: auth → content type and encoding → size → Digest →
signature → idempotency → JSON → schema → page bookkeeping. The route does the first three (cheap, and
before the body is read whole); `Deliveries.receive` does the rest in a worker thread.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Header, Query, Request
from fastapi.responses import HTMLResponse, JSONResponse, Response
from starlette.concurrency import run_in_threadpool

from mock_server import scenarios
from mock_server.auth import Principal
from mock_server.context import context
from mock_server.idempotency import MAX_KEY_LENGTH, key_of
from mock_server.problems import fail
from mock_server.routes.security import principal
from mock_server.service import STATES
from mock_server.spool import Spool, SpooledBody, removed_after

router = APIRouter(tags=["aanleveringen"])

KEY_DOC = (
    f"draft-ietf-httpapi-idempotency-key-header; at most {MAX_KEY_LENGTH} characters, sent once (else 400)"
)

BERICHT_SCHEMA: dict[str, Any] = {
    "type": "object",
    "description": "The official 200 response body of POST /gegevens: Uitwisselmodel v1.0 in `gegevens` "
    "(schema: openapi/uitwisselmodel-v1.0.schema.json), `paginering` only when paged (all four fields).",
    "required": ["gegevens"],
    "properties": {
        "gegevens": {"type": "object"},
        "paginering": {"$ref": "#/components/schemas/Paginering"},
    },
}


def _content_type_ok(value: str | None) -> None:
    """415 unless `application/json` (charset, when given, utf-8) without a content coding."""
    media, _, params = (value or "").partition(";")
    if media.strip().lower() != "application/json":
        raise fail(
            415,
            "Unsupported Media Type",
            f"Content-Type must be application/json, not {media.strip() or 'absent'}",
            slug="unsupported-media-type",
        )
    for param in params.split(";"):
        name, _, val = param.partition("=")
        if name.strip().lower() == "charset" and val.strip().strip('"').lower() not in ("utf-8", "utf8"):
            raise fail(
                415,
                "Unsupported Media Type",
                f"the body must be UTF-8, not {val.strip()}",
                slug="unsupported-charset",
            )


async def _chunks(request: Request, limit: int) -> AsyncIterator[bytes]:
    """The body's chunks, at most `limit` bytes in all: 413 on a larger Content-Length, or at the chunk
    that would pass the limit (nothing beyond it is read)."""
    too_large = fail(
        413,
        "Content Too Large",
        f"the body is larger than the limit of {limit} bytes",
        slug="body-too-large",
        limit=limit,
    )
    declared = request.headers.get("content-length")
    if declared and declared.isdigit() and int(declared) > limit:
        raise too_large
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise too_large
        yield chunk


async def _read_body(request: Request, limit: int) -> bytes | SpooledBody:
    """The body, at most `limit` bytes (else 413): bytes when small, a 0600 file on disk when large."""
    spool = Spool(request.headers)
    try:
        async for chunk in _chunks(request, limit):
            spool.add(chunk)
        return spool.result()
    except BaseException:
        spool.discard()
        raise


async def read_small_body(request: Request, limit: int) -> bytes:
    """A small body (the admin requests: a few hundred bytes) in memory, at most `limit` bytes (else 413)."""
    return b"".join([chunk async for chunk in _chunks(request, limit)])


@router.post(
    "/aanleveringen",
    summary="Deliver one page of a delivery",
    operation_id="deliverPage",
    status_code=202,
    response_model=None,
    openapi_extra={
        "requestBody": {"required": True, "content": {"application/json": {"schema": BERICHT_SCHEMA}}},
        "x-problems": [400, 401, 403, 409, 413, 415, 422, 429],
        "x-responses": {"202": ("Page accepted; the delivery's state", "Aanlevering", "application/json")},
        "x-signed-request": True,
    },
)
async def deliver_page(
    request: Request,
    who: Annotated[Principal, Depends(principal)],
    idempotency_key: Annotated[str | None, Header(alias="Idempotency-Key", description=KEY_DOC)] = None,
    digest: Annotated[
        str | None, Header(alias="Digest", description="SHA-256=<base64> of the exact body (RFC 3230)")
    ] = None,
    signature: Annotated[
        str | None, Header(alias="nlgov-adr-payload-sig", description="detached JWS (SIGNING.md)")
    ] = None,
    bestandsnaam: Annotated[
        str | None,
        Header(alias="DDAS-Bestandsnaam", description="protocol file name; gives the uitvraagdeel"),
    ] = None,
) -> Response:
    ctx = context(request)
    key = key_of(request.headers)  # the parameter above documents the header; this checks it
    _content_type_ok(request.headers.get("content-type"))
    encoding = request.headers.get("content-encoding", "identity").strip().lower()
    if encoding not in ("", "identity"):
        raise fail(
            415,
            "Unsupported Media Type",
            f"Content-Encoding {encoding} is not supported",
            slug="unsupported-encoding",
        )
    with removed_after(await _read_body(request, ctx.settings.max_body_bytes)) as body:
        answer = await run_in_threadpool(
            ctx.deliveries.receive,
            who.client_id,
            body,
            request.headers,
            bestandsnaam.strip() if bestandsnaam else None,
            key,
            mandate=who.mandate,
            scenario=scenarios.of(request),
        )
    request.state.signature_profile = answer.headers.get("DDAS-Signature-Profile")
    return Response(
        answer.body, status_code=answer.status, headers=answer.headers, media_type=answer.media_type
    )


@router.get(
    "/aanleveringen",
    summary="List deliveries (to reconcile a local journal)",
    operation_id="listDeliveries",
    response_model=None,
    openapi_extra={
        "x-problems": [400, 401, 403, 429],
        "x-responses": {"200": ("Deliveries", "AanleveringLijst", "application/json")},
    },
)
def list_deliveries(
    request: Request,
    who: Annotated[Principal, Depends(principal)],
    periode: Annotated[str | None, Query(description="e.g. 2026-H1 (or 2026H1)")] = None,
    organisatie: Annotated[
        str | None, Query(description="kvk:<nummer>, gm:<code>, the bare number or the name")
    ] = None,
    status: Annotated[str | None, Query(description="one of " + ", ".join(STATES))] = None,
    uitvraagdeel: Annotated[str | None, Query()] = None,
) -> JSONResponse:
    if status is not None and status not in STATES:
        raise fail(400, "Invalid input", f"status must be one of {', '.join(STATES)}", slug="invalid-input")
    return JSONResponse(
        context(request).deliveries.list_deliveries(
            periode, organisatie, status, uitvraagdeel, mandate=who.mandate
        )
    )


@router.get(
    "/aanleveringen/{aanlevering_id}",
    summary="State and findings of a delivery",
    operation_id="getDelivery",
    response_model=None,
    openapi_extra={
        "x-problems": [400, 401, 403, 404, 429],
        "x-responses": {"200": ("The delivery", "Aanlevering", "application/json")},
        "x-retry-after": True,
    },
)
def get_delivery(
    request: Request, aanlevering_id: str, who: Annotated[Principal, Depends(principal)]
) -> JSONResponse:
    resource, headers = context(request).deliveries.get(aanlevering_id, mandate=who.mandate)
    return JSONResponse(resource, headers=headers)


@router.get(
    "/aanleveringen/{aanlevering_id}/op-orde-rapport",
    summary="The quality (op-orde) report, once the technical check has passed",
    operation_id="getReport",
    response_model=None,
    openapi_extra={
        "x-problems": [400, 401, 403, 404, 409, 429],
        "x-responses": {
            "200": ("The report (JSON; `Accept: text/html` gives a page)", "Rapport", "application/json")
        },
    },
)
def get_report(
    request: Request, aanlevering_id: str, who: Annotated[Principal, Depends(principal)]
) -> Response:
    report = context(request).deliveries.report(aanlevering_id, mandate=who.mandate)
    accept = request.headers.get("accept", "")
    if "text/html" in accept and "application/json" not in accept.split(",")[0]:
        from client.report import render_html

        return HTMLResponse(render_html(report))
    return JSONResponse(report)


@router.post(
    "/aanleveringen/{aanlevering_id}/intrekking",
    summary="Withdraw a delivery (until the period's withdrawal deadline)",
    operation_id="withdrawDelivery",
    response_model=None,
    openapi_extra={
        "x-problems": [400, 401, 403, 404, 409, 429],
        "x-responses": {"200": ("Withdrawn", "Aanlevering", "application/json")},
    },
)
def withdraw(
    request: Request,
    aanlevering_id: str,
    who: Annotated[Principal, Depends(principal)],
    idempotency_key: Annotated[str | None, Header(alias="Idempotency-Key", description=KEY_DOC)] = None,
) -> JSONResponse:
    key_of(request.headers)
    return JSONResponse(context(request).deliveries.withdraw(aanlevering_id, mandate=who.mandate))
