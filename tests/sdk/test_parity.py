"""The async shells are the sync ones, awaited: the same surface, and the same requests for the same calls.

1. Signatures: ``Client``/``AsyncClient``, ``Endpoints``/``AsyncEndpoints`` and
   ``Endpoint``/``AsyncEndpoint`` have the same public methods and properties, in the same order,
   with the same parameters (names, kinds, defaults, annotations once ``Awaitable[...]``,
   ``AsyncIterator`` and the ``Async*`` class names are read as their sync twins).
2. Behaviour: every operation, called on a sync and an async client over the same fake API, sends
   the same requests (method, URL, headers, body), pauses the same, and returns the same result.

So the per-operation request tests live once, in ``test_client_sync.py``; ``test_client_async.py``
keeps what only the async shell does (its sleep, its creates, its waiter, its HTTP client).
"""

from __future__ import annotations

import asyncio
import inspect
import re
from collections.abc import AsyncIterator, Callable, Iterator
from typing import Any

import httpx
import pytest
from fakes import (
    COLLECTION,
    EP,
    TEAM,
    WANDB,
    FakeAPI,
    Recorder,
    fail,
    listing,
    make_async_client,
    make_client,
    reply,
    spec_json,
    status_json,
    wandb_response,
)

import friendli_dedicated as fd

PAIRS = [(fd.Client, fd.AsyncClient), (fd.Endpoints, fd.AsyncEndpoints), (fd.Endpoint, fd.AsyncEndpoint)]
# Methods of the async shells that are plain functions: they send nothing when called (ephemeral returns
# an async context manager, and the OpenAI clients are built without a request).
ASYNC_PLAIN = {"get_handle", "list", "versions", "ephemeral", "openai_client", "async_openai_client"}


def public_members(cls: type) -> dict[str, object]:
    """Public attributes of ``cls`` and its bases (``__init__`` included), base classes first."""
    members: dict[str, object] = {}
    for klass in reversed(cls.__mro__[:-1]):
        for name, value in vars(klass).items():
            if name == "__init__" or not name.startswith("_"):
                members[name] = value
    return members


def own_order(cls: type) -> list[str]:
    return [name for name in vars(cls) if not name.startswith("_")]


def _strip(text: str, wrapper: str) -> str:
    """``wrapper[X]`` -> ``X``, brackets nested in X included."""
    while (start := text.find(wrapper + "[")) != -1:
        depth, end = 0, start + len(wrapper)
        for end in range(start + len(wrapper), len(text)):  # end is read after the loop
            depth += {"[": 1, "]": -1}.get(text[end], 0)
            if depth == 0:
                break
        text = text[:start] + text[start + len(wrapper) + 1 : end] + text[end + 1 :]
    return text


def as_sync(annotation: object) -> str:
    """An annotation of the async shell, read as its sync twin's."""
    text = _strip(str(annotation), "Awaitable").replace("AbstractAsyncContextManager[", "AbstractContextManager[")
    return re.sub(r"\bAsync(?=[A-Z])", "", text)


def shape(function: Callable[..., Any]) -> list[tuple[str, object, object, str]]:
    signature = inspect.signature(function)
    parameters = [
        (parameter.name, parameter.kind, parameter.default, as_sync(parameter.annotation))
        for parameter in signature.parameters.values()
    ]
    return [*parameters, ("return", None, None, as_sync(signature.return_annotation))]


def test_reading_an_annotation_as_its_sync_twin() -> None:
    assert as_sync("Callable[[float], Awaitable[None]] | None") == "Callable[[float], None] | None"
    assert as_sync("AsyncIterator[AsyncListedEndpoint]") == "Iterator[ListedEndpoint]"
    assert as_sync("Awaitable[dict[str, Awaitable[int]]]") == "dict[str, int]"
    assert as_sync("httpx.AsyncClient | None") == "httpx.Client | None"
    assert as_sync("AbstractAsyncContextManager[AsyncRunningEndpoint]") == "AbstractContextManager[RunningEndpoint]"


@pytest.mark.parametrize(("sync", "asynchronous"), PAIRS, ids=lambda cls: cls.__name__)
def test_the_same_public_methods_and_properties_in_the_same_order(sync: type, asynchronous: type) -> None:
    assert list(public_members(sync)) == list(public_members(asynchronous))
    assert own_order(sync) == own_order(asynchronous)


@pytest.mark.parametrize(("sync", "asynchronous"), PAIRS, ids=lambda cls: cls.__name__)
def test_the_same_signatures(sync: type, asynchronous: type) -> None:
    async_members = public_members(asynchronous)
    for name, member in public_members(sync).items():
        twin = async_members[name]
        shared = twin is member  # defined once, in the clients' common base
        if isinstance(member, property):
            assert isinstance(twin, property), name
            assert member.fget is not None
            assert twin.fget is not None
            assert shape(member.fget) == shape(twin.fget), name
            continue
        assert callable(member), name
        assert callable(twin), name
        assert shape(member) == shape(twin), name
        assert not inspect.iscoroutinefunction(member), f"{sync.__name__}.{name} is a coroutine"
        if name != "__init__" and not shared:
            assert inspect.iscoroutinefunction(twin) == (name not in ASYNC_PLAIN), f"{asynchronous.__name__}.{name}"


def test_the_clients_are_context_managers_of_their_kind() -> None:
    assert hasattr(fd.Client, "__enter__")
    assert hasattr(fd.Client, "__exit__")
    assert inspect.iscoroutinefunction(fd.AsyncClient.__aenter__)
    assert inspect.iscoroutinefunction(fd.AsyncClient.__aexit__)


def test_the_same_instance_attributes() -> None:
    sync, asynchronous = fd.Client(token="t"), fd.AsyncClient(token="t")
    assert public_names(sync) == public_names(asynchronous) == {"endpoints"}
    sync_ep, async_ep = sync.endpoints.get_handle(EP), asynchronous.endpoints.get_handle(EP)
    assert public_names(sync_ep) == public_names(async_ep) == {"id", "state", "project_id", "name"}
    sync.close()


def public_names(instance: object) -> set[str]:
    return {name for name in vars(instance) if not name.startswith("_")}


# -- behaviour ---------------------------------------------------------------------------------------
class Sync:
    """Runs a scenario's steps on the sync client: an iterator is read to its end."""

    def __call__(self, value: Any) -> Any:
        result = list(value) if isinstance(value, Iterator) else value
        assert not any(isinstance(item, fd.AsyncEndpoint) for item in _items(result))
        return result


class Async:
    """Runs the same steps on the async client: awaitables awaited, async iterators read, on one loop."""

    def __init__(self) -> None:
        self.loop = asyncio.new_event_loop()

    def __call__(self, value: Any) -> Any:
        if inspect.isawaitable(value):
            value = self.loop.run_until_complete(value)
        elif isinstance(value, AsyncIterator):
            value = self.loop.run_until_complete(self._read(value))
        assert not any(isinstance(item, fd.Endpoint) for item in _items(value))  # handles are AsyncEndpoint
        return value

    @staticmethod
    async def _read(items: AsyncIterator[Any]) -> list[Any]:
        return [item async for item in items]


def _items(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]


def normal(value: Any) -> Any:
    """A result, comparable across the shells: a handle is its type's sync name, id, state and project."""
    if isinstance(value, fd.Endpoint | fd.AsyncEndpoint):
        return (type(value).__name__.removeprefix("Async"), value.id, value.state, value.project_id)
    if isinstance(value, list):
        return [normal(item) for item in value]
    return value


Scenario = Callable[[Any, Callable[[Any], Any]], list[Any]]
SPEC = f"{COLLECTION}/{EP}"
STATUS = f"{SPEC}/status"


def api_for(name: str) -> FakeAPI:
    """The fake API of each scenario (built afresh for each shell: replies are consumed)."""
    api = FakeAPI()
    if name == "lookups":
        api.on("GET", SPEC, reply(200, spec_json())).on("GET", STATUS, reply(200, status_json("AWAKING")))
    elif name == "lifecycle":
        for action in ("sleep", "wake", "terminate", "restart"):
            api.on("PUT", f"{SPEC}/{action}", reply(200, status_json("STOPPING")))
        api.on("DELETE", SPEC, reply(200, {}))
    elif name == "update":
        api.on("GET", SPEC, reply(200, spec_json())).on("PUT", SPEC, reply(200, spec_json("v2")))
    elif name in {"create", "create-resolved"}:
        new = [] if name == "create" else ["ep-x", "ep-y"]
        api.on("GET", COLLECTION, listing("old"), listing("old", *new))
        api.on(
            "POST",
            COLLECTION,
            reply(200, status_json("INITIALIZING", **({"endpointId": "ep-new"} if name == "create" else {}))),
        )
        api.on("GET", f"{COLLECTION}/ep-x", reply(200, spec_json("chat")))
        api.on("GET", f"{COLLECTION}/ep-y", reply(200, spec_json("other")))
    elif name == "create-lost":
        api.on("GET", COLLECTION, listing()).on("POST", COLLECTION, fail(httpx.ReadTimeout), reply(200, status_json()))
    elif name == "wandb":
        api.on("POST", WANDB, reply(200, wandb_response("ep-same")))
    elif name == "pages":
        api.on("GET", COLLECTION, listing("a", "b", cursor="c/1=="), listing("c"), listing("d", cursor="x"))
        api.on(
            "GET",
            f"{SPEC}/version",
            reply(200, {"data": {"v1": spec_json("a")}, "nextCursor": "n"}),
            reply(200, {"data": {"v2": spec_json("b")}, "nextCursor": None}),
        )
    elif name == "handle":
        for action, status in (("sleep", "SLEEPING"), ("wake", "AWAKING"), ("restart", "UPDATING")):
            api.on("PUT", f"{SPEC}/{action}", reply(200, status_json(status)))
        api.on("PUT", f"{SPEC}/terminate", reply(200, status_json("TERMINATED")))
        api.on("PUT", SPEC, reply(200, spec_json()))
        api.on("GET", STATUS, reply(200, status_json("RUNNING")))
        api.on("GET", SPEC, reply(200, spec_json("chat")))
        api.on("DELETE", SPEC, reply(200, {}))
    elif name == "wait":
        api.on(
            "GET",
            STATUS,
            reply(200, status_json("SLEEPING")),
            reply(200, status_json("INITIALIZING", phase="DOWNLOADING_MODEL")),
            reply(503),
            reply(200, status_json("RUNNING")),
        )
        api.on("PUT", f"{SPEC}/wake", reply(200, status_json("AWAKING")))
    return api


def caught(step: Callable[[], Any]) -> Any:
    """The step's result, or the error it raised (type, message and field), as a comparable value."""
    try:
        return normal(step())
    except fd.FriendliError as error:
        return (type(error).__name__, str(error), getattr(error, "field", None))


SCENARIOS: dict[str, Scenario] = {
    "lookups": lambda endpoints, run: [
        run(endpoints.get(EP)),
        run(endpoints.status(EP)),
        caught(lambda: run(endpoints.get("../x"))),
    ],
    "lifecycle": lambda endpoints, run: [
        *(run(getattr(endpoints, action)(EP)) for action in ("sleep", "wake", "terminate", "restart")),
        run(endpoints.delete(EP)),
    ],
    "update": lambda endpoints, run: [
        run(
            endpoints.update(EP, model="org/m2", instance="8x B200", autoscaling=fd.Autoscaling(1, 4, 30), comment="c")
        ),
        run(endpoints.update(EP, max_context_length=8192)),
        caught(lambda: run(endpoints.update(EP, max_batch_size=-1))),
    ],
    "create": lambda endpoints, run: [
        run(endpoints.create("proj", "chat", "org/model", instance, autoscaling=autoscaling))
        for instance, autoscaling in (
            ("2x H100", fd.Autoscaling.scale_to_zero(max_replicas=2)),
            (fd.GPU.H100, fd.Autoscaling.fixed(4)),
            (fd.InstanceOption(fd.GPU.H200, 2), None),
            ("GUA4qYFmsYz8", None),
        )
    ],
    "create-resolved": lambda endpoints, run: [
        run(endpoints.create("proj", "chat", "org/model", "H100")),
    ],
    "create-lost": lambda endpoints, run: [
        caught(lambda: run(endpoints.create("proj", "chat", "org/model", "H100"))),
    ],
    "wandb": lambda endpoints, run: [
        run(endpoints.create_from_wandb("org/p/m:v1", project_id="proj", idempotency_key="k", instance="H100")),
        run(endpoints.create_from_wandb("org/p/m:v1", project_id="proj", idempotency_key="k", instance="H100")),
    ],
    "pages": lambda endpoints, run: [
        run(endpoints.list("proj", page_size=2)),
        caught(lambda: run(endpoints.list())),
        run(endpoints.versions(EP, page_size=1)),
        caught(lambda: run(endpoints.list(limit=0))),
    ],
    "handle": lambda endpoints, run: handle_steps(endpoints, run),
    "wait": lambda endpoints, run: [
        caught(lambda: run(endpoints.wait_until_running(EP, timeout=300))),
        run(run(endpoints.get_handle(EP, project_id="proj")).wait_until_running(timeout=300, wake=True)),
    ],
}


def handle_steps(endpoints: Any, run: Callable[[Any], Any]) -> list[Any]:
    ep = run(endpoints.get_handle(EP))
    results = [normal(ep), repr(ep).removeprefix("Async"), normal(run(ep.sleep()))]
    results.append(normal(run(run(ep.wake()).restart())))
    results += [normal(run(ep.update(comment="x"))), run(ep.spec()), normal(run(ep.terminate()))]
    results += [normal(run(ep.refresh())), run(ep.delete())]
    return results


def sent(api: FakeAPI) -> list[tuple[str, str, list[tuple[str, str]], bytes]]:
    return [(r.method, str(r.url), sorted(r.headers.items()), r.content) for r in api.requests]


@pytest.mark.parametrize("name", sorted(SCENARIOS))
def test_the_same_calls_send_the_same_requests_and_return_the_same_results(name: str) -> None:
    scenario = SCENARIOS[name]
    sync_api, sync_time = api_for(name), Recorder()
    sync_results = normal(scenario(make_client(sync_api, sync_time, team_id=TEAM).endpoints, Sync()))
    async_api, async_time = api_for(name), Recorder()
    runner = Async()
    try:
        async_results = normal(scenario(make_async_client(async_api, async_time, team_id=TEAM).endpoints, runner))
    finally:
        runner.loop.close()
    assert sync_api.requests, "the scenario sent nothing"
    assert sent(async_api) == sent(sync_api)
    assert async_results == sync_results
    assert async_time.sleeps == sync_time.sleeps
