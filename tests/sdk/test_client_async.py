"""What only the asynchronous shell does, against the in-memory fake API (``fakes.FakeAPI``): its
creates (id resolution on the async sleep, the no-duplicate rule), its waiter, retries on its sleep,
and its HTTP client. That every operation sends the same requests and returns the same results as
the sync client's (whose tests check them one by one) is ``test_parity.py``'s.
"""

from __future__ import annotations

import httpx
import pytest
from fakes import (
    COLLECTION,
    EP,
    FakeAPI,
    Recorder,
    Reply,
    fail,
    listing,
    make_async_client,
    reply,
    status_json,
)

import friendli_dedicated as fd

pytestmark = pytest.mark.anyio


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


async def test_create_unresolved_sleeps_on_the_injected_sleep_and_says_it_may_exist() -> None:
    time = Recorder()
    api = FakeAPI().on("GET", COLLECTION, listing("old")).on("POST", COLLECTION, reply(200, status_json()))
    with pytest.raises(fd.EndpointCreationUnresolvedError) as info:
        await make_async_client(api, time).endpoints.create("proj", "chat", "org/model", "H100")
    assert (info.value.project_id, info.value.name, info.value.candidates) == ("proj", "chat", ())
    assert "may exist" in str(info.value)
    assert time.sleeps == [0.5, 1.0, 2.0]


@pytest.mark.parametrize("post_reply", [fail(httpx.ReadTimeout), reply(503)], ids=["read-timeout", "503"])
async def test_create_is_never_resent_once_it_may_have_reached_the_server(post_reply: Reply) -> None:
    api = FakeAPI().on("GET", COLLECTION, listing()).on("POST", COLLECTION, post_reply, reply(200, status_json()))
    with pytest.raises(fd.EndpointCreationUnresolvedError):
        await make_async_client(api, max_retries=3).endpoints.create("proj", "chat", "org/model", "H100")
    assert len(api.calls("POST", COLLECTION)) == 1


async def test_create_is_retried_after_a_connect_error() -> None:
    api = (
        FakeAPI()
        .on("GET", COLLECTION, listing())
        .on("POST", COLLECTION, fail(httpx.ConnectError), reply(200, status_json(endpointId="ep-2")))
    )
    ep = await make_async_client(api).endpoints.create("proj", "chat", "org/model", "H100")
    assert ep.id == "ep-2"
    assert len(api.calls("POST", COLLECTION)) == 2


async def test_wait_until_running_through_the_phases_with_an_async_sleep() -> None:
    time = Recorder()
    api = FakeAPI().on(
        "GET",
        f"{COLLECTION}/{EP}/status",
        reply(200, status_json("INITIALIZING", phase="REQUESTING_VIRTUAL_MACHINE")),
        reply(503),  # a transient gateway error is polled through
        reply(200, status_json("INITIALIZING", phase="DOWNLOADING_MODEL")),
        reply(200, status_json("RUNNING")),
    )
    seen: list[str] = []
    client = make_async_client(api, time, max_retries=0)
    ep = await client.endpoints.get_handle(EP).wait_until_running(
        timeout=300, on_progress=lambda state, _elapsed: seen.append(state.phase or state.status.value)
    )
    assert ep.state is not None
    assert ep.state.is_serving
    assert seen == ["REQUESTING_VIRTUAL_MACHINE", "DOWNLOADING_MODEL", "RUNNING"]
    assert len(time.sleeps) == 3
    assert len(api.requests) == 4


async def test_wait_until_running_wakes_a_sleeping_endpoint_when_asked() -> None:
    api = (
        FakeAPI()
        .on(
            "GET",
            f"{COLLECTION}/{EP}/status",
            reply(200, status_json("SLEEPING")),
            reply(200, status_json("SLEEPING")),
            reply(200, status_json("RUNNING")),
        )
        .on("PUT", f"{COLLECTION}/{EP}/wake", reply(200, status_json("AWAKING")))
    )
    client = make_async_client(api)
    with pytest.raises(fd.EndpointStoppedError):
        await client.endpoints.wait_until_running(EP)
    assert api.calls("PUT", f"{COLLECTION}/{EP}/wake") == []
    state = await client.endpoints.wait_until_running(EP, wake=True)
    assert state.status is fd.Status.RUNNING
    assert len(api.calls("PUT", f"{COLLECTION}/{EP}/wake")) == 1


async def test_idempotent_calls_are_retried_on_the_async_sleep_with_retry_after() -> None:
    time = Recorder()
    api = FakeAPI().on(
        "GET",
        f"{COLLECTION}/{EP}/status",
        reply(429, headers={"Retry-After": "4"}),
        fail(httpx.ReadTimeout),
        reply(200, status_json()),
    )
    state = await make_async_client(api, time, timeout=60).endpoints.status(EP)
    assert state.status is fd.Status.RUNNING
    assert len(api.requests) == 3
    assert time.sleeps[0] == 4.0  # the 429's Retry-After; then the backoff, then the client's pace


async def test_429s_do_not_use_up_the_retries_meant_for_failures() -> None:
    time = Recorder()
    refused = reply(429, headers={"Retry-After": "1"})
    api = FakeAPI().on(
        "GET", f"{COLLECTION}/{EP}/status", *[refused] * 5, fail(httpx.ReadTimeout), reply(200, status_json())
    )
    state = await make_async_client(api, time, max_retries=1, timeout=60).endpoints.status(EP)
    assert state.status is fd.Status.RUNNING
    assert len(api.requests) == 7  # five 429s, then a failure and its one retry


async def test_retries_stop_at_max_retries_and_update_is_not_retried() -> None:
    api = FakeAPI().on("GET", f"{COLLECTION}/{EP}/status", reply(504)).on("PUT", f"{COLLECTION}/{EP}", reply(503))
    client = make_async_client(api, max_retries=2)
    with pytest.raises(fd.ServerError) as info:
        await client.endpoints.status(EP)
    assert info.value.status_code == 504
    assert len(api.requests) == 3
    with pytest.raises(fd.ServerError):
        await client.endpoints.update(EP, name="x")
    assert len(api.calls("PUT", f"{COLLECTION}/{EP}")) == 1


async def test_injected_async_client_is_not_closed_and_owned_one_is() -> None:
    api = FakeAPI()
    injected = api.async_client()
    client = fd.AsyncClient(token="t", http_client=injected)
    await client.close()
    assert not injected.is_closed
    await injected.aclose()
    async with fd.AsyncClient(token="t") as owned:
        pass
    assert owned._http.is_closed


async def test_async_client_refuses_a_sync_http_client() -> None:
    with pytest.raises(fd.ConfigurationError, match="AsyncClient"):
        fd.AsyncClient(token="t", http_client=httpx.Client())  # type: ignore[arg-type]
