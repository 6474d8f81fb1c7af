"""``client.plan``, ``client.apply`` and ``client.export``: endpoints as code, for both clients.

``Client`` and ``AsyncClient`` inherit these methods (``Declarative``, ``AsyncDeclarative``). Each
checks its arguments (nothing is sent when one is refused), then drives one flow (``_planner``,
``_apply``); the twins differ only in awaiting, and in what an interruption becomes: the sync
client's Ctrl-C an ``ApplyInterrupted`` carrying the result, the async client's cancellation itself.
Either way the state record holds the changes that completed before it propagates.

>>> import pathlib, tempfile
>>> state = pathlib.Path(tempfile.mkdtemp()) / "endpoints.state.json"
>>> desired = fd.Desired.from_mapping(
...     {"projects": {"proj": {"endpoints": {"chat": {"model": "org/model", "instance": "1x H100"}}}}})
>>> plan = client.plan(desired, state=state)
>>> client.apply(plan).ok, client.plan(desired, state=state).exit_code(detailed=True)
(True, 0)
"""

from __future__ import annotations

import asyncio
import os
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Any, cast

from friendli_dedicated import _observe, _planner, _waiter
from friendli_dedicated._apply import Seams, _Run, apply_flow, check_team
from friendli_dedicated._apply_result import AppliedAction, ApplyInterrupted, ApplyResult
from friendli_dedicated._desired import Desired
from friendli_dedicated._flows import Flow
from friendli_dedicated._plan import Plan
from friendli_dedicated._state import StateFile, StateRecord
from friendli_dedicated._validate import callback, flag, identifier
from friendli_dedicated.errors import InvalidInputError

if TYPE_CHECKING:
    from friendli_dedicated._client import AsyncClient, Client

__all__ = ["AsyncDeclarative", "Declarative"]

StatePath = StateFile | str | os.PathLike[str] | None
ApplyProgress = Callable[[AppliedAction], None]


def _desired(value: object) -> Desired:
    if not isinstance(value, Desired):
        raise InvalidInputError("desired", f"must be an fd.Desired (fd.Desired.load(path)), got {type(value).__name__}")
    return value


def _plan_flow(
    client: Client | AsyncClient, desired: object, state: object, prune: object, parallelism: object
) -> Flow[Plan]:
    checked = _desired(desired)
    pruning = flag(prune, "prune")
    most = _planner.checked_parallelism(parallelism)
    state_file = StateFile.coerce(state)  # type: ignore[arg-type] # checked by coerce
    record = state_file.read(client.team_id)
    path = os.fspath(state_file.path)
    return _planner.plan_flow(checked, record, client.team_id, prune=pruning, parallelism=most, state_path=path)


def _remember(client: Client | AsyncClient, plan: Plan) -> None:
    """The ids a plan listed keep their project, for a later ``wait_all`` on bare ids."""
    for project, ids in plan.listed.items():
        client._creates.remember(client.team_id, project, ids)


def _apply_start(
    client: Client | AsyncClient,
    plan: object,
    state: object,
    parallelism: object,
    wait: object,
    timeout: object,
    rollback: object,
    on_progress: object,
) -> tuple[Plan, StateFile, Seams, ApplyProgress | None]:
    if not isinstance(plan, Plan):
        raise InvalidInputError(
            "plan", f"must be an fd.Plan (client.plan(...) or fd.Plan.load(path)), got {type(plan).__name__}"
        )
    problem = plan.damage()
    if problem is not None:  # a Plan pieced together by hand: two creates of one name make two endpoints
        raise InvalidInputError("plan", f"cannot be applied: {problem}")
    check_team(plan, client.team_id)
    state_file = StateFile.coerce(state if state is not None else plan.state_path)  # type: ignore[arg-type]
    most = _planner.checked_parallelism(parallelism)
    waits = flag(wait, "wait")
    rolls_back = flag(rollback, "rollback")
    progress = callback(on_progress, "on_progress", arguments=1)
    sender = client._sender
    limit = _waiter.Terms.check(
        timeout=timeout, poll=None, wake=False, on_progress=None, clock=sender.clock, random=sender.random
    ).timeout
    if waits and limit == 0:  # every update would time out at once and be rolled back: changes sent for nothing
        raise InvalidInputError("timeout", "must be > 0 when the apply waits (wait=False does not wait), got 0")

    def terms() -> _waiter.Terms:  # the wait's deadline runs from its own start
        # Polled as one endpoint is (up to every 10 s, not a fleet's 2 s): an apply's endpoints deploy
        # together for minutes, and each poll reads every page of their projects until they serve.
        poll = _waiter.DEFAULT_POLL
        return _waiter.Terms.check(
            timeout=timeout, poll=poll, wake=False, on_progress=None, clock=sender.clock, random=sender.random
        )

    def rollout_terms(_stage: str, seconds: float) -> _waiter.Terms:  # each wait of a rollout, as one endpoint's
        # Until it answers (serving): a rollback's wait, and the check after the fleet's wait (verify_step).
        return _waiter.Terms.check(
            timeout=seconds,
            poll=None,
            wake=False,
            on_progress=None,
            clock=sender.clock,
            random=sender.random,
            serving=True,
        )

    def locate(endpoint_id: str) -> str | None:
        return client._creates.project_of(client.team_id, endpoint_id)

    def make_create(body: Any, given: Any) -> tuple[Flow[Any], float]:
        # Not exist_ok: the plan adopted what existed; one of the name made since is a stale plan.
        return client._creates._create_flow(client, body, client.team_id, given, False)

    seams = Seams(
        client.team_id,
        make_create,
        terms if waits else None,
        locate,
        most,
        rollout_terms=rollout_terms if waits else None,
        timeout=limit,
        rollback=rolls_back,
    )
    return plan, state_file, seams, progress


def _export_flow(
    client: Client | AsyncClient, project_ids: object, state: object, parallelism: object
) -> Flow[Desired]:
    if isinstance(project_ids, str):
        project_ids = [project_ids]
    if not isinstance(project_ids, Iterable):
        raise InvalidInputError(
            "project_ids", f"must be a project id or an iterable of them, got {type(project_ids).__name__}"
        )
    projects = list(dict.fromkeys(identifier(project, "project_ids") for project in project_ids))
    most = _planner.checked_parallelism(parallelism)
    record = StateFile.coerce(state).read(client.team_id)  # type: ignore[arg-type]
    return _export(projects, client.team_id, most, record)


def _export(projects: list[str], team_id: str | None, parallelism: int, record: StateRecord) -> Flow[Desired]:
    observation = yield from _planner.observe(projects, team_id, parallelism)
    return _planner.export_desired(observation, record)


class Declarative:
    """``Client``'s ``plan``, ``apply`` and ``export`` (see the module)."""

    def plan(self, desired: Desired, *, state: StatePath = None, prune: bool = False, parallelism: int = 10) -> Plan:
        """What ``apply`` would do to bring the endpoints to ``desired``: a ``Plan``; nothing is changed.

        Lists each project of the file and reads the specification of each of its endpoints (at most
        ``parallelism`` requests at once): about 1.01 requests per endpoint. ``state`` is the state
        record (an ``fd.StateFile`` or a path; default ``friendli-dedicated.state.json``), which says
        what was last applied (the model and revision, which the API cannot read back). With
        ``prune``, the endpoints of the file's projects that it does not name are to be terminated
        (except those with ``delete_protection`` in the record).

        >>> import pathlib, tempfile
        >>> state = pathlib.Path(tempfile.mkdtemp()) / "endpoints.state.json"
        >>> desired = fd.Desired.from_mapping({"projects": {"planned": {"endpoints": {
        ...     "chat": {"model": "org/model", "instance": "1x H100", "engine": {"max_batch_size": 64}}}}}})
        >>> print(client.plan(desired, state=state).render())
        project planned:
          + chat: create
              instance: "1x H100"
              model: "org/model"
              engine.max_batch_size: 64
        Plan: 1 to create, 0 to update, 0 to terminate, 0 unchanged, 0 errors.
        <BLANKLINE>
        """
        client = cast("Client", self)
        plan = client._drive(_plan_flow(client, desired, state, prune, parallelism))
        _remember(client, plan)
        return plan

    def apply(
        self,
        plan: Plan,
        *,
        state: StatePath = None,
        parallelism: int = 10,
        wait: bool = True,
        timeout: float = 1800.0,
        rollback: bool = True,
        on_progress: ApplyProgress | None = None,
    ) -> ApplyResult:
        """Carry out ``plan``; an ``ApplyResult`` says what was done to each endpoint and how it ended.

        Holds the state record's lock throughout (``StateLockedError`` at once if another apply
        holds it; ``state`` defaults to the record the plan read), refuses a plan the world moved
        away from (``PlanStaleError``), makes at most ``parallelism`` changes at once (one that
        fails does not stop the others), records what completed, and with ``wait`` waits up to
        ``timeout`` seconds (more than 0) for the endpoints created or updated to serve (``wait_all``, polling
        from 1 s up to every 10 s). With ``wait``, each update is a verified rollout
        (``Endpoints.rollout``), whose wait is that one: then its specification is read back, and a
        new version that failed, timed out or shows other values is rolled back to the previous
        version's specification (given ``timeout`` seconds too), unless ``rollback=False``. Its
        ``AppliedAction`` is then ``done``, ``rolled_back``, ``failed`` or ``timed_out``, with the
        ``rollout``; anything but ``done`` makes the result not ``ok`` (exit 1).
        ``on_progress(action)`` is called with each endpoint's ``AppliedAction`` as it changes.
        Ctrl-C starts nothing more, lets what is in flight end (a rollback included; a second Ctrl-C
        stops waiting), records it, and raises ``ApplyInterrupted`` (a ``KeyboardInterrupt``) with
        the result; another apply converges.

        >>> import pathlib, tempfile
        >>> state = pathlib.Path(tempfile.mkdtemp()) / "endpoints.state.json"
        >>> desired = fd.Desired.from_mapping(
        ...     {"projects": {"applied": {"endpoints": {"chat": {"model": "org/model", "instance": "1x H100"}}}}})
        >>> result = client.apply(client.plan(desired, state=state))
        >>> [(action.name, action.action, action.outcome, action.status) for action in result.actions]
        [('chat', 'create', 'done', 'RUNNING')]
        """
        client = cast("Client", self)
        checked, state_file, seams, progress = _apply_start(
            client, plan, state, parallelism, wait, timeout, rollback, on_progress
        )
        with state_file.lock():
            run = _Run.begin(checked, state_file, progress, client.team_id)
            try:
                return client._drive(apply_flow(run, seams))
            except KeyboardInterrupt as interrupt:
                run.checkpoint()
                raise ApplyInterrupted(run.result(interrupted=True)) from interrupt
            except BaseException:
                run.checkpoint()
                raise

    def export(self, project_ids: str | Iterable[str], *, state: StatePath = None, parallelism: int = 10) -> Desired:
        """A desired state of what exists in ``project_ids``, to adopt those endpoints in one step.

        Each endpoint's instance, autoscaling and the engine options its specification reports are
        read; the model and revision come from the state record where it knows them, else the model
        is null (unknown: the API cannot say it). Two endpoints of one name are left out, with a
        warning. ``desired.dump("endpoints.yaml")`` writes the file.

        >>> import pathlib, tempfile
        >>> ep = client.endpoints.create("exported", "chat", "org/model", "2x H100", max_batch_size=64)
        >>> state = pathlib.Path(tempfile.mkdtemp()) / "endpoints.state.json"
        >>> client.export("exported", state=state).to_mapping()["projects"]["exported"]["endpoints"]["chat"]
        {'model': None, 'instance': '2x H100', 'autoscaling': {'min': 1, 'max': 1, 'cooldown': 0}, 'engine': {...}}
        """
        client = cast("Client", self)
        return client._drive(_export_flow(client, project_ids, state, parallelism))


class AsyncDeclarative:
    """``AsyncClient``'s ``plan``, ``apply`` and ``export``: those of ``Client``, awaited."""

    async def plan(
        self, desired: Desired, *, state: StatePath = None, prune: bool = False, parallelism: int = 10
    ) -> Plan:
        """See ``Client.plan``."""
        client = cast("AsyncClient", self)
        plan = await client._drive(_plan_flow(client, desired, state, prune, parallelism))
        _remember(client, plan)
        return plan

    async def apply(
        self,
        plan: Plan,
        *,
        state: StatePath = None,
        parallelism: int = 10,
        wait: bool = True,
        timeout: float = 1800.0,
        rollback: bool = True,
        on_progress: ApplyProgress | None = None,
    ) -> ApplyResult:
        """See ``Client.apply``. A cancellation of the task is re-raised as it is (with the result's
        summary as a note), once the state record holds what completed; Ctrl-C, if it reaches this
        coroutine, is ``ApplyInterrupted`` as in ``Client.apply``."""
        client = cast("AsyncClient", self)
        checked, state_file, seams, progress = _apply_start(
            client, plan, state, parallelism, wait, timeout, rollback, on_progress
        )
        with state_file.lock():
            run = _Run.begin(checked, state_file, progress, client.team_id)
            try:
                return await client._drive(apply_flow(run, seams))
            except KeyboardInterrupt as interrupt:
                run.checkpoint()
                raise ApplyInterrupted(run.result(interrupted=True)) from interrupt
            except asyncio.CancelledError as cancelled:
                run.checkpoint()
                cancelled.add_note(f"apply interrupted: {run.result(interrupted=True).summary()}")
                raise
            except BaseException:
                run.checkpoint()
                raise

    async def export(
        self, project_ids: str | Iterable[str], *, state: StatePath = None, parallelism: int = 10
    ) -> Desired:
        """See ``Client.export``."""
        client = cast("AsyncClient", self)
        return await client._drive(_export_flow(client, project_ids, state, parallelism))


# Each is one call of the SDK's telemetry and logs (``friendli.plan``, ``friendli.apply``,
# ``friendli.export``): the requests of its listings, creates, updates and waits are its children.
_observe.instrument(Declarative, "friendli", of_client=True)
_observe.instrument(AsyncDeclarative, "friendli", of_client=True)
