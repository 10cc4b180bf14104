"""The push journal: states, pinning, the run lock, file modes (no server needed)."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from client.delivery.journal import Journal, JournalError, LockHeld

RECEIVER = "http://127.0.0.1:9/v1"


def _pin(journal: Journal, content: str = "c1", when: str = "2026-07-01T10:00:00Z") -> None:
    journal.pin_delivery(
        receiver=RECEIVER,
        delivery_key="2026H1|kvk:1|SHV",
        content_hash=content,
        period="2026H1",
        organisatie="kvk:1",
        uitvraagdeel="SHV",
        aanleverdatum=when,
        total_pages=2,
        trajecten=10,
        filename="SHV_2026H1_Org_SHV.json",
    )


def _page(journal: Journal, key: str, number: int, content: str = "c1") -> None:
    journal.plan_page(
        idempotency_key=key,
        receiver=RECEIVER,
        delivery_key="2026H1|kvk:1|SHV",
        content_hash=content,
        period="2026H1",
        organisatie="kvk:1",
        uitvraagdeel="SHV",
        page=number,
        total_pages=2,
        page_hash=f"h{number}",
    )


def test_pinned_timestamp_survives_a_second_run(tmp_path: Path) -> None:
    path = tmp_path / "j" / "journal.sqlite"
    with Journal(path) as journal:
        _pin(journal, when="2026-07-01T10:00:00Z")
    with Journal(path) as journal:
        _pin(journal, when="2026-07-02T11:11:11Z")  # a rerun plans again with another "now"
        record = journal.delivery(RECEIVER, "2026H1|kvk:1|SHV", "c1")
        assert record is not None and record.aanleverdatum == "2026-07-01T10:00:00Z"


def test_page_states_and_attempts(tmp_path: Path) -> None:
    with Journal(tmp_path / "journal.sqlite") as journal:
        _pin(journal)
        _page(journal, "k1", 1)
        _page(journal, "k2", 2)
        journal.mark_sending("k1")
        journal.mark_sending("k1")
        page = journal.page("k1")
        assert page is not None and page.state == "sending" and page.attempts == 2
        journal.mark_page("k1", "sent", receiver_id="D1")
        journal.mark_sending("k1")  # a later attempt never downgrades a sent page
        page = journal.page("k1")
        assert page is not None and page.state == "sent" and page.receiver_id == "D1" and page.sent_at
        journal.note_problem("k2", "HTTP 503 for BSN 123456782")
        page = journal.page("k2")
        assert page is not None and page.last_problem is not None and "123456782" not in page.last_problem
        journal.mark_delivery_pages(RECEIVER, "2026H1|kvk:1|SHV", "c1", "accepted")
        assert [p.state for p in journal.pages(RECEIVER, "2026H1|kvk:1|SHV", "c1")] == ["accepted", "planned"]
        with pytest.raises(ValueError):
            journal.mark_page("k1", "bogus")


def test_last_accepted_is_what_due_compares_with(tmp_path: Path) -> None:
    with Journal(tmp_path / "journal.sqlite") as journal:
        _pin(journal, "c1")
        assert journal.last_accepted(RECEIVER, "2026H1|kvk:1|SHV") is None
        journal.set_delivery(RECEIVER, "2026H1|kvk:1|SHV", "c1", state="accepted", receiver_id="D1")
        _pin(journal, "c2")
        journal.set_delivery(
            RECEIVER,
            "2026H1|kvk:1|SHV",
            "c2",
            state="rejected",
            findings=[{"code": "X", "severity": "error"}],
        )
        last = journal.last_accepted(RECEIVER, "2026H1|kvk:1|SHV")
        assert last is not None and last.content_hash == "c1"
        rejected = journal.delivery(RECEIVER, "2026H1|kvk:1|SHV", "c2")
        assert rejected is not None and rejected.to_dict()["findings"] == [{"code": "X", "severity": "error"}]
        assert [d.content_hash for d in journal.deliveries(period="2026H1")] == ["c1", "c2"]
        assert journal.find_by_receiver_id("D1")[0].content_hash == "c1"


def test_files_are_private(tmp_path: Path) -> None:
    path = tmp_path / "private" / "journal.sqlite"
    with Journal(path) as journal, journal.locked():
        _pin(journal)
        for candidate in [path, journal.lock_path, *path.parent.glob("journal.sqlite-*")]:
            mode = stat.S_IMODE(os.stat(candidate).st_mode)
            assert mode & 0o077 == 0, f"{candidate} has mode {oct(mode)}"


def test_lock_keeps_a_second_run_out(tmp_path: Path) -> None:
    path = tmp_path / "journal.sqlite"
    first = Journal(path)
    first.acquire()
    try:
        second = Journal(path)
        with pytest.raises(LockHeld) as info:
            second.acquire()
        assert f"pid {os.getpid()}" in str(info.value)
        second.close()
        holder = first.lock_holder()
        assert holder is not None and holder["pid"] == os.getpid()
    finally:
        first.close()
    again = Journal(path)
    again.acquire()  # released: a new run gets it
    again.close()


@pytest.mark.timeout(30)
def test_lock_of_a_killed_process_is_released(tmp_path: Path) -> None:
    """A SIGKILLed run leaves no stale lock: the kernel drops its flock."""
    path = tmp_path / "journal.sqlite"
    code = (
        "import sys, time; from client.delivery.journal import Journal; "
        "j = Journal(sys.argv[1]); j.acquire();"
        " print('locked', flush=True); time.sleep(60)"
    )
    proc = subprocess.Popen([sys.executable, "-c", code, str(path)], stdout=subprocess.PIPE, text=True)
    try:
        assert proc.stdout is not None and proc.stdout.readline().strip() == "locked"
        journal = Journal(path)
        with pytest.raises(LockHeld):
            journal.acquire()
        proc.kill()
        proc.wait(timeout=10)
        journal.acquire()
        journal.close()
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait(timeout=10)


def test_not_a_journal_is_a_clear_error(tmp_path: Path) -> None:
    path = tmp_path / "journal.sqlite"
    path.write_bytes(b"this is not sqlite" * 100)
    with pytest.raises(JournalError, match="cannot open the journal"):
        Journal(path)
