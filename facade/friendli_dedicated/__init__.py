"""friendli-dedicated: the Python SDK for Friendli Dedicated Endpoints.

The low-level client in ``friendli_dedicated_api`` is generated from the pinned API contract
(``openapi.yaml``); this package is the hand-written layer on top of it, and the only one users
need for ordinary work.

>>> import friendli_dedicated as fd
>>> fd.InstanceOption.parse("2x H100").id
'zfTutSiLn0Hq'
>>> with fd.Client() as client:  # token from FRIENDLI_TOKEN  # doctest: +SKIP
...     ep = client.endpoints.create("my-project", "chat", "meta-llama/Llama-3.1-8B-Instruct",
...                                  fd.InstanceOption(fd.GPU.H100, 2),
...                                  autoscaling=fd.Autoscaling.scale_to_zero(max_replicas=2))
...     ep.wait_until_running(timeout=1800, on_progress=lambda state, t: print(state.status, t))

Public names are imported on first use (PEP 562), so ``import friendli_dedicated`` stays cheap for
services that import it at start-up and use it later.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from friendli_dedicated._spec import SPEC_PIN, SpecPin
from friendli_dedicated._version import __version__

if TYPE_CHECKING:
    from friendli_dedicated import errors
    from friendli_dedicated._autoscaling import Autoscaling
    from friendli_dedicated._backoff import Backoff
    from friendli_dedicated._client import AsyncClient, AsyncEndpoints, Client, Endpoints
    from friendli_dedicated._endpoint import AsyncEndpoint, Endpoint
    from friendli_dedicated._instances import GPU, InstanceOption
    from friendli_dedicated._models import DeploymentPhase, EndpointState, ErrorCode, Status
    from friendli_dedicated._operations import EndpointVersion
    from friendli_dedicated._retry import RetryPolicy
    from friendli_dedicated.errors import (
        APIError,
        AuthenticationError,
        BadRequestError,
        ConfigurationError,
        ConflictError,
        EndpointCreationUnresolvedError,
        EndpointFailedError,
        EndpointStoppedError,
        FriendliError,
        InvalidInputError,
        NotFoundError,
        PermissionDeniedError,
        RateLimitError,
        ResponseFormatError,
        ServerError,
        TransportError,
        ValidationError,
        WaitError,
        WaitTimeoutError,
    )

_LAZY = {
    "Client": "_client",
    "AsyncClient": "_client",
    "Endpoints": "_client",
    "AsyncEndpoints": "_client",
    "Endpoint": "_endpoint",
    "AsyncEndpoint": "_endpoint",
    "GPU": "_instances",
    "InstanceOption": "_instances",
    "Autoscaling": "_autoscaling",
    "Backoff": "_backoff",
    "RetryPolicy": "_retry",
    "EndpointState": "_models",
    "Status": "_models",
    "DeploymentPhase": "_models",
    "ErrorCode": "_models",
    "EndpointVersion": "_operations",
    **dict.fromkeys(
        [
            "APIError",
            "AuthenticationError",
            "BadRequestError",
            "ConfigurationError",
            "ConflictError",
            "EndpointCreationUnresolvedError",
            "EndpointFailedError",
            "EndpointStoppedError",
            "FriendliError",
            "InvalidInputError",
            "NotFoundError",
            "PermissionDeniedError",
            "RateLimitError",
            "ResponseFormatError",
            "ServerError",
            "TransportError",
            "ValidationError",
            "WaitError",
            "WaitTimeoutError",
        ],
        "errors",
    ),
}

__all__ = ["SPEC_PIN", "SpecPin", "__version__", "errors", *sorted(_LAZY)]


def __getattr__(name: str) -> Any:
    if name == "errors":
        return importlib.import_module("friendli_dedicated.errors")
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'friendli_dedicated' has no attribute {name!r}")
    value = getattr(importlib.import_module(f"friendli_dedicated.{module}"), name)
    globals()[name] = value  # later lookups skip __getattr__
    return value


def __dir__() -> list[str]:
    return sorted(__all__)
