"""The one mapping from a non-2xx response to its error class (``make_status_error``), and what
it reads from a response: the decoded body and the request id.

Tolerates any body: JSON, an HTML page from a proxy, an empty, truncated or absurdly nested one.
Messages are built from the status, method, path and body, never from headers (the token is in
one). The classes it builds are those of ``friendli_dedicated.errors``.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

import httpx

from friendli_dedicated._excerpt import excerpt
from friendli_dedicated._retry_after import parse_retry_after
from friendli_dedicated.errors import (
    APIError,
    AuthenticationError,
    BadRequestError,
    ConflictError,
    NotFoundError,
    PermissionDeniedError,
    RateLimitError,
    ServerError,
    ValidationError,
    ValidationIssue,
)

__all__ = ["decode_body", "make_status_error", "request_id_of"]

_BODY_EXCERPT = 200
# Where servers and gateways put the id of a request, most specific first.
_REQUEST_ID_HEADERS = ("x-request-id", "request-id", "x-amzn-requestid", "x-correlation-id")


def make_status_error(response: httpx.Response) -> APIError:
    """The one mapping from a non-2xx response to its exception class (the body must have been read).

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
    if status >= 500:
        return ServerError(message, retry_after=parse_retry_after(response.headers), **common)
    cls = _STATUS_CLASSES.get(status) or APIError
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

    >>> decode_body(httpx.Response(502, text="<html>Bad Gateway</html>"))
    '<html>Bad Gateway</html>'
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
