"""Deadlines are promises: a wait (or a call) ends at its deadline, whatever the server does.

Each hostile server here would give a client that did not keep its deadline a *different outcome*,
not only a later one: it answers RUNNING after longer than the deadline (late, or trickled a byte at
a time), or asks for an hour's Retry-After. So the tests check outcomes, never wall time: a
wait that overran would return RUNNING instead of raising WaitTimeoutError. The overshoot itself is
measured by ``python scripts/harness/hostile.py`` (a harness, not a test).
"""

from __future__ import annotations

import asyncio
import time

import httpx
import pytest
from fakes import COLLECTION, EP, FakeAPI, Recorder, make_async_client, make_client

import friendli_dedicated as fd
from scripts.harness.hostile import late, retry_after, serve, trickle

TOKEN = "deadline-token"


def sync_client(base_url: str, **kwargs: object) -> fd.Client:
    return fd.Client(token=TOKEN, base_url=base_url, **kwargs)  # type: ignore[arg-type]


def async_client(base_url: str, **kwargs: object) -> fd.AsyncClient:
    return fd.AsyncClient(token=TOKEN, base_url=base_url, **kwargs)  # type: ignore[arg-type]


def wait_sync(base_url: str, wait_timeout: float, **kwargs: object) -> BaseException | fd.EndpointState:
    with sync_client(base_url, **kwargs) as client:
        try:
            return client.endpoints.wait_until_running("ep-1", timeout=wait_timeout)
        except fd.FriendliError as exc:
            return exc


def wait_async(base_url: str, wait_timeout: float, **kwargs: object) -> BaseException | fd.EndpointState:
    async def run() -> BaseException | fd.EndpointState:
        async with async_client(base_url, **kwargs) as client:
            try:
                return await client.endpoints.wait_until_running("ep-1", timeout=wait_timeout)
            except fd.FriendliError as exc:
                return exc

    return asyncio.run(run())


WAITS = [wait_sync, wait_async]
WAIT_IDS = ["Client", "AsyncClient"]


@pytest.mark.parametrize("wait", WAITS, ids=WAIT_IDS)
def test_a_poll_in_flight_is_cut_at_the_wait_deadline(wait) -> None:  # type: ignore[no-untyped-def]
    # The server would answer RUNNING after 8 s: a poll not capped by the 1-s wait would see it.
    with serve(late(after=8.0)) as server:
        outcome = wait(server.base_url, 1.0)
    assert isinstance(outcome, fd.WaitTimeoutError), outcome
    assert "RequestTimeoutError" in str(outcome)
    assert server.requests == 1


@pytest.mark.parametrize("wait", WAITS, ids=WAIT_IDS)
def test_the_client_timeout_does_not_outlast_the_wait(wait) -> None:  # type: ignore[no-untyped-def]
    # timeout=5 per call, and the answer comes at 4 s: only the wait's deadline stops it at 1 s.
    with serve(late(after=4.0)) as server:
        outcome = wait(server.base_url, 1.0, timeout=5)
    assert isinstance(outcome, fd.WaitTimeoutError), outcome


@pytest.mark.parametrize("wait", WAITS, ids=WAIT_IDS)
def test_a_body_trickling_in_is_abandoned_at_the_deadline(wait) -> None:  # type: ignore[no-untyped-def]
    # RUNNING, one byte every 0.4 s: the whole body would take 8 s and then say RUNNING.
    with serve(trickle(interval=0.4)) as server:
        outcome = wait(server.base_url, 1.0)
    assert isinstance(outcome, fd.WaitTimeoutError), outcome


class ShiftedClock:
    """Real time plus what the injected sleeps added: sleeping is instant, sockets are real."""

    def __init__(self) -> None:
        self.offset = 0.0
        self.sleeps: list[float] = []

    def __call__(self) -> float:
        return time.monotonic() + self.offset

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.offset += seconds

    async def async_sleep(self, seconds: float) -> None:
        self.sleep(seconds)


def test_retry_after_never_carries_a_wait_past_its_deadline() -> None:
    clock = ShiftedClock()
    with serve(retry_after()) as server:
        outcome = wait_sync(server.base_url, 30.0, clock=clock, sleep=clock.sleep, max_retries=5)
    assert isinstance(outcome, fd.WaitTimeoutError), outcome
    # Retry-After: 3600 is honoured (no poll before it ends), but only up to the deadline: the
    # client's own retry (60 s, capped) did not fit, and the waiter slept what was left of 30 s.
    assert server.requests == 1
    assert len(clock.sleeps) == 1
    assert 0 < clock.sleeps[0] <= 30.0


def test_async_retry_after_never_carries_a_wait_past_its_deadline() -> None:
    clock = ShiftedClock()
    with serve(retry_after()) as server:
        outcome = wait_async(server.base_url, 30.0, clock=clock, sleep=clock.async_sleep, max_retries=5)
    assert isinstance(outcome, fd.WaitTimeoutError), outcome
    assert server.requests == 1
    assert len(clock.sleeps) == 1
    assert 0 < clock.sleeps[0] <= 30.0


def test_a_call_timeout_bounds_a_trickled_body_too() -> None:
    with (
        serve(trickle(interval=0.4)) as server,
        sync_client(server.base_url, timeout=1) as client,
        pytest.raises(fd.RequestTimeoutError) as info,
    ):
        client.endpoints.status("ep-1")
    assert info.value.may_have_reached_server


def test_async_call_timeout_bounds_a_trickled_body_too() -> None:
    async def run() -> None:
        with serve(trickle(interval=0.4)) as server:
            async with async_client(server.base_url, timeout=1) as client:
                with pytest.raises(fd.RequestTimeoutError):
                    await client.endpoints.status("ep-1")

    asyncio.run(run())


# -- a wait shorter than a request: one poll, within half a second (an injected clock, no sockets) --------
def _unavailable_api(time: Recorder, latency: float) -> FakeAPI:
    """Every request takes ``latency`` on the injected clock and answers 503 (retried by the client)."""

    def unavailable(request: httpx.Request) -> httpx.Response:
        time.now += latency
        return httpx.Response(503)

    api = FakeAPI()
    for path in (f"{COLLECTION}/{EP}/status", f"{COLLECTION}/{EP}", COLLECTION):
        api.on("GET", path, unavailable)
    return api


SHORT_WAITS = [(0.0, 0.0), (0.0, 0.2), (0.1, 0.0), (0.3, 0.1)]


@pytest.mark.parametrize(("timeout", "latency"), SHORT_WAITS)
def test_a_wait_shorter_than_a_request_ends_within_half_a_second(timeout: float, latency: float) -> None:
    # Found by a hostile review: timeout=0 took 1.01 s, the first poll being given a whole second (a
    # floor the documentation did not mention) that the client's retries of a 503 filled.
    time = Recorder()
    api = _unavailable_api(time, latency)
    start = time.now
    with make_client(api, time) as client, pytest.raises(fd.WaitTimeoutError):
        client.endpoints.wait_until_running(EP, timeout=timeout)
    assert api.requests  # it looked
    # Every request starts within the first poll's half second; the last may take its latency.
    assert time.now - start <= max(timeout, 0.5) + latency


@pytest.mark.parametrize(("timeout", "latency"), SHORT_WAITS)
def test_a_fleet_wait_shorter_than_a_request_ends_within_half_a_second(timeout: float, latency: float) -> None:
    time = Recorder()
    api = _unavailable_api(time, latency)
    start = time.now
    with make_client(api, time) as client:
        result = client.endpoints.wait_all([EP, "ep-2"], timeout=timeout)
    assert set(result.timed_out) == {EP, "ep-2"}
    assert api.requests
    assert time.now - start <= max(timeout, 0.5) + latency


@pytest.mark.parametrize(("timeout", "latency"), SHORT_WAITS)
def test_async_a_wait_shorter_than_a_request_ends_within_half_a_second(timeout: float, latency: float) -> None:
    time = Recorder()
    api = _unavailable_api(time, latency)
    start = time.now

    async def run() -> None:
        async with make_async_client(api, time) as client:
            with pytest.raises(fd.WaitTimeoutError):
                await client.endpoints.wait_until_running(EP, timeout=timeout)

    asyncio.run(run())
    assert api.requests
    assert time.now - start <= max(timeout, 0.5) + latency
