"""The service's tests, using only the SDK's documented testing kit (docs/testing.md).

The fixtures come from the SDK's pytest plugin (installed with it); ``deploy`` builds its own
``fd.Client()`` and is not changed for the tests: ``friendli_mock`` routes that client to the
emulator, in-process, on emulated time.
"""

from __future__ import annotations

import time

import pytest
from deployer import deploy, start, wait_for

import friendli_dedicated as fd
from friendli_dedicated.emulator import Emulator, ManualClock, Timings
from friendli_dedicated.testing import current_emulator, mock_friendli

TEN_MINUTES = Timings(requesting_virtual_machine=60, downloading_model=360, engine_initializing=180)


def test_a_ten_minute_deployment_is_awaited_in_emulated_time() -> None:
    emulator = Emulator(clock=ManualClock(), timings=TEN_MINUTES)
    started = emulator.clock()
    wall = time.perf_counter()
    with mock_friendli(emulator):
        result = deploy("proj", "chat", "meta-llama/Llama-3.1-8B-Instruct")
    wall = time.perf_counter() - wall
    assert result.serving
    assert emulator.clock() - started >= 600  # the emulated deployment took its ten minutes
    print(f"\n10-minute deployment awaited in {wall * 1000:.1f} ms of wall time")


def test_deploy_creates_once_and_serves(friendli_mock: Emulator) -> None:
    result = deploy("proj", "chat", "org/model")
    assert result.serving
    assert result.endpoint_id in friendli_mock.endpoint_ids()
    assert len(friendli_mock.requests_for("create")) == 1


def test_a_503_on_the_next_create_is_recovered_without_a_duplicate(friendli_mock: Emulator) -> None:
    friendli_mock.inject("create", status=503)
    result = deploy("proj", "chat", "org/model")
    # The SDK could not tell whether the 503'd create made the endpoint (EndpointCreationUnresolvedError);
    # the service looked, found none, and created it again: one endpoint, two creates sent.
    assert result.serving
    assert len(friendli_mock.requests_for("create")) == 2
    assert friendli_mock.endpoint_ids() == [result.endpoint_id]


def test_a_failing_deployment_is_reported_with_its_error_code(friendli_mock: Emulator) -> None:
    endpoint_id = start("proj", "chat", "org/model")
    friendli_mock.fail(endpoint_id, "INFERENCE_ENGINE_MEMORY_ERROR")
    result = wait_for(endpoint_id)
    assert not result.serving
    assert result.error_code == "INFERENCE_ENGINE_MEMORY_ERROR"


def test_the_client_fixture_talks_to_the_emulator(friendli_client: fd.Client, friendli_emulator: Emulator) -> None:
    endpoint = friendli_client.endpoints.create("proj", "chat", "org/model", "2x H100")
    friendli_emulator.fail(endpoint.id, "INFERENCE_ENGINE_MEMORY_ERROR")
    with pytest.raises(fd.EndpointFailedError) as failed:
        endpoint.wait_until_running(timeout=1800)
    assert failed.value.error_code == "INFERENCE_ENGINE_MEMORY_ERROR"
    assert "memory" in failed.value.hint.lower()


@mock_friendli()
def test_the_decorator_covers_code_that_builds_its_own_client() -> None:
    result = deploy("proj", "chat", "org/model")
    assert result.serving
    assert current_emulator().endpoint_ids() == [result.endpoint_id]
