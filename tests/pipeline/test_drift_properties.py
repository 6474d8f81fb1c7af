"""Properties of scripts/pipeline/drift.py compare() on generated contracts (hypothesis, derandomized).

The contracts are built from random component graphs: objects whose properties are primitives with
bounds and enums, arrays, nullable unions, unions and references to any component (so recursion,
direct or through others, is common). Refactorings that change nothing on the wire must report
nothing, and the comparison must end.
"""

from __future__ import annotations

import copy
from typing import Any

from hypothesis import HealthCheck, given, settings, strategies as st
from upstream_factory import rename_components

from scripts.pipeline import drift

Doc = dict[str, Any]
MAX_COMPONENTS = 4
PROPERTY_NAMES = st.sampled_from(["a", "b", "c", "d"])
SETTINGS = settings(max_examples=60, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.too_slow])


def _primitive() -> st.SearchStrategy[Doc]:
    integer = st.fixed_dictionaries({"type": st.just("integer")}, optional={"minimum": st.integers(0, 5)})
    number = st.fixed_dictionaries({"type": st.just("number")}, optional={"maximum": st.integers(5, 9)})
    string = st.fixed_dictionaries(
        {"type": st.just("string")},
        optional={"maxLength": st.integers(1, 9), "enum": st.lists(st.sampled_from("XYZ"), min_size=1, unique=True)},
    )
    return st.one_of(integer, number, string, st.just({"type": "boolean"}))


def _schema(components: int) -> st.SearchStrategy[Doc]:
    reference = st.integers(0, components - 1).map(lambda i: {"$ref": f"#/components/schemas/C{i}"})

    def extend(inner: st.SearchStrategy[Doc]) -> st.SearchStrategy[Doc]:
        return st.one_of(
            inner.map(lambda s: {"type": "array", "items": s}),
            inner.map(lambda s: {"anyOf": [s, {"type": "null"}]}),
            st.lists(inner, min_size=2, max_size=3).map(lambda variants: {"anyOf": variants}),
            _object(inner),
        )

    return st.recursive(st.one_of(_primitive(), reference), extend, max_leaves=6)


def _object(inner: st.SearchStrategy[Doc]) -> st.SearchStrategy[Doc]:
    def build(properties: dict[str, Doc], required: list[str]) -> Doc:
        schema: Doc = {"type": "object", "properties": properties}
        kept = [name for name in required if name in properties]
        if kept:
            schema["required"] = kept
        return schema

    return st.builds(build, st.dictionaries(PROPERTY_NAMES, inner, max_size=3), st.lists(PROPERTY_NAMES, unique=True))


@st.composite
def contracts(draw: st.DrawFn) -> Doc:
    count = draw(st.integers(1, MAX_COMPONENTS))
    schemas = {f"C{i}": draw(_object(_schema(count))) for i in range(count)}
    operation = {
        "operationId": "createThing",
        "requestBody": {"content": {"application/json": {"schema": {"$ref": "#/components/schemas/C0"}}}},
        "responses": {
            "200": {
                "description": "OK",
                "content": {"application/json": {"schema": {"$ref": f"#/components/schemas/C{count - 1}"}}},
            }
        },
    }
    return {
        "openapi": "3.1.0",
        "info": {"title": "Generated", "version": "1"},
        "paths": {"/things": {"post": operation}},
        "components": {"schemas": schemas},
    }


def _inlined_once(doc: Doc) -> Doc:
    """The request and response schemas replaced by (a copy of) what they reference."""
    result = copy.deepcopy(doc)
    schemas = result["components"]["schemas"]
    operation = result["paths"]["/things"]["post"]
    media = [operation["requestBody"]["content"]["application/json"]]
    media.append(operation["responses"]["200"]["content"]["application/json"])
    for content in media:
        content["schema"] = copy.deepcopy(schemas[content["schema"]["$ref"].rsplit("/", 1)[1]])
    return result


@SETTINGS
@given(contracts())
def test_a_contract_against_itself_reports_nothing(doc: Doc) -> None:
    assert drift.compare(doc, copy.deepcopy(doc)) == []


@SETTINGS
@given(contracts())
def test_renaming_every_component_reports_nothing(doc: Doc) -> None:
    assert drift.compare(doc, rename_components(doc)) == []


@SETTINGS
@given(contracts())
def test_inlining_or_extracting_the_bodies_reports_nothing(doc: Doc) -> None:
    assert drift.compare(doc, _inlined_once(doc)) == []
    assert drift.compare(_inlined_once(doc), doc) == []


@SETTINGS
@given(contracts(), contracts())
def test_any_two_contracts_compare_deterministically(old: Doc, new: Doc) -> None:
    """Unrelated (often recursive) contracts: the comparison ends, and says the same thing twice."""
    first = drift.compare(old, new)
    assert drift.compare(old, new) == first
    assert len({(c.location, c.change) for c in first}) == len(first)  # each change once
