"""Reading, writing and hashing the contract document (``openapi.yaml``).

The contract is serialised deterministically: the same document gives the same bytes, whatever the
machine. Its ``surface_sha256`` is a hash of the canonical JSON form (sorted keys), so that a change
of key order alone is not a change of the contract.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import yaml

DEFAULT_UPSTREAM_URL = "https://raw.githubusercontent.com/friendliai/friendli-openapi/main/openapi.yaml"
DEFAULT_TAGS = ("Dedicated.Endpoint",)
# Operations of other tags that the SDK sends too, by operationId: the inference surface of an
# endpoint (one chat completion checks that it serves; tokenization; the OpenAI-compatible
# completions) and the team's cost. Only the real paths: upstream documents the streamed variant
# of a call a second time, under ``<path>#stream``, which is the same request on the wire.
DEFAULT_OPERATIONS = (
    "dedicatedChatComplete",
    "dedicatedCompletionsComplete",
    "dedicatedTokenization",
    "dedicatedDetokenization",
    "getCost",
)
UPSTREAM_KEY = "x-upstream"
INSTANCE_OPTIONS_KEY = "x-instance-options"

HEADER = (
    "# The API contract of friendli-dedicated, produced by scripts/pipeline/extract.py from the upstream\n"
    "# document pinned in x-upstream. Do not edit by hand: run `nox -s regenerate`.\n"
)

Document = dict[str, Any]


class _Loader(getattr(yaml, "CSafeLoader", yaml.SafeLoader)):  # type: ignore[misc]
    """YAML 1.1 safe loader that keeps timestamps as the strings they are in JSON Schema."""


# OpenAPI is JSON-shaped: a date-time default or enum value must stay a string, not become datetime.
_Loader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


class ContractFormatError(ValueError):
    """Raised when a document is not an OpenAPI document this tooling can read."""


def loads(text: str | bytes, *, source: str = "<document>") -> Document:
    """Parse a YAML or JSON OpenAPI document.

    >>> loads("openapi: 3.1.0\\npaths: {}")["openapi"]
    '3.1.0'
    """
    try:
        document = yaml.load(text, Loader=_Loader)  # noqa: S506 - _Loader is a SafeLoader
    except yaml.YAMLError as exc:
        raise ContractFormatError(f"{source} is not valid YAML or JSON: {_first_line(exc)}") from exc
    if not isinstance(document, dict) or "openapi" not in document or "paths" not in document:
        raise ContractFormatError(f"{source} is not an OpenAPI document (no 'openapi' and 'paths' keys)")
    return document


def load(path: Path) -> Document:
    return loads(path.read_bytes(), source=str(path))


def dumps(document: Document) -> str:
    """Serialise a contract: fixed header, keys in the document's own order, no line folding."""
    body = yaml.safe_dump(document, sort_keys=False, allow_unicode=True, width=2**16, default_flow_style=False)
    return HEADER + body


def dump(document: Document, path: Path) -> None:
    path.write_text(dumps(document), encoding="utf-8")


def surface(document: Document) -> Document:
    """The contract without its pin: what the SDK is generated from."""
    return {key: value for key, value in document.items() if key != UPSTREAM_KEY}


def surface_sha256(document: Document) -> str:
    """A hash of the contract's meaning: canonical JSON (sorted keys) of everything but the pin."""
    canonical = json.dumps(surface(document), sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def pin(document: Document) -> dict[str, str]:
    """The ``x-upstream`` pin of a contract (empty when the document carries none)."""
    value = document.get(UPSTREAM_KEY)
    return dict(value) if isinstance(value, dict) else {}


def refs(node: Any) -> Iterator[str]:
    """Every ``$ref`` string in a document fragment, depth first.

    >>> list(refs({"a": {"$ref": "#/components/schemas/X"}, "b": [{"$ref": "#/components/schemas/Y"}]}))
    ['#/components/schemas/X', '#/components/schemas/Y']
    """
    return string_values(node, "$ref")


def string_values(node: Any, keyword: str) -> Iterator[str]:
    """Every string value of ``keyword`` in a document fragment, depth first.

    A ``keyword`` whose value is not a string (a property named ``description``, say) is looked into.

    >>> list(string_values({"description": "a", "properties": {"description": {"description": "b"}}}, "description"))
    ['a', 'b']
    """
    if isinstance(node, dict):
        for key, value in node.items():
            if key == keyword and isinstance(value, str):
                yield value
            else:
                yield from string_values(value, keyword)
    elif isinstance(node, list):
        for value in node:
            yield from string_values(value, keyword)


def pointer_parts(ref: str) -> list[str]:
    """The decoded segments of a local reference (``~1`` is ``/``, ``~0`` is ``~``).

    >>> pointer_parts("#/components/schemas/A~1B")
    ['components', 'schemas', 'A/B']
    """
    if not ref.startswith("#/"):
        raise ContractFormatError(f"unsupported $ref {ref!r}: only local references ('#/...') are handled")
    return [part.replace("~1", "/").replace("~0", "~") for part in ref[2:].split("/")]


def resolve(document: Document, ref: str) -> Any:
    """What a local ``$ref`` points at in ``document``.

    >>> resolve({"components": {"schemas": {"X": {"type": "string"}}}}, "#/components/schemas/X")
    {'type': 'string'}
    """
    node: Any = document
    for part in pointer_parts(ref):
        if isinstance(node, dict) and part in node:
            node = node[part]
        elif isinstance(node, list) and part.isdigit() and int(part) < len(node):
            node = node[int(part)]
        else:
            raise ContractFormatError(f"$ref {ref!r} points at nothing")
    return node


def _first_line(exc: BaseException) -> str:
    return " ".join(str(exc).split())[:300]
