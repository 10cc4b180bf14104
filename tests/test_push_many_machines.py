"""`ddas push` on several machines at once: two workers with separate journals (two hosts, the same
timer) push the same exports to one receiver at the same time. The content-derived idempotency keys
make that safe: the receiver holds every page once, nothing is `vervangen` (docs/push.md)."""

from __future__ import annotations

import contextlib
import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from tests.test_push_support import fault_settings, held, running_mock, settings_env, write_export

pytestmark = pytest.mark.timeout(240)


@pytest.fixture(scope="module")
def keys_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from client.devtools.keys import write_dev_keys

    return write_dev_keys(tmp_path_factory.mktemp("machines-keys")).dir


def _worker(export: Path, keys_dir: Path, url: str, home: Path, page_size: int) -> subprocess.Popen[bytes]:
    """One machine: its own working directory and journal, the shared exports and receiver."""
    home.mkdir()
    env = {**os.environ, **settings_env(keys_dir, url, home / "journal.sqlite", page_size=page_size)}
    args = ["push", str(export), "--period", "2026H1", "--dev", str(keys_dir), "--base-url", url, "--quiet"]
    return subprocess.Popen(
        [sys.executable, "-c", "from client.cli import main; main()", *args],
        cwd=home,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )


def _planned(export: Path, page_size: int) -> tuple[int, int]:
    from client.planning import Period, plan

    with plan([export], [Period.parse("2026H1")], vendor_code="x", page_size=page_size) as p:
        return len(p.deliveries), sum(len(d.pages) for d in p.deliveries)


@pytest.mark.slow
def test_two_workers_with_separate_journals_deliver_each_page_once(tmp_path: Path, keys_dir: Path) -> None:
    export = write_export(tmp_path / "export.json", 48, organisaties=2, seed=21)
    page_size = 4
    deliveries, pages = _planned(export, page_size)
    db = tmp_path / "mock.sqlite"
    # every request a little late, so that the two runs overlap page by page
    faults = fault_settings({"latency": 1.0}, seed=3, latency=0.05)
    with running_mock(db, keys_dir, faults=faults, rate_limit_per_second=1000.0) as url:
        workers = [
            _worker(export, keys_dir, url, tmp_path / name, page_size) for name in ("host-a", "host-b")
        ]
        results = []
        for worker in workers:
            try:
                _out, err = worker.communicate(timeout=200)
            except subprocess.TimeoutExpired:
                worker.kill()
                worker.communicate()
                raise
            results.append((worker.returncode, err.decode(errors="replace")))
    assert all(code == 0 for code, _ in results), results
    assert not any("Traceback" in err for _, err in results)
    receiver = held(db)
    receiver.assert_exactly_once(deliveries, pages)  # one delivery per scope, each page once
    assert "vervangen" not in {row["status"] for row in receiver.deliveries}
    with contextlib.closing(sqlite3.connect(f"file:{db}?mode=ro", uri=True)) as conn:
        posts = conn.execute(
            "SELECT path, status FROM requests WHERE method = 'POST' AND path NOT LIKE '%/oauth/token'"
        ).fetchall()
    assert len(posts) >= 2 * pages, posts  # both machines sent every page; the receiver kept one of each
    statuses = sorted({status for _, status in posts})
    print(
        f"\ntwo machines: {pages} pages in {deliveries} deliveries, {len(posts)} POSTs, statuses {statuses}"
    )
