"""Random faults, and the counters that let tests check what the emulator saw.

A real API rate-limits, has bad minutes and drops connections; clients must survive that without
doing anything twice. ``Faults`` makes a share of requests fail, chosen by a seeded random
generator so a failing test replays exactly. The fault is decided before the request is handled,
so a refused or dropped request never changes state (what a client may safely retry is then
exactly what the SDK's retry rules assume); one fault at one place is ``Emulator.inject``
(``_controls``). ``Stats`` counts requests, faults by kind and creates per (team, project, name),
so a test can assert that no endpoint was created twice.

>>> decider = FaultDecider(Faults(rate=1.0, kinds=("503",), seed=7))
>>> decider.decide()
'503'
"""

from __future__ import annotations

import random
import threading
from collections import Counter
from collections.abc import Iterable
from typing import TypeVar

import attrs

from friendli_dedicated._validate import shown
from friendli_dedicated.emulator._checks import duration, integer, number
from friendli_dedicated.errors import InvalidInputError

__all__ = ["FAULT_KINDS", "MAX_WAIT", "SEED_MAX", "SEED_MIN", "FaultDecider", "Faults", "Stats"]

FAULT_KINDS = ("429", "503", "drop")
"""429 (with Retry-After), 503, or a dropped connection (no response at all)."""


MAX_WAIT = 3600.0
"""The longest ``retry_after`` and ``latency`` (an hour): longer would only hang the tests that use them."""
SEED_MIN, SEED_MAX = -(2**63), 2**63 - 1
"""Seeds are 64-bit integers."""

_Key = TypeVar("_Key")


def _rate(_instance: object, _attribute: attrs.Attribute[float], value: float) -> None:
    number(value, "Faults.rate", minimum=0.0, maximum=1.0)


def _kinds(value: object) -> tuple[str, ...]:
    if isinstance(value, str | bytes) or not isinstance(value, Iterable):
        raise InvalidInputError("Faults.kinds", f"must be a non-empty tuple of {FAULT_KINDS}, got {shown(value)}")
    kinds = tuple(value)
    if not kinds or any(not isinstance(kind, str) or kind not in FAULT_KINDS for kind in kinds):
        raise InvalidInputError("Faults.kinds", f"must be a non-empty tuple of {FAULT_KINDS}, got {shown(kinds)}")
    return kinds


def _wait(_instance: object, attribute: attrs.Attribute[float], value: float) -> None:
    duration(value, f"Faults.{attribute.name}", maximum=MAX_WAIT)


def _seed(_instance: object, _attribute: attrs.Attribute[int], value: int) -> None:
    integer(value, "Faults.seed", minimum=SEED_MIN, maximum=SEED_MAX)


@attrs.frozen
class Faults:
    """Which share of requests fail, how, and with what seed.

    - ``rate``: the probability that a request is answered by a fault instead of the emulator;
    - ``kinds``: the faults to choose from (uniformly): "429", "503", "drop";
    - ``retry_after``: the Retry-After (seconds, at most an hour) sent with 429 and 503;
    - ``latency``: seconds (at most an hour) added to every response by the HTTP server (the
      in-process runner has no real time to add it to);
    - ``seed``: a 64-bit integer; the same seed and the same requests give the same faults.

    A bad value or a wrong type raises ``InvalidInputError`` naming the field (``Faults.rate``...).

    >>> Faults(rate=0.2, kinds=("429", "drop"), seed=1).kinds
    ('429', 'drop')
    """

    rate: float = attrs.field(default=0.2, validator=_rate)
    kinds: tuple[str, ...] = attrs.field(default=FAULT_KINDS, converter=_kinds)
    retry_after: float = attrs.field(default=0.05, validator=_wait)
    latency: float = attrs.field(default=0.0, validator=_wait)
    seed: int = attrs.field(default=1234, validator=_seed)


class FaultDecider:
    """The seeded sequence of fault decisions, one per request."""

    def __init__(self, faults: Faults | None) -> None:
        self.faults = faults
        self._random = random.Random(faults.seed if faults is not None else 0)  # noqa: S311 (not cryptography)

    def decide(self) -> str | None:
        """The fault for the next request, or None to handle it."""
        if self.faults is None or self.faults.rate == 0:
            return None
        if self._random.random() >= self.faults.rate:
            return None
        kinds = self.faults.kinds
        return kinds[self._random.randrange(len(kinds))]


@attrs.define
class Stats:
    """What the emulator saw: counters since it started (read them; the emulator counts with the
    ``count_*`` methods, which take the lock that keeps concurrent requests' counts exact).

    - ``requests``: every request received, faulted or not;
    - ``responses``: responses sent, by status code (dropped requests have none);
    - ``faults``: faults by kind ("429", "503", "drop"; an injected fault may also be another 5xx),
      random (``Faults``) and injected (``Emulator.inject``) alike;
    - ``rate_limited``: requests refused by the rate limit (``Emulator(rate_limit=...)``), also
      counted in ``responses[429]``;
    - ``creates``: endpoints created, by (team, project, name), from create and W&B create
      (a W&B rollout of an existing endpoint is counted in ``rollouts``).

    >>> Stats().duplicate_creates()
    {}
    """

    requests: int = 0
    responses: Counter[int] = attrs.field(factory=Counter)
    faults: Counter[str] = attrs.field(factory=Counter)
    creates: Counter[tuple[str, str, str]] = attrs.field(factory=Counter)
    rollouts: Counter[tuple[str, str, str]] = attrs.field(factory=Counter)
    rate_limited: int = 0
    _lock: threading.Lock = attrs.field(factory=threading.Lock, repr=False, eq=False)

    def count_request(self) -> None:
        """One more request received."""
        with self._lock:
            self.requests += 1

    def count_fault(self, kind: str) -> None:
        """One more request answered by a fault of ``kind``."""
        self._count(self.faults, kind)

    def count_rate_limited(self) -> None:
        """One more request refused by the rate limit."""
        with self._lock:
            self.rate_limited += 1

    def count_response(self, status: int) -> None:
        """One more response sent with ``status``."""
        self._count(self.responses, status)

    def count_create(self, key: tuple[str, str, str]) -> None:
        """One more endpoint created as (team, project, name)."""
        self._count(self.creates, key)

    def count_rollout(self, key: tuple[str, str, str]) -> None:
        """One more W&B rollout of the existing endpoint (team, project, name)."""
        self._count(self.rollouts, key)

    def _count(self, counter: Counter[_Key], key: _Key) -> None:
        with self._lock:
            counter[key] += 1

    def duplicate_creates(self) -> dict[tuple[str, str, str], int]:
        """The (team, project, name) keys created more than once, with their counts."""
        with self._lock:
            return {key: count for key, count in self.creates.items() if count > 1}
