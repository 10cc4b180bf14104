"""The mock receiver over real HTTP on loopback: every row of PUSH-API.md's "What is answered how" table,
the delivery states, corrections, withdrawal, periods, the report, idempotency, admin and restart."""

from __future__ import annotations

import base64
import hashlib
import json
import time
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import orjson
import pytest

from client.devtools.keys import DevKeys
from client.wire.signing import Signer, SigningProfile, Verifier, b64url_encode, digest_header
from mock_server.settings import ClientConfig, MockSettings, PeriodConfig
from mock_server.testing import MockClient, dev_settings, envelope, make_document, running_mock, split_pages

pytestmark = pytest.mark.timeout(120)

TODAY = date(2026, 11, 28)
PERIODS = [
    PeriodConfig(code="2024H2", closes=date(2026, 6, 30)),
    PeriodConfig(code="2025H2"),
    PeriodConfig(code="2026H1", withdrawal_deadline=date(2026, 10, 1)),
    PeriodConfig(code="2026H2"),
    PeriodConfig(code="2027H1"),
]


class Mock:
    def __init__(self, url: str, keys: DevKeys, client: MockClient, settings: MockSettings) -> None:
        self.url = url
        self.keys = keys
        self.client = client
        self.settings = settings


@pytest.fixture(scope="module")
def mock(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Mock]:
    tmp = tmp_path_factory.mktemp("mock")
    settings = dev_settings(
        tmp,
        admin_token="admin-secret",
        periods=PERIODS,
        today=TODAY,
        max_trajecten_per_page=40,
        max_body_bytes=3_000_000,
        rate_limit_per_second=0,
        clients=[ClientConfig(id="reader", secret="r", scopes=["lezen"])],
    )
    with running_mock(settings) as url:
        keys = DevKeys.load(tmp / "keys")
        with MockClient(url, keys.signer()) as client:
            yield Mock(url, keys, client, settings)


def name(period: str, deel: str) -> str:
    return f"SHV_{period}_Testorganisatie_{deel}.json"


def doc(period: str = "2026H1", n: int = 3, seed: int = 1, **kw: Any) -> dict[str, Any]:
    return make_document(period, n, seed=seed, **kw)


def problem(response: httpx.Response, status: int) -> dict[str, Any]:
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    body: dict[str, Any] = response.json()
    assert body["status"] == status and body["title"] and body["detail"]
    assert response.headers["api-version"] == "1.0.0"
    return body


# ------------------------------------------------------------------------------------------------ token


def test_token_form_and_basic(mock: Mock) -> None:
    http = mock.client.http
    r = http.post(
        f"{mock.url}/oauth/token",
        data={"grant_type": "client_credentials", "client_id": "dev", "client_secret": "dev"},
    )
    assert r.status_code == 200
    body = r.json()
    assert body["token_type"] == "Bearer" and body["expires_in"] == 3600 and body["scope"] == "aanleveren"
    assert r.headers["cache-control"] == "no-store"
    r = http.post(f"{mock.url}/oauth/token", data={"grant_type": "client_credentials"}, auth=("dev", "dev"))
    assert r.status_code == 200 and r.json()["access_token"]


@pytest.mark.parametrize(
    ("data", "auth", "status", "error"),
    [
        (
            {"grant_type": "client_credentials", "client_id": "dev", "client_secret": "nope"},
            None,
            401,
            "invalid_client",
        ),
        ({"grant_type": "client_credentials"}, ("dev", "wrong"), 401, "invalid_client"),
        (
            {"grant_type": "password", "client_id": "dev", "client_secret": "dev"},
            None,
            400,
            "unsupported_grant_type",
        ),
        ({"client_id": "dev", "client_secret": "dev"}, None, 400, "invalid_request"),
        ({"grant_type": "client_credentials", "scope": "admin"}, ("dev", "dev"), 400, "invalid_scope"),
    ],
)
def test_token_errors_rfc6749(mock: Mock, data: dict[str, str], auth: Any, status: int, error: str) -> None:
    r = mock.client.http.post(f"{mock.url}/oauth/token", data=data, auth=auth)
    assert r.status_code == status
    assert r.headers["content-type"].startswith("application/json")
    assert r.json()["error"] == error
    if status == 401:
        assert "www-authenticate" in r.headers


def test_no_bad_or_wrong_scope_token(mock: Mock) -> None:
    http = mock.client.http
    body = problem(http.get(f"{mock.url}/aanleverperiodes"), 401)
    assert body["type"].endswith("unauthorized")
    r = http.get(f"{mock.url}/aanleverperiodes", headers={"Authorization": "Bearer not-a-token"})
    problem(r, 401)
    assert r.headers["www-authenticate"].startswith("Bearer")
    reader = MockClient(mock.url, None, "reader", "r")
    r = reader.get("/aanleverperiodes")
    problem(r, 403)
    assert "insufficient_scope" in r.headers["www-authenticate"]
    reader.close()
    # FSC's header, with and without the Bearer prefix
    token = mock.client.token()
    for value in (token, f"Bearer {token}"):
        assert (
            http.get(f"{mock.url}/aanleverperiodes", headers={"Fsc-Authorization": value}).status_code == 200
        )


def test_expired_token(tmp_path: Path) -> None:
    settings = dev_settings(tmp_path, token_ttl_seconds=1, today=TODAY)
    with running_mock(settings) as url, MockClient(url, None) as client:
        token = client.token()
        assert client.get("/aanleverperiodes").status_code == 200
        time.sleep(1.3)
        r = client.http.get(f"{url}/aanleverperiodes", headers={"Authorization": f"Bearer {token}"})
        problem(r, 401)
        assert "invalid_token" in r.headers["www-authenticate"]


# ---------------------------------------------------------------------------------------------- periods


def test_periods(mock: Mock) -> None:
    r = mock.client.get("/aanleverperiodes")
    assert r.status_code == 200
    data = r.json()
    assert data["vandaag"] == "2026-11-28"
    by = {p["periode"]: p for p in data["aanleverperiodes"]}
    assert data["open"] == ["2025-H2", "2026-H1", "2026-H2"]
    assert by["2024-H2"]["open"] is False and by["2024-H2"]["sluit"] == "2026-06-30"
    assert by["2027-H1"]["open"] is False and by["2027-H1"]["opent"] == "2027-01-01"
    assert by["2025-H2"]["sluit"] == "2027-06-30"


def test_default_periods_relative_to_today() -> None:
    from mock_server.periods import windows

    for today in (date(2026, 11, 28), date(2027, 3, 1), date(2025, 1, 15)):
        ws = windows(MockSettings(db=":memory:"), today)
        open_codes = [w.period.code for w in ws if w.is_open(today)]
        assert len(open_codes) == 4, open_codes  # the current period and the three before it
    ws = windows(MockSettings(db=":memory:"), date(2026, 11, 28))
    assert {"2025H2", "2026H1", "2026H2"} <= {w.period.code for w in ws if w.is_open(date(2026, 11, 28))}


# --------------------------------------------------------------------------------------- content checks


def test_wrong_content_type_charset_encoding(mock: Mock) -> None:
    body = envelope(doc())
    for headers, slug in (
        ({"Content-Type": "text/plain"}, "unsupported-media-type"),
        ({"Content-Type": "application/json; charset=iso-8859-1"}, "unsupported-charset"),
        ({"Content-Type": "application/json", "Content-Encoding": "gzip"}, "unsupported-encoding"),
    ):
        r = mock.client.deliver(body, headers=headers)
        assert problem(r, 415)["type"].endswith(slug)


def _total(mock: Mock) -> int:
    total: int = mock.client.get("/aanleveringen").json()["total"]
    return total


def test_not_json_and_not_utf8(mock: Mock) -> None:
    before = _total(mock)
    r = mock.client.deliver(b'{"gegevens": ', key="not-json-1")
    body = problem(r, 400)
    assert body["findings"] and body["findings"][0]["code"] == "R-JSON-01"
    latin = envelope(doc()).replace(b"Gemeente", "Gemeënte".encode("latin-1"))
    body = problem(mock.client.deliver(latin, key="not-utf8-1"), 400)
    assert any(f["code"] == "R-ENC-01" for f in body["findings"])
    assert _total(mock) == before  # nothing stored


def test_too_large(mock: Mock) -> None:
    big = envelope(doc("2026H1", 41))
    body = problem(mock.client.deliver(big), 413)
    assert "41 trajecten" in body["detail"]
    huge = b'{"gegevens": {"x": "' + b"a" * 3_100_000 + b'"}}'
    problem(mock.client.deliver(huge), 413)


# ------------------------------------------------------------------------------------------- signatures


def _jws(header: dict[str, Any], signature: bytes = b"x" * 256) -> str:
    return f"{b64url_encode(json.dumps(header).encode())}..{b64url_encode(signature)}"


def test_profiles_a_and_b_verified(mock: Mock) -> None:
    for profile, deel in ((SigningProfile.ADR, "SIGA"), (SigningProfile.BODY, "SIGB")):
        r = mock.client.deliver(
            envelope(doc(seed=3)), profile=profile, filename=name("2026H1", deel), key=deel
        )
        assert r.status_code == 202, r.text
        assert r.headers["ddas-signature-profile"] == profile.value
        assert r.json()["signatureProfile"] == profile.value


def test_profile_c_only_when_lenient(mock: Mock, tmp_path: Path) -> None:
    body = json.dumps({"gegevens": doc(seed=4)}, indent=1).encode()
    r = mock.client.deliver(body, profile=SigningProfile.CANONICAL)
    assert problem(r, 401)["reason"] == "signature-invalid"
    settings = dev_settings(tmp_path, lenient_signatures=True, today=TODAY, dev_dir=mock.keys.dir)
    with running_mock(settings) as url, MockClient(url, mock.keys.signer()) as client:
        r = client.deliver(body, profile=SigningProfile.CANONICAL)
        assert r.status_code == 202, r.text
        assert r.headers["ddas-signature-profile"] == "canonical"
        assert any(f["code"] == "MOCK-SIG-01" for f in r.json()["findings"])


def test_signature_rejections(mock: Mock, tmp_path: Path) -> None:
    from client.devtools.keys import issue_certificate, make_ca

    before = _total(mock)
    body = envelope(doc(seed=5))
    good = mock.keys.signer().sign(body)
    post = mock.client.deliver

    def reason(r: httpx.Response, status: int) -> str:
        return str(problem(r, status)["reason"])

    assert reason(post(body, sign=False, headers={"Digest": good["Digest"]}), 400) == "signature-missing"
    only_sig = {"nlgov-adr-payload-sig": good["nlgov-adr-payload-sig"]}
    assert reason(post(body, sign=False, headers=only_sig), 400) == "digest-missing"
    assert (
        reason(post(body, sign=False, headers={**good, "Digest": digest_header(b"other")}), 401)
        == "digest-mismatch"
    )
    assert reason(post(body, sign=False, headers={**good, "Digest": "SHA-256=%%%"}), 400) in (
        "digest-malformed",
        "digest-missing",
    )
    # another body under the same signature headers
    assert reason(post(envelope(doc(seed=6)), sign=False, headers=good), 401) == "digest-mismatch"
    # alg none / HS256 / RS256
    signer = mock.keys.signer()
    for alg in ("none", "HS256", "RS256"):
        header = {**signer.protected_header(), "alg": alg}
        sig = {"Digest": digest_header(body), "nlgov-adr-payload-sig": _jws(header)}
        assert reason(post(body, sign=False, headers=sig), 401) == "alg-not-allowed"
    # unknown crit
    header = signer.protected_header()
    header["crit"] = [*header["crit"], "exp"]
    header["exp"] = 1
    sig = {"Digest": digest_header(body), "nlgov-adr-payload-sig": _jws(header)}
    assert reason(post(body, sign=False, headers=sig), 401) == "crit-unknown"
    # duplicated signature header
    r = mock.client.http.post(
        f"{mock.url}/aanleveringen",
        content=body,
        headers=[
            ("Content-Type", "application/json"),
            ("Authorization", f"Bearer {mock.client.token()}"),
            ("Idempotency-Key", "dup-sig"),
            ("Digest", good["Digest"]),
            ("nlgov-adr-payload-sig", good["nlgov-adr-payload-sig"]),
            ("nlgov-adr-payload-sig", good["nlgov-adr-payload-sig"]),
        ],
    )
    assert reason(r, 400) == "signature-duplicated"
    # expired certificate from the trusted CA
    ca_key, ca_cert = mock.keys.ca_key(), mock.keys.ca_certificate()
    past = datetime.now(UTC) - timedelta(days=30)
    key, cert = issue_certificate(ca_key, ca_cert, "expired", past - timedelta(days=1), past, key_size=2048)
    expired = Signer(key, [cert, ca_cert], "expired")
    assert reason(post(body, sign=False, headers=expired.sign(body)), 401) == "certificate-expired"
    # a chain that does not end in a trust anchor
    other_key, other_ca = make_ca(cn="someone else's CA")
    key, cert = issue_certificate(other_key, other_ca, "stranger")
    stranger = Signer(key, [cert, other_ca], "stranger")
    assert reason(post(body, sign=False, headers=stranger.sign(body)), 401) in (
        "chain-untrusted",
        "certificate-untrusted",
    )
    # tampered signature
    tampered = dict(good)
    head, _, sig_part = tampered["nlgov-adr-payload-sig"].partition("..")
    tampered["nlgov-adr-payload-sig"] = head + ".." + ("A" if sig_part[0] != "A" else "B") + sig_part[1:]
    assert reason(post(body, sign=False, headers=tampered), 401) == "signature-invalid"
    assert _total(mock) == before  # nothing of this was stored


def test_responses_are_signed_profile_a(mock: Mock) -> None:
    verifier = Verifier(mock.keys.trust_anchors())
    for r in (mock.client.get("/aanleverperiodes"), mock.client.http.get(f"{mock.url}/aanleverperiodes")):
        verified = verifier.verify(r.content, r.headers)
        assert verified.profile is SigningProfile.ADR
    for header in (
        "cache-control",
        "x-content-type-options",
        "x-frame-options",
        "content-security-policy",
        "api-version",
    ):
        assert header in r.headers


# ----------------------------------------------------------------------------------------- idempotency


def test_idempotency(mock: Mock) -> None:
    body = envelope(doc(seed=7))
    fname = name("2026H1", "IDEM")
    first = mock.client.deliver(body, key="idem-1", filename=fname)
    assert first.status_code == 202 and "idempotency-replayed" not in first.headers
    again = mock.client.deliver(body, key="idem-1", filename=fname)
    assert again.status_code == 202 and again.headers["idempotency-replayed"] == "true"
    assert again.json() == first.json()
    assert again.headers["location"] == first.headers["location"]
    listed = mock.client.get("/aanleveringen", params={"uitvraagdeel": "IDEM"}).json()
    assert listed["total"] == 1 and listed["aanleveringen"][0]["pagesReceived"] == 1
    other = mock.client.deliver(envelope(doc(seed=8)), key="idem-1", filename=fname)
    assert problem(other, 422)["type"].endswith("idempotency-key-reused")
    problem(mock.client.deliver(body, key=None), 400)
    # quoted (Structured Field) key is the same key
    replay = mock.client.deliver(body, key='"idem-1"', filename=fname)
    assert replay.headers.get("idempotency-replayed") == "true"


def test_idempotency_in_flight(mock: Mock, request: pytest.FixtureRequest) -> None:
    body = envelope(doc(seed=9))
    key = "in-flight-1"
    from mock_server.idempotency import IdempotencyKeys

    # Claim the key as a first request still being processed would.
    store_path = mock.settings.db
    from mock_server.store import Store

    store = Store(store_path)
    keys = IdempotencyKeys.__new__(IdempotencyKeys)
    from mock_server.clock import Clock

    keys.store, keys.ttl, keys.clock = store, 86400, Clock(mock.settings.today)
    keys.claim("dev", key, hashlib.sha256(body).hexdigest())
    r = mock.client.deliver(body, key=key)
    assert problem(r, 409)["type"].endswith("in-flight")
    assert "retry-after" in r.headers
    keys.release("dev", key)
    store.close()
    assert mock.client.deliver(body, key=key).status_code == 202


# ------------------------------------------------------------------------------------ technical check


def test_schema_errors_listed_nothing_stored(mock: Mock) -> None:
    d = doc(seed=10, n=4)
    for t in d["leveringen"][0]["schuldhulptrajecten"][:2]:
        del t["gemeentecode"]
    d["leveringen"][0]["schuldhulptrajecten"][3]["onbekend"] = 1
    body = problem(mock.client.deliver(envelope(d), filename=name("2026H1", "SCHEMA")), 400)
    errors = [f for f in body["findings"] if f["severity"] == "error"]
    assert len(errors) >= 3, body["findings"]
    assert body["errors"] == len(errors)
    assert mock.client.get("/aanleveringen", params={"uitvraagdeel": "SCHEMA"}).json()["total"] == 0
    admin = {"Authorization": "Bearer admin-secret"}
    log = mock.client.http.get(f"{mock.url}/admin/requests", headers=admin, params={"limit": 5}).json()
    attempt = next(i for i in log["requests"] if i["method"] == "POST" and i["path"] == "/v1/aanleveringen")
    assert attempt["status"] == 400 and attempt["clientId"] == "dev"  # the attempt is in the log


def test_warnings_only_accepted(mock: Mock) -> None:
    d = doc(seed=11, n=4)
    d["codeGegevensleverancier"] = "leverancier zonder versie"
    r = mock.client.deliver(envelope(d), filename=name("2026H1", "WARN"))
    assert r.status_code == 202, r.text
    found = r.json()["findings"]
    assert found and all(f["severity"] != "error" for f in found)
    report = mock.client.get(f"/aanleveringen/{r.json()['id']}/op-orde-rapport").json()
    assert report["findings"]


def test_bad_file_name_refused(mock: Mock) -> None:
    r = mock.client.deliver(envelope(doc(seed=12)), filename="verkeerde naam.txt")
    body = problem(r, 400)
    assert any(f["code"] == "R-FILE-01" for f in body["findings"])


def test_period_not_half_year(mock: Mock) -> None:
    d = doc(seed=13)
    d["einddatumLevering"] = "2026-12-31"
    body = problem(mock.client.deliver(envelope(d)), 400)
    assert body["findings"][0]["code"] == "MOCK-PERIOD-01"


def test_closed_and_future_period_409(mock: Mock) -> None:
    closed = problem(mock.client.deliver(envelope(doc("2024H2", seed=14))), 409)
    assert closed["deadline"] == "2026-06-30" and "2026-06-30" in closed["detail"]
    future = problem(mock.client.deliver(envelope(doc("2027H1", seed=14))), 409)
    assert "2027-01-01" in future["detail"]
    unknown = problem(mock.client.deliver(envelope(doc("2023H1", seed=14))), 409)
    assert "not accepted" in unknown["detail"]


# ------------------------------------------------------------------------------- pages and whole checks


def _send_pages(mock: Mock, pages: list[bytes], deel: str, period: str = "2025H2") -> list[httpx.Response]:
    out = []
    for page in pages:
        r = mock.client.deliver(page, filename=name(period, deel))
        assert r.status_code == 202, r.text
        out.append(r)
    return out


def test_paged_delivery_accepted(mock: Mock) -> None:
    d = doc("2025H2", 10, seed=15, variant="meerdere")
    pages = split_pages(d, 4)
    responses = _send_pages(mock, pages, "PAGED")
    states = [r.json()["status"] for r in responses]
    assert states == ["ontvangen", "ontvangen", "technisch_goedgekeurd"]
    assert [r.json()["pagesReceived"] for r in responses] == [1, 2, 3]
    assert len({r.json()["id"] for r in responses}) == 1
    final = mock.client.get(responses[0].headers["location"].removeprefix("/v1")).json()
    assert final["trajecten"] == 10 and final["pagesMissing"] == []
    assert final["organisatie"]["id"].startswith("kvk:") and final["uitvraagdeel"] == "PAGED"


def _reject(mock: Mock, pages: list[bytes], deel: str, code: str) -> dict[str, Any]:
    last: dict[str, Any] = _send_pages(mock, pages, deel)[-1].json()
    assert last["status"] == "technisch_afgekeurd", last
    assert any(f["code"] == code for f in last["findings"]), last["findings"]
    return last


def _mutate(page: bytes, fn: Any) -> bytes:
    data = orjson.loads(page)
    fn(data)
    return orjson.dumps(data)


def test_whole_delivery_teller_sequence(mock: Mock) -> None:
    pages = split_pages(doc("2025H2", 10, seed=16, variant="meerdere"), 4)

    def renumber(data: dict[str, Any]) -> None:
        for lev in data["gegevens"]["leveringen"]:
            lev["teller"] += 5

    pages[2] = _mutate(pages[2], renumber)
    _reject(mock, pages, "TELLER", "MOCK-WHOLE-01")


def test_whole_delivery_duplicate_across_pages(mock: Mock) -> None:
    d = doc("2025H2", 8, seed=17)
    trajecten = d["leveringen"][0]["schuldhulptrajecten"]
    trajecten[6] = trajecten[1]
    _reject(mock, split_pages(d, 4), "DUPL", "MOCK-WHOLE-02")


def test_whole_delivery_total_records(mock: Mock) -> None:
    pages = split_pages(doc("2025H2", 8, seed=18), 4)

    def wrong_total(data: dict[str, Any]) -> None:
        # 7 fits 2 pages of 4 (9 would not: that page alone is refused, R-API-02), but 8 arrive
        data["paginering"]["totalRecords"] = 7

    _reject(mock, [_mutate(p, wrong_total) for p in pages], "TOTAL", "MOCK-WHOLE-03")


def test_whole_delivery_missing_pages_timeout(tmp_path: Path) -> None:
    settings = dev_settings(tmp_path, today=TODAY, missing_pages_timeout_seconds=0.5)
    with running_mock(settings) as url, MockClient(url, DevKeys.load(tmp_path / "keys").signer()) as client:
        pages = split_pages(doc("2025H2", 8, seed=19), 4)
        r = client.deliver(pages[0])
        assert r.json()["status"] == "ontvangen" and r.json()["pagesMissing"] == [2]
        time.sleep(0.8)
        state = client.get(f"/aanleveringen/{r.json()['id']}").json()
        assert state["status"] == "technisch_afgekeurd"
        assert any(f["code"] == "MOCK-WHOLE-04" for f in state["findings"])


def test_processing_delay_retry_after(tmp_path: Path) -> None:
    settings = dev_settings(tmp_path, today=TODAY, processing_delay_seconds=1.5)
    with running_mock(settings) as url, MockClient(url, DevKeys.load(tmp_path / "keys").signer()) as client:
        r = client.deliver(envelope(doc("2026H1", seed=20)))
        assert r.json()["status"] == "in_behandeling"
        poll = client.get(f"/aanleveringen/{r.json()['id']}")
        assert poll.json()["status"] == "in_behandeling" and int(poll.headers["retry-after"]) >= 1
        report = client.get(f"/aanleveringen/{r.json()['id']}/op-orde-rapport")
        problem(report, 409)
        time.sleep(int(poll.headers["retry-after"]) + 0.1)
        done = client.get(f"/aanleveringen/{r.json()['id']}")
        assert done.json()["status"] == "technisch_goedgekeurd" and "retry-after" not in done.headers


# ------------------------------------------------------------------------- corrections and withdrawal


def test_correction_replaces(mock: Mock) -> None:
    first = mock.client.deliver(envelope(doc("2025H2", 3, seed=21)), filename=name("2025H2", "CORR")).json()
    second = mock.client.deliver(envelope(doc("2025H2", 4, seed=21)), filename=name("2025H2", "CORR")).json()
    assert first["id"] != second["id"] and second["status"] == "technisch_goedgekeurd"
    old = mock.client.get(f"/aanleveringen/{first['id']}").json()
    assert old["status"] == "vervangen" and old["vervangenDoor"] == second["id"]
    problem(mock.client.post(f"/aanleveringen/{first['id']}/intrekking"), 409)


def test_restarted_incomplete_delivery_is_replaced(mock: Mock) -> None:
    pages = split_pages(doc("2025H2", 8, seed=22), 4)
    a = mock.client.deliver(pages[0], filename=name("2025H2", "RESTART")).json()
    b = mock.client.deliver(pages[0] + b" ", filename=name("2025H2", "RESTART")).json()
    assert a["id"] != b["id"]
    assert mock.client.get(f"/aanleveringen/{a['id']}").json()["status"] == "vervangen"


def test_withdrawal_before_and_after_deadline(mock: Mock) -> None:
    open_one = mock.client.deliver(envelope(doc("2025H2", seed=23)), filename=name("2025H2", "WD")).json()
    r = mock.client.post(f"/aanleveringen/{open_one['id']}/intrekking", headers={"Idempotency-Key": "wd-1"})
    assert r.status_code == 200 and r.json()["status"] == "ingetrokken" and r.json()["ingetrokkenOp"]
    assert mock.client.post(f"/aanleveringen/{open_one['id']}/intrekking").status_code == 200  # idempotent
    late = mock.client.deliver(envelope(doc("2026H1", seed=23)), filename=name("2026H1", "WD")).json()
    body = problem(mock.client.post(f"/aanleveringen/{late['id']}/intrekking"), 409)
    assert body["deadline"] == "2026-10-01" and "2026-10-01" in body["detail"]
    problem(mock.client.post("/aanleveringen/does-not-exist/intrekking"), 404)


def test_list_filters(mock: Mock) -> None:
    r = mock.client.deliver(envelope(doc("2026H2", seed=24)), filename=name("2026H2", "LIST"))
    created = r.json()
    org = created["organisatie"]["id"]
    for periode in ("2026-H2", "2026H2"):
        listed = mock.client.get("/aanleveringen", params={"periode": periode, "organisatie": org}).json()
        assert [i["id"] for i in listed["aanleveringen"]] == [created["id"]]
    bare = org.split(":", 1)[1]
    assert (
        mock.client.get("/aanleveringen", params={"periode": "2026-H2", "organisatie": bare}).json()["total"]
        == 1
    )
    problem(mock.client.get("/aanleveringen", params={"periode": "2026-H3"}), 400)
    problem(mock.client.get("/aanleveringen", params={"status": "kapot"}), 400)
    problem(mock.client.get("/aanleveringen/unknown-id"), 404)


def test_report_json_and_html(mock: Mock) -> None:
    r = mock.client.deliver(envelope(doc("2026H2", 6, seed=25)), filename=name("2026H2", "RAPPORT"))
    rid = r.json()["id"]
    report = mock.client.get(f"/aanleveringen/{rid}/op-orde-rapport")
    assert report.status_code == 200 and report.headers["content-type"].startswith("application/json")
    data = report.json()
    assert data["totals"] and data["aanlevering"]["id"] == rid
    html = mock.client.get(f"/aanleveringen/{rid}/op-orde-rapport", headers={"Accept": "text/html"})
    assert html.status_code == 200 and html.headers["content-type"].startswith("text/html")
    assert "<svg" in html.text and "http://" not in html.text.replace("http://www.w3.org", "")


def test_no_bsn_in_answers(mock: Mock) -> None:
    d = doc("2026H2", 3, seed=26)
    d["leveringen"][0]["schuldhulptrajecten"][0]["client"][0]["Burgerservicenummer"] = (
        "123456789"  # fails 11-check
    )
    r = mock.client.deliver(envelope(d), filename=name("2026H2", "BSN"))
    assert r.status_code == 202 and r.json()["findings"]
    assert "123456789" not in r.text
    admin = {"Authorization": "Bearer admin-secret"}
    assert "123456789" not in mock.client.http.get(f"{mock.url}/admin/requests", headers=admin).text


# -------------------------------------------------------------------------------------------- admin


def test_admin(mock: Mock) -> None:
    http = mock.client.http
    problem(http.get(f"{mock.url}/admin/requests"), 401)
    problem(http.get(f"{mock.url}/admin/requests", headers={"Authorization": "Bearer wrong"}), 401)
    admin = {"Authorization": "Bearer admin-secret"}
    mock.client.deliver(envelope(doc("2026H2", seed=27)), filename=name("2026H2", "ADMIN"))
    log = http.get(f"{mock.url}/admin/requests", headers=admin, params={"client_id": "dev"}).json()[
        "requests"
    ]
    post = next(
        i for i in log if i["method"] == "POST" and i["path"] == "/v1/aanleveringen" and i["status"] == 202
    )
    headers = dict(post["headers"])
    assert headers["authorization"] == "Bearer ***"
    assert post["signatureProfile"] == "adr" and len(post["bodySha256"]) == 64 and post["clientId"] == "dev"
    faults = http.get(f"{mock.url}/admin/faults", headers=admin).json()
    assert faults["rules"] == []
    new = {"rules": [{"kind": "503", "probability": 1.0, "endpoint": "GET /aanleverperiodes"}], "seed": 1}
    assert http.put(f"{mock.url}/admin/faults", headers=admin, json=new).status_code == 200
    problem(mock.client.get("/aanleverperiodes"), 503)
    assert http.get(f"{mock.url}/admin/faults", headers=admin).json()["injected"] == {"503": 1}
    problem(http.put(f"{mock.url}/admin/faults", headers=admin, json={"rules": [{"kind": "boom"}]}), 400)
    assert http.put(f"{mock.url}/admin/faults", headers=admin, json={}).status_code == 200
    assert mock.client.get("/aanleverperiodes").status_code == 200


def test_admin_reset_and_disabled(tmp_path: Path) -> None:
    settings = dev_settings(tmp_path, today=TODAY, admin_token="t")
    with running_mock(settings) as url, MockClient(url, DevKeys.load(tmp_path / "keys").signer()) as client:
        client.deliver(envelope(doc("2026H1", seed=28)))
        assert client.get("/aanleveringen").json()["total"] == 1
        assert client.http.post(f"{url}/admin/reset", headers={"X-Admin-Token": "t"}).json() == {
            "reset": True
        }
        assert client.get("/aanleveringen").json()["total"] == 0
    # development mode turns admin on behind the token `dev`; without dev mode and a token it is off
    settings = MockSettings(db=str(tmp_path / "b.sqlite"), today=TODAY)
    with running_mock(settings) as url:
        problem(httpx.get(f"{url}/admin/requests", headers={"Authorization": "Bearer dev"}), 404)


def test_rate_limit(tmp_path: Path) -> None:
    settings = dev_settings(tmp_path, today=TODAY, rate_limit_per_second=1, rate_limit_burst=3)
    with running_mock(settings) as url, MockClient(url, None) as client:
        statuses = [client.get("/aanleverperiodes").status_code for _ in range(5)]
        assert statuses[:3] == [200, 200, 200] and 429 in statuses[3:]
        r = client.get("/aanleverperiodes")
        problem(r, 429)
        assert int(r.headers["retry-after"]) >= 1


# ------------------------------------------------------------------------------------------ restart


def test_restart_keeps_state(tmp_path: Path) -> None:
    settings = dev_settings(tmp_path, today=TODAY)
    body = envelope(doc("2026H1", seed=29))
    pages = split_pages(doc("2025H2", 8, seed=30), 4)
    with running_mock(settings) as url, MockClient(url, DevKeys.load(tmp_path / "keys").signer()) as client:
        done = client.deliver(body, key="restart-1").json()
        partial = client.deliver(pages[0]).json()
        token = client.token()
    with running_mock(settings) as url, MockClient(url, DevKeys.load(tmp_path / "keys").signer()) as client:
        client._token = token  # tokens survive too
        assert client.get(f"/aanleveringen/{done['id']}").json()["status"] == "technisch_goedgekeurd"
        replay = client.deliver(body, key="restart-1")
        assert replay.headers["idempotency-replayed"] == "true" and replay.json()["id"] == done["id"]
        rest = client.deliver(pages[1]).json()
        assert rest["id"] == partial["id"] and rest["status"] == "technisch_goedgekeurd"
    assert Path(settings.db).is_file()


def test_bodies_stored_compressed(tmp_path: Path) -> None:
    import sqlite3
    import zlib

    settings = dev_settings(tmp_path, today=TODAY)
    body = envelope(doc("2026H1", 20, seed=31))
    with running_mock(settings) as url, MockClient(url, DevKeys.load(tmp_path / "keys").signer()) as client:
        assert client.deliver(body).status_code == 202
    con = sqlite3.connect(settings.db)
    (blob,) = con.execute("SELECT body FROM pages").fetchone()
    con.close()
    assert zlib.decompress(blob) == body and len(blob) < len(body)


# ----------------------------------------------------------------------------------- without dev mode


def test_configured_trust_anchors_clients_and_own_key(tmp_path: Path, mock: Mock) -> None:
    """No --dev: clients and trust anchors from configuration; the mock generates its own key once."""
    from cryptography import x509

    settings = MockSettings(
        db=str(tmp_path / "plain.sqlite"),
        today=TODAY,
        clients=[ClientConfig(id="leverancier", secret="geheim")],
        trust_anchors=[mock.keys.ca_path],
    )
    chains = []
    for _ in range(2):  # the generated key is kept in the store: the same after a restart
        with (
            running_mock(settings) as url,
            MockClient(url, mock.keys.signer(), "leverancier", "geheim") as client,
        ):
            r = client.deliver(envelope(doc("2026H1", seed=40)), key="plain-1")
            assert r.status_code == 202, r.text
            header = json.loads(
                base64.urlsafe_b64decode(r.headers["nlgov-adr-payload-sig"].split(".")[0] + "==")
            )
            chain = [x509.load_der_x509_certificate(base64.b64decode(c)) for c in header["x5c"]]
            Verifier([chain[-1]]).verify(r.content, r.headers)
            chains.append(header["x5c"])
            denied = httpx.post(
                f"{url}/oauth/token", data={"grant_type": "client_credentials"}, auth=("dev", "dev")
            )
            assert denied.status_code == 401  # dev/dev is no client without --dev
    assert chains[0] == chains[1]


def test_configured_signing_key(tmp_path: Path, mock: Mock) -> None:
    settings = dev_settings(
        tmp_path,
        signing_key=mock.keys.signing_key_path,
        signing_chain=mock.keys.signing_chain_path,
        dev_dir=mock.keys.dir,
    )
    with running_mock(settings) as url:
        r = httpx.get(f"{url}/aanleverperiodes")
        verified = Verifier(mock.keys.trust_anchors()).verify(r.content, r.headers)
        assert verified.kid == "ddas-mock-receiver"
