"""What the benchmark scripts share: a server in its own process, up before the clock starts.

A receiver measured in its own process is measured as deployed: the client under test does not share its
GIL, and the CPU time of each process is its own.
"""

from __future__ import annotations

import contextlib
import os
import subprocess
import time
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path

import httpx

# Children write and use bytecode (.pyc), as an installed command does: with PYTHONDONTWRITEBYTECODE set
# (some shells and containers set it) every run would compile the project's sources again, ~60 ms.
CHILD_ENV = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}


@contextlib.contextmanager
def server_process(
    command: Sequence[str],
    ready_url: str,
    *,
    name: str = "the server",
    env: Mapping[str, str] | None = None,
    cwd: Path | None = None,
    quiet: bool = False,
    timeout: float = 60.0,
) -> Iterator[subprocess.Popen[bytes]]:
    """Start `command`, wait until `ready_url` answers (any status), yield the process, then stop it."""
    output = subprocess.DEVNULL if quiet else None
    process = subprocess.Popen(list(command), stdout=output, stderr=output, env=env, cwd=cwd)
    try:
        deadline = time.monotonic() + timeout
        while True:
            try:
                httpx.get(ready_url, timeout=1.0)
                break
            except httpx.HTTPError:
                if time.monotonic() > deadline or process.poll() is not None:
                    raise RuntimeError(f"{name} did not start") from None
                time.sleep(0.1)
        yield process
    finally:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
