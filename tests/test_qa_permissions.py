"""QA: every file that holds BSNs is private (0600), whoever writes it; the demo's public files hold none."""

from __future__ import annotations

import io
import os
import re
import stat
from datetime import date
from pathlib import Path

import pytest
from click.testing import CliRunner
from rich.console import Console

from client.cli import app as ddas_app

pytestmark = pytest.mark.timeout(90)

DATABASE = re.compile(r"\.sqlite(-wal|-shm|-journal)?$|\.lock$")


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def assert_private(paths: list[Path]) -> None:
    assert paths, "no files to check"
    loose = {str(p): oct(mode(p)) for p in paths if mode(p) != 0o600}
    assert not loose, f"files holding BSNs must be 0600: {loose}"


@pytest.fixture(autouse=True)
def open_umask() -> object:
    """A permissive umask, as on many servers: the product must not rely on the user's umask."""
    old = os.umask(0o022)
    yield None
    os.umask(old)


def test_generate_and_split_write_private_files(tmp_path: Path) -> None:
    export = tmp_path / "export.json"
    export.write_text("{}", encoding="utf-8")
    export.chmod(0o644)  # an existing, readable file is replaced by a private one
    result = CliRunner().invoke(
        ddas_app,
        ["generate", "-n", "30", "--from", "2025-01-01", "--to", "2025-06-30", "-o", str(export), "-q"],
    )
    assert result.exit_code == 0, result.output
    assert_private([export])
    out = tmp_path / "split"
    result = CliRunner().invoke(
        ddas_app, ["split", str(export), "-o", str(out), "--period", "2025H1", "--zip", "--page-size", "10"]
    )
    assert result.exit_code == 0, result.output
    written = sorted(out.rglob("*.*"))
    assert len([p for p in written if p.suffix == ".json"]) >= 3 and any(p.suffix == ".zip" for p in written)
    assert_private(written)


def test_push_journal_is_private(tmp_path: Path) -> None:
    from client.delivery.journal import Journal
    from client.devtools.generate import write_export

    export = tmp_path / "e.json"
    write_export(export, trajecten=10, date_from=date(2025, 1, 1), date_to=date(2025, 6, 30))
    journal = tmp_path / "state" / "journal.sqlite"
    with Journal(journal) as j, j.locked():
        files = sorted(p for p in journal.parent.iterdir() if DATABASE.search(p.name))
        assert journal in files
        assert_private(files)  # -wal and -shm too, while they exist
    result = CliRunner().invoke(
        ddas_app, ["push", str(export), "--period", "2025H1", "--dry-run", "--journal", str(journal)]
    )
    assert result.exit_code == 0, result.output
    assert_private(sorted(p for p in journal.parent.iterdir() if DATABASE.search(p.name)))


def test_mock_database_is_private_new_and_existing(tmp_path: Path) -> None:
    from mock_server.store import Store

    fresh = tmp_path / "new" / "mock.sqlite"
    store = Store(fresh)
    try:
        store.set_meta("qa", b"x")  # a write: WAL and shared memory files appear
        files = sorted(p for p in fresh.parent.iterdir() if DATABASE.search(p.name))
        assert {p.name for p in files} >= {"mock.sqlite", "mock.sqlite-wal", "mock.sqlite-shm"}
        assert_private(files)
    finally:
        store.close()
    # a database made by an older version (0644) is made private when opened
    old = tmp_path / "old.sqlite"
    Store(old).close()
    old.chmod(0o644)
    Store(old).close()
    assert_private([old])


def test_demo_files_with_bsns_are_private_and_reports_hold_none(tmp_path: Path) -> None:
    from mock_server import demo

    out = io.StringIO()
    work = tmp_path / "demo"
    demo.run(work, trajecten=300, console=Console(file=out, width=120, highlight=False))
    holding = [p for p in work.rglob("*") if p.is_file() and (p.suffix == ".json" or DATABASE.search(p.name))]
    assert any(p.suffix == ".json" for p in holding) and any(p.name.endswith(".sqlite") for p in holding)
    assert_private(holding)
    bsns = set()
    for data in (work / "data").glob("*.json"):
        bsns |= set(re.findall(r'"Burgerservicenummer"\s*:\s*"(\d{9})"', data.read_text(encoding="utf-8")))
    assert len(bsns) > 100
    public = [p.read_text(encoding="utf-8") for p in (work / "reports").glob("*.html")]
    assert public, "the demo wrote no HTML reports"
    for text in [*public, out.getvalue()]:
        assert not [b for b in bsns if b in text], "a BSN in the demo's output or reports"
