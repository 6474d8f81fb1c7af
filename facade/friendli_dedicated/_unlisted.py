"""The escape hatches' warning: something the pinned contract does not list is sent as given.

A GPU or an engine option added upstream is usable the day it ships, before a release pins it
(``InstanceOption.unlisted(id)``, ``extra_engine_options={...}``); each use warns once per call
site, naming the pin, so it is not forgotten once a release lists it.
"""

from __future__ import annotations

import warnings

from friendli_dedicated._pin import CONTRACT_PIN

__all__ = ["UnlistedWarning", "warn_unlisted"]


class UnlistedWarning(UserWarning):
    """Something the pinned contract does not list was sent as given (an escape hatch was used)."""


def warn_unlisted(what: str, *, stacklevel: int = 4) -> None:
    """Warn that ``what`` is sent although the pinned contract does not list it.

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
        stacklevel=stacklevel,
    )
