"""Shared test PKI for the wire tests (generated once per process: 2048-bit keys), and a JWS forger.

Imported by the other `test_wire_*` modules; the few tests here check the helpers themselves.
"""

from __future__ import annotations

import functools
import json
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding, rsa

from client.devtools.keys import issue_certificate, make_ca
from client.wire.signing import Signer, SigningProfile, b64url_encode, digest_header

NOW = datetime.now(UTC)


@dataclass(frozen=True)
class Pki:
    ca_key: rsa.RSAPrivateKey
    ca: x509.Certificate
    signer_key: rsa.RSAPrivateKey
    signer_cert: x509.Certificate
    other_ca_key: rsa.RSAPrivateKey
    other_ca: x509.Certificate
    other_key: rsa.RSAPrivateKey
    other_cert: x509.Certificate  # issued by other_ca
    expired_cert: x509.Certificate  # signer_key, issued by ca, expired
    future_cert: x509.Certificate  # signer_key, issued by ca, not yet valid

    def signer(self, profile: SigningProfile = SigningProfile.ADR, **kwargs: Any) -> Signer:
        return Signer(self.signer_key, [self.signer_cert, self.ca], "test-kid", profile, **kwargs)


@functools.cache
def pki() -> Pki:
    ca_key, ca = make_ca("wire test CA")
    signer_key, signer_cert = issue_certificate(ca_key, ca, "ddas-test-signer")
    other_ca_key, other_ca = make_ca("some other CA")
    other_key, other_cert = issue_certificate(other_ca_key, other_ca, "stranger")
    _, expired = issue_certificate(
        ca_key, ca, "expired", NOW - timedelta(days=400), NOW - timedelta(days=1), key=signer_key
    )
    _, future = issue_certificate(
        ca_key, ca, "future", NOW + timedelta(days=1), NOW + timedelta(days=400), key=signer_key
    )
    return Pki(
        ca_key, ca, signer_key, signer_cert, other_ca_key, other_ca, other_key, other_cert, expired, future
    )


PSS = padding.PSS(mgf=padding.MGF1(hashes.SHA256()), salt_length=32)


def forge(
    header: dict[str, Any],
    body: bytes,
    key: rsa.RSAPrivateKey,
    *,
    adr: bool = True,
    digest: str | None = None,
) -> list[tuple[str, str]]:
    """Headers for `body` with an arbitrary protected header, signed with PSS as profile A or B would be."""
    digest = digest or digest_header(body)
    encoded = b64url_encode(json.dumps(header, separators=(",", ":")).encode())
    if adr:
        signing_input = encoded.encode() + b"." + f"digest: {digest}".encode()
    else:
        signing_input = f"{encoded}.{b64url_encode(body)}".encode()
    signature = b64url_encode(key.sign(signing_input, PSS, hashes.SHA256()))
    return [("Digest", digest), ("nlgov-adr-payload-sig", f"{encoded}..{signature}")]


def adr_header(certs: list[x509.Certificate], **changes: Any) -> dict[str, Any]:
    """A valid profile-A protected header for `certs`, with `changes` applied (None removes a field)."""
    import base64

    from cryptography.hazmat.primitives import serialization

    from client.wire.signing import certificate_thumbprint

    header: dict[str, Any] = {
        "alg": "PS256",
        "typ": "JOSE",
        "kid": "forged",
        "x5c": [base64.b64encode(c.public_bytes(serialization.Encoding.DER)).decode() for c in certs],
        "x5t#S256": certificate_thumbprint(certs[0]),
        # signed now, not at import: the verifier allows 15 minutes of skew and a suite may run longer
        "sigT": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "b64": False,
        "crit": ["sigD", "b64"],
        "sigD": {"mId": "http://uri.etsi.org/19182/HttpHeaders", "pars": ["digest"]},
    }
    for name, value in changes.items():
        name = name.replace("_S256", "#S256")
        if value is None:
            header.pop(name, None)
        else:
            header[name] = value
    return header


def test_pki_is_consistent() -> None:
    p = pki()
    p.signer_cert.verify_directly_issued_by(p.ca)
    p.other_cert.verify_directly_issued_by(p.other_ca)
    assert p.expired_cert.not_valid_after_utc < NOW < p.future_cert.not_valid_before_utc


def test_adr_header_changes() -> None:
    p = pki()
    header = adr_header([p.signer_cert], alg="RS256", x5c=None, x5t_S256="x")
    assert header["alg"] == "RS256" and "x5c" not in header and header["x5t#S256"] == "x"
