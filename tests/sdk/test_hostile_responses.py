"""Every bad response is a typed error: bodies nested too deep, lying about their encoding, too
large, and listings that would never end. Never a RecursionError, an httpx exception, or a loop.
"""

from __future__ import annotations

import asyncio
import itertools
from typing import Any

import httpx
import pytest
from fakes import COLLECTION, EP, FakeAPI, make_async_client, make_client, reply, status_json

import friendli_dedicated as fd
from friendli_dedicated import _calls as calls, _flows as flows
from friendli_dedicated._transport import MAX_RESPONSE_BYTES

STATUS_PATH = f"{COLLECTION}/{EP}/status"
DEEP = b"[" * 200_000 + b"]" * 200_000
DEEP_OBJECT = b'{"a":' * 100_000 + b"1" + b"}" * 100_000


@pytest.mark.parametrize("body", [DEEP, DEEP_OBJECT], ids=["array", "object"])
def test_a_2xx_nested_too_deep_is_a_response_format_error(body: bytes) -> None:
    api = FakeAPI().on("GET", STATUS_PATH, reply(200, content=body))
    with pytest.raises(fd.ResponseFormatError, match="nested too deep") as info:
        make_client(api).endpoints.status(EP)
    assert len(str(info.value)) < 1000  # an excerpt of the body, not all of it


@pytest.mark.parametrize("status", [400, 404, 422, 429, 500, 503])
def test_an_error_nested_too_deep_is_still_its_status_error(status: int) -> None:
    api = FakeAPI().on("GET", STATUS_PATH, reply(status, content=DEEP))
    with pytest.raises(fd.APIError) as info:
        make_client(api, max_retries=0).endpoints.status(EP)
    assert info.value.status_code == status
    assert isinstance(info.value.body, str)  # kept as text: it could not be parsed


def test_a_body_that_lies_about_gzip_is_a_transport_error() -> None:
    api = FakeAPI().on("GET", STATUS_PATH, reply(200, content=b"plain text", headers={"Content-Encoding": "gzip"}))
    with pytest.raises(fd.TransportError, match="DecodingError") as info:
        make_client(api, max_retries=3).endpoints.status(EP)
    assert len(api.requests) == 1  # decoding would fail the same way again: not retried
    assert info.value.may_have_reached_server


def test_async_a_body_that_lies_about_gzip_is_a_transport_error() -> None:
    api = FakeAPI().on("GET", STATUS_PATH, reply(200, content=b"plain text", headers={"Content-Encoding": "gzip"}))
    with pytest.raises(fd.TransportError, match="DecodingError"):
        asyncio.run(make_async_client(api).endpoints.status(EP))


def test_a_body_larger_than_the_limit_is_refused_without_reading_it_all() -> None:
    chunks_sent = 0

    def endless(request: httpx.Request) -> httpx.Response:
        def stream() -> Any:
            nonlocal chunks_sent
            for _ in itertools.count():
                chunks_sent += 1
                yield b" " * 65536

        return httpx.Response(200, content=stream())

    api = FakeAPI().on("GET", STATUS_PATH, endless)
    with pytest.raises(fd.ResponseFormatError, match="larger than"):
        make_client(api).endpoints.status(EP)
    assert chunks_sent * 65536 <= MAX_RESPONSE_BYTES + 2 * 65536


# -- the request id of a bad response ---------------------------------------------------------------
def _huge(request: httpx.Request) -> httpx.Response:
    def stream() -> Any:
        while True:
            yield b" " * 65536

    return httpx.Response(200, content=stream(), headers={"X-Request-Id": "req-big"})


def _huge_async(request: httpx.Request) -> httpx.Response:
    async def stream() -> Any:
        while True:
            yield b" " * 65536

    return httpx.Response(200, content=stream(), headers={"X-Request-Id": "req-big"})


BAD_BODIES = {
    "not-json": reply(200, content=b"<html>proxy</html>", headers={"X-Request-Id": "req-bad"}),
    "wrong-shape": reply(200, {"unexpected": True}, headers={"X-Request-Id": "req-bad"}),
    "nested-too-deep": reply(200, content=DEEP, headers={"X-Request-Id": "req-bad"}),
}


@pytest.mark.parametrize("case", sorted(BAD_BODIES))
def test_a_malformed_2xx_carries_its_request_id(case: str) -> None:
    api = FakeAPI().on("GET", STATUS_PATH, BAD_BODIES[case])
    with pytest.raises(fd.ResponseFormatError) as info:
        make_client(api).endpoints.status(EP)
    assert info.value.request_id == "req-bad"
    assert "req-bad" in str(info.value)


def test_async_a_malformed_2xx_carries_its_request_id() -> None:
    api = FakeAPI().on("GET", STATUS_PATH, BAD_BODIES["not-json"])
    with pytest.raises(fd.ResponseFormatError) as info:
        asyncio.run(make_async_client(api).endpoints.status(EP))
    assert info.value.request_id == "req-bad"


def test_a_body_too_large_carries_its_request_id() -> None:
    api = FakeAPI().on("GET", STATUS_PATH, _huge)
    with pytest.raises(fd.ResponseFormatError, match="larger than") as info:
        make_client(api).endpoints.status(EP)
    assert info.value.request_id == "req-big"
    assert "req-big" in str(info.value)


def test_async_a_body_too_large_carries_its_request_id() -> None:
    api = FakeAPI().on("GET", STATUS_PATH, _huge_async)
    with pytest.raises(fd.ResponseFormatError, match="larger than") as info:
        asyncio.run(make_async_client(api).endpoints.status(EP))
    assert info.value.request_id == "req-big"


# -- listings that never end ------------------------------------------------------------------------
def endless_cursors(*, same_items: bool) -> Any:
    """A listing whose every page points to a new cursor: the same endpoint each time, or new ones."""
    pages = itertools.count()

    def make(request: httpx.Request) -> httpx.Response:
        page = next(pages)
        endpoint_id = "ep-1" if same_items else f"ep-{page}"
        return httpx.Response(200, json={"data": {endpoint_id: status_json()}, "nextCursor": f"c{page}"})

    return make


def test_a_listing_whose_pages_bring_nothing_new_stops_with_a_pagination_error() -> None:
    api = FakeAPI().on("GET", COLLECTION, endless_cursors(same_items=True))
    with pytest.raises(fd.PaginationError, match="brought no new item"):
        list(make_client(api).endpoints.list())
    assert len(api.requests) == 1 + flows.MAX_STALLED_PAGES


def test_a_repeated_cursor_stops_with_a_pagination_error() -> None:
    api = FakeAPI().on(
        "GET",
        COLLECTION,
        reply(200, {"data": {"ep-1": status_json()}, "nextCursor": "A"}),
        reply(200, {"data": {"ep-2": status_json()}, "nextCursor": "B"}),
        reply(200, {"data": {"ep-3": status_json()}, "nextCursor": "A"}),
    )
    listing = make_client(api).endpoints.list()
    assert [next(listing).id, next(listing).id, next(listing).id] == ["ep-1", "ep-2", "ep-3"]
    with pytest.raises(fd.PaginationError, match="twice"):
        next(listing)
    assert len(api.requests) == 3


def test_a_listing_past_its_page_budget_stops() -> None:
    flow = flows.paginate(lambda cursor: calls.list_page(None, cursor, 100, None), max_pages=50)
    page_number = itertools.count()

    def drive() -> None:
        # Every page brings a new item and a new cursor: only the budget can end it.
        step = next(flow)
        while True:
            if isinstance(step, flows.Emit):
                step = next(flow)
                continue
            n = next(page_number)
            step = flow.send(calls.Page([(f"ep-{n}", None)], f"c{n}"))

    with pytest.raises(fd.PaginationError, match="within 50 pages"):
        drive()
    assert next(page_number) == 50


def test_create_into_an_endless_listing_is_never_sent() -> None:
    api = FakeAPI().on("GET", COLLECTION, endless_cursors(same_items=True)).on("POST", COLLECTION, reply(200))
    with pytest.raises(fd.PaginationError):
        make_client(api).endpoints.create("proj", "chat", "org/model", "H100")
    assert api.calls("POST", COLLECTION) == []


def test_async_listing_stops_too() -> None:
    api = FakeAPI().on("GET", COLLECTION, endless_cursors(same_items=True))

    async def consume() -> None:
        async for _ in make_async_client(api).endpoints.list():
            pass

    with pytest.raises(fd.PaginationError):
        asyncio.run(consume())


def test_items_repeated_across_pages_are_listed_once() -> None:
    api = FakeAPI().on(
        "GET",
        COLLECTION,
        reply(200, {"data": {"ep-1": status_json(), "ep-2": status_json()}, "nextCursor": "A"}),
        reply(200, {"data": {"ep-2": status_json(), "ep-3": status_json()}, "nextCursor": None}),
    )
    assert [ep.id for ep in make_client(api).endpoints.list()] == ["ep-1", "ep-2", "ep-3"]
