"""What a client knows of the projects it creates endpoints in, shared by its creates in flight.

The contract's create response carries no endpoint id, so a create finds its endpoint by listing
the project after it and reading the names of the endpoints that are new. Done per create, that
costs every create a listing of the whole project: the total grows with the square of a fleet.
So one client keeps, per project, a ``ProjectView``:

- the ids it has seen listed (the "before" of each create is what the view knew when the create
  was sent) and the names it has read (each endpoint's specification is read at most once);
- one listing *round* in flight at a time, which every create waiting for one reads; a round is
  started only when every create in flight is waiting, or enough of them wait to fill its pages;
- rounds are *incremental*: they read from the cursor of the last page seen, so a project's
  existing endpoints are listed once, not once per create. A create that does not find its
  endpoint in an incremental round asks for a full one (the order of a listing is not in the
  contract, so it is not relied on for correctness, only for speed);
- ids claimed by creates of this client, so two creates of the same name each get their own: an
  endpoint is matched by its name, GPU kind and count (what its specification reports of what the
  create asked for), and claimed only when there are no more such new endpoints than creates of
  this client asking for them (otherwise another client made one too, and it cannot tell which).

This module holds the view and its decisions, free of I/O; ``_creates`` drives them for the sync
and the async client.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterable

import attrs

from friendli_dedicated._models import EndpointState

__all__ = ["LISTING_LIMIT", "Fingerprint", "ProjectView", "Round"]

LISTING_LIMIT = 100
"""Endpoints per page of a listing (the contract's largest ``limit``)."""
BASELINE_MAX_AGE = 30.0
"""Seconds after which what a view knows is listed again before a create that starts when none is in flight."""


@attrs.frozen
class Fingerprint:
    """What identifies a new endpoint as a create's: its name, and its GPU kind and count when known."""

    name: str
    gpu: str | None = None
    count: int | None = None

    def matches(self, endpoint: Fingerprint) -> bool:
        """Whether an endpoint (its specification's fingerprint) is what this create asked for."""
        return (
            endpoint.name == self.name
            and (self.gpu is None or endpoint.gpu is None or endpoint.gpu == self.gpu)
            and (self.count is None or endpoint.count is None or endpoint.count == self.count)
        )


@attrs.frozen
class Round:
    """A listing round: its number, whether it lists from the start, and where it starts."""

    number: int
    full: bool
    cursor: str | None


@attrs.define
class ProjectView:
    """One client's knowledge of one project, for its creates in flight (no I/O, no locking).

    The drivers call these under their own lock and wait on their own condition.
    """

    known: set[str] = attrs.field(factory=set)
    specs: dict[str, Fingerprint] = attrs.field(factory=dict)
    states: dict[str, EndpointState] = attrs.field(factory=dict)
    claimed: set[str] = attrs.field(factory=set)
    tail_cursor: str | None = None
    listed_at: float | None = None
    rounds_started: int = 0
    rounds_done: int = 0
    round_in_flight: Round | None = None
    full_wanted_after: int = -1
    last_round_full: bool = False
    posting: int = 0
    waiting: int = 0
    wanted: Counter[Fingerprint] = attrs.field(factory=Counter)
    reading: set[str] = attrs.field(factory=set)

    # -- a create's life --------------------------------------------------------------------------
    def needs_baseline(self, now: float) -> bool:
        """Whether a create starting now must wait for a (full) listing first."""
        if self.listed_at is None:
            return True
        in_flight = self.posting + self.waiting > 0
        return not in_flight and now - self.listed_at > BASELINE_MAX_AGE

    def begin(self, wanted: Fingerprint) -> frozenset[str]:
        """A create is about to be sent: what the view knows is its "before"."""
        self.posting += 1
        self.wanted[wanted] += 1
        return frozenset(self.known)

    def posted(self) -> int:
        """The create was answered (or failed): it now waits for a round started after this one."""
        self.posting -= 1
        self.waiting += 1
        return self.rounds_started

    def finished(self, wanted: Fingerprint, *, waiting: bool) -> None:
        """A create is over (resolved or failed)."""
        if waiting:
            self.waiting -= 1
        else:
            self.posting -= 1
        self.wanted[wanted] -= 1
        if self.wanted[wanted] <= 0:
            del self.wanted[wanted]

    # -- rounds -----------------------------------------------------------------------------------
    def round_for(self, marker: int) -> Round | None:
        """A round this waiter may start now (it then runs it), or None to wait.

        A round is wanted when none that started after ``marker`` has finished; it may start when
        none is in flight and every create in flight waits, or enough wait to fill its pages.
        """
        if self.rounds_done > marker or self.round_in_flight is not None:
            return None
        pages = math.ceil((len(self.known) + self.waiting) / LISTING_LIMIT) or 1
        if self.posting > 0 and self.waiting < pages:
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
        self.tail_cursor = tail
        self.listed_at = now
        self.rounds_done = started.number
        self.last_round_full = started.full
        self.round_in_flight = None

    def round_failed(self) -> None:
        """The round in flight failed: another waiter may start the next one."""
        self.round_in_flight = None

    def want_full_round(self) -> None:
        """A waiter did not find its endpoint in an incremental round: the next round lists everything."""
        self.full_wanted_after = self.rounds_done

    def round_finished_after(self, marker: int) -> bool:
        return self.rounds_done > marker

    # -- specifications and claims -----------------------------------------------------------------
    def unread(self, candidates: Iterable[str]) -> list[str]:
        """Candidates whose specification is unknown and not being read: the caller reads them."""
        todo = [c for c in candidates if c not in self.specs and c not in self.reading]
        self.reading.update(todo)
        return todo

    def read(self, endpoint_id: str, fingerprint: Fingerprint | None) -> None:
        """A specification was read (None: reading failed; another waiter may try)."""
        self.reading.discard(endpoint_id)
        if fingerprint is not None:
            self.specs[endpoint_id] = fingerprint

    def pending_reads(self, candidates: Iterable[str]) -> bool:
        return any(c in self.reading for c in candidates)

    def new_ids(self, before: frozenset[str]) -> list[str]:
        """Ids listed since ``before`` that no create of this client has claimed, in a stable order."""
        return sorted(i for i in self.known if i not in before and i not in self.claimed)

    def matching(self, before: frozenset[str], wanted: Fingerprint) -> list[str]:
        """New, unclaimed ids whose specification matches ``wanted``."""
        return [i for i in self.new_ids(before) if i in self.specs and wanted.matches(self.specs[i])]

    def claimable(self, before: frozenset[str], wanted: Fingerprint) -> tuple[str | None, list[str]]:
        """(the id to claim, or None; the matching ids). Ambiguous when more match than this client wants."""
        matching = self.matching(before, wanted)
        if matching and len(matching) <= self.wanted[wanted]:
            return matching[0], matching
        return None, matching

    def claim(self, endpoint_id: str) -> None:
        self.claimed.add(endpoint_id)
        self.known.add(endpoint_id)
