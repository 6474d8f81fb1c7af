"""The guides of docs/ run as written, against the SDK's own emulator, and print what they say they print.

Each guide's ``python`` blocks run in order in one namespace, inside ``mock_friendli`` (every
``fd.Client()`` they build talks to one in-process emulator on emulated time). A line
``print(...)  # <text>`` says what it prints: the outputs must appear, in that order, in what the
guide printed. Guide-specific tests below check what the output alone cannot (what reached the API,
the tables that mirror the code).

docs/testing.md and docs/cli.md have tests of their own (test_docs_testing.py, test_cli_docs.py).
"""

from __future__ import annotations

import contextlib
import io
import re
import warnings
from pathlib import Path

import pytest

from friendli_dedicated import errors
from friendli_dedicated._models import Status
from friendli_dedicated._waiter import ACCEPTORS, TABLES
from friendli_dedicated.emulator import Emulator, ManualClock
from friendli_dedicated.testing import mock_friendli

DOCS = Path(__file__).resolve().parents[2] / "docs"
GUIDES = ["getting-started.md", "waiting.md", "errors.md", "scaling.md", "emulator.md", "short-lived.md"]
BLOCK = re.compile(r"```python\n(.*?)```", re.DOTALL)
EXPECTED_OUTPUT = re.compile(r"^\s*print\(.*\)\s+# (.+)$", re.MULTILINE)


def blocks(guide: str) -> list[str]:
    return BLOCK.findall((DOCS / guide).read_text(encoding="utf-8"))


def run_guide(guide: str) -> tuple[str, Emulator]:
    """Run every block of ``guide`` in order; return what it printed and the emulator it talked to."""
    emulator = Emulator(clock=ManualClock())
    namespace: dict[str, object] = {"__name__": "guide"}
    output = io.StringIO()
    with mock_friendli(emulator), contextlib.redirect_stdout(output), warnings.catch_warnings():
        warnings.simplefilter("ignore", category=UserWarning)  # the escape hatches warn, as documented
        for number, block in enumerate(blocks(guide), start=1):
            exec(compile(block, f"{DOCS / guide} (block {number})", "exec"), namespace)
    return output.getvalue(), emulator


def assert_printed_in_order(guide: str, output: str) -> int:
    position = 0
    expected = [text.strip() for block in blocks(guide) for text in EXPECTED_OUTPUT.findall(block)]
    for text in expected:
        found = output.find(text, position)
        assert found >= 0, f"{guide}: {text!r} not printed (after position {position}) in:\n{output}"
        position = found + len(text)
    return len(expected)


@pytest.fixture(autouse=True)
def _no_credentials_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    for variable in ("FRIENDLI_TOKEN", "FRIENDLI_BASE_URL", "FRIENDLI_TEAM"):
        monkeypatch.delenv(variable, raising=False)


@pytest.mark.parametrize("guide", GUIDES)
def test_the_guide_runs_and_prints_what_it_says(guide: str) -> None:
    assert len(blocks(guide)) >= 3, f"{guide} has fewer examples than it should"
    output, _emulator = run_guide(guide)
    assert assert_printed_in_order(guide, output) >= 3


def test_getting_started_sends_each_lifecycle_call_once() -> None:
    _output, emulator = run_guide("getting-started.md")
    for action in ("update", "sleep", "wake"):
        assert [r.status for r in emulator.requests_for(action)] == [200], action
    # Every endpoint the guide created, it terminated.
    assert len(emulator.requests_for("create")) == len(emulator.requests_for("terminate")) >= 4


def test_the_short_lived_guide_leaves_no_endpoint_running() -> None:
    _output, emulator = run_guide("short-lived.md")
    created = emulator.requests_for("create")
    assert len(created) >= 5
    assert [r.status for r in emulator.requests_for("terminate")] == [200] * len(created)
    emulator.advance(600)
    with emulator.client() as client:
        assert {ep.state.status.value for ep in client.endpoints.list()} == {"TERMINATED"}


def waiter_table(text: str) -> dict[str, set[str]]:
    """The guide's status table: outcome -> statuses, from its rows ``| `OUTCOME` | `A`, `B` | ... |``."""
    rows = re.findall(r"^\| `(\w+)` \| ((?:`\w+`(?:, )?)+) \|", text, flags=re.MULTILINE)
    return {outcome: set(re.findall(r"`(\w+)`", statuses)) for outcome, statuses in rows}


def test_the_waiting_guide_shows_the_waiters_status_table() -> None:
    shown = waiter_table((DOCS / "waiting.md").read_text(encoding="utf-8"))
    actual = {acceptor.outcome.name: {status.value for status in acceptor.statuses} for acceptor in ACCEPTORS}
    assert shown == actual
    assert list(shown) == [acceptor.outcome.name for acceptor in ACCEPTORS]  # in the table's order


def target_tables(text: str) -> dict[str, dict[str, set[str]]]:
    """The guide's table of the other statuses a wait may be for: status -> outcome -> statuses, from its
    rows ``| SLEEPING | `A` | `B`, `C` | - | ... |`` (columns: success, failure, stopped, keep waiting)."""
    outcomes = ["SUCCESS", "FAILURE", "STOPPED", "KEEP_WAITING"]
    tables = {}
    for row in re.findall(r"^\| ([A-Z]+) \|(.*)\|$", text, flags=re.MULTILINE):
        cells = [cell.strip() for cell in row[1].split("|")]
        assert len(cells) == len(outcomes), row
        tables[row[0]] = {o: set(re.findall(r"`(\w+)`", c)) for o, c in zip(outcomes, cells, strict=True) if c != "-"}
    return tables


def test_the_waiting_guide_shows_the_table_of_every_other_status_a_wait_may_be_for() -> None:
    shown = target_tables((DOCS / "waiting.md").read_text(encoding="utf-8"))
    actual = {
        until.value: {acceptor.outcome.name: {status.value for status in acceptor.statuses} for acceptor in table}
        for until, table in TABLES.items()
        if until is not Status.RUNNING  # the table of ACCEPTORS, above
    }
    assert shown == actual


def error_tree(text: str) -> list[tuple[int, str]]:
    """(depth, class name) of each line of the first drawn tree (``├── Name  what``) in ``text``."""
    tree = re.search(r"^( *)FriendliError .*?(?=\n\n|\n```)", text, flags=re.MULTILINE | re.DOTALL)
    assert tree is not None, "no error tree"
    lines = tree.group(0).splitlines()
    margin = len(tree.group(1))
    result = []
    for line in lines:
        match = re.match(r"([ │├└─]*)(\w+)", line[margin:])
        assert match is not None, line
        result.append((len(match.group(1)) // 4, match.group(2)))
    return result


def test_the_errors_guide_draws_the_tree_of_the_errors_module() -> None:
    guide = error_tree((DOCS / "errors.md").read_text(encoding="utf-8"))
    assert guide == error_tree(errors.__doc__ or "")
    # And the tree is the classes' own: each class's parent is the nearest line above it, one level up.
    parents: list[str] = []
    for depth, name in guide:
        del parents[depth:]
        cls = getattr(errors, name)
        if parents:
            assert issubclass(cls, getattr(errors, parents[-1])), (name, parents[-1])
        parents.append(name)
    assert {name for _, name in guide} >= {
        name for name in errors.__all__ if isinstance(getattr(errors, name), type) and name.endswith("Error")
    }
