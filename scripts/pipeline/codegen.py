"""Generate ``generated/friendli_dedicated_api`` from the contract, or check that it is fresh.

Generation runs openapi-python-client (pinned) with ``scripts/pipeline/codegen.yaml`` and the templates in
``scripts/pipeline/templates`` into a temporary folder, adds ``py.typed``, ``_contract.py`` (the contract's
pin, instance options and bounds as Python data for the facade) and ``openapi.json`` (the contract
itself, read by the emulator), formats with ruff (pinned, run in
isolation) and only then replaces the destination. The same contract always gives the same bytes.
When the generator reports that it skipped part of the contract (a model, a response parser: it still
exits 0), generation fails with its report (``CodegenError``): the fix is a normalisation in
``scripts/pipeline/extract.py``.

Command line::

    python scripts/pipeline/codegen.py [--contract openapi.yaml] [--output generated] [--check]
"""

from __future__ import annotations

import argparse
import filecmp
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

if __package__ in (None, ""):  # run as `python scripts/<name>.py`: make `scripts` importable
    sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from scripts.pipeline import contract, engine_table
from scripts.pipeline.contract import Document

ROOT = Path(__file__).resolve().parents[2]
PIPELINE = Path(__file__).resolve().parent
CONFIG = PIPELINE / "codegen.yaml"
TEMPLATES = PIPELINE / "templates"
PACKAGE = "friendli_dedicated_api"
DATA_MODULE = "_contract.py"
CONTRACT_JSON = "openapi.json"
STALE_MESSAGE = "generated/ is stale: run nox -s regenerate"
# openapi-python-client's words when it skipped part of the contract (a model, a response parser) and
# still exited 0: a client missing pieces is not a client, so generation fails instead.
GENERATOR_WARNING = "Warning(s) encountered while generating"
RUFF_SETTINGS = ("--isolated", "--no-cache", "--target-version", "py311", "--line-length", "120")
BOUND_KEYWORDS = ("minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum", "minLength", "maxLength")


class CodegenError(RuntimeError):
    """Raised when the generator or the formatter fails; carries their output."""


def generate(contract_path: Path, output_root: Path) -> Path:
    """Generate the client package under ``output_root`` (replacing it) and return the package path."""
    contract_path = contract_path.resolve()  # the generator runs in a temporary directory
    document = contract.load(contract_path)
    with tempfile.TemporaryDirectory(prefix="friendli-codegen-") as tmp:
        package = Path(tmp) / PACKAGE
        output = _run(
            [
                sys.executable,
                "-m",
                "openapi_python_client",
                "generate",
                "--path",
                str(contract_path),
                "--config",
                str(CONFIG),
                "--custom-template-path",
                str(TEMPLATES),
                "--meta",
                "none",
                "--output-path",
                str(package),
            ],
            cwd=Path(tmp),
        )
        if GENERATOR_WARNING in output:
            raise CodegenError(
                f"openapi-python-client skipped part of {contract_path.name} (fix it by a normalisation in "
                f"scripts/pipeline/extract.py):\n{output.strip()}"
            )
        (package / "py.typed").write_text("", encoding="utf-8")
        (package / DATA_MODULE).write_text(render_data_module(document), encoding="utf-8")
        # The contract itself, for code that checks requests against it at run time (the emulator):
        # JSON, so that reading it needs no YAML library.
        (package / CONTRACT_JSON).write_text(render_contract_json(document), encoding="utf-8")
        # Not cwd=package: `python -m` puts the cwd first on sys.path, and the package has a types.py.
        _run([sys.executable, "-m", "ruff", "format", *RUFF_SETTINGS, f"{PACKAGE}/{DATA_MODULE}"], cwd=Path(tmp))
        destination = output_root / PACKAGE
        if destination.exists():
            shutil.rmtree(destination)
        output_root.mkdir(parents=True, exist_ok=True)
        shutil.copytree(package, destination)
    return destination


def stale_files(contract_path: Path, generated_root: Path) -> list[str]:
    """Paths (relative to ``generated_root``) that differ from a fresh generation; empty when fresh."""
    with tempfile.TemporaryDirectory(prefix="friendli-codegen-check-") as tmp:
        fresh = generate(contract_path, Path(tmp))
        return _differences(fresh, generated_root / PACKAGE)


def render_data_module(document: Document) -> str:
    """The contract's own data, as a Python module the facade imports (no YAML parsing at runtime)."""
    pin = contract.pin(document)
    options = document.get(contract.INSTANCE_OPTIONS_KEY) or []
    lines = [
        '"""Data lifted from the contract (openapi.yaml). Generated by scripts/pipeline/codegen.py: do not edit."""',
        "",
        "from enum import StrEnum",
        "from typing import Final, Literal, NamedTuple, TypedDict",
        "",
        f"UPSTREAM_URL: Final[str] = {pin.get('url', '')!r}",
        f"UPSTREAM_SHA256: Final[str] = {pin.get('sha256', '')!r}",
        f"SURFACE_SHA256: Final[str] = {pin.get('surface_sha256', '')!r}",
        f"RETRIEVED: Final[str] = {pin.get('retrieved', '')!r}",
        "",
        "",
        "class GPU(StrEnum):",
        '    """The GPU kinds of the instance options; the value is the name the API uses."""',
        "",
        *(f"    {gpu_member_name(gpu)} = {gpu!r}" for gpu in dict.fromkeys(o["gpu"] for o in options)),
        "",
        "",
        "# (instance option id, GPU name, GPU count), in the order upstream lists them.",
        "INSTANCE_OPTIONS: Final[tuple[tuple[str, str, int], ...]] = (",
        *(f"    ({o['id']!r}, {o['gpu']!r}, {int(o['count'])!r})," for o in options),
        ")",
        "",
        "# (schema, property) -> {keyword: value} for every numeric or length bound in components.schemas.",
        "BOUNDS: Final[dict[tuple[str, str], dict[str, int | float]]] = {",
        *(f"    ({schema!r}, {prop!r}): {bounds!r}," for (schema, prop), bounds in _bounds(document).items()),
        "}",
        "",
        "# (operationId, parameter) -> {keyword: value} for every numeric or length bound of an operation's",
        "# parameters (the query's page sizes, say), and its default where the contract gives one.",
        "PARAMETER_BOUNDS: Final[dict[tuple[str, str], dict[str, int | float]]] = {",
        *(
            f"    ({operation!r}, {name!r}): {bounds!r},"
            for (operation, name), bounds in _parameter_bounds(document).items()
        ),
        "}",
        *engine_table.render(document),
        "",
    ]
    return "\n".join(lines)


def render_contract_json(document: Document) -> str:
    """The contract as JSON, in the contract's own key order (deterministic, like openapi.yaml)."""
    return json.dumps(document, indent=1, ensure_ascii=False) + "\n"


def gpu_member_name(gpu: str) -> str:
    """``"NVIDIA A100 80GB"`` -> ``"A100_80GB"``: the vendor prefix dropped, the rest an identifier."""
    name = re.sub(r"\W+", "_", re.sub(r"^NVIDIA\s+", "", gpu.strip(), flags=re.IGNORECASE)).strip("_").upper()
    if not name or name[0].isdigit():
        name = f"GPU_{name}"
    return name


def _bounds(document: Document) -> dict[tuple[str, str], dict[str, Any]]:
    found: dict[tuple[str, str], dict[str, Any]] = {}
    for name, schema in sorted((document.get("components") or {}).get("schemas", {}).items()):
        for prop, prop_schema in sorted((schema.get("properties") or {}).items()):
            variants = [prop_schema, *(prop_schema.get("anyOf") or []), *(prop_schema.get("oneOf") or [])]
            bounds = {key: variant[key] for variant in variants for key in BOUND_KEYWORDS if key in variant}
            if bounds:
                found[(name, prop)] = dict(sorted(bounds.items()))
    return found


def _parameter_bounds(document: Document) -> dict[tuple[str, str], dict[str, Any]]:
    found: dict[tuple[str, str], dict[str, Any]] = {}
    for item in (document.get("paths") or {}).values():
        for operation in item.values():
            if not isinstance(operation, dict) or "operationId" not in operation:
                continue
            for parameter in operation.get("parameters") or []:
                schema = parameter.get("schema") or {}
                variants = [schema, *(schema.get("anyOf") or []), *(schema.get("oneOf") or [])]
                bounds = {key: variant[key] for variant in variants for key in BOUND_KEYWORDS if key in variant}
                if not bounds:
                    continue
                default = schema.get("default")
                if isinstance(default, int | float) and not isinstance(default, bool):
                    bounds["default"] = default
                found[(operation["operationId"], parameter["name"])] = dict(sorted(bounds.items()))
    return dict(sorted(found.items()))


def _differences(fresh: Path, existing: Path) -> list[str]:
    if not existing.is_dir():
        return [f"{PACKAGE}/ (missing)"]
    fresh_files = {p.relative_to(fresh).as_posix() for p in fresh.rglob("*") if p.is_file()}
    existing_files = {
        p.relative_to(existing).as_posix() for p in existing.rglob("*") if p.is_file() and "__pycache__" not in p.parts
    }
    differing = sorted(fresh_files ^ existing_files)
    differing += sorted(
        name for name in fresh_files & existing_files if not filecmp.cmp(fresh / name, existing / name, shallow=False)
    )
    return [f"{PACKAGE}/{name}" for name in sorted(differing)]


def _run(command: list[str], *, cwd: Path) -> str:
    """Run ``command``; its stdout and stderr, or ``CodegenError`` with them when it fails."""
    # The generator's post hooks call `ruff` by name: put this interpreter's scripts first on PATH
    # so that the pinned ruff beside it is the one that formats.
    env = {**os.environ, "PATH": os.pathsep.join([str(Path(sys.executable).parent), os.environ.get("PATH", "")])}
    result = subprocess.run(command, cwd=cwd, env=env, capture_output=True, text=True, check=False)
    if result.returncode != 0:
        raise CodegenError(f"{' '.join(command[:4])} failed ({result.returncode}):\n{result.stdout}{result.stderr}")
    return result.stdout + result.stderr


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Generate (or check) generated/friendli_dedicated_api.")
    parser.add_argument("--contract", type=Path, default=ROOT / "openapi.yaml")
    parser.add_argument("--output", type=Path, default=ROOT / "generated")
    parser.add_argument("--check", action="store_true", help="exit 1 if the output is not a fresh generation")
    args = parser.parse_args(argv)
    if args.check:
        stale = stale_files(args.contract, args.output)
        if stale:
            print(STALE_MESSAGE, *(f"  {name}" for name in stale), sep="\n", file=sys.stderr)
            return 1
        print("generated/ is fresh")
        return 0
    package = generate(args.contract, args.output)
    print(f"generated {package}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
