"""The synchronous client against the fake API (``fakes.FakeAPI``): every contract operation (exact
method, path, query, JSON body and headers sent; the parsed result), Endpoint handles, pagination,
create's id resolution and its no-duplicate rule, and waiting through deployment phases.
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
    make_client,
    reply,
    spec_json,
    status_json,
    wandb_response,
)

import friendli_dedicated as fd


# -- single operations ----------------------------------------------------------------------------
def test_get_sends_get_on_the_endpoint_path_and_parses_the_spec() -> None:
    api = FakeAPI().on("GET", f"{COLLECTION}/{EP}", reply(200, spec_json()))
    spec = make_client(api, team_id=TEAM).endpoints.get(EP)
    (request,) = api.requests
    assert (request.method, str(request.url)) == ("GET", f"{BASE}{COLLECTION}/{EP}")
    assert_headers(request)
    assert (spec.name, spec.gpu_type, spec.num_gpu, spec.max_batch_size) == ("chat", "NVIDIA H100", 1, 256)
    assert (spec.tokenizer_skip_special_tokens, spec.tokenizer_add_special_tokens) == (False, True)


def test_status_parses_status_phase_error_code_and_timestamps() -> None:
    api = FakeAPI().on(
        "GET",
        f"{COLLECTION}/{EP}/status",
        reply(200, status_json("FAILED", phase="DOWNLOADING_MODEL", errorCode="WORKLOAD_INIT_DOWNLOAD_ERROR")),
    )
    state = make_client(api, team_id=TEAM).endpoints.status(EP)
    (request,) = api.requests
    assert (request.method, str(request.url)) == ("GET", f"{BASE}{COLLECTION}/{EP}/status")
    assert_headers(request)
    assert state.status is fd.Status.FAILED
    assert state.phase is fd.DeploymentPhase.DOWNLOADING_MODEL
    assert state.error_code is fd.ErrorCode.WORKLOAD_INIT_DOWNLOAD_ERROR
    assert state.created_at is not None
    assert state.created_at.year == 2025
    assert not state.is_serving


@pytest.mark.parametrize("action", ["sleep", "wake", "terminate", "restart"])
def test_lifecycle_actions_put_without_body_and_return_the_new_state(action: str) -> None:
    api = FakeAPI().on("PUT", f"{COLLECTION}/{EP}/{action}", reply(200, status_json("UPDATING")))
    state = getattr(make_client(api, team_id=TEAM).endpoints, action)(EP)
    (request,) = api.requests
    assert (request.method, str(request.url)) == ("PUT", f"{BASE}{COLLECTION}/{EP}/{action}")
    assert_headers(request)
    assert state.status is fd.Status.UPDATING


def test_delete_sends_delete_and_returns_none() -> None:
    api = FakeAPI().on("DELETE", f"{COLLECTION}/{EP}", reply(200, {}))
    assert make_client(api, team_id=TEAM).endpoints.delete(EP) is None
    (request,) = api.requests
    assert (request.method, str(request.url)) == ("DELETE", f"{BASE}{COLLECTION}/{EP}")
    assert_headers(request)


def test_update_sends_only_the_given_fields_in_camel_case() -> None:
    api = FakeAPI().on("PUT", f"{COLLECTION}/{EP}", reply(200, spec_json("renamed")))
    spec = make_client(api, team_id=TEAM).endpoints.update(
        EP,
        name="renamed",
        model="org/other",
        revision="main",
        instance=fd.GPU.H200,
        autoscaling=fd.Autoscaling.fixed(3),
        comment="v2",
    )
    (request,) = api.requests
    assert (request.method, str(request.url)) == ("PUT", f"{BASE}{COLLECTION}/{EP}")
    assert_headers(request, has_body=True)
    assert body_of(request) == {
        "name": "renamed",
        "hfModelRepo": "org/other",
        "hfModelRepoRevision": "main",
        "instanceOptionId": "LnK1wTaKc7WO",
        "simplescale": {"replicas": 3},
        "newVersionComment": "v2",
    }
    assert spec.name == "renamed"


def test_update_of_one_engine_option_sends_only_it_and_the_current_tokenizer_flags() -> None:
    """Options the spec does not report (max_token_count, queue_*) are not re-sent as defaults."""
    api = (
        FakeAPI()
        .on("GET", f"{COLLECTION}/{EP}", reply(200, spec_json()))
        .on("PUT", f"{COLLECTION}/{EP}", reply(200, spec_json()))
    )
    make_client(api).endpoints.update(EP, max_batch_size=64)
    get, put = api.requests
    assert (get.method, put.method) == ("GET", "PUT")
    assert body_of(put) == {
        "advanced": {
            "tokenizer_skip_special_tokens": False,  # from the current spec, not the default
            "tokenizer_add_special_tokens": True,
            "max_batch_size": 64,
        }
    }


def test_update_with_both_tokenizer_flags_sends_one_put_and_no_get() -> None:
    api = FakeAPI().on("PUT", f"{COLLECTION}/{EP}", reply(200, spec_json()))
    make_client(api).endpoints.update(
        EP, tokenizer_add_special_tokens=False, tokenizer_skip_special_tokens=False, queue_timeout_ms=0
    )
    (put,) = api.requests
    assert body_of(put)["advanced"] == {
        "tokenizer_skip_special_tokens": False,
        "tokenizer_add_special_tokens": False,
        "queue_timeout_ms": 0,
    }


# -- create ---------------------------------------------------------------------------------------
def create_api(*, response: dict[str, Any] | None = None) -> FakeAPI:
    """Create whose response carries the new id (``endpointId``), after an empty project listing."""
    return (
        FakeAPI()
        .on("GET", COLLECTION, listing())
        .on("POST", COLLECTION, reply(200, response or status_json("INITIALIZING", endpointId="ep-new")))
    )


@pytest.mark.parametrize(
    ("instance", "option_id"),
    [
        ("2x H100", "zfTutSiLn0Hq"),
        (fd.GPU.H100, "TwD5AqnBSVN0"),
        (fd.InstanceOption(fd.GPU.B200, 8), "drbc6G9FxJWZ"),
        ("OhTzYtZuomzI", "OhTzYtZuomzI"),
    ],
    ids=["spelling", "gpu", "instance-option", "raw-id"],
)
def test_create_sends_the_contract_body_with_the_instance_option_id(instance: Any, option_id: str) -> None:
    api = create_api()
    ep = make_client(api, team_id=TEAM).endpoints.create("proj", "chat", "org/model", instance)
    (post,) = api.calls("POST", COLLECTION)
    assert str(post.url) == f"{BASE}{COLLECTION}"
    assert_headers(post, has_body=True)
    assert body_of(post) == {
        "projectId": "proj",
        "name": "chat",
        "instanceOptionId": option_id,
        "hfModelRepo": "org/model",
        "advanced": ADVANCED_DEFAULTS,
    }
    assert ep.id == "ep-new"
    assert ep.state is not None
    assert ep.state.status is fd.Status.INITIALIZING


@pytest.mark.parametrize(
    ("autoscaling", "fragment"),
    [
        (fd.Autoscaling.fixed(2), {"simplescale": {"replicas": 2}}),
        (
            fd.Autoscaling.scale_to_zero(max_replicas=3, cooldown=60),
            {"autoscalingPolicy": {"minReplica": 0, "maxReplica": 3, "cooldownPeriod": 60}},
        ),
        (fd.Autoscaling.always_on(2), {"autoscalingPolicy": {"minReplica": 2, "maxReplica": 2, "cooldownPeriod": 300}}),
    ],
    ids=["fixed", "scale-to-zero", "always-on"],
)
def test_create_sends_simplescale_or_autoscaling_policy(autoscaling: fd.Autoscaling, fragment: dict[str, Any]) -> None:
    api = create_api()
    make_client(api).endpoints.create("proj", "chat", "org/model", "H100", autoscaling=autoscaling)
    body = body_of(api.calls("POST", COLLECTION)[0])
    assert {k: body[k] for k in ("simplescale", "autoscalingPolicy") if k in body} == fragment


def test_create_sends_revision_comment_and_every_advanced_option() -> None:
    api = create_api()
    make_client(api).endpoints.create(
        "proj",
        "chat",
        "org/model",
        "H100",
        revision="abc123",
        comment="first",
        max_batch_size=128,
        max_input_length=2048,
        max_context_length=8192,
        max_token_count=4096,
        tokenizer_add_special_tokens=False,
        tokenizer_skip_special_tokens=False,
        enable_content_logging=True,
        queue_timeout_ms=500,
        queue_backpressure_metric_kind="TTFT_MS",
        queue_backpressure_metric_threshold=2,
    )
    body = body_of(api.calls("POST", COLLECTION)[0])
    assert body["hfModelRepoRevision"] == "abc123"
    assert body["initialVersionComment"] == "first"
    assert body["advanced"] == {
        "max_batch_size": 128,
        "max_input_length": 2048,
        "max_context_length": 8192,
        "max_token_count": 4096,
        "tokenizer_add_special_tokens": False,
        "tokenizer_skip_special_tokens": False,
        "enable_content_logging": True,
        "queue_timeout_ms": 500,
        "queue_backpressure_metric_kind": "TTFT_MS",
        "queue_backpressure_metric_threshold": 2.0,
    }


def test_create_lists_the_project_before_posting() -> None:
    api = create_api()
    make_client(api).endpoints.create("proj", "chat", "org/model", "H100")
    first, second = api.requests
    assert (first.method, first.url.path, second.method) == ("GET", COLLECTION, "POST")
    assert dict(first.url.params) == {"project_id": "proj", "limit": "100"}


def test_create_takes_the_id_from_the_listing_when_exactly_one_new_endpoint_appeared() -> None:
    api = (
        FakeAPI()
        .on("GET", COLLECTION, listing("ep-old"), listing("ep-old", "ep-new"))
        .on("POST", COLLECTION, reply(200, status_json("INITIALIZING")))
        .on("GET", f"{COLLECTION}/ep-new", reply(200, spec_json("chat")))
    )
    ep = make_client(api).endpoints.create("proj", "chat", "org/model", "H100")
    assert ep.id == "ep-new"
    # The one new id is confirmed by its name before it is trusted.
    assert [(r.method, r.url.path) for r in api.requests][2:] == [("GET", COLLECTION), ("GET", f"{COLLECTION}/ep-new")]


def test_create_does_not_take_a_new_endpoint_of_another_name() -> None:
    """Someone else's endpoint appearing while ours lags is never mistaken for ours."""
    time = Recorder()
    api = (
        FakeAPI()
        .on(
            "GET",
            COLLECTION,
            listing("ep-old"),
            listing("ep-old", "ep-theirs"),
            listing("ep-old", "ep-theirs", "ep-ours"),
        )
        .on("POST", COLLECTION, reply(200, status_json("INITIALIZING")))
        .on("GET", f"{COLLECTION}/ep-theirs", reply(200, spec_json("someone-else")))
        .on("GET", f"{COLLECTION}/ep-ours", reply(200, spec_json("chat")))
    )
    ep = make_client(api, time).endpoints.create("proj", "chat", "org/model", "H100")
    assert ep.id == "ep-ours"
    assert time.sleeps == [0.5]
    assert len(api.calls("GET", f"{COLLECTION}/ep-theirs")) == 1  # each candidate read once


def test_create_relists_after_pauses_while_the_listing_lags() -> None:
    time = Recorder()
    api = (
        FakeAPI()
        .on("GET", COLLECTION, listing("ep-old"), listing("ep-old"), listing("ep-old", "ep-new"))
        .on("POST", COLLECTION, reply(200, status_json("INITIALIZING")))
        .on("GET", f"{COLLECTION}/ep-new", reply(200, spec_json("chat")))
    )
    ep = make_client(api, time).endpoints.create("proj", "chat", "org/model", "H100")
    assert ep.id == "ep-new"
    assert time.sleeps == [0.5]


def test_create_disambiguates_several_new_endpoints_by_name() -> None:
    api = (
        FakeAPI()
        .on("GET", COLLECTION, listing("ep-old"), listing("ep-old", "ep-a", "ep-b"))
        .on("POST", COLLECTION, reply(200, status_json("INITIALIZING")))
        .on("GET", f"{COLLECTION}/ep-a", reply(200, spec_json("someone-else")))
        .on("GET", f"{COLLECTION}/ep-b", reply(200, spec_json("chat")))
    )
    ep = make_client(api).endpoints.create("proj", "chat", "org/model", "H100")
    assert ep.id == "ep-b"


def test_create_with_no_new_endpoint_raises_unresolved_saying_it_may_exist() -> None:
    time = Recorder()
    api = (
        FakeAPI()
        .on("GET", COLLECTION, listing("ep-old"))
        .on("POST", COLLECTION, reply(200, status_json("INITIALIZING")))
    )
    with pytest.raises(fd.EndpointCreationUnresolvedError) as info:
        make_client(api, time).endpoints.create("proj", "chat", "org/model", "H100")
    error = info.value
    assert (error.project_id, error.name, error.candidates) == ("proj", "chat", ())
    assert "may exist" in str(error)
    assert time.sleeps == [0.5, 1.0, 2.0]
    assert len(api.calls("POST", COLLECTION)) == 1


def test_create_with_several_same_named_new_endpoints_lists_the_candidates() -> None:
    api = (
        FakeAPI()
        .on("GET", COLLECTION, listing(), listing("ep-a", "ep-b"))
        .on("POST", COLLECTION, reply(200, status_json("INITIALIZING")))
        .on("GET", f"{COLLECTION}/ep-a", reply(200, spec_json("chat")))
        .on("GET", f"{COLLECTION}/ep-b", reply(200, spec_json("chat")))
    )
    with pytest.raises(fd.EndpointCreationUnresolvedError) as info:
        make_client(api).endpoints.create("proj", "chat", "org/model", "H100")
    assert sorted(info.value.candidates) == ["ep-a", "ep-b"]
    assert "may exist" in str(info.value)


def test_create_whose_relisting_fails_raises_unresolved_not_the_listing_error() -> None:
    api = (
        FakeAPI()
        .on("GET", COLLECTION, listing(), reply(403, {"detail": "forbidden"}))
        .on("POST", COLLECTION, reply(200, status_json("INITIALIZING")))
    )
    with pytest.raises(fd.EndpointCreationUnresolvedError) as info:
        make_client(api).endpoints.create("proj", "chat", "org/model", "H100")
    assert isinstance(info.value.__cause__, fd.PermissionDeniedError)


@pytest.mark.parametrize(
    "post_reply",
    [
        fail(httpx.ReadTimeout),
        fail(httpx.RemoteProtocolError),
        reply(503, {"detail": "unavailable"}),
        reply(502, content=b"<html>bad gateway</html>"),
        reply(200, content=b'{"status": "INITIAL'),  # accepted, but the reply cannot be read
    ],
    ids=["read-timeout", "dropped", "503", "502", "unreadable-2xx"],
)
def test_create_whose_outcome_is_unknown_is_never_resent_and_says_it_may_exist(post_reply: Reply) -> None:
    api = FakeAPI().on("GET", COLLECTION, listing()).on("POST", COLLECTION, post_reply, reply(200, status_json()))
    with pytest.raises(fd.EndpointCreationUnresolvedError) as info:
        make_client(api, max_retries=5).endpoints.create("proj", "chat", "org/model", "H100")
    assert len(api.calls("POST", COLLECTION)) == 1
    assert "may have been created" in str(info.value)
    assert (info.value.project_id, info.value.name) == ("proj", "chat")


@pytest.mark.parametrize(
    "post_reply",
    [fail(httpx.ReadTimeout), reply(503), reply(200, content=b"<html>ok</html>")],
    ids=["read-timeout", "503", "unreadable-2xx"],
)
def test_create_whose_outcome_is_unknown_reports_the_endpoint_that_may_be_its_own(post_reply: Reply) -> None:
    """A new endpoint of the same name after a lost reply may be this create's or another client's: the
    API shows nothing that tells them apart, so it is named as a candidate, never claimed."""
    api = (
        FakeAPI()
        .on("GET", COLLECTION, listing(), listing("ep-new"))
        .on("POST", COLLECTION, post_reply)
        .on("GET", f"{COLLECTION}/ep-new", reply(200, spec_json("chat")))
    )
    with pytest.raises(fd.EndpointCreationUnresolvedError) as info:
        make_client(api, max_retries=5).endpoints.create("proj", "chat", "org/model", "H100")
    assert info.value.candidates == ("ep-new",)
    assert "another client" in str(info.value)
    assert len(api.calls("POST", COLLECTION)) == 1


def test_create_refused_for_rate_is_sent_again_after_the_pause() -> None:
    # A 429 is a refusal before any processing: nothing was created, so sending again is safe.
    time = Recorder()
    api = (
        FakeAPI()
        .on("GET", COLLECTION, listing())
        .on(
            "POST",
            COLLECTION,
            reply(429, {"detail": "slow down"}, headers={"Retry-After": "3"}),
            reply(200, status_json("INITIALIZING", endpointId="ep-9")),
        )
    )
    endpoint = make_client(api, time, max_retries=2).endpoints.create("proj", "chat", "org/model", "H100")
    assert endpoint.id == "ep-9"
    assert len(api.calls("POST", COLLECTION)) == 2
    assert time.sleeps == [3.0]


def test_429s_do_not_use_up_the_retries_meant_for_failures() -> None:
    # A burst against a rate limit is refused many times before it is through: each 429 is a refusal
    # before any processing, paced by the client and bounded by the deadline, not by max_retries.
    time = Recorder()
    refused = reply(429, {"detail": "slow down"}, headers={"Retry-After": "1"})
    api = FakeAPI().on("GET", f"{COLLECTION}/ep-1/status", *[refused] * 5, reply(200, status_json()))
    state = make_client(api, time, max_retries=2, timeout=60).endpoints.status("ep-1")
    assert state.status is fd.Status.RUNNING
    assert len(api.requests) == 6


def test_create_still_refused_for_rate_after_its_429_retries_is_a_rate_limit_error() -> None:
    api = (
        FakeAPI()
        .on("GET", COLLECTION, listing())
        .on("POST", COLLECTION, reply(429, {"detail": "slow down"}, headers={"Retry-After": "1"}))
    )
    client = make_client(api, retry=fd.RetryPolicy(max_retries=2, max_rate_limited_retries=4), timeout=60)
    with pytest.raises(fd.RateLimitError):
        client.endpoints.create("proj", "chat", "org/model", "H100")
    assert len(api.calls("POST", COLLECTION)) == 5


def test_a_create_refused_for_rate_until_its_deadline_ends_by_it() -> None:
    time = Recorder()
    api = (
        FakeAPI()
        .on("GET", COLLECTION, listing())
        .on("POST", COLLECTION, reply(429, {"detail": "slow down"}, headers={"Retry-After": "1"}))
    )
    client = make_client(api, time, timeout=10)
    started = time.now
    with pytest.raises((fd.RateLimitError, fd.RequestTimeoutError)):
        client.endpoints.create("proj", "chat", "org/model", "H100")
    assert time.now - started <= 10
    assert 5 <= len(api.calls("POST", COLLECTION)) <= 11  # about one a second: paced, until the deadline


def test_a_429_pauses_every_request_of_the_client() -> None:
    time = Recorder()
    api = (
        FakeAPI()
        .on("GET", f"{COLLECTION}/ep-1/status", reply(429, headers={"Retry-After": "5"}), reply(200, status_json()))
        .on("GET", f"{COLLECTION}/ep-2/status", reply(200, status_json()))
    )
    client = make_client(api, time, max_retries=0, timeout=60)
    with pytest.raises(fd.RateLimitError):
        client.endpoints.status("ep-1")
    sent = len(api.requests)
    client.endpoints.status("ep-2")  # another call: it waits for the pause the 429 asked for first
    assert time.sleeps == [5.0]
    assert len(api.requests) == sent + 1
    quick = client.with_options(timeout=2)  # a copy shares the pause, and never waits past its deadline
    time.now -= 5.0  # (rewind: the pause is ahead again)
    with pytest.raises(fd.RequestTimeoutError, match="pacing its requests after a 429"):
        quick.endpoints.status("ep-2")


def test_create_is_retried_when_the_connection_was_never_made() -> None:
    api = (
        FakeAPI()
        .on("GET", COLLECTION, listing())
        .on("POST", COLLECTION, fail(httpx.ConnectError), reply(200, status_json("INITIALIZING", endpointId="ep-9")))
    )
    ep = make_client(api).endpoints.create("proj", "chat", "org/model", "H100")
    assert ep.id == "ep-9"
    assert len(api.calls("POST", COLLECTION)) == 2


# -- create_from_wandb ----------------------------------------------------------------------------
def test_create_from_wandb_sends_the_contract_body() -> None:
    api = FakeAPI().on("POST", WANDB, reply(200, wandb_response()))
    ep = make_client(api, team_id=TEAM).endpoints.create_from_wandb(
        "org/proj/model:v3",
        instance="4x H200",
        name="wb",
        project_id="proj",
        idempotency_key="key-1",
        autoscaling=fd.Autoscaling.scale_to_zero(max_replicas=2),
    )
    (request,) = api.requests
    assert (request.method, str(request.url)) == ("POST", f"{BASE}{WANDB}")
    assert_headers(request, has_body=True)
    assert body_of(request) == {
        "wandbArtifactVersionName": "org/proj/model:v3",
        "accelerator": {"type": "NVIDIA H200", "count": 4},
        "name": "wb",
        "projectId": "proj",
        "idempotencyKey": "key-1",
        "autoscalingPolicy": {"minReplica": 0, "maxReplica": 2, "cooldownPeriod": 300},
    }
    assert ep.id == "ep-wb"


def test_create_from_wandb_with_an_idempotency_key_twice_gives_the_same_endpoint() -> None:
    api = FakeAPI().on("POST", WANDB, reply(200, wandb_response("ep-same")))
    endpoints = make_client(api).endpoints
    first = endpoints.create_from_wandb("org/p/m:v1", project_id="proj", idempotency_key="k")
    second = endpoints.create_from_wandb("org/p/m:v1", project_id="proj", idempotency_key="k")
    assert first.id == second.id == "ep-same"
    assert [body_of(r)["idempotencyKey"] for r in api.requests] == ["k", "k"]


def test_create_from_wandb_with_an_idempotency_key_is_retried_and_without_one_is_not() -> None:
    keyed = FakeAPI().on("POST", WANDB, reply(503), reply(200, wandb_response()))
    assert make_client(keyed).endpoints.create_from_wandb("a:v1", project_id="proj", idempotency_key="k").id == "ep-wb"
    assert len(keyed.requests) == 2
    unkeyed = FakeAPI().on("POST", WANDB, reply(503), reply(200, wandb_response()))
    with pytest.raises(fd.ServerError):
        make_client(unkeyed).endpoints.create_from_wandb("a:v1")
    assert len(unkeyed.requests) == 1


def test_create_from_wandb_refuses_a_fixed_replica_count_and_a_key_without_project() -> None:
    api = FakeAPI()
    endpoints = make_client(api).endpoints
    with pytest.raises(fd.InvalidInputError) as info:
        endpoints.create_from_wandb("a:v1", autoscaling=fd.Autoscaling.fixed(1))
    assert info.value.field == "autoscaling"
    with pytest.raises(fd.InvalidInputError) as info:
        endpoints.create_from_wandb("a:v1", idempotency_key="k")
    assert info.value.field == "project_id"
    assert api.requests == []


def test_create_from_wandb_with_a_null_endpoint_id_is_a_response_format_error() -> None:
    api = FakeAPI().on("POST", WANDB, reply(200, {**wandb_response(), "endpointId": None}))
    with pytest.raises(fd.ResponseFormatError):
        make_client(api).endpoints.create_from_wandb("a:v1")


# -- pagination -----------------------------------------------------------------------------------
def test_list_walks_every_page_passing_the_cursor_back_opaquely() -> None:
    odd_cursor = "opaque/+=cursor?&2"
    api = FakeAPI().on(
        "GET",
        COLLECTION,
        listing("ep-a", "ep-b", cursor="c1"),
        listing("ep-c", cursor=odd_cursor, status="SLEEPING"),
        listing("ep-d", cursor=None),
    )
    endpoints = list(make_client(api, team_id=TEAM).endpoints.list("proj", page_size=2))
    assert [ep.id for ep in endpoints] == ["ep-a", "ep-b", "ep-c", "ep-d"]
    assert endpoints[2].state is not None
    assert endpoints[2].state.status is fd.Status.SLEEPING
    assert [dict(r.url.params) for r in api.requests] == [
        {"project_id": "proj", "limit": "2"},
        {"project_id": "proj", "limit": "2", "cursor": "c1"},
        {"project_id": "proj", "limit": "2", "cursor": odd_cursor},
    ]
    for request in api.requests:
        assert_headers(request)


def test_list_without_project_sends_no_project_id_and_the_default_page_size() -> None:
    api = FakeAPI().on("GET", COLLECTION, listing("ep-a"))
    assert [ep.id for ep in make_client(api).endpoints.list()] == ["ep-a"]
    assert dict(api.requests[0].url.params) == {"limit": "100"}  # the contract's largest page


def test_list_limit_is_the_most_endpoints_yielded_and_page_size_the_size_of_a_page() -> None:
    # Before 2.0.0, limit was the page size: list(limit=3) yielded every endpoint, in pages of 3.
    pages = (listing("ep-a", "ep-b", cursor="c1"), listing("ep-c", "ep-d", cursor="c2"), listing("ep-e"))
    api = FakeAPI().on("GET", COLLECTION, *pages)
    listed = [ep.id for ep in make_client(api).endpoints.list("proj", limit=3, page_size=2)]
    assert listed == ["ep-a", "ep-b", "ep-c"]
    assert [r.url.params.get("limit") for r in api.requests] == ["2", "2"]  # no page fetched past the limit


def test_a_limit_below_the_page_size_asks_for_a_page_of_that_many() -> None:
    api = FakeAPI().on("GET", COLLECTION, listing("ep-a", "ep-b", "ep-c", cursor="more"))
    assert [ep.id for ep in make_client(api).endpoints.list(limit=2)] == ["ep-a", "ep-b"]
    assert [dict(r.url.params) for r in api.requests] == [{"limit": "2"}]


def test_a_limit_beyond_any_count_lists_everything() -> None:
    api = FakeAPI().on("GET", COLLECTION, listing("ep-a", cursor="c1"), listing("ep-b"))
    assert [ep.id for ep in make_client(api).endpoints.list(limit=2**70, page_size=1)] == ["ep-a", "ep-b"]


def test_versions_limit_and_page_size() -> None:
    path = f"{COLLECTION}/{EP}/version"
    page = {"data": {"v1": spec_json("one"), "v2": spec_json("two")}, "nextCursor": "n1"}
    api = FakeAPI().on("GET", path, reply(200, page), reply(200, {"data": {"v3": spec_json("three")}}))
    versions = make_client(api).endpoints.versions(EP, limit=1)
    assert [v.version_id for v in versions] == ["v1"]
    assert [dict(r.url.params) for r in api.requests] == [{"limit": "1"}]


def test_list_stops_with_response_format_error_when_a_cursor_repeats() -> None:
    api = FakeAPI().on("GET", COLLECTION, listing("ep-a", cursor="same"), listing("ep-b", cursor="same"))
    endpoints = make_client(api).endpoints.list()
    assert [next(endpoints).id, next(endpoints).id] == ["ep-a", "ep-b"]
    with pytest.raises(fd.ResponseFormatError, match="twice"):
        next(endpoints)
    assert len(api.requests) == 2


def test_versions_walks_every_page_of_the_history() -> None:
    path = f"{COLLECTION}/{EP}/version"
    api = FakeAPI().on(
        "GET",
        path,
        reply(200, {"data": {"v1": spec_json("one"), "v2": spec_json("two")}, "nextCursor": "n1"}),
        reply(200, {"data": {"v3": spec_json("three")}}),
    )
    versions = list(make_client(api, team_id=TEAM).endpoints.versions(EP, page_size=2))
    assert [(v.version_id, v.spec.name) for v in versions] == [("v1", "one"), ("v2", "two"), ("v3", "three")]
    assert [dict(r.url.params) for r in api.requests] == [{"limit": "2"}, {"limit": "2", "cursor": "n1"}]
    assert all(r.method == "GET" and r.url.path == path for r in api.requests)
    assert_headers(api.requests[0])


def test_versions_stops_with_response_format_error_when_a_cursor_repeats() -> None:
    page = reply(200, {"data": {"v1": spec_json()}, "nextCursor": "loop"})
    api = FakeAPI().on("GET", f"{COLLECTION}/{EP}/version", page)
    with pytest.raises(fd.ResponseFormatError):
        list(make_client(api).endpoints.versions(EP))
    assert len(api.requests) == 2


def test_list_and_versions_check_their_arguments_when_called_not_when_iterated() -> None:
    api = FakeAPI()
    endpoints = make_client(api).endpoints
    with pytest.raises(fd.InvalidInputError) as info:
        endpoints.list(page_size=101)
    assert info.value.field == "page_size"
    with pytest.raises(fd.InvalidInputError) as info:
        endpoints.versions(EP, limit=0)
    assert info.value.field == "limit"
    with pytest.raises(fd.InvalidInputError) as info:
        endpoints.versions("../x")
    assert info.value.field == "endpoint_id"
    assert api.requests == []


# -- handles and waiting --------------------------------------------------------------------------
def test_endpoint_handle_actions_chain_and_refresh_state() -> None:
    api = (
        FakeAPI()
        .on("PUT", f"{COLLECTION}/{EP}/sleep", reply(200, status_json("SLEEPING")))
        .on("PUT", f"{COLLECTION}/{EP}/wake", reply(200, status_json("AWAKING")))
        .on("PUT", f"{COLLECTION}/{EP}/restart", reply(200, status_json("UPDATING")))
        .on("PUT", f"{COLLECTION}/{EP}/terminate", reply(200, status_json("TERMINATING")))
        .on("PUT", f"{COLLECTION}/{EP}", reply(200, spec_json("renamed")))
        .on("GET", f"{COLLECTION}/{EP}/status", reply(200, status_json("RUNNING")))
        .on("GET", f"{COLLECTION}/{EP}", reply(200, spec_json("renamed")))
        .on("DELETE", f"{COLLECTION}/{EP}", reply(200, {}))
    )
    ep = make_client(api).endpoints.get_handle(EP)
    assert ep.state is None
    assert api.requests == []
    assert ep.sleep() is ep
    assert ep.state.status is fd.Status.SLEEPING
    assert ep.wake().state.status is fd.Status.AWAKING
    assert ep.restart().state.status is fd.Status.UPDATING
    assert ep.update(name="renamed") is ep  # one request; the state is the last one seen
    assert ep.state.status is fd.Status.UPDATING
    assert ep.spec().name == "renamed"
    assert ep.terminate().state.status is fd.Status.TERMINATING
    assert ep.refresh().state.status is fd.Status.RUNNING
    assert ep.delete() is None
    assert [(r.method, r.url.path.removeprefix(COLLECTION)) for r in api.requests] == [
        ("PUT", f"/{EP}/sleep"),
        ("PUT", f"/{EP}/wake"),
        ("PUT", f"/{EP}/restart"),
        ("PUT", f"/{EP}"),
        ("GET", f"/{EP}"),
        ("PUT", f"/{EP}/terminate"),
        ("GET", f"/{EP}/status"),
        ("DELETE", f"/{EP}"),
    ]
    assert "RUNNING" in repr(ep)
    assert EP in repr(ep)


def _every_operation_answering() -> FakeAPI:
    api = FakeAPI()
    for action, status in (
        ("sleep", "SLEEPING"),
        ("wake", "AWAKING"),
        ("restart", "UPDATING"),
        ("terminate", "TERMINATING"),
    ):
        api.on("PUT", f"{COLLECTION}/{EP}/{action}", reply(200, status_json(status)))
    return (
        api.on("PUT", f"{COLLECTION}/{EP}", reply(200, spec_json("renamed")))
        .on("GET", f"{COLLECTION}/{EP}/status", reply(200, status_json("RUNNING")))
        .on("GET", f"{COLLECTION}/{EP}", reply(200, spec_json("renamed")))
    )


# (resource method, its arguments after the id, the handle's method of the same role, what the
# resource returns). The rule the docs state: client.endpoints answers with data, a handle with itself.
RETURN_KINDS = [
    ("status", {}, "refresh", "EndpointState"),
    ("get", {}, "spec", "EndpointSpec"),  # the one query of a handle: it returns the data too
    ("update", {"name": "renamed"}, "update", "EndpointSpec"),
    ("sleep", {}, "sleep", "EndpointState"),
    ("wake", {}, "wake", "EndpointState"),
    ("terminate", {}, "terminate", "EndpointState"),
    ("restart", {}, "restart", "EndpointState"),
    ("wait_until_running", {"timeout": 60}, "wait_until_running", "EndpointState"),
]


@pytest.mark.parametrize(("method", "kwargs", "handle_method", "kind"), RETURN_KINDS, ids=lambda x: str(x))
def test_resource_methods_return_the_answer_and_handle_methods_the_handle(
    method: str, kwargs: dict[str, Any], handle_method: str, kind: str
) -> None:
    endpoints = make_client(_every_operation_answering()).endpoints
    assert type(getattr(endpoints, method)(EP, **kwargs)) is getattr(fd, kind)
    handle = endpoints.get_handle(EP)
    returned = getattr(handle, handle_method)(**kwargs)
    if handle_method == "spec":
        assert type(returned) is fd.EndpointSpec
    else:
        assert returned is handle
        assert handle.state is None if method == "update" else type(handle.state) is fd.EndpointState


def test_the_handle_repr_shows_id_project_name_and_status_as_they_become_known() -> None:
    endpoints = make_client(_every_operation_answering()).endpoints
    handle = endpoints.get_handle(EP)
    assert repr(handle) == "Endpoint(id='ep-1', status=None)"
    handle.refresh()
    assert repr(handle) == "Endpoint(id='ep-1', status='RUNNING')"
    handle.spec()  # the specification names the endpoint and its project
    assert (handle.name, handle.project_id) == ("renamed", "proj")
    assert repr(handle) == "Endpoint(id='ep-1', project_id='proj', name='renamed', status='RUNNING')"
    listed = next(iter(make_client(FakeAPI().on("GET", COLLECTION, listing(EP))).endpoints.list("proj")))
    assert repr(listed) == "Endpoint(id='ep-1', project_id='proj', status='RUNNING')"


def test_a_created_handle_knows_its_name_and_project() -> None:
    api = (
        FakeAPI()
        .on("GET", COLLECTION, listing(), reply(200, {"data": {EP: status_json("INITIALIZING")}}))
        .on("POST", COLLECTION, reply(200, status_json("INITIALIZING")))
        .on("GET", f"{COLLECTION}/{EP}", reply(200, spec_json("chat")))
    )
    created = make_client(api).endpoints.create("proj", "chat", "org/model", "H100")
    assert (created.id, created.project_id, created.name) == (EP, "proj", "chat")
    assert repr(created) == "Endpoint(id='ep-1', project_id='proj', name='chat', status='INITIALIZING')"


def test_the_handles_of_list_and_wait_until_running_are_endpoints_and_nothing_that_claims_more() -> None:
    endpoints = make_client(_every_operation_answering().on("GET", COLLECTION, listing(EP))).endpoints
    running = endpoints.get_handle(EP).wait_until_running(timeout=60)
    (listed,) = endpoints.list()
    assert type(running) is type(listed) is fd.Endpoint
    # The names type checkers see are no classes at run time: isinstance cannot claim a state.
    assert "RunningEndpoint" not in fd.__all__
    assert "ListedEndpoint" not in dir(fd)


def test_wait_until_running_polls_through_the_phases_on_the_injected_clock() -> None:
    time = Recorder()
    api = FakeAPI().on(
        "GET",
        f"{COLLECTION}/{EP}/status",
        reply(200, status_json("INITIALIZING", phase="REQUESTING_VIRTUAL_MACHINE")),
        reply(200, status_json("INITIALIZING", phase="DOWNLOADING_MODEL")),
        reply(200, status_json("INITIALIZING", phase="ENGINE_INITIALIZING")),
        reply(200, status_json("RUNNING")),
    )
    progress: list[tuple[str, str | None, float]] = []
    ep = make_client(api, time).endpoints.get_handle(EP)
    result = ep.wait_until_running(
        timeout=600,
        on_progress=lambda state, elapsed: progress.append((state.status.value, state.phase, elapsed)),
    )
    assert result is ep
    assert ep.state is not None
    assert ep.state.status is fd.Status.RUNNING
    assert [(s, p) for s, p, _ in progress] == [
        ("INITIALIZING", "REQUESTING_VIRTUAL_MACHINE"),
        ("INITIALIZING", "DOWNLOADING_MODEL"),
        ("INITIALIZING", "ENGINE_INITIALIZING"),
        ("RUNNING", None),
    ]
    assert [elapsed for *_, elapsed in progress] == pytest.approx([0.0, *[sum(time.sleeps[:n]) for n in (1, 2, 3)]])
    assert len(time.sleeps) == 3
    assert time.sleeps == sorted(time.sleeps)
    assert len(api.requests) == 4


def test_wait_until_running_with_wake_wakes_a_sleeping_endpoint_once() -> None:
    api = (
        FakeAPI()
        .on(
            "GET",
            f"{COLLECTION}/{EP}/status",
            reply(200, status_json("SLEEPING")),
            reply(200, status_json("AWAKING")),
            reply(200, status_json("READY")),
        )
        .on("PUT", f"{COLLECTION}/{EP}/wake", reply(200, status_json("AWAKING")))
    )
    state = make_client(api).endpoints.wait_until_running(EP, timeout=60, wake=True)
    assert state.status is fd.Status.READY
    assert len(api.calls("PUT", f"{COLLECTION}/{EP}/wake")) == 1


def test_wait_until_running_times_out_on_the_fake_clock_with_the_last_state() -> None:
    time = Recorder()
    api = FakeAPI().on("GET", f"{COLLECTION}/{EP}/status", reply(200, status_json("INITIALIZING")))
    with pytest.raises(fd.WaitTimeoutError) as info:
        make_client(api, time).endpoints.wait_until_running(EP, timeout=5)
    assert info.value.state is not None
    assert info.value.state.status is fd.Status.INITIALIZING
    assert sum(time.sleeps) == pytest.approx(5)


def test_wait_until_running_raises_endpoint_failed_with_the_error_code() -> None:
    api = FakeAPI().on(
        "GET", f"{COLLECTION}/{EP}/status", reply(200, status_json("FAILED", errorCode="INFERENCE_ENGINE_MEMORY_ERROR"))
    )
    with pytest.raises(fd.EndpointFailedError) as info:
        make_client(api).endpoints.wait_until_running(EP)
    assert info.value.error_code == "INFERENCE_ENGINE_MEMORY_ERROR"
    assert len(api.requests) == 1


# -- tolerance of new values ----------------------------------------------------------------------
def test_a_new_status_and_unknown_fields_are_tolerated_and_kept_raw() -> None:
    api = FakeAPI().on(
        "GET",
        f"{COLLECTION}/{EP}/status",
        reply(200, status_json("SCALING", phase="WARMING_CACHE", brandNew={"x": 1})),
    )
    state = make_client(api).endpoints.status(EP)
    assert state.status.value == "SCALING"
    assert not state.status.is_known
    assert state.phase is not None
    assert state.phase.value == "WARMING_CACHE"
    assert state.raw["brandNew"] == {"x": 1}
    assert state.raw["status"] == "SCALING"


def test_unknown_extra_fields_in_a_spec_are_tolerated() -> None:
    api = FakeAPI().on("GET", f"{COLLECTION}/{EP}", reply(200, spec_json(futureField=[1, 2])))
    spec = make_client(api).endpoints.get(EP)
    assert spec.name == "chat"
    assert spec.additional_properties["futureField"] == [1, 2]


def test_base_url_path_prefix_is_kept() -> None:
    api = FakeAPI().on("GET", f"/proxy{COLLECTION}/{EP}/status", reply(200, status_json()))
    make_client(api, base_url="https://gw.test/proxy/").endpoints.status(EP)
    assert str(api.requests[0].url) == f"https://gw.test/proxy{COLLECTION}/{EP}/status"
