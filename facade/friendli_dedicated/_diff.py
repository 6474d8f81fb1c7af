"""Comparing one desired endpoint with what exists: which fields change, which cannot be compared, which
the file stopped managing. Free of I/O; ``_planner`` feeds it what it read.

What can be compared, and with what:

- the fields an endpoint's specification reports (``READABLE``): the instance, the autoscaling
  bounds, and the engine options the generated ``DedicatedEndpointSpec`` has a field for (read from
  the generated model: an option the specification starts to report upstream becomes readable with
  the next regeneration) are compared with the specification;
- the others (the model repository and revision, the engine options the specification does not
  report) are compared with the value the state record says was last applied to that endpoint (the
  same id), and are *unknown* when it does not say (an endpoint adopted, or made outside): the plan
  never says "no change" for them;
- the replica counts the autoscaler moves (``curr_replica_cnt`` and its kin) are never compared;
- ``delete_protection`` is the state record's alone: it changes no request.

>>> same(True, 1), same(64, 64)
(False, True)
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from typing import Any

import attrs

from friendli_dedicated._desired import DesiredEndpoint, instance_text
from friendli_dedicated._engine import OPTIONS
from friendli_dedicated._instances import InstanceOption, UnlistedInstanceOption
from friendli_dedicated._models import EndpointSpec
from friendli_dedicated._state import StateEntry
from friendli_dedicated_api.models import DedicatedEndpointSpec
from friendli_dedicated_api.types import Unset

__all__ = [
    "READABLE",
    "READABLE_ENGINE",
    "RECORD_ONLY",
    "Comparison",
    "applied_values",
    "compare",
    "fingerprint",
    "observed",
    "same",
    "shown_value",
]

_SPEC_FIELDS = frozenset(field.name for field in attrs.fields(DedicatedEndpointSpec))
READABLE_ENGINE: tuple[str, ...] = tuple(name for name in OPTIONS if name in _SPEC_FIELDS)
"""The engine options an endpoint's specification reports (the others are compared with the record)."""
READABLE = frozenset(
    {"instance", "autoscaling.min", "autoscaling.max", "autoscaling.cooldown"}
    | {f"engine.{name}" for name in READABLE_ENGINE}
)
"""The fields compared with the endpoint's specification."""
RECORD_ONLY = frozenset({"delete_protection"})
"""Fields of the state record alone: they change no request."""


def same(left: object, right: object) -> bool:
    """Equal as JSON values are: ``True`` is not ``1``."""
    if isinstance(left, bool) or isinstance(right, bool):
        return left is right
    return left == right


def shown_value(field: str, value: Any) -> Any:
    """A field's value as plans and the record show it (JSON): an instance as the file writes it."""
    if field == "instance" and isinstance(value, InstanceOption | UnlistedInstanceOption):
        return instance_text(value)
    return value


def applied_values(desired: DesiredEndpoint) -> dict[str, Any]:
    """What the record keeps once ``desired`` is applied: its fields, as shown."""
    return {field: shown_value(field, value) for field, value in desired.fields().items()}


def observed(spec: EndpointSpec) -> dict[str, Any]:
    """The readable fields of a specification, as shown (a field it leaves out is absent)."""
    fields: dict[str, Any] = {}
    option = spec.instance
    if option is not None:
        fields["instance"] = instance_text(option)
    for field, value in (
        ("autoscaling.min", spec.autoscaling_min),
        ("autoscaling.max", spec.autoscaling_max),
        ("autoscaling.cooldown", spec.autoscaling_cooldown),
    ):
        if not isinstance(value, Unset):
            fields[field] = value
    for name in READABLE_ENGINE:
        value = getattr(spec, name)
        if not isinstance(value, Unset):
            fields[f"engine.{name}"] = value
    return fields


def fingerprint(spec: EndpointSpec) -> str:
    """What a plan notes of a specification it planned against: its name, project and readable fields
    (not the replica counts, which the autoscaler moves)."""
    basis = {"name": spec.name, "project_id": spec.project_id, **observed(spec)}
    return hashlib.sha256(json.dumps(basis, sort_keys=True, default=str).encode()).hexdigest()[:32]


@attrs.frozen
class Comparison:
    """How a desired endpoint differs from an existing one.

    - ``changes``: field -> (old, new) for every field to send (old None where it is unknown);
    - ``unknown``: the fields among them whose current value could not be read nor recalled;
    - ``released``: fields the record says were managed, no longer in the file: they keep ``value``.
    """

    changes: Mapping[str, tuple[Any, Any]]
    unknown: tuple[str, ...]
    released: Mapping[str, Any]


def compare(desired: DesiredEndpoint, spec: EndpointSpec, entry: StateEntry | None) -> Comparison:
    """Compare ``desired`` with the endpoint whose specification is ``spec``; ``entry`` is the record's
    entry of that same endpoint (same id), if any."""
    current = observed(spec)
    recorded: Mapping[str, Any] = entry.applied if entry is not None else {}
    changes: dict[str, tuple[Any, Any]] = {}
    unknown: list[str] = []
    wanted = applied_values(desired)
    for field, value in wanted.items():
        if field in READABLE and field in current:
            if field == "instance":
                if not _same_instance(desired, spec):
                    changes[field] = (current[field], value)
            elif not same(current[field], value):
                changes[field] = (current[field], value)
        elif field in recorded:
            if not same(recorded[field], value):
                changes[field] = (recorded[field], value)
        else:
            changes[field] = (None, value)
            unknown.append(field)
    protected_before = entry.delete_protection if entry is not None else False
    if desired.delete_protection != protected_before:
        changes["delete_protection"] = (protected_before, desired.delete_protection)
    released = {
        field: current.get(field, recorded[field]) if field in READABLE else recorded[field]
        for field in recorded
        if field not in wanted
    }
    return Comparison(changes, tuple(unknown), released)


def _same_instance(desired: DesiredEndpoint, spec: EndpointSpec) -> bool:
    option = spec.instance
    return option is not None and option.id == desired.instance.id
