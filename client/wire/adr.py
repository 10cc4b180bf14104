"""API Design Rules for our FastAPI apps: version and security headers, problems, FSC errors, signing.

Both servers (the mock receiver and the provider of the official route) call `install_adr(app, version)`
so every answer, errors and unmatched paths included, carries `API-Version` and the ADR security headers,
and every 4xx/5xx is RFC 9457 `application/problem+json` (`../shared/SIGNING.md` §2). Invalid input is
400, not FastAPI's 422 (ADR `/core/error-handling/invalid-input`), listing every violation without
echoing input values (they may hold a BSN).
"""

from __future__ import annotations

import logging
import traceback
from collections.abc import Mapping
from http import HTTPStatus
from typing import Any

import anyio.to_thread
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from starlette.datastructures import MutableHeaders
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from client.privacy import mask_text, mask_value
from client.wire.signing import DIGEST_HEADER, SIGNATURE_HEADER, Signer

log = logging.getLogger("ddas.adr")

PROBLEM_JSON = "application/problem+json"
SECURITY_HEADERS: Mapping[str, str] = {
    "Cache-Control": "no-store",
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Content-Security-Policy": "frame-ancestors 'none'",
}
FSC_ERROR_HEADER = "Fsc-Error-Code"
PROBLEM_TYPE_BASE = "urn:ddas:problem:"
# Problem extensions the server makes itself and a client reads back exactly: never a BSN, never masked
# (a data version is hex and may hold nine digits in a row; a configured limit may have nine digits).
UNMASKED_EXTENSIONS = frozenset({"servedVersion", "limit"})
DEFAULT_SIGN_LIMIT = 256 * 1024 * 1024  # the provider's largest pages must be signed too
_THREAD_THRESHOLD = 1024 * 1024  # hash and sign large bodies off the event loop


class FscErrorCode:
    """FSC Core 1.0.0 error codes (inway and outway) that our servers emit."""

    ACCESS_TOKEN_MISSING = "ERROR_CODE_ACCESS_TOKEN_MISSING"
    ACCESS_TOKEN_INVALID = "ERROR_CODE_ACCESS_TOKEN_INVALID"
    ACCESS_TOKEN_EXPIRED = "ERROR_CODE_ACCESS_TOKEN_EXPIRED"
    WRONG_GROUP_ID_IN_TOKEN = "ERROR_CODE_WRONG_GROUP_ID_IN_TOKEN"
    SERVICE_NOT_FOUND = "ERROR_CODE_SERVICE_NOT_FOUND"
    SERVICE_UNREACHABLE = "ERROR_CODE_SERVICE_UNREACHABLE"
    METHOD_UNSUPPORTED = "ERROR_CODE_METHOD_UNSUPPORTED"
    DOMAIN_INWAY = "ERROR_DOMAIN_INWAY"
    DOMAIN_OUTWAY = "ERROR_DOMAIN_OUTWAY"


def _phrase(status: int) -> str:
    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return "Error"


def problem(
    status: int,
    title: str | None = None,
    detail: str | None = None,
    *,
    type_: str | None = None,
    instance: str | None = None,
    headers: Mapping[str, str] | None = None,
    **extensions: Any,
) -> JSONResponse:
    """An RFC 9457 problem response: {type, title, status, detail[, instance], extensions...}.

    Title, detail, instance and extensions often echo input (an id in the path, a file name, a query
    value, a field of the page): they are masked here, the one place, like data (client.privacy), all
    but the `UNMASKED_EXTENSIONS` the server makes itself. Callers pass text as it is."""
    title = mask_text(title or _phrase(status))
    body: dict[str, Any] = {
        "type": type_ or "about:blank",
        "title": title,
        "status": status,
        "detail": mask_text(detail) if detail else title,
    }
    if instance:
        body["instance"] = mask_text(instance)
    body.update(
        {
            name: value if name in UNMASKED_EXTENSIONS else mask_value(value)
            for name, value in extensions.items()
        }
    )
    return JSONResponse(body, status_code=status, headers=dict(headers or {}), media_type=PROBLEM_JSON)


class ProblemError(Exception):
    """Raise from a route to answer with a problem+json (the handler adds `instance`)."""

    def __init__(
        self,
        status: int,
        title: str | None = None,
        detail: str | None = None,
        *,
        type_: str | None = None,
        headers: Mapping[str, str] | None = None,
        **extensions: Any,
    ) -> None:
        super().__init__(f"{status} {title or _phrase(status)}: {detail or ''}")
        self.status = status
        self.title = title
        self.detail = detail
        self.type_ = type_
        self.headers = dict(headers or {})
        self.extensions = extensions

    def response(self, instance: str | None = None) -> JSONResponse:
        return problem(
            self.status,
            self.title,
            self.detail,
            type_=self.type_,
            instance=instance,
            headers=self.headers,
            **self.extensions,
        )


def fsc_error(
    status: int,
    code: str,
    domain: str,
    title: str,
    detail: str,
    *,
    headers: Mapping[str, str] | None = None,
) -> JSONResponse:
    """An FSC error also satisfying the DDAS OpenAPI's FscError: message, code, domain, title, detail, status.

    The `Fsc-Error-Code` header tells a client it is a transport (FSC) error, not the service's problem.
    """
    all_headers = {FSC_ERROR_HEADER: code, **dict(headers or {})}
    if status == 401:
        all_headers.setdefault("WWW-Authenticate", "Bearer")
    detail, title = mask_text(detail), mask_text(title)  # a path or a name from the request: masked
    body = {
        "message": detail,
        "code": code,
        "domain": domain,
        "title": title,
        "detail": detail,
        "status": status,
    }
    return JSONResponse(body, status_code=status, headers=all_headers)


# ------------------------------------------------------------------------------------------- middleware


class ADRHeadersMiddleware:
    """Pure ASGI: `API-Version` and the security headers on every response that has not set them.

    It also turns an unhandled exception into the generic 500 problem (headers, and signed when a
    signer is given) instead of letting it reach the server: the client gets a proper answer, the
    connection stays usable, and the traceback is logged with BSNs masked.
    """

    def __init__(
        self,
        app: ASGIApp,
        api_version: str,
        signer: Signer | None = None,
        problem_type_base: str = PROBLEM_TYPE_BASE,
    ) -> None:
        self.app = app
        self.headers = {"API-Version": api_version, **SECURITY_HEADERS}
        self.signer = signer
        self.problem_type_base = problem_type_base

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = False

        async def send_with_headers(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
                add_headers(message, self.headers)
            await send(message)

        try:
            await self.app(scope, receive, send_with_headers)
        except Exception as exc:
            path = str(scope.get("path", ""))
            log.error(
                "unhandled %s on %s %s\n%s",
                type(exc).__name__,
                scope.get("method"),
                path,
                mask_text(traceback.format_exc()),
            )
            if started:  # too late for an answer; the server closes the connection
                return
            response = internal_error(path, self.headers, self.signer, self.problem_type_base)
            await response(scope, receive, send)


def internal_error(
    path: str, headers: Mapping[str, str], signer: Signer | None, problem_type_base: str
) -> JSONResponse:
    """The generic 500 problem, with the ADR headers and, given a signer, signed."""
    response = problem(
        500,
        "Internal Server Error",
        "An unexpected error occurred.",
        type_=f"{problem_type_base}internal-error",
        instance=path,
    )
    for name, value in headers.items():
        response.headers[name] = value
    if signer is not None:
        for name, value in signer.sign(bytes(response.body)).items():
            response.headers[name] = value
    return response


def add_headers(message: Message, headers: Mapping[str, str]) -> None:
    """Set `headers` on an `http.response.start` message where absent."""
    message["headers"] = list(message.get("headers", []))
    mutable = MutableHeaders(scope=message)
    for name, value in headers.items():
        if name not in mutable:
            mutable[name] = value


class ResponseSigner:
    """Pure ASGI: buffers each response and adds `Digest` and `nlgov-adr-payload-sig` over its exact bytes.

    Responses already signed (by the route) pass unchanged, as do HEAD responses and bodies larger than
    `max_body` (streamed through unsigned, logged).
    """

    def __init__(self, app: ASGIApp, signer: Signer, max_body: int = DEFAULT_SIGN_LIMIT) -> None:
        self.app = app
        self.signer = signer
        self.max_body = max_body

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope.get("method") == "HEAD":
            await self.app(scope, receive, send)
            return
        start: Message | None = None
        chunks: list[bytes] = []
        size = 0
        passthrough = False

        async def buffered_send(message: Message) -> None:
            nonlocal start, size, passthrough
            kind = message["type"]
            if passthrough or kind not in ("http.response.start", "http.response.body"):
                await send(message)
                return
            if kind == "http.response.start":
                names = {bytes(k).lower() for k, _ in message.get("headers", [])}
                if SIGNATURE_HEADER.encode() in names:
                    passthrough = True
                    await send(message)
                else:
                    start = message
                return
            assert start is not None
            body = message.get("body", b"")
            more = bool(message.get("more_body", False))
            chunks.append(body)
            size += len(body)
            if size > self.max_body:
                passthrough = True
                log.warning("response over %d bytes left unsigned", self.max_body)
                await send(start)
                await send({"type": "http.response.body", "body": b"".join(chunks), "more_body": more})
                return
            if more:
                return
            full = b"".join(chunks)
            if size > _THREAD_THRESHOLD:
                signed = await anyio.to_thread.run_sync(self.signer.sign, full)
            else:
                signed = self.signer.sign(full)
            sign_message(start, signed)
            await send(start)
            await send({"type": "http.response.body", "body": full, "more_body": False})

        await self.app(scope, receive, buffered_send)


def sign_message(start: Message, signed: Mapping[str, str]) -> None:
    """Put the signature headers on an `http.response.start` message, replacing any older Digest."""
    start["headers"] = list(start.get("headers", []))
    mutable = MutableHeaders(scope=start)
    for name in (DIGEST_HEADER, SIGNATURE_HEADER):
        if name in mutable:
            del mutable[name]
    for name, value in signed.items():
        mutable[name] = value


# -------------------------------------------------------------------------------------------- handlers


def _validation_errors(exc: RequestValidationError) -> list[dict[str, Any]]:
    """FastAPI's errors as ADR `errors` entries: where (in, location), code and a message; never the input."""
    errors: list[dict[str, Any]] = []
    for error in exc.errors():
        loc = [str(part) for part in error.get("loc", ())]
        where = loc[0] if loc else "body"
        rest = loc[1:]
        location = "#/" + "/".join(rest) if where == "body" else ".".join(rest)
        errors.append(
            {
                "in": where,
                "location": location,
                "code": str(error.get("type", "invalid")),
                "detail": str(error.get("msg", "invalid")),  # masked with the problem's extensions
            }
        )
    return errors


def install_adr(
    app: FastAPI,
    api_version: str,
    *,
    signer: Signer | None = None,
    sign_max_body: int = DEFAULT_SIGN_LIMIT,
    problem_type_base: str = PROBLEM_TYPE_BASE,
) -> None:
    """Make `app` follow the ADR conventions; with `signer`, sign every response (call before serving).

    The problems raised here get the types `<problem_type_base>invalid-input` and `...internal-error`;
    HTTP errors without more meaning keep `about:blank` (RFC 9457 §4.2.1).
    """
    adr_headers = {"API-Version": api_version, **SECURITY_HEADERS}
    if signer is not None:
        app.add_middleware(ResponseSigner, signer=signer, max_body=sign_max_body)
    app.add_middleware(
        ADRHeadersMiddleware, api_version=api_version, signer=signer, problem_type_base=problem_type_base
    )

    async def http_exception(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, StarletteHTTPException)
        detail = exc.detail
        extensions: dict[str, Any] = {}
        if isinstance(detail, Mapping):
            extensions = {k: v for k, v in detail.items() if k not in ("status", "type")}
            title = str(extensions.pop("title", _phrase(exc.status_code)))
            text = extensions.pop("detail", None)
            detail_text = str(text) if text is not None else None
        else:
            title = _phrase(exc.status_code)
            detail_text = str(detail) if detail else None
        return problem(
            exc.status_code,
            title,
            detail_text,
            instance=request.url.path,
            headers=exc.headers,
            **extensions,
        )

    async def validation_exception(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, RequestValidationError)
        errors = _validation_errors(exc)
        return problem(
            400,
            "Invalid input",
            f"The request has {len(errors)} invalid part(s); see errors.",
            type_=f"{problem_type_base}invalid-input",
            instance=request.url.path,
            errors=errors,
        )

    async def problem_exception(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, ProblemError)
        return exc.response(request.url.path)

    async def unhandled_exception(request: Request, exc: Exception) -> Response:
        # A fallback: ADRHeadersMiddleware answers first; this runs only for exceptions raised outside it.
        log.error("unhandled %s on %s %s", type(exc).__name__, request.method, request.url.path)
        return internal_error(request.url.path, adr_headers, signer, problem_type_base)

    app.add_exception_handler(StarletteHTTPException, http_exception)
    app.add_exception_handler(RequestValidationError, validation_exception)
    app.add_exception_handler(ProblemError, problem_exception)
    app.add_exception_handler(Exception, unhandled_exception)
