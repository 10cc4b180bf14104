"""`ddas-mock conform URL`: play CBS against any provider of `POST /gegevens` and run the named checks."""

from __future__ import annotations

from pathlib import Path

import click

from client.commands import exitcodes
from client.commands._framework import PATH, argument


@argument("url", doc="The provider's base URL, e.g. http://127.0.0.1:8081/v1")
@click.option(
    "--dev", type=PATH, default=None, help="Development keys: sign with them, trust DIR/ca.pem, token 'dev'."
)
@click.option("--token", default=None, help="The access token to send (Authorization: Bearer).")
@click.option(
    "--trust", type=PATH, multiple=True, help="CA file trusted for response signatures (repeatable)."
)
@click.option("--signing-key", type=PATH, default=None, help="PEM key that signs the requests.")
@click.option("--signing-chain", type=PATH, default=None, help="PEM chain of the signing key.")
@click.option(
    "--period", default=None, help="Half year to ask, e.g. 2025H2 (default: the last complete one)."
)
@click.option("--organisation", default=None, help="aanleverende_organisatie to ask.")
@click.option("--junit", type=PATH, default=None, help="Write JUnit XML here (one testcase per check).")
@click.option("--html", type=PATH, default=None, help="Write a self-contained HTML summary here.")
@click.option(
    "--client-cert",
    type=PATH,
    default=None,
    help="TLS client certificate (mutual TLS; --dev: DIR/client-cert.pem).",
)
@click.option("--client-key", type=PATH, default=None, help="Key of the TLS client certificate.")
@click.option("--max-pages", type=click.IntRange(1, 100_000), default=1000, help="Pages followed at most.")
@click.option(
    "--max-body-mb", type=click.IntRange(1, 4096), default=256, help="Largest response body read, MiB."
)
@click.option("--timeout", type=click.FloatRange(1, 3600), default=120.0, help="Seconds per request.")
def conform(
    url: str,
    dev: Path | None,
    token: str | None,
    trust: tuple[Path, ...],
    signing_key: Path | None,
    signing_chain: Path | None,
    period: str | None,
    organisation: str | None,
    junit: Path | None,
    html: Path | None,
    client_cert: Path | None,
    client_key: Path | None,
    max_pages: int,
    max_body_mb: int,
    timeout: float,
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
            trust_anchors=list(trust),
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
            click.echo(f"ddas-mock conform: {exc.message}", err=True)
            raise click.exceptions.Exit(exitcodes.USAGE) from None
    click.echo(f"conformance of {report.url} (POST /gegevens), period {report.period}")
    for result in report.results:
        outcome = result.outcome
        click.echo(f"  {outcome.status.value.upper():7} {result.check.id:14} {result.check.description}")
        if outcome.status is not Status.PASSED:
            click.echo(f"          {outcome.detail}")
    counts = ", ".join(f"{report.count(s)} {s.value}" for s in Status)
    click.echo(f"{'conforms' if report.ok else 'does not conform'}: {counts}")
    with usage_errors("ddas-mock conform", titles=TITLES):
        if junit is not None:
            write_private(junit, junit_xml(report))
            click.echo(f"JUnit XML: {junit}")
        if html is not None:
            write_private(html, html_page(report).encode("utf-8"))
            click.echo(f"HTML summary: {html}")
    raise click.exceptions.Exit(exitcodes.OK if report.ok else exitcodes.CONTENT_ERROR)


def register(app: click.Group) -> None:
    app.command("conform")(conform)
