"""The CLI's options, called directly (no typer run): the generated engine flags, the decorators and the translators.

Expectations come from the contract's generated data (``ENGINE_OPTIONS``, ``fd.GPU``,
``fd.InstanceOption.all()``), never from the current pin's names, counts or ids.
"""

from __future__ import annotations

import ast
import contextlib
import enum
import inspect
import subprocess
import sys
import typing
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import typer

import friendli_dedicated as fd
from friendli_dedicated.cli import _engine_flags, _options, _signatures
from friendli_dedicated.cli._exit import describe, option_for
from friendli_dedicated.cli._options import ScalingMode
from friendli_dedicated.cli._translate import to_autoscaling, to_extra_engine_options, to_instance
from friendli_dedicated.errors import InvalidInputError
from friendli_dedicated_api._contract import ENGINE_OPTIONS, EngineOption

CLI_PACKAGE = Path(_options.__file__).parent
OPTIONS = fd.InstanceOption.all()
SEVERAL = [option for option in OPTIONS if option.count > 1]


@contextlib.contextmanager
def refused(field: str) -> Iterator[None]:
    """The block raises ``InvalidInputError`` naming ``field``."""
    with pytest.raises(InvalidInputError) as caught:
        yield
    assert caught.value.field == field, (caught.value.field, caught.value.message)


# -- engine flags from the table -------------------------------------------------------------------
def test_every_engine_option_has_one_flag_unique_and_apart_from_the_commands_own() -> None:
    flags = _engine_flags.engine_flags()
    assert [flag.option for flag in flags] == list(ENGINE_OPTIONS)
    spellings = [s for flag in flags for s in (flag.flag, *flag.aliases)]
    assert len(spellings) == len(set(spellings))
    assert not set(spellings) & _options.RESERVED_FLAGS
    assert len({flag.parameter for flag in flags}) == len(flags)
    for flag in flags:
        assert flag.parameter.isidentifier()
        assert flag.flag.startswith("--")
        assert _engine_flags.flag_for(flag.option.name) == flag.flag


@pytest.mark.parametrize("option", ENGINE_OPTIONS, ids=[o.name for o in ENGINE_OPTIONS])
def test_each_flag_is_declared_as_its_json_kind(option: EngineOption) -> None:
    [flag] = _engine_flags.engine_flags([option])
    parameter = flag.declaration()
    assert parameter.kind is inspect.Parameter.KEYWORD_ONLY
    assert parameter.default is None  # not given: not sent
    python_type, info = typing.get_args(parameter.annotation)
    [declared, none] = typing.get_args(python_type)
    assert none is type(None)
    if option.enum:
        assert issubclass(declared, enum.Enum)
        assert [member.value for member in declared] == [str(value) for value in option.enum]
    else:
        expected = {"integer": int, "number": float, "boolean": bool, "string": str}[option.kind]
        assert declared is expected
    decls = [info.default, *(info.param_decls or ())]
    if option.kind == "boolean" and not option.enum:
        assert f"{flag.flag}/--no-{flag.flag[2:]}" in decls
    else:
        assert flag.flag in decls
    assert info.help == flag.help


def test_help_says_what_the_contract_says() -> None:
    option = EngineOption("n", "number", True, False, 0.5, (), None, "Some Number", 0, 10, None, 1e6, None, None)
    assert (
        _engine_flags.engine_flags([option])[0].help
        == "Some number (engine): number, at least 0 and at most 10 and less than 1e+06; default 0.5."
    )
    ranged = option._replace(exclusive_maximum=None, kind="integer", default=256, maximum=4096, minimum=1)
    assert _engine_flags.engine_flags([ranged])[0].help == "Some number (engine): integer, 1 to 4096; default 256."
    text = option._replace(
        kind="string", minimum=None, maximum=None, exclusive_maximum=None, min_length=1, max_length=64, default=None
    )
    text = text._replace(title="TextKind")
    assert (
        _engine_flags.engine_flags([text])[0].help
        == "Text kind (engine): text, 1 to 64 characters; no default in the contract."
    )
    required = option._replace(kind="boolean", name="must", required=True, default=None)
    required = required._replace(minimum=None, maximum=None, exclusive_maximum=None)
    assert (
        _engine_flags.engine_flags([required])[0].help
        == "Some number (engine): on or off; create sends on unless --no-must."
    )
    assert (
        _engine_flags.engine_flags([required._replace(default=False)])[0].help
        == "Some number (engine): on or off; default off."
    )


def test_help_says_when_the_contract_gives_no_bounds_or_default() -> None:
    # Found by a newcomer: "Engine: Max Batch Size." said nothing of the type, bounds or default.
    bare = EngineOption("n", "integer", True, False, None, (), None, "Max GPU Batch", *([None] * 6))
    assert _engine_flags.engine_flags([bare])[0].help == (
        "Max GPU batch (engine): integer; the contract gives no bounds or default."
    )
    assert _engine_flags.engine_flags([bare._replace(default=7)])[0].help == (
        "Max GPU batch (engine): integer, no bounds in the contract; default 7."
    )
    assert _engine_flags.engine_flags([bare._replace(exclusive_minimum=0)])[0].help == (
        "Max GPU batch (engine): integer, more than 0; no default in the contract."
    )


@pytest.mark.parametrize(
    ("name", "flag"),
    [
        ("snake_case_name", "--snake-case-name"),
        ("camelCaseName", "--camel-case-name"),
        ("json", "--engine-json"),
        ("wait", "--engine-wait"),
        ("help", "--engine-help"),
        ("unlisted_instance", "--engine-unlisted-instance"),
    ],
)
def test_flags_are_dashed_names_and_never_take_a_flag_of_the_commands(name: str, flag: str) -> None:
    option = ENGINE_OPTIONS[0]._replace(name=name, kind="boolean", enum=())
    assert _engine_flags.engine_flags([option])[0].flag == flag


def test_two_options_that_dash_alike_get_two_flags() -> None:
    first, second = _engine_flags.engine_flags([ENGINE_OPTIONS[0]._replace(name=n) for n in ("max_x", "maxX")])
    assert (first.flag, second.flag) == ("--max-x", "--engine-max-x")
    assert first.parameter != second.parameter


def test_enum_choices_become_the_contract_values_again() -> None:
    option = ENGINE_OPTIONS[0]._replace(name="k", kind="string", enum=("A", "B"), enum_name="K")
    [flag] = _engine_flags.engine_flags([option])
    choices = typing.get_args(typing.get_args(flag.declaration().annotation)[0])[0]
    assert flag.value(choices("B")) == "B"
    assert type(flag.value(choices("B"))) is str
    assert flag.value(7) == 7


# -- with_engine_flags -----------------------------------------------------------------------------
TABLE = (
    ENGINE_OPTIONS[0]._replace(name="flag_a", kind="boolean", enum=(), default=None),
    ENGINE_OPTIONS[0]._replace(name="kind_b", kind="string", enum=("X", "Y"), enum_name="KindB"),
    ENGINE_OPTIONS[0]._replace(name="size_c", kind="integer", enum=()),
)


def test_the_engine_parameter_is_replaced_in_place_and_values_are_gathered() -> None:
    seen: list[dict[str, Any]] = []

    def command(
        first: int, engine: _engine_flags.EngineValues = _engine_flags.NO_ENGINE_OPTIONS, last: str = "z"
    ) -> None:
        seen.append({"first": first, "engine": dict(engine), "last": last})

    wrapped = _signatures.with_engine_flags(command, TABLE)
    flags = _engine_flags.engine_flags(TABLE)
    names = list(inspect.signature(wrapped).parameters)
    assert names == ["first", *(flag.parameter for flag in flags), "last"]
    choices = typing.get_args(typing.get_args(inspect.signature(wrapped).parameters[flags[1].parameter].annotation)[0])[
        0
    ]
    wrapped(
        first=1, last="q", **{flags[0].parameter: False, flags[1].parameter: choices("Y"), flags[2].parameter: None}
    )
    assert seen == [{"first": 1, "engine": {"flag_a": False, "kind_b": "Y"}, "last": "q"}]
    assert wrapped.__doc__ == command.__doc__
    assert inspect.unwrap(wrapped) is command


def test_a_command_without_an_engine_parameter_is_a_programming_error() -> None:
    def command(first: int) -> None:
        pass

    with pytest.raises(TypeError, match="engine"):
        _signatures.with_engine_flags(command, TABLE)


def test_a_command_flag_declared_outside_options_is_refused_whatever_the_contract() -> None:
    def command(
        extra: typing.Annotated[str | None, typer.Option("--not-declared-in-options")] = None,
        engine: _engine_flags.EngineValues = _engine_flags.NO_ENGINE_OPTIONS,
    ) -> None:
        pass

    with pytest.raises(TypeError, match="--not-declared-in-options"):
        _signatures.with_engine_flags(command, ())


def test_the_deployment_parameter_becomes_the_shared_flags_and_they_are_gathered() -> None:
    seen: list[_signatures.DeploymentFlags] = []

    def command(first: int, deployment: _signatures.DeploymentFlags, last: str = "z") -> None:
        seen.append(deployment)

    wrapped = _signatures.with_deployment_flags(command, TABLE)
    names = list(inspect.signature(wrapped).parameters)
    engine = [flag.parameter for flag in _engine_flags.engine_flags(TABLE)]
    shared = [name for name in _signatures.DeploymentFlags.__annotations__ if name != "engine"]
    assert (names[0], names[-1]) == ("first", "last")
    assert set(names[1:-1]) == {*shared, *engine}  # the engine flags in place of ``engine``
    wrapped(first=1, gpu="H100", count=2, replicas=3, autoscaling=ScalingMode.FIXED, **{engine[0]: True})
    [given] = seen
    assert given.instance_option() == fd.InstanceOption(fd.GPU.H100, 2)
    assert given.scaling() == fd.Autoscaling.fixed(3)
    assert dict(given.engine) == {"flag_a": True}
    assert inspect.unwrap(wrapped) is command


def test_deployment_flags_translate_when_asked_and_refuse_naming_the_field() -> None:
    flags = _signatures.DeploymentFlags(instance="2x H100", gpu="H100")  # built without complaint
    with pytest.raises(InvalidInputError) as caught:
        flags.instance_option()
    assert caught.value.field == "instance"
    assert _signatures.DeploymentFlags(engine_option=["new_knob=3"]).extra_engine_options() == {"new_knob": 3}


def test_a_command_without_a_deployment_parameter_is_a_programming_error() -> None:
    def command(engine: _engine_flags.EngineValues = _engine_flags.NO_ENGINE_OPTIONS) -> None:
        pass

    with pytest.raises(TypeError, match="deployment"):
        _signatures.with_deployment_flags(command, TABLE)


# -- GPUs and instance spellings -------------------------------------------------------------------
def test_gpu_spellings_are_the_contract_gpus_and_parse_back() -> None:
    spellings = _options.gpu_spellings()
    assert len(spellings) == len(fd.GPU)
    for spelling, gpu in zip(spellings, fd.GPU, strict=True):
        assert " " not in spelling
        assert fd.InstanceOption.parse(spelling).gpu is gpu


def test_instance_examples_parse() -> None:
    for example in _options.instance_examples().split(" or "):
        assert fd.InstanceOption.parse(example.strip("'")) in OPTIONS


# -- to_instance -----------------------------------------------------------------------------------
@pytest.mark.parametrize("option", OPTIONS, ids=str)
def test_to_instance_reads_each_option_three_ways(option: fd.InstanceOption) -> None:
    assert to_instance(option.id, None, None) == option
    assert to_instance(f"{option.count}x {option.gpu.value}", None, None) == option
    assert to_instance(None, option.gpu.value, option.count) == option


def test_to_instance_none_and_one_gpu_by_default() -> None:
    assert to_instance(None, None, None) is None
    single = next(option for option in OPTIONS if option.count == 1)
    assert to_instance(None, single.gpu.value, None) == single


def test_to_instance_unlisted() -> None:
    unlisted = to_instance(None, None, None, "someNewId")
    assert isinstance(unlisted, fd.UnlistedInstanceOption)
    assert unlisted.id == "someNewId"


@pytest.mark.parametrize(
    ("arguments", "field"),
    [
        ((OPTIONS[0].id, OPTIONS[0].gpu.value, None), "instance"),
        ((OPTIONS[0].id, None, 2), "instance"),
        ((None, None, 2), "count"),
        ((None, OPTIONS[0].gpu.value, 10**6), "count"),
        ((None, "no such gpu", None), "gpu"),
        (("no such instance", None, None), "instance"),
        ((OPTIONS[0].id, None, None, "newId"), "unlisted_instance"),
        ((None, OPTIONS[0].gpu.value, None, "newId"), "unlisted_instance"),
        ((None, None, 1, "newId"), "unlisted_instance"),
        ((None, None, None, "not an id!"), "unlisted_instance"),
        ((None, None, None, ""), "unlisted_instance"),
    ],
)
def test_to_instance_refuses_naming_the_field(arguments: tuple[Any, ...], field: str) -> None:
    with refused(field):
        to_instance(*arguments)


def test_a_count_that_contradicts_the_gpu_spelling_is_refused() -> None:
    if not SEVERAL:
        pytest.skip("the contract lists no option with more than one GPU")
    option = SEVERAL[0]
    with refused("count"):
        to_instance(None, f"{option.count}x {option.gpu.value}", option.count + 1)
    assert to_instance(None, f"{option.count}x {option.gpu.value}", option.count) == option


# -- to_autoscaling --------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("arguments", "expected"),
    [
        ((None, None, None, None, None), None),
        ((None, 2, None, None, None), fd.Autoscaling.fixed(2)),
        ((ScalingMode.FIXED, None, None, None, None), fd.Autoscaling.fixed(1)),
        ((ScalingMode.SCALE_TO_ZERO, None, None, 4, 60), fd.Autoscaling.scale_to_zero(max_replicas=4, cooldown=60)),
        ((ScalingMode.ALWAYS_ON, None, 2, 5, None), fd.Autoscaling.always_on(min_replicas=2, max_replicas=5)),
        ((None, None, 1, 3, None), fd.Autoscaling(min_replicas=1, max_replicas=3, cooldown=300)),
        ((None, None, None, None, 30), fd.Autoscaling(min_replicas=0, max_replicas=1, cooldown=30)),
    ],
)
def test_to_autoscaling_shapes(arguments: tuple[Any, ...], expected: fd.Autoscaling | None) -> None:
    assert to_autoscaling(*arguments) == expected


@pytest.mark.parametrize(
    ("arguments", "field"),
    [
        ((ScalingMode.FIXED, None, 1, None, None), "min_replicas"),
        ((ScalingMode.SCALE_TO_ZERO, 2, None, None, None), "replicas"),
        ((ScalingMode.ALWAYS_ON, 2, None, None, None), "replicas"),
        ((None, 2, None, 3, None), "max_replicas"),
        ((ScalingMode.FIXED, 0, None, None, None), "autoscaling.replicas"),
    ],
)
def test_to_autoscaling_refuses_naming_the_field(arguments: tuple[Any, ...], field: str) -> None:
    with refused(field):
        to_autoscaling(*arguments)


# -- to_extra_engine_options -----------------------------------------------------------------------
def test_extra_engine_options_are_json_values_by_name() -> None:
    assert to_extra_engine_options(None, {}) is None
    assert to_extra_engine_options([], {}) is None
    given = ["a=1", "b=2.5", "c=true", "d=null", 'e="x=y"', 'f={"g": [1, "h"]}', "i= 7 "]
    assert to_extra_engine_options(given, {}) == {
        "a": 1,
        "b": 2.5,
        "c": True,
        "d": None,
        "e": "x=y",
        "f": {"g": [1, "h"]},
        "i": 7,
    }


@pytest.mark.parametrize(
    "pairs",
    [
        ["plain"],
        ["=1"],
        ["  =1"],
        ["a="],
        ["a=word"],
        ["a=NaN"],
        ["a=-Infinity"],
        ["a=[1,"],
        ["a=1", "a=2"],
        ["a=" + "[" * 100_000],
    ],
)
def test_extra_engine_options_refuse_what_is_not_name_equals_json(pairs: list[str]) -> None:
    with refused("engine_option"):
        to_extra_engine_options(pairs, {})


def test_an_extra_engine_option_also_given_as_a_flag_is_refused_naming_the_flag() -> None:
    name = ENGINE_OPTIONS[0].name
    with pytest.raises(InvalidInputError) as caught:
        to_extra_engine_options([f"{name}=1"], {name: 2})
    assert caught.value.field == "engine_option"
    assert str(_engine_flags.flag_for(name)) in caught.value.message


# -- naming the option of a refused field ----------------------------------------------------------
@pytest.mark.parametrize("option", ENGINE_OPTIONS, ids=[o.name for o in ENGINE_OPTIONS])
def test_a_refused_engine_option_names_its_flag(option: EngineOption) -> None:
    failure = describe(InvalidInputError(option.name, "must be something"))
    assert failure.details["option"] == _engine_flags.flag_for(option.name)
    assert failure.message.startswith(f"invalid {_engine_flags.flag_for(option.name)}")


@pytest.mark.parametrize(
    ("field", "flag"),
    [
        ("extra_engine_options", "--engine-option"),
        ("extra_engine_options.some_name", "--engine-option"),
        ("engine_option", "--engine-option"),
        ("unlisted_instance", "--unlisted-instance"),
    ],
)
def test_escape_hatch_fields_name_their_flags(field: str, flag: str) -> None:
    assert option_for(field) == flag


# -- what the CLI imports --------------------------------------------------------------------------
def test_the_cli_imports_neither_the_emulator_nor_click() -> None:
    code = (
        "import sys\n"
        "import friendli_dedicated.cli._app\n"
        "bad = sorted(m for m in sys.modules if m.startswith('friendli_dedicated.emulator'))\n"
        "assert not bad, bad\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stderr
    for path in CLI_PACKAGE.glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            modules = [alias.name for alias in node.names] if isinstance(node, ast.Import) else []
            modules += [node.module or ""] if isinstance(node, ast.ImportFrom) else []
            assert not [m for m in modules if m.split(".")[0] == "click"], f"{path.name} imports click"
