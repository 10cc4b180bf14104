"""Shared fixtures. Tests that need ../shared skip with a clear reason when it is absent, and fail
instead when the environment variable CI is set (CI always has ../shared: its absence is a broken run)."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any, NoReturn

import pytest

from client.devtools.keys import DevKeys, write_dev_keys

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared"
SPEC = SHARED / "ddas-spec" / "v1.0"
OFFICIAL_SCHEMA = SPEC / "json_schema_Uitwisselmodel.json"
OFFICIAL_OPENAPI = SPEC / "DDAS-SHV.yaml"
OFFICIAL_EXAMPLES = sorted(SPEC.glob("*Voorbeeld*.json")) if SPEC.is_dir() else []


def pytest_terminal_summary(terminalreporter: Any) -> None:
    """Which rules ran (also under -q): the log must say whether the suite tested the mypyc build."""
    import client.validation.rules  # noqa: F401  (importing the package chooses)
    from client.validation.rules._native import compiled_in_use

    mode = "compiled (mypyc build)" if compiled_in_use() else "pure Python (the reference)"
    terminalreporter.write_line(f"ddas rules: {mode}")


def shared_missing(reason: str) -> NoReturn:
    """Skip a test that needs ../shared; under CI (env var CI set) fail it, naming what is missing."""
    if os.environ.get("CI"):
        pytest.fail(f"{reason} (CI is set: ../shared must be beside the checkout)", pytrace=False)
    pytest.skip(reason)


@pytest.fixture
def require_shared() -> None:
    """Used by `needs_shared`: the official schema must be there."""
    if not OFFICIAL_SCHEMA.is_file():
        shared_missing("../shared/ddas-spec is absent: official-spec tests need it")


needs_shared = pytest.mark.usefixtures("require_shared")


@pytest.fixture(scope="session")
def shared_dir() -> Path:
    if not SPEC.is_dir():
        shared_missing("../shared/ddas-spec is absent: official-spec tests need it")
    return SHARED


def _official(path: Path, needed: str) -> Any:
    """An official JSON or YAML document of ../shared, or a skip naming what needs it."""
    if not path.is_file():
        shared_missing(f"../shared/ddas-spec is absent: {needed}")
    text = path.read_text(encoding="utf-8")
    if path.suffix == ".json":
        import json

        return json.loads(text)
    import yaml

    return yaml.safe_load(text)


@pytest.fixture(scope="session")
def official_schema() -> dict[str, object]:
    data: dict[str, object] = _official(OFFICIAL_SCHEMA, "official-schema tests need it")
    return data


@pytest.fixture(scope="session")
def official_openapi() -> dict[str, Any]:
    data: dict[str, Any] = _official(OFFICIAL_OPENAPI, "the official DDAS-SHV.yaml is needed")
    return data


@pytest.fixture(scope="session")
def official_examples() -> list[Path]:
    if not OFFICIAL_EXAMPLES:
        shared_missing("../shared/ddas-spec is absent: the official examples are needed")
    return OFFICIAL_EXAMPLES


@pytest.fixture(scope="module")
def keys(tmp_path_factory: pytest.TempPathFactory) -> DevKeys:
    """The files of `ddas keys dev` (CA, signing key and chain, TLS), written once per test module."""
    return write_dev_keys(tmp_path_factory.mktemp("keys"))
