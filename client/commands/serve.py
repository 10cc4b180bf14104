"""`ddas serve`: offer the official 2026 route (`POST /v1/gegevens`) from the exports, in the foreground."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from client.commands.exitcodes import USAGE


def serve(
    data: Annotated[
        list[Path] | None,
        typer.Option("--data", help="An export file, or a directory of *.json exports (repeatable)."),
    ] = None,
    host: Annotated[str, typer.Option(help="Interface to listen on (loopback by default).")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="TCP port.")] = 8081,
    dev: Annotated[
        Path | None,
        typer.Option(
            help="Development mode: keys in DIR (made if missing), trust DIR/ca.pem, accept token 'dev'."
        ),
    ] = None,
    lenient_signatures: Annotated[
        bool,
        typer.Option(
            "--lenient-signatures", help="Also accept signing profile C (canonical JSON), reported."
        ),
    ] = False,
    config: Annotated[Path | None, typer.Option(help="Configuration file (TOML or YAML).")] = None,
    log_level: Annotated[str, typer.Option(help="uvicorn log level.")] = "info",
) -> None:
    """Serve POST /v1/gegevens (DDAS-SHV.yaml) from your exports, paginated and signed, for CBS to pull."""
    from pydantic import ValidationError

    from client.provider import create_provider_app, load_provider_settings
    from client.serving import serve_forever

    try:
        if config is not None and not config.is_file():
            raise ValueError(f"config file {config} not found")
        missing = [str(p) for p in data or [] if not p.exists()]
        if missing:
            raise ValueError(f"--data {', '.join(missing)}: no such file or directory")
        overrides: dict[str, object] = {"data": data or None, "dev_dir": dev}
        if lenient_signatures:
            overrides["lenient_signatures"] = True
        settings = load_provider_settings(config, **overrides)
        app = create_provider_app(settings)
        version = app.state.provider.cache.version()
    except (ValueError, ValidationError, OSError) as exc:
        typer.echo(f"ddas serve: {exc}", err=True)
        raise typer.Exit(USAGE) from None
    except Exception as exc:  # DataUnavailable: an export that cannot be read
        typer.echo(f"ddas serve: the data cannot be read: {exc}", err=True)
        raise typer.Exit(USAGE) from None
    base = f"http://{host}:{port}{settings.base}"
    typer.echo(f"ddas provider at {base}/gegevens (OpenAPI {base}/openapi.json)")
    typer.echo(
        f"data: {len(version.files)} file(s), {len(version.organisations)} organisation(s), "
        f"sha256 {version.fingerprint.sha256[:16]}…"
    )
    if dev is not None:
        typer.echo(f"development mode: trusting {dev / 'ca.pem'}; token 'dev' accepted")
        typer.echo(f"  try: ddas-mock pull {base} --dev {dev}")
    if settings.lenient_signatures:
        typer.echo("lenient signatures: profile C (canonical JSON) accepted and reported")
    serve_forever(app, host, port, log_level=log_level)


def register(app: typer.Typer) -> None:
    app.command("serve")(serve)
