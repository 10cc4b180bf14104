"""The provider over real HTTP: pagination, auth, signatures, the interop case, limits and the cache."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import orjson
import pytest

from client.devtools.generate import write_export
from client.devtools.keys import DevKeys, make_ca
from client.planning import Period, plan
from client.provider import ProviderSettings, TokenConfig
from client.provider.testing import ProviderClient, dev_provider_settings, running_provider
from client.wire.signing import SIGNATURE_HEADER, Signer, SigningProfile

H1 = {"aanleverperiodeStartdatum": "2026-01-01", "aanleverperiodeEinddatum": "2026-06-30"}
STAMP = datetime(2026, 7, 1, 8, 0, tzinfo=UTC)


def _export(
    path: Path, n: int, *, organisaties: int = 1, seed: int = 7, start: date = date(2026, 1, 1)
) -> Path:
    write_export(
        path,
        trajecten=n,
        date_from=start,
        date_to=start.replace(month=6, day=30),
        organisaties=organisaties,
        seed=seed,
        variant="gemeente",
    )
    return path


def _slice(source: dict[str, Any], n: int, path: Path) -> Path:
    """The first `n` trajecten of a one-levering export (cheap way to make 25,000 and 25,001)."""
    doc = dict(source)
    lev = dict(doc["leveringen"][0])
    lev["schuldhulptrajecten"] = lev["schuldhulptrajecten"][:n]
    doc["leveringen"] = [lev]
    path.write_bytes(orjson.dumps(doc))
    return path


@pytest.fixture(scope="module")
def big(tmp_path_factory: pytest.TempPathFactory) -> dict[int, Path]:
    """60,000 trajecten generated once; 25,000 and 25,001 cut from it."""
    d = tmp_path_factory.mktemp("big")
    full = _export(d / "60000.json", 60_000, seed=60)
    doc = orjson.loads(full.read_bytes())
    assert len(doc["leveringen"]) == 1
    return {
        60_000: full,
        25_000: _slice(doc, 25_000, d / "25000.json"),
        25_001: _slice(doc, 25_001, d / "25001.json"),
    }


@pytest.fixture(scope="module")
def small(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return _export(tmp_path_factory.mktemp("small") / "small.json", 12, seed=3)


@pytest.fixture
def provider(small: Path, keys: DevKeys) -> Iterator[ProviderClient]:
    settings = dev_provider_settings([small], keys.dir, aanleverdatum=STAMP, today=date(2026, 11, 28))
    with running_provider(settings) as url, ProviderClient(url, keys) as client:
        yield client


def _serve(data: list[Path], keys: DevKeys, **overrides: Any) -> Any:
    overrides.setdefault("aanleverdatum", STAMP)
    overrides.setdefault("today", date(2026, 11, 28))
    return running_provider(dev_provider_settings(data, keys.dir, **overrides))


def _trajecten(body: dict[str, Any]) -> int:
    return sum(len(lev["schuldhulptrajecten"]) for lev in body["gegevens"]["leveringen"])


# ------------------------------------------------------------------------------------------ pagination


@pytest.mark.timeout(60)
def test_zero_trajecten_answers_one_empty_levering_without_paginering(
    small: Path, keys: DevKeys, tmp_path: Path
) -> None:
    doc = orjson.loads(small.read_bytes())
    doc["startdatumLevering"] = "2020-01-01"  # the export covers 2020H1, but holds no traject of it
    wide = tmp_path / "wide.json"
    wide.write_bytes(orjson.dumps(doc))
    with _serve([wide], keys) as url, ProviderClient(url, keys) as client:
        response = client.post(
            {"aanleverperiodeStartdatum": "2020-01-01", "aanleverperiodeEinddatum": "2020-06-30"}
        )
        past = client.post(
            {"aanleverperiodeStartdatum": "2020-01-01", "aanleverperiodeEinddatum": "2020-06-30", "page": 2}
        )
    assert response.status_code == 200
    body = response.json()
    assert "paginering" not in body
    assert body["gegevens"]["startdatumLevering"] == "2020-01-01"
    assert [len(lev["schuldhulptrajecten"]) for lev in body["gegevens"]["leveringen"]] == [0]
    assert body["gegevens"]["leveringen"][0]["aanleverende_organisatie"]["(Statutaire) Naam"]
    assert past.json()["paginering"] == {
        "pageSize": 25000,
        "currentPage": 1,
        "totalPages": 1,
        "totalRecords": 0,
    }


@pytest.mark.timeout(60)
def test_one_traject_and_page_size_one(tmp_path: Path, keys: DevKeys) -> None:
    one = _export(tmp_path / "one.json", 1, seed=11)
    three = _export(tmp_path / "three.json", 3, seed=12)
    with _serve([one], keys) as url, ProviderClient(url, keys) as client:
        single = client.post(H1)
        explicit = client.post({**H1, "pageSize": 1})
    assert single.status_code == 200 and _trajecten(single.json()) == 1
    assert "paginering" not in single.json()
    # one page even when asked with pageSize: not paginated, so no paginering (decisions: provider.md)
    assert "paginering" not in explicit.json()
    with _serve([three], keys) as url, ProviderClient(url, keys) as client:
        pages = [client.post({**H1, "pageSize": 1, "page": n}) for n in (1, 2, 3)]
    seen = set()
    for n, response in enumerate(pages, start=1):
        body = response.json()
        assert body["paginering"] == {"pageSize": 1, "currentPage": n, "totalPages": 3, "totalRecords": 3}
        assert _trajecten(body) == 1
        seen.add(orjson.dumps(body["gegevens"]["leveringen"][0]["schuldhulptrajecten"][0]))
    assert len(seen) == 3


@pytest.mark.timeout(120)
def test_25000_is_one_page_and_25001_two(big: dict[int, Path], keys: DevKeys) -> None:
    with _serve([big[25_000]], keys) as url, ProviderClient(url, keys) as client:
        exact = client.post(H1)
    assert exact.status_code == 200
    body = orjson.loads(exact.content)
    assert _trajecten(body) == 25_000 and "paginering" not in body
    with _serve([big[25_001]], keys) as url, ProviderClient(url, keys) as client:
        last = client.post({**H1, "page": 2})
    body = orjson.loads(last.content)
    assert body["paginering"] == {"pageSize": 25000, "currentPage": 2, "totalPages": 2, "totalRecords": 25001}
    assert _trajecten(body) == 1


@pytest.mark.timeout(120)
def test_60000_three_pages_and_past_the_end_is_the_first(big: dict[int, Path], keys: DevKeys) -> None:
    with _serve([big[60_000]], keys) as url, ProviderClient(url, keys) as client:
        third = client.post({**H1, "page": 3})
        past = client.post({**H1, "page": 4})
    body = orjson.loads(third.content)
    assert body["paginering"] == {"pageSize": 25000, "currentPage": 3, "totalPages": 3, "totalRecords": 60000}
    assert _trajecten(body) == 10_000
    first = orjson.loads(past.content)
    assert first["paginering"] == {
        "pageSize": 25000,
        "currentPage": 1,
        "totalPages": 3,
        "totalRecords": 60000,
    }
    assert _trajecten(first) == 25_000


def test_page_past_the_end_of_a_single_page_gets_paginering(provider: ProviderClient) -> None:
    body = provider.post({**H1, "page": 7}).json()
    assert body["paginering"] == {"pageSize": 25000, "currentPage": 1, "totalPages": 1, "totalRecords": 12}
    assert _trajecten(body) == 12


def test_pages_are_the_planners_bytes(small: Path, provider: ProviderClient) -> None:
    with plan(
        [small],
        [Period.parse("2026H1")],
        vendor_code=ProviderSettings().vendor_code,
        page_size=5,
        aanleverdatum=STAMP,
    ) as planned:
        expected = [p.build() for d in planned.deliveries for p in d.pages]
    got = [provider.post({**H1, "pageSize": 5, "page": n}).content for n in (1, 2, 3)]
    assert got == expected
    assert provider.post({**H1, "pageSize": 5, "page": 2}).content == expected[1]  # cached, same bytes


def test_page_size_over_25000_and_bad_values_are_400(provider: ProviderClient) -> None:
    response = provider.post({**H1, "pageSize": 25_001, "page": 0})
    assert response.status_code == 400
    body = response.json()
    assert response.headers["content-type"] == "application/problem+json"
    assert {e["location"] for e in body["errors"]} == {"#/pageSize", "#/page"}


def test_no_dates_means_last_complete_half_year(small: Path, keys: DevKeys) -> None:
    with _serve([small], keys, today=date(2026, 8, 3)) as url, ProviderClient(url, keys) as client:
        body = client.post({}).json()
    assert (body["gegevens"]["startdatumLevering"], body["gegevens"]["einddatumLevering"]) == (
        "2026-01-01",
        "2026-06-30",
    )


@pytest.mark.parametrize(
    ("request_body", "location"),
    [
        ({"aanleverperiodeStartdatum": "2026-01-01"}, "#/aanleverperiodeEinddatum"),
        (
            {"aanleverperiodeStartdatum": "2026-06-30", "aanleverperiodeEinddatum": "2026-01-01"},
            "#/aanleverperiodeEinddatum",
        ),
        (
            {"aanleverperiodeStartdatum": "2026-02-30", "aanleverperiodeEinddatum": "2026-06-30"},
            "#/aanleverperiodeStartdatum",
        ),
        ({"aanleverende_organisatie": ""}, "#/aanleverende_organisatie"),
        ({"page": "1"}, "#/page"),
    ],
)
def test_invalid_dates_and_types_are_400(
    provider: ProviderClient, request_body: dict[str, Any], location: str
) -> None:
    response = provider.post(request_body)
    assert response.status_code == 400
    assert location in [e["location"] for e in response.json()["errors"]]


@pytest.mark.timeout(120)
def test_a_year_is_served_like_a_half_year(tmp_path: Path, keys: DevKeys) -> None:
    """Issue 9 item 5: the shape of DDAS-SHV.yaml's example (a calendar year) gets the trajecten that
    overlap it, paged and ordered as the planner pages a half year; each range has its own cache entry."""
    export = tmp_path / "year.json"
    write_export(
        export,
        trajecten=30,
        date_from=date(2025, 1, 1),
        date_to=date(2025, 12, 31),
        seed=41,
        variant="gemeente",
    )
    year = {"aanleverperiodeStartdatum": "2025-01-01", "aanleverperiodeEinddatum": "2025-12-31"}
    h2 = {"aanleverperiodeStartdatum": "2025-07-01", "aanleverperiodeEinddatum": "2025-12-31"}
    with _serve([export], keys) as url, ProviderClient(url, keys) as client:
        whole = client.post({**year, "pageSize": 7})
        pages = [whole.json()] + [
            client.post({**year, "pageSize": 7, "page": n}).json()
            for n in range(2, whole.json()["paginering"]["totalPages"] + 1)
        ]
        second = client.post({**h2, "pageSize": 7})
    assert whole.status_code == 200, whole.text
    assert whole.json()["gegevens"]["startdatumLevering"] == "2025-01-01"
    assert whole.json()["gegevens"]["einddatumLevering"] == "2025-12-31"
    expected = plan(
        [export], [Period.span(date(2025, 1, 1), date(2025, 12, 31))], vendor_code="x", page_size=7
    )
    with expected:
        assert (
            whole.json()["paginering"]["totalRecords"] == sum(d.trajecten for d in expected.deliveries) == 30
        )
        assert len(pages) == sum(len(d.pages) for d in expected.deliveries)
    assert sum(_trajecten(p) for p in pages) == 30
    assert second.status_code == 200 and second.json()["gegevens"]["startdatumLevering"] == "2025-07-01"
    assert second.json()["paginering"]["totalRecords"] < 30  # another range, another plan: not the year's


def test_a_period_the_exports_do_not_cover_is_422(provider: ProviderClient) -> None:
    """The small export covers 2026H1: a period outside it is not answered with stale or empty data but
    with a 422 naming what is covered; a period that overlaps it is served."""
    for body in (
        {"aanleverperiodeStartdatum": "2025-01-01", "aanleverperiodeEinddatum": "2025-12-31"},
        {"aanleverperiodeStartdatum": "2026-07-01", "aanleverperiodeEinddatum": "2026-12-31"},
        {"aanleverperiodeStartdatum": "2026-06-30", "aanleverperiodeEinddatum": "2026-12-31"},  # overlaps
        {},  # the default, the last complete half year before 2026-11-28: 2026H1, covered
    ):
        response = provider.post(body)
        if not body or body["aanleverperiodeStartdatum"] == "2026-06-30":
            assert response.status_code == 200, response.text
            continue
        assert response.status_code == 422, response.text
        problem = response.json()
        assert problem["covered"] == [{"start": "2026-01-01", "end": "2026-06-30"}]
        assert "2026-01-01..2026-06-30" in problem["detail"]
        assert response.headers["content-type"].startswith("application/problem+json")


def test_a_period_over_three_years_is_400(provider: ProviderClient) -> None:
    response = provider.post(
        {"aanleverperiodeStartdatum": "2020-01-01", "aanleverperiodeEinddatum": "2026-06-30"}
    )
    assert response.status_code == 400
    assert [e["code"] for e in response.json()["errors"]] == ["maximum"]


def test_organisation_filter(tmp_path: Path, keys: DevKeys) -> None:
    two = _export(tmp_path / "two.json", 20, organisaties=2, seed=21)
    with _serve([two], keys) as url, ProviderClient(url, keys) as client:
        everything = client.post(H1).json()
        names = sorted(
            lev["aanleverende_organisatie"]["(Statutaire) Naam"]
            for n in range(1, everything["paginering"]["totalPages"] + 1)
            for lev in client.post({**H1, "page": n}).json()["gegevens"]["leveringen"]
        )
        one = client.post({**H1, "aanleverende_organisatie": names[0].upper()}).json()
        unknown = client.post({**H1, "aanleverende_organisatie": "Gemeente Nergens"})
    assert everything["paginering"]["totalPages"] == 2 and everything["paginering"]["totalRecords"] == 20
    assert len(set(names)) == 2
    assert "paginering" not in one
    assert {
        lev["aanleverende_organisatie"]["(Statutaire) Naam"] for lev in one["gegevens"]["leveringen"]
    } == {names[0]}
    assert unknown.status_code == 422 and sorted(unknown.json()["organisaties"]) == sorted(set(names))


# ------------------------------------------------------------------------------------------------ auth


@pytest.mark.parametrize(
    ("header", "value"),
    [("Fsc-Authorization", "dev"), ("Fsc-Authorization", "Bearer dev"), ("Authorization", "Bearer dev")],
)
def test_accepted_token_headers(provider: ProviderClient, header: str, value: str) -> None:
    response = provider.post(H1, token=None, headers={header: value})
    assert response.status_code == 200
    assert response.headers["API-Version"] == "1.0.0"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["DDAS-Signature-Profile"] == "adr"


def test_response_signature_verifies(provider: ProviderClient, keys: DevKeys) -> None:
    response = provider.post(H1)
    verified = keys.verifier().verify(response.content, response.headers)
    assert verified.profile is SigningProfile.ADR
    assert response.headers["Digest"].startswith("SHA-256=")


def _fsc(response: Any, status: int, code: str) -> None:
    assert response.status_code == status
    assert response.headers["Fsc-Error-Code"] == code
    assert response.headers["content-type"] == "application/problem+json"
    body = response.json()
    assert body["code"] == code and body["status"] == status and body["domain"].startswith("ERROR_DOMAIN_")
    assert "message" in body and "title" in body and "detail" in body


def test_missing_and_invalid_tokens(provider: ProviderClient) -> None:
    missing = provider.post(H1, token=None)
    _fsc(missing, 401, "ERROR_CODE_ACCESS_TOKEN_MISSING")
    assert missing.headers["WWW-Authenticate"] == "Bearer"
    _fsc(provider.post(H1, token="nope"), 401, "ERROR_CODE_ACCESS_TOKEN_INVALID")
    _fsc(
        provider.post(H1, token=None, headers={"Authorization": "dev"}),
        401,
        "ERROR_CODE_ACCESS_TOKEN_MISSING",
    )
    both = provider.post(H1, headers={"Fsc-Authorization": "wrong"})
    _fsc(both, 401, "ERROR_CODE_ACCESS_TOKEN_INVALID")


def test_expired_token_wrong_group_and_scope(small: Path, keys: DevKeys) -> None:
    past = datetime.now(UTC) - timedelta(hours=1)
    tokens = [
        TokenConfig(value="old", expires_at=past, group_id="g"),
        TokenConfig(value="other", group_id="x"),
        TokenConfig(value="noscope", group_id="g", scopes=["write"]),
        TokenConfig(value="good", group_id="g"),
    ]
    with _serve([small], keys, tokens=tokens, group_id="g") as url, ProviderClient(url, keys) as client:
        _fsc(client.post(H1, token="old"), 401, "ERROR_CODE_ACCESS_TOKEN_EXPIRED")
        _fsc(client.post(H1, token="other"), 403, "ERROR_CODE_WRONG_GROUP_ID_IN_TOKEN")
        _fsc(client.post(H1, token="noscope"), 403, "ERROR_CODE_WRONG_GROUP_ID_IN_TOKEN")
        _fsc(client.post(H1, token="dev"), 403, "ERROR_CODE_WRONG_GROUP_ID_IN_TOKEN")  # dev has no group
        assert client.post(H1, token="good", header="Fsc-Authorization").status_code == 200


def test_each_token_header_can_be_switched_off(small: Path, keys: DevKeys) -> None:
    with _serve([small], keys, accept_authorization=False) as url, ProviderClient(url, keys) as client:
        _fsc(client.post(H1), 401, "ERROR_CODE_ACCESS_TOKEN_MISSING")
        assert client.post(H1, header="Fsc-Authorization").status_code == 200
    with _serve([small], keys, accept_fsc_authorization=False) as url, ProviderClient(url, keys) as client:
        _fsc(client.post(H1, token=None, header="Fsc-Authorization"), 401, "ERROR_CODE_ACCESS_TOKEN_MISSING")
        assert client.post(H1).status_code == 200


def test_unknown_path_and_method_are_fsc_errors(provider: ProviderClient) -> None:
    base = provider.url.rsplit("/", 1)[0]
    _fsc(provider.http.post(base + "/elders", content=b"{}"), 404, "ERROR_CODE_SERVICE_NOT_FOUND")
    wrong = provider.http.get(provider.url)
    _fsc(wrong, 405, "ERROR_CODE_METHOD_UNSUPPORTED")
    assert wrong.json()["domain"] == "ERROR_DOMAIN_OUTWAY" and "POST" in wrong.headers["Allow"]


def test_unreadable_data_is_502(tmp_path: Path, keys: DevKeys) -> None:
    broken = tmp_path / "broken.json"
    broken.write_text("{not json", encoding="utf-8")
    with _serve([broken], keys) as url, ProviderClient(url, keys) as client:
        _fsc(client.post(H1), 502, "ERROR_CODE_SERVICE_UNREACHABLE")


def test_rate_limit_answers_429_with_retry_after(small: Path, keys: DevKeys) -> None:
    with (
        _serve([small], keys, rate_limit_per_second=0.5, rate_limit_burst=2) as url,
        ProviderClient(url, keys) as client,
    ):
        statuses = [client.post(H1).status_code for _ in range(3)]
        limited = client.post(H1)
    assert statuses[:2] == [200, 200] and 429 in (statuses[2], limited.status_code)
    assert limited.status_code == 429 and int(limited.headers["Retry-After"]) >= 1
    assert limited.headers["content-type"] == "application/problem+json" and limited.json()["status"] == 429


# ------------------------------------------------------------------------------------------ signatures


def _codes(response: Any) -> list[str]:
    assert response.status_code == 400, response.text
    assert "Fsc-Error-Code" not in response.headers
    return [e["code"] for e in response.json()["errors"]]


def test_signature_failures(provider: ProviderClient, keys: DevKeys) -> None:
    body = orjson.dumps(H1)
    assert _codes(provider.post(body, profile=None)) == ["signature-missing"]
    signed = keys.signer().sign(body)
    tampered = provider.post(
        orjson.dumps({**H1, "page": 2}), profile=None, headers={"Content-Type": "application/json", **signed}
    )
    assert _codes(tampered) == ["digest-mismatch"]
    ca_key, ca_cert = make_ca(cn="someone else")
    from client.devtools.keys import issue_certificate

    key, cert = issue_certificate(ca_key, ca_cert, "stranger")
    stranger = Signer(key, [cert, ca_cert], "stranger").sign(body)
    assert _codes(provider.post(body, profile=None, headers=stranger)) == ["untrusted-chain"] or _codes(
        provider.post(body, profile=None, headers=stranger)
    )[0].startswith(("untrusted", "chain", "certificate"))
    twice = provider.http.post(
        provider.url,
        content=body,
        headers=[
            ("Authorization", "Bearer dev"),
            ("Content-Type", "application/json"),
            ("Digest", signed["Digest"]),
            (SIGNATURE_HEADER, signed[SIGNATURE_HEADER]),
            (SIGNATURE_HEADER, signed[SIGNATURE_HEADER]),
        ],
    )
    assert _codes(twice) == ["signature-duplicated"]


def test_profile_b_accepted_and_c_only_when_lenient(
    small: Path, keys: DevKeys, provider: ProviderClient
) -> None:
    b = provider.post(H1, profile=SigningProfile.BODY)
    assert b.status_code == 200 and b.headers["DDAS-Signature-Profile"] == "body"
    body = b'{"aanleverperiodeStartdatum": "2026-01-01", "aanleverperiodeEinddatum": "2026-06-30"}'
    c_headers = Signer(
        keys.signer()._key, keys.chain(), "tools", SigningProfile.CANONICAL, send_digest=False
    ).sign(body)
    assert "Digest" not in c_headers
    refused = provider.post(body, profile=None, headers=c_headers)
    assert refused.status_code == 400
    with _serve([small], keys, lenient_signatures=True) as url, ProviderClient(url, keys) as client:
        lenient = client.post(body, profile=None, headers=c_headers)
    assert lenient.status_code == 200 and lenient.headers["DDAS-Signature-Profile"] == "canonical"


def test_interop_request_of_the_ddas_test_tools(small: Path, keys: DevKeys, provider: ProviderClient) -> None:
    """Canonical-JSON signature, startdatum/einddatum, no Digest: a precise 400, never a default answer."""
    body = b'{"startdatum": "2026-01-01", "einddatum": "2026-06-30"}'
    tools = Signer(keys.signer()._key, keys.chain(), "tools", SigningProfile.CANONICAL, send_digest=False)
    headers = tools.sign(body)
    strict = provider.post(body, profile=None, headers=headers)
    problem = strict.json()
    assert strict.status_code == 400
    assert problem["unknownFields"] == ["startdatum", "einddatum"]
    assert problem["acceptedFields"][:2] == ["aanleverperiodeStartdatum", "aanleverperiodeEinddatum"]
    assert "startdatum" in problem["detail"] and "aanleverperiodeStartdatum" in problem["detail"]
    assert "digest-missing" in [e["code"] for e in problem["errors"]]
    with _serve([small], keys, lenient_signatures=True) as url, ProviderClient(url, keys) as client:
        lenient = client.post(body, profile=None, headers=headers)
    assert lenient.status_code == 400
    assert lenient.headers["DDAS-Signature-Profile"] == "canonical"
    assert [e["code"] for e in lenient.json()["errors"]] == ["additionalProperties", "additionalProperties"]


# ----------------------------------------------------------------------------------------------- cache


def test_cache_refreshes_when_the_data_changes(tmp_path: Path, keys: DevKeys) -> None:
    data = tmp_path / "data"
    data.mkdir()
    _export(data / "a.json", 4, seed=31)
    settings = dev_provider_settings([data], keys.dir, aanleverdatum=STAMP, today=date(2026, 11, 28))
    with running_provider(settings) as url, ProviderClient(url, keys) as client:
        first = client.post(H1)
        again = client.post(H1)
        _export(data / "b.json", 3, seed=32)
        grown = client.post(H1)
    assert first.content == again.content
    assert _trajecten(first.json()) == 4
    assert grown.json()["paginering"]["totalRecords"] == 7  # b.json is another organisation: a second page


def test_oversized_request_is_400_without_reading_it_all(provider: ProviderClient) -> None:
    huge = b'{"aanleverende_organisatie": "' + b"x" * 200_000 + b'"}'
    response = provider.post(huge)
    assert response.status_code == 400
    assert [e["code"] for e in response.json()["errors"]] == ["size"]
