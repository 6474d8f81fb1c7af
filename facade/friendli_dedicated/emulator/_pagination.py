"""Cursor pagination, as the API does it: ``limit`` items per page and an opaque ``nextCursor``.

A cursor is the creation sequence number of the next item, authenticated with an HMAC over the
listing it belongs to and a per-emulator salt, then base64url-encoded. So clients cannot build or
edit cursors (only pass them back), a cursor from another listing or emulator is refused with 422,
and pages stay stable when items are added or deleted between requests (creation order).

>>> codec = CursorCodec(b"salt")
>>> cursor = codec.encode("list:team", 20)
>>> codec.decode("list:team", cursor), codec.decode("list:other", cursor)
(20, None)
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
from collections.abc import Sequence
from typing import TypeVar

__all__ = ["CursorCodec", "paginate"]

T = TypeVar("T")
_MAC_BYTES = 10


class CursorCodec:
    """Encodes and checks the cursors of one emulator (``salt`` keeps them its own)."""

    def __init__(self, salt: bytes) -> None:
        self._salt = salt

    def _mac(self, scope: str, position: int) -> bytes:
        message = scope.encode() + b"\0" + position.to_bytes(8, "big")
        return hmac.new(self._salt, message, hashlib.sha256).digest()[:_MAC_BYTES]

    def encode(self, scope: str, position: int) -> str:
        """The cursor of the page starting at sequence number ``position`` of listing ``scope``."""
        raw = position.to_bytes(8, "big") + self._mac(scope, position)
        return base64.urlsafe_b64encode(raw).decode().rstrip("=")

    def decode(self, scope: str, cursor: str) -> int | None:
        """The position a cursor points at, or None if it is not a cursor of this listing."""
        try:
            raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        except (binascii.Error, ValueError):
            return None
        if len(raw) != 8 + _MAC_BYTES:
            return None
        position = int.from_bytes(raw[:8], "big")
        return position if hmac.compare_digest(raw[8:], self._mac(scope, position)) else None


def paginate(items: Sequence[tuple[int, T]], start: int, limit: int) -> tuple[list[T], int | None]:
    """The items (``(sequence, item)`` in creation order) from ``start`` on, at most ``limit`` of
    them, and the sequence number where the next page starts (None on the last page).

    >>> paginate([(1, "a"), (2, "b"), (3, "c")], 0, 2)
    (['a', 'b'], 3)
    """
    remaining = [(seq, item) for seq, item in items if seq >= start]
    page = remaining[:limit]
    following = remaining[limit] if len(remaining) > limit else None
    return [item for _, item in page], (None if following is None else following[0])
