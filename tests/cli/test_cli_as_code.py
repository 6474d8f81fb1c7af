"""Endpoints as code from the command line: validate, plan, apply and export of a desired-state file.

Run in-process (typer's CliRunner) against the emulator on a ManualClock that the client's sleep moves;
every request is in the emulator's log, so "sends nothing" and "no write" are checked there (a write is
any request that is not a GET). Every output is checked for the token and for Python spellings.
"""

from __future__ import annotations

import json
import re
import signal
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml
from typer.testing import CliRunner, Result

import friendli_dedicated as fd
from friendli_dedicated.cli import _app, _as_code, _session
from friendli_dedicated.cli._as_code_output import ApplyDisplay
from friendli_dedicated.emulator import DEFAULT_TEAM, Emulator, ManualClock

TOKEN = "flp_as-code-secret-5e2a71"
MODEL = "org/model"
ENV: dict[str, str | None] = {
    "FRIENDLI_TOKEN": TOKEN,
    "FRIENDLI_TEAM": None,
    "FRIENDLI_BASE_URL": None,
    "FORCE_COLOR": None,
    "FORCE_TERMINAL": None,
    "TTY_COMPATIBLE": None,
    "TTY_INTERACTIVE": None,
    "NO_COLOR": None,
    "COLUMNS": None,
}
# A Python keyword argument where a message should name a flag: `wake=True`, `timeout=...`, `prune=False`.
PYTHON_FORM = re.compile(r"\b[a-z_]+=(True|False|None|\.\.\.)")

TWO_PROJECTS = """\
projects:
  alpha:
    endpoints:
      chat:
        model: org/model
        revision: main
        instance: 1x H100
        autoscaling: {min: 1, max: 3, cooldown: 120}
        engine: {max_batch_size: 64}
      embed:
        model: org/embed
        instance: 2x H100
  beta:
    endpoints:
      batch:
        model: org/model
        instance: H200
        autoscaling: {replicas: 2}
"""


class Cli:
    """Runs the app in ``folder`` (the state record's default place) against ``emulator``."""

    def __init__(self, emulator: Emulator, folder: Path) -> None:
        self.emulator = emulator
        self.folder = folder
        self.runner = CliRunner()

    def __call__(self, *args: str, input: str | None = None) -> Result:
        result = self.runner.invoke(_app.app, list(args), env=ENV, input=input, catch_exceptions=False)
        for stream in (result.stdout, result.stderr):
            assert TOKEN not in stream
            assert "Traceback" not in stream, stream
            assert not PYTHON_FORM.search(stream), stream
        return result

    def file(self, name: str, text: str) -> str:
        (self.folder / name).write_text(text, encoding="utf-8")
        return name

    def writes(self, since: int = 0) -> list[str]:
        return [f"{r.method} {r.path}" for r in self.emulator.requests[since:] if r.method != "GET"]

    def live_names(self, project: str) -> list[str]:
        with self.emulator.client() as client:
            return sorted(
                client.endpoints.get(ep.id).name
                for ep in client.endpoints.list(project)
                if ep.state.status.value not in ("TERMINATED", "TERMINATING")
            )


@pytest.fixture
def emulator() -> Emulator:
    return Emulator(clock=ManualClock(), tokens={TOKEN: [DEFAULT_TEAM, "other-team"]}, seed=5)


@pytest.fixture
def cli(emulator: Emulator, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Cli:
    def factory(settings: _session.Settings) -> fd.Client:
        return emulator.client(token=settings.token, team_id=settings.team, random=lambda: 0.5)

    monkeypatch.setattr(_session, "client_factory", factory)
    monkeypatch.chdir(tmp_path)
    return Cli(emulator, tmp_path)


def no_client(settings: _session.Settings) -> fd.Client:
    raise AssertionError("a client was built: something would have been sent")


# -- validate ----------------------------------------------------------------------------------------
def test_validate_accepts_a_good_file_and_sends_nothing(cli: Cli, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(_session, "client_factory", no_client)
    path = cli.file("endpoints.yaml", TWO_PROJECTS)
    result = cli("validate", path)
    assert result.exit_code == 0, result.output
    assert result.stdout == "endpoints.yaml is valid: 3 endpoints in 2 projects (alpha: 2, beta: 1).\n"
    data = json.loads(cli("validate", path, "--json").stdout)
    assert data == {
        "file": "endpoints.yaml",
        "valid": True,
        "endpoints": 3,
        "projects": {"alpha": ["chat", "embed"], "beta": ["batch"]},
    }


@pytest.mark.parametrize(
    ("name", "text", "message"),
    [
        (
            "bad.yaml",
            "projects:\n  p:\n    endpoints:\n      chat:\n        model: org/model\n        instance: 1x H100\n"
            "        engine: {max_batch_size: big}\n",
            "Error: invalid projects.p.endpoints.chat.engine.max_batch_size: must be a whole number, got 'big' "
            "(bad.yaml, line 7)",
        ),
        (
            "bad.json",
            '{"projects": {"p": {"endpoints": {"chat": {"model": "org/model"}}}}}',
            "Error: invalid projects.p.endpoints.chat.instance: is required (e.g. '1x H100') (in bad.json)",
        ),
        (
            "bad.yml",
            "projects:\n  p:\n    endpoints:\n      chat: {model: org/model, instance: H100, engine: {no_such: 1}}\n",
            "Error: invalid projects.p.endpoints.chat.engine.no_such: is not an engine option of the pinned contract",
        ),
        ("broken.yaml", "projects: [\n", "Error: broken.yaml is not valid YAML: line 2, column 1"),
        ("missing.yaml", None, "Error: missing.yaml cannot be read:"),
        ("\x00", None, "Error: invalid FILE: must not contain NUL characters"),
    ],
)
def test_validate_refuses_a_bad_file_naming_the_place_and_sends_nothing(
    cli: Cli, monkeypatch: pytest.MonkeyPatch, name: str, text: str | None, message: str
) -> None:
    monkeypatch.setattr(_session, "client_factory", no_client)
    if text is not None:
        cli.file(name, text)
    result = cli("validate", name)
    assert result.exit_code == 2
    assert result.stdout == ""
    assert result.stderr.startswith(message), result.stderr
    assert len(result.stderr.splitlines()) == 1
    error = json.loads(cli("validate", name, "--json").stdout)["error"]
    assert (error["exitCode"], error["file"]) == (2, name)


def test_validate_names_the_extra_when_pyyaml_is_missing(cli: Cli, monkeypatch: pytest.MonkeyPatch) -> None:
    path = cli.file("endpoints.yaml", TWO_PROJECTS)
    monkeypatch.setitem(sys.modules, "yaml", None)
    result = cli("validate", path)
    assert result.exit_code == 2
    assert 'pip install "friendli-dedicated[manage]"' in result.stderr
    assert "yaml is missing" in result.stderr
    # A JSON file needs no extra.
    json_file = cli.file("endpoints.json", json.dumps({"projects": {"p": {"endpoints": {}}}}))
    assert cli("validate", json_file).exit_code == 0


# -- the done-when scenario ----------------------------------------------------------------------------
def test_plan_apply_plan_again_then_drift_shows_and_apply_restores_it(cli: Cli, emulator: Emulator) -> None:
    path = cli.file("endpoints.yaml", TWO_PROJECTS)
    planned = cli("plan", path, "--detailed-exitcode", "--json")
    assert planned.exit_code == 2
    actions = json.loads(planned.stdout)
    assert [(a["project"], a["name"], a["action"]) for a in actions] == [
        ("alpha", "chat", "create"),
        ("alpha", "embed", "create"),
        ("beta", "batch", "create"),
    ]
    assert actions[0]["changes"]["engine.max_batch_size"] == [None, 64]
    assert cli.writes() == []

    applied = cli("apply", path, "--yes")
    assert applied.exit_code == 0, applied.output
    table = [line.split() for line in applied.stdout.splitlines() if line.startswith(("alpha ", "beta "))]
    assert [(row[0], row[1], row[2], row[4], row[5]) for row in table] == [
        ("alpha", "chat", "create", "done", "RUNNING"),
        ("alpha", "embed", "create", "done", "RUNNING"),
        ("beta", "batch", "create", "done", "RUNNING"),
    ]
    assert "Apply: 3 done." in applied.stdout
    assert Path("friendli-dedicated.state.json").exists()  # the default state record, in the current folder

    sent = len(emulator.requests)
    again = cli("plan", path, "--detailed-exitcode")
    assert again.exit_code == 0, again.output
    assert "Plan: 0 to create, 0 to update, 0 to terminate, 3 unchanged, 0 errors." in again.stdout
    assert cli.writes(sent) == []

    # Changed outside the file, through the SDK: the next plan names the field, and apply restores it.
    chat = next(a["endpoint_id"] for a in json.loads(cli("plan", path, "--json").stdout) if a["name"] == "chat")
    with emulator.client() as client:
        client.endpoints.update(chat, max_batch_size=128)
    drift = cli("plan", path, "--detailed-exitcode")
    assert drift.exit_code == 2
    assert f"~ chat ({chat}): update" in drift.stdout
    assert "engine.max_batch_size: 128 -> 64" in drift.stdout
    restored = cli("apply", path, "--yes", "--json")
    assert restored.exit_code == 0
    outcomes = {row["name"]: (row["action"], row["outcome"]) for row in json.loads(restored.stdout)}
    assert outcomes == {"chat": ("update", "done"), "embed": ("noop", "unchanged"), "batch": ("noop", "unchanged")}
    assert "engine.max_batch_size: 128 -> 64" in restored.stderr  # the plan, on stderr with --json
    with emulator.client() as client:
        assert client.endpoints.get(chat).max_batch_size == 64
    assert cli("plan", path, "--detailed-exitcode").exit_code == 0
    assert cli.live_names("alpha") == ["chat", "embed"]
    assert cli.live_names("beta") == ["batch"]


def test_apply_timeout_0_does_not_wait_and_so_rolls_back_nothing(cli: Cli, emulator: Emulator) -> None:
    path = cli.file("endpoints.yaml", TWO_PROJECTS)
    assert cli("apply", path, "--yes").exit_code == 0
    cli.file("endpoints.yaml", TWO_PROJECTS.replace("max_batch_size: 64", "max_batch_size: 96"))
    result = cli("apply", path, "--yes", "--timeout", "0")
    assert result.exit_code == 0, result.output  # waiting 0 s timed the update out, then rolled it back
    assert "not waiting for them (--timeout 0)" in result.stdout
    table = [line.split() for line in result.stdout.splitlines() if line.startswith("alpha ")]
    assert [(row[1], row[2], row[4]) for row in table] == [("chat", "update", "applied")]
    chat = table[0][3]
    with emulator.client() as client:
        assert client.endpoints.get(chat).max_batch_size == 96  # the change stands
    assert cli("plan", path, "--detailed-exitcode").exit_code == 0


@pytest.mark.parametrize(
    ("flags", "rollout", "kept"), [((), "rollback_failed", 64), (("--no-rollback",), "not_rolled_back", 96)]
)
def test_no_rollback_leaves_an_update_that_timed_out_in_place(
    cli: Cli, emulator: Emulator, flags: tuple[str, ...], rollout: str, kept: int
) -> None:
    path = cli.file("endpoints.yaml", TWO_PROJECTS)
    assert cli("apply", path, "--yes").exit_code == 0
    cli.file("endpoints.yaml", TWO_PROJECTS.replace("max_batch_size: 64", "max_batch_size: 96"))
    result = cli("apply", path, "--yes", "--timeout", "1", "--json", *flags)
    assert result.exit_code == 1, result.output  # the update did not serve within 1 s
    (chat,) = [row for row in json.loads(result.stdout) if row["name"] == "chat"]
    # Without the flag the rollback is sent (and times out too); --no-rollback was taken and dropped.
    assert chat["rollout"]["outcome"] == rollout
    with emulator.client() as client:
        assert client.endpoints.get(chat["endpoint_id"]).max_batch_size == kept


def test_an_apply_with_nothing_to_do_sends_nothing_and_asks_nothing(cli: Cli, emulator: Emulator) -> None:
    path = cli.file("endpoints.yaml", TWO_PROJECTS)
    assert cli("apply", path, "--yes").exit_code == 0
    sent = len(emulator.requests)
    result = cli("apply", path, "--yes")
    assert result.exit_code == 0
    assert cli.writes(sent) == []
    assert "Apply: 3 unchanged." in result.stdout
    assert "PROJECT" not in result.stdout  # no table of unchanged rows for people
    assert len(json.loads(cli("apply", path, "--yes", "--json").stdout)) == 3  # every endpoint in the JSON


# -- plan -------------------------------------------------------------------------------------------------
def test_plan_out_saves_a_plan_that_apply_carries_out_once(cli: Cli, emulator: Emulator) -> None:
    path = cli.file("endpoints.yaml", TWO_PROJECTS)
    saved = cli("plan", path, "--out", "plan.json")
    assert saved.exit_code == 0
    assert "Saved the plan to plan.json: apply it with friendli-dedicated apply plan.json" in saved.stdout
    assert fd.Plan.load("plan.json").counts()["create"] == 3
    assert cli.writes() == []
    applied = cli("apply", "plan.json", "--yes")
    assert applied.exit_code == 0, applied.output
    assert "Apply: 3 done." in applied.stdout
    sent = len(emulator.requests)
    stale = cli("apply", "plan.json", "--yes")
    assert stale.exit_code == 1
    assert stale.stderr.startswith("Error: the saved plan plan.json no longer matches what it was made against")
    assert "the state record changed" in stale.stderr
    assert "Hint: make a new plan (friendli-dedicated plan FILE --out PLAN)" in stale.stderr
    assert cli.writes(sent) == []
    assert cli.live_names("alpha") == ["chat", "embed"]


def test_a_saved_plan_is_refused_once_an_endpoint_it_changes_changed(cli: Cli, emulator: Emulator) -> None:
    path = cli.file("endpoints.yaml", TWO_PROJECTS)
    assert cli("apply", path, "--yes").exit_code == 0
    cli.file("endpoints.yaml", TWO_PROJECTS.replace("max_batch_size: 64", "max_batch_size: 96"))
    assert cli("plan", path, "--out", "plan.json", "--detailed-exitcode").exit_code == 2
    chat = fd.Plan.load("plan.json").actions[0].endpoint_id
    assert chat is not None
    with emulator.client() as client:
        client.endpoints.update(chat, max_batch_size=100)
    sent = len(emulator.requests)
    result = cli("apply", "plan.json", "--yes", "--json")
    assert result.exit_code == 1
    error = json.loads(result.stdout)["error"]
    assert error["changes"] == [f"alpha/chat: the specification of {chat} changed since the plan"]
    assert cli.writes(sent) == []
    refused = cli("apply", "plan.json", "--yes", "--prune")
    assert refused.exit_code == 2
    assert "invalid --prune: is decided when planning" in refused.stderr


def test_a_saved_plan_of_another_team_is_refused_before_any_request(cli: Cli, emulator: Emulator) -> None:
    path = cli.file("endpoints.yaml", TWO_PROJECTS)
    assert cli("--team", "other-team", "plan", path, "--out", "plan.json", "--state", "other.json").exit_code == 0
    sent = len(emulator.requests)
    result = cli("apply", "plan.json", "--yes")
    assert result.exit_code == 2
    assert result.stderr.startswith(
        "Error: plan.json was made for team other-team; this command acts for the token's default team "
        "(--team or FRIENDLI_TEAM)"
    ), result.stderr
    assert len(emulator.requests) == sent


def test_a_saved_plan_edited_to_create_one_endpoint_twice_is_refused_before_any_request(cli: Cli) -> None:
    path = cli.file("endpoints.yaml", TWO_PROJECTS)
    assert cli("plan", path, "--out", "plan.json").exit_code == 0
    data = json.loads(Path("plan.json").read_text(encoding="utf-8"))
    data["actions"].append(data["actions"][0])  # merged by hand, or by a script: two creates of alpha/chat
    Path("plan.json").write_text(json.dumps(data), encoding="utf-8")
    result = cli("apply", "plan.json", "--yes")
    assert result.exit_code == 2, result.output
    assert "plan.json is a damaged plan (alpha/chat: two actions for one endpoint)" in result.stderr
    assert cli.writes() == []


@pytest.mark.parametrize(
    ("args", "what"),
    [
        (("--out", "endpoints.yaml"), "the desired-state file"),
        (("--out", "./sub/../endpoints.yaml"), "the desired-state file"),
        (("--out", "friendli-dedicated.state.json"), "the state record (--state)"),
        (("--state", "record.json", "--out", "record.json"), "the state record (--state)"),
    ],
)
def test_plan_out_never_writes_over_the_file_it_reads_or_the_state_record(
    cli: Cli, args: tuple[str, ...], what: str
) -> None:
    (cli.folder / "sub").mkdir()
    path = cli.file("endpoints.yaml", TWO_PROJECTS)
    assert cli("apply", path, "--yes", "--state", "record.json").exit_code == 0
    assert cli("apply", path, "--yes").exit_code == 0
    kept = {name: (cli.folder / name).read_bytes() for name in (path, "record.json", "friendli-dedicated.state.json")}
    result = cli("plan", path, *args, "--detailed-exitcode")
    assert result.exit_code == 1, result.output
    assert f"invalid --out: {args[-1]} is {what}: the plan would replace it" in result.stderr
    assert {name: (cli.folder / name).read_bytes() for name in kept} == kept


def test_a_saved_plan_given_to_validate_or_plan_is_named_as_one(cli: Cli) -> None:
    path = cli.file("endpoints.yaml", TWO_PROJECTS)
    assert cli("plan", path, "--out", "plan.json").exit_code == 0
    for command in ("validate", "plan"):
        result = cli(command, "plan.json")
        assert result.exit_code == 2
        assert result.stderr.startswith(
            "Error: plan.json is a saved plan (plan --out), not a desired-state file: apply it with "
            "friendli-dedicated apply plan.json"
        ), result.stderr
    assert cli.writes() == []


def test_apply_of_a_json_file_nested_too_deeply_is_refused_as_a_file(cli: Cli) -> None:
    path = cli.file("deep.json", '{"a": ' * 100_000 + "1" + "}" * 100_000)
    result = cli("apply", path, "--yes", "--json")
    assert result.exit_code == 2, result.output
    assert json.loads(result.stdout)["error"]["message"] == "deep.json is nested too deeply to be a desired-state file"
    assert cli.writes() == []


def test_export_names_a_bad_project_id_by_its_argument(cli: Cli) -> None:
    result = cli("export", "p1", "bad id", "--json")
    assert result.exit_code == 2
    error = json.loads(result.stdout)["error"]
    assert error["message"].startswith("invalid PROJECT_ID: must be 1-200 characters"), error  # no --project-ids
    assert cli.writes() == []


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("plan", ""), "Error: invalid FILE: must be a file path, got ''"),
        (("plan", "endpoints.yaml", "--state", ""), "Error: invalid --state: must be a file path, got ''"),
        (("export", "p", "--out", ""), "Error: invalid --out: must be a file path, got ''"),
    ],
)
def test_an_empty_path_is_refused_in_the_command_line_words(cli: Cli, args: tuple[str, ...], message: str) -> None:
    cli.file("endpoints.yaml", TWO_PROJECTS)
    result = cli(*args)
    assert result.exit_code == 2
    assert result.stderr.startswith(message), result.stderr  # not "(str or os.PathLike)"
    assert cli.writes() == []


@pytest.mark.parametrize("command", ["validate", "plan", "apply"])
def test_a_file_named_dash_is_refused_saying_stdin_is_not_read(cli: Cli, command: str) -> None:
    result = cli(command, "-", "--yes", input=TWO_PROJECTS) if command == "apply" else cli(command, "-")
    assert result.exit_code == 2
    assert result.stderr.startswith("Error: invalid FILE: - (stdin) is not read: give the file's path"), result.stderr
    assert cli.writes() == []


def test_apply_reads_its_file_once_so_a_pipe_works(
    cli: Cli, emulator: Emulator, monkeypatch: pytest.MonkeyPatch
) -> None:
    # bash's <(envsubst < endpoints.yaml) is a pipe: a second read is empty. apply read FILE twice (is it
    # a saved plan? then the desired state), so it refused "(file): must be a mapping, got null".
    path = cli.file("endpoints.yaml", TWO_PROJECTS)
    reads: list[str] = []
    read_text = Path.read_text

    def counted(self: Path, *args: Any, **kwargs: Any) -> str:
        reads.append(self.name)
        return read_text(self, *args, **kwargs)

    monkeypatch.setattr(Path, "read_text", counted)
    result = cli("apply", path, "--yes")
    assert result.exit_code == 0, result.output
    assert reads.count("endpoints.yaml") == 1
    assert cli.live_names("alpha") == ["chat", "embed"]


def test_plan_exit_codes_with_and_without_detailed_exitcode(cli: Cli, emulator: Emulator) -> None:
    path = cli.file("endpoints.yaml", TWO_PROJECTS)
    assert cli("plan", path).exit_code == 0  # changes, but no --detailed-exitcode
    bad = cli.file("bad.yaml", "projects: {p: {endpoints: {chat: {model: m}}}}\n")
    assert cli("plan", bad).exit_code == 2  # a refused file is bad input...
    assert cli("plan", bad, "--detailed-exitcode").exit_code == 1  # ...and an error, never "changes"
    with emulator.client() as client:  # two endpoints of one name: that endpoint cannot be planned
        client.endpoints.create("alpha", "chat", MODEL, "1x H100")
        client.endpoints.create("alpha", "chat", MODEL, "1x H100")
    for args in ([], ["--detailed-exitcode"]):
        result = cli("plan", path, *args)
        assert result.exit_code == 1
        assert "! chat: 2 endpoints are named 'chat' here" in result.stdout
        assert result.stderr.startswith("Error: 1 endpoint cannot be planned (marked !); the first: alpha/chat:")


@pytest.mark.parametrize(
    "args",
    [
        ("--parallelism", "abc"),  # a value the parser refuses
        ("--prnue",),  # an option it does not know
        ("--out",),  # an option without its value
        ("extra.yaml",),  # an argument too many
    ],
)
def test_plan_detailed_exitcode_reads_a_command_line_refused_by_the_parser_as_an_error_not_changes(
    cli: Cli, args: tuple[str, ...]
) -> None:
    path = cli.file("endpoints.yaml", TWO_PROJECTS)
    refused = cli("plan", path, *args)
    assert refused.exit_code == 2  # bad usage, as for every command
    detailed = cli("plan", path, "--detailed-exitcode", *args)
    assert detailed.exit_code == 1, detailed.output  # 2 would read as "changes" to a drift check
    assert "Error:" in detailed.stderr
    assert cli("plan", "--detailed-exitcode").exit_code == 1  # FILE missing
    assert cli.writes() == []


def test_prune_is_listed_in_the_plan_and_terminates_only_what_the_file_left_out(cli: Cli, emulator: Emulator) -> None:
    path = cli.file("endpoints.yaml", TWO_PROJECTS)
    with emulator.client() as client:
        stray = client.endpoints.create("alpha", "stray", MODEL, "1x H100").id
        elsewhere = client.endpoints.create("gamma", "other", MODEL, "1x H100").id
    assert cli("apply", path, "--yes").exit_code == 0
    left_alone = cli("plan", path, "--detailed-exitcode")
    assert left_alone.exit_code == 0
    assert ". 1 other endpoint not in the file: left alone" in left_alone.stdout
    pruning = cli("plan", path, "--prune", "--detailed-exitcode", "--json")
    assert pruning.exit_code == 2
    assert [(a["name"], a["endpoint_id"]) for a in json.loads(pruning.stdout) if a["action"] == "terminate"] == [
        ("stray", stray)
    ]
    applied = cli("apply", path, "--prune", "--yes")
    assert applied.exit_code == 0, applied.output
    assert f"- stray ({stray}): terminate" in applied.stdout  # listed in the plan before it is done
    assert re.search(rf"alpha\s+stray\s+terminate\s+{stray}\s+done\s+TERMINATING", applied.stdout)
    with emulator.client() as client:
        assert client.endpoints.status(elsewhere).status is fd.Status.RUNNING  # another project: left alone
    assert cli.live_names("alpha") == ["chat", "embed"]


# -- apply: confirmation ------------------------------------------------------------------------------------
def test_an_endpoint_renamed_outside_the_file_is_neither_doubled_nor_pruned(cli: Cli, emulator: Emulator) -> None:
    path = cli.file("endpoints.yaml", TWO_PROJECTS)
    assert cli("apply", path, "--yes").exit_code == 0
    chat = next(a["endpoint_id"] for a in json.loads(cli("plan", path, "--json").stdout) if a["name"] == "chat")
    with emulator.client() as client:
        client.endpoints.update(chat, name="chat-old")  # a rename in the console, say
    planned = cli("plan", path, "--prune", "--detailed-exitcode")
    assert planned.exit_code == 1, planned.output
    assert (
        f"! chat ({chat}): the recorded endpoint {chat} is live, renamed 'chat-old' outside the file" in planned.stdout
    )
    sent = len(emulator.requests)
    applied = cli("apply", path, "--prune", "--yes")
    assert applied.exit_code == 1  # skipped: nothing created beside it, nothing terminated
    assert cli.writes(sent) == []
    assert cli.live_names("alpha") == ["chat-old", "embed"]


def test_apply_without_yes_off_a_terminal_is_refused_before_any_request(cli: Cli, emulator: Emulator) -> None:
    path = cli.file("endpoints.yaml", TWO_PROJECTS)
    result = cli("apply", path)
    assert result.exit_code == 2
    assert result.stderr.startswith("Error: invalid --yes: is required to apply when stdin is not a terminal")
    assert emulator.requests == []
    assert json.loads(cli("apply", path, "--json").stdout)["error"]["option"] == "--yes"


def test_apply_on_a_terminal_asks_first(cli: Cli, emulator: Emulator, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(_as_code, "stdin_is_terminal", lambda: True)
    path = cli.file("endpoints.yaml", TWO_PROJECTS)
    declined = cli("apply", path, input="n\n")
    assert declined.exit_code == 1
    assert "Apply these changes? [y/N]" in declined.stdout
    assert "Error: apply cancelled: nothing was changed" in declined.stderr
    assert cli.writes() == []
    accepted = cli("apply", path, input="y\n")
    assert accepted.exit_code == 0, accepted.output
    assert "Apply: 3 done." in accepted.stdout
    sent = len(emulator.requests)
    unchanged = cli("apply", path)  # nothing to change: nothing to ask
    assert unchanged.exit_code == 0
    assert "Apply these changes?" not in unchanged.stdout
    assert cli.writes(sent) == []


# -- apply: failures and Ctrl-C ---------------------------------------------------------------------------
def test_one_failed_endpoint_does_not_stop_the_others_and_the_run_exits_1_with_a_table(cli: Cli) -> None:
    broken = "      broken:\n        model: emulator/fail-INFERENCE_ENGINE_MEMORY_ERROR\n        instance: 1x H100\n"
    text = TWO_PROJECTS.replace("  beta:\n", broken + "  beta:\n")
    path = cli.file("endpoints.yaml", text)
    result = cli("apply", path, "--yes")
    assert result.exit_code == 1
    assert re.search(
        r"alpha\s+broken\s+create\s+ep-\w+\s+failed\s+FAILED\s+.*INFERENCE_ENGINE_MEMORY_ERROR", result.stdout
    )
    assert "Apply: 3 done, 1 failed." in result.stdout
    assert result.stderr.startswith("Error: 1 of 4 endpoints did not end as planned: alpha/broken (failed)")
    rows = json.loads(cli("apply", path, "--yes", "--json").stdout)
    assert {row["name"]: row["outcome"] for row in rows}["chat"] == "unchanged"
    assert cli.live_names("alpha") == ["broken", "chat", "embed"]


def test_the_state_record_lock_needs_the_extra_and_says_so(cli: Cli, monkeypatch: pytest.MonkeyPatch) -> None:
    path = cli.file("endpoints.json", json.dumps(fd.Desired.from_mapping(_two_projects()).to_mapping()))
    monkeypatch.setitem(sys.modules, "filelock", None)
    result = cli("apply", path, "--yes")
    assert result.exit_code == 2
    assert result.stderr.startswith(
        "Error: locking the state record needs the 'manage' extra (filelock is missing): "
        'pip install "friendli-dedicated[manage]"'
    )
    assert cli.emulator.requests == []  # found before planning


def _two_projects() -> Any:
    return yaml.safe_load(TWO_PROJECTS)


def test_ctrl_c_says_what_is_in_flight_records_it_and_a_second_apply_converges(
    cli: Cli, emulator: Emulator, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = cli.file("endpoints.yaml", TWO_PROJECTS)

    class CtrlCAtTheSecondStart(ApplyDisplay):
        started = 0

        def __call__(self, action: fd.AppliedAction) -> None:
            super().__call__(action)
            if action.outcome == "in_flight":
                type(self).started += 1
                if type(self).started == 2:  # two creates are under way: the user presses Ctrl-C
                    signal.raise_signal(signal.SIGINT)

    monkeypatch.setattr(_as_code, "ApplyDisplay", CtrlCAtTheSecondStart)
    result = cli("apply", path, "--yes", "--parallelism", "2")
    assert result.exit_code == 130
    assert (
        "Stopping: no new change starts. In flight: alpha/chat (creating), alpha/embed (creating); what ends is "
        "recorded (Ctrl-C again stops waiting for them)."
    ) in result.stdout
    assert re.search(r"beta\s+batch\s+create\s+-\s+not_started", result.stdout)
    assert result.stderr.splitlines() == [
        "Error: apply interrupted: 2 changes made and recorded, 1 not started; 2 endpoints keep deploying without "
        "this command",
        "Hint: run the same apply again: it converges (an endpoint is adopted by its name, never made twice)",
    ]
    assert cli.live_names("alpha") == ["chat", "embed"]
    assert cli.live_names("beta") == []

    monkeypatch.setattr(_as_code, "ApplyDisplay", ApplyDisplay)
    again = cli("apply", path, "--yes", "--json")
    assert again.exit_code == 0, again.output
    outcomes = {row["name"]: (row["action"], row["outcome"]) for row in json.loads(again.stdout)}
    assert outcomes == {"chat": ("noop", "unchanged"), "embed": ("noop", "unchanged"), "batch": ("create", "done")}
    assert len(emulator.endpoint_ids()) == 3  # each endpoint exactly once
    assert signal.getsignal(signal.SIGINT) is signal.default_int_handler  # the handler is given back


# -- export ---------------------------------------------------------------------------------------------------
def test_export_writes_the_file_of_what_exists_and_adopting_it_changes_nothing(cli: Cli, emulator: Emulator) -> None:
    with emulator.client() as client:
        made = client.endpoints.create("alpha", "chat", MODEL, "2x H100", max_batch_size=64)
        made.wait_until_running(timeout=1800)
    sent = len(emulator.requests)
    exported = cli("export", "alpha")
    assert exported.exit_code == 0, exported.output
    assert cli.writes(sent) == []
    document = fd.Desired.from_mapping(yaml.safe_load(exported.stdout))
    chat = document.get("alpha", "chat")
    assert chat is not None
    assert (chat.model, str(chat.instance), chat.engine["max_batch_size"]) == (None, "2x NVIDIA H100", 64)
    assert "model: null" in exported.stdout
    assert exported.stderr.startswith("Note: model: null for 1 endpoint: the API cannot say which model they run.")
    as_json = json.loads(cli("export", "alpha", "--json").stdout)
    assert as_json["projects"]["alpha"]["endpoints"]["chat"]["model"] is None

    written = cli("export", "alpha", "--out", "endpoints.yaml")
    assert written.exit_code == 0
    assert "Wrote 1 endpoint of alpha to endpoints.yaml." in written.stdout
    again = cli("export", "alpha", "--out", "endpoints.yaml")
    assert again.exit_code == 2
    assert "invalid --out: endpoints.yaml exists" in again.stderr
    sent = len(emulator.requests)
    adopted = cli("apply", "endpoints.yaml", "--yes")
    assert adopted.exit_code == 0, adopted.output
    assert "Apply: 1 unchanged." in adopted.stdout
    assert cli.writes(sent) == []
    assert len(emulator.endpoint_ids()) == 1


def test_an_out_path_that_cannot_be_written_is_refused_before_any_request(cli: Cli, emulator: Emulator) -> None:
    path = cli.file("endpoints.yaml", TWO_PROJECTS)
    Path("folder").mkdir()
    for args, message in [
        (("plan", path, "--out", "missing/plan.json"), "invalid --out: missing/plan.json: its folder does not exist"),
        (("plan", path, "--out", "folder"), "invalid --out: folder is a folder"),
        (("export", "alpha", "--out", "missing/endpoints.yaml"), "invalid --out: missing/endpoints.yaml: its folder"),
    ]:
        result = cli(*args)
        assert (result.exit_code, result.stdout) == (2, ""), args
        assert result.stderr.startswith(f"Error: {message}"), result.stderr
    assert emulator.requests == []
    assert cli("plan", path, "--out", "folder/plan.json").exit_code == 0  # an existing plan may be replaced
    assert cli("plan", path, "--out", "folder/plan.json").exit_code == 0


def test_help_of_the_commands_names_their_flags(cli: Cli) -> None:
    text = " ".join(cli("plan", "--help").stdout.split())
    assert "--detailed-exitcode" in text
    assert "Exit codes with --detailed-exitcode: 0 nothing would change; 2 something would change; 1 any error" in text
    apply_help = " ".join(cli("apply", "--help").stdout.split())
    for flag in ("--yes", "--prune", "--parallelism", "--timeout", "--state", "--no-rollback", "--json"):
        assert flag in apply_help
    assert cli("apply", "x.yaml", "--no-rollback", "--yes").exit_code == 2  # accepted; the file is missing
