"""`make demo`, the official route: serve the demo exports with `ddas serve`, pull them as CBS would
(`ddas-mock pull`), and show that per period the pulled trajecten are exactly those the push delivered.

The comparison is on the data the receiver actually holds: the trajecten of the pushed deliveries in
the mock's database against the trajecten of the pulled pages, as multisets of content digests.
"""

from __future__ import annotations

import contextlib
import sqlite3
import time
from collections import Counter
from collections.abc import Iterator, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import orjson
from rich.console import Console
from rich.table import Table

from client.commands._console import rule
from client.delivery.results import Outcome, PushResult
from client.protocol import DeliveryState


@contextlib.contextmanager
def demo_provider(exports: Sequence[Path], keys_dir: Path) -> Iterator[str]:
    """`ddas serve --dev` of the demo's exports in a real uvicorn on loopback: yields its base URL.
    The demo's one provider start-up (the pull step and the test kit's conformance run)."""
    from client.provider.testing import dev_provider_settings, running_provider

    settings = dev_provider_settings(list(exports), keys_dir, aanleverdatum=datetime.now(UTC))
    with running_provider(settings) as url:
        yield url


def pushed_trajecten(mock_db: Path) -> dict[str, Counter[bytes]]:
    """Per period, the trajecten of the receiver's technically approved deliveries (what CBS holds)."""
    from mock_server.puller import traject_digest
    from mock_server.store import decompress

    out: dict[str, Counter[bytes]] = {}
    conn = sqlite3.connect(mock_db)
    try:
        rows = conn.execute(
            "SELECT d.period, p.body FROM deliveries d JOIN pages p ON p.delivery_id = d.id "
            "WHERE d.status = ?",
            (DeliveryState.GOEDGEKEURD.value,),
        ).fetchall()
    finally:
        conn.close()
    for period, blob in rows:
        document = orjson.loads(decompress(blob))
        counter = out.setdefault(str(period), Counter())
        for levering in document["gegevens"]["leveringen"]:
            for traject in levering.get("schuldhulptrajecten", []):
                counter[traject_digest(traject)] += 1
    return out


def run_pull_demo(
    export_paths: Sequence[Path],
    push_result: PushResult,
    console: Console,
    *,
    keys_dir: Path,
    workdir: Path,
    mock_db: Path,
) -> bool:
    """Serve, pull every period the push delivered, compare; True when every period matches."""
    from client.planning import Period
    from mock_server.puller import PullOptions, run_pull

    periods = sorted(
        {d.period for d in push_result.deliveries if d.state in (Outcome.ACCEPTED, Outcome.UNCHANGED)}
    )
    pushed = pushed_trajecten(mock_db)
    pull_db = workdir / "pull.sqlite"
    for stale in workdir.glob("pull.sqlite*"):
        stale.unlink()
    table = Table("period", "pushed trajecten", "pulled trajecten", "pages", "requests", "stored", "equal")
    all_equal = True
    started = time.perf_counter()
    with demo_provider(export_paths, keys_dir) as url:
        console.print(
            f"provider at [cyan]{url}/gegevens[/cyan] (ddas serve --dev); CBS signs with the dev CA"
        )
        for code in periods:
            options = PullOptions(url=url, period=Period.parse(code), dev_dir=keys_dir, db=str(pull_db))
            result = run_pull(options)
            pulled = Counter(result.trajecten_by_digest)
            expected = pushed.get(code, Counter())
            equal = pulled == expected
            all_equal &= equal
            stored = ", ".join(sorted({d.status for d in result.deliveries})) or "-"
            table.add_row(
                code,
                f"{sum(expected.values()):,}",
                f"{sum(pulled.values()):,}",
                str(result.pages),
                str(result.requests),
                stored,
                "[green]yes[/green]" if equal else "[red]NO[/red]",
            )
    console.print(table)
    verdict = "[green]the same trajecten[/green]" if all_equal else "[red]a difference[/red]"
    console.print(
        f"pull route: {len(periods)} period(s) in {time.perf_counter() - started:.1f}s, {verdict} on both "
        f"routes; pulled deliveries stored (technical check, quality report) in [cyan]{pull_db}[/cyan]"
    )
    return all_equal


def step_pull(ctx: Any) -> None:
    """The demo step (mock_server.demo's DemoContext): 7. the official route, pulled and compared."""
    ctx.console.print()
    rule(ctx.console, "[bold]7. The official route: ddas serve, pulled by CBS (ddas-mock pull)[/bold]")
    ok = run_pull_demo(
        ctx.exports,
        ctx.push_result,
        ctx.console,
        keys_dir=ctx.keys_dir,
        workdir=ctx.workdir,
        mock_db=Path(ctx.mock_settings.db),
    )
    ctx.timings["pull_equal"] = 1.0 if ok else 0.0


STEPS = [("pull", step_pull)]
