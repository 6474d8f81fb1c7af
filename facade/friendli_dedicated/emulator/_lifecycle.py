"""Endpoint lifecycles as timelines: each action plans the states to come, reads pick the current one.

No thread moves an endpoint along: an action (create, update, wake, ...) replaces the planned
future of the endpoint's timeline with new ``Segment`` values (each a status from a moment on),
and reading the endpoint picks the last segment that has started. So time is only the injected
clock, and a manual clock makes every transition instant and exact.

Durations come from ``Timings`` times the emulator's ``time_scale``.

Failures on purpose: a model repo (or W&B artifact) named ``emulator/fail-<ERROR_CODE>``, for any
``InferenceDeploymentErrorCode`` of the contract, deploys normally until the phase where that
error happens and then ends FAILED with that ``errorCode``, its ``phase`` kept as it was:
``WORKLOAD_INIT_*`` codes at the end of DOWNLOADING_MODEL, ``INFERENCE_ENGINE_*`` codes (and any
other) at the end of ENGINE_INITIALIZING. ``fail_transition`` does the same to a transition already
under way (``Emulator.fail``).

>>> plan = deploy(0.0, Timings(), 1.0, failure=None)
>>> [(s.start, s.status, s.phase) for s in plan][-1]
(90.0, 'RUNNING', None)
"""

from __future__ import annotations

import attrs

from friendli_dedicated.emulator._checks import duration

__all__ = [
    "FAIL_PREFIX",
    "TOWARD_RUNNING",
    "Segment",
    "Timings",
    "deploy",
    "fail_transition",
    "failure_phase",
    "next_change",
    "state_at",
]

FAIL_PREFIX = "emulator/fail-"
"""A model named ``emulator/fail-<ERROR_CODE>`` fails on purpose with that error code."""

REQUESTING, DOWNLOADING, ENGINE = "REQUESTING_VIRTUAL_MACHINE", "DOWNLOADING_MODEL", "ENGINE_INITIALIZING"
TOWARD_RUNNING = frozenset({"INITIALIZING", "UPDATING", "AWAKING"})
"""The statuses of a transition that ends RUNNING (a deployment, an update, a wake): the ones that can fail."""


def _non_negative(_instance: object, attribute: attrs.Attribute[float], value: float) -> None:
    duration(value, f"Timings.{attribute.name}")


@attrs.frozen
class Timings:
    """How long each transition takes, in seconds (before ``time_scale``): finite numbers >= 0, or
    ``InvalidInputError`` naming the field.

    >>> Timings(downloading_model=5).downloading_model
    5
    """

    requesting_virtual_machine: float = attrs.field(default=15.0, validator=_non_negative)
    downloading_model: float = attrs.field(default=45.0, validator=_non_negative)
    engine_initializing: float = attrs.field(default=30.0, validator=_non_negative)
    updating: float = attrs.field(default=30.0, validator=_non_negative)
    awaking: float = attrs.field(default=20.0, validator=_non_negative)
    terminating: float = attrs.field(default=10.0, validator=_non_negative)


@attrs.frozen
class Segment:
    """From ``start`` on (clock seconds), the endpoint is ``status`` in ``phase`` with ``error_code``."""

    start: float
    status: str
    phase: str | None = None
    error_code: str | None = None


def failure_phase(error_code: str) -> str:
    """The phase in which ``error_code`` happens.

    >>> failure_phase("WORKLOAD_INIT_DOWNLOAD_ERROR"), failure_phase("INFERENCE_ENGINE_MEMORY_ERROR")
    ('DOWNLOADING_MODEL', 'ENGINE_INITIALIZING')
    """
    return DOWNLOADING if error_code.startswith("WORKLOAD_INIT_") else ENGINE


def deploy(now: float, timings: Timings, scale: float, *, failure: str | None) -> list[Segment]:
    """A fresh deployment (create, restart): INITIALIZING through its phases, then RUNNING or FAILED."""
    t1 = now + timings.requesting_virtual_machine * scale
    t2 = t1 + timings.downloading_model * scale
    t3 = t2 + timings.engine_initializing * scale
    plan = [Segment(now, "INITIALIZING", REQUESTING), Segment(t1, "INITIALIZING", DOWNLOADING)]
    if failure is not None and failure_phase(failure) == DOWNLOADING:
        return [*plan, Segment(t2, "FAILED", DOWNLOADING, failure)]
    plan.append(Segment(t2, "INITIALIZING", ENGINE))
    if failure is not None:
        return [*plan, Segment(t3, "FAILED", ENGINE, failure)]
    return [*plan, Segment(t3, "RUNNING")]


def transition(now: float, status: str, duration: float, then: str, *, failure: str | None = None) -> list[Segment]:
    """``status`` now, then ``then`` (or FAILED with ``failure``, in its phase) after ``duration``."""
    if failure is not None:
        return [Segment(now, status), Segment(now + duration, "FAILED", failure_phase(failure), failure)]
    return [Segment(now, status), Segment(now + duration, then)]


def with_cooldown(plan: list[Segment], cooldown: float | None) -> list[Segment]:
    """Scale to zero: SLEEPING ``cooldown`` seconds after the plan reaches RUNNING (None: never)."""
    if cooldown is None or not plan or plan[-1].status != "RUNNING":
        return plan
    return [*plan, Segment(plan[-1].start + cooldown, "SLEEPING")]


def state_at(timeline: list[Segment], now: float) -> Segment:
    """The segment in force at ``now``: the last one that has started (the first if none has)."""
    current = timeline[0]
    for segment in timeline:
        if segment.start <= now:
            current = segment
        else:
            break
    return current


def _current_index(timeline: list[Segment], now: float) -> int:
    index = 0
    for position, segment in enumerate(timeline):
        if segment.start > now:
            break
        index = position
    return index


def next_change(timeline: list[Segment], now: float) -> float | None:
    """When the next planned segment starts (after ``now``), or None if nothing is planned.

    >>> next_change(deploy(0.0, Timings(), 1.0, failure=None), 20.0)
    60.0
    """
    for segment in timeline:
        if segment.start > now:
            return segment.start
    return None


def fail_transition(
    timeline: list[Segment], now: float, error_code: str, phase: str | None, *, fresh: bool = False
) -> list[Segment] | None:
    """``timeline`` with its transition under way at ``now`` ending FAILED with ``error_code``; None if none is.

    Only a transition toward RUNNING fails (``TOWARD_RUNNING``: a deployment, an update, a wake);
    terminating and falling asleep do not. Where it fails: at the end of ``phase`` (default: the
    code's phase, ``failure_phase``) if the transition still has that phase to go through, as a
    model named ``emulator/fail-<ERROR_CODE>`` would; otherwise (the phase is past, or the
    transition has no phases, as an update) at the end of its current step, reported in ``phase``
    if given, else in the phase it is in, else in the code's phase. What was planned after is dropped.
    ``fresh``: ``timeline`` is a plan just made at ``now``, failed from its first step.

    >>> plan = deploy(0.0, Timings(), 1.0, failure=None)
    >>> fail_transition(plan, 20.0, "WORKLOAD_INIT_DOWNLOAD_ERROR", None)[-1]
    Segment(start=60.0, status='FAILED', phase='DOWNLOADING_MODEL', error_code='WORKLOAD_INIT_DOWNLOAD_ERROR')
    >>> fail_transition(plan, 70.0, "WORKLOAD_INIT_DOWNLOAD_ERROR", None)[-1].phase  # past it: where it is
    'ENGINE_INITIALIZING'
    >>> fail_transition(plan, 95.0, "WORKLOAD_INIT_DOWNLOAD_ERROR", None) is None  # RUNNING: nothing under way
    True
    """
    if not timeline:
        return None
    # A plan just made (``fresh``) is failed from its first step, even if its steps take no time.
    index = 0 if fresh else _current_index(timeline, now)
    current = timeline[index]
    if current.status not in TOWARD_RUNNING or (current.start > now and not fresh):
        return None
    end = index + 1  # the first segment of another status: where the transition ends
    while end < len(timeline) and timeline[end].status == current.status:
        end += 1
    if end == len(timeline):
        return None  # nothing planned after it: not a transition (a plan always has an end)
    wanted = phase if phase is not None else failure_phase(error_code)
    ahead = [position for position in range(index, end) if timeline[position].phase == wanted]
    if ahead:
        stop, reported = ahead[-1] + 1, wanted
    else:
        stop, reported = index + 1, phase or current.phase or failure_phase(error_code)
    return [*timeline[:stop], Segment(timeline[stop].start, "FAILED", reported, error_code)]
