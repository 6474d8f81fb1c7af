"""Reading response bodies: one private error for "this is not what the contract says".

Parsers (of statuses, specifications, pages) raise ``Malformed`` and nothing else for a body that
does not fit; the transport turns it into ``ResponseFormatError`` with the call and an excerpt of
the body. Any other exception from a parser is a bug of this SDK and is left to propagate, so a
bug is never reported as "the server sent something odd".

>>> json_object(b'{"status": "RUNNING"}')
{'status': 'RUNNING'}
>>> json_object(b"<html>Bad Gateway</html>")
Traceback (most recent call last):
friendli_dedicated._parsing.Malformed: not JSON (Expecting value: line 1 column 1 (char 0))
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from decimal import Decimal
from typing import Any, TypeVar

__all__ = ["Malformed", "from_generated", "json_object"]

M = TypeVar("M")


class Malformed(ValueError):
    """A response body that does not match the contract; the message says how."""


def json_object(content: bytes, *, exact: bool = False) -> dict[str, Any]:
    """The body as a JSON object; with ``exact``, its numbers with a fraction are ``Decimal`` (money),
    never floats, which would round them.

    Refuses bodies that are not JSON, not UTF-8, nested deeper than the parser goes (a hostile body
    of ``[[[[...`` raises RecursionError in ``json.loads``), or not an object.

    >>> json_object(b'{"total": 0.1}', exact=True)
    {'total': Decimal('0.1')}
    """
    try:
        data = json.loads(content, parse_float=Decimal if exact else None)
    except RecursionError:
        raise Malformed("JSON nested too deep to read") from None
    except (ValueError, UnicodeDecodeError) as exc:
        raise Malformed(f"not JSON ({exc})") from None
    if not isinstance(data, dict):
        raise Malformed(f"expected a JSON object, got {type(data).__name__}")
    return data


def from_generated(build: Callable[[Mapping[str, Any]], M], data: object, what: str) -> M:
    """Build a generated model (``Model.from_dict``) from ``data``; a shape it cannot take is Malformed.

    The generated parsers signal a missing field with KeyError and a wrong type with TypeError,
    ValueError or AttributeError; those are the only ones read as "malformed" here.
    """
    if not isinstance(data, Mapping):
        raise Malformed(f"{what}: expected a JSON object, got {type(data).__name__}")
    try:
        return build(data)
    except KeyError as exc:
        raise Malformed(f"{what}: missing field {exc}") from None
    except (TypeError, ValueError, AttributeError) as exc:
        raise Malformed(f"{what}: {type(exc).__name__}: {exc}") from None
