"""One pace for a whole client: after a 429, every request of that client waits, then goes at a pace.

Without it, each request backs off on its own, and a fleet of tasks that meets a rate limit keeps
sending from every task that has not been refused yet, which only prolongs the limit. With it:

- the first 429 pauses the whole client for its ``Retry-After`` (or the retry policy's backoff when
  it gives none): requests waiting to be sent, and new ones, wait for the pause to end;
- from then on requests start at most one per ``interval``. A 429 for a request given its turn
  after the last slowdown sets the pace to half the rate at which the client was sending (measured
  over its last ``_WINDOW`` turns) or to half the pace it had, whichever is slower, never slower
  than one request a second. A 429 for a request given its turn before the last slowdown does not
  slow it again: it went at a pace already given up (once per round trip, as TCP does). The turns
  given before a slowdown and not yet taken are given again, at the new pace. Each
  success shortens the interval by 0.5%, and under a millisecond it is dropped. So a client that
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
from collections import deque

__all__ = ["RateLimitGate"]

_SPEED_UP = 0.995  # the interval after a success, as a share of the one before
_SLOWEST = 1.0  # the interval never grows beyond this (one request a second)
_FASTEST = 0.001  # an interval under this is no pacing at all
_WINDOW = 64  # the recent request starts from which the sending rate is measured


class RateLimitGate:
    """When a client may send its next request (on the client's clock); thread-safe."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._paused_until = -math.inf
        self._next_slot = -math.inf
        self._interval = 0.0
        self._last_slowdown = -math.inf
        # Appends are atomic in CPython, so the lock-free common case may record its starts too.
        self._starts: deque[float] = deque(maxlen=_WINDOW)

    def wait(self, *, now: float, deadline: float) -> float | None:
        """Seconds to wait before sending at ``now`` (the slot is then taken); None when the wait
        would end at or after ``deadline`` (nothing is taken)."""
        if self._interval == 0.0 and self._paused_until <= now:
            self._starts.append(now)
            return 0.0  # the common case, no 429 seen lately: no lock to take
        with self._lock:
            start = max(now, self._paused_until, self._next_slot)
            if start > now and start >= deadline:
                return None
            if self._interval > 0:
                self._next_slot = start + self._interval
            self._starts.append(start)
            return start - now

    def refused(self, *, now: float, pause: float, scheduled_at: float = math.inf) -> None:
        """A 429 at ``now`` for a request given its turn at ``scheduled_at`` (when it called ``wait``):
        pause the client ``pause`` seconds, and halve its pace unless the request's turn was given
        before the last slowdown (it went at a pace already given up)."""
        with self._lock:
            self._paused_until = max(self._paused_until, now + max(0.0, pause))
            if scheduled_at >= self._last_slowdown:
                sending = self._sending_interval()
                # Without a measured rate, the server's pause is the hint.
                halved = 2 * sending if sending is not None else pause
                self._interval = min(max(self._interval * 2, halved, _FASTEST), _SLOWEST)
                self._last_slowdown = now
                # The turns already given went at the old pace: their holders take new ones when they
                # wake (``slowed_since``), so the schedule starts again after the pause.
                self._next_slot = -math.inf

    def slowed_since(self, scheduled_at: float) -> bool:
        """Whether the pace slowed after a turn given at ``scheduled_at``: its holder must take a new one
        (a backlog of turns given at a pace found too fast would otherwise all meet the limit)."""
        return self._last_slowdown > scheduled_at

    def accepted(self) -> None:
        """A request was not refused: quicken the pace a little."""
        if self._interval == 0.0:
            return
        with self._lock:
            if self._interval > 0:
                self._interval *= _SPEED_UP
                if self._interval < _FASTEST:
                    self._interval = 0.0

    def _sending_interval(self) -> float | None:
        """The mean time between the recent request starts (None: fewer than two, or all at one instant,
        as on a manual clock: no rate to measure)."""
        starts = list(self._starts)
        if len(starts) < 2 or starts[-1] <= starts[0]:
            return None
        return (starts[-1] - starts[0]) / (len(starts) - 1)

    @property
    def interval(self) -> float:
        """Seconds between request starts now (0.0: no pacing)."""
        return self._interval

    def __repr__(self) -> str:
        return f"RateLimitGate(paused_until={self._paused_until!r}, interval={self._interval!r})"
