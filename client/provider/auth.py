"""Who may call: the token in `Fsc-Authorization` and/or `Authorization: Bearer` (SIGNING.md §3).

In production the FSC inway validates the certificate-bound token before a request reaches us; the
provider still checks it (configured tokens, their expiry, group and scope) so that a misrouted request
cannot read BSNs. Failures are FSC errors, so a client tells them from the service's own problems.
"""

from __future__ import annotations

import hmac
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime

from pydantic import SecretStr

from client.provider.settings import DEV_TOKEN, ProviderSettings, TokenConfig
from client.wire.adr import FscErrorCode
from client.wire.bearer import token_in

FSC_HEADER = "Fsc-Authorization"
AUTHORIZATION = "Authorization"


@dataclass
class Denied(Exception):
    """Authentication failed: the FSC status, code and a detail that never echoes the token."""

    status: int
    code: str
    title: str
    detail: str


@dataclass(frozen=True)
class Caller:
    name: str
    via: tuple[str, ...]


class Authenticator:
    """Checks every configured header that is present; at least one accepted header must carry a token."""

    def __init__(self, settings: ProviderSettings, now: Callable[[], datetime] | None = None) -> None:
        self.settings = settings
        self.tokens = list(settings.tokens)
        if settings.dev_dir is not None:
            self.tokens.append(TokenConfig(value=SecretStr(DEV_TOKEN), name="dev"))
        self.now = now or (lambda: datetime.now(UTC))

    def _lookup(self, token: str) -> TokenConfig | None:
        for config in self.tokens:
            if hmac.compare_digest(config.value.get_secret_value().encode(), token.encode()):
                return config
        return None

    def _check(self, token: str, header: str) -> TokenConfig:
        if not token:
            raise Denied(
                401, FscErrorCode.ACCESS_TOKEN_MISSING, "Access token missing", f"{header} carries no token"
            )
        config = self._lookup(token)
        if config is None:
            raise Denied(
                401,
                FscErrorCode.ACCESS_TOKEN_INVALID,
                "Access token invalid",
                f"the token in {header} is not valid",
            )
        if config.expires_at is not None:
            expires = config.expires_at if config.expires_at.tzinfo else config.expires_at.replace(tzinfo=UTC)
            if self.now() >= expires:
                raise Denied(
                    401,
                    FscErrorCode.ACCESS_TOKEN_EXPIRED,
                    "Access token expired",
                    f"the token in {header} has expired",
                )
        wanted_group = self.settings.group_id
        if wanted_group is not None and config.group_id != wanted_group:
            raise Denied(
                403,
                FscErrorCode.WRONG_GROUP_ID_IN_TOKEN,
                "Wrong group",
                f"the token in {header} is not for this FSC group",
            )
        if self.settings.required_scope not in config.scopes:
            raise Denied(
                403,
                FscErrorCode.WRONG_GROUP_ID_IN_TOKEN,
                "Scope missing",
                f"the token in {header} lacks the scope {self.settings.required_scope!r}",
            )
        return config

    def authenticate(self, headers: Mapping[str, str]) -> Caller:
        """The caller, or Denied: every accepted header present must hold a valid token."""
        present: list[tuple[str, str]] = []
        if self.settings.accept_fsc_authorization and headers.get(FSC_HEADER) is not None:
            present.append((FSC_HEADER, token_in(headers[FSC_HEADER], prefix_optional=True)))
        if self.settings.accept_authorization and headers.get(AUTHORIZATION) is not None:
            present.append((AUTHORIZATION, token_in(headers[AUTHORIZATION], prefix_optional=False)))
        if not present:
            accepted = [
                name
                for name, on in (
                    (FSC_HEADER, self.settings.accept_fsc_authorization),
                    (f"{AUTHORIZATION}: Bearer", self.settings.accept_authorization),
                )
                if on
            ]
            raise Denied(
                401,
                FscErrorCode.ACCESS_TOKEN_MISSING,
                "Access token missing",
                "send an access token in " + " or ".join(accepted),
            )
        names = [self._check(token, header).name for header, token in present]
        return Caller(names[0], tuple(header for header, _ in present))
