"""`ddas-mock pull URL`: play CBS on the official route: pull a period and store it like a pushed delivery."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from client.commands import exitcodes
from client.commands._console import error
from client.protocol import MAX_PAGE_TRAJECTEN

EXAMPLE_URL = "http://127.0.0.1:8081/v1"


def pull(
    url: Annotated[str, typer.Argument(help="The provider's base URL, e.g. http://127.0.0.1:8081/v1")],
    period: Annotated[
        str | None, typer.Option(help="Half year to pull, e.g. 2026H1 (default: the last complete one).")
    ] = None,
    page_size: Annotated[
        int | None,
        typer.Option(help=f"pageSize to ask (1..{MAX_PAGE_TRAJECTEN}).", min=1, max=MAX_PAGE_TRAJECTEN),
    ] = None,
    organisation: Annotated[
        str | None, typer.Option(help="aanleverende_organisatie to ask (default: all).")
    ] = None,
    token: Annotated[str | None, typer.Option(help="A bearer token to send as is.")] = None,
    client_id: Annotated[str | None, typer.Option(help="OAuth2 client id (client credentials).")] = None,
    client_secret: Annotated[str | None, typer.Option(help="OAuth2 client secret.")] = None,
    token_url: Annotated[str | None, typer.Option(help="OAuth2 token endpoint.")] = None,
    fsc: Annotated[
        bool, typer.Option("--fsc", help="Send the token in Fsc-Authorization instead of Authorization.")
    ] = False,
    dev: Annotated[
        Path | None, typer.Option(help="Development keys: sign with them, trust DIR/ca.pem, token 'dev'.")
    ] = None,
    trust_anchor: Annotated[
        list[Path] | None, typer.Option(help="CA file trusted for response signatures (repeatable).")
    ] = None,
    signing_key: Annotated[Path | None, typer.Option(help="PEM key that signs the requests.")] = None,
    signing_chain: Annotated[Path | None, typer.Option(help="PEM chain of the signing key.")] = None,
    client_cert: Annotated[
        Path | None,
        typer.Option(help="TLS client certificate (PEM) for a provider with mutual TLS (--dev: DIR's own)."),
    ] = None,
    client_key: Annotated[Path | None, typer.Option(help="The private key of --client-cert (PEM).")] = None,
    ca_bundle: Annotated[
        Path | None,
        typer.Option(help="CA file that verifies the provider's TLS certificate (--dev: DIR/ca.pem)."),
    ] = None,
    db: Annotated[str | None, typer.Option(help="The mock receiver's SQLite file to store into.")] = None,
    config: Annotated[Path | None, typer.Option(help="The mock's configuration file (TOML or YAML).")] = None,
    lenient_signatures: Annotated[
        bool, typer.Option("--lenient-signatures", help="Accept profile C response signatures (reported).")
    ] = False,
    no_store: Annotated[bool, typer.Option("--no-store", help="Pull and check only; store nothing.")] = False,
    max_attempts: Annotated[int, typer.Option(help="Attempts per request, retries included.", min=1)] = 5,
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
                trust_anchors=list(trust_anchor or []),
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
            raise typer.Exit(code) from None
    typer.echo(
        f"pulled {result.period.code} from {result.url}: {result.pages} page(s), "
        f"{result.trajecten:,} trajecten, {len(result.organisations)} organisation(s), "
        f"{result.requests} request(s), {result.size:,} bytes"
    )
    for finding in result.findings:
        typer.echo(f"  {finding.severity.value} {finding.code}: {finding.message}")
    for d in result.deliveries:
        line = f"  {d.organisation}: {d.status}, {d.trajecten:,} trajecten in {d.pages} page(s)"
        line += f", {d.errors} errors, {d.warnings} warnings" + (f" (id {d.id})" if d.id else "")
        typer.echo(line + (f": {d.problem}" if d.problem else ""))
    if no_store:
        typer.echo("not stored (--no-store)")
    raise typer.Exit(exitcodes.OK if result.ok else exitcodes.CONTENT_ERROR)


def register(app: typer.Typer) -> None:
    app.command("pull")(pull)
