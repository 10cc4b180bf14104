"""The pytest plugin as a vendor uses it: a separate pytest process, no conftest, the documented example."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

pytestmark = pytest.mark.timeout(120)
DOC = Path(__file__).resolve().parent.parent / "docs" / "testing.md"


def documented_example() -> str:
    match = re.search(r"```python\n(.*?)```", DOC.read_text(encoding="utf-8"), re.S)
    assert match, "docs/testing.md lost its example"
    return match.group(1)


def test_documented_example_passes(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(test_ddas_delivery=documented_example())
    result = pytester.runpytest_subprocess("-q", "-p", "no:cacheprovider")
    result.assert_outcomes(passed=3)


def test_faults_option_reaches_the_mock(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        test_faults="""
import httpx

def test_every_request_fails(ddas_mock):
    r = httpx.get(ddas_mock.base_url + "/aanleverperiodes")
    assert r.status_code == 503
    assert ddas_mock.requests()[0]["fault"] == "503"
"""
    )
    result = pytester.runpytest_subprocess("-q", "-p", "no:cacheprovider", "--ddas-mock-faults", "503:1")
    result.assert_outcomes(passed=1)


def test_bad_faults_option_is_a_usage_error(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(test_nothing="def test_nothing():\n    pass\n")
    result = pytester.runpytest_subprocess("-p", "no:cacheprovider", "--ddas-mock-faults", "boom:1")
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines(["*--ddas-mock-faults 'boom:1'*unknown fault kind 'boom'*"])
    assert "Traceback" not in result.stderr.str()


def test_a_session_without_the_fixture_starts_nothing(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        test_plain="""
import sys

def test_plain():
    assert "uvicorn" not in sys.modules
    assert "mock_server.app" not in sys.modules
"""
    )
    result = pytester.runpytest_subprocess("-q", "-p", "no:cacheprovider")
    result.assert_outcomes(passed=1)


def test_reset_restores_faults_and_clock(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        test_leak="""
import datetime
import httpx

def test_a_changes_everything(ddas_mock):
    ddas_mock.admin.put("/faults", json={"rules": [{"kind": "500"}]}).raise_for_status()
    ddas_mock.set_today(datetime.date(2030, 1, 1))
    assert httpx.get(ddas_mock.base_url + "/aanleverperiodes").status_code == 500

def test_b_sees_none_of_it(ddas_mock):
    assert ddas_mock.admin.get("/faults").json()["rules"] == []
    assert ddas_mock.admin.get("/clock").json()["moved"] is False
    assert ddas_mock.requests() == []
"""
    )
    result = pytester.runpytest_subprocess("-q", "-p", "no:cacheprovider")
    result.assert_outcomes(passed=2)
