"""Every docstring example in the installed package runs and shows what it says.

Examples use the package's usual alias ``fd``; the ones that need a live API or a server are marked
``# doctest: +SKIP`` in place.
"""

from __future__ import annotations

import doctest
import importlib
import pkgutil

import pytest

import friendli_dedicated

MODULES = sorted(
    info.name
    for info in pkgutil.walk_packages(friendli_dedicated.__path__, "friendli_dedicated.")
    if not info.name.endswith("__main__")
)


@pytest.mark.parametrize("name", MODULES)
def test_docstring_examples(name: str) -> None:
    module = importlib.import_module(name)
    result = doctest.testmod(
        module,
        extraglobs={"fd": friendli_dedicated},
        optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE,
        report=True,
    )
    assert result.failed == 0


def test_the_package_has_examples() -> None:
    attempted = sum(doctest.testmod(importlib.import_module(name), report=False).attempted for name in MODULES)
    assert attempted >= 50
