"""One ``mock_friendli`` block on one emulator: the context-manager half of ``mock_friendli``.

Entering builds the emulator's ``Redirect`` (its in-process transport, token, team, and, on a
``ManualClock``, its clock and sleep) and enters it in ``friendli_dedicated._redirect``; leaving
leaves it there. One ``Block`` may be entered many times, one after another (each step of a
decorated generator) or at once from several threads or tasks.
"""

from __future__ import annotations

import threading
from types import TracebackType
from typing import TYPE_CHECKING, cast

from friendli_dedicated import _redirect

if TYPE_CHECKING:
    from friendli_dedicated.emulator import Emulator

__all__ = ["Block", "fresh_emulator"]


class Block:
    """``with Block(emulator) as emu:`` (None: a fresh emulator at each entry)."""

    def __init__(self, emulator: Emulator | None = None) -> None:
        self._emulator = emulator
        self._lock = threading.Lock()
        self._entered: list[_redirect.Frame] = []

    def __enter__(self) -> Emulator:
        emulator = self._emulator if self._emulator is not None else fresh_emulator()
        frame = _redirect.enter(_redirect_to(emulator))
        with self._lock:
            self._entered.append(frame)
        return cast("Emulator", frame.redirect.owner)

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        here = _redirect.innermost()
        with self._lock:
            if not self._entered:
                raise RuntimeError("mock_friendli: __exit__ without __enter__")
            # The frame this context entered; else (left from another task, as an async fixture's
            # teardown does) the latest.
            frame = next((f for f in self._entered if f is here), self._entered[-1])
            self._entered.remove(frame)
        _redirect.leave(frame)


def fresh_emulator() -> Emulator:
    from friendli_dedicated.emulator import Emulator, ManualClock

    return Emulator(clock=ManualClock())


def _redirect_to(emulator: Emulator) -> _redirect.Redirect:
    from friendli_dedicated.emulator import ManualClock
    from friendli_dedicated.emulator._inprocess import BASE_URL

    token, team = emulator.default_credentials()
    manual = isinstance(emulator.clock, ManualClock)
    return _redirect.Redirect(
        token=token,
        team_id=team,
        base_url=BASE_URL,
        transport=emulator.transport,
        clock=emulator.clock if manual else None,
        sleep=emulator.sleep if manual else None,
        async_sleep=emulator.async_sleep if manual else None,
        owner=emulator,
    )
