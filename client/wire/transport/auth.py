"""OAuth2 client-credentials (RFC 6749 §4.4) as an `httpx.Auth`: cached token, one refresh on a 401.

The secret and the tokens are never logged, printed or put into an exception message.
"""

from __future__ import annotations

import base64
import logging
import threading
import time
from collections.abc import Callable, Generator
from dataclasses import dataclass
from typing import Any, Literal
from urllib.parse import quote

import httpx

from client.privacy import mask_text

log = logging.getLogger("ddas.transport")

ClientAuthMethod = Literal["basic", "form"]


class AuthError(Exception):
    """The token endpoint refused or failed: `error` is the RFC 6749 §5.2 code (or ours for other answers).

    `status` is the token endpoint's HTTP status (None when no answer), `retry_after` its header if any,
    so a retry policy can treat a 429/503 from the token endpoint like any other.
    """

    def __init__(
        self,
        error: str,
        description: str | None = None,
        status: int | None = None,
        retry_after: str | None = None,
    ) -> None:
        self.error = error
        self.description = description
        self.status = status
        self.retry_after = retry_after
        text = f"token endpoint answered {status}: {error}" if status else f"token request failed: {error}"
        if description:
            text += f" ({mask_text(description)[:300]})"
        super().__init__(text)


@dataclass
class _Token:
    value: str
    refresh_at: float


class ClientCredentialsAuth(httpx.Auth):
    """Adds `Authorization: Bearer <token>` (or another header) obtained with the client-credentials grant.

    The token is cached until `expires_in - leeway` seconds (half its lifetime when that is shorter).
    A 401 from the API invalidates it; a new one is fetched once and the request is sent once more;
    a second 401 is returned to the caller. `client_auth` is `basic` (HTTP Basic, RFC 6749 §2.3.1,
    the default) or `form` (client_id/client_secret in the body). The token request goes through
    `token_client` (give one with mTLS/CA settings) or a private client with `timeout`.
    """

    requires_request_body = True  # the request is sent again after a 401

    def __init__(
        self,
        token_url: str,
        client_id: str,
        client_secret: str,
        scope: str | None = None,
        *,
        leeway: float = 30.0,
        client_auth: ClientAuthMethod = "basic",
        header_name: str = "Authorization",
        header_prefix: str = "Bearer ",
        token_client: httpx.Client | None = None,
        timeout: float = 30.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        if client_auth not in ("basic", "form"):
            raise ValueError("client_auth must be 'basic' or 'form'")
        self.token_url = token_url
        self.client_id = client_id
        self._secret = client_secret
        self.scope = scope
        self.leeway = leeway
        self.client_auth = client_auth
        self.header_name = header_name
        self.header_prefix = header_prefix
        self._client = token_client
        self._timeout = timeout
        self._clock = clock
        self._lock = threading.Lock()
        self._token: _Token | None = None
        self.tokens_fetched = 0

    def __repr__(self) -> str:
        return (
            f"ClientCredentialsAuth(token_url={self.token_url!r}, client_id={self.client_id!r}, secret=***)"
        )

    # -- the httpx.Auth flow

    def auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        token = self.token()
        request.headers[self.header_name] = self.header_prefix + token
        response = yield request
        if response.status_code == 401:
            log.info("401 from %s %s: fetching a new token once", request.method, request.url.path)
            self.invalidate(token)
            request.headers[self.header_name] = self.header_prefix + self.token()
            yield request

    # -- token cache

    def invalidate(self, token: str | None = None) -> None:
        """Forget the cached token (only if it is still `token`, so a concurrent refresh is kept)."""
        with self._lock:
            if self._token is not None and (token is None or self._token.value == token):
                self._token = None

    def token(self) -> str:
        """A valid access token: the cached one, or a fresh one from the token endpoint."""
        with self._lock:
            if self._token is not None and self._clock() < self._token.refresh_at:
                return self._token.value
            value, expires_in = self._fetch()
            lifetime = max(expires_in - self.leeway, expires_in / 2)
            self._token = _Token(value, self._clock() + lifetime)
            return value

    def _fetch(self) -> tuple[str, float]:
        data = {"grant_type": "client_credentials"}
        if self.scope:
            data["scope"] = self.scope
        headers = {"Accept": "application/json"}
        if self.client_auth == "basic":
            pair = f"{quote(self.client_id, safe='')}:{quote(self._secret, safe='')}"
            headers["Authorization"] = "Basic " + base64.b64encode(pair.encode()).decode("ascii")
        else:
            data["client_id"] = self.client_id
            data["client_secret"] = self._secret
        if self._client is not None:
            response = self._client.post(self.token_url, data=data, headers=headers)
        else:
            with httpx.Client(timeout=self._timeout) as client:
                response = client.post(self.token_url, data=data, headers=headers)
        self.tokens_fetched += 1
        return self._parse(response)

    @staticmethod
    def _parse(response: httpx.Response) -> tuple[str, float]:
        try:
            body: Any = response.json()
        except ValueError:
            body = None
        retry_after = response.headers.get("Retry-After")
        if response.status_code != 200:
            if isinstance(body, dict) and isinstance(body.get("error"), str):
                description = body.get("error_description")
                raise AuthError(
                    body["error"],
                    description if isinstance(description, str) else None,
                    response.status_code,
                    retry_after,
                )
            raise AuthError(
                "invalid_response", "not an RFC 6749 error body", response.status_code, retry_after
            )
        token = body.get("access_token") if isinstance(body, dict) else None
        if not isinstance(token, str) or not token:
            raise AuthError("invalid_response", "no access_token in the answer", response.status_code)
        token_type = body.get("token_type", "bearer")
        if not isinstance(token_type, str) or token_type.lower() != "bearer":
            raise AuthError("invalid_response", "token_type is not bearer", response.status_code)
        expires_in = body.get("expires_in", 300)
        if not isinstance(expires_in, int | float) or isinstance(expires_in, bool) or expires_in < 0:
            expires_in = 300
        return token, float(expires_in)
