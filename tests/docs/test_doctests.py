"""Every docstring example in the installed package runs and shows what it says; none is skipped.

Examples use the package's usual alias ``fd`` and a ``client``; they run inside ``mock_friendli``, so
``client`` (and any ``fd.Client()`` an example builds) talks to a fresh emulator, in-process, on
emulated time. The testing kit's own examples run outside it (they open their own block).
"""

from __future__ import annotations

import doctest
import importlib
import inspect
import pkgutil
from types import ModuleType
from typing import Any

import pytest

import friendli_dedicated
from friendli_dedicated.testing import mock_friendli

MODULES = sorted(
    info.name
    for info in pkgutil.walk_packages(friendli_dedicated.__path__, "friendli_dedicated.")
    if not info.name.endswith("__main__")
)


class _Finder(doctest.DocTestFinder):
    """doctest's finder, which also finds the public classes in the private modules that define them.

    Reading a public name (``fd.Endpoint``) sets its class's ``__module__`` to ``friendli_dedicated`` (for
    reprs and tracebacks), after which doctest's own finder takes the class for an import and skips its
    examples: the package's table of public names (``_LAZY``) says where each is defined.
    """

    def _from_module(self, module: ModuleType | None, object: Any) -> bool:
        if module is not None and inspect.isclass(object) and object.__module__ == "friendli_dedicated":
            home = friendli_dedicated._LAZY.get(object.__name__)
            return home is not None and module.__name__ == f"friendli_dedicated.{home}"
        return bool(super()._from_module(module, object))  # type: ignore[misc]


def _run(module: ModuleType, extraglobs: dict[str, Any], options: int) -> doctest.TestResults:
    runner = doctest.DocTestRunner(optionflags=options)
    for test in _Finder().find(module, module.__name__, extraglobs=extraglobs):
        runner.run(test)
    return runner.summarize(verbose=False)


def test_public_classes_examples_are_found_after_their_module_is_renamed() -> None:
    _ = friendli_dedicated.Endpoint  # reading it renames its __module__ to the package's
    module = importlib.import_module("friendli_dedicated._endpoint")
    names = {test.name for test in _Finder().find(module, module.__name__)}
    assert "friendli_dedicated._endpoint.Endpoint" in names


@pytest.mark.parametrize("name", MODULES)
def test_docstring_examples(name: str, monkeypatch: pytest.MonkeyPatch) -> None:
    for variable in ("FRIENDLI_TOKEN", "FRIENDLI_TEAM", "FRIENDLI_BASE_URL"):
        monkeypatch.delenv(variable, raising=False)
    module = importlib.import_module(name)
    options = doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE
    if name.startswith("friendli_dedicated.testing"):
        result = _run(module, {"fd": friendli_dedicated}, options)
    else:
        with mock_friendli(), friendli_dedicated.Client() as client:
            result = _run(module, {"fd": friendli_dedicated, "client": client}, options)
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
