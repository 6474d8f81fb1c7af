"""``Client`` and ``AsyncClient``: configuration, the HTTP client, and the ``endpoints`` resource.

The one rule for sync and async: multi-call logic is a flow, driven by both clients; only
concurrency primitives and I/O have sync and async twins.

- A flow (``_flows``) is a generator that yields the calls it needs sent, the pauses it needs slept
  and, when it shares state with other calls, the conditions it waits for. Every operation of more
  than one request is one: pagination, listing a project and update (``_flows``), create and
  finding the new endpoint's id (``_creates``), waiting for an endpoint (``_waiter``, until it
  serves too: ``_serving``) and for a fleet (``_fleet``), terminating a short-lived one
  (``_ephemeral``). Their decisions are I/O-free objects (``_waiter._Wait``, ``_serving.Unanswered``,
  ``_fleet._FleetWait``, ``_project_view.ProjectView``, ``_ephemeral.Lease``), tested once for both
  clients.
- The twins decide nothing. I/O: sending one call (``_transport.send_sync``, ``send_async``) and
  driving a flow (each client's ``_steps`` and ``_drive``, which may cap every call of the flow at
  a deadline: the waits'). Concurrency: the drivers of flows that share state
  (``_coordination.Coordinator``, ``AsyncCoordinator``). The shells in ``_resources`` (and
  ``_async_resources``), ``_endpoint`` and ``_creates`` check inputs, pick the call or the flow, and
  send or drive it; ``_ephemeral``'s two context managers only sequence those methods (and shield
  the async terminate from cancellation).

Endpoints as code (``plan``, ``apply``, ``export``) are methods the clients inherit from
``_declarative``, whose twins only drive the flows of ``_planner`` and ``_apply``; so is ``costs``,
from ``_costs``, whose twins drive its one flow.

Everything else is shared: requests come from ``_calls`` (built by the generated client), request
bodies from ``_bodies``, retries, deadlines and errors from ``_transport``. Both clients are built by
one constructor, ``_ClientBase._setup`` (arguments, environment, the testing kit's redirect, the
injected sleep, clock and randomness); they differ only in the HTTP client and the sleep they use,
and the classes of their resources and creates.
"""

from __future__ import annotations

import asyncio
import copy
import random as _random
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from types import TracebackType
from typing import Any, ClassVar, Self, TypeVar

import attrs
import httpx

from friendli_dedicated import _redirect
from friendli_dedicated._async_resources import AsyncEndpoints
from friendli_dedicated._client_views import AsyncCreates, Creates
from friendli_dedicated._config import DEFAULT_TIMEOUT, ClientConfig
from friendli_dedicated._costs import AsyncCosting, Costing
from friendli_dedicated._declarative import AsyncDeclarative, Declarative
from friendli_dedicated._flows import Batch, Emit, Flow, Pause, Until
from friendli_dedicated._resources import Endpoints
from friendli_dedicated._retry import RetryPolicy
from friendli_dedicated._telemetry import Telemetry, shared as shared_telemetry
from friendli_dedicated._transport import Call, Sender, send_async, send_sync
from friendli_dedicated._validate import TIMEOUT_MAX, callback, flag, is_finite_number, seconds
from friendli_dedicated.errors import ConfigurationError, FriendliError, InvalidInputError

__all__ = ["NOT_GIVEN", "AsyncClient", "Client"]

T = TypeVar("T")
C = TypeVar("C", bound="_ClientBase")


class _NotGiven:
    def __repr__(self) -> str:
        return "NOT_GIVEN"


NOT_GIVEN: Any = _NotGiven()
"""The default of arguments whose absence means something other than None."""


def _limits(timeout: object, http_client: httpx.Client | httpx.AsyncClient | None) -> tuple[httpx.Timeout, float]:
    """(per-operation httpx timeouts, deadline of a whole call) from ``timeout``.

    A number bounds both: each operation and the whole call, retries included. An ``httpx.Timeout``
    sets the operations' limits, and the call's deadline is the longest of them. Without either,
    the injected client's own timeouts, else ``DEFAULT_TIMEOUT``. There is always a deadline:
    ``None`` (wait forever) is refused, and operations without a limit are still cut off by it.
    """
    if timeout is NOT_GIVEN:
        per_operation = http_client.timeout if http_client is not None else DEFAULT_TIMEOUT
        longest = _longest(per_operation) or _longest(DEFAULT_TIMEOUT) or 60.0
        return per_operation, min(longest, TIMEOUT_MAX)  # an injected client's limits are then capped by it
    if isinstance(timeout, httpx.Timeout):
        limit = _longest(timeout)
        if limit is None:
            raise InvalidInputError("timeout", "an httpx.Timeout without any limit would wait forever")
        return timeout, seconds(limit, "timeout")  # its longest limit is the call's deadline: at most TIMEOUT_MAX
    if timeout is None:
        raise InvalidInputError("timeout", "None would wait forever; pass a number of seconds or an httpx.Timeout")
    total = seconds(timeout, "timeout", allow_zero=False)
    return httpx.Timeout(total), total


def _longest(timeout: httpx.Timeout) -> float | None:
    limits = (timeout.connect, timeout.read, timeout.write, timeout.pool)
    finite = [float(value) for value in limits if value is not None and is_finite_number(value) and value > 0]
    return max(finite) if finite else None


def _policy(max_retries: object, retry: object) -> RetryPolicy:
    if retry is not None:
        if not isinstance(retry, RetryPolicy):
            raise InvalidInputError("retry", f"must be a RetryPolicy, got {type(retry).__name__}")
        if max_retries is not NOT_GIVEN:
            raise InvalidInputError("max_retries", "give either max_retries or retry=RetryPolicy(...), not both")
        return retry
    if max_retries is NOT_GIVEN:
        return RetryPolicy()
    return RetryPolicy(max_retries=max_retries)  # type: ignore[arg-type] # checked by RetryPolicy


def _checked_source(
    value: object, field: str, default: Callable[[], float], *, low: float | None = None, high: float | None = None
) -> Callable[[], float]:
    """An injected clock or random source, called once now: a wrong one fails here, not mid-wait."""
    source = callback(value, field)
    if source is None:
        return default
    try:
        sample = source()
    except Exception as exc:
        raise InvalidInputError(field, f"calling it failed: {type(exc).__name__}") from None
    if not is_finite_number(sample):
        raise InvalidInputError(field, f"must return a finite number, returned {type(sample).__name__}")
    if (low is not None and sample < low) or (high is not None and sample >= high):
        raise InvalidInputError(field, f"must return a number in [{low}, {high}), returned {sample!r}")
    return source


# The arguments ``Client`` took by position in 1.x, in order: every one is keyword-only since 2.0.0.
_POSITIONAL_1X = ("token", "team_id", "base_url", "timeout", "max_retries", "http_client", "allow_insecure")


def _positional_refusal(name: str, count: int) -> TypeError:
    """The error of ``Client(value, ...)``: Python's own ("takes 1 positional argument but 3 were
    given") says neither that every argument is keyword-only nor which keyword each value was for.
    The values are not shown: the first would be the token."""
    meant = ", ".join(f"{keyword}=..." for keyword in _POSITIONAL_1X[:count])
    if count > len(_POSITIONAL_1X):
        meant += ", ..."
    given = "1 was" if count == 1 else f"{count} were"
    return TypeError(f"{name}() takes no positional arguments since 2.0.0, but {given} given: write {name}({meant})")


class _ClientBase:
    """What both clients share besides I/O: construction, configuration, retry policy, timeouts, clock.

    The two shells differ only in ``_http_type`` (the httpx client they build or accept),
    ``_creates_type``, ``_fallback_sleep`` (the sleep when none is given) and ``_bind_resources``
    (``Endpoints`` or ``AsyncEndpoints``); every method an application calls has the same name and
    arguments in both (``tests/sdk/test_parity.py``).
    """

    _http_type: ClassVar[type[httpx.Client] | type[httpx.AsyncClient]]
    _creates_type: ClassVar[type[Creates] | type[AsyncCreates]]
    _http: httpx.Client | httpx.AsyncClient
    _creates: Creates | AsyncCreates
    _sleep: Callable[[float], Any]
    _sender: Sender
    _telemetry: Telemetry | None
    _owns_http: bool
    _exposed: bool
    """Sends on the network to a non-loopback host of its own: refused while the testing kit is active."""
    _inference_transport: Callable[[], httpx.MockTransport] | None
    """Where the in-process runners route this client (the testing kit's redirect, ``Emulator.client()``):
    a new transport to the same emulator for each OpenAI client of ``_openai``; None: the network."""

    def __new__(cls, *args: object, **kwargs: object) -> Self:
        # Before __init__, whose TypeError would name no keyword; a subclass with an __init__ of its
        # own decides for itself what it takes.
        if args and cls.__init__.__module__ == __name__:
            raise _positional_refusal(cls.__name__, len(args))
        return super().__new__(cls)

    def _setup(
        self,
        *,
        token: object,
        team_id: object,
        base_url: object,
        timeout: object,
        max_retries: object,
        retry: object,
        http_client: object,
        allow_insecure: object,
        sleep: object,
        clock: object,
        random: object,
        telemetry: object,
    ) -> None:
        """The one constructor of both clients: every argument is checked before anything is built,
        so a refused client holds nothing open."""
        traced = flag(telemetry, "telemetry")
        if http_client is not None and not isinstance(http_client, self._http_type):
            raise ConfigurationError(
                f"http_client: must be an httpx.{self._http_type.__name__}, got {type(http_client).__name__}",
                field="http_client",
            )
        redirect = _redirect.current(f"{type(self).__name__}()") if base_url is None and http_client is None else None
        if redirect is not None:  # inside friendli_dedicated.testing.mock_friendli: the emulator, in-process
            token, team_id, base_url, allow_insecure = redirect.token, redirect.team_id, redirect.base_url, True
            clock = clock or redirect.clock
        config = ClientConfig.resolve(
            token=token,  # type: ignore[arg-type] # checked by resolve
            team_id=team_id,  # type: ignore[arg-type]
            base_url=base_url,  # type: ignore[arg-type]
            allow_insecure=allow_insecure,  # type: ignore[arg-type]
        )
        per_operation, total = _limits(timeout, http_client)
        self._sender = Sender(
            config=config,
            policy=_policy(max_retries, retry),
            timeout=per_operation,
            total=total,
            random=_checked_source(random, "random", _random.random, low=0.0, high=1.0),
            clock=_checked_source(clock, "clock", time.monotonic),
        )
        self._sleep = callback(sleep, "sleep", arguments=1) or self._fallback_sleep(redirect)
        # OpenTelemetry, imported here on the first client that wants it (None: not installed, or off).
        self._telemetry = shared_telemetry() if traced else None
        self._creates = self._creates_type()
        self._owns_http = http_client is None
        transport = None if redirect is None else redirect.transport()
        self._http = http_client or self._http_type(transport=transport, follow_redirects=False)
        self._exposed = _redirect.exposed(self.base_url, redirected=redirect is not None, injected=not self._owns_http)
        self._inference_transport = None if redirect is None else redirect.transport
        self._bind_resources()

    @staticmethod
    def _fallback_sleep(redirect: _redirect.Redirect | None) -> Callable[[float], Any]:
        raise NotImplementedError

    def _bind_resources(self) -> None:
        raise NotImplementedError

    @property
    def base_url(self) -> str:
        """The API's base URL."""
        return self._sender.config.base_url

    @property
    def team_id(self) -> str | None:
        """The team the client acts as (sent as ``X-Friendli-Team``), if any."""
        return self._sender.config.team_id

    @property
    def timeout(self) -> float:
        """The deadline of one call in seconds, retries included."""
        return self._sender.total

    @property
    def retry(self) -> RetryPolicy:
        """The retry policy of idempotent requests."""
        return self._sender.policy

    def with_options(
        self: C,
        *,
        timeout: float | httpx.Timeout = NOT_GIVEN,
        max_retries: int = NOT_GIVEN,
        retry: RetryPolicy | None = None,
    ) -> C:
        """A client like this one, sharing its connections, with another timeout or retry policy.

        The new client does not close the connections: the original does.

        >>> import friendli_dedicated as fd
        >>> client = fd.Client(token="flp_example")
        >>> quick = client.with_options(timeout=5, max_retries=0)
        >>> quick.timeout, quick.retry.max_retries, client.timeout
        (5.0, 0, 60.0)
        >>> client.close()
        """
        sender = self._sender
        if timeout is not NOT_GIVEN:
            per_operation, total = _limits(timeout, None)
            sender = attrs.evolve(sender, timeout=per_operation, total=total)
        if max_retries is not NOT_GIVEN or retry is not None:
            sender = attrs.evolve(sender, policy=_policy(max_retries, retry))
        clone = copy.copy(self)
        clone._sender = sender
        clone._owns_http = False
        clone._bind_resources()
        return clone

    def __repr__(self) -> str:
        return f"{type(self).__name__}(base_url={self.base_url!r}, team_id={self.team_id!r})"


class Client(Costing, Declarative, _ClientBase):
    """The synchronous client.

    Every argument is keyword-only (``fd.Client(token=..., team_id=...)``); a value given by
    position raises ``TypeError`` naming the keyword it was meant for. Arguments override
    environment variables, which are read here (never at import time):
    ``FRIENDLI_TOKEN`` (token, required), ``FRIENDLI_TEAM`` (team_id, sent as X-Friendli-Team),
    ``FRIENDLI_BASE_URL`` (base_url, default https://api.friendli.ai).

    - ``timeout``: seconds (default 60) within which every call returns, whatever the server does:
      all its attempts and backoff included, each network operation cut off when time runs out.
      An ``httpx.Timeout`` sets httpx's per-operation limits instead (the call's deadline is then
      the longest of them). With ``http_client`` and no ``timeout``, that client's own timeouts;
    - ``max_retries`` (default 2) or ``retry=fd.RetryPolicy(...)``: retries of idempotent requests
      on connection errors, timeouts, 429 and 502/503/504, with backoff and jitter (0 disables them;
      create is never re-sent once it may have reached the server);
    - ``http_client``: an ``httpx.Client`` for proxies, custom transports and tests (the caller
      closes it);
    - ``allow_insecure``: permit plain ``http://`` to a non-loopback host;
    - ``sleep``, ``clock``, ``random``: injectable for tests, which then never wait for real;
    - ``telemetry`` (default True): with the ``otel`` extra, a span per call (with a child per HTTP
      attempt) and metrics, on the globally configured OpenTelemetry providers (no-ops until the
      application configures one); False: none from this client. Logs follow ``logging`` alone.

    Bad arguments raise ``ConfigurationError`` (token, team, base URL, HTTP client) or
    ``InvalidInputError`` (the rest), naming the argument; the token is never shown.
    ``client.with_options(timeout=..., max_retries=...)`` gives a variant sharing the connections.

    >>> import friendli_dedicated as fd
    >>> with fd.Client() as client:  # FRIENDLI_TOKEN (and FRIENDLI_TEAM, FRIENDLI_BASE_URL) from the environment
    ...     created = client.endpoints.create("proj", "chat", "org/model", "1x H100")
    ...     created.id in {ep.id for ep in client.endpoints.list("proj")}
    True
    """

    _http_type = httpx.Client
    _creates_type = Creates
    _http: httpx.Client
    _creates: Creates
    _sleep: Callable[[float], None]

    def __init__(
        self,
        *,
        token: str | None = None,
        team_id: str | None = None,
        base_url: str | None = None,
        timeout: float | httpx.Timeout = NOT_GIVEN,
        max_retries: int = NOT_GIVEN,
        http_client: httpx.Client | None = None,
        allow_insecure: bool = False,
        retry: RetryPolicy | None = None,
        sleep: Callable[[float], None] | None = None,
        clock: Callable[[], float] | None = None,
        random: Callable[[], float] | None = None,
        telemetry: bool = True,
    ) -> None:
        self._setup(
            token=token,
            team_id=team_id,
            base_url=base_url,
            timeout=timeout,
            max_retries=max_retries,
            http_client=http_client,
            allow_insecure=allow_insecure,
            retry=retry,
            sleep=sleep,
            clock=clock,
            random=random,
            telemetry=telemetry,
        )

    @staticmethod
    def _fallback_sleep(redirect: _redirect.Redirect | None) -> Callable[[float], None]:
        return (redirect.sleep if redirect is not None else None) or time.sleep

    def _bind_resources(self) -> None:
        self.endpoints = Endpoints(self)

    def close(self) -> None:
        """Close the HTTP client if this client created it (an injected one is the caller's)."""
        if self._owns_http:
            self._http.close()

    def __enter__(self) -> Client:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _send(self, call: Call[T], *, deadline: float | None = None) -> T:
        if self._exposed and _redirect.active:  # the testing kit is active: no request may leave
            raise _redirect.refused(self, call.label)
        return send_sync(self._http, self._sender, call, self._sleep, deadline=deadline)

    def _steps(self, flow: Flow[T], result: list[T], *, deadline: float | None = None) -> Iterator[Any]:
        """Drive ``flow``: send its calls (each within ``deadline`` too, if given), sleep its pauses,
        yield what it emits; its value goes in ``result``."""
        try:
            step = next(flow)
            while True:
                if isinstance(step, Emit):
                    yield from step.items
                    step = next(flow)
                elif isinstance(step, Pause):
                    self._sleep(step.seconds)
                    step = next(flow)
                elif isinstance(step, Until):  # a flow that shares state runs on ``_coordination``
                    raise TypeError(f"{step!r}: a shared flow was driven without its coordinator")
                else:
                    outcome: Any = None
                    error: FriendliError | None = None
                    try:
                        if isinstance(step, Batch):  # its jobs at once, on the coordinator
                            outcome = self._creates.batch(self, step)
                        else:
                            outcome = self._send(step, deadline=deadline)
                    except FriendliError as exc:
                        error = exc  # thrown in out here: what the flow raises then is not raised "during" it
                    step = flow.send(outcome) if error is None else flow.throw(error)
        except StopIteration as stop:
            result.append(stop.value)

    def _drive(self, flow: Flow[T], *, deadline: float | None = None) -> T:
        """Run a flow that emits nothing to its end and return its value."""
        result: list[T] = []
        for _ in self._steps(flow, result, deadline=deadline):
            raise AssertionError("a driven flow emitted items")
        return result[0]


class AsyncClient(AsyncCosting, AsyncDeclarative, _ClientBase):
    """The asynchronous client: the same arguments and surface as ``Client``, awaited.

    ``http_client`` takes an ``httpx.AsyncClient``; ``sleep`` is an async callable. Each attempt
    also runs under ``asyncio.timeout``, so the deadline holds even while a body trickles in.

    >>> import asyncio
    >>> async def deploy() -> str:
    ...     async with fd.AsyncClient() as client:
    ...         ep = await client.endpoints.create("proj", "demo", "org/model", fd.GPU.H100)
    ...         return (await ep.wait_until_running(timeout=900)).state.status.value
    >>> asyncio.run(deploy())
    'RUNNING'
    """

    _http_type = httpx.AsyncClient
    _creates_type = AsyncCreates
    _http: httpx.AsyncClient
    _creates: AsyncCreates
    _sleep: Callable[[float], Awaitable[None]]

    def __init__(
        self,
        *,
        token: str | None = None,
        team_id: str | None = None,
        base_url: str | None = None,
        timeout: float | httpx.Timeout = NOT_GIVEN,
        max_retries: int = NOT_GIVEN,
        http_client: httpx.AsyncClient | None = None,
        allow_insecure: bool = False,
        retry: RetryPolicy | None = None,
        sleep: Callable[[float], Awaitable[None]] | None = None,
        clock: Callable[[], float] | None = None,
        random: Callable[[], float] | None = None,
        telemetry: bool = True,
    ) -> None:
        self._setup(
            token=token,
            team_id=team_id,
            base_url=base_url,
            timeout=timeout,
            max_retries=max_retries,
            http_client=http_client,
            allow_insecure=allow_insecure,
            retry=retry,
            sleep=sleep,
            clock=clock,
            random=random,
            telemetry=telemetry,
        )

    @staticmethod
    def _fallback_sleep(redirect: _redirect.Redirect | None) -> Callable[[float], Awaitable[None]]:
        return (redirect.async_sleep if redirect is not None else None) or asyncio.sleep

    def _bind_resources(self) -> None:
        self.endpoints = AsyncEndpoints(self)

    async def close(self) -> None:
        """Close the HTTP client if this client created it (an injected one is the caller's)."""
        if self._owns_http:
            await self._http.aclose()

    async def __aenter__(self) -> AsyncClient:
        return self

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        await self.close()

    async def _send(self, call: Call[T], *, deadline: float | None = None) -> T:
        if self._exposed and _redirect.active:  # the testing kit is active: no request may leave
            raise _redirect.refused(self, call.label)
        return await send_async(self._http, self._sender, call, self._sleep, deadline=deadline)

    async def _steps(self, flow: Flow[T], result: list[T], *, deadline: float | None = None) -> AsyncIterator[Any]:
        """The async twin of ``Client._steps``."""
        try:
            step = next(flow)
            while True:
                if isinstance(step, Emit):
                    for item in step.items:
                        yield item
                    step = next(flow)
                elif isinstance(step, Pause):
                    await self._sleep(step.seconds)
                    step = next(flow)
                elif isinstance(step, Until):
                    raise TypeError(f"{step!r}: a shared flow was driven without its coordinator")
                else:
                    outcome: Any = None
                    error: FriendliError | None = None
                    try:
                        if isinstance(step, Batch):
                            outcome = await self._creates.batch(self, step)
                        else:
                            outcome = await self._send(step, deadline=deadline)
                    except FriendliError as exc:
                        error = exc
                    step = flow.send(outcome) if error is None else flow.throw(error)
        except StopIteration as stop:
            result.append(stop.value)

    async def _drive(self, flow: Flow[T], *, deadline: float | None = None) -> T:
        """See ``Client._drive``."""
        result: list[T] = []
        async for _ in self._steps(flow, result, deadline=deadline):
            raise AssertionError("a driven flow emitted items")
        return result[0]
