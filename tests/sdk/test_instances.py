"""InstanceOption: built only from the contract's table, and every way a user can name an option."""

from __future__ import annotations

from typing import Any

import attrs
import pytest
from hypothesis import given, strategies as st

from friendli_dedicated._instances import GPU, InstanceOption
from friendli_dedicated.errors import InvalidInputError
from friendli_dedicated_api import _contract

ALL = InstanceOption.all()
TIMES = "\u00d7"  # U+00D7 MULTIPLICATION SIGN, which people paste from spec sheets
ALL_SPELLINGS = "1x A100 80GB, 2x A100 80GB, 4x A100 80GB, 8x A100 80GB, 1x H100, 2x H100"


def test_gpu_is_the_generated_enum_not_a_copy() -> None:
    assert GPU is _contract.GPU


def test_all_is_the_contract_table_in_order() -> None:
    assert [(o.id, o.gpu.value, o.count) for o in ALL] == list(_contract.INSTANCE_OPTIONS)
    assert len({o.id for o in ALL}) == len(ALL)  # every id is its own option


def test_all_is_the_same_every_call() -> None:
    assert InstanceOption.all() == ALL
    assert all(isinstance(option, InstanceOption) for option in InstanceOption.all())


@pytest.mark.parametrize("option", ALL, ids=str)
def test_round_trip_through_id_str_and_short_spelling(option: InstanceOption) -> None:
    assert InstanceOption.from_id(option.id) == option
    assert InstanceOption.parse(str(option)) == option
    short = f"{option.count}x {option.gpu.value.removeprefix('NVIDIA ')}"
    assert InstanceOption.parse(short) == option
    assert InstanceOption.coerce(option.id) == option
    assert InstanceOption.coerce(str(option)) == option
    assert InstanceOption(option.gpu, option.count).id == option.id


def test_str_and_id() -> None:
    option = InstanceOption(GPU.H100, 2)
    assert str(option) == "2x NVIDIA H100"
    assert option.id == "zfTutSiLn0Hq"
    assert InstanceOption(GPU.A100_80GB, 8).id == "sYH4kHmAcA5P"
    assert str(InstanceOption(GPU.A100_80GB, 1)) == "1x NVIDIA A100 80GB"


@pytest.mark.parametrize(
    ("text", "gpu", "count"),
    [
        ("2x H100", GPU.H100, 2),
        ("2 x h100", GPU.H100, 2),
        (f"2{TIMES}H100", GPU.H100, 2),
        (f"2 {TIMES} H100", GPU.H100, 2),
        ("2X H100", GPU.H100, 2),
        ("H200", GPU.H200, 1),
        ("h200", GPU.H200, 1),
        ("  H200  ", GPU.H200, 1),
        ("8x NVIDIA B200", GPU.B200, 8),
        ("8xnvidiab200", GPU.B200, 8),
        ("nvidia-b200", GPU.B200, 1),
        ("NVIDIA_B200", GPU.B200, 1),
        ("1x A100", GPU.A100_80GB, 1),
        ("4x a100", GPU.A100_80GB, 4),
        ("A100_80GB", GPU.A100_80GB, 1),
        ("a100-80gb", GPU.A100_80GB, 1),
        ("A100 80GB", GPU.A100_80GB, 1),
        ("2x NVIDIA A100 80GB", GPU.A100_80GB, 2),
        ("2x\tnvidia\ta100\t80gb", GPU.A100_80GB, 2),
        ("04x H100", GPU.H100, 4),
    ],
)
def test_parse_spellings(text: str, gpu: GPU, count: int) -> None:
    assert InstanceOption.parse(text) == InstanceOption(gpu, count)


@pytest.mark.parametrize(
    ("text", "says"),
    [
        ("3x H100", "valid: 1x H100, 2x H100, 4x H100, 8x H100"),
        ("0x H100", "valid: 1x H100, 2x H100, 4x H100, 8x H100"),
        ("99999999999999999999x H100", "valid: 1x H100, 2x H100, 4x H100, 8x H100"),
        ("H", "ambiguous (NVIDIA H100, NVIDIA H200)"),
        ("2x h", "ambiguous (NVIDIA H100, NVIDIA H200)"),
        # A10 is a real, different GPU: the start of "A100" is not read as A100.
        ("A10", "did you mean NVIDIA A100 80GB?"),
        ("H1", "did you mean NVIDIA H100?"),
        ("A100 80", "did you mean NVIDIA A100 80GB?"),
        ("V100", ALL_SPELLINGS),
        ("", ALL_SPELLINGS),
        ("NVIDIA", ALL_SPELLINGS),
        ("2x", ALL_SPELLINGS),
        ("x H100", ALL_SPELLINGS),
        ("H100 x2", ALL_SPELLINGS),
        ("2.5x H100", ALL_SPELLINGS),
        ("٢x H100", ALL_SPELLINGS),  # Arabic-Indic two: counts are ASCII digits
    ],
)
def test_parse_refuses_with_the_valid_spellings(text: str, says: str) -> None:
    with pytest.raises(InvalidInputError) as caught:
        InstanceOption.parse(text, field="endpoint.instance")
    assert caught.value.field == "endpoint.instance"
    assert says in caught.value.message


def test_parse_default_field_and_long_text_is_cut_in_the_message() -> None:
    with pytest.raises(InvalidInputError) as caught:
        InstanceOption.parse("z" * 10_000)
    assert caught.value.field == "instance"
    assert len(caught.value.message) < 1_000


def test_parse_refuses_non_text() -> None:
    with pytest.raises(InvalidInputError) as caught:
        InstanceOption.parse(2, field="f")  # type: ignore[arg-type]
    assert caught.value.field == "f"


def test_from_id_refuses_unknown_ids_listing_the_valid_ones() -> None:
    with pytest.raises(InvalidInputError) as caught:
        InstanceOption.from_id("2x H100", field="endpoint.instance_option_id")
    assert caught.value.field == "endpoint.instance_option_id"
    for option_id, _gpu, _count in _contract.INSTANCE_OPTIONS:
        assert option_id in caught.value.message
    assert "zfTutSiLn0Hq (2x H100)" in caught.value.message


def test_from_id_is_case_sensitive_and_refuses_non_str() -> None:
    with pytest.raises(InvalidInputError):
        InstanceOption.from_id("zftutsiln0hq")
    with pytest.raises(InvalidInputError) as caught:
        InstanceOption.from_id(None)  # type: ignore[arg-type]
    assert caught.value.field == "instance"


def test_constructor_refuses_combinations_the_contract_does_not_list() -> None:
    with pytest.raises(InvalidInputError) as caught:
        InstanceOption(GPU.H100, 3)
    assert caught.value.field == "instance"
    assert caught.value.message == "no 3x NVIDIA H100 option; valid: 1x H100, 2x H100, 4x H100, 8x H100"
    with pytest.raises(InvalidInputError, match="1x B200, 2x B200, 4x B200, 8x B200"):
        InstanceOption(GPU.B200, 16)


@pytest.mark.parametrize("gpu", ["NVIDIA H100", "H100", None, 1])
def test_constructor_refuses_a_gpu_that_is_not_a_gpu(gpu: object) -> None:
    with pytest.raises(InvalidInputError) as caught:
        InstanceOption(gpu, 2)  # type: ignore[arg-type]
    assert caught.value.field == "instance.gpu"


@pytest.mark.parametrize("count", [True, False, 2.0, "2", None])
def test_constructor_refuses_a_count_that_is_not_an_int(count: object) -> None:
    with pytest.raises(InvalidInputError) as caught:
        InstanceOption(GPU.H100, count)  # type: ignore[arg-type]
    assert caught.value.field == "instance.count"


def test_is_immutable_hashable_and_compares_by_value() -> None:
    option = InstanceOption(GPU.H200, 4)
    with pytest.raises(attrs.exceptions.FrozenInstanceError):
        option.count = 8  # type: ignore[misc]
    assert {option: "x"}[InstanceOption.parse("4x h200")] == "x"
    assert option != InstanceOption(GPU.H200, 8)


def test_coerce() -> None:
    option = InstanceOption(GPU.B200, 2)
    assert InstanceOption.coerce(option) is option
    assert InstanceOption.coerce(GPU.H200) == InstanceOption(GPU.H200, 1)
    assert InstanceOption.coerce("brTZGIuYgVrs") == option
    assert InstanceOption.coerce("2x b200") == option


@pytest.mark.parametrize(("value", "kind"), [(2, "int"), (None, "NoneType"), (2.0, "float"), (("H100", 2), "tuple")])
def test_coerce_refuses_other_types(value: object, kind: str) -> None:
    with pytest.raises(InvalidInputError) as caught:
        InstanceOption.coerce(value, field="deploy.instance")  # type: ignore[arg-type]
    assert caught.value.field == "deploy.instance"
    assert caught.value.message == f"expected InstanceOption, GPU or str, got {kind}"


@pytest.mark.parametrize("field", [str, None, 2, "", len, GPU])
@pytest.mark.parametrize(
    "build",
    [
        lambda field: InstanceOption.parse("3x H100", field=field),
        lambda field: InstanceOption.parse("2x H100", field=field),
        lambda field: InstanceOption.from_id("zfTutSiLn0Hq", field=field),
        lambda field: InstanceOption.coerce("2x H100", field=field),
    ],
    ids=["parse-bad-text", "parse", "from_id", "coerce"],
)
def test_a_field_that_is_no_name_is_refused_as_field(build: Any, field: object) -> None:
    # `field` only names the input in errors: a type or a number there made an error whose field is
    # not a str, or went unnoticed until an input was refused.
    with pytest.raises(InvalidInputError) as caught:
        build(field)
    assert caught.value.field == "field"


@pytest.mark.parametrize("gpu", [GPU, InstanceOption, str])
def test_constructor_refuses_a_type_for_a_gpu_or_a_count(gpu: object) -> None:
    with pytest.raises(InvalidInputError) as caught:
        InstanceOption(gpu, 2)  # type: ignore[arg-type]
    assert caught.value.field == "instance.gpu"
    with pytest.raises(InvalidInputError) as caught:
        InstanceOption(GPU.H100, int)  # type: ignore[arg-type]
    assert caught.value.field == "instance.count"


def test_coerce_passes_its_field_to_parse() -> None:
    with pytest.raises(InvalidInputError) as caught:
        InstanceOption.coerce("3x H100", field="deploy.instance")
    assert caught.value.field == "deploy.instance"


def parse_or_error(text: str, field: str) -> InstanceOption | InvalidInputError:
    # Any other exception escapes and fails the test, which is the point.
    try:
        return InstanceOption.parse(text, field=field)
    except InvalidInputError as error:
        return error


@given(st.text())
def test_parse_of_any_text_returns_an_option_or_refuses_naming_the_field(text: str) -> None:
    outcome = parse_or_error(text, "some.field")
    if isinstance(outcome, InvalidInputError):
        assert outcome.field == "some.field"
        assert "valid: " in outcome.message
    else:
        assert outcome in ALL


@given(st.text(alphabet="0123456789xX _-nvidiaNVIDIAhbH1280gGB" + TIMES))
def test_parse_of_near_miss_text_never_raises_anything_else(text: str) -> None:
    outcome = parse_or_error(text, "instance")
    if isinstance(outcome, InvalidInputError):
        assert outcome.field == "instance"
    else:
        assert outcome in ALL


def _shuffle_case(text: str, flips: list[bool]) -> str:
    return "".join(ch.upper() if flip else ch.lower() for ch, flip in zip(text, flips, strict=False))


@st.composite
def spellings(draw: st.DrawFn) -> tuple[str, InstanceOption]:
    option = draw(st.sampled_from(ALL))
    sep = st.sampled_from(["", " ", "_", "-", "  ", "\t"])
    name = option.gpu.value.removeprefix("NVIDIA ")
    name = draw(sep).join(name.split(" "))
    if draw(st.booleans()):
        name = "NVIDIA" + draw(sep) + name
    if option.count == 1 and draw(st.booleans()):
        text = name
    else:
        text = f"{option.count}{draw(sep)}{draw(st.sampled_from(['x', 'X', TIMES]))}{draw(sep)}{name}"
    flips = draw(st.lists(st.booleans(), min_size=len(text), max_size=len(text)))
    return _shuffle_case(text, flips), option


@given(spellings())
def test_parse_reads_generated_spellings(case: tuple[str, InstanceOption]) -> None:
    text, option = case
    assert InstanceOption.parse(text) == option
    assert InstanceOption.coerce(text) == option
