"""scripts/pipeline/extract.py: an upstream-sized document in, exactly the contract out."""

from __future__ import annotations

import copy
import hashlib
import json
import re
from pathlib import Path
from typing import Any

import pytest
from upstream_factory import (
    UNRELATED_PATH,
    UNRELATED_SCHEMAS,
    UNRELATED_TAG,
    dump,
    instance_option_description,
)

from scripts.pipeline import contract, drift, extract, openapi31

RETRIEVED = "2026-11-23"
B300 = {"id": "abcDEF123456", "gpu": "NVIDIA B300", "count": 1}


def _walk(node: Any) -> Any:
    """Every mapping and list inside ``node`` (``node`` included)."""
    yield node
    values = node.values() if isinstance(node, dict) else node if isinstance(node, list) else []
    for value in values:
        yield from _walk(value)


def _keys_anywhere(node: Any) -> set[str]:
    return {key for mapping in _walk(node) if isinstance(mapping, dict) for key in mapping}


def _has_binary(node: Any) -> bool:
    return any(isinstance(n, dict) and n.get("format") == "binary" for n in _walk(node))


def _operation(document: dict[str, Any], method: str, path: str) -> dict[str, Any]:
    return document["paths"][path][method]


# -- extraction of the whole contract ----------------------------------------------------------------
def test_upstream_sized_document_gives_exactly_the_contract(pinned, make_upstream):
    """Unrelated tags, prose, x- keys, the prose option table, binary cursors and float bounds go away."""
    upstream = make_upstream()
    raw = dump(upstream)
    # The built document really is upstream-like (so that this test can fail).
    assert UNRELATED_PATH in upstream["paths"]
    assert "description" in upstream["info"]
    assert "contact" in upstream["info"]
    assert _has_binary(upstream["paths"]["/dedicated/beta/endpoint"]["get"])
    assert upstream["components"]["schemas"]["AutoscalingPolicy"]["properties"]["minReplica"]["minimum"] == 0.0

    extracted = extract.extract(raw, retrieved=RETRIEVED)

    assert contract.surface(extracted) == contract.surface(pinned)
    pin = extracted[contract.UPSTREAM_KEY]
    assert pin["sha256"] == hashlib.sha256(raw).hexdigest()
    assert pin["surface_sha256"] == pinned[contract.UPSTREAM_KEY]["surface_sha256"]
    assert pin["surface_sha256"] == contract.surface_sha256(extracted)
    assert pin["url"] == contract.DEFAULT_UPSTREAM_URL
    assert pin["retrieved"] == RETRIEVED


def test_extraction_serialises_to_the_committed_bytes(pinned, make_upstream, root):
    """With the committed pin, the extracted contract dumps to openapi.yaml byte for byte (order, quoting)."""
    extracted = extract.extract(dump(make_upstream()), retrieved=RETRIEVED)
    extracted[contract.UPSTREAM_KEY] = pinned[contract.UPSTREAM_KEY]
    assert contract.dumps(extracted) == (root / "openapi.yaml").read_text(encoding="utf-8")


def test_same_bytes_give_byte_identical_contract(make_upstream):
    raw = dump(make_upstream())
    assert contract.dumps(extract.extract(raw, retrieved=RETRIEVED)) == contract.dumps(
        extract.extract(raw, retrieved=RETRIEVED)
    )


def test_json_upstream_gives_the_same_surface(pinned, make_upstream):
    """Upstream may be served as JSON: same surface."""
    raw = json.dumps(make_upstream()).encode()
    assert contract.surface(extract.extract(raw, retrieved=RETRIEVED)) == contract.surface(pinned)


def test_no_prose_or_vendor_keys_left(make_upstream):
    """description (except the reason phrases of responses), summary, examples, externalDocs and x- keys are gone."""
    extracted = extract.extract(dump(make_upstream()), retrieved=RETRIEVED)
    keys = _keys_anywhere(contract.surface(extracted))
    assert not keys & {"summary", "example", "examples", "externalDocs", "termsOfService", "contact"}
    assert not {key for key in keys if key.startswith("x-")} - {contract.INSTANCE_OPTIONS_KEY}
    assert extracted["info"] == {"title": "Friendli Suite API Reference", "version": "0.1.0"}
    used = {tag for item in extracted["paths"].values() for op in item.values() for tag in op["tags"]}
    assert extracted["tags"] == [{"name": tag["name"]} for tag in make_upstream()["tags"] if tag["name"] in used]
    assert extracted["servers"] == [{"url": "https://api.friendli.ai"}]
    for mapping in _walk(extracted["components"]):
        assert not (isinstance(mapping, dict) and isinstance(mapping.get("description"), str))


def test_response_descriptions_are_reason_phrases(make_upstream):
    extracted = extract.extract(dump(make_upstream()), retrieved=RETRIEVED)
    responses = _operation(extracted, "put", "/dedicated/beta/endpoint/{endpoint_id}/wake")["responses"]
    assert {code: r["description"] for code, r in responses.items()} == {
        "200": "OK",
        "400": "Bad Request",
        "404": "Not Found",
        "422": "Unprocessable Entity",
        "500": "Internal Server Error",
    }


def test_unrelated_operations_schemas_and_security_schemes_are_left_out(make_upstream):
    extracted = extract.extract(dump(make_upstream()), retrieved=RETRIEVED)
    assert UNRELATED_PATH not in extracted["paths"]
    assert set(extracted["paths"]["/dedicated/beta/endpoint"]) == {"get", "post"}  # not the Dedicated.Admin patch
    assert not set(UNRELATED_SCHEMAS) & set(extracted["components"]["schemas"])
    assert set(extracted["components"]["securitySchemes"]) == {"token"}


def test_properties_named_description_or_summary_survive(pinned, make_upstream):
    """A field of the API called "description" or "summary" is not prose."""
    spec = pinned["components"]["schemas"]["DedicatedEndpointSpec"]["properties"]
    spec["description"] = {"type": "string", "title": "Description"}
    spec["summary"] = {"anyOf": [{"type": "string"}, {"type": "null"}], "title": "Summary"}
    upstream = make_upstream(pinned)
    assert upstream["components"]["schemas"]["DedicatedEndpointSpec"]["properties"]["description"]["description"]

    extracted = extract.extract(dump(upstream), retrieved=RETRIEVED)

    properties = extracted["components"]["schemas"]["DedicatedEndpointSpec"]["properties"]
    assert properties["description"] == {"type": "string", "title": "Description"}
    assert properties["summary"] == {"anyOf": [{"type": "string"}, {"type": "null"}], "title": "Summary"}
    assert contract.surface(extracted) == contract.surface(pinned)


def test_prose_and_outside_changes_are_not_drift(pinned, make_upstream):
    """Reworded prose, a moved info.version and changes under other tags: compare() finds nothing."""
    upstream = make_upstream()
    upstream["info"]["version"] = "0.2.0"
    upstream["info"]["description"] = "Something else entirely."
    upstream["tags"][0]["description"] = "Reworded."
    for item in upstream["paths"].values():
        for operation in item.values():
            if isinstance(operation, dict):
                operation["summary"] = "Reworded summary"
                for response in operation.get("responses", {}).values():
                    response["description"] = "Reworded response"
    schemas = upstream["components"]["schemas"]
    schemas["DedicatedEndpointSpec"]["properties"]["name"]["description"] = "Reworded field."
    schemas["DedicatedEndpointCreateBody"]["properties"]["instanceOptionId"]["description"] = (
        "Pick one.\n\nAvailable options:\n\n"
        + instance_option_description(pinned[contract.INSTANCE_OPTIONS_KEY]).split("Available options:")[1]
    )
    schemas["ChatMessage"]["properties"]["role"]["enum"].append("tool")  # outside the surface
    del schemas["ChatCompletionResult"]["properties"]["id"]
    upstream["paths"][UNRELATED_PATH]["post"]["operationId"] = "serverlessChat"
    del upstream["paths"]["/beta/file"]

    surface = extract.build_surface(contract.loads(dump(upstream)))

    assert drift.compare(contract.surface(pinned), surface) == []


# -- normalisation -------------------------------------------------------------------------------------
def test_cursors_lose_format_binary(make_upstream):
    """The pagination cursor parameter and nextCursor fields are opaque strings in the contract."""
    upstream = make_upstream()
    listing = upstream["components"]["schemas"]["DedicatedEndpointListResponse"]["properties"]["nextCursor"]
    assert listing["anyOf"][0]["format"] == "binary"

    extracted = extract.extract(dump(upstream), retrieved=RETRIEVED)

    assert not _has_binary(contract.surface(extracted))
    for path in ("/dedicated/beta/endpoint", "/dedicated/beta/endpoint/{endpoint_id}/version"):
        (cursor,) = [p for p in _operation(extracted, "get", path)["parameters"] if p["name"] == "cursor"]
        assert cursor["schema"]["anyOf"] == [{"type": "string"}, {"type": "null"}]
    for name in ("DedicatedEndpointListResponse", "DedicatedEndpointVersionHistoryResponse"):
        next_cursor = extracted["components"]["schemas"][name]["properties"]["nextCursor"]
        assert next_cursor["anyOf"] == [{"type": "string"}, {"type": "null"}]


def _with_upload_operation(upstream: dict[str, Any]) -> dict[str, Any]:
    """A Dedicated.Endpoint operation taking multipart and octet-stream bodies."""
    upstream["paths"]["/dedicated/beta/endpoint/{endpoint_id}/adapter"] = {
        "post": {
            "tags": ["Dedicated.Endpoint"],
            "operationId": "dedicatedUploadAdapter",
            "parameters": [{"name": "endpoint_id", "in": "path", "required": True, "schema": {"type": "string"}}],
            "requestBody": {
                "content": {
                    "multipart/form-data": {"schema": {"$ref": "#/components/schemas/FileUploadBody"}},
                    "application/octet-stream": {"schema": {"type": "string", "format": "binary"}},
                }
            },
            "responses": {"200": {"description": "Done"}},
        }
    }
    return upstream


def test_multipart_and_octet_stream_bodies_keep_format_binary(make_upstream):
    extracted = extract.extract(dump(_with_upload_operation(make_upstream())), retrieved=RETRIEVED)
    assert extracted["components"]["schemas"]["FileUploadBody"]["properties"]["file"] == {
        "type": "string",
        "format": "binary",
    }
    content = _operation(extracted, "post", "/dedicated/beta/endpoint/{endpoint_id}/adapter")["requestBody"]["content"]
    assert content["application/octet-stream"]["schema"] == {"type": "string", "format": "binary"}
    # ... and the JSON cursors of the same contract still lose it.
    next_cursor = extracted["components"]["schemas"]["DedicatedEndpointListResponse"]["properties"]["nextCursor"]
    assert not _has_binary(next_cursor)


def test_multipart_body_by_reference_keeps_format_binary(make_upstream):
    upstream = _with_upload_operation(make_upstream())
    operation = upstream["paths"]["/dedicated/beta/endpoint/{endpoint_id}/adapter"]["post"]
    upstream["components"]["requestBodies"] = {"Upload": {"content": operation["requestBody"]["content"]}}
    operation["requestBody"] = {"$ref": "#/components/requestBodies/Upload"}
    extracted = extract.extract(dump(upstream), retrieved=RETRIEVED)
    assert extracted["components"]["schemas"]["FileUploadBody"]["properties"]["file"].get("format") == "binary"


def test_integral_float_bounds_become_integers(make_upstream):
    """minimum: 0.0 upstream is minimum: 0 in the contract; a fractional bound stays a float."""
    upstream = make_upstream()
    properties = upstream["components"]["schemas"]["AutoscalingPolicy"]["properties"]
    properties["cooldownPeriod"]["maximum"] = 3600.5
    extracted = extract.extract(dump(upstream), retrieved=RETRIEVED)
    policy = extracted["components"]["schemas"]["AutoscalingPolicy"]["properties"]
    assert type(policy["minReplica"]["minimum"]) is int
    assert policy["minReplica"]["minimum"] == 0
    assert type(policy["maxReplica"]["maximum"]) is int
    assert policy["cooldownPeriod"]["maximum"] == 3600.5
    assert "minimum: 0\n" in contract.dumps(extracted)
    assert not re.search(r"(minimum|maximum): \d+\.0\n", contract.dumps(extracted))


def test_instance_options_are_parsed_from_prose(pinned, make_upstream):
    upstream = make_upstream()
    prose = upstream["components"]["schemas"]["DedicatedEndpointCreateBody"]["properties"]["instanceOptionId"]
    for option in pinned[contract.INSTANCE_OPTIONS_KEY]:
        assert f"- {option['count']}x {option['gpu']}: `{option['id']}`" in prose["description"]
    extracted = extract.extract(dump(upstream), retrieved=RETRIEVED)
    assert extracted[contract.INSTANCE_OPTIONS_KEY] == pinned[contract.INSTANCE_OPTIONS_KEY]


def test_new_gpu_line_upstream_is_a_new_instance_option(pinned, make_upstream):
    """A new line "- 1x NVIDIA B300: `abcDEF123456`" in the prose table adds an option (and additive drift)."""
    upstream = make_upstream(instance_options=[*pinned[contract.INSTANCE_OPTIONS_KEY], B300])
    update_body = upstream["components"]["schemas"]["DedicatedEndpointUpdateBody"]
    assert "- 1x NVIDIA B300: `abcDEF123456`" in update_body["properties"]["instanceOptionId"]["description"]
    surface = extract.build_surface(contract.loads(dump(upstream)))
    assert surface[contract.INSTANCE_OPTIONS_KEY] == [*pinned[contract.INSTANCE_OPTIONS_KEY], B300]
    assert drift.compare(contract.surface(pinned), surface) == [
        drift.Change("x-instance-options.abcDEF123456", "instance option added (1x NVIDIA B300)", breaking=False)
    ]


def test_conflicting_instance_option_descriptions_are_an_error(pinned, make_upstream):
    """The same id described as two different options (in two descriptions) cannot be pinned."""
    upstream = make_upstream()
    first, *others = pinned[contract.INSTANCE_OPTIONS_KEY]
    conflicting = [{**first, "count": first["count"] + 1}, *others]
    field = upstream["components"]["schemas"]["DedicatedEndpointUpdateBody"]["properties"]["instanceOptionId"]
    field["description"] = instance_option_description(conflicting)
    with pytest.raises(extract.ExtractionError, match=first["id"]):
        extract.extract(dump(upstream), retrieved=RETRIEVED)


def test_no_operation_with_the_tag_is_an_error(make_upstream):
    upstream = make_upstream()
    for item in upstream["paths"].values():
        for operation in item.values():
            if isinstance(operation, dict) and "tags" in operation:
                operation["tags"] = ["Something.Else"]
    with pytest.raises(extract.ExtractionError, match="no operation is tagged"):
        extract.extract(dump(upstream), retrieved=RETRIEVED)


def test_tags_select_the_operations(pinned, make_upstream):
    """tags=(...) keeps the operations of those tags and what they reach, nothing else."""
    document = contract.loads(dump(make_upstream()))
    chat = extract.build_surface(document, tags=[UNRELATED_TAG], operations=())
    assert list(chat["paths"]) == [UNRELATED_PATH]
    assert set(chat["components"]["schemas"]) == {
        "ChatCompletionBody",
        "ChatMessage",
        "ChatCompletionResult",
        "HTTPValidationError",
        "ValidationError",
    }
    assert chat[contract.INSTANCE_OPTIONS_KEY] == []
    assert chat["tags"] == [{"name": UNRELATED_TAG}]
    both = extract.build_surface(document, tags=["Dedicated.Endpoint", UNRELATED_TAG])
    assert list(both["paths"]) == [*pinned["paths"], UNRELATED_PATH]
    assert {"ChatMessage", "DedicatedEndpointSpec"} <= set(both["components"]["schemas"])


def test_command_line_writes_the_contract_with_tag_option(pinned, tmp_path, make_upstream, capsys):
    """`extract.py --upstream FILE --output ... --date ... --tag ...` writes the contract (exit 0)."""
    upstream_file = tmp_path / "upstream.yaml"
    upstream_file.write_bytes(dump(make_upstream()))
    output = tmp_path / "out.yaml"
    argv = ["--upstream", str(upstream_file), "--output", str(output), "--date", "2026-12-01"]

    assert extract.main([*argv, "--tag", UNRELATED_TAG, "--url", "https://example.test/openapi.yaml"]) == 0

    written = contract.load(output)
    assert list(written["paths"]) == [UNRELATED_PATH]
    assert written[contract.UPSTREAM_KEY] == {
        "url": "https://example.test/openapi.yaml",
        "sha256": hashlib.sha256(upstream_file.read_bytes()).hexdigest(),
        "surface_sha256": contract.surface_sha256(written),
        "retrieved": "2026-12-01",
    }
    assert "wrote" in capsys.readouterr().out

    assert extract.main(argv) == 0  # default tag, default URL recorded for a file
    written = contract.load(output)
    assert contract.surface(written) == contract.surface(pinned)
    assert written[contract.UPSTREAM_KEY]["url"] == contract.DEFAULT_UPSTREAM_URL
    counts = f"({len(pinned['paths'])} paths, {len(pinned[contract.INSTANCE_OPTIONS_KEY])} instance options)"
    assert counts in capsys.readouterr().out


def test_command_line_exits_2_for_an_unknown_tag(tmp_path, make_upstream, capsys):
    upstream_file = tmp_path / "upstream.yaml"
    upstream_file.write_bytes(dump(make_upstream()))
    output = tmp_path / "out.yaml"
    assert extract.main(["--upstream", str(upstream_file), "--output", str(output), "--tag", "Nope"]) == 2
    assert "no operation is tagged ['Nope']" in capsys.readouterr().err
    assert not output.exists()


def test_pin_url():
    assert extract.pin_url("https://example.test/a.yaml") == "https://example.test/a.yaml"
    assert extract.pin_url(str(Path("upstream.yaml"))) == contract.DEFAULT_UPSTREAM_URL
    assert extract.pin_url("upstream.yaml", "https://example.test/b.yaml") == "https://example.test/b.yaml"


def test_committed_contract_hash_matches_its_pin(pinned):
    """openapi.yaml was not edited by hand: its surface still hashes to the recorded surface_sha256."""
    assert contract.surface_sha256(pinned) == pinned[contract.UPSTREAM_KEY]["surface_sha256"]
    assert contract.surface_sha256(copy.deepcopy(pinned)) == contract.surface_sha256(
        contract.loads(contract.dumps(pinned))
    )


# -- validation as OpenAPI 3.1 -------------------------------------------------------------------------
def test_committed_contract_is_valid_openapi_31(pinned):
    openapi31.validate(pinned)


def _with_invalid_parameter(upstream: dict[str, Any]) -> tuple[dict[str, Any], str]:
    """An OpenAPI 2 style body parameter on the first kept operation; returns where it is."""
    path, item = next(iter(upstream["paths"].items()))
    method = next(key for key in item if key in extract.HTTP_METHODS)
    parameters = item[method].setdefault("parameters", [])
    parameters.append({"name": "payload", "in": "body", "schema": {"type": "object"}})
    return upstream, f"paths.{path}.{method}.parameters.{len(parameters) - 1}.in"


def test_invalid_extraction_is_an_error_naming_the_problem(make_upstream):
    upstream, where = _with_invalid_parameter(make_upstream())
    with pytest.raises(openapi31.InvalidContractError) as raised:
        extract.build_surface(contract.loads(dump(upstream)))
    message = str(raised.value)
    assert message.startswith("not valid OpenAPI 3.1: ")
    assert "body" in message
    assert message.endswith(f"(at {where})")
    assert "\n" not in message
    assert isinstance(raised.value, contract.ContractFormatError)  # so drift and regenerate exit 2


def test_command_line_exits_2_for_an_invalid_contract(tmp_path, make_upstream, capsys):
    upstream_file = tmp_path / "upstream.yaml"
    upstream_file.write_bytes(dump(_with_invalid_parameter(make_upstream())[0]))
    output = tmp_path / "out.yaml"
    assert extract.main(["--upstream", str(upstream_file), "--output", str(output)]) == 2
    err = capsys.readouterr().err
    assert err.startswith("extract: not valid OpenAPI 3.1: ")
    assert err.count("\n") == 1
    assert not output.exists()


def test_validation_names_a_reference_to_nothing():
    document = {
        "openapi": "3.1.0",
        "info": {"title": "T", "version": "1"},
        "paths": {
            "/x": {
                "get": {
                    "responses": {
                        "200": {
                            "description": "OK",
                            "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Gone"}}},
                        }
                    }
                }
            }
        },
        "components": {"schemas": {"Here": {"type": "string"}}},
    }
    with pytest.raises(openapi31.InvalidContractError, match="'#/components/schemas/Gone' points at nothing"):
        openapi31.validate(document)
    document["paths"]["/x"]["get"]["responses"]["200"]["content"]["application/json"]["schema"]["$ref"] = (
        "#/components/schemas/Here"
    )
    openapi31.validate(document)
