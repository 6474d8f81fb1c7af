"""Cutting text short for a message: ``excerpt``, the one place the package does it.

A message quotes what it was given or what a server sent (an id, a value, a body), and a quote
must never flood a log or a terminal: every quote is cut here, to the length its caller chooses,
ending in "…" when something was left out. Rendering a value first (``repr``, a huge int, a broken
``__repr__``) is ``_validate.shown``'s job, which cuts with this.

>>> excerpt("ep-" + "x" * 300, 12)
'ep-xxxxxxxx…'
>>> excerpt("short", 12)
'short'
"""

from __future__ import annotations

__all__ = ["excerpt"]


def excerpt(text: str, limit: int) -> str:
    """``text`` if it has at most ``limit`` characters, else its first ``limit - 1`` and "…" (``limit`` in all)."""
    return text if len(text) <= limit else text[: limit - 1] + "…"
