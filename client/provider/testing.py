"""Helpers for tests and the demo: a provider on loopback and a signed client for it."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import orjson

from client.devtools.keys import DevKeys
from client.provider.app import create_provider_app
from client.provider.settings import ProviderSettings
from client.wire.serving import serve_in_thread
from client.wire.signing import SigningProfile


@contextlib.contextmanager
def running_provider(settings: ProviderSettings) -> Iterator[str]:
    """Serve a provider in a real uvicorn on a free loopback port; yields its base URL (`.../v1`)."""
    app = create_provider_app(settings)
    try:
        with serve_in_thread(app) as url:
            yield url + settings.base
    finally:
        app.state.provider.cache.close()


class ProviderClient:
    """POSTs GegevensRequests, signed with the development keys, with the dev token by default."""

    def __init__(self, base_url: str, keys: DevKeys, *, timeout: float = 120.0) -> None:
        self.url = base_url.rstrip("/") + "/gegevens"
        self.keys = keys
        self.http = httpx.Client(timeout=timeout)

    def close(self) -> None:
        self.http.close()

    def __enter__(self) -> ProviderClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def post(
        self,
        request: dict[str, Any] | bytes | None = None,
        *,
        token: str | None = "dev",
        header: str = "Authorization",
        profile: SigningProfile | None = SigningProfile.ADR,
        headers: dict[str, str] | None = None,
    ) -> httpx.Response:
        body = request if isinstance(request, bytes) else orjson.dumps(request or {})
        sent: dict[str, str] = {"Content-Type": "application/json"}
        if token is not None:
            sent[header] = token if header != "Authorization" else f"Bearer {token}"
        if profile is not None:
            sent.update(self.keys.signer(profile=profile).sign(body))
        sent.update(headers or {})
        return self.http.post(self.url, content=body, headers=sent)


def dev_provider_settings(data: list[Path], keys_dir: Path, **overrides: Any) -> ProviderSettings:
    """A development provider for `data`: dev keys, no rate limit unless asked."""
    overrides.setdefault("rate_limit_per_second", 0.0)
    return ProviderSettings(data=data, dev_dir=keys_dir, **overrides)
