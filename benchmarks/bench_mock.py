"""Capacity of the mock receiver.

1. The time the mock takes to answer one 25,000-traject page (HTTP over loopback, all checks, SQLite
   commit) next to the time the client's validator alone takes on the same bytes. Target: ≤ 1.5×.
2. 10 clients sending 200 small deliveries concurrently: zero errors; p50/p95 latency.

Run: `.venv/bin/python benchmarks/bench_mock.py` (`--trajecten`, `--deliveries`, `--threads` to vary).
"""

from __future__ import annotations

import argparse
import contextlib
import os
import statistics
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from benchmarks._common import server_process  # noqa: E402
from client.devtools.keys import DevKeys  # noqa: E402
from client.validation import validate_bytes  # noqa: E402
from client.wire.serving import free_port  # noqa: E402
from mock_server.testing import MockClient, envelope, make_document  # noqa: E402

CONFIG = """
[mock]
max_trajecten_per_page = 25000
rate_limit_per_second = 100
rate_limit_burst = 200
{clients}
"""


@contextlib.contextmanager
def mock_process(tmp: Path, clients: int = 0) -> Iterator[str]:
    """`ddas-mock serve --dev` in its own process (as deployed: the client does not share its GIL)."""
    config = tmp / "mock.toml"
    entries = "".join(
        f'[[mock.clients]]\nid = "bench{i}"\nsecret = "s"\nscopes = ["aanleveren"]\n' for i in range(clients)
    )
    config.write_text(CONFIG.format(clients=entries), encoding="utf-8")
    port = free_port()
    command = [sys.executable, "-c", "from mock_server.cli import main; main()", "serve", "--port", str(port)]
    command += ["--dev", str(tmp / "keys"), "--db", str(tmp / "mock.sqlite"), "--config", str(config)]
    command += ["--log-level", "warning"]
    env = {**os.environ, "DDAS_MOCK_TODAY": "2026-11-28"}
    base = f"http://127.0.0.1:{port}/v1"
    with server_process(command, f"{base}/aanleverperiodes", name="ddas-mock serve", env=env, quiet=True):
        yield base


def big_page(trajecten: int, repeats: int) -> tuple[float, float, float, int]:
    """(best validator time, best mock time, median of the paired ratios, body size).

    Validator and mock run in pairs, one after the other, so that both see the same machine load; the
    median of the per-pair ratios is the figure to compare with the target.
    """
    document = make_document("2026H1", trajecten, seed=42, variant="meerdere", organisaties=1)
    body = envelope(
        document, {"pageSize": 25_000, "currentPage": 1, "totalPages": 1, "totalRecords": trajecten}
    )
    validator: list[float] = []
    mock: list[float] = []
    with tempfile.TemporaryDirectory() as tmp, mock_process(Path(tmp)) as url:
        client = MockClient(url, DevKeys.load(Path(tmp) / "keys").signer(), timeout=300)
        with client:
            client.token()
            for attempt in range(repeats):
                started = time.perf_counter()
                report = validate_bytes(body, envelope=True)
                validator.append(time.perf_counter() - started)
                assert report.errors == 0, report.to_dict()["findings"][:3]
                headers = client.signer.sign(body) if client.signer else {}
                started = time.perf_counter()
                response = client.deliver(body, key=f"big-{attempt}", sign=False, headers=headers)
                mock.append(time.perf_counter() - started)
                assert response.status_code == 202, response.text[:500]
    ratios = [m / v for m, v in zip(mock, validator, strict=True)]
    return min(validator), min(mock), statistics.median(ratios), len(body)


def concurrent(deliveries: int, threads: int) -> tuple[list[float], int]:
    latencies: list[float] = []
    errors: list[str] = []
    lock = threading.Lock()
    with tempfile.TemporaryDirectory() as tmp, mock_process(Path(tmp), clients=threads) as url:
        signer = DevKeys.load(Path(tmp) / "keys").signer()
        bodies = [envelope(make_document("2026H1", 3, seed=i + 1)) for i in range(deliveries)]

        def work(worker: int) -> None:
            with MockClient(url, signer, client_id=f"bench{worker}", secret="s") as client:
                client.token()
                for index in range(worker, deliveries, threads):
                    name = f"SHV_2026H1_Bench_DEEL{index}.json"
                    started = time.perf_counter()
                    try:
                        response = client.deliver(bodies[index], filename=name)
                        ok = response.status_code == 202
                        detail = f"{response.status_code} {response.text[:200]}"
                    except Exception as exc:  # counted as an error, reported below
                        ok, detail = False, repr(exc)
                    elapsed = time.perf_counter() - started
                    with lock:
                        latencies.append(elapsed)
                        if not ok:
                            errors.append(detail)

        pool = [threading.Thread(target=work, args=(w,)) for w in range(threads)]
        started = time.perf_counter()
        for thread in pool:
            thread.start()
        for thread in pool:
            thread.join()
        wall = time.perf_counter() - started
    for error in errors[:5]:
        print("  error:", error)
    print(f"  wall time {wall:.2f} s, {deliveries / wall:.1f} deliveries/s")
    return latencies, len(errors)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--trajecten", type=int, default=25_000)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--deliveries", type=int, default=200)
    parser.add_argument("--threads", type=int, default=10)
    args = parser.parse_args(argv)

    print(f"1. one page of {args.trajecten} trajecten")
    validator, mock, ratio, size = big_page(args.trajecten, args.repeats)
    print(f"  body {size / 1e6:.1f} MB")
    print(f"  validator alone: {validator:.2f} s")
    print(f"  mock answer (HTTP, all checks, commit): {mock:.2f} s")
    print(
        f"  ratio (median of paired runs) {ratio:.2f}x (target <= 1.5x): {'OK' if ratio <= 1.5 else 'OVER'}"
    )

    print(f"2. {args.threads} clients, {args.deliveries} small deliveries")
    latencies, errors = concurrent(args.deliveries, args.threads)
    quantiles = statistics.quantiles(latencies, n=20)
    print(f"  errors: {errors}")
    print(f"  p50 {statistics.median(latencies) * 1000:.0f} ms, p95 {quantiles[18] * 1000:.0f} ms")
    return 0 if errors == 0 and ratio <= 1.5 else 1


if __name__ == "__main__":
    raise SystemExit(main())
