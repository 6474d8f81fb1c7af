"""Request bodies from the facade's arguments: every input checked before anything is sent.

Each builder validates all of its inputs first (``InvalidInputError`` naming the field) and only
then builds the contract's body model, so a refused call is never half sent.

>>> body = create_body("proj", "chat", "org/model", "H100", autoscaling=None, revision=None, comment=None, advanced={})
>>> body.instance_option_id == InstanceOption.parse("1x H100").id, body.advanced.max_token_count
(True, 2560)
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypedDict, cast

import attrs

from friendli_dedicated._autoscaling import Autoscaling
from friendli_dedicated._instances import InstanceOption
from friendli_dedicated._validate import identifier, optional_flag, optional_number, optional_whole, shown, text, whole
from friendli_dedicated.errors import InvalidInputError
from friendli_dedicated_api.models import (
    AcceleratorRequirement,
    DedicatedEndpointCreateBody,
    DedicatedEndpointSpec,
    DedicatedEndpointUpdateBody,
    DedicatedEndpointWandbArtifactCreateBody,
    EndpointAdvancedConfig,
    QueueBackpressureMetricKind,
)
from friendli_dedicated_api.types import UNSET, Unset

__all__ = [
    "TOKENIZER_FLAGS",
    "AdvancedKwargs",
    "AdvancedOptions",
    "advanced_from_spec",
    "create_body",
    "update_body",
    "wandb_body",
]


class AdvancedKwargs(TypedDict, total=False):
    """Engine options accepted by ``create`` and ``update`` as keyword arguments.

    Defaults (the contract's, or the seeds' where the contract has none): ``max_token_count=2560``,
    ``tokenizer_add_special_tokens=True``, ``tokenizer_skip_special_tokens=True``, the rest unset.
    """

    max_batch_size: int | None
    max_input_length: int | None
    max_context_length: int | None
    max_token_count: int
    tokenizer_add_special_tokens: bool
    tokenizer_skip_special_tokens: bool
    enable_content_logging: bool | None
    queue_timeout_ms: int | None
    queue_backpressure_metric_kind: str | None
    queue_backpressure_metric_threshold: float | None


@attrs.frozen
class AdvancedOptions:
    """The engine options of ``EndpointAdvancedConfig``, validated (defaults are the contract's)."""

    max_batch_size: int | None = None
    max_input_length: int | None = None
    max_context_length: int | None = None
    max_token_count: int = 2560
    tokenizer_add_special_tokens: bool = True
    tokenizer_skip_special_tokens: bool = True
    enable_content_logging: bool | None = None
    queue_timeout_ms: int | None = None
    queue_backpressure_metric_kind: str | None = None
    queue_backpressure_metric_threshold: float | None = None

    @classmethod
    def checked(cls, options: Mapping[str, Any], *, defaults: AdvancedOptions | None = None) -> AdvancedOptions:
        unknown = sorted(set(options) - set(attrs.fields_dict(cls)))
        if unknown:
            valid = ", ".join(attrs.fields_dict(cls))
            raise InvalidInputError(unknown[0], f"is not an option of create/update (valid: {valid})")
        values = {**attrs.asdict(defaults or cls()), **options}
        kind = values["queue_backpressure_metric_kind"]
        if kind is not None:
            valid_kinds = [member.value for member in QueueBackpressureMetricKind]
            if not isinstance(kind, str) or kind not in valid_kinds:
                raise InvalidInputError(
                    "queue_backpressure_metric_kind", f"must be one of {valid_kinds}, got {shown(kind)}"
                )
        return cls(
            max_batch_size=optional_whole(values["max_batch_size"], "max_batch_size", minimum=1),
            max_input_length=optional_whole(values["max_input_length"], "max_input_length", minimum=1),
            max_context_length=optional_whole(values["max_context_length"], "max_context_length", minimum=1),
            max_token_count=whole(values["max_token_count"], "max_token_count", minimum=1),
            tokenizer_add_special_tokens=_flag(values, "tokenizer_add_special_tokens"),
            tokenizer_skip_special_tokens=_flag(values, "tokenizer_skip_special_tokens"),
            enable_content_logging=optional_flag(values["enable_content_logging"], "enable_content_logging"),
            queue_timeout_ms=optional_whole(values["queue_timeout_ms"], "queue_timeout_ms", minimum=0),
            queue_backpressure_metric_kind=kind,
            queue_backpressure_metric_threshold=optional_number(
                values["queue_backpressure_metric_threshold"], "queue_backpressure_metric_threshold"
            ),
        )

    def to_model(self, *, only: frozenset[str] | None = None) -> EndpointAdvancedConfig:
        """The contract's model; with ``only``, options outside it are left out of the request."""

        def maybe(value: Any, name: str = "") -> Any:
            return UNSET if value is None or (only is not None and name not in only) else value

        kind = self.queue_backpressure_metric_kind
        return EndpointAdvancedConfig(
            tokenizer_skip_special_tokens=self.tokenizer_skip_special_tokens,
            tokenizer_add_special_tokens=self.tokenizer_add_special_tokens,
            max_batch_size=maybe(self.max_batch_size, "max_batch_size"),
            max_token_count=maybe(self.max_token_count, "max_token_count"),
            enable_content_logging=maybe(self.enable_content_logging, "enable_content_logging"),
            max_input_length=maybe(self.max_input_length, "max_input_length"),
            max_context_length=maybe(self.max_context_length, "max_context_length"),
            queue_timeout_ms=maybe(self.queue_timeout_ms, "queue_timeout_ms"),
            queue_backpressure_metric_kind=UNSET
            if kind is None or (only is not None and "queue_backpressure_metric_kind" not in only)
            else QueueBackpressureMetricKind(kind),
            queue_backpressure_metric_threshold=maybe(
                self.queue_backpressure_metric_threshold, "queue_backpressure_metric_threshold"
            ),
        )


def _flag(values: Mapping[str, Any], name: str) -> bool:
    value = values[name]
    if not isinstance(value, bool):
        raise InvalidInputError(name, f"must be True or False, got {shown(value)}")
    return value


def _autoscaling(value: object) -> Autoscaling | None:
    if value is None or isinstance(value, Autoscaling):
        return value
    raise InvalidInputError("autoscaling", f"must be an fd.Autoscaling (or None), got {type(value).__name__}")


def create_body(
    project_id: object,
    name: object,
    model: object,
    instance: object,
    *,
    autoscaling: object,
    revision: object,
    comment: object,
    advanced: Mapping[str, Any],
) -> DedicatedEndpointCreateBody:
    """Validate every create input (nothing is sent if one is wrong) and build the contract's body."""
    option = InstanceOption.coerce(cast(Any, instance), field="instance")
    scaling = _autoscaling(autoscaling)
    simplescale, policy = scaling.to_models() if scaling is not None else (None, None)
    return DedicatedEndpointCreateBody(
        project_id=identifier(project_id, "project_id"),
        name=_required_text(name, "name"),
        instance_option_id=option.id,
        advanced=AdvancedOptions.checked(advanced).to_model(),
        hf_model_repo=_required_text(model, "model"),
        simplescale=UNSET if simplescale is None else simplescale,
        autoscaling_policy=UNSET if policy is None else policy,
        hf_model_repo_revision=_optional_text(revision, "revision"),
        initial_version_comment=_optional_text(comment, "comment"),
    )


def update_body(
    *,
    name: object,
    model: object,
    revision: object,
    instance: object,
    autoscaling: object,
    comment: object,
    has_advanced: bool,
) -> DedicatedEndpointUpdateBody:
    """Validate the update's fields (engine options are checked by ``update_flow``)."""
    scaling = _autoscaling(autoscaling)
    simplescale, policy = scaling.to_models() if scaling is not None else (None, None)
    option = None if instance is None else InstanceOption.coerce(cast(Any, instance), field="instance")
    body = DedicatedEndpointUpdateBody(
        name=_optional_text(name, "name"),
        hf_model_repo=_optional_text(model, "model"),
        hf_model_repo_revision=_optional_text(revision, "revision"),
        instance_option_id=UNSET if option is None else option.id,
        simplescale=UNSET if simplescale is None else simplescale,
        autoscaling_policy=UNSET if policy is None else policy,
        new_version_comment=_optional_text(comment, "comment"),
    )
    if not body.to_dict() and not has_advanced:
        raise InvalidInputError("update", "nothing to update: pass at least one field")
    return body


def advanced_from_spec(current: DedicatedEndpointSpec) -> AdvancedOptions:
    """The engine options an endpoint has now, as the base for a partial update of them."""

    def known(value: Any) -> Any:
        return None if isinstance(value, Unset) else value

    return AdvancedOptions(
        max_batch_size=current.max_batch_size,
        max_input_length=known(current.max_input_length),
        max_context_length=known(current.max_context_length),
        tokenizer_add_special_tokens=current.tokenizer_add_special_tokens,
        tokenizer_skip_special_tokens=current.tokenizer_skip_special_tokens,
    )


def wandb_body(
    artifact: object,
    *,
    instance: object,
    name: object,
    project_id: object,
    idempotency_key: object,
    autoscaling: object,
) -> DedicatedEndpointWandbArtifactCreateBody:
    artifact_name = _required_text(artifact, "artifact")
    option = None if instance is None else InstanceOption.coerce(cast(Any, instance), field="instance")
    scaling = _autoscaling(autoscaling)
    if scaling is not None and scaling.to_models()[1] is None:
        raise InvalidInputError("autoscaling", "W&B endpoints take an autoscaling policy, not Autoscaling.fixed()")
    key = _optional_text(idempotency_key, "idempotency_key")
    project = UNSET if project_id is None else identifier(project_id, "project_id")
    if not isinstance(key, Unset) and isinstance(project, Unset):
        raise InvalidInputError("project_id", "is required with idempotency_key (the API looks the endpoint up in it)")
    return DedicatedEndpointWandbArtifactCreateBody(
        wandb_artifact_version_name=artifact_name,
        accelerator=UNSET if option is None else AcceleratorRequirement(type_=option.gpu.value, count=option.count),
        name=_optional_text(name, "name"),
        project_id=project,
        idempotency_key=key,
        autoscaling_policy=UNSET if scaling is None else (scaling.to_models()[1] or UNSET),
    )


def _required_text(value: object, field: str) -> str:
    checked = text(value, field)
    assert checked is not None  # text() only returns None when optional
    return checked


def _optional_text(value: object, field: str) -> str | Unset:
    return UNSET if value is None else _required_text(value, field)


TOKENIZER_FLAGS = frozenset({"tokenizer_add_special_tokens", "tokenizer_skip_special_tokens"})
"""The engine options the contract requires in every ``advanced`` block."""
