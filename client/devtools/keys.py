"""Development keys: a local CA, a signing key and chain, a loopback TLS certificate and a TLS client one.

`ddas keys dev --dir DIR` writes them so that `ddas push --dev DIR`, `ddas serve --dev DIR` and
`ddas-mock serve --dev DIR` trust each other with zero configuration. Development only: the CA is
self-signed and its key sits next to it (`ca-key.pem`, 0600) so that more certificates can be issued.
`issue_certificate` also mints the odd certificates tests need (expired, from another CA).
"""

from __future__ import annotations

import ipaddress
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

from client.files import write_atomic
from client.wire.signing import Signer, SigningProfile, Verifier, load_certificates, load_private_key

CA_FILE = "ca.pem"
CA_KEY_FILE = "ca-key.pem"
SIGNING_KEY_FILE = "signing-key.pem"
SIGNING_CHAIN_FILE = "signing-chain.pem"
TLS_CERT_FILE = "tls-cert.pem"
TLS_KEY_FILE = "tls-key.pem"
CLIENT_CERT_FILE = "client-cert.pem"
CLIENT_KEY_FILE = "client-key.pem"
DEV_FILES = (
    CA_FILE,
    CA_KEY_FILE,
    SIGNING_KEY_FILE,
    SIGNING_CHAIN_FILE,
    TLS_CERT_FILE,
    TLS_KEY_FILE,
    CLIENT_CERT_FILE,
    CLIENT_KEY_FILE,
)
DEV_CLIENT_CN = "ddas development client"
DEV_KID = "ddas-dev-signer"
DEFAULT_KEY_SIZE = 2048
TEN_YEARS = timedelta(days=3653)


class DevKeysError(ValueError):
    """The development key directory is unusable (incomplete, unreadable)."""


def generate_key(key_size: int = DEFAULT_KEY_SIZE) -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=key_size)


def _name(cn: str) -> x509.Name:
    return x509.Name(
        [
            x509.NameAttribute(NameOID.COUNTRY_NAME, "NL"),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, "ddas development"),
            x509.NameAttribute(NameOID.COMMON_NAME, cn),
        ]
    )


def make_ca(
    cn: str = "ddas development CA",
    not_before: datetime | None = None,
    not_after: datetime | None = None,
    *,
    key: rsa.RSAPrivateKey | None = None,
    key_size: int = DEFAULT_KEY_SIZE,
) -> tuple[rsa.RSAPrivateKey, x509.Certificate]:
    """A self-signed CA certificate (10 years by default) and its key."""
    key = key or generate_key(key_size)
    not_before = not_before or datetime.now(UTC) - timedelta(hours=1)
    not_after = not_after or not_before + TEN_YEARS
    ski = x509.SubjectKeyIdentifier.from_public_key(key.public_key())
    cert = (
        x509.CertificateBuilder()
        .subject_name(_name(cn))
        .issuer_name(_name(cn))
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(not_before)
        .not_valid_after(not_after)
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=True,
                content_commitment=False,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=True,
                crl_sign=True,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(ski, critical=False)
        .sign(key, hashes.SHA256())
    )
    return key, cert


def issue_certificate(
    ca_key: rsa.RSAPrivateKey,
    ca_cert: x509.Certificate,
    cn: str,
    not_before: datetime | None = None,
    not_after: datetime | None = None,
    *,
    key: rsa.RSAPrivateKey | None = None,
    key_size: int = DEFAULT_KEY_SIZE,
    is_ca: bool = False,
    dns_names: Sequence[str] = (),
    ip_addresses: Sequence[str] = (),
    server: bool = False,
    client: bool = False,
) -> tuple[rsa.RSAPrivateKey, x509.Certificate]:
    """A certificate for `cn` signed by the CA: signing, unless `server` (TLS server), `client` (TLS client)
    or `is_ca`."""
    key = key or generate_key(key_size)
    not_before = not_before or datetime.now(UTC) - timedelta(hours=1)
    not_after = not_after or not_before + TEN_YEARS
    builder = (
        x509.CertificateBuilder()
        .subject_name(_name(cn))
        .issuer_name(ca_cert.subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(not_before)
        .not_valid_after(not_after)
        .add_extension(x509.BasicConstraints(ca=is_ca, path_length=None), critical=True)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()),
            critical=False,
        )
        .add_extension(
            x509.KeyUsage(
                digital_signature=True,
                content_commitment=not server and not client and not is_ca,
                key_encipherment=server or client,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=is_ca,
                crl_sign=is_ca,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
    )
    if server:
        builder = builder.add_extension(
            x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH, ExtendedKeyUsageOID.CLIENT_AUTH]),
            critical=False,
        )
    elif client:
        builder = builder.add_extension(
            x509.ExtendedKeyUsage([ExtendedKeyUsageOID.CLIENT_AUTH]), critical=False
        )
    alt_names: list[x509.GeneralName] = [x509.DNSName(n) for n in dns_names]
    alt_names += [x509.IPAddress(ipaddress.ip_address(a)) for a in ip_addresses]
    if alt_names:
        builder = builder.add_extension(x509.SubjectAlternativeName(alt_names), critical=False)
    return key, builder.sign(ca_key, hashes.SHA256())


def key_pem(key: rsa.RSAPrivateKey) -> bytes:
    return key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )


def cert_pem(*certs: x509.Certificate) -> bytes:
    return b"".join(c.public_bytes(serialization.Encoding.PEM) for c in certs)


@dataclass(frozen=True)
class DevKeys:
    """The files of a development key directory, with loaders for what the other parts need."""

    dir: Path
    created: bool = False

    @property
    def ca_path(self) -> Path:
        return self.dir / CA_FILE

    @property
    def ca_key_path(self) -> Path:
        return self.dir / CA_KEY_FILE

    @property
    def signing_key_path(self) -> Path:
        return self.dir / SIGNING_KEY_FILE

    @property
    def signing_chain_path(self) -> Path:
        return self.dir / SIGNING_CHAIN_FILE

    @property
    def tls_cert_path(self) -> Path:
        return self.dir / TLS_CERT_FILE

    @property
    def tls_key_path(self) -> Path:
        return self.dir / TLS_KEY_FILE

    @property
    def client_cert_path(self) -> Path:
        """The TLS client certificate (mutual TLS to `ddas serve --client-ca DIR/ca.pem`)."""
        return self.dir / CLIENT_CERT_FILE

    @property
    def client_key_path(self) -> Path:
        return self.dir / CLIENT_KEY_FILE

    @classmethod
    def load(cls, directory: Path | str) -> DevKeys:
        """The key set in `directory`; DevKeysError naming what is missing or unreadable."""
        keys = cls(Path(directory))
        required = (CA_FILE, SIGNING_KEY_FILE, SIGNING_CHAIN_FILE, TLS_CERT_FILE, TLS_KEY_FILE)
        missing = [name for name in required if not (keys.dir / name).is_file()]
        if missing:
            raise DevKeysError(
                f"{keys.dir}: development keys incomplete, missing {', '.join(missing)}; "
                f"run `ddas keys dev --dir {keys.dir}`"
            )
        try:
            keys.ca_certificate()
            keys.signer()
        except (OSError, ValueError) as exc:
            raise DevKeysError(f"{keys.dir}: development keys unreadable: {exc}") from None
        return keys

    def ca_certificate(self) -> x509.Certificate:
        return load_certificates(self.ca_path)[0]

    def ca_key(self) -> rsa.RSAPrivateKey:
        return load_private_key(self.ca_key_path)

    def chain(self) -> list[x509.Certificate]:
        return load_certificates(self.signing_chain_path)

    def trust_anchors(self) -> list[x509.Certificate]:
        return load_certificates(self.ca_path)

    def signer(self, kid: str = DEV_KID, profile: SigningProfile = SigningProfile.ADR) -> Signer:
        return Signer(load_private_key(self.signing_key_path), self.chain(), kid, profile)

    def verifier(self, *, lenient: bool = False, require_digest: bool = True) -> Verifier:
        return Verifier(self.trust_anchors(), lenient=lenient, require_digest=require_digest)


def write_dev_keys(
    directory: Path | str, *, force: bool = False, key_size: int = DEFAULT_KEY_SIZE
) -> DevKeys:
    """Create the development key set in `directory`, keeping existing files unless `force`.

    With an existing CA (and its key) only the missing leaf files are created; an incomplete set
    without the CA key cannot be repaired without `force`.
    """
    path = Path(directory)
    if path.exists() and not path.is_dir():
        raise DevKeysError(f"{path}: not a directory; give a directory for the development keys")
    try:
        path.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise DevKeysError(f"{path}: cannot create the key directory: {exc.strerror or exc}") from None
    keys = DevKeys(path)
    present = {name for name in DEV_FILES if (path / name).is_file()}
    complete = {CA_FILE, SIGNING_KEY_FILE, SIGNING_CHAIN_FILE, TLS_CERT_FILE, TLS_KEY_FILE}
    clients = {CLIENT_CERT_FILE, CLIENT_KEY_FILE}
    # a set from before the client certificate: completed when the CA key is there, else used as it is
    if not force and present >= complete and (present >= clients or CA_KEY_FILE not in present):
        return DevKeys.load(path)

    if not force and present and not {CA_FILE, CA_KEY_FILE} <= present:
        raise DevKeysError(
            f"{path}: incomplete development keys without the CA key ({', '.join(sorted(present))}); "
            "use --force to create a new set"
        )
    if force or CA_FILE not in present:
        ca_key, ca_cert = make_ca(key_size=key_size)
        write_atomic(keys.ca_key_path, key_pem(ca_key), 0o600)
        write_atomic(keys.ca_path, cert_pem(ca_cert), 0o644)
        present = {CA_FILE, CA_KEY_FILE}
    else:
        ca_key, ca_cert = keys.ca_key(), keys.ca_certificate()

    if not {SIGNING_KEY_FILE, SIGNING_CHAIN_FILE} <= present:
        signing_key, signing_cert = issue_certificate(ca_key, ca_cert, DEV_KID, key_size=key_size)
        write_atomic(keys.signing_key_path, key_pem(signing_key), 0o600)
        write_atomic(keys.signing_chain_path, cert_pem(signing_cert, ca_cert), 0o644)
    if not {TLS_CERT_FILE, TLS_KEY_FILE} <= present:
        tls_key, tls_cert = issue_certificate(
            ca_key,
            ca_cert,
            "localhost",
            key_size=key_size,
            server=True,
            dns_names=("localhost",),
            ip_addresses=("127.0.0.1", "::1"),
        )
        write_atomic(keys.tls_key_path, key_pem(tls_key), 0o600)
        write_atomic(keys.tls_cert_path, cert_pem(tls_cert, ca_cert), 0o644)
    if not clients <= present:
        client_key, client_cert = issue_certificate(
            ca_key, ca_cert, DEV_CLIENT_CN, key_size=key_size, client=True
        )
        write_atomic(keys.client_key_path, key_pem(client_key), 0o600)
        write_atomic(keys.client_cert_path, cert_pem(client_cert, ca_cert), 0o644)
    return DevKeys(path, created=True)
