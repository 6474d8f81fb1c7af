"""RUNNING is not serving: ``check_serving`` asks the endpoint itself, and ``wait_until_running(serving=True)``
waits until it answers.

Against the emulator on a ``ManualClock`` (no real time): what the check raises for each answer of
docs/emulator.md's table (503 while deploying, updating or waking, with Retry-After; 400 asleep or
failed; 404 unknown or deleted), for a check that gets no answer in time, and for the errors that
say nothing about the endpoint; and how a serving wait goes through a warm-up that outlasts RUNNING
(the emulator's inference surface refusing with injected 503s), one deadline for both.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterator

import httpx
import pytest

import friendli_dedicated as fd
from friendli_dedicated import _waiter
from friendli_dedicated.emulator import DEFAULT_TEAM, DEFAULT_TOKEN, Emulator, ManualClock, Timings
from friendli_dedicated.emulator._inprocess import BASE_URL

TIMINGS = Timings()  # deploy 90 s, update 30 s, wake 20 s, terminate 10 s
TOKENIZE = "dedicatedTokenization"


@pytest.fixture
def emu() -> Emulator:
    return Emulator(clock=ManualClock(), timings=TIMINGS, seed=3)


@pytest.fixture
def client(emu: Emulator) -> Iterator[fd.Client]:
    with emu.client() as client:
        yield client


def running(client: fd.Client, name: str = "chat", **create: object) -> fd.Endpoint:
    endpoint = client.endpoints.create("proj", name, "org/model", "H100", **create)  # type: ignore[arg-type]
    return endpoint.wait_until_running(timeout=600)


def not_serving(client: fd.Client, endpoint_id: str, timeout: float = 30.0) -> fd.EndpointNotServingError:
    with pytest.raises(fd.EndpointNotServingError) as caught:
        client.endpoints.check_serving(endpoint_id, timeout=timeout)
    error = caught.value
    assert error.endpoint_id == endpoint_id
    assert error.__cause__ is error.error
    assert endpoint_id in str(error)
    return error


# -- check_serving, by the emulator's answers ----------------------------------------------------------
def test_a_running_endpoint_answers_with_one_tokenization(emu: Emulator, client: fd.Client) -> None:
    endpoint = running(client)
    before = len(emu.requests)
    assert endpoint.check_serving() is endpoint  # the handle, so that calls chain
    assert client.endpoints.check_serving(endpoint.id) is None
    sent = emu.requests[before:]
    assert [(r.operation, r.status, r.body) for r in sent] == [
        (TOKENIZE, 200, {"model": endpoint.id, "prompt": "ping"}),
    ] * 2


@pytest.mark.parametrize(("how", "until_running"), [("deploying", 90), ("updating", 30), ("waking", 20)])
def test_503_while_it_deploys_updates_or_wakes_says_warming_up_with_retry_after(
    emu: Emulator, client: fd.Client, how: str, until_running: float
) -> None:
    endpoint = client.endpoints.create("proj", "chat", "org/model", "H100")
    if how != "deploying":
        endpoint.wait_until_running(timeout=600)
        if how == "updating":
            endpoint.update(max_batch_size=64)
        else:
            endpoint.sleep().wake()
    error = not_serving(client, endpoint.id, timeout=5)  # shorter than the warm-up: no retry fits
    assert (error.reason, error.status_code) == ("warming_up", 503)
    assert isinstance(error.error, fd.ServerError)
    assert error.retry_after == pytest.approx(until_running)  # the emulator's: until it is RUNNING
    assert f"ask again in {error.retry_after:g}s" in str(error)


def test_a_check_given_time_enough_waits_out_a_short_warm_up(emu: Emulator, client: fd.Client) -> None:
    endpoint = running(client).sleep().wake()  # awake in 20 s: the 503 says so, and the retry fits in 30 s
    start = emu.clock()
    client.endpoints.check_serving(endpoint.id, timeout=30)
    assert [r.status for r in emu.requests_for(TOKENIZE)] == [503, 200]
    assert emu.clock() - start == pytest.approx(20.0)


def test_retry_after_is_the_time_until_it_runs(emu: Emulator, client: fd.Client) -> None:
    endpoint = client.endpoints.create("proj", "chat", "org/model", "H100")
    emu.advance(30)
    error = not_serving(client, endpoint.id)
    assert error.retry_after == pytest.approx(60.0, abs=1.0)  # deploying takes 90 s in all


@pytest.mark.parametrize("state", ["sleeping", "failed", "terminated"])
def test_400_when_it_needs_an_action_says_which(emu: Emulator, client: fd.Client, state: str) -> None:
    endpoint = running(client)
    if state == "sleeping":
        endpoint.sleep()
        needed = "wake it"
    elif state == "failed":
        emu.fail(endpoint.id, "INFERENCE_ENGINE_MEMORY_ERROR")
        endpoint.update(max_batch_size=64)
        emu.advance(600)
        needed = "INFERENCE_ENGINE_MEMORY_ERROR"
    else:
        endpoint.terminate()
        emu.advance(600)
        needed = "restart it"
    error = not_serving(client, endpoint.id)
    assert (error.reason, error.status_code, error.retry_after) == ("needs_action", 400, None)
    assert isinstance(error.error, fd.BadRequestError)
    assert needed in str(error)


@pytest.mark.parametrize("gone", ["unknown", "deleted", "another team's"])
def test_404_for_an_endpoint_that_is_not_there(emu: Emulator, client: fd.Client, gone: str) -> None:
    endpoint_id = "ep-nope"
    if gone == "deleted":
        endpoint = running(client)
        endpoint.delete()
        endpoint_id = endpoint.id
    elif gone == "another team's":
        emu = Emulator(clock=ManualClock(), tokens={"a": ["team-a"], "b": ["team-b"]})
        with emu.client(token="a") as mine:
            endpoint_id = running(mine).id
        with emu.client(token="b") as theirs:
            error = not_serving(theirs, endpoint_id)
        assert (error.reason, error.status_code) == ("not_found", 404)
        return
    error = not_serving(client, endpoint_id)
    assert (error.reason, error.status_code) == ("not_found", 404)
    assert isinstance(error.error, fd.NotFoundError)


def test_no_answer_within_the_timeout(emu: Emulator) -> None:
    """The tokenization hangs: the check's deadline passes (on the emulated clock) and it says so."""
    clock = emu.clock
    assert isinstance(clock, ManualClock)
    inner = emu.transport()

    def hang(request: httpx.Request) -> httpx.Response:
        if request.url.path.endswith("/tokenize"):
            clock.advance(7.0)  # the server takes its time: the check's 5 s pass meanwhile
            raise httpx.ReadTimeout("timed out", request=request)
        return inner.handle_request(request)

    with emu.client() as setup:
        endpoint_id = running(setup).id
    http = httpx.Client(transport=httpx.MockTransport(hang))
    with fd.Client(
        token=DEFAULT_TOKEN,
        team_id=DEFAULT_TEAM,
        base_url=BASE_URL,
        allow_insecure=True,
        http_client=http,
        clock=clock,
        sleep=emu.sleep,
    ) as client:
        start = clock()
        error = not_serving(client, endpoint_id, timeout=5)
    assert error.reason == "timeout"
    assert isinstance(error.error, fd.RequestTimeoutError)
    assert "within 5s" in str(error)
    assert clock() - start == pytest.approx(7.0)  # one attempt: no retry is started past the deadline


def test_no_response_at_all_is_unavailable(emu: Emulator, client: fd.Client) -> None:
    endpoint = running(client)
    emu.inject(TOKENIZE, "drop", times=3)
    error = not_serving(client, endpoint.id)
    assert (error.reason, error.status_code) == ("unavailable", None)
    assert isinstance(error.error, fd.TransportError)
    emu.inject(TOKENIZE, 502, times=3)
    assert not_serving(client, endpoint.id).reason == "unavailable"


def test_transient_failures_are_retried_within_the_check(emu: Emulator, client: fd.Client) -> None:
    endpoint = running(client)
    emu.inject(TOKENIZE, 503, times=2, retry_after=1)
    client.endpoints.check_serving(endpoint.id)
    assert [r.status for r in emu.requests_for(TOKENIZE)] == [503, 503, 200]


@pytest.mark.parametrize(("status", "error_type"), [(429, fd.RateLimitError), (401, fd.AuthenticationError)])
def test_errors_that_say_nothing_about_the_endpoint_are_raised_as_they_are(
    emu: Emulator, status: int, error_type: type[fd.APIError]
) -> None:
    with emu.client() as setup:
        endpoint_id = running(setup).id
    if status == 429:
        emu.inject(TOKENIZE, 429, times=100)
        client = emu.client(max_retries=0, timeout=5)
    else:
        client = emu.client(token="not-a-token")
    with client, pytest.raises(error_type) as caught:
        client.endpoints.check_serving(endpoint_id)
    assert not isinstance(caught.value, fd.EndpointNotServingError)


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [({"timeout": 0}, "timeout"), ({"timeout": -1}, "timeout"), ({"timeout": None}, "timeout")],
)
def test_bad_input_is_refused_before_any_request(
    emu: Emulator, client: fd.Client, kwargs: dict[str, object], field: str
) -> None:
    with pytest.raises(fd.InvalidInputError) as caught:
        client.endpoints.check_serving("ep-1", **kwargs)  # type: ignore[arg-type]
    assert caught.value.field == field
    with pytest.raises(fd.InvalidInputError) as caught:
        client.endpoints.check_serving("")
    assert caught.value.field == "endpoint_id"
    assert emu.requests == []


def test_the_async_client_checks_alike(emu: Emulator) -> None:
    async def main() -> tuple[str, str]:
        async with emu.async_client() as client:
            endpoint = await client.endpoints.create("proj", "chat", "org/model", "H100")
            with pytest.raises(fd.EndpointNotServingError) as caught:
                await endpoint.check_serving()
            await endpoint.wait_until_running(timeout=600)
            assert await endpoint.check_serving() is endpoint
            return caught.value.reason, endpoint.id

    reason, _ = asyncio.run(main())
    assert reason == "warming_up"


# -- wait_until_running(serving=True) --------------------------------------------------------------------
def test_a_serving_wait_goes_on_past_running_until_it_answers(emu: Emulator, client: fd.Client) -> None:
    endpoint = client.endpoints.create("proj", "chat", "org/model", "H100")
    emu.advance(90)  # RUNNING, but the inference surface is still warming up: 503s
    emu.inject(TOKENIZE, 503, times=9, retry_after=2)
    start = emu.clock()
    state = client.endpoints.wait_until_running(endpoint.id, timeout=600, serving=True, poll=fd.Backoff(jitter=0))
    assert state.status is fd.Status.RUNNING
    answers = [r.status for r in emu.requests_for(TOKENIZE)]
    assert answers[-1] == 200
    assert answers.count(503) == 9  # each check retried its 503 within the wait, then the wait polled on
    polls = emu.requests_for("status")
    assert len(polls) >= 3  # the status is read again between checks
    assert emu.clock() - start > 0  # it waited (on the emulated clock)


def test_without_serving_the_wait_ends_at_running_without_asking(emu: Emulator, client: fd.Client) -> None:
    endpoint = client.endpoints.create("proj", "chat", "org/model", "H100")
    endpoint.wait_until_running(timeout=600)
    assert emu.requests_for(TOKENIZE) == []
    endpoint.wait_until_running(timeout=600, serving=True)
    assert [r.status for r in emu.requests_for(TOKENIZE)] == [200]


def test_a_serving_wait_through_a_deployment_checks_only_once_it_runs(emu: Emulator, client: fd.Client) -> None:
    endpoint = client.endpoints.create("proj", "chat", "org/model", "H100")
    endpoint.wait_until_running(timeout=600, serving=True)
    checks = emu.requests_for(TOKENIZE)
    assert [r.status for r in checks] == [200]
    assert checks[0].time >= emu.requests_for("status")[-1].time


def test_a_serving_wait_that_is_never_answered_times_out_from_the_last_check(emu: Emulator, client: fd.Client) -> None:
    endpoint = running(client)
    emu.inject(TOKENIZE, 503, times=10_000, retry_after=5)
    start = emu.clock()
    with pytest.raises(fd.WaitTimeoutError) as caught:
        endpoint.wait_until_running(timeout=60, serving=True)
    error = caught.value
    assert emu.clock() - start <= 60 + 1e-6  # one deadline for the status and the checks
    assert isinstance(error.__cause__, fd.EndpointNotServingError)
    assert error.__cause__.reason == "warming_up"
    assert "RUNNING and serve within 60s" in str(error)
    assert "did not answer (the last check: warming_up)" in str(error)
    assert error.state is not None
    assert error.state.status is fd.Status.RUNNING


def test_a_refusal_while_the_status_says_running_is_raised_not_waited_out(emu: Emulator) -> None:
    inner = emu.transport()

    def refuse(request: httpx.Request) -> httpx.Response:
        if request.url.path.endswith("/tokenize"):
            return httpx.Response(400, json={"detail": "this model does not tokenize"}, request=request)
        return inner.handle_request(request)

    with emu.client() as setup:
        endpoint_id = running(setup).id
    clock = emu.clock
    with fd.Client(
        token=DEFAULT_TOKEN,
        team_id=DEFAULT_TEAM,
        base_url=BASE_URL,
        allow_insecure=True,
        http_client=httpx.Client(transport=httpx.MockTransport(refuse)),
        clock=clock,
        sleep=emu.sleep,
    ) as client:
        start = clock()
        with pytest.raises(fd.EndpointNotServingError) as caught:
            client.endpoints.wait_until_running(endpoint_id, timeout=1800, serving=True)
    assert caught.value.reason == "needs_action"
    assert "does not tokenize" in str(caught.value)
    assert clock() - start < 30  # one pause, one more status read: not the whole timeout


def test_a_serving_wait_on_an_endpoint_that_failed_meanwhile_raises_the_status_table_s_error(
    emu: Emulator, client: fd.Client
) -> None:
    endpoint = client.endpoints.create("proj", "chat", "org/model", "H100")
    emu.fail(endpoint.id, "INFERENCE_ENGINE_MEMORY_ERROR")
    with pytest.raises(fd.EndpointFailedError):
        endpoint.wait_until_running(timeout=600, serving=True)
    assert emu.requests_for(TOKENIZE) == []


def test_an_error_that_waiting_cannot_cure_is_raised_at_once(emu: Emulator) -> None:
    with emu.client() as setup:
        endpoint_id = running(setup).id
    inner = emu.transport()

    def unauthorised_inference(request: httpx.Request) -> httpx.Response:
        if request.url.path.endswith("/tokenize"):
            return httpx.Response(403, json={"detail": "no inference for this token"}, request=request)
        return inner.handle_request(request)

    with (
        fd.Client(
            token=DEFAULT_TOKEN,
            team_id=DEFAULT_TEAM,
            base_url=BASE_URL,
            allow_insecure=True,
            http_client=httpx.Client(transport=httpx.MockTransport(unauthorised_inference)),
            clock=emu.clock,
            sleep=emu.sleep,
        ) as client,
        pytest.raises(fd.PermissionDeniedError),
    ):
        client.endpoints.wait_until_running(endpoint_id, timeout=1800, serving=True)


def test_serving_is_checked_as_a_flag_and_only_for_a_wait_for_running(client: fd.Client) -> None:
    with pytest.raises(fd.InvalidInputError) as caught:
        client.endpoints.wait_until_running("ep-1", serving="yes")  # type: ignore[arg-type]
    assert caught.value.field == "serving"
    with pytest.raises(fd.InvalidInputError, match="only a wait for RUNNING checks"):
        _waiter.Terms.check(
            timeout=1,
            poll=None,
            wake=False,
            on_progress=None,
            clock=lambda: 0.0,
            random=lambda: 0.5,
            until=fd.Status.SLEEPING,
            serving=True,
        )


def test_the_async_serving_wait_goes_through_a_warm_up_too(emu: Emulator) -> None:
    async def main() -> list[int | None]:
        async with emu.async_client() as client:
            endpoint = await client.endpoints.create("proj", "chat", "org/model", "H100")
            emu.advance(90)
            emu.inject(TOKENIZE, 503, times=4)
            handle = await endpoint.wait_until_running(timeout=600, serving=True)
            assert handle.state.status is fd.Status.RUNNING
            return [r.status for r in emu.requests_for(TOKENIZE)]

    assert asyncio.run(main()) == [503, 503, 503, 503, 200]


def test_a_rate_limited_check_is_asked_again_at_the_next_poll(emu: Emulator) -> None:
    """A 429 says nothing about the endpoint, yet is transient: the wait polls on (a check alone raises it)."""
    with emu.client() as setup:
        endpoint_id = running(setup).id
    emu.inject(TOKENIZE, 429, times=2, retry_after=3)
    with emu.client(max_retries=0) as client:  # no retry inside the request: the wait's own poll asks again
        state = client.endpoints.wait_until_running(endpoint_id, timeout=600, serving=True)
    assert state.status is fd.Status.RUNNING
    assert [r.status for r in emu.requests_for(TOKENIZE)] == [429, 429, 200]


def test_a_refusal_from_an_endpoint_that_fell_asleep_is_woken_through_with_wake(emu: Emulator) -> None:
    """RUNNING, then asleep by the time it is asked (a 400): the status says SLEEPING, ``wake=True``
    wakes it, and once it runs again the old refusal no longer counts."""
    inner = emu.transport()
    slept: list[str] = []

    def asleep_when_asked(request: httpx.Request) -> httpx.Response:
        if request.url.path.endswith("/tokenize") and not slept:
            endpoint_id = json.loads(request.content)["model"]
            slept.append(endpoint_id)
            put = httpx.Request(
                "PUT", f"{BASE_URL}/dedicated/beta/endpoint/{endpoint_id}/sleep", headers=request.headers
            )
            assert inner.handle_request(put).status_code == 200
        return inner.handle_request(request)

    with emu.client() as setup:
        endpoint_id = running(setup).id
    with fd.Client(
        token=DEFAULT_TOKEN,
        team_id=DEFAULT_TEAM,
        base_url=BASE_URL,
        allow_insecure=True,
        http_client=httpx.Client(transport=httpx.MockTransport(asleep_when_asked)),
        clock=emu.clock,
        sleep=emu.sleep,
    ) as client:
        state = client.endpoints.wait_until_running(endpoint_id, timeout=600, serving=True, wake=True)
    assert state.status is fd.Status.RUNNING
    assert [r.status for r in emu.requests_for(TOKENIZE)] == [400, 200]
    assert [r.status for r in emu.requests_for("wake")] == [200]
