"""Run an ASGI app in a real uvicorn server: in the foreground (CLIs) or in a thread (tests, demo)."""

from __future__ import annotations

import contextlib
import signal
import socket
import threading
import time
from collections.abc import Iterator
from types import FrameType
from typing import Any

import uvicorn


def free_port(host: str = "127.0.0.1") -> int:
    """A TCP port that was free a moment ago on `host` (loopback by default)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((host, 0))
        return int(sock.getsockname()[1])


def _config(app: Any, host: str, port: int, **kwargs: Any) -> uvicorn.Config:
    kwargs.setdefault("log_level", "warning")
    kwargs.setdefault("access_log", False)
    kwargs.setdefault("lifespan", "on")
    return uvicorn.Config(app, host=host, port=port, **kwargs)


@contextlib.contextmanager
def serve_in_thread(
    app: Any, host: str = "127.0.0.1", port: int | None = None, timeout: float = 10.0, **kwargs: Any
) -> Iterator[str]:
    """Serve `app` on a free loopback port in a background thread; yields `http://host:port`.

    The server is stopped and joined on exit, so a test never leaks it.
    """
    port = port or free_port(host)
    server = uvicorn.Server(_config(app, host, port, **kwargs))
    thread = threading.Thread(target=server.run, name=f"uvicorn:{port}", daemon=True)
    thread.start()
    deadline = time.monotonic() + timeout
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            server.should_exit = True
            raise RuntimeError(f"server on {host}:{port} did not start within {timeout}s")
        time.sleep(0.01)
    try:
        scheme = "https" if kwargs.get("ssl_certfile") else "http"
        yield f"{scheme}://{host}:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=timeout)
        if thread.is_alive():
            server.force_exit = True
            thread.join(timeout=timeout)


class GracefulServer(uvicorn.Server):
    """uvicorn, but a SIGTERM ends the process normally (exit 0) once the shutdown is done.

    uvicorn stops accepting, lets the requests in flight finish (bounded by `timeout_graceful_shutdown`)
    and then raises the captured signal again, so the process would die "killed by SIGTERM"; for a
    service manager a requested stop that went well is a clean exit. SIGTERM is therefore not captured
    for raising again (SIGINT still is).
    """

    def handle_exit(self, sig: int, frame: FrameType | None) -> None:
        if sig == signal.SIGTERM:
            self.should_exit = True
            return
        super().handle_exit(sig, frame)


def serve_forever(app: Any, host: str, port: int, *, shutdown_grace: float = 30.0, **kwargs: Any) -> None:
    """Serve `app` in the foreground until SIGTERM/SIGINT (the CLIs' `serve` commands).

    On SIGTERM: stop accepting, finish the requests in flight for at most `shutdown_grace` seconds, return.
    """
    kwargs.setdefault("log_level", "info")
    kwargs.setdefault("timeout_graceful_shutdown", shutdown_grace)
    GracefulServer(_config(app, host, port, **kwargs)).run()
