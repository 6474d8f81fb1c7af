"""The examples of the Markdown guides: each ```` ```python ```` block and the output block shown after it.

A guide shows what an example prints in the block right after it, fenced as ```` ```text title="Output" ````
(a titled output block on the site; a plain text block on a forge or in an editor), never in comments.
The tests that run the guides compare that block with what the example printed, as doctest compares
(``...`` stands for any text: the rest of a long line, or lines left out).

>>> text = 'Intro.\\n\\n```python\\nprint(1)\\n```\\n\\n```text title="Output"\\n1\\n```\\n\\n```python\\nx = 2\\n```\\n'
>>> [(example.code, example.output) for example in examples(text)]
[('print(1)\\n', '1\\n'), ('x = 2\\n', None)]
"""

from __future__ import annotations

import doctest
import re
from dataclasses import dataclass

OUTPUT_FENCE = '```text title="Output"'
_EXAMPLE = re.compile(
    r"^```python\n(?P<code>.*?)^```\n(?:\n" + re.escape(OUTPUT_FENCE) + r"\n(?P<output>.*?)^```$)?",
    re.DOTALL | re.MULTILINE,
)


@dataclass(frozen=True)
class Example:
    """One ``python`` block: its code, the output block after it (None: there is none), its first line."""

    code: str
    output: str | None
    line: int


def examples(text: str) -> list[Example]:
    """The ``python`` blocks of ``text`` in order, each with the output block that follows it."""
    return [
        Example(match["code"], match["output"], text.count("\n", 0, match.start()) + 1)
        for match in _EXAMPLE.finditer(text)
    ]


def stray_output_blocks(text: str) -> int:
    """How many output blocks of ``text`` follow no ``python`` block (and so are checked by nothing)."""
    return text.count(OUTPUT_FENCE) - sum(example.output is not None for example in examples(text))


def trailing_output_comments(example: Example, printed: str) -> list[str]:
    """The ``print(...)  # text`` comments of ``example`` whose text is a line it printed: output shown in a
    comment, which belongs in the output block."""
    lines = {line.strip() for line in printed.splitlines()}
    comments = re.findall(r"^\s*print\(.*\)\s+# (.+)$", example.code, flags=re.MULTILINE)
    return [comment for comment in comments if comment.strip() in lines]


_CHECKER = doctest.OutputChecker()


def shows(output: str, printed: str) -> bool:
    """Whether the output block ``output`` shows what was ``printed`` (doctest's rules, ``...`` included)."""
    return _CHECKER.check_output(output, printed, doctest.ELLIPSIS)
