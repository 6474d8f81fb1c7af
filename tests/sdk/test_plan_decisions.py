"""Planning decisions, free of I/O: what a desired endpoint becomes given what exists and what the record says.

``_planner.decide`` is fed specifications and listed states directly; the emulator-backed tests
(tests/emulator/test_endpoints_as_code.py) cover the same through the clients.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

import friendli_dedicated as fd
from friendli_dedicated._diff import fingerprint
from friendli_dedicated._planner import Observation, decide
from friendli_dedicated._state import StateEntry, StateRecord

H100 = fd.InstanceOption.parse("1x H100")


def spec(name: str, project: str = "p", **fields: Any) -> fd.EndpointSpec:
    data = {
        "name": name,
        "gpuType": "NVIDIA H100",
        "numGpu": 1,
        "instanceId": H100.id,
        "projectId": project,
        "creatorId": "u",
        "teamId": "t",
        "autoscalingMin": 1,
        "autoscalingMax": 1,
        "autoscalingCooldown": 0,
        "maxBatchSize": 256,
        "tokenizerSkipSpecialTokens": True,
        "tokenizerAddSpecialTokens": True,
        "currReplicaCnt": 1,
        "desiredReplicaCnt": 1,
        "updatedReplicaCnt": 1,
        **fields,
    }
    return fd.EndpointSpec.from_json(data)


def observed(*endpoints: tuple[str, fd.EndpointSpec], project: str = "p") -> Observation:
    states = {project: {i: fd.EndpointState(status=fd.Status.RUNNING) for i, _ in endpoints}}
    return Observation(states, dict(endpoints))


def desired(**endpoints: dict[str, Any]) -> fd.Desired:
    return fd.Desired.from_mapping({"projects": {"p": {"endpoints": endpoints}}})


def plan(want: fd.Desired, seen: Observation, record: StateRecord | None = None, *, prune: bool = False) -> fd.Plan:
    return decide(want, record or StateRecord(), seen, prune=prune, team_id="t", state_path="s.json")


def record(entry: StateEntry, name: str = "chat") -> StateRecord:
    return StateRecord({("p", name): entry}, lineage="l", serial=3, team_id="t")


CHAT = {"model": "org/model", "instance": "1x H100", "engine": {"max_batch_size": 64, "max_token_count": 4096}}
APPLIED = {"model": "org/model", "instance": "1x H100", "engine.max_batch_size": 64, "engine.max_token_count": 4096}


def test_nothing_of_the_name_is_a_create_of_the_stated_fields_only() -> None:
    [action] = plan(desired(chat=CHAT), observed()).actions
    assert action.action == "create"
    assert dict(action.changes) == {
        "instance": (None, "1x H100"),
        "model": (None, "org/model"),
        "engine.max_batch_size": (None, 64),
        "engine.max_token_count": (None, 4096),
    }


def test_what_reads_back_and_what_the_record_recalls_equal_is_no_change() -> None:
    seen = observed(("ep-1", spec("chat", maxBatchSize=64)))
    [action] = plan(desired(chat=CHAT), seen, record(StateEntry("ep-1", APPLIED))).actions
    assert (action.action, action.endpoint_id, dict(action.changes), action.unknown) == ("noop", "ep-1", {}, ())


def test_a_readable_field_that_differs_is_an_update_old_to_new() -> None:
    seen = observed(
        ("ep-1", spec("chat", maxBatchSize=128, instanceId=fd.InstanceOption.parse("2x H100").id, numGpu=2))
    )
    [action] = plan(desired(chat=CHAT), seen, record(StateEntry("ep-1", APPLIED))).actions
    assert action.action == "update"
    assert dict(action.changes) == {"instance": ("2x H100", "1x H100"), "engine.max_batch_size": (128, 64)}


def test_a_recalled_field_that_differs_is_an_update_from_the_recorded_value() -> None:
    seen = observed(("ep-1", spec("chat", maxBatchSize=64)))
    old = StateEntry("ep-1", {**APPLIED, "model": "org/old", "engine.max_token_count": 2048})
    [action] = plan(desired(chat=CHAT), seen, record(old)).actions
    assert dict(action.changes) == {"model": ("org/old", "org/model"), "engine.max_token_count": (2048, 4096)}
    assert action.unknown == ()


@pytest.mark.parametrize(
    "entry",
    [None, StateEntry("ep-other", APPLIED), StateEntry("ep-1", {"instance": "1x H100"})],
    ids=["no record", "the record is of another endpoint", "the record never had them"],
)
def test_a_field_neither_readable_nor_recorded_is_unknown_never_unchanged(entry: StateEntry | None) -> None:
    seen = observed(("ep-1", spec("chat", maxBatchSize=64)))
    [action] = plan(desired(chat=CHAT), seen, record(entry) if entry else None).actions
    assert action.action == "update"
    assert action.unknown == ("model", "engine.max_token_count")
    assert action.changes["model"] == (None, "org/model")
    assert "engine.max_batch_size" not in action.changes  # readable, and equal
    assert "(unknown: not readable, not recorded)" in "\n".join(action.render())


def test_a_field_taken_out_of_the_file_is_released_and_keeps_its_value() -> None:
    seen = observed(("ep-1", spec("chat", maxBatchSize=64)))
    lighter = {"model": "org/model", "instance": "1x H100"}
    [action] = plan(desired(chat=lighter), seen, record(StateEntry("ep-1", APPLIED))).actions
    assert action.action == "noop"
    assert dict(action.released) == {"engine.max_batch_size": 64, "engine.max_token_count": 4096}
    assert "engine.max_token_count: no longer in the file; keeps 4096" in "\n".join(action.render())


def test_the_replica_counts_the_autoscaler_moves_are_never_compared() -> None:
    quiet, busy = spec("chat", maxBatchSize=64), spec("chat", maxBatchSize=64, currReplicaCnt=7, desiredReplicaCnt=9)
    [action] = plan(desired(chat=CHAT), observed(("ep-1", busy)), record(StateEntry("ep-1", APPLIED))).actions
    assert action.action == "noop"
    assert fingerprint(quiet) == fingerprint(busy)


def test_two_endpoints_of_the_name_stop_that_endpoint_and_say_which() -> None:
    seen = observed(("ep-1", spec("chat")), ("ep-2", spec("chat")), ("ep-3", spec("other")))
    actions = {a.name: a for a in plan(desired(chat=CHAT, other=CHAT), seen).actions}
    assert actions["chat"].action == "error"
    assert "ep-1, ep-2" in (actions["chat"].reason or "")
    assert actions["other"].action == "update"  # the others are planned as usual


def test_prune_terminates_what_the_file_does_not_name_unless_protected() -> None:
    seen = observed(("ep-1", spec("chat", maxBatchSize=64)), ("ep-2", spec("stray")), ("ep-3", spec("guarded")))
    kept = StateRecord(
        {("p", "chat"): StateEntry("ep-1", APPLIED), ("p", "guarded"): StateEntry("ep-3", {}, delete_protection=True)}
    )
    left = plan(desired(chat=CHAT), seen, kept)
    assert [a.action for a in left.actions] == ["noop"]
    assert {(a.name, a.action) for a in left.unmanaged} == {("stray", "unmanaged"), ("guarded", "unmanaged")}
    assert (
        next(a for a in left.unmanaged if a.name == "guarded").reason
        == "no longer in the file: left alone (prune terminates it)"
    )
    text = left.render()
    assert "  . guarded (ep-3): no longer in the file: left alone (prune terminates it)" in text
    assert "  . 1 other endpoint not in the file: left alone" in text  # the record never knew it: counted
    pruned = {a.name: a for a in plan(desired(chat=CHAT), seen, kept, prune=True).actions}
    assert (pruned["stray"].action, pruned["stray"].endpoint_id) == ("terminate", "ep-2")
    assert pruned["guarded"].action == "error"
    assert "delete_protection" in (pruned["guarded"].reason or "")


def test_a_create_needs_a_model() -> None:
    [action] = plan(desired(chat={"model": None, "instance": "1x H100"}), observed()).actions
    assert action.action == "error"
    assert "model is null" in (action.reason or "")


def test_an_unknown_model_is_not_managed_on_an_existing_endpoint() -> None:
    seen = observed(("ep-1", spec("chat")))
    [action] = plan(desired(chat={"model": None, "instance": "1x H100"}), seen).actions
    assert action.action == "noop"


def test_autoscaling_keys_combined_with_the_endpoints_others_must_make_sense() -> None:
    seen = observed(("ep-1", spec("chat", autoscalingMin=3, autoscalingMax=4)))
    [action] = plan(desired(chat={"model": None, "instance": "1x H100", "autoscaling": {"max": 2}}), seen).actions
    assert action.action == "error"
    assert "autoscaling" in (action.reason or "")


def test_delete_protection_is_a_change_of_the_record_alone() -> None:
    seen = observed(("ep-1", spec("chat", maxBatchSize=64)))
    [action] = plan(
        desired(chat={**CHAT, "delete_protection": True}), seen, record(StateEntry("ep-1", APPLIED))
    ).actions
    assert action.action == "update"
    assert dict(action.changes) == {"delete_protection": (False, True)}


def test_exit_codes_text_and_json_are_data() -> None:
    seen = observed(("ep-1", spec("chat", maxBatchSize=128)), ("ep-2", spec("dup")), ("ep-3", spec("dup")))
    mixed = plan(desired(chat=CHAT, new=CHAT), seen, record(StateEntry("ep-1", APPLIED)))
    assert (mixed.exit_code(), mixed.exit_code(detailed=True)) == (0, 2)
    assert mixed.counts() == {"create": 1, "update": 1, "noop": 0, "terminate": 0, "error": 0}
    text = mixed.render()
    assert "~ chat (ep-1): update\n      engine.max_batch_size: 128 -> 64" in text
    assert "+ new: create" in text
    assert text.endswith("Plan: 1 to create, 1 to update, 0 to terminate, 0 unchanged, 0 errors.\n")
    assert mixed.to_json()[0] == {
        "project": "p",
        "name": "chat",
        "action": "update",
        "endpoint_id": "ep-1",
        "changes": {"engine.max_batch_size": [128, 64]},
        "unknown": [],
        "released": {},
        "status": "RUNNING",
        "reason": None,
    }
    erring = plan(desired(dup=CHAT), seen)
    assert (erring.exit_code(), erring.exit_code(detailed=True)) == (1, 1)
    calm = plan(
        desired(chat=CHAT), observed(("ep-1", spec("chat", maxBatchSize=64))), record(StateEntry("ep-1", APPLIED))
    )
    assert (calm.exit_code(), calm.exit_code(detailed=True), calm.has_changes) == (0, 0, False)


def test_a_saved_plan_reads_back_as_it_was(tmp_path: Path) -> None:
    seen = observed(("ep-1", spec("chat", maxBatchSize=128)), ("ep-2", spec("stray")))
    made = plan(
        desired(chat=CHAT, new={**CHAT, "revision": "main"}), seen, record(StateEntry("ep-1", APPLIED)), prune=True
    )
    made.save(tmp_path / "plan.json")
    loaded = fd.Plan.load(tmp_path / "plan.json")
    assert loaded == made
    assert [a.fingerprint for a in loaded.actions] == [a.fingerprint for a in made.actions]
    assert loaded.state == {"lineage": "l", "serial": 3}
    assert loaded.listed == {"p": ("ep-1", "ep-2")}


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("{}", "not a saved plan"),
        ('{"format": "friendli-dedicated-plan", "version": 9}', "version 9"),
        ("nope", "cannot be read"),
    ],
)
def test_what_is_not_a_plan_is_refused(tmp_path: Path, text: str, message: str) -> None:
    (tmp_path / "plan.json").write_text(text)
    with pytest.raises(fd.InvalidInputError, match=message):
        fd.Plan.load(tmp_path / "plan.json")


def test_a_damaged_saved_plan_is_refused_not_a_crash(tmp_path: Path) -> None:
    made = plan(desired(chat=CHAT), observed())
    data = made.to_dict()
    data["actions"][0]["desired"]["engine"]["max_batch_size"] = "lots"
    with pytest.raises(fd.InvalidInputError, match="no longer valid"):
        fd.Plan.from_dict(data)
    del data["actions"]
    with pytest.raises(fd.InvalidInputError, match="damaged"):
        fd.Plan.from_dict(data)


def _edited(made: fd.Plan, edit: Any) -> dict[str, Any]:
    data = made.to_dict()
    edit(data)
    return data


@pytest.mark.parametrize(
    ("edit", "message"),
    [
        (lambda d: d["actions"].append(dict(d["actions"][0])), "two actions for one endpoint"),
        (lambda d: d["actions"][0].update(action="bogus"), "'bogus' is not an action"),
        (lambda d: d["actions"][0].update(project="elsewhere"), "its project is not one of the plan's"),
        (lambda d: d["actions"][0].update(desired=None), "a create without the endpoint the file wants"),
        (lambda d: d["actions"][0].update(action="terminate"), "a terminate without an endpoint id"),
    ],
)
def test_a_saved_plan_edited_into_one_apply_must_not_carry_out_is_refused(edit: Any, message: str) -> None:
    # Two creates of one name would make two endpoints (each paid for); an unknown action was a KeyError.
    made = plan(desired(chat=CHAT), observed())
    with pytest.raises(fd.InvalidInputError, match=r"damaged plan \(\w+/chat: " + re.escape(message)):
        fd.Plan.from_dict(_edited(made, edit))


@pytest.mark.parametrize("protected", [False, True])
def test_prune_of_two_endpoints_of_one_name_is_not_damage(tmp_path: Path, protected: bool) -> None:
    seen = observed(("ep-1", spec("stray")), ("ep-2", spec("stray")))
    known = record(StateEntry("ep-1", APPLIED, delete_protection=True), name="stray") if protected else None
    made = plan(desired(chat=CHAT), seen, known, prune=True)
    action = "error" if protected else "terminate"
    assert [a.action for a in made.actions] == ["create", action, action]
    assert made.damage() is None
    made.save(tmp_path / "plan.json")
    assert fd.Plan.load(tmp_path / "plan.json") == made


def test_autoscaling_the_endpoint_cannot_take_is_an_error_in_the_file_words() -> None:
    made = plan(
        desired(chat={**CHAT, "autoscaling": {"max": 1}}),
        observed(("ep-1", spec("chat", autoscalingMin=2, autoscalingMax=4))),
    )
    (action,) = made.actions
    assert action.action == "error"
    assert action.reason is not None
    assert action.reason.endswith("must be at least min (2), got 1")


def test_a_saved_plan_with_a_byte_order_mark_loads(tmp_path: Path) -> None:
    made = plan(desired(chat=CHAT), observed())
    made.save(tmp_path / "plan.json")
    (tmp_path / "plan.json").write_bytes(b"\xef\xbb\xbf" + (tmp_path / "plan.json").read_bytes())  # an editor's
    assert fd.Plan.load(tmp_path / "plan.json") == made


def test_a_saved_plan_nested_too_deeply_is_refused_not_a_recursion_error(tmp_path: Path) -> None:
    (tmp_path / "plan.json").write_text('{"format": ' + "[" * 100_000 + "]" * 100_000 + "}")
    with pytest.raises(fd.InvalidInputError, match="nested too deeply"):
        fd.Plan.load(tmp_path / "plan.json")


@pytest.mark.parametrize("prune", [False, True])
def test_an_endpoint_renamed_outside_the_file_is_an_error_not_a_second_endpoint_or_a_terminate(prune: bool) -> None:
    # The record knows chat as ep-1; someone renamed ep-1 "chat-old". Creating "chat" would run two
    # endpoints (two bills); with prune, ep-1 was also terminated.
    seen = observed(("ep-1", spec("chat-old", maxBatchSize=64)))
    made = plan(desired(chat=CHAT), seen, record(StateEntry("ep-1", APPLIED)), prune=prune)
    assert [(a.name, a.action, a.endpoint_id) for a in made.actions] == [("chat", "error", "ep-1")]
    assert made.actions[0].reason is not None
    assert "renamed 'chat-old' outside the file" in made.actions[0].reason
    assert made.unmanaged == ()
    assert made.exit_code(detailed=True) == 1
    assert made.damage() is None


def test_an_endpoint_renamed_to_a_name_the_file_has_is_adopted_by_it_and_the_old_name_created() -> None:
    seen = observed(("ep-1", spec("chat-old", maxBatchSize=64)))
    made = plan(desired(chat=CHAT, **{"chat-old": CHAT}), seen, record(StateEntry("ep-1", APPLIED)))
    assert [(a.name, a.action) for a in made.actions] == [("chat", "create"), ("chat-old", "update")]
