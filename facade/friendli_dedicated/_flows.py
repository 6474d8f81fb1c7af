"""Multi-call flows, written once for both clients: pagination, create (with its id), update.

A flow is a generator. It yields what it needs done and receives the outcome:

- a ``Call``: the client sends it and sends back the parsed result (or throws the error into the
  flow, which may handle it);
- a ``Pause``: the client sleeps that long (on its own, injectable, sleep);
- an ``Emit``: the client hands these items to the caller of an iterating method (``list``).

Its return value is the method's result. The sync and async clients each have one small loop that
drives any flow (``Client._steps``, ``AsyncClient._steps``), so the logic here is tested once.
"""

from __future__ import annotations

from collections.abc import Callable, Generator, Mapping
from typing import Any, Generic, TypeAlias, TypeVar

import attrs

from friendli_dedicated import _engine as engine, _requests as requests
from friendli_dedicated._models import EndpointState
from friendli_dedicated._requests import Page
from friendli_dedicated._transport import Call
from friendli_dedicated.errors import (
    EndpointCreationUnresolvedError,
    FriendliError,
    PaginationError,
    ResponseFormatError,
    ServerError,
    TransportError,
)
from friendli_dedicated_api.models import (
    DedicatedEndpointCreateBody,
    DedicatedEndpointSpec,
    DedicatedEndpointUpdateBody,
)

__all__ = [
    "MAX_PAGES",
    "MAX_STALLED_PAGES",
    "Emit",
    "Flow",
    "Pause",
    "collect",
    "create_flow",
    "paginate",
    "update_flow",
]

T = TypeVar("T")

MAX_PAGES = 10_000
"""The most pages one listing may take (a million endpoints at 100 per page) before it is stopped."""
MAX_STALLED_PAGES = 10
"""Consecutive pages that bring no new item, yet point to another page, before a listing is stopped."""
# Where a server that does return the new endpoint's id would put it (the contract does not say).
_ID_FIELDS = ("endpointId", "endpoint_id", "id")
# After create, the listing may lag behind: look again after these pauses before giving up.
_CREATE_RELIST_PAUSES = (0.5, 1.0, 2.0)
_LISTING_LIMIT = 100


@attrs.frozen
class Pause:
    """A flow step: sleep this long (on the client's sleep) before the next call."""

    seconds: float


@attrs.frozen
class Emit(Generic[T]):
    """A flow step: hand these items to the caller of an iterating method."""

    items: list[T]


Step: TypeAlias = Call[Any] | Pause | Emit[Any]
Flow: TypeAlias = Generator[Step, Any, T]


# -- pagination -----------------------------------------------------------------------------------
def paginate(page: Callable[[str | None], Call[Page[T]]], *, max_pages: int = MAX_PAGES) -> Flow[None]:
    """Every item of a cursor-paginated listing, emitted page by page; ``page(cursor)`` is the call.

    An item already emitted (same key) is not emitted again, since pages may shift while endpoints
    come and go. A listing that would never end is stopped with ``PaginationError``: a cursor seen
    before, ``MAX_STALLED_PAGES`` pages in a row that bring nothing new, or more than ``max_pages``.
    """
    cursor: str | None = None
    cursors: set[str] = set()
    keys: set[str] = set()
    stalled = 0
    for _number in range(max_pages):
        result: Page[T] = yield page(cursor)
        fresh = [(key, item) for key, item in result.items if key not in keys]
        keys.update(key for key, _ in fresh)
        if fresh:
            yield Emit(fresh)
        cursor = result.next_cursor
        if cursor is None:
            return
        if cursor in cursors:
            raise _endless(f"the server returned the pagination cursor {cursor[:40]!r} twice")
        cursors.add(cursor)
        stalled = 0 if fresh else stalled + 1
        if stalled >= MAX_STALLED_PAGES:
            raise _endless(f"{stalled} pages in a row brought no new item but pointed to another page")
    raise _endless(f"the listing did not end within {max_pages} pages")


def _endless(reason: str) -> PaginationError:
    return PaginationError(f"{reason}; stopping to avoid an endless loop", status_code=200)


def collect(project_id: str | None, team_id: str | None) -> Flow[dict[str, EndpointState]]:
    """All endpoints of a project (every page), as id -> state, emitting nothing."""
    found: dict[str, EndpointState] = {}
    listing = paginate(lambda cursor: requests.list_page(project_id, cursor, _LISTING_LIMIT, team_id))
    step = next(listing)
    while True:
        try:
            if isinstance(step, Emit):
                found.update(step.items)
                step = next(listing)
            else:
                step = listing.send((yield step))
        except StopIteration:
            return found


# -- create ---------------------------------------------------------------------------------------
def create_flow(body: DedicatedEndpointCreateBody, team_id: str | None) -> Flow[tuple[str, EndpointState | None]]:
    """Create an endpoint and find its id, without ever inviting a duplicate.

    The contract's create response is a status without the endpoint's id. The id is taken from the
    response when the server sends one anyway (``endpointId`` or ``id``); otherwise the project is
    listed before and after, and the new id is the one that appeared with the requested name (the
    listing is read again after short pauses while it lags).

    A create whose outcome is unknown (the connection broke after sending, a 5xx, a 2xx whose body
    cannot be read) may still have created the endpoint: it is looked up the same way, and returned
    if found. Otherwise ``EndpointCreationUnresolvedError`` says it may exist and where to look:
    the one error a caller catches to avoid creating twice.
    """
    project_id, name = body.project_id, body.name
    before = yield from collect(project_id, team_id)
    state: EndpointState | None = None
    doubt: str | None = None
    try:
        state = yield requests.create(body, team_id)
    except (ResponseFormatError, ServerError) as exc:
        doubt = f"the create call failed with {type(exc).__name__}: {exc}"
    except TransportError as exc:
        if not exc.may_have_reached_server:
            raise
        doubt = f"the create call failed with {type(exc).__name__}: {exc}"
    if state is not None:
        for field in _ID_FIELDS:
            value = state.raw.get(field)
            if isinstance(value, str) and value:
                return value, state

    def unresolved(reason: str, candidates: tuple[str, ...] = ()) -> EndpointCreationUnresolvedError:
        outcome = doubt or "it was accepted"
        return EndpointCreationUnresolvedError(
            f"the endpoint {name!r} may have been created in project {project_id!r} ({outcome}), but its id could "
            f"not be determined ({reason}); it may exist and bill for GPUs: check `endpoints.list({project_id!r})` "
            "before creating it again",
            project_id=project_id,
            name=name,
            candidates=candidates,
        )

    # A new id is trusted only once its name matches: another client may create an endpoint in the
    # same project at the same moment, and the listing may not show ours yet.
    names: dict[str, str] = {}
    new: list[str] = []
    for pause in (*_CREATE_RELIST_PAUSES, None):
        try:
            after = yield from collect(project_id, team_id)
        except FriendliError as exc:
            raise unresolved(f"listing the project failed: {exc}") from exc
        new = [endpoint_id for endpoint_id in after if endpoint_id not in before]
        for candidate in new:
            if candidate not in names:
                try:
                    candidate_spec: DedicatedEndpointSpec = yield requests.spec(candidate, team_id)
                except FriendliError as exc:
                    raise unresolved(f"reading candidate {candidate!r} failed: {exc}", tuple(new)) from exc
                names[candidate] = candidate_spec.name
        named = [candidate for candidate in new if names[candidate] == name]
        if len(named) == 1:
            return named[0], state if state is not None else after[named[0]]
        if len(named) > 1:
            raise unresolved(f"{len(named)} new endpoints are named {name!r}", tuple(named))
        if pause is not None:
            yield Pause(pause)
    if new:
        raise unresolved(f"none of the new endpoints {new} is named {name!r}", tuple(new))
    raise unresolved("no new endpoint appeared in the project's listing")


# -- update ---------------------------------------------------------------------------------------
def update_flow(
    endpoint_id: str,
    team_id: str | None,
    body: DedicatedEndpointUpdateBody,
    advanced: Mapping[str, Any],
    extra: Mapping[str, Any] | None = None,
) -> Flow[DedicatedEndpointSpec]:
    """Update an endpoint. Engine options are sent as a block in which the contract requires some
    (the tokenizer flags today): those not given are taken from the endpoint's current specification,
    which is read first only then. Options not given are left out, so they keep their values."""
    if advanced or extra:
        current: DedicatedEndpointSpec | None = None
        if engine.needs_current(advanced, extra):
            current = yield requests.spec(endpoint_id, team_id)
        body.advanced = engine.update_block(advanced, extra, current)
    updated: DedicatedEndpointSpec = yield requests.update(endpoint_id, body, team_id)
    return updated
