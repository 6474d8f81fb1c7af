"""The ``emulator`` extra: what to say when one of its libraries is missing.

The emulator's core checks requests with jsonschema, and its HTTP server runs on starlette and
uvicorn; none of them is a dependency of the SDK itself. An import of one of them happens inside
``extra_required()``, which turns a missing module into an ``ImportError`` that says which extra to
install, keeps the missing module's name in ``.name`` and chains the original error.

>>> try:
...     with extra_required():
...         import not_a_module_of_this_world
... except ImportError as error:
...     print(error.name, "|", error)  # doctest: +NORMALIZE_WHITESPACE
not_a_module_of_this_world | the Friendli Dedicated emulator needs the 'emulator' extra
(not_a_module_of_this_world is missing): pip install "friendli-dedicated[emulator]"
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator

__all__ = ["INSTALL", "extra_required"]

INSTALL = 'pip install "friendli-dedicated[emulator]"'
"""The command that installs what the emulator needs."""


@contextlib.contextmanager
def extra_required() -> Iterator[None]:
    """Turn a ``ModuleNotFoundError`` raised inside the block into the extra's ``ImportError``."""
    try:
        yield
    except ModuleNotFoundError as missing:
        message = f"the Friendli Dedicated emulator needs the 'emulator' extra ({missing.name} is missing): {INSTALL}"
        raise ImportError(message, name=missing.name, path=missing.path) from missing
