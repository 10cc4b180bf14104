"""Tests that need ../shared skip when it is absent on a developer's machine, and fail under CI."""

from __future__ import annotations

import pytest

from tests import conftest


def test_missing_shared_fails_under_ci(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CI", "true")
    with pytest.raises(pytest.fail.Exception, match="CI is set"):
        conftest.shared_missing("../shared/ddas-spec is absent")


def test_missing_shared_skips_elsewhere(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("CI", raising=False)
    with pytest.raises(pytest.skip.Exception):
        conftest.shared_missing("../shared/ddas-spec is absent")


def test_needs_shared_goes_through_the_same_check(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CI", "1")
    monkeypatch.setattr(conftest, "OFFICIAL_SCHEMA", conftest.ROOT / "no-such-schema.json")
    with pytest.raises(pytest.fail.Exception):
        conftest.require_shared.__wrapped__()  # type: ignore[attr-defined]
