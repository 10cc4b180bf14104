"""Configuration of the push client: `DDAS_*` environment variables over a `ddas.toml`, over defaults.

Why pydantic-settings: one typed model serves the environment (cron, systemd, containers), a file
(`ddas.toml`, found with `--config FILE` or in the working directory) and the command-line overrides
(`--base-url`, `--dev DIR`), with one order of precedence: command line > environment > file > default.
Secrets are `SecretStr` so that nothing prints them by accident; `ddas config show` masks them.
`check_files()` proves, before anything is sent, that every key and certificate named can be read.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Annotated, Any, ClassVar, Literal

from pydantic import Field, SecretStr, ValidationError, field_validator, model_validator
from pydantic_settings import NoDecode, SettingsConfigDict

from client.protocol import DEFAULT_VENDOR_CODE, MAX_PAGE_TRAJECTEN
from client.settings_files import FileBackedSettings, SettingsFile, error_message

DEFAULT_CONFIG = Path("ddas.toml")
DEFAULT_JOURNAL = Path(".ddas") / "journal.sqlite"


class ConfigError(Exception):
    """The configuration is incomplete or names a file that cannot be used (exit 2, nothing sent)."""


class PushSettings(FileBackedSettings):
    """Everything `ddas push`, `status`, `withdraw` and `report` need to talk to a receiver."""

    model_config = SettingsConfigDict(env_prefix="DDAS_", extra="forbid", validate_default=True)

    # the whole file is the settings (no table), read as TOML whatever its name
    source_file: ClassVar[SettingsFile] = SettingsFile("ddas_toml_file", yaml_allowed=False)

    # receiver and OAuth2 client credentials
    base_url: str = Field("", description="receiver base URL, e.g. https://receiver.example/v1")
    token_url: str | None = Field(None, description="token endpoint; default <base_url>/oauth/token")
    client_id: str | None = None
    client_secret: SecretStr | None = None
    client_secret_file: Path | None = Field(None, description="file holding the client secret")
    scope: str = "aanleveren"

    # payload signing (SIGNING.md)
    signing_key: Path | None = Field(None, description="PEM private key (RSA, PS256)")
    signing_chain: Path | None = Field(None, description="PEM certificate chain, signer first")
    signing_kid: str | None = None
    signing_profile: Literal["adr", "body"] = "adr"
    verify_response_signatures: bool = False
    trust_anchors: Annotated[list[Path], NoDecode] = Field(
        default_factory=list, description="CA files trusted for responses"
    )

    # TLS
    tls_client_cert: Path | None = Field(None, description="mTLS client certificate (PEM)")
    tls_client_key: Path | None = Field(None, description="mTLS client key (PEM)")
    ca_bundle: Path | None = Field(None, description="CA bundle for the receiver's TLS certificate")

    # timeouts and retries (PUSH-API.md, client behaviour)
    connect_timeout: float = Field(10.0, gt=0)
    read_timeout: float = Field(120.0, gt=0)
    max_attempts: int = Field(6, ge=1, description="attempts per request, the first included")
    page_deadline: float = Field(600.0, gt=0, description="seconds per page, all its retries included")
    retry_budget: int = Field(30, ge=0, description="retries shared by the whole run")
    backoff_initial: float = Field(0.5, ge=0)
    backoff_max: float = Field(30.0, ge=0)
    retry_after_cap: float = Field(120.0, ge=0, description="longest Retry-After honoured, seconds")

    # polling a delivery to its final state
    poll_interval: float = Field(1.0, gt=0)
    poll_max_interval: float = Field(15.0, gt=0)
    poll_timeout: float = Field(600.0, gt=0)

    # planning and bookkeeping
    journal: Path = DEFAULT_JOURNAL
    vendor_code: str = Field(DEFAULT_VENDOR_CODE, description="codeGegevensleverancier")
    code_uitvraag: str | None = None
    page_size: int = Field(MAX_PAGE_TRAJECTEN, ge=1, le=MAX_PAGE_TRAJECTEN)

    @model_validator(mode="before")
    @classmethod
    def _old_tls_names(cls, data: Any) -> Any:
        """`tls_cert`/`tls_key` (before the provider had TLS of its own) still name the client certificate."""
        if isinstance(data, dict):
            for old, new in (("tls_cert", "tls_client_cert"), ("tls_key", "tls_client_key")):
                if old in data:
                    data = {**data}
                    value = data.pop(old)
                    data.setdefault(new, value)
        return data

    @field_validator("base_url")
    @classmethod
    def _strip_slash(cls, value: str) -> str:
        return value.rstrip("/")

    @field_validator("trust_anchors", mode="before")
    @classmethod
    def _split_anchors(cls, value: Any) -> Any:
        if isinstance(value, str):  # DDAS_TRUST_ANCHORS="a.pem,b.pem" as well as JSON
            text = value.strip()
            if text.startswith("["):
                return json.loads(text)
            return [part for part in (p.strip() for p in text.split(",")) if part]
        return value

    # ------------------------------------------------------------------ derived values

    @property
    def effective_token_url(self) -> str:
        return self.token_url or f"{self.base_url}/oauth/token"

    def secret(self) -> str | None:
        """The client secret, from the setting or its file (a file wins only when no secret is set)."""
        if self.client_secret is not None:
            return self.client_secret.get_secret_value()
        if self.client_secret_file is not None:
            try:
                return self.client_secret_file.read_text(encoding="utf-8").strip()
            except OSError as exc:
                raise ConfigError(
                    f"client_secret_file {self.client_secret_file}: cannot be read ({exc.strerror})"
                ) from None
        return None

    def check_files(self, *, need_signing: bool = True) -> None:
        """Every file named must exist and be readable; raise `ConfigError` listing each problem."""
        problems: list[str] = []
        named: list[tuple[str, Path | None]] = [
            ("signing_key", self.signing_key),
            ("signing_chain", self.signing_chain),
            ("tls_client_cert", self.tls_client_cert),
            ("tls_client_key", self.tls_client_key),
            ("ca_bundle", self.ca_bundle),
            ("client_secret_file", self.client_secret_file),
        ]
        named += [("trust_anchors", anchor) for anchor in self.trust_anchors]
        for name, path in named:
            if path is None:
                continue
            if not path.is_file():
                problems.append(f"{name}: {path} does not exist or is not a file")
            elif not os.access(path, os.R_OK):
                problems.append(f"{name}: {path} is not readable by this user")
        if need_signing and (self.signing_key is None or self.signing_chain is None):
            problems.append(
                "signing_key and signing_chain must be set (DDAS_SIGNING_KEY / DDAS_SIGNING_CHAIN, "
                "ddas.toml, or --dev DIR with the files of `ddas keys dev`)"
            )
        if (self.tls_client_cert is None) != (self.tls_client_key is None):
            problems.append("tls_client_cert and tls_client_key go together: set both or neither")
        if self.verify_response_signatures and not self.trust_anchors:
            problems.append("verify_response_signatures needs trust_anchors (the CA files to trust)")
        if problems:
            raise ConfigError("configuration problem:\n  - " + "\n  - ".join(problems))

    def check_receiver(self) -> None:
        problems = []
        if not self.base_url:
            problems.append("base_url is not set (DDAS_BASE_URL, ddas.toml or --base-url)")
        elif not self.base_url.startswith(("http://", "https://")):
            problems.append(f"base_url {self.base_url!r} must start with http:// or https://")
        if not self.client_id:
            problems.append("client_id is not set (DDAS_CLIENT_ID or ddas.toml)")
        if self.client_secret is None and self.client_secret_file is None:
            problems.append(
                "client_secret is not set (DDAS_CLIENT_SECRET, DDAS_CLIENT_SECRET_FILE or ddas.toml)"
            )
        if problems:
            raise ConfigError("configuration problem:\n  - " + "\n  - ".join(problems))

    def shown(self) -> dict[str, Any]:
        """The effective configuration for `ddas config show`, secrets masked."""
        out: dict[str, Any] = {}
        for name in type(self).model_fields:
            value = getattr(self, name)
            if isinstance(value, SecretStr):
                value = "********" if value.get_secret_value() else ""
            elif isinstance(value, Path):
                value = str(value)
            elif isinstance(value, list):
                value = [str(item) for item in value]
            out[name] = value
        out["token_url"] = self.effective_token_url
        return out


def dev_overrides(dev_dir: Path) -> dict[str, Any]:
    """`--dev DIR`: client `dev`/`dev` and the files written by `ddas keys dev --dir DIR`.

    For an https receiver (`ddas-mock serve --tls-cert ... --client-ca DIR/ca.pem`) the development CA
    verifies it and the development client certificate is presented, when the set has one.
    """
    from client.devtools.keys import DevKeys  # here: a push without --dev needs no key tooling

    keys = DevKeys(dev_dir)
    overrides: dict[str, Any] = {
        "client_id": "dev",
        "client_secret": SecretStr("dev"),
        "signing_key": keys.signing_key_path,
        "signing_chain": keys.signing_chain_path,
        "trust_anchors": [keys.ca_path],
        "verify_response_signatures": True,
        "ca_bundle": keys.ca_path,
    }
    if keys.client_cert_path.is_file() and keys.client_key_path.is_file():
        overrides["tls_client_cert"] = keys.client_cert_path
        overrides["tls_client_key"] = keys.client_key_path
    return overrides


def load_settings(
    config: Path | None = None,
    *,
    dev: Path | None = None,
    base_url: str | None = None,
    **overrides: Any,
) -> PushSettings:
    """Build the effective settings; raise `ConfigError` with a readable message on any problem."""
    if config is not None and not config.is_file():
        raise ConfigError(f"--config {config}: no such file")
    toml_file = config if config is not None else (DEFAULT_CONFIG if DEFAULT_CONFIG.is_file() else None)
    init: dict[str, Any] = {}
    if dev is not None:
        if not dev.is_dir():
            raise ConfigError(f"--dev {dev}: no such directory (create it with `ddas keys dev --dir {dev}`)")
        init.update(dev_overrides(dev))
    if base_url is not None:
        init["base_url"] = base_url
    init.update({key: value for key, value in overrides.items() if value is not None})
    try:
        with PushSettings.source_file.selected(toml_file):
            return PushSettings(**init)
    except ValidationError as exc:
        lines = [error_message(error) for error in exc.errors()]
        source = f" (file {toml_file})" if toml_file else ""
        raise ConfigError(f"invalid configuration{source}:\n  - " + "\n  - ".join(lines)) from None
    except (OSError, ValueError) as exc:  # an unreadable or malformed TOML file
        raise ConfigError(f"cannot read the configuration file {toml_file}: {exc}") from None
