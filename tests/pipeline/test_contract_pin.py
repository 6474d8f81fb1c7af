"""The committed project is consistent: version, description, runtime pin and installed metadata name one contract."""

from __future__ import annotations

import dataclasses
import importlib.metadata
import tomllib
from pathlib import Path

import attrs
import pytest

from scripts.pipeline import contract, release
from scripts.pipeline.versioning import Version

ROOT = Path(__file__).resolve().parents[2]
PIN = contract.pin(contract.load(ROOT / "openapi.yaml"))
PROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]


def test_pin_is_complete():
    assert set(PIN) == {"url", "sha256", "surface_sha256", "retrieved"}
    assert len(PIN["sha256"]) == len(PIN["surface_sha256"]) == 64
    assert isinstance(PIN["retrieved"], str)  # a date string, not a YAML timestamp


def test_version_is_semantic_and_its_changelog_entry_names_the_pin():
    Version.parse(PROJECT["version"])  # MAJOR.MINOR.PATCH, or VersionError
    newest = release.entries((ROOT / "CHANGELOG.md").read_text(encoding="utf-8"))[0]
    assert newest.version == PROJECT["version"]
    assert newest.pin == PIN


def test_description_names_both_shas_and_the_date():
    description = PROJECT["description"]
    assert PIN["sha256"] in description
    assert PIN["surface_sha256"] in description
    assert PIN["retrieved"] in description


def test_runtime_contract_pin_is_the_pin_of_openapi_yaml():
    friendli_dedicated = pytest.importorskip("friendli_dedicated")
    pin = friendli_dedicated.CONTRACT_PIN
    as_dict = attrs.asdict(pin) if attrs.has(type(pin)) else dataclasses.asdict(pin)
    assert as_dict == PIN


def test_installed_distribution_metadata_names_the_pin():
    """Needs the installed package (nox -s pipeline installs it); skipped on a bare source tree."""
    try:
        metadata = importlib.metadata.metadata("friendli-dedicated")
    except importlib.metadata.PackageNotFoundError:
        pytest.skip("friendli-dedicated is not installed: run under `nox -s pipeline`")
    assert metadata["Version"] == PROJECT["version"]
    assert PIN["sha256"] in metadata["Summary"]
    assert PIN["surface_sha256"] in metadata["Summary"]
    friendli_dedicated = pytest.importorskip("friendli_dedicated")
    assert friendli_dedicated.__version__ == PROJECT["version"]
