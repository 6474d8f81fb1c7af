"""Request bodies from the facade's arguments: every input checked before anything is sent.

Each builder validates all of its inputs first (``InvalidInputError`` naming the field) and only
then builds the contract's body model, so a refused call is never half sent.

>>> body = create_body("proj", "chat", "org/model", "H100", autoscaling=None, revision=None, comment=None, advanced={})
>>> body.instance_option_id == InstanceOption.parse("1x H100").id, body.advanced.max_token_count
(True, 2560)
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, cast

from friendli_dedicated._autoscaling import Autoscaling
from friendli_dedicated._engine import check, check_extra, create_block
from friendli_dedicated._instances import GPU, InstanceOption, UnlistedInstanceOption
from friendli_dedicated._validate import identifier, text
from friendli_dedicated.errors import InvalidInputError
from friendli_dedicated_api._contract import EngineOptions
from friendli_dedicated_api.models import (
    AcceleratorRequirement,
    DedicatedEndpointCreateBody,
    DedicatedEndpointUpdateBody,
    DedicatedEndpointWandbArtifactCreateBody,
)
from friendli_dedicated_api.types import UNSET, Unset

__all__ = ["EndpointChanges", "create_body", "update_body", "wandb_body"]


class EndpointChanges(EngineOptions, total=False):
    """The keyword arguments of an update (``Endpoint.update``, ``Endpoints.update``): only the
    given fields change; the engine options are those of ``EngineOptions``.

    A service can build its changes as data, and type checkers check them::

        changes: fd.EndpointChanges = {"max_batch_size": 64, "comment": "bigger batches"}
        endpoint.update(**changes)
    """

    name: str | None
    model: str | None
    revision: str | None
    instance: InstanceOption | UnlistedInstanceOption | GPU | str | None
    autoscaling: Autoscaling | None
    comment: str | None
    extra_engine_options: Mapping[str, Any] | None


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
    extra_engine_options: object = None,
) -> DedicatedEndpointCreateBody:
    """Validate every create input (nothing is sent if one is wrong) and build the contract's body."""
    option = InstanceOption.coerce(cast(Any, instance), field="instance")
    scaling = _autoscaling(autoscaling)
    simplescale, policy = scaling.to_models() if scaling is not None else (None, None)
    return DedicatedEndpointCreateBody(
        project_id=identifier(project_id, "project_id"),
        name=_required_text(name, "name"),
        instance_option_id=option.id,
        advanced=create_block(advanced, extra_engine_options),
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
    advanced: Mapping[str, Any],
    extra_engine_options: object = None,
) -> DedicatedEndpointUpdateBody:
    """Validate the update's fields, engine options included (``update_flow`` builds their block)."""
    given, extras = check(advanced), check_extra(extra_engine_options, advanced)
    has_advanced = bool(given) or bool(extras)
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
    if isinstance(option, UnlistedInstanceOption):
        # The W&B body names an accelerator by GPU kind and count, which an unlisted id does not say.
        raise InvalidInputError("instance", "W&B creates take a listed instance option (a GPU kind and count)")
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
