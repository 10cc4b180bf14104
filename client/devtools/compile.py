"""`python -m client.devtools.compile`: build the rules engine with mypyc (the default build of `make`).

Why: on warning-heavy exports the rules are most of `ddas validate`'s time, and mypyc runs the same
typed Python about twice as fast. The pure-Python modules stay the source and the reference: the build
goes to `client/validation/rules/_compiled/` (git-ignored) with a manifest of source hashes, and is used
only while it matches the sources (`client.validation.rules._native`). Needs mypy (a dev dependency) and
a C compiler; without them the rules stay pure Python (same results, slower). `--if-stale` builds only
when there is no fresh build; `--clean` removes the build.

It also byte-compiles `client/` (`__pycache__`, as installing a wheel does): where
PYTHONDONTWRITEBYTECODE is set (containers, CI) an editable install never caches bytecode, and every
`ddas validate` would compile its ~30 modules from source again (~40 ms, a tenth of a 10k validation).

Exit codes: 0 built, already fresh, or cleaned; 2 mypyc or the compiler is missing or the build failed.
"""

from __future__ import annotations

import argparse
import compileall
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import orjson

from client.validation.rules._native import (
    COMPILED_DIR,
    MANIFEST,
    build_is_fresh,
    compiled_modules,
    source_digests,
    source_stamps,
)

__all__ = ["build", "main", "write_bytecode"]

CLIENT = Path(__file__).resolve().parent.parent


def build() -> Path:
    """Compile into a scratch copy of `client/` (mypyc names modules by their path), then move the
    extension modules and mypyc's shared runtime into `_compiled/`. Raises RuntimeError on failure."""
    stamps = source_stamps()  # taken first: the build must match what it was built from
    digests = source_digests()
    with tempfile.TemporaryDirectory(prefix="ddas-mypyc-") as tmp:
        work = Path(tmp)
        shutil.copytree(
            CLIENT, work / "client", ignore=shutil.ignore_patterns("__pycache__", "_compiled", "*.so")
        )
        sources = [str(p.relative_to(CLIENT.parent)) for p in compiled_modules()]
        command = [sys.executable, "-m", "mypyc", *sources]
        result = subprocess.run(command, cwd=work, capture_output=True, text=True, check=False)
        if result.returncode != 0:
            raise RuntimeError(
                f"mypyc failed (exit {result.returncode}):\n{result.stdout[-3000:]}{result.stderr[-3000:]}"
            )
        built = sorted((work / "client" / "validation" / "rules").glob("*.so")) + sorted(work.glob("*.so"))
        if not built:
            raise RuntimeError("mypyc produced no extension modules")
        shutil.rmtree(COMPILED_DIR, ignore_errors=True)
        COMPILED_DIR.mkdir(parents=True)
        for path in built:
            shutil.copy2(path, COMPILED_DIR / path.name)
    MANIFEST.write_bytes(
        orjson.dumps(
            {"cache_tag": sys.implementation.cache_tag, "sources": digests, "stamps": stamps},
            option=orjson.OPT_INDENT_2,
        )
    )
    print(f"compiled {len(sources)} rules modules into {COMPILED_DIR}")
    return COMPILED_DIR


def write_bytecode(root: Path = CLIENT) -> bool:
    """Byte-compile every module under `root` into its `__pycache__` (whatever PYTHONDONTWRITEBYTECODE
    says: compileall writes explicitly). Python checks each cached file against its source's size and
    time, so an edited module is never run from stale bytecode. False when a module does not compile."""
    return bool(compileall.compile_dir(str(root), quiet=1, workers=1))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m client.devtools.compile", description=__doc__)
    parser.add_argument("--clean", action="store_true", help="remove the compiled build (pure Python again)")
    parser.add_argument(
        "--if-stale", action="store_true", help="build only when there is no build of today's sources"
    )
    args = parser.parse_args(argv)
    if not args.clean:
        write_bytecode()  # pays with or without mypyc, and when the build is fresh (then it is quick)
    if args.if_stale and build_is_fresh():
        print(f"the compiled rules in {COMPILED_DIR} match the sources")
        return 0
    if args.clean:
        shutil.rmtree(COMPILED_DIR, ignore_errors=True)
        print(f"removed {COMPILED_DIR}")
        return 0
    try:
        import mypyc  # noqa: F401
    except ImportError:
        print(
            "compile: mypyc is not installed (pip install mypy); the rules stay pure Python", file=sys.stderr
        )
        return 2
    try:
        build()
    except (RuntimeError, OSError) as exc:
        print(f"compile: {exc}\nthe rules stay pure Python", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
