"""friendli-dedicated: the Python SDK for Friendli Dedicated Endpoints.

The low-level client in ``friendli_dedicated_api`` is generated from the pinned API contract
(``openapi.yaml``); this package is the hand-written layer on top of it, and the only one users
need for ordinary work.

>>> import friendli_dedicated as fd
>>> fd.InstanceOption.parse("2x H100").id
'zfTutSiLn0Hq'
>>> with fd.Client() as client:  # token from FRIENDLI_TOKEN
...     ep = client.endpoints.create("my-project", "chat", "meta-llama/Llama-3.1-8B-Instruct",
...                                  fd.InstanceOption(fd.GPU.H100, 2),
...                                  autoscaling=fd.Autoscaling.scale_to_zero(max_replicas=2))
...     ep.wait_until_running(timeout=1800).state.status.value
'RUNNING'

Public names are imported on first use (PEP 562), so ``import friendli_dedicated`` stays cheap for
services that import it at start-up and use it later. ``_LAZY`` below is the one table of them
(name -> module); ``__all__`` and the ``TYPE_CHECKING`` imports, which type checkers read, are
written out and kept in step with it by ``tests/sdk/test_public_names.py``.

The public modules are this package, ``errors`` (the exception tree), ``testing`` (the testing
kit), ``emulator`` (a local emulator of the API) and ``cli`` (the command line). The private ones,
each with one job:

- ``_client``: ``Client`` and ``AsyncClient``: configuration, the HTTP client, driving flows.
- ``_config``: token, team and base URL from arguments and environment, checked once.
- ``_resources``: ``client.endpoints``, every operation of the contract (``Client``'s);
  ``_async_resources``: the same, awaited (``AsyncClient``'s).
- ``_endpoint``: endpoint handles, whose action methods refresh the state and chain.
- ``_serving``: whether an endpoint serves: the one request that asks it, and what its failure means.
- ``_openai``: the bridge to the ``openai`` package (the ``openai`` extra): clients for an endpoint's
  inference surface; the only module that imports openai.
- ``_ephemeral``: short-lived endpoints (``endpoints.ephemeral``): create, wait, always terminate.
- ``_calls``: the contract's operations as ``Call`` values (built by the generated client).
- ``_bodies``: request bodies (create, update, W&B) from the facade's arguments, checked.
- ``_engine``: engine options, checked against the contract's table.
- ``_instances``: instance options as values ("2x H100") and the ``GPU`` enum.
- ``_autoscaling``: how an endpoint scales, one validated value.
- ``_models``: the facade's views of responses (``EndpointState``, ``EndpointVersion``).
- ``_parsing``: reading response bodies; a private error for "not what the contract says".
- ``_flows``: multi-call logic as flows both clients drive (steps; pagination, listing, update, the
  lifecycle actions).
- ``_coordination``: driving flows that share state between calls of one client (sync and async).
- ``_creates``: create, and finding the new endpoint's id, within one deadline; ``find`` and
  ``exist_ok`` (endpoints by name).
- ``_client_views``: what a client knows of its projects (views, listed ids), and its coordinator.
- ``_project_view``: what a client knows of the projects its creates in flight share.
- ``_transport``: sending one call: deadline, retries, error mapping, parsing.
- ``_status_errors``: the one mapping from a non-2xx response to its error class.
- ``_redaction``: copies of requests without their credentials, for errors.
- ``_retry``, ``_retry_after``, ``_backoff``, ``_gate``: when to retry (and what is transient, to
  the waits too) and how long to wait; the ``Retry-After`` header; backoff with jitter; one pace per
  client after a 429.
- ``_waiter``: waiting for one endpoint to serve, or to reach another status, as a flow (the status
  tables, a wait's terms); ``_fleet``: for many.
- ``_hints``: one actionable line per failure code of the contract; the status an action refused
  with a 400 needs first.
- ``_observe``: what the SDK reports of its calls (log records; spans, events and metrics through
  ``_telemetry``, the OpenTelemetry binding and the only importer of ``opentelemetry``).
- ``_validate``: the input checks every public callable shares; ``_excerpt``: the one way to cut long text.
- ``_unlisted``: the warning of the escape hatches (what the contract does not list).
- ``_redirect``: the one seam between the testing kit and the clients.
- ``_pin``: the contract this build was generated from; ``_version``: the installed version.

Endpoints as code (``client.plan``, ``client.apply``, ``client.export``):

- ``_desired``: the desired-state file (``Desired``), loaded and checked with the SDK's own rules;
  ``_desired_schema``: its JSON Schema, built from the contract's tables (shipped as
  ``desired.schema.json``);
- ``_manage``: the ``manage`` extra: YAML files and the state record's lock (PyYAML, filelock);
- ``_state``: the state record (``StateFile``): what was last applied, in a local JSON file;
- ``_diff``: one desired endpoint against what exists: changes, unknown and released fields;
- ``_plan``: the ``Plan`` value: its actions, as text, JSON and a saved file;
- ``_planner``: planning as flows: observing the projects, deciding, checking a saved plan, export;
- ``_apply``: carrying out a plan as a flow, and the record kept in step; ``_apply_result``: what
  an apply did (``ApplyResult``, ``ApplyInterrupted``);
- ``_declarative``: the clients' ``plan``, ``apply`` and ``export`` (sync and async).

What it costs (``client.costs``):

- ``_cost_report``: ``CostEntry`` and ``CostReport``, read from the API's daily buckets (line items,
  ``Decimal`` amounts);
- ``_costs``: the clients' ``costs`` (sync and async): its arguments checked against the API's
  limits, every page read, the endpoints' projects and names joined.
"""

from __future__ import annotations

import importlib
import warnings
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from friendli_dedicated import errors as errors
    from friendli_dedicated._apply_result import (
        AppliedAction as AppliedAction,
        ApplyInterrupted as ApplyInterrupted,
        ApplyResult as ApplyResult,
    )
    from friendli_dedicated._async_resources import AsyncEndpoints as AsyncEndpoints
    from friendli_dedicated._autoscaling import Autoscaling as Autoscaling
    from friendli_dedicated._backoff import Backoff as Backoff
    from friendli_dedicated._bodies import EndpointChanges as EndpointChanges
    from friendli_dedicated._client import AsyncClient as AsyncClient, Client as Client
    from friendli_dedicated._cost_report import CostEntry as CostEntry, CostReport as CostReport
    from friendli_dedicated._creates import SpecificationMismatchWarning as SpecificationMismatchWarning
    from friendli_dedicated._desired import Desired as Desired, DesiredEndpoint as DesiredEndpoint
    from friendli_dedicated._endpoint import (
        AsyncEndpoint as AsyncEndpoint,
        AsyncListedEndpoint as AsyncListedEndpoint,  # for type checkers only (see _TYPING_ONLY)
        AsyncObservedEndpoint as AsyncObservedEndpoint,  # for type checkers only
        AsyncRunningEndpoint as AsyncRunningEndpoint,  # for type checkers only
        Endpoint as Endpoint,
        ListedEndpoint as ListedEndpoint,  # for type checkers only
        ObservedEndpoint as ObservedEndpoint,  # for type checkers only
        RunningEndpoint as RunningEndpoint,  # for type checkers only
    )
    from friendli_dedicated._fleet import FleetResult as FleetResult
    from friendli_dedicated._instances import (
        GPU as GPU,
        InstanceOption as InstanceOption,
        UnlistedInstanceOption as UnlistedInstanceOption,
    )
    from friendli_dedicated._models import (
        DeploymentPhase as DeploymentPhase,
        EndpointSpec as EndpointSpec,
        EndpointState as EndpointState,
        EndpointVersion as EndpointVersion,
        ErrorCode as ErrorCode,
        Status as Status,
    )
    from friendli_dedicated._pin import CONTRACT_PIN as CONTRACT_PIN, ContractPin as ContractPin
    from friendli_dedicated._plan import Plan as Plan, PlannedAction as PlannedAction
    from friendli_dedicated._resources import Endpoints as Endpoints
    from friendli_dedicated._retry import RetryPolicy as RetryPolicy
    from friendli_dedicated._state import (
        StateEntry as StateEntry,
        StateFile as StateFile,
        StateRecord as StateRecord,
    )
    from friendli_dedicated._unlisted import UnlistedWarning as UnlistedWarning
    from friendli_dedicated._version import __version__ as __version__
    from friendli_dedicated.errors import (
        AmbiguousEndpointError as AmbiguousEndpointError,
        APIError as APIError,
        AuthenticationError as AuthenticationError,
        BadRequestError as BadRequestError,
        ConfigurationError as ConfigurationError,
        ConflictError as ConflictError,
        EndpointBusyError as EndpointBusyError,
        EndpointCreationUnresolvedError as EndpointCreationUnresolvedError,
        EndpointFailedError as EndpointFailedError,
        EndpointNotServingError as EndpointNotServingError,
        EndpointNotTerminatedError as EndpointNotTerminatedError,
        EndpointStoppedError as EndpointStoppedError,
        FleetWaitError as FleetWaitError,
        FriendliError as FriendliError,
        InvalidInputError as InvalidInputError,
        NotFoundError as NotFoundError,
        PaginationError as PaginationError,
        PermissionDeniedError as PermissionDeniedError,
        PlanStaleError as PlanStaleError,
        RateLimitError as RateLimitError,
        RequestTimeoutError as RequestTimeoutError,
        ResponseFormatError as ResponseFormatError,
        ServerError as ServerError,
        StateFileError as StateFileError,
        StateLockedError as StateLockedError,
        TransportError as TransportError,
        ValidationError as ValidationError,
        ValidationIssue as ValidationIssue,
        WaitError as WaitError,
        WaitTimeoutError as WaitTimeoutError,
    )

    # The deprecated aliases (_DEPRECATED_ALIASES): typed, but not in __all__; they warn at run time.
    SPEC_PIN = CONTRACT_PIN
    SpecPin = ContractPin

# Every public name but the ``errors`` module and the deprecated aliases, and the module it is read from.
_LAZY = {
    "__version__": "_version",  # reading installed metadata costs more than the rest of the import
    "Client": "_client",
    "AsyncClient": "_client",
    "Endpoints": "_resources",
    "AsyncEndpoints": "_async_resources",
    "Endpoint": "_endpoint",
    "EndpointChanges": "_bodies",
    "FleetResult": "_fleet",
    "AsyncEndpoint": "_endpoint",
    "GPU": "_instances",
    "InstanceOption": "_instances",
    "UnlistedInstanceOption": "_instances",
    "UnlistedWarning": "_unlisted",
    "SpecificationMismatchWarning": "_creates",
    "Autoscaling": "_autoscaling",
    "Backoff": "_backoff",
    "RetryPolicy": "_retry",
    "EndpointSpec": "_models",
    "EndpointState": "_models",
    "Status": "_models",
    "DeploymentPhase": "_models",
    "ErrorCode": "_models",
    "EndpointVersion": "_models",
    "ContractPin": "_pin",
    "CONTRACT_PIN": "_pin",
    "ValidationIssue": "errors",
    "Desired": "_desired",
    "DesiredEndpoint": "_desired",
    "Plan": "_plan",
    "PlannedAction": "_plan",
    "ApplyResult": "_apply_result",
    "AppliedAction": "_apply_result",
    "ApplyInterrupted": "_apply_result",
    "StateFile": "_state",
    "StateRecord": "_state",
    "StateEntry": "_state",
    "CostEntry": "_cost_report",
    "CostReport": "_cost_report",
    # The exception tree: errors.__all__.
    "FriendliError": "errors",
    "InvalidInputError": "errors",
    "ConfigurationError": "errors",
    "TransportError": "errors",
    "RequestTimeoutError": "errors",
    "APIError": "errors",
    "BadRequestError": "errors",
    "EndpointBusyError": "errors",
    "AuthenticationError": "errors",
    "PermissionDeniedError": "errors",
    "NotFoundError": "errors",
    "ConflictError": "errors",
    "ValidationError": "errors",
    "RateLimitError": "errors",
    "ServerError": "errors",
    "ResponseFormatError": "errors",
    "PaginationError": "errors",
    "EndpointCreationUnresolvedError": "errors",
    "AmbiguousEndpointError": "errors",
    "EndpointNotServingError": "errors",
    "EndpointNotTerminatedError": "errors",
    "WaitError": "errors",
    "EndpointFailedError": "errors",
    "EndpointStoppedError": "errors",
    "WaitTimeoutError": "errors",
    "FleetWaitError": "errors",
    "StateFileError": "errors",
    "StateLockedError": "errors",
    "PlanStaleError": "errors",
}

__all__ = [
    "CONTRACT_PIN",
    "GPU",
    "APIError",
    "AmbiguousEndpointError",
    "AppliedAction",
    "ApplyInterrupted",
    "ApplyResult",
    "AsyncClient",
    "AsyncEndpoint",
    "AsyncEndpoints",
    "AuthenticationError",
    "Autoscaling",
    "Backoff",
    "BadRequestError",
    "Client",
    "ConfigurationError",
    "ConflictError",
    "ContractPin",
    "CostEntry",
    "CostReport",
    "DeploymentPhase",
    "Desired",
    "DesiredEndpoint",
    "Endpoint",
    "EndpointBusyError",
    "EndpointChanges",
    "EndpointCreationUnresolvedError",
    "EndpointFailedError",
    "EndpointNotServingError",
    "EndpointNotTerminatedError",
    "EndpointSpec",
    "EndpointState",
    "EndpointStoppedError",
    "EndpointVersion",
    "Endpoints",
    "ErrorCode",
    "FleetResult",
    "FleetWaitError",
    "FriendliError",
    "InstanceOption",
    "InvalidInputError",
    "NotFoundError",
    "PaginationError",
    "PermissionDeniedError",
    "Plan",
    "PlanStaleError",
    "PlannedAction",
    "RateLimitError",
    "RequestTimeoutError",
    "ResponseFormatError",
    "RetryPolicy",
    "ServerError",
    "SpecificationMismatchWarning",
    "StateEntry",
    "StateFile",
    "StateFileError",
    "StateLockedError",
    "StateRecord",
    "Status",
    "TransportError",
    "UnlistedInstanceOption",
    "UnlistedWarning",
    "ValidationError",
    "ValidationIssue",
    "WaitError",
    "WaitTimeoutError",
    "__version__",
    "errors",
]

if TYPE_CHECKING:
    # Names for type checkers only (annotations: the return types of the handles' actions, of
    # wait_until_running and of list): public to them, absent at run time, where the objects are
    # Endpoint and AsyncEndpoint.
    __all__ += [
        "AsyncListedEndpoint",
        "AsyncObservedEndpoint",
        "AsyncRunningEndpoint",
        "ListedEndpoint",
        "ObservedEndpoint",
        "RunningEndpoint",
    ]


# Renamed public names: the old name still works for at least one MINOR release, with a warning, and
# is left out of __all__ (so that ``from friendli_dedicated import *`` does not warn).
# "Spec" now means only an endpoint's specification; the contract's pin is CONTRACT_PIN (1.0.0).
_DEPRECATED_ALIASES = {"SPEC_PIN": "CONTRACT_PIN", "SpecPin": "ContractPin"}

# Names that exist for type checkers only (2.0.0). Before, they were Endpoint and AsyncEndpoint at run
# time, so that isinstance(x, RunningEndpoint) was true of any handle; they still give those, with
# a warning, for code that evaluates annotations at run time. ObservedEndpoint and its twin (what
# the handles' actions return) came later, typing-only from the start, and resolve the same way.
_TYPING_ONLY = {
    "ObservedEndpoint": "Endpoint",
    "RunningEndpoint": "Endpoint",
    "ListedEndpoint": "Endpoint",
    "AsyncObservedEndpoint": "AsyncEndpoint",
    "AsyncRunningEndpoint": "AsyncEndpoint",
    "AsyncListedEndpoint": "AsyncEndpoint",
}


def __getattr__(name: str) -> Any:
    if name == "errors":
        return importlib.import_module("friendli_dedicated.errors")
    if name in _DEPRECATED_ALIASES:
        new_name = _DEPRECATED_ALIASES[name]
        warnings.warn(
            f"friendli_dedicated.{name} is deprecated since 1.0.0 and will be removed in a later release; "
            f"use friendli_dedicated.{new_name}",
            DeprecationWarning,
            stacklevel=2,
        )
        return __getattr__(new_name)  # not cached: every use of the old name warns
    if name in _TYPING_ONLY:
        runtime_name = _TYPING_ONLY[name]
        warnings.warn(
            f"friendli_dedicated.{name} exists for type checkers only (import it under "
            f"typing.TYPE_CHECKING, or use it in annotations with 'from __future__ import annotations'); "
            f"at run time use friendli_dedicated.{runtime_name}, which is what this gives",
            DeprecationWarning,
            stacklevel=2,
        )
        return __getattr__(runtime_name)
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'friendli_dedicated' has no attribute {name!r}")
    value = getattr(importlib.import_module(f"friendli_dedicated.{module}"), name)
    if isinstance(value, type) and value.__module__.startswith("friendli_dedicated._"):
        value.__module__ = __name__  # reprs and tracebacks name the public module
    globals()[name] = value  # later lookups skip __getattr__
    return value


def __dir__() -> list[str]:
    return sorted(__all__)
