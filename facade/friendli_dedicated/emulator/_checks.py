"""Checks of the emulator's configuration: bad values and wrong types alike raise ``InvalidInputError``.

Each check names the field it refuses (``Faults.rate``, ``Emulator.tokens``, ...) and shows at most a
short excerpt of the value it got, so a huge or unprintable value cannot flood a message.

>>> duration("Timings.updating", float("inf"))
Traceback (most recent call last):
friendli_dedicated.errors.InvalidInputError: Timings.updating: must be a finite number of seconds >= 0, got inf
"""

from __future__ import annotations

import ipaddress
import math
from typing import Any

from friendli_dedicated.errors import InvalidInputError

__all__ = ["MAX_TIME", "boolean", "duration", "host", "integer", "number", "port", "shown", "timestamp"]

MAX_TIME = 253_402_300_799.0
"""9999-12-31T23:59:59Z: the last moment an ISO 8601 timestamp (and ``datetime``) can spell."""

_SHOWN = 60


def shown(value: Any) -> str:
    """A short, safe excerpt of ``repr(value)`` for an error message (never raises)."""
    try:
        text = repr(value)
    except Exception:  # a broken __repr__, or an int too long to print: say what it is instead
        return f"a {type(value).__name__}"
    return text if len(text) <= _SHOWN else text[: _SHOWN - 3] + "..."


def number(field: str, value: Any, *, minimum: float, maximum: float = math.inf, what: str = "number") -> float:
    """``value`` as a float if it is a finite real number (not a bool) in [minimum, maximum]."""
    try:
        finite = isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)
    except OverflowError:  # an int beyond any float
        finite = False
    if not finite or not minimum <= value <= maximum:
        bounds = f">= {minimum:g}" if maximum == math.inf else f"in [{minimum:g}, {maximum:g}]"
        raise InvalidInputError(field, f"must be a finite {what} {bounds}, got {shown(value)}")
    return float(value)


def duration(field: str, value: Any, *, maximum: float = math.inf) -> float:
    """A finite duration in seconds, >= 0 (and <= ``maximum``)."""
    return number(field, value, minimum=0.0, maximum=maximum, what="number of seconds")


def timestamp(field: str, value: Any) -> float:
    """A moment in seconds since the Unix epoch, from 1970 to the end of year 9999."""
    return number(field, value, minimum=0.0, maximum=MAX_TIME, what="number of seconds since the epoch")


def integer(field: str, value: Any, *, minimum: int, maximum: int) -> int:
    """An int (not a bool) in [minimum, maximum]."""
    if not isinstance(value, int) or isinstance(value, bool) or not minimum <= value <= maximum:
        raise InvalidInputError(field, f"must be an integer in [{minimum}, {maximum}], got {shown(value)}")
    return value


def boolean(field: str, value: Any) -> bool:
    """True or False, nothing that merely looks like one."""
    if not isinstance(value, bool):
        raise InvalidInputError(field, f"must be True or False, got {shown(value)}")
    return value


def host(field: str, value: Any) -> str:
    """An address to bind: an IP address literal or ``localhost`` (no name lookups)."""
    if isinstance(value, str):
        if value == "localhost":
            return value
        try:
            return str(ipaddress.ip_address(value))
        except ValueError:
            pass
    raise InvalidInputError(
        field, f"must be an IP address (such as 127.0.0.1 or ::1) or 'localhost', got {shown(value)}"
    )


def port(field: str, value: Any) -> int:
    """A TCP port, 0 meaning "a free one"."""
    return integer(field, value, minimum=0, maximum=65_535)
