"""Everything one mock app instance holds (on `app.state.mock`): no module-level state anywhere."""

from __future__ import annotations

from dataclasses import dataclass

from fastapi import Request

from client.wire.ratelimit import RateLimiter
from client.wire.signing import Signer, Verifier
from mock_server.auth import Tokens
from mock_server.clock import Clock
from mock_server.faults import FaultInjector
from mock_server.service import Deliveries
from mock_server.settings import MockSettings
from mock_server.store import Store


@dataclass
class MockContext:
    settings: MockSettings
    store: Store
    tokens: Tokens
    deliveries: Deliveries
    limiter: RateLimiter
    faults: FaultInjector
    verifier: Verifier
    signer: Signer | None
    clock: Clock


def context(request: Request) -> MockContext:
    ctx: MockContext = request.app.state.mock
    return ctx
