"""The push route's OpenAPI document: generated from the app, valid, not drifted, true of the live mock."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from mock_server.openapi_export import DEFAULT_OUTPUT, render
from mock_server.testing import MockClient, dev_settings, running_mock
from tests.fuzzing import run_schemathesis, schemathesis_command

ROOT = Path(__file__).resolve().parent.parent
DOCUMENT = ROOT / DEFAULT_OUTPUT


def test_document_is_current() -> None:
    """Drift test: regenerate with `python -m mock_server.openapi_export` when this fails."""
    assert DOCUMENT.is_file(), "openapi/ddas-push.yaml is missing: run python -m mock_server.openapi_export"
    assert DOCUMENT.read_text(encoding="utf-8") == render(), (
        "openapi/ddas-push.yaml is out of date: run python -m mock_server.openapi_export"
    )


def test_document_is_valid_openapi() -> None:
    from openapi_spec_validator import validate

    validate(yaml.safe_load(DOCUMENT.read_text(encoding="utf-8")))


def test_document_is_complete() -> None:
    doc = yaml.safe_load(DOCUMENT.read_text(encoding="utf-8"))
    assert (
        doc["components"]["securitySchemes"]["oauth2"]["flows"]["clientCredentials"]["tokenUrl"]
        == "/v1/oauth/token"
    )
    for name in (
        "API-Version",
        "Idempotency-Replayed",
        "Retry-After",
        "Location",
        "DDAS-Signature-Profile",
        "Digest",
        "nlgov-adr-payload-sig",
    ):
        assert name in doc["components"]["headers"]
    post = doc["paths"]["/v1/aanleveringen"]["post"]
    params = {p["name"] for p in post["parameters"]}
    assert {"Idempotency-Key", "Digest", "nlgov-adr-payload-sig", "DDAS-Bestandsnaam"} <= params
    assert {"202", "400", "401", "403", "409", "413", "415", "422", "429", "500", "502", "503"} <= set(
        post["responses"]
    )
    assert "Location" in post["responses"]["202"]["headers"]
    for path, ops in doc["paths"].items():
        for method, op in ops.items():
            for status, response in op["responses"].items():
                assert "API-Version" in response["headers"], (path, method, status)
                if int(status) >= 400 and path != "/v1/oauth/token":
                    assert "application/problem+json" in response["content"], (path, method, status)


@pytest.mark.timeout(240)
def test_schemathesis_against_live_mock(tmp_path: Path) -> None:
    """Bounded property-based run: no 5xx, every answer conforms to the document."""
    command = schemathesis_command()
    settings = dev_settings(tmp_path, admin_token="admin", rate_limit_per_second=0, test_scenarios=False)
    with running_mock(settings) as url:
        with MockClient(url, None) as client:
            token = client.token()
        origin = url.rsplit("/v1", 1)[0]
        result = run_schemathesis(
            command,
            DOCUMENT,
            origin,
            authorization=f"Bearer {token}",
            max_examples=8,
            request_timeout=10,
            timeout=200,
            cwd=tmp_path,
        )
    assert result.returncode == 0, result.stdout[-8000:] + result.stderr[-2000:]
