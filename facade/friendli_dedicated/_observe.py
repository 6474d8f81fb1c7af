"""What the SDK reports of its calls: log records, and (with telemetry) spans, events and metrics.

Every public method of ``client.endpoints`` is one *call*, named after it (``friendli.endpoints.create``,
``friendli.endpoints.wait_until_running``): ``instrument`` wraps them, and a wrapped method runs
in a ``Scope``, the current one of its thread or task (a ``ContextVar``, so it follows awaits). What
happens during the call reports to its scope:

- each HTTP attempt (``watch``, from the transport): a DEBUG record on the ``friendli_dedicated``
  logger, and with telemetry a CLIENT span, child of the call's, with the HTTP client attributes of
  OpenTelemetry's conventions and a ``traceparent`` header;
- a pause at the rate-limit gate: a DEBUG record, and an event and a measurement;
- each change of an endpoint's status or phase seen by a wait (``state_changed``): an INFO record on
  ``friendli_dedicated.waiter``, and an event on the wait's span and the phase's duration;
- how a fleet's endpoints ended (``outcomes``): span attributes and a counter.

The records carry their fields as ``extra`` (``operation``, ``http_status``, ``request_id``,
``endpoint_id``, ...), so that JSON log formatters show them; no record, span or measurement holds
the token or a header. A client without telemetry (``telemetry=False``, or no ``otel`` extra) opens a
scope only while the ``friendli_dedicated`` logger is enabled for INFO: otherwise a call costs one
attribute check and one logger check here, and one ``ContextVar`` read in the transport.

A create's requests are children of its own call, including the listing rounds it runs on behalf of
other creates in flight (``_creates``): the coordinator runs each create's flow in its caller's
thread or task, so whoever sends a request reports it.

>>> Scope.current() is None  # outside any call
True
"""

from __future__ import annotations

import functools
import inspect
import logging
from collections.abc import AsyncIterator, Callable, Iterator
from contextvars import ContextVar
from typing import TYPE_CHECKING, Any, TypeVar
from urllib.parse import quote

import httpx

from friendli_dedicated._status_errors import request_id_of

if TYPE_CHECKING:
    from opentelemetry.trace import Span

    from friendli_dedicated._config import ClientConfig
    from friendli_dedicated._models import EndpointState
    from friendli_dedicated._telemetry import Telemetry
    from friendli_dedicated._transport import Call, Reply, Sender

__all__ = ["Scope", "Watch", "instrument", "outcomes", "state_changed", "watch"]

T = TypeVar("T")
_Attributes = dict[str, str | int | float | bool]

_log = logging.getLogger("friendli_dedicated")
_waits = logging.getLogger("friendli_dedicated.waiter")
_current: ContextVar[Scope | None] = ContextVar("friendli_dedicated_call", default=None)
_IDS = ("endpoint_id", "project_id")  # the arguments a call's span is tagged with
_DEFAULT_PORTS = {"https": 443, "http": 80}


class Scope:
    """One call under way: its name, its span (with telemetry), the last request id it was given,
    and, for waits, when each endpoint entered the status and phase it was last seen in."""

    __slots__ = (
        "_otel_token",
        "_token",
        "clock",
        "config",
        "name",
        "phases",
        "request_id",
        "span",
        "started",
        "telemetry",
    )

    def __init__(
        self, name: str, telemetry: Telemetry | None, config: ClientConfig, clock: Callable[[], float]
    ) -> None:
        self.name = name
        self.telemetry = telemetry
        self.config = config
        """The client's configuration: the scope's calls are its (and its ``with_options`` copies')."""
        self.clock = clock
        self.started = clock()
        self.request_id: str | None = None
        self.span: Span | None = None
        self.phases: dict[str, tuple[str, str | None, float]] = {}
        self._token: Any = None
        self._otel_token: object = None

    @staticmethod
    def current() -> Scope | None:
        """The call under way in this thread or task, if it is reported."""
        return _current.get()

    @classmethod
    def open(cls, name: str, client: Any, telemetry: Telemetry | None, ids: dict[str, str]) -> Scope:
        """The scope of a call of ``client`` (its span started, not yet current), reported to
        ``telemetry`` if given."""
        sender = client._sender
        scope = cls(name, telemetry, sender.config, sender.clock)
        if scope.telemetry is not None:
            attributes: _Attributes = {f"friendli.{key.replace('_', '.')}": v for key, v in ids.items()}
            if sender.config.team_id is not None:
                attributes["friendli.team.id"] = sender.config.team_id
            scope.span = scope.telemetry.start_call(name, attributes)
        return scope

    def enter(self) -> None:
        self._token = _current.set(self)
        if self.span is not None:
            assert self.telemetry is not None
            self._otel_token = self.telemetry.enter(self.span)

    def leave(self) -> None:
        if self.span is not None:
            assert self.telemetry is not None
            self.telemetry.leave(self._otel_token)
        _current.reset(self._token)

    def close(self, result: object = None, error: BaseException | None = None) -> None:
        """The call ended, with ``result`` or ``error``: its span ends, its duration is measured."""
        telemetry, span = self.telemetry, self.span
        if telemetry is None or span is None:
            return
        metric: _Attributes = {"friendli.operation": self.name}
        endpoint_id, project_id = getattr(result, "id", None), getattr(result, "project_id", None)
        if isinstance(endpoint_id, str):
            span.set_attribute("friendli.endpoint.id", endpoint_id)
        if isinstance(project_id, str):
            span.set_attribute("friendli.project.id", project_id)
        status = getattr(getattr(result, "state", result), "status", None)
        if status is not None and isinstance(getattr(status, "value", None), str):
            span.set_attribute("friendli.endpoint.status", status.value)
        if self.request_id is not None:
            span.set_attribute("friendli.request.id", self.request_id)
        if error is not None:
            metric["error.type"] = type(error).__qualname__
            telemetry.fail(span, error, type(error).__qualname__)
        telemetry.call_duration.record(max(0.0, self.clock() - self.started), metric)
        span.end()
        self.span = None

    # -- what happens during the call -----------------------------------------------------------
    def paused(self, seconds: float) -> None:
        """The call's next attempt waited ``seconds`` at the client's rate-limit gate."""
        if _log.isEnabledFor(logging.DEBUG):
            _log.debug(
                "paused %.3fs at the rate-limit gate", seconds, extra={"operation": self.name, "paused": seconds}
            )
        if self.telemetry is not None and self.span is not None:
            self.span.add_event("friendli.rate_limit.pause", {"friendli.rate_limit.pause.duration": seconds})
            self.telemetry.paused.record(seconds, {"friendli.operation": self.name})

    def state_changed(self, endpoint_id: str, state: EndpointState, elapsed: float, serving: bool) -> None:
        telemetry, span = self.telemetry, self.span
        if telemetry is None or span is None:
            return
        status, phase = state.status.value, state.phase.value if state.phase is not None else None
        event: _Attributes = {
            "friendli.endpoint.id": endpoint_id,
            "friendli.endpoint.status": status,
            "friendli.wait.elapsed": elapsed,
        }
        if phase is not None:
            event["friendli.endpoint.phase"] = phase
        span.add_event("friendli.endpoint.state_change", event)
        previous = self.phases.pop(endpoint_id, None)
        if previous is not None:
            was: _Attributes = {
                "friendli.operation": self.name,
                "friendli.endpoint.status": previous[0],
            }
            if previous[1] is not None:
                was["friendli.endpoint.phase"] = previous[1]
            telemetry.phase_duration.record(max(0.0, elapsed - previous[2]), was)
        if serving:
            telemetry.time_to_running.record(max(0.0, elapsed), {"friendli.operation": self.name})
        else:
            self.phases[endpoint_id] = (status, phase, elapsed)


# -- the hooks of the rest of the SDK -------------------------------------------------------------
def watch(sender: Sender, call: Call[Any]) -> Watch | None:
    """What the transport reports ``call``'s attempts to, or None when nobody listens (no call of
    this client is under way here)."""
    scope = _current.get()
    if scope is None or scope.config is not sender.config:  # another client's call (a callback's)
        return None
    return Watch(scope, call, sender.clock)


def state_changed(endpoint_id: str, state: EndpointState, elapsed: float, *, serving: bool) -> None:
    """A wait saw ``endpoint_id`` in a new status or phase (``serving``: RUNNING or READY)."""
    scope = _current.get()
    if _waits.isEnabledFor(logging.INFO):
        phase = state.phase.value if state.phase is not None else None
        _waits.info(
            "endpoint %s: %s%s (%.0fs elapsed)",
            endpoint_id,
            state.status.value,
            f", phase {phase}" if phase is not None else "",
            elapsed,
            extra={
                "operation": scope.name if scope is not None else None,
                "endpoint_id": endpoint_id,
                "endpoint_status": state.status.value,
                "phase": phase,
                "elapsed": elapsed,
                "request_id": scope.request_id if scope is not None else None,
            },
        )
    if scope is not None:
        scope.state_changed(endpoint_id, state, elapsed, serving)


def outcomes(**counts: int) -> None:
    """How the endpoints of a fleet wait (or an apply) ended: ``outcomes(running=3, failed=1)``."""
    scope = _current.get()
    if scope is None or scope.telemetry is None or scope.span is None:
        return
    for outcome, count in counts.items():
        scope.span.set_attribute(f"friendli.endpoints.{outcome}", count)
        if count:
            scope.telemetry.outcomes.add(count, {"friendli.operation": scope.name, "friendli.outcome": outcome})


class Watch:
    """One call's attempts, as the transport sends them: ``gate`` (before the gate's pause),
    ``sending`` (the request is built), ``done`` (its reply or error, before the retry decision)."""

    __slots__ = ("_gate_from", "_request", "attempt", "call", "clock", "last_error", "scope", "span", "started")

    def __init__(self, scope: Scope, call: Call[Any], clock: Callable[[], float]) -> None:
        self.scope = scope
        self.call = call
        self.clock = clock
        self.attempt = 0
        """Attempts done: the next one's ``http.request.resend_count``."""
        self.last_error: str | None = None
        self.span: Span | None = None
        self.started = 0.0
        self._gate_from: float | None = None
        self._request: _Attributes = {}
        """The attributes of the attempt under way that its measurement shares."""

    def gate(self, pause: float) -> None:
        if pause > 0:
            self._gate_from = self.clock()

    def sending(self, request: httpx.Request) -> None:
        self.started = now = self.clock()
        if self._gate_from is not None:
            self.scope.paused(now - self._gate_from)
            self._gate_from = None
        telemetry = self.scope.telemetry
        if telemetry is None:
            return
        self._request = self._request_attributes(request)
        attributes = dict(self._request)
        attributes["url.full"] = _url(request.url)
        attributes["url.template"] = template = _template(self.call)
        if self.call.endpoint_id is not None:
            attributes["friendli.endpoint.id"] = self.call.endpoint_id
        if self.call.project_id is not None:
            attributes["friendli.project.id"] = self.call.project_id
        if self.scope.config.team_id is not None:
            attributes["friendli.team.id"] = self.scope.config.team_id
        if self.attempt:
            attributes["http.request.resend_count"] = self.attempt
            retry = {"friendli.operation": self.scope.name, "friendli.api.operation": self.call.operation}
            telemetry.retries.add(1, {**retry, "error.type": self.last_error or "_OTHER"})
        self.span = telemetry.start_attempt(f"{request.method} {template}", attributes)
        telemetry.inject(self.span, request.headers)

    def done(self, request: httpx.Request, reply: Reply | None, error: BaseException | None) -> None:
        """The attempt ended: ``reply`` (any status), or ``error`` (None with no reply: the deadline
        passed while the reply was arriving)."""
        seconds = max(0.0, self.clock() - self.started)
        status = reply.status_code if reply is not None else None
        request_id = request_id_of(reply.headers) if reply is not None else None
        if request_id is not None:
            self.scope.request_id = request_id
        if reply is None:
            error_type: str | None = type(error).__qualname__ if error is not None else "TimeoutError"
        else:
            error_type = str(status) if status is not None and status >= 400 else None
        self.last_error = error_type
        if _log.isEnabledFor(logging.DEBUG):
            self._record(request, status, error_type, request_id, seconds)
        telemetry, span = self.scope.telemetry, self.span
        if telemetry is not None and span is not None:
            metric = self._request
            if status is not None:
                span.set_attribute("http.response.status_code", status)
                metric["http.response.status_code"] = status
            if request_id is not None:
                span.set_attribute("friendli.request.id", request_id)
            if error_type is not None:
                metric["error.type"] = error_type
                telemetry.fail(span, error if reply is None else None, error_type)
            telemetry.request_duration.record(seconds, metric)
            span.end()
            self.span = None
        self.attempt += 1

    def _request_attributes(self, request: httpx.Request) -> _Attributes:
        url = request.url
        return {
            "http.request.method": request.method,
            "server.address": url.host,
            "server.port": url.port or _DEFAULT_PORTS.get(url.scheme, 0),
            "friendli.operation": self.scope.name,
            "friendli.api.operation": self.call.operation,
        }

    def _record(
        self, request: httpx.Request, status: int | None, error_type: str | None, request_id: str | None, seconds: float
    ) -> None:
        outcome = str(status) if status is not None else error_type
        suffix = f", request id {request_id}" if request_id else ""
        _log.debug(
            "%s %s -> %s in %.3fs (attempt %d%s)",
            request.method,
            request.url.path,
            outcome,
            seconds,
            self.attempt + 1,
            suffix,
            extra={
                "operation": self.scope.name,
                "api_operation": self.call.operation,
                "http_method": request.method,
                "http_status": status,
                "error_type": error_type,
                "request_id": request_id,
                "endpoint_id": self.call.endpoint_id,
                "project_id": self.call.project_id,
                "attempt": self.attempt + 1,
                "duration": seconds,
            },
        )


def _url(url: httpx.URL) -> str:
    """``url.full``: the URL without credentials (the SDK's have none: its base URL refuses them)."""
    return str(url.copy_with(username=None, password=None)) if url.userinfo else str(url)


def _template(call: Call[Any]) -> str:
    """``url.template``: the call's path with its endpoint id as ``{endpoint_id}``."""
    path: str = call.kwargs["url"]
    if call.endpoint_id is None:
        return path
    quoted = quote(call.endpoint_id, safe="")  # as the generated client puts it in the path
    return "/".join("{endpoint_id}" if part == quoted else part for part in path.split("/"))


# -- the calls: the public methods of client.endpoints ---------------------------------------------
def instrument(cls: type, prefix: str, *, skip: frozenset[str] = frozenset(), of_client: bool = False) -> None:
    """Make every public method of ``cls`` (but ``skip``) one reported call, ``{prefix}.{method}``.

    The call is that of the methods' object's ``_client`` (the resources), or, ``of_client``, of the
    object itself (the client's own methods: ``costs``, ``apply``). A method that returns an
    iterator is one call from its first item to its last; a coroutine function stays one
    (``inspect`` sees the same signature and kind: ``functools.wraps``).
    """
    client_of: Callable[[Any], Any] = _itself if of_client else _client_attribute
    for name, member in list(vars(cls).items()):
        if name.startswith("_") or name in skip or not inspect.isfunction(member):
            continue
        if inspect.iscoroutinefunction(member):
            wrap = _async_call
        elif str(inspect.signature(member).return_annotation).startswith(("Iterator[", "AsyncIterator[")):
            wrap = _iterator_call
        else:
            wrap = _sync_call
        setattr(cls, name, wrap(f"{prefix}.{name}", member, _positions(member), client_of))


def _client_attribute(owner: Any) -> Any:
    return owner._client


def _itself(client: Any) -> Any:
    return client


def _positions(method: Callable[..., Any]) -> dict[str, int]:
    """Where the arguments in ``_IDS`` are among the positional ones (``self`` not counted)."""
    names = list(inspect.signature(method).parameters)[1:]
    return {name: names.index(name) for name in _IDS if name in names}


def _ids(positions: dict[str, int], args: tuple[Any, ...], kwargs: dict[str, Any]) -> dict[str, str]:
    found: dict[str, str] = {}
    for name, index in positions.items():
        value = kwargs.get(name, args[index] if index < len(args) else None)
        if isinstance(value, str):
            found[name] = value
    return found


_NOBODY: Any = object()


def _audience(client: Any) -> Any:
    """Who listens to ``client``'s calls: its ``Telemetry`` while OpenTelemetry is live (a provider
    configured, or a span to propagate), else None while INFO records are wanted, else ``_NOBODY``."""
    telemetry = client._telemetry
    if telemetry is not None and telemetry.live():
        return telemetry
    return None if _log.isEnabledFor(logging.INFO) else _NOBODY


def _sync_call(
    name: str, method: Callable[..., Any], positions: dict[str, int], client_of: Callable[[Any], Any]
) -> Callable[..., Any]:
    @functools.wraps(method)
    def call(self: Any, *args: Any, **kwargs: Any) -> Any:
        client = client_of(self)
        telemetry = _audience(client)
        if telemetry is _NOBODY:
            return method(self, *args, **kwargs)
        scope = Scope.open(name, client, telemetry, _ids(positions, args, kwargs))
        scope.enter()
        try:
            result = method(self, *args, **kwargs)
        except BaseException as exc:
            scope.close(error=exc)
            raise
        finally:
            scope.leave()
        scope.close(result)
        return result

    return call


def _iterator_call(
    name: str, method: Callable[..., Any], positions: dict[str, int], client_of: Callable[[Any], Any]
) -> Callable[..., Any]:
    """A method that returns an iterator (``list``, ``versions``): it only checks its arguments, and
    the call is the iteration, from the first item asked for to the last."""

    @functools.wraps(method)
    def call(self: Any, *args: Any, **kwargs: Any) -> Any:
        client = client_of(self)
        items = method(self, *args, **kwargs)
        telemetry = _audience(client)
        if telemetry is _NOBODY:
            return items
        opener = functools.partial(Scope.open, name, client, telemetry, _ids(positions, args, kwargs))
        return _aiterate(opener, items) if isinstance(items, AsyncIterator) else _iterate(opener, items)

    return call


def _async_call(
    name: str, method: Callable[..., Any], positions: dict[str, int], client_of: Callable[[Any], Any]
) -> Callable[..., Any]:
    @functools.wraps(method)
    async def call(self: Any, *args: Any, **kwargs: Any) -> Any:
        client = client_of(self)
        telemetry = _audience(client)
        if telemetry is _NOBODY:
            return await method(self, *args, **kwargs)
        scope = Scope.open(name, client, telemetry, _ids(positions, args, kwargs))
        scope.enter()
        try:
            result = await method(self, *args, **kwargs)
        except BaseException as exc:
            scope.close(error=exc)
            raise
        finally:
            scope.leave()
        scope.close(result)
        return result

    return call


def _iterate(opener: Callable[[], Scope], items: Iterator[T]) -> Iterator[T]:
    """``items``, as one call (``opener()``) from the first item asked for to the last, or to the end."""
    scope: Scope | None = None
    error: BaseException | None = None
    try:
        while True:
            if scope is None:
                scope = opener()
            scope.enter()
            try:
                item = next(items)
            except StopIteration:
                return
            finally:
                scope.leave()
            yield item
    except BaseException as exc:
        error = None if isinstance(exc, GeneratorExit) else exc
        raise
    finally:
        if scope is not None:
            scope.close(error=error)


async def _aiterate(opener: Callable[[], Scope], items: AsyncIterator[T]) -> AsyncIterator[T]:
    """The async twin of ``_iterate``."""
    scope: Scope | None = None
    error: BaseException | None = None
    try:
        while True:
            if scope is None:
                scope = opener()
            scope.enter()
            try:
                item = await anext(items)
            except StopAsyncIteration:
                return
            finally:
                scope.leave()
            yield item
    except BaseException as exc:
        error = None if isinstance(exc, GeneratorExit) else exc
        raise
    finally:
        if scope is not None:
            scope.close(error=error)
