"""Shared fixtures. Tests that need ../shared skip with a clear reason when it is absent."""

from __future__ import annotations

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared"
SPEC = SHARED / "ddas-spec" / "v1.0"
OFFICIAL_SCHEMA = SPEC / "json_schema_Uitwisselmodel.json"
OFFICIAL_OPENAPI = SPEC / "DDAS-SHV.yaml"
OFFICIAL_EXAMPLES = sorted(SPEC.glob("*Voorbeeld*.json")) if SPEC.is_dir() else []

needs_shared = pytest.mark.skipif(
    not OFFICIAL_SCHEMA.is_file(), reason="../shared/ddas-spec is absent: official-spec tests need it"
)


@pytest.fixture(scope="session")
def shared_dir() -> Path:
    if not SPEC.is_dir():
        pytest.skip("../shared/ddas-spec is absent: official-spec tests need it")
    return SHARED


@pytest.fixture(scope="session")
def official_schema() -> dict[str, object]:
    import json

    if not OFFICIAL_SCHEMA.is_file():
        pytest.skip("../shared/ddas-spec is absent: official-schema tests need it")
    data: dict[str, object] = json.loads(OFFICIAL_SCHEMA.read_text(encoding="utf-8"))
    return data


@pytest.fixture(scope="session")
def official_examples() -> list[Path]:
    if not OFFICIAL_EXAMPLES:
        pytest.skip("../shared/ddas-spec is absent: the official examples are needed")
    return OFFICIAL_EXAMPLES
