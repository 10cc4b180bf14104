"""Which rules modules run: the pure-Python ones (the reference), or a mypyc build of exactly them.

`python -m client.devtools.compile` (`make compile`) compiles the rules modules into `_compiled/` beside
this file (git-ignored), with a manifest of the SHA-256 of every source the build depends on. The package
uses the build only when every hash still matches (an edited rule silently falls back to Python until it
is recompiled), the interpreter is the one it was built for, and `DDAS_PURE_PYTHON` is not set. The
manifest also holds each source's size and modification time, as Python's own bytecode cache does: when
they all match, the sources are the ones built from and nothing is hashed (every `ddas validate` start
saves importing hashlib and hashing the sources, ~3 ms); any difference falls back to the hashes. The
build is put first on the package's `__path__`, so `client.validation.rules.engine` and friends resolve
to the compiled modules; nothing else changes. Tests run against whichever is present and must pass
with both.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

import orjson

__all__ = [
    "COMPILED_DIR",
    "MANIFEST",
    "build_is_fresh",
    "compiled_in_use",
    "dependencies",
    "source_digests",
    "source_stamps",
    "use_compiled",
]

HERE = Path(__file__).resolve().parent
COMPILED_DIR = HERE / "_compiled"
MANIFEST = COMPILED_DIR / "manifest.json"
_state = {"used": False}


def dependencies() -> list[Path]:
    """The compiled modules' sources, and the modules they take names and classes from."""
    validation = HERE.parent
    client = validation.parent
    extra = [validation / "findings.py", validation / "catalogue.py", validation / "parse.py"]
    extra += [client / "privacy.py", client / "formats.py"]
    return sorted(p for p in HERE.glob("*.py") if p.name not in ("__init__.py", "_native.py")) + extra


def compiled_modules() -> list[Path]:
    return [p for p in dependencies() if p.parent == HERE]


def source_digests() -> dict[str, str]:
    import hashlib  # only when the stamps differ (or at build time): not on every start

    root = HERE.parent.parent.parent
    return {str(p.relative_to(root)): hashlib.sha256(p.read_bytes()).hexdigest() for p in dependencies()}


def source_stamps() -> dict[str, list[int]]:
    """Size and modification time (ns) of every source: equal stamps mean equal sources, cheaply."""
    root = HERE.parent.parent.parent
    out = {}
    for p in dependencies():
        st = p.stat()
        out[str(p.relative_to(root))] = [st.st_size, st.st_mtime_ns]
    return out


def build_is_fresh() -> bool:
    """True when `_compiled/` holds a build of exactly today's sources, for this interpreter."""
    if not MANIFEST.is_file():
        return False
    try:
        manifest = orjson.loads(MANIFEST.read_bytes())
        return bool(
            manifest.get("cache_tag") == sys.implementation.cache_tag
            and (manifest.get("stamps") == source_stamps() or manifest.get("sources") == source_digests())
        )
    except (OSError, orjson.JSONDecodeError, AttributeError):
        return False


def use_compiled(package_path: list[str]) -> bool:
    """Put a fresh build first on `package_path` (the rules package's `__path__`); False if none."""
    if os.environ.get("DDAS_PURE_PYTHON") or not build_is_fresh():
        return False
    if str(COMPILED_DIR) not in sys.path:
        sys.path.append(str(COMPILED_DIR))  # mypyc's shared runtime module (a unique name)
    package_path.insert(0, str(COMPILED_DIR))
    _state["used"] = True
    return True


def compiled_in_use() -> bool:
    """True when this process runs the mypyc build of the rules."""
    return _state["used"]
