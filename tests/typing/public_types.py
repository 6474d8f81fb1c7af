"""What type checkers see of the public API, checked by mypy --strict (``nox -s typecheck``).

Never run: each line states a type (``assert_type``) or an expected rejection (``# type: ignore[code]``;
strict mode's unused-ignore check fails if the rejection goes away).
"""

from __future__ import annotations

from typing import assert_type

import friendli_dedicated as fd


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
