"""scripts/pipeline/regenerate.py on a small project root: what moves the version, and what writes nothing at all.

The project (``project_factory``) is pinned from a small upstream-like document on a fixed date
at version 2.3.4, independent of the committed contract; it is built once per module and each test
works on its own copy. Every upstream is a variation of that document, and every date is fixed.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from pathlib import Path
from typing import Any

import pytest
from project_factory import (
    PINNED_DATE,
    START_VERSION,
    UPSTREAM_NAME,
    build_project,
    pinned_upstream,
    private_copy,
    snapshot,
)
from upstream_factory import dump

from scripts.pipeline import codegen, contract, drift, regenerate, release
from scripts.pipeline.versioning import Level, Version, current_version

LATER = PINNED_DATE + dt.timedelta(days=14)


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_project(tmp_path_factory.mktemp("built") / "project")


@pytest.fixture
def root(built: Path, tmp_path: Path) -> Path:
    """A private copy of the built project (its pinned upstream beside it)."""
    return private_copy(built, tmp_path)


def _write(tmp_path: Path, document: dict[str, Any], name: str = "upstream.yaml") -> Path:
    path = tmp_path / name
    path.write_bytes(dump(document))
    return path


def _breaking_and_additive() -> dict[str, Any]:
    upstream = pinned_upstream()
    upstream["components"]["schemas"]["ThingStatus"]["enum"].append("PAUSED")
    del upstream["paths"]["/things/{thing_id}"]["delete"]
    return upstream


def _additive() -> dict[str, Any]:
    upstream = pinned_upstream()
    upstream["components"]["schemas"]["ThingStatus"]["enum"].append("PAUSED")
    return upstream


def _prose_only() -> dict[str, Any]:
    """Other bytes, same surface: reworded prose, and a change of an operation outside the SDK's tag."""
    upstream = pinned_upstream()
    upstream["info"]["description"] = "Reworded."
    upstream["paths"]["/things/{thing_id}"]["get"]["summary"] = "Reworded."
    upstream["components"]["schemas"]["Thing"]["description"] = "Reworded too."
    upstream["paths"]["/other"]["get"]["operationId"] = "otherRenamed"
    return upstream


def _pyproject(root: Path) -> str:
    return (root / "pyproject.toml").read_text(encoding="utf-8")


def _entries(root: Path) -> list[release.Entry]:
    return release.entries((root / "CHANGELOG.md").read_text(encoding="utf-8"))


# -- what moves the version ---------------------------------------------------------------------------
def test_a_breaking_change_is_a_major_release(root, tmp_path, capsys):
    """MAJOR, and the entry lists exactly what the drift check prints; every file moves together."""
    source = _write(tmp_path, _breaking_and_additive())
    assert drift.main(["--upstream", str(source), "--contract", str(root / "openapi.yaml")]) == 1
    drift_lines = capsys.readouterr().out.split("\n\n")[0].splitlines()
    entries_before = _entries(root)

    outcome = regenerate.regenerate(str(source), root=root, today=LATER)

    assert drift_lines == [
        "BREAKING  DELETE /things/{thing_id}: operation removed",
        "additive  components.schemas.ThingStatus: enum value 'PAUSED' added",
    ]
    assert outcome.released is True
    assert outcome.level is Level.MAJOR
    assert outcome.version == "3.0.0" == str(START_VERSION.bump(Level.MAJOR))
    assert [change.line() for change in outcome.changes] == drift_lines

    written = contract.load(root / "openapi.yaml")
    pin = contract.pin(written)
    assert pin["sha256"] == hashlib.sha256(source.read_bytes()).hexdigest()
    assert pin["retrieved"] == LATER.isoformat()
    assert current_version(_pyproject(root)) == "3.0.0"
    assert f'description = "{release.summary(pin)}"' in _pyproject(root).splitlines()

    newest, *older = _entries(root)
    assert newest.version == "3.0.0"
    assert newest.date == LATER.isoformat()
    assert (newest.level, newest.reason) == (Level.MAJOR, release.BREAKING_CONTRACT)
    assert newest.pin == pin
    assert [line for line in newest.text.splitlines() if line.startswith("- ")] == [f"- {line}" for line in drift_lines]
    assert older == entries_before
    assert release.problems(root) == []  # versions.md rendered again, summary, pin and version agree

    package = root / "generated" / codegen.PACKAGE
    assert not (package / "api" / "dedicated_endpoint" / "delete_thing.py").exists()
    assert codegen.stale_files(root / "openapi.yaml", root / "generated") == []


def test_additive_changes_only_are_a_minor_release(root, tmp_path):
    outcome = regenerate.regenerate(str(_write(tmp_path, _additive())), root=root, today=LATER)

    assert (outcome.released, outcome.level, outcome.version) == (True, Level.MINOR, "2.4.0")
    newest = _entries(root)[0]
    assert (newest.version, newest.level, newest.reason) == ("2.4.0", Level.MINOR, release.ADDITIVE_CONTRACT)
    assert newest.contract_changes == {"additive": 1}
    versions = (root / release.VERSIONS_PATH).read_text(encoding="utf-8")
    rows = [line for line in versions.splitlines() if line.startswith("| 2.")]
    assert [row.split(" | ")[0] for row in rows] == ["| 2.4.0", "| 2.3.4"]
    assert release.problems(root) == []


def test_releases_follow_each_other(root, tmp_path):
    """Additive, then breaking, then additive: 2.4.0, 3.0.0, 3.1.0, each step checked by problems()."""
    additive = regenerate.regenerate(str(_write(tmp_path, _additive(), "a.yaml")), root=root, today=LATER)
    breaking = regenerate.regenerate(str(_write(tmp_path, _breaking_and_additive(), "b.yaml")), root=root, today=LATER)
    third = _breaking_and_additive()
    third["components"]["schemas"]["ThingStatus"]["enum"].append("SLEEPING")
    again = regenerate.regenerate(str(_write(tmp_path, third, "c.yaml")), root=root, today=LATER)

    assert [additive.version, breaking.version, again.version] == ["2.4.0", "3.0.0", "3.1.0"]
    assert [entry.version for entry in _entries(root)] == ["3.1.0", "3.0.0", "2.4.0", "2.3.4"]
    assert release.problems(root) == []


def test_the_first_contract_is_a_major_release(tmp_path):
    root = build_project(tmp_path / "project", version=Version(0, 4, 1), with_contract=False)
    source = _write(tmp_path, pinned_upstream())

    outcome = regenerate.regenerate(str(source), root=root, today=LATER)

    assert (outcome.released, outcome.level, outcome.version) == (True, Level.MAJOR, "1.0.0")
    newest = _entries(root)[0]
    assert newest.reason == release.FIRST_CONTRACT
    document = contract.load(root / "openapi.yaml")
    assert f"- {release.first_contract_bullet(document)}" in newest.text.splitlines()
    assert release.first_contract_bullet(document) == "First contract: 3 operations, 4 schemas, 0 instance options."
    assert (root / "generated" / codegen.PACKAGE / "py.typed").exists()


# -- what releases nothing ----------------------------------------------------------------------------
def test_the_identical_upstream_changes_nothing_at_all(root, tmp_path):
    """The pinned bytes again, on a later day: every file byte for byte as it was, generated/ included."""
    before = snapshot(root)

    outcome = regenerate.regenerate(str(tmp_path / UPSTREAM_NAME), root=root, today=LATER)

    assert (outcome.released, outcome.version, outcome.reason) == (False, str(START_VERSION), regenerate.SAME_BYTES)
    assert outcome.changes == []
    assert outcome.generated_refreshed is False
    assert snapshot(root) == before


def test_prose_only_changes_nothing_and_keeps_the_pin(root, tmp_path):
    """Other bytes, same surface: no version, no entry, no new pin (the version names the first bytes)."""
    source = _write(tmp_path, _prose_only())
    assert drift.main(["--upstream", str(source), "--contract", str(root / "openapi.yaml")]) == 0
    before = snapshot(root)

    outcome = regenerate.regenerate(str(source), root=root, today=LATER)

    assert (outcome.released, outcome.reason) == (False, regenerate.SAME_SURFACE)
    assert snapshot(root) == before
    assert contract.pin(contract.load(root / "openapi.yaml"))["retrieved"] == PINNED_DATE.isoformat()


def test_a_stale_generated_folder_is_rewritten_when_nothing_is_released(root, tmp_path):
    """generated/ differing from the unchanged contract's generation is rewritten; nothing else moves."""
    data_module = root / "generated" / codegen.PACKAGE / codegen.DATA_MODULE
    expected = data_module.read_bytes()
    data_module.write_text("# edited by hand\n", encoding="utf-8")
    before = snapshot(root)

    outcome = regenerate.regenerate(str(tmp_path / UPSTREAM_NAME), root=root, today=LATER)

    assert (outcome.released, outcome.generated_refreshed) == (False, True)
    after = snapshot(root)
    assert data_module.read_bytes() == expected
    changed = sorted(name for name in before if before[name] != after.get(name))
    assert changed == [f"generated/{codegen.PACKAGE}/{codegen.DATA_MODULE}"]


# -- nothing half-done ----------------------------------------------------------------------------------
def test_an_earlier_retrieval_date_is_refused_and_nothing_is_written(root, tmp_path):
    before = snapshot(root)
    with pytest.raises(regenerate.RegenerateError, match="before the pinned one"):
        regenerate.regenerate(str(_write(tmp_path, _additive())), root=root, today=PINNED_DATE - dt.timedelta(days=1))
    assert snapshot(root) == before


def test_a_refused_project_file_leaves_every_file_untouched(root, tmp_path):
    """A pyproject.toml without a description line stops the release before any write."""
    text = "\n".join(line for line in _pyproject(root).splitlines() if not line.startswith("description")) + "\n"
    (root / "pyproject.toml").write_text(text, encoding="utf-8")
    before = snapshot(root)
    with pytest.raises(regenerate.RegenerateError, match="no `description"):
        regenerate.regenerate(str(_write(tmp_path, _additive())), root=root, today=LATER)
    assert snapshot(root) == before


def test_a_generator_failure_leaves_every_file_untouched(root, tmp_path, monkeypatch):
    """The client is generated before the first write: its failure leaves the contract and version too."""

    def fail(contract_path: Path, output_root: Path) -> Path:
        raise codegen.CodegenError("openapi-python-client failed (1):\nboom")

    monkeypatch.setattr(codegen, "generate", fail)
    before = snapshot(root)
    with pytest.raises(codegen.CodegenError, match="boom"):
        regenerate.regenerate(str(_write(tmp_path, _additive())), root=root, today=LATER)
    assert snapshot(root) == before


def test_a_version_that_is_not_semantic_is_refused(root, tmp_path):
    text = _pyproject(root).replace(f'version = "{START_VERSION}"', 'version = "0.1.20261123.1"')
    (root / "pyproject.toml").write_text(text, encoding="utf-8")
    before = snapshot(root)
    with pytest.raises(regenerate.RegenerateError, match=r"is not MAJOR\.MINOR\.PATCH"):
        regenerate.regenerate(str(_write(tmp_path, _additive())), root=root, today=LATER)
    assert snapshot(root) == before


# -- command line -------------------------------------------------------------------------------------
def test_command_line_reports_a_release(root, tmp_path, capsys, monkeypatch):
    monkeypatch.setattr(regenerate, "ROOT", root)
    source = _write(tmp_path, _breaking_and_additive())
    code = regenerate.main(["--upstream", str(source), "--date", LATER.isoformat()])
    out = capsys.readouterr().out.splitlines()
    assert code == 0
    assert out[0] == "version 3.0.0 (MAJOR: breaking contract changes), 2 change(s)"
    assert out[1:] == [
        "  BREAKING  DELETE /things/{thing_id}: operation removed",
        "  additive  components.schemas.ThingStatus: enum value 'PAUSED' added",
    ]


def test_command_line_reports_nothing_to_release(root, tmp_path, capsys, monkeypatch):
    monkeypatch.setattr(regenerate, "ROOT", root)
    code = regenerate.main(["--upstream", str(_write(tmp_path, _prose_only())), "--date", LATER.isoformat()])
    assert code == 0
    assert capsys.readouterr().out == (
        f"nothing to release ({regenerate.SAME_SURFACE}): contract, pin and version {START_VERSION} kept\n"
    )


def test_command_line_refusal_exits_1_naming_the_reason(root, tmp_path, capsys, monkeypatch):
    monkeypatch.setattr(regenerate, "ROOT", root)
    code = regenerate.main(["--upstream", str(_write(tmp_path, _additive())), "--date", "2000-01-01"])
    assert code == 1
    assert capsys.readouterr().err == (
        f"regenerate: retrieval date 2000-01-01 is before the pinned one ({PINNED_DATE.isoformat()})\n"
    )
