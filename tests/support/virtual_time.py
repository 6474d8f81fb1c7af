"""An asyncio event loop on a ``ManualClock``: when every task waits, the clock jumps to the next timer.

The emulator's ``async_sleep`` advances its ``ManualClock`` by each sleep, one sleeper after the
other: right for one waiter, but 200 tasks that each sleep a second would move the clock 200
seconds, so concurrent waits (a client pacing a burst) would not overlap and deadlines would pass
early. On this loop ``asyncio.sleep``, ``asyncio.timeout`` and every timer run on the manual clock,
and when no task can run, the clock moves straight to the next timer (trio's ``MockClock`` with
``autojump_threshold=0`` does the same). No real time passes, and a run is deterministic.

    clock = ManualClock()
    emulator = Emulator(clock=clock, rate_limit=50)
    client = emulator.async_client(sleep=asyncio.sleep, clock=clock)
    run(clock, main(client))
"""

from __future__ import annotations

import asyncio
import selectors
from collections.abc import Coroutine
from typing import Any, TypeVar

from friendli_dedicated.emulator import ManualClock

T = TypeVar("T")


class _JumpingSelector(selectors.DefaultSelector):
    """Polls the real selector (the loop's own wake-up pipe), and instead of blocking moves the clock."""

    def __init__(self, clock: ManualClock) -> None:
        super().__init__()
        self._clock = clock

    def select(self, timeout: float | None = None) -> list[tuple[selectors.SelectorKey, int]]:
        ready = super().select(0)
        if ready:
            return ready
        if timeout is None:  # no timer and nothing ready: waiting would never end
            raise RuntimeError("every task is waiting and no timer is set: the test would hang")
        if timeout > 0:
            self._clock.advance(timeout)
        return []


class VirtualTimeLoop(asyncio.SelectorEventLoop):
    """An event loop whose time is ``clock`` and which never sleeps for real."""

    def __init__(self, clock: ManualClock) -> None:
        super().__init__(_JumpingSelector(clock))
        self._manual_clock = clock
        # The clock reads seconds since 1970, where a float step is 2.4e-7 s: a timer due "now" must
        # not be missed by a rounding error finer than that.
        self._clock_resolution = 1e-6

    def time(self) -> float:
        return self._manual_clock()


def run(clock: ManualClock, main: Coroutine[Any, Any, T]) -> T:
    """Run ``main`` to completion on a ``VirtualTimeLoop`` of ``clock``."""
    loop = VirtualTimeLoop(clock)
    try:
        return loop.run_until_complete(main)
    finally:
        loop.run_until_complete(loop.shutdown_asyncgens())
        loop.close()
