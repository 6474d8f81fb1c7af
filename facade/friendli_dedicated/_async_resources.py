"""``client.endpoints`` of ``AsyncClient``: the methods of ``Endpoints`` (``_resources``), awaited.

The same methods with the same arguments, in the same order (``tests/sdk/test_parity.py``); each
checks its inputs with the helpers of ``_resources``, then awaits one call or one flow on its client.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterable, Mapping
from contextlib import AbstractAsyncContextManager
from typing import TYPE_CHECKING, Any, Unpack, cast

from friendli_dedicated import _calls as calls, _ephemeral, _fleet, _flows as flows, _observe, _serving, _waiter
from friendli_dedicated._arguments import _check_deadline, _endpoint_id, _name, _plan, _project, _rollout_start, _terms
from friendli_dedicated._autoscaling import Autoscaling
from friendli_dedicated._backoff import Backoff
from friendli_dedicated._bodies import EndpointChanges, create_body, update_body, wandb_body
from friendli_dedicated._creates import warn_differences
from friendli_dedicated._endpoint import AsyncEndpoint, ProgressCallback
from friendli_dedicated._fleet import FleetProgress, FleetResult
from friendli_dedicated._instances import GPU, InstanceOption, UnlistedInstanceOption
from friendli_dedicated._models import EndpointSpec, EndpointState, EndpointVersion, Status
from friendli_dedicated._rollout import RolloutProgress
from friendli_dedicated._rollout_result import Rollout
from friendli_dedicated._validate import flag, identifier
from friendli_dedicated_api._contract import EngineOptions
from friendli_dedicated_api.models import DedicatedEndpointCreateBody

if TYPE_CHECKING:
    from friendli_dedicated._client import AsyncClient
    from friendli_dedicated._endpoint import AsyncListedEndpoint, AsyncRunningEndpoint

__all__ = ["AsyncEndpoints"]


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
        exist_ok: bool = False,
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
        return await self._created(body, given, exist_ok=flag(exist_ok, "exist_ok"))

    async def _created(
        self, body: DedicatedEndpointCreateBody, given: set[str], *, exist_ok: bool = False
    ) -> AsyncEndpoint:
        created = await self._client._creates.create(self._client, body, self._team, given, exist_ok=exist_ok)
        warn_differences(created, body.project_id, body.name)
        return AsyncEndpoint(self, created.endpoint_id, created.state, body.project_id, name=body.name)

    def ephemeral(
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
        timeout: float = 1800.0,
        on_progress: ProgressCallback | None = None,
        poll: Backoff | None = None,
        wait_terminated: bool = False,
        **advanced: Unpack[EngineOptions],
    ) -> AbstractAsyncContextManager[AsyncRunningEndpoint]:
        """See ``Endpoints.ephemeral``: ``async with client.endpoints.ephemeral(...) as ep:``. The
        terminate request on the way out is completed even when the task is cancelled (again)
        meanwhile; the cancellation goes on once it is."""
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
        wait = {"timeout": timeout, "on_progress": on_progress, "poll": poll}
        plan = _plan(self._client, body, {*advanced, *(extra_engine_options or {})}, wait, wait_terminated)
        return _ephemeral.AsyncEphemeral(self, plan)

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

    async def find(self, project_id: str, name: str) -> AsyncEndpoint | None:
        """See ``Endpoints.find``."""
        project, wanted = identifier(project_id, "project_id"), _name(name)
        found = await self._client._creates.find(self._client, project, wanted, self._team)
        return None if found is None else AsyncEndpoint(self, found.endpoint_id, found.state, project, name=wanted)

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
        return self._handles(flows.endpoints_listing(project, self._team, limit, page_size), project)

    async def _handles(
        self, listing: flows.Flow[str | None], project: str | None
    ) -> AsyncIterator[AsyncListedEndpoint]:
        async for endpoint_id, state in self._client._steps(listing, []):
            if project is not None:
                self._client._creates.remember(self._team, project, (endpoint_id,))
            yield cast("AsyncListedEndpoint", AsyncEndpoint(self, endpoint_id, state, project))

    def versions(
        self, endpoint_id: str, *, limit: int | None = None, page_size: int = 100
    ) -> AsyncIterator[EndpointVersion]:
        """See ``Endpoints.versions``."""
        return self._versions(flows.versions_listing(endpoint_id, self._team, limit, page_size))

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
        updated = await self._client._drive(
            flows.update_flow(checked_id, self._team, body, advanced, extra_engine_options)
        )
        self._client._creates.learn(self._team, checked_id, updated)
        return updated

    async def rollout(
        self,
        endpoint_id: str,
        *,
        timeout: float = 1800.0,
        rollback: bool = True,
        rollback_timeout: float | None = None,
        previous_model: str | None = None,
        previous_revision: str | None = None,
        on_progress: RolloutProgress | None = None,
        poll: Backoff | None = None,
        serving: bool = True,
        **changes: Unpack[EndpointChanges],
    ) -> Rollout:
        """See ``Endpoints.rollout``."""
        flow = _rollout_start(
            self._client,
            endpoint_id,
            changes,
            timeout=timeout,
            rollback=rollback,
            rollback_timeout=rollback_timeout,
            previous_model=previous_model,
            previous_revision=previous_revision,
            on_progress=on_progress,
            poll=poll,
            serving=serving,
        )
        result = await self._client._drive(flow)
        if result.spec is not None:
            self._client._creates.learn(self._team, result.endpoint_id, result.spec)
        return result

    async def delete(self, endpoint_id: str) -> None:
        """See ``Endpoints.delete``."""
        checked_id = _endpoint_id(endpoint_id)
        await self._client._send(calls.delete(checked_id, self._team))
        self._client._creates.forget(self._team, checked_id)

    async def sleep(self, endpoint_id: str) -> EndpointState:
        """See ``Endpoints.sleep``."""
        return await self._client._drive(flows.action_flow("sleep", _endpoint_id(endpoint_id), self._team))

    async def wake(self, endpoint_id: str) -> EndpointState:
        """See ``Endpoints.wake``."""
        return await self._client._drive(flows.action_flow("wake", _endpoint_id(endpoint_id), self._team))

    async def terminate(self, endpoint_id: str) -> EndpointState:
        """See ``Endpoints.terminate``."""
        return await self._client._drive(flows.action_flow("terminate", _endpoint_id(endpoint_id), self._team))

    async def restart(self, endpoint_id: str) -> EndpointState:
        """See ``Endpoints.restart``."""
        return await self._client._drive(flows.action_flow("restart", _endpoint_id(endpoint_id), self._team))

    async def check_serving(self, endpoint_id: str, *, timeout: float = 30.0) -> None:
        """See ``Endpoints.check_serving``."""
        checked_id = _endpoint_id(endpoint_id)
        limit, deadline = _check_deadline(self._client, timeout)
        await self._client._drive(_serving.check_flow(checked_id, self._team, limit), deadline=deadline)

    async def wait_until_running(
        self,
        endpoint_id: str,
        *,
        timeout: float = 1800.0,
        on_progress: ProgressCallback | None = None,
        wake: bool = False,
        poll: Backoff | None = None,
        serving: bool = False,
    ) -> EndpointState:
        """See ``Endpoints.wait_until_running``; cancellation-safe."""
        checked_id = _endpoint_id(endpoint_id)
        terms = _terms(self._client, timeout, poll, wake, on_progress, serving=serving)
        return await self._client._drive(
            _waiter.wait_flow(checked_id, self._team, terms), deadline=terms.request_deadline
        )

    async def wait_until(
        self,
        endpoint_id: str,
        status: Status | str,
        *,
        timeout: float = 1800.0,
        on_progress: ProgressCallback | None = None,
        poll: Backoff | None = None,
    ) -> EndpointState:
        """See ``Endpoints.wait_until``; cancellation-safe."""
        checked_id = _endpoint_id(endpoint_id)
        until = _waiter.wait_target(status, "status")
        terms = _terms(self._client, timeout, poll, False, on_progress, until)
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
        until: Status | str = Status.RUNNING,
    ) -> FleetResult:
        """See ``Endpoints.wait_all``; cancellation-safe."""
        target = _waiter.wait_target(until, "until")
        terms = _terms(self._client, timeout, poll, wake, on_progress, target)
        flow = _fleet.wait_all_flow(endpoints, self._team, terms, self._locate)
        return await self._client._drive(flow, deadline=terms.request_deadline)

    def _locate(self, endpoint_id: str) -> str | None:
        return self._client._creates.project_of(self._team, endpoint_id)


# Each public method is one call of the SDK's telemetry and logs, as Endpoints' (see _resources).
_observe.instrument(AsyncEndpoints, "friendli.endpoints", skip=frozenset({"get_handle"}))
