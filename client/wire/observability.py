"""Operations for both servers: health, readiness, Prometheus metrics and access logs (text or JSON).

One implementation, two prefixes: `ddas serve` counts as `ddas_provider_*`, the mock as `ddas_mock_*`.
Each app has its own `CollectorRegistry` (never the global one), so several apps in one process (tests,
the demo) do not collide. `/health`, `/ready` and `/metrics` are answered by the outermost middleware,
outside the API's base path: no authentication, no fault injection, no signing, no data, and not in
the OpenAPI documents (they are operations endpoints, not part of the DDAS interface).
"""

from __future__ import annotations

import contextvars
import logging
import re
import sys
import time
import uuid
from collections.abc import Callable, Iterable
from datetime import UTC, datetime
from typing import Any

import orjson
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, Counter, Histogram, generate_latest
from prometheus_client.registry import Collector
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from client.privacy import mask_text
from client.settings_files import LOG_FORMATS

log = logging.getLogger("ddas.access")

HEALTH_PATH = "/health"
READY_PATH = "/ready"
METRICS_PATH = "/metrics"
OPERATIONS_PATHS = (HEALTH_PATH, READY_PATH, METRICS_PATH)
REQUEST_ID_HEADER = "X-Request-ID"
# a request id from outside is echoed and logged: short, and only characters that cannot forge a log line
_REQUEST_ID = re.compile(r"^[A-Za-z0-9._:-]{1,64}$")
_PROBLEM_PEEK = 64 * 1024
_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0, 120.0)
# the access-log fields a route adds while it answers (client id, organisation, page)
_annotations: contextvars.ContextVar[dict[str, Any] | None] = contextvars.ContextVar(
    "ddas_access_annotations", default=None
)


def annotate(**fields: Any) -> None:
    """Add fields to the current request's access-log line (a no-op outside a request)."""
    current = _annotations.get()
    if current is not None:
        current.update({k: v for k, v in fields.items() if v is not None})


class Metrics:
    """A per-app registry with the request counter and latency histogram every server has."""

    def __init__(self, prefix: str) -> None:
        self.prefix = prefix
        self.registry = CollectorRegistry(auto_describe=True)
        self.requests = Counter(
            f"{prefix}_requests",
            "HTTP requests answered, by status and problem code (empty when none)",
            ["status", "code"],
            registry=self.registry,
        )
        self.seconds = Histogram(
            f"{prefix}_request_seconds",
            "Time from request to the end of the response, seconds",
            buckets=_BUCKETS,
            registry=self.registry,
        )

    def counter(self, name: str, documentation: str) -> Counter:
        """A further counter under this app's prefix."""
        return Counter(f"{self.prefix}_{name}", documentation, registry=self.registry)

    def register(self, collector: Collector) -> None:
        """A custom collector (values read at scrape time, e.g. the data's age)."""
        self.registry.register(collector)

    def render(self) -> bytes:
        return generate_latest(self.registry)


def _problem_code(content_type: str, body: bytes, headers: dict[str, str]) -> str:
    """The short code of an error answer: the FSC error code, else the problem type's last segment
    (`urn:ddas:provider:problem:organisation-unknown` → `organisation-unknown`)."""
    fsc = headers.get("fsc-error-code")
    if fsc:
        return fsc[:64]
    if "problem+json" not in content_type or not body:
        return ""
    try:
        document = orjson.loads(body)
    except orjson.JSONDecodeError:
        return ""
    kind = document.get("type") if isinstance(document, dict) else None
    if not isinstance(kind, str) or kind in ("", "about:blank"):
        return ""
    return re.split(r"[/:#]", kind.rstrip("/:#"))[-1][:64]  # a URL's or a URN's last segment


def _logged(value: object) -> object:
    """An access-log field as logged: text and numbers from the request come out BSN-masked."""
    if isinstance(value, str):
        return mask_text(value)
    if isinstance(value, int) and not isinstance(value, bool):
        text = str(value)
        masked = mask_text(text)
        return value if masked == text else masked
    return value


def _request_id(scope: Scope) -> str:
    for name, value in scope.get("headers", []):
        if name == b"x-request-id":
            text = str(value.decode("latin-1"))
            if _REQUEST_ID.match(text) and mask_text(text) == text:  # an id holding a BSN is not echoed
                return text
    return uuid.uuid4().hex


class Operations:
    """ASGI middleware: answers /health, /ready and /metrics, and measures and logs every other request."""

    def __init__(
        self,
        app: ASGIApp,
        *,
        metrics: Metrics,
        ready: Callable[[], tuple[bool, str]],
    ) -> None:
        self.app = app
        self.metrics = metrics
        self.ready = ready

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        path = scope.get("path", "")
        if path in OPERATIONS_PATHS:
            await self._operations(path, scope, send)
            return
        request_id = _request_id(scope)
        fields: dict[str, Any] = {}
        token = _annotations.set(fields)
        started = time.perf_counter()
        status = 500
        content_type = ""
        headers: dict[str, str] = {}
        peek = bytearray()

        async def send_wrapper(message: Message) -> None:
            nonlocal status, content_type
            if message["type"] == "http.response.start":
                status = int(message["status"])
                raw = list(message.get("headers", []))
                headers.update({k.decode("latin-1").lower(): v.decode("latin-1") for k, v in raw})
                content_type = headers.get("content-type", "")
                raw.append((REQUEST_ID_HEADER.lower().encode(), request_id.encode()))
                message = {**message, "headers": raw}
            elif (
                message["type"] == "http.response.body"
                and status >= 400
                and "problem+json" in content_type
                and len(peek) < _PROBLEM_PEEK
            ):
                peek.extend(message.get("body", b"")[: _PROBLEM_PEEK - len(peek)])
            await send(message)

        try:
            await self.app(scope, receive, send_wrapper)
        finally:
            _annotations.reset(token)
            seconds = time.perf_counter() - started
            code = _problem_code(content_type, bytes(peek), headers) if status >= 400 else ""
            self.metrics.requests.labels(status=str(status), code=code).inc()
            self.metrics.seconds.observe(seconds)
            log.info(
                "%s %s %d %.1f ms",
                scope.get("method", ""),
                mask_text(path),
                status,
                seconds * 1000,
                extra={
                    "access": {
                        "request_id": request_id,
                        "method": scope.get("method", ""),
                        "path": mask_text(path),
                        "status": status,
                        "duration_ms": round(seconds * 1000, 1),
                        **({"code": code} if code else {}),
                        **{k: _logged(v) for k, v in fields.items()},
                    }
                },
            )

    async def _operations(self, path: str, scope: Scope, send: Send) -> None:
        if path == METRICS_PATH:
            await _answer(send, 200, self.metrics.render(), CONTENT_TYPE_LATEST)
            return
        if path == HEALTH_PATH:
            await _answer(send, 200, b'{"status":"ok"}', "application/json")
            return
        ok, reason = self.ready()
        body = orjson.dumps(
            {"status": "ready" if ok else "not ready", **({"reason": reason} if reason else {})}
        )
        await _answer(send, 200 if ok else 503, body, "application/json")


async def _answer(send: Send, status: int, body: bytes, content_type: str) -> None:
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [
                (b"content-type", content_type.encode()),
                (b"content-length", str(len(body)).encode()),
                (b"cache-control", b"no-store"),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})


# ---------------------------------------------------------------------------------------------- logs


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time, level, logger, message and the access fields; BSNs masked."""

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname.lower(),
            "logger": record.name,
        }
        access = getattr(record, "access", None)
        if isinstance(access, dict):
            entry.update(access)
        entry["message"] = mask_text(record.getMessage())
        if record.exc_info and record.exc_info[0] is not None:
            entry["error"] = record.exc_info[0].__name__  # the type only: a traceback may hold data
        return orjson.dumps(entry).decode()


class TextFormatter(logging.Formatter):
    """The human format: time, level, logger, message (BSNs masked), with the request id of access lines."""

    def __init__(self) -> None:
        super().__init__("%(asctime)s %(levelname)s %(name)s: %(message)s")

    def format(self, record: logging.LogRecord) -> str:
        text = mask_text(super().format(record))
        access = getattr(record, "access", None)
        if isinstance(access, dict):
            extra = [f"{k}={access[k]}" for k in ("client", "organisation", "page") if k in access]
            text += f" [{access.get('request_id', '')}]" + (" " + " ".join(extra) if extra else "")
        return text


def resolve_log_format(value: str, stream: Any = None) -> str:
    """`auto` is text on a terminal and JSON otherwise (systemd, containers); ValueError for others."""
    value = value.lower()
    if value not in LOG_FORMATS:
        raise ValueError(f"--log-format {value!r}: use one of {', '.join(LOG_FORMATS)}")
    if value != "auto":
        return value
    stream = stream if stream is not None else sys.stderr
    return "text" if getattr(stream, "isatty", lambda: False)() else "json"


def configure_logging(log_format: str, level: str, *, loggers: Iterable[str] = ("ddas",)) -> None:
    """Route the ddas and uvicorn logs to stderr in one format (uvicorn's own config is then not used)."""
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(JsonFormatter() if resolve_log_format(log_format) == "json" else TextFormatter())
    numeric = logging.getLevelName(level.upper())
    numeric = numeric if isinstance(numeric, int) else logging.INFO
    for name in (*loggers, "uvicorn", "uvicorn.error"):
        logger = logging.getLogger(name)
        logger.handlers[:] = [handler]
        logger.setLevel(numeric)
        logger.propagate = False
    logging.getLogger("uvicorn.access").disabled = True  # the access line is ours (no bodies, ids masked)
