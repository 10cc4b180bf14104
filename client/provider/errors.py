"""The provider's error answers: FSC errors (401/403/404/405/502) and problems (400/422/429).

The official document declares `application/problem+json` for its `FscError` bodies too, so the FSC
bodies of `client.wire.adr.fsc_error` (which satisfy both FSC Core and the DDAS `FscError`) are sent with that
media type. `Fsc-Error-Code` marks them: present = transport/FSC error, absent = the service's problem.
"""

from __future__ import annotations

from collections.abc import Mapping

from fastapi import Request
from fastapi.responses import JSONResponse, Response
from starlette.exceptions import HTTPException as StarletteHTTPException

from client.wire.adr import PROBLEM_JSON, FscErrorCode, fsc_error, problem

PROBLEM_BASE = "urn:ddas:provider:problem:"


def fsc_problem(
    status: int,
    code: str,
    title: str,
    detail: str,
    *,
    domain: str = FscErrorCode.DOMAIN_INWAY,
    headers: Mapping[str, str] | None = None,
) -> JSONResponse:
    """An FSC error body and header, served as application/problem+json like the official document says."""
    response = fsc_error(status, code, domain, title, detail, headers=headers)
    response.headers["content-type"] = PROBLEM_JSON
    return response


def service_unreachable() -> JSONResponse:
    """The exports cannot be read: the service behind the inway is unreachable (502, FSC)."""
    return fsc_problem(
        502,
        FscErrorCode.SERVICE_UNREACHABLE,
        "Service unreachable",
        "the data of this service cannot be read at the moment; try again later",
    )


async def http_exception(request: Request, exc: Exception) -> Response:
    """Unknown path → FSC 404 (service not found); wrong method → FSC 405; anything else a problem."""
    assert isinstance(exc, StarletteHTTPException)
    if exc.status_code == 404:
        return fsc_problem(
            404,
            FscErrorCode.SERVICE_NOT_FOUND,
            "Service not found",
            f"no service at {request.url.path}; the official route is POST /v1/gegevens",
        )
    if exc.status_code == 405:
        headers = {"Allow": exc.headers.get("Allow", "POST")} if exc.headers else {"Allow": "POST"}
        return fsc_problem(
            405,
            FscErrorCode.METHOD_UNSUPPORTED,
            "Method not supported",
            f"{request.method} is not supported here; use POST",
            domain=FscErrorCode.DOMAIN_OUTWAY,
            headers=headers,
        )
    return problem(exc.status_code, detail=str(exc.detail) if exc.detail else None, instance=request.url.path)
