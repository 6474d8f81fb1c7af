"""The team's cost (``getCost``, ``GET /v1/team/cost``): daily buckets between two midnights, paged.

Cost accrues on the emulator's clock: an endpoint's GPU time (``_metering``: its replicas times the
GPUs of its instance option, while it holds them) times the price of its GPU (``GPU_PRICES``, per
GPU-hour; ``UNLISTED_GPU_PRICE`` for a GPU the table lacks). A deleted endpoint still costs what it ran.

Each bucket is a day, UTC, in the contract's ``CostResponse`` shape (``data``, ``has_more``,
``next_page``). With ``group_by=line_item``, a bucket has one result per endpoint and GPU that ran
that day: ``line_item`` ``"{endpoint_id}, {gpu_type}, gpu time cost"``, ``quantity`` its GPU-hours,
``unit_price`` its GPU's price per GPU-hour and ``total`` what it cost (rounded to 6 decimal places,
as text); without it, one result with the day's ``total``. A day without cost has no result.

What it checks, beyond the contract's schemas, is what the API documents for the parameters, each
refused with 422 naming it:

- ``start_time`` and ``end_time`` are date-times (RFC 3339; without an offset, UTC) at midnight UTC;
- ``start_time`` is at most 365 days before today (on the emulator's clock), ``end_time`` at most
  the next midnight, and after ``start_time``;
- ``page`` is a ``next_page`` this emulator gave for the same query.

``limit`` buckets (1 to 35, default 7) make a page; ``bucket_width`` is ``1d`` (the only width the
contract has).

>>> from friendli_dedicated.emulator._metering import Usage
>>> from friendli_dedicated.emulator._operations import Context
>>> from friendli_dedicated.emulator._pagination import CursorCodec
>>> now = 1_767_225_600.0  # 2026-01-01T00:00:00Z: the next midnight is the latest end
>>> ran = [("ep-1", Usage(now - 7200, now, "NVIDIA H100", 2))]  # 2 GPUs for the last two hours
>>> query = {"start_time": "2025-12-31T00:00:00Z", "end_time": "2026-01-02T00:00:00Z", "group_by": "line_item"}
>>> costs = Costs(CursorCodec(b"salt"), lambda team, now: ran)
>>> for bucket in costs.handle(Context("team", "user", now, query, None), None).json()["data"]:
...     print(bucket["start_time"], bucket["results"])
2025-12-31T00:00:00Z [{'total': '15.600000', 'quantity': '4.000000', 'unit_price': '3.90',
                       'line_item': 'ep-1, NVIDIA H100, gpu time cost'}]
2026-01-01T00:00:00Z []
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Mapping
from decimal import Decimal
from types import MappingProxyType
from typing import TYPE_CHECKING, Any

from friendli_dedicated.emulator._http import Response
from friendli_dedicated.emulator._metering import Usage
from friendli_dedicated.emulator._pagination import CursorCodec
from friendli_dedicated_api._contract import GPU

if TYPE_CHECKING:
    from friendli_dedicated.emulator._operations import Context

__all__ = ["GPU_PRICES", "HISTORY_DAYS", "UNLISTED_GPU_PRICE", "Costs", "UsageSource", "line_items"]

HISTORY_DAYS = 365
"""How far back (in days before today) ``start_time`` may be."""
GPU_PRICES: Mapping[str, Decimal] = MappingProxyType(
    {
        GPU.A100_80GB.value: Decimal("2.40"),
        GPU.H100.value: Decimal("3.90"),
        GPU.H200.value: Decimal("4.50"),
        GPU.B200.value: Decimal("5.80"),
    }
)
"""The emulator's price of one GPU for one hour, by the contract's GPU name (made-up prices, not
Friendli's): an endpoint costs its replicas x its instance option's GPUs x this, per hour it holds them."""
UNLISTED_GPU_PRICE = Decimal("5.00")
"""The price of one GPU-hour of a GPU that ``GPU_PRICES`` does not list (one added to the contract since)."""
UsageSource = Callable[[str, float], Iterable[tuple[str, Usage]]]
"""(team, now) -> (endpoint id, usage) of every GPU time of the team's endpoints up to now."""
_DAY = dt.timedelta(days=1)
_DEFAULT_LIMIT = 7
_SIX_PLACES = Decimal("0.000001")
_HOUR = 3600


class _Refused(Exception):
    def __init__(self, name: str, message: str) -> None:
        super().__init__(name)
        self.response = Response.invalid(
            [{"loc": ["query", name], "msg": f"Value error, {message}", "type": "value_error"}]
        )


def _midnight(params: dict[str, Any], name: str) -> dt.datetime:
    raw = str(params.get(name))
    try:
        moment = dt.datetime.fromisoformat(raw)
    except ValueError:
        raise _Refused(name, "must be an RFC 3339 date-time such as 2026-01-01T00:00:00Z") from None
    moment = moment.replace(tzinfo=dt.UTC) if moment.tzinfo is None else moment.astimezone(dt.UTC)
    if moment.time() != dt.time(0):
        raise _Refused(name, "must be a midnight UTC (the time portion zeroed out)")
    return moment


def _iso(moment: dt.datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def _text(amount: Decimal) -> str:
    return format(amount.quantize(_SIX_PLACES), "f")


def line_items(ran: Iterable[tuple[str, Usage]], start: float, end: float) -> list[dict[str, str]]:
    """One result per endpoint and GPU that ran between ``start`` and ``end``: its GPU-hours and cost."""
    seconds: dict[tuple[str, str], float] = {}
    for endpoint_id, usage in ran:
        spent = usage.seconds_within(start, end)
        if spent > 0:
            seconds[(endpoint_id, usage.gpu)] = seconds.get((endpoint_id, usage.gpu), 0.0) + spent
    results = []
    for (endpoint_id, gpu), gpu_seconds in sorted(seconds.items()):
        price = GPU_PRICES.get(gpu, UNLISTED_GPU_PRICE)
        exact = Decimal(gpu_seconds)  # the float's exact value: rounded once, here
        results.append(
            {
                "total": _text(exact * price / _HOUR),
                "quantity": _text(exact / _HOUR),
                "unit_price": format(price, "f"),
                "line_item": f"{endpoint_id}, {gpu}, gpu time cost",
            }
        )
    return results


class Costs:
    """The cost operation; ``cursors`` signs its ``next_page`` (the emulator's own codec), ``usage``
    says what the team's endpoints ran."""

    def __init__(self, cursors: CursorCodec, usage: UsageSource) -> None:
        self._cursors = cursors
        self._usage = usage

    def handle(self, context: Context, _endpoint_id: str | None) -> Response:
        """The answer to one admitted ``getCost`` request."""
        try:
            return self._page(context)
        except _Refused as refused:
            return refused.response

    def _page(self, context: Context) -> Response:
        params = dict(context.params)
        start, end = _midnight(params, "start_time"), _midnight(params, "end_time")
        today = dt.datetime.fromtimestamp(context.now, dt.UTC).replace(hour=0, minute=0, second=0, microsecond=0)
        if start < today - HISTORY_DAYS * _DAY:
            raise _Refused("start_time", f"must be no earlier than {HISTORY_DAYS} days before today ({_iso(today)})")
        if end > today + _DAY:
            raise _Refused("end_time", f"must be no later than the next midnight ({_iso(today + _DAY)})")
        if end <= start:
            raise _Refused("end_time", "must be after start_time")
        limit = int(params.get("limit") or _DEFAULT_LIMIT)
        grouped = params.get("group_by") == "line_item"
        width = params.get("bucket_width") or "1d"
        scope = f"cost\0{context.team}\0{_iso(start)}\0{_iso(end)}\0{width}\0{grouped}"
        first = 0
        if params.get("page"):
            position = self._cursors.decode(scope, str(params["page"]))
            if position is None:
                raise _Refused("page", "invalid page (pass back a next_page unchanged, with the same query)")
            first = position
        buckets = (end - start) // _DAY
        last = min(first + limit, buckets)
        ran = list(self._usage(context.team, context.now))
        data = []
        for day in range(first, last):
            begins, ends = start + day * _DAY, start + (day + 1) * _DAY
            results = line_items(ran, begins.timestamp(), ends.timestamp())
            if results and not grouped:
                results = [{"total": _text(sum((Decimal(result["total"]) for result in results), Decimal(0)))}]
            data.append({"start_time": _iso(begins), "end_time": _iso(ends), "results": results})
        more = last < buckets
        return Response.json_body(
            200, {"data": data, "has_more": more, "next_page": self._cursors.encode(scope, last) if more else None}
        )
