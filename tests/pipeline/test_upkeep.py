"""scripts/pipeline/upkeep.py, the steps of the weekly upkeep workflow, and the workflow's wiring of them.

The workflow itself runs only on GitHub; here its steps run as it runs them (check, regenerate, pr) on
a small project (``project_factory``) with fixture upstreams and fixed dates, and its YAML is read to
check that it calls the steps with arguments they take and reads outputs they write.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import re
import shlex
from pathlib import Path
from typing import Any

import pytest
import yaml
from project_factory import PINNED_DATE, UPSTREAM_NAME, build_project, pinned_upstream, private_copy, snapshot
from upstream_factory import dump

from scripts.pipeline import contract, regenerate, release, upkeep

ROOT = Path(__file__).resolve().parents[2]
WORKFLOW = ROOT / ".github" / "workflows" / "upstream.yml"
LATER = PINNED_DATE + dt.timedelta(days=7)
URL = "https://example.invalid/openapi.yaml"
DRIFT_LINES = [
    "BREAKING  DELETE /things/{thing_id}: operation removed",
    "additive  components.schemas.ThingStatus: enum value 'PAUSED' added",
]


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_project(tmp_path_factory.mktemp("built") / "project")


@pytest.fixture
def root(built: Path, tmp_path: Path) -> Path:
    """A private copy of the built project (its pinned upstream beside it)."""
    return private_copy(built, tmp_path)


def _upstream(tmp_path: Path, *, breaking: bool = True, additive: bool = True, prose: bool = False) -> Path:
    document: dict[str, Any] = pinned_upstream()
    if additive:
        document["components"]["schemas"]["ThingStatus"]["enum"].append("PAUSED")
    if breaking:
        del document["paths"]["/things/{thing_id}"]["delete"]
    if prose:
        document["info"]["description"] = "Reworded."
    path = tmp_path / "upstream.yaml"
    path.write_bytes(dump(document))
    return path


def _outputs(path: Path) -> dict[str, str]:
    return dict(line.split("=", 1) for line in path.read_text(encoding="utf-8").splitlines())


# -- check ------------------------------------------------------------------------------------------------
def test_check_keeps_the_bytes_and_reports_a_breaking_drift(root, tmp_path):
    source = _upstream(tmp_path)
    work = tmp_path / "work"

    outputs = upkeep.check(str(source), contract_path=root / "openapi.yaml", work=work)

    assert outputs == {"drift": "true", "label": "breaking", "upstream-file": str(work / "upstream.yaml")}
    assert tuple(outputs) == upkeep.CHECK_OUTPUTS
    assert (work / "upstream.yaml").read_bytes() == source.read_bytes()
    record = json.loads((work / "drift.json").read_text(encoding="utf-8"))
    assert record["sha256"] == hashlib.sha256(source.read_bytes()).hexdigest()
    assert [
        f"{'BREAKING' if c['breaking'] else 'additive'}  {c['location']}: {c['change']}" for c in record["changes"]
    ] == DRIFT_LINES
    report = (work / "drift.md").read_text(encoding="utf-8")
    assert "\n".join(DRIFT_LINES) in report
    assert report.endswith("2 contract change(s), 1 breaking.\n")


def test_check_labels_additive_drift(root, tmp_path):
    source = _upstream(tmp_path, breaking=False)
    outputs = upkeep.check(str(source), contract_path=root / "openapi.yaml", work=tmp_path / "work")
    assert (outputs["drift"], outputs["label"]) == ("true", "additive")


@pytest.mark.parametrize("case", ["same bytes", "prose only"])
def test_check_finds_no_drift_without_a_surface_change(root, tmp_path, case):
    source = (
        tmp_path / UPSTREAM_NAME
        if case == "same bytes"
        else _upstream(tmp_path, breaking=False, additive=False, prose=True)
    )
    outputs = upkeep.check(str(source), contract_path=root / "openapi.yaml", work=tmp_path / "work")
    assert (outputs["drift"], outputs["label"]) == ("false", "")


def test_check_command_appends_its_outputs_for_github(root, tmp_path, monkeypatch, capsys):
    github_output = tmp_path / "github-output"
    github_output.write_text("earlier=kept\n", encoding="utf-8")
    monkeypatch.setenv("GITHUB_OUTPUT", str(github_output))
    work = tmp_path / "work"
    code = upkeep.main(
        ["check", "--upstream", str(_upstream(tmp_path)), "--contract", str(root / "openapi.yaml"), "--work", str(work)]
    )
    assert code == 0
    assert _outputs(github_output) == {
        "earlier": "kept",
        "drift": "true",
        "label": "breaking",
        "upstream-file": str(work / "upstream.yaml"),
    }
    assert "\n".join(DRIFT_LINES) in capsys.readouterr().out


def test_check_command_exits_2_on_an_unreadable_upstream(root, tmp_path, monkeypatch, capsys):
    github_output = tmp_path / "github-output"
    monkeypatch.setenv("GITHUB_OUTPUT", str(github_output))
    code = upkeep.main(
        ["check", "--upstream", str(tmp_path / "missing.yaml"), "--contract", str(root / "openapi.yaml")]
    )
    assert code == 2
    assert capsys.readouterr().err.startswith(
        "upkeep: cannot compare the upstream with the contract: cannot read upstream file"
    )
    assert not github_output.exists()


# -- pr: after regenerate and nox ---------------------------------------------------------------------------
def _check_and_regenerate(root: Path, tmp_path: Path, **changes: bool) -> Path:
    """What the workflow does before the pr step; returns the work folder."""
    work = tmp_path / "work"
    outputs = upkeep.check(str(_upstream(tmp_path, **changes)), contract_path=root / "openapi.yaml", work=work)
    regenerate.regenerate(outputs["upstream-file"], root=root, url=URL, today=LATER)
    return work


def test_pr_body_is_the_drift_report_and_the_changelog_entry(root, tmp_path):
    work = _check_and_regenerate(root, tmp_path)

    outputs = upkeep.pull_request(root=root, work=work, nox_outcome="success", run_url="https://example.invalid/run/7")

    assert tuple(outputs) == upkeep.PR_OUTPUTS
    assert outputs == {
        "title": "Upstream API contract: 1 breaking, 1 additive change(s): MAJOR release 3.0.0",
        "label": "breaking",
        "branch": upkeep.BRANCH,
        "draft": "false",
        "body-path": str(work / "pr-body.md"),
    }
    body = (work / "pr-body.md").read_text(encoding="utf-8")
    newest = release.entries((root / "CHANGELOG.md").read_text(encoding="utf-8"))[0]
    assert newest.pin["url"] == URL
    assert (work / "drift.md").read_text(encoding="utf-8") in body
    assert newest.text.replace("## 3.0.0", "#### 3.0.0", 1) in body
    assert "passed on the regenerated SDK ([the run](https://example.invalid/run/7))" in body


def test_pr_is_a_draft_when_nox_failed(root, tmp_path):
    work = _check_and_regenerate(root, tmp_path, breaking=False)
    outputs = upkeep.pull_request(root=root, work=work, nox_outcome="failure")
    assert (outputs["draft"], outputs["label"]) == ("true", "additive")
    assert outputs["title"] == "Upstream API contract: 0 breaking, 1 additive change(s): MINOR release 2.4.0"
    assert "**`nox` failed on the regenerated SDK**: this pull request stays a draft." in (
        work / "pr-body.md"
    ).read_text(encoding="utf-8")


def test_pr_refuses_when_regenerate_did_not_release_the_checked_upstream(root, tmp_path, monkeypatch, capsys):
    work = tmp_path / "work"
    upkeep.check(str(_upstream(tmp_path)), contract_path=root / "openapi.yaml", work=work)
    before = snapshot(root)
    monkeypatch.delenv("GITHUB_OUTPUT", raising=False)

    code = upkeep.main(["pr", "--work", str(work), "--root", str(root), "--nox-outcome", "success"])

    assert code == 1
    assert capsys.readouterr().err.endswith("did nox -s regenerate run?\n")
    assert not (work / "pr-body.md").exists()
    assert snapshot(root) == before


def test_pr_refuses_without_drift(root, tmp_path):
    work = tmp_path / "work"
    upkeep.check(str(tmp_path / UPSTREAM_NAME), contract_path=root / "openapi.yaml", work=work)
    with pytest.raises(upkeep.UpkeepError, match="no drift"):
        upkeep.pull_request(root=root, work=work, nox_outcome="success")


def test_pr_refuses_without_the_check_step(root, tmp_path):
    with pytest.raises(upkeep.UpkeepError, match="the check step's report is missing"):
        upkeep.pull_request(root=root, work=tmp_path / "nothing", nox_outcome="success")


def test_outputs_must_be_single_lines(tmp_path):
    with pytest.raises(upkeep.UpkeepError, match="output title must be one line"):
        upkeep.write_outputs({"title": "two\nlines"}, str(tmp_path / "out"))


# -- the workflow's wiring ----------------------------------------------------------------------------------
def _workflow() -> dict[Any, Any]:
    return yaml.safe_load(WORKFLOW.read_text(encoding="utf-8"))


def _steps() -> list[dict[str, Any]]:
    [job] = _workflow()["jobs"].values()
    return job["steps"]


def _step(step_id: str) -> dict[str, Any]:
    return next(step for step in _steps() if step.get("id") == step_id)


def _nox_arguments(step: dict[str, Any], **values: str) -> list[str]:
    """The arguments after ``--`` of the step's ``python -m nox -s SESSION -- ...``; ``$NAME`` replaced by
    ``values[NAME]`` where given, else kept."""
    words = shlex.split(step["run"])
    return [values.get(word[1:], word) if word.startswith("$") else word for word in words[words.index("--") + 1 :]]


def test_the_workflow_runs_weekly_and_by_hand():
    triggers = _workflow()[True]  # YAML 1.1 reads the key `on` as true
    assert set(triggers) == {"schedule", "workflow_dispatch"}
    [schedule] = triggers["schedule"]
    _minute, _hour, day, month, weekday = schedule["cron"].split()
    assert (day, month) == ("*", "*")
    assert weekday.isdigit()  # one day a week


def test_the_workflow_pins_every_action_to_a_commit():
    uses = [step["uses"] for step in _steps() if "uses" in step]
    assert len(uses) == 3
    for action in uses:
        assert re.fullmatch(r"[\w.-]+/[\w.-]+@[0-9a-f]{40}", action), action


def test_the_workflow_checks_out_the_history_for_the_api_check():
    checkout = next(step for step in _steps() if step.get("uses", "").startswith("actions/checkout@"))
    assert checkout["with"]["fetch-depth"] == 0


def test_the_workflow_calls_the_steps_with_arguments_they_take():
    check_args = upkeep.parser().parse_args(_nox_arguments(_step("check")))
    assert check_args.step == "check"
    for outcome in ("success", "failure", "cancelled", "skipped"):  # what steps.<id>.outcome can be
        pr_args = upkeep.parser().parse_args(_nox_arguments(_step("pr"), NOX_OUTCOME=outcome))
        assert (pr_args.step, pr_args.nox_outcome) == ("pr", outcome)
        assert pr_args.work == check_args.work  # the pr step reads what the check step wrote
    assert _step("nox")["continue-on-error"] is True
    assert _step("pr")["env"]["NOX_OUTCOME"] == "${{ steps.nox.outcome }}"


def test_the_workflow_reads_only_outputs_the_steps_write():
    text = WORKFLOW.read_text(encoding="utf-8")
    assert set(re.findall(r"steps\.check\.outputs\.([\w-]+)", text)) <= set(upkeep.CHECK_OUTPUTS)
    assert set(re.findall(r"steps\.pr\.outputs\.([\w-]+)", text)) == set(upkeep.PR_OUTPUTS)


def test_the_workflow_regenerates_from_the_checked_bytes_and_commits_only_the_release():
    regenerate_step = next(step for step in _steps() if "nox -s regenerate" in step.get("run", ""))
    assert regenerate_step["env"]["UPSTREAM_FILE"] == "${{ steps.check.outputs.upstream-file }}"
    arguments = _nox_arguments(regenerate_step)
    assert arguments[arguments.index("--upstream") + 1] == "$UPSTREAM_FILE"
    create = next(step for step in _steps() if step.get("uses", "").startswith("peter-evans/create-pull-request@"))
    assert create["with"]["add-paths"].split() == [
        "openapi.yaml",
        "generated/",
        "pyproject.toml",
        "CHANGELOG.md",
        release.VERSIONS_PATH.as_posix(),
    ]
    assert contract.DEFAULT_UPSTREAM_URL in _workflow()["jobs"]["upkeep"]["env"]["UPSTREAM_URL"]
