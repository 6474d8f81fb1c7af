"""Planning, as flows both clients drive: read what exists, then decide (free of I/O) what to do about it.

``observe`` lists each project of the file (100 endpoints per request) and reads the specification of
every live endpoint there (its name is only in it), at most ``parallelism`` at once (a ``Batch``): one
listing page per hundred endpoints and one read each, so a plan of 1,000 unchanged endpoints costs
about 1.01 requests per endpoint. ``decide`` matches endpoints by project and name (an endpoint that
exists is adopted, never duplicated; two of one name stop that endpoint's plan), and compares each
with ``_diff``. ``stale`` says what changed since a saved plan (``apply`` reads only what it acts on
and what is new), and ``export_desired`` turns what exists into a desired state.

Endpoints that are TERMINATED or TERMINATING are not there for a plan: a name whose endpoint was
terminated is created again.
"""

from __future__ import annotations

import functools
import warnings
from collections.abc import Callable, Iterable, Mapping
from typing import Any

import attrs

from friendli_dedicated import _calls as calls, _flows as flows
from friendli_dedicated._desired import Desired, DesiredEndpoint, in_file_words, instance_text
from friendli_dedicated._diff import READABLE, applied_values, compare, fingerprint, observed
from friendli_dedicated._flows import Batch, Flow, Job
from friendli_dedicated._models import EndpointSpec, EndpointState, Status
from friendli_dedicated._plan import FOREIGN, Plan, PlannedAction
from friendli_dedicated._state import StateRecord
from friendli_dedicated._validate import whole
from friendli_dedicated.errors import InvalidInputError, NotFoundError

__all__ = [
    "GONE",
    "Observation",
    "acted_on",
    "checked_parallelism",
    "current_scaling",
    "decide",
    "export_desired",
    "observe",
    "plan_flow",
    "stale",
]

GONE = frozenset({Status.TERMINATED, Status.TERMINATING})
"""Statuses of endpoints a plan does not count as there."""
MAX_PARALLELISM = 256


def checked_parallelism(value: object) -> int:
    """``parallelism``: how many requests (or changes) at once, 1 to 256."""
    return whole(value, "parallelism", minimum=1, maximum=MAX_PARALLELISM)


@attrs.frozen
class Observation:
    """What exists: per project, each live endpoint's listed state; the specifications read, by id."""

    states: dict[str, dict[str, EndpointState]]
    specs: dict[str, EndpointSpec]

    def names(self, project_id: str) -> dict[str, list[str]]:
        """Name -> the ids of the live endpoints of that name whose specification was read."""
        by_name: dict[str, list[str]] = {}
        for endpoint_id in sorted(self.states.get(project_id, {})):
            spec = self.specs.get(endpoint_id)
            if spec is not None:
                by_name.setdefault(spec.name, []).append(endpoint_id)
        return by_name


def _spec_job(endpoint_id: str, team_id: str | None) -> tuple[Flow[EndpointSpec], None]:
    return flows.call_flow(calls.spec(endpoint_id, team_id)), None


def observe(
    project_ids: Iterable[str],
    team_id: str | None,
    parallelism: int,
    read: Callable[[str, str], bool] | None = None,
) -> Flow[Observation]:
    """List the projects, then read the specifications of their live endpoints (those ``read(project,
    id)`` picks; all by default), ``parallelism`` at once. An endpoint deleted meanwhile is not there."""
    states: dict[str, dict[str, EndpointState]] = {}
    for project in project_ids:
        listing = yield from flows.collect(project, team_id)
        states[project] = {i: state for i, state in listing.states.items() if state.status not in GONE}
    wanted = [(p, i) for p, listed in states.items() for i in listed if read is None or read(p, i)]
    jobs = [Job(functools.partial(_spec_job, endpoint_id, team_id)) for _, endpoint_id in wanted]
    finished: list[flows.Finished] = (yield Batch(jobs, parallelism)) if jobs else []
    specs: dict[str, EndpointSpec] = {}
    for (project, endpoint_id), outcome in zip(wanted, finished, strict=True):
        if outcome.error is None:
            specs[endpoint_id] = outcome.value
        elif isinstance(outcome.error, NotFoundError):
            states[project].pop(endpoint_id, None)
        else:
            raise outcome.error
    return Observation(states, specs)


def plan_flow(
    desired: Desired,
    record: StateRecord,
    team_id: str | None,
    *,
    prune: bool,
    parallelism: int,
    state_path: str | None,
) -> Flow[Plan]:
    """Observe the file's projects and decide (see the module)."""
    observation = yield from observe(desired.projects, team_id, parallelism)
    return decide(desired, record, observation, prune=prune, team_id=team_id, state_path=state_path)


def decide(
    desired: Desired,
    record: StateRecord,
    observation: Observation,
    *,
    prune: bool,
    team_id: str | None,
    state_path: str | None,
) -> Plan:
    """The plan for ``desired`` given what exists and what the record says (no I/O)."""
    actions: list[PlannedAction] = []
    unmanaged: list[PlannedAction] = []
    for project, wanted in desired.projects.items():
        by_name = observation.names(project)
        claimed: set[str] = set()  # renamed outside the file: its error says so; never pruned
        for name, endpoint in wanted.items():
            renamed = _renamed(endpoint, by_name, record, observation, wanted)
            if renamed is not None:
                claimed.add(renamed.endpoint_id or "")
                actions.append(renamed)
                continue
            actions.append(_one(endpoint, by_name.get(name, []), record, observation))
        for name, ids in sorted(by_name.items()):
            if name in wanted:
                continue
            entry = record.get(project, name)
            for endpoint_id in (i for i in ids if i not in claimed):
                status = observation.states[project][endpoint_id].status.value
                if not prune:
                    was = entry is not None and entry.endpoint_id == endpoint_id
                    reason = "no longer in the file: left alone (prune terminates it)" if was else FOREIGN
                    unmanaged.append(
                        PlannedAction(project, name, "unmanaged", endpoint_id, status=status, reason=reason)
                    )
                elif entry is not None and entry.delete_protection:
                    reason = (
                        "not in the file, but delete_protection is set in the state record: not terminated "
                        "(put it back in the file with delete_protection: false and apply, to allow it)"
                    )
                    actions.append(PlannedAction(project, name, "error", endpoint_id, status=status, reason=reason))
                else:
                    spec = observation.specs[endpoint_id]
                    actions.append(
                        PlannedAction(
                            project, name, "terminate", endpoint_id, status=status, fingerprint=fingerprint(spec)
                        )
                    )
    listed = {project: tuple(sorted(observation.states.get(project, {}))) for project in desired.projects}
    return Plan(
        actions=tuple(actions),
        projects=tuple(desired.projects),
        prune=prune,
        team_id=team_id,
        state_path=state_path,
        state=record.fingerprint(),
        listed=listed,
        unmanaged=tuple(unmanaged),
    )


def _renamed(
    endpoint: DesiredEndpoint,
    by_name: dict[str, list[str]],
    record: StateRecord,
    observation: Observation,
    wanted: Mapping[str, DesiredEndpoint],
) -> PlannedAction | None:
    """An ``error`` when the endpoint the record knows for ``endpoint`` is live under a name the file
    does not name (renamed outside it), and none has its name: creating one would run a second
    endpoint beside it, and prune would terminate the first. None otherwise."""
    project, name = endpoint.project_id, endpoint.name
    entry = record.get(project, name)
    if entry is None or by_name.get(name):
        return None
    spec = observation.specs.get(entry.endpoint_id)
    if spec is None or entry.endpoint_id not in observation.states.get(project, {}):
        return None
    if spec.name == name or spec.name in wanted:  # the file names it as it is now: adopted by that name
        return None
    status = observation.states[project][entry.endpoint_id].status.value
    reason = (
        f"the recorded endpoint {entry.endpoint_id} is live, renamed {spec.name!r} outside the file: rename it "
        f"back to {name!r} (or name it {spec.name!r} in the file), or terminate it, then plan again"
    )
    return PlannedAction(project, name, "error", entry.endpoint_id, status=status, reason=reason, desired=endpoint)


def _one(endpoint: DesiredEndpoint, ids: list[str], record: StateRecord, observation: Observation) -> PlannedAction:
    project, name = endpoint.project_id, endpoint.name
    entry = record.get(project, name)
    if len(ids) > 1:
        reason = (
            f"{len(ids)} endpoints are named {name!r} here ({', '.join(ids)}): rename or delete one, then plan again"
        )
        return PlannedAction(project, name, "error", reason=reason, desired=endpoint)
    if not ids:
        if endpoint.model is None:
            reason = "model is null (unknown) in the file, and creating the endpoint needs it"
            return PlannedAction(project, name, "error", reason=reason, desired=endpoint)
        changes = {field: (None, value) for field, value in applied_values(endpoint).items()}
        gone = f"the recorded endpoint {entry.endpoint_id} no longer exists" if entry is not None else None
        return PlannedAction(project, name, "create", changes=changes, reason=gone, desired=endpoint)
    endpoint_id = ids[0]
    spec = observation.specs[endpoint_id]
    status = observation.states[project][endpoint_id].status.value
    comparison = compare(endpoint, spec, entry if entry is not None and entry.endpoint_id == endpoint_id else None)
    if any(field.startswith("autoscaling.") for field in comparison.changes):
        try:
            endpoint.scaling_for(current_scaling(spec))
        except InvalidInputError as error:
            words = in_file_words(error.message)
            reason = f"autoscaling: the file's values with the endpoint's others are not valid: {words}"
            return PlannedAction(project, name, "error", endpoint_id, status=status, reason=reason, desired=endpoint)
    return PlannedAction(
        project,
        name,
        "update" if comparison.changes else "noop",
        endpoint_id,
        changes=comparison.changes,
        unknown=comparison.unknown,
        released=comparison.released,
        status=status,
        desired=endpoint,
        fingerprint=fingerprint(spec),
    )


def current_scaling(spec: EndpointSpec) -> dict[str, int]:
    """An endpoint's autoscaling as the file's keys (``min``, ``max``, ``cooldown``)."""
    return {"min": spec.autoscaling_min, "max": spec.autoscaling_max, "cooldown": spec.autoscaling_cooldown}


def acted_on(plan: Plan) -> dict[str, PlannedAction]:
    """The actions of ``plan`` on existing endpoints that change them, by endpoint id."""
    return {a.endpoint_id: a for a in plan.actions if a.endpoint_id is not None and a.action in ("update", "terminate")}


def stale(plan: Plan, record: StateRecord, observation: Observation) -> list[str]:
    """What changed since ``plan`` was made, one line each (empty: nothing it relies on). ``observation``
    must hold the specifications of the endpoints it acts on and of those listed since."""
    changed: list[str] = []
    if record.fingerprint() != dict(plan.state):
        before, now = plan.state.get("serial"), record.serial
        changed.append(f"the state record changed (serial {before} -> {now}: another apply ran)")
    for action in plan.actions:
        where = f"{action.project_id}/{action.name}"
        live = observation.states.get(action.project_id, {})
        if action.action == "create":
            taken = observation.names(action.project_id).get(action.name, [])
            if taken:
                changed.append(f"{where}: an endpoint of that name exists now ({', '.join(taken)})")
        elif action.action in ("update", "terminate") and action.endpoint_id is not None:
            spec = observation.specs.get(action.endpoint_id)
            if action.endpoint_id not in live or spec is None:
                changed.append(f"{where}: {action.endpoint_id} no longer exists")
            elif fingerprint(spec) != action.fingerprint:
                changed.append(f"{where}: the specification of {action.endpoint_id} changed since the plan")
    return changed


def export_desired(observation: Observation, record: StateRecord) -> Desired:
    """A desired state of what exists (see ``Client.export``): one endpoint per live name, the model and
    the revision from the record where it knows them (else ``model: null``), readable fields as they are."""
    projects: dict[str, dict[str, Any]] = {}
    for project in observation.states:
        endpoints: dict[str, Any] = {}
        for name, ids in sorted(observation.names(project).items()):
            if len(ids) > 1:
                warnings.warn(
                    f"{project}: {len(ids)} endpoints are named {name!r} ({', '.join(ids)}): none is exported",
                    stacklevel=4,
                )
                continue
            entry = record.get(project, name)
            known = entry.applied if entry is not None and entry.endpoint_id == ids[0] else {}
            mapping = _exported(observation.specs[ids[0]], known, entry.delete_protection if known and entry else False)
            try:
                Desired.from_mapping({"projects": {project: {"endpoints": {name: mapping}}}})
            except InvalidInputError as error:
                warnings.warn(f"{project}/{name} ({ids[0]}) is not exported: {error}", stacklevel=4)
                continue
            endpoints[name] = mapping
        projects[project] = {"endpoints": endpoints}
    return Desired.from_mapping({"projects": projects})


def _exported(spec: EndpointSpec, known: Any, protected: bool) -> dict[str, Any]:
    option = spec.instance
    mapping: dict[str, Any] = {"model": known.get("model")}
    if "revision" in known:
        mapping["revision"] = known["revision"]
    mapping["instance"] = instance_text(option) if option is not None else spec.instance_id
    mapping["autoscaling"] = current_scaling(spec)
    engine = {f: v for f, v in _readable_engine(spec).items() if v is not None}
    engine.update(
        (field.removeprefix("engine."), value)
        for field, value in known.items()
        if field.startswith("engine.") and field not in READABLE
    )
    if engine:
        mapping["engine"] = engine
    if protected:
        mapping["delete_protection"] = True
    return mapping


def _readable_engine(spec: EndpointSpec) -> dict[str, Any]:
    return {field.removeprefix("engine."): v for field, v in observed(spec).items() if field.startswith("engine.")}
