"""Wire-level comparison of two JSON Schemas (OpenAPI 3.1): what each change does to the values allowed.

A ``SchemaDiff`` compares a schema of the pinned contract with one of the upstream's and reports
``Finding``s: a location, a text, an ``Effect`` (does the change widen or narrow the set of values
the schema allows, or neither) and the direction the schema travels in (``INPUT``: sent by the SDK;
``OUTPUT``: received by it). Whether a finding breaks SDK users is decided in one place,
``is_breaking``, from the effect and the directions.

References are compared by what they resolve to: a ``$ref`` inlined, a schema extracted into
components or a component renamed changes nothing on the wire and gives no finding. When both
sides reference the same component (same name, or a rename: see ``renames``), what differs inside
it is reported at the component (``components.schemas.<Name>`` of the upstream), once, whichever
operation reaches it; otherwise (one side inline, or another component) at the place of use.
Recursive schemas are compared once per pair of components (or of places).

The keyword rules are the tables ``VALUE_RULES`` (keywords compared as values) and
``STRUCTURE_RULES`` (keywords holding schemas), below; a keyword in neither, and not an annotation,
is compared by equality and any change of it breaks.

>>> from scripts.pipeline.schema_diff import SchemaDiff, INPUT
>>> document = {"components": {"schemas": {}}}
>>> diff = SchemaDiff(document, document)
>>> diff.compare("x", {"type": "integer"}, {"type": "number"}, INPUT)
>>> [(f.text, f.effect.name) for f in diff.findings]
[("type widened from 'integer' to 'number'", 'WIDENS')]
"""

from __future__ import annotations

import enum
import json
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any

from scripts.pipeline import contract
from scripts.pipeline.contract import Document

INPUT, OUTPUT = "input", "output"


class Effect(enum.Enum):
    """What a change does to the values (or requests, or responses) the contract allows."""

    WIDENS = "widens"  # everything valid before is still valid, and more is valid now
    NARROWS = "narrows"  # everything valid now was valid before, and less is valid now
    CHANGES = "changes"  # neither, or something SDK code names has gone: breaks in any direction
    ADDS_ENUM_VALUES = "adds enum values"  # widens, but the SDK's enums are open: tolerated in any direction
    NEUTRAL = "neutral"  # no value changes validity (a default, a deprecation, a new optional field)


def is_breaking(effect: Effect, directions: Iterable[str]) -> bool:
    """The one place that decides direction: narrowing an input or widening an output breaks.

    >>> is_breaking(Effect.WIDENS, [INPUT]), is_breaking(Effect.WIDENS, [OUTPUT])
    (False, True)
    >>> is_breaking(Effect.NARROWS, [INPUT, OUTPUT])
    True
    """
    directions = set(directions)
    if effect is Effect.CHANGES:
        return True
    if effect is Effect.NARROWS:
        return INPUT in directions
    if effect is Effect.WIDENS:
        return OUTPUT in directions
    # NEUTRAL; ADDS_ENUM_VALUES: a response may carry a value the SDK has never seen, which is
    # tolerated ONLY because the generated enums are open (scripts/pipeline/templates/*_enum.py.jinja).
    return False


@dataclass(frozen=True)
class Finding:
    """One difference: where, what, its effect on allowed values, and the direction it travels in."""

    location: str
    text: str
    effect: Effect
    direction: str | None


# -- what a schema says, once its annotations and its nullability are set apart --------------------
# Keywords that describe rather than constrain: never compared.
ANNOTATIONS = frozenset(
    {
        "title",
        "description",
        "summary",
        "example",
        "examples",
        "externalDocs",
        "xml",
        "$comment",
        "$schema",
        "$id",
        "$anchor",
        "$dynamicAnchor",
        "$defs",
        "definitions",
    }
)
# Keywords that do not constrain values (compared, but never make a schema "any value" or not).
NEUTRAL_KEYWORDS = frozenset({"default", "deprecated"})
COMPOSITIONS = ("anyOf", "oneOf")
_ANY: dict[str, Any] = {}  # the schema that allows every value (absent items, additionalProperties: true)


@dataclass(eq=False)
class _View:
    """A schema as compared: its constraint keywords, whether null is allowed, and its ``$ref`` if any.

    ``origin`` is the object the view was made from: an inline schema met again is known by it.
    """

    keywords: dict[str, Any]
    nullable: bool
    ref: str | None
    origin: object = field(repr=False)

    def constrains(self) -> bool:
        return self.ref is not None or any(key not in NEUTRAL_KEYWORDS for key in self.keywords)


def _view(node: Any) -> _View:
    """Split a schema into (keywords, nullable, ref): ``type: [x, 'null']``, ``anyOf: [X, {type: 'null'}]``,
    ``enum: [..., null]`` and OpenAPI 3.0's ``nullable: true`` all become ``nullable=True``."""
    if node is True or node is None:
        return _View({}, nullable=False, ref=None, origin=node)
    if node is False:
        return _View({"not": {}}, nullable=False, ref=None, origin=node)
    if not isinstance(node, Mapping):
        raise contract.ContractFormatError(f"a schema must be an object or a boolean, not {shown(node)}")
    keywords = {k: v for k, v in node.items() if k not in ANNOTATIONS and not k.startswith("x-")}
    nullable = keywords.pop("nullable", False) is True
    ref = keywords.pop("$ref", None)
    types = keywords.get("type")
    if types == "null" or (isinstance(types, list) and "null" in types):
        nullable = True
        rest = [] if types == "null" else [t for t in types if t != "null"]
        keywords["type"] = rest[0] if len(rest) == 1 else rest
    if isinstance(keywords.get("enum"), list) and None in keywords["enum"]:
        nullable = True
        keywords["enum"] = [value for value in keywords["enum"] if value is not None]
    for keyword in COMPOSITIONS:
        variants = keywords.get(keyword)
        if not isinstance(variants, list) or not any(_is_null(v) for v in variants):
            continue
        nullable = True
        rest = [v for v in variants if not _is_null(v)]
        del keywords[keyword]
        if len(rest) == 1 and ref is None:  # anyOf: [X, null] is X, nullable
            inner = _view(rest[0])
            if not set(inner.keywords) & set(keywords):
                keywords.update(inner.keywords)
                return _View(keywords, nullable or inner.nullable, inner.ref, origin=node)
        if rest:
            keywords[keyword] = rest
        else:
            keywords["type"] = []
    branches = keywords.get("allOf")
    if isinstance(branches, list) and len(branches) == 1 and ref is None:  # allOf: [X] is X
        inner = _view(branches[0])
        others = {k: v for k, v in keywords.items() if k != "allOf"}
        if not set(inner.keywords) & set(others):
            return _View({**others, **inner.keywords}, nullable or inner.nullable, inner.ref, origin=node)
    return _View(keywords, nullable, ref if isinstance(ref, str) else None, origin=node)


def _as_view(node: Any) -> _View:
    return node if isinstance(node, _View) else _view(node)


def _is_null(node: Any) -> bool:
    if not isinstance(node, Mapping):
        return False
    keywords = {k: v for k, v in node.items() if k not in ANNOTATIONS and not k.startswith("x-")}
    return keywords in ({"type": "null"}, {"type": ["null"]}, {"const": None}, {"enum": [None]})


# -- value rules: keyword(s) -> (text, effect) -----------------------------------------------------
ValueRule = Callable[[Mapping[str, Any], Mapping[str, Any]], Iterator[tuple[str, Effect]]]
_VERB = {
    Effect.WIDENS: "widened",
    Effect.NARROWS: "narrowed",
    Effect.CHANGES: "changed",
    Effect.ADDS_ENUM_VALUES: "widened",
    Effect.NEUTRAL: "changed",
}


def _moved(keyword: str, old: Any, new: Any, effect: Effect) -> tuple[str, Effect]:
    return f"{keyword} {_VERB[effect]} from {shown(old)} to {shown(new)}", effect


def _type_set(value: Any) -> frozenset[str] | None:
    """None: any type."""
    if value is None:
        return None
    return frozenset([value] if isinstance(value, str) else value)


def _types_cover(wide: frozenset[str] | None, narrow: frozenset[str] | None) -> bool:
    """Every value of the types ``narrow`` is of the types ``wide`` (an integer is a number)."""
    if wide is None:
        return True
    if narrow is None:
        return False
    return all(t in wide or (t == "integer" and "number" in wide) for t in narrow)


def _set_effect(wider_than_old: bool, narrower_than_old: bool) -> Effect:
    if wider_than_old:
        return Effect.WIDENS
    return Effect.NARROWS if narrower_than_old else Effect.CHANGES


def _type_rule(old: Mapping[str, Any], new: Mapping[str, Any]) -> Iterator[tuple[str, Effect]]:
    before, after = _type_set(old.get("type")), _type_set(new.get("type"))
    if before != after:
        effect = _set_effect(_types_cover(after, before), _types_cover(before, after))
        yield _moved("type", old.get("type"), new.get("type"), effect)


def _format_rule(old: Mapping[str, Any], new: Mapping[str, Any]) -> Iterator[tuple[str, Effect]]:
    # A format decides the Python type the SDK uses (date-time is datetime, no format is str):
    # adding or removing one changes SDK code's types in either direction.
    if old.get("format") != new.get("format"):
        yield _moved("format", old.get("format"), new.get("format"), Effect.CHANGES)


def _enum_rule(old: Mapping[str, Any], new: Mapping[str, Any]) -> Iterator[tuple[str, Effect]]:
    if "enum" not in old and "enum" not in new:
        return
    if "enum" not in new:
        yield "enum constraint removed", Effect.ADDS_ENUM_VALUES
        return
    if "enum" not in old:
        yield f"enum constraint added: {shown(new['enum'])}", Effect.NARROWS
        return
    before, after = {canonical(v): v for v in old["enum"]}, {canonical(v): v for v in new["enum"]}
    for key, value in before.items():
        if key not in after:
            # Breaking in any direction: the generated enum loses a member that SDK code may name.
            yield f"enum value {shown(value)} removed", Effect.CHANGES
    for key, value in after.items():
        if key not in before:
            yield f"enum value {shown(value)} added", Effect.ADDS_ENUM_VALUES


def _const_rule(old: Mapping[str, Any], new: Mapping[str, Any]) -> Iterator[tuple[str, Effect]]:
    missing = object()
    before, after = old.get("const", missing), new.get("const", missing)
    if (before is missing and after is missing) or canonical(before) == canonical(after):
        return
    effect = Effect.WIDENS if after is missing else Effect.NARROWS if before is missing else Effect.CHANGES
    yield _moved("const", None if before is missing else before, None if after is missing else after, effect)


def _bound_rule(inclusive: str, exclusive: str | None, *, lower: bool) -> ValueRule:
    """A lower or upper bound, possibly spelt two ways (``minimum`` / ``exclusiveMinimum``)."""

    def effective(schema: Mapping[str, Any]) -> tuple[str, Any, bool] | None:
        """The tightest bound as (keyword, value, strict)."""
        candidates: list[tuple[str, Any, bool]] = []
        if _is_number(schema.get(inclusive)):
            if exclusive is not None and schema.get(exclusive) is True:  # OpenAPI 3.0's spelling
                candidates.append((exclusive, schema[inclusive], True))
            else:
                candidates.append((inclusive, schema[inclusive], False))
        if exclusive is not None and _is_number(schema.get(exclusive)):
            candidates.append((exclusive, schema[exclusive], True))
        return max(candidates, key=tightness, default=None)

    def tightness(bound: tuple[str, Any, bool]) -> tuple[Any, bool]:
        _, value, strict = bound
        return (value, strict) if lower else (-value, strict)

    def rule(old: Mapping[str, Any], new: Mapping[str, Any]) -> Iterator[tuple[str, Effect]]:
        before, after = effective(old), effective(new)
        if (before is None and after is None) or (before and after and before[1:] == after[1:]):
            return
        if before is None or after is None:
            effect = Effect.NARROWS if before is None else Effect.WIDENS
        else:
            effect = Effect.NARROWS if tightness(after) > tightness(before) else Effect.WIDENS
        keywords = {bound[0] for bound in (before, after) if bound is not None}
        if len(keywords) == 1:
            yield _moved(keywords.pop(), before and before[1], after and after[1], effect)
        else:
            side = "lower" if lower else "upper"
            text = f"{side} bound {_VERB[effect]} from {_show_bound(before)} to {_show_bound(after)}"
            yield text, effect

    return rule


def _multiple_of_rule(old: Mapping[str, Any], new: Mapping[str, Any]) -> Iterator[tuple[str, Effect]]:
    before, after = old.get("multipleOf"), new.get("multipleOf")
    if before == after:
        return
    if before is None or after is None:
        effect = Effect.NARROWS if before is None else Effect.WIDENS
    else:
        step_before, step_after = Fraction(str(before)), Fraction(str(after))
        divides_old = step_before % step_after == 0  # every multiple of the old step is one of the new
        effect = _set_effect(divides_old, step_after % step_before == 0)
    yield _moved("multipleOf", before, after, effect)


def _pattern_rule(old: Mapping[str, Any], new: Mapping[str, Any]) -> Iterator[tuple[str, Effect]]:
    before, after = old.get("pattern"), new.get("pattern")
    if before != after:
        effect = Effect.NARROWS if before is None else Effect.WIDENS if after is None else Effect.CHANGES
        yield _moved("pattern", before, after, effect)


def _flag_rule(keyword: str, *, true_narrows: bool) -> ValueRule:
    def rule(old: Mapping[str, Any], new: Mapping[str, Any]) -> Iterator[tuple[str, Effect]]:
        before, after = old.get(keyword) is True, new.get(keyword) is True
        if before != after:
            effect = Effect.NARROWS if after == true_narrows else Effect.WIDENS
            yield _moved(keyword, before, after, effect)

    return rule


def _default_rule(old: Mapping[str, Any], new: Mapping[str, Any]) -> Iterator[tuple[str, Effect]]:
    missing = object()
    before, after = old.get("default", missing), new.get("default", missing)
    if canonical(before) != canonical(after):
        shown_before, shown_after = (None if value is missing else value for value in (before, after))
        yield _moved("default", shown_before, shown_after, Effect.NEUTRAL)


def _deprecated_rule(old: Mapping[str, Any], new: Mapping[str, Any]) -> Iterator[tuple[str, Effect]]:
    before, after = old.get("deprecated") is True, new.get("deprecated") is True
    if before != after:
        yield ("became deprecated" if after else "no longer deprecated"), Effect.NEUTRAL


VALUE_RULES: tuple[tuple[tuple[str, ...], ValueRule], ...] = (
    (("type",), _type_rule),
    (("format",), _format_rule),
    (("enum",), _enum_rule),
    (("const",), _const_rule),
    (("minimum", "exclusiveMinimum"), _bound_rule("minimum", "exclusiveMinimum", lower=True)),
    (("maximum", "exclusiveMaximum"), _bound_rule("maximum", "exclusiveMaximum", lower=False)),
    (("minLength",), _bound_rule("minLength", None, lower=True)),
    (("maxLength",), _bound_rule("maxLength", None, lower=False)),
    (("minItems",), _bound_rule("minItems", None, lower=True)),
    (("maxItems",), _bound_rule("maxItems", None, lower=False)),
    (("minProperties",), _bound_rule("minProperties", None, lower=True)),
    (("maxProperties",), _bound_rule("maxProperties", None, lower=False)),
    (("multipleOf",), _multiple_of_rule),
    (("pattern",), _pattern_rule),
    (("uniqueItems",), _flag_rule("uniqueItems", true_narrows=True)),
    (("default",), _default_rule),
    (("deprecated",), _deprecated_rule),
)

# Keywords holding schemas that are compared by equivalence only (any difference breaks).
EQUIVALENCE_ONLY = frozenset(
    {
        "not",
        "if",
        "then",
        "else",
        "contains",
        "propertyNames",
        "unevaluatedItems",
        "unevaluatedProperties",
        "contentSchema",
        "prefixItems",
        "patternProperties",
        "dependentSchemas",
    }
)


# -- the comparison --------------------------------------------------------------------------------
class SchemaDiff:
    """Compares schemas of ``old`` (the pinned contract) with schemas of ``new`` (the upstream's)."""

    def __init__(self, old: Document, new: Document, renames: Mapping[str, str] | None = None) -> None:
        self.documents = (old, new)
        self.renames = dict(renames or {})  # old $ref -> new $ref of components renamed (see ``renames``)
        self.findings: list[Finding] = []
        self.reference_pairs: set[tuple[str, str]] = set()  # ($ref of old, $ref of new) met at one place
        self._active: set[tuple[object, object, str]] = set()  # pairs being compared (recursion guard)
        self._components_done: set[tuple[str, str, str]] = set()
        self._equivalent: dict[tuple[int, int], tuple[bool, Any, Any]] = {}

    def compare(self, location: str, old: Any, new: Any, direction: str) -> None:
        """Compare schema ``old`` (a node of the pinned contract) with ``new`` (of the upstream's)."""
        self._schema(location, _as_view(old), _as_view(new), direction)

    # -- plumbing ----------------------------------------------------------------------------------
    def _add(self, location: str, text: str, effect: Effect, direction: str) -> None:
        self.findings.append(Finding(location, text, effect, direction))

    def _target(self, side: int, ref: str) -> Any:
        return contract.resolve(self.documents[side], ref)

    def _resolved(self, side: int, view: _View) -> _View:
        """``view`` with its ``$ref`` (chain) replaced by what it points at, siblings kept."""
        seen: set[str] = set()
        while view.ref is not None:
            if view.ref in seen:
                raise contract.ContractFormatError(f"$ref {view.ref!r} refers to itself")
            seen.add(view.ref)
            target = _view(self._target(side, view.ref))
            keywords = {**target.keywords, **view.keywords}
            view = _View(keywords, view.nullable or target.nullable, target.ref, origin=view.origin)
        return view

    def equivalent(self, old: Any, new: Any, direction: str) -> bool:
        """Whether comparing ``old`` with ``new`` finds nothing at all."""
        key = (id(old), id(new))
        if key not in self._equivalent:
            probe = SchemaDiff(*self.documents, self.renames)
            # Pairs being compared further up are assumed equivalent (else recursion never ends);
            # a difference in them is reported up there.
            probe._active, probe._equivalent = self._active, self._equivalent
            probe._schema("", _as_view(old), _as_view(new), direction)
            # The compared objects are kept with the answer, so that their ids are not reused.
            self._equivalent[key] = (not probe.findings, old, new)
        return self._equivalent[key][0]

    # -- one pair of schemas -----------------------------------------------------------------------
    def _schema(self, location: str, old: _View, new: _View, direction: str) -> None:
        key = (_recursion_key(old), _recursion_key(new), direction)
        if key in self._active:
            return  # a recursive schema met again: what differs is reported where it was first met
        self._active.add(key)
        try:
            if old.ref is not None and new.ref is not None:
                self.reference_pairs.add((old.ref, new.ref))
            if old.ref is not None and self.renames.get(old.ref, old.ref) == new.ref:
                self._references(location, old, new, direction)
            else:
                self._inline(location, self._resolved(0, old), self._resolved(1, new), direction)
        finally:
            self._active.discard(key)

    def _references(self, location: str, old: _View, new: _View, direction: str) -> None:
        """Both sides reference one component (same name, or renamed): siblings here, the rest there."""
        assert old.ref is not None
        assert new.ref is not None
        self._nullability(location, old.nullable, new.nullable, direction)
        self._keywords(location, _siblings(old), _siblings(new), direction)
        pair = (old.ref, new.ref, direction)
        if pair in self._components_done:
            return
        self._components_done.add(pair)
        targets = (self._target(0, old.ref), self._target(1, new.ref))
        self._schema(_pointer_location(new.ref), _view(targets[0]), _view(targets[1]), direction)

    def _inline(self, location: str, old: _View, new: _View, direction: str) -> None:
        if not old.constrains() or not new.constrains():
            if old.constrains() != new.constrains():
                self._any_value(location, old, new, direction)
            else:
                self._value_rules(location, old.keywords, new.keywords, direction)
            return
        self._nullability(location, old.nullable, new.nullable, direction)
        old, new = _lifted(old, new), _lifted(new, old)
        self._keywords(location, old, new, direction)

    def _any_value(self, location: str, old: _View, new: _View, direction: str) -> None:
        if new.constrains():
            self._add(location, f"was any value, now {_show_schema(new)}", Effect.NARROWS, direction)
        else:
            self._add(location, f"now any value, was {_show_schema(old)}", Effect.WIDENS, direction)
        self._value_rules(location, _neutral(old.keywords), _neutral(new.keywords), direction)

    def _nullability(self, location: str, old: bool, new: bool, direction: str) -> None:
        if old != new:
            self._add(location, "became nullable" if new else "no longer nullable", _set_effect(new, old), direction)

    def _value_rules(self, location: str, old: Mapping[str, Any], new: Mapping[str, Any], direction: str) -> None:
        for _, rule in VALUE_RULES:
            for text, effect in rule(old, new):
                self._add(location, text, effect, direction)

    def _keywords(self, location: str, old: _View, new: _View, direction: str) -> None:
        before, after = old.keywords, new.keywords
        self._value_rules(location, before, after, direction)
        for rule in STRUCTURE_RULES:
            rule(self, location, before, after, direction)
        handled = {keyword for keywords, _ in VALUE_RULES for keyword in keywords} | HANDLED_BY_STRUCTURE
        for keyword in both_keys(before, after):
            if keyword in handled:
                continue
            if keyword in EQUIVALENCE_ONLY:
                self._equivalence_only(location, keyword, before.get(keyword), after.get(keyword), direction)
            elif canonical(before.get(keyword)) != canonical(after.get(keyword)):
                self._add(
                    location, *_moved(keyword, before.get(keyword), after.get(keyword), Effect.CHANGES), direction
                )

    # -- structure rules ---------------------------------------------------------------------------
    def _properties(self, location: str, old: Mapping[str, Any], new: Mapping[str, Any], direction: str) -> None:
        before, after = old.get("properties") or {}, new.get("properties") or {}
        required_before, required_after = set(old.get("required") or []), set(new.get("required") or [])
        for name in both_keys(before, after):
            where = f"{location}.properties.{name}"
            if name not in after:
                # Breaking in any direction: SDK code names the field.
                self._add(where, "property removed", Effect.CHANGES, direction)
            elif name not in before:
                if name in required_after:
                    self._add(where, "required property added", Effect.NARROWS, direction)
                else:
                    self._add(where, "optional property added", Effect.NEUTRAL, direction)
            else:
                self._required(where, name in required_before, name in required_after, direction)
                self.compare(where, before[name], after[name], direction)
        for name in sorted((required_before ^ required_after) - set(before) - set(after)):
            where = f"{location}.properties.{name}"
            self._required(where, name in required_before, name in required_after, direction)

    def _required(self, location: str, old: bool, new: bool, direction: str) -> None:
        if old != new:
            effect = Effect.NARROWS if new else Effect.WIDENS
            self._add(location, "became required" if new else "no longer required", effect, direction)

    def _items(self, location: str, old: Mapping[str, Any], new: Mapping[str, Any], direction: str) -> None:
        if "items" in old or "items" in new:
            self.compare(f"{location}.items", old.get("items", _ANY), new.get("items", _ANY), direction)

    def _additional_properties(
        self, location: str, old: Mapping[str, Any], new: Mapping[str, Any], direction: str
    ) -> None:
        before, after = old.get("additionalProperties", True), new.get("additionalProperties", True)
        where = f"{location}.additionalProperties"
        if before is False and after is False:
            return
        if before is False or after is False:
            effect = Effect.WIDENS if before is False else Effect.NARROWS
            self._add(where, *_moved("additionalProperties", before, after, effect), direction)
            return
        self.compare(where, _ANY if before is True else before, _ANY if after is True else after, direction)

    def _compositions(self, location: str, old: Mapping[str, Any], new: Mapping[str, Any], direction: str) -> None:
        old_kind = next((k for k in COMPOSITIONS if k in old), None)
        new_kind = next((k for k in COMPOSITIONS if k in new), None)
        if old_kind is not None and new_kind is not None:
            where = f"{location}.{new_kind}"
            self._variants(where, old[old_kind], new[new_kind], direction, adding=Effect.WIDENS)
            if old_kind != new_kind:  # oneOf: exactly one variant may match; anyOf: at least one
                effect = Effect.NARROWS if new_kind == "oneOf" else Effect.WIDENS
                self._add(location, f"{old_kind} became {new_kind}", effect, direction)
        elif old_kind is not None or new_kind is not None:
            if new_kind is None:
                assert old_kind is not None
                text, effect = f"{old_kind} removed: {_show_variants(old[old_kind])}", Effect.WIDENS
            else:
                text, effect = f"{new_kind} added: {_show_variants(new[new_kind])}", Effect.NARROWS
            self._add(location, text, effect, direction)
        self._variants(
            f"{location}.allOf", old.get("allOf") or [], new.get("allOf") or [], direction, adding=Effect.NARROWS
        )

    def _variants(self, location: str, old: list[Any], new: list[Any], direction: str, *, adding: Effect) -> None:
        """Variants paired by what they allow (then by reference or type); the rest added or removed."""
        removing = Effect.NARROWS if adding is Effect.WIDENS else Effect.WIDENS
        old_views, new_views = [_as_view(v) for v in old], [_as_view(v) for v in new]
        pairs: dict[int, int] = {}
        for i, old_view in enumerate(old_views):
            for j, new_view in enumerate(new_views):
                if j not in pairs.values() and self.equivalent(old_view, new_view, direction):
                    pairs[i] = j
                    break
        for i, old_view in enumerate(old_views):
            identity = _identity(old_view)
            if i in pairs or identity is None:
                continue
            same = [j for j, view in enumerate(new_views) if j not in pairs.values() and _identity(view) == identity]
            if len(same) == 1:
                pairs[i] = same[0]
        lone_old = [i for i in range(len(old)) if i not in pairs]
        lone_new = [j for j in range(len(new)) if j not in pairs.values()]
        if len(lone_old) == 1 and len(lone_new) == 1:
            pairs[lone_old.pop()] = lone_new.pop()
        for i in sorted(pairs, key=pairs.__getitem__):
            j = pairs[i]
            self._schema(f"{location}[{j}]", old_views[i], new_views[j], direction)
        for i in lone_old:
            self._add(location, f"variant removed: {_show_schema(old_views[i])}", removing, direction)
        for j in lone_new:
            self._add(location, f"variant added: {_show_schema(new_views[j])}", adding, direction)

    def _discriminator(self, location: str, old: Mapping[str, Any], new: Mapping[str, Any], direction: str) -> None:
        before, after = old.get("discriminator"), new.get("discriminator")
        if before is None and after is None:
            return
        if before is None or after is None:
            # How the SDK picks a variant when it parses: a change of it breaks in any direction.
            self._add(location, *_moved("discriminator", before, after, Effect.CHANGES), direction)
            return
        if before.get("propertyName") != after.get("propertyName"):
            name = "discriminator propertyName"
            self._add(
                location,
                *_moved(name, before.get("propertyName"), after.get("propertyName"), Effect.CHANGES),
                direction,
            )
        mapping_before, mapping_after = before.get("mapping") or {}, after.get("mapping") or {}
        for value in both_keys(mapping_before, mapping_after):
            if value not in mapping_after:
                self._add(location, f"discriminator value {shown(value)} removed", Effect.NARROWS, direction)
            elif value not in mapping_before:
                self._add(location, f"discriminator value {shown(value)} added", Effect.WIDENS, direction)
            else:
                old_target = {"$ref": _mapping_ref(mapping_before[value])}
                new_target = {"$ref": _mapping_ref(mapping_after[value])}
                if not self.equivalent(old_target, new_target, direction):
                    text = f"discriminator value {shown(value)} now maps to another schema"
                    self._add(location, text, Effect.CHANGES, direction)

    def _equivalence_only(self, location: str, keyword: str, old: Any, new: Any, direction: str) -> None:
        if old is None and new is None:
            return
        if isinstance(old, list) and isinstance(new, list):
            same = len(old) == len(new) and all(self.equivalent(a, b, direction) for a, b in zip(old, new, strict=True))
        elif (
            isinstance(old, Mapping)
            and isinstance(new, Mapping)
            and keyword in {"patternProperties", "dependentSchemas"}
        ):
            same = set(old) == set(new) and all(self.equivalent(old[k], new[k], direction) for k in old)
        elif old is None or new is None:
            same = False
        else:
            same = self.equivalent(old, new, direction)
        if not same:
            self._add(location, f"{keyword} changed", Effect.CHANGES, direction)


StructureRule = Callable[[SchemaDiff, str, Mapping[str, Any], Mapping[str, Any], str], None]
STRUCTURE_RULES: tuple[StructureRule, ...] = (
    SchemaDiff._properties,
    SchemaDiff._items,
    SchemaDiff._additional_properties,
    SchemaDiff._compositions,
    SchemaDiff._discriminator,
)
HANDLED_BY_STRUCTURE = frozenset(
    {"properties", "required", "items", "additionalProperties", "anyOf", "oneOf", "allOf", "discriminator"}
)


def renames(reference_pairs: Iterable[tuple[str, str]]) -> dict[str, str]:
    """Components renamed: old and new names met together, and each never with another name.

    >>> renames([("#/A", "#/B"), ("#/C", "#/C"), ("#/D", "#/E"), ("#/D", "#/F")])
    {'#/A': '#/B'}
    """
    pairs = set(reference_pairs)
    partners_of_old: dict[str, set[str]] = {}
    partners_of_new: dict[str, set[str]] = {}
    for old, new in pairs:
        partners_of_old.setdefault(old, set()).add(new)
        partners_of_new.setdefault(new, set()).add(old)
    return {
        old: new
        for old, new in sorted(pairs)
        if old != new and partners_of_old[old] == {new} and partners_of_new[new] == {old}
    }


# -- helpers ---------------------------------------------------------------------------------------
def _siblings(view: _View) -> _View:
    """A reference's sibling keywords on their own (what the reference adds at its site)."""
    return _View(dict(view.keywords), nullable=False, ref=None, origin=view.origin)


def _lifted(view: _View, other: _View) -> _View:
    """A plain schema compared with a composition (``anyOf``/``oneOf``/``allOf`` and nothing else) as
    a composition of one."""
    kind = next((k for k in (*COMPOSITIONS, "allOf") if k in other.keywords), None)
    if kind is None or any(k in view.keywords for k in (*COMPOSITIONS, "allOf")):
        return view
    if set(other.keywords) - {kind} - NEUTRAL_KEYWORDS:
        return view
    outer = {k: v for k, v in view.keywords.items() if k in NEUTRAL_KEYWORDS}
    core = _View({k: v for k, v in view.keywords.items() if k not in NEUTRAL_KEYWORDS}, False, None, view.origin)
    return _View({**outer, kind: [core]}, view.nullable, None, origin=view.origin)


def _recursion_key(view: _View) -> object:
    """What identifies a schema met again: a reference by its target and siblings, else its object."""
    if view.ref is not None:
        return ("ref", view.ref, view.nullable, canonical(view.keywords))
    return ("object", id(view.origin))


def _neutral(keywords: Mapping[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in keywords.items() if k in NEUTRAL_KEYWORDS}


def _identity(view: _View) -> tuple[str, Any] | None:
    if view.ref is not None:
        return ("ref", view.ref)
    types = _type_set(view.keywords.get("type"))
    return ("type", types) if types is not None else None


def _mapping_ref(value: str) -> str:
    """A discriminator mapping value: a reference, or (OpenAPI allows it) a bare component name."""
    return value if "/" in value or value.startswith("#") else f"#/components/schemas/{value}"


def _pointer_location(ref: str) -> str:
    """``#/components/schemas/Name`` -> ``components.schemas.Name``."""
    return ".".join(contract.pointer_parts(ref))


def both_keys(old: Mapping[Any, Any], new: Mapping[Any, Any]) -> list[Any]:
    """Keys of both mappings: the old order first, then what is new, in the new order."""
    return [*old, *(key for key in new if key not in old)]


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def canonical(value: Any) -> str:
    """One text per value, to compare values (and sort them) by what they are: JSON with sorted keys.
    What JSON cannot write (a YAML ``!!binary``, say) is written as its ``repr``, not refused: the
    comparison must not crash on an odd contract. (The drift report uses it too.)

    >>> canonical({"b": 1, "a": [True, None]}) == canonical({"a": [True, None], "b": 1})
    True
    """
    return json.dumps(value, sort_keys=True, default=repr)


def shown(value: Any) -> str:
    """A value as the reports show it: strings quoted, None as (none), anything else as ``canonical``."""
    if value is None:
        return "(none)"
    return canonical(value) if not isinstance(value, str) else repr(value)


def _show_bound(bound: tuple[str, Any, bool] | None) -> str:
    return "(none)" if bound is None else f"{bound[0]} {shown(bound[1])}"


def _show_schema(view: _View, limit: int = 120) -> str:
    if view.ref is not None and not view.keywords:
        return view.ref.rsplit("/", 1)[-1]
    keywords = dict(view.keywords)
    if view.ref is not None:
        keywords["$ref"] = view.ref
    text = json.dumps(_plain(keywords), sort_keys=True, default=repr)
    return text if len(text) <= limit else text[: limit - 3] + "..."


def _show_variants(variants: list[Any]) -> str:
    return ", ".join(_show_schema(v if isinstance(v, _View) else _view(v)) for v in variants)


def _plain(value: Any) -> Any:
    """Views inside keyword values (lifted unions) shown as their keywords."""
    if isinstance(value, _View):
        return _plain(value.keywords)
    if isinstance(value, Mapping):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    return value
