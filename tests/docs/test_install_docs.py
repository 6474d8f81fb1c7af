"""A newcomer's first hour, as the README and getting started tell it: install as users will (from the
repository that pyproject.toml names, from a checkout, from PyPI once published), the emulator first and
what it prints, then the real API's token, team and project.

Getting started's examples themselves run in test_docs_guides.py; ``nox -s installed`` follows the guide
from the top in a fresh virtualenv with the built wheel (scripts/harness/check_installed.py).
"""

from __future__ import annotations

import contextlib
import io
import re
import tomllib
from pathlib import Path

import pytest
from doc_examples import examples

from friendli_dedicated.emulator import Emulator, ManualClock
from friendli_dedicated.emulator._launcher import LaunchOptions, export_lines
from friendli_dedicated.testing import mock_friendli

ROOT = Path(__file__).resolve().parents[2]
README = ROOT / "README.md"
GETTING_STARTED = ROOT / "docs" / "getting-started.md"
URLS = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]["urls"]
REPOSITORY = URLS["Repository"]


def text(path: Path) -> str:
    """The file's text, a shell command continued with a backslash joined into one line."""
    return re.sub(r" *\\\n *", " ", path.read_text(encoding="utf-8"))


@pytest.fixture(autouse=True)
def _no_credentials_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    for variable in ("FRIENDLI_TOKEN", "FRIENDLI_BASE_URL", "FRIENDLI_TEAM", "FRIENDLI_PROJECT"):
        monkeypatch.delenv(variable, raising=False)


def test_project_urls_name_the_repository_its_docs_and_its_changelog() -> None:
    assert re.fullmatch(r"https://github\.com/[\w.-]+/[\w.-]+", REPOSITORY)
    assert URLS["Documentation"].startswith(f"{REPOSITORY}/")
    assert URLS["Changelog"] == f"{REPOSITORY}/blob/main/CHANGELOG.md"
    assert (ROOT / "CHANGELOG.md").is_file()
    assert URLS["Documentation"].removeprefix(f"{REPOSITORY}/tree/main/") == "docs"


@pytest.mark.parametrize("path", [README, GETTING_STARTED], ids=lambda path: path.name)
def test_it_says_how_to_install_today_and_once_published(path: Path) -> None:
    content = text(path)
    # From the repository by its git URL, and from a checkout of it: the package is not on PyPI yet.
    assert f'pip install "friendli-dedicated[cli,emulator] @ git+{REPOSITORY}"' in content
    assert f"git clone {REPOSITORY}\n" in content
    assert 'pip install ".[cli,emulator]"' in content
    # From PyPI once published, said as such.
    assert 'pip install "friendli-dedicated[cli,emulator]"' in content
    assert "Once it is published" in content


def test_every_url_of_the_repository_in_the_docs_is_the_one_pyproject_names() -> None:
    owner = REPOSITORY.removeprefix("https://github.com/").split("/")[0]
    for path in [README, *sorted((ROOT / "docs").glob("*.md"))]:
        for url in re.findall(rf"https://github\.com/{re.escape(owner)}/[^\s\"')`]*", text(path)):
            assert url == REPOSITORY or url.startswith(f"{REPOSITORY}/"), (path.name, url)
        for url in re.findall(r"git(?:\+| clone )(https://\S+?)[\"\s]", text(path)):
            assert url == REPOSITORY, (path.name, url)


def emulator_session() -> tuple[list[str], list[str]]:
    """Getting started's emulator command (its options) and the lines it shows the emulator printing."""
    for block in re.findall(r"```console\n(.*?)```", text(GETTING_STARTED), flags=re.DOTALL):
        lines = block.splitlines()
        if lines and lines[0].startswith("$ friendli-dedicated emulator"):
            return lines[0].removeprefix("$ friendli-dedicated emulator").split(), lines[1:]
    raise AssertionError("getting started does not show `$ friendli-dedicated emulator ...` and what it prints")


def test_getting_started_starts_without_an_account() -> None:
    content = text(GETTING_STARTED)
    headings = re.findall(r"^## (.+)$", content, flags=re.MULTILINE)
    assert headings[:3] == [
        "Install",
        "A first endpoint, without an account",
        "Against the real API: a token, a team and a project",
    ]
    # The emulator's command comes before the first example, which is the program the guide runs.
    assert content.index("$ friendli-dedicated emulator") < content.index("```python")
    first = examples(content)[0]
    assert first.code.startswith("# first_endpoint.py\n")
    assert "python3 first_endpoint.py" in content


def test_getting_started_shows_what_the_emulator_prints() -> None:
    options, shown = emulator_session()
    assert "--port" not in options  # so it serves on the default port, the one shown
    assert shown == export_lines(f"http://127.0.0.1:{LaunchOptions().port}")


def test_the_time_scale_of_getting_started_makes_the_first_program_quick() -> None:
    # On emulated time (a ManualClock: no real waiting), the program takes what the guide says: "about
    # N seconds" at its --time-scale, and a minute and a half at the emulator's own pace.
    said = re.search(r"finishes in about (\d+)\s+seconds", text(GETTING_STARTED))
    assert said is not None, "getting started says how long the first program takes"
    options, _ = emulator_session()
    time_scale = float(options[options.index("--time-scale") + 1])
    program = examples(text(GETTING_STARTED))[0].code
    took = {}
    for scale in (time_scale, 1.0):
        emulator = Emulator(clock=ManualClock(), time_scale=scale)
        start = emulator.clock()
        with mock_friendli(emulator), contextlib.redirect_stdout(io.StringIO()) as printed:
            exec(compile(program, str(GETTING_STARTED), "exec"), {"__name__": "first_endpoint"})
        assert "first-endpoint is RUNNING" in printed.getvalue()
        took[scale] = emulator.clock() - start
    assert int(said[1]) * 0.6 <= took[time_scale] <= int(said[1]) * 1.4, took
    assert 80 <= took[1.0] <= 110, took  # "a minute and a half"


@pytest.mark.parametrize("path", [README, GETTING_STARTED], ids=lambda path: path.name)
def test_it_says_what_a_token_a_team_and_a_project_are_and_where_they_come_from(path: Path) -> None:
    content = text(path)
    assert "https://friendli.ai/suite/~/setting/keys" in content  # where a token is made
    for variable in ("FRIENDLI_TOKEN", "FRIENDLI_TEAM", "FRIENDLI_BASE_URL", "FRIENDLI_PROJECT"):
        assert f"| `{variable}` |" in content, variable  # a row of the table of variables
    for place in ("token", "team", "project"):
        assert re.search(rf"\*\*(?:a )?{place}\b", content, flags=re.IGNORECASE), f"{place} is not explained"
    # One spelling of the placeholders: the ids the examples use.
    assert "my-project-id" not in content
    assert "my-team-id" not in content
