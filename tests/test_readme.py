"""The README's examples run as written, in order, against the SDK's own emulator (in-process, on
emulated time: ``mock_friendli`` routes the ``fd.Client()`` they build to it)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from friendli_dedicated.emulator import Emulator, ManualClock
from friendli_dedicated.testing import mock_friendli

README = Path(__file__).resolve().parents[1] / "README.md"


def python_blocks(heading: str) -> list[str]:
    text = README.read_text(encoding="utf-8")
    section = text.split(f"## {heading}", 1)[1].split("\n## ", 1)[0]
    return re.findall(r"```python\n(.*?)```", section, flags=re.DOTALL)


def using_the_sdk_blocks() -> list[str]:
    return python_blocks("Using the SDK")


def test_readme_has_examples() -> None:
    assert len(using_the_sdk_blocks()) >= 5


def test_readme_examples_run(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    for variable in ("FRIENDLI_TOKEN", "FRIENDLI_BASE_URL", "FRIENDLI_TEAM"):
        monkeypatch.delenv(variable, raising=False)
    emulator = Emulator(clock=ManualClock())
    with mock_friendli(emulator):
        namespace: dict[str, object] = {"__name__": "readme"}
        for block in using_the_sdk_blocks():
            exec(compile(block, str(README), "exec"), namespace)

    out = capsys.readouterr().out
    (endpoint_id,) = emulator.endpoint_ids()
    # The create -> wait path went through the phases and ended RUNNING.
    assert "ENGINE_INITIALIZING" in out
    assert f"{endpoint_id} RUNNING" in out
    # The refused instance option names the field and lists the valid ones.
    assert "instance -> " in out
    assert "2x H100" in out
    assert "{'simplescale': {'replicas': 2}}" in out
    # The error examples printed what they catch.
    assert "404 NotFoundError" in out
    assert "stopped: TERMINAT" in out
    # Every lifecycle call reached the API, each once.
    for action in ("update", "sleep", "wake", "terminate"):
        assert [r.status for r in emulator.requests_for(action)] == [200], action


def test_readme_emulator_example_runs(capsys: pytest.CaptureFixture[str]) -> None:
    (block,) = python_blocks("The local emulator")
    exec(compile(block, str(README), "exec"), {"__name__": "readme"})
    out = capsys.readouterr().out.splitlines()
    assert out[0] == "RUNNING"
    assert re.fullmatch(r"http://127\.0\.0\.1:\d+", out[1])


def test_readme_testing_example_runs(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    for variable in ("FRIENDLI_TOKEN", "FRIENDLI_BASE_URL", "FRIENDLI_TEAM"):
        monkeypatch.delenv(variable, raising=False)
    (block,) = python_blocks("Testing your service")
    exec(compile(block, str(README), "exec"), {"__name__": "readme"})
    assert capsys.readouterr().out.splitlines() == ["1"]
