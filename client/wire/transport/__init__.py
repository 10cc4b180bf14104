"""HTTP plumbing shared by the push client, the provider and the mock's puller: auth, retries, TLS."""

from __future__ import annotations

from pathlib import Path

import httpx

from client.wire.tls import client_verify, ssl_context
from client.wire.transport.auth import AuthError, ClientCredentialsAuth
from client.wire.transport.retry import (
    RETRY_ONCE_STATUSES,
    RETRYABLE_STATUSES,
    DeliveryHTTPError,
    RetryBudget,
    RetryPolicy,
    parse_retry_after,
)

__all__ = [
    "RETRYABLE_STATUSES",
    "RETRY_ONCE_STATUSES",
    "AuthError",
    "ClientCredentialsAuth",
    "DeliveryHTTPError",
    "RetryBudget",
    "RetryPolicy",
    "make_client",
    "parse_retry_after",
    "ssl_context",
]


def make_client(
    base_url: str = "",
    *,
    auth: httpx.Auth | None = None,
    timeout: float = 30.0,
    connect_timeout: float = 10.0,
    ca_bundle: Path | str | None = None,
    client_cert: Path | str | None = None,
    client_key: Path | str | None = None,
    headers: dict[str, str] | None = None,
) -> httpx.Client:
    """An httpx.Client with the project's defaults (timeouts, TLS/mTLS); retries are the RetryPolicy's job."""
    verify = client_verify(ca_bundle, client_cert, client_key)
    return httpx.Client(
        base_url=base_url,
        auth=auth,
        timeout=httpx.Timeout(timeout, connect=connect_timeout),
        verify=verify,
        headers=headers,
        follow_redirects=False,
    )
