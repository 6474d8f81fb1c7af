"""Where clients go when the testing kit says so: the one seam between ``testing`` and the clients.

``friendli_dedicated.testing.mock_friendli`` installs a ``Redirect`` here for the length of its
block; ``Client`` and ``AsyncClient`` built meanwhile without ``base_url`` or ``http_client`` take
their transport, token, team, clock and sleep from it. Nothing else writes it, and with no
redirect installed (always, outside tests) clients are built exactly as documented.
"""

from __future__ import annotations

import threading
from collections.abc import Awaitable, Callable

import attrs
import httpx

__all__ = ["Redirect", "current", "install", "uninstall"]


@attrs.frozen
class Redirect:
    """What a redirected client is built with."""

    token: str = attrs.field(repr=False)
    team_id: str | None
    base_url: str
    transport: Callable[[], httpx.MockTransport]
    clock: Callable[[], float] | None
    sleep: Callable[[float], None] | None
    async_sleep: Callable[[float], Awaitable[None]] | None


_lock = threading.Lock()
_current: Redirect | None = None


def current() -> Redirect | None:
    """The redirect in force, if any (read by every client constructor)."""
    return _current


def install(redirect: Redirect) -> None:
    """Install ``redirect``; RuntimeError if one is already installed (redirects do not nest)."""
    global _current
    with _lock:
        if _current is not None:
            raise RuntimeError(
                "mock_friendli is already active: it does not nest (use the emulator it yields, or "
                "friendli_dedicated.testing.current_emulator())"
            )
        _current = redirect


def uninstall(redirect: Redirect) -> None:
    """Remove ``redirect`` (only the one installed; anything else is left as it is)."""
    global _current
    with _lock:
        if _current is redirect:
            _current = None
