"""Helpers for tests and the demo: a provider on loopback and a signed client for it."""

from __future__ import annotations

import contextlib
import os
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import orjson

from client.devtools.keys import DevKeys
from client.provider.app import create_provider_app
from client.provider.settings import ProviderSettings
from client.wire.serving import free_port, serve_in_thread
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


@contextlib.contextmanager
def serve_process(
    args: list[str],
    *,
    cwd: Path,
    port: int | None = None,
    verify: Any = True,
    timeout: float = 60.0,
) -> Iterator[tuple[subprocess.Popen[str], str]]:
    """`ddas serve ARGS` as a real process on a free loopback port, ready (`GET /ready` 200) when yielded.

    Yields the process and its origin (`http(s)://127.0.0.1:PORT`); stdout and stderr (the logs) go to
    files in `cwd` (read them with `process_output`). The process is terminated and reaped on exit.
    """
    port = port or free_port()
    https = "--tls-cert" in args
    origin = f"{'https' if https else 'http'}://127.0.0.1:{port}"
    command = [
        sys.executable,
        "-c",
        "from client.cli import main; main()",
        "serve",
        "--port",
        str(port),
        *args,
    ]
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    out_path, log_path = cwd / f"serve-{port}.out", cwd / f"serve-{port}.log"
    with out_path.open("w", encoding="utf-8") as out, log_path.open("w", encoding="utf-8") as err:
        process = subprocess.Popen(command, cwd=cwd, stdout=out, stderr=err, text=True, env=env)
    try:
        deadline = time.monotonic() + timeout
        with httpx.Client(verify=verify, timeout=2.0) as probe:
            while True:
                if process.poll() is not None:
                    raise RuntimeError(
                        f"ddas serve exited early ({process.returncode}): {log_path.read_text()}"
                    )
                if time.monotonic() > deadline:
                    raise RuntimeError(f"ddas serve not ready within {timeout}s: {log_path.read_text()}")
                try:
                    if probe.get(f"{origin}/ready").status_code == 200:
                        break
                except httpx.TransportError:
                    pass
                time.sleep(0.1)
        yield process, origin
    finally:
        if process.poll() is None:
            process.terminate()
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


def process_output(cwd: Path, origin: str, stream: str = "log") -> str:
    """What the `serve_process` at `origin` wrote: `out` (stdout) or `log` (stderr)."""
    return (cwd / f"serve-{origin.rsplit(':', 1)[1]}.{stream}").read_text(encoding="utf-8")
