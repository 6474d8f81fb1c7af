from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Self, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

T = TypeVar("T", bound="DedicatedEndpointWandbArtifactCreateResponse")


@_attrs_define
class DedicatedEndpointWandbArtifactCreateResponse:
    endpoint_id: str
    endpoint_name: str
    project_id: str
    project_name: str
    team_id: str
    team_name: None | str
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        endpoint_id = self.endpoint_id

        endpoint_name = self.endpoint_name

        project_id = self.project_id

        project_name = self.project_name

        team_id = self.team_id

        team_name: None | str
        team_name = self.team_name

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "endpointId": endpoint_id,
                "endpointName": endpoint_name,
                "projectId": project_id,
                "projectName": project_name,
                "teamId": team_id,
                "teamName": team_name,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        endpoint_id = d.pop("endpointId")

        endpoint_name = d.pop("endpointName")

        project_id = d.pop("projectId")

        project_name = d.pop("projectName")

        team_id = d.pop("teamId")

        def _parse_team_name(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        team_name = _parse_team_name(d.pop("teamName"))

        dedicated_endpoint_wandb_artifact_create_response = cls(
            endpoint_id=endpoint_id,
            endpoint_name=endpoint_name,
            project_id=project_id,
            project_name=project_name,
            team_id=team_id,
            team_name=team_name,
        )

        dedicated_endpoint_wandb_artifact_create_response.additional_properties = d
        return dedicated_endpoint_wandb_artifact_create_response

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
