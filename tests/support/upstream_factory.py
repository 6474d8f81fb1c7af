"""Build upstream-like OpenAPI documents from the pinned contract, offline.

The real upstream (friendliai/friendli-openapi) is about 90 paths of which the SDK keeps those
tagged ``Dedicated.Endpoint`` and a few named by operationId (``contract.DEFAULT_OPERATIONS``). ``build_upstream(contract)`` puts back around the contract what
upstream has and the extraction must remove or normalise:

- unrelated operations (other tags, e.g. ``Serverless.Chat``, a multipart file upload) with their
  own schemas and an unused security scheme, plus an operation of another tag on a kept path;
- prose and presentation: ``description``, ``summary``, ``example``/``examples``,
  ``externalDocs``, ``x-mint``, ``x-speakeasy-*``, ``info.contact``, tag descriptions, prose
  response descriptions;
- the instance-option table as prose in every ``instanceOptionId`` description;
- ``format: binary`` on the pagination ``cursor`` parameter and the ``nextCursor`` fields;
- float bounds (``minimum: 0.0``).

Extracting the result must give exactly the contract (``contract.surface`` of both are equal).
"""

from __future__ import annotations

import copy
import json
from typing import Any

import yaml

TAG = "Dedicated.Endpoint"
UNRELATED_TAG = "Serverless.Chat"
UNRELATED_PATH = "/serverless/v1/chat/completions"
UPLOAD_PATH = "/beta/file"
UNRELATED_SCHEMAS = ("ChatCompletionBody", "ChatMessage", "ChatCompletionResult", "FileUploadBody", "EndpointAudit")
BOUND_KEYS = ("minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum")
DATA_KEYS = ("enum", "const", "default", "required", "example", "examples")
CURSOR_FIELDS = ("nextCursor",)

Document = dict[str, Any]


def instance_option_description(options: list[dict[str, Any]]) -> str:
    """The prose upstream has in ``instanceOptionId`` descriptions (one ``- 2x GPU: `id``` line per option)."""
    lines = "\n\n".join(f"- {option['count']}x {option['gpu']}: `{option['id']}`" for option in options)
    return f"The ID of the instance option.\n\n\nAvailable options:\n\n{lines}\n"


def build_upstream(contract_doc: Document, *, instance_options: list[dict[str, Any]] | None = None) -> Document:
    """An upstream-sized document whose extraction is ``contract_doc``'s surface (see the module docstring).

    ``instance_options`` replaces the contract's ``x-instance-options`` in the prose table.
    """
    surface = copy.deepcopy({k: v for k, v in contract_doc.items() if k not in ("x-upstream", "x-instance-options")})
    options = instance_options if instance_options is not None else contract_doc.get("x-instance-options") or []

    paths: dict[str, Any] = {}
    for path, item in surface["paths"].items():
        paths[path] = {
            "summary": f"Path {path}",
            "description": "Operations on dedicated endpoints.",
            **{method: _operation_with_prose(operation) for method, operation in item.items()},
        }
    # Another tag's operation on a path the SDK keeps: it must not come along.
    paths["/dedicated/beta/endpoint"]["patch"] = {
        "tags": ["Dedicated.Admin"],
        "summary": "Audit endpoints",
        "operationId": "dedicatedAuditEndpoints",
        "security": [{"token": []}],
        "responses": {
            "200": {
                "description": "Audit log.",
                "content": {"application/json": {"schema": {"$ref": "#/components/schemas/EndpointAudit"}}},
            }
        },
    }
    paths.update(_unrelated_paths())

    schemas = {
        name: _schema_with_prose(name, schema, options) for name, schema in surface["components"]["schemas"].items()
    }
    schemas.update(_unrelated_schemas())
    security_schemes = {
        name: {**scheme, "description": "Personal access token of Friendli Suite.", "x-speakeasy-example": "flp_xxx"}
        for name, scheme in surface["components"].get("securitySchemes", {}).items()
    }
    security_schemes["apiKeyHeader"] = {"type": "apiKey", "in": "header", "name": "X-Api-Key", "description": "Unused."}

    upstream: Document = {
        "openapi": surface["openapi"],
        "info": {
            **surface["info"],
            "description": "Friendli Suite API: serverless, dedicated and container inference.",
            "termsOfService": "https://friendli.ai/terms",
            "contact": {"name": "FriendliAI", "email": "support@friendli.ai", "url": "https://friendli.ai"},
            "license": {"name": "Apache-2.0"},
            "x-mint": {"metadata": {"og:title": "Friendli Suite"}},
        },
        "servers": [{**server, "description": "Production"} for server in surface.get("servers", [])],
        "externalDocs": {"url": "https://friendli.ai/docs", "description": "Friendli documentation"},
        "x-speakeasy-retries": {"strategy": "backoff"},
        "tags": [
            *(
                {**tag, "description": f"The {tag['name']} API.", "x-mint": {"icon": "server"}}
                for tag in surface.get("tags", [])
            ),
            {"name": UNRELATED_TAG, "description": "Chat completions on serverless endpoints."},
            {"name": "File", "description": "Files."},
            {"name": "Dedicated.Admin", "description": "Admin."},
        ],
        "paths": paths,
        "components": {"schemas": schemas, "securitySchemes": security_schemes},
    }
    return _floats_for_bounds(upstream)


def dump(document: Document) -> bytes:
    """YAML bytes, as upstream serves them."""
    return yaml.safe_dump(document, sort_keys=False, allow_unicode=True, width=100).encode("utf-8")


def _operation_with_prose(operation: Document) -> Document:
    op = copy.deepcopy(operation)
    op_id = op.get("operationId", "operation")
    result: Document = {
        "tags": op.pop("tags"),
        "summary": f"Summary of {op_id}",
        "description": f"Longer **markdown** description of {op_id}.\n\nSee the docs.",
        "externalDocs": {"url": f"https://friendli.ai/docs/{op_id}"},
        "x-mint": {"href": f"/openapi/{op_id}"},
        "x-speakeasy-name-override": op_id.removeprefix("dedicated"),
        "x-speakeasy-group": "dedicated.endpoint",
        **op,
    }
    for parameter in result.get("parameters", []):
        parameter["description"] = f"The {parameter['name']} parameter."
        parameter["example"] = "example-value"
        schema = parameter.get("schema", {})
        schema["description"] = f"The {parameter['name']} parameter."
        if parameter["name"] == "cursor":
            _binary_string_variant(schema)
    body = result.get("requestBody")
    if body:
        body["description"] = "The request body."
        for media in body.get("content", {}).values():
            media["example"] = {"name": "my-endpoint"}
    for code, response in result.get("responses", {}).items():
        response["description"] = "Successful Response" if code == "200" else f"Error {code}: see the message."
        for media in response.get("content", {}).values():
            media["examples"] = {"default": {"summary": "A response", "value": {"status": "RUNNING"}}}
        response["x-speakeasy-errors"] = {"statusCodes": [code]}
    return result


def _schema_with_prose(name: str, schema: Document, options: list[dict[str, Any]]) -> Document:
    result = copy.deepcopy(schema)
    result["description"] = f"The {name} object."
    result["x-speakeasy-entity"] = name
    if result.get("type") == "object":
        result["example"] = {"anything": "goes"}
    for field, prop in (result.get("properties") or {}).items():
        prop["description"] = f"The `{field}` field of {name}."
        prop["examples"] = ["example"]
        prop["x-mint"] = {"hidden": False}
        if field == "instanceOptionId":
            prop["description"] = instance_option_description(options)
        if field in CURSOR_FIELDS:
            _binary_string_variant(prop)
    return result


def _binary_string_variant(schema: Document) -> None:
    """Upstream declares the cursors ``format: binary``; the contract must not."""
    for variant in [schema, *schema.get("anyOf", [])]:
        if variant.get("type") == "string":
            variant["format"] = "binary"


def _floats_for_bounds(node: Any) -> Any:
    """Upstream writes integral bounds as floats (``minimum: 0.0``)."""
    if isinstance(node, list):
        return [_floats_for_bounds(value) for value in node]
    if not isinstance(node, dict):
        return node
    return {
        key: float(value)
        if key in BOUND_KEYS and isinstance(value, int) and not isinstance(value, bool)
        else (value if key in DATA_KEYS else _floats_for_bounds(value))
        for key, value in node.items()
    }


def _unrelated_paths() -> Document:
    return {
        UNRELATED_PATH: {
            "post": {
                "tags": [UNRELATED_TAG],
                "summary": "Chat completions",
                "operationId": "serverlessChatComplete",
                "security": [{"token": []}],
                "requestBody": {
                    "required": True,
                    "content": {"application/json": {"schema": {"$ref": "#/components/schemas/ChatCompletionBody"}}},
                },
                "responses": {
                    "200": {
                        "description": "Successfully generated a chat response.",
                        "content": {
                            "application/json": {"schema": {"$ref": "#/components/schemas/ChatCompletionResult"}},
                            "text/event-stream": {"schema": {"type": "string"}},
                        },
                    },
                    "422": {
                        "description": "Validation Error",
                        "content": {
                            "application/json": {"schema": {"$ref": "#/components/schemas/HTTPValidationError"}}
                        },
                    },
                },
            }
        },
        UPLOAD_PATH: {
            "post": {
                "tags": ["File"],
                "operationId": "fileUpload",
                "requestBody": {
                    "content": {"multipart/form-data": {"schema": {"$ref": "#/components/schemas/FileUploadBody"}}}
                },
                "responses": {"200": {"description": "Uploaded."}},
            }
        },
    }


def _unrelated_schemas() -> Document:
    return {
        "ChatCompletionBody": {
            "type": "object",
            "description": "Chat request.",
            "properties": {
                "model": {"type": "string", "description": "Model code.", "examples": ["meta-llama-3.1-8b-instruct"]},
                "messages": {"type": "array", "items": {"$ref": "#/components/schemas/ChatMessage"}},
                "temperature": {"type": "number", "minimum": 0.0, "maximum": 2.0, "default": 1.0},
            },
            "required": ["model", "messages"],
        },
        "ChatMessage": {
            "type": "object",
            "properties": {
                "role": {"type": "string", "enum": ["system", "user", "assistant"]},
                "content": {"type": "string"},
            },
            "required": ["role", "content"],
        },
        "ChatCompletionResult": {
            "type": "object",
            "properties": {"id": {"type": "string"}, "choices": {"type": "array", "items": {"type": "object"}}},
        },
        "FileUploadBody": {
            "type": "object",
            "properties": {"file": {"type": "string", "format": "binary", "description": "The file."}},
            "required": ["file"],
        },
        "EndpointAudit": {"type": "object", "properties": {"entries": {"type": "array", "items": {"type": "string"}}}},
    }


def small_upstream() -> Document:
    """A small upstream-like document, independent of the pinned contract: two operations tagged
    ``Dedicated.Endpoint`` on ``/things/{thing_id}`` (a response with an enum, ``ThingStatus``), an
    operation of another tag, prose and vendor keys."""
    thing_id = {"name": "thing_id", "in": "path", "required": True, "schema": {"type": "string"}}
    thing = {"$ref": "#/components/schemas/Thing"}
    return {
        "openapi": "3.1.0",
        "info": {"title": "Things API", "version": "1.0.0", "description": "Things, described at length."},
        "tags": [{"name": TAG, "description": "Things."}, {"name": "Other"}],
        "paths": {
            "/things/{thing_id}": {
                "get": {
                    "tags": [TAG],
                    "operationId": "getThing",
                    "summary": "Get a thing",
                    "parameters": [thing_id],
                    "responses": {
                        "200": {"description": "The thing.", "content": {"application/json": {"schema": thing}}}
                    },
                },
                "delete": {
                    "tags": [TAG],
                    "operationId": "deleteThing",
                    "x-speakeasy-name-override": "delete",
                    "parameters": [thing_id],
                    "responses": {"204": {"description": "Deleted."}},
                },
            },
            "/other": {
                "get": {"tags": ["Other"], "operationId": "other", "responses": {"200": {"description": "Other."}}}
            },
        },
        "components": {
            "schemas": {
                "Thing": {
                    "type": "object",
                    "description": "A thing.",
                    "properties": {"status": {"$ref": "#/components/schemas/ThingStatus"}},
                    "required": ["status"],
                },
                "ThingStatus": {"type": "string", "enum": ["ON", "OFF"], "description": "Whether it is on."},
            }
        },
    }


def rename_components(document: Document) -> Document:
    """A copy of ``document`` with every schema component renamed (``Renamed<Name>``) and every reference
    to it following: a refactoring that changes nothing on the wire."""
    text = json.dumps(document)
    for name in document["components"]["schemas"]:
        text = text.replace(f'"#/components/schemas/{name}"', f'"#/components/schemas/Renamed{name}"')
    renamed: Document = json.loads(text)
    renamed["components"]["schemas"] = {f"Renamed{k}": v for k, v in renamed["components"]["schemas"].items()}
    return renamed
