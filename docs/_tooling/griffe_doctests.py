"""A griffe extension for the docs build: the docstrings' examples are shown as Python code.

The facade's docstrings carry doctests (run by ``tests/docs/test_doctests.py``) as plain ``>>>`` lines,
without a section title. The Google-style parser only reads ``>>>`` lines as code inside an
``Examples:`` section; anywhere else Markdown would read ``>>>`` as nested quotes and ``[True]``
as a link. This wraps each run of doctest lines (a ``>>>`` line, its ``...`` continuations and
its expected output, up to a blank line) in a ``pycon`` fence before the docstring is parsed, so
the docstrings keep their form and the site shows them as code.

Configured in mkdocs.yml (``plugins.mkdocstrings.handlers.python.options.extensions``).
"""

from __future__ import annotations

from typing import Any

import griffe

_FENCE = "```"


def fence_doctests(text: str) -> str:
    """``text`` with each doctest block outside a fence wrapped in a ``pycon`` fence (tested in
    tests/docs/test_docs_site.py: a doctest here would hold doctests of its own)."""
    out: list[str] = []
    in_fence = in_example = False
    indent = ""
    for line in text.split("\n"):
        stripped = line.lstrip()
        if in_example:
            if stripped:
                out.append(line)
                continue
            out.append(f"{indent}{_FENCE}")
            in_example = False
        if stripped.startswith(_FENCE):
            in_fence = not in_fence
        elif not in_fence and stripped.startswith(">>>"):
            indent = line[: len(line) - len(stripped)]
            out.append(f"{indent}{_FENCE}pycon")
            in_example = True
        out.append(line)
    if in_example:
        out.append(f"{indent}{_FENCE}")
    return "\n".join(out)


class FenceDoctests(griffe.Extension):
    """Wrap the bare doctests of every docstring in ``pycon`` fences (see the module's docstring)."""

    def on_object(self, *, obj: griffe.Object, **kwargs: Any) -> None:
        if obj.docstring is not None:
            obj.docstring.value = fence_doctests(obj.docstring.value)
