"""Peak memory of the mock receiver for one large signed page (issue 9, item 11).

The mock runs as `ddas-mock serve` in its own process; one page of about `--mb` megabytes is signed and
posted, and the server's peak resident set (`VmHWM` of /proc/PID/status) is read before and after.
Two bodies: `padded` (25,000 trajecten, indented and padded with insignificant whitespace up to the
size: a page the mock accepts) and `dense` (as many trajecten as fill the size, compact: refused for
holding more than 25,000, after the whole check ran). Target: the growth is at most 3x the body size.
Not a test: the figure depends on the machine and is reported, not asserted.

Run: `.venv/bin/python benchmarks/bench_mock_memory.py` (`--mb 200`, `--body padded|dense|both`).
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

import orjson  # noqa: E402

from benchmarks._common import server_process  # noqa: E402
from client.devtools.keys import DevKeys  # noqa: E402
from client.wire.serving import free_port  # noqa: E402
from mock_server.testing import MockClient, envelope, make_document  # noqa: E402

CONFIG = """
[mock]
max_trajecten_per_page = 1000000
max_body_bytes = {limit}
rate_limit_per_second = 0
"""


def peak_rss_mb(pid: int) -> float:
    """The process's peak resident set so far (VmHWM), in MB."""
    for line in Path(f"/proc/{pid}/status").read_text(encoding="ascii").splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError("no VmHWM in /proc (Linux only)")


def large_body(kind: str, size: int) -> bytes:
    """`padded`: 25,000 trajecten padded after every newline to about `size` bytes; `dense`: compact,
    with as many trajecten as fill `size` (about 1.5 KB each)."""
    trajecten = 25_000 if kind == "padded" else max(1, size // 1500)
    document = make_document("2026H1", trajecten, seed=42, variant="meerdere", organisaties=1)
    paginering = {"pageSize": 25_000, "currentPage": 1, "totalPages": 1, "totalRecords": trajecten}
    body = envelope(document, paginering)
    if kind == "dense":
        return body
    body = orjson.dumps(orjson.loads(body), option=orjson.OPT_INDENT_2)
    lines = body.count(b"\n") or 1
    pad = max(0, (size - len(body)) // lines)
    return body.replace(b"\n", b"\n" + b" " * pad)


def measure(kind: str, mb: int) -> tuple[float, float]:
    """(body MB, growth / body size) for one body of `kind`."""
    body = large_body(kind, mb * 1_000_000)
    size_mb = len(body) / 1e6
    with tempfile.TemporaryDirectory() as tmp:
        config = Path(tmp) / "mock.toml"
        config.write_text(CONFIG.format(limit=len(body) + 1_000_000), encoding="utf-8")
        port = free_port()
        command = [
            sys.executable,
            "-c",
            "from mock_server.cli import main; main()",
            "serve",
            "--port",
            str(port),
        ]
        command += ["--dev", str(Path(tmp) / "keys"), "--db", str(Path(tmp) / "mock.sqlite")]
        command += ["--config", str(config), "--log-level", "warning"]
        env = {**os.environ, "DDAS_MOCK_TODAY": "2026-11-28"}
        base = f"http://127.0.0.1:{port}/v1"
        with server_process(command, f"{base}/aanleverperiodes", env=env, quiet=True) as process:
            signer = DevKeys.load(Path(tmp) / "keys").signer()
            with MockClient(base, signer, timeout=900) as client:
                client.token()
                before = peak_rss_mb(process.pid)
                headers = signer.sign(body)
                response = client.deliver(body, key="memory-1", sign=False, headers=headers)
                after = peak_rss_mb(process.pid)
    growth = after - before
    print(f"{kind}: body {size_mb:.0f} MB: HTTP {response.status_code}")
    if response.status_code >= 300:
        print(f"  answer: {response.text[:200]}")
    print(f"  mock peak RSS before {before:.0f} MB, after {after:.0f} MB: growth {growth:.0f} MB")
    ratio = growth / size_mb
    print(f"  growth / body size: {ratio:.1f}x (target <= 3x): {'OK' if ratio <= 3 else 'OVER'}")
    return size_mb, ratio


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mb", type=int, default=200)
    parser.add_argument("--body", choices=["padded", "dense", "both"], default="both")
    args = parser.parse_args(argv)
    kinds = ["padded", "dense"] if args.body == "both" else [args.body]
    ratios = [measure(kind, args.mb)[1] for kind in kinds]
    return 0 if all(r <= 3 for r in ratios) else 1


if __name__ == "__main__":
    raise SystemExit(main())
