"""How an endpoint scales, as one validated value instead of two optional request objects.

The contract offers two mutually exclusive ways to size an endpoint: ``simplescale`` (a fixed
number of replicas) and ``autoscalingPolicy`` (between a minimum and a maximum, with a cooldown).
``Autoscaling`` is either one, checked against the contract's bounds (read from the generated
``_contract.BOUNDS``, so a bound that moves upstream moves here by regeneration) when it is built,
so a bad value is refused with ``InvalidInputError`` before any request is sent, and billed GPUs are
never spent on a create the server would reject.

>>> Autoscaling.scale_to_zero(max_replicas=2).to_body()
{'autoscalingPolicy': {'minReplica': 0, 'maxReplica': 2, 'cooldownPeriod': 300}}
"""

from __future__ import annotations

import datetime as dt
import math
import operator
from typing import Any, ClassVar, SupportsIndex, cast

import attrs

from friendli_dedicated._validate import INT64_MAX, shown
from friendli_dedicated.errors import InvalidInputError
from friendli_dedicated_api import _contract
from friendli_dedicated_api.models import AutoscalingPolicy, EndpointSimplescaleConfig

__all__ = ["Autoscaling"]


def _bound(schema: str, prop: str, keyword: str) -> int | None:
    # None when the contract sets no such bound: then there is nothing to check, rather than a
    # guess of ours that the server does not share.
    value = _contract.BOUNDS.get((schema, prop), {}).get(keyword)
    if value is None:
        return None
    # An integer property's bound is integral; a fractional one (never seen) rounds inwards.
    return math.ceil(value) if keyword == "minimum" else math.floor(value)


_FIELD_MIN = "autoscaling.min_replicas"
_FIELD_MAX = "autoscaling.max_replicas"
_FIELD_COOLDOWN = "autoscaling.cooldown"
_FIELD_REPLICAS = "autoscaling.replicas"


def _integral(field: str, value: object, expected: str) -> int | None:
    """``value`` as an int when it is an integral number (numpy's included); None when it is no number.

    Not ``isinstance(value, SupportsIndex)``: that protocol check only asks for an ``__index__``
    attribute, which the class ``int`` itself has, so ``fixed(replicas=int)`` got past it and failed
    inside ``operator.index`` with a TypeError that named no parameter.
    """
    if isinstance(value, type):
        raise InvalidInputError(field, f"must be {expected}, got the type {value.__name__} itself, not a value")
    if not hasattr(type(value), "__index__"):
        return None
    try:
        return operator.index(cast(SupportsIndex, value))
    except TypeError:  # an __index__ that is broken, or returns something other than an int
        raise InvalidInputError(field, f"must be {expected}, got {type(value).__name__} {shown(value)}") from None


def _count(field: str, value: object) -> int:
    # operator.index takes any integral type (numpy's included) and refuses floats and strings;
    # bool is integral to Python but never a replica count.
    if isinstance(value, bool):
        raise InvalidInputError(field, f"must be an int, got bool {shown(value)}")
    count = _integral(field, value, "an int")
    if count is None:
        raise InvalidInputError(field, f"must be an int, got {type(value).__name__} {shown(value)}")
    if count > INT64_MAX:
        raise InvalidInputError(field, f"must be at most {INT64_MAX}, got {shown(count)}")
    return count


def _at_least(field: str, value: int, minimum: int | None, why: str) -> None:
    if minimum is not None and value < minimum:
        raise InvalidInputError(field, f"must be at least {minimum}{why}, got {shown(value)}")


def _seconds(value: object) -> int:
    field = _FIELD_COOLDOWN
    expected = "whole seconds (int, float or timedelta)"
    seconds: int | float
    if isinstance(value, bool):
        raise InvalidInputError(field, f"must be {expected}, got bool {shown(value)}")
    integral = _integral(field, value, expected)
    if integral is not None:
        seconds = integral
    elif isinstance(value, dt.timedelta):
        if value.microseconds:
            raise InvalidInputError(field, f"must be whole seconds, got {shown(value)}")
        # Not total_seconds(): that is a float, and loses whole seconds on very long spans.
        seconds = value.days * 86_400 + value.seconds
    elif isinstance(value, float):
        if not (math.isfinite(value) and value.is_integer()):
            raise InvalidInputError(field, f"must be whole seconds, got {shown(value)}")
        seconds = int(value)
    else:
        raise InvalidInputError(field, f"must be {expected}, got {type(value).__name__} {shown(value)}")
    if seconds < 0:
        raise InvalidInputError(field, f"must be at least 0 seconds, got {shown(value)}")
    if seconds > INT64_MAX:
        raise InvalidInputError(field, f"must be at most {INT64_MAX} seconds, got {shown(value)}")
    return int(seconds)


@attrs.frozen(init=False, repr=False)
class Autoscaling:
    """How an endpoint scales: an autoscaling policy, or (``Autoscaling.fixed``) a fixed count.

    ``Autoscaling(min_replicas, max_replicas, cooldown)`` maps to
    ``{"autoscalingPolicy": {"minReplica": min_replicas, "maxReplica": max_replicas,
    "cooldownPeriod": cooldown}}``; the defaults are the contract's (0, 1, 300). ``cooldown`` is
    whole seconds (an int, or a float or ``timedelta`` that is whole seconds) and is stored as int.

    >>> Autoscaling(min_replicas=1, max_replicas=4, cooldown=dt.timedelta(minutes=10)).to_body()
    {'autoscalingPolicy': {'minReplica': 1, 'maxReplica': 4, 'cooldownPeriod': 600}}
    """

    MIN_REPLICAS_MINIMUM: ClassVar[int | None] = _bound("AutoscalingPolicy", "minReplica", "minimum")
    """The contract's least ``minReplica`` (None if it sets none).

    >>> Autoscaling.MIN_REPLICAS_MINIMUM
    0
    """
    MAX_REPLICAS_MAXIMUM: ClassVar[int | None] = _bound("AutoscalingPolicy", "maxReplica", "maximum")
    """The contract's greatest ``maxReplica`` (None if it sets none).

    >>> Autoscaling.MAX_REPLICAS_MAXIMUM
    10
    """
    FIXED_REPLICAS_MINIMUM: ClassVar[int | None] = _bound("EndpointSimplescaleConfig", "replicas", "minimum")
    """The contract's least ``simplescale.replicas`` (None if it sets none).

    >>> Autoscaling.FIXED_REPLICAS_MINIMUM
    1
    """

    min_replicas: int
    """The fewest replicas; for ``fixed(n)``, n."""
    max_replicas: int
    """The most replicas; for ``fixed(n)``, n."""
    cooldown: int
    """Seconds to wait before scaling down; for ``fixed(n)``, 0 (nothing scales)."""
    replicas: int | None
    """The fixed count for ``fixed(n)``; None for an autoscaling policy."""

    def __init__(
        self, min_replicas: int = 0, max_replicas: int = 1, cooldown: int | float | dt.timedelta = 300
    ) -> None:
        ceiling = self.MAX_REPLICAS_MAXIMUM
        low = _count(_FIELD_MIN, min_replicas)
        _at_least(_FIELD_MIN, low, self.MIN_REPLICAS_MINIMUM, "")
        # No maximum could rescue a minimum above the contract's ceiling, so that one is the
        # minimum's fault; any other min > max is fixed by raising the maximum, and blamed on it.
        if ceiling is not None and low > ceiling:
            raise InvalidInputError(
                _FIELD_MIN, f"must be at most {ceiling} (the largest max_replicas), got {shown(low)}"
            )
        high = _count(_FIELD_MAX, max_replicas)
        # At least one replica must be possible, or the endpoint could never serve.
        _at_least(_FIELD_MAX, high, 1, "")
        if ceiling is not None and high > ceiling:
            raise InvalidInputError(_FIELD_MAX, f"must be at most {ceiling}, got {shown(high)}")
        if low > high:
            raise InvalidInputError(_FIELD_MAX, f"must be at least min_replicas ({low}), got {shown(high)}")
        self.__attrs_init__(low, high, _seconds(cooldown), None)

    @classmethod
    def fixed(cls, replicas: int) -> Autoscaling:
        """Exactly ``replicas`` replicas, no autoscaling: ``{"simplescale": {"replicas": replicas}}``.

        >>> Autoscaling.fixed(2).to_body()
        {'simplescale': {'replicas': 2}}
        """
        count = _count(_FIELD_REPLICAS, replicas)
        _at_least(_FIELD_REPLICAS, count, cls.FIXED_REPLICAS_MINIMUM, "")
        self = cls.__new__(cls)
        self.__attrs_init__(count, count, 0, count)
        return self

    @classmethod
    def scale_to_zero(cls, max_replicas: int = 1, cooldown: int | float | dt.timedelta = 300) -> Autoscaling:
        """Sleep when idle, wake on traffic: ``{"autoscalingPolicy": {"minReplica": 0, "maxReplica":
        max_replicas, "cooldownPeriod": cooldown}}``.

        >>> Autoscaling.scale_to_zero(max_replicas=3, cooldown=60).to_body()
        {'autoscalingPolicy': {'minReplica': 0, 'maxReplica': 3, 'cooldownPeriod': 60}}
        """
        return cls(min_replicas=0, max_replicas=max_replicas, cooldown=cooldown)

    @classmethod
    def always_on(
        cls, min_replicas: int = 1, max_replicas: int | None = None, cooldown: int | float | dt.timedelta = 300
    ) -> Autoscaling:
        """Never below ``min_replicas`` (at least 1): ``{"autoscalingPolicy": {"minReplica":
        min_replicas, "maxReplica": max_replicas, "cooldownPeriod": cooldown}}``, where a
        ``max_replicas`` of None means ``min_replicas``.

        >>> Autoscaling.always_on(2).to_body()
        {'autoscalingPolicy': {'minReplica': 2, 'maxReplica': 2, 'cooldownPeriod': 300}}
        """
        low = _count(_FIELD_MIN, min_replicas)
        _at_least(_FIELD_MIN, low, 1, " to stay on (scale_to_zero allows 0)")
        return cls(min_replicas=low, max_replicas=low if max_replicas is None else max_replicas, cooldown=cooldown)

    def to_body(self) -> dict[str, Any]:
        """The fragment to merge into a create or update body: exactly one of ``simplescale`` and
        ``autoscalingPolicy``, in the contract's field names.

        >>> Autoscaling().to_body()
        {'autoscalingPolicy': {'minReplica': 0, 'maxReplica': 1, 'cooldownPeriod': 300}}
        """
        if self.replicas is not None:
            return {"simplescale": {"replicas": self.replicas}}
        return {
            "autoscalingPolicy": {
                "minReplica": self.min_replicas,
                "maxReplica": self.max_replicas,
                "cooldownPeriod": self.cooldown,
            }
        }

    def to_models(self) -> tuple[EndpointSimplescaleConfig | None, AutoscalingPolicy | None]:
        """The same as generated models, ``(simplescale, autoscaling_policy)``, one of them None.

        >>> simplescale, policy = Autoscaling.fixed(3).to_models()
        >>> simplescale.replicas, policy
        (3, None)
        """
        if self.replicas is not None:
            return EndpointSimplescaleConfig(replicas=self.replicas), None
        policy = AutoscalingPolicy(
            min_replica=self.min_replicas, max_replica=self.max_replicas, cooldown_period=self.cooldown
        )
        return None, policy

    def __repr__(self) -> str:
        # The call that builds the same value, which is what a reader of a log wants to see.
        if self.replicas is not None:
            return f"Autoscaling.fixed({self.replicas})"
        return (
            f"Autoscaling(min_replicas={self.min_replicas}, max_replicas={self.max_replicas}, cooldown={self.cooldown})"
        )
