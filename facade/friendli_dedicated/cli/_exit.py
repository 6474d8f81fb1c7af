"""Exit codes, and how each error of the SDK becomes one clear line (plus a hint) and a code.

The mapping is here and only here, so ``--help``, docs/cli.md and the tests all read one table.
Messages come from the SDK's exceptions, which never include the token (see ``errors``); the
CLI adds the option a refused field came from (``--max-replicas`` for ``autoscaling.max_replicas``,
and for an engine option the flag ``_engine_flags`` generated for it).
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from typing import Any

import attrs

from friendli_dedicated import errors
from friendli_dedicated.cli._engine_flags import flag_for

__all__ = ["EXIT_CODES_HELP", "ExitCode", "Failure", "Interrupted", "describe", "interrupted", "option_for"]


class ExitCode(enum.IntEnum):
    """What the process's exit status means."""

    OK = 0
    """Success."""
    API_ERROR = 1
    """The API answered with an error (401, 404, 409, 422, 5xx, ...) or could not be reached."""
    USAGE = 2
    """Bad usage or invalid input (the option or field is named); nothing was sent."""
    ENDPOINT_FAILED = 3
    """While waiting, the endpoint FAILED (error code and hint shown) or stopped (terminated, asleep)."""
    WAIT_TIMEOUT = 4
    """The wait's --timeout passed before the endpoint was RUNNING (or --until's status): it may still get there."""
    INTERRUPTED = 130
    """Interrupted (Ctrl-C); what was under way on the API goes on, and the message says how to resume or stop it."""


EXIT_CODES_HELP = (
    "Exit codes: 0 success; 1 API or network error; 2 bad usage or invalid input (the option is named); "
    "3 endpoint failed or stopped while waiting (error code and hint shown); 4 wait timed out; "
    "130 interrupted (Ctrl-C: the endpoint goes on, and the message says how to resume or stop it)."
)
"""One paragraph for every command's ``--help``."""

# Facade field names (``InvalidInputError.field``) whose command-line option is not simply
# ``--`` + the name with dashes.
_OPTIONS: Mapping[str, str] = {
    "project_id": "--project",
    "endpoint_id": "ENDPOINT_ID",
    "instance.gpu": "--gpu",
    "instance.count": "--count",
    "autoscaling": "--autoscaling",
    "autoscaling.replicas": "--replicas",
    "autoscaling.min_replicas": "--min-replicas",
    "autoscaling.max_replicas": "--max-replicas",
    "autoscaling.cooldown": "--cooldown",
    "update": "the options",
    "extra_engine_options": "--engine-option",
}


def option_for(field: str) -> str:
    """The command-line option a facade field comes from.

    >>> option_for("autoscaling.max_replicas"), option_for("max_batch_size")
    ('--max-replicas', '--max-batch-size')
    """
    if field.startswith("extra_engine_options."):  # one entry of --engine-option NAME=JSON
        return "--engine-option"
    return _OPTIONS.get(field) or flag_for(field) or "--" + field.replace("_", "-").replace(".", "-")


class Interrupted(KeyboardInterrupt):
    """Ctrl-C during a command that leaves something going on in the API (a deployment, a create whose
    outcome is unknown): the message says what goes on, the hint how to resume or stop it."""

    def __init__(self, message: str, hint: str, details: Mapping[str, Any]) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint
        self.details = details


@attrs.frozen
class Failure:
    """An error as the command line shows it: a code, one line, an optional hint, and JSON details."""

    code: ExitCode
    message: str
    hint: str | None = None
    details: Mapping[str, Any] = attrs.field(factory=dict)

    def to_json(self) -> dict[str, Any]:
        """The ``{"error": ...}`` document printed on stdout with ``--json``."""
        body: dict[str, Any] = {"message": self.message, "exitCode": int(self.code), **self.details}
        if self.hint is not None:
            body["hint"] = self.hint
        return {"error": body}


_CONFIG_HINT = (
    "configure with --token/--team/--base-url or FRIENDLI_TOKEN/FRIENDLI_TEAM/FRIENDLI_BASE_URL "
    "(prefer the environment for the token: command lines are visible to other processes)"
)


def interrupted(exc: KeyboardInterrupt) -> Failure:
    """Exit code 130, and what goes on without the command (``Interrupted``), or "interrupted"."""
    if isinstance(exc, Interrupted):
        return Failure(ExitCode.INTERRUPTED, exc.message, exc.hint, {"type": "Interrupted", **exc.details})
    return Failure(ExitCode.INTERRUPTED, "interrupted")


def describe(exc: BaseException) -> Failure:
    """The exit code, message and hint for ``exc`` (any exception: unexpected ones are code 1)."""
    kind = type(exc).__name__
    if isinstance(exc, errors.InvalidInputError):
        option = option_for(exc.field)
        shown = option if option.lstrip("-").replace("-", "_") == exc.field else f"{option} ({exc.field})"
        return Failure(
            ExitCode.USAGE,
            f"invalid {shown}: {exc.message}",
            details={"type": kind, "field": exc.field, "option": option},
        )
    if isinstance(exc, errors.ConfigurationError):
        return Failure(ExitCode.USAGE, str(exc), _CONFIG_HINT, {"type": kind})
    if isinstance(exc, errors.EndpointFailedError):
        where = f" in phase {exc.phase}" if exc.phase else ""
        return Failure(
            ExitCode.ENDPOINT_FAILED,
            f"endpoint {exc.endpoint_id} FAILED with {exc.error_code or 'no error code'}{where}",
            exc.hint,
            {"type": kind, "endpointId": exc.endpoint_id, "errorCode": exc.error_code, "phase": exc.phase},
        )
    if isinstance(exc, errors.WaitTimeoutError):
        last = exc.state.status.value if exc.state is not None else None
        until = "" if exc.until == "RUNNING" else f" --until {exc.until}"
        return Failure(
            ExitCode.WAIT_TIMEOUT,
            str(exc),
            f"it may still become {exc.until}: friendli-dedicated endpoints wait {exc.endpoint_id}{until}",
            {"type": kind, "endpointId": exc.endpoint_id, "lastStatus": last},
        )
    if isinstance(exc, errors.EndpointStoppedError):
        last = exc.state.status.value if exc.state is not None else None
        message, hint = str(exc), None
        if last == "SLEEPING":
            # The library's message names its keyword (wake=True); the command line names its flag, in the hint.
            message = f"endpoint {exc.endpoint_id} is SLEEPING, so it will not become RUNNING by waiting"
            hint = f"wake it: friendli-dedicated endpoints wait --wake {exc.endpoint_id}"
        elif last == "TERMINATED":
            hint = f"restart it: friendli-dedicated endpoints restart --wait {exc.endpoint_id}"
        return Failure(
            ExitCode.ENDPOINT_FAILED, message, hint, {"type": kind, "endpointId": exc.endpoint_id, "status": last}
        )
    if isinstance(exc, errors.EndpointBusyError):
        until = "" if exc.wait_for.value == "RUNNING" else f" --until {exc.wait_for.value}"
        return Failure(
            ExitCode.API_ERROR,
            exc.refusal,
            f"it is {exc.status.value}: wait until it is {exc.wait_for.value} "
            f"(friendli-dedicated endpoints wait {exc.endpoint_id}{until}; --wait on the command before "
            f"waits for it too), then {exc.action} it again (friendli-dedicated endpoints {exc.action} "
            f"{exc.endpoint_id})",
            {
                "type": kind,
                "statusCode": exc.status_code,
                "endpointId": exc.endpoint_id,
                "status": exc.status.value,
                "waitFor": exc.wait_for.value,
            },
        )
    if isinstance(exc, errors.APIError):
        hint = None
        if isinstance(exc, errors.AuthenticationError):
            hint = "check the token (FRIENDLI_TOKEN or --token)"
        elif isinstance(exc, errors.PermissionDeniedError):
            hint = "check the team (FRIENDLI_TEAM or --team)"
        return Failure(ExitCode.API_ERROR, str(exc), hint, {"type": kind, "statusCode": exc.status_code})
    if isinstance(exc, errors.TransportError):
        return Failure(
            ExitCode.API_ERROR, str(exc), "check the network and the base URL (FRIENDLI_BASE_URL)", {"type": kind}
        )
    if isinstance(exc, errors.EndpointCreationUnresolvedError):
        return Failure(
            ExitCode.API_ERROR,
            str(exc),
            f"friendli-dedicated endpoints list --project {exc.project_id} --wide",
            {"type": kind, "projectId": exc.project_id, "name": exc.name, "candidates": list(exc.candidates)},
        )
    if isinstance(exc, errors.FriendliError):
        return Failure(ExitCode.API_ERROR, str(exc), None, {"type": kind})
    return Failure(
        ExitCode.API_ERROR,
        f"unexpected {kind}: {exc}",
        "this is a bug in friendli-dedicated; rerun with --debug for the traceback and report it",
        {"type": kind},
    )
