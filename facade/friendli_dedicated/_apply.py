"""Apply: carry out a plan, as a flow both clients drive, and keep the state record in step.

``apply_flow`` does, in order:

1. check the plan against the world: list its projects again and read the specifications of the
   endpoints it changes and of those listed since (``_planner.stale``); anything the plan relied on
   that moved is ``PlanStaleError``, before any change (a plan with nothing to change reads nothing);
2. make the changes as one ``Batch``, at most ``parallelism`` at once: creates go through the
   client's shared create machinery (its project views and listings, its 429 gate), updates send
   only the fields that change (``update_step``: when the apply waits, the beginning of a verified
   rollout, which reads the version history around the update), terminates follow the plan's
   listing of them; one failed endpoint does not stop the others;
3. write the state record (atomically) for what completed;
4. wait for the endpoints created or updated (``wait_all``, through their projects' listings);
5. end each update's rollout (``verify_step``, at most ``parallelism`` at once): an endpoint the
   wait saw RUNNING is asked whether it serves (its status polled and one tokenization sent until it
   answers, as ``wait_until_running(serving=True)`` does, within what is left of the wait's deadline);
   then its specification is read back, and it is rolled back if it failed, timed out, did not answer
   or shows other values; write the record again.

``_Run`` holds the decisions, free of I/O but for the record's file: what each job is, what each
outcome means for the endpoint's entry in the record and for the result. Whatever ends an apply (its
end, an error, Ctrl-C, a cancellation), the changes that completed are recorded, so a second apply
converges: an endpoint made by an interrupted one is adopted by name, never made twice.

``update_step`` is the one function an update goes through: a verified rollout (``_rollout``: update,
wait, read back, roll back) when the apply waits, whose wait is the apply's one fleet wait; the update
alone when it does not. What the record keeps of an update is what the endpoint runs after it: the
new values once sent (and rolled out, or not rolled back); the old ones after a rollback, but for the
fields the rollback could not send back (the model, when the record did not know the previous one);
after a failed rollback, the changed fields the specification does not show are forgotten, so that
the next plan says it does not know them.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Collection
from typing import Any

import attrs

from friendli_dedicated import _calls as calls, _engine as engine, _fleet, _flows as flows, _observe, _rollout
from friendli_dedicated._apply_result import AppliedAction, ApplyResult
from friendli_dedicated._bodies import create_body, update_body
from friendli_dedicated._diff import READABLE, RECORD_ONLY, applied_values
from friendli_dedicated._fleet import FleetResult
from friendli_dedicated._flows import Batch, Finished, Flow, Job
from friendli_dedicated._models import EndpointSpec, EndpointState, Status
from friendli_dedicated._plan import Plan, PlannedAction
from friendli_dedicated._planner import Observation, acted_on, current_scaling, observe, stale
from friendli_dedicated._rollout import RolloutRun, Settled, waited_in
from friendli_dedicated._rollout_result import Rollout
from friendli_dedicated._state import StateEntry, StateFile, StateRecord, now_text
from friendli_dedicated._waiter import Terms
from friendli_dedicated.errors import InvalidInputError, PlanStaleError
from friendli_dedicated_api.models import DedicatedEndpointCreateBody

__all__ = ["Seams", "apply_flow", "check_team", "update_step", "verify_step"]

MakeCreate = Callable[[DedicatedEndpointCreateBody, Collection[str]], tuple[Flow[Any], float]]
"""The client's create: its flow on the shared views, and its deadline (``_client_views._Views._create_flow``)."""
Progress = Callable[[AppliedAction], None]


@attrs.frozen
class Seams:
    """What the shells give an apply: the team, the client's create, the wait's terms, where a bare id
    is; and for the updates' rollouts (when it waits) each wait's terms, its timeout, and whether to
    roll back."""

    team_id: str | None
    make_create: MakeCreate
    wait_terms: Callable[[], Terms] | None
    locate: _fleet.Locate
    parallelism: int
    rollout_terms: _rollout.WaitTerms | None = None
    timeout: float = 1800.0
    rollback: bool = True


def update_step(
    endpoint_id: str, team_id: str | None, action: PlannedAction, current: EndpointSpec, seams: Seams
) -> Flow[RolloutRun | Rollout | EndpointSpec]:
    """Send the fields of ``action`` that change (``current`` is the specification just read): the API
    keeps every field it is not sent, and the engine options the contract requires in every block are
    sent with their current values. When the apply waits (``seams.rollout_terms``), as the beginning
    of a verified rollout (``_rollout.begin_flow``): its ``RolloutRun``, verified once the apply's wait
    ended (``verify_step``), or the ``Rollout`` if it ended already (not updated); else the update
    alone (the specification it answered with)."""
    body, given = _update_body(action, current)
    if seams.rollout_terms is None:
        updated: EndpointSpec = yield calls.update(endpoint_id, body, team_id)
        return updated
    request = _rollout.request_of(
        endpoint_id,
        body,
        given,
        advanced={},
        extra=None,
        rollback=seams.rollback,
        previous_model=_old(action, "model"),
        previous_revision=_old(action, "revision"),
        timeout=seams.timeout,
        rollback_timeout=seams.timeout,
    )
    run = RolloutRun(request, team_id)
    ended = yield from _rollout.begin_flow(run)
    return run if ended is None else ended


def verify_step(
    run: RolloutRun, waited: Settled, seams: Seams, fleet: Terms | None = None
) -> tuple[Flow[Rollout], None]:
    """The end of an update's rollout, once the apply's wait for it ended (``fleet``: its terms): check
    that it serves, read back, roll back (a job)."""
    assert seams.rollout_terms is not None
    return _verified(run, waited, seams.rollout_terms, fleet), None


def _verified(run: RolloutRun, waited: Settled, terms: _rollout.WaitTerms, fleet: Terms | None) -> Flow[Rollout]:
    if fleet is not None:  # the fleet's wait ends at RUNNING: whether it serves, within that wait's deadline
        waited = yield from _rollout.served(run, waited, terms("rolling_out", max(0.0, fleet.remaining())))
    return (yield from _rollout.verify_flow(run, waited, terms))


def _old(action: PlannedAction, field: str) -> str | None:
    """The value the plan knew ``field`` had (the record's), to send back on a rollback."""
    old = action.changes[field][0] if field in action.changes else None
    return old if isinstance(old, str) else None


def _update_body(action: PlannedAction, current: EndpointSpec) -> tuple[Any, dict[str, Any]]:
    """The update of ``action``'s changed fields, its engine block built; and the engine options it sets."""
    desired = action.desired
    assert desired is not None
    fields = [field for field in action.changes if field not in RECORD_ONLY]
    advanced = {
        f.removeprefix("engine."): desired.engine[f.removeprefix("engine.")] for f in fields if f.startswith("engine.")
    }
    scaling = (
        desired.scaling_for(current_scaling(current)) if any(f.startswith("autoscaling.") for f in fields) else None
    )
    body = update_body(
        name=None,
        model=desired.model if "model" in fields else None,
        revision=desired.revision if "revision" in fields else None,
        instance=desired.instance if "instance" in fields else None,
        autoscaling=scaling,
        comment=desired.comment,
        advanced=advanced,
    )
    if advanced:
        body.advanced = engine.update_block(advanced, None, current)
    return body, advanced


@attrs.define
class _Run:
    """One apply's bookkeeping: the plan, the record as read under the lock, each endpoint's outcome."""

    plan: Plan
    state_file: StateFile
    record: StateRecord
    on_progress: Progress | None
    team_id: str | None
    entries: dict[tuple[str, str], StateEntry] = attrs.field(factory=dict)
    outcomes: list[AppliedAction] = attrs.field(factory=list)
    fresh: dict[str, EndpointSpec] = attrs.field(factory=dict)
    job_of: list[int] = attrs.field(factory=list)
    """The index in the plan of each job of the batch."""
    waiting: dict[str, int] = attrs.field(factory=dict)
    """Endpoint id -> the index of its action, for the wait."""
    rolling: dict[str, tuple[int, RolloutRun]] = attrs.field(factory=dict)
    """Endpoint id -> (the index of its action, its rollout): the updates to verify after the wait."""
    prior: dict[tuple[str, str], StateEntry | None] = attrs.field(factory=dict)
    """The record's entries of those endpoints before their update (what a rollback goes back to)."""
    waited_for: dict[str, Settled] = attrs.field(factory=dict)
    """How the wait ended for each of them."""
    verify_of: list[int] = attrs.field(factory=list)
    """The index in the plan of each job of the verifications' batch."""
    fleet: Terms | None = None
    """The terms of the wait, once it started: its deadline is the serving checks' too."""

    @classmethod
    def begin(cls, plan: Plan, state_file: StateFile, on_progress: Progress | None, team_id: str | None) -> _Run:
        """Read the record (under the lock, which the shell holds) and set every endpoint's first outcome."""
        record = state_file.read(team_id)
        run = cls(plan, state_file, record, on_progress, team_id, entries=dict(record.entries))
        for action in plan.actions:
            outcome = {"noop": "unchanged", "error": "skipped"}.get(action.action, "not_started")
            run.outcomes.append(
                AppliedAction(
                    action.project_id,
                    action.name,
                    action.action,
                    action.endpoint_id,
                    outcome,
                    status=action.status,
                    error=action.reason if action.action == "error" else None,
                    changes=action.changes,
                )
            )
        return run

    @property
    def changing(self) -> bool:
        return any(action.action in ("create", "update", "terminate") for action in self.plan.actions)

    def verified(self, observation: Observation) -> None:
        """The plan still holds (``stale`` found nothing): keep the fresh specifications, record what
        needs no request (unchanged endpoints' managed fields, protection), forget what is gone."""
        self.fresh = observation.specs
        for action in self.plan.actions:
            if action.action == "noop" and action.desired is not None and action.endpoint_id is not None:
                self._record(action, action.endpoint_id)
        self._forget_gone(observation)

    def record_noops(self) -> None:
        """Without a check (nothing changes): record the unchanged endpoints' managed fields."""
        for action in self.plan.actions:
            if action.action == "noop" and action.desired is not None and action.endpoint_id is not None:
                self._record(action, action.endpoint_id)

    def _forget_gone(self, observation: Observation) -> None:
        wanted = {(a.project_id, a.name) for a in self.plan.actions if a.desired is not None}
        for (project, name), entry in list(self.entries.items()):
            live = observation.states.get(project)
            if live is not None and (project, name) not in wanted and entry.endpoint_id not in live:
                del self.entries[(project, name)]

    def _record(self, action: PlannedAction, endpoint_id: str) -> None:
        assert action.desired is not None
        key = (action.project_id, action.name)
        old = self.entries.get(key)
        same_endpoint = old is not None and old.endpoint_id == endpoint_id
        entry = StateEntry(
            endpoint_id=endpoint_id,
            applied=applied_values(action.desired),
            delete_protection=action.desired.delete_protection,
            created_at=old.created_at if same_endpoint and old is not None else now_text(),
            updated_at=now_text(),
        )
        if old is None or (old.endpoint_id, dict(old.applied), old.delete_protection) != (
            entry.endpoint_id,
            dict(entry.applied),
            entry.delete_protection,
        ):
            self.entries[key] = entry

    def jobs(self, seams: Seams) -> list[Job]:
        """The batch's jobs, every request body built (and checked) before the first is sent."""
        jobs: list[Job] = []
        for index, action in enumerate(self.plan.actions):
            job = self._job(action, seams)
            if job is not None:
                jobs.append(job)
                self.job_of.append(index)
            elif action.action == "update" and action.endpoint_id is not None:  # the record's fields only
                self._record(action, action.endpoint_id)
                self._set(index, "applied")
        return jobs

    def _job(self, action: PlannedAction, seams: Seams) -> Job | None:
        team = seams.team_id
        if action.action == "create" and action.desired is not None:
            desired = action.desired
            body = create_body(
                desired.project_id,
                desired.name,
                desired.model,
                desired.instance,
                autoscaling=desired.scaling_for(),
                revision=desired.revision,
                comment=desired.comment,
                advanced=desired.engine,
            )
            return Job(functools.partial(seams.make_create, body, tuple(desired.engine)))
        endpoint_id = action.endpoint_id
        if action.action == "terminate" and endpoint_id is not None:
            return Job(lambda: (flows.call_flow(calls.lifecycle("terminate", endpoint_id, team)), None))
        if action.action == "update" and endpoint_id is not None:
            if all(field in RECORD_ONLY for field in action.changes):
                return None
            current = self.fresh[endpoint_id]
            return Job(lambda: (update_step(endpoint_id, team, action, current, seams), None))
        return None

    def _set(self, index: int, outcome: str, *, status: str | None = None, error: str | None = None, **kw: Any) -> None:
        changed = attrs.evolve(self.outcomes[index], outcome=outcome, error=error, **kw)
        if status is not None:
            changed = attrs.evolve(changed, status=status)
        self.outcomes[index] = changed
        if self.on_progress is not None:
            self.on_progress(changed)

    def started(self, job: int) -> None:
        self._set(self.job_of[job], "in_flight")

    def interrupted(self, jobs: list[int]) -> None:
        """Ctrl-C or a cancellation: ``jobs`` are in flight (they stay so until they end, if they do);
        one reported as started that is not among them never ran."""
        in_flight = {self.job_of[job] for job in jobs}
        for index, outcome in enumerate(self.outcomes):
            if outcome.outcome == "in_flight" and index not in in_flight:
                self.outcomes[index] = attrs.evolve(outcome, outcome="not_started")

    def done(self, job: int, finished: Finished) -> None:
        """A change ended: its outcome, and its entry in the record."""
        index = self.job_of[job]
        action = self.plan.actions[index]
        if finished.error is not None:
            self._set(index, "failed", error=str(finished.error))
            return
        if action.action == "terminate":
            self.entries.pop((action.project_id, action.name), None)
            state: EndpointState | None = finished.value
            self._set(index, "done", status=state.status.value if state is not None else None)
            return
        if action.action == "create":
            created = finished.value
            endpoint_id, state = created.endpoint_id, created.state
            self._record(action, endpoint_id)
            self._set(index, "applied", endpoint_id=endpoint_id, status=state.status.value if state else None)
        else:
            assert action.endpoint_id is not None
            endpoint_id = action.endpoint_id
            if isinstance(finished.value, Rollout):  # it ended before the wait: not updated
                self._rolled(index, action, finished.value)
                return
            if isinstance(finished.value, RolloutRun):  # made: verified after the wait
                key = (action.project_id, action.name)
                self.prior[key] = self.entries.get(key)
                self.rolling[endpoint_id] = (index, finished.value)
            self._record(action, endpoint_id)  # what the endpoint runs now, until a rollback says otherwise
            self._set(index, "applied", status=Status.UPDATING.value)
        self.waiting[endpoint_id] = index

    def _rolled(self, index: int, action: PlannedAction, rollout: Rollout) -> None:
        """An update's rollout ended: the endpoint's outcome and its entry in the record (see the module)."""
        assert action.endpoint_id is not None
        status = _status(rollout.state)
        if rollout.outcome == "rolled_out":
            self._record(action, action.endpoint_id)
            self._set(index, "done", status=status, rollout=rollout)
            return
        if rollout.outcome == "not_updated":
            self._set(index, "failed", status=status, error=rollout.summary(), rollout=rollout)
            return
        if rollout.outcome == "not_rolled_back":
            self._record(action, action.endpoint_id)
        elif rollout.outcome == "rolled_back":
            self._keep(action, action.endpoint_id, now={_plan_field(field) for field in rollout.unrestored})
        else:  # rollback_failed
            self._keep(action, action.endpoint_id, unknown={f for f in action.changes if f not in READABLE})
        timed_out = rollout.outcome == "not_rolled_back" and rollout.failure == "timed_out"
        outcome = "rolled_back" if rollout.rolled_back else "timed_out" if timed_out else "failed"
        self._set(index, outcome, status=status, error=rollout.summary(), rollout=rollout)

    def _keep(
        self,
        action: PlannedAction,
        endpoint_id: str,
        *,
        now: Collection[str | None] = (),
        unknown: Collection[str] = (),
    ) -> None:
        """The record's entry after an update that did not roll out: as it was before the update, but
        for the fields the endpoint ``now`` has as the file says, and those no longer known (``unknown``)."""
        assert action.desired is not None
        key = (action.project_id, action.name)
        old = self.prior[key] if key in self.prior else self.entries.get(key)
        same = old is not None and old.endpoint_id == endpoint_id
        applied = dict(old.applied) if old is not None and same else {}
        wanted = applied_values(action.desired)
        applied.update((field, wanted[field]) for field in now if field is not None and field in wanted)
        for field in unknown:
            applied.pop(field, None)
        if old is not None and same and applied == dict(old.applied):
            self.entries[key] = old
            return
        if old is None and not applied:
            self.entries.pop(key, None)
            return
        self.entries[key] = StateEntry(
            endpoint_id=endpoint_id,
            applied=applied,
            delete_protection=action.desired.delete_protection,
            created_at=old.created_at if old is not None and same else now_text(),
            updated_at=now_text(),
        )

    def targets(self) -> list[Any]:
        """What the wait watches: each changed endpoint with its project (no read to learn it)."""
        return [_Target(i, self.plan.actions[n].project_id) for i, n in self.waiting.items()]

    def waited(self, finished: Finished) -> None:
        """The wait ended: each created endpoint's outcome; for each update, how its wait ended (its
        rollout then verifies it)."""
        if finished.error is not None:
            for endpoint_id, index in self.waiting.items():
                if endpoint_id in self.rolling:
                    self.waited_for[endpoint_id] = Settled(None, None, finished.error)
                else:
                    self._set(index, "failed", error=f"waiting failed: {finished.error}")
            return
        result: FleetResult = finished.value
        for endpoint_id, index in self.waiting.items():
            if endpoint_id in self.rolling:
                self.waited_for[endpoint_id] = waited_in(result, endpoint_id)
            elif endpoint_id in result.running:
                self._set(index, "done", status=result.running[endpoint_id].status.value)
            elif endpoint_id in result.failed:
                failure = result.failed[endpoint_id]
                self._set(index, "failed", status=_status(failure.state), error=str(failure))
            elif endpoint_id in result.stopped:
                stop = result.stopped[endpoint_id]
                asleep = stop.state is not None and stop.state.status is Status.SLEEPING  # scaled to zero: at rest
                self._set(
                    index,
                    "done" if asleep else "failed",
                    status=_status(stop.state),
                    error=None if asleep else str(stop),
                )
            else:
                self._set(index, "timed_out", status=_status(result.timed_out.get(endpoint_id)))

    def verifications(self, seams: Seams) -> list[Job]:
        """The jobs that end the updates' rollouts (read back, roll back), once the wait ended."""
        jobs: list[Job] = []
        for endpoint_id, (index, rollout) in self.rolling.items():
            waited = self.waited_for.get(endpoint_id)
            if waited is not None:
                jobs.append(Job(functools.partial(verify_step, rollout, waited, seams, self.fleet)))
                self.verify_of.append(index)
        return jobs

    def rolled(self, job: int, finished: Finished) -> None:
        """An update's rollout ended: its outcome, and its entry in the record."""
        index = self.verify_of[job]
        if finished.error is not None:
            self._set(index, "failed", error=str(finished.error))
        else:
            self._rolled(index, self.plan.actions[index], finished.value)

    def checkpoint(self) -> None:
        """Write the record if the entries changed since it was read (atomically)."""
        if self.entries != dict(self.record.entries):
            team = self.record.team_id if self.record.team_id is not None else self.team_id
            self.record = self.state_file.write(attrs.evolve(self.record, entries=dict(self.entries), team_id=team))

    def result(self, *, interrupted: bool = False) -> ApplyResult:
        return ApplyResult(tuple(self.outcomes), interrupted=interrupted)


@attrs.frozen
class _Target:
    id: str
    project_id: str


def _status(state: EndpointState | None) -> str | None:
    return None if state is None else state.status.value


def _plan_field(field: str) -> str | None:
    """A rollout's field (a specification's name, or the model's) as a plan names it; None for the name."""
    if field in ("model", "revision"):
        return field
    if field in ("gpu_type", "num_gpu", "instance_id"):
        return "instance"
    if field.startswith("autoscaling_"):
        return "autoscaling." + field.removeprefix("autoscaling_")
    return f"engine.{field}" if field in engine.OPTIONS else None


def _wait_job(targets: list[Any], seams: Seams, run: _Run) -> tuple[Flow[FleetResult], float]:
    assert seams.wait_terms is not None
    terms = run.fleet = seams.wait_terms()
    return _fleet.wait_all_flow(targets, seams.team_id, terms, seams.locate, report=False), terms.request_deadline


def apply_flow(run: _Run, seams: Seams) -> Flow[ApplyResult]:
    """Apply ``run.plan`` (see the module)."""
    plan = run.plan
    if run.changing:
        acted = acted_on(plan)
        listed = {project: set(ids) for project, ids in plan.listed.items()}
        observation = yield from observe(
            plan.projects, seams.team_id, seams.parallelism, read=lambda p, i: i in acted or i not in listed.get(p, ())
        )
        changes = stale(plan, run.record, observation)
        if changes:
            raise PlanStaleError(
                "the plan no longer matches what it was made against: plan again\n  " + "\n  ".join(changes),
                changes=tuple(changes),
            )
        run.verified(observation)
    else:
        run.record_noops()
    jobs = run.jobs(seams)
    if jobs:
        yield Batch(jobs, seams.parallelism, started=run.started, done=run.done, interrupted=run.interrupted)
    run.checkpoint()
    targets = run.targets()
    if seams.wait_terms is not None and targets:
        wait = Job(functools.partial(_wait_job, targets, seams, run))
        (finished,) = yield Batch([wait], 1, finish_on_interrupt=False)
        run.waited(finished)
    verifications = run.verifications(seams)
    if verifications:
        yield Batch(verifications, seams.parallelism, done=run.rolled)
        run.checkpoint()
    result = run.result()
    _observe.outcomes(**{outcome: count for outcome, count in result.counts().items() if count})
    return result


def check_team(plan: Plan, team_id: str | None) -> None:
    """A plan is applied by a client of the team it was made for."""
    if plan.team_id != team_id:
        raise InvalidInputError("plan", f"was made for team {plan.team_id!r}; this client acts as team {team_id!r}")
