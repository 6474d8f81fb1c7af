"""``mock_friendli``: every client built inside talks to an emulator, in-process, on emulated time.

Like moto's ``mock_aws``: the code under test builds ``fd.Client()`` itself, with its token and
base URL from the environment as in production, and needs no change. Inside the block (or the
decorated function), every ``Client`` and ``AsyncClient`` built without an explicit ``base_url`` or
``http_client`` is wired to the emulator without sockets, with the emulator's token and team. On
a ``ManualClock`` (the default) those clients also take the emulator's clock and its sleep, which
advances that clock (stopping at the next state change), so waiting for a 30-minute deployment
takes milliseconds. Outside the block nothing is patched; the block does not nest, and it restores
everything on exit, even after an exception.
"""

from __future__ import annotations

import functools
import inspect
from collections.abc import Callable
from types import TracebackType
from typing import TYPE_CHECKING, Any, TypeVar

from friendli_dedicated import _redirect

if TYPE_CHECKING:
    from friendli_dedicated.emulator import Emulator

__all__ = ["current_emulator", "mock_friendli"]

F = TypeVar("F", bound=Callable[..., Any])

_active: list[Emulator] = []


def current_emulator() -> Emulator:
    """The emulator of the ``mock_friendli`` block in force (for code decorated with it).

    RuntimeError outside one.
    """
    if not _active:
        raise RuntimeError("no mock_friendli block is active")
    return _active[-1]


class mock_friendli:  # used like a function: `with mock_friendli() as emu`, `@mock_friendli()`
    """Route every client built inside to ``emulator`` (default: a fresh one on a ``ManualClock``).

    As a context manager it yields the emulator; as a decorator (of a function, a coroutine
    function or a test class) it wraps each call, and ``current_emulator()`` gives the emulator.

    >>> import friendli_dedicated as fd
    >>> with mock_friendli() as emu:
    ...     client = fd.Client()  # no token, no base URL: the emulator's, in-process
    ...     ep = client.endpoints.create("proj", "chat", "org/model", "H100")
    ...     print(ep.wait_until_running(timeout=1800).state.status.value, len(emu.endpoint_ids()))
    RUNNING 1
    """

    def __init__(self, emulator: Emulator | None = None) -> None:
        given: object = emulator
        if given is not None:
            from friendli_dedicated.emulator import Emulator

            if not isinstance(given, Emulator):
                from friendli_dedicated.errors import InvalidInputError

                raise InvalidInputError("emulator", f"must be an Emulator or None, got {type(given).__name__}")
        self._emulator = emulator
        self._entered: list[tuple[Emulator, _redirect.Redirect]] = []

    def __enter__(self) -> Emulator:
        emulator = self._emulator if self._emulator is not None else _fresh_emulator()
        redirect = _redirect_to(emulator)
        _redirect.install(redirect)  # RuntimeError if a block is already active: nothing changed then
        _active.append(emulator)
        self._entered.append((emulator, redirect))
        return emulator

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        emulator, redirect = self._entered.pop()
        _redirect.uninstall(redirect)
        if _active and _active[-1] is emulator:
            _active.pop()

    def __call__(self, target: F) -> F:
        if isinstance(target, type):
            for name, member in list(vars(target).items()):
                if name.startswith("test") and callable(member):
                    setattr(target, name, self._wrap(member))
            return target
        return self._wrap(target)

    def _wrap(self, function: F) -> F:
        if inspect.iscoroutinefunction(function):

            @functools.wraps(function)
            async def run_async(*args: Any, **kwargs: Any) -> Any:
                with mock_friendli(self._emulator):
                    return await function(*args, **kwargs)

            return run_async  # type: ignore[return-value]

        @functools.wraps(function)
        def run(*args: Any, **kwargs: Any) -> Any:
            with mock_friendli(self._emulator):
                return function(*args, **kwargs)

        return run  # type: ignore[return-value]


def _fresh_emulator() -> Emulator:
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
    )
