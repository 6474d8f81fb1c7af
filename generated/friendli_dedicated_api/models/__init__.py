"""Contains all the data models used in inputs/outputs"""

from .accelerator_requirement import AcceleratorRequirement
from .autoscaling_policy import AutoscalingPolicy
from .dedicated_endpoint_create_body import DedicatedEndpointCreateBody
from .dedicated_endpoint_list_response import DedicatedEndpointListResponse
from .dedicated_endpoint_list_response_data import DedicatedEndpointListResponseData
from .dedicated_endpoint_spec import DedicatedEndpointSpec
from .dedicated_endpoint_status import DedicatedEndpointStatus
from .dedicated_endpoint_update_body import DedicatedEndpointUpdateBody
from .dedicated_endpoint_version_history_response import DedicatedEndpointVersionHistoryResponse
from .dedicated_endpoint_version_history_response_data import DedicatedEndpointVersionHistoryResponseData
from .dedicated_endpoint_wandb_artifact_create_body import DedicatedEndpointWandbArtifactCreateBody
from .dedicated_endpoint_wandb_artifact_create_response import DedicatedEndpointWandbArtifactCreateResponse
from .deployment_phase import DeploymentPhase
from .endpoint_advanced_config import EndpointAdvancedConfig
from .endpoint_simplescale_config import EndpointSimplescaleConfig
from .error_code import ErrorCode
from .http_validation_error import HTTPValidationError
from .queue_backpressure_metric_kind import QueueBackpressureMetricKind
from .status import Status
from .validation_error import ValidationError

__all__ = (
    "AcceleratorRequirement",
    "AutoscalingPolicy",
    "DedicatedEndpointCreateBody",
    "DedicatedEndpointListResponse",
    "DedicatedEndpointListResponseData",
    "DedicatedEndpointSpec",
    "DedicatedEndpointStatus",
    "DedicatedEndpointUpdateBody",
    "DedicatedEndpointVersionHistoryResponse",
    "DedicatedEndpointVersionHistoryResponseData",
    "DedicatedEndpointWandbArtifactCreateBody",
    "DedicatedEndpointWandbArtifactCreateResponse",
    "DeploymentPhase",
    "EndpointAdvancedConfig",
    "EndpointSimplescaleConfig",
    "ErrorCode",
    "HTTPValidationError",
    "QueueBackpressureMetricKind",
    "Status",
    "ValidationError",
)
