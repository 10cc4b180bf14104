"""client.wire.signing: profiles A/B/C, the verifier's detection and every rejection of SIGNING.md."""

from __future__ import annotations

import base64
import json
import re
from datetime import timedelta
from typing import Any

import httpx
import pytest
from starlette.datastructures import Headers

from client.wire.signing import (
    SignatureError,
    Signer,
    SigningProfile,
    Verified,
    Verifier,
    b64url_decode,
    canonical_json,
    certificate_thumbprint,
    digest_header,
    load_signer,
    load_trust_anchors,
    verify_digest,
)
from tests.test_wire_helpers import NOW, adr_header, forge, pki

BODY = json.dumps({"gegevens": {"b": 1, "a": "é"}, "paginering": None}, ensure_ascii=False).encode()


def verifier(**kwargs: Any) -> Verifier:
    return Verifier([pki().ca], **kwargs)


def rejects(headers: Any, reason: str, status: int, body: bytes = BODY, **kwargs: Any) -> SignatureError:
    with pytest.raises(SignatureError) as caught:
        verifier(**kwargs).verify(body, headers)
    assert (caught.value.reason, caught.value.status) == (reason, status), str(caught.value)
    return caught.value


def protected(headers: dict[str, str]) -> dict[str, Any]:
    value = headers["nlgov-adr-payload-sig"]
    result: dict[str, Any] = json.loads(b64url_decode(value.split(".")[0]))
    return result


# ------------------------------------------------------------------------------------------- producing


def test_digest_header_is_standard_base64_of_sha256() -> None:
    value = digest_header(b"")
    assert value == "SHA-256=47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU="
    assert len(value.removeprefix("SHA-256=")) == 44


def test_profile_a_header_and_payload() -> None:
    headers = pki().signer().sign(BODY)
    assert headers["Digest"] == digest_header(BODY)
    value = headers["nlgov-adr-payload-sig"]
    encoded_header, middle, _ = value.split(".")
    assert middle == ""
    header = protected(headers)
    assert header["alg"] == "PS256" and header["typ"] == "JOSE" and header["kid"] == "test-kid"
    assert header["b64"] is False and header["crit"] == ["sigD", "b64"]
    assert header["sigD"] == {"mId": "http://uri.etsi.org/19182/HttpHeaders", "pars": ["digest"]}
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", header["sigT"])
    assert header["x5t#S256"] == certificate_thumbprint(pki().signer_cert)
    chain = [base64.b64decode(c, validate=True) for c in header["x5c"]]
    assert len(chain) == 2 and "cty" not in header
    # the JWS payload is the digest line: verify it independently with cryptography
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.asymmetric import padding, rsa

    line = f"digest: {headers['Digest']}".encode()
    public_key = pki().signer_cert.public_key()
    assert isinstance(public_key, rsa.RSAPublicKey)
    public_key.verify(
        b64url_decode(value.split(".")[2]),
        encoded_header.encode() + b"." + line,
        padding.PSS(mgf=padding.MGF1(hashes.SHA256()), salt_length=32),
        hashes.SHA256(),
    )


def test_profile_b_header_has_no_jades_fields() -> None:
    headers = pki().signer(SigningProfile.BODY).sign(BODY)
    header = protected(headers)
    assert set(header) == {"alg", "typ", "kid", "x5c", "x5t#S256"}
    assert "Digest" in headers


def test_profile_c_can_omit_digest_like_the_test_tools() -> None:
    headers = pki().signer(SigningProfile.CANONICAL, send_digest=False).sign(BODY)
    assert "Digest" not in headers
    with pytest.raises(ValueError):
        pki().signer(SigningProfile.ADR, send_digest=False)


def test_signer_refuses_a_chain_of_another_key() -> None:
    p = pki()
    with pytest.raises(ValueError, match="does not belong"):
        Signer(p.signer_key, [p.other_cert], "k")
    assert "PRIVATE" not in repr(p.signer())


def test_kid_defaults_to_thumbprint() -> None:
    p = pki()
    assert Signer(p.signer_key, [p.signer_cert]).kid == certificate_thumbprint(p.signer_cert)


# ------------------------------------------------------------------------------------------- round trips


@pytest.mark.parametrize("profile", [SigningProfile.ADR, SigningProfile.BODY])
def test_round_trip(profile: SigningProfile) -> None:
    result = verifier().verify(BODY, pki().signer(profile).sign(BODY))
    assert isinstance(result, Verified)
    assert result.profile is profile
    assert result.kid == "test-kid" and result.subject is not None and "ddas-test-signer" in result.subject
    assert result.digest_checked and result.notes == ()


def test_profile_b_under_lenient_is_still_reported_as_b() -> None:
    result = verifier(lenient=True).verify(BODY, pki().signer(SigningProfile.BODY).sign(BODY))
    assert result.profile is SigningProfile.BODY and result.profile.letter == "B"


def test_profile_c_only_in_lenient_mode() -> None:
    headers = pki().signer(SigningProfile.CANONICAL).sign(BODY)
    assert canonical_json(BODY) != BODY
    rejects(headers, "signature-invalid", 401)
    result = verifier(lenient=True).verify(BODY, headers)
    assert result.profile is SigningProfile.CANONICAL and result.profile.letter == "C"
    assert "canonical-json" in result.notes


def test_profile_c_without_digest_as_the_test_tools_send_it() -> None:
    headers = pki().signer(SigningProfile.CANONICAL, send_digest=False).sign(BODY)
    rejects(headers, "digest-missing", 400)
    result = verifier(lenient=True).verify(BODY, headers)
    assert result.profile is SigningProfile.CANONICAL
    assert not result.digest_checked and "digest-missing-tolerated" in result.notes


def test_profile_b_without_digest_when_not_required() -> None:
    headers = pki().signer(SigningProfile.BODY).sign(BODY)
    del headers["Digest"]
    rejects(headers, "digest-missing", 400)
    assert verifier(require_digest=False).verify(BODY, headers).profile is SigningProfile.BODY


def test_header_containers() -> None:
    headers = pki().signer().sign(BODY)
    v = verifier()
    assert v.verify(BODY, httpx.Headers(headers)).profile is SigningProfile.ADR
    assert v.verify(BODY, Headers(headers=headers)).profile is SigningProfile.ADR
    assert v.verify(BODY, list(headers.items())).profile is SigningProfile.ADR
    assert v.verify(BODY, {k.upper(): val for k, val in headers.items()}).profile is SigningProfile.ADR
    response = httpx.Response(200, content=BODY, headers=headers)
    assert v.verify_response(response).profile is SigningProfile.ADR


def test_any_serialization_works_under_a_when_signed_over_its_own_bytes() -> None:
    other = json.dumps(json.loads(BODY), indent=2).encode()
    assert verifier().verify(other, pki().signer().sign(other)).profile is SigningProfile.ADR


def test_jades_variants_iat_and_crit_sigt_are_accepted() -> None:
    p = pki()
    header = adr_header([p.signer_cert, p.ca], sigT=None, iat=int(NOW.timestamp()))
    assert verifier().verify(BODY, forge(header, BODY, p.signer_key)).signing_time is not None
    header = adr_header([p.signer_cert, p.ca], crit=["sigD", "b64", "sigT"])
    assert verifier().verify(BODY, forge(header, BODY, p.signer_key)).profile is SigningProfile.ADR


def test_chain_without_the_anchor_itself_verifies() -> None:
    p = pki()
    header = adr_header([p.signer_cert])
    assert verifier().verify(BODY, forge(header, BODY, p.signer_key)).profile is SigningProfile.ADR


def test_load_signer_and_anchors_from_files(tmp_path: Any) -> None:
    from client.devtools.keys import cert_pem, key_pem

    p = pki()
    (tmp_path / "key.pem").write_bytes(key_pem(p.signer_key))
    (tmp_path / "chain.pem").write_bytes(cert_pem(p.signer_cert, p.ca))
    (tmp_path / "ca.pem").write_bytes(cert_pem(p.ca, p.other_ca))
    signer = load_signer(tmp_path / "key.pem", tmp_path / "chain.pem", kid="file")
    anchors = load_trust_anchors([tmp_path / "ca.pem"])
    assert len(anchors) == 2
    assert Verifier(anchors).verify(BODY, signer.sign(BODY)).kid == "file"
    (tmp_path / "bad.pem").write_text("nonsense")
    with pytest.raises(ValueError):
        load_trust_anchors([tmp_path / "bad.pem"])


# ------------------------------------------------------------------------------------------- rejections


def test_missing_signature() -> None:
    rejects({"Digest": digest_header(BODY)}, "signature-missing", 400)


def test_duplicated_signature_header() -> None:
    headers = pki().signer().sign(BODY)
    sig = headers["nlgov-adr-payload-sig"]
    pairs = [("Digest", headers["Digest"]), ("nlgov-adr-payload-sig", sig), ("NLGOV-ADR-PAYLOAD-SIG", sig)]
    rejects(pairs, "signature-duplicated", 400)
    rejects(httpx.Headers(pairs), "signature-duplicated", 400)
    rejects(
        {"Digest": headers["Digest"], "nlgov-adr-payload-sig": f"{sig}, {sig}"}, "signature-duplicated", 400
    )


@pytest.mark.parametrize(
    "value",
    ["abc", "a.b", "e30.payload.c2ln", "!!!..c2ln", "e30..", "W10..c2ln", "e30..c2ln!"],
)
def test_malformed_signature(value: str) -> None:
    rejects({"Digest": digest_header(BODY), "nlgov-adr-payload-sig": value}, "signature-malformed", 400)


def test_missing_digest_under_a() -> None:
    headers = pki().signer().sign(BODY)
    del headers["Digest"]
    rejects(headers, "digest-missing", 400)
    rejects(headers, "digest-missing", 400, lenient=True, require_digest=False)


@pytest.mark.parametrize(
    "digest", ["SHA-256=not base64!", "SHA-256=AAAA", "MD5=1B2M2Y8AsgTpgAmY7PhCfg==", "garbage"]
)
def test_malformed_digest(digest: str) -> None:
    headers = pki().signer().sign(BODY)
    headers["Digest"] = digest
    rejects(headers, "digest-malformed", 400)


def test_digest_with_several_algorithms_is_read() -> None:
    headers = pki().signer(SigningProfile.BODY).sign(BODY)
    headers["Digest"] = "MD5=1B2M2Y8AsgTpgAmY7PhCfg==, " + headers["Digest"]
    assert verifier().verify(BODY, headers).profile is SigningProfile.BODY


@pytest.mark.parametrize("profile", [SigningProfile.ADR, SigningProfile.BODY])
def test_tampered_body_is_a_digest_mismatch(profile: SigningProfile) -> None:
    headers = pki().signer(profile).sign(BODY)
    rejects(headers, "digest-mismatch", 401, body=BODY.replace(b"1", b"2"))


def test_a_signs_the_exact_bytes_not_the_json() -> None:
    """A re-serialized body (same JSON, other bytes) fails, even with its Digest recomputed."""
    headers = pki().signer().sign(BODY)
    reserialized = json.dumps(json.loads(BODY), sort_keys=True).encode()
    assert reserialized != BODY and json.loads(reserialized) == json.loads(BODY)
    rejects(headers, "digest-mismatch", 401, body=reserialized)
    headers["Digest"] = digest_header(reserialized)
    rejects(headers, "signature-invalid", 401, body=reserialized)
    rejects(headers, "signature-invalid", 401, body=reserialized, lenient=True)


@pytest.mark.parametrize("alg", ["none", "HS256", "RS256", "PS384", None])
def test_alg_other_than_ps256(alg: str | None) -> None:
    p = pki()
    header = adr_header([p.signer_cert, p.ca], alg=alg)
    rejects(forge(header, BODY, p.signer_key), "alg-not-allowed", 401)


def test_unknown_crit() -> None:
    p = pki()
    header = adr_header([p.signer_cert, p.ca], crit=["sigD", "b64", "exp"], exp=1)
    rejects(forge(header, BODY, p.signer_key), "crit-unknown", 401)
    header = adr_header([p.signer_cert, p.ca], crit=["sigD", "b64", "sigT"], sigT=None)
    rejects(forge(header, BODY, p.signer_key), "signature-malformed", 400)


def test_missing_x5c_without_trusted_key() -> None:
    p = pki()
    header = adr_header([p.signer_cert], x5c=None, kid="known")
    headers = forge(header, BODY, p.signer_key)
    rejects(headers, "certificate-missing", 401)
    assert Verifier([], trusted_keys={"known": p.signer_cert}).verify(BODY, headers).subject
    assert (
        Verifier([], trusted_keys={"known": p.signer_key.public_key()}).verify(BODY, headers).kid == "known"
    )
    with pytest.raises(SignatureError) as caught:
        Verifier([], trusted_keys={"known": p.expired_cert}).verify(BODY, headers)
    assert caught.value.reason == "certificate-expired"


def test_expired_and_not_yet_valid_certificates() -> None:
    p = pki()
    rejects(forge(adr_header([p.expired_cert, p.ca]), BODY, p.signer_key), "certificate-expired", 401)
    rejects(forge(adr_header([p.future_cert, p.ca]), BODY, p.signer_key), "certificate-not-yet-valid", 401)
    headers = p.signer().sign(BODY)
    rejects(headers, "certificate-expired", 401, now=NOW + timedelta(days=365 * 11))


def test_chain_not_ending_in_an_anchor() -> None:
    p = pki()
    headers = Signer(p.other_key, [p.other_cert, p.other_ca], "stranger").sign(BODY)
    rejects(headers, "chain-untrusted", 401)
    # a chain claiming our CA as issuer of a stranger's certificate
    rejects(forge(adr_header([p.other_cert, p.ca]), BODY, p.other_key), "chain-untrusted", 401)
    # the self-signed stranger CA is trusted only when configured
    assert Verifier([p.other_ca]).verify(BODY, headers).profile is SigningProfile.ADR
    with pytest.raises(SignatureError) as caught:
        Verifier([]).verify(BODY, p.signer().sign(BODY))
    assert caught.value.reason == "chain-untrusted"


def test_leaf_certificate_cannot_act_as_issuer() -> None:
    """A non-CA certificate signing another is not a chain, even if its key did sign."""
    from client.devtools.keys import issue_certificate

    p = pki()
    key, leaf = issue_certificate(p.signer_key, p.signer_cert, "under-a-leaf")
    header = adr_header([leaf, p.signer_cert, p.ca])
    rejects(forge(header, BODY, key), "chain-untrusted", 401)


def test_bad_signature() -> None:
    headers = pki().signer().sign(BODY)
    head, _, sig = headers["nlgov-adr-payload-sig"].split(".")
    raw = bytearray(b64url_decode(sig))
    raw[10] ^= 0x01
    from client.wire.signing import b64url_encode

    headers["nlgov-adr-payload-sig"] = f"{head}..{b64url_encode(bytes(raw))}"
    error = rejects(headers, "signature-invalid", 401)
    assert sig not in str(error)


def test_signed_with_another_key_than_the_certificate() -> None:
    p = pki()
    rejects(forge(adr_header([p.signer_cert, p.ca]), BODY, p.other_key), "signature-invalid", 401)


def test_thumbprint_mismatch() -> None:
    p = pki()
    header = adr_header([p.signer_cert, p.ca], x5t_S256=certificate_thumbprint(p.ca))
    rejects(forge(header, BODY, p.signer_key), "thumbprint-mismatch", 401)


def test_sigd_other_mechanism_or_headers() -> None:
    p = pki()
    header = adr_header([p.signer_cert, p.ca], sigD={"mId": "http://uri.etsi.org/19182/ObjectIdByURI"})
    rejects(forge(header, BODY, p.signer_key), "sigd-unsupported", 401)
    header = adr_header(
        [p.signer_cert, p.ca], sigD={"mId": "http://uri.etsi.org/19182/HttpHeaders", "pars": []}
    )
    rejects(forge(header, BODY, p.signer_key), "signature-malformed", 400)
    header = adr_header(
        [p.signer_cert, p.ca],
        sigD={"mId": "http://uri.etsi.org/19182/HttpHeaders", "pars": ["(request-target)", "digest"]},
    )
    rejects(forge(header, BODY, p.signer_key), "sigd-unsupported", 401)


def test_b64_false_without_sigd_is_no_known_profile() -> None:
    p = pki()
    header = adr_header([p.signer_cert, p.ca], sigD=None, crit=["b64"])
    rejects(forge(header, BODY, p.signer_key), "profile-unknown", 401)


def test_x5c_garbage() -> None:
    p = pki()
    rejects(
        forge(adr_header([p.signer_cert], x5c=["not-base64!"]), BODY, p.signer_key),
        "certificate-malformed",
        400,
    )
    rejects(
        forge(adr_header([p.signer_cert], x5c=["AAAA"]), BODY, p.signer_key), "certificate-malformed", 400
    )


def test_profile_b_with_another_signer_key_fails_even_when_lenient() -> None:
    p = pki()
    b_header = adr_header([p.signer_cert, p.ca], b64=None, crit=None, sigD=None)
    headers = forge(b_header, BODY, p.other_key, adr=False)
    rejects(headers, "signature-invalid", 401)
    rejects(headers, "signature-invalid", 401, lenient=True)
    not_json = forge(b_header, b"not json", p.other_key, adr=False)
    rejects(not_json, "signature-invalid", 401, lenient=True, body=b"not json")


def test_error_messages_carry_no_key_material() -> None:
    headers = pki().signer().sign(BODY)
    headers["Digest"] = digest_header(b"other")
    error = rejects(headers, "digest-mismatch", 401)
    assert headers["nlgov-adr-payload-sig"][:20] not in str(error)


def test_verify_digest_alone() -> None:
    assert verify_digest(BODY, {"Digest": digest_header(BODY)}) is True
    assert verify_digest(BODY, {}, required=False) is False
    for headers, reason in (({}, "digest-missing"), ({"Digest": digest_header(b"x")}, "digest-mismatch")):
        with pytest.raises(SignatureError) as caught:
            verify_digest(BODY, headers)
        assert caught.value.reason == reason
