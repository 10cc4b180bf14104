"""The optional mypyc build of the rules is used only while it matches the sources (else pure Python)."""

from __future__ import annotations

import sys
from pathlib import Path

import orjson
import pytest

from client.validation.rules import _native


@pytest.fixture
def build_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setattr(_native, "COMPILED_DIR", tmp_path)
    monkeypatch.setattr(_native, "MANIFEST", tmp_path / "manifest.json")
    monkeypatch.setattr(_native, "_state", {"used": False})
    monkeypatch.delenv("DDAS_PURE_PYTHON", raising=False)
    monkeypatch.setattr(sys, "path", list(sys.path))
    return tmp_path


def _manifest(build_dir: Path, sources: dict[str, str], tag: str = sys.implementation.cache_tag) -> None:
    (build_dir / "manifest.json").write_bytes(orjson.dumps({"cache_tag": tag, "sources": sources}))


def test_no_build_means_pure_python(build_dir: Path) -> None:
    path: list[str] = []
    assert _native.use_compiled(path) is False and path == [] and not _native.compiled_in_use()


def test_a_fresh_build_goes_first_on_the_package_path(build_dir: Path) -> None:
    _manifest(build_dir, _native.source_digests())
    path = ["/the/package"]
    assert _native.use_compiled(path) is True
    assert path == [str(build_dir), "/the/package"] and _native.compiled_in_use()


def test_an_edited_source_falls_back_to_python(build_dir: Path) -> None:
    digests = _native.source_digests()
    first = next(iter(digests))
    _manifest(build_dir, {**digests, first: "0" * 64})
    path: list[str] = []
    assert _native.use_compiled(path) is False and path == []


def test_another_interpreter_or_the_opt_out_means_python(
    build_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _manifest(build_dir, _native.source_digests(), tag="cpython-99")
    assert _native.use_compiled([]) is False
    _manifest(build_dir, _native.source_digests())
    monkeypatch.setenv("DDAS_PURE_PYTHON", "1")
    assert _native.use_compiled([]) is False


def test_the_digests_cover_every_rules_module_and_what_they_import() -> None:
    names = set(_native.source_digests())
    assert "client/validation/rules/engine.py" in names and "client/validation/findings.py" in names
    assert "client/validation/rules/__init__.py" not in names  # it chooses; it is never compiled


def test_build_is_fresh_only_for_a_build_of_todays_sources(build_dir: Path) -> None:
    assert not _native.build_is_fresh()
    (build_dir / "manifest.json").write_bytes(b"not json")
    assert not _native.build_is_fresh()
    _manifest(build_dir, _native.source_digests())
    assert _native.build_is_fresh()


def test_if_stale_keeps_a_fresh_build(build_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """`make rules` runs `--if-stale` on every `make demo`/`make test`: a fresh build is never rebuilt."""
    from client.devtools import compile as compile_module

    built: list[bool] = []
    monkeypatch.setattr(compile_module, "build", lambda: built.append(True) or build_dir)
    _manifest(build_dir, _native.source_digests())
    assert compile_module.main(["--if-stale"]) == 0 and built == []
    _manifest(build_dir, {})
    assert compile_module.main(["--if-stale"]) == 0 and built == [True]


def _stamped(build_dir: Path, sources: dict[str, str], stamps: dict[str, list[int]]) -> None:
    manifest = {"cache_tag": sys.implementation.cache_tag, "sources": sources, "stamps": stamps}
    (build_dir / "manifest.json").write_bytes(orjson.dumps(manifest))


def test_equal_stamps_mean_fresh_without_hashing(build_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _stamped(build_dir, {}, _native.source_stamps())

    def no_hashing() -> dict[str, str]:
        raise AssertionError("hashed although every size and time matched")

    monkeypatch.setattr(_native, "source_digests", no_hashing)
    assert _native.use_compiled([]) is True


def test_a_differing_stamp_falls_back_to_the_hashes(build_dir: Path) -> None:
    stamps = _native.source_stamps()
    first = next(iter(stamps))
    touched = {**stamps, first: [stamps[first][0], stamps[first][1] - 1]}  # e.g. a checkout: same content
    _stamped(build_dir, _native.source_digests(), touched)
    assert _native.use_compiled([]) is True
    digests = _native.source_digests()
    _stamped(build_dir, {**digests, first: "0" * 64}, touched)  # edited: neither matches
    assert _native.use_compiled([]) is False
    assert set(stamps) == set(digests)  # both cover the same sources


def test_the_build_writes_bytecode_even_when_python_would_not(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`python -m client.devtools.compile` byte-compiles the package, as a wheel install does, so that
    no `ddas validate` compiles modules from source where PYTHONDONTWRITEBYTECODE is set."""
    from client.devtools.compile import write_bytecode

    monkeypatch.setattr(sys, "dont_write_bytecode", True)
    pkg = tmp_path / "pkg"
    (pkg / "sub").mkdir(parents=True)
    (pkg / "mod.py").write_text("X = 1\n")
    (pkg / "sub" / "deep.py").write_text("Y = 2\n")
    assert write_bytecode(pkg) is True
    tag = sys.implementation.cache_tag
    assert (pkg / "__pycache__" / f"mod.{tag}.pyc").is_file()
    assert (pkg / "sub" / "__pycache__" / f"deep.{tag}.pyc").is_file()
    (pkg / "bad.py").write_text("def (:\n")
    assert write_bytecode(pkg) is False
