"""The SDK's exceptions, in one tree.

    FriendliError                     every error this SDK raises on purpose
    ├── InvalidInputError             the client refused the input before sending (also a ValueError)
    ├── ConfigurationError            the client cannot be built: no token, an insecure base URL, ...
    ├── TransportError                no response: connection refused or dropped, DNS, TLS, timeout
    ├── APIError                      the server answered, and the answer is an error
    │   ├── BadRequestError           400
    │   ├── AuthenticationError       401
    │   ├── PermissionDeniedError     403
    │   ├── NotFoundError             404
    │   ├── ConflictError             409
    │   ├── ValidationError           422, with the parsed ``detail`` list (loc, msg, type)
    │   ├── RateLimitError            429, with ``retry_after`` in seconds when the server said
    │   ├── ServerError               5xx
    │   └── ResponseFormatError       a 2xx whose body is not what the contract says (HTML, truncated)
    ├── EndpointCreationUnresolvedError  create was accepted but the new endpoint's id is unknown
    └── WaitError                     waiting for an endpoint ended without it serving
        ├── EndpointFailedError       status FAILED, with ``error_code``, ``phase`` and a hint
        ├── EndpointStoppedError      TERMINATING, TERMINATED, STOPPING, or SLEEPING without wake=True
        └── WaitTimeoutError          the deadline passed (also a TimeoutError)

Status codes map to classes in exactly one place, ``make_status_error``. Programming errors (a
wrong type passed to a method, say) are not in this tree, so ``except FriendliError`` never swallows
a bug. No message here ever includes the token: messages are built from the status, the method,
the URL path and the body, never from request headers.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

import attrs
import httpx

if TYPE_CHECKING:
    from friendli_dedicated._models import EndpointState

__all__ = [
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
    "ValidationIssue",
    "WaitError",
    "WaitTimeoutError",
    "make_status_error",
]

_BODY_EXCERPT = 200


class FriendliError(Exception):
    """Base class of every error this SDK raises on purpose."""


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
    """Raised when a client cannot be built from its arguments and environment (names both)."""


class TransportError(FriendliError):
    """Raised when no response arrived: connection error, dropped connection, timeout."""

    def __init__(self, message: str, *, request: httpx.Request | None = None) -> None:
        super().__init__(message)
        self.request = request


class APIError(FriendliError):
    """Raised when the server answered with an error; carries ``status_code``, ``body`` and ``request``.

    ``body`` is the decoded JSON when the body is JSON, else the text (an HTML page from a proxy, a
    truncated document), else None.
    """

    status_code: int

    def __init__(self, message: str, *, status_code: int, body: object = None, request: httpx.Request | None = None):
        super().__init__(message)
        self.status_code = status_code
        self.body = body
        self.request = request


class BadRequestError(APIError):
    """Raised on 400 Bad Request."""


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
    """One entry of a 422 response's ``detail`` list."""

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
    """Raised on any 5xx status."""


class ResponseFormatError(APIError):
    """Raised when a successful response's body does not match the contract (not JSON, truncated, a
    required field missing); ``body`` holds what arrived."""


class EndpointCreationUnresolvedError(FriendliError):
    """Raised when create was accepted but the new endpoint's id could not be determined.

    The endpoint may exist and bill for GPUs: ``project_id`` and ``name`` say where to look, and
    ``candidates`` lists the ids that could be it.
    """

    def __init__(self, message: str, *, project_id: str, name: str, candidates: tuple[str, ...] = ()) -> None:
        super().__init__(message)
        self.project_id = project_id
        self.name = name
        self.candidates = candidates


class WaitError(FriendliError):
    """Base class of the ways waiting for an endpoint can end without it serving."""

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
    """Raised when the endpoint is stopping, stopped, or asleep (and waking was not asked for)."""


class WaitTimeoutError(WaitError, TimeoutError):
    """Raised when the wait's deadline passed; ``state`` is the last state seen (None if none was)."""


def make_status_error(response: httpx.Response) -> APIError:
    """The one mapping from an error response to its exception class.

    Tolerates any body: JSON, an HTML page from a proxy, an empty or truncated body.
    """
    status = response.status_code
    body = decode_body(response)
    request = _request_of(response)
    message = _message(response, body, request)
    common: dict[str, Any] = {"status_code": status, "body": body, "request": request}
    if status == 422:
        return ValidationError(message, detail=_validation_issues(body), **common)
    if status == 429:
        from friendli_dedicated._retry import parse_retry_after  # local: _retry imports this module

        return RateLimitError(message, retry_after=parse_retry_after(response.headers), **common)
    cls = _STATUS_CLASSES.get(status) or (ServerError if status >= 500 else APIError)
    return cls(message, **common)


_STATUS_CLASSES: Mapping[int, type[APIError]] = {
    400: BadRequestError,
    401: AuthenticationError,
    403: PermissionDeniedError,
    404: NotFoundError,
    409: ConflictError,
}


def decode_body(response: httpx.Response) -> object:
    """JSON if the body parses as JSON, else its text, else None (empty body)."""
    content = response.content
    if not content:
        return None
    try:
        return json.loads(content)
    except (ValueError, UnicodeDecodeError):
        return response.text


def _request_of(response: httpx.Response) -> httpx.Request | None:
    try:
        return response.request
    except RuntimeError:  # a Response built by hand has no request
        return None


def _message(response: httpx.Response, body: object, request: httpx.Request | None) -> str:
    where = f"{request.method} {request.url.path}: " if request is not None else ""
    reason = response.reason_phrase or "error"
    detail = _detail_text(body)
    return f"{where}{response.status_code} {reason}" + (f": {detail}" if detail else "")


def _detail_text(body: object) -> str:
    if isinstance(body, dict):
        for key in ("detail", "message", "error", "msg"):
            value = body.get(key)
            if isinstance(value, str) and value:
                return _excerpt(value)
            if isinstance(value, list) and value:
                issues = _validation_issues(body)
                if issues:
                    return "; ".join(str(issue) for issue in issues[:5])
        return ""
    if isinstance(body, str):
        text = " ".join(body.split())
        if text.lstrip().startswith("<"):
            return "(non-JSON body: " + _excerpt(text) + ")"
        return _excerpt(text)
    return ""


def _validation_issues(body: object) -> list[ValidationIssue]:
    if not isinstance(body, dict) or not isinstance(body.get("detail"), list):
        return []
    issues = []
    for item in body["detail"]:
        if not isinstance(item, dict):
            continue
        loc = item.get("loc")
        parts = tuple(p for p in loc if isinstance(p, str | int)) if isinstance(loc, list) else ()
        issues.append(ValidationIssue(loc=parts, msg=str(item.get("msg", "")), type=str(item.get("type", ""))))
    return issues


def _excerpt(text: str) -> str:
    return text if len(text) <= _BODY_EXCERPT else text[: _BODY_EXCERPT - 1] + "…"
