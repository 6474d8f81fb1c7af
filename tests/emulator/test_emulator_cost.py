"""The emulator answers the team's cost (``getCost``): daily buckets in the contract's shape, paged,
and the API's documented limits on the dates, each refused with 422 naming the parameter.

Cost accrues on its clock: each endpoint's replicas x GPUs x the time it holds them (INITIALIZING,
RUNNING, UPDATING, AWAKING), at the price table's price of its GPU; asleep, failed, terminating or
terminated it costs nothing, and a deleted endpoint keeps what it cost. Checked over raw requests
and through ``client.costs`` (the SDK's reading of it).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest

import friendli_dedicated as fd
from friendli_dedicated.emulator import DEFAULT_TOKEN, GPU_PRICES, UNLISTED_GPU_PRICE, Emulator, ManualClock, Timings
from friendli_dedicated.emulator._clock import EPOCH
from friendli_dedicated.emulator._contract import load_contract
from friendli_dedicated.emulator._cost import line_items
from friendli_dedicated.emulator._metering import Usage

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


# -- accrual --------------------------------------------------------------------------------------
HOUR = 3600.0
DAY = 24 * HOUR
H100, H200, B200 = fd.GPU.H100.value, fd.GPU.H200.value, fd.GPU.B200.value
JAN_1, JAN_2, JAN_3 = dt.date(2026, 1, 1), dt.date(2026, 1, 2), dt.date(2026, 1, 3)
DEPLOY = 90.0  # Timings(): 15 + 45 + 30 seconds INITIALIZING, billed like RUNNING


def cost(gpu: str, gpus: int, seconds: float) -> Decimal:
    """What the price table says ``gpus`` GPUs of ``gpu`` cost for ``seconds``, as the API rounds it."""
    return (GPU_PRICES[gpu] * gpus * Decimal(seconds) / 3600).quantize(Decimal("0.000001"))


def bill(emu: Emulator, start: int, end: int, **query: Any) -> list[dict[str, Any]]:
    """The buckets from day ``start`` to day ``end`` (offsets from TODAY), every page."""
    code, body = ask(emu, start_time=day(start), end_time=day(end), limit=35, **query)
    assert code == 200, body
    schema = CONTRACT.operation("getCost").response_schema(200)
    assert schema is not None
    assert CONTRACT.validate(schema, body, []) == []
    assert body["has_more"] is False
    return list(body["data"])


def totals(bucket: dict[str, Any]) -> dict[str, Decimal]:
    return {result["line_item"]: Decimal(result["total"]) for result in bucket["results"]}


def item(endpoint_id: str, gpu: str = H100) -> str:
    return f"{endpoint_id}, {gpu}, gpu time cost"


def test_two_endpoints_for_a_simulated_day_cost_the_price_table_times_their_replica_time() -> None:
    """The issue's scenario: one endpoint runs the whole day; the other, of two replicas, sleeps at noon."""
    emu = Emulator(clock=ManualClock())
    with emu.client() as client:
        whole = client.endpoints.create("team-a", "whole-day", "org/model", "1x H100")
        half = client.endpoints.create(
            "team-b", "half-day", "org/model", "2x H200", autoscaling=fd.Autoscaling.fixed(2)
        )
        assert emu.clock() == EPOCH  # created at midnight
        emu.advance(12 * HOUR)
        half.sleep()
        emu.advance(12 * HOUR)
        report = client.costs(JAN_1, JAN_2)
    expected = {whole.id: cost(H100, 1, DAY), half.id: cost(H200, 2 * 2, 12 * HOUR)}
    assert report.by_endpoint() == expected
    assert expected[whole.id] == GPU_PRICES[H100] * 24  # exact: 24 GPU-hours
    assert expected[half.id] == GPU_PRICES[H200] * 2 * 2 * 12
    assert report.by_project() == {"team-a": expected[whole.id], "team-b": expected[half.id]}
    assert {(e.endpoint_name, e.gpu_type, e.quantity, e.unit_price) for e in report.entries} == {
        ("whole-day", H100, Decimal("24.000000"), GPU_PRICES[H100]),
        ("half-day", H200, Decimal("48.000000"), GPU_PRICES[H200]),
    }
    assert report.total == sum(expected.values())


def test_two_replicas_cost_twice_one_and_an_endpoint_asleep_costs_nothing() -> None:
    emu = Emulator(clock=ManualClock())
    with emu.client() as client:
        one = client.endpoints.create("proj", "one", "org/model", "1x H100")
        two = client.endpoints.create("proj", "two", "org/model", "1x H100", autoscaling=fd.Autoscaling.fixed(2))
        asleep = client.endpoints.create("proj", "asleep", "org/model", "1x H100").wait_until_running()
        asleep.sleep()
        emu.advance(DAY - (emu.clock() - EPOCH))  # to the next midnight
        first_day = client.costs(JAN_1, JAN_2).by_endpoint()
        emu.advance(DAY)
        second_day = client.costs(JAN_2, JAN_3).by_endpoint()
    assert first_day[two.id] == 2 * first_day[one.id] == 2 * cost(H100, 1, DAY)
    assert first_day[asleep.id] == cost(H100, 1, DEPLOY)  # only while it deployed
    assert second_day == {one.id: cost(H100, 1, DAY), two.id: cost(H100, 2, DAY)}  # asleep: no line at all


def test_a_day_is_a_utc_day_and_a_run_across_midnight_is_split() -> None:
    emu = Emulator(clock=ManualClock(EPOCH + 18 * HOUR))  # created at 18:00 on the first day
    with emu.client() as client:
        endpoint = client.endpoints.create("proj", "late", "org/model", "4x B200")
        emu.advance(12 * HOUR)  # to 06:00 the next day
        client.endpoints.terminate(endpoint.id)  # TERMINATING: no longer billed
        emu.advance(DAY)
    first, second, third = bill(emu, 0, 3, group_by="line_item")
    assert totals(first) == {item(endpoint.id, B200): cost(B200, 4, 6 * HOUR)}
    assert totals(second) == {item(endpoint.id, B200): cost(B200, 4, 6 * HOUR)}
    assert third["results"] == []
    assert [first["results"][0][key] for key in ("quantity", "unit_price")] == ["24.000000", str(GPU_PRICES[B200])]


def test_without_group_by_a_day_is_one_total() -> None:
    emu = Emulator(clock=ManualClock())
    with emu.client() as client:
        client.endpoints.create("proj", "a", "org/model", "1x H100")
        client.endpoints.create("proj", "b", "org/model", "2x H200")
        emu.advance(DAY)
    (bucket,) = bill(emu, 0, 1)
    assert bucket["results"] == [{"total": str(cost(H100, 1, DAY) + cost(H200, 2, DAY))}]


def test_a_deleted_endpoint_keeps_what_it_cost_and_costs_nothing_after() -> None:
    emu = Emulator(clock=ManualClock())
    with emu.client() as client:
        endpoint = client.endpoints.create("proj", "brief", "org/model", "1x H100")
        emu.advance(2 * HOUR)
        client.endpoints.delete(endpoint.id)
        emu.advance(DAY)
        report = client.costs(JAN_1, JAN_3)
    assert report.by_endpoint() == {endpoint.id: cost(H100, 1, 2 * HOUR)}
    assert report.unjoined == frozenset({endpoint.id})  # its specification is gone: no project, no name


def test_an_update_to_another_instance_bills_each_gpu_for_its_own_time() -> None:
    emu = Emulator(clock=ManualClock())
    with emu.client() as client:
        endpoint = client.endpoints.create("proj", "grow", "org/model", "1x H100")
        emu.advance(6 * HOUR)
        client.endpoints.update(endpoint.id, instance="2x B200", autoscaling=fd.Autoscaling.fixed(3))
        emu.advance(DAY - 6 * HOUR)
    (bucket,) = bill(emu, 0, 1, group_by="line_item")
    assert totals(bucket) == {
        item(endpoint.id, H100): cost(H100, 1, 6 * HOUR),
        item(endpoint.id, B200): cost(B200, 6, 18 * HOUR),
    }


def test_scale_to_zero_costs_until_its_cooldown_and_a_request_wakes_the_bill() -> None:
    emu = Emulator(clock=ManualClock())
    with emu.client() as client:
        scaling = fd.Autoscaling.scale_to_zero(max_replicas=2, cooldown=600)
        endpoint = client.endpoints.create("proj", "idle", "org/model", "1x H100", autoscaling=scaling)
        emu.advance(HOUR)  # RUNNING at 90 s, asleep 600 s later
        assert client.endpoints.status(endpoint.id).status is fd.Status.SLEEPING
        client.endpoints.wake(endpoint.id)  # AWAKING (20 s), RUNNING, asleep 600 s later again
        emu.advance(DAY - HOUR)
    (bucket,) = bill(emu, 0, 1, group_by="line_item")
    assert totals(bucket) == {item(endpoint.id): cost(H100, 1, (DEPLOY + 600) + (20 + 600))}


def test_a_failed_deployment_costs_until_it_fails() -> None:
    emu = Emulator(clock=ManualClock(), timings=Timings(downloading_model=100))
    with emu.client() as client:
        endpoint = client.endpoints.create("proj", "broken", "org/model", "1x H100")
        emu.fail(endpoint.id, "WORKLOAD_INIT_DOWNLOAD_ERROR")  # at the end of DOWNLOADING_MODEL: 15 + 100 s
        emu.advance(DAY)
        assert client.endpoints.status(endpoint.id).status is fd.Status.FAILED
    (bucket,) = bill(emu, 0, 1, group_by="line_item")
    assert totals(bucket) == {item(endpoint.id): cost(H100, 1, 115)}


def test_each_team_is_billed_for_its_own_endpoints() -> None:
    emu = Emulator(clock=ManualClock(), tokens={DEFAULT_TOKEN: ["team-a", "team-b"]})
    with emu.client(team_id="team-a") as a, emu.client(team_id="team-b") as b:
        mine = a.endpoints.create("proj", "mine", "org/model", "1x H100")
        b.endpoints.create("proj", "theirs", "org/model", "8x B200")
        emu.advance(DAY)
        assert a.costs(JAN_1, JAN_2).by_endpoint() == {mine.id: cost(H100, 1, DAY)}


def test_the_price_table_covers_every_gpu_of_the_contract() -> None:
    assert set(GPU_PRICES) == {gpu.value for gpu in fd.GPU}
    assert all(price > 0 for price in GPU_PRICES.values())
    # A GPU added to the contract since is billed at the price of the unlisted.
    (result,) = line_items([("ep-1", Usage(0.0, HOUR, "NVIDIA X900", 2))], 0.0, DAY)
    assert result["total"] == str((UNLISTED_GPU_PRICE * 2).quantize(Decimal("0.000001")))
