"""scripts/regenerate.py on a temporary project root: contract, generated/, CHANGELOG.md and version.

The root starts as a copy of pyproject.toml and CHANGELOG.md (and, in one case, openapi.yaml). The
first pin is shared by the module; each other test works on its own copy of the pinned root.
"""

from __future__ import annotations

import copy
import datetime as dt
import hashlib
import shutil
from pathlib import Path
from typing import Any

import pytest
from upstream_factory import build_upstream, dump

from scripts import codegen, contract, drift, regenerate

ROOT = Path(__file__).resolve().parent.parent
FIRST_DAY = dt.date(2026, 12, 1)
PINNED = contract.load(ROOT / "openapi.yaml")
COMMITTED_PYPROJECT = (ROOT / "pyproject.toml").read_text(encoding="utf-8")
COMMITTED_CHANGELOG = (ROOT / "CHANGELOG.md").read_text(encoding="utf-8")
COMMITTED_VERSION = regenerate.current_version(COMMITTED_PYPROJECT)


def _upstream() -> dict[str, Any]:
    return build_upstream(copy.deepcopy(PINNED))


def _new_root(path: Path, *, with_contract: bool = False) -> Path:
    path.mkdir(parents=True, exist_ok=True)
    (path / "pyproject.toml").write_text(COMMITTED_PYPROJECT, encoding="utf-8")
    (path / "CHANGELOG.md").write_text(COMMITTED_CHANGELOG, encoding="utf-8")
    if with_contract:
        shutil.copyfile(ROOT / "openapi.yaml", path / "openapi.yaml")
    return path


def _snapshot(root: Path) -> dict[str, bytes]:
    return {
        p.relative_to(root).as_posix(): p.read_bytes()
        for p in sorted(root.rglob("*"))
        if p.is_file() and "__pycache__" not in p.parts
    }


def _entries(changelog: str) -> list[str]:
    """The changelog's entries, newest first (each from its '## ' line)."""
    return ["## " + part for part in changelog.split("\n## ")[1:]]


def _bullets(entry: str) -> list[str]:
    return [line for line in entry.splitlines() if line.startswith("- ")]


@pytest.fixture(scope="module")
def first_pin(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """A project root without openapi.yaml, pinned once from an upstream file on FIRST_DAY."""
    work = tmp_path_factory.mktemp("first-pin")
    root = _new_root(work / "project")
    upstream = work / "upstream.yaml"
    upstream.write_bytes(dump(_upstream()))
    assert not (root / "openapi.yaml").exists()
    outcome = regenerate.regenerate(str(upstream), root=root, today=FIRST_DAY)
    return {"root": root, "upstream": upstream, "outcome": outcome}


@pytest.fixture
def pinned_root(first_pin: dict[str, Any], tmp_path: Path) -> Path:
    """A private copy of the first-pinned root."""
    return Path(shutil.copytree(first_pin["root"], tmp_path / "project"))


def test_first_pin_writes_contract_generated_changelog_and_version(first_pin):
    root, outcome = first_pin["root"], first_pin["outcome"]
    raw = first_pin["upstream"].read_bytes()
    assert outcome.contract_changed is True
    assert outcome.version == "0.1.20261201"
    assert outcome.changes == []

    written = contract.load(root / "openapi.yaml")
    assert contract.surface(written) == contract.surface(PINNED)
    assert written[contract.UPSTREAM_KEY] == {
        "url": contract.DEFAULT_UPSTREAM_URL,
        "sha256": hashlib.sha256(raw).hexdigest(),
        "surface_sha256": PINNED[contract.UPSTREAM_KEY]["surface_sha256"],
        "retrieved": "2026-12-01",
    }

    package = root / "generated" / codegen.PACKAGE
    assert f'UPSTREAM_SHA256: Final[str] = "{hashlib.sha256(raw).hexdigest()}"' in (package / "_contract.py").read_text(
        encoding="utf-8"
    )
    # Same surface as the committed contract: apart from the pin (in the data module and the shipped
    # contract), the same client as the committed one.
    assert codegen._differences(package, ROOT / "generated" / codegen.PACKAGE) == [
        f"{codegen.PACKAGE}/_contract.py",
        f"{codegen.PACKAGE}/{codegen.CONTRACT_JSON}",
    ]

    changelog = (root / "CHANGELOG.md").read_text(encoding="utf-8")
    pin = written[contract.UPSTREAM_KEY]
    assert changelog == (
        "# Changelog\n\n"
        "## 0.1.20261201 - 2026-12-01\n\n"
        f"API contract pinned to {pin['url']} (sha256 `{pin['sha256']}`, surface sha256 `{pin['surface_sha256']}`).\n\n"
        "- First contract: 12 operations, 17 schemas, 16 instance options.\n\n"
        + COMMITTED_CHANGELOG.removeprefix("# Changelog\n\n")
    )

    pyproject = (root / "pyproject.toml").read_text(encoding="utf-8")
    assert regenerate.current_version(pyproject) == "0.1.20261201"
    assert (
        f'description = "Python SDK for Friendli Dedicated Endpoints (API contract: upstream sha256 {pin["sha256"]}, '
        f'surface sha256 {pin["surface_sha256"]}, retrieved 2026-12-01)"'
    ) in pyproject.splitlines()
    changed = [
        (old, new)
        for old, new in zip(COMMITTED_PYPROJECT.splitlines(), pyproject.splitlines(), strict=True)
        if old != new
    ]
    assert [new.split(" = ")[0] for _, new in changed] == ["version", "description"]


def test_identical_bytes_change_nothing(pinned_root, first_pin):
    """The pinned upstream again, even on another day: no file changes at all, generated/ included."""
    before = _snapshot(pinned_root)
    outcome = regenerate.regenerate(str(first_pin["upstream"]), root=pinned_root, today=dt.date(2027, 1, 15))
    assert outcome.contract_changed is False
    assert outcome.version == "0.1.20261201"
    assert outcome.changes == []
    assert _snapshot(pinned_root) == before


def test_surface_change_prepends_the_drift_lines_and_moves_the_version(pinned_root, tmp_path, capsys):
    """Same day: version gets '.1'; the entry lists exactly what the drift check prints."""
    upstream = _upstream()
    upstream["components"]["schemas"]["InferenceDeploymentStatus"]["enum"].append("SCALING")
    del upstream["paths"]["/dedicated/beta/endpoint/{endpoint_id}/restart"]
    source = tmp_path / "upstream-2.yaml"
    source.write_bytes(dump(upstream))

    assert drift.main(["--upstream", str(source), "--contract", str(pinned_root / "openapi.yaml")]) == 1
    drift_lines = capsys.readouterr().out.split("\n\n")[0].splitlines()
    changelog_before = (pinned_root / "CHANGELOG.md").read_text(encoding="utf-8")

    outcome = regenerate.regenerate(str(source), root=pinned_root, today=FIRST_DAY)

    expected = [
        "BREAKING  PUT /dedicated/beta/endpoint/{endpoint_id}/restart: operation removed",
        "additive  components.schemas.InferenceDeploymentStatus: enum value 'SCALING' added",
    ]
    assert drift_lines == expected
    assert outcome.contract_changed is True
    assert outcome.version == "0.1.20261201.1"
    assert [change.line() for change in outcome.changes] == expected

    changelog = (pinned_root / "CHANGELOG.md").read_text(encoding="utf-8")
    newest, *older = _entries(changelog)
    assert newest.startswith("## 0.1.20261201.1 - 2026-12-01\n")
    assert _bullets(newest) == [f"- {line}" for line in drift_lines]
    assert older == _entries(changelog_before)

    assert regenerate.current_version((pinned_root / "pyproject.toml").read_text(encoding="utf-8")) == "0.1.20261201.1"
    written = contract.load(pinned_root / "openapi.yaml")
    assert "SCALING" in written["components"]["schemas"]["InferenceDeploymentStatus"]["enum"]
    package = pinned_root / "generated" / codegen.PACKAGE
    assert 'SCALING = "SCALING"' in (package / "models" / "inference_deployment_status.py").read_text()
    assert not (package / "api" / "dedicated_endpoint" / "dedicated_restart_endpoint.py").exists()


def test_prose_only_change_records_no_contract_change(tmp_path):
    """Starting from the committed openapi.yaml: other upstream bytes, same surface."""
    root = _new_root(tmp_path / "project", with_contract=True)
    upstream = _upstream()
    upstream["info"]["description"] = "Reworded."
    upstream["paths"]["/dedicated/beta/endpoint"]["get"]["summary"] = "Reworded."
    source = tmp_path / "upstream.yaml"
    source.write_bytes(dump(upstream))

    outcome = regenerate.regenerate(str(source), root=root, today=dt.date(2026, 11, 23))

    assert outcome.contract_changed is True
    assert outcome.changes == []
    assert outcome.version == regenerate.next_version(COMMITTED_VERSION, "2026-11-23")  # 0.1.20261123 -> ....1
    assert regenerate.current_version((root / "pyproject.toml").read_text(encoding="utf-8")) == outcome.version
    written = contract.load(root / "openapi.yaml")
    assert contract.surface(written) == contract.surface(PINNED)
    assert written[contract.UPSTREAM_KEY]["sha256"] == hashlib.sha256(source.read_bytes()).hexdigest()
    newest, *older = _entries((root / "CHANGELOG.md").read_text(encoding="utf-8"))
    assert newest.startswith(f"## {outcome.version} - 2026-11-23\n")
    assert _bullets(newest) == [
        "- No contract change: the upstream changed outside the SDK's surface or in prose only."
    ]
    assert older == _entries(COMMITTED_CHANGELOG)


@pytest.mark.parametrize(
    ("version", "retrieved", "expected"),
    [
        ("0.1.20261123", "2026-12-01", "0.1.20261201"),
        ("0.1.20261201", "2026-12-01", "0.1.20261201.1"),
        ("0.1.20261201.1", "2026-12-01", "0.1.20261201.2"),
        ("0.1.20261201.9", "2026-12-01", "0.1.20261201.10"),
        ("0.1.20261201.3", "2026-12-02", "0.1.20261202"),
        ("2.7.20261201", "2027-01-05", "2.7.20270105"),
        ("0.1", "2026-12-01", "0.1.20261201"),
    ],
)
def test_next_version(version, retrieved, expected):
    assert regenerate.next_version(version, retrieved) == expected


@pytest.mark.parametrize("version", ["0.1.dev0", "1", "0.1.20261201rc1", ""])
def test_next_version_rejects_other_schemes(version):
    with pytest.raises(regenerate.RegenerateError):
        regenerate.next_version(version, "2026-12-01")


def test_project_files_without_the_expected_lines_are_errors():
    with pytest.raises(regenerate.RegenerateError, match="no `version"):
        regenerate.current_version('[project]\nname = "x"\n')
    with pytest.raises(regenerate.RegenerateError, match="no `description"):
        regenerate.versioned('[project]\nversion = "0.1.20261123"\n', "0.1.20261201", PINNED)
    entry = regenerate.changelog_entry("0.1.20261201", PINNED, [], initial=True)
    with pytest.raises(regenerate.RegenerateError, match="does not start with"):
        regenerate.with_entry("Changes\n", entry)


def test_a_refused_project_file_leaves_every_file_untouched(tmp_path):
    """Nothing is half-done: a pyproject.toml without a description line stops before any write."""
    (tmp_path / "pyproject.toml").write_text('[project]\nversion = "0.1.20261123"\n', encoding="utf-8")
    upstream = tmp_path / "upstream.yaml"
    upstream.write_bytes(dump(_upstream()))
    with pytest.raises(regenerate.RegenerateError):
        regenerate.regenerate(str(upstream), root=tmp_path, today=dt.date(2026, 12, 1))
    assert sorted(p.name for p in tmp_path.iterdir()) == ["pyproject.toml", "upstream.yaml"]


def test_an_earlier_retrieval_date_is_refused():
    with pytest.raises(regenerate.RegenerateError, match="before the pinned one"):
        regenerate.next_version("0.1.20261201", "2026-11-30")


def test_changelog_is_created_when_missing():
    entry = regenerate.changelog_entry("0.1.20261201", PINNED, [], initial=True)
    text = regenerate.with_entry(regenerate.CHANGELOG_TITLE, entry)
    assert text.startswith("# Changelog\n\n## 0.1.20261201 - 2026-11-23\n")
    assert text.endswith("- First contract: 12 operations, 17 schemas, 16 instance options.\n")
