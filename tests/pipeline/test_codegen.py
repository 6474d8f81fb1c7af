"""scripts/pipeline/codegen.py: generated/ is a fresh, deterministic generation of openapi.yaml.

Each generation runs openapi-python-client and ruff (about a second): the trees are shared per module.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from scripts.pipeline import codegen, contract

ROOT = Path(__file__).resolve().parents[2]
CONTRACT = ROOT / "openapi.yaml"


@pytest.fixture(scope="module")
def fresh(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A generation of the committed openapi.yaml into a temporary folder (the package path)."""
    return codegen.generate(CONTRACT, tmp_path_factory.mktemp("fresh"))


@pytest.fixture(scope="module")
def modified_contract(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """openapi.yaml with a new status value: generating it must give other code."""
    document = contract.load(CONTRACT)
    document["components"]["schemas"]["InferenceDeploymentStatus"]["enum"].append("SCALING")
    path = tmp_path_factory.mktemp("modified") / "openapi.yaml"
    contract.dump(document, path)
    return path


def _files(package: Path) -> dict[str, bytes]:
    return {
        p.relative_to(package).as_posix(): p.read_bytes()
        for p in sorted(package.rglob("*"))
        if p.is_file() and "__pycache__" not in p.parts
    }


def test_committed_generated_tree_is_fresh():
    """The committed generated/ equals a fresh generation of openapi.yaml (else: run nox -s regenerate)."""
    assert codegen.stale_files(CONTRACT, ROOT / "generated") == [], codegen.STALE_MESSAGE


def test_generation_is_byte_identical_twice(fresh, tmp_path):
    again = codegen.generate(CONTRACT, tmp_path)
    assert again.name == codegen.PACKAGE
    assert _files(again) == _files(fresh)
    assert len(_files(fresh)) > 30


def test_generation_carries_py_typed_and_the_contract_data(fresh):
    assert (fresh / "py.typed").read_bytes() == b""
    data = (fresh / "_contract.py").read_text(encoding="utf-8")
    pin = contract.pin(contract.load(CONTRACT))
    assert f'UPSTREAM_SHA256: Final[str] = "{pin["sha256"]}"' in data
    assert f'RETRIEVED: Final[str] = "{pin["retrieved"]}"' in data
    assert '("zfTutSiLn0Hq", "NVIDIA H100", 2),' in data
    # The bounds of the operations' parameters too (the page sizes), with their defaults; their
    # values are checked against openapi.yaml in tests/sdk/test_contract_tables.py.
    assert "PARAMETER_BOUNDS: Final[dict[tuple[str, str], dict[str, int | float]]] = {" in data


def test_changed_contract_makes_generated_stale(modified_contract, fresh):
    stale = codegen.stale_files(modified_contract, ROOT / "generated")
    assert "friendli_dedicated_api/models/status.py" in stale
    assert "friendli_dedicated_api/_contract.py" not in stale  # the pin did not move
    # ... and against a tree that is missing entirely
    assert codegen._differences(fresh, fresh.parent / "absent") == ["friendli_dedicated_api/ (missing)"]


def test_check_command_line_fails_on_a_changed_contract(modified_contract):
    result = subprocess.run(
        [sys.executable, "scripts/pipeline/codegen.py", "--check", "--contract", str(modified_contract)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 1, result.stdout + result.stderr
    assert result.stderr.splitlines()[0] == "generated/ is stale: run nox -s regenerate"
    assert "  friendli_dedicated_api/models/status.py" in result.stderr.splitlines()


def test_check_with_a_relative_contract_path(monkeypatch, capsys):
    monkeypatch.chdir(ROOT)
    assert codegen.main(["--check", "--contract", "openapi.yaml", "--output", "generated"]) == 0


def test_extra_file_in_generated_is_stale(fresh, tmp_path):
    """A file left over in generated/ (not produced by the generator) counts as stale."""
    copy = tmp_path / "generated" / codegen.PACKAGE
    copy.mkdir(parents=True)
    for name, content in _files(fresh).items():
        (copy / name).parent.mkdir(parents=True, exist_ok=True)
        (copy / name).write_bytes(content)
    assert codegen._differences(fresh, copy) == []
    (copy / "models" / "leftover.py").write_text("x = 1\n", encoding="utf-8")
    (copy / "client.py").write_text("# edited by hand\n", encoding="utf-8")
    assert codegen._differences(fresh, copy) == [
        "friendli_dedicated_api/client.py",
        "friendli_dedicated_api/models/leftover.py",
    ]


@pytest.mark.parametrize(
    ("gpu", "member"),
    [
        ("NVIDIA A100 80GB", "A100_80GB"),
        ("NVIDIA H100", "H100"),
        ("nvidia  B300", "B300"),
        ("AMD MI300X", "AMD_MI300X"),
        ("NVIDIA 4090", "GPU_4090"),
    ],
)
def test_gpu_member_name(gpu, member):
    assert codegen.gpu_member_name(gpu) == member


def test_parameter_bounds_are_lifted_from_each_operation():
    document = {
        "paths": {
            "/things": {
                "parameters": [{"name": "ignored", "in": "query", "schema": {"maximum": 1}}],  # not an operation
                "get": {
                    "operationId": "listThings",
                    "parameters": [
                        {
                            "name": "limit",
                            "in": "query",
                            "schema": {
                                "anyOf": [{"type": "integer", "minimum": 1, "maximum": 50}, {"type": "null"}],
                                "default": 10,
                            },
                        },
                        {"name": "cursor", "in": "query", "schema": {"type": "string"}},
                        {"name": "flag", "in": "query", "schema": {"type": "boolean", "default": True, "maximum": 1}},
                    ],
                },
            }
        }
    }
    assert codegen._parameter_bounds(document) == {
        ("listThings", "flag"): {"maximum": 1},  # a default that is no number is left out
        ("listThings", "limit"): {"default": 10, "maximum": 50, "minimum": 1},
    }
