"""Creating endpoints and finding their ids, never inviting a duplicate, at a cost that does not grow
with the fleet: the sync and async drivers of ``_directory.ProjectView``.

A create (``Endpoints.create``):

1. makes sure the client's view of the project is listed (once, shared by every create in flight);
2. sends the create, never again once it may have reached the server. The id is taken from the
   response when the server sends one anyway (``endpointId`` or ``id``). A create whose outcome is
   unknown (the connection broke after sending, a 5xx, a 2xx whose body cannot be read) may still
   have made the endpoint: it is looked up like any other;
3. waits for a listing round started after its reply (one round in flight per project, read by
   every create waiting), reads the specifications of the new endpoints (each once), and claims
   the one that matches its name, GPU kind and count. Rounds are incremental; one that does not
   show the endpoint is followed by a full one, then by full ones after short pauses while the
   listing lags. If none shows it, ``EndpointCreationUnresolvedError`` says it may exist and
   where to look: the one error after which a caller must look before creating again.

The two drivers are twins: the same steps, one with threads and their condition, one with
``asyncio``. The decisions are the view's.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, TypeVar

from friendli_dedicated import _flows as flows, _requests as requests
from friendli_dedicated._directory import Fingerprint, ProjectView, Round
from friendli_dedicated._instances import InstanceOption
from friendli_dedicated._models import EndpointState
from friendli_dedicated.errors import (
    EndpointCreationUnresolvedError,
    FriendliError,
    NotFoundError,
    ResponseFormatError,
    ServerError,
    TransportError,
)
from friendli_dedicated_api.models import DedicatedEndpointCreateBody, DedicatedEndpointSpec

if TYPE_CHECKING:
    from friendli_dedicated._client import AsyncClient, Client

__all__ = ["RELIST_PAUSES", "AsyncCreates", "Creates"]

T = TypeVar("T")

RELIST_PAUSES = (0.5, 1.0, 2.0)
"""Seconds to wait before listing again when a full listing does not show the new endpoint yet."""
# Where a server that does return the new endpoint's id would put it (the contract does not say).
_ID_FIELDS = ("endpointId", "endpoint_id", "id")
_GONE = Fingerprint(name="\x00deleted")  # an endpoint deleted before its specification was read


def fingerprint_of(body: DedicatedEndpointCreateBody) -> Fingerprint:
    """What a create asks for, as its endpoint's specification will report it."""
    try:
        option = InstanceOption.from_id(body.instance_option_id)
    except FriendliError:  # an unlisted option: its GPU is not known here
        return Fingerprint(body.name)
    return Fingerprint(body.name, option.gpu.value, option.count)


def fingerprint_of_spec(spec: DedicatedEndpointSpec) -> Fingerprint:
    return Fingerprint(spec.name, spec.gpu_type, spec.num_gpu)


def _doubt(exc: FriendliError) -> str | None:
    """Why a failed create may still have made the endpoint, or None when it cannot have."""
    if isinstance(exc, ResponseFormatError | ServerError):
        return f"the create call failed with {type(exc).__name__}: {exc}"
    if isinstance(exc, TransportError) and exc.may_have_reached_server:
        return f"the create call failed with {type(exc).__name__}: {exc}"
    return None


def _id_in(state: EndpointState | None) -> str | None:
    if state is None:
        return None
    for field in _ID_FIELDS:
        value = state.raw.get(field)
        if isinstance(value, str) and value:
            return value
    return None


def _unresolved(
    body: DedicatedEndpointCreateBody, doubt: str | None, reason: str, candidates: list[str]
) -> EndpointCreationUnresolvedError:
    project_id, name = body.project_id, body.name
    outcome = doubt or "it was accepted"
    return EndpointCreationUnresolvedError(
        f"the endpoint {name!r} may have been created in project {project_id!r} ({outcome}), but its id could "
        f"not be determined ({reason}); it may exist and bill for GPUs: check `endpoints.list({project_id!r})` "
        "before creating it again",
        project_id=project_id,
        name=name,
        candidates=tuple(candidates),
    )


class _Attempt:
    """One create's bookkeeping while it is resolved."""

    def __init__(self, body: DedicatedEndpointCreateBody, team_id: str | None, client: Any) -> None:
        self.client = client
        self.body = body
        self.team_id = team_id
        self.wanted = fingerprint_of(body)
        self.key = (team_id, body.project_id)
        self.before: frozenset[str] = frozenset()
        self.waiting = False
        self.state: EndpointState | None = None
        self.doubt: str | None = None
        self.pauses = list(RELIST_PAUSES)


def _giving_up(attempt: _Attempt, matching: list[str]) -> EndpointCreationUnresolvedError:
    """The error of a create that full listings, after every pause, did not resolve to one endpoint."""
    if len(matching) > 1:
        reason = f"{len(matching)} new endpoints are named {attempt.body.name!r}"
        return _unresolved(attempt.body, attempt.doubt, reason, matching)
    return _unresolved(attempt.body, attempt.doubt, "no new endpoint appeared in the project's listing", [])


class Creates:
    """The sync client's creates: its views, shared by its threads (and its ``with_options`` copies)
    under one condition."""

    def __init__(self) -> None:
        self._condition = threading.Condition()
        self._views: dict[tuple[str | None, str], ProjectView] = {}

    def create(
        self, client: Client, body: DedicatedEndpointCreateBody, team_id: str | None
    ) -> tuple[str, EndpointState | None]:
        """Create the endpoint ``body`` describes with ``client``; return its id and last state."""
        attempt = _Attempt(body, team_id, client)
        with self._condition:
            view = self._views.setdefault(attempt.key, ProjectView())
        self._baseline(view, attempt)
        with self._condition:
            attempt.before = view.begin(attempt.wanted)
        try:
            try:
                attempt.state = attempt.client._send(requests.create(body, team_id))
            except FriendliError as exc:
                attempt.doubt = _doubt(exc)
                if attempt.doubt is None:
                    raise
            with self._condition:
                marker = view.posted()
                attempt.waiting = True
                self._condition.notify_all()  # one more waiting may be what lets a round start
            known = _id_in(attempt.state)
            if known is not None:
                with self._condition:
                    view.claim(known)
                return known, attempt.state
            return self._resolve(view, attempt, marker)
        finally:
            with self._condition:
                view.finished(attempt.wanted, waiting=attempt.waiting)
                self._condition.notify_all()

    def _baseline(self, view: ProjectView, attempt: _Attempt) -> None:
        clock = attempt.client._sender.clock
        self._take_part(view, attempt, lambda: view.needs_baseline(clock()), view.baseline_round)

    def _resolve(self, view: ProjectView, attempt: _Attempt, marker: int) -> tuple[str, EndpointState | None]:
        while True:
            self._await_round(view, attempt, marker)
            self._read_specs(view, attempt)
            with self._condition:
                chosen, matching = view.claimable(attempt.before, attempt.wanted)
                if chosen is not None:
                    view.claim(chosen)
                    return chosen, attempt.state or view.states.get(chosen)
                marker = view.rounds_done
                full = view.last_round_full
                if not full:
                    view.want_full_round()
            if full:
                if len(matching) > 1 or not attempt.pauses:
                    raise _giving_up(attempt, matching)
                attempt.client._sleep(attempt.pauses.pop(0))

    def _await_round(self, view: ProjectView, attempt: _Attempt, marker: int) -> None:
        self._take_part(view, attempt, lambda: not view.round_finished_after(marker), lambda: view.round_for(marker))

    def _take_part(
        self, view: ProjectView, attempt: _Attempt, needed: Callable[[], bool], start: Callable[[], Round | None]
    ) -> None:
        """While ``needed()``: run the round ``start()`` gives this create, or wait for the one in flight."""
        while True:
            with self._condition:
                if not needed():
                    return
                started = start()
                if started is None:
                    self._condition.wait()
                    continue
            self._run_round(view, started, attempt)

    def _run_round(self, view: ProjectView, started: Round, attempt: _Attempt) -> None:
        listing = flows.collect(attempt.body.project_id, attempt.team_id, cursor=started.cursor)
        try:
            listed = attempt.client._drive(listing)
        except FriendliError as exc:
            with self._condition:
                view.round_failed()
                self._condition.notify_all()
            if attempt.waiting:
                raise _unresolved(attempt.body, attempt.doubt, f"listing the project failed: {exc}", []) from exc
            raise
        with self._condition:
            view.round_done(started, listed.states, listed.tail, attempt.client._sender.clock())
            self._condition.notify_all()

    def _read_specs(self, view: ProjectView, attempt: _Attempt) -> None:
        with self._condition:
            todo = view.unread(view.new_ids(attempt.before))
        for endpoint_id in todo:
            try:
                spec = attempt.client._send(requests.spec(endpoint_id, attempt.team_id))
                fingerprint: Fingerprint | None = fingerprint_of_spec(spec)
            except NotFoundError:
                fingerprint = _GONE
            except FriendliError as exc:
                with self._condition:
                    view.read(endpoint_id, None)
                    self._condition.notify_all()
                reason = f"reading candidate {endpoint_id!r} failed: {exc}"
                raise _unresolved(attempt.body, attempt.doubt, reason, [endpoint_id]) from exc
            with self._condition:
                view.read(endpoint_id, fingerprint)
                self._condition.notify_all()
        with self._condition:
            while view.pending_reads(view.new_ids(attempt.before)):
                self._condition.wait()


class AsyncCreates:
    """The async client's creates: the twin of ``Creates``, with one ``asyncio.Condition`` per event loop."""

    def __init__(self) -> None:
        self._conditions: dict[int, asyncio.Condition] = {}
        self._views: dict[tuple[str | None, str], ProjectView] = {}

    @property
    def _condition(self) -> asyncio.Condition:
        loop = asyncio.get_running_loop()
        condition = self._conditions.get(id(loop))
        if condition is None:
            # A client may be used from several loops in turn (asyncio.run twice): one condition each.
            self._conditions = {id(loop): asyncio.Condition()}
            condition = self._conditions[id(loop)]
        return condition

    async def create(
        self, client: AsyncClient, body: DedicatedEndpointCreateBody, team_id: str | None
    ) -> tuple[str, EndpointState | None]:
        """See ``Creates.create``."""
        attempt = _Attempt(body, team_id, client)
        condition = self._condition
        view = self._views.setdefault(attempt.key, ProjectView())
        await self._baseline(view, attempt, condition)
        attempt.before = view.begin(attempt.wanted)
        try:
            try:
                attempt.state = await attempt.client._send(requests.create(body, team_id))
            except FriendliError as exc:
                attempt.doubt = _doubt(exc)
                if attempt.doubt is None:
                    raise
            marker = view.posted()
            attempt.waiting = True
            async with condition:
                condition.notify_all()  # one more waiting may be what lets a round start
            known = _id_in(attempt.state)
            if known is not None:
                view.claim(known)
                return known, attempt.state
            return await self._resolve(view, attempt, marker, condition)
        finally:
            view.finished(attempt.wanted, waiting=attempt.waiting)
            async with condition:
                condition.notify_all()

    async def _baseline(self, view: ProjectView, attempt: _Attempt, condition: asyncio.Condition) -> None:
        clock = attempt.client._sender.clock
        await self._take_part(view, attempt, condition, lambda: view.needs_baseline(clock()), view.baseline_round)

    async def _resolve(
        self, view: ProjectView, attempt: _Attempt, marker: int, condition: asyncio.Condition
    ) -> tuple[str, EndpointState | None]:
        while True:
            await self._await_round(view, attempt, marker, condition)
            await self._read_specs(view, attempt, condition)
            chosen, matching = view.claimable(attempt.before, attempt.wanted)
            if chosen is not None:
                view.claim(chosen)
                return chosen, attempt.state or view.states.get(chosen)
            marker = view.rounds_done
            if not view.last_round_full:
                view.want_full_round()
                continue
            if len(matching) > 1 or not attempt.pauses:
                raise _giving_up(attempt, matching)
            await attempt.client._sleep(attempt.pauses.pop(0))

    async def _await_round(
        self, view: ProjectView, attempt: _Attempt, marker: int, condition: asyncio.Condition
    ) -> None:
        await self._take_part(
            view, attempt, condition, lambda: not view.round_finished_after(marker), lambda: view.round_for(marker)
        )

    async def _take_part(
        self,
        view: ProjectView,
        attempt: _Attempt,
        condition: asyncio.Condition,
        needed: Callable[[], bool],
        start: Callable[[], Round | None],
    ) -> None:
        """See ``Creates._take_part``."""
        while needed():
            started = start()
            if started is None:
                # Nothing can change between the check above and this wait (no await in between),
                # and every change of the view notifies, so no wake-up is missed.
                async with condition:
                    await condition.wait()
                continue
            await self._run_round(view, started, attempt, condition)

    async def _run_round(
        self, view: ProjectView, started: Round, attempt: _Attempt, condition: asyncio.Condition
    ) -> None:
        listing = flows.collect(attempt.body.project_id, attempt.team_id, cursor=started.cursor)
        try:
            listed = await attempt.client._drive(listing)
        except FriendliError as exc:
            view.round_failed()
            async with condition:
                condition.notify_all()
            if attempt.waiting:
                raise _unresolved(attempt.body, attempt.doubt, f"listing the project failed: {exc}", []) from exc
            raise
        view.round_done(started, listed.states, listed.tail, attempt.client._sender.clock())
        async with condition:
            condition.notify_all()

    async def _read_specs(self, view: ProjectView, attempt: _Attempt, condition: asyncio.Condition) -> None:
        todo = view.unread(view.new_ids(attempt.before))
        for endpoint_id in todo:
            try:
                spec = await attempt.client._send(requests.spec(endpoint_id, attempt.team_id))
                fingerprint: Fingerprint | None = fingerprint_of_spec(spec)
            except NotFoundError:
                fingerprint = _GONE
            except FriendliError as exc:
                view.read(endpoint_id, None)
                async with condition:
                    condition.notify_all()
                reason = f"reading candidate {endpoint_id!r} failed: {exc}"
                raise _unresolved(attempt.body, attempt.doubt, reason, [endpoint_id]) from exc
            view.read(endpoint_id, fingerprint)
            async with condition:
                condition.notify_all()
        while view.pending_reads(view.new_ids(attempt.before)):
            async with condition:
                await condition.wait()
