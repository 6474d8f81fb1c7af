from enum import StrEnum
from typing import Self


class CostBucketWidth(StrEnum):
    """An open enum: values this contract does not list parse to non-member instances.

    Known values are the members below and compare equal to them; an unknown value keeps its raw
    string in ``.value`` and has ``.is_known == False``.
    """

    VALUE_0 = "1d"

    @classmethod
    def _missing_(cls, value: object) -> Self | None:
        if not isinstance(value, str):
            return None
        unknown = str.__new__(cls, value)
        unknown._name_ = value
        unknown._value_ = value
        return unknown

    @property
    def is_known(self) -> bool:
        """Whether this value is one the contract lists (False for values added upstream since)."""
        return self._value_ in type(self)._value2member_map_

    def __str__(self) -> str:
        return str(self.value)
