"""The terminal session of docs/cli.md, executed: every ``$`` line runs, and its output is what the doc shows.

The session's ``console`` block is parsed (``$ export ...`` sets variables, ``$ friendli-dedicated
...`` runs the command) against an in-process emulator configured as the doc says
(``--time-scale`` and ``--seed`` from its ``friendli-dedicated emulator`` line, so ids match). Each
output line must match the doc's, except for durations and timestamps, which depend on when polls
happen.
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


def session(text: str) -> list[tuple[str, list[str]]]:
    """The (command, shown output lines) pairs of the doc's ``console`` block."""
    blocks = [b for b in re.findall(r"```console\n(.*?)```", text, re.DOTALL) if "$ friendli-dedicated " in b]
    assert blocks, "no ```console session that runs friendli-dedicated"
    steps: list[tuple[str, list[str]]] = []
    for line in blocks[0].splitlines():
        if line.startswith("$ "):
            steps.append((line[2:], []))
        else:
            assert steps, f"output before the first command: {line!r}"
            steps[-1][1].append(line)
    return steps


def normalized(lines: list[str]) -> list[str]:
    result = []
    for line in lines:
        line = " ".join(line.split())
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


def test_the_documented_session_runs_as_shown(monkeypatch: pytest.MonkeyPatch) -> None:
    text = DOC.read_text()
    emulator_line = re.search(r"friendli-dedicated emulator .*--time-scale ([\d.]+) --seed (\d+)", text)
    assert emulator_line is not None, "the doc says how to start the emulator"
    emulator = Emulator(clock=ManualClock(), time_scale=float(emulator_line[1]), seed=int(emulator_line[2]))

    def factory(settings: _session.Settings) -> object:
        # Jitter fixed at its middle: the polls, and so the phases seen, are the same on every run.
        return emulator.client(token=settings.token, team_id=settings.team, random=lambda: 0.5)

    monkeypatch.setattr(_session, "client_factory", factory)
    env: dict[str, str | None] = {"FRIENDLI_TOKEN": None, "FRIENDLI_TEAM": None, "FRIENDLI_BASE_URL": None}
    env.update({"FORCE_COLOR": None, "TTY_COMPATIBLE": None, "NO_COLOR": None, "COLUMNS": None})
    runner = CliRunner()
    ran = 0
    for command, shown in session(text):
        words = shlex.split(command)
        if words[0] == "export":
            env.update(word.split("=", 1) for word in words[1:])  # type: ignore[misc]
            continue
        assert words[0] == "friendli-dedicated", f"the session may only run the CLI: {command!r}"
        result = runner.invoke(_app.app, words[1:], env=env, catch_exceptions=False)
        assert result.exit_code == 0, (command, result.output)
        assert normalized(result.output.splitlines()) == normalized(shown), command
        ran += 1
    assert ran >= 3
