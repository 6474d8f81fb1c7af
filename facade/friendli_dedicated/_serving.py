"""Whether an endpoint serves: the one minimal request that asks it, and what its failure means.

RUNNING is not serving: the status may say RUNNING a while before requests are answered (the
routing, the engine's first load), so ``check_serving`` asks the endpoint itself. It sends one
tokenization of a short text (``_calls.tokenize``), the cheapest operation of the contract's
inference surface that the endpoint's engine must answer: it generates nothing (a chat completion
of even one token runs the model over its prompt, and is billed), changes nothing, and so is retried
like a read on transient failures (``_transport``), within the check's deadline.

A failure that says something about the endpoint becomes ``EndpointNotServingError`` with its
``reason`` (``not_serving``); the others (401, 403, 422, 429, a reply not in the contract's shape) are
raised as they are. ``wait_until_running(serving=True)`` asks the same question once the status says
RUNNING, and keeps waiting while the answer is one that waiting may change (``Unanswered``, which
``_waiter`` consults).

>>> from friendli_dedicated.errors import ServerError
>>> error = not_serving("ep-1", ServerError("POST /dedicated/v1/tokenize: 503", status_code=503), 30.0)
>>> error.reason, error.status_code
('warming_up', 503)
"""

from __future__ import annotations

import attrs

from friendli_dedicated import _calls as calls
from friendli_dedicated._flows import Flow
from friendli_dedicated._retry import transient
from friendli_dedicated.errors import (
    APIError,
    BadRequestError,
    EndpointNotServingError,
    FriendliError,
    NotFoundError,
    RateLimitError,
    RequestTimeoutError,
    ServerError,
    TransportError,
)

__all__ = ["PROBE_TEXT", "REASONS", "Unanswered", "check_flow", "not_serving"]

PROBE_TEXT = "ping"
"""What ``check_serving`` asks the endpoint to tokenize: short, plain ASCII, the same every time."""

REASONS = ("warming_up", "needs_action", "not_found", "unavailable", "timeout")
"""The values of ``EndpointNotServingError.reason``, from "wait a little" to "it did not answer"."""

_WHY = {
    "warming_up": "is not serving yet (deploying, updating or waking up)",
    "needs_action": "does not serve until it is acted on",
    "not_found": "is not known to the inference surface (an unknown id, deleted, or another team's)",
    "unavailable": "did not answer",
}


def not_serving(endpoint_id: str, exc: FriendliError, timeout: float | None) -> EndpointNotServingError | None:
    """The error saying why ``endpoint_id`` did not answer, given the request's error ``exc``; None
    when ``exc`` says nothing about the endpoint (it is then raised as it is). ``timeout``: the
    check's, for the message.

    >>> from friendli_dedicated.errors import AuthenticationError, RequestTimeoutError
    >>> not_serving("ep-1", AuthenticationError("401", status_code=401), 30.0) is None
    True
    >>> print(not_serving("ep-1", RequestTimeoutError("POST /dedicated/v1/tokenize: deadline passed"), 30.0))
    endpoint ep-1 did not answer within 30s: POST /dedicated/v1/tokenize: deadline passed
    """
    status = exc.status_code if isinstance(exc, APIError) else None
    retry_after: float | None = None
    if isinstance(exc, RequestTimeoutError):
        within = f" within {timeout:g}s" if timeout is not None else " in time"
        message = f"endpoint {endpoint_id} did not answer{within}: {exc}"
        return EndpointNotServingError(message, endpoint_id=endpoint_id, reason="timeout", error=exc)
    if isinstance(exc, ServerError) and status == 503:
        reason = "warming_up"
        retry_after = exc.retry_after
    elif isinstance(exc, BadRequestError):
        reason = "needs_action"
    elif isinstance(exc, NotFoundError):
        reason = "not_found"
    elif isinstance(exc, ServerError | TransportError):
        reason = "unavailable"
    else:
        return None
    later = f"; the server says to ask again in {retry_after:g}s" if retry_after is not None else ""
    message = f"endpoint {endpoint_id} {_WHY[reason]}{later}: {exc}"
    return EndpointNotServingError(
        message, endpoint_id=endpoint_id, reason=reason, error=exc, status_code=status, retry_after=retry_after
    )


def check_flow(endpoint_id: str, team_id: str | None, timeout: float) -> Flow[None]:
    """``check_serving`` as a flow: one tokenization; its failure as ``EndpointNotServingError``."""
    try:
        yield calls.tokenize(endpoint_id, PROBE_TEXT, team_id)
    except FriendliError as exc:
        error = not_serving(endpoint_id, exc, timeout)
        if error is None:
            raise
        raise error from exc


@attrs.define
class Unanswered:
    """A serving wait's bookkeeping of its checks, free of I/O (``_waiter._Wait`` holds one).

    ``failed`` records a check that was not answered and says whether waiting may change that;
    ``refusal`` is what a status of RUNNING means after a refusal (a 400): the endpoint says it runs
    but will not serve, and waiting will not change it.
    """

    endpoint_id: str
    last: EndpointNotServingError | None = None
    refused: bool = False

    def failed(self, exc: FriendliError) -> float | None:
        """Record the failed check ``exc``; returns the wait the server asked for (seconds), if any.
        Raises ``exc`` when it says nothing about serving and is not transient (a 401, a 422)."""
        error = not_serving(self.endpoint_id, exc, None)
        if error is None:
            if not transient(exc):  # a 429 is: the next poll asks again
                raise exc
            return exc.retry_after if isinstance(exc, RateLimitError) else None
        self.last = error
        self.refused = error.reason == "needs_action"
        return error.retry_after

    def refusal(self) -> EndpointNotServingError | None:
        """At a status of RUNNING: the last check's refusal, if it was one (it is then raised)."""
        return self.last if self.refused else None
