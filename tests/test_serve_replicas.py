"""Replicas of `ddas serve` behind a load balancer: one consistent paging over two real processes, and
a data change never mixes old and new pages within one pull (`DDAS-Data-Version`, 409, the puller
starting again)."""

from __future__ import annotations

import hashlib
import os
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import httpx
import orjson
import pytest

from client.devtools.generate import write_export
from client.devtools.keys import DevKeys
from client.planning import Period
from client.provider.consistency import DATA_VERSION_HEADER
from client.provider.testing import ProviderClient, dev_provider_settings, running_provider, serve_process
from mock_server.puller import MAX_RESTARTS, Puller, PullError, PullOptions

pytestmark = pytest.mark.timeout(180)
H1 = Period.parse("2026H1")
TODAY = date(2026, 11, 28)


class RoundRobin(httpx.BaseTransport):
    """A load balancer in front of replicas: every request goes to the next origin in turn."""

    def __init__(self, origins: list[str]) -> None:
        self.origins = [httpx.URL(o) for o in origins]
        self.inner = httpx.HTTPTransport()
        self.sent: list[str] = []

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        origin = self.origins[len(self.sent) % len(self.origins)]
        self.sent.append(str(origin))
        request.url = request.url.copy_with(scheme=origin.scheme, host=origin.host, port=origin.port)
        return self.inner.handle_request(request)

    def close(self) -> None:
        self.inner.close()


def _export(directory: Path, trajecten: int, seed: int) -> Path:
    """Write an export next to the data directory, then rename it in (atomic, as docs/deploy.md says)."""
    directory.mkdir(exist_ok=True)
    staging = directory.parent / f".staging-{seed}.json"
    write_export(
        staging, trajecten=trajecten, date_from=date(2026, 1, 1), date_to=date(2026, 6, 30), seed=seed
    )
    final = directory / "export.json"
    os.replace(staging, final)
    return final


def _trajecten(response: httpx.Response) -> list[bytes]:
    """The page's trajecten as content digests, in order."""
    assert response.status_code == 200, response.text
    out = []
    for levering in response.json()["gegevens"]["leveringen"]:
        for traject in levering["schuldhulptrajecten"]:
            out.append(hashlib.sha256(orjson.dumps(traject, option=orjson.OPT_SORT_KEYS)).digest())
    return out


def _pull_options(keys: DevKeys, url: str = "http://lb.invalid/v1", **extra: Any) -> PullOptions:
    return PullOptions(url=url, period=H1, page_size=5, dev_dir=keys.dir, today=TODAY, **extra)


@pytest.fixture(scope="module")
def replicas(tmp_path_factory: pytest.TempPathFactory, keys: DevKeys) -> Iterator[list[str]]:
    """Two `ddas serve` processes on the same exports: their origins."""
    root = tmp_path_factory.mktemp("replicas")
    data = root / "data"
    _export(data, 23, seed=8)
    args = ["--data", str(data), "--dev", str(keys.dir), "--log-level", "warning"]
    with serve_process(args, cwd=root) as (_a, one), serve_process(args, cwd=root) as (_b, two):
        yield [one, two]


def test_pages_from_alternating_replicas_are_one_paging(replicas: list[str], keys: DevKeys) -> None:
    clients = [ProviderClient(f"{origin}/v1", keys) for origin in replicas]
    try:
        request = {"aanleverperiodeStartdatum": "2026-01-01", "aanleverperiodeEinddatum": "2026-06-30"}
        alone = [_trajecten(clients[0].post({**request, "pageSize": 5, "page": n})) for n in range(1, 6)]
        mixed_responses = [clients[n % 2].post({**request, "pageSize": 5, "page": n}) for n in range(1, 6)]
    finally:
        for client in clients:
            client.close()
    mixed = [_trajecten(r) for r in mixed_responses]
    assert mixed == alone  # same order, same page boundaries
    every = [digest for page in mixed for digest in page]
    assert len(every) == len(set(every)) == 23  # every traject exactly once
    assert {r.headers[DATA_VERSION_HEADER] for r in mixed_responses} == {
        mixed_responses[0].headers[DATA_VERSION_HEADER]
    }  # both replicas serve one data version


def test_the_puller_behind_a_load_balancer_gets_everything_once(replicas: list[str], keys: DevKeys) -> None:
    balancer = RoundRobin(replicas)
    puller = Puller(_pull_options(keys), client=httpx.Client(transport=balancer, timeout=60))
    try:
        result = puller.pull(None)
    finally:
        puller.client.close()
    assert result.ok, [f.message for f in result.findings]
    assert result.trajecten == 23 and result.pages == 5
    assert set(result.trajecten_by_digest.values()) == {1}
    assert len(set(balancer.sent)) == 2  # both replicas answered pages of the one pull


@pytest.fixture
def changing(tmp_path: Path, keys: DevKeys) -> Iterator[tuple[str, Path]]:
    data = tmp_path / "data"
    _export(data, 23, seed=8)
    settings = dev_provider_settings([data], keys.dir, today=TODAY)
    with running_provider(settings) as url:
        yield url, data


def test_a_page_asked_for_a_version_no_longer_served_is_409(
    changing: tuple[str, Path], keys: DevKeys
) -> None:
    url, data = changing
    with ProviderClient(url, keys) as client:
        first = client.post({"pageSize": 5, "page": 1})
        old = first.headers[DATA_VERSION_HEADER]
        same = client.post({"pageSize": 5, "page": 2}, headers={DATA_VERSION_HEADER: old})
        assert same.status_code == 200 and same.headers[DATA_VERSION_HEADER] == old
        _export(data, 30, seed=9)  # the exports change between page 2 and page 3
        gone = client.post({"pageSize": 5, "page": 3}, headers={DATA_VERSION_HEADER: old})
        assert gone.status_code == 409, gone.text
        problem = gone.json()
        assert problem["type"].endswith("data-version-changed")
        assert problem["requestedVersion"] == old and problem["servedVersion"] != old
        fresh = client.post({"pageSize": 5, "page": 1})
        assert fresh.headers[DATA_VERSION_HEADER] == problem["servedVersion"]
        assert fresh.json()["paginering"]["totalRecords"] == 30
        bad = client.post({"page": 1}, headers={DATA_VERSION_HEADER: "not-a-version!"})
        assert bad.status_code == 400 and DATA_VERSION_HEADER in bad.text


def test_the_puller_starts_again_when_the_data_changes_under_it(
    changing: tuple[str, Path], keys: DevKeys
) -> None:
    url, data = changing
    seen: list[str] = []

    def change_after_page_1(response: httpx.Response) -> None:
        seen.append(response.headers.get(DATA_VERSION_HEADER, ""))
        if len(seen) == 1:
            _export(data, 30, seed=9)

    client = httpx.Client(timeout=60, event_hooks={"response": [change_after_page_1]})
    puller = Puller(_pull_options(keys, url), client=client)
    try:
        result = puller.pull(None)
    finally:
        client.close()
    assert puller.restarts == 1
    assert result.ok and result.trajecten == 30  # the new data, whole; nothing of the old mixed in
    assert len(set(seen)) == 2


def test_the_puller_refuses_replicas_that_disagree(
    tmp_path: Path, keys: DevKeys, changing: tuple[str, Path]
) -> None:
    other = tmp_path / "other"
    _export(other, 30, seed=9)
    with running_provider(dev_provider_settings([other], keys.dir, today=TODAY)) as second:
        first = changing[0]
        balancer = RoundRobin([first.removesuffix("/v1"), second.removesuffix("/v1")])
        puller = Puller(_pull_options(keys), client=httpx.Client(transport=balancer, timeout=60))
        try:
            with pytest.raises(PullError) as raised:
                puller.pull(None)
        finally:
            puller.client.close()
    assert raised.value.kind == "refused"
    assert "changed during the pull" in raised.value.message
    assert puller.restarts == MAX_RESTARTS + 1
