"""What an endpoint is billed for: its GPUs' time while it holds replicas, read off its timeline.

An endpoint holds its replicas, and is billed for them, while it is INITIALIZING, RUNNING (or READY),
UPDATING or AWAKING: the statuses in which its specification reports desired replicas
(``BILLED_STATUSES``). SLEEPING, FAILED, TERMINATING, TERMINATED and STOPPING cost nothing. Its GPUs
are its replicas times the GPUs of its instance option.

A timeline (``_lifecycle``) is replaced by every action, so what it said about the past is written
down before: ``usage_between`` turns the span of a timeline since it was last written down into
``Usage`` intervals, and the record keeps them (``EndpointRecord.settle``).

>>> from friendli_dedicated.emulator._lifecycle import Segment
>>> timeline = [Segment(0.0, "INITIALIZING"), Segment(90.0, "RUNNING"), Segment(3600.0, "SLEEPING")]
>>> [(u.start, u.end, u.gpus) for u in usage_between(timeline, 0.0, 7200.0, "NVIDIA H100", 4)]
[(0.0, 3600.0, 4)]
"""

from __future__ import annotations

import attrs

from friendli_dedicated.emulator._lifecycle import Segment

__all__ = ["BILLED_STATUSES", "Usage", "usage_between"]

BILLED_STATUSES = frozenset({"INITIALIZING", "RUNNING", "READY", "UPDATING", "AWAKING"})
"""The statuses in which an endpoint holds its replicas, and is billed for their GPUs."""


@attrs.frozen
class Usage:
    """From ``start`` to ``end`` (clock seconds), ``gpus`` GPUs of ``gpu`` (the contract's GPU name)."""

    start: float
    end: float
    gpu: str
    gpus: int

    def seconds_within(self, start: float, end: float) -> float:
        """GPU-seconds of this usage between ``start`` and ``end``."""
        return max(0.0, min(self.end, end) - max(self.start, start)) * self.gpus


def usage_between(timeline: list[Segment], start: float, end: float, gpu: str, gpus: int) -> list[Usage]:
    """The billed spans of ``timeline`` between ``start`` and ``end``, each with ``gpus`` GPUs of ``gpu``.

    Before its first segment starts, a timeline is in its first segment's status (as ``state_at``
    reads it).
    """
    if end <= start or not timeline or gpus <= 0:
        return []
    found: list[Usage] = []
    for index, segment in enumerate(timeline):
        begins = start if index == 0 else max(start, segment.start)
        ends = end if index + 1 == len(timeline) else min(end, timeline[index + 1].start)
        if ends > begins and segment.status in BILLED_STATUSES:
            if found and found[-1].end == begins:  # one span across phases of one billed stretch
                found[-1] = attrs.evolve(found[-1], end=ends)
            else:
                found.append(Usage(begins, ends, gpu, gpus))
    return found
