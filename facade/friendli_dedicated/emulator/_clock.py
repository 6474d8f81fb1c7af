"""Clocks for the emulator: time is injected so that tests never wait.

The emulator keeps no timers or threads: every state is computed from timestamps when it is read,
so with a ``ManualClock`` a ten-minute deployment takes no time at all, only ``advance`` calls.
``given_clock`` checks a clock given to the emulator (it is read once, to see that it tells the time).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Any

from friendli_dedicated._validate import shown
from friendli_dedicated.emulator._checks import MAX_TIME, duration, timestamp
from friendli_dedicated.errors import InvalidInputError

__all__ = ["EPOCH", "Clock", "ManualClock", "SystemClock", "given_clock"]

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

    ``start`` is seconds since the Unix epoch, from 0 to the end of year 9999 (the last moment a
    timestamp can spell); the clock never moves past that either.

    >>> clock = ManualClock()
    >>> clock.advance(90)
    >>> clock() - EPOCH
    90.0
    >>> clock.advance(-1)  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    friendli_dedicated.errors.InvalidInputError: ManualClock.advance.seconds: must be a finite number ... got -1
    """

    def __init__(self, start: float = EPOCH) -> None:
        self._now = timestamp(start, "ManualClock.start")
        self._lock = threading.Lock()

    def __call__(self) -> float:
        with self._lock:
            return self._now

    def now(self) -> float:
        """The current time, as ``clock()``."""
        return self()

    def advance(self, seconds: float) -> None:
        """Move the clock forward by ``seconds`` (a finite number >= 0)."""
        step = duration(seconds, "ManualClock.advance.seconds")
        with self._lock:
            if self._now + step > MAX_TIME:
                raise InvalidInputError(
                    "ManualClock.advance.seconds", f"would move the clock past the end of year 9999, got {step:g}"
                )
            self._now += step

    def __repr__(self) -> str:
        return f"ManualClock({self():.3f})"


def given_clock(value: Any, field: str) -> Callable[[], float]:
    """``value`` if it is a callable that gives seconds since the epoch (0 to the end of year 9999);
    None is the ``SystemClock``.

    >>> isinstance(given_clock(None, "Emulator.clock"), SystemClock), given_clock(ManualClock(0), "Emulator.clock")()
    (True, 0.0)
    """
    if value is None:
        return SystemClock()
    if not callable(value):
        raise InvalidInputError(field, f"must be a callable giving seconds since the epoch, got {shown(value)}")
    try:
        now = value()
    except TypeError as exc:
        raise InvalidInputError(field, "must be callable without arguments") from exc
    try:
        timestamp(now, field)
    except InvalidInputError:
        raise InvalidInputError(
            field, f"must give seconds since the epoch (0 to the end of year 9999), gave {shown(now)}"
        ) from None
    clock: Callable[[], float] = value
    return clock
