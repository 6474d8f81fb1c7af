"""The contract's operations as ``Call`` values: how each request is built and its reply read.

Requests are built by the generated client's own ``_get_kwargs`` (method, path, parameters, body
and headers exactly as openapi.yaml says), so the facade builds no URL by hand. Replies are parsed
into ``EndpointSpec``, ``EndpointState`` or ``Page`` values (or generated models); a body that does not fit raises
``Malformed`` (the transport reports it as ``ResponseFormatError``). Of the inference surface, the SDK
sends one operation itself, tokenization (``tokenize``: the check that an endpoint serves); the
others are the ``openai`` package's to send, under ``INFERENCE_PATH``.

>>> call = status("ep-1", None)
>>> call.label, call.idempotent
('GET /dedicated/beta/endpoint/ep-1/status', True)
>>> call.parse(b'{"status": "RUNNING"}').status.value
'RUNNING'
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from types import ModuleType
from typing import Any, Generic, TypeVar

import attrs

from friendli_dedicated._cost_report import CostEntry, bucket_of
from friendli_dedicated._models import EndpointSpec, EndpointState, EndpointVersion
from friendli_dedicated._parsing import Malformed, from_generated, json_object
from friendli_dedicated._transport import Call
from friendli_dedicated_api.api.cost import get_cost
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
from friendli_dedicated_api.api.dedicated_token import dedicated_tokenization
from friendli_dedicated_api.models import (
    CostBucketWidth,
    CostGroupBy,
    DedicatedEndpointCreateBody,
    DedicatedEndpointUpdateBody,
    DedicatedEndpointWandbArtifactCreateBody,
    DedicatedEndpointWandbArtifactCreateResponse,
    DedicatedTokenizationBody,
)
from friendli_dedicated_api.types import UNSET, Unset

__all__ = [
    "INFERENCE_PATH",
    "LIFECYCLE_ACTIONS",
    "Page",
    "cost_page",
    "create",
    "create_from_wandb",
    "delete",
    "lifecycle",
    "list_page",
    "operation_id",
    "spec",
    "status",
    "tokenize",
    "update",
    "versions_page",
]

T = TypeVar("T")


@attrs.frozen
class Page(Generic[T]):
    """One page of a listing: its items (each with its key) and the cursor of the next page."""

    items: list[tuple[str, T]]
    next_cursor: str | None


def _team(team_id: str | None) -> str | Unset:
    return UNSET if team_id is None else team_id


def operation_id(module: ModuleType) -> str:
    """The contract's operationId of a generated operation module (the generator snake-cases it).

    >>> operation_id(dedicated_get_endpoint_status)
    'dedicatedGetEndpointStatus'
    """
    first, *rest = module.__name__.rsplit(".", 1)[-1].split("_")
    return first + "".join(word.capitalize() for word in rest)


# -- single calls ---------------------------------------------------------------------------------
def status(endpoint_id: str, team_id: str | None) -> Call[EndpointState]:
    kwargs = dedicated_get_endpoint_status._get_kwargs(endpoint_id=endpoint_id, x_friendli_team=_team(team_id))
    return Call(kwargs, idempotent=True, parse=_state, operation=_STATUS, endpoint_id=endpoint_id)


def spec(endpoint_id: str, team_id: str | None) -> Call[EndpointSpec]:
    kwargs = dedicated_get_endpoint._get_kwargs(endpoint_id=endpoint_id, x_friendli_team=_team(team_id))
    return Call(kwargs, idempotent=True, parse=_spec, operation=_SPEC, endpoint_id=endpoint_id)


def delete(endpoint_id: str, team_id: str | None) -> Call[None]:
    kwargs = dedicated_delete_endpoint._get_kwargs(endpoint_id=endpoint_id, x_friendli_team=_team(team_id))
    return Call(kwargs, idempotent=True, parse=_nothing, operation=_DELETE, endpoint_id=endpoint_id)


LIFECYCLE_ACTIONS: Mapping[str, Any] = {
    "sleep": dedicated_sleep_endpoint,
    "wake": dedicated_wake_endpoint,
    "terminate": dedicated_terminate_endpoint,
    "restart": dedicated_restart_endpoint,
}
"""The lifecycle PUTs, by the name of the facade method that sends them."""

# The operationIds, computed once (a Call is built per request).
_STATUS, _SPEC, _DELETE = (
    operation_id(m) for m in (dedicated_get_endpoint_status, dedicated_get_endpoint, dedicated_delete_endpoint)
)
_LIST, _VERSIONS = operation_id(dedicated_list_endpoints), operation_id(dedicated_get_endpoint_version_history)
_CREATE, _UPDATE = operation_id(dedicated_create_endpoint), operation_id(dedicated_update_endpoint)
_WANDB = operation_id(dedicated_endpoint_wandb_artifact_create)
_LIFECYCLE = {action: operation_id(module) for action, module in LIFECYCLE_ACTIONS.items()}


def lifecycle(action: str, endpoint_id: str, team_id: str | None) -> Call[EndpointState]:
    """sleep, wake, terminate or restart: PUTs that are safe to repeat, so they are retried."""
    module = LIFECYCLE_ACTIONS[action]
    kwargs = module._get_kwargs(endpoint_id=endpoint_id, x_friendli_team=_team(team_id))
    return Call(kwargs, idempotent=True, parse=_state, operation=_LIFECYCLE[action], endpoint_id=endpoint_id)


def list_page(project_id: str | None, cursor: str | None, limit: int, team_id: str | None) -> Call[Page[EndpointState]]:
    kwargs = dedicated_list_endpoints._get_kwargs(project_id=project_id, **_paging(cursor, limit, team_id))
    return Call(kwargs, idempotent=True, parse=_status_page, operation=_LIST, project_id=project_id)


def versions_page(endpoint_id: str, cursor: str | None, limit: int, team_id: str | None) -> Call[Page[EndpointVersion]]:
    paging = _paging(cursor, limit, team_id)
    kwargs = dedicated_get_endpoint_version_history._get_kwargs(endpoint_id=endpoint_id, **paging)
    return Call(kwargs, idempotent=True, parse=_version_page, operation=_VERSIONS, endpoint_id=endpoint_id)


def _paging(cursor: str | None, limit: int, team_id: str | None) -> dict[str, Any]:
    """The parameters both listings take: where the page starts, its size, the team."""
    return {"cursor": UNSET if cursor is None else cursor, "limit": limit, "x_friendli_team": _team(team_id)}


def cost_page(
    start: dt.datetime, end: dt.datetime, page: str | None, limit: int, team_id: str | None
) -> Call[Page[list[CostEntry]]]:
    """One page of the team's cost: ``limit`` daily buckets from ``page`` (None: the first), grouped
    by line item (one entry per endpoint and GPU a day)."""
    kwargs = get_cost._get_kwargs(
        start_time=start,
        end_time=end,
        bucket_width=CostBucketWidth("1d"),
        limit=limit,
        page=UNSET if page is None else page,
        group_by=CostGroupBy.LINE_ITEM,
        x_friendli_team=_team(team_id),
    )
    return Call(kwargs, idempotent=True, parse=_cost_page)


def create(body: DedicatedEndpointCreateBody, team_id: str | None) -> Call[EndpointState]:
    # Never retried once it may have reached the server: a duplicate endpoint is a duplicate bill.
    kwargs = dedicated_create_endpoint._get_kwargs(body=body, x_friendli_team=_team(team_id))
    return Call(kwargs, idempotent=False, parse=_state, operation=_CREATE, project_id=body.project_id)


def create_from_wandb(
    body: DedicatedEndpointWandbArtifactCreateBody, team_id: str | None
) -> Call[DedicatedEndpointWandbArtifactCreateResponse]:
    # With an idempotency key the server rolls out the existing endpoint instead of creating a
    # second one, so a retry is safe; without one it is not.
    kwargs = dedicated_endpoint_wandb_artifact_create._get_kwargs(body=body, x_friendli_team=_team(team_id))
    idempotent = isinstance(body.idempotency_key, str)
    project_id = body.project_id if isinstance(body.project_id, str) else None
    return Call(kwargs, idempotent=idempotent, parse=_wandb_response, operation=_WANDB, project_id=project_id)


def update(endpoint_id: str, body: DedicatedEndpointUpdateBody, team_id: str | None) -> Call[EndpointSpec]:
    # Each update adds a version to the history: not retried once it may have reached the server.
    kwargs = dedicated_update_endpoint._get_kwargs(endpoint_id=endpoint_id, body=body, x_friendli_team=_team(team_id))
    return Call(kwargs, idempotent=False, parse=_spec, operation=_UPDATE, endpoint_id=endpoint_id)


# -- the inference surface ------------------------------------------------------------------------
def tokenize(endpoint_id: str, text: str, team_id: str | None) -> Call[list[int]]:
    """Tokenize ``text`` with the endpoint's tokenizer (``model`` is the endpoint's id): nothing is
    generated and nothing changes, so it is retried like a read."""
    body = DedicatedTokenizationBody(model=endpoint_id, prompt=text)
    kwargs = dedicated_tokenization._get_kwargs(body=body, x_friendli_team=_team(team_id))
    return Call(kwargs, idempotent=True, parse=_tokens)


_TOKENIZE_URL: str = dedicated_tokenization._get_kwargs(body=DedicatedTokenizationBody(model="", prompt=""))["url"]
INFERENCE_PATH = _TOKENIZE_URL.rsplit("/", 1)[0]
"""The path under the API's base URL where the inference operations live (``/dedicated/v1``): the
directory of the contract's tokenization path, so a move upstream moves it too. The OpenAI-compatible
clients append the rest (``/chat/completions``, ``/completions``), which the contract has there too
(``tests/emulator/test_sdk_requests_in_contract.py``)."""


# -- parsing --------------------------------------------------------------------------------------
def _state(content: bytes) -> EndpointState:
    return EndpointState.from_json(json_object(content))


def _spec(content: bytes) -> EndpointSpec:
    return EndpointSpec.from_json(json_object(content))


def _nothing(content: bytes) -> None:
    return None


def _tokens(content: bytes) -> list[int]:
    tokens = json_object(content).get("tokens")
    if not isinstance(tokens, list) or not all(isinstance(token, int) for token in tokens):
        raise Malformed(f"'tokens' must be a list of integers, got {type(tokens).__name__}")
    return tokens


def _wandb_response(content: bytes) -> DedicatedEndpointWandbArtifactCreateResponse:
    parsed = from_generated(
        DedicatedEndpointWandbArtifactCreateResponse.from_dict, json_object(content), "W&B create response"
    )
    if not isinstance(parsed.endpoint_id, str) or not parsed.endpoint_id:
        raise Malformed(f"'endpointId' must be a non-empty string, got {type(parsed.endpoint_id).__name__}")
    return parsed


def _page(content: bytes, item: Callable[[str, Any], T]) -> Page[T]:
    data = json_object(content)
    items = data.get("data", {})
    if not isinstance(items, dict):
        raise Malformed(f"'data' is {type(items).__name__}, not an object")
    cursor = data.get("nextCursor")
    if cursor is not None and not isinstance(cursor, str):
        raise Malformed(f"'nextCursor' is {type(cursor).__name__}, not a string")
    return Page([(key, item(key, value)) for key, value in items.items()], cursor or None)


def _status_page(content: bytes) -> Page[EndpointState]:
    return _page(content, lambda _key, value: EndpointState.from_json(value))


def _cost_page(content: bytes) -> Page[list[CostEntry]]:
    # Amounts are read as Decimal, a JSON number too: never through a float, which would round them.
    data = json_object(content, exact=True)
    buckets = data.get("data")
    if not isinstance(buckets, list):
        raise Malformed(f"'data' is {type(buckets).__name__}, not a list")
    more, following = data.get("has_more"), data.get("next_page")
    if not isinstance(more, bool):
        raise Malformed(f"'has_more' is {type(more).__name__}, not a boolean")
    if more and (not isinstance(following, str) or not following):
        raise Malformed("'has_more' is true but 'next_page' is not a cursor")
    return Page([bucket_of(bucket) for bucket in buckets], following if more else None)


def _version_page(content: bytes) -> Page[EndpointVersion]:
    return _page(content, lambda key, value: EndpointVersion(key, EndpointSpec.from_json(value, f"version {key}")))
