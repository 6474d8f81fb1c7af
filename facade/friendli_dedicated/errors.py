"""The SDK's exceptions, in one tree.

    FriendliError                     every error this SDK raises on purpose
    ├── InvalidInputError             the client refused an input before sending (also a ValueError)
    ├── ConfigurationError            the client cannot be built: no token, an insecure base URL, ...
    ├── TransportError                no response: connection refused or dropped, DNS, TLS, decoding
    │   └── RequestTimeoutError       the request's timeout or the wait's deadline passed (also a TimeoutError)
    ├── APIError                      the server answered, and the answer is an error
    │   ├── BadRequestError           400
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
    ├── WaitError                     waiting for an endpoint ended without it serving
    │   ├── EndpointFailedError       status FAILED, with ``error_code``, ``phase`` and a hint
    │   ├── EndpointStoppedError      TERMINATING, TERMINATED, STOPPING, or SLEEPING without wake=True
    │   └── WaitTimeoutError          the deadline passed (also a TimeoutError)
    └── FleetWaitError                ``FleetResult.raise_for_failures``: some endpoints of a fleet do not serve

The rules the tree keeps:

- **Inputs.** Every public callable checks its arguments before sending anything. A bad value *and
  a wrong type* both raise ``InvalidInputError`` naming the field (``error.field``); a client's
  configuration (token, team, base URL, HTTP client) raises ``ConfigurationError``, which names the
  argument in ``error.field`` too. So ``except fd.InvalidInputError`` is the one way to catch a
  refused input, and a refusal always means that no request was sent.
- **Statuses** map to classes in exactly one place, ``make_status_error``, redirects included (the
  SDK never follows one: it would carry the token to another place).
- **Secrets.** No error carries the token: messages are built from the status, method, path and
  body, never from headers; ``request`` is a copy with the credentials redacted; the httpx
  exception that caused a ``TransportError`` is not chained (its request holds the real headers).
  Errors pickle (for multiprocessing and task queues) with exactly those redacted fields.
- **Bugs stay bugs.** Programming errors inside the SDK are not converted into this tree, so
  ``except FriendliError`` never swallows one.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

import attrs
import httpx

from friendli_dedicated._excerpt import excerpt
from friendli_dedicated._retry_after import parse_retry_after

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
    "FleetWaitError",
    "FriendliError",
    "InvalidInputError",
    "NotFoundError",
    "PaginationError",
    "PermissionDeniedError",
    "RateLimitError",
    "RequestTimeoutError",
    "ResponseFormatError",
    "ServerError",
    "TransportError",
    "ValidationError",
    "ValidationIssue",
    "WaitError",
    "WaitTimeoutError",
    "make_status_error",
    "redacted_request",
]

_BODY_EXCERPT = 200
# Headers that carry credentials: never kept on an error, whatever their case.
_SECRET_HEADERS = frozenset({"authorization", "proxy-authorization", "cookie", "set-cookie"})
# Where servers and gateways put the id of a request, most specific first.
_REQUEST_ID_HEADERS = ("x-request-id", "request-id", "x-amzn-requestid", "x-correlation-id")
_REDACTED = "[redacted]"


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
        self.request = redacted_request(request)
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
        self.request = redacted_request(request)
        self.request_id = request_id


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


class FleetWaitError(FriendliError):
    """Raised by ``FleetResult.raise_for_failures`` when some endpoints of a fleet do not serve;
    ``result`` is the whole ``FleetResult`` (its ``failed``, ``stopped`` and ``timed_out`` say which)."""

    def __init__(self, message: str, *, result: Any) -> None:
        super().__init__(message)
        self.result = result


def redacted_request(request: httpx.Request | None) -> httpx.Request | None:
    """A copy of ``request`` whose credential headers read ``[redacted]`` (None stays None).

    >>> request = httpx.Request("GET", "https://api.invalid/x", headers={"Authorization": "Bearer flp_secret"})
    >>> redacted_request(request).headers["authorization"]
    '[redacted]'
    """
    if request is None:
        return None
    headers = [
        (name, _REDACTED if name.lower() in _SECRET_HEADERS else value) for name, value in request.headers.items()
    ]
    try:
        content = request.content
    except httpx.RequestNotRead:  # a streaming body: not kept
        content = b""
    return httpx.Request(request.method, request.url, headers=headers, content=content)


def make_status_error(response: httpx.Response) -> APIError:
    """The one mapping from a non-2xx response to its exception class (the body must have been read).

    Tolerates any body: JSON, an HTML page from a proxy, an empty, truncated or absurdly nested one.
    A redirect is an error too: the SDK never follows one, since it would carry the token elsewhere.

    >>> make_status_error(httpx.Response(404, json={"detail": "Endpoint 'ep-1' not found"})).status_code
    404
    """
    status = response.status_code
    body = decode_body(response)
    request = _request_of(response)
    common: dict[str, Any] = {
        "status_code": status,
        "body": body,
        "request": request,
        "request_id": request_id_of(response.headers),
    }
    if 300 <= status < 400:
        location = response.headers.get("location", "(no location)")
        message = (
            f"{_where(request)}{status} redirect to {excerpt(location, _BODY_EXCERPT)} not followed "
            "(the SDK never forwards its token to another URL)"
        )
        return APIError(message, **common)
    message = _message(response, body, request, common["request_id"])
    if status == 422:
        return ValidationError(message, detail=_validation_issues(body), **common)
    if status == 429:
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


def request_id_of(headers: Mapping[str, str]) -> str | None:
    """The request id a server or gateway sent (``x-request-id`` and the like), if any.

    >>> request_id_of(httpx.Headers({"X-Request-Id": "req-42"}))
    'req-42'
    """
    for name in _REQUEST_ID_HEADERS:
        value = headers.get(name)
        if value:
            return excerpt(value.strip(), _BODY_EXCERPT)
    return None


def decode_body(response: httpx.Response) -> object:
    """JSON if the body parses as JSON, else its text, else None (empty body).

    Never raises on what a server sent: a body nested too deep for the parser is kept as text.
    """
    content = response.content
    if not content:
        return None
    try:
        return json.loads(content)
    except (ValueError, UnicodeDecodeError, RecursionError):
        return content.decode("utf-8", errors="replace")


def _request_of(response: httpx.Response) -> httpx.Request | None:
    try:
        return response.request
    except RuntimeError:  # a Response built by hand has no request
        return None


def _where(request: httpx.Request | None) -> str:
    return f"{request.method} {request.url.path}: " if request is not None else ""


def _message(response: httpx.Response, body: object, request: httpx.Request | None, request_id: str | None) -> str:
    reason = response.reason_phrase or "error"
    detail = _detail_text(body)
    suffix = f" (request id {request_id})" if request_id else ""
    return f"{_where(request)}{response.status_code} {reason}" + (f": {detail}" if detail else "") + suffix


def _detail_text(body: object) -> str:
    if isinstance(body, dict):
        for key in ("detail", "message", "error", "msg"):
            value = body.get(key)
            if isinstance(value, str) and value:
                return excerpt(value, _BODY_EXCERPT)
            if isinstance(value, list) and value:
                issues = _validation_issues(body)
                if issues:
                    return "; ".join(str(issue) for issue in issues[:5])
        return ""
    if isinstance(body, str):
        text = " ".join(body[: _BODY_EXCERPT * 4].split())
        if text.lstrip().startswith("<"):
            return "(non-JSON body: " + excerpt(text, _BODY_EXCERPT) + ")"
        return excerpt(text, _BODY_EXCERPT)
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
        issues.append(
            ValidationIssue(
                loc=parts, msg=excerpt(str(item.get("msg", "")), _BODY_EXCERPT), type=str(item.get("type", ""))[:100]
            )
        )
    return issues
