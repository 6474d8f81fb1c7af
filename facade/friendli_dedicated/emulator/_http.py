"""The emulator's response value and the few error bodies it sends, free of any HTTP library.

The core answers with ``Response`` values; each runner (httpx transport, HTTP server) turns them
into its own kind of response, or, for ``Response.drop()``, into no response at all.

>>> Response.json_body(404, {"detail": "Not Found"}).status
404
>>> retry_after_headers(0.0333)
{'retry-after': '0.034', 'retry-after-ms': '34'}
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

import attrs

if TYPE_CHECKING:
    from friendli_dedicated.emulator._contract import Issue, Operation

__all__ = ["Response", "retry_after_headers"]


@attrs.frozen
class Response:
    """A status, headers and body bytes; ``dropped`` means "close the connection, answer nothing"."""

    status: int
    headers: Mapping[str, str] = attrs.field(factory=dict)
    body: bytes = b""
    dropped: bool = False

    @classmethod
    def json_body(cls, status: int, value: Any, headers: Mapping[str, str] | None = None) -> Response:
        """A JSON response (compact, UTF-8)."""
        body = json.dumps(value, separators=(",", ":")).encode()
        return cls(status, {"content-type": "application/json", **(headers or {})}, body)

    @classmethod
    def detail(cls, status: int, message: str, headers: Mapping[str, str] | None = None) -> Response:
        """An error with a one-line ``{"detail": message}`` body."""
        return cls.json_body(status, {"detail": message}, headers)

    @classmethod
    def invalid(cls, issues: list[dict[str, Any]]) -> Response:
        """422 in the contract's HTTPValidationError shape."""
        return cls.json_body(422, {"detail": issues})

    @classmethod
    def drop(cls) -> Response:
        """No response: the runner closes the connection."""
        return cls(0, {}, b"", dropped=True)

    def json(self) -> Any:
        """The body parsed as JSON."""
        return json.loads(self.body)


def retry_after_headers(seconds: float) -> dict[str, str]:
    """``Retry-After`` (seconds) and ``retry-after-ms`` for a wait of ``seconds``, rounded up to a millisecond.

    Rounded up, never down: a client that waits exactly what it was told must then be admitted.
    """
    # round() first: 0.05 * 1000 is 50.00000000000001, which is 50 ms, not 51.
    milliseconds = math.ceil(round(max(seconds, 0.0) * 1000, 6))
    whole, rest = divmod(milliseconds, 1000)
    text = str(whole) if rest == 0 else f"{whole}.{rest:03d}".rstrip("0")  # exact: no float formatting
    return {"retry-after": text, "retry-after-ms": str(milliseconds)}


@attrs.frozen
class RequestHead:
    """A request that passed every check made before its body, for ``Emulator.handle_body``.

    A runner reads at most ``body_limit`` bytes of the body (one more than the emulator takes, so
    that it can tell a body over the limit) and stops there.
    """

    operation: Operation
    path_params: Mapping[str, str]
    params: Mapping[str, Any]
    issues: tuple[Issue, ...]
    team: str
    creator: str
    content_type: str | None
    body_limit: int
    method: str = ""
    path: str = ""
    query: tuple[tuple[str, str], ...] = ()
    received_at: float = 0.0
