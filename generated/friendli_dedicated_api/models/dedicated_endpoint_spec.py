from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Self, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

T = TypeVar("T", bound="DedicatedEndpointSpec")


@_attrs_define
class DedicatedEndpointSpec:
    name: str
    gpu_type: str
    num_gpu: int
    project_id: str
    creator_id: str
    team_id: str
    autoscaling_min: int
    autoscaling_max: int
    autoscaling_cooldown: int
    max_batch_size: int
    tokenizer_skip_special_tokens: bool
    tokenizer_add_special_tokens: bool
    instance_id: None | str | Unset = UNSET
    max_input_length: int | None | Unset = UNSET
    max_context_length: int | None | Unset = UNSET
    curr_replica_cnt: int | None | Unset = UNSET
    desired_replica_cnt: int | None | Unset = UNSET
    updated_replica_cnt: int | None | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        name = self.name

        gpu_type = self.gpu_type

        num_gpu = self.num_gpu

        project_id = self.project_id

        creator_id = self.creator_id

        team_id = self.team_id

        autoscaling_min = self.autoscaling_min

        autoscaling_max = self.autoscaling_max

        autoscaling_cooldown = self.autoscaling_cooldown

        max_batch_size = self.max_batch_size

        tokenizer_skip_special_tokens = self.tokenizer_skip_special_tokens

        tokenizer_add_special_tokens = self.tokenizer_add_special_tokens

        instance_id: None | str | Unset
        if isinstance(self.instance_id, Unset):
            instance_id = UNSET
        else:
            instance_id = self.instance_id

        max_input_length: int | None | Unset
        if isinstance(self.max_input_length, Unset):
            max_input_length = UNSET
        else:
            max_input_length = self.max_input_length

        max_context_length: int | None | Unset
        if isinstance(self.max_context_length, Unset):
            max_context_length = UNSET
        else:
            max_context_length = self.max_context_length

        curr_replica_cnt: int | None | Unset
        if isinstance(self.curr_replica_cnt, Unset):
            curr_replica_cnt = UNSET
        else:
            curr_replica_cnt = self.curr_replica_cnt

        desired_replica_cnt: int | None | Unset
        if isinstance(self.desired_replica_cnt, Unset):
            desired_replica_cnt = UNSET
        else:
            desired_replica_cnt = self.desired_replica_cnt

        updated_replica_cnt: int | None | Unset
        if isinstance(self.updated_replica_cnt, Unset):
            updated_replica_cnt = UNSET
        else:
            updated_replica_cnt = self.updated_replica_cnt

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "name": name,
                "gpuType": gpu_type,
                "numGpu": num_gpu,
                "projectId": project_id,
                "creatorId": creator_id,
                "teamId": team_id,
                "autoscalingMin": autoscaling_min,
                "autoscalingMax": autoscaling_max,
                "autoscalingCooldown": autoscaling_cooldown,
                "maxBatchSize": max_batch_size,
                "tokenizerSkipSpecialTokens": tokenizer_skip_special_tokens,
                "tokenizerAddSpecialTokens": tokenizer_add_special_tokens,
            }
        )
        if instance_id is not UNSET:
            field_dict["instanceId"] = instance_id
        if max_input_length is not UNSET:
            field_dict["maxInputLength"] = max_input_length
        if max_context_length is not UNSET:
            field_dict["maxContextLength"] = max_context_length
        if curr_replica_cnt is not UNSET:
            field_dict["currReplicaCnt"] = curr_replica_cnt
        if desired_replica_cnt is not UNSET:
            field_dict["desiredReplicaCnt"] = desired_replica_cnt
        if updated_replica_cnt is not UNSET:
            field_dict["updatedReplicaCnt"] = updated_replica_cnt

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        name = d.pop("name")

        gpu_type = d.pop("gpuType")

        num_gpu = d.pop("numGpu")

        project_id = d.pop("projectId")

        creator_id = d.pop("creatorId")

        team_id = d.pop("teamId")

        autoscaling_min = d.pop("autoscalingMin")

        autoscaling_max = d.pop("autoscalingMax")

        autoscaling_cooldown = d.pop("autoscalingCooldown")

        max_batch_size = d.pop("maxBatchSize")

        tokenizer_skip_special_tokens = d.pop("tokenizerSkipSpecialTokens")

        tokenizer_add_special_tokens = d.pop("tokenizerAddSpecialTokens")

        def _parse_instance_id(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        instance_id = _parse_instance_id(d.pop("instanceId", UNSET))

        def _parse_max_input_length(data: object) -> int | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(int | None | Unset, data)

        max_input_length = _parse_max_input_length(d.pop("maxInputLength", UNSET))

        def _parse_max_context_length(data: object) -> int | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(int | None | Unset, data)

        max_context_length = _parse_max_context_length(d.pop("maxContextLength", UNSET))

        def _parse_curr_replica_cnt(data: object) -> int | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(int | None | Unset, data)

        curr_replica_cnt = _parse_curr_replica_cnt(d.pop("currReplicaCnt", UNSET))

        def _parse_desired_replica_cnt(data: object) -> int | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(int | None | Unset, data)

        desired_replica_cnt = _parse_desired_replica_cnt(d.pop("desiredReplicaCnt", UNSET))

        def _parse_updated_replica_cnt(data: object) -> int | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(int | None | Unset, data)

        updated_replica_cnt = _parse_updated_replica_cnt(d.pop("updatedReplicaCnt", UNSET))

        dedicated_endpoint_spec = cls(
            name=name,
            gpu_type=gpu_type,
            num_gpu=num_gpu,
            project_id=project_id,
            creator_id=creator_id,
            team_id=team_id,
            autoscaling_min=autoscaling_min,
            autoscaling_max=autoscaling_max,
            autoscaling_cooldown=autoscaling_cooldown,
            max_batch_size=max_batch_size,
            tokenizer_skip_special_tokens=tokenizer_skip_special_tokens,
            tokenizer_add_special_tokens=tokenizer_add_special_tokens,
            instance_id=instance_id,
            max_input_length=max_input_length,
            max_context_length=max_context_length,
            curr_replica_cnt=curr_replica_cnt,
            desired_replica_cnt=desired_replica_cnt,
            updated_replica_cnt=updated_replica_cnt,
        )

        dedicated_endpoint_spec.additional_properties = d
        return dedicated_endpoint_spec

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
