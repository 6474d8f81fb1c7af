"""Reading a server's ``Retry-After`` (or ``retry-after-ms``), as one pure function.

A leaf module (it imports nothing of this package) so that both the error tree (``RateLimitError``
carries the wait) and the retry rules can use it without importing each other.
"""

from __future__ import annotations

import email.utils
import math
import re
import time
from collections.abc import Callable, Mapping
from datetime import UTC

__all__ = ["parse_retry_after"]

# Plain decimal text only: float() alone would also take "nan", "inf", "1_000" and non-ASCII digits.
_NUMBER = re.compile(r"[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?", re.ASCII)


def parse_retry_after(headers: Mapping[str, str], *, now: Callable[[], float] = time.time) -> float | None:
    """Seconds the server asked us to wait, from ``retry-after-ms`` or ``retry-after``; None if it did not say.

    ``retry-after-ms`` is preferred when both are present (it is the more precise of the two); if it
    is unusable, ``retry-after`` is used instead. ``retry-after`` may be delta-seconds or an
    HTTP-date, which is measured from ``now()`` (seconds since the epoch); a date in the past is
    0.0. A value that cannot be parsed, or is NaN, infinite (``1e309``) or negative, is unusable:
    it says nothing, and None means neither header said anything usable. Header names match in any
    case, for ``httpx.Headers`` and plain dicts alike.

    >>> parse_retry_after({"Retry-After-Ms": "1500"})
    1.5
    >>> parse_retry_after({"retry-after": "Thu, 01 Jan 1970 00:01:00 GMT"}, now=lambda: 0.0)
    60.0
    >>> parse_retry_after({"retry-after": "soon"}) is None
    True
    >>> parse_retry_after({"retry-after-ms": "1e309", "retry-after": "2"})
    2.0
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
        milliseconds = _delta(milliseconds_text)
        if milliseconds is not None:
            return milliseconds / 1000.0
    if seconds_text is None:
        return None
    if _NUMBER.fullmatch(seconds_text.strip()):
        return _delta(seconds_text)
    return _seconds_until_http_date(seconds_text, now)


def _delta(text: str) -> float | None:
    """A usable number of (milli)seconds: plain decimal, finite, not negative; else None."""
    stripped = text.strip()
    if not _NUMBER.fullmatch(stripped):
        return None
    number = float(stripped)  # "1e309" is inf: as unusable as "inf" itself
    if not math.isfinite(number) or number < 0:
        return None
    return max(0.0, number)  # "-0" is a zero wait (max(0.0, -0.0) is 0.0, not -0.0)


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
