"""`ddas-mock serve`: run the mock receiver in the foreground."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from client.commands._serving import (
    ConfigOption,
    HostOption,
    LogLevelOption,
    PortOption,
    check_serve_options,
    usage_errors,
)
from client.commands.serve import check_listen
from mock_server.settings import DEFAULT_DB, load_settings, parse_fault_spec

# the models a `ValidationError` names, as the user of `ddas-mock` knows them
TITLES = {"FaultRule": "--faults", "MockSettings": "settings"}


def serve(
    host: HostOption = "127.0.0.1",
    port: PortOption = 8080,
    db: Annotated[str | None, typer.Option(help=f"SQLite file (default {DEFAULT_DB}) or :memory:.")] = None,
    config: ConfigOption = None,
    dev: Annotated[
        Path | None,
        typer.Option(help="Development mode: trust DIR/ca.pem (created if missing), accept client dev/dev."),
    ] = None,
    faults: Annotated[
        str | None,
        typer.Option(
            help="Faults, e.g. 500:0.1,429:0.05,accept-drop:0.1 "
            "(kinds: 500 502 503 429 latency reset accept-drop slow)."
        ),
    ] = None,
    fault_seed: Annotated[int | None, typer.Option(help="Seed that makes the faults reproducible.")] = None,
    admin_token: Annotated[
        str | None, typer.Option(help="Enable /v1/admin behind this bearer token.")
    ] = None,
    processing_delay: Annotated[
        float | None, typer.Option(help="Seconds a complete delivery stays in_behandeling.")
    ] = None,
    lenient_signatures: Annotated[
        bool, typer.Option("--lenient-signatures", help="Also accept signing profile C (canonical JSON).")
    ] = False,
    log_level: LogLevelOption = "info",
) -> None:
    """Serve the stateful mock receiver of the push route (PUSH-API.md) on http://HOST:PORT/v1."""
    from client.wire.serving import serve_forever
    from mock_server.app import create_app

    with usage_errors("ddas-mock serve", titles=TITLES, config=config):
        check_serve_options(log_level=log_level, config=config)
        check_listen(host, port)
        overrides: dict[str, object] = {
            "db": db,
            "dev_dir": dev,
            "admin_token": admin_token,
            "processing_delay_seconds": processing_delay,
        }
        if lenient_signatures:
            overrides["lenient_signatures"] = True
        settings = load_settings(config, **overrides)
        if faults or fault_seed is not None:
            rules = parse_fault_spec(faults) if faults else []
            settings.faults = settings.faults.model_copy(
                update={
                    "rules": [*settings.faults.rules, *rules],
                    "seed": fault_seed if fault_seed is not None else settings.faults.seed,
                }
            )
        app = create_app(settings)
    import logging

    level = logging.getLevelName(log_level.upper())
    logging.basicConfig(
        level=level if isinstance(level, int) else logging.INFO,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )
    base = f"http://{host}:{port}{app.state.mock.settings.base_path}"
    typer.echo(
        f"ddas-mock receiver at {base} (token endpoint {base}/oauth/token, OpenAPI {base}/openapi.json)"
    )
    typer.echo(f"database: {settings.db}")
    if dev is not None:
        typer.echo(
            f"development mode: trusting {dev / 'ca.pem'}; client id 'dev', secret 'dev', scope 'aanleveren'"
        )
        typer.echo(f"  try: ddas push --dev {dev} --base-url {base} ...")
    if settings.admin_enabled:
        typer.echo(f"admin endpoints on at {base}/admin (bearer token required)")
    if settings.faults.rules or settings.faults.scripts:
        typer.echo(
            f"faults: {len(settings.faults.rules)} rule(s), {len(settings.faults.scripts)} script(s), "
            f"seed {settings.faults.seed}"
        )
    serve_forever(app, host, port, log_level=log_level)


def register(app: typer.Typer) -> None:
    app.command("serve")(serve)
