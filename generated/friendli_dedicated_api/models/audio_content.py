from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Literal, Self, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

if TYPE_CHECKING:
    from ..models.audio_data import AudioData


T = TypeVar("T", bound="AudioContent")


@_attrs_define
class AudioContent:
    type_: Literal["audio_url"]
    audio_url: AudioData
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        type_ = self.type_

        audio_url = self.audio_url.to_dict()

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "type": type_,
                "audio_url": audio_url,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        from ..models.audio_data import AudioData

        d = dict(src_dict)
        type_ = cast(Literal["audio_url"], d.pop("type"))
        if type_ != "audio_url":
            raise ValueError(f"type must match const 'audio_url', got '{type_}'")

        audio_url = AudioData.from_dict(d.pop("audio_url"))

        audio_content = cls(
            type_=type_,
            audio_url=audio_url,
        )

        audio_content.additional_properties = d
        return audio_content

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
