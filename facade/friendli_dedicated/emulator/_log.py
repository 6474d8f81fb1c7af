"""The request log: what the emulator was asked, for assertions such as "create was sent once".

Each request the emulator receives becomes a ``LoggedRequest`` (method, path, query, the operation
it matched, its JSON body, the status answered and the time on the emulator's clock), kept in a
``RequestLog`` that holds the last N (``Emulator(request_log=N)``; None keeps all, 0 none).
Headers are not kept: the token never appears in the log.

The body is the one the emulator read: a request answered before its body is read (401, 404, a
fault, a rate limit) is logged with ``body=None``, in-process and over HTTP alike.

>>> log = RequestLog(2)
>>> for number in range(3):
...     log.append(LoggedRequest("GET", f"/p/{number}", (), None, None, None, 200, float(number)))
>>> [entry.path for entry in log.entries()]
['/p/1', '/p/2']
"""

from __future__ import annotations

import collections
import threading
from typing import Any

import attrs

from friendli_dedicated._validate import shown
from friendli_dedicated.emulator._checks import integer
from friendli_dedicated.emulator._faults import SEED_MAX
from friendli_dedicated.errors import InvalidInputError

__all__ = ["DEFAULT_REQUEST_LOG", "LoggedRequest", "RequestLog", "checked_limit"]

DEFAULT_REQUEST_LOG = 10_000
"""How many requests an emulator remembers unless told otherwise (a few MB at most)."""


@attrs.frozen
class LoggedRequest:
    """One request the emulator saw.

    - ``method``, ``path``, ``query``: as sent (``query`` as (name, value) pairs);
    - ``operation``: the contract's operationId its route matched, or None (no route matched);
    - ``facade_name``: the SDK's name of that operation (``create``, ``status``, ...), or None;
    - ``body``: the JSON body the emulator read, as parsed, or None (none, not JSON, or not read);
    - ``status``: the status answered, or None when the connection was dropped (a fault);
    - ``time``: when it arrived, in seconds on the emulator's clock.
    """

    method: str
    path: str
    query: tuple[tuple[str, str], ...]
    operation: str | None
    facade_name: str | None
    body: Any
    status: int | None
    time: float


def checked_limit(limit: Any) -> int | None:
    """``Emulator.request_log``: None (keep every request) or a whole number >= 0 (0: keep none)."""
    if limit is None:
        return None
    if isinstance(limit, bool) or not isinstance(limit, int):
        raise InvalidInputError(
            "Emulator.request_log", f"must be None (no bound) or a whole number >= 0, got {shown(limit)}"
        )
    return integer(limit, "Emulator.request_log", minimum=0, maximum=SEED_MAX)


class RequestLog:
    """The last ``limit`` requests (None: all of them; 0: none), oldest first. Thread-safe."""

    def __init__(self, limit: int | None) -> None:
        self.limit = limit
        self._entries: collections.deque[LoggedRequest] = collections.deque(maxlen=limit)
        self._lock = threading.Lock()

    @property
    def enabled(self) -> bool:
        """Whether requests are kept at all (so that a caller can skip building an entry)."""
        return self.limit != 0

    def append(self, entry: LoggedRequest) -> None:
        """Keep ``entry``, dropping the oldest one if the log is full."""
        if self.enabled:
            with self._lock:
                self._entries.append(entry)

    def entries(self) -> list[LoggedRequest]:
        """A snapshot of the kept requests, oldest first."""
        with self._lock:
            return list(self._entries)

    def __len__(self) -> int:
        with self._lock:
            return len(self._entries)
