"""The terminal sessions of docs/cli.md, executed: every ``$`` line runs, and its output is what the doc shows.

Each ``console`` block that runs the CLI is parsed (``$ export ...`` sets variables, ``$ friendli-dedicated
...`` runs the command, a line ending in ``\\`` goes on on the next, ``$ echo $?`` shows the exit code of
the command before it, which is otherwise 0) against one in-process emulator configured as the doc says
(``--time-scale`` and ``--seed`` from its ``friendli-dedicated emulator`` line, so ids match). Each
output line must match the doc's, except for durations, timestamps and the contract pin's sha256 and
date, which the doc writes as ``...``.
"""

from __future__ import annotations

import re
import shlex
from pathlib import Path

import pytest
from typer.testing import CliRunner

from friendli_dedicated.cli import _app, _session
from friendli_dedicated.emulator import Emulator, ManualClock

ROOT = Path(__file__).resolve().parents[2]
DOC = ROOT / "docs" / "cli.md"
_DURATION = re.compile(r"\b(\d+h\d\dm|\d+m\d\ds|\d+s)\b")
_TIMESTAMP = re.compile(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC")
_RULE = re.compile(r"^[─-]+$")
_PIN = re.compile(r"upstream sha256 [0-9a-f]+, retrieved \d{4}-\d\d-\d\d")


def sessions(text: str) -> list[list[tuple[str, list[str]]]]:
    """The (command, shown output lines) pairs of each ``console`` block that runs the CLI."""
    blocks = [b for b in re.findall(r"```console\n(.*?)```", text, re.DOTALL) if "$ friendli-dedicated " in b]
    assert blocks, "no ```console session that runs friendli-dedicated"
    found = []
    for block in blocks:
        steps: list[tuple[str, list[str]]] = []
        continued = False
        for line in block.splitlines():
            if continued:  # the command's line ended in a backslash: this line goes on with it
                steps[-1] = (steps[-1][0] + " " + line.strip(), [])
            elif line.startswith("$ "):
                steps.append((line[2:], []))
            else:
                assert steps, f"output before the first command: {line!r}"
                steps[-1][1].append(line)
            continued = line.endswith("\\") and not steps[-1][1]
            if continued:
                steps[-1] = (steps[-1][0].removesuffix("\\").rstrip(), [])
        found.append(steps)
    return found


def session(text: str) -> list[tuple[str, list[str]]]:
    """The first session: the one the doc introduces with the emulator's command."""
    return sessions(text)[0]


def normalized(lines: list[str]) -> list[str]:
    result = []
    for line in lines:
        line = _PIN.sub("upstream sha256 ..., retrieved ...", " ".join(line.split()))
        if not line:
            continue
        if _RULE.match(line):
            line = "<rule>"
        result.append(_TIMESTAMP.sub("<time>", _DURATION.sub("<t>", line)))
    return result


def test_the_session_covers_create_wait_list_and_terminate() -> None:
    commands = [command for command, _ in session(DOC.read_text())]
    assert any(c.startswith("friendli-dedicated endpoints create ") and "--wait" in c for c in commands)
    assert any(c.startswith("friendli-dedicated endpoints list") for c in commands)
    assert any(c.startswith("friendli-dedicated endpoints terminate ") for c in commands)


def test_the_escape_hatches_sample_runs_too() -> None:
    # Its values are sent to the emulator like the session's: what the doc shows is what they get.
    commands = [command for steps in sessions(DOC.read_text()) for command, _ in steps]
    sample = [c for c in commands if "--unlisted-instance" in c]
    assert sample, "the --unlisted-instance sample is not in a console session"
    assert all("--engine-option" in c for c in sample)


def test_the_documented_session_runs_as_shown(monkeypatch: pytest.MonkeyPatch) -> None:
    text = DOC.read_text()
    emulator_line = re.search(r"friendli-dedicated emulator .*--time-scale ([\d.]+) --seed (\d+)", text)
    assert emulator_line is not None, "the doc says how to start the emulator"
    emulator = Emulator(clock=ManualClock(), time_scale=float(emulator_line[1]), seed=int(emulator_line[2]))

    def factory(settings: _session.Settings) -> object:
        # Jitter fixed at its middle: the polls, and so the phases seen, are the same on every run.
        return emulator.client(token=settings.token, team_id=settings.team, random=lambda: 0.5)

    monkeypatch.setattr(_session, "client_factory", factory)
    env: dict[str, str | None] = {
        "FRIENDLI_TOKEN": None,
        "FRIENDLI_TEAM": None,
        "FRIENDLI_BASE_URL": None,
        "FRIENDLI_PROJECT": None,
    }
    env.update({"FORCE_COLOR": None, "TTY_COMPATIBLE": None, "NO_COLOR": None, "COLUMNS": None})
    runner = CliRunner()
    ran = 0
    for steps in sessions(text):
        exit_codes: list[tuple[str, int]] = []  # each command's, until an `echo $?` shows it
        for command, shown in steps:
            words = shlex.split(command)
            if words[0] == "export":
                env.update(word.split("=", 1) for word in words[1:])  # type: ignore[misc]
                continue
            if words == ["echo", "$?"]:
                assert exit_codes, "`echo $?` before any command"
                assert shown == [str(exit_codes.pop()[1])], exit_codes
                continue
            assert words[0] == "friendli-dedicated", f"the session may only run the CLI: {command!r}"
            result = runner.invoke(_app.app, words[1:], env=env, catch_exceptions=False)
            assert all(code == 0 for _, code in exit_codes), exit_codes  # shown by no `echo $?`: 0
            exit_codes = [(command, result.exit_code)]
            assert normalized(result.output.splitlines()) == normalized(shown), command
            ran += 1
        assert all(code == 0 for _, code in exit_codes), exit_codes
    assert ran >= 4
