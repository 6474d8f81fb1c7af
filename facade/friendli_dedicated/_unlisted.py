"""The escape hatches' warning: something the pinned contract does not list is sent as given.

A GPU or an engine option added upstream is usable the day it ships, before a release pins it
(``InstanceOption.unlisted(id)``, ``extra_engine_options={...}``); each use warns once per call
site, naming the pin, so it is not forgotten once a release lists it.
"""

from __future__ import annotations

import sys
import warnings

from friendli_dedicated._pin import CONTRACT_PIN

__all__ = ["UnlistedWarning", "callers_level", "warn_unlisted"]

_PACKAGES = ("friendli_dedicated", "friendli_dedicated_api")


class UnlistedWarning(UserWarning):
    """Something the pinned contract does not list was sent as given (an escape hatch was used)."""


def warn_unlisted(what: str) -> None:
    """Warn that ``what`` is sent although the pinned contract does not list it, from the caller's line.

    The warning is attributed to the first frame outside this SDK, so that the default filter shows
    it once per line of the caller's code (not once in all, from a line of the SDK's own).

    >>> import warnings
    >>> with warnings.catch_warnings(record=True) as caught:
    ...     warnings.simplefilter("always")
    ...     warn_unlisted("engine option 'enable_prefix_caching'")
    >>> caught[0].category.__name__, "sent as given" in str(caught[0].message)
    ('UnlistedWarning', True)
    """
    warnings.warn(
        f"{what} is not in the pinned API contract (upstream sha256 {CONTRACT_PIN.sha256[:12]}, retrieved "
        f"{CONTRACT_PIN.retrieved}); it is sent as given. A newer friendli-dedicated may list it.",
        UnlistedWarning,
        stacklevel=callers_level(),
    )


def callers_level() -> int:
    """The ``stacklevel``, for a ``warnings.warn`` in the function that calls this one (``warn_unlisted``),
    of the first frame outside the SDK.

    By module name rather than file (``skip_file_prefixes`` is 3.12+): an installed wheel, a source
    tree and a zip import name the modules alike.
    """
    frame = sys._getframe(2)  # the warning function's caller; level 2 for warnings.warn
    level = 2
    while frame is not None and _in_sdk(frame.f_globals.get("__name__")):
        frame = frame.f_back  # type: ignore[assignment]
        level += 1
    return level


def _in_sdk(module: object) -> bool:
    return isinstance(module, str) and module.split(".", 1)[0] in _PACKAGES
