"""Creating endpoints and finding their ids (and endpoints by name): right, or saying that they cannot be,
within one deadline.

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

With ``exist_ok``, step 1 is followed by a lookup of the name in the view: the endpoints the project
holds (listed no longer ago than a create's baseline, ``BASELINE_MAX_AGE``, or kept current by the
rounds of the creates in flight; this client's own creates are all there) and their specifications
(each read once per client, since the listing shows no names). An endpoint of that name is
returned, and nothing is sent; several are ``AmbiguousEndpointError``. So a fleet of ``exist_ok``
creates costs what a fleet of creates costs, plus one specification per endpoint that existed.
``find_flow`` (``client.endpoints.find``) looks harder: a full listing started after the call
began (shared with the other calls waiting for one), so it sees what other clients made or deleted
a moment ago.

One deadline (the client's ``timeout``, from the call's start) covers every request and every wait
of a create. The flow is written once; ``_coordination`` drives it for both clients, and closes it
whatever ends the call, so the ``finally`` blocks below give back what it owns (a listing round,
specifications being read, its place in the queue of its name).
"""

from __future__ import annotations

import warnings
from collections.abc import Collection, Mapping
from typing import TYPE_CHECKING

import attrs

from friendli_dedicated import _calls as calls, _flows as flows
from friendli_dedicated._flows import Flow, Pause, Until
from friendli_dedicated._instances import InstanceOption
from friendli_dedicated._models import EndpointState
from friendli_dedicated._project_view import GONE, ProjectView, Round, Wanted
from friendli_dedicated._unlisted import callers_level
from friendli_dedicated.errors import (
    AmbiguousEndpointError,
    EndpointCreationUnresolvedError,
    FriendliError,
    NotFoundError,
    RequestTimeoutError,
    ResponseFormatError,
    ServerError,
    TransportError,
)
from friendli_dedicated_api.models import (
    DedicatedEndpointCreateBody,
    DedicatedEndpointSpec,
    DedicatedEndpointUpdateBody,
)
from friendli_dedicated_api.types import Unset

if TYPE_CHECKING:
    from collections.abc import Callable


__all__ = [
    "RELIST_PAUSES",
    "Created",
    "SpecificationMismatchWarning",
    "ambiguous",
    "create_flow",
    "doubt",
    "find_flow",
    "shown_fields",
    "spec_fields",
    "wanted_of",
    "warn_differences",
]

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
    return Wanted(body.name, tuple(shown_fields(body, given).items()))


def shown_fields(
    body: DedicatedEndpointCreateBody | DedicatedEndpointUpdateBody, given: Collection[str] = ()
) -> dict[str, object]:
    """The fields of a create or an update that a specification shows, as it would report them (its
    field names): the one rule of "what a specification shows of a request", for a create's match
    (``wanted_of``) and a rollout's check (``_rollout``). Not the name (a create matches it apart),
    nor the model, nor what the autoscaler moves.

    >>> shown_fields(DedicatedEndpointUpdateBody(instance_option_id=InstanceOption.parse("2x H100").id))
    {'gpu_type': 'NVIDIA H100', 'num_gpu': 2}
    """
    fields: dict[str, object] = {}
    option_id = body.instance_option_id
    if isinstance(option_id, str):
        try:
            option = InstanceOption.from_id(option_id)
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
    advanced = body.advanced
    sent = advanced.to_dict() if advanced is not None and not isinstance(advanced, Unset) else {}
    fields.update((name, sent[name]) for name in sorted(given) if name in _SPEC_FIELDS and name in sent)
    return fields


def spec_fields(spec: DedicatedEndpointSpec) -> Mapping[str, object]:
    values = {name: getattr(spec, name) for name in _SPEC_FIELDS}
    return {name: None if isinstance(value, Unset) else value for name, value in values.items()}


def doubt(exc: FriendliError) -> str | None:
    """Why a failed write (a create, an update) may still have taken effect, or None when it cannot have."""
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


@attrs.frozen
class Created:
    """What a create or a lookup by name gave: the endpoint's id and last state seen; for an endpoint
    that existed already (``exist_ok``), the fields its specification shows with other values than
    the create asked for (field -> (asked, found))."""

    endpoint_id: str
    state: EndpointState | None
    differences: Mapping[str, tuple[object, object]] = attrs.field(factory=dict)


class SpecificationMismatchWarning(UserWarning):
    """``create(..., exist_ok=True)`` returned an existing endpoint whose specification differs from
    what the call asked for: ``differences`` maps each field (as ``EndpointSpec`` names it) to
    (asked, found). The endpoint is returned unchanged; ``update`` changes it.

    Only the fields a specification shows are compared (not the model, which it does not show).
    """

    def __init__(self, message: str, *, endpoint_id: str, differences: Mapping[str, tuple[object, object]]) -> None:
        super().__init__(message)
        self.endpoint_id = endpoint_id
        self.differences = differences


def warn_differences(created: Created, project_id: str, name: str) -> None:
    """Warn, from the caller's line, when an existing endpoint returned by ``exist_ok`` differs from what was asked.

    >>> import warnings
    >>> with warnings.catch_warnings(record=True) as caught:
    ...     warnings.simplefilter("always")
    ...     warn_differences(Created("ep-1", None, {"num_gpu": (2, 1)}), "proj", "chat")
    >>> print(caught[0].message)  # doctest: +NORMALIZE_WHITESPACE
    endpoint ep-1 ('chat' in project 'proj') exists with another specification than asked: num_gpu is 1 (asked 2);
    it is returned unchanged (update it to change that)
    """
    if not created.differences:
        return
    shown = "; ".join(
        f"{field} is {found!r} (asked {asked!r})" for field, (asked, found) in created.differences.items()
    )
    warning = SpecificationMismatchWarning(
        f"endpoint {created.endpoint_id} ({name!r} in project {project_id!r}) exists with another specification "
        f"than asked: {shown}; it is returned unchanged (update it to change that)",
        endpoint_id=created.endpoint_id,
        differences=dict(created.differences),
    )
    warnings.warn(warning, stacklevel=callers_level())


@attrs.define
class _Caller:
    """One call on a project's view (a lookup, or a create): the view, the project, the team, its deadline.

    ``timed_out`` and ``read_failed`` make the errors of the shared steps (listing rounds, reading
    specifications): a create makes them its own once it was sent (``_Create``).
    """

    view: ProjectView
    project_id: str
    team_id: str | None
    clock: Callable[[], float]
    deadline: float
    name: str

    def timed_out(self, waiting_for: str) -> FriendliError:
        return RequestTimeoutError(
            f"looking up {self.name!r} in project {self.project_id!r}: the deadline passed while {waiting_for}"
        )

    def read_failed(self, endpoint_id: str, exc: FriendliError) -> FriendliError:
        return exc


@attrs.define
class _Create(_Caller):
    """One create's facts, as its flow learns them."""

    body: DedicatedEndpointCreateBody = attrs.field(kw_only=True)
    wanted: Wanted = attrs.field(kw_only=True)
    before: frozenset[str] = frozenset()
    doubt: str | None = None
    sent: bool = False
    """Whether the create was sent (it may then exist): every error is then ``unresolved``."""

    def unresolved(self, reason: str, candidates: Collection[str] = ()) -> EndpointCreationUnresolvedError:
        project_id, name = self.project_id, self.name
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
            f"POST /dedicated/beta/endpoint ({self.name!r}): the deadline passed before the create was sent, "
            f"while {waiting_for}; nothing was created",
            may_have_reached_server=False,
        )

    def timed_out(self, waiting_for: str) -> FriendliError:
        if not self.sent:
            return self.not_sent(waiting_for)
        return self.unresolved(f"the deadline passed while {waiting_for}")

    def read_failed(self, endpoint_id: str, exc: FriendliError) -> FriendliError:
        if not self.sent:
            return exc
        return self.unresolved(f"reading candidate {endpoint_id!r} failed: {exc}", [endpoint_id])


def ambiguous(project_id: str, name: str, ids: Collection[str]) -> AmbiguousEndpointError:
    """The error of a lookup by name that found several endpoints of the name."""
    listed = ", ".join(ids)
    return AmbiguousEndpointError(
        f"{len(ids)} endpoints are named {name!r} in project {project_id!r}: {listed}; use one by its id "
        f"(endpoints.get_handle(id)), and terminate and delete the others if they are not wanted",
        project_id=project_id,
        name=name,
        ids=tuple(ids),
    )


def create_flow(
    view: ProjectView,
    body: DedicatedEndpointCreateBody,
    team_id: str | None,
    wanted: Wanted,
    *,
    clock: Callable[[], float],
    deadline: float,
    exist_ok: bool = False,
) -> Flow[Created]:
    """Create the endpoint ``body`` describes; return its id and last state seen (see the module).

    With ``exist_ok``, first look the name up in the view (once its baseline is listed, and the
    specifications it lacks read): an endpoint of that name is returned (with the fields that differ
    from what was asked) and nothing is created; several raise ``AmbiguousEndpointError``.
    """
    create = _Create(view, body.project_id, team_id, clock, deadline, body.name, body=body, wanted=wanted)
    ticket = object()
    view.enqueue(body.name, ticket)
    try:
        if not (yield Until(lambda: view.first_in_line(body.name, ticket), deadline)):
            raise create.not_sent(f"an earlier create of {body.name!r} by this client was still resolving")
        yield from _baseline(create)
        if exist_ok:
            # What the view knows, as fresh as a create's baseline: a script run again (a new client)
            # lists the project afresh, and this client's own creates are all in its view.
            yield from _read_specs(create, lambda: sorted(view.present))
            existing = view.named(body.name)
            if len(existing) > 1:
                raise ambiguous(body.project_id, body.name, existing)
            if existing:
                (found,) = existing
                differences = wanted.differences(view.specs[found])
                return Created(found, view.states.get(found), differences)
        create.before = view.begin()
        waiting = False
        try:
            state: EndpointState | None = None
            try:
                state = yield calls.create(body, team_id)
            except FriendliError as exc:
                create.doubt = doubt(exc)
                if create.doubt is None:
                    raise
            create.sent = True
            marker = view.posted()
            waiting = True
            known = _id_in(state)
            if known is not None:
                view.claim(known)
                return Created(known, state)
            chosen = yield from _resolve(create, marker)
            return Created(chosen, state or view.states.get(chosen))
        finally:
            view.finished(waiting=waiting)
    finally:
        view.dequeue(body.name, ticket)


def find_flow(
    view: ProjectView,
    project_id: str,
    name: str,
    team_id: str | None,
    *,
    clock: Callable[[], float],
    deadline: float,
) -> Flow[Created | None]:
    """The endpoint named ``name`` in the project, None if there is none, ``AmbiguousEndpointError`` if
    several are: from a listing made after the call began, and their specifications (each read once
    per client). It waits for this client's creates of the same name in flight to resolve first."""
    find = _Caller(view, project_id, team_id, clock, deadline, name)
    ticket = object()
    view.enqueue(name, ticket)
    try:
        if not (yield Until(lambda: view.first_in_line(name, ticket), deadline)):
            raise find.timed_out(f"a create of {name!r} by this client was still resolving")
        found = yield from _look_up(find)
    finally:
        view.dequeue(name, ticket)
    if len(found) > 1:
        raise ambiguous(project_id, name, found)
    return Created(found[0], view.states.get(found[0])) if found else None


def _look_up(call: _Caller) -> Flow[list[str]]:
    """The ids of the endpoints named ``call.name``: a full round started after this call began (or
    shared with the calls waiting for one), then the specifications not read yet."""
    view = call.view
    marker = view.look()
    try:
        while not view.full_round_after(marker):
            view.want_full_round()
            yield from _await_round(call, view.rounds_done)
        yield from _read_specs(call, lambda: sorted(view.present))
    finally:
        view.looked()
    return view.named(call.name)


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
            yield from _read_specs(create, lambda: view.new_ids(create.before))
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


def _await_round(call: _Caller, marker: int) -> Flow[None]:
    """Until a round started after ``marker`` has finished: run it if it is this call's turn, else wait."""
    view, deadline = call.view, call.deadline
    while not view.round_finished_after(marker):
        started = view.round_for(marker)
        if started is None:
            ready = yield Until(lambda: view.round_finished_after(marker) or view.may_start_round(marker), deadline)
            if not ready:
                raise call.timed_out("waiting for the project's listing")
            continue
        yield from _run_round(call, started)


def _run_round(call: _Caller, started: Round) -> Flow[None]:
    """List the project for every call waiting; the round is given back if this one cannot finish it."""
    view = call.view
    try:
        listed = yield from flows.collect(call.project_id, call.team_id, cursor=started.cursor)
    except BaseException:  # failed, or cut short (GeneratorExit): a waiter starts the next round
        view.round_released(started)
        raise
    view.round_done(started, listed.states, listed.tail, call.clock())


def _read_specs(call: _Caller, candidates: Callable[[], list[str]]) -> Flow[None]:
    """Make sure the candidates' specifications are known: read those nobody reads, wait for the others."""
    view = call.view
    while True:
        mine = view.unread(candidates())
        try:
            while mine:
                endpoint_id = mine[0]
                try:
                    spec = yield calls.spec(endpoint_id, call.team_id)
                except NotFoundError:
                    view.read(mine.pop(0), GONE)  # deleted meanwhile: a candidate of no one's
                    continue
                except FriendliError as exc:
                    error = call.read_failed(endpoint_id, exc)
                    if error is exc:
                        raise
                    raise error from exc
                view.read(mine.pop(0), spec_fields(spec))
        finally:
            for endpoint_id in mine:  # not read: another call may read them
                view.read(endpoint_id, None)
        others = view.being_read(candidates())
        if not others:
            return
        ready = yield Until(lambda others=others: not view.being_read(others), call.deadline)  # type: ignore[misc]
        if not ready:
            raise call.timed_out("the endpoints' specifications were being read")
