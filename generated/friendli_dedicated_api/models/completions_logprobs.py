from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Self, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

if TYPE_CHECKING:
    from ..models.completions_logprobs_top_logprobs_item import CompletionsLogprobsTopLogprobsItem


T = TypeVar("T", bound="CompletionsLogprobs")


@_attrs_define
class CompletionsLogprobs:
    text_offset: list[int]
    token_logprobs: list[float]
    tokens: list[str]
    top_logprobs: list[CompletionsLogprobsTopLogprobsItem]
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        text_offset = self.text_offset

        token_logprobs = self.token_logprobs

        tokens = self.tokens

        top_logprobs = []
        for top_logprobs_item_data in self.top_logprobs:
            top_logprobs_item = top_logprobs_item_data.to_dict()
            top_logprobs.append(top_logprobs_item)

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "text_offset": text_offset,
                "token_logprobs": token_logprobs,
                "tokens": tokens,
                "top_logprobs": top_logprobs,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        from ..models.completions_logprobs_top_logprobs_item import CompletionsLogprobsTopLogprobsItem

        d = dict(src_dict)
        text_offset = cast(list[int], d.pop("text_offset"))

        token_logprobs = cast(list[float], d.pop("token_logprobs"))

        tokens = cast(list[str], d.pop("tokens"))

        top_logprobs = []
        _top_logprobs = d.pop("top_logprobs")
        for top_logprobs_item_data in _top_logprobs:
            top_logprobs_item = CompletionsLogprobsTopLogprobsItem.from_dict(top_logprobs_item_data)

            top_logprobs.append(top_logprobs_item)

        completions_logprobs = cls(
            text_offset=text_offset,
            token_logprobs=token_logprobs,
            tokens=tokens,
            top_logprobs=top_logprobs,
        )

        completions_logprobs.additional_properties = d
        return completions_logprobs

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
