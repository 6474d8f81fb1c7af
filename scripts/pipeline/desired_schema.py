"""Write, or check, the desired-state file's JSON Schema that the package ships (``desired.schema.json``).

The schema is built by ``facade/friendli_dedicated/_desired_schema.py`` from the tables of the generated
``_contract.py`` (engine options, instance options, bounds). Both are loaded here from their paths under
a project root (nothing of the installed package is imported), so ``regenerate`` writes the schema of the
contract it has just generated, and an engine option or a GPU added upstream reaches the schema with no
hand edit. The tests check that the shipped file is what this renders.

Command line::

    python scripts/pipeline/desired_schema.py [--check]
"""

from __future__ import annotations

import argparse
import importlib.util
import sys
from pathlib import Path
from types import ModuleType

ROOT = Path(__file__).resolve().parents[2]
BUILDER = Path("facade/friendli_dedicated/_desired_schema.py")
CONTRACT = Path("generated/friendli_dedicated_api/_contract.py")
SCHEMA = Path("facade/friendli_dedicated/desired.schema.json")
STALE_MESSAGE = f"{SCHEMA} is stale: run nox -s regenerate (or python scripts/pipeline/desired_schema.py)"


def _load(path: Path, name: str) -> ModuleType:
    spec = importlib.util.spec_from_file_location(name, path)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module  # NamedTuple and dataclasses look their module up while it runs
    try:
        spec.loader.exec_module(module)
    finally:
        del sys.modules[name]
    return module


def render(root: Path = ROOT) -> str | None:
    """The schema's text for the project under ``root``; None if it has no builder or no generated contract."""
    if not (root / BUILDER).is_file() or not (root / CONTRACT).is_file():
        return None
    builder = _load(root / BUILDER, "friendli_desired_schema_builder")
    tables = _load(root / CONTRACT, "friendli_desired_schema_contract")
    text: str = builder.render(builder.build(tables.ENGINE_OPTIONS, tables.INSTANCE_OPTIONS, tables.BOUNDS))
    return text


def is_fresh(root: Path = ROOT) -> bool:
    """Whether the shipped file is what the builder renders from the generated contract (or neither exists)."""
    text = render(root)
    return text is None or ((root / SCHEMA).is_file() and (root / SCHEMA).read_text(encoding="utf-8") == text)


def write(root: Path = ROOT) -> bool:
    """Write the schema if it differs from the shipped file; whether it was written."""
    text = render(root)
    if text is None or is_fresh(root):
        return False
    (root / SCHEMA).write_text(text, encoding="utf-8")
    return True


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Write (or check) friendli_dedicated/desired.schema.json.")
    parser.add_argument("--check", action="store_true", help="exit 1 if the shipped schema is stale")
    args = parser.parse_args(argv)
    if args.check:
        if not is_fresh(ROOT):
            print(STALE_MESSAGE, file=sys.stderr)
            return 1
        print(f"{SCHEMA} is fresh")
        return 0
    print(f"{SCHEMA} {'written' if write(ROOT) else 'already fresh'}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
