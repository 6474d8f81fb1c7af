"""Short-lived endpoints (``endpoints.ephemeral``): create, wait until it serves, hand it out, and
always terminate it on the way out.

What happens at the end of the block, whatever ended it:

- it ended normally or with an exception (a timeout of the wait included): the endpoint is
  terminated, and with ``wait_terminated=True`` the block waits until it is TERMINATED;
- it was interrupted (Ctrl-C's ``KeyboardInterrupt``, ``SystemExit``, the task's cancellation): the
  endpoint is terminated, without the wait, and the interruption goes on. The async shell completes
  the terminate request even if its task is cancelled again meanwhile (within the client's timeout),
  then lets the cancellation go on;
- terminating failed: ``EndpointNotTerminatedError`` names the endpoint that may still bill,
  chained from the failure (the block's exception is its ``original``). After an interruption the
  interruption goes on instead, with a note naming the endpoint (PEP 678), and so does a second
  Ctrl-C that interrupts the terminate itself: a user who presses it twice wants out;
- creating failed: nothing is terminated; when the endpoint may exist all the same (the create's
  outcome is unknown, or it was interrupted), the error carries a note saying where to look.

The decisions are made once, free of I/O (``Lease``, ``terminate_flow``); the two shells,
``Ephemeral`` (``with``) and ``AsyncEphemeral`` (``async with``), only send and await.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Mapping
from types import TracebackType
from typing import TYPE_CHECKING, Any, TypeVar

import attrs

from friendli_dedicated import _calls as calls
from friendli_dedicated._flows import Flow
from friendli_dedicated._models import EndpointState, Status
from friendli_dedicated.errors import (
    BadRequestError,
    EndpointCreationUnresolvedError,
    EndpointNotTerminatedError,
    FriendliError,
    NotFoundError,
)
from friendli_dedicated_api.models import DedicatedEndpointCreateBody

if TYPE_CHECKING:
    from friendli_dedicated._async_resources import AsyncEndpoints
    from friendli_dedicated._endpoint import AsyncRunningEndpoint, RunningEndpoint
    from friendli_dedicated._resources import Endpoints

__all__ = ["AsyncEphemeral", "Ephemeral", "Lease", "terminate_flow"]

T = TypeVar("T")
_log = logging.getLogger("friendli_dedicated")
_ENDING = frozenset({Status.TERMINATING, Status.TERMINATED})


def terminate_flow(endpoint_id: str, team_id: str | None) -> Flow[EndpointState | None]:
    """Terminate the endpoint; the state it answered, or None when it is gone (deleted: nothing bills).

    A refusal (400) is read as done when the endpoint is TERMINATING or TERMINATED already (the block
    terminated it itself): one status read, on that path only.
    """
    try:
        state: EndpointState = yield calls.lifecycle("terminate", endpoint_id, team_id)
    except NotFoundError:
        return None
    except BadRequestError as refusal:
        try:
            now: EndpointState = yield calls.status(endpoint_id, team_id)
        except FriendliError:
            raise refusal from None
        if now.status not in _ENDING:
            raise refusal from None
        return now
    return state


@attrs.define
class Lease:
    """One short-lived endpoint's bookkeeping: where it is, its id once created, whether the terminate
    went through; and what to raise when something fails on the way out.

    >>> lease = Lease("proj", "eval")
    >>> lease.endpoint_id = "ep-1"
    >>> error = lease.end_failed(ValueError("bad answer"), TimeoutError("no answer"))
    >>> type(error).__name__, error.endpoint_id, type(error.original).__name__
    ('EndpointNotTerminatedError', 'ep-1', 'ValueError')
    """

    project_id: str
    name: str
    endpoint_id: str | None = None
    terminate_sent: bool = False

    def creating_failed(self, exc: BaseException) -> None:
        """The create raised ``exc``: say on it, when the endpoint may exist, that nothing terminated it."""
        where = f"endpoints.find({self.project_id!r}, {self.name!r})"
        if isinstance(exc, EndpointCreationUnresolvedError):
            exc.add_note(f"ephemeral: the new endpoint's id is unknown, so it was not terminated: look it up ({where})")
        elif not isinstance(exc, Exception):
            exc.add_note(
                f"ephemeral: interrupted while creating {self.name!r} in project {self.project_id!r}: it may have been "
                f"created and may bill; look it up ({where}) and terminate it"
            )

    def wait_for_terminated(self, original: BaseException | None, wanted: bool) -> bool:
        """Whether to wait until TERMINATED after the terminate: when asked, and not after an interruption."""
        return wanted and (original is None or isinstance(original, Exception))

    def end_failed(self, original: BaseException | None, error: BaseException) -> BaseException | None:
        """What to raise when terminating (or waiting for TERMINATED) failed with ``error`` after the
        block ended with ``original`` (None: it ended normally). None: let ``original`` go on (an
        interruption, which now has a note); ``error`` itself: an interruption of the terminate; else
        the ``EndpointNotTerminatedError`` to raise from ``error``."""
        assert self.endpoint_id is not None
        if self.terminate_sent:
            what = f"endpoint {self.endpoint_id} was told to terminate, but it was not seen TERMINATED"
        else:
            what = f"endpoint {self.endpoint_id} may still be running and billing: terminating it failed"
        where = f"{self.name!r} in project {self.project_id!r}"
        todo = f"terminate it with client.endpoints.terminate({self.endpoint_id!r})"
        _log.error("%s (%s, %s); %s", what, where, type(error).__name__, todo)
        if not isinstance(error, Exception):  # Ctrl-C again, or a cancellation: it goes on
            error.add_note(f"ephemeral: {what} ({where}); {todo}")
            return error
        if original is not None and not isinstance(original, Exception):
            original.add_note(f"ephemeral: {what} ({where}: {type(error).__name__}: {error}); {todo}")
            return None
        after = f"; the block ended with {type(original).__name__} (see .original)" if original is not None else ""
        return EndpointNotTerminatedError(
            f"{what} ({where}): {type(error).__name__}: {error}{after}; {todo}",
            endpoint_id=self.endpoint_id,
            project_id=self.project_id,
            name=self.name,
            terminate_sent=self.terminate_sent,
            original=original,
        )


@attrs.frozen
class Plan:
    """What an ``ephemeral`` block was asked (checked when ``ephemeral`` was called)."""

    body: DedicatedEndpointCreateBody
    given: set[str]
    wait: Mapping[str, Any]
    """The arguments of ``wait_until_running`` (``serving=True`` among them) and of the wait for TERMINATED."""
    wait_terminated: bool


def _raise(lease: Lease, original: BaseException | None, error: BaseException) -> None:
    failure = lease.end_failed(original, error)
    if failure is error:
        raise error
    if failure is not None:
        raise failure from error


class Ephemeral:
    """The ``with`` shell of ``Endpoints.ephemeral``: enter creates and waits, exit terminates."""

    def __init__(self, endpoints: Endpoints, plan: Plan) -> None:
        self._endpoints = endpoints
        self._plan = plan
        self._lease = Lease(plan.body.project_id, plan.body.name)

    def __enter__(self) -> RunningEndpoint:
        try:
            endpoint = self._endpoints._created(self._plan.body, self._plan.given)
        except BaseException as exc:
            self._lease.creating_failed(exc)
            raise
        self._lease.endpoint_id = endpoint.id
        try:
            return endpoint.wait_until_running(**self._plan.wait, serving=True)
        except BaseException as exc:
            self._end(exc)
            raise

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self._end(exc)

    def _end(self, original: BaseException | None) -> None:
        lease, endpoints = self._lease, self._endpoints
        assert lease.endpoint_id is not None
        try:
            endpoints._client._drive(terminate_flow(lease.endpoint_id, endpoints._team))
            lease.terminate_sent = True
            if lease.wait_for_terminated(original, self._plan.wait_terminated):
                endpoints.wait_until(lease.endpoint_id, Status.TERMINATED, **self._plan.wait)
        except BaseException as error:
            _raise(lease, original, error)


class AsyncEphemeral:
    """The ``async with`` shell of ``AsyncEndpoints.ephemeral``: the same steps, awaited, and the
    terminate request shielded from the task's cancellation."""

    def __init__(self, endpoints: AsyncEndpoints, plan: Plan) -> None:
        self._endpoints = endpoints
        self._plan = plan
        self._lease = Lease(plan.body.project_id, plan.body.name)

    async def __aenter__(self) -> AsyncRunningEndpoint:
        try:
            endpoint = await self._endpoints._created(self._plan.body, self._plan.given)
        except BaseException as exc:
            self._lease.creating_failed(exc)
            raise
        self._lease.endpoint_id = endpoint.id
        try:
            return await endpoint.wait_until_running(**self._plan.wait, serving=True)
        except BaseException as exc:
            await self._end(exc)
            raise

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        await self._end(exc)

    async def _end(self, original: BaseException | None) -> None:
        lease, endpoints = self._lease, self._endpoints
        assert lease.endpoint_id is not None
        cancelled: asyncio.CancelledError | None = None
        try:
            cancelled = await _to_the_end(endpoints._client._drive(terminate_flow(lease.endpoint_id, endpoints._team)))
            lease.terminate_sent = True
            if cancelled is None and lease.wait_for_terminated(original, self._plan.wait_terminated):
                await endpoints.wait_until(lease.endpoint_id, Status.TERMINATED, **self._plan.wait)
        except BaseException as error:
            _raise(lease, original, error)
        if cancelled is not None:  # cancelled while terminating: the terminate went through, now go on
            raise cancelled


async def _to_the_end(work: Awaitable[object]) -> asyncio.CancelledError | None:
    """Await ``work`` to its end even if this task is cancelled meanwhile (any number of times); returns
    the cancellation that came meanwhile, if one did, for the caller to raise once it is done. Raises
    what ``work`` raised, or, when it failed after a cancellation came, the cancellation from it.
    """
    task = asyncio.ensure_future(work)
    cancelled: asyncio.CancelledError | None = None
    while not task.done():
        try:
            # asyncio.wait leaves the task running when this one is cancelled (shield's job, without a
            # second future to clean up).
            await asyncio.wait({task})
        except asyncio.CancelledError as exc:
            cancelled = exc
    if task.cancelled():  # the loop itself is shutting down: nothing more can be sent
        raise cancelled or asyncio.CancelledError()
    failure = task.exception()
    if failure is not None:
        if cancelled is not None:
            raise cancelled from failure
        raise failure
    return cancelled
