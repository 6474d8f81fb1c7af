"""The emulator's core: ``Emulator.handle`` turns one request into one ``Response``, with no I/O.

Both runners (the in-process httpx transport and the HTTP server) call the same core, so what a
test sees in-process is what a client sees over a socket. A request goes through, in order: the
fault decision, an injected fault of its route's operation first, then a random one (before
anything else, so a refused or dropped request changes nothing), the bearer token (401), the
rate limit (429), the route from the contract (404/405), the team (403), the declared body size
(413): all before the body is read; then the body's size (413), the parameters and body checked
against the contract (422), and the operation, on state kept in memory. Every request, whatever
its answer, is then added to the request log.

``handle`` takes a whole request. A runner that reads bodies itself (the HTTP server) calls
``handle_head`` first, and reads the body only if that did not already answer, at most
``RequestHead.body_limit`` bytes, for ``handle_body``: so a 100 MB body without a token is never
read, nor one over the limit.

>>> from friendli_dedicated.emulator import ManualClock
>>> emu = Emulator(clock=ManualClock())
>>> auth = {"Authorization": f"Bearer {DEFAULT_TOKEN}"}
>>> emu.handle("GET", "/dedicated/beta/endpoint", [("limit", "5")], auth, b"").json()
{'data': {}, 'nextCursor': None}
"""

from __future__ import annotations

import asyncio
import hashlib
import re
import secrets
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

import attrs

from friendli_dedicated.emulator import _checks as checks, _controls as controls, _lifecycle as life
from friendli_dedicated.emulator._clock import ManualClock, SystemClock
from friendli_dedicated.emulator._contract import MAX_STRING_LENGTH, Contract, Operation, load_contract
from friendli_dedicated.emulator._faults import SEED_MAX, SEED_MIN, FaultDecider, Faults, Stats
from friendli_dedicated.emulator._http import RequestHead, Response, retry_after_headers
from friendli_dedicated.emulator._log import DEFAULT_REQUEST_LOG, LoggedRequest, RequestLog, checked_limit
from friendli_dedicated.emulator._pagination import CursorCodec, paginate
from friendli_dedicated.emulator._ratelimit import RateLimiter, checked_rate
from friendli_dedicated.emulator._store import EndpointRecord, Scaling
from friendli_dedicated.errors import InvalidInputError

if TYPE_CHECKING:
    import contextlib

    import httpx

    from friendli_dedicated import AsyncClient, Client

__all__ = ["DEFAULT_MAX_BODY_SIZE", "DEFAULT_PROJECT", "DEFAULT_TEAM", "DEFAULT_TOKEN", "Emulator", "RequestHead"]

DEFAULT_TOKEN = "emulator-token"  # noqa: S105 (a well-known dummy token for a local emulator)
"""The token the emulator accepts unless given ``tokens``."""
DEFAULT_TEAM = "emulator-team"
"""The team of ``DEFAULT_TOKEN``."""
DEFAULT_PROJECT = "emulator-project"
"""Where a W&B create without ``projectId`` puts its endpoint."""

DEFAULT_MAX_BODY_SIZE = 1 << 20
"""The largest request body the emulator reads (1 MiB; the contract's bodies take well under 10 KiB)."""

_TEAM_HEADER = "X-Friendli-Team"
_VISIBLE_ASCII = re.compile(r"[!-~]+")


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


def _quoted(value: str) -> str:
    """``value`` quoted for a message, cut short if long (a message never echoes a huge input)."""
    return repr(value) if len(value) <= 64 else repr(value[:61]) + "..."


class Emulator:
    """A stateful, in-memory emulator of the Dedicated Endpoints API.

    - ``clock``: seconds since the epoch (default the real time; a ``ManualClock`` makes tests
      instant);
    - ``timings`` and ``time_scale``: how long transitions take (``Timings`` x ``time_scale``,
      which also scales the autoscaling cooldown);
    - ``tokens``: token -> its teams, the first being its default (default
      ``{DEFAULT_TOKEN: [DEFAULT_TEAM]}``); a token is visible ASCII (it travels in a header), a
      team a printable string of at most ``MAX_STRING_LENGTH`` characters;
    - ``faults``: a ``Faults`` to inject 429, 503 and dropped connections (default none);
    - ``expose_endpoint_id``: add ``endpointId`` to the create response (the contract has none);
    - ``seed``: a 64-bit integer that makes endpoint ids and cursors the same from run to run
      (default: random);
    - ``max_body_size``: the largest request body, in bytes, the emulator reads (default 1 MiB);
      a larger one is answered 413 without being read;
    - ``rate_limit``: requests per second per token (a token bucket on the emulator's clock, see
      ``_ratelimit``); beyond it, 429 with ``Retry-After``. None (default): no limit;
    - ``request_log``: how many requests ``requests`` keeps, the last ones (default 10 000;
      None: all; 0: none).

    The clock is read once here, to check that it gives seconds since the epoch. Any bad value or
    wrong type raises ``InvalidInputError`` naming the argument (a token is never shown).

    Controls for tests, their parts each in a module of its own:

    - time: ``sleep``/``async_sleep`` wait, on a ``ManualClock`` (``_clock``) by advancing it, but
      never past ``next_transition()`` of any endpoint (``_lifecycle``), so a poller sees every
      state (the in-process clients sleep with them); ``advance`` moves a manual clock by hand;
    - faults and failures on demand (``_controls``): ``inject`` answers the next requests of one
      operation with a fault, ``pending_faults`` lists those not used yet; ``fail`` makes an
      endpoint's next transition end FAILED (``_lifecycle.fail_transition``);
    - what it saw: ``requests`` and ``requests_for`` (``_log``), and ``stats`` (``_faults``);
    - its rate limit (``_ratelimit``).

    >>> from friendli_dedicated.emulator import ManualClock
    >>> emu = Emulator(clock=ManualClock(), time_scale=0.1)
    >>> with emu.client() as client:
    ...     ep = client.endpoints.create("proj", "chat", "org/model", "H100")
    ...     ep.wait_until_running(timeout=60).state.status.value
    'RUNNING'
    >>> [r.facade_name for r in emu.requests][:4]
    ['list', 'create', 'list', 'get']
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
        max_body_size: int = DEFAULT_MAX_BODY_SIZE,
        rate_limit: float | None = None,
        request_log: int | None = DEFAULT_REQUEST_LOG,
    ) -> None:
        self.clock: Callable[[], float] = _clock(clock)
        if timings is not None and not isinstance(timings, life.Timings):
            raise InvalidInputError("Emulator.timings", f"must be a Timings or None, got {checks.shown(timings)}")
        self.timings = timings if timings is not None else life.Timings()
        self.time_scale = checks.number("Emulator.time_scale", time_scale, minimum=0.0)
        self._tokens = _tokens({DEFAULT_TOKEN: [DEFAULT_TEAM]} if tokens is None else tokens)
        self._creators = {token: f"emulator-user-{number}" for number, token in enumerate(self._tokens, 1)}
        if faults is not None and not isinstance(faults, Faults):
            raise InvalidInputError("Emulator.faults", f"must be a Faults or None, got {checks.shown(faults)}")
        self.faults = faults
        self.expose_endpoint_id = checks.boolean("Emulator.expose_endpoint_id", expose_endpoint_id)
        if seed is not None:
            checks.integer("Emulator.seed", seed, minimum=SEED_MIN, maximum=SEED_MAX)
        self.max_body_size = checks.integer("Emulator.max_body_size", max_body_size, minimum=1, maximum=SEED_MAX)
        self.rate_limit = checked_rate(rate_limit)
        self._limiter = RateLimiter(self.rate_limit) if self.rate_limit is not None else None
        self.request_log = checked_limit(request_log)
        self._log = RequestLog(self.request_log)
        self._injections = controls.Injections()
        self.contract: Contract = load_contract()
        advanced = self.contract.schemas.get("EndpointAdvancedConfig", {})
        self._advanced_keys = frozenset(advanced.get("properties", {}))
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

    # -- the entry points -------------------------------------------------------------------------
    def handle(
        self, method: str, path: str, query: Sequence[tuple[str, str]], headers: Mapping[str, str], body: bytes
    ) -> Response:
        """Answer one whole request (no I/O): ``Response.dropped`` means "close without answering".

        ``headers`` match in any case; ``query`` is the query string's (name, value) pairs.
        """
        with self._lock:
            head = self.handle_head(method, path, query, headers, content_length=len(body))
            if isinstance(head, Response):
                return head
            return self.handle_body(head, body)

    def handle_head(
        self,
        method: str,
        path: str,
        query: Sequence[tuple[str, str]],
        headers: Mapping[str, str],
        content_length: int | None = None,
    ) -> Response | RequestHead:
        """The checks made before a body is read: a ``Response`` if they answer the request, else the
        ``RequestHead`` to finish with ``handle_body``. ``content_length``: the declared size, if any.
        """
        self.stats.count_request()
        now = self.clock()
        matched = self.contract.match(method, path)
        operation = None if isinstance(matched, str) else matched[0].operation_id
        with self._lock:
            # Drawn for every request, so that injecting a fault does not move the random ones.
            random_fault = self._decider.decide()
        injected = self._injections.take(operation) if operation is not None else None
        if injected is not None:
            self.stats.count_fault(injected.kind)
            answer: Response | RequestHead = injected.response()
        elif random_fault is not None:
            self.stats.count_fault(random_fault)
            answer = self._fault(random_fault)
        else:
            lowered = {k.lower(): v for k, v in headers.items()}
            answer = self._head(method, path, query, lowered, content_length, matched, now)
            if isinstance(answer, Response):
                self.stats.count_response(answer.status)
        if isinstance(answer, Response):
            self._record(method, path, query, operation, None, answer, now)
        return answer

    def handle_body(self, head: RequestHead, body: bytes) -> Response:
        """Finish a request that ``handle_head`` let through, with its body (at most ``head.body_limit`` bytes)."""
        with self._lock:
            response, parsed = self._body(head, body)
        self.stats.count_response(response.status)
        operation = head.operation.operation_id
        self._record(head.method, head.path, head.query, operation, parsed, response, head.received_at)
        return response

    def _record(
        self,
        method: str,
        path: str,
        query: Sequence[tuple[str, str]],
        operation: str | None,
        body: Any,
        response: Response,
        now: float,
    ) -> None:
        if not self._log.enabled:
            return
        self._log.append(
            LoggedRequest(
                method=method.upper(),
                path=path,
                query=tuple((str(name), str(value)) for name, value in query),
                operation=operation,
                facade_name=controls.facade_name(operation),
                body=body,
                status=None if response.dropped else response.status,
                time=now,
            )
        )

    def _fault(self, kind: str) -> Response:
        if kind == "drop":
            return Response.drop()
        wait = self.faults.retry_after if self.faults is not None else 0.0
        headers = {"retry-after": f"{wait:g}", "retry-after-ms": f"{round(wait * 1000)}"}
        if kind == "429":
            return Response.detail(429, "Too Many Requests (emulated fault)", headers)
        return Response.detail(503, "Service Unavailable (emulated fault)", headers)

    def _too_large(self) -> Response:
        return Response.detail(413, f"Request body too large: the emulator reads at most {self.max_body_size} bytes")

    def _head(
        self,
        method: str,
        path: str,
        query: Sequence[tuple[str, str]],
        headers: Mapping[str, str],
        content_length: int | None,
        matched: tuple[Operation, dict[str, str]] | str,
        now: float,
    ) -> Response | RequestHead:
        scheme, _, token = headers.get("authorization", "").partition(" ")
        token = token.strip()
        teams = self._tokens.get(token) if scheme.lower() == "bearer" else None
        if teams is None:
            # Never echo what was sent: it is a credential even when it is wrong.
            return Response.detail(
                401, "Not authenticated: send Authorization: Bearer <token>", {"www-authenticate": "Bearer"}
            )
        if self._limiter is not None:
            wait = self._limiter.admit(self._creators[token], now)
            if wait is not None:
                self.stats.count_rate_limited()
                return Response.detail(
                    429,
                    f"Too Many Requests: the emulator admits {self.rate_limit:g} requests per second per token",
                    retry_after_headers(wait),
                )
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
            return Response.detail(403, f"This token may not act for team {_quoted(team)}")
        if content_length is not None and content_length > self.max_body_size:
            return self._too_large()
        return RequestHead(
            operation=operation,
            path_params=path_params,
            params=params,
            issues=tuple(issues),
            team=team,
            creator=self._creators[token],
            content_type=headers.get("content-type"),
            body_limit=self.max_body_size + 1,
            method=method,
            path=path,
            query=tuple(query),
            received_at=now,
        )

    def _body(self, head: RequestHead, body: bytes) -> tuple[Response, Any]:
        """The response, and the body as parsed (None if it was not read as JSON), for the log."""
        if len(body) > self.max_body_size:
            return self._too_large(), None
        parsed, body_issues = self.contract.body(head.operation, body, head.content_type)
        issues = [*head.issues, *body_issues]
        if issues:
            return Response.invalid(issues), parsed
        handler = self._handlers.get(head.operation.operation_id)
        if handler is None:
            return Response.detail(501, f"{head.operation.operation_id} is not emulated"), parsed
        context = _Context(head.team, head.creator, self.clock(), head.params, parsed)
        try:
            return handler(context, head.path_params.get("endpoint_id")), parsed
        except _Refused as refused:
            return refused.response, parsed

    # -- helpers --------------------------------------------------------------------------------
    def _next_seq(self) -> int:
        self._seq += 1
        return self._seq

    def _find(self, context: _Context, endpoint_id: str | None) -> EndpointRecord:
        record = self._endpoints.get(endpoint_id or "")
        if record is None or record.team != context.team:  # another team's endpoint is not there at all
            raise _Refused(Response.detail(404, f"Endpoint {_quoted(endpoint_id or '')} not found"))
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
        record.timeline = plan

    def _deploy(self, record: EndpointRecord, now: float) -> None:
        plan = life.deploy(now, self.timings, self.time_scale, failure=self._failure(record.model, ["body"]))
        self._plan(record, plan, now)

    def _roll_out(self, record: EndpointRecord, now: float) -> None:
        failure = self._failure(record.model, ["body"])
        plan = life.transition(now, "UPDATING", self.timings.updating * self.time_scale, "RUNNING", failure=failure)
        self._plan(record, plan, now)

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
            advanced=self._advanced(body.get("advanced")),
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
        self.stats.count_create((context.team, project, name))
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
            record.advanced = {**record.advanced, **self._advanced(body["advanced"])}
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
            self._plan(record, plan, context.now)
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

        ``host`` is an IP address or ``localhost``; port 0 picks a free port. Bad values raise
        ``InvalidInputError`` at once; a missing starlette or uvicorn (the ``emulator`` extra) an
        ``ImportError`` that says what to install; the socket is bound when the block is entered.
        """
        checked_host = checks.host("Emulator.serve.host", host)
        checked_port = checks.port("Emulator.serve.port", port)
        from friendli_dedicated.emulator._server import serve

        return serve(self, host=checked_host, port=checked_port)

    def endpoint_ids(self) -> list[str]:
        """Every endpoint's id, of every team, in creation order (for tests)."""
        with self._lock:
            return [record.endpoint_id for record in sorted(self._endpoints.values(), key=lambda r: r.seq)]

    # -- controls for tests -----------------------------------------------------------------------
    def default_credentials(self) -> tuple[str, str]:
        """(token, team) a client uses by default: the first token given, and its first team.

        >>> Emulator(tokens={"t-1": ["team-a", "team-b"]}).default_credentials()
        ('t-1', 'team-a')
        """
        token, teams = next(iter(self._tokens.items()))
        return token, teams[0]

    def next_transition(self) -> float | None:
        """When (clock seconds) the next planned change of any endpoint's state happens; None if none is planned.

        >>> emu = Emulator(clock=ManualClock())
        >>> emu.next_transition() is None
        True
        """
        with self._lock:
            now = self.clock()
            upcoming = [life.next_change(record.timeline, now) for record in self._endpoints.values()]
        return min((moment for moment in upcoming if moment is not None), default=None)

    def _sleep_step(self, seconds: Any, field: str) -> float:
        """Advance a manual clock by the sleep's step and return 0, or return the real seconds to sleep."""
        wanted = checks.duration(field, seconds)
        with self._lock:  # one sleeper at a time: two could otherwise both step over the same transition
            upcoming = self.next_transition()
            step = wanted if upcoming is None else min(wanted, max(upcoming - self.clock(), 0.0))
            if isinstance(self.clock, ManualClock):
                self.clock.advance(step)
                return 0.0
        return step

    def sleep(self, seconds: float) -> None:
        """Wait ``seconds``, or only until the next planned transition of any endpoint, whichever comes first.

        On a ``ManualClock`` it advances the clock and returns at once; on any other clock it sleeps
        for real. Stopping at a transition means a poller never jumps over a state: an endpoint that
        scales to zero five seconds after it is RUNNING is seen RUNNING even by a wait that polls
        every ten. It may return early, then: a caller that needs the whole time checks the clock.
        The in-process clients (``client()``, ``async_client()``) sleep with it on a ``ManualClock``.
        ``seconds`` is a finite number >= 0 (else ``InvalidInputError``).

        >>> import friendli_dedicated as fd
        >>> emu = Emulator(clock=ManualClock())
        >>> with emu.client() as client:
        ...     ep = client.endpoints.create("proj", "chat", "org/model", fd.GPU.H100)
        >>> start = emu.clock()
        >>> emu.sleep(3600)  # the deployment moves to DOWNLOADING_MODEL 15 s in
        >>> emu.clock() - start
        15.0
        """
        step = self._sleep_step(seconds, "Emulator.sleep.seconds")
        if step > 0:
            time.sleep(step)

    async def async_sleep(self, seconds: float) -> None:
        """The async twin of ``sleep``: the same step, and on a ``ManualClock`` it still yields to the event loop.

        >>> emu = Emulator(clock=ManualClock())
        >>> asyncio.run(emu.async_sleep(5)); emu.clock() - 1_767_225_600.0
        5.0
        """
        await asyncio.sleep(self._sleep_step(seconds, "Emulator.async_sleep.seconds"))

    def advance(self, seconds: float) -> None:
        """Move the emulator's ``ManualClock`` forward by ``seconds`` (over any transitions on the way).

        ``InvalidInputError`` if the clock is not a ``ManualClock`` (``Emulator.clock``) or ``seconds``
        is not a finite number >= 0 (``Emulator.advance.seconds``).

        >>> emu = Emulator(clock=ManualClock())
        >>> emu.advance(90); emu.clock() - 1_767_225_600.0
        90.0
        >>> Emulator().advance(1)  # doctest: +ELLIPSIS
        Traceback (most recent call last):
        friendli_dedicated.errors.InvalidInputError: Emulator.clock: advance needs a ManualClock ... a SystemClock
        """
        clock = self.clock
        if not isinstance(clock, ManualClock):
            raise InvalidInputError(
                "Emulator.clock",
                f"advance needs a ManualClock (Emulator(clock=ManualClock())), this one is a {type(clock).__name__}",
            )
        step = checks.duration("Emulator.advance.seconds", seconds)
        with self._lock:
            clock.advance(step)

    def inject(self, operation: str, status: int | str = 503, times: int = 1, retry_after: float | None = None) -> None:
        """Answer the next ``times`` requests of ``operation`` with a fault instead of handling them.

        - ``operation``: an operationId of the contract (``dedicatedCreateEndpoint``, ...) or the SDK's
          name for it (``create``, ``create_from_wandb``, ``get``, ``status``, ``list``, ``versions``,
          ``update``, ``delete``, ``sleep``, ``wake``, ``terminate``, ``restart``);
        - ``status``: 429 or a 5xx, or ``"drop"`` (the connection is closed without a response);
        - ``times``: how many requests (a whole number >= 1);
        - ``retry_after``: seconds (at most an hour) sent as ``Retry-After`` and ``retry-after-ms``.

        A request is matched by its route (method and path), whatever its token or body; it changes
        nothing. Injected faults come before random ones (``Faults``, whose draws they leave in
        place), in the order they were asked for, and are counted in ``stats.faults``. A bad value
        raises ``InvalidInputError`` naming it (``Emulator.inject.operation``, ...), and nothing is
        injected.

        >>> import friendli_dedicated as fd
        >>> emu = Emulator(clock=ManualClock())
        >>> emu.inject("status", 503, times=3)
        >>> with emu.client(max_retries=1) as client:
        ...     client.endpoints.status("ep-1")
        Traceback (most recent call last):
        friendli_dedicated.errors.ServerError: ...
        >>> emu.pending_faults(), [r.status for r in emu.requests_for("status")]
        ({'dedicatedGetEndpointStatus': 1}, [503, 503])
        """
        operation_id = controls.operation_id(self.contract, "Emulator.inject.operation", operation)
        fault = controls.checked_fault(status, retry_after)
        count = controls.checked_times(times)
        self._injections.add(operation_id, fault, times=count)

    def pending_faults(self) -> dict[str, int]:
        """The injected faults not used yet, as operationId -> how many (an empty dict: all used)."""
        return self._injections.pending()

    def fail(self, endpoint_id: str, error_code: str, phase: str | None = None) -> None:
        """Make the endpoint's next transition end FAILED with ``error_code`` (reported in ``phase``).

        A transition toward RUNNING under way (deploying, updating, waking) ends FAILED: at the end
        of ``phase`` if it still has that phase to go through, else at the end of its current step
        (see ``_lifecycle.fail_transition``). ``phase`` defaults to the phase the code belongs to
        (``WORKLOAD_INIT_*`` codes while downloading the model, others while the engine
        initialises), or the phase the endpoint is in if that one is past. With none under way (the
        endpoint is RUNNING, say), the failure is armed and ends the next one: an update, a wake, a
        restart (only the last armed failure counts).

        ``error_code`` is an ``InferenceDeploymentErrorCode`` of the contract and ``phase`` one of
        its phases or None; an unknown ``endpoint_id`` (of any team) raises ``InvalidInputError``
        too, each naming the field (``Emulator.fail.endpoint_id``, ...).

        >>> import friendli_dedicated as fd
        >>> emu = Emulator(clock=ManualClock())
        >>> with emu.client() as client:
        ...     ep = client.endpoints.create("proj", "chat", "org/model", fd.GPU.H100)
        ...     emu.fail(ep.id, "INFERENCE_ENGINE_MEMORY_ERROR")
        ...     ep.wait_until_running(timeout=600)
        Traceback (most recent call last):
        friendli_dedicated.errors.EndpointFailedError: endpoint ep-... (error_code=INFERENCE_ENGINE_MEMORY_ERROR, ...
        """
        error_code, phase = controls.checked_failure(self.contract, error_code, phase)
        with self._lock:
            record = self._endpoints.get(endpoint_id) if isinstance(endpoint_id, str) else None
            if record is None:
                shown = checks.shown(endpoint_id)
                raise InvalidInputError(
                    "Emulator.fail.endpoint_id", f"no endpoint has the id {shown} (see endpoint_ids())"
                )
            failed = life.fail_transition(record.timeline, self.clock(), error_code, phase)
            if failed is not None:
                record.timeline = failed
            else:
                record.armed_failure = (error_code, phase)

    @property
    def requests(self) -> list[LoggedRequest]:
        """The requests this emulator saw, oldest first: the last ``request_log`` of them (see ``_log``).

        >>> emu = Emulator(clock=ManualClock())
        >>> with emu.client() as client:
        ...     _ = list(client.endpoints.list("proj"))
        >>> [(r.method, r.path, r.facade_name, r.status) for r in emu.requests]
        [('GET', '/dedicated/beta/endpoint', 'list', 200)]
        """
        return self._log.entries()

    def requests_for(self, operation: str) -> list[LoggedRequest]:
        """The logged requests of ``operation`` (an operationId or the SDK's name, as for ``inject``), oldest first.

        >>> emu = Emulator(clock=ManualClock())
        >>> emu.requests_for("create")
        []
        """
        operation_id = controls.operation_id(self.contract, "Emulator.requests_for.operation", operation)
        return [entry for entry in self._log.entries() if entry.operation == operation_id]


def _clock(clock: Callable[[], float] | None) -> Callable[[], float]:
    if clock is None:
        return SystemClock()
    if not callable(clock):
        raise InvalidInputError(
            "Emulator.clock", f"must be a callable giving seconds since the epoch, got {checks.shown(clock)}"
        )
    try:
        now = clock()
    except TypeError as exc:
        raise InvalidInputError("Emulator.clock", "must be callable without arguments") from exc
    try:
        checks.timestamp("Emulator.clock", now)
    except InvalidInputError:
        raise InvalidInputError(
            "Emulator.clock", f"must give seconds since the epoch (0 to the end of year 9999), gave {checks.shown(now)}"
        ) from None
    return clock


def _tokens(given: Any) -> dict[str, tuple[str, ...]]:
    """token -> its teams, checked; a message names a token by its position, never by its value."""
    if not isinstance(given, Mapping) or not given:
        raise InvalidInputError("Emulator.tokens", "must be a non-empty mapping of token -> its teams")
    tokens: dict[str, tuple[str, ...]] = {}
    for number, (token, teams) in enumerate(given.items(), 1):
        field = f"Emulator.tokens[#{number}]"
        if not isinstance(token, str) or not _VISIBLE_ASCII.fullmatch(token):
            raise InvalidInputError(field, "the token must be a non-empty string of visible ASCII characters")
        if isinstance(teams, str | bytes) or not isinstance(teams, Sequence) or not teams:
            raise InvalidInputError(field, "its teams must be a non-empty sequence of team ids")
        for team in teams:
            if not (
                isinstance(team, str)
                and team
                and team == team.strip()
                and team.isprintable()
                and len(team) <= MAX_STRING_LENGTH
            ):
                raise InvalidInputError(
                    field,
                    f"a team id must be a printable string of 1 to {MAX_STRING_LENGTH} characters without "
                    f"surrounding spaces, got {checks.shown(team)}",
                )
        tokens[token] = tuple(teams)
    return tokens


def _artifact_name(artifact: str) -> str:
    """A default endpoint name from a W&B artifact version name: ``entity/project/model:v3`` -> ``model-v3``."""
    return artifact.rsplit("/", 1)[-1].replace(":", "-") or "wandb-endpoint"
