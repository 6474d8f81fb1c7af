"""Request admission: everything a request goes through before its operation, and the request log.

Both runners (the in-process httpx transport and the HTTP server) call the same ``Admission``, so
what a test sees in-process is what a client sees over a socket. A request goes through, in order:
the fault decision, an injected fault of its route's operation first, then a random one (before
anything else, so a refused or dropped request changes nothing), the bearer token (401), the rate
limit (429), the route from the contract (404/405), the team (403), the declared body size (413):
all before the body is read; then the body's size (413), the parameters and body checked against
the contract (422), and the operation (``_operations``), on state kept in memory. Every request,
whatever its answer, is then added to the request log.

``handle`` takes a whole request. A runner that reads bodies itself (the HTTP server) calls
``head`` first, and reads the body only if that did not already answer, at most
``RequestHead.body_limit`` bytes, for ``body``: so a 100 MB body without a token is never read,
nor one over the limit.

>>> from friendli_dedicated.emulator import Emulator, ManualClock
>>> emu = Emulator(clock=ManualClock())
>>> emu.handle("GET", "/dedicated/beta/endpoint", [("limit", "5")], {}, b"").status  # no token
401
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import attrs

from friendli_dedicated._validate import shown
from friendli_dedicated.emulator import _controls as controls
from friendli_dedicated.emulator._contract import Contract, Operation
from friendli_dedicated.emulator._faults import FaultDecider, Faults, Stats
from friendli_dedicated.emulator._http import RequestHead, Response, retry_after_headers
from friendli_dedicated.emulator._log import LoggedRequest, RequestLog
from friendli_dedicated.emulator._operations import Context, Operations
from friendli_dedicated.emulator._ratelimit import RateLimiter

__all__ = ["Admission", "Request"]

_TEAM_HEADER = "X-Friendli-Team"


@attrs.frozen
class Request:
    """What a request is before its body is read: ``headers`` match in any case; ``query`` is the
    query string's (name, value) pairs; ``content_length`` the declared body size, if any."""

    method: str
    path: str
    query: Sequence[tuple[str, str]]
    headers: Mapping[str, str]
    content_length: int | None = None


class Admission:
    """The way in of one emulator's requests (see the module's docstring). Thread-safe, under ``lock``.

    ``tokens``: token -> its teams (the first its default); ``operations`` answers what is admitted.
    It owns what it uses up and what it writes: ``injections``, the faults asked for
    (``Emulator.inject``), and ``log``, the last ``request_log`` requests (``Emulator.requests``).
    """

    def __init__(
        self,
        *,
        contract: Contract,
        operations: Operations,
        clock: Callable[[], float],
        tokens: Mapping[str, Sequence[str]],
        faults: Faults | None,
        rate_limit: float | None,
        max_body_size: int,
        request_log: int | None,
        stats: Stats,
        lock: threading.RLock,
    ) -> None:
        self._contract = contract
        self._operations = operations
        self._clock = clock
        self._tokens = tokens
        self._creators = {token: f"emulator-user-{number}" for number, token in enumerate(tokens, 1)}
        self._faults = faults
        self._decider = FaultDecider(faults)
        self._rate_limit = rate_limit
        self._limiter = RateLimiter(rate_limit) if rate_limit is not None else None
        self._max_body_size = max_body_size
        self.injections = controls.Injections()
        self.log = RequestLog(request_log)
        self._stats = stats
        self._lock = lock

    def handle(self, request: Request, body: bytes) -> Response:
        """Answer one whole request: ``Response.dropped`` means "close without answering"."""
        with self._lock:
            head = self.head(request)
            if isinstance(head, Response):
                return head
            return self.body(head, body)

    def head(self, request: Request) -> Response | RequestHead:
        """The checks made before a body is read: a ``Response`` if they answer the request, else the
        ``RequestHead`` to finish with ``body``."""
        self._stats.count_request()
        now = self._clock()
        matched = self._contract.match(request.method, request.path)
        operation = None if isinstance(matched, str) else matched[0].operation_id
        with self._lock:
            # Drawn for every request, so that injecting a fault does not move the random ones.
            random_fault = self._decider.decide()
        injected = self.injections.take(operation) if operation is not None else None
        if injected is not None:
            self._stats.count_fault(injected.kind)
            answer: Response | RequestHead = injected.response()
        elif random_fault is not None:
            self._stats.count_fault(random_fault)
            answer = self._fault(random_fault)
        else:
            answer = self._admit(request, matched, now)
            if isinstance(answer, Response):
                self._stats.count_response(answer.status)
        if isinstance(answer, Response):
            self._record(request.method, request.path, request.query, operation, None, answer, now)
        return answer

    def body(self, head: RequestHead, body: bytes) -> Response:
        """Finish a request that ``head`` let through, with its body (at most ``head.body_limit`` bytes)."""
        with self._lock:
            response, parsed = self._perform(head, body)
        self._stats.count_response(response.status)
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
        if not self.log.enabled:
            return
        self.log.append(
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
        wait = self._faults.retry_after if self._faults is not None else 0.0
        headers = {"retry-after": f"{wait:g}", "retry-after-ms": f"{round(wait * 1000)}"}
        if kind == "429":
            return Response.detail(429, "Too Many Requests (emulated fault)", headers)
        return Response.detail(503, "Service Unavailable (emulated fault)", headers)

    def _too_large(self) -> Response:
        return Response.detail(413, f"Request body too large: the emulator reads at most {self._max_body_size} bytes")

    def _admit(
        self, request: Request, matched: tuple[Operation, dict[str, str]] | str, now: float
    ) -> Response | RequestHead:
        headers = {name.lower(): value for name, value in request.headers.items()}
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
                self._stats.count_rate_limited()
                return Response.detail(
                    429,
                    f"Too Many Requests: the emulator admits {self._rate_limit:g} requests per second per token",
                    retry_after_headers(wait),
                )
        if matched == "404":
            return Response.detail(404, "Not Found")
        if matched == "405":
            # RFC 9110 (15.5.6): a 405 must say, in Allow, which methods the resource does support.
            allowed = ", ".join(self._contract.allowed_methods(request.path))
            return Response.detail(405, "Method Not Allowed", {"allow": allowed})
        assert not isinstance(matched, str)
        operation, path_params = matched
        params, issues = self._contract.parameters(operation, path_params, request.query, headers)
        wanted = params.get(_TEAM_HEADER)
        team = teams[0] if wanted in (None, "") else str(wanted)
        if team not in teams:
            return Response.detail(403, f"This token may not act for team {shown(team)}")
        if request.content_length is not None and request.content_length > self._max_body_size:
            return self._too_large()
        return RequestHead(
            operation=operation,
            path_params=path_params,
            params=params,
            issues=tuple(issues),
            team=team,
            creator=self._creators[token],
            content_type=headers.get("content-type"),
            body_limit=self._max_body_size + 1,
            method=request.method,
            path=request.path,
            query=tuple(request.query),
            received_at=now,
        )

    def _perform(self, head: RequestHead, body: bytes) -> tuple[Response, Any]:
        """The response, and the body as parsed (None if it was not read as JSON), for the log."""
        if len(body) > self._max_body_size:
            return self._too_large(), None
        parsed, body_issues = self._contract.body(head.operation, body, head.content_type)
        issues = [*head.issues, *body_issues]
        if issues:
            return Response.invalid(issues), parsed
        context = Context(head.team, head.creator, self._clock(), head.params, parsed)
        return self._operations.perform(
            head.operation.operation_id, context, head.path_params.get("endpoint_id")
        ), parsed
