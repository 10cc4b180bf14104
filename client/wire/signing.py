"""Digest and detached-JWS payload signatures (`nlgov-adr-payload-sig`), for requests and responses.

One implementation for both sides of the wire. Three interpretations exist in the wild (see
`../shared/SIGNING.md`): A, the ADR/JAdES profile (the standard and our default), B, a plain RFC 7515
detached JWS over the exact body bytes, and C, the published DDAS test tools' signature over canonical
JSON. We sign A by default, can produce B and C (for interop tests), verify A and B, accept C only in
lenient mode, and always say which profile verified.

All cryptography is done by `cryptography`; nothing here is hand-written crypto. PS256 is RSASSA-PSS
with SHA-256, MGF1-SHA-256 and a 32-byte salt (RFC 7518 §3.5). Key material is never logged or put in an
exception message.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import itertools
import json
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from enum import StrEnum
from pathlib import Path
from typing import Any

import orjson
from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa, utils

SIGNATURE_HEADER = "nlgov-adr-payload-sig"
DIGEST_HEADER = "Digest"
HTTP_HEADERS_MID = "http://uri.etsi.org/19182/HttpHeaders"
ALLOWED_ALG = "PS256"
# Header parameters this verifier understands when a signer lists them in `crit`.
UNDERSTOOD_CRIT = frozenset({"sigD", "b64", "sigT"})
# Bounds on what a signature header may carry (a chain of a few certificates is ~10 KB): beyond them
# the header is malformed (400), never parsed further.
_MAX_HEADER_CHARS = 32 * 1024
MAX_HEADER_DEPTH = 4  # header object > sigD object > pars list (+1 spare)
MAX_CHAIN = 8  # certificates in x5c
MAX_NAMES = 16  # entries in crit and sigD.pars
# sigT/iat may differ this much from the verifier's clock (configurable per verifier; None: unchecked).
DEFAULT_MAX_SKEW = timedelta(minutes=15)
_B64URL = re.compile(r"^[A-Za-z0-9_-]*$")
_PSS = padding.PSS(mgf=padding.MGF1(hashes.SHA256()), salt_length=32)


class SigningProfile(StrEnum):
    """The three signing interpretations; the value is the name used in configuration and reports."""

    ADR = "adr"  # A: ADR/JAdES, b64=false, sigD over the Digest header (the standard)
    BODY = "body"  # B: RFC 7515 detached, b64=true, over the exact body bytes
    CANONICAL = "canonical"  # C: like B, over canonical JSON (the DDAS test tools; lenient only)

    @property
    def letter(self) -> str:
        """`A`, `B` or `C`, as `SIGNING.md` names them."""
        return {"adr": "A", "body": "B", "canonical": "C"}[self.value]


class SignatureError(Exception):
    """A message's Digest or signature was refused.

    `reason` is a stable code (e.g. `digest-mismatch`), `status` the HTTP status a server answers with
    (400 when something is missing or malformed, 401 when it does not verify or is not trusted).
    """

    def __init__(self, reason: str, status: int, message: str) -> None:
        super().__init__(f"{reason}: {message}")
        self.reason = reason
        self.status = status
        self.message = message


@dataclass(frozen=True)
class Verified:
    """What verified: the profile, the key id, the signer certificate's subject and what was tolerated."""

    profile: SigningProfile
    kid: str | None
    subject: str | None
    signing_time: str | None = None
    digest_checked: bool = True
    notes: tuple[str, ...] = field(default_factory=tuple)


# ---------------------------------------------------------------------------------------------- helpers


def b64url_encode(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def b64url_decode(text: str) -> bytes:
    """Strict base64url without padding (padding tolerated); raises ValueError on anything else."""
    stripped = text.rstrip("=")
    if not _B64URL.match(stripped) or len(stripped) % 4 == 1:
        raise ValueError("not base64url")
    return base64.urlsafe_b64decode(stripped + "=" * (-len(stripped) % 4))


def digest_value(body: bytes) -> str:
    """Standard base64 (with padding) of SHA-256(body): 44 characters."""
    return base64.b64encode(hashlib.sha256(body).digest()).decode("ascii")


def digest_header(body: bytes) -> str:
    """The RFC 3230 `Digest` header value for `body`: `SHA-256=<base64>`."""
    return f"SHA-256={digest_value(body)}"


def canonical_json(body: bytes) -> bytes:
    """The bytes profile C signs: the parsed body re-serialized with sorted keys and no spaces."""
    parsed = json.loads(body)
    return json.dumps(parsed, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode("utf-8")


def certificate_thumbprint(cert: x509.Certificate) -> str:
    """`x5t#S256`: base64url SHA-256 of the DER certificate."""
    return b64url_encode(cert.fingerprint(hashes.SHA256()))


def _spki(key: Any) -> bytes:
    return bytes(
        key.public_bytes(serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)
    )


def _utc_now() -> datetime:
    return datetime.now(UTC)


def _sig_time(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def header_values(headers: Any, name: str) -> list[str]:
    """Every value of header `name` (case-insensitive) in httpx, Starlette, mapping or pair-list headers.

    Duplicates must stay visible (a duplicated signature header is invalid), so multi-valued views are
    used where the container has them.
    """
    lname = name.lower()
    items: Iterable[tuple[Any, Any]]
    multi = getattr(headers, "multi_items", None)
    raw = getattr(headers, "raw", None)
    if callable(multi):
        items = multi()
    elif isinstance(raw, list):
        items = raw
    elif isinstance(headers, Mapping):
        items = headers.items()
    else:
        items = headers
    values: list[str] = []
    for key, value in items:
        k = key.decode("latin-1") if isinstance(key, bytes) else str(key)
        if k.lower() == lname:
            values.append(value.decode("latin-1") if isinstance(value, bytes) else str(value))
    return values


def signing_certificate_problem(cert: x509.Certificate) -> str | None:
    """Why `cert` may not sign messages, or None: it must not be a CA and, when it has a KeyUsage, that
    must allow digitalSignature or nonRepudiation (contentCommitment). One policy for signer and verifier.
    """
    try:
        extensions = cert.extensions
    except ValueError:
        return "the signing certificate has unreadable extensions"
    try:
        if extensions.get_extension_for_class(x509.BasicConstraints).value.ca:
            return "the signing certificate is a CA certificate; sign with an end-entity certificate"
    except x509.ExtensionNotFound:
        pass
    try:
        usage = extensions.get_extension_for_class(x509.KeyUsage).value
    except x509.ExtensionNotFound:
        return None
    if not (usage.digital_signature or usage.content_commitment):
        return "the signing certificate's KeyUsage allows neither digitalSignature nor nonRepudiation"
    return None


# ----------------------------------------------------------------------------------------------- signing


class Signer:
    """Signs message bodies: returns the `Digest` and `nlgov-adr-payload-sig` headers to send.

    `chain` is the signer certificate first, then its issuers (sent as `x5c`). `kid` defaults to the
    certificate's `x5t#S256`. `send_digest=False` reproduces the DDAS test tools (no Digest; B/C only).
    """

    def __init__(
        self,
        key: rsa.RSAPrivateKey,
        chain: Sequence[x509.Certificate],
        kid: str | None = None,
        profile: SigningProfile = SigningProfile.ADR,
        *,
        send_digest: bool = True,
        now: Callable[[], datetime] | None = None,
    ) -> None:
        if not isinstance(key, rsa.RSAPrivateKey):
            raise TypeError("PS256 needs an RSA private key")
        if not chain:
            raise ValueError("a signing certificate chain is required (signer certificate first)")
        if _spki(chain[0].public_key()) != _spki(key.public_key()):
            raise ValueError("the first certificate of the chain does not belong to the signing key")
        problem = signing_certificate_problem(chain[0])
        if problem is not None:
            raise ValueError(problem)
        if profile is SigningProfile.ADR and not send_digest:
            raise ValueError("profile A (adr) signs the Digest header, so it must be sent")
        self._key = key
        self.chain = list(chain)
        self.thumbprint = certificate_thumbprint(self.chain[0])
        self.kid = kid or self.thumbprint
        self.profile = SigningProfile(profile)
        self.send_digest = send_digest
        self._now = now or _utc_now
        self._x5c = [
            base64.b64encode(c.public_bytes(serialization.Encoding.DER)).decode() for c in self.chain
        ]

    def __repr__(self) -> str:  # never show the key
        return f"Signer(kid={self.kid!r}, profile={self.profile.value!r})"

    def protected_header(self, profile: SigningProfile | None = None) -> dict[str, Any]:
        profile = profile or self.profile
        header: dict[str, Any] = {
            "alg": ALLOWED_ALG,
            "typ": "JOSE",
            "kid": self.kid,
            "x5c": list(self._x5c),
            "x5t#S256": self.thumbprint,
        }
        if profile is SigningProfile.ADR:
            header["sigT"] = _sig_time(self._now())
            header["b64"] = False
            header["crit"] = ["sigD", "b64"]
            header["sigD"] = {"mId": HTTP_HEADERS_MID, "pars": ["digest"]}
        return header

    def _sign(self, signing_input: bytes) -> str:
        return b64url_encode(self._key.sign(signing_input, _PSS, hashes.SHA256()))

    def sign(self, body: bytes, profile: SigningProfile | None = None) -> dict[str, str]:
        """Headers for `body` (the exact bytes that will be sent): `Digest` and the signature."""
        profile = SigningProfile(profile or self.profile)
        digest = digest_header(body)
        header = self.protected_header(profile)
        encoded_header = b64url_encode(json.dumps(header, separators=(",", ":")).encode("utf-8"))
        if profile is SigningProfile.ADR:
            payload = f"digest: {digest}".encode("ascii")
            signing_input = encoded_header.encode("ascii") + b"." + payload
        else:
            signed = body if profile is SigningProfile.BODY else canonical_json(body)
            signing_input = f"{encoded_header}.{b64url_encode(signed)}".encode("ascii")
        headers = {SIGNATURE_HEADER: f"{encoded_header}..{self._sign(signing_input)}"}
        if self.send_digest or profile is SigningProfile.ADR:
            headers = {DIGEST_HEADER: digest, **headers}
        return headers


def load_private_key(path: Path | str, password: bytes | None = None) -> rsa.RSAPrivateKey:
    try:
        key = serialization.load_pem_private_key(Path(path).read_bytes(), password=password)
    except (ValueError, TypeError) as exc:
        raise ValueError(f"{path}: not a readable PEM private key ({type(exc).__name__})") from None
    if not isinstance(key, rsa.RSAPrivateKey):
        raise ValueError(f"{path}: PS256 needs an RSA key")
    return key


def load_certificates(path: Path | str) -> list[x509.Certificate]:
    """All PEM certificates in a file, in file order."""
    data = Path(path).read_bytes()
    try:
        certs = x509.load_pem_x509_certificates(data)
    except ValueError:
        raise ValueError(f"{path}: no readable PEM certificate") from None
    return certs


def load_signer(
    key_path: Path | str,
    chain_path: Path | str,
    kid: str | None = None,
    profile: SigningProfile = SigningProfile.ADR,
    *,
    password: bytes | None = None,
) -> Signer:
    """A Signer from a PEM key and a PEM chain file (signer certificate first)."""
    return Signer(load_private_key(key_path, password), load_certificates(chain_path), kid, profile)


def load_trust_anchors(paths: Iterable[Path | str]) -> list[x509.Certificate]:
    """Trust anchors from PEM files (each may hold several certificates)."""
    anchors: list[x509.Certificate] = []
    for path in paths:
        anchors.extend(load_certificates(path))
    return anchors


# --------------------------------------------------------------------------------------------- verifying


def _parse_digest(values: list[str]) -> bytes | None:
    """The SHA-256 digest named by the Digest header(s), or None when there is none."""
    if not values:
        return None
    found: set[bytes] = set()
    for value in values:
        for part in value.split(","):
            part = part.strip()
            if not part:
                continue
            algorithm, sep, encoded = part.partition("=")
            if not sep:
                raise SignatureError("digest-malformed", 400, "Digest must look like SHA-256=<base64>")
            if algorithm.strip().lower() != "sha-256":
                continue
            try:
                raw = base64.b64decode(encoded.strip(), validate=True)
            except (binascii.Error, ValueError):
                raise SignatureError("digest-malformed", 400, "the SHA-256 Digest is not base64") from None
            if len(raw) != 32:
                raise SignatureError("digest-malformed", 400, "the SHA-256 Digest is not 32 bytes")
            found.add(raw)
    if not found:
        raise SignatureError("digest-malformed", 400, "Digest has no SHA-256 value")
    if len(found) > 1:
        raise SignatureError("digest-malformed", 400, "Digest carries conflicting SHA-256 values")
    return found.pop()


def verify_digest(body: bytes, headers: Any, *, required: bool = True) -> bool:
    """Check the `Digest` header alone against the exact `body` (a receiver checks it before the signature).

    True when present and matching, False when absent and not `required`; SignatureError otherwise.
    """
    digest = _parse_digest(header_values(headers, DIGEST_HEADER))
    if digest is None:
        if required:
            raise SignatureError("digest-missing", 400, "no Digest header")
        return False
    if digest != hashlib.sha256(body).digest():
        raise SignatureError("digest-mismatch", 401, "Digest does not match the body bytes")
    return True


@dataclass(frozen=True)
class _Jws:
    encoded_header: str
    header: dict[str, Any]
    signature: bytes


def _parse_jws(value: str) -> _Jws:
    value = value.strip()
    if len(value) > _MAX_HEADER_CHARS:
        raise SignatureError("signature-malformed", 400, "signature header too long")
    parts = value.split(".")
    if len(parts) != 3:
        raise SignatureError("signature-malformed", 400, "expected BASE64URL(header)..BASE64URL(signature)")
    encoded_header, payload, encoded_sig = parts
    if payload:
        raise SignatureError("signature-malformed", 400, "the payload must be detached (empty middle part)")
    try:
        # orjson: no recursion error for deep nesting (it stops at 1024 levels), no NaN, no huge ints
        header = orjson.loads(b64url_decode(encoded_header))
        signature = b64url_decode(encoded_sig)
    except (ValueError, UnicodeDecodeError):
        raise SignatureError("signature-malformed", 400, "header or signature not base64url JSON") from None
    if not isinstance(header, dict):
        raise SignatureError("signature-malformed", 400, "the protected header is not a JSON object")
    if nested_deeper(header, MAX_HEADER_DEPTH):
        too_deep = f"the protected header is nested deeper than {MAX_HEADER_DEPTH} levels"
        raise SignatureError("signature-malformed", 400, too_deep)
    sig_d = header.get("sigD")
    pars = sig_d.get("pars") if isinstance(sig_d, dict) else None
    for name, entries, limit in (
        ("crit", header.get("crit"), MAX_NAMES),
        ("sigD.pars", pars, MAX_NAMES),
        ("x5c", header.get("x5c"), MAX_CHAIN),
    ):
        if isinstance(entries, list) and len(entries) > limit:
            raise SignatureError("signature-malformed", 400, f"{name} holds more than {limit} entries")
    if not signature:
        raise SignatureError("signature-malformed", 400, "empty signature")
    return _Jws(encoded_header, header, signature)


@dataclass(frozen=True)
class StreamedBody:
    """A body too large to hold, as verification needs it: its SHA-256 and, for profile B, the SHA-256
    of the signing input `<encoded header>.<base64url(body)>` for the header seen while it streamed in.
    `read` returns the whole body; only profile C (canonical JSON, lenient mode) calls it."""

    size: int
    sha256: bytes
    encoded_header: str | None
    body_input_sha256: bytes | None
    read: Callable[[], bytes]


class BodyHasher:
    """Feeds on a body chunk by chunk (a receiver spooling it to disk) and yields a `StreamedBody`.

    The signature header arrives before the body, so the profile-B signing input can be hashed while
    the body streams: base64url is taken over whole 3-byte groups, the rest carried to the next chunk.
    """

    def __init__(self, headers: Any) -> None:
        self._sha = hashlib.sha256()
        self.size = 0
        self._encoded: str | None = None
        self._input: Any = None
        self._rest = b""
        values = header_values(headers, SIGNATURE_HEADER)
        if len(values) == 1 and len(values[0]) <= _MAX_HEADER_CHARS:
            encoded = values[0].strip().split(".")[0]
            if encoded and _B64URL.match(encoded):
                self._encoded = encoded
                self._input = hashlib.sha256(encoded.encode("ascii") + b".")

    def update(self, chunk: bytes) -> None:
        self._sha.update(chunk)
        self.size += len(chunk)
        if self._input is not None:
            data = self._rest + chunk
            cut = len(data) - len(data) % 3
            self._input.update(base64.urlsafe_b64encode(data[:cut]))
            self._rest = data[cut:]

    def finish(self, read: Callable[[], bytes]) -> StreamedBody:
        body_input = None
        if self._input is not None:
            self._input.update(b64url_encode(self._rest).encode("ascii"))
            body_input = self._input.digest()
        return StreamedBody(self.size, self._sha.digest(), self._encoded, body_input, read)


def nested_deeper(value: Any, limit: int) -> bool:
    """Whether a parsed JSON value nests objects/arrays more than `limit` levels (an object or list is one
    level). Iterative, and it stops at the first branch past the limit: no recursion to exhaust."""
    stack: list[tuple[Any, int]] = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        children = item.values() if isinstance(item, dict) else item if isinstance(item, list) else None
        if children is None:
            continue
        if depth > limit:
            return True
        stack.extend((child, depth + 1) for child in children)
    return False


def _sha256(body: bytes | StreamedBody) -> bytes:
    return body.sha256 if isinstance(body, StreamedBody) else hashlib.sha256(body).digest()


def signing_time(header: Mapping[str, Any]) -> datetime | None:
    """The signing time of a protected header (`sigT`, else `iat`), or None when it names none.

    SignatureError 400 for a value that is no time at all: a sigT that is not `YYYY-MM-DDTHH:MM:SSZ`, an
    iat that is not a number of seconds within the years 1970..9999 (1e300 and -1e15 are not).
    """
    if "sigT" in header:
        raw = header["sigT"]
        example = "sigT must be a UTC time like 2026-07-01T08:00:00Z"
        not_a_time = SignatureError("signature-malformed", 400, example)
        if not isinstance(raw, str) or len(raw) > 40:
            raise not_a_time
        try:
            moment = datetime.fromisoformat(raw.replace("Z", "+00:00"))
        except ValueError:
            raise not_a_time from None
        if moment.tzinfo is None:
            raise SignatureError("signature-malformed", 400, "sigT must name its time zone (Z)")
        return moment.astimezone(UTC)
    if "iat" in header:
        raw = header["iat"]
        if isinstance(raw, bool) or not isinstance(raw, int | float) or not 0 <= raw < _MAX_IAT:
            raise SignatureError(
                "signature-malformed", 400, "iat must be seconds since 1970 (a number before the year 10000)"
            )
        return datetime.fromtimestamp(raw, UTC)
    return None


_MAX_IAT = 253_402_300_800


def max_skew(seconds: float) -> timedelta | None:
    """A verifier's `max_skew` from a setting in seconds (0: not checked)."""
    return timedelta(seconds=seconds) if seconds > 0 else None  # 10000-01-01T00:00:00Z


class Verifier:
    """Verifies `Digest` and `nlgov-adr-payload-sig` on a received message (request or response).

    `trust_anchors`: the certificates a chain must end in (a self-signed development CA only when it is
    configured here). `trusted_keys`: kid → certificate or RSA public key, for signatures without `x5c`.
    `lenient`: accept profile C and, for B/C, a missing Digest (the DDAS test tools send none); both are
    reported in `Verified.notes`. `now`: a fixed time or a clock, for certificate validity and the
    signing time. `max_skew`: how far sigT/iat may lie from now (None: not checked).
    """

    def __init__(
        self,
        trust_anchors: Sequence[x509.Certificate] = (),
        *,
        trusted_keys: Mapping[str, x509.Certificate | rsa.RSAPublicKey] | None = None,
        lenient: bool = False,
        require_digest: bool = True,
        now: datetime | Callable[[], datetime] | None = None,
        max_skew: timedelta | None = DEFAULT_MAX_SKEW,
    ) -> None:
        self.trust_anchors = list(trust_anchors)
        self.max_skew = max_skew
        self.trusted_keys = dict(trusted_keys or {})
        self.lenient = lenient
        self.require_digest = require_digest
        self._now = now

    def _moment(self) -> datetime:
        if self._now is None:
            return _utc_now()
        if isinstance(self._now, datetime):
            return self._now
        return self._now()

    def verify_response(self, response: Any) -> Verified:
        """Verify an `httpx.Response` (its exact content bytes and its headers)."""
        return self.verify(response.content, response.headers)

    def verify(self, body: bytes | StreamedBody, headers: Any) -> Verified:
        """Check the Digest against the exact `body`, then the signature; say what verified or raise.

        `body` is the bytes, or a `StreamedBody` for one too large to hold (hashed as it arrived)."""
        sig_values = header_values(headers, SIGNATURE_HEADER)
        if not sig_values:
            raise SignatureError("signature-missing", 400, f"no {SIGNATURE_HEADER} header")
        if len(sig_values) > 1 or "," in sig_values[0]:
            raise SignatureError("signature-duplicated", 400, f"{SIGNATURE_HEADER} must appear exactly once")
        jws = _parse_jws(sig_values[0])
        header = jws.header
        b64 = header.get("b64", True)
        if not isinstance(b64, bool):
            raise SignatureError("signature-malformed", 400, "b64 must be a boolean")
        crit = header.get("crit")
        if b64 is False and not (isinstance(crit, list) and "b64" in crit):
            raise SignatureError("signature-malformed", 400, "b64=false must be listed in crit (RFC 7797)")
        moment = signing_time(header)
        is_adr = b64 is False and "sigD" in header
        if b64 is False and not is_adr:
            raise SignatureError("profile-unknown", 401, "b64=false without sigD matches no known profile")

        notes: list[str] = []
        digest = _parse_digest(header_values(headers, DIGEST_HEADER))
        if digest is None:
            if is_adr:
                raise SignatureError("digest-missing", 400, "profile A signs the Digest, which is missing")
            if self.require_digest and not self.lenient:
                raise SignatureError("digest-missing", 400, "no Digest header")
            notes.append("digest-missing-tolerated")
        elif digest != _sha256(body):
            raise SignatureError("digest-mismatch", 401, "Digest does not match the body bytes")

        alg = header.get("alg")
        if alg != ALLOWED_ALG:
            raise SignatureError("alg-not-allowed", 401, f"alg {alg!r} is not allowed; only PS256")
        self._check_crit(header)
        key, subject = self._signing_key(header)

        kid = header.get("kid") if isinstance(header.get("kid"), str) else None
        sig_time = _sig_time(moment) if moment is not None else None
        self._check_skew(moment)

        if is_adr:
            payload = self._adr_payload(header, headers)
            signing_input = jws.encoded_header.encode("ascii") + b"." + payload
            self._check_signature(key, jws.signature, signing_input)
            return Verified(SigningProfile.ADR, kid, subject, sig_time, True, tuple(notes))

        try:
            if isinstance(body, StreamedBody):
                if body.encoded_header != jws.encoded_header or body.body_input_sha256 is None:
                    raise SignatureError("signature-invalid", 401, "the signature does not verify")
                self._check_signature(key, jws.signature, body.body_input_sha256, prehashed=True)
            else:
                signing_input = f"{jws.encoded_header}.{b64url_encode(body)}".encode("ascii")
                self._check_signature(key, jws.signature, signing_input)
            return Verified(SigningProfile.BODY, kid, subject, sig_time, digest is not None, tuple(notes))
        except SignatureError:
            if not self.lenient:
                raise
        try:
            canonical = canonical_json(body.read() if isinstance(body, StreamedBody) else body)
        except (ValueError, UnicodeDecodeError):
            raise SignatureError("signature-invalid", 401, "the signature does not verify") from None
        signing_input = f"{jws.encoded_header}.{b64url_encode(canonical)}".encode("ascii")
        self._check_signature(key, jws.signature, signing_input)
        notes.append("canonical-json")
        return Verified(SigningProfile.CANONICAL, kid, subject, sig_time, digest is not None, tuple(notes))

    # -- parts of verify

    def _check_skew(self, moment: datetime | None) -> None:
        if moment is None or self.max_skew is None:
            return
        now = self._moment()
        if abs(moment - now) > self.max_skew:
            raise SignatureError(
                "signing-time-skew",
                401,
                f"the signing time {_sig_time(moment)} is more than {self.max_skew.total_seconds() / 60:g} "
                f"minutes from now ({_sig_time(now)}); sign each message when sending it and check the clock",
            )

    @staticmethod
    def _check_crit(header: Mapping[str, Any]) -> None:
        if "crit" not in header:
            return
        crit = header["crit"]
        if not isinstance(crit, list) or not crit or not all(isinstance(c, str) for c in crit):
            raise SignatureError("signature-malformed", 400, "crit must be a non-empty list of names")
        unknown = [c for c in crit if c not in UNDERSTOOD_CRIT]
        if unknown:
            raise SignatureError("crit-unknown", 401, f"crit names parameters not understood: {unknown}")
        absent = [c for c in crit if c not in header]
        if absent:
            raise SignatureError("signature-malformed", 400, f"crit names absent parameters: {absent}")

    def _adr_payload(self, header: Mapping[str, Any], headers: Any) -> bytes:
        """Rebuild the JAdES HttpHeaders payload: `name: value` lines of the headers named in sigD.pars."""
        sig_d = header.get("sigD")
        if not isinstance(sig_d, dict):
            raise SignatureError("signature-malformed", 400, "sigD must be an object")
        if sig_d.get("mId") != HTTP_HEADERS_MID:
            raise SignatureError("sigd-unsupported", 401, f"sigD mId must be {HTTP_HEADERS_MID}")
        pars = sig_d.get("pars")
        if not isinstance(pars, list) or not pars or not all(isinstance(p, str) for p in pars):
            raise SignatureError("signature-malformed", 400, "sigD pars must be a non-empty list of names")
        if "digest" not in [p.lower() for p in pars]:
            raise SignatureError("sigd-unsupported", 401, "sigD pars must include digest")
        lines = []
        for name in pars:
            if name.startswith("("):
                raise SignatureError("sigd-unsupported", 401, f"sigD pars entry {name!r} is not supported")
            values = header_values(headers, name)
            if not values:
                raise SignatureError("signature-invalid", 401, f"signed header {name!r} is missing")
            lines.append(f"{name.lower()}: {', '.join(v.strip() for v in values)}")
        try:
            return "\n".join(lines).encode("ascii")
        except UnicodeEncodeError:
            raise SignatureError("signature-malformed", 400, "signed headers must be ASCII") from None

    def _signing_key(self, header: Mapping[str, Any]) -> tuple[rsa.RSAPublicKey, str | None]:
        x5c = header.get("x5c")
        kid = header.get("kid")
        if x5c is None:
            trusted = self.trusted_keys.get(kid) if isinstance(kid, str) else None
            if trusted is None:
                raise SignatureError("certificate-missing", 401, "no x5c and no trusted key for this kid")
            if isinstance(trusted, x509.Certificate):
                self._check_validity(trusted)
                self._check_policy(trusted)
                return self._public_key(trusted)
            return self._rsa_key(trusted), None
        if not isinstance(x5c, list) or not x5c or not all(isinstance(c, str) for c in x5c):
            raise SignatureError("certificate-malformed", 400, "x5c must be a non-empty list of base64 DER")
        try:
            chain = [x509.load_der_x509_certificate(base64.b64decode(c, validate=True)) for c in x5c]
        except (binascii.Error, ValueError):
            raise SignatureError("certificate-malformed", 400, "x5c holds an unreadable cert") from None
        thumbprint = header.get("x5t#S256")
        if thumbprint is not None and thumbprint != certificate_thumbprint(chain[0]):
            raise SignatureError("thumbprint-mismatch", 401, "x5t#S256 does not match the signer certificate")
        self._check_chain(chain)
        self._check_policy(chain[0])
        return self._public_key(chain[0])

    @staticmethod
    def _check_policy(cert: x509.Certificate) -> None:
        problem = signing_certificate_problem(cert)
        if problem is not None:
            raise SignatureError("certificate-not-for-signing", 401, problem)

    @classmethod
    def _public_key(cls, cert: x509.Certificate) -> tuple[rsa.RSAPublicKey, str | None]:
        try:
            return cls._rsa_key(cert.public_key()), cert.subject.rfc4514_string()
        except ValueError:  # an unsupported key algorithm or an unreadable name
            unreadable = "the signer certificate is unreadable"
            raise SignatureError("certificate-malformed", 400, unreadable) from None

    @staticmethod
    def _rsa_key(key: Any) -> rsa.RSAPublicKey:
        if not isinstance(key, rsa.RSAPublicKey):
            raise SignatureError("key-unsupported", 401, "PS256 needs an RSA key")
        return key

    def _check_validity(self, cert: x509.Certificate) -> None:
        moment = self._moment()
        if moment < cert.not_valid_before_utc:
            raise SignatureError("certificate-not-yet-valid", 401, "a certificate is not yet valid")
        if moment > cert.not_valid_after_utc:
            raise SignatureError("certificate-expired", 401, "a certificate has expired")

    @staticmethod
    def _is_ca(cert: x509.Certificate) -> bool:
        try:
            constraints = cert.extensions.get_extension_for_class(x509.BasicConstraints).value
        except (x509.ExtensionNotFound, ValueError):  # ValueError: unreadable extensions
            return False
        return constraints.ca

    @staticmethod
    def _issued_by(cert: x509.Certificate, issuer: x509.Certificate) -> bool:
        try:
            cert.verify_directly_issued_by(issuer)
        except (ValueError, TypeError, InvalidSignature):
            return False
        return True

    def _check_chain(self, chain: list[x509.Certificate]) -> None:
        """Each certificate in validity and signed by the next; the last one an anchor or issued by one."""
        for cert in chain:
            self._check_validity(cert)
        for cert, issuer in itertools.pairwise(chain):
            if not self._is_ca(issuer) or not self._issued_by(cert, issuer):
                raise SignatureError("chain-untrusted", 401, "the x5c chain is not a valid issuer chain")
        last = chain[-1]
        for anchor in self.trust_anchors:
            if last == anchor:
                return
        for anchor in self.trust_anchors:
            if last.issuer == anchor.subject and self._is_ca(anchor) and self._issued_by(last, anchor):
                self._check_validity(anchor)
                return
        raise SignatureError("chain-untrusted", 401, "the certificate chain does not end in a trust anchor")

    @staticmethod
    def _check_signature(
        key: rsa.RSAPublicKey, signature: bytes, signing_input: bytes, *, prehashed: bool = False
    ) -> None:
        algorithm: Any = utils.Prehashed(hashes.SHA256()) if prehashed else hashes.SHA256()
        try:
            key.verify(signature, signing_input, _PSS, algorithm)
        except InvalidSignature:
            raise SignatureError("signature-invalid", 401, "the signature does not verify") from None
