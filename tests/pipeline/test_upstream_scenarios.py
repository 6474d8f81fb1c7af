"""An upstream change reaches users with one command and no hand edit: the whole path, in a copy of the repo.

Two synthetic upstreams, built from the pinned contract (not from ../shared, and not from the current
pin's counts or ids):

- **additive**: an optional boolean engine option, an optional enum-typed engine option (a new enum
  schema) and a new GPU, each under a name the pinned contract does not use yet (so the scenario stays
  additive after a real upstream adds options of the same names). One ``regenerate`` and nothing else: the version's MINOR moves, ``create`` and
  ``update`` send the new options, the command line has their flags, ``InstanceOption.parse("1x <new
  GPU>")`` works, the desired-state file's schema and loader take them, and the copy's own tests of
  options, instances, the CLI, the shipped schema and the generated code pass.
- **breaking**: an operation the facade sends is removed. MAJOR moves, and the copy's tests fail naming
  the operation and where the facade uses it.

Each scenario regenerates a copy of the repository (a few seconds: the code generator runs).
"""

from __future__ import annotations

import copy
import datetime as dt
import itertools
import json
import os
import shutil
import subprocess
import sys
import textwrap
from dataclasses import astuple, dataclass
from pathlib import Path
from typing import Any

import pytest
from upstream_factory import build_upstream, dump

from scripts.pipeline import contract
from scripts.pipeline.versioning import Level, Version, current_version

ROOT = Path(__file__).resolve().parents[2]


@dataclass(frozen=True)
class Additions:
    """The names an additive upstream introduces: the first set of which none is in the pinned contract."""

    boolean_option: str
    enum_option: str
    enum_schema: str
    gpu_model: str  # without "NVIDIA ": what InstanceOption.parse reads
    option_id: str

    @property
    def gpu(self) -> str:
        return f"NVIDIA {self.gpu_model}"

    @classmethod
    def absent_from(cls, pinned: dict[str, Any]) -> Additions:
        engine = pinned["components"]["schemas"]["EndpointAdvancedConfig"]["properties"]
        options = pinned["x-instance-options"]
        for n in itertools.count():
            suffix = f"_{n}" if n else ""
            added = cls(
                boolean_option=f"enable_prefix_caching{suffix}",
                enum_option=f"speculative_mode{suffix}",
                enum_schema=f"SpeculativeMode{n or ''}",
                gpu_model=f"Z{900 + n}",  # a kind no contract has: the test never meets a real one by chance
                option_id=f"z{900 + n}TestOpt1",
            )
            if (
                added.boolean_option not in engine
                and added.enum_option not in engine
                and added.enum_schema not in pinned["components"]["schemas"]
                and all(option["gpu"] != added.gpu and option["id"] != added.option_id for option in options)
            ):
                return added
        raise AssertionError("unreachable")


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


def with_additions(pinned: dict[str, Any], added: Additions) -> dict[str, Any]:
    """A copy of the contract ``pinned`` with ``added``: what extracting the additive upstream gives."""
    document = copy.deepcopy(pinned)
    schemas = document["components"]["schemas"]
    advanced = schemas["EndpointAdvancedConfig"]["properties"]
    advanced[added.boolean_option] = {"anyOf": [{"type": "boolean"}, {"type": "null"}], "title": "Prefix Caching"}
    schemas[added.enum_schema] = {"type": "string", "enum": ["OFF", "DRAFT", "EAGLE"], "title": added.enum_schema}
    advanced[added.enum_option] = {"anyOf": [{"$ref": f"#/components/schemas/{added.enum_schema}"}, {"type": "null"}]}
    document["x-instance-options"] = [
        *pinned["x-instance-options"],
        {"id": added.option_id, "gpu": added.gpu, "count": 1},
    ]
    return document


def additive_upstream(pinned: dict[str, Any], added: Additions) -> dict[str, Any]:
    return build_upstream(with_additions(pinned, added))


@pytest.fixture(scope="module")
def pinned() -> dict[str, Any]:
    return contract.load(ROOT / "openapi.yaml")


@dataclass(frozen=True)
class Regenerated:
    copy: Path
    version: Version
    added: Additions


@pytest.fixture(scope="module")
def additive(tmp_path_factory: pytest.TempPathFactory, pinned: dict[str, Any]) -> Regenerated:
    copy = copy_repository(tmp_path_factory.mktemp("additive"))
    before = version_of(copy)
    added = Additions.absent_from(pinned)
    after = regenerate(copy, additive_upstream(pinned, added))
    assert after == before.bump(Level.MINOR)
    return Regenerated(copy, after, added)


def test_the_additions_are_new_to_any_pin(pinned: dict[str, Any]) -> None:
    # A pin that already has the first names (as after a real upstream adds them) gets the next ones.
    first = Additions.absent_from(pinned)
    second = Additions.absent_from(with_additions(pinned, first))
    assert all(before != after for before, after in zip(astuple(first), astuple(second), strict=True))
    assert Additions.absent_from(pinned) == first  # the pin itself is left as it was


def test_an_additive_upstream_is_a_minor_release(additive: Regenerated) -> None:
    changelog = (additive.copy / "CHANGELOG.md").read_text(encoding="utf-8")
    assert f"## {additive.version}" in changelog
    assert additive.added.boolean_option in changelog


def test_create_and_update_send_the_new_options_and_the_new_gpu_is_usable(additive: Regenerated) -> None:
    added = additive.added
    program = textwrap.dedent(
        f"""
        import friendli_dedicated as fd
        from friendli_dedicated.emulator import Emulator, ManualClock

        option = fd.InstanceOption.parse({f"1x {added.gpu_model}"!r})
        assert option.id == {added.option_id!r}, option
        emulator = Emulator(clock=ManualClock())
        with emulator.client() as client:
            endpoint = client.endpoints.create(
                "proj", "chat", "org/model", option, **{{{added.boolean_option!r}: True, {added.enum_option!r}: "DRAFT"}}
            )
            client.endpoints.update(endpoint.id, **{{{added.boolean_option!r}: False}})
        (create,) = emulator.requests_for("create")
        assert create.body["advanced"][{added.boolean_option!r}] is True, create.body
        assert create.body["advanced"][{added.enum_option!r}] == "DRAFT", create.body
        assert create.body["instanceOptionId"] == {added.option_id!r}
        (update,) = emulator.requests_for("update")
        assert update.body["advanced"][{added.boolean_option!r}] is False, update.body
        try:
            client.endpoints.create("proj", "x", "org/model", "1x H100", **{{{added.enum_option!r}: "WARP"}})
        except fd.InvalidInputError as refused:
            assert refused.field == {added.enum_option!r}
        else:
            raise AssertionError("a value outside the new enum must be refused")
        print("sent")
        """
    )
    assert in_copy(additive.copy, "-c", program).stdout.strip() == "sent"


def test_the_desired_state_schema_and_files_take_the_new_option_and_gpu(additive: Regenerated) -> None:
    added = additive.added
    schema = json.loads((additive.copy / "facade/friendli_dedicated/desired.schema.json").read_text(encoding="utf-8"))
    engine = schema["$defs"]["engine"]["properties"]
    assert engine[added.boolean_option]["type"] == "boolean"
    assert engine[added.enum_option]["enum"] == ["OFF", "DRAFT", "EAGLE"]
    assert f"1x {added.gpu_model}" in schema["$defs"]["instance"]["examples"]
    program = textwrap.dedent(
        f"""
        import friendli_dedicated as fd

        entry = {{"model": "org/model", "instance": {f"1x {added.gpu_model}"!r},
                  "engine": {{{added.boolean_option!r}: True, {added.enum_option!r}: "EAGLE"}}}}
        desired = fd.Desired.from_mapping({{"projects": {{"p": {{"endpoints": {{"chat": entry}}}}}}}})
        print(desired.get("p", "chat").instance.id)
        """
    )
    assert in_copy(additive.copy, "-c", program).stdout.strip() == added.option_id


def test_the_command_line_has_the_new_flags(additive: Regenerated) -> None:
    flag = "--" + additive.added.boolean_option.replace("_", "-")
    for command in ("create", "update"):
        shown = in_copy(additive.copy, "-m", "friendli_dedicated.cli", "endpoints", command, "--help").stdout
        text = " ".join(shown.split())
        assert f"{flag} " in text
        assert f"--no-{flag[2:]} " in text
        assert "--" + additive.added.enum_option.replace("_", "-") in text
        assert "DRAFT" in text


def test_the_copys_own_tests_pass_with_no_other_edit(additive: Regenerated) -> None:
    tests = [
        "tests/sdk/test_engine_options.py",
        "tests/sdk/test_instances.py",
        "tests/cli/test_cli_engine_flags.py",
        "tests/sdk/test_contract_surface.py",
        "tests/pipeline/test_codegen.py",
        "tests/docs/test_doctests.py",
        "tests/docs/test_docs_guides.py",
        "tests/docs/test_readme.py",
        "tests/docs/test_cli_docs.py",
        "tests/pipeline/test_desired_schema_shipped.py",
    ]
    result = in_copy(additive.copy, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-x", *tests, check=False)
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
        copy, "-m", "pytest", "-q", "-p", "no:cacheprovider", "tests/sdk/test_contract_surface.py", check=False
    )
    assert result.returncode != 0
    assert "dedicatedSleepEndpoint" in result.stdout
    assert "_calls.py" in result.stdout
