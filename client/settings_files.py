"""Configuration files (TOML or YAML) as a pydantic-settings source, for every settings model of ddas.

`ddas push` (`ddas.toml`), `ddas serve` and `ddas-mock serve` each take `--config FILE`. The file is
chosen per call, but pydantic-settings builds its sources in a classmethod, so the path cannot be an
argument: a `ContextVar`, set only while one model is being built, carries it there without a global
that concurrent loads (threads, tests) would share.
"""

from __future__ import annotations

import contextlib
import tomllib
from collections.abc import Iterator, Mapping
from contextvars import ContextVar
from pathlib import Path
from typing import Any, ClassVar

import yaml
from pydantic.fields import FieldInfo
from pydantic_settings import BaseSettings, PydanticBaseSettingsSource

UNKNOWN_KEY = "unknown key: not a setting here (check its spelling and its table)"

# The servers' log formats (`--log-format`, client.wire.observability): auto is text on a terminal.
LOG_FORMATS = ("auto", "text", "json")
LOG_FORMAT_PATTERN = f"^({'|'.join(LOG_FORMATS)})$"


def error_message(error: Mapping[str, Any]) -> str:
    """One pydantic error of a settings model as `where: why`, an unknown key said plainly."""
    where = ".".join(str(part) for part in error.get("loc", ())) or "settings"
    why = UNKNOWN_KEY if error.get("type") == "extra_forbidden" else str(error.get("msg", "invalid"))
    return f"{where}: {why}"


def read_settings_file(
    path: Path, *, section: str | None = None, yaml_allowed: bool = True
) -> dict[str, Any]:
    """The settings in `path`: its `[section]` table when present, else the whole mapping.

    `.toml` files are TOML; any other name is YAML when `yaml_allowed`, else TOML too. Keys may use `-`
    for `_` (`max-body-bytes`). Raises `OSError` (unreadable) or `ValueError` (malformed, not a mapping,
    or a plain key beside `[section]`, which no command would read).
    """
    text = path.read_text(encoding="utf-8")
    is_toml = path.suffix.lower() == ".toml" or not yaml_allowed
    data: Any = tomllib.loads(text) if is_toml else yaml.safe_load(text)
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise ValueError(f"{path}: the configuration must be a mapping")
    table = data.get(section, data) if section is not None else data
    if not isinstance(table, dict):
        raise ValueError(f"{path}: [{section}] must be a table")
    if table is not data:
        # other tables belong to other commands; a plain key beside the table belongs to none
        stray = [str(key) for key, value in data.items() if key != section and not _is_table(value)]
        if stray:
            raise ValueError(
                f"{path}: {', '.join(stray)}: unknown key outside the [{section}] table; move it into "
                f"[{section}] (in TOML, keys above the first [table] line belong to no table)"
            )
    return {str(key).replace("-", "_"): value for key, value in table.items()}


def _is_table(value: Any) -> bool:
    """A table or an array of tables: another command's part of a shared settings file."""
    return isinstance(value, dict) or (
        isinstance(value, list) and bool(value) and all(isinstance(item, dict) for item in value)
    )


class SettingsFile:
    """The `--config FILE` of one settings model: choose it for a load, read it as that model's source.

    ```python
    class MockSettings(FileBackedSettings):
        source_file: ClassVar[SettingsFile] = SettingsFile("ddas_mock_config_file", section="mock")

    with MockSettings.source_file.selected(config_file):
        settings = MockSettings(**overrides)
    ```
    """

    def __init__(self, name: str, *, section: str | None = None, yaml_allowed: bool = True) -> None:
        self.section = section
        self.yaml_allowed = yaml_allowed
        self._path: ContextVar[Path | None] = ContextVar(name, default=None)

    @contextlib.contextmanager
    def selected(self, path: Path | None) -> Iterator[None]:
        """Models built inside this block read `path` (None: no file)."""
        token = self._path.set(path)
        try:
            yield
        finally:
            self._path.reset(token)

    def read(self) -> dict[str, Any]:
        """The selected file's settings; `{}` when none is selected."""
        path = self._path.get()
        if path is None:
            return {}
        return read_settings_file(path, section=self.section, yaml_allowed=self.yaml_allowed)

    def source(self, settings_cls: type[BaseSettings]) -> PydanticBaseSettingsSource:
        """The pydantic-settings source for `settings_customise_sources` (below env, above defaults)."""
        return SettingsFileSource(settings_cls, self)


class FileBackedSettings(BaseSettings):
    """Settings from, highest first: arguments, the environment, the file selected in `source_file`, defaults.

    A subclass names its file: `source_file: ClassVar[SettingsFile] = SettingsFile(...)`; no `.env` and no
    secrets directory are read.
    """

    source_file: ClassVar[SettingsFile]

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        return (init_settings, env_settings, cls.source_file.source(settings_cls))


class SettingsFileSource(PydanticBaseSettingsSource):
    """Feeds the whole mapping of a `SettingsFile` to pydantic; unknown keys meet the model's `extra`."""

    def __init__(self, settings_cls: type[BaseSettings], settings_file: SettingsFile) -> None:
        super().__init__(settings_cls)
        self._file = settings_file

    def get_field_value(self, field: FieldInfo, field_name: str) -> tuple[Any, str, bool]:  # pragma: no cover
        return None, field_name, False

    def __call__(self) -> dict[str, Any]:
        return self._file.read()
