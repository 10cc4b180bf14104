"""The provider's OpenAPI document, generated from the app: `python -m client.provider.openapi_export`.

The paths come from the app's routes; their responses, headers and schemas are declared here in the
official document's shape (DDAS-SHV.yaml), so that the two can be compared mechanically (the
conformance test) and the generated file cannot drift from the code (the drift test).
`--write` updates openapi/ddas-shv-provider.yaml, `--check` exits 1 when it is stale.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

import yaml
from fastapi import FastAPI
from fastapi.routing import APIRoute

from client.protocol import MAX_PAGE_TRAJECTEN
from client.provider.consistency import VERSION_PATTERN
from client.provider.request import request_schema
from client.provider.settings import ProviderSettings

OUTPUT = Path(__file__).resolve().parents[2] / "openapi" / "ddas-shv-provider.yaml"
UITWISSELMODEL_REF = (
    "https://raw.githubusercontent.com/VNG-Realisatie/ddas/main/v1.0/json_schema_Uitwisselmodel.json"
)
FSC_CODES = [
    "ERROR_CODE_ACCESS_TOKEN_MISSING",
    "ERROR_CODE_ACCESS_TOKEN_INVALID",
    "ERROR_CODE_ACCESS_TOKEN_EXPIRED",
    "ERROR_CODE_WRONG_GROUP_ID_IN_TOKEN",
    "ERROR_CODE_SERVICE_NOT_FOUND",
    "ERROR_CODE_SERVICE_UNREACHABLE",
    "ERROR_CODE_METHOD_UNSUPPORTED",
]
_MAX = f"{MAX_PAGE_TRAJECTEN:,}"
DESCRIPTION = f"""\
The official 2026 route of DDAS, served by `ddas serve` from the vendor's exports: CBS calls
`POST /gegevens` and receives the Uitwisselmodel v1.0, paginated at most {_MAX} trajecten per message.
Generated from the app (`python -m client.provider.openapi_export --write`); it follows the official
DDAS-SHV.yaml v1.0.0 and documents where this implementation decides what the official text leaves open
(docs/decisions.md).

Security: OAuth2 client credentials (scope `read`) in `Authorization: Bearer` and/or the FSC token in
`Fsc-Authorization` (with or without `Bearer `). Requests and responses carry `Digest` (RFC 3230) and
`nlgov-adr-payload-sig` (JAdES detached JWS, PS256; the ADR profile, only the digest signed). The
response header `DDAS-Signature-Profile` says which signing profile verified the request (`adr`, `body`,
or `canonical` in lenient mode). Errors: FSC errors with `Fsc-Error-Code` for 401/403/404/405/502,
RFC 9457 problems for 400/409/422/429.

Consistent paging (an extension of this implementation, docs/decisions.md): every answer carries
`DDAS-Data-Version`; a request that sends it back for a version no longer served gets 409, so one
pull never mixes pages of two versions of the data (replicas, export rotation). Without the header a
request is served as the official text describes.
"""


def _fsc_response(description: str, *, www_authenticate: bool = False, allow: bool = False) -> dict[str, Any]:
    headers: dict[str, Any] = {"Fsc-Error-Code": {"$ref": "#/components/headers/Fsc-Error-Code"}}
    if www_authenticate:
        headers["WWW-Authenticate"] = {"description": "Bearer", "schema": {"type": "string"}}
    if allow:
        headers["Allow"] = {"description": "The methods allowed", "schema": {"type": "string"}}
    return {
        "description": description,
        "headers": headers,
        "content": {"application/problem+json": {"schema": {"$ref": "#/components/schemas/FscError"}}},
    }


def _problem_response(description: str, **headers: Any) -> dict[str, Any]:
    response: dict[str, Any] = {
        "description": description,
        "content": {"application/problem+json": {"schema": {"$ref": "#/components/schemas/ProblemDetails"}}},
    }
    if headers:
        response["headers"] = headers
    return response


_DATA_VERSION: dict[str, Any] = {
    "description": "The version of the data served (hexadecimal); send it with the further pages of a pull.",
    "schema": {"type": "string", "pattern": VERSION_PATTERN},
}


def _responses() -> dict[str, Any]:
    profile = {
        "description": "The profile that verified the request signature: adr (A), body (B), canonical (C).",
        "schema": {"type": "string", "enum": ["adr", "body", "canonical"]},
    }
    return {
        "200": {
            "description": (
                "The requested SHV data. `paginering` only when the data is split into more than one page "
                "(then with all four fields), and on the first page answered for a page past the last."
            ),
            "headers": {
                "Digest": {"$ref": "#/components/headers/Digest"},
                "nlgov-adr-payload-sig": {"$ref": "#/components/headers/NlgovAdrPayloadSig"},
                "API-Version": {"$ref": "#/components/headers/API-Version"},
                "DDAS-Signature-Profile": profile,
                "DDAS-Data-Version": _DATA_VERSION,
            },
            "content": {
                "application/json": {
                    "schema": {
                        "type": "object",
                        "required": ["gegevens"],
                        "properties": {
                            "gegevens": {"$ref": "#/components/schemas/Uitwisselmodel"},
                            "paginering": {
                                "allOf": [{"$ref": "#/components/schemas/Paginering"}],
                                "description": (
                                    "Alleen aanwezig als de gegevenslevering gepagineerd wordt. "
                                    "Als dit object "
                                    "aanwezig is, zijn alle velden binnen Paginering verplicht."
                                ),
                            },
                        },
                    }
                }
            },
        },
        "400": _problem_response(
            "Invalid request: unknown fields (named, with the accepted ones), bad dates or pageSize, "
            "a missing "
            "or invalid request signature or Digest. Every violation is listed in `errors`.",
            **{"DDAS-Signature-Profile": profile},
        ),
        "401": _fsc_response("No, invalid or expired access token (FSC)", www_authenticate=True),
        "403": _fsc_response("The token is for another FSC group or lacks the scope `read` (FSC)"),
        "404": _fsc_response("Service not found (FSC): any path other than /gegevens"),
        "405": _fsc_response("Method not supported (FSC): only POST", allow=True),
        "409": _problem_response(
            "The request's `DDAS-Data-Version` is not the version served here: the exports changed during "
            "the pull. Start again from page 1 (`requestedVersion`, `servedVersion` in the problem).",
            **{"DDAS-Data-Version": _DATA_VERSION},
        ),
        "422": _problem_response(
            "Well-formed but not servable: a period outside every served export's "
            "startdatumLevering..einddatumLevering (`covered` lists them), or an "
            "aanleverende_organisatie this provider does not serve"
        ),
        "429": _problem_response(
            "Rate limit exceeded",
            **{
                "Retry-After": {"description": "Seconds to wait", "schema": {"type": "integer", "minimum": 1}}
            },
        ),
        "502": _fsc_response("Service unreachable (FSC): the exports cannot be read at the moment"),
    }


def _components() -> dict[str, Any]:
    return {
        "securitySchemes": {
            "OAuth2": {
                "type": "oauth2",
                "flows": {
                    "clientCredentials": {
                        "tokenUrl": "https://auth.gegevensuitwissel.com/token",
                        "scopes": {"read": "Toegang om SHV-gegevens op te halen"},
                    }
                },
            },
            "FscAuthorization": {
                "type": "apiKey",
                "in": "header",
                "name": "Fsc-Authorization",
                "description": "The FSC access token, with or without `Bearer `",
            },
        },
        "headers": {
            "Digest": {
                "description": "SHA-256 digest of the exact body bytes (RFC 3230).",
                "required": True,
                "schema": {"type": "string", "pattern": "^SHA-256=[A-Za-z0-9+/=]{43,44}$"},
            },
            "NlgovAdrPayloadSig": {
                "description": (
                    "JAdES detached JWS compact serialization: PS256, kid, x5c (full chain), x5t#S256, "
                    "typ JOSE; b64=false with sigD over the Digest header (ADR profile)."
                ),
                "required": True,
                "schema": {"type": "string"},
            },
            "API-Version": {"description": "ADR version header (full semver)", "schema": {"type": "string"}},
            "Fsc-Error-Code": {
                "description": "FSC Core 1.0.0 error code: present on FSC errors only.",
                "schema": {"type": "string", "enum": FSC_CODES},
            },
        },
        "schemas": {
            "Uitwisselmodel": {"$ref": UITWISSELMODEL_REF},
            "Paginering": {
                "type": "object",
                "required": ["pageSize", "currentPage", "totalPages", "totalRecords"],
                "properties": {
                    "pageSize": {"type": "integer", "minimum": 1, "maximum": MAX_PAGE_TRAJECTEN},
                    "currentPage": {"type": "integer", "minimum": 1},
                    "totalPages": {"type": "integer", "minimum": 1},
                    "totalRecords": {"type": "integer", "minimum": 0},
                },
            },
            "GegevensRequest": request_schema(),
            "FscError": {
                "type": "object",
                "required": ["code", "domain"],
                "properties": {
                    "message": {"type": "string"},
                    "code": {"type": "string", "enum": FSC_CODES},
                    "domain": {"type": "string", "enum": ["ERROR_DOMAIN_INWAY", "ERROR_DOMAIN_OUTWAY"]},
                    "title": {"type": "string"},
                    "detail": {"type": "string"},
                    "status": {"type": "integer"},
                },
            },
            "ProblemDetails": {
                "type": "object",
                "required": ["type", "title", "status"],
                "properties": {
                    "type": {"type": "string", "format": "uri"},
                    "title": {"type": "string"},
                    "status": {"type": "integer"},
                    "detail": {"type": "string"},
                    "instance": {"type": "string", "format": "uri-reference"},
                    "errors": {
                        "type": "array",
                        "items": {
                            "type": "object",
                            "properties": {
                                "in": {"type": "string"},
                                "location": {"type": "string"},
                                "code": {"type": "string"},
                                "detail": {"type": "string"},
                            },
                        },
                    },
                    "unknownFields": {"type": "array", "items": {"type": "string"}},
                    "acceptedFields": {"type": "array", "items": {"type": "string"}},
                },
            },
        },
    }


def provider_openapi(app: FastAPI, settings: ProviderSettings) -> dict[str, Any]:
    """The OpenAPI 3.1 document of `app`: its routes with the official route's contract."""
    base = settings.base
    paths: dict[str, Any] = {}
    for route in app.routes:
        if not isinstance(route, APIRoute) or not route.include_in_schema:
            continue
        path = route.path[len(base) :] if base and route.path.startswith(base) else route.path
        for method in sorted(route.methods or ()):
            paths.setdefault(path, {})[method.lower()] = {
                "summary": route.summary,
                "operationId": route.operation_id,
                "description": (
                    "Stuurt een verzoek om SHV-gegevens over een half jaar en/of organisatie. Zonder datums: "
                    "de laatste volledige halfjaarperiode; zonder organisatie: alle organisaties. "
                    "Het verzoek "
                    "en het antwoord zijn beschermd met Digest en nlgov-adr-payload-sig."
                ),
                "security": [{"OAuth2": ["read"]}, {"FscAuthorization": []}],
                "parameters": [
                    {
                        "name": "DDAS-Data-Version",
                        "in": "header",
                        "required": False,
                        "description": (
                            "The `DDAS-Data-Version` of this pull's first answer: a page of another "
                            "version is refused with 409 instead of being mixed in."
                        ),
                        "schema": _DATA_VERSION["schema"],
                    }
                ],
                "requestBody": {
                    "required": True,
                    "content": {
                        "application/json": {"schema": {"$ref": "#/components/schemas/GegevensRequest"}}
                    },
                },
                "responses": _responses(),
            }
    return {
        "openapi": "3.1.0",
        "info": {
            "title": app.title,
            "description": DESCRIPTION,
            "version": settings.api_version,
        },
        "servers": [{"url": base or "/", "description": "This provider (ddas serve)"}],
        "security": [{"OAuth2": ["read"]}, {"FscAuthorization": []}],
        "paths": paths,
        "components": _components(),
    }


def export_app() -> FastAPI:
    """A provider app with placeholder settings, only to read its routes (nothing is served or read)."""
    from client.provider.app import TITLE, register_routes

    app = FastAPI(title=TITLE)
    register_routes(app, ProviderSettings(data=[Path("export.json")]), None)
    return app


class _Dumper(yaml.SafeDumper):
    """Multi-line strings as literal blocks, so the document reads like the official one."""


def _str(dumper: yaml.SafeDumper, value: str) -> yaml.ScalarNode:
    style = "|" if "\n" in value else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


_Dumper.add_representer(str, _str)


def render() -> str:
    settings = ProviderSettings(data=[Path("export.json")])
    document = provider_openapi(export_app(), settings)
    return yaml.dump(document, Dumper=_Dumper, sort_keys=False, allow_unicode=True, width=110)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--write", action="store_true", help=f"write {OUTPUT}")
    parser.add_argument("--check", action="store_true", help="exit 1 when the committed file is stale")
    parser.add_argument("-o", "--output", type=Path, default=OUTPUT)
    args = parser.parse_args(argv)
    text = render()
    if args.check:
        current = args.output.read_text(encoding="utf-8") if args.output.is_file() else ""
        if current != text:
            print(
                f"{args.output} is stale: run python -m client.provider.openapi_export --write",
                file=sys.stderr,
            )
            return 1
        return 0
    if args.write:
        args.output.parent.mkdir(parents=True, exist_ok=True)
        args.output.write_text(text, encoding="utf-8")
        print(f"wrote {args.output}")
        return 0
    sys.stdout.write(text)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
