"""The request log: ``Emulator.requests`` and ``requests_for`` record what the emulator was asked
(method, path, operation, body, status, time), bounded, thread-safe, and never the token."""

from __future__ import annotations

import json
import pickle
import threading
from typing import Any

import pytest

import friendli_dedicated as fd
from friendli_dedicated.emulator import (
    DEFAULT_REQUEST_LOG,
    Emulator,
    Faults,
    LoggedRequest,
    ManualClock,
)
from friendli_dedicated.emulator._clock import EPOCH
from friendli_dedicated.emulator._log import RequestLog
from friendli_dedicated.errors import InvalidInputError

BASE = "/dedicated/beta/endpoint"
SECRET = "flp_log-secret-7c1e"
AUTH = {"Authorization": f"Bearer {SECRET}"}


def emulator(**kwargs: Any) -> Emulator:
    return Emulator(clock=ManualClock(), tokens={SECRET: ["team-a"]}, **kwargs)


def test_a_create_through_the_sdk_is_logged_once_with_its_body() -> None:
    emu = emulator()
    with emu.client(token=SECRET) as client:
        emu.advance(12.5)
        ep = client.endpoints.create("proj", "chat", "org/model", "H100", comment="first")
    (create,) = emu.requests_for("create")
    assert emu.requests_for("dedicatedCreateEndpoint") == [create]
    assert (create.method, create.path, create.query) == ("POST", BASE, ())
    assert (create.operation, create.facade_name, create.status) == ("dedicatedCreateEndpoint", "create", 200)
    assert create.time == EPOCH + 12.5
    assert create.body["name"] == "chat"
    assert create.body["projectId"] == "proj"
    assert create.body["initialVersionComment"] == "first"
    # The SDK listed the project before and after, and read the candidate's name.
    assert [r.facade_name for r in emu.requests] == ["list", "create", "list", "get"]
    listing = emu.requests[0]
    assert listing.body is None
    assert ("project_id", "proj") in listing.query
    assert emu.requests_for("get")[0].path == f"{BASE}/{ep.id}"


def test_requests_no_route_matched_and_refused_ones_are_logged_too() -> None:
    emu = emulator()
    emu.handle("GET", "/nowhere", [], AUTH, b"")
    emu.handle("PATCH", BASE, [], AUTH, b"")
    emu.handle("GET", BASE, [], {"Authorization": "Bearer wrong-" + SECRET}, b"")
    emu.handle("POST", BASE, [], AUTH, b'{"name": 1}')
    emu.handle("POST", BASE, [], AUTH, b"{not json")
    logged = [(r.method, r.path, r.operation, r.facade_name, r.status) for r in emu.requests]
    assert logged == [
        ("GET", "/nowhere", None, None, 404),
        ("PATCH", BASE, None, None, 405),
        ("GET", BASE, "dedicatedListEndpoints", "list", 401),
        ("POST", BASE, "dedicatedCreateEndpoint", "create", 422),
        ("POST", BASE, "dedicatedCreateEndpoint", "create", 422),
    ]
    # A body that was read but refused is kept as parsed; one that is not JSON is None.
    assert [r.body for r in emu.requests][3:] == [{"name": 1}, None]


def test_faults_are_logged_with_their_status_and_a_drop_with_none() -> None:
    emu = emulator(faults=Faults(rate=1.0, kinds=("drop",)))
    emu.inject("status", 503)
    emu.handle("GET", f"{BASE}/ep-1/status", [], AUTH, b"")
    emu.handle("GET", f"{BASE}/ep-1/status", [], AUTH, b"")
    assert [(r.facade_name, r.status, r.body) for r in emu.requests] == [("status", 503, None), ("status", None, None)]


def test_the_token_never_appears_in_the_log() -> None:
    emu = emulator()
    with emu.client(token=SECRET) as client:
        client.endpoints.create("proj", "chat", "org/model", "H100")
        with pytest.raises(fd.NotFoundError):
            client.endpoints.status("ep-1")
    emu.handle("GET", BASE, [], {"Authorization": f"Bearer {SECRET}-wrong"}, b"")  # a wrong one neither
    entries = emu.requests
    assert [r.status for r in entries] == [200, 200, 200, 200, 404, 401]
    assert SECRET not in repr(entries)
    assert SECRET.encode() not in pickle.dumps(entries)
    assert all(not hasattr(entry, "headers") for entry in entries)


def test_the_log_keeps_the_last_n() -> None:
    emu = emulator(request_log=3)
    for number in range(5):
        emu.advance(1)
        emu.handle("GET", f"{BASE}/ep-{number}/status", [], AUTH, b"")
    assert [r.path for r in emu.requests] == [f"{BASE}/ep-{n}/status" for n in (2, 3, 4)]
    assert [r.time - EPOCH for r in emu.requests] == [3, 4, 5]


def test_the_log_can_be_off_or_unbounded() -> None:
    off = emulator(request_log=0)
    unbounded = emulator(request_log=None)
    for emu in (off, unbounded):
        for _ in range(25):
            emu.handle("GET", BASE, [], AUTH, b"")
    assert off.requests == []
    assert off.stats.requests == 25  # the counters go on
    assert len(unbounded.requests) == 25
    assert (Emulator(clock=ManualClock()).request_log, unbounded.request_log) == (DEFAULT_REQUEST_LOG, None)


def test_the_log_is_a_snapshot_of_frozen_values() -> None:
    emu = emulator()
    emu.handle("GET", BASE, [], AUTH, b"")
    snapshot = emu.requests
    snapshot.clear()
    assert len(emu.requests) == 1
    with pytest.raises(AttributeError):
        emu.requests[0].status = 500  # type: ignore[misc]


def test_concurrent_requests_are_all_logged() -> None:
    emu = emulator()
    start = threading.Barrier(4)

    def client() -> None:
        start.wait()
        for _ in range(50):
            emu.handle("GET", BASE, [("limit", "1")], AUTH, b"")

    threads = [threading.Thread(target=client) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(emu.requests_for("list")) == 200
    assert {r.status for r in emu.requests} == {200}


@pytest.mark.parametrize("limit", [-1, 1.5, True, "10", float("inf")])
def test_request_log_refuses_bad_values(limit: Any) -> None:
    with pytest.raises(InvalidInputError) as info:
        Emulator(clock=ManualClock(), request_log=limit)
    assert info.value.field == "Emulator.request_log"


@pytest.mark.parametrize("operation", ["creat", None, 3, "DedicatedCreateEndpoint"])
def test_requests_for_refuses_unknown_operations(operation: Any) -> None:
    emu = emulator()
    with pytest.raises(InvalidInputError) as info:
        emu.requests_for(operation)
    assert info.value.field == "Emulator.requests_for.operation"


def test_request_log_class_bounds_and_snapshots() -> None:
    log = RequestLog(2)
    entry = LoggedRequest("GET", "/", (), None, None, None, 200, 0.0)
    assert [RequestLog(limit).enabled for limit in (2, None, 0)] == [True, True, False]
    for _ in range(3):
        log.append(entry)
    assert len(log) == 2
    assert log.entries() == [entry, entry]


def test_the_log_over_http_matches_the_log_in_process() -> None:
    """The same requests over a socket give the same entries: bodies the server never read are None."""
    pytest.importorskip("uvicorn")
    import httpx

    requests: list[tuple[str, str, bytes, dict[str, str]]] = [
        ("POST", BASE, json.dumps({"bogus": True}).encode(), {}),  # read, refused: 422 with the body kept
        ("POST", BASE, b'{"name": "x"}', {"Authorization": "Bearer nope"}),  # 401: never read
        ("GET", "/nowhere", b"", {}),
    ]
    in_process = emulator()
    for method, path, body, headers in requests:
        in_process.handle(method, path, [], {**AUTH, **headers}, body)
    over_http = emulator()
    with over_http.serve() as base_url:
        for method, path, body, headers in requests:
            httpx.request(method, base_url + path, content=body, headers={**AUTH, **headers})

    def shape(emu: Emulator) -> list[tuple[Any, ...]]:
        return [(r.method, r.path, r.operation, r.body, r.status) for r in emu.requests]

    assert shape(over_http) == shape(in_process)
    assert shape(in_process)[0] == ("POST", BASE, "dedicatedCreateEndpoint", {"bogus": True}, 422)
    assert shape(in_process)[1][3:] == (None, 401)
