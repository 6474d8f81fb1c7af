"""Endpoint handles: an id, the last state seen, and methods that act on the endpoint and chain.

>>> ep = client.endpoints.create("proj", "demo", "meta-llama/Llama-3.1-8B-Instruct", "H100")  # doctest: +SKIP
>>> ep.wait_until_running(timeout=900).sleep()  # doctest: +SKIP
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from friendli_dedicated._backoff import Backoff
from friendli_dedicated._models import EndpointState
from friendli_dedicated_api.models import DedicatedEndpointSpec

if TYPE_CHECKING:
    from friendli_dedicated._resources import AsyncEndpoints, Endpoints

ProgressCallback = Callable[[EndpointState, float], None]


class Endpoint:
    """A handle on one endpoint. Action methods refresh ``state`` and return the handle.

    >>> ep = client.endpoints.get_handle("ep-123")  # doctest: +SKIP
    >>> ep.wake().wait_until_running(timeout=900).state.status  # doctest: +SKIP
    <InferenceDeploymentStatus.RUNNING: 'RUNNING'>
    """

    def __init__(self, endpoints: Endpoints, endpoint_id: str, state: EndpointState | None = None) -> None:
        self._endpoints = endpoints
        self.id = endpoint_id
        self.state = state

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
    ) -> Endpoint:
        """Wait until the endpoint serves; see ``Endpoints.wait_until_running``."""
        self.state = self._endpoints.wait_until_running(
            self.id, timeout=timeout, on_progress=on_progress, wake=wake, poll=poll
        )
        return self

    def update(self, **changes: Any) -> Endpoint:
        """Apply ``Endpoints.update`` changes, then refresh the status."""
        self._endpoints.update(self.id, **changes)
        return self.refresh()

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

    >>> ep = await client.endpoints.create("proj", "demo", "org/model", "H100")  # doctest: +SKIP
    >>> await (await ep.wake()).wait_until_running(timeout=900)  # doctest: +SKIP
    """

    def __init__(self, endpoints: AsyncEndpoints, endpoint_id: str, state: EndpointState | None = None) -> None:
        self._endpoints = endpoints
        self.id = endpoint_id
        self.state = state

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
    ) -> AsyncEndpoint:
        self.state = await self._endpoints.wait_until_running(
            self.id, timeout=timeout, on_progress=on_progress, wake=wake, poll=poll
        )
        return self

    async def update(self, **changes: Any) -> AsyncEndpoint:
        await self._endpoints.update(self.id, **changes)
        return await self.refresh()

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
