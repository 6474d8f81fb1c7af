from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Literal, Self, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.completions_choice import CompletionsChoice
    from ..models.text_usage import TextUsage


T = TypeVar("T", bound="CompletionsResult")


@_attrs_define
class CompletionsResult:
    id: str
    object_: Literal["text_completion"]
    usage: TextUsage
    choices: list[CompletionsChoice]
    model: None | str | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        id = self.id

        object_ = self.object_

        usage = self.usage.to_dict()

        choices = []
        for choices_item_data in self.choices:
            choices_item = choices_item_data.to_dict()
            choices.append(choices_item)

        model: None | str | Unset
        if isinstance(self.model, Unset):
            model = UNSET
        else:
            model = self.model

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "id": id,
                "object": object_,
                "usage": usage,
                "choices": choices,
            }
        )
        if model is not UNSET:
            field_dict["model"] = model

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        from ..models.completions_choice import CompletionsChoice
        from ..models.text_usage import TextUsage

        d = dict(src_dict)
        id = d.pop("id")

        object_ = cast(Literal["text_completion"], d.pop("object"))
        if object_ != "text_completion":
            raise ValueError(f"object must match const 'text_completion', got '{object_}'")

        usage = TextUsage.from_dict(d.pop("usage"))

        choices = []
        _choices = d.pop("choices")
        for choices_item_data in _choices:
            choices_item = CompletionsChoice.from_dict(choices_item_data)

            choices.append(choices_item)

        def _parse_model(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        model = _parse_model(d.pop("model", UNSET))

        completions_result = cls(
            id=id,
            object_=object_,
            usage=usage,
            choices=choices,
            model=model,
        )

        completions_result.additional_properties = d
        return completions_result

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
