"""Lifecycle integration: every facade operation, sync and async, against the emulator's real HTTP
server on loopback (uvicorn on 127.0.0.1, port 0), with real ``fd.Client`` / ``fd.AsyncClient``.

What this module is for is what needs sockets: HTTP framing (paths, query parameters, bodies,
status codes, a trailing slash), the real server, and concurrency over loopback. Time is not real:
the served emulator runs on a ``ManualClock`` that only the clients' sleeps move (each client is
given the emulator's clock and ``Emulator.sleep``, which stops at every transition), so whatever a
test asserts about a state ("INITIALIZING right after create", "UPDATING right after update") holds
however slow the machine is. What a wait sees on the way (phases, progress, timestamps) is tested
in-process, in ``test_emulator_facade.py``.

One emulator serves the whole module. Tests share it, so each works in projects of its own
(``_unique``) and never assumes the team-wide listing is empty.
"""

from __future__ import annotations

import datetime as dt
import itertools
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import httpx
import pytest

import friendli_dedicated as fd
from friendli_dedicated._hints import GENERIC_HINT, hint_for
from friendli_dedicated.emulator import DEFAULT_PROJECT, DEFAULT_TEAM, DEFAULT_TOKEN, Emulator, ManualClock

pytest.importorskip("uvicorn")
pytest.importorskip("starlette")

OTHER_TOKEN = "other-token"
OTHER_TEAM = "other-team"
THIRD_TEAM = "third-team"
TOKENS = {DEFAULT_TOKEN: [DEFAULT_TEAM], OTHER_TOKEN: [OTHER_TEAM, THIRD_TEAM]}

WAIT = 1800.0  # seconds of the emulator's clock: a deployment takes 90

DEPLOY_PHASES = [
    fd.DeploymentPhase.REQUESTING_VIRTUAL_MACHINE,
    fd.DeploymentPhase.DOWNLOADING_MODEL,
    fd.DeploymentPhase.ENGINE_INITIALIZING,
]
H100x2_ID = "zfTutSiLn0Hq"
LIST_PATH = "/dedicated/beta/endpoint"

_counter = itertools.count(1)


def _unique(prefix: str) -> str:
    return f"{prefix}-{next(_counter)}-{time.monotonic_ns() % 1_000_000}"


@pytest.fixture(scope="module")
def emu() -> Emulator:
    return Emulator(clock=ManualClock(), tokens=TOKENS)


@pytest.fixture(scope="module")
def base_url(emu: Emulator) -> Iterator[str]:
    with emu.serve(host="127.0.0.1", port=0) as url:
        yield url


Connect = Callable[..., fd.Client]
AsyncConnect = Callable[..., fd.AsyncClient]


@pytest.fixture(scope="module")
def connect(emu: Emulator, base_url: str) -> Connect:
    """``fd.Client(**kwargs)`` on the served emulator, on its clock: waiting moves the emulator's time."""

    def make(**kwargs: Any) -> fd.Client:
        settings = {"token": DEFAULT_TOKEN, "base_url": base_url, **kwargs}
        return fd.Client(clock=emu.clock, sleep=emu.sleep, **settings)

    return make


@pytest.fixture(scope="module")
def aconnect(emu: Emulator, base_url: str) -> AsyncConnect:
    """The async twin of ``connect``."""

    def make(**kwargs: Any) -> fd.AsyncClient:
        settings = {"token": DEFAULT_TOKEN, "base_url": base_url, **kwargs}
        return fd.AsyncClient(clock=emu.clock, sleep=emu.async_sleep, **settings)

    return make


@pytest.fixture
def client(connect: Connect) -> Iterator[fd.Client]:
    with connect() as c:
        yield c


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


class Log:
    """Requests as they went over the wire: (method, path, query params)."""

    def __init__(self) -> None:
        self.entries: list[tuple[str, str, dict[str, str]]] = []

    def hook(self, request: httpx.Request) -> None:
        self.entries.append((request.method, request.url.path, dict(request.url.params)))

    async def ahook(self, request: httpx.Request) -> None:
        self.hook(request)

    def calls(self, method: str, path: str) -> list[dict[str, str]]:
        return [params for m, p, params in self.entries if m == method and p == path]


@pytest.fixture
def logged(connect: Connect) -> Iterator[tuple[fd.Client, Log]]:
    log = Log()
    with (
        httpx.Client(event_hooks={"request": [log.hook]}, timeout=10) as http,
        connect(http_client=http) as c,
    ):
        yield c, log


def _until(emu: Emulator, fetch: Callable[[], Any], status: fd.Status, limit: float = 3600.0) -> Any:
    """Poll ``fetch`` (a state, or a handle whose ``state`` it refreshes) on the emulator's clock,
    stepping to each next transition, until ``status`` or ``limit`` emulated seconds."""
    deadline = emu.clock() + limit
    while True:
        found = fetch()
        state = getattr(found, "state", found)
        if state.status is status or emu.clock() >= deadline:
            return found
        emu.sleep(limit)


def _running(c: fd.Client, name: str = "chat", **kwargs: Any) -> fd.Endpoint:
    ep = c.endpoints.create(_unique("proj"), name, "org/model", kwargs.pop("instance", fd.GPU.H100), **kwargs)
    ep.wait_until_running(timeout=WAIT)
    assert ep.state is not None
    assert ep.state.status is fd.Status.RUNNING
    return ep


# -- create ---------------------------------------------------------------------------------------
def test_create_resolves_the_new_id_by_listing_the_project(emu: Emulator, logged: tuple[fd.Client, Log]) -> None:
    client, log = logged
    project = _unique("proj")
    before = set(emu.endpoint_ids())
    ep = client.endpoints.create(
        project, "chat", "meta-llama/Llama-3.1-8B-Instruct", fd.InstanceOption(fd.GPU.H100, 2), comment="first"
    )
    assert set(emu.endpoint_ids()) - before == {ep.id}
    # The contract's create response has no id: the project is listed before and after the POST.
    methods = [(m, p) for m, p, _ in log.entries]
    post = methods.index(("POST", LIST_PATH))
    assert ("GET", LIST_PATH) in methods[:post]
    assert ("GET", LIST_PATH) in methods[post + 1 :]
    assert all(params.get("project_id") == project for params in log.calls("GET", LIST_PATH))
    # The handle carries the create response's state: a fresh deployment.
    assert ep.state is not None
    assert ep.state.status is fd.Status.INITIALIZING
    assert ep.state.phase is fd.DeploymentPhase.REQUESTING_VIRTUAL_MACHINE
    assert ep.state.error_code is None
    assert "endpointId" not in ep.state.raw
    assert isinstance(ep.state.created_at, dt.datetime)
    assert ep.state.created_at.tzinfo is not None
    spec = ep.spec()
    assert (spec.name, spec.project_id, spec.team_id) == ("chat", project, DEFAULT_TEAM)
    assert (spec.gpu_type, spec.num_gpu, spec.instance_id) == ("NVIDIA H100", 2, H100x2_ID)
    assert (spec.autoscaling_min, spec.autoscaling_max) == (1, 1)  # no autoscaling: one fixed replica
    assert repr(ep) == f"Endpoint(id={ep.id!r}, project_id={project!r}, name='chat', status='INITIALIZING')"


@pytest.mark.parametrize(
    ("instance", "gpu", "count", "option_id"),
    [
        (fd.InstanceOption(fd.GPU.B200, 4), "NVIDIA B200", 4, "AFoZMFXZnAdD"),
        (fd.GPU.H200, "NVIDIA H200", 1, "LnK1wTaKc7WO"),
        ("2x H100", "NVIDIA H100", 2, H100x2_ID),
        ("8x nvidia a100-80gb", "NVIDIA A100 80GB", 8, "sYH4kHmAcA5P"),
        ("OhTzYtZuomzI", "NVIDIA H200", 4, "OhTzYtZuomzI"),  # a raw instance option id
    ],
)
def test_create_with_each_form_of_instance(
    client: fd.Client, instance: Any, gpu: str, count: int, option_id: str
) -> None:
    ep = client.endpoints.create(_unique("proj"), "inst", "org/model", instance)
    spec = client.endpoints.get(ep.id)
    assert (spec.gpu_type, spec.num_gpu, spec.instance_id) == (gpu, count, option_id)


@pytest.mark.parametrize(
    ("autoscaling", "expected"),
    [
        (None, (1, 1, 0)),
        (fd.Autoscaling.fixed(3), (3, 3, 0)),
        (fd.Autoscaling.scale_to_zero(max_replicas=4, cooldown=600), (0, 4, 600)),
        (fd.Autoscaling.always_on(2), (2, 2, 300)),
        (fd.Autoscaling.always_on(1, max_replicas=5, cooldown=dt.timedelta(minutes=2)), (1, 5, 120)),
        (fd.Autoscaling(min_replicas=2, max_replicas=10, cooldown=30), (2, 10, 30)),
    ],
)
def test_create_with_each_autoscaling_preset(
    client: fd.Client, autoscaling: fd.Autoscaling | None, expected: tuple[int, int, int]
) -> None:
    ep = client.endpoints.create(_unique("proj"), "scaled", "org/model", "H100", autoscaling=autoscaling)
    spec = ep.spec()
    assert (spec.autoscaling_min, spec.autoscaling_max, spec.autoscaling_cooldown) == expected
    # While deploying, the desired replica count is the fixed count or the policy's floor (at least 1).
    assert spec.desired_replica_cnt == max(expected[0], 1)
    assert spec.curr_replica_cnt == 0


def test_create_resolves_the_right_id_when_the_name_is_already_taken(emu: Emulator, client: fd.Client) -> None:
    project = _unique("proj")
    first = client.endpoints.create(project, "twin", "org/model", "H100")
    second = client.endpoints.create(project, "twin", "org/model", "H100")
    assert first.id != second.id
    assert emu.endpoint_ids()[-2:] == [first.id, second.id]
    assert [ep.id for ep in client.endpoints.list(project)] == [first.id, second.id]


def test_concurrent_creates_in_one_project_each_resolve_their_own_id(connect: Connect) -> None:
    project = _unique("proj")
    names = [f"par{i}" for i in range(4)]

    def create(name: str) -> str:
        with connect() as c:
            return c.endpoints.create(project, name, "org/model", "H100").id

    with ThreadPoolExecutor(max_workers=len(names)) as pool:
        ids = list(pool.map(create, names))
    assert len(set(ids)) == len(names)
    with connect() as c:
        assert [c.endpoints.get(i).name for i in ids] == names
        assert {ep.id for ep in c.endpoints.list(project)} == set(ids)


def test_create_sends_engine_options(client: fd.Client) -> None:
    ep = client.endpoints.create(
        _unique("proj"),
        "engine",
        "org/model",
        "H100",
        max_batch_size=64,
        max_input_length=2048,
        max_context_length=4096,
        tokenizer_skip_special_tokens=False,
    )
    spec = ep.spec()
    assert (spec.max_batch_size, spec.max_input_length, spec.max_context_length) == (64, 2048, 4096)
    assert spec.tokenizer_skip_special_tokens is False
    assert spec.tokenizer_add_special_tokens is True


# -- W&B ------------------------------------------------------------------------------------------
def test_create_from_wandb_without_a_key_creates_each_time(emu: Emulator, client: fd.Client) -> None:
    artifact = f"entity/proj/{_unique('model')}:v3"
    first = client.endpoints.create_from_wandb(artifact)
    second = client.endpoints.create_from_wandb(artifact)
    assert first.id != second.id
    assert first.state is None  # the W&B response has an id but no status
    spec = first.spec()
    assert spec.name == artifact.rsplit("/", 1)[-1].replace(":", "-")
    assert spec.project_id == DEFAULT_PROJECT
    assert {first.id, second.id} <= {ep.id for ep in client.endpoints.list(DEFAULT_PROJECT)}
    assert first.refresh().state is not None
    assert first.state.status is fd.Status.INITIALIZING
    assert emu.stats.creates[(DEFAULT_TEAM, DEFAULT_PROJECT, spec.name)] == 2


def test_create_from_wandb_with_a_key_returns_the_same_endpoint(emu: Emulator, client: fd.Client) -> None:
    project = _unique("wandb")
    key = _unique("key")
    first = client.endpoints.create_from_wandb(
        "entity/proj/model:v1",
        instance="2x H100",
        name="wb",
        project_id=project,
        idempotency_key=key,
        autoscaling=fd.Autoscaling.scale_to_zero(max_replicas=2, cooldown=900),
    )
    second = client.endpoints.create_from_wandb(
        "entity/proj/model:v2", instance="4x H100", project_id=project, idempotency_key=key
    )
    assert second.id == first.id
    assert [ep.id for ep in client.endpoints.list(project)] == [first.id]
    spec = first.spec()
    assert (spec.name, spec.project_id) == ("wb", project)
    assert (spec.gpu_type, spec.num_gpu) == ("NVIDIA H100", 4)  # the rollout changed the accelerator
    assert (spec.autoscaling_min, spec.autoscaling_max, spec.autoscaling_cooldown) == (0, 2, 900)  # kept
    versions = list(client.endpoints.versions(first.id))
    assert [v.version_id for v in versions] == ["v1", "v2"]
    assert [v.spec.num_gpu for v in versions] == [2, 4]
    assert first.refresh().state is not None
    assert first.state.status is fd.Status.UPDATING  # the second call rolled the endpoint out
    assert emu.stats.creates[(DEFAULT_TEAM, project, "wb")] == 1
    assert emu.stats.rollouts[(DEFAULT_TEAM, project, "wb")] == 1
    # A third call with a new key is a new endpoint.
    third = client.endpoints.create_from_wandb("entity/proj/model:v2", project_id=project, idempotency_key=key + "x")
    assert third.id != first.id


def test_create_from_wandb_key_after_delete_creates_a_new_endpoint(client: fd.Client) -> None:
    project, key = _unique("wandb"), _unique("key")
    first = client.endpoints.create_from_wandb("e/p/m:v1", project_id=project, idempotency_key=key)
    first.delete()
    again = client.endpoints.create_from_wandb("e/p/m:v1", project_id=project, idempotency_key=key)
    assert again.id != first.id
    assert again.spec().project_id == project


def test_create_from_wandb_refuses_bad_inputs_before_sending(emu: Emulator, client: fd.Client) -> None:
    requests = emu.stats.requests
    with pytest.raises(fd.InvalidInputError) as excinfo:
        client.endpoints.create_from_wandb("e/p/m:v1", idempotency_key="k")
    assert excinfo.value.field == "project_id"
    with pytest.raises(fd.InvalidInputError) as excinfo:
        client.endpoints.create_from_wandb("e/p/m:v1", autoscaling=fd.Autoscaling.fixed(2))
    assert excinfo.value.field == "autoscaling"
    assert emu.stats.requests == requests


# -- get, status, list, versions ------------------------------------------------------------------
def test_get_and_status(client: fd.Client) -> None:
    ep = client.endpoints.create(_unique("proj"), "read", "org/model", "1x H200")
    spec = client.endpoints.get(ep.id)
    assert (spec.name, spec.gpu_type, spec.creator_id) == ("read", "NVIDIA H200", "emulator-user-1")
    state = client.endpoints.status(ep.id)
    assert isinstance(state, fd.EndpointState)
    assert state.status is fd.Status.INITIALIZING
    assert state.phase in DEPLOY_PHASES
    assert state.created_at == ep.state.created_at  # type: ignore[union-attr]
    assert state.updated_at is not None
    assert state.updated_at >= state.created_at  # type: ignore[operator]
    handle = client.endpoints.get_handle(ep.id)
    assert handle.state is None
    assert handle.refresh().state is not None
    assert handle.state.status is fd.Status.INITIALIZING


def test_list_pages_through_a_project_with_a_small_page_size(emu: Emulator, logged: tuple[fd.Client, Log]) -> None:
    client, log = logged
    project, other = _unique("proj"), _unique("proj")
    created = [client.endpoints.create(project, f"ep{i}", "org/model", "H100").id for i in range(5)]
    elsewhere = client.endpoints.create(other, "ep0", "org/model", "H100").id
    log.entries.clear()
    listed = list(client.endpoints.list(project, page_size=2))
    assert [ep.id for ep in listed] == created  # creation order, across pages
    pages = log.calls("GET", LIST_PATH)
    assert len(pages) == 3
    assert [p["limit"] for p in pages] == ["2", "2", "2"]
    assert "cursor" not in pages[0]
    assert pages[1]["cursor"]
    assert pages[2]["cursor"]
    assert pages[1]["cursor"] != pages[2]["cursor"]
    assert all(p["project_id"] == project for p in pages)
    assert all(isinstance(ep, fd.Endpoint) and ep.state is not None for ep in listed)
    assert all(ep.state.status is fd.Status.INITIALIZING for ep in listed)  # type: ignore[union-attr]
    # Exactly one page when the page size covers the project.
    log.entries.clear()
    assert [ep.id for ep in client.endpoints.list(project, page_size=5)] == created
    assert len(log.calls("GET", LIST_PATH)) == 1
    # The project filter, and the team-wide listing.
    assert [ep.id for ep in client.endpoints.list(other, page_size=1)] == [elsewhere]
    team_wide = [ep.id for ep in client.endpoints.list(page_size=3)]
    assert set(created) | {elsewhere} <= set(team_wide)
    assert len(team_wide) == len(set(team_wide))  # no endpoint twice across pages
    assert team_wide == [ep.id for ep in client.endpoints.list(page_size=100)]
    assert [i for i in emu.endpoint_ids() if i in set(team_wide)] == team_wide  # creation order
    assert list(client.endpoints.list(_unique("empty"), page_size=2)) == []


def test_list_pages_stay_stable_when_endpoints_come_and_go(client: fd.Client) -> None:
    project = _unique("proj")
    ids = [client.endpoints.create(project, f"s{i}", "org/model", "H100").id for i in range(5)]
    pages = client.endpoints.list(project, page_size=2)
    seen = [next(pages).id, next(pages).id]  # the first page
    client.endpoints.delete(ids[3])  # on a later page
    client.endpoints.delete(ids[0])  # on the page already read
    late = client.endpoints.create(project, "late", "org/model", "H100").id
    seen += [ep.id for ep in pages]
    assert seen == [ids[0], ids[1], ids[2], ids[4], late]


def test_base_url_with_a_trailing_slash(base_url: str, connect: Connect) -> None:
    with connect(base_url=base_url + "/") as c:
        assert c.base_url == base_url
        ep = c.endpoints.create(_unique("proj"), "slash", "org/model", "H100")
        assert c.endpoints.status(ep.id).status is fd.Status.INITIALIZING


def test_list_is_lazy(emu: Emulator, client: fd.Client) -> None:
    requests = emu.stats.requests
    pages = client.endpoints.list(_unique("proj"))
    assert emu.stats.requests == requests
    assert list(pages) == []
    assert emu.stats.requests == requests + 1


def test_versions_after_updates(client: fd.Client) -> None:
    ep = client.endpoints.create(_unique("proj"), "v-name", "org/model", "H100", comment="initial")
    client.endpoints.update(ep.id, name="renamed", comment="rename")
    client.endpoints.update(ep.id, max_batch_size=32)
    client.endpoints.update(ep.id, autoscaling=fd.Autoscaling(min_replicas=1, max_replicas=3, cooldown=60))
    client.endpoints.update(ep.id, instance="4x H100")
    versions = list(client.endpoints.versions(ep.id, page_size=2))
    assert [v.version_id for v in versions] == ["v1", "v2", "v3", "v4", "v5"]
    assert all(isinstance(v, fd.EndpointVersion) for v in versions)
    assert [v.spec.name for v in versions] == ["v-name"] + ["renamed"] * 4
    assert [v.spec.max_batch_size for v in versions] == [256, 256, 32, 32, 32]
    assert [v.spec.autoscaling_max for v in versions] == [1, 1, 1, 3, 3]
    assert [v.spec.num_gpu for v in versions] == [1, 1, 1, 1, 4]
    assert versions[0].spec.curr_replica_cnt is None  # history records configuration, not replicas
    assert [v.version_id for v in client.endpoints.versions(ep.id, page_size=100)] == ["v1", "v2", "v3", "v4", "v5"]


# -- update ---------------------------------------------------------------------------------------
def test_update_name_engine_options_autoscaling_and_instance(client: fd.Client) -> None:
    ep = _running(client, "before")
    spec = client.endpoints.update(ep.id, name="after")
    assert spec.name == "after"
    assert client.endpoints.get(ep.id).name == "after"
    assert client.endpoints.status(ep.id).status is fd.Status.UPDATING
    state = client.endpoints.wait_until_running(ep.id, timeout=WAIT)
    assert state.status is fd.Status.RUNNING

    spec = client.endpoints.update(ep.id, max_batch_size=64, tokenizer_skip_special_tokens=False)
    assert (spec.max_batch_size, spec.tokenizer_skip_special_tokens, spec.tokenizer_add_special_tokens) == (
        64,
        False,
        True,
    )
    # A partial engine update keeps the flags the endpoint has (read back from its spec).
    spec = client.endpoints.update(ep.id, max_input_length=1024)
    assert (spec.max_batch_size, spec.max_input_length, spec.tokenizer_skip_special_tokens) == (64, 1024, False)

    spec = client.endpoints.update(ep.id, autoscaling=fd.Autoscaling.always_on(2, max_replicas=6, cooldown=120))
    assert (spec.autoscaling_min, spec.autoscaling_max, spec.autoscaling_cooldown) == (2, 6, 120)
    spec = client.endpoints.update(ep.id, autoscaling=fd.Autoscaling.fixed(4))
    assert (spec.autoscaling_min, spec.autoscaling_max, spec.autoscaling_cooldown) == (4, 4, 0)
    assert spec.desired_replica_cnt == 4

    spec = client.endpoints.update(ep.id, instance=fd.InstanceOption(fd.GPU.B200, 2))
    assert (spec.gpu_type, spec.num_gpu, spec.instance_id) == ("NVIDIA B200", 2, "brTZGIuYgVrs")
    assert spec.name == "after"  # untouched fields stay
    state = client.endpoints.wait_until_running(ep.id, timeout=WAIT)
    assert state.status is fd.Status.RUNNING


def test_update_with_nothing_to_change_sends_nothing(emu: Emulator, client: fd.Client) -> None:
    requests = emu.stats.requests
    with pytest.raises(fd.InvalidInputError):
        client.endpoints.update("ep-whatever")
    assert emu.stats.requests == requests


def test_update_of_a_terminated_endpoint_is_a_bad_request(client: fd.Client) -> None:
    ep = client.endpoints.create(_unique("proj"), "gone", "org/model", "H100")
    ep.terminate()
    with pytest.raises(fd.BadRequestError) as excinfo:
        client.endpoints.update(ep.id, name="new")
    assert excinfo.value.status_code == 400
    assert "restart it before updating" in str(excinfo.value)


# -- waiting --------------------------------------------------------------------------------------
# What a wait sees on the way (each phase once, in order; progress on changes only; the server's
# timestamps) is tested in-process on a ManualClock: test_emulator_facade.py. Here, the outcomes.
def test_wait_until_running_returns_the_running_state(logged: tuple[fd.Client, Log]) -> None:
    client, log = logged
    ep = client.endpoints.create(_unique("proj"), "phases", "org/model", "H100")
    log.entries.clear()
    state = client.endpoints.wait_until_running(ep.id, timeout=WAIT)
    assert state.status is fd.Status.RUNNING
    assert state.is_serving
    assert state.created_at is not None
    assert state.updated_at is not None
    assert state.updated_at > state.created_at
    assert log.calls("GET", f"{LIST_PATH}/{ep.id}/status")  # it polled the endpoint's status
    handle = ep.wait_until_running(timeout=WAIT)
    assert handle is ep
    assert ep.state is not None
    assert ep.state.status is fd.Status.RUNNING


def test_wait_until_running_times_out(client: fd.Client) -> None:
    ep = client.endpoints.create(_unique("proj"), "slow", "org/model", "H100")
    # 0.05 s of the emulator's clock (moved only by the wait's own sleep): the deployment takes 90.
    # How soon it gives up is the waiter's business, tested on an injected clock (tests/sdk/test_waiter.py).
    with pytest.raises(fd.WaitTimeoutError) as excinfo:
        ep.wait_until_running(timeout=0.05)
    assert excinfo.value.endpoint_id == ep.id
    assert excinfo.value.state is not None
    assert excinfo.value.state.status is fd.Status.INITIALIZING


def test_failure_model_raises_endpoint_failed_error(client: fd.Client) -> None:
    ep = client.endpoints.create(_unique("proj"), "oom", "emulator/fail-INFERENCE_ENGINE_MEMORY_ERROR", "H100")
    with pytest.raises(fd.EndpointFailedError) as excinfo:
        ep.wait_until_running(timeout=WAIT)
    error = excinfo.value
    assert error.endpoint_id == ep.id
    assert error.error_code == "INFERENCE_ENGINE_MEMORY_ERROR"
    assert error.phase == "ENGINE_INITIALIZING"
    assert error.hint == hint_for("INFERENCE_ENGINE_MEMORY_ERROR") != GENERIC_HINT
    assert "GPU memory" in error.hint
    assert "INFERENCE_ENGINE_MEMORY_ERROR" in str(error)
    assert error.state is not None
    assert error.state.status is fd.Status.FAILED
    assert error.state.error_code is fd.ErrorCode.INFERENCE_ENGINE_MEMORY_ERROR
    status = client.endpoints.status(ep.id)
    assert (status.status, status.error_code) == (fd.Status.FAILED, fd.ErrorCode.INFERENCE_ENGINE_MEMORY_ERROR)
    # A FAILED endpoint can be restarted (and fails the same way again).
    restarted = client.endpoints.restart(ep.id)
    assert restarted.status is fd.Status.INITIALIZING
    assert restarted.error_code is None
    with pytest.raises(fd.EndpointFailedError):
        ep.wait_until_running(timeout=WAIT)


def test_workload_failure_happens_while_downloading(client: fd.Client) -> None:
    ep = client.endpoints.create(_unique("proj"), "dl", "emulator/fail-WORKLOAD_INIT_DOWNLOAD_ERROR", "H100")
    with pytest.raises(fd.EndpointFailedError) as excinfo:
        client.endpoints.wait_until_running(ep.id, timeout=WAIT)
    assert (excinfo.value.error_code, excinfo.value.phase) == ("WORKLOAD_INIT_DOWNLOAD_ERROR", "DOWNLOADING_MODEL")
    assert excinfo.value.hint.startswith("Downloading the model failed")


# -- sleep, wake, terminate, restart, delete -------------------------------------------------------
def test_sleep_and_wake(client: fd.Client) -> None:
    ep = _running(client, "sleepy")
    state = client.endpoints.sleep(ep.id)
    assert state.status is fd.Status.SLEEPING
    assert client.endpoints.sleep(ep.id).status is fd.Status.SLEEPING  # sleeping again is harmless
    spec = client.endpoints.get(ep.id)
    assert (spec.desired_replica_cnt, spec.curr_replica_cnt) == (0, 0)
    with pytest.raises(fd.EndpointStoppedError) as excinfo:
        client.endpoints.wait_until_running(ep.id, timeout=WAIT)
    assert "wake=True" in str(excinfo.value)
    assert excinfo.value.state is not None
    assert excinfo.value.state.status is fd.Status.SLEEPING
    assert client.endpoints.status(ep.id).status is fd.Status.SLEEPING  # waiting did not wake it

    state = client.endpoints.wake(ep.id)
    assert state.status is fd.Status.AWAKING
    state = client.endpoints.wait_until_running(ep.id, timeout=WAIT)
    assert state.status is fd.Status.RUNNING
    assert client.endpoints.wake(ep.id).status is fd.Status.RUNNING  # waking a running endpoint is a no-op


def test_wait_until_running_wakes_a_sleeping_endpoint(logged: tuple[fd.Client, Log]) -> None:
    client, log = logged
    ep = _running(client, "wake-me")
    client.endpoints.sleep(ep.id)
    log.entries.clear()
    state = client.endpoints.wait_until_running(ep.id, timeout=WAIT, wake=True)
    assert state.status is fd.Status.RUNNING
    assert len(log.calls("PUT", f"{LIST_PATH}/{ep.id}/wake")) == 1  # woken once


def test_sleep_while_initializing_is_a_bad_request(client: fd.Client) -> None:
    ep = client.endpoints.create(_unique("proj"), "early", "org/model", "H100")
    with pytest.raises(fd.BadRequestError) as excinfo:
        client.endpoints.sleep(ep.id)
    assert "only a RUNNING endpoint can sleep" in str(excinfo.value)
    with pytest.raises(fd.BadRequestError):
        client.endpoints.wake(ep.id)


def test_terminate_then_restart(emu: Emulator, client: fd.Client) -> None:
    ep = _running(client, "term")
    with pytest.raises(fd.BadRequestError) as excinfo:
        client.endpoints.restart(ep.id)
    assert excinfo.value.status_code == 400
    assert "is RUNNING" in str(excinfo.value)
    assert "FAILED or TERMINATED" in str(excinfo.value)
    assert client.endpoints.status(ep.id).status is fd.Status.RUNNING  # the refusal changed nothing

    state = client.endpoints.terminate(ep.id)
    assert state.status is fd.Status.TERMINATING
    with pytest.raises(fd.EndpointStoppedError) as stopped:
        client.endpoints.wait_until_running(ep.id, timeout=WAIT)
    assert stopped.value.state is not None
    assert stopped.value.state.status in (fd.Status.TERMINATING, fd.Status.TERMINATED)
    state = _until(emu, lambda: client.endpoints.status(ep.id), fd.Status.TERMINATED)
    assert state.status is fd.Status.TERMINATED
    assert client.endpoints.terminate(ep.id).status is fd.Status.TERMINATED  # terminating again is harmless

    state = client.endpoints.restart(ep.id)
    assert state.status is fd.Status.INITIALIZING
    assert state.phase is fd.DeploymentPhase.REQUESTING_VIRTUAL_MACHINE
    state = client.endpoints.wait_until_running(ep.id, timeout=WAIT)
    assert state.status is fd.Status.RUNNING


def test_delete_then_not_found(client: fd.Client) -> None:
    project = _unique("proj")
    ep = client.endpoints.create(project, "doomed", "org/model", "H100")
    keep = client.endpoints.create(project, "kept", "org/model", "H100")
    assert client.endpoints.delete(ep.id) is None
    for call in (
        client.endpoints.get,
        client.endpoints.status,
        client.endpoints.delete,
        client.endpoints.sleep,
        client.endpoints.terminate,
    ):
        with pytest.raises(fd.NotFoundError) as excinfo:
            call(ep.id)
        assert excinfo.value.status_code == 404
        assert ep.id in str(excinfo.value)
    with pytest.raises(fd.NotFoundError):
        list(client.endpoints.versions(ep.id))
    with pytest.raises(fd.NotFoundError):
        client.endpoints.update(ep.id, name="x")
    with pytest.raises(fd.NotFoundError):
        client.endpoints.wait_until_running(ep.id, timeout=WAIT)
    assert [e.id for e in client.endpoints.list(project)] == [keep.id]


# -- handles --------------------------------------------------------------------------------------
def test_endpoint_handle_chains(emu: Emulator, client: fd.Client) -> None:
    ep = client.endpoints.create(_unique("proj"), "chain", "org/model", "2x H100")
    assert ep.wait_until_running(timeout=WAIT).sleep() is ep
    assert ep.state is not None
    assert ep.state.status is fd.Status.SLEEPING
    assert repr(ep) == f"Endpoint(id={ep.id!r}, project_id={ep.project_id!r}, name='chain', status='SLEEPING')"
    assert ep.wake() is ep
    assert ep.state.status is fd.Status.AWAKING
    assert ep.wait_until_running(timeout=WAIT) is ep
    assert ep.state.status is fd.Status.RUNNING
    assert ep.update(name="chain2", max_batch_size=8) is ep
    assert ep.refresh().state.status is fd.Status.UPDATING  # the update is rolling out
    assert (ep.spec().name, ep.spec().max_batch_size) == ("chain2", 8)
    assert ep.wait_until_running(timeout=WAIT).terminate() is ep
    assert ep.state.status is fd.Status.TERMINATING
    _until(emu, ep.refresh, fd.Status.TERMINATED)
    assert ep.state.status is fd.Status.TERMINATED
    assert ep.restart() is ep
    assert ep.state.status is fd.Status.INITIALIZING
    other = client.endpoints.get_handle(ep.id)
    assert other.refresh() is other
    assert other.state is not None
    assert other.state.status is fd.Status.INITIALIZING
    assert ep.delete() is None
    with pytest.raises(fd.NotFoundError):
        other.refresh()
    with pytest.raises(fd.NotFoundError):
        other.spec()


# -- teams, authentication, validation ------------------------------------------------------------
def test_another_team_cannot_see_the_first_teams_endpoints(connect: Connect, client: fd.Client) -> None:
    project = _unique("proj")
    mine = client.endpoints.create(project, "private", "org/model", "H100")
    with connect(token=OTHER_TOKEN) as other:
        assert list(other.endpoints.list(project)) == []
        assert mine.id not in {ep.id for ep in other.endpoints.list(limit=100)}
        for call in (other.endpoints.get, other.endpoints.status, other.endpoints.terminate, other.endpoints.delete):
            with pytest.raises(fd.NotFoundError):
                call(mine.id)
        with pytest.raises(fd.NotFoundError):
            other.endpoints.update(mine.id, name="stolen")
        # The same project name in another team is another project.
        theirs = other.endpoints.create(project, "private", "org/model", "H100")
        assert theirs.id != mine.id
        assert theirs.spec().team_id == OTHER_TEAM
        assert [ep.id for ep in other.endpoints.list(project)] == [theirs.id]
    assert [ep.id for ep in client.endpoints.list(project)] == [mine.id]
    assert client.endpoints.get(mine.id).name == "private"  # untouched by the other team's attempts
    assert client.endpoints.status(mine.id).status is not fd.Status.TERMINATING


def test_a_token_with_two_teams_acts_for_the_one_asked(connect: Connect) -> None:
    project = _unique("proj")
    with (
        connect(token=OTHER_TOKEN, team_id=THIRD_TEAM) as third,
        connect(token=OTHER_TOKEN) as default,
    ):
        assert third.team_id == THIRD_TEAM
        ep = third.endpoints.create(project, "t3", "org/model", "H100")
        assert ep.spec().team_id == THIRD_TEAM
        assert [e.id for e in third.endpoints.list(project)] == [ep.id]
        assert list(default.endpoints.list(project)) == []  # its default team is OTHER_TEAM
        with pytest.raises(fd.NotFoundError):
            default.endpoints.get(ep.id)
        # W&B idempotency keys are per team too.
        key = _unique("key")
        a = third.endpoints.create_from_wandb("e/p/m:v1", project_id=project, idempotency_key=key)
        b = default.endpoints.create_from_wandb("e/p/m:v1", project_id=project, idempotency_key=key)
        assert a.id != b.id


def test_a_team_the_token_lacks_is_forbidden(emu: Emulator, connect: Connect, client: fd.Client) -> None:
    ep = client.endpoints.create(_unique("proj"), "mine", "org/model", "H100")
    creates = sum(emu.stats.creates.values())
    with connect(team_id=OTHER_TEAM) as wrong_team:
        with pytest.raises(fd.PermissionDeniedError) as excinfo:
            list(wrong_team.endpoints.list())
        assert excinfo.value.status_code == 403
        assert OTHER_TEAM in str(excinfo.value)
        with pytest.raises(fd.PermissionDeniedError):
            wrong_team.endpoints.status(ep.id)
        with pytest.raises(fd.PermissionDeniedError):
            wrong_team.endpoints.create(_unique("proj"), "x", "org/model", "H100")
        with pytest.raises(fd.PermissionDeniedError):
            wrong_team.endpoints.create_from_wandb("e/p/m:v1")
    assert sum(emu.stats.creates.values()) == creates


def test_a_wrong_token_is_an_authentication_error(emu: Emulator, connect: Connect) -> None:
    token = "wrong-token-s3cr3t"
    creates = sum(emu.stats.creates.values())
    with connect(token=token) as bad:
        with pytest.raises(fd.AuthenticationError) as excinfo:
            bad.endpoints.get("ep-anything")
        assert excinfo.value.status_code == 401
        assert token not in str(excinfo.value)
        assert isinstance(excinfo.value.body, dict)
        assert "Not authenticated" in excinfo.value.body["detail"]
        with pytest.raises(fd.AuthenticationError):
            list(bad.endpoints.list())
        with pytest.raises(fd.AuthenticationError):
            bad.endpoints.create(_unique("proj"), "x", "org/model", "H100")
        with pytest.raises(fd.AuthenticationError):
            bad.endpoints.wait_until_running("ep-anything", timeout=WAIT)
    assert sum(emu.stats.creates.values()) == creates


def test_server_side_422_is_a_validation_error_with_detail(emu: Emulator, client: fd.Client) -> None:
    project = _unique("proj")
    creates = sum(emu.stats.creates.values())
    with pytest.raises(fd.ValidationError) as excinfo:
        client.endpoints.create(project, "bad", "emulator/fail-NOT_A_REAL_CODE", "H100")
    error = excinfo.value
    assert error.status_code == 422
    assert len(error.detail) == 1
    issue = error.detail[0]
    assert issue.loc == ("body", "hfModelRepo")
    assert "NOT_A_REAL_CODE" in issue.msg
    assert issue.type == "value_error"
    assert "body.hfModelRepo" in str(error)
    assert sum(emu.stats.creates.values()) == creates
    assert list(client.endpoints.list(project)) == []

    ep = client.endpoints.create(project, "good", "org/model", "H100")
    with pytest.raises(fd.ValidationError) as excinfo:
        client.endpoints.update(ep.id, model="emulator/fail-ALSO_NOT_A_CODE")
    assert [i.loc for i in excinfo.value.detail] == [("body", "hfModelRepo")]
    assert [v.version_id for v in client.endpoints.versions(ep.id)] == ["v1"]  # nothing changed

    with pytest.raises(fd.ValidationError) as excinfo:
        client.endpoints.create_from_wandb("emulator/fail-NOPE")
    assert [i.loc for i in excinfo.value.detail] == [("body", "wandbArtifactVersionName")]


# -- async ----------------------------------------------------------------------------------------
async def _async_collect(iterator: Any) -> list[Any]:
    return [item async for item in iterator]


@pytest.mark.anyio
async def test_async_main_path(emu: Emulator, aconnect: AsyncConnect) -> None:
    project = _unique("aproj")
    log = Log()
    async with (
        httpx.AsyncClient(event_hooks={"request": [log.ahook]}, timeout=10) as http,
        aconnect(http_client=http) as client,
    ):
        before = set(emu.endpoint_ids())
        ep = await client.endpoints.create(
            project,
            "async-chat",
            "org/model",
            fd.InstanceOption(fd.GPU.H100, 2),
            autoscaling=fd.Autoscaling.always_on(1, max_replicas=3),
        )
        assert isinstance(ep, fd.AsyncEndpoint)
        assert set(emu.endpoint_ids()) - before == {ep.id}
        assert ep.state is not None
        assert ep.state.status is fd.Status.INITIALIZING
        assert (
            repr(ep) == f"AsyncEndpoint(id={ep.id!r}, project_id={project!r}, name='async-chat', status='INITIALIZING')"
        )
        spec = await client.endpoints.get(ep.id)
        assert (spec.name, spec.num_gpu, spec.instance_id, spec.autoscaling_max) == ("async-chat", 2, H100x2_ID, 3)
        state = await client.endpoints.status(ep.id)
        assert state.status is fd.Status.INITIALIZING

        others = [(await client.endpoints.create(project, f"more{i}", "org/model", "H100")).id for i in range(2)]
        log.entries.clear()
        listed = await _async_collect(client.endpoints.list(project, page_size=1))
        assert [e.id for e in listed] == [ep.id, *others]
        assert len(log.calls("GET", LIST_PATH)) == 3
        assert all(isinstance(e, fd.AsyncEndpoint) for e in listed)

        state = await client.endpoints.wait_until_running(ep.id, timeout=WAIT)
        assert state.status is fd.Status.RUNNING

        spec = await client.endpoints.update(ep.id, name="async-renamed", max_batch_size=16)
        assert (spec.name, spec.max_batch_size) == ("async-renamed", 16)
        spec = await client.endpoints.update(ep.id, autoscaling=fd.Autoscaling.scale_to_zero(2, cooldown=600))
        assert (spec.autoscaling_min, spec.autoscaling_max, spec.autoscaling_cooldown) == (0, 2, 600)
        versions = await _async_collect(client.endpoints.versions(ep.id, page_size=2))
        assert [v.version_id for v in versions] == ["v1", "v2", "v3"]
        assert [v.spec.name for v in versions] == ["async-chat", "async-renamed", "async-renamed"]
        assert [v.spec.max_batch_size for v in versions] == [256, 16, 16]
        await client.endpoints.wait_until_running(ep.id, timeout=WAIT)

        assert (await client.endpoints.sleep(ep.id)).status is fd.Status.SLEEPING
        with pytest.raises(fd.EndpointStoppedError):
            await client.endpoints.wait_until_running(ep.id, timeout=WAIT)
        assert (await client.endpoints.wake(ep.id)).status is fd.Status.AWAKING
        assert (await client.endpoints.wait_until_running(ep.id, timeout=WAIT)).is_serving
        await client.endpoints.sleep(ep.id)
        log.entries.clear()
        state = await client.endpoints.wait_until_running(ep.id, timeout=WAIT, wake=True)
        assert state.status is fd.Status.RUNNING
        assert len(log.calls("PUT", f"{LIST_PATH}/{ep.id}/wake")) == 1

        with pytest.raises(fd.BadRequestError):
            await client.endpoints.restart(ep.id)
        assert (await client.endpoints.terminate(ep.id)).status is fd.Status.TERMINATING
        with pytest.raises(fd.EndpointStoppedError):
            await client.endpoints.wait_until_running(ep.id, timeout=WAIT)
        await emu.async_sleep(WAIT)  # to the next transition: TERMINATED
        assert (await client.endpoints.status(ep.id)).status is fd.Status.TERMINATED
        assert (await client.endpoints.restart(ep.id)).status is fd.Status.INITIALIZING
        assert (await client.endpoints.wait_until_running(ep.id, timeout=WAIT)).is_serving

        assert await client.endpoints.delete(ep.id) is None
        with pytest.raises(fd.NotFoundError):
            await client.endpoints.get(ep.id)
        with pytest.raises(fd.NotFoundError):
            await client.endpoints.status(ep.id)
        assert [e.id for e in await _async_collect(client.endpoints.list(project))] == others


@pytest.mark.anyio
async def test_async_handle_chains_and_failure(aconnect: AsyncConnect) -> None:
    async with aconnect() as client:
        ep = await client.endpoints.create(_unique("aproj"), "achain", "org/model", "H200")
        assert await ep.wait_until_running(timeout=WAIT) is ep
        assert await ep.sleep() is ep
        assert ep.state is not None
        assert ep.state.status is fd.Status.SLEEPING
        assert await ep.wait_until_running(timeout=WAIT, wake=True) is ep
        assert ep.state.status is fd.Status.RUNNING
        assert await ep.update(name="achain2") is ep
        assert (await ep.refresh()).state.status is fd.Status.UPDATING
        assert (await ep.spec()).name == "achain2"
        assert await ep.terminate() is ep
        assert ep.state.status is fd.Status.TERMINATING
        handle = client.endpoints.get_handle(ep.id)
        assert handle.state is None
        assert (await handle.refresh()).state is not None
        await ep.delete()
        with pytest.raises(fd.NotFoundError):
            await handle.refresh()

        failing = await client.endpoints.create(
            _unique("aproj"), "afail", "emulator/fail-WORKLOAD_INIT_CANNOT_ACCESS_REPO_ERROR", "H100"
        )
        with pytest.raises(fd.EndpointFailedError) as excinfo:
            await failing.wait_until_running(timeout=WAIT)
        assert excinfo.value.error_code == "WORKLOAD_INIT_CANNOT_ACCESS_REPO_ERROR"
        assert excinfo.value.phase == "DOWNLOADING_MODEL"
        assert excinfo.value.hint == hint_for("WORKLOAD_INIT_CANNOT_ACCESS_REPO_ERROR") != GENERIC_HINT
        assert (await failing.restart()).state.status is fd.Status.INITIALIZING  # type: ignore[union-attr]


@pytest.mark.anyio
async def test_async_create_from_wandb(aconnect: AsyncConnect) -> None:
    project, key = _unique("awandb"), _unique("key")
    async with aconnect() as client:
        first = await client.endpoints.create_from_wandb(
            "e/p/m:v1", instance=fd.GPU.B200, project_id=project, idempotency_key=key
        )
        second = await client.endpoints.create_from_wandb("e/p/m:v2", project_id=project, idempotency_key=key)
        assert isinstance(first, fd.AsyncEndpoint)
        assert second.id == first.id
        spec = await first.spec()
        assert (spec.name, spec.gpu_type, spec.num_gpu) == ("m-v1", "NVIDIA B200", 1)
        assert [v.version_id for v in await _async_collect(client.endpoints.versions(first.id))] == ["v1", "v2"]
        unkeyed = [await client.endpoints.create_from_wandb("e/p/m:v1", project_id=project) for _ in range(2)]
        assert len({first.id, *(e.id for e in unkeyed)}) == 3


@pytest.mark.anyio
async def test_async_errors(aconnect: AsyncConnect) -> None:
    async with aconnect() as client:
        ep = await client.endpoints.create(_unique("aproj"), "aerr", "org/model", "H100")
        with pytest.raises(fd.ValidationError) as excinfo:
            await client.endpoints.create(_unique("aproj"), "bad", "emulator/fail-BOGUS", "H100")
        assert [(i.loc, i.type) for i in excinfo.value.detail] == [(("body", "hfModelRepo"), "value_error")]
        with pytest.raises(fd.BadRequestError):
            await client.endpoints.sleep(ep.id)  # still INITIALIZING
    async with aconnect(token="nope") as bad:
        with pytest.raises(fd.AuthenticationError) as auth:
            await bad.endpoints.status(ep.id)
        assert auth.value.status_code == 401
    async with aconnect(team_id=THIRD_TEAM) as forbidden:
        with pytest.raises(fd.PermissionDeniedError) as denied:
            await _async_collect(forbidden.endpoints.list())
        assert denied.value.status_code == 403
    async with aconnect(token=OTHER_TOKEN) as other:
        with pytest.raises(fd.NotFoundError):
            await other.endpoints.get(ep.id)
        assert ep.id not in {e.id for e in await _async_collect(other.endpoints.list(limit=100))}
