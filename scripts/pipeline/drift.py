"""Wire-level comparison of two contracts: what changed for users of the SDK, and is it breaking.

``compare(pinned, upstream_contract)`` walks the operations of both contracts (matched by method and
path template) and compares everything that changes what goes over the wire: operationIds and
security; parameters (``in``, ``required``, ``style``, ``explode``, ``allowReserved``,
``allowEmptyValue``, ``content``, ``schema``, and ``deprecated``); request bodies (``required``,
media types, schemas, encodings); responses (status codes, media types, schemas, headers); and the
instance options. Schemas are compared keyword by keyword by ``scripts/pipeline/schema_diff.py``, through
references (an inlined, extracted or renamed component is not a change).

Each change has a location (``POST /dedicated/beta/endpoint parameters.query.limit``,
``components.schemas.EndpointAdvancedConfig.properties.max_context_length``) and an effect on the
values the contract allows; a schema reached from parameters or request bodies is *input*, from
responses *output*, from both both. ``schema_diff.is_breaking`` classifies: narrowing an input or
widening an output breaks; removing something SDK code names (an operation, a parameter, a property,
an enum value, a media type, a status code, a header, an instance option) breaks in any direction;
new enum values are additive in any direction only because the SDK's enums are open.

Prose is not in the contract, so a change of prose is never drift; neither is ``info`` (upstream's
document version moves with every part of the Suite API).

Command line (exit 0: no drift, 1: drift, 2: the upstream or the contract cannot be read or is not
valid OpenAPI 3.1)::

    python scripts/pipeline/drift.py --upstream URL_OR_PATH [--contract openapi.yaml] [--json]
"""

from __future__ import annotations

import argparse
import hashlib
import json
import re
import sys
from collections.abc import Callable, Iterator, Mapping
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

if __package__ in (None, ""):  # run as `python scripts/<name>.py`: make `scripts` importable
    sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from scripts.pipeline import contract
from scripts.pipeline.contract import ContractFormatError, Document
from scripts.pipeline.extract import HTTP_METHODS, ExtractionError, build_surface
from scripts.pipeline.schema_diff import (
    INPUT,
    OUTPUT,
    Effect,
    Finding,
    SchemaDiff,
    both_keys,
    canonical,
    is_breaking,
    renames,
    shown,
)
from scripts.pipeline.upstream import UpstreamUnreadableError, read

ROOT = Path(__file__).resolve().parents[2]

# A parameter's (or header's) flags: keyword -> (text when it becomes true, when it becomes false,
# effect of becoming true). Becoming false has the opposite effect.
FLAGS: dict[str, tuple[str, str, Effect]] = {
    "required": ("became required", "no longer required", Effect.NARROWS),
    "allowEmptyValue": ("now allows an empty value", "no longer allows an empty value", Effect.WIDENS),
    "deprecated": ("became deprecated", "no longer deprecated", Effect.NEUTRAL),
}
_OPPOSITE = {Effect.NARROWS: Effect.WIDENS, Effect.WIDENS: Effect.NARROWS, Effect.NEUTRAL: Effect.NEUTRAL}
# How a parameter is written into the request when its object does not say (OpenAPI 3.1, 4.8.12.4).
DEFAULT_STYLE = {"query": "form", "cookie": "form", "path": "simple", "header": "simple"}
_TEMPLATE_VARIABLE = re.compile(r"\{[^}/]*\}")


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
    """Every difference that matters on the wire between contract ``old`` and contract ``new``.

    Raises ``ContractFormatError`` when a ``$ref`` or a security scheme of either points at nothing.

    >>> compare(pinned, pinned)  # doctest: +SKIP
    []
    """
    # A first walk finds which components were renamed: the second reports their changes at them.
    first = _Walk(old, new)
    first.walk()
    walk = _Walk(old, new, renames(first.schemas.reference_pairs))
    walk.walk()
    return walk.changes()


class _Walk:
    def __init__(self, old: Document, new: Document, renamed: dict[str, str] | None = None) -> None:
        self.old, self.new = old, new
        self.schemas = SchemaDiff(old, new, renamed)
        self.findings = self.schemas.findings  # one list: operation findings and schema findings in order
        self.last: list[Finding] = []  # instance options, listed after everything else

    def walk(self) -> None:
        self.root()
        self.operations()
        self.instance_options()

    def add(self, location: str, text: str, effect: Effect, direction: str | None = None) -> None:
        self.findings.append(Finding(location, text, effect, direction))

    def members(
        self,
        noun: str,
        before: Mapping[Any, Any],
        after: Mapping[Any, Any],
        where: Callable[[Any, Any], str],
        added: Effect | Callable[[Any, Any], tuple[str, Effect]],
        direction: str | None = None,
    ) -> Iterator[tuple[str, Any, Any]]:
        """Findings for the members (operations, parameters, statuses...) only one side has; the rest to compare.

        ``where(key, member)`` is a member's location. Removing a member breaks (SDK code names it);
        adding one is ``<noun> added`` with effect ``added``, or ``added(key, member)`` gives its text
        and effect. Yields ``(location, old, new)`` for each member both sides have, in ``_keys`` order.
        """
        for key in both_keys(before, after):
            location = where(key, after[key] if key in after else before[key])
            if key not in after:
                self.add(location, f"{noun} removed", Effect.CHANGES, direction)
            elif key not in before:
                text, effect = added(key, after[key]) if callable(added) else (f"{noun} added", added)
                self.add(location, text, effect, direction)
            else:
                yield location, before[key], after[key]

    def changes(self) -> list[Change]:
        """Findings merged by (location, text): classified once, with every direction they were met in.

        Operations first, in the contracts' order; then component schemas, each grouped, in the
        upstream's order; then instance options.
        """
        merged: dict[tuple[str, str, Effect], set[str]] = {}
        for finding in [*self.findings, *self.last]:
            directions = merged.setdefault((finding.location, finding.text, finding.effect), set())
            if finding.direction is not None:
                directions.add(finding.direction)
        order = _component_order(self.old, self.new)
        keyed = [
            (_section(location, order), index, Change(location, text, is_breaking(effect, directions)))
            for index, ((location, text, effect), directions) in enumerate(merged.items())
        ]
        return [change for *_, change in sorted(keyed, key=lambda item: (item[0], item[1]))]

    # -- document level ------------------------------------------------------------------------
    def root(self) -> None:
        old, new = self.old, self.new
        if old.get("openapi") != new.get("openapi"):
            text = f"OpenAPI version changed from {old.get('openapi')} to {new.get('openapi')}"
            self.add("openapi", text, Effect.NEUTRAL)
        if old.get("servers") != new.get("servers"):
            self.add("servers", f"servers changed from {_urls(old)} to {_urls(new)}", Effect.NEUTRAL)

    def operations(self) -> None:
        old_ops, new_ops = _operations(self.old), _operations(self.new)
        for location, (_, old), (_, new) in self.members(
            "operation", old_ops, new_ops, lambda key, found: f"{key[0].upper()} {found[0]}", Effect.NEUTRAL
        ):
            self.operation(location, old, new)

    def operation(self, location: str, old: dict[str, Any], new: dict[str, Any]) -> None:
        if old.get("operationId") != new.get("operationId"):
            text = f"operationId changed from {old.get('operationId')} to {new.get('operationId')}"
            self.add(location, text, Effect.CHANGES)
        self.flag(location, "deprecated", old, new, None)
        self.security(location, old, new)
        self.parameters(location, old["parameters"], new["parameters"])
        self.request_body(location, old.get("requestBody"), new.get("requestBody"))
        self.responses(location, old.get("responses") or {}, new.get("responses") or {})

    def security(self, location: str, old: dict[str, Any], new: dict[str, Any]) -> None:
        """Requirements compared by the schemes they name (resolved), not by the schemes' names."""
        before, after = _security(self.old, old), _security(self.new, new)
        for key in both_keys(before, after):
            if key not in after:
                self.add(location, f"security requirement {before[key]} removed", Effect.CHANGES)
            elif key not in before:
                self.add(location, f"security requirement {after[key]} added", Effect.NEUTRAL)

    # -- parameters ----------------------------------------------------------------------------
    def parameters(self, op: str, old: list[dict[str, Any]], new: list[dict[str, Any]]) -> None:
        before, after = {_parameter_key(p): p for p in old}, {_parameter_key(p): p for p in new}
        gone = {key[1]: key for key in before if key not in after}
        came = {key[1]: key for key in after if key not in before}
        moved = {came[name]: gone[name] for name in came.keys() & gone.keys()}  # same name, other `in`
        before = {key: parameter for key, parameter in before.items() if key not in moved.values()}

        def added(key: tuple[str, str], parameter: dict[str, Any]) -> tuple[str, Effect]:
            if key in moved:  # reported once, where it went to
                return f"moved from {moved[key][0]} to {key[0]}", Effect.CHANGES
            return _added_input("parameter", parameter)

        for location, old_parameter, new_parameter in self.members(
            "parameter",
            before,
            after,
            lambda _, p: f"{op} parameters.{p['in']}.{p['name']}",
            added,
            INPUT,
        ):
            self.parameter(location, old_parameter, new_parameter, _parameter_key(old_parameter)[0], INPUT)

    def parameter(self, location: str, old: dict[str, Any], new: dict[str, Any], place: str, direction: str) -> None:
        """A parameter, or (``place='header'``, output) a response header: flags, serialisation, schema."""
        for keyword in FLAGS:
            self.flag(location, keyword, old, new, direction)
        before, after = _serialisation(old, place), _serialisation(new, place)
        if ("content" in before) != ("content" in after):
            text = f"serialisation changed from {_show_serialisation(before)} to {_show_serialisation(after)}"
            self.add(location, text, Effect.CHANGES, direction)
            return
        for keyword in both_keys(before, after):
            if before.get(keyword) != after.get(keyword):
                text = f"{keyword} changed from {shown(before.get(keyword))} to {shown(after.get(keyword))}"
                self.add(location, text, Effect.CHANGES, direction)
        if "content" in before:
            if before["content"] == after["content"]:
                media = before["content"]
                old_schema, new_schema = old["content"][media] or {}, new["content"][media] or {}
                self.schemas.compare(location, old_schema.get("schema", {}), new_schema.get("schema", {}), direction)
        else:
            self.schemas.compare(location, old.get("schema", {}), new.get("schema", {}), direction)

    def flag(
        self, location: str, keyword: str, old: Mapping[str, Any], new: Mapping[str, Any], direction: str | None
    ) -> None:
        before, after = old.get(keyword) is True, new.get(keyword) is True
        if before != after:
            became_true, became_false, effect = FLAGS[keyword]
            if after:
                self.add(location, became_true, effect, direction)
            else:
                self.add(location, became_false, _OPPOSITE[effect], direction)

    # -- bodies --------------------------------------------------------------------------------
    def request_body(self, op: str, old: Any, new: Any) -> None:
        location = f"{op} requestBody"
        old, new = _deref(self.old, old), _deref(self.new, new)
        if old is None and new is None:
            return
        if new is None:
            self.add(location, "request body removed", Effect.CHANGES, INPUT)
        elif old is None:
            self.add(location, *_added_input("request body", new), INPUT)
        else:
            self.flag(location, "required", old, new, INPUT)
            self.content(location, old.get("content") or {}, new.get("content") or {}, INPUT)

    def responses(self, op: str, old: dict[Any, Any], new: dict[Any, Any]) -> None:
        old = {str(code): response for code, response in old.items()}
        new = {str(code): response for code, response in new.items()}
        # An added status is additive: the facade turns any status it does not know into a typed error.
        for location, old_response, new_response in self.members(
            "response status", old, new, lambda code, _: f"{op} responses.{code}", Effect.NEUTRAL, OUTPUT
        ):
            before, after = _deref(self.old, old_response) or {}, _deref(self.new, new_response) or {}
            self.content(location, before.get("content") or {}, after.get("content") or {}, OUTPUT)
            self.headers(location, before.get("headers") or {}, after.get("headers") or {})

    def content(self, location: str, old: dict[str, Any], new: dict[str, Any], direction: str) -> None:
        for place, old_media, new_media in self.members(
            "media type", old, new, lambda media, _: f"{location}.{media}", Effect.WIDENS, direction
        ):
            before, after = old_media or {}, new_media or {}
            self.schemas.compare(place, before.get("schema", {}), after.get("schema", {}), direction)
            if canonical(before.get("encoding")) != canonical(after.get("encoding")):
                self.add(place, "encoding changed", Effect.CHANGES, direction)

    def headers(self, location: str, old: dict[str, Any], new: dict[str, Any]) -> None:
        # Header names are case-insensitive; a response's Content-Type header is its media type.
        before = {name.lower(): (name, h) for name, h in old.items() if name.lower() != "content-type"}
        after = {name.lower(): (name, h) for name, h in new.items() if name.lower() != "content-type"}
        for place, (_, old_header), (_, new_header) in self.members(
            "header", before, after, lambda _, named: f"{location}.headers.{named[0]}", Effect.NEUTRAL, OUTPUT
        ):
            self.parameter(place, _deref(self.old, old_header), _deref(self.new, new_header), "header", OUTPUT)

    def instance_options(self) -> None:
        before = {o["id"]: o for o in self.old.get(contract.INSTANCE_OPTIONS_KEY) or []}
        after = {o["id"]: o for o in self.new.get(contract.INSTANCE_OPTIONS_KEY) or []}
        for option_id in both_keys(before, after):
            location = f"{contract.INSTANCE_OPTIONS_KEY}.{option_id}"
            if option_id not in after:
                text, effect = f"instance option removed ({_option(before[option_id])})", Effect.CHANGES
            elif option_id not in before:
                text, effect = f"instance option added ({_option(after[option_id])})", Effect.NEUTRAL
            elif before[option_id] != after[option_id]:
                old_text, new_text = _option(before[option_id]), _option(after[option_id])
                text, effect = f"instance option changed from {old_text} to {new_text}", Effect.CHANGES
            else:
                continue
            self.last.append(Finding(location, text, effect, None))


# -- helpers ---------------------------------------------------------------------------------------
def _operations(document: Document) -> dict[tuple[str, str], tuple[str, dict[str, Any]]]:
    """(method, path template without variable names) -> (path, operation with every parameter resolved)."""
    operations: dict[tuple[str, str], tuple[str, dict[str, Any]]] = {}
    for path, item in (document.get("paths") or {}).items():
        item = _deref(document, item) or {}
        shared = [_deref(document, p) for p in item.get("parameters") or []]
        for method in HTTP_METHODS:
            if method not in item:
                continue
            operation = dict(item[method])
            own = [_deref(document, p) for p in operation.get("parameters") or []]
            keys = {_parameter_key(p) for p in own}
            operation["parameters"] = [*(p for p in shared if _parameter_key(p) not in keys), *own]
            operations[(method, _TEMPLATE_VARIABLE.sub("{}", path))] = (path, operation)
    return operations


def _added_input(noun: str, member: dict[str, Any]) -> tuple[str, Effect]:
    """A parameter or request body that appears: a required one narrows what a request may be."""
    if member.get("required"):
        return f"required {noun} added", Effect.NARROWS
    return f"optional {noun} added", Effect.NEUTRAL


def _parameter_key(parameter: dict[str, Any]) -> tuple[str, str]:
    place, name = str(parameter.get("in")), str(parameter.get("name"))
    return place, name.lower() if place == "header" else name


def _serialisation(parameter: dict[str, Any], place: str) -> dict[str, Any]:
    """How the value is written into the request, defaults made explicit."""
    if "content" in parameter:
        return {"content": next(iter(parameter["content"] or {}), None)}
    style = parameter.get("style", DEFAULT_STYLE.get(place, "simple"))
    return {
        "style": style,
        "explode": parameter.get("explode", style == "form"),
        "allowReserved": parameter.get("allowReserved", False),
    }


def _show_serialisation(serialisation: dict[str, Any]) -> str:
    if "content" in serialisation:
        return f"content {shown(serialisation['content'])}"
    return f"style {shown(serialisation['style'])}"


def _security(document: Document, operation: dict[str, Any]) -> dict[str, str]:
    """The operation's requirements, each as (canonical form of the schemes it needs) -> names."""
    requirements = operation["security"] if "security" in operation else document.get("security") or []
    schemes = (document.get("components") or {}).get("securitySchemes") or {}
    result: dict[str, str] = {}
    for requirement in requirements or [{}]:
        needs = []
        for name, scopes in requirement.items():
            if name not in schemes:
                raise ContractFormatError(f"security scheme {name!r} is used but not defined")
            scheme = {k: v for k, v in (_deref(document, schemes[name]) or {}).items() if k != "description"}
            needs.append([scheme, sorted(scopes or [])])
        label = " + ".join(repr(name) for name in sorted(requirement)) or "(anonymous)"
        result[canonical(sorted(needs, key=canonical))] = label
    return result


def _deref(document: Document, node: Any) -> Any:
    """``node``, or what its ``$ref`` (chain) points at."""
    seen: set[str] = set()
    while isinstance(node, dict) and isinstance(node.get("$ref"), str):
        if node["$ref"] in seen:
            raise ContractFormatError(f"$ref {node['$ref']!r} refers to itself")
        seen.add(node["$ref"])
        node = contract.resolve(document, node["$ref"])
    return node


def _component_order(old: Document, new: Document) -> list[str]:
    """Component schema locations, the upstream's order first (longest first when names nest)."""
    names = both_keys(
        (old.get("components") or {}).get("schemas") or {}, (new.get("components") or {}).get("schemas") or {}
    )
    new_names = list((new.get("components") or {}).get("schemas") or {})
    ordered = new_names + [name for name in names if name not in new_names]
    return [f"components.schemas.{name}" for name in ordered]


def _section(location: str, component_order: list[str]) -> tuple[int, int]:
    """(0, 0) for operations and the document; (1, i) for the i-th component; (2, 0) for options."""
    if location.startswith(f"{contract.INSTANCE_OPTIONS_KEY}."):
        return (2, 0)
    matches = [
        (len(prefix), index)
        for index, prefix in enumerate(component_order)
        if location == prefix or location.startswith(f"{prefix}.")
    ]
    if matches:
        return (1, max(matches)[1])
    return (1, len(component_order)) if location.startswith("components.") else (0, 0)


def _urls(document: Document) -> str:
    return ", ".join(str(server.get("url")) for server in document.get("servers") or []) or "(none)"


def _option(option: dict[str, Any]) -> str:
    return f"{option.get('count')}x {option.get('gpu')}"


# -- command line ----------------------------------------------------------------------------------
def upstream_contract(source: str) -> tuple[Document, str]:
    """The contract an upstream would give (without pin, validated), and the sha256 of the upstream bytes."""
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
    try:
        changes = compare(contract.surface(pinned), fresh)
    except ContractFormatError as exc:
        print(f"drift: cannot compare with the pinned contract {args.contract}: {exc}", file=sys.stderr)
        return 2
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
