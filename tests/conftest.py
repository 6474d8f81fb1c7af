"""What every layer of the suite shares: the shared helpers on the path, and the pinned contract.

The suite is in folders by what it tests (``nox -s tests`` runs all but ``pipeline/``, on every
supported Python; ``nox -s pipeline`` runs ``pipeline/`` once, on the oldest):

- ``sdk/``: the library users import (``friendli_dedicated``): clients, errors, retries, waiting,
  creates, the generated models, the public names and the package's shape;
- ``emulator/``: the emulator (its core, its loopback server, conformance, chaos) and the testing
  kit built on it (``friendli_dedicated.testing``, shipped with the ``emulator`` extra);
- ``cli/``: the ``friendli-dedicated`` command line;
- ``docs/``: the README, the guides, the docstrings' examples and the documentation site's sources;
- ``pipeline/``: the tooling from an upstream contract to a release (``scripts/pipeline``);
- ``typing/``: not pytest's: what users' type checkers see (mypy, ``nox -s typecheck``);
- ``support/``: the shared helpers, imported by name (``from fakes import FakeAPI``): the fake API
  (``fakes``), upstream-like documents (``upstream_factory``), small project roots
  (``project_factory``), tiny git repositories (``git_fixture``), the guides' examples with their
  output blocks (``doc_examples``) and the docs' terminal sessions (``console_sessions``).
"""

from __future__ import annotations

import copy
import sys
from pathlib import Path
from typing import Any

import pytest

SUPPORT = Path(__file__).resolve().parent / "support"
ROOT = SUPPORT.parents[1]
CONTRACT_PATH = ROOT / "openapi.yaml"

if str(SUPPORT) not in sys.path:  # tests/ is not a package: the helpers are imported by module name
    sys.path.insert(0, str(SUPPORT))

from scripts.pipeline import contract  # noqa: E402

# pytester: pytest sessions run inside this one (the testing kit's plugin, the testing guide's pytest file).
pytest_plugins = ["pytester"]

_PINNED = contract.load(CONTRACT_PATH)


@pytest.fixture
def pinned() -> dict[str, Any]:
    """The committed contract, openapi.yaml, loaded (a fresh copy per test: mutate freely)."""
    return copy.deepcopy(_PINNED)
