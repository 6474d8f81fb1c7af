"""The facade's shape: no import cycle between its modules, each module says what its one job is, none
is long, and the packages' docstrings map them all.

Imports are read from the source (every ``import`` and ``from ... import``, at module level or
inside a function, except those under ``if TYPE_CHECKING:``, which never run), so an import moved
into a function to dodge a cycle is still seen as the cycle it is.
"""

from __future__ import annotations

import ast
import importlib.util
import re
from pathlib import Path

import pytest

import friendli_dedicated

PACKAGE_DIR = Path(friendli_dedicated.__file__).parent
MODULES = {
    "friendli_dedicated"
    + ("." + ".".join(path.relative_to(PACKAGE_DIR).with_suffix("").parts)).removesuffix(".__init__"): path
    for path in sorted(PACKAGE_DIR.rglob("*.py"))
}


def _is_type_checking(node: ast.If) -> bool:
    test = node.test
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def imports_of(module: str, path: Path) -> set[str]:
    """The package's modules that ``module`` imports when it runs."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    package = module if path.name == "__init__.py" else module.rsplit(".", 1)[0]
    found: set[str] = set()

    def visit(node: ast.AST) -> None:
        if isinstance(node, ast.If) and _is_type_checking(node):
            for child in node.orelse:
                visit(child)
            return
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            relative = "." * node.level + (node.module or "")
            base = importlib.util.resolve_name(relative, package) if node.level else node.module or ""
            submodules = {f"{base}.{alias.name}" for alias in node.names} & MODULES.keys()
            # `from package import module` depends on that module; `from module import name`, on it.
            found.update(submodules or {base})
        for child in ast.iter_child_nodes(node):
            visit(child)

    visit(tree)
    return {name for name in found if name in MODULES and name != module}


GRAPH = {module: imports_of(module, path) for module, path in MODULES.items()}


def test_no_import_cycle_between_the_facade_modules() -> None:
    # The package's __init__ only re-exports (lazily): it is where every public name is reachable
    # from, not a dependency of the modules it re-exports.
    graph = {module: {d for d in deps if d != "friendli_dedicated"} for module, deps in GRAPH.items()}
    cycles: list[list[str]] = []
    state: dict[str, int] = {}  # 1: on the path, 2: done

    def walk(module: str, path: list[str]) -> None:
        state[module] = 1
        for dependency in sorted(graph[module]):
            if state.get(dependency) == 1:
                cycles.append([*path[path.index(dependency) :], dependency])
            elif dependency not in state:
                walk(dependency, [*path, dependency])
        state[module] = 2

    for module in sorted(graph):
        if module not in state:
            walk(module, [module])
    assert cycles == []


def test_the_graph_reader_sees_a_cycle_hidden_in_a_function(tmp_path: Path) -> None:
    """Guards the test above: an import inside a function counts; one under TYPE_CHECKING does not."""
    source = tmp_path / "mod.py"
    source.write_text(
        "from typing import TYPE_CHECKING\n"
        "if TYPE_CHECKING:\n    from friendli_dedicated import _client\n"
        "def later():\n    from friendli_dedicated._retry import RetryPolicy\n"
    )
    assert imports_of("friendli_dedicated.mod", source) == {"friendli_dedicated._retry"}


@pytest.mark.parametrize("module", sorted(MODULES))
def test_each_module_opens_with_the_job_it_does(module: str) -> None:
    docstring = ast.get_docstring(ast.parse(MODULES[module].read_text(encoding="utf-8")))
    assert docstring, f"{module} has no docstring naming its job"
    assert len(docstring.split("\n\n")[0]) > 20


MAPPED_PACKAGES = ("friendli_dedicated.emulator", "friendli_dedicated.cli")


@pytest.mark.parametrize("package", MAPPED_PACKAGES)
def test_the_package_docstring_maps_every_module_to_its_job(package: str) -> None:
    docstring = ast.get_docstring(ast.parse(MODULES[package].read_text(encoding="utf-8"))) or ""
    mapped = dict(re.findall(r"^- ``(\w+)``: (.+)$", docstring, flags=re.MULTILINE))
    modules = {name.rsplit(".", 1)[1] for name in MODULES if name.startswith(package + ".")}
    assert set(mapped) == modules  # every module named once, and none that is gone


@pytest.mark.parametrize("module", sorted(MODULES))
def test_no_module_is_over_600_lines(module: str) -> None:
    assert len(MODULES[module].read_text(encoding="utf-8").splitlines()) <= 600


def test_text_is_cut_short_only_by_the_excerpt_helper() -> None:
    # One way to quote a long value (``_excerpt.excerpt``, through ``_validate.shown`` for values):
    # a hand-made cut drifts (another length, "..." for "…", a repr cut inside its quotes).
    hand_cut = re.compile(r"""\+ ["'](…|\.\.\.)["']""")
    cutters = sorted(
        name
        for name, path in MODULES.items()
        if name != "friendli_dedicated._excerpt" and hand_cut.search(path.read_text(encoding="utf-8"))
    )
    assert cutters == []


def test_the_package_docstring_maps_every_private_module_and_only_those() -> None:
    doc = friendli_dedicated.__doc__ or ""
    module_map = doc[doc.index("The private ones") :]
    # "- ``_client``: ..." and "``_retry``, ``_retry_after``, ...": every module of the map is named so.
    mapped = set(re.findall(r"``(_[a-z][a-z_]*)``", module_map))
    private = {path.stem for path in PACKAGE_DIR.glob("_*.py") if path.stem != "__init__"}
    assert mapped == private
