"""``client.costs``: the team's cost as typed entries, over a fake API.

Every page is read; amounts are ``Decimal`` exactly as sent (text, or a JSON number never read
as a float); line items are typed (``gpu_time``) or kept (``other``); each endpoint is joined with
its specification's project and name (a deleted one is ``unjoined``); arguments outside the API's
limits are refused before anything is sent; and the async client sends the same requests and
returns the same report.
"""

from __future__ import annotations

import asyncio
import datetime as dt
from decimal import Decimal
from typing import Any

import httpx
import pytest
from fakes import COLLECTION, TEAM, FakeAPI, Recorder, make_async_client, make_client, reply, spec_json

import friendli_dedicated as fd
from friendli_dedicated_api._contract import PARAMETER_BOUNDS

COST = "/v1/team/cost"
JAN_1, JAN_2, JAN_3 = dt.date(2026, 1, 1), dt.date(2026, 1, 2), dt.date(2026, 1, 3)


def line(endpoint_id: str, total: Any, gpu: str = "NVIDIA H100", **extra: Any) -> dict[str, Any]:
    return {"total": total, "line_item": f"{endpoint_id}, {gpu}, gpu time cost", **extra}


def bucket(day: dt.date, *results: dict[str, Any]) -> dict[str, Any]:
    start = dt.datetime(day.year, day.month, day.day, tzinfo=dt.UTC)
    iso = "%Y-%m-%dT%H:%M:%SZ"
    return {
        "start_time": start.strftime(iso),
        "end_time": (start + dt.timedelta(days=1)).strftime(iso),
        "results": list(results),
    }


def page(*buckets: dict[str, Any], following: str | None = None) -> dict[str, Any]:
    return {"data": list(buckets), "has_more": following is not None, "next_page": following}


def cost_api(*pages: dict[str, Any], specs: dict[str, Any] | None = None) -> FakeAPI:
    api = FakeAPI().on("GET", COST, *(reply(200, body) for body in pages))
    for endpoint_id, spec in (specs or {}).items():
        api.on(
            "GET",
            f"{COLLECTION}/{endpoint_id}",
            reply(200, spec) if spec is not None else reply(404, {"detail": "gone"}),
        )
    return api


def params(request: httpx.Request) -> dict[str, str]:
    return dict(request.url.params)


# -- pages and requests -------------------------------------------------------------------------------
def test_every_page_is_read_with_the_query_the_contract_spells() -> None:
    api = cost_api(
        page(bucket(JAN_1, line("ep-a", "1.50")), following="p2"),
        page(bucket(JAN_2, line("ep-a", "2.25"), line("ep-b", "0.75"))),
        specs={"ep-a": spec_json("chat", projectId="proj-1"), "ep-b": spec_json("batch", projectId="proj-2")},
    )
    report = make_client(api, team_id=TEAM).costs(JAN_1, JAN_3)
    first, second = api.calls("GET", COST)
    assert params(first) == {
        "start_time": "2026-01-01T00:00:00+00:00",
        "end_time": "2026-01-03T00:00:00+00:00",
        "bucket_width": "1d",
        "limit": str(PARAMETER_BOUNDS[("getCost", "limit")]["maximum"]),  # the fewest requests
        "group_by": "line_item",
    }
    assert params(second) == {**params(first), "page": "p2"}
    assert first.headers["X-Friendli-Team"] == TEAM
    assert [(e.day, e.endpoint_id, e.amount) for e in report.entries] == [
        (JAN_1, "ep-a", Decimal("1.50")),
        (JAN_2, "ep-a", Decimal("2.25")),
        (JAN_2, "ep-b", Decimal("0.75")),
    ]
    assert report.by_endpoint() == {"ep-a": Decimal("3.75"), "ep-b": Decimal("0.75")}
    assert report.by_project() == {"proj-1": Decimal("3.75"), "proj-2": Decimal("0.75")}
    assert report.by_day() == {JAN_1: Decimal("1.50"), JAN_2: Decimal("3.00")}
    assert report.total == Decimal("4.50")
    assert (report.start, report.end, report.project_id, report.unjoined) == (JAN_1, JAN_3, None, frozenset())
    # Two pages, then one specification per endpoint: nothing else.
    assert [r.url.path for r in api.requests] == [COST, COST, f"{COLLECTION}/ep-a", f"{COLLECTION}/ep-b"]


def test_page_size_sets_the_buckets_per_request() -> None:
    api = cost_api(page(bucket(JAN_1)))
    make_client(api).costs(JAN_1, JAN_2, page_size=7)
    assert params(api.requests[0])["limit"] == "7"
    assert "X-Friendli-Team" not in api.requests[0].headers


def test_an_aware_datetime_at_midnight_utc_in_another_offset_is_that_day() -> None:
    api = cost_api(page(bucket(JAN_1)))
    tokyo = dt.timezone(dt.timedelta(hours=9))
    make_client(api).costs(dt.datetime(2026, 1, 1, 9, tzinfo=tokyo), dt.datetime(2026, 1, 2, tzinfo=dt.UTC))
    assert params(api.requests[0])["start_time"] == "2026-01-01T00:00:00+00:00"


# -- exact amounts ------------------------------------------------------------------------------------
def test_amounts_are_exact_decimals_whether_text_or_json_numbers() -> None:
    # 0.1 + 0.2 is 0.30000000000000004 in floats; a JSON number is never read through a float.
    body = (
        b'{"data": [{"start_time": "2026-01-01T00:00:00Z", "end_time": "2026-01-02T00:00:00Z", "results": ['
        b'{"total": "0.1", "line_item": "ep-a, NVIDIA H100, gpu time cost", "quantity": "0.000001"},'
        b'{"total": 0.2, "line_item": "ep-b, NVIDIA H100, gpu time cost", "unit_price": 3.90},'
        b'{"total": "12345678901234567.000000000000000001", "line_item": "ep-c, NVIDIA H100, gpu time cost"}'
        b']}], "has_more": false, "next_page": null}'
    )
    api = FakeAPI().on("GET", COST, reply(200, content=body))
    report = make_client(api).costs(JAN_1, JAN_2, join=False)
    amounts = [entry.amount for entry in report.entries]
    assert amounts == [Decimal("0.1"), Decimal("0.2"), Decimal("12345678901234567.000000000000000001")]
    assert all(type(amount) is Decimal for amount in amounts)
    assert amounts[0] + amounts[1] == Decimal("0.3")
    assert report.total == Decimal("12345678901234567.300000000000000001")  # past the default 28 digits
    assert report.entries[0].quantity == Decimal("0.000001")
    assert report.entries[1].unit_price == Decimal("3.90")
    assert [r.url.path for r in api.requests] == [COST]  # join=False: no specification read


@pytest.mark.parametrize(
    "result",
    [
        {"total": "twelve"},
        {"total": "NaN"},
        {"total": "Infinity"},
        {"total": True},
        {"total": None},
        {"total": "1e400"},
        {"line_item": "ep-a, NVIDIA H100, gpu time cost"},
        {"total": "1", "line_item": 7},
        {"total": "1", "quantity": "much"},
        "a string",
    ],
)
def test_a_result_that_is_not_a_cost_is_a_response_format_error(result: Any) -> None:
    api = FakeAPI().on("GET", COST, reply(200, page({**bucket(JAN_1), "results": [result]})))
    with pytest.raises(fd.ResponseFormatError):
        make_client(api).costs(JAN_1, JAN_2, join=False)


@pytest.mark.parametrize(
    "body",
    [
        {"data": [], "has_more": True, "next_page": None},
        {"data": [], "has_more": "no", "next_page": None},
        {"data": {}, "has_more": False},
        {"data": [{"start_time": "soon", "results": []}], "has_more": False},
        {"data": [{"start_time": "2026-01-01T00:00:00Z", "results": None}], "has_more": False},
        {"data": ["bucket"], "has_more": False},
    ],
)
def test_a_page_that_is_not_the_contracts_is_a_response_format_error(body: Any) -> None:
    api = FakeAPI().on("GET", COST, reply(200, body))
    with pytest.raises(fd.ResponseFormatError):
        make_client(api).costs(JAN_1, JAN_2)


def test_a_server_that_pages_forever_is_stopped() -> None:
    api = FakeAPI().on("GET", COST, reply(200, page(bucket(JAN_1), following="same")))
    with pytest.raises(fd.PaginationError):
        make_client(api).costs(JAN_1, JAN_3, join=False)


# -- line items -----------------------------------------------------------------------------------------
def test_line_items_of_another_kind_are_kept_and_counted() -> None:
    api = cost_api(
        page(
            bucket(
                JAN_1,
                line("ep-a", "1.00", gpu="NVIDIA B200, SXM"),  # a comma in the GPU's name
                {"total": "0.40", "line_item": "storage, 10 GB, disk cost"},
                {"total": "0.10", "line_item": "../x, NVIDIA H100, gpu time cost"},  # no endpoint id
                {"total": "0.05"},  # no line item at all
            )
        ),
        specs={"ep-a": spec_json("chat", projectId="proj")},
    )
    report = make_client(api).costs(JAN_1, JAN_2)
    kinds = [(e.kind, e.endpoint_id, e.gpu_type, e.line_item) for e in report.entries]
    assert kinds == [
        ("gpu_time", "ep-a", "NVIDIA B200, SXM", "ep-a, NVIDIA B200, SXM, gpu time cost"),
        ("other", None, None, "storage, 10 GB, disk cost"),
        ("other", None, None, "../x, NVIDIA H100, gpu time cost"),
        ("other", None, None, None),
    ]
    assert report.total == Decimal("1.55")
    assert report.by_endpoint() == {"ep-a": Decimal("1.00")}
    assert report.by_project() == {"proj": Decimal("1.00"), None: Decimal("0.55")}
    assert [r.url.path for r in api.requests] == [COST, f"{COLLECTION}/ep-a"]  # "../x" is never sent


# -- the join -------------------------------------------------------------------------------------------
def test_a_deleted_endpoint_is_unjoined_and_a_project_keeps_only_its_own() -> None:
    pages = page(bucket(JAN_1, line("ep-a", "1"), line("ep-b", "2"), line("ep-gone", "4")))
    specs = {"ep-a": spec_json("chat", projectId="one"), "ep-b": spec_json("batch", projectId="two"), "ep-gone": None}
    report = make_client(cost_api(pages, specs=specs)).costs(JAN_1, JAN_2)
    assert [(e.endpoint_id, e.project_id, e.endpoint_name) for e in report.entries] == [
        ("ep-a", "one", "chat"),
        ("ep-b", "two", "batch"),
        ("ep-gone", None, None),
    ]
    assert report.unjoined == frozenset({"ep-gone"})
    assert report.by_project() == {"one": Decimal(1), "two": Decimal(2), None: Decimal(4)}
    only = make_client(cost_api(pages, specs=specs)).costs(JAN_1, JAN_2, project_id="two")
    assert [e.endpoint_id for e in only.entries] == ["ep-b"]
    assert (only.total, only.project_id, only.unjoined) == (Decimal(2), "two", frozenset({"ep-gone"}))


def test_another_error_reading_a_specification_is_raised() -> None:
    api = cost_api(page(bucket(JAN_1, line("ep-a", "1"))))
    api.on("GET", f"{COLLECTION}/ep-a", reply(403, {"detail": "not yours"}))
    with pytest.raises(fd.PermissionDeniedError):
        make_client(api).costs(JAN_1, JAN_2)


def test_the_apis_refusal_is_a_validation_error_naming_its_parameter() -> None:
    refusal = {"detail": [{"loc": ["query", "start_time"], "msg": "too old", "type": "value_error"}]}
    api = FakeAPI().on("GET", COST, reply(422, refusal))
    with pytest.raises(fd.ValidationError, match="start_time"):
        make_client(api).costs(JAN_1, JAN_2)


# -- checked before sending -----------------------------------------------------------------------------
NAIVE = dt.datetime(2026, 1, 1)  # naive on purpose


@pytest.mark.parametrize(
    ("arguments", "field"),
    [
        ({"start": "2026-01-01"}, "start"),
        ({"start": NAIVE}, "start"),
        ({"start": dt.datetime(2026, 1, 1, 6, tzinfo=dt.UTC)}, "start"),
        ({"start": dt.datetime(2026, 1, 1, tzinfo=dt.timezone(dt.timedelta(hours=9)))}, "start"),  # 15:00 UTC
        ({"end": 20260102}, "end"),
        ({"end": JAN_1}, "end"),  # not after start
        ({"start": JAN_2, "end": JAN_1}, "end"),
        ({"start": dt.date(2025, 1, 1), "end": dt.date(2026, 1, 3)}, "end"),  # 367 days
        ({"page_size": 0}, "page_size"),
        ({"page_size": 36}, "page_size"),
        ({"page_size": 7.0}, "page_size"),
        ({"project_id": "a/b"}, "project_id"),
        ({"project_id": "p", "join": False}, "join"),
        ({"join": "yes"}, "join"),
        ({"parallelism": 0}, "parallelism"),
    ],
)
def test_arguments_outside_the_apis_limits_are_refused_before_anything_is_sent(
    arguments: dict[str, Any], field: str
) -> None:
    api = cost_api(page(bucket(JAN_1)))
    call: dict[str, Any] = {"start": JAN_1, "end": JAN_2, **arguments}
    with pytest.raises(fd.InvalidInputError) as refused:
        make_client(api).costs(call.pop("start"), call.pop("end"), **call)
    assert refused.value.field == field
    assert api.requests == []


def test_the_limits_are_inclusive() -> None:
    api = cost_api(page(bucket(JAN_1)))
    make_client(api).costs(dt.date(2025, 1, 2), dt.date(2026, 1, 3), page_size=1)  # 366 days, pages of 1
    assert params(api.requests[0])["limit"] == "1"


# -- async ----------------------------------------------------------------------------------------------
def test_the_async_client_sends_the_same_requests_and_returns_the_same_report() -> None:
    def api() -> FakeAPI:
        return cost_api(
            page(bucket(JAN_1, line("ep-a", "0.1")), following="next"),
            page(bucket(JAN_2, line("ep-a", "0.2"), line("ep-b", "0.3"))),
            specs={"ep-a": spec_json("chat", projectId="p"), "ep-b": None},
        )

    sync_api, async_api = api(), api()
    expected = make_client(sync_api, team_id=TEAM).costs(JAN_1, JAN_3, page_size=1)

    async def run() -> fd.CostReport:
        async with make_async_client(async_api, Recorder(), team_id=TEAM) as client:
            return await client.costs(JAN_1, JAN_3, page_size=1)

    assert asyncio.run(run()) == expected
    assert expected.total == Decimal("0.6")
    assert expected.unjoined == frozenset({"ep-b"})
    sent = [(r.method, str(r.url), sorted(r.headers.items())) for r in sync_api.requests]
    # The specifications are read at once: their order may differ, not the set.
    assert sorted((r.method, str(r.url), sorted(r.headers.items())) for r in async_api.requests) == sorted(sent)
    assert [str(r.url) for r in async_api.requests][:2] == [str(r.url) for r in sync_api.requests][:2]


def test_the_async_client_refuses_the_same_arguments_before_sending() -> None:
    api = cost_api(page(bucket(JAN_1)))

    async def run() -> None:
        async with make_async_client(api) as client:
            await client.costs(JAN_2, JAN_1)

    with pytest.raises(fd.InvalidInputError) as refused:
        asyncio.run(run())
    assert refused.value.field == "end"
    assert api.requests == []
