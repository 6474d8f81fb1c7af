"""``endpoints.wait_all``: a fleet awaited through its projects' listings, on the emulator's manual clock.

Correctness, not speed (the benchmark measures requests and lag): each endpoint ends in the right
group, a failed one does not stop the others, the deadline holds, the status table is the waiter's,
and the polls read listing pages rather than one status per endpoint.
"""

from __future__ import annotations

import asyncio

import pytest

import friendli_dedicated as fd
from friendli_dedicated.emulator import Emulator, ManualClock, Timings


def fleet(emulator: Emulator, count: int, project: str = "fleet") -> tuple[fd.Client, list[fd.Endpoint]]:
    client = emulator.client()
    return client, [client.endpoints.create(project, f"w-{n}", "org/model", "1x H100") for n in range(count)]


def test_every_endpoint_of_a_fleet_is_seen_running() -> None:
    emulator = Emulator(clock=ManualClock(), request_log=None)
    client, endpoints = fleet(emulator, 250)
    created = len(emulator.requests)
    result = client.endpoints.wait_all(endpoints, timeout=1800)
    assert result.all_running
    assert set(result.running) == {ep.id for ep in endpoints}
    assert all(state.status is fd.Status.RUNNING for state in result.running.values())
    polls = emulator.requests[created:]
    assert {request.facade_name for request in polls} == {"list"}  # listing pages only, no per-endpoint status
    assert len(polls) < len(endpoints)  # less than a request per endpoint for the whole wait
    assert result.raise_for_failures() is result


def test_failures_are_isolated_and_reported_with_their_hints() -> None:
    emulator = Emulator(clock=ManualClock())
    client, endpoints = fleet(emulator, 5)
    emulator.fail(endpoints[1].id, "INFERENCE_ENGINE_MEMORY_ERROR")
    client.endpoints.terminate(endpoints[3].id)
    result = client.endpoints.wait_all(endpoints, timeout=1800)
    assert set(result.running) == {endpoints[n].id for n in (0, 2, 4)}
    failed = result.failed[endpoints[1].id]
    assert failed.error_code == "INFERENCE_ENGINE_MEMORY_ERROR"
    assert "memory" in failed.hint.lower()
    assert set(result.stopped) == {endpoints[3].id}
    with pytest.raises(fd.FleetWaitError, match="3 running, 1 failed, 1 stopped") as raised:
        result.raise_for_failures()
    assert raised.value.result is result


def test_the_deadline_holds_and_the_laggards_are_timed_out_with_their_last_state() -> None:
    clock = ManualClock()
    emulator = Emulator(clock=clock, timings=Timings(downloading_model=3600))
    client, slow = fleet(emulator, 3, project="slow")
    quick_emulator_client = client
    start = clock()
    result = quick_emulator_client.endpoints.wait_all(slow, timeout=300)
    assert clock() - start <= 300 + 1e-6
    assert set(result.timed_out) == {ep.id for ep in slow}
    assert all(state is not None and state.status is fd.Status.INITIALIZING for state in result.timed_out.values())


def test_bare_ids_are_located_once_then_watched_through_their_project() -> None:
    emulator = Emulator(clock=ManualClock(), request_log=None)
    client, endpoints = fleet(emulator, 4, project="a")
    _, others = fleet(emulator, 3, project="b")
    created = len(emulator.requests)
    ids = [ep.id for ep in endpoints + others]
    result = client.endpoints.wait_all(ids, timeout=1800)
    assert set(result.running) == set(ids)
    polls = emulator.requests[created:]
    assert sum(1 for request in polls if request.facade_name == "get") == len(ids)  # each located once
    assert sum(1 for request in polls if request.facade_name == "status") == 0


def test_a_deleted_endpoint_is_stopped_not_fatal() -> None:
    emulator = Emulator(clock=ManualClock())
    client, endpoints = fleet(emulator, 2)
    client.endpoints.delete(endpoints[0].id)
    result = client.endpoints.wait_all(endpoints, timeout=1800)
    assert set(result.running) == {endpoints[1].id}
    assert endpoints[0].id in result.stopped
    assert result.stopped[endpoints[0].id].state is None


def test_sleeping_endpoints_are_woken_when_asked() -> None:
    emulator = Emulator(clock=ManualClock())
    client, endpoints = fleet(emulator, 2)
    client.endpoints.wait_all(endpoints, timeout=1800).raise_for_failures()
    for endpoint in endpoints:
        endpoint.sleep()
    emulator.advance(60)
    assert client.endpoints.wait_all(endpoints, timeout=600).stopped.keys() == {ep.id for ep in endpoints}
    woken = client.endpoints.wait_all(endpoints, timeout=600, wake=True)
    assert woken.all_running
    assert len(emulator.requests_for("wake")) == 2


def test_transient_failures_of_a_poll_are_retried_at_the_next() -> None:
    emulator = Emulator(clock=ManualClock())
    client, endpoints = fleet(emulator, 3)
    emulator.inject("list", status=503, times=5)
    result = client.with_options(max_retries=0).endpoints.wait_all(endpoints, timeout=1800)
    assert result.all_running


def test_progress_is_reported_per_endpoint_on_each_change() -> None:
    emulator = Emulator(clock=ManualClock())
    client, endpoints = fleet(emulator, 2)
    seen: list[tuple[str, str]] = []
    client.endpoints.wait_all(
        endpoints, on_progress=lambda endpoint_id, state, elapsed: seen.append((endpoint_id, state.status.value))
    )
    for endpoint in endpoints:
        statuses = [status for endpoint_id, status in seen if endpoint_id == endpoint.id]
        assert statuses[0] == "INITIALIZING"
        assert statuses[-1] == "RUNNING"


@pytest.mark.parametrize(
    ("arguments", "field"),
    [
        ({"endpoints": "ep-1"}, "endpoints"),
        ({"endpoints": [42]}, "endpoints"),
        ({"endpoints": [], "timeout": -1}, "timeout"),
        ({"endpoints": [], "poll": 3}, "poll"),
        ({"endpoints": [], "on_progress": "print"}, "on_progress"),
        ({"endpoints": [], "on_progress": lambda state, elapsed: None}, "on_progress"),  # the fleet's takes 3
        ({"endpoints": [], "wake": "yes"}, "wake"),
    ],
)
def test_bad_arguments_are_refused_before_any_request(arguments: dict[str, object], field: str) -> None:
    emulator = Emulator(clock=ManualClock())
    with emulator.client() as client, pytest.raises(fd.InvalidInputError) as refused:
        client.endpoints.wait_all(**arguments)  # type: ignore[arg-type]
    assert refused.value.field == field
    assert emulator.requests == []


def test_the_async_twin() -> None:
    emulator = Emulator(clock=ManualClock())
    client = emulator.async_client()

    async def run() -> fd.FleetResult:
        endpoints = [await client.endpoints.create("fleet", f"w-{n}", "org/model", "H100") for n in range(4)]
        emulator.fail(endpoints[0].id, "WORKLOAD_INIT_DOWNLOAD_ERROR")
        return await client.endpoints.wait_all(endpoints, timeout=1800)

    result = asyncio.run(run())
    assert len(result.running) == 3
    assert [error.error_code for error in result.failed.values()] == ["WORKLOAD_INIT_DOWNLOAD_ERROR"]


def test_the_poll_period_runs_from_start_to_start_so_a_long_poll_does_not_stretch_it() -> None:
    from friendli_dedicated._fleet import _FleetWait

    now = [100.0]
    every_two_seconds = fd.Backoff(initial=2.0, multiplier=1.0, maximum=2.0, jitter=0.0)
    wait = _FleetWait.begin(
        ["ep-1"],
        timeout=60,
        poll=every_two_seconds,
        wake=False,
        on_progress=None,
        clock=lambda: now[0],
        random=lambda: 0.5,
    )
    now[0] += 0.5  # the first poll took half a second
    assert wait.pause() == pytest.approx(1.5)
    now[0] += 1.5 + 3.0  # the next poll started on time and took 3 s, longer than the period
    assert wait.pause() == pytest.approx(0.5)  # a quarter of the period, not nothing
    now[0] += 0.5
    assert wait.pause() == pytest.approx(2.0)  # a poll that took no time waits the whole period
