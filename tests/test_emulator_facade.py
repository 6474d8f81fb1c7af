"""The SDK (``fd.Client`` / ``fd.AsyncClient``) against the emulator in-process, on a manual clock."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

import friendli_dedicated as fd
from friendli_dedicated import _requests as requests_
from friendli_dedicated._transport import Call
from friendli_dedicated.emulator import DEFAULT_TEAM, Emulator, Faults, ManualClock


def test_create_then_wait_until_running() -> None:
    clock = ManualClock()
    emu = Emulator(clock=clock)
    progress: list[tuple[str, str | None]] = []
    with emu.client() as client:
        ep = client.endpoints.create("proj", "chat", "org/model", fd.InstanceOption(fd.GPU.H100, 2))
        assert ep.id in emu.endpoint_ids()
        ep.wait_until_running(
            timeout=600, on_progress=lambda s, _t: progress.append((s.status.value, s.phase and s.phase.value))
        )
        assert ep.state is not None
        assert ep.state.status is fd.Status.RUNNING
        assert progress == [
            ("INITIALIZING", "REQUESTING_VIRTUAL_MACHINE"),
            ("INITIALIZING", "DOWNLOADING_MODEL"),
            ("INITIALIZING", "ENGINE_INITIALIZING"),
            ("RUNNING", None),
        ]
        assert ep.spec().num_gpu == 2
        client.endpoints.update(ep.id, name="renamed", max_batch_size=16)
        assert [v.spec.name for v in client.endpoints.versions(ep.id, limit=1)] == ["chat", "renamed"]
        ep.wait_until_running(timeout=600).sleep()
        ep.wait_until_running(timeout=600, wake=True)
        ep.terminate()
        with pytest.raises(fd.EndpointStoppedError):
            ep.wait_until_running(timeout=600)
        ep.delete()
        with pytest.raises(fd.NotFoundError):
            ep.refresh()
    assert emu.stats.duplicate_creates() == {}


def test_failure_surfaces_as_endpoint_failed_error() -> None:
    emu = Emulator(clock=ManualClock())
    with emu.client() as client:
        ep = client.endpoints.create("p", "bad", "emulator/fail-INFERENCE_ENGINE_MEMORY_ERROR", "H100")
        with pytest.raises(fd.EndpointFailedError) as failed:
            ep.wait_until_running(timeout=600)
    assert (failed.value.error_code, failed.value.phase) == ("INFERENCE_ENGINE_MEMORY_ERROR", "ENGINE_INITIALIZING")


def test_errors_map_to_the_sdk_exceptions() -> None:
    emu = Emulator(clock=ManualClock(), tokens={"t": ["a", "b"]})
    with emu.client(token="nope") as client, pytest.raises(fd.AuthenticationError):
        client.endpoints.status("ep-1")
    with emu.client(token="t", team_id="zzz") as client, pytest.raises(fd.PermissionDeniedError):
        client.endpoints.status("ep-1")
    with emu.client(token="t") as client:
        ep = client.endpoints.create("p", "n", "m", "H100")
        with pytest.raises(fd.BadRequestError):
            ep.restart()
        assert [e.id for e in client.endpoints.list(limit=100)] == [ep.id]
        with pytest.raises(fd.ValidationError) as invalid:  # the facade checks limits itself: bypass it
            client._send(_bad_limit_call())
        assert invalid.value.detail[0].loc == ("query", "limit")
    with emu.client(token="t", team_id="b") as client, pytest.raises(fd.NotFoundError):
        client.endpoints.status(ep.id)


def _bad_limit_call() -> Call[Any]:

    return requests_.list_page(None, None, 500, None)


def test_wandb_idempotent_create_through_the_facade() -> None:
    emu = Emulator(clock=ManualClock())
    with emu.client() as client:
        first = client.endpoints.create_from_wandb("e/p/m:v1", project_id="p", idempotency_key="k")
        second = client.endpoints.create_from_wandb("e/p/m:v2", project_id="p", idempotency_key="k")
    assert first.id == second.id
    assert emu.stats.creates == {(DEFAULT_TEAM, "p", "m-v1"): 1}


def test_retries_through_faults_never_create_twice() -> None:
    emu = Emulator(clock=ManualClock(), faults=Faults(rate=0.3, seed=3))
    created, refused = 0, 0
    with emu.client(max_retries=5) as client:
        for n in range(15):
            try:
                ep = client.endpoints.create("p", f"e{n}", "m", "H100")
            except (fd.APIError, fd.TransportError, fd.EndpointCreationUnresolvedError):
                refused += 1
                continue
            created += 1
            assert ep.id in emu.endpoint_ids()
    assert created > 0
    assert sum(emu.stats.faults.values()) > 0
    assert emu.stats.duplicate_creates() == {}


def test_async_client() -> None:
    emu = Emulator(clock=ManualClock())

    async def scenario() -> fd.Status:
        async with emu.async_client() as client:
            ep = await client.endpoints.create("p", "n", "m", "H100")
            await ep.wait_until_running(timeout=600)
            ids = [e.id async for e in client.endpoints.list("p")]
            assert ids == [ep.id]
            assert ep.state is not None
            return ep.state.status

    assert asyncio.run(scenario()) is fd.Status.RUNNING
