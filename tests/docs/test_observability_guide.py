"""docs/observability.md runs as written and prints what it shows: its blocks in one fresh interpreter
(the guide sets OpenTelemetry's global providers, which a process can set only once)."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
GUIDE = ROOT / "docs" / "observability.md"
BLOCK = re.compile(r"```python\n(.*?)```", re.DOTALL)
CONSOLE = re.compile(r"```console\n(.*?)```", re.DOTALL)
EXPECTED_OUTPUT = re.compile(r"^\s*print\(.*\)\s+# (.+)$", re.MULTILINE)


def run_guide() -> str:
    text = GUIDE.read_text(encoding="utf-8")
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(str(ROOT / part) for part in ("facade", "generated"))}
    for variable in ("FRIENDLI_TOKEN", "FRIENDLI_TEAM", "FRIENDLI_BASE_URL"):
        env.pop(variable, None)
    result = subprocess.run(
        [sys.executable, "-c", "\n".join(BLOCK.findall(text))],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    return result.stdout


def test_the_guide_runs_and_prints_the_spans_it_shows() -> None:
    text = GUIDE.read_text(encoding="utf-8")
    output = run_guide()
    lines = output.splitlines()
    # The output shown (the block after the example): each line, in order; "…" stands for what varies.
    shown = next(block for block in CONSOLE.findall(text) if "friendli.endpoints.create" in block)
    position = 0
    for line in shown.splitlines():
        prefix = line.split("…")[0]
        if not prefix.strip():
            continue
        found = next((n for n in range(position, len(lines)) if lines[n].startswith(prefix)), None)
        assert found is not None, f"{line!r} not printed (after line {position}) in:\n{output}"
        position = found + 1
    # And what each print says it prints, in order.
    position = 0
    for expected in (text.strip() for text in EXPECTED_OUTPUT.findall("\n".join(BLOCK.findall(text)))):
        found_at = output.find(expected, position)
        assert found_at >= 0, f"{expected!r} not printed in:\n{output}"
        position = found_at + len(expected)
    assert sum(line.startswith("friendli.endpoints.") for line in lines) == 2  # one span per call
    assert "emulator-token" not in output
