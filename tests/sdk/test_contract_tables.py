"""The facade's tables agree with the pinned contract (openapi.yaml), read here independently of the
generated code, so a stale or hand-edited _contract.py is caught."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from friendli_dedicated._autoscaling import Autoscaling
from friendli_dedicated._instances import GPU, InstanceOption
from friendli_dedicated.errors import InvalidInputError

CONTRACT_PATH = Path(__file__).resolve().parents[2] / "openapi.yaml"


@pytest.fixture(scope="module")
def contract() -> dict[str, Any]:
    with CONTRACT_PATH.open(encoding="utf-8") as handle:
        loaded = yaml.safe_load(handle)
    assert isinstance(loaded, dict)
    return loaded


def schema(contract: dict[str, Any], name: str) -> dict[str, Any]:
    found = contract["components"]["schemas"][name]
    assert isinstance(found, dict)
    return found


def test_instance_options_match_the_contract_in_order(contract: dict[str, Any]) -> None:
    expected = [(o["id"], o["gpu"], o["count"]) for o in contract["x-instance-options"]]
    assert expected, "the contract lists no instance options"
    assert [(o.id, o.gpu.value, o.count) for o in InstanceOption.all()] == expected


def test_every_contract_option_is_reachable_by_id_and_by_name(contract: dict[str, Any]) -> None:
    for entry in contract["x-instance-options"]:
        option = InstanceOption.from_id(entry["id"])
        assert (option.gpu.value, option.count) == (entry["gpu"], entry["count"])
        assert InstanceOption.parse(f"{entry['count']}x {entry['gpu']}").id == entry["id"]


def test_gpu_values_are_exactly_the_contracts_gpu_names(contract: dict[str, Any]) -> None:
    names = [o["gpu"] for o in contract["x-instance-options"]]
    assert [gpu.value for gpu in GPU] == list(dict.fromkeys(names))


def test_autoscaling_bounds_match_the_contract(contract: dict[str, Any]) -> None:
    props = schema(contract, "AutoscalingPolicy")["properties"]
    assert props["minReplica"].get("minimum") == Autoscaling.MIN_REPLICAS_MINIMUM
    assert props["maxReplica"].get("maximum") == Autoscaling.MAX_REPLICAS_MAXIMUM
    replicas = schema(contract, "EndpointSimplescaleConfig")["properties"]["replicas"]
    assert replicas.get("minimum") == Autoscaling.FIXED_REPLICAS_MINIMUM


def test_autoscaling_enforces_the_contract_bounds_at_their_edges(contract: dict[str, Any]) -> None:
    props = schema(contract, "AutoscalingPolicy")["properties"]
    low, high = props["minReplica"]["minimum"], props["maxReplica"]["maximum"]
    assert Autoscaling(min_replicas=low, max_replicas=high).to_body()["autoscalingPolicy"]["maxReplica"] == high
    with pytest.raises(InvalidInputError) as caught:
        Autoscaling(min_replicas=low - 1, max_replicas=high)
    assert caught.value.field == "autoscaling.min_replicas"
    with pytest.raises(InvalidInputError) as caught:
        Autoscaling(min_replicas=low, max_replicas=high + 1)
    assert caught.value.field == "autoscaling.max_replicas"
    least = schema(contract, "EndpointSimplescaleConfig")["properties"]["replicas"]["minimum"]
    assert Autoscaling.fixed(least).replicas == least
    with pytest.raises(InvalidInputError) as caught:
        Autoscaling.fixed(least - 1)
    assert caught.value.field == "autoscaling.replicas"


def test_autoscaling_defaults_are_the_contracts(contract: dict[str, Any]) -> None:
    props = schema(contract, "AutoscalingPolicy")["properties"]
    defaults = {key: props[key]["default"] for key in ("minReplica", "maxReplica", "cooldownPeriod")}
    assert Autoscaling().to_body() == {"autoscalingPolicy": defaults}


def test_autoscaling_body_fields_are_the_create_bodys(contract: dict[str, Any]) -> None:
    create = schema(contract, "DedicatedEndpointCreateBody")["properties"]
    for value in (Autoscaling(), Autoscaling.fixed(1)):
        ((key, fragment),) = value.to_body().items()
        assert key in create
        referenced = {item.get("$ref", "").rsplit("/", 1)[-1] for item in create[key]["anyOf"]}
        (target,) = referenced - {""}
        assert set(fragment) <= set(schema(contract, target)["properties"])


def test_the_parameter_bounds_are_the_contracts(contract: dict[str, Any]) -> None:
    from friendli_dedicated import _costs
    from friendli_dedicated_api._contract import PARAMETER_BOUNDS

    found = {}
    for item in contract["paths"].values():
        for operation in item.values():
            for parameter in operation.get("parameters", []):
                variants = [parameter["schema"], *parameter["schema"].get("anyOf", [])]
                bounds = {key: v[key] for v in variants for key in ("minimum", "maximum") if key in v}
                if bounds:
                    found[(operation["operationId"], parameter["name"])] = bounds
    assert {key: {k: v for k, v in value.items() if k != "default"} for key, value in PARAMETER_BOUNDS.items()} == found
    limit = found[("getCost", "limit")]
    assert (limit["minimum"], limit["maximum"]) == (_costs.PAGE_SIZE_MIN, _costs.PAGE_SIZE_MAX)
