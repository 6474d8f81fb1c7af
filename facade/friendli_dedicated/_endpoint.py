"""Endpoint handles: an id, the last state seen, and methods that act on the endpoint and chain.

Every action method returns the handle, so calls chain; after ``wait_until_running`` its
``state`` is known, and type checkers see that too (the return type is ``RunningEndpoint``, the
same object, whose ``state`` is not Optional).

>>> ep = client.endpoints.create("proj", "demo", "meta-llama/Llama-3.1-8B-Instruct", "H100")
>>> ep.wait_until_running(timeout=900).state.status
<InferenceDeploymentStatus.RUNNING: 'RUNNING'>
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Unpack, cast

from friendli_dedicated._backoff import Backoff
from friendli_dedicated._bodies import EndpointChanges
from friendli_dedicated._instances import GPU, InstanceOption, UnlistedInstanceOption
from friendli_dedicated._models import EndpointState
from friendli_dedicated_api.models import DedicatedEndpointSpec

if TYPE_CHECKING:
    from friendli_dedicated._resources import AsyncEndpoints, Endpoints

__all__ = [
    "AsyncEndpoint",
    "AsyncListedEndpoint",
    "AsyncRunningEndpoint",
    "Endpoint",
    "ListedEndpoint",
    "ProgressCallback",
    "RunningEndpoint",
]

ProgressCallback = Callable[[EndpointState, float], None]
Instance = InstanceOption | UnlistedInstanceOption | GPU | str


class Endpoint:
    """A handle on one endpoint: ``id``, the last ``state`` seen (None until one is), and its
    ``project_id`` when known (handles from ``create`` and ``list(project_id)`` know it).

    Action methods refresh ``state`` and return the handle.

    >>> created = client.endpoints.create("proj", "chat", "org/model", "H100")
    >>> ep = client.endpoints.get_handle(created.id)  # no request: the state is not known yet
    >>> ep.state is None, ep.wait_until_running(timeout=900).sleep().state.status.value
    (True, 'SLEEPING')
    >>> ep.wake().wait_until_running(timeout=900).state.status
    <InferenceDeploymentStatus.RUNNING: 'RUNNING'>
    """

    def __init__(
        self,
        endpoints: Endpoints,
        endpoint_id: str,
        state: EndpointState | None = None,
        project_id: str | None = None,
    ) -> None:
        self._endpoints = endpoints
        self.id = endpoint_id
        self.state = state
        self.project_id = project_id

    def __repr__(self) -> str:
        status = self.state.status.value if self.state is not None else "unknown"
        return f"Endpoint(id={self.id!r}, status={status!r})"

    def refresh(self) -> Endpoint:
        """Fetch the current status."""
        self.state = self._endpoints.status(self.id)
        return self

    def spec(self) -> DedicatedEndpointSpec:
        """The endpoint's specification (model, GPU, replicas, engine options)."""
        return self._endpoints.get(self.id)

    def wait_until_running(
        self,
        *,
        timeout: float = 1800.0,
        on_progress: ProgressCallback | None = None,
        wake: bool = False,
        poll: Backoff | None = None,
    ) -> RunningEndpoint:
        """Wait until the endpoint serves; see ``Endpoints.wait_until_running``. Returns the handle,
        whose ``state`` is now the serving one."""
        self.state = self._endpoints.wait_until_running(
            self.id, timeout=timeout, on_progress=on_progress, wake=wake, poll=poll
        )
        return cast("RunningEndpoint", self)

    def update(self, **changes: Unpack[EndpointChanges]) -> Endpoint:
        """Change the endpoint: the keywords of ``Endpoints.update`` (``EndpointChanges``); one request.
        The new version rolls out (UPDATING, then RUNNING): follow with ``wait_until_running``.
        ``state`` is the last one seen.

        >>> ep = client.endpoints.create("proj", "tuned", "org/model", "H100").wait_until_running()
        >>> ep.update(max_batch_size=64, comment="bigger batches").wait_until_running().state.status.value
        'RUNNING'
        """
        self._endpoints.update(self.id, **changes)
        return self

    def sleep(self) -> Endpoint:
        """Put the endpoint to sleep."""
        self.state = self._endpoints.sleep(self.id)
        return self

    def wake(self) -> Endpoint:
        """Wake the endpoint (then wait_until_running)."""
        self.state = self._endpoints.wake(self.id)
        return self

    def terminate(self) -> Endpoint:
        """Terminate the endpoint."""
        self.state = self._endpoints.terminate(self.id)
        return self

    def restart(self) -> Endpoint:
        """Restart a FAILED or TERMINATED endpoint."""
        self.state = self._endpoints.restart(self.id)
        return self

    def delete(self) -> None:
        """Delete the endpoint."""
        self._endpoints.delete(self.id)


class AsyncEndpoint:
    """The async twin of ``Endpoint``: the same methods, awaited.

    >>> import asyncio
    >>> async def deploy() -> str:
    ...     async with fd.AsyncClient() as aclient:
    ...         ep = await aclient.endpoints.create("proj", "demo", "org/model", "H100")
    ...         await (await ep.wait_until_running(timeout=900)).sleep()
    ...         return (await (await ep.wake()).wait_until_running(timeout=900)).state.status.value
    >>> asyncio.run(deploy())
    'RUNNING'
    """

    def __init__(
        self,
        endpoints: AsyncEndpoints,
        endpoint_id: str,
        state: EndpointState | None = None,
        project_id: str | None = None,
    ) -> None:
        self._endpoints = endpoints
        self.id = endpoint_id
        self.state = state
        self.project_id = project_id

    def __repr__(self) -> str:
        status = self.state.status.value if self.state is not None else "unknown"
        return f"AsyncEndpoint(id={self.id!r}, status={status!r})"

    async def refresh(self) -> AsyncEndpoint:
        """Fetch the current status."""
        self.state = await self._endpoints.status(self.id)
        return self

    async def spec(self) -> DedicatedEndpointSpec:
        """The endpoint's specification."""
        return await self._endpoints.get(self.id)

    async def wait_until_running(
        self,
        *,
        timeout: float = 1800.0,
        on_progress: ProgressCallback | None = None,
        wake: bool = False,
        poll: Backoff | None = None,
    ) -> AsyncRunningEndpoint:
        """See ``Endpoint.wait_until_running``."""
        self.state = await self._endpoints.wait_until_running(
            self.id, timeout=timeout, on_progress=on_progress, wake=wake, poll=poll
        )
        return cast("AsyncRunningEndpoint", self)

    async def update(self, **changes: Unpack[EndpointChanges]) -> AsyncEndpoint:
        """See ``Endpoint.update``."""
        await self._endpoints.update(self.id, **changes)
        return self

    async def sleep(self) -> AsyncEndpoint:
        """Put the endpoint to sleep."""
        self.state = await self._endpoints.sleep(self.id)
        return self

    async def wake(self) -> AsyncEndpoint:
        """Wake the endpoint (then wait_until_running)."""
        self.state = await self._endpoints.wake(self.id)
        return self

    async def terminate(self) -> AsyncEndpoint:
        """Terminate the endpoint."""
        self.state = await self._endpoints.terminate(self.id)
        return self

    async def restart(self) -> AsyncEndpoint:
        """Restart a FAILED or TERMINATED endpoint."""
        self.state = await self._endpoints.restart(self.id)
        return self

    async def delete(self) -> None:
        """Delete the endpoint."""
        await self._endpoints.delete(self.id)


if TYPE_CHECKING:

    class RunningEndpoint(Endpoint):
        """An ``Endpoint`` after ``wait_until_running``: its ``state`` is known (for type checkers)."""

        state: EndpointState

    class AsyncRunningEndpoint(AsyncEndpoint):
        """An ``AsyncEndpoint`` after ``wait_until_running``: its ``state`` is known."""

        state: EndpointState

    class ListedEndpoint(Endpoint):
        """An ``Endpoint`` from ``endpoints.list``: its ``state`` is the one listed (for type checkers)."""

        state: EndpointState

    class AsyncListedEndpoint(AsyncEndpoint):
        """An ``AsyncEndpoint`` from ``endpoints.list``: its ``state`` is the one listed."""

        state: EndpointState

else:
    # At run time the handle itself is returned: these names are the classes it is an instance of.
    RunningEndpoint = ListedEndpoint = Endpoint
    AsyncRunningEndpoint = AsyncListedEndpoint = AsyncEndpoint
