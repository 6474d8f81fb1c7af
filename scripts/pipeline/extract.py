"""Extract the SDK's contract from an upstream OpenAPI document.

The contract keeps exactly the operations tagged with the configured tag(s)
(``contract.DEFAULT_TAGS``), the further operations named by operationId
(``contract.DEFAULT_OPERATIONS``: the inference calls and the team's cost), and the component
schemas and security schemes they reach, with their structure (paths, methods, operationIds,
parameters, bodies, responses, types, formats, enums, required lists, defaults, bounds, titles) and
without upstream prose and presentation (descriptions, summaries, examples, vendor ``x-`` keys).

Normalisations, each because the generated client would otherwise be wrong for this API:

- ``format: binary`` on JSON values and parameters (upstream declares the pagination cursors so) is
  dropped: a cursor is an opaque string, not a file upload. Multipart and octet-stream bodies keep it.
- The instance-option table, which upstream has only as prose in the ``instanceOptionId``
  description, is lifted into ``x-instance-options`` at the root: ``[{id, gpu, count}, ...]``.
- Integral float bounds (``minimum: 0.0``) become integers.
- A component schema that is only another's alias (``DedicatedChatCompleteSuccess: {$ref: ChatResult}``,
  a title aside) is dropped and its references point at the schema it names: openapi-python-client
  would otherwise generate the target's model twice, refuse the second, and leave the operation
  without a parsed response. References are compared by what they resolve to, so this is no drift.

The result is validated as OpenAPI 3.1 (``scripts/pipeline/openapi31.py``): an upstream whose extraction is
not valid raises ``InvalidContractError`` (a ``ContractFormatError``) naming the first problem.

Command line::

    python scripts/pipeline/extract.py --upstream URL_OR_PATH [--output openapi.yaml] [--date YYYY-MM-DD]
        [--tag TAG ...] [--operation OPERATION_ID ...]
"""

from __future__ import annotations

import argparse
import datetime as dt
import hashlib
import http
import re
import sys
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

if __package__ in (None, ""):  # run as `python scripts/<name>.py`: make `scripts` importable
    sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from scripts.pipeline import contract, openapi31
from scripts.pipeline.contract import Document
from scripts.pipeline.upstream import UpstreamUnreadableError, is_url, read

HTTP_METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")

# Keys whose (mapping) value is keyed by names, not by OpenAPI/JSON Schema keywords: a property
# called "description" is a field of the API, not prose.
NAME_MAPS = frozenset(
    {
        "paths",
        "schemas",
        "properties",
        "patternProperties",
        "$defs",
        "definitions",
        "dependentSchemas",
        "responses",
        "content",
        "headers",
        "encoding",
        "callbacks",
        "links",
        "securitySchemes",
        "requestBodies",
        "parameters",
        "variables",
        "mapping",
    }
)
PROSE_KEYS = frozenset({"description", "summary", "example", "examples", "externalDocs", "termsOfService"})
# Values that are data, not schema: never walked, never stripped.
DATA_KEYS = frozenset({"enum", "const", "default", "required"})
BOUND_KEYS = frozenset({"minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum", "multipleOf"})
BINARY_MEDIA_PREFIXES = ("multipart/", "application/octet-stream")

INSTANCE_OPTION_FIELD = "instanceOptionId"
_INSTANCE_OPTION_LINE = re.compile(
    r"^\s*[-*]\s*(?P<count>\d+)\s*[x\u00d7]\s*(?P<gpu>[^:`\n]+?)\s*:\s*`(?P<id>[A-Za-z0-9_-]+)`\s*$",
    re.MULTILINE,
)


class ExtractionError(ValueError):
    """Raised when the upstream document cannot be turned into a contract (the message says why)."""


def extract(
    upstream: bytes,
    *,
    url: str = contract.DEFAULT_UPSTREAM_URL,
    retrieved: str,
    tags: Iterable[str] = contract.DEFAULT_TAGS,
    operations: Iterable[str] = contract.DEFAULT_OPERATIONS,
) -> Document:
    """Build the pinned contract from the upstream document's bytes.

    >>> doc = extract(upstream_bytes, retrieved="2026-11-23")  # doctest: +SKIP
    >>> doc["x-upstream"]["sha256"]  # doctest: +SKIP
    '9c8861c3...'
    """
    document = contract.loads(upstream, source=url)
    result = build_surface(document, tags=tags, operations=operations)
    result[contract.UPSTREAM_KEY] = {
        "url": url,
        "sha256": hashlib.sha256(upstream).hexdigest(),
        "surface_sha256": contract.surface_sha256(result),
        "retrieved": retrieved,
    }
    return result


def build_surface(
    document: Document,
    *,
    tags: Iterable[str] = contract.DEFAULT_TAGS,
    operations: Iterable[str] = contract.DEFAULT_OPERATIONS,
) -> Document:
    """The contract without its pin: selection, prose stripping and normalisation.

    Kept: the operations tagged with one of ``tags`` and those whose operationId is in
    ``operations``. An operationId of ``operations`` that upstream no longer has is not an error
    here: the contract then lacks it, and the drift check reports the operation removed. No
    operation of ``tags`` is an error (this is not the document it should be), and so is nothing
    kept at all.
    """
    wanted, named = set(tags), set(operations)
    upstream_paths = document.get("paths") or {}
    if wanted and not _select_paths(upstream_paths, wanted, set()):
        raise ExtractionError(f"no operation is tagged {sorted(wanted)}: is this the Friendli OpenAPI document?")
    paths = _select_paths(upstream_paths, wanted, named)
    if not paths:
        raise ExtractionError(f"no operation has an operationId in {sorted(named)}: nothing to keep")
    components = _reachable_components(document, paths)
    instance_options = _instance_options(paths, components)

    result: Document = {"openapi": document["openapi"]}
    info = document.get("info") or {}
    result["info"] = {key: info[key] for key in ("title", "version") if key in info}
    if "servers" in document:
        result["servers"] = document["servers"]
    if "security" in document:
        result["security"] = document["security"]
    used = {
        tag for item in paths.values() for method in HTTP_METHODS for tag in (item.get(method) or {}).get("tags") or []
    }
    tag_objects = [tag for tag in document.get("tags") or [] if isinstance(tag, dict) and tag.get("name") in used]
    if tag_objects:
        result["tags"] = tag_objects
    result["paths"] = paths
    result["components"] = components
    result = _strip(result)
    _describe_responses(result)
    _describe_component_responses(result)
    _normalise_binary(result)
    _normalise_bounds(result)
    _collapse_aliases(result)
    result[contract.INSTANCE_OPTIONS_KEY] = instance_options
    openapi31.validate(result)
    return result


def _select_paths(paths: dict[str, Any], wanted: set[str], named: set[str]) -> dict[str, Any]:
    """The path items with only their operations tagged with one of ``wanted`` or named in ``named``."""
    selected: dict[str, Any] = {}
    for path, item in paths.items():
        if not isinstance(item, dict):
            continue
        operations = {
            method: operation
            for method, operation in item.items()
            if method in HTTP_METHODS
            and isinstance(operation, dict)
            and (wanted & set(operation.get("tags") or []) or operation.get("operationId") in named)
        }
        if operations:
            shared = {key: item[key] for key in ("parameters", "servers") if key in item}
            selected[path] = {**shared, **operations}
    return selected


def _reachable_components(document: Document, paths: dict[str, Any]) -> dict[str, Any]:
    """The transitive closure of ``#/components/...`` references, plus the security schemes used."""
    upstream_components = document.get("components") or {}
    reached: set[tuple[str, str]] = set()
    pending = list(contract.refs(paths))
    while pending:
        ref = pending.pop()
        parts = ref.split("/")
        if len(parts) != 4 or parts[:2] != ["#", "components"]:
            raise ExtractionError(f"unsupported reference {ref!r}: only '#/components/<kind>/<name>' is handled")
        kind, name = parts[2], parts[3]
        if (kind, name) in reached:
            continue
        target = (upstream_components.get(kind) or {}).get(name)
        if target is None:
            raise ExtractionError(f"reference {ref!r} points at nothing in the upstream document")
        reached.add((kind, name))
        pending.extend(contract.refs(target))

    schemes_used = {scheme for requirement in _security_requirements(document, paths) for scheme in requirement}
    reached |= {("securitySchemes", name) for name in schemes_used}

    components: dict[str, Any] = {}
    for kind, entries in upstream_components.items():
        kept = {name: value for name, value in (entries or {}).items() if (kind, name) in reached}
        if kept:
            components[kind] = kept
    missing = {name for kind, name in reached if kind == "securitySchemes"} - set(components.get("securitySchemes", {}))
    if missing:
        raise ExtractionError(f"security scheme(s) {sorted(missing)} are used but not defined upstream")
    return components


def _security_requirements(document: Document, paths: dict[str, Any]) -> Iterator[dict[str, Any]]:
    yield from document.get("security") or []
    for item in paths.values():
        for method in HTTP_METHODS:
            yield from (item.get(method) or {}).get("security") or []


def _instance_options(paths: dict[str, Any], components: dict[str, Any]) -> list[dict[str, Any]]:
    """Parse ``- 2x NVIDIA H100: `id``` lines from every ``instanceOptionId`` description in the surface."""
    options: dict[str, dict[str, Any]] = {}
    for text in _instance_option_descriptions({"paths": paths, "components": components}):
        for match in _INSTANCE_OPTION_LINE.finditer(text):
            option: dict[str, Any] = {
                "id": match["id"],
                "gpu": " ".join(match["gpu"].split()),
                "count": int(match["count"]),
            }
            known = options.setdefault(match["id"], option)
            if known != option:
                raise ExtractionError(f"instance option {option['id']!r} is described as both {known} and {option}")
    return list(options.values())


def _instance_option_descriptions(node: Any) -> Iterator[str]:
    if isinstance(node, list):
        for value in node:
            yield from _instance_option_descriptions(value)
        return
    if not isinstance(node, dict):
        return
    field = (
        (node.get("properties") or {}).get(INSTANCE_OPTION_FIELD) if isinstance(node.get("properties"), dict) else None
    )
    if node.get("name") == INSTANCE_OPTION_FIELD and "in" in node:
        field = node
    if isinstance(field, dict):
        yield from contract.string_values(field, "description")
    for value in node.values():
        yield from _instance_option_descriptions(value)


def _is_presentation(key: str) -> bool:
    return key in PROSE_KEYS or key.startswith("x-")


def _strip(node: Any, *, name_map: bool = False) -> Any:
    """Drop prose and vendor keys everywhere, knowing which mappings are keyed by names."""
    if isinstance(node, list):
        return [_strip(value) for value in node]
    if not isinstance(node, dict):
        return node
    stripped: dict[str, Any] = {}
    for key, value in node.items():
        if name_map:
            stripped[key] = _strip(value)
        elif _is_presentation(key):
            continue
        elif key in DATA_KEYS:
            stripped[key] = value
        else:
            stripped[key] = _strip(value, name_map=key in NAME_MAPS and isinstance(value, dict))
    return stripped


def _describe_responses(document: Document) -> None:
    """OpenAPI requires a response description: use the HTTP reason phrase, not upstream prose."""
    for path_item in document["paths"].values():
        for method in HTTP_METHODS:
            for code, response in ((path_item.get(method) or {}).get("responses") or {}).items():
                if isinstance(response, dict) and "$ref" not in response:
                    response["description"] = _reason_phrase(str(code))
                    response.update({key: response.pop(key) for key in list(response) if key != "description"})


def _describe_component_responses(document: Document) -> None:
    for name, response in (document["components"].get("responses") or {}).items():
        if isinstance(response, dict) and "$ref" not in response:
            response["description"] = f"{name} response"
            response.update({key: response.pop(key) for key in list(response) if key != "description"})


# Python 3.13 renamed four reason phrases to RFC 9110's ("Unprocessable Content", ...); the contract's
# bytes, and so its surface sha256, must not depend on the Python that extracts it, so these keep the
# names every contract so far was extracted with (Python 3.11 and 3.12's, RFC 7231's).
_REASON_PHRASES = {
    413: "Request Entity Too Large",
    414: "Request-URI Too Long",
    416: "Requested Range Not Satisfiable",
    422: "Unprocessable Entity",
}


def _reason_phrase(code: str) -> str:
    try:
        status = http.HTTPStatus(int(code))
    except ValueError:
        return "Default response" if code == "default" else f"Status {code}"
    return _REASON_PHRASES.get(status.value, status.phrase)


def _normalise_binary(document: Document) -> None:
    """Cursors and other JSON strings declared ``format: binary`` become plain strings."""
    exempt = _schemas_under_binary_media(document)
    for path_item in document["paths"].values():
        for key, value in path_item.items():
            if key == "parameters" or key in HTTP_METHODS:
                _drop_binary(value, skip_binary_media=True)
    for name, schema in document["components"].get("schemas", {}).items():
        if name not in exempt:
            _drop_binary(schema, skip_binary_media=True)
    for kind in ("parameters", "responses", "requestBodies", "headers"):
        _drop_binary(document["components"].get(kind, {}), skip_binary_media=True)


def _schemas_under_binary_media(document: Document) -> set[str]:
    """Names of component schemas reached from multipart or octet-stream content (binary is real there)."""
    roots: list[Any] = []

    def visit(node: Any) -> None:
        if isinstance(node, dict):
            for key, value in node.items():
                if key == "content" and isinstance(value, dict):
                    roots.extend(
                        media for media_type, media in value.items() if media_type.startswith(BINARY_MEDIA_PREFIXES)
                    )
                visit(value)
        elif isinstance(node, list):
            for value in node:
                visit(value)

    visit(document["paths"])
    visit({kind: value for kind, value in document["components"].items() if kind != "schemas"})
    schemas = document["components"].get("schemas", {})
    names: set[str] = set()
    pending = [ref for root in roots for ref in contract.refs(root)]
    while pending:
        name = pending.pop().rsplit("/", 1)[-1]
        if name in schemas and name not in names:
            names.add(name)
            pending.extend(contract.refs(schemas[name]))
    return names


def _drop_binary(node: Any, *, skip_binary_media: bool) -> None:
    if isinstance(node, list):
        for value in node:
            _drop_binary(value, skip_binary_media=skip_binary_media)
        return
    if not isinstance(node, dict):
        return
    types = node.get("type")
    is_string = types == "string" or (isinstance(types, list) and "string" in types)
    if is_string and node.get("format") == "binary":
        del node["format"]
    for key, value in node.items():
        if key == "content" and isinstance(value, dict):
            for media_type, media in value.items():
                if not (skip_binary_media and media_type.startswith(BINARY_MEDIA_PREFIXES)):
                    _drop_binary(media, skip_binary_media=skip_binary_media)
        elif key not in DATA_KEYS:
            _drop_binary(value, skip_binary_media=skip_binary_media)


def _normalise_bounds(node: Any) -> None:
    if isinstance(node, list):
        for value in node:
            _normalise_bounds(value)
    elif isinstance(node, dict):
        for key, value in node.items():
            if key in BOUND_KEYS and isinstance(value, float) and value.is_integer():
                node[key] = int(value)
            elif key not in DATA_KEYS:
                _normalise_bounds(value)


_SCHEMA_REF = "#/components/schemas/"
_ALIAS_KEYS = frozenset({"$ref", "title"})


def _collapse_aliases(document: Document) -> None:
    """Component schemas that only alias another are dropped; their references name the target."""
    schemas = document["components"].get("schemas", {})
    aliases = {
        name: schema["$ref"][len(_SCHEMA_REF) :]
        for name, schema in schemas.items()
        if isinstance(schema, dict)
        and set(schema) <= _ALIAS_KEYS
        and isinstance(schema.get("$ref"), str)
        and schema["$ref"].startswith(_SCHEMA_REF)
    }
    if not aliases:
        return
    targets: dict[str, str] = {}
    for name in aliases:
        seen, target = [name], aliases[name]
        while target in aliases:
            if target in seen:
                raise ExtractionError(f"component schemas {' -> '.join([*seen, target])} alias each other in a loop")
            seen.append(target)
            target = aliases[target]
        targets[name] = target
    for name in aliases:
        del schemas[name]
    _retarget(document, {f"{_SCHEMA_REF}{name}": f"{_SCHEMA_REF}{target}" for name, target in targets.items()})


def _retarget(node: Any, moved: dict[str, str]) -> None:
    if isinstance(node, list):
        for value in node:
            _retarget(value, moved)
    elif isinstance(node, dict):
        for key, value in node.items():
            if key == "$ref" and isinstance(value, str) and value in moved:
                node[key] = moved[value]
            elif key not in DATA_KEYS:
                _retarget(value, moved)


def pin_url(source: str, url: str | None = None) -> str:
    """The URL a pin records: the upstream's own URL, or for a file (a copy) the URL given or the default."""
    if url is not None:
        return url
    return source if is_url(source) else contract.DEFAULT_UPSTREAM_URL


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Extract the SDK contract from an upstream OpenAPI document.")
    parser.add_argument("--upstream", default=contract.DEFAULT_UPSTREAM_URL, help="URL or file path")
    parser.add_argument("--output", type=Path, default=Path("openapi.yaml"))
    parser.add_argument("--url", help="the URL to record in the pin when --upstream is a file")
    parser.add_argument("--date", default=dt.datetime.now(dt.UTC).date().isoformat(), help="retrieval date")
    parser.add_argument("--tag", action="append", dest="tags", help="operation tag to keep (repeatable)")
    parser.add_argument(
        "--operation", action="append", dest="operations", help="operationId to keep, of any tag (repeatable)"
    )
    args = parser.parse_args(argv)
    # Either option says the whole selection: what it does not name is not kept.
    chosen = args.tags is not None or args.operations is not None
    try:
        raw = read(args.upstream)
        document = extract(
            raw,
            url=pin_url(args.upstream, args.url),
            retrieved=args.date,
            tags=(args.tags or ()) if chosen else contract.DEFAULT_TAGS,
            operations=(args.operations or ()) if chosen else contract.DEFAULT_OPERATIONS,
        )
    except (UpstreamUnreadableError, contract.ContractFormatError, ExtractionError) as exc:
        print(f"extract: {exc}", file=sys.stderr)
        return 2
    contract.dump(document, args.output)
    options = document[contract.INSTANCE_OPTIONS_KEY]
    print(f"wrote {args.output} ({len(document['paths'])} paths, {len(options)} instance options)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
