"""The conformance suite's HTTP side: CBS's signed requests to `POST /gegevens`, every exchange recorded.

Keys, tokens, request signing and TLS come from the puller (`mock_server.puller`), so the suite asks
exactly what `ddas-mock pull` asks, over the same connection setup. Unlike the puller, nothing is
refused on the way: a response whose signature fails is recorded with the reason (check SHV-SIG-01
judges it), so that one broken aspect fails one check. Everything the provider sends back is bounded:
the body size (read as a stream, cut at the limit) and the number of pages followed.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any

import httpx
import orjson

from client.planning.periods import Period
from client.privacy import mask_text
from client.wire.signing import SignatureError
from client.wire.transport.retry import parse_retry_after
from mock_server.puller import Puller, PullError, PullOptions

MAX_BODY_BYTES = 256 * 1024 * 1024
MAX_PAGES = 1000
MAX_SHOWN_BYTES = 2000
RETRY_STATUSES = (429, 503)
MAX_RETRY_WAIT = 5.0


class ConformError(Exception):
    """The suite cannot run: `usage` (options, keys, credentials refused) or `unreachable`."""

    def __init__(self, kind: str, message: str) -> None:
        super().__init__(message)
        self.kind = kind
        self.message = message


@dataclass
class ConformOptions(PullOptions):
    """What `ddas-mock conform` was asked (see conform_cmd for each option): the puller's options (the
    same keys, token and TLS), plus the bounds of what the suite reads back."""

    timeout: float = 120.0
    max_body_bytes: int = MAX_BODY_BYTES
    max_pages: int = MAX_PAGES


@dataclass
class Exchange:
    """One request and what came back: the evidence a check shows."""

    what: str
    request: bytes
    status: int
    headers: httpx.Headers
    body: bytes
    signature_error: str | None  # None: Digest and JWS verified against the trust anchors
    truncated: bool = False

    def document(self) -> Any:
        """The body as JSON, or None."""
        if self.truncated:
            return None
        try:
            return orjson.loads(self.body)
        except orjson.JSONDecodeError:
            return None

    def summary(self) -> str:
        """Request and answer in a few lines, for reports (bodies cut, BSNs masked; never a token)."""
        shown = _excerpt(self.body)
        more = (
            f" ... ({len(self.body):,} bytes)" if len(self.body) > MAX_SHOWN_BYTES or self.truncated else ""
        )
        request = _excerpt(self.request)
        return f"{self.what}\n> POST /gegevens {request}\n< HTTP {self.status}\n< {shown}{more}"


def _excerpt(body: bytes) -> str:
    """The first `MAX_SHOWN_BYTES` of a body, masked before it is cut so a BSN at the cut is masked whole."""
    return mask_text(body[: MAX_SHOWN_BYTES + 8].decode("utf-8", "replace"))[:MAX_SHOWN_BYTES]


class Session:
    """Sends CBS's requests to one provider and records every exchange."""

    def __init__(self, options: ConformOptions) -> None:
        self.options = options
        try:
            # the puller's keys, token and TLS (trust and client certificate): one definition of each
            self.puller = Puller(options)
        except PullError as exc:
            raise ConformError("usage", exc.message) from None
        self.http = self.puller.client
        try:
            self.puller._auth_headers()  # no token at all is a usage error, before any request
        except PullError as exc:
            self.puller.close()
            raise ConformError("usage", exc.message) from None
        self.period: Period = self.puller.period
        self.url = options.url.rstrip("/") + "/gegevens"
        self.exchanges: list[Exchange] = []

    def close(self) -> None:
        self.puller.close()

    def request(self, **fields: Any) -> dict[str, Any]:
        """A GegevensRequest for the period (and organisation) under test, plus `fields`."""
        body: dict[str, Any] = {
            "aanleverperiodeStartdatum": self.period.start.isoformat(),
            "aanleverperiodeEinddatum": self.period.end.isoformat(),
        }
        if self.options.organisation:
            body["aanleverende_organisatie"] = self.options.organisation
        body.update(fields)
        return body

    def post(
        self,
        what: str,
        request: dict[str, Any] | bytes,
        *,
        sign: bool = True,
        authenticate: bool = True,
        headers: dict[str, str] | None = None,
        signed_body: bytes | None = None,
    ) -> Exchange:
        """One POST /gegevens (429/503 retried a few times); `signed_body` signs other bytes than sent."""
        body = request if isinstance(request, bytes) else orjson.dumps(request)
        sent = {"Content-Type": "application/json", "Accept": "application/json"}
        if authenticate:
            sent.update(self.puller._auth_headers())
        if sign:
            sent.update(self.puller.signer.sign(signed_body if signed_body is not None else body))
        sent.update(headers or {})
        auth: Any = self.puller.auth if authenticate and self.puller.auth else None
        for attempt in range(3):
            exchange = self._send(what, body, sent, auth)
            if exchange.status not in RETRY_STATUSES or attempt == 2:
                break
            wait = parse_retry_after(exchange.headers.get("retry-after"))
            time.sleep(min(MAX_RETRY_WAIT, 1.0 if wait is None else wait))
        self.exchanges.append(exchange)
        return exchange

    def _send(self, what: str, body: bytes, headers: dict[str, str], auth: Any) -> Exchange:
        limit = self.options.max_body_bytes
        try:
            with self.http.stream(
                "POST", self.url, content=body, headers=headers, auth=auth or httpx.USE_CLIENT_DEFAULT
            ) as response:
                chunks: list[bytes] = []
                size = 0
                truncated = False
                for chunk in response.iter_bytes():
                    size += len(chunk)
                    if size > limit:
                        truncated = True
                        break
                    chunks.append(chunk)
        except httpx.HTTPError as exc:
            raise ConformError(
                "unreachable", f"{what}: {type(exc).__name__}: {exc or 'no answer'} ({self.url})"
            ) from None
        data = b"".join(chunks)
        error: str | None = None
        if truncated:
            error = f"the body is over the limit of {limit:,} bytes; not read further"
        else:
            try:
                self.puller.verifier.verify(data, response.headers)
            except SignatureError as exc:
                error = f"{exc.reason}: {exc.message}"
        return Exchange(what, body, response.status_code, response.headers, data, error, truncated)
