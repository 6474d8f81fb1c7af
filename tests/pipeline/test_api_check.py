"""scripts/pipeline/api_check.py: the last release found in git history, griffe's breaks, and no spurious failure.

Each test builds a tiny repository (``git_fixture``) with a stand-in facade, commits, and changes the
work tree as a maintainer would.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
from git_fixture import add_farewell, break_greet, commit, git, init, set_version, write_facade

from scripts.pipeline import api_check
from scripts.pipeline.versioning import Version


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    """A repository whose first commit sets 1.0.0, then a commit that does not touch the version."""
    project = init(tmp_path / "repo")
    write_facade(project)
    set_version(project, "1.0.0")
    commit(project, "release 1.0.0")
    (project / "README.md").write_text("Notes.\n", encoding="utf-8")
    commit(project, "notes")
    return project


def _release_commit(repo: Path) -> str:
    return git(repo, "rev-list", "--max-parents=0", "HEAD")


# -- the baseline -------------------------------------------------------------------------------------
def test_the_baseline_is_the_commit_that_set_the_version(repo):
    assert api_check.find_baseline(repo) == api_check.Baseline("1.0.0", _release_commit(repo))


def test_a_new_version_commit_becomes_the_baseline(repo):
    set_version(repo, "1.1.0")
    released = commit(repo, "release 1.1.0")
    add_farewell(repo)
    commit(repo, "an addition after the release")
    assert api_check.find_baseline(repo) == api_check.Baseline("1.1.0", released)


def test_an_uncommitted_version_is_not_the_baseline(repo):
    """A bump in the work tree prepares the next release: the baseline is still HEAD's version."""
    set_version(repo, "2.0.0")
    assert api_check.find_baseline(repo).version == "1.0.0"


def test_a_version_merged_into_main_is_released_by_the_merge(repo):
    """The baseline is the merge that brought the version into main: its facade is main's, including what
    main changed meanwhile (here a break, released by the merge), not the branch's."""
    git(repo, "switch", "--quiet", "-c", "feature")
    set_version(repo, "2.0.0")
    commit(repo, "release 2.0.0 on a branch")
    git(repo, "switch", "--quiet", "main")
    break_greet(repo)
    commit(repo, "meanwhile on main")
    git(repo, "merge", "--quiet", "--no-ff", "-m", "merge feature", "feature")
    merge = git(repo, "rev-parse", "HEAD")

    assert api_check.find_baseline(repo) == api_check.Baseline("2.0.0", merge)
    assert api_check.check(repo).breaks == []
    git(repo, "switch", "--quiet", "feature")  # on the branch, the branch's own commit
    assert api_check.find_baseline(repo).commit == git(repo, "rev-parse", "HEAD")


def test_a_project_in_a_subfolder_of_the_repository(tmp_path):
    repository = init(tmp_path / "repo")
    project = repository / "sdk"
    write_facade(project)
    set_version(project, "1.0.0")
    released = commit(repository, "release")
    break_greet(project)
    report = api_check.check(project)
    assert report.baseline == api_check.Baseline("1.0.0", released)
    assert len(report.breaks) == 1


# -- breaks ---------------------------------------------------------------------------------------------
def test_no_change_no_break(repo):
    report = api_check.check(repo)
    assert report.breaks == []
    assert report.allows(Version(1, 0, 1))


def test_an_addition_is_not_a_break(repo):
    add_farewell(repo)
    assert api_check.check(repo).breaks == []


def test_a_removed_parameter_is_a_break(repo):
    break_greet(repo)
    report = api_check.check(repo)
    assert report.breaks == [
        "friendli_dedicated._greeting.greet: Parameter was removed: [keyword-only] loud: bool = False"
    ]
    assert not report.allows(Version(1, 1, 0))
    assert report.allows(Version(2, 0, 0))


def _rewrite_greet(repo: Path, signature: str) -> None:
    greeting = repo / "facade" / "friendli_dedicated" / "_greeting.py"
    text = re.sub(r"^def greet\(.*$", signature, greeting.read_text(encoding="utf-8"), count=1, flags=re.MULTILINE)
    greeting.write_text(text, encoding="utf-8")


def test_a_renamed_variadic_keyword_is_not_a_break_but_a_removed_one_is(repo):
    _rewrite_greet(repo, "def greet(name: str, *, loud: bool = False, **options: object) -> str:")
    commit(repo, "greet takes **options")
    set_version(repo, "1.1.0")
    commit(repo, "release 1.1.0")
    _rewrite_greet(repo, "def greet(name: str, *, loud: bool = False, **changes: object) -> str:")
    assert api_check.check(repo).breaks == []  # every call greet accepted, it still accepts
    _rewrite_greet(repo, "def greet(name: str, *, loud: bool = False) -> str:")
    assert api_check.check(repo).breaks == [
        "friendli_dedicated._greeting.greet: Parameter was removed: [variadic keyword] options: object = {}"
    ]


def test_keyword_parameters_taken_into_a_variadic_keyword_are_not_a_break(repo):
    _rewrite_greet(repo, "def greet(name: str, **options: bool) -> str:")
    assert api_check.check(repo).breaks == []


def test_a_removed_public_name_is_a_break(repo):
    init_file = repo / "facade" / "friendli_dedicated" / "__init__.py"
    text = init_file.read_text(encoding="utf-8")
    text = text.replace("import Greeter, greet", "import greet").replace('["Greeter", "greet"]', '["greet"]')
    init_file.write_text(text, encoding="utf-8")
    [line] = api_check.check(repo).breaks
    assert line.startswith("friendli_dedicated.Greeter: Public object was removed")


def test_a_committed_break_since_the_release_is_found(repo):
    """The comparison is with the release, not with HEAD: a break committed without a bump still counts."""
    break_greet(repo)
    commit(repo, "a break, committed without a bump")
    assert len(api_check.check(repo).breaks) == 1


# -- the command line -----------------------------------------------------------------------------------
def test_main_fails_on_a_break_without_a_major_release(repo, capsys):
    break_greet(repo)
    set_version(repo, "1.1.0")
    assert api_check.main(["--root", str(repo)]) == 1
    out = capsys.readouterr().out.splitlines()
    assert out[0] == (
        "api: 1 breaking change(s) of friendli_dedicated's public API "
        f"since 1.0.0 (commit {_release_commit(repo)[:12]}):"
    )
    assert out[1] == "  friendli_dedicated._greeting.greet: Parameter was removed: [keyword-only] loud: bool = False"
    assert out[2] == "api: version 1.1.0 is not a MAJOR release over 1.0.0: run nox -s bump -- major"


def test_main_allows_a_break_in_a_major_release(repo, capsys):
    break_greet(repo)
    set_version(repo, "2.0.0")
    assert api_check.main(["--root", str(repo)]) == 0
    assert capsys.readouterr().out.splitlines()[-1] == (
        "api: version 2.0.0 is a MAJOR release over 1.0.0: the breaks are allowed"
    )


def test_main_passes_without_a_break(repo, capsys):
    add_farewell(repo)
    assert api_check.main(["--root", str(repo)]) == 0
    assert capsys.readouterr().out.startswith("api: no breaking change of friendli_dedicated's public API since 1.0.0")


# -- no baseline: say so, do not fail -------------------------------------------------------------------
def test_a_shallow_clone_skips_with_a_clear_line(repo, tmp_path, capsys):
    clone = tmp_path / "clone"
    git(tmp_path, "clone", "--quiet", "--depth", "1", f"file://{repo}", str(clone))
    break_greet(clone)  # a real break: the check cannot see it, and says why

    report = api_check.check(clone)
    assert report.baseline is None
    assert "shallow clone" in report.unavailable
    assert api_check.main(["--root", str(clone)]) == 0
    assert capsys.readouterr().out == (
        "api: skipped, no baseline to compare with: this is a shallow clone and its history stops before the "
        "commit that set version 1.0.0 (git fetch --unshallow brings it)\n"
    )


def test_a_shallow_clone_deep_enough_finds_the_release(repo, tmp_path):
    """The release commit inside the fetched history (not at its edge) is a baseline like any other."""
    set_version(repo, "1.1.0")
    released = commit(repo, "release 1.1.0")
    (repo / "README.md").write_text("More notes.\n", encoding="utf-8")
    commit(repo, "more notes")
    clone = tmp_path / "clone"
    git(tmp_path, "clone", "--quiet", "--depth", "3", f"file://{repo}", str(clone))
    assert api_check.find_baseline(clone) == api_check.Baseline("1.1.0", released)


def test_a_folder_that_is_not_a_git_checkout_skips(repo, tmp_path, capsys):
    plain = tmp_path / "unpacked-sdist"
    shutil.copytree(repo, plain, ignore=shutil.ignore_patterns(".git"))
    report = api_check.check(plain)
    assert report == api_check.ApiReport(baseline=None, unavailable=f"{plain} is not a git checkout")
    assert api_check.main(["--root", str(plain)]) == 0
    assert capsys.readouterr().out.startswith("api: skipped, no baseline to compare with:")


def test_a_repository_without_a_commit_skips(tmp_path):
    project = init(tmp_path / "new")
    write_facade(project)
    set_version(project, "1.0.0")
    assert api_check.check(project).unavailable == "pyproject.toml is not committed at HEAD"
