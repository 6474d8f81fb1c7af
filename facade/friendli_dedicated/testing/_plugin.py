"""The pytest plugin of friendli-dedicated: fixtures for code that uses the SDK (entry point ``pytest11``).

Active wherever pytest and friendli-dedicated are installed. It imports nothing at load time beyond
pytest, so a project without the ``emulator`` extra is not affected until it asks for a fixture
(which then fails with the ImportError naming the extra).

- ``friendli_emulator``: a fresh ``Emulator`` on a ``ManualClock``;
- ``friendli_client`` / ``friendli_async_client``: clients bound to it, in-process, on its clock,
  with its token and team (the ``FRIENDLI_*`` variables are not read);
- ``friendli_mock``: ``mock_friendli`` around the test, so code that builds ``fd.Client()`` itself
  talks to ``friendli_emulator``; yields that emulator.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    from friendli_dedicated import AsyncClient, Client
    from friendli_dedicated.emulator import Emulator

__all__ = ["friendli_async_client", "friendli_client", "friendli_emulator", "friendli_mock"]


@pytest.fixture
def friendli_emulator() -> Emulator:
    """A fresh emulator of the API on a ``ManualClock``: time moves only when a client waits."""
    from friendli_dedicated.emulator import Emulator, ManualClock

    return Emulator(clock=ManualClock())


@pytest.fixture
def friendli_client(friendli_emulator: Emulator) -> Iterator[Client]:
    """A ``friendli_dedicated.Client`` wired to ``friendli_emulator`` (closed after the test)."""
    with friendli_emulator.client() as client:
        yield client


@pytest.fixture
def friendli_async_client(friendli_emulator: Emulator) -> Iterator[AsyncClient]:
    """A ``friendli_dedicated.AsyncClient`` wired to ``friendli_emulator``.

    Use it from any event loop; it holds no sockets, so closing it after the test needs none.
    """
    client = friendli_emulator.async_client()
    yield client
    asyncio.run(client.close())


@pytest.fixture
def friendli_mock(friendli_emulator: Emulator) -> Iterator[Emulator]:
    """``mock_friendli(friendli_emulator)`` around the test: every client built without a base URL or
    an HTTP client talks to the emulator, which the fixture yields."""
    from friendli_dedicated.testing._mock import mock_friendli

    with mock_friendli(friendli_emulator) as emulator:
        yield emulator
