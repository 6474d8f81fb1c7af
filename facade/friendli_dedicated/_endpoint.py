"""Endpoint handles: an id, the last state seen, and methods that act on the endpoint and chain.

Every action method returns the handle, so calls chain (``client.endpoints``' methods of the same
names take an id and return the API's answer instead: the state, or the specification). After an
action that sets ``state`` from the API's answer (``refresh``, ``sleep``, ``wake``, ``terminate``,
``restart``, ``wait_until``) the handle's ``state`` is known, and type checkers see that too: the
return type is ``ObservedEndpoint``, a name for type checkers only (the object is the same
``Endpoint``), whose ``state`` is not Optional; ``wait_until_running`` returns a ``RunningEndpoint``,
an ``ObservedEndpoint`` too.

>>> ep = client.endpoints.create("proj", "demo", "meta-llama/Llama-3.1-8B-Instruct", "H100")
>>> ep.wait_until_running(timeout=900).state.status
<Status.RUNNING: 'RUNNING'>
>>> ep.sleep().state.status
<Status.SLEEPING: 'SLEEPING'>

Once it serves, requests go to its inference surface, ``inference_base_url``, with the endpoint's
id as the ``model``: ``openai_client()`` and ``async_openai_client()`` (the ``openai`` extra, see
``_openai``) give the official OpenAI clients for it.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any, Unpack, cast

from friendli_dedicated import _openai
from friendli_dedicated._backoff import Backoff
from friendli_dedicated._bodies import EndpointChanges
from friendli_dedicated._instances import GPU, InstanceOption, UnlistedInstanceOption
from friendli_dedicated._models import EndpointSpec, EndpointState, Status

if TYPE_CHECKING:
    import openai

    from friendli_dedicated._async_resources import AsyncEndpoints
    from friendli_dedicated._resources import Endpoints
    from friendli_dedicated._rollout import RolloutProgress
    from friendli_dedicated._rollout_result import Rollout

# ObservedEndpoint, RunningEndpoint, ListedEndpoint and their async twins exist for type checkers only
# (see the end).
__all__ = ["AsyncEndpoint", "Endpoint", "ProgressCallback"]

ProgressCallback = Callable[[EndpointState, float], None]
Instance = InstanceOption | UnlistedInstanceOption | GPU | str


def _learn(handle: Endpoint | AsyncEndpoint, spec: EndpointSpec) -> None:
    """What a specification tells a handle about its endpoint: its name and project."""
    if isinstance(spec.name, str):
        handle.name = spec.name
    if isinstance(spec.project_id, str):
        handle.project_id = spec.project_id


def _saw(handle: Endpoint | AsyncEndpoint, result: Rollout) -> None:
    """What a rollout tells a handle: the last state and specification it saw."""
    if result.state is not None:
        handle.state = result.state
    if result.spec is not None:
        _learn(handle, result.spec)


def _repr(handle: Endpoint | AsyncEndpoint) -> str:
    shown = [f"id={handle.id!r}"]
    if handle.project_id is not None:
        shown.append(f"project_id={handle.project_id!r}")
    if handle.name is not None:
        shown.append(f"name={handle.name!r}")
    shown.append(f"status={handle.state.status.value if handle.state is not None else None!r}")
    return f"{type(handle).__name__}({', '.join(shown)})"


class Endpoint:
    """A handle on one endpoint: ``id``, the last ``state`` seen (None until one is), and its
    ``project_id`` and ``name`` when known (handles from ``create`` know both, from
    ``list(project_id)`` the project; ``spec()`` and ``update`` learn both).

    Action methods (``refresh``, ``sleep``, ``wake``, ``terminate``, ``restart``, ``update``,
    ``wait_until_running``, ``wait_until``) act, refresh ``state`` and return the handle, so calls chain;
    ``spec()`` returns the ``EndpointSpec``, and ``rollout`` (an update, verified, or rolled back) an
    ``fd.Rollout``. ``client.endpoints``' methods of the same names take
    an id and return the API's answer instead (an ``EndpointState``, an ``EndpointSpec``). Type
    checkers see the handle that those setting ``state`` return as an ``ObservedEndpoint``, whose
    ``state`` is not Optional (``update`` leaves ``state`` as it was: an ``Endpoint``).

    >>> created = client.endpoints.create("proj", "chat", "org/model", "H100")
    >>> ep = client.endpoints.get_handle(created.id)  # no request: the state is not known yet
    >>> ep
    Endpoint(id='ep-...', status=None)
    >>> ep.state is None, ep.wait_until_running(timeout=900).sleep().state.status.value
    (True, 'SLEEPING')
    >>> ep.wake().wait_until_running(timeout=900).state.status
    <Status.RUNNING: 'RUNNING'>
    >>> created
    Endpoint(id='ep-...', project_id='proj', name='chat', status='INITIALIZING')
    """

    def __init__(
        self,
        endpoints: Endpoints,
        endpoint_id: str,
        state: EndpointState | None = None,
        project_id: str | None = None,
        *,
        name: str | None = None,
    ) -> None:
        self._endpoints = endpoints
        self.id = endpoint_id
        self.state = state
        self.project_id = project_id
        self.name = name

    def __repr__(self) -> str:
        return _repr(self)

    @property
    def inference_base_url(self) -> str:
        """Where the endpoint's OpenAI-compatible inference operations are: the client's base URL and
        the contract's inference path (``https://api.friendli.ai/dedicated/v1``). Requests there
        name the endpoint's id as their ``model``, with the client's token and team."""
        return _openai.inference_base_url(self._endpoints._client)

    def openai_client(self, **options: Any) -> openai.OpenAI:
        """An ``openai.OpenAI`` for the endpoint's inference surface (the ``openai`` extra): its base
        URL, the client's token as ``api_key`` and its team as ``X-Friendli-Team``; ``options`` go to
        ``openai.OpenAI`` (and win). openai has no default model: pass ``model=endpoint.id``.

        ```python
        endpoint.wait_until_running(serving=True)
        chat = endpoint.openai_client()
        answer = chat.chat.completions.create(model=endpoint.id, messages=[{"role": "user", "content": "Hi"}])
        print(answer.choices[0].message.content)
        ```

        Inside the testing kit's ``mock_friendli`` and on ``Emulator.client()``, the OpenAI client is
        wired to the same in-process emulator. An ``http_client`` given to the SDK's client is not
        reused: pass openai one of its own (``http_client=``). The token is held by openai's object
        (its ``api_key``), out of this SDK's hands.
        """
        return _openai.openai_client(self._endpoints._client, options)

    def async_openai_client(self, **options: Any) -> openai.AsyncOpenAI:
        """An ``openai.AsyncOpenAI`` for the endpoint's inference surface; see ``openai_client``."""
        return _openai.async_openai_client(self._endpoints._client, options)

    def check_serving(self, *, timeout: float = 30.0) -> Endpoint:
        """Check that the endpoint answers a request (see ``Endpoints.check_serving``); returns the
        handle, or raises ``fd.EndpointNotServingError`` saying why not."""
        self._endpoints.check_serving(self.id, timeout=timeout)
        return self

    def refresh(self) -> ObservedEndpoint:
        """Fetch the current status into ``state``; returns the handle (``client.endpoints.status``
        returns the state)."""
        self.state = self._endpoints.status(self.id)
        return cast("ObservedEndpoint", self)

    def spec(self) -> EndpointSpec:
        """The endpoint's specification (instance, replicas, engine options): ``client.endpoints.get``.

        >>> ep = client.endpoints.create("proj", "chat", "org/model", "H100", max_batch_size=64)
        >>> ep.spec().max_batch_size
        64
        """
        spec = self._endpoints.get(self.id)
        _learn(self, spec)
        return spec

    def wait_until_running(
        self,
        *,
        timeout: float = 1800.0,
        on_progress: ProgressCallback | None = None,
        wake: bool = False,
        poll: Backoff | None = None,
        serving: bool = False,
    ) -> RunningEndpoint:
        """Wait until the endpoint serves; see ``Endpoints.wait_until_running`` (``serving=True``: until
        it answers a request, not only until it says RUNNING). Returns the handle, whose ``state`` is
        now the serving one (typed ``RunningEndpoint`` for type checkers)."""
        self.state = self._endpoints.wait_until_running(
            self.id, timeout=timeout, on_progress=on_progress, wake=wake, poll=poll, serving=serving
        )
        return cast("RunningEndpoint", self)

    def wait_until(
        self,
        status: Status | str,
        *,
        timeout: float = 1800.0,
        on_progress: ProgressCallback | None = None,
        poll: Backoff | None = None,
    ) -> ObservedEndpoint:
        """Wait until the endpoint is ``status`` (RUNNING, SLEEPING, TERMINATED or FAILED); see
        ``Endpoints.wait_until``. Returns the handle, whose ``state`` is the one reached.

        >>> ep = client.endpoints.create("proj", "short", "org/model", "H100")
        >>> ep.terminate().wait_until(fd.Status.TERMINATED, timeout=600).state.status.value
        'TERMINATED'
        """
        self.state = self._endpoints.wait_until(self.id, status, timeout=timeout, on_progress=on_progress, poll=poll)
        return cast("ObservedEndpoint", self)

    def update(self, **changes: Unpack[EndpointChanges]) -> Endpoint:
        """Change the endpoint: the keywords of ``Endpoints.update`` (``EndpointChanges``); one request.
        The new version rolls out (UPDATING, then RUNNING): follow with ``wait_until_running``.
        ``state`` is the last one seen.

        >>> ep = client.endpoints.create("proj", "tuned", "org/model", "H100").wait_until_running()
        >>> ep.update(max_batch_size=64, comment="bigger batches").wait_until_running().state.status.value
        'RUNNING'
        """
        _learn(self, self._endpoints.update(self.id, **changes))
        return self

    def rollout(
        self,
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
        """Update the endpoint, see the new version serve as asked, or roll it back: an ``fd.Rollout``
        (see ``Endpoints.rollout``). ``state`` is the last one the rollout saw.

        >>> ep = client.endpoints.create("proj", "verified", "org/model", "H100").wait_until_running()
        >>> ep.rollout(max_batch_size=64, comment="bigger batches").raise_for_failure().outcome
        'rolled_out'
        """
        result = self._endpoints.rollout(
            self.id,
            timeout=timeout,
            rollback=rollback,
            rollback_timeout=rollback_timeout,
            previous_model=previous_model,
            previous_revision=previous_revision,
            on_progress=on_progress,
            poll=poll,
            serving=serving,
            **changes,
        )
        _saw(self, result)
        return result

    def sleep(self) -> ObservedEndpoint:
        """Put the endpoint to sleep; returns the handle, whose ``state`` is the new one."""
        self.state = self._endpoints.sleep(self.id)
        return cast("ObservedEndpoint", self)

    def wake(self) -> ObservedEndpoint:
        """Wake the endpoint (then ``wait_until_running``); returns the handle."""
        self.state = self._endpoints.wake(self.id)
        return cast("ObservedEndpoint", self)

    def terminate(self) -> ObservedEndpoint:
        """Terminate the endpoint; returns the handle (``.wait_until(fd.Status.TERMINATED)`` waits for it to end)."""
        self.state = self._endpoints.terminate(self.id)
        return cast("ObservedEndpoint", self)

    def restart(self) -> ObservedEndpoint:
        """Restart a FAILED or TERMINATED endpoint; returns the handle."""
        self.state = self._endpoints.restart(self.id)
        return cast("ObservedEndpoint", self)

    def delete(self) -> None:
        """Delete the endpoint."""
        self._endpoints.delete(self.id)


class AsyncEndpoint:
    """The async twin of ``Endpoint``: the same attributes and methods, awaited.

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
        *,
        name: str | None = None,
    ) -> None:
        self._endpoints = endpoints
        self.id = endpoint_id
        self.state = state
        self.project_id = project_id
        self.name = name

    def __repr__(self) -> str:
        return _repr(self)

    @property
    def inference_base_url(self) -> str:
        """See ``Endpoint.inference_base_url``."""
        return _openai.inference_base_url(self._endpoints._client)

    def openai_client(self, **options: Any) -> openai.OpenAI:
        """See ``Endpoint.openai_client``."""
        return _openai.openai_client(self._endpoints._client, options)

    def async_openai_client(self, **options: Any) -> openai.AsyncOpenAI:
        """See ``Endpoint.async_openai_client``: the client an async service wants.

        ```python
        await endpoint.wait_until_running(serving=True)
        chat = endpoint.async_openai_client()
        answer = await chat.chat.completions.create(model=endpoint.id, messages=[{"role": "user", "content": "Hi"}])
        ```
        """
        return _openai.async_openai_client(self._endpoints._client, options)

    async def check_serving(self, *, timeout: float = 30.0) -> AsyncEndpoint:
        """See ``Endpoint.check_serving``."""
        await self._endpoints.check_serving(self.id, timeout=timeout)
        return self

    async def refresh(self) -> AsyncObservedEndpoint:
        """See ``Endpoint.refresh``."""
        self.state = await self._endpoints.status(self.id)
        return cast("AsyncObservedEndpoint", self)

    async def spec(self) -> EndpointSpec:
        """See ``Endpoint.spec``."""
        spec = await self._endpoints.get(self.id)
        _learn(self, spec)
        return spec

    async def wait_until_running(
        self,
        *,
        timeout: float = 1800.0,
        on_progress: ProgressCallback | None = None,
        wake: bool = False,
        poll: Backoff | None = None,
        serving: bool = False,
    ) -> AsyncRunningEndpoint:
        """See ``Endpoint.wait_until_running``."""
        self.state = await self._endpoints.wait_until_running(
            self.id, timeout=timeout, on_progress=on_progress, wake=wake, poll=poll, serving=serving
        )
        return cast("AsyncRunningEndpoint", self)

    async def wait_until(
        self,
        status: Status | str,
        *,
        timeout: float = 1800.0,
        on_progress: ProgressCallback | None = None,
        poll: Backoff | None = None,
    ) -> AsyncObservedEndpoint:
        """See ``Endpoint.wait_until``."""
        self.state = await self._endpoints.wait_until(
            self.id, status, timeout=timeout, on_progress=on_progress, poll=poll
        )
        return cast("AsyncObservedEndpoint", self)

    async def update(self, **changes: Unpack[EndpointChanges]) -> AsyncEndpoint:
        """See ``Endpoint.update``."""
        _learn(self, await self._endpoints.update(self.id, **changes))
        return self

    async def rollout(
        self,
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
        """See ``Endpoint.rollout``."""
        result = await self._endpoints.rollout(
            self.id,
            timeout=timeout,
            rollback=rollback,
            rollback_timeout=rollback_timeout,
            previous_model=previous_model,
            previous_revision=previous_revision,
            on_progress=on_progress,
            poll=poll,
            serving=serving,
            **changes,
        )
        _saw(self, result)
        return result

    async def sleep(self) -> AsyncObservedEndpoint:
        """Put the endpoint to sleep; returns the handle, whose ``state`` is the new one."""
        self.state = await self._endpoints.sleep(self.id)
        return cast("AsyncObservedEndpoint", self)

    async def wake(self) -> AsyncObservedEndpoint:
        """Wake the endpoint (then ``wait_until_running``); returns the handle."""
        self.state = await self._endpoints.wake(self.id)
        return cast("AsyncObservedEndpoint", self)

    async def terminate(self) -> AsyncObservedEndpoint:
        """Terminate the endpoint; returns the handle."""
        self.state = await self._endpoints.terminate(self.id)
        return cast("AsyncObservedEndpoint", self)

    async def restart(self) -> AsyncObservedEndpoint:
        """Restart a FAILED or TERMINATED endpoint; returns the handle."""
        self.state = await self._endpoints.restart(self.id)
        return cast("AsyncObservedEndpoint", self)

    async def delete(self) -> None:
        """Delete the endpoint."""
        await self._endpoints.delete(self.id)


# Names for type checkers only: at run time the handle itself is returned, and these classes do
# not exist (``friendli_dedicated.RunningEndpoint`` warns and gives ``Endpoint``), so that no
# ``isinstance`` check can claim what the object does not know.
if TYPE_CHECKING:

    class ObservedEndpoint(Endpoint):
        """For type checkers only: an ``Endpoint`` whose ``state`` is known (not None), as after
        ``refresh``, ``sleep``, ``wake``, ``terminate``, ``restart`` and ``wait_until``, which set it
        from the API's answer. At run time the object is the ``Endpoint`` itself.

        >>> ep = client.endpoints.create("proj", "short", "org/model", "H100")
        >>> ep.terminate().wait_until(fd.Status.TERMINATED, timeout=600).state.status.value
        'TERMINATED'
        """

        state: EndpointState

    class AsyncObservedEndpoint(AsyncEndpoint):
        """For type checkers only: an ``AsyncEndpoint`` whose ``state`` is known, as after its
        actions that set it. At run time the object is the ``AsyncEndpoint`` itself."""

        state: EndpointState

    class RunningEndpoint(ObservedEndpoint):
        """For type checkers only: an ``Endpoint`` after ``wait_until_running``, whose ``state`` is
        known (not None). At run time the object is the ``Endpoint`` itself."""

    class AsyncRunningEndpoint(AsyncObservedEndpoint):
        """For type checkers only: an ``AsyncEndpoint`` after ``wait_until_running``, whose ``state``
        is known. At run time the object is the ``AsyncEndpoint`` itself."""

    class ListedEndpoint(ObservedEndpoint):
        """For type checkers only: an ``Endpoint`` from ``endpoints.list``, whose ``state`` is the
        one listed (not None). At run time the object is an ``Endpoint``."""

    class AsyncListedEndpoint(AsyncObservedEndpoint):
        """For type checkers only: an ``AsyncEndpoint`` from ``endpoints.list``, whose ``state`` is
        the one listed. At run time the object is an ``AsyncEndpoint``."""
