"""Engine options come from the contract's generated table: what create and update accept, check and
send, with no list of our own; and the escape hatches for what the pin does not list yet.

Expectations are read from ``_contract.ENGINE_OPTIONS`` (never a count or a name of the current
pin), so a regeneration that adds an option leaves these tests meaningful and green.
"""

from __future__ import annotations

import asyncio
import json
import warnings
from typing import Any

import pytest
from fakes import (
    COLLECTION,
    EP,
    FakeAPI,
    listing,
    make_async_client,
    make_client,
    reply,
    spec_json,
    status_json,
    valid_value,
)

import friendli_dedicated as fd
from friendli_dedicated_api._contract import ENGINE_OPTIONS, EngineOption

CREATE = {"project_id": "proj", "name": "chat", "model": "org/model", "instance": "1x H100"}


def create_api() -> FakeAPI:
    return FakeAPI().on("GET", COLLECTION, listing()).on("POST", COLLECTION, reply(200, status_json(endpointId="ep-9")))


def sent_advanced(api: FakeAPI, method: str, path: str) -> dict[str, Any]:
    (request,) = api.calls(method, path)
    return json.loads(request.content)["advanced"]  # type: ignore[no-any-return]


@pytest.mark.parametrize("option", ENGINE_OPTIONS, ids=[o.name for o in ENGINE_OPTIONS])
def test_create_sends_every_option_of_the_contract_as_given(option: EngineOption) -> None:
    api = create_api()
    value = valid_value(option)
    make_client(api).endpoints.create(**CREATE, **{option.name: value})
    assert sent_advanced(api, "POST", COLLECTION)[option.name] == value


def test_create_fills_in_the_contract_defaults_and_required_flags() -> None:
    api = create_api()
    make_client(api).endpoints.create(**CREATE)
    advanced = sent_advanced(api, "POST", COLLECTION)
    for option in ENGINE_OPTIONS:
        if option.default is not None:
            assert advanced[option.name] == option.default
        elif option.required and option.kind == "boolean":
            assert advanced[option.name] is True
        else:
            assert option.name not in advanced  # not given, no default: left to the server


@pytest.mark.parametrize("option", ENGINE_OPTIONS, ids=[o.name for o in ENGINE_OPTIONS])
def test_update_sends_the_option_given_and_keeps_required_ones_from_the_endpoint(option: EngineOption) -> None:
    api = (
        FakeAPI()
        .on("GET", f"{COLLECTION}/{EP}", reply(200, spec_json()))
        .on("PUT", f"{COLLECTION}/{EP}", reply(200, spec_json()))
    )
    value = valid_value(option)
    make_client(api).endpoints.update(EP, **{option.name: value})
    advanced = sent_advanced(api, "PUT", f"{COLLECTION}/{EP}")
    assert advanced[option.name] == value
    others = {name for name in advanced if name != option.name}
    assert others == {o.name for o in ENGINE_OPTIONS if o.required and o.name != option.name}


def test_unlisted_engine_options_are_sent_as_given_with_a_warning_naming_the_pin() -> None:
    # A name no pin lists (an upstream may add any real option's name, which the pin then lists).
    unlisted = "unlisted_option_" + "_".join(sorted(o.name for o in ENGINE_OPTIONS))[:20]
    api = create_api()
    with pytest.warns(fd.UnlistedWarning, match=fd.CONTRACT_PIN.retrieved) as caught:
        make_client(api).endpoints.create(**CREATE, extra_engine_options={unlisted: True})
    assert unlisted in str(caught[0].message)
    assert sent_advanced(api, "POST", COLLECTION)[unlisted] is True


def test_an_unlisted_value_of_a_listed_enum_option_goes_through_the_escape_hatch() -> None:
    enums = [option for option in ENGINE_OPTIONS if option.enum]
    if not enums:
        pytest.skip("the pinned contract has no enum-typed engine option")
    option = enums[0]
    client = make_client(create_api())
    with pytest.raises(fd.InvalidInputError) as refused:
        client.endpoints.create(**CREATE, **{option.name: "NEW_UPSTREAM_VALUE"})
    assert "extra_engine_options" in refused.value.message
    api = create_api()
    with pytest.warns(fd.UnlistedWarning):
        make_client(api).endpoints.create(**CREATE, extra_engine_options={option.name: "NEW_UPSTREAM_VALUE"})
    assert sent_advanced(api, "POST", COLLECTION)[option.name] == "NEW_UPSTREAM_VALUE"


@pytest.mark.parametrize(
    "extra",
    [{"x": object()}, {"x": float("nan")}, {"": 1}, {1: 1}, "enable_prefix_caching=true", {"x": 2**80}],
    ids=["object", "nan", "empty-key", "int-key", "text", "huge-int"],
)
def test_escape_hatch_values_must_be_json(extra: Any) -> None:
    api = create_api()
    with pytest.raises(fd.InvalidInputError) as refused:
        make_client(api).endpoints.create(**CREATE, extra_engine_options=extra)
    assert refused.value.field.startswith("extra_engine_options")
    assert api.requests == []


def test_an_unlisted_instance_option_is_sent_as_given_with_a_warning() -> None:
    api = create_api()
    with pytest.warns(fd.UnlistedWarning, match="b300PreviewId"):
        make_client(api).endpoints.create(**{**CREATE, "instance": fd.InstanceOption.unlisted("b300PreviewId")})
    (request,) = api.calls("POST", COLLECTION)
    assert json.loads(request.content)["instanceOptionId"] == "b300PreviewId"


def test_a_listed_id_given_as_unlisted_is_just_the_listed_option() -> None:
    listed = fd.InstanceOption.all()[0]
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert fd.InstanceOption.coerce(fd.InstanceOption.unlisted(listed.id)) == listed


@pytest.mark.parametrize("bad", ["", "has space", "x" * 65, 42, None])
def test_an_unlisted_id_is_still_checked(bad: Any) -> None:
    with pytest.raises(fd.InvalidInputError):
        fd.InstanceOption.unlisted(bad)


def test_a_raw_id_the_pin_does_not_list_is_refused_without_the_escape_hatch() -> None:
    with pytest.raises(fd.InvalidInputError) as refused:
        make_client(create_api()).endpoints.create(**{**CREATE, "instance": "b300PreviewId"})
    assert refused.value.field == "instance"


def test_a_wandb_create_cannot_take_an_unlisted_instance() -> None:
    endpoints = make_client(FakeAPI()).endpoints
    unlisted = fd.InstanceOption.unlisted("newId")
    with pytest.raises(fd.InvalidInputError) as refused, pytest.warns(fd.UnlistedWarning):
        endpoints.create_from_wandb("e/p/m:v1", instance=unlisted)
    assert refused.value.field == "instance"


# -- extra_engine_options is no way around the checks ----------------------------------------------------
def update_api() -> FakeAPI:
    return (
        FakeAPI()
        .on("GET", f"{COLLECTION}/{EP}", reply(200, spec_json()))
        .on("PUT", f"{COLLECTION}/{EP}", reply(200, spec_json()))
    )


def refused_everywhere(keywords: dict[str, Any], extra: Any) -> list[fd.InvalidInputError]:
    """The refusals of create and update, sync and async, given ``keywords`` and ``extra``; none sends a thing."""
    refusals = []
    for api, call in ((create_api(), "create"), (update_api(), "update")):
        args: tuple[Any, ...] = () if call == "create" else (EP,)
        kwargs = {**(CREATE if call == "create" else {}), **keywords, "extra_engine_options": extra}
        with pytest.raises(fd.InvalidInputError) as refused:
            getattr(make_client(api).endpoints, call)(*args, **kwargs)
        refusals.append(refused.value)

        async def run(endpoints: fd.AsyncEndpoints, call: str, args: tuple[Any, ...], kwargs: dict[str, Any]) -> None:
            await getattr(endpoints, call)(*args, **kwargs)

        with pytest.raises(fd.InvalidInputError) as refused:
            asyncio.run(run(make_async_client(api).endpoints, call, args, kwargs))
        refusals.append(refused.value)
        assert api.requests == []
    return refusals


@pytest.mark.parametrize("option", ENGINE_OPTIONS, ids=[o.name for o in ENGINE_OPTIONS])
def test_an_option_given_both_as_its_keyword_and_in_extra_engine_options_is_refused_naming_it(
    option: EngineOption,
) -> None:
    value = valid_value(option)
    for refusal in refused_everywhere({option.name: value}, {option.name: value}):
        assert refusal.field == f"extra_engine_options.{option.name}"
        assert "keyword" in refusal.message


def bad_values(option: EngineOption) -> list[Any]:
    """Values ``option``'s keyword refuses, whatever its kind: a wrong type, a nested object, past a bound."""
    values: list[Any] = [{"nested": [1]}, [valid_value(option)]]
    values.append(5 if option.kind == "string" else "lots")
    if option.kind in ("integer", "number") and option.minimum is not None:
        values.append(option.minimum - 6)
    if option.kind in ("integer", "number") and option.maximum is not None:
        values.append(option.maximum + 6)
    if option.kind == "integer":
        values.append(1.5)
    if not option.nullable:
        values.append(None)
    return values


@pytest.mark.parametrize("option", ENGINE_OPTIONS, ids=[o.name for o in ENGINE_OPTIONS])
def test_an_option_the_contract_lists_is_checked_in_extra_engine_options_as_its_keyword_is(
    option: EngineOption,
) -> None:
    for value in bad_values(option):
        with pytest.raises(fd.InvalidInputError):
            make_client(create_api()).endpoints.create(**CREATE, **{option.name: value})  # the keyword's rule
        for refusal in refused_everywhere({}, {option.name: value}):
            assert refusal.field == f"extra_engine_options.{option.name}", value


def test_a_bound_of_the_contract_holds_in_extra_engine_options() -> None:
    bounded = [o for o in ENGINE_OPTIONS if o.kind == "integer" and o.minimum is not None]
    if not bounded:
        pytest.skip("the pinned contract has no integer engine option with a minimum")
    option = bounded[0]
    for refusal in refused_everywhere({}, {option.name: int(option.minimum) - 6}):  # type: ignore[arg-type]
        assert refusal.message.startswith("must be at least")


@pytest.mark.parametrize("option", ENGINE_OPTIONS, ids=[o.name for o in ENGINE_OPTIONS])
def test_a_listed_option_with_a_valid_value_in_extra_engine_options_is_sent_without_a_warning(
    option: EngineOption,
) -> None:
    api = create_api()
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # nothing unlisted was sent
        make_client(api).endpoints.create(**CREATE, extra_engine_options={option.name: valid_value(option)})
    assert sent_advanced(api, "POST", COLLECTION)[option.name] == valid_value(option)


@pytest.mark.parametrize(
    "extra",
    [
        {"new\x00option": 1},
        {"new\ud800option": 1},
        {"new_option": "a\x00b"},
        {"new_option": ["ok", "\udfff"]},
        {"new_option": {"key\x00": 1}},
        {"new_option": {"key": {"deeper": "\ud83d"}}},
        {" ": 1},
    ],
    ids=["nul-name", "surrogate-name", "nul-value", "surrogate-in-list", "nul-nested-key", "surrogate-nested", "blank"],
)
def test_every_text_in_extra_engine_options_follows_the_sdk_rule_for_text(extra: dict[str, Any]) -> None:
    for refusal in refused_everywhere({}, extra):
        assert refusal.field.startswith("extra_engine_options")
        assert "\x00" not in str(refusal)
        assert "\ud800" not in refusal.field


def test_an_unlisted_enum_value_in_extra_engine_options_follows_the_rule_for_text_too() -> None:
    enums = [option for option in ENGINE_OPTIONS if option.enum]
    if not enums:
        pytest.skip("the pinned contract has no enum-typed engine option")
    for refusal in refused_everywhere({}, {enums[0].name: "NEW\x00VALUE"}):
        assert refusal.field == f"extra_engine_options.{enums[0].name}"
    for refusal in refused_everywhere({}, {enums[0].name: 3}):  # not a string at all: not an enum value
        assert refusal.field == f"extra_engine_options.{enums[0].name}"


def test_a_keyword_given_as_none_is_not_given_so_extra_engine_options_may_carry_it() -> None:
    nullable = [o for o in ENGINE_OPTIONS if o.nullable and not o.enum]
    if not nullable:
        pytest.skip("the pinned contract has no nullable engine option")
    option = nullable[0]
    api = create_api()
    value = valid_value(option)
    make_client(api).endpoints.create(**CREATE, **{option.name: None}, extra_engine_options={option.name: value})
    assert sent_advanced(api, "POST", COLLECTION)[option.name] == value


# -- UnlistedWarning points at the caller's line ------------------------------------------------------
def test_the_unlisted_warning_points_at_the_callers_line_so_the_default_filter_shows_it_once_per_line() -> None:
    client = make_client(create_api())
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("default")
        for _ in range(3):
            client.endpoints.create(**CREATE, extra_engine_options={"new_option": 1})  # one line: shown once
        client.endpoints.create(**CREATE, extra_engine_options={"new_option": 1})  # another line: once more
        fd.InstanceOption.coerce(fd.InstanceOption.unlisted("b300PreviewId"))
    unlisted = [w for w in caught if issubclass(w.category, fd.UnlistedWarning)]
    assert [w.filename for w in unlisted] == [__file__] * 3
    assert len({w.lineno for w in unlisted}) == 3


def test_the_unlisted_warning_of_an_update_points_at_the_callers_line_sync_and_async() -> None:
    api = update_api().on("PUT", f"{COLLECTION}/{EP}", reply(200, spec_json()))

    async def update() -> None:
        await make_async_client(api).endpoints.update(EP, extra_engine_options={"new_option": 1})

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        make_client(api).endpoints.update(EP, extra_engine_options={"new_option": 1})
        asyncio.run(update())
    assert [w.filename for w in caught if issubclass(w.category, fd.UnlistedWarning)] == [__file__] * 2
