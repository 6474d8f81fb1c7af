"""Tiny git repositories for the API check and the bump: a stand-in facade whose public API a test changes.

The stand-in ``friendli_dedicated`` (under ``facade/``) exports ``greet(name, *, loud=False)`` and
``Greeter``; ``generated/friendli_dedicated_api`` is an empty package. Commits get fixed authors and
dates, and git reads no configuration of the machine's user.
"""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

INIT = '''\
"""A stand-in for the facade."""

from friendli_dedicated._greeting import Greeter, greet

__all__ = ["Greeter", "greet"]
'''

GREETING = '''\
"""Greetings."""


def greet(name: str, *, loud: bool = False) -> str:
    """Greet ``name``."""
    text = f"Hello, {name}"
    return text.upper() if loud else text


class Greeter:
    """Greets with a prefix."""

    def __init__(self, prefix: str = "Hello") -> None:
        self.prefix = prefix

    def greet(self, name: str) -> str:
        return f"{self.prefix}, {name}"
'''

PYPROJECT = """\
[project]
name = "friendli-dedicated"
version = "{version}"
description = "A stand-in"
"""

_ENVIRONMENT = {
    "GIT_AUTHOR_NAME": "Test",
    "GIT_AUTHOR_EMAIL": "test@example.invalid",
    "GIT_COMMITTER_NAME": "Test",
    "GIT_COMMITTER_EMAIL": "test@example.invalid",
    "GIT_AUTHOR_DATE": "2026-01-01T00:00:00Z",
    "GIT_COMMITTER_DATE": "2026-01-01T00:00:00Z",
    "GIT_CONFIG_GLOBAL": os.devnull,
    "GIT_CONFIG_NOSYSTEM": "1",
}


def git(repo: Path, *args: str) -> str:
    result = subprocess.run(
        ["git", "-C", str(repo), *args],
        env={**os.environ, **_ENVIRONMENT},
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, f"git {' '.join(args)}: {result.stderr}"
    return result.stdout.strip()


def write_facade(project: Path, *, init: str = INIT, greeting: str = GREETING) -> None:
    package = project / "facade" / "friendli_dedicated"
    package.mkdir(parents=True, exist_ok=True)
    (package / "__init__.py").write_text(init, encoding="utf-8")
    (package / "_greeting.py").write_text(greeting, encoding="utf-8")
    generated = project / "generated" / "friendli_dedicated_api"
    generated.mkdir(parents=True, exist_ok=True)
    (generated / "__init__.py").write_text('"""A stand-in for the generated client."""\n', encoding="utf-8")


def set_version(project: Path, version: str) -> None:
    path = project / "pyproject.toml"
    if path.exists():
        lines = path.read_text(encoding="utf-8").splitlines()
        text = "\n".join(f'version = "{version}"' if line.startswith("version = ") else line for line in lines) + "\n"
    else:
        text = PYPROJECT.format(version=version)
    path.write_text(text, encoding="utf-8")


def init(repo: Path) -> Path:
    repo.mkdir(parents=True, exist_ok=True)
    git(repo, "init", "--quiet", "--initial-branch=main")
    return repo


def commit(repo: Path, message: str) -> str:
    """Commit everything in the work tree; return the commit's id."""
    git(repo, "add", "--all")
    git(repo, "commit", "--quiet", "--allow-empty", "-m", message)
    return git(repo, "rev-parse", "HEAD")


def break_greet(project: Path) -> None:
    """A breaking change: ``greet`` loses its ``loud`` parameter."""
    path = project / "facade" / "friendli_dedicated" / "_greeting.py"
    text = path.read_text(encoding="utf-8")
    text = text.replace("def greet(name: str, *, loud: bool = False) -> str:", "def greet(name: str) -> str:")
    path.write_text(text.replace("return text.upper() if loud else text", "return text"), encoding="utf-8")


def add_farewell(project: Path) -> None:
    """An addition: a new public function."""
    path = project / "facade" / "friendli_dedicated" / "__init__.py"
    text = path.read_text(encoding="utf-8").replace(
        '__all__ = ["Greeter", "greet"]', '__all__ = ["Greeter", "farewell", "greet"]'
    )
    path.write_text(
        text + '\n\ndef farewell(name: str) -> str:\n    """Say goodbye."""\n    return f"Bye, {name}"\n',
        encoding="utf-8",
    )
