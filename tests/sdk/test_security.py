"""The token never leaks: not in the repr or str of clients, resources, handles and states, not in
any raised exception (str, repr, args, attributes, the request it keeps, its pickle, the exceptions
chained to it), and not in any log record, from any logger (httpx and httpcore included), captured
at DEBUG during a run with retries and failures.
"""

from __future__ import annotations

import logging
import pickle

import httpx
import pytest
from fakes import (
    COLLECTION,
    EP,
    TEAM,
    FakeAPI,
    fail,
    listing,
    make_async_client,
    make_client,
    reply,
    spec_json,
    status_json,
)

import friendli_dedicated as fd

SECRET = "flp_SECRETtoken-9c1f7e2b4a"
STATUS_PATH = f"{COLLECTION}/{EP}/status"


def assert_hidden(*objects: object) -> None:
    for obj in objects:
        assert SECRET not in repr(obj), obj
        assert SECRET not in str(obj), obj
        if isinstance(obj, BaseException):
            assert_error_hidden(obj)


def assert_error_hidden(error: BaseException) -> None:
    """Nothing reachable from ``error`` carries the token, and its pickle neither."""
    seen: list[BaseException] = []
    current: BaseException | None = error
    while current is not None and current not in seen:  # the chain: __cause__, else __context__
        seen.append(current)
        assert SECRET not in str(current)
        assert SECRET not in repr(current.args)
        assert SECRET not in repr(vars(current))  # status_code, body, field, ...
        request = getattr(current, "request", None)
        if isinstance(request, httpx.Request):
            assert SECRET not in repr(list(request.headers.raw))
        current = current.__cause__ or current.__context__
    if isinstance(error, fd.FriendliError):
        data = pickle.dumps(error)
        assert SECRET.encode() not in data
        copy = pickle.loads(data)
        assert type(copy) is type(error)
        assert str(copy) == str(error)
        assert vars(copy).keys() == vars(error).keys()


def secret_client(api: FakeAPI, **kwargs: object) -> fd.Client:
    return make_client(api, token=SECRET, team_id=TEAM, **kwargs)  # type: ignore[arg-type]


def test_the_token_is_really_sent() -> None:
    """Guards the other tests: they would pass vacuously if SECRET never reached a request."""
    api = FakeAPI().on("GET", STATUS_PATH, reply(200, status_json()))
    secret_client(api).endpoints.status(EP)
    assert api.requests[0].headers["Authorization"] == f"Bearer {SECRET}"


def test_clients_resources_handles_and_states_do_not_show_the_token() -> None:
    api = FakeAPI().on("GET", STATUS_PATH, reply(200, status_json(phase="DOWNLOADING_MODEL")))
    client = secret_client(api)
    async_client = make_async_client(api, token=SECRET)
    handle = client.endpoints.get_handle(EP).refresh()
    async_handle = async_client.endpoints.get_handle(EP)
    assert_hidden(
        client,
        async_client,
        client.endpoints,
        async_client.endpoints,
        handle,
        async_handle,
        handle.state,
        client._sender,  # the resolved configuration and retry policy
    )


def caught(call: object) -> fd.FriendliError:
    with pytest.raises(fd.FriendliError) as info:
        call()  # type: ignore[operator]
    return info.value


def test_raised_exceptions_do_not_show_the_token() -> None:
    api = (
        FakeAPI()
        .on("GET", f"{COLLECTION}/ep-401/status", reply(401, {"detail": "invalid token"}))
        .on("GET", f"{COLLECTION}/ep-500/status", reply(500, content=b"<html><body>Internal Error</body></html>"))
        .on("GET", f"{COLLECTION}/ep-bad/status", reply(200, content=b"<html>login page</html>"))
        .on("GET", f"{COLLECTION}/ep-down/status", fail(httpx.ConnectError, "connection refused"))
        .on("GET", f"{COLLECTION}/ep-422", reply(422, {"detail": [{"loc": ["path"], "msg": "bad", "type": "x"}]}))
        .on("GET", f"{COLLECTION}/ep-429/status", reply(429, headers={"Retry-After": "1"}))
        .on("GET", COLLECTION, listing())
        .on("POST", COLLECTION, reply(200, status_json()))
    )
    endpoints = secret_client(api, max_retries=1).endpoints
    errors = [
        caught(lambda: endpoints.status("ep-401")),
        caught(lambda: endpoints.status("ep-500")),
        caught(lambda: endpoints.status("ep-bad")),
        caught(lambda: endpoints.status("ep-down")),
        caught(lambda: endpoints.get("ep-422")),
        caught(lambda: endpoints.status("ep-429")),
        caught(lambda: endpoints.create("proj", "chat", "org/model", "H100")),  # unresolved id
        caught(lambda: endpoints.status("../up")),
        caught(lambda: fd.Client(token=SECRET, base_url="http://remote.test")),
        caught(lambda: fd.Client(token=SECRET, base_url="ftp://remote.test")),
        caught(lambda: fd.Client(token=SECRET, timeout=-1)),
        caught(lambda: fd.Client(token=f"{SECRET} with a space")),
        caught(lambda: fd.Client(token=f"{SECRET}\n")),
        caught(lambda: fd.Client(token=f"{SECRET}\u200b")),  # a pasted zero-width space
        caught(lambda: fd.Client(token=f"{SECRET}é")),
    ]
    expected = [
        fd.AuthenticationError,
        fd.ServerError,
        fd.ResponseFormatError,
        fd.TransportError,
        fd.ValidationError,
        fd.RateLimitError,
        fd.EndpointCreationUnresolvedError,
        fd.InvalidInputError,
        fd.ConfigurationError,
        fd.ConfigurationError,
        fd.InvalidInputError,
        fd.ConfigurationError,
        fd.ConfigurationError,
        fd.ConfigurationError,
        fd.ConfigurationError,
    ]
    assert [type(e) for e in errors] == expected
    assert_hidden(*errors)
    for error in errors:
        request = getattr(error, "request", None)
        if request is not None:
            assert SECRET not in repr(request)


def test_the_wait_errors_do_not_show_the_token() -> None:
    api = FakeAPI().on("GET", STATUS_PATH, reply(200, status_json("FAILED", errorCode="INFERENCE_ENGINE_MEMORY_ERROR")))
    error = caught(lambda: secret_client(api).endpoints.wait_until_running(EP))
    assert isinstance(error, fd.EndpointFailedError)
    assert_hidden(error, error.state)


def test_no_log_record_at_debug_from_any_logger_carries_the_token(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    for name in ("httpx", "httpcore", "friendli_dedicated", "friendli_dedicated.waiter"):
        caplog.set_level(logging.DEBUG, logger=name)
    api = (
        FakeAPI()
        .on(
            "GET",
            STATUS_PATH,
            fail(httpx.ConnectError),
            reply(503, headers={"Retry-After": "1"}),
            reply(200, status_json("INITIALIZING")),
            reply(429),
            reply(200, status_json("SCALING")),
            reply(200, status_json("RUNNING")),
        )
        .on("GET", f"{COLLECTION}/{EP}", reply(500, {"detail": "boom"}))
        .on("PUT", f"{COLLECTION}/{EP}", fail(httpx.ReadTimeout))
        .on("GET", COLLECTION, listing("a", cursor="c"), listing("b"))
    )
    endpoints = secret_client(api, max_retries=2).endpoints
    endpoints.wait_until_running(EP, timeout=600)
    assert [ep.id for ep in endpoints.list()] == ["a", "b"]
    for call in (lambda: endpoints.get(EP), lambda: endpoints.update(EP, name="n")):
        with pytest.raises(fd.FriendliError):
            call()

    records = caplog.records
    loggers = {r.name for r in records}
    assert "httpx" in loggers
    assert "friendli_dedicated" in loggers
    assert any("retrying" in r.getMessage() for r in records)
    for record in records:
        assert SECRET not in record.getMessage()
        assert SECRET not in repr(record.args)
        assert SECRET not in repr(vars(record))
    assert SECRET not in caplog.text


def test_a_token_echoed_nowhere_even_when_the_spec_call_fails_in_create() -> None:
    api = (
        FakeAPI()
        .on("GET", COLLECTION, listing(), listing("x", "y"))
        .on("POST", COLLECTION, reply(200, status_json()))
        .on("GET", f"{COLLECTION}/x", reply(401, {"detail": "expired"}))
        .on("GET", f"{COLLECTION}/y", reply(200, spec_json()))
    )
    error = caught(lambda: secret_client(api).endpoints.create("proj", "chat", "org/model", "H100"))
    assert isinstance(error, fd.EndpointCreationUnresolvedError)
    assert_hidden(error, error.__cause__)


def test_every_error_a_call_can_raise_pickles_without_the_token() -> None:
    gzip_lie = reply(200, content=b"not gzip at all", headers={"Content-Encoding": "gzip"})
    api = (
        FakeAPI()
        .on("GET", f"{COLLECTION}/ep-400/status", reply(400, {"detail": "bad"}))
        .on("GET", f"{COLLECTION}/ep-403/status", reply(403, {"detail": "no"}))
        .on("GET", f"{COLLECTION}/ep-404/status", reply(404, {"detail": "gone"}))
        .on("GET", f"{COLLECTION}/ep-409/status", reply(409, {"detail": "busy"}))
        .on("GET", f"{COLLECTION}/ep-302/status", reply(302, headers={"Location": "https://elsewhere.test/"}))
        .on("GET", f"{COLLECTION}/ep-gzip/status", gzip_lie)
        .on("GET", f"{COLLECTION}/ep-slow/status", fail(httpx.ReadTimeout, "slow"))
        .on("GET", f"{COLLECTION}/ep-deep/status", reply(200, content=b"[" * 100_000))
        .on("GET", f"{COLLECTION}/ep-stop/status", reply(200, status_json("TERMINATED")))
        .on("GET", f"{COLLECTION}/ep-wait/status", reply(200, status_json("INITIALIZING")))
        .on("GET", COLLECTION, reply(200, {"data": {}, "nextCursor": "same"}))
    )
    endpoints = secret_client(api, max_retries=0).endpoints
    errors = [
        caught(lambda: endpoints.status("ep-400")),
        caught(lambda: endpoints.status("ep-403")),
        caught(lambda: endpoints.status("ep-404")),
        caught(lambda: endpoints.status("ep-409")),
        caught(lambda: endpoints.status("ep-302")),
        caught(lambda: endpoints.status("ep-gzip")),
        caught(lambda: endpoints.status("ep-slow")),
        caught(lambda: endpoints.status("ep-deep")),
        caught(lambda: list(endpoints.list())),
        caught(lambda: endpoints.wait_until_running("ep-stop")),
        caught(lambda: endpoints.wait_until_running("ep-wait", timeout=5)),
    ]
    assert [type(e) for e in errors] == [
        fd.BadRequestError,
        fd.PermissionDeniedError,
        fd.NotFoundError,
        fd.ConflictError,
        fd.APIError,
        fd.TransportError,
        fd.RequestTimeoutError,
        fd.ResponseFormatError,
        fd.PaginationError,
        fd.EndpointStoppedError,
        fd.WaitTimeoutError,
    ]
    assert_hidden(*errors)
