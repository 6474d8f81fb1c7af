"""``client.costs``: what the team's endpoints cost, per endpoint and per day, for both clients.

``Client`` and ``AsyncClient`` inherit ``costs`` (``Costing``, ``AsyncCosting``). It checks its
arguments against the API's limits (nothing is sent when one is refused), then drives one flow:
every page of the team's daily cost (``getCost``, grouped by line item, ``page_size`` days a
request), then, to join each endpoint's project and name, one read of the specification of each
endpoint with a cost, ``parallelism`` at once. So a month of 40 endpoints costs 1 + 40 requests;
``join=False`` sends only the pages.

The API's limits: ``start`` and ``end`` are midnights UTC (a ``datetime.date`` is its midnight
UTC), ``end`` after ``start`` and at most 366 days later (the API keeps 365 days of history and
counts up to the next midnight), and ``page_size`` within the contract's bounds of ``limit``. What
depends on today (``start`` within the last 365 days, ``end`` no later than the next midnight) is
the API's to check: it answers 422, ``fd.ValidationError`` naming ``start_time`` or ``end_time``.

>>> import datetime as dt
>>> client.costs(dt.date(2026, 1, 2), dt.date(2026, 1, 1))
Traceback (most recent call last):
friendli_dedicated.errors.InvalidInputError: end: must be after the first day (2026-01-02), got 2026-01-01
"""

from __future__ import annotations

import datetime as dt
import functools
from typing import TYPE_CHECKING, cast

import attrs

from friendli_dedicated import _calls as calls, _flows as flows, _observe
from friendli_dedicated._cost_report import CostEntry, CostReport
from friendli_dedicated._flows import Batch, Flow, Job
from friendli_dedicated._models import EndpointSpec
from friendli_dedicated._planner import checked_parallelism
from friendli_dedicated._validate import flag, identifier, shown, whole
from friendli_dedicated.errors import InvalidInputError, NotFoundError
from friendli_dedicated_api._contract import PARAMETER_BOUNDS

if TYPE_CHECKING:
    from friendli_dedicated._client import AsyncClient, Client

__all__ = [
    "HISTORY_DAYS",
    "MAX_DAYS",
    "PAGE_SIZE_MAX",
    "PAGE_SIZE_MIN",
    "AsyncCosting",
    "CostQuery",
    "Costing",
    "costs_flow",
    "midnight",
]

HISTORY_DAYS = 365
"""How far back the API keeps the team's cost, in days before today (its documentation says so)."""
MAX_DAYS = HISTORY_DAYS + 1
"""The most days one report can span: from the oldest day kept to the end of today."""
_LIMIT = PARAMETER_BOUNDS[("getCost", "limit")]  # the contract's bounds of a page's size, in days
PAGE_SIZE_MIN, PAGE_SIZE_MAX = int(_LIMIT["minimum"]), int(_LIMIT["maximum"])
_DAY = dt.timedelta(days=1)


def midnight(value: object, field: str) -> dt.datetime:
    """A day's start as the API takes it: a ``date`` (its midnight UTC), or an aware ``datetime`` that
    is a midnight UTC (in any offset); anything else is refused naming ``field``.

    >>> midnight(dt.date(2026, 1, 1), "start").isoformat()
    '2026-01-01T00:00:00+00:00'
    >>> midnight(dt.datetime(2026, 1, 1, 9, tzinfo=dt.timezone(dt.timedelta(hours=9))), "start").isoformat()
    '2026-01-01T00:00:00+00:00'
    """
    if isinstance(value, dt.datetime):  # first: a datetime is a date too
        if value.tzinfo is None or value.utcoffset() is None:
            raise InvalidInputError(
                field, f"must be an aware datetime (the API counts days in UTC) or a date, got naive {value}"
            )
        moment = value.astimezone(dt.UTC)
        if moment.time() != dt.time(0):
            raise InvalidInputError(
                field, f"must be a midnight UTC (the API counts whole days, in UTC), got {value.isoformat()}"
            )
        return moment
    if isinstance(value, dt.date):
        return dt.datetime(value.year, value.month, value.day, tzinfo=dt.UTC)
    raise InvalidInputError(field, f"must be a datetime.date or an aware datetime.datetime, got {shown(value)}")


@attrs.frozen
class CostQuery:
    """The arguments of ``costs``, checked."""

    start: dt.datetime
    end: dt.datetime
    project_id: str | None
    join: bool
    page_size: int
    parallelism: int

    @classmethod
    def check(
        cls, start: object, end: object, project_id: object, join: object, page_size: object, parallelism: object
    ) -> CostQuery:
        first, last = midnight(start, "start"), midnight(end, "end")
        if last <= first:
            raise InvalidInputError("end", f"must be after the first day ({first.date()}), got {last.date()}")
        if last - first > MAX_DAYS * _DAY:
            raise InvalidInputError(
                "end",
                f"must be at most {MAX_DAYS} days after the first day (the API keeps {HISTORY_DAYS} days of cost), "
                f"got {(last - first).days} days",
            )
        project = None if project_id is None else identifier(project_id, "project_id")
        joins = flag(join, "join")
        if project is not None and not joins:
            raise InvalidInputError("join", "a report limited to a project_id needs join=True (the project is read)")
        return cls(
            start=first,
            end=last,
            project_id=project,
            join=joins,
            page_size=whole(page_size, "page_size", minimum=PAGE_SIZE_MIN, maximum=PAGE_SIZE_MAX),
            parallelism=checked_parallelism(parallelism),
        )


def _spec_job(endpoint_id: str, team_id: str | None) -> tuple[Flow[EndpointSpec], None]:
    return flows.call_flow(calls.spec(endpoint_id, team_id)), None


def costs_flow(query: CostQuery, team_id: str | None) -> Flow[CostReport]:
    """Every page of the period's cost, then (with ``join``) each endpoint's specification."""
    pages = flows.paginate(lambda page: calls.cost_page(query.start, query.end, page, query.page_size, team_id))
    buckets: list[tuple[str, list[CostEntry]]] = yield from flows.gather(pages)
    entries = [entry for _day, day_entries in sorted(buckets, key=lambda bucket: bucket[0]) for entry in day_entries]
    ids = sorted({entry.endpoint_id for entry in entries if entry.endpoint_id is not None})
    specs: dict[str, EndpointSpec] = {}
    if query.join and ids:
        jobs = [Job(functools.partial(_spec_job, endpoint_id, team_id)) for endpoint_id in ids]
        finished: list[flows.Finished] = yield Batch(jobs, query.parallelism)
        for endpoint_id, outcome in zip(ids, finished, strict=True):
            if outcome.error is None:
                specs[endpoint_id] = outcome.value
            elif not isinstance(outcome.error, NotFoundError):  # deleted: not joined; anything else is raised
                raise outcome.error
    joined = [_joined(entry, specs) for entry in entries]
    if query.project_id is not None:
        joined = [entry for entry in joined if entry.project_id == query.project_id]
    return CostReport(
        start=query.start.date(),
        end=query.end.date(),
        entries=tuple(joined),
        unjoined=frozenset(ids) - specs.keys(),
        project_id=query.project_id,
    )


def _joined(entry: CostEntry, specs: dict[str, EndpointSpec]) -> CostEntry:
    spec = specs.get(entry.endpoint_id) if entry.endpoint_id is not None else None
    if spec is None:
        return entry
    project, name = spec.project_id, spec.name
    return attrs.evolve(
        entry,
        project_id=project if isinstance(project, str) else None,
        endpoint_name=name if isinstance(name, str) else None,
    )


class Costing:
    """``Client``'s ``costs`` (see the module)."""

    def costs(
        self,
        start: dt.date | dt.datetime,
        end: dt.date | dt.datetime,
        *,
        project_id: str | None = None,
        join: bool = True,
        page_size: int = PAGE_SIZE_MAX,
        parallelism: int = 10,
    ) -> CostReport:
        """What the team's endpoints cost from ``start`` to ``end`` (exclusive), a ``CostReport`` of
        ``CostEntry`` values: each endpoint's GPU time on each day (UTC), amounts as ``Decimal``.

        ``start`` and ``end`` are dates (or aware datetimes at midnight UTC); ``end`` is the day after
        the last day, at most 366 days after ``start``. Every page is read (``page_size`` days a
        request, 1 to 35), then the specification of each endpoint with a cost (``parallelism`` at
        once), for its project and name; an endpoint deleted since is listed in ``unjoined``.
        ``project_id`` keeps only the endpoints of that project; ``join=False`` reads no
        specification. Arguments outside the API's limits raise ``InvalidInputError`` before
        anything is sent.

        >>> import datetime as dt
        >>> ep = client.endpoints.create("billed", "chat", "org/model", "2x H100").wait_until_running()
        >>> report = client.costs(dt.date(2026, 1, 1), dt.date(2026, 1, 2))
        >>> [(e.endpoint_name, e.project_id, e.gpu_type, e.day) for e in report.entries]
        [('chat', 'billed', 'NVIDIA H100', datetime.date(2026, 1, 1))]
        >>> report.by_endpoint() == {ep.id: report.total}, report.total > 0
        (True, True)
        """
        client = cast("Client", self)
        query = CostQuery.check(start, end, project_id, join, page_size, parallelism)
        return client._drive(costs_flow(query, client.team_id))


class AsyncCosting:
    """``AsyncClient``'s ``costs``: that of ``Client``, awaited."""

    async def costs(
        self,
        start: dt.date | dt.datetime,
        end: dt.date | dt.datetime,
        *,
        project_id: str | None = None,
        join: bool = True,
        page_size: int = PAGE_SIZE_MAX,
        parallelism: int = 10,
    ) -> CostReport:
        """See ``Client.costs``."""
        client = cast("AsyncClient", self)
        query = CostQuery.check(start, end, project_id, join, page_size, parallelism)
        return await client._drive(costs_flow(query, client.team_id))


# Each is one call of the SDK's telemetry and logs (``friendli.costs``), its requests its children.
_observe.instrument(Costing, "friendli", of_client=True)
_observe.instrument(AsyncCosting, "friendli", of_client=True)
