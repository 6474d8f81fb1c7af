"""Where clients go when the testing kit says so: the one seam between ``testing`` and the clients.

``friendli_dedicated.testing.mock_friendli`` enters a ``Redirect`` here for the length of its block;
``Client`` and ``AsyncClient`` built meanwhile without ``base_url`` or ``http_client`` take their
transport, token, team, clock and sleep from it. Nothing else writes it, and with no block active
(always, outside tests) clients are built exactly as documented.

Which block a client is built for (``current``), decided when it is built:

1. the innermost block entered in the running thread or asyncio task (a ``ContextVar``: a task
   inherits the blocks of the code that created it; blocks nest, the innermost wins);
2. else, the one emulator every active block is on, whichever thread entered them: a worker thread
   started inside a block has no context of its own, and must still not reach the real API;
3. else, blocks on different emulators are active elsewhere and none here: ``AmbiguousMockError``,
   rather than a guess.

And the guard that no request leaves while a block is active (``exposed`` and ``refused``): a
client not built by the kit, that would send on the network to a host other than loopback and
without an HTTP client of the caller's, is refused on every call while ``active`` is non-zero.
The check on the send path is two attribute reads, without a lock.
"""

from __future__ import annotations

import threading
from collections.abc import Awaitable, Callable
from contextvars import ContextVar

import attrs
import httpx

from friendli_dedicated._config import is_loopback

__all__ = [
    "AmbiguousMockError",
    "Frame",
    "Redirect",
    "UnmockedClientError",
    "active",
    "current",
    "enter",
    "exposed",
    "innermost",
    "leave",
    "refused",
]


class UnmockedClientError(RuntimeError):
    """A client not wired to the emulator tried to send while ``mock_friendli`` is active (nothing was sent)."""


class AmbiguousMockError(RuntimeError):
    """Blocks on different emulators are active in other threads or tasks, and none where this client is built."""


@attrs.frozen(eq=False)
class Redirect:
    """What a redirected client is built with; ``owner`` is the emulator (blocks on it share this)."""

    token: str = attrs.field(repr=False)
    team_id: str | None
    base_url: str
    transport: Callable[[], httpx.MockTransport]
    clock: Callable[[], float] | None
    sleep: Callable[[float], None] | None
    async_sleep: Callable[[float], Awaitable[None]] | None
    owner: object = attrs.field(repr=False)


@attrs.frozen(eq=False)
class Frame:
    """One entered block, in the context that entered it (``previous``: the block it is inside)."""

    redirect: Redirect
    previous: Frame | None


_lock = threading.Lock()
_blocks: dict[int, tuple[Redirect, int]] = {}  # id(owner) -> (its redirect, blocks entered on it)
_innermost: ContextVar[Frame | None] = ContextVar("friendli_dedicated_mock", default=None)

active = 0
"""How many blocks are entered, in every thread (read without the lock by the send guard)."""


def enter(redirect: Redirect) -> Frame:
    """Enter a block on ``redirect.owner`` in the running context (a second block on the same
    emulator shares the first one's redirect)."""
    global active
    key = id(redirect.owner)
    with _lock:
        shared, count = _blocks.get(key, (redirect, 0))
        _blocks[key] = (shared, count + 1)
        active += 1
    frame = Frame(shared, _innermost.get())
    _innermost.set(frame)
    return frame


def leave(frame: Frame) -> None:
    """Leave the block ``frame`` entered (in any context: the count is process-wide)."""
    global active
    key = id(frame.redirect.owner)
    with _lock:
        shared, count = _blocks[key]
        if count == 1:
            del _blocks[key]
        else:
            _blocks[key] = (shared, count - 1)
        active -= 1
    if _innermost.get() is frame:
        _innermost.set(frame.previous)


def innermost() -> Frame | None:
    """The innermost block entered in the running context, if any (left or not)."""
    return _innermost.get()


def current(what: str = "a client") -> Redirect | None:
    """The redirect for ``what`` built here and now (None: no block is active); see the module's rules."""
    if not active:
        return None
    frame = _innermost.get()
    with _lock:
        while frame is not None:
            # A frame left from another context (a task that outlived its block) is skipped.
            entry = _blocks.get(id(frame.redirect.owner))
            if entry is not None and entry[0] is frame.redirect:
                return frame.redirect
            frame = frame.previous
        live = [redirect for redirect, _ in _blocks.values()]
    if not live:
        return None
    if len(live) == 1:
        return live[0]
    raise AmbiguousMockError(
        f"{what} in thread {threading.current_thread().name!r}, where no mock_friendli block is in force, "
        f"while blocks on {len(live)} different emulators are active in other threads or tasks: the kit "
        "cannot tell which emulator it is for. Enter mock_friendli(emulator) here too (with the emulator "
        "of the block that started this thread), start the thread with contextvars.copy_context().run, "
        "or give the blocks one emulator"
    )


def exposed(base_url: str, *, redirected: bool, injected: bool) -> bool:
    """Whether a client would send on the network to a host other than loopback: not built by the
    kit, no HTTP client of the caller's (which decides itself where requests go), not loopback."""
    return not redirected and not injected and not is_loopback(httpx.URL(base_url).host)


def refused(client: object, label: str) -> UnmockedClientError:
    """The error of an exposed ``client`` sending ``label`` while a block is active (its repr shows
    the base URL and team, never the token)."""
    return UnmockedClientError(
        f"{client!r} would send {label} to the real API while mock_friendli is active; nothing was sent. "
        "It was not built inside the block (at import time?) or was given a base_url: build it inside the "
        "block, or give it an http_client= (or a loopback base_url=) if it is meant to reach a server of "
        "your own"
    )
