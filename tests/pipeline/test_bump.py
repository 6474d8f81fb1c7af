"""scripts/pipeline/bump.py: PATCH, MINOR and MAJOR for the hand-written layer, refused over a break of the facade.

Most tests inject the API check (a function returning an ``ApiReport``) into a small project
(``project_factory``, no generated/); the last ones run the real check (griffe) in a tiny git
repository (``git_fixture``) through the command line.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path

import pytest
from git_fixture import break_greet, commit, git, init, write_facade
from project_factory import START_VERSION, build_project, snapshot

from scripts.pipeline import api_check, bump, contract, release
from scripts.pipeline.api_check import ApiReport, Baseline
from scripts.pipeline.versioning import Level, current_version

DAY = dt.date(2026, 4, 1)
BASELINE = Baseline(str(START_VERSION), "0123456789abcdef0123456789abcdef01234567")
BREAK = "friendli_dedicated._client.Client.create: Parameter was removed: timeout"
BREAK_OF_GREET = "friendli_dedicated._greeting.greet: Parameter was removed: [keyword-only] loud: bool = False"


def reporting(report: ApiReport) -> Callable[[Path], ApiReport]:
    return lambda root: report


NO_BREAK = reporting(ApiReport(BASELINE))
A_BREAK = reporting(ApiReport(BASELINE, [BREAK]))
NO_BASELINE = reporting(ApiReport(None, unavailable="this is a shallow clone and ..."))


@pytest.fixture
def root(tmp_path: Path) -> Path:
    return build_project(tmp_path / "project", generate=False)


def _entries(root: Path) -> list[release.Entry]:
    return release.entries((root / "CHANGELOG.md").read_text(encoding="utf-8"))


def _bullets(entry: release.Entry) -> list[str]:
    return [line[2:] for line in entry.text.splitlines() if line.startswith("- ")]


# -- what a bump writes -------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("level", "expected"), [(Level.PATCH, "2.3.5"), (Level.MINOR, "2.4.0"), (Level.MAJOR, "3.0.0")]
)
def test_each_level_moves_its_number_and_writes_an_entry(root, level, expected):
    pyproject_before = (root / "pyproject.toml").read_text(encoding="utf-8")
    entries_before = _entries(root)

    bumped = bump.bump(level, root=root, today=DAY, api=NO_BREAK)

    assert (bumped.old, bumped.new, bumped.level) == (str(START_VERSION), expected, level)
    pyproject = (root / "pyproject.toml").read_text(encoding="utf-8")
    assert current_version(pyproject) == expected
    changed = [
        new for old, new in zip(pyproject_before.splitlines(), pyproject.splitlines(), strict=True) if old != new
    ]
    assert changed == [f'version = "{expected}"']  # the summary already names the unchanged pin
    newest, *older = _entries(root)
    assert (newest.version, newest.date, newest.level) == (expected, DAY.isoformat(), level)
    assert newest.reason == release.FACADE_REASONS[level]
    assert newest.pin == contract.pin(contract.load(root / "openapi.yaml"))
    assert _bullets(newest) == [release.PLACEHOLDER]
    assert older == entries_before
    versions = (root / release.VERSIONS_PATH).read_text(encoding="utf-8")
    assert versions == release.render_versions(_entries(root))


def test_the_placeholder_fails_the_checks_until_a_person_writes_the_entry(root):
    bump.bump(Level.PATCH, root=root, today=DAY, api=NO_BREAK)
    assert release.problems(root) == [
        f"CHANGELOG.md: the entry 2.3.5 still says {release.PLACEHOLDER!r}: write what changed"
    ]
    changelog = root / "CHANGELOG.md"
    changelog.write_text(
        changelog.read_text(encoding="utf-8").replace(release.PLACEHOLDER, "Retries honour Retry-After."),
        encoding="utf-8",
    )
    assert release.problems(root) == []


def test_a_major_lists_the_breaks_it_releases(root):
    bump.bump(Level.MAJOR, root=root, today=DAY, api=A_BREAK)
    assert _bullets(_entries(root)[0]) == [release.PLACEHOLDER, f"BREAKING facade: {BREAK}"]


def test_a_major_needs_no_baseline(root):
    bumped = bump.bump(Level.MAJOR, root=root, today=DAY, api=NO_BASELINE)
    assert bumped.new == "3.0.0"


# -- refusals: nothing written ----------------------------------------------------------------------------
@pytest.mark.parametrize("level", [Level.PATCH, Level.MINOR])
def test_a_patch_or_minor_over_a_break_is_refused(root, level):
    before = snapshot(root)
    with pytest.raises(bump.BumpRefusedError) as refused:
        bump.bump(level, root=root, today=DAY, api=A_BREAK)
    message = str(refused.value)
    assert f"broke since {START_VERSION} (commit 0123456789ab)" in message
    assert f"  {BREAK}\n" in message
    assert message.endswith(f"a {level.name} release cannot carry a break: nox -s bump -- major")
    assert snapshot(root) == before


@pytest.mark.parametrize("level", [Level.PATCH, Level.MINOR])
def test_a_patch_or_minor_without_a_baseline_is_refused(root, level):
    before = snapshot(root)
    with pytest.raises(bump.BumpRefusedError, match=r"cannot check the facade's public API .*shallow clone"):
        bump.bump(level, root=root, today=DAY, api=NO_BASELINE)
    assert snapshot(root) == before


def test_a_patch_on_top_of_a_pending_major_may_carry_the_break(root):
    """A MAJOR already in the work tree (not committed, so the baseline is older): its breaks are allowed."""
    bump.bump(Level.MAJOR, root=root, today=DAY, api=A_BREAK)
    bumped = bump.bump(Level.PATCH, root=root, today=DAY, api=A_BREAK)
    assert bumped.new == "3.0.1"


# -- the real check, through the command line -------------------------------------------------------------
@pytest.fixture
def repo(tmp_path: Path) -> Path:
    """The small project with a stand-in facade, committed as the release of 2.3.4."""
    project = build_project(tmp_path / "repo", generate=False)
    write_facade(project)
    init(project)
    commit(project, f"release {START_VERSION}")
    return project


def test_command_line_refuses_a_patch_over_a_break(repo, monkeypatch, capsys):
    monkeypatch.setattr(bump, "ROOT", repo)
    break_greet(repo)
    before = snapshot(repo)

    assert bump.main(["patch", "--date", DAY.isoformat()]) == 1

    err = capsys.readouterr().err.splitlines()
    commit_id = git(repo, "rev-parse", "HEAD")[:12]
    assert err == [
        f"bump: refused: the facade's public API broke since 2.3.4 (commit {commit_id}):",
        f"  {BREAK_OF_GREET}",
        "a PATCH release cannot carry a break: nox -s bump -- major",
    ]
    assert snapshot(repo) == before


def test_command_line_major_releases_the_break_and_the_api_check_then_passes(repo, monkeypatch, capsys):
    monkeypatch.setattr(bump, "ROOT", repo)
    break_greet(repo)
    assert api_check.main(["--root", str(repo)]) == 1  # the break, before the bump

    assert bump.main(["major", "--date", DAY.isoformat()]) == 0

    out = capsys.readouterr().out.splitlines()
    assert "version 2.3.4 -> 3.0.0 (MAJOR: a breaking change of the hand-written layer)" in out
    newest = _entries(repo)[0]
    assert f"- BREAKING facade: {BREAK_OF_GREET}" in newest.text.splitlines()
    assert api_check.main(["--root", str(repo)]) == 0


def test_command_line_patch_without_a_break(repo, monkeypatch, capsys):
    monkeypatch.setattr(bump, "ROOT", repo)
    assert bump.main(["patch", "--date", DAY.isoformat()]) == 0
    assert capsys.readouterr().out.splitlines()[0] == "version 2.3.4 -> 2.3.5 (PATCH: fixes of the hand-written layer)"
    assert current_version((repo / "pyproject.toml").read_text(encoding="utf-8")) == "2.3.5"
