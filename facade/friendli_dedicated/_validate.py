"""Input checks shared by both clients: each failure is an InvalidInputError naming the field."""

from __future__ import annotations

import re

from friendli_dedicated.errors import InvalidInputError

# Endpoint ids go into URL paths: refuse anything that could change the path ("/", "..", "?", "#").
_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._~-]{0,199}")
PAGE_LIMIT_MIN, PAGE_LIMIT_MAX = 1, 100  # the contract's bounds of the `limit` query parameter


def identifier(value: object, field: str) -> str:
    """An endpoint or project id: a non-empty string of URL-safe characters.

    >>> identifier("ep-123", "endpoint_id")
    'ep-123'
    """
    if not isinstance(value, str):
        raise InvalidInputError(field, f"must be a string, got {type(value).__name__}")
    if not _ID.fullmatch(value):
        raise InvalidInputError(
            field, f"must be 1-200 characters of letters, digits, '.', '_', '~', '-', got {value!r}"
        )
    return value


def text(value: object, field: str, *, optional: bool = False) -> str | None:
    """A non-blank string (or None when ``optional``)."""
    if value is None and optional:
        return None
    if not isinstance(value, str) or not value.strip():
        raise InvalidInputError(field, f"must be a non-empty string, got {value!r}")
    return value


def whole(value: object, field: str, *, minimum: int | None = None, maximum: int | None = None) -> int:
    """A whole number (bools refused) within the given bounds."""
    if not isinstance(value, int) or isinstance(value, bool):
        raise InvalidInputError(field, f"must be a whole number, got {value!r}")
    if minimum is not None and value < minimum:
        raise InvalidInputError(field, f"must be >= {minimum}, got {value}")
    if maximum is not None and value > maximum:
        raise InvalidInputError(field, f"must be <= {maximum}, got {value}")
    return value


def optional_whole(value: object, field: str, *, minimum: int | None = None) -> int | None:
    return None if value is None else whole(value, field, minimum=minimum)


def flag(value: object, field: str) -> bool:
    if not isinstance(value, bool):
        raise InvalidInputError(field, f"must be True or False, got {value!r}")
    return value


def optional_flag(value: object, field: str) -> bool | None:
    return None if value is None else flag(value, field)


def optional_number(value: object, field: str) -> float | None:
    if value is None:
        return None
    if (
        not isinstance(value, int | float)
        or isinstance(value, bool)
        or value != value
        or value
        in (
            float("inf"),
            float("-inf"),
        )
    ):
        raise InvalidInputError(field, f"must be a finite number, got {value!r}")
    return float(value)


def page_limit(value: object) -> int:
    return whole(value, "limit", minimum=PAGE_LIMIT_MIN, maximum=PAGE_LIMIT_MAX)
