"""The README's "Using the SDK" examples run as written, in order, against a loopback fake API."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from fake_api import serve

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
    with serve(token="readme-token") as (base_url, api):
        monkeypatch.setenv("FRIENDLI_TOKEN", "readme-token")
        monkeypatch.setenv("FRIENDLI_BASE_URL", base_url)
        monkeypatch.delenv("FRIENDLI_TEAM", raising=False)
        namespace: dict[str, object] = {"__name__": "readme"}
        for block in using_the_sdk_blocks():
            exec(compile(block, str(README), "exec"), namespace)

    out = capsys.readouterr().out
    # The create -> wait path went through the phases and ended RUNNING.
    assert "ENGINE_INITIALIZING" in out
    assert "ep-1 RUNNING" in out
    # The refused instance option names the field and lists the valid ones.
    assert "instance -> " in out
    assert "2x H100" in out
    assert "{'simplescale': {'replicas': 2}}" in out
    # The error examples printed what they catch.
    assert "404 NotFoundError" in out
    assert "stopped: TERMINATED" in out
    # Every lifecycle call reached the API.
    for action in ("sleep", "wake", "terminate"):
        assert ("PUT", f"/dedicated/beta/endpoint/ep-1/{action}") in api.requests


def test_readme_emulator_example_runs(capsys: pytest.CaptureFixture[str]) -> None:
    (block,) = python_blocks("The local emulator")
    exec(compile(block, str(README), "exec"), {"__name__": "readme"})
    out = capsys.readouterr().out.splitlines()
    assert out[0] == "RUNNING"
    assert re.fullmatch(r"http://127\.0\.0\.1:\d+", out[1])
