"""Fixtures of the pipeline's tests: the project root, and upstream-like documents built from the pin."""

from __future__ import annotations

import copy
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from upstream_factory import build_upstream

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def root() -> Path:
    """The project root (where openapi.yaml, pyproject.toml and generated/ are)."""
    return ROOT


@pytest.fixture
def make_upstream(pinned: dict[str, Any]) -> Callable[..., dict[str, Any]]:
    """``make_upstream(contract=None, **options)``: an upstream-like document built around a contract.

    Without a contract, the committed one (``pinned``); see ``upstream_factory.build_upstream`` for the
    options.
    """

    def make(contract_doc: dict[str, Any] | None = None, **options: Any) -> dict[str, Any]:
        return build_upstream(copy.deepcopy(pinned) if contract_doc is None else contract_doc, **options)

    return make
