"""The team's cost (``getCost``, ``GET /v1/team/cost``): daily buckets between two midnights, paged.

The emulator accrues no cost yet: every bucket's ``results`` is empty, in the contract's
``CostResponse`` shape (``data``, ``has_more``, ``next_page``). What it checks, beyond the contract's
schemas, is what the API documents for the parameters, each refused with 422 naming it:

- ``start_time`` and ``end_time`` are date-times (RFC 3339; without an offset, UTC) at midnight UTC;
- ``start_time`` is at most 365 days before today (on the emulator's clock), ``end_time`` at most
  the next midnight, and after ``start_time``;
- ``page`` is a ``next_page`` this emulator gave for the same query.

``limit`` buckets (1 to 35, default 7) make a page; ``bucket_width`` is ``1d`` (the only width the
contract has) and ``group_by`` changes nothing while there are no results.

>>> from friendli_dedicated.emulator._operations import Context
>>> from friendli_dedicated.emulator._pagination import CursorCodec
>>> query = {"start_time": "2025-12-31T00:00:00Z", "end_time": "2026-01-02T00:00:00Z", "limit": 7}
>>> now = 1_767_225_600.0  # 2026-01-01T00:00:00Z: the next midnight is the latest end
>>> body = Costs(CursorCodec(b"salt")).handle(Context("team", "user", now, query, None), None).json()
>>> [(bucket["start_time"], bucket["results"]) for bucket in body["data"]], body["has_more"]
([('2025-12-31T00:00:00Z', []), ('2026-01-01T00:00:00Z', [])], False)
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

from friendli_dedicated.emulator._http import Response
from friendli_dedicated.emulator._pagination import CursorCodec

if TYPE_CHECKING:
    from friendli_dedicated.emulator._operations import Context

__all__ = ["HISTORY_DAYS", "Costs"]

HISTORY_DAYS = 365
"""How far back (in days before today) ``start_time`` may be."""
_DAY = dt.timedelta(days=1)
_DEFAULT_LIMIT = 7


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


class Costs:
    """The cost operation; ``cursors`` signs its ``next_page`` (the emulator's own codec)."""

    def __init__(self, cursors: CursorCodec) -> None:
        self._cursors = cursors

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
        scope = f"cost\0{context.team}\0{_iso(start)}\0{_iso(end)}\0{params.get('bucket_width') or '1d'}"
        first = 0
        if params.get("page"):
            position = self._cursors.decode(scope, str(params["page"]))
            if position is None:
                raise _Refused("page", "invalid page (pass back a next_page unchanged, with the same query)")
            first = position
        buckets = (end - start) // _DAY
        last = min(first + limit, buckets)
        data = [
            {"start_time": _iso(start + day * _DAY), "end_time": _iso(start + (day + 1) * _DAY), "results": []}
            for day in range(first, last)
        ]
        more = last < buckets
        return Response.json_body(
            200, {"data": data, "has_more": more, "next_page": self._cursors.encode(scope, last) if more else None}
        )
