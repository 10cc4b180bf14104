"""`ddas keys dev`: write the development CA, signing key and chain, and loopback TLS certificate."""

from __future__ import annotations

from pathlib import Path

import typer

from client.commands import exitcodes
from client.commands._console import error


def register(app: typer.Typer) -> None:
    keys_app = typer.Typer(help="Key material for development and tests.", no_args_is_help=True)

    @keys_app.command("dev")
    def dev(
        directory: Path = typer.Option(..., "--dir", help="Directory for the key files (made if absent)."),
        force: bool = typer.Option(False, "--force", help="Replace existing files with a new set."),
        key_size: int = typer.Option(2048, "--key-size", min=2048, max=8192, help="RSA key size in bits."),
    ) -> None:
        """Write ca.pem, signing-key.pem, signing-chain.pem, tls-cert.pem, tls-key.pem, client-cert.pem
        and client-key.pem (a TLS client certificate for mutual TLS) into DIR.

        Existing files are kept unless --force, so running it again is safe. Development only: the CA
        is self-signed; `--dev DIR` on `ddas push`, `ddas serve` and `ddas-mock serve` trusts it.
        """
        from client.devtools.keys import DevKeysError, write_dev_keys  # cryptography: only when keys are made

        try:
            keys = write_dev_keys(directory, force=force, key_size=key_size)
        except (DevKeysError, OSError, ValueError) as exc:
            error("ddas keys dev", f"{exc}")
            raise typer.Exit(exitcodes.USAGE) from None
        state = "written" if keys.created else "kept (use --force to replace)"
        typer.echo(f"development keys {state} in {keys.dir}")
        for path in (
            keys.ca_path,
            keys.signing_key_path,
            keys.signing_chain_path,
            keys.tls_cert_path,
            keys.tls_key_path,
            keys.client_cert_path,
            keys.client_key_path,
        ):
            typer.echo(f"  {path}")

    app.add_typer(keys_app, name="keys")
