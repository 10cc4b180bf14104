"""The test kit's costs (issue 11): what the pytest plugin adds, and how long a conformance run takes.

1. A pytest session of one trivial test, with the plugin loaded and with `-p no:ddas_mock` (subprocesses,
   median of `--repeat`): the plugin must not slow down a session that does not use the fixture.
2. The `ddas_mock` fixture: first start (keys, app, uvicorn) and the reset before each test.
3. `ddas-mock conform` against `ddas serve` (in this process, loopback) on `--trajecten` trajecten in one
   half year: wall time, requests, pages.

Run: `.venv/bin/python benchmarks/bench_testkit.py` (`--trajecten`, `--repeat`). Not a timed test.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, date, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))


def pytest_session(tmp: Path, *plugin_args: str) -> float:
    test = tmp / "test_trivial.py"
    test.write_text("def test_trivial():\n    assert True\n", encoding="utf-8")
    started = time.perf_counter()
    subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", *plugin_args, str(test)],
        cwd=tmp,
        check=True,
        capture_output=True,
    )
    return time.perf_counter() - started


def plugin_overhead(repeat: int) -> tuple[float, float]:
    with tempfile.TemporaryDirectory() as tmp:
        with_plugin = [pytest_session(Path(tmp)) for _ in range(repeat)]
        without = [pytest_session(Path(tmp), "-p", "no:ddas_mock") for _ in range(repeat)]
    return statistics.median(with_plugin), statistics.median(without)


def fixture_costs(resets: int) -> tuple[float, float]:
    from mock_server.pytest_plugin import mock_settings, start_mock

    with tempfile.TemporaryDirectory() as tmp:
        started = time.perf_counter()
        mock = start_mock(mock_settings(Path(tmp)))
        first = time.perf_counter() - started
        try:
            started = time.perf_counter()
            for _ in range(resets):
                mock.reset()
            per_reset = (time.perf_counter() - started) / resets
        finally:
            mock.close()
    return first, per_reset


def conformance(trajecten: int) -> tuple[float, int, bool]:
    from client.devtools.generate import write_export
    from client.devtools.keys import write_dev_keys
    from client.provider import create_provider_app
    from client.provider.testing import dev_provider_settings
    from client.wire.serving import serve_in_thread
    from mock_server.conform import ConformOptions, run_conformance

    with tempfile.TemporaryDirectory() as tmp:
        export = Path(tmp) / "export.json"
        write_export(
            export, trajecten=trajecten, date_from=date(2026, 1, 1), date_to=date(2026, 6, 30), seed=7
        )
        keys = write_dev_keys(Path(tmp) / "keys")
        settings = dev_provider_settings([export], keys.dir, aanleverdatum=datetime(2026, 7, 1, tzinfo=UTC))
        app = create_provider_app(settings)
        try:
            with serve_in_thread(app) as origin:
                options = ConformOptions(url=origin + "/v1", dev_dir=keys.dir, today=date(2026, 11, 28))
                started = time.perf_counter()
                report = run_conformance(options)
                seconds = time.perf_counter() - started
        finally:
            app.state.provider.cache.close()
    pages = next((len(r.outcome.exchanges) for r in report.results if r.check.id == "SHV-PAGE-03"), 0)
    return seconds, pages, report.ok


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--trajecten", type=int, default=10_000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args(argv)
    with_plugin, without = plugin_overhead(args.repeat)
    print(f"pytest, one trivial test: {with_plugin:.2f} s with the plugin, {without:.2f} s without")
    first, reset = fixture_costs(20)
    print(f"ddas_mock fixture: first start {first:.2f} s, reset before a test {reset * 1000:.0f} ms")
    seconds, pages, ok = conformance(args.trajecten)
    verdict = "conforms" if ok else "DOES NOT CONFORM"
    print(
        f"ddas-mock conform against ddas serve, {args.trajecten:,} trajecten: {seconds:.2f} s, "
        f"{pages} pages followed for SHV-PAGE-03, {verdict}"
    )
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
