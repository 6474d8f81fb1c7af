"""The client's rate-limit gate: one pause for every request after a 429, then a pace learned from refusals."""

from __future__ import annotations

import pytest

from friendli_dedicated._gate import RateLimitGate


def test_an_untouched_gate_never_delays() -> None:
    gate = RateLimitGate()
    assert [gate.wait(now=float(t), deadline=1e9) for t in range(5)] == [0.0] * 5
    assert gate.interval == 0.0


def test_a_refusal_pauses_everyone_then_paces_them() -> None:
    gate = RateLimitGate()
    gate.refused(now=10.0, pause=0.5)
    # Three requests arrive at once: the first goes when the pause ends, the others one interval apart.
    assert [gate.wait(now=10.0, deadline=100.0) for _ in range(3)] == pytest.approx([0.5, 1.0, 1.5])


def test_refusals_of_requests_already_in_flight_slow_the_pace_once() -> None:
    gate = RateLimitGate()
    gate.refused(now=1.0, pause=0.2, scheduled_at=0.9)
    first = gate.interval
    for n in range(10):  # a burst of 429s for requests sent before the first one came back
        gate.refused(now=1.5 + n, pause=0.2, scheduled_at=0.95)
    assert gate.interval == first
    gate.refused(
        now=20.0, pause=0.2, scheduled_at=19.9
    )  # a request given its turn at the slower pace, refused: slower again
    assert gate.interval == pytest.approx(2 * first)


def test_successes_quicken_the_pace_until_there_is_none() -> None:
    gate = RateLimitGate()
    gate.refused(now=0.0, pause=0.02)
    intervals = []
    for _ in range(1000):
        gate.accepted()
        intervals.append(gate.interval)
    assert intervals[0] == pytest.approx(0.02 * 0.995)
    assert intervals == sorted(intervals, reverse=True)
    assert intervals[-1] == 0.0


def test_a_turn_after_the_deadline_is_refused_and_not_taken() -> None:
    gate = RateLimitGate()
    gate.refused(now=0.0, pause=5.0)
    assert gate.wait(now=0.0, deadline=4.0) is None
    assert gate.wait(now=0.0, deadline=60.0) == 5.0  # the slot the refused caller did not take


def test_the_pace_never_drops_below_one_request_a_second() -> None:
    gate = RateLimitGate()
    for episode in range(50):  # 429s at random, not from a rate: each for a request sent after the last
        gate.refused(now=10.0 * episode, pause=0.05, scheduled_at=10.0 * episode - 0.01)
    assert gate.interval == 1.0


def test_the_pace_after_a_refusal_is_half_the_rate_the_client_was_sending_at() -> None:
    gate = RateLimitGate()
    for n in range(100):  # 200 requests a second, unpaced
        assert gate.wait(now=n * 0.005, deadline=1e9) == 0.0
    gate.refused(now=0.5, pause=1.0, scheduled_at=0.49)
    assert gate.interval == pytest.approx(0.010)  # 100 a second, not the one a second the pause suggests
    assert gate.wait(now=0.5, deadline=1e9) == pytest.approx(1.0)  # the pause is still honoured
    assert gate.wait(now=0.5, deadline=1e9) == pytest.approx(1.010)


def test_without_a_measurable_rate_the_servers_pause_sets_the_pace() -> None:
    gate = RateLimitGate()
    for _ in range(3):  # all at one instant (a manual clock): no rate to measure
        gate.wait(now=3.0, deadline=1e9)
    gate.refused(now=3.0, pause=1.0, scheduled_at=3.0)
    assert gate.interval == pytest.approx(1.0)


def test_turns_given_before_a_slowdown_are_given_again_at_the_new_pace() -> None:
    gate = RateLimitGate()
    gate.refused(now=0.0, pause=0.0)  # paced: one request per millisecond... at first
    backlog = [gate.wait(now=0.0, deadline=1e9) for _ in range(5)]  # turns up to 4 ms ahead
    assert backlog == pytest.approx([0.0, 0.001, 0.002, 0.003, 0.004])
    assert not gate.slowed_since(0.0)
    gate.refused(now=0.0015, pause=0.01, scheduled_at=0.0)  # a request of this pace is refused: slower
    assert gate.slowed_since(0.0)  # so the holders of the backlog take new turns when they wake
    assert gate.wait(now=0.002, deadline=1e9) == pytest.approx(0.0095)  # after the pause, not after the backlog
    assert not gate.slowed_since(0.002)
