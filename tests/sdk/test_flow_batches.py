"""A flow's ``Batch`` step: its jobs at once, bounded, in both clients (threads, tasks), on the emulator.

What the drivers promise (``_flows.Batch``): at most ``limit`` jobs in flight, started in order, one
``Finished`` per job in order, a ``FriendliError`` kept as that job's outcome (the others go on), a
job's flow built when it starts, and an error that is no ``FriendliError`` raised once the jobs in
flight have ended.
"""

from __future__ import annotations

import asyncio
import functools
from typing import Any

import pytest

import friendli_dedicated as fd
from friendli_dedicated import _calls as calls, _flows as flows
from friendli_dedicated._flows import Batch, Finished, Flow, Job
from friendli_dedicated.emulator import Emulator, ManualClock


class Tracker:
    def __init__(self) -> None:
        self.in_flight = 0
        self.most = 0
        self.started: list[int] = []
        self.ended: list[int] = []
        self.built: list[int] = []

    def start(self, index: int) -> None:
        self.in_flight += 1
        self.most = max(self.most, self.in_flight)
        self.started.append(index)

    def done(self, index: int, finished: Finished) -> None:
        self.in_flight -= 1
        self.ended.append(index)


def reads(ids: list[str], tracker: Tracker, limit: int) -> Flow[list[Finished]]:
    def job(index: int, endpoint_id: str) -> tuple[Flow[Any], None]:
        tracker.built.append(index)
        return flows.call_flow(calls.spec(endpoint_id, None)), None

    jobs = [Job(functools.partial(job, n, endpoint_id)) for n, endpoint_id in enumerate(ids)]
    finished: list[Finished] = yield Batch(jobs, limit, started=tracker.start, done=tracker.done)
    return finished


def fleet(emu: Emulator, count: int) -> list[str]:
    with emu.client() as client:
        return [client.endpoints.create("p", f"e{n}", "org/model", "1x H100").id for n in range(count)]


@pytest.mark.parametrize("limit", [1, 3, 8])
def test_the_sync_client_runs_a_batch_bounded_in_order_keeping_errors(limit: int) -> None:
    emu = Emulator(clock=ManualClock())
    ids = fleet(emu, 6)
    ids.insert(2, "ep-missing")
    tracker = Tracker()
    with emu.client() as client:
        finished = client._drive(reads(ids, tracker, limit))
    assert tracker.most <= limit
    assert tracker.started == list(range(len(ids)))
    assert tracker.built == list(range(len(ids)))
    assert sorted(tracker.ended) == list(range(len(ids)))
    assert isinstance(finished[2].error, fd.NotFoundError)
    assert [f.value.name for n, f in enumerate(finished) if n != 2] == [f"e{n}" for n in range(6)]


@pytest.mark.parametrize("limit", [1, 3, 8])
def test_the_async_client_runs_the_same_batch_the_same_way(limit: int) -> None:
    emu = Emulator(clock=ManualClock())
    ids = fleet(emu, 6)
    ids.insert(2, "ep-missing")
    tracker = Tracker()

    async def run() -> list[Finished]:
        async with emu.async_client() as client:
            return await client._drive(reads(ids, tracker, limit))

    finished = asyncio.run(run())
    assert tracker.most <= limit
    assert tracker.started == list(range(len(ids)))
    assert isinstance(finished[2].error, fd.NotFoundError)
    assert [f.value.name for n, f in enumerate(finished) if n != 2] == [f"e{n}" for n in range(6)]


def test_a_bug_in_a_job_is_raised_not_kept() -> None:
    emu = Emulator(clock=ManualClock())
    ids = fleet(emu, 3)

    def broken() -> Flow[Any]:
        raise_it: Any = None
        yield calls.spec(ids[0], None)
        return raise_it.name  # AttributeError: a bug, not an outcome

    def flow() -> Flow[Any]:
        jobs = [
            Job(lambda: (broken(), None)),
            *(Job(functools.partial(lambda i: (flows.call_flow(calls.spec(i, None)), None), i)) for i in ids),
        ]
        return (yield Batch(jobs, 2))

    with emu.client() as client, pytest.raises(AttributeError):
        client._drive(flow())

    async def run() -> None:
        async with emu.async_client() as client:
            await client._drive(flow())

    with pytest.raises(AttributeError):
        asyncio.run(run())


def test_ctrl_c_starts_nothing_more_and_lets_what_is_in_flight_end() -> None:
    emu = Emulator(clock=ManualClock())
    ids = fleet(emu, 8)
    tracker = Tracker()
    interrupted: list[list[int]] = []

    def done(index: int, finished: Finished) -> None:
        tracker.done(index, finished)
        if index == 0:
            raise KeyboardInterrupt

    def flow() -> Flow[Any]:
        jobs = [Job(functools.partial(lambda i: (flows.call_flow(calls.spec(i, None)), None), i)) for i in ids]
        return (yield Batch(jobs, 3, started=tracker.start, done=done, interrupted=interrupted.append))

    with emu.client() as client, pytest.raises(KeyboardInterrupt):
        client._drive(flow())
    assert tracker.started == [0, 1, 2]  # nothing started after Ctrl-C
    assert len(interrupted) == 1
    assert sorted(tracker.ended) == sorted(tracker.started)  # those in flight ended, and were reported
