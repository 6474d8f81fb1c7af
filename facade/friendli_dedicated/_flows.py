"""Multi-call flows, written once for both clients: the steps they yield; pagination (and the listings of
``list`` and ``versions``), listing a project, update, the lifecycle actions.

A flow is a generator. It yields what it needs done and receives the outcome:

- a ``Call``: the client sends it and sends back the parsed result (or throws the error into the
  flow, which may handle it);
- a ``Pause``: the client sleeps that long (on its own, injectable, sleep);
- an ``Emit``: the client hands these items to the caller of an iterating method (``list``);
- an ``Until``: (only in flows that share state with other calls, driven by ``_coordination``) the
  call parks until a condition on the shared state holds, or until a deadline;
- a ``Batch``: the client runs these jobs (each a flow) at once, at most ``limit`` in flight (sync:
  threads; async: tasks; ``_coordination`` holds both runners), and sends back how each ended. So a
  flow that reads a thousand specifications, or creates a fleet, is still written once.

Its return value is the method's result. The sync and async clients each have one small loop that
drives any flow (``Client._steps``, ``AsyncClient._steps``), so the logic is tested once; a driver
may cap every call of a flow at a deadline (the waits' ``_waiter.Terms.request_deadline``). The
other flows are ``_creates``' (create), ``_waiter``'s and ``_fleet``'s (waiting); see ``_client``
for the rule.
"""

from __future__ import annotations

from collections.abc import Callable, Generator, Mapping, Sequence
from typing import Any, Generic, TypeAlias, TypeVar

import attrs

from friendli_dedicated import _calls as calls, _engine as engine
from friendli_dedicated._calls import Page
from friendli_dedicated._hints import busy_error, waiting_helps
from friendli_dedicated._models import EndpointSpec, EndpointState
from friendli_dedicated._project_view import LISTING_LIMIT
from friendli_dedicated._transport import Call
from friendli_dedicated._validate import identifier, listing_limit, page_size as checked_page_size
from friendli_dedicated.errors import BadRequestError, FriendliError, PaginationError
from friendli_dedicated_api.models import DedicatedEndpointUpdateBody

__all__ = [
    "MAX_PAGES",
    "MAX_STALLED_PAGES",
    "Batch",
    "Emit",
    "Finished",
    "Flow",
    "Job",
    "Listing",
    "Pause",
    "Until",
    "action_flow",
    "call_flow",
    "collect",
    "endpoints_listing",
    "gather",
    "paged",
    "paginate",
    "update_flow",
    "versions_listing",
]

T = TypeVar("T")

MAX_PAGES = 10_000
"""The most pages one listing may take (a million endpoints at 100 per page) before it is stopped."""
MAX_STALLED_PAGES = 10
"""Consecutive pages that bring no new item, yet point to another page, before a listing is stopped."""


@attrs.frozen
class Listing:
    """What ``collect`` read of a project: each endpoint's state, the cursor each one's page was fetched
    with (in the order of the pages), and the cursor of the last page."""

    states: dict[str, EndpointState]
    page_cursors: dict[str, str | None]
    tail: str | None


@attrs.frozen
class Pause:
    """A flow step: sleep this long (on the client's sleep) before the next call."""

    seconds: float


@attrs.frozen
class Emit(Generic[T]):
    """A flow step: hand these items to the caller of an iterating method (``cursor``: the one their
    page was fetched with, None for the first page)."""

    items: list[T]
    cursor: str | None = None


@attrs.frozen
class Until:
    """A flow step: park until ``ready()`` holds, or until the client's clock reaches ``deadline``; the
    flow receives whether ``ready()`` held. ``ready`` reads only state shared under the driver's lock
    (``_coordination``), and is checked again each time another call changes that state."""

    ready: Callable[[], bool]
    deadline: float


@attrs.frozen
class Job:
    """One job of a ``Batch``. ``start()`` is called when the job starts (not when the batch is built:
    a create's deadline runs from its own start) and gives its flow, and the deadline every request of
    it is sent within (None: each request's own). The flow may yield ``Until`` (it runs on the
    client's coordinator), not ``Emit`` nor ``Batch``."""

    start: Callable[[], tuple[Flow[Any], float | None]]


@attrs.frozen
class Finished:
    """How a job of a ``Batch`` ended: its flow's ``value``, or the ``FriendliError`` it raised."""

    value: Any = None
    error: FriendliError | None = None


@attrs.frozen
class Batch:
    """A flow step: run ``jobs`` at once, at most ``limit`` in flight, started in order; the flow receives
    one ``Finished`` per job, in order. A job that fails does not stop the others.

    ``started(index)`` and ``done(index, finished)`` are called as each job starts and ends, on the
    caller's thread (sync) or event loop (async), one at a time. On an interruption (Ctrl-C in the
    sync client, the task's cancellation in the async one) no job starts any more, ``interrupted``
    gets the indexes in flight, and the interruption propagates once they have ended: the sync
    client waits for them if ``finish_on_interrupt`` (a second Ctrl-C stops waiting), the async
    client cancels them. An error that is no ``FriendliError`` (a bug) stops the batch the same way.
    """

    jobs: Sequence[Job]
    limit: int
    started: Callable[[int], None] | None = None
    done: Callable[[int, Finished], None] | None = None
    interrupted: Callable[[list[int]], None] | None = None
    finish_on_interrupt: bool = True


Step: TypeAlias = Call[Any] | Pause | Emit[Any] | Until | Batch
Flow: TypeAlias = Generator[Step, Any, T]


def call_flow(call: Call[T]) -> Flow[T]:
    """One call as a flow (a ``Job``'s flow, say)."""
    result: T = yield call
    return result


# -- pagination -----------------------------------------------------------------------------------
def paginate(
    page: Callable[[str | None], Call[Page[T]]],
    *,
    cursor: str | None = None,
    max_pages: int = MAX_PAGES,
    limit: int | None = None,
) -> Flow[str | None]:
    """Every item of a cursor-paginated listing, emitted page by page; ``page(cursor)`` is the call.

    Starts at ``cursor`` (None: the first page). Returns the cursor with which the last page was
    fetched, from where a later listing can read what was added since. An item already emitted
    (same key) is not emitted again, since pages may shift while endpoints come and go. With
    ``limit``, at most that many items are emitted, and no page is fetched once they have been. A
    listing that would never end is stopped with ``PaginationError``: a cursor seen before,
    ``MAX_STALLED_PAGES`` pages in a row that bring nothing new, or more than ``max_pages``.
    """
    cursors: set[str] = set()
    keys: set[str] = set()
    remaining = limit
    stalled = 0
    for _number in range(max_pages):
        result: Page[T] = yield page(cursor)
        fresh = [(key, item) for key, item in result.items if key not in keys]
        if remaining is not None:
            fresh = fresh[:remaining]
            remaining -= len(fresh)
        keys.update(key for key, _ in fresh)
        if fresh:
            yield Emit(fresh, cursor)
        if remaining == 0:
            return cursor
        following = result.next_cursor
        if following is None:
            return cursor
        if following in cursors:
            raise _endless(f"the server returned the pagination cursor {following[:40]!r} twice")
        cursors.add(following)
        cursor = following
        stalled = 0 if fresh else stalled + 1
        if stalled >= MAX_STALLED_PAGES:
            raise _endless(f"{stalled} pages in a row brought no new item but pointed to another page")
    raise _endless(f"the listing did not end within {max_pages} pages")


def _endless(reason: str) -> PaginationError:
    return PaginationError(f"{reason}; stopping to avoid an endless loop", status_code=200)


def collect(project_id: str | None, team_id: str | None, *, cursor: str | None = None) -> Flow[Listing]:
    """The endpoints of a project, every page from ``cursor`` on (see ``paginate``); emits nothing."""
    found: dict[str, EndpointState] = {}
    page_cursors: dict[str, str | None] = {}
    listing = paginate(lambda at: calls.list_page(project_id, at, LISTING_LIMIT, team_id), cursor=cursor)
    step = next(listing)
    while True:
        try:
            if isinstance(step, Emit):
                found.update(step.items)
                page_cursors.update((endpoint_id, step.cursor) for endpoint_id, _ in step.items)
                step = next(listing)
            else:
                step = listing.send((yield step))
        except StopIteration as stop:
            return Listing(found, page_cursors, stop.value)


def gather(listing: Flow[Any]) -> Flow[list[Any]]:
    """Every item ``listing`` emits, in order, as the value of a flow that emits nothing (for a
    method that returns a whole listing at once, as ``costs`` does)."""
    items: list[Any] = []
    step = next(listing)
    while True:
        try:
            if isinstance(step, Emit):
                items.extend(step.items)
                step = next(listing)
            else:
                step = listing.send((yield step))
        except StopIteration:
            return items


# -- the listings of ``list`` and ``versions`` ------------------------------------------------------
def paged(page: Callable[[str | None, int], Call[Page[Any]]], limit: object, page_size: object) -> Flow[str | None]:
    """The flow of a listing of at most ``limit`` items (None: all), ``page_size`` per request; a
    ``limit`` below the page size is the size of the one page it needs. (``page_size`` defaults to
    100, the contract's largest page: the fewest requests.)"""
    most = listing_limit(limit)
    size = checked_page_size(page_size)
    if most is not None:
        size = min(size, most)
    return paginate(lambda cursor: page(cursor, size), limit=most)


def endpoints_listing(project: str | None, team: str | None, limit: object, page_size: object) -> Flow[str | None]:
    """The flow of ``list``: the endpoints of ``project`` (a checked id, or None: the team's)."""
    return paged(lambda cursor, size: calls.list_page(project, cursor, size, team), limit, page_size)


def versions_listing(endpoint_id: object, team: str | None, limit: object, page_size: object) -> Flow[str | None]:
    """The flow of ``versions``: the endpoint's version history."""
    checked_id = identifier(endpoint_id, "endpoint_id")
    return paged(lambda cursor, size: calls.versions_page(checked_id, cursor, size, team), limit, page_size)


# -- update ---------------------------------------------------------------------------------------
def update_flow(
    endpoint_id: str,
    team_id: str | None,
    body: DedicatedEndpointUpdateBody,
    advanced: Mapping[str, Any],
    extra: Mapping[str, Any] | None = None,
) -> Flow[EndpointSpec]:
    """Update an endpoint. Engine options are sent as a block in which the contract requires some
    (the tokenizer flags today): those not given are taken from the endpoint's current specification,
    which is read first only then. Options not given are left out, so they keep their values."""
    if advanced or extra:
        current: EndpointSpec | None = None
        if engine.needs_current(advanced, extra):
            current = yield calls.spec(endpoint_id, team_id)
        body.advanced = engine.update_block(advanced, extra, current)
    updated: EndpointSpec = yield calls.update(endpoint_id, body, team_id)
    return updated


# -- the lifecycle actions -------------------------------------------------------------------------
def action_flow(action: str, endpoint_id: str, team_id: str | None) -> Flow[EndpointState]:
    """sleep, wake, terminate or restart: one request; a 400 is explained when waiting would cure it.

    The API answers an action the endpoint's status does not allow with a bare 400. Then the status
    is read (one more request, on that path only): when ``_hints.WAIT_FIRST`` says which status the
    action needs and waiting gets it there (``restart`` while TERMINATING), the 400 becomes an
    ``EndpointBusyError`` that says so; otherwise, or if the status cannot be read, the 400 is raised
    as it came.
    """
    try:
        state: EndpointState = yield calls.lifecycle(action, endpoint_id, team_id)
    except BadRequestError as refusal:
        if not waiting_helps(action):  # nothing to explain: no second request
            raise
        try:
            now: EndpointState = yield calls.status(endpoint_id, team_id)
        except FriendliError:
            raise refusal from None
        error = busy_error(refusal, action, endpoint_id, now.status)
        if error is refusal:
            raise
        raise error from refusal
    return state
