"""The command line waits for any status: --wait on update, terminate and sleep, ``wait --until``; Ctrl-C
during a wait exits 130 saying what goes on and how to resume or stop it; a refusal that waiting cures
says what to wait for.

Run in-process (typer's CliRunner) against the emulator on a ManualClock that the client's sleep moves.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest
from cli_words import python_forms
from typer.testing import CliRunner, Result

import friendli_dedicated as fd
from friendli_dedicated.cli import _app, _session
from friendli_dedicated.cli._exit import ExitCode
from friendli_dedicated.emulator import Emulator, ManualClock

ENV: dict[str, str | None] = {
    "FRIENDLI_TOKEN": None,
    "FRIENDLI_TEAM": None,
    "FRIENDLI_BASE_URL": None,
    "FRIENDLI_PROJECT": None,
    "FORCE_COLOR": None,
    "FORCE_TERMINAL": None,
    "TTY_COMPATIBLE": None,
    "TTY_INTERACTIVE": None,
    "NO_COLOR": None,
    "COLUMNS": None,
}


class Cli:
    """Runs the app against an emulator; ``interrupt_after`` sleeps of the client, Ctrl-C."""

    def __init__(self, emulator: Emulator, monkeypatch: pytest.MonkeyPatch) -> None:
        self.emulator = emulator
        self.interrupt_after: int | None = None
        self.sleeps = 0
        monkeypatch.setattr(_session, "client_factory", self._client)

    def _client(self, settings: _session.Settings) -> fd.Client:
        return self.emulator.client(random=lambda: 0.5, sleep=self._sleep)

    def _sleep(self, seconds: float) -> None:
        if self.interrupt_after is not None and self.sleeps >= self.interrupt_after:
            raise KeyboardInterrupt
        self.sleeps += 1
        self.emulator.sleep(seconds)

    def __call__(self, *args: str) -> Result:
        result = CliRunner().invoke(_app.app, list(args), env=ENV, catch_exceptions=False)
        # Never the Python spelling of what it says (every command's error paths: test_cli_words.py).
        assert python_forms(result.stdout + result.stderr) == [], args
        assert "Traceback" not in result.stderr
        return result

    def ok(self, *args: str) -> Result:
        result = self(*args)
        assert result.exit_code == 0, (args, result.stdout, result.stderr)
        return result

    def create(self, name: str = "chat", *extra: str) -> str:
        args = ("endpoints", "create", "-p", "proj", "-n", name, "-m", "org/model", "-i", "H100", *extra, "--json")
        return str(json.loads(self.ok(*args).stdout)["id"])


@pytest.fixture
def cli(monkeypatch: pytest.MonkeyPatch) -> Cli:
    return Cli(Emulator(clock=ManualClock(), seed=3), monkeypatch)


def lines(text: str) -> list[str]:
    return [" ".join(line.split()) for line in text.splitlines() if line.strip()]


# -- --wait on update, terminate, sleep --------------------------------------------------------------
def test_terminate_wait_waits_until_terminated(cli: Cli) -> None:
    endpoint_id = cli.create("chat", "--wait")
    shown = lines(cli.ok("endpoints", "terminate", endpoint_id, "--wait", "--timeout", "600").stdout)
    assert shown[0] == f"{endpoint_id}: TERMINATING"
    assert shown[1] == f"Waiting for {endpoint_id} to be TERMINATED (timeout 10m00s)..."
    assert [line.split(" ", 1)[1] for line in shown[2:-1]] == ["TERMINATING", "TERMINATED"]
    assert shown[-1].startswith(f"{endpoint_id} is TERMINATED after ")
    assert json.loads(cli.ok("endpoints", "status", endpoint_id, "--json").stdout)["status"] == "TERMINATED"


def test_sleep_wait_waits_until_sleeping_and_json_is_the_last_state(cli: Cli) -> None:
    endpoint_id = cli.create("chat", "--wait")
    result = cli.ok("endpoints", "sleep", endpoint_id, "--wait", "--json")
    assert json.loads(result.stdout)["status"] == "SLEEPING"
    assert f"Waiting for {endpoint_id} to be SLEEPING" in result.stderr


def test_update_wait_waits_until_the_new_version_runs(cli: Cli) -> None:
    endpoint_id = cli.create("chat", "--wait")
    result = cli.ok("endpoints", "update", endpoint_id, "--max-batch-size", "64", "--wait")
    shown = lines(result.stdout)
    assert f"Waiting for {endpoint_id} to be RUNNING (timeout 30m00s)..." in shown
    assert any(line.endswith("UPDATING") for line in shown)
    assert any(line.startswith(f"{endpoint_id} is RUNNING after ") for line in shown)
    assert "Maximum Batch Size" in result.stdout  # the specification, as without --wait


@pytest.mark.parametrize("command", ["update", "terminate", "sleep"])
def test_a_bad_timeout_is_refused_before_anything_is_sent(cli: Cli, command: str) -> None:
    endpoint_id = cli.create()
    sent = len(cli.emulator.requests)
    extra = ["--max-batch-size", "64"] if command == "update" else []
    result = cli("endpoints", command, endpoint_id, *extra, "--wait", "--timeout", "-1")
    assert result.exit_code == ExitCode.USAGE
    assert "--timeout" in result.stderr
    assert len(cli.emulator.requests) == sent


# -- wait --until ----------------------------------------------------------------------------------
def test_wait_until_another_status_for_one_and_for_several(cli: Cli) -> None:
    first, second = cli.create("one"), cli.create("two")
    for endpoint_id in (first, second):
        cli.ok("endpoints", "terminate", endpoint_id)
    assert json.loads(cli.ok("endpoints", "wait", first, "--until", "terminated", "--json").stdout)["status"] == (
        "TERMINATED"
    )
    result = cli.ok("endpoints", "wait", first, second, "--until", "TERMINATED")
    assert "Waiting for 2 endpoints to be TERMINATED" in result.stdout
    assert lines(result.stdout)[-1] == "2 of 2 TERMINATED; 0 failed, 0 stopped, 0 timed out."


def test_wait_until_sleeping_exits_3_when_the_endpoint_terminates(cli: Cli) -> None:
    endpoint_id = cli.create()
    cli.ok("endpoints", "terminate", endpoint_id)
    result = cli("endpoints", "wait", endpoint_id, "--until", "SLEEPING")
    assert result.exit_code == ExitCode.ENDPOINT_FAILED
    assert "will not become SLEEPING" in result.stderr


def test_waiting_for_a_sleeping_endpoint_names_the_flag_that_wakes_it_not_the_keyword(cli: Cli) -> None:
    endpoint_id = cli.create("chat", "--wait")
    cli.ok("endpoints", "sleep", endpoint_id)
    result = cli("endpoints", "wait", endpoint_id)  # the check of every run: no "wake=True" in the output
    assert result.exit_code == ExitCode.ENDPOINT_FAILED
    assert result.stderr.splitlines() == [
        f"Error: endpoint {endpoint_id} is SLEEPING, so it will not become RUNNING by waiting",
        f"Hint: wake it: friendli-dedicated endpoints wait --wake {endpoint_id}",
    ]


def test_a_wait_for_another_status_that_times_out_says_how_to_resume_it(cli: Cli) -> None:
    endpoint_id = cli.create()
    result = cli("endpoints", "wait", endpoint_id, "--until", "TERMINATED", "--timeout", "5")
    assert result.exit_code == ExitCode.WAIT_TIMEOUT
    assert f"friendli-dedicated endpoints wait {endpoint_id} --until TERMINATED" in result.stderr


@pytest.mark.parametrize(
    ("options", "named"),
    [
        (["--until", "AWAKING"], "--until"),
        (["--until", "nope"], "--until"),
        (["--until", "SLEEPING", "--wake"], "--wake"),
    ],
)
def test_wait_refuses_a_bad_until_naming_the_option(cli: Cli, options: list[str], named: str) -> None:
    result = cli("endpoints", "wait", "ep-1", *options)
    assert result.exit_code == ExitCode.USAGE
    assert f"invalid {named}" in result.stderr
    assert cli.emulator.requests == []


# -- Ctrl-C ----------------------------------------------------------------------------------------
def test_ctrl_c_during_create_wait_says_the_endpoint_keeps_deploying_and_how_to_resume_or_stop(cli: Cli) -> None:
    cli.interrupt_after = 1
    result = cli("endpoints", "create", "-p", "proj", "-n", "chat", "-m", "org/model", "-i", "H100", "--wait")
    assert result.exit_code == 130
    assert int(ExitCode.INTERRUPTED) == 130
    [endpoint_id] = cli.emulator.endpoint_ids()
    error, hint = result.stderr.splitlines()
    assert error == (
        f"Error: interrupted while waiting for {endpoint_id} to be RUNNING; the endpoint {endpoint_id} keeps "
        "deploying (and billing for its GPUs) without this command"
    )
    assert hint == (
        f"Hint: resume the wait: friendli-dedicated endpoints wait {endpoint_id}; "
        f"stop it: friendli-dedicated endpoints terminate {endpoint_id}"
    )


def test_ctrl_c_during_a_wait_with_json_is_one_error_document(cli: Cli) -> None:
    endpoint_id = cli.create()
    cli.interrupt_after = 0
    result = cli("endpoints", "wait", endpoint_id, "--json")
    assert result.exit_code == 130
    error = json.loads(result.stdout)["error"]
    assert (error["exitCode"], error["endpointIds"], error["waitingFor"]) == (130, [endpoint_id], "RUNNING")
    assert f"endpoints wait {endpoint_id}" in error["hint"]


def test_ctrl_c_during_terminate_wait_says_how_to_resume_it(cli: Cli) -> None:
    endpoint_id = cli.create()
    cli.interrupt_after = 0
    result = cli("endpoints", "terminate", endpoint_id, "--wait")
    assert result.exit_code == 130
    assert "keeps terminating without this command" in result.stderr
    assert f"resume the wait: friendli-dedicated endpoints wait {endpoint_id} --until TERMINATED" in result.stderr
    assert "endpoints terminate" not in result.stderr  # it is on its way out already


def test_ctrl_c_while_waiting_for_several_names_them_all(cli: Cli) -> None:
    first, second = cli.create("one"), cli.create("two")
    cli.interrupt_after = 0
    result = cli("endpoints", "wait", first, second)
    assert result.exit_code == 130
    assert "the endpoints keep deploying (and billing for their GPUs) without this command" in result.stderr
    assert "stop one: friendli-dedicated endpoints terminate ID" in result.stderr
    assert f"interrupted while waiting for {first} {second} to be RUNNING" in result.stderr
    assert f"friendli-dedicated endpoints wait {first} {second}" in result.stderr


def test_ctrl_c_during_create_says_it_may_exist(cli: Cli, monkeypatch: pytest.MonkeyPatch) -> None:
    def interrupted(*_args: Any, **_kwargs: Any) -> Callable[..., Any]:
        raise KeyboardInterrupt

    monkeypatch.setattr(fd.Endpoints, "create", interrupted)
    result = cli("endpoints", "create", "-p", "proj", "-n", "chat", "-m", "org/model", "-i", "H100")
    assert result.exit_code == 130
    assert "the endpoint may have been created" in result.stderr
    assert "friendli-dedicated endpoints list --project proj --wide" in result.stderr


# -- a refusal that waiting cures ------------------------------------------------------------------
def test_restart_right_after_terminate_says_which_status_to_wait_for_and_how(cli: Cli) -> None:
    endpoint_id = cli.create()
    cli.ok("endpoints", "terminate", endpoint_id)
    result = cli("endpoints", "restart", endpoint_id, "--wait")
    assert result.exit_code == ExitCode.API_ERROR
    error, hint = result.stderr.splitlines()
    assert error.startswith("Error: PUT ")
    assert "400" in error
    assert "is TERMINATING" in error
    assert hint == (
        f"Hint: it is TERMINATING: wait until it is TERMINATED (friendli-dedicated endpoints wait {endpoint_id} "
        "--until TERMINATED; --wait on the command before waits for it too), then restart it again "
        f"(friendli-dedicated endpoints restart {endpoint_id})"
    )
    document = json.loads(cli("endpoints", "restart", endpoint_id, "--json").stdout)["error"]
    assert (document["type"], document["status"], document["waitFor"]) == (
        "EndpointBusyError",
        "TERMINATING",
        "TERMINATED",
    )
    cli.ok("endpoints", "wait", endpoint_id, "--until", "TERMINATED")
    assert json.loads(cli.ok("endpoints", "restart", endpoint_id, "--json").stdout)["status"] == "INITIALIZING"
