"""TLS for both sides: the servers' certificate and mutual TLS, the clients' trust and client certificate.

Mutual TLS is the Digikoppeling/FSC norm: with a client CA configured, a server requires a client
certificate issued by that CA and the TLS handshake fails without one, before any HTTP is spoken.
The files are checked when the server starts, so a wrong path or a key that does not belong to the
certificate is a usage error (exit 2) naming the file, not a failure on the first connection.
"""

from __future__ import annotations

import ssl
from dataclasses import dataclass
from pathlib import Path
from typing import Any


@dataclass(frozen=True)
class ServerTLS:
    """A server's certificate chain and key, and (mutual TLS) the CA its clients' certificates come from."""

    cert: Path
    key: Path
    client_ca: Path | None = None

    def context(self) -> ssl.SSLContext:
        """The server context (also the check of the files: ValueError naming the file and the reason)."""
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.minimum_version = ssl.TLSVersion.TLSv1_2
        for name, path in (
            ("--tls-cert", self.cert),
            ("--tls-key", self.key),
            ("--client-ca", self.client_ca),
        ):
            if path is not None and not path.is_file():
                raise ValueError(f"{name} {path}: no such file")
        try:
            context.load_cert_chain(str(self.cert), str(self.key))
        except ssl.SSLError as exc:
            raise ValueError(
                f"--tls-cert {self.cert} / --tls-key {self.key}: not a PEM certificate chain and its "
                f"matching private key ({exc.reason or exc})"
            ) from None
        if self.client_ca is not None:
            try:
                context.load_verify_locations(cafile=str(self.client_ca))
            except ssl.SSLError as exc:
                raise ValueError(
                    f"--client-ca {self.client_ca}: not a PEM CA certificate ({exc.reason or exc})"
                ) from None
            context.verify_mode = ssl.CERT_REQUIRED
        return context

    def describe(self) -> str:
        """The banner line of the serve commands."""
        if self.client_ca is not None:
            return f"TLS: mutual, client certificates of {self.client_ca} required"
        return "TLS: server certificate only (no client certificates asked)"

    def uvicorn_options(self) -> dict[str, Any]:
        """uvicorn's Config arguments for this TLS setup (uvicorn builds its own context from them)."""
        return {
            "ssl_certfile": str(self.cert),
            "ssl_keyfile": str(self.key),
            "ssl_ca_certs": str(self.client_ca) if self.client_ca else None,
            "ssl_cert_reqs": ssl.CERT_REQUIRED if self.client_ca else ssl.CERT_NONE,
        }


def server_tls(cert: Path | None, key: Path | None, client_ca: Path | None) -> ServerTLS | None:
    """The checked TLS setup from the three options, None for plain HTTP; ValueError for a bad combination."""
    if cert is None and key is None:
        if client_ca is not None:
            raise ValueError("--client-ca needs --tls-cert and --tls-key: mutual TLS is TLS first")
        return None
    if cert is None or key is None:
        raise ValueError("--tls-cert and --tls-key go together: give both, or neither for plain HTTP")
    tls = ServerTLS(cert, key, client_ca)
    tls.context()
    return tls


def ssl_context(
    ca_bundle: Path | str | None = None,
    client_cert: Path | str | None = None,
    client_key: Path | str | None = None,
) -> ssl.SSLContext:
    """A client's TLS context verifying the server against `ca_bundle` only (the system CAs when None),
    with an mTLS certificate. OSError (ssl.SSLError included) for files that cannot be used."""
    context = ssl.create_default_context(cafile=str(ca_bundle) if ca_bundle else None)
    if client_cert:
        context.load_cert_chain(str(client_cert), str(client_key) if client_key else None)
    return context


def client_verify(
    ca_bundle: Path | str | None = None,
    client_cert: Path | str | None = None,
    client_key: Path | str | None = None,
) -> ssl.SSLContext | bool:
    """httpx's `verify=` for every client of the toolkit (push, pull, conform, `make_client`): True (the
    system CAs, no client certificate) when neither is given, else `ssl_context`. A development CA is
    passed as `ca_bundle`, so it is trusted alone: a system CA never vouches for a `--dev` server."""
    if not ca_bundle and not client_cert:
        return True
    return ssl_context(ca_bundle, client_cert, client_key)
