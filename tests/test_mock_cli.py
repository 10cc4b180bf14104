"""`ddas-mock serve` as a user runs it: a real process, development mode, faults from the command line."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from client.devtools.keys import DevKeys
from client.wire.serving import free_port
from mock_server.testing import MockClient, envelope, make_document

pytestmark = pytest.mark.timeout(90)
CLI = [sys.executable, "-c", "from mock_server.cli import main; main()"]


def _serve(tmp: Path, *args: str) -> tuple[subprocess.Popen[str], str]:
    port = free_port()
    command = [*CLI, "serve", "--port", str(port), "--log-level", "warning", *args]
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    process = subprocess.Popen(
        command, cwd=tmp, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=env
    )
    base = f"http://127.0.0.1:{port}/v1"
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if process.poll() is not None:
            out = process.stdout.read() if process.stdout else ""
            raise AssertionError(f"ddas-mock serve exited early: {out}")
        try:
            httpx.get(f"{base}/aanleverperiodes", timeout=1)
            return process, base
        except httpx.TransportError:
            time.sleep(0.1)
    process.kill()
    raise AssertionError("ddas-mock serve did not start")


def _stop(process: subprocess.Popen[str]) -> str:
    process.terminate()
    try:
        out, _ = process.communicate(timeout=15)
    except subprocess.TimeoutExpired:
        process.kill()
        out, _ = process.communicate()
    return out


def test_serve_dev_mode(tmp_path: Path) -> None:
    keys_dir = tmp_path / "keys"
    process, base = _serve(tmp_path, "--dev", str(keys_dir), "--admin-token", "adm")
    try:
        assert (keys_dir / "ca.pem").is_file()  # created when missing
        with MockClient(base, DevKeys.load(keys_dir).signer()) as client:
            r = client.deliver(envelope(make_document("2026H1", 2)))
            assert r.status_code == 202, r.text
            assert (
                client.http.get(f"{base}/admin/faults", headers={"Authorization": "Bearer adm"}).status_code
                == 200
            )
    finally:
        out = _stop(process)
    assert f"{base}" in out and "client id 'dev', secret 'dev'" in out
    assert (tmp_path / ".ddas-mock" / "mock.sqlite").is_file()  # the default database


def test_serve_faults_flag(tmp_path: Path) -> None:
    db = tmp_path / "state.sqlite"
    process, base = _serve(
        tmp_path, "--faults", "503:1@GET /aanleverperiodes", "--fault-seed", "1", "--db", str(db)
    )
    try:
        r = httpx.get(f"{base}/aanleverperiodes", timeout=5)
        assert r.status_code == 503 and r.headers["retry-after"] == "1"
    finally:
        _stop(process)
    assert db.is_file()


def test_serve_bad_options_exit_2(tmp_path: Path) -> None:
    for args in (["--faults", "boom:1"], ["--config", str(tmp_path / "missing.toml")]):
        result = subprocess.run(
            [*CLI, "serve", *args],
            cwd=tmp_path,
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert result.returncode == 2, result.stderr
        assert "Traceback" not in result.stderr and "ddas-mock serve:" in result.stderr
