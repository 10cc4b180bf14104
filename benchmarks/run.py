"""Benchmark `ddas validate` and `ddas split` against orjson parse-only, jsonschema-rs and python-jsonschema.

Usage: `make bench` or `python benchmarks/run.py [--sizes 10k,100k,100k-heavy,1m] [--markdown FILE]`.

Generated exports (client.devtools.generate, fixed seed) are cached in benchmarks/data/ (git-ignored): clean
ones, and a findings-heavy one (`-heavy`: realistic defects in a share of the trajecten, about nine
findings per traject, as real exports have). Every measurement runs in its own subprocess; wall time is
measured around it and peak RSS is the child's `ru_maxrss` from `os.wait4`. Honest by construction: every
tool of a size runs once untimed (a cold page cache is nobody's) and then the same number of times,
interleaved (round-robin, so load drifts hit all alike), and the median is kept; children write and use
bytecode as an installed command does (`PYTHONDONTWRITEBYTECODE` is dropped from their environment);
every tool's output goes to a file and its verdict (valid or not, error count, and for the JSON output
whether every finding was written) is printed beside its time, and the verdicts are compared. One run
prints one table, with the date, the machine and the load average. Not a timed test.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from benchmarks._common import CHILD_ENV  # noqa: E402

DATA = HERE / "data"
OFFICIAL_SCHEMA = ROOT.parent / "shared" / "ddas-spec" / "v1.0" / "json_schema_Uitwisselmodel.json"
SIZES = {"10k": 10_000, "100k": 100_000, "100k-heavy": 100_000, "1m": 1_000_000}
# the findings-heavy export: defects as real exports have them, each in 40% of the trajecten
HEAVY_DEFECTS = (
    "R-SCH-01",
    "R-CRI-01",
    "R-INT-01",
    "R-END-01",
    "R-SR-02",
    "R-ID-BSN-02",
    "R-GEM-03",
    "R-MOR-02",
    "R-DATE-PHASE-01",
    "R-CLIENT-GEB-02",
)
HEAVY_SHARE = 0.4
SEED = 20260101
DATE_FROM, DATE_TO = date(2025, 7, 1), date(2026, 6, 30)
PERIOD = "2026H1"
AANLEVERDATUM = "2026-07-01T08:00:00Z"
PY = sys.executable

ORJSON_PARSE = (
    "import orjson,sys\nwith open(sys.argv[1],'rb') as f: d=orjson.loads(f.read())\nprint('parsed')\n"
)
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
    verdict: str = ""
    runs: int = 1


@dataclass
class Tool:
    """One command of a size's table; `verdict` reads its output file (and exit code) after a run."""

    what: str
    argv: list[str]
    verdict: Any = None  # Callable[[Path, int], str]


def export_path(label: str) -> Path:
    """Generate (once) and cache the export of `label` trajecten."""
    DATA.mkdir(parents=True, exist_ok=True)
    heavy = label.endswith("-heavy")
    suffix = f"_{label.removesuffix('-heavy')}" + ("_heavy" if heavy else "")
    path = DATA / f"SHV_2026H1_Bench-seed{SEED}{suffix}.json"  # a valid protocol name
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
        defects=HEAVY_DEFECTS if heavy else (),
        defect_share=HEAVY_SHARE if heavy else None,
    )
    os.replace(tmp, path)
    print(f"  generated in {time.perf_counter() - started:.1f} s", file=sys.stderr, flush=True)
    return path


def measure_once(size: str, tool: Tool, timeout: float, out_file: Path) -> Result:
    """Run the tool in a child process, stdout to `out_file`; wall time and the child's peak RSS
    (ru_maxrss, kB on Linux)."""
    with out_file.open("wb") as out:
        started = time.perf_counter()
        proc = subprocess.Popen(tool.argv, stdout=out, stderr=subprocess.PIPE, cwd=ROOT, env=CHILD_ENV)
        deadline = started + timeout
        while True:
            pid, status, usage = os.wait4(proc.pid, os.WNOHANG)
            if pid:
                break
            if time.perf_counter() > deadline:
                proc.kill()
                pid, status, usage = os.wait4(proc.pid, 0)
                return Result(size, tool.what, float("nan"), usage.ru_maxrss / 1024, -9, "timeout")
            time.sleep(0.005)
        elapsed = time.perf_counter() - started
    rc = os.waitstatus_to_exitcode(status)
    err = proc.stderr.read().decode(errors="replace").strip() if proc.stderr else ""
    proc.returncode = rc
    note = "" if rc in (0, 1) else (err.splitlines()[-1][:80] if err else f"exit {rc}")
    verdict = ""
    if tool.verdict is not None and rc in (0, 1):
        try:
            verdict = tool.verdict(out_file, rc)
        except Exception as exc:  # a verdict that cannot be read is a finding of the benchmark itself
            verdict = f"unreadable output ({type(exc).__name__})"
    return Result(size, tool.what, elapsed, usage.ru_maxrss / 1024, rc, note, verdict)


def measure_all(
    size: str, tools: list[Tool], timeout: float, repeat: int, warm_up: bool = True
) -> list[Result]:
    """Every tool `repeat` times, round-robin; per tool the median time and the largest peak RSS. With
    `warm_up`, each tool runs once untimed first, so that no tool pays alone for a cold page cache."""
    runs: dict[str, list[Result]] = {t.what: [] for t in tools}
    with tempfile.TemporaryDirectory(prefix="ddas-bench-out-") as tmp:
        for i, tool in enumerate(tools if warm_up else []):
            measure_once(size, tool, timeout, Path(tmp) / f"{i}.out")
        for _ in range(max(1, repeat)):
            for i, tool in enumerate(tools):
                runs[tool.what].append(measure_once(size, tool, timeout, Path(tmp) / f"{i}.out"))
    out = []
    for tool in tools:
        rs = runs[tool.what]
        ok = [r for r in rs if r.rc in (0, 1)] or rs
        first = ok[0]
        seconds = statistics.median(r.seconds for r in ok)
        verdicts = sorted({r.verdict for r in ok})
        out.append(
            Result(
                size,
                tool.what,
                seconds,
                max(r.rss_mb for r in ok),
                first.rc,
                first.note,
                " / ".join(verdicts),
                len(rs),
            )
        )
    return out


def ddas(*args: str) -> list[str]:
    """The installed `ddas` next to this interpreter, else the CLI through `-c` (no `__main__` needed)."""
    script = Path(PY).parent / "ddas"
    if script.is_file():
        return [str(script), *args]
    return [PY, "-c", "from client.cli import main; main()", *args]


# ---- verdicts: what each tool said, in one vocabulary ("valid"/"invalid, N errors")


def _plural(n: int, word: str) -> str:
    return f"{n:,} {word}{'' if n == 1 else 's'}"


def parsed_verdict(out: Path, rc: int) -> str:
    return "parsed" if out.read_text().strip() == "parsed" and rc == 0 else f"exit {rc}"


def schema_verdict(out: Path, rc: int) -> str:
    n = int(out.read_text().split()[0])
    return "valid (schema)" if n == 0 else f"invalid (schema), {_plural(n, 'error')}"


_TEXT_VERDICT = re.compile(r": (VALID|INVALID), ([\d,]+) errors?, ([\d,]+) warnings?(?:, ([\d,]+) info)?")


def text_verdict(out: Path, rc: int) -> str:
    match = _TEXT_VERDICT.search(out.read_text(encoding="utf-8").strip().splitlines()[-1])
    if match is None:
        return "no verdict line"
    errors, warnings, infos = (int((g or "0").replace(",", "")) for g in match.group(2, 3, 4))
    state = "valid" if match.group(1) == "VALID" else "invalid"
    return f"{state}, {_plural(errors, 'error')}, {warnings:,} warn, {infos:,} info"


# Read in a child process: parsing 250 MB of findings here would grow the harness, and Linux carries a
# process's RSS high-water mark across fork + exec, so every tool started afterwards would report at
# least the harness's peak as its own.
_JSON_ENTRY = (
    "import json,sys\n"
    "entry=json.load(open(sys.argv[1],'rb'))['files'][0]\n"
    "entry['n']=len(entry.pop('findings'))\n"
    "print(json.dumps(entry))\n"
)


def json_verdict(out: Path, rc: int) -> str:
    """The JSON output's verdict, and whether it holds every finding it counts (info needs --verbose)."""
    child = subprocess.run([PY, "-c", _JSON_ENTRY, str(out)], capture_output=True, check=True)
    entry = json.loads(child.stdout)
    written = entry["n"]
    expected = entry["errors"] + entry["warnings"]
    state = "valid" if entry["valid"] else "invalid"
    complete = (
        "all written" if written == expected and not entry["truncated"] else f"ONLY {written:,} written"
    )
    return (
        f"{state}, {_plural(entry['errors'], 'error')}, {entry['warnings']:,} warn, "
        f"{entry['infos']:,} info; {written:,} findings, {complete}"
    )


def split_verdict(out: Path, rc: int) -> str:
    return "split" if rc == 0 else "refused (errors)"


def tools_for(label: str, path: Path, split_dir: Path) -> list[Tool]:
    tools = [
        Tool("orjson parse-only", [PY, "-c", ORJSON_PARSE, str(path)], parsed_verdict),
        Tool("ddas validate", ddas("validate", str(path)), text_verdict),
    ]
    if label != "10k":
        tools.append(
            Tool("ddas validate --format json", ddas("validate", "--format", "json", str(path)), json_verdict)
        )
    if label == "100k":  # streamed like the 1M file (above the in-memory limit): linearity, like for like
        tools.append(Tool("ddas validate --stream", ddas("validate", "--stream", str(path)), text_verdict))
    split = ["split", str(path), "-o", str(split_dir), "--period", PERIOD, "--aanleverdatum", AANLEVERDATUM]
    tools.append(Tool("ddas split", ddas(*split), split_verdict))
    if OFFICIAL_SCHEMA.is_file():
        argv = [PY, "-c", JSONSCHEMA_RS, str(path), str(OFFICIAL_SCHEMA)]
        tools.append(Tool("jsonschema-rs (official)", argv, schema_verdict))
        if label == "10k":
            argv = [PY, "-c", PY_JSONSCHEMA, str(path), str(OFFICIAL_SCHEMA)]
            tools.append(Tool("python-jsonschema (official)", argv, schema_verdict))
    return tools


def run_size(label: str, timeout: float, repeat: int) -> list[Result]:
    path = export_path(label)
    big = label == "1m"  # once each, no warm-up round: a round takes minutes
    with tempfile.TemporaryDirectory(prefix="ddas-bench-") as tmp:
        return measure_all(label, tools_for(label, path, Path(tmp)), timeout, 1 if big else repeat, not big)


def _find(results: list[Result], size: str, what: str) -> Result | None:
    return next((r for r in results if r.size == size and r.what == what), None)


def agreement(results: list[Result]) -> list[str]:
    """Do the tools agree? Schema verdicts against each other; ddas's own error count beside them."""
    lines = []
    for size in dict.fromkeys(r.size for r in results):
        schema = {r.what: r.verdict for r in results if r.size == size and "(official)" in r.what}
        ddas_text = _find(results, size, "ddas validate")
        ddas_json = _find(results, size, "ddas validate --format json")
        same_schema = len(set(schema.values())) <= 1
        text = f"- {size}: official-schema validators {'agree' if same_schema else '**DISAGREE**'}"
        text += f" ({'; '.join(f'{k}: {v}' for k, v in schema.items())})" if schema else ""
        if ddas_text and ddas_json:
            same = ddas_text.verdict.split(";")[0] == ddas_json.verdict.split(";")[0]
            text += f"; ddas text and JSON verdicts {'agree' if same else '**DISAGREE**'}"
        lines.append(text)
    return lines


def verdicts(results: list[Result]) -> list[str]:
    """The performance targets (README "Performance"), each with the measured figure and met / NOT met."""
    lines: list[str] = []

    def check(ok: bool, text: str) -> None:
        lines.append(f"- {'met' if ok else '**NOT met**'}: {text}")

    def ratio(size: str, what: str, limit: float, rss_limit: float | None = None) -> None:
        base, r = _find(results, size, "orjson parse-only"), _find(results, size, what)
        if not (base and r):
            return
        check(
            r.seconds <= limit * base.seconds,
            f"{size} {what}: time {r.seconds / base.seconds:.2f}x parse-only (≤ {limit}x)",
        )
        if rss_limit is not None:
            check(
                r.rss_mb <= rss_limit * base.rss_mb,
                f"{size} {what}: peak RSS {r.rss_mb / base.rss_mb:.2f}x parse-only (≤ {rss_limit}x)",
            )

    ratio("100k-heavy", "ddas validate --format json", 2.0, 1.5)
    ratio("100k-heavy", "ddas validate", 1.6, 1.5)
    ratio("100k-heavy", "ddas split", 2.0, 1.5)
    ratio("100k", "ddas validate", 1.3)
    big, mid = _find(results, "1m", "ddas validate"), _find(results, "100k", "ddas validate")
    if big:
        check(
            big.rc in (0, 1) and big.rss_mb <= 500,
            f"1M ddas validate: peak RSS {big.rss_mb:,.0f} MB (≤ 500 MB)",
        )
        if mid:
            check(
                big.seconds <= 11 * mid.seconds,
                f"1M ddas validate: time {big.seconds / mid.seconds:.1f}x the 100k time (≤ 11x)",
            )
        # 1M is streamed and 100k parsed in memory: the like-for-like figure of linearity, beside it
        streamed = _find(results, "100k", "ddas validate --stream")
        if streamed:
            lines.append(
                f"- (linearity, both streamed: 1M ddas validate is {big.seconds / streamed.seconds:.1f}x "
                "the 100k `ddas validate --stream` time)"
            )
    slow, fast = _find(results, "10k", "python-jsonschema (official)"), _find(results, "10k", "ddas validate")
    if slow and fast:
        check(
            slow.seconds >= 20 * fast.seconds,
            f"10k ddas validate (a fresh process): {slow.seconds / fast.seconds:.1f}x faster than "
            "python-jsonschema (≥ 20x)",
        )
    return lines


def table(results: list[Result]) -> str:
    rows = [
        "| size | what | runs | wall time (s, median) | peak RSS (MB) | time vs orjson | RSS vs orjson "
        "| exit | verdict |",
        "| --- | --- | ---: | ---: | ---: | ---: | ---: | --- | --- |",
    ]
    for r in results:
        base = _find(results, r.size, "orjson parse-only")
        t_ratio = f"{r.seconds / base.seconds:.2f}x" if base and base.seconds else ""
        m_ratio = f"{r.rss_mb / base.rss_mb:.2f}x" if base and base.rss_mb else ""
        exit_ = f"{r.rc}" + (f" ({r.note})" if r.note else "")
        rows.append(
            f"| {r.size} | {r.what} | {r.runs} | {r.seconds:.2f} | {r.rss_mb:,.0f} | {t_ratio} | {m_ratio} "
            f"| {exit_} | {r.verdict} |"
        )
    return "\n".join(rows)


def machine() -> str:
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    python = sys.version.split()[0]
    return f"{platform.system()} {platform.release()}, {os.cpu_count()} CPUs ({cpu}), Python {python}"


def load() -> str:
    try:
        return "/".join(f"{x:.2f}" for x in os.getloadavg())
    except OSError:
        return "n/a"


def rules_build() -> str:
    """Which rules engine the measured `ddas` runs: the mypyc build (`make compile`) or pure Python."""
    probe = "import client.validation.rules, client.validation.rules._native as n; print(n.compiled_in_use())"
    result = subprocess.run([PY, "-c", probe], capture_output=True, text=True, cwd=ROOT, check=False)
    return "compiled with mypyc" if result.stdout.strip() == "True" else "pure Python"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument(
        "--sizes", default="10k,100k,100k-heavy,1m", help=f"comma list of {', '.join(SIZES)} (default all)"
    )
    parser.add_argument("--timeout", type=float, default=3600, help="seconds per measurement")
    parser.add_argument("--repeat", type=int, default=3, help="runs per tool, median kept (1M: once each)")
    parser.add_argument("--markdown", type=Path, help="also write the table to this file")
    args = parser.parse_args(argv)
    labels = [s.strip().lower() for s in args.sizes.split(",") if s.strip()]
    unknown = [s for s in labels if s not in SIZES]
    if unknown:
        parser.error(f"unknown size(s) {unknown}; choose from {', '.join(SIZES)}")
    sys.path.insert(0, str(ROOT))
    for label in labels:
        export_path(label)  # generate first, so that generation is not inside the measured window
    # bytecode for every module the ddas commands import, as an installed command has it
    with tempfile.TemporaryDirectory(prefix="ddas-bench-") as tmp:
        for tool in tools_for("10k", export_path("10k"), Path(tmp)):
            measure_once("warm-up", tool, args.timeout, Path(tmp) / "warm-up.out")
    began, load_before = datetime.now(UTC), load()
    results: list[Result] = []
    for label in labels:
        results.extend(run_size(label, args.timeout, args.repeat))
        print(table([r for r in results if r.size == label]), file=sys.stderr, flush=True)
    text = (
        f"Run {began:%Y-%m-%d %H:%M} UTC on {machine()}; load average (1/5/15 min) {load_before} before, "
        f"{load()} after; rules engine {rules_build()}. "
        f"Data: generator seed {SEED}, variant meerdere, 3 organisations, "
        f"{DATE_FROM}..{DATE_TO}; heavy = defects {', '.join(HEAVY_DEFECTS)} each in "
        f"{HEAVY_SHARE:.0%} of the trajecten; split --period {PERIOD}.\n\n"
        + table(results)
        + "\n\nVerdicts compared:\n"
        + "\n".join(agreement(results))
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
