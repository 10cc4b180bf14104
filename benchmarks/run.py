"""Benchmark `ddas validate` and `ddas split` against orjson parse-only, jsonschema-rs and python-jsonschema.

Usage: `make bench` or `python benchmarks/run.py [--sizes 10k,100k,1m] [--markdown FILE]`.

Generated exports (client.devtools.generate, fixed seed) are cached in benchmarks/data/ (git-ignored). Every
measurement runs in its own subprocess; wall time is measured around it and peak RSS is the child's
`ru_maxrss` from `os.wait4`. Prints a Markdown table with the ratios against the targets (`verdicts`).
Not a timed test: numbers depend on the machine.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from datetime import date
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
DATA = HERE / "data"
OFFICIAL_SCHEMA = ROOT.parent / "shared" / "ddas-spec" / "v1.0" / "json_schema_Uitwisselmodel.json"
SIZES = {"10k": 10_000, "100k": 100_000, "1m": 1_000_000}
SEED = 20260101
DATE_FROM, DATE_TO = date(2025, 7, 1), date(2026, 6, 30)
PERIOD = "2026H1"
AANLEVERDATUM = "2026-07-01T08:00:00Z"
PY = sys.executable

ORJSON_PARSE = "import orjson,sys\nwith open(sys.argv[1],'rb') as f: d=orjson.loads(f.read())\n"
# The same with Python's cyclic garbage collector paused, as `ddas validate` does while it holds a document:
# informational, so that the reader sees how much of the baseline is the collector, not the parser.
ORJSON_PARSE_NO_GC = "import gc\ngc.disable()\n" + ORJSON_PARSE
JSONSCHEMA_RS = (
    "import orjson,sys,jsonschema_rs\n"
    "schema=orjson.loads(open(sys.argv[2],'rb').read())\n"
    "v=jsonschema_rs.validator_for(schema, validate_formats=True)\n"
    "with open(sys.argv[1],'rb') as f: d=orjson.loads(f.read())\n"
    "n=sum(1 for _ in v.iter_errors(d))\n"
    "print(n, 'errors')\n"
)
PY_JSONSCHEMA = (
    "import orjson,sys\n"
    "from jsonschema import Draft202012Validator, FormatChecker\n"
    "schema=orjson.loads(open(sys.argv[2],'rb').read())\n"
    "v=Draft202012Validator(schema, format_checker=FormatChecker())\n"
    "with open(sys.argv[1],'rb') as f: d=orjson.loads(f.read())\n"
    "n=sum(1 for _ in v.iter_errors(d))\n"
    "print(n, 'errors')\n"
)


@dataclass
class Result:
    size: str
    what: str
    seconds: float
    rss_mb: float
    rc: int
    note: str = ""


def export_path(label: str) -> Path:
    """Generate (once) and cache the export of `label` trajecten."""
    DATA.mkdir(parents=True, exist_ok=True)
    path = DATA / f"SHV_2026H1_Bench-seed{SEED}_{label}.json"  # a valid protocol name
    if path.is_file() and path.stat().st_size > 0:
        return path
    from client.devtools.generate import write_export

    print(f"generating {label} trajecten -> {path} (once; cached)", file=sys.stderr, flush=True)
    tmp = path.with_suffix(".tmp")
    started = time.perf_counter()
    write_export(
        tmp,
        trajecten=SIZES[label],
        date_from=DATE_FROM,
        date_to=DATE_TO,
        organisaties=3,
        seed=SEED,
        variant="meerdere",
    )
    os.replace(tmp, path)
    print(f"  generated in {time.perf_counter() - started:.1f} s", file=sys.stderr, flush=True)
    return path


def measure(size: str, what: str, argv: list[str], timeout: float, repeat: int = 1) -> Result:
    """Best (fastest) of `repeat` runs; see `measure_once`."""
    runs = [measure_once(size, what, argv, timeout) for _ in range(max(1, repeat))]
    return min(runs, key=lambda r: (r.rc not in (0, 1), r.seconds))


def measure_once(size: str, what: str, argv: list[str], timeout: float) -> Result:
    """Run argv in a child process; wall time and the child's peak RSS (ru_maxrss, kB on Linux)."""
    started = time.perf_counter()
    proc = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, cwd=ROOT)
    deadline = started + timeout
    while True:
        pid, status, usage = os.wait4(proc.pid, os.WNOHANG)
        if pid:
            break
        if time.perf_counter() > deadline:
            proc.kill()
            pid, status, usage = os.wait4(proc.pid, 0)
            return Result(size, what, float("nan"), usage.ru_maxrss / 1024, -9, "timeout")
        time.sleep(0.005)
    elapsed = time.perf_counter() - started
    rc = os.waitstatus_to_exitcode(status)
    err = proc.stderr.read().decode(errors="replace").strip() if proc.stderr else ""
    proc.returncode = rc
    note = "" if rc in (0, 1) else (err.splitlines()[-1][:80] if err else f"exit {rc}")
    return Result(size, what, elapsed, usage.ru_maxrss / 1024, rc, note)


def ddas(*args: str) -> list[str]:
    """The installed `ddas` next to this interpreter, else the CLI through `-c` (no `__main__` needed)."""
    script = Path(PY).parent / "ddas"
    if script.is_file():
        return [str(script), *args]
    return [PY, "-c", "from client.cli import main; main()", *args]


def run_size(label: str, timeout: float, repeat: int) -> list[Result]:
    path = export_path(label)
    repeat = 1 if label == "1m" else repeat
    out: list[Result] = []
    out.append(measure(label, "orjson parse-only", [PY, "-c", ORJSON_PARSE, str(path)], timeout, repeat))
    if label != "1m":
        argv = [PY, "-c", ORJSON_PARSE_NO_GC, str(path)]
        out.append(measure(label, "orjson parse-only, gc paused", argv, timeout, repeat))
    out.append(measure(label, "ddas validate", ddas("validate", str(path)), timeout, repeat))
    with tempfile.TemporaryDirectory(prefix="ddas-bench-") as tmp:
        split = ["split", str(path), "-o", tmp, "--period", PERIOD, "--aanleverdatum", AANLEVERDATUM]
        out.append(measure(label, "ddas split", ddas(*split), timeout, repeat))
    if OFFICIAL_SCHEMA.is_file():
        out.append(
            measure(
                label,
                "jsonschema-rs (official)",
                [PY, "-c", JSONSCHEMA_RS, str(path), str(OFFICIAL_SCHEMA)],
                timeout,
            )
        )
        if label == "10k":
            out.append(
                measure(
                    label,
                    "python-jsonschema (official)",
                    [PY, "-c", PY_JSONSCHEMA, str(path), str(OFFICIAL_SCHEMA)],
                    timeout,
                )
            )
    return out


def _find(results: list[Result], size: str, what: str) -> Result | None:
    return next((r for r in results if r.size == size and r.what == what), None)


def verdicts(results: list[Result]) -> list[str]:
    """The performance targets (README "Performance"), each with the measured figure and met / NOT met."""
    lines: list[str] = []

    def check(ok: bool, text: str) -> None:
        lines.append(f"- {'met' if ok else '**NOT met**'}: {text}")

    base = _find(results, "100k", "orjson parse-only")
    if base:
        for what, limit in (("ddas validate", 2.0), ("ddas split", 2.5)):
            r = _find(results, "100k", what)
            if r:
                check(
                    r.seconds <= limit * base.seconds,
                    f"100k {what} time {r.seconds / base.seconds:.2f}x parse-only (≤ {limit}x)",
                )
                check(
                    r.rss_mb <= 1.5 * base.rss_mb,
                    f"100k {what} peak RSS {r.rss_mb / base.rss_mb:.2f}x parse-only (≤ 1.5x)",
                )
    for what in ("ddas validate", "ddas split"):
        big, mid = _find(results, "1m", what), _find(results, "100k", what)
        if big:
            check(
                big.rc in (0, 1) and big.rss_mb <= 4096,
                f"1M {what} completes, peak RSS {big.rss_mb:,.0f} MB (≤ 4096 MB)",
            )
            if mid:
                check(
                    big.seconds <= 12 * mid.seconds,
                    f"1M {what} time {big.seconds / mid.seconds:.1f}x the 100k time (≤ 12x)",
                )
    slow, fast = _find(results, "10k", "python-jsonschema (official)"), _find(results, "10k", "ddas validate")
    if slow and fast:
        check(
            slow.seconds >= 20 * fast.seconds,
            f"10k ddas validate {slow.seconds / fast.seconds:.1f}x faster than python-jsonschema (≥ 20x)",
        )
    return lines


def table(results: list[Result]) -> str:
    rows = [
        "| size | what | wall time (s) | peak RSS (MB) | time vs orjson | RSS vs orjson | exit |",
        "| --- | --- | ---: | ---: | ---: | ---: | --- |",
    ]
    for r in results:
        base = _find(results, r.size, "orjson parse-only")
        t_ratio = f"{r.seconds / base.seconds:.2f}x" if base and base.seconds else ""
        m_ratio = f"{r.rss_mb / base.rss_mb:.2f}x" if base and base.rss_mb else ""
        exit_ = f"{r.rc}" + (f" ({r.note})" if r.note else "")
        rows.append(
            f"| {r.size} | {r.what} | {r.seconds:.2f} | {r.rss_mb:,.0f} | {t_ratio} | {m_ratio} | {exit_} |"
        )
    return "\n".join(rows)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--sizes", default="10k,100k,1m", help="comma list of 10k, 100k, 1m (default all)")
    parser.add_argument("--timeout", type=float, default=3600, help="seconds per measurement")
    parser.add_argument("--repeat", type=int, default=3, help="runs per measurement, best kept (1M: once)")
    parser.add_argument("--markdown", type=Path, help="also write the table to this file")
    args = parser.parse_args(argv)
    labels = [s.strip().lower() for s in args.sizes.split(",") if s.strip()]
    unknown = [s for s in labels if s not in SIZES]
    if unknown:
        parser.error(f"unknown size(s) {unknown}; choose from {', '.join(SIZES)}")
    sys.path.insert(0, str(ROOT))
    results: list[Result] = []
    for label in labels:
        results.extend(run_size(label, args.timeout, args.repeat))
        print(table([r for r in results if r.size == label]), file=sys.stderr, flush=True)
    text = (
        f"Machine: {os.cpu_count()} CPUs, Python {sys.version.split()[0]}; "
        f"data: generator seed {SEED}, variant meerdere, 3 organisations, {DATE_FROM}..{DATE_TO}; "
        f"split --period {PERIOD}.\n\n"
        + table(results)
        + "\n\nTargets:\n"
        + "\n".join(verdicts(results))
        + (
            ""
            if OFFICIAL_SCHEMA.is_file()
            else "\n\n(../shared absent: the official-schema validators were skipped)"
        )
        + "\n"
    )
    print(text)
    if args.markdown:
        args.markdown.write_text(text, encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
