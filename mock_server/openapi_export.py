"""The authoritative OpenAPI 3.1 document of the push route, generated from the mock's app.

`python -m mock_server.openapi_export` writes `openapi/ddas-push.yaml`; a drift test regenerates it and
fails when the committed file differs. The routes declare their success schema (`x-responses`) and the
problems they answer (`x-problems`); this module turns those into complete responses with the shared
problem schema and the headers every answer carries.
"""

from __future__ import annotations

import argparse
import copy
import sys
from datetime import date
from pathlib import Path
from typing import Any

import yaml
from fastapi import FastAPI
from fastapi.openapi.utils import get_openapi

from client.protocol import MAX_PAGE_TRAJECTEN, DeliveryState

DEFAULT_OUTPUT = Path("openapi/ddas-push.yaml")
SERVER_URL = "http://127.0.0.1:8080"

_STR = {"type": "string"}
_INT = {"type": "integer"}
_NULL_STR = {"type": ["string", "null"]}

FINDING = {
    "type": "object",
    "required": ["code", "severity", "path", "message"],
    "properties": {
        "code": _STR,
        "severity": {"type": "string", "enum": ["error", "warning", "info"]},
        "path": {"type": "string", "description": "JSON pointer into the page"},
        "message": {"type": "string", "description": "never holds a BSN unmasked"},
        "hint": _STR,
        "page": _INT,
    },
}

SCHEMAS: dict[str, Any] = {
    "Problem": {
        "type": "object",
        "description": "RFC 9457 problem details (ADR /core/error-handling/problem-details)",
        "required": ["type", "title", "status", "detail"],
        "properties": {
            "type": _STR,
            "title": _STR,
            "status": _INT,
            "detail": _STR,
            "instance": _STR,
            "findings": {"type": "array", "items": {"$ref": "#/components/schemas/Finding"}},
            "errors": {"type": "array", "items": {"type": "object"}},
            "deadline": {"type": "string", "description": "the deadline that passed (409)"},
        },
    },
    "Finding": FINDING,
    "Paginering": {
        "type": "object",
        "required": ["pageSize", "currentPage", "totalPages", "totalRecords"],
        "properties": {"pageSize": _INT, "currentPage": _INT, "totalPages": _INT, "totalRecords": _INT},
    },
    "TokenResponse": {
        "type": "object",
        "required": ["access_token", "token_type", "expires_in"],
        "properties": {"access_token": _STR, "token_type": _STR, "expires_in": _INT, "scope": _STR},
    },
    "TokenError": {
        "type": "object",
        "description": "RFC 6749 §5.2",
        "required": ["error"],
        "properties": {
            "error": {
                "type": "string",
                "enum": [
                    "invalid_request",
                    "invalid_client",
                    "invalid_grant",
                    "unauthorized_client",
                    "unsupported_grant_type",
                    "invalid_scope",
                ],
            },
            "error_description": _STR,
        },
    },
    "Periode": {
        "type": "object",
        "required": ["periode", "startdatum", "einddatum", "opent", "sluit", "intrekkenTot", "open"],
        "properties": {
            "periode": {"type": "string", "example": "2026-H1"},
            "code": {"type": "string", "example": "2026H1"},
            "startdatum": {"type": "string", "format": "date"},
            "einddatum": {"type": "string", "format": "date"},
            "opent": {"type": "string", "format": "date"},
            "sluit": {
                "type": "string",
                "format": "date",
                "description": "last day for deliveries and corrections",
            },
            "intrekkenTot": {"type": "string", "format": "date", "description": "withdrawal deadline"},
            "open": {"type": "boolean"},
            "intrekkenMogelijk": {"type": "boolean"},
        },
    },
    "PeriodList": {
        "type": "object",
        "required": ["aanleverperiodes"],
        "properties": {
            "vandaag": {"type": "string", "format": "date"},
            "aanleverperiodes": {"type": "array", "items": {"$ref": "#/components/schemas/Periode"}},
            "open": {"type": "array", "items": _STR},
        },
    },
    "Aanlevering": {
        "type": "object",
        "required": ["id", "status", "periode", "organisatie", "uitvraagdeel", "totalPages", "pagesReceived"],
        "properties": {
            "id": _STR,
            "status": {
                "type": "string",
                "enum": [str(state) for state in DeliveryState],
            },
            "state": {"type": "string", "description": "the same as status"},
            "periode": _STR,
            "organisatie": {
                "type": "object",
                "required": ["id", "naam"],
                "properties": {"id": _STR, "naam": _STR},
            },
            "uitvraagdeel": _STR,
            "totalPages": _INT,
            "pagesReceived": _INT,
            "pagesMissing": {"type": "array", "items": _INT},
            "trajecten": _INT,
            "signatureProfile": {"type": ["string", "null"], "enum": ["adr", "body", "canonical", None]},
            "ontvangenOp": _NULL_STR,
            "bijgewerktOp": _NULL_STR,
            "vervangenDoor": _NULL_STR,
            "ingetrokkenOp": _NULL_STR,
            "retryAfter": _INT,
            "page": {"type": "object", "properties": {"number": _INT, "totalPages": _INT}},
            "pages": {"type": "array", "items": {"type": "object"}},
            "findingCounts": {"type": "object"},
            "findings": {"type": "array", "items": {"$ref": "#/components/schemas/Finding"}},
            "findingsTruncated": {"type": "boolean"},
            "links": {"type": "object", "additionalProperties": _STR},
        },
    },
    "AanleveringLijst": {
        "type": "object",
        "required": ["aanleveringen", "total"],
        "properties": {
            "aanleveringen": {"type": "array", "items": {"$ref": "#/components/schemas/Aanlevering"}},
            "total": _INT,
        },
    },
    "Rapport": {
        "type": "object",
        "description": "The quality (op-orde) report of client.report (the same as `ddas validate --report`)",
        "required": ["kind", "report_version", "totals", "municipalities", "findings", "plausibility"],
    },
    "RequestLog": {
        "type": "object",
        "required": ["requests"],
        "properties": {"requests": {"type": "array", "items": {"type": "object"}}},
    },
    "AdminResult": {"type": "object"},
    "Clock": {
        "type": "object",
        "required": ["today", "now", "moved"],
        "properties": {
            "today": {"type": "string", "format": "date"},
            "now": {"type": "string", "format": "date-time"},
            "moved": {"type": "boolean", "description": "false: the real date and time"},
            "startedAt": {
                "type": ["string", "null"],
                "format": "date",
                "description": "the day it was set to",
            },
        },
    },
    "ClockRequest": {
        "type": "object",
        "required": ["today"],
        "additionalProperties": False,
        "properties": {"today": {"type": "string", "format": "date", "example": "2027-07-01"}},
    },
    "FaultConfig": {
        "type": "object",
        "properties": {
            "rules": {
                "type": "array",
                "items": {
                    "type": "object",
                    "required": ["kind"],
                    "properties": {
                        "kind": {
                            "type": "string",
                            "enum": ["500", "502", "503", "429", "latency", "reset", "accept-drop", "slow"],
                        },
                        "probability": {"type": "number", "minimum": 0, "maximum": 1},
                        "endpoint": _NULL_STR,
                    },
                },
            },
            "scripts": {
                "type": "array",
                "items": {
                    "type": "object",
                    "required": ["endpoint", "sequence"],
                    "properties": {"endpoint": _STR, "sequence": {"type": "array", "items": _STR}},
                },
            },
            "seed": {"type": ["integer", "null"]},
            "retry_after_seconds": _INT,
            "latency_seconds": {"type": "number"},
            "slow_seconds": {"type": "number"},
        },
    },
}

HEADERS: dict[str, Any] = {
    "API-Version": {
        "description": "ADR /core/version-header: the full semantic version of the API",
        "required": True,
        "schema": {"type": "string", "example": "1.0.0"},
    },
    "Digest": {
        "description": "SHA-256=<base64> of the exact response body (RFC 3230): the receiver signs answers",
        "schema": _STR,
    },
    "nlgov-adr-payload-sig": {
        "description": "detached JWS over the Digest header (ADR/JAdES, SIGNING.md profile A)",
        "schema": _STR,
    },
    "DDAS-Signature-Profile": {
        "description": "which signing profile verified the request: adr (A), body (B) or canonical (C)",
        "schema": {"type": "string", "enum": ["adr", "body", "canonical"]},
    },
    "Idempotency-Replayed": {
        "description": "`true` when this is the stored answer to an earlier request with the same key",
        "schema": {"type": "string", "enum": ["true"]},
    },
    "Retry-After": {"description": "seconds to wait before retrying or polling again", "schema": _INT},
    "Location": {"description": "the delivery resource", "schema": _STR},
    "WWW-Authenticate": {"description": "the bearer challenge (401, 403)", "schema": _STR},
}

STATUS_TEXT = {
    400: "Invalid input: malformed headers, not JSON, schema errors (every finding listed)",
    401: "No, unknown or expired token; or a Digest/signature that does not verify",
    403: "The token lacks the scope; for a page also: its organisation is not among the client's",
    404: "No such resource",
    409: "Conflict: period closed, withdrawal deadline passed, key in flight, report not yet available",
    413: f"Body over the size limit, or more than {MAX_PAGE_TRAJECTEN:,} trajecten in a page",
    415: "Content type or encoding not supported",
    422: "Idempotency-Key reused with another body",
    429: "Too many requests; at the token endpoint: too many failed authentications of the client id",
    500: "Receiver trouble",
    502: "Receiver trouble (gateway)",
    503: "Receiver unavailable, or its database busy",
}


def scenario_parameter() -> dict[str, Any]:
    """The `DDAS-Test-Scenario` request header, its names and meanings from mock_server.scenarios."""
    from mock_server import scenarios

    fixed = [k.name for k in scenarios.KNOWN if ":" not in k.name]
    meanings = "; ".join(f"`{k.name}` ({k.applies_to}): {k.meaning}" for k in scenarios.KNOWN)
    return {
        "name": scenarios.HEADER,
        "in": "header",
        "required": False,
        "description": "Test kit: force a documented outcome for this request (development mode or "
        f"--test-scenarios; otherwise 400). {meanings}. An unknown name is 400 listing the known ones.",
        "schema": {
            "anyOf": [
                {"type": "string", "enum": fixed},
                {"type": "string", "pattern": f"^in_behandeling:[0-9]{{1,{len(str(scenarios.MAX_POLLS))}}}$"},
                {"type": "string", "pattern": r"^slow:[0-9]{1,3}(\.[0-9]+)?$"},
            ]
        },
    }


def _header_refs(names: list[str]) -> dict[str, Any]:
    return {name: {"$ref": f"#/components/headers/{name}"} for name in names}


def complete_openapi(app: FastAPI) -> dict[str, Any]:
    """The app's OpenAPI document with every response, header, problem schema and the security schemes."""
    doc = get_openapi(
        title=app.title,
        version=app.version,
        openapi_version="3.1.0",
        description=app.description,
        routes=app.routes,
        servers=[{"url": SERVER_URL, "description": "ddas-mock serve (default)"}],
    )
    components = doc.setdefault("components", {})
    components.setdefault("schemas", {}).update(copy.deepcopy(SCHEMAS))
    for name in ("HTTPValidationError", "ValidationError"):
        components["schemas"].pop(name, None)
    components["headers"] = copy.deepcopy(HEADERS)
    schemes = components.setdefault("securitySchemes", {})
    flows = schemes.get("oauth2", {}).get("flows", {}).get("clientCredentials", {})
    if flows:
        flows["tokenUrl"] = "/v1/oauth/token"
    schemes["adminToken"] = {"type": "http", "scheme": "bearer", "description": "the --admin-token value"}
    for ops in doc.get("paths", {}).values():
        for op in ops.values():
            _complete_operation(op)
    return doc


def _complete_operation(op: dict[str, Any]) -> None:
    problems: list[int] = op.pop("x-problems", [])
    declared: dict[str, Any] = op.pop("x-responses", {})
    admin = op.pop("x-admin", False)
    signed_request = op.pop("x-signed-request", False)
    retry_after = op.pop("x-retry-after", False)
    base_headers = ["API-Version", "Digest", "nlgov-adr-payload-sig"]
    if signed_request:
        base_headers += ["DDAS-Signature-Profile", "Idempotency-Replayed"]
    responses: dict[str, Any] = {}
    for code, (description, schema_name, media) in declared.items():
        content: dict[str, Any] = {media: {"schema": {"$ref": f"#/components/schemas/{schema_name}"}}}
        if schema_name == "Rapport":
            content["text/html"] = {"schema": {"type": "string"}}
        names = list(base_headers)
        if code == "202":
            names.append("Location")
        if retry_after:
            names.append("Retry-After")
        responses[code] = {"description": description, "content": content, "headers": _header_refs(names)}
    statuses = set(problems)
    if not admin:
        # fault injection, rate limits and test scenarios (400 when off or unknown) apply everywhere
        statuses |= {400, 429, 500, 502, 503}
        op.setdefault("parameters", []).append(scenario_parameter())
        refused = responses.get("400")
        if refused is not None:  # the token endpoint's own 400 is RFC 6749; a refused scenario a problem
            problem_ref = {"$ref": "#/components/schemas/Problem"}
            refused["content"].setdefault("application/problem+json", {"schema": problem_ref})
    else:
        statuses |= {500, 503}  # 503: the database is busy (locked by another connection)
    for status in sorted(statuses):
        key = str(status)
        if key in responses:
            continue
        names = list(base_headers)
        if status in (409, 429, 503):
            names.append("Retry-After")
        if status in (401, 403):
            names.append("WWW-Authenticate")
        responses[key] = {
            "description": STATUS_TEXT.get(status, "Problem"),
            "content": {"application/problem+json": {"schema": {"$ref": "#/components/schemas/Problem"}}},
            "headers": _header_refs(names),
        }
    op["responses"] = dict(sorted(responses.items()))
    if admin:
        op["security"] = [{"adminToken": []}]


def export_app() -> FastAPI:
    """The app whose document is exported: defaults, in-memory store, admin endpoints on."""
    from mock_server.app import create_app
    from mock_server.settings import MockSettings

    settings = MockSettings(db=":memory:", admin_token="export", sign_responses=False, today=date(2026, 1, 1))
    return create_app(settings)


def render() -> str:
    doc = export_app().openapi()
    return yaml.safe_dump(doc, sort_keys=False, allow_unicode=True, width=100)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Write the push route's OpenAPI document.")
    parser.add_argument("-o", "--output", type=Path, default=DEFAULT_OUTPUT)
    parser.add_argument("--check", action="store_true", help="exit 1 when the file differs (drift check)")
    args = parser.parse_args(argv)
    text = render()
    if args.check:
        current = args.output.read_text(encoding="utf-8") if args.output.is_file() else ""
        if current != text:
            print(f"{args.output} is out of date: run python -m mock_server.openapi_export", file=sys.stderr)
            return 1
        return 0
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(text, encoding="utf-8")
    print(f"wrote {args.output}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
