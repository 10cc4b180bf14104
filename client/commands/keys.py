"""`ddas keys dev`: write the development CA, signing key and chain, and loopback TLS certificate."""

from __future__ import annotations

from pathlib import Path

import click

from client.commands import exitcodes
from client.commands._console import error
from client.commands._framework import PATH


def register(app: click.Group) -> None:
    @app.group("keys", help="Key material for development and tests.", no_args_is_help=True)
    def keys_app() -> None:
        pass

    @keys_app.command("dev")
    @click.option(
        "--dir", "directory", type=PATH, required=True, help="Directory for the key files (made if absent)."
    )
    @click.option("--force", is_flag=True, help="Replace existing files with a new set.")
    @click.option("--key-size", type=click.IntRange(2048, 8192), default=2048, help="RSA key size in bits.")
    def dev(directory: Path, force: bool, key_size: int) -> None:
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
            raise click.exceptions.Exit(exitcodes.USAGE) from None
        state = "written" if keys.created else "kept (use --force to replace)"
        click.echo(f"development keys {state} in {keys.dir}")
        for path in (
            keys.ca_path,
            keys.signing_key_path,
            keys.signing_chain_path,
            keys.tls_cert_path,
            keys.tls_key_path,
            keys.client_cert_path,
            keys.client_key_path,
        ):
            click.echo(f"  {path}")
