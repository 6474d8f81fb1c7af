"""Shared fixtures: the project root, the pinned contract, and upstream-like documents built from it."""

from __future__ import annotations

import copy
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

TESTS = Path(__file__).resolve().parent
ROOT = TESTS.parent
CONTRACT_PATH = ROOT / "openapi.yaml"

if str(TESTS) not in sys.path:  # tests/ is not a package: make upstream_factory importable
    sys.path.insert(0, str(TESTS))

from upstream_factory import build_upstream  # noqa: E402

from scripts.pipeline import contract  # noqa: E402

_PINNED = contract.load(CONTRACT_PATH)


@pytest.fixture
def root() -> Path:
    """The project root (where openapi.yaml, pyproject.toml and generated/ are)."""
    return ROOT


@pytest.fixture
def pinned() -> dict[str, Any]:
    """The committed contract, openapi.yaml, loaded (a fresh copy per test: mutate freely)."""
    return copy.deepcopy(_PINNED)


@pytest.fixture
def make_upstream() -> Callable[..., dict[str, Any]]:
    """``make_upstream(contract=None, **options)``: an upstream-like document built around a contract.

    Without a contract, the committed one; see ``upstream_factory.build_upstream`` for the options.
    """

    def make(contract_doc: dict[str, Any] | None = None, **options: Any) -> dict[str, Any]:
        return build_upstream(copy.deepcopy(_PINNED) if contract_doc is None else contract_doc, **options)

    return make
