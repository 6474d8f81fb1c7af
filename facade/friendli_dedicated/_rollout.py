"""Verified rollouts: update an endpoint, see the new version serve as asked, or roll it back; one flow.

``rollout_flow`` does, in order:

1. read the version history (oldest first, as the API lists it): its newest entry is the version
   before the update (``previous``, with its specification), and where a later read resumes;
2. send the update (``_flows.update_flow``); a refusal ends the rollout (``not_updated``: nothing
   changed). A request whose outcome is unknown (no answer, a 5xx) is looked up in the history: a
   new version there is the update's, and the rollout goes on with it;
3. read the history again from where it ended: its new entry is the ``new`` version;
4. wait until the endpoint serves (``_waiter.wait_flow``, its calls within the wait's own deadline;
   with ``serving``, the default, until it answers a request too, not only until it says RUNNING),
   then read the specification back and compare it with what was asked: the fields a specification
   shows of a request, by the one rule of ``_creates.shown_fields`` and ``_project_view.differences``
   (never the model, which it does not show, nor the replica counts the autoscaler moves);
5. if the new version failed, timed out, did not answer, or shows other values (a silent revert), and ``rollback``:
   send the previous version's specification back as an update (name, instance, autoscaling, the
   engine options it shows, and the model and revision when the caller knows them: the API does not
   say them), read its version, wait, and check it the same way.

It never raises a ``FriendliError`` of its own once started: every end is a ``Rollout``
(``_rollout_result``), which ``raise_for_failure()`` turns into ``fd.RolloutError``. What the caller's
``on_progress`` raises, a cancellation or Ctrl-C propagates as it is, wherever the rollout stands (the
version history says where).

The flow is three parts: ``begin_flow`` (steps 1 to 3), a wait, ``verify_flow`` (the read-back,
and the rollback). ``rollout_flow`` waits for the one endpoint; an apply (``_apply``) begins the
rollouts of all its updates, waits for them with its creates (one fleet wait, through the projects'
listings: ``waited_in`` reads each one's end from it), then verifies each. ``RolloutRun`` holds what
one rollout learned, free of I/O, and makes its ``Rollout``.

The shells (``client.endpoints.rollout``, ``Endpoint.rollout``) check the arguments (``start``) and
drive ``rollout_flow``; ``_apply.update_step`` begins each update of an apply.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

import attrs

from friendli_dedicated import _calls as calls, _engine as engine, _flows as flows
from friendli_dedicated._backoff import Backoff
from friendli_dedicated._bodies import update_body
from friendli_dedicated._creates import doubt, shown_fields, spec_fields
from friendli_dedicated._fleet import FleetResult
from friendli_dedicated._flows import Emit, Flow
from friendli_dedicated._models import EndpointSpec, EndpointState, EndpointVersion, Status
from friendli_dedicated._project_view import LISTING_LIMIT, differences
from friendli_dedicated._rollout_result import Rollout
from friendli_dedicated._validate import callback, flag, seconds, text
from friendli_dedicated._waiter import Outcome, Terms, classify, wait_flow
from friendli_dedicated.errors import (
    EndpointFailedError,
    EndpointNotServingError,
    EndpointStoppedError,
    FriendliError,
    InvalidInputError,
    WaitError,
    WaitTimeoutError,
)
from friendli_dedicated_api.models import DedicatedEndpointUpdateBody
from friendli_dedicated_api.types import Unset

__all__ = [
    "STAGES",
    "RolloutProgress",
    "RolloutRequest",
    "RolloutRun",
    "Settled",
    "WaitTerms",
    "begin_flow",
    "request_of",
    "rollout_flow",
    "served",
    "start",
    "verify_flow",
    "waited_in",
]

STAGES = ("rolling_out", "rolling_back")
"""What ``on_progress`` is told a state belongs to: the new version's wait, or the rollback's."""

RolloutProgress = Callable[[str, EndpointState, float], None]
"""``on_progress(stage, state, elapsed)``: ``stage`` one of ``STAGES``, ``elapsed`` since the rollout began."""
WaitTerms = Callable[[str, float], Terms]
"""The terms of one wait of a rollout, from its stage and timeout, started when called."""

_CHANGES = frozenset({"name", "model", "revision", "instance", "autoscaling", "comment", "extra_engine_options"})
_SPEC_FIELDS = frozenset(attrs.fields_dict(EndpointSpec)) - {"raw", "additional_properties"}
_SHOWN_ENGINE = tuple(name for name in engine.OPTIONS if name in _SPEC_FIELDS)


@attrs.frozen
class RolloutRequest:
    """A rollout's update and what it checks, built and checked before anything is sent.

    ``body`` is sent by ``update_flow`` with ``advanced`` and ``extra`` (empty when ``body`` already
    holds its engine block); ``requested`` is what it asks for (see ``Rollout.requested``), of which
    ``compared`` are the fields a specification shows.
    """

    endpoint_id: str
    body: DedicatedEndpointUpdateBody
    advanced: Mapping[str, Any]
    extra: Mapping[str, Any] | None
    requested: Mapping[str, Any]
    compared: tuple[tuple[str, Any], ...]
    rollback: bool = True
    previous_model: str | None = None
    previous_revision: str | None = None
    timeout: float = 1800.0
    rollback_timeout: float = 1800.0
    serving: bool = True


def _requested(
    body: DedicatedEndpointUpdateBody, given: Mapping[str, Any]
) -> tuple[dict[str, Any], tuple[tuple[str, Any], ...]]:
    """(everything ``body`` asks for, the part a specification shows); ``body`` holds its engine block,
    ``given`` the engine options the caller set (the block's other, required, ones are not asked for)."""
    shown: dict[str, Any] = {}
    if isinstance(body.name, str):
        shown["name"] = body.name
    shown.update(shown_fields(body, given))
    requested = dict(shown)
    for field, value in (("model", body.hf_model_repo), ("revision", body.hf_model_repo_revision)):
        if isinstance(value, str):
            requested[field] = value
    if isinstance(body.instance_option_id, str) and "gpu_type" not in shown:  # an unlisted option
        requested["instance_id"] = body.instance_option_id
    requested.update((name, value) for name, value in given.items() if name not in shown)
    return requested, tuple(shown.items())


def request_of(
    endpoint_id: str,
    body: DedicatedEndpointUpdateBody,
    given: Mapping[str, Any],
    *,
    advanced: Mapping[str, Any],
    extra: Mapping[str, Any] | None,
    rollback: bool,
    previous_model: str | None,
    previous_revision: str | None,
    timeout: float,
    rollback_timeout: float,
    serving: bool = True,
) -> RolloutRequest:
    """The ``RolloutRequest`` of an update body (checked already). ``given``: the engine options the
    caller set, with their values; without ``advanced`` or ``extra``, ``body`` holds its engine block."""
    probe = body
    if advanced or extra:  # the block update_flow will send, but for the required options it may read
        probe = attrs.evolve(body, advanced=engine.update_block(advanced, extra, None))
    requested, compared = _requested(probe, given)
    return RolloutRequest(
        endpoint_id,
        body,
        advanced,
        extra,
        requested,
        compared,
        rollback,
        previous_model,
        previous_revision,
        timeout,
        rollback_timeout,
        serving,
    )


def start(
    endpoint_id: str,
    team_id: str | None,
    changes: Mapping[str, Any],
    *,
    timeout: object,
    rollback: object,
    rollback_timeout: object,
    previous_model: object,
    previous_revision: object,
    poll: object,
    on_progress: object,
    serving: object = True,
    clock: Callable[[], float],
    random: Callable[[], float],
) -> Flow[Rollout]:
    """Check a rollout's arguments (``InvalidInputError`` naming the field, before any request) and
    give its flow: the shells' one entry (``client.endpoints.rollout``)."""
    checked_changes = dict(changes)
    extra = checked_changes.pop("extra_engine_options", None)
    fields = {key: checked_changes.pop(key, None) for key in _CHANGES - {"extra_engine_options"}}
    advanced = checked_changes  # what is left: engine options (update_body refuses unknown names)
    body = update_body(**fields, advanced=advanced, extra_engine_options=extra)
    # 0 s would send the update, see it time out at once, and send the rollback: refused, as in apply.
    limit = seconds(timeout, "timeout", allow_zero=False)
    rollback_limit = (
        limit if rollback_timeout is None else seconds(rollback_timeout, "rollback_timeout", allow_zero=False)
    )
    if poll is not None and not isinstance(poll, Backoff):
        raise InvalidInputError("poll", f"must be a Backoff or None, got {type(poll).__name__}")
    progress = callback(on_progress, "on_progress", arguments=3)
    serves = flag(serving, "serving")
    given = {**engine.check(advanced), **engine.check_extra(extra, advanced)}
    request = request_of(
        endpoint_id,
        body,
        given,
        advanced=advanced,
        extra=extra,
        rollback=flag(rollback, "rollback"),
        previous_model=text(previous_model, "previous_model", optional=True),
        previous_revision=text(previous_revision, "previous_revision", optional=True),
        timeout=limit,
        rollback_timeout=rollback_limit,
        serving=serves,
    )
    began = clock()

    def terms(stage: str, seconds_: float) -> Terms:
        def report(state: EndpointState, _elapsed: float) -> None:
            if progress is not None:
                progress(stage, state, clock() - began)

        return Terms.check(
            timeout=seconds_, poll=poll, wake=False, on_progress=report, clock=clock, random=random, serving=serves
        )

    return rollout_flow(request, team_id, terms)


# -- the flow ---------------------------------------------------------------------------------------
@attrs.define
class Settled:
    """How a wait for a version ended, and what its specification showed then."""

    state: EndpointState | None = None
    spec: EndpointSpec | None = None
    error: FriendliError | None = None
    mismatches: dict[str, tuple[Any, Any]] = attrs.field(factory=dict)

    @property
    def ok(self) -> bool:
        return self.error is None and not self.mismatches

    @property
    def mendable(self) -> bool:
        """Whether going back to the previous version may mend it: the version's own failure, its
        timeout (running but never answering included), its refusal to serve while it says RUNNING, or
        other values than asked (not a stopped or deleted endpoint, nor another error)."""
        return isinstance(self.error, EndpointFailedError | WaitTimeoutError | EndpointNotServingError) or (
            self.error is None and bool(self.mismatches)
        )


@attrs.define
class RolloutRun:
    """One rollout's bookkeeping, free of I/O: what it learned, and the result it makes."""

    request: RolloutRequest
    team_id: str | None
    previous: EndpointVersion | None = None
    new: EndpointVersion | None = None
    rollback_version: EndpointVersion | None = None
    tail: str | None = None
    """The cursor of the version history's last page read: where the next read resumes."""
    settled: Settled = attrs.field(factory=Settled)
    spec: EndpointSpec | None = None
    restored: dict[str, Any] = attrs.field(factory=dict)
    unrestored: tuple[str, ...] = ()

    def learned(self, settled: Settled) -> None:
        self.settled = settled
        self.spec = settled.spec or self.spec

    def result(
        self,
        outcome: str,
        *,
        error: FriendliError | None = None,
        rollback: Settled | None = None,
        rollback_error: FriendliError | None = None,
    ) -> Rollout:
        settled = self.settled
        requested = self.request.requested
        shown = spec_fields(settled.spec) if settled.spec is not None else {}
        unverified = tuple(field for field in requested if shown.get(field) is None)
        last = rollback if rollback is not None and (rollback.state or rollback.spec) else settled
        return Rollout(
            self.request.endpoint_id,
            outcome,
            requested=dict(requested),
            previous=self.previous,
            new=self.new,
            rollback_version=self.rollback_version,
            mismatches=dict(settled.mismatches),
            unverified=unverified,
            error=error if error is not None else settled.error,
            restored=dict(self.restored),
            unrestored=self.unrestored,
            rollback_error=rollback_error if rollback_error is not None else (rollback.error if rollback else None),
            rollback_mismatches=dict(rollback.mismatches) if rollback is not None else {},
            state=last.state or settled.state,
            spec=(rollback.spec if rollback is not None else None) or self.spec,
        )


def _history(
    endpoint_id: str, team_id: str | None, cursor: str | None
) -> Flow[tuple[EndpointVersion | None, str | None]]:
    """The newest version of the history from ``cursor`` on (None: the first page), and the cursor of
    its last page, where a later read resumes (one request, unless the history grew past a page)."""
    newest: EndpointVersion | None = None
    listing = flows.paginate(lambda at: calls.versions_page(endpoint_id, at, LISTING_LIMIT, team_id), cursor=cursor)
    step = next(listing)
    while True:
        try:
            if isinstance(step, Emit):
                newest = step.items[-1][1]
                step = next(listing)
            else:
                step = listing.send((yield step))
        except StopIteration as stop:
            return newest, stop.value


def _newest(run: RolloutRun, than: EndpointVersion | None) -> Flow[EndpointVersion | None]:
    """The version made since ``than`` (read from where the history was last read), if one shows."""
    try:
        newest, tail = yield from _history(run.request.endpoint_id, run.team_id, run.tail)
    except FriendliError:  # the version's id is for the report: not worth failing the rollout over
        return None
    run.tail = tail
    if newest is None or (than is not None and newest.version_id == than.version_id):
        return None
    return newest


def _at_rest(stopped: EndpointStoppedError) -> bool:
    """A version seen SLEEPING: it scaled to zero once it served, and rests (its specification still tells)."""
    return stopped.state is not None and stopped.state.status is Status.SLEEPING


def _wait(endpoint_id: str, team_id: str | None, terms: Terms) -> Flow[Settled]:
    """Wait until the version serves (with ``terms.serving``, until it answers a request too): how it
    ended (its state, or the error that ended the wait). A version that runs but never answers ends in
    the wait's timeout (its cause the last check's ``EndpointNotServingError``), one that refuses while
    it says RUNNING in that refusal: both are the version's own failure, which a rollback may mend."""
    requests_raised: list[FriendliError] = []
    try:
        wait = wait_flow(endpoint_id, team_id, terms)
        state = yield from flows.capped(wait, terms.request_deadline, requests_raised)
    except EndpointNotServingError as refused:  # RUNNING, yet it refuses to serve (a 400 to the check)
        return Settled(None, None, refused)
    except EndpointStoppedError as stopped:
        return Settled(stopped.state) if _at_rest(stopped) else Settled(stopped.state, None, stopped)
    except WaitError as ended:
        return Settled(ended.state, None, ended)
    except FriendliError as exc:
        if not any(exc is raised for raised in requests_raised):
            raise  # the caller's on_progress raised it: theirs, as it is (as in any wait)
        return Settled(None, None, exc)
    return Settled(state)


def waited_in(result: FleetResult, endpoint_id: str) -> Settled:
    """How a fleet wait (``wait_all``, as apply's) ended for one endpoint, as its rollout's own wait would say."""
    if endpoint_id in result.running:
        return Settled(result.running[endpoint_id])
    if endpoint_id in result.failed:
        failed = result.failed[endpoint_id]
        return Settled(failed.state, None, failed)
    if endpoint_id in result.stopped:
        stopped = result.stopped[endpoint_id]
        return Settled(stopped.state) if _at_rest(stopped) else Settled(stopped.state, None, stopped)
    state = result.timed_out.get(endpoint_id)
    seen = f"last seen {state.status}" if state is not None else "no status was read"
    timed_out = WaitTimeoutError(
        f"endpoint {endpoint_id} did not become RUNNING before the wait's deadline; {seen}",
        endpoint_id=endpoint_id,
        state=state,
    )
    return Settled(state, None, timed_out)


def served(run: RolloutRun, waited: Settled, terms: Terms) -> Flow[Settled]:
    """After a wait that ended at RUNNING without asking the endpoint (a fleet's, ``waited_in``): whether
    the new version answers too, when its request asks (``serving``). ``terms``, a serving wait's (what
    is left of that wait's deadline), poll its status and check it until it answers, as the rollout's
    own wait would have; any other end of the wait is left as it was."""
    state = waited.state
    if not run.request.serving or waited.error is not None or state is None:
        return waited
    if classify(state.status) is not Outcome.SUCCESS:  # SLEEPING: at rest, not probed
        return waited
    return (yield from _wait(run.request.endpoint_id, run.team_id, terms))


def _read_back(
    endpoint_id: str, team_id: str | None, waited: Settled, compared: tuple[tuple[str, Any], ...]
) -> Flow[Settled]:
    """Once the version serves (``waited``), its specification read back and compared with ``compared``."""
    if waited.error is not None:
        return waited
    try:
        spec: EndpointSpec = yield calls.spec(endpoint_id, team_id)
    except FriendliError as exc:
        return Settled(waited.state, None, exc)
    return Settled(waited.state, spec, None, differences(compared, spec_fields(spec)))


def rollout_flow(request: RolloutRequest, team_id: str | None, terms: WaitTerms) -> Flow[Rollout]:
    """The rollout of ``request`` (see the module); ``terms(stage, timeout)`` starts each wait's clock."""
    run = RolloutRun(request, team_id)
    ended = yield from begin_flow(run)
    if ended is not None:
        return ended
    waited = yield from _wait(request.endpoint_id, team_id, terms("rolling_out", request.timeout))
    return (yield from verify_flow(run, waited, terms))


def begin_flow(run: RolloutRun) -> Flow[Rollout | None]:
    """Steps 1 to 3: the history, the update, the new version. A ``Rollout`` when the rollout ends there
    (``not_updated``); None when the new version is to be waited for, then verified (``verify_flow``).
    (``begin_flow``, a wait, ``verify_flow``: ``rollout_flow``, or apply's, whose wait is a fleet's.)"""
    request, team_id = run.request, run.team_id
    endpoint_id = request.endpoint_id
    try:
        run.previous, run.tail = yield from _history(endpoint_id, team_id, None)
    except FriendliError as exc:
        return run.result("not_updated", error=exc)
    try:
        run.spec = yield from flows.update_flow(endpoint_id, team_id, request.body, request.advanced, request.extra)
    except FriendliError as exc:
        made = (yield from _newest(run, run.previous)) if doubt(exc) is not None else None
        if made is None:  # refused, or nothing shows that it was made
            return run.result("not_updated", error=exc)
        run.new = made
    else:
        run.new = yield from _newest(run, run.previous)
    return None


def verify_flow(run: RolloutRun, waited: Settled, terms: WaitTerms) -> Flow[Rollout]:
    """Steps 4 and 5, once the wait for the new version ended (``waited``: its own, or its part of a
    fleet's, ``waited_in``): read back and compare; roll back if that does not hold."""
    request, team_id = run.request, run.team_id
    endpoint_id = request.endpoint_id
    run.learned((yield from _read_back(endpoint_id, team_id, waited, request.compared)))
    if run.settled.ok:
        return run.result("rolled_out")
    if not request.rollback or run.previous is None or not run.settled.mendable:
        return run.result("not_rolled_back")
    try:
        body, compared = _restore(run)
    except FriendliError as exc:  # a previous value the contract refuses (it changed since)
        return run.result("rollback_failed", rollback_error=exc)
    try:
        run.spec = yield from flows.update_flow(endpoint_id, team_id, body, {}, None)
    except FriendliError as exc:
        return run.result("rollback_failed", rollback_error=exc)
    run.rollback_version = yield from _newest(run, run.new or run.previous)
    rolled_back = yield from _wait(endpoint_id, team_id, terms("rolling_back", request.rollback_timeout))
    rollback = yield from _read_back(endpoint_id, team_id, rolled_back, compared)
    return run.result("rolled_back" if rollback.ok else "rollback_failed", rollback=rollback)


def _restore(run: RolloutRun) -> tuple[DedicatedEndpointUpdateBody, tuple[tuple[str, Any], ...]]:
    """The rollback's update: the previous version's specification, as an update can send it (and the
    model and revision the caller knew); notes what it restores and what it cannot."""
    previous = run.previous
    assert previous is not None
    spec, request = previous.spec, run.request
    advanced: dict[str, Any] = {}
    for name in _SHOWN_ENGINE:
        value = getattr(spec, name)
        if value is None or isinstance(value, Unset):
            continue
        try:
            advanced[name] = engine.check({name: value})[name]
        except InvalidInputError:  # outside the pinned contract's bounds: left as it is
            continue
    body = update_body(
        name=spec.name if isinstance(spec.name, str) else None,
        model=request.previous_model,
        revision=request.previous_revision,
        instance=spec.instance,
        autoscaling=spec.autoscaling,
        comment=f"rollback to {previous.version_id}",
        advanced=advanced,
    )
    if advanced:
        body.advanced = engine.update_block(advanced, None, spec)
    restored, compared = _requested(body, advanced)
    covered = set(restored)
    if isinstance(body.instance_option_id, str):  # an instance sent back, listed or not
        covered |= {"gpu_type", "num_gpu", "instance_id"}
    if not isinstance(body.simplescale, Unset) or not isinstance(body.autoscaling_policy, Unset):
        covered |= {"autoscaling_min", "autoscaling_max", "autoscaling_cooldown"}  # a fixed count has no cooldown
    run.restored = restored
    run.unrestored = tuple(field for field in request.requested if field not in covered)
    return body, compared
