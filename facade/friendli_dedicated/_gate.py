"""One pace for a whole client: after a 429, every request of that client waits, then goes at a pace.

Without it, each request backs off on its own, and a fleet of tasks that meets a rate limit keeps
sending from every task that has not been refused yet, which only prolongs the limit. With it:

- the first 429 pauses the whole client for its ``Retry-After`` (or the retry policy's backoff when
  it gives none): requests waiting to be sent, and new ones, wait for the pause to end;
- from then on requests start at most one per ``interval``: doubled (never beyond a second) on a
  429 that answers a request sent after the last slowdown (the requests already in flight when the
  limit was met are refused too, and must not slow it again: once per round trip, as TCP does),
  shortened by 0.5% on each success, and dropped once it is under a millisecond. So a client that
  meets a limit settles just under it, with a 429 once in some 140 requests, instead of bursting
  into it again after every pause (multiplicative decrease, gentle increase); and 429s that come
  at random, not from a rate, slow it to one request a second at worst;
- a pause or a slot never passes a caller's deadline: the call ends with ``RequestTimeoutError``.

>>> gate = RateLimitGate()
>>> gate.refused(now=100.0, pause=2.5)
>>> gate.wait(now=101.0, deadline=200.0)
1.5
"""

from __future__ import annotations

import math
import threading

__all__ = ["RateLimitGate"]

_SPEED_UP = 0.995  # the interval after a success, as a share of the one before
_SLOWEST = 1.0  # the interval never grows beyond this (one request a second)
_FASTEST = 0.001  # an interval under this is no pacing at all


class RateLimitGate:
    """When a client may send its next request (on the client's clock); thread-safe."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._paused_until = -math.inf
        self._next_slot = -math.inf
        self._interval = 0.0
        self._last_slowdown = -math.inf

    def wait(self, *, now: float, deadline: float) -> float | None:
        """Seconds to wait before sending at ``now`` (the slot is then taken); None when the wait
        would end at or after ``deadline`` (nothing is taken)."""
        if self._interval == 0.0 and self._paused_until <= now:
            return 0.0  # the common case, no 429 seen lately: no lock to take
        with self._lock:
            start = max(now, self._paused_until, self._next_slot)
            if start > now and start >= deadline:
                return None
            if self._interval > 0:
                self._next_slot = start + self._interval
            return start - now

    def refused(self, *, now: float, pause: float, sent_at: float = math.inf) -> None:
        """A 429 at ``now`` for a request sent at ``sent_at``: pause the client ``pause`` seconds, and
        halve its pace unless the request was sent before the last slowdown."""
        with self._lock:
            self._paused_until = max(self._paused_until, now + max(0.0, pause))
            if sent_at >= self._last_slowdown:
                start = min(max(pause, _FASTEST), _SLOWEST)
                self._interval = min(max(self._interval * 2, start), _SLOWEST)
                self._last_slowdown = now

    def accepted(self) -> None:
        """A request was not refused: quicken the pace a little."""
        if self._interval == 0.0:
            return
        with self._lock:
            if self._interval > 0:
                self._interval *= _SPEED_UP
                if self._interval < _FASTEST:
                    self._interval = 0.0

    @property
    def interval(self) -> float:
        """Seconds between request starts now (0.0: no pacing)."""
        return self._interval

    def __repr__(self) -> str:
        return f"RateLimitGate(paused_until={self._paused_until!r}, interval={self._interval!r})"
