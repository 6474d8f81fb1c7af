"""The SDK (``fd.Client`` / ``fd.AsyncClient``) against the emulator in-process, on a manual clock."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

import friendli_dedicated as fd
from friendli_dedicated import _calls as calls
from friendli_dedicated._transport import Call
from friendli_dedicated.emulator import DEFAULT_TEAM, Emulator, ManualClock


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
        assert [v.spec.name for v in client.endpoints.versions(ep.id, page_size=1)] == ["chat", "renamed"]
        ep.wait_until_running(timeout=600).sleep()
        ep.wait_until_running(timeout=600, wake=True)
        ep.terminate()
        with pytest.raises(fd.EndpointStoppedError):
            ep.wait_until_running(timeout=600)
        ep.delete()
        with pytest.raises(fd.NotFoundError):
            ep.refresh()


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

    return calls.list_page(None, None, 500, None)


def test_wandb_idempotent_create_through_the_facade() -> None:
    emu = Emulator(clock=ManualClock())
    with emu.client() as client:
        first = client.endpoints.create_from_wandb("e/p/m:v1", project_id="p", idempotency_key="k")
        second = client.endpoints.create_from_wandb("e/p/m:v2", project_id="p", idempotency_key="k")
    assert first.id == second.id
    assert emu.stats.creates == {(DEFAULT_TEAM, "p", "m-v1"): 1}


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


# -- what a wait sees on the way (moved here from the loopback tests, which raced real time) ----------
DEPLOY = [
    ("INITIALIZING", "REQUESTING_VIRTUAL_MACHINE"),
    ("INITIALIZING", "DOWNLOADING_MODEL"),
    ("INITIALIZING", "ENGINE_INITIALIZING"),
    ("RUNNING", None),
]
WAKE = [("SLEEPING", None), ("AWAKING", None), ("RUNNING", None)]
EVERY_SECOND = fd.Backoff(initial=1.0, multiplier=1.0, maximum=1.0, jitter=0.0)


class Progress:
    """An ``on_progress`` that records (status, phase, elapsed)."""

    def __init__(self) -> None:
        self.seen: list[tuple[str, str | None, float]] = []

    def __call__(self, state: fd.EndpointState, elapsed: float) -> None:
        self.seen.append((state.status.value, state.phase.value if state.phase is not None else None, elapsed))

    @property
    def keys(self) -> list[tuple[str, str | None]]:
        return [(status, phase) for status, phase, _ in self.seen]


@pytest.mark.parametrize("poll", [None, EVERY_SECOND], ids=["default-poll", "every-second"])
def test_a_wait_sees_each_phase_once_in_order_with_the_servers_timestamps(poll: fd.Backoff | None) -> None:
    emu = Emulator(clock=ManualClock())
    progress = Progress()
    with emu.client() as client:
        ep = client.endpoints.create("proj", "phases", "org/model", "H100")
        sent = len(emu.requests)
        state = client.endpoints.wait_until_running(ep.id, timeout=600, on_progress=progress, poll=poll)
    assert state.status is fd.Status.RUNNING
    assert progress.keys == DEPLOY  # every phase, once each, however slowly it polls
    elapsed = [e for _, _, e in progress.seen]
    assert elapsed == sorted(elapsed)
    assert elapsed[-1] == 90.0  # 15 + 45 + 30 s of the emulator's default timings
    # The timestamps are the server's: RUNNING since exactly the planned 90 s after creation.
    assert state.created_at is not None
    assert state.updated_at is not None
    assert (state.updated_at - state.created_at).total_seconds() == 90.0
    polls = [r for r in emu.requests[sent:] if r.facade_name == "status"]
    if poll is EVERY_SECOND:  # on_progress is called on changes only: far fewer calls than polls
        assert len(polls) > len(progress.seen) + 5


def test_a_wait_that_wakes_reports_sleeping_awaking_running_and_wakes_once() -> None:
    emu = Emulator(clock=ManualClock())
    progress = Progress()
    with emu.client() as client:
        ep = client.endpoints.create("proj", "wake-me", "org/model", "H100").wait_until_running(timeout=600)
        ep.sleep()
        sent = len(emu.requests)
        state = client.endpoints.wait_until_running(ep.id, timeout=600, wake=True, on_progress=progress)
    assert state.status is fd.Status.RUNNING
    assert progress.keys == WAKE
    assert [r.facade_name for r in emu.requests[sent:]].count("wake") == 1


def test_a_failed_deployment_is_last_reported_failed_in_its_phase() -> None:
    emu = Emulator(clock=ManualClock())
    progress = Progress()
    with emu.client() as client:
        ep = client.endpoints.create("proj", "oom", "emulator/fail-INFERENCE_ENGINE_MEMORY_ERROR", "H100")
        with pytest.raises(fd.EndpointFailedError):
            ep.wait_until_running(timeout=600, on_progress=progress)
    assert progress.keys[:-1] == DEPLOY[:-1]
    assert progress.keys[-1] == ("FAILED", "ENGINE_INITIALIZING")


def test_scale_to_zero_sleeps_by_itself_after_its_cooldown_and_a_wait_wakes_it() -> None:
    emu = Emulator(clock=ManualClock())
    with emu.client() as client:
        autoscaling = fd.Autoscaling.scale_to_zero(cooldown=60)
        ep = client.endpoints.create("proj", "s2z", "org/model", "H100", autoscaling=autoscaling)
        ep.wait_until_running(timeout=600, wake=True)
        running_since = emu.clock()
        emu.advance(59)
        assert ep.refresh().state is not None
        assert ep.state.status is fd.Status.RUNNING
        emu.advance(1)
        assert ep.refresh().state.status is fd.Status.SLEEPING
        assert emu.clock() - running_since == 60
        with pytest.raises(fd.EndpointStoppedError):
            ep.wait_until_running(timeout=600)
        ep.wait_until_running(timeout=600, wake=True)
        assert ep.state.status is fd.Status.RUNNING


def test_async_waits_see_the_same_phases() -> None:
    emu = Emulator(clock=ManualClock())
    deploy, wake = Progress(), Progress()

    async def scenario() -> None:
        async with emu.async_client() as client:
            ep = await client.endpoints.create("proj", "async", "org/model", "H100")
            await client.endpoints.wait_until_running(ep.id, timeout=600, on_progress=deploy)
            await client.endpoints.sleep(ep.id)
            await client.endpoints.wait_until_running(ep.id, timeout=600, wake=True, on_progress=wake)

    asyncio.run(scenario())
    assert deploy.keys == DEPLOY
    assert wake.keys == WAKE


def test_the_emulators_clients_keep_the_sdks_default_deadline() -> None:
    # Not the 5 s of the httpx client they are built on: that one is the kit's, not the caller's.
    emulator = Emulator(clock=ManualClock())
    with emulator.client() as client:
        assert client.timeout == fd.Client(token="t").timeout == 60.0
    assert emulator.async_client().timeout == 60.0
    assert emulator.client(timeout=5).timeout == 5.0
