"""The operations of the API, on endpoints kept in memory: what an admitted request does.

The endpoints' own operations are here; the inference surface of the endpoints it runs is
``_inference``'s, and the team's cost ``_cost``'s, on the same state.

A request reaches ``Operations.perform`` only once ``_admission`` let it through: its token, team,
route, size, parameters and body are all already checked against the contract. What is left is
the API's own rules: an unknown instance option or cursor (422), an endpoint of another team or of
none (404), an action its status does not allow (400), and the state each operation changes. An
endpoint's lifecycle is planned when it starts (``_lifecycle``) and read at any moment later, so no
timer runs here.

>>> from friendli_dedicated.emulator._contract import load_contract
>>> from friendli_dedicated.emulator._faults import Stats
>>> from friendli_dedicated.emulator._lifecycle import Timings
>>> operations = Operations(load_contract(), timings=Timings(), time_scale=1.0, expose_endpoint_id=False,
...                         salt=b"salt", stats=Stats())
>>> answer = operations.perform("dedicatedGetEndpoint", Context("team", "user", 0.0, {}, None), "ep-1")
>>> answer.status, answer.json()
(404, {'detail': "Endpoint 'ep-1' not found"})
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterator, Mapping
from typing import Any

import attrs

from friendli_dedicated._validate import shown
from friendli_dedicated.emulator import _lifecycle as life
from friendli_dedicated.emulator._contract import Contract
from friendli_dedicated.emulator._cost import Costs
from friendli_dedicated.emulator._faults import Stats
from friendli_dedicated.emulator._http import Response
from friendli_dedicated.emulator._inference import Inference
from friendli_dedicated.emulator._metering import Usage
from friendli_dedicated.emulator._pagination import CursorCodec, paginate
from friendli_dedicated.emulator._records import EndpointRecord, Scaling

__all__ = ["DEFAULT_PROJECT", "Context", "Operations"]

DEFAULT_PROJECT = "emulator-project"
"""Where a W&B create without ``projectId`` puts its endpoint."""


@attrs.frozen
class Context:
    """What an operation knows of its request: who asks (team, creator), when, and what (params, body)."""

    team: str
    creator: str
    now: float
    params: Mapping[str, Any]
    body: Any


class _Refused(Exception):
    """Raised inside an operation to answer with an error response."""

    def __init__(self, response: Response) -> None:
        super().__init__(response.status)
        self.response = response


def _bad_request(message: str) -> _Refused:
    return _Refused(Response.detail(400, message))


def _invalid(loc: list[str | int], message: str, kind: str = "value_error") -> _Refused:
    return _Refused(Response.invalid([{"loc": loc, "msg": message, "type": kind}]))


class Operations:
    """The endpoints of every team (``endpoints``, by id) and the operations on them. Not thread-safe:
    the emulator calls it under its lock.

    ``timings`` x ``time_scale`` is how long transitions take; ``salt`` makes endpoint ids and
    cursors this emulator's own; ``expose_endpoint_id`` adds ``endpointId`` to the create response.
    """

    def __init__(
        self,
        contract: Contract,
        *,
        timings: life.Timings,
        time_scale: float,
        expose_endpoint_id: bool,
        salt: bytes,
        stats: Stats,
    ) -> None:
        self.contract = contract
        self.timings = timings
        self.time_scale = time_scale
        self.expose_endpoint_id = expose_endpoint_id
        self.stats = stats
        self.endpoints: dict[str, EndpointRecord] = {}
        self.retired: dict[str, tuple[str, list[Usage]]] = {}
        """Deleted endpoints' GPU time (id -> team, usage): deleted, they still cost what they ran."""
        self._salt = salt
        self._cursors = CursorCodec(salt)
        self._idempotency: dict[tuple[str, str, str], str] = {}
        self._seq = 0
        self._options = {option_id: (gpu, count) for option_id, gpu, count in contract.instance_options}
        advanced = contract.schemas.get("EndpointAdvancedConfig", {})
        self._advanced_keys = frozenset(advanced.get("properties", {}))
        self._handlers: dict[str, Callable[[Context, str | None], Response]] = {
            "dedicatedCreateEndpoint": self._create,
            "dedicatedListEndpoints": self._list,
            "dedicatedGetEndpoint": self._get,
            "dedicatedUpdateEndpoint": self._update,
            "dedicatedDeleteEndpoint": self._delete,
            "dedicatedGetEndpointVersionHistory": self._versions,
            "dedicatedGetEndpointStatus": self._status,
            "dedicatedSleepEndpoint": self._sleep,
            "dedicatedWakeEndpoint": self._wake,
            "dedicatedTerminateEndpoint": self._terminate,
            "dedicatedRestartEndpoint": self._restart,
            "dedicatedEndpointWandbArtifactCreate": self._wandb_create,
            "getCost": Costs(self._cursors, self.usage).handle,
        }
        inference = Inference(endpoints=self.endpoints, wake=self._start_waking, cooldown=self._cooldown, salt=salt)
        self._handlers.update(inference.handlers)

    def perform(self, operation_id: str, context: Context, endpoint_id: str | None) -> Response:
        """The answer of operation ``operation_id`` (501 if it is not emulated) to an admitted request."""
        handler = self._handlers.get(operation_id)
        if handler is None:
            return Response.detail(501, f"{operation_id} is not emulated")
        try:
            return handler(context, endpoint_id)
        except _Refused as refused:
            return refused.response

    def usage(self, team: str, now: float) -> Iterator[tuple[str, Usage]]:
        """(endpoint id, usage) of every GPU time of ``team``'s endpoints up to ``now``, deleted ones too."""
        for endpoint_id, (owner, usages) in self.retired.items():
            if owner == team:
                yield from ((endpoint_id, usage) for usage in usages)
        for record in self.endpoints.values():
            if record.team == team:
                yield from ((record.endpoint_id, usage) for usage in record.usage(now))

    # -- what the operations share ----------------------------------------------------------------
    def _next_seq(self) -> int:
        self._seq += 1
        return self._seq

    def _find(self, context: Context, endpoint_id: str | None) -> EndpointRecord:
        record = self.endpoints.get(endpoint_id or "")
        if record is None or record.team != context.team:  # another team's endpoint is not there at all
            raise _Refused(Response.detail(404, f"Endpoint {shown(endpoint_id or '')} not found"))
        return record

    def _failure(self, model: str, loc: list[str | int]) -> str | None:
        if not model.startswith(life.FAIL_PREFIX):
            return None
        code = model[len(life.FAIL_PREFIX) :]
        if code not in self.contract.error_codes:
            raise _invalid(
                loc, f"Value error, {model!r} asks for a failure, but {code!r} is not an InferenceDeploymentErrorCode"
            )
        return code

    def _option(self, option_id: str, loc: list[str | int]) -> tuple[str, int]:
        option = self._options.get(option_id)
        if option is None:
            raise _invalid(loc, f"Value error, unknown instance option id {option_id!r} (see x-instance-options)")
        return option

    def _scaling(self, body: Mapping[str, Any], default: Scaling | None) -> Scaling | None:
        simple, policy = body.get("simplescale"), body.get("autoscalingPolicy")
        if simple is not None and policy is not None:
            raise _invalid(["body"], "Value error, simplescale and autoscalingPolicy are mutually exclusive")
        if simple is not None:
            return Scaling.fixed(int(simple["replicas"]))
        if policy is not None:
            scaling = Scaling.policy(policy)
            if scaling.minimum > scaling.maximum:
                raise _invalid(
                    ["body", "autoscalingPolicy"],
                    f"Value error, minReplica ({scaling.minimum}) is greater than maxReplica ({scaling.maximum})",
                )
            return scaling
        return default

    def _advanced(self, given: Mapping[str, Any] | None) -> dict[str, Any]:
        # Only the engine options the contract knows are kept: nothing else is ever shown again.
        return {key: value for key, value in (given or {}).items() if key in self._advanced_keys}

    def _cooldown(self, record: EndpointRecord) -> float | None:
        return record.scaling.cooldown * self.time_scale if record.scaling.scales_to_zero else None

    def _plan(self, record: EndpointRecord, plan: list[life.Segment], now: float) -> None:
        """Make ``plan`` (a transition toward RUNNING starting now) the endpoint's future: with its
        cooldown, and ending FAILED if a failure was armed (``fail``), which it then uses up."""
        plan = life.with_cooldown(plan, self._cooldown(record))
        if record.armed_failure is not None:
            error_code, phase = record.armed_failure
            failed = life.fail_transition(plan, now, error_code, phase, fresh=True)
            if failed is not None:
                plan, record.armed_failure = failed, None
        record.replan(now, plan)

    def _start_waking(self, record: EndpointRecord, now: float) -> None:
        """AWAKING now, then RUNNING (or FAILED, if a failure was armed): a wake, asked for or by a request."""
        plan = life.transition(now, "AWAKING", self.timings.awaking * self.time_scale, "RUNNING")
        self._plan(record, plan, now)

    def _deploy(self, record: EndpointRecord, now: float) -> None:
        plan = life.deploy(now, self.timings, self.time_scale, failure=self._failure(record.model, ["body"]))
        self._plan(record, plan, now)

    def _roll_out(self, record: EndpointRecord, now: float) -> None:
        failure = self._failure(record.model, ["body"])
        plan = life.transition(now, "UPDATING", self.timings.updating * self.time_scale, "RUNNING", failure=failure)
        self._plan(record, plan, now)

    def _page(
        self, scope: str, items: list[tuple[int, Any]], params: Mapping[str, Any]
    ) -> tuple[list[Any], str | None]:
        limit = params.get("limit") or 20
        cursor = params.get("cursor")
        start = 0
        if cursor:
            position = self._cursors.decode(scope, str(cursor))
            if position is None:
                raise _invalid(["query", "cursor"], "Value error, invalid cursor (pass back a nextCursor unchanged)")
            start = position
        page, following = paginate(items, start, int(limit))
        return page, (None if following is None else self._cursors.encode(scope, following))

    # -- the operations ---------------------------------------------------------------------------
    def _create(self, context: Context, _endpoint_id: str | None) -> Response:
        body: dict[str, Any] = context.body
        gpu, count = self._option(body["instanceOptionId"], ["body", "instanceOptionId"])
        self._failure(body["hfModelRepo"], ["body", "hfModelRepo"])
        scaling = self._scaling(body, Scaling.fixed(1))
        assert scaling is not None
        record = self._new_record(
            context,
            project=body["projectId"],
            name=body["name"],
            option=body["instanceOptionId"],
            gpu=gpu,
            count=count,
            model=body["hfModelRepo"],
            revision=body.get("hfModelRepoRevision"),
            scaling=scaling,
            advanced=self._advanced(body.get("advanced")),
            comment=body.get("initialVersionComment"),
        )
        status = record.status_json(context.now)
        if self.expose_endpoint_id:
            status["endpointId"] = record.endpoint_id
        return Response.json_body(200, status)

    def _new_record(
        self,
        context: Context,
        *,
        project: str,
        name: str,
        option: str,
        gpu: str,
        count: int,
        model: str,
        revision: str | None,
        scaling: Scaling,
        advanced: dict[str, Any],
        comment: str | None,
    ) -> EndpointRecord:
        seq = self._next_seq()
        endpoint_id = "ep-" + hashlib.sha256(self._salt + seq.to_bytes(8, "big")).hexdigest()[:12]
        record = EndpointRecord(
            endpoint_id=endpoint_id,
            seq=seq,
            team=context.team,
            creator=context.creator,
            created_at=context.now,
            project=project,
            name=name,
            instance_option=option,
            gpu=gpu,
            num_gpu=count,
            model=model,
            revision=revision,
            scaling=scaling,
            advanced=advanced,
            timeline=[],
        )
        self._deploy(record, context.now)
        record.add_version(self._next_seq(), comment)
        self.endpoints[endpoint_id] = record
        self.stats.count_create((context.team, project, name))
        return record

    def _list(self, context: Context, _endpoint_id: str | None) -> Response:
        project = context.params.get("project_id") or ""
        scope = f"list\0{context.team}\0{project}"
        items = [
            (record.seq, record)
            for record in self.endpoints.values()
            if record.team == context.team and (not project or record.project == project)
        ]
        page, following = self._page(scope, items, context.params)
        data = {record.endpoint_id: record.status_json(context.now) for record in page}
        return Response.json_body(200, {"data": data, "nextCursor": following})

    def _get(self, context: Context, endpoint_id: str | None) -> Response:
        record = self._find(context, endpoint_id)
        return Response.json_body(200, record.spec_json(context.now))

    def _status(self, context: Context, endpoint_id: str | None) -> Response:
        record = self._find(context, endpoint_id)
        return Response.json_body(200, record.status_json(context.now))

    def _update(self, context: Context, endpoint_id: str | None) -> Response:
        record = self._find(context, endpoint_id)
        body: dict[str, Any] = context.body
        status = record.current(context.now).status
        if status in ("TERMINATING", "TERMINATED"):
            raise _bad_request(f"Endpoint {record.endpoint_id!r} is {status}; restart it before updating it")
        option = body.get("instanceOptionId")
        gpu_count = None if option is None else self._option(option, ["body", "instanceOptionId"])
        model = body.get("hfModelRepo")
        if model is not None:
            self._failure(model, ["body", "hfModelRepo"])
        scaling = self._scaling(body, record.scaling)
        assert scaling is not None
        record.settle(context.now)  # billed as it ran until now; from now on, as it is changed to
        if body.get("name") is not None:
            record.name = body["name"]
        if option is not None and gpu_count is not None:
            record.instance_option, (record.gpu, record.num_gpu) = option, gpu_count
        if model is not None:
            record.model = model
        if body.get("hfModelRepoRevision") is not None:
            record.revision = body["hfModelRepoRevision"]
        if body.get("advanced") is not None:
            record.advanced = {**record.advanced, **self._advanced(body["advanced"])}
        record.scaling = scaling
        self._roll_out(record, context.now)
        record.add_version(self._next_seq(), body.get("newVersionComment"))
        return Response.json_body(200, record.spec_json(context.now))

    def _delete(self, context: Context, endpoint_id: str | None) -> Response:
        record = self._find(context, endpoint_id)
        record.settle(context.now)
        self.retired[record.endpoint_id] = (record.team, record.billed)
        del self.endpoints[record.endpoint_id]
        return Response.json_body(200, {})

    def _versions(self, context: Context, endpoint_id: str | None) -> Response:
        record = self._find(context, endpoint_id)
        scope = f"versions\0{context.team}\0{record.endpoint_id}"
        page, following = self._page(scope, [(v.seq, v) for v in record.versions], context.params)
        return Response.json_body(200, {"data": {v.version_id: v.spec for v in page}, "nextCursor": following})

    def _sleep(self, context: Context, endpoint_id: str | None) -> Response:
        record = self._find(context, endpoint_id)
        status = record.current(context.now).status
        if status in ("RUNNING", "READY", "AWAKING"):
            record.replan(context.now, [life.Segment(context.now, "SLEEPING")])
        elif status != "SLEEPING":
            raise _bad_request(f"Endpoint {record.endpoint_id!r} is {status}; only a RUNNING endpoint can sleep")
        return Response.json_body(200, record.status_json(context.now))

    def _wake(self, context: Context, endpoint_id: str | None) -> Response:
        record = self._find(context, endpoint_id)
        status = record.current(context.now).status
        if status == "SLEEPING":
            self._start_waking(record, context.now)
        elif status not in ("AWAKING", "RUNNING", "READY"):
            raise _bad_request(f"Endpoint {record.endpoint_id!r} is {status}; only a SLEEPING endpoint can wake")
        return Response.json_body(200, record.status_json(context.now))

    def _terminate(self, context: Context, endpoint_id: str | None) -> Response:
        record = self._find(context, endpoint_id)
        status = record.current(context.now).status
        if status not in ("TERMINATING", "TERMINATED"):
            duration = self.timings.terminating * self.time_scale
            record.replan(context.now, life.transition(context.now, "TERMINATING", duration, "TERMINATED"))
        return Response.json_body(200, record.status_json(context.now))

    def _restart(self, context: Context, endpoint_id: str | None) -> Response:
        record = self._find(context, endpoint_id)
        status = record.current(context.now).status
        if status not in ("FAILED", "TERMINATED"):
            raise _bad_request(
                f"Endpoint {record.endpoint_id!r} is {status}; only a FAILED or TERMINATED endpoint can be restarted"
            )
        self._deploy(record, context.now)
        return Response.json_body(200, record.status_json(context.now))

    def _wandb_create(self, context: Context, _endpoint_id: str | None) -> Response:
        body: dict[str, Any] = context.body
        artifact: str = body["wandbArtifactVersionName"]
        key, project = body.get("idempotencyKey"), body.get("projectId")
        if key is not None and project is None:
            raise _bad_request("idempotencyKey needs projectId: the endpoint is looked up in that project")
        self._failure(artifact, ["body", "wandbArtifactVersionName"])
        option_id, gpu, count = self._accelerator(body.get("accelerator"))
        scaling = self._scaling({"autoscalingPolicy": body.get("autoscalingPolicy")}, None) or Scaling.fixed(1)
        project = project or DEFAULT_PROJECT
        name = body.get("name") or _artifact_name(artifact)
        existing = self.endpoints.get(self._idempotency.get((context.team, project, key or ""), ""))
        if key is not None and existing is not None and existing.team == context.team:
            existing.settle(context.now)
            existing.model = artifact
            if body.get("accelerator") is not None:
                existing.instance_option, existing.gpu, existing.num_gpu = option_id, gpu, count
            if body.get("autoscalingPolicy") is not None:
                existing.scaling = scaling
            if body.get("name") is not None:
                existing.name = name
            self._roll_out(existing, context.now)
            existing.add_version(self._next_seq(), f"W&B artifact {artifact}")
            self.stats.count_rollout((context.team, existing.project, existing.name))
            record = existing
        else:
            record = self._new_record(
                context,
                project=project,
                name=name,
                option=option_id,
                gpu=gpu,
                count=count,
                model=artifact,
                revision=None,
                scaling=scaling,
                advanced={},
                comment=f"W&B artifact {artifact}",
            )
            if key is not None:
                self._idempotency[(context.team, project, key)] = record.endpoint_id
        return Response.json_body(
            200,
            {
                "endpointId": record.endpoint_id,
                "endpointName": record.name,
                "projectId": record.project,
                "projectName": record.project,
                "teamId": record.team,
                "teamName": record.team,
            },
        )

    def _accelerator(self, accelerator: Mapping[str, Any] | None) -> tuple[str, str, int]:
        if accelerator is None:
            option_id, gpu, count = self.contract.instance_options[0]
            return option_id, gpu, count
        for option_id, gpu, count in self.contract.instance_options:
            if gpu == accelerator["type"] and count == accelerator["count"]:
                return option_id, gpu, count
        raise _invalid(
            ["body", "accelerator"],
            f"Value error, no instance option has {accelerator['count']} x {accelerator['type']!r}",
        )


def _artifact_name(artifact: str) -> str:
    """A default endpoint name from a W&B artifact version name: ``entity/project/model:v3`` -> ``model-v3``."""
    return artifact.rsplit("/", 1)[-1].replace(":", "-") or "wandb-endpoint"
