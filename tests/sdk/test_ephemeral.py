"""``endpoints.ephemeral``: a short-lived endpoint is created, waited for until it serves, handed out, and
always terminated on the way out, whatever ends the block; when terminating fails, the error names the
endpoint that may still bill.

Against the emulator on a ``ManualClock`` (no real time). "Nothing left" means: once the emulator's
clock has moved past a terminate, every endpoint it knows is TERMINATED (``left_running``).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Iterator

import httpx
import pytest

import friendli_dedicated as fd
from friendli_dedicated import _ephemeral
from friendli_dedicated.emulator import DEFAULT_TEAM, DEFAULT_TOKEN, Emulator, ManualClock
from friendli_dedicated.emulator._inprocess import BASE_URL

TERMINATE = "dedicatedTerminateEndpoint"


@pytest.fixture
def emu() -> Emulator:
    return Emulator(clock=ManualClock(), seed=5)


@pytest.fixture
def client(emu: Emulator) -> Iterator[fd.Client]:
    with emu.client() as client:
        yield client


def left_running(emu: Emulator) -> list[tuple[str, str]]:
    """The endpoints that are not TERMINATED once the terminates under way have had their time."""
    emu.advance(600)
    with emu.client() as look:
        return [(ep.id, ep.state.status.value) for ep in look.endpoints.list() if ep.state.status.value != "TERMINATED"]


def terminates(emu: Emulator) -> list[int | None]:
    return [r.status for r in emu.requests_for(TERMINATE)]


class Boom(Exception):
    pass


# -- the way out ---------------------------------------------------------------------------------------
def test_the_block_gets_a_serving_endpoint_and_the_exit_terminates_it(emu: Emulator, client: fd.Client) -> None:
    with client.endpoints.ephemeral("evals", "judge", "org/model", "H100", max_batch_size=64) as endpoint:
        assert endpoint.state.status is fd.Status.RUNNING
        assert (endpoint.project_id, endpoint.name) == ("evals", "judge")
        assert [r.status for r in emu.requests_for("dedicatedTokenization")] == [200]  # it serves
        assert client.endpoints.get(endpoint.id).max_batch_size == 64
        assert terminates(emu) == []
    assert terminates(emu) == [200]
    assert client.endpoints.status(endpoint.id).status is fd.Status.TERMINATING  # not waited for by default
    assert left_running(emu) == []


def test_wait_terminated_waits_until_it_is_terminated(emu: Emulator, client: fd.Client) -> None:
    with client.endpoints.ephemeral("evals", "judge", "org/model", "H100", wait_terminated=True) as endpoint:
        pass
    assert client.endpoints.status(endpoint.id).status is fd.Status.TERMINATED


def test_an_exception_in_the_block_terminates_it_and_goes_on(emu: Emulator, client: fd.Client) -> None:
    with pytest.raises(Boom), client.endpoints.ephemeral("evals", "judge", "org/model", "H100"):
        raise Boom
    assert terminates(emu) == [200]
    assert left_running(emu) == []


def test_ctrl_c_in_the_block_terminates_it_and_goes_on(emu: Emulator, client: fd.Client) -> None:
    with (
        pytest.raises(KeyboardInterrupt),
        client.endpoints.ephemeral("evals", "judge", "org/model", "H100", wait_terminated=True) as endpoint,
    ):
        raise KeyboardInterrupt
    assert terminates(emu) == [200]
    # After an interruption there is no wait for TERMINATED, even when asked: the user wants out.
    assert client.endpoints.status(endpoint.id).status is fd.Status.TERMINATING
    assert left_running(emu) == []


def test_ctrl_c_while_waiting_for_it_to_serve_terminates_it(emu: Emulator, client: fd.Client) -> None:
    def interrupt(state: fd.EndpointState, elapsed: float) -> None:
        if state.phase is not None and state.phase.value == "DOWNLOADING_MODEL":
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):  # noqa: SIM117 (the block must not run)
        with client.endpoints.ephemeral("evals", "judge", "org/model", "H100", on_progress=interrupt):
            pytest.fail("the block ran")
    assert terminates(emu) == [200]
    assert left_running(emu) == []


def test_a_wait_that_times_out_terminates_it(emu: Emulator, client: fd.Client) -> None:
    with pytest.raises(fd.WaitTimeoutError):  # noqa: SIM117
        with client.endpoints.ephemeral("evals", "judge", "org/model", "H100", timeout=30):
            pytest.fail("the block ran")
    assert terminates(emu) == [200]
    assert left_running(emu) == []


def test_an_endpoint_that_fails_to_deploy_is_terminated_too(emu: Emulator, client: fd.Client) -> None:
    with pytest.raises(fd.EndpointFailedError):  # noqa: SIM117
        with client.endpoints.ephemeral("evals", "judge", "emulator/fail-INFERENCE_ENGINE_MEMORY_ERROR", "H100"):
            pytest.fail("the block ran")
    assert terminates(emu) == [200]  # a FAILED endpoint keeps its resources until terminated


def test_an_endpoint_terminated_or_deleted_in_the_block_is_fine(emu: Emulator, client: fd.Client) -> None:
    with client.endpoints.ephemeral("evals", "a", "org/model", "H100") as first:
        first.terminate()
    with client.endpoints.ephemeral("evals", "b", "org/model", "H100") as second:
        second.delete()
    assert terminates(emu) == [200, 200, 404]
    assert left_running(emu) == []


def test_a_refused_terminate_of_an_endpoint_already_ending_counts_as_done(emu: Emulator) -> None:
    """An API that answers 400 to terminating an endpoint that is TERMINATING: the status says it is ending."""
    flow = _ephemeral.terminate_flow("ep-1", None)
    assert next(flow).label == "PUT /dedicated/beta/endpoint/ep-1/terminate"
    assert flow.throw(fd.BadRequestError("400", status_code=400)).label == "GET /dedicated/beta/endpoint/ep-1/status"
    with pytest.raises(StopIteration) as done:
        flow.send(fd.EndpointState(status=fd.Status.TERMINATING))
    assert done.value.value.status is fd.Status.TERMINATING
    refused = fd.BadRequestError("400", status_code=400)
    flow = _ephemeral.terminate_flow("ep-1", None)
    next(flow)
    flow.throw(refused)
    with pytest.raises(fd.BadRequestError) as caught:
        flow.send(fd.EndpointState(status=fd.Status.RUNNING))
    assert caught.value is refused


# -- when terminating fails ------------------------------------------------------------------------------
def test_a_failing_terminate_names_the_endpoint_still_billing(
    emu: Emulator, client: fd.Client, caplog: pytest.LogCaptureFixture
) -> None:
    with pytest.raises(fd.EndpointNotTerminatedError) as caught:  # noqa: SIM117
        with client.endpoints.ephemeral("evals", "judge", "org/model", "H100") as endpoint:
            emu.inject(TERMINATE, 500, times=1)
    error = caught.value
    assert (error.endpoint_id, error.project_id, error.name) == (endpoint.id, "evals", "judge")
    assert error.original is None
    assert error.terminate_sent is False
    assert isinstance(error.__cause__, fd.ServerError)
    assert f"endpoint {endpoint.id} may still be running and billing" in str(error)
    assert f"client.endpoints.terminate({endpoint.id!r})" in str(error)
    assert [r for r in caplog.records if r.levelno == logging.ERROR and endpoint.id in r.getMessage()]
    assert client.endpoints.status(endpoint.id).status is fd.Status.RUNNING  # it is indeed still there


def test_a_failing_terminate_after_an_exception_keeps_the_exception_as_its_original(
    emu: Emulator, client: fd.Client
) -> None:
    def evaluation() -> None:
        with client.endpoints.ephemeral("evals", "judge", "org/model", "H100"):
            emu.inject(TERMINATE, "drop", times=5)
            raise Boom("the evaluation broke")

    with pytest.raises(fd.EndpointNotTerminatedError) as caught:
        evaluation()
    error = caught.value
    assert isinstance(error.original, Boom)
    assert isinstance(error.__cause__, fd.TransportError)
    assert "the block ended with Boom" in str(error)


def test_a_failing_terminate_after_ctrl_c_lets_the_interrupt_go_on_with_a_note(
    emu: Emulator, client: fd.Client
) -> None:
    ids: list[str] = []

    def evaluation() -> None:
        with client.endpoints.ephemeral("evals", "judge", "org/model", "H100") as endpoint:
            ids.append(endpoint.id)
            emu.inject(TERMINATE, 500, times=1)
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt) as caught:
        evaluation()
    (note,) = caught.value.__notes__
    assert f"endpoint {ids[0]} may still be running and billing" in note


def test_a_second_ctrl_c_during_the_terminate_stops_it_and_says_what_may_still_bill(emu: Emulator) -> None:
    inner = emu.transport()

    def second_ctrl_c(request: httpx.Request) -> httpx.Response:
        if request.url.path.endswith("/terminate"):
            raise KeyboardInterrupt
        return inner.handle_request(request)

    client = fd.Client(
        token=DEFAULT_TOKEN,
        team_id=DEFAULT_TEAM,
        base_url=BASE_URL,
        allow_insecure=True,
        http_client=httpx.Client(transport=httpx.MockTransport(second_ctrl_c)),
        clock=emu.clock,
        sleep=emu.sleep,
    )
    with pytest.raises(KeyboardInterrupt) as caught:  # noqa: SIM117
        with client.endpoints.ephemeral("evals", "judge", "org/model", "H100") as endpoint:
            raise Boom
    notes = getattr(caught.value, "__notes__", [])
    assert any(f"endpoint {endpoint.id} may still be running" in note for note in notes)
    assert isinstance(caught.value.__context__, Boom)


def test_a_terminate_accepted_but_not_seen_terminated_says_so(emu: Emulator, client: fd.Client) -> None:
    emu_clock = emu.clock
    assert isinstance(emu_clock, ManualClock)
    with pytest.raises(fd.EndpointNotTerminatedError) as caught:  # noqa: SIM117
        with client.endpoints.ephemeral("evals", "judge", "org/model", "H100", timeout=5, wait_terminated=True):
            emu.inject("status", 503, times=1000)  # the wait for TERMINATED cannot read the status
    assert caught.value.terminate_sent is True
    assert "was told to terminate, but it was not seen TERMINATED" in str(caught.value)
    assert isinstance(caught.value.__cause__, fd.WaitTimeoutError)


# -- creating ---------------------------------------------------------------------------------------------
def test_a_create_whose_outcome_is_unknown_says_the_endpoint_may_exist_and_was_not_terminated(
    emu: Emulator, client: fd.Client
) -> None:
    emu.inject("create", "drop", times=1)  # no answer, and no endpoint of the name to be found after
    with pytest.raises(fd.EndpointCreationUnresolvedError) as caught:  # noqa: SIM117
        with client.endpoints.ephemeral("evals", "judge", "org/model", "H100"):
            pytest.fail("the block ran")
    (note,) = caught.value.__notes__
    assert "id is unknown, so it was not terminated" in note
    assert "endpoints.find('evals', 'judge')" in note
    assert terminates(emu) == []


def test_ctrl_c_during_the_create_says_the_endpoint_may_exist(emu: Emulator) -> None:
    inner = emu.transport()

    def interrupted(request: httpx.Request) -> httpx.Response:
        response = inner.handle_request(request)
        if request.method == "POST":
            raise KeyboardInterrupt  # after the server created it: the answer never arrives
        return response

    client = fd.Client(
        token=DEFAULT_TOKEN,
        team_id=DEFAULT_TEAM,
        base_url=BASE_URL,
        allow_insecure=True,
        http_client=httpx.Client(transport=httpx.MockTransport(interrupted)),
        clock=emu.clock,
        sleep=emu.sleep,
    )
    with pytest.raises(KeyboardInterrupt) as caught:  # noqa: SIM117
        with client.endpoints.ephemeral("evals", "judge", "org/model", "H100"):
            pytest.fail("the block ran")
    (note,) = caught.value.__notes__
    assert "interrupted while creating 'judge' in project 'evals'" in note
    assert "may bill" in note


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"timeout": -1}, "timeout"),
        ({"timeout": None}, "timeout"),
        ({"poll": 3}, "poll"),
        ({"on_progress": len}, "on_progress"),
        ({"wait_terminated": "yes"}, "wait_terminated"),
        ({"max_batch_size": "big"}, "max_batch_size"),
        ({"instance": "9x NOPE"}, "instance"),
    ],
)
def test_bad_input_is_refused_when_ephemeral_is_called(
    emu: Emulator, client: fd.Client, kwargs: dict[str, object], field: str
) -> None:
    arguments: dict[str, object] = {"instance": "H100", **kwargs}
    with pytest.raises(fd.InvalidInputError) as caught:
        client.endpoints.ephemeral("evals", "judge", "org/model", **arguments)  # type: ignore[arg-type]
    assert caught.value.field.startswith(field)
    assert emu.requests == []


# -- async --------------------------------------------------------------------------------------------------
async def until_set(event: asyncio.Event, task: asyncio.Task[None]) -> None:
    """Until ``event`` is set, or ``task`` ended without setting it (then its error is raised here)."""
    waiter = asyncio.ensure_future(event.wait())
    await asyncio.wait({waiter, task}, return_when=asyncio.FIRST_COMPLETED)
    waiter.cancel()
    if not event.is_set():
        task.result()
        pytest.fail("the block was never entered")


def run_async(emu: Emulator, body: Callable[[fd.AsyncClient], object]) -> None:
    async def main() -> None:
        async with emu.async_client() as client:
            await body(client)  # type: ignore[misc]

    asyncio.run(main())


def test_async_normal_exit_and_exception(emu: Emulator) -> None:
    async def body(client: fd.AsyncClient) -> None:
        async with client.endpoints.ephemeral("evals", "a", "org/model", "H100", wait_terminated=True) as endpoint:
            assert endpoint.state.status is fd.Status.RUNNING
        assert (await client.endpoints.status(endpoint.id)).status is fd.Status.TERMINATED
        with pytest.raises(Boom):
            async with client.endpoints.ephemeral("evals", "b", "org/model", "H100"):
                raise Boom

    run_async(emu, body)
    assert terminates(emu) == [200, 200]
    assert left_running(emu) == []


def test_a_task_cancelled_in_the_block_terminates_its_endpoint(emu: Emulator) -> None:
    inside = asyncio.Event()

    async def block(client: fd.AsyncClient) -> None:
        async with client.endpoints.ephemeral("evals", "judge", "org/model", "H100", wait_terminated=True):
            inside.set()
            await asyncio.Event().wait()  # until cancelled

    async def body(client: fd.AsyncClient) -> None:
        task = asyncio.create_task(block(client))
        await until_set(inside, task)
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task

    run_async(emu, body)
    assert terminates(emu) == [200]
    assert left_running(emu) == []


def test_a_task_timed_out_by_asyncio_timeout_terminates_its_endpoint(emu: Emulator) -> None:
    async def evaluation(client: fd.AsyncClient) -> None:
        async with (
            asyncio.timeout(None) as deadline,
            client.endpoints.ephemeral("evals", "judge", "org/model", "H100"),
        ):
            deadline.reschedule(asyncio.get_running_loop().time())  # the deadline is now: no real wait
            await asyncio.Event().wait()

    async def body(client: fd.AsyncClient) -> None:
        with pytest.raises(TimeoutError):
            await evaluation(client)

    run_async(emu, body)
    assert terminates(emu) == [200]
    assert left_running(emu) == []


class CancelAtTerminate(httpx.AsyncBaseTransport):
    """The emulator's transport; the task sending the terminate is cancelled as the request goes out,
    ``times`` times (each time it is awaited again)."""

    def __init__(self, emulator: Emulator, times: int) -> None:
        self.inner, self.times, self.task = emulator.transport(), times, None

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        if request.url.path.endswith("/terminate") and self.task is not None:
            for _ in range(self.times):
                self.task.cancel()
                await asyncio.sleep(0)
        return await self.inner.handle_async_request(request)


@pytest.mark.parametrize("times", [1, 3])
def test_cancelled_again_while_terminating_the_terminate_still_goes_through(emu: Emulator, times: int) -> None:
    transport = CancelAtTerminate(emu, times)
    reached = asyncio.Event()

    async def block(client: fd.AsyncClient) -> None:
        async with client.endpoints.ephemeral("evals", "judge", "org/model", "H100"):
            reached.set()
            raise Boom

    async def main() -> None:
        client = fd.AsyncClient(
            token=DEFAULT_TOKEN,
            team_id=DEFAULT_TEAM,
            base_url=BASE_URL,
            allow_insecure=True,
            http_client=httpx.AsyncClient(transport=transport),
            clock=emu.clock,
            sleep=emu.async_sleep,
        )
        task = asyncio.create_task(block(client))
        transport.task = task  # type: ignore[assignment]
        with pytest.raises(asyncio.CancelledError):
            await task
        assert reached.is_set()

    asyncio.run(main())
    assert terminates(emu) == [200]
    assert left_running(emu) == []


def test_a_failing_terminate_after_a_cancellation_lets_the_cancellation_go_on_with_a_note(emu: Emulator) -> None:
    inside = asyncio.Event()
    ids: list[str] = []

    async def block(client: fd.AsyncClient) -> None:
        async with client.endpoints.ephemeral("evals", "judge", "org/model", "H100") as endpoint:
            ids.append(endpoint.id)
            emu.inject(TERMINATE, 500, times=1)
            inside.set()
            await asyncio.Event().wait()

    async def body(client: fd.AsyncClient) -> None:
        task = asyncio.create_task(block(client))
        await until_set(inside, task)
        task.cancel()
        with pytest.raises(asyncio.CancelledError) as caught:
            await task
        assert any(f"endpoint {ids[0]} may still be running" in note for note in caught.value.__notes__)

    run_async(emu, body)


def test_the_async_failing_terminate_names_the_endpoint(emu: Emulator) -> None:
    async def body(client: fd.AsyncClient) -> None:
        with pytest.raises(fd.EndpointNotTerminatedError) as caught:
            async with client.endpoints.ephemeral("evals", "judge", "org/model", "H100") as endpoint:
                emu.inject(TERMINATE, 500, times=1)
        assert caught.value.endpoint_id == endpoint.id

    run_async(emu, body)
