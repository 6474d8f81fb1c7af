"""When to retry a request and how long to wait first, as pure functions shared by both clients.

The sync and async clients differ only in how they sleep and send; the decisions live here, free
of I/O and clocks (``now`` and ``random`` are injected), so one set of tests covers both.

The one rule that is not a matter of taste: a request that is not idempotent (creating an endpoint)
is retried only when it cannot have reached the server. A duplicate endpoint is a duplicate GPU
bill, so a lost response is surfaced to the caller rather than papered over by sending again.

>>> policy = RetryPolicy(max_retries=2)
>>> should_retry(idempotent=True, retries_done=0, policy=policy, status=503)
True
>>> retry_delay(policy, 0, retry_after=parse_retry_after({"Retry-After": "3"}))
3.0
"""

from __future__ import annotations

import email.utils
import math
import random as _random
import re
import time
from collections.abc import Callable, Mapping
from datetime import UTC

import attrs
import httpx

from friendli_dedicated._backoff import Backoff
from friendli_dedicated.errors import InvalidInputError

__all__ = [
    "RETRYABLE_STATUSES",
    "RetryPolicy",
    "may_have_reached_server",
    "parse_retry_after",
    "retry_delay",
    "should_retry",
]

RETRYABLE_STATUSES: frozenset[int] = frozenset({429, 502, 503, 504})
"""Statuses that say "try again later" rather than "this request is wrong".

500 is left out on purpose: it usually means the request hit a bug, and sending it again hits it again.

>>> 503 in RETRYABLE_STATUSES, 500 in RETRYABLE_STATUSES
(True, False)
"""

# Errors raised before a single byte of the request was written: the server cannot have seen it.
_NEVER_SENT = (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout)

# Plain decimal text only: float() alone would also take "nan", "inf", "1_000" and non-ASCII digits.
_NUMBER = re.compile(r"[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?", re.ASCII)


def _check_max_retries(_instance: object, _attribute: attrs.Attribute[int], value: object) -> None:
    if value is None:
        raise InvalidInputError("max_retries", "must be a whole number >= 0, got None; pass 0 to disable retries")
    if not isinstance(value, int) or isinstance(value, bool) or value < 0:
        raise InvalidInputError("max_retries", f"must be a whole number >= 0, got {value!r}")


def _check_backoff(_instance: object, _attribute: attrs.Attribute[Backoff], value: object) -> None:
    if not isinstance(value, Backoff):
        raise InvalidInputError("backoff", f"must be a Backoff, got {value!r}")


def _check_retry_after_cap(_instance: object, _attribute: attrs.Attribute[float], value: object) -> None:
    if not isinstance(value, int | float) or isinstance(value, bool) or not math.isfinite(value) or value <= 0:
        raise InvalidInputError("retry_after_cap", f"must be a finite number > 0, got {value!r}")


@attrs.frozen
class RetryPolicy:
    """How many times to retry, how long to back off, and how long a server may make us wait.

    ``max_retries`` counts retries, not attempts: the default 2 sends a request at most 3 times.
    The default backoff uses full jitter so that many clients hit by the same outage come back
    spread out instead of together. ``retry_after_cap`` bounds a server's ``Retry-After``, so a
    misconfigured proxy asking for an hour cannot hang the caller.

    >>> RetryPolicy().max_retries
    2
    >>> RetryPolicy(max_retries=0).max_retries  # never retry
    0
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


def parse_retry_after(headers: Mapping[str, str], *, now: Callable[[], float] = time.time) -> float | None:
    """Seconds the server asked us to wait, from ``retry-after-ms`` or ``retry-after``; None if it did not say.

    ``retry-after-ms`` is preferred when both are present (it is the more precise of the two); if it
    is unparseable, ``retry-after`` is used instead. ``retry-after`` may be delta-seconds or an
    HTTP-date, which is measured from ``now()`` (seconds since the epoch). A wait in the past is
    0.0; a value that cannot be parsed, or is NaN or infinite, is None. Header names match in any
    case, for ``httpx.Headers`` and plain dicts alike.

    >>> parse_retry_after({"Retry-After-Ms": "1500"})
    1.5
    >>> parse_retry_after({"retry-after": "Thu, 01 Jan 1970 00:01:00 GMT"}, now=lambda: 0.0)
    60.0
    >>> parse_retry_after({"retry-after": "soon"}) is None
    True
    """
    milliseconds_text: str | None = None
    seconds_text: str | None = None
    # A plain dict is case-sensitive, so scan the names rather than look them up.
    for name, value in headers.items():
        lowered = name.lower()
        if lowered == "retry-after-ms" and milliseconds_text is None:
            milliseconds_text = value
        elif lowered == "retry-after" and seconds_text is None:
            seconds_text = value

    if milliseconds_text is not None:
        milliseconds = _parse_number(milliseconds_text)
        if milliseconds is not None:
            return _finite_wait(milliseconds / 1000.0)
    if seconds_text is not None:
        seconds = _parse_number(seconds_text)
        if seconds is not None:
            return _finite_wait(seconds)
        return _seconds_until_http_date(seconds_text, now)
    return None


def _parse_number(text: str) -> float | None:
    stripped = text.strip()
    if not _NUMBER.fullmatch(stripped):
        return None
    return float(stripped)


def _finite_wait(seconds: float) -> float | None:
    if not math.isfinite(seconds):
        return None
    # max(0.0, ...) rather than max(..., 0.0): the latter keeps -0.0, which prints oddly.
    return max(0.0, seconds)


def _seconds_until_http_date(text: str, now: Callable[[], float]) -> float | None:
    try:
        when = email.utils.parsedate_to_datetime(text.strip())
    except (ValueError, TypeError, OverflowError, IndexError):
        return None
    if when.tzinfo is None:
        # "-0000" or no zone at all: HTTP-dates are always GMT, so read it as UTC, not local time.
        when = when.replace(tzinfo=UTC)
    return _finite_wait(when.timestamp() - now())


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

    Pass exactly one of ``status`` and ``exc``. Only ``httpx.TransportError`` is worth retrying
    (anything else, such as a decoding error, would fail the same way again). A request that is not
    idempotent is retried only when it cannot have reached the server: once any response came back,
    or the connection broke mid-request, sending again may do the work twice.

    >>> policy = RetryPolicy(max_retries=2)
    >>> should_retry(idempotent=False, retries_done=0, policy=policy, exc=httpx.ConnectError("refused"))
    True
    >>> should_retry(idempotent=False, retries_done=0, policy=policy, exc=httpx.ReadTimeout("no answer"))
    False
    >>> should_retry(idempotent=True, retries_done=2, policy=policy, status=503)
    False
    """
    if (status is None) == (exc is None):
        raise TypeError("should_retry() needs exactly one of status= and exc=")
    if retries_done >= policy.max_retries:
        return False
    if exc is not None:
        if not isinstance(exc, httpx.TransportError):
            return False
        return idempotent or not may_have_reached_server(exc)
    return idempotent and status in RETRYABLE_STATUSES
