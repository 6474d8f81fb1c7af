"""The testing kit: ``mock_friendli`` (context manager and decorator) and the pytest plugin's fixtures.

What a service team relies on: code that builds ``fd.Client()`` itself talks to the emulator
inside the block, on emulated time, and to nothing of it outside; blocks nest; everything is
restored even after an exception; the fixtures are there without any configuration.

And that no request leaves while the kit is active, whatever it decorates, in whichever thread or
task: the production-like environment of these tests (``production_env``) points at the real API
with a real-looking token, and ``leaks`` records (never sends) every request that reaches httpx's
network transports.
"""

from __future__ import annotations

import asyncio
import functools
import inspect
import subprocess
import sys
import textwrap
import threading
import time
import unittest
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import httpx
import pytest

import friendli_dedicated as fd
import friendli_dedicated.testing as kit
from friendli_dedicated import _redirect
from friendli_dedicated.emulator import DEFAULT_TOKEN, Emulator, ManualClock, Timings
from friendli_dedicated.testing import current_emulator, mock_friendli

REAL_TOKEN = "flp_real-looking-production-token"

TEN_MINUTES = Timings(requesting_virtual_machine=60, downloading_model=360, engine_initializing=180)


@pytest.fixture
def leaks(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Every request that would have left the process ("host, token sent?"); each is answered 418."""
    seen: list[str] = []

    def record(request: httpx.Request) -> httpx.Response:
        seen.append(f"{request.url.host} token={REAL_TOKEN in request.headers.get('authorization', '')}")
        return httpx.Response(418, json={"detail": "a request left the process"}, request=request)

    async def record_async(request: httpx.Request) -> httpx.Response:
        return record(request)

    monkeypatch.setattr(httpx.HTTPTransport, "handle_request", lambda self, request: record(request))
    monkeypatch.setattr(httpx.AsyncHTTPTransport, "handle_async_request", lambda self, request: record_async(request))
    return seen


@pytest.fixture
def production_env(monkeypatch: pytest.MonkeyPatch) -> None:
    """A developer's laptop: the real API's variables exported."""
    monkeypatch.setenv("FRIENDLI_TOKEN", REAL_TOKEN)
    monkeypatch.setenv("FRIENDLI_TEAM", "team-of-production")
    monkeypatch.setenv("FRIENDLI_BASE_URL", "https://api.friendli.ai")


def run_case(case: type[unittest.TestCase]) -> unittest.TestResult:
    result = unittest.TestResult()
    unittest.defaultTestLoader.loadTestsFromTestCase(case).run(result)
    return result


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
        assert endpoint.wait_until_running(timeout=1800).state.status is fd.Status.RUNNING
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


def test_nothing_is_patched_outside_and_blocks_nest_the_innermost_deciding() -> None:
    assert _redirect.current() is None
    with mock_friendli() as outer:
        with mock_friendli() as inner:
            assert current_emulator() is inner
            assert deploy() in inner.endpoint_ids()
        assert current_emulator() is outer
        with mock_friendli(outer):  # the same emulator again: it shares the block
            assert current_emulator() is outer
        assert deploy() in outer.endpoint_ids()
    assert inner.endpoint_ids() != outer.endpoint_ids()
    assert _redirect.current() is None
    assert _redirect.active == 0
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


def test_a_ten_minute_deployment_never_sleeps_for_real(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every pause of a client built in the block is the emulator's, sync or async: ten emulated minutes
    go by and the process never sleeps (a real sleep fails the test at once instead of taking minutes)."""
    real_async_sleep = asyncio.sleep

    def no_sleep(seconds: float) -> None:
        raise AssertionError(f"a real sleep of {seconds} s")

    async def no_async_sleep(seconds: float, result: object = None) -> object:
        if seconds:  # asyncio.sleep(0) only yields to the event loop
            raise AssertionError(f"a real asyncio sleep of {seconds} s")
        return await real_async_sleep(0, result)

    monkeypatch.setattr(time, "sleep", no_sleep)
    monkeypatch.setattr(asyncio, "sleep", no_async_sleep)
    for run in (deploy, lambda: asyncio.run(deploy_async())):
        emulator = Emulator(clock=ManualClock(), timings=TEN_MINUTES)
        start = emulator.clock()
        with mock_friendli(emulator):
            endpoint_id = run()
        assert emulator.clock() - start >= 600
        assert emulator.endpoint_ids() == [endpoint_id]


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


# -- no request leaves: whatever is decorated -------------------------------------------------------
def test_a_decorated_generator_is_mocked_at_every_step_on_one_emulator(production_env: None, leaks: list[str]) -> None:
    seen: list[Emulator] = []

    @mock_friendli()
    def deployed() -> Iterator[str]:  # a pytest yield fixture: setup, yield, teardown
        endpoint_id = deploy()
        seen.append(current_emulator())
        yield endpoint_id
        fd.Client().endpoints.delete(endpoint_id)
        seen.append(current_emulator())

    steps = deployed()
    endpoint_id = next(steps)
    with pytest.raises(RuntimeError, match="no mock_friendli block"):
        current_emulator()  # suspended at the yield: the block is not active here
    with pytest.raises(StopIteration):
        next(steps)
    assert leaks == []
    assert seen[0] is seen[1]
    assert [r.path.rsplit("/", 1)[-1] for r in seen[0].requests_for("delete")] == [endpoint_id]


def test_a_decorated_async_generator_is_mocked_at_every_step(production_env: None, leaks: list[str]) -> None:
    seen: list[Emulator] = []

    @mock_friendli()
    async def deployed() -> AsyncIterator[str]:
        endpoint_id = await deploy_async()
        seen.append(current_emulator())
        yield endpoint_id
        async with fd.AsyncClient() as client:
            await client.endpoints.delete(endpoint_id)
        seen.append(current_emulator())

    async def use() -> None:
        steps = deployed()
        await anext(steps)
        with pytest.raises(StopAsyncIteration):
            await anext(steps)

    asyncio.run(use())
    assert leaks == []
    assert len(seen) == 2
    assert seen[0] is seen[1]
    assert len(seen[0].requests_for("delete")) == 1


UNITTEST_PLACES = [
    "setUpClass",
    "class cleanup",
    "tearDownClass",
    "setUp",
    "cleanup",
    "tearDown",
    "test from a mixin",
    "static test",
    "class-method test",
]


def case_calling_the_api_in(where: str, seen: list[str]) -> type[unittest.TestCase]:
    """A TestCase with every hook, of which only ``where`` builds a client and sends."""

    def note(here: str) -> None:
        if here == where:
            list(fd.Client().endpoints.list())
            seen.append(here)

    class Inherited:  # a mixin of tests, undecorated
        def test_from_a_mixin(self) -> None:
            note("test from a mixin")

    class Case(Inherited, unittest.TestCase):
        @classmethod
        def setUpClass(cls) -> None:
            note("setUpClass")
            cls.addClassCleanup(note, "class cleanup")

        @classmethod
        def tearDownClass(cls) -> None:
            note("tearDownClass")

        def setUp(self) -> None:
            note("setUp")
            self.addCleanup(note, "cleanup")

        def tearDown(self) -> None:
            note("tearDown")

    if where == "static test":
        Case.test_static = staticmethod(lambda: note("static test"))  # type: ignore[attr-defined]
    if where == "class-method test":
        Case.test_class = classmethod(lambda cls: note("class-method test"))  # type: ignore[attr-defined]
    return Case


@pytest.mark.parametrize("where", UNITTEST_PLACES)
def test_every_method_unittest_calls_on_a_decorated_case_is_mocked(
    where: str, production_env: None, leaks: list[str]
) -> None:
    seen: list[str] = []
    result = run_case(mock_friendli()(case_calling_the_api_in(where, seen)))
    assert result.wasSuccessful(), result.failures + result.errors
    assert where in seen
    assert leaks == []


def test_a_test_case_is_mocked_from_set_up_class_to_its_last_cleanup(production_env: None, leaks: list[str]) -> None:
    seen: dict[str, Emulator] = {}

    def note(where: str) -> None:
        list(fd.Client().endpoints.list())
        seen[where] = current_emulator()

    class Inherited:  # a mixin of tests, undecorated
        def test_from_a_mixin(self) -> None:
            note("mixin")

    @mock_friendli()
    class Case(Inherited, unittest.TestCase):
        shared: str

        @classmethod
        def setUpClass(cls) -> None:
            cls.shared = deploy()  # created once, seen by every test
            seen["setUpClass"] = current_emulator()
            cls.addClassCleanup(note, "class cleanup")

        @classmethod
        def tearDownClass(cls) -> None:
            note("tearDownClass")

        def setUp(self) -> None:
            note("setUp")
            self.addCleanup(note, "cleanup")

        def tearDown(self) -> None:
            note("tearDown")

        def test_own(self) -> None:
            assert self.shared in current_emulator().endpoint_ids()
            note("test")

        @staticmethod
        def test_static() -> None:
            note("static")

        @classmethod
        def test_class(cls) -> None:
            note("classmethod")

    result = run_case(Case)
    assert result.wasSuccessful(), result.failures + result.errors
    assert result.testsRun == 4
    assert leaks == []
    assert set(seen) == {"setUpClass", "setUp", "test", "mixin", "static", "classmethod", "tearDown", "cleanup",
                         "tearDownClass", "class cleanup"}  # fmt: skip
    assert len({id(emulator) for emulator in seen.values()}) == 1
    assert isinstance(inspect.getattr_static(Case, "test_static"), staticmethod)
    assert isinstance(inspect.getattr_static(Case, "test_class"), classmethod)
    assert _redirect.active == 0


def test_an_async_test_case_is_mocked_in_its_async_set_up_and_tear_down(production_env: None, leaks: list[str]) -> None:
    seen: list[str] = []

    async def note(where: str) -> None:
        async with fd.AsyncClient() as client:
            [item async for item in client.endpoints.list()]
        seen.append(where)

    @mock_friendli()
    class Case(unittest.IsolatedAsyncioTestCase):
        async def asyncSetUp(self) -> None:
            await note("asyncSetUp")
            self.addAsyncCleanup(note, "async cleanup")

        async def asyncTearDown(self) -> None:
            await note("asyncTearDown")

        async def test_deploy(self) -> None:
            self.assertIn(await deploy_async(), current_emulator().endpoint_ids())  # noqa: PT009

    result = run_case(Case)
    assert result.wasSuccessful(), result.failures + result.errors
    assert leaks == []
    assert seen == ["asyncSetUp", "asyncTearDown", "async cleanup"]


def test_a_static_or_class_method_decorated_alone_keeps_its_kind(production_env: None, leaks: list[str]) -> None:
    class Service:
        @mock_friendli()
        @staticmethod
        def static_deploy() -> str:
            return deploy()

        @mock_friendli()
        @classmethod
        def class_deploy(cls) -> str:
            return deploy()

    assert Service.static_deploy() != Service.class_deploy()  # each call: a fresh emulator, in it an endpoint
    Service().static_deploy()
    assert leaks == []


def test_what_it_cannot_cover_is_refused_naming_it() -> None:
    with pytest.raises(TypeError, match="got int"):
        mock_friendli()(42)
    with pytest.raises(TypeError, match=r"cannot cover .*Case.test_partial"):

        @mock_friendli()
        class Case(unittest.TestCase):
            test_partial = functools.partialmethod(lambda self, x: x, 1)


# -- no request leaves: threads and tasks ------------------------------------------------------------
def test_two_tests_at_once_in_two_threads_each_have_their_emulator(production_env: None, leaks: list[str]) -> None:
    both_inside = threading.Barrier(2, timeout=30)
    outcomes: dict[str, object] = {}

    @mock_friendli()
    def a_test(name: str) -> None:
        both_inside.wait()  # both blocks are active from here on
        endpoint_id = deploy()
        both_inside.wait()
        outcomes[name] = current_emulator().endpoint_ids() == [endpoint_id]

    def run(name: str) -> None:
        try:
            a_test(name)
        except BaseException as exc:  # a failure is the outcome, reported by the assert below
            both_inside.abort()
            outcomes[name] = exc

    threads = [threading.Thread(target=run, args=(name,)) for name in ("one", "two")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert outcomes == {"one": True, "two": True}
    assert leaks == []


def test_two_tasks_at_once_each_have_their_emulator(production_env: None, leaks: list[str]) -> None:
    @mock_friendli()
    async def a_test(both_inside: asyncio.Barrier) -> bool:
        await both_inside.wait()
        endpoint_id = await deploy_async()
        await both_inside.wait()
        return current_emulator().endpoint_ids() == [endpoint_id]

    async def main() -> list[bool]:
        both_inside = asyncio.Barrier(2)
        return list(await asyncio.gather(a_test(both_inside), a_test(both_inside)))

    assert asyncio.run(main()) == [True, True]
    assert leaks == []


def test_a_thread_without_a_block_while_two_emulators_are_active_is_refused(
    production_env: None, leaks: list[str]
) -> None:
    refused: list[BaseException] = []

    def worker() -> None:  # started with no context: it cannot tell which block it belongs to
        try:
            fd.Client()
        except kit.AmbiguousMockError as exc:
            refused.append(exc)

    first = Emulator(clock=ManualClock())
    with mock_friendli(first):
        inside_second = threading.Event()
        leave_second = threading.Event()

        def second_block() -> None:
            with mock_friendli():
                inside_second.set()
                leave_second.wait(30)

        other = threading.Thread(target=second_block)
        other.start()
        inside_second.wait(30)
        thread = threading.Thread(target=worker, name="worker-1")
        thread.start()
        thread.join()
        leave_second.set()
        other.join()
        assert deploy() in first.endpoint_ids()  # this thread's own block still decides here
    assert len(refused) == 1
    message = str(refused[0])
    assert "'worker-1'" in message
    assert "2 different emulators" in message
    assert "mock_friendli(emulator)" in message
    assert leaks == []


# -- no request leaves: clients built elsewhere ------------------------------------------------------
def test_a_client_built_before_the_block_refuses_to_send_naming_itself(production_env: None, leaks: list[str]) -> None:
    at_import = fd.Client()  # a module-level client of the service, built from the environment
    async_at_import = fd.AsyncClient()
    with mock_friendli() as emu:
        with pytest.raises(RuntimeError) as refused:
            at_import.endpoints.status("ep-1")
        with pytest.raises(RuntimeError) as refused_async:
            asyncio.run(async_at_import.endpoints.status("ep-1"))
        with pytest.raises(RuntimeError) as refused_copy:  # a copy of it is the same client
            list(at_import.with_options(timeout=5).endpoints.list())
        own_url = fd.Client(token="t", base_url="https://elsewhere.test")  # its own base URL, inside
        with pytest.raises(RuntimeError) as refused_own:
            list(own_url.endpoints.list())
    for error in (refused, refused_async, refused_copy, refused_own):
        assert isinstance(error.value, kit.UnmockedClientError)
    assert "AsyncClient(base_url='https://api.friendli.ai'" in str(refused_async.value)
    assert "https://elsewhere.test" in str(refused_own.value)
    message = str(refused.value)
    assert "https://api.friendli.ai" in message
    assert "GET /dedicated/beta/endpoint/ep-1/status" in message
    assert REAL_TOKEN not in message
    assert REAL_TOKEN not in repr(refused.value.args)
    assert "build it inside the block" in message
    assert "http_client=" in message
    assert leaks == []
    assert emu.requests == []
    with pytest.raises(fd.APIError):  # after the block: the client is the caller's again
        at_import.endpoints.status("ep-1")
    assert leaks == ["api.friendli.ai token=True"]


def test_loopback_and_injected_clients_still_work_inside_the_block() -> None:
    served = Emulator()
    with served.serve() as base_url:
        before = fd.Client(token=DEFAULT_TOKEN, base_url=base_url)
        with mock_friendli() as emu:
            inside = fd.Client(token=DEFAULT_TOKEN, base_url=base_url)
            assert before.endpoints.create("p", "a", "m", "H100").id in served.endpoint_ids()
            assert inside.endpoints.create("p", "b", "m", "H100").id in served.endpoint_ids()
            with served.client() as injected:
                assert list(injected.endpoints.list()) != []
        before.close()
        inside.close()
    assert emu.requests == []


# -- the fixtures and Emulator.client() never read FRIENDLI_* -----------------------------------------
def test_emulator_clients_ignore_the_friendli_variables(production_env: None, leaks: list[str]) -> None:
    emulator = Emulator(clock=ManualClock())
    with emulator.client() as client:
        endpoint = client.endpoints.create("proj", "chat", "org/model", "H100")  # 403 with FRIENDLI_TEAM's team
        assert client.base_url == "http://emulator.invalid"

    async def use() -> None:
        async with emulator.async_client() as client:
            await client.endpoints.status(endpoint.id)

    asyncio.run(use())
    assert leaks == []


def test_the_client_fixtures_ignore_the_friendli_variables(
    production_env: None, leaks: list[str], request: pytest.FixtureRequest
) -> None:
    client: fd.Client = request.getfixturevalue("friendli_client")  # built after the variables were set
    async_client: fd.AsyncClient = request.getfixturevalue("friendli_async_client")
    emulator: Emulator = request.getfixturevalue("friendli_emulator")
    endpoint_id = client.endpoints.create("proj", "chat", "org/model", "H100").id

    async def status() -> None:
        await async_client.endpoints.status(endpoint_id)

    asyncio.run(status())
    assert emulator.endpoint_ids() == [endpoint_id]
    assert leaks == []


# -- under pytest: yield fixtures, fixtures of a class, a pytest class --------------------------------
def test_pytest_fixtures_and_classes_decorated_run_mocked(
    pytester: pytest.Pytester, production_env: None, leaks: list[str]
) -> None:
    """In a pytest session of its own (in this process: the plugin is found through its entry point,
    as in ``test_the_plugin_is_registered_through_its_entry_point``), with the real API's variables set
    and the network transports recording what would leave."""
    pytester.makepyfile(
        test_service=textwrap.dedent(
            """
            import pytest

            import friendli_dedicated as fd
            from friendli_dedicated.testing import current_emulator, mock_friendli

            def deploy():
                return fd.Client().endpoints.create("proj", "chat", "org/model", "H100").id

            @pytest.fixture
            @mock_friendli()
            def deployed():
                endpoint_id = deploy()
                yield endpoint_id, current_emulator()
                fd.Client().endpoints.delete(endpoint_id)

            @mock_friendli()
            @pytest.fixture
            def listed():
                return list(fd.Client().endpoints.list())

            def test_the_yield_fixture(deployed, listed):
                endpoint_id, emulator = deployed
                assert emulator.endpoint_ids() == [endpoint_id]
                assert listed == []

            @mock_friendli()
            class TestService:
                @classmethod
                def setup_class(cls):
                    cls.shared = deploy()

                def setup_method(self, method):
                    self.mine = deploy()

                @pytest.fixture
                def other(self):
                    yield deploy()
                    list(fd.Client().endpoints.list())

                def test_one(self, other):
                    assert {self.shared, self.mine, other} <= set(current_emulator().endpoint_ids())

                def teardown_method(self, method):
                    fd.Client().endpoints.delete(self.mine)
            """
        )
    )
    result = pytester.runpytest_inprocess("-q", "-p", "no:cacheprovider")
    result.assert_outcomes(passed=2)
    assert leaks == []


def test_an_emulator_client_with_another_token_acts_for_that_tokens_team(production_env: None) -> None:
    emulator = Emulator(clock=ManualClock(), tokens={"flp_a": ["team-a"], "flp_b": ["team-b", "team-c"]})
    with emulator.client(token="flp_b") as client:
        assert client.team_id == "team-b"
        assert list(client.endpoints.list()) == []
