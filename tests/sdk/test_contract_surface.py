"""Every operation the facade sends is in the contract: after a regeneration that removed one, this is
the test that fails, naming the facade's use of it and the operation that went away.

It reads the facade's source and openapi.yaml as text and data, without importing the facade (which
would fail to import at all once a generated module it needs is gone, hiding the reason in a crowd of
collection errors).
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

from scripts.pipeline import contract

ROOT = Path(__file__).resolve().parents[2]
FACADE = ROOT / "facade" / "friendli_dedicated"
GENERATED_API = "friendli_dedicated_api.api."  # one package per tag: dedicated_endpoint, dedicated_token, ...


def operation_id(module_name: str) -> str:
    """The generator names an operation's module after its operationId: ``dedicated_sleep_endpoint``."""
    first, *rest = module_name.split("_")
    return first + "".join(part.capitalize() for part in rest)


def facade_operations() -> dict[str, list[str]]:
    """operationId -> the facade modules (and names) that use it."""
    used: dict[str, list[str]] = {}
    for path in sorted(FACADE.rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and (node.module or "").startswith(GENERATED_API):
                for alias in node.names:
                    where = f"{path.relative_to(FACADE.parent)} ({alias.name})"
                    used.setdefault(operation_id(alias.name), []).append(where)
    return used


def test_the_facade_uses_operations():
    assert facade_operations(), "the facade should import the generated operations it sends"


def test_every_operation_the_facade_sends_is_in_the_contract():
    document = contract.load(ROOT / "openapi.yaml")
    in_contract = {
        operation["operationId"]
        for item in document["paths"].values()
        for operation in item.values()
        if isinstance(operation, dict) and "operationId" in operation
    }
    missing = {op: where for op, where in facade_operations().items() if op not in in_contract}
    assert not missing, "the contract no longer has operations the facade sends: " + "; ".join(
        f"{op}, used by {', '.join(where)}" for op, where in sorted(missing.items())
    )


def test_the_operation_name_rule_matches_the_generator():
    names = [path.stem for path in (ROOT / "generated" / "friendli_dedicated_api" / "api").glob("*/*.py")]
    document_ids = set(re.findall(r"operationId: (\w+)", (ROOT / "openapi.yaml").read_text(encoding="utf-8")))
    assert {operation_id(name) for name in names if name != "__init__"} == document_ids
