"""``client.endpoints`` of ``Client``: every Dedicated Endpoints operation of the contract.

Each method checks its inputs (nothing is sent when one is refused), then sends one call
(``_calls``) or drives one flow (``_flows``) on its client. ``AsyncEndpoints`` (``_async_resources``)
has the same methods with the same arguments; only awaiting differs. The input checks both share
are here.

What they return: a method that acts on an endpoint by id returns what the API answered (an
``EndpointState`` from ``status``, the lifecycle actions, ``wait_until_running`` and ``wait_until``;
an ``EndpointSpec`` from ``get`` and ``update``; None from ``delete``); the methods that make or find
endpoints (``create``, ``create_from_wandb``, ``get_handle``, ``find``, ``list``) return handles,
whose own action methods return the handle so that calls chain (see ``_endpoint``).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from contextlib import AbstractContextManager
from typing import TYPE_CHECKING, Any, Unpack, cast

from friendli_dedicated import (
    _calls as calls,
    _ephemeral,
    _fleet,
    _flows as flows,
    _observe,
    _serving,
    _waiter,
)
from friendli_dedicated._arguments import _check_deadline, _endpoint_id, _name, _plan, _project, _rollout_start, _terms
from friendli_dedicated._autoscaling import Autoscaling
from friendli_dedicated._backoff import Backoff
from friendli_dedicated._bodies import EndpointChanges, create_body, update_body, wandb_body
from friendli_dedicated._creates import warn_differences
from friendli_dedicated._endpoint import Endpoint, ProgressCallback
from friendli_dedicated._fleet import FleetProgress, FleetResult
from friendli_dedicated._instances import GPU, InstanceOption, UnlistedInstanceOption
from friendli_dedicated._models import EndpointSpec, EndpointState, EndpointVersion, Status
from friendli_dedicated._rollout import RolloutProgress
from friendli_dedicated._rollout_result import Rollout
from friendli_dedicated._validate import flag, identifier
from friendli_dedicated_api._contract import EngineOptions
from friendli_dedicated_api.models import DedicatedEndpointCreateBody

if TYPE_CHECKING:
    from friendli_dedicated._client import Client
    from friendli_dedicated._endpoint import ListedEndpoint, RunningEndpoint

__all__ = ["Endpoints"]


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
        exist_ok: bool = False,
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

        With ``exist_ok=True``, an endpoint of that ``name`` in the project (of any status) is returned
        as it is and nothing is created, so a script run again keeps one endpoint; a specification
        that differs from what was asked is named by ``fd.SpecificationMismatchWarning``, several
        endpoints of the name raise ``fd.AmbiguousEndpointError``. The name is looked up in the
        project as the client's creates see it (listed afresh after 30 s; see docs/waiting.md).

        >>> option = fd.InstanceOption(fd.GPU.H100, 2)
        >>> ep = client.endpoints.create("proj", "chat", "org/model", option, max_batch_size=64)
        >>> client.endpoints.get(ep.id).max_batch_size
        64
        >>> client.endpoints.create("proj", "chat", "org/model", option, max_batch_size=64, exist_ok=True).id == ep.id
        True
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
        return self._created(body, given, exist_ok=flag(exist_ok, "exist_ok"))

    def _created(self, body: DedicatedEndpointCreateBody, given: set[str], *, exist_ok: bool = False) -> Endpoint:
        created = self._client._creates.create(self._client, body, self._team, given, exist_ok=exist_ok)
        warn_differences(created, body.project_id, body.name)
        return Endpoint(self, created.endpoint_id, created.state, body.project_id, name=body.name)

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
    ) -> AbstractContextManager[RunningEndpoint]:
        """A short-lived endpoint: ``with`` creates it (as ``create`` does), waits until it serves
        (``wait_until_running(serving=True)``) and gives its handle; leaving the block always
        terminates it, after an exception, a timeout or Ctrl-C too.

        Every argument is checked when ``ephemeral`` is called; ``timeout`` bounds the wait until it
        serves (and, with ``wait_terminated=True``, the wait until it is TERMINATED, which the block
        then does on the way out unless it was interrupted). If terminating fails,
        ``fd.EndpointNotTerminatedError`` names the endpoint that may still bill; after Ctrl-C the
        ``KeyboardInterrupt`` goes on, with a note naming it. See docs/short-lived.md.

        >>> with client.endpoints.ephemeral("evals", "judge", "org/model", "H100", timeout=1800) as ep:
        ...     ep.state.status.value
        'RUNNING'
        >>> client.endpoints.status(ep.id).status.value
        'TERMINATING'
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
        wait = {"timeout": timeout, "on_progress": on_progress, "poll": poll}
        plan = _plan(self._client, body, {*advanced, *(extra_engine_options or {})}, wait, wait_terminated)
        return _ephemeral.Ephemeral(self, plan)

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

    def find(self, project_id: str, name: str) -> Endpoint | None:
        """The endpoint named ``name`` in the project (of any status), as a handle with its listed state;
        None if there is none; ``fd.AmbiguousEndpointError`` (with the ``ids``) if several have the name.

        The project is listed afresh; names are read from the specifications, once per client (its
        own updates and deletes keep them current, a rename by another client is not seen).

        >>> created = client.endpoints.create("found", "chat", "org/model", "H100")
        >>> client.endpoints.find("found", "chat").id == created.id, client.endpoints.find("found", "nope")
        (True, None)
        """
        project, wanted = identifier(project_id, "project_id"), _name(name)
        found = self._client._creates.find(self._client, project, wanted, self._team)
        return None if found is None else Endpoint(self, found.endpoint_id, found.state, project, name=wanted)

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
        return self._handles(flows.endpoints_listing(project, self._team, limit, page_size), project)

    def _handles(self, listing: flows.Flow[str | None], project: str | None) -> Iterator[ListedEndpoint]:
        # A generator of its own, so that list() checks its arguments when it is called.
        for endpoint_id, state in self._client._steps(listing, []):
            if project is not None:
                self._client._creates.remember(self._team, project, (endpoint_id,))
            yield cast("ListedEndpoint", Endpoint(self, endpoint_id, state, project))

    def versions(
        self, endpoint_id: str, *, limit: int | None = None, page_size: int = 100
    ) -> Iterator[EndpointVersion]:
        """The endpoint's version history, oldest first: at most ``limit`` versions (None: all),
        fetched in pages of ``page_size`` as for ``list``."""
        return self._versions(flows.versions_listing(endpoint_id, self._team, limit, page_size))

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
        updated = self._client._drive(flows.update_flow(checked_id, self._team, body, advanced, extra_engine_options))
        self._client._creates.learn(self._team, checked_id, updated)
        return updated

    def rollout(
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
        """Update the endpoint, and see the new version serve as asked, or roll it back: an ``fd.Rollout``.

        ``changes`` are the keywords of ``update`` (``EndpointChanges``). The version history is read
        first (the previous version and its specification), the update sent, the new version waited
        for (``timeout`` seconds, as ``wait_until_running``), and its specification read back and
        compared with what was asked (the fields a specification shows; not the model). A new version
        that fails, times out or shows other values (a silent revert) is rolled back with ``rollback``
        (the default): the previous version's specification is sent back as an update, and waited for
        (``rollback_timeout``, the same as ``timeout`` unless given). The API does not say which model
        a version runs: pass ``previous_model`` (and ``previous_revision``) when the update changes
        them, so that a rollback can send them back; otherwise the result's ``unrestored`` names them.

        ``serving`` (the default, True) waits, as ``wait_until_running(serving=True)`` does, until the
        new version (and a rollback's) answers a request, not only until it says RUNNING: a version
        that runs but never answers before ``timeout`` (or refuses while it says RUNNING) counts as
        failed (``failure == "not_serving"``), and is rolled back. Unlike ``wait_until_running``,
        whose default is False, a rollout checks by default: its promise is "the new version serves",
        and the check costs a tokenization each time the status says RUNNING (usually one per wait),
        which generates nothing. An endpoint that scales to zero is not probed asleep: SLEEPING still
        counts as at rest (it served, then slept).
        ``serving=False`` ends each wait at RUNNING.

        Returns once the rollout or its rollback ended (within ``timeout`` plus ``rollback_timeout``
        and the few requests around the waits, each within the client's timeout); every way it can
        end is the result's ``outcome`` (``rolled_out``, ``rolled_back``, ``rollback_failed``,
        ``not_rolled_back``, ``not_updated``), not an exception: ``raise_for_failure()`` raises
        ``fd.RolloutError`` unless it rolled out. ``on_progress(stage, state, elapsed)`` is called on
        each change of status or phase, ``stage`` being ``rolling_out`` or ``rolling_back``.

        >>> ep = client.endpoints.create("proj", "tuned", "org/model", "H100").wait_until_running()
        >>> result = client.endpoints.rollout(ep.id, max_batch_size=64)
        >>> result.outcome, result.previous.version_id, result.new.version_id, result.requested
        ('rolled_out', 'v1', 'v2', {'max_batch_size': 64})
        """
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
        result = self._client._drive(flow)
        if result.spec is not None:
            self._client._creates.learn(self._team, result.endpoint_id, result.spec)
        return result

    def delete(self, endpoint_id: str) -> None:
        """Delete the endpoint (a 404 afterwards). ``client.endpoints.delete("ep-123")``."""
        checked_id = _endpoint_id(endpoint_id)
        self._client._send(calls.delete(checked_id, self._team))
        self._client._creates.forget(self._team, checked_id)

    def sleep(self, endpoint_id: str) -> EndpointState:
        """Put the endpoint to sleep (no replicas, no GPU bill); returns the new state (``Endpoint.sleep``
        returns the handle). Refused while it deploys or updates: ``fd.EndpointBusyError`` says to
        wait until it is RUNNING."""
        return self._client._drive(flows.action_flow("sleep", _endpoint_id(endpoint_id), self._team))

    def wake(self, endpoint_id: str) -> EndpointState:
        """Wake a sleeping endpoint; returns the new state (AWAKING). Follow with wait_until_running."""
        return self._client._drive(flows.action_flow("wake", _endpoint_id(endpoint_id), self._team))

    def terminate(self, endpoint_id: str) -> EndpointState:
        """Terminate the endpoint (TERMINATING, then TERMINATED: ``wait_until(endpoint_id, fd.Status.TERMINATED)``);
        returns the new state."""
        return self._client._drive(flows.action_flow("terminate", _endpoint_id(endpoint_id), self._team))

    def restart(self, endpoint_id: str) -> EndpointState:
        """Restart a FAILED or TERMINATED endpoint; returns the new state. Refused while it is still
        TERMINATING: ``fd.EndpointBusyError`` says to wait until it is TERMINATED.

        >>> ep = client.endpoints.create("proj", "again", "org/model", "H100")
        >>> ep.terminate().wait_until(fd.Status.TERMINATED).restart().state.status.value
        'INITIALIZING'
        """
        return self._client._drive(flows.action_flow("restart", _endpoint_id(endpoint_id), self._team))

    def check_serving(self, endpoint_id: str, *, timeout: float = 30.0) -> None:
        """Whether the endpoint answers a request, as one request: a tokenization of a short text,
        which generates nothing (``Endpoint.check_serving`` returns the handle).

        Returns None when it answered; else raises ``fd.EndpointNotServingError``, whose ``reason``
        says why (``warming_up``: 503, with the server's ``retry_after``; ``needs_action``: 400, it
        sleeps or failed; ``not_found``: 404; ``unavailable``: another 5xx or no response;
        ``timeout``: no answer within ``timeout`` seconds) and whose ``error`` is the request's.
        Transient failures are retried within ``timeout`` (and the client's own timeout).

        >>> ep = client.endpoints.create("proj", "checked", "org/model", "H100")
        >>> try:
        ...     client.endpoints.check_serving(ep.id)
        ... except fd.EndpointNotServingError as error:
        ...     print(error.reason, error.status_code)
        warming_up 503
        >>> client.endpoints.wait_until_running(ep.id, timeout=900).status.value
        'RUNNING'
        >>> client.endpoints.check_serving(ep.id)
        """
        checked_id = _endpoint_id(endpoint_id)
        limit, deadline = _check_deadline(self._client, timeout)
        self._client._drive(_serving.check_flow(checked_id, self._team, limit), deadline=deadline)

    def wait_until_running(
        self,
        endpoint_id: str,
        *,
        timeout: float = 1800.0,
        on_progress: ProgressCallback | None = None,
        wake: bool = False,
        poll: Backoff | None = None,
        serving: bool = False,
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

        With ``serving=True`` the wait goes on past RUNNING until the endpoint answers a request
        (``check_serving``), within the same deadline: RUNNING may come before requests are served.
        A check that is not answered is polled on (the status is read again, and its table decides);
        a 400 while the status still says RUNNING raises ``fd.EndpointNotServingError``, and a
        deadline passed while it does not answer raises ``WaitTimeoutError`` from the last check's.

        >>> ep = client.endpoints.create("proj", "chat", "org/model", "H100")
        >>> client.endpoints.wait_until_running(ep.id, timeout=900, serving=True).status.value
        'RUNNING'
        """
        checked_id = _endpoint_id(endpoint_id)
        terms = _terms(self._client, timeout, poll, wake, on_progress, serving=serving)
        return self._client._drive(_waiter.wait_flow(checked_id, self._team, terms), deadline=terms.request_deadline)

    def wait_until(
        self,
        endpoint_id: str,
        status: Status | str,
        *,
        timeout: float = 1800.0,
        on_progress: ProgressCallback | None = None,
        poll: Backoff | None = None,
    ) -> EndpointState:
        """Poll until the endpoint is ``status`` (RUNNING, SLEEPING, TERMINATED or FAILED, or its name)
        and return its state (``Endpoint.wait_until`` returns the handle). The deadline, polls and
        ``on_progress`` are those of ``wait_until_running``; each status has its table of what the
        others mean (``_waiter.TABLES``): waiting for SLEEPING raises ``EndpointFailedError`` on
        FAILED and ``EndpointStoppedError`` on TERMINATED; waiting for TERMINATED ends only there, or
        at the deadline. A deleted endpoint raises ``NotFoundError``.

        >>> ep = client.endpoints.create("proj", "brief", "org/model", "H100")
        >>> _ = client.endpoints.terminate(ep.id)
        >>> client.endpoints.wait_until(ep.id, fd.Status.TERMINATED, timeout=600).status.value
        'TERMINATED'
        """
        checked_id = _endpoint_id(endpoint_id)
        until = _waiter.wait_target(status, "status")
        terms = _terms(self._client, timeout, poll, False, on_progress, until)
        return self._client._drive(_waiter.wait_flow(checked_id, self._team, terms), deadline=terms.request_deadline)

    def wait_all(
        self,
        endpoints: Iterable[str | Endpoint],
        *,
        timeout: float = 1800.0,
        on_progress: FleetProgress | None = None,
        wake: bool = False,
        poll: Backoff | None = None,
        until: Status | str = Status.RUNNING,
    ) -> FleetResult:
        """Wait until every endpoint of a fleet serves, or cannot, or the deadline passes.

        ``endpoints`` are ids or handles, possibly in several projects (handles from ``create`` or
        ``list`` know theirs, and so does the client of the ids it created or listed; for another
        bare id it is read once). Each poll reads the listing pages of
        the projects involved (100 endpoints per request), falling back to an endpoint's own status
        when its project's listing does not show it. The status table, errors and hints are those of
        ``wait_until_running``; one endpoint that fails does not stop the wait for the others.
        Polls back off from 1 s by x1.5 up to 2 s (``poll`` overrides), every request runs within
        the deadline (``timeout=0`` polls once: a wait shorter than half a second gives its poll
        half a second), and ``on_progress(endpoint_id, state, elapsed)`` is called on each change.

        Returns a ``FleetResult`` (``running``, ``failed``, ``stopped``, ``timed_out``); call
        ``raise_for_failures()`` on it to raise ``FleetWaitError`` unless every endpoint serves.
        ``until`` waits for another status instead, with its table, as ``wait_until`` does (SLEEPING,
        TERMINATED, FAILED); the endpoints that reach it are the result's ``reached`` (``running``).

        >>> fleet = [client.endpoints.create("proj", f"w{n}", "org/model", "H100") for n in range(3)]
        >>> len(client.endpoints.wait_all(fleet, timeout=1800).raise_for_failures().running)
        3
        >>> for endpoint in fleet:
        ...     _ = endpoint.terminate()
        >>> len(client.endpoints.wait_all(fleet, until=fd.Status.TERMINATED, timeout=600).raise_for_failures().reached)
        3
        """
        target = _waiter.wait_target(until, "until")
        terms = _terms(self._client, timeout, poll, wake, on_progress, target)
        flow = _fleet.wait_all_flow(endpoints, self._team, terms, self._locate)
        return self._client._drive(flow, deadline=terms.request_deadline)

    def _locate(self, endpoint_id: str) -> str | None:
        return self._client._creates.project_of(self._team, endpoint_id)


# Each public method is one call of the SDK's telemetry and logs (``friendli.endpoints.create``, ...);
# ``get_handle`` sends nothing. (AsyncEndpoints: at the end of _async_resources.)
_observe.instrument(Endpoints, "friendli.endpoints", skip=frozenset({"get_handle"}))
