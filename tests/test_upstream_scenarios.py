"""An upstream change reaches users with one command and no hand edit: the whole path, in a copy of the repo.

Two synthetic upstreams, built from the pinned contract (not from ../shared, and not from the current
pin's counts or ids):

- **additive**: an optional boolean engine option, an optional enum-typed engine option (a new enum
  schema) and a new GPU. One ``regenerate`` and nothing else: the version's MINOR moves, ``create`` and
  ``update`` send the new options, the command line has their flags, ``InstanceOption.parse("1x <new
  GPU>")`` works, and the copy's own tests of options, instances, the CLI and the generated code pass.
- **breaking**: an operation the facade sends is removed. MAJOR moves, and the copy's tests fail naming
  the operation and where the facade uses it.

Each scenario regenerates a copy of the repository (a few seconds: the code generator runs).
"""

from __future__ import annotations

import datetime as dt
import os
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import Any

import pytest
from upstream_factory import build_upstream, dump

from scripts.pipeline import contract
from scripts.pipeline.versioning import Level, Version, current_version

ROOT = Path(__file__).resolve().parents[1]
NEW_GPU = "NVIDIA Z900"  # a kind no contract has: the test never meets a real one by chance
NEW_OPTION_ID = "z900TestOpt1"


def copy_repository(destination: Path) -> Path:
    """The files of the repository (tracked, and new ones not ignored), as they are in the working tree."""
    listed = subprocess.run(
        ["git", "ls-files", "--cached", "--others", "--exclude-standard"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    for name in listed.splitlines():
        source = ROOT / name
        if source.is_file():
            target = destination / name
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, target)
    return destination


def in_copy(copy: Path, *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
    """Run ``python args`` with the copy's packages first on the path (not the installed ones)."""
    env = {key: value for key, value in os.environ.items() if not key.startswith("FRIENDLI_")}
    env["PYTHONPATH"] = os.pathsep.join([str(copy / "facade"), str(copy / "generated"), str(copy)])
    result = subprocess.run([sys.executable, *args], cwd=copy, env=env, capture_output=True, text=True, check=False)
    if check:
        assert result.returncode == 0, result.stdout + result.stderr
    return result


def regenerate(copy: Path, upstream: dict[str, Any]) -> Version:
    pinned = contract.load(copy / "openapi.yaml")
    date = dt.date.fromisoformat(contract.pin(pinned)["retrieved"]) + dt.timedelta(days=1)
    source = copy / "synthetic-upstream.yaml"
    source.write_bytes(dump(upstream))
    in_copy(copy, "scripts/pipeline/regenerate.py", "--upstream", str(source), "--date", date.isoformat())
    return version_of(copy)


def version_of(copy: Path) -> Version:
    return Version.parse(current_version((copy / "pyproject.toml").read_text(encoding="utf-8")))


def additive_upstream(pinned: dict[str, Any]) -> dict[str, Any]:
    schemas = pinned["components"]["schemas"]
    advanced = schemas["EndpointAdvancedConfig"]["properties"]
    advanced["enable_prefix_caching"] = {"anyOf": [{"type": "boolean"}, {"type": "null"}], "title": "Prefix Caching"}
    schemas["SpeculativeMode"] = {"type": "string", "enum": ["OFF", "DRAFT", "EAGLE"], "title": "SpeculativeMode"}
    advanced["speculative_mode"] = {"anyOf": [{"$ref": "#/components/schemas/SpeculativeMode"}, {"type": "null"}]}
    options = [*pinned["x-instance-options"], {"id": NEW_OPTION_ID, "gpu": NEW_GPU, "count": 1}]
    return build_upstream(pinned, instance_options=options)


@pytest.fixture(scope="module")
def pinned() -> dict[str, Any]:
    return contract.load(ROOT / "openapi.yaml")


@pytest.fixture(scope="module")
def additive(tmp_path_factory: pytest.TempPathFactory, pinned: dict[str, Any]) -> tuple[Path, Version]:
    copy = copy_repository(tmp_path_factory.mktemp("additive"))
    before = version_of(copy)
    after = regenerate(copy, additive_upstream(pinned))
    assert after == before.bump(Level.MINOR)
    return copy, after


def test_an_additive_upstream_is_a_minor_release(additive: tuple[Path, Version]) -> None:
    copy, version = additive
    changelog = (copy / "CHANGELOG.md").read_text(encoding="utf-8")
    assert f"## {version}" in changelog
    assert "enable_prefix_caching" in changelog


def test_create_and_update_send_the_new_options_and_the_new_gpu_is_usable(additive: tuple[Path, Version]) -> None:
    copy, _ = additive
    program = textwrap.dedent(
        f"""
        import friendli_dedicated as fd
        from friendli_dedicated.emulator import Emulator, ManualClock

        option = fd.InstanceOption.parse("1x Z900")
        assert option.id == {NEW_OPTION_ID!r}, option
        emulator = Emulator(clock=ManualClock())
        with emulator.client() as client:
            endpoint = client.endpoints.create(
                "proj", "chat", "org/model", option, enable_prefix_caching=True, speculative_mode="DRAFT"
            )
            client.endpoints.update(endpoint.id, enable_prefix_caching=False)
        (create,) = emulator.requests_for("create")
        assert create.body["advanced"]["enable_prefix_caching"] is True, create.body
        assert create.body["advanced"]["speculative_mode"] == "DRAFT", create.body
        assert create.body["instanceOptionId"] == {NEW_OPTION_ID!r}
        (update,) = emulator.requests_for("update")
        assert update.body["advanced"]["enable_prefix_caching"] is False, update.body
        try:
            client.endpoints.create("proj", "x", "org/model", "1x H100", speculative_mode="WARP")
        except fd.InvalidInputError as refused:
            assert refused.field == "speculative_mode"
        else:
            raise AssertionError("a value outside the new enum must be refused")
        print("sent")
        """
    )
    assert in_copy(copy, "-c", program).stdout.strip() == "sent"


def test_the_command_line_has_the_new_flags(additive: tuple[Path, Version]) -> None:
    copy, _ = additive
    for command in ("create", "update"):
        shown = in_copy(copy, "-m", "friendli_dedicated.cli", "endpoints", command, "--help").stdout
        text = " ".join(shown.split())
        assert "--enable-prefix-caching" in text
        assert "--no-enable-prefix-caching" in text
        assert "--speculative-mode" in text
        assert "DRAFT" in text


def test_the_copys_own_tests_pass_with_no_other_edit(additive: tuple[Path, Version]) -> None:
    copy, _ = additive
    tests = [
        "tests/test_engine_options.py",
        "tests/test_instances.py",
        "tests/test_cli_engine_flags.py",
        "tests/test_contract_surface.py",
        "tests/test_codegen.py",
        "tests/test_doctests.py",
    ]
    result = in_copy(copy, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-x", *tests, check=False)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-2000:]


def test_a_breaking_upstream_is_a_major_release_that_fails_naming_the_change(
    tmp_path: Path, pinned: dict[str, Any]
) -> None:
    copy = copy_repository(tmp_path)
    before = version_of(copy)
    broken = build_upstream(pinned)
    sleep_path = next(path for path, item in broken["paths"].items() if path.endswith("/sleep"))
    del broken["paths"][sleep_path]
    assert regenerate(copy, broken) == before.bump(Level.MAJOR)
    result = in_copy(
        copy, "-m", "pytest", "-q", "-p", "no:cacheprovider", "tests/test_contract_surface.py", check=False
    )
    assert result.returncode != 0
    assert "dedicatedSleepEndpoint" in result.stdout
    assert "_requests.py" in result.stdout
