"""One pace for a whole client: after a 429, every request of that client waits its turn, at a pace.

Without it, each request backs off on its own, and a fleet of tasks that meets a rate limit keeps
sending from every task that has not been refused yet, which only prolongs the limit. With it:

- the first 429 pauses the whole client for its ``Retry-After`` (or the retry policy's backoff when
  it gives none): requests waiting to be sent, and new ones, wait for the pause to end;
- from then on requests take numbered turns, one per ``interval``, in the order they asked. When the
  pace changes, the turns given keep their order and are re-timed (the first one not yet due keeps
  its time, or waits for the pause), so a newcomer never overtakes a request already waiting, and a
  holder of a distant turn looks again halfway there, so that a quicker pace serves it at once;
- a 429 for a request sent at the current pace makes it 90% of the slower of the pace refused and
  the rate the server admitted since the last slowdown (the bucket was empty then: that rate is at
  most the limit, where a pace that grew while a full bucket hid the limit may be far beyond it).
  A 429 for a request sent before the last slowdown, or within a round trip after it, does not
  slow it again: it went at a pace already given up, or behind requests that did (once per round
  trip, as TCP does). The first 429 sets the pace to 90% of the
  rate admitted over the last second: a burst's sending rate says nothing of the limit, its
  admissions do. Fewer than ``_SAMPLE`` admissions make that a guess, and with none the pause is
  the guess;
- each success of a request that waited for its turn (a pace the client does not use says nothing
  of the limit) quickens the pace along CUBIC's curve (RFC 9438), counted in successes: back to
  the pace refused after some two seconds' worth of them, slowly near it, faster and faster beyond.
  So a client that meets a limit settles just under it, and probes beyond it now and then. A guess
  doubles with every second of successes until a 429 measures it. The pace is never slower than one
  request a second (429s that come at random, not from a rate, slow it that far at worst), and
  under a millisecond pacing is dropped;
- a pause or a turn never passes a caller's deadline: the call ends with ``RequestTimeoutError``.

Every operation is O(1) (the first slowdown reads at most ``_WINDOW`` recent admissions), and a
client that has not met a 429 lately takes no lock.

>>> gate = RateLimitGate()
>>> gate.refused(now=100.0, pause=2.5)
>>> gate.take(now=101.0, deadline=200.0)
(1.5, 0)
"""

from __future__ import annotations

import math
import threading
from collections import deque

__all__ = ["RateLimitGate"]

_SLOWER = 0.9  # after a 429, the pace as a share of the one refused
_RETURN = 2.0  # seconds' worth of successes (at the pace refused) after which the pace is back to it...
_RETURN_MIN, _RETURN_MAX = 20, 100  # ... counted in successes, within these bounds
_DOUBLING = 1.0  # while the pace is a guess, it doubles in this many seconds of successes
_HORIZON = 1.0  # seconds of recent admissions from which the first pace is measured
_SAMPLE = 10  # admissions in the horizon from which their rate is a measure, not a guess
_ERA_SAMPLE = 2  # admissions since the last slowdown from which their rate bounds the limit
_WINDOW = 256  # the recent admissions kept
_SLOWEST = 1.0  # the interval never grows beyond this (one request a second)
_FASTEST = 0.001  # an interval under this is no pacing at all
_GLANCE = 0.1  # a turn further off than this is looked at again halfway (the pace may quicken)

_GO: tuple[float, int] = (0.0, -1)  # the turn of an unpaced client: now, unnumbered


class RateLimitGate:
    """When a client may send its next request (on the client's clock); thread-safe.

    Turn ``k`` starts at ``_base_time + (k - _base_ticket) * _interval`` (never before the pause
    ends): a change of pace moves the base, so the turns given keep their order.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._paused_until = -math.inf
        self._interval = 0.0
        self._next_ticket = 0
        self._base_ticket = 0
        self._base_time = -math.inf
        self.epoch = 0
        """How many times the pace was slowed: a 429 for a request sent in an earlier epoch does not slow it."""
        self._refused_rate = 0.0  # requests a second of the pace last refused (0.0: the pace is a guess)
        self._return = _RETURN_MIN  # successes over which the pace returns to it
        self._successes = 0  # paced successes since the last slowdown
        self._era_start = -math.inf  # when the last slowdown was
        self._recovered_at = -math.inf  # ... and one round trip after it
        self._era_admitted = 0  # admissions since then
        # Appends are atomic in CPython, so the lock-free common case may record admissions too.
        self._admitted: deque[float] = deque(maxlen=_WINDOW)

    def take(self, *, now: float, deadline: float) -> tuple[float, int] | None:
        """(seconds to wait at ``now``, the turn's number), and the turn is taken; None when the turn
        would start at or after ``deadline`` (nothing is taken). After the wait, ``recheck`` it."""
        if self._interval == 0.0 and self._paused_until <= now:
            return _GO  # the common case, no 429 seen lately: no lock to take
        with self._lock:
            ticket = self._next_ticket
            at = self._time_of(ticket)
            if at < now:  # nobody is waiting: the schedule starts again from now
                self._base_ticket, self._base_time, at = ticket, now, now
            wait = self._wait(at, now, deadline)
            if wait is not None:
                self._next_ticket = ticket + 1
                return wait, ticket
            return None

    def recheck(self, ticket: int, *, now: float, deadline: float) -> float | None:
        """After waiting for turn ``ticket``: 0.0 when it has come, else seconds to wait before
        looking again (the pace may have changed meanwhile); None when the turn now starts at or
        after ``deadline``."""
        if ticket < 0:
            return 0.0
        with self._lock:
            return self._wait(self._time_of(ticket), now, deadline)

    def _wait(self, at: float, now: float, deadline: float) -> float | None:
        """Seconds to wait at ``now`` for a turn due ``at`` (None: it starts at or after ``deadline``):
        all of them while the pause decides it or when it is near, else half (a pace that quickens
        brings the turn sooner, and a holder asleep until the old time would take it late)."""
        start = max(at, self._paused_until)
        if start <= now:
            return 0.0
        if start >= deadline:
            return None
        wait = start - now
        if wait <= _GLANCE or at <= self._paused_until:
            return wait
        return max(self._paused_until - now, wait / 2, _GLANCE)

    def refused(self, *, now: float, pause: float, epoch: int | None = None, sent_at: float | None = None) -> None:
        """A 429 at ``now`` for a request sent at ``sent_at`` in ``epoch`` (``self.epoch`` when it
        went; None: the current one): pause the client ``pause`` seconds, and slow its pace unless
        the request was sent before the last slowdown, or within a round trip after it (requests
        sent before it may still be reaching the server, from a connection pool's queue: the server
        refuses what follows them for their sake, not for the pace's)."""
        with self._lock:
            self._paused_until = max(self._paused_until, now + max(0.0, pause))
            if epoch is not None and epoch < self.epoch:
                return
            if sent_at is not None and sent_at < self._recovered_at:
                return
            self._recovered_at = now + (max(0.0, now - sent_at) if sent_at is not None else 0.0)
            self.epoch += 1
            self._successes = 0
            admitted = 0.0
            if self._interval > 0:
                # The bucket was empty at the last slowdown: since then, n admissions in t seconds
                # (pushing at the pace) say the limit is at most (n + 1) / t.
                era = (self._era_admitted + 1) / (now - self._era_start) if now > self._era_start else math.inf
                refused = min(1.0 / self._interval, era if self._era_admitted >= _ERA_SAMPLE else math.inf)
            else:
                admitted = self._admitted_rate(now)
                refused = admitted if admitted * _HORIZON >= _SAMPLE else 0.0
            self._era_start, self._era_admitted = now, 0
            if refused:
                self._return = min(max(round(_RETURN * refused), _RETURN_MIN), _RETURN_MAX)
                interval = 1.0 / (refused * _SLOWER)
            elif admitted:  # too few admissions to measure a rate: a guess, under them
                interval = 1.0 / (admitted * _SLOWER)
            else:  # no pace, no recent admission: the server's pause is the guess
                interval = max(0.0, pause)
            self._refused_rate = refused
            self._repace(now, min(max(interval, _FASTEST), _SLOWEST), not_before=self._paused_until)

    def accepted(self, *, now: float, paced: bool = True) -> None:
        """A request was not refused at ``now``: quicken the pace a little if the request was
        ``paced`` (it waited for its turn: a pace the client does not use is not tested by it)."""
        if self._interval == 0.0:
            self._admitted.append(now)
            return
        with self._lock:
            self._admitted.append(now)
            self._era_admitted += 1
            if self._interval == 0.0 or not paced:
                return
            self._successes += 1
            if self._refused_rate:
                # CUBIC's curve (RFC 9438), counted in successes: back to the pace refused after
                # ``_return`` of them, slowly near it, faster and faster beyond it.
                x = self._successes / self._return - 1.0
                interval = 1.0 / (self._refused_rate * (1.0 + (1.0 - _SLOWER) * x**3))
            else:  # a guess: double it every ``_DOUBLING`` seconds of successes until a 429 measures it
                interval = self._interval * 2.0 ** (-self._interval / _DOUBLING)
            self._repace(now, 0.0 if interval < _FASTEST else min(interval, _SLOWEST))

    def _time_of(self, ticket: int) -> float:
        return self._base_time + (ticket - self._base_ticket) * self._interval

    def _repace(self, now: float, interval: float, not_before: float = -math.inf) -> None:
        """Change the interval at ``now``: the first turn not yet due keeps its time (or moves to
        ``not_before``), the later ones follow it at the new interval."""
        if self._base_time > now:
            waiting = self._base_ticket
        elif self._interval > 0:
            waiting = self._base_ticket + math.floor((now - self._base_time) / self._interval) + 1
        else:
            waiting = self._next_ticket
        waiting = min(waiting, self._next_ticket)
        self._base_time = max(self._time_of(waiting), now, not_before)
        self._base_ticket = waiting
        self._interval = interval

    def _admitted_rate(self, now: float) -> float:
        """Admissions a second over the last ``_HORIZON`` seconds (a whole horizon, even when the
        client is younger: a burst's admissions are not a rate)."""
        count = 0
        for moment in reversed(self._admitted):
            if moment <= now - _HORIZON:
                break
            count += 1
        return count / _HORIZON

    @property
    def interval(self) -> float:
        """Seconds between request starts now (0.0: no pacing)."""
        return self._interval

    def __repr__(self) -> str:
        return f"RateLimitGate(paused_until={self._paused_until!r}, interval={self._interval!r})"
