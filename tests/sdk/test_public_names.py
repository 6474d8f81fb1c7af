"""The package's public names: one table, ``__all__`` and the type checkers' imports in step; each
name resolves, once; ``import *`` is quiet; renamed names warn; ``errors`` exports only errors.

``friendli_dedicated/__init__.py`` is read with ``ast`` (its ``TYPE_CHECKING`` block never runs), so
a name added to one of its three lists and not the others fails here, not in a user's type checker.
"""

from __future__ import annotations

import ast
import subprocess
import sys
import warnings
from collections.abc import Callable
from pathlib import Path

import httpx
import pytest

import friendli_dedicated as fd
from friendli_dedicated import errors

INIT = Path(fd.__file__)
DEPRECATED = {"SPEC_PIN": "CONTRACT_PIN", "SpecPin": "ContractPin"}


def _module_level(tree: ast.Module, name: str) -> ast.expr:
    for node in tree.body:
        if isinstance(node, ast.Assign) and [getattr(t, "id", None) for t in node.targets] == [name]:
            return node.value
    raise AssertionError(f"no module-level {name} = ... in {INIT}")


def _type_checking_names(tree: ast.Module) -> dict[str, str]:
    """Each name the ``if TYPE_CHECKING:`` block binds -> the module (or the name) it comes from."""
    # The first block imports; the second adds the names for type checkers only to __all__.
    block, _ = [node for node in tree.body if isinstance(node, ast.If) and ast.unparse(node.test) == "TYPE_CHECKING"]
    names: dict[str, str] = {}
    for node in block.body:
        if isinstance(node, ast.ImportFrom):
            for alias in node.names:
                # Only "X as X" re-exports a name for type checkers; "X as Y" would be private.
                if alias.asname == alias.name:
                    names[alias.name] = f"{node.module}.{alias.name}"
                else:
                    names[f"<{alias.name} imported without a redundant alias>"] = ""
        elif isinstance(node, ast.Assign):
            (target,) = node.targets
            assert isinstance(target, ast.Name)
            names[target.id] = ast.unparse(node.value)
    return names


TREE = ast.parse(INIT.read_text(encoding="utf-8"))
ALL = ast.literal_eval(_module_level(TREE, "__all__"))
LAZY = ast.literal_eval(_module_level(TREE, "_LAZY"))
ALIASES = ast.literal_eval(_module_level(TREE, "_DEPRECATED_ALIASES"))
TYPED = _type_checking_names(TREE)
TYPING_ONLY_TABLE = ast.literal_eval(_module_level(TREE, "_TYPING_ONLY"))


def _typing_only_exports(tree: ast.Module) -> list[str]:
    """The names the second ``if TYPE_CHECKING:`` block adds to ``__all__``."""
    _, block = [node for node in tree.body if isinstance(node, ast.If) and ast.unparse(node.test) == "TYPE_CHECKING"]
    (statement,) = block.body
    assert isinstance(statement, ast.AugAssign)
    return list(ast.literal_eval(statement.value))


# -- the three lists ---------------------------------------------------------------------------------
def test_the_lazy_table_all_and_the_type_checking_imports_name_the_same_public_names() -> None:
    assert len(ALL) == len(set(ALL)), "a name is listed twice in __all__"
    assert fd.__all__ == ALL
    assert set(LAZY) | {"errors"} == set(ALL)
    assert set(TYPED) == set(ALL) | set(ALIASES) | set(TYPING_ONLY_TABLE)
    assert sorted(_typing_only_exports(TREE)) == sorted(TYPING_ONLY_TABLE)
    assert ALIASES == DEPRECATED


def test_the_type_checkers_read_each_name_from_the_module_it_is_loaded_from() -> None:
    for name, module in LAZY.items():
        assert TYPED[name] == f"friendli_dedicated.{module}.{name}", name
    for name, runtime_name in TYPING_ONLY_TABLE.items():
        assert TYPED[name] == f"friendli_dedicated.{LAZY[runtime_name]}.{name}", name
    assert TYPED["errors"] == "friendli_dedicated.errors"
    for old, new in ALIASES.items():
        assert TYPED[old] == new


@pytest.mark.parametrize("name", sorted(fd.__all__))
def test_every_public_name_resolves_without_a_warning(name: str) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert getattr(fd, name) is not None
    assert name in dir(fd)


def test_star_import_raises_nothing_with_warnings_as_errors() -> None:
    # In a fresh interpreter: here the names are already imported, and a first import is what warns.
    script = (
        "import warnings\n"
        "warnings.simplefilter('error')\n"
        "from friendli_dedicated import *\n"
        "import friendli_dedicated\n"
        "missing = set(friendli_dedicated.__all__) - set(globals())\n"
        "assert not missing, missing\n"
    )
    done = subprocess.run([sys.executable, "-W", "error", "-c", script], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr


def test_no_public_class_is_another_public_class_under_a_second_name() -> None:
    # RunningEndpoint, ListedEndpoint and their async twins are Endpoint and AsyncEndpoint at run time
    # on this branch; the branch that gives them classes of their own (surface-a) makes this pass.
    names_of: dict[int, list[str]] = {}
    for name in fd.__all__:
        value = getattr(fd, name)
        if isinstance(value, type):
            names_of.setdefault(id(value), []).append(name)
    assert [names for names in names_of.values() if len(names) > 1] == []


def test_public_classes_report_a_public_module() -> None:
    for name in fd.__all__:
        value = getattr(fd, name)
        if isinstance(value, type) and value.__module__.split(".")[0] == "friendli_dedicated":
            assert value.__module__ in {"friendli_dedicated", "friendli_dedicated.errors"}, name


def test_an_unknown_name_is_an_attribute_error_naming_it() -> None:
    with pytest.raises(AttributeError, match="'NoSuchThing'"):
        _ = fd.NoSuchThing


# -- renamed names -----------------------------------------------------------------------------------
@pytest.mark.parametrize(("old", "new"), sorted(DEPRECATED.items()))
def test_a_renamed_name_still_works_and_warns_naming_its_replacement(old: str, new: str) -> None:
    with pytest.warns(DeprecationWarning, match=f"friendli_dedicated.{new}") as caught:
        value = getattr(fd, old)
    assert value is getattr(fd, new)
    assert caught[0].filename == __file__  # points at the caller's line, not the package
    with pytest.warns(DeprecationWarning, match=old):  # every use warns, not only the first
        getattr(fd, old)
    assert old not in fd.__all__
    assert old not in dir(fd)


def test_the_renamed_pin_keeps_its_fields() -> None:
    pin = fd.CONTRACT_PIN
    assert isinstance(pin, fd.ContractPin)
    assert len(pin.sha256) == len(pin.surface_sha256) == 64
    assert pin.short() == f"{pin.sha256[:12]}/{pin.surface_sha256[:12]}"


# -- errors ------------------------------------------------------------------------------------------
def test_errors_exports_only_exception_classes_and_the_package_exports_them_all() -> None:
    for name in errors.__all__:
        value = getattr(errors, name)
        assert isinstance(value, type), name
        assert issubclass(value, errors.FriendliError), name
        assert getattr(fd, name) is value
    assert "NotFoundError" in errors.__all__
    assert set(errors.__all__) <= set(fd.__all__)


def test_every_error_class_of_the_module_is_in_its_all() -> None:
    classes = {
        name
        for name, value in vars(errors).items()
        if isinstance(value, type) and issubclass(value, BaseException) and not name.startswith("_")
    }
    assert classes == set(errors.__all__)


def test_validation_issue_is_a_public_value_read_from_errors() -> None:
    assert fd.ValidationIssue is errors.ValidationIssue
    assert "ValidationIssue" in fd.__all__
    assert "ValidationIssue" not in errors.__all__
    issue = fd.ValidationIssue(loc=("body", "name"), msg="field required", type="missing")
    assert str(issue) == "body.name: field required"


@pytest.mark.parametrize(
    ("name", "home"),
    [
        ("make_status_error", "_status_errors"),
        ("decode_body", "_status_errors"),
        ("request_id_of", "_status_errors"),
        ("redacted_request", "_redaction"),
    ],
)
def test_the_helpers_errors_used_to_export_still_work_and_warn_they_are_internal(name: str, home: str) -> None:
    with pytest.warns(DeprecationWarning, match=f"friendli_dedicated.{home}.{name}") as caught:
        helper = getattr(errors, name)
    assert "internal" in str(caught[0].message)
    assert caught[0].filename == __file__
    assert name not in errors.__all__
    response = httpx.Response(404, json={"detail": "gone"}, headers={"X-Request-Id": "r-1"})
    results: dict[str, Callable[[], bool]] = {
        "make_status_error": lambda: type(helper(response)) is errors.NotFoundError,
        "decode_body": lambda: helper(response) == {"detail": "gone"},
        "request_id_of": lambda: helper(response.headers) == "r-1",
        "redacted_request": lambda: helper(None) is None,
    }
    assert results[name]()


def test_an_unknown_name_of_errors_is_an_attribute_error() -> None:
    with pytest.raises(AttributeError, match="'NoSuchError'"):
        _ = errors.NoSuchError


TYPING_ONLY = {
    "ObservedEndpoint": "Endpoint",
    "RunningEndpoint": "Endpoint",
    "ListedEndpoint": "Endpoint",
    "AsyncObservedEndpoint": "AsyncEndpoint",
    "AsyncRunningEndpoint": "AsyncEndpoint",
    "AsyncListedEndpoint": "AsyncEndpoint",
}


@pytest.mark.parametrize(("name", "runtime_name"), sorted(TYPING_ONLY.items()))
def test_a_name_for_type_checkers_only_is_no_export_and_warns_when_used_at_run_time(
    name: str, runtime_name: str
) -> None:
    # Until 2.0.0 these were the handle classes themselves, so isinstance(x, fd.RunningEndpoint) was
    # true of any handle, whatever its state.
    assert name not in fd.__all__
    assert name not in dir(fd)
    with pytest.warns(DeprecationWarning, match=f"type checkers only.*friendli_dedicated.{runtime_name}") as caught:
        value = getattr(fd, name)
    assert value is getattr(fd, runtime_name)
    assert caught[0].filename == __file__
