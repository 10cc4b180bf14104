"""The Python API: docs/api.md runs as written, `import client` stays cheap, and `__all__` is complete."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

import client
from client.devtools.keys import write_dev_keys
from tests.test_push_support import running_mock

PAGE = Path(__file__).resolve().parent.parent / "docs" / "api.md"
BLOCKS = re.findall(r"```python\n(.*?)```", PAGE.read_text(encoding="utf-8"), re.S)
FAST = {  # short waits; the page itself uses the defaults a vendor gets
    "DDAS_POLL_INTERVAL": "0.05",
    "DDAS_POLL_MAX_INTERVAL": "0.1",
    "DDAS_BACKOFF_INITIAL": "0.01",
    "DDAS_BACKOFF_MAX": "0.05",
}


@pytest.mark.timeout(180)
def test_every_example_on_the_api_page_runs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    assert len(BLOCKS) >= 6  # data, validate, plan, push, status, withdraw
    keys = write_dev_keys(tmp_path / "keys")  # the page's own call keeps these
    monkeypatch.chdir(tmp_path)
    for name, value in FAST.items():
        monkeypatch.setenv(name, value)
    namespace: dict[str, Any] = {}
    with running_mock(tmp_path / "mock.sqlite", keys.dir) as url:
        monkeypatch.setenv("DDAS_BASE_URL", url)
        for number, block in enumerate(BLOCKS, 1):
            exec(compile(block, f"docs/api.md, example {number}", "exec"), namespace)
    assert namespace["withdrawn"][0].ok and namespace["again"].ok
    assert (tmp_path / "journal.sqlite").stat().st_mode & 0o077 == 0  # the journal holds no one else's eyes


def test_import_client_loads_no_heavy_library() -> None:
    probe = "import json, sys, client\nprint(json.dumps(sorted(sys.modules)))"
    done = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, timeout=60, check=True
    )
    modules = set(json.loads(done.stdout))
    heavy = {"pydantic", "httpx", "fastapi", "rich", "orjson", "cryptography", "client.validation"}
    assert not {m for m in modules if m.split(".")[0] in heavy or m in heavy}


def test_every_public_name_resolves_to_its_one_definition() -> None:
    for name in client.__all__:
        value = getattr(client, name)
        assert value is not None, name
    assert client.push.__module__ == "client.delivery.run"
    assert client.DeliveryState.GOEDGEKEURD == "technisch_goedgekeurd"
    with pytest.raises(AttributeError, match="no attribute 'nope'"):
        _ = client.nope  # type: ignore[attr-defined]


def test_validate_name_check_applies_to_a_path_only(tmp_path: Path) -> None:
    """Bytes carry no file name, so `name_check` changes nothing for them; a path's name is checked."""
    from datetime import date

    from client.devtools.generate import write_export

    export = tmp_path / "export.json"
    write_export(export, trajecten=2, date_from=date(2026, 1, 1), date_to=date(2026, 6, 30))
    data = export.read_bytes()
    for check in (None, True, False):
        codes = {f.code for f in client.validate(data, name_check=check).findings}
        assert not any(code.startswith("R-FILE") for code in codes), check
    named = {f.code for f in client.validate(export, name_check=True).findings}
    assert any(code.startswith("R-FILE") for code in named)
