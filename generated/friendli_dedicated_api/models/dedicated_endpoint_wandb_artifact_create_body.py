from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Self, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.accelerator_requirement import AcceleratorRequirement
    from ..models.autoscaling_policy import AutoscalingPolicy


T = TypeVar("T", bound="DedicatedEndpointWandbArtifactCreateBody")


@_attrs_define
class DedicatedEndpointWandbArtifactCreateBody:
    wandb_artifact_version_name: str
    accelerator: AcceleratorRequirement | None | Unset = UNSET
    name: None | str | Unset = UNSET
    project_id: None | str | Unset = UNSET
    idempotency_key: None | str | Unset = UNSET
    autoscaling_policy: AutoscalingPolicy | None | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        from ..models.accelerator_requirement import AcceleratorRequirement
        from ..models.autoscaling_policy import AutoscalingPolicy

        wandb_artifact_version_name = self.wandb_artifact_version_name

        accelerator: dict[str, Any] | None | Unset
        if isinstance(self.accelerator, Unset):
            accelerator = UNSET
        elif isinstance(self.accelerator, AcceleratorRequirement):
            accelerator = self.accelerator.to_dict()
        else:
            accelerator = self.accelerator

        name: None | str | Unset
        if isinstance(self.name, Unset):
            name = UNSET
        else:
            name = self.name

        project_id: None | str | Unset
        if isinstance(self.project_id, Unset):
            project_id = UNSET
        else:
            project_id = self.project_id

        idempotency_key: None | str | Unset
        if isinstance(self.idempotency_key, Unset):
            idempotency_key = UNSET
        else:
            idempotency_key = self.idempotency_key

        autoscaling_policy: dict[str, Any] | None | Unset
        if isinstance(self.autoscaling_policy, Unset):
            autoscaling_policy = UNSET
        elif isinstance(self.autoscaling_policy, AutoscalingPolicy):
            autoscaling_policy = self.autoscaling_policy.to_dict()
        else:
            autoscaling_policy = self.autoscaling_policy

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "wandbArtifactVersionName": wandb_artifact_version_name,
            }
        )
        if accelerator is not UNSET:
            field_dict["accelerator"] = accelerator
        if name is not UNSET:
            field_dict["name"] = name
        if project_id is not UNSET:
            field_dict["projectId"] = project_id
        if idempotency_key is not UNSET:
            field_dict["idempotencyKey"] = idempotency_key
        if autoscaling_policy is not UNSET:
            field_dict["autoscalingPolicy"] = autoscaling_policy

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        from ..models.accelerator_requirement import AcceleratorRequirement
        from ..models.autoscaling_policy import AutoscalingPolicy

        d = dict(src_dict)
        wandb_artifact_version_name = d.pop("wandbArtifactVersionName")

        def _parse_accelerator(data: object) -> AcceleratorRequirement | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                accelerator_type_0 = AcceleratorRequirement.from_dict(data)

                return accelerator_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(AcceleratorRequirement | None | Unset, data)

        accelerator = _parse_accelerator(d.pop("accelerator", UNSET))

        def _parse_name(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        name = _parse_name(d.pop("name", UNSET))

        def _parse_project_id(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        project_id = _parse_project_id(d.pop("projectId", UNSET))

        def _parse_idempotency_key(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        idempotency_key = _parse_idempotency_key(d.pop("idempotencyKey", UNSET))

        def _parse_autoscaling_policy(data: object) -> AutoscalingPolicy | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                autoscaling_policy_type_0 = AutoscalingPolicy.from_dict(data)

                return autoscaling_policy_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(AutoscalingPolicy | None | Unset, data)

        autoscaling_policy = _parse_autoscaling_policy(d.pop("autoscalingPolicy", UNSET))

        dedicated_endpoint_wandb_artifact_create_body = cls(
            wandb_artifact_version_name=wandb_artifact_version_name,
            accelerator=accelerator,
            name=name,
            project_id=project_id,
            idempotency_key=idempotency_key,
            autoscaling_policy=autoscaling_policy,
        )

        dedicated_endpoint_wandb_artifact_create_body.additional_properties = d
        return dedicated_endpoint_wandb_artifact_create_body

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
