"""What TLS, mutual TLS and the operations middleware cost `ddas serve` (issue 12).

One `ddas serve` process per mode (plain HTTP, TLS, mutual TLS) on the same export; for each:
signed `POST /v1/gegevens` requests for one page of `--page-size` trajecten, sequentially over one
kept-alive connection (the steady state of a pull), then the same with a new connection per request
(every request pays the handshake), and the time of one `GET /metrics` scrape.

Run: `.venv/bin/python benchmarks/bench_serve.py` (`--trajecten`, `--page-size`, `--requests`).
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

import httpx  # noqa: E402
import orjson  # noqa: E402

from client.devtools.generate import write_export  # noqa: E402
from client.devtools.keys import DevKeys, write_dev_keys  # noqa: E402
from client.provider.testing import serve_process  # noqa: E402
from client.wire.tls import ssl_context  # noqa: E402


def _post(http: httpx.Client, url: str, keys: DevKeys, body: bytes) -> float:
    headers = {"Content-Type": "application/json", "Authorization": "Bearer dev", **keys.signer().sign(body)}
    started = time.perf_counter()
    response = http.post(url, content=body, headers=headers)
    elapsed = time.perf_counter() - started
    if response.status_code != 200:
        raise RuntimeError(f"HTTP {response.status_code}: {response.text[:200]}")
    return elapsed


def _figures(samples: list[float]) -> str:
    ordered = sorted(samples)
    p95 = ordered[max(0, int(len(ordered) * 0.95) - 1)]
    return f"p50 {statistics.median(ordered) * 1000:7.1f} ms  p95 {p95 * 1000:7.1f} ms"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--trajecten", type=int, default=2_000)
    parser.add_argument("--page-size", type=int, default=500)
    parser.add_argument("--requests", type=int, default=40)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="ddas-bench-serve-") as tmp:
        work = Path(tmp)
        keys = write_dev_keys(work / "keys")
        export = work / "export.json"
        write_export(
            export, trajecten=args.trajecten, date_from=date(2026, 1, 1), date_to=date(2026, 6, 30), seed=12
        )
        body = orjson.dumps(
            {
                "aanleverperiodeStartdatum": "2026-01-01",
                "aanleverperiodeEinddatum": "2026-06-30",
                "pageSize": args.page_size,
                "page": 1,
            }
        )
        tls = ["--tls-cert", str(keys.tls_cert_path), "--tls-key", str(keys.tls_key_path)]
        modes = {
            "http": ([], True),
            "tls": (tls, ssl_context(keys.ca_path)),
            "mtls": (
                [*tls, "--client-ca", str(keys.ca_path)],
                ssl_context(keys.ca_path, keys.client_cert_path, keys.client_key_path),
            ),
        }
        print(f"ddas serve, {args.trajecten:,} trajecten, pages of {args.page_size}, {args.requests} calls")
        for mode, (extra, verify) in modes.items():
            serve_args = ["--data", str(export), "--dev", str(keys.dir), "--log-level", "warning", *extra]
            with serve_process(serve_args, cwd=work, verify=verify) as (_process, origin):
                url = f"{origin}/v1/gegevens"
                with httpx.Client(verify=verify, timeout=60) as http:
                    _post(http, url, keys, body)  # the page is planned and cached
                    kept = [_post(http, url, keys, body) for _ in range(args.requests)]
                    started = time.perf_counter()
                    http.get(f"{origin}/metrics").raise_for_status()
                    scrape = time.perf_counter() - started
                fresh = []
                for _ in range(args.requests):
                    with httpx.Client(verify=verify, timeout=60) as http:
                        fresh.append(_post(http, url, keys, body))
            print(
                f"  {mode:5} kept-alive {_figures(kept)} | new connection {_figures(fresh)} "
                f"| /metrics {scrape * 1000:.1f} ms"
            )


if __name__ == "__main__":
    main()
