"""`POST /oauth/token`: the client credentials grant (form body or HTTP Basic), RFC 6749 §4.4 and §5.2."""

from __future__ import annotations

import base64
import binascii
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse

from mock_server.auth import TokenError
from mock_server.context import context

router = APIRouter(tags=["token"])

TOKEN_REQUEST_SCHEMA: dict[str, Any] = {
    "type": "object",
    "required": ["grant_type"],
    "properties": {
        "grant_type": {"type": "string", "enum": ["client_credentials"]},
        "client_id": {"type": "string"},
        "client_secret": {"type": "string"},
        "scope": {"type": "string", "example": "aanleveren"},
    },
}


def _basic(header: str | None) -> tuple[str, str] | None:
    if not header:
        return None
    scheme, _, value = header.strip().partition(" ")
    if scheme.lower() != "basic":
        return None
    try:
        decoded = base64.b64decode(value.strip(), validate=True).decode("utf-8")
    except (binascii.Error, UnicodeDecodeError):
        return None
    user, sep, password = decoded.partition(":")
    return (user, password) if sep else None


def _error(exc: TokenError, basic: bool) -> JSONResponse:
    headers = {"Cache-Control": "no-store", "Pragma": "no-cache"}
    if exc.status == 401:
        headers["WWW-Authenticate"] = 'Basic realm="ddas"' if basic else 'Bearer realm="ddas"'
    return JSONResponse(
        {"error": exc.error, "error_description": exc.description}, status_code=exc.status, headers=headers
    )


@router.post(
    "/oauth/token",
    summary="Get an access token (OAuth2 client credentials)",
    operation_id="token",
    response_model=None,
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {"application/x-www-form-urlencoded": {"schema": TOKEN_REQUEST_SCHEMA}},
        },
        "x-problems": [],
        "x-responses": {
            "200": ("Token issued", "TokenResponse", "application/json"),
            "400": ("RFC 6749 §5.2 error", "TokenError", "application/json"),
            "401": ("RFC 6749 §5.2 invalid_client", "TokenError", "application/json"),
        },
    },
)
async def token(request: Request) -> JSONResponse:
    ctx = context(request)
    basic = _basic(request.headers.get("authorization"))
    content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if content_type != "application/x-www-form-urlencoded":
        return _error(
            TokenError("invalid_request", "send the parameters as application/x-www-form-urlencoded"),
            basic is not None,
        )
    try:
        form = await request.form()
    except Exception:  # a malformed form body is the client's error
        return _error(TokenError("invalid_request", "the form body could not be read"), basic is not None)
    fields = {k: v for k, v in form.items() if isinstance(v, str)}
    if fields.get("grant_type") != "client_credentials":
        error = "invalid_request" if not fields.get("grant_type") else "unsupported_grant_type"
        return _error(TokenError(error, "grant_type must be client_credentials"), basic is not None)
    client_id, secret = basic if basic else (fields.get("client_id"), fields.get("client_secret"))
    from starlette.concurrency import run_in_threadpool

    try:
        access_token, expires_in, scope = await run_in_threadpool(
            ctx.tokens.issue, client_id, secret, fields.get("scope")
        )
    except TokenError as exc:
        return _error(exc, basic is not None)
    request.state.client_id = client_id
    return JSONResponse(
        {"access_token": access_token, "token_type": "Bearer", "expires_in": expires_in, "scope": scope},
        headers={"Cache-Control": "no-store", "Pragma": "no-cache"},
    )
