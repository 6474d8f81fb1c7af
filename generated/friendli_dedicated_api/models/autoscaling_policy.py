from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Self, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

T = TypeVar("T", bound="AutoscalingPolicy")


@_attrs_define
class AutoscalingPolicy:
    min_replica: int | Unset = 0
    max_replica: int | Unset = 1
    cooldown_period: int | Unset = 300
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        min_replica = self.min_replica

        max_replica = self.max_replica

        cooldown_period = self.cooldown_period

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update({})
        if min_replica is not UNSET:
            field_dict["minReplica"] = min_replica
        if max_replica is not UNSET:
            field_dict["maxReplica"] = max_replica
        if cooldown_period is not UNSET:
            field_dict["cooldownPeriod"] = cooldown_period

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        min_replica = d.pop("minReplica", UNSET)

        max_replica = d.pop("maxReplica", UNSET)

        cooldown_period = d.pop("cooldownPeriod", UNSET)

        autoscaling_policy = cls(
            min_replica=min_replica,
            max_replica=max_replica,
            cooldown_period=cooldown_period,
        )

        autoscaling_policy.additional_properties = d
        return autoscaling_policy

    @property
    def additional_keys(self) -> list[str]:
        return list(self.additional_properties.keys())

    def __getitem__(self, key: str) -> Any:
        return self.additional_properties[key]

    def __setitem__(self, key: str, value: Any) -> None:
        self.additional_properties[key] = value

    def __delitem__(self, key: str) -> None:
        del self.additional_properties[key]

    def __contains__(self, key: str) -> bool:
        return key in self.additional_properties
