"""Creates that scale: many concurrent creates into one project on one client, against the emulator.

Each create must end with its own endpoint (the one with its name), none twice, and the client must
share its listings instead of listing the project per create (the count of requests is bounded by a
constant per endpoint, whatever the number of creates; the benchmark measures the figure).
"""

from __future__ import annotations

import asyncio
import threading
from collections import Counter

import pytest
from hypothesis import given, settings, strategies as st
from virtual_time import run as run_on

import friendli_dedicated as fd
from friendli_dedicated.emulator import Emulator, ManualClock

MODEL = "org/model"


def names_of(emulator: Emulator, client: fd.Client, ids: list[str]) -> list[str]:
    return [client.endpoints.get(endpoint_id).name for endpoint_id in ids]


async def create_many(client: fd.AsyncClient, count: int, project: str = "fleet") -> list[str]:
    endpoints = await asyncio.gather(
        *(client.endpoints.create(project, f"ep-{n}", MODEL, "1x H100") for n in range(count))
    )
    return [endpoint.id for endpoint in endpoints]


@pytest.mark.parametrize("count", [1, 7, 150])
def test_concurrent_async_creates_each_get_their_own_endpoint(count: int) -> None:
    emulator = Emulator(clock=ManualClock(), request_log=None)
    client = emulator.async_client()
    ids = asyncio.run(create_many(client, count))
    assert len(set(ids)) == count
    assert emulator.stats.duplicate_creates() == {}
    with emulator.client() as reader:
        assert names_of(emulator, reader, ids) == [f"ep-{n}" for n in range(count)]
    requests = len(emulator.requests) - count  # the reads above are not the creates'
    assert requests <= 3 * count + 2, f"{requests} requests for {count} creates"


def test_concurrent_creates_into_a_project_that_already_has_many_endpoints() -> None:
    emulator = Emulator(clock=ManualClock(), request_log=None)
    setup = emulator.async_client()
    asyncio.run(create_many(setup, 250))  # 3 pages of existing endpoints
    before = len(emulator.requests)
    client = emulator.async_client()  # a new client knows nothing of the project yet
    ids = asyncio.run(create_many(client, 50))
    spent = len(emulator.requests) - before
    # One listing of what exists (3 pages), then about one request for each create and one for each
    # name: not a listing of 250+ endpoints per create.
    assert spent <= 3 * 50 + 6, spent
    with emulator.client() as reader:
        assert names_of(emulator, reader, ids) == [f"ep-{n}" for n in range(50)]


def test_concurrent_sync_creates_from_threads() -> None:
    emulator = Emulator(clock=ManualClock(), request_log=None)
    client = emulator.client()
    results: dict[int, str] = {}
    errors: list[BaseException] = []

    def worker(first: int) -> None:
        try:
            for n in range(first, first + 10):
                results[n] = client.endpoints.create("fleet", f"ep-{n}", MODEL, "1x H100").id
        except BaseException as exc:  # reported below, with the thread's exception
            errors.append(exc)

    threads = [threading.Thread(target=worker, args=(10 * t,)) for t in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert len(set(results.values())) == 80
    assert emulator.stats.duplicate_creates() == {}
    ids = [results[n] for n in range(80)]
    assert names_of(emulator, client, ids) == [f"ep-{n}" for n in range(80)]


def test_two_creates_of_the_same_name_each_get_one_of_the_two_endpoints() -> None:
    emulator = Emulator(clock=ManualClock())
    client = emulator.async_client()

    async def twice() -> list[fd.AsyncEndpoint]:
        return list(
            await asyncio.gather(*(client.endpoints.create("fleet", "same", MODEL, "1x H100") for _ in range(2)))
        )

    first, second = asyncio.run(twice())
    assert {first.id, second.id} == set(emulator.endpoint_ids())


def test_a_failed_create_among_many_does_not_disturb_the_others() -> None:
    emulator = Emulator(clock=ManualClock())
    emulator.inject("create", status=500, times=1)  # the first create sent fails, outcome unknown
    client = emulator.async_client()

    async def run() -> list[object]:
        return list(
            await asyncio.gather(
                *(client.endpoints.create("fleet", f"ep-{n}", MODEL, "1x H100") for n in range(20)),
                return_exceptions=True,
            )
        )

    outcomes = asyncio.run(run())
    kinds = Counter(type(outcome).__name__ for outcome in outcomes)
    assert kinds == {"AsyncEndpoint": 19, "EndpointCreationUnresolvedError": 1}
    assert len(emulator.endpoint_ids()) == 19


def test_rate_limited_creates_all_land_once_and_the_client_paces_itself() -> None:
    clock = ManualClock()
    emulator = Emulator(clock=clock, rate_limit=5)
    # Every task's sleep moves the one manual clock, so time runs fast here: deadlines are generous.
    client = emulator.async_client(timeout=36_000)
    ids = asyncio.run(create_many(client, 40))
    assert len(set(ids)) == 40
    assert emulator.stats.duplicate_creates() == {}
    assert emulator.stats.rate_limited > 0  # the limit was met (the benchmark measures the share of 429s)
    assert client._sender.gate.interval > 0  # and the client now paces its requests


# -- a burst against a rate limit, on virtual time ------------------------------------------------
def burst(rate: float, count: int, in_flight: int | None = None, **settings: object) -> tuple[Emulator, list[object]]:
    """``count`` creates started at once (``in_flight`` at a time, else all) against ``rate_limit=rate``,
    on a loop whose time is the emulator's ``ManualClock`` (``virtual_time``: concurrent waits overlap)."""
    clock = ManualClock()
    emulator = Emulator(clock=clock, rate_limit=rate, request_log=None)
    client = emulator.async_client(sleep=asyncio.sleep, clock=clock, **settings)
    slots = asyncio.Semaphore(in_flight or count)

    async def create(n: int) -> fd.AsyncEndpoint:
        async with slots:
            return await client.endpoints.create("fleet", f"ep-{n}", MODEL, "1x H100")

    async def run() -> list[object]:
        return list(await asyncio.gather(*(create(n) for n in range(count)), return_exceptions=True))

    return emulator, run_on(clock, run())


def pace(emulator: Emulator, rate: float) -> float:
    """The rate at which the server admitted the burst, as a share of its limit: admissions beyond the
    bucket's first ``max(rate, 1)`` over the time they took (at most 1.0: a token bucket admits no more)."""
    admitted = [request.time for request in emulator.requests if request.status != 429]
    return (len(admitted) - max(rate, 1.0)) / (admitted[-1] - admitted[0]) / rate


@pytest.mark.parametrize("in_flight", [None, 50], ids=["all-at-once", "50-in-flight"])
def test_a_burst_of_creates_meets_the_rate_limit_and_settles_just_under_it(in_flight: int | None) -> None:
    # 200 creates against 50 requests a second, with the client's default retries and deadline: the
    # gate paces the burst instead of letting creates fail with RateLimitError, or with
    # RequestTimeoutError because their turn came after their deadline.
    emulator, outcomes = burst(50, 200, in_flight)
    assert Counter(type(outcome).__name__ for outcome in outcomes) == {"AsyncEndpoint": 200}
    assert emulator.stats.duplicate_creates() == {}
    assert 0.95 <= pace(emulator, 50) <= 1.0  # about (requests - 50) / 50 seconds: no time lost
    assert emulator.stats.rate_limited <= 5  # the limit met once, then paced


@settings(max_examples=10, deadline=None, derandomize=True)
@given(rate=st.floats(min_value=2, max_value=150), size=st.floats(min_value=1.2, max_value=6))
def test_bursts_settle_just_under_any_rate_limit(rate: float, size: float) -> None:
    # A burst of N creates against R a second takes some 2.2 N / R seconds (a create is about two
    # requests): the SDK's default deadline, 60 s, not the 5 s the in-process client inherits from
    # httpx (a limit of 2 a second cannot admit 10 creates in 5 s, however well paced).
    count = min(round(size * rate), 250)
    emulator, outcomes = burst(rate, count, timeout=60)
    assert Counter(type(outcome).__name__ for outcome in outcomes) == {"AsyncEndpoint": count}
    assert 0.8 <= pace(emulator, rate) <= 1.0 + 1e-6
    assert emulator.stats.rate_limited <= 8 + 0.02 * len(emulator.requests)
