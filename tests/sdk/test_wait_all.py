"""``endpoints.wait_all``: a fleet awaited through its projects' listings, on the emulator's manual clock.

Correctness, not speed (the benchmark measures requests and lag): each endpoint ends in the right
group, a failed one does not stop the others, the deadline holds, the status table is the waiter's,
and the polls read listing pages rather than one status per endpoint.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable

import pytest
from fakes import COLLECTION, EP, FakeAPI, Recorder, Reply, make_client, reply, status_json

import friendli_dedicated as fd
from friendli_dedicated._retry import RETRYABLE_STATUSES
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
    _, others = fleet(emulator, 3, project="b")  # made by another client: this one does not know them
    created = len(emulator.requests)
    ids = [ep.id for ep in endpoints + others]
    result = client.endpoints.wait_all(ids, timeout=1800)
    assert set(result.running) == set(ids)
    polls = emulator.requests[created:]
    # Each id another client made is located once; the client's own creates keep their project.
    assert sorted(request.path.rsplit("/", 1)[1] for request in polls if request.facade_name == "get") == sorted(
        ep.id for ep in others
    )
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


@pytest.mark.parametrize("fault", [429, 500, 501, 502, 503, 504, "drop"], ids=str)
def test_both_waits_poll_through_exactly_what_a_request_retries(fault: int | str) -> None:
    # One rule (``_retry.transient``): a fault a request would retry, a wait that still gets it once
    # the request gave up (max_retries=0) polls through; any other ends the wait.
    emulator = Emulator(clock=ManualClock())
    client, endpoints = fleet(emulator, 2)
    quick = client.with_options(max_retries=0)
    transient = fault == "drop" or fault in RETRYABLE_STATUSES
    waits: dict[str, Callable[[], object]] = {
        "list": lambda: quick.endpoints.wait_all(endpoints, timeout=1800).raise_for_failures(),
        "status": lambda: quick.endpoints.wait_until_running(endpoints[0].id, timeout=1800),
    }
    for operation, wait in waits.items():
        emulator.inject(operation, status=fault, times=2)
        if transient:
            wait()
        else:
            with pytest.raises(fd.ServerError):
                wait()


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
        ({"endpoints": [], "timeout": 1e10}, "timeout"),  # past the documented maximum (30 days)
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
    from friendli_dedicated._waiter import Terms

    now = [100.0]
    every_two_seconds = fd.Backoff(initial=2.0, multiplier=1.0, maximum=2.0, jitter=0.0)
    terms = Terms.check(
        timeout=60, poll=every_two_seconds, wake=False, on_progress=None, clock=lambda: now[0], random=lambda: 0.5
    )
    wait = _FleetWait.begin(["ep-1"], terms)
    now[0] += 0.5  # the first poll took half a second
    assert wait.pause() == pytest.approx(1.5)
    now[0] += 1.5 + 3.0  # the next poll started on time and took 3 s, longer than the period
    assert wait.pause() == pytest.approx(0.5)  # a quarter of the period, not nothing
    now[0] += 0.5
    assert wait.pause() == pytest.approx(2.0)  # a poll that took no time waits the whole period


# -- a wake the API refuses concerns only that endpoint ------------------------------------------------
def sleeping_fleet(emulator: Emulator, count: int) -> tuple[fd.Client, list[fd.Endpoint]]:
    client, endpoints = fleet(emulator, count)
    client.endpoints.wait_all(endpoints, timeout=1800).raise_for_failures()
    for endpoint in endpoints:
        endpoint.sleep()
    emulator.advance(60)
    return client, endpoints


def terminate_when_seen_asleep(client: fd.Client, endpoint_id: str) -> fd.FleetProgress:
    """An on_progress that terminates ``endpoint_id`` as soon as the wait sees it asleep: before the
    wait's wake, which the API then refuses (400: only a SLEEPING endpoint can wake)."""

    def on_progress(seen_id: str, state: fd.EndpointState, elapsed: float) -> None:
        if seen_id == endpoint_id and state.status is fd.Status.SLEEPING:
            client.endpoints.terminate(endpoint_id)

    return on_progress


def test_a_wake_that_lost_a_race_with_terminate_stops_that_endpoint_and_the_others_are_kept() -> None:
    emulator = Emulator(clock=ManualClock())
    client, endpoints = sleeping_fleet(emulator, 3)
    loser = endpoints[1].id
    result = client.endpoints.wait_all(
        endpoints, timeout=600, wake=True, on_progress=terminate_when_seen_asleep(client, loser)
    )
    assert [request.status for request in emulator.requests_for("wake")].count(400) == 1
    assert set(result.running) == {endpoints[0].id, endpoints[2].id}
    assert set(result.stopped) == {loser}
    stopped = result.stopped[loser].state
    assert stopped is not None
    assert stopped.status in {fd.Status.TERMINATING, fd.Status.TERMINATED}  # read again


def test_the_async_twin_keeps_the_others_when_a_wake_is_refused() -> None:
    emulator = Emulator(clock=ManualClock())
    _, endpoints = sleeping_fleet(emulator, 3)
    loser = endpoints[0].id
    client = emulator.async_client()
    on_progress = terminate_when_seen_asleep(emulator.client(), loser)
    ids = [endpoint.id for endpoint in endpoints]
    result = asyncio.run(client.endpoints.wait_all(ids, timeout=600, wake=True, on_progress=on_progress))
    assert set(result.running) == set(ids) - {loser}
    assert set(result.stopped) == {loser}


def sleeper_api(*wake_replies: Reply, listings: tuple[str, ...] = ("SLEEPING",)) -> FakeAPI:
    """ep-1 asleep in project proj (then ``listings``' statuses in turn), ep-2 serving; ep-1's wakes answered by ``wake_replies``."""
    pages = [reply(200, {"data": {EP: status_json(status), "ep-2": status_json()}}) for status in listings]
    api = FakeAPI().on("GET", COLLECTION, *pages)
    return api.on("PUT", f"{COLLECTION}/{EP}/wake", *wake_replies)


def handles(client: fd.Client) -> list[fd.Endpoint]:
    return [client.endpoints.get_handle(endpoint_id, project_id="proj") for endpoint_id in (EP, "ep-2")]


def test_a_wake_refused_again_while_the_endpoint_still_sleeps_stops_it_with_the_refusal() -> None:
    api = sleeper_api(reply(403, {"detail": "not allowed to wake"}))
    time = Recorder()
    client = make_client(api, time)
    result = client.endpoints.wait_all(handles(client), timeout=600, wake=True)
    assert set(result.running) == {"ep-2"}
    stopped = result.stopped[EP]
    assert isinstance(stopped.__cause__, fd.PermissionDeniedError)
    assert "refused to wake" in str(stopped)
    assert "403" in str(stopped)
    assert stopped.state is not None
    assert stopped.state.status is fd.Status.SLEEPING
    assert len(api.calls("PUT", f"{COLLECTION}/{EP}/wake")) == 2  # read again, woken again, refused again
    assert sum(time.sleeps) < 10  # settled at the second poll, not timed out


def test_a_wake_refused_while_another_wake_is_under_way_is_no_failure() -> None:
    api = sleeper_api(reply(409, {"detail": "already waking"}), listings=("SLEEPING", "AWAKING", "RUNNING"))
    client = make_client(api)
    result = client.endpoints.wait_all(handles(client), timeout=600, wake=True)
    assert result.all_running
    assert len(api.calls("PUT", f"{COLLECTION}/{EP}/wake")) == 1


def test_a_wake_answered_404_is_a_deleted_endpoint() -> None:
    api = sleeper_api(reply(404, {"detail": "no such endpoint"}))
    client = make_client(api)
    result = client.endpoints.wait_all(handles(client), timeout=600, wake=True)
    assert set(result.running) == {"ep-2"}
    assert result.stopped[EP].state is None


def test_a_refused_wake_at_the_deadline_is_reported_as_stopped_with_the_refusal() -> None:
    api = sleeper_api(reply(400, {"detail": "quota"}))
    client = make_client(api)
    result = client.endpoints.wait_all(handles(client), timeout=0, wake=True)
    assert result.timed_out == {}
    assert isinstance(result.stopped[EP].__cause__, fd.BadRequestError)


# -- the caller's on_progress ------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "raised",
    [
        fd.ServerError("the callback's own request failed", status_code=503),
        fd.TransportError("the callback's own connection dropped"),
        ValueError("a bug in the callback"),
    ],
    ids=["server-error", "transport-error", "value-error"],
)
def test_what_on_progress_raises_propagates_unchanged(raised: Exception) -> None:
    emulator = Emulator(clock=ManualClock())
    client, endpoints = fleet(emulator, 2)

    def on_progress(endpoint_id: str, state: fd.EndpointState, elapsed: float) -> None:
        raise raised

    with pytest.raises(type(raised)) as caught:
        client.endpoints.wait_all(endpoints, timeout=1800, on_progress=on_progress)
    assert caught.value is raised

    async def run() -> None:
        ids = [endpoint.id for endpoint in endpoints]
        await emulator.async_client().endpoints.wait_all(ids, timeout=1800, on_progress=on_progress)

    with pytest.raises(type(raised)) as caught:
        asyncio.run(run())
    assert caught.value is raised


def test_a_poll_cut_short_leaves_no_stale_wake_for_the_next() -> None:
    # Both asleep; the first wake sent fails transiently, which ends the poll before the other's. By
    # the next poll ep-1 serves (woken by someone else): no wake is sent to it from then on.
    pages = [
        {EP: "SLEEPING", "ep-2": "SLEEPING"},
        {EP: "RUNNING", "ep-2": "SLEEPING"},
        {EP: "RUNNING", "ep-2": "RUNNING"},
    ]
    replies = [reply(200, {"data": {i: status_json(status) for i, status in page.items()}}) for page in pages]
    api = FakeAPI().on("GET", COLLECTION, *replies).on("PUT", f"{COLLECTION}/{EP}/wake", reply(503))
    api.on("PUT", f"{COLLECTION}/ep-2/wake", reply(503), reply(200, status_json("AWAKING")))
    client = make_client(api, max_retries=0)
    assert client.endpoints.wait_all(handles(client), timeout=600, wake=True).all_running
    second_listing = [n for n, request in enumerate(api.requests) if request.method == "GET"][1]
    assert [r.url.path for r in api.requests[second_listing:] if r.url.path == f"{COLLECTION}/{EP}/wake"] == []
