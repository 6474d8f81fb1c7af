"""Endpoints as the emulator records them (``EndpointRecord``), and their JSON as the contract spells it.

An ``EndpointRecord`` holds what a request configured (instance option, model, scaling, engine
options), the lifecycle timeline, the version history, and the GPU time it was billed for
(``usage``). ``status_json`` and ``spec_json`` render ``DedicatedEndpointStatus`` and
``DedicatedEndpointSpec`` with only the contract's fields.

Whatever changes the timeline or what the endpoint runs on goes through ``replan`` or ``settle``
first, which write down the GPU time of the timeline so far (``_metering``): a timeline is replaced
by every action, and its past would otherwise be lost to the bill.

>>> iso(0.0)
'1970-01-01T00:00:00.000Z'
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import attrs

from friendli_dedicated.emulator._lifecycle import Segment, state_at
from friendli_dedicated.emulator._metering import BILLED_STATUSES, Usage, usage_between

__all__ = ["DEFAULT_MAX_BATCH_SIZE", "EndpointRecord", "Scaling", "iso"]

DEFAULT_MAX_BATCH_SIZE = 256
"""``maxBatchSize`` reported when the request left ``advanced.max_batch_size`` unset."""


def iso(seconds: float) -> str:
    """Seconds since the epoch as an ISO 8601 UTC timestamp with milliseconds."""
    moment = dt.datetime.fromtimestamp(seconds, dt.UTC)
    return moment.isoformat(timespec="milliseconds").replace("+00:00", "Z")


@attrs.frozen
class Scaling:
    """Either a fixed replica count (``replicas``) or an autoscaling policy (min, max, cooldown)."""

    replicas: int | None = 1
    minimum: int = 1
    maximum: int = 1
    cooldown: int = 0

    @classmethod
    def fixed(cls, replicas: int) -> Scaling:
        return cls(replicas=replicas, minimum=replicas, maximum=replicas, cooldown=0)

    @classmethod
    def policy(cls, body: dict[str, Any]) -> Scaling:
        return cls(
            replicas=None,
            minimum=int(body.get("minReplica", 0)),
            maximum=int(body.get("maxReplica", 1)),
            cooldown=int(body.get("cooldownPeriod", 300)),
        )

    @property
    def scales_to_zero(self) -> bool:
        """Whether it sleeps by itself after its cooldown (a policy with minimum 0)."""
        return self.replicas is None and self.minimum == 0


@attrs.define
class Version:
    seq: int
    version_id: str
    spec: dict[str, Any]
    comment: str | None


@attrs.define
class EndpointRecord:
    """One endpoint: identity, configuration, lifecycle timeline, version history, an armed failure."""

    endpoint_id: str
    seq: int
    team: str
    creator: str
    created_at: float
    project: str
    name: str
    instance_option: str
    gpu: str
    num_gpu: int
    model: str
    revision: str | None
    scaling: Scaling
    advanced: dict[str, Any]
    timeline: list[Segment]
    versions: list[Version] = attrs.field(factory=list)
    versions_made: int = 0
    armed_failure: tuple[str, str | None] | None = None
    """(error code, phase or None) that the next transition ends with (``Emulator.fail``), if any."""
    billed: list[Usage] = attrs.field(factory=list)
    """The GPU time written down so far (``settle``), up to ``billed_until``."""
    billed_until: float | None = None

    def current(self, now: float) -> Segment:
        return state_at(self.timeline, now)

    @property
    def replicas(self) -> int:
        """The replicas it holds while deployed: its fixed count, or its policy's minimum (at least 1)."""
        return self.scaling.replicas if self.scaling.replicas is not None else max(self.scaling.minimum, 1)

    def _since(self) -> float:
        return self.created_at if self.billed_until is None else self.billed_until

    def _pending(self, now: float) -> list[Usage]:
        return usage_between(self.timeline, self._since(), now, self.gpu, self.replicas * self.num_gpu)

    def settle(self, now: float) -> None:
        """Write down the GPU time of the timeline up to ``now``, with the replicas and GPUs it has now:
        call it before changing either, or the timeline."""
        if now > self._since():
            self.billed.extend(self._pending(now))
            self.billed_until = now

    def replan(self, now: float, timeline: list[Segment]) -> None:
        """Make ``timeline`` the endpoint's, its GPU time so far written down first."""
        self.settle(now)
        self.timeline = timeline

    def usage(self, now: float) -> list[Usage]:
        """Its GPU time up to ``now``: what was written down, and what the timeline says since."""
        return [*self.billed, *self._pending(now)]

    def status_json(self, now: float) -> dict[str, Any]:
        """``DedicatedEndpointStatus``: status, errorCode, createdAt, updatedAt, phase."""
        segment = self.current(now)
        return {
            "status": segment.status,
            "errorCode": segment.error_code,
            "createdAt": iso(self.created_at),
            "updatedAt": iso(max(segment.start, self.created_at)),
            "phase": segment.phase,
        }

    def spec_json(self, now: float | None) -> dict[str, Any]:
        """``DedicatedEndpointSpec``; with ``now``, the replica counts of that moment, else null."""
        counts: dict[str, int | None] = {"currReplicaCnt": None, "desiredReplicaCnt": None, "updatedReplicaCnt": None}
        if now is not None:
            status = self.current(now).status
            desired = self.replicas if status in BILLED_STATUSES else 0  # what it is billed for
            current = desired if status == "RUNNING" else 0
            counts = {"currReplicaCnt": current, "desiredReplicaCnt": desired, "updatedReplicaCnt": current}
        return {
            "name": self.name,
            "gpuType": self.gpu,
            "numGpu": self.num_gpu,
            "instanceId": self.instance_option,
            "projectId": self.project,
            "creatorId": self.creator,
            "teamId": self.team,
            "autoscalingMin": self.scaling.minimum,
            "autoscalingMax": self.scaling.maximum,
            "autoscalingCooldown": self.scaling.cooldown,
            "maxBatchSize": self.advanced.get("max_batch_size") or DEFAULT_MAX_BATCH_SIZE,
            "maxInputLength": self.advanced.get("max_input_length"),
            "maxContextLength": self.advanced.get("max_context_length"),
            "tokenizerSkipSpecialTokens": bool(self.advanced.get("tokenizer_skip_special_tokens", True)),
            "tokenizerAddSpecialTokens": bool(self.advanced.get("tokenizer_add_special_tokens", True)),
            **counts,
        }

    def add_version(self, seq: int, comment: str | None) -> None:
        """Record the current configuration as a new entry of the version history."""
        self.versions_made += 1
        self.versions.append(Version(seq, f"v{self.versions_made}", self.spec_json(None), comment))
