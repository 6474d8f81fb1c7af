"""The emulator's configuration refuses bad values and wrong types with ``InvalidInputError`` naming
the field, and nothing else: ``Emulator(...)``, ``Faults``, ``Timings``, ``ManualClock``,
``ManualClock.advance`` and ``Emulator.serve`` (examples, then hypothesis with random values)."""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any, TypeVar

import pytest
from hypothesis import given, settings, strategies as st

from friendli_dedicated.emulator import (
    DEFAULT_TOKEN,
    FAULT_KINDS,
    Emulator,
    Faults,
    ManualClock,
    Timings,
)
from friendli_dedicated.emulator._checks import MAX_TIME
from friendli_dedicated.errors import InvalidInputError

T = TypeVar("T")
BASE = "/dedicated/beta/endpoint"
SECRET = "flp_config-secret-5eed"
TIMING_FIELDS = [
    "requesting_virtual_machine",
    "downloading_model",
    "engine_initializing",
    "updating",
    "awaking",
    "terminating",
]


def attempt(call: Callable[[], T]) -> T | InvalidInputError:
    """What ``call`` returns, or the InvalidInputError it raises (anything else propagates: a failure)."""
    try:
        return call()
    except InvalidInputError as error:
        return error


def refused(call: Callable[[], object], field: str) -> InvalidInputError:
    with pytest.raises(InvalidInputError) as info:
        call()
    assert info.value.field == field, str(info.value)
    return info.value


@pytest.mark.parametrize(
    ("call", "field"),
    [
        (lambda: Faults(rate=float("nan")), "Faults.rate"),
        (lambda: Faults(rate=True), "Faults.rate"),
        (lambda: Faults(rate="0.5"), "Faults.rate"),
        (lambda: Faults(kinds=5), "Faults.kinds"),
        (lambda: Faults(kinds="429"), "Faults.kinds"),
        (lambda: Faults(kinds=[["429"]]), "Faults.kinds"),
        (lambda: Faults(kinds=()), "Faults.kinds"),
        (lambda: Faults(retry_after=float("inf")), "Faults.retry_after"),
        (lambda: Faults(retry_after=1e308), "Faults.retry_after"),
        (lambda: Faults(latency=-0.1), "Faults.latency"),
        (lambda: Faults(latency=7200), "Faults.latency"),
        (lambda: Faults(seed="1"), "Faults.seed"),
        (lambda: Faults(seed=2**64), "Faults.seed"),
        (lambda: Timings(updating=float("inf")), "Timings.updating"),
        (lambda: Timings(awaking=None), "Timings.awaking"),
        (lambda: ManualClock(float("nan")), "ManualClock.start"),
        (lambda: ManualClock(-1), "ManualClock.start"),
        (lambda: ManualClock(1e300), "ManualClock.start"),
        (lambda: ManualClock("0"), "ManualClock.start"),
        (lambda: ManualClock().advance(float("inf")), "ManualClock.advance.seconds"),
        (lambda: ManualClock().advance(10**400), "ManualClock.advance.seconds"),
        (lambda: ManualClock().advance(MAX_TIME), "ManualClock.advance.seconds"),
        (lambda: ManualClock().advance("1"), "ManualClock.advance.seconds"),
        (lambda: Emulator(time_scale=float("inf")), "Emulator.time_scale"),
        (lambda: Emulator(time_scale=-1), "Emulator.time_scale"),
        (lambda: Emulator(clock=5), "Emulator.clock"),
        (lambda: Emulator(clock=lambda: "now"), "Emulator.clock"),
        (lambda: Emulator(clock=lambda: float("nan")), "Emulator.clock"),
        (lambda: Emulator(clock=math.floor), "Emulator.clock"),
        (lambda: Emulator(timings={"updating": 1}), "Emulator.timings"),
        (lambda: Emulator(faults=0.2), "Emulator.faults"),
        (lambda: Emulator(tokens={}), "Emulator.tokens"),
        (lambda: Emulator(tokens=[("t", ["team"])]), "Emulator.tokens"),
        (lambda: Emulator(tokens={"t": "team"}), "Emulator.tokens[#1]"),
        (lambda: Emulator(tokens={"t": []}), "Emulator.tokens[#1]"),
        (lambda: Emulator(tokens={"t": ["team"], "u": [3]}), "Emulator.tokens[#2]"),
        (lambda: Emulator(tokens={"t": [" team"]}), "Emulator.tokens[#1]"),
        (lambda: Emulator(tokens={"t": ["x" * 1025]}), "Emulator.tokens[#1]"),
        (lambda: Emulator(tokens={"has space": ["team"]}), "Emulator.tokens[#1]"),
        (lambda: Emulator(tokens={"": ["team"]}), "Emulator.tokens[#1]"),
        (lambda: Emulator(tokens={7: ["team"]}), "Emulator.tokens[#1]"),
        (lambda: Emulator(expose_endpoint_id=1), "Emulator.expose_endpoint_id"),
        (lambda: Emulator(seed=10**5000), "Emulator.seed"),
        (lambda: Emulator(seed=1.5), "Emulator.seed"),
        (lambda: Emulator(seed=True), "Emulator.seed"),
        (lambda: Emulator(max_body_size=0), "Emulator.max_body_size"),
        (lambda: Emulator(max_body_size=1.5e6), "Emulator.max_body_size"),
        (lambda: Emulator().serve(host="example.invalid"), "Emulator.serve.host"),
        (lambda: Emulator().serve(host=""), "Emulator.serve.host"),
        (lambda: Emulator().serve(host=("127.0.0.1", 80)), "Emulator.serve.host"),
        (lambda: Emulator().serve(port=65536), "Emulator.serve.port"),
        (lambda: Emulator().serve(port=-1), "Emulator.serve.port"),
        (lambda: Emulator().serve(port="8080"), "Emulator.serve.port"),
        (lambda: Emulator().serve(port=True), "Emulator.serve.port"),
    ],
)
def test_bad_configuration_is_refused_naming_the_field(call: Callable[[], object], field: str) -> None:
    error = refused(call, field)
    assert isinstance(error, ValueError)
    assert len(str(error)) < 300  # a huge value is never copied whole into a message


def test_a_token_is_never_shown_in_an_error() -> None:
    for teams in ("team", [], [3], [" padded"]):
        error = refused(lambda teams=teams: Emulator(tokens={SECRET: teams}), "Emulator.tokens[#1]")
        assert SECRET not in str(error)
        assert SECRET not in repr(error.args)
    error = refused(lambda: Emulator(tokens={SECRET + " with a space": ["team"]}), "Emulator.tokens[#1]")
    assert SECRET not in str(error)


def test_good_configuration_is_kept() -> None:
    faults = Faults(rate=1, kinds=["429"], retry_after=2, latency=0, seed=-(2**63))
    assert (faults.rate, faults.kinds, faults.retry_after, faults.seed) == (1, ("429",), 2, -(2**63))
    clock = ManualClock(0)
    clock.advance(MAX_TIME)
    assert clock() == MAX_TIME
    emu = Emulator(clock=clock, tokens={"t": ("a", "b")}, seed=2**63 - 1, max_body_size=1, expose_endpoint_id=True)
    assert emu.max_body_size == 1
    assert emu.handle("GET", BASE, [], {"Authorization": "Bearer t", "X-Friendli-Team": "b"}, b"").status == 200
    assert Emulator().serve(host="::1", port=0) is not None  # bound only when entered
    assert Emulator().serve(host="localhost", port=65535) is not None


# -- random values: InvalidInputError or a working configuration, never anything else -----------------
ANYTHING = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.integers(min_value=0, max_value=5000).map(lambda exponent: 10**exponent),
    st.floats(),
    st.text(max_size=12),
    st.binary(max_size=8),
    st.lists(st.integers(), max_size=3),
    st.dictionaries(st.text(max_size=4), st.integers(), max_size=2),
    st.just(object()),
    st.just(float),
)
SECONDS = st.one_of(ANYTHING, st.floats(min_value=0, max_value=1e6), st.integers(min_value=0, max_value=10**6))


@settings(max_examples=200, deadline=None)
@given(
    rate=st.one_of(ANYTHING, st.floats(min_value=0, max_value=1)),
    kinds=st.one_of(ANYTHING, st.lists(st.sampled_from([*FAULT_KINDS, "500", ""]), max_size=4)),
    retry_after=SECONDS,
    latency=SECONDS,
    seed=st.one_of(ANYTHING, st.integers(min_value=-(2**63), max_value=2**63 - 1)),
)
def test_faults_refuse_or_keep_a_working_value(
    rate: Any, kinds: Any, retry_after: Any, latency: Any, seed: Any
) -> None:
    faults = attempt(lambda: Faults(rate=rate, kinds=kinds, retry_after=retry_after, latency=latency, seed=seed))
    if isinstance(faults, InvalidInputError):
        assert faults.field.startswith("Faults.")
        return
    assert 0 <= faults.rate <= 1
    assert faults.kinds
    assert set(faults.kinds) <= set(FAULT_KINDS)
    assert 0 <= faults.retry_after <= 3600
    assert 0 <= faults.latency <= 3600
    emu = Emulator(clock=ManualClock(), faults=faults)
    response = emu.handle("GET", BASE, [], {"Authorization": f"Bearer {DEFAULT_TOKEN}"}, b"")
    assert response.dropped or response.status in (200, 429, 503)
    if response.status in (429, 503):
        assert float(response.headers["retry-after"]) == pytest.approx(faults.retry_after, rel=1e-5)


@settings(max_examples=100, deadline=None)
@given(values=st.fixed_dictionaries({}, optional=dict.fromkeys(TIMING_FIELDS, SECONDS)))
def test_timings_refuse_or_keep_a_working_value(values: dict[str, Any]) -> None:
    timings = attempt(lambda: Timings(**values))
    if isinstance(timings, InvalidInputError):
        assert timings.field in {f"Timings.{name}" for name in TIMING_FIELDS}
        return
    for name in TIMING_FIELDS:
        assert math.isfinite(getattr(timings, name))
        assert getattr(timings, name) >= 0


@settings(max_examples=100, deadline=None)
@given(start=st.one_of(ANYTHING, st.floats(min_value=0, max_value=MAX_TIME)), step=SECONDS)
def test_manual_clock_refuses_or_keeps_a_working_value(start: Any, step: Any) -> None:
    clock = attempt(lambda: ManualClock(start))
    if isinstance(clock, InvalidInputError):
        assert clock.field == "ManualClock.start"
        return
    advanced = attempt(lambda: clock.advance(step))
    if isinstance(advanced, InvalidInputError):
        assert advanced.field == "ManualClock.advance.seconds"
        assert clock() == float(start)  # a refused step does not move the clock
        return
    assert clock() == float(start) + float(step) <= MAX_TIME


def _tokens() -> st.SearchStrategy[Any]:
    token = st.one_of(st.text(max_size=8), st.sampled_from(["t", "emulator-token", SECRET]), st.integers())
    team = st.one_of(st.text(max_size=8), st.sampled_from(["team-a", "b"]), st.integers(), st.none())
    teams = st.one_of(st.lists(team, max_size=3), st.tuples(team), team)
    return st.one_of(ANYTHING, st.dictionaries(token, teams, max_size=3))


def _clocks() -> st.SearchStrategy[Any]:
    returned = st.one_of(ANYTHING, st.floats(min_value=0, max_value=MAX_TIME))
    return st.one_of(ANYTHING, st.just(ManualClock()), returned.map(lambda value: lambda: value))


@settings(max_examples=300, deadline=None)
@given(
    arguments=st.fixed_dictionaries(
        {},
        optional={
            "clock": _clocks(),
            "timings": st.one_of(ANYTHING, st.just(Timings())),
            "time_scale": st.one_of(SECONDS, st.just(0.5)),
            "tokens": _tokens(),
            "faults": st.one_of(ANYTHING, st.just(Faults(rate=0.5))),
            "expose_endpoint_id": ANYTHING,
            "seed": st.one_of(ANYTHING, st.integers(min_value=-(2**63), max_value=2**63 - 1)),
            "max_body_size": st.one_of(ANYTHING, st.integers(min_value=1, max_value=10**7)),
        },
    )
)
def test_emulator_refuses_or_serves(arguments: dict[str, Any]) -> None:
    emu = attempt(lambda: Emulator(**arguments))
    if isinstance(emu, InvalidInputError):
        assert emu.field.startswith("Emulator."), emu.field
        assert SECRET not in str(emu)
        return
    tokens = arguments.get("tokens") or {DEFAULT_TOKEN: ["any"]}
    token = next(iter(tokens))
    response = emu.handle("GET", BASE, [], {"Authorization": f"Bearer {token}"}, b"")
    assert response.dropped or response.status in (200, 429, 503)


@settings(max_examples=200, deadline=None)
@given(
    host=st.one_of(ANYTHING, st.sampled_from(["127.0.0.1", "::1", "0.0.0.0", "localhost", "127.0.0.1 "])),
    port=st.one_of(ANYTHING, st.integers(min_value=0, max_value=65535)),
)
def test_serve_refuses_or_returns_a_context_manager(host: Any, port: Any) -> None:
    serving = attempt(lambda: Emulator().serve(host=host, port=port))
    if isinstance(serving, InvalidInputError):
        assert serving.field in ("Emulator.serve.host", "Emulator.serve.port")
        return
    assert isinstance(port, int)
    assert not isinstance(port, bool)
    assert 0 <= port <= 65535
    assert hasattr(serving, "__enter__")
