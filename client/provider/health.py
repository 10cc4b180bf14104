"""Readiness of `ddas serve`: ready once the exports are loaded and the page cache holds the default pull.

A load balancer sends traffic only to a ready replica, so a replica that starts on large exports does
not answer its first pulls with a cold cache. The warm-up runs in a thread at startup; until it is done
`GET /ready` answers 503 with the reason, and afterwards whenever the exports cannot be read.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from datetime import date

from client.provider.cache import DataUnavailable, PageCache
from client.provider.request import parse_request

log = logging.getLogger("ddas.provider")


class Readiness:
    """Warms the cache once and answers the readiness probe."""

    def __init__(self, cache: PageCache, today: Callable[[], date], default_page_size: int) -> None:
        self.cache = cache
        self.today = today
        self.default_page_size = default_page_size
        self.warmed = threading.Event()
        self.failure: str | None = None
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        """Warm the cache in the background (once at a time; again after a failure)."""
        if self._thread is None or (not self._thread.is_alive() and not self.warmed.is_set()):
            self._thread = threading.Thread(target=self.warm, name="ddas-warm-up", daemon=True)
            self._thread.start()

    def warm(self) -> None:
        """Load the exports and plan the default request (last complete half year, default page size)."""
        try:
            query = parse_request(b"{}", today=self.today(), default_page_size=self.default_page_size)
            self.cache.entry(query.period, query.page_size)
        except DataUnavailable as exc:
            self.failure = "the exports cannot be read"
            log.error("warm-up failed: %s", exc)
            return
        except Exception as exc:  # the request model refusing its own default is a bug, not a state
            self.failure = f"warm-up failed: {type(exc).__name__}"
            log.exception("warm-up failed")
            return
        self.failure = None
        self.warmed.set()
        log.info("ready: exports loaded, page cache built")

    def check(self) -> tuple[bool, str]:
        """(ready, reason): warmed, and the exports still readable."""
        if not self.warmed.is_set():
            reason = self.failure or "loading the exports and building the page cache"
            if self.failure is not None:
                self.start()  # the exports may have arrived since: try again in the background
            return False, reason
        try:
            self.cache.version()
        except DataUnavailable:
            return False, "the exports cannot be read"
        return True, ""
