"""What comes back never holds a BSN (issue 9 items 14 and 15).

14: a JSON syntax-error excerpt never shows a run of five or more digits (a file cut inside a BSN used to
show 8 of its 9 digits, and the 11-check gives the ninth), also in the mock receiver's 400 answers.
15: input echoed back (ids in paths and queries, `DDAS-Bestandsnaam`, the admin request log) is masked
like data, by the mock receiver and the provider, with `client.privacy.mask_text`.
"""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

import pytest

from client.devtools.generate import write_export
from client.devtools.keys import DevKeys
from client.privacy import mask_digit_runs
from client.provider.testing import ProviderClient, dev_provider_settings, running_provider
from client.validation import validate_bytes, validate_path
from mock_server.testing import MockClient, dev_settings, envelope, make_document, running_mock

pytestmark = pytest.mark.timeout(120)

BSN = "123456782"  # passes the 11-check
RUN = re.compile(r"\d{5,}")
CUT = b'{"gegevens": {"leveringen": [{"schuldhulptrajecten": [{"client": [{"Burgerservicenummer": '


def _near(text: str) -> str:
    match = re.search(r"Near: «(.*?)»", text)
    assert match, text
    return match.group(1)


def test_mask_digit_runs() -> None:
    assert mask_digit_runs("a 1234 b 12345 c 12345678 d") == "a 1234 b *2345 c ****5678 d"
    assert not RUN.search(mask_digit_runs("x" + BSN * 3))


@pytest.mark.parametrize("cut", [4, 5, 8, 9])
@pytest.mark.parametrize("quoted", [True, False])
def test_excerpt_of_a_file_cut_inside_a_bsn(tmp_path: Path, cut: int, quoted: bool) -> None:
    data = CUT + (b'"' if quoted else b"") + BSN[:cut].encode()
    path = tmp_path / "cut.json"
    path.write_bytes(data)
    reports = [
        validate_bytes(data, envelope=True, check_name=False),
        validate_path(path, envelope=True, check_name=False, stream_threshold=0),  # the streamed reader
    ]
    for report in reports:
        messages = [f.message for f in report.findings if f.code == "R-JSON-01"]
        assert messages, report.findings
        for message in messages:
            assert not RUN.search(_near(message)), message
            assert BSN[: min(cut, 5)] not in message or cut < 5


def test_mock_answers_mask_excerpts_and_echoes(tmp_path: Path, keys: DevKeys) -> None:
    settings = dev_settings(tmp_path, dev_dir=keys.dir, admin_token="admin", rate_limit_per_second=0)
    admin = {"Authorization": "Bearer admin"}
    filename = f"SHV_2026H1_Org_{BSN}.json"
    with running_mock(settings) as url, MockClient(url, keys.signer()) as client:
        truncated = client.deliver(CUT + b'"' + BSN[:8].encode(), key="cut-1")
        accepted = client.deliver(envelope(make_document("2026H1", 2, seed=4)), filename=filename)
        delivery = client.get(f"/aanleveringen/{accepted.json()['id']}")
        missing = client.get(f"/aanleveringen/{BSN}")
        query = client.get("/aanleveringen", params={"periode": BSN})
        log = client.http.get(f"{url}/admin/requests", headers=admin, params={"limit": 50})
    assert truncated.status_code == 400
    assert not RUN.search(_near(truncated.json()["findings"][0]["message"])), truncated.text
    assert BSN[:8] not in truncated.text
    assert accepted.status_code == 202, accepted.text
    assert delivery.status_code == 200 and "*****6782" in delivery.text
    assert missing.status_code == 404 and query.status_code in (200, 400)
    assert log.status_code == 200 and len(log.json()["requests"]) >= 4
    for response in (accepted, delivery, missing, query, log):
        assert BSN not in response.text, response.text


def test_provider_masks_echoed_paths_and_names(tmp_path: Path, keys: DevKeys) -> None:
    export = tmp_path / "export.json"
    write_export(export, trajecten=3, date_from=date(2026, 1, 1), date_to=date(2026, 6, 30), seed=2)
    settings = dev_provider_settings([export], keys.dir, today=date(2026, 11, 28))
    with running_provider(settings) as url, ProviderClient(url, keys) as client:
        path = client.http.post(f"{url}/{BSN}", content=b"{}")
        organisation = client.post({"aanleverende_organisatie": BSN})
        unknown = client.post({BSN: 1})
    assert path.status_code == 404 and organisation.status_code == 422 and unknown.status_code == 400
    for response in (path, organisation, unknown):
        assert BSN not in response.text, response.text
        assert "6782" in response.text  # masked, not dropped: the caller still recognises it


def _extensions() -> dict[str, object]:
    """Extensions a future route might add carelessly: a BSN as text, as a number, as a key, nested."""
    return {
        "anything": f"client {BSN}",
        "number": int(BSN),
        "nested": {"list": [BSN, {"deeper": int(BSN)}], BSN: "as a key"},
        "limit": 268_435_456,  # a configured limit of nine digits: never a BSN, never masked
        "servedVersion": "0123456789abcdef",  # a data version: read back exactly
    }


def _assert_masked_extensions(problem: dict[str, object], text: str) -> None:
    assert BSN not in text, text
    assert problem["anything"] == "client *****6782" and problem["number"] == "*****6782"
    assert problem["nested"] == {"list": ["*****6782", {"deeper": "*****6782"}], "*****6782": "as a key"}
    assert problem["limit"] == 268_435_456 and problem["servedVersion"] == "0123456789abcdef"


def test_mock_problem_extensions_are_masked_in_one_place(tmp_path: Path, keys: DevKeys) -> None:
    """Any extension of a mock problem comes back masked: `client.wire.adr.problem` masks them all."""
    import httpx

    from client.wire.serving import serve_in_thread
    from mock_server.app import create_app
    from mock_server.problems import fail

    settings = dev_settings(tmp_path, dev_dir=keys.dir)
    app = create_app(settings)

    def careless() -> None:
        raise fail(400, "Careless", "a route that echoes input", slug="careless", **_extensions())

    app.add_api_route("/careless", careless, methods=["GET"])
    try:
        with serve_in_thread(app) as origin:
            response = httpx.get(f"{origin}/careless", timeout=30)
    finally:
        app.state.mock.store.close()
    assert response.status_code == 400 and response.headers["content-type"] == "application/problem+json"
    _assert_masked_extensions(response.json(), response.text)


def test_provider_problem_extensions_are_masked_in_one_place(tmp_path: Path, keys: DevKeys) -> None:
    """Any extension of a provider problem comes back masked, and the echoed data version (a BSN is
    valid hex) too, while the served version stays exact."""
    import httpx

    from client.provider.app import create_provider_app
    from client.provider.consistency import DATA_VERSION_HEADER
    from client.wire.adr import problem
    from client.wire.serving import serve_in_thread

    export = tmp_path / "export.json"
    write_export(export, trajecten=3, date_from=date(2026, 1, 1), date_to=date(2026, 6, 30), seed=2)
    settings = dev_provider_settings([export], keys.dir, today=date(2026, 11, 28))
    app = create_provider_app(settings)
    app.add_api_route("/careless", lambda: problem(400, "Careless", **_extensions()), methods=["GET"])
    try:
        with serve_in_thread(app) as origin, ProviderClient(origin + settings.base, keys) as client:
            careless = httpx.get(f"{origin}/careless", timeout=30)
            version = client.post({"page": 1}, headers={DATA_VERSION_HEADER: BSN})
    finally:
        app.state.provider.cache.close()
    assert careless.status_code == 400
    _assert_masked_extensions(careless.json(), careless.text)
    assert version.status_code == 409, version.text
    assert BSN not in version.text and version.json()["requestedVersion"] == "*****6782"
    assert version.json()["servedVersion"] == version.headers[DATA_VERSION_HEADER]
