"""Tests for waiting until an endpoint serves: the status table, the poll policy, the deadline,
transient failures, waking, progress reports, and the async client's driving of it (including
cancellation).

Time is a fake monotonic clock that only the fake sleep (and, where a test says so, a slow fetch)
moves, so nothing really sleeps and every assertion is about decisions, not wall-clock timing. The
wait is one flow (``_waiter.wait_flow``) that both clients drive; ``wait_until_running`` and
``async_wait_until_running`` below drive it on a real client whose requests are answered by
``fetch`` (the status) and ``wake`` instead of the network.
"""

from __future__ import annotations

import asyncio
import doctest
import logging
import math
import random as _random
from collections.abc import Awaitable, Callable
from typing import Any

import anyio
import pytest
from hypothesis import given, settings, strategies as st

import friendli_dedicated as fd
from friendli_dedicated import _waiter
from friendli_dedicated._backoff import Backoff
from friendli_dedicated._hints import GENERIC_HINT, hint_for
from friendli_dedicated._models import DeploymentPhase, EndpointState, ErrorCode, Status
from friendli_dedicated._waiter import (
    ACCEPTORS,
    DEFAULT_POLL,
    FIRST_POLL_SECONDS,
    Outcome,
    classify,
)
from friendli_dedicated.errors import (
    ConflictError,
    EndpointFailedError,
    EndpointStoppedError,
    InvalidInputError,
    NotFoundError,
    RateLimitError,
    ServerError,
    TransportError,
    WaitTimeoutError,
)

EP = "ep-7f3a"
NO_JITTER = Backoff(initial=1.0, multiplier=1.5, maximum=10.0, jitter=0.0)
LOGGER = "friendli_dedicated.waiter"


def wait_until_running(
    endpoint_id: str,
    *,
    fetch: Callable[[float], EndpointState],
    wake: Callable[[float], object] | None = None,
    clock: Callable[[], float],
    sleep: Callable[[float], None],
    random: Callable[[], float] = _random.random,
    **options: Any,
) -> EndpointState:
    """``client.endpoints.wait_until_running`` on a ``Client`` whose status and wake calls are
    ``fetch(deadline)`` and ``wake(deadline)``."""

    def send(call: Any, *, deadline: float | None = None) -> Any:
        assert deadline is not None  # every request of a wait is given its deadline
        return (wake if call.label.endswith("/wake") else fetch)(deadline)  # type: ignore[misc]

    with fd.Client(token="waiter-token", clock=clock, sleep=sleep, random=random) as client:
        client._send = send  # type: ignore[method-assign]
        return client.endpoints.wait_until_running(endpoint_id, wake=wake is not None, **options)


async def async_wait_until_running(
    endpoint_id: str,
    *,
    fetch: Callable[[float], Awaitable[EndpointState]],
    wake: Callable[[float], Awaitable[object]] | None = None,
    clock: Callable[[], float],
    sleep: Callable[[float], Awaitable[None]],
    random: Callable[[], float] = _random.random,
    **options: Any,
) -> EndpointState:
    """The same on an ``AsyncClient``."""

    async def send(call: Any, *, deadline: float | None = None) -> Any:
        assert deadline is not None
        return await (wake if call.label.endswith("/wake") else fetch)(deadline)  # type: ignore[misc]

    async with fd.AsyncClient(token="waiter-token", clock=clock, sleep=sleep, random=random) as client:
        client._send = send  # type: ignore[method-assign]
        return await client.endpoints.wait_until_running(endpoint_id, wake=wake is not None, **options)


def state(status: str, phase: str | None = None, code: str | None = None) -> EndpointState:
    return EndpointState(
        status=Status(status),
        phase=DeploymentPhase(phase) if phase is not None else None,
        error_code=ErrorCode(code) if code is not None else None,
    )


class FakeTime:
    """A monotonic clock moved only by ``sleep`` (or ``advance``); records every sleep."""

    def __init__(self, start: float = 5000.0) -> None:
        self.now = start
        self.sleeps: list[float] = []

    def clock(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds

    def sleep(self, seconds: float) -> None:
        assert seconds >= 0
        self.sleeps.append(seconds)
        self.now += seconds

    async def async_sleep(self, seconds: float) -> None:
        self.sleep(seconds)
        await anyio.lowlevel.checkpoint()


class Script:
    """A fetch that returns (or raises) the scripted items in order, then repeats the last one."""

    def __init__(self, time: FakeTime, *items: EndpointState | Exception, latency: float = 0.0) -> None:
        assert items
        self.time = time
        self.items = items
        self.latency = latency
        self.calls = 0
        self.started_at: list[float] = []
        self.deadlines: list[float] = []
        self.returned: list[EndpointState] = []

    def __call__(self, deadline: float) -> EndpointState:
        self.started_at.append(self.time.now)
        self.deadlines.append(deadline)
        item = self.items[min(self.calls, len(self.items) - 1)]
        self.calls += 1
        self.time.advance(self.latency)
        if isinstance(item, Exception):
            raise item
        self.returned.append(item)
        return item

    async def async_call(self, deadline: float) -> EndpointState:
        await anyio.lowlevel.checkpoint()
        return self(deadline)


class Recorder:
    """A callable that records its calls (wake, on_progress)."""

    def __init__(self, *errors: Exception) -> None:
        self.calls: list[tuple[object, ...]] = []
        self.errors = list(errors)

    def __call__(self, *args: object) -> None:
        self.calls.append(args)
        if self.errors:
            raise self.errors.pop(0)

    async def async_call(self, *args: object) -> None:
        self(*args)


def run(time: FakeTime, fetch: Callable[[float], EndpointState], **kwargs: object) -> EndpointState:
    options: dict[str, object] = {"poll": NO_JITTER, "random": lambda: 0.0, "timeout": 1800.0}
    options.update(kwargs)
    return wait_until_running(EP, fetch=fetch, clock=time.clock, sleep=time.sleep, **options)  # type: ignore[arg-type]


# --- the status table ------------------------------------------------------------------------------


def test_table_gives_every_listed_status_exactly_one_row() -> None:
    rows = [acceptor.statuses for acceptor in ACCEPTORS]
    assert sum(len(r) for r in rows) == len(set().union(*rows))
    assert set().union(*rows) == set(Status)


@pytest.mark.parametrize(
    ("status", "outcome"),
    [
        (Status.RUNNING, Outcome.SUCCESS),
        (Status.READY, Outcome.SUCCESS),
        (Status.FAILED, Outcome.FAILURE),
        (Status.TERMINATING, Outcome.STOPPED),
        (Status.TERMINATED, Outcome.STOPPED),
        (Status.STOPPING, Outcome.STOPPED),
        (Status.SLEEPING, Outcome.SLEEPING),
        (Status.INITIALIZING, Outcome.KEEP_WAITING),
        (Status.UPDATING, Outcome.KEEP_WAITING),
        (Status.AWAKING, Outcome.KEEP_WAITING),
        (Status.UNKNOWN, Outcome.KEEP_WAITING),
        (Status("SCALING"), Outcome.KEEP_WAITING),
    ],
)
def test_classify(status: Status, outcome: Outcome) -> None:
    assert classify(status) is outcome


# --- success and progress --------------------------------------------------------------------------


def test_success_through_phases_reports_progress_exactly_on_changes(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO, logger=LOGGER)
    time = FakeTime(start=100.0)
    running = state("RUNNING")
    fetch = Script(
        time,
        state("INITIALIZING", "REQUESTING_VIRTUAL_MACHINE"),
        state("INITIALIZING", "REQUESTING_VIRTUAL_MACHINE"),
        state("INITIALIZING", "DOWNLOADING_MODEL"),
        state("INITIALIZING", "DOWNLOADING_MODEL"),
        state("INITIALIZING", "DOWNLOADING_MODEL"),
        state("INITIALIZING", "ENGINE_INITIALIZING"),
        running,
    )
    progress = Recorder()

    result = run(time, fetch, on_progress=progress)

    assert result is running
    assert fetch.calls == 7
    assert time.sleeps == [1.0, 1.5, 2.25, 3.375, 5.0625, 7.59375]
    seen = [(s.status, s.phase) for s, _ in progress.calls]  # type: ignore[attr-defined]
    assert seen == [
        (Status.INITIALIZING, DeploymentPhase.REQUESTING_VIRTUAL_MACHINE),
        (Status.INITIALIZING, DeploymentPhase.DOWNLOADING_MODEL),
        (Status.INITIALIZING, DeploymentPhase.ENGINE_INITIALIZING),
        (Status.RUNNING, None),
    ]
    # Elapsed is measured on the injected clock from the start of the wait.
    assert [elapsed for _, elapsed in progress.calls] == [0.0, 2.5, 13.1875, 20.78125]
    info = [r for r in caplog.records if r.name == LOGGER and r.levelno == logging.INFO]
    assert len(info) == 4
    assert all(EP in r.getMessage() for r in info)
    assert "DOWNLOADING_MODEL" in info[1].getMessage()


def test_ready_counts_as_serving() -> None:
    time = FakeTime()
    fetch = Script(time, state("UPDATING"), state("READY"))
    assert run(time, fetch).status is Status.READY
    assert fetch.calls == 2


def test_already_running_returns_without_sleeping() -> None:
    time = FakeTime()
    fetch = Script(time, state("RUNNING"))
    assert run(time, fetch).status is Status.RUNNING
    assert time.sleeps == []


# --- failure and stop ------------------------------------------------------------------------------


@pytest.mark.parametrize("code", list(ErrorCode))
def test_failed_carries_code_phase_and_the_specific_hint(code: ErrorCode) -> None:
    time = FakeTime()
    failed = state("FAILED", "DOWNLOADING_MODEL", code.value)
    fetch = Script(time, state("INITIALIZING", "DOWNLOADING_MODEL"), failed)

    with pytest.raises(EndpointFailedError) as caught:
        run(time, fetch)

    err = caught.value
    assert err.endpoint_id == EP
    assert err.state is failed
    assert err.error_code == code.value
    assert type(err.error_code) is str
    assert err.phase == "DOWNLOADING_MODEL"
    assert type(err.phase) is str
    assert err.hint == hint_for(code) != GENERIC_HINT
    message = str(err)
    assert "\n" not in message
    for part in (EP, code.value, "DOWNLOADING_MODEL", err.hint):
        assert part in message
    assert time.sleeps == [1.0]  # stopped at once, not after waiting out the timeout


@pytest.mark.parametrize("code", [None, "SOME_NEW_ERROR"])
def test_failed_without_a_listed_code_gets_the_generic_hint(code: str | None) -> None:
    time = FakeTime()
    with pytest.raises(EndpointFailedError) as caught:
        run(time, Script(time, state("FAILED", code=code)))
    assert caught.value.error_code == code
    assert caught.value.phase is None
    assert caught.value.hint == GENERIC_HINT
    assert GENERIC_HINT in str(caught.value)


@pytest.mark.parametrize("status", ["TERMINATING", "TERMINATED", "STOPPING"])
def test_stopped_statuses_raise_at_once(status: str) -> None:
    time = FakeTime()
    stopped = state(status)
    fetch = Script(time, state("UPDATING"), stopped, state("RUNNING"))

    with pytest.raises(EndpointStoppedError) as caught:
        run(time, fetch)

    assert not isinstance(caught.value, EndpointFailedError)
    assert caught.value.state is stopped
    assert status in str(caught.value)
    assert EP in str(caught.value)
    assert fetch.calls == 2


# --- sleeping and waking ---------------------------------------------------------------------------


def test_sleeping_without_wake_raises_at_once_suggesting_wake() -> None:
    time = FakeTime()
    fetch = Script(time, state("SLEEPING"), state("RUNNING"))

    with pytest.raises(EndpointStoppedError) as caught:
        run(time, fetch)

    assert "wake=True" in str(caught.value)
    assert caught.value.state is not None
    assert caught.value.state.status is Status.SLEEPING
    assert time.sleeps == []
    assert fetch.calls == 1


def test_sleeping_with_wake_wakes_exactly_once_then_serves() -> None:
    time = FakeTime()
    fetch = Script(time, state("SLEEPING"), state("SLEEPING"), state("SLEEPING"), state("AWAKING"), state("RUNNING"))
    wake = Recorder()

    assert run(time, fetch, wake=wake).status is Status.RUNNING
    assert len(wake.calls) == 1
    assert fetch.calls == 5


def test_wakes_again_only_after_the_endpoint_fell_asleep_again() -> None:
    time = FakeTime()
    fetch = Script(time, state("SLEEPING"), state("AWAKING"), state("SLEEPING"), state("SLEEPING"), state("RUNNING"))
    wake = Recorder()

    run(time, fetch, wake=wake)

    assert len(wake.calls) == 2


def test_a_transient_wake_failure_is_retried_and_others_propagate() -> None:
    time = FakeTime()
    wake = Recorder(TransportError("connection reset"))
    run(time, Script(time, state("SLEEPING"), state("SLEEPING"), state("RUNNING")), wake=wake)
    assert len(wake.calls) == 2  # the failed call does not count as having woken it

    time = FakeTime()
    refusing = Recorder(ConflictError("409 Conflict", status_code=409))
    with pytest.raises(ConflictError):
        run(time, Script(time, state("SLEEPING"), state("RUNNING")), wake=refusing)
    assert time.sleeps == []


# --- statuses this SDK does not know ---------------------------------------------------------------


def test_unknown_status_keeps_waiting_and_is_logged_once(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO, logger=LOGGER)
    time = FakeTime()
    scaling = [state("SCALING") for _ in range(6)]
    fetch = Script(time, *scaling, state("REBALANCING"), state("SCALING"), state("RUNNING"))
    progress = Recorder()

    assert run(time, fetch, on_progress=progress).status is Status.RUNNING

    warnings = [r for r in caplog.records if r.name == LOGGER and r.levelno == logging.WARNING]
    assert [("SCALING" in r.getMessage(), "REBALANCING" in r.getMessage()) for r in warnings] == [
        (True, False),
        (False, True),
    ]
    # Progress still reports each change, unknown values included.
    assert [str(s.status) for s, _ in progress.calls] == ["SCALING", "REBALANCING", "SCALING", "RUNNING"]  # type: ignore[attr-defined]


# --- the poll policy and the deadline --------------------------------------------------------------


def test_delays_follow_the_policy_up_to_its_cap() -> None:
    time = FakeTime()
    fetch = Script(time, *[state("INITIALIZING")] * 9, state("RUNNING"))
    run(time, fetch)
    assert time.sleeps == [1.0, 1.5, 2.25, 3.375, 5.0625, 7.59375, 10.0, 10.0, 10.0]


def test_default_policy_is_jittered_by_the_injected_random() -> None:
    assert Backoff(initial=1.0, multiplier=1.5, maximum=10.0, jitter=0.1) == DEFAULT_POLL
    time = FakeTime()
    fetch = Script(time, *[state("INITIALIZING")] * 3, state("RUNNING"))
    wait_until_running(EP, fetch=fetch, clock=time.clock, sleep=time.sleep, random=lambda: 0.5)
    assert time.sleeps == pytest.approx([0.95, 1.425, 2.1375])


def test_timeout_raises_at_the_deadline_without_another_request() -> None:
    time = FakeTime(start=0.0)
    fetch = Script(time, state("INITIALIZING", "DOWNLOADING_MODEL"))

    with pytest.raises(WaitTimeoutError) as caught:
        run(time, fetch, timeout=10)

    # 1 + 1.5 + 2.25 + 3.375 = 8.125; the next delay (5.0625) is cut to the 1.875 s left.
    assert time.sleeps == [1.0, 1.5, 2.25, 3.375, 1.875]
    assert time.now == 10.0
    assert fetch.started_at == [0.0, 1.0, 2.5, 4.75, 8.125]
    assert caught.value.state is fetch.returned[-1]
    assert isinstance(caught.value, TimeoutError)
    assert "DOWNLOADING_MODEL" in str(caught.value)
    assert EP in str(caught.value)


def test_timeout_zero_checks_exactly_once() -> None:
    time = FakeTime()
    assert run(time, Script(time, state("RUNNING")), timeout=0).status is Status.RUNNING

    fetch = Script(time, state("INITIALIZING"))
    with pytest.raises(WaitTimeoutError) as caught:
        run(time, fetch, timeout=0)
    assert fetch.calls == 1
    assert time.sleeps == []
    assert caught.value.state is fetch.returned[0]


def test_a_sleep_cut_to_the_deadline_that_wakes_early_does_not_poll_again() -> None:
    # asyncio may run a timer up to its clock resolution early; float rounding can do the same.
    time = FakeTime(start=0.0)
    fetch = Script(time, state("INITIALIZING"))

    def early_sleep(seconds: float) -> None:
        time.sleep(seconds)
        if seconds > 1e-6:  # a tiny sleep ends on time, so a regression fails rather than hangs
            time.advance(-1e-9)

    with pytest.raises(WaitTimeoutError):
        wait_until_running(EP, fetch=fetch, timeout=2, poll=NO_JITTER, clock=time.clock, sleep=early_sleep)
    assert time.sleeps == pytest.approx([1.0, 1.0])
    assert fetch.calls == 2


def test_a_sleep_that_returns_early_on_purpose_polls_again_instead_of_timing_out() -> None:
    # The emulator's sleep stops at the next state change: the wait must look, not give up.
    time = FakeTime(start=0.0)
    fetch = Script(time, state("INITIALIZING"), state("INITIALIZING"), state("RUNNING"))

    def stops_early(seconds: float) -> None:
        time.sleep(min(seconds, 0.25))

    result = wait_until_running(EP, fetch=fetch, timeout=0.6, poll=NO_JITTER, clock=time.clock, sleep=stops_early)
    assert result.status is Status.RUNNING
    assert time.sleeps == [0.25, 0.25]


def test_a_slow_request_that_crosses_the_deadline_ends_the_wait_without_sleeping() -> None:
    time = FakeTime(start=0.0)
    fetch = Script(time, state("INITIALIZING"), latency=4.0)
    with pytest.raises(WaitTimeoutError):
        run(time, fetch, timeout=6)
    # Fetch at 0 (ends 4), sleep 1, fetch at 5 (ends 9 > 6): no sleep, no third request.
    assert fetch.started_at == [0.0, 5.0]
    assert time.sleeps == [1.0]


@st.composite
def poll_policies(draw: st.DrawFn) -> Backoff:
    initial = draw(st.floats(min_value=0.1, max_value=30.0))
    maximum = draw(st.floats(min_value=initial, max_value=120.0))
    multiplier = draw(st.floats(min_value=1.0, max_value=3.0))
    return Backoff(initial=initial, multiplier=multiplier, maximum=maximum, jitter=draw(st.floats(0.0, 1.0)))


@settings(deadline=None)
@given(
    timeout=st.floats(min_value=0.0, max_value=300.0),
    poll=poll_policies(),
    r=st.floats(min_value=0.0, max_value=1.0, exclude_max=True),
    latency=st.floats(min_value=0.0, max_value=5.0),
    start=st.floats(min_value=0.0, max_value=1e6),
)
def test_the_deadline_holds_for_any_timeout_and_policy(
    timeout: float, poll: Backoff, r: float, latency: float, start: float
) -> None:
    time = FakeTime(start=start)
    deadline = start + timeout
    eps = 1e-6
    sleep_ends: list[float] = []

    def sleep(seconds: float) -> None:
        time.sleep(seconds)
        sleep_ends.append(time.now)

    fetch = Script(time, state("INITIALIZING"), latency=latency)
    with pytest.raises(WaitTimeoutError) as caught:
        wait_until_running(EP, fetch=fetch, timeout=timeout, poll=poll, clock=time.clock, sleep=sleep, random=lambda: r)

    assert math.fsum(time.sleeps) <= timeout + eps
    assert all(end <= deadline + eps for end in sleep_ends)
    # Only the first request may start at or after the deadline (timeout=0 still checks once).
    assert all(at < deadline for at in fetch.started_at[1:])
    # Raised once the deadline was reached, and no later than one request's latency after it.
    assert deadline - eps <= time.now <= deadline + latency + eps
    assert caught.value.state is fetch.returned[-1]


# --- transient and other failures ------------------------------------------------------------------


def test_transient_failures_are_retried_honouring_retry_after() -> None:
    time = FakeTime()
    fetch = Script(
        time,
        TransportError("connection refused"),
        RateLimitError("429 Too Many Requests", retry_after=7.0, status_code=429),
        ServerError("503 Service Unavailable", status_code=503),
        state("RUNNING"),
    )
    assert run(time, fetch).status is Status.RUNNING
    # Policy delay, then the server's 7 s (more than the policy's 1.5 s), then the policy again.
    assert time.sleeps == [1.0, 7.0, 2.25]


@pytest.mark.parametrize("status_code", [502, 504])
def test_gateway_errors_are_transient(status_code: int) -> None:
    time = FakeTime()
    fetch = Script(time, ServerError("gateway", status_code=status_code), state("RUNNING"))
    assert run(time, fetch).status is Status.RUNNING
    assert fetch.calls == 2


def test_rate_limit_without_retry_after_uses_the_policy() -> None:
    time = FakeTime()
    fetch = Script(time, RateLimitError("429", retry_after=None, status_code=429), state("RUNNING"))
    run(time, fetch)
    assert time.sleeps == [1.0]


def test_retry_after_never_sleeps_past_the_deadline() -> None:
    time = FakeTime(start=0.0)
    fetch = Script(time, RateLimitError("429", retry_after=60.0, status_code=429))
    with pytest.raises(WaitTimeoutError) as caught:
        run(time, fetch, timeout=5)
    assert time.sleeps == [5.0]
    assert fetch.calls == 1
    assert caught.value.state is None
    assert "RateLimitError" in str(caught.value)


def test_a_transient_failure_after_a_state_still_carries_that_state() -> None:
    time = FakeTime(start=0.0)
    fetch = Script(time, state("INITIALIZING", "ENGINE_INITIALIZING"), TransportError("read timeout"))
    with pytest.raises(WaitTimeoutError) as caught:
        run(time, fetch, timeout=3)
    assert caught.value.state is fetch.returned[0]
    assert "TransportError" in str(caught.value)


def test_a_timeout_after_a_transient_failure_is_not_raised_while_handling_it() -> None:
    # The flow is told of the failure outside the driver's except block: the traceback of the
    # timeout does not claim it happened "during handling of" the failed poll.
    time = FakeTime()
    with pytest.raises(WaitTimeoutError) as caught:
        run(time, Script(time, TransportError("connection dropped")), timeout=0)
    assert caught.value.__context__ is None
    assert "TransportError" in str(caught.value)


@pytest.mark.parametrize(
    "error",
    [
        NotFoundError("GET /dedicated/endpoint/ep-7f3a/status: 404 Not Found", status_code=404),
        ServerError("500 Internal Server Error", status_code=500),
        ValueError("a bug in fetch"),
    ],
)
def test_other_failures_propagate_at_once(error: Exception) -> None:
    time = FakeTime()
    fetch = Script(time, error, state("RUNNING"))
    with pytest.raises(type(error)) as caught:
        run(time, fetch)
    assert caught.value is error
    assert fetch.calls == 1
    assert time.sleeps == []


@pytest.mark.parametrize("timeout", [None, True, False, -1, -0.001, math.nan, math.inf, -math.inf, "60"])
def test_bad_timeouts_are_rejected_before_any_request(timeout: object) -> None:
    time = FakeTime()
    fetch = Script(time, state("RUNNING"))
    with pytest.raises(InvalidInputError) as caught:
        run(time, fetch, timeout=timeout)
    assert caught.value.field == "timeout"
    assert fetch.calls == 0


@pytest.mark.parametrize(
    ("option", "value"),
    [
        ("poll", 5.0),
        ("on_progress", "print"),
        ("on_progress", len),  # callable, but takes one argument, not (state, elapsed)
        ("on_progress", lambda state: None),
        ("timeout", "60"),
        ("timeout", float("nan")),
        ("timeout", 10**5000),
    ],
    ids=[
        "poll",
        "on_progress",
        "on_progress-len",
        "on_progress-one-argument",
        "timeout-text",
        "timeout-nan",
        "timeout-huge",
    ],
)
def test_bad_arguments_are_refused_naming_the_field_before_any_fetch(option: str, value: object) -> None:
    time = FakeTime()
    fetch = Script(time, state("RUNNING"))
    with pytest.raises(InvalidInputError) as refused:
        run(time, fetch, **{option: value})
    assert refused.value.field == option
    assert fetch.calls == 0


def test_every_fetch_is_given_the_wait_deadline() -> None:
    time = FakeTime()
    start = time.now
    fetch = Script(time, state("INITIALIZING"), state("INITIALIZING"), state("RUNNING"))
    run(time, fetch, timeout=300.0)
    assert fetch.deadlines == [start + 300.0] * 3


def test_a_very_short_wait_still_gives_its_first_poll_a_moment() -> None:
    time = FakeTime()
    start = time.now
    fetch = Script(time, state("RUNNING"))
    assert run(time, fetch, timeout=0).status is Status.RUNNING
    assert fetch.deadlines == [start + FIRST_POLL_SECONDS]


def test_docstring_examples() -> None:
    failures, tried = doctest.testmod(_waiter)
    assert tried > 0
    assert failures == 0


# --- async -----------------------------------------------------------------------------------------


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


async def arun(time: FakeTime, fetch: Script, **kwargs: object) -> EndpointState:
    options: dict[str, object] = {"poll": NO_JITTER, "random": lambda: 0.0, "timeout": 1800.0}
    options.update(kwargs)
    return await async_wait_until_running(
        EP,
        fetch=fetch.async_call,
        clock=time.clock,
        sleep=time.async_sleep,
        **options,  # type: ignore[arg-type]
    )


@pytest.mark.anyio
async def test_async_success_through_phases() -> None:
    time = FakeTime()
    fetch = Script(
        time,
        state("INITIALIZING", "REQUESTING_VIRTUAL_MACHINE"),
        state("INITIALIZING", "DOWNLOADING_MODEL"),
        state("INITIALIZING", "DOWNLOADING_MODEL"),
        state("RUNNING"),
    )
    progress = Recorder()
    assert (await arun(time, fetch, on_progress=progress)).status is Status.RUNNING
    assert time.sleeps == [1.0, 1.5, 2.25]
    assert len(progress.calls) == 3


@pytest.mark.anyio
async def test_async_failed_and_stopped() -> None:
    time = FakeTime()
    with pytest.raises(EndpointFailedError) as caught:
        await arun(time, Script(time, state("FAILED", "ENGINE_INITIALIZING", "INFERENCE_ENGINE_MEMORY_ERROR")))
    assert caught.value.error_code == "INFERENCE_ENGINE_MEMORY_ERROR"
    assert caught.value.hint == hint_for(ErrorCode.INFERENCE_ENGINE_MEMORY_ERROR)

    with pytest.raises(EndpointStoppedError, match="wake=True"):
        await arun(time, Script(time, state("SLEEPING")))
    assert time.sleeps == []


@pytest.mark.anyio
async def test_async_wakes_once() -> None:
    time = FakeTime()
    wake = Recorder()
    fetch = Script(time, state("SLEEPING"), state("SLEEPING"), state("AWAKING"), state("READY"))
    assert (await arun(time, fetch, wake=wake.async_call)).status is Status.READY
    assert len(wake.calls) == 1


@pytest.mark.anyio
async def test_async_transient_failures_then_timeout() -> None:
    time = FakeTime(start=0.0)
    fetch = Script(
        time,
        TransportError("dropped"),
        RateLimitError("429", retry_after=3.0, status_code=429),
        state("UPDATING"),
    )
    with pytest.raises(WaitTimeoutError) as caught:
        await arun(time, fetch, timeout=8)
    assert time.sleeps == [1.0, 3.0, 2.25, 1.75]
    assert caught.value.state is fetch.returned[-1]


@pytest.mark.anyio
async def test_async_a_timeout_after_a_transient_failure_is_not_raised_while_handling_it() -> None:
    time = FakeTime()
    with pytest.raises(WaitTimeoutError) as caught:
        await arun(time, Script(time, TransportError("connection dropped")), timeout=0)
    assert caught.value.__context__ is None


@pytest.mark.anyio
async def test_async_bad_timeout_is_rejected_before_any_request() -> None:
    time = FakeTime()
    fetch = Script(time, state("RUNNING"))
    with pytest.raises(InvalidInputError):
        await arun(time, fetch, timeout=None)
    assert fetch.calls == 0


@pytest.mark.anyio
async def test_async_cancel_while_sleeping_propagates_and_stops_polling() -> None:
    time = FakeTime()
    fetch = Script(time, state("INITIALIZING"))
    sleeping = asyncio.Event()

    async def sleep_forever_once(seconds: float) -> None:
        if not sleeping.is_set():
            sleeping.set()
            await asyncio.Event().wait()
        # Only reached if the cancellation was swallowed: let the wait run on (to its timeout) so a
        # regression fails the assertions below instead of hanging the test run.
        await time.async_sleep(seconds)

    tasks_before = asyncio.all_tasks()
    task = asyncio.create_task(
        async_wait_until_running(EP, fetch=fetch.async_call, clock=time.clock, sleep=sleep_forever_once)
    )
    await sleeping.wait()
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    assert task.cancelled()
    for _ in range(5):
        await asyncio.sleep(0)
    assert fetch.calls == 1
    assert asyncio.all_tasks() == tasks_before


@pytest.mark.anyio
async def test_async_cancel_while_fetching_is_not_mistaken_for_a_transient_failure() -> None:
    time = FakeTime()
    fetching = asyncio.Event()
    calls = 0

    async def hanging_fetch(deadline: float) -> EndpointState:
        nonlocal calls
        calls += 1
        if calls == 1:
            fetching.set()
            await asyncio.Event().wait()
        return state("INITIALIZING")  # only if the cancellation was swallowed (see above)

    task = asyncio.create_task(
        async_wait_until_running(EP, fetch=hanging_fetch, clock=time.clock, sleep=time.async_sleep)
    )
    await fetching.wait()
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    assert calls == 1
    assert time.sleeps == []


@pytest.mark.parametrize(
    "progress",
    [lambda state, elapsed: None, lambda *args: None, lambda state, elapsed, extra=None: None, print],
    ids=["two", "variadic", "optional-third", "print"],
)
def test_callbacks_that_can_take_state_and_elapsed_are_accepted(progress: object) -> None:
    time = FakeTime()
    assert run(time, Script(time, state("RUNNING")), on_progress=progress).status is Status.RUNNING


# --- the caller's on_progress, and the longest timeout -----------------------------------------------
def raised_by_a_callback() -> list[Exception]:
    """FriendliErrors of the transient kinds a callback's own requests might raise, and a plain bug."""
    return [
        ServerError("the callback's request failed", status_code=503),
        RateLimitError("the callback was rate limited", status_code=429, retry_after=None),
        TransportError("the callback's connection dropped"),
        ValueError("a bug in the callback"),
    ]


@pytest.mark.parametrize("raised", raised_by_a_callback(), ids=lambda error: type(error).__name__)
def test_what_on_progress_raises_propagates_unchanged(raised: Exception) -> None:
    time = FakeTime()
    fetch = Script(time, state("INITIALIZING"), state("RUNNING"))
    with pytest.raises(type(raised)) as caught:
        run(time, fetch, on_progress=Recorder(raised))
    assert caught.value is raised
    assert fetch.calls == 1  # not absorbed as a failed poll and polled again
    assert time.sleeps == []


@pytest.mark.anyio
@pytest.mark.parametrize("raised", raised_by_a_callback(), ids=lambda error: type(error).__name__)
async def test_async_what_on_progress_raises_propagates_unchanged(raised: Exception) -> None:
    time = FakeTime()
    fetch = Script(time, state("INITIALIZING"), state("RUNNING"))
    with pytest.raises(type(raised)) as caught:
        await arun(time, fetch, on_progress=Recorder(raised))
    assert caught.value is raised
    assert fetch.calls == 1


@pytest.mark.parametrize("timeout", [1e10, 2592000.5, 2**62])
def test_a_timeout_past_the_documented_maximum_is_refused_before_any_request(timeout: float) -> None:
    time = FakeTime()
    fetch = Script(time, state("RUNNING"))
    with pytest.raises(InvalidInputError, match="30 days") as caught:
        run(time, fetch, timeout=timeout)
    assert caught.value.field == "timeout"
    assert fetch.calls == 0
    assert run(time, fetch, timeout=2592000).status is Status.RUNNING  # the maximum itself is fine
