"""docs/testing.md runs as written: its service module, its pytest file (in a pytest session of its own,
run in this process by pytester: the fixtures come from the installed plugin's entry point), its
unittest case and its scripts.

A block whose first line is ``# <name>.py`` is that file; the output block after a script shows what it
prints (``doc_examples``).
"""

from __future__ import annotations

import contextlib
import io
import re
import sys
import unittest
from pathlib import Path

import pytest
from doc_examples import examples, shows, stray_output_blocks

DOC = Path(__file__).resolve().parents[2] / "docs" / "testing.md"
FILE_NAME = re.compile(r"# (\w+\.py)\n")


def blocks() -> list[str]:
    return [example.code for example in examples(DOC.read_text(encoding="utf-8"))]


def test_the_guide_has_its_three_styles() -> None:
    text = DOC.read_text(encoding="utf-8")
    for heading in ("## 1. With pytest", "## 2. With unittest", "## 3. For clients in other languages"):
        assert heading in text
    assert len(blocks()) >= 5


def test_every_example_of_the_guide_runs(pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch) -> None:
    tmp_path = pytester.path  # also the working directory
    monkeypatch.syspath_prepend(str(tmp_path))
    for variable in ("FRIENDLI_TOKEN", "FRIENDLI_BASE_URL", "FRIENDLI_TEAM"):
        monkeypatch.delenv(variable, raising=False)
    ran = {"module": 0, "pytest": 0, "unittest": 0, "script": 0}
    for example in examples(DOC.read_text(encoding="utf-8")):
        block = example.code
        named = FILE_NAME.match(block)
        assert not (named and example.output), f"line {example.line}: a file shows no output"
        if named and named.group(1).startswith("test_"):
            (tmp_path / named.group(1)).write_text(block, encoding="utf-8")
            result = pytester.runpytest_inprocess("-q", "-p", "no:cacheprovider", named.group(1))
            output = "\n".join(result.outlines + result.errlines)
            assert result.ret == 0, output
            assert result.parseoutcomes().get("passed", 0) >= 1, output
            ran["pytest"] += 1
        elif named:
            (tmp_path / named.group(1)).write_text(block, encoding="utf-8")
            sys.modules.pop(named.group(1).removesuffix(".py"), None)
            ran["module"] += 1
        else:
            namespace: dict[str, object] = {"__name__": "guide"}
            output = io.StringIO()
            with contextlib.redirect_stdout(output):
                exec(compile(block, str(DOC), "exec"), namespace)
            cases = [v for v in namespace.values() if isinstance(v, type) and issubclass(v, unittest.TestCase)]
            for case in cases:
                suite = unittest.defaultTestLoader.loadTestsFromTestCase(case)
                result_ = unittest.TextTestRunner(stream=io.StringIO(), verbosity=0).run(suite)
                assert result_.wasSuccessful(), result_.failures + result_.errors
                assert result_.testsRun >= 1
                ran["unittest"] += 1
            printed = output.getvalue()
            if example.output is None:
                assert printed == "", f"line {example.line} prints, and shows no output block:\n{printed}"
            else:
                assert shows(example.output, printed), (
                    f"line {example.line} shows:\n{example.output}\nprinted:\n{printed}"
                )
            ran["script"] += 1
    assert ran["module"] >= 1
    assert ran["pytest"] >= 1
    assert ran["unittest"] >= 1
    assert ran["script"] >= 3
    assert stray_output_blocks(DOC.read_text(encoding="utf-8")) == 0
