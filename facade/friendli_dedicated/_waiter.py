"""Waiting for an endpoint to reach a status: a table of what each status means, a poll policy, a deadline.

Creating or waking an endpoint takes minutes (a VM is found, the model downloaded, the engine
started), and the API only offers "what is the status now?". Every caller would otherwise write
the same loop and get the same things wrong: treating FAILED or TERMINATED as "not yet" and
waiting out the whole timeout, crashing on a status added upstream, sleeping past the deadline,
or giving up on one dropped connection. So, as botocore waiters and google-api-core polling do,
the decisions are data and policy rather than code:

* ``ACCEPTORS`` maps statuses to an ``Outcome`` (success, failure, stopped, sleeping, keep
  waiting), matched in order; a status the contract does not list keeps waiting, with a warning.
  That is the table of a wait for RUNNING; ``TABLES`` holds one per status a wait may be for
  (``WAIT_TARGETS``: RUNNING, SLEEPING, TERMINATED, FAILED), each saying what the other statuses
  mean for it (waiting for SLEEPING fails on FAILED; waiting for TERMINATED ends only there).
* ``DEFAULT_POLL`` (a ``Backoff``) spaces the polls; the deadline on the injected monotonic clock
  caps every sleep, so the wait ends within a fraction of a second of ``timeout``.
* Transient failures of a poll (``_retry.transient``: no response, 429, 502/503/504) are retried
  inside the deadline; anything else is the caller's to see.

``_Wait`` holds all of that bookkeeping free of I/O; ``wait_flow`` is the wait as a flow (it yields
the status and wake calls and the pauses between polls), which both clients drive. A wait for an
endpoint that serves (``serving=True``) does not end at RUNNING: there it asks the endpoint itself
(``_serving``), and polls on, within the same deadline, until it answers. What the fleet's
wait (``_fleet``) shares with this one is here too: the status table, the errors, ``Terms`` (the
checked arguments, the deadline, the deadline of each request) and ``Reported`` (progress
reported on changes only).

>>> classify(Status.RUNNING), classify(Status.SLEEPING)
(<Outcome.SUCCESS: 'success'>, <Outcome.SLEEPING: 'sleeping'>)
>>> classify(Status.SLEEPING, Status.SLEEPING), classify(Status.RUNNING, Status.TERMINATED)
(<Outcome.SUCCESS: 'success'>, <Outcome.KEEP_WAITING: 'keep_waiting'>)
"""

from __future__ import annotations

import enum
import logging
import math
from collections.abc import Callable, Mapping
from types import MappingProxyType

import attrs

from friendli_dedicated import _calls as calls, _observe
from friendli_dedicated._backoff import Backoff
from friendli_dedicated._flows import Flow, Pause
from friendli_dedicated._hints import hint_for
from friendli_dedicated._models import EndpointState, Status
from friendli_dedicated._retry import transient
from friendli_dedicated._serving import PROBE_TEXT, Unanswered
from friendli_dedicated._transport import Call
from friendli_dedicated._validate import callback, flag, seconds, shown
from friendli_dedicated.errors import (
    EndpointFailedError,
    EndpointStoppedError,
    FriendliError,
    InvalidInputError,
    RateLimitError,
    WaitTimeoutError,
)

__all__ = [
    "ACCEPTORS",
    "DEFAULT_POLL",
    "FIRST_POLL_SECONDS",
    "TABLES",
    "WAIT_TARGETS",
    "Acceptor",
    "Outcome",
    "Reported",
    "Terms",
    "classify",
    "failed_error",
    "stopped_error",
    "wait_flow",
    "wait_target",
]

_log = logging.getLogger("friendli_dedicated.waiter")

DEFAULT_POLL = Backoff(initial=1.0, multiplier=1.5, maximum=10.0, jitter=0.1)
"""Poll after 1 s, then 1.5 s, 2.25 s, ... up to every 10 s, each up to 10% shorter at random.

Quick first polls catch a fast update; the cap keeps a 30-minute model download to a few hundred
requests; the jitter keeps many waiters (a CI matrix, say) from polling in lockstep.
"""

DEADLINE_GRACE = 1e-6
"""Seconds before the deadline at which a wait counts as timed out (sleeps may wake a hair early)."""

FIRST_POLL_SECONDS = 0.5
"""The least time a wait's polls are given, however short its timeout: ``timeout=0`` still looks once.

Without it, a wait shorter than one request could never read a status. It is the one exception to
"a wait ends at its timeout": a wait ends by ``max(timeout, FIRST_POLL_SECONDS)`` (plus a hair), so
``timeout=0`` makes one poll (with what retries of it fit) and returns or raises within half a second.
"""


@attrs.frozen
class Terms:
    """What a wait was asked, checked, and when it started: the same for the wait for one endpoint
    (``wait_flow``) and a fleet's (``_fleet.wait_all_flow``), so both keep their deadline one way.

    ``poll`` None stands for the wait's own default; ``on_progress`` is checked by the wait, which
    knows what it passes to it; ``until`` is the status waited for (``wait_target``), and only a
    wait for RUNNING may ``wake`` or wait until it serves (``serving``: until it answers a request,
    not only until it says RUNNING). Every request of the wait is sent within ``request_deadline``.

    >>> terms = Terms.check(timeout=60, poll=None, wake=False, on_progress=None, clock=lambda: 100.0,
    ...                     random=lambda: 0.5)
    >>> terms.deadline, terms.request_deadline
    (160.0, 160.0)
    """

    timeout: float
    poll: Backoff | None
    wake: bool
    on_progress: object
    clock: Callable[[], float]
    random: Callable[[], float]
    start: float
    deadline: float
    until: Status = Status.RUNNING
    serving: bool = False

    @classmethod
    def check(
        cls,
        *,
        timeout: object,
        poll: object,
        wake: object,
        on_progress: object,
        clock: Callable[[], float],
        random: Callable[[], float],
        until: Status = Status.RUNNING,
        serving: object = False,
    ) -> Terms:
        """Check the arguments (``InvalidInputError`` naming the field, before any request) and start the clock.

        ``until`` is already checked (``wait_target``): the caller knows the name of its argument.
        """
        # None is refused rather than read as "forever": an unbounded wait on a billing resource
        # should be a deliberate choice.
        limit = seconds(timeout, "timeout")
        if poll is not None and not isinstance(poll, Backoff):
            raise InvalidInputError("poll", f"must be a Backoff or None, got {type(poll).__name__}")
        can_wake = flag(wake, "wake")
        if can_wake and until is not Status.RUNNING:
            raise InvalidInputError("wake", f"only a wait for RUNNING wakes an endpoint, not one for {until.value}")
        checks = flag(serving, "serving")
        if checks and until is not Status.RUNNING:
            raise InvalidInputError(
                "serving", f"only a wait for RUNNING checks that it serves, not one for {until.value}"
            )
        start = clock()
        return cls(limit, poll, can_wake, on_progress, clock, random, start, start + limit, until, checks)

    @property
    def request_deadline(self) -> float:
        """The deadline of every request of the wait: its own, but at least ``FIRST_POLL_SECONDS``
        after its start, so that a wait shorter than one request still reads a status.

        >>> Terms.check(timeout=0, poll=None, wake=False, on_progress=None, clock=lambda: 100.0,
        ...             random=lambda: 0.5).request_deadline
        100.5
        """
        return max(self.deadline, self.start + FIRST_POLL_SECONDS)

    def elapsed(self) -> float:
        """Seconds since the wait started."""
        return self.clock() - self.start

    def remaining(self) -> float:
        """Seconds left until the deadline (0 or less: it has passed)."""
        return self.deadline - self.clock()


@attrs.define
class Reported:
    """The (status, phase) last reported of one endpoint: a wait reports a state only when it differs.

    >>> reported = Reported()
    >>> [reported.changed(EndpointState(status=Status(s))) for s in ("INITIALIZING", "INITIALIZING", "RUNNING")]
    [True, False, True]
    """

    last: tuple[str, str | None] | None = None

    def changed(self, state: EndpointState) -> bool:
        """Whether ``state`` differs from the last one reported (then it is the last one reported)."""
        key = (state.status.value, state.phase.value if state.phase is not None else None)
        if key == self.last:
            return False
        self.last = key
        return True


class Outcome(enum.Enum):
    """What seeing a status means for the wait."""

    SUCCESS = "success"
    """The endpoint reached the status waited for (serves, for a wait for RUNNING): return its state."""
    FAILURE = "failure"
    """The endpoint failed: raise ``EndpointFailedError`` with its error code and a hint."""
    STOPPED = "stopped"
    """The endpoint is stopping or gone and will not get there by waiting: raise ``EndpointStoppedError``."""
    SLEEPING = "sleeping"
    """Asleep (scaled to zero): wake it if the caller asked to, else raise ``EndpointStoppedError``."""
    KEEP_WAITING = "keep_waiting"
    """On its way (or a status this SDK does not know): poll again."""


@attrs.frozen
class Acceptor:
    """One row of the status table: the statuses it matches and what they mean.

    >>> Acceptor(Outcome.SUCCESS, frozenset({Status.RUNNING})).matches(Status.RUNNING)
    True
    """

    outcome: Outcome
    statuses: frozenset[Status]

    def matches(self, status: Status) -> bool:
        """Whether ``status`` is one of this row's statuses."""
        return status in self.statuses


ACCEPTORS: tuple[Acceptor, ...] = (
    # READY is what the API reports for some serving endpoints; both mean requests can be sent.
    Acceptor(Outcome.SUCCESS, frozenset({Status.RUNNING, Status.READY})),
    Acceptor(Outcome.FAILURE, frozenset({Status.FAILED})),
    # Nothing brings these back on its own, so waiting them out would only burn the timeout.
    Acceptor(Outcome.STOPPED, frozenset({Status.TERMINATING, Status.TERMINATED, Status.STOPPING})),
    Acceptor(Outcome.SLEEPING, frozenset({Status.SLEEPING})),
    # UNKNOWN is the API saying it cannot tell yet (e.g. between replicas), not a failure.
    Acceptor(Outcome.KEEP_WAITING, frozenset({Status.INITIALIZING, Status.UPDATING, Status.AWAKING, Status.UNKNOWN})),
)
"""The status table of a wait for RUNNING, matched in order; the first row whose statuses include the status decides."""

_GONE = frozenset({Status.TERMINATING, Status.TERMINATED, Status.STOPPING})
_ON_ITS_WAY = frozenset({Status.INITIALIZING, Status.UPDATING, Status.AWAKING, Status.UNKNOWN})

TABLES: Mapping[Status, tuple[Acceptor, ...]] = MappingProxyType(
    {
        Status.RUNNING: ACCEPTORS,
        Status.SLEEPING: (
            Acceptor(Outcome.SUCCESS, frozenset({Status.SLEEPING})),
            Acceptor(Outcome.FAILURE, frozenset({Status.FAILED})),
            Acceptor(Outcome.STOPPED, _GONE),
            # A serving endpoint falls asleep when told to, or after its cooldown when it scales to zero.
            Acceptor(Outcome.KEEP_WAITING, _ON_ITS_WAY | {Status.RUNNING, Status.READY}),
        ),
        # An endpoint that is not yet TERMINATED may still be told to terminate (or be on its way, and
        # a listing may lag behind a terminate just sent): only the deadline ends this wait otherwise.
        Status.TERMINATED: (
            Acceptor(Outcome.SUCCESS, frozenset({Status.TERMINATED})),
            Acceptor(
                Outcome.KEEP_WAITING,
                _ON_ITS_WAY
                | {Status.TERMINATING, Status.STOPPING, Status.RUNNING, Status.READY}
                | {Status.SLEEPING, Status.FAILED},
            ),
        ),
        Status.FAILED: (
            Acceptor(Outcome.SUCCESS, frozenset({Status.FAILED})),
            Acceptor(Outcome.STOPPED, _GONE),
            Acceptor(Outcome.KEEP_WAITING, _ON_ITS_WAY | {Status.RUNNING, Status.READY, Status.SLEEPING}),
        ),
    }
)
"""The status table of each status a wait may be for (read-only); every table gives every listed status one row."""

WAIT_TARGETS: tuple[Status, ...] = tuple(TABLES)
"""The statuses a wait may be for: those an endpoint stays in. A transitional one (INITIALIZING,
TERMINATING, ...) may pass between two polls unseen, so waiting for it could miss it."""


def wait_target(value: object, field: str) -> Status:
    """The status a wait is for, checked: a ``Status`` or its name, one of ``WAIT_TARGETS``.

    >>> wait_target("terminated", "status")
    <Status.TERMINATED: 'TERMINATED'>
    >>> try:
    ...     wait_target("TERMINATING", "status")
    ... except InvalidInputError as refused:
    ...     print(refused.field, refused.message.split(";")[0])
    status 'TERMINATING' is not a status a wait can be for (an endpoint passes it, and may pass it unseen)
    """
    targets = ", ".join(s.value for s in WAIT_TARGETS[:-1]) + f" or {WAIT_TARGETS[-1].value}"
    if not isinstance(value, str):  # Status is a str enum
        raise InvalidInputError(field, f"must be an fd.Status or its name ({targets}), got {type(value).__name__}")
    status = Status(value.upper())
    if status in TABLES:
        return status
    if status.is_known:
        reason = "an endpoint passes it, and may pass it unseen"
        raise InvalidInputError(field, f"{value!r} is not a status a wait can be for ({reason}); wait for {targets}")
    raise InvalidInputError(field, f"{shown(value)} is not a status; wait for {targets}")


def classify(status: Status, until: Status = Status.RUNNING) -> Outcome:
    """What ``status`` means for a wait for ``until``: the first matching row of its table (``TABLES``).

    A status the contract does not list keeps waiting: a new transitional status upstream is far
    likelier than a new terminal one, and the deadline still bounds the wait.

    >>> classify(Status.FAILED), classify(Status("SCALING"))
    (<Outcome.FAILURE: 'failure'>, <Outcome.KEEP_WAITING: 'keep_waiting'>)
    >>> classify(Status.TERMINATED, Status.SLEEPING)
    <Outcome.STOPPED: 'stopped'>
    """
    for acceptor in TABLES[until]:
        if acceptor.matches(status):
            return acceptor.outcome
    return Outcome.KEEP_WAITING


def _describe(state: EndpointState) -> str:
    phase = f", phase {state.phase}" if state.phase is not None else ""
    return f"{state.status}{phase}"


class _Step(enum.Enum):
    """What the flow does after a state was observed."""

    DONE = enum.auto()
    WAKE = enum.auto()
    POLL_AGAIN = enum.auto()


@attrs.define
class _Wait:
    """One wait's bookkeeping, free of I/O: the flow (``_polls``) fetches, wakes and pauses; this decides.

    ``observe`` classifies a state (raising on failure), ``absorb`` decides about a failed fetch,
    ``pause`` says how long to sleep (or raises the timeout), ``resume`` checks the deadline after.
    """

    endpoint_id: str
    terms: Terms
    poll: Backoff
    on_progress: Callable[[EndpointState, float], None] | None
    last_state: EndpointState | None = None
    polls_done: int = 0
    woken: bool = False
    server_wait: float | None = None
    last_error: str | None = None
    reported: Reported = attrs.field(factory=Reported)
    warned: set[str] = attrs.field(factory=set)
    unanswered: Unanswered | None = None
    """A serving wait's checks (None: the wait ends at RUNNING)."""

    @classmethod
    def begin(cls, endpoint_id: str, terms: Terms) -> _Wait:
        """The wait's bookkeeping; ``on_progress`` must take (state, elapsed)."""
        progress = callback(terms.on_progress, "on_progress", arguments=2)
        checks = Unanswered(endpoint_id) if terms.serving else None
        return cls(endpoint_id, terms, terms.poll or DEFAULT_POLL, progress, unanswered=checks)

    def observe(self, state: EndpointState) -> _Step:
        """Record ``state``, report progress, and say what to do next; raises if it cannot serve."""
        self.last_state = state
        self.last_error = None
        self._report_progress(state)
        status = state.status
        if not status.is_known and status.value not in self.warned:
            self.warned.add(status.value)
            _log.warning(
                "endpoint %s reports status %r, which this SDK version does not know; waiting as for a "
                "transitional status (a newer friendli-dedicated may handle it)",
                self.endpoint_id,
                status.value,
            )
        outcome = classify(status, self.terms.until)
        if outcome is not Outcome.SLEEPING:
            # Any other status means a wake call already took effect (or a new sleep will need one).
            self.woken = False
        if self.unanswered is not None and outcome is not Outcome.SUCCESS:
            self.unanswered.refused = False  # it moved on since the refusal: the table decides now
        if outcome is Outcome.SUCCESS:
            refusal = self.unanswered.refusal() if self.unanswered is not None else None
            if refusal is not None:  # RUNNING, and yet it refused to serve: waiting will not change that
                raise refusal
            return _Step.DONE
        if outcome is Outcome.FAILURE:
            raise failed_error(self.endpoint_id, state)
        if outcome is Outcome.STOPPED:
            raise stopped_error(self.endpoint_id, state, self.terms.until)
        if outcome is Outcome.SLEEPING:
            if not self.terms.wake:
                raise stopped_error(self.endpoint_id, state, self.terms.until)
            # Wake once per sleep: a wake call takes a while to show as AWAKING, and repeating it
            # meanwhile would only add requests.
            return _Step.POLL_AGAIN if self.woken else _Step.WAKE
        return _Step.POLL_AGAIN

    def woke(self) -> None:
        """Record that the wake call went through."""
        self.woken = True
        _log.info("endpoint %s was SLEEPING; asked it to wake", self.endpoint_id)

    def absorb(self, exc: Exception) -> bool:
        """Whether the failed fetch or wake may be retried; if so, note what the server asked for."""
        if not transient(exc):
            return False
        self.last_error = type(exc).__name__
        if isinstance(exc, RateLimitError) and exc.retry_after is not None and not math.isnan(exc.retry_after):
            self.server_wait = max(0.0, exc.retry_after)
        # The class name only: it is all a reader of the log needs, and it cannot carry a URL,
        # a response body or anything else that might hold a secret.
        _log.debug(
            "endpoint %s: transient %s while waiting; polling again",
            self.endpoint_id,
            self.last_error,
        )
        return True

    def unanswered_check(self, exc: FriendliError) -> None:
        """After RUNNING, the check that it serves failed with ``exc``: poll on, or raise what waiting
        cannot change (see ``_serving.Unanswered``)."""
        assert self.unanswered is not None
        wait = self.unanswered.failed(exc)
        self.last_error = type(exc).__name__
        if wait is not None:
            # A floor, as a 429's is, and no longer than the poll's longest: the status may say more.
            self.server_wait = min(max(0.0, wait), self.poll.maximum)
        _log.debug("endpoint %s: RUNNING, but not answering yet (%s); polling again", self.endpoint_id, self.last_error)

    def pause(self) -> float:
        """Seconds to sleep before the next poll, never past the deadline; raises the timeout if no time is left."""
        remaining = self.terms.remaining()
        if remaining <= 0:
            raise self._timed_out()
        delay = self.poll.delay(self.polls_done, random=self.terms.random)
        if self.server_wait is not None:
            # The server's Retry-After is a floor, not a replacement: polling faster than the
            # policy because a 429 said "0" would defeat the policy.
            delay = max(delay, self.server_wait)
            self.server_wait = None
        self.polls_done += 1
        return min(delay, remaining)

    def resume(self) -> None:
        """After a sleep: raise the timeout, without another request, if the deadline was reached."""
        # The clock decides, not the length asked of the sleep: a sleep may return early on purpose
        # (the emulator's stops at the next state change, so a poll never jumps over one). A sleep cut
        # to the deadline may also wake a hair early (float rounding, an event loop's clock
        # resolution), hence the grace: one more request then is not wanted.
        if self.terms.clock() >= self.terms.deadline - DEADLINE_GRACE:
            raise self._timed_out()

    def _report_progress(self, state: EndpointState) -> None:
        if not self.reported.changed(state):
            return
        elapsed = self.terms.elapsed()
        # An INFO record, and with telemetry an event on the wait's span and the phase's duration.
        _observe.state_changed(self.endpoint_id, state, elapsed, serving=classify(state.status) is Outcome.SUCCESS)
        if self.on_progress is not None:
            self.on_progress(state, elapsed)

    def _timed_out(self) -> WaitTimeoutError:
        seen = f"last seen {_describe(self.last_state)}" if self.last_state is not None else "no status was read"
        checked = self.unanswered.last if self.unanswered is not None else None
        running = self.last_state is not None and classify(self.last_state.status) is Outcome.SUCCESS
        if running and checked is not None:
            seen += f", but it did not answer (the last check: {checked.reason})"
        elif self.last_error is not None:
            seen += f" (the last poll failed with {self.last_error})"
        serving = " and serve" if self.terms.serving else ""
        error = WaitTimeoutError(
            f"endpoint {self.endpoint_id} did not become {self.terms.until.value}{serving} "
            f"within {self.terms.timeout:g}s; {seen}",
            endpoint_id=self.endpoint_id,
            state=self.last_state,
            until=self.terms.until.value,
        )
        error.__cause__ = checked if running else None  # why it did not answer, in the traceback
        return error


def failed_error(endpoint_id: str, state: EndpointState) -> EndpointFailedError:
    """The error of an endpoint seen FAILED: its error code, phase and the hint for the code."""
    code = state.error_code.value if state.error_code is not None else None
    phase = state.phase.value if state.phase is not None else None
    hint = hint_for(code)
    return EndpointFailedError(
        f"endpoint {endpoint_id} failed (error_code={code or 'none'}, phase={phase or 'none'}): {hint}",
        endpoint_id=endpoint_id,
        state=state,
        error_code=code,
        phase=phase,
        hint=hint,
    )


def stopped_error(
    endpoint_id: str, state: EndpointState | None, until: Status = Status.RUNNING
) -> EndpointStoppedError:
    """The error of an endpoint that will not reach ``until`` by waiting: stopping, stopped, asleep, or gone."""
    if state is None:
        return EndpointStoppedError(
            f"endpoint {endpoint_id} was not found (deleted?)", endpoint_id=endpoint_id, state=None
        )
    if state.status is Status.SLEEPING and until is Status.RUNNING:
        message = f"endpoint {endpoint_id} is SLEEPING; pass wake=True to wake it and wait until it serves"
    else:
        message = f"endpoint {endpoint_id} is {state.status}, so it will not become {until.value} by waiting"
    return EndpointStoppedError(message, endpoint_id=endpoint_id, state=state)


def wait_flow(endpoint_id: str, team_id: str | None, terms: Terms) -> Flow[EndpointState]:
    """Wait until the endpoint reaches ``terms.until`` (for RUNNING: serves, RUNNING or READY) and
    return its state, as a flow.

    Both clients drive it with ``_drive(flow, deadline=terms.request_deadline)``, which caps each
    request (its attempts, retries and Retry-After) at the wait's deadline. It polls the endpoint's
    status, wakes it once per sleep if ``terms.wake``, and returns the state reached, or raises
    ``EndpointFailedError``, ``EndpointStoppedError`` or ``WaitTimeoutError`` as the table of
    ``terms.until`` says (see ``_Wait``).
    A bad ``on_progress`` is refused here, before the flow sends anything.

    >>> terms = Terms.check(timeout=60, poll=None, wake=False, on_progress=None, clock=lambda: 100.0,
    ...                     random=lambda: 0.5)
    >>> flow = wait_flow("ep-1", None, terms)
    >>> next(flow).label
    'GET /dedicated/beta/endpoint/ep-1/status'
    >>> try:
    ...     flow.send(EndpointState(status=Status.RUNNING))
    ... except StopIteration as done:
    ...     print(done.value.status)
    RUNNING
    """
    wait = _Wait.begin(endpoint_id, terms)
    status = calls.status(endpoint_id, team_id)
    wake = calls.lifecycle("wake", endpoint_id, team_id) if terms.wake else None
    check = calls.tokenize(endpoint_id, PROBE_TEXT, team_id) if terms.serving else None
    return _polls(wait, status, wake, check)


def _polls(
    wait: _Wait, status: Call[EndpointState], wake: Call[EndpointState] | None, check: Call[list[int]] | None
) -> Flow[EndpointState]:
    while True:
        # Only the requests' errors may be absorbed (the transient kinds): observe's, and those of
        # the caller's on_progress, propagate as they are, FriendliErrors included.
        try:
            state: EndpointState = yield status
        except FriendliError as exc:
            if not wait.absorb(exc):
                raise
        else:
            step = wait.observe(state)
            if step is _Step.DONE:
                if check is None:
                    return state
                try:  # RUNNING: does it answer?
                    yield check
                except FriendliError as exc:
                    wait.unanswered_check(exc)
                else:
                    return state
            if step is _Step.WAKE and wake is not None:
                try:
                    yield wake
                except FriendliError as exc:
                    if not wait.absorb(exc):
                        raise
                else:
                    wait.woke()
        yield Pause(wait.pause())
        wait.resume()
