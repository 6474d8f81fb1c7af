from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Self, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.completions_choice_finish_reason import CompletionsChoiceFinishReason
from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.completions_logprobs import CompletionsLogprobs


T = TypeVar("T", bound="CompletionsChoice")


@_attrs_define
class CompletionsChoice:
    index: int
    text: str
    seed: int
    finish_reason: CompletionsChoiceFinishReason
    tokens: list[int]
    logprobs: CompletionsLogprobs | None | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        from ..models.completions_logprobs import CompletionsLogprobs

        index = self.index

        text = self.text

        seed = self.seed

        finish_reason = self.finish_reason.value

        tokens = self.tokens

        logprobs: dict[str, Any] | None | Unset
        if isinstance(self.logprobs, Unset):
            logprobs = UNSET
        elif isinstance(self.logprobs, CompletionsLogprobs):
            logprobs = self.logprobs.to_dict()
        else:
            logprobs = self.logprobs

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "index": index,
                "text": text,
                "seed": seed,
                "finish_reason": finish_reason,
                "tokens": tokens,
            }
        )
        if logprobs is not UNSET:
            field_dict["logprobs"] = logprobs

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        from ..models.completions_logprobs import CompletionsLogprobs

        d = dict(src_dict)
        index = d.pop("index")

        text = d.pop("text")

        seed = d.pop("seed")

        finish_reason = CompletionsChoiceFinishReason(d.pop("finish_reason"))

        tokens = cast(list[int], d.pop("tokens"))

        def _parse_logprobs(data: object) -> CompletionsLogprobs | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                logprobs_type_0 = CompletionsLogprobs.from_dict(data)

                return logprobs_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(CompletionsLogprobs | None | Unset, data)

        logprobs = _parse_logprobs(d.pop("logprobs", UNSET))

        completions_choice = cls(
            index=index,
            text=text,
            seed=seed,
            finish_reason=finish_reason,
            tokens=tokens,
            logprobs=logprobs,
        )

        completions_choice.additional_properties = d
        return completions_choice

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
