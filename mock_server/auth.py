"""OAuth2 client credentials: clients from the configuration, opaque bearer tokens kept in the store.

Tokens are accepted in `Authorization: Bearer` and in FSC's `Fsc-Authorization` (with or without the
`Bearer ` prefix), `SIGNING.md` §3. Each authenticated request also takes one token from the client's
rate-limit bucket. Wrong secrets are counted per configured client id: after `FAILED_AUTH_LIMIT` within
`FAILED_AUTH_WINDOW` seconds the token endpoint answers 429 with `Retry-After` for that id, right
secret or not, so a secret cannot be guessed at line speed.
"""

from __future__ import annotations

import hmac
import secrets
from dataclasses import dataclass

from client.wire.adr import ProblemError
from client.wire.bearer import bearer_token
from client.wire.observability import annotate
from client.wire.ratelimit import RateLimiter, retry_after_seconds
from mock_server.clock import Clock
from mock_server.problems import fail
from mock_server.settings import ClientConfig
from mock_server.store import Store
from mock_server.tenancy import Mandate

SCOPE = "aanleveren"
FAILED_AUTH_LIMIT = 10  # wrong secrets per client id ...
FAILED_AUTH_WINDOW = 60.0  # ... within this many seconds, then 429


@dataclass(frozen=True)
class Principal:
    client_id: str
    scopes: tuple[str, ...]
    mandate: Mandate  # the organisations this client acts for (`mock_server.tenancy`)


class TokenError(Exception):
    """An RFC 6749 §5.2 error of the token endpoint."""

    def __init__(self, error: str, description: str, status: int = 400) -> None:
        super().__init__(description)
        self.error = error
        self.description = description
        self.status = status


class Tokens:
    def __init__(
        self,
        store: Store,
        clients: list[ClientConfig],
        ttl: int,
        limiter: RateLimiter,
        clock: Clock,
    ) -> None:
        self.store = store
        self.clock = clock
        self.clients = {c.id: c for c in clients}
        self.ttl = ttl
        self.limiter = limiter
        # a token bucket per client id: FAILED_AUTH_LIMIT at once, refilled over FAILED_AUTH_WINDOW
        self.failures = RateLimiter(FAILED_AUTH_LIMIT / FAILED_AUTH_WINDOW, FAILED_AUTH_LIMIT)

    def issue(self, client_id: str | None, secret: str | None, scope: str | None) -> tuple[str, int, str]:
        """(access_token, expires_in, scope), TokenError, or a 429 problem after too many wrong secrets.

        Only configured client ids are counted (an unknown id has no secret to guess, and counting
        every id sent would let a caller grow the table without bound).
        """
        client = self.clients.get(client_id or "")
        if client is not None:
            wait = self.failures.peek(client.id)
            if wait > 0:
                raise self._locked_out(wait)
        if (
            client is None
            or secret is None
            or not hmac.compare_digest(client.secret.encode(), secret.encode())
        ):
            if client is not None:
                self.failures.acquire(client.id)
            raise TokenError("invalid_client", "client authentication failed", 401)
        requested = scope.split() if scope else list(client.scopes)
        unknown = [s for s in requested if s not in client.scopes]
        if unknown:
            raise TokenError("invalid_scope", f"scope not granted to this client: {' '.join(unknown)}")
        token = secrets.token_urlsafe(32)
        now = self.clock.now()
        with self.store.tx() as db:
            db.execute("DELETE FROM tokens WHERE expires_at < ?", (now,))
            db.execute(
                "INSERT INTO tokens (token, client_id, scopes, expires_at) VALUES (?, ?, ?, ?)",
                (token, client.id, " ".join(requested), now + self.ttl),
            )
        return token, self.ttl, " ".join(requested)

    def authenticate(
        self, authorization: str | None, fsc_authorization: str | None, scope: str = SCOPE
    ) -> Principal:
        """The principal of a request, or a 401/403/429 problem."""
        raw = bearer_token(authorization, fsc_authorization)
        if not raw:
            raise self._unauthorized("no bearer token", 'Bearer realm="ddas"')
        with self.store.tx() as db:
            row = db.execute(
                "SELECT client_id, scopes, expires_at FROM tokens WHERE token = ?", (raw,)
            ).fetchone()
        if row is None:
            raise self._unauthorized("unknown token", 'Bearer realm="ddas", error="invalid_token"')
        if row["expires_at"] < self.clock.now():
            raise self._unauthorized(
                "the token has expired",
                'Bearer realm="ddas", error="invalid_token", error_description="expired"',
            )
        client = self.clients.get(str(row["client_id"]))
        if client is None:  # a token stored before a restart whose configuration dropped the client
            raise self._unauthorized(
                "the client of this token is no longer configured",
                'Bearer realm="ddas", error="invalid_token"',
            )
        scopes = tuple(str(row["scopes"]).split())
        if scope not in scopes:
            raise fail(
                403,
                "Insufficient scope",
                f"this endpoint needs scope {scope}",
                slug="insufficient-scope",
                headers={
                    "WWW-Authenticate": f'Bearer realm="ddas", error="insufficient_scope", scope="{scope}"'
                },
            )
        wait = self.limiter.acquire(row["client_id"])
        if wait > 0:
            raise fail(
                429,
                "Too Many Requests",
                f"rate limit of {self.limiter.rate:g} requests per second exceeded for this client",
                slug="rate-limited",
                headers={"Retry-After": retry_after_seconds(wait)},
            )
        annotate(client=client.id)  # the access log names the client, never its token
        return Principal(client.id, scopes, Mandate.of(client.organisations))

    @staticmethod
    def _locked_out(wait: float) -> ProblemError:
        detail = (
            f"{FAILED_AUTH_LIMIT} failed authentications for this client id within "
            f"{FAILED_AUTH_WINDOW:g} seconds; try again after Retry-After seconds with the right secret"
        )
        return fail(
            429,
            "Too many failed authentications",
            detail,
            slug="authentication-locked",
            headers={"Retry-After": retry_after_seconds(wait), "Cache-Control": "no-store"},
            error="invalid_client",  # RFC 6749 §5.2 members too, for OAuth2 client libraries
            error_description=detail,
        )

    def expire(self, token: str) -> None:
        """End `token` now (the `token-expired` test scenario): its next use answers 401 expired."""
        with self.store.tx() as db:
            db.execute("UPDATE tokens SET expires_at = ? WHERE token = ?", (self.clock.now() - 1, token))

    @staticmethod
    def _unauthorized(detail: str, challenge: str) -> ProblemError:
        return fail(401, "Unauthorized", detail, slug="unauthorized", headers={"WWW-Authenticate": challenge})
