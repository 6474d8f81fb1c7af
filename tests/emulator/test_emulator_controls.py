"""Faults and failures on demand: ``Emulator.inject`` (the next requests of one operation get a fault)
and ``Emulator.fail`` (an endpoint's next transition ends FAILED), seen through the SDK."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

import pytest

import friendli_dedicated as fd
from friendli_dedicated.emulator import DEFAULT_TOKEN, OPERATION_NAMES, Emulator, Faults, ManualClock, Timings
from friendli_dedicated.emulator._contract import load_contract
from friendli_dedicated.emulator._lifecycle import Segment, deploy, fail_transition, transition
from friendli_dedicated.errors import InvalidInputError

BASE = "/dedicated/beta/endpoint"
AUTH = {"Authorization": f"Bearer {DEFAULT_TOKEN}"}
# Error codes of the contract (whatever the pin): one that fails the engine, one that fails the download.
ENGINE_CODE = next(code for code in load_contract().error_codes if code.startswith("INFERENCE_ENGINE_"))
WORKLOAD_CODE = next(code for code in load_contract().error_codes if code.startswith("WORKLOAD_INIT_"))


def refused(call: Callable[[], object], field: str) -> InvalidInputError:
    with pytest.raises(InvalidInputError) as info:
        call()
    assert info.value.field == field, str(info.value)
    return info.value


def status_of(emu: Emulator, endpoint_id: str) -> tuple[str, str | None, str | None]:
    body = emu.handle("GET", f"{BASE}/{endpoint_id}/status", [], AUTH, b"").json()
    return body["status"], body["phase"], body["errorCode"]


# -- the operations' names ------------------------------------------------------------------------
def test_operation_names_cover_the_contract_and_the_sdk() -> None:
    emu = Emulator(clock=ManualClock())
    # Every operation on endpoints has the name of the SDK's method that sends it (the inference
    # operations and the cost, which no method of client.endpoints sends, have none).
    endpoints = [
        spec["operationId"]
        for item in emu.contract.document["paths"].values()
        for spec in item.values()
        if isinstance(spec, dict) and "Dedicated.Endpoint" in spec.get("tags", [])
    ]
    assert sorted(OPERATION_NAMES.values()) == sorted(endpoints)
    for name in OPERATION_NAMES:
        assert callable(getattr(fd.Endpoints, name)), name
        assert callable(getattr(fd.AsyncEndpoints, name)), name


# -- inject ---------------------------------------------------------------------------------------
def test_a_503_on_the_next_create_is_looked_up_by_name_and_reported_unresolved() -> None:
    emu = Emulator(clock=ManualClock())
    emu.inject("create", 503)
    with emu.client() as client:
        with pytest.raises(fd.EndpointCreationUnresolvedError) as unresolved:
            client.endpoints.create("proj", "chat", "org/model", "H100")
        assert (unresolved.value.project_id, unresolved.value.name) == ("proj", "chat")
        assert "ServerError" in str(unresolved.value)
        # The create was sent once, never again; the project was listed before and after it.
        assert [r.status for r in emu.requests_for("create")] == [503]
        names = [r.facade_name for r in emu.requests]
        assert names[:2] == ["list", "create"]
        assert set(names[2:]) == {"list"}
        assert emu.endpoint_ids() == []  # the fault answered instead of the emulator: nothing created
        assert emu.stats.faults == {"503": 1}
        assert emu.pending_faults() == {}
        # Used up: the next create goes through.
        ep = client.endpoints.create("proj", "chat", "org/model", "H100")
    assert emu.endpoint_ids() == [ep.id]


def test_a_dropped_create_is_looked_up_the_same_way() -> None:
    emu = Emulator(clock=ManualClock())
    emu.inject("dedicatedCreateEndpoint", "drop")
    with emu.client() as client, pytest.raises(fd.EndpointCreationUnresolvedError, match="TransportError"):
        client.endpoints.create("proj", "chat", "org/model", "H100")
    assert [r.status for r in emu.requests_for("create")] == [None]
    assert emu.stats.faults == {"drop": 1}


def test_a_fault_injected_times_over_is_retried_through() -> None:
    emu = Emulator(clock=ManualClock())
    with emu.client() as client:
        ep = client.endpoints.create("p", "n", "m", "H100")
        emu.inject("status", 502, times=2)
        assert client.endpoints.status(ep.id).status is fd.Status.INITIALIZING  # default max_retries=2
        assert [r.status for r in emu.requests_for("status")] == [502, 502, 200]
        emu.inject("status", 503, times=3)
        with pytest.raises(fd.ServerError) as failed:
            client.endpoints.status(ep.id)
        assert failed.value.status_code == 503
    assert emu.stats.faults == {"502": 2, "503": 3}


def test_injected_faults_are_routed_and_served_in_order() -> None:
    emu = Emulator(clock=ManualClock())
    emu.inject("wake", 500)
    emu.inject("status", 504)
    emu.inject("status", 429, retry_after=2)
    assert emu.pending_faults() == {"dedicatedWakeEndpoint": 1, "dedicatedGetEndpointStatus": 2}
    # Another operation on the same path prefix, and a path no route matches, are not faulted.
    assert emu.handle("GET", f"{BASE}/ep-x", [], AUTH, b"").status == 404
    assert emu.handle("GET", "/nowhere", [], AUTH, b"").status == 404
    assert emu.handle("DELETE", f"{BASE}/ep-x/status", [], AUTH, b"").status == 405
    first = emu.handle("GET", f"{BASE}/ep-x/status", [], AUTH, b"")
    second = emu.handle("GET", f"{BASE}/ep-x/status", [], AUTH, b"")
    third = emu.handle("GET", f"{BASE}/ep-x/status", [], AUTH, b"")
    assert (first.status, second.status, third.status) == (504, 429, 404)
    assert "retry-after" not in first.headers
    assert (second.headers["retry-after"], second.headers["retry-after-ms"]) == ("2", "2000")
    assert "injected" in second.json()["detail"]
    assert emu.pending_faults() == {"dedicatedWakeEndpoint": 1}


def test_an_injected_fault_answers_whatever_the_token() -> None:
    emu = Emulator(clock=ManualClock())
    emu.inject("list", 503)
    assert emu.handle("GET", BASE, [], {}, b"").status == 503  # before the token, as a gateway would
    assert emu.handle("GET", BASE, [], {}, b"").status == 401


def test_the_sdk_reads_an_injected_retry_after() -> None:
    emu = Emulator(clock=ManualClock())
    emu.inject("list", 429, retry_after=7.5)
    with emu.client(max_retries=0) as client, pytest.raises(fd.RateLimitError) as limited:
        list(client.endpoints.list())
    assert limited.value.retry_after == 7.5


def test_an_injected_fault_changes_nothing() -> None:
    emu = Emulator(clock=ManualClock())
    with emu.client(max_retries=0) as client:
        ep = client.endpoints.create("p", "n", "m", "H100")
        emu.inject("update", 503)
        with pytest.raises(fd.ServerError):
            client.endpoints.update(ep.id, name="renamed")
        assert client.endpoints.get(ep.id).name == "n"
        assert [v.spec.name for v in client.endpoints.versions(ep.id)] == ["n"]
        emu.inject("terminate", "drop")
        with pytest.raises(fd.TransportError):
            client.endpoints.terminate(ep.id)
        assert client.endpoints.status(ep.id).status is fd.Status.INITIALIZING


def test_injected_faults_come_before_random_ones_and_leave_them_in_place() -> None:
    def statuses(emu: Emulator, count: int) -> list[int | None]:
        answers = [emu.handle("GET", BASE, [], AUTH, b"") for _ in range(count)]
        return [None if answer.dropped else answer.status for answer in answers]

    faults = Faults(rate=0.5, kinds=("drop", "503"), seed=11)
    plain = statuses(Emulator(clock=ManualClock(), faults=faults), 30)
    injected_emu = Emulator(clock=ManualClock(), faults=faults)
    injected_emu.inject("list", 500, times=3)
    injected = statuses(injected_emu, 30)
    assert injected[:3] == [500, 500, 500]
    assert injected[3:] == plain[3:]  # the random faults of the other requests did not move
    assert {None, 503, 200} <= set(plain[3:])
    assert injected_emu.stats.faults["500"] == 3


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"operation": "creat"}, "Emulator.inject.operation"),
        ({"operation": "Create"}, "Emulator.inject.operation"),
        ({"operation": 7}, "Emulator.inject.operation"),
        ({"operation": None}, "Emulator.inject.operation"),
        ({"status": 404}, "Emulator.inject.status"),
        ({"status": 200}, "Emulator.inject.status"),
        ({"status": 600}, "Emulator.inject.status"),
        ({"status": 499}, "Emulator.inject.status"),
        ({"status": "503"}, "Emulator.inject.status"),
        ({"status": "DROP"}, "Emulator.inject.status"),
        ({"status": True}, "Emulator.inject.status"),
        ({"status": 503.0}, "Emulator.inject.status"),
        ({"times": 0}, "Emulator.inject.times"),
        ({"times": -1}, "Emulator.inject.times"),
        ({"times": 1.5}, "Emulator.inject.times"),
        ({"times": True}, "Emulator.inject.times"),
        ({"retry_after": -1}, "Emulator.inject.retry_after"),
        ({"retry_after": float("nan")}, "Emulator.inject.retry_after"),
        ({"retry_after": float("inf")}, "Emulator.inject.retry_after"),
        ({"retry_after": 3601}, "Emulator.inject.retry_after"),
        ({"retry_after": "1"}, "Emulator.inject.retry_after"),
    ],
)
def test_inject_refuses_bad_values_naming_the_field(kwargs: dict[str, Any], field: str) -> None:
    emu = Emulator(clock=ManualClock())
    arguments: dict[str, Any] = {"operation": "create", **kwargs}
    refused(lambda: emu.inject(**arguments), field)
    assert emu.pending_faults() == {}


def test_inject_takes_every_5xx_and_429() -> None:
    emu = Emulator(clock=ManualClock())
    for status in (429, 500, 501, 599):
        emu.inject("get", status)
    answers = [emu.handle("GET", f"{BASE}/ep-x", [], AUTH, b"").status for _ in range(4)]
    assert answers == [429, 500, 501, 599]


# -- fail -----------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("error_code", "phase"),
    [
        (ENGINE_CODE, "ENGINE_INITIALIZING"),
        (WORKLOAD_CODE, "DOWNLOADING_MODEL"),
    ],
)
def test_fail_makes_the_wait_raise_endpoint_failed_with_that_code(error_code: str, phase: str) -> None:
    emu = Emulator(clock=ManualClock())
    with emu.client() as client:
        ep = client.endpoints.create("p", "n", "org/model", "H100")
        emu.fail(ep.id, error_code)
        with pytest.raises(fd.EndpointFailedError) as failed:
            ep.wait_until_running(timeout=600)
    assert (failed.value.error_code, failed.value.phase) == (error_code, phase)
    assert failed.value.hint


def test_fail_async() -> None:
    emu = Emulator(clock=ManualClock())

    async def scenario() -> None:
        async with emu.async_client() as client:
            ep = await client.endpoints.create("p", "n", "org/model", "H100")
            emu.fail(ep.id, ENGINE_CODE)
            await ep.wait_until_running(timeout=600)

    with pytest.raises(fd.EndpointFailedError) as failed:
        asyncio.run(scenario())
    assert failed.value.error_code == ENGINE_CODE


def test_fail_ends_in_the_codes_phase_or_in_the_phase_it_is_in() -> None:
    emu = Emulator(clock=ManualClock())
    with emu.client() as client:
        early = client.endpoints.create("p", "early", "m", "H100")
        late = client.endpoints.create("p", "late", "m", "H100")
        told = client.endpoints.create("p", "told", "m", "H100")
    emu.fail(early.id, WORKLOAD_CODE)  # ahead: fails when downloading ends (60 s)
    emu.fail(told.id, WORKLOAD_CODE, phase="ENGINE_INITIALIZING")  # there: at 90 s
    emu.advance(70)
    emu.fail(late.id, WORKLOAD_CODE)  # past it: fails where it is, at the end of its step
    assert status_of(emu, early.id) == ("FAILED", "DOWNLOADING_MODEL", WORKLOAD_CODE)
    assert status_of(emu, late.id)[0] == "INITIALIZING"
    assert status_of(emu, told.id)[0] == "INITIALIZING"
    emu.advance(20)
    assert status_of(emu, late.id) == ("FAILED", "ENGINE_INITIALIZING", WORKLOAD_CODE)
    assert status_of(emu, told.id) == ("FAILED", "ENGINE_INITIALIZING", WORKLOAD_CODE)
    emu.advance(1000)
    assert status_of(emu, early.id)[0] == "FAILED"  # and it stays FAILED


def test_fail_ends_an_update_and_drops_a_planned_scale_to_zero() -> None:
    emu = Emulator(clock=ManualClock(), timings=Timings(updating=10))
    with emu.client() as client:
        ep = client.endpoints.create("p", "n", "m", "H100", autoscaling=fd.Autoscaling.scale_to_zero(cooldown=5))
        ep.wait_until_running(timeout=600)
        client.endpoints.update(ep.id, name="renamed")  # UPDATING for 10 s, then RUNNING, then asleep
        emu.fail(ep.id, ENGINE_CODE)
        with pytest.raises(fd.EndpointFailedError) as failed:
            ep.wait_until_running(timeout=600)
    assert failed.value.phase == "ENGINE_INITIALIZING"
    emu.advance(3600)
    assert status_of(emu, ep.id)[0] == "FAILED"


def test_fail_on_a_running_endpoint_is_armed_for_its_next_transition() -> None:
    emu = Emulator(clock=ManualClock())
    with emu.client() as client:
        ep = client.endpoints.create("p", "n", "m", "H100")
        ep.wait_until_running(timeout=600)
        emu.fail(ep.id, ENGINE_CODE)
        emu.advance(3600)
        assert status_of(emu, ep.id)[0] == "RUNNING"  # armed, not applied: nothing was under way
        client.endpoints.update(ep.id, name="renamed")
        with pytest.raises(fd.EndpointFailedError) as failed:
            ep.wait_until_running(timeout=600)
        assert failed.value.error_code == ENGINE_CODE
        ep.restart()  # used up: the restart deploys normally
        assert ep.wait_until_running(timeout=600).state is not None
        assert status_of(emu, ep.id)[0] == "RUNNING"


def test_an_armed_failure_ends_a_wake_or_a_restart() -> None:
    emu = Emulator(clock=ManualClock())
    with emu.client() as client:
        asleep = client.endpoints.create("p", "asleep", "m", "H100")
        stopped = client.endpoints.create("p", "stopped", "m", "H100")
        asleep.wait_until_running(timeout=600).sleep()
        stopped.wait_until_running(timeout=600).terminate()
        emu.fail(asleep.id, ENGINE_CODE)
        emu.fail(stopped.id, WORKLOAD_CODE)  # TERMINATING does not fail: armed
        emu.advance(60)
        assert status_of(emu, stopped.id)[0] == "TERMINATED"
        with pytest.raises(fd.EndpointFailedError) as woke:
            asleep.wait_until_running(timeout=600, wake=True)
        stopped.restart()
        with pytest.raises(fd.EndpointFailedError) as restarted:
            stopped.wait_until_running(timeout=600)
    assert woke.value.error_code == ENGINE_CODE
    assert (restarted.value.error_code, restarted.value.phase) == (WORKLOAD_CODE, "DOWNLOADING_MODEL")


def test_fail_with_instant_timings_still_fails_the_next_deployment() -> None:
    emu = Emulator(clock=ManualClock(), time_scale=0)
    with emu.client() as client:
        ep = client.endpoints.create("p", "n", "m", "H100")
        assert status_of(emu, ep.id)[0] == "RUNNING"
        emu.fail(ep.id, ENGINE_CODE)
        client.endpoints.update(ep.id, name="again")
    assert status_of(emu, ep.id) == ("FAILED", "ENGINE_INITIALIZING", ENGINE_CODE)


@pytest.mark.parametrize(
    ("arguments", "field"),
    [
        (("ep-nope", ENGINE_CODE), "Emulator.fail.endpoint_id"),
        ((None, ENGINE_CODE), "Emulator.fail.endpoint_id"),
        ((42, ENGINE_CODE), "Emulator.fail.endpoint_id"),
        (("{id}", "OUT_OF_MEMORY"), "Emulator.fail.error_code"),
        (("{id}", ENGINE_CODE.lower()), "Emulator.fail.error_code"),
        (("{id}", None), "Emulator.fail.error_code"),
        (("{id}", ENGINE_CODE, "RUNNING"), "Emulator.fail.phase"),
        (("{id}", ENGINE_CODE, 3), "Emulator.fail.phase"),
    ],
)
def test_fail_refuses_bad_values_naming_the_field(arguments: tuple[Any, ...], field: str) -> None:
    emu = Emulator(clock=ManualClock())
    with emu.client() as client:
        ep = client.endpoints.create("p", "n", "m", "H100")
    filled = tuple(ep.id if argument == "{id}" else argument for argument in arguments)
    refused(lambda: emu.fail(*filled), field)
    emu.advance(600)
    assert status_of(emu, ep.id) == ("RUNNING", None, None)  # nothing was changed or armed


def test_fail_transition_only_fails_a_transition_toward_running() -> None:
    sleeping = [Segment(0.0, "SLEEPING")]
    terminating = transition(0.0, "TERMINATING", 10.0, "TERMINATED")
    update = transition(0.0, "UPDATING", 10.0, "RUNNING")
    assert fail_transition(sleeping, 1.0, ENGINE_CODE, None) is None
    assert fail_transition(terminating, 1.0, ENGINE_CODE, None) is None
    assert fail_transition([], 1.0, ENGINE_CODE, None) is None
    assert fail_transition(update, 11.0, ENGINE_CODE, None) is None  # already RUNNING
    failed = fail_transition(update, 1.0, WORKLOAD_CODE, None)
    assert failed == [Segment(0.0, "UPDATING"), Segment(10.0, "FAILED", "DOWNLOADING_MODEL", WORKLOAD_CODE)]


def test_a_model_that_fails_on_purpose_can_be_made_to_fail_sooner() -> None:
    plan = deploy(0.0, Timings(), 1.0, failure=ENGINE_CODE)
    failed = fail_transition(plan, 5.0, WORKLOAD_CODE, None)
    assert failed is not None
    assert failed[-1] == Segment(60.0, "FAILED", "DOWNLOADING_MODEL", WORKLOAD_CODE)
