"""The checks of ``client.endpoints``' arguments that both shells share (``_resources``, ``_async_resources``).

Each turns a method's arguments into what its call or flow needs, checking them first, so that a refused
argument sends nothing: ids, names, a wait's terms, ``check_serving``'s deadline, an ``ephemeral`` block's
plan, a rollout's flow.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from friendli_dedicated import _ephemeral, _flows as flows, _rollout, _waiter
from friendli_dedicated._models import Status
from friendli_dedicated._rollout_result import Rollout
from friendli_dedicated._validate import callback, flag, identifier, seconds, text
from friendli_dedicated_api.models import DedicatedEndpointCreateBody

if TYPE_CHECKING:
    from friendli_dedicated._client import AsyncClient, Client

__all__ = ["_check_deadline", "_endpoint_id", "_name", "_plan", "_project", "_rollout_start", "_terms"]


def _endpoint_id(value: object) -> str:
    return identifier(value, "endpoint_id")


def _terms(
    client: Client | AsyncClient,
    timeout: object,
    poll: object,
    wake: object,
    progress: object,
    until: Status = Status.RUNNING,
    serving: object = False,
) -> _waiter.Terms:
    """A wait's arguments, checked, on the client's clock (its deadline starts now)."""
    clock, random = client._sender.clock, client._sender.random
    return _waiter.Terms.check(
        timeout=timeout,
        poll=poll,
        wake=wake,
        on_progress=progress,
        clock=clock,
        random=random,
        until=until,
        serving=serving,
    )


def _check_deadline(client: Client | AsyncClient, timeout: object) -> tuple[float, float]:
    """``check_serving``'s timeout (> 0 seconds), checked, and its deadline on the client's clock."""
    limit = seconds(timeout, "timeout", allow_zero=False)
    return limit, client._sender.clock() + limit


def _plan(
    client: Client | AsyncClient,
    body: DedicatedEndpointCreateBody,
    given: set[str],
    wait: dict[str, Any],
    wait_terminated: object,
) -> _ephemeral.Plan:
    """An ``ephemeral`` block's arguments, each checked now, before anything is created (the wait's
    as ``wait_until_running`` checks them; its deadline starts when the block is entered)."""
    _terms(client, wait["timeout"], wait["poll"], False, None)
    callback(wait["on_progress"], "on_progress", arguments=2)
    return _ephemeral.Plan(body, given, wait, flag(wait_terminated, "wait_terminated"))


def _rollout_start(
    client: Client | AsyncClient,
    endpoint_id: object,
    changes: Mapping[str, Any],
    *,
    timeout: object,
    rollback: object,
    rollback_timeout: object,
    previous_model: object,
    previous_revision: object,
    on_progress: object,
    poll: object,
    serving: object,
) -> flows.Flow[Rollout]:
    """A rollout's arguments, checked, and its flow, on the client's clock (see ``Endpoints.rollout``)."""
    return _rollout.start(
        _endpoint_id(endpoint_id),
        client.team_id,
        changes,
        timeout=timeout,
        rollback=rollback,
        rollback_timeout=rollback_timeout,
        previous_model=previous_model,
        previous_revision=previous_revision,
        poll=poll,
        on_progress=on_progress,
        serving=serving,
        clock=client._sender.clock,
        random=client._sender.random,
    )


def _name(value: object) -> str:
    checked = text(value, "name")
    assert checked is not None  # text() returns None only when optional
    return checked


def _project(project_id: object) -> str | None:
    return None if project_id is None else identifier(project_id, "project_id")
