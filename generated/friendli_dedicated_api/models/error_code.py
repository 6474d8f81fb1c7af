from enum import StrEnum
from typing import Self


class ErrorCode(StrEnum):
    """An open enum: values this contract does not list parse to non-member instances.

    Known values are the members below and compare equal to them; an unknown value keeps its raw
    string in ``.value`` and has ``.is_known == False``.
    """

    INFERENCE_ENGINE_INVALID_ARGUMENT_ERROR = "INFERENCE_ENGINE_INVALID_ARGUMENT_ERROR"
    INFERENCE_ENGINE_MEMORY_ERROR = "INFERENCE_ENGINE_MEMORY_ERROR"
    INFERENCE_ENGINE_METERING_CLIENT_CONFIG_ERROR = "INFERENCE_ENGINE_METERING_CLIENT_CONFIG_ERROR"
    INFERENCE_ENGINE_UNKNOWN_ERROR = "INFERENCE_ENGINE_UNKNOWN_ERROR"
    WORKLOAD_INIT_CANNOT_ACCESS_REPO_ERROR = "WORKLOAD_INIT_CANNOT_ACCESS_REPO_ERROR"
    WORKLOAD_INIT_DOWNLOAD_ERROR = "WORKLOAD_INIT_DOWNLOAD_ERROR"
    WORKLOAD_INIT_GRPC_ERROR = "WORKLOAD_INIT_GRPC_ERROR"
    WORKLOAD_INIT_HF_WANDB_API_ERROR = "WORKLOAD_INIT_HF_WANDB_API_ERROR"
    WORKLOAD_INIT_INSUFFICIENT_DISK_ERROR = "WORKLOAD_INIT_INSUFFICIENT_DISK_ERROR"
    WORKLOAD_INIT_INVALID_TOKEN_ERROR = "WORKLOAD_INIT_INVALID_TOKEN_ERROR"
    WORKLOAD_INIT_MANIFEST_NOT_FOUND_ERROR = "WORKLOAD_INIT_MANIFEST_NOT_FOUND_ERROR"
    WORKLOAD_INIT_MANIFEST_TYPE_ERROR = "WORKLOAD_INIT_MANIFEST_TYPE_ERROR"
    WORKLOAD_INIT_SETTINGS_ERROR = "WORKLOAD_INIT_SETTINGS_ERROR"
    WORKLOAD_INIT_UNKNOWN_ERROR = "WORKLOAD_INIT_UNKNOWN_ERROR"

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
