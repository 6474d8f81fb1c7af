"""What a client knows of the projects it creates endpoints in, shared by its creates in flight.

The contract's create response carries no endpoint id, so a create finds its endpoint by listing
the project after it and reading the specifications of the endpoints that are new. Done per create,
that costs every create a listing of the whole project: the total grows with the square of a fleet.
So one client keeps, per project, a ``ProjectView``:

- the ids it has seen listed (the "before" of each create is what the view knew when the create
  was sent) and the specifications it has read (each endpoint's is read at most once);
- one listing *round* in flight at a time, which every create waiting for one reads; a round is
  started only when every create in flight is waiting, or enough of them wait to fill its pages;
- rounds are *incremental*: they read from the cursor of the last page seen, so a project's
  existing endpoints are listed once, not once per create. A create that does not find its
  endpoint in an incremental round asks for a full one (the order of a listing is not in the
  contract, so it is not relied on for correctness, only for speed);
- one create per name at a time: creates of one name on one client queue behind each other, so a
  create never meets a sibling's endpoint that it cannot tell from its own (the specification does
  not show the model, so two creates of one name could differ only there);
- ids claimed by creates of this client, so no id is handed out twice;
- the ids the project holds now, as far as the view knows (``present``): a full round lists them all,
  an incremental one adds the new ones. A lookup by name reads the names from the specifications
  (each once): ``create(exist_ok=True)`` in what the view holds, ``find`` after a full round started
  after it began.
  A specification read is kept: the client's own updates and deletes refresh it (``learn``,
  ``forget``), but a rename by another client is not seen by this one.

Every shared thing has an owner that gives it back, whatever happens to the owner: a round is
released by the create that started it (``round_released``), a specification being read by the
create that reads it (``read``), a place in a name's queue by the create that holds it. The
create flow (``_creates``) does so in ``finally`` blocks, which run on errors, cancellation and
Ctrl-C alike; anyone waiting for the thing then takes it over.

This module holds the view and its decisions, free of I/O and of locks; ``_creates`` holds the flow
that uses them, and ``_coordination`` its drivers.
"""

from __future__ import annotations

import math
from collections import deque
from collections.abc import Iterable, Mapping

import attrs

from friendli_dedicated._models import EndpointState

__all__ = ["GONE", "LISTING_LIMIT", "ProjectView", "Round", "Wanted", "differences"]

LISTING_LIMIT = 100
"""Endpoints per page of a listing (the contract's largest ``limit``)."""
BASELINE_MAX_AGE = 30.0
"""Seconds after which what a view knows is listed again before a create that starts when none is in flight."""

GONE: Mapping[str, object] = {"\x00gone": True}
"""The specification of a candidate deleted before it could be read: it matches nothing."""


@attrs.frozen
class Wanted:
    """What a create asked for, as its endpoint's specification would report it.

    ``fields`` are the specification's fields (their Python names) that the create set, with the
    values asked for. A field the specification does not report (absent or null) cannot be
    compared and does not count against a candidate; any other difference does.

    >>> Wanted("chat", (("gpu_type", "NVIDIA H100"),)).matches({"name": "chat", "gpu_type": "NVIDIA H100"})
    True
    >>> Wanted("chat", (("max_batch_size", 64),)).matches({"name": "chat", "max_batch_size": 128})
    False
    """

    name: str
    fields: tuple[tuple[str, object], ...] = ()

    def matches(self, spec: Mapping[str, object]) -> bool:
        """Whether an endpoint with this specification can be what the create asked for."""
        if spec.get("name") != self.name:
            return False
        return not self.differences(spec)

    def differences(self, spec: Mapping[str, object]) -> dict[str, tuple[object, object]]:
        """Field -> (asked, found) for each field the specification shows with another value than asked.

        >>> Wanted("chat", (("max_batch_size", 64), ("num_gpu", 2))).differences({"max_batch_size": 128})
        {'max_batch_size': (64, 128)}
        """
        return differences(self.fields, spec)


def differences(asked: Iterable[tuple[str, object]], spec: Mapping[str, object]) -> dict[str, tuple[object, object]]:
    """Field -> (asked, found) for each field that ``spec`` (a specification's fields) shows with another
    value than asked; a field it does not show (absent or null) cannot be compared and is left out. The
    one comparison of a request with a specification: a create's match (``Wanted``), a rollout's check.

    >>> differences([("max_batch_size", 64), ("num_gpu", 2)], {"max_batch_size": 128, "num_gpu": None})
    {'max_batch_size': (64, 128)}
    """
    found = ((field, value, spec.get(field)) for field, value in asked)
    return {field: (value, shown) for field, value, shown in found if shown is not None and shown != value}


@attrs.frozen
class Round:
    """A listing round: its number, whether it lists from the start, and where it starts."""

    number: int
    full: bool
    cursor: str | None


@attrs.define
class ProjectView:
    """One client's knowledge of one project, for its creates in flight (no I/O, no locking).

    The drivers call these under their own lock (sync) or on their event loop (async).
    """

    known: set[str] = attrs.field(factory=set)
    specs: dict[str, Mapping[str, object]] = attrs.field(factory=dict)
    states: dict[str, EndpointState] = attrs.field(factory=dict)
    claimed: set[str] = attrs.field(factory=set)
    tail_cursor: str | None = None
    listed_at: float | None = None
    rounds_started: int = 0
    rounds_done: int = 0
    last_full_round: int = 0
    present: set[str] = attrs.field(factory=set)
    round_in_flight: Round | None = None
    full_wanted_after: int = -1
    last_round_full: bool = False
    posting: int = 0
    waiting: int = 0
    reading: set[str] = attrs.field(factory=set)
    queues: dict[str, deque[object]] = attrs.field(factory=dict)

    # -- one create per name ----------------------------------------------------------------------
    def enqueue(self, name: str, ticket: object) -> None:
        """A create of ``name`` joins the line of this client's creates of that name."""
        self.queues.setdefault(name, deque()).append(ticket)

    def first_in_line(self, name: str, ticket: object) -> bool:
        """Whether the create holding ``ticket`` may go: no earlier create of ``name`` is in flight."""
        return self.queues[name][0] is ticket

    def dequeue(self, name: str, ticket: object) -> None:
        """The create leaves the line (done, failed or cancelled), wherever it is in it."""
        line = self.queues.get(name)
        if line is None:
            return
        try:
            line.remove(ticket)
        except ValueError:
            return
        if not line:
            del self.queues[name]

    # -- a create's life --------------------------------------------------------------------------
    def needs_baseline(self, now: float) -> bool:
        """Whether a create starting now must wait for a (full) listing first."""
        if self.listed_at is None:
            return True
        in_flight = self.posting + self.waiting > 0
        return not in_flight and now - self.listed_at > BASELINE_MAX_AGE

    def begin(self) -> frozenset[str]:
        """A create is about to be sent: what the view knows is its "before"."""
        self.posting += 1
        return frozenset(self.known)

    def posted(self) -> int:
        """The create was answered (or failed): it now waits for a round started after this one."""
        self.posting -= 1
        self.waiting += 1
        return self.rounds_started

    def finished(self, *, waiting: bool) -> None:
        """A create that began is over (resolved, failed or cancelled)."""
        if waiting:
            self.waiting -= 1
        else:
            self.posting -= 1

    # -- rounds -----------------------------------------------------------------------------------
    def may_start_round(self, marker: int) -> bool:
        """Whether a waiter for a round after ``marker`` may start one now.

        None may start while one is in flight. A round may start when every create in flight
        waits, or enough wait to fill its pages (so a fleet's creates share one).
        """
        if self.rounds_done > marker or self.round_in_flight is not None:
            return False
        pages = math.ceil((len(self.known) + self.waiting) / LISTING_LIMIT) or 1
        return not (self.posting > 0 and self.waiting < pages)

    def round_for(self, marker: int) -> Round | None:
        """The round this waiter starts now (it then owns and runs it), or None to wait."""
        if not self.may_start_round(marker):
            return None
        return self._start(full=self.full_wanted_after >= self.rounds_done or self.listed_at is None)

    def baseline_round(self) -> Round | None:
        """A full round to start before a create, or None to wait for the one in flight."""
        if self.round_in_flight is not None:
            return None
        return self._start(full=True)

    def _start(self, *, full: bool) -> Round:
        self.rounds_started += 1
        cursor = None if full else self.tail_cursor
        started = Round(self.rounds_started, full or cursor is None, cursor)
        self.round_in_flight = started
        return started

    def round_done(self, started: Round, states: dict[str, EndpointState], tail: str | None, now: float) -> None:
        """Record what a round listed (``tail``: the cursor of its last page)."""
        self.known.update(states)
        self.states.update(states)
        if started.full:
            # What the project holds now: what was listed, and what this client's creates claimed (a
            # listing may lag behind a create; forgetting one's own endpoint would make a duplicate).
            self.present = set(states) | self.claimed
            self.last_full_round = started.number
        else:
            self.present.update(states)
        self.tail_cursor = tail
        self.listed_at = now
        self.rounds_done = started.number
        self.last_round_full = started.full
        if self.round_in_flight is started:
            self.round_in_flight = None

    def round_released(self, started: Round) -> None:
        """The owner of ``started`` gave it up (it failed or was cancelled): another waiter may start one."""
        if self.round_in_flight is started:
            self.round_in_flight = None

    def want_full_round(self) -> None:
        """A waiter did not find its endpoint in an incremental round: the next round lists everything."""
        self.full_wanted_after = self.rounds_done

    def round_finished_after(self, marker: int) -> bool:
        return self.rounds_done > marker

    # -- specifications and claims -----------------------------------------------------------------
    def unread(self, candidates: Iterable[str]) -> list[str]:
        """Candidates whose specification is unknown and not being read: the caller reads them (owns them)."""
        todo = [c for c in candidates if c not in self.specs and c not in self.reading]
        self.reading.update(todo)
        return todo

    def read(self, endpoint_id: str, spec: Mapping[str, object] | None) -> None:
        """A specification was read (None: its reader gave up; another waiter may read it)."""
        self.reading.discard(endpoint_id)
        if spec is not None:
            self.specs[endpoint_id] = spec

    def being_read(self, candidates: Iterable[str]) -> list[str]:
        """The candidates whose specification another create is reading now."""
        return [c for c in candidates if c in self.reading]

    def new_ids(self, before: frozenset[str]) -> list[str]:
        """Ids listed since ``before`` that no create of this client has claimed, in a stable order."""
        return sorted(i for i in self.known if i not in before and i not in self.claimed)

    def matching(self, before: frozenset[str], wanted: Wanted) -> list[str]:
        """New, unclaimed ids whose specification matches ``wanted``."""
        return [i for i in self.new_ids(before) if i in self.specs and wanted.matches(self.specs[i])]

    def claim(self, endpoint_id: str) -> None:
        self.claimed.add(endpoint_id)
        self.known.add(endpoint_id)
        self.present.add(endpoint_id)

    # -- lookups by name ---------------------------------------------------------------------------
    def look(self) -> int:
        """A lookup begins: it counts as a waiter for rounds; returns the round it needs a full one after."""
        self.waiting += 1
        return self.rounds_started

    def looked(self) -> None:
        """A lookup is over (found, failed or cancelled)."""
        self.waiting -= 1

    def full_round_after(self, marker: int) -> bool:
        """Whether a full round started after round ``marker`` has finished."""
        return self.last_full_round > marker

    def named(self, name: str) -> list[str]:
        """The ids the project holds whose specification has ``name``, in a stable order."""
        return sorted(i for i in self.present if self.specs.get(i, GONE).get("name") == name)

    # -- what this client did to an endpoint elsewhere ----------------------------------------------
    def learn(self, endpoint_id: str, spec: Mapping[str, object]) -> None:
        """An update through this client answered with the endpoint's specification: keep it (a rename)."""
        if endpoint_id in self.known or endpoint_id in self.specs:
            self.specs[endpoint_id] = spec

    def forget(self, endpoint_id: str) -> None:
        """This client deleted the endpoint: the project no longer holds it."""
        self.present.discard(endpoint_id)
        self.claimed.discard(endpoint_id)
        self.states.pop(endpoint_id, None)
        if endpoint_id in self.specs:
            self.specs[endpoint_id] = GONE
