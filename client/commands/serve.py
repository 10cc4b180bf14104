"""`ddas serve`: offer the official 2026 route (`POST /v1/gegevens`) from the exports, in the foreground."""

from __future__ import annotations

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


def check_listen(host: str, port: int) -> None:
    """Raise `ValueError` when HOST:PORT cannot be listened on (in use, no such interface).

    Checked before the banner, so a busy port is a usage error (exit 2) with a hint instead of
    uvicorn's startup failure (exit 3, "not delivered") after the server was announced.
    """
    import socket

    try:
        socket.create_server((host, port)).close()
    except OSError as exc:
        reason = exc.strerror or str(exc)
        raise ValueError(
            f"cannot listen on {host}:{port}: {reason}; choose another --port or --host"
        ) from None


@click.option(
    "--data",
    type=PATH,
    multiple=True,
    help="An export file, or a directory of *.json exports (repeatable).",
)
@host_option
@port_option(8081)
@click.option(
    "--dev",
    type=PATH,
    default=None,
    help="Development mode: keys in DIR (made if missing), trust DIR/ca.pem, accept token 'dev'.",
)
@click.option(
    "--lenient-signatures", is_flag=True, help="Also accept signing profile C (canonical JSON), reported."
)
@config_option
@log_level_option
@log_format_option
@tls_cert_option
@tls_key_option
@client_ca_option
def serve(
    data: tuple[Path, ...],
    host: str,
    port: int,
    dev: Path | None,
    lenient_signatures: bool,
    config: Path | None,
    log_level: str,
    log_format: str | None,
    tls_cert: Path | None,
    tls_key: Path | None,
    client_ca: Path | None,
) -> None:
    """Serve POST /v1/gegevens (DDAS-SHV.yaml) from your exports, paginated and signed, for CBS to pull.

    Also GET /health, /ready (503 until the page cache is warm) and /metrics (Prometheus). SIGTERM
    finishes the requests in flight and exits 0.
    """
    from client.provider import create_provider_app, load_provider_settings
    from client.wire.observability import configure_logging, resolve_log_format
    from client.wire.serving import serve_forever
    from client.wire.tls import server_tls

    # any other error: DataUnavailable, an export that cannot be read
    with usage_errors("ddas serve", other="the data cannot be read"):
        check_serve_options(log_level=log_level, config=config)
        check_listen(host, port)
        missing = [str(p) for p in data if not p.exists()]
        if missing:
            raise ValueError(f"--data {', '.join(missing)}: no such file or directory")
        special = [str(p) for p in data if not (p.is_file() or p.is_dir())]
        if special:
            raise ValueError(f"--data {', '.join(special)}: not a regular file (a pipe or device)")
        overrides: dict[str, object] = {
            "data": list(data) or None,
            "dev_dir": dev,
            "tls_cert": tls_cert,
            "tls_key": tls_key,
            "client_ca": client_ca,
            "log_format": log_format,
        }
        if lenient_signatures:
            overrides["lenient_signatures"] = True
        settings = load_provider_settings(config, **overrides)
        tls = server_tls(settings.tls_cert, settings.tls_key, settings.client_ca)
        resolve_log_format(settings.log_format)
        app = create_provider_app(settings)
        version = app.state.provider.cache.version()
        organisations = len(version.organisations)  # reads every export once: bad data fails here
    scheme = "https" if tls else "http"
    base = f"{scheme}://{host}:{port}{settings.base}"
    click.echo(f"ddas provider at {base}/gegevens (OpenAPI {base}/openapi.json)")
    click.echo(f"operations: {scheme}://{host}:{port}/health, /ready, /metrics")
    if tls is not None:
        click.echo(tls.describe())
    click.echo(
        f"data: {len(version.files)} file(s), {organisations} organisation(s), "
        f"sha256 {version.fingerprint.sha256[:16]}…"
    )
    if dev is not None:
        click.echo(f"development mode: trusting {dev / 'ca.pem'}; token 'dev' accepted")
        click.echo(f"  try: ddas-mock pull {base} --dev {dev}")
    if settings.lenient_signatures:
        click.echo("lenient signatures: profile C (canonical JSON) accepted and reported")
    configure_logging(settings.log_format, log_level)
    serve_forever(
        app,
        host,
        port,
        log_level=log_level,
        log_config=None,
        shutdown_grace=settings.shutdown_grace_seconds,
        **(tls.uvicorn_options() if tls else {}),
    )


def register(app: click.Group) -> None:
    app.command("serve")(serve)
