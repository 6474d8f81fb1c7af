"""friendli-dedicated: the Python SDK for Friendli Dedicated Endpoints.

The low-level client in ``friendli_dedicated_api`` is generated from the pinned API contract
(``openapi.yaml``); this package is the hand-written layer on top of it.

>>> import friendli_dedicated as fd
>>> fd.SPEC_PIN.retrieved  # the date the API contract was pinned  # doctest: +SKIP
'2026-11-23'
"""

from friendli_dedicated._spec import SPEC_PIN, SpecPin
from friendli_dedicated._version import __version__

__all__ = ["SPEC_PIN", "SpecPin", "__version__"]
