"""The emulator answers the team's cost (``getCost``): daily buckets in the contract's shape, paged,
and the API's documented limits on the dates, each refused with 422 naming the parameter.
(No cost accrues yet: every bucket is empty.)"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from friendli_dedicated.emulator import DEFAULT_TOKEN, Emulator, ManualClock
from friendli_dedicated.emulator._clock import EPOCH
from friendli_dedicated.emulator._contract import load_contract

COST = "/v1/team/cost"
AUTH = {"Authorization": f"Bearer {DEFAULT_TOKEN}"}
TODAY = dt.datetime.fromtimestamp(EPOCH, dt.UTC)  # a ManualClock starts at a midnight
CONTRACT = load_contract()


def day(offset: int) -> str:
    return (TODAY + dt.timedelta(days=offset)).strftime("%Y-%m-%dT%H:%M:%SZ")


def ask(emu: Emulator, **query: Any) -> Any:
    response = emu.handle("GET", COST, [(key, str(value)) for key, value in query.items()], AUTH, b"")
    return response.status, response.json()


def test_daily_buckets_paged_by_limit() -> None:
    emu = Emulator(clock=ManualClock(), seed=2)
    code, first = ask(emu, start_time=day(-9), end_time=day(1), limit=4)
    assert code == 200
    schema = CONTRACT.operation("getCost").response_schema(200)
    assert schema is not None
    assert CONTRACT.validate(schema, first, []) == []
    assert [bucket["start_time"] for bucket in first["data"]] == [day(-9), day(-8), day(-7), day(-6)]
    assert [bucket["end_time"] for bucket in first["data"]] == [day(-8), day(-7), day(-6), day(-5)]
    assert all(bucket["results"] == [] for bucket in first["data"])
    assert first["has_more"] is True
    pages = [first]
    while pages[-1]["has_more"]:
        code, page = ask(emu, start_time=day(-9), end_time=day(1), limit=4, page=pages[-1]["next_page"])
        assert code == 200
        pages.append(page)
    starts = [bucket["start_time"] for page in pages for bucket in page["data"]]
    assert starts == [day(offset) for offset in range(-9, 1)]
    assert (pages[-1]["has_more"], pages[-1]["next_page"]) == (False, None)
    _, default = ask(emu, start_time=day(-9), end_time=day(1))
    assert len(default["data"]) == 7  # the contract's default limit


@pytest.mark.parametrize(
    ("query", "name"),
    [
        ({"start_time": "yesterday", "end_time": day(1)}, "start_time"),
        ({"start_time": day(-1).replace("T00", "T06"), "end_time": day(1)}, "start_time"),
        ({"start_time": day(-366), "end_time": day(1)}, "start_time"),
        ({"start_time": day(-1), "end_time": day(2)}, "end_time"),
        ({"start_time": day(0), "end_time": day(0)}, "end_time"),
        ({"start_time": day(-3), "end_time": day(0), "page": "not-a-page"}, "page"),
        ({"start_time": day(-3), "end_time": day(0), "limit": 36}, "limit"),  # the contract's bound
        ({"end_time": day(0)}, "start_time"),  # required by the contract
    ],
)
def test_out_of_bounds_queries_are_422_naming_the_parameter(query: dict[str, Any], name: str) -> None:
    code, body = ask(Emulator(clock=ManualClock()), **query)
    assert code == 422
    assert [issue["loc"] for issue in body["detail"]] == [["query", name]]


def test_the_limits_are_inclusive_and_offsets_are_utc() -> None:
    emu = Emulator(clock=ManualClock())
    assert ask(emu, start_time=day(-365), end_time=day(1), limit=35)[0] == 200
    # Midnight in UTC written with another offset is still a midnight UTC; a local midnight is not.
    utc_midnight = (TODAY - dt.timedelta(days=1)).astimezone(dt.timezone(dt.timedelta(hours=9))).isoformat()
    assert ask(emu, start_time=utc_midnight, end_time=day(0))[0] == 200
    assert ask(emu, start_time=day(-1).replace("Z", "+09:00"), end_time=day(0))[0] == 422


def test_a_page_belongs_to_its_query() -> None:
    emu = Emulator(clock=ManualClock())
    _, first = ask(emu, start_time=day(-9), end_time=day(1), limit=2)
    code, _ = ask(emu, start_time=day(-8), end_time=day(1), limit=2, page=first["next_page"])
    assert code == 422
