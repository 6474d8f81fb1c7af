"""Testing kit for services that import the SDK: the emulator behind every client, and pytest fixtures.

Needs the ``emulator`` extra (``pip install "friendli-dedicated[emulator]"``).

- ``mock_friendli(emulator=None)``: a context manager and decorator; inside it, every
  ``fd.Client()`` and ``fd.AsyncClient()`` built without ``base_url`` or ``http_client``, anywhere in
  the code under test, talks to the emulator in-process (no sockets), on its emulated time;
- ``current_emulator()``: the emulator of the active block (for decorated code);
- ``UnmockedClientError``: a client built outside the block (at import time, say) for the real API
  tried to send while a block is active; nothing was sent;
- ``AmbiguousMockError``: a client built in a thread without a block of its own, while blocks on
  different emulators are active in other threads;
- the pytest plugin (``friendli_dedicated.testing._plugin``, registered as a ``pytest11`` entry
  point): fixtures ``friendli_emulator``, ``friendli_client``, ``friendli_async_client`` and
  ``friendli_mock``.

Drive the emulator from the test: ``emu.inject("create", status=503)`` (the next create fails),
``emu.fail(endpoint_id, "INFERENCE_ENGINE_MEMORY_ERROR")`` (its next transition ends FAILED),
``emu.requests_for("create")`` (what was sent), ``emu.advance(seconds)`` (move time by hand).
See docs/testing.md.

>>> import friendli_dedicated as fd
>>> with mock_friendli() as emu:
...     fd.Client().endpoints.create("proj", "chat", "org/model", "H100").id in emu.endpoint_ids()
True
"""

from __future__ import annotations

from friendli_dedicated.testing._mock import AmbiguousMockError, UnmockedClientError, current_emulator, mock_friendli

__all__ = ["AmbiguousMockError", "UnmockedClientError", "current_emulator", "mock_friendli"]

for _error in (AmbiguousMockError, UnmockedClientError):
    _error.__module__ = __name__  # reprs and tracebacks name the public module
