"""The API contract, as the emulator's single source of truth: routes, parameters and schemas.

Everything the emulator checks comes from the contract shipped inside the package
(``friendli_dedicated_api/openapi.json``), so a regenerated contract changes the emulator with it:
paths and methods become routes, parameters are coerced and checked by their schemas, request
bodies are validated with JSON Schema Draft 2020-12 (``$ref`` resolved against the document), and
violations are reported in the contract's ``HTTPValidationError`` shape.

Where the contract sets no bound, the emulator sets its own, so that nothing huge is stored and
echoed back (``bounded``): a string in a request body, a query or a header has at most
``MAX_STRING_LENGTH`` characters (unless the contract gives a ``maxLength``), an integer fits in
64 bits and a number in a double. A request body is read as FastAPI reads it: as JSON when its
Content-Type is absent, ``application/json`` or ``application/*+json``; any other type is handed
over as it is and refused as "not an object" (``model_attributes_type``). JSON nested deeper than
``MAX_JSON_DEPTH`` levels, or with ``NaN``/``Infinity`` (which JSON does not have), is refused as
invalid JSON (``json_invalid``, with the reason in ``ctx.error`` as FastAPI puts it).

>>> contract = load_contract()
>>> contract.match("GET", "/dedicated/beta/endpoint/ep-1/status")[0].operation_id
'dedicatedGetEndpointStatus'
"""

from __future__ import annotations

import functools
import importlib.resources
import json
import re
import sys
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any, cast

import attrs

from friendli_dedicated.emulator._extra import extra_required

with extra_required():
    import jsonschema  # type: ignore[import-untyped,unused-ignore]

__all__ = [
    "MAX_JSON_DEPTH",
    "MAX_STRING_LENGTH",
    "Contract",
    "Issue",
    "Operation",
    "Parameter",
    "bounded",
    "is_json_media_type",
    "load_contract",
    "parse_json",
]

Issue = dict[str, Any]
"""One entry of a 422 ``detail`` list: ``{"loc": [...], "msg": str, "type": str}``."""

_METHODS = ("get", "put", "post", "delete", "patch", "head", "options")

MAX_STRING_LENGTH = 1024
"""The emulator's bound on a string of a request (body, query, header) where the contract has no ``maxLength``."""
MAX_JSON_DEPTH = 64
"""How deeply a request body's JSON may nest (the contract's bodies need 3 levels)."""
_INT_BOUNDS = (-(2**63), 2**63 - 1)
_NUMBER_BOUNDS = (-sys.float_info.max, sys.float_info.max)
# Keywords whose value maps names to schemas (not a schema itself), and keywords whose value is data.
_SCHEMA_MAPS = frozenset({"properties", "patternProperties", "$defs", "definitions", "dependentSchemas"})
_DATA = frozenset({"enum", "const", "default", "examples", "example"})


@attrs.frozen
class Parameter:
    """A path, query or header parameter of an operation, with its schema."""

    name: str
    location: str
    required: bool
    schema: Mapping[str, Any]

    @property
    def default(self) -> Any:
        return self.schema.get("default")


@attrs.frozen
class Operation:
    """One operation of the contract: method, path template and what it takes and returns."""

    operation_id: str
    method: str
    path: str
    parameters: tuple[Parameter, ...]
    body_schema: Mapping[str, Any] | None
    body_required: bool
    responses: Mapping[str, Any]
    pattern: re.Pattern[str] = attrs.field(repr=False)

    def response_schema(self, status: int = 200) -> Mapping[str, Any] | None:
        """The JSON schema of the ``status`` response, if the contract gives one."""
        response = self.responses.get(str(status)) or {}
        content = response.get("content", {}).get("application/json")
        return None if content is None else cast(Mapping[str, Any], content.get("schema", {}))


class Contract:
    """The loaded contract: routing, parameter coercion and validation.

    >>> contract = load_contract()
    >>> contract.error_codes[:1], contract.phases[:1]
    (('WORKLOAD_INIT_UNKNOWN_ERROR',), ('REQUESTING_VIRTUAL_MACHINE',))
    """

    def __init__(self, document: Mapping[str, Any]) -> None:
        self.document = document
        self.operations: tuple[Operation, ...] = tuple(self._operations(document))
        self.schemas: Mapping[str, Any] = document["components"]["schemas"]
        # What requests are validated against: the contract's schemas with the emulator's bounds.
        self.bounded_components: Mapping[str, Any] = {
            **document["components"],
            "schemas": {name: bounded(schema) for name, schema in self.schemas.items()},
        }
        self.instance_options: tuple[tuple[str, str, int], ...] = tuple(
            (option["id"], option["gpu"], int(option["count"])) for option in document.get("x-instance-options", [])
        )
        self.error_codes: tuple[str, ...] = tuple(self.schemas["InferenceDeploymentErrorCode"]["enum"])
        self.statuses: tuple[str, ...] = tuple(self.schemas["InferenceDeploymentStatus"]["enum"])
        self.phases: tuple[str, ...] = self.enum_values(self.schemas["DedicatedEndpointStatus"]["properties"]["phase"])

    @staticmethod
    def _operations(document: Mapping[str, Any]) -> Iterable[Operation]:
        for path, item in document["paths"].items():
            regex = "^" + re.sub(r"\\\{(\w+)\\\}", r"(?P<\1>[^/]+)", re.escape(path)) + "$"
            for method in _METHODS:
                spec = item.get(method)
                if spec is None:
                    continue
                # A path parameter is never stored (an unknown id is a 404): only queries and headers get bounds.
                params = tuple(
                    Parameter(
                        p["name"],
                        p["in"],
                        bool(p.get("required", False)),
                        p.get("schema", {}) if p["in"] == "path" else bounded(p.get("schema", {})),
                    )
                    for p in (*item.get("parameters", ()), *spec.get("parameters", ()))
                )
                body = spec.get("requestBody")
                body_schema = None if body is None else body["content"]["application/json"]["schema"]
                yield Operation(
                    operation_id=spec["operationId"],
                    method=method.upper(),
                    path=path,
                    parameters=params,
                    body_schema=body_schema,
                    body_required=bool(body and body.get("required", False)),
                    responses=spec.get("responses", {}),
                    pattern=re.compile(regex),
                )

    def enum_values(self, schema: Mapping[str, Any]) -> tuple[str, ...]:
        """The ``enum`` values of ``schema`` (through a ``$ref`` and ``anyOf``/``oneOf``, as a nullable enum has)."""
        reference = schema.get("$ref")
        if isinstance(reference, str) and reference.startswith("#/components/schemas/"):
            return self.enum_values(self.schemas[reference.rsplit("/", 1)[-1]])
        values: list[str] = list(schema.get("enum", ()))
        for branch in (*schema.get("anyOf", ()), *schema.get("oneOf", ())):
            values.extend(value for value in self.enum_values(branch) if value not in values)
        return tuple(values)

    def operation(self, operation_id: str) -> Operation:
        """The operation with this ``operationId`` (KeyError if the contract has none)."""
        for operation in self.operations:
            if operation.operation_id == operation_id:
                return operation
        raise KeyError(operation_id)

    def match(self, method: str, path: str) -> tuple[Operation, dict[str, str]] | str:
        """The operation serving ``method path`` and its path parameters; else ``"404"`` or ``"405"``."""
        path_known = False
        for operation in self.operations:
            found = operation.pattern.match(path)
            if found is None:
                continue
            path_known = True
            if operation.method == method.upper():
                return operation, found.groupdict()
        return "405" if path_known else "404"

    def allowed_methods(self, path: str) -> list[str]:
        """The methods the contract serves at ``path``, for a 405's ``Allow`` header (RFC 9110)."""
        return [operation.method for operation in self.operations if operation.pattern.match(path)]

    def validator(self, schema: Mapping[str, Any]) -> Any:
        """A Draft 2020-12 validator of ``schema``, whose ``$ref``s resolve against the contract."""
        return _validator(self, json.dumps(schema, sort_keys=True))

    def validate(self, schema: Mapping[str, Any], value: Any, loc: Sequence[str | int]) -> list[Issue]:
        """The ways ``value`` violates ``schema``, as HTTPValidationError entries under ``loc``."""
        issues: list[Issue] = []
        for error in self.validator(schema).iter_errors(value):
            issues.extend(_issues(error, list(loc)))
        return issues

    def parameters(
        self,
        operation: Operation,
        path_params: Mapping[str, str],
        query: Sequence[tuple[str, str]],
        headers: Mapping[str, str],
    ) -> tuple[dict[str, Any], list[Issue]]:
        """Every parameter of ``operation``, coerced to its declared type and checked by its schema."""
        values: dict[str, Any] = {}
        issues: list[Issue] = []
        query_first: dict[str, str] = {}
        for key, value in query:
            query_first.setdefault(key, value)
        for param in operation.parameters:
            if param.location == "path":
                raw: str | None = path_params.get(param.name)
            elif param.location == "query":
                raw = query_first.get(param.name)
            elif param.location == "header":
                raw = headers.get(param.name.lower())
            else:
                continue
            loc: list[str | int] = [param.location, param.name]
            if raw is None:
                if param.required:
                    issues.append({"loc": loc, "msg": "Field required", "type": "missing"})
                else:
                    values[param.name] = param.default
                continue
            coerced, problem = _coerce(raw, param.schema)
            if problem is not None:
                issues.append({"loc": loc, **problem})
                continue
            found = self.validate(param.schema, coerced, loc)
            if found:
                issues.extend(found)
                continue
            values[param.name] = coerced
        return values, issues

    def body(self, operation: Operation, raw: bytes, content_type: str | None = None) -> tuple[Any, list[Issue]]:
        """The request body, parsed and validated (the JSON value, and the issues found).

        ``content_type`` is the request's Content-Type header (None or "" when it had none).
        """
        if operation.body_schema is None:
            return None, []
        if not raw.strip():
            if operation.body_required:
                return None, [{"loc": ["body"], "msg": "Field required", "type": "missing"}]
            return None, []
        if content_type and not is_json_media_type(content_type):
            # FastAPI hands a body it does not read as JSON to the model as it is: not an object.
            kind, message = _TYPE_ERRORS["object"]
            return None, [{"loc": ["body"], "msg": message, "type": kind}]
        value, problem = parse_json(raw)
        if problem is not None:
            return None, [problem]
        return value, self.validate(operation.body_schema, value, ["body"])


def is_json_media_type(content_type: str) -> bool:
    """Whether FastAPI reads a body of this Content-Type as JSON: ``application/json`` or ``application/*+json``.

    >>> is_json_media_type("application/json; charset=utf-8"), is_json_media_type("text/plain")
    (True, False)
    """
    media_type = content_type.split(";", 1)[0].strip().lower()
    main, _, sub = media_type.partition("/")
    return main == "application" and (sub == "json" or sub.endswith("+json"))


class _NotJson(ValueError):
    """A constant JSON does not have (NaN, Infinity, -Infinity)."""


def _refuse_constant(name: str) -> Any:
    raise _NotJson(f"{name} is not JSON")


# One token that matters for nesting: a whole string (skipped), a bracket, or a constant JSON lacks.
_TOKENS = re.compile(r'"(?:[^"\\]++|\\.)*+"|[\[{]|[\]}]|NaN|-?Infinity')


def _offender(text: str) -> tuple[int, str]:
    """Where ``text`` (JSON that parsed, or would have but for its depth) first nests too deeply or
    spells a non-JSON constant, and what is wrong there."""
    depth = 0
    for token in _TOKENS.finditer(text):
        first = token.group()[0]
        if first in "[{":
            depth += 1
            if depth > MAX_JSON_DEPTH:
                return token.start(), f"nested deeper than {MAX_JSON_DEPTH} levels"
        elif first in "]}":
            depth -= 1
        elif first != '"':
            return token.start(), f"{token.group()} is not JSON"
    return 0, f"nested deeper than {MAX_JSON_DEPTH} levels"


def _long_integer(text: str) -> int:
    """Where the first integer longer than Python converts starts (0 if none is found)."""
    digits = sys.get_int_max_str_digits()
    pattern = r'"(?:[^"\\]++|\\.)*+"|-?\d{' + str(digits + 1) + ",}"
    for token in re.finditer(pattern, text):
        if not token.group().startswith('"'):
            return token.start()
    return 0


def _too_deep(value: Any) -> bool:
    """Whether a parsed JSON value nests deeper than ``MAX_JSON_DEPTH`` (without recursion)."""
    stack: list[tuple[Any, int]] = [(value, 1)]
    while stack:
        node, depth = stack.pop()
        children = node.values() if isinstance(node, dict) else node
        if depth > MAX_JSON_DEPTH:
            return True
        stack.extend((child, depth + 1) for child in children if isinstance(child, dict | list))
    return False


def _json_invalid(position: int, reason: str) -> Issue:
    return {"loc": ["body", position], "msg": "JSON decode error", "type": "json_invalid", "ctx": {"error": reason}}


def parse_json(raw: bytes) -> tuple[Any, Issue | None]:
    """A request body as JSON, or the ``json_invalid`` issue that refuses it (never RecursionError).

    >>> parse_json(b'{"a": [1]}')
    ({'a': [1]}, None)
    >>> parse_json(b"[" * 65 + b"]" * 65)[1]["ctx"]
    {'error': 'nested deeper than 64 levels'}
    """
    try:
        text = raw.decode(json.detect_encoding(raw), "surrogatepass")
    except UnicodeDecodeError as exc:
        return None, _json_invalid(exc.start, "not UTF-8 (nor UTF-16 or UTF-32)")
    try:
        value = json.loads(text, parse_constant=_refuse_constant)
    except _NotJson:
        return None, _json_invalid(*_offender(text))
    except json.JSONDecodeError as exc:
        return None, _json_invalid(exc.pos, exc.msg)
    except RecursionError:  # nested too deeply for the parser itself
        return None, _json_invalid(*_offender(text))
    except ValueError:  # an integer too long to convert (Python's int_max_str_digits)
        return None, _json_invalid(_long_integer(text), "an integer with too many digits")
    if isinstance(value, dict | list) and _too_deep(value):
        return None, _json_invalid(*_offender(text))
    return value, None


def bounded(schema: Any) -> Any:
    """A copy of ``schema`` in which every string, integer and number the contract leaves unbounded
    gets the emulator's bounds: ``MAX_STRING_LENGTH`` characters, 64-bit integers, finite doubles.

    >>> bounded({"anyOf": [{"type": "string"}, {"type": "null"}]})
    {'anyOf': [{'type': 'string', 'maxLength': 1024}, {'type': 'null'}]}
    >>> bounded({"type": "integer", "minimum": 0})["maximum"]
    9223372036854775807
    """
    if isinstance(schema, list):
        return [bounded(item) for item in schema]
    if not isinstance(schema, dict):
        return schema
    copy: dict[str, Any] = {}
    for key, value in schema.items():
        if key in _SCHEMA_MAPS and isinstance(value, dict):
            copy[key] = {name: bounded(sub) for name, sub in value.items()}
        elif key in _DATA:
            copy[key] = value
        else:
            copy[key] = bounded(value)
    if "enum" in schema or "const" in schema:
        return copy
    types = _declared_types(schema)
    if "string" in types:
        copy.setdefault("maxLength", MAX_STRING_LENGTH)
    if types & {"integer", "number"}:
        low, high = _INT_BOUNDS if "number" not in types else _NUMBER_BOUNDS
        if "maximum" not in copy and "exclusiveMaximum" not in copy:
            copy["maximum"] = high
        if "minimum" not in copy and "exclusiveMinimum" not in copy:
            copy["minimum"] = low
    return copy


def _declared_types(schema: Mapping[str, Any]) -> set[str]:
    declared = schema.get("type")
    if isinstance(declared, str):
        return {declared}
    if isinstance(declared, list):
        return {item for item in declared if isinstance(item, str)}
    return set()


@functools.lru_cache(maxsize=64)
def _validator(contract: Contract, schema_text: str) -> Any:
    schema = json.loads(schema_text)
    # The schema is validated with the (bounded) components beside it, so "#/components/..." resolves.
    root = {**schema, "components": contract.bounded_components}
    return jsonschema.Draft202012Validator(root)


# The numeric types a parameter's string is read as, in order: (type, parser, error type, message).
_NUMBER_PARSERS: tuple[tuple[str, Callable[[str], int | float], str, str], ...] = (
    ("integer", int, "int_parsing", "Input should be a valid integer, unable to parse string as an integer"),
    ("number", float, "float_parsing", "Input should be a valid number, unable to parse string as a number"),
)


def _coerce(raw: str, schema: Mapping[str, Any]) -> tuple[Any, dict[str, str] | None]:
    """A query, path or header string as the type its schema declares (the first that fits)."""
    types = _types(schema)
    for name, parse, kind, msg in _NUMBER_PARSERS:
        if name in types:
            try:
                return parse(raw.strip()), None
            except ValueError:
                if "string" not in types:  # else it may still be the string it is
                    return None, {"msg": msg, "type": kind}
    if "boolean" in types and "string" not in types:
        lowered = raw.strip().lower()
        if lowered in ("true", "1", "yes", "on"):
            return True, None
        if lowered in ("false", "0", "no", "off"):
            return False, None
        return None, {"msg": "Input should be a valid boolean, unable to interpret input", "type": "bool_parsing"}
    return raw, None


def _types(schema: Mapping[str, Any]) -> set[str]:
    """The types a schema declares, its ``anyOf`` and ``oneOf`` branches' included."""
    found = _declared_types(schema)
    for branch in [*schema.get("anyOf", ()), *schema.get("oneOf", ())]:
        found |= _types(branch)
    return found


_TYPE_ERRORS = {
    "string": ("string_type", "Input should be a valid string"),
    "integer": ("int_type", "Input should be a valid integer"),
    "number": ("float_type", "Input should be a valid number"),
    "boolean": ("bool_type", "Input should be a valid boolean"),
    "object": ("model_attributes_type", "Input should be a valid dictionary or object to extract fields from"),
    "array": ("list_type", "Input should be a valid list"),
    "null": ("none_required", "Input should be None"),
}


def _issues(error: Any, loc: list[str | int]) -> list[Issue]:
    """HTTPValidationError entries for one jsonschema error (descending into anyOf branches)."""
    here = loc + list(error.absolute_path)
    if error.validator in ("anyOf", "oneOf") and error.context:
        # "X or null": report why the non-null branch failed, not that the value is not null.
        relevant = [
            sub
            for sub in error.context
            if not (sub.validator == "type" and sub.validator_value == "null" and not sub.relative_path)
        ]
        branches = {sub.schema_path[0] for sub in relevant}
        if len(branches) == 1:
            found: list[Issue] = []
            for sub in relevant:
                found.extend(_issues(sub, loc))
            return found
    kind, msg = _describe(error)
    if error.validator == "required":
        missing = re.match(r"'(.*)' is a required property", error.message)
        here = [*here, missing.group(1) if missing else "?"]
    return [{"loc": here, "msg": msg, "type": kind}]


# JSON Schema keyword -> (the contract's error type, message), in the wording of the API's 422s.
_BOUND_ERRORS: dict[str, tuple[str, str]] = {
    "minimum": ("greater_than_equal", "Input should be greater than or equal to {}"),
    "maximum": ("less_than_equal", "Input should be less than or equal to {}"),
    "exclusiveMinimum": ("greater_than", "Input should be greater than {}"),
    "exclusiveMaximum": ("less_than", "Input should be less than {}"),
    "minLength": ("string_too_short", "String should have at least {} characters"),
    "maxLength": ("string_too_long", "String should have at most {} characters"),
    "pattern": ("string_pattern_mismatch", "String should match pattern '{}'"),
}


def _describe(error: Any) -> tuple[str, str]:
    validator, expected = error.validator, error.validator_value
    if validator == "required":
        return "missing", "Field required"
    if validator == "type":
        name = expected if isinstance(expected, str) else str(expected[0])
        return _TYPE_ERRORS.get(name, ("type_error", error.message))
    if validator == "enum":
        options = [repr(item).replace('"', "'") for item in expected]
        listed = options[0] if len(options) == 1 else ", ".join(options[:-1]) + " or " + options[-1]
        return "enum", f"Input should be {listed}"
    if validator in _BOUND_ERRORS:
        kind, template = _BOUND_ERRORS[validator]
        return kind, template.format(expected)
    return "value_error", str(error.message)


@functools.cache
def load_contract() -> Contract:
    """The contract shipped in ``friendli_dedicated_api`` (loaded once)."""
    text = importlib.resources.files("friendli_dedicated_api").joinpath("openapi.json").read_text(encoding="utf-8")
    return Contract(json.loads(text))
