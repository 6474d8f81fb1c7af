"""The emulator's core through ``Emulator.handle``: lifecycle, versions, pagination, validation,
auth, W&B idempotency and faults, on a manual clock (no sockets, no real time)."""

from __future__ import annotations

import json
from typing import Any

import pytest

from friendli_dedicated.emulator import (
    DEFAULT_TEAM,
    DEFAULT_TOKEN,
    Emulator,
    Faults,
    ManualClock,
    Response,
    Timings,
)
from friendli_dedicated.emulator._contract import load_contract

BASE = "/dedicated/beta/endpoint"
WANDB = "/dedicated/endpoint/wandb-artifact-create"
H100 = "TwD5AqnBSVN0"
CONTRACT = load_contract()
TIMINGS = Timings(
    requesting_virtual_machine=10, downloading_model=20, engine_initializing=30, updating=5, awaking=7, terminating=3
)


class Api:
    """Calls ``emu.handle`` like a client would, and checks every 200 against the contract."""

    def __init__(self, emu: Emulator, token: str = DEFAULT_TOKEN, team: str | None = None) -> None:
        self.emu, self.token, self.team = emu, token, team

    def call(
        self, method: str, path: str, body: Any = None, query: dict[str, Any] | None = None, raw: bytes | None = None
    ) -> Response:
        headers = {"Authorization": f"Bearer {self.token}"} if self.token else {}
        if self.team is not None:
            headers["X-Friendli-Team"] = self.team
        content = raw if raw is not None else (b"" if body is None else json.dumps(body).encode())
        pairs = [(k, str(v)) for k, v in (query or {}).items()]
        response = self.emu.handle(method, path, pairs, headers, content)
        if response.status == 200:
            matched = CONTRACT.match(method, path)
            assert not isinstance(matched, str)
            schema = matched[0].response_schema(200)
            assert schema is not None
            assert CONTRACT.validate(schema, response.json(), []) == [], response.json()
        return response

    def ok(self, method: str, path: str, body: Any = None, **kwargs: Any) -> Any:
        response = self.call(method, path, body, **kwargs)
        assert response.status == 200, (response.status, response.body)
        return response.json()

    def create(self, name: str = "chat", project: str = "proj", model: str = "org/model", **extra: Any) -> str:
        """Create, then find the id the way the facade does (list before/after, match the name)."""
        before = set(self.list_all(project))
        body = {
            "projectId": project,
            "name": name,
            "instanceOptionId": H100,
            "hfModelRepo": model,
            "advanced": {"tokenizer_skip_special_tokens": True, "tokenizer_add_special_tokens": False},
            **extra,
        }
        status = self.ok("POST", BASE, body)
        assert status["status"] == "INITIALIZING"
        assert status["phase"] == "REQUESTING_VIRTUAL_MACHINE"
        assert "endpointId" not in status
        new = [i for i in self.list_all(project) if i not in before]
        assert len(new) == 1
        return new[0]

    def list_all(self, project: str = "", limit: int = 100) -> list[str]:
        ids: list[str] = []
        cursor = None
        while True:
            query: dict[str, Any] = {"limit": limit, "project_id": project}
            if cursor:
                query["cursor"] = cursor
            page = self.ok("GET", BASE, query=query)
            ids.extend(page["data"])
            cursor = page["nextCursor"]
            if cursor is None:
                return ids

    def status(self, endpoint_id: str) -> dict[str, Any]:
        result: dict[str, Any] = self.ok("GET", f"{BASE}/{endpoint_id}/status")
        return result


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock()


@pytest.fixture
def emu(clock: ManualClock) -> Emulator:
    return Emulator(clock=clock, timings=TIMINGS, seed=5)


@pytest.fixture
def api(emu: Emulator) -> Api:
    return Api(emu)


def seen(api: Api, clock: ManualClock, endpoint_id: str, seconds: float) -> tuple[str, str | None, str | None]:
    clock.advance(seconds)
    state = api.status(endpoint_id)
    return state["status"], state["phase"], state["errorCode"]


# -- lifecycle ------------------------------------------------------------------------------------
def test_create_goes_through_the_phases_to_running(api: Api, clock: ManualClock) -> None:
    ep = api.create()
    assert seen(api, clock, ep, 0) == ("INITIALIZING", "REQUESTING_VIRTUAL_MACHINE", None)
    assert seen(api, clock, ep, 10) == ("INITIALIZING", "DOWNLOADING_MODEL", None)
    assert seen(api, clock, ep, 20) == ("INITIALIZING", "ENGINE_INITIALIZING", None)
    assert seen(api, clock, ep, 29.9) == ("INITIALIZING", "ENGINE_INITIALIZING", None)
    assert seen(api, clock, ep, 0.1) == ("RUNNING", None, None)
    state = api.status(ep)
    assert state["createdAt"] == "2026-01-01T00:00:00.000Z"
    assert state["updatedAt"] == "2026-01-01T00:01:00.000Z"


def test_time_scale_multiplies_every_duration(clock: ManualClock) -> None:
    api = Api(Emulator(clock=clock, timings=TIMINGS, time_scale=0.1))
    ep = api.create()
    assert seen(api, clock, ep, 5.9) == ("INITIALIZING", "ENGINE_INITIALIZING", None)
    assert seen(api, clock, ep, 0.1) == ("RUNNING", None, None)


def test_spec_is_derived_from_the_create_body_and_instance_option(api: Api, clock: ManualClock) -> None:
    ep = api.create(autoscalingPolicy={"minReplica": 1, "maxReplica": 3, "cooldownPeriod": 60})
    spec = api.ok("GET", f"{BASE}/{ep}")
    assert spec["gpuType"] == "NVIDIA H100"
    assert spec["numGpu"] == 1
    assert spec["instanceId"] == H100
    assert (spec["autoscalingMin"], spec["autoscalingMax"], spec["autoscalingCooldown"]) == (1, 3, 60)
    assert spec["teamId"] == DEFAULT_TEAM
    assert spec["tokenizerAddSpecialTokens"] is False
    assert spec["currReplicaCnt"] == 0
    clock.advance(60)
    spec = api.ok("GET", f"{BASE}/{ep}")
    assert (spec["currReplicaCnt"], spec["desiredReplicaCnt"]) == (1, 1)


def test_create_response_has_no_id_unless_asked(clock: ManualClock) -> None:
    api = Api(Emulator(clock=clock, expose_endpoint_id=True))
    body = {
        "projectId": "p",
        "name": "n",
        "instanceOptionId": H100,
        "hfModelRepo": "m",
        "advanced": {"tokenizer_skip_special_tokens": True, "tokenizer_add_special_tokens": True},
    }
    status = api.ok("POST", BASE, body)
    assert status["endpointId"] in api.list_all()


def test_update_rolls_out_and_adds_a_version(api: Api, clock: ManualClock) -> None:
    ep = api.create()
    clock.advance(60)
    spec = api.ok(
        "PUT",
        f"{BASE}/{ep}",
        {
            "name": "renamed",
            "instanceOptionId": "zfTutSiLn0Hq",
            "advanced": {
                "tokenizer_skip_special_tokens": False,
                "tokenizer_add_special_tokens": True,
                "max_batch_size": 8,
            },
            "newVersionComment": "bigger",
        },
    )
    assert (spec["name"], spec["numGpu"], spec["maxBatchSize"]) == ("renamed", 2, 8)
    assert seen(api, clock, ep, 0) == ("UPDATING", None, None)
    assert seen(api, clock, ep, 5) == ("RUNNING", None, None)
    versions = api.ok("GET", f"{BASE}/{ep}/version")["data"]
    assert list(versions) == ["v1", "v2"]
    assert versions["v1"]["name"] == "chat"
    assert versions["v2"]["name"] == "renamed"


def test_update_with_partial_advanced_keeps_the_other_options(api: Api) -> None:
    ep = api.create(
        advanced={"tokenizer_skip_special_tokens": True, "tokenizer_add_special_tokens": True, "max_input_length": 100}
    )
    spec = api.ok(
        "PUT",
        f"{BASE}/{ep}",
        {
            "advanced": {
                "tokenizer_skip_special_tokens": True,
                "tokenizer_add_special_tokens": True,
                "max_batch_size": 4,
            }
        },
    )
    assert (spec["maxInputLength"], spec["maxBatchSize"]) == (100, 4)


def test_sleep_and_wake(api: Api, clock: ManualClock) -> None:
    ep = api.create()
    clock.advance(60)
    assert api.ok("PUT", f"{BASE}/{ep}/sleep")["status"] == "SLEEPING"
    assert api.ok("PUT", f"{BASE}/{ep}/sleep")["status"] == "SLEEPING"  # repeating is harmless
    assert api.ok("GET", f"{BASE}/{ep}")["currReplicaCnt"] == 0
    assert api.ok("PUT", f"{BASE}/{ep}/wake")["status"] == "AWAKING"
    assert seen(api, clock, ep, 6.9)[0] == "AWAKING"
    assert seen(api, clock, ep, 0.1)[0] == "RUNNING"
    assert api.ok("PUT", f"{BASE}/{ep}/wake")["status"] == "RUNNING"


def test_sleep_while_initializing_is_refused(api: Api) -> None:
    ep = api.create()
    response = api.call("PUT", f"{BASE}/{ep}/sleep")
    assert response.status == 400
    assert "INITIALIZING" in response.json()["detail"]


def test_terminate_then_restart(api: Api, clock: ManualClock) -> None:
    ep = api.create()
    clock.advance(60)
    refused = api.call("PUT", f"{BASE}/{ep}/restart")
    assert refused.status == 400
    assert "only a FAILED or TERMINATED endpoint can be restarted" in refused.json()["detail"]
    assert api.ok("PUT", f"{BASE}/{ep}/terminate")["status"] == "TERMINATING"
    assert seen(api, clock, ep, 3)[0] == "TERMINATED"
    assert api.ok("PUT", f"{BASE}/{ep}/terminate")["status"] == "TERMINATED"
    assert api.call("PUT", f"{BASE}/{ep}", {"name": "x"}).status == 400
    restarted = api.ok("PUT", f"{BASE}/{ep}/restart")
    assert (restarted["status"], restarted["phase"]) == ("INITIALIZING", "REQUESTING_VIRTUAL_MACHINE")
    assert seen(api, clock, ep, 60)[0] == "RUNNING"


def test_delete_then_404(api: Api) -> None:
    ep = api.create()
    assert api.ok("DELETE", f"{BASE}/{ep}") == {}
    for method, path in [("GET", ""), ("GET", "/status"), ("GET", "/version"), ("PUT", "/wake"), ("DELETE", "")]:
        assert api.call(method, f"{BASE}/{ep}{path}").status == 404
    assert ep not in api.list_all()


def test_scale_to_zero_sleeps_after_the_cooldown(api: Api, clock: ManualClock) -> None:
    ep = api.create(autoscalingPolicy={"minReplica": 0, "maxReplica": 2, "cooldownPeriod": 120})
    assert seen(api, clock, ep, 60)[0] == "RUNNING"
    assert seen(api, clock, ep, 119)[0] == "RUNNING"
    assert seen(api, clock, ep, 1)[0] == "SLEEPING"
    api.ok("PUT", f"{BASE}/{ep}/wake")
    assert seen(api, clock, ep, 7)[0] == "RUNNING"
    assert seen(api, clock, ep, 120)[0] == "SLEEPING"


def test_cooldown_is_scaled_too(clock: ManualClock) -> None:
    api = Api(Emulator(clock=clock, timings=TIMINGS, time_scale=0.5))
    ep = api.create(autoscalingPolicy={"minReplica": 0, "maxReplica": 1, "cooldownPeriod": 100})
    assert seen(api, clock, ep, 30 + 49)[0] == "RUNNING"
    assert seen(api, clock, ep, 1)[0] == "SLEEPING"


@pytest.mark.parametrize(
    "scaling",
    [
        {},
        {"simplescale": {"replicas": 2}},
        {"autoscalingPolicy": {"minReplica": 1, "maxReplica": 2, "cooldownPeriod": 1}},
    ],
)
def test_other_endpoints_never_sleep_by_themselves(api: Api, clock: ManualClock, scaling: dict[str, Any]) -> None:
    ep = api.create(**scaling)
    assert seen(api, clock, ep, 100_000)[0] == "RUNNING"


@pytest.mark.parametrize("code", CONTRACT.error_codes)
def test_every_failure_code(api: Api, clock: ManualClock, code: str) -> None:
    ep = api.create(model=f"emulator/fail-{code}")
    phase = "DOWNLOADING_MODEL" if code.startswith("WORKLOAD_INIT_") else "ENGINE_INITIALIZING"
    failed_at = 30 if phase == "DOWNLOADING_MODEL" else 60
    clock.advance(failed_at - 0.5)
    before = api.status(ep)
    assert (before["status"], before["phase"], before["errorCode"]) == ("INITIALIZING", phase, None)
    assert seen(api, clock, ep, 0.5) == ("FAILED", phase, code)
    assert seen(api, clock, ep, 1000) == ("FAILED", phase, code)
    assert api.ok("PUT", f"{BASE}/{ep}/restart")["status"] == "INITIALIZING"
    assert seen(api, clock, ep, failed_at) == ("FAILED", phase, code)


def test_a_failure_code_not_in_the_contract_is_refused(api: Api) -> None:
    body = {
        "projectId": "p",
        "name": "n",
        "instanceOptionId": H100,
        "hfModelRepo": "emulator/fail-NOPE",
        "advanced": {"tokenizer_skip_special_tokens": True, "tokenizer_add_special_tokens": True},
    }
    response = api.call("POST", BASE, body)
    assert response.status == 422
    assert response.json()["detail"][0]["loc"] == ["body", "hfModelRepo"]


# -- pagination -----------------------------------------------------------------------------------
def test_pagination_limits_cursors_and_project_filter(api: Api) -> None:
    ids = [api.create(f"e{n}", project="a" if n % 2 else "b") for n in range(7)]
    assert api.list_all(limit=2) == ids
    assert api.list_all(limit=1) == ids
    assert api.list_all("a", limit=2) == ids[1::2]
    assert api.list_all("b", limit=100) == ids[0::2]
    first = api.ok("GET", BASE, query={"limit": 3})
    assert list(first["data"]) == ids[:3]
    cursor = first["nextCursor"]
    assert cursor not in ("3", "4")
    assert not cursor.isdigit()
    default = api.ok("GET", BASE)
    assert list(default["data"]) == ids
    assert default["nextCursor"] is None
    # Stable when items are deleted between pages.
    api.ok("DELETE", f"{BASE}/{ids[1]}")
    second = api.ok("GET", BASE, query={"limit": 3, "cursor": cursor})
    assert list(second["data"]) == ids[3:6]


def test_default_limit_is_20(api: Api) -> None:
    ids = [api.create(f"e{n}") for n in range(21)]
    page = api.ok("GET", BASE)
    assert list(page["data"]) == ids[:20]
    assert list(api.ok("GET", BASE, query={"cursor": page["nextCursor"]})["data"]) == ids[20:]


@pytest.mark.parametrize(
    ("limit", "kind"), [("0", "greater_than_equal"), ("101", "less_than_equal"), ("ten", "int_parsing")]
)
def test_invalid_limit_is_422(api: Api, limit: str, kind: str) -> None:
    response = api.call("GET", BASE, query={"limit": limit})
    assert response.status == 422
    assert response.json() == {
        "detail": [{"loc": ["query", "limit"], "msg": response.json()["detail"][0]["msg"], "type": kind}]
    }


def test_cursors_are_bound_to_their_listing(api: Api, clock: ManualClock) -> None:
    for n in range(3):
        api.create(f"e{n}", project="a")
    cursor = api.ok("GET", BASE, query={"limit": 1, "project_id": "a"})["nextCursor"]
    assert api.call("GET", BASE, query={"limit": 1, "project_id": "b", "cursor": cursor}).status == 422
    assert api.call("GET", BASE, query={"cursor": "garbage!"}).status == 422
    other = Api(Emulator(clock=clock, seed=6))
    assert other.call("GET", BASE, query={"limit": 1, "project_id": "a", "cursor": cursor}).status == 422


def test_version_history_pages(api: Api) -> None:
    ep = api.create()
    for n in range(4):
        api.ok("PUT", f"{BASE}/{ep}", {"newVersionComment": f"c{n}", "name": f"n{n}"})
    keys: list[str] = []
    cursor = None
    while True:
        query: dict[str, Any] = {"limit": 2}
        if cursor:
            query["cursor"] = cursor
        page = api.ok("GET", f"{BASE}/{ep}/version", query=query)
        assert len(page["data"]) <= 2
        keys.extend(page["data"])
        cursor = page["nextCursor"]
        if cursor is None:
            break
    assert keys == ["v1", "v2", "v3", "v4", "v5"]
    assert api.call("GET", f"{BASE}/{ep}/version", query={"limit": 0}).status == 422


# -- W&B ------------------------------------------------------------------------------------------
def test_wandb_idempotency_rolls_out_the_same_endpoint(api: Api, emu: Emulator, clock: ManualClock) -> None:
    body = {
        "wandbArtifactVersionName": "team/proj/model:v1",
        "projectId": "p",
        "idempotencyKey": "k1",
        "accelerator": {"type": "NVIDIA H200", "count": 2},
    }
    first = api.ok("POST", WANDB, body)
    assert first["endpointName"] == "model-v1"
    assert (first["projectId"], first["teamId"]) == ("p", DEFAULT_TEAM)
    clock.advance(60)
    second = api.ok("POST", WANDB, {**body, "wandbArtifactVersionName": "team/proj/model:v2"})
    assert second["endpointId"] == first["endpointId"]
    assert api.status(first["endpointId"])["status"] == "UPDATING"
    assert list(api.ok("GET", f"{BASE}/{first['endpointId']}/version")["data"]) == ["v1", "v2"]
    assert api.ok("GET", f"{BASE}/{first['endpointId']}")["gpuType"] == "NVIDIA H200"
    assert emu.stats.creates[(DEFAULT_TEAM, "p", "model-v1")] == 1
    third = api.ok("POST", WANDB, {**body, "idempotencyKey": "k2"})
    assert third["endpointId"] != first["endpointId"]


def test_wandb_key_without_project_and_unknown_accelerator(api: Api) -> None:
    assert api.call("POST", WANDB, {"wandbArtifactVersionName": "a:v1", "idempotencyKey": "k"}).status == 400
    response = api.call(
        "POST", WANDB, {"wandbArtifactVersionName": "a:v1", "accelerator": {"type": "NVIDIA H100", "count": 3}}
    )
    assert response.status == 422
    assert response.json()["detail"][0]["loc"] == ["body", "accelerator"]


# -- validation -----------------------------------------------------------------------------------
def _issue_locs(response: Response) -> list[list[Any]]:
    assert response.status == 422
    detail = response.json()["detail"]
    for issue in detail:
        # FastAPI's json_invalid also says why in ctx.error; every other issue is exactly loc, msg, type.
        assert set(issue) == {"loc", "msg", "type"} | ({"ctx"} if issue["type"] == "json_invalid" else set())
        assert isinstance(issue["msg"], str)
        assert isinstance(issue["type"], str)
    return [issue["loc"] for issue in detail]


def test_validation_errors_have_the_contract_shape(api: Api) -> None:
    response = api.call(
        "POST",
        BASE,
        {
            "projectId": 3,
            "name": "n",
            "advanced": {"tokenizer_skip_special_tokens": "yes", "tokenizer_add_special_tokens": True},
            "simplescale": {"replicas": 0},
            "autoscalingPolicy": {"maxReplica": 11},
        },
    )
    schema = CONTRACT.schemas["HTTPValidationError"]
    assert CONTRACT.validate(schema, response.json(), []) == []
    locs = _issue_locs(response)
    assert ["body", "projectId"] in locs
    assert ["body", "instanceOptionId"] in locs
    assert ["body", "hfModelRepo"] in locs
    assert ["body", "advanced", "tokenizer_skip_special_tokens"] in locs
    assert ["body", "simplescale", "replicas"] in locs
    assert ["body", "autoscalingPolicy", "maxReplica"] in locs
    by_loc = {tuple(i["loc"]): i for i in response.json()["detail"]}
    assert by_loc[("body", "hfModelRepo")]["type"] == "missing"
    assert by_loc[("body", "projectId")]["type"] == "string_type"
    assert by_loc[("body", "simplescale", "replicas")]["msg"] == "Input should be greater than or equal to 1"


def test_body_that_is_not_json_is_422(api: Api) -> None:
    locs = _issue_locs(api.call("POST", BASE, raw=b"{not json"))
    assert locs[0][0] == "body"
    assert _issue_locs(api.call("POST", BASE, raw=b"")) == [["body"]]


def test_unknown_instance_option_is_422(api: Api) -> None:
    body = {
        "projectId": "p",
        "name": "n",
        "instanceOptionId": "nope",
        "hfModelRepo": "m",
        "advanced": {"tokenizer_skip_special_tokens": True, "tokenizer_add_special_tokens": True},
    }
    assert _issue_locs(api.call("POST", BASE, body)) == [["body", "instanceOptionId"]]
    ep = api.create()
    assert _issue_locs(api.call("PUT", f"{BASE}/{ep}", {"instanceOptionId": "nope"})) == [["body", "instanceOptionId"]]


def test_unknown_routes(api: Api) -> None:
    assert api.call("GET", "/nowhere").status == 404
    assert api.call("PATCH", BASE).status == 405


# -- security -------------------------------------------------------------------------------------
def test_missing_or_wrong_token_is_401_without_echo(emu: Emulator) -> None:
    for token in ["", "wrong-secret-token"]:
        response = Api(emu, token=token).call("GET", BASE)
        assert response.status == 401
        assert b"wrong-secret-token" not in response.body
        assert response.headers["www-authenticate"] == "Bearer"
    raw = emu.handle("GET", BASE, [], {"Authorization": f"Basic {DEFAULT_TOKEN}"}, b"")
    assert raw.status == 401


def test_teams_403_and_invisible_endpoints(clock: ManualClock) -> None:
    emu = Emulator(clock=clock, tokens={"t1": ["red", "blue"], "t2": ["green"]})
    red = Api(emu, token="t1")
    blue = Api(emu, token="t1", team="blue")
    green = Api(emu, token="t2")
    ep = red.create()
    assert red.ok("GET", f"{BASE}/{ep}")["teamId"] == "red"
    assert Api(emu, token="t1", team="red").list_all() == [ep]
    assert blue.list_all() == []
    assert green.list_all() == []
    for other in (blue, green):
        for method, path in [("GET", ""), ("GET", "/status"), ("PUT", "/sleep"), ("DELETE", ""), ("PUT", "/restart")]:
            assert other.call(method, f"{BASE}/{ep}{path}").status == 404
    forbidden = Api(emu, token="t2", team="red").call("GET", BASE)
    assert forbidden.status == 403
    assert b"t2" not in forbidden.body


# -- faults ---------------------------------------------------------------------------------------
def _run(seed: int) -> tuple[list[int], dict[str, int], int]:
    emu = Emulator(clock=ManualClock(), faults=Faults(rate=0.5, seed=seed))
    api = Api(emu)
    body = {
        "projectId": "p",
        "name": "n",
        "instanceOptionId": H100,
        "hfModelRepo": "m",
        "advanced": {"tokenizer_skip_special_tokens": True, "tokenizer_add_special_tokens": True},
    }
    statuses = [api.call("POST", BASE, body).status for _ in range(40)]
    return statuses, dict(emu.stats.faults), len(emu.endpoint_ids())


def test_faults_are_reproducible_by_seed_and_change_nothing() -> None:
    statuses, faults, created = _run(1)
    assert (statuses, faults, created) == _run(1)
    assert statuses != _run(2)[0]
    assert set(statuses) <= {0, 200, 429, 503}
    assert set(faults) == {"429", "503", "drop"}
    assert sum(faults.values()) == 40 - statuses.count(200)
    assert created == statuses.count(200)  # a refused or dropped create created nothing


def test_fault_responses(clock: ManualClock) -> None:
    emu = Emulator(clock=clock, faults=Faults(rate=1.0, kinds=("429",), retry_after=0.25))
    response = Api(emu).call("GET", BASE)
    assert response.status == 429
    assert (response.headers["retry-after"], response.headers["retry-after-ms"]) == ("0.25", "250")
    assert Emulator(faults=Faults(rate=1.0, kinds=("drop",))).handle("GET", BASE, [], {}, b"").dropped
    with pytest.raises(ValueError, match="rate"):
        Faults(rate=2)
    with pytest.raises(ValueError, match="kinds"):
        Faults(kinds=("500",))


def test_stats_count_requests_and_creates(api: Api, emu: Emulator) -> None:
    api.create("a")
    api.create("a")
    assert emu.stats.duplicate_creates() == {(DEFAULT_TEAM, "proj", "a"): 2}
    assert emu.stats.requests == emu.stats.responses[200]
