"""The rollout flow's parts over the fake API: a wait inside it keeps its own deadline (``_flows.capped``),
the caller's ``on_progress`` errors are its own, and the one rule of what a specification shows.

The emulator tests (``tests/emulator/test_rollouts.py``) cover the outcomes end to end.
"""

from __future__ import annotations

import attrs
import pytest
from fakes import COLLECTION, EP, FakeAPI, Recorder, Reply, make_client, reply, spec_json, status_json

import friendli_dedicated as fd
from friendli_dedicated import _calls as calls, _flows as flows
from friendli_dedicated._bodies import create_body, update_body
from friendli_dedicated._creates import shown_fields, wanted_of
from friendli_dedicated._transport import Call

SPEC = f"{COLLECTION}/{EP}"


def api_for_a_rollout(*status_replies: Reply) -> FakeAPI:
    api = FakeAPI()
    api.on(
        "GET", f"{SPEC}/version", reply(200, {"data": {"v1": spec_json()}}), reply(200, {"data": {"v2": spec_json()}})
    )
    api.on("GET", SPEC, reply(200, spec_json()))
    api.on("PUT", SPEC, reply(200, spec_json(maxBatchSize=64)))
    api.on("GET", f"{SPEC}/status", *status_replies)
    return api


def test_a_wait_within_a_rollout_keeps_its_own_deadline_whatever_retry_after_says() -> None:
    # Every poll is answered 503 with a Retry-After of 20 s: a poll sent within the client's timeout
    # alone (60 s) would sleep that long and ask again, past the rollout's 5-s wait.
    api = api_for_a_rollout(reply(503, {"detail": "busy"}, headers={"Retry-After": "20"}))
    time = Recorder()
    start = time.now
    client = make_client(api, time, timeout=60)
    result = client.endpoints.rollout(EP, max_batch_size=64, timeout=5, rollback=False)
    assert (result.outcome, result.failure) == ("not_rolled_back", "timed_out")
    assert time.now - start <= 5.0 + 1e-6


def test_capped_sets_each_calls_deadline_and_passes_errors_through() -> None:
    thrown: list[fd.FriendliError] = []

    def inner() -> flows.Flow[str]:
        first = yield calls.status(EP, None)
        try:
            yield attrs.evolve(calls.spec(EP, None), deadline=5.0)
        except fd.NotFoundError:
            return f"{first} then gone"
        return "unreachable"

    flow = flows.capped(inner(), 10.0, thrown)
    step = next(flow)
    assert isinstance(step, Call)
    assert step.deadline == 10.0
    step = flow.send("RUNNING")
    assert isinstance(step, Call)
    assert step.deadline == 5.0
    gone = fd.NotFoundError("no such endpoint", status_code=404)
    with pytest.raises(StopIteration) as done:
        flow.throw(gone)
    assert done.value.value == "RUNNING then gone"
    assert thrown == [gone]


def test_a_calls_deadline_bounds_its_attempts() -> None:
    client = make_client(FakeAPI(), Recorder())
    sender = client._sender
    capped = attrs.evolve(calls.status(EP, None), deadline=sender.clock() + 2)
    assert sender.attempts(capped, None).deadline == sender.clock() + 2
    assert sender.attempts(capped, sender.clock() + 1).deadline == sender.clock() + 1
    assert sender.attempts(calls.status(EP, None), None).deadline == sender.clock() + client.timeout


def test_what_the_callers_on_progress_raises_propagates_as_it_is() -> None:
    api = api_for_a_rollout(reply(200, status_json("UPDATING")), reply(200, status_json("RUNNING")))

    def progress(stage: str, state: fd.EndpointState, elapsed: float) -> None:
        raise fd.InvalidInputError("mine", "the callback's own error")

    with pytest.raises(fd.InvalidInputError, match="mine"):
        make_client(api, Recorder()).endpoints.rollout(EP, max_batch_size=64, on_progress=progress)


def test_a_create_and_an_update_show_the_same_fields_by_the_one_rule() -> None:
    option = fd.InstanceOption.parse("2x H100")
    scaling = fd.Autoscaling(min_replicas=0, max_replicas=2, cooldown=60)
    update = update_body(
        name=None, model="m", revision=None, instance=option, autoscaling=scaling, comment=None, advanced={}
    )
    made = create_body("p", "chat", "m", option, autoscaling=scaling, revision=None, comment=None, advanced={})
    assert (
        shown_fields(update)
        == dict(wanted_of(made).fields)
        == {
            "gpu_type": "NVIDIA H100",
            "num_gpu": 2,
            "autoscaling_min": 0,
            "autoscaling_max": 2,
            "autoscaling_cooldown": 60,
        }
    )
