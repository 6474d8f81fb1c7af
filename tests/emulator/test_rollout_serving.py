"""Verified rollouts wait until the new version serves, not only until it says RUNNING (``serving``).

A version that runs but does not answer is played by a transport that wraps the emulator's and
answers its tokenizations (the serving check) itself, from the update until the rollback's update;
everything runs in-process on a ``ManualClock``.
"""

from __future__ import annotations

import asyncio
import json
from pathlib import Path
from typing import Any

import httpx
import pytest

import friendli_dedicated as fd
from friendli_dedicated.emulator import DEFAULT_TEAM, DEFAULT_TOKEN, Emulator, ManualClock
from friendli_dedicated.emulator._inprocess import BASE_URL

MODEL = "org/model"


class Mute:
    """The emulator, but one endpoint's tokenizations are answered ``status`` (503: warming up; 400: a
    refusal) after its first update and until the next (a rollback's): its new version does not answer."""

    def __init__(self, emu: Emulator, status: int = 503) -> None:
        self.inner = emu.transport().handler
        self.status, self.target = status, ""
        self.updates, self.muted = 0, 0

    def handle(self, request: httpx.Request) -> httpx.Response:
        path = request.url.path
        if request.method == "PUT" and path.count("/") == 4 and path.endswith("/" + self.target):
            self.updates += 1
        if path.endswith("/tokenize") and json.loads(request.content)["model"] == self.target and self.updates == 1:
            self.muted += 1
            return httpx.Response(self.status, json={"detail": "not answering"}, request=request)
        response = self.inner(request)
        assert isinstance(response, httpx.Response)  # the emulator's handler answers at once
        return response

    def client(self, emu: Emulator) -> fd.Client:
        http = httpx.Client(transport=httpx.MockTransport(self.handle))
        return fd.Client(
            token=DEFAULT_TOKEN,
            team_id=DEFAULT_TEAM,
            base_url=BASE_URL,
            allow_insecure=True,
            http_client=http,
            clock=emu.clock,
            sleep=emu.sleep,
        )

    def async_client(self, emu: Emulator) -> fd.AsyncClient:
        http = httpx.AsyncClient(transport=httpx.MockTransport(self.handle))
        return fd.AsyncClient(
            token=DEFAULT_TOKEN,
            team_id=DEFAULT_TEAM,
            base_url=BASE_URL,
            allow_insecure=True,
            http_client=http,
            clock=emu.clock,
            sleep=emu.async_sleep,
        )


def running(client: fd.Client, mute: Mute, name: str = "chat") -> fd.Endpoint:
    endpoint = client.endpoints.create("proj", name, MODEL, "1x H100").wait_until_running(timeout=1800)
    mute.target = endpoint.id
    return endpoint


def assert_rolled_back_for_not_serving(result: fd.Rollout, reason: str = "warming_up") -> None:
    assert (result.outcome, result.failure) == ("rolled_back", "not_serving")
    assert [v.version_id for v in (result.previous, result.new, result.rollback_version) if v] == ["v1", "v2", "v3"]
    error: BaseException | None = result.error
    if reason == "warming_up":  # it was waited for until the deadline: the timeout, its cause the last check
        assert isinstance(error, fd.WaitTimeoutError)
        assert "RUNNING, but it did not answer (the last check: warming_up)" in str(error)
        error = error.__cause__
    assert isinstance(error, fd.EndpointNotServingError)
    assert error.reason == reason
    assert "did not serve" in result.summary()
    assert "rolled back to v1 as v3" in result.summary()
    assert result.to_json()["failure"] == "not_serving"
    assert result.state is not None
    assert result.state.status is fd.Status.RUNNING


def test_a_new_version_that_runs_but_never_answers_is_rolled_back_at_the_deadline() -> None:
    emu = Emulator(clock=ManualClock())
    mute = Mute(emu)
    with mute.client(emu) as client:
        ep = running(client, mute)
        start = emu.clock()
        result = ep.rollout(max_batch_size=64, timeout=120)
        assert_rolled_back_for_not_serving(result)
        assert mute.muted > 1  # asked again while it ran, until the deadline
        assert client.endpoints.get(ep.id).max_batch_size == 256
        # The new version's wait kept its deadline; the rollback's (as long) ended when v3 answered.
        assert emu.clock() - start <= 2 * 120 + 1e-6
        with pytest.raises(fd.RolloutError, match="did not serve"):
            result.raise_for_failure()


def test_a_new_version_that_refuses_while_running_is_rolled_back_without_waiting_out_the_timeout() -> None:
    emu = Emulator(clock=ManualClock())
    mute = Mute(emu, status=400)
    with mute.client(emu) as client:
        ep = running(client, mute)
        start = emu.clock()
        result = ep.rollout(max_batch_size=64, timeout=1800)
        assert_rolled_back_for_not_serving(result, "needs_action")
        assert emu.clock() - start < 300  # the update's 30 s, one pause, the rollback's 30 s: not 1800


def test_serving_false_ends_the_wait_at_running_and_rolls_out() -> None:
    emu = Emulator(clock=ManualClock())
    mute = Mute(emu)
    with mute.client(emu) as client:
        ep = running(client, mute)
        result = client.endpoints.rollout(ep.id, max_batch_size=64, timeout=120, serving=False)
        assert (result.outcome, result.error) == ("rolled_out", None)
        assert mute.muted == 0
        assert [r for r in emu.requests if r.operation == "dedicatedTokenization"] == []
        assert client.endpoints.get(ep.id).max_batch_size == 64


def test_without_rollback_the_version_that_does_not_answer_is_left_and_says_why() -> None:
    emu = Emulator(clock=ManualClock())
    mute = Mute(emu)
    with mute.client(emu) as client:
        ep = running(client, mute)
        result = ep.rollout(max_batch_size=64, timeout=60, rollback=False)
        assert (result.outcome, result.failure) == ("not_rolled_back", "not_serving")
        assert client.endpoints.get(ep.id).max_batch_size == 64


def test_the_async_client_rolls_back_a_version_that_does_not_answer_the_same() -> None:
    emu = Emulator(clock=ManualClock())
    mute = Mute(emu)

    async def scenario() -> tuple[fd.Rollout, fd.Rollout]:
        async with mute.async_client(emu) as client:
            ep = await client.endpoints.create("proj", "chat", MODEL, "1x H100")
            await ep.wait_until_running(timeout=1800)
            mute.target = ep.id
            rolled_back = await ep.rollout(max_batch_size=64, timeout=120)
            mute.updates = 5  # answers again: with serving=False, nothing asks anyway
            rolled_out = await client.endpoints.rollout(ep.id, max_batch_size=32, timeout=120, serving=False)
            return rolled_back, rolled_out

    rolled_back, rolled_out = asyncio.run(scenario())
    assert_rolled_back_for_not_serving(rolled_back)
    assert rolled_out.outcome == "rolled_out"


@pytest.mark.parametrize("value", ["yes", 1, None])
def test_a_bad_serving_is_refused_as_the_flag_it_is_before_any_request(value: Any) -> None:
    emu = Emulator(clock=ManualClock())
    with emu.client() as client:
        ep = client.endpoints.create("proj", "chat", MODEL, "1x H100").wait_until_running(timeout=1800)
        before = len(emu.requests)
        with pytest.raises(fd.InvalidInputError) as refused:
            client.endpoints.rollout(ep.id, max_batch_size=64, serving=value)
        with pytest.raises(fd.InvalidInputError) as refused_by_handle:
            ep.rollout(max_batch_size=64, serving=value)
        assert len(emu.requests) == before

    async def refused_async() -> fd.InvalidInputError:
        async with emu.async_client() as client:
            with pytest.raises(fd.InvalidInputError) as caught:
                await client.endpoints.rollout(ep.id, max_batch_size=64, serving=value)
            return caught.value

    for error in (refused.value, refused_by_handle.value, asyncio.run(refused_async())):
        assert error.field == "serving"
        assert "must be True or False" in error.message  # the argument's check, not an unknown engine option
    assert len(emu.requests) == before


# -- apply -----------------------------------------------------------------------------------------------
def desired(batch: int) -> fd.Desired:
    endpoint: dict[str, Any] = {"model": MODEL, "instance": "1x H100", "engine": {"max_batch_size": batch}}
    return fd.Desired.from_mapping({"projects": {"proj": {"endpoints": {"chat": endpoint, "other": dict(endpoint)}}}})


def test_apply_checks_that_an_update_serves_and_rolls_back_one_that_does_not(tmp_path: Path) -> None:
    emu, state = Emulator(clock=ManualClock()), tmp_path / "state.json"
    mute = Mute(emu)
    with mute.client(emu) as client:
        assert client.apply(client.plan(desired(64), state=state)).ok
        plan = client.plan(desired(128), state=state)
        ids = {a.name: a.endpoint_id or "" for a in plan.actions}
        mute.target = ids["chat"]
        start = emu.clock()
        # One at a time: on a ManualClock, one job's emulated sleep would pass another's request deadline.
        result = client.apply(plan, timeout=300, parallelism=1)
        outcomes = {a.name: (a.outcome, a.status) for a in result.actions}
        assert outcomes == {"chat": ("rolled_back", "RUNNING"), "other": ("done", "RUNNING")}
        chat = next(a for a in result.actions if a.name == "chat")
        assert chat.rollout is not None
        assert chat.rollout.failure == "not_serving"
        assert mute.muted > 1
        # The checks kept the wait's deadline: the new version's, then the rollback's (as long).
        assert emu.clock() - start <= 2 * 300 + 1e-6
        assert client.endpoints.get(ids["chat"]).max_batch_size == 64
        assert client.endpoints.get(ids["other"]).max_batch_size == 128
        checked = {r.body["model"] for r in emu.requests_for("dedicatedTokenization") if r.body is not None}
        assert ids["other"] in checked  # the endpoint that answered was asked too
