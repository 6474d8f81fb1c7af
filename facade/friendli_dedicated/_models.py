"""The facade's view of what the API returns: small values that keep the raw response.

The generated models (``friendli_dedicated_api.models``) are exact to the contract; these wrap the
ones users meet most, with plain types (open enums for status and phase, so a new value upstream
never crashes) and the raw JSON alongside. ``EndpointSpec`` subclasses the generated specification,
so its fields and their types are the contract's, and a field added upstream appears with the next
regeneration, with no edit here.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

import attrs

from friendli_dedicated._autoscaling import Autoscaling
from friendli_dedicated._instances import GPU, InstanceOption, UnlistedInstanceOption
from friendli_dedicated._parsing import Malformed, from_generated
from friendli_dedicated.errors import FriendliError
from friendli_dedicated_api.models import DedicatedEndpointSpec, DeploymentPhase, ErrorCode, Status
from friendli_dedicated_api.types import Unset

__all__ = ["DeploymentPhase", "EndpointSpec", "EndpointState", "EndpointVersion", "ErrorCode", "Status"]

# Status, DeploymentPhase and ErrorCode are the generated open enums themselves, generated under
# these names (scripts/pipeline/codegen.yaml's class_overrides), so their members show as
# <Status.RUNNING: 'RUNNING'>.


@attrs.frozen
class EndpointState:
    """An endpoint's status as last seen: ``status``, ``phase``, ``error_code`` and timestamps.

    >>> state = EndpointState.from_json({"status": "RUNNING", "createdAt": "2025-01-01T00:00:00Z"})
    >>> state.status is Status.RUNNING, state.is_serving
    (True, True)
    """

    status: Status
    phase: DeploymentPhase | None = None
    error_code: ErrorCode | None = None
    created_at: dt.datetime | None = None
    updated_at: dt.datetime | None = None
    raw: Mapping[str, Any] = attrs.field(factory=dict, repr=False, eq=False)
    """The JSON object as received, unknown fields included (treat it as read-only)."""

    @property
    def is_serving(self) -> bool:
        """RUNNING (or READY, which the API also uses for a serving endpoint)."""
        return self.status in (Status.RUNNING, Status.READY)

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> EndpointState:
        """Build from a DedicatedEndpointStatus JSON object; raises ``Malformed`` if it is not one.

        The transport turns ``Malformed`` into ``ResponseFormatError``.
        """
        if not isinstance(data, Mapping):
            raise Malformed(f"expected a status object, got {type(data).__name__}")
        status = data.get("status")
        if not isinstance(status, str):
            raise Malformed("missing field 'status'" if status is None else f"status is {type(status).__name__}")
        return cls(
            status=Status(status),
            phase=_optional(DeploymentPhase, data.get("phase")),
            error_code=_optional(ErrorCode, data.get("errorCode")),
            created_at=_timestamp(data.get("createdAt")),
            updated_at=_timestamp(data.get("updatedAt")),
            raw=data,
        )


def _optional(enum: Any, value: object) -> Any:
    if value is None:
        return None
    if not isinstance(value, str):
        raise Malformed(f"expected a string or null, got {type(value).__name__}")
    return enum(value)


def _timestamp(value: object) -> dt.datetime | None:
    if value is None:
        return None
    if not isinstance(value, str):
        raise Malformed(f"expected an ISO 8601 timestamp, got {type(value).__name__}")
    try:
        # The C parser covers what the API sends ("2025-01-01T00:00:00Z") at a fraction of the cost.
        return dt.datetime.fromisoformat(value)
    except ValueError:
        pass
    from dateutil.parser import isoparse  # lazily: other ISO 8601 forms, rarely needed

    try:
        return isoparse(value)
    except (ValueError, OverflowError) as exc:
        raise Malformed(f"{value[:40]!r} is not an ISO 8601 timestamp ({type(exc).__name__})") from None


# Attributes of the generated model that are plumbing, not the endpoint's specification.
_NOT_SHOWN = frozenset({"additional_properties", "raw"})


@attrs.define(repr=False)
class EndpointSpec(DedicatedEndpointSpec):
    """An endpoint's specification: what ``client.endpoints.get`` and ``update``, ``Endpoint.spec()``
    and each ``EndpointVersion`` return.

    The fields are the generated ``DedicatedEndpointSpec``'s (this class subclasses it): ``name``,
    ``project_id``, ``gpu_type``, ``num_gpu``, ``instance_id``, ``autoscaling_min``/``_max``/
    ``_cooldown``, ``max_batch_size`` and the other engine options, the replica counts, ... A field
    the response left out is ``UNSET`` (``friendli_dedicated_api.types.Unset``) and is not shown in
    the ``repr``. ``instance`` and ``autoscaling`` read them as the facade's values, ``raw`` is the
    JSON as received (fields the pinned contract does not list included), and ``to_dict()`` gives
    the contract's camelCase JSON.

    >>> ep = client.endpoints.create("proj", "chat", "org/model", "2x H100", max_batch_size=64)
    >>> spec = client.endpoints.get(ep.id)
    >>> spec
    EndpointSpec(name='chat', gpu_type='NVIDIA H100', num_gpu=2, project_id='proj', ..., max_batch_size=64, ...)
    >>> spec.instance == fd.InstanceOption(fd.GPU.H100, 2), spec.to_dict()["maxBatchSize"], spec.raw["numGpu"]
    (True, 64, 2)
    """

    raw: Mapping[str, Any] = attrs.field(factory=dict, eq=False, kw_only=True)
    """The JSON object as received, unknown fields included (treat it as read-only)."""

    @classmethod
    def from_json(cls, data: Mapping[str, Any], what: str = "endpoint specification") -> EndpointSpec:
        """Build from a ``DedicatedEndpointSpec`` JSON object; raises ``Malformed`` (the transport's
        ``ResponseFormatError``) naming ``what`` if it is not one."""
        spec = from_generated(cls.from_dict, data, what)
        spec.raw = data
        return spec

    @property
    def instance(self) -> InstanceOption | UnlistedInstanceOption | None:
        """The instance option it runs on, as ``create`` and ``update`` take it: from ``instance_id``
        (an id the pinned contract does not list gives an ``UnlistedInstanceOption``), else from
        ``gpu_type`` and ``num_gpu``; None when neither names an option.

        >>> ep = client.endpoints.create("proj", "chat", "org/model", fd.InstanceOption(fd.GPU.H100, 2))
        >>> str(ep.spec().instance)
        '2x NVIDIA H100'
        """
        option_id = self.instance_id
        if isinstance(option_id, str):
            try:
                return InstanceOption.from_id(option_id)
            except FriendliError:
                pass
            try:
                return UnlistedInstanceOption(option_id)
            except FriendliError:
                return None
        try:
            return InstanceOption(GPU(self.gpu_type), self.num_gpu)
        except (ValueError, FriendliError):  # a GPU, or a combination, the pinned contract does not list
            return None

    @property
    def autoscaling(self) -> Autoscaling | None:
        """How it scales, as the ``Autoscaling`` that asks for it: ``Autoscaling.fixed(n)`` when the
        minimum and maximum are both n and the cooldown 0, else the policy; None when the values are
        ones ``Autoscaling`` refuses (outside the pinned contract's bounds).

        >>> ep = client.endpoints.create("proj", "chat", "org/model", "H100", autoscaling=fd.Autoscaling.fixed(3))
        >>> ep.spec().autoscaling
        Autoscaling.fixed(3)
        """
        low, high, cooldown = self.autoscaling_min, self.autoscaling_max, self.autoscaling_cooldown
        try:
            if low == high and cooldown == 0:
                return Autoscaling.fixed(low)
            return Autoscaling(min_replicas=low, max_replicas=high, cooldown=cooldown)
        except FriendliError:
            return None

    def __repr__(self) -> str:
        fields = ((field.name, getattr(self, field.name)) for field in attrs.fields(type(self)))
        shown = ", ".join(f"{name}={value!r}" for name, value in fields if not _hidden(name, value))
        return f"{type(self).__name__}({shown})"


def _hidden(name: str, value: object) -> bool:
    return name in _NOT_SHOWN or isinstance(value, Unset)


@attrs.frozen
class EndpointVersion:
    """One entry of an endpoint's version history: the version's id and its specification.

    >>> ep = client.endpoints.create("proj", "chat", "org/model", "H100")
    >>> _ = client.endpoints.update(ep.id, name="chat-v2")
    >>> [(version.version_id, version.spec.name) for version in client.endpoints.versions(ep.id)]
    [('v1', 'chat'), ('v2', 'chat-v2')]
    """

    version_id: str
    spec: EndpointSpec
