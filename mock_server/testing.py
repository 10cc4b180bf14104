"""Helpers to run the mock and talk to it in tests and benchmarks (not used by the mock itself).

`running_mock(settings)` serves a mock on a free loopback port in a real uvicorn; `MockClient` gets a token
and sends signed pages; `make_document`/`split_pages` build messages with `client.devtools.generate`.
"""

from __future__ import annotations

import contextlib
import hashlib
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import httpx
import orjson

from client.planning.periods import Period
from client.wire.signing import Signer, SigningProfile
from mock_server.settings import MockSettings


def dev_settings(tmp: Path, **overrides: Any) -> MockSettings:
    """Settings of a development-mode mock with its database and keys under `tmp`."""
    values: dict[str, Any] = {
        "db": str(tmp / "mock.sqlite"),
        "dev_dir": tmp / "keys",
        "today": date(2026, 11, 28),
    }
    values.update(overrides)
    return MockSettings(**values)


@contextlib.contextmanager
def running_mock(settings: MockSettings) -> Iterator[str]:
    """Serve a mock for `settings`; yields the base URL `http://127.0.0.1:PORT/v1`."""
    from client.wire.serving import serve_in_thread
    from mock_server.app import create_app

    app = create_app(settings)
    with serve_in_thread(app) as url:
        yield url + settings.base_path
    app.state.mock.store.close()


def make_document(
    period: str = "2026H1",
    trajecten: int = 3,
    *,
    seed: int = 1,
    variant: str = "gemeente",
    organisaties: int = 1,
) -> dict[str, Any]:
    from client.devtools.generate import generate_export

    p = Period.parse(period)
    return generate_export(
        trajecten=trajecten,
        date_from=p.start,
        date_to=p.end,
        seed=seed,
        variant=variant,
        organisaties=organisaties,
    )


def envelope(document: dict[str, Any], paginering: dict[str, int] | None = None) -> bytes:
    message: dict[str, Any] = {"gegevens": document}
    if paginering is not None:
        message["paginering"] = paginering
    return orjson.dumps(message)


def split_pages(document: dict[str, Any], page_size: int) -> list[bytes]:
    """Split a document's trajecten over pages of `page_size`; a levering keeps its teller on every page."""
    items: list[tuple[int, dict[str, Any]]] = []
    for index, levering in enumerate(document["leveringen"]):
        for traject in levering.get("schuldhulptrajecten", []):
            items.append((index, traject))
    chunks = [items[i : i + page_size] for i in range(0, len(items), page_size)] or [[]]
    pages: list[bytes] = []
    for number, chunk in enumerate(chunks, start=1):
        leveringen: list[dict[str, Any]] = []
        for index, traject in chunk:
            if not leveringen or leveringen[-1]["_index"] != index:
                head = {k: v for k, v in document["leveringen"][index].items() if k != "schuldhulptrajecten"}
                leveringen.append({**head, "_index": index, "schuldhulptrajecten": []})
            leveringen[-1]["schuldhulptrajecten"].append(traject)
        for levering in leveringen:
            del levering["_index"]
        page_doc = {**{k: v for k, v in document.items() if k != "leveringen"}, "leveringen": leveringen}
        paginering = {
            "pageSize": page_size,
            "currentPage": number,
            "totalPages": len(chunks),
            "totalRecords": len(items),
        }
        pages.append(envelope(page_doc, paginering))
    return pages


class MockClient:
    """An httpx client for the mock: token by client credentials, pages signed with `signer`."""

    def __init__(
        self,
        base_url: str,
        signer: Signer | None,
        client_id: str = "dev",
        secret: str = "dev",
        timeout: float = 60.0,
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self.signer = signer
        self.http = httpx.Client(timeout=timeout)
        self.client_id = client_id
        self.secret = secret
        self._token: str | None = None

    def close(self) -> None:
        self.http.close()

    def __enter__(self) -> MockClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def token(self, scope: str | None = None) -> str:
        if self._token is None or scope is not None:
            data = {
                "grant_type": "client_credentials",
                "client_id": self.client_id,
                "client_secret": self.secret,
            }
            if scope:
                data["scope"] = scope
            response = self.http.post(f"{self.base_url}/oauth/token", data=data)
            response.raise_for_status()
            token = str(response.json()["access_token"])
            if scope is not None:
                return token
            self._token = token
        return self._token

    def auth(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token()}"}

    def deliver(
        self,
        body: bytes,
        *,
        key: str | None = "auto",
        filename: str | None = None,
        profile: SigningProfile | None = None,
        headers: dict[str, str] | None = None,
        sign: bool = True,
    ) -> httpx.Response:
        out = {"Content-Type": "application/json", **self.auth()}
        if key == "auto":
            key = hashlib.sha256(body).hexdigest()
        if key is not None:
            out["Idempotency-Key"] = key
        if filename:
            out["DDAS-Bestandsnaam"] = filename
        if sign and self.signer is not None:
            out.update(self.signer.sign(body, profile))
        out.update(headers or {})
        return self.http.post(f"{self.base_url}/aanleveringen", content=body, headers=out)

    def get(self, path: str, **kwargs: Any) -> httpx.Response:
        headers = {**self.auth(), **kwargs.pop("headers", {})}
        return self.http.get(f"{self.base_url}{path}", headers=headers, **kwargs)

    def post(self, path: str, **kwargs: Any) -> httpx.Response:
        headers = {**self.auth(), **kwargs.pop("headers", {})}
        return self.http.post(f"{self.base_url}{path}", headers=headers, **kwargs)
