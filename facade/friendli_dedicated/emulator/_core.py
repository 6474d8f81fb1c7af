"""The emulator's core: ``Emulator.handle`` turns one request into one ``Response``, with no I/O.

Both runners (the in-process httpx transport and the HTTP server) call the same ``handle``, so
what a test sees in-process is what a client sees over a socket. A request goes through, in order:
the fault decision (before anything else, so a refused or dropped request changes nothing), the
bearer token (401), the route from the contract (404/405), the team (403), the parameters and
body checked against the contract (422), and then the operation, on state kept in memory.

>>> from friendli_dedicated.emulator import ManualClock
>>> emu = Emulator(clock=ManualClock())
>>> auth = {"Authorization": f"Bearer {DEFAULT_TOKEN}"}
>>> emu.handle("GET", "/dedicated/beta/endpoint", [("limit", "5")], auth, b"").json()
{'data': {}, 'nextCursor': None}
"""

from __future__ import annotations

import hashlib
import secrets
import threading
from collections.abc import Callable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

import attrs

from friendli_dedicated.emulator import _lifecycle as life
from friendli_dedicated.emulator._clock import SystemClock
from friendli_dedicated.emulator._contract import Contract, load_contract
from friendli_dedicated.emulator._faults import FaultDecider, Faults, Stats
from friendli_dedicated.emulator._http import Response
from friendli_dedicated.emulator._pagination import CursorCodec, paginate
from friendli_dedicated.emulator._store import EndpointRecord, Scaling
from friendli_dedicated.errors import InvalidInputError

if TYPE_CHECKING:
    import contextlib

    import httpx

    from friendli_dedicated import AsyncClient, Client

__all__ = ["DEFAULT_PROJECT", "DEFAULT_TEAM", "DEFAULT_TOKEN", "Emulator"]

DEFAULT_TOKEN = "emulator-token"  # noqa: S105 (a well-known dummy token for a local emulator)
"""The token the emulator accepts unless given ``tokens``."""
DEFAULT_TEAM = "emulator-team"
"""The team of ``DEFAULT_TOKEN``."""
DEFAULT_PROJECT = "emulator-project"
"""Where a W&B create without ``projectId`` puts its endpoint."""

_TEAM_HEADER = "X-Friendli-Team"


@attrs.frozen
class _Context:
    team: str
    creator: str
    now: float
    params: Mapping[str, Any]
    body: Any


class _Refused(Exception):
    """Raised inside a handler to answer with an error response."""

    def __init__(self, response: Response) -> None:
        super().__init__(response.status)
        self.response = response


def _bad_request(message: str) -> _Refused:
    return _Refused(Response.detail(400, message))


def _invalid(loc: list[str | int], message: str, kind: str = "value_error") -> _Refused:
    return _Refused(Response.invalid([{"loc": loc, "msg": message, "type": kind}]))


class Emulator:
    """A stateful, in-memory emulator of the Dedicated Endpoints API.

    - ``clock``: seconds since the epoch (default the real time; a ``ManualClock`` makes tests
      instant);
    - ``timings`` and ``time_scale``: how long transitions take (``Timings`` x ``time_scale``,
      which also scales the autoscaling cooldown);
    - ``tokens``: token -> its teams, the first being its default (default
      ``{DEFAULT_TOKEN: [DEFAULT_TEAM]}``);
    - ``faults``: a ``Faults`` to inject 429, 503 and dropped connections (default none);
    - ``expose_endpoint_id``: add ``endpointId`` to the create response (the contract has none);
    - ``seed``: makes endpoint ids and cursors the same from run to run (default: random).

    >>> from friendli_dedicated.emulator import ManualClock
    >>> emu = Emulator(clock=ManualClock(), time_scale=0.1)
    >>> with emu.client() as client:  # doctest: +SKIP
    ...     ep = client.endpoints.create("proj", "chat", "org/model", "H100")
    ...     ep.wait_until_running(timeout=60).state.status
    """

    def __init__(
        self,
        *,
        clock: Callable[[], float] | None = None,
        timings: life.Timings | None = None,
        time_scale: float = 1.0,
        tokens: Mapping[str, Sequence[str]] | None = None,
        faults: Faults | None = None,
        expose_endpoint_id: bool = False,
        seed: int | None = None,
    ) -> None:
        if not isinstance(time_scale, int | float) or isinstance(time_scale, bool) or not time_scale >= 0:
            raise InvalidInputError("time_scale", f"must be a number >= 0, got {time_scale!r}")
        self.clock: Callable[[], float] = clock if clock is not None else SystemClock()
        self.timings = timings if timings is not None else life.Timings()
        self.time_scale = float(time_scale)
        given = {DEFAULT_TOKEN: [DEFAULT_TEAM]} if tokens is None else tokens
        self._tokens: dict[str, tuple[str, ...]] = {}
        self._creators: dict[str, str] = {}
        for number, (token, teams) in enumerate(given.items(), 1):
            if not isinstance(teams, Sequence) or isinstance(teams, str) or not teams:
                raise InvalidInputError(f"tokens[#{number}]", "its teams must be a non-empty sequence of team ids")
            self._tokens[token] = tuple(teams)
            self._creators[token] = f"emulator-user-{number}"
        self.faults = faults
        self.expose_endpoint_id = expose_endpoint_id
        self.contract: Contract = load_contract()
        self.stats = Stats()
        self._decider = FaultDecider(faults)
        salt = secrets.token_bytes(16) if seed is None else hashlib.sha256(f"emulator-{seed}".encode()).digest()
        self._salt = salt
        self._cursors = CursorCodec(salt)
        self._lock = threading.RLock()
        self._endpoints: dict[str, EndpointRecord] = {}
        self._idempotency: dict[tuple[str, str, str], str] = {}
        self._seq = 0
        self._options = {option_id: (gpu, count) for option_id, gpu, count in self.contract.instance_options}
        self._handlers: dict[str, Callable[[_Context, str | None], Response]] = {
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
        }

    def __repr__(self) -> str:
        return f"Emulator(endpoints={len(self._endpoints)}, time_scale={self.time_scale}, faults={self.faults!r})"

    # -- the one entry point ----------------------------------------------------------------------
    def handle(
        self, method: str, path: str, query: Sequence[tuple[str, str]], headers: Mapping[str, str], body: bytes
    ) -> Response:
        """Answer one request (no I/O): ``Response.dropped`` means "close without answering".

        ``headers`` match in any case; ``query`` is the query string's (name, value) pairs.
        """
        with self._lock:
            with self.stats._lock:
                self.stats.requests += 1
            fault = self._decider.decide()
            if fault is not None:
                with self.stats._lock:
                    self.stats.faults[fault] += 1
                return self._fault(fault)
            response = self._handle(method, path, query, {k.lower(): v for k, v in headers.items()}, body)
            with self.stats._lock:
                self.stats.responses[response.status] += 1
            return response

    def _fault(self, kind: str) -> Response:
        if kind == "drop":
            return Response.drop()
        wait = self.faults.retry_after if self.faults is not None else 0.0
        headers = {"retry-after": f"{wait:g}", "retry-after-ms": f"{round(wait * 1000)}"}
        if kind == "429":
            return Response.detail(429, "Too Many Requests (emulated fault)", headers)
        return Response.detail(503, "Service Unavailable (emulated fault)", headers)

    def _handle(
        self, method: str, path: str, query: Sequence[tuple[str, str]], headers: Mapping[str, str], body: bytes
    ) -> Response:
        scheme, _, token = headers.get("authorization", "").partition(" ")
        teams = self._tokens.get(token.strip()) if scheme.lower() == "bearer" else None
        if teams is None:
            # Never echo what was sent: it is a credential even when it is wrong.
            return Response.detail(
                401, "Not authenticated: send Authorization: Bearer <token>", {"www-authenticate": "Bearer"}
            )
        matched = self.contract.match(method, path)
        if matched == "404":
            return Response.detail(404, "Not Found")
        if matched == "405":
            # RFC 9110 (15.5.6): a 405 must say, in Allow, which methods the resource does support.
            allowed = ", ".join(self.contract.allowed_methods(path))
            return Response.detail(405, "Method Not Allowed", {"allow": allowed})
        assert not isinstance(matched, str)
        operation, path_params = matched
        params, issues = self.contract.parameters(operation, path_params, query, headers)
        wanted = params.get(_TEAM_HEADER)
        team = teams[0] if wanted in (None, "") else str(wanted)
        if team not in teams:
            return Response.detail(403, f"This token may not act for team {team!r}")
        parsed, body_issues = self.contract.body(operation, body)
        issues.extend(body_issues)
        if issues:
            return Response.invalid(issues)
        handler = self._handlers.get(operation.operation_id)
        if handler is None:
            return Response.detail(501, f"{operation.operation_id} is not emulated")
        context = _Context(team, self._creators[token.strip()], self.clock(), params, parsed)
        try:
            return handler(context, path_params.get("endpoint_id"))
        except _Refused as refused:
            return refused.response

    # -- helpers --------------------------------------------------------------------------------
    def _next_seq(self) -> int:
        self._seq += 1
        return self._seq

    def _find(self, context: _Context, endpoint_id: str | None) -> EndpointRecord:
        record = self._endpoints.get(endpoint_id or "")
        if record is None or record.team != context.team:  # another team's endpoint is not there at all
            raise _Refused(Response.detail(404, f"Endpoint {endpoint_id!r} not found"))
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

    def _cooldown(self, record: EndpointRecord) -> float | None:
        return record.scaling.cooldown * self.time_scale if record.scaling.scales_to_zero else None

    def _deploy(self, record: EndpointRecord, now: float) -> None:
        plan = life.deploy(now, self.timings, self.time_scale, failure=self._failure(record.model, ["body"]))
        record.timeline = life.with_cooldown(plan, self._cooldown(record))

    def _roll_out(self, record: EndpointRecord, now: float) -> None:
        failure = self._failure(record.model, ["body"])
        plan = life.transition(now, "UPDATING", self.timings.updating * self.time_scale, "RUNNING", failure=failure)
        record.timeline = life.with_cooldown(plan, self._cooldown(record))

    # -- operations -----------------------------------------------------------------------------
    def _create(self, context: _Context, _endpoint_id: str | None) -> Response:
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
            advanced=dict(body.get("advanced") or {}),
            comment=body.get("initialVersionComment"),
        )
        status = record.status_json(context.now)
        if self.expose_endpoint_id:
            status["endpointId"] = record.endpoint_id
        return Response.json_body(200, status)

    def _new_record(
        self,
        context: _Context,
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
        self._endpoints[endpoint_id] = record
        with self.stats._lock:
            self.stats.creates[(context.team, project, name)] += 1
        return record

    def _list(self, context: _Context, _endpoint_id: str | None) -> Response:
        project = context.params.get("project_id") or ""
        scope = f"list\0{context.team}\0{project}"
        items = [
            (record.seq, record)
            for record in self._endpoints.values()
            if record.team == context.team and (not project or record.project == project)
        ]
        page, following = self._page(scope, items, context.params)
        data = {record.endpoint_id: record.status_json(context.now) for record in page}
        return Response.json_body(200, {"data": data, "nextCursor": following})

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

    def _get(self, context: _Context, endpoint_id: str | None) -> Response:
        record = self._find(context, endpoint_id)
        return Response.json_body(200, record.spec_json(context.now))

    def _status(self, context: _Context, endpoint_id: str | None) -> Response:
        record = self._find(context, endpoint_id)
        return Response.json_body(200, record.status_json(context.now))

    def _update(self, context: _Context, endpoint_id: str | None) -> Response:
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
        if body.get("name") is not None:
            record.name = body["name"]
        if option is not None and gpu_count is not None:
            record.instance_option, (record.gpu, record.num_gpu) = option, gpu_count
        if model is not None:
            record.model = model
        if body.get("hfModelRepoRevision") is not None:
            record.revision = body["hfModelRepoRevision"]
        if body.get("advanced") is not None:
            record.advanced = {**record.advanced, **body["advanced"]}
        record.scaling = scaling
        self._roll_out(record, context.now)
        record.add_version(self._next_seq(), body.get("newVersionComment"))
        return Response.json_body(200, record.spec_json(context.now))

    def _delete(self, context: _Context, endpoint_id: str | None) -> Response:
        record = self._find(context, endpoint_id)
        del self._endpoints[record.endpoint_id]
        return Response.json_body(200, {})

    def _versions(self, context: _Context, endpoint_id: str | None) -> Response:
        record = self._find(context, endpoint_id)
        scope = f"versions\0{context.team}\0{record.endpoint_id}"
        page, following = self._page(scope, [(v.seq, v) for v in record.versions], context.params)
        return Response.json_body(200, {"data": {v.version_id: v.spec for v in page}, "nextCursor": following})

    def _sleep(self, context: _Context, endpoint_id: str | None) -> Response:
        record = self._find(context, endpoint_id)
        status = record.current(context.now).status
        if status in ("RUNNING", "READY", "AWAKING"):
            record.timeline = [life.Segment(context.now, "SLEEPING")]
        elif status != "SLEEPING":
            raise _bad_request(f"Endpoint {record.endpoint_id!r} is {status}; only a RUNNING endpoint can sleep")
        return Response.json_body(200, record.status_json(context.now))

    def _wake(self, context: _Context, endpoint_id: str | None) -> Response:
        record = self._find(context, endpoint_id)
        status = record.current(context.now).status
        if status == "SLEEPING":
            plan = life.transition(context.now, "AWAKING", self.timings.awaking * self.time_scale, "RUNNING")
            record.timeline = life.with_cooldown(plan, self._cooldown(record))
        elif status not in ("AWAKING", "RUNNING", "READY"):
            raise _bad_request(f"Endpoint {record.endpoint_id!r} is {status}; only a SLEEPING endpoint can wake")
        return Response.json_body(200, record.status_json(context.now))

    def _terminate(self, context: _Context, endpoint_id: str | None) -> Response:
        record = self._find(context, endpoint_id)
        status = record.current(context.now).status
        if status not in ("TERMINATING", "TERMINATED"):
            duration = self.timings.terminating * self.time_scale
            record.timeline = life.transition(context.now, "TERMINATING", duration, "TERMINATED")
        return Response.json_body(200, record.status_json(context.now))

    def _restart(self, context: _Context, endpoint_id: str | None) -> Response:
        record = self._find(context, endpoint_id)
        status = record.current(context.now).status
        if status not in ("FAILED", "TERMINATED"):
            raise _bad_request(
                f"Endpoint {record.endpoint_id!r} is {status}; only a FAILED or TERMINATED endpoint can be restarted"
            )
        self._deploy(record, context.now)
        return Response.json_body(200, record.status_json(context.now))

    def _wandb_create(self, context: _Context, _endpoint_id: str | None) -> Response:
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
        existing = self._endpoints.get(self._idempotency.get((context.team, project, key or ""), ""))
        if key is not None and existing is not None and existing.team == context.team:
            existing.model = artifact
            if body.get("accelerator") is not None:
                existing.instance_option, existing.gpu, existing.num_gpu = option_id, gpu, count
            if body.get("autoscalingPolicy") is not None:
                existing.scaling = scaling
            if body.get("name") is not None:
                existing.name = name
            self._roll_out(existing, context.now)
            existing.add_version(self._next_seq(), f"W&B artifact {artifact}")
            with self.stats._lock:
                self.stats.rollouts[(context.team, existing.project, existing.name)] += 1
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

    # -- runners (imported when used) -------------------------------------------------------------
    def transport(self) -> httpx.MockTransport:
        """An httpx transport that answers from this emulator, without sockets."""
        from friendli_dedicated.emulator._inprocess import transport

        return transport(self)

    def client(self, **kwargs: Any) -> Client:
        """A ``friendli_dedicated.Client`` wired to this emulator in-process (see ``_inprocess``)."""
        from friendli_dedicated.emulator._inprocess import client

        return client(self, **kwargs)

    def async_client(self, **kwargs: Any) -> AsyncClient:
        """A ``friendli_dedicated.AsyncClient`` wired to this emulator in-process."""
        from friendli_dedicated.emulator._inprocess import async_client

        return async_client(self, **kwargs)

    def serve(self, host: str = "127.0.0.1", port: int = 0) -> contextlib.AbstractContextManager[str]:
        """Serve over HTTP on ``host:port`` in a background thread: ``with emu.serve() as base_url:``.

        Port 0 picks a free port. Needs the ``emulator`` extra (starlette, uvicorn).
        """
        from friendli_dedicated.emulator._server import serve

        return serve(self, host=host, port=port)

    def endpoint_ids(self) -> list[str]:
        """Every endpoint's id, of every team, in creation order (for tests)."""
        with self._lock:
            return [record.endpoint_id for record in sorted(self._endpoints.values(), key=lambda r: r.seq)]


def _artifact_name(artifact: str) -> str:
    """A default endpoint name from a W&B artifact version name: ``entity/project/model:v3`` -> ``model-v3``."""
    return artifact.rsplit("/", 1)[-1].replace(":", "-") or "wandb-endpoint"
