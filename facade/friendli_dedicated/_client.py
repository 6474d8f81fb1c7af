"""``Client`` and ``AsyncClient``: configuration, the HTTP client, and the ``endpoints`` resource.

Both clients share everything but I/O: requests come from ``_operations`` (built by the generated
client), retries and errors from ``_transport``, waiting from ``_waiter``.
"""

from __future__ import annotations

import asyncio
import random
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from types import TracebackType
from typing import Any, TypeVar, Unpack

import httpx

from friendli_dedicated import _operations as ops, _waiter
from friendli_dedicated._autoscaling import Autoscaling
from friendli_dedicated._backoff import Backoff
from friendli_dedicated._config import DEFAULT_TIMEOUT, ClientConfig
from friendli_dedicated._endpoint import AsyncEndpoint, Endpoint, ProgressCallback
from friendli_dedicated._instances import GPU, InstanceOption
from friendli_dedicated._models import EndpointState
from friendli_dedicated._operations import AdvancedKwargs, EndpointVersion, Flow, Pause
from friendli_dedicated._retry import RetryPolicy
from friendli_dedicated._transport import Call, Sender, TimeoutArg, send_async, send_sync
from friendli_dedicated._validate import flag, identifier, page_limit
from friendli_dedicated.errors import ConfigurationError, FriendliError, InvalidInputError
from friendli_dedicated_api.models import DedicatedEndpointSpec, DedicatedEndpointWandbArtifactCreateResponse

T = TypeVar("T")
_NOT_GIVEN: Any = object()


def _timeout(timeout: object, *, injected: bool) -> TimeoutArg:
    """An explicit timeout, always: the given one, the injected client's own, or DEFAULT_TIMEOUT."""
    if timeout is _NOT_GIVEN:
        return httpx.USE_CLIENT_DEFAULT if injected else DEFAULT_TIMEOUT
    if isinstance(timeout, httpx.Timeout):
        return timeout
    if timeout is None:
        raise InvalidInputError("timeout", "None would wait forever; pass a number of seconds or an httpx.Timeout")
    if not isinstance(timeout, int | float) or isinstance(timeout, bool) or not 0 < timeout < float("inf"):
        raise InvalidInputError("timeout", f"must be a number of seconds > 0 or an httpx.Timeout, got {timeout!r}")
    return httpx.Timeout(float(timeout))


def _sender(
    token: str | None,
    team_id: str | None,
    base_url: str | None,
    timeout: object,
    max_retries: int,
    allow_insecure: bool,
    injected: bool,
    rng: Callable[[], float] | None,
) -> Sender:
    config = ClientConfig.resolve(token=token, team_id=team_id, base_url=base_url, allow_insecure=allow_insecure)
    return Sender(
        config=config,
        policy=RetryPolicy(max_retries=max_retries),
        timeout=_timeout(timeout, injected=injected),
        random=rng or random.random,
    )


class _ClientBase:
    """What both clients share besides I/O: configuration, retry policy, timeout, clock."""

    _sender: Sender

    @property
    def base_url(self) -> str:
        return self._sender.config.base_url

    @property
    def team_id(self) -> str | None:
        return self._sender.config.team_id

    def __repr__(self) -> str:
        return f"{type(self).__name__}(base_url={self.base_url!r}, team_id={self.team_id!r})"


class Client(_ClientBase):
    """The synchronous client.

    Arguments override environment variables, which are read here (never at import time):
    ``FRIENDLI_TOKEN`` (token, required), ``FRIENDLI_TEAM`` (team_id, sent as X-Friendli-Team),
    ``FRIENDLI_BASE_URL`` (base_url, default https://api.friendli.ai).

    - ``timeout``: seconds or an ``httpx.Timeout`` per request (default 60 s, 10 s to connect; with
      ``http_client`` and no ``timeout``, that client's own timeout);
    - ``max_retries``: retries of idempotent requests on connection errors, timeouts, 429 and
      502/503/504, with backoff and jitter (0 disables them; create is never retried once it may
      have reached the server);
    - ``http_client``: an ``httpx.Client`` for proxies, custom transports and tests (the caller
      closes it);
    - ``allow_insecure``: permit plain ``http://`` to a non-loopback host;
    - ``sleep``, ``clock``, ``random``: injectable for tests, which then never wait for real.

    >>> import friendli_dedicated as fd
    >>> with fd.Client(token="flp_...", base_url="http://127.0.0.1:8080") as client:  # doctest: +SKIP
    ...     for ep in client.endpoints.list():
    ...         print(ep.id, ep.state.status)
    """

    def __init__(
        self,
        token: str | None = None,
        team_id: str | None = None,
        base_url: str | None = None,
        timeout: float | httpx.Timeout = _NOT_GIVEN,
        max_retries: int = 2,
        http_client: httpx.Client | None = None,
        allow_insecure: bool = False,
        *,
        sleep: Callable[[float], None] | None = None,
        clock: Callable[[], float] | None = None,
        random: Callable[[], float] | None = None,
    ) -> None:
        if http_client is not None and not isinstance(http_client, httpx.Client):
            raise ConfigurationError(f"http_client: must be an httpx.Client, got {type(http_client).__name__}")
        self._sender = _sender(
            token, team_id, base_url, timeout, max_retries, allow_insecure, http_client is not None, random
        )
        self._owns_http = http_client is None
        self._http = http_client or httpx.Client(follow_redirects=False)
        self._sleep = sleep or time.sleep
        self._clock = clock or time.monotonic
        self.endpoints = Endpoints(self)

    def close(self) -> None:
        """Close the HTTP client if this client created it (an injected one is the caller's)."""
        if self._owns_http:
            self._http.close()

    def __enter__(self) -> Client:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _send(self, call: Call[T]) -> T:
        return send_sync(self._http, self._sender, call, self._sleep)

    def _drive(self, flow: Flow[T]) -> T:
        """Run a multi-call flow: send its calls, sleep its pauses, hand errors back to it."""
        try:
            step = next(flow)
            while True:
                if isinstance(step, Pause):
                    self._sleep(step.seconds)
                    step = flow.send(None)
                    continue
                try:
                    result = self._send(step)
                except FriendliError as exc:
                    step = flow.throw(exc)
                    continue
                step = flow.send(result)
        except StopIteration as stop:
            return stop.value  # type: ignore[no-any-return]


class AsyncClient(_ClientBase):
    """The asynchronous client: the same arguments and surface as ``Client``, awaited.

    ``http_client`` takes an ``httpx.AsyncClient``; ``sleep`` is an async callable.

    >>> async with fd.AsyncClient() as client:  # doctest: +SKIP
    ...     ep = await client.endpoints.create("proj", "demo", "org/model", fd.GPU.H100)
    ...     await ep.wait_until_running(timeout=900)
    """

    def __init__(
        self,
        token: str | None = None,
        team_id: str | None = None,
        base_url: str | None = None,
        timeout: float | httpx.Timeout = _NOT_GIVEN,
        max_retries: int = 2,
        http_client: httpx.AsyncClient | None = None,
        allow_insecure: bool = False,
        *,
        sleep: Callable[[float], Awaitable[None]] | None = None,
        clock: Callable[[], float] | None = None,
        random: Callable[[], float] | None = None,
    ) -> None:
        if http_client is not None and not isinstance(http_client, httpx.AsyncClient):
            raise ConfigurationError(f"http_client: must be an httpx.AsyncClient, got {type(http_client).__name__}")
        self._sender = _sender(
            token, team_id, base_url, timeout, max_retries, allow_insecure, http_client is not None, random
        )
        self._owns_http = http_client is None
        self._http = http_client or httpx.AsyncClient(follow_redirects=False)
        self._sleep = sleep or asyncio.sleep
        self._clock = clock or time.monotonic
        self.endpoints = AsyncEndpoints(self)

    async def close(self) -> None:
        if self._owns_http:
            await self._http.aclose()

    async def __aenter__(self) -> AsyncClient:
        return self

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        await self.close()

    async def _send(self, call: Call[T]) -> T:
        return await send_async(self._http, self._sender, call, self._sleep)

    async def _drive(self, flow: Flow[T]) -> T:
        try:
            step = next(flow)
            while True:
                if isinstance(step, Pause):
                    await self._sleep(step.seconds)
                    step = flow.send(None)
                    continue
                try:
                    result = await self._send(step)
                except FriendliError as exc:
                    step = flow.throw(exc)
                    continue
                step = flow.send(result)
        except StopIteration as stop:
            return stop.value  # type: ignore[no-any-return]


class Endpoints:
    """``client.endpoints``: every Dedicated Endpoints operation of the contract.

    >>> ep = client.endpoints.create("proj", "demo", "org/model", "2x H100",  # doctest: +SKIP
    ...                              autoscaling=fd.Autoscaling.scale_to_zero(max_replicas=2))
    """

    def __init__(self, client: Client) -> None:
        self._client = client
        self._team = client.team_id

    def create(
        self,
        project_id: str,
        name: str,
        model: str,
        instance: InstanceOption | GPU | str,
        *,
        autoscaling: Autoscaling | None = None,
        revision: str | None = None,
        comment: str | None = None,
        **advanced: Unpack[AdvancedKwargs],
    ) -> Endpoint:
        """Deploy Hugging Face repo ``model`` on ``instance`` and return a handle with the new id.

        ``instance`` is an ``InstanceOption``, a ``GPU`` (one of it), a string such as "2x H100", or
        a raw instance-option id. Every input is checked before anything is sent. Never retried
        once the request may have reached the server. How the id is found: see
        ``_operations.create_flow`` (EndpointCreationUnresolvedError if it cannot be).

        >>> option = fd.InstanceOption(fd.GPU.H100, 2)
        >>> ep = client.endpoints.create("proj", "chat", "org/model", option)  # doctest: +SKIP
        """
        body = ops.create_body(
            project_id,
            name,
            model,
            instance,
            autoscaling=autoscaling,
            revision=revision,
            comment=comment,
            advanced=advanced,
        )
        endpoint_id, state = self._client._drive(ops.create_flow(body, self._team))
        return Endpoint(self, endpoint_id, state)

    def create_from_wandb(
        self,
        artifact: str,
        *,
        instance: InstanceOption | GPU | str | None = None,
        name: str | None = None,
        project_id: str | None = None,
        idempotency_key: str | None = None,
        autoscaling: Autoscaling | None = None,
    ) -> Endpoint:
        """Deploy a Weights & Biases artifact version; with ``idempotency_key`` (and ``project_id``)
        a second call rolls out the existing endpoint and returns the same id."""
        body = ops.wandb_body(
            artifact,
            instance=instance,
            name=name,
            project_id=project_id,
            idempotency_key=idempotency_key,
            autoscaling=autoscaling,
        )
        response: DedicatedEndpointWandbArtifactCreateResponse = self._client._send(
            ops.create_from_wandb(body, self._team)
        )
        return Endpoint(self, response.endpoint_id)

    def get_handle(self, endpoint_id: str) -> Endpoint:
        """A handle on an existing endpoint, without a request (``refresh()`` fetches its state)."""
        return Endpoint(self, identifier(endpoint_id, "endpoint_id"))

    def get(self, endpoint_id: str) -> DedicatedEndpointSpec:
        """The endpoint's specification."""
        return self._client._send(ops.spec(identifier(endpoint_id, "endpoint_id"), self._team))

    def status(self, endpoint_id: str) -> EndpointState:
        """The endpoint's current status, phase and error code."""
        return self._client._send(ops.status(identifier(endpoint_id, "endpoint_id"), self._team))

    def list(self, project_id: str | None = None, *, limit: int = 20) -> Iterator[Endpoint]:
        """Every endpoint (of ``project_id``, or of the team), across all pages of ``limit`` each.

        >>> [ep.id for ep in client.endpoints.list(limit=100)]  # doctest: +SKIP
        """
        project = None if project_id is None else identifier(project_id, "project_id")
        size = page_limit(limit)

        def pages() -> Iterator[Endpoint]:
            cursor: str | None = None
            seen: set[str] = set()
            while True:
                page = self._client._send(ops.list_page(project, cursor, size, self._team))
                for endpoint_id, state in page.items:
                    yield Endpoint(self, endpoint_id, state)
                cursor = ops.next_cursor(page, seen)
                if cursor is None:
                    return

        return pages()

    def versions(self, endpoint_id: str, *, limit: int = 20) -> Iterator[EndpointVersion]:
        """The endpoint's version history, across all pages."""
        checked_id = identifier(endpoint_id, "endpoint_id")
        size = page_limit(limit)

        def pages() -> Iterator[EndpointVersion]:
            cursor: str | None = None
            seen: set[str] = set()
            while True:
                page = self._client._send(ops.versions_page(checked_id, cursor, size, self._team))
                yield from page.items
                cursor = ops.next_cursor(page, seen)
                if cursor is None:
                    return

        return pages()

    def update(
        self,
        endpoint_id: str,
        *,
        name: str | None = None,
        model: str | None = None,
        revision: str | None = None,
        instance: InstanceOption | GPU | str | None = None,
        autoscaling: Autoscaling | None = None,
        comment: str | None = None,
        **advanced: Unpack[AdvancedKwargs],
    ) -> DedicatedEndpointSpec:
        """Change an endpoint (a new version in its history); only the given fields change."""
        checked_id = identifier(endpoint_id, "endpoint_id")
        body = ops.update_body(
            name=name,
            model=model,
            revision=revision,
            instance=instance,
            autoscaling=autoscaling,
            comment=comment,
            has_advanced=bool(advanced),
        )
        return self._client._drive(ops.update_flow(checked_id, self._team, body, advanced))

    def delete(self, endpoint_id: str) -> None:
        """Delete the endpoint (a 404 afterwards). ``client.endpoints.delete("ep-123")``."""
        self._client._send(ops.delete(identifier(endpoint_id, "endpoint_id"), self._team))

    def sleep(self, endpoint_id: str) -> EndpointState:
        """Put the endpoint to sleep (no replicas, no GPU bill); returns the new state."""
        return self._client._send(ops.lifecycle("sleep", identifier(endpoint_id, "endpoint_id"), self._team))

    def wake(self, endpoint_id: str) -> EndpointState:
        """Wake a sleeping endpoint; returns the new state (AWAKING). Follow with wait_until_running."""
        return self._client._send(ops.lifecycle("wake", identifier(endpoint_id, "endpoint_id"), self._team))

    def terminate(self, endpoint_id: str) -> EndpointState:
        """Terminate the endpoint (TERMINATING, then TERMINATED); returns the new state."""
        return self._client._send(ops.lifecycle("terminate", identifier(endpoint_id, "endpoint_id"), self._team))

    def restart(self, endpoint_id: str) -> EndpointState:
        """Restart a FAILED or TERMINATED endpoint; returns the new state."""
        return self._client._send(ops.lifecycle("restart", identifier(endpoint_id, "endpoint_id"), self._team))

    def wait_until_running(
        self,
        endpoint_id: str,
        *,
        timeout: float = 1800.0,
        on_progress: ProgressCallback | None = None,
        wake: bool = False,
        poll: Backoff | None = None,
    ) -> EndpointState:
        """Poll until the endpoint serves (RUNNING or READY) and return its state.

        FAILED raises EndpointFailedError (error code, phase, hint); TERMINATING, TERMINATED and
        STOPPING raise EndpointStoppedError, and so does SLEEPING unless ``wake=True``, which wakes
        it. Polls back off from 1 s by x1.5 up to 10 s with jitter (``poll`` overrides), never
        sleep past the deadline, and raise WaitTimeoutError right after it. Transient errors are
        retried inside the deadline. ``on_progress(state, elapsed)`` is called on every change.

        >>> client.endpoints.wait_until_running("ep-123", timeout=900, on_progress=print)  # doctest: +SKIP
        """
        checked_id = identifier(endpoint_id, "endpoint_id")
        do_wake = flag(wake, "wake")
        return _waiter.wait_until_running(
            checked_id,
            fetch=lambda: self.status(checked_id),
            wake=(lambda: self.wake(checked_id)) if do_wake else None,
            timeout=timeout,
            poll=poll,
            on_progress=on_progress,
            clock=self._client._clock,
            sleep=self._client._sleep,
            random=self._client._sender.random,
        )


class AsyncEndpoints:
    """``client.endpoints`` of ``AsyncClient``: the same methods as ``Endpoints``, awaited
    (``list`` and ``versions`` are async iterators)."""

    def __init__(self, client: AsyncClient) -> None:
        self._client = client
        self._team = client.team_id

    async def create(
        self,
        project_id: str,
        name: str,
        model: str,
        instance: InstanceOption | GPU | str,
        *,
        autoscaling: Autoscaling | None = None,
        revision: str | None = None,
        comment: str | None = None,
        **advanced: Unpack[AdvancedKwargs],
    ) -> AsyncEndpoint:
        """See ``Endpoints.create``."""
        body = ops.create_body(
            project_id,
            name,
            model,
            instance,
            autoscaling=autoscaling,
            revision=revision,
            comment=comment,
            advanced=advanced,
        )
        endpoint_id, state = await self._client._drive(ops.create_flow(body, self._team))
        return AsyncEndpoint(self, endpoint_id, state)

    async def create_from_wandb(
        self,
        artifact: str,
        *,
        instance: InstanceOption | GPU | str | None = None,
        name: str | None = None,
        project_id: str | None = None,
        idempotency_key: str | None = None,
        autoscaling: Autoscaling | None = None,
    ) -> AsyncEndpoint:
        """See ``Endpoints.create_from_wandb``."""
        body = ops.wandb_body(
            artifact,
            instance=instance,
            name=name,
            project_id=project_id,
            idempotency_key=idempotency_key,
            autoscaling=autoscaling,
        )
        response: DedicatedEndpointWandbArtifactCreateResponse = await self._client._send(
            ops.create_from_wandb(body, self._team)
        )
        return AsyncEndpoint(self, response.endpoint_id)

    def get_handle(self, endpoint_id: str) -> AsyncEndpoint:
        return AsyncEndpoint(self, identifier(endpoint_id, "endpoint_id"))

    async def get(self, endpoint_id: str) -> DedicatedEndpointSpec:
        return await self._client._send(ops.spec(identifier(endpoint_id, "endpoint_id"), self._team))

    async def status(self, endpoint_id: str) -> EndpointState:
        return await self._client._send(ops.status(identifier(endpoint_id, "endpoint_id"), self._team))

    def list(self, project_id: str | None = None, *, limit: int = 20) -> AsyncIterator[AsyncEndpoint]:
        """See ``Endpoints.list``: ``async for ep in client.endpoints.list(): ...``."""
        project = None if project_id is None else identifier(project_id, "project_id")
        size = page_limit(limit)

        async def pages() -> AsyncIterator[AsyncEndpoint]:
            cursor: str | None = None
            seen: set[str] = set()
            while True:
                page = await self._client._send(ops.list_page(project, cursor, size, self._team))
                for endpoint_id, state in page.items:
                    yield AsyncEndpoint(self, endpoint_id, state)
                cursor = ops.next_cursor(page, seen)
                if cursor is None:
                    return

        return pages()

    def versions(self, endpoint_id: str, *, limit: int = 20) -> AsyncIterator[EndpointVersion]:
        checked_id = identifier(endpoint_id, "endpoint_id")
        size = page_limit(limit)

        async def pages() -> AsyncIterator[EndpointVersion]:
            cursor: str | None = None
            seen: set[str] = set()
            while True:
                page = await self._client._send(ops.versions_page(checked_id, cursor, size, self._team))
                for version in page.items:
                    yield version
                cursor = ops.next_cursor(page, seen)
                if cursor is None:
                    return

        return pages()

    async def update(
        self,
        endpoint_id: str,
        *,
        name: str | None = None,
        model: str | None = None,
        revision: str | None = None,
        instance: InstanceOption | GPU | str | None = None,
        autoscaling: Autoscaling | None = None,
        comment: str | None = None,
        **advanced: Unpack[AdvancedKwargs],
    ) -> DedicatedEndpointSpec:
        checked_id = identifier(endpoint_id, "endpoint_id")
        body = ops.update_body(
            name=name,
            model=model,
            revision=revision,
            instance=instance,
            autoscaling=autoscaling,
            comment=comment,
            has_advanced=bool(advanced),
        )
        return await self._client._drive(ops.update_flow(checked_id, self._team, body, advanced))

    async def delete(self, endpoint_id: str) -> None:
        """Delete the endpoint (a 404 afterwards). ``client.endpoints.delete("ep-123")``."""
        await self._client._send(ops.delete(identifier(endpoint_id, "endpoint_id"), self._team))

    async def sleep(self, endpoint_id: str) -> EndpointState:
        """Put the endpoint to sleep (no replicas, no GPU bill); returns the new state."""
        return await self._client._send(ops.lifecycle("sleep", identifier(endpoint_id, "endpoint_id"), self._team))

    async def wake(self, endpoint_id: str) -> EndpointState:
        """Wake a sleeping endpoint; returns the new state (AWAKING). Follow with wait_until_running."""
        return await self._client._send(ops.lifecycle("wake", identifier(endpoint_id, "endpoint_id"), self._team))

    async def terminate(self, endpoint_id: str) -> EndpointState:
        """Terminate the endpoint (TERMINATING, then TERMINATED); returns the new state."""
        return await self._client._send(ops.lifecycle("terminate", identifier(endpoint_id, "endpoint_id"), self._team))

    async def restart(self, endpoint_id: str) -> EndpointState:
        """Restart a FAILED or TERMINATED endpoint; returns the new state."""
        return await self._client._send(ops.lifecycle("restart", identifier(endpoint_id, "endpoint_id"), self._team))

    async def wait_until_running(
        self,
        endpoint_id: str,
        *,
        timeout: float = 1800.0,
        on_progress: ProgressCallback | None = None,
        wake: bool = False,
        poll: Backoff | None = None,
    ) -> EndpointState:
        """See ``Endpoints.wait_until_running``; cancellation-safe."""
        checked_id = identifier(endpoint_id, "endpoint_id")
        do_wake = flag(wake, "wake")
        return await _waiter.async_wait_until_running(
            checked_id,
            fetch=lambda: self.status(checked_id),
            wake=(lambda: self.wake(checked_id)) if do_wake else None,
            timeout=timeout,
            poll=poll,
            on_progress=on_progress,
            clock=self._client._clock,
            sleep=self._client._sleep,
            random=self._client._sender.random,
        )
