"""Waiting for many endpoints at once: ``client.endpoints.wait_all``.

One poll of a fleet reads the listing pages of the projects involved (100 endpoints' statuses per
request) instead of one status per endpoint, and falls back to an endpoint's own status only when
its project's listing does not show it. A poll starts at the page where the first endpoint still
awaited was last seen, so as a fleet comes up its polls get shorter; if an endpoint is not where it
was, the next poll reads the project from its first page again (the order of a listing is not in the
contract: it is relied on for speed, never for correctness). Each endpoint's states go through the
same status table as ``wait_until_running`` (``_waiter.classify``; with ``until``, the table of that
status, as ``wait_until``), with the same errors and hints;
one endpoint that fails does not stop the wait for the others. Polls follow a ``Backoff``
(``FLEET_POLL`` by default: a poll of a fleet is cheap per endpoint, so it may come more often),
every request runs within the wait's deadline (``_waiter.Terms``), and transient failures of a
poll (``_retry.transient``) are retried at the next one. A wake the API refuses (the endpoint was
terminated meanwhile, or another wake is under way) concerns only that endpoint: the next poll
reads what became of it, and wakes it again if it still sleeps; a second refusal in a row (or the
deadline) leaves it stopped, with the refusal as the cause. What ``on_progress`` raises propagates unchanged.

``_FleetWait`` holds the decisions, free of I/O; ``wait_all_flow`` is the wait as a flow (its polls'
requests and the pauses between them), which both clients drive.

>>> result = FleetResult(running={}, failed={}, stopped={}, timed_out={"ep-1": None})
>>> result.all_running
False
"""

from __future__ import annotations

import contextlib
import math
from collections.abc import Callable, Iterable, Mapping
from typing import Any, TypeVar

import attrs

from friendli_dedicated import _calls as calls, _flows as flows, _observe
from friendli_dedicated._backoff import Backoff
from friendli_dedicated._flows import Flow, Pause
from friendli_dedicated._models import EndpointState, Status
from friendli_dedicated._retry import transient
from friendli_dedicated._transport import Call
from friendli_dedicated._validate import callback, identifier
from friendli_dedicated._waiter import Outcome, Reported, Terms, classify, failed_error, stopped_error
from friendli_dedicated.errors import (
    APIError,
    EndpointFailedError,
    EndpointStoppedError,
    FleetWaitError,
    FriendliError,
    InvalidInputError,
    NotFoundError,
)

__all__ = ["FLEET_POLL", "FleetProgress", "FleetResult", "Locate", "wait_all_flow"]

T = TypeVar("T")

_LEAST_GAP = 0.25  # of the poll's period, left between the end of a poll and the next one

FLEET_POLL = Backoff(initial=1.0, multiplier=1.5, maximum=2.0, jitter=0.1)
"""Poll after 1 s, then 1.5 s, then every 2 s: a fleet's poll reads 100 endpoints per request, and
only from where the first endpoint still awaited is, so it can afford to look more often than one
endpoint's poll (10 s), and see each endpoint sooner."""

FleetProgress = Callable[[str, EndpointState, float], None]
"""``on_progress(endpoint_id, state, elapsed)``: called on each endpoint's first state and changes."""
Locate = Callable[[str], "str | None"]
"""``locate(endpoint_id)``: the project the client knows an endpoint is in, or None."""


@attrs.frozen
class FleetResult:
    """How a fleet wait ended, endpoint by endpoint.

    - ``running``: id -> the serving state (with ``wait_all(until=...)``, the state reached: the
      status ``until`` names; ``reached`` is the same mapping, under a name that fits every wait);
    - ``failed``: id -> its ``EndpointFailedError`` (error code, phase, hint);
    - ``stopped``: id -> its ``EndpointStoppedError`` (stopping, stopped, asleep, or not found);
    - ``timed_out``: id -> the last state seen (None if none was) when the deadline passed;
    - ``until``: the status waited for (RUNNING unless ``wait_all(until=...)`` said otherwise).

    >>> result = FleetResult(running={}, failed={}, stopped={}, timed_out={}, until=fd.Status.TERMINATED)
    >>> result.all_reached, result.reached is result.running
    (True, True)
    """

    running: Mapping[str, EndpointState]
    failed: Mapping[str, EndpointFailedError]
    stopped: Mapping[str, EndpointStoppedError]
    timed_out: Mapping[str, EndpointState | None]
    until: Status = attrs.field(default=Status.RUNNING, kw_only=True)

    @property
    def reached(self) -> Mapping[str, EndpointState]:
        """The endpoints that reached the status waited for, id -> that state (``running``)."""
        return self.running

    @property
    def all_reached(self) -> bool:
        """Whether every endpoint reached the status waited for."""
        return not (self.failed or self.stopped or self.timed_out)

    @property
    def all_running(self) -> bool:
        """Whether every endpoint serves (for a wait for another status: reached it, as ``all_reached``)."""
        return self.all_reached

    def raise_for_failures(self) -> FleetResult:
        """Raise ``FleetWaitError`` if any endpoint did not reach the status waited for (serve, by
        default); else return the result (to chain)."""
        if self.all_reached:
            return self
        parts = [f"{len(self.running)} {self.until.value.lower()}"]
        parts += [f"{len(group)} {name}" for name, group in self._groups() if group]
        raise FleetWaitError(f"not every endpoint became {self.until.value}: {', '.join(parts)}", result=self)

    def _groups(self) -> list[tuple[str, Mapping[str, Any]]]:
        return [("failed", self.failed), ("stopped", self.stopped), ("timed out", self.timed_out)]


@attrs.define
class _Watched:
    endpoint_id: str
    project_id: str | None
    state: EndpointState | None = None
    reported: Reported = attrs.field(factory=Reported)
    woken: bool = False
    wake_refused: APIError | None = None
    """Why the API refused the last wake, until a state other than SLEEPING is seen."""


@attrs.define
class _FleetWait:
    """One fleet wait's bookkeeping, free of I/O."""

    pending: dict[str, _Watched]
    terms: Terms
    poll: Backoff
    on_progress: FleetProgress | None
    polls_done: int = 0
    poll_started: float = -math.inf
    """When the poll under way started (the wait's start for the first one)."""
    start_cursors: dict[str, str | None] = attrs.field(factory=dict)
    """Per project, the cursor the next poll starts from (absent: its first page)."""
    running: dict[str, EndpointState] = attrs.field(factory=dict)
    failed: dict[str, EndpointFailedError] = attrs.field(factory=dict)
    stopped: dict[str, EndpointStoppedError] = attrs.field(factory=dict)
    to_wake: list[str] = attrs.field(factory=list)

    @classmethod
    def begin(cls, endpoints: Iterable[object], terms: Terms, locate: Locate | None = None) -> _FleetWait:
        """Check the endpoints and ``on_progress`` (before any request); the wait's bookkeeping.
        ``locate(id)``: the project of a bare id, where the client knows it (None: read its spec)."""
        if isinstance(endpoints, str | bytes) or not isinstance(endpoints, Iterable):
            raise InvalidInputError("endpoints", "must be an iterable of endpoint ids or handles")
        pending: dict[str, _Watched] = {}
        for item in endpoints:
            endpoint_id, project_id = _target(item)
            known = pending.get(endpoint_id)
            project_id = project_id or (known.project_id if known else None)
            if project_id is None and locate is not None:
                project_id = locate(endpoint_id)
            pending[endpoint_id] = _Watched(endpoint_id, project_id)
        progress = callback(terms.on_progress, "on_progress", arguments=3)
        return cls(pending, terms, terms.poll or FLEET_POLL, progress, poll_started=terms.start)

    def start_poll(self) -> None:
        """A poll begins. Wakes that a cut poll left unsent are dropped: this poll wakes what it
        still sees asleep (and not what it sees serving or stopped)."""
        self.to_wake.clear()

    def projects(self) -> dict[str, list[str]]:
        """Project -> the pending endpoints in it (those whose project is known)."""
        grouped: dict[str, list[str]] = {}
        for watched in self.pending.values():
            if watched.project_id is not None:
                grouped.setdefault(watched.project_id, []).append(watched.endpoint_id)
        return grouped

    def unknown_projects(self) -> list[str]:
        return [w.endpoint_id for w in self.pending.values() if w.project_id is None]

    def listed(self, project_id: str, members: list[str], listing: flows.Listing, start: str | None) -> list[str]:
        """Record a project's listing (read from ``start``); return its pending members it does not show."""
        unseen = []
        for endpoint_id in members:
            state = listing.states.get(endpoint_id)
            if state is None:
                unseen.append(endpoint_id)
            else:
                self.observe(endpoint_id, state)
        if unseen and start is not None:
            self.start_cursors.pop(project_id, None)  # not where it was: read from the first page again
            return []
        order = {cursor: n for n, cursor in enumerate(dict.fromkeys(listing.page_cursors.values()))}
        waiting = [listing.page_cursors[i] for i in members if i in self.pending and i in listing.page_cursors]
        if waiting:
            self.start_cursors[project_id] = min(waiting, key=lambda cursor: order[cursor])
        return unseen

    def located(self, endpoint_id: str, project_id: str) -> None:
        if endpoint_id in self.pending:
            self.pending[endpoint_id].project_id = project_id

    def observe(self, endpoint_id: str, state: EndpointState) -> None:
        """Record a state; settle the endpoint when it serves, failed or stopped."""
        watched = self.pending.get(endpoint_id)
        if watched is None:
            return
        watched.state = state
        self._report(watched, state)
        until = self.terms.until
        outcome = classify(state.status, until)
        if outcome is not Outcome.SLEEPING:
            watched.woken = False
            watched.wake_refused = None
        if outcome is Outcome.SUCCESS:
            self.running[endpoint_id] = state
        elif outcome is Outcome.FAILURE:
            self.failed[endpoint_id] = failed_error(endpoint_id, state)
        elif outcome is Outcome.STOPPED or (outcome is Outcome.SLEEPING and not self.terms.wake):
            self.stopped[endpoint_id] = stopped_error(endpoint_id, state, until)
        elif outcome is Outcome.SLEEPING:
            if not watched.woken:
                self.to_wake.append(endpoint_id)
            return
        else:
            return
        del self.pending[endpoint_id]

    def gone(self, endpoint_id: str) -> None:
        """The endpoint was not found (deleted): stopped, with no state."""
        if self.pending.pop(endpoint_id, None) is not None:
            self.stopped[endpoint_id] = stopped_error(endpoint_id, None)

    def woke(self, endpoint_id: str) -> None:
        if endpoint_id in self.pending:
            self.pending[endpoint_id].woken = True

    def refused_wake(self, endpoint_id: str, error: APIError) -> None:
        """The API refused to wake the endpoint. Not found: gone. Else the next poll decides (a wake
        that lost a race with a terminate, or with another wake, is no failure), unless the previous
        wake was refused too, with no other state seen since: then it is stopped, by ``error``."""
        watched = self.pending.get(endpoint_id)
        if watched is None:
            return
        if isinstance(error, NotFoundError):
            self.gone(endpoint_id)
        elif watched.wake_refused is not None and watched.state is not None:
            del self.pending[endpoint_id]
            self.stopped[endpoint_id] = _unwoken_error(endpoint_id, watched.state, error)
        else:
            watched.wake_refused = error

    def pause(self) -> float | None:
        """Seconds before the next poll, never past the deadline; None when the deadline has passed.

        The policy's delay is from one poll's start to the next's: a fleet's poll reads many pages,
        and counting the delay from its end would make the period, and the lag, grow with the fleet.
        A poll that outlasts its period still leaves a quarter of it before the next one.
        """
        now = self.terms.clock()
        remaining = self.terms.deadline - now
        if remaining <= 0:
            return None
        delay = self.poll.delay(self.polls_done, random=self.terms.random)
        self.polls_done += 1
        pause = min(max(delay - (now - self.poll_started), delay * _LEAST_GAP), remaining)
        self.poll_started = now + pause
        return pause

    def result(self) -> FleetResult:
        stopped = dict(self.stopped)
        timed_out: dict[str, EndpointState | None] = {}
        for endpoint_id, watched in self.pending.items():
            if watched.wake_refused is not None and watched.state is not None:  # asleep, and would not wake
                stopped[endpoint_id] = _unwoken_error(endpoint_id, watched.state, watched.wake_refused)
            else:
                timed_out[endpoint_id] = watched.state
        return FleetResult(dict(self.running), dict(self.failed), stopped, timed_out, until=self.terms.until)

    def _report(self, watched: _Watched, state: EndpointState) -> None:
        if not watched.reported.changed(state):
            return
        elapsed = self.terms.elapsed()
        _observe.state_changed(watched.endpoint_id, state, elapsed, serving=classify(state.status) is Outcome.SUCCESS)
        if self.on_progress is not None:
            self.on_progress(watched.endpoint_id, state, elapsed)


def _unwoken_error(endpoint_id: str, state: EndpointState, refusal: APIError) -> EndpointStoppedError:
    error = EndpointStoppedError(
        f"endpoint {endpoint_id} is {state.status} and the API refused to wake it: {refusal}",
        endpoint_id=endpoint_id,
        state=state,
    )
    error.__cause__ = refusal
    return error


def _target(item: object) -> tuple[str, str | None]:
    endpoint_id = getattr(item, "id", item)
    project_id = getattr(item, "project_id", None)
    return identifier(endpoint_id, "endpoints"), project_id if isinstance(project_id, str) else None


class _PollCut(Exception):
    """A request of the poll failed transiently: the poll ends, the next one tries again."""


def wait_all_flow(
    endpoints: Iterable[object],
    team_id: str | None,
    terms: Terms,
    locate: Locate | None = None,
    *,
    report: bool = True,
) -> Flow[FleetResult]:
    """Wait for a fleet (see ``Endpoints.wait_all``), as a flow.

    Both clients drive it with ``_drive(flow, deadline=terms.request_deadline)``. The endpoints and
    ``on_progress`` are checked here, before the flow sends anything. ``locate`` gives the project of
    a bare id the client knows (its creates' and listings'), so that it is not read to learn it.
    ``report``: how the endpoints ended is the call's telemetry (``_observe.outcomes``); an apply,
    whose wait this is a step of, reports its own outcomes instead.
    """
    return _polls(_FleetWait.begin(endpoints, terms, locate), team_id, report)


def _polls(wait: _FleetWait, team_id: str | None, report: bool) -> Flow[FleetResult]:
    while wait.pending:
        with contextlib.suppress(_PollCut):
            yield from _poll(wait, team_id)
        if not wait.pending:
            break
        pause = wait.pause()
        if pause is None:
            break
        yield Pause(pause)
    result = wait.result()
    if report:
        _observe.outcomes(
            running=len(result.running),
            failed=len(result.failed),
            stopped=len(result.stopped),
            timed_out=len(result.timed_out),
        )
    return result


def _request(work: Call[T] | Flow[T]) -> Flow[T]:
    """One of the poll's requests (or a listing), and only them: a transient failure ends the poll.

    Only the SDK's requests are tolerated this way, so whatever ``on_progress`` raises (called
    between requests, by ``observe``) propagates as it is, ``FriendliError``s included.
    """
    try:
        if isinstance(work, Call):
            return (yield work)  # type: ignore[no-any-return]
        return (yield from work)
    except FriendliError as exc:
        if transient(exc):
            raise _PollCut from exc
        raise


def _poll(wait: _FleetWait, team_id: str | None) -> Flow[None]:
    wait.start_poll()
    for endpoint_id in wait.unknown_projects():
        try:
            spec = yield from _request(calls.spec(endpoint_id, team_id))
        except NotFoundError:
            wait.gone(endpoint_id)
            continue
        wait.located(endpoint_id, spec.project_id)
    for project_id, members in wait.projects().items():
        start = wait.start_cursors.get(project_id)
        listing = yield from _request(flows.collect(project_id, team_id, cursor=start))
        for endpoint_id in wait.listed(project_id, members, listing, start):
            # Not in its project's listing: its own status says what became of it.
            try:
                state = yield from _request(calls.status(endpoint_id, team_id))
            except NotFoundError:
                wait.gone(endpoint_id)
                continue
            wait.observe(endpoint_id, state)
    while wait.to_wake:
        endpoint_id = wait.to_wake.pop()
        try:
            yield from _request(calls.lifecycle("wake", endpoint_id, team_id))
        except APIError as refusal:  # the transient ones end the poll, as _PollCut
            wait.refused_wake(endpoint_id, refusal)
        else:
            wait.woke(endpoint_id)
