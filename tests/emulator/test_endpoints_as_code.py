"""Endpoints as code against the emulator: plan, apply, plan again; drift; saved plans; prune; failures.

Everything runs in-process on a ``ManualClock`` (no real time). Requests are counted in the emulator's
log: a "write" is any request that is not a GET.
"""

from __future__ import annotations

import asyncio
from pathlib import Path

import attrs
import pytest

import friendli_dedicated as fd
from friendli_dedicated.emulator import Emulator, ManualClock

MODEL = "org/model"


def emulator() -> Emulator:
    return Emulator(clock=ManualClock(), request_log=None)


def two_projects() -> fd.Desired:
    return fd.Desired.from_mapping(
        {
            "projects": {
                "alpha": {
                    "endpoints": {
                        "chat": {
                            "model": MODEL,
                            "revision": "main",
                            "instance": "1x H100",
                            "autoscaling": {"min": 1, "max": 3, "cooldown": 120},
                            "engine": {"max_batch_size": 64, "max_token_count": 4096},
                        },
                        "embed": {"model": "org/embed", "instance": "2x H100"},
                    }
                },
                "beta": {"endpoints": {"batch": {"model": MODEL, "instance": "H200", "autoscaling": {"replicas": 2}}}},
            }
        }
    )


def writes(emu: Emulator, since: int = 0) -> list[tuple[str, str | None]]:
    return [(r.method, r.facade_name) for r in emu.requests[since:] if r.method != "GET"]


def names_in(emu: Emulator, client: fd.Client, project: str) -> list[str]:
    return sorted(
        client.endpoints.get(ep.id).name
        for ep in client.endpoints.list(project)
        if ep.state.status.value not in ("TERMINATED", "TERMINATING")
    )


def test_plan_apply_plan_again_converges_with_no_write(tmp_path: Path) -> None:
    emu, state = emulator(), tmp_path / "state.json"
    desired = two_projects()
    with emu.client() as client:
        plan = client.plan(desired, state=state)
        assert [(a.project_id, a.name, a.action) for a in plan.actions] == [
            ("alpha", "chat", "create"),
            ("alpha", "embed", "create"),
            ("beta", "batch", "create"),
        ]
        assert plan.exit_code(detailed=True) == 2
        assert writes(emu) == []  # a plan sends nothing that writes

        result = client.apply(plan)
        assert result.ok, result.render()
        assert {a.outcome for a in result.actions} == {"done"}
        assert {a.status for a in result.actions} == {"RUNNING"}

        before = len(emu.requests)
        again = client.plan(desired, state=state)
        assert [a.action for a in again.actions] == ["noop"] * 3
        assert again.exit_code(detailed=True) == 0
        applied = client.apply(again)
        assert applied.ok
        assert writes(emu, before) == []  # nothing to do: not one write
        assert names_in(emu, client, "alpha") == ["chat", "embed"]
        assert names_in(emu, client, "beta") == ["batch"]
        spec = client.endpoints.get(plan_id(again, "chat"))
        assert (spec.autoscaling_min, spec.autoscaling_max, spec.autoscaling_cooldown, spec.max_batch_size) == (
            1,
            3,
            120,
            64,
        )
        assert client.endpoints.get(plan_id(again, "batch")).autoscaling == fd.Autoscaling.fixed(2)


def plan_id(plan: fd.Plan, name: str) -> str:
    [endpoint_id] = [a.endpoint_id for a in plan.actions if a.name == name]
    assert endpoint_id is not None
    return endpoint_id


def test_a_change_made_outside_shows_in_the_plan_naming_the_field_and_apply_restores_it(tmp_path: Path) -> None:
    emu, state = emulator(), tmp_path / "state.json"
    desired = two_projects()
    with emu.client() as client:
        client.apply(client.plan(desired, state=state))
        chat = plan_id(client.plan(desired, state=state), "chat")
        client.endpoints.update(
            chat, max_batch_size=128, autoscaling=fd.Autoscaling(min_replicas=1, max_replicas=3, cooldown=60)
        )
        drift = client.plan(desired, state=state)
        [changed] = [a for a in drift.actions if a.action == "update"]
        assert changed.name == "chat"
        assert dict(changed.changes) == {"engine.max_batch_size": (128, 64), "autoscaling.cooldown": (60, 120)}
        assert "engine.max_batch_size: 128 -> 64" in drift.render()
        before = len(emu.requests)
        assert client.apply(drift).ok
        [put] = [r for r in emu.requests[before:] if r.method == "PUT"]
        # Only what changed is sent (and the tokenizer flags the contract requires in an engine block, as they are).
        assert set(put.body) == {"advanced", "autoscalingPolicy"}
        assert put.body["advanced"]["max_batch_size"] == 64
        assert "max_token_count" not in put.body["advanced"]
        assert put.body["autoscalingPolicy"] == {"minReplica": 1, "maxReplica": 3, "cooldownPeriod": 120}
        assert [a.action for a in client.plan(desired, state=state).actions] == ["noop"] * 3


def test_an_update_resets_nothing_it_was_not_asked_to(tmp_path: Path) -> None:
    emu, state = emulator(), tmp_path / "state.json"
    with emu.client() as client:
        # Made outside, with settings the file will not state.
        made = client.endpoints.create(
            "alpha", "chat", MODEL, "1x H100", max_input_length=512, max_context_length=4096, max_batch_size=32
        )
        made.wait_until_running(timeout=1800)
        desired = fd.Desired.from_mapping(
            {
                "projects": {
                    "alpha": {
                        "endpoints": {"chat": {"model": MODEL, "instance": "1x H100", "engine": {"max_batch_size": 64}}}
                    }
                }
            }
        )
        plan = client.plan(desired, state=state)
        [action] = plan.actions
        assert action.action == "update"
        assert action.endpoint_id == made.id  # adopted by name, not duplicated
        assert action.unknown == ("model",)  # the API cannot say which model runs: never "no change"
        assert action.changes["model"] == (None, MODEL)
        assert "model: (unknown: not readable, not recorded)" in plan.render()
        assert client.apply(plan).ok
        spec = client.endpoints.get(made.id)
        assert (spec.max_batch_size, spec.max_input_length, spec.max_context_length) == (64, 512, 4096)
        assert len(emu.endpoint_ids()) == 1


def test_a_field_taken_out_of_the_file_keeps_its_value_and_the_plan_says_so(tmp_path: Path) -> None:
    emu, state = emulator(), tmp_path / "state.json"
    desired = two_projects()
    with emu.client() as client:
        client.apply(client.plan(desired, state=state))
        lighter = desired.to_mapping()
        del lighter["projects"]["alpha"]["endpoints"]["chat"]["engine"]
        plan = client.plan(fd.Desired.from_mapping(lighter), state=state)
        chat = next(a for a in plan.actions if a.name == "chat")
        assert chat.action == "noop"
        assert dict(chat.released) == {"engine.max_batch_size": 64, "engine.max_token_count": 4096}
        assert "engine.max_batch_size: no longer in the file; keeps 64" in plan.render()
        before = len(emu.requests)
        assert client.apply(plan).ok
        assert writes(emu, before) == []
        assert client.endpoints.get(chat.endpoint_id or "").max_batch_size == 64  # kept
        assert (
            next(
                a for a in client.plan(fd.Desired.from_mapping(lighter), state=state).actions if a.name == "chat"
            ).released
            == {}
        )


def test_a_saved_plan_is_refused_once_what_it_planned_against_changed(tmp_path: Path) -> None:
    emu, state, saved = emulator(), tmp_path / "state.json", tmp_path / "plan.json"
    desired = two_projects()
    with emu.client() as client:
        client.apply(client.plan(desired, state=state))
        changed = desired.to_mapping()
        changed["projects"]["alpha"]["endpoints"]["chat"]["engine"]["max_batch_size"] = 96
        client.plan(fd.Desired.from_mapping(changed), state=state).save(saved)
        chat = plan_id(client.plan(desired, state=state), "chat")
        client.endpoints.update(chat, max_batch_size=100)  # the world moves between plan and apply
        before = len(emu.requests)
        with pytest.raises(fd.PlanStaleError, match="alpha/chat: the specification of ep-") as refused:
            client.apply(fd.Plan.load(saved))
        assert refused.value.changes == (f"alpha/chat: the specification of {chat} changed since the plan",)
        assert writes(emu, before) == []

        client.plan(fd.Desired.from_mapping(changed), state=state).save(saved)
        assert client.apply(fd.Plan.load(saved)).ok  # a fresh one applies, from the file alone
        with pytest.raises(fd.PlanStaleError, match="state record changed"):
            client.apply(fd.Plan.load(saved))  # the same plan again: the record moved since
        assert client.endpoints.get(chat).max_batch_size == 96


def test_a_create_is_refused_when_an_endpoint_of_its_name_appeared(tmp_path: Path) -> None:
    emu, state = emulator(), tmp_path / "state.json"
    with emu.client() as client:
        plan = client.plan(two_projects(), state=state)
        client.endpoints.create("beta", "batch", MODEL, "H200")
        with pytest.raises(fd.PlanStaleError, match="beta/batch: an endpoint of that name exists now"):
            client.apply(plan)
        assert len(emu.endpoint_ids()) == 1


def test_prune_terminates_only_in_the_projects_of_the_file_and_spares_protected_ones(tmp_path: Path) -> None:
    emu, state = emulator(), tmp_path / "state.json"
    with emu.client() as client:
        stray = client.endpoints.create("alpha", "stray", MODEL, "1x H100")
        elsewhere = client.endpoints.create("gamma", "other", MODEL, "1x H100")
        first = two_projects().to_mapping()
        first["projects"]["alpha"]["endpoints"]["keep"] = {
            "model": MODEL,
            "instance": "1x H100",
            "delete_protection": True,
        }
        client.apply(client.plan(fd.Desired.from_mapping(first), state=state))
        without = two_projects()  # "keep" is gone from the file, but the record protects it
        left_alone = client.plan(without, state=state)
        assert {(a.name, a.reason) for a in left_alone.unmanaged} >= {("stray", "not in the file")}
        assert left_alone.exit_code(detailed=True) == 0
        pruning = client.plan(without, state=state, prune=True)
        by_name = {a.name: a for a in pruning.actions}
        assert by_name["stray"].action == "terminate"
        assert by_name["keep"].action == "error"
        assert "delete_protection" in (by_name["keep"].reason or "")
        assert pruning.exit_code(detailed=True) == 1
        result = client.apply(pruning)
        assert {a.name: a.outcome for a in result.actions}["stray"] == "done"
        assert not result.ok  # the protected one is reported, not terminated
        assert client.endpoints.status(stray.id).status.value in ("TERMINATING", "TERMINATED")
        assert client.endpoints.status(elsewhere.id).status.value != "TERMINATING"
        keep = next(a for a in pruning.actions if a.name == "keep").endpoint_id
        assert client.endpoints.status(keep or "").status.value == "RUNNING"


def test_a_terminated_endpoint_is_not_there_for_a_plan_its_name_is_created_again(tmp_path: Path) -> None:
    emu, state = emulator(), tmp_path / "state.json"
    desired = two_projects()
    with emu.client() as client:
        client.apply(client.plan(desired, state=state))
        batch = plan_id(client.plan(desired, state=state), "batch")
        client.endpoints.terminate(batch)
        plan = client.plan(desired, state=state)
        action = next(a for a in plan.actions if a.name == "batch")
        assert (action.action, action.endpoint_id) == ("create", None)
        assert f"the recorded endpoint {batch} no longer exists" in plan.render()
        result = client.apply(plan)
        assert result.ok
        assert next(a for a in result.actions if a.name == "batch").endpoint_id != batch
        assert [a.action for a in client.plan(desired, state=state).actions] == ["noop"] * 3


def test_two_endpoints_of_one_name_stop_that_endpoint_only(tmp_path: Path) -> None:
    emu, state = emulator(), tmp_path / "state.json"
    with emu.client() as client:
        first = client.endpoints.create("alpha", "chat", MODEL, "1x H100")
        second = client.endpoints.create("alpha", "chat", MODEL, "1x H100")
        plan = client.plan(two_projects(), state=state)
        chat = next(a for a in plan.actions if a.name == "chat")
        assert chat.action == "error"
        assert first.id in (chat.reason or "")
        assert second.id in (chat.reason or "")
        result = client.apply(plan)
        assert {a.name: a.outcome for a in result.actions} == {"chat": "skipped", "embed": "done", "batch": "done"}
        assert result.exit_code == 1
        assert len(emu.endpoint_ids()) == 4  # nothing made for the ambiguous name


def test_one_failed_endpoint_does_not_stop_the_others(tmp_path: Path) -> None:
    emu, state = emulator(), tmp_path / "state.json"
    desired = two_projects().to_mapping()
    desired["projects"]["alpha"]["endpoints"]["broken"] = {
        "model": "emulator/fail-INFERENCE_ENGINE_MEMORY_ERROR",
        "instance": "1x H100",
    }
    with emu.client() as client:
        result = client.apply(client.plan(fd.Desired.from_mapping(desired), state=state))
        outcomes = {a.name: (a.outcome, a.status) for a in result.actions}
        assert outcomes["broken"] == ("failed", "FAILED")
        assert "INFERENCE_ENGINE_MEMORY_ERROR" in (next(a for a in result.actions if a.name == "broken").error or "")
        assert {outcomes[name] for name in ("chat", "embed", "batch")} == {("done", "RUNNING")}
        assert result.exit_code == 1
        assert "broken" in result.render()
        assert [a["outcome"] for a in result.to_json() if a["name"] == "broken"] == ["failed"]


def test_the_async_client_plans_and_applies_the_same(tmp_path: Path) -> None:
    emu, state = emulator(), tmp_path / "state.json"

    async def run() -> tuple[fd.Plan, fd.ApplyResult, fd.Plan, fd.Desired]:
        async with emu.async_client() as client:
            plan = await client.plan(two_projects(), state=state)
            result = await client.apply(plan, parallelism=2)
            return (
                plan,
                result,
                await client.plan(two_projects(), state=state),
                await client.export(["alpha", "beta"], state=state),
            )

    plan, result, again, exported = asyncio.run(run())
    assert [a.action for a in plan.actions] == ["create"] * 3
    assert result.ok
    assert [a.action for a in again.actions] == ["noop"] * 3
    assert exported.get("alpha", "chat") is not None
    assert exported.get("alpha", "chat").model == MODEL  # from the record  # type: ignore[union-attr]
    assert exported.get("beta", "batch").autoscaling == {"min": 2, "max": 2, "cooldown": 0}  # type: ignore[union-attr]


def test_export_marks_the_model_unknown_where_nothing_says_it_and_adopts_in_one_step(tmp_path: Path) -> None:
    emu, state = emulator(), tmp_path / "state.json"
    with emu.client() as client:
        client.endpoints.create("alpha", "chat", MODEL, "2x H100", max_batch_size=64).wait_until_running(timeout=1800)
        exported = client.export("alpha", state=state)
        chat = exported.get("alpha", "chat")
        assert chat is not None
        assert chat.model is None
        assert chat.instance == fd.InstanceOption.parse("2x H100")
        assert "model: null" in exported.to_yaml()
        before = len(emu.requests)
        plan = client.plan(exported, state=state)
        assert [a.action for a in plan.actions] == ["noop"]  # every field it states reads back the same
        assert client.apply(plan).ok
        assert writes(emu, before) == []
        assert fd.Desired.from_mapping(exported.to_mapping()) == exported


# -- request counts ----------------------------------------------------------------------------------
def fleet(count: int, project: str = "big") -> fd.Desired:
    endpoints = {f"ep-{n:04d}": {"model": MODEL, "instance": "1x H100"} for n in range(count)}
    return fd.Desired.from_mapping({"projects": {project: {"endpoints": endpoints}}})


@pytest.mark.parametrize("count", [250])
def test_requests_per_endpoint(tmp_path: Path, count: int) -> None:
    emu, state = emulator(), tmp_path / "state.json"
    desired = fleet(count)
    with emu.client() as client:
        start = len(emu.requests)
        plan = client.plan(desired, state=state)
        result = client.apply(plan, parallelism=50)
        assert result.ok
        apply_cost = (len(emu.requests) - start) / count
        assert apply_cost <= 3.5, apply_cost
        assert len(emu.endpoint_ids()) == count
    with emu.client() as fresh:  # a new client: no cache helps the plan
        start = len(emu.requests)
        unchanged = fresh.plan(desired, state=state)
        plan_cost = (len(emu.requests) - start) / count
        assert {a.action for a in unchanged.actions} == {"noop"}
        assert plan_cost <= 1.1, plan_cost
        start = len(emu.requests)
        assert fresh.apply(unchanged).ok
        assert len(emu.requests) == start  # nothing to change: not one request


def test_requests_per_endpoint_of_the_async_client(tmp_path: Path) -> None:
    emu, state, count = emulator(), tmp_path / "state.json", 250
    desired = fleet(count)

    async def run() -> tuple[float, float, int]:
        async with emu.async_client() as client:
            result = await client.apply(await client.plan(desired, state=state))
            assert result.ok
            apply_cost = len(emu.requests) / count
        async with emu.async_client() as fresh:
            start = len(emu.requests)
            unchanged = await fresh.plan(desired, state=state)
            plan_cost = (len(emu.requests) - start) / count
            start = len(emu.requests)
            assert (await fresh.apply(unchanged)).ok
            return apply_cost, plan_cost, len(emu.requests) - start

    apply_cost, plan_cost, noop_requests = asyncio.run(run())
    assert apply_cost <= 3.5, apply_cost
    assert plan_cost <= 1.1, plan_cost
    assert noop_requests == 0


def test_waiting_on_bare_ids_the_client_made_costs_what_handles_cost(tmp_path: Path) -> None:
    emu = emulator()
    with emu.client() as client:
        ids = [client.endpoints.create("fleet", f"w-{n}", MODEL, "1x H100").id for n in range(200)]
        start = len(emu.requests)
        assert client.endpoints.wait_all(ids, timeout=1800).all_running
        cost = (len(emu.requests) - start) / len(ids)
        assert {r.facade_name for r in emu.requests[start:]} == {"list"}  # no spec read to learn a project
        assert cost <= 0.5, cost
    with emu.client() as other:  # ids another client listed keep their project too
        listed = [ep.id for ep in other.endpoints.list("fleet")]
        start = len(emu.requests)
        assert other.endpoints.wait_all(listed, timeout=60).all_running
        assert {r.facade_name for r in emu.requests[start:]} == {"list"}


def test_a_plan_pieced_together_with_two_creates_of_one_name_is_refused_before_any_request(tmp_path: Path) -> None:
    emu, state = emulator(), tmp_path / "state.json"
    with emu.client() as client:
        made = client.plan(two_projects(), state=state)
        create = next(a for a in made.actions if a.action == "create")
        doubled = attrs.evolve(made, actions=(*made.actions, create))
        before = len(emu.requests)
        with pytest.raises(fd.InvalidInputError, match=r"plan: cannot be applied: .*two actions for one endpoint"):
            client.apply(doubled, state=state)
        assert emu.requests[before:] == []
        assert emu.endpoint_ids() == []


def test_an_apply_that_waits_zero_seconds_is_refused_before_any_request(tmp_path: Path) -> None:
    # It would send every update, see it time out at once, and roll it back: changes sent for nothing.
    emu, state = emulator(), tmp_path / "state.json"
    with emu.client() as client:
        made = client.plan(two_projects(), state=state)
        before = len(emu.requests)
        with pytest.raises(fd.InvalidInputError) as refused:
            client.apply(made, state=state, timeout=0)
        assert refused.value.field == "timeout"
        assert "wait=False" in str(refused.value)
        assert emu.requests[before:] == []
        assert client.apply(made, state=state, timeout=0, wait=False).ok  # not waiting: 0 s is no promise
