"""The terminal sessions of docs/cli.md, executed: every ``$`` line runs, and its output is what the doc shows.

Each ``console`` block that runs the CLI is run (see ``console_sessions``) against one in-process
emulator configured as the doc says (``--time-scale`` and ``--seed`` from its ``friendli-dedicated
emulator`` line, so ids match). Each output line must match the doc's, except for durations, timestamps
and the contract pin's sha256 and date, which the doc writes as ``...``.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from console_sessions import run_sessions, sessions

from friendli_dedicated.cli import _session
from friendli_dedicated.emulator import Emulator, ManualClock

ROOT = Path(__file__).resolve().parents[2]
DOC = ROOT / "docs" / "cli.md"


def session(text: str) -> list[tuple[str, list[str]]]:
    """The first session: the one the doc introduces with the emulator's command."""
    return sessions(text)[0]


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
    assert run_sessions(text, env) >= 4
