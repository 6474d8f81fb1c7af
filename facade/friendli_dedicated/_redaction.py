"""Copies of requests without their credentials, for the errors that keep a request.

A leaf module (it imports nothing of this package) so that the error classes can redact the
request they are given without importing the mapping from responses to errors (``_status_errors``).
"""

from __future__ import annotations

import httpx

__all__ = ["redacted_request"]

# Headers that carry credentials: never kept on an error, whatever their case.
_SECRET_HEADERS = frozenset({"authorization", "proxy-authorization", "cookie", "set-cookie"})
_REDACTED = "[redacted]"


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
