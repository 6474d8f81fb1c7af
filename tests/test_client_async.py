"""The asynchronous client against the in-memory fake API (``fakes.FakeAPI``): every
contract operation awaited (exact request, parsed result), async handles, async pagination, create's
id resolution and no-duplicate rule, retries, and waiting with an injected async sleep and clock.
"""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from fakes import (
    ADVANCED_DEFAULTS,
    BASE,
    COLLECTION,
    EP,
    TEAM,
    WANDB,
    FakeAPI,
    Recorder,
    Reply,
    assert_headers,
    body_of,
    fail,
    listing,
    make_async_client,
    reply,
    spec_json,
    status_json,
    wandb_response,
)

import friendli_dedicated as fd

pytestmark = pytest.mark.anyio


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


async def test_get_returns_the_parsed_spec() -> None:
    api = FakeAPI().on("GET", f"{COLLECTION}/{EP}", reply(200, spec_json()))
    async with make_async_client(api, team_id=TEAM) as client:
        spec = await client.endpoints.get(EP)
    (request,) = api.requests
    assert (request.method, str(request.url)) == ("GET", f"{BASE}{COLLECTION}/{EP}")
    assert_headers(request)
    assert (spec.name, spec.num_gpu, spec.autoscaling_max) == ("chat", 1, 2)


async def test_status_returns_the_parsed_state() -> None:
    api = FakeAPI().on(
        "GET", f"{COLLECTION}/{EP}/status", reply(200, status_json("AWAKING", phase="ENGINE_INITIALIZING"))
    )
    state = await make_async_client(api, team_id=TEAM).endpoints.status(EP)
    (request,) = api.requests
    assert (request.method, str(request.url)) == ("GET", f"{BASE}{COLLECTION}/{EP}/status")
    assert_headers(request)
    assert (state.status, state.phase) == (fd.Status.AWAKING, fd.DeploymentPhase.ENGINE_INITIALIZING)


@pytest.mark.parametrize("action", ["sleep", "wake", "terminate", "restart"])
async def test_lifecycle_actions_put_and_return_the_state(action: str) -> None:
    api = FakeAPI().on("PUT", f"{COLLECTION}/{EP}/{action}", reply(200, status_json("STOPPING")))
    state = await getattr(make_async_client(api, team_id=TEAM).endpoints, action)(EP)
    (request,) = api.requests
    assert (request.method, str(request.url)) == ("PUT", f"{BASE}{COLLECTION}/{EP}/{action}")
    assert_headers(request)
    assert state.status is fd.Status.STOPPING


async def test_delete_sends_delete() -> None:
    api = FakeAPI().on("DELETE", f"{COLLECTION}/{EP}", reply(200, {}))
    assert await make_async_client(api, team_id=TEAM).endpoints.delete(EP) is None
    (request,) = api.requests
    assert (request.method, request.url.path) == ("DELETE", f"{COLLECTION}/{EP}")
    assert_headers(request)


async def test_update_sends_the_camel_case_body_and_returns_the_spec() -> None:
    api = FakeAPI().on("PUT", f"{COLLECTION}/{EP}", reply(200, spec_json("v2")))
    spec = await make_async_client(api, team_id=TEAM).endpoints.update(
        EP, model="org/m2", instance="8x B200", autoscaling=fd.Autoscaling(1, 4, 30), comment="c"
    )
    (request,) = api.requests
    assert (request.method, request.url.path) == ("PUT", f"{COLLECTION}/{EP}")
    assert_headers(request, has_body=True)
    assert body_of(request) == {
        "hfModelRepo": "org/m2",
        "instanceOptionId": "drbc6G9FxJWZ",
        "autoscalingPolicy": {"minReplica": 1, "maxReplica": 4, "cooldownPeriod": 30},
        "newVersionComment": "c",
    }
    assert spec.name == "v2"


async def test_update_of_one_engine_option_reads_the_current_flags_first() -> None:
    api = (
        FakeAPI()
        .on("GET", f"{COLLECTION}/{EP}", reply(200, spec_json()))
        .on("PUT", f"{COLLECTION}/{EP}", reply(200, spec_json()))
    )
    await make_async_client(api).endpoints.update(EP, max_context_length=8192)
    get, put = api.requests
    assert (get.method, put.method) == ("GET", "PUT")
    assert body_of(put)["advanced"]["tokenizer_skip_special_tokens"] is False
    assert body_of(put)["advanced"]["max_context_length"] == 8192


@pytest.mark.parametrize(
    ("instance", "option_id"),
    [
        ("2x H100", "zfTutSiLn0Hq"),
        (fd.GPU.H100, "TwD5AqnBSVN0"),
        (fd.InstanceOption(fd.GPU.H200, 2), "Tu6GjBnfHPe4"),
        ("GUA4qYFmsYz8", "GUA4qYFmsYz8"),
    ],
    ids=["spelling", "gpu", "instance-option", "raw-id"],
)
async def test_create_sends_the_contract_body_and_returns_a_handle(instance: Any, option_id: str) -> None:
    api = (
        FakeAPI()
        .on("GET", COLLECTION, listing())
        .on("POST", COLLECTION, reply(200, status_json("INITIALIZING", endpointId="ep-new")))
    )
    ep = await make_async_client(api, team_id=TEAM).endpoints.create(
        "proj", "chat", "org/model", instance, autoscaling=fd.Autoscaling.scale_to_zero(max_replicas=2)
    )
    (post,) = api.calls("POST", COLLECTION)
    assert_headers(post, has_body=True)
    assert body_of(post) == {
        "projectId": "proj",
        "name": "chat",
        "instanceOptionId": option_id,
        "hfModelRepo": "org/model",
        "advanced": ADVANCED_DEFAULTS,
        "autoscalingPolicy": {"minReplica": 0, "maxReplica": 2, "cooldownPeriod": 300},
    }
    assert isinstance(ep, fd.AsyncEndpoint)
    assert ep.id == "ep-new"


async def test_create_sends_simplescale_for_a_fixed_count() -> None:
    api = FakeAPI().on("GET", COLLECTION, listing()).on("POST", COLLECTION, reply(200, status_json(endpointId="e")))
    await make_async_client(api).endpoints.create(
        "proj", "chat", "org/model", "H100", autoscaling=fd.Autoscaling.fixed(4)
    )
    body = body_of(api.calls("POST", COLLECTION)[0])
    assert body["simplescale"] == {"replicas": 4}
    assert "autoscalingPolicy" not in body


async def test_create_resolves_the_id_from_the_listing_and_by_name() -> None:
    api = (
        FakeAPI()
        .on("GET", COLLECTION, listing("old"), listing("old", "ep-x", "ep-y"))
        .on("POST", COLLECTION, reply(200, status_json("INITIALIZING")))
        .on("GET", f"{COLLECTION}/ep-x", reply(200, spec_json("chat")))
        .on("GET", f"{COLLECTION}/ep-y", reply(200, spec_json("other")))
    )
    ep = await make_async_client(api).endpoints.create("proj", "chat", "org/model", "H100")
    assert ep.id == "ep-x"


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


async def test_create_from_wandb_with_an_idempotency_key_twice_gives_the_same_endpoint() -> None:
    api = FakeAPI().on("POST", WANDB, reply(200, wandb_response("ep-same")))
    endpoints = make_async_client(api, team_id=TEAM).endpoints
    first = await endpoints.create_from_wandb("org/p/m:v1", project_id="proj", idempotency_key="k", instance="H100")
    second = await endpoints.create_from_wandb("org/p/m:v1", project_id="proj", idempotency_key="k", instance="H100")
    assert first.id == second.id == "ep-same"
    assert_headers(api.requests[0], has_body=True)
    assert body_of(api.requests[0]) == {
        "wandbArtifactVersionName": "org/p/m:v1",
        "accelerator": {"type": "NVIDIA H100", "count": 1},
        "projectId": "proj",
        "idempotencyKey": "k",
    }


async def test_list_walks_every_page_with_the_cursor_passed_back() -> None:
    api = FakeAPI().on("GET", COLLECTION, listing("a", "b", cursor="c/1=="), listing("c"))
    ids = [ep.id async for ep in make_async_client(api).endpoints.list("proj", limit=2)]
    assert ids == ["a", "b", "c"]
    assert [dict(r.url.params) for r in api.requests] == [
        {"project_id": "proj", "limit": "2"},
        {"project_id": "proj", "limit": "2", "cursor": "c/1=="},
    ]


async def test_list_stops_on_a_repeated_cursor() -> None:
    api = FakeAPI().on("GET", COLLECTION, listing("a", cursor="x"))
    with pytest.raises(fd.ResponseFormatError):
        async for _ in make_async_client(api).endpoints.list():
            pass
    assert len(api.requests) == 2


async def test_versions_walks_every_page_and_stops_on_a_repeated_cursor() -> None:
    path = f"{COLLECTION}/{EP}/version"
    api = FakeAPI().on(
        "GET",
        path,
        reply(200, {"data": {"v1": spec_json("a")}, "nextCursor": "n"}),
        reply(200, {"data": {"v2": spec_json("b")}, "nextCursor": None}),
    )
    versions = [v async for v in make_async_client(api).endpoints.versions(EP, limit=1)]
    assert [(v.version_id, v.spec.name) for v in versions] == [("v1", "a"), ("v2", "b")]
    assert [dict(r.url.params) for r in api.requests] == [{"limit": "1"}, {"limit": "1", "cursor": "n"}]

    looping = FakeAPI().on("GET", path, reply(200, {"data": {}, "nextCursor": "n"}))
    with pytest.raises(fd.ResponseFormatError):
        [v async for v in make_async_client(looping).endpoints.versions(EP)]
    assert len(looping.requests) == 2


async def test_async_endpoint_handle_chains_and_refreshes() -> None:
    api = (
        FakeAPI()
        .on("PUT", f"{COLLECTION}/{EP}/sleep", reply(200, status_json("SLEEPING")))
        .on("PUT", f"{COLLECTION}/{EP}/wake", reply(200, status_json("AWAKING")))
        .on("PUT", f"{COLLECTION}/{EP}/restart", reply(200, status_json("UPDATING")))
        .on("PUT", f"{COLLECTION}/{EP}/terminate", reply(200, status_json("TERMINATED")))
        .on("PUT", f"{COLLECTION}/{EP}", reply(200, spec_json()))
        .on("GET", f"{COLLECTION}/{EP}/status", reply(200, status_json("RUNNING")))
        .on("GET", f"{COLLECTION}/{EP}", reply(200, spec_json("chat")))
        .on("DELETE", f"{COLLECTION}/{EP}", reply(200, {}))
    )
    ep = make_async_client(api).endpoints.get_handle(EP)
    assert await ep.sleep() is ep
    assert ep.state.status is fd.Status.SLEEPING
    assert (await (await ep.wake()).restart()).state.status is fd.Status.UPDATING
    assert await ep.update(comment="x") is ep  # one request; the state is the last one seen
    assert ep.state.status is fd.Status.UPDATING
    assert (await ep.spec()).name == "chat"
    assert (await ep.terminate()).state.status is fd.Status.TERMINATED
    assert (await ep.refresh()).state.status is fd.Status.RUNNING
    assert await ep.delete() is None
    assert [r.method for r in api.requests] == ["PUT", "PUT", "PUT", "PUT", "GET", "PUT", "GET", "DELETE"]
    assert "AsyncEndpoint" in repr(ep)


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
