from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Self, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.queue_backpressure_metric_kind import QueueBackpressureMetricKind
from ..types import UNSET, Unset

T = TypeVar("T", bound="EndpointAdvancedConfig")


@_attrs_define
class EndpointAdvancedConfig:
    tokenizer_skip_special_tokens: bool
    tokenizer_add_special_tokens: bool
    max_batch_size: int | None | Unset = UNSET
    max_token_count: int | Unset = 2560
    enable_content_logging: bool | None | Unset = UNSET
    max_input_length: int | None | Unset = UNSET
    max_context_length: int | None | Unset = UNSET
    queue_timeout_ms: int | None | Unset = UNSET
    queue_backpressure_metric_kind: None | QueueBackpressureMetricKind | Unset = UNSET
    queue_backpressure_metric_threshold: float | None | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        tokenizer_skip_special_tokens = self.tokenizer_skip_special_tokens

        tokenizer_add_special_tokens = self.tokenizer_add_special_tokens

        max_batch_size: int | None | Unset
        if isinstance(self.max_batch_size, Unset):
            max_batch_size = UNSET
        else:
            max_batch_size = self.max_batch_size

        max_token_count = self.max_token_count

        enable_content_logging: bool | None | Unset
        if isinstance(self.enable_content_logging, Unset):
            enable_content_logging = UNSET
        else:
            enable_content_logging = self.enable_content_logging

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

        queue_timeout_ms: int | None | Unset
        if isinstance(self.queue_timeout_ms, Unset):
            queue_timeout_ms = UNSET
        else:
            queue_timeout_ms = self.queue_timeout_ms

        queue_backpressure_metric_kind: None | str | Unset
        if isinstance(self.queue_backpressure_metric_kind, Unset):
            queue_backpressure_metric_kind = UNSET
        elif isinstance(self.queue_backpressure_metric_kind, QueueBackpressureMetricKind):
            queue_backpressure_metric_kind = self.queue_backpressure_metric_kind.value
        else:
            queue_backpressure_metric_kind = self.queue_backpressure_metric_kind

        queue_backpressure_metric_threshold: float | None | Unset
        if isinstance(self.queue_backpressure_metric_threshold, Unset):
            queue_backpressure_metric_threshold = UNSET
        else:
            queue_backpressure_metric_threshold = self.queue_backpressure_metric_threshold

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "tokenizer_skip_special_tokens": tokenizer_skip_special_tokens,
                "tokenizer_add_special_tokens": tokenizer_add_special_tokens,
            }
        )
        if max_batch_size is not UNSET:
            field_dict["max_batch_size"] = max_batch_size
        if max_token_count is not UNSET:
            field_dict["max_token_count"] = max_token_count
        if enable_content_logging is not UNSET:
            field_dict["enable_content_logging"] = enable_content_logging
        if max_input_length is not UNSET:
            field_dict["max_input_length"] = max_input_length
        if max_context_length is not UNSET:
            field_dict["max_context_length"] = max_context_length
        if queue_timeout_ms is not UNSET:
            field_dict["queue_timeout_ms"] = queue_timeout_ms
        if queue_backpressure_metric_kind is not UNSET:
            field_dict["queue_backpressure_metric_kind"] = queue_backpressure_metric_kind
        if queue_backpressure_metric_threshold is not UNSET:
            field_dict["queue_backpressure_metric_threshold"] = queue_backpressure_metric_threshold

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        tokenizer_skip_special_tokens = d.pop("tokenizer_skip_special_tokens")

        tokenizer_add_special_tokens = d.pop("tokenizer_add_special_tokens")

        def _parse_max_batch_size(data: object) -> int | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(int | None | Unset, data)

        max_batch_size = _parse_max_batch_size(d.pop("max_batch_size", UNSET))

        max_token_count = d.pop("max_token_count", UNSET)

        def _parse_enable_content_logging(data: object) -> bool | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(bool | None | Unset, data)

        enable_content_logging = _parse_enable_content_logging(d.pop("enable_content_logging", UNSET))

        def _parse_max_input_length(data: object) -> int | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(int | None | Unset, data)

        max_input_length = _parse_max_input_length(d.pop("max_input_length", UNSET))

        def _parse_max_context_length(data: object) -> int | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(int | None | Unset, data)

        max_context_length = _parse_max_context_length(d.pop("max_context_length", UNSET))

        def _parse_queue_timeout_ms(data: object) -> int | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(int | None | Unset, data)

        queue_timeout_ms = _parse_queue_timeout_ms(d.pop("queue_timeout_ms", UNSET))

        def _parse_queue_backpressure_metric_kind(data: object) -> None | QueueBackpressureMetricKind | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                queue_backpressure_metric_kind_type_0 = QueueBackpressureMetricKind(data)

                return queue_backpressure_metric_kind_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(None | QueueBackpressureMetricKind | Unset, data)

        queue_backpressure_metric_kind = _parse_queue_backpressure_metric_kind(
            d.pop("queue_backpressure_metric_kind", UNSET)
        )

        def _parse_queue_backpressure_metric_threshold(data: object) -> float | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(float | None | Unset, data)

        queue_backpressure_metric_threshold = _parse_queue_backpressure_metric_threshold(
            d.pop("queue_backpressure_metric_threshold", UNSET)
        )

        endpoint_advanced_config = cls(
            tokenizer_skip_special_tokens=tokenizer_skip_special_tokens,
            tokenizer_add_special_tokens=tokenizer_add_special_tokens,
            max_batch_size=max_batch_size,
            max_token_count=max_token_count,
            enable_content_logging=enable_content_logging,
            max_input_length=max_input_length,
            max_context_length=max_context_length,
            queue_timeout_ms=queue_timeout_ms,
            queue_backpressure_metric_kind=queue_backpressure_metric_kind,
            queue_backpressure_metric_threshold=queue_backpressure_metric_threshold,
        )

        endpoint_advanced_config.additional_properties = d
        return endpoint_advanced_config

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
