"""Verified rollouts against the emulator: rolled out, rolled back (a failure, a timeout, a silent
revert), not rolled back, a rollback that fails, an update that was never made; and apply's updates.

Everything runs in-process on a ``ManualClock``. A silent revert (the API answers the update but the
endpoint keeps its old specification) and a reply lost after the update was made are played by
transports that wrap the emulator's.
"""

from __future__ import annotations

import asyncio
import json
import pickle
from pathlib import Path
from typing import Any

import httpx
import pytest

import friendli_dedicated as fd
from friendli_dedicated.emulator import DEFAULT_TEAM, DEFAULT_TOKEN, Emulator, ManualClock
from friendli_dedicated.emulator._inprocess import BASE_URL

MODEL = "org/model"
OOM = "INFERENCE_ENGINE_MEMORY_ERROR"
TOKENIZE = "dedicatedTokenization"


def running(emu: Emulator, client: fd.Client, name: str = "chat", **options: Any) -> fd.Endpoint:
    return client.endpoints.create("proj", name, MODEL, "1x H100", **options).wait_until_running(timeout=1800)


def sent(emu: Emulator, since: int) -> list[tuple[str, str | None]]:
    return [(r.method, r.facade_name) for r in emu.requests[since:]]


def puts(emu: Emulator, since: int = 0) -> list[dict[str, Any]]:
    return [r.body for r in emu.requests[since:] if r.facade_name == "update" and r.body is not None]


def test_a_good_rollout_reports_both_versions_and_what_it_checked() -> None:
    emu = Emulator(clock=ManualClock())
    with emu.client() as client:
        ep = running(emu, client)
        before = len(emu.requests)
        seen: list[tuple[str, str]] = []
        result = ep.rollout(
            max_batch_size=64,
            autoscaling=fd.Autoscaling(min_replicas=1, max_replicas=3, cooldown=60),
            comment="bigger batches",
            on_progress=lambda stage, state, _elapsed: seen.append((stage, state.status.value)),
        )
        assert result.ok
        assert result.outcome == "rolled_out"
        assert result.exit_code == 0
        assert result.raise_for_failure() is result
        assert (result.previous and result.previous.version_id, result.new and result.new.version_id) == ("v1", "v2")
        assert result.previous is not None
        assert result.previous.spec.max_batch_size == 256
        assert dict(result.requested) == {
            "autoscaling_min": 1,
            "autoscaling_max": 3,
            "autoscaling_cooldown": 60,
            "max_batch_size": 64,
        }
        assert (dict(result.mismatches), result.unverified, result.rollback_version) == ({}, (), None)
        assert seen == [("rolling_out", "UPDATING"), ("rolling_out", "RUNNING")]
        assert ep.state is not None
        assert ep.state.status is fd.Status.RUNNING
        # The history (one page), the update (the tokenizer flags an engine block needs read first, as
        # update() does), the history again from where it ended, the polls, the check that it serves
        # (one tokenization, once RUNNING), the read-back.
        requests = sent(emu, before)
        assert requests[:4] == [("GET", "versions"), ("GET", "get"), ("PUT", "update"), ("GET", "versions")]
        assert requests[-1] == ("GET", "get")
        assert emu.requests[-2].operation == TOKENIZE
        assert set(requests[4:-2]) == {("GET", "status")}
        assert "v2 rolled out (was v1)" in result.summary()


@pytest.mark.parametrize("when", ["armed before the update", "while it rolls out"])
def test_a_new_version_that_fails_is_rolled_back_and_the_result_says_so(when: str) -> None:
    emu = Emulator(clock=ManualClock())
    with emu.client() as client:
        ep = running(emu, client, max_batch_size=128)
        if when == "armed before the update":
            emu.fail(ep.id, OOM)

        def progress(stage: str, state: fd.EndpointState, elapsed: float) -> None:
            if when != "armed before the update" and (stage, state.status) == ("rolling_out", fd.Status.UPDATING):
                emu.fail(ep.id, OOM)

        result = client.endpoints.rollout(ep.id, max_batch_size=512, instance="2x H100", on_progress=progress)
        assert (result.outcome, result.rolled_back, result.ok, result.failure) == ("rolled_back", True, False, "failed")
        assert isinstance(result.error, fd.EndpointFailedError)
        assert result.error.error_code == OOM
        assert result.previous is not None
        assert result.new is not None
        assert result.rollback_version is not None
        assert [result.previous.version_id, result.new.version_id, result.rollback_version.version_id] == [
            "v1",
            "v2",
            "v3",
        ]
        assert (result.new.spec.max_batch_size, result.new.spec.num_gpu) == (512, 2)
        assert result.state is not None
        assert result.state.status is fd.Status.RUNNING
        assert result.rollback_error is None
        assert dict(result.rollback_mismatches) == {}
        assert result.unrestored == ()
        spec = client.endpoints.get(ep.id)  # the previous specification, serving again
        assert (spec.max_batch_size, spec.num_gpu) == (128, 1)
        assert puts(emu)[-1]["newVersionComment"] == "rollback to v1"
        assert "v2 did not serve" in result.summary()
        assert "rolled back to v1 as v3" in result.summary()
        with pytest.raises(fd.RolloutError) as raised:
            result.raise_for_failure()
        assert raised.value.rollout is result
        assert raised.value.__cause__ is result.error
        assert pickle.loads(pickle.dumps(raised.value)).rollout.outcome == "rolled_back"
        assert result.to_json()["outcome"] == "rolled_back"
        assert json.dumps(result.to_json())  # JSON all the way down


class SilentRevert(httpx.BaseTransport):
    """The emulator's transport, but the specification read after an update shows the old batch size:
    the update was answered, then quietly undone."""

    def __init__(self, emu: Emulator) -> None:
        self.inner, self.reverting = emu.transport(), False
        self.old: int | None = None

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        response = self.inner.handle_request(request)
        is_spec = request.url.path.count("/") == 4 and request.url.path.startswith("/dedicated/beta/endpoint/")
        if request.method == "PUT" and is_spec:
            self.reverting = True
        elif request.method == "GET" and is_spec and self.reverting and self.old is not None:
            body = json.loads(response.read())
            body["maxBatchSize"] = self.old
            return httpx.Response(200, json=body)
        return response


def client_on(emu: Emulator, transport: httpx.BaseTransport) -> fd.Client:
    return fd.Client(
        token=DEFAULT_TOKEN,
        team_id=DEFAULT_TEAM,
        base_url=BASE_URL,
        allow_insecure=True,
        http_client=httpx.Client(transport=transport),
        clock=emu.clock,
        sleep=emu.sleep,
    )


def test_a_silent_revert_is_caught_as_a_mismatch_and_rolled_back() -> None:
    emu = Emulator(clock=ManualClock())
    transport = SilentRevert(emu)
    with client_on(emu, transport) as client:
        ep = running(emu, client)
        transport.old = 256
        result = ep.rollout(max_batch_size=64)
        assert (result.outcome, result.failure, result.error) == ("rolled_back", "mismatch", None)
        assert dict(result.mismatches) == {"max_batch_size": (64, 256)}
        assert "max_batch_size is 256 (asked 64)" in result.summary()
        assert result.restored["max_batch_size"] == 256
        assert [body.get("advanced", {}).get("max_batch_size") for body in puts(emu)] == [64, 256]


def test_a_new_version_that_times_out_is_rolled_back_within_both_deadlines() -> None:
    emu = Emulator(clock=ManualClock())  # an update takes 30 s
    with emu.client() as client:
        ep = running(emu, client)
        start = emu.clock()
        result = ep.rollout(max_batch_size=64, timeout=10, rollback_timeout=600)
        assert (result.outcome, result.failure) == ("rolled_back", "timed_out")
        assert isinstance(result.error, fd.WaitTimeoutError)
        assert emu.clock() - start <= 10 + 30 + 1  # the first wait's deadline, then the rollback's update
        assert client.endpoints.get(ep.id).max_batch_size == 256

        short = ep.rollout(max_batch_size=32, timeout=5)  # the rollback gets 5 s too: not enough
        assert (short.outcome, short.failure) == ("rollback_failed", "timed_out")
        assert isinstance(short.rollback_error, fd.WaitTimeoutError)
        assert "the rollback to v3 failed too" in short.summary()


def test_rollback_false_leaves_the_failed_version() -> None:
    emu = Emulator(clock=ManualClock())
    with emu.client() as client:
        ep = running(emu, client)
        emu.fail(ep.id, OOM)
        before = len(emu.requests)
        result = ep.rollout(max_batch_size=64, rollback=False)
        assert (result.outcome, result.failure, result.rollback_version) == ("not_rolled_back", "failed", None)
        assert result.restored == {}
        assert result.exit_code == 1
        assert [m for m, name in sent(emu, before) if name == "update"] == ["PUT"]  # no rollback sent
        assert client.endpoints.status(ep.id).status is fd.Status.FAILED
        assert client.endpoints.get(ep.id).max_batch_size == 64


def test_a_rollback_that_fails_is_reported_with_both_errors() -> None:
    emu = Emulator(clock=ManualClock())
    with emu.client() as client:
        ep = running(emu, client)
        emu.fail(ep.id, OOM)

        def progress(stage: str, state: fd.EndpointState, elapsed: float) -> None:
            if (stage, state.status) == ("rolling_back", fd.Status.UPDATING):
                emu.fail(ep.id, "INFERENCE_ENGINE_UNKNOWN_ERROR")

        result = ep.rollout(max_batch_size=64, on_progress=progress)
        assert result.outcome == "rollback_failed"
        assert isinstance(result.error, fd.EndpointFailedError)
        assert result.error.error_code == OOM
        assert isinstance(result.rollback_error, fd.EndpointFailedError)
        assert result.rollback_error.error_code == "INFERENCE_ENGINE_UNKNOWN_ERROR"
        assert result.rollback_version is not None
        assert result.rollback_version.version_id == "v3"

        emu.fail(ep.id, OOM)
        emu.inject("update", 500, times=2)  # answers the next update (the rollout's own) and the rollback's
        refused = ep.rollout(max_batch_size=32)
        assert refused.outcome == "not_updated"  # the first 500: nothing made, nothing to roll back
        assert isinstance(refused.error, fd.ServerError)


def test_an_update_that_is_refused_changes_nothing_and_waits_for_nothing() -> None:
    emu = Emulator(clock=ManualClock())
    with emu.client() as client:
        ep = running(emu, client)
        ep.terminate()
        emu.advance(60)
        before = len(emu.requests)
        result = ep.rollout(max_batch_size=64)
        assert (result.outcome, result.failure, result.new) == ("not_updated", "update_failed", None)
        assert isinstance(result.error, fd.BadRequestError)
        assert sent(emu, before) == [("GET", "versions"), ("GET", "get"), ("PUT", "update")]
        assert "not updated" in result.summary()

        emu.inject("update", "drop")  # no answer, and the emulator made nothing: the history says so
        fresh = running(emu, client, "fresh")
        lost = fresh.rollout(max_batch_size=64)
        assert lost.outcome == "not_updated"
        assert isinstance(lost.error, fd.TransportError)
        assert [v.version_id for v in client.endpoints.versions(fresh.id)] == ["v1"]


class LoseTheReply(httpx.BaseTransport):
    """The emulator's transport, but the reply to the first update is lost after the update was made."""

    def __init__(self, emu: Emulator) -> None:
        self.inner, self.lost = emu.transport(), False

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        response = self.inner.handle_request(request)
        if request.method == "PUT" and not self.lost and request.url.path.count("/") == 4:
            self.lost = True
            raise httpx.ReadError("the connection broke after the update was sent", request=request)
        return response


def test_an_update_whose_reply_was_lost_is_found_in_the_history_and_verified() -> None:
    emu = Emulator(clock=ManualClock())
    with client_on(emu, LoseTheReply(emu)) as client:
        ep = running(emu, client)
        result = ep.rollout(max_batch_size=64)
        assert result.outcome == "rolled_out"
        assert result.new is not None
        assert result.new.version_id == "v2"


def test_the_model_is_sent_back_only_when_the_previous_one_is_known() -> None:
    emu = Emulator(clock=ManualClock())
    with emu.client() as client:
        ep = running(emu, client)
        served = ep.rollout(model="org/big", max_batch_size=64)
        assert served.outcome == "rolled_out"
        assert served.unverified == ("model",)  # the specification does not show it
        emu.fail(ep.id, OOM)
        unknown = ep.rollout(model="org/bigger", max_batch_size=32)
        assert unknown.outcome == "rolled_back"
        assert unknown.unverified == ("max_batch_size", "model")  # it never served: nothing was read back
        assert unknown.unrestored == ("model",)
        assert "not restored: model" in unknown.summary()
        assert "hfModelRepo" not in puts(emu)[-1]

        emu.fail(ep.id, OOM)
        known = ep.rollout(model="org/biggest", previous_model=MODEL, revision="v2", previous_revision="main")
        assert known.outcome == "rolled_back"
        assert known.unrestored == ()
        assert (known.restored["model"], known.restored["revision"]) == (MODEL, "main")
        assert (puts(emu)[-1]["hfModelRepo"], puts(emu)[-1]["hfModelRepoRevision"]) == (MODEL, "main")


def test_a_rollback_sends_back_the_instance_and_scaling_in_the_form_they_had() -> None:
    emu = Emulator(clock=ManualClock())
    with emu.client() as client:
        ep = running(emu, client)  # one replica, fixed
        emu.fail(ep.id, OOM)
        scaling = fd.Autoscaling(min_replicas=0, max_replicas=2, cooldown=60)
        result = ep.rollout(autoscaling=scaling, instance="2x H100")
        assert result.outcome == "rolled_back"
        assert result.unrestored == ()  # a fixed count restores the policy's cooldown too
        spec = client.endpoints.get(ep.id)
        assert (spec.autoscaling, spec.num_gpu) == (fd.Autoscaling.fixed(1), 1)
        assert puts(emu)[-1]["simplescale"] == {"replicas": 1}


def test_bad_arguments_are_refused_before_any_request() -> None:
    emu = Emulator(clock=ManualClock())
    with emu.client() as client:
        ep = running(emu, client)
        before = len(emu.requests)
        cases: list[tuple[dict[str, Any], str]] = [
            ({}, "update"),
            ({"max_batch_size": 64, "timeout": None}, "timeout"),
            ({"max_batch_size": 64, "rollback_timeout": -1}, "rollback_timeout"),
            # 0 s: the update sent, timed out at once, and rolled back; nothing but cost
            ({"max_batch_size": 64, "timeout": 0}, "timeout"),
            ({"max_batch_size": 64, "rollback_timeout": 0}, "rollback_timeout"),
            ({"max_batch_size": 64, "rollback": "yes"}, "rollback"),
            ({"max_batch_size": 64, "previous_model": 3}, "previous_model"),
            ({"max_batch_size": 64, "on_progress": lambda state: None}, "on_progress"),
            ({"max_batch_size": 64, "poll": 2}, "poll"),
            ({"max_batch_size": "64"}, "max_batch_size"),
            ({"no_such_option": 1}, "no_such_option"),
        ]
        for arguments, field in cases:
            with pytest.raises(fd.InvalidInputError) as refused:
                client.endpoints.rollout(ep.id, **arguments)
            assert refused.value.field == field, arguments
        with pytest.raises(fd.InvalidInputError):
            client.endpoints.rollout("../x", max_batch_size=64)
        assert len(emu.requests) == before


def test_the_async_client_rolls_back_the_same() -> None:
    emu = Emulator(clock=ManualClock())

    async def scenario() -> fd.Rollout:
        async with emu.async_client() as client:
            ep = await client.endpoints.create("proj", "chat", MODEL, "1x H100")
            await ep.wait_until_running(timeout=1800)
            emu.fail(ep.id, OOM)
            return await ep.rollout(max_batch_size=64)

    result = asyncio.run(scenario())
    assert result.outcome == "rolled_back"
    assert [v.version_id for v in (result.previous, result.new, result.rollback_version) if v] == ["v1", "v2", "v3"]


# -- apply -----------------------------------------------------------------------------------------------
def desired(batch: int) -> fd.Desired:
    return fd.Desired.from_mapping(
        {
            "projects": {
                "proj": {
                    "endpoints": {
                        "chat": {"model": MODEL, "instance": "1x H100", "engine": {"max_batch_size": batch}},
                        "other": {"model": MODEL, "instance": "1x H100", "engine": {"max_batch_size": batch}},
                    }
                }
            }
        }
    )


def test_apply_rolls_a_failing_update_back_and_its_result_and_exit_code_say_so(tmp_path: Path) -> None:
    emu, state = Emulator(clock=ManualClock()), tmp_path / "state.json"
    with emu.client() as client:
        assert client.apply(client.plan(desired(64), state=state)).ok
        plan = client.plan(desired(128), state=state)
        ids = {a.name: a.endpoint_id for a in plan.actions}
        assert [a.action for a in plan.actions] == ["update", "update"]
        emu.fail(ids["chat"] or "", OOM)
        result = client.apply(plan)
        outcomes = {a.name: (a.outcome, a.status) for a in result.actions}
        assert outcomes == {"chat": ("rolled_back", "RUNNING"), "other": ("done", "RUNNING")}
        assert not result.ok
        assert result.exit_code == 1
        assert result.counts()["rolled_back"] == 1
        assert "1 rolled back" in result.summary()
        chat = next(a for a in result.actions if a.name == "chat")
        assert chat.rollout is not None
        assert chat.rollout.failure == "failed"
        assert "rolled back to v1 as v3" in (chat.error or "")
        assert result.to_json()[0]["rollout"]["outcome"] == "rolled_back"
        assert client.endpoints.get(ids["chat"] or "").max_batch_size == 64
        assert client.endpoints.get(ids["other"] or "").max_batch_size == 128
        again = client.plan(desired(128), state=state)  # the file still asks for it: planned again
        assert {a.name: a.action for a in again.actions} == {"chat": "update", "other": "noop"}
        assert client.apply(again).ok


def test_apply_without_rollback_leaves_the_failed_version_and_fails(tmp_path: Path) -> None:
    emu, state = Emulator(clock=ManualClock()), tmp_path / "state.json"
    with emu.client() as client:
        client.apply(client.plan(desired(64), state=state))
        plan = client.plan(desired(128), state=state)
        chat = next(a.endpoint_id for a in plan.actions if a.name == "chat") or ""
        emu.fail(chat, OOM)
        result = client.apply(plan, rollback=False)
        outcome = next(a for a in result.actions if a.name == "chat")
        assert (outcome.outcome, outcome.status) == ("failed", "FAILED")
        assert outcome.rollout is not None
        assert outcome.rollout.outcome == "not_rolled_back"
        assert result.exit_code == 1
        assert client.endpoints.get(chat).max_batch_size == 128
        with pytest.raises(fd.InvalidInputError, match="rollback"):
            client.apply(plan, rollback="no")  # type: ignore[arg-type]


def test_apply_records_the_model_a_rollback_could_not_send_back(tmp_path: Path) -> None:
    emu, state = Emulator(clock=ManualClock()), tmp_path / "state.json"
    with emu.client() as client:
        made = running(emu, client)  # made outside the file: the record does not know its model
        changed = fd.Desired.from_mapping(
            {"projects": {"proj": {"endpoints": {"chat": {"model": "org/new", "instance": "1x H100"}}}}}
        )
        plan = client.plan(changed, state=state)
        assert plan.actions[0].unknown == ("model",)
        emu.fail(made.id, OOM)
        result = client.apply(plan)
        rollout = result.actions[0].rollout
        assert rollout is not None
        assert rollout.outcome == "rolled_back"
        assert rollout.unrestored == ("model",)
        # The endpoint runs the new model still: the record says so, and the next plan has nothing to send.
        entry = fd.StateFile(state).read(DEFAULT_TEAM).entries[("proj", "chat")]
        assert entry.applied == {"model": "org/new"}
        assert [a.action for a in client.plan(changed, state=state).actions] == ["noop"]


class RefuseTheRollback(httpx.BaseTransport):
    """The emulator's transport, but the second update (a rollback's) is answered 500 and not made."""

    def __init__(self, emu: Emulator) -> None:
        self.inner, self.updates = emu.transport(), 0

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        if request.method == "PUT" and request.url.path.count("/") == 4:
            self.updates += 1
            if self.updates == 2:
                return httpx.Response(500, json={"detail": "no"})
        return self.inner.handle_request(request)


def test_apply_forgets_what_it_cannot_know_after_a_rollback_that_failed(tmp_path: Path) -> None:
    emu, state = Emulator(clock=ManualClock()), tmp_path / "state.json"
    with emu.client() as setup:
        assert setup.apply(setup.plan(desired(64), state=state)).ok
    changed = desired(128).to_mapping()
    changed["projects"]["proj"]["endpoints"]["chat"]["model"] = "org/new"
    del changed["projects"]["proj"]["endpoints"]["other"]
    with client_on(emu, RefuseTheRollback(emu)) as client:
        plan = client.plan(fd.Desired.from_mapping(changed), state=state)
        [action] = [a for a in plan.actions if a.name == "chat"]
        assert action.endpoint_id is not None
        emu.fail(action.endpoint_id, OOM)
        result = client.apply(plan)
        [chat] = [a for a in result.actions if a.name == "chat"]
        assert chat.outcome == "failed"
        assert chat.rollout is not None
        assert chat.rollout.outcome == "rollback_failed"
        assert isinstance(chat.rollout.rollback_error, fd.ServerError)
        entry = fd.StateFile(state).read(DEFAULT_TEAM).entries[("proj", "chat")]
        assert "model" not in entry.applied  # which model runs is not known any more
        again = next(a for a in client.plan(fd.Desired.from_mapping(changed), state=state).actions if a.name == "chat")
        assert "model" in again.unknown
