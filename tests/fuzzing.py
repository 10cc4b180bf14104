"""Schemathesis runs of an OpenAPI document against a live server, shared by the mock and provider tests.

Run as a subprocess (its own CLI, bounded by a timeout), with one fixed seed so that a failure repeats.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from collections.abc import Sequence
from pathlib import Path

import pytest

CHECKS = (
    "not_a_server_error",
    "status_code_conformance",
    "content_type_conformance",
    "response_headers_conformance",
    "response_schema_conformance",
)
SEED = 20261128


def schemathesis_command() -> str:
    """The schemathesis CLI next to this Python, else on PATH; skips the test when it is not installed.

    Call it before starting a server, so that a missing tool costs nothing.
    """
    binary = Path(sys.executable).with_name("schemathesis")
    if not binary.is_file() and shutil.which("schemathesis") is None:
        pytest.skip("schemathesis is not installed")
    return str(binary) if binary.is_file() else "schemathesis"


def run_schemathesis(
    command: str,
    document: Path,
    url: str,
    *,
    authorization: str,
    max_examples: int,
    request_timeout: int,
    timeout: float,
    cwd: Path,
    extra_checks: Sequence[str] = (),
) -> subprocess.CompletedProcess[str]:
    """A bounded property-based run (examples, coverage, fuzzing): no 5xx, every answer conforms."""
    return subprocess.run(
        [
            command,
            "run",
            str(document),
            "--url",
            url,
            "-H",
            f"Authorization: {authorization}",
            "--checks",
            ",".join([*CHECKS, *extra_checks]),
            "--phases",
            "examples,coverage,fuzzing",
            "--max-examples",
            str(max_examples),
            "--request-timeout",
            str(request_timeout),
            "--seed",
            str(SEED),
            "--no-color",
        ],
        capture_output=True,
        text=True,
        timeout=timeout,
        cwd=cwd,
    )
