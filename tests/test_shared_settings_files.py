"""`client.settings_files`: the one `--config FILE` reader behind `ddas push`, `ddas serve`, the mock."""

from __future__ import annotations

from pathlib import Path
from typing import ClassVar

import pytest
from pydantic import ValidationError
from pydantic_settings import SettingsConfigDict

from client.settings_files import FileBackedSettings, SettingsFile, read_settings_file


class _DemoSettings(FileBackedSettings):
    model_config = SettingsConfigDict(env_prefix="DDAS_DEMO_", extra="forbid")
    source_file: ClassVar[SettingsFile] = SettingsFile("ddas_test_settings_file", section="demo")

    port: int = 1
    name: str = "default"


_FILE = _DemoSettings.source_file


def _write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


def test_toml_section_is_used_and_dashes_become_underscores(tmp_path: Path) -> None:
    path = _write(tmp_path / "a.toml", "[demo]\nmax-body-bytes = 5\n[other]\nx = 1\n")
    assert read_settings_file(path, section="demo") == {"max_body_bytes": 5}


def test_without_the_section_the_whole_mapping_is_used(tmp_path: Path) -> None:
    path = _write(tmp_path / "a.yaml", "port: 9\nname: x\n")
    assert read_settings_file(path, section="demo") == {"port": 9, "name": "x"}
    assert read_settings_file(path) == {"port": 9, "name": "x"}


def test_yaml_not_allowed_reads_any_name_as_toml(tmp_path: Path) -> None:
    path = _write(tmp_path / "ddas.conf", 'base_url = "http://x/v1"\n')
    assert read_settings_file(path, yaml_allowed=False) == {"base_url": "http://x/v1"}
    with pytest.raises(ValueError):  # malformed TOML, not tried as YAML
        read_settings_file(_write(tmp_path / "bad.conf", "port = [1"), yaml_allowed=False)


def test_empty_yaml_is_no_settings_and_bad_shapes_are_named(tmp_path: Path) -> None:
    assert read_settings_file(_write(tmp_path / "empty.yaml", "")) == {}
    with pytest.raises(ValueError, match="must be a mapping"):
        read_settings_file(_write(tmp_path / "list.yaml", "- 1\n- 2\n"))
    with pytest.raises(ValueError, match=r"\[demo\] must be a table"):
        read_settings_file(_write(tmp_path / "scalar.toml", "demo = 3\n"), section="demo")
    with pytest.raises(OSError):
        read_settings_file(tmp_path / "missing.toml")


def test_source_reads_only_the_file_selected_for_this_load(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = _write(tmp_path / "demo.toml", '[demo]\nport = 7\nname = "file"\n')
    with _FILE.selected(path):
        assert _DemoSettings().port == 7
        monkeypatch.setenv("DDAS_DEMO_NAME", "env")
        settings = _DemoSettings(port=8)
        assert (settings.port, settings.name) == (8, "env")  # arguments > environment > file
    monkeypatch.delenv("DDAS_DEMO_NAME")
    assert _DemoSettings().port == 1  # the selection ended with the block
    with _FILE.selected(_write(tmp_path / "unknown.toml", "bogus = 1\n")), pytest.raises(ValidationError):
        _DemoSettings()
