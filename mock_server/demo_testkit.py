"""The demo's test-kit step: one forced scenario on the mock, then a conformance run against `ddas serve`."""

from __future__ import annotations

import time
from typing import Any

from rich.markup import escape
from rich.table import Table

from client.commands._console import rule

SCENARIO = "technisch_afgekeurd"
MAX_POLLS = 100


def show_scenario(ctx: Any) -> str:
    """Deliver one page with `DDAS-Test-Scenario: technisch_afgekeurd`; the state it ends in."""
    from client.devtools.keys import DevKeys
    from mock_server.testing import MockClient, envelope, make_document

    body = envelope(make_document("2026H1", 3, seed=11))
    with MockClient(ctx.base_url, DevKeys.load(ctx.keys_dir).signer()) as client:
        answer = client.deliver(body, key="demo-scenario", headers={"DDAS-Test-Scenario": SCENARIO})
        link = f"/aanleveringen/{answer.json()['id']}"
        resource = client.get(link).json()
        for _ in range(MAX_POLLS):
            if resource["status"] != "in_behandeling":
                break
            time.sleep(0.1)
            resource = client.get(link).json()
    codes = ", ".join(f["code"] for f in resource.get("findings", []) if f["severity"] == "error")
    ctx.console.print(
        f"POST /aanleveringen with [cyan]DDAS-Test-Scenario: {SCENARIO}[/cyan]: HTTP {answer.status_code}, "
        f"then the delivery is [bold]{resource['status']}[/bold] ({escape(codes)})"
    )
    return str(resource["status"])


def show_conformance(ctx: Any) -> bool:
    """`ddas-mock conform` against a `ddas serve --dev` of the demo's exports; True when it conforms."""
    from mock_server.conform import ConformOptions, run_conformance
    from mock_server.demo_pull import demo_provider

    with demo_provider(ctx.exports, ctx.keys_dir) as url:
        report = run_conformance(ConformOptions(url=url, dev_dir=ctx.keys_dir))
    table = Table("check", "result", "what", "seen")
    for result in report.results:
        colour = {"passed": "green", "failed": "red"}.get(result.outcome.status.value, "yellow")
        table.add_row(
            result.check.id,
            f"[{colour}]{result.outcome.status.value}[/{colour}]",
            escape(result.check.description),
            escape(result.outcome.detail),
        )
    ctx.console.print(f"ddas-mock conform {url} --dev {escape(str(ctx.keys_dir))} (period {report.period}):")
    ctx.console.print(table)
    return report.ok


def step_testkit(ctx: Any) -> None:
    """The demo step (mock_server.demo's DemoContext): 8. the vendor's test kit."""
    ctx.console.print()
    rule(ctx.console, "[bold]8. The test kit: a forced scenario and a conformance run[/bold]")
    status = show_scenario(ctx)
    ok = show_conformance(ctx)
    ctx.timings["testkit_ok"] = 1.0 if ok and status == "technisch_afgekeurd" else 0.0
