"""pytest plugin `ddas_mock`: a real mock receiver for a vendor's own test suite, no conftest needed.

Installed with the package (entry point `pytest11`). The fixture `ddas_mock` starts one mock in uvicorn
on a free loopback port the first time a test asks for it (a session that never asks starts nothing and
imports nothing heavy), with development keys in a temporary directory, and resets its state (deliveries,
idempotency keys, the request log, faults, the clock) before every test. See docs/testing.md.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

if TYPE_CHECKING:
    import httpx

    from mock_server.settings import MockSettings

FAULTS_OPTION = "--ddas-mock-faults"
LENIENT_OPTION = "--ddas-mock-lenient-signatures"
CLIENT_ID = CLIENT_SECRET = "dev"
ADMIN_TOKEN = "dev"


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("ddas-mock", "DDAS mock receiver (fixture ddas_mock)")
    group.addoption(
        FAULTS_OPTION,
        metavar="SPEC",
        default=None,
        help="faults for the ddas_mock receiver, e.g. 503:0.2,accept-drop:0.1 (as ddas-mock serve --faults)",
    )
    group.addoption(
        LENIENT_OPTION,
        action="store_true",
        default=False,
        help="let the ddas_mock receiver also accept signing profile C (canonical JSON)",
    )


def pytest_configure(config: pytest.Config) -> None:
    """A bad --ddas-mock-faults stops the session at once with the reason (pydantic only when given)."""
    spec = config.getoption(FAULTS_OPTION, default=None)
    if spec:
        from pydantic import ValidationError

        from mock_server.settings import parse_fault_spec

        try:
            parse_fault_spec(spec)
        except ValidationError as exc:
            reason = "; ".join(str(error["msg"]).removeprefix("Value error, ") for error in exc.errors())
            raise pytest.UsageError(f"{FAULTS_OPTION} {spec!r}: {reason}") from None
        except ValueError as exc:
            raise pytest.UsageError(f"{FAULTS_OPTION} {spec!r}: {exc}") from None


@dataclass
class DdasMock:
    """A running mock receiver: where it is, how to authenticate, and admin controls for the test."""

    base_url: str
    token_url: str
    client_id: str
    client_secret: str
    dev_dir: Path
    admin: httpx.Client
    _stack: contextlib.ExitStack = field(repr=False)
    _faults: dict[str, Any] = field(default_factory=dict, repr=False)

    def set_today(self, day: date | None) -> None:
        """Move the mock's clock to `day` (None: back to the real date)."""
        if day is None:
            response = self.admin.delete("/clock")
        else:
            response = self.admin.put("/clock", json={"today": day.isoformat()})
        response.raise_for_status()

    def reset(self) -> None:
        """Forget deliveries, idempotency keys and the request log; faults and the clock as at the start."""
        self.admin.post("/reset").raise_for_status()
        self.admin.put("/faults", json=self._faults).raise_for_status()
        self.admin.delete("/clock").raise_for_status()

    def requests(self, limit: int = 200) -> list[dict[str, Any]]:
        """The request log, newest first: method, path, status, masked headers, scenario, fault, ..."""
        response = self.admin.get("/requests", params={"limit": limit})
        response.raise_for_status()
        items: list[dict[str, Any]] = response.json()["requests"]
        return items

    def close(self) -> None:
        self._stack.close()


def mock_settings(tmp: Path, *, faults: str | None = None, lenient: bool = False) -> MockSettings:
    """The settings of the fixture's mock: development mode under `tmp`, real date, scenarios on."""
    from mock_server.settings import MockSettings, parse_fault_spec

    values: dict[str, Any] = {
        "db": str(tmp / "mock.sqlite"),
        "dev_dir": tmp / "keys",
        "admin_token": ADMIN_TOKEN,
        "lenient_signatures": lenient,
    }
    if faults:
        values["faults"] = {"rules": [rule.model_dump() for rule in parse_fault_spec(faults)]}
    return MockSettings(**values)


def start_mock(settings: MockSettings) -> DdasMock:
    """Serve a mock for `settings` in uvicorn on a free loopback port; `close()` stops it."""
    import httpx

    from mock_server.testing import running_mock

    stack = contextlib.ExitStack()
    try:
        base_url = stack.enter_context(running_mock(settings))
        admin = stack.enter_context(
            httpx.Client(
                base_url=f"{base_url}/admin",
                headers={"Authorization": f"Bearer {settings.admin_token}"},
                timeout=30.0,
            )
        )
    except BaseException:
        stack.close()
        raise
    assert settings.dev_dir is not None
    faults = settings.faults.model_dump(mode="json")
    return DdasMock(
        base_url=base_url,
        token_url=f"{base_url}/oauth/token",
        client_id=CLIENT_ID,
        client_secret=CLIENT_SECRET,
        dev_dir=settings.dev_dir,
        admin=admin,
        _stack=stack,
        _faults=faults,
    )


@pytest.fixture(scope="session")
def _ddas_mock_session(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[DdasMock]:
    settings = mock_settings(
        tmp_path_factory.mktemp("ddas-mock"),
        faults=request.config.getoption(FAULTS_OPTION),
        lenient=bool(request.config.getoption(LENIENT_OPTION)),
    )
    mock = start_mock(settings)
    try:
        yield mock
    finally:
        mock.close()


@pytest.fixture
def ddas_mock(_ddas_mock_session: DdasMock) -> DdasMock:
    """A real DDAS mock receiver (push route) on loopback, its state reset for this test."""
    _ddas_mock_session.reset()
    return _ddas_mock_session
