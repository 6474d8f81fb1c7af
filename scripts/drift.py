"""Semantic comparison of two contracts: what changed for users of the SDK, and is it breaking.

``compare(pinned, upstream_contract)`` walks operations, parameters, bodies, responses, component
schemas, security schemes and instance options, and returns one ``Change`` per difference with a
location (``POST /dedicated/beta/endpoint parameters.query.limit``,
``components.schemas.EndpointAdvancedConfig.properties.max_context_length``) and a classification:

- breaking: removals (operations, parameters, properties, status codes, enum values, instance
  options), new required request fields or parameters, type/format/reference changes, narrowed
  bounds on request values, a response value that may now be null or missing;
- additive: everything else (new operations, optional fields, new enum values, which the SDK's open
  enums tolerate, widened bounds, new defaults).

Prose is not in the contract, so a change of prose is never drift; neither is ``info`` (upstream's
document version moves with every part of the Suite API).

Command line (exit 0: no drift, 1: drift, 2: the upstream or the contract cannot be read)::

    python scripts/drift.py --upstream URL_OR_PATH [--contract openapi.yaml] [--json]
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

if __package__ in (None, ""):  # run as `python scripts/<name>.py`: make `scripts` importable
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from scripts import contract
from scripts.contract import ContractFormatError, Document
from scripts.extract import HTTP_METHODS, ExtractionError, build_surface
from scripts.upstream import UpstreamUnreadableError, read

ROOT = Path(__file__).resolve().parent.parent
REQUEST, RESPONSE = "request", "response"
LOWER_BOUNDS = ("minimum", "exclusiveMinimum", "minLength", "minItems", "minProperties")
UPPER_BOUNDS = ("maximum", "exclusiveMaximum", "maxLength", "maxItems", "maxProperties")
SCHEMA_KEYS_COMPARED = frozenset(
    {
        "$ref",
        "type",
        "format",
        "enum",
        "const",
        "default",
        "title",
        "pattern",
        "multipleOf",
        "properties",
        "required",
        "items",
        "additionalProperties",
        "anyOf",
        "oneOf",
        "allOf",
        "nullable",
        *LOWER_BOUNDS,
        *UPPER_BOUNDS,
    }
)


@dataclass(frozen=True)
class Change:
    """One difference between two contracts."""

    location: str
    change: str
    breaking: bool

    def line(self) -> str:
        """The form printed by the drift check and written to CHANGELOG.md."""
        return f"{'BREAKING' if self.breaking else 'additive'}  {self.location}: {self.change}"


def compare(old: Document, new: Document) -> list[Change]:
    """Every difference that matters to SDK users between contract ``old`` and contract ``new``.

    >>> compare(pinned, pinned)  # doctest: +SKIP
    []
    """
    diff = _Diff(_merge_usage(_usage(old), _usage(new)))
    diff.root(old, new)
    diff.operations(old.get("paths") or {}, new.get("paths") or {})
    diff.components(old.get("components") or {}, new.get("components") or {})
    diff.instance_options(old.get(contract.INSTANCE_OPTIONS_KEY) or [], new.get(contract.INSTANCE_OPTIONS_KEY) or [])
    return diff.changes


class _Diff:
    def __init__(self, usage: dict[str, set[str]]) -> None:
        self.usage = usage
        self.changes: list[Change] = []

    def add(self, location: str, change: str, *, breaking: bool) -> None:
        self.changes.append(Change(location, change, breaking))

    # -- document level ------------------------------------------------------------------------
    def root(self, old: Document, new: Document) -> None:
        if old.get("openapi") != new.get("openapi"):
            self.add(
                "openapi", f"OpenAPI version changed from {old.get('openapi')} to {new.get('openapi')}", breaking=False
            )
        if old.get("servers") != new.get("servers"):
            self.add("servers", f"servers changed from {_urls(old)} to {_urls(new)}", breaking=False)
        if old.get("security") != new.get("security"):
            self.add("security", "document-wide security requirements changed", breaking=True)

    def operations(self, old_paths: dict[str, Any], new_paths: dict[str, Any]) -> None:
        old_ops, new_ops = _operations(old_paths), _operations(new_paths)
        for key in _keys(old_ops, new_ops):
            location = f"{key[0].upper()} {key[1]}"
            if key not in new_ops:
                self.add(location, "operation removed", breaking=True)
            elif key not in old_ops:
                self.add(location, "operation added", breaking=False)
            else:
                self.operation(location, old_ops[key], new_ops[key])

    def operation(self, location: str, old: dict[str, Any], new: dict[str, Any]) -> None:
        if old.get("operationId") != new.get("operationId"):
            self.add(
                location,
                f"operationId changed from {old.get('operationId')} to {new.get('operationId')}",
                breaking=True,
            )
        if old.get("security") != new.get("security"):
            self.add(location, "security requirements changed", breaking=True)
        self.parameters(location, old.get("parameters") or [], new.get("parameters") or [])
        self.request_body(location, old.get("requestBody"), new.get("requestBody"))
        self.responses(location, old.get("responses") or {}, new.get("responses") or {})

    def parameters(self, op: str, old: list[dict[str, Any]], new: list[dict[str, Any]]) -> None:
        old_params = {(p.get("in"), p.get("name")): p for p in old}
        new_params = {(p.get("in"), p.get("name")): p for p in new}
        for key in _keys(old_params, new_params):
            location = f"{op} parameters.{key[0]}.{key[1]}"
            if key not in new_params:
                self.add(location, "parameter removed", breaking=True)
            elif key not in old_params:
                required = bool(new_params[key].get("required"))
                self.add(location, f"{'required' if required else 'optional'} parameter added", breaking=required)
            else:
                before, after = old_params[key], new_params[key]
                self.required_flag(location, bool(before.get("required")), bool(after.get("required")), REQUEST)
                self.schema(location, before.get("schema") or {}, after.get("schema") or {}, {REQUEST})

    def request_body(self, op: str, old: dict[str, Any] | None, new: dict[str, Any] | None) -> None:
        location = f"{op} requestBody"
        if old is None and new is None:
            return
        if new is None:
            self.add(location, "request body removed", breaking=True)
            return
        if old is None:
            required = bool(new.get("required"))
            self.add(location, f"{'required' if required else 'optional'} request body added", breaking=required)
            return
        self.required_flag(location, bool(old.get("required")), bool(new.get("required")), REQUEST)
        self.content(location, old.get("content") or {}, new.get("content") or {}, REQUEST)

    def responses(self, op: str, old: dict[str, Any], new: dict[str, Any]) -> None:
        for code in _keys(old, new):
            location = f"{op} responses.{code}"
            if code not in new:
                self.add(location, "response status removed", breaking=True)
            elif code not in old:
                self.add(location, "response status added", breaking=False)
            else:
                self.content(
                    location, (old[code] or {}).get("content") or {}, (new[code] or {}).get("content") or {}, RESPONSE
                )

    def content(self, location: str, old: dict[str, Any], new: dict[str, Any], direction: str) -> None:
        for media in _keys(old, new):
            where = f"{location}.{media}"
            if media not in new:
                self.add(where, "media type removed", breaking=True)
            elif media not in old:
                self.add(where, "media type added", breaking=direction == RESPONSE)
            else:
                self.schema(
                    where, (old[media] or {}).get("schema") or {}, (new[media] or {}).get("schema") or {}, {direction}
                )

    def components(self, old: dict[str, Any], new: dict[str, Any]) -> None:
        for kind in _keys(old, new):
            before, after = old.get(kind) or {}, new.get(kind) or {}
            for name in _keys(before, after):
                location = f"components.{kind}.{name}"
                if name not in after:
                    self.add(location, f"{_singular(kind)} removed", breaking=True)
                elif name not in before:
                    self.add(location, f"{_singular(kind)} added", breaking=False)
                elif kind == "schemas":
                    self.schema(location, before[name], after[name], self.usage.get(name) or {REQUEST, RESPONSE})
                elif before[name] != after[name]:
                    self.add(location, f"{_singular(kind)} changed", breaking=True)

    def instance_options(self, old: list[dict[str, Any]], new: list[dict[str, Any]]) -> None:
        before = {o["id"]: o for o in old}
        after = {o["id"]: o for o in new}
        for option_id in _keys(before, after):
            location = f"{contract.INSTANCE_OPTIONS_KEY}.{option_id}"
            if option_id not in after:
                self.add(location, f"instance option removed ({_option(before[option_id])})", breaking=True)
            elif option_id not in before:
                self.add(location, f"instance option added ({_option(after[option_id])})", breaking=False)
            elif before[option_id] != after[option_id]:
                self.add(
                    location,
                    f"instance option changed from {_option(before[option_id])} to {_option(after[option_id])}",
                    breaking=True,
                )

    # -- schemas -------------------------------------------------------------------------------
    def required_flag(self, location: str, old: bool, new: bool, direction: str) -> None:
        if old == new:
            return
        if new:
            self.add(location, "became required", breaking=direction == REQUEST)
        else:
            self.add(location, "no longer required", breaking=direction == RESPONSE)

    def schema(
        self, location: str, old_schema: dict[str, Any], new_schema: dict[str, Any], directions: set[str]
    ) -> None:
        if old_schema == new_schema:
            return
        old, old_nullable = _unwrap_nullable(old_schema)
        new, new_nullable = _unwrap_nullable(new_schema)
        request, response = REQUEST in directions, RESPONSE in directions

        if old_nullable != new_nullable:
            if new_nullable:
                self.add(location, "became nullable", breaking=response)
            else:
                self.add(location, "no longer nullable", breaking=request)
        if old.get("$ref") != new.get("$ref"):
            self.add(location, f"reference changed from {_ref_name(old)} to {_ref_name(new)}", breaking=True)
            return
        for keyword, label in (("type", "type"), ("format", "format")):
            if old.get(keyword) != new.get(keyword):
                self.add(
                    location,
                    f"{label} changed from {_show(old.get(keyword))} to {_show(new.get(keyword))}",
                    breaking=True,
                )
        self.enum(location, old, new)
        if old.get("const") != new.get("const"):
            self.add(
                location, f"const changed from {_show(old.get('const'))} to {_show(new.get('const'))}", breaking=True
            )
        if old.get("default") != new.get("default"):
            self.add(
                location,
                f"default changed from {_show(old.get('default'))} to {_show(new.get('default'))}",
                breaking=False,
            )
        if old.get("title") != new.get("title"):
            self.add(
                location, f"title changed from {_show(old.get('title'))} to {_show(new.get('title'))}", breaking=False
            )
        self.bounds(location, old, new, request)
        if old.get("pattern") != new.get("pattern"):
            self.add(
                location,
                f"pattern changed from {_show(old.get('pattern'))} to {_show(new.get('pattern'))}",
                breaking=request,
            )
        self.properties(location, old, new, directions)
        if old.get("items") != new.get("items"):
            self.schema(f"{location}.items", old.get("items") or {}, new.get("items") or {}, directions)
        self.additional_properties(
            location, old.get("additionalProperties"), new.get("additionalProperties"), directions
        )
        for keyword in ("anyOf", "oneOf", "allOf"):
            self.variants(f"{location}.{keyword}", old.get(keyword) or [], new.get(keyword) or [], directions)
        for keyword in sorted((set(old) | set(new)) - SCHEMA_KEYS_COMPARED):
            if old.get(keyword) != new.get(keyword):
                self.add(
                    location,
                    f"{keyword} changed from {_show(old.get(keyword))} to {_show(new.get(keyword))}",
                    breaking=True,
                )

    def enum(self, location: str, old: dict[str, Any], new: dict[str, Any]) -> None:
        if "enum" not in old and "enum" not in new:
            return
        if "enum" not in new:
            self.add(location, "enum constraint removed", breaking=False)
            return
        if "enum" not in old:
            self.add(location, f"enum constraint added: {_show(new['enum'])}", breaking=True)
            return
        before, after = list(old["enum"]), list(new["enum"])
        for value in before:
            if value not in after:
                self.add(location, f"enum value {_show(value)} removed", breaking=True)
        for value in after:
            if value not in before:
                # Additive: the SDK's enums are open, so an older SDK still parses the new value.
                self.add(location, f"enum value {_show(value)} added", breaking=False)

    def bounds(self, location: str, old: dict[str, Any], new: dict[str, Any], request: bool) -> None:
        for keyword in (*LOWER_BOUNDS, *UPPER_BOUNDS, "multipleOf"):
            before, after = old.get(keyword), new.get(keyword)
            if before == after:
                continue
            if after is None:
                narrowed = False
            elif before is None:
                narrowed = True
            elif keyword == "multipleOf":
                narrowed = before % after != 0  # allowed values shrink unless the new step divides the old
            elif keyword in LOWER_BOUNDS:
                narrowed = after > before
            else:
                narrowed = after < before
            verb = "narrowed" if narrowed else "widened"
            self.add(
                location, f"{keyword} {verb} from {_show(before)} to {_show(after)}", breaking=narrowed and request
            )

    def properties(self, location: str, old: dict[str, Any], new: dict[str, Any], directions: set[str]) -> None:
        before, after = old.get("properties") or {}, new.get("properties") or {}
        required_before, required_after = set(old.get("required") or []), set(new.get("required") or [])
        request, response = REQUEST in directions, RESPONSE in directions
        for name in _keys(before, after):
            where = f"{location}.properties.{name}"
            if name not in after:
                self.add(where, "property removed", breaking=True)
            elif name not in before:
                required = name in required_after
                self.add(
                    where, f"{'required' if required else 'optional'} property added", breaking=required and request
                )
            else:
                if (name in required_before) != (name in required_after):
                    if name in required_after:
                        self.add(where, "became required", breaking=request)
                    else:
                        self.add(where, "no longer required", breaking=response)
                self.schema(where, before[name], after[name], directions)
        for name in sorted((required_before ^ required_after) - set(before) - set(after)):
            self.add(
                f"{location}.required",
                f"{name!r} {'added to' if name in required_after else 'removed from'} required",
                breaking=True,
            )

    def additional_properties(self, location: str, old: Any, new: Any, directions: set[str]) -> None:
        if old == new:
            return
        where = f"{location}.additionalProperties"
        if isinstance(old, dict) and isinstance(new, dict):
            self.schema(where, old, new, directions)
        else:
            self.add(where, f"changed from {_show(old)} to {_show(new)}", breaking=True)

    def variants(self, location: str, old: list[Any], new: list[Any], directions: set[str]) -> None:
        if sorted(map(_canonical, old)) == sorted(map(_canonical, new)):
            return  # the same variants, perhaps reordered: not a change of meaning
        if len(old) == len(new):
            for index, (before, after) in enumerate(zip(old, new, strict=True)):
                self.schema(f"{location}[{index}]", before, after, directions)
            return
        old_keys, new_keys = [_canonical(v) for v in old], [_canonical(v) for v in new]
        for value, key in zip(old, old_keys, strict=True):
            if key not in new_keys:
                self.add(location, f"variant removed: {_show(value)}", breaking=True)
        for value, key in zip(new, new_keys, strict=True):
            if key not in old_keys:
                self.add(location, f"variant added: {_show(value)}", breaking=RESPONSE in directions)


# -- helpers ---------------------------------------------------------------------------------------
def _operations(paths: dict[str, Any]) -> dict[tuple[str, str], dict[str, Any]]:
    operations: dict[tuple[str, str], dict[str, Any]] = {}
    for path, item in paths.items():
        shared = item.get("parameters") or []
        for method in HTTP_METHODS:
            if method in item:
                operation = dict(item[method])
                own = {(p.get("in"), p.get("name")) for p in operation.get("parameters") or []}
                inherited = [p for p in shared if (p.get("in"), p.get("name")) not in own]
                operation["parameters"] = [*inherited, *(operation.get("parameters") or [])]
                operations[(method, path)] = operation
    return operations


def _usage(document: Document) -> dict[str, set[str]]:
    """For each component schema: is it sent (request), received (response), or both."""
    schemas = (document.get("components") or {}).get("schemas") or {}
    usage: dict[str, set[str]] = {}
    for operation in _operations(document.get("paths") or {}).values():
        roots = {
            REQUEST: [operation.get("parameters"), operation.get("requestBody")],
            RESPONSE: [operation.get("responses")],
        }
        for direction, nodes in roots.items():
            pending = [ref for node in nodes for ref in contract.refs(node)]
            seen: set[str] = set()
            while pending:
                name = pending.pop().rsplit("/", 1)[-1]
                if name in seen:
                    continue
                seen.add(name)
                usage.setdefault(name, set()).add(direction)
                pending.extend(contract.refs(schemas.get(name)))
    return usage


def _merge_usage(*usages: dict[str, set[str]]) -> dict[str, set[str]]:
    merged: dict[str, set[str]] = {}
    for usage in usages:
        for name, directions in usage.items():
            merged.setdefault(name, set()).update(directions)
    return merged


def _unwrap_nullable(schema: dict[str, Any]) -> tuple[dict[str, Any], bool]:
    """``anyOf: [X, {type: 'null'}]`` (and the other spellings of nullability) as ``(X, True)``."""
    schema = dict(schema)
    nullable = bool(schema.pop("nullable", False))
    types = schema.get("type")
    if isinstance(types, list) and "null" in types:
        nullable = True
        rest = [t for t in types if t != "null"]
        schema["type"] = rest[0] if len(rest) == 1 else rest
    for keyword in ("anyOf", "oneOf"):
        variants = schema.get(keyword)
        if isinstance(variants, list) and {"type": "null"} in variants:
            nullable = True
            rest = [v for v in variants if v != {"type": "null"}]
            del schema[keyword]
            if len(rest) == 1 and isinstance(rest[0], dict):
                schema = {**schema, **rest[0]}
            else:
                schema[keyword] = rest
    return schema, nullable


def _keys(old: dict[Any, Any], new: dict[Any, Any]) -> list[Any]:
    """Keys of both mappings: the old order first, then what is new, in the new order."""
    return [*old, *(key for key in new if key not in old)]


def _canonical(value: Any) -> str:
    return json.dumps(value, sort_keys=True)


def _show(value: Any) -> str:
    if value is None:
        return "(none)"
    return json.dumps(value, sort_keys=True) if not isinstance(value, str) else repr(value)


def _ref_name(schema: dict[str, Any]) -> str:
    ref = schema.get("$ref")
    return ref.rsplit("/", 1)[-1] if isinstance(ref, str) else "(inline schema)"


def _urls(document: Document) -> str:
    return ", ".join(str(server.get("url")) for server in document.get("servers") or []) or "(none)"


def _option(option: dict[str, Any]) -> str:
    return f"{option.get('count')}x {option.get('gpu')}"


def _singular(kind: str) -> str:
    return {"schemas": "schema", "securitySchemes": "security scheme"}.get(kind, kind.rstrip("s"))


# -- command line ----------------------------------------------------------------------------------
def upstream_contract(source: str) -> tuple[Document, str]:
    """The contract an upstream would give (without pin), and the sha256 of the upstream bytes."""
    raw = read(source)
    return build_surface(contract.loads(raw, source=source)), hashlib.sha256(raw).hexdigest()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Compare the upstream's contract with the pinned openapi.yaml.")
    parser.add_argument("--upstream", default=contract.DEFAULT_UPSTREAM_URL, help="URL or file path")
    parser.add_argument("--contract", type=Path, default=ROOT / "openapi.yaml", help="the pinned contract")
    parser.add_argument("--json", action="store_true", help="print a JSON list of {location, change, breaking}")
    args = parser.parse_args(argv)
    try:
        pinned = contract.load(args.contract)
    except (OSError, ContractFormatError) as exc:
        print(f"drift: cannot read the pinned contract {args.contract}: {exc}", file=sys.stderr)
        return 2
    try:
        fresh, upstream_sha = upstream_contract(args.upstream)
    except (UpstreamUnreadableError, ContractFormatError, ExtractionError) as exc:
        print(f"drift: cannot use upstream {args.upstream}: {exc}", file=sys.stderr)
        return 2
    changes = compare(contract.surface(pinned), fresh)
    if args.json:
        print(json.dumps([asdict(change) for change in changes], indent=2))
    elif changes:
        print(*(change.line() for change in changes), sep="\n")
        breaking = sum(change.breaking for change in changes)
        print(f"\n{len(changes)} contract change(s), {breaking} breaking.")
        print(f"To bring the SDK in step: nox -s regenerate -- --upstream {args.upstream}")
    else:
        same_bytes = upstream_sha == contract.pin(pinned).get("sha256")
        detail = "same upstream bytes" if same_bytes else "the upstream differs only outside the surface or in prose"
        print(f"no drift: the upstream's surface matches {args.contract.name} ({detail})")
    return 1 if changes else 0


if __name__ == "__main__":
    raise SystemExit(main())
