from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Self, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

T = TypeVar("T", bound="CostResult")


@_attrs_define
class CostResult:
    total: str
    quantity: str | Unset = UNSET
    unit_price: str | Unset = UNSET
    line_item: str | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        total = self.total

        quantity = self.quantity

        unit_price = self.unit_price

        line_item = self.line_item

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "total": total,
            }
        )
        if quantity is not UNSET:
            field_dict["quantity"] = quantity
        if unit_price is not UNSET:
            field_dict["unit_price"] = unit_price
        if line_item is not UNSET:
            field_dict["line_item"] = line_item

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        total = d.pop("total")

        quantity = d.pop("quantity", UNSET)

        unit_price = d.pop("unit_price", UNSET)

        line_item = d.pop("line_item", UNSET)

        cost_result = cls(
            total=total,
            quantity=quantity,
            unit_price=unit_price,
            line_item=line_item,
        )

        cost_result.additional_properties = d
        return cost_result

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
