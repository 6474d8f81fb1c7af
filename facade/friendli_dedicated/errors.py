"""The SDK's exceptions, in one tree.

    FriendliError                     every error this SDK raises on purpose
    ├── InvalidInputError             the client refused an input before sending (also a ValueError)
    ├── ConfigurationError            the client cannot be built: no token, an insecure base URL, ...
    ├── TransportError                no response: connection refused or dropped, DNS, TLS, decoding
    │   └── RequestTimeoutError       the request's timeout or the wait's deadline passed (also a TimeoutError)
    ├── APIError                      the server answered, and the answer is an error
    │   ├── BadRequestError           400
    │   │   └── EndpointBusyError     400 to an action the endpoint's current status does not allow yet
    │   ├── AuthenticationError       401
    │   ├── PermissionDeniedError     403
    │   ├── NotFoundError             404
    │   ├── ConflictError             409
    │   ├── ValidationError           422, with the parsed ``detail`` list (loc, msg, type)
    │   ├── RateLimitError            429, with ``retry_after`` in seconds when the server said
    │   ├── ServerError               5xx
    │   └── ResponseFormatError       a body that is not what the contract says (HTML, truncated, too deep)
    │       └── PaginationError       pages that never end: a repeated cursor, no progress, the page budget
    ├── EndpointCreationUnresolvedError  create may have reached the server, but the new endpoint's id is unknown
    ├── AmbiguousEndpointError        several endpoints of a project have the name looked up
    ├── EndpointNotServingError       the endpoint did not answer an inference request; ``reason`` says why
    ├── EndpointNotTerminatedError    ``ephemeral`` could not terminate its endpoint, which may still bill
    ├── WaitError                     waiting ended without the endpoint serving (or reaching the status waited for)
    │   ├── EndpointFailedError       status FAILED, with ``error_code``, ``phase`` and a hint
    │   ├── EndpointStoppedError      TERMINATING, TERMINATED, STOPPING, or SLEEPING without wake=True
    │   └── WaitTimeoutError          the deadline passed (also a TimeoutError)
    ├── FleetWaitError                ``FleetResult.raise_for_failures``: some endpoints of a fleet do not serve
    ├── StateFileError                the state record of plan and apply cannot be read or written
    ├── StateLockedError              another apply holds the state record's lock
    └── PlanStaleError                a saved plan no longer matches the endpoints or the state record

The rules the tree keeps:

- **Inputs.** Every public callable checks its arguments before sending anything. A bad value *and
  a wrong type* both raise ``InvalidInputError`` naming the field (``error.field``); a client's
  configuration (token, team, base URL, HTTP client) raises ``ConfigurationError``, which names the
  argument in ``error.field`` too. So ``except fd.InvalidInputError`` is the one way to catch a
  refused input, and a refusal always means that no request was sent.
- **Statuses** map to classes in exactly one place (the private ``_status_errors``), redirects
  included (the SDK never follows one: it would carry the token to another place).
- **Secrets.** No error carries the token: messages are built from the status, method, path and
  body, never from headers; ``request`` is a copy with the credentials redacted; the httpx
  exception that caused a ``TransportError`` is not chained (its request holds the real headers).
  Errors pickle (for multiprocessing and task queues) with exactly those redacted fields.
- **Bugs stay bugs.** Programming errors inside the SDK are not converted into this tree, so
  ``except FriendliError`` never swallows one.
"""

from __future__ import annotations

import importlib
import warnings
from typing import TYPE_CHECKING, Any

import attrs
import httpx

from friendli_dedicated._redaction import redacted_request as _redacted  # not re-exported: see _INTERNAL

if TYPE_CHECKING:
    from friendli_dedicated._models import EndpointState, Status

__all__ = [
    "APIError",
    "AmbiguousEndpointError",
    "AuthenticationError",
    "BadRequestError",
    "ConfigurationError",
    "ConflictError",
    "EndpointBusyError",
    "EndpointCreationUnresolvedError",
    "EndpointFailedError",
    "EndpointNotServingError",
    "EndpointNotTerminatedError",
    "EndpointStoppedError",
    "FleetWaitError",
    "FriendliError",
    "InvalidInputError",
    "NotFoundError",
    "PaginationError",
    "PermissionDeniedError",
    "PlanStaleError",
    "RateLimitError",
    "RequestTimeoutError",
    "ResponseFormatError",
    "ServerError",
    "StateFileError",
    "StateLockedError",
    "TransportError",
    "ValidationError",
    "WaitError",
    "WaitTimeoutError",
]


def _rebuild(cls: type[BaseException], args: tuple[Any, ...], state: dict[str, Any]) -> BaseException:
    error = cls.__new__(cls)
    BaseException.__init__(error, *args)
    error.__dict__.update(state)
    return error


class FriendliError(Exception):
    """Base class of every error this SDK raises on purpose."""

    def __reduce__(self) -> tuple[Any, ...]:
        # The default would call cls(*args), which keyword-only constructors cannot take; the state
        # is the instance's attributes, which never hold a secret (see the module's rules).
        return (_rebuild, (type(self), self.args, dict(self.__dict__)))


class InvalidInputError(FriendliError, ValueError):
    """Raised when the client refuses an input before sending anything; ``field`` names it.

    >>> raise InvalidInputError("autoscaling.max_replicas", "must be at most 10, got 12")
    Traceback (most recent call last):
    friendli_dedicated.errors.InvalidInputError: autoscaling.max_replicas: must be at most 10, got 12
    """

    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}")
        self.field = field
        self.message = message


class ConfigurationError(FriendliError):
    """Raised when a client cannot be built from its arguments and environment; ``field`` names the
    argument (``token``, ``team_id``, ``base_url``, ...) when one is to blame."""

    def __init__(self, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        self.field = field


class TransportError(FriendliError):
    """Raised when no usable response arrived: connection error, dropped connection, undecodable body.

    ``request`` is the request that failed, with its credentials redacted. ``may_have_reached_server``
    is False only when the request certainly never left the client (connecting failed): after a
    create, True means the endpoint may exist.
    """

    def __init__(
        self, message: str, *, request: httpx.Request | None = None, may_have_reached_server: bool = True
    ) -> None:
        super().__init__(message)
        self.request = _redacted(request)
        self.may_have_reached_server = may_have_reached_server


class RequestTimeoutError(TransportError, TimeoutError):
    """Raised when a request did not complete within its ``timeout`` (or the wait's deadline)."""


class APIError(FriendliError):
    """Raised when the server answered with an error; carries ``status_code``, ``body``, ``request``
    (credentials redacted) and ``request_id`` (from ``x-request-id`` or similar, when sent).

    ``body`` is the decoded JSON when the body is JSON, else the text (an HTML page from a proxy, a
    truncated document), else None.
    """

    status_code: int

    def __init__(
        self,
        message: str,
        *,
        status_code: int,
        body: object = None,
        request: httpx.Request | None = None,
        request_id: str | None = None,
    ) -> None:
        super().__init__(message)
        self.status_code = status_code
        self.body = body
        self.request = _redacted(request)
        self.request_id = request_id


class BadRequestError(APIError):
    """Raised on 400 Bad Request."""


class EndpointBusyError(BadRequestError):
    """Raised on a 400 to an action that the endpoint's status, read after the refusal, does not allow
    yet, and that waiting for another status will (``restart`` while it is TERMINATING, ``sleep``
    while it deploys). ``action`` was refused while the endpoint was ``status``; wait until it is
    ``wait_for`` (``endpoint.wait_until(wait_for)``), then try again. ``refusal`` is the server's
    message, and ``hint`` the next step, which the message ends with.
    """

    def __init__(
        self,
        message: str,
        *,
        action: str,
        endpoint_id: str,
        status: Status,
        wait_for: Status,
        refusal: str,
        hint: str,
        **kwargs: Any,
    ) -> None:
        super().__init__(message, **kwargs)
        self.action = action
        self.endpoint_id = endpoint_id
        self.status = status
        self.wait_for = wait_for
        self.refusal = refusal
        self.hint = hint


class AuthenticationError(APIError):
    """Raised on 401 Unauthorized: the token is missing, wrong or expired."""


class PermissionDeniedError(APIError):
    """Raised on 403 Forbidden: the token may not act for this team or resource."""


class NotFoundError(APIError):
    """Raised on 404 Not Found: no such endpoint (or not visible to this team)."""


class ConflictError(APIError):
    """Raised on 409 Conflict: the request clashes with the endpoint's current state."""


@attrs.frozen
class ValidationIssue:
    """One entry of a 422 response's ``detail`` list (``ValidationError.detail``): where, what, which rule.

    A value, not an error: exported as ``fd.ValidationIssue``, and not in this module's ``__all__``.

    >>> str(ValidationIssue(loc=("body", "name"), msg="field required", type="missing"))
    'body.name: field required'
    """

    loc: tuple[str | int, ...]
    msg: str
    type: str

    def __str__(self) -> str:
        where = ".".join(str(part) for part in self.loc) or "(request)"
        return f"{where}: {self.msg}"


class ValidationError(APIError):
    """Raised on 422 Unprocessable Entity; ``detail`` lists what the server rejected."""

    def __init__(self, message: str, *, detail: list[ValidationIssue], **kwargs: Any) -> None:
        super().__init__(message, **kwargs)
        self.detail = detail


class RateLimitError(APIError):
    """Raised on 429 Too Many Requests; ``retry_after`` is the server's wait in seconds, if it said."""

    def __init__(self, message: str, *, retry_after: float | None, **kwargs: Any) -> None:
        super().__init__(message, **kwargs)
        self.retry_after = retry_after


class ServerError(APIError):
    """Raised on any 5xx status; ``retry_after`` is the server's wait in seconds, if it said (a 503 may)."""

    def __init__(self, message: str, *, retry_after: float | None = None, **kwargs: Any) -> None:
        super().__init__(message, **kwargs)
        self.retry_after = retry_after


class ResponseFormatError(APIError):
    """Raised when a response's body does not match the contract (not JSON, truncated, nested too
    deep, a required field missing); ``body`` holds an excerpt of what arrived."""


class PaginationError(ResponseFormatError):
    """Raised when a listing's pages would never end: a cursor came back twice, pages stopped
    bringing new items, or the page budget ran out."""


class EndpointCreationUnresolvedError(FriendliError):
    """Raised when create may have reached the server but the new endpoint's id could not be determined.

    The endpoint may exist and bill for GPUs: ``project_id`` and ``name`` say where to look, and
    ``candidates`` lists the ids that could be it. Look it up before creating again.
    """

    def __init__(self, message: str, *, project_id: str, name: str, candidates: tuple[str, ...] = ()) -> None:
        super().__init__(message)
        self.project_id = project_id
        self.name = name
        self.candidates = candidates


class AmbiguousEndpointError(FriendliError):
    """Raised when a lookup by name (``endpoints.find``, ``create(..., exist_ok=True)``) finds several
    endpoints of that name in the project: ``ids`` lists them (``project_id`` and ``name`` say where).
    Nothing was created; use one of them by its id.
    """

    def __init__(self, message: str, *, project_id: str, name: str, ids: tuple[str, ...]) -> None:
        super().__init__(message)
        self.project_id = project_id
        self.name = name
        self.ids = ids


class EndpointNotServingError(FriendliError):
    """Raised when an endpoint did not answer the one request of ``check_serving``; ``reason`` says why:

    - ``"warming_up"``: 503, it deploys, updates or wakes up (``retry_after``: when the server said
      to ask again, in seconds, if it did);
    - ``"needs_action"``: 400, it will not serve until it is acted on (woken, restarted): the server's
      message says which;
    - ``"not_found"``: 404, no endpoint of that id serves this team (unknown, deleted, another team's);
    - ``"unavailable"``: another 5xx, or no response at all;
    - ``"timeout"``: no answer within the check's timeout.

    ``error`` is the error of the request (also the ``__cause__``), ``status_code`` its status (None
    without a response). Errors that say nothing about the endpoint (401, 403, 422, 429, a body that
    is not the contract's) are raised as they are.
    """

    def __init__(
        self,
        message: str,
        *,
        endpoint_id: str,
        reason: str,
        error: FriendliError,
        status_code: int | None = None,
        retry_after: float | None = None,
    ) -> None:
        super().__init__(message)
        self.endpoint_id = endpoint_id
        self.reason = reason
        self.error = error
        self.status_code = status_code
        self.retry_after = retry_after


class EndpointNotTerminatedError(FriendliError):
    """Raised when ``endpoints.ephemeral`` could not terminate its endpoint on the way out: it may
    still run and bill. ``endpoint_id``, ``project_id`` and ``name`` say which; ``terminate_sent`` is
    True when the terminate was accepted but the endpoint was not seen TERMINATED (``wait_terminated``);
    ``original`` is the exception the block ended with, if any; the failure is the ``__cause__``.
    Terminate it by hand: ``client.endpoints.terminate(error.endpoint_id)``.
    """

    def __init__(
        self,
        message: str,
        *,
        endpoint_id: str,
        project_id: str,
        name: str,
        terminate_sent: bool = False,
        original: BaseException | None = None,
    ) -> None:
        super().__init__(message)
        self.endpoint_id = endpoint_id
        self.project_id = project_id
        self.name = name
        self.terminate_sent = terminate_sent
        self.original = original


class WaitError(FriendliError):
    """Base class of the ways waiting for an endpoint can end without it serving (or, in a
    ``wait_until``, without it reaching the status waited for)."""

    def __init__(self, message: str, *, endpoint_id: str, state: EndpointState | None) -> None:
        super().__init__(message)
        self.endpoint_id = endpoint_id
        self.state = state


class EndpointFailedError(WaitError):
    """Raised when the endpoint reached FAILED; ``error_code``, ``phase`` and ``hint`` say why."""

    def __init__(
        self,
        message: str,
        *,
        endpoint_id: str,
        state: EndpointState | None,
        error_code: str | None,
        phase: str | None,
        hint: str,
    ) -> None:
        super().__init__(message, endpoint_id=endpoint_id, state=state)
        self.error_code = error_code
        self.phase = phase
        self.hint = hint


class EndpointStoppedError(WaitError):
    """Raised when the endpoint is stopping, stopped, or asleep (and waking was not asked for); in a
    wait for another status (``wait_until``), when it will not get there by waiting (TERMINATED, in
    a wait for SLEEPING)."""


class WaitTimeoutError(WaitError, TimeoutError):
    """Raised when the wait's deadline passed; ``state`` is the last state seen (None if none was),
    ``until`` the name of the status waited for (RUNNING, unless ``wait_until`` said otherwise)."""

    def __init__(self, message: str, *, endpoint_id: str, state: EndpointState | None, until: str = "RUNNING") -> None:
        super().__init__(message, endpoint_id=endpoint_id, state=state)
        self.until = until


class FleetWaitError(FriendliError):
    """Raised by ``FleetResult.raise_for_failures`` when some endpoints of a fleet do not serve;
    ``result`` is the whole ``FleetResult`` (its ``failed``, ``stopped`` and ``timed_out`` say which)."""

    def __init__(self, message: str, *, result: Any) -> None:
        super().__init__(message)
        self.result = result


class StateFileError(FriendliError):
    """Raised when the state record of plan and apply cannot be used: unreadable, not JSON, of a newer
    format, or kept for another team; ``path`` names the file."""

    def __init__(self, message: str, *, path: str) -> None:
        super().__init__(message)
        self.path = path


class StateLockedError(FriendliError):
    """Raised when another apply holds the state record's lock; ``lock_path`` names the lock file."""

    def __init__(self, message: str, *, lock_path: str) -> None:
        super().__init__(message)
        self.lock_path = lock_path


class PlanStaleError(FriendliError):
    """Raised when a saved plan is applied to a world that changed since it was made; ``changes`` says
    what changed (one line each): plan again."""

    def __init__(self, message: str, *, changes: tuple[str, ...]) -> None:
        super().__init__(message)
        self.changes = changes


# Helpers importable from here in 1.x, internal since 2.0.0: the old names still work, with a warning.
_INTERNAL = {
    "make_status_error": "_status_errors",
    "decode_body": "_status_errors",
    "request_id_of": "_status_errors",
    "redacted_request": "_redaction",
}


def __getattr__(name: str) -> Any:
    module = _INTERNAL.get(name)
    if module is None:
        raise AttributeError(f"module 'friendli_dedicated.errors' has no attribute {name!r}")
    warnings.warn(
        f"friendli_dedicated.errors.{name} is internal since 2.0.0 and will be removed in a later release "
        f"(it is friendli_dedicated.{module}.{name} now, which is not part of the API)",
        DeprecationWarning,
        stacklevel=2,
    )
    return getattr(importlib.import_module(f"friendli_dedicated.{module}"), name)
