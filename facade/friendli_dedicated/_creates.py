"""Creating endpoints and finding their ids: right, or saying that they cannot be, within one deadline.

The contract's create response carries no endpoint id (a server that sends one anyway, as
``endpointId`` or ``id``, is believed). So a create (``create_flow``):

1. waits for its turn among this client's creates of the same name in the project (one at a
   time: the specification does not show the model, so two creates of one name could otherwise
   be told apart by nothing), then makes sure the client's view of the project is listed (once,
   shared by every create in flight);
2. sends the create, never again once it may have reached the server;
3. waits for a listing round started after its reply (one round in flight per project, read by
   every create waiting), reads the specifications of the new endpoints (each once), and keeps
   those that match everything it asked for that a specification shows (``Wanted``);
4. claims the one match if its create was answered with a success. Anything else is
   ``EndpointCreationUnresolvedError``, which lists the candidates and says the endpoint may exist:
   several matches (another client created the same thing meanwhile); a create whose outcome is
   unknown (a lost response, a 5xx, an unreadable reply), whose match may be its own or another
   client's, which nothing in the API tells apart; no match after full listings and short pauses
   while the listing lags; the deadline.

One deadline (the client's ``timeout``, from the call's start) covers every request and every wait
of a create. The flow is written once; ``_coordination`` drives it for both clients, and closes it
whatever ends the call, so the ``finally`` blocks below give back what it owns (a listing round,
specifications being read, its place in the queue of its name).
"""

from __future__ import annotations

import threading
from collections.abc import Collection, Iterable, Mapping
from typing import TYPE_CHECKING

import attrs

from friendli_dedicated import _calls as calls, _flows as flows
from friendli_dedicated._coordination import AsyncCoordinator, Coordinator
from friendli_dedicated._flows import Batch, Finished, Flow, Pause, Until
from friendli_dedicated._instances import InstanceOption
from friendli_dedicated._models import EndpointState
from friendli_dedicated._project_view import GONE, ProjectView, Round, Wanted
from friendli_dedicated.errors import (
    EndpointCreationUnresolvedError,
    FriendliError,
    NotFoundError,
    RequestTimeoutError,
    ResponseFormatError,
    ServerError,
    TransportError,
)
from friendli_dedicated_api.models import DedicatedEndpointCreateBody, DedicatedEndpointSpec
from friendli_dedicated_api.types import Unset

if TYPE_CHECKING:
    from collections.abc import Callable

    from friendli_dedicated._client import AsyncClient, Client

__all__ = ["RELIST_PAUSES", "REMEMBERED", "AsyncCreates", "Creates", "create_flow", "wanted_of"]

REMEMBERED = 100_000
"""How many listed endpoints' projects a client remembers beyond its creates' views (a few MB)."""
RELIST_PAUSES = (0.5, 1.0, 2.0)
"""Seconds to wait before listing again when a full listing does not show the new endpoint yet."""
# Where a server that does return the new endpoint's id would put it (the contract does not say).
_ID_FIELDS = ("endpointId", "endpoint_id", "id")
_SPEC_FIELDS = frozenset(field.name for field in attrs.fields(DedicatedEndpointSpec))


def wanted_of(body: DedicatedEndpointCreateBody, given: Collection[str] = ()) -> Wanted:
    """What a create asks for, as its endpoint's specification would report it.

    ``given``: the engine options the caller set (the others are the contract's defaults, which a
    server may fill in its own way, so they are not compared).
    """
    fields: dict[str, object] = {}
    try:
        option = InstanceOption.from_id(body.instance_option_id)
    except FriendliError:  # an unlisted option: its GPU is not known here
        pass
    else:
        fields.update(gpu_type=option.gpu.value, num_gpu=option.count)
    simplescale, policy = body.simplescale, body.autoscaling_policy
    if simplescale is not None and not isinstance(simplescale, Unset):
        fields.update(autoscaling_min=simplescale.replicas, autoscaling_max=simplescale.replicas)
    elif policy is not None and not isinstance(policy, Unset):
        asked = {
            "autoscaling_min": policy.min_replica,
            "autoscaling_max": policy.max_replica,
            "autoscaling_cooldown": policy.cooldown_period,
        }
        fields.update((key, value) for key, value in asked.items() if not isinstance(value, Unset))
    sent = body.advanced.to_dict() if not isinstance(body.advanced, Unset) else {}
    fields.update((name, sent[name]) for name in sorted(given) if name in _SPEC_FIELDS and name in sent)
    return Wanted(body.name, tuple(fields.items()))


def _spec_fields(spec: DedicatedEndpointSpec) -> Mapping[str, object]:
    values = {name: getattr(spec, name) for name in _SPEC_FIELDS}
    return {name: None if isinstance(value, Unset) else value for name, value in values.items()}


def _doubt(exc: FriendliError) -> str | None:
    """Why a failed create may still have made the endpoint, or None when it cannot have."""
    if isinstance(exc, ResponseFormatError | ServerError):
        return f"the create call failed with {type(exc).__name__}: {exc}"
    if isinstance(exc, TransportError) and exc.may_have_reached_server:
        return f"the create call failed with {type(exc).__name__}: {exc}"
    return None


def _id_in(state: EndpointState | None) -> str | None:
    if state is None:
        return None
    for field in _ID_FIELDS:
        value = state.raw.get(field)
        if isinstance(value, str) and value:
            return value
    return None


@attrs.define
class _Create:
    """One create's facts, as its flow learns them."""

    view: ProjectView
    body: DedicatedEndpointCreateBody
    team_id: str | None
    wanted: Wanted
    clock: Callable[[], float]
    deadline: float
    before: frozenset[str] = frozenset()
    doubt: str | None = None

    def unresolved(self, reason: str, candidates: Collection[str] = ()) -> EndpointCreationUnresolvedError:
        project_id, name = self.body.project_id, self.body.name
        outcome = self.doubt or "it was accepted"
        return EndpointCreationUnresolvedError(
            f"the endpoint {name!r} may have been created in project {project_id!r} ({outcome}), but its id "
            f"could not be determined ({reason}); it may exist and bill for GPUs: check "
            f"`endpoints.list({project_id!r})` before creating it again",
            project_id=project_id,
            name=name,
            candidates=tuple(candidates),
        )

    def not_sent(self, waiting_for: str) -> RequestTimeoutError:
        return RequestTimeoutError(
            f"POST /dedicated/beta/endpoint ({self.body.name!r}): the deadline passed before the create was sent, "
            f"while {waiting_for}; nothing was created",
            may_have_reached_server=False,
        )


def create_flow(
    view: ProjectView,
    body: DedicatedEndpointCreateBody,
    team_id: str | None,
    wanted: Wanted,
    *,
    clock: Callable[[], float],
    deadline: float,
) -> Flow[tuple[str, EndpointState | None]]:
    """Create the endpoint ``body`` describes; return its id and last state seen (see the module)."""
    create = _Create(view, body, team_id, wanted, clock, deadline)
    ticket = object()
    view.enqueue(body.name, ticket)
    try:
        if not (yield Until(lambda: view.first_in_line(body.name, ticket), deadline)):
            raise create.not_sent(f"an earlier create of {body.name!r} by this client was still resolving")
        yield from _baseline(create)
        create.before = view.begin()
        waiting = False
        try:
            state: EndpointState | None = None
            try:
                state = yield calls.create(body, team_id)
            except FriendliError as exc:
                create.doubt = _doubt(exc)
                if create.doubt is None:
                    raise
            marker = view.posted()
            waiting = True
            known = _id_in(state)
            if known is not None:
                view.claim(known)
                return known, state
            chosen = yield from _resolve(create, marker)
            return chosen, state or view.states.get(chosen)
        finally:
            view.finished(waiting=waiting)
    finally:
        view.dequeue(body.name, ticket)


def _baseline(create: _Create) -> Flow[None]:
    """Before the first create, or after a quiet spell: list the whole project, or wait for the round that does."""
    view = create.view
    while view.needs_baseline(create.clock()):
        started = view.baseline_round()
        if started is None:
            ready = yield Until(lambda: view.round_in_flight is None, create.deadline)
            if not ready:
                raise create.not_sent("the project was being listed")
            continue
        yield from _run_round(create, started)


def _resolve(create: _Create, marker: int) -> Flow[str]:
    """After the create was answered: the id of the one endpoint that can be its, or Unresolved."""
    view, pauses = create.view, list(RELIST_PAUSES)
    while True:
        try:
            yield from _await_round(create, marker)
            yield from _read_specs(create)
        except EndpointCreationUnresolvedError:
            raise
        except FriendliError as exc:
            raise create.unresolved(f"listing the project failed: {exc}") from exc
        matching = view.matching(create.before, create.wanted)
        if len(matching) > 1:
            reason = f"{len(matching)} new endpoints match it: another client created the same meanwhile"
            raise create.unresolved(reason, matching)
        if matching and create.doubt is not None:
            reason = "a new endpoint matches it, and nothing tells whether this create or another client made it"
            raise create.unresolved(reason, matching)
        if matching:
            view.claim(matching[0])
            return matching[0]
        marker = view.rounds_done
        if not view.last_round_full:
            view.want_full_round()
            continue
        if create.doubt is not None or not pauses:
            raise create.unresolved("no new endpoint like it appeared in the project's listing")
        pause = pauses.pop(0)
        if create.clock() + pause >= create.deadline:
            raise create.unresolved("the deadline passed while the project's listing did not show it yet")
        yield Pause(pause)


def _await_round(create: _Create, marker: int) -> Flow[None]:
    """Until a round started after ``marker`` has finished: run it if it is this create's turn, else wait."""
    view, deadline = create.view, create.deadline
    while not view.round_finished_after(marker):
        started = view.round_for(marker)
        if started is None:
            ready = yield Until(lambda: view.round_finished_after(marker) or view.may_start_round(marker), deadline)
            if not ready:
                raise create.unresolved("the deadline passed while waiting for the project's listing")
            continue
        yield from _run_round(create, started)


def _run_round(create: _Create, started: Round) -> Flow[None]:
    """List the project for every create waiting; the round is given back if this one cannot finish it."""
    view = create.view
    try:
        listed = yield from flows.collect(create.body.project_id, create.team_id, cursor=started.cursor)
    except BaseException:  # failed, or cut short (GeneratorExit): a waiter starts the next round
        view.round_released(started)
        raise
    view.round_done(started, listed.states, listed.tail, create.clock())


def _read_specs(create: _Create) -> Flow[None]:
    """Make sure every new endpoint's specification is known: read those nobody reads, wait for the others."""
    view = create.view
    while True:
        mine = view.unread(view.new_ids(create.before))
        try:
            while mine:
                endpoint_id = mine[0]
                try:
                    spec = yield calls.spec(endpoint_id, create.team_id)
                except NotFoundError:
                    view.read(mine.pop(0), GONE)  # deleted meanwhile: a candidate of no one's
                    continue
                except FriendliError as exc:
                    reason = f"reading candidate {endpoint_id!r} failed: {exc}"
                    raise create.unresolved(reason, [endpoint_id]) from exc
                view.read(mine.pop(0), _spec_fields(spec))
        finally:
            for endpoint_id in mine:  # not read: another create may read them
                view.read(endpoint_id, None)
        others = view.being_read(view.new_ids(create.before))
        if not others:
            return
        ready = yield Until(lambda others=others: not view.being_read(others), create.deadline)  # type: ignore[misc]
        if not ready:
            raise create.unresolved("the deadline passed while its candidates' specifications were being read")


# -- the clients' holders of views: the coordinator is the only part with a sync and an async twin ----------
class _Views:
    """A client's views of projects (one per team and project), shared by its calls and ``with_options`` copies.

    They also say which project an endpoint the client has created or listed is in (``project_of``),
    so that ``wait_all`` watches a bare id through its project's listing, as it does a handle, without
    reading its specification first.
    """

    def __init__(self) -> None:
        self._views: dict[tuple[str | None, str], ProjectView] = {}
        self._listed: dict[tuple[str | None, str], str] = {}
        self._listed_lock = threading.Lock()

    def remember(self, team_id: str | None, project_id: str, endpoint_ids: Iterable[str]) -> None:
        """Endpoints seen listed in ``project_id`` (the last ``REMEMBERED`` ids are kept)."""
        with self._listed_lock:
            for endpoint_id in endpoint_ids:
                self._listed.pop((team_id, endpoint_id), None)  # to the end: the most recent
                self._listed[(team_id, endpoint_id)] = project_id
            while len(self._listed) > REMEMBERED:
                del self._listed[next(iter(self._listed))]

    def project_of(self, team_id: str | None, endpoint_id: str) -> str | None:
        """The project of an endpoint this client created or listed, or None if it does not know."""
        with self._listed_lock:
            found = self._listed.get((team_id, endpoint_id))
        if found is not None:
            return found
        for (team, project), view in list(self._views.items()):
            if team == team_id and endpoint_id in view.known:
                return project
        return None

    def _flow(
        self,
        client: Client | AsyncClient,
        body: DedicatedEndpointCreateBody,
        team_id: str | None,
        given: Collection[str],
    ) -> tuple[Flow[tuple[str, EndpointState | None]], float]:
        """The create's flow, and its deadline: the client's ``timeout`` from now, for every request and wait."""
        clock = client._sender.clock
        deadline = clock() + client._sender.total
        view = self._views.setdefault((team_id, body.project_id), ProjectView())
        return create_flow(view, body, team_id, wanted_of(body, given), clock=clock, deadline=deadline), deadline


class Creates(_Views):
    """The sync client's creates, driven from any of its threads."""

    def __init__(self) -> None:
        super().__init__()
        self._coordinator = Coordinator()

    def create(
        self, client: Client, body: DedicatedEndpointCreateBody, team_id: str | None, given: Collection[str] = ()
    ) -> tuple[str, EndpointState | None]:
        """Create the endpoint ``body`` describes with ``client``; return its id and last state."""
        flow, deadline = self._flow(client, body, team_id, given)
        return self._coordinator.run(client, flow, deadline=deadline)

    def batch(self, client: Client, step: Batch) -> list[Finished]:
        """Run a flow's ``Batch`` on this client's coordinator (its creates share the client's views)."""
        return self._coordinator.batch(client, step)


class AsyncCreates(_Views):
    """The async client's creates: the same flow, driven on its event loop."""

    def __init__(self) -> None:
        super().__init__()
        self._coordinator = AsyncCoordinator()

    async def create(
        self, client: AsyncClient, body: DedicatedEndpointCreateBody, team_id: str | None, given: Collection[str] = ()
    ) -> tuple[str, EndpointState | None]:
        """See ``Creates.create``."""
        flow, deadline = self._flow(client, body, team_id, given)
        return await self._coordinator.run(client, flow, deadline=deadline)

    async def batch(self, client: AsyncClient, step: Batch) -> list[Finished]:
        """See ``Creates.batch``."""
        return await self._coordinator.batch(client, step)
