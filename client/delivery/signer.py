"""The signer of a push run, proven usable before anything is sent: readable key, matching chain, and a
certificate that is valid now (an expired certificate would have every page refused)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import TYPE_CHECKING

from client.delivery.config import ConfigError, PushSettings

if TYPE_CHECKING:
    from client.wire.signing import Signer


def checked_signer(settings: PushSettings, *, now: datetime | None = None) -> Signer:
    """The configured signer; `ConfigError` naming the file and the fix when it cannot be used now."""
    from client.wire.signing import SigningProfile, load_signer

    settings.check_files(need_signing=True)
    assert settings.signing_key is not None and settings.signing_chain is not None
    try:
        signer = load_signer(
            settings.signing_key,
            settings.signing_chain,
            settings.signing_kid,
            SigningProfile(settings.signing_profile),
        )
    except (ValueError, TypeError) as exc:
        raise ConfigError(f"signing key or certificate chain cannot be used: {exc}") from None
    cert = signer.chain[0]
    moment = now or datetime.now(UTC)
    if cert.not_valid_after_utc < moment:
        raise ConfigError(
            f"the signing certificate in {settings.signing_chain} expired on "
            f"{cert.not_valid_after_utc:%Y-%m-%d %H:%M} UTC; renew it (development: `ddas keys dev`)"
        )
    if cert.not_valid_before_utc > moment:
        raise ConfigError(
            f"the signing certificate in {settings.signing_chain} is not valid before "
            f"{cert.not_valid_before_utc:%Y-%m-%d %H:%M} UTC"
        )
    return signer
