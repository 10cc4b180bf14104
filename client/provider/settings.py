"""Configuration of `ddas serve`: defaults < config file (TOML/YAML) < env `DDAS_PROVIDER_*` < arguments.

One typed model, so `create_provider_app(settings)` needs no globals and a test builds any provider it
wants in one line. Tokens are `SecretStr`: nothing prints them by accident.
"""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path
from typing import Any, ClassVar

from pydantic import BaseModel, Field, SecretStr
from pydantic_settings import SettingsConfigDict

from client.protocol import DEFAULT_VENDOR_CODE, MAX_PAGE_TRAJECTEN
from client.settings_files import LOG_FORMAT_PATTERN, FileBackedSettings, SettingsFile

# The longest aanleverperiode one request may ask (three years, one of them a leap year): bounded work.
MAX_PERIOD_DAYS = 3 * 365 + 1
DEV_TOKEN = "dev"


class TokenConfig(BaseModel):
    """An access token the provider accepts (in production the FSC inway validates; this is the last gate)."""

    value: SecretStr
    name: str = "client"
    expires_at: datetime | None = None
    group_id: str | None = None
    scopes: list[str] = Field(default_factory=lambda: ["read"])


class ProviderSettings(FileBackedSettings):
    """Everything `ddas serve` does differently from run to run (see docs/provider.md)."""

    model_config = SettingsConfigDict(
        env_prefix="DDAS_PROVIDER_", env_nested_delimiter="__", extra="forbid", validate_default=True
    )

    source_file: ClassVar[SettingsFile] = SettingsFile("ddas_provider_config_file", section="provider")

    data: list[Path] = Field(default_factory=list, description="export files or directories of *.json")
    vendor_code: str = Field(DEFAULT_VENDOR_CODE, description="codeGegevensleverancier")
    api_version: str = "1.0.0"
    base_path: str = "/v1"
    default_page_size: int = Field(MAX_PAGE_TRAJECTEN, ge=1, le=MAX_PAGE_TRAJECTEN)
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
    # how far a request's sigT/iat may lie from now; 0: not checked (replaying recorded traffic)
    signature_max_skew_seconds: int = Field(900, ge=0, le=7 * 24 * 3600)
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
    # Operations (docs/deploy.md)
    tls_cert: Path | None = Field(None, description="server certificate chain (PEM); HTTPS when set")
    tls_key: Path | None = Field(None, description="the server certificate's private key (PEM)")
    client_ca: Path | None = Field(None, description="mutual TLS: require a client certificate of this CA")
    log_format: str = Field("auto", pattern=LOG_FORMAT_PATTERN, description="auto: text on a terminal")
    shutdown_grace_seconds: float = Field(30.0, gt=0, le=3600, description="in-flight limit on SIGTERM")

    @property
    def base(self) -> str:
        stripped = self.base_path.strip("/")
        return f"/{stripped}" if stripped else ""


def load_provider_settings(config_file: Path | None = None, **overrides: Any) -> ProviderSettings:
    """Settings from defaults, the config file, the environment and `overrides` (None = not given)."""
    with ProviderSettings.source_file.selected(config_file):
        return ProviderSettings(**{k: v for k, v in overrides.items() if v is not None})
