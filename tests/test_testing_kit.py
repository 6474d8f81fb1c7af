"""The testing kit: ``mock_friendli`` (context manager and decorator) and the pytest plugin's fixtures.

What a service team relies on: code that builds ``fd.Client()`` itself talks to the emulator
inside the block, on emulated time, and to nothing of it outside; nesting is refused; everything is
restored even after an exception; the fixtures are there without any configuration.
"""

from __future__ import annotations

import asyncio
import subprocess
import sys
import textwrap
import threading
import time
import unittest
from pathlib import Path

import httpx
import pytest

import friendli_dedicated as fd
from friendli_dedicated import _redirect
from friendli_dedicated.emulator import Emulator, ManualClock, Timings
from friendli_dedicated.testing import current_emulator, mock_friendli

TEN_MINUTES = Timings(requesting_virtual_machine=60, downloading_model=360, engine_initializing=180)


def deploy() -> str:
    """Code under test: builds its own client, as services do."""
    with fd.Client() as client:
        endpoint = client.endpoints.create("proj", "chat", "org/model", "1x H100")
        endpoint.wait_until_running(timeout=1800)
        return endpoint.id


async def deploy_async() -> str:
    async with fd.AsyncClient() as client:
        endpoint = await client.endpoints.create("proj", "chat", "org/model", "1x H100")
        await endpoint.wait_until_running(timeout=1800)
        return endpoint.id


def test_clients_built_inside_talk_to_the_emulator_on_its_time(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FRIENDLI_TOKEN", "flp_production-token")  # ignored inside the block
    monkeypatch.setenv("FRIENDLI_BASE_URL", "https://api.friendli.ai")
    emulator = Emulator(clock=ManualClock(), timings=TEN_MINUTES)
    start = emulator.clock()
    with mock_friendli(emulator) as emu:
        endpoint_id = deploy()
    assert emu is emulator
    assert emulator.endpoint_ids() == [endpoint_id]
    assert emulator.clock() - start >= 600  # ten emulated minutes went by
    assert [r.status for r in emulator.requests_for("create")] == [200]


def test_the_async_client_is_routed_too() -> None:
    with mock_friendli() as emu:
        endpoint_id = asyncio.run(deploy_async())
    assert emu.endpoint_ids() == [endpoint_id]


def test_a_scale_to_zero_endpoint_is_seen_running_before_it_cools_down() -> None:
    with mock_friendli() as emu:
        client = fd.Client()
        endpoint = client.endpoints.create(
            "proj", "chat", "org/model", "1x H100", autoscaling=fd.Autoscaling.scale_to_zero(cooldown=5)
        )
        assert endpoint.wait_until_running(timeout=1800).state.status is fd.Status.RUNNING  # type: ignore[union-attr]
        emu.advance(60)
        assert client.endpoints.status(endpoint.id).status is fd.Status.SLEEPING


def test_clients_with_their_own_base_url_or_http_client_are_left_alone() -> None:
    seen: list[str] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(str(request.url))
        return httpx.Response(200, json={"status": "RUNNING"})

    with mock_friendli() as emu:
        explicit = fd.Client(token="t", http_client=httpx.Client(transport=httpx.MockTransport(handler)))
        explicit.endpoints.status("ep-1")
        assert fd.Client(token="t", base_url="https://elsewhere.test").base_url == "https://elsewhere.test"
    assert seen == ["https://api.friendli.ai/dedicated/beta/endpoint/ep-1/status"]
    assert emu.requests == []


def test_nothing_is_patched_outside_and_nesting_is_refused() -> None:
    assert _redirect.current() is None
    with mock_friendli():
        with pytest.raises(RuntimeError, match="does not nest"), mock_friendli():
            pass
        assert _redirect.current() is not None  # the refused inner block changed nothing
    assert _redirect.current() is None
    with pytest.raises(fd.ConfigurationError, match="FRIENDLI_TOKEN"):
        fd.Client(token=None)  # outside: the environment again (no token in this test's environment)


def test_everything_is_restored_after_an_exception(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("FRIENDLI_TOKEN", raising=False)
    with pytest.raises(ZeroDivisionError), mock_friendli():
        _ = 1 / 0
    assert _redirect.current() is None
    with mock_friendli() as emu:  # usable again
        assert fd.Client().endpoints.create("p", "n", "m", "H100").id in emu.endpoint_ids()


def test_the_decorator_wraps_functions_coroutines_and_test_classes() -> None:
    @mock_friendli()
    def sync_job() -> tuple[str, Emulator]:
        return deploy(), current_emulator()

    @mock_friendli()
    async def async_job() -> tuple[str, Emulator]:
        return await deploy_async(), current_emulator()

    endpoint_id, emu = sync_job()
    assert emu.endpoint_ids() == [endpoint_id]
    async_id, async_emu = asyncio.run(async_job())
    assert async_emu.endpoint_ids() == [async_id]
    assert async_emu is not emu  # a fresh emulator per call

    @mock_friendli()
    class Case(unittest.TestCase):
        def test_deploy(self) -> None:
            endpoint_id = deploy()
            self.assertEqual(current_emulator().endpoint_ids(), [endpoint_id])  # noqa: PT009 (a unittest case)

    result = unittest.TextTestRunner(stream=open("/dev/null", "w"), verbosity=0).run(  # noqa: SIM115
        unittest.defaultTestLoader.loadTestsFromTestCase(Case)
    )
    assert result.wasSuccessful(), result.failures + result.errors
    assert _redirect.current() is None
    with pytest.raises(RuntimeError, match="no mock_friendli block"):
        current_emulator()


def test_clients_built_in_other_threads_inside_the_block_are_routed() -> None:
    found: list[str] = []
    with mock_friendli() as emu:
        worker = threading.Thread(target=lambda: found.append(deploy()))
        worker.start()
        worker.join()
    assert emu.endpoint_ids() == found


def test_a_bad_emulator_argument_is_refused() -> None:
    with pytest.raises(fd.InvalidInputError) as refused:
        mock_friendli("emulator")  # type: ignore[arg-type]
    assert refused.value.field == "emulator"


def test_a_ten_minute_deployment_takes_a_fraction_of_a_second(capsys: pytest.CaptureFixture[str]) -> None:
    # Reported, not asserted (no wall-time assertions in tests): the figure quoted in the docs.
    started = time.perf_counter()
    with mock_friendli(Emulator(clock=ManualClock(), timings=TEN_MINUTES)):
        deploy()
    print(f"ten emulated minutes awaited in {time.perf_counter() - started:.3f} s")


# -- the pytest plugin --------------------------------------------------------------------------------
def test_the_fixtures_are_there_without_configuration(friendli_emulator: Emulator, friendli_client: fd.Client) -> None:
    endpoint = friendli_client.endpoints.create("proj", "chat", "org/model", "H100")
    assert endpoint.id in friendli_emulator.endpoint_ids()
    assert isinstance(friendli_emulator.clock, ManualClock)


def test_the_mock_fixture_shares_the_emulator(friendli_mock: Emulator, friendli_emulator: Emulator) -> None:
    assert friendli_mock is friendli_emulator
    assert deploy() in friendli_mock.endpoint_ids()


def test_the_async_client_fixture(friendli_async_client: fd.AsyncClient, friendli_emulator: Emulator) -> None:
    async def create() -> str:
        return (await friendli_async_client.endpoints.create("proj", "chat", "org/model", "H100")).id

    assert asyncio.run(create()) in friendli_emulator.endpoint_ids()


def test_the_plugin_is_registered_through_its_entry_point(tmp_path: Path) -> None:
    """In a fresh pytest process, with no conftest: the fixtures come from the installed package."""
    (tmp_path / "test_service.py").write_text(
        textwrap.dedent(
            """
            import friendli_dedicated as fd

            def test_with_fixtures(friendli_mock):
                endpoint = fd.Client().endpoints.create("proj", "chat", "org/model", "H100")
                assert endpoint.id in friendli_mock.endpoint_ids()
            """
        )
    )
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", str(tmp_path)],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "1 passed" in result.stdout
