"""Checks of the emulator's configuration: bad values and wrong types alike raise ``InvalidInputError``.

Each check takes the value, then the field it names when it refuses it (``Faults.rate``,
``Emulator.tokens``, ...), in the order of the facade's ``_validate``; a message shows at most a
short excerpt of the value it got (``_validate.shown``), so a huge or unprintable value cannot
flood it.

>>> duration(float("inf"), "Timings.updating")
Traceback (most recent call last):
friendli_dedicated.errors.InvalidInputError: Timings.updating: must be a finite number of seconds >= 0, got inf
"""

from __future__ import annotations

import ipaddress
import math
import re
from collections.abc import Mapping, Sequence
from typing import Any

from friendli_dedicated._validate import shown
from friendli_dedicated.errors import InvalidInputError

__all__ = ["MAX_TIME", "boolean", "duration", "host", "integer", "number", "port", "timestamp", "tokens"]

MAX_TIME = 253_402_300_799.0
"""9999-12-31T23:59:59Z: the last moment an ISO 8601 timestamp (and ``datetime``) can spell."""

_VISIBLE_ASCII = re.compile(r"[!-~]+")


def number(value: Any, field: str, *, minimum: float, maximum: float = math.inf, what: str = "number") -> float:
    """``value`` as a float if it is a finite real number (not a bool) in [minimum, maximum]."""
    try:
        finite = isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)
    except OverflowError:  # an int beyond any float
        finite = False
    if not finite or not minimum <= value <= maximum:
        bounds = f">= {minimum:g}" if maximum == math.inf else f"in [{minimum:g}, {maximum:g}]"
        raise InvalidInputError(field, f"must be a finite {what} {bounds}, got {shown(value)}")
    return float(value)


def duration(value: Any, field: str, *, maximum: float = math.inf) -> float:
    """A finite duration in seconds, >= 0 (and <= ``maximum``)."""
    return number(value, field, minimum=0.0, maximum=maximum, what="number of seconds")


def timestamp(value: Any, field: str) -> float:
    """A moment in seconds since the Unix epoch, from 1970 to the end of year 9999."""
    return number(value, field, minimum=0.0, maximum=MAX_TIME, what="number of seconds since the epoch")


def integer(value: Any, field: str, *, minimum: int, maximum: int) -> int:
    """An int (not a bool) in [minimum, maximum]."""
    if not isinstance(value, int) or isinstance(value, bool) or not minimum <= value <= maximum:
        raise InvalidInputError(field, f"must be an integer in [{minimum}, {maximum}], got {shown(value)}")
    return value


def boolean(value: Any, field: str) -> bool:
    """True or False, nothing that merely looks like one."""
    if not isinstance(value, bool):
        raise InvalidInputError(field, f"must be True or False, got {shown(value)}")
    return value


def host(value: Any, field: str) -> str:
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


def port(value: Any, field: str) -> int:
    """A TCP port, 0 meaning "a free one"."""
    return integer(value, field, minimum=0, maximum=65_535)


def tokens(value: Any, field: str, *, max_team_length: int) -> dict[str, tuple[str, ...]]:
    """token -> its teams: a token is visible ASCII (it travels in a header), a team a printable
    string of 1 to ``max_team_length`` characters without surrounding spaces. A message names a
    token by its position (``field[#2]``), never by its value.

    >>> tokens({"t-1": ["team-a"]}, "Emulator.tokens", max_team_length=64)
    {'t-1': ('team-a',)}
    """
    if not isinstance(value, Mapping) or not value:
        raise InvalidInputError(field, "must be a non-empty mapping of token -> its teams")
    checked: dict[str, tuple[str, ...]] = {}
    for position, (token, teams) in enumerate(value.items(), 1):
        where = f"{field}[#{position}]"
        if not isinstance(token, str) or not _VISIBLE_ASCII.fullmatch(token):
            raise InvalidInputError(where, "the token must be a non-empty string of visible ASCII characters")
        if isinstance(teams, str | bytes) or not isinstance(teams, Sequence) or not teams:
            raise InvalidInputError(where, "its teams must be a non-empty sequence of team ids")
        for team in teams:
            if not (
                isinstance(team, str)
                and team
                and team == team.strip()
                and team.isprintable()
                and len(team) <= max_team_length
            ):
                raise InvalidInputError(
                    where,
                    f"a team id must be a printable string of 1 to {max_team_length} characters without "
                    f"surrounding spaces, got {shown(team)}",
                )
        checked[token] = tuple(teams)
    return checked
