"""Helpers for the push tests: development keys, a real mock receiver on loopback, exports, and a look
into the receiver's store to count what it holds. (No tests here: the fixtures live with their tests.)"""

from __future__ import annotations

import contextlib
import sqlite3
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from client.delivery.config import PushSettings, load_settings


def mock_settings(db: Path, keys_dir: Path, **overrides: Any) -> Any:
    from mock_server.settings import MockSettings

    overrides.setdefault("processing_delay_seconds", 0.0)
    return MockSettings(db=str(db), dev_dir=keys_dir, **overrides)


def fault_settings(
    kinds: dict[str, float], *, seed: int = 7, slow: float = 1.0, latency: float = 0.05
) -> Any:
    from mock_server.settings import FaultRule, FaultSettings

    return FaultSettings(
        rules=[FaultRule(kind=kind, probability=p) for kind, p in kinds.items()],
        seed=seed,
        retry_after_seconds=1,
        latency_seconds=latency,
        slow_seconds=slow,
    )


@contextlib.contextmanager
def running_mock(db: Path, keys_dir: Path, **overrides: Any) -> Iterator[str]:
    """A mock receiver in a real uvicorn on a free loopback port; yields the base URL (…/v1)."""
    from client.wire.serving import serve_in_thread
    from mock_server.app import create_app

    with serve_in_thread(create_app(mock_settings(db, keys_dir, **overrides))) as url:
        yield url + "/v1"


def client_settings(keys_dir: Path, base_url: str, journal: Path, **overrides: Any) -> PushSettings:
    """Development-mode client settings with short waits, so that retries cost milliseconds in tests."""
    values: dict[str, Any] = {
        "journal": journal,
        "backoff_initial": 0.01,
        "backoff_max": 0.05,
        "retry_after_cap": 0.05,
        "poll_interval": 0.05,
        "poll_max_interval": 0.1,
        "poll_timeout": 30.0,
        "connect_timeout": 2.0,
        "read_timeout": 10.0,
    }
    values.update(overrides)
    return load_settings(None, dev=keys_dir, base_url=base_url, **values)


def settings_env(keys_dir: Path, base_url: str, journal: Path, **overrides: Any) -> dict[str, str]:
    """The same as environment variables, for `ddas push` run as a subprocess."""
    values = {
        "DDAS_JOURNAL": str(journal),
        "DDAS_BACKOFF_INITIAL": "0.01",
        "DDAS_BACKOFF_MAX": "0.05",
        "DDAS_RETRY_AFTER_CAP": "0.05",
        "DDAS_POLL_INTERVAL": "0.05",
        "DDAS_POLL_MAX_INTERVAL": "0.1",
        "DDAS_CONNECT_TIMEOUT": "2",
        "DDAS_READ_TIMEOUT": "10",
    }
    values.update({f"DDAS_{k.upper()}": str(v) for k, v in overrides.items()})
    return values


def write_export(
    path: Path,
    trajecten: int,
    *,
    start: date = date(2026, 1, 1),
    end: date = date(2026, 6, 30),
    organisaties: int = 1,
    seed: int = 1,
    variant: str = "gemeente",
) -> Path:
    from client.devtools.generate import write_export as generate

    generate(
        path,
        trajecten=trajecten,
        date_from=start,
        date_to=end,
        organisaties=organisaties,
        seed=seed,
        variant=variant,
    )
    return path


@dataclass
class Held:
    """What the receiver holds: its deliveries and pages (read straight from its SQLite store)."""

    deliveries: list[dict[str, Any]]
    pages: list[dict[str, Any]]

    def by_scope(self) -> dict[tuple[str, str, str], list[dict[str, Any]]]:
        out: dict[tuple[str, str, str], list[dict[str, Any]]] = {}
        for row in self.deliveries:
            out.setdefault((row["org_key"], row["period"], row["uitvraagdeel"]), []).append(row)
        return out

    def assert_exactly_once(self, expected_deliveries: int, expected_pages: int) -> None:
        """One delivery per scope, all accepted, every page once: nothing missing, nothing twice."""
        scopes = self.by_scope()
        assert len(scopes) == expected_deliveries, f"{len(scopes)} scopes, expected {expected_deliveries}"
        twice = {scope: [r["status"] for r in rows] for scope, rows in scopes.items() if len(rows) != 1}
        assert not twice, f"delivered more than once: {twice}"
        states = {row["status"] for row in self.deliveries}
        assert states == {"technisch_goedgekeurd"}, f"states {states}"
        assert len(self.pages) == expected_pages, f"{len(self.pages)} pages held, expected {expected_pages}"
        for row in self.deliveries:
            held = sorted(p["number"] for p in self.pages if p["delivery_id"] == row["id"])
            assert held == list(range(1, row["total_pages"] + 1)), f"delivery {row['id']} holds pages {held}"


def held(db: Path) -> Held:
    with contextlib.closing(sqlite3.connect(f"file:{db}?mode=ro", uri=True)) as conn:
        conn.row_factory = sqlite3.Row
        deliveries = [
            dict(r)
            for r in conn.execute(
                "SELECT id, org_key, period, uitvraagdeel, status, total_pages FROM deliveries"
            )
        ]
        pages = [dict(r) for r in conn.execute("SELECT delivery_id, number, body_sha256 FROM pages")]
    return Held(deliveries, pages)
