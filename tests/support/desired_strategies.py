"""Desired-state files for the tests: hypothesis strategies built from the contract's tables (not typed
by hand), and a table of bad values with the place and the refusal each must get.

Engine options come from ``_contract.ENGINE_OPTIONS`` (their kinds, bounds and enums), instances from
``_contract.INSTANCE_OPTIONS``, replica bounds from ``Autoscaling``'s: a file drawn here is one the
SDK must take, whatever the pin. Values stay in what an endpoint reports back as sent (a positive
whole number for an unbounded integer, say), so that "apply, then plan" can be asked to show nothing.
"""

from __future__ import annotations

import math
from typing import Any

from hypothesis import strategies as st

import friendli_dedicated as fd
from friendli_dedicated_api import _contract

MODELS = ("org/model", "org/other-model", "meta-llama/Llama-3.1-8B-Instruct")


def engine_value(option: Any) -> st.SearchStrategy[Any]:
    if option.enum:
        return st.sampled_from(option.enum)
    if option.kind == "boolean":
        return st.booleans()
    if option.kind in ("integer", "number"):
        low = max(1, math.ceil(option.minimum if option.minimum is not None else 1))
        if option.exclusive_minimum is not None:
            low = max(low, math.floor(option.exclusive_minimum) + 1)
        high = min(2**31 - 1, math.floor(option.maximum) if option.maximum is not None else 2**31 - 1)
        if option.kind == "integer":
            return st.integers(min_value=low, max_value=high)
        return st.floats(min_value=low, max_value=high, allow_nan=False, allow_infinity=False)
    low = int(option.min_length or 1)
    high = int(option.max_length or 32)
    return st.text(alphabet="abcdefghijklmnopqrstuvwxyz0123456789-", min_size=low, max_size=max(low, min(high, 32)))


ENGINE = st.fixed_dictionaries({}, optional={option.name: engine_value(option) for option in _contract.ENGINE_OPTIONS})
INSTANCES = st.sampled_from(
    [f"{count}x {gpu.removeprefix('NVIDIA ')}" for _, gpu, count in _contract.INSTANCE_OPTIONS]
    + [option_id for option_id, _, _ in _contract.INSTANCE_OPTIONS]
)


@st.composite
def autoscaling(draw: st.DrawFn) -> dict[str, int]:
    most = fd.Autoscaling.MAX_REPLICAS_MAXIMUM or 10
    if draw(st.booleans()):
        return {"replicas": draw(st.integers(fd.Autoscaling.FIXED_REPLICAS_MINIMUM or 1, min(3, most)))}
    low = draw(st.integers(fd.Autoscaling.MIN_REPLICAS_MINIMUM or 0, min(3, most)))
    block = {"min": low, "max": draw(st.integers(max(low, 1), most)), "cooldown": draw(st.integers(0, 600))}
    keys = draw(st.sets(st.sampled_from(sorted(block))))
    if "min" in keys and "max" not in keys:
        keys.add("max")  # min alone may exceed the default max of an existing endpoint
    return {key: block[key] for key in sorted(keys)}


@st.composite
def endpoint(draw: st.DrawFn) -> dict[str, Any]:
    entry: dict[str, Any] = {"model": draw(st.sampled_from(MODELS)), "instance": draw(INSTANCES)}
    if draw(st.booleans()):
        entry["revision"] = draw(st.sampled_from(["main", "v1", "refs/pr/1"]))
    scaling = draw(st.one_of(st.none(), autoscaling()))
    if scaling:
        entry["autoscaling"] = scaling
    engine = draw(ENGINE)
    if engine:
        entry["engine"] = engine
    return entry


NAMES = st.text(alphabet="abcdefghijklmnopqrstuvwxyz0123456789-", min_size=1, max_size=12)


@st.composite
def desired_files(draw: st.DrawFn, max_endpoints: int = 4) -> dict[str, Any]:
    """A desired-state file, as data: one or two projects, up to ``max_endpoints`` endpoints each."""
    projects = draw(st.lists(st.sampled_from(["alpha", "beta", "team.gamma_1"]), min_size=1, max_size=2, unique=True))
    return {
        "projects": {
            project: {"endpoints": draw(st.dictionaries(NAMES, endpoint(), min_size=1, max_size=max_endpoints))}
            for project in projects
        }
    }


# -- bad files: (where, value, the refusal's field, a piece of its message) ---------------------------------
def base() -> dict[str, Any]:
    return {"projects": {"p": {"endpoints": {"chat": {"model": "org/model", "instance": "1x H100"}}}}}


def set_at(data: dict[str, Any], path: str, value: Any) -> dict[str, Any]:
    *parents, last = path.split("/")
    node = data
    for key in parents:
        node = node.setdefault(key, {})
    node[last] = value
    return data


def delete_at(data: dict[str, Any], path: str) -> dict[str, Any]:
    *parents, last = path.split("/")
    node = data
    for key in parents:
        node = node[key]
    del node[last]
    return data


ENDPOINT = "projects/p/endpoints/chat"
BAD: list[tuple[str, Any, str, str]] = [
    # (where, value, the error's field, a piece of its message)
    (f"{ENDPOINT}/engine", {"max_batch_size": "64"}, "projects.p.endpoints.chat.engine.max_batch_size", "whole number"),
    (f"{ENDPOINT}/engine", {"max_batch_size": True}, "projects.p.endpoints.chat.engine.max_batch_size", "whole number"),
    (
        f"{ENDPOINT}/engine",
        {"max_batchsize": 64},
        "projects.p.endpoints.chat.engine.max_batchsize",
        "not an engine option",
    ),
    (
        f"{ENDPOINT}/engine",
        {"max_context_length": 0},
        "projects.p.endpoints.chat.engine.max_context_length",
        "at least 1",
    ),
    (
        f"{ENDPOINT}/engine",
        {"max_input_length": None},
        "projects.p.endpoints.chat.engine.max_input_length",
        "remove the key",
    ),
    (
        f"{ENDPOINT}/engine",
        {"queue_backpressure_metric_kind": "FAST"},
        "projects.p.endpoints.chat.engine.queue_backpressure_metric_kind",
        "must be one of",
    ),
    (f"{ENDPOINT}/engine", [64], "projects.p.endpoints.chat.engine", "must be a mapping"),
    (f"{ENDPOINT}/instance", "3x H100", "projects.p.endpoints.chat.instance", "not an option"),
    (f"{ENDPOINT}/instance", 2, "projects.p.endpoints.chat.instance", "must be text"),
    (f"{ENDPOINT}/autoscaling", {"max": 12}, "projects.p.endpoints.chat.autoscaling.max", "at most"),
    (
        f"{ENDPOINT}/autoscaling",
        {"min": 3, "max": 2},
        "projects.p.endpoints.chat.autoscaling.max",
        "at least min (3), got 2",
    ),
    (f"{ENDPOINT}/autoscaling", {"min": -1}, "projects.p.endpoints.chat.autoscaling.min", "at least 0"),
    (f"{ENDPOINT}/autoscaling", {"cooldown": 1.5}, "projects.p.endpoints.chat.autoscaling.cooldown", "whole number"),
    (
        f"{ENDPOINT}/autoscaling",
        {"replicas": 2, "min": 1},
        "projects.p.endpoints.chat.autoscaling.min",
        "not a key here",
    ),
    (f"{ENDPOINT}/autoscaling", {"replicas": 0}, "projects.p.endpoints.chat.autoscaling.replicas", "at least 1"),
    (f"{ENDPOINT}/model", "", "projects.p.endpoints.chat.model", "non-empty"),
    (f"{ENDPOINT}/model", 1.0, "projects.p.endpoints.chat.model", "quote it"),
    (f"{ENDPOINT}/revision", None, "projects.p.endpoints.chat.revision", "must be text"),
    (f"{ENDPOINT}/modle", "org/model", "projects.p.endpoints.chat.modle", "not a key here"),
    (f"{ENDPOINT}/delete_protection", "yes", "projects.p.endpoints.chat.delete_protection", "true or false"),
    (f"{ENDPOINT}/comment", "a\x00b", "projects.p.endpoints.chat.comment", "NUL"),
    ("projects/p/endpoints", [], "projects.p.endpoints", "must be a mapping"),
    ("projects/p/extra", {}, "projects.p.extra", "not a key here"),
    ("projects/bad id", {"endpoints": {}}, "projects.bad id", "letters, digits"),
    ("projects/p/endpoints/ ", {"model": "m", "instance": "H100"}, "projects.p.endpoints. ", "non-empty"),
    ("version", 2, "version", "must be 1"),
    ("projectz", {}, "projectz", "not a key here"),
]
