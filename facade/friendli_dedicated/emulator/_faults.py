"""Faults on demand and the counters that let tests check what the emulator saw.

A real API rate-limits, has bad minutes and drops connections; clients must survive that without
doing anything twice. ``Faults`` makes a share of requests fail, chosen by a seeded random
generator so a failing test replays exactly. The fault is decided before the request is handled,
so a refused or dropped request never changes state (what a client may safely retry is then
exactly what the SDK's retry rules assume). ``Stats`` counts requests, faults by kind and creates
per (team, project, name), so a test can assert that no endpoint was created twice.

>>> decider = FaultDecider(Faults(rate=1.0, kinds=("503",), seed=7))
>>> decider.decide()
'503'
"""

from __future__ import annotations

import random
import threading
from collections import Counter

import attrs

from friendli_dedicated.errors import InvalidInputError

__all__ = ["FAULT_KINDS", "FaultDecider", "Faults", "Stats"]

FAULT_KINDS = ("429", "503", "drop")
"""429 (with Retry-After), 503, or a dropped connection (no response at all)."""


def _rate(_instance: object, _attribute: attrs.Attribute[float], value: float) -> None:
    if not isinstance(value, int | float) or isinstance(value, bool) or not 0.0 <= value <= 1.0:
        raise InvalidInputError("Faults.rate", f"must be a number in [0, 1], got {value!r}")


def _kinds(_instance: object, _attribute: attrs.Attribute[tuple[str, ...]], value: tuple[str, ...]) -> None:
    if not value or any(kind not in FAULT_KINDS for kind in value):
        raise InvalidInputError("Faults.kinds", f"must be a non-empty tuple of {FAULT_KINDS}, got {value!r}")


def _seconds(_instance: object, attribute: attrs.Attribute[float], value: float) -> None:
    if not isinstance(value, int | float) or isinstance(value, bool) or not value >= 0:
        raise InvalidInputError(f"Faults.{attribute.name}", f"must be a number of seconds >= 0, got {value!r}")


@attrs.frozen
class Faults:
    """Which share of requests fail, how, and with what seed.

    - ``rate``: the probability that a request is answered by a fault instead of the emulator;
    - ``kinds``: the faults to choose from (uniformly): "429", "503", "drop";
    - ``retry_after``: the Retry-After (seconds) sent with 429 and 503;
    - ``latency``: seconds added to every response by the HTTP server (the in-process runner
      has no real time to add it to);
    - ``seed``: the same seed and the same requests give the same faults.

    >>> Faults(rate=0.2, kinds=("429", "drop"), seed=1).kinds
    ('429', 'drop')
    """

    rate: float = attrs.field(default=0.2, validator=_rate)
    kinds: tuple[str, ...] = attrs.field(default=FAULT_KINDS, converter=tuple, validator=_kinds)
    retry_after: float = attrs.field(default=0.05, validator=_seconds)
    latency: float = attrs.field(default=0.0, validator=_seconds)
    seed: int = 1234


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
    """What the emulator saw (read it, do not change it): counters since it started.

    - ``requests``: every request received, faulted or not;
    - ``responses``: responses sent, by status code (dropped requests have none);
    - ``faults``: faults by kind ("429", "503", "drop");
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
    _lock: threading.Lock = attrs.field(factory=threading.Lock, repr=False, eq=False)

    def duplicate_creates(self) -> dict[tuple[str, str, str], int]:
        """The (team, project, name) keys created more than once, with their counts."""
        with self._lock:
            return {key: count for key, count in self.creates.items() if count > 1}
