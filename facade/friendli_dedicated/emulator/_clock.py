"""Clocks for the emulator: time is injected so that tests never wait.

The emulator keeps no timers or threads: every state is computed from timestamps when it is read,
so with a ``ManualClock`` a ten-minute deployment takes no time at all, only ``advance`` calls.
"""

from __future__ import annotations

import threading
import time

__all__ = ["EPOCH", "Clock", "ManualClock", "SystemClock"]

EPOCH = 1_767_225_600.0
"""2026-01-01T00:00:00Z, where a ``ManualClock`` starts unless told otherwise."""


class Clock:
    """A source of wall-clock time in seconds since the Unix epoch (``time.time`` by default)."""

    def __call__(self) -> float:
        raise NotImplementedError


class SystemClock(Clock):
    """The real time.

    >>> SystemClock()() > EPOCH
    True
    """

    def __call__(self) -> float:
        return time.time()


class ManualClock(Clock):
    """A clock that moves only when told: ``advance(seconds)``. Thread-safe.

    Pass ``clock.advance`` as a client's ``sleep`` and the clock itself as its ``clock``, and a
    client that waits moves the emulator's time instead of sleeping (``Emulator.client`` does so
    by default when its clock is a ``ManualClock``).

    >>> clock = ManualClock()
    >>> clock.advance(90)
    >>> clock() - EPOCH
    90.0
    """

    def __init__(self, start: float = EPOCH) -> None:
        self._now = float(start)
        self._lock = threading.Lock()

    def __call__(self) -> float:
        with self._lock:
            return self._now

    def now(self) -> float:
        """The current time, as ``clock()``."""
        return self()

    def advance(self, seconds: float) -> None:
        """Move the clock forward by ``seconds`` (>= 0)."""
        if seconds < 0:
            raise ValueError(f"a clock cannot go back: advance({seconds!r})")
        with self._lock:
            self._now += float(seconds)

    def __repr__(self) -> str:
        return f"ManualClock({self():.3f})"
