"""A token bucket per caller, for both servers (`ddas serve`, `ddas-mock serve`): beyond it, 429.

Each caller (client id, token name) gets `burst` requests at once, refilled at `rate` per second; the
wait until the next allowed request becomes the `Retry-After` of the 429 (RFC 6585; SIGNING.md §2).
"""

from __future__ import annotations

import math
import threading
import time
from collections.abc import Callable


class RateLimiter:
    """`rate` requests per second per key with bursts of `burst`; rate 0 disables the limit."""

    def __init__(self, rate: float, burst: int, clock: Callable[[], float] = time.monotonic) -> None:
        self.rate = rate
        self.burst = burst
        self.clock = clock
        self._lock = threading.Lock()
        self._buckets: dict[str, tuple[float, float]] = {}

    @property
    def enabled(self) -> bool:
        return self.rate > 0

    def acquire(self, key: str) -> float:
        """0 when allowed; else the seconds until the next request would be."""
        if not self.enabled:
            return 0.0
        now = self.clock()
        with self._lock:
            tokens = self._tokens(key, now)
            if tokens >= 1.0:
                self._buckets[key] = (tokens - 1.0, now)
                return 0.0
            self._buckets[key] = (tokens, now)
            return (1.0 - tokens) / self.rate

    def peek(self, key: str) -> float:
        """Like `acquire`, without taking a token: 0 when a request would be allowed now."""
        if not self.enabled:
            return 0.0
        with self._lock:
            tokens = self._tokens(key, self.clock())
            return 0.0 if tokens >= 1.0 else (1.0 - tokens) / self.rate

    def _tokens(self, key: str, now: float) -> float:
        """The tokens in `key`'s bucket at `now` (the caller holds the lock)."""
        tokens, last = self._buckets.get(key, (float(self.burst), now))
        return min(float(self.burst), tokens + (now - last) * self.rate)

    def reset(self) -> None:
        """Forget every bucket (the mock's admin reset)."""
        with self._lock:
            self._buckets.clear()


def retry_after_seconds(wait: float) -> str:
    """`Retry-After` as whole seconds, at least 1 (RFC 9110 §10.2.3 allows no fractions)."""
    return str(max(1, math.ceil(wait)))
