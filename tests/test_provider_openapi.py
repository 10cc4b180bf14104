"""The provider's OpenAPI document: no drift from the app, and conformance with the official DDAS-SHV.yaml.

The official document refers to the Uitwisselmodel by a remote `$ref`; here (in the tests only) it is
resolved to the copy in ../shared. The product never reads ../shared.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import orjson
import pytest
import yaml
from jsonschema import Draft202012Validator
from referencing import Registry, Resource

from client.devtools.generate import write_export
from client.devtools.keys import DevKeys
from client.provider.openapi_export import OUTPUT, UITWISSELMODEL_REF, render
from client.provider.testing import ProviderClient, dev_provider_settings, running_provider
from tests.conftest import OFFICIAL_SCHEMA
from tests.fuzzing import run_schemathesis, schemathesis_command

H1 = {"aanleverperiodeStartdatum": "2026-01-01", "aanleverperiodeEinddatum": "2026-06-30"}
OFFICIAL_ID = "urn:ddas:official-openapi"


@pytest.fixture(scope="module")
def official(official_openapi: dict[str, Any]) -> dict[str, Any]:
    return official_openapi


@pytest.fixture(scope="module")
def ours() -> dict[str, Any]:
    data: dict[str, Any] = yaml.safe_load(render())
    return data


@pytest.fixture(scope="module")
def data(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("data") / "export.json"
    write_export(
        path, trajecten=7, date_from=date(2026, 1, 1), date_to=date(2026, 6, 30), organisaties=2, seed=5
    )
    return path


def test_committed_document_is_generated_from_the_app() -> None:
    assert OUTPUT.is_file(), "run: python -m client.provider.openapi_export --write"
    assert OUTPUT.read_text(encoding="utf-8") == render(), (
        "openapi/ddas-shv-provider.yaml is stale: run python -m client.provider.openapi_export --write"
    )


def test_document_is_valid_openapi_31(ours: dict[str, Any]) -> None:
    from openapi_spec_validator import validate

    offline = json.loads(json.dumps(ours))
    offline["components"]["schemas"]["Uitwisselmodel"] = {"type": "object"}  # the remote $ref: not fetched
    validate(offline)
    assert ours["openapi"] == "3.1.0"


def test_same_path_method_request_and_statuses(official: dict[str, Any], ours: dict[str, Any]) -> None:
    assert official["servers"][0]["url"].endswith("/v1") and ours["servers"][0]["url"] == "/v1"
    assert set(official["paths"]) == set(ours["paths"]) == {"/gegevens"}
    assert set(official["paths"]["/gegevens"]) == set(ours["paths"]["/gegevens"]) == {"post"}
    theirs_op, our_op = official["paths"]["/gegevens"]["post"], ours["paths"]["/gegevens"]["post"]
    assert our_op["operationId"] == theirs_op["operationId"]
    # 409 is this implementation's one documented extension: the data version (docs/decisions.md)
    assert set(our_op["responses"]) - set(theirs_op["responses"]) == {"409"}
    assert set(theirs_op["responses"]) <= set(our_op["responses"])
    theirs_req = official["components"]["schemas"]["GegevensRequest"]
    our_req = ours["components"]["schemas"]["GegevensRequest"]
    assert our_req["additionalProperties"] is theirs_req["additionalProperties"] is False
    assert set(our_req["properties"]) == set(theirs_req["properties"])
    for name, prop in theirs_req["properties"].items():
        mine = our_req["properties"][name]
        assert (mine["type"], mine.get("format"), mine.get("minimum")) == (
            prop["type"],
            prop.get("format"),
            prop.get("minimum"),
        ), name
    for status, response in theirs_op["responses"].items():
        mine = our_op["responses"][status]
        assert set(response.get("content", {})) <= set(mine.get("content", {})), status
        assert set(response.get("headers", {})) <= set(mine.get("headers", {})), status
    assert (
        ours["components"]["schemas"]["Uitwisselmodel"] == official["components"]["schemas"]["Uitwisselmodel"]
    )
    assert set(official["components"]["schemas"]["Paginering"]["required"]) == set(
        ours["components"]["schemas"]["Paginering"]["required"]
    )


def _validator(official: dict[str, Any], pointer: str) -> Draft202012Validator:
    model = json.loads(OFFICIAL_SCHEMA.read_text(encoding="utf-8"))
    registry: Registry[Any] = Registry().with_resources(
        [
            (UITWISSELMODEL_REF, Resource.from_contents(model)),
            (
                OFFICIAL_ID,
                Resource.from_contents(
                    {**official, "$schema": "https://json-schema.org/draft/2020-12/schema"}
                ),
            ),
        ]
    )
    return Draft202012Validator({"$ref": f"{OFFICIAL_ID}#{pointer}"}, registry=registry)


def _schema_pointer(status: str, media: str) -> str:
    return f"/paths/~1gegevens/post/responses/{status}/content/{media.replace('/', '~1')}/schema"


@pytest.fixture(scope="module")
def live(data: Path, keys: DevKeys) -> Iterator[ProviderClient]:
    settings = dev_provider_settings(
        [data], keys.dir, aanleverdatum=datetime(2026, 7, 1, tzinfo=UTC), today=date(2026, 11, 28)
    )
    with running_provider(settings) as url, ProviderClient(url, keys) as client:
        yield client


def test_live_responses_validate_against_the_official_schemas(
    official: dict[str, Any], live: ProviderClient
) -> None:
    cases: list[tuple[str, Any]] = [
        ("200", live.post({**H1, "pageSize": 2})),
        ("200", live.post({**H1, "pageSize": 2, "page": 99})),
        (
            "200",
            live.post({"aanleverperiodeStartdatum": "2026-04-01", "aanleverperiodeEinddatum": "2026-06-30"}),
        ),
        (
            "422",
            live.post({"aanleverperiodeStartdatum": "2020-01-01", "aanleverperiodeEinddatum": "2020-06-30"}),
        ),
        ("400", live.post({"startdatum": "2026-01-01"})),
        ("401", live.post(H1, token=None)),
        ("401", live.post(H1, token="bad")),
        ("404", live.http.post(live.url + "/nergens", content=b"{}")),
        ("405", live.http.get(live.url)),
        (
            "200",  # a calendar year, the shape of the official example: served (issue 9 item 5)
            live.post({"aanleverperiodeStartdatum": "2026-01-01", "aanleverperiodeEinddatum": "2026-12-31"}),
        ),
    ]
    for status, response in cases:
        assert str(response.status_code) == status, response.text
        spec = official["paths"]["/gegevens"]["post"]["responses"][status]
        media = next(iter(spec["content"]))
        assert response.headers["content-type"] == media
        body = orjson.loads(response.content)
        errors = list(_validator(official, _schema_pointer(status, media)).iter_errors(body))
        assert not errors, (status, [e.message for e in errors[:3]])
        if status == "200":
            assert (
                response.headers["Digest"].startswith("SHA-256=")
                and response.headers["nlgov-adr-payload-sig"]
            )
        if status in ("401", "404", "405"):
            assert (
                response.headers["Fsc-Error-Code"]
                in official["components"]["headers"]["Fsc-Error-Code"]["schema"]["enum"]
            )


def _inline_uitwisselmodel(official: dict[str, Any]) -> dict[str, Any]:
    """The official document, its remote Uitwisselmodel `$ref` replaced by the ../shared copy (tests only)."""
    model = json.loads(OFFICIAL_SCHEMA.read_text(encoding="utf-8"))
    model.pop("$id", None)
    model.pop("$schema", None)
    text = json.dumps(model).replace('"#/$defs/', '"#/components/schemas/Uitwisselmodel/$defs/')
    document: dict[str, Any] = json.loads(json.dumps(official))
    document["components"]["schemas"]["Uitwisselmodel"] = json.loads(text)
    return document


@pytest.mark.timeout(180)
def test_schemathesis_official_document_against_live_provider(
    official: dict[str, Any], data: Path, keys: DevKeys, tmp_path: Path
) -> None:
    """Bounded property-based run of the official document: no 5xx, answers conform to it."""
    command = schemathesis_command()
    document = tmp_path / "official-resolved.json"
    document.write_text(json.dumps(_inline_uitwisselmodel(official)), encoding="utf-8")
    # Generated requests cannot be signed by schemathesis: the signature check is what the other tests cover.
    settings = dev_provider_settings(
        [data], keys.dir, require_request_signature=False, today=date(2026, 11, 28)
    )
    with running_provider(settings) as url:
        result = run_schemathesis(
            command,
            document,
            url,
            authorization="Bearer dev",
            max_examples=15,
            request_timeout=20,
            timeout=150,
            cwd=tmp_path,
            extra_checks=["negative_data_rejection"],
        )
    assert result.returncode == 0, result.stdout[-8000:] + result.stderr[-2000:]
