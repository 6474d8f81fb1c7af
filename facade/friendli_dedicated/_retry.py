"""When to retry a request and how long to wait first, as pure functions shared by both clients.

The sync and async clients differ only in how they sleep and send; the decisions live here, free
of I/O and clocks (``now`` and ``random`` are injected), so one set of tests covers both.

The one rule that is not a matter of taste: a request that is not idempotent (creating an endpoint)
is retried only when it cannot have reached the server. A duplicate endpoint is a duplicate GPU
bill, so a lost response is surfaced to the caller rather than papered over by sending again.

"Transient" means one thing everywhere: no response, or a status of ``RETRYABLE_STATUSES`` (429,
502, 503, 504). A request retries those itself (``should_retry``; a 429 at the pace of the client's
gate, ``_gate``); a wait (``_waiter``, ``_fleet``) that still sees one once the request has given up
(``transient``) polls again at its next poll, as its own pace and deadline allow. The only
difference is who waits, not what is transient.

>>> policy = RetryPolicy(max_retries=2)
>>> should_retry(idempotent=True, retries_done=0, policy=policy, status=503)
True
>>> should_retry(idempotent=False, retries_done=2, policy=policy, status=429)  # 429s have their own count
True
>>> retry_delay(policy, 0, retry_after=parse_retry_after({"Retry-After": "3"}))
3.0
"""

from __future__ import annotations

import math
import random as _random
from collections.abc import Callable

import attrs
import httpx

from friendli_dedicated._backoff import Backoff
from friendli_dedicated._retry_after import parse_retry_after
from friendli_dedicated._validate import is_finite_number, shown
from friendli_dedicated.errors import InvalidInputError, RateLimitError, ServerError, TransportError

__all__ = [
    "RETRYABLE_STATUSES",
    "RetryPolicy",
    "may_have_reached_server",
    "parse_retry_after",
    "retry_delay",
    "should_retry",
    "transient",
]

RATE_LIMITED = 429
"""Too Many Requests: the request was refused before it was processed, so even a create may be sent again."""

DEFAULT_RATE_LIMITED_RETRIES = 20
"""429s a request may meet before the call gives up (the deadline usually ends it first)."""

RETRYABLE_STATUSES: frozenset[int] = frozenset({RATE_LIMITED, 502, 503, 504})
"""Statuses that say "try again later" rather than "this request is wrong".

500 is left out on purpose: it usually means the request hit a bug, and sending it again hits it again.

>>> 503 in RETRYABLE_STATUSES, 500 in RETRYABLE_STATUSES
(True, False)
"""

# Errors raised before a single byte of the request was written: the server cannot have seen it.
_NEVER_SENT = (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout)


def _check_max_retries(_instance: object, _attribute: attrs.Attribute[int], value: object) -> None:
    if value is None:
        raise InvalidInputError("max_retries", "must be a whole number >= 0, got None; pass 0 to disable retries")
    if not isinstance(value, int) or isinstance(value, bool) or value < 0:
        raise InvalidInputError("max_retries", f"must be a whole number >= 0, got {shown(value)}")


def _check_max_rate_limited_retries(_instance: object, _attribute: attrs.Attribute[int], value: object) -> None:
    if not isinstance(value, int) or isinstance(value, bool) or value < 0:
        raise InvalidInputError("max_rate_limited_retries", f"must be a whole number >= 0, got {shown(value)}")


def _check_backoff(_instance: object, _attribute: attrs.Attribute[Backoff], value: object) -> None:
    if not isinstance(value, Backoff):
        raise InvalidInputError("backoff", f"must be a Backoff, got {shown(value)}")


def _check_retry_after_cap(_instance: object, _attribute: attrs.Attribute[float], value: object) -> None:
    if not is_finite_number(value) or value <= 0:  # type: ignore[operator]
        raise InvalidInputError("retry_after_cap", f"must be a finite number > 0, got {shown(value)}")


@attrs.frozen
class RetryPolicy:
    """How many times to retry, how long to back off, and how long a server may make us wait.

    ``max_retries`` counts retries, not attempts: the default 2 sends a request at most 3 times.
    A 429 is not a failure but a refusal before any processing, and the client paces itself after one
    (docs/errors.md, "The client's pace after a 429"): a burst of N requests against a limit of R a
    second needs N/R seconds, not a number of tries. So 429s are counted apart, up to
    ``max_rate_limited_retries`` (default 20, or 0 when ``max_retries`` is 0: no retries at all), and
    in practice bounded by the call's deadline.
    The default backoff uses full jitter so that many clients hit by the same outage come back
    spread out instead of together. ``retry_after_cap`` bounds a server's ``Retry-After``, so a
    misconfigured proxy asking for an hour cannot hang the caller.

    >>> RetryPolicy().max_retries
    2
    >>> RetryPolicy(max_retries=0).max_retries  # never retry
    0
    >>> RetryPolicy().max_rate_limited_retries, RetryPolicy(max_retries=0).max_rate_limited_retries
    (20, 0)
    >>> try:
    ...     RetryPolicy(max_retries=None)
    ... except InvalidInputError as refused:
    ...     print(refused.message)
    must be a whole number >= 0, got None; pass 0 to disable retries
    """

    max_retries: int = attrs.field(default=2, validator=_check_max_retries)
    backoff: Backoff = attrs.field(
        default=Backoff(initial=0.5, multiplier=2.0, maximum=8.0, jitter=1.0), validator=_check_backoff
    )
    retry_after_cap: float = attrs.field(default=60.0, validator=_check_retry_after_cap)
    max_rate_limited_retries: int = attrs.field(validator=_check_max_rate_limited_retries)

    @max_rate_limited_retries.default
    def _max_rate_limited_retries(self) -> int:
        return 0 if self.max_retries == 0 else DEFAULT_RATE_LIMITED_RETRIES


def retry_delay(
    policy: RetryPolicy,
    attempt: int,
    *,
    retry_after: float | None,
    random: Callable[[], float] = _random.random,
) -> float:
    """Seconds to sleep before retry number ``attempt`` (0 for the first retry).

    The server's ``retry_after`` wins when it gave one, capped at ``policy.retry_after_cap``;
    otherwise the policy's backoff decides, jittered by ``random`` (a float in [0, 1)).

    >>> policy = RetryPolicy(retry_after_cap=10.0)
    >>> retry_delay(policy, 0, retry_after=3600.0)
    10.0
    >>> retry_delay(policy, 2, retry_after=None, random=lambda: 0.0)
    2.0
    """
    # NaN compares false with everything and would slip through min/max, so it counts as "not said".
    if retry_after is not None and not math.isnan(retry_after):
        return min(max(0.0, retry_after), policy.retry_after_cap)
    return policy.backoff.delay(attempt, random=random)


def may_have_reached_server(exc: BaseException) -> bool:
    """False only when the request certainly never left the client (connecting failed or timed
    out, or no pooled connection was free); True for anything else, including errors we do not know.

    >>> may_have_reached_server(httpx.ConnectError("refused"))
    False
    >>> may_have_reached_server(httpx.ReadTimeout("no answer"))
    True
    """
    return not isinstance(exc, _NEVER_SENT)


def should_retry(
    *,
    idempotent: bool,
    retries_done: int,
    policy: RetryPolicy,
    status: int | None = None,
    exc: BaseException | None = None,
) -> bool:
    """Whether to send the request again after it failed with ``exc`` or was answered with ``status``.

    Pass exactly one of ``status`` and ``exc``. ``retries_done`` counts the retries of the same kind:
    after a 429, the retries after 429s (bounded by ``policy.max_rate_limited_retries``); else the
    others (bounded by ``policy.max_retries``). Only ``httpx.TransportError`` is worth retrying
    (anything else, such as a decoding error, would fail the same way again). A request that is not
    idempotent is retried only when it cannot have been acted on: it never left the client, or it
    was refused with 429 (a rate limit answers before the request is processed). After any other
    response, or a connection broken mid-request, sending again may do the work twice.

    >>> policy = RetryPolicy(max_retries=2)
    >>> should_retry(idempotent=False, retries_done=0, policy=policy, exc=httpx.ConnectError("refused"))
    True
    >>> should_retry(idempotent=False, retries_done=0, policy=policy, exc=httpx.ReadTimeout("no answer"))
    False
    >>> should_retry(idempotent=True, retries_done=2, policy=policy, status=503)
    False
    >>> should_retry(idempotent=False, retries_done=0, policy=policy, status=429)  # refused, not done
    True
    """
    if (status is None) == (exc is None):
        raise TypeError("should_retry() needs exactly one of status= and exc=")
    if status == RATE_LIMITED:
        return retries_done < policy.max_rate_limited_retries
    if retries_done >= policy.max_retries:
        return False
    if exc is not None:
        if not isinstance(exc, httpx.TransportError):
            return False
        return idempotent or not may_have_reached_server(exc)
    return idempotent and status in RETRYABLE_STATUSES


def transient(exc: BaseException) -> bool:
    """Whether a request's error says "try again later": no response (``TransportError``), or the
    answer of a status in ``RETRYABLE_STATUSES``. What the waits poll through; anything else is the
    caller's to see (a 500 usually means a bug that asking again would only repeat).

    >>> transient(ServerError("503", status_code=503)), transient(ServerError("500", status_code=500))
    (True, False)
    """
    if isinstance(exc, TransportError):
        return True
    return isinstance(exc, RateLimitError | ServerError) and exc.status_code in RETRYABLE_STATUSES
