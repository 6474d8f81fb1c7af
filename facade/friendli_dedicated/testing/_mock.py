"""``mock_friendli``: every client built inside talks to an emulator, in-process, on emulated time.

Like moto's ``mock_aws``: the code under test builds ``fd.Client()`` itself, with its token and
base URL from the environment as in production, and needs no change. Inside the block (or the
decorated function), every ``Client`` and ``AsyncClient`` built without an explicit ``base_url`` or
``http_client`` is wired to the emulator without sockets, with the emulator's token and team. On
a ``ManualClock`` (the default) those clients also take the emulator's clock and its sleep, which
advances that clock (stopping at the next state change), so waiting for a 30-minute deployment
takes milliseconds. Outside every block nothing is patched, and everything is restored on exit,
even after an exception.

No request leaves while a block is active: a client built before it (at import time, say) with
the real API's base URL refuses to send (``UnmockedClientError``, naming the client). Clients on
a loopback base URL, or with an ``http_client`` of the caller's, are left alone: their requests go
where the caller said.

Threads and tasks (the rules are ``friendli_dedicated._redirect``'s): a client is built for the
innermost block of its thread or asyncio task (a task inherits its creator's blocks); blocks nest.
A thread with no block of its own (a worker started inside one) uses the block that is active, if
all active blocks are on one emulator; if blocks on different emulators are active at once (two
tests in two threads), such a client is refused with ``AmbiguousMockError`` instead of a guess.

As a decorator, it covers every step of what it wraps (``_cover``): functions and coroutines for
the whole call, generators and async generators (yield fixtures) at every step, classes in every
method a test runner calls (``setUpClass`` to the last cleanup, inherited, static and class
methods), on one emulator per call, or per class. What it cannot cover, it refuses (``TypeError``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, TypeVar, cast

from friendli_dedicated import _redirect
from friendli_dedicated._redirect import AmbiguousMockError, UnmockedClientError
from friendli_dedicated.testing import _cover
from friendli_dedicated.testing._block import Block

if TYPE_CHECKING:
    from friendli_dedicated.emulator import Emulator

__all__ = ["AmbiguousMockError", "UnmockedClientError", "current_emulator", "mock_friendli"]

F = TypeVar("F")


def current_emulator() -> Emulator:
    """The emulator of the ``mock_friendli`` block in force here (for code decorated with it).

    RuntimeError outside every block; ``AmbiguousMockError`` in a thread without a block of its own
    while blocks on different emulators are active elsewhere.

    >>> with mock_friendli() as emu:
    ...     current_emulator() is emu
    True
    """
    redirect = _redirect.current("current_emulator()")
    if redirect is None:
        raise RuntimeError("no mock_friendli block is active")
    return cast("Emulator", redirect.owner)


class mock_friendli(Block):  # used like a function: `with mock_friendli() as emu`, `@mock_friendli()`
    """Route every client built inside to ``emulator`` (default: a fresh one on a ``ManualClock``).

    As a context manager it yields the emulator; as a decorator of a function, a coroutine,
    generator or async generator function, a static or class method, or a test class (see the
    module's docstring for what each covers), ``current_emulator()`` gives the emulator. Without an
    emulator, each call of a decorated function gets a fresh one, and a decorated class one for all
    its tests.

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
        super().__init__(emulator)

    def __call__(self, target: F) -> F:
        return cast(F, _cover.cover(target, self._emulator))
