"""Problems (RFC 9457): the mock's problem types, built with `client.wire.adr` (one implementation)."""

from __future__ import annotations

from typing import Any

from fastapi.responses import JSONResponse

from client.wire.adr import PROBLEM_TYPE_BASE, ProblemError, problem
from client.wire.signing import SignatureError


def fail(
    status: int, title: str, detail: str, *, slug: str, headers: dict[str, str] | None = None, **extra: Any
) -> ProblemError:
    """A `ProblemError` with the stable type `urn:ddas:problem:<slug>` (raise it from a route)."""
    return ProblemError(status, title, detail, type_=PROBLEM_TYPE_BASE + slug, headers=headers, **extra)


def signature_problem(exc: SignatureError) -> ProblemError:
    """The answer to a Digest or signature the receiver refuses (400 malformed, 401 does not verify)."""
    title = "Digest or signature refused" if exc.status == 401 else "Digest or signature malformed"
    return fail(exc.status, title, exc.message, slug=f"signature-{exc.reason}", reason=exc.reason)


def as_response(exc: ProblemError, instance: str | None = None) -> JSONResponse:
    return exc.response(instance)


__all__ = ["ProblemError", "as_response", "fail", "problem", "signature_problem"]
