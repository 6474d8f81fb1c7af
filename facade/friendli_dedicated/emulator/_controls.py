"""The logic of the emulator's test controls: faults and failures on demand, and where time stops.

Random faults (``Faults``) show that a client survives a bad network in general; a test of one
behaviour needs one fault in one place: "the next create gets a 503", "this deployment fails
with an out-of-memory error". ``Injections`` holds the faults asked for, per operation of the
contract, first asked first served; ``_admission`` takes one when a request of that operation
arrives (matched by its route) and answers with it instead of handling the request, so nothing
changes.

Operations are named by the contract's ``operationId`` or by the SDK's name for them
(``OPERATION_NAMES``: ``create`` is ``dedicatedCreateEndpoint``, ...). The checks here refuse a
bad value with ``InvalidInputError`` naming the field, before anything changes.

``fail_endpoint`` makes an endpoint's transition end FAILED (``Emulator.fail``), and
``next_transition`` says when any endpoint changes next, where ``Emulator.sleep`` stops.

>>> injections = Injections()
>>> injections.add("dedicatedCreateEndpoint", InjectedFault("503"), times=1)
>>> injections.take("dedicatedCreateEndpoint").kind, injections.take("dedicatedCreateEndpoint")
('503', None)
"""

from __future__ import annotations

import collections
import http
import threading
from collections.abc import Iterable, Mapping
from types import MappingProxyType
from typing import Any

import attrs

from friendli_dedicated._validate import shown
from friendli_dedicated.emulator import _lifecycle as life
from friendli_dedicated.emulator._checks import duration, integer
from friendli_dedicated.emulator._contract import Contract
from friendli_dedicated.emulator._faults import MAX_WAIT, SEED_MAX
from friendli_dedicated.emulator._http import Response, retry_after_headers
from friendli_dedicated.emulator._records import EndpointRecord
from friendli_dedicated.errors import InvalidInputError

__all__ = [
    "OPERATION_NAMES",
    "InjectedFault",
    "Injections",
    "checked_failure",
    "checked_fault",
    "checked_times",
    "facade_name",
    "fail_endpoint",
    "next_transition",
    "operation_id",
]

OPERATION_NAMES: Mapping[str, str] = MappingProxyType(
    {
        "create": "dedicatedCreateEndpoint",
        "create_from_wandb": "dedicatedEndpointWandbArtifactCreate",
        "get": "dedicatedGetEndpoint",
        "status": "dedicatedGetEndpointStatus",
        "list": "dedicatedListEndpoints",
        "versions": "dedicatedGetEndpointVersionHistory",
        "update": "dedicatedUpdateEndpoint",
        "delete": "dedicatedDeleteEndpoint",
        "sleep": "dedicatedSleepEndpoint",
        "wake": "dedicatedWakeEndpoint",
        "terminate": "dedicatedTerminateEndpoint",
        "restart": "dedicatedRestartEndpoint",
    }
)
"""The SDK's name of each operation (``client.endpoints.<name>``) -> the contract's ``operationId``."""

_FACADE_NAMES = {operation: name for name, operation in OPERATION_NAMES.items()}


def facade_name(operation: str | None) -> str | None:
    """The SDK's name for the operation ``operation`` (an operationId), or None if it has none.

    >>> facade_name("dedicatedGetEndpointStatus"), facade_name(None)
    ('status', None)
    """
    return None if operation is None else _FACADE_NAMES.get(operation)


def operation_id(contract: Contract, operation: Any, field: str) -> str:
    """The operationId that ``operation`` (an operationId of ``contract`` or the SDK's name) stands for."""
    if isinstance(operation, str):
        if operation in OPERATION_NAMES:
            return OPERATION_NAMES[operation]
        if any(known.operation_id == operation for known in contract.operations):
            return operation
    raise InvalidInputError(
        field,
        f"must be one of {sorted(OPERATION_NAMES)} or an operationId of the contract "
        f"(such as 'dedicatedCreateEndpoint'), got {shown(operation)}",
    )


@attrs.frozen
class InjectedFault:
    """A fault to answer a request with: ``kind`` is a status ("429", "503", ...) or "drop" (no response).

    >>> InjectedFault("429", retry_after=2).response().headers["retry-after"]
    '2'
    """

    kind: str
    retry_after: float | None = None

    def response(self) -> Response:
        """The response that answers the request instead of the emulator (``Response.drop()`` for "drop")."""
        if self.kind == "drop":
            return Response.drop()
        status = int(self.kind)
        try:
            reason = http.HTTPStatus(status).phrase
        except ValueError:
            reason = "Server Error"
        headers = retry_after_headers(self.retry_after) if self.retry_after is not None else {}
        return Response.detail(status, f"{reason} (injected fault)", headers)


def checked_fault(status: Any, retry_after: Any) -> InjectedFault:
    """An ``InjectedFault`` from ``Emulator.inject``'s ``status`` (429, a 5xx or "drop") and ``retry_after``."""
    if status == "drop" and isinstance(status, str):
        kind = "drop"
    elif isinstance(status, int) and not isinstance(status, bool) and (status == 429 or 500 <= status <= 599):
        kind = str(status)
    else:
        raise InvalidInputError(
            "Emulator.inject.status", f"must be 429, a 5xx status (500 to 599) or 'drop', got {shown(status)}"
        )
    wait = None if retry_after is None else duration(retry_after, "Emulator.inject.retry_after", maximum=MAX_WAIT)
    return InjectedFault(kind, wait)


def checked_times(times: Any) -> int:
    """How many requests a fault answers: a whole number >= 1."""
    return integer(times, "Emulator.inject.times", minimum=1, maximum=SEED_MAX)


def checked_failure(contract: Contract, error_code: Any, phase: Any) -> tuple[str, str | None]:
    """``Emulator.fail``'s ``error_code`` (an ``InferenceDeploymentErrorCode``) and ``phase`` (one of the
    contract's phases, or None)."""
    if not isinstance(error_code, str) or error_code not in contract.error_codes:
        raise InvalidInputError(
            "Emulator.fail.error_code",
            f"must be an InferenceDeploymentErrorCode of the contract (such as {contract.error_codes[0]!r}), "
            f"got {shown(error_code)}",
        )
    if phase is not None and (not isinstance(phase, str) or phase not in contract.phases):
        raise InvalidInputError(
            "Emulator.fail.phase", f"must be None or one of {list(contract.phases)}, got {shown(phase)}"
        )
    return error_code, phase


class Injections:
    """The faults asked for and not yet used, per operationId, in the order they were asked for. Thread-safe."""

    def __init__(self) -> None:
        self._pending: dict[str, collections.deque[list[Any]]] = {}
        self._lock = threading.Lock()

    def add(self, operation: str, fault: InjectedFault, *, times: int) -> None:
        """Answer the next ``times`` requests of ``operation`` (after those already asked for) with ``fault``."""
        with self._lock:
            self._pending.setdefault(operation, collections.deque()).append([fault, times])

    def take(self, operation: str) -> InjectedFault | None:
        """The fault for a request of ``operation`` now, used up; None to handle the request."""
        with self._lock:
            queue = self._pending.get(operation)
            if not queue:
                return None
            entry = queue[0]
            entry[1] -= 1
            if entry[1] == 0:
                queue.popleft()
            fault: InjectedFault = entry[0]
            return fault

    def pending(self) -> dict[str, int]:
        """How many injected faults are still to come, per operationId (none: an empty dict).

        >>> injections = Injections()
        >>> injections.add("dedicatedWakeEndpoint", InjectedFault("drop"), times=2)
        >>> injections.pending()
        {'dedicatedWakeEndpoint': 2}
        """
        with self._lock:
            counts = {operation: sum(times for _, times in queue) for operation, queue in self._pending.items()}
        return {operation: count for operation, count in counts.items() if count}


def fail_endpoint(
    endpoints: Mapping[str, EndpointRecord], endpoint_id: Any, error_code: str, phase: str | None, now: float
) -> None:
    """Make the transition of ``endpoints[endpoint_id]`` under way at ``now`` end FAILED, or arm the
    failure for its next one if none is (see ``Emulator.fail``); an unknown id is refused."""
    record = endpoints.get(endpoint_id) if isinstance(endpoint_id, str) else None
    if record is None:
        raise InvalidInputError(
            "Emulator.fail.endpoint_id", f"no endpoint has the id {shown(endpoint_id)} (see endpoint_ids())"
        )
    failed = life.fail_transition(record.timeline, now, error_code, phase)
    if failed is not None:
        record.replan(now, failed)
    else:
        record.armed_failure = (error_code, phase)


def next_transition(records: Iterable[EndpointRecord], now: float) -> float | None:
    """When the next planned change of any of ``records`` happens after ``now``; None if none is planned.

    >>> next_transition([], 0.0) is None
    True
    """
    upcoming = [life.next_change(record.timeline, now) for record in records]
    return min((moment for moment in upcoming if moment is not None), default=None)
