"""Emulated time that waits follow: ``Emulator.sleep`` / ``async_sleep`` stop at the next transition of
any endpoint, the in-process clients sleep with them, and ``Emulator.advance`` moves a manual clock."""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import Callable
from typing import Any

import pytest

import friendli_dedicated as fd
from friendli_dedicated.emulator import Emulator, ManualClock, Timings
from friendli_dedicated.emulator._clock import EPOCH
from friendli_dedicated.errors import InvalidInputError

# Default timings: INITIALIZING 0 -> 15 (downloading) -> 60 (engine) -> 90 RUNNING; cooldown 5 -> 95 SLEEPING.
RUNNING_AT, SLEEPING_AT = 90.0, 95.0


def half_jitter() -> float:
    """The waiter's random source, fixed: every poll delay 5% short of its nominal value (reproducible)."""
    return 0.5


def refused(call: Callable[[], object], field: str) -> InvalidInputError:
    with pytest.raises(InvalidInputError) as info:
        call()
    assert info.value.field == field, str(info.value)
    return info.value


def scale_to_zero(client: fd.Client) -> fd.Endpoint:
    return client.endpoints.create("p", "n", "m", "H100", autoscaling=fd.Autoscaling.scale_to_zero(cooldown=5))


def test_a_wait_sees_running_before_a_quick_scale_to_zero() -> None:
    emu = Emulator(clock=ManualClock())
    with emu.client(random=half_jitter) as client:
        ep = scale_to_zero(client)
        state = ep.wait_until_running(timeout=1800).state
    assert state is not None
    assert state.status is fd.Status.RUNNING
    assert emu.clock() - EPOCH == RUNNING_AT  # the poll that saw it came exactly at the transition
    # Left alone, it falls asleep five seconds later, as configured.
    emu.advance(10)
    assert emu.endpoint_ids() == [ep.id]
    with emu.client() as client:
        assert client.endpoints.status(ep.id).status is fd.Status.SLEEPING


def test_the_same_wait_jumps_over_running_when_sleeps_only_advance_the_clock() -> None:
    """What ``Emulator.sleep`` fixes: polls 10 s apart step over a 5 s RUNNING window."""
    clock = ManualClock()
    emu = Emulator(clock=clock)
    with emu.client(sleep=clock.advance, random=half_jitter) as client:
        ep = scale_to_zero(client)
        with pytest.raises(fd.EndpointStoppedError, match="SLEEPING"):
            ep.wait_until_running(timeout=1800)


def test_async_wait_sees_running_before_a_quick_scale_to_zero() -> None:
    emu = Emulator(clock=ManualClock())

    async def scenario() -> fd.Status:
        async with emu.async_client(random=half_jitter) as client:
            ep = await client.endpoints.create(
                "p", "n", "m", "H100", autoscaling=fd.Autoscaling.scale_to_zero(cooldown=5)
            )
            await ep.wait_until_running(timeout=1800)
            assert ep.state is not None
            return ep.state.status

    assert asyncio.run(scenario()) is fd.Status.RUNNING
    assert emu.clock() - EPOCH == RUNNING_AT


def test_async_wait_jumps_over_running_when_sleeps_only_advance_the_clock() -> None:
    clock = ManualClock()
    emu = Emulator(clock=clock)

    async def advance(seconds: float) -> None:
        clock.advance(seconds)

    async def scenario() -> None:
        async with emu.async_client(sleep=advance, random=half_jitter) as client:
            ep = await client.endpoints.create(
                "p", "n", "m", "H100", autoscaling=fd.Autoscaling.scale_to_zero(cooldown=5)
            )
            await ep.wait_until_running(timeout=1800)

    with pytest.raises(fd.EndpointStoppedError, match="SLEEPING"):
        asyncio.run(scenario())


def test_sleep_stops_at_the_next_transition_of_any_endpoint() -> None:
    emu = Emulator(clock=ManualClock(), timings=Timings(updating=7))
    assert emu.next_transition() is None
    emu.sleep(30)  # nothing planned: the whole time
    assert emu.clock() - EPOCH == 30
    with emu.client() as client:
        first = client.endpoints.create("p", "a", "m", "H100")  # 30 -> 45 -> 90 -> 120 RUNNING
        emu.advance(100)  # 130: first is RUNNING
        client.endpoints.create("p", "b", "m", "H100")  # 130 -> 145 -> 190 -> 220
        client.endpoints.update(first.id, name="a2")  # UPDATING 130 -> 137 RUNNING
    moments = []
    for _ in range(5):
        emu.sleep(1000)
        moments.append(emu.clock() - EPOCH)
    assert moments == [137, 145, 190, 220, 1220]
    assert emu.next_transition() is None


def test_sleep_of_zero_or_less_than_the_next_transition() -> None:
    emu = Emulator(clock=ManualClock())
    with emu.client() as client:
        client.endpoints.create("p", "a", "m", "H100")
    assert emu.next_transition() == EPOCH + 15
    emu.sleep(0)
    emu.sleep(2.5)
    assert emu.clock() - EPOCH == 2.5


@pytest.mark.parametrize("seconds", [-1, float("nan"), float("inf"), True, "1", None])
def test_sleep_and_advance_refuse_what_is_not_a_duration(seconds: Any) -> None:
    emu = Emulator(clock=ManualClock())
    refused(lambda: emu.sleep(seconds), "Emulator.sleep.seconds")
    refused(lambda: asyncio.run(emu.async_sleep(seconds)), "Emulator.async_sleep.seconds")
    refused(lambda: emu.advance(seconds), "Emulator.advance.seconds")
    assert emu.clock() == EPOCH


def test_advance_moves_a_manual_clock_over_transitions() -> None:
    emu = Emulator(clock=ManualClock())
    with emu.client() as client:
        ep = scale_to_zero(client)
        emu.advance(200)
        assert emu.clock() - EPOCH == 200
        assert client.endpoints.status(ep.id).status is fd.Status.SLEEPING


def test_advance_needs_a_manual_clock() -> None:
    moments = iter(range(1_800_000_000, 1_900_000_000))
    for clock in (None, lambda: float(next(moments))):
        emu = Emulator(clock=clock)
        error = refused(lambda emu=emu: emu.advance(1), "Emulator.clock")
        assert "ManualClock" in str(error)


def test_on_another_clock_sleep_waits_for_real_but_not_past_a_transition(monkeypatch: pytest.MonkeyPatch) -> None:
    now = [EPOCH]
    emu = Emulator(clock=lambda: now[0])
    slept: list[float] = []
    monkeypatch.setattr(time, "sleep", slept.append)
    emu.sleep(3)
    with emu.client(sleep=lambda _s: None) as client:
        client.endpoints.create("p", "a", "m", "H100")
    now[0] += 10
    emu.sleep(30)
    assert slept == [3, 5]  # the second one only until the deployment's next phase, at 15 s
    assert now[0] == EPOCH + 10  # this clock is not the emulator's to move


def test_async_sleep_on_another_clock_waits_for_real(monkeypatch: pytest.MonkeyPatch) -> None:
    emu = Emulator(clock=lambda: EPOCH)
    slept: list[float] = []

    async def fake_sleep(seconds: float) -> None:
        slept.append(seconds)

    monkeypatch.setattr(asyncio, "sleep", fake_sleep)
    asyncio.run(emu.async_sleep(4))
    assert slept == [4]


def test_async_sleep_lets_other_tasks_run_on_a_manual_clock() -> None:
    emu = Emulator(clock=ManualClock())
    ran: list[str] = []

    async def other() -> None:
        ran.append("other")

    async def scenario() -> None:
        task = asyncio.create_task(other())
        await emu.async_sleep(1)
        assert ran == ["other"]  # it yielded to the loop while advancing the clock
        await task

    asyncio.run(scenario())
    assert emu.clock() - EPOCH == 1


def test_concurrent_sleepers_never_step_over_a_transition_together() -> None:
    emu = Emulator(clock=ManualClock())
    with emu.client() as client:
        client.endpoints.create("p", "a", "m", "H100")  # transitions at 15, 60, 90
    start = threading.Barrier(3)

    def sleeper() -> None:
        start.wait()
        emu.sleep(1000)

    threads = [threading.Thread(target=sleeper) for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    # Each sleep stopped at the next transition in turn, in whatever order they ran.
    assert emu.clock() - EPOCH == 90


def test_the_clients_sleep_with_the_emulator_and_read_its_clock() -> None:
    emu = Emulator(clock=ManualClock())
    with emu.client() as client:
        ep = client.endpoints.create("p", "a", "m", "H100")
        ep.wait_until_running(timeout=600)
    statuses = [round(r.time - EPOCH, 6) for r in emu.requests_for("status")]
    # Every planned transition got a poll at its very moment.
    assert {15.0, 60.0, 90.0} <= set(statuses)
    assert statuses[-1] == 90.0


def test_a_sleep_cut_short_by_a_transition_does_not_end_the_wait_early() -> None:
    # RUNNING at 92; polls at 0, 0.95, ..., 12.53, 15 (cut), 24.5, ..., 53, 60 (cut), 69.5, 79, 88.5.
    # From the poll at 88.5 the waiter sleeps to its deadline (95), and the emulator cuts that
    # sleep at 92: the wait has 3 s left and the endpoint serves, so it must poll, not give up
    # (the waiter decides by the clock, not by the length it asked the sleep for).
    emu = Emulator(clock=ManualClock(), timings=Timings(engine_initializing=32))
    with emu.client(random=half_jitter) as client:
        ep = client.endpoints.create("p", "a", "m", "H100")
        ep.wait_until_running(timeout=95)
    assert ep.state is not None
    assert ep.state.status is fd.Status.RUNNING
    assert emu.clock() - EPOCH == 92
