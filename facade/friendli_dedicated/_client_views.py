"""What one client knows of the projects it works in, and the coordinator its shared flows run on.

``Creates`` (sync) and ``AsyncCreates`` hold a client's ``ProjectView`` per project (shared by the
client and its ``with_options`` copies), the projects of the endpoints it created or listed (so a
fleet wait on bare ids need not read each one's specification), and its coordinator
(``_coordination``): they build the flows of ``_creates`` (create, find) and drive them, and run the
``Batch`` steps of other flows (plan, apply). Only the coordinator differs between the two.
"""

from __future__ import annotations

import threading
from collections.abc import Collection, Iterable
from typing import TYPE_CHECKING

from friendli_dedicated._coordination import AsyncCoordinator, Coordinator
from friendli_dedicated._creates import Created, create_flow, find_flow, spec_fields, wanted_of
from friendli_dedicated._flows import Batch, Finished, Flow
from friendli_dedicated._project_view import ProjectView
from friendli_dedicated_api.models import DedicatedEndpointCreateBody, DedicatedEndpointSpec

if TYPE_CHECKING:
    from friendli_dedicated._client import AsyncClient, Client

__all__ = ["REMEMBERED", "AsyncCreates", "Creates"]

REMEMBERED = 100_000
"""How many listed endpoints' projects a client remembers beyond its creates' views (a few MB)."""


# -- the clients' holders of views: the coordinator is the only part with a sync and an async twin ----------
class _Views:
    """A client's views of projects (one per team and project), shared by its calls and ``with_options`` copies.

    They also say which project an endpoint the client has created or listed is in (``project_of``),
    so that ``wait_all`` watches a bare id through its project's listing, as it does a handle, without
    reading its specification first.
    """

    def __init__(self) -> None:
        self._views: dict[tuple[str | None, str], ProjectView] = {}
        self._listed: dict[tuple[str | None, str], str] = {}
        self._listed_lock = threading.Lock()

    def remember(self, team_id: str | None, project_id: str, endpoint_ids: Iterable[str]) -> None:
        """Endpoints seen listed in ``project_id`` (the last ``REMEMBERED`` ids are kept)."""
        with self._listed_lock:
            for endpoint_id in endpoint_ids:
                self._listed.pop((team_id, endpoint_id), None)  # to the end: the most recent
                self._listed[(team_id, endpoint_id)] = project_id
            while len(self._listed) > REMEMBERED:
                del self._listed[next(iter(self._listed))]

    def project_of(self, team_id: str | None, endpoint_id: str) -> str | None:
        """The project of an endpoint this client created or listed, or None if it does not know."""
        with self._listed_lock:
            found = self._listed.get((team_id, endpoint_id))
        if found is not None:
            return found
        for (team, project), view in list(self._views.items()):
            if team == team_id and endpoint_id in view.known:
                return project
        return None

    def _view(self, team_id: str | None, project_id: str) -> ProjectView:
        return self._views.setdefault((team_id, project_id), ProjectView())

    @staticmethod
    def _deadline(client: Client | AsyncClient) -> float:
        """The deadline of a create or a lookup: the client's ``timeout`` from now, for every request and wait."""
        return client._sender.clock() + client._sender.total

    def _create_flow(
        self,
        client: Client | AsyncClient,
        body: DedicatedEndpointCreateBody,
        team_id: str | None,
        given: Collection[str],
        exist_ok: bool,
    ) -> tuple[Flow[Created], float]:
        deadline = self._deadline(client)
        view = self._view(team_id, body.project_id)
        wanted = wanted_of(body, given)
        clock = client._sender.clock
        return create_flow(view, body, team_id, wanted, clock=clock, deadline=deadline, exist_ok=exist_ok), deadline

    def _find_flow(
        self, client: Client | AsyncClient, project_id: str, name: str, team_id: str | None
    ) -> tuple[Flow[Created | None], float]:
        deadline = self._deadline(client)
        view = self._view(team_id, project_id)
        return find_flow(view, project_id, name, team_id, clock=client._sender.clock, deadline=deadline), deadline

    def _learn(self, team_id: str | None, endpoint_id: str, spec: DedicatedEndpointSpec) -> None:
        view = self._views.get((team_id, spec.project_id)) if isinstance(spec.project_id, str) else None
        if view is not None:
            view.learn(endpoint_id, spec_fields(spec))

    def _forget(self, team_id: str | None, endpoint_id: str) -> None:
        for (team, _project), view in self._views.items():
            if team == team_id:
                view.forget(endpoint_id)


class Creates(_Views):
    """The sync client's creates and lookups, driven from any of its threads."""

    def __init__(self) -> None:
        super().__init__()
        self._coordinator = Coordinator()

    def create(
        self,
        client: Client,
        body: DedicatedEndpointCreateBody,
        team_id: str | None,
        given: Collection[str] = (),
        *,
        exist_ok: bool = False,
    ) -> Created:
        """Create the endpoint ``body`` describes with ``client`` (with ``exist_ok``: unless one of its name exists)."""
        flow, deadline = self._create_flow(client, body, team_id, given, exist_ok)
        return self._coordinator.run(client, flow, deadline=deadline)

    def find(self, client: Client, project_id: str, name: str, team_id: str | None) -> Created | None:
        """The endpoint named ``name`` in the project, or None (see ``find_flow``)."""
        flow, deadline = self._find_flow(client, project_id, name, team_id)
        return self._coordinator.run(client, flow, deadline=deadline)

    def learn(self, team_id: str | None, endpoint_id: str, spec: DedicatedEndpointSpec) -> None:
        """An update through the client answered with ``spec``: the views keep it (a rename, say)."""
        self._coordinator.apply(lambda: self._learn(team_id, endpoint_id, spec))

    def forget(self, team_id: str | None, endpoint_id: str) -> None:
        """The client deleted the endpoint: no view holds it any more."""
        self._coordinator.apply(lambda: self._forget(team_id, endpoint_id))

    def batch(self, client: Client, step: Batch) -> list[Finished]:
        """Run a flow's ``Batch`` on this client's coordinator (its creates share the client's views)."""
        return self._coordinator.batch(client, step)


class AsyncCreates(_Views):
    """The async client's creates and lookups: the same flows, driven on its event loop."""

    def __init__(self) -> None:
        super().__init__()
        self._coordinator = AsyncCoordinator()

    async def create(
        self,
        client: AsyncClient,
        body: DedicatedEndpointCreateBody,
        team_id: str | None,
        given: Collection[str] = (),
        *,
        exist_ok: bool = False,
    ) -> Created:
        """See ``Creates.create``."""
        flow, deadline = self._create_flow(client, body, team_id, given, exist_ok)
        return await self._coordinator.run(client, flow, deadline=deadline)

    async def find(self, client: AsyncClient, project_id: str, name: str, team_id: str | None) -> Created | None:
        """See ``Creates.find``."""
        flow, deadline = self._find_flow(client, project_id, name, team_id)
        return await self._coordinator.run(client, flow, deadline=deadline)

    def learn(self, team_id: str | None, endpoint_id: str, spec: DedicatedEndpointSpec) -> None:
        """See ``Creates.learn``."""
        self._coordinator.apply(lambda: self._learn(team_id, endpoint_id, spec))

    def forget(self, team_id: str | None, endpoint_id: str) -> None:
        """See ``Creates.forget``."""
        self._coordinator.apply(lambda: self._forget(team_id, endpoint_id))

    async def batch(self, client: AsyncClient, step: Batch) -> list[Finished]:
        """See ``Creates.batch``."""
        return await self._coordinator.batch(client, step)
