"""The documentation site's sources: a reference entry for every public name, the build's own tooling
(docs/_tooling), and the Pythons the package says it supports.

The site itself is built by ``nox -s docs`` (``mkdocs build --strict``), which fails on a broken link,
a page missing from the nav or a reference that does not resolve; these tests hold what a build
cannot see (a public name with no entry at all) and the hooks' rules, without mkdocs installed.
"""

from __future__ import annotations

import ast
import importlib.util
import re
import tomllib
import warnings
from pathlib import Path
from types import ModuleType

import pytest

import friendli_dedicated
import friendli_dedicated.emulator
import friendli_dedicated.errors
import friendli_dedicated.testing
import friendli_dedicated.testing._plugin

ROOT = Path(__file__).resolve().parents[2]
DOCS = ROOT / "docs"
REPOSITORY = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]["urls"]["Repository"]


def tooling(name: str) -> ModuleType:
    spec = importlib.util.spec_from_file_location(f"docs_tooling_{name}", DOCS / "_tooling" / f"{name}.py")
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def reference_entries() -> set[str]:
    """The identifiers of every ``::: identifier`` block of docs/reference/."""
    entries: set[str] = set()
    for page in (DOCS / "reference").glob("*.md"):
        entries |= set(re.findall(r"^::: ([\w.]+)$", page.read_text(encoding="utf-8"), flags=re.MULTILINE))
    return entries


# -- the reference ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "module",
    [friendli_dedicated, friendli_dedicated.emulator, friendli_dedicated.testing, friendli_dedicated.testing._plugin],
    ids=lambda module: module.__name__,
)
def test_every_public_name_has_a_reference_entry(module: ModuleType) -> None:
    entries = reference_entries()
    # friendli_dedicated.errors is rendered whole (its members are its __all__), and the package's
    # error classes are the same objects.
    errors_page = "friendli_dedicated.errors" in entries
    # A renamed name keeps an alias that warns: documented under its new name, and mentioned.
    renamed = getattr(module, "_DEPRECATED_ALIASES", {})
    missing = [
        name
        for name in module.__all__
        if f"{module.__name__}.{name}" not in entries
        and name not in renamed
        and not (
            errors_page and module is friendli_dedicated and name in {"errors", *friendli_dedicated.errors.__all__}
        )
    ]
    assert missing == [], f"no entry in docs/reference/ for {module.__name__}: {missing}"
    pages = "".join(path.read_text(encoding="utf-8") for path in (DOCS / "reference").glob("*.md"))
    for old, new in renamed.items():
        assert f"{module.__name__}.{new}" in entries
        assert f"`{old}`" in pages, f"the deprecated {old} is not mentioned in docs/reference/"


def test_every_reference_entry_names_something_that_exists() -> None:
    for entry in sorted(reference_entries()):
        module_name, _, name = entry.rpartition(".")
        assert module_name, entry
        with warnings.catch_warnings():  # a name for type checkers only exists, and warns when read
            warnings.simplefilter("ignore", DeprecationWarning)
            assert hasattr(importlib.import_module(module_name), name), entry


def test_the_reference_index_lists_every_page() -> None:
    index = (DOCS / "reference" / "index.md").read_text(encoding="utf-8")
    pages = {path.name for path in (DOCS / "reference").glob("*.md")} - {"index.md"}
    assert {page for page in pages if f"]({page})" in index} == pages


def test_every_page_is_in_the_nav() -> None:
    config = (ROOT / "mkdocs.yml").read_text(encoding="utf-8")
    nav = set(re.findall(r"^\s+- (?:[^:\n]+: )?([\w/-]+\.md)$", config, flags=re.MULTILINE))
    pages = {path.relative_to(DOCS).as_posix() for path in DOCS.rglob("*.md") if "_tooling" not in path.parts}
    generated = set(tooling("mkdocs_hooks").PUBLISHED)
    assert nav == pages | generated


# -- docs/_tooling ---------------------------------------------------------------------------------


def test_bare_doctests_are_fenced_and_fences_are_left_alone() -> None:
    fence = tooling("griffe_doctests").fence_doctests
    text = "Sum:\n\n>>> 1 + 1\n2\n\nA fenced one:\n\n```python\n>>> 3\n```\n\n    >>> indented()\n    [True]"
    assert fence(text) == (
        "Sum:\n\n```pycon\n>>> 1 + 1\n2\n```\n\nA fenced one:\n\n```python\n>>> 3\n```\n\n"
        "    ```pycon\n    >>> indented()\n    [True]\n    ```"
    )
    assert fence("No example.") == "No example."


def test_every_docstring_example_of_the_facade_is_fenced_without_loss() -> None:
    fence = tooling("griffe_doctests").fence_doctests
    for module in (friendli_dedicated.errors, friendli_dedicated.emulator, friendli_dedicated.testing):
        doc = module.__doc__ or ""
        fenced = fence(doc)
        assert fenced.replace("```pycon\n", "").replace("```\n", "").rstrip("`\n ") == doc.rstrip("\n ")
        assert fenced.count("```pycon") == len(re.findall(r"(?:^|\n\n)\s*>>>", doc))


@pytest.mark.parametrize(
    ("source", "page", "markdown", "expected"),
    [
        # README.md is the home page: its links into docs/ become the pages' own.
        ("README.md", "index.md", "[guide](docs/waiting.md#fleets)", "[guide](waiting.md#fleets)"),
        # docs/versions.md links to CHANGELOG.md, which the site publishes as changelog.md.
        ("docs/versions.md", "versions.md", "[notes](../CHANGELOG.md#100)", "[notes](changelog.md#100)"),
        ("docs/reference/errors.md", "reference/errors.md", "[v](../../CHANGELOG.md)", "[v](../changelog.md)"),
        ("CHANGELOG.md", "changelog.md", "[v](docs/versions.md)", "[v](versions.md)"),
        # A file or folder of the repository that the site does not publish: it, in the repository.
        (
            "README.md",
            "index.md",
            "[`examples/demo.py`](examples/demo.py)",
            f"[`examples/demo.py`]({REPOSITORY}/blob/main/examples/demo.py)",
        ),
        (
            "docs/testing.md",
            "testing.md",
            "[kit](../examples/service_project#readme)",
            f"[kit]({REPOSITORY}/tree/main/examples/service_project#readme)",
        ),
        # Left as written: pages of docs/, anchors, other sites, images, code, and links to nothing.
        ("docs/errors.md", "errors.md", "[w](waiting.md#deadlines)", "[w](waiting.md#deadlines)"),
        ("docs/errors.md", "errors.md", "[here](#retries)", "[here](#retries)"),
        ("docs/errors.md", "errors.md", "[site](https://friendli.ai)", "[site](https://friendli.ai)"),
        ("docs/errors.md", "errors.md", "```\n[x](../LICENSE)\n```", "```\n[x](../LICENSE)\n```"),
        ("docs/errors.md", "errors.md", "[gone](../no-such-file.md)", "[gone](../no-such-file.md)"),
    ],
)
def test_links_are_made_the_sites(source: str, page: str, markdown: str, expected: str) -> None:
    hooks = tooling("mkdocs_hooks")
    assert hooks.rewrite_links(markdown, ROOT / source, page) == expected


# -- supported Pythons -----------------------------------------------------------------------------


def supported_pythons() -> list[str]:
    tree = ast.parse((ROOT / "noxfile.py").read_text(encoding="utf-8"))
    for node in tree.body:
        if isinstance(node, ast.Assign) and any(
            isinstance(target, ast.Name) and target.id == "SUPPORTED_PYTHONS" for target in node.targets
        ):
            value = ast.literal_eval(node.value)
            assert isinstance(value, list)
            return value
    raise AssertionError("noxfile.py has no SUPPORTED_PYTHONS")


def test_the_classifiers_list_the_pythons_the_tests_run_on() -> None:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    classified = [
        line.rsplit(" :: ", 1)[1]
        for line in project["classifiers"]
        if re.fullmatch(r"Programming Language :: Python :: 3\.\d+", line)
    ]
    tested = supported_pythons()
    lowest = project["requires-python"].removeprefix(">=")
    assert classified, "no Programming Language :: Python :: 3.X classifier"
    assert classified[0] == tested[0] == lowest
    # Each classified version is one the tests run on, from the lowest supported on without a gap.
    assert classified == tested[: len(classified)]
