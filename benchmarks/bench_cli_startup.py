"""Start-up of the `ddas` CLI: wall time of fresh processes, and what `python -X importtime` adds up.

Usage: `python benchmarks/bench_cli_startup.py [--runs 5] [--export FILE]`.

Every run is a fresh interpreter (`python -c "from client.cli import main; main()"` with the arguments),
so each pays for the imports and the command-line framework as a user's call does. The commands are
interleaved round-robin (a load drift hits all alike) and the median is kept. `importtime` sums the
self-times of every module imported by `import client.cli` and by a whole `ddas validate` run on a
trivial file. Not a timed test: numbers depend on the machine.
"""

from __future__ import annotations

import argparse
import os
import platform
import re
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

PY = sys.executable
MAIN = "import sys\nfrom client.cli import main\nsys.argv[0] = 'ddas'\nmain()\n"


def _wall(args: list[str]) -> float:
    began = time.perf_counter()
    subprocess.run([PY, "-c", MAIN, *args], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False)
    return time.perf_counter() - began


def _importtime(code: str) -> tuple[float, int]:
    """Total self-time (ms) of every import `code` makes in a fresh interpreter, and how many modules."""
    done = subprocess.run(
        [PY, "-X", "importtime", "-c", code], capture_output=True, text=True, check=False, timeout=120
    )
    times = [int(m.group(1)) for m in re.finditer(r"^import time:\s+(\d+) \|", done.stderr, re.M)]
    return sum(times) / 1000, len(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--export", type=Path, help="A 10k-traject export to validate as well.")
    options = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        trivial = Path(tmp) / "x.json"
        trivial.write_text("{}\n")
        cases = {
            "ddas validate x.json ({})": ["validate", str(trivial)],
            "ddas --help": ["--help"],
        }
        if options.export is not None:
            cases[f"ddas validate {options.export.name}"] = ["validate", str(options.export)]
        samples: dict[str, list[float]] = {name: [] for name in cases}
        for _ in range(options.runs):
            for name, args in cases.items():
                samples[name].append(_wall(args))
        print(f"{platform.python_version()} on {platform.machine()}, load {os.getloadavg()[0]:.2f}")
        print(f"{'command':<55} {'median s':>9}  runs")
        for name, values in samples.items():
            print(f"{name:<55} {statistics.median(values):9.3f}  {', '.join(f'{v:.3f}' for v in values)}")
        for label, code in (
            ("import client.cli", "import client.cli"),
            ("ddas validate x.json", f"import sys\nsys.argv=['ddas','validate',{str(trivial)!r}]\n" + MAIN),
        ):
            total, count = _importtime(code)
            print(f"importtime {label:<44} {total:9.1f} ms  ({count} modules)")


if __name__ == "__main__":
    main()
