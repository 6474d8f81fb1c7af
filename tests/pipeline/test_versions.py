"""Versions: the committed project is in step (pyproject.toml, CHANGELOG.md, docs/versions.md, openapi.yaml's
pin), and the parsing and rendering behind it, on fixture texts with fixed dates.
"""

from __future__ import annotations

import doctest
import re
from pathlib import Path

import pytest
from project_factory import START_VERSION, build_project

from scripts.pipeline import api_check, bump, contract, release, upkeep, versioning
from scripts.pipeline.versioning import (
    Level,
    Version,
    VersionError,
    current_version,
    version_line_pattern,
    with_version,
)

ROOT = Path(__file__).resolve().parents[2]
PIN = {
    "url": "https://example.invalid/openapi.yaml",
    "sha256": "a" * 64,
    "surface_sha256": "b" * 64,
    "retrieved": "2026-02-03",
}


# -- the committed project ----------------------------------------------------------------------------
def test_the_committed_project_is_in_step():
    """Version, summary, pin, the changelog's steps and docs/versions.md agree; no placeholder left."""
    assert release.problems(ROOT) == []


def test_the_committed_versions_page_lists_every_changelog_version():
    changelog = (ROOT / "CHANGELOG.md").read_text(encoding="utf-8")
    versions = (ROOT / release.VERSIONS_PATH).read_text(encoding="utf-8")
    listed = re.findall(r"^\| (\S+) \| \d{4}-\d{2}-\d{2} \|", versions, flags=re.MULTILINE)
    assert listed == re.findall(r"^## (\S+) - ", changelog, flags=re.MULTILINE)
    assert listed[0] == current_version((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    assert "`friendli-dedicated~=1.2`" in versions


# -- problems(): each disagreement is named ------------------------------------------------------------
@pytest.fixture
def project(tmp_path: Path) -> Path:
    root = build_project(tmp_path / "project", generate=False)
    assert release.problems(root) == []
    return root


def _edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def test_a_version_ahead_of_the_changelog_is_named(project):
    _edit(project / "pyproject.toml", f'version = "{START_VERSION}"', 'version = "2.3.5"')
    assert release.problems(project) == [
        f"pyproject.toml's version is 2.3.5 but the newest CHANGELOG.md entry is {START_VERSION}"
    ]


def test_a_summary_naming_another_pin_is_named(project):
    pin = contract.pin(contract.load(project / "openapi.yaml"))
    _edit(project / "pyproject.toml", pin["surface_sha256"], "c" * 64)
    assert release.problems(project) == [
        "pyproject.toml's description does not name openapi.yaml's pin (run nox -s bump or regenerate)"
    ]


def test_a_changelog_pin_other_than_the_contract_is_named(project):
    pin = contract.pin(contract.load(project / "openapi.yaml"))
    _edit(project / "CHANGELOG.md", f"retrieved {pin['retrieved']}", "retrieved 2020-01-01")
    found = release.problems(project)
    assert found[0].startswith("the newest CHANGELOG.md entry's contract line is not openapi.yaml's pin")
    assert found[1:] == ["docs/versions.md is not the rendering of CHANGELOG.md (run nox -s versions)"]


def test_a_hand_edited_versions_page_is_named(project):
    _edit(project / release.VERSIONS_PATH, "| 2.3.4 |", "| 2.3.9 |")
    assert release.problems(project) == ["docs/versions.md is not the rendering of CHANGELOG.md (run nox -s versions)"]


def test_a_level_that_is_not_the_step_is_named(project):
    pin = contract.pin(contract.load(project / "openapi.yaml"))
    entry = release.render_entry(Version(2, 3, 5), "2026-05-01", Level.MINOR, "mislabelled", pin, ["A fix."])
    changelog = project / "CHANGELOG.md"
    changelog.write_text(release.with_entry(changelog.read_text(encoding="utf-8"), entry), encoding="utf-8")
    _edit(project / "pyproject.toml", f'version = "{START_VERSION}"', 'version = "2.3.5"')
    (project / release.VERSIONS_PATH).write_text(
        release.render_versions(release.entries(changelog.read_text(encoding="utf-8"))), encoding="utf-8"
    )
    assert release.problems(project) == ["CHANGELOG.md: 2.3.4 -> 2.3.5 is not one MINOR step"]


def test_the_versions_command_renders_the_page_again_and_lists_problems(project, capsys):
    (project / release.VERSIONS_PATH).write_text("edited by hand\n", encoding="utf-8")
    assert release.main(["--root", str(project)]) == 0
    assert capsys.readouterr().out == "wrote docs/versions.md\n"
    assert release.problems(project) == []

    _edit(project / "CHANGELOG.md", "- The fixture's contract.", f"- {release.PLACEHOLDER}")
    assert release.main(["--root", str(project)]) == 1
    assert capsys.readouterr().out.splitlines()[1:] == [
        f"release: CHANGELOG.md: the entry 2.3.4 still says {release.PLACEHOLDER!r}: write what changed"
    ]


# -- CHANGELOG.md entries ----------------------------------------------------------------------------------
def test_an_entry_reads_back_as_written():
    bullets = [
        "BREAKING  DELETE /things/{thing_id}: operation removed",
        "additive  components.schemas.ThingStatus: enum value 'PAUSED' added",
        "additive  GET /things: operation added",
        "The waiter honours Retry-After.",
    ]
    entry_text = release.render_entry(
        Version(3, 0, 0), "2026-05-01", Level.MAJOR, "breaking contract changes", PIN, bullets
    )
    [entry] = release.entries(release.with_entry(release.CHANGELOG_TITLE, entry_text))
    assert (entry.version, entry.date, entry.level, entry.reason) == (
        "3.0.0",
        "2026-05-01",
        Level.MAJOR,
        "breaking contract changes",
    )
    assert entry.pin == PIN
    assert entry.text == entry_text
    assert entry.contract_changes == {"BREAKING": 1, "additive": 2}
    assert entry.other_changes == 1
    assert entry.anchor() == "300---2026-05-01"


def test_entries_are_newest_first_and_older_ones_are_kept_verbatim():
    first = release.render_entry(Version(1, 0, 0), "2026-01-01", Level.MAJOR, "the first contract", PIN, ["One."])
    second = release.render_entry(
        Version(1, 1, 0), "2026-02-01", Level.MINOR, "additive contract changes", PIN, ["Two."]
    )
    text = release.with_entry(release.with_entry(release.CHANGELOG_TITLE, first), second)
    assert text == f"{release.CHANGELOG_TITLE}\n{second}\n{first}"
    assert [entry.version for entry in release.entries(text)] == ["1.1.0", "1.0.0"]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("Changes\n", "CHANGELOG.md does not start with '# Changelog'"),
        ("# Changelog\n\n## 1.0.0\n\nRelease: MAJOR (x).\n", "heading '## 1.0.0' is not '## VERSION - YYYY-MM-DD'"),
        (
            "# Changelog\n\n## 1.0.0 - 2026-01-01\n\n- A change.\n",
            "the entry 1.0.0 has no 'Release: LEVEL (why).' line",
        ),
        (
            "# Changelog\n\n## 1.0.0 - 2026-01-01\n\nRelease: MAJOR (x).\n\n- A change.\n",
            "the entry 1.0.0 has no 'Contract: URL retrieved DATE (...).' line",
        ),
    ],
)
def test_an_entry_not_in_the_written_form_is_an_error_naming_it(text, message):
    with pytest.raises(release.ReleaseError) as refused:
        release.entries(text)
    assert message in str(refused.value)


# -- docs/versions.md ------------------------------------------------------------------------------------
def test_the_versions_table_counts_and_links_each_entry():
    entry_text = release.render_entry(
        Version(3, 0, 0),
        "2026-05-01",
        Level.MAJOR,
        "breaking contract changes",
        PIN,
        ["BREAKING  GET /a: operation removed", "additive  GET /b: operation added", "A note."],
    )
    patch_text = release.render_entry(
        Version(3, 0, 1), "2026-05-02", Level.PATCH, "fixes of a | b", PIN, ["One.", "Two."]
    )
    text = release.with_entry(release.with_entry(release.CHANGELOG_TITLE, entry_text), patch_text)
    rendered = release.render_versions(release.entries(text))
    assert rendered.startswith(release.VERSIONS_INTRO)
    assert rendered[len(release.VERSIONS_INTRO) :].splitlines() == [
        f"| 3.0.1 | 2026-05-02 | PATCH: fixes of a \\| b | 2026-02-03 | `{'b' * 64}` | `{'a' * 64}` "
        "| [2 notes](../CHANGELOG.md#301---2026-05-02) |",
        f"| 3.0.0 | 2026-05-01 | MAJOR: breaking contract changes | 2026-02-03 | `{'b' * 64}` | `{'a' * 64}` "
        "| [contract: 1 breaking, 1 additive; 1 note](../CHANGELOG.md#300---2026-05-01) |",
    ]


# -- pyproject.toml -----------------------------------------------------------------------------------
def test_a_release_changes_only_the_version_and_the_summary():
    text = '[project]\nname = "x"\n# keep me\nversion = "1.2.3"\ndescription = "old"\n\n[tool.x]\nversion = "9.9.9"\n'
    assert release.with_release(text, Version(1, 3, 0), PIN) == text.replace('"1.2.3"', '"1.3.0"').replace(
        '"old"', f'"{release.summary(PIN)}"'
    )


def test_a_pyproject_without_the_lines_is_an_error():
    with pytest.raises(release.ReleaseError, match="no `description"):
        release.with_release('[project]\nversion = "1.0.0"\n', Version(1, 0, 1), PIN)
    with pytest.raises(release.ReleaseError, match="no `version"):
        release.with_release('[project]\ndescription = "x"\n', Version(1, 0, 1), PIN)


# -- versioning ----------------------------------------------------------------------------------------
@pytest.mark.parametrize("text", ["1.0", "1", "", "01.2.3", "1.2.3rc1", "0.1.20261123.1", "v1.2.3", "1.2.-3"])
def test_only_three_plain_numbers_are_a_version(text):
    with pytest.raises(VersionError, match=r"is not MAJOR\.MINOR\.PATCH"):
        Version.parse(text)


@pytest.mark.parametrize(
    ("start", "level", "expected"),
    [
        ("1.4.2", Level.MAJOR, "2.0.0"),
        ("1.4.2", Level.MINOR, "1.5.0"),
        ("1.4.2", Level.PATCH, "1.4.3"),
        ("0.1.20261123", Level.MAJOR, "1.0.0"),  # the dated scheme's last version, moved to 1.0.0
        ("9.9.9", Level.PATCH, "9.9.10"),
    ],
)
def test_bump(start, level, expected):
    bumped = Version.parse(start).bump(level)
    assert str(bumped) == expected
    assert bumped.step_from(Version.parse(start)) is level
    assert bumped > Version.parse(start)


@pytest.mark.parametrize(
    ("older", "newer"), [("1.0.0", "1.0.0"), ("1.0.0", "1.0.2"), ("1.0.0", "3.0.0"), ("2.0.0", "1.0.0")]
)
def test_what_is_not_one_step(older, newer):
    assert Version.parse(newer).step_from(Version.parse(older)) is None


def test_with_version_changes_the_first_version_line_only():
    text = '[project]\nversion = "1.0.0"\n[tool.other]\nversion = "1.0.0"\n'
    assert with_version(text, Version(1, 1, 0)) == '[project]\nversion = "1.1.0"\n[tool.other]\nversion = "1.0.0"\n'
    with pytest.raises(VersionError, match="no `version"):
        with_version('[project]\nname = "x"\n', Version(1, 1, 0))


def test_the_version_line_pattern_matches_that_line_only():
    pattern = re.compile(version_line_pattern("1.0.0"), re.MULTILINE)
    assert pattern.search('x\nversion = "1.0.0"\ny')
    for other in ('version = "1x0x0"', 'version = "1.0.0.1"', 'my_version = "1.0.0"', 'version = "11.0.0"'):
        assert pattern.search(other) is None, other


@pytest.mark.parametrize("module", [versioning, release, api_check, bump, upkeep], ids=lambda module: module.__name__)
def test_docstring_examples_of_the_release_tooling(module):
    result = doctest.testmod(module, optionflags=doctest.ELLIPSIS)
    assert result.failed == 0
