"""Autoscaling: each preset's exact request fragment, and refusal of every bad input before sending."""

from __future__ import annotations

import datetime as dt
import math

import attrs
import pytest
from hypothesis import given, strategies as st

from friendli_dedicated._autoscaling import Autoscaling
from friendli_dedicated.errors import InvalidInputError
from friendli_dedicated_api.models import AutoscalingPolicy, EndpointSimplescaleConfig

MIN = "autoscaling.min_replicas"
MAX = "autoscaling.max_replicas"
COOLDOWN = "autoscaling.cooldown"
REPLICAS = "autoscaling.replicas"


def policy(minimum: int, maximum: int, cooldown: int) -> dict[str, object]:
    return {"autoscalingPolicy": {"minReplica": minimum, "maxReplica": maximum, "cooldownPeriod": cooldown}}


@pytest.mark.parametrize(
    ("value", "body"),
    [
        (Autoscaling(), policy(0, 1, 300)),
        (Autoscaling(min_replicas=2, max_replicas=5, cooldown=60), policy(2, 5, 60)),
        (Autoscaling(1, 10, 0), policy(1, 10, 0)),
        (Autoscaling.fixed(1), {"simplescale": {"replicas": 1}}),
        (Autoscaling.fixed(3), {"simplescale": {"replicas": 3}}),
        (Autoscaling.scale_to_zero(), policy(0, 1, 300)),
        (Autoscaling.scale_to_zero(max_replicas=4, cooldown=30), policy(0, 4, 30)),
        (Autoscaling.always_on(), policy(1, 1, 300)),
        (Autoscaling.always_on(2), policy(2, 2, 300)),
        (Autoscaling.always_on(2, 6, cooldown=120), policy(2, 6, 120)),
        (Autoscaling.always_on(min_replicas=3, max_replicas=3), policy(3, 3, 300)),
    ],
    ids=repr,
)
def test_presets_make_exactly_this_body(value: Autoscaling, body: dict[str, object]) -> None:
    assert value.to_body() == body


def test_to_body_returns_a_fresh_dict_each_time() -> None:
    value = Autoscaling()
    value.to_body()["autoscalingPolicy"]["minReplica"] = 9
    assert value.to_body() == policy(0, 1, 300)


def test_to_models_for_a_policy() -> None:
    simplescale, model = Autoscaling(1, 4, 45).to_models()
    assert simplescale is None
    assert isinstance(model, AutoscalingPolicy)
    assert (model.min_replica, model.max_replica, model.cooldown_period) == (1, 4, 45)
    assert model.to_dict() == Autoscaling(1, 4, 45).to_body()["autoscalingPolicy"]


def test_to_models_for_fixed() -> None:
    simplescale, model = Autoscaling.fixed(2).to_models()
    assert model is None
    assert isinstance(simplescale, EndpointSimplescaleConfig)
    assert simplescale.to_dict() == {"replicas": 2}


def test_fixed_is_not_the_same_as_a_policy_with_equal_bounds() -> None:
    assert Autoscaling.fixed(3) != Autoscaling(3, 3, 0)
    assert Autoscaling.fixed(3).replicas == 3
    assert Autoscaling(3, 3, 0).replicas is None
    assert Autoscaling.fixed(3) == Autoscaling.fixed(3)
    assert hash(Autoscaling.fixed(3)) == hash(Autoscaling.fixed(3))


def test_repr_is_the_call_that_builds_it() -> None:
    assert repr(Autoscaling.fixed(3)) == "Autoscaling.fixed(3)"
    assert repr(Autoscaling.always_on(2)) == "Autoscaling(min_replicas=2, max_replicas=2, cooldown=300)"
    assert eval(repr(Autoscaling(1, 4, 60)), {"Autoscaling": Autoscaling}) == Autoscaling(1, 4, 60)


def test_is_immutable() -> None:
    value = Autoscaling()
    with pytest.raises(attrs.exceptions.FrozenInstanceError):
        value.max_replicas = 5  # type: ignore[misc]


@pytest.mark.parametrize(
    ("cooldown", "stored"),
    [
        (0, 0),
        (300, 300),
        (60.0, 60),
        (-0.0, 0),
        (dt.timedelta(minutes=5), 300),
        (dt.timedelta(days=2, seconds=1), 172_801),
        (dt.timedelta(0), 0),
    ],
)
def test_cooldown_is_stored_as_whole_seconds(cooldown: float | dt.timedelta, stored: int) -> None:
    value = Autoscaling(cooldown=cooldown)
    assert value.cooldown == stored
    assert type(value.cooldown) is int
    assert value.to_body()["autoscalingPolicy"]["cooldownPeriod"] == stored


def test_bounds_come_from_the_contract() -> None:
    assert (Autoscaling.MIN_REPLICAS_MINIMUM, Autoscaling.MAX_REPLICAS_MAXIMUM) == (0, 10)
    assert Autoscaling.FIXED_REPLICAS_MINIMUM == 1


@pytest.mark.parametrize(
    ("build", "field", "says"),
    [
        (lambda: Autoscaling(min_replicas=-1), MIN, "at least 0"),
        (lambda: Autoscaling(min_replicas=11, max_replicas=10), MIN, "at most 10"),
        (lambda: Autoscaling(min_replicas=3), MAX, "at least min_replicas (3), got 1"),
        (lambda: Autoscaling(min_replicas=5, max_replicas=4), MAX, "at least min_replicas (5)"),
        (lambda: Autoscaling(max_replicas=0), MAX, "at least 1"),
        (lambda: Autoscaling(max_replicas=11), MAX, "at most 10, got 11"),
        (lambda: Autoscaling(cooldown=-1), COOLDOWN, "at least 0"),
        (lambda: Autoscaling(cooldown=1.5), COOLDOWN, "whole seconds"),
        (lambda: Autoscaling(cooldown=dt.timedelta(seconds=1, milliseconds=1)), COOLDOWN, "whole seconds"),
        (lambda: Autoscaling(cooldown=dt.timedelta(seconds=-1)), COOLDOWN, "at least 0"),
        (lambda: Autoscaling.fixed(0), REPLICAS, "at least 1"),
        (lambda: Autoscaling.fixed(True), REPLICAS, "bool"),
        (lambda: Autoscaling.fixed(2.0), REPLICAS, "must be an int"),  # type: ignore[arg-type]
        (lambda: Autoscaling.scale_to_zero(max_replicas=0), MAX, "at least 1"),
        (lambda: Autoscaling.scale_to_zero(max_replicas=11), MAX, "at most 10"),
        (lambda: Autoscaling.scale_to_zero(cooldown="5m"), COOLDOWN, "str"),  # type: ignore[arg-type]
        (lambda: Autoscaling.always_on(0), MIN, "at least 1"),
        (lambda: Autoscaling.always_on(None), MIN, "must be an int"),  # type: ignore[arg-type]
        (lambda: Autoscaling.always_on(3, 2), MAX, "at least min_replicas (3)"),
        (lambda: Autoscaling.always_on(11), MIN, "at most 10"),
    ],
)
def test_refusals_name_the_field(build: object, field: str, says: str) -> None:
    with pytest.raises(InvalidInputError) as caught:
        build()  # type: ignore[operator]
    assert caught.value.field == field
    assert says in caught.value.message
    assert isinstance(caught.value, ValueError)


@pytest.mark.parametrize(
    ("build", "field"),
    [
        (lambda: Autoscaling.fixed(replicas=int), REPLICAS),
        (lambda: Autoscaling(min_replicas=int), MIN),
        (lambda: Autoscaling(max_replicas=int), MAX),
        (lambda: Autoscaling(cooldown=int), COOLDOWN),
        (lambda: Autoscaling(cooldown=dt.timedelta), COOLDOWN),
        (lambda: Autoscaling.scale_to_zero(max_replicas=int), MAX),
        (lambda: Autoscaling.always_on(min_replicas=int), MIN),
        (lambda: Autoscaling.always_on(max_replicas=bool), MAX),
    ],
)
def test_a_type_where_a_value_belongs_is_refused_naming_the_field(build: object, field: str) -> None:
    # Found by a hostile review: `Autoscaling.fixed(replicas=int)` raised "TypeError: 'type' object
    # cannot be interpreted as an integer", which names no parameter.
    with pytest.raises(InvalidInputError) as caught:
        build()  # type: ignore[operator]
    assert caught.value.field == field
    assert "itself, not a value" in caught.value.message


class _BrokenIndex:
    """Says it is integral, then fails to be: operator.index raises TypeError."""

    def __index__(self) -> int:
        return "3"  # type: ignore[return-value]


# Types and callables where a value belongs: the class ``int`` has an ``__index__`` attribute too.
TYPES_AND_CALLABLES = st.sampled_from(
    [int, float, bool, str, dt.timedelta, Autoscaling, len, lambda: 1, _BrokenIndex, _BrokenIndex()]
)
BAD_TYPES = st.one_of(
    st.booleans(),
    st.floats(),
    st.text(),
    st.none(),
    st.just(dt.timedelta(seconds=1)),
    st.lists(st.integers(), max_size=2),
    TYPES_AND_CALLABLES,
)
NON_WHOLE = st.floats().filter(lambda f: not (math.isfinite(f) and f.is_integer()))


@given(st.one_of(st.integers(max_value=-1), st.integers(min_value=11), BAD_TYPES))
def test_any_bad_min_replicas_is_refused_as_min(value: object) -> None:
    with pytest.raises(InvalidInputError) as caught:
        Autoscaling(min_replicas=value, max_replicas=10)  # type: ignore[arg-type]
    assert caught.value.field == MIN


@given(st.one_of(st.integers(max_value=0), st.integers(min_value=11), BAD_TYPES))
def test_any_bad_max_replicas_is_refused_as_max(value: object) -> None:
    with pytest.raises(InvalidInputError) as caught:
        Autoscaling(min_replicas=0, max_replicas=value)  # type: ignore[arg-type]
    assert caught.value.field == MAX
    with pytest.raises(InvalidInputError) as caught:
        Autoscaling.scale_to_zero(max_replicas=value)  # type: ignore[arg-type]
    assert caught.value.field == MAX


@given(st.integers(min_value=1, max_value=10), st.integers(min_value=1, max_value=10))
def test_max_below_min_is_refused_as_max(low: int, high: int) -> None:
    if high >= low:
        assert Autoscaling.always_on(low, high).to_body() == policy(low, high, 300)
    else:
        with pytest.raises(InvalidInputError) as caught:
            Autoscaling(low, high)
        assert caught.value.field == MAX


@given(
    st.one_of(
        st.integers(max_value=-1),
        NON_WHOLE,
        st.floats(max_value=-1).filter(math.isfinite),
        st.booleans(),
        st.text(),
        st.none(),
        st.timedeltas(max_value=dt.timedelta(microseconds=-1)),
        st.timedeltas().filter(lambda td: td.microseconds != 0),
        st.lists(st.integers(), max_size=2),
        TYPES_AND_CALLABLES,
    )
)
def test_any_bad_cooldown_is_refused_as_cooldown(value: object) -> None:
    with pytest.raises(InvalidInputError) as caught:
        Autoscaling(cooldown=value)  # type: ignore[arg-type]
    assert caught.value.field == COOLDOWN
    with pytest.raises(InvalidInputError) as caught:
        Autoscaling.always_on(cooldown=value)  # type: ignore[arg-type]
    assert caught.value.field == COOLDOWN


@given(st.one_of(st.integers(max_value=0), BAD_TYPES))
def test_any_bad_fixed_replicas_is_refused_as_replicas(value: object) -> None:
    with pytest.raises(InvalidInputError) as caught:
        Autoscaling.fixed(value)  # type: ignore[arg-type]
    assert caught.value.field == REPLICAS


@given(st.one_of(st.integers(max_value=0), BAD_TYPES))
def test_any_bad_always_on_minimum_is_refused_as_min(value: object) -> None:
    with pytest.raises(InvalidInputError) as caught:
        Autoscaling.always_on(value)  # type: ignore[arg-type]
    assert caught.value.field == MIN


@st.composite
def valid_policies(draw: st.DrawFn) -> tuple[int, int, int | float | dt.timedelta, int]:
    low = draw(st.integers(min_value=0, max_value=10))
    high = draw(st.integers(min_value=max(low, 1), max_value=10))
    seconds = draw(st.integers(min_value=0, max_value=10**7))
    forms: list[int | float | dt.timedelta] = [seconds, float(seconds), dt.timedelta(seconds=seconds)]
    cooldown = draw(st.sampled_from(forms))
    return low, high, cooldown, seconds


@given(valid_policies())
def test_any_valid_policy_is_accepted(case: tuple[int, int, int | float | dt.timedelta, int]) -> None:
    low, high, cooldown, seconds = case
    value = Autoscaling(low, high, cooldown)
    assert value.to_body() == policy(low, high, seconds)
    assert (value.min_replicas, value.max_replicas, value.cooldown, value.replicas) == (low, high, seconds, None)


@given(st.integers(min_value=1, max_value=10**6))
def test_any_valid_fixed_count_is_accepted(replicas: int) -> None:
    assert Autoscaling.fixed(replicas).to_body() == {"simplescale": {"replicas": replicas}}


@given(st.integers(min_value=1, max_value=10))
def test_scale_to_zero_accepts_every_valid_maximum(high: int) -> None:
    assert Autoscaling.scale_to_zero(high).to_body() == policy(0, high, 300)
