"""`ddas-mock pull URL`: play CBS on the official route: pull a period and store it like a pushed delivery."""

from __future__ import annotations

from pathlib import Path

import click

from client.commands import exitcodes
from client.commands._console import error
from client.commands._framework import PATH, argument
from client.protocol import MAX_PAGE_TRAJECTEN

EXAMPLE_URL = "http://127.0.0.1:8081/v1"


@argument("url", doc="The provider's base URL, e.g. http://127.0.0.1:8081/v1")
@click.option(
    "--period", default=None, help="Half year to pull, e.g. 2026H1 (default: the last complete one)."
)
@click.option(
    "--page-size",
    type=click.IntRange(1, MAX_PAGE_TRAJECTEN),
    default=None,
    help=f"pageSize to ask (1..{MAX_PAGE_TRAJECTEN}).",
)
@click.option("--organisation", default=None, help="aanleverende_organisatie to ask (default: all).")
@click.option("--token", default=None, help="A bearer token to send as is.")
@click.option("--client-id", default=None, help="OAuth2 client id (client credentials).")
@click.option("--client-secret", default=None, help="OAuth2 client secret.")
@click.option("--token-url", default=None, help="OAuth2 token endpoint.")
@click.option("--fsc", is_flag=True, help="Send the token in Fsc-Authorization instead of Authorization.")
@click.option(
    "--dev", type=PATH, default=None, help="Development keys: sign with them, trust DIR/ca.pem, token 'dev'."
)
@click.option(
    "--trust-anchor", type=PATH, multiple=True, help="CA file trusted for response signatures (repeatable)."
)
@click.option("--signing-key", type=PATH, default=None, help="PEM key that signs the requests.")
@click.option("--signing-chain", type=PATH, default=None, help="PEM chain of the signing key.")
@click.option(
    "--client-cert",
    type=PATH,
    default=None,
    help="TLS client certificate (PEM) for a provider with mutual TLS (--dev: DIR's own).",
)
@click.option("--client-key", type=PATH, default=None, help="The private key of --client-cert (PEM).")
@click.option(
    "--ca-bundle",
    type=PATH,
    default=None,
    help="CA file that verifies the provider's TLS certificate (--dev: DIR/ca.pem).",
)
@click.option("--db", default=None, help="The mock receiver's SQLite file to store into.")
@click.option("--config", type=PATH, default=None, help="The mock's configuration file (TOML or YAML).")
@click.option("--lenient-signatures", is_flag=True, help="Accept profile C response signatures (reported).")
@click.option("--no-store", is_flag=True, help="Pull and check only; store nothing.")
@click.option(
    "--max-attempts", type=click.IntRange(min=1), default=5, help="Attempts per request, retries included."
)
def pull(
    url: str,
    period: str | None,
    page_size: int | None,
    organisation: str | None,
    token: str | None,
    client_id: str | None,
    client_secret: str | None,
    token_url: str | None,
    fsc: bool,
    dev: Path | None,
    trust_anchor: tuple[Path, ...],
    signing_key: Path | None,
    signing_chain: Path | None,
    client_cert: Path | None,
    client_key: Path | None,
    ca_bundle: Path | None,
    db: str | None,
    config: Path | None,
    lenient_signatures: bool,
    no_store: bool,
    max_attempts: int,
) -> None:
    """Pull POST /gegevens page by page (signed, verified, checked) and store it as a delivery.

    Exit codes: 0 stored and technically approved, 1 refused or content errors, 2 usage, 3 unreachable.
    """
    from client.commands._serving import usage_errors
    from client.planning.periods import Period
    from mock_server.puller import PullError, PullOptions, run_pull
    from mock_server.serve_cmd import TITLES

    with usage_errors("ddas-mock pull", titles=TITLES, config=config):
        try:
            if not url.lower().startswith(("http://", "https://")):
                raise ValueError(
                    f"{url!r} is not an http(s) URL; give the provider's base URL, e.g. {EXAMPLE_URL}"
                )
            options = PullOptions(
                url=url,
                period=Period.parse(period) if period else None,
                page_size=page_size,
                organisation=organisation,
                token=token,
                client_id=client_id,
                client_secret=client_secret,
                token_url=token_url,
                auth_header="Fsc-Authorization" if fsc else "Authorization",
                dev_dir=dev,
                trust_anchors=list(trust_anchor),
                signing_key=signing_key,
                signing_chain=signing_chain,
                client_cert=client_cert,
                client_key=client_key,
                ca_bundle=ca_bundle,
                db=db,
                lenient=lenient_signatures,
                max_attempts=max_attempts,
            )
            result = run_pull(options, store=not no_store, config=config)
        except PullError as exc:
            error("ddas-mock pull", f"{exc.message}")
            code = {"usage": exitcodes.USAGE, "unreachable": exitcodes.NOT_DELIVERED}.get(
                exc.kind, exitcodes.CONTENT_ERROR
            )
            raise click.exceptions.Exit(code) from None
    click.echo(
        f"pulled {result.period.code} from {result.url}: {result.pages} page(s), "
        f"{result.trajecten:,} trajecten, {len(result.organisations)} organisation(s), "
        f"{result.requests} request(s), {result.size:,} bytes"
    )
    for finding in result.findings:
        click.echo(f"  {finding.severity.value} {finding.code}: {finding.message}")
    for d in result.deliveries:
        line = f"  {d.organisation}: {d.status}, {d.trajecten:,} trajecten in {d.pages} page(s)"
        line += f", {d.errors} errors, {d.warnings} warnings" + (f" (id {d.id})" if d.id else "")
        click.echo(line + (f": {d.problem}" if d.problem else ""))
    if no_store:
        click.echo("not stored (--no-store)")
    raise click.exceptions.Exit(exitcodes.OK if result.ok else exitcodes.CONTENT_ERROR)


def register(app: click.Group) -> None:
    app.command("pull")(pull)
