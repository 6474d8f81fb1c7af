"""Every docstring example in the installed package runs and shows what it says; none is skipped.

Examples use the package's usual alias ``fd`` and a ``client``; they run inside ``mock_friendli``, so
``client`` (and any ``fd.Client()`` an example builds) talks to a fresh emulator, in-process, on
emulated time. The testing kit's own examples run outside it (they open their own block).
"""

from __future__ import annotations

import doctest
import importlib
import pkgutil

import pytest

import friendli_dedicated
from friendli_dedicated.testing import mock_friendli

MODULES = sorted(
    info.name
    for info in pkgutil.walk_packages(friendli_dedicated.__path__, "friendli_dedicated.")
    if not info.name.endswith("__main__")
)


@pytest.mark.parametrize("name", MODULES)
def test_docstring_examples(name: str, monkeypatch: pytest.MonkeyPatch) -> None:
    for variable in ("FRIENDLI_TOKEN", "FRIENDLI_TEAM", "FRIENDLI_BASE_URL"):
        monkeypatch.delenv(variable, raising=False)
    module = importlib.import_module(name)
    options = doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE
    if name.startswith("friendli_dedicated.testing"):
        result = doctest.testmod(module, extraglobs={"fd": friendli_dedicated}, optionflags=options, report=True)
    else:
        with mock_friendli(), friendli_dedicated.Client() as client:
            result = doctest.testmod(
                module, extraglobs={"fd": friendli_dedicated, "client": client}, optionflags=options, report=True
            )
    assert result.failed == 0


def test_no_example_is_skipped() -> None:
    skipped = [
        name for name in MODULES if "doctest: +SKIP" in (importlib.import_module(name).__doc__ or "") + _sources(name)
    ]
    assert skipped == []


def _sources(name: str) -> str:
    import inspect

    return inspect.getsource(importlib.import_module(name))


def test_the_package_has_examples() -> None:
    attempted = sum(doctest.testmod(importlib.import_module(name), report=False).attempted for name in MODULES)
    assert attempted >= 50
