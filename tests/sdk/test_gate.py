"""The client's rate-limit gate: one pause for every request after a 429, then numbered turns at a pace
learned from refusals and admissions (I/O-free: every test drives it with explicit times)."""

from __future__ import annotations

import math
from typing import Any

import pytest

from friendli_dedicated._gate import RateLimitGate

FAR = 1e9  # a deadline that never matters


class _NoLock:
    def __enter__(self) -> Any:
        raise AssertionError("the common case took the lock")

    def __exit__(self, *_: object) -> None:
        pass


def went_at(gate: RateLimitGate, ticket: int, now: float, wait: float) -> float:
    """When the holder of ``ticket`` goes: it waits as told, then looks again until its turn has come."""
    while wait > 0:
        now += wait
        looked = gate.recheck(ticket, now=now, deadline=FAR)
        assert looked is not None
        wait = looked
    return now


def starts(gate: RateLimitGate, now: float, count: int) -> list[float]:
    """Seconds from ``now`` until each of ``count`` requests arriving at ``now`` goes."""
    turns = [gate.take(now=now, deadline=FAR) for _ in range(count)]
    return [went_at(gate, turn[1], now, turn[0]) - now for turn in turns if turn is not None]


def admitted(gate: RateLimitGate, times: list[float]) -> None:
    for moment in times:
        gate.accepted(now=moment, paced=False)


def busy_successes(gate: RateLimitGate, now: float, count: int) -> list[float]:
    """``count`` successes while turns are queued (the client uses its pace); the intervals after each."""
    intervals = []
    for _ in range(count):
        gate.take(now=now, deadline=FAR)
        gate.accepted(now=now, paced=True)
        intervals.append(gate.interval)
    return intervals


def test_an_untouched_gate_never_delays_and_takes_no_lock() -> None:
    gate = RateLimitGate()
    gate._lock = _NoLock()  # type: ignore[assignment]
    assert [gate.take(now=float(t), deadline=FAR) for t in range(5)] == [(0.0, -1)] * 5
    admitted(gate, [0.0, 1.0, 2.0])
    assert gate.interval == 0.0


def test_a_refusal_pauses_everyone_then_paces_them() -> None:
    gate = RateLimitGate()
    gate.refused(now=10.0, pause=0.5)  # nothing admitted before: the pause is the hint of the pace
    # Three requests arrive at once: the first goes when the pause ends, the others one interval apart.
    assert starts(gate, 10.0, 3) == pytest.approx([0.5, 1.0, 1.5])


def test_the_first_pace_is_just_under_the_rate_the_server_admitted() -> None:
    gate = RateLimitGate()
    admitted(gate, [0.0] * 50)  # a burst: 50 admitted at one instant (a manual clock), then a 429
    gate.refused(now=0.0, pause=0.02)
    assert gate.interval == pytest.approx(1 / 45)  # 90% of the 50 a second admitted, not one a second
    burst = RateLimitGate()
    admitted(burst, [n * 0.001 for n in range(100)])  # 100 admitted in 0.1 s: a whole second counts
    burst.refused(now=0.1, pause=0.01)
    assert burst.interval == pytest.approx(1 / 90)


def test_without_an_admission_the_servers_pause_sets_the_pace() -> None:
    gate = RateLimitGate()
    gate.refused(now=3.0, pause=1.0)
    assert gate.interval == pytest.approx(1.0)


def test_refusals_of_turns_given_before_the_slowdown_slow_the_pace_once() -> None:
    gate = RateLimitGate()
    before = gate.epoch
    gate.refused(now=1.0, pause=0.2, epoch=before)
    first = gate.interval
    for n in range(10):  # a burst of 429s for requests sent before the first one came back
        gate.refused(now=1.5 + n, pause=0.2, epoch=before)
    assert gate.interval == first
    gate.refused(now=20.0, pause=0.2, epoch=gate.epoch)  # a turn given at the slower pace, refused
    assert gate.interval == pytest.approx(first / 0.9)  # 10% slower, not half


def test_refusals_within_a_round_trip_of_the_slowdown_do_not_slow_it_again() -> None:
    # Requests sent just after a slowdown may reach the server behind requests sent before it (queued
    # for a pooled connection): the server refuses them for those requests' sake, not for the pace's.
    gate = RateLimitGate()
    gate.refused(now=0.0, pause=0.1)
    gate.refused(now=1.0, pause=0.01, epoch=gate.epoch, sent_at=0.7)  # its round trip: 0.3 s
    slowed = gate.interval
    gate.refused(now=1.2, pause=0.01, epoch=gate.epoch, sent_at=1.15)  # sent 0.15 s after it
    assert gate.interval == slowed
    gate.refused(now=1.5, pause=0.01, epoch=gate.epoch, sent_at=1.3)  # sent a round trip after it
    assert gate.interval == pytest.approx(slowed / 0.9)


def test_far_beyond_the_limit_one_slowdown_falls_to_the_rate_admitted() -> None:
    gate = RateLimitGate()
    gate.refused(now=0.0, pause=0.005)  # paced at 200 a second, a pace far beyond the limit
    # The server admitted 49 in the second since: at most the limit, plus the one admission the
    # bucket may have held then. So the limit is at most 50 a second.
    admitted(gate, [n * 0.02 for n in range(1, 50)])
    gate.refused(now=1.0, pause=0.02, epoch=gate.epoch)
    assert gate.interval == pytest.approx(1 / 45)  # one step to 90% of it, not ten steps of 10%


def test_successes_bring_the_pace_back_to_the_one_refused_then_beyond() -> None:
    gate = RateLimitGate()
    admitted(gate, [0.0] * 50)
    gate.refused(now=0.0, pause=0.02)  # 50 a second refused: 45 a second now
    intervals = busy_successes(gate, 5.0, 300)
    rates = [1 / interval for interval in intervals]
    assert rates == sorted(rates)
    # Back at 50 a second after 100 successes (two seconds' worth), slowly near it, faster beyond.
    assert rates[99] == pytest.approx(50.0)
    assert rates[89] - rates[79] < rates[19] - rates[9]
    assert rates[199] == pytest.approx(55.0)
    assert rates[299] == pytest.approx(90.0)


def test_a_pace_the_client_does_not_use_does_not_grow() -> None:
    gate = RateLimitGate()
    gate.refused(now=0.0, pause=0.1)
    slow = gate.interval
    # One request at a time, each long after the turn it could have had: the pace is not what limits
    # them, so their successes say nothing of the limit.
    for n in range(1, 500):
        assert gate.take(now=float(n), deadline=FAR) == (0.0, n - 1)
        gate.accepted(now=n + 0.01, paced=False)
    assert gate.interval == slow


def test_pacing_is_dropped_when_it_is_far_beyond_any_limit_met() -> None:
    gate = RateLimitGate()
    gate.refused(now=0.0, pause=0.02)
    intervals = busy_successes(gate, 1.0, 2000)
    assert intervals[-1] == 0.0
    gate._lock = _NoLock()  # type: ignore[assignment]
    assert gate.take(now=1000.0, deadline=FAR) == (0.0, -1)  # lock-free again


def test_a_slowdown_keeps_the_order_of_the_turns_given() -> None:
    gate = RateLimitGate()
    gate.refused(now=0.0, pause=0.1)  # one request every 0.1 s
    turns = [gate.take(now=0.0, deadline=FAR) for _ in range(3)]
    a, b, c = (turn for turn in turns if turn is not None)
    assert [a[1], b[1], c[1]] == [0, 1, 2]
    assert went_at(gate, 0, 0.0, a[0]) == pytest.approx(0.1)  # a goes, and is refused: slower, after a pause
    gate.refused(now=0.15, pause=0.5, epoch=gate.epoch)
    newcomer = gate.take(now=0.16, deadline=FAR)
    assert newcomer is not None
    # b and c look again and find new turns, still ahead of the newcomer's, at the new pace.
    b_at, c_at = went_at(gate, 1, 0.0, b[0]), went_at(gate, 2, 0.0, c[0])
    newcomer_at = went_at(gate, newcomer[1], 0.16, newcomer[0])
    assert b_at == pytest.approx(0.65)  # when the pause ends
    assert [c_at - b_at, newcomer_at - c_at] == pytest.approx([0.1 / 0.9] * 2)


def test_a_turn_comes_sooner_when_the_pace_quickens_while_its_holder_waits() -> None:
    gate = RateLimitGate()
    admitted(gate, [0.0] * 50)
    gate.refused(now=0.0, pause=0.02)
    turns = [gate.take(now=0.0, deadline=FAR) for _ in range(200)]
    last = turns[-1]
    assert last is not None
    planned = 0.02 + 199 / 45  # 199 turns after the pause's end, at 45 a second
    assert last[0] == pytest.approx(planned / 2)  # it looks again halfway, not only at the planned time
    for moment in [0.5, 1.0, 1.5]:  # meanwhile the pace quickens
        for _ in range(40):
            gate.accepted(now=moment, paced=True)
    assert went_at(gate, last[1], 0.0, last[0]) < planned - 0.2


def test_a_turn_after_the_deadline_is_refused_and_not_taken() -> None:
    gate = RateLimitGate()
    gate.refused(now=0.0, pause=5.0)
    assert gate.take(now=0.0, deadline=4.0) is None
    assert gate.take(now=0.0, deadline=60.0) == (5.0, 0)  # the turn the refused caller did not take


def test_a_turn_that_a_slowdown_moves_past_the_deadline_is_given_up() -> None:
    gate = RateLimitGate()
    gate.refused(now=0.0, pause=0.5)
    assert gate.take(now=0.0, deadline=2.0) == (0.5, 0)
    gate.refused(now=0.1, pause=3.0, epoch=gate.epoch)
    assert gate.recheck(0, now=0.5, deadline=2.0) is None
    assert gate.recheck(0, now=0.5, deadline=10.0) == pytest.approx(2.6)


def test_the_pace_never_drops_below_one_request_a_second() -> None:
    gate = RateLimitGate()
    for episode in range(50):  # 429s at random, not from a rate: each for a turn given after the last
        gate.refused(now=10.0 * episode, pause=0.05, epoch=gate.epoch)
    assert gate.interval == 1.0


def test_a_refusal_with_no_pause_and_no_rate_still_paces() -> None:
    gate = RateLimitGate()
    gate.refused(now=0.0, pause=0.0)
    assert gate.interval == pytest.approx(0.001)  # the fastest pace: never a burst, never "no pace"
    assert not math.isnan(gate.interval)
