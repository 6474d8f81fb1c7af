"""A small project root for the release tooling (regenerate, bump, upkeep), independent of the committed pin.

``pinned_upstream()`` is ``upstream_factory.small_upstream()`` with a create operation (the generator's
engine-option table needs one: ``dedicatedCreateEndpoint`` with an ``advanced`` property). Its contract
has 3 operations and 4 schemas.

``build_project(root)`` writes what those scripts read and write: ``openapi.yaml`` (extracted from
``pinned_upstream()``, retrieved on ``PINNED_DATE``), ``generated/`` (generated from it),
``pyproject.toml`` at ``START_VERSION`` with the summary naming the pin, a ``CHANGELOG.md`` with one entry
for it, and ``docs/versions.md`` rendered from that. ``release.problems(root)`` of the result is empty.
"""

from __future__ import annotations

import datetime as dt
import shutil
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from upstream_factory import TAG, dump, small_upstream

from scripts.pipeline import codegen, contract, extract, release
from scripts.pipeline.versioning import Level, Version

PINNED_DATE = dt.date(2026, 3, 2)
START_VERSION = Version(2, 3, 4)
UPSTREAM_NAME = "pinned-upstream.yaml"

PYPROJECT = """\
[project]
name = "friendli-dedicated"
# a comment that must survive
version = "{version}"
description = "{description}"
requires-python = ">=3.11"
"""


def pinned_upstream() -> dict[str, Any]:
    upstream = small_upstream()
    upstream["paths"]["/things"] = {
        "post": {
            "tags": [TAG],
            "operationId": "dedicatedCreateEndpoint",
            "summary": "Create a thing",
            "requestBody": {
                "required": True,
                "content": {"application/json": {"schema": {"$ref": "#/components/schemas/ThingCreate"}}},
            },
            "responses": {
                "200": {
                    "description": "The new thing.",
                    "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Thing"}}},
                }
            },
        }
    }
    upstream["components"]["schemas"]["ThingCreate"] = {
        "type": "object",
        "description": "What a new thing is made of.",
        "properties": {
            "name": {"type": "string"},
            "advanced": {"anyOf": [{"$ref": "#/components/schemas/ThingAdvanced"}, {"type": "null"}]},
        },
        "required": ["name"],
    }
    upstream["components"]["schemas"]["ThingAdvanced"] = {
        "type": "object",
        "properties": {
            "max_batch": {"anyOf": [{"type": "integer", "minimum": 1}, {"type": "null"}], "title": "Max batch"}
        },
    }
    return upstream


def build_project(
    root: Path,
    *,
    version: Version = START_VERSION,
    with_contract: bool = True,
    generate: bool = True,
    upstream: dict[str, Any] | None = None,
    operations: Iterable[str] = contract.DEFAULT_OPERATIONS,
) -> Path:
    """The project under ``root``; the upstream it was pinned from is written beside it (``UPSTREAM_NAME``).

    ``with_contract=False``: no openapi.yaml (a project before its first contract); ``generate=False``:
    no generated/ (for tools that do not read it: bump, the versions table). ``upstream`` (default
    ``pinned_upstream()``) is pinned, its contract extracted keeping the operations named in
    ``operations`` besides the tagged ones (as an older pipeline that selected others would have).
    """
    root.mkdir(parents=True, exist_ok=True)
    raw = dump(pinned_upstream() if upstream is None else upstream)
    (root.parent / UPSTREAM_NAME).write_bytes(raw)
    document = extract.extract(raw, retrieved=PINNED_DATE.isoformat(), operations=operations)
    pin = contract.pin(document)
    if with_contract:
        contract.dump(document, root / "openapi.yaml")
        if generate:
            codegen.generate(root / "openapi.yaml", root / "generated")
    (root / "pyproject.toml").write_text(
        PYPROJECT.format(version=version, description=release.summary(pin)), encoding="utf-8"
    )
    entry = release.render_entry(
        version, PINNED_DATE.isoformat(), Level.MINOR, "a fixture release", pin, ["The fixture's contract."]
    )
    changelog = release.with_entry(release.CHANGELOG_TITLE, entry)
    (root / "CHANGELOG.md").write_text(changelog, encoding="utf-8")
    (root / release.VERSIONS_PATH).parent.mkdir(parents=True, exist_ok=True)
    (root / release.VERSIONS_PATH).write_text(release.render_versions(release.entries(changelog)), encoding="utf-8")
    return root


def private_copy(built: Path, destination: Path) -> Path:
    """A copy of the project ``build_project`` made at ``built``, in ``destination/project``, with its pinned
    upstream beside it (as ``build_project`` leaves it): one per test, so a test may write freely."""
    shutil.copyfile(built.parent / UPSTREAM_NAME, destination / UPSTREAM_NAME)
    return Path(shutil.copytree(built, destination / "project"))


def snapshot(root: Path) -> dict[str, bytes]:
    """Every file under ``root`` (caches aside), by relative path: compare two to see what a run wrote."""
    return {
        path.relative_to(root).as_posix(): path.read_bytes()
        for path in sorted(root.rglob("*"))
        if path.is_file() and "__pycache__" not in path.parts
    }
