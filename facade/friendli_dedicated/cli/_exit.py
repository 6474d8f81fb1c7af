"""Exit codes, and how each error of the SDK becomes one clear line (plus a hint) and a code.

The mapping is here and only here, so ``--help``, docs/cli.md and the tests all read one table.
Messages come from the SDK's exceptions, which never include the token (see ``errors``), said in
the command line's words: a refused field is named by the option it came from and the variable that
also sets it (``FIELDS``: ``--max-replicas`` for ``autoscaling.max_replicas``, ``--base-url
(FRIENDLI_BASE_URL)`` for ``base_url``; for an engine option the flag ``_engine_flags`` generated
for it), and a keyword in a message becomes its flag (``spoken``: "pass wake=True" is "pass --wake").
"""

from __future__ import annotations

import enum
import functools
import re
from collections.abc import Mapping
from typing import Any

import attrs

from friendli_dedicated import errors
from friendli_dedicated.cli._engine_flags import flag_for
from friendli_dedicated_api._contract import ENGINE_OPTIONS

__all__ = [
    "EXIT_CODES_HELP",
    "FIELDS",
    "ExitCode",
    "Failure",
    "Interrupted",
    "Refusal",
    "Spelling",
    "describe",
    "interrupted",
    "option_for",
    "spelling_of",
    "spoken",
]


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


@attrs.frozen
class Spelling:
    """How the command line spells an input of the library: its option (or argument) and the
    environment variable that also sets it.

    >>> str(Spelling("--base-url", "FRIENDLI_BASE_URL")), str(Spelling("--max-replicas"))
    ('--base-url (FRIENDLI_BASE_URL)', '--max-replicas')
    """

    flag: str | None
    """``--project``, ``ENDPOINT_ID``; None when no one option is to blame (``update`` with none)."""
    variable: str | None = None
    """``FRIENDLI_PROJECT``: the variable read when the option is not given."""

    def __str__(self) -> str:
        return f"{self.flag or ''} ({self.variable})".strip() if self.variable else self.flag or ""


FIELDS: Mapping[str, Spelling] = {
    # The client's (ConfigurationError.field, InvalidInputError.field).
    "token": Spelling("--token", "FRIENDLI_TOKEN"),
    "team_id": Spelling("--team", "FRIENDLI_TEAM"),
    "base_url": Spelling("--base-url", "FRIENDLI_BASE_URL"),
    "allow_insecure": Spelling("--allow-insecure"),
    "max_retries": Spelling("--max-retries"),
    # The endpoints' calls.
    "project_id": Spelling("--project", "FRIENDLI_PROJECT"),
    "endpoint_id": Spelling("ENDPOINT_ID"),
    "endpoints": Spelling("ENDPOINT_ID"),
    "project_ids": Spelling("PROJECT_ID"),  # export's arguments
    "name": Spelling("--name"),
    "model": Spelling("--model"),
    "revision": Spelling("--revision"),
    "comment": Spelling("--comment"),
    "limit": Spelling("--limit"),
    "timeout": Spelling("--timeout"),
    "wake": Spelling("--wake"),
    "until": Spelling("--until"),
    "status": Spelling("--until"),  # wait_until's
    "instance": Spelling("--instance"),
    "instance.gpu": Spelling("--gpu"),
    "instance.count": Spelling("--count"),
    "gpu": Spelling("--gpu"),
    "count": Spelling("--count"),
    "unlisted_instance": Spelling("--unlisted-instance"),
    "autoscaling": Spelling("--autoscaling"),
    "autoscaling.replicas": Spelling("--replicas"),
    "autoscaling.min_replicas": Spelling("--min-replicas"),
    "autoscaling.max_replicas": Spelling("--max-replicas"),
    "autoscaling.cooldown": Spelling("--cooldown"),
    "replicas": Spelling("--replicas"),
    "min_replicas": Spelling("--min-replicas"),
    "max_replicas": Spelling("--max-replicas"),
    "cooldown": Spelling("--cooldown"),
    "extra_engine_options": Spelling("--engine-option"),
    "engine_option": Spelling("--engine-option"),
    "update": Spelling(None),
    # The emulator command's (LaunchOptions).
    "host": Spelling("--host"),
    "port": Spelling("--port"),
    "time_scale": Spelling("--time-scale"),
    "fault_rate": Spelling("--fault-rate"),
    "seed": Spelling("--seed"),
    "rate_limit": Spelling("--rate-limit"),
}
"""The library's names for its inputs (``InvalidInputError.field``, ``ConfigurationError.field``, the
keywords its messages mention) and how the command line spells each. The engine options are not
listed: their flags are generated (``flag_for``)."""


def spelling_of(field: str) -> Spelling:
    """How the command line spells the library's input ``field``.

    >>> str(spelling_of("team_id")), str(spelling_of("max_batch_size")), str(spelling_of("extra_engine_options.x"))
    ('--team (FRIENDLI_TEAM)', '--max-batch-size', '--engine-option')
    """
    if field.startswith("extra_engine_options."):  # one entry of --engine-option NAME=JSON
        return FIELDS["extra_engine_options"]
    known = FIELDS.get(field)
    if known is not None:
        return known
    return Spelling(flag_for(field) or "--" + field.replace("_", "-").replace(".", "-"))


def option_for(field: str) -> str:
    """The command-line option a facade field comes from ("" when no one option is to blame).

    >>> option_for("autoscaling.max_replicas"), option_for("max_batch_size")
    ('--max-replicas', '--max-batch-size')
    """
    return spelling_of(field).flag or ""


# The library's words for what the command line says otherwise: "pass wake=True" is "pass --wake".
_ASSIGNED = re.compile(r"(?<![\w-])([a-z_][a-z0-9_.]*)=(?:True|False|None|\.\.\.)")
_PHRASES: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(r" \(argument or [A-Z_]+\)"), ""),  # the option's variable is named with the option
    (re.compile(r" \(None: [^)]*\)"), ""),  # Python's way to leave it out; the command line leaves the option out
    (re.compile(r"\bTrue or False\b"), "true or false"),  # JSON's words (--engine-option)
    (re.compile(r"\ba keyword argument\b"), "its own flag"),
    (re.compile(r"\bpass at least one field\b"), "give at least one option to change"),
    (re.compile(r"; pass it\b"), "; give it"),
    (re.compile(r" \(str or os\.PathLike\)"), ""),  # a path's Python types (--state "", FILE "")
)


@functools.cache
def _python_words() -> re.Pattern[str]:
    """The library's names that are not words of the command line (``max_replicas``), as one pattern;
    a name in quotes is someone's input, shown as given, and is left alone."""
    names = {name for name in FIELDS if "_" in name or "." in name}
    names.update(option.name for option in ENGINE_OPTIONS if "_" in option.name)
    alternatives = "|".join(re.escape(name) for name in sorted(names, key=len, reverse=True))
    return re.compile(rf"(?<![\w'\"./-])(?:{alternatives})(?![\w'\"-])")


def spoken(text: str) -> str:
    """``text`` (a message of the library) in the command line's words: flags, not keywords.

    >>> spoken("endpoint ep-1 is SLEEPING; pass wake=True to wake it")
    'endpoint ep-1 is SLEEPING; pass --wake to wake it'
    >>> spoken("must be at least min_replicas (2), got 1; not 'min_replicas'")
    "must be at least --min-replicas (2), got 1; not 'min_replicas'"
    """
    text = _ASSIGNED.sub(lambda match: option_for(match[1]) or match[0], text)
    text = _python_words().sub(lambda match: option_for(match[0]), text)
    for pattern, words in _PHRASES:
        text = pattern.sub(words, text)
    return text


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


class Refusal(Exception):
    """A failure a command states in its own words (no error of the library says it well): raised
    inside ``command()``, it is shown as it is.

    >>> describe(Refusal(Failure(ExitCode.USAGE, "not deleted", "give --yes"))).hint
    'give --yes'
    """

    def __init__(self, failure: Failure) -> None:
        super().__init__(failure.message)
        self.failure = failure


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
    if isinstance(exc, Refusal):
        return exc.failure
    if isinstance(exc, errors.InvalidInputError):
        spelling = spelling_of(exc.field)
        message = spoken(exc.message)
        return Failure(
            ExitCode.USAGE,
            f"invalid {spelling}: {message}" if spelling.flag else message,
            details={"type": kind, "field": exc.field, "option": spelling.flag},
        )
    if isinstance(exc, errors.ConfigurationError):
        message = str(exc)
        if exc.field is not None and message.startswith(f"{exc.field}: "):  # "base_url: ..." names the keyword
            message = f"invalid {spelling_of(exc.field)}: {message.removeprefix(f'{exc.field}: ')}"
        return Failure(ExitCode.USAGE, spoken(message), _CONFIG_HINT, {"type": kind})
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
            spoken(str(exc)),
            f"it may still become {exc.until}: friendli-dedicated endpoints wait {exc.endpoint_id}{until}",
            {"type": kind, "endpointId": exc.endpoint_id, "lastStatus": last},
        )
    if isinstance(exc, errors.EndpointStoppedError):
        last = exc.state.status.value if exc.state is not None else None
        message, hint = spoken(str(exc)), None
        if last == "SLEEPING":
            # The library's message says how to wake it in Python; the command line names its flag, in the hint.
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
            hint = "check the token (--token or FRIENDLI_TOKEN)"
        elif isinstance(exc, errors.PermissionDeniedError):
            hint = "check the team (--team or FRIENDLI_TEAM)"
        return Failure(ExitCode.API_ERROR, str(exc), hint, {"type": kind, "statusCode": exc.status_code})
    if isinstance(exc, errors.TransportError):
        return Failure(
            ExitCode.API_ERROR,
            str(exc),
            "check the network and the base URL (--base-url or FRIENDLI_BASE_URL)",
            {"type": kind},
        )
    if isinstance(exc, errors.EndpointCreationUnresolvedError):
        # The library's message ends with the Python call that looks for it; the hint is the command's.
        message = str(exc).split(": check `", 1)[0]
        return Failure(
            ExitCode.API_ERROR,
            spoken(f"{message}: look for it before creating it again" if message != str(exc) else message),
            f"friendli-dedicated endpoints list --project {exc.project_id} --wide",
            {"type": kind, "projectId": exc.project_id, "name": exc.name, "candidates": list(exc.candidates)},
        )
    if isinstance(exc, errors.FriendliError):
        return Failure(ExitCode.API_ERROR, spoken(str(exc)), None, {"type": kind})
    return Failure(
        ExitCode.API_ERROR,
        f"unexpected {kind}: {exc}",
        "this is a bug in friendli-dedicated; rerun with --debug for the traceback and report it",
        {"type": kind},
    )
