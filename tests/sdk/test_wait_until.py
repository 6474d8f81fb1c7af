"""Waiting for any status an endpoint stays in: ``wait_until(status)`` on handles and ``client.endpoints``,
``wait_all(until=...)``, and the 400 of an action that waiting would let through (``EndpointBusyError``).

Against the emulator on a ManualClock: the client's sleeps move the clock, so nothing waits for real.
"""

from __future__ import annotations

import asyncio
import pickle

import pytest

import friendli_dedicated as fd
from friendli_dedicated._waiter import TABLES, WAIT_TARGETS, Outcome, classify
from friendli_dedicated.emulator import Emulator, ManualClock

MODEL = "org/model"
FAILING = "emulator/fail-INFERENCE_ENGINE_MEMORY_ERROR"


@pytest.fixture
def emulator() -> Emulator:
    return Emulator(clock=ManualClock(), request_log=None)


@pytest.fixture
def client(emulator: Emulator) -> fd.Client:
    return emulator.client()


# -- the tables ------------------------------------------------------------------------------------
@pytest.mark.parametrize("until", WAIT_TARGETS)
def test_each_table_gives_every_listed_status_exactly_one_row(until: fd.Status) -> None:
    rows = [acceptor.statuses for acceptor in TABLES[until]]
    assert sum(len(row) for row in rows) == len(set().union(*rows))
    assert set().union(*rows) == set(fd.Status)
    assert classify(until, until) is Outcome.SUCCESS
    assert classify(fd.Status("SCALING"), until) is Outcome.KEEP_WAITING  # a status added upstream


@pytest.mark.parametrize(
    ("until", "status", "outcome"),
    [
        (fd.Status.SLEEPING, fd.Status.FAILED, Outcome.FAILURE),
        (fd.Status.SLEEPING, fd.Status.TERMINATED, Outcome.STOPPED),
        (fd.Status.SLEEPING, fd.Status.RUNNING, Outcome.KEEP_WAITING),  # scales to zero after its cooldown
        (fd.Status.TERMINATED, fd.Status.TERMINATING, Outcome.KEEP_WAITING),
        (fd.Status.TERMINATED, fd.Status.FAILED, Outcome.KEEP_WAITING),
        (fd.Status.FAILED, fd.Status.TERMINATED, Outcome.STOPPED),
        (fd.Status.RUNNING, fd.Status.SLEEPING, Outcome.SLEEPING),
    ],
)
def test_outcomes_per_target(until: fd.Status, status: fd.Status, outcome: Outcome) -> None:
    assert classify(status, until) is outcome


# -- one endpoint ----------------------------------------------------------------------------------
def test_wait_until_terminated_after_terminate(client: fd.Client) -> None:
    endpoint = client.endpoints.create("proj", "chat", MODEL, "1x H100").wait_until_running(timeout=600)
    seen: list[str] = []
    returned = endpoint.terminate().wait_until(
        fd.Status.TERMINATED, timeout=600, on_progress=lambda state, _elapsed: seen.append(state.status.value)
    )
    assert returned is endpoint
    assert endpoint.state is not None
    assert endpoint.state.status is fd.Status.TERMINATED
    assert seen == ["TERMINATING", "TERMINATED"]
    assert client.endpoints.status(endpoint.id).status is fd.Status.TERMINATED


def test_wait_until_takes_a_status_name_and_returns_the_state_by_id(client: fd.Client) -> None:
    endpoint = client.endpoints.create("proj", "chat", MODEL, "1x H100").wait_until_running(timeout=600).sleep()
    assert client.endpoints.wait_until(endpoint.id, "sleeping", timeout=60).status is fd.Status.SLEEPING


def test_waiting_for_sleeping_fails_when_the_endpoint_failed(client: fd.Client) -> None:
    endpoint = client.endpoints.create("proj", "doomed", FAILING, "1x H100")
    with pytest.raises(fd.EndpointFailedError) as caught:
        endpoint.wait_until(fd.Status.SLEEPING, timeout=600)
    assert caught.value.error_code == "INFERENCE_ENGINE_MEMORY_ERROR"


def test_waiting_for_sleeping_stops_when_the_endpoint_terminates(client: fd.Client) -> None:
    endpoint = client.endpoints.create("proj", "chat", MODEL, "1x H100").terminate()
    with pytest.raises(fd.EndpointStoppedError, match="will not become SLEEPING"):
        endpoint.wait_until(fd.Status.SLEEPING, timeout=600)


def test_waiting_for_failed_succeeds_on_failed(client: fd.Client) -> None:
    endpoint = client.endpoints.create("proj", "doomed", FAILING, "1x H100").wait_until(fd.Status.FAILED, timeout=600)
    assert endpoint.state is not None
    assert endpoint.state.error_code == "INFERENCE_ENGINE_MEMORY_ERROR"


def test_waiting_for_running_is_wait_until_running_without_waking(client: fd.Client) -> None:
    endpoint = client.endpoints.create("proj", "chat", MODEL, "1x H100").wait_until(fd.Status.RUNNING, timeout=600)
    assert endpoint.state is not None
    assert endpoint.state.status is fd.Status.RUNNING
    endpoint.sleep()
    with pytest.raises(fd.EndpointStoppedError, match="SLEEPING"):
        endpoint.wait_until(fd.Status.RUNNING, timeout=600)


def test_waiting_for_terminated_keeps_the_deadline_and_says_what_it_waited_for(
    client: fd.Client, emulator: Emulator
) -> None:
    endpoint = client.endpoints.create("proj", "chat", MODEL, "1x H100")
    start = emulator.clock()
    with pytest.raises(fd.WaitTimeoutError, match="did not become TERMINATED within 300s") as caught:
        endpoint.wait_until(fd.Status.TERMINATED, timeout=300)  # nobody terminates it
    assert emulator.clock() - start == pytest.approx(300, abs=0.5)
    assert caught.value.state is not None
    assert caught.value.state.status is fd.Status.RUNNING


def test_a_deleted_endpoint_is_not_terminated(client: fd.Client) -> None:
    endpoint = client.endpoints.create("proj", "chat", MODEL, "1x H100")
    endpoint.delete()
    with pytest.raises(fd.NotFoundError):
        endpoint.wait_until(fd.Status.TERMINATED, timeout=60)


@pytest.mark.parametrize("status", ["TERMINATING", "INITIALIZING", "nope", 3, None])
def test_a_status_no_wait_can_be_for_is_refused_before_any_request(
    client: fd.Client, emulator: Emulator, status: object
) -> None:
    with pytest.raises(fd.InvalidInputError) as caught:
        client.endpoints.wait_until("ep-1", status, timeout=60)  # type: ignore[arg-type]
    assert caught.value.field == "status"
    assert "RUNNING, SLEEPING, TERMINATED or FAILED" in str(caught.value)
    assert emulator.requests == []


def test_async_wait_until(emulator: Emulator) -> None:
    async def run() -> fd.Status | None:
        async with emulator.async_client() as client:
            endpoint = await client.endpoints.create("proj", "chat", MODEL, "1x H100")
            await (await endpoint.terminate()).wait_until(fd.Status.TERMINATED, timeout=600)
            return endpoint.state.status if endpoint.state else None

    assert asyncio.run(run()) is fd.Status.TERMINATED


# -- a fleet ---------------------------------------------------------------------------------------
def test_wait_all_until_terminated(client: fd.Client) -> None:
    fleet = [client.endpoints.create("proj", f"w{n}", MODEL, "1x H100") for n in range(3)]
    for endpoint in fleet:
        endpoint.terminate()
    result = client.endpoints.wait_all(fleet, until=fd.Status.TERMINATED, timeout=600).raise_for_failures()
    assert result.until is fd.Status.TERMINATED
    assert set(result.reached) == {endpoint.id for endpoint in fleet}
    assert {state.status for state in result.reached.values()} == {fd.Status.TERMINATED}


def test_wait_all_until_sleeping_sorts_the_fleet_by_its_table(client: fd.Client) -> None:
    asleep = client.endpoints.create("proj", "asleep", MODEL, "1x H100").wait_until_running(timeout=600).sleep()
    doomed = client.endpoints.create("proj", "doomed", FAILING, "1x H100")
    gone = client.endpoints.create("proj", "gone", MODEL, "1x H100").terminate()
    result = client.endpoints.wait_all([asleep, doomed, gone], until="SLEEPING", timeout=600)
    assert (set(result.reached), set(result.failed), set(result.stopped)) == ({asleep.id}, {doomed.id}, {gone.id})
    assert not result.all_reached
    with pytest.raises(fd.FleetWaitError, match="not every endpoint became SLEEPING: 1 sleeping, 1 failed"):
        result.raise_for_failures()


def test_wait_all_refuses_a_bad_target_and_waking_for_another_status(client: fd.Client, emulator: Emulator) -> None:
    with pytest.raises(fd.InvalidInputError) as caught:
        client.endpoints.wait_all(["ep-1"], until="AWAKING", timeout=60)
    assert caught.value.field == "until"
    with pytest.raises(fd.InvalidInputError) as caught:
        client.endpoints.wait_all(["ep-1"], until=fd.Status.SLEEPING, wake=True, timeout=60)
    assert caught.value.field == "wake"
    assert emulator.requests == []


# -- the 400 that waiting cures --------------------------------------------------------------------
def test_restart_right_after_terminate_says_to_wait_for_terminated(client: fd.Client) -> None:
    endpoint = client.endpoints.create("proj", "chat", MODEL, "1x H100").terminate()
    with pytest.raises(fd.EndpointBusyError) as caught:
        endpoint.restart()
    error = caught.value
    assert isinstance(error, fd.BadRequestError)
    assert error.status_code == 400
    assert (error.action, error.endpoint_id, error.status, error.wait_for) == (
        "restart",
        endpoint.id,
        fd.Status.TERMINATING,
        fd.Status.TERMINATED,
    )
    assert "is TERMINATING" in error.refusal  # the server's own message is kept
    assert "wait_until(fd.Status.TERMINATED)" in str(error)
    assert pickle.loads(pickle.dumps(error)).wait_for is fd.Status.TERMINATED
    # And the advice works.
    assert endpoint.wait_until(error.wait_for, timeout=600).restart().state is not None


def test_sleep_while_deploying_says_to_wait_for_running(client: fd.Client) -> None:
    endpoint = client.endpoints.create("proj", "chat", MODEL, "1x H100")
    with pytest.raises(fd.EndpointBusyError) as caught:
        endpoint.sleep()
    assert (caught.value.status, caught.value.wait_for) == (fd.Status.INITIALIZING, fd.Status.RUNNING)


def test_a_400_that_waiting_does_not_cure_is_left_as_it_came(client: fd.Client, emulator: Emulator) -> None:
    endpoint = client.endpoints.create("proj", "chat", MODEL, "1x H100").wait_until_running(timeout=600)
    statuses = len(emulator.requests_for("status"))
    with pytest.raises(fd.BadRequestError) as caught:
        endpoint.restart()  # a RUNNING endpoint needs a terminate first, not a wait
    assert type(caught.value) is fd.BadRequestError
    assert len(emulator.requests_for("status")) == statuses + 1  # the restart's one look at the status
    endpoint.terminate()
    with pytest.raises(fd.BadRequestError) as caught:
        endpoint.wake()  # no status refuses a wake in a way that waiting cures: nothing more is read
    assert type(caught.value) is fd.BadRequestError
    assert len(emulator.requests_for("status")) == statuses + 1


def test_when_the_status_cannot_be_read_the_400_is_raised_as_it_came(client: fd.Client, emulator: Emulator) -> None:
    endpoint = client.endpoints.create("proj", "chat", MODEL, "1x H100").terminate()
    emulator.inject("status", status=500)  # not retried
    with pytest.raises(fd.BadRequestError) as caught:
        endpoint.restart()
    assert type(caught.value) is fd.BadRequestError


def test_async_restart_right_after_terminate(emulator: Emulator) -> None:
    async def run() -> fd.Status:
        async with emulator.async_client() as client:
            endpoint = await (await client.endpoints.create("proj", "chat", MODEL, "1x H100")).terminate()
            with pytest.raises(fd.EndpointBusyError) as caught:
                await endpoint.restart()
            return caught.value.wait_for

    assert asyncio.run(run()) is fd.Status.TERMINATED
