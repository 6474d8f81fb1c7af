"""Engine options come from the contract's generated table: what create and update accept, check and
send, with no list of our own; and the escape hatches for what the pin does not list yet.

Expectations are read from ``_contract.ENGINE_OPTIONS`` (never a count or a name of the current
pin), so a regeneration that adds an option leaves these tests meaningful and green.
"""

from __future__ import annotations

import json
import warnings
from typing import Any

import pytest
from fakes import COLLECTION, EP, FakeAPI, listing, make_client, reply, spec_json, status_json

import friendli_dedicated as fd
from friendli_dedicated_api._contract import ENGINE_OPTIONS, EngineOption

CREATE = {"project_id": "proj", "name": "chat", "model": "org/model", "instance": "1x H100"}


def valid_value(option: EngineOption) -> Any:
    """A value the contract accepts for ``option`` that differs from its default."""
    if option.enum:
        return option.enum[-1]
    if option.kind == "boolean":
        return not option.default if isinstance(option.default, bool) else False
    if option.kind == "integer":
        return int(option.minimum or 0) + 7
    if option.kind == "number":
        return float(option.minimum or 0) + 0.5
    return "x" * int(option.min_length or 1)


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
    api = create_api()
    with pytest.warns(fd.UnlistedWarning, match=fd.CONTRACT_PIN.retrieved) as caught:
        make_client(api).endpoints.create(**CREATE, extra_engine_options={"enable_prefix_caching": True})
    assert "enable_prefix_caching" in str(caught[0].message)
    assert sent_advanced(api, "POST", COLLECTION)["enable_prefix_caching"] is True


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
