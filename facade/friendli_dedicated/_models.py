"""The facade's view of what the API returns: small frozen values that keep the raw response.

The generated models (``friendli_dedicated_api.models``) are exact to the contract; these wrap the
ones users meet most, with plain types (open enums for status and phase, so a new value upstream
never crashes) and the raw JSON alongside.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

import attrs

from friendli_dedicated._parsing import Malformed
from friendli_dedicated_api.models import (
    DedicatedEndpointSpec,
    DeploymentPhase,
    InferenceDeploymentErrorCode,
    InferenceDeploymentStatus,
)

__all__ = ["DeploymentPhase", "EndpointState", "EndpointVersion", "ErrorCode", "Status"]

Status = InferenceDeploymentStatus
"""The endpoint status (an open enum: unknown values parse, with ``.is_known`` False)."""
ErrorCode = InferenceDeploymentErrorCode
"""Why an endpoint failed (an open enum)."""


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


@attrs.frozen
class EndpointVersion:
    """One entry of an endpoint's version history: the version's id and its specification."""

    version_id: str
    spec: DedicatedEndpointSpec
