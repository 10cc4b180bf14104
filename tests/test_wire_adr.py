"""client.wire.adr over real HTTP: headers on every answer, problem+json, FSC errors, signed responses."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from fastapi import FastAPI, HTTPException
from fastapi.responses import Response, StreamingResponse

from client.wire.adr import (
    PROBLEM_JSON,
    SECURITY_HEADERS,
    FscErrorCode,
    ProblemError,
    fsc_error,
    install_adr,
    problem,
)
from client.wire.serving import serve_in_thread
from client.wire.signing import SignatureError, SigningProfile, Verifier
from tests.test_wire_helpers import pki

pytestmark = pytest.mark.timeout(60)
VERSION = "1.2.3"
SIGN_LIMIT = 4096


def build_app() -> FastAPI:
    app = FastAPI()

    @app.get("/ok")
    def ok() -> dict[str, bool]:
        return {"ok": True}

    @app.get("/items/{number}")
    def item(number: int, limit: int = 10) -> dict[str, int]:
        return {"number": number, "limit": limit}

    @app.post("/only-post")
    def only_post() -> dict[str, bool]:
        return {"posted": True}

    @app.get("/boom")
    def boom() -> None:
        raise RuntimeError("secret state of 999999990")

    @app.get("/unprocessable")
    def unprocessable() -> None:
        raise ProblemError(
            422, "Idempotency key reused", "another body", type_="urn:ddas:problem:key-reused", key="k1"
        )

    @app.get("/conflict")
    def conflict() -> None:
        raise HTTPException(409, detail="period closed", headers={"X-Extra": "1"})

    @app.get("/structured")
    def structured() -> None:
        raise HTTPException(400, detail={"title": "Unknown fields", "detail": "startdatum", "unknown": ["x"]})

    @app.get("/fsc")
    def fsc() -> Response:
        return fsc_error(
            401,
            FscErrorCode.ACCESS_TOKEN_MISSING,
            FscErrorCode.DOMAIN_INWAY,
            "Token missing",
            "no Fsc-Authorization header",
        )

    @app.get("/limited")
    def limited() -> Response:
        return problem(429, "Too many requests", "slow down", headers={"Retry-After": "5"})

    @app.get("/big")
    def big() -> Response:
        return Response(b"x" * (SIGN_LIMIT + 1), media_type="text/plain")

    @app.get("/stream")
    def stream() -> StreamingResponse:
        def chunks() -> Iterator[bytes]:
            yield b'{"a":'
            yield b"1}"

        return StreamingResponse(chunks(), media_type="application/json")

    @app.get("/presigned")
    def presigned() -> Response:
        return Response(b"{}", headers={"nlgov-adr-payload-sig": "route-signed", "Digest": "SHA-256=x"})

    install_adr(app, VERSION, signer=pki().signer(), sign_max_body=SIGN_LIMIT)
    return app


@pytest.fixture(scope="module")
def client() -> Iterator[httpx.Client]:
    with serve_in_thread(build_app()) as base_url, httpx.Client(base_url=base_url) as http:
        yield http


def verifier() -> Verifier:
    return Verifier([pki().ca])


def assert_adr_headers(response: httpx.Response) -> None:
    assert response.headers["API-Version"] == VERSION
    for name, value in SECURITY_HEADERS.items():
        assert response.headers[name] == value, name


def assert_problem(response: httpx.Response, status: int) -> dict[str, Any]:
    assert response.status_code == status
    assert response.headers["content-type"] == PROBLEM_JSON
    body: dict[str, Any] = response.json()
    assert body["status"] == status and body["title"] and body["detail"] and body["type"]
    return body


@pytest.mark.parametrize(
    ("method", "path", "status"),
    [
        ("GET", "/ok", 200),
        ("GET", "/nowhere", 404),
        ("GET", "/only-post", 405),
        ("GET", "/items/abc", 400),
        ("GET", "/unprocessable", 422),
        ("GET", "/boom", 500),
        ("GET", "/conflict", 409),
        ("GET", "/fsc", 401),
        ("GET", "/limited", 429),
        ("GET", "/stream", 200),
        ("GET", "/big", 200),
    ],
)
def test_headers_on_every_response(client: httpx.Client, method: str, path: str, status: int) -> None:
    response = client.request(method, path)
    assert response.status_code == status
    assert_adr_headers(response)


@pytest.mark.parametrize(
    "path", ["/ok", "/nowhere", "/only-post", "/items/abc", "/unprocessable", "/boom", "/stream"]
)
def test_responses_are_signed_over_their_exact_bytes(client: httpx.Client, path: str) -> None:
    response = client.get(path)
    result = verifier().verify_response(response)
    assert result.profile is SigningProfile.ADR


def test_404_and_405_are_problems(client: httpx.Client) -> None:
    body = assert_problem(client.get("/nowhere"), 404)
    assert body["instance"] == "/nowhere" and body["type"] == "about:blank"
    response = client.get("/only-post")
    assert_problem(response, 405)
    assert response.headers["Allow"] == "POST"


def test_invalid_input_is_400_listing_every_violation(client: httpx.Client) -> None:
    body = assert_problem(client.get("/items/abc", params={"limit": "many"}), 400)
    assert body["type"] == "urn:ddas:problem:invalid-input"
    where = {(e["in"], e["location"]) for e in body["errors"]}
    assert where == {("path", "number"), ("query", "limit")}
    assert all(e["code"] and e["detail"] for e in body["errors"])
    assert "abc" not in str(body["errors"]) and "many" not in str(body["errors"])


def test_problem_error_with_extensions(client: httpx.Client) -> None:
    body = assert_problem(client.get("/unprocessable"), 422)
    assert body == {
        "type": "urn:ddas:problem:key-reused",
        "title": "Idempotency key reused",
        "status": 422,
        "detail": "another body",
        "instance": "/unprocessable",
        "key": "k1",
    }


def test_http_exception_keeps_its_headers_and_structured_detail(client: httpx.Client) -> None:
    response = client.get("/conflict")
    assert assert_problem(response, 409)["detail"] == "period closed"
    assert response.headers["X-Extra"] == "1"
    body = assert_problem(client.get("/structured"), 400)
    assert body["title"] == "Unknown fields" and body["detail"] == "startdatum" and body["unknown"] == ["x"]


def test_unhandled_exception_is_a_generic_500(client: httpx.Client, caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.ERROR, logger="ddas.adr"):
        body = assert_problem(client.get("/boom"), 500)
        assert client.get("/ok").status_code == 200  # the connection survived
    assert "999999990" not in str(body) and "RuntimeError" not in str(body)
    logged = "\n".join(r.getMessage() for r in caplog.records if r.name == "ddas.adr")
    assert "RuntimeError" in logged and "*****9990" in logged and "999999990" not in logged


def test_fsc_error_satisfies_both_shapes(client: httpx.Client) -> None:
    response = client.get("/fsc")
    assert response.headers["Fsc-Error-Code"] == "ERROR_CODE_ACCESS_TOKEN_MISSING"
    assert response.headers["WWW-Authenticate"] == "Bearer"
    assert response.headers["content-type"] == "application/json"
    assert response.json() == {
        "message": "no Fsc-Authorization header",
        "code": "ERROR_CODE_ACCESS_TOKEN_MISSING",
        "domain": "ERROR_DOMAIN_INWAY",
        "title": "Token missing",
        "detail": "no Fsc-Authorization header",
        "status": 401,
    }


def test_429_carries_retry_after(client: httpx.Client) -> None:
    response = client.get("/limited")
    assert_problem(response, 429)
    assert response.headers["Retry-After"] == "5"


def test_large_and_presigned_responses_are_left_alone(client: httpx.Client) -> None:
    big = client.get("/big")
    assert len(big.content) == SIGN_LIMIT + 1 and "nlgov-adr-payload-sig" not in big.headers
    with pytest.raises(SignatureError):
        verifier().verify_response(big)
    presigned = client.get("/presigned")
    assert presigned.headers["nlgov-adr-payload-sig"] == "route-signed"
    assert presigned.headers.get_list("Digest") == ["SHA-256=x"]


def test_head_is_not_signed(client: httpx.Client) -> None:
    response = client.head("/nowhere")
    assert "nlgov-adr-payload-sig" not in response.headers
    assert_adr_headers(response)


def test_app_without_signer_still_gets_headers() -> None:
    app = FastAPI()

    @app.get("/x")
    def x() -> dict[str, int]:
        return {"x": 1}

    install_adr(app, "0.1.0")
    with serve_in_thread(app) as base_url, httpx.Client(base_url=base_url) as http:
        response = http.get("/x")
        assert response.headers["API-Version"] == "0.1.0" and "nlgov-adr-payload-sig" not in response.headers
        assert_problem(http.get("/y"), 404)


@pytest.mark.parametrize(
    ("authorization", "fsc", "token"),
    [
        ("Bearer abc", None, "abc"),
        ("bearer   abc  ", "Bearer other", "abc"),  # Authorization first
        ("Basic abc", "Bearer fsc", "fsc"),  # not a bearer token: Fsc-Authorization next
        ("Bearer ", "fsc", "fsc"),  # the prefix is optional in Fsc-Authorization only
        ("abc", None, None),
        (None, "  ", None),
        (None, None, None),
    ],
)
def test_one_definition_of_the_token_in_a_header(
    authorization: str | None, fsc: str | None, token: str | None
) -> None:
    """The mock's precedence and the provider's per-header reading use the one `client.wire.bearer`."""
    import client.provider.auth
    import mock_server.auth
    from client.wire.bearer import bearer_token, token_in

    assert bearer_token(authorization, fsc) == token
    assert mock_server.auth.bearer_token is bearer_token and client.provider.auth.token_in is token_in
    assert token_in(" Bearer  t ", prefix_optional=False) == "t"
    assert token_in("t", prefix_optional=True) == "t"
    assert token_in("t", prefix_optional=False) == ""
