"""Reliability of `ddas push` against the real mock over loopback, bounded in count and time:
a fault soak (200 pages, 30% injected faults of every kind), crash and resume (SIGKILL 20 times at
random points), and a journal deleted halfway. Each ends with the receiver holding every page exactly
once: nothing missing, nothing twice. Figures are printed (run with -s to see them)."""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import httpx
import pytest

from client.commands.exitcodes import of_push
from client.delivery.run import push
from tests.test_push_support import (
    client_settings,
    fault_settings,
    held,
    running_mock,
    settings_env,
    write_export,
)

FAULT_KINDS = ("500", "502", "503", "429", "latency", "reset", "accept-drop", "slow")
ADMIN = "soak-admin-token"


@pytest.fixture(scope="module")
def keys_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from client.devtools.keys import write_dev_keys

    return write_dev_keys(tmp_path_factory.mktemp("soak-keys")).dir


def _planned(export: Path, page_size: int) -> tuple[int, int]:
    from client.planning import Period, plan

    with plan([export], [Period.parse("2026H1")], vendor_code="x", page_size=page_size) as p:
        return len(p.deliveries), sum(len(d.pages) for d in p.deliveries)


@pytest.mark.slow
@pytest.mark.timeout(240)
def test_fault_soak_200_pages_30_percent_faults(tmp_path: Path, keys_dir: Path) -> None:
    export = write_export(tmp_path / "export.json", 600, organisaties=2, seed=11)
    page_size = 3
    deliveries, pages = _planned(export, page_size)
    assert 190 <= pages <= 210
    each = 1 - 0.7 ** (1 / len(FAULT_KINDS))  # every kind equally likely, 30% of requests faulted
    faults = fault_settings(dict.fromkeys(FAULT_KINDS, each), seed=20260, slow=0.6, latency=0.02)
    db = tmp_path / "mock.sqlite"
    started = time.monotonic()
    runs: list[dict[str, Any]] = []
    with running_mock(db, keys_dir, faults=faults, admin_token=ADMIN, rate_limit_per_second=1000.0) as url:
        settings = client_settings(
            keys_dir,
            url,
            tmp_path / "journal.sqlite",
            page_size=page_size,
            max_attempts=8,
            retry_budget=500,
            read_timeout=0.4,
        )
        for _ in range(10):  # a timer runs again until everything is accepted; bounded here
            result = push([export], settings, periods=["2026H1"])
            runs.append({"exit": of_push(result), "requests": result.requests})
            if of_push(result) == 0:
                break
        injected = httpx.get(f"{url}/admin/faults", headers={"X-Admin-Token": ADMIN}).json()["injected"]
    elapsed = time.monotonic() - started
    assert runs[-1]["exit"] == 0, runs
    held(db).assert_exactly_once(deliveries, pages)
    requests = sum(r["requests"] for r in runs)
    print(
        f"\nfault soak: {pages} pages in {deliveries} deliveries, {len(runs)} run(s), {requests} requests, "
        f"faults injected {sum(injected.values())} {injected}, {elapsed:.1f}s; receiver holds each page once"
    )
    assert set(injected) >= {"500", "503", "429", "reset", "accept-drop", "slow"}


def _push_process(
    export: Path, keys_dir: Path, url: str, journal: Path, page_size: int
) -> subprocess.Popen[bytes]:
    env = {**os.environ, **settings_env(keys_dir, url, journal, page_size=page_size)}
    code = "from client.cli import main; main()"
    args = ["push", str(export), "--period", "2026H1", "--dev", str(keys_dir), "--base-url", url, "--quiet"]
    return subprocess.Popen(
        [sys.executable, "-c", code, *args],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        start_new_session=True,
    )


def _finish(proc: subprocess.Popen[bytes], timeout: float = 120) -> int:
    try:
        _out, err = proc.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.communicate()
        raise
    assert b"Traceback" not in err, err.decode(errors="replace")
    return proc.returncode


@pytest.mark.slow
@pytest.mark.timeout(240)
def test_crash_and_resume_sigkill_20_times(tmp_path: Path, keys_dir: Path) -> None:
    export = write_export(tmp_path / "export.json", 300, organisaties=2, seed=12)
    page_size = 3
    deliveries, pages = _planned(export, page_size)
    journal = tmp_path / "journal.sqlite"
    db = tmp_path / "mock.sqlite"
    rng = random.Random(20260705)
    killed_with_pages: list[int] = []  # pages the receiver held after each run that was really killed
    faults = fault_settings({"latency": 0.5}, seed=3, latency=0.03)  # widen the windows a kill can hit
    started = time.monotonic()
    with running_mock(db, keys_dir, faults=faults) as url:
        for index in range(20):
            proc = _push_process(export, keys_dir, url, journal, page_size)
            held_now = len(held(db).pages)
            if index % 2 == 0 and held_now < pages:
                # kill while pages are going out: once the receiver holds a random number more of them
                target = held_now + rng.randint(1, max(1, (pages - held_now) // 8))
                deadline = time.monotonic() + 30
                while len(held(db).pages) < target and proc.poll() is None and time.monotonic() < deadline:
                    time.sleep(0.005)
                time.sleep(rng.uniform(0.0, 0.03))
            else:  # kill at a random moment: starting, planning, signing, sending, polling or reporting
                time.sleep(rng.uniform(0.1, 1.5))
            if proc.poll() is None:
                os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(timeout=30)
            if proc.returncode == -signal.SIGKILL:  # a run that finished before the kill does not count
                killed_with_pages.append(len(held(db).pages))
        final = _finish(_push_process(export, keys_dir, url, journal, page_size))
    elapsed = time.monotonic() - started
    kills = len(killed_with_pages)
    assert kills >= 10, f"only {kills} of 20 runs were killed: the test did not exercise crashes"
    assert any(0 < n < pages for n in killed_with_pages), "no kill fell while pages were going out"
    assert final == 0
    held(db).assert_exactly_once(deliveries, pages)
    print(
        f"\ncrash and resume: {kills} SIGKILLs in 20 runs (pages held at each kill: {killed_with_pages}), "
        f"then one run to the end; {pages} pages in {deliveries} deliveries held exactly once; {elapsed:.1f}s"
    )


@pytest.mark.slow
@pytest.mark.timeout(180)
def test_journal_deleted_halfway_delivers_nothing_twice(tmp_path: Path, keys_dir: Path) -> None:
    export = write_export(tmp_path / "export.json", 240, organisaties=2, seed=13)
    page_size = 6
    deliveries, pages = _planned(export, page_size)
    journal = tmp_path / "journal.sqlite"
    db = tmp_path / "mock.sqlite"
    faults = fault_settings({"latency": 1.0}, seed=4, latency=0.03)
    with running_mock(db, keys_dir, faults=faults) as url:
        proc = _push_process(export, keys_dir, url, journal, page_size)
        deadline = time.monotonic() + 60
        while len(held(db).pages) < pages // 2 and proc.poll() is None and time.monotonic() < deadline:
            time.sleep(0.02)
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(timeout=30)
        at_kill = len(held(db).pages)
        assert 0 < at_kill < pages
        for path in tmp_path.glob("journal.sqlite*"):
            path.unlink()
        time.sleep(1.0)  # the next run stamps another aanleverdatumEnTijd: other bytes, same keys
        assert _finish(_push_process(export, keys_dir, url, journal, page_size)) == 0
        # and once more, with the new journal: nothing to do
        assert _finish(_push_process(export, keys_dir, url, journal, page_size)) == 0
    held(db).assert_exactly_once(deliveries, pages)
    print(f"\njournal deleted after {at_kill}/{pages} pages: the rerun completed, every page held once")


@pytest.mark.slow
@pytest.mark.timeout(120)
def test_two_overlapping_runs_one_waits_out(tmp_path: Path, keys_dir: Path) -> None:
    """Two timers firing at once: the second exits 4 at once and sends nothing."""
    export = write_export(tmp_path / "export.json", 60, organisaties=1, seed=14)
    journal = tmp_path / "journal.sqlite"
    db = tmp_path / "mock.sqlite"
    faults = fault_settings({"latency": 1.0}, seed=5, latency=0.3)  # the first run takes 10 s or more
    with running_mock(db, keys_dir, faults=faults) as url:
        first = _push_process(export, keys_dir, url, journal, 2)
        deadline = time.monotonic() + 60
        while not held(db).pages and time.monotonic() < deadline:
            time.sleep(0.02)
        second = _push_process(export, keys_dir, url, journal, 2)
        assert _finish(second) == 4
        assert first.poll() is None  # the first was still at work while the second gave way
        assert _finish(first) == 0
        _deliveries, pages = _planned(export, 2)
        held(db).assert_exactly_once(1, pages)
