""".github/workflows/ci.yml and release.yml: what they promise, read from the files.

They run only on GitHub; here their facts are held to the noxfile's: CI tests every Python the noxfile
supports and runs every other session of ``nox`` once; a release is built once, checked on the very
files it publishes, and published only from a version tag, through trusted publishing. (``nox -s lint``
validates both against GitHub's workflow schema.)
"""

from __future__ import annotations

import ast
import re
import shlex
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parents[2]
WORKFLOWS = ROOT / ".github" / "workflows"


def workflow(name: str) -> dict[Any, Any]:
    loaded = yaml.safe_load((WORKFLOWS / name).read_text(encoding="utf-8"))
    assert isinstance(loaded, dict)
    return loaded


def noxfile_value(name: str) -> Any:
    """The literal a top-level assignment of noxfile.py gives ``name`` (``nox.options.sessions`` too)."""
    for node in ast.parse((ROOT / "noxfile.py").read_text(encoding="utf-8")).body:
        if isinstance(node, ast.Assign) and ast.unparse(node.targets[0]) == name:
            return ast.literal_eval(node.value)
    raise AssertionError(f"noxfile.py assigns no {name}")


def nox_sessions(job: dict[str, Any]) -> list[tuple[list[str], list[str]]]:
    """(sessions, arguments after ``--``) of each ``python -m nox ... -s A B -- ...`` step of ``job``."""
    found = []
    for step in job["steps"]:
        words = shlex.split(step.get("run", ""))
        if words[:3] != ["python", "-m", "nox"]:
            continue
        after = words[words.index("-s") + 1 :]
        end = after.index("--") if "--" in after else len(after)
        found.append((after[:end], after[end + 1 :]))
    return found


def uses(job: dict[str, Any]) -> list[str]:
    return [step["uses"] for step in job["steps"] if "uses" in step]


def test_ci_runs_on_every_pull_request() -> None:
    triggers = workflow("ci.yml")[True]  # YAML 1.1 reads the key `on` as true
    assert "pull_request" in triggers
    assert triggers["pull_request"] is None  # every pull request, whatever its branch


def test_ci_tests_every_supported_python_and_runs_every_other_session_once() -> None:
    jobs = workflow("ci.yml")["jobs"]
    matrix = jobs["tests"]["strategy"]["matrix"]["python"]
    assert matrix == noxfile_value("SUPPORTED_PYTHONS")
    [(tests, _)] = nox_sessions(jobs["tests"])
    assert tests == ["tests-$PYTHON_VERSION"]
    assert jobs["tests"]["steps"][-1]["env"]["PYTHON_VERSION"] == "${{ matrix.python }}"
    [setup] = [step for step in jobs["tests"]["steps"] if step.get("uses", "").startswith("actions/setup-python@")]
    assert setup["with"]["python-version"] == "${{ matrix.python }}"
    [(others, _)] = nox_sessions(jobs["checks"])
    assert sorted([*others, "tests"]) == sorted(noxfile_value("nox.options.sessions"))
    checkout = next(step for step in jobs["checks"]["steps"] if step.get("uses", "").startswith("actions/checkout@"))
    assert checkout["with"]["fetch-depth"] == 0  # nox -s api reads the history


def test_a_release_is_built_once_and_checked_on_the_files_it_publishes() -> None:
    jobs = workflow("release.yml")["jobs"]
    builds = [(name, sessions) for name, job in jobs.items() for sessions in nox_sessions(job)]
    assert [name for name, (sessions, _) in builds if "build" in sessions] == ["build"]
    assert ("build", (["installed"], ["--dist", "dist"])) in builds
    [upload] = [step for step in jobs["build"]["steps"] if step.get("uses", "").startswith("actions/upload-artifact@")]
    assert upload["with"]["path"] == "dist/"
    publish = jobs["publish"]
    assert publish["needs"] == "build"
    assert not any("run" in step for step in publish["steps"])  # nothing is built or changed there
    [download] = [step for step in publish["steps"] if step["uses"].startswith("actions/download-artifact@")]
    assert download["with"]["name"] == upload["with"]["name"]


def test_a_release_is_published_only_from_a_version_tag_through_trusted_publishing() -> None:
    release = workflow("release.yml")
    assert release[True]["push"] == {"tags": ["v*"]}
    assert "pull_request" not in release[True]
    publish = release["jobs"]["publish"]
    assert publish["if"] == "startsWith(github.ref, 'refs/tags/v')"
    assert publish["permissions"] == {"id-token": "write"}
    assert publish["environment"]["name"] == "pypi"
    assert any(action.startswith("pypa/gh-action-pypi-publish@") for action in uses(publish))
    assert not any("password" in step.get("with", {}) for step in publish["steps"])  # no stored token
    assert release["permissions"] == {"contents": "read"}


def test_every_action_is_pinned() -> None:
    # To a commit (the version in a comment), but PyPA's publishing action, by its maintained v1 branch.
    for name in ("ci.yml", "release.yml"):
        for job in workflow(name)["jobs"].values():
            for action in uses(job):
                assert re.fullmatch(r"[\w.-]+/[\w.-]+@[0-9a-f]{40}", action) or action == (
                    "pypa/gh-action-pypi-publish@release/v1"
                ), (name, action)
