"""The API contract, as the emulator's single source of truth: routes, parameters and schemas.

Everything the emulator checks comes from the contract shipped inside the package
(``friendli_dedicated_api/openapi.json``), so a regenerated contract changes the emulator with it:
paths and methods become routes, parameters are coerced and checked by their schemas, request
bodies are validated with JSON Schema Draft 2020-12 (``$ref`` resolved against the document), and
violations are reported in the contract's ``HTTPValidationError`` shape.

>>> contract = load_contract()
>>> contract.match("GET", "/dedicated/beta/endpoint/ep-1/status")[0].operation_id
'dedicatedGetEndpointStatus'
"""

from __future__ import annotations

import functools
import importlib.resources
import json
import re
from collections.abc import Iterable, Mapping, Sequence
from typing import Any, cast

import attrs
import jsonschema  # type: ignore[import-untyped,unused-ignore]

__all__ = ["Contract", "Issue", "Operation", "Parameter", "load_contract"]

Issue = dict[str, Any]
"""One entry of a 422 ``detail`` list: ``{"loc": [...], "msg": str, "type": str}``."""

_METHODS = ("get", "put", "post", "delete", "patch", "head", "options")


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
    >>> contract.error_codes[:1]
    ('WORKLOAD_INIT_UNKNOWN_ERROR',)
    """

    def __init__(self, document: Mapping[str, Any]) -> None:
        self.document = document
        self.operations: tuple[Operation, ...] = tuple(self._operations(document))
        self.schemas: Mapping[str, Any] = document["components"]["schemas"]
        self.instance_options: tuple[tuple[str, str, int], ...] = tuple(
            (option["id"], option["gpu"], int(option["count"])) for option in document.get("x-instance-options", [])
        )
        self.error_codes: tuple[str, ...] = tuple(self.schemas["InferenceDeploymentErrorCode"]["enum"])
        self.statuses: tuple[str, ...] = tuple(self.schemas["InferenceDeploymentStatus"]["enum"])

    @staticmethod
    def _operations(document: Mapping[str, Any]) -> Iterable[Operation]:
        for path, item in document["paths"].items():
            regex = "^" + re.sub(r"\\\{(\w+)\\\}", r"(?P<\1>[^/]+)", re.escape(path)) + "$"
            for method in _METHODS:
                spec = item.get(method)
                if spec is None:
                    continue
                params = tuple(
                    Parameter(p["name"], p["in"], bool(p.get("required", False)), p.get("schema", {}))
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

    def body(self, operation: Operation, raw: bytes) -> tuple[Any, list[Issue]]:
        """The request body, parsed and validated (the JSON value, and the issues found)."""
        if operation.body_schema is None:
            return None, []
        if not raw.strip():
            if operation.body_required:
                return None, [{"loc": ["body"], "msg": "Field required", "type": "missing"}]
            return None, []
        try:
            value = json.loads(raw)
        except (ValueError, UnicodeDecodeError) as exc:
            position = getattr(exc, "pos", 0)
            return None, [{"loc": ["body", position], "msg": "JSON decode error", "type": "json_invalid"}]
        return value, self.validate(operation.body_schema, value, ["body"])


@functools.lru_cache(maxsize=64)
def _validator(contract: Contract, schema_text: str) -> Any:
    schema = json.loads(schema_text)
    # The schema is validated with the contract's components beside it, so "#/components/..." resolves.
    root = {**schema, "components": contract.document["components"]}
    return jsonschema.Draft202012Validator(root)


def _coerce(raw: str, schema: Mapping[str, Any]) -> tuple[Any, dict[str, str] | None]:
    """A query, path or header string as the type its schema declares (the first that fits)."""
    types = _types(schema)
    if "integer" in types:
        try:
            return int(raw.strip()), None
        except ValueError:
            if "string" not in types:
                return None, {
                    "msg": "Input should be a valid integer, unable to parse string as an integer",
                    "type": "int_parsing",
                }
    if "number" in types:
        try:
            return float(raw.strip()), None
        except ValueError:
            if "string" not in types:
                return None, {
                    "msg": "Input should be a valid number, unable to parse string as a number",
                    "type": "float_parsing",
                }
    if "boolean" in types and "string" not in types:
        lowered = raw.strip().lower()
        if lowered in ("true", "1", "yes", "on"):
            return True, None
        if lowered in ("false", "0", "no", "off"):
            return False, None
        return None, {"msg": "Input should be a valid boolean, unable to interpret input", "type": "bool_parsing"}
    return raw, None


def _types(schema: Mapping[str, Any]) -> set[str]:
    found: set[str] = set()
    declared = schema.get("type")
    if isinstance(declared, str):
        found.add(declared)
    elif isinstance(declared, list):
        found.update(str(item) for item in declared)
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
