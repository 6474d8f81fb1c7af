"""Operations of other tags named by operationId (``contract.DEFAULT_OPERATIONS``: the inference calls
and the team's cost) come into the contract like the tagged ones: extracted with what they reach,
stripped of prose, normalised, drift-checked, released by ``regenerate`` and generated.

Every upstream here is built from ``upstream_factory.small_upstream()`` plus a tokenization operation
under its own tag (with the ``#stream``-style second documentation of its path that upstream has),
so nothing depends on the current pin.
"""

from __future__ import annotations

import copy
import datetime as dt
import hashlib
from pathlib import Path
from typing import Any

import pytest
from project_factory import PINNED_DATE, UPSTREAM_NAME, build_project, pinned_upstream
from upstream_factory import TAG, dump, small_upstream

from scripts.pipeline import codegen, contract, drift, extract, regenerate, release
from scripts.pipeline.versioning import Level

NAMED = "dedicatedTokenization"  # an operationId of contract.DEFAULT_OPERATIONS
NAMED_TAG = "Dedicated.Token"
NAMED_PATH = "/dedicated/v1/tokenize"
STREAM_PATH = f"{NAMED_PATH}#stream"
RETRIEVED = "2026-11-23"


def with_tokenization(upstream: dict[str, Any]) -> dict[str, Any]:
    """``upstream`` plus a tokenization operation tagged ``Dedicated.Token`` (prose, examples, vendor keys
    as upstream writes them), whose response schema is an alias of another, and its ``#stream`` twin."""
    document = copy.deepcopy(upstream)
    document["tags"].append({"name": NAMED_TAG, "description": "Tokens."})

    def operation(operation_id: str) -> dict[str, Any]:
        return {
            "tags": [NAMED_TAG],
            "summary": "Tokenization",
            "description": "Convert text input into token IDs.",
            "operationId": operation_id,
            "x-speakeasy-name-override": "tokenize",
            "requestBody": {
                "required": True,
                "content": {"application/json": {"schema": {"$ref": "#/components/schemas/TokenizationBody"}}},
            },
            "responses": {
                "200": {
                    "description": "Successfully tokenized the text.",
                    "content": {
                        "application/json": {
                            "schema": {"$ref": "#/components/schemas/TokenizationSuccess"},
                            "examples": {"Example": {"value": {"tokens": [1, 2]}}},
                        }
                    },
                },
                "422": {"description": "Unprocessable Entity"},
            },
        }

    document["paths"][NAMED_PATH] = {"post": operation(NAMED)}
    document["paths"][STREAM_PATH] = {"post": operation(f"{NAMED}Stream")}
    document["components"]["schemas"].update(
        {
            "TokenizationBody": {
                "type": "object",
                "description": "What to tokenize.",
                "properties": {
                    "model": {"type": "string", "description": "ID of target endpoint.", "examples": ["(id)"]},
                    "prompt": {"type": "string", "title": "Prompt"},
                },
                "required": ["model", "prompt"],
                "example": {"model": "(endpoint-id)", "prompt": "What is generative AI?"},
            },
            # Upstream's way of naming a response: an alias (title aside) of the schema that has the fields.
            "TokenizationSuccess": {
                "$ref": "#/components/schemas/TokenizationResult",
                "title": "TokenizationSuccess",
                "description": "Successfully tokenized.",
            },
            "TokenizationResult": {
                "type": "object",
                "title": "TokenizationResult",
                "properties": {"tokens": {"type": "array", "items": {"type": "integer"}}},
                "required": ["tokens"],
            },
        }
    )
    return document


def _surface(upstream: dict[str, Any], **selection: Any) -> dict[str, Any]:
    return extract.build_surface(contract.loads(dump(upstream)), **selection)


# -- selection ------------------------------------------------------------------------------------------
def test_a_named_operation_comes_with_what_it_reaches_without_prose():
    assert NAMED in contract.DEFAULT_OPERATIONS
    surface = _surface(with_tokenization(small_upstream()))

    assert NAMED_PATH in surface["paths"]
    assert STREAM_PATH not in surface["paths"]  # the same request documented twice: not an operation
    assert "/other" not in surface["paths"]  # neither tagged nor named
    operation = surface["paths"][NAMED_PATH]["post"]
    assert operation["operationId"] == NAMED
    assert not {"summary", "description", "x-speakeasy-name-override"} & set(operation)
    assert operation["responses"]["200"]["description"] == "OK"  # a reason phrase, not upstream's prose
    assert "examples" not in operation["responses"]["200"]["content"]["application/json"]
    body = surface["components"]["schemas"]["TokenizationBody"]
    assert body == {
        "type": "object",
        "properties": {"model": {"type": "string"}, "prompt": {"type": "string", "title": "Prompt"}},
        "required": ["model", "prompt"],
    }
    assert [tag["name"] for tag in surface["tags"]] == [TAG, NAMED_TAG]  # the tags of what is kept, no prose
    assert all(set(tag) == {"name"} for tag in surface["tags"])


def test_the_selection_is_the_tags_and_the_operations_given():
    upstream = with_tokenization(small_upstream())
    tagged_only = _surface(upstream, operations=())
    assert NAMED_PATH not in tagged_only["paths"]
    assert "TokenizationBody" not in tagged_only["components"]["schemas"]
    named_only = _surface(upstream, tags=(), operations=[NAMED])
    assert list(named_only["paths"]) == [NAMED_PATH]
    with pytest.raises(extract.ExtractionError, match="no operation is tagged"):
        _surface(upstream, tags=["Nope"], operations=[NAMED])  # the tags must still find the document's own
    with pytest.raises(extract.ExtractionError, match="no operation has an operationId in"):
        _surface(upstream, tags=(), operations=["gone"])


def test_command_line_operation_option(tmp_path, capsys):
    source = tmp_path / "upstream.yaml"
    source.write_bytes(dump(with_tokenization(small_upstream())))
    output = tmp_path / "out.yaml"
    base = ["--upstream", str(source), "--output", str(output), "--date", RETRIEVED]

    assert extract.main([*base, "--operation", NAMED]) == 0
    assert list(contract.load(output)["paths"]) == [NAMED_PATH]  # either option says the whole selection
    assert extract.main([*base, "--tag", TAG]) == 0
    assert NAMED_PATH not in contract.load(output)["paths"]
    assert extract.main(base) == 0  # the defaults: the tag and the named operations
    assert {"/things/{thing_id}", NAMED_PATH} <= set(contract.load(output)["paths"])
    capsys.readouterr()


# -- normalisation: aliases ---------------------------------------------------------------------------
def test_an_alias_component_is_replaced_by_what_it_names():
    surface = _surface(with_tokenization(small_upstream()))
    schemas = surface["components"]["schemas"]
    assert "TokenizationSuccess" not in schemas
    assert "TokenizationResult" in schemas
    media = surface["paths"][NAMED_PATH]["post"]["responses"]["200"]["content"]["application/json"]
    assert media["schema"] == {"$ref": "#/components/schemas/TokenizationResult"}


def test_aliases_of_aliases_and_loops():
    upstream = with_tokenization(small_upstream())
    schemas = upstream["components"]["schemas"]
    schemas["TokenizationSuccess"]["$ref"] = "#/components/schemas/TokenizationAlias"
    schemas["TokenizationAlias"] = {"$ref": "#/components/schemas/TokenizationResult"}
    surface = _surface(upstream)
    assert not {"TokenizationSuccess", "TokenizationAlias"} & set(surface["components"]["schemas"])
    media = surface["paths"][NAMED_PATH]["post"]["responses"]["200"]["content"]["application/json"]
    assert media["schema"] == {"$ref": "#/components/schemas/TokenizationResult"}

    schemas["TokenizationAlias"] = {"$ref": "#/components/schemas/TokenizationSuccess"}
    with pytest.raises(extract.ExtractionError, match="alias each other in a loop"):
        _surface(upstream)


def test_collapsing_aliases_is_no_drift():
    upstream = with_tokenization(small_upstream())
    pinned = _surface(upstream)
    inlined = copy.deepcopy(pinned)
    media = inlined["paths"][NAMED_PATH]["post"]["responses"]["200"]["content"]["application/json"]
    media["schema"] = copy.deepcopy(inlined["components"]["schemas"]["TokenizationResult"])
    assert drift.compare(pinned, inlined) == []


def test_the_generator_parses_an_aliased_response_once_aliases_are_collapsed(tmp_path):
    """Left in, the alias makes openapi-python-client skip the response (a warning, exit 0): generation
    refuses that. Collapsed, the operation parses its response into the model."""
    upstream = with_tokenization(pinned_upstream())  # the generator's engine table needs the create
    surface = _surface(upstream)
    raw = copy.deepcopy(surface)
    raw["components"]["schemas"]["TokenizationSuccess"] = {
        "$ref": "#/components/schemas/TokenizationResult",
        "title": "TokenizationSuccess",
    }
    media = raw["paths"][NAMED_PATH]["post"]["responses"]["200"]["content"]["application/json"]
    media["schema"] = {"$ref": "#/components/schemas/TokenizationSuccess"}
    contract.dump(raw, tmp_path / "aliased.yaml")
    with pytest.raises(codegen.CodegenError, match=r"skipped part of aliased\.yaml") as refused:
        codegen.generate(tmp_path / "aliased.yaml", tmp_path / "refused")
    assert "TokenizationResult" in str(refused.value)
    assert not (tmp_path / "refused").exists()

    contract.dump(surface, tmp_path / "collapsed.yaml")
    package = codegen.generate(tmp_path / "collapsed.yaml", tmp_path / "generated")
    module = (package / "api" / "dedicated_token" / "dedicated_tokenization.py").read_text(encoding="utf-8")
    assert "TokenizationResult.from_dict(response.json())" in module


# -- drift -------------------------------------------------------------------------------------------
def test_a_named_operation_gone_upstream_is_breaking_drift():
    upstream = with_tokenization(small_upstream())
    pinned = _surface(upstream)
    for gone in ("removed", "renamed"):
        changed = copy.deepcopy(upstream)
        if gone == "removed":
            del changed["paths"][NAMED_PATH]
        else:  # no longer the operationId the pipeline names: it is not kept
            changed["paths"][NAMED_PATH]["post"]["operationId"] = "dedicatedTokenize"
        changes = drift.compare(pinned, _surface(changed))
        assert drift.Change(f"POST {NAMED_PATH}", "operation removed", breaking=True) in changes, gone
        assert all(change.location.startswith(f"POST {NAMED_PATH}") for change in changes), changes


def test_a_change_of_a_named_operation_is_drift():
    upstream = with_tokenization(small_upstream())
    pinned = _surface(upstream)
    changed = copy.deepcopy(upstream)
    body = changed["components"]["schemas"]["TokenizationBody"]
    body["properties"]["add_special_tokens"] = {"type": "boolean"}
    body["required"].append("add_special_tokens")
    changed["components"]["schemas"]["TokenizationResult"]["properties"]["text"] = {"type": "string"}
    lines = [change.line() for change in drift.compare(pinned, _surface(changed))]
    assert any(line.startswith("BREAKING") and "add_special_tokens" in line for line in lines), lines
    assert any(line.startswith("additive") and "TokenizationResult.properties.text" in line for line in lines), lines
    # ... and the #stream twin, not in the contract, changes nothing.
    twin = copy.deepcopy(upstream)
    del twin["paths"][STREAM_PATH]["post"]["requestBody"]
    assert drift.compare(pinned, _surface(twin)) == []


# -- regenerate -------------------------------------------------------------------------------------
def test_the_pinned_bytes_with_a_new_selection_are_released_with_their_pin(tmp_path):
    """A project pinned before the pipeline named the operation: the same bytes now give another
    contract. regenerate releases it (MINOR: an operation added); the pin keeps the bytes' URL, sha256
    and retrieval date; the entry is dated the day of the release."""
    upstream = with_tokenization(pinned_upstream())
    root = build_project(tmp_path / "project", upstream=upstream, operations=())
    source = tmp_path / UPSTREAM_NAME
    old_pin = contract.pin(contract.load(root / "openapi.yaml"))
    later = PINNED_DATE + dt.timedelta(days=9)

    outcome = regenerate.regenerate(str(source), root=root, today=later)

    assert (outcome.released, outcome.level) == (True, Level.MINOR)
    assert [change.line() for change in outcome.changes] == [f"additive  POST {NAMED_PATH}: operation added"]
    written = contract.load(root / "openapi.yaml")
    pin = contract.pin(written)
    assert pin["sha256"] == old_pin["sha256"] == hashlib.sha256(source.read_bytes()).hexdigest()
    assert (pin["url"], pin["retrieved"]) == (old_pin["url"], PINNED_DATE.isoformat())
    assert pin["surface_sha256"] == contract.surface_sha256(written) != old_pin["surface_sha256"]
    newest = release.entries((root / "CHANGELOG.md").read_text(encoding="utf-8"))[0]
    assert (newest.date, newest.pin) == (later.isoformat(), pin)
    assert release.problems(root) == []
    assert (root / "generated" / codegen.PACKAGE / "api" / "dedicated_token" / "dedicated_tokenization.py").exists()

    again = regenerate.regenerate(str(source), root=root, today=later)  # now in step: nothing more
    assert (again.released, again.reason) == (False, regenerate.SAME_BYTES)


def test_project_factory_default_is_unchanged(tmp_path: Path):
    """build_project without a selection pins what the pipeline extracts by default."""
    root = build_project(tmp_path / "project", generate=False)
    raw = (tmp_path / UPSTREAM_NAME).read_bytes()
    assert contract.surface(contract.load(root / "openapi.yaml")) == contract.surface(
        extract.extract(raw, retrieved=RETRIEVED)
    )
