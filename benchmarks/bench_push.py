"""Benchmark: `ddas push` of a 100,000-traject export (4 pages of 25,000) to the mock, end to end.

The mock runs in its own process (development mode, loopback), so that this process is the client
alone: its CPU time is the client's own work, its peak RSS the client's memory. Printed: the end-to-end
time, the client's phases (planning, building and validating pages, signing, sending, polling, the
report), the client's CPU share of the end-to-end time, with and without its local validation, and the
client's peak memory. Target: the client's own overhead (planning, signing, sending, polling) at most
25% of the end-to-end time.

    python benchmarks/bench_push.py [--trajecten 100000] [--keep]

The export is generated once into benchmarks/data/ (gitignored) and reused.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import resource
import shutil
import sys
import tempfile
import time
from collections.abc import Iterator
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

DATA = ROOT / "benchmarks" / "data"
TARGET_SHARE = 0.25


def _cpu_of(pid: int) -> float:
    """CPU seconds (user + system) a process has used so far (Linux /proc)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _export(trajecten: int) -> Path:
    from client.devtools.generate import write_export

    DATA.mkdir(parents=True, exist_ok=True)
    path = DATA / f"push-{trajecten}.json"
    if not path.exists():
        started = time.perf_counter()
        tmp = path.with_suffix(".tmp")
        write_export(
            tmp,
            trajecten=trajecten,
            date_from=date(2026, 1, 1),
            date_to=date(2026, 6, 30),
            organisaties=1,
            seed=100,
        )
        tmp.chmod(0o600)
        tmp.replace(path)
        print(
            f"generated {path} ({path.stat().st_size / 1e6:.0f} MB) in {time.perf_counter() - started:.1f}s"
        )
    return path


@contextlib.contextmanager
def _mock_process(keys_dir: Path, db: Path) -> Iterator[tuple[int, str]]:
    from benchmarks._common import server_process
    from client.wire.serving import free_port

    port = free_port()
    code = (
        "import sys; from mock_server.app import create_app; from mock_server.settings import MockSettings;"
        "from client.wire.serving import serve_forever;"
        "app = create_app(MockSettings(db=sys.argv[1], dev_dir=sys.argv[2]));"
        "serve_forever(app, '127.0.0.1', int(sys.argv[3]), log_level='warning')"
    )
    command = [sys.executable, "-c", code, str(db), str(keys_dir), str(port)]
    url = f"http://127.0.0.1:{port}/v1"
    with server_process(command, f"{url}/aanleverperiodes", name="the mock", cwd=ROOT, timeout=30) as proc:
        yield proc.pid, url


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--trajecten", type=int, default=100_000)
    parser.add_argument("--keep", action="store_true", help="keep the temporary directory")
    args = parser.parse_args()

    from client.commands.exitcodes import of_push
    from client.delivery.config import load_settings
    from client.delivery.run import push
    from client.devtools.keys import write_dev_keys

    export = _export(args.trajecten)
    work = Path(tempfile.mkdtemp(prefix="ddas-bench-push-"))
    try:
        keys = write_dev_keys(work / "keys")
        with _mock_process(keys.dir, work / "mock.sqlite") as (mock_pid, url):
            settings = load_settings(
                None,
                dev=keys.dir,
                base_url=url,
                journal=work / "journal.sqlite",
                poll_interval=0.05,
                poll_max_interval=0.25,
                read_timeout=600.0,
            )
            cpu0, mock0 = time.process_time(), _cpu_of(mock_pid)
            wall0 = time.perf_counter()
            result = push([export], settings, periods=["2026H1"])
            wall = time.perf_counter() - wall0
            cpu, mock_cpu = time.process_time() - cpu0, _cpu_of(mock_pid) - mock0
        peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        if not result.ok:
            print(f"push failed (exit {of_push(result)}): {result.problem}")
            for d in result.deliveries:
                print(f"  {d.period} {d.organisatie}: {d.state} {d.problem or ''}")
            return 1
        delivery = result.deliveries[0]
        t, c = result.timings, result.cpu_timings
        own = cpu - c["validate"]  # the client's own work: everything it computes except validating
        print(
            f"\nddas push: {delivery.trajecten:,} trajecten, {delivery.pages} pages, state {delivery.state}"
        )
        print(f"{'':<30}{'wall s':>9}{'CPU s':>9}")
        print(f"{'end to end':<30}{wall:9.2f}")
        for phase in ("plan", "build", "validate", "sign", "send", "poll", "report"):
            print(f"{'  client: ' + phase:<30}{t.get(phase, 0.0):9.2f}{c.get(phase, 0.0):9.2f}")
        print(f"{'client process, all':<30}{'':9}{cpu:9.2f}")
        print(f"{'mock process (receiver)':<30}{'':9}{mock_cpu:9.2f}")
        share_wall = own / wall
        share_cpu = own / (cpu + mock_cpu)
        print(f"client overhead (CPU without local validation): {own:.2f} s")
        print(
            f"  = {share_wall:.1%} of the end-to-end time, {share_cpu:.1%} of all CPU spent (client + mock)"
        )
        print(
            f"  with its local validation: {cpu / wall:.1%} of end to end, "
            f"{cpu / (cpu + mock_cpu):.1%} of all CPU"
        )
        print(f"client peak RSS: {peak_mb:.0f} MB")
        verdict = "met" if share_wall <= TARGET_SHARE else "NOT met"
        print(f"target: client overhead <= {TARGET_SHARE:.0%} of end to end: {verdict}")
        return 0
    finally:
        if args.keep:
            print(f"kept {work}")
        else:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    raise SystemExit(main())
