"""The engine options of create and update, read from the contract, as Python source for ``_contract.py``.

The create body's ``advanced`` property names a schema (``EndpointAdvancedConfig`` today) whose
properties are the engine options. For each, the table records what the facade needs to check a
value and to offer it (keyword argument, command-line flag): its JSON type, whether null is
allowed, whether the contract requires it, its default, bounds, enum values and title. It also
renders a ``TypedDict`` of them, so type checkers see the options as keyword arguments of
``create`` and ``update``. Nothing here names an option: a new one upstream arrives by regeneration.

>>> schema = {"properties": {"n": {"anyOf": [{"type": "integer", "minimum": 1}, {"type": "null"}], "title": "N"}}}
>>> [option["kind"] for option in engine_options({"components": {"schemas": {}}}, schema)]
['integer']
"""

from __future__ import annotations

from typing import Any

from scripts.pipeline.contract import Document

__all__ = ["ENGINE_BOUNDS", "advanced_schema", "engine_options", "render"]

ENGINE_BOUNDS = ("minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum", "minLength", "maxLength")
_CREATE_OPERATION = "dedicatedCreateEndpoint"
_PYTHON_TYPES = {"integer": "int", "number": "float", "boolean": "bool", "string": "str"}


class EngineTableError(ValueError):
    """Raised when the contract's engine options cannot be read (the message says where)."""


def _resolve(document: Document, node: dict[str, Any]) -> dict[str, Any]:
    seen = 0
    while "$ref" in node:
        name = str(node["$ref"]).rsplit("/", 1)[-1]
        node = document["components"]["schemas"][name]
        seen += 1
        if seen > 32:
            raise EngineTableError(f"reference cycle at {name}")
    return node


def _ref_name(node: dict[str, Any]) -> str | None:
    ref = node.get("$ref")
    return None if ref is None else str(ref).rsplit("/", 1)[-1]


def advanced_schema(document: Document) -> tuple[str, dict[str, Any]]:
    """(name, schema) of the create body's ``advanced`` property."""
    for item in (document.get("paths") or {}).values():
        for operation in item.values():
            if not isinstance(operation, dict) or operation.get("operationId") != _CREATE_OPERATION:
                continue
            body = operation["requestBody"]["content"]["application/json"]["schema"]
            advanced = _resolve(document, body).get("properties", {}).get("advanced")
            if advanced is None:
                raise EngineTableError(f"{_CREATE_OPERATION}'s body has no 'advanced' property")
            branches = [advanced, *advanced.get("anyOf", []), *advanced.get("oneOf", [])]
            for branch in branches:
                name = _ref_name(branch)
                if name is not None:
                    return name, _resolve(document, branch)
            return "advanced", advanced
    raise EngineTableError(f"the contract has no {_CREATE_OPERATION} operation")


def engine_options(document: Document, schema: dict[str, Any]) -> list[dict[str, Any]]:
    """One record per property of ``schema``, in the contract's order."""
    required = set(schema.get("required", []))
    options = []
    for name, prop in (schema.get("properties") or {}).items():
        branches = [prop, *prop.get("anyOf", []), *prop.get("oneOf", [])]
        nullable = False
        chosen: dict[str, Any] | None = None
        enum_name: str | None = None
        for branch in branches:
            declared = branch.get("type")
            types = declared if isinstance(declared, list) else [declared] if declared else []
            if "null" in types:
                nullable = True
            if branch is prop and ("anyOf" in prop or "oneOf" in prop):
                continue
            resolved = _resolve(document, branch)
            kinds = [
                t
                for t in (
                    [resolved.get("type")] if isinstance(resolved.get("type"), str) else resolved.get("type") or []
                )
                if t != "null"
            ]
            if kinds and chosen is None:
                chosen = resolved
                enum_name = _ref_name(branch)
        if chosen is None:
            raise EngineTableError(f"engine option {name!r} has no type the facade knows")
        kind = _types(chosen)[0]
        if kind not in _PYTHON_TYPES:
            raise EngineTableError(f"engine option {name!r} is of type {kind!r}, which the facade cannot check")
        record: dict[str, Any] = {
            "name": name,
            "kind": kind,
            "nullable": nullable,
            "required": name in required,
            "default": prop.get("default", chosen.get("default")),
            "enum": tuple(chosen.get("enum", ())),
            "enum_name": enum_name if chosen.get("enum") else None,
            "title": prop.get("title") or chosen.get("title") or name.replace("_", " ").capitalize(),
        }
        record.update({key: chosen.get(key) for key in ENGINE_BOUNDS})
        options.append(record)
    return options


def _types(schema: dict[str, Any]) -> list[str]:
    declared = schema.get("type")
    types = declared if isinstance(declared, list) else [declared] if isinstance(declared, str) else []
    return [t for t in types if t != "null"]


def _hint(option: dict[str, Any]) -> str:
    if option["enum"]:
        base = "Literal[" + ", ".join(repr(value) for value in option["enum"]) + "]"
    else:
        base = _PYTHON_TYPES[option["kind"]]
        if option["kind"] == "number":
            base = "float | int"
    return f"{base} | None" if option["nullable"] else base


def render(document: Document) -> list[str]:
    """The lines of ``_contract.py`` that hold the engine options (the table and the TypedDict)."""
    schema_name, schema = advanced_schema(document)
    options = engine_options(document, schema)
    lines = [
        "",
        "",
        "class EngineOption(NamedTuple):",
        '    """One engine option of create and update: a property of the create body\'s ``advanced`` schema."""',
        "",
        "    name: str",
        '    kind: str  # the JSON type: "integer", "number", "boolean" or "string"',
        "    nullable: bool",
        "    required: bool",
        "    default: int | float | bool | str | None",
        "    enum: tuple[str, ...]",
        "    enum_name: str | None",
        "    title: str",
        *(f"    {_snake(key)}: int | float | None" for key in ENGINE_BOUNDS),
        "",
        "",
        f"ENGINE_SCHEMA: Final[str] = {schema_name!r}",
        "ENGINE_OPTIONS: Final[tuple[EngineOption, ...]] = (",
    ]
    for option in options:
        fields = ", ".join(
            f"{_snake(key)}={option[key]!r}"
            for key in ("name", "kind", "nullable", "required", "default", "enum", "enum_name", "title", *ENGINE_BOUNDS)
        )
        lines.append(f"    EngineOption({fields}),")
    lines += [
        ")",
        "",
        "",
        "class EngineOptions(TypedDict, total=False):",
        f'    """The engine options of ``create`` and ``update`` (``{schema_name}``), as keyword arguments."""',
        "",
        *(f"    {option['name']}: {_hint(option)}" for option in options),
    ]
    return lines


def _snake(keyword: str) -> str:
    return "".join(f"_{ch.lower()}" if ch.isupper() else ch for ch in keyword)
