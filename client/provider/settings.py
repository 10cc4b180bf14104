"""Configuration of `ddas serve`: defaults < config file (TOML/YAML) < env `DDAS_PROVIDER_*` < arguments.

One typed model, so `create_provider_app(settings)` needs no globals and a test builds any provider it
wants in one line. Tokens are `SecretStr`: nothing prints them by accident.
"""

from __future__ import annotations

import tomllib
from contextvars import ContextVar
from datetime import date, datetime
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, Field, SecretStr
from pydantic_settings import BaseSettings, PydanticBaseSettingsSource, SettingsConfigDict

from client import __version__

MAX_PAGE_SIZE = 25_000
DEV_TOKEN = "dev"

_CONFIG_FILE: ContextVar[Path | None] = ContextVar("ddas_provider_config_file", default=None)


class TokenConfig(BaseModel):
    """An access token the provider accepts (in production the FSC inway validates; this is the last gate)."""

    value: SecretStr
    name: str = "client"
    expires_at: datetime | None = None
    group_id: str | None = None
    scopes: list[str] = Field(default_factory=lambda: ["read"])


class ProviderSettings(BaseSettings):
    """Everything `ddas serve` does differently from run to run (see docs/readme-parts/provider.md)."""

    model_config = SettingsConfigDict(
        env_prefix="DDAS_PROVIDER_", env_nested_delimiter="__", extra="forbid", validate_default=True
    )

    data: list[Path] = Field(default_factory=list, description="export files or directories of *.json")
    vendor_code: str = Field(f"ddas {__version__}", description="codeGegevensleverancier")
    api_version: str = "1.0.0"
    base_path: str = "/v1"
    default_page_size: int = Field(MAX_PAGE_SIZE, ge=1, le=MAX_PAGE_SIZE)
    aanleverdatum: datetime | None = Field(None, description="fixed aanleverdatumEnTijd; default: data mtime")
    today: date | None = Field(None, description="fixed 'today' for the default period (tests)")
    # Authentication (SIGNING.md §3)
    accept_fsc_authorization: bool = True
    accept_authorization: bool = True
    tokens: list[TokenConfig] = Field(default_factory=list)
    required_scope: str = "read"
    group_id: str | None = Field(None, description="FSC group id a token must carry, when set")
    # Signatures (SIGNING.md §1)
    dev_dir: Path | None = None
    trust_anchors: list[Path] = Field(default_factory=list)
    lenient_signatures: bool = False
    require_request_signature: bool = True
    signing_key: Path | None = None
    signing_chain: Path | None = None
    signing_kid: str | None = None
    signing_profile: str = Field("adr", pattern="^(adr|body)$")
    # Cache and limits
    cache_max_age_seconds: float = Field(24 * 3600.0, gt=0)
    cache_entries: int = Field(8, ge=1)
    max_request_bytes: int = Field(64 * 1024, ge=64)
    rate_limit_per_second: float = Field(20.0, ge=0.0, description="0 disables the limit")
    rate_limit_burst: int = Field(40, ge=1)

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        return (init_settings, env_settings, _FileSource(settings_cls))

    @property
    def base(self) -> str:
        stripped = self.base_path.strip("/")
        return f"/{stripped}" if stripped else ""


class _FileSource(PydanticBaseSettingsSource):
    """The config file named by `load_provider_settings` (TOML or YAML, by extension)."""

    def get_field_value(self, field: Any, field_name: str) -> tuple[Any, str, bool]:  # pragma: no cover
        return None, field_name, False

    def __call__(self) -> dict[str, Any]:
        path = _CONFIG_FILE.get()
        return read_config_file(path) if path is not None else {}


def read_config_file(path: Path) -> dict[str, Any]:
    """A TOML (`.toml`) or YAML file; its `[provider]` table when present, else the whole mapping."""
    text = path.read_text(encoding="utf-8")
    data: Any = tomllib.loads(text) if path.suffix.lower() == ".toml" else yaml.safe_load(text)
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise ValueError(f"{path}: the configuration must be a mapping")
    section = data.get("provider", data)
    if not isinstance(section, dict):
        raise ValueError(f"{path}: [provider] must be a table")
    return {str(k).replace("-", "_"): v for k, v in section.items()}


def load_provider_settings(config_file: Path | None = None, **overrides: Any) -> ProviderSettings:
    """Settings from defaults, the config file, the environment and `overrides` (None = not given)."""
    token = _CONFIG_FILE.set(config_file)
    try:
        return ProviderSettings(**{k: v for k, v in overrides.items() if v is not None})
    finally:
        _CONFIG_FILE.reset(token)
