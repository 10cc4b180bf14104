"""Start-up of the `ddas` CLI: wall time of fresh processes, and what `python -X importtime` adds up.

Usage: `python benchmarks/bench_cli_startup.py [--runs 5] [--export FILE] [--baseline PYTHON]`.
`--baseline` runs every case with another interpreter as well (a venv holding another version of ddas,
e.g. `pip install` of an older commit), interleaved with this one's runs.

Every run is a fresh interpreter (`python -c "from client.cli import main; main()"` with the arguments),
so each pays for the imports and the command-line framework as a user's call does. The commands are
interleaved round-robin (a load drift hits all alike) and the median is kept. Bytecode is written and one
warm-up run per case precedes the measured ones, as an installed command has its `.pyc` files
(`PYTHONDONTWRITEBYTECODE` would have every run compile the sources: ~60 ms more). `importtime` sums the
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

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from benchmarks._common import CHILD_ENV as ENV  # noqa: E402

PY = sys.executable
MAIN = "import sys\nfrom client.cli import main\nsys.argv[0] = 'ddas'\nmain()\n"


def _wall(python: str, args: list[str], cwd: str) -> float:
    began = time.perf_counter()
    subprocess.run(
        [python, "-c", MAIN, *args],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        check=False,
        cwd=cwd,
        env=ENV,
    )
    return time.perf_counter() - began


def _importtime(python: str, code: str, cwd: str) -> tuple[float, int]:
    """Total self-time (ms) of every import `code` makes in a fresh interpreter, and how many modules."""
    done = subprocess.run(
        [python, "-X", "importtime", "-c", code],
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
        cwd=cwd,
        env=ENV,
    )
    times = [int(m.group(1)) for m in re.finditer(r"^import time:\s+(\d+) \|", done.stderr, re.M)]
    return sum(times) / 1000, len(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--export", type=Path, help="A 10k-traject export to validate as well.")
    parser.add_argument("--baseline", help="Another interpreter to run every case with, for comparison.")
    options = parser.parse_args()
    pythons = {"this": PY} | ({"baseline": options.baseline} if options.baseline else {})
    # the runs start in an empty directory, so that each interpreter imports its own installed `client`
    with tempfile.TemporaryDirectory() as tmp:
        trivial = Path(tmp) / "x.json"
        trivial.write_text("{}\n")
        cases = {
            "ddas validate x.json ({})": ["validate", str(trivial)],
            "ddas --help": ["--help"],
        }
        if options.export is not None:
            cases[f"ddas validate {options.export.name}"] = ["validate", str(options.export.resolve())]
        samples: dict[tuple[str, str], list[float]] = {(w, n): [] for n in cases for w in pythons}
        for args in cases.values():  # warm-up: bytecode written, files in the page cache
            for python in pythons.values():
                _wall(python, args, tmp)
        for _ in range(options.runs):
            for name, args in cases.items():
                for which, python in pythons.items():
                    samples[which, name].append(_wall(python, args, tmp))
        print(f"{platform.python_version()} on {platform.machine()}, load {os.getloadavg()[0]:.2f}")
        print(f"{'':<9}{'command':<55} {'median s':>9}  runs")
        for (which, name), values in samples.items():
            runs = ", ".join(f"{v:.3f}" for v in values)
            print(f"{which:<9}{name:<55} {statistics.median(values):9.3f}  {runs}")
        for label, code in (
            ("import client.cli", "import client.cli"),
            ("ddas validate x.json", f"import sys\nsys.argv=['ddas','validate',{str(trivial)!r}]\n" + MAIN),
        ):
            for which, python in pythons.items():
                totals = [_importtime(python, code, tmp) for _ in range(options.runs)]
                total = statistics.median(t for t, _ in totals)
                print(f"{which:<9}importtime {label:<44} {total:9.1f} ms  ({totals[0][1]} modules, median)")


if __name__ == "__main__":
    main()
