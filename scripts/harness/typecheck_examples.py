"""Type-check the documentation's examples as user code: ``mypy --strict`` over every Python block.

Users copy the examples of README.md and docs/*.md into their own strictly typed code; an example that
a strict type checker rejects (an Optional not narrowed, a wrong argument type) is a seam in the API or
a wrong example. Each Markdown section's blocks are one module, in order (later blocks of a section use
what earlier ones defined); a block whose first line is ``# <name>.py`` is that file, importable by the
others. Run by ``nox -s typecheck``.

Command line::

    python scripts/harness/typecheck_examples.py [FILE.md ...]
"""

from __future__ import annotations

import argparse
import re
import subprocess
import sys
import tempfile
import textwrap
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
BLOCK = re.compile(r"```python\n(.*?)```", re.DOTALL)
FILE_NAME = re.compile(r"# (\w+\.py)\n")


def modules(markdown: Path) -> dict[str, str]:
    """File name -> source, for the examples of one Markdown document."""
    found: dict[str, str] = {}
    stem = re.sub(r"\W", "_", markdown.stem.lower())
    for number, section in enumerate(re.split(r"\n## ", markdown.read_text(encoding="utf-8"))):
        loose = []
        for block in (textwrap.dedent(found_block) for found_block in BLOCK.findall(section)):
            named = FILE_NAME.match(block)
            if named:
                found[named.group(1)] = block
            else:
                loose.append(block)
        if loose:
            found[f"example_{stem}_{number}.py"] = "\n".join(loose)
    return found


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="mypy --strict over the examples of the documentation.")
    parser.add_argument("documents", nargs="*", type=Path)
    args = parser.parse_args(argv)
    documents = [document.resolve() for document in args.documents] or [
        ROOT / "README.md",
        *sorted((ROOT / "docs").glob("*.md")),
    ]
    failed = 0
    with tempfile.TemporaryDirectory(prefix="friendli-examples-") as tmp:
        for document in documents:
            found = modules(document)
            if not found:
                continue
            folder = Path(tmp) / document.stem
            folder.mkdir()
            for name, source in found.items():
                (folder / name).write_text(source, encoding="utf-8")
            # One run per document, from its folder: its named files import each other by name.
            result = subprocess.run(
                [sys.executable, "-m", "mypy", "--strict", "--no-incremental", "."],
                capture_output=True,
                text=True,
                check=False,
                cwd=folder,
            )
            print(f"{document.relative_to(ROOT)}: {result.stdout.strip().splitlines()[-1] if result.stdout else ''}")
            if result.returncode != 0:
                print(result.stdout, end="")
                print(result.stderr, end="", file=sys.stderr)
                failed += 1
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
