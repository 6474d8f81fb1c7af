"""docs/endpoints-as-code.md, executed: its terminal sessions run in order, in one folder holding the files
it shows, against one in-process emulator, and print what the guide shows; its workflow is the example
file (which `nox -s lint` checks against GitHub's workflow schema, with the repository's own); it names
every key of the file and every flag of the commands.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import typer
from console_sessions import run_sessions, sessions

from friendli_dedicated._desired import ENDPOINT_KEYS
from friendli_dedicated.cli import _app, _session
from friendli_dedicated.emulator import Emulator, ManualClock

ROOT = Path(__file__).resolve().parents[2]
GUIDE = ROOT / "docs" / "endpoints-as-code.md"
WORKFLOW = ROOT / "examples" / "workflows" / "endpoints.yml"
FILES = re.compile(r'^```yaml title="(?P<name>[^"]+)"\n(?P<text>.*?)^```$', re.DOTALL | re.MULTILINE)


def guide() -> str:
    return GUIDE.read_text(encoding="utf-8")


def files() -> dict[str, str]:
    return {match["name"]: match["text"] for match in FILES.finditer(guide())}


def test_the_sessions_run_as_shown(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    for name, text in files().items():
        if "/" not in name:  # the files the sessions read (not the workflow)
            (tmp_path / name).write_text(text, encoding="utf-8")
    monkeypatch.chdir(tmp_path)  # the state record's default place, and where plans are saved
    emulator = Emulator(clock=ManualClock(), seed=7)

    def factory(settings: _session.Settings) -> object:
        return emulator.client(token=settings.token, team_id=settings.team, random=lambda: 0.5)

    monkeypatch.setattr(_session, "client_factory", factory)
    env: dict[str, str | None] = {"FRIENDLI_TOKEN": "emulator-token", "FRIENDLI_TEAM": None, "FRIENDLI_BASE_URL": None}
    env.update({"FORCE_COLOR": None, "TTY_COMPATIBLE": None, "NO_COLOR": None, "COLUMNS": None})
    assert run_sessions(guide(), env) >= 12
    commands = {command.split()[1] for steps in sessions(guide()) for command, _ in steps}
    assert {"validate", "plan", "apply", "export"} <= commands
    assert (tmp_path / "friendli-dedicated.state.json").is_file()


def test_the_workflow_shown_is_the_example_file() -> None:
    assert files()[".github/workflows/endpoints.yml"] == WORKFLOW.read_text(encoding="utf-8")


def test_the_guide_names_every_key_of_the_file_and_every_flag_of_the_commands() -> None:
    text = guide()
    table = re.findall(r"^\| `(\w+)` \|", text, re.MULTILINE)
    assert set(ENDPOINT_KEYS) <= set(table)
    group = typer.main.get_command(_app.app)
    for name in ("validate", "plan", "apply", "export"):
        command = group.commands[name]  # type: ignore[attr-defined]
        flags = {flag for param in command.params for flag in param.opts if flag.startswith("--")} - {"--help"}
        assert flags, name
        missing = sorted(flag for flag in flags if f"`{flag}" not in text)
        assert missing == [], f"{name}: the guide does not name {missing}"


def test_the_command_line_guide_points_here() -> None:
    cli = (ROOT / "docs" / "cli.md").read_text(encoding="utf-8")
    assert "(endpoints-as-code.md)" in cli
    for command in ("validate FILE", "plan FILE", "apply FILE", "export PROJECT_ID"):
        assert command in cli
