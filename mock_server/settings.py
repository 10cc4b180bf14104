"""Configuration of the mock receiver: defaults < config file (TOML or YAML) < env `DDAS_MOCK_*` < arguments.

Everything the mock does differently from run to run is here, so that `create_app(settings)` needs no
globals and a test can build any receiver it wants in one line.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any, ClassVar

from pydantic import BaseModel, ConfigDict, Field, field_validator
from pydantic_settings import SettingsConfigDict

from client.protocol import MAX_PAGE_TRAJECTEN
from client.settings_files import LOG_FORMAT_PATTERN, FileBackedSettings, SettingsFile
from mock_server.store import DEFAULT_BUSY_TIMEOUT
from mock_server.tenancy import ALL, check_organisation_id

DEFAULT_DB = ".ddas-mock/mock.sqlite"
FAULT_KINDS = ("500", "502", "503", "429", "latency", "reset", "accept-drop", "slow")


class Strict(BaseModel):
    """A part of the settings: an unknown key is an error at start-up (a typo must not be ignored)."""

    model_config = ConfigDict(extra="forbid")


class ClientConfig(Strict):
    """One OAuth2 client (client credentials grant) and the organisations it may deliver for."""

    id: str
    secret: str
    scopes: list[str] = Field(default_factory=lambda: ["aanleveren"])
    organisations: list[str] = Field(default_factory=lambda: [ALL])

    @field_validator("organisations")
    @classmethod
    def _organisation_ids(cls, value: list[str]) -> list[str]:
        if not value:
            raise ValueError(f"list at least one organisation id, or {ALL!r} for all")
        return [check_organisation_id(item) for item in value]


class PeriodConfig(Strict):
    """An explicitly configured period window; missing dates take the defaults (see `periods.py`)."""

    code: str
    opens: date | None = None
    closes: date | None = None
    withdrawal_deadline: date | None = None


class FaultRule(Strict):
    """With `probability`, answer a request to `endpoint` (all non-admin endpoints when None) with `kind`."""

    kind: str
    probability: float = Field(default=1.0, ge=0.0, le=1.0)
    endpoint: str | None = None

    @field_validator("kind")
    @classmethod
    def _known_kind(cls, value: str) -> str:
        if value not in FAULT_KINDS:
            raise ValueError(f"unknown fault kind {value!r}; known: {', '.join(FAULT_KINDS)}")
        return value


class FaultScript(Strict):
    """Requests to `endpoint` get `sequence` in order (`ok` = no fault), then succeed: "fail 3 times"."""

    endpoint: str
    sequence: list[str]

    @field_validator("sequence")
    @classmethod
    def _known_kinds(cls, value: list[str]) -> list[str]:
        for kind in value:
            if kind != "ok" and kind not in FAULT_KINDS:
                raise ValueError(f"unknown fault kind {kind!r}; known: ok, {', '.join(FAULT_KINDS)}")
        return value


class FaultSettings(Strict):
    rules: list[FaultRule] = Field(default_factory=list)
    scripts: list[FaultScript] = Field(default_factory=list)
    seed: int | None = None
    retry_after_seconds: int = 1
    latency_seconds: float = 0.5
    slow_seconds: float = 35.0


class MockSettings(FileBackedSettings):
    """All settings of one mock receiver (see docs/mock.md for each)."""

    model_config = SettingsConfigDict(
        env_prefix="DDAS_MOCK_", env_nested_delimiter="__", extra="forbid", validate_default=True
    )

    source_file: ClassVar[SettingsFile] = SettingsFile("ddas_mock_config_file", section="mock")

    db: str = DEFAULT_DB
    busy_timeout_seconds: float = Field(default=DEFAULT_BUSY_TIMEOUT, gt=0.0, le=30.0)
    api_version: str = "1.0.0"
    base_path: str = "/v1"
    clients: list[ClientConfig] = Field(default_factory=list)
    token_ttl_seconds: int = Field(default=3600, ge=1)
    # Signatures
    trust_anchors: list[Path] = Field(default_factory=list)
    dev_dir: Path | None = None
    lenient_signatures: bool = False
    # how far a request's sigT/iat may lie from now; 0: not checked (replaying recorded traffic)
    signature_max_skew_seconds: int = Field(900, ge=0, le=7 * 24 * 3600)
    signing_key: Path | None = None
    signing_chain: Path | None = None
    sign_responses: bool = True
    # Limits and processing
    max_body_bytes: int = Field(default=256 * 1024 * 1024, ge=1)
    max_trajecten_per_page: int = Field(default=MAX_PAGE_TRAJECTEN, ge=1)
    idempotency_ttl_seconds: int = Field(default=48 * 3600, ge=24 * 3600)
    processing_delay_seconds: float = Field(default=0.0, ge=0.0)
    missing_pages_timeout_seconds: float = Field(default=3600.0, gt=0.0)
    validation_profile: str = "standard"
    default_uitvraagdeel: str = "SHV"
    # Periods
    periods: list[PeriodConfig] = Field(default_factory=list)
    past_periods: int = Field(default=4, ge=0)
    future_periods: int = Field(default=1, ge=0)
    correction_halfyears: int = Field(default=3, ge=0)
    withdrawal_days_after_close: int = 0
    today: date | None = None

    @field_validator("today")
    @classmethod
    def _today_in_range(cls, value: date | None) -> date | None:
        from mock_server.clock import out_of_range

        problem = out_of_range(value) if value is not None else None
        if problem is not None:
            raise ValueError(f"today {problem}")
        return value

    # Faults, admin, rate limits
    faults: FaultSettings = Field(default_factory=FaultSettings)
    admin_token: str | None = None
    rate_limit_per_second: float = Field(default=100.0, ge=0.0)
    rate_limit_burst: int = Field(default=200, ge=1)
    # Operations: TLS, mutual TLS, log format (as `ddas serve`, docs/deploy.md)
    tls_cert: Path | None = None
    tls_key: Path | None = None
    client_ca: Path | None = None
    log_format: str = Field(default="auto", pattern=LOG_FORMAT_PATTERN)

    # Test kit: `DDAS-Test-Scenario` headers (None: on in development mode only)
    test_scenarios: bool | None = None

    @property
    def admin_enabled(self) -> bool:
        return bool(self.admin_token)

    @property
    def scenarios_enabled(self) -> bool:
        return self.test_scenarios if self.test_scenarios is not None else self.dev_dir is not None


def load_settings(config_file: Path | None = None, **overrides: Any) -> MockSettings:
    """Settings from defaults, the config file, the environment and `overrides` (highest first: overrides)."""
    with MockSettings.source_file.selected(config_file):
        return MockSettings(**{k: v for k, v in overrides.items() if v is not None})


def parse_fault_spec(spec: str) -> list[FaultRule]:
    """`500:0.1,429:0.05,accept-drop:0.1` → rules for every endpoint. An optional `@METHOD /path` suffix

    per item restricts it to one endpoint: `503:0.5@POST /v1/aanleveringen`.
    """
    rules: list[FaultRule] = []
    for raw in spec.split(","):
        item = raw.strip()
        if not item:
            continue
        endpoint: str | None = None
        if "@" in item:
            item, _, endpoint = item.partition("@")
            endpoint = endpoint.strip() or None
        kind, sep, prob = item.partition(":")
        try:
            probability = float(prob) if sep else 1.0
        except ValueError:
            raise ValueError(f"fault {raw.strip()!r}: probability {prob!r} is not a number") from None
        rules.append(FaultRule(kind=kind.strip(), probability=probability, endpoint=endpoint))
    return rules
