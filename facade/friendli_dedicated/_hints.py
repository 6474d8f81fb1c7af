"""What to do about a failed endpoint: one actionable line per error code the API contract lists.

An ``errorCode`` such as ``WORKLOAD_INIT_MANIFEST_TYPE_ERROR`` says what broke, not what to change.
``EndpointFailedError`` carries the hint from here so that the person reading a traceback learns
the next step (a bigger instance, a different repository, a new token) without looking the code up.

The table is keyed by the generated ``ErrorCode`` members (the contract's
``InferenceDeploymentErrorCode``); a test checks that every member has its own entry, so regenerating
from a contract that adds a code fails loudly until someone writes the advice for it. Codes the
contract does not list (the enum is open) and a missing code get the generic hint rather than an
error: a hint must never be the thing that crashes.

>>> print(hint_for("INFERENCE_ENGINE_MEMORY_ERROR"))  # doctest: +ELLIPSIS
The model does not fit in GPU memory: choose an instance with more or larger GPUs, or lower max_batch_size...

The other table here, ``WAIT_FIRST``, says which status an action the API refused (a 400) needs
first, when waiting gets the endpoint there: ``restart`` right after ``terminate`` is refused while
the endpoint is TERMINATING, and goes through once it is TERMINATED. ``busy_error`` makes the
``EndpointBusyError`` that says so.

>>> wait_first("restart", Status.TERMINATING)
<Status.TERMINATED: 'TERMINATED'>
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

from friendli_dedicated._models import ErrorCode, Status
from friendli_dedicated.errors import BadRequestError, EndpointBusyError

__all__ = ["GENERIC_HINT", "HINTS", "WAIT_FIRST", "busy_error", "hint_for", "wait_first", "waiting_helps"]

GENERIC_HINT = (
    "No specific advice for this failure: check the endpoint's settings and logs in Friendli Suite, "
    "and if it fails again contact Friendli support with the endpoint id."
)
"""The hint for a missing error code or one this SDK version does not know."""

# Each hint names something the user can change (instance, repository, revision, token, advanced
# config field) or, when nothing on their side can fix it, says so and who can. Field names are the
# ones the create/update body uses, so the hint can be acted on as written.
HINTS: Mapping[ErrorCode, str] = MappingProxyType(
    {
        ErrorCode.WORKLOAD_INIT_UNKNOWN_ERROR: (
            "Preparing the model failed for an unreported reason: check hf_model_repo and its revision, "
            "restart the endpoint once, and contact Friendli support with the endpoint id if it fails again."
        ),
        ErrorCode.WORKLOAD_INIT_SETTINGS_ERROR: (
            "The endpoint's settings could not be applied: check the advanced config (max_batch_size, "
            "max_input_length, max_context_length, tokenizer options) and the instance option, then update it."
        ),
        ErrorCode.WORKLOAD_INIT_GRPC_ERROR: (
            "An internal service call failed while preparing the model; this is usually transient, so restart "
            "the endpoint, and contact Friendli support with the endpoint id if it persists."
        ),
        ErrorCode.WORKLOAD_INIT_MANIFEST_NOT_FOUND_ERROR: (
            "The repository has no model in a supported layout (e.g. config.json with safetensors weights): check "
            "that hf_model_repo and its revision point at the model itself, not a dataset or an adapter-only repo."
        ),
        ErrorCode.WORKLOAD_INIT_MANIFEST_TYPE_ERROR: (
            "The repository's model type or architecture is not a supported layout: pick a model whose "
            "architecture Friendli supports, or convert the checkpoint to a standard Hugging Face layout."
        ),
        ErrorCode.WORKLOAD_INIT_DOWNLOAD_ERROR: (
            "Downloading the model failed: check that the repository and revision still exist and are "
            "reachable, then restart the endpoint (download errors are often transient)."
        ),
        ErrorCode.WORKLOAD_INIT_INVALID_TOKEN_ERROR: (
            "The Hugging Face token linked to your Friendli account was rejected: replace it in Friendli Suite "
            "with a valid token that has read access, then restart the endpoint."
        ),
        ErrorCode.WORKLOAD_INIT_CANNOT_ACCESS_REPO_ERROR: (
            "The model repository could not be accessed: check the repo name (owner/name) and revision, and for "
            "a gated or private repo request access on Hugging Face and link a token that can read it."
        ),
        ErrorCode.WORKLOAD_INIT_HF_WANDB_API_ERROR: (
            "The Hugging Face or Weights & Biases API returned an error: check that service's status and your "
            "linked token's permissions for this model, then restart the endpoint."
        ),
        ErrorCode.WORKLOAD_INIT_INSUFFICIENT_DISK_ERROR: (
            "The model does not fit on the instance's disk: choose an instance option with more GPUs "
            "(and so more disk), or a smaller model."
        ),
        ErrorCode.INFERENCE_ENGINE_UNKNOWN_ERROR: (
            "The inference engine stopped for an unreported reason: check that the model's architecture is "
            "supported, restart the endpoint, and contact Friendli support with the endpoint id if it fails again."
        ),
        ErrorCode.INFERENCE_ENGINE_INVALID_ARGUMENT_ERROR: (
            "The inference engine rejected its configuration: make max_input_length and max_context_length "
            "no larger than the model supports and check max_batch_size and the tokenizer options."
        ),
        ErrorCode.INFERENCE_ENGINE_MEMORY_ERROR: (
            "The model does not fit in GPU memory: choose an instance with more or larger GPUs, "
            "or lower max_batch_size or max_context_length."
        ),
        ErrorCode.INFERENCE_ENGINE_METERING_CLIENT_CONFIG_ERROR: (
            "A Friendli-side metering misconfiguration stopped the engine; nothing in your settings causes it, "
            "so contact Friendli support with the endpoint id."
        ),
    }
)
"""The hint for each error code the contract lists (read-only)."""


def hint_for(error_code: str | None) -> str:
    """A one-line, actionable hint for ``error_code`` (an ``ErrorCode`` or its raw string).

    None, and any value the contract does not list, get ``GENERIC_HINT``.

    >>> hint_for(ErrorCode.WORKLOAD_INIT_INSUFFICIENT_DISK_ERROR).startswith("The model does not fit on")
    True
    >>> hint_for(None) == hint_for("SOMETHING_NEW") == GENERIC_HINT
    True
    """
    if error_code is None:
        return GENERIC_HINT
    # Normalise through the open enum so a raw string and a member look up the same entry; an
    # unlisted value becomes a non-member that is simply absent from the table.
    return HINTS.get(ErrorCode(str(error_code)), GENERIC_HINT)


# The lifecycle the emulator models (and the API's 400s it reproduces): restart takes a FAILED or
# TERMINATED endpoint; sleep a RUNNING (or AWAKING) one. Only the refusals that waiting cures are
# here: a restart of a RUNNING endpoint needs a terminate, not a wait, and is left to the API's message.
WAIT_FIRST: Mapping[tuple[str, Status], Status] = MappingProxyType(
    {
        ("restart", Status.TERMINATING): Status.TERMINATED,
        ("sleep", Status.INITIALIZING): Status.RUNNING,
        ("sleep", Status.UPDATING): Status.RUNNING,
    }
)
"""(action, the status that refused it) -> the status to wait for before trying the action again."""


def wait_first(action: str, status: Status) -> Status | None:
    """The status to wait for before ``action`` goes through, if ``status`` refused it and waiting cures it.

    >>> wait_first("sleep", Status.INITIALIZING), wait_first("restart", Status.RUNNING)
    (<Status.RUNNING: 'RUNNING'>, None)
    """
    return WAIT_FIRST.get((action, status))


def waiting_helps(action: str) -> bool:
    """Whether some status refuses ``action`` in a way that waiting cures (then a 400 is worth explaining).

    >>> waiting_helps("restart"), waiting_helps("terminate")
    (True, False)
    """
    return any(refused == action for refused, _status in WAIT_FIRST)


def busy_error(refusal: BadRequestError, action: str, endpoint_id: str, status: Status) -> BadRequestError:
    """The error for a 400 to ``action`` while the endpoint is ``status``: an ``EndpointBusyError`` that
    says which status to wait for when ``WAIT_FIRST`` knows one, else ``refusal`` itself.

    >>> refusal = BadRequestError("PUT /dedicated/beta/endpoint/ep-1/restart: 400 Bad Request", status_code=400)
    >>> print(busy_error(refusal, "restart", "ep-1", Status.TERMINATING).hint)
    ep-1 is TERMINATING: wait until it is TERMINATED (endpoint.wait_until(fd.Status.TERMINATED)), then restart it
    """
    wait_for = wait_first(action, status)
    if wait_for is None:
        return refusal
    hint = (
        f"{endpoint_id} is {status.value}: wait until it is {wait_for.value} "
        f"(endpoint.wait_until(fd.Status.{wait_for.name})), then {action} it"
    )
    return EndpointBusyError(
        f"{refusal}; {hint}",
        action=action,
        endpoint_id=endpoint_id,
        status=status,
        wait_for=wait_for,
        refusal=str(refusal),
        hint=hint,
        status_code=refusal.status_code,
        body=refusal.body,
        request=refusal.request,
        request_id=refusal.request_id,
    )
