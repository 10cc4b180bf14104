"""`ddas-mock conform URL`: play CBS against any provider of `POST /gegevens` and run the named checks."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from client.commands import exitcodes


def conform(
    url: Annotated[str, typer.Argument(help="The provider's base URL, e.g. http://127.0.0.1:8081/v1")],
    dev: Annotated[
        Path | None, typer.Option(help="Development keys: sign with them, trust DIR/ca.pem, token 'dev'.")
    ] = None,
    token: Annotated[
        str | None, typer.Option(help="The access token to send (Authorization: Bearer).")
    ] = None,
    trust: Annotated[
        list[Path] | None, typer.Option(help="CA file trusted for response signatures (repeatable).")
    ] = None,
    signing_key: Annotated[Path | None, typer.Option(help="PEM key that signs the requests.")] = None,
    signing_chain: Annotated[Path | None, typer.Option(help="PEM chain of the signing key.")] = None,
    period: Annotated[
        str | None, typer.Option(help="Half year to ask, e.g. 2025H2 (default: the last complete one).")
    ] = None,
    organisation: Annotated[str | None, typer.Option(help="aanleverende_organisatie to ask.")] = None,
    junit: Annotated[Path | None, typer.Option(help="Write JUnit XML here (one testcase per check).")] = None,
    html: Annotated[Path | None, typer.Option(help="Write a self-contained HTML summary here.")] = None,
    client_cert: Annotated[
        Path | None, typer.Option(help="TLS client certificate (mutual TLS; --dev: DIR/client-cert.pem).")
    ] = None,
    client_key: Annotated[Path | None, typer.Option(help="Key of the TLS client certificate.")] = None,
    max_pages: Annotated[int, typer.Option(help="Pages followed at most.", min=1, max=100_000)] = 1000,
    max_body_mb: Annotated[int, typer.Option(help="Largest response body read, MiB.", min=1, max=4096)] = 256,
    timeout: Annotated[float, typer.Option(help="Seconds per request.", min=1, max=3600)] = 120.0,
) -> None:
    """Run the conformance checks of the official route against a provider (see docs/conformance.md).

    Exit codes: 0 all checks passed (or skipped), 1 a check failed, 2 the provider cannot be reached or
    configured (bad options, keys, credentials refused).
    """
    from client.commands._serving import usage_errors
    from client.planning.periods import Period
    from mock_server.conform import ConformError, ConformOptions, run_conformance
    from mock_server.conform.checks import Status
    from mock_server.conform.output import html_page, junit_xml, write_private
    from mock_server.serve_cmd import TITLES

    with usage_errors("ddas-mock conform", titles=TITLES):
        if not url.lower().startswith(("http://", "https://")):
            raise ValueError(
                f"{url!r} is not an http(s) URL; give the provider's base URL, e.g. http://host/v1"
            )
        options = ConformOptions(
            url=url,
            dev_dir=dev,
            token=token,
            trust_anchors=list(trust or []),
            signing_key=signing_key,
            signing_chain=signing_chain,
            period=Period.parse(period) if period else None,
            organisation=organisation,
            client_cert=client_cert,
            client_key=client_key,
            timeout=timeout,
            max_body_bytes=max_body_mb * 1024 * 1024,
            max_pages=max_pages,
        )
        try:
            report = run_conformance(options)
        except ConformError as exc:
            typer.echo(f"ddas-mock conform: {exc.message}", err=True)
            raise typer.Exit(exitcodes.USAGE) from None
    typer.echo(f"conformance of {report.url} (POST /gegevens), period {report.period}")
    for result in report.results:
        outcome = result.outcome
        typer.echo(f"  {outcome.status.value.upper():7} {result.check.id:14} {result.check.description}")
        if outcome.status is not Status.PASSED:
            typer.echo(f"          {outcome.detail}")
    counts = ", ".join(f"{report.count(s)} {s.value}" for s in Status)
    typer.echo(f"{'conforms' if report.ok else 'does not conform'}: {counts}")
    with usage_errors("ddas-mock conform", titles=TITLES):
        if junit is not None:
            write_private(junit, junit_xml(report))
            typer.echo(f"JUnit XML: {junit}")
        if html is not None:
            write_private(html, html_page(report).encode("utf-8"))
            typer.echo(f"HTML summary: {html}")
    raise typer.Exit(exitcodes.OK if report.ok else exitcodes.CONTENT_ERROR)


def register(app: typer.Typer) -> None:
    app.command("conform")(conform)
