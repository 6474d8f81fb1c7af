"""What type checkers see of the public API, checked by mypy --strict (``nox -s typecheck``).

Never run: each line states a type (``assert_type``) or an expected rejection (``# type: ignore[code]``;
strict mode's unused-ignore check fails if the rejection goes away).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, assert_type

import openai

import friendli_dedicated as fd

if TYPE_CHECKING:  # names for type checkers only: no classes at run time
    from friendli_dedicated import AsyncObservedEndpoint, ObservedEndpoint, RunningEndpoint


def updates(endpoint: fd.Endpoint) -> None:
    assert_type(endpoint.update(max_batch_size=64, comment="bigger", instance=fd.GPU.H100), fd.Endpoint)
    endpoint.update(max_batch_size="64")  # type: ignore[arg-type]
    endpoint.update(max_batch_sise=64)  # type: ignore[call-arg]
    changes: fd.EndpointChanges = {"max_batch_size": 64, "autoscaling": fd.Autoscaling.fixed(2)}
    endpoint.update(**changes)
    endpoint.update(**fd.EndpointChanges(nmae="chat"))  # type: ignore[typeddict-unknown-key]


async def async_updates(endpoint: fd.AsyncEndpoint) -> None:
    assert_type(await endpoint.update(max_batch_size=64), fd.AsyncEndpoint)
    await endpoint.update(comment=3)  # type: ignore[arg-type]


def states_after_a_wait(endpoint: fd.Endpoint) -> None:
    print(endpoint.state.status)  # type: ignore[union-attr]  # Optional before a wait
    running = endpoint.wait_until_running(timeout=60)
    assert_type(running, fd.RunningEndpoint)
    assert_type(running.state, fd.EndpointState)
    assert_type(running.state.status, fd.Status)


def per_call_options(client: fd.Client) -> None:
    assert_type(client.with_options(timeout=5.0, max_retries=0), fd.Client)
    client.with_options(max_retries="3")  # type: ignore[arg-type]


def keyword_only_clients() -> None:
    assert_type(fd.Client(token="flp_x", team_id="team", timeout=30), fd.Client)
    fd.Client("flp_x")  # type: ignore[call-arg]
    fd.AsyncClient("flp_x", "team")  # type: ignore[call-arg]


def public_values(issue: fd.ValidationIssue, error: fd.ValidationError) -> None:
    assert_type(error.detail, list[fd.ValidationIssue])
    assert_type(fd.SPEC_PIN, fd.ContractPin)  # deprecated, not in __all__, still typed


def specifications(client: fd.Client, endpoint: fd.Endpoint) -> None:
    spec = client.endpoints.get("ep-1")
    assert_type(spec, fd.EndpointSpec)
    assert_type(endpoint.spec(), fd.EndpointSpec)
    assert_type(client.endpoints.update("ep-1", max_batch_size=64), fd.EndpointSpec)
    assert_type(spec.max_batch_size, int)
    assert_type(spec.instance, fd.InstanceOption | fd.UnlistedInstanceOption | None)
    assert_type(spec.autoscaling, fd.Autoscaling | None)
    for version in client.endpoints.versions("ep-1", limit=5, page_size=10):
        assert_type(version.spec, fd.EndpointSpec)


def return_kinds(client: fd.Client, endpoint: fd.Endpoint) -> None:
    # client.endpoints answers with data; a handle with itself.
    assert_type(client.endpoints.wait_until_running("ep-1"), fd.EndpointState)
    assert_type(client.endpoints.sleep("ep-1"), fd.EndpointState)
    assert_type(endpoint.sleep(), fd.ObservedEndpoint)
    assert_type(endpoint.refresh(), fd.ObservedEndpoint)
    assert_type(endpoint.name, str | None)


def states_after_an_action(endpoint: fd.Endpoint) -> None:
    # The actions that set state from the API's answer return a handle whose state is known.
    for acted in (endpoint.refresh(), endpoint.sleep(), endpoint.wake(), endpoint.terminate(), endpoint.restart()):
        assert_type(acted, fd.ObservedEndpoint)
        assert_type(acted.state, fd.EndpointState)
    ended = endpoint.terminate().wait_until(fd.Status.TERMINATED, timeout=60)
    assert_type(ended.state.status, fd.Status)
    # update leaves state as it was: possibly never seen.
    assert_type(endpoint.update(comment="x").state, fd.EndpointState | None)
    # A running or listed handle is an observed one.
    running: ObservedEndpoint = endpoint.wait_until_running()
    listed: fd.ObservedEndpoint = next(iter(fd.Client().endpoints.list("proj")))
    print(running.state.status, listed.state.status)
    plain: fd.Endpoint = running  # and still an Endpoint
    observed: fd.ObservedEndpoint = plain  # type: ignore[assignment]  # an Endpoint's state may be None
    print(observed)


async def async_states_after_an_action(endpoint: fd.AsyncEndpoint) -> None:
    assert_type(await endpoint.refresh(), fd.AsyncObservedEndpoint)
    assert_type(await endpoint.sleep(), fd.AsyncObservedEndpoint)
    assert_type(await endpoint.wake(), fd.AsyncObservedEndpoint)
    assert_type(await endpoint.terminate(), fd.AsyncObservedEndpoint)
    assert_type(await endpoint.restart(), fd.AsyncObservedEndpoint)
    ended = await (await endpoint.terminate()).wait_until(fd.Status.TERMINATED, timeout=60)
    assert_type(ended, fd.AsyncObservedEndpoint)
    assert_type(ended.state, fd.EndpointState)
    running: AsyncObservedEndpoint = await endpoint.wait_until_running()
    assert_type(running.state.status, fd.Status)


def listings(client: fd.Client) -> None:
    for listed in client.endpoints.list("proj", limit=3, page_size=50):
        assert_type(listed, fd.ListedEndpoint)
        assert_type(listed.state, fd.EndpointState)
    client.endpoints.list(limit="3")  # type: ignore[arg-type]
    client.endpoints.list(page_size=None)  # type: ignore[arg-type]


def annotated_with_a_name_for_type_checkers(endpoint: RunningEndpoint) -> str:
    return endpoint.state.status.value  # no None check needed


def finding_and_waiting_for_any_status(client: fd.Client, endpoint: fd.Endpoint) -> None:
    assert_type(client.endpoints.find("proj", "chat"), fd.Endpoint | None)
    print(client.endpoints.find("proj", "chat").id)  # type: ignore[union-attr]  # None when there is none
    assert_type(client.endpoints.create("proj", "chat", "org/model", "H100", exist_ok=True), fd.Endpoint)
    assert_type(endpoint.wait_until(fd.Status.TERMINATED, timeout=60), fd.ObservedEndpoint)
    assert_type(client.endpoints.wait_until("ep-1", "SLEEPING"), fd.EndpointState)
    assert_type(
        client.endpoints.wait_all([endpoint], until=fd.Status.TERMINATED).reached, Mapping[str, fd.EndpointState]
    )


async def async_finding(client: fd.AsyncClient) -> None:
    assert_type(await client.endpoints.find("proj", "chat"), fd.AsyncEndpoint | None)


def endpoints_as_code(client: fd.Client, state: fd.StateFile) -> None:
    desired = fd.Desired.load("endpoints.yaml")
    plan = client.plan(desired, state=state, prune=True)
    assert_type(plan, fd.Plan)
    assert_type(plan.exit_code(detailed=True), int)
    assert_type(client.apply(plan, state="endpoints.state.json", parallelism=4), fd.ApplyResult)
    assert_type(client.export(["proj"]), fd.Desired)
    client.plan(desired.to_mapping())  # type: ignore[arg-type]
    client.apply(plan, on_progress=lambda action: print(action.outcome, action.status))


async def async_endpoints_as_code(client: fd.AsyncClient) -> None:
    plan = await client.plan(fd.Desired.from_mapping({"projects": {}}))
    assert_type(await client.apply(plan, wait=False), fd.ApplyResult)
    assert_type(await client.export("proj"), fd.Desired)


def costs(client: fd.Client) -> None:
    import datetime as dt
    from decimal import Decimal

    report = client.costs(dt.date(2026, 1, 1), dt.date(2026, 2, 1), project_id="proj")
    assert_type(report, fd.CostReport)
    assert_type(report.total, Decimal)
    assert_type(report.by_endpoint(), dict[str, Decimal])
    assert_type(report.by_project(), dict[str | None, Decimal])
    entry = report.entries[0]
    assert_type(entry, fd.CostEntry)
    assert_type(entry.amount, Decimal)
    assert_type(entry.day, dt.date)
    assert_type(entry.endpoint_id, str | None)
    client.costs("2026-01-01", "2026-02-01")  # type: ignore[arg-type]


async def async_costs(client: fd.AsyncClient) -> None:
    import datetime as dt

    assert_type(await client.costs(dt.date(2026, 1, 1), dt.date(2026, 1, 2), join=False), fd.CostReport)


def short_lived_and_serving(client: fd.Client) -> None:
    with client.endpoints.ephemeral("evals", "judge", "org/model", "H100", max_batch_size=64) as endpoint:
        assert_type(endpoint, RunningEndpoint)
        assert_type(endpoint.state.status, fd.Status)  # known: the block starts once it serves
        assert_type(endpoint.check_serving(timeout=5), fd.Endpoint)
        assert_type(endpoint.inference_base_url, str)
        assert_type(endpoint.openai_client(max_retries=0), openai.OpenAI)
        assert_type(endpoint.async_openai_client(), openai.AsyncOpenAI)
    client.endpoints.ephemeral("evals", "judge", "org/model", "H100", wait_terminated=1)  # type: ignore[arg-type]
    assert_type(client.endpoints.check_serving("ep-1"), None)
    assert_type(client.endpoints.wait_until_running("ep-1", serving=True), fd.EndpointState)


async def async_short_lived(client: fd.AsyncClient) -> None:
    async with client.endpoints.ephemeral("evals", "judge", "org/model", "H100") as endpoint:
        assert_type(endpoint.state.status, fd.Status)
        assert_type(await endpoint.check_serving(), fd.AsyncEndpoint)
