"""The one rule for bad input, fuzzed over every public callable of the SDK.

The rule (``friendli_dedicated.errors``): a bad value or a wrong type raises ``InvalidInputError``
(``ConfigurationError`` for a client's token, team, base URL and HTTP client), naming the field,
before any request is sent. This module calls every public callable with arguments drawn by
hypothesis, each either plausible or hostile (None, bools, huge and negative ints, NaN, control
characters, lone surrogates, bytes, containers, odd objects), against a fake API that answers
every request sensibly and counts them. A call passes when it succeeds, or raises a refusal with
no request sent, or (valid input the fake then answered) another error of the SDK's tree.
Anything else (a TypeError, a KeyError, a RecursionError, a refusal after a request) is a finding.

``tests/sdk/test_input_rule.py`` runs it with a modest budget; the command line runs many more:

    python scripts/harness/fuzz_inputs.py [--examples 2000]
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import functools
import inspect
import sys
import tempfile
from collections import Counter
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import attrs
import httpx

if __package__ in (None, ""):  # run as `python scripts/<name>.py`: make `scripts` importable
    sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from hypothesis import HealthCheck, given, settings, strategies as st

import friendli_dedicated as fd

__all__ = ["TARGETS", "Tally", "fuzz", "hostile", "run_target"]

TOKEN = "fuzz-token"  # noqa: S105 (a dummy for a fake API)
STATUS = {"status": "RUNNING", "createdAt": "2025-01-01T00:00:00Z"}
SPEC = {
    "name": "chat",
    "gpuType": "NVIDIA H100",
    "numGpu": 1,
    "projectId": "proj",
    "creatorId": "user-1",
    "teamId": "team-1",
    "autoscalingMin": 0,
    "autoscalingMax": 1,
    "autoscalingCooldown": 300,
    "maxBatchSize": 64,
    "tokenizerSkipSpecialTokens": True,
    "tokenizerAddSpecialTokens": True,
}


class FakeAPI:
    """Answers every request of the contract with a plausible success, and counts them."""

    def __init__(self) -> None:
        self.requests = 0

    def handler(self, request: httpx.Request) -> httpx.Response:
        self.requests += 1
        path = request.url.path
        if request.method == "GET" and path.endswith("/status"):
            return httpx.Response(200, json=STATUS)
        if request.method == "GET" and path.endswith("/version"):
            return httpx.Response(200, json={"data": {}, "nextCursor": None})
        if request.method == "GET" and path == "/dedicated/beta/endpoint":
            return httpx.Response(200, json={"data": {}, "nextCursor": None})
        if request.method == "GET":
            return httpx.Response(200, json=SPEC)
        if request.method == "POST" and path.endswith("wandb-artifact-create"):
            created = {"endpointId": "ep-w", "endpointName": "w", "projectId": "p", "projectName": "p"}
            return httpx.Response(200, json={**created, "teamId": "t", "teamName": "t"})
        if request.method == "POST":
            return httpx.Response(200, json={**STATUS, "endpointId": "ep-new"})
        if request.method == "DELETE":
            return httpx.Response(204)
        if request.method == "PUT" and path.count("/") == 4:  # update: PUT /dedicated/beta/endpoint/{id}
            return httpx.Response(200, json=SPEC)
        return httpx.Response(200, json=STATUS)


# -- values -------------------------------------------------------------------------------------------
class _Weird:
    """An object no SDK parameter takes, whose repr fails."""

    def __repr__(self) -> str:
        raise RuntimeError("no repr for you")


def hostile() -> st.SearchStrategy[Any]:
    """Values no parameter should take silently: each must be accepted or refused, never crash."""
    return st.one_of(
        st.none(),
        st.booleans(),
        st.integers(),
        st.sampled_from([0, -1, 2**63, -(2**63) - 1, 10**5000, -(10**5000)]),
        st.floats(allow_nan=True, allow_infinity=True),
        st.text(max_size=20),
        st.text(alphabet=st.characters(codec="utf-8", categories=["Cc", "Cf", "Zs", "Nd", "So"]), max_size=10),
        st.sampled_from(["", " ", "\x00", "\ud800", "a" * 10_000, "../x", "a?b#c", "ep-1", "2x H100", "H100"]),
        st.binary(max_size=10),
        st.lists(st.integers(), max_size=3),
        st.dictionaries(st.text(max_size=3), st.integers(), max_size=2),
        st.sampled_from([object(), _Weird(), print, len, dt.timedelta(days=-1), dt.timedelta.max, 1j]),
        st.sampled_from([fd.GPU.H100, httpx.Timeout(None), httpx.Timeout(1.0), fd.Backoff(), fd.RetryPolicy()]),
        # Types and callables where values belong: the class ``int`` has an ``__index__`` too, and got
        # past an isinstance(value, SupportsIndex) check into a TypeError that named no parameter.
        st.sampled_from(_TYPES_AND_CALLABLES),
    )


_TYPES_AND_CALLABLES: list[object] = [
    int,
    float,
    str,
    bool,
    type,
    dt.timedelta,
    fd.GPU,
    fd.Backoff,
    fd.RetryPolicy,
    fd.Autoscaling,
    fd.InstanceOption,
    lambda: 1,
    lambda *args, **kwargs: None,
]


_DESIRED_DATA = {"projects": {"proj": {"endpoints": {"chat": {"model": "org/model", "instance": "1x H100"}}}}}
_DESIRED = fd.Desired.from_mapping(_DESIRED_DATA)
_STATE = Path(tempfile.mkdtemp(prefix="friendli-fuzz-")) / "state.json"
"""The state record of the fuzz's applies: never one in the working directory."""


# A plausible value per parameter name, so that fuzzing one argument is not drowned by refusals of
# the others. Parameters not listed get only hostile values.
PLAUSIBLE: dict[str, st.SearchStrategy[Any]] = {
    "endpoint_id": st.sampled_from(["ep-1", "ep-2"]),
    "project_id": st.sampled_from(["proj", None]),
    "name": st.sampled_from(["chat", None]),
    "model": st.just("org/model"),
    "instance": st.sampled_from(["1x H100", fd.GPU.H100, "2x H100", None]),
    "autoscaling": st.sampled_from([None, fd.Autoscaling(), fd.Autoscaling.fixed(1)]),
    "revision": st.sampled_from([None, "main"]),
    "comment": st.sampled_from([None, "note"]),
    "limit": st.integers(min_value=1, max_value=100),
    "timeout": st.sampled_from([5.0, 60, 1800.0]),
    "on_progress": st.sampled_from([None, lambda state, elapsed: None]),
    "wake": st.booleans(),
    "poll": st.sampled_from([None, fd.Backoff()]),
    "artifact": st.just("entity/project/model:v1"),
    "idempotency_key": st.sampled_from([None, "key"]),
    "max_retries": st.integers(min_value=0, max_value=3),
    "min_replicas": st.integers(min_value=0, max_value=3),
    "max_replicas": st.integers(min_value=1, max_value=10),
    "cooldown": st.sampled_from([0, 300, dt.timedelta(minutes=5)]),
    "replicas": st.integers(min_value=1, max_value=5),
    "gpu": st.sampled_from(list(fd.GPU)),
    "count": st.sampled_from([1, 2, 4, 8]),
    "text": st.sampled_from(["2x H100", "H200", "1x A100"]),
    "option_id": st.just("x"),
    "value": st.sampled_from(["2x H100", fd.GPU.H100]),
    "field": st.sampled_from(["instance", "deploy.instance"]),
    "initial": st.sampled_from([0.5, 1.0]),
    "multiplier": st.sampled_from([1.0, 2.0]),
    "maximum": st.sampled_from([10.0, 60.0]),
    "jitter": st.sampled_from([0.0, 0.5]),
    "backoff": st.sampled_from([fd.Backoff()]),
    "retry_after_cap": st.sampled_from([1.0, 60.0]),
    "token": st.just(TOKEN),
    "team_id": st.sampled_from([None, "team-1"]),
    "base_url": st.sampled_from([None, "https://api.test"]),
    "allow_insecure": st.booleans(),
    "max_batch_size": st.sampled_from([1, 64]),
    "max_token_count": st.sampled_from([1, 2560]),
    "tokenizer_add_special_tokens": st.booleans(),
    "queue_backpressure_metric_kind": st.sampled_from(["REQUEST_COUNT", None]),
    # Endpoints as code (a state path of the fuzz's own: hostile paths are only ever read, by plan and export).
    "data": st.sampled_from([_DESIRED_DATA, {"projects": {}}]),
    "desired": st.just(_DESIRED),
    "state": st.sampled_from([None, str(_STATE)]).map(lambda value: _STATE if value is None else value),
    "prune": st.booleans(),
    "parallelism": st.integers(min_value=1, max_value=20),
    "project_ids": st.sampled_from(["proj", ["proj", "other"]]),
    "plan": st.just(fd.Plan(actions=(), projects=("proj",))),
    "wait": st.booleans(),
}


# Parameters that take a callback: a class is a callable too, and what it raises when called is the
# caller's code failing, not the SDK breaking the rule (``fd.Autoscaling`` takes two arguments, so
# it passes for an on_progress, and then refuses the state it is given).
_CALLBACKS = frozenset({"on_progress"})


def argument(name: str) -> st.SearchStrategy[Any]:
    plausible = PLAUSIBLE.get(name)
    values = hostile()
    if name in _CALLBACKS:
        values = values.filter(lambda value: not isinstance(value, type))
    return values if plausible is None else st.one_of(plausible, plausible, values)


# -- targets --------------------------------------------------------------------------------------------
@attrs.frozen
class Target:
    """A public callable: how to reach it (given a fresh client), and its parameters."""

    name: str
    reach: Callable[[fd.Client, fd.AsyncClient], Callable[..., Any]]
    params: tuple[str, ...]
    is_async: bool = False
    required: tuple[str, ...] = ()
    """Parameters always passed (leaving one out is Python's TypeError, not a value to check)."""


def _params(function: Callable[..., Any], *extra: str) -> tuple[str, ...]:
    names = [
        p.name
        for p in inspect.signature(function).parameters.values()
        if p.name != "self" and p.kind is not inspect.Parameter.VAR_KEYWORD
    ]
    return (*names, *extra)


def _required(function: Callable[..., Any]) -> tuple[str, ...]:
    return tuple(
        p.name
        for p in inspect.signature(function).parameters.values()
        if p.name != "self" and p.default is inspect.Parameter.empty and p.kind is not inspect.Parameter.VAR_KEYWORD
    )


_ENGINE = ("max_batch_size", "max_token_count", "tokenizer_add_special_tokens", "queue_backpressure_metric_kind")
_METHODS = [name for name in dir(fd.Endpoints) if not name.startswith("_")]
_APPLY = tuple(name for name in _params(fd.Client.apply) if name != "state")
_HANDLE_METHODS = [
    "wait_until_running",
    "check_serving",
    "update",
    "refresh",
    "sleep",
    "wake",
    "terminate",
    "restart",
    "delete",
]


def _targets() -> list[Target]:
    targets = [
        Target("Client", lambda c, a: _closing(fd.Client), _params(fd.Client.__init__)),
        Target("AsyncClient", lambda c, a: _closing(fd.AsyncClient), _params(fd.AsyncClient.__init__)),
        Target("Client.with_options", lambda c, a: c.with_options, _params(fd.Client.with_options)),
        Target("InstanceOption", lambda c, a: fd.InstanceOption, ("gpu", "count"), required=("gpu", "count")),
        Target("InstanceOption.parse", lambda c, a: fd.InstanceOption.parse, ("text", "field"), required=("text",)),
        Target(
            "InstanceOption.from_id",
            lambda c, a: fd.InstanceOption.from_id,
            ("option_id", "field"),
            required=("option_id",),
        ),
        Target("InstanceOption.coerce", lambda c, a: fd.InstanceOption.coerce, ("value", "field"), required=("value",)),
        Target(
            "InstanceOption.unlisted", lambda c, a: fd.InstanceOption.unlisted, ("option_id",), required=("option_id",)
        ),
        Target("Autoscaling", lambda c, a: fd.Autoscaling, ("min_replicas", "max_replicas", "cooldown")),
        Target("Autoscaling.fixed", lambda c, a: fd.Autoscaling.fixed, ("replicas",), required=("replicas",)),
        Target("Autoscaling.scale_to_zero", lambda c, a: fd.Autoscaling.scale_to_zero, ("max_replicas", "cooldown")),
        Target("Autoscaling.always_on", lambda c, a: fd.Autoscaling.always_on, _params(fd.Autoscaling.always_on)),
        Target("Backoff", lambda c, a: fd.Backoff, ("initial", "multiplier", "maximum", "jitter")),
        Target("RetryPolicy", lambda c, a: fd.RetryPolicy, ("max_retries", "backoff", "retry_after_cap")),
        Target("Desired.from_mapping", lambda c, a: fd.Desired.from_mapping, ("data",), required=("data",)),
        Target("Desired.load", lambda c, a: fd.Desired.load, ("path",), required=("path",)),
        Target("Plan.load", lambda c, a: fd.Plan.load, ("path",), required=("path",)),
        Target("StateFile", lambda c, a: fd.StateFile, ("path",)),
        Target("Client.plan", lambda c, a: c.plan, _params(fd.Client.plan), required=("desired",)),
        Target("AsyncClient.plan", lambda c, a: a.plan, _params(fd.Client.plan), is_async=True, required=("desired",)),
        Target("Client.export", lambda c, a: c.export, _params(fd.Client.export), required=("project_ids",)),
        Target(
            "AsyncClient.export",
            lambda c, a: a.export,
            _params(fd.Client.export),
            is_async=True,
            required=("project_ids",),
        ),
        # apply writes its state record and lock: always in the fuzz's own folder.
        Target("Client.apply", lambda c, a: functools.partial(c.apply, state=_STATE), _APPLY, required=("plan",)),
        Target(
            "AsyncClient.apply",
            lambda c, a: functools.partial(a.apply, state=_STATE),
            _APPLY,
            is_async=True,
            required=("plan",),
        ),
    ]
    for method in _METHODS:
        function = getattr(fd.Endpoints, method)
        extra = _ENGINE if method in ("create", "update", "ephemeral") else ()
        params = _params(function, *extra)
        required = _required(function)
        targets.append(Target(f"endpoints.{method}", _resource_method(method, sync=True), params, required=required))
        targets.append(
            Target(
                f"async endpoints.{method}",
                _resource_method(method, sync=False),
                params,
                is_async=True,
                required=required,
            )
        )
    for method in _HANDLE_METHODS:
        function = getattr(fd.Endpoint, method)
        params = _params(function, *(_ENGINE if method == "update" else ()))
        targets.append(Target(f"Endpoint.{method}", _handle_method(method), params))
    return targets


def _resource_method(method: str, *, sync: bool) -> Callable[[fd.Client, fd.AsyncClient], Callable[..., Any]]:
    def reach(client: fd.Client, aclient: fd.AsyncClient) -> Callable[..., Any]:
        return getattr(client.endpoints if sync else aclient.endpoints, method)  # type: ignore[no-any-return]

    return reach


def _handle_method(method: str) -> Callable[[fd.Client, fd.AsyncClient], Callable[..., Any]]:
    def reach(client: fd.Client, _aclient: fd.AsyncClient) -> Callable[..., Any]:
        return getattr(client.endpoints.get_handle("ep-1"), method)  # type: ignore[no-any-return]

    return reach


def _closing(cls: type[Any]) -> Callable[..., Any]:
    def build(**kwargs: Any) -> None:
        client = cls(**kwargs)
        result = client.close()
        if inspect.isawaitable(result):
            asyncio.run(_await(result))

    return build


async def _await(awaitable: Any) -> Any:
    return await awaitable


TARGETS: list[Target] = _targets()
"""Every public callable this fuzz reaches."""


# -- running ----------------------------------------------------------------------------------------
@attrs.define
class Tally:
    """What the fuzz saw: calls, their outcomes, and the findings (calls that broke the rule)."""

    calls: int = 0
    outcomes: Counter[str] = attrs.field(factory=Counter)
    findings: list[str] = attrs.field(factory=list)
    sent_before_refusal: int = 0


def _consume(result: Any) -> Any:
    if isinstance(result, Iterator):
        return list(result)
    return result


async def _consume_async(result: Any) -> Any:
    if inspect.isawaitable(result):
        result = await result
    if hasattr(result, "__aiter__"):
        return [item async for item in result]
    return result


def run_target(target: Target, arguments: dict[str, Any], tally: Tally) -> None:
    """Call ``target`` with ``arguments`` on fresh clients; record the outcome in ``tally``."""
    api = FakeAPI()
    clock = _Clock()
    transport = httpx.MockTransport(api.handler)  # answers sync and async clients alike
    shared: dict[str, Any] = {"token": TOKEN, "base_url": "https://api.test", "clock": clock}
    client = fd.Client(**shared, http_client=httpx.Client(transport=transport), sleep=clock.sleep)
    aclient = fd.AsyncClient(**shared, http_client=httpx.AsyncClient(transport=transport), sleep=clock.async_sleep)
    tally.calls += 1
    try:
        function = target.reach(client, aclient)
        if target.is_async:
            asyncio.run(_consume_async(function(**arguments)))
        else:
            _consume(function(**arguments))
    except (fd.InvalidInputError, fd.ConfigurationError) as refusal:
        tally.outcomes["refused"] += 1
        if api.requests:
            tally.sent_before_refusal += 1
            tally.findings.append(f"{target.name}: refused after {api.requests} request(s): {refusal}")
        if not isinstance(getattr(refusal, "field", None), str) or not str(refusal):
            tally.findings.append(f"{target.name}: a refusal without a field: {refusal!r}")
    except fd.FriendliError as error:
        tally.outcomes[f"api:{type(error).__name__}"] += 1
    except Exception as exc:  # the finding this fuzz is for
        tally.outcomes["finding"] += 1
        tally.findings.append(f"{target.name}({_describe(arguments)}): {type(exc).__name__}: {_safe(exc)}")
    else:
        tally.outcomes["ok"] += 1


class _Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.now += seconds

    async def async_sleep(self, seconds: float) -> None:
        self.now += seconds


def _safe(value: object) -> str:
    try:
        return str(value)[:200]
    except Exception:
        return f"<{type(value).__name__}>"


def _describe(arguments: dict[str, Any]) -> str:
    return ", ".join(f"{key}={_safe(type(value).__name__)}" for key, value in arguments.items())


def arguments_for(target: Target) -> st.SearchStrategy[dict[str, Any]]:
    """Keyword arguments for ``target``: its required ones and any subset of the rest, each plausible or hostile."""
    return st.fixed_dictionaries(
        {name: argument(name) for name in target.required},
        optional={name: argument(name) for name in target.params if name not in target.required},
    )


def fuzz(examples: int, tally: Tally) -> None:
    """Run every target ``examples`` times (hypothesis, derandomized)."""
    for target in TARGETS:
        _fuzz_one(target, examples, tally)


def _fuzz_one(target: Target, examples: int, tally: Tally) -> None:
    @settings(
        max_examples=examples,
        deadline=None,
        derandomize=True,
        database=None,
        suppress_health_check=list(HealthCheck),
    )
    @given(arguments=arguments_for(target))
    def check(arguments: dict[str, Any]) -> None:
        run_target(target, arguments, tally)

    check()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Fuzz every public callable with hostile arguments.")
    parser.add_argument("--examples", type=int, default=2000, help="hypothesis examples per callable")
    args = parser.parse_args(argv)
    tally = Tally()
    fuzz(args.examples, tally)
    print(f"callables: {len(TARGETS)}; calls: {tally.calls}")
    for outcome, count in sorted(tally.outcomes.items()):
        print(f"  {outcome}: {count}")
    print(f"exceptions outside the rule: {tally.outcomes['finding']}")
    print(f"requests sent before a refusal: {tally.sent_before_refusal}")
    for finding in tally.findings[:50]:
        print("  FINDING", finding)
    return 1 if tally.findings else 0


if __name__ == "__main__":
    raise SystemExit(main())
