"""The README's example runs as written against the SDK's own emulator (in-process, on emulated time:
``mock_friendli`` routes the ``fd.Client()`` it builds to it), and the README stays the front page that
links to every guide."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from friendli_dedicated.emulator import Emulator, ManualClock
from friendli_dedicated.testing import mock_friendli

ROOT = Path(__file__).resolve().parents[2]
README = ROOT / "README.md"
MODEL = '"meta-llama/Llama-3.1-8B-Instruct"'


def python_blocks(heading: str) -> list[str]:
    text = README.read_text(encoding="utf-8")
    section = text.split(f"## {heading}", 1)[1].split("\n## ", 1)[0]
    return re.findall(r"```python\n(.*?)```", section, flags=re.DOTALL)


def run_first_example(emulator: Emulator, *, model: str | None = None) -> None:
    (block,) = python_blocks("A first example")
    if model is not None:  # the same program, deploying another model
        assert block.count(MODEL) == 1
        block = block.replace(MODEL, model)
    with mock_friendli(emulator):
        exec(compile(block, str(README), "exec"), {"__name__": "readme"})


@pytest.fixture(autouse=True)
def _no_credentials_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    for variable in ("FRIENDLI_TOKEN", "FRIENDLI_BASE_URL", "FRIENDLI_TEAM"):
        monkeypatch.delenv(variable, raising=False)


def test_the_first_example_deploys_waits_and_terminates(capsys: pytest.CaptureFixture[str]) -> None:
    emulator = Emulator(clock=ManualClock())
    run_first_example(emulator)
    out = capsys.readouterr().out.splitlines()
    # The progress went through the deployment's phases, then the endpoint served.
    phases = [line.split()[-1] for line in out[:-1]]
    assert phases == ["REQUESTING_VIRTUAL_MACHINE", "DOWNLOADING_MODEL", "ENGINE_INITIALIZING", "None"]
    assert out[-1] == "True RUNNING"
    (endpoint_id,) = emulator.endpoint_ids()
    (create,) = emulator.requests_for("create")
    assert create.body is not None
    assert create.body["advanced"]["max_batch_size"] == 64
    assert create.body["autoscalingPolicy"] == {"minReplica": 0, "maxReplica": 2, "cooldownPeriod": 600}
    assert [r.path.rsplit("/", 2)[-2:] for r in emulator.requests_for("terminate")] == [[endpoint_id, "terminate"]]


def test_the_first_example_explains_a_failure(capsys: pytest.CaptureFixture[str]) -> None:
    # The same example when the deployment fails (the emulator fails this model on purpose): it prints
    # why, and still terminates the endpoint.
    emulator = Emulator(clock=ManualClock())
    run_first_example(emulator, model='"emulator/fail-INFERENCE_ENGINE_MEMORY_ERROR"')
    last = capsys.readouterr().out.splitlines()[-1]
    assert last.startswith("INFERENCE_ENGINE_MEMORY_ERROR ENGINE_INITIALIZING The model does not fit in GPU memory")
    assert len(emulator.requests_for("terminate")) == 1


def test_the_readme_links_every_guide() -> None:
    text = README.read_text(encoding="utf-8")
    linked = set(re.findall(r"\]\(docs/([\w-]+\.md)[#)]", text))
    guides = {path.name for path in (ROOT / "docs").glob("*.md")}
    assert guides <= linked, f"guides the README does not link: {sorted(guides - linked)}"
