"""Every multi-call operation cancelled at every request leaves its client as good as new.

A task cancelled between two requests of an operation (a page of a listing, the read before an
update, a poll of a wait, a fleet's listing, a create's lookups) must give back whatever it held
of its client's shared state (the create lookups, the 429 gate's turns): the same client then does
every operation again, in time. The cancellation falls before a request is sent, and again after its
reply arrived (the server acted, the caller never heard).
"""

from __future__ import annotations

import asyncio
import itertools
from collections.abc import Awaitable, Callable

import httpx
import pytest

import friendli_dedicated as fd
from friendli_dedicated.emulator import DEFAULT_TEAM, DEFAULT_TOKEN, Emulator, ManualClock
from friendli_dedicated.emulator._inprocess import BASE_URL

HANG = 60.0  # real seconds after which a run counts as hung (in-process runs take milliseconds)
Operation = Callable[[fd.AsyncClient, list[str]], Awaitable[object]]


class CancelAt(httpx.AsyncBaseTransport):
    """The emulator's transport; the task sending request ``at`` (counted from 1) is cancelled there."""

    def __init__(self, emulator: Emulator, at: int | None, after: bool) -> None:
        self.inner, self.at, self.after = emulator.transport(), at, after
        self.count = itertools.count(1)

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        number = next(self.count)
        task = asyncio.current_task()
        assert task is not None
        if number == self.at and not self.after:
            task.cancel()
        await asyncio.sleep(0)
        response = await self.inner.handle_async_request(request)
        if number == self.at and self.after:
            task.cancel()
            await asyncio.sleep(0)
        return response


NAMES = itertools.count()


async def create(client: fd.AsyncClient, ids: list[str]) -> object:
    # A new name each time: one made by a create cancelled after its POST stays unclaimed, and a
    # later create of its name could not tell the two apart.
    return await client.endpoints.create("proj", f"new-{next(NAMES)}", "org/model", "H100", max_batch_size=64)


async def listing(client: fd.AsyncClient, ids: list[str]) -> object:
    return [ep.id async for ep in client.endpoints.list("proj", page_size=2)]


async def update(client: fd.AsyncClient, ids: list[str]) -> object:
    return await client.endpoints.update(ids[0], max_batch_size=32)  # reads the spec first, then puts


async def wait_one(client: fd.AsyncClient, ids: list[str]) -> object:
    return await client.endpoints.wait_until_running(ids[0], timeout=600)


async def wait_fleet(client: fd.AsyncClient, ids: list[str]) -> object:
    return await client.endpoints.wait_all(ids, timeout=600)  # bare ids: each one's project is read first


async def create_or_find(client: fd.AsyncClient, ids: list[str]) -> object:
    # An existing name (no create), then a new one: the lookup of exist_ok, then a create after it.
    await client.endpoints.create("proj", "ep-1", "org/model", "H100", exist_ok=True)
    return await client.endpoints.create("proj", f"new-{next(NAMES)}", "org/model", "H100", exist_ok=True)


async def find(client: fd.AsyncClient, ids: list[str]) -> object:
    return await client.endpoints.find("proj", "ep-2")  # a full listing, then the specifications


async def wait_for_a_status(client: fd.AsyncClient, ids: list[str]) -> object:
    return await client.endpoints.wait_until(ids[3], fd.Status.RUNNING, timeout=600)


async def wait_serving(client: fd.AsyncClient, ids: list[str]) -> object:
    return await client.endpoints.wait_until_running(ids[1], timeout=600, serving=True)  # polls, then a check


async def short_lived(client: fd.AsyncClient, ids: list[str]) -> object:
    # Create, wait until it serves, terminate: a cancellation anywhere still leaves the client as good as new.
    async with client.endpoints.ephemeral("proj", f"brief-{next(NAMES)}", "org/model", "H100", timeout=600) as ep:
        return ep.id


OPERATIONS: dict[str, Operation] = {
    "create": create,
    "create_exist_ok": create_or_find,
    "find": find,
    "list": listing,
    "update": update,
    "wait_until_running": wait_one,
    "wait_until_running_serving": wait_serving,
    "ephemeral": short_lived,
    "wait_until": wait_for_a_status,
    "wait_all": wait_fleet,
}


def run(name: str, at: int | None, after: bool) -> int:
    """Run operation ``name`` cancelled at request ``at``, then every operation on the same client.

    Returns how many requests the operation sent (when not cancelled).
    """
    emulator = Emulator(clock=ManualClock(), seed=7)
    with emulator.client() as setup:
        ids = [setup.endpoints.create("proj", f"ep-{n}", "org/model", "H100").id for n in range(5)]
    emulator.advance(600)  # all RUNNING: the waits are short, and the update makes one deploy again
    transport = CancelAt(emulator, at, after)
    client = fd.AsyncClient(
        token=DEFAULT_TOKEN,
        team_id=DEFAULT_TEAM,
        base_url=BASE_URL,
        allow_insecure=True,
        http_client=httpx.AsyncClient(transport=transport),
        clock=emulator.clock,
        sleep=emulator.async_sleep,
        timeout=60,
    )

    async def scenario() -> int:
        async with asyncio.timeout(HANG):
            task = asyncio.create_task(OPERATIONS[name](client, ids))
            try:
                await task
            except asyncio.CancelledError:
                assert at is not None
            sent = next(transport.count) - 1
            transport.at = None
            for again in OPERATIONS.values():  # the same client, as good as new
                start = emulator.clock()
                await again(client, ids)
                assert emulator.clock() - start <= 600
        for view in client._creates._views.values():
            assert (view.round_in_flight, view.reading, getattr(view, "queues", {})) == (None, set(), {})
            assert (view.posting, view.waiting) == (0, 0)  # no create or lookup left counted in flight
        return sent

    return asyncio.run(scenario())


@pytest.mark.parametrize("name", sorted(OPERATIONS))
@pytest.mark.parametrize("after", [False, True], ids=["before-sending", "after-the-reply"])
def test_an_operation_cancelled_at_any_request_leaves_its_client_as_good_as_new(name: str, after: bool) -> None:
    sent = run(name, None, after)
    assert sent >= 1
    for at in range(1, sent + 1):
        run(name, at, after)
