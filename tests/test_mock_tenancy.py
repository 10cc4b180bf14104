"""The mock receiver is multi-tenant: each client delivers for, sees and changes only its organisations.

Two clients over real HTTP: a page for another organisation is a 403 naming it; another organisation's
delivery answers 404 like an unknown id (read, report, withdraw), and lists leave it out; `ddas push`
reports the 403 for that delivery (exit 1) and delivers the others. The settings refuse unknown keys.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import httpx
import pytest
from click.testing import CliRunner
from pydantic import ValidationError

from client.devtools.keys import DevKeys
from mock_server.settings import ClientConfig, MockSettings, PeriodConfig, load_settings
from mock_server.technical_check import organisation_key
from mock_server.testing import MockClient, dev_settings, envelope, make_document, running_mock

pytestmark = pytest.mark.timeout(120)

PERIOD = "2025H2"  # open, withdrawable until after TODAY
TODAY = date(2026, 11, 28)


def _org(document: dict[str, Any]) -> str:
    key, _name = organisation_key(document["leveringen"][0]["aanleverende_organisatie"])
    assert key is not None
    return key


DOC_A = make_document(PERIOD, 3, seed=1)
DOC_B = make_document(PERIOD, 3, seed=2)
ORG_A, ORG_B = _org(DOC_A), _org(DOC_B)


class Tenants:
    def __init__(self, url: str, alpha: MockClient, beta: MockClient, dev: MockClient) -> None:
        self.url, self.alpha, self.beta, self.dev = url, alpha, beta, dev


@pytest.fixture(scope="module")
def tenants(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Tenants]:
    tmp = tmp_path_factory.mktemp("tenancy")
    settings = dev_settings(
        tmp,
        today=TODAY,
        periods=[PeriodConfig(code=PERIOD), PeriodConfig(code="2026H1")],
        rate_limit_per_second=0,
        clients=[
            ClientConfig(id="alpha", secret="a", organisations=[ORG_A]),
            ClientConfig(id="beta", secret="b", organisations=[ORG_B]),
        ],
    )
    assert ORG_A != ORG_B
    with running_mock(settings) as url:
        signer = DevKeys.load(tmp / "keys").signer()
        with (
            MockClient(url, signer, "alpha", "a") as alpha,
            MockClient(url, signer, "beta", "b") as beta,
            MockClient(url, signer) as dev,
        ):
            yield Tenants(url, alpha, beta, dev)


def _problem(response: httpx.Response, status: int) -> dict[str, Any]:
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    body: dict[str, Any] = response.json()
    assert body["status"] == status
    return body


def _deliver(client: MockClient, body: bytes, deel: str) -> httpx.Response:
    """One page for uitvraagdeel `deel`; the key covers the deel, so equal bodies of two deels differ."""
    key = f"{deel}-{hashlib.sha256(body).hexdigest()}"
    return client.deliver(body, key=key, filename=f"SHV_{PERIOD}_Testorganisatie_{deel}.json")


def test_a_page_for_an_organisation_not_mandated_is_403_naming_it(tenants: Tenants) -> None:
    body = envelope(DOC_A)
    refused = _problem(_deliver(tenants.beta, body, "FOREIGN"), 403)
    assert refused["organisatie"] == ORG_A and ORG_A in refused["detail"]
    assert refused["type"].endswith("organisation-not-mandated")
    assert "findings" not in refused  # another organisation's data is not checked for this client
    # not stored under the key: the same request is judged afresh (no replay of the 403)
    again = _deliver(tenants.beta, body, "FOREIGN")
    assert again.status_code == 403 and "idempotency-replayed" not in again.headers
    # nothing was booked for the organisation
    listed = tenants.dev.get("/aanleveringen", params={"uitvraagdeel": "FOREIGN"}).json()
    assert listed["total"] == 0


def test_each_client_sees_reads_and_withdraws_only_its_organisations(tenants: Tenants) -> None:
    a = _deliver(tenants.alpha, envelope(DOC_A), "SEE").json()
    b = _deliver(tenants.beta, envelope(DOC_B), "SEE").json()
    assert a["organisatie"]["id"] == ORG_A and b["organisatie"]["id"] == ORG_B
    assert a["status"] == b["status"] == "technisch_goedgekeurd"

    unknown = _problem(tenants.alpha.get("/aanleveringen/no-such-delivery"), 404)
    foreign = _problem(tenants.alpha.get(f"/aanleveringen/{b['id']}"), 404)
    # exactly the answer of an unknown id: nothing tells that the delivery exists
    assert (foreign["type"], foreign["title"]) == (unknown["type"], unknown["title"])
    assert ORG_B not in json.dumps(foreign)
    _problem(tenants.alpha.get(f"/aanleveringen/{b['id']}/op-orde-rapport"), 404)
    _problem(tenants.alpha.post(f"/aanleveringen/{b['id']}/intrekking"), 404)
    assert tenants.beta.get(f"/aanleveringen/{b['id']}").json()["status"] == "technisch_goedgekeurd"
    assert tenants.alpha.get(f"/aanleveringen/{a['id']}").status_code == 200
    assert tenants.alpha.get(f"/aanleveringen/{a['id']}/op-orde-rapport").status_code == 200

    def listed(client: MockClient, **params: str) -> set[str]:
        response = client.get("/aanleveringen", params={"uitvraagdeel": "SEE", **params})
        assert response.status_code == 200
        return {item["id"] for item in response.json()["aanleveringen"]}

    assert listed(tenants.alpha) == {a["id"]}
    assert listed(tenants.beta) == {b["id"]}
    assert listed(tenants.alpha, organisatie=ORG_B) == set()  # asking by name discloses nothing either
    assert listed(tenants.dev) == {a["id"], b["id"]}  # the dev client acts for all ("*")

    withdrawn = tenants.beta.post(f"/aanleveringen/{b['id']}/intrekking")
    assert withdrawn.status_code == 200 and withdrawn.json()["status"] == "ingetrokken"


def test_a_correction_by_another_client_is_refused(tenants: Tenants) -> None:
    first = _deliver(tenants.alpha, envelope(DOC_A), "CORR").json()
    corrected = make_document(PERIOD, 4, seed=1)
    assert _org(corrected) == ORG_A
    _problem(_deliver(tenants.beta, envelope(corrected), "CORR"), 403)
    assert tenants.alpha.get(f"/aanleveringen/{first['id']}").json()["status"] == "technisch_goedgekeurd"
    second = _deliver(tenants.alpha, envelope(corrected), "CORR").json()
    assert tenants.alpha.get(f"/aanleveringen/{first['id']}").json()["vervangenDoor"] == second["id"]


# ------------------------------------------------------------------------------------------ settings


def test_organisations_default_to_all_and_must_be_organisation_ids() -> None:
    assert ClientConfig(id="x", secret="y").organisations == ["*"]
    assert ClientConfig(id="x", secret="y", organisations=["kvk:87654321", "gm:GM0344"]).organisations
    for bad in (["GM0344"], ["kvk:"], ["btw:NL1"], [" kvk:1"], []):
        with pytest.raises(ValidationError):
            ClientConfig(id="x", secret="y", organisations=bad)
    with pytest.raises(ValidationError, match="colour"):
        ClientConfig.model_validate({"id": "x", "secret": "y", "colour": "red"})


@pytest.mark.parametrize(
    ("toml", "where"),
    [
        ('[[mock.clients]]\nid = "a"\nsecret = "s"\norganisation = ["kvk:1"]\n', "clients.0.organisation"),
        ('[mock]\nfaults = { rules = [{ kind = "500", chance = 0.5 }] }\n', "faults.rules.0.chance"),
        ('[[mock.periods]]\ncode = "2026H1"\nclose = 2026-07-01\n', "periods.0.close"),
        ("[mock]\nmax_body_byte = 5\n", "max_body_byte"),
    ],
)
def test_unknown_keys_anywhere_in_the_settings_file_stop_the_start_with_exit_2(
    tmp_path: Path, toml: str, where: str
) -> None:
    config = tmp_path / "mock.toml"
    config.write_text(toml, encoding="utf-8")
    with pytest.raises(ValidationError):
        load_settings(config)
    from mock_server.cli import app

    result = CliRunner().invoke(app, ["serve", "--config", str(config), "--port", "0"])
    assert result.exit_code == 2, result.output
    assert where in result.stderr and "unknown key" in result.stderr and str(config) in result.stderr
    assert "Traceback" not in result.output


def test_organisations_from_a_settings_file(tmp_path: Path) -> None:
    config = tmp_path / "mock.toml"
    config.write_text(
        '[[mock.clients]]\nid = "a"\nsecret = "s"\norganisations = ["kvk:87654321", "gm:GM0344"]\n'
        '[[mock.clients]]\nid = "b"\nsecret = "t"\n',
        encoding="utf-8",
    )
    settings: MockSettings = load_settings(config)
    assert [c.organisations for c in settings.clients] == [["kvk:87654321", "gm:GM0344"], ["*"]]


# ------------------------------------------------------------------------------------------ ddas push


def test_push_reports_the_403_for_that_delivery_and_delivers_the_others(tmp_path: Path) -> None:
    from client.cli import app
    from client.devtools.keys import write_dev_keys
    from tests.test_push_support import held, running_mock, write_export

    keys_dir = write_dev_keys(tmp_path / "keys").dir
    export = write_export(tmp_path / "export.json", 30, organisaties=2, seed=5)
    data = json.loads(export.read_text(encoding="utf-8"))
    orgs = [organisation_key(lev["aanleverende_organisatie"])[0] for lev in data["leveringen"]]
    assert len(set(orgs)) == 2 and None not in orgs
    mandated, other = str(orgs[0]), str(orgs[1])
    db = tmp_path / "mock.sqlite"
    dev = ClientConfig(id="dev", secret="dev", organisations=[mandated])
    with running_mock(db, keys_dir, clients=[dev]) as url:
        result = CliRunner().invoke(
            app,
            [
                *("push", str(export), "--period", "2026H1", "--format", "json"),
                *("--journal", str(tmp_path / "journal.sqlite"), "--dev", str(keys_dir), "--base-url", url),
            ],
        )
    assert result.exit_code == 1, result.output
    out = json.loads(result.stdout)
    states = {d["organisatie"]: d for d in out["deliveries"]}
    assert states[mandated]["state"] == "accepted"
    assert states[other]["state"] == "refused"
    assert "403" in states[other]["problem"] and other in states[other]["problem"]
    assert {row["org_key"] for row in held(db).deliveries} == {mandated}


def test_a_token_of_a_client_no_longer_configured_is_refused(tmp_path: Path) -> None:
    """The database outlives a configuration change: the dropped client's token acts for nobody."""
    with (
        running_mock(dev_settings(tmp_path, clients=[ClientConfig(id="gone", secret="g")])) as url,
        MockClient(url, None, "gone", "g") as client,
    ):
        token = client.token()
        assert client.get("/aanleverperiodes").status_code == 200
    with running_mock(dev_settings(tmp_path)) as url:  # same database, the client removed
        response = httpx.get(f"{url}/aanleverperiodes", headers={"Authorization": f"Bearer {token}"})
    assert "no longer configured" in _problem(response, 401)["detail"]


def test_a_key_outside_the_mock_table_stops_the_start_with_exit_2(tmp_path: Path) -> None:
    """In TOML a key above `[mock]` belongs to no table: it would be ignored, so it is an error."""
    from mock_server.cli import app

    config = tmp_path / "mock.toml"
    config.write_text('admin_token = "t"\n[mock]\ndb = ":memory:"\n[provider]\nport = 1\n', encoding="utf-8")
    result = CliRunner().invoke(app, ["serve", "--config", str(config), "--port", "0"])
    assert result.exit_code == 2, result.output
    assert "admin_token" in result.stderr and "outside the [mock] table" in result.stderr
    assert str(config) in result.stderr and "Traceback" not in result.output
