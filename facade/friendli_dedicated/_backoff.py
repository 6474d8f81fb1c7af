"""Exponential backoff with jitter, as an immutable value shared by retries and polling.

>>> Backoff(initial=1.0, multiplier=2.0, maximum=8.0, jitter=0.0).delay(3, random=lambda: 0.5)
8.0
"""

from __future__ import annotations

import random as _random
from collections.abc import Callable

import attrs

from friendli_dedicated._validate import is_finite_number, shown
from friendli_dedicated.errors import InvalidInputError


def _positive(name: str) -> Callable[[object, attrs.Attribute[float], float], None]:
    def check(_instance: object, _attribute: attrs.Attribute[float], value: float) -> None:
        if not is_finite_number(value) or value <= 0:
            raise InvalidInputError(name, f"must be a finite number > 0, got {shown(value)}")

    return check


@attrs.frozen
class Backoff:
    """Delay before attempt ``n`` (0-based): ``min(maximum, initial * multiplier**n)``, less up to
    ``jitter`` of it at random (``jitter=1.0`` is "full jitter", ``0.0`` none).

    Jitter spreads many clients apart (a thousand waiters must not poll in lockstep); it only ever
    shortens a delay, so ``maximum`` is a true cap.
    """

    initial: float = attrs.field(default=1.0, validator=_positive("initial"))
    multiplier: float = attrs.field(default=1.5)
    maximum: float = attrs.field(default=10.0, validator=_positive("maximum"))
    jitter: float = attrs.field(default=0.1)

    @multiplier.validator
    def _check_multiplier(self, _attribute: attrs.Attribute[float], value: float) -> None:
        if not is_finite_number(value) or value < 1:
            raise InvalidInputError("multiplier", f"must be a finite number >= 1, got {shown(value)}")

    @jitter.validator
    def _check_jitter(self, _attribute: attrs.Attribute[float], value: float) -> None:
        if not is_finite_number(value) or not 0 <= value <= 1:
            raise InvalidInputError("jitter", f"must be a number from 0 to 1, got {shown(value)}")

    def __attrs_post_init__(self) -> None:
        if self.maximum < self.initial:
            raise InvalidInputError("maximum", f"must be >= initial ({self.initial}), got {self.maximum}")

    def base(self, attempt: int) -> float:
        """The delay before attempt ``attempt`` without jitter."""
        # Cap the exponent: multiplier**attempt overflows long before anyone waits that long.
        exponent = min(attempt, 1000)
        try:
            grown = self.initial * self.multiplier**exponent
        except OverflowError:
            return self.maximum
        return min(self.maximum, grown)

    def delay(self, attempt: int, *, random: Callable[[], float] = _random.random) -> float:
        """The delay before attempt ``attempt``, jittered; ``random`` returns a float in [0, 1)."""
        base = self.base(attempt)
        return base * (1.0 - self.jitter * random())
