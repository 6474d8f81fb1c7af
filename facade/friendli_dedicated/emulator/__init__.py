"""A stateful local emulator of the Friendli Dedicated Endpoints API, for tests and demos.

The same core answers in-process (through an httpx transport, no sockets) or over HTTP on
loopback; it follows the API contract shipped with the SDK (routes, JSON shapes, validation),
keeps endpoints in memory, moves them through their lifecycle by an injectable clock, and can
inject faults (429, 503, dropped connections) reproducibly.

>>> import friendli_dedicated as fd
>>> from friendli_dedicated.emulator import Emulator, ManualClock
>>> emu = Emulator(clock=ManualClock())
>>> with emu.client() as client:
...     ep = client.endpoints.create("proj", "chat", "org/model", fd.GPU.H100)
...     ep.wait_until_running(timeout=600).state.status.value
'RUNNING'

From a shell: ``python -m friendli_dedicated.emulator --port 8080`` (needs the ``emulator`` extra).
Models named ``emulator/fail-<ERROR_CODE>`` fail on purpose (see ``_lifecycle``).
"""

from __future__ import annotations

from friendli_dedicated.emulator._clock import Clock, ManualClock, SystemClock
from friendli_dedicated.emulator._core import DEFAULT_PROJECT, DEFAULT_TEAM, DEFAULT_TOKEN, Emulator
from friendli_dedicated.emulator._faults import FAULT_KINDS, Faults, Stats
from friendli_dedicated.emulator._http import Response
from friendli_dedicated.emulator._lifecycle import FAIL_PREFIX, Timings

__all__ = [
    "DEFAULT_PROJECT",
    "DEFAULT_TEAM",
    "DEFAULT_TOKEN",
    "FAIL_PREFIX",
    "FAULT_KINDS",
    "Clock",
    "Emulator",
    "Faults",
    "ManualClock",
    "Response",
    "Stats",
    "SystemClock",
    "Timings",
]
