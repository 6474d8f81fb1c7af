from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Self, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.autoscaling_policy import AutoscalingPolicy
    from ..models.endpoint_advanced_config import EndpointAdvancedConfig
    from ..models.endpoint_simplescale_config import EndpointSimplescaleConfig


T = TypeVar("T", bound="DedicatedEndpointUpdateBody")


@_attrs_define
class DedicatedEndpointUpdateBody:
    name: None | str | Unset = UNSET
    advanced: EndpointAdvancedConfig | None | Unset = UNSET
    simplescale: EndpointSimplescaleConfig | None | Unset = UNSET
    autoscaling_policy: AutoscalingPolicy | None | Unset = UNSET
    hf_model_repo: None | str | Unset = UNSET
    hf_model_repo_revision: None | str | Unset = UNSET
    new_version_comment: None | str | Unset = UNSET
    instance_option_id: None | str | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        from ..models.autoscaling_policy import AutoscalingPolicy
        from ..models.endpoint_advanced_config import EndpointAdvancedConfig
        from ..models.endpoint_simplescale_config import EndpointSimplescaleConfig

        name: None | str | Unset
        if isinstance(self.name, Unset):
            name = UNSET
        else:
            name = self.name

        advanced: dict[str, Any] | None | Unset
        if isinstance(self.advanced, Unset):
            advanced = UNSET
        elif isinstance(self.advanced, EndpointAdvancedConfig):
            advanced = self.advanced.to_dict()
        else:
            advanced = self.advanced

        simplescale: dict[str, Any] | None | Unset
        if isinstance(self.simplescale, Unset):
            simplescale = UNSET
        elif isinstance(self.simplescale, EndpointSimplescaleConfig):
            simplescale = self.simplescale.to_dict()
        else:
            simplescale = self.simplescale

        autoscaling_policy: dict[str, Any] | None | Unset
        if isinstance(self.autoscaling_policy, Unset):
            autoscaling_policy = UNSET
        elif isinstance(self.autoscaling_policy, AutoscalingPolicy):
            autoscaling_policy = self.autoscaling_policy.to_dict()
        else:
            autoscaling_policy = self.autoscaling_policy

        hf_model_repo: None | str | Unset
        if isinstance(self.hf_model_repo, Unset):
            hf_model_repo = UNSET
        else:
            hf_model_repo = self.hf_model_repo

        hf_model_repo_revision: None | str | Unset
        if isinstance(self.hf_model_repo_revision, Unset):
            hf_model_repo_revision = UNSET
        else:
            hf_model_repo_revision = self.hf_model_repo_revision

        new_version_comment: None | str | Unset
        if isinstance(self.new_version_comment, Unset):
            new_version_comment = UNSET
        else:
            new_version_comment = self.new_version_comment

        instance_option_id: None | str | Unset
        if isinstance(self.instance_option_id, Unset):
            instance_option_id = UNSET
        else:
            instance_option_id = self.instance_option_id

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update({})
        if name is not UNSET:
            field_dict["name"] = name
        if advanced is not UNSET:
            field_dict["advanced"] = advanced
        if simplescale is not UNSET:
            field_dict["simplescale"] = simplescale
        if autoscaling_policy is not UNSET:
            field_dict["autoscalingPolicy"] = autoscaling_policy
        if hf_model_repo is not UNSET:
            field_dict["hfModelRepo"] = hf_model_repo
        if hf_model_repo_revision is not UNSET:
            field_dict["hfModelRepoRevision"] = hf_model_repo_revision
        if new_version_comment is not UNSET:
            field_dict["newVersionComment"] = new_version_comment
        if instance_option_id is not UNSET:
            field_dict["instanceOptionId"] = instance_option_id

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        from ..models.autoscaling_policy import AutoscalingPolicy
        from ..models.endpoint_advanced_config import EndpointAdvancedConfig
        from ..models.endpoint_simplescale_config import EndpointSimplescaleConfig

        d = dict(src_dict)

        def _parse_name(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        name = _parse_name(d.pop("name", UNSET))

        def _parse_advanced(data: object) -> EndpointAdvancedConfig | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                advanced_type_0 = EndpointAdvancedConfig.from_dict(data)

                return advanced_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(EndpointAdvancedConfig | None | Unset, data)

        advanced = _parse_advanced(d.pop("advanced", UNSET))

        def _parse_simplescale(data: object) -> EndpointSimplescaleConfig | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                simplescale_type_0 = EndpointSimplescaleConfig.from_dict(data)

                return simplescale_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(EndpointSimplescaleConfig | None | Unset, data)

        simplescale = _parse_simplescale(d.pop("simplescale", UNSET))

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

        def _parse_hf_model_repo(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        hf_model_repo = _parse_hf_model_repo(d.pop("hfModelRepo", UNSET))

        def _parse_hf_model_repo_revision(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        hf_model_repo_revision = _parse_hf_model_repo_revision(d.pop("hfModelRepoRevision", UNSET))

        def _parse_new_version_comment(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        new_version_comment = _parse_new_version_comment(d.pop("newVersionComment", UNSET))

        def _parse_instance_option_id(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        instance_option_id = _parse_instance_option_id(d.pop("instanceOptionId", UNSET))

        dedicated_endpoint_update_body = cls(
            name=name,
            advanced=advanced,
            simplescale=simplescale,
            autoscaling_policy=autoscaling_policy,
            hf_model_repo=hf_model_repo,
            hf_model_repo_revision=hf_model_repo_revision,
            new_version_comment=new_version_comment,
            instance_option_id=instance_option_id,
        )

        dedicated_endpoint_update_body.additional_properties = d
        return dedicated_endpoint_update_body

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
