"""`/admin`: what each client sent, reset, fault control. Only mounted when an admin token is configured."""

from __future__ import annotations

import hmac
from typing import Annotated, Any

import orjson
from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import JSONResponse
from pydantic import ValidationError

from client.wire.signing import nested_deeper
from mock_server.context import context
from mock_server.problems import fail
from mock_server.routes.deliveries import read_small_body
from mock_server.settings import FaultSettings
from mock_server.store import loads

router = APIRouter(prefix="/admin", tags=["admin"])

MAX_ADMIN_BODY_BYTES = 64 * 1024  # a fault configuration is a few hundred bytes
MAX_ADMIN_DEPTH = 8  # a fault configuration is 3 levels deep: {rules: [{kind: ...}]}
FAULTS_HINT = "a fault configuration is 3 levels deep (see GET /admin/faults)"


async def json_body(request: Request, limit: int = MAX_ADMIN_BODY_BYTES, *, hint: str) -> Any:
    """An admin request's JSON: at most `limit` bytes (413) and `MAX_ADMIN_DEPTH` levels (400); `hint`
    (how to write the body) ends the 400's detail."""
    body = await read_small_body(request, limit)
    too_deep = fail(
        400,
        "Invalid input",
        f"the JSON body is nested more than {MAX_ADMIN_DEPTH} levels deep; {hint}",
        slug="invalid-input",
        limit=MAX_ADMIN_DEPTH,
    )
    try:
        data = orjson.loads(body)
    except orjson.JSONDecodeError as exc:
        if "depth" in str(exc).lower() or "recursion" in str(exc).lower():
            raise too_deep from None
        raise fail(
            400, "Invalid input", f"the body is not JSON: {exc}; {hint}", slug="invalid-input"
        ) from None
    if nested_deeper(data, MAX_ADMIN_DEPTH):
        raise too_deep
    return data


def admin(request: Request) -> None:
    """Bearer <admin token> or `X-Admin-Token`; 401 otherwise."""
    expected = context(request).settings.admin_token or ""
    given = request.headers.get("x-admin-token")
    auth = request.headers.get("authorization", "")
    if given is None and auth.lower().startswith("bearer "):
        given = auth[7:].strip()
    if not expected or not given or not hmac.compare_digest(given.encode(), expected.encode()):
        raise fail(
            401,
            "Unauthorized",
            "admin token missing or wrong",
            slug="admin-unauthorized",
            headers={"WWW-Authenticate": 'Bearer realm="ddas-admin"'},
        )


@router.get(
    "/requests",
    summary="What each client sent (headers without secrets, body SHA-256, time, signature profile)",
    operation_id="adminRequests",
    response_model=None,
    dependencies=[Depends(admin)],
    openapi_extra={
        "x-problems": [400, 401],
        "x-admin": True,
        "x-responses": {"200": ("The request log", "RequestLog", "application/json")},
    },
)
def requests_log(
    request: Request,
    limit: Annotated[int, Query(ge=1, le=10000)] = 200,
    client_id: Annotated[str | None, Query()] = None,
) -> JSONResponse:
    store = context(request).store
    sql = "SELECT * FROM requests"
    args: list[Any] = []
    if client_id:
        sql += " WHERE client_id = ?"
        args.append(client_id)
    sql += " ORDER BY id DESC LIMIT ?"
    args.append(limit)
    with store.tx() as db:
        rows = db.execute(sql, args).fetchall()
    items = [
        {
            "id": r["id"],
            "time": r["time"],
            "clientId": r["client_id"],
            "method": r["method"],
            "path": r["path"],
            "query": r["query"],
            "status": r["status"],
            "headers": loads(r["headers"]),
            "bodySha256": r["body_sha256"],
            "bodySize": r["body_size"],
            "signatureProfile": r["signature_profile"],
            "durationMs": r["duration_ms"],
            "fault": r["fault"],
            "scenario": r["scenario"],
        }
        for r in rows
    ]
    return JSONResponse({"requests": items})


@router.post(
    "/reset",
    summary="Forget all deliveries, idempotency keys and logged requests",
    operation_id="adminReset",
    response_model=None,
    dependencies=[Depends(admin)],
    openapi_extra={
        "x-problems": [401],
        "x-admin": True,
        "x-responses": {"200": ("Reset done", "AdminResult", "application/json")},
    },
)
def reset(request: Request) -> JSONResponse:
    ctx = context(request)
    ctx.store.reset()
    ctx.limiter.reset()
    ctx.tokens.failures.reset()
    ctx.faults.configure(ctx.faults.settings)
    return JSONResponse({"reset": True})


@router.get(
    "/faults",
    summary="The fault configuration and what was injected",
    operation_id="adminGetFaults",
    response_model=None,
    dependencies=[Depends(admin)],
    openapi_extra={
        "x-problems": [401],
        "x-admin": True,
        "x-responses": {"200": ("Faults", "FaultConfig", "application/json")},
    },
)
def get_faults(request: Request) -> JSONResponse:
    return JSONResponse(context(request).faults.snapshot())


@router.put(
    "/faults",
    summary="Replace the fault configuration (rules, scripts, seed, timings)",
    operation_id="adminPutFaults",
    response_model=None,
    dependencies=[Depends(admin)],
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {"application/json": {"schema": {"$ref": "#/components/schemas/FaultConfig"}}},
        },
        "x-problems": [400, 401, 413],
        "x-admin": True,
        "x-responses": {"200": ("Faults", "FaultConfig", "application/json")},
    },
)
async def put_faults(request: Request) -> JSONResponse:
    ctx = context(request)
    data = await json_body(request, hint=FAULTS_HINT)
    try:
        settings = FaultSettings.model_validate(
            {k: v for k, v in data.items() if k not in ("injected", "script_positions")}
        )
    except (ValueError, AttributeError, ValidationError) as exc:
        raise fail(
            400, "Invalid input", f"not a fault configuration: {str(exc)[:500]}", slug="invalid-input"
        ) from None
    ctx.faults.configure(settings)
    return JSONResponse(ctx.faults.snapshot())
