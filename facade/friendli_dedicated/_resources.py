"""``client.endpoints``: every Dedicated Endpoints operation of the contract, sync and async.

Each method checks its inputs (nothing is sent when one is refused), then sends one call
(``_calls``) or drives one flow (``_flows``) on its client. ``Endpoints`` and ``AsyncEndpoints``
have the same methods with the same arguments; only awaiting differs.

What they return: a method that acts on an endpoint by id returns what the API answered (an
``EndpointState`` from ``status``, the lifecycle actions and ``wait_until_running``; an
``EndpointSpec`` from ``get`` and ``update``; None from ``delete``); the methods that make or find
endpoints (``create``, ``create_from_wandb``, ``get_handle``, ``list``) return handles, whose own
action methods return the handle so that calls chain (see ``_endpoint``).
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Iterable, Iterator, Mapping
from typing import TYPE_CHECKING, Any, Unpack, cast

from friendli_dedicated import _calls as calls, _fleet, _flows as flows, _observe, _waiter
from friendli_dedicated._autoscaling import Autoscaling
from friendli_dedicated._backoff import Backoff
from friendli_dedicated._bodies import create_body, update_body, wandb_body
from friendli_dedicated._calls import Page
from friendli_dedicated._endpoint import AsyncEndpoint, Endpoint, ProgressCallback
from friendli_dedicated._fleet import FleetProgress, FleetResult
from friendli_dedicated._instances import GPU, InstanceOption, UnlistedInstanceOption
from friendli_dedicated._models import EndpointSpec, EndpointState, EndpointVersion
from friendli_dedicated._transport import Call
from friendli_dedicated._validate import identifier, listing_limit, page_size as checked_page_size
from friendli_dedicated_api._contract import EngineOptions

if TYPE_CHECKING:
    from friendli_dedicated._client import AsyncClient, Client
    from friendli_dedicated._endpoint import AsyncListedEndpoint, ListedEndpoint

__all__ = ["AsyncEndpoints", "Endpoints"]


def _endpoint_id(value: object) -> str:
    return identifier(value, "endpoint_id")


def _terms(
    client: Client | AsyncClient, timeout: object, poll: object, wake: object, progress: object
) -> _waiter.Terms:
    """A wait's arguments, checked, on the client's clock (its deadline starts now)."""
    clock, random = client._sender.clock, client._sender.random
    return _waiter.Terms.check(timeout=timeout, poll=poll, wake=wake, on_progress=progress, clock=clock, random=random)


def _project(project_id: object) -> str | None:
    return None if project_id is None else identifier(project_id, "project_id")


def _paged(
    page: Callable[[str | None, int], Call[Page[Any]]], limit: object, page_size: object
) -> flows.Flow[str | None]:
    """The flow of a listing of at most ``limit`` items (None: all), ``page_size`` per request; a
    ``limit`` below the page size is the size of the one page it needs. (``page_size`` defaults to
    100, the contract's largest page: the fewest requests.)"""
    most = listing_limit(limit)
    size = checked_page_size(page_size)
    if most is not None:
        size = min(size, most)
    return flows.paginate(lambda cursor: page(cursor, size), limit=most)


def _endpoints_listing(
    project: str | None, team: str | None, limit: object, page_size: object
) -> flows.Flow[str | None]:
    """The flow of ``list``: the endpoints of ``project`` (a checked id, or None: the team's)."""
    return _paged(lambda cursor, size: calls.list_page(project, cursor, size, team), limit, page_size)


def _versions_listing(
    endpoint_id: object, team: str | None, limit: object, page_size: object
) -> flows.Flow[str | None]:
    """The flow of ``versions``: the endpoint's version history."""
    checked_id = _endpoint_id(endpoint_id)
    return _paged(lambda cursor, size: calls.versions_page(checked_id, cursor, size, team), limit, page_size)


class Endpoints:
    """``client.endpoints``: every Dedicated Endpoints operation of the contract.

    The methods that take an ``endpoint_id`` return what the API answered (``EndpointState``,
    ``EndpointSpec``); ``create``, ``get_handle`` and ``list`` return ``Endpoint`` handles, whose
    methods of the same names act on their endpoint and return the handle, so calls chain.

    >>> ep = client.endpoints.create("proj", "demo", "org/model", "2x H100",
    ...                              autoscaling=fd.Autoscaling.scale_to_zero(max_replicas=2))
    >>> ep.project_id, ep.state.status.value
    ('proj', 'INITIALIZING')
    """

    def __init__(self, client: Client) -> None:
        self._client = client
        self._team = client.team_id

    def create(
        self,
        project_id: str,
        name: str,
        model: str,
        instance: InstanceOption | UnlistedInstanceOption | GPU | str,
        *,
        autoscaling: Autoscaling | None = None,
        revision: str | None = None,
        comment: str | None = None,
        extra_engine_options: Mapping[str, Any] | None = None,
        **advanced: Unpack[EngineOptions],
    ) -> Endpoint:
        """Deploy Hugging Face repo ``model`` on ``instance`` and return a handle with the new id.

        ``instance`` is an ``InstanceOption``, a ``GPU`` (one of it), a string such as "2x H100", or
        a raw instance-option id. Every input is checked before anything is sent. Never re-sent
        once the request may have reached the server; when its outcome is unknown (a lost
        response, a 5xx, an unreadable reply) the endpoint is looked up by name, and if it cannot
        be found ``EndpointCreationUnresolvedError`` says it may exist (see ``_creates``). Creates in
        flight at once on one client share their listings of the project, so a fleet created
        concurrently costs about three requests per endpoint, whatever its size.

        >>> option = fd.InstanceOption(fd.GPU.H100, 2)
        >>> ep = client.endpoints.create("proj", "chat", "org/model", option, max_batch_size=64)
        >>> client.endpoints.get(ep.id).max_batch_size
        64
        """
        body = create_body(
            project_id,
            name,
            model,
            instance,
            autoscaling=autoscaling,
            revision=revision,
            comment=comment,
            advanced=advanced,
            extra_engine_options=extra_engine_options,
        )
        given = {*advanced, *(extra_engine_options or {})}
        endpoint_id, state = self._client._creates.create(self._client, body, self._team, given)
        return Endpoint(self, endpoint_id, state, body.project_id, name=body.name)

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
        body = wandb_body(
            artifact,
            instance=instance,
            name=name,
            project_id=project_id,
            idempotency_key=idempotency_key,
            autoscaling=autoscaling,
        )
        response = self._client._send(calls.create_from_wandb(body, self._team))
        return Endpoint(self, response.endpoint_id)

    def get_handle(self, endpoint_id: str, *, project_id: str | None = None) -> Endpoint:
        """A handle on an existing endpoint, without a request (``refresh()`` fetches its state);
        ``project_id``, if known, lets ``wait_all`` watch it through its project's listing."""
        project = _project(project_id)
        return Endpoint(self, _endpoint_id(endpoint_id), None, project)

    def get(self, endpoint_id: str) -> EndpointSpec:
        """The endpoint's specification (``Endpoint.spec()`` on a handle).

        >>> ep = client.endpoints.create("proj", "chat", "org/model", "2x H100")
        >>> spec = client.endpoints.get(ep.id)
        >>> spec.name, str(spec.instance), spec.autoscaling
        ('chat', '2x NVIDIA H100', Autoscaling.fixed(1))
        """
        return self._client._send(calls.spec(_endpoint_id(endpoint_id), self._team))

    def status(self, endpoint_id: str) -> EndpointState:
        """The endpoint's current status, phase and error code (``Endpoint.refresh()`` on a handle)."""
        return self._client._send(calls.status(_endpoint_id(endpoint_id), self._team))

    def list(
        self, project_id: str | None = None, *, limit: int | None = None, page_size: int = 100
    ) -> Iterator[ListedEndpoint]:
        """The endpoints of ``project_id`` (or of the team): at most ``limit`` of them (None: all), as
        handles whose ``state`` is the listed one.

        Pages of ``page_size`` (1 to 100) are fetched as the iterator is consumed, and none once
        ``limit`` endpoints have been yielded. (Before 2.0.0, ``limit`` was the page size.) A
        listing that would never end (a server that keeps returning new cursors) stops with
        ``PaginationError``.

        >>> ids = {client.endpoints.create("listed", f"chat-{n}", "org/model", "H100").id for n in range(3)}
        >>> {ep.id for ep in client.endpoints.list("listed", page_size=2)} == ids  # two pages
        True
        >>> len(list(client.endpoints.list("listed", limit=2)))
        2
        """
        project = _project(project_id)
        return self._handles(_endpoints_listing(project, self._team, limit, page_size), project)

    def _handles(self, listing: flows.Flow[str | None], project: str | None) -> Iterator[ListedEndpoint]:
        # A generator of its own, so that list() checks its arguments when it is called.
        for endpoint_id, state in self._client._steps(listing, []):
            yield cast("ListedEndpoint", Endpoint(self, endpoint_id, state, project))

    def versions(
        self, endpoint_id: str, *, limit: int | None = None, page_size: int = 100
    ) -> Iterator[EndpointVersion]:
        """The endpoint's version history, oldest first: at most ``limit`` versions (None: all),
        fetched in pages of ``page_size`` as for ``list``."""
        return self._versions(_versions_listing(endpoint_id, self._team, limit, page_size))

    def _versions(self, history: flows.Flow[str | None]) -> Iterator[EndpointVersion]:
        for _key, version in self._client._steps(history, []):
            yield version

    def update(
        self,
        endpoint_id: str,
        *,
        name: str | None = None,
        model: str | None = None,
        revision: str | None = None,
        instance: InstanceOption | UnlistedInstanceOption | GPU | str | None = None,
        autoscaling: Autoscaling | None = None,
        comment: str | None = None,
        extra_engine_options: Mapping[str, Any] | None = None,
        **advanced: Unpack[EngineOptions],
    ) -> EndpointSpec:
        """Change an endpoint (a new version in its history); only the given fields change. Returns
        the specification the API answered with (``Endpoint.update`` returns the handle instead).

        >>> ep = client.endpoints.create("proj", "chat", "org/model", "H100")
        >>> client.endpoints.update(ep.id, max_batch_size=64, comment="bigger batches").max_batch_size
        64
        """
        checked_id = _endpoint_id(endpoint_id)
        body = update_body(
            name=name,
            model=model,
            revision=revision,
            instance=instance,
            autoscaling=autoscaling,
            comment=comment,
            advanced=advanced,
            extra_engine_options=extra_engine_options,
        )
        return self._client._drive(flows.update_flow(checked_id, self._team, body, advanced, extra_engine_options))

    def delete(self, endpoint_id: str) -> None:
        """Delete the endpoint (a 404 afterwards). ``client.endpoints.delete("ep-123")``."""
        self._client._send(calls.delete(_endpoint_id(endpoint_id), self._team))

    def sleep(self, endpoint_id: str) -> EndpointState:
        """Put the endpoint to sleep (no replicas, no GPU bill); returns the new state (``Endpoint.sleep``
        returns the handle)."""
        return self._client._send(calls.lifecycle("sleep", _endpoint_id(endpoint_id), self._team))

    def wake(self, endpoint_id: str) -> EndpointState:
        """Wake a sleeping endpoint; returns the new state (AWAKING). Follow with wait_until_running."""
        return self._client._send(calls.lifecycle("wake", _endpoint_id(endpoint_id), self._team))

    def terminate(self, endpoint_id: str) -> EndpointState:
        """Terminate the endpoint (TERMINATING, then TERMINATED); returns the new state."""
        return self._client._send(calls.lifecycle("terminate", _endpoint_id(endpoint_id), self._team))

    def restart(self, endpoint_id: str) -> EndpointState:
        """Restart a FAILED or TERMINATED endpoint; returns the new state."""
        return self._client._send(calls.lifecycle("restart", _endpoint_id(endpoint_id), self._team))

    def wait_until_running(
        self,
        endpoint_id: str,
        *,
        timeout: float = 1800.0,
        on_progress: ProgressCallback | None = None,
        wake: bool = False,
        poll: Backoff | None = None,
    ) -> EndpointState:
        """Poll until the endpoint serves (RUNNING or READY) and return its state
        (``Endpoint.wait_until_running`` returns the handle, whose ``state`` this is).

        FAILED raises EndpointFailedError (error code, phase, hint); TERMINATING, TERMINATED and
        STOPPING raise EndpointStoppedError, and so does SLEEPING unless ``wake=True``, which wakes
        it. Polls back off from 1 s by x1.5 up to 10 s with jitter (``poll`` overrides), and
        transient errors are retried, all within the deadline: the wait returns or raises
        WaitTimeoutError within a fraction of a second of ``timeout``, whatever the server does
        (the poll in flight, its retries and any Retry-After are cut short at the deadline).
        ``timeout=0`` looks once: a wait shorter than half a second gives its poll half a second.
        ``on_progress(state, elapsed)`` is called on every change.

        >>> ep = client.endpoints.create("proj", "chat", "org/model", "H100")
        >>> client.endpoints.wait_until_running(ep.id, timeout=900).status.value
        'RUNNING'
        """
        checked_id = _endpoint_id(endpoint_id)
        terms = _terms(self._client, timeout, poll, wake, on_progress)
        return self._client._drive(_waiter.wait_flow(checked_id, self._team, terms), deadline=terms.request_deadline)

    def wait_all(
        self,
        endpoints: Iterable[str | Endpoint],
        *,
        timeout: float = 1800.0,
        on_progress: FleetProgress | None = None,
        wake: bool = False,
        poll: Backoff | None = None,
    ) -> FleetResult:
        """Wait until every endpoint of a fleet serves, or cannot, or the deadline passes.

        ``endpoints`` are ids or handles, possibly in several projects (handles from ``create`` or
        ``list`` know theirs; for a bare id it is read once). Each poll reads the listing pages of
        the projects involved (100 endpoints per request), falling back to an endpoint's own status
        when its project's listing does not show it. The status table, errors and hints are those of
        ``wait_until_running``; one endpoint that fails does not stop the wait for the others.
        Polls back off from 1 s by x1.5 up to 2 s (``poll`` overrides), every request runs within
        the deadline (``timeout=0`` polls once: a wait shorter than half a second gives its poll
        half a second), and ``on_progress(endpoint_id, state, elapsed)`` is called on each change.

        Returns a ``FleetResult`` (``running``, ``failed``, ``stopped``, ``timed_out``); call
        ``raise_for_failures()`` on it to raise ``FleetWaitError`` unless every endpoint serves.

        >>> fleet = [client.endpoints.create("proj", f"w{n}", "org/model", "H100") for n in range(3)]
        >>> len(client.endpoints.wait_all(fleet, timeout=1800).raise_for_failures().running)
        3
        """
        terms = _terms(self._client, timeout, poll, wake, on_progress)
        return self._client._drive(_fleet.wait_all_flow(endpoints, self._team, terms), deadline=terms.request_deadline)


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
        instance: InstanceOption | UnlistedInstanceOption | GPU | str,
        *,
        autoscaling: Autoscaling | None = None,
        revision: str | None = None,
        comment: str | None = None,
        extra_engine_options: Mapping[str, Any] | None = None,
        **advanced: Unpack[EngineOptions],
    ) -> AsyncEndpoint:
        """See ``Endpoints.create``."""
        body = create_body(
            project_id,
            name,
            model,
            instance,
            autoscaling=autoscaling,
            revision=revision,
            comment=comment,
            advanced=advanced,
            extra_engine_options=extra_engine_options,
        )
        given = {*advanced, *(extra_engine_options or {})}
        endpoint_id, state = await self._client._creates.create(self._client, body, self._team, given)
        return AsyncEndpoint(self, endpoint_id, state, body.project_id, name=body.name)

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
        body = wandb_body(
            artifact,
            instance=instance,
            name=name,
            project_id=project_id,
            idempotency_key=idempotency_key,
            autoscaling=autoscaling,
        )
        response = await self._client._send(calls.create_from_wandb(body, self._team))
        return AsyncEndpoint(self, response.endpoint_id)

    def get_handle(self, endpoint_id: str, *, project_id: str | None = None) -> AsyncEndpoint:
        """See ``Endpoints.get_handle``."""
        project = _project(project_id)
        return AsyncEndpoint(self, _endpoint_id(endpoint_id), None, project)

    async def get(self, endpoint_id: str) -> EndpointSpec:
        """See ``Endpoints.get``."""
        return await self._client._send(calls.spec(_endpoint_id(endpoint_id), self._team))

    async def status(self, endpoint_id: str) -> EndpointState:
        """See ``Endpoints.status``."""
        return await self._client._send(calls.status(_endpoint_id(endpoint_id), self._team))

    def list(
        self, project_id: str | None = None, *, limit: int | None = None, page_size: int = 100
    ) -> AsyncIterator[AsyncListedEndpoint]:
        """See ``Endpoints.list``: ``async for ep in client.endpoints.list(): ...``."""
        project = _project(project_id)
        return self._handles(_endpoints_listing(project, self._team, limit, page_size), project)

    async def _handles(
        self, listing: flows.Flow[str | None], project: str | None
    ) -> AsyncIterator[AsyncListedEndpoint]:
        async for endpoint_id, state in self._client._steps(listing, []):
            yield cast("AsyncListedEndpoint", AsyncEndpoint(self, endpoint_id, state, project))

    def versions(
        self, endpoint_id: str, *, limit: int | None = None, page_size: int = 100
    ) -> AsyncIterator[EndpointVersion]:
        """See ``Endpoints.versions``."""
        return self._versions(_versions_listing(endpoint_id, self._team, limit, page_size))

    async def _versions(self, history: flows.Flow[str | None]) -> AsyncIterator[EndpointVersion]:
        async for _key, version in self._client._steps(history, []):
            yield version

    async def update(
        self,
        endpoint_id: str,
        *,
        name: str | None = None,
        model: str | None = None,
        revision: str | None = None,
        instance: InstanceOption | UnlistedInstanceOption | GPU | str | None = None,
        autoscaling: Autoscaling | None = None,
        comment: str | None = None,
        extra_engine_options: Mapping[str, Any] | None = None,
        **advanced: Unpack[EngineOptions],
    ) -> EndpointSpec:
        """See ``Endpoints.update``."""
        checked_id = _endpoint_id(endpoint_id)
        body = update_body(
            name=name,
            model=model,
            revision=revision,
            instance=instance,
            autoscaling=autoscaling,
            comment=comment,
            advanced=advanced,
            extra_engine_options=extra_engine_options,
        )
        return await self._client._drive(
            flows.update_flow(checked_id, self._team, body, advanced, extra_engine_options)
        )

    async def delete(self, endpoint_id: str) -> None:
        """See ``Endpoints.delete``."""
        await self._client._send(calls.delete(_endpoint_id(endpoint_id), self._team))

    async def sleep(self, endpoint_id: str) -> EndpointState:
        """See ``Endpoints.sleep``."""
        return await self._client._send(calls.lifecycle("sleep", _endpoint_id(endpoint_id), self._team))

    async def wake(self, endpoint_id: str) -> EndpointState:
        """See ``Endpoints.wake``."""
        return await self._client._send(calls.lifecycle("wake", _endpoint_id(endpoint_id), self._team))

    async def terminate(self, endpoint_id: str) -> EndpointState:
        """See ``Endpoints.terminate``."""
        return await self._client._send(calls.lifecycle("terminate", _endpoint_id(endpoint_id), self._team))

    async def restart(self, endpoint_id: str) -> EndpointState:
        """See ``Endpoints.restart``."""
        return await self._client._send(calls.lifecycle("restart", _endpoint_id(endpoint_id), self._team))

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
        checked_id = _endpoint_id(endpoint_id)
        terms = _terms(self._client, timeout, poll, wake, on_progress)
        return await self._client._drive(
            _waiter.wait_flow(checked_id, self._team, terms), deadline=terms.request_deadline
        )

    async def wait_all(
        self,
        endpoints: Iterable[str | AsyncEndpoint],
        *,
        timeout: float = 1800.0,
        on_progress: FleetProgress | None = None,
        wake: bool = False,
        poll: Backoff | None = None,
    ) -> FleetResult:
        """See ``Endpoints.wait_all``; cancellation-safe."""
        terms = _terms(self._client, timeout, poll, wake, on_progress)
        return await self._client._drive(
            _fleet.wait_all_flow(endpoints, self._team, terms), deadline=terms.request_deadline
        )


# Each public method is one call of the SDK's telemetry and logs (``friendli.endpoints.create``, ...);
# ``get_handle`` sends nothing.
_observe.instrument(Endpoints, "friendli.endpoints", skip=frozenset({"get_handle"}))
_observe.instrument(AsyncEndpoints, "friendli.endpoints", skip=frozenset({"get_handle"}))
