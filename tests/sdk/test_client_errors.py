"""Errors through the client: every status code and body shape maps to its typed error (with
status_code, body and request); successful responses that break the contract are
ResponseFormatError; retries follow the policy (which calls, how many times, how long the injected
sleep is asked to wait); and bad input (hypothesis) is refused with InvalidInputError naming the
argument before any request is sent.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

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
    make_client,
    reply,
    spec_json,
    status_json,
)
from hypothesis import given, settings, strategies as st

import friendli_dedicated as fd
from friendli_dedicated_api._contract import ENGINE_OPTIONS, EngineOption

STATUS_PATH = f"{COLLECTION}/{EP}/status"
HTML_502 = b"<html><head><title>502 Bad Gateway</title></head><body><center>nginx</center></body></html>"
TRUNCATED = b'{"detail": "the endpoint is bu'


def status_call(reply_: Reply, **client_kwargs: Any) -> tuple[FakeAPI, pytest.ExceptionInfo[fd.FriendliError]]:
    """Run ``endpoints.status`` against one canned reply; return the fake and the raised error."""
    api = FakeAPI().on("GET", STATUS_PATH, reply_)
    client_kwargs.setdefault("max_retries", 0)
    with pytest.raises(fd.FriendliError) as info:
        make_client(api, **client_kwargs).endpoints.status(EP)
    return api, info


# -- status codes and bodies ----------------------------------------------------------------------
ERROR_CLASSES = [
    (400, fd.BadRequestError),
    (401, fd.AuthenticationError),
    (403, fd.PermissionDeniedError),
    (404, fd.NotFoundError),
    (409, fd.ConflictError),
    (422, fd.ValidationError),
    (429, fd.RateLimitError),
    (500, fd.ServerError),
    (502, fd.ServerError),
    (503, fd.ServerError),
    (504, fd.ServerError),
    (418, fd.APIError),
    (451, fd.APIError),
]

BODIES: list[tuple[str, bytes, object]] = [
    ("json", b'{"detail": "nope"}', {"detail": "nope"}),
    ("html", HTML_502, HTML_502.decode()),
    ("empty", b"", None),
    ("truncated-json", TRUNCATED, TRUNCATED.decode()),
]


@pytest.mark.parametrize(("status", "error"), ERROR_CLASSES, ids=[str(s) for s, _ in ERROR_CLASSES])
@pytest.mark.parametrize(("kind", "content", "expected_body"), BODIES, ids=[b[0] for b in BODIES])
def test_every_status_and_body_shape_gives_the_typed_error(
    status: int, error: type[fd.APIError], kind: str, content: bytes, expected_body: object
) -> None:
    api, info = status_call(reply(status, content=content))
    exc = info.value
    assert type(exc) is error
    assert exc.status_code == status
    assert exc.body == expected_body
    # A copy of the request sent, with the credentials redacted (errors never carry the token).
    assert exc.request is not None
    assert exc.request.url == api.requests[0].url
    assert exc.request.method == "GET"
    assert exc.request.url.path == STATUS_PATH
    assert exc.request.headers["authorization"] == "[redacted]"
    assert str(status) in str(exc)
    assert STATUS_PATH in str(exc)
    if kind == "json":
        assert "nope" in str(exc)
    if kind == "html":
        assert "non-JSON" in str(exc)


def test_422_detail_is_parsed_into_loc_msg_type() -> None:
    body = {
        "detail": [
            {"loc": ["body", "advanced", "max_batch_size"], "msg": "must be positive", "type": "value_error"},
            {"loc": ["query", "limit", 0], "msg": "too large", "type": "less_than_equal"},
            "junk that is not an issue",
        ]
    }
    _, info = status_call(reply(422, body))
    exc = info.value
    assert isinstance(exc, fd.ValidationError)
    assert [(i.loc, i.msg, i.type) for i in exc.detail] == [
        (("body", "advanced", "max_batch_size"), "must be positive", "value_error"),
        (("query", "limit", 0), "too large", "less_than_equal"),
    ]
    assert "body.advanced.max_batch_size: must be positive" in str(exc)


@pytest.mark.parametrize("content", [b"", HTML_502, b'{"detail": "x"}'])
def test_422_without_a_detail_list_has_an_empty_detail(content: bytes) -> None:
    _, info = status_call(reply(422, content=content))
    assert isinstance(info.value, fd.ValidationError)
    assert info.value.detail == []


@pytest.mark.parametrize(
    ("headers", "retry_after"),
    [
        ({"Retry-After": "12"}, 12.0),
        ({"Retry-After": "0.5"}, 0.5),
        ({"retry-after-ms": "1500"}, 1.5),
        ({}, None),
        ({"Retry-After": "soon"}, None),
    ],
)
def test_429_carries_the_servers_retry_after(headers: dict[str, str], retry_after: float | None) -> None:
    _, info = status_call(reply(429, {"detail": "rate limited"}, headers=headers))
    assert isinstance(info.value, fd.RateLimitError)
    assert info.value.retry_after == retry_after


def test_api_errors_are_friendli_errors_and_not_value_errors() -> None:
    _, info = status_call(reply(404, {"detail": "no such endpoint"}))
    assert isinstance(info.value, fd.APIError)
    assert isinstance(info.value, fd.FriendliError)
    assert not isinstance(info.value, ValueError)


# -- successful responses that break the contract -------------------------------------------------
@pytest.mark.parametrize(
    "content",
    [
        HTML_502,
        b'{"status": "RUNNING", "createdAt": "2025-',
        b'[{"status": "RUNNING"}]',
        b'{"createdAt": "2025-01-01T00:00:00Z"}',
        b'{"status": 7, "createdAt": "2025-01-01T00:00:00Z"}',
        b'{"status": "RUNNING", "createdAt": "yesterday"}',
        b'{"status": "RUNNING", "createdAt": "2025-01-01T00:00:00Z", "phase": 3}',
        b"null",
        b"",
        b"\xff\xfe\x00garbage",
    ],
    ids=["html", "truncated", "list", "no-status", "status-int", "bad-date", "phase-int", "null", "empty", "binary"],
)
def test_a_200_status_that_breaks_the_contract_is_a_response_format_error(content: bytes) -> None:
    api, info = status_call(reply(200, content=content))
    exc = info.value
    assert type(exc) is fd.ResponseFormatError
    assert exc.status_code == 200
    assert exc.request is not None
    assert exc.request.url == api.requests[0].url
    assert isinstance(exc.body, str)
    assert "contract" in str(exc)


@pytest.mark.parametrize("missing", ["name", "gpuType", "maxBatchSize", "tokenizerAddSpecialTokens"])
def test_a_spec_missing_a_required_field_is_a_response_format_error_not_key_error(missing: str) -> None:
    body = spec_json()
    del body[missing]
    api = FakeAPI().on("GET", f"{COLLECTION}/{EP}", reply(200, body))
    with pytest.raises(fd.ResponseFormatError, match=missing) as info:
        make_client(api).endpoints.get(EP)
    assert not isinstance(info.value, KeyError)


@pytest.mark.parametrize(
    "page",
    [
        {"data": [], "nextCursor": None},
        {"data": {"ep-a": "RUNNING"}},
        {"data": {"ep-a": {"createdAt": "2025-01-01T00:00:00Z"}}},
        {"data": {}, "nextCursor": 5},
        ["ep-a"],
    ],
    ids=["data-list", "item-string", "item-no-status", "cursor-int", "top-list"],
)
def test_a_malformed_listing_is_a_response_format_error(page: object) -> None:
    api = FakeAPI().on("GET", COLLECTION, reply(200, page))
    with pytest.raises(fd.ResponseFormatError):
        list(make_client(api).endpoints.list())


def test_a_malformed_wandb_response_is_a_response_format_error() -> None:
    api = FakeAPI().on("POST", "/dedicated/endpoint/wandb-artifact-create", reply(200, {"endpointName": "x"}))
    with pytest.raises(fd.ResponseFormatError, match="endpointId"):
        make_client(api).endpoints.create_from_wandb("a:v1")


# -- retries --------------------------------------------------------------------------------------
RETRYABLE: list[tuple[str, Reply, type[fd.FriendliError]]] = [
    ("connect-error", fail(httpx.ConnectError), fd.TransportError),
    ("read-timeout", fail(httpx.ReadTimeout), fd.RequestTimeoutError),
    ("429", reply(429, {"detail": "slow"}), fd.RateLimitError),
    ("502", reply(502, content=HTML_502), fd.ServerError),
    ("503", reply(503), fd.ServerError),
    ("504", reply(504, {"detail": "gateway timeout"}), fd.ServerError),
]


FAILURES = [retryable for retryable in RETRYABLE if retryable[0] != "429"]


@pytest.mark.parametrize(("name", "reply_", "error"), FAILURES, ids=[r[0] for r in FAILURES])
@pytest.mark.parametrize("max_retries", [0, 1, 3])
def test_idempotent_calls_are_sent_at_most_max_retries_plus_one_times(
    name: str, reply_: Reply, error: type[fd.FriendliError], max_retries: int
) -> None:
    time = Recorder()
    api, info = status_call(reply_, max_retries=max_retries, time=time)
    assert type(info.value) is error
    assert len(api.requests) == max_retries + 1
    assert len(time.sleeps) == max_retries
    assert all(0 <= s <= 60 for s in time.sleeps)


@pytest.mark.parametrize(("max_retries", "max_rate_limited_retries", "sends"), [(0, None, 1), (1, 3, 4), (3, 0, 1)])
def test_a_429_is_sent_at_most_max_rate_limited_retries_plus_one_times(
    max_retries: int, max_rate_limited_retries: int | None, sends: int
) -> None:
    # 429s have a count of their own (none when retries are off, unless asked for), not max_retries.
    kwargs: dict[str, Any] = (
        {} if max_rate_limited_retries is None else {"max_rate_limited_retries": max_rate_limited_retries}
    )
    api = FakeAPI().on("GET", STATUS_PATH, reply(429, {"detail": "slow"}))
    client = make_client(api, retry=fd.RetryPolicy(max_retries=max_retries, **kwargs), timeout=600)
    with pytest.raises(fd.RateLimitError):
        client.endpoints.status(EP)
    assert len(api.requests) == sends


@pytest.mark.parametrize(("name", "reply_", "error"), RETRYABLE, ids=[r[0] for r in RETRYABLE])
def test_a_transient_failure_then_success_returns_the_result(name: str, reply_: Reply, error: type) -> None:
    api = FakeAPI().on("GET", STATUS_PATH, reply_, reply(200, status_json("RUNNING")))
    assert make_client(api).endpoints.status(EP).status is fd.Status.RUNNING
    assert len(api.requests) == 2


@pytest.mark.parametrize("action", ["sleep", "wake", "terminate", "restart"])
def test_lifecycle_puts_and_delete_are_retried(action: str) -> None:
    api = (
        FakeAPI()
        .on("PUT", f"{COLLECTION}/{EP}/{action}", reply(503), reply(200, status_json()))
        .on("DELETE", f"{COLLECTION}/{EP}", fail(httpx.ReadTimeout), reply(200, {}))
    )
    endpoints = make_client(api).endpoints
    getattr(endpoints, action)(EP)
    endpoints.delete(EP)
    assert len(api.requests) == 4


def _limited_then_unavailable() -> FakeAPI:
    """Status answers 429 (Retry-After: 7), then 503 (Retry-After: 3600), then 200."""
    return FakeAPI().on(
        "GET",
        STATUS_PATH,
        reply(429, headers={"Retry-After": "7"}),
        reply(503, headers={"Retry-After": "3600"}),
        reply(200, status_json()),
    )


def test_retry_after_is_what_the_injected_sleep_receives_capped_at_60s() -> None:
    time = Recorder()
    api = _limited_then_unavailable()
    make_client(api, time, max_retries=2, timeout=300).endpoints.status(EP)
    assert time.sleeps == [7.0, 60.0]


def test_a_retry_that_would_end_after_the_call_deadline_is_not_waited_for() -> None:
    time = Recorder()
    api = _limited_then_unavailable()
    with pytest.raises(fd.ServerError):
        make_client(api, time, max_retries=2, timeout=30).endpoints.status(EP)
    # 7 s fit in the call's 30 s; the capped 60 s do not, so the 503 is raised at once.
    assert time.sleeps == [7.0]
    assert len(api.requests) == 2


def test_without_retry_after_the_backoff_grows_with_the_injected_random() -> None:
    time = Recorder()
    _api, _ = status_call(reply(503), max_retries=3, time=time)
    # Backoff(initial=0.5, multiplier=2, jitter=1.0) with random() == 0.5: half of 0.5, 1, 2.
    assert time.sleeps == [0.25, 0.5, 1.0]


@pytest.mark.parametrize("status", [500, 400, 401, 403, 404, 409, 422])
def test_500_and_4xx_are_not_retried(status: int) -> None:
    time = Recorder()
    api, info = status_call(reply(status, {"detail": "x"}), max_retries=5, time=time)
    assert isinstance(info.value, fd.APIError)
    assert info.value.status_code == status
    assert len(api.requests) == 1
    assert time.sleeps == []


@pytest.mark.parametrize(
    ("put_reply", "error"),
    [(fail(httpx.ReadTimeout), fd.TransportError), (reply(503), fd.ServerError)],
    ids=["read-timeout", "503"],
)
def test_update_is_not_retried_once_it_may_have_reached_the_server(put_reply: Reply, error: type) -> None:
    api = FakeAPI().on("PUT", f"{COLLECTION}/{EP}", put_reply, reply(200, spec_json()))
    with pytest.raises(error):
        make_client(api, max_retries=4).endpoints.update(EP, name="new")
    assert len(api.requests) == 1


def test_update_is_retried_after_a_connect_error() -> None:
    api = FakeAPI().on("PUT", f"{COLLECTION}/{EP}", fail(httpx.ConnectError), reply(200, spec_json("new")))
    assert make_client(api).endpoints.update(EP, name="new").name == "new"
    assert len(api.requests) == 2


def test_transport_error_keeps_the_request_and_names_the_call() -> None:
    _api, info = status_call(fail(httpx.ConnectError, "connection refused"))
    exc = info.value
    assert isinstance(exc, fd.TransportError)
    assert exc.request is not None
    assert exc.request.url.path == STATUS_PATH
    assert "GET" in str(exc)
    assert "ConnectError" in str(exc)
    assert not exc.may_have_reached_server
    # The httpx exception is not kept (its request carries the real Authorization header).
    assert exc.__cause__ is None
    assert exc.__context__ is None


# -- bad input: refused before anything is sent ---------------------------------------------------
NOT_STR = st.one_of(
    st.none(), st.booleans(), st.integers(), st.floats(allow_nan=False), st.lists(st.integers(), max_size=2)
)
NOT_STR_NOR_NONE = st.one_of(st.booleans(), st.integers(), st.floats(allow_nan=False), st.binary(max_size=3))
BLANK = st.text(alphabet=" \t\n", max_size=4)
PATHY = st.one_of(
    st.just(".."),
    st.just("../etc"),
    st.text(max_size=8).map(lambda s: f"a/{s}"),
    st.text(max_size=8).map(lambda s: f"{s}/"),
    st.text(max_size=8).map(lambda s: f"..{s}"),
    st.text(max_size=8).map(lambda s: f"a?{s}"),
    st.text(max_size=8).map(lambda s: f"a#{s}"),
    st.text(max_size=8).map(lambda s: f"a {s}"),
    st.just("a" * 201),
)
BAD_ID = st.one_of(NOT_STR, BLANK, PATHY)
BAD_TEXT = st.one_of(NOT_STR, BLANK)  # name/model of create: required, non-blank
BAD_OPTIONAL_TEXT = st.one_of(NOT_STR_NOR_NONE, BLANK)  # None means "not given" for these
BAD_INSTANCE = st.one_of(
    NOT_STR,
    BLANK,
    st.sampled_from(
        ["3x H100", "16x B200", "0x H200", "H1", "A10", "T4", "2x", "x H100", "H100 H200", "zfTutSiLn0Hq "]
    ),
    st.text(alphabet="qwrtyjkl", min_size=1, max_size=10),  # no GPU name can be spelt from these letters
)
NOT_WHOLE_POSITIVE = st.one_of(
    st.integers(max_value=0), st.booleans(), st.floats(allow_nan=False), st.text(max_size=3), st.just([1])
)
NOT_BOOL = st.one_of(st.none(), st.integers(), st.text(max_size=3), st.just("true"))


def autoscaling_errors() -> st.SearchStrategy[tuple[Callable[[], object], str]]:
    """Ways to pass a bad autoscaling, with the field the refusal must name."""
    not_autoscaling = st.one_of(st.integers(), st.text(max_size=3), st.just({"maxReplica": 2}), st.just((0, 1))).map(
        lambda v: ((lambda: v), "autoscaling")
    )
    too_many = st.one_of(st.integers(min_value=11), st.integers(max_value=0), st.booleans(), st.floats()).map(
        lambda v: ((lambda: fd.Autoscaling(max_replicas=v)), "autoscaling.max_replicas")
    )
    negative_min = st.integers(max_value=-1).map(
        lambda v: ((lambda: fd.Autoscaling(min_replicas=v)), "autoscaling.min_replicas")
    )
    no_replicas = st.integers(max_value=0).map(lambda v: ((lambda: fd.Autoscaling.fixed(v)), "autoscaling.replicas"))
    bad_cooldown = st.one_of(st.integers(max_value=-1), st.just(1.5), st.just("60")).map(
        lambda v: ((lambda: fd.Autoscaling(cooldown=v)), "autoscaling.cooldown")
    )
    return st.one_of(not_autoscaling, too_many, negative_min, no_replicas, bad_cooldown)


def _bad_values(option: EngineOption) -> st.SearchStrategy[Any]:
    """Values the contract's description of ``option`` refuses (read from the generated table)."""
    wrong_type = {
        "integer": st.one_of(st.floats(), st.booleans(), st.text(max_size=3), st.just(2**64)),
        "number": st.one_of(st.just(float("nan")), st.just(float("inf")), st.booleans(), st.text(max_size=2)),
        "boolean": st.one_of(st.integers(), st.text(max_size=3), st.just("true")),
        "string": st.one_of(st.integers(), st.booleans()),
    }[option.kind]
    strategies = [wrong_type]
    if option.enum:
        strategies.append(st.text(max_size=8).filter(lambda v: v not in option.enum))
    if not option.nullable:
        strategies.append(st.none())
    if option.minimum is not None:
        strategies.append(st.integers(max_value=int(option.minimum) - 1))
    if option.maximum is not None:
        strategies.append(st.integers(min_value=int(option.maximum) + 1))
    return st.one_of(*strategies)


ADVANCED_ERRORS = st.one_of(
    *(_bad_values(option).map(lambda v, name=option.name: (name, v)) for option in ENGINE_OPTIONS),
    st.sampled_from(["max_batch", "maxBatchSize", "temperature"]).map(lambda k: (k, 1)),
)

CREATE_ARGS = {"project_id": "proj", "name": "chat", "model": "org/model", "instance": "H100"}


def refused(call: Callable[[], object], field: str) -> None:
    with pytest.raises(fd.InvalidInputError) as info:
        call()
    assert info.value.field == field, info.value
    assert isinstance(info.value, ValueError)


@pytest.mark.parametrize(
    ("argument", "strategy"),
    [("project_id", BAD_ID), ("name", BAD_TEXT), ("model", BAD_TEXT), ("instance", BAD_INSTANCE)],
)
def test_create_refuses_bad_positional_arguments_without_sending(
    argument: str, strategy: st.SearchStrategy[Any]
) -> None:
    api = FakeAPI()
    endpoints = make_client(api).endpoints

    @settings(max_examples=50, deadline=None)
    @given(bad=strategy)
    def check(bad: object) -> None:
        refused(lambda: endpoints.create(**{**CREATE_ARGS, argument: bad}), argument)

    check()
    assert api.requests == []


def test_create_refuses_bad_optional_text_without_sending() -> None:
    api = FakeAPI()
    endpoints = make_client(api).endpoints

    @settings(max_examples=50, deadline=None)
    @given(field=st.sampled_from(["revision", "comment"]), bad=BAD_OPTIONAL_TEXT)
    def check(field: str, bad: object) -> None:
        refused(lambda: endpoints.create(**CREATE_ARGS, **{field: bad}), field)

    check()
    assert api.requests == []


def test_create_and_update_refuse_bad_autoscaling_without_sending() -> None:
    api = FakeAPI()
    endpoints = make_client(api).endpoints

    @settings(max_examples=50, deadline=None)
    @given(case=autoscaling_errors(), operation=st.sampled_from(["create", "update"]))
    def check(case: tuple[Callable[[], object], str], operation: str) -> None:
        build, field = case
        if operation == "create":
            refused(lambda: endpoints.create(**CREATE_ARGS, autoscaling=build()), field)
        else:
            refused(lambda: endpoints.update(EP, autoscaling=build()), field)

    check()
    assert api.requests == []


def test_create_and_update_refuse_bad_engine_options_without_sending() -> None:
    api = FakeAPI()
    endpoints = make_client(api).endpoints

    @settings(max_examples=50, deadline=None)
    @given(option=ADVANCED_ERRORS, operation=st.sampled_from(["create", "update"]))
    def check(option: tuple[str, object], operation: str) -> None:
        field, bad = option
        if operation == "create":
            refused(lambda: endpoints.create(**CREATE_ARGS, **{field: bad}), field)
        else:
            refused(lambda: endpoints.update(EP, **{field: bad}), field)

    check()
    assert api.requests == []


@pytest.mark.parametrize(
    ("argument", "strategy"),
    [
        ("name", BAD_OPTIONAL_TEXT),
        ("model", BAD_OPTIONAL_TEXT),
        ("revision", BAD_OPTIONAL_TEXT),
        ("comment", BAD_OPTIONAL_TEXT),
        ("instance", BAD_INSTANCE.filter(lambda v: v is not None)),
    ],
)
def test_update_refuses_bad_fields_without_sending(argument: str, strategy: st.SearchStrategy[Any]) -> None:
    api = FakeAPI()
    endpoints = make_client(api).endpoints

    @settings(max_examples=50, deadline=None)
    @given(bad=strategy)
    def check(bad: object) -> None:
        refused(lambda: endpoints.update(EP, **{argument: bad}), argument)

    check()
    assert api.requests == []


def test_every_endpoint_id_taking_method_refuses_bad_ids_without_sending() -> None:
    api = FakeAPI()
    endpoints = make_client(api).endpoints
    methods: list[Callable[[Any], object]] = [
        endpoints.get,
        endpoints.status,
        endpoints.delete,
        endpoints.sleep,
        endpoints.wake,
        endpoints.terminate,
        endpoints.restart,
        endpoints.get_handle,
        endpoints.versions,
        endpoints.wait_until_running,
        lambda i: endpoints.update(i, name="x"),
    ]

    @settings(max_examples=50, deadline=None)
    @given(bad=BAD_ID, method=st.sampled_from(methods))
    def check(bad: object, method: Callable[[Any], object]) -> None:
        refused(lambda: method(bad), "endpoint_id")

    check()
    assert api.requests == []


def test_list_refuses_bad_limits_and_project_ids_without_sending() -> None:
    api = FakeAPI()
    endpoints = make_client(api).endpoints

    @settings(max_examples=50, deadline=None)
    @given(
        bad_limit=st.one_of(st.integers(max_value=0), st.booleans(), st.floats(), st.text(max_size=2)),
        bad_page_size=st.one_of(
            st.integers(max_value=0),
            st.integers(min_value=101),
            st.booleans(),
            st.floats(),
            st.none(),
            st.text(max_size=2),
        ),
        bad_project=st.one_of(BLANK, PATHY, NOT_STR_NOR_NONE),
    )
    def check(bad_limit: object, bad_page_size: object, bad_project: object) -> None:
        refused(lambda: endpoints.list(limit=bad_limit), "limit")
        refused(lambda: endpoints.versions(EP, limit=bad_limit), "limit")
        refused(lambda: endpoints.list(page_size=bad_page_size), "page_size")
        refused(lambda: endpoints.versions(EP, page_size=bad_page_size), "page_size")
        refused(lambda: endpoints.list(bad_project), "project_id")

    check()
    assert api.requests == []


def test_wait_until_running_refuses_bad_timeouts_and_wake_without_sending() -> None:
    api = FakeAPI()
    endpoints = make_client(api).endpoints

    @settings(max_examples=50, deadline=None)
    @given(
        bad=st.one_of(
            st.none(),
            st.booleans(),
            st.floats(max_value=-0.001),
            st.just(float("nan")),
            st.just(float("inf")),
            st.text(max_size=2),
        )
    )
    def check(bad: object) -> None:
        refused(lambda: endpoints.wait_until_running(EP, timeout=bad), "timeout")

    check()
    refused(lambda: endpoints.wait_until_running(EP, wake="yes"), "wake")
    assert api.requests == []


def test_a_negative_gpu_count_is_refused() -> None:
    api = FakeAPI().on("GET", COLLECTION, listing()).on("POST", COLLECTION, reply(200, status_json(endpointId="e")))
    refused(lambda: make_client(api).endpoints.create(**{**CREATE_ARGS, "instance": "-1x H100"}), "instance")
    assert api.requests == []


def test_update_with_nothing_to_change_is_refused_without_sending() -> None:
    api = FakeAPI()
    refused(lambda: make_client(api).endpoints.update(EP), "update")
    assert api.requests == []


def test_create_from_wandb_refuses_bad_input_without_sending() -> None:
    api = FakeAPI().on("GET", COLLECTION, listing())
    endpoints = make_client(api).endpoints
    refused(lambda: endpoints.create_from_wandb(""), "artifact")
    refused(lambda: endpoints.create_from_wandb("a:v1", instance="3x H100"), "instance")
    refused(lambda: endpoints.create_from_wandb("a:v1", project_id="a/b"), "project_id")
    refused(lambda: endpoints.create_from_wandb("a:v1", project_id="p", idempotency_key=" "), "idempotency_key")
    assert api.requests == []
