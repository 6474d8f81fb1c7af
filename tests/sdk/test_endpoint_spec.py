"""``fd.EndpointSpec``: the facade's type of an endpoint's specification, and the contract's enums under
the facade's names.

Every method that returns a specification (``get``, ``update``, ``Endpoint.spec()``, each
``EndpointVersion``) returns an ``EndpointSpec``: a subclass of the generated model (its fields and
types are the contract's), with a readable repr, the raw JSON, and the instance and scaling as the
facade's values.
"""

from __future__ import annotations

from typing import Any

import attrs
import pytest
from fakes import COLLECTION, EP, FakeAPI, make_async_client, make_client, reply, spec_json

import friendli_dedicated as fd
from friendli_dedicated._parsing import Malformed
from friendli_dedicated_api.models import DedicatedEndpointSpec
from friendli_dedicated_api.types import UNSET

H100x2_ID = fd.InstanceOption(fd.GPU.H100, 2).id


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


def parsed(**changes: Any) -> fd.EndpointSpec:
    return fd.EndpointSpec.from_json(spec_json(**changes))


# -- the type --------------------------------------------------------------------------------------
def test_the_repr_shows_the_fields_by_their_python_names_and_nothing_else() -> None:
    spec = parsed(instanceId=H100x2_ID, maxContextLength=None, newUpstreamField=[1])
    text = repr(spec)
    assert text.startswith("EndpointSpec(name='chat', gpu_type='NVIDIA H100', num_gpu=1, project_id='proj', ")
    assert f"instance_id={H100x2_ID!r}" in text
    assert "max_context_length=None" in text  # sent as null: shown
    assert "curr_replica_cnt" not in text  # left out of the response: UNSET, not shown
    assert "additional_properties" not in text
    assert "raw=" not in text
    assert "newUpstreamField" not in text  # in raw, and in to_dict()
    assert "gpuType" not in text


def test_it_is_the_generated_model_with_the_raw_json_alongside() -> None:
    data = spec_json(newUpstreamField={"a": 1})
    spec = fd.EndpointSpec.from_json(data)
    assert isinstance(spec, DedicatedEndpointSpec)  # the generated object, for those who need it
    assert spec.raw == data
    assert spec.to_dict() == data  # the contract's JSON, unknown fields included
    assert spec.additional_properties == {"newUpstreamField": {"a": 1}}
    assert (spec.max_batch_size, spec.autoscaling_max, spec.curr_replica_cnt) == (256, 2, UNSET)
    assert spec == fd.EndpointSpec.from_json(dict(data))  # equality ignores raw, compares fields
    assert spec != parsed(maxBatchSize=8)


def test_its_fields_are_the_generated_ones_and_its_own_names_are_no_field() -> None:
    generated = {field.name for field in attrs.fields(DedicatedEndpointSpec)}
    own = {field.name for field in attrs.fields(fd.EndpointSpec)} - generated
    assert own == {"raw"}
    # A field of the same name upstream would be shadowed: regeneration must make this fail first.
    assert {"raw", "instance", "autoscaling"}.isdisjoint(generated)


def test_it_is_public_under_the_package_and_has_a_reference_entry_name() -> None:
    assert fd.EndpointSpec.__module__ == "friendli_dedicated"
    assert "EndpointSpec" in fd.__all__


def test_a_body_that_is_no_spec_is_malformed() -> None:
    with pytest.raises(Malformed, match="version v2: missing field 'gpuType'"):
        fd.EndpointSpec.from_json({"name": "chat"}, "version v2")


@pytest.mark.parametrize(
    ("changes", "expected"),
    [
        ({"instanceId": H100x2_ID}, fd.InstanceOption(fd.GPU.H100, 2)),
        ({"numGpu": 4}, fd.InstanceOption(fd.GPU.H100, 4)),  # no instanceId: from gpuType and numGpu
        ({"instanceId": "b300PreviewId"}, fd.UnlistedInstanceOption("b300PreviewId")),
        ({"instanceId": None, "gpuType": "NVIDIA Z9"}, None),
        ({"numGpu": 3}, None),  # no such option
        ({"numGpu": "2"}, None),  # a response of the wrong type: no view, no crash
        ({"instanceId": "not an id!"}, None),
    ],
)
def test_instance_is_the_option_as_create_takes_it(changes: dict[str, Any], expected: object) -> None:
    assert parsed(**changes).instance == expected


@pytest.mark.parametrize(
    ("bounds", "expected"),
    [
        ((3, 3, 0), fd.Autoscaling.fixed(3)),
        ((0, 2, 600), fd.Autoscaling.scale_to_zero(max_replicas=2, cooldown=600)),
        ((1, 1, 300), fd.Autoscaling.always_on(1)),
        ((0, 0, 300), None),  # never serves: no Autoscaling asks for it
        ((0, 10_000, 300), None),  # beyond the pinned contract's bound
    ],
)
def test_autoscaling_is_the_value_that_asks_for_it(bounds: tuple[int, int, int], expected: object) -> None:
    low, high, cooldown = bounds
    spec = parsed(autoscalingMin=low, autoscalingMax=high, autoscalingCooldown=cooldown)
    assert spec.autoscaling == expected


# -- where it is returned --------------------------------------------------------------------------
def test_every_method_that_reads_a_specification_returns_an_endpoint_spec() -> None:
    api = (
        FakeAPI()
        .on("GET", f"{COLLECTION}/{EP}", reply(200, spec_json()))
        .on("PUT", f"{COLLECTION}/{EP}", reply(200, spec_json("renamed")))
        .on("GET", f"{COLLECTION}/{EP}/version", reply(200, {"data": {"v1": spec_json()}}))
    )
    endpoints = make_client(api).endpoints
    handle = endpoints.get_handle(EP)
    specs = [
        endpoints.get(EP),
        endpoints.update(EP, name="renamed"),
        handle.spec(),
        *(version.spec for version in endpoints.versions(EP)),
    ]
    assert [type(spec) for spec in specs] == [fd.EndpointSpec] * 4
    assert specs[1].name == "renamed"


@pytest.mark.anyio
async def test_the_async_client_returns_it_too() -> None:
    api = (
        FakeAPI()
        .on("GET", f"{COLLECTION}/{EP}", reply(200, spec_json()))
        .on("PUT", f"{COLLECTION}/{EP}", reply(200, spec_json("renamed")))
    )
    endpoints = make_async_client(api).endpoints
    assert type(await endpoints.get(EP)) is fd.EndpointSpec
    assert type(await endpoints.update(EP, name="renamed")) is fd.EndpointSpec
    assert type(await endpoints.get_handle(EP).spec()) is fd.EndpointSpec


# -- the contract's enums --------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("enum", "value"),
    [
        (fd.Status, "RUNNING"),
        (fd.DeploymentPhase, "DOWNLOADING_MODEL"),
        (fd.ErrorCode, "INFERENCE_ENGINE_MEMORY_ERROR"),
    ],
    ids=lambda item: getattr(item, "__name__", item),
)
def test_the_contracts_enums_show_the_facades_names(enum: Any, value: str) -> None:
    name = next(name for name in ("Status", "DeploymentPhase", "ErrorCode") if getattr(fd, name) is enum)
    assert enum.__name__ == name
    assert repr(enum(value)) == f"<{name}.{value}: {value!r}>"
    assert enum("ADDED_UPSTREAM").is_known is False  # still open
