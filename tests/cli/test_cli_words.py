"""The command line speaks its own words (issue 22): flags and environment variables, never the library's keywords.

The first test drives every error path of every command the app registers (read from the app, so a
command added later is driven too): an unknown flag, each option with bad values, no token, an insecure
or malformed base URL, a bad team, API errors and dropped connections from the emulator (``inject``),
an endpoint that does not exist, with and without ``--json``; and the refusals of the library that
only some commands reach. No output may show a Python form (``tests/support/cli_words.py``): a
keyword argument (``wake=True``, ``token=...``), a call, a constant, a keyword name (``team_id``).
The table that translates the library's names (``_exit.FIELDS``) is checked against the commands'
own flags and the calls the command line makes.

The rest: ``FRIENDLI_PROJECT`` wherever ``--project`` is taken, a listing that cannot tell an unknown
project from an empty one says so, readable usage and exit codes once in help, ``list --wide`` and
its cost in requests, ``delete``'s confirmation, the emulator's exports when bound to every
interface and its word for a busy port, the flags that conflict, shell completion.

Run in-process (typer's CliRunner) against the emulator on a ManualClock.
"""

from __future__ import annotations

import functools
import inspect
import json
import os
import re
import socket
import threading
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path
from typing import Any

import attrs
import pytest
import typer
import typer.testing
from cli_words import CALLS, python_forms
from typer.testing import CliRunner, Result

import friendli_dedicated as fd
from friendli_dedicated.cli import _app, _endpoints, _session
from friendli_dedicated.cli._engine_flags import ENGINE_FLAGS
from friendli_dedicated.cli._exit import FIELDS, ExitCode, spelling_of
from friendli_dedicated.cli._options import PROJECT_VARIABLE
from friendli_dedicated.emulator import DEFAULT_TEAM, Emulator, ManualClock, _launcher

TOKEN = "flp_words-secret-3a9c"
ENV: dict[str, str | None] = {
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
EXIT_CODES = {code.value for code in ExitCode}


# -- the app's commands, read from the app -----------------------------------------------------------
def _walk(command: Any, path: tuple[str, ...] = ()) -> Iterator[tuple[tuple[str, ...], Any]]:
    subcommands = getattr(command, "commands", None)
    if subcommands is None:
        yield path, command
        return
    yield path, command  # a group has help too
    for name, subcommand in subcommands.items():
        yield from _walk(subcommand, (*path, name))


ROOT = typer.main.get_command(_app.app)
EVERYTHING = dict(_walk(ROOT))
COMMANDS = {path: command for path, command in EVERYTHING.items() if getattr(command, "commands", None) is None}
ALL_FLAGS = {
    flag
    for command in EVERYTHING.values()
    for param in command.params
    for flag in (*param.opts, *getattr(param, "secondary_opts", ()))
}
ARGUMENTS = {
    str(param.metavar or param.name.upper()).removesuffix("...")  # PROJECT_ID... takes several PROJECT_IDs
    for command in EVERYTHING.values()
    for param in command.params
    if param.param_type_name == "argument"
}


def _id(path: tuple[str, ...]) -> str:
    return " ".join(path) or "(root)"


# -- a world per run ---------------------------------------------------------------------------------
@attrs.frozen
class World:
    emulator: Emulator
    running: str
    sleeping: str


def world() -> World:
    """An emulator with a RUNNING and a SLEEPING endpoint in project ``proj``."""
    emulator = Emulator(clock=ManualClock(), tokens={TOKEN: [DEFAULT_TEAM]}, seed=9)
    clock = emulator.clock
    assert isinstance(clock, ManualClock)
    with emulator.client(token=TOKEN) as client:
        running = client.endpoints.create("proj", "up", "org/model", "H100")
        asleep = client.endpoints.create("proj", "nap", "org/model", "H100")
        clock.advance(3600)
        asleep.sleep()
        clock.advance(3600)
    return World(emulator, running.id, asleep.id)


def _factory(emulator: Emulator) -> Callable[[_session.Settings], fd.Client]:
    """The CLI's client on ``emulator``; a base URL (option or variable) is checked as the real client does."""

    def factory(settings: _session.Settings) -> fd.Client:
        given: dict[str, Any] = {}
        if settings.base_url is not None or _environment_has("FRIENDLI_BASE_URL"):
            given.update(base_url=settings.base_url, allow_insecure=settings.allow_insecure)
        return emulator.client(
            token=settings.token, team_id=settings.team, max_retries=settings.max_retries, random=lambda: 0.5, **given
        )

    return factory


def _environment_has(name: str) -> bool:
    return bool(os.environ.get(name))  # CliRunner sets the run's environment in os.environ


def _fake_serve(options: Any, on_ready: Callable[[str], None], **_: Any) -> str:
    """The emulator command's server, without a socket: ready at once, then stopped."""
    on_ready(f"http://{options.host}:{options.port or 8080}")
    return "stop"


def run(
    monkeypatch: pytest.MonkeyPatch, the_world: World, args: list[str], env: Mapping[str, str | None] | None = None
) -> Result:
    """Run the app; check the exit code, the token and every word a person reads."""
    monkeypatch.setattr(_session, "client_factory", _factory(the_world.emulator))
    monkeypatch.setattr(_launcher, "serve_until_stopped", _fake_serve)
    if hasattr(typer.testing, "_get_command"):  # the app's commands, built once: most of a run's time otherwise
        monkeypatch.setattr(
            typer.testing, "_get_command", lambda app: ROOT if app is _app.app else typer.main.get_command(app)
        )
    result = CliRunner().invoke(_app.app, args, env={**ENV, **(env or {})}, catch_exceptions=False)
    assert result.exit_code in EXIT_CODES, (args, result.exit_code, result.output)
    read = [result.stderr]
    if "--json" in args and result.stdout.strip():
        document = json.loads(result.stdout)
        if isinstance(document, dict) and "error" in document:
            read += [document["error"]["message"], document["error"].get("hint") or ""]
    else:
        read.append(result.stdout)
    for text in read:
        assert TOKEN not in text, args
        assert "Traceback" not in text, (args, text)
        assert python_forms(text) == [], (args, text)
    return result


# -- every error path of every command ---------------------------------------------------------------
SAMPLES = {"--project": "proj", "--name": "chat", "--model": "org/model"}
# What a command needs besides its required options to get past its first check (create: an instance).
NEEDS: dict[tuple[str, ...], list[str]] = {("endpoints", "create"): ["-i", "H100"]}
BAD_VALUES = ["-1", "0", "nan", "x", "", "1e400"]


def base_args(path: tuple[str, ...], command: Any, the_world: World) -> list[str]:
    """The command with its arguments and required options filled in with valid values."""
    args = list(path)
    for param in command.params:
        if param.param_type_name == "argument":
            args += [the_world.running, the_world.sleeping] if param.nargs != 1 else [the_world.running]
        elif param.required:
            args += [param.opts[0], SAMPLES.get(param.opts[0], "x")]
    return [*args, *NEEDS.get(path, [])]


def variations(
    path: tuple[str, ...], command: Any, the_world: World
) -> Iterator[tuple[list[str], dict[str, str | None]]]:
    """(args, environment) of every error path a command has, whatever it is."""
    base = base_args(path, command, the_world)
    yield [*base, "--no-such-flag"], {}
    for extra in ([], ["--json"]):
        yield [*base, *extra], {"FRIENDLI_TOKEN": ""}
        yield [*base, *extra], {"FRIENDLI_BASE_URL": "http://example.com"}
        for root in (
            ["--base-url", "http://example.com"],
            ["--base-url", "https://api.test/x?y=1"],
            ["--team", "t\u00e9am"],
            ["--token", "flp_x\u200b"],
            ["--max-retries", "-1"],
        ):
            yield [*root, *base, *extra], {}
    for param in command.params:
        if param.param_type_name == "argument":
            for bad in ("ep-missing", "bad/id", ""):
                yield [*[bad if word == the_world.running else word for word in base]], {}
        elif getattr(param, "is_flag", False) or param.opts[0] in ("--help", "-h"):
            if param.opts[0] not in ("--help", "-h"):
                yield [*base, param.opts[0]], {}
        else:
            for bad in BAD_VALUES:
                yield [*base, param.opts[0], bad], {}


OPERATIONS = [operation.operation_id for operation in Emulator().contract.operations]


@pytest.mark.parametrize("path", sorted(COMMANDS), ids=_id)
def test_no_error_path_of_any_command_speaks_python(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, path: tuple[str, ...]
) -> None:
    monkeypatch.chdir(tmp_path)  # export's --out with the bad values ("x", "0") writes files where it runs
    command = COMMANDS[path]
    the_world = world()  # one for all: what a run changes (a delete) only makes the next one's error another
    for args, env in variations(path, command, the_world):
        run(monkeypatch, the_world, args, env)
    for fault in (503, "drop"):  # every operation answers with the fault: the API's errors, the network's
        for extra in ([], ["--json"]):
            faulty = world()
            for operation in OPERATIONS:
                faulty.emulator.inject(operation, fault, times=50)
            run(monkeypatch, faulty, ["--max-retries", "0", *base_args(path, command, faulty), *extra])


# The refusals of the library that only some commands reach, with the words each must use instead.
SCENARIOS: list[tuple[list[str], str]] = [
    (["endpoints", "create", "-p", "proj", "-n", "c", "-m", "o/m", "-i", "H100", "--replicas", "2", "--max-replicas",
      "3"], "--replicas"),
    (["endpoints", "create", "-p", "proj", "-n", "c", "-m", "o/m", "-i", "H100", "--autoscaling", "always-on",
      "--min-replicas", "3", "--max-replicas", "2"], "--min-replicas (3)"),
    (["endpoints", "create", "-p", "proj", "-n", "c", "-m", "o/m", "-i", "H100", "--min-replicas", "11"],
     "the largest --max-replicas"),
    (["endpoints", "create", "-p", "proj", "-n", "c", "-m", "o/m", "-i", "H100", "--engine-option",
      "enable_content_logging=1"], "true or false"),
    (["endpoints", "create", "-p", "proj", "-n", "c", "-m", "o/m", "-i", "H100", "--engine-option",
      "queue_backpressure_metric_kind=1"], "--engine-option"),
    (["endpoints", "update", "{running}"], "give at least one option to change"),
    (["endpoints", "wait", "{sleeping}"], "--wake"),
    (["endpoints", "wait", "{running}", "--until", "SLEEPING", "--wake"], "--wake"),
    (["endpoints", "list", "--project", "bad/id"], "--project (FRIENDLI_PROJECT)"),
    (["endpoints", "delete", "{running}"], "--yes"),
    (["--base-url", "http://example.com", "endpoints", "list"], "--allow-insecure"),
    (["endpoints", "list"], "--token"),  # without a token
]  # fmt: skip


@pytest.mark.parametrize(("args", "said"), SCENARIOS, ids=[" ".join(args[:4]) for args, _ in SCENARIOS])
def test_the_library_refusals_each_command_reaches_are_said_with_flags(
    monkeypatch: pytest.MonkeyPatch, args: list[str], said: str
) -> None:
    the_world = world()
    args = [word.format(running=the_world.running, sleeping=the_world.sleeping) for word in args]
    env = {"FRIENDLI_TOKEN": ""} if said == "--token" else {}
    result = run(monkeypatch, the_world, args, env)
    assert result.exit_code != 0, result.output
    assert said in " ".join(result.stderr.split()), result.stderr


def test_a_create_whose_outcome_is_unknown_says_how_to_look_for_it_on_the_command_line(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    the_world = world()
    the_world.emulator.inject("create", "drop", times=50)  # it may have been created: the listing finds none
    args = ["--max-retries", "0", "endpoints", "create", "-p", "proj", "-n", "c", "-m", "o/m", "-i", "H100"]
    result = run(monkeypatch, the_world, args)
    assert result.exit_code == ExitCode.API_ERROR
    error, hint = result.stderr.splitlines()
    assert error.endswith("look for it before creating it again"), error
    assert hint == "Hint: friendli-dedicated endpoints list --project proj --wide"


def test_the_words_test_sees_python_where_the_old_messages_had_it() -> None:
    # The messages the issue quotes, as the library words them: each is caught.
    for message in (
        "endpoint ep-1 is SLEEPING; pass wake=True to wake it and wait until it serves",
        "base_url: 'http://example.com' is plain http ...; use https:// or pass allow_insecure=True",
        "no API token: pass token=... or set the FRIENDLI_TOKEN environment variable",
        "check `endpoints.list('proj')` before creating it again",
        "invalid --max-replicas (autoscaling.max_replicas): must be at least min_replicas (3), got 2",
        "invalid --team (team_id): must be 1-256 printable ASCII characters",
    ):
        assert python_forms(message), message


# -- the table of the library's names ----------------------------------------------------------------
NOT_ON_THE_COMMAND_LINE = {
    "self": "",
    "http_client": "the command line builds its own",
    "retry": "--max-retries is the policy's one knob on the command line",
    "sleep": "tests' hook",
    "clock": "tests' hook",
    "random": "tests' hook",
    "telemetry": "the otel extra configures it, not a flag",
    "page_size": "a listing reads pages of 100",
    "exist_ok": "create always creates",
    "advanced": "the engine options: a flag each (checked below)",
    "on_progress": "the progress display",
    "poll": "the waiter's own backoff",
    "serving": "the command line's waits end at RUNNING (no --serving flag yet)",
}


def test_every_input_of_the_calls_the_command_line_makes_has_its_flag() -> None:
    for call in CALLS:
        for name in inspect.signature(call).parameters:
            if name in NOT_ON_THE_COMMAND_LINE:
                continue
            spelling = spelling_of(name)
            assert spelling.flag in ALL_FLAGS | ARGUMENTS, (call.__qualname__, name, spelling)
    for flag in ENGINE_FLAGS:
        assert spelling_of(flag.option.name).flag == flag.flag in ALL_FLAGS


@pytest.mark.parametrize("field", sorted(FIELDS))
def test_each_name_of_the_table_is_a_flag_of_the_app_and_its_variable_is_the_one_it_reads(field: str) -> None:
    spelling = FIELDS[field]
    if spelling.flag is None:  # a refusal no one option is to blame for (update with nothing to change)
        return
    assert spelling.flag in ALL_FLAGS | ARGUMENTS, field
    if spelling.variable is not None:
        options = [p for c in EVERYTHING.values() for p in c.params if spelling.flag in p.opts]
        # Either typer reads it (envvar=...) or the library does and the option's help says so.
        assert options
        assert all(p.envvar == spelling.variable or f"${spelling.variable}" in (p.help or "") for p in options)


# -- FRIENDLI_PROJECT ----------------------------------------------------------------------------------
def test_every_command_that_takes_a_project_reads_friendli_project() -> None:
    taking = {path: c for path, c in COMMANDS.items() if any("--project" in p.opts for p in c.params)}
    assert {("endpoints", "create"), ("endpoints", "list")} <= set(taking)
    for path, command in taking.items():
        [param] = [p for p in command.params if "--project" in p.opts]
        assert param.envvar == PROJECT_VARIABLE, path
    help_text = CliRunner().invoke(_app.app, ["endpoints", "create", "--help"], env=ENV).stdout
    assert "env var: FRIENDLI_PROJECT" in " ".join(help_text.split())


def test_create_and_list_read_friendli_project_and_the_option_wins(monkeypatch: pytest.MonkeyPatch) -> None:
    the_world = world()
    env = {PROJECT_VARIABLE: "demo"}
    created = run(
        monkeypatch, the_world, ["endpoints", "create", "-n", "y", "-m", "org/model", "-i", "H100", "--json"], env
    )
    assert created.exit_code == 0, created.output  # the command, which said "Missing option '--project'"
    new_id = json.loads(created.stdout)["id"]
    listed = run(monkeypatch, the_world, ["endpoints", "list", "--json", "--wide"], env)
    assert [(row["id"], row["projectId"]) for row in json.loads(listed.stdout)] == [(new_id, "demo")]
    chosen = run(monkeypatch, the_world, ["endpoints", "list", "--json", "-p", "proj"], env)
    assert {row["id"] for row in json.loads(chosen.stdout)} == {the_world.running, the_world.sleeping}
    everything = run(monkeypatch, the_world, ["endpoints", "list", "--json", "--all-projects"], env)
    assert len(json.loads(everything.stdout)) == 3
    both = run(monkeypatch, the_world, ["endpoints", "list", "-p", "proj", "--all-projects"], env)
    assert both.exit_code == ExitCode.USAGE
    assert "--all-projects" in both.stderr


def test_an_empty_listing_of_a_project_says_an_unknown_project_lists_the_same(monkeypatch: pytest.MonkeyPatch) -> None:
    # The contract has no operation on projects, and its listing answers any project_id with a list:
    # the command line cannot tell an unknown project from an empty one, and says so.
    the_world = world()
    result = run(monkeypatch, the_world, ["endpoints", "list", "-p", "no-such-project"])
    assert result.exit_code == 0
    said = " ".join(result.stdout.split())
    assert said.startswith("No endpoints in project no-such-project.")
    assert "a project id it does not know as empty too" in said
    from_env = run(monkeypatch, the_world, ["endpoints", "list"], {PROJECT_VARIABLE: "elsewhere"})
    assert "No endpoints in project elsewhere (from FRIENDLI_PROJECT)." in " ".join(from_env.stdout.split())
    assert run(monkeypatch, world(), ["endpoints", "list", "--json", "-p", "nope"]).stdout.strip() == "[]"
    empty_team = Emulator(clock=ManualClock(), tokens={TOKEN: [DEFAULT_TEAM]})
    assert run(monkeypatch, World(empty_team, "", ""), ["endpoints", "list"]).stdout.strip() == "No endpoints."


def test_the_guide_shows_that_listing_as_the_command_line_prints_it(monkeypatch: pytest.MonkeyPatch) -> None:
    guide = (Path(__file__).resolve().parents[2] / "docs" / "cli.md").read_text(encoding="utf-8")
    [shown] = [line for line in guide.splitlines() if line.startswith("No endpoints in project ")]
    project = shown.split()[4].rstrip(".")
    assert run(monkeypatch, world(), ["endpoints", "list", "-p", project]).stdout.strip() == shown


# -- help ------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("path", sorted(EVERYTHING), ids=_id)
def test_help_shows_readable_usage_and_the_exit_codes_once(path: tuple[str, ...]) -> None:
    result = CliRunner().invoke(_app.app, [*path, "--help"], env=ENV)
    assert result.exit_code == 0, result.output
    text = result.stdout
    assert text.count("Exit codes:") == 1, text
    usage = text.splitlines()[0]
    assert "{" not in usage, usage  # typer's braces around a required argument
    assert "<list" not in text  # a Python type
    assert re.search(r"\.\.\.\.\.\.|\.\.\.\}", text) is None


def test_wait_takes_several_ids_and_says_so_plainly() -> None:
    text = CliRunner().invoke(_app.app, ["endpoints", "wait", "--help"], env=ENV).stdout
    assert text.splitlines()[0] == "Usage: friendli-dedicated endpoints wait [OPTIONS] ENDPOINT_ID..."
    assert re.search(r"^\s+ENDPOINT_ID\.\.\.\s+The endpoints' ids\.\s+\[required\]$", text, re.MULTILINE), text
    get = CliRunner().invoke(_app.app, ["endpoints", "get", "--help"], env=ENV).stdout
    assert get.splitlines()[0] == "Usage: friendli-dedicated endpoints get [OPTIONS] ENDPOINT_ID"


def test_shell_completion_is_offered_and_completes_commands_and_flags() -> None:
    help_text = CliRunner().invoke(_app.app, ["--help"], env=ENV).stdout
    assert "--install-completion" in help_text
    assert "--show-completion" in help_text
    for words, expected in (
        ("friendli-dedicated endpoints li", "list"),
        ("friendli-dedicated endpoints create --max-b", "--max-batch-size"),
    ):
        env = {**ENV, "_FRIENDLI_DEDICATED_COMPLETE": "complete_bash", "COMP_WORDS": words}
        env["COMP_CWORD"] = str(len(words.split()) - 1)
        result = CliRunner().invoke(_app.app, [], env=env, prog_name="friendli-dedicated")
        assert result.stdout.split() == [expected], result.output


# -- list --wide -------------------------------------------------------------------------------------------
def test_list_wide_shows_names_at_one_request_per_endpoint_as_its_help_says(monkeypatch: pytest.MonkeyPatch) -> None:
    the_world = world()
    emulator = the_world.emulator
    help_text = " ".join(CliRunner().invoke(_app.app, ["endpoints", "list", "--help"], env=ENV).stdout.split())
    assert "one more request per endpoint listed" in help_text
    before = len(emulator.requests)
    plain = run(monkeypatch, the_world, ["endpoints", "list"])
    assert len(emulator.requests) - before == 1  # one page
    assert "NAME" not in plain.stdout
    before = len(emulator.requests)
    wide = run(monkeypatch, the_world, ["endpoints", "list", "--wide"])
    assert len(emulator.requests) - before == 1 + 2  # the page, and each endpoint's specification
    table = [" ".join(line.split()) for line in wide.stdout.splitlines()]
    assert table[0].startswith("ID NAME PROJECT")
    assert any(line.startswith(f"{the_world.running} up proj") for line in table)
    assert any(line.startswith(f"{the_world.sleeping} nap proj") for line in table)


# -- delete --------------------------------------------------------------------------------------------------
def test_delete_without_a_terminal_refuses_without_yes_and_sends_nothing(monkeypatch: pytest.MonkeyPatch) -> None:
    the_world = world()
    before = len(the_world.emulator.requests)
    for extra in ([], ["--json"]):
        result = run(monkeypatch, the_world, ["endpoints", "delete", the_world.running, *extra])
        assert result.exit_code == ExitCode.USAGE
        assert "Hint: give --yes to delete without asking" in result.stderr
    assert json.loads(result.stdout)["error"]["option"] == "--yes"
    assert len(the_world.emulator.requests) == before
    deleted = run(monkeypatch, the_world, ["endpoints", "delete", the_world.running, "--yes"])
    assert deleted.stdout.strip() == f"Deleted endpoint {the_world.running}."
    assert the_world.running not in the_world.emulator.endpoint_ids()


@pytest.mark.parametrize(("answer", "deleted"), [("y\n", True), ("n\n", False), ("\n", False)])
def test_delete_on_a_terminal_asks_naming_the_endpoint(
    monkeypatch: pytest.MonkeyPatch, answer: str, deleted: bool
) -> None:
    the_world = world()
    monkeypatch.setattr(_endpoints, "_interactive", lambda: True)
    monkeypatch.setattr(_session, "client_factory", _factory(the_world.emulator))
    result = CliRunner().invoke(_app.app, ["endpoints", "delete", the_world.running], env=ENV, input=answer)
    assert result.exit_code == 0, result.output
    assert f"Delete endpoint {the_world.running} (up in project proj)? It cannot be undone. [y/N]" in result.stderr
    assert (the_world.running not in the_world.emulator.endpoint_ids()) is deleted
    # (CliRunner echoes the answer on stdout, as a terminal shows what is typed.)
    assert result.stdout.splitlines()[-1] == (
        f"Deleted endpoint {the_world.running}." if deleted else f"Not deleted: {the_world.running}."
    )


def test_delete_on_a_terminal_interrupted_at_the_question_exits_130(monkeypatch: pytest.MonkeyPatch) -> None:
    the_world = world()
    monkeypatch.setattr(_endpoints, "_interactive", lambda: True)
    monkeypatch.setattr(_session, "client_factory", _factory(the_world.emulator))
    result = CliRunner().invoke(_app.app, ["endpoints", "delete", the_world.running], env=ENV, input="")  # end of input
    assert result.exit_code == ExitCode.INTERRUPTED
    assert the_world.running in the_world.emulator.endpoint_ids()


# -- the emulator command --------------------------------------------------------------------------------------
def test_emulator_bound_to_every_interface_exports_a_url_the_command_line_takes(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    result = run(monkeypatch, world(), ["emulator", "--host", "0.0.0.0", "--port", "8123"])
    assert result.exit_code == 0, result.output
    shown = [line.strip() for line in result.stdout.splitlines()]
    assert shown[0] == "Friendli Dedicated emulator at http://127.0.0.1:8123 (Ctrl-C to stop)"
    assert "every interface" in shown[1]
    assert "export FRIENDLI_BASE_URL=http://127.0.0.1:8123" in shown
    fd.Client(token=TOKEN, base_url="http://127.0.0.1:8123").close()  # taken: no ConfigurationError
    document = json.loads(run(monkeypatch, world(), ["emulator", "--host", "::", "--port", "8123", "--json"]).stdout)
    assert document["baseUrl"] == "http://[::1]:8123"
    fd.Client(token=TOKEN, base_url=document["baseUrl"]).close()


def test_emulator_on_a_busy_port_names_port_and_the_free_one(monkeypatch: pytest.MonkeyPatch) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        stop = threading.Event()
        stop.set()
        monkeypatch.setattr(_session, "client_factory", _factory(world().emulator))
        serve = functools.partial(_launcher.serve_until_stopped, stop=stop)
        monkeypatch.setattr(_launcher, "serve_until_stopped", serve)
        result = CliRunner().invoke(_app.app, ["emulator", "--port", str(port)], env=ENV, catch_exceptions=False)
    assert result.exit_code == ExitCode.USAGE, result.output
    error, hint = result.stderr.splitlines()
    assert error.startswith(f"Error: cannot serve on 127.0.0.1:{port}: ")
    assert hint.startswith("Hint: pick another --port (--port 0 takes a free one")
    assert "FRIENDLI_BASE_URL" not in result.output
    assert python_forms(result.output) == []


# -- flags that conflict -------------------------------------------------------------------------------------
def test_replicas_with_a_range_names_the_flags_that_conflict(monkeypatch: pytest.MonkeyPatch) -> None:
    args = ["endpoints", "create", "-p", "proj", "-n", "y", "-m", "o/m", "-i", "H100", "--replicas", "2"]
    the_world = world()
    result = run(monkeypatch, the_world, [*args, "--max-replicas", "3"])
    assert result.exit_code == ExitCode.USAGE
    assert result.stderr.splitlines() == [
        "Error: invalid --max-replicas: does not go with --replicas (a fixed count of replicas); for a range give "
        "--min-replicas and --max-replicas without --replicas"
    ]
    assert "none" not in result.stderr
    fixed = run(monkeypatch, the_world, [*args, "--autoscaling", "fixed", "--cooldown", "3"])
    assert "invalid --cooldown: does not apply to --autoscaling fixed" in fixed.stderr
