"""The engine options of ``endpoints create`` and ``update`` on the command line, checked against the contract.

Every expectation is read from ``_contract.ENGINE_OPTIONS`` (never a count, name or id of the
current pin): each option has its flag in both commands' ``--help``, with its title, bounds,
default and enum values, and a valid value given on the command line is sent as the API's JSON.
A simulated contract with options the pin does not have (a boolean, an enum) proves that the
flags come from the table, without regenerating anything. The escape hatches
(``--unlisted-instance``, ``--engine-option``) send what the pin does not list, with one
``Warning:`` line.
"""

from __future__ import annotations

import inspect
import json
import re
import shlex
from pathlib import Path
from typing import Any

import pytest
import typer
from fakes import COLLECTION, EP, FakeAPI, listing, make_client, reply, spec_json, status_json, valid_value
from typer.testing import CliRunner, Result

import friendli_dedicated as fd
from friendli_dedicated.cli import _app, _endpoints, _engine_flags, _options, _session, _signatures
from friendli_dedicated.cli._exit import ExitCode
from friendli_dedicated.emulator import DEFAULT_TEAM, Emulator, ManualClock
from friendli_dedicated_api._contract import ENGINE_OPTIONS, EngineOption

CLEAN_ENV: dict[str, str | None] = {
    "FRIENDLI_TOKEN": "flp_engine-flags-token",
    "FRIENDLI_TEAM": None,
    "FRIENDLI_BASE_URL": None,
    "FRIENDLI_PROJECT": None,
    "FORCE_COLOR": None,
    "NO_COLOR": None,
    "COLUMNS": None,
}
IDS = [option.name for option in ENGINE_OPTIONS]
COMMANDS = {"create": ["-p", "proj", "-n", "chat", "-m", "org/model"], "update": [EP]}
AN_INSTANCE = fd.InstanceOption.all()[0]


def expected_flag(name: str) -> str:
    """The flag the contract's option ``name`` should have: its name in lower case with dashes."""
    dashed = re.sub(r"[^a-z0-9]+", "-", re.sub(r"(?<=[a-z0-9])(?=[A-Z])", "-", name).lower()).strip("-")
    flag = f"--{dashed}"
    return f"--engine-{dashed}" if flag in _options.RESERVED_FLAGS else flag


def invoke(app: typer.Typer, *args: str) -> Result:
    # Wide help, so that no flag or help text is wrapped.
    return CliRunner().invoke(
        app, list(args), env=CLEAN_ENV, catch_exceptions=False, terminal_width=1000, max_content_width=1000
    )


def help_of(app: typer.Typer, *command: str) -> str:
    result = invoke(app, *command, "--help")
    assert result.exit_code == 0, result.output
    return result.stdout


def command_line(option: EngineOption, value: Any, flag: str | None = None) -> list[str]:
    """``value`` of ``option`` as the command line gives it."""
    flag = flag or expected_flag(option.name)
    if option.kind == "boolean" and not option.enum:
        return [flag if value else f"--no-{flag[2:]}"]
    return [flag, value if isinstance(value, str) else json.dumps(value)]


# -- --help ----------------------------------------------------------------------------------------
@pytest.mark.parametrize("command", COMMANDS)
@pytest.mark.parametrize("option", ENGINE_OPTIONS, ids=IDS)
def test_help_shows_every_engine_option_with_what_the_contract_says(command: str, option: EngineOption) -> None:
    text = help_of(_app.app, "endpoints", command)
    flag = expected_flag(option.name)
    [line] = [line for line in text.splitlines() if re.match(re.escape(flag) + "[ ,]", line.strip())]
    if option.kind == "boolean" and not option.enum:
        assert f"--no-{flag[2:]}" in line
    for value in option.enum:
        assert str(value) in line  # the choices, in the option's metavar
    words = " ".join(text.split())
    described = " ".join(_engine_flags.EngineFlag(option, flag, "p").help.split())
    assert described in words
    assert "".join(option.title.split()).lower() in "".join(described.split()).lower()  # the title, maybe spaced
    kind = {"integer": "integer", "number": "number", "boolean": "on or off", "string": "text"}[option.kind]
    assert f"(engine): {'one of the values shown' if option.enum else kind}" in described  # the type
    bounds = [option.minimum, option.maximum, option.exclusive_minimum, option.exclusive_maximum]
    for bound in bounds:
        if bound is not None:
            assert f"{bound:g}" in described
    if option.kind in ("integer", "number") and not option.enum and bounds == [None] * 4:
        assert "no bounds" in described  # said, not left out
    if isinstance(option.default, bool):
        assert f"default {'on' if option.default else 'off'}" in described
    elif option.default is not None:
        assert f"default {option.default}" in described
    elif not (option.required and option.kind == "boolean"):
        assert re.search(r"no (bounds or )?default", described)


def test_help_lists_the_gpus_and_instance_spellings_of_the_contract() -> None:
    text = " ".join(help_of(_app.app, "endpoints", "create").split())
    for gpu in fd.GPU:
        assert gpu.value.removeprefix("NVIDIA ").replace(" ", "-") in text
    assert "--unlisted-instance ID" in text
    assert "--engine-option NAME=JSON" in text


# -- values are sent -------------------------------------------------------------------------------
def create_api() -> FakeAPI:
    return FakeAPI().on("GET", COLLECTION, listing()).on("POST", COLLECTION, reply(200, status_json(endpointId="ep-9")))


def update_api() -> FakeAPI:
    return (
        FakeAPI()
        .on("GET", f"{COLLECTION}/{EP}", reply(200, spec_json()))
        .on("PUT", f"{COLLECTION}/{EP}", reply(200, spec_json()))
    )


def on_fake(monkeypatch: pytest.MonkeyPatch, api: FakeAPI) -> None:
    monkeypatch.setattr(_session, "client_factory", lambda settings: make_client(api))


def sent(api: FakeAPI, method: str, path: str) -> dict[str, Any]:
    (request,) = api.calls(method, path)
    return json.loads(request.content)  # type: ignore[no-any-return]


@pytest.mark.parametrize("option", ENGINE_OPTIONS, ids=IDS)
def test_create_sends_each_engine_option_given_on_the_command_line(
    monkeypatch: pytest.MonkeyPatch, option: EngineOption
) -> None:
    api = create_api()
    on_fake(monkeypatch, api)
    value = valid_value(option)
    result = invoke(
        _app.app, "endpoints", "create", *COMMANDS["create"], "-i", AN_INSTANCE.id, *command_line(option, value)
    )
    assert result.exit_code == 0, result.output
    assert sent(api, "POST", COLLECTION)["advanced"][option.name] == value
    assert result.stderr == ""  # a listed option: no warning


@pytest.mark.parametrize("option", ENGINE_OPTIONS, ids=IDS)
def test_update_sends_each_engine_option_given_on_the_command_line(
    monkeypatch: pytest.MonkeyPatch, option: EngineOption
) -> None:
    api = update_api()
    on_fake(monkeypatch, api)
    value = valid_value(option)
    result = invoke(_app.app, "endpoints", "update", *COMMANDS["update"], *command_line(option, value), "--json")
    assert result.exit_code == 0, result.output
    assert sent(api, "PUT", f"{COLLECTION}/{EP}")["advanced"][option.name] == value


@pytest.mark.parametrize(
    "option", [o for o in ENGINE_OPTIONS if o.kind == "boolean" and not o.enum], ids=lambda option: option.name
)
def test_a_boolean_flag_sends_true_false_or_nothing(monkeypatch: pytest.MonkeyPatch, option: EngineOption) -> None:
    flag = expected_flag(option.name)
    for args, expected in (([flag], True), ([f"--no-{flag[2:]}"], False)):
        api = update_api()
        on_fake(monkeypatch, api)
        assert invoke(_app.app, "endpoints", "update", EP, *args).exit_code == 0
        assert sent(api, "PUT", f"{COLLECTION}/{EP}")["advanced"][option.name] is expected
    # Neither given: the option is not among those the command passes on (update sends none of them).
    api = update_api()
    on_fake(monkeypatch, api)
    assert invoke(_app.app, "endpoints", "update", EP, "--name", "renamed").exit_code == 0
    assert "advanced" not in sent(api, "PUT", f"{COLLECTION}/{EP}")


def test_every_valid_value_at_once_is_accepted_by_the_emulator() -> None:
    # The emulator checks each request against the contract: the values the flags send are its values.
    emulator = Emulator(clock=ManualClock(), tokens={"flp_engine-flags-token": [DEFAULT_TEAM]})
    args = [arg for option in ENGINE_OPTIONS for arg in command_line(option, valid_value(option))]
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(_session, "client_factory", lambda settings: emulator.client(token=settings.token))
        result = invoke(_app.app, "endpoints", "create", *COMMANDS["create"], "-i", AN_INSTANCE.id, *args, "--json")
        assert result.exit_code == 0, result.output
        endpoint_id = json.loads(result.stdout)["id"]
        result = invoke(_app.app, "endpoints", "update", endpoint_id, *args, "--json")
        assert result.exit_code == 0, result.output


@pytest.mark.parametrize("option", [o for o in ENGINE_OPTIONS if o.enum], ids=lambda option: option.name)
def test_a_value_outside_an_enum_is_bad_usage_naming_the_flag_and_sends_nothing(
    monkeypatch: pytest.MonkeyPatch, option: EngineOption
) -> None:
    api = create_api()
    on_fake(monkeypatch, api)
    flag = expected_flag(option.name)
    result = invoke(_app.app, "endpoints", "create", *COMMANDS["create"], "-i", AN_INSTANCE.id, flag, "NOT_A_VALUE")
    assert result.exit_code == ExitCode.USAGE
    assert f"Invalid value for '{flag}'" in result.stderr
    assert all(str(value) in result.stderr for value in option.enum)
    assert api.requests == []


@pytest.mark.parametrize("option", [o for o in ENGINE_OPTIONS if o.minimum is not None], ids=lambda option: option.name)
def test_a_value_below_the_contract_minimum_is_refused_by_the_facade_naming_the_flag(
    monkeypatch: pytest.MonkeyPatch, option: EngineOption
) -> None:
    api = create_api()
    on_fake(monkeypatch, api)
    assert option.minimum is not None
    below = option.minimum - 1
    flag = expected_flag(option.name)
    args = [flag, str(int(below)) if option.kind == "integer" else str(below)]
    result = invoke(_app.app, "endpoints", "create", *COMMANDS["create"], "-i", AN_INSTANCE.id, *args)
    assert result.exit_code == ExitCode.USAGE
    assert result.stderr.startswith(f"Error: invalid {flag}: "), result.stderr
    assert api.requests == []


@pytest.mark.parametrize(("alias", "name"), [(a, n) for n, aliases in _engine_flags._ALIASES.items() for a in aliases])
def test_old_spellings_still_work(monkeypatch: pytest.MonkeyPatch, alias: str, name: str) -> None:
    if name not in {option.name for option in ENGINE_OPTIONS}:
        pytest.skip(f"the pinned contract has no {name}")  # an alias lives only as long as its option
    for args, expected in (([alias], True), ([f"--no-{alias[2:]}"], False)):
        api = update_api()
        on_fake(monkeypatch, api)
        assert invoke(_app.app, "endpoints", "update", EP, *args).exit_code == 0
        assert sent(api, "PUT", f"{COLLECTION}/{EP}")["advanced"][name] is expected


# -- a contract with more options than the pin -----------------------------------------------------
def _option(name: str, kind: str, **fields: Any) -> EngineOption:
    base = EngineOption(name, kind, True, False, None, (), None, name.replace("_", " ").title(), *([None] * 6))
    return base._replace(**fields)


NEW_OPTIONS = (
    _option("new_flag", "boolean"),
    _option("new_kind", "string", enum=("FAST", "SLOW", "CAREFUL"), enum_name="NewKind", title="NewKind"),
    _option("new_limit", "integer", minimum=2, maximum=64, default=8),
    _option("wait", "boolean"),  # the name of a flag create already has
)


class RecordingEndpoints:
    def __init__(self) -> None:
        self.calls: list[tuple[str, dict[str, Any]]] = []

    def create(self, *args: Any, **kwargs: Any) -> Any:
        self.calls.append(("create", kwargs))
        return type("Created", (), {"id": "ep-new", "state": None})()

    def update(self, endpoint_id: str, **kwargs: Any) -> Any:
        self.calls.append(("update", kwargs))
        return fd.EndpointSpec.from_json(spec_json())


class RecordingClient:
    def __init__(self) -> None:
        self.endpoints = RecordingEndpoints()

    def close(self) -> None:
        pass


@pytest.fixture
def extended(monkeypatch: pytest.MonkeyPatch) -> tuple[typer.Typer, RecordingEndpoints]:
    """The real create and update commands, rebuilt on the pin's table plus NEW_OPTIONS."""
    table = (*ENGINE_OPTIONS, *NEW_OPTIONS)
    app = typer.Typer(rich_markup_mode=None)
    for name, command in (("create", _endpoints.create), ("update", _endpoints.update)):
        app.command(name)(_signatures.with_deployment_flags(inspect.unwrap(command), table))
    client = RecordingClient()
    monkeypatch.setattr(_session, "client_factory", lambda settings: client)
    return app, client.endpoints


@pytest.mark.parametrize("command", COMMANDS)
def test_an_option_added_upstream_gets_its_flag_without_an_edit(
    extended: tuple[typer.Typer, RecordingEndpoints], command: str
) -> None:
    app, _ = extended
    text = help_of(app, command)
    assert "--new-flag / --no-new-flag" in text
    assert "FAST|SLOW|CAREFUL" in text
    words = " ".join(text.split())
    assert "New kind (engine): one of the values shown; no default in the contract." in words  # the title, spaced
    assert "New limit (engine): integer, 2 to 64; default 8." in words
    assert "--engine-wait / --no-engine-wait" in text  # never two options with one flag
    for option in ENGINE_OPTIONS:  # the pin's own are still there
        assert expected_flag(option.name) in text


def test_an_option_added_upstream_is_passed_to_the_facade(extended: tuple[typer.Typer, RecordingEndpoints]) -> None:
    app, endpoints = extended
    create = ["create", *COMMANDS["create"], "-i", AN_INSTANCE.id]
    assert invoke(app, *create, "--new-flag", "--new-kind", "SLOW", "--new-limit", "9", "--json").exit_code == 0
    assert invoke(app, *create, "--no-new-flag", "--engine-wait", "--comment", "note").exit_code == 0
    assert invoke(app, "update", EP, "--new-kind", "CAREFUL").exit_code == 0
    (_, first), (_, second), (_, third) = endpoints.calls
    assert {k: first[k] for k in ("new_flag", "new_kind", "new_limit")} == {
        "new_flag": True,
        "new_kind": "SLOW",  # the contract's value, not a Python enum member
        "new_limit": 9,
    }
    assert type(first["new_kind"]) is str
    assert (second["new_flag"], second["wait"], second["comment"]) == (False, True, "note")
    assert third["new_kind"] == "CAREFUL"
    assert "new_flag" not in third  # not given: not passed on


def test_an_option_added_upstream_refuses_a_value_outside_its_enum(
    extended: tuple[typer.Typer, RecordingEndpoints],
) -> None:
    app, endpoints = extended
    result = invoke(app, "update", EP, "--new-kind", "RECKLESS")
    assert result.exit_code == ExitCode.USAGE
    assert "'RECKLESS' is not one of 'FAST', 'SLOW', 'CAREFUL'" in result.stderr
    assert endpoints.calls == []


# -- escape hatches --------------------------------------------------------------------------------
def warning_lines(result: Result) -> list[str]:
    return [line for line in result.stderr.splitlines() if line.startswith("Warning:")]


def assert_one_warning_line(result: Result, about: str) -> None:
    [line] = warning_lines(result)
    assert about in line
    assert fd.CONTRACT_PIN.sha256[:12] in line  # names the pin
    assert "UnlistedWarning" not in result.stderr  # not Python's warning format
    assert "warnings.warn" not in result.stderr


def test_unlisted_instance_is_sent_as_given_with_one_warning_line(monkeypatch: pytest.MonkeyPatch) -> None:
    api = create_api()
    on_fake(monkeypatch, api)
    result = invoke(
        _app.app, "endpoints", "create", *COMMANDS["create"], "--unlisted-instance", "b300Preview", "--json"
    )
    assert result.exit_code == 0, result.output
    assert sent(api, "POST", COLLECTION)["instanceOptionId"] == "b300Preview"
    assert_one_warning_line(result, "'b300Preview'")
    assert json.loads(result.stdout)["id"] == "ep-9"  # stdout is still only the JSON document


def test_unlisted_instance_on_update(monkeypatch: pytest.MonkeyPatch) -> None:
    api = update_api()
    on_fake(monkeypatch, api)
    result = invoke(_app.app, "endpoints", "update", EP, "--unlisted-instance", "b300Preview")
    assert result.exit_code == 0, result.output
    assert sent(api, "PUT", f"{COLLECTION}/{EP}")["instanceOptionId"] == "b300Preview"
    assert_one_warning_line(result, "'b300Preview'")


def test_an_unlisted_instance_that_the_pin_lists_is_the_listed_option_without_a_warning(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    api = create_api()
    on_fake(monkeypatch, api)
    result = invoke(_app.app, "endpoints", "create", *COMMANDS["create"], "--unlisted-instance", AN_INSTANCE.id)
    assert result.exit_code == 0, result.output
    assert sent(api, "POST", COLLECTION)["instanceOptionId"] == AN_INSTANCE.id
    assert warning_lines(result) == []


@pytest.mark.parametrize(
    ("extra", "named"),
    [
        (["-i", AN_INSTANCE.id], "--unlisted-instance"),
        (["--gpu", AN_INSTANCE.gpu.value], "--unlisted-instance"),
    ],
)
def test_unlisted_instance_with_another_instance_option_is_bad_usage(
    monkeypatch: pytest.MonkeyPatch, extra: list[str], named: str
) -> None:
    api = create_api()
    on_fake(monkeypatch, api)
    result = invoke(_app.app, "endpoints", "create", *COMMANDS["create"], "--unlisted-instance", "x1", *extra)
    assert result.exit_code == ExitCode.USAGE
    assert result.stderr.startswith(f"Error: invalid {named}"), result.stderr
    assert api.requests == []


@pytest.mark.parametrize("command", COMMANDS)
def test_engine_option_sends_unlisted_options_as_json_with_one_warning_each(
    monkeypatch: pytest.MonkeyPatch, command: str
) -> None:
    api = create_api() if command == "create" else update_api()
    on_fake(monkeypatch, api)
    instance = ["-i", AN_INSTANCE.id] if command == "create" else []
    options = ["--engine-option", "new_flag=true", "--engine-option", 'new_kind="FAST"']
    options += ["--engine-option", 'new_table={"a": [1, 2.5, null]}']
    result = invoke(_app.app, "endpoints", command, *COMMANDS[command], *instance, *options)
    assert result.exit_code == 0, result.output
    method, path = ("POST", COLLECTION) if command == "create" else ("PUT", f"{COLLECTION}/{EP}")
    advanced = sent(api, method, path)["advanced"]
    assert (advanced["new_flag"], advanced["new_kind"], advanced["new_table"]) == (True, "FAST", {"a": [1, 2.5, None]})
    lines = warning_lines(result)
    assert len(lines) == 3
    assert all(fd.CONTRACT_PIN.sha256[:12] in line for line in lines)


@pytest.mark.parametrize("option", [o for o in ENGINE_OPTIONS if o.enum], ids=lambda option: option.name)
def test_engine_option_sends_an_enum_value_the_pin_does_not_list(
    monkeypatch: pytest.MonkeyPatch, option: EngineOption
) -> None:
    api = create_api()
    on_fake(monkeypatch, api)
    given = f'{option.name}="ADDED_UPSTREAM"'
    result = invoke(
        _app.app, "endpoints", "create", *COMMANDS["create"], "-i", AN_INSTANCE.id, "--engine-option", given
    )
    assert result.exit_code == 0, result.output
    assert sent(api, "POST", COLLECTION)["advanced"][option.name] == "ADDED_UPSTREAM"
    assert_one_warning_line(result, option.name)


@pytest.mark.parametrize(
    "given",
    ["no_equals_sign", "=1", "name=", "name=not json", "name=NaN", "name=[1,", "name=" + "[" * 100_000],
    ids=["no-equals", "no-name", "no-value", "bare-word", "nan", "truncated", "too-deep"],
)
def test_a_bad_engine_option_is_bad_usage_naming_it_and_sends_nothing(
    monkeypatch: pytest.MonkeyPatch, given: str
) -> None:
    api = create_api()
    on_fake(monkeypatch, api)
    result = invoke(
        _app.app, "endpoints", "create", *COMMANDS["create"], "-i", AN_INSTANCE.id, "--engine-option", given
    )
    assert result.exit_code == ExitCode.USAGE, result.output
    assert result.stderr.startswith("Error: invalid --engine-option: "), result.stderr
    assert len(result.stderr.splitlines()) == 1
    assert api.requests == []


def test_an_engine_option_also_given_as_its_flag_is_bad_usage(monkeypatch: pytest.MonkeyPatch) -> None:
    option = ENGINE_OPTIONS[0]
    api = create_api()
    on_fake(monkeypatch, api)
    value = valid_value(option)
    args = [*command_line(option, value), "--engine-option", f"{option.name}={json.dumps(value)}"]
    result = invoke(_app.app, "endpoints", "create", *COMMANDS["create"], "-i", AN_INSTANCE.id, *args)
    assert result.exit_code == ExitCode.USAGE
    assert expected_flag(option.name) in result.stderr
    assert api.requests == []


def test_a_json_value_the_facade_refuses_names_the_engine_option(monkeypatch: pytest.MonkeyPatch) -> None:
    api = create_api()
    on_fake(monkeypatch, api)
    result = invoke(_app.app, "endpoints", "create", *COMMANDS["create"], "-i", AN_INSTANCE.id,
                    "--engine-option", f"big={2**70}", "--json")  # fmt: skip
    assert result.exit_code == ExitCode.USAGE
    error = json.loads(result.stdout)["error"]
    assert (error["option"], error["field"]) == ("--engine-option", "extra_engine_options.big")
    assert api.requests == []


def test_the_documented_escape_hatch_example_runs(monkeypatch: pytest.MonkeyPatch) -> None:
    # docs/cli.md's example of the escape hatches, as a shell would split it, sends what it says.
    doc = (Path(__file__).resolve().parents[2] / "docs" / "cli.md").read_text(encoding="utf-8")
    section = doc.split("### What the pinned contract does not list yet", 1)[1].split("\n## ", 1)[0]
    [block] = re.findall(r"```console\n(.*?)```", section, re.DOTALL)
    # The first command of the session ("$ ..." and its continuation lines), as a shell would split it.
    command = block.split("$ ", 1)[1].replace("\\\n", " ").split("\n", 1)[0]
    words = shlex.split(command)
    assert words[0] == "friendli-dedicated"
    api = create_api()
    on_fake(monkeypatch, api)
    result = invoke(_app.app, *words[1:])
    assert result.exit_code == 0, result.output
    body = sent(api, "POST", COLLECTION)
    assert body["instanceOptionId"] == words[words.index("--unlisted-instance") + 1]
    name, value = words[words.index("--engine-option") + 1].split("=", 1)
    assert body["advanced"][name] == json.loads(value)
    assert len(warning_lines(result)) == 2
