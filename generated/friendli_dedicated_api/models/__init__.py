"""Contains all the data models used in inputs/outputs"""

from .accelerator_requirement import AcceleratorRequirement
from .assistant_message import AssistantMessage
from .assistant_message_tool_call import AssistantMessageToolCall
from .assistant_message_tool_call_function import AssistantMessageToolCallFunction
from .audio_content import AudioContent
from .audio_data import AudioData
from .autoscaling_policy import AutoscalingPolicy
from .chat_choice import ChatChoice
from .chat_choice_finish_reason import ChatChoiceFinishReason
from .chat_choice_message import ChatChoiceMessage
from .chat_complete_body_tool_choice import ChatCompleteBodyToolChoice
from .chat_complete_body_tool_choice_function import ChatCompleteBodyToolChoiceFunction
from .chat_logprobs import ChatLogprobs
from .chat_logprobs_content import ChatLogprobsContent
from .chat_logprobs_content_top_logprob import ChatLogprobsContentTopLogprob
from .chat_result import ChatResult
from .chat_usage import ChatUsage
from .completions_choice import CompletionsChoice
from .completions_choice_finish_reason import CompletionsChoiceFinishReason
from .completions_dedicated_body_with_prompt import CompletionsDedicatedBodyWithPrompt
from .completions_dedicated_body_with_tokens import CompletionsDedicatedBodyWithTokens
from .completions_logprobs import CompletionsLogprobs
from .completions_logprobs_top_logprobs_item import CompletionsLogprobsTopLogprobsItem
from .completions_result import CompletionsResult
from .cost_bucket import CostBucket
from .cost_bucket_width import CostBucketWidth
from .cost_group_by import CostGroupBy
from .cost_response import CostResponse
from .cost_result import CostResult
from .dedicated_chat_completion_body import DedicatedChatCompletionBody
from .dedicated_chat_completion_body_chat_template_kwargs_type_0 import (
    DedicatedChatCompletionBodyChatTemplateKwargsType0,
)
from .dedicated_chat_completion_body_logit_bias_type_0 import DedicatedChatCompletionBodyLogitBiasType0
from .dedicated_chat_completion_body_reasoning_effort_type_0 import DedicatedChatCompletionBodyReasoningEffortType0
from .dedicated_detokenization_body import DedicatedDetokenizationBody
from .dedicated_detokenization_success import DedicatedDetokenizationSuccess
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
from .dedicated_tokenization_body import DedicatedTokenizationBody
from .dedicated_tokenization_success import DedicatedTokenizationSuccess
from .deployment_phase import DeploymentPhase
from .endpoint_advanced_config import EndpointAdvancedConfig
from .endpoint_simplescale_config import EndpointSimplescaleConfig
from .error_code import ErrorCode
from .function import Function
from .function_parameters import FunctionParameters
from .function_result import FunctionResult
from .http_validation_error import HTTPValidationError
from .image_content import ImageContent
from .image_data import ImageData
from .prompt_tokens_details import PromptTokensDetails
from .queue_backpressure_metric_kind import QueueBackpressureMetricKind
from .response_format_json_object import ResponseFormatJsonObject
from .response_format_json_schema import ResponseFormatJsonSchema
from .response_format_json_schema_schema import ResponseFormatJsonSchemaSchema
from .response_format_json_schema_schema_schema import ResponseFormatJsonSchemaSchemaSchema
from .response_format_regex import ResponseFormatRegex
from .response_format_text import ResponseFormatText
from .status import Status
from .stream_options import StreamOptions
from .system_message import SystemMessage
from .text_content import TextContent
from .text_usage import TextUsage
from .token_sequence import TokenSequence
from .tool import Tool
from .tool_call_result import ToolCallResult
from .tool_message import ToolMessage
from .user_message import UserMessage
from .validation_error import ValidationError
from .video_content import VideoContent
from .video_data import VideoData

__all__ = (
    "AcceleratorRequirement",
    "AssistantMessage",
    "AssistantMessageToolCall",
    "AssistantMessageToolCallFunction",
    "AudioContent",
    "AudioData",
    "AutoscalingPolicy",
    "ChatChoice",
    "ChatChoiceFinishReason",
    "ChatChoiceMessage",
    "ChatCompleteBodyToolChoice",
    "ChatCompleteBodyToolChoiceFunction",
    "ChatLogprobs",
    "ChatLogprobsContent",
    "ChatLogprobsContentTopLogprob",
    "ChatResult",
    "ChatUsage",
    "CompletionsChoice",
    "CompletionsChoiceFinishReason",
    "CompletionsDedicatedBodyWithPrompt",
    "CompletionsDedicatedBodyWithTokens",
    "CompletionsLogprobs",
    "CompletionsLogprobsTopLogprobsItem",
    "CompletionsResult",
    "CostBucket",
    "CostBucketWidth",
    "CostGroupBy",
    "CostResponse",
    "CostResult",
    "DedicatedChatCompletionBody",
    "DedicatedChatCompletionBodyChatTemplateKwargsType0",
    "DedicatedChatCompletionBodyLogitBiasType0",
    "DedicatedChatCompletionBodyReasoningEffortType0",
    "DedicatedDetokenizationBody",
    "DedicatedDetokenizationSuccess",
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
    "DedicatedTokenizationBody",
    "DedicatedTokenizationSuccess",
    "DeploymentPhase",
    "EndpointAdvancedConfig",
    "EndpointSimplescaleConfig",
    "ErrorCode",
    "Function",
    "FunctionParameters",
    "FunctionResult",
    "HTTPValidationError",
    "ImageContent",
    "ImageData",
    "PromptTokensDetails",
    "QueueBackpressureMetricKind",
    "ResponseFormatJsonObject",
    "ResponseFormatJsonSchema",
    "ResponseFormatJsonSchemaSchema",
    "ResponseFormatJsonSchemaSchemaSchema",
    "ResponseFormatRegex",
    "ResponseFormatText",
    "Status",
    "StreamOptions",
    "SystemMessage",
    "TextContent",
    "TextUsage",
    "TokenSequence",
    "Tool",
    "ToolCallResult",
    "ToolMessage",
    "UserMessage",
    "ValidationError",
    "VideoContent",
    "VideoData",
)
