"""The package ships the desired-state file's JSON Schema, as the contract it was generated from makes it.

``facade/friendli_dedicated/desired.schema.json`` is written by ``scripts/pipeline/desired_schema.py``
(``regenerate`` runs it); like ``generated/``, it must be what a fresh build gives.
"""

from __future__ import annotations

import json
from pathlib import Path

import friendli_dedicated as fd
from scripts.pipeline import desired_schema

ROOT = Path(__file__).resolve().parents[2]


def test_the_shipped_schema_is_fresh() -> None:
    shipped = (ROOT / desired_schema.SCHEMA).read_text(encoding="utf-8")
    assert shipped == desired_schema.render(ROOT), desired_schema.STALE_MESSAGE
    assert json.loads(shipped) == fd.Desired.json_schema()
    assert desired_schema.is_fresh(ROOT)


def test_the_schema_is_package_data() -> None:
    assert (Path(fd.__file__).parent / "desired.schema.json").is_file()


def test_a_stale_schema_is_seen_and_written_again(tmp_path: Path) -> None:
    for relative in (desired_schema.BUILDER, desired_schema.CONTRACT, desired_schema.SCHEMA):
        (tmp_path / relative).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / relative).write_bytes((ROOT / relative).read_bytes())
    (tmp_path / desired_schema.SCHEMA).write_text("{}\n")
    assert not desired_schema.is_fresh(tmp_path)
    assert desired_schema.write(tmp_path)
    assert desired_schema.is_fresh(tmp_path)
    assert not desired_schema.write(tmp_path)  # fresh: left as it is


def test_a_project_without_the_facade_is_left_alone(tmp_path: Path) -> None:
    assert desired_schema.render(tmp_path) is None
    assert not desired_schema.write(tmp_path)
