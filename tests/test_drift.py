"""scripts/drift.py compare(): every kind of contract change, its location, its text and whether it breaks.

Each case mutates a copy of the committed contract's surface and expects exactly the listed changes.
Directions come from the contract: EndpointAdvancedConfig, AutoscalingPolicy and
DedicatedEndpointCreateBody are only sent (request); DedicatedEndpointSpec, DedicatedEndpointStatus
and InferenceDeploymentStatus are only received (response).
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import Any

import pytest

from scripts import contract, drift
from scripts.drift import Change

Doc = dict[str, Any]
LIST = "/dedicated/beta/endpoint"
ONE = "/dedicated/beta/endpoint/{endpoint_id}"
NULL = {"type": "null"}


def schema(doc: Doc, name: str) -> Doc:
    return doc["components"]["schemas"][name]


def prop(doc: Doc, name: str, field: str) -> Doc:
    return schema(doc, name)["properties"][field]


def param(doc: Doc, method: str, path: str, name: str) -> Doc:
    (found,) = [p for p in doc["paths"][path][method]["parameters"] if p["name"] == name]
    return found


def add_param(doc: Doc, *, required: bool) -> None:
    doc["paths"][LIST]["get"]["parameters"].append(
        {"name": "status", "in": "query", "required": required, "schema": {"type": "string"}}
    )


def remove_param(doc: Doc) -> None:
    parameters = doc["paths"][LIST]["get"]["parameters"]
    parameters.remove(param(doc, "get", LIST, "project_id"))


def add_property(doc: Doc, name: str, *, required: bool) -> None:
    schema(doc, name)["properties"]["newField"] = {"type": "integer"}
    if required:
        schema(doc, name).setdefault("required", []).append("newField")


def make_nullable(doc: Doc, name: str, field: str) -> None:
    old = prop(doc, name, field)
    title = old.pop("title")
    schema(doc, name)["properties"][field] = {"anyOf": [old, NULL], "title": title}


def make_not_nullable(doc: Doc, name: str, field: str) -> None:
    old = prop(doc, name, field)
    (kept,) = [v for v in old["anyOf"] if v != NULL]
    schema(doc, name)["properties"][field] = {**kept, "title": old["title"]}


def set_required(doc: Doc, name: str, field: str, required: bool) -> None:
    names = schema(doc, name).setdefault("required", [])
    if required:
        names.append(field)
    else:
        names.remove(field)


def options(doc: Doc) -> list[Doc]:
    return doc[contract.INSTANCE_OPTIONS_KEY]


def _spec(name: str) -> str:
    return f"components.schemas.{name}"


def _field(name: str, field: str) -> str:
    return f"components.schemas.{name}.properties.{field}"


Case = tuple[Callable[[Doc], Any], list[tuple[str, str, bool]]]

CASES: dict[str, Case] = {
    "operation added": (
        lambda d: d["paths"].setdefault(
            f"{ONE}/scale",
            {"put": {"operationId": "dedicatedScaleEndpoint", "responses": {"200": {"description": "OK"}}}},
        ),
        [(f"PUT {ONE}/scale", "operation added", False)],
    ),
    "operation removed": (
        lambda d: d["paths"][ONE].pop("delete"),
        [(f"DELETE {ONE}", "operation removed", True)],
    ),
    "operationId changed": (
        lambda d: d["paths"][ONE]["get"].update(operationId="dedicatedGetEndpointV2"),
        [(f"GET {ONE}", "operationId changed from dedicatedGetEndpoint to dedicatedGetEndpointV2", True)],
    ),
    "optional parameter added": (
        lambda d: add_param(d, required=False),
        [(f"GET {LIST} parameters.query.status", "optional parameter added", False)],
    ),
    "required parameter added": (
        lambda d: add_param(d, required=True),
        [(f"GET {LIST} parameters.query.status", "required parameter added", True)],
    ),
    "parameter removed": (
        remove_param,
        [(f"GET {LIST} parameters.query.project_id", "parameter removed", True)],
    ),
    "parameter became required": (
        lambda d: param(d, "get", LIST, "project_id").update(required=True),
        [(f"GET {LIST} parameters.query.project_id", "became required", True)],
    ),
    "parameter no longer required": (
        lambda d: param(d, "get", ONE, "endpoint_id").update(required=False),
        [(f"GET {ONE} parameters.path.endpoint_id", "no longer required", False)],
    ),
    "parameter schema changed (type)": (
        lambda d: param(d, "get", ONE, "endpoint_id")["schema"].update(type="integer"),
        [(f"GET {ONE} parameters.path.endpoint_id", "type changed from 'string' to 'integer'", True)],
    ),
    "parameter schema changed (bound)": (
        lambda d: param(d, "get", LIST, "limit")["schema"]["anyOf"][0].update(maximum=50),
        [(f"GET {LIST} parameters.query.limit", "maximum narrowed from 100 to 50", True)],
    ),
    "request body schema changed": (
        lambda d: d["paths"][LIST]["post"]["requestBody"]["content"]["application/json"].update(
            schema={"$ref": "#/components/schemas/DedicatedEndpointUpdateBody"}
        ),
        [
            (
                f"POST {LIST} requestBody.application/json",
                "reference changed from DedicatedEndpointCreateBody to DedicatedEndpointUpdateBody",
                True,
            )
        ],
    ),
    "response schema changed": (
        lambda d: d["paths"][f"{ONE}/status"]["get"]["responses"]["200"]["content"]["application/json"].update(
            schema={"$ref": "#/components/schemas/DedicatedEndpointSpec"}
        ),
        [
            (
                f"GET {ONE}/status responses.200.application/json",
                "reference changed from DedicatedEndpointStatus to DedicatedEndpointSpec",
                True,
            )
        ],
    ),
    "response status added": (
        lambda d: d["paths"][f"{ONE}/sleep"]["put"]["responses"].update({"409": {"description": "Conflict"}}),
        [(f"PUT {ONE}/sleep responses.409", "response status added", False)],
    ),
    "response status removed": (
        lambda d: d["paths"][LIST]["post"]["responses"].pop("500"),
        [(f"POST {LIST} responses.500", "response status removed", True)],
    ),
    "schema added": (
        lambda d: d["components"]["schemas"].update(NewThing={"type": "object", "properties": {}}),
        [(_spec("NewThing"), "schema added", False)],
    ),
    "schema removed": (
        lambda d: d["components"]["schemas"].pop("AcceleratorRequirement"),
        [(_spec("AcceleratorRequirement"), "schema removed", True)],
    ),
    "optional property added (request)": (
        lambda d: add_property(d, "EndpointAdvancedConfig", required=False),
        [(_field("EndpointAdvancedConfig", "newField"), "optional property added", False)],
    ),
    "required property added (request)": (
        lambda d: add_property(d, "EndpointAdvancedConfig", required=True),
        [(_field("EndpointAdvancedConfig", "newField"), "required property added", True)],
    ),
    "required property added (response)": (
        lambda d: add_property(d, "DedicatedEndpointSpec", required=True),
        [(_field("DedicatedEndpointSpec", "newField"), "required property added", False)],
    ),
    "property removed": (
        lambda d: (
            schema(d, "DedicatedEndpointSpec")["properties"].pop("teamId"),
            set_required(d, "DedicatedEndpointSpec", "teamId", False),
        ),
        [(_field("DedicatedEndpointSpec", "teamId"), "property removed", True)],
    ),
    "required added (request)": (
        lambda d: set_required(d, "EndpointAdvancedConfig", "max_token_count", True),
        [(_field("EndpointAdvancedConfig", "max_token_count"), "became required", True)],
    ),
    "required added (response)": (
        lambda d: set_required(d, "DedicatedEndpointSpec", "maxInputLength", True),
        [(_field("DedicatedEndpointSpec", "maxInputLength"), "became required", False)],
    ),
    "required removed (request)": (
        lambda d: set_required(d, "EndpointAdvancedConfig", "tokenizer_skip_special_tokens", False),
        [(_field("EndpointAdvancedConfig", "tokenizer_skip_special_tokens"), "no longer required", False)],
    ),
    "required removed (response: may now be missing)": (
        lambda d: set_required(d, "DedicatedEndpointSpec", "name", False),
        [(_field("DedicatedEndpointSpec", "name"), "no longer required", True)],
    ),
    "type changed": (
        lambda d: prop(d, "DedicatedEndpointSpec", "numGpu").update(type="string"),
        [(_field("DedicatedEndpointSpec", "numGpu"), "type changed from 'integer' to 'string'", True)],
    ),
    "format changed": (
        lambda d: prop(d, "DedicatedEndpointStatus", "createdAt").update(format="date"),
        [(_field("DedicatedEndpointStatus", "createdAt"), "format changed from 'date-time' to 'date'", True)],
    ),
    "became nullable (response)": (
        lambda d: make_nullable(d, "DedicatedEndpointSpec", "name"),
        [(_field("DedicatedEndpointSpec", "name"), "became nullable", True)],
    ),
    "became nullable (request)": (
        lambda d: make_nullable(d, "DedicatedEndpointCreateBody", "name"),
        [(_field("DedicatedEndpointCreateBody", "name"), "became nullable", False)],
    ),
    "no longer nullable (request)": (
        lambda d: make_not_nullable(d, "EndpointAdvancedConfig", "max_batch_size"),
        [(_field("EndpointAdvancedConfig", "max_batch_size"), "no longer nullable", True)],
    ),
    "no longer nullable (response)": (
        lambda d: make_not_nullable(d, "DedicatedEndpointSpec", "instanceId"),
        [(_field("DedicatedEndpointSpec", "instanceId"), "no longer nullable", False)],
    ),
    "enum value added": (
        lambda d: schema(d, "InferenceDeploymentStatus")["enum"].append("SCALING"),
        [(_spec("InferenceDeploymentStatus"), "enum value 'SCALING' added", False)],
    ),
    "enum value removed": (
        lambda d: schema(d, "InferenceDeploymentStatus")["enum"].remove("READY"),
        [(_spec("InferenceDeploymentStatus"), "enum value 'READY' removed", True)],
    ),
    "default changed": (
        lambda d: prop(d, "AutoscalingPolicy", "cooldownPeriod").update(default=600),
        [(_field("AutoscalingPolicy", "cooldownPeriod"), "default changed from 300 to 600", False)],
    ),
    "upper bound narrowed (request)": (
        lambda d: prop(d, "AutoscalingPolicy", "maxReplica").update(maximum=5),
        [(_field("AutoscalingPolicy", "maxReplica"), "maximum narrowed from 10 to 5", True)],
    ),
    "upper bound widened (request)": (
        lambda d: prop(d, "AutoscalingPolicy", "maxReplica").update(maximum=20),
        [(_field("AutoscalingPolicy", "maxReplica"), "maximum widened from 10 to 20", False)],
    ),
    "lower bound narrowed (request)": (
        lambda d: prop(d, "AutoscalingPolicy", "minReplica").update(minimum=1),
        [(_field("AutoscalingPolicy", "minReplica"), "minimum narrowed from 0 to 1", True)],
    ),
    "lower bound removed (request)": (
        lambda d: prop(d, "AutoscalingPolicy", "minReplica").pop("minimum"),
        [(_field("AutoscalingPolicy", "minReplica"), "minimum widened from 0 to (none)", False)],
    ),
    "bound added (response)": (
        lambda d: prop(d, "DedicatedEndpointSpec", "numGpu").update(minimum=1),
        [(_field("DedicatedEndpointSpec", "numGpu"), "minimum narrowed from (none) to 1", False)],
    ),
    "instance option added": (
        lambda d: options(d).append({"id": "abcDEF123456", "gpu": "NVIDIA B300", "count": 1}),
        [("x-instance-options.abcDEF123456", "instance option added (1x NVIDIA B300)", False)],
    ),
    "instance option removed": (
        lambda d: options(d).pop(),
        [("x-instance-options.drbc6G9FxJWZ", "instance option removed (8x NVIDIA B200)", True)],
    ),
    "instance option changed": (
        lambda d: options(d)[0].update(gpu="NVIDIA A100 40GB"),
        [
            (
                "x-instance-options.ShbPuOs4tfGb",
                "instance option changed from 1x NVIDIA A100 80GB to 1x NVIDIA A100 40GB",
                True,
            )
        ],
    ),
}


@pytest.mark.parametrize(("mutate", "expected"), CASES.values(), ids=CASES.keys())
def test_change_kind(pinned: Doc, mutate: Callable[[Doc], Any], expected: list[tuple[str, str, bool]]) -> None:
    old = contract.surface(pinned)
    new = copy.deepcopy(old)
    mutate(new)
    assert drift.compare(old, new) == [Change(*change) for change in expected]


def test_identical_contracts_have_no_drift(pinned: Doc) -> None:
    assert drift.compare(contract.surface(pinned), copy.deepcopy(contract.surface(pinned))) == []


def test_info_and_key_order_are_not_drift(pinned: Doc) -> None:
    """info.version moves with every part of the Suite API; key order is not meaning."""
    new = copy.deepcopy(contract.surface(pinned))
    new["info"]["version"] = "9.9.9"
    new["components"]["schemas"] = dict(reversed(new["components"]["schemas"].items()))
    options(new).reverse()
    assert drift.compare(contract.surface(pinned), new) == []


def test_changes_are_listed_together(pinned: Doc) -> None:
    """Several changes at once are all reported, each once."""
    old = contract.surface(pinned)
    new = copy.deepcopy(old)
    for mutate, _ in (CASES["enum value added"], CASES["parameter removed"], CASES["instance option removed"]):
        mutate(new)
    changes = drift.compare(old, new)
    assert sorted(c.location for c in changes) == sorted(
        [
            _spec("InferenceDeploymentStatus"),
            f"GET {LIST} parameters.query.project_id",
            "x-instance-options.drbc6G9FxJWZ",
        ]
    )


def test_change_line_format() -> None:
    assert Change("GET /x", "operation removed", True).line() == "BREAKING  GET /x: operation removed"
    assert Change("GET /x", "operation added", False).line() == "additive  GET /x: operation added"


def test_multiple_of_narrowed(pinned: Doc) -> None:
    old = copy.deepcopy(contract.surface(pinned))
    prop(old, "AutoscalingPolicy", "cooldownPeriod")["multipleOf"] = 2
    new = copy.deepcopy(old)
    prop(new, "AutoscalingPolicy", "cooldownPeriod")["multipleOf"] = 4
    assert drift.compare(old, new) == [
        Change(_field("AutoscalingPolicy", "cooldownPeriod"), "multipleOf narrowed from 2 to 4", True)
    ]
