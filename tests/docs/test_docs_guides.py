"""The guides of docs/ run as written, against the SDK's own emulator, and show what they print.

Each guide's ``python`` blocks run in order in one namespace, inside ``mock_friendli`` (every
``fd.Client()`` they build talks to one in-process emulator on emulated time). What a block prints is
shown in the output block right after it (```` ```text title="Output" ````, see ``doc_examples``), and
must be what it printed (``...`` standing for any text); a block that prints shows it, one that prints
nothing shows no output block. Guide-specific tests below check what the output alone cannot (what
reached the API, the tables that mirror the code).

docs/testing.md and docs/cli.md have tests of their own (test_docs_testing.py, test_cli_docs.py).
"""

from __future__ import annotations

import contextlib
import io
import re
import warnings
from pathlib import Path

import pytest
from doc_examples import Example, examples, shows, stray_output_blocks, trailing_output_comments

from friendli_dedicated import errors
from friendli_dedicated._models import Status
from friendli_dedicated._waiter import ACCEPTORS, TABLES
from friendli_dedicated.emulator import Emulator, ManualClock
from friendli_dedicated.testing import mock_friendli

DOCS = Path(__file__).resolve().parents[2] / "docs"
GUIDES = ["getting-started.md", "waiting.md", "errors.md", "scaling.md", "emulator.md", "costs.md", "short-lived.md"]


def guide_examples(guide: str) -> list[Example]:
    return examples((DOCS / guide).read_text(encoding="utf-8"))


def run_guide(guide: str) -> tuple[list[tuple[Example, str]], Emulator]:
    """Run every block of ``guide`` in order; return each with what it printed, and the emulator."""
    emulator = Emulator(clock=ManualClock())
    namespace: dict[str, object] = {"__name__": "guide"}
    ran = []
    with mock_friendli(emulator), warnings.catch_warnings():
        warnings.simplefilter("ignore", category=UserWarning)  # the escape hatches warn, as documented
        for example in guide_examples(guide):
            output = io.StringIO()
            with contextlib.redirect_stdout(output):
                exec(compile(example.code, f"{DOCS / guide}:{example.line}", "exec"), namespace)
            ran.append((example, output.getvalue()))
    return ran, emulator


@pytest.fixture(autouse=True)
def _no_credentials_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    for variable in ("FRIENDLI_TOKEN", "FRIENDLI_BASE_URL", "FRIENDLI_TEAM"):
        monkeypatch.delenv(variable, raising=False)


@pytest.mark.parametrize("guide", GUIDES)
def test_the_guide_runs_and_shows_what_it_prints(guide: str) -> None:
    ran, _emulator = run_guide(guide)
    assert len(ran) >= 3, f"{guide} has fewer examples than it should"
    for example, printed in ran:
        where = f"{guide}, the example at line {example.line}"
        if example.output is None:
            assert printed == "", f"{where} prints, and shows no output block after it:\n{printed}"
        else:
            assert shows(example.output, printed), f"{where} shows:\n{example.output}\nbut printed:\n{printed}"
        assert trailing_output_comments(example, printed) == [], f"{where}: output in comments"
    assert sum(example.output is not None for example, _ in ran) >= 3
    assert stray_output_blocks((DOCS / guide).read_text(encoding="utf-8")) == 0, (
        f"{guide}: an output block after no example"
    )


def test_an_output_block_that_is_not_what_was_printed_is_caught() -> None:
    # The comparison the guides rely on: exact, but for "..." (any text).
    assert shows("RUNNING\n", "RUNNING\n")
    assert not shows("RUNNING\n", "FAILED\n")
    assert not shows("RUNNING\n", "RUNNING\nTrue\n")
    assert shows("valid: 1x H100, ...\n", "valid: 1x H100, 2x H100, 4x H100\n")
    (example,) = examples('```python\nprint(1)  # 1\n```\n\n```text title="Output"\n1\n```\n')
    assert trailing_output_comments(example, "1\n") == ["1"]
    assert stray_output_blocks('Text.\n\n```text title="Output"\n1\n```\n') == 1


def test_getting_started_sends_each_lifecycle_call_once() -> None:
    _ran, emulator = run_guide("getting-started.md")
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
