"""Input checks shared by every public callable: each failure is an ``InvalidInputError`` naming the field.

The rule (see ``errors``): a wrong type and a bad value are both ``InvalidInputError``, raised
before anything is sent. Messages show the offending value through ``shown``, which never fails
and never floods a log, whatever it is given (a 5,000-digit int cannot even be turned into text).

>>> whole(3, "replicas", minimum=1)
3
>>> shown(10**5000)
'a 5001-digit int'
"""

from __future__ import annotations

import inspect
import math
import os
import re
from collections.abc import Callable
from typing import Any

from friendli_dedicated._excerpt import excerpt
from friendli_dedicated.errors import InvalidInputError

__all__ = [
    "INT64_MAX",
    "INT64_MIN",
    "PAGE_LIMIT_MAX",
    "PAGE_LIMIT_MIN",
    "TIMEOUT_MAX",
    "callback",
    "flag",
    "identifier",
    "is_finite_number",
    "listing_limit",
    "optional_number",
    "page_size",
    "path_text",
    "seconds",
    "shown",
    "text",
    "unicode_text",
    "whole",
]

# Endpoint ids go into URL paths: refuse anything that could change the path ("/", "..", "?", "#").
_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._~-]{0,199}")
PAGE_LIMIT_MIN, PAGE_LIMIT_MAX = 1, 100  # the contract's bounds of the `limit` query parameter (a page's size)
# A JSON integer the API can store: its services are typed, and Python cannot even write an int of
# more than 4,300 digits as JSON.
INT64_MIN, INT64_MAX = -(2**63), 2**63 - 1
_SHOWN_CHARS = 60
TIMEOUT_MAX = 30 * 24 * 3600.0
"""The longest timeout accepted, in seconds (30 days). A timeout reaches threading, select and socket
calls, which refuse longer ones with a bare ``OverflowError`` (Windows's ``threading.TIMEOUT_MAX`` is
about 49.7 days, a socket's about 292 years); no call or wait of this API needs more."""


def shown(value: object) -> str:
    """A short, safe rendering of ``value`` for an error message.

    >>> len(shown("x" * 1000)), shown("x" * 1000)[-3:]
    (60, 'xx…')
    """
    if isinstance(value, int) and not isinstance(value, bool) and not INT64_MIN <= value <= INT64_MAX:
        digits = math.floor(math.log10(abs(value))) + 1
        return f"a {digits}-digit int"
    try:
        text = repr(value)
    except Exception:  # a user object whose __repr__ fails: the type still says enough
        return f"a {type(value).__name__}"
    return excerpt(text, _SHOWN_CHARS)


def is_finite_number(value: object) -> bool:
    """An int within 64 bits or a finite float (bools are not numbers here); never raises.

    >>> is_finite_number(1.5), is_finite_number(10**400), is_finite_number(float("nan")), is_finite_number(True)
    (True, False, False, False)
    """
    if isinstance(value, bool) or not isinstance(value, int | float):
        return False
    if isinstance(value, int):
        return INT64_MIN <= value <= INT64_MAX
    return math.isfinite(value)


def identifier(value: object, field: str) -> str:
    """An endpoint or project id: a non-empty string of URL-safe characters.

    >>> identifier("ep-123", "endpoint_id")
    'ep-123'
    """
    if not isinstance(value, str):
        raise InvalidInputError(field, f"must be a string, got {type(value).__name__}")
    if not _ID.fullmatch(value):
        raise InvalidInputError(
            field, f"must be 1-200 characters of letters, digits, '.', '_', '~', '-', got {shown(value)}"
        )
    return value


def text(value: object, field: str, *, optional: bool = False) -> str | None:
    """A non-blank string without NUL characters (or None when ``optional``).

    >>> text("org/model", "model")
    'org/model'
    """
    if value is None and optional:
        return None
    if not isinstance(value, str) or not value.strip():
        raise InvalidInputError(field, f"must be a non-empty string, got {shown(value)}")
    return unicode_text(value, field)


def unicode_text(value: str, field: str) -> str:
    """``value`` if the API can take it as text: no NUL character, no lone surrogate (JSON cannot carry one).

    The rule of every text the SDK sends, blank or not (``text`` adds "non-blank").

    >>> unicode_text("a\\ud800", "comment")
    Traceback (most recent call last):
    friendli_dedicated.errors.InvalidInputError: comment: must be valid Unicode text (it holds a lone surrogate)
    """
    if "\x00" in value:
        raise InvalidInputError(field, "must not contain NUL characters")
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:  # a lone surrogate, which JSON cannot carry as text
        raise InvalidInputError(field, "must be valid Unicode text (it holds a lone surrogate)") from None
    return value


def whole(value: object, field: str, *, minimum: int | None = None, maximum: int | None = None) -> int:
    """A whole number (bools refused) within the given bounds and within 64 bits.

    >>> whole(2**64, "max_batch_size")
    Traceback (most recent call last):
    friendli_dedicated.errors.InvalidInputError: max_batch_size: must be at most 9223372036854775807, got a 20-digit int
    """
    if not isinstance(value, int) or isinstance(value, bool):
        raise InvalidInputError(field, f"must be a whole number, got {shown(value)}")
    low = INT64_MIN if minimum is None else max(minimum, INT64_MIN)
    high = INT64_MAX if maximum is None else min(maximum, INT64_MAX)
    if value < low:
        raise InvalidInputError(field, f"must be at least {low}, got {shown(value)}")
    if value > high:
        raise InvalidInputError(field, f"must be at most {high}, got {shown(value)}")
    return int(value)


def flag(value: object, field: str) -> bool:
    """True or False, nothing else (not 0/1, not "yes")."""
    if not isinstance(value, bool):
        raise InvalidInputError(field, f"must be True or False, got {shown(value)}")
    return value


def optional_number(value: object, field: str, *, minimum: float | None = None) -> float | None:
    """A finite number (int or float, bools refused), or None."""
    if value is None:
        return None
    if not isinstance(value, int | float) or isinstance(value, bool):
        raise InvalidInputError(field, f"must be a finite number, got {shown(value)}")
    if isinstance(value, int) and not INT64_MIN <= value <= INT64_MAX:
        raise InvalidInputError(field, f"must be a finite number within 64 bits, got {shown(value)}")
    number = float(value)
    if not math.isfinite(number):
        raise InvalidInputError(field, f"must be a finite number, got {shown(value)}")
    if minimum is not None and number < minimum:
        raise InvalidInputError(field, f"must be at least {minimum:g}, got {shown(value)}")
    return number


def seconds(value: object, field: str, *, allow_zero: bool = True) -> float:
    """A finite number of seconds (>= 0, or > 0 when ``allow_zero`` is False), at most ``TIMEOUT_MAX``.

    >>> seconds(1.5, "timeout")
    1.5
    >>> seconds(1e10, "timeout")
    Traceback (most recent call last):
    friendli_dedicated.errors.InvalidInputError: timeout: must be at most 2592000 seconds (30 days), got 10000000000.0
    """
    number = optional_number(value, field)
    if number is None:
        raise InvalidInputError(field, "must be a number of seconds, got None")
    if number < 0 or (number == 0 and not allow_zero):
        bound = ">= 0" if allow_zero else "> 0"
        raise InvalidInputError(field, f"must be a number of seconds {bound}, got {shown(value)}")
    if number > TIMEOUT_MAX:
        raise InvalidInputError(field, f"must be at most {TIMEOUT_MAX:.0f} seconds (30 days), got {shown(value)}")
    return number


def callback(value: object, field: str, *, arguments: int | None = None) -> Callable[..., Any] | None:
    """A callable (that takes ``arguments`` positional arguments, when its signature says), or None.

    A callback of the wrong shape would otherwise fail only when first called, maybe after minutes
    of waiting and with GPUs billed; a callable whose signature Python cannot read is taken on trust.

    >>> callback(len, "on_progress", arguments=2)
    Traceback (most recent call last):
    ...
    friendli_dedicated.errors.InvalidInputError: on_progress: must take 2 positional arguments: (obj, /)
    """
    if value is None:
        return None
    if not callable(value):
        raise InvalidInputError(field, f"must be callable (or None), got {type(value).__name__}")
    if arguments is not None:
        try:
            signature = inspect.signature(value)
        except (TypeError, ValueError):  # some builtins and extension types have none
            return value
        try:
            signature.bind(*([None] * arguments))
        except TypeError:
            raise InvalidInputError(field, f"must take {arguments} positional arguments: {signature}") from None
    return value


def path_text(value: object, field: str) -> str:
    """A file path, as text: a ``str`` or an ``os.PathLike`` of one, not blank, with no NUL and no lone
    surrogate (which no file system takes).

    >>> path_text("a\\x00b", "path")
    Traceback (most recent call last):
    friendli_dedicated.errors.InvalidInputError: path: must not contain NUL characters
    """
    text = os.fspath(value) if isinstance(value, str | os.PathLike) else None
    if not isinstance(text, str) or not text.strip():
        raise InvalidInputError(field, f"must be a file path (str or os.PathLike), got {shown(value)}")
    return unicode_text(text, field)


def page_size(value: object) -> int:
    """A listing's ``page_size``: the contract's ``limit`` query parameter, 1 to 100."""
    return whole(value, "page_size", minimum=PAGE_LIMIT_MIN, maximum=PAGE_LIMIT_MAX)


def listing_limit(value: object) -> int | None:
    """A listing's ``limit``, the most items it yields: None (all) or at least 1, however large.

    >>> listing_limit(0)
    Traceback (most recent call last):
    friendli_dedicated.errors.InvalidInputError: limit: must be at least 1 (None: no limit), got 0
    """
    if value is None:
        return None
    if not isinstance(value, int) or isinstance(value, bool):
        raise InvalidInputError("limit", f"must be a whole number or None, got {shown(value)}")
    if value < 1:
        raise InvalidInputError("limit", f"must be at least 1 (None: no limit), got {shown(value)}")
    return int(value)
