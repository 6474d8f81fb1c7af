"""The `friendli-dedicated` command line, run in-process (typer's CliRunner) against the emulator.

Every command runs end to end: CLI options -> facade -> the emulator's HTTP handling, with no
sockets and no real waiting (a ManualClock that the client's sleep advances). Each invocation is
checked for the token in its output, whatever the command.
"""

from __future__ import annotations

import json
import os
import re
import signal
import socket
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner, Result

import friendli_dedicated as fd
import friendli_dedicated_api
from friendli_dedicated.cli import _app, _output, _session
from friendli_dedicated.cli._exit import ExitCode, option_for
from friendli_dedicated.emulator import DEFAULT_TEAM, DEFAULT_TOKEN, Emulator, ManualClock

TOKEN = "flp_cli-secret-7d1e4b9a0c"
FAIL_MODEL = "emulator/fail-INFERENCE_ENGINE_MEMORY_ERROR"

# Variables that would change what the CLI does (or how rich draws) if the developer's shell has them.
CLEAN_ENV: dict[str, str | None] = {
    "FRIENDLI_TOKEN": TOKEN,
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
    """Runs the app on an in-process emulator; every result is checked for the token."""

    def __init__(self, emulator: Emulator) -> None:
        self.emulator = emulator
        self.clock = emulator.clock
        self.runner = CliRunner()

    def __call__(self, *args: str, env: dict[str, str | None] | None = None) -> Result:
        result = self.runner.invoke(_app.app, list(args), env={**CLEAN_ENV, **(env or {})}, catch_exceptions=False)
        for stream in (result.stdout, result.stderr):
            assert TOKEN not in stream, f"the token leaked from {args}"
            assert "Traceback" not in stream or "--debug" in args, stream
        return result

    def ok(self, *args: str) -> Result:
        result = self(*args)
        assert result.exit_code == 0, (args, result.stdout, result.stderr)
        return result

    def json(self, *args: str) -> Any:
        result = self.ok(*args, "--json")
        return json.loads(result.stdout)  # stdout is one JSON document, nothing else

    def create(self, name: str = "chat", *extra: str) -> str:
        instance = [] if {"-i", "--instance", "--gpu"} & set(extra) else ["-i", "H100"]
        data = self.json("endpoints", "create", "-p", "proj", "-n", name, "-m", "org/model", *instance, *extra)
        return str(data["id"])

    def advance(self, seconds: float) -> None:
        assert isinstance(self.clock, ManualClock)
        self.clock.advance(seconds)


def emulator_factory(emulator: Emulator) -> Any:
    """A ``client_factory`` that wires the CLI's settings to ``emulator`` in-process."""

    def factory(settings: _session.Settings) -> fd.Client:
        return emulator.client(
            token=settings.token,  # None: the client reads FRIENDLI_TOKEN, as the real one does
            team_id=settings.team,
            max_retries=settings.max_retries,
            random=lambda: 0.5,
        )

    return factory


@pytest.fixture
def emulator() -> Emulator:
    return Emulator(clock=ManualClock(), tokens={TOKEN: [DEFAULT_TEAM, "other-team"]}, seed=11)


@pytest.fixture
def cli(emulator: Emulator, monkeypatch: pytest.MonkeyPatch) -> Cli:
    monkeypatch.setattr(_session, "client_factory", emulator_factory(emulator))
    return Cli(emulator)


def lines(text: str) -> list[str]:
    return [" ".join(line.split()) for line in text.splitlines() if line.strip()]


# -- help, static commands -------------------------------------------------------------------------
@pytest.mark.parametrize("args", [["--help"], ["endpoints", "--help"], ["endpoints", "create", "--help"]])
def test_help_documents_the_exit_codes(cli: Cli, args: list[str]) -> None:
    text = " ".join(cli.ok(*args).stdout.split())
    assert "Exit codes: 0 success; 1 API or network error; 2 bad usage or invalid input" in text
    assert "3 endpoint failed" in text
    assert "4 wait timed out" in text


def test_version(cli: Cli) -> None:
    out = cli.ok("--version").stdout
    assert out.startswith("friendli-dedicated ")
    assert fd.CONTRACT_PIN.short() in out


def test_instance_options_table_and_json(cli: Cli) -> None:
    table = cli.ok("instance-options").stdout
    assert "2x H100 NVIDIA H100 2 zfTutSiLn0Hq" in lines(table)
    data = cli.json("instance-options")
    assert [row["id"] for row in data] == [option.id for option in fd.InstanceOption.all()]
    assert {"id": "zfTutSiLn0Hq", "gpu": "NVIDIA H100", "count": 2, "instance": "2x H100"} in data
    # Every spelling shown is one --instance accepts, naming the same option.
    assert all(fd.InstanceOption.parse(row["instance"]).id == row["id"] for row in data)


def test_contract_table_and_json(cli: Cli) -> None:
    data = cli.json("contract")
    assert data["upstreamSha256"] == fd.CONTRACT_PIN.sha256
    assert data["surfaceSha256"] == fd.CONTRACT_PIN.surface_sha256
    assert data["retrieved"] == fd.CONTRACT_PIN.retrieved
    assert data["sdkVersion"] == fd.__version__
    table = cli.ok("contract").stdout
    assert fd.CONTRACT_PIN.sha256 in table
    assert fd.CONTRACT_PIN.retrieved in table


def test_the_old_spec_command_still_works_says_it_is_deprecated_and_is_not_listed(cli: Cli) -> None:
    result = cli("spec", "--json")
    assert result.exit_code == 0
    assert json.loads(result.stdout) == cli.json("contract")
    assert "deprecated" in result.stderr.lower()
    help_text = cli.ok("--help").stdout
    assert "contract" in help_text
    assert not re.search(r"^\W*spec\b", help_text, re.MULTILINE)


def test_static_commands_need_no_token(cli: Cli) -> None:
    assert cli("contract", env={"FRIENDLI_TOKEN": None}).exit_code == 0
    assert cli("instance-options", "--json", env={"FRIENDLI_TOKEN": None}).exit_code == 0


# -- create and wait -------------------------------------------------------------------------------
def test_create_wait_shows_one_line_per_change_without_a_terminal(cli: Cli, emulator: Emulator) -> None:
    result = cli.ok(
        "endpoints", "create", "--project", "proj", "--name", "chat", "--model", "org/model",
        "--instance", "2x H100", "--wait", "--timeout", "600",
    )  # fmt: skip
    [endpoint_id] = emulator.endpoint_ids()
    shown = lines(result.stdout)
    assert shown[0] == f"Created endpoint {endpoint_id} (chat in project proj, 2x NVIDIA H100)."
    assert shown[1] == f"Waiting for {endpoint_id} to be RUNNING (timeout 10m00s)..."
    changes = [line.split(" ", 1)[1] for line in shown[2:-1]]
    assert changes == [
        "INITIALIZING REQUESTING_VIRTUAL_MACHINE",
        "INITIALIZING DOWNLOADING_MODEL",
        "INITIALIZING ENGINE_INITIALIZING",
        "RUNNING",
    ]
    assert shown[-1].startswith(f"{endpoint_id} is RUNNING after ")
    assert result.stderr == ""
    assert "\x1b[" not in result.stdout  # no spinner or colour codes without a terminal


def test_create_json_is_only_json_on_stdout(cli: Cli, emulator: Emulator) -> None:
    result = cli.ok("endpoints", "create", "-p", "proj", "-n", "chat", "-m", "org/model", "--gpu", "H100", "--json")
    data = json.loads(result.stdout)
    assert data["id"] == emulator.endpoint_ids()[0]
    assert (data["status"], data["phase"], data["errorCode"]) == ("INITIALIZING", "REQUESTING_VIRTUAL_MACHINE", None)
    assert "Created endpoint" in result.stderr


def test_create_wait_json_sends_progress_to_stderr(cli: Cli) -> None:
    result = cli.ok(
        "endpoints", "create", "-p", "proj", "-n", "chat", "-m", "org/model", "-i", "H100", "--wait", "--json"
    )
    assert json.loads(result.stdout)["status"] == "RUNNING"
    assert "INITIALIZING  DOWNLOADING_MODEL" in result.stderr
    assert "is RUNNING after" in result.stderr


def test_create_passes_every_input_to_the_facade(cli: Cli) -> None:
    endpoint_id = cli.create(
        "tuned", "--gpu", "H200", "--count", "4", "--autoscaling", "always-on", "--min-replicas", "2",
        "--max-replicas", "5", "--cooldown", "120", "--max-batch-size", "64", "--max-input-length", "2048",
        "--max-context-length", "8192", "--max-token-count", "4096", "--no-tokenizer-add-special-tokens",
        "--queue-backpressure-metric-kind", "TTFT_MS", "--queue-backpressure-metric-threshold", "0.5",
        "--content-logging", "--queue-timeout-ms", "100", "--revision", "main", "--comment", "first",
    )  # fmt: skip
    spec = cli.json("endpoints", "get", endpoint_id)
    assert (spec["gpuType"], spec["numGpu"], spec["instanceId"]) == ("NVIDIA H200", 4, "OhTzYtZuomzI")
    assert (spec["autoscalingMin"], spec["autoscalingMax"], spec["autoscalingCooldown"]) == (2, 5, 120)
    assert (spec["maxBatchSize"], spec["maxInputLength"], spec["maxContextLength"]) == (64, 2048, 8192)
    assert spec["tokenizerAddSpecialTokens"] is False
    assert spec["tokenizerSkipSpecialTokens"] is True


@pytest.mark.parametrize(
    ("options", "expected"),
    [
        (["--autoscaling", "fixed", "--replicas", "3"], (3, 3, 0)),
        (["--autoscaling", "fixed"], (1, 1, 0)),
        (["--replicas", "2"], (2, 2, 0)),
        (["--autoscaling", "scale-to-zero", "--max-replicas", "4", "--cooldown", "60"], (0, 4, 60)),
        (["--autoscaling", "scale-to-zero"], (0, 1, 300)),
        (["--autoscaling", "always-on"], (1, 1, 300)),
        (["--min-replicas", "1", "--max-replicas", "3"], (1, 3, 300)),
    ],
)
def test_create_autoscaling_shapes(cli: Cli, options: list[str], expected: tuple[int, int, int]) -> None:
    spec = cli.json("endpoints", "get", cli.create("chat", *options))
    assert (spec["autoscalingMin"], spec["autoscalingMax"], spec["autoscalingCooldown"]) == expected


def test_create_with_a_raw_instance_option_id(cli: Cli) -> None:
    spec = cli.json("endpoints", "get", cli.create("chat", "-i", "drbc6G9FxJWZ"))
    assert (spec["gpuType"], spec["numGpu"]) == ("NVIDIA B200", 8)


def test_wait_table_and_json(cli: Cli) -> None:
    endpoint_id = cli.create()
    result = cli.ok("endpoints", "wait", endpoint_id)
    assert lines(result.stdout)[-1].startswith(f"{endpoint_id} is RUNNING after ")
    assert cli.json("endpoints", "wait", endpoint_id)["status"] == "RUNNING"


def test_wait_wake_wakes_a_sleeping_endpoint(cli: Cli) -> None:
    endpoint_id = cli.create("chat", "--wait")
    assert cli.json("endpoints", "sleep", endpoint_id)["status"] == "SLEEPING"
    result = cli.ok("endpoints", "wait", endpoint_id, "--wake")
    shown = lines(result.stdout)
    assert any(line.endswith("SLEEPING") for line in shown)
    assert any(line.endswith("AWAKING") for line in shown)
    assert shown[-1].startswith(f"{endpoint_id} is RUNNING")


# -- reading ---------------------------------------------------------------------------------------
def test_list_table_json_project_limit_and_wide(cli: Cli) -> None:
    assert cli.ok("endpoints", "list").stdout.strip() == "No endpoints."
    assert cli.json("endpoints", "list") == []
    first = cli.create("one")
    second = cli.json("endpoints", "create", "-p", "other", "-n", "two", "-m", "org/m", "-i", "H100")["id"]
    table = lines(cli.ok("endpoints", "list").stdout)
    assert table[0] == "ID STATUS PHASE ERROR UPDATED"
    assert any(line.startswith(f"{first} INITIALIZING REQUESTING_VIRTUAL_MACHINE -") for line in table)
    assert any(line.startswith(second) for line in table)
    assert {row["id"] for row in cli.json("endpoints", "list")} == {first, second}
    assert [row["id"] for row in cli.json("endpoints", "list", "--project", "other")] == [second]
    assert len(cli.json("endpoints", "list", "--limit", "1")) == 1
    wide = cli.json("endpoints", "list", "--wide", "-p", "proj")
    assert wide[0]["name"] == "one"
    assert wide[0]["instance"] == "1x NVIDIA H100"
    assert wide[0]["projectId"] == "proj"
    wide_table = lines(cli.ok("endpoints", "list", "--wide").stdout)
    assert wide_table[0] == "ID NAME PROJECT INSTANCE REPLICAS STATUS PHASE ERROR UPDATED"
    assert any(line.startswith(f"{first} one proj 1x NVIDIA H100 0/1 INITIALIZING") for line in wide_table)


def test_a_limit_beyond_any_count_lists_everything(cli: Cli) -> None:
    # Found by tests/cli/test_cli_fuzz.py: a --limit above sys.maxsize was "unexpected ValueError" (exit 1).
    endpoint_id = cli.create()
    huge = str(2**63)
    assert [row["id"] for row in cli.json("endpoints", "list", "--limit", huge)] == [endpoint_id]
    assert [row["versionId"] for row in cli.json("endpoints", "versions", endpoint_id, "--limit", huge)] == ["v1"]


def test_get_table_and_json(cli: Cli) -> None:
    endpoint_id = cli.create("chat", "--max-batch-size", "32")
    spec = cli.json("endpoints", "get", endpoint_id)
    assert spec["id"] == endpoint_id
    assert spec["name"] == "chat"
    assert spec["maxBatchSize"] == 32
    assert "max_batch_size" not in spec  # --json keeps the contract's camelCase fields
    # For people: each field by its title in the contract, and the instance as --instance reads it.
    table = lines(cli.ok("endpoints", "get", endpoint_id).stdout)
    assert table[0] == "FIELD VALUE"
    assert table[2:4] == [f"ID {endpoint_id}", "Instance 1x NVIDIA H100"]
    titles = spec_titles()
    for name, value in spec.items():
        if name != "id":
            shown = {True: "yes", False: "no", None: "-"}[value] if value is None or isinstance(value, bool) else value
            assert " ".join(f"{titles[name]} {shown}".split()) in table, name
    assert not any(re.search(r"[a-z][A-Z]|_", line.split()[0]) for line in table[2:])  # no camelCase, no snake_case


def spec_titles() -> dict[str, str]:
    """The contract's title of each field of an endpoint's specification, read from the shipped contract."""
    contract = json.loads((Path(friendli_dedicated_api.__file__).parent / "openapi.json").read_text(encoding="utf-8"))
    fields = contract["components"]["schemas"]["DedicatedEndpointSpec"]["properties"]
    return {name: field["title"] for name, field in fields.items()}


def test_status_table_and_json_with_the_hint_of_a_failure(cli: Cli) -> None:
    endpoint_id = cli.json("endpoints", "create", "-p", "p", "-n", "bad", "-m", FAIL_MODEL, "-i", "H100")["id"]
    assert cli.json("endpoints", "status", endpoint_id)["status"] == "INITIALIZING"
    cli.advance(3600)
    state = cli.json("endpoints", "status", endpoint_id)
    assert (state["status"], state["errorCode"], state["phase"]) == (
        "FAILED",
        "INFERENCE_ENGINE_MEMORY_ERROR",
        "ENGINE_INITIALIZING",
    )
    assert "GPU memory" in state["hint"]
    table = cli.ok("endpoints", "status", endpoint_id).stdout
    assert f"{endpoint_id} FAILED ENGINE_INITIALIZING INFERENCE_ENGINE_MEMORY_ERROR" in " ".join(table.split())
    assert "Hint: The model does not fit in GPU memory" in table


def test_update_and_versions(cli: Cli) -> None:
    endpoint_id = cli.create("chat", "--wait")
    spec = cli.json("endpoints", "update", endpoint_id, "--max-batch-size", "128", "--comment", "bigger")
    assert spec["maxBatchSize"] == 128
    result = cli.ok("endpoints", "update", endpoint_id, "--name", "renamed", "--gpu", "H100", "--count", "2")
    assert f"Updated endpoint {endpoint_id}" in result.stdout
    assert "renamed" in result.stdout
    assert cli.json("endpoints", "status", endpoint_id)["status"] == "UPDATING"
    history = cli.json("endpoints", "versions", endpoint_id)
    assert [v["versionId"] for v in history] == ["v1", "v2", "v3"]
    assert (history[1]["maxBatchSize"], history[2]["name"], history[2]["numGpu"]) == (128, "renamed", 2)
    table = lines(cli.ok("endpoints", "versions", endpoint_id).stdout)
    assert table[0] == "VERSION NAME INSTANCE REPLICAS COOLDOWN MAX BATCH"
    assert "v3 renamed 2x NVIDIA H100 1-1 0s 128" in table
    assert len(cli.json("endpoints", "versions", endpoint_id, "--limit", "2")) == 2


def test_update_with_nothing_to_change_is_bad_usage(cli: Cli) -> None:
    endpoint_id = cli.create()
    result = cli("endpoints", "update", endpoint_id)
    assert result.exit_code == ExitCode.USAGE
    assert "nothing to update" in result.stderr


# -- lifecycle -------------------------------------------------------------------------------------
def test_lifecycle_commands_in_both_modes(cli: Cli) -> None:
    endpoint_id = cli.create("chat", "--wait")
    assert " SLEEPING " in cli.ok("endpoints", "sleep", endpoint_id).stdout
    assert cli.json("endpoints", "sleep", endpoint_id)["status"] == "SLEEPING"  # already asleep: still fine
    woken = cli.ok("endpoints", "wake", endpoint_id, "--wait")
    assert f"{endpoint_id}: AWAKING" in woken.stdout
    assert f"{endpoint_id} is RUNNING" in woken.stdout
    assert cli.json("endpoints", "terminate", endpoint_id)["status"] == "TERMINATING"
    cli.advance(60)
    assert " TERMINATED " in cli.ok("endpoints", "status", endpoint_id).stdout
    assert cli.json("endpoints", "restart", endpoint_id, "--wait")["status"] == "RUNNING"
    assert " TERMINATING " in cli.ok("endpoints", "terminate", endpoint_id).stdout
    cli.advance(60)
    assert cli.json("endpoints", "restart", endpoint_id)["status"] == "INITIALIZING"
    assert cli.json("endpoints", "delete", endpoint_id, "--yes") == {"id": endpoint_id, "deleted": True}
    assert cli("endpoints", "status", endpoint_id).exit_code == ExitCode.API_ERROR
    other = cli.create("two")
    assert cli.ok("endpoints", "delete", other, "-y").stdout.strip() == f"Deleted endpoint {other}."
    assert cli.json("endpoints", "list") == []


def test_wake_refused_by_the_api_is_exit_1(cli: Cli) -> None:
    endpoint_id = cli.create()  # INITIALIZING: the API refuses to wake it
    result = cli("endpoints", "wake", endpoint_id)
    assert result.exit_code == ExitCode.API_ERROR
    assert result.stderr.startswith("Error: PUT ")
    assert "400" in result.stderr


# -- exit codes ------------------------------------------------------------------------------------
def test_exit_1_on_404_as_one_line(cli: Cli) -> None:
    result = cli("endpoints", "status", "ep-missing")
    assert result.exit_code == 1
    assert result.stdout == ""
    assert result.stderr.splitlines() == [
        "Error: GET /dedicated/beta/endpoint/ep-missing/status: 404 Not Found: Endpoint 'ep-missing' not found"
    ]
    error = json.loads(cli("endpoints", "get", "ep-missing", "--json").stdout)["error"]
    assert (error["exitCode"], error["statusCode"], error["type"]) == (1, 404, "NotFoundError")


def test_exit_1_on_a_wrong_token_with_a_hint(cli: Cli) -> None:
    result = cli("endpoints", "list", env={"FRIENDLI_TOKEN": "flp_wrong"})
    assert result.exit_code == ExitCode.API_ERROR
    assert "401" in result.stderr
    assert "Hint: check the token" in result.stderr
    assert "flp_wrong" not in result.stdout + result.stderr


def test_exit_1_on_a_team_the_token_may_not_use(cli: Cli) -> None:
    result = cli("--team", "someone-else", "endpoints", "list")
    assert result.exit_code == ExitCode.API_ERROR
    assert "403" in result.stderr
    assert cli.ok("--team", "other-team", "endpoints", "list").stdout.strip() == "No endpoints."


def test_exit_1_on_a_refused_connection_with_the_real_client(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(_session, "client_factory", _session.default_client_factory)
    with socket.socket() as probe:  # a port nobody listens on: bound, then closed
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    cli = Cli(Emulator())
    args = ("--base-url", f"http://127.0.0.1:{port}", "--max-retries", "0", "endpoints", "list")
    result = cli(*args)
    assert result.exit_code == ExitCode.API_ERROR
    assert result.stderr.startswith("Error: ")
    assert "Hint: check the network and the base URL" in result.stderr
    assert len(result.stderr.splitlines()) == 2
    result = cli("--token", TOKEN, *args, "--json")
    assert json.loads(result.stdout)["error"]["type"] == "TransportError"


def test_exit_2_names_the_instance_option(cli: Cli, emulator: Emulator) -> None:
    result = cli("endpoints", "create", "-p", "proj", "-n", "chat", "-m", "org/model", "--instance", "3x H100")
    assert result.exit_code == 2
    assert result.stderr.splitlines() == [
        "Error: invalid --instance: '3x H100' is not an option; valid: 1x H100, 2x H100, 4x H100, 8x H100"
    ]
    assert emulator.stats.requests == 0  # refused before anything was sent
    result = cli("endpoints", "create", "-p", "proj", "-n", "chat", "-m", "org/model", "-i", "3x H100", "--json")
    error = json.loads(result.stdout)["error"]
    assert (error["field"], error["option"], error["exitCode"]) == ("instance", "--instance", 2)


@pytest.mark.parametrize(
    ("options", "named"),
    [
        (["--gpu", "H100", "--count", "3"], "--count"),
        (["--gpu", "H1"], "--gpu"),
        (["-i", "H100", "--gpu", "H100"], "--instance"),
        (["--count", "2"], "--count"),
        ([], "--instance"),
        (["-i", "H100", "--autoscaling", "scale-to-zero", "--max-replicas", "12"], "--max-replicas"),
        (["-i", "H100", "--autoscaling", "fixed", "--replicas", "0"], "--replicas"),
        (["-i", "H100", "--autoscaling", "fixed", "--max-replicas", "2"], "--max-replicas"),
        (["-i", "H100", "--autoscaling", "always-on", "--min-replicas", "0"], "--min-replicas"),
        (["-i", "H100", "--autoscaling", "scale-to-zero", "--cooldown", "-1"], "--cooldown"),
        (["-i", "H100", "--max-context-length", "0"], "--max-context-length"),  # the contract's minimum is 1
        (["-i", "H100", "--wait", "--timeout", "-1"], "--timeout"),
        (["-i", "H100", "--wait", "--timeout", "1e10"], "--timeout"),  # longer than 30 days
    ],
)
def test_exit_2_names_the_option(cli: Cli, emulator: Emulator, options: list[str], named: str) -> None:
    result = cli("endpoints", "create", "-p", "proj", "-n", "chat", "-m", "org/model", *options)
    assert result.exit_code == ExitCode.USAGE, result.stderr
    assert result.stderr.startswith(f"Error: invalid {named}"), result.stderr
    assert emulator.endpoint_ids() == []


@pytest.mark.parametrize(
    ("global_options", "named"),
    [
        (["--team", "t\u00e9am"], "invalid --team (FRIENDLI_TEAM): "),
        (["--team", "team\u200b"], "invalid --team (FRIENDLI_TEAM): "),
        (["--token", "flp_secret\u200b"], "invalid --token (FRIENDLI_TOKEN): "),
    ],
    ids=["team-accent", "team-zero-width", "token-zero-width"],
)
def test_bad_configuration_is_exit_2_not_a_bug(
    cli: Cli, emulator: Emulator, global_options: list[str], named: str
) -> None:
    result = cli(*global_options, "endpoints", "list")
    assert result.exit_code == ExitCode.USAGE, result.stderr
    assert named in result.stderr
    assert "bug" not in result.stderr
    assert "flp_secret" not in result.stdout + result.stderr
    assert emulator.stats.requests == 0


@pytest.mark.parametrize(
    "base_url", ["https://api.test/x?y=1", "https://api.test/#frag", "http://xn--", "https://u:p@h.test"]
)
def test_a_bad_base_url_is_exit_2_before_any_connection(monkeypatch: pytest.MonkeyPatch, base_url: str) -> None:
    monkeypatch.setattr(_session, "client_factory", _session.default_client_factory)  # the real client: no request made
    result = Cli(Emulator())("--base-url", base_url, "endpoints", "list")
    assert result.exit_code == ExitCode.USAGE, result.stderr
    assert result.stderr.startswith("Error: invalid --base-url (FRIENDLI_BASE_URL): ")
    assert "base_url" not in result.stderr
    assert "u:p@" not in result.stderr  # a password in the URL is never echoed


@pytest.mark.parametrize("timeout", ["inf", "nan", "1e309", "-1"])
def test_exit_2_on_a_timeout_that_is_not_a_finite_number_of_seconds(cli: Cli, emulator: Emulator, timeout: str) -> None:
    # Found by tests/cli/test_cli_fuzz.py: `wait --timeout inf` was "unexpected OverflowError" (exit 1).
    endpoint_id = cli.create()
    sent = emulator.stats.requests
    for args in (["endpoints", "wait", endpoint_id], ["endpoints", "wake", endpoint_id, "--wait"]):
        result = cli(*args, "--timeout", timeout)
        assert result.exit_code == ExitCode.USAGE, result.stderr
        assert result.stderr.startswith("Error: invalid --timeout: must be a finite number of seconds >= 0")
    assert emulator.stats.requests == sent


def test_exit_2_on_usage_errors_and_a_missing_token(cli: Cli) -> None:
    assert cli("endpoints", "create", "-n", "chat").exit_code == ExitCode.USAGE  # click: missing --project
    assert cli("endpoints", "list", "--limit", "many").exit_code == ExitCode.USAGE
    assert cli("endpoints", "list", "--limit", "0").exit_code == ExitCode.USAGE
    assert cli("no-such-command").exit_code == ExitCode.USAGE
    assert cli("endpoints", "status", "bad/id").exit_code == ExitCode.USAGE
    result = cli("endpoints", "list", env={"FRIENDLI_TOKEN": None})
    assert result.exit_code == ExitCode.USAGE
    assert "no API token" in result.stderr
    assert "FRIENDLI_TOKEN" in result.stderr


def test_exit_3_when_the_endpoint_fails_with_the_error_code_and_hint(cli: Cli) -> None:
    args = ("endpoints", "create", "-p", "proj", "-n", "bad", "-m", FAIL_MODEL, "-i", "H100", "--wait")
    result = cli(*args)
    assert result.exit_code == 3
    assert "FAILED        ENGINE_INITIALIZING" in result.stdout  # the progress got there
    error_line, hint_line = result.stderr.splitlines()
    assert error_line.startswith("Error: endpoint ep-")
    assert error_line.endswith("FAILED with INFERENCE_ENGINE_MEMORY_ERROR in phase ENGINE_INITIALIZING")
    assert hint_line.startswith("Hint: The model does not fit in GPU memory")
    error = json.loads(cli(*args, "--json").stdout)["error"]
    assert error["exitCode"] == 3
    assert error["errorCode"] == "INFERENCE_ENGINE_MEMORY_ERROR"
    assert error["endpointId"].startswith("ep-")
    assert "GPU memory" in error["hint"]


def test_exit_3_when_waiting_for_a_stopped_endpoint(cli: Cli) -> None:
    endpoint_id = cli.create("chat", "--wait")
    cli.ok("endpoints", "sleep", endpoint_id)
    result = cli("endpoints", "wait", endpoint_id)
    assert result.exit_code == ExitCode.ENDPOINT_FAILED
    assert "SLEEPING" in result.stderr
    assert f"endpoints wait --wake {endpoint_id}" in result.stderr
    cli.ok("endpoints", "terminate", endpoint_id)
    assert cli("endpoints", "wait", endpoint_id).exit_code == ExitCode.ENDPOINT_FAILED


def test_exit_4_when_the_wait_times_out(cli: Cli) -> None:
    result = cli(
        "endpoints", "create", "-p", "proj", "-n", "slow", "-m", "org/model", "-i", "H100", "--wait", "--timeout", "5"
    )
    assert result.exit_code == 4
    assert "did not become RUNNING within 5s" in result.stderr
    endpoint_id = cli.emulator.endpoint_ids()[0]
    assert f"Hint: it may still become RUNNING: friendli-dedicated endpoints wait {endpoint_id}" in result.stderr
    result = cli("endpoints", "wait", endpoint_id, "--timeout", "1", "--json")
    error = json.loads(result.stdout)["error"]
    assert (result.exit_code, error["exitCode"], error["lastStatus"]) == (4, 4, "INITIALIZING")


# -- the emulator command --------------------------------------------------------------------------
@pytest.mark.parametrize("number", [signal.SIGINT, signal.SIGTERM], ids=["SIGINT", "SIGTERM"])
def test_emulator_stops_cleanly_on_a_signal_right_after_printing_what_to_export(
    cli: Cli, monkeypatch: pytest.MonkeyPatch, number: signal.Signals
) -> None:
    # The race of issue 8: Ctrl-C after the last line was printed but before the command began
    # waiting used to become exit 130. The signal is sent from inside the printing of that line.
    note = _output.Output.note

    def note_then_signal(self: _output.Output, text: str) -> None:
        note(self, text)
        if "FRIENDLI_TEAM" in text:
            os.kill(os.getpid(), number)

    monkeypatch.setattr(_output.Output, "note", note_then_signal)
    result = cli("emulator", "--port", "0", "--time-scale", "0.01")
    assert result.exit_code == 0, result.stderr
    shown = result.stdout.splitlines()
    assert shown[0].startswith("Friendli Dedicated emulator at http://127.0.0.1:")
    assert shown[-1].strip() == f"export FRIENDLI_TEAM={DEFAULT_TEAM}"
    assert "stopping" in result.stderr


def test_emulator_json_prints_one_document_and_stops_on_sigint(cli: Cli, monkeypatch: pytest.MonkeyPatch) -> None:
    emit = _output.Output.emit

    def emit_then_interrupt(self: _output.Output, data: object) -> None:
        emit(self, data)
        os.kill(os.getpid(), signal.SIGINT)

    monkeypatch.setattr(_output.Output, "emit", emit_then_interrupt)
    result = cli("emulator", "--port", "0", "--json")
    assert result.exit_code == 0, result.stderr
    document = json.loads(result.stdout)
    assert document["baseUrl"].startswith("http://127.0.0.1:")
    assert (document["token"], document["team"]) == (DEFAULT_TOKEN, DEFAULT_TEAM)


@pytest.mark.parametrize(
    ("options", "named"),
    [
        (["--port", "70000"], "--port"),
        (["--port", "-1"], "--port"),
        (["--time-scale", "nan"], "--time-scale"),
        (["--time-scale", "inf"], "--time-scale"),
        (["--fault-rate", "1.5"], "--fault-rate"),
        (["--host", ""], "--host"),
        (["--host", "hôte"], "--host"),
    ],
)
def test_emulator_refuses_bad_options_naming_them(cli: Cli, options: list[str], named: str) -> None:
    result = cli("emulator", *options)
    assert result.exit_code == ExitCode.USAGE, result.stderr
    assert result.stderr.startswith(f"Error: invalid {named}: "), result.stderr


# -- errors, debug, the token ----------------------------------------------------------------------
def test_debug_shows_the_traceback(cli: Cli) -> None:
    result = cli("--token", TOKEN, "--debug", "endpoints", "status", "ep-missing")
    assert result.exit_code == ExitCode.API_ERROR
    assert "Traceback (most recent call last)" in result.stderr
    assert "NotFoundError" in result.stderr
    assert result.stderr.rstrip().splitlines()[-1].startswith("Error: GET ")


def test_an_unexpected_error_is_one_line_and_exit_1(cli: Cli, monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(settings: _session.Settings) -> fd.Client:
        raise RuntimeError("boom")

    monkeypatch.setattr(_session, "client_factory", broken)
    result = cli("endpoints", "list")
    assert result.exit_code == 1
    assert result.stderr.splitlines()[0] == "Error: unexpected RuntimeError: boom"


def test_the_token_flag_is_used_and_never_shown(cli: Cli) -> None:
    # Every call through Cli asserts the token is absent; here it comes from --token, not the environment.
    endpoint_id = cli.json("--token", TOKEN, "endpoints", "create", "-p", "p", "-n", "n", "-m", "o/m", "-i", "H100")
    for args in (["endpoints", "list", "--wide"], ["endpoints", "get", endpoint_id["id"]], ["contract"]):
        result = cli("--token", TOKEN, *args, env={"FRIENDLI_TOKEN": None})
        assert result.exit_code == 0


@pytest.mark.parametrize(
    ("field", "option"),
    [
        ("autoscaling.max_replicas", "--max-replicas"),
        ("project_id", "--project"),
        ("max_token_count", "--max-token-count"),
        ("instance", "--instance"),
    ],
)
def test_fields_map_to_options(field: str, option: str) -> None:
    assert option_for(field) == option


def test_the_library_works_without_typer_and_rich() -> None:
    # None in sys.modules makes an import fail: the library, the emulator and even importing the
    # CLI package must still work, and the console script then says which extra to install.
    code = (
        "import sys\n"
        "for name in ('typer', 'rich', 'click'):\n"
        "    sys.modules[name] = None\n"
        "import friendli_dedicated as fd, friendli_dedicated.cli, friendli_dedicated.emulator\n"
        "from friendli_dedicated.emulator import Emulator, ManualClock\n"
        "with Emulator(clock=ManualClock()).client() as client:\n"
        "    client.endpoints.create('p', 'n', 'org/m', fd.InstanceOption.parse('2x H100')).wait_until_running()\n"
        "friendli_dedicated.cli.main(['spec'])\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=False)
    assert result.returncode == 1, result.stderr
    assert result.stderr.strip().startswith("Error: the friendli-dedicated command line needs the 'cli' extra")
    assert "Traceback" not in result.stderr


# -- several endpoints at once -------------------------------------------------------------------------
def test_wait_for_several_endpoints_watches_them_together(cli: Cli, emulator: Emulator) -> None:
    ids = [cli.create(f"fleet-{n}") for n in range(3)]
    sent = len(emulator.requests)
    result = cli("endpoints", "wait", *ids, "--timeout", "600")
    assert result.exit_code == 0, result.stderr
    assert "Waiting for 3 endpoints" in result.stdout
    assert "3 of 3 RUNNING" in result.stdout
    for endpoint_id in ids:
        assert f"{endpoint_id}  RUNNING" in result.stdout
    watched = {request.facade_name for request in emulator.requests[sent:]}
    assert "status" not in watched  # through the project's listing, not one status each


def test_wait_for_several_with_json_lists_every_endpoint(cli: Cli) -> None:
    ids = [cli.create(f"fleet-{n}") for n in range(2)]
    rows = cli.json("endpoints", "wait", *ids)
    assert [(row["id"], row["status"]) for row in rows] == [(endpoint_id, "RUNNING") for endpoint_id in ids]


def test_wait_for_several_exits_3_when_one_fails_and_shows_its_hint(cli: Cli, emulator: Emulator) -> None:
    ids = [cli.create(f"fleet-{n}") for n in range(2)]
    emulator.fail(ids[0], "INFERENCE_ENGINE_MEMORY_ERROR")
    result = cli("endpoints", "wait", *ids)
    assert result.exit_code == ExitCode.ENDPOINT_FAILED
    assert "1 of 2 RUNNING; 1 failed" in result.stdout
    assert "Hint:" in result.stdout


def test_wait_for_several_exits_4_when_one_times_out(cli: Cli, emulator: Emulator) -> None:
    quick = cli.create("quick")
    cli.advance(100)  # quick is RUNNING; the next one has just started
    slow = cli.create("slow")
    result = cli("endpoints", "wait", quick, slow, "--timeout", "10")
    assert result.exit_code == ExitCode.WAIT_TIMEOUT, result.stderr
    assert "1 of 2 RUNNING; 0 failed, 0 stopped, 1 timed out" in result.stdout


def test_wait_for_repeated_and_unknown_ids_counts_each_id_once(cli: Cli, emulator: Emulator) -> None:
    # Found by a hostile review: `wait A B A ghost` printed A twice, counted "ghost" as stopped and
    # "2 of 4 RUNNING; 0 failed, 1 stopped, 0 timed out" did not add up.
    a, b = cli.create("a"), cli.create("b")
    result = cli("endpoints", "wait", a, b, a, "ghost")
    assert result.exit_code == ExitCode.ENDPOINT_FAILED, result.stderr
    assert "Waiting for 3 endpoints" in result.stdout
    table = [line.split() for line in lines(result.stdout) if line.split()[0] in (a, b, "ghost")]
    final = table[-3:]  # after the progress lines (duration first), the table: one row per distinct id
    assert [row[0] for row in final] == [a, b, "ghost"]
    assert final[2][1:3] == ["NOT", "FOUND"]
    assert [row[0] for row in table].count(a) == 1
    assert "2 of 3 RUNNING; 0 failed, 0 stopped, 1 not found, 0 timed out." in result.stdout
    listed = cli("endpoints", "wait", a, "ghost", b, a, "--json")
    assert listed.exit_code == ExitCode.ENDPOINT_FAILED
    rows = json.loads(listed.stdout)
    assert [(row["id"], row["status"]) for row in rows] == [(a, "RUNNING"), ("ghost", "NOT FOUND"), (b, "RUNNING")]


def test_wait_for_one_id_given_twice_waits_for_it_alone(cli: Cli, emulator: Emulator) -> None:
    endpoint_id = cli.create("chat")
    sent = len(emulator.requests)
    result = cli.ok("endpoints", "wait", endpoint_id, endpoint_id)
    assert f"Waiting for {endpoint_id} to be RUNNING" in result.stdout  # the one-endpoint display
    assert f"{endpoint_id} is RUNNING" in result.stdout
    assert {request.facade_name for request in emulator.requests[sent:]} == {"status"}


def test_the_emulator_command_takes_a_rate_limit() -> None:
    from friendli_dedicated.emulator import _launcher

    assert _launcher.LaunchOptions(rate_limit=50).emulator().rate_limit == 50
    with pytest.raises(fd.InvalidInputError) as refused:
        _launcher.LaunchOptions(rate_limit=0)
    assert refused.value.field == "rate_limit"
