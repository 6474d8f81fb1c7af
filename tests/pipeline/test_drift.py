"""scripts/pipeline/drift.py compare(): each drift rule, both ways, on small fixture documents.

Every fixture is a minimal OpenAPI 3.1 contract (validated before it is compared) with one
operation, ``POST /things``; a schema under test is the request body (input), the 200 response
(output) or a component ``Thing`` referenced from either or both. Nothing here reads the committed
contract except the last tests, which derive everything they assert from it.
"""

from __future__ import annotations

import copy
import doctest
import json
from typing import Any

import pytest
from upstream_factory import rename_components

from scripts.pipeline import contract, drift, openapi31, schema_diff
from scripts.pipeline.drift import Change

Doc = dict[str, Any]
OP = "POST /things"
REQUEST = f"{OP} requestBody.application/json"
RESPONSE = f"{OP} responses.200.application/json"
THING = "components.schemas.Thing"
X = f"{THING}.properties.x"
INPUT, OUTPUT, BOTH = "request", "response", "both"


def ref(name: str) -> Doc:
    return {"$ref": f"#/components/schemas/{name}"}


def document(
    *,
    request: Any = None,
    response: Any = None,
    parameters: list[Doc] | None = None,
    schemas: Doc | None = None,
    **operation: Any,
) -> Doc:
    """A contract with one operation, POST /things; ``request``/``response`` are JSON body schemas."""
    op: Doc = {"operationId": "createThing", "responses": {"200": {"description": "OK"}}, **operation}
    if parameters is not None:
        op["parameters"] = parameters
    if request is not None:
        op["requestBody"] = {"required": True, "content": {"application/json": {"schema": request}}}
    if response is not None:
        op["responses"]["200"]["content"] = {"application/json": {"schema": response}}
    doc: Doc = {"openapi": "3.1.0", "info": {"title": "Fixture", "version": "1"}, "paths": {"/things": {"post": op}}}
    if schemas is not None:
        doc["components"] = {"schemas": schemas}
    return doc


def thing(x: Any, *, direction: str, required: bool = False, **extra: Any) -> Doc:
    """Component Thing with one property ``x``, used as the request body, the response or both."""
    schema: Doc = {"type": "object", "properties": {"x": x}, **extra}
    if required:
        schema["required"] = ["x"]
    uses = {INPUT: {"request": ref("Thing")}, OUTPUT: {"response": ref("Thing")}}
    uses[BOTH] = {**uses[INPUT], **uses[OUTPUT]}
    return document(schemas={"Thing": schema}, **uses[direction])


def changes(old: Doc, new: Doc) -> list[tuple[str, str, bool]]:
    """compare(old, new) as (location, change, breaking), after checking both fixtures are valid OpenAPI 3.1."""
    openapi31.validate(old)
    openapi31.validate(new)
    return [(c.location, c.change, c.breaking) for c in drift.compare(old, new)]


def field_drift(before: Any, after: Any, direction: str, **options: Any) -> list[tuple[str, str, bool]]:
    old_options = {k.removeprefix("old_"): v for k, v in options.items() if not k.startswith("new_")}
    new_options = {k.removeprefix("new_"): v for k, v in options.items() if not k.startswith("old_")}
    return changes(thing(before, direction=direction, **old_options), thing(after, direction=direction, **new_options))


# A rule case: x before, x after, the change text, and whether it breaks in a request and in a response.
Rule = tuple[Any, Any, str, bool, bool]


def check_rule(rule: Rule) -> None:
    before, after, text, breaks_input, breaks_output = rule
    assert field_drift(before, after, INPUT) == [(X, text, breaks_input)]
    assert field_drift(before, after, OUTPUT) == [(X, text, breaks_output)]
    # Reached from both a request and a response: reported once, breaking if it breaks either way.
    assert field_drift(before, after, BOTH) == [(X, text, breaks_input or breaks_output)]


INT, NUM, STR = {"type": "integer"}, {"type": "number"}, {"type": "string"}

# -- types and formats -----------------------------------------------------------------------------
TYPE_RULES: dict[str, Rule] = {
    "integer to number (widened)": (INT, NUM, "type widened from 'integer' to 'number'", False, True),
    "number to integer (narrowed)": (NUM, INT, "type narrowed from 'number' to 'integer'", True, False),
    "a second type (widened)": (
        STR,
        {"type": ["string", "integer"]},
        'type widened from \'string\' to ["string", "integer"]',
        False,
        True,
    ),
    "string to integer (neither)": (STR, INT, "type changed from 'string' to 'integer'", True, True),
}


@pytest.mark.parametrize("rule", TYPE_RULES.values(), ids=TYPE_RULES.keys())
def test_type(rule: Rule) -> None:
    check_rule(rule)


FORMAT_RULES: dict[str, Rule] = {
    "changed": (
        {**STR, "format": "date-time"},
        {**STR, "format": "date"},
        "format changed from 'date-time' to 'date'",
        True,
        True,
    ),
    "removed": ({**STR, "format": "date-time"}, STR, "format changed from 'date-time' to (none)", True, True),
    "added": (STR, {**STR, "format": "uuid"}, "format changed from (none) to 'uuid'", True, True),
}


@pytest.mark.parametrize("rule", FORMAT_RULES.values(), ids=FORMAT_RULES.keys())
def test_format_changes_the_sdk_type_so_breaks_both_ways(rule: Rule) -> None:
    check_rule(rule)


# -- enums and const -------------------------------------------------------------------------------
def enum(*values: Any) -> Doc:
    return {"type": "string", "enum": list(values)}


ENUM_RULES: dict[str, Rule] = {
    # Additive in a response ONLY because the SDK's enums are open (unknown values parse).
    "value added": (enum("A", "B"), enum("A", "B", "C"), "enum value 'C' added", False, False),
    # Breaking in a response too: the generated enum loses a member that SDK code may name.
    "value removed": (enum("A", "B"), enum("A"), "enum value 'B' removed", True, True),
    "constraint added": (STR, enum("A"), 'enum constraint added: ["A"]', True, False),
    "constraint removed": (enum("A"), STR, "enum constraint removed", False, False),
}


@pytest.mark.parametrize("rule", ENUM_RULES.values(), ids=ENUM_RULES.keys())
def test_enum(rule: Rule) -> None:
    check_rule(rule)


def test_enum_order_is_not_a_change() -> None:
    assert field_drift(enum("A", "B"), enum("B", "A"), BOTH) == []


CONST_RULES: dict[str, Rule] = {
    "added": (STR, {**STR, "const": "A"}, "const narrowed from (none) to 'A'", True, False),
    "removed": ({**STR, "const": "A"}, STR, "const widened from 'A' to (none)", False, True),
    "changed": ({**STR, "const": "A"}, {**STR, "const": "B"}, "const changed from 'A' to 'B'", True, True),
}


@pytest.mark.parametrize("rule", CONST_RULES.values(), ids=CONST_RULES.keys())
def test_const(rule: Rule) -> None:
    check_rule(rule)


# -- bounds ----------------------------------------------------------------------------------------
BOUND_RULES: dict[str, Rule] = {
    "maximum widened": ({**INT, "maximum": 10}, {**INT, "maximum": 20}, "maximum widened from 10 to 20", False, True),
    "maximum narrowed": ({**INT, "maximum": 10}, {**INT, "maximum": 5}, "maximum narrowed from 10 to 5", True, False),
    "minimum added": (INT, {**INT, "minimum": 1}, "minimum narrowed from (none) to 1", True, False),
    "minimum removed": ({**INT, "minimum": 0}, INT, "minimum widened from 0 to (none)", False, True),
    "minimum made exclusive": (
        {**INT, "minimum": 0},
        {**INT, "exclusiveMinimum": 0},
        "lower bound narrowed from minimum 0 to exclusiveMinimum 0",
        True,
        False,
    ),
    "exclusiveMaximum made inclusive": (
        {**NUM, "exclusiveMaximum": 1},
        {**NUM, "maximum": 1},
        "upper bound widened from exclusiveMaximum 1 to maximum 1",
        False,
        True,
    ),
    "minLength narrowed": (
        {**STR, "minLength": 1},
        {**STR, "minLength": 2},
        "minLength narrowed from 1 to 2",
        True,
        False,
    ),
    "maxLength widened": (
        {**STR, "maxLength": 8},
        {**STR, "maxLength": 16},
        "maxLength widened from 8 to 16",
        False,
        True,
    ),
    "minItems widened": (
        {"type": "array", "minItems": 2},
        {"type": "array", "minItems": 1},
        "minItems widened from 2 to 1",
        False,
        True,
    ),
    "maxItems narrowed": (
        {"type": "array", "maxItems": 5},
        {"type": "array", "maxItems": 4},
        "maxItems narrowed from 5 to 4",
        True,
        False,
    ),
    "maxProperties added": (
        {"type": "object"},
        {"type": "object", "maxProperties": 3},
        "maxProperties narrowed from (none) to 3",
        True,
        False,
    ),
    "multipleOf narrowed (2 to 4)": (
        {**INT, "multipleOf": 2},
        {**INT, "multipleOf": 4},
        "multipleOf narrowed from 2 to 4",
        True,
        False,
    ),
    "multipleOf widened (4 to 2)": (
        {**INT, "multipleOf": 4},
        {**INT, "multipleOf": 2},
        "multipleOf widened from 4 to 2",
        False,
        True,
    ),
    "multipleOf changed (2 to 3)": (
        {**INT, "multipleOf": 2},
        {**INT, "multipleOf": 3},
        "multipleOf changed from 2 to 3",
        True,
        True,
    ),
    "multipleOf decimal widened": (
        {**NUM, "multipleOf": 0.2},
        {**NUM, "multipleOf": 0.1},
        "multipleOf widened from 0.2 to 0.1",
        False,
        True,
    ),
    "pattern added": (STR, {**STR, "pattern": "^a"}, "pattern narrowed from (none) to '^a'", True, False),
    "pattern removed": ({**STR, "pattern": "^a"}, STR, "pattern widened from '^a' to (none)", False, True),
    "pattern changed": (
        {**STR, "pattern": "^a"},
        {**STR, "pattern": "^b"},
        "pattern changed from '^a' to '^b'",
        True,
        True,
    ),
    "uniqueItems added": (
        {"type": "array"},
        {"type": "array", "uniqueItems": True},
        "uniqueItems narrowed from false to true",
        True,
        False,
    ),
}


@pytest.mark.parametrize("rule", BOUND_RULES.values(), ids=BOUND_RULES.keys())
def test_bound(rule: Rule) -> None:
    check_rule(rule)


def test_redundant_bound_spelling_is_not_a_change() -> None:
    """minimum 1 with a looser exclusiveMinimum 0 allows what minimum 1 alone allows."""
    assert field_drift({**INT, "minimum": 1}, {**INT, "minimum": 1, "exclusiveMinimum": 0}, BOTH) == []


# -- defaults, deprecation, annotations ------------------------------------------------------------
NEUTRAL_RULES: dict[str, Rule] = {
    "default changed": (
        {**INT, "default": 300},
        {**INT, "default": 600},
        "default changed from 300 to 600",
        False,
        False,
    ),
    "default added": (INT, {**INT, "default": 1}, "default changed from (none) to 1", False, False),
    "deprecated": (INT, {**INT, "deprecated": True}, "became deprecated", False, False),
}


@pytest.mark.parametrize("rule", NEUTRAL_RULES.values(), ids=NEUTRAL_RULES.keys())
def test_neutral_keywords_are_additive(rule: Rule) -> None:
    check_rule(rule)


def test_annotations_are_not_drift() -> None:
    before = {**INT, "title": "X", "description": "Old.", "examples": [1]}
    after = {**INT, "title": "Renamed", "description": "New prose.", "examples": [2], "x-vendor": True}
    assert field_drift(before, after, BOTH) == []


def test_a_keyword_without_a_rule_breaks_when_it_changes() -> None:
    check_rule((STR, {**STR, "readOnly": True}, "readOnly changed from (none) to true", True, True))


# -- nullability -----------------------------------------------------------------------------------
NULL = {"type": "null"}
NULLABLE_RULES: dict[str, Rule] = {
    "type list gains null": (STR, {"type": ["string", "null"]}, "became nullable", False, True),
    "anyOf gains null": (STR, {"anyOf": [STR, NULL]}, "became nullable", False, True),
    "loses null": ({"anyOf": [INT, NULL]}, INT, "no longer nullable", True, False),
    "enum gains null": (enum("A"), {"type": ["string", "null"], "enum": ["A", None]}, "became nullable", False, True),
}


@pytest.mark.parametrize("rule", NULLABLE_RULES.values(), ids=NULLABLE_RULES.keys())
def test_nullability(rule: Rule) -> None:
    check_rule(rule)


def test_spellings_of_nullable_are_the_same() -> None:
    assert field_drift({"type": ["string", "null"]}, {"anyOf": [STR, NULL]}, BOTH) == []
    assert field_drift({"type": ["integer", "null"]}, {"oneOf": [NULL, INT]}, BOTH) == []
    assert (
        field_drift({**enum("A"), "enum": ["A", None], "type": ["string", "null"]}, {"anyOf": [enum("A"), NULL]}, BOTH)
        == []
    )


def test_nullable_reference_keeps_its_component() -> None:
    """A field that becomes anyOf: [$ref, null]: nullable at the field, nothing at the referenced component."""
    other = {"type": "object", "properties": {"n": INT}}
    old = document(
        request=ref("Thing"), schemas={"Thing": {"type": "object", "properties": {"x": ref("Other")}}, "Other": other}
    )
    new = copy.deepcopy(old)
    new["components"]["schemas"]["Thing"]["properties"]["x"] = {"anyOf": [ref("Other"), NULL]}
    assert changes(old, new) == [(X, "became nullable", False)]


# -- properties and required -----------------------------------------------------------------------
def test_became_required() -> None:
    assert field_drift(INT, INT, INPUT, new_required=True) == [(X, "became required", True)]
    assert field_drift(INT, INT, OUTPUT, new_required=True) == [(X, "became required", False)]


def test_no_longer_required() -> None:
    assert field_drift(INT, INT, INPUT, old_required=True) == [(X, "no longer required", False)]
    assert field_drift(INT, INT, OUTPUT, old_required=True) == [(X, "no longer required", True)]


def _with_y(*, required: bool) -> Doc:
    return {"y": INT} | ({"required": ["y"]} if required else {})


@pytest.mark.parametrize(
    ("direction", "required", "expected"),
    [
        (INPUT, True, ("required property added", True)),
        (OUTPUT, True, ("required property added", False)),
        (INPUT, False, ("optional property added", False)),
        (OUTPUT, False, ("optional property added", False)),
    ],
)
def test_property_added(direction: str, required: bool, expected: tuple[str, bool]) -> None:
    old = thing(INT, direction=direction)
    new = copy.deepcopy(old)
    new["components"]["schemas"]["Thing"]["properties"]["y"] = INT
    if required:
        new["components"]["schemas"]["Thing"]["required"] = ["y"]
    assert changes(old, new) == [(f"{THING}.properties.y", *expected)]


@pytest.mark.parametrize("direction", [INPUT, OUTPUT])
def test_property_removed_breaks_both_ways(direction: str) -> None:
    old = thing(INT, direction=direction)
    new = copy.deepcopy(old)
    new["components"]["schemas"]["Thing"]["properties"]["y"] = INT
    assert changes(new, old) == [(f"{THING}.properties.y", "property removed", True)]


# -- additionalProperties and items ----------------------------------------------------------------
OBJ = {"type": "object"}
ADDITIONAL_RULES: dict[str, Rule] = {
    "closed": (
        OBJ,
        {**OBJ, "additionalProperties": False},
        "additionalProperties narrowed from true to false",
        True,
        False,
    ),
    "opened": (
        {**OBJ, "additionalProperties": False},
        OBJ,
        "additionalProperties widened from false to true",
        False,
        True,
    ),
}


@pytest.mark.parametrize("rule", ADDITIONAL_RULES.values(), ids=ADDITIONAL_RULES.keys())
def test_additional_properties_allowed(rule: Rule) -> None:
    before, after, text, breaks_input, breaks_output = rule
    where = f"{X}.additionalProperties"
    assert field_drift(before, after, INPUT) == [(where, text, breaks_input)]
    assert field_drift(before, after, OUTPUT) == [(where, text, breaks_output)]


def test_additional_properties_schema_is_compared_by_direction() -> None:
    before, after = {**OBJ, "additionalProperties": INT}, {**OBJ, "additionalProperties": NUM}
    where = f"{X}.additionalProperties"
    assert field_drift(before, after, INPUT) == [(where, "type widened from 'integer' to 'number'", False)]
    assert field_drift(before, after, OUTPUT) == [(where, "type widened from 'integer' to 'number'", True)]


def test_additional_properties_true_and_empty_schema_are_the_same() -> None:
    assert field_drift({**OBJ, "additionalProperties": True}, {**OBJ, "additionalProperties": {}}, BOTH) == []
    assert field_drift(OBJ, {**OBJ, "additionalProperties": True}, BOTH) == []


def test_additional_properties_constrained() -> None:
    changed = field_drift(OBJ, {**OBJ, "additionalProperties": INT}, INPUT)
    assert changed == [(f"{X}.additionalProperties", 'was any value, now {"type": "integer"}', True)]


def test_items() -> None:
    before, after = {"type": "array", "items": INT}, {"type": "array", "items": NUM}
    assert field_drift(before, after, INPUT) == [(f"{X}.items", "type widened from 'integer' to 'number'", False)]
    assert field_drift(before, after, OUTPUT) == [(f"{X}.items", "type widened from 'integer' to 'number'", True)]


def test_any_value_becomes_constrained() -> None:
    check_rule(({}, STR, 'was any value, now {"type": "string"}', True, False))
    check_rule((STR, {}, 'now any value, was {"type": "string"}', False, True))


# -- composition -----------------------------------------------------------------------------------
COMPOSITION_RULES: dict[str, Rule] = {
    "anyOf branch added": (
        {"anyOf": [INT, STR]},
        {"anyOf": [INT, STR, {"type": "boolean"}]},
        'variant added: {"type": "boolean"}',
        False,
        True,
    ),
    "anyOf branch removed": (
        {"anyOf": [INT, STR]},
        {"anyOf": [INT]},
        'variant removed: {"type": "string"}',
        True,
        False,
    ),
    "oneOf branch added": (
        {"oneOf": [INT, STR]},
        {"oneOf": [INT, STR, {"type": "boolean"}]},
        'variant added: {"type": "boolean"}',
        False,
        True,
    ),
    "oneOf branch removed": (
        {"oneOf": [INT, STR]},
        {"oneOf": [STR]},
        'variant removed: {"type": "integer"}',
        True,
        False,
    ),
    "allOf branch added": (
        {"allOf": [OBJ, {"required": ["a"]}]},
        {"allOf": [OBJ, {"required": ["a"]}, {"maxProperties": 3}]},
        'variant added: {"maxProperties": 3}',
        True,
        False,
    ),
    "allOf branch removed": (
        {"allOf": [OBJ, {"required": ["a"]}]},
        {"allOf": [OBJ]},
        'variant removed: {"required": ["a"]}',
        False,
        True,
    ),
}


@pytest.mark.parametrize("rule", COMPOSITION_RULES.values(), ids=COMPOSITION_RULES.keys())
def test_composition_branches(rule: Rule) -> None:
    before, after, text, breaks_input, breaks_output = rule
    kind = next(iter(after))
    assert field_drift(before, after, INPUT) == [(f"{X}.{kind}", text, breaks_input)]
    assert field_drift(before, after, OUTPUT) == [(f"{X}.{kind}", text, breaks_output)]


def test_composition_branch_changed_inside() -> None:
    before, after = {"anyOf": [INT, {**STR, "maxLength": 3}]}, {"anyOf": [{**STR, "maxLength": 5}, INT]}
    assert field_drift(before, after, INPUT) == [(f"{X}.anyOf[0]", "maxLength widened from 3 to 5", False)]


def test_composition_order_is_not_a_change() -> None:
    assert field_drift({"anyOf": [INT, STR]}, {"anyOf": [STR, INT]}, BOTH) == []


def test_plain_schema_becoming_a_union_is_a_branch_added() -> None:
    changed = field_drift(INT, {"anyOf": [INT, STR]}, INPUT)
    assert changed == [(f"{X}.anyOf", 'variant added: {"type": "string"}', False)]


def test_any_of_becoming_one_of() -> None:
    assert field_drift({"anyOf": [INT, STR]}, {"oneOf": [INT, STR]}, INPUT) == [(X, "anyOf became oneOf", True)]
    assert field_drift({"oneOf": [INT, STR]}, {"anyOf": [INT, STR]}, OUTPUT) == [(X, "oneOf became anyOf", True)]
    assert field_drift({"oneOf": [INT, STR]}, {"anyOf": [INT, STR]}, INPUT) == [(X, "oneOf became anyOf", False)]


def test_single_branch_all_of_is_the_branch() -> None:
    """pydantic writes allOf: [$ref] for a described reference: the same as the $ref."""
    old = document(
        request=ref("Thing"),
        schemas={"Thing": {"type": "object", "properties": {"x": {"allOf": [ref("Other")]}}}, "Other": INT},
    )
    new = document(
        request=ref("Thing"), schemas={"Thing": {"type": "object", "properties": {"x": ref("Other")}}, "Other": INT}
    )
    assert changes(old, new) == []


# -- discriminator ---------------------------------------------------------------------------------
def _pets(mapping: Doc, property_name: str = "kind") -> Doc:
    cat = {"type": "object", "properties": {"kind": STR, "meows": {"type": "boolean"}}}
    dog = {"type": "object", "properties": {"kind": STR, "barks": {"type": "boolean"}}}
    pet = {"oneOf": [ref("Cat"), ref("Dog")], "discriminator": {"propertyName": property_name, "mapping": mapping}}
    return {"Pet": pet, "Cat": cat, "Dog": dog}


@pytest.mark.parametrize(
    ("old_mapping", "new_mapping", "text", "effects"),
    [
        (
            {"cat": "#/components/schemas/Cat"},
            {"cat": "#/components/schemas/Cat", "dog": "#/components/schemas/Dog"},
            "discriminator value 'dog' added",
            (False, True),
        ),
        (
            {"cat": "#/components/schemas/Cat", "dog": "#/components/schemas/Dog"},
            {"cat": "#/components/schemas/Cat"},
            "discriminator value 'dog' removed",
            (True, False),
        ),
        (
            {"cat": "#/components/schemas/Cat"},
            {"cat": "#/components/schemas/Dog"},
            "discriminator value 'cat' now maps to another schema",
            (True, True),
        ),
    ],
)
def test_discriminator_mapping(old_mapping: Doc, new_mapping: Doc, text: str, effects: tuple[bool, bool]) -> None:
    for direction, breaking in zip(("request", "response"), effects, strict=True):
        old = document(**{direction: ref("Pet")}, schemas=_pets(old_mapping))
        new = document(**{direction: ref("Pet")}, schemas=_pets(new_mapping))
        assert changes(old, new) == [("components.schemas.Pet", text, breaking)]


def test_discriminator_property_changed_breaks() -> None:
    old = document(response=ref("Pet"), schemas=_pets({}))
    new = document(response=ref("Pet"), schemas=_pets({}, property_name="type"))
    assert changes(old, new) == [
        ("components.schemas.Pet", "discriminator propertyName changed from 'kind' to 'type'", True)
    ]


def test_discriminator_mapping_to_a_renamed_component_is_not_a_change() -> None:
    old = document(response=ref("Pet"), schemas=_pets({"cat": "#/components/schemas/Cat"}))
    text = json.dumps(old).replace("#/components/schemas/Cat", "#/components/schemas/Feline")
    new = json.loads(text)
    new["components"]["schemas"]["Feline"] = new["components"]["schemas"].pop("Cat")
    assert changes(old, new) == []


# -- references --------------------------------------------------------------------------------------
def test_inlined_reference_is_not_a_change() -> None:
    schema = {"type": "object", "properties": {"x": {**INT, "maximum": 9}}, "required": ["x"]}
    with_ref = document(request=ref("Thing"), response=ref("Thing"), schemas={"Thing": schema})
    inlined = document(request=copy.deepcopy(schema), response=copy.deepcopy(schema))
    assert changes(with_ref, inlined) == []
    assert changes(inlined, with_ref) == []  # ... and a schema extracted into components


def test_renamed_component_is_not_a_change() -> None:
    old = thing(INT, direction=BOTH)
    new = json.loads(json.dumps(old).replace("schemas/Thing", "schemas/Widget"))
    new["components"]["schemas"] = {"Widget": new["components"]["schemas"].pop("Thing")}
    assert changes(old, new) == []


def test_renamed_and_changed_component_reports_at_its_new_name() -> None:
    old = thing(INT, direction=INPUT)
    new = json.loads(json.dumps(old).replace("schemas/Thing", "schemas/Widget"))
    new["components"]["schemas"] = {"Widget": {"type": "object", "properties": {"x": NUM}}}
    assert changes(old, new) == [
        ("components.schemas.Widget.properties.x", "type widened from 'integer' to 'number'", False)
    ]


def test_reference_to_another_component_reports_at_the_place_of_use() -> None:
    """The body now refers to another (unchanged) component: the difference is the body's, not B's."""
    schemas = {"A": {"type": "object", "properties": {"a": INT}}, "B": {"type": "object", "properties": {"b": INT}}}
    old = document(request=ref("A"), response=ref("B"), schemas=schemas)
    new = document(request=ref("B"), response=ref("B"), schemas=copy.deepcopy(schemas))
    assert changes(old, new) == [
        (f"{REQUEST}.properties.a", "property removed", True),
        (f"{REQUEST}.properties.b", "optional property added", False),
    ]


def test_component_reached_from_several_places_is_reported_once_with_every_direction() -> None:
    old = thing(enum("A"), direction=BOTH)
    old["paths"]["/others"] = {
        "get": {
            "operationId": "listThings",
            "responses": {
                "200": {
                    "description": "OK",
                    "content": {"application/json": {"schema": {"type": "array", "items": ref("Thing")}}},
                }
            },
        }
    }
    new = copy.deepcopy(old)
    new["components"]["schemas"]["Thing"]["properties"]["x"]["maxLength"] = 3
    assert changes(old, new) == [(X, "maxLength narrowed from (none) to 3", True)]


def _tree(value: Any) -> Doc:
    return {"type": "object", "properties": {"value": value, "children": {"type": "array", "items": ref("Node")}}}


def test_recursive_schema_without_change() -> None:
    old = document(request=ref("Node"), response=ref("Node"), schemas={"Node": _tree(INT)})
    assert changes(old, copy.deepcopy(old)) == []


def test_recursive_schema_change_is_reported_once() -> None:
    old = document(request=ref("Node"), schemas={"Node": _tree(INT)})
    new = document(request=ref("Node"), schemas={"Node": _tree(NUM)})
    assert changes(old, new) == [
        ("components.schemas.Node.properties.value", "type widened from 'integer' to 'number'", False)
    ]


def test_recursive_schema_inlined_at_the_place_of_use() -> None:
    """One level of Node inlined in the response: compared through the recursion, nothing differs."""
    old = document(response=ref("Node"), schemas={"Node": _tree(INT)})
    new = document(response=_tree(INT), schemas={"Node": _tree(INT)})
    assert changes(old, new) == []


def test_recursion_through_differently_shaped_references_terminates() -> None:
    """A = {p: {q: A}} against B = {p: C}, C = {q: {p: C}}: the same values, reached by other paths."""
    obj = lambda **properties: {"type": "object", "properties": properties}  # noqa: E731
    old = document(request=ref("A"), schemas={"A": obj(p=obj(q=ref("A")))})
    new = document(request=ref("B"), schemas={"B": obj(p=ref("C")), "C": obj(q=obj(p=ref("C")))})
    assert changes(old, new) == []
    new["components"]["schemas"]["C"]["properties"]["r"] = INT
    # A is only ever met where B is: a rename, so the change is reported at B.
    assert changes(old, new) == [("components.schemas.B.properties.p.properties.r", "optional property added", False)]


def test_reference_to_nothing_is_an_error() -> None:
    old = document(request=ref("Thing"), schemas={"Thing": INT})
    new = document(request=ref("Missing"), schemas={"Thing": INT})
    with pytest.raises(contract.ContractFormatError, match="'#/components/schemas/Missing' points at nothing"):
        drift.compare(old, new)


def test_a_schema_that_is_no_schema_is_an_error_naming_it() -> None:
    # A YAML !!binary where a schema should be: the error names it, whatever JSON can write.
    old = document(request=ref("Thing"), schemas={"Thing": INT})
    new = document(request=ref("Thing"), schemas={"Thing": b"\x00 not a schema"})
    with pytest.raises(
        contract.ContractFormatError, match=r"a schema must be an object or a boolean, not .*not a schema"
    ):
        drift.compare(old, new)


# -- parameters ------------------------------------------------------------------------------------
def query(name: str = "filter", **fields: Any) -> Doc:
    return {"name": name, "in": "query", "schema": STR, **fields}


def parameter_drift(before: Doc, after: Doc) -> list[tuple[str, str, bool]]:
    return changes(document(parameters=[before]), document(parameters=[after]))


PARAM = f"{OP} parameters.query.filter"


@pytest.mark.parametrize(
    ("before", "after", "text", "breaking"),
    [
        (
            query(explode=True),
            query(style="deepObject", explode=True),
            "style changed from 'form' to 'deepObject'",
            True,
        ),
        (query(), query(explode=False), "explode changed from true to false", True),
        (query(), query(allowReserved=True), "allowReserved changed from false to true", True),
        (query(), query(allowEmptyValue=True), "now allows an empty value", False),
        (query(allowEmptyValue=True), query(), "no longer allows an empty value", True),
        (query(), query(deprecated=True), "became deprecated", False),
        (query(), query(required=True), "became required", True),
        (query(required=True), query(), "no longer required", False),
        (query(schema=INT), query(schema=NUM), "type widened from 'integer' to 'number'", False),
        (query(schema=NUM), query(schema=INT), "type narrowed from 'number' to 'integer'", True),
    ],
    ids=[
        "style",
        "explode",
        "allowReserved",
        "allowEmptyValue allowed",
        "allowEmptyValue refused",
        "deprecated",
        "became required",
        "no longer required",
        "schema widened",
        "schema narrowed",
    ],
)
def test_parameter(before: Doc, after: Doc, text: str, breaking: bool) -> None:
    assert parameter_drift(before, after) == [(PARAM, text, breaking)]


def test_parameter_serialisation_defaults_are_not_a_change() -> None:
    """style form, explode true, allowReserved false are what a query parameter without them means."""
    assert parameter_drift(query(), query(style="form", explode=True, allowReserved=False)) == []
    path_param = {"name": "id", "in": "path", "required": True, "schema": STR}
    old = document(parameters=[path_param])
    old["paths"] = {"/things/{id}": old["paths"]["/things"]}
    new = copy.deepcopy(old)
    new["paths"]["/things/{id}"]["post"]["parameters"][0].update(style="simple", explode=False)
    assert changes(old, new) == []


def _content(media: str, schema: Doc) -> Doc:
    return {"name": "filter", "in": "query", "content": {media: {"schema": schema}}}


def test_parameter_content() -> None:
    json_filter, other = _content("application/json", OBJ), _content("text/plain", STR)
    assert parameter_drift(query(), json_filter) == [
        (PARAM, "serialisation changed from style 'form' to content 'application/json'", True)
    ]
    assert parameter_drift(json_filter, other) == [
        (PARAM, "content changed from 'application/json' to 'text/plain'", True)
    ]
    widened = _content("application/json", {"type": ["object", "array"]})
    assert parameter_drift(json_filter, widened) == [
        (PARAM, 'type widened from \'object\' to ["object", "array"]', False)
    ]


def test_parameter_moved_to_another_location() -> None:
    header = {"name": "filter", "in": "header", "schema": STR}
    assert parameter_drift(query(), header) == [(f"{OP} parameters.header.filter", "moved from query to header", True)]


@pytest.mark.parametrize(("required", "breaking"), [(True, True), (False, False)])
def test_parameter_added(required: bool, breaking: bool) -> None:
    changed = changes(document(parameters=[]), document(parameters=[query(required=required)]))
    assert changed == [(PARAM, f"{'required' if required else 'optional'} parameter added", breaking)]


def test_parameter_removed() -> None:
    assert changes(document(parameters=[query()]), document(parameters=[])) == [(PARAM, "parameter removed", True)]


def test_parameter_reference_and_header_case_are_not_changes() -> None:
    header = {"name": "X-Team", "in": "header", "schema": STR}
    old = document(parameters=[header])
    new = document(parameters=[{"$ref": "#/components/parameters/Team"}])
    new["components"] = {"parameters": {"Team": {**header, "name": "x-team"}}}
    assert changes(old, new) == []


def test_path_variable_renamed_is_a_parameter_change_not_an_operation_change() -> None:
    def with_variable(name: str) -> Doc:
        doc = document(parameters=[{"name": name, "in": "path", "required": True, "schema": STR}])
        doc["paths"] = {f"/things/{{{name}}}": doc["paths"]["/things"]}
        return doc

    assert changes(with_variable("id"), with_variable("thing_id")) == [
        ("POST /things/{thing_id} parameters.path.id", "parameter removed", True),
        ("POST /things/{thing_id} parameters.path.thing_id", "required parameter added", True),
    ]


# -- request bodies --------------------------------------------------------------------------------
def test_request_media_types() -> None:
    old = document(request=OBJ)
    new = copy.deepcopy(old)
    new["paths"]["/things"]["post"]["requestBody"]["content"]["multipart/form-data"] = {"schema": OBJ}
    assert changes(old, new) == [(f"{OP} requestBody.multipart/form-data", "media type added", False)]
    assert changes(new, old) == [(f"{OP} requestBody.multipart/form-data", "media type removed", True)]


def test_request_body_required() -> None:
    old = document(request=OBJ)
    new = copy.deepcopy(old)
    new["paths"]["/things"]["post"]["requestBody"]["required"] = False
    assert changes(old, new) == [(f"{OP} requestBody", "no longer required", False)]
    assert changes(new, old) == [(f"{OP} requestBody", "became required", True)]


def test_request_body_added_and_removed() -> None:
    optional = document(request=OBJ)
    optional["paths"]["/things"]["post"]["requestBody"]["required"] = False
    assert changes(document(), optional) == [(f"{OP} requestBody", "optional request body added", False)]
    assert changes(document(), document(request=OBJ)) == [(f"{OP} requestBody", "required request body added", True)]
    assert changes(document(request=OBJ), document()) == [(f"{OP} requestBody", "request body removed", True)]


def test_request_body_reference_is_not_a_change() -> None:
    old = document(request=OBJ)
    new = copy.deepcopy(old)
    body = new["paths"]["/things"]["post"]["requestBody"]
    new["components"] = {"requestBodies": {"Thing": body}}
    new["paths"]["/things"]["post"]["requestBody"] = {"$ref": "#/components/requestBodies/Thing"}
    assert changes(old, new) == []


# -- responses -------------------------------------------------------------------------------------
def test_response_status_codes() -> None:
    old = document()
    new = copy.deepcopy(old)
    new["paths"]["/things"]["post"]["responses"]["409"] = {"description": "Conflict"}
    assert changes(old, new) == [(f"{OP} responses.409", "response status added", False)]
    assert changes(new, old) == [(f"{OP} responses.409", "response status removed", True)]


def test_response_media_types() -> None:
    old = document(response=OBJ)
    new = copy.deepcopy(old)
    new["paths"]["/things"]["post"]["responses"]["200"]["content"]["text/plain"] = {"schema": STR}
    assert changes(old, new) == [(f"{OP} responses.200.text/plain", "media type added", True)]
    assert changes(new, old) == [(f"{OP} responses.200.text/plain", "media type removed", True)]


def _with_header(**header: Any) -> Doc:
    doc = document(response=OBJ)
    if header:
        doc["paths"]["/things"]["post"]["responses"]["200"]["headers"] = {"X-Rate-Limit": {"schema": INT, **header}}
    return doc


HEADER = f"{OP} responses.200.headers.X-Rate-Limit"


@pytest.mark.parametrize(
    ("before", "after", "text", "breaking"),
    [
        ({}, {"required": False}, "header added", False),
        ({"required": False}, {}, "header removed", True),
        ({"required": True}, {"required": False}, "no longer required", True),
        ({"required": False}, {"required": True}, "became required", False),
        ({"schema": INT}, {"schema": NUM}, "type widened from 'integer' to 'number'", True),
        ({"schema": NUM}, {"schema": INT}, "type narrowed from 'number' to 'integer'", False),
        ({"schema": INT}, {"schema": INT, "explode": True}, "explode changed from false to true", True),
    ],
    ids=["added", "removed", "may be missing", "always present", "widened", "narrowed", "explode"],
)
def test_response_header(before: Doc, after: Doc, text: str, breaking: bool) -> None:
    assert changes(_with_header(**before), _with_header(**after)) == [(HEADER, text, breaking)]


def test_response_reference_is_not_a_change() -> None:
    old = document(response=OBJ)
    new = copy.deepcopy(old)
    new["components"] = {"responses": {"Thing": new["paths"]["/things"]["post"]["responses"]["200"]}}
    new["paths"]["/things"]["post"]["responses"]["200"] = {"$ref": "#/components/responses/Thing"}
    assert changes(old, new) == []


# -- operations, security, document ----------------------------------------------------------------
def test_operations_added_removed_renamed_deprecated() -> None:
    old = document()
    new = copy.deepcopy(old)
    new["paths"]["/things"]["get"] = {"operationId": "listThings", "responses": {"200": {"description": "OK"}}}
    assert changes(old, new) == [("GET /things", "operation added", False)]
    assert changes(new, old) == [("GET /things", "operation removed", True)]
    renamed = document(operationId="makeThing")
    assert changes(old, renamed) == [(OP, "operationId changed from createThing to makeThing", True)]
    assert changes(old, document(deprecated=True)) == [(OP, "became deprecated", False)]


def _secured(scheme_name: str, scheme: Doc, *, requirement: list[Doc] | None = None) -> Doc:
    doc = document(security=[{scheme_name: []}] if requirement is None else requirement)
    doc["components"] = {"securitySchemes": {scheme_name: scheme}}
    return doc


BEARER = {"type": "http", "scheme": "bearer"}


def test_security() -> None:
    old = _secured("token", BEARER)
    assert changes(old, _secured("bearerAuth", BEARER)) == []  # a renamed scheme
    api_key = {"type": "apiKey", "in": "header", "name": "X-Api-Key"}
    both = _secured("token", BEARER, requirement=[{"token": []}, {"key": []}])
    both["components"]["securitySchemes"]["key"] = api_key
    assert changes(old, both) == [(OP, "security requirement 'key' added", False)]
    assert changes(both, old) == [(OP, "security requirement 'key' removed", True)]
    assert changes(document(), old) == [
        (OP, "security requirement (anonymous) removed", True),
        (OP, "security requirement 'token' added", False),
    ]


ODD_VALUES = """
openapi: 3.1.0
info: {title: Fixture, version: "1"}
paths:
  /things:
    post:
      operationId: createThing
      security: [{token: []}]
      requestBody:
        content:
          multipart/form-data:
            schema: {type: object}
            encoding: {file: {contentType: application/octet-stream, x-sample: !!binary aGVsbG8=}}
      responses: {"200": {description: OK}}
components:
  securitySchemes:
    token: {type: http, scheme: bearer, x-sample: !!binary aGVsbG8=}
"""


def test_values_json_cannot_write_are_compared_not_a_crash() -> None:
    # A YAML !!binary in a security scheme or an encoding: drift compares them as schema_diff does
    # (one canonical form), where it used to raise TypeError.
    old = contract.loads(ODD_VALUES)
    assert drift.compare(old, contract.loads(ODD_VALUES)) == []
    new = contract.loads(ODD_VALUES.replace("aGVsbG8=", "d29ybGQ="))
    assert [(c.location, c.change, c.breaking) for c in drift.compare(old, new)] == [
        (OP, "security requirement 'token' removed", True),
        (OP, "security requirement 'token' added", False),
        (f"{OP} requestBody.multipart/form-data", "encoding changed", True),
    ]


def test_document_level_changes() -> None:
    old = document()
    new = copy.deepcopy(old)
    new["openapi"] = "3.1.1"
    new["servers"] = [{"url": "https://api.example.test"}]
    new["info"]["version"] = "2"  # upstream's document version: not drift
    assert changes(old, new) == [
        ("openapi", "OpenAPI version changed from 3.1.0 to 3.1.1", False),
        ("servers", "servers changed from (none) to https://api.example.test", False),
    ]


def test_instance_options() -> None:
    key = contract.INSTANCE_OPTIONS_KEY
    old = {**document(), key: [{"id": "a1", "gpu": "GPU A", "count": 1}, {"id": "b2", "gpu": "GPU B", "count": 2}]}
    new = {**document(), key: [{"id": "b2", "gpu": "GPU B", "count": 4}, {"id": "c3", "gpu": "GPU C", "count": 1}]}
    assert changes(old, new) == [
        (f"{key}.a1", "instance option removed (1x GPU A)", True),
        (f"{key}.b2", "instance option changed from 2x GPU B to 4x GPU B", True),
        (f"{key}.c3", "instance option added (1x GPU C)", False),
    ]


# -- order, format, and the committed contract -----------------------------------------------------
def test_order_is_operations_then_components_then_instance_options() -> None:
    key = contract.INSTANCE_OPTIONS_KEY
    old = {**thing(enum("A"), direction=OUTPUT), key: [{"id": "a1", "gpu": "GPU A", "count": 1}]}
    new = copy.deepcopy(old)
    new[key] = []
    new["components"]["schemas"]["Thing"]["properties"]["x"]["enum"].append("B")
    new["paths"]["/things"]["post"]["responses"]["409"] = {"description": "Conflict"}
    expected = [
        (f"{OP} responses.409", "response status added", False),
        (X, "enum value 'B' added", False),
        (f"{key}.a1", "instance option removed (1x GPU A)", True),
    ]
    assert changes(old, new) == expected
    assert changes(old, new) == expected  # deterministic


def test_change_line_format() -> None:
    assert Change("GET /x", "operation removed", True).line() == "BREAKING  GET /x: operation removed"
    assert Change("GET /x", "operation added", False).line() == "additive  GET /x: operation added"


def test_is_breaking_decides_direction() -> None:
    effect, inp, out = schema_diff.Effect, schema_diff.INPUT, schema_diff.OUTPUT
    table = {
        effect.WIDENS: (False, True),
        effect.NARROWS: (True, False),
        effect.CHANGES: (True, True),
        effect.ADDS_ENUM_VALUES: (False, False),
        effect.NEUTRAL: (False, False),
    }
    for value, (breaks_input, breaks_output) in table.items():
        assert (schema_diff.is_breaking(value, [inp]), schema_diff.is_breaking(value, [out])) == (
            breaks_input,
            breaks_output,
        )
        assert schema_diff.is_breaking(value, [inp, out]) == (breaks_input or breaks_output)


@pytest.mark.parametrize("module", [schema_diff, openapi31, contract])
def test_docstring_examples_of_the_pipeline(module: Any) -> None:
    result = doctest.testmod(module, optionflags=doctest.ELLIPSIS)
    assert result.attempted > 0
    assert result.failed == 0


def _inline_components(doc: Doc) -> Doc:
    """Every (non-recursive) component schema reference replaced by the schema itself."""
    schemas = doc["components"]["schemas"]

    def inline(node: Any) -> Any:
        if isinstance(node, dict):
            if str(node.get("$ref", "")).startswith("#/components/schemas/"):
                target = schemas[node["$ref"].rsplit("/", 1)[1]]
                return inline({**target, **{k: v for k, v in node.items() if k != "$ref"}})
            return {key: inline(value) for key, value in node.items()}
        if isinstance(node, list):
            return [inline(value) for value in node]
        return node

    result = {**doc, "paths": inline(doc["paths"])}
    result["components"] = {k: v for k, v in doc["components"].items() if k != "schemas"}
    # A discriminator's mapping names schemas by URI, which cannot be inlined: those stay components.
    mapped = {target.rsplit("/", 1)[1] for target in _mapping_targets(doc)}
    if mapped:
        result["components"]["schemas"] = {name: inline(schemas[name]) for name in sorted(mapped)}
    return result


def _mapping_targets(node: Any) -> list[str]:
    if isinstance(node, list):
        return [target for value in node for target in _mapping_targets(value)]
    if not isinstance(node, dict):
        return []
    found = list((node.get("discriminator") or {}).get("mapping", {}).values())
    return found + [target for value in node.values() for target in _mapping_targets(value)]


def test_committed_contract_refactored_is_not_drift(pinned: Doc) -> None:
    """The committed contract against itself with every component inlined, or renamed: nothing."""
    surface = contract.surface(pinned)
    assert changes(surface, copy.deepcopy(surface)) == []
    assert changes(surface, _inline_components(surface)) == []
    assert changes(_inline_components(surface), surface) == []
    assert changes(surface, rename_components(surface)) == []
