"""The desired-state file's JSON Schema: built from the contract's tables, and in step with the loader.

The builder is tested on synthetic tables (an engine option or a GPU added upstream appears with no
hand edit); the shipped schema agrees with the SDK's own checks on files drawn from the contract
(jsonschema, a development dependency, checks the schema; the SDK never uses it).
"""

from __future__ import annotations

import re
from typing import Any

import jsonschema
import pytest
from desired_strategies import BAD, base, desired_files, set_at
from hypothesis import given, settings

import friendli_dedicated as fd
from friendli_dedicated import _desired_schema, _validate
from friendli_dedicated_api import _contract
from friendli_dedicated_api._contract import EngineOption

SCHEMA = fd.Desired.json_schema()
VALIDATOR = jsonschema.Draft202012Validator(SCHEMA)


def option(name: str, kind: str, **fields: Any) -> EngineOption:
    values: dict[str, Any] = dict.fromkeys(EngineOption._fields)
    values.update({"name": name, "kind": kind, "nullable": True, "required": False, "enum": (), "title": name.title()})
    values.update(fields)
    return EngineOption(**values)


def test_a_new_engine_option_and_a_new_gpu_upstream_appear_in_the_schema() -> None:
    engine = [
        *_contract.ENGINE_OPTIONS,
        option("enable_prefix_caching", "boolean"),
        option("speculative_mode", "string", enum=("OFF", "DRAFT"), enum_name="SpeculativeMode"),
        option("draft_tokens", "integer", minimum=1, maximum=16, default=4),
    ]
    instances = [*_contract.INSTANCE_OPTIONS, ("z900id", "NVIDIA Z900 Ultra", 1), ("z900id2", "NVIDIA Z900 Ultra", 4)]
    schema = _desired_schema.build(engine, instances, _contract.BOUNDS)
    properties = schema["$defs"]["engine"]["properties"]
    assert properties["enable_prefix_caching"]["type"] == "boolean"
    assert properties["speculative_mode"]["enum"] == ["OFF", "DRAFT"]
    assert (properties["draft_tokens"]["minimum"], properties["draft_tokens"]["maximum"]) == (1, 16)
    assert "4" in properties["draft_tokens"]["description"]
    pattern = re.compile(schema["$defs"]["instance"]["pattern"])
    for spelling in ("4x Z900 Ultra", "z900", "1x nvidia z900-ultra", "z900id2"):
        assert pattern.search(spelling), spelling
    for refused in ("2x Z900 Ultra", "Z90", "3x H100"):
        assert not pattern.search(refused), refused
    assert "4x Z900 Ultra" in schema["$defs"]["instance"]["examples"]
    # And what the contract drops leaves: no option the table does not have.
    fewer = _desired_schema.build(engine[:1], instances, _contract.BOUNDS)
    assert list(fewer["$defs"]["engine"]["properties"]) == [engine[0].name]


def test_replica_bounds_come_from_the_contract() -> None:
    bounds = {
        ("AutoscalingPolicy", "maxReplica"): {"maximum": 40},
        ("EndpointSimplescaleConfig", "replicas"): {"minimum": 2},
    }
    policy, fixed = _desired_schema.build([], [], bounds)["$defs"]["autoscaling"]["oneOf"]
    assert policy["properties"]["max"]["maximum"] == 40
    assert fixed["properties"]["replicas"]["minimum"] == 2
    assert "minimum" not in policy["properties"]["min"]  # no bound in the contract: none invented


def test_the_project_id_rule_is_the_sdks() -> None:
    assert _validate._ID.pattern == _desired_schema.PROJECT_ID_PATTERN


@settings(max_examples=60, derandomize=True, deadline=None)
@given(desired_files())
def test_every_file_drawn_from_the_contract_passes_the_loader_and_the_schema(data: dict[str, Any]) -> None:
    fd.Desired.from_mapping(data)
    VALIDATOR.validate(data)


def test_every_refusal_the_schema_can_express_is_the_schemas_too() -> None:
    not_expressible = {"min=3,max=2", "comment NUL"}
    for where, value, field, _message in BAD:
        label = "min=3,max=2" if value == {"min": 3, "max": 2} else "comment NUL" if where.endswith("comment") else ""
        data = set_at(base(), where, value)
        with pytest.raises(fd.InvalidInputError):
            fd.Desired.from_mapping(data)
        if label in not_expressible:
            continue
        assert not VALIDATOR.is_valid(data), f"the schema takes {where}={value!r} ({field})"
