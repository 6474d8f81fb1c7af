"""Creates under concurrency, cancellation and faults: right, or saying that they cannot be, in time.

The hostile cases of a shared create machinery (``_creates``, ``_coordination``, ``_project_view``):

- a create cancelled (a task) or interrupted (Ctrl-C in a thread) at any request never leaves the
  others of its client waiting: what it owned (a listing round, a specification being read, its
  place in its name's queue) is given back and taken over;
- two creates of one name on one client never get each other's endpoints, even when they differ
  only in what the specification does not show (the model);
- a create whose outcome is unknown never claims an endpoint that another client made;
- one deadline covers all of a create's requests;
- a seeded stress over all of it, across two clients: no hang, no create returns an endpoint that
  another create made or that differs from what it asked, no create makes two.

Every endpoint made is traced to the create that made it by its version comment (``tag-N``), which
the emulator keeps and the API's specification does not show.
"""

from __future__ import annotations

import asyncio
import itertools
import random
import threading
from collections import Counter
from collections.abc import Awaitable, Callable
from typing import Any

import httpx
import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

import friendli_dedicated as fd
from friendli_dedicated.emulator import DEFAULT_TEAM, DEFAULT_TOKEN, Emulator, Faults, ManualClock
from friendli_dedicated.emulator._inprocess import BASE_URL

PROJECT = "races"
Unresolved = fd.EndpointCreationUnresolvedError
HANG = 60.0  # real seconds after which a run counts as hung (in-process runs take milliseconds)


class Interrupted(BaseException):
    """Stands for Ctrl-C in a thread: not an Exception, so nothing in the SDK may swallow it."""


class Chaos(httpx.BaseTransport, httpx.AsyncBaseTransport):
    """The emulator's transport, with something done at chosen requests (numbered from 1, all clients).

    ``plan[n]`` is what happens to request n: ``"cancel"`` (the task is cancelled before it is sent),
    ``"cancel-after"`` (it is handled, then the task is cancelled: the reply is lost), ``"interrupt"``
    and ``"interrupt-after"`` (the same with ``Interrupted``, for threads), ``"lose"`` (handled, then
    the reply is lost as a read timeout). ``after_posts`` are awaited in turn, each after a create
    (a POST) was handled and before its reply is returned.
    """

    def __init__(self, emulator: Emulator, plan: dict[int, str] | None = None) -> None:
        self.inner = emulator.transport()
        self.plan = plan or {}
        self.after_posts: list[Callable[[], Awaitable[Any]]] = []
        self.count = itertools.count(1)
        self.lock = threading.Lock()

    def _next(self) -> tuple[int, str | None]:
        with self.lock:
            number = next(self.count)
        return number, self.plan.get(number)

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        _number, action = self._next()
        if action == "interrupt":
            raise Interrupted
        response = self.inner.handle_request(request)
        if action == "interrupt-after":
            raise Interrupted
        if action == "lose":
            raise httpx.ReadTimeout("reply lost", request=request)
        return response

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        _number, action = self._next()
        task = asyncio.current_task()
        assert task is not None
        await asyncio.sleep(0)  # a request takes a turn of the event loop, as one over a network does
        if action == "cancel":
            task.cancel()
            await asyncio.sleep(0)
        response = await self.inner.handle_async_request(request)
        await asyncio.sleep(0)
        if request.method == "POST" and self.after_posts:
            await self.after_posts.pop(0)()
        if action == "cancel-after":
            task.cancel()
            await asyncio.sleep(0)
        if action == "lose":
            raise httpx.ReadTimeout("reply lost", request=request)
        return response


def async_client(emulator: Emulator, transport: Chaos, **options: Any) -> fd.AsyncClient:
    http = httpx.AsyncClient(transport=transport)
    return fd.AsyncClient(
        token=DEFAULT_TOKEN,
        team_id=DEFAULT_TEAM,
        base_url=BASE_URL,
        allow_insecure=True,
        http_client=http,
        clock=emulator.clock,
        sleep=emulator.async_sleep,
        **options,
    )


def sync_client(emulator: Emulator, transport: Chaos, **options: Any) -> fd.Client:
    return fd.Client(
        token=DEFAULT_TOKEN,
        team_id=DEFAULT_TEAM,
        base_url=BASE_URL,
        allow_insecure=True,
        http_client=httpx.Client(transport=transport),
        clock=emulator.clock,
        sleep=emulator.sleep,
        **options,
    )


def made_by(emulator: Emulator) -> dict[str, str]:
    """Endpoint id -> the tag of the create that made it (its first version's comment)."""
    return {record.endpoint_id: record.versions[0].comment for record in emulator._operations.endpoints.values()}


def assert_views_released(client: fd.Client | fd.AsyncClient) -> None:
    """Nothing is left owned in the client's views once no create is in flight."""
    for view in client._creates._views.values():
        assert view.round_in_flight is None
        assert view.reading == set()
        assert view.queues == {}
        assert (view.posting, view.waiting) == (0, 0)


def check_outcomes(emulator: Emulator, asked: list[tuple[str, str, int]], outcomes: list[object]) -> None:
    """Each create that returned got the endpoint it made, with what it asked; none made two.

    ``asked[i]`` is (name, model, max_batch_size) of the create tagged ``tag-i``. An
    ``EndpointCreationUnresolvedError`` is allowed (the create said it could not tell), never a wrong id.
    """
    makers = made_by(emulator)
    tagged = Counter(tag for tag in makers.values() if tag is not None and tag.startswith("tag-"))
    assert max(tagged.values(), default=0) <= 1, "a create made two endpoints"
    records = emulator._operations.endpoints
    returned = [outcome.id for outcome in outcomes if isinstance(outcome, fd.Endpoint | fd.AsyncEndpoint)]
    assert len(returned) == len(set(returned)), "an endpoint was returned to two creates"
    for tag, outcome in enumerate(outcomes):
        if isinstance(outcome, fd.Endpoint | fd.AsyncEndpoint):
            assert makers[outcome.id] == f"tag-{tag}", f"tag-{tag} got the endpoint of {makers[outcome.id]}"
            record = records[outcome.id]
            name, model, batch = asked[tag]
            assert (record.name, record.model, record.advanced["max_batch_size"]) == (name, model, batch)


# -- cancellation at every request -------------------------------------------------------------------
ASKED = [("a", "org/one", 64), ("b", "org/one", 64), ("a", "org/two", 128), ("c", "org/two", 64)]


async def create_all(
    client: fd.AsyncClient, asked: list[tuple[str, str, int]], *, start: int = 0
) -> list[asyncio.Task[fd.AsyncEndpoint]]:
    return [
        asyncio.create_task(
            client.endpoints.create(PROJECT, name, model, "1x H100", max_batch_size=batch, comment=f"tag-{start + n}")
        )
        for n, (name, model, batch) in enumerate(asked)
    ]


def requests_of_a_clean_run() -> int:
    emulator = Emulator(clock=ManualClock(), seed=1)
    transport = Chaos(emulator)

    async def run() -> None:
        client = async_client(emulator, transport)
        await asyncio.gather(*await create_all(client, ASKED))

    asyncio.run(run())
    return next(transport.count) - 1


def cut_async_run(at: int, mode: str) -> None:
    """The four creates of ``ASKED`` on one async client, with request ``at`` cut short by ``mode``."""
    emulator = Emulator(clock=ManualClock(), seed=1)
    transport = Chaos(emulator, {at: mode})

    async def run() -> tuple[list[object], fd.AsyncClient]:
        client = async_client(emulator, transport)
        tasks = await create_all(client, ASKED)
        async with asyncio.timeout(HANG):
            outcomes = await asyncio.gather(*tasks, return_exceptions=True)
        return list(outcomes), client

    outcomes, client = asyncio.run(run())
    assert sum(isinstance(o, asyncio.CancelledError) for o in outcomes) <= 1, (at, outcomes)
    assert all(isinstance(o, fd.AsyncEndpoint | Unresolved | asyncio.CancelledError) for o in outcomes), outcomes
    # The one cut short, and at most its sibling of the same name, may not get an endpoint.
    assert sum(isinstance(o, fd.AsyncEndpoint) for o in outcomes) >= len(ASKED) - 2, (at, outcomes)
    check_outcomes(emulator, ASKED, outcomes)
    assert_views_released(client)
    orphans = set(made_by(emulator)) - {o.id for o in outcomes if isinstance(o, fd.AsyncEndpoint)}
    for outcome in outcomes:
        if isinstance(outcome, Unresolved):
            # Said only because an endpoint of its name exists that no create returned.
            assert any(emulator._operations.endpoints[i].name == outcome.name for i in orphans), (at, outcome)


@pytest.mark.parametrize("mode", ["cancel", "cancel-after", "lose"])
def test_a_create_cut_short_at_any_request_never_holds_up_the_others(mode: str) -> None:
    total = requests_of_a_clean_run()
    assert total >= len(ASKED) * 2  # a listing, the creates, their specifications
    for at in range(1, total + 1):
        cut_async_run(at, mode)


def in_threads(client: fd.Client, asked: list[tuple[str, str, int]], *, barrier: bool = False) -> list[object]:
    """``asked`` created from one thread each (tagged ``tag-N``); each one's endpoint or exception."""
    outcomes: list[object] = [None] * len(asked)
    start = threading.Barrier(len(asked))

    def worker(n: int, name: str, model: str, batch: int) -> None:
        if barrier:
            start.wait()
        try:
            outcomes[n] = client.endpoints.create(
                PROJECT, name, model, "1x H100", max_batch_size=batch, comment=f"tag-{n}"
            )
        except (Interrupted, fd.FriendliError) as exc:
            outcomes[n] = exc

    threads = [threading.Thread(target=worker, args=(n, *each), daemon=True) for n, each in enumerate(asked)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(HANG)
    assert not any(thread.is_alive() for thread in threads), "a create hung"
    return outcomes


@pytest.mark.parametrize("mode", ["interrupt", "interrupt-after"])
def test_a_thread_interrupted_at_any_request_never_holds_up_the_others(mode: str) -> None:
    total = requests_of_a_clean_run()
    for at in range(1, total + 1):
        emulator = Emulator(clock=ManualClock(), seed=1)
        client = sync_client(emulator, Chaos(emulator, {at: mode}))
        outcomes = in_threads(client, ASKED)
        assert sum(isinstance(o, Interrupted) for o in outcomes) <= 1
        assert sum(isinstance(o, fd.Endpoint) for o in outcomes) >= len(ASKED) - 2, (at, outcomes)
        check_outcomes(emulator, ASKED, outcomes)
        assert_views_released(client)


def test_a_cancelled_round_is_taken_over_by_a_create_already_waiting_for_it() -> None:
    """The create that runs the shared listing is cancelled mid-listing: the others list themselves."""
    emulator = Emulator(clock=ManualClock(), seed=1)
    transport = Chaos(emulator)

    async def run() -> list[object]:
        setup = async_client(emulator, Chaos(emulator))
        await asyncio.gather(*(setup.endpoints.create(PROJECT, f"old-{n}", "org/m", "H100") for n in range(150)))
        client = async_client(emulator, transport)  # knows nothing: its first creates list 2 pages
        transport.plan = {2: "cancel"}  # the second page of the baseline listing
        tasks = await create_all(client, ASKED)
        async with asyncio.timeout(HANG):
            return list(await asyncio.gather(*tasks, return_exceptions=True))

    outcomes = asyncio.run(run())
    assert sum(isinstance(o, asyncio.CancelledError) for o in outcomes) == 1
    assert sum(isinstance(o, fd.AsyncEndpoint) for o in outcomes) == len(ASKED) - 1
    check_outcomes(emulator, ASKED, outcomes)


# -- same name, one client -----------------------------------------------------------------------------
async def gathered(client: fd.AsyncClient, asked: list[tuple[str, str, int]]) -> list[object]:
    await client.endpoints.create(PROJECT, "warm-up", "org/m", "H100")  # the project is listed: both go at once
    return list(await asyncio.gather(*await create_all(client, asked)))


@pytest.mark.parametrize("order", [0, 1])
def test_creates_of_one_name_differing_only_in_model_each_get_their_own(order: int) -> None:
    asked = [("same", "org/one", 64), ("same", "org/two", 64)][:: -1 if order else 1]
    for _trial in range(10):
        emulator = Emulator(clock=ManualClock())
        outcomes = asyncio.run(gathered(async_client(emulator, Chaos(emulator)), asked))
        check_outcomes(emulator, asked, outcomes)


def test_threads_creating_one_name_with_other_batch_sizes_each_get_their_own() -> None:
    asked = [("same", "org/one", 64), ("same", "org/one", 128), ("same", "org/two", 256)]
    for _trial in range(10):
        emulator = Emulator(clock=ManualClock())
        outcomes = in_threads(sync_client(emulator, Chaos(emulator)), asked, barrier=True)
        assert all(isinstance(o, fd.Endpoint) for o in outcomes), outcomes
        check_outcomes(emulator, asked, outcomes)


def test_a_create_never_claims_an_endpoint_that_differs_from_what_it_asked() -> None:
    """Another client made an endpoint of the same name with another batch size: not ours to claim."""
    emulator = Emulator(clock=ManualClock())
    transport = Chaos(emulator)
    other = async_client(emulator, Chaos(emulator))

    async def run() -> fd.AsyncEndpoint:
        client = async_client(emulator, transport)
        await client.endpoints.create(PROJECT, "warm-up", "org/m", "H100")  # the view is listed
        # Right after our create is handled, the other client makes one like it but for the batch size.
        transport.after_posts.append(
            lambda: other.endpoints.create(PROJECT, "chat", "org/m", "H100", max_batch_size=128, comment="theirs")
        )
        return await client.endpoints.create(PROJECT, "chat", "org/m", "H100", max_batch_size=64, comment="ours")

    ours = asyncio.run(run())
    assert made_by(emulator)[ours.id] == "ours"


# -- across clients ---------------------------------------------------------------------------------------
def test_a_create_answered_503_never_claims_another_clients_endpoint() -> None:
    emulator = Emulator(clock=ManualClock())
    transport = Chaos(emulator)
    theirs: list[fd.AsyncEndpoint] = []

    async def their_create() -> None:
        other = async_client(emulator, Chaos(emulator))
        theirs.append(await other.endpoints.create(PROJECT, "chat", "org/m", "H100", comment="theirs"))

    async def run() -> None:
        client = async_client(emulator, transport)
        # Our create is refused with 503 (nothing made); before we hear so, the other client creates
        # an endpoint like it.
        emulator.inject("create", status=503)
        transport.after_posts.append(their_create)
        await client.endpoints.create(PROJECT, "chat", "org/m", "H100", comment="ours")

    with pytest.raises(fd.EndpointCreationUnresolvedError, match="another client") as info:
        asyncio.run(run())
    assert [r.status for r in emulator.requests_for("create")] == [503, 200]
    (their_endpoint,) = theirs
    assert info.value.candidates == (their_endpoint.id,)
    assert made_by(emulator) == {their_endpoint.id: "theirs"}


async def two_clients_at_once(emulator: Emulator, seed: int) -> list[object]:
    clients = [async_client(emulator, Chaos(emulator)) for _ in range(2)]
    order = [clients[0], clients[1], clients[0], clients[1]]
    random.Random(seed).shuffle(order)
    tasks = [
        asyncio.create_task(
            client.endpoints.create(PROJECT, "chat", "org/m", "H100", max_batch_size=64, comment=f"tag-{n}")
        )
        for n, client in enumerate(order)
    ]
    return list(await asyncio.gather(*tasks, return_exceptions=True))


def test_two_clients_creating_the_same_at_once_never_get_each_others() -> None:
    for seed in range(20):
        emulator = Emulator(clock=ManualClock(), seed=seed)
        outcomes = asyncio.run(two_clients_at_once(emulator, seed))
        assert all(isinstance(o, fd.AsyncEndpoint | Unresolved) for o in outcomes), outcomes
        check_outcomes(emulator, [("chat", "org/m", 64)] * 4, outcomes)


# -- one deadline ---------------------------------------------------------------------------------------------
class SlowServer(httpx.BaseTransport):
    """A project of ``pages`` full pages of endpoints; every answer takes ``latency`` seconds of ``clock``."""

    def __init__(self, clock: ManualClock, latency: float, pages: int) -> None:
        self.clock, self.latency, self.pages, self.sent = clock, latency, pages, 0

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        self.sent += 1
        self.clock.advance(self.latency)
        page = int(request.url.params.get("cursor") or 0)
        status = {"status": "RUNNING", "createdAt": "2026-01-01T00:00:00Z"}
        data = {f"ep-{page}-{n}": status for n in range(100)}
        following = str(page + 1) if page + 1 < self.pages else None
        return httpx.Response(200, json={"data": data, "nextCursor": following})


def test_a_create_keeps_one_deadline_for_all_its_requests() -> None:
    clock = ManualClock()
    slow = SlowServer(clock, latency=0.3, pages=10)
    client = fd.Client(
        token=DEFAULT_TOKEN,
        base_url=BASE_URL,
        allow_insecure=True,
        http_client=httpx.Client(transport=slow),
        clock=clock,
        sleep=lambda seconds: clock.advance(seconds),
        timeout=1,
    )
    start = clock()
    with pytest.raises(fd.RequestTimeoutError):  # not Unresolved: the create was never sent
        client.endpoints.create(PROJECT, "late", "org/m", "H100")
    assert clock() - start <= 1 + 0.3  # the request in flight at the deadline is the last
    assert slow.sent <= 4  # of the 10 pages, and never the create


def test_a_create_whose_listing_lags_gives_up_at_its_deadline_not_after_every_pause() -> None:
    clock = ManualClock()
    emulator = Emulator(clock=clock)

    class HidesNewEndpoints(httpx.BaseTransport):
        """The listing shows nothing made after the first listing (a listing that lags for ever)."""

        def __init__(self) -> None:
            self.inner = emulator.transport()

        def handle_request(self, request: httpx.Request) -> httpx.Response:
            if request.method == "GET" and request.url.path.endswith("/endpoint"):
                return httpx.Response(200, json={"data": {}, "nextCursor": None})
            return self.inner.handle_request(request)

    client = fd.Client(
        token=DEFAULT_TOKEN,
        team_id=DEFAULT_TEAM,
        base_url=BASE_URL,
        allow_insecure=True,
        http_client=httpx.Client(transport=HidesNewEndpoints()),
        clock=clock,
        sleep=emulator.sleep,
        timeout=1.2,
    )
    start = clock()
    with pytest.raises(fd.EndpointCreationUnresolvedError, match="deadline"):
        client.endpoints.create(PROJECT, "lagging", "org/m", "H100")
    assert clock() - start <= 1.2  # not 0.5 + 1 + 2 seconds of pauses


# -- the stress: random names, clients, cancellations, lost replies and faults ---------------------------------
TIMEOUT = 120.0
CREATE = st.tuples(
    st.sampled_from(["a", "b", "c"]),  # names, so some are shared
    st.sampled_from(["org/one", "org/two"]),
    st.sampled_from([64, 128]),
    st.integers(0, 1),  # which client
)


@settings(max_examples=40, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.too_slow])
@given(
    creates=st.lists(CREATE, min_size=2, max_size=8),
    cuts=st.dictionaries(st.integers(1, 40), st.sampled_from(["cancel", "cancel-after", "lose"]), max_size=4),
    fault_rate=st.sampled_from([0.0, 0.1, 0.3]),
    seed=st.integers(0, 2**16),
)
def test_stress_concurrent_creates_are_right_or_say_they_cannot_be(
    creates: list[tuple[str, str, int, int]], cuts: dict[int, str], fault_rate: float, seed: int
) -> None:
    emulator = Emulator(
        clock=ManualClock(), seed=seed, faults=Faults(rate=fault_rate, kinds=("429", "503", "drop"), seed=seed)
    )
    transport = Chaos(emulator, cuts)  # both clients share it: the cuts fall on either
    asked = [(name, model, batch) for name, model, batch, _ in creates]

    clock = emulator.clock
    overshoot: list[float] = []

    async def create(client: fd.AsyncClient, n: int, name: str, model: str, batch: int) -> fd.AsyncEndpoint:
        start = clock()
        try:
            return await client.endpoints.create(
                PROJECT, name, model, "1x H100", max_batch_size=batch, comment=f"tag-{n}"
            )
        finally:
            overshoot.append(clock() - start - TIMEOUT)

    async def run() -> list[object]:
        clients = [async_client(emulator, transport, timeout=TIMEOUT) for _ in range(2)]
        tasks = [
            asyncio.create_task(create(clients[which], n, name, model, batch))
            for n, (name, model, batch, which) in enumerate(creates)
        ]
        async with asyncio.timeout(HANG):
            outcomes = list(await asyncio.gather(*tasks, return_exceptions=True))
        for client in clients:
            assert_views_released(client)
        return outcomes

    outcomes = asyncio.run(run())
    # On a manual clock, other creates' sleeps move time too: a create may see its deadline late by one
    # of them (a backoff of at most 8 s), never by more.
    assert max(overshoot) <= 8.0
    for outcome in outcomes:
        assert isinstance(outcome, fd.AsyncEndpoint | fd.FriendliError | asyncio.CancelledError), repr(outcome)
    check_outcomes(emulator, asked, outcomes)
