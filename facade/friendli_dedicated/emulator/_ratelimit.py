"""The emulator's rate limit: a token bucket per API token, on the emulator's clock.

``Emulator(rate_limit=R)`` admits R requests per second per token: each token has a bucket that
holds up to R admissions (at least one) and refills at R per second; a request that finds it
empty is answered 429 with ``Retry-After`` and ``retry-after-ms`` saying when the next one would
be admitted (rounded up to a millisecond, so that waiting exactly that long is enough). Time is
the emulator's clock, so a ``ManualClock`` makes the limit exact and instant, and the real clock
makes it real. A clock that steps back (wall time may) refills nothing until it moves on again.

Buckets are keyed by an opaque name the core gives each token, never by the token itself.

>>> limiter = RateLimiter(2.0)
>>> limiter.admit("user-1", 0.0), limiter.admit("user-1", 0.0), limiter.admit("user-1", 0.0)
(None, None, 0.5)
>>> limiter.admit("user-1", 0.5), limiter.admit("user-2", 0.5)
(None, None)
"""

from __future__ import annotations

import math
import threading
from typing import Any

from friendli_dedicated._validate import shown
from friendli_dedicated.errors import InvalidInputError

__all__ = ["RateLimiter", "checked_rate"]

# Refills are floats: without some slack, a client that waited exactly the advertised time could
# find 0.99999 of an admission in its bucket and be refused again. The slack is time, not tokens: at
# the clock's usual magnitude (seconds since 1970, about 1.8e9) a float step is 2.4e-7 s, which at
# 50 requests a second is 1.2e-5 of an admission. A microsecond is far under the millisecond to
# which ``Retry-After`` is rounded up, so it admits nobody early in any way a client could use.
_SLACK_SECONDS = 1e-6


def checked_rate(rate: Any) -> float | None:
    """``Emulator.rate_limit``: None (no limit) or a finite number of requests per second > 0."""
    if rate is None:
        return None
    try:
        valid = isinstance(rate, int | float) and not isinstance(rate, bool) and math.isfinite(rate) and rate > 0
    except OverflowError:  # an int beyond any float
        valid = False
    if not valid:
        raise InvalidInputError(
            "Emulator.rate_limit",
            f"must be None (no limit) or a finite number of requests per second > 0, got {shown(rate)}",
        )
    return float(rate)


class RateLimiter:
    """Token buckets of capacity ``max(rate, 1)`` refilling at ``rate`` per second, one per key. Thread-safe."""

    def __init__(self, rate: float) -> None:
        self.rate = rate
        self.capacity = max(rate, 1.0)
        self._buckets: dict[str, tuple[float, float]] = {}  # key -> (admissions left, when counted)
        self._lock = threading.Lock()

    def admit(self, key: str, now: float) -> float | None:
        """None if a request of ``key`` is admitted at ``now`` (and counted), else seconds until one would be."""
        with self._lock:
            left, then = self._buckets.get(key, (self.capacity, now))
            left = min(self.capacity, left + max(0.0, now - then) * self.rate)
            if left + _SLACK_SECONDS * self.rate >= 1.0:
                self._buckets[key] = (max(left - 1.0, 0.0), now)
                return None
            self._buckets[key] = (left, now)
            return (1.0 - left) / self.rate

    def __repr__(self) -> str:
        return f"RateLimiter(rate={self.rate:g})"
