"""The contract's operations as ``Call`` values, and the multi-call flows built from them.

Requests are built by the generated client's own ``_get_kwargs`` (method, path, parameters, body
and headers exactly as openapi.yaml says), so the facade builds no URL by hand. Responses are parsed
into generated models or ``EndpointState``. Flows that need several calls (create, pagination) are
generators that yield ``Call`` or ``Pause`` values and receive results: the sync and async clients
drive the same flow, each with its own I/O.
"""

from __future__ import annotations

import functools
from collections.abc import Generator, Mapping
from typing import Any, Generic, TypeAlias, TypedDict, TypeVar, cast

import attrs
import httpx

from friendli_dedicated._autoscaling import Autoscaling
from friendli_dedicated._instances import InstanceOption
from friendli_dedicated._models import EndpointState
from friendli_dedicated._transport import Call, json_object
from friendli_dedicated._validate import identifier, optional_flag, optional_number, optional_whole, text, whole
from friendli_dedicated.errors import (
    EndpointCreationUnresolvedError,
    FriendliError,
    InvalidInputError,
    ResponseFormatError,
)
from friendli_dedicated_api.api.dedicated_endpoint import (
    dedicated_create_endpoint,
    dedicated_delete_endpoint,
    dedicated_endpoint_wandb_artifact_create,
    dedicated_get_endpoint,
    dedicated_get_endpoint_status,
    dedicated_get_endpoint_version_history,
    dedicated_list_endpoints,
    dedicated_restart_endpoint,
    dedicated_sleep_endpoint,
    dedicated_terminate_endpoint,
    dedicated_update_endpoint,
    dedicated_wake_endpoint,
)
from friendli_dedicated_api.models import (
    AcceleratorRequirement,
    DedicatedEndpointCreateBody,
    DedicatedEndpointSpec,
    DedicatedEndpointUpdateBody,
    DedicatedEndpointWandbArtifactCreateBody,
    DedicatedEndpointWandbArtifactCreateResponse,
    EndpointAdvancedConfig,
    QueueBackpressureMetricKind,
)
from friendli_dedicated_api.types import UNSET, Unset

T = TypeVar("T")

# Where a server that does return the new endpoint's id would put it (the contract does not say).
_ID_FIELDS = ("endpointId", "endpoint_id", "id")
# After create, the listing may lag behind: look again after these pauses before giving up.
_CREATE_RELIST_PAUSES = (0.5, 1.0, 2.0)


@attrs.frozen
class Pause:
    """A flow step: sleep this long (on the client's sleep) before the next call."""

    seconds: float


@attrs.frozen
class Page(Generic[T]):
    items: list[T]
    next_cursor: str | None


@attrs.frozen
class EndpointVersion:
    """One entry of an endpoint's version history: the version's id and its specification."""

    version_id: str
    spec: DedicatedEndpointSpec


Step: TypeAlias = Call[Any] | Pause
Flow: TypeAlias = Generator[Step, Any, T]


def _team(team_id: str | None) -> str | Unset:
    return UNSET if team_id is None else team_id


# -- single calls ---------------------------------------------------------------------------------
# Calls are immutable values of their arguments: the ones a waiter repeats (status, and the
# lifecycle PUTs) are built once per endpoint rather than on every poll.
@functools.lru_cache(maxsize=1024)
def status(endpoint_id: str, team_id: str | None) -> Call[EndpointState]:
    kwargs = dedicated_get_endpoint_status._get_kwargs(endpoint_id=endpoint_id, x_friendli_team=_team(team_id))
    return Call(kwargs, idempotent=True, parse=_state)


def spec(endpoint_id: str, team_id: str | None) -> Call[DedicatedEndpointSpec]:
    kwargs = dedicated_get_endpoint._get_kwargs(endpoint_id=endpoint_id, x_friendli_team=_team(team_id))
    return Call(kwargs, idempotent=True, parse=_spec)


def delete(endpoint_id: str, team_id: str | None) -> Call[None]:
    kwargs = dedicated_delete_endpoint._get_kwargs(endpoint_id=endpoint_id, x_friendli_team=_team(team_id))
    return Call(kwargs, idempotent=True, parse=_nothing)


_LIFECYCLE = {
    "sleep": dedicated_sleep_endpoint,
    "wake": dedicated_wake_endpoint,
    "terminate": dedicated_terminate_endpoint,
    "restart": dedicated_restart_endpoint,
}


@functools.lru_cache(maxsize=1024)
def lifecycle(action: str, endpoint_id: str, team_id: str | None) -> Call[EndpointState]:
    """sleep, wake, terminate or restart: PUTs that are safe to repeat, so they are retried."""
    module = _LIFECYCLE[action]
    kwargs = module._get_kwargs(endpoint_id=endpoint_id, x_friendli_team=_team(team_id))
    return Call(kwargs, idempotent=True, parse=_state)


def list_page(project_id: str | None, cursor: str | None, limit: int, team_id: str | None) -> Call[Page[Any]]:
    kwargs = dedicated_list_endpoints._get_kwargs(
        project_id=project_id,
        cursor=UNSET if cursor is None else cursor,
        limit=limit,
        x_friendli_team=_team(team_id),
    )
    return Call(kwargs, idempotent=True, parse=_status_page)


def versions_page(endpoint_id: str, cursor: str | None, limit: int, team_id: str | None) -> Call[Page[Any]]:
    kwargs = dedicated_get_endpoint_version_history._get_kwargs(
        endpoint_id=endpoint_id,
        cursor=UNSET if cursor is None else cursor,
        limit=limit,
        x_friendli_team=_team(team_id),
    )
    return Call(kwargs, idempotent=True, parse=_version_page)


def create(body: DedicatedEndpointCreateBody, team_id: str | None) -> Call[EndpointState]:
    # Never retried once it may have reached the server: a duplicate endpoint is a duplicate bill.
    kwargs = dedicated_create_endpoint._get_kwargs(body=body, x_friendli_team=_team(team_id))
    return Call(kwargs, idempotent=False, parse=_state)


def create_from_wandb(
    body: DedicatedEndpointWandbArtifactCreateBody, team_id: str | None
) -> Call[DedicatedEndpointWandbArtifactCreateResponse]:
    # With an idempotency key the server rolls out the existing endpoint instead of creating a
    # second one, so a retry is safe; without one it is not.
    kwargs = dedicated_endpoint_wandb_artifact_create._get_kwargs(body=body, x_friendli_team=_team(team_id))
    idempotent = isinstance(body.idempotency_key, str)
    return Call(kwargs, idempotent=idempotent, parse=_wandb_response)


def update(endpoint_id: str, body: DedicatedEndpointUpdateBody, team_id: str | None) -> Call[DedicatedEndpointSpec]:
    # Each update adds a version to the history: not retried once it may have reached the server.
    kwargs = dedicated_update_endpoint._get_kwargs(endpoint_id=endpoint_id, body=body, x_friendli_team=_team(team_id))
    return Call(kwargs, idempotent=False, parse=_spec)


# -- parsing --------------------------------------------------------------------------------------
def _state(response: httpx.Response) -> EndpointState:
    return EndpointState.from_json(json_object(response))


def _spec(response: httpx.Response) -> DedicatedEndpointSpec:
    return DedicatedEndpointSpec.from_dict(json_object(response))


def _nothing(response: httpx.Response) -> None:
    return None


def _wandb_response(response: httpx.Response) -> DedicatedEndpointWandbArtifactCreateResponse:
    parsed = DedicatedEndpointWandbArtifactCreateResponse.from_dict(json_object(response))
    if not isinstance(parsed.endpoint_id, str) or not parsed.endpoint_id:
        raise TypeError(f"'endpointId' must be a non-empty string, got {parsed.endpoint_id!r}")
    return parsed


def _page(response: httpx.Response) -> tuple[Mapping[str, Any], str | None]:
    data = json_object(response)
    items = data.get("data", {})
    if not isinstance(items, dict):
        raise TypeError(f"'data' is {type(items).__name__}, not an object")
    cursor = data.get("nextCursor")
    if cursor is not None and not isinstance(cursor, str):
        raise TypeError(f"'nextCursor' is {type(cursor).__name__}, not a string")
    return items, cursor or None


def _status_page(response: httpx.Response) -> Page[tuple[str, EndpointState]]:
    items, cursor = _page(response)
    return Page([(key, EndpointState.from_json(value)) for key, value in items.items()], cursor)


def _version_page(response: httpx.Response) -> Page[EndpointVersion]:
    items, cursor = _page(response)
    return Page([EndpointVersion(key, DedicatedEndpointSpec.from_dict(value)) for key, value in items.items()], cursor)


# -- inputs ---------------------------------------------------------------------------------------
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
                raise InvalidInputError("queue_backpressure_metric_kind", f"must be one of {valid_kinds}, got {kind!r}")
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
        raise InvalidInputError(name, f"must be True or False, got {value!r}")
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


# -- flows ----------------------------------------------------------------------------------------
def next_cursor(page: Page[Any], seen: set[str]) -> str | None:
    """The cursor of the next page, or None at the end; a cursor seen before is a server bug that
    would loop forever, so it ends the iteration with an error instead."""
    cursor = page.next_cursor
    if cursor is None:
        return None
    if cursor in seen:
        raise ResponseFormatError(
            f"the server returned the pagination cursor {cursor!r} twice; stopping to avoid an endless loop",
            status_code=200,
        )
    seen.add(cursor)
    return cursor


def collect(project_id: str | None, team_id: str | None) -> Flow[dict[str, EndpointState]]:
    """All endpoints of a project (every page), as id -> state."""
    found: dict[str, EndpointState] = {}
    cursor: str | None = None
    seen: set[str] = set()
    while True:
        page: Page[tuple[str, EndpointState]] = yield list_page(project_id, cursor, 100, team_id)
        found.update(page.items)
        cursor = next_cursor(page, seen)
        if cursor is None:
            return found


def create_flow(body: DedicatedEndpointCreateBody, team_id: str | None) -> Flow[tuple[str, EndpointState]]:
    """Create an endpoint and find its id.

    The contract's create response is a status without the endpoint's id. The id is taken from the
    response when the server sends one anyway (``endpointId`` or ``id``); otherwise the project is
    listed before and after; the new id is the one that appeared with the requested name (the
    listing is read again after short pauses while it lags). If that is impossible,
    EndpointCreationUnresolvedError says the endpoint may exist and lists the candidates.
    """
    project_id, name = body.project_id, body.name
    before = yield from collect(project_id, team_id)
    state: EndpointState = yield create(body, team_id)
    for field in _ID_FIELDS:
        value = state.raw.get(field)
        if isinstance(value, str) and value:
            return value, state

    def unresolved(reason: str, candidates: tuple[str, ...] = ()) -> EndpointCreationUnresolvedError:
        return EndpointCreationUnresolvedError(
            f"the endpoint {name!r} was accepted in project {project_id!r} but its id could not be determined "
            f"({reason}); it may exist and bill for GPUs: check `endpoints.list({project_id!r})`",
            project_id=project_id,
            name=name,
            candidates=candidates,
        )

    # A new id is trusted only once its name matches: another client may create an endpoint in the
    # same project at the same moment, and the listing may not show ours yet.
    names: dict[str, str] = {}
    new: list[str] = []
    for pause in (*_CREATE_RELIST_PAUSES, None):
        try:
            after = yield from collect(project_id, team_id)
        except FriendliError as exc:
            raise unresolved(f"listing the project failed: {exc}") from exc
        new = [endpoint_id for endpoint_id in after if endpoint_id not in before]
        for candidate in new:
            if candidate not in names:
                try:
                    candidate_spec: DedicatedEndpointSpec = yield spec(candidate, team_id)
                except FriendliError as exc:
                    raise unresolved(f"reading candidate {candidate!r} failed: {exc}", tuple(new)) from exc
                names[candidate] = candidate_spec.name
        named = [candidate for candidate in new if names[candidate] == name]
        if len(named) == 1:
            return named[0], state
        if len(named) > 1:
            raise unresolved(f"{len(named)} new endpoints are named {name!r}", tuple(named))
        if pause is not None:
            yield Pause(pause)
    if new:
        raise unresolved(f"none of the new endpoints {new} is named {name!r}", tuple(new))
    raise unresolved("no new endpoint appeared in the project's listing")


_TOKENIZER_FLAGS = frozenset({"tokenizer_add_special_tokens", "tokenizer_skip_special_tokens"})


def update_flow(
    endpoint_id: str, team_id: str | None, body: DedicatedEndpointUpdateBody, advanced: Mapping[str, Any]
) -> Flow[DedicatedEndpointSpec]:
    """Update an endpoint. Engine options are sent as a whole block whose tokenizer flags the
    contract requires: flags not given are taken from the endpoint's current specification."""
    if advanced:
        AdvancedOptions.checked(advanced)  # every option checked before the first request
        base = None
        if not set(advanced) >= _TOKENIZER_FLAGS:
            current: DedicatedEndpointSpec = yield spec(endpoint_id, team_id)
            base = advanced_from_spec(current)
        # Send only what the caller changed (plus the flags the contract requires), so options the
        # specification does not report (max_token_count, queue_*) are not reset to defaults.
        only = frozenset(advanced) | _TOKENIZER_FLAGS
        body.advanced = AdvancedOptions.checked(advanced, defaults=base).to_model(only=only)
    updated: DedicatedEndpointSpec = yield update(endpoint_id, body, team_id)
    return updated
