"""Tests for the failure hints: every error code the contract lists has its own actionable line, and
anything else gets the generic one instead of an error."""

from __future__ import annotations

import doctest

import pytest

from friendli_dedicated import _hints
from friendli_dedicated._hints import GENERIC_HINT, HINTS, hint_for
from friendli_dedicated._models import ErrorCode


@pytest.mark.parametrize("code", list(ErrorCode))
def test_every_listed_code_has_its_own_specific_hint(code: ErrorCode) -> None:
    hint = hint_for(code)
    assert hint != GENERIC_HINT
    assert hint.strip() == hint
    assert hint
    assert "\n" not in hint


def test_no_two_codes_share_a_hint() -> None:
    hints = [hint_for(code) for code in ErrorCode]
    assert len(set(hints)) == len(hints)


def test_table_lists_exactly_the_contract_codes() -> None:
    # Catches a regenerated contract that drops a code (a stale row) as well as one that adds one.
    assert set(HINTS) == set(ErrorCode)


@pytest.mark.parametrize("code", list(ErrorCode))
def test_raw_string_finds_the_same_hint_as_the_member(code: ErrorCode) -> None:
    assert hint_for(code.value) == hint_for(code)
    assert type(code.value) is str


@pytest.mark.parametrize("value", [None, "WORKLOAD_INIT_SOMETHING_NEW_ERROR", "", "workload_init_download_error"])
def test_missing_or_unlisted_codes_get_the_generic_hint(value: str | None) -> None:
    assert hint_for(value) == GENERIC_HINT


def test_an_unlisted_open_enum_value_gets_the_generic_hint() -> None:
    unknown = ErrorCode("INFERENCE_ENGINE_NEW_ERROR")
    assert not unknown.is_known
    assert hint_for(unknown) == GENERIC_HINT


@pytest.mark.parametrize(
    ("code", "must_mention"),
    [
        (ErrorCode.WORKLOAD_INIT_INSUFFICIENT_DISK_ERROR, ["disk", "more GPUs", "smaller model"]),
        (ErrorCode.WORKLOAD_INIT_INVALID_TOKEN_ERROR, ["Hugging Face token"]),
        (ErrorCode.WORKLOAD_INIT_CANNOT_ACCESS_REPO_ERROR, ["gated", "private", "repo name"]),
        (ErrorCode.WORKLOAD_INIT_MANIFEST_NOT_FOUND_ERROR, ["supported layout", "hf_model_repo"]),
        (ErrorCode.WORKLOAD_INIT_MANIFEST_TYPE_ERROR, ["supported layout"]),
        (ErrorCode.INFERENCE_ENGINE_MEMORY_ERROR, ["larger GPUs", "max_batch_size", "max_context_length"]),
        (ErrorCode.INFERENCE_ENGINE_INVALID_ARGUMENT_ERROR, ["max_context_length"]),
        (ErrorCode.INFERENCE_ENGINE_METERING_CLIENT_CONFIG_ERROR, ["support"]),
    ],
)
def test_hints_name_the_thing_to_change(code: ErrorCode, must_mention: list[str]) -> None:
    hint = hint_for(code)
    for phrase in must_mention:
        assert phrase in hint


def test_table_is_read_only() -> None:
    with pytest.raises(TypeError):
        HINTS[ErrorCode.WORKLOAD_INIT_DOWNLOAD_ERROR] = "x"  # type: ignore[index]


def test_docstring_examples() -> None:
    failures, tried = doctest.testmod(_hints, optionflags=doctest.ELLIPSIS)
    assert tried > 0
    assert failures == 0
