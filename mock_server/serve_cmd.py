"""`ddas-mock serve`: run the mock receiver in the foreground."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import click

from client.commands._framework import PATH
from client.commands._serving import (
    check_serve_options,
    client_ca_option,
    config_option,
    host_option,
    log_format_option,
    log_level_option,
    port_option,
    tls_cert_option,
    tls_key_option,
    usage_errors,
)
from client.commands.serve import check_listen
from mock_server.settings import DEFAULT_DB, load_settings, parse_fault_spec

# the models a `ValidationError` names, as the user of `ddas-mock` knows them
TITLES = {"FaultRule": "--faults", "MockSettings": "settings"}


@host_option
@port_option(8080)
@click.option("--db", default=None, help=f"SQLite file (default {DEFAULT_DB}) or :memory:.")
@config_option
@click.option(
    "--dev",
    type=PATH,
    default=None,
    help="Development mode: trust DIR/ca.pem (created if missing), accept client dev/dev.",
)
@click.option(
    "--faults",
    default=None,
    help="Faults, e.g. 500:0.1,429:0.05,accept-drop:0.1 "
    "(kinds: 500 502 503 429 latency reset accept-drop slow).",
)
@click.option("--fault-seed", type=int, default=None, help="Seed that makes the faults reproducible.")
@click.option("--admin-token", default=None, help="Enable /v1/admin behind this bearer token.")
@click.option(
    "--processing-delay", type=float, default=None, help="Seconds a complete delivery stays in_behandeling."
)
@click.option("--lenient-signatures", is_flag=True, help="Also accept signing profile C (canonical JSON).")
@click.option(
    "--today",
    default=None,
    help="Start the mock's clock on this date, YYYY-MM-DD (periods, deadlines, key and token expiry).",
)
@click.option(
    "--test-scenarios", is_flag=True, help="Honour DDAS-Test-Scenario headers (always on with --dev)."
)
@log_level_option
@log_format_option
@tls_cert_option
@tls_key_option
@client_ca_option
def serve(
    host: str,
    port: int,
    db: str | None,
    config: Path | None,
    dev: Path | None,
    faults: str | None,
    fault_seed: int | None,
    admin_token: str | None,
    processing_delay: float | None,
    lenient_signatures: bool,
    today: str | None,
    test_scenarios: bool,
    log_level: str,
    log_format: str | None,
    tls_cert: Path | None,
    tls_key: Path | None,
    client_ca: Path | None,
) -> None:
    """Serve the stateful mock receiver of the push route (PUSH-API.md) on http://HOST:PORT/v1.

    Also GET /health, /ready and /metrics (Prometheus, ddas_mock_*). SIGTERM exits 0 after the
    requests in flight.
    """
    from client.wire.observability import configure_logging, resolve_log_format
    from client.wire.serving import serve_forever
    from client.wire.tls import server_tls
    from mock_server.app import create_app

    with usage_errors("ddas-mock serve", titles=TITLES, config=config):
        check_serve_options(log_level=log_level, config=config)
        check_listen(host, port)
        overrides: dict[str, object] = {
            "db": db,
            "dev_dir": dev,
            "admin_token": admin_token,
            "processing_delay_seconds": processing_delay,
            "tls_cert": tls_cert,
            "tls_key": tls_key,
            "client_ca": client_ca,
            "log_format": log_format,
        }
        if lenient_signatures:
            overrides["lenient_signatures"] = True
        if test_scenarios:
            overrides["test_scenarios"] = True
        if today is not None:
            overrides["today"] = parse_today_option(today)
        settings = load_settings(config, **overrides)
        if faults or fault_seed is not None:
            rules = parse_fault_spec(faults) if faults else []
            settings.faults = settings.faults.model_copy(
                update={
                    "rules": [*settings.faults.rules, *rules],
                    "seed": fault_seed if fault_seed is not None else settings.faults.seed,
                }
            )
        tls = server_tls(settings.tls_cert, settings.tls_key, settings.client_ca)
        resolve_log_format(settings.log_format)
        app = create_app(settings)
    configure_logging(settings.log_format, log_level)
    base = f"{'https' if tls else 'http'}://{host}:{port}{app.state.mock.settings.base_path}"
    click.echo(
        f"ddas-mock receiver at {base} (token endpoint {base}/oauth/token, OpenAPI {base}/openapi.json)"
    )
    click.echo(f"database: {settings.db}")
    if dev is not None:
        click.echo(
            f"development mode: trusting {dev / 'ca.pem'}; client id 'dev', secret 'dev', scope 'aanleveren'"
        )
        click.echo(f"  try: ddas push --dev {dev} --base-url {base} ...")
    ctx = app.state.mock
    if ctx.settings.admin_enabled:
        token_note = (
            "token 'dev'" if dev is not None and not settings.admin_token else "bearer token required"
        )
        click.echo(f"admin endpoints on at {base}/admin ({token_note})")
    if ctx.settings.scenarios_enabled:
        click.echo("test scenarios on: send DDAS-Test-Scenario: NAME (see docs/mock.md)")
    if ctx.clock.moved:
        click.echo(f"clock: today is {ctx.clock.today().isoformat()} (PUT/DELETE {base}/admin/clock)")
    if settings.faults.rules or settings.faults.scripts:
        click.echo(
            f"faults: {len(settings.faults.rules)} rule(s), {len(settings.faults.scripts)} script(s), "
            f"seed {settings.faults.seed}"
        )
    if tls is not None:
        click.echo(tls.describe())
    serve_forever(
        app, host, port, log_level=log_level, log_config=None, **(tls.uvicorn_options() if tls else {})
    )


def parse_today_option(value: str) -> date:
    """`--today YYYY-MM-DD` as a date, or a ValueError that says how to write it."""
    from mock_server.clock import out_of_range, read_day

    day = read_day(value)
    if day is None:
        raise ValueError(f"--today {value!r} is not a date; write YYYY-MM-DD, e.g. --today 2027-07-01")
    problem = out_of_range(day)
    if problem is not None:
        raise ValueError(f"--today {problem}")
    return day


def register(app: click.Group) -> None:
    app.command("serve")(serve)
