"""Hostile input to every option of the command line: refused with exit 2 naming the option, never a crash.

hypothesis drives the CLI in-process (typer's CliRunner) against the in-process emulator with
random commands and option values: non-ASCII, control characters, empty strings, huge numbers,
NaN and infinities, numbers in other scripts, things that look like options. Whatever the input:

- the exit code is one of the documented ones (0, 1, 2, 3, 4);
- nothing says "this is a bug in friendli-dedicated" and nothing prints a traceback;
- an input refused as bad usage (exit 2) sent no request and printed nothing but the error;
- a line on stderr says what was wrong.
"""

from __future__ import annotations

import functools
import json
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from hypothesis import HealthCheck, event, given, settings, strategies as st
from typer.testing import CliRunner

import friendli_dedicated as fd
from friendli_dedicated.cli import _app, _engine_flags, _session
from friendli_dedicated.emulator import DEFAULT_TEAM, Emulator, ManualClock, _launcher
from friendli_dedicated_api._contract import ENGINE_OPTIONS

TOKEN = "flp_fuzz-secret-5e1f"
EXIT_CODES = {0, 1, 2, 3, 4}
CLEAN_ENV: dict[str, str | None] = {
    "FRIENDLI_TOKEN": TOKEN,
    "FRIENDLI_TEAM": None,
    "FRIENDLI_BASE_URL": None,
    "FRIENDLI_PROJECT": None,
    "FORCE_COLOR": None,
    "NO_COLOR": None,
    "COLUMNS": None,
}

# -- values ----------------------------------------------------------------------------------------
HOSTILE_TEXT = [
    "",
    " ",
    "\t",
    "\n",
    "\x00",
    "\x1b[31m",
    "\u202e",  # right-to-left override
    "\ufeff",
    "é",
    "日本語",
    "🙂",
    "a" * 5000,
    "../../etc/passwd",
    "a/b",
    "a?b=c",
    "%00",
    "--json",
    "-1",
    "${FRIENDLI_TOKEN}",
    "H100",
    "2x H100",
    "0x H100",
    "99999999999999999999x H100",
    "1x",
    "x",
    "fixed",
    "REQUEST_COUNT",
]
HOSTILE_NUMBERS = [
    "",
    " ",
    "0",
    "-0",
    "1",
    "-1",
    "2",
    "10",
    "300",
    "65535",
    "65536",
    "2147483648",
    "9223372036854775808",
    "1" + "0" * 400,
    "-" + "9" * 400,
    "1.5",
    "1e3",
    "1e309",
    "-1e309",
    "nan",
    "NaN",
    "inf",
    "-inf",
    "Infinity",
    "0x10",
    "٣",  # ARABIC-INDIC DIGIT THREE: int() reads it
    "３",  # noqa: RUF001 (FULLWIDTH DIGIT THREE, on purpose)
    "1_000",
    "½",
    "\x00",
    "é",
]


def texts() -> st.SearchStrategy[str]:
    return st.one_of(st.sampled_from(HOSTILE_TEXT), st.text(max_size=40))


def numbers() -> st.SearchStrategy[str]:
    return st.one_of(
        st.sampled_from(HOSTILE_NUMBERS),
        st.integers().map(str),
        st.floats(allow_nan=True, allow_infinity=True).map(repr),
        st.text(alphabet="0123456789.-+eE_ x", max_size=12),
    )


# -- commands --------------------------------------------------------------------------------------
# Each option: (name, kind). "flag": given or not; "text", "number", "ascii": takes such a value;
# "choice:<engine option>": one of its enum values or any text; "engine-option": NAME=JSON-ish text.
def _engine_options() -> list[tuple[str, str]]:
    """Every engine option's flag (and old spelling), from the contract's table: none is listed by hand."""
    options: list[tuple[str, str]] = []
    for flag in _engine_flags.ENGINE_FLAGS:
        option = flag.option
        spellings = [flag.flag, *flag.aliases]
        if option.kind == "boolean" and not option.enum:
            options += [(spelling, "flag") for spelling in spellings]
            options += [(f"--no-{spelling[2:]}", "flag") for spelling in spellings]
        elif option.enum:
            options += [(spelling, f"choice:{option.name}") for spelling in spellings]
        elif option.kind in ("integer", "number"):
            options += [(spelling, "number") for spelling in spellings]
        else:
            options += [(spelling, "text") for spelling in spellings]
    return options


ENGINE = [*_engine_options(), ("--engine-option", "engine-option"), ("--engine-option", "engine-option")]
SPEC = [
    ("--instance", "text"),
    ("--gpu", "text"),
    ("--unlisted-instance", "text"),
    ("--count", "number"),
    ("--autoscaling", "text"),
    ("--replicas", "number"),
    ("--min-replicas", "number"),
    ("--max-replicas", "number"),
    ("--cooldown", "number"),
    ("--revision", "text"),
    ("--comment", "text"),
    *ENGINE,
]
WAITING = [("--wait", "flag"), ("--timeout", "number")]
DETAILED = [("--detailed-exitcode", "flag")]
APPLYING = [("--prune", "flag"), ("--yes", "flag"), ("--no-rollback", "flag")]
COMMANDS: dict[tuple[str, ...], tuple[bool, list[tuple[str, str]]]] = {
    # command: (takes ENDPOINT_ID, options)
    ("instance-options",): (False, [("--json", "flag")]),
    ("spec",): (False, [("--json", "flag")]),
    ("endpoints", "list"): (False, [("--project", "text"), ("--limit", "number"), ("--wide", "flag")]),
    ("endpoints", "get"): (True, []),
    ("endpoints", "status"): (True, []),
    ("endpoints", "delete"): (True, []),
    ("endpoints", "sleep"): (True, []),
    ("endpoints", "terminate"): (True, []),
    ("endpoints", "wake"): (True, WAITING),
    ("endpoints", "restart"): (True, WAITING),
    ("endpoints", "wait"): (True, [("--timeout", "number"), ("--wake", "flag")]),
    ("endpoints", "versions"): (True, [("--limit", "number")]),
    ("endpoints", "create"): (False, [("--project", "text"), ("--name", "text"), ("--model", "text"), *SPEC, *WAITING]),
    ("endpoints", "update"): (True, [("--name", "text"), ("--model", "text"), *SPEC]),
    # Endpoints as code: the positional is a file name (or, for export, a project id) of hostile text.
    # No --out: a hostile path is checked by test_cli_as_code, and a fuzz run must not write in the tree.
    ("validate",): (True, []),
    ("plan",): (True, [("--state", "text"), ("--prune", "flag"), ("--parallelism", "number"), *DETAILED]),
    ("apply",): (True, [("--state", "text"), ("--parallelism", "number"), ("--timeout", "number"), *APPLYING]),
    ("export",): (True, [("--state", "text"), ("--parallelism", "number")]),
}
GLOBAL = [
    ("--max-retries", "number"),
    ("--base-url", "text"),
    ("--allow-insecure", "flag"),
    # Any text: a token or team with characters a header cannot carry is refused when the client is
    # built (ConfigurationError, exit 2), never when the request is.
    ("--token", "text"),
    ("--team", "text"),
]


PRINTABLE_ASCII = [chr(code) for code in range(0x20, 0x7F)]


ENUMS = {option.name: [str(value) for value in option.enum] for option in ENGINE_OPTIONS if option.enum}
JSONISH = ["true", "false", "null", "1", "-1", "1.5", "1e999", "NaN", "Infinity", '"X"', "[", "{}", '{"a": [1]}', ""]


def engine_option_pairs() -> st.SearchStrategy[str]:
    """``--engine-option`` values: NAME=JSON with listed, new and hostile names and values, or any text."""
    names = st.sampled_from([*(option.name for option in ENGINE_OPTIONS), "new_option", "", " ", "a=b"])
    values = st.one_of(st.sampled_from(JSONISH), texts())
    return st.one_of(st.builds(lambda name, value: f"{name}={value}", names, values), texts())


def _value(kind: str) -> st.SearchStrategy[str]:
    if kind.startswith("choice:"):
        return st.one_of(st.sampled_from(ENUMS[kind.removeprefix("choice:")]), texts())
    if kind == "engine-option":
        return engine_option_pairs()
    if kind == "ascii":
        return st.text(alphabet=PRINTABLE_ASCII, max_size=30)
    return texts() if kind == "text" else numbers()


@st.composite
def options_of(draw: st.DrawFn, available: list[tuple[str, str]]) -> list[str]:
    # Indices, so that an option listed twice (--engine-option, which repeats) may be drawn twice.
    indices = st.lists(st.sampled_from(range(len(available))), unique=True, max_size=len(available))
    chosen = [available[index] for index in draw(indices)] if available else []
    args: list[str] = []
    for name, kind in chosen:
        args += [name] if kind == "flag" else [name, draw(_value(kind))]
    return args


@st.composite
def invocations(draw: st.DrawFn, endpoint_ids: list[str]) -> list[str]:
    command = draw(st.sampled_from(sorted(COMMANDS)))
    takes_id, available = COMMANDS[command]
    # The global options in half the runs only: a bad one stops everything after it.
    args = [*draw(st.one_of(st.just([]), options_of(GLOBAL))), *command]
    if takes_id:
        args.append(draw(st.one_of(st.sampled_from(endpoint_ids), texts())))
    if command == ("endpoints", "create"):
        # The required options, usually present so that the others get checked too.
        for name in ("--project", "--name", "--model"):
            if draw(st.integers(0, 9)):
                args += [name, draw(st.one_of(st.just("org/model"), texts()))]
        available = [option for option in available if option[0] not in ("--project", "--name", "--model")]
    args += draw(options_of(available))
    if draw(st.booleans()):
        args.append("--json")
    return args


# -- running ---------------------------------------------------------------------------------------
def _factory(emulator: Emulator) -> Callable[[_session.Settings], fd.Client]:
    """The CLI's client, on the in-process emulator; the base URL and its check are the real ones."""

    def factory(settings: _session.Settings) -> fd.Client:
        given: dict[str, Any] = {}
        if settings.base_url is not None:
            given.update(base_url=settings.base_url, allow_insecure=settings.allow_insecure)
        return emulator.client(
            token=settings.token, team_id=settings.team, max_retries=settings.max_retries, random=lambda: 0.5, **given
        )

    return factory


@contextmanager
def _cli_on(emulator: Emulator) -> Iterator[None]:
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(_session, "client_factory", _factory(emulator))
        yield


def _world() -> tuple[Emulator, list[str]]:
    """An emulator with a RUNNING, a SLEEPING and a FAILED endpoint, so id-taking commands do real work.

    Built for every example: the clock is moved past the deployments rather than waited through (a
    wait would poll each one about twenty times, most of an example's time).
    """
    clock = ManualClock()
    emulator = Emulator(clock=clock, tokens={TOKEN: [DEFAULT_TEAM]}, seed=5)
    with emulator.client(token=TOKEN) as client:
        running = client.endpoints.create("proj", "up", "org/model", "H100")
        asleep = client.endpoints.create("proj", "nap", "org/model", "H100")
        failed = client.endpoints.create("proj", "bad", "emulator/fail-INFERENCE_ENGINE_MEMORY_ERROR", "H100")
        clock.advance(3600)  # the first two are RUNNING, the third FAILED
        asleep.sleep()
        clock.advance(3600)
        ids = [running.id, asleep.id, failed.id]
        statuses = [client.endpoints.status(endpoint_id).status for endpoint_id in ids]
    assert statuses == [fd.Status.RUNNING, fd.Status.SLEEPING, fd.Status.FAILED], statuses
    return emulator, ids


def _check(result: Any, args: list[str], requests: int) -> None:
    event(f"exit {result.exit_code}")  # `pytest --hypothesis-show-statistics` shows the spread
    output = result.stdout + result.stderr
    assert result.exit_code in EXIT_CODES, (args, result.exit_code, output)
    assert "bug in friendli-dedicated" not in output, (args, output)
    assert "Traceback" not in output, (args, output)
    assert TOKEN not in output, args
    if result.exit_code == 2:
        assert requests == 0, f"{args} was refused (exit 2) after {requests} request(s)"
        # Refused before doing anything: no note on stdout, only the error (and with --json its document).
        if "--json" in args and result.stdout:
            assert list(json.loads(result.stdout)) == ["error"], (args, result.stdout)
        else:
            assert result.stdout == "", (args, result.stdout)
    if result.exit_code != 0:
        assert result.stderr.strip(), f"{args}: exit {result.exit_code} without a word on stderr"


FUZZ = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@FUZZ
@given(data=st.data())
def test_hostile_options_get_a_documented_exit_code_and_never_a_crash(data: st.DataObject) -> None:
    emulator, endpoint_ids = _world()
    args = data.draw(invocations(endpoint_ids), label="args")
    before = emulator.stats.requests
    with _cli_on(emulator):
        result = CliRunner().invoke(_app.app, args, env=CLEAN_ENV, catch_exceptions=False)
    _check(result, args, emulator.stats.requests - before)


# -- the emulator command --------------------------------------------------------------------------
def _a_port(value: str | None) -> bool:
    try:
        return value is None or 0 <= int(value) <= 65535
    except ValueError:
        return False


@FUZZ
@given(
    port=st.none() | numbers(),
    time_scale=st.none() | numbers(),
    fault_rate=st.none() | numbers(),
    seed=st.none() | numbers(),
    json_mode=st.booleans(),
)
def test_hostile_emulator_options_are_refused_or_served(
    port: str | None, time_scale: str | None, fault_rate: str | None, seed: str | None, json_mode: bool
) -> None:
    # Only the loopback host: a random host name would be looked up in DNS. Of the valid ports only 0:
    # a fixed port may be someone else's. The server stops as soon as it has started.
    given = {"--port": "0" if _a_port(port) else port, "--time-scale": time_scale, "--fault-rate": fault_rate}
    given["--seed"] = seed
    args = ["emulator", "--host", "127.0.0.1"]
    for name, value in given.items():
        args += [] if value is None else [name, value]
    args += ["--json"] if json_mode else []
    stop = threading.Event()
    stop.set()
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(_launcher, "serve_until_stopped", functools.partial(_launcher.serve_until_stopped, stop=stop))
        result = CliRunner().invoke(_app.app, args, env=CLEAN_ENV, catch_exceptions=False)
    _check(result, args, 0)
    if result.exit_code == 0:
        assert "http://127.0.0.1:" in result.stdout
