"""The JSON Schema of the desired-state file, built from the contract's tables: nothing in it is typed by hand.

``build(engine_options, instance_options, bounds)`` turns the generated tables of
``friendli_dedicated_api._contract`` (``ENGINE_OPTIONS``, ``INSTANCE_OPTIONS``, ``BOUNDS``) into the
schema: each engine option with its JSON type, bounds and enum; the instance spellings of the GPUs and
counts the contract lists; the replica bounds. So an engine option or a GPU added upstream appears in
the schema with the next regeneration, with no edit here. The package ships the result as
``desired.schema.json`` (written by ``scripts/pipeline/desired_schema.py``, which ``regenerate`` runs,
and checked fresh by the tests), so that editors validate the file as it is typed.

The schema is for editors; the loader (``_desired``) is the authority: it applies the SDK's own checks
(those of ``create``), which the schema mirrors. This module imports nothing but the standard library,
so the pipeline can load it from its path with the tables of a contract it has just generated.

>>> schema = build([], [("id1", "NVIDIA H100", 1)], {})
>>> schema["$defs"]["instance"]["examples"]
['1x H100', 'id1']
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

__all__ = ["FILE_NAME", "PROJECT_ID_PATTERN", "SCHEMA_DIALECT", "build", "current", "render"]

FILE_NAME = "desired.schema.json"
"""The schema's file in the package (``friendli_dedicated/desired.schema.json``)."""
SCHEMA_DIALECT = "https://json-schema.org/draft/2020-12/schema"
PROJECT_ID_PATTERN = r"[A-Za-z0-9][A-Za-z0-9._~-]{0,199}"
"""A project id, as ``_validate.identifier`` takes it (the tests hold the two equal)."""
FORMAT_VERSION = 1
"""The desired-state file's format version (its optional ``version`` key)."""

# JSON Schema types of the contract's engine option kinds.
_TYPES = {"integer": "integer", "number": "number", "boolean": "boolean", "string": "string"}
_BOUND_KEYWORDS = (
    ("minimum", "minimum"),
    ("maximum", "maximum"),
    ("exclusive_minimum", "exclusiveMinimum"),
    ("exclusive_maximum", "exclusiveMaximum"),
    ("min_length", "minLength"),
    ("max_length", "maxLength"),
)


def _insensitive(word: str) -> str:
    """``word`` as a regex that ignores case (JSON Schema patterns take no flags)."""
    return "".join(f"[{c.lower()}{c.upper()}]" if c.isalpha() else re.escape(c) for c in word)


def _gpu_pattern(gpu: str, counts: Sequence[int]) -> str:
    """The spellings ``InstanceOption.parse`` reads for one GPU: ``[N x] [NVIDIA] <name>``, where the
    name may stop after any whole word and a bare name means one GPU (when the contract lists one)."""
    words = re.split(r"[\s_\-]+", gpu.removeprefix("NVIDIA ").strip())
    tail = ""
    for word in reversed(words[1:]):
        tail = f"(?:[\\s_-]*{_insensitive(word)}{tail})?"
    name = _insensitive(words[0]) + tail
    counted = "|".join(str(count) for count in sorted(set(counts)))
    count = f"(?:(?:{counted})\\s*[xX\u00d7]\\s*)" + ("?" if 1 in counts else "")
    return f"{count}(?:{_insensitive('nvidia')}[\\s_-]*)?{name}"


def _instance(instance_options: Iterable[Sequence[Any]]) -> dict[str, Any]:
    by_gpu: dict[str, list[int]] = {}
    ids: list[str] = []
    spellings: list[str] = []
    for option_id, gpu, count in instance_options:
        by_gpu.setdefault(str(gpu), []).append(int(count))
        ids.append(str(option_id))
        spellings.append(f"{int(count)}x {str(gpu).removeprefix('NVIDIA ')}")
    alternatives = [_gpu_pattern(gpu, counts) for gpu, counts in by_gpu.items()]
    alternatives += [re.escape(option_id) for option_id in ids]
    return {
        "type": "string",
        "description": (
            "The instance option: a GPU count and kind as InstanceOption.parse reads them ('2x H100', "
            "'1x A100 80GB', 'H200' for one GPU), or a contract instance option id."
        ),
        "pattern": f"^\\s*(?:{'|'.join(alternatives)})\\s*$" if alternatives else "^$",
        "examples": spellings + ids,
    }


def _bound(bounds: Mapping[tuple[str, str], Mapping[str, float]], schema: str, prop: str, keyword: str) -> Any:
    value = bounds.get((schema, prop), {}).get(keyword)
    return None if value is None else int(value) if float(value).is_integer() else value


def _replicas(minimum: Any, maximum: Any, description: str) -> dict[str, Any]:
    schema: dict[str, Any] = {"type": "integer", "description": description}
    if minimum is not None:
        schema["minimum"] = minimum
    if maximum is not None:
        schema["maximum"] = maximum
    return schema


def _autoscaling(bounds: Mapping[tuple[str, str], Mapping[str, float]]) -> dict[str, Any]:
    least_min = _bound(bounds, "AutoscalingPolicy", "minReplica", "minimum")
    most_max = _bound(bounds, "AutoscalingPolicy", "maxReplica", "maximum")
    least_fixed = _bound(bounds, "EndpointSimplescaleConfig", "replicas", "minimum")
    # A maximum of at least one replica, and a cooldown of whole seconds >= 0: the SDK's own rules.
    policy = {
        "type": "object",
        "additionalProperties": False,
        "properties": {
            "min": _replicas(least_min, most_max, "The fewest replicas (0: scale to zero when idle)."),
            "max": _replicas(1, most_max, "The most replicas."),
            "cooldown": {"type": "integer", "minimum": 0, "description": "Seconds before scaling down."},
        },
    }
    fixed = {
        "type": "object",
        "additionalProperties": False,
        "required": ["replicas"],
        "properties": {"replicas": _replicas(least_fixed, None, "Exactly this many replicas, no autoscaling.")},
    }
    return {
        "description": "How the endpoint scales: min/max/cooldown (each optional), or a fixed number of replicas.",
        "oneOf": [policy, fixed],
    }


def _engine_option(option: Any) -> dict[str, Any]:
    schema: dict[str, Any] = {"type": _TYPES.get(option.kind, "string")}
    if option.enum:
        schema["enum"] = list(option.enum)
    for attribute, keyword in _BOUND_KEYWORDS:
        value = getattr(option, attribute)
        if value is not None:
            schema[keyword] = value
    description = option.title or option.name
    if option.default is not None:
        description += f" (the API's default: {json.dumps(option.default)})"
    schema["description"] = description
    return schema


def _engine(engine_options: Iterable[Any]) -> dict[str, Any]:
    return {
        "type": "object",
        "description": "Engine options, as create and update take them (null is refused: remove the key instead).",
        "additionalProperties": False,
        "properties": {option.name: _engine_option(option) for option in engine_options},
    }


def _endpoint() -> dict[str, Any]:
    return {
        "type": "object",
        "additionalProperties": False,
        "required": ["model", "instance"],
        "properties": {
            "model": {
                "type": ["string", "null"],
                "minLength": 1,
                "description": (
                    "The Hugging Face model repository. null: unknown (the API cannot say which model runs; "
                    "the model is then not managed, and the endpoint cannot be created)."
                ),
            },
            "revision": {"type": "string", "minLength": 1, "description": "The model repository's revision."},
            "instance": {"$ref": "#/$defs/instance"},
            "autoscaling": {"$ref": "#/$defs/autoscaling"},
            "engine": {"$ref": "#/$defs/engine"},
            "comment": {"type": "string", "description": "The comment of the version a change makes (not compared)."},
            "delete_protection": {
                "type": "boolean",
                "description": "Never terminated by prune, even once out of the file (the state record keeps it).",
            },
        },
    }


def build(
    engine_options: Iterable[Any],
    instance_options: Iterable[Sequence[Any]],
    bounds: Mapping[tuple[str, str], Mapping[str, float]],
) -> dict[str, Any]:
    """The desired-state file's JSON Schema (draft 2020-12) from the contract's tables."""
    return {
        "$schema": SCHEMA_DIALECT,
        "$comment": "Generated from the API contract by friendli_dedicated._desired_schema: do not edit.",
        "title": "friendli-dedicated desired state",
        "description": "Endpoints as code: the endpoints each project should have (friendli-dedicated plan/apply).",
        "type": "object",
        "additionalProperties": False,
        "required": ["projects"],
        "properties": {
            "version": {"const": FORMAT_VERSION, "description": "The file's format version."},
            "projects": {
                "type": "object",
                "description": "Project id -> its endpoints.",
                "propertyNames": {"pattern": f"^{PROJECT_ID_PATTERN}$"},
                "additionalProperties": {
                    "type": "object",
                    "additionalProperties": False,
                    "required": ["endpoints"],
                    "properties": {
                        "endpoints": {
                            "type": "object",
                            "description": "Endpoint name -> what it should be.",
                            "propertyNames": {"minLength": 1, "pattern": "\\S"},
                            "additionalProperties": {"$ref": "#/$defs/endpoint"},
                        }
                    },
                },
            },
        },
        "$defs": {
            "endpoint": _endpoint(),
            "instance": _instance(instance_options),
            "autoscaling": _autoscaling(bounds),
            "engine": _engine(engine_options),
        },
    }


def render(schema: Mapping[str, Any]) -> str:
    """The schema as the shipped file's text (stable: the same schema gives the same bytes)."""
    return json.dumps(schema, indent=2, ensure_ascii=False) + "\n"


def current() -> dict[str, Any]:
    """The schema of the pinned contract (the generated tables this build imports)."""
    from friendli_dedicated_api import _contract

    return build(_contract.ENGINE_OPTIONS, _contract.INSTANCE_OPTIONS, _contract.BOUNDS)
