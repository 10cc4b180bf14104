"""docs/signing.md's table of refused signatures says the status per route, and both servers answer so
(issue 9 item 6: the push receiver answers 401 where the provider answers 400)."""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

import pytest

from client.devtools.generate import write_export
from client.devtools.keys import DevKeys
from client.provider.testing import ProviderClient, dev_provider_settings, running_provider
from mock_server.testing import MockClient, dev_settings, envelope, make_document, running_mock

pytestmark = pytest.mark.timeout(120)

ROOT = Path(__file__).resolve().parent.parent
SIGNING = ROOT / "client" / "wire" / "signing.py"


def _table() -> dict[str, tuple[int, int]]:
    """reason -> (push receiver status, provider status), from the docs."""
    text = (ROOT / "docs" / "signing.md").read_text(encoding="utf-8")
    rows: dict[str, tuple[int, int]] = {}
    for line in text.splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) == 4 and cells[1].isdigit() and cells[2].isdigit():
            for reason in re.findall(r"`([a-z0-9-]+)`", cells[0]):
                rows[reason] = (int(cells[1]), int(cells[2]))
    return rows


def test_the_table_lists_every_reason_with_the_push_status_the_code_raises() -> None:
    raised = dict(re.findall(r'SignatureError\("([a-z0-9-]+)", (\d{3})', SIGNING.read_text(encoding="utf-8")))
    table = _table()
    assert set(raised) <= set(table), set(raised) - set(table)
    for reason, status in raised.items():
        assert table[reason][0] == int(status), reason
    assert {provider for _, provider in table.values()} == {400}


def _tampered(headers: dict[str, str]) -> dict[str, str]:
    """The signature of other bytes: verifies nowhere (signature-invalid)."""
    out = dict(headers)
    head, _, sig = out["nlgov-adr-payload-sig"].partition("..")
    out["nlgov-adr-payload-sig"] = f"{head}..{'A' * len(sig)}"
    return out


def test_both_routes_answer_as_the_table_says(tmp_path: Path, keys: DevKeys) -> None:
    table = _table()
    export = tmp_path / "export.json"
    write_export(export, trajecten=3, date_from=date(2026, 1, 1), date_to=date(2026, 6, 30), seed=2)
    body = envelope(make_document("2026H1", 2, seed=2))
    settings = dev_provider_settings([export], keys.dir, today=date(2026, 11, 28))
    with running_provider(settings) as url, ProviderClient(url, keys) as client:
        missing = client.post({}, profile=None)
        signed = keys.signer().sign(b"{}")
        invalid = client.post(b"{}", profile=None, headers=_tampered(signed))
    for response, reason in ((missing, "signature-missing"), (invalid, "signature-invalid")):
        assert response.status_code == table[reason][1] == 400, response.text
        assert reason in [e["code"] for e in response.json()["errors"]]
    mock = dev_settings(tmp_path / "mock", dev_dir=keys.dir)
    with running_mock(mock) as url, MockClient(url, None) as client:
        missing = client.deliver(body, sign=False)
        invalid = client.deliver(body, sign=False, headers=_tampered(keys.signer().sign(body)))
    for response, reason in ((missing, "signature-missing"), (invalid, "signature-invalid")):
        assert response.status_code == table[reason][0], response.text
        assert response.json()["reason"] == reason
    assert table["signature-invalid"][0] == 401
