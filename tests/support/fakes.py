"""The one fake of the API for the client tests: canned replies per route, every request recorded.

``FakeAPI().on(method, path, *replies)``: replies are consumed in order (the last one repeats), and
``api.requests`` records what was sent; ``make_client(api)`` and ``make_async_client(api)`` build SDK
clients on it with an injected clock and sleep (``Recorder``), so nothing touches a socket or really
sleeps. The other fake of the test suite is the SDK's own emulator (``friendli_dedicated.emulator``),
used wherever a stateful API serves the test better.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import httpx

import friendli_dedicated as fd

if TYPE_CHECKING:
    from friendli_dedicated_api._contract import EngineOption

TOKEN = "flp_test-TOKEN-4f1d2c"
TEAM = "team-42"
BASE = "https://api.test"
EP = "ep-1"
CREATED = "2025-01-01T00:00:00Z"
COLLECTION = "/dedicated/beta/endpoint"

Reply = Callable[[httpx.Request], httpx.Response]


def reply(status: int = 200, body: Any = None, *, content: bytes | str | None = None, headers: Any = None) -> Reply:
    """A reply factory: a fresh response per request (JSON ``body``, or raw ``content``)."""

    def make(request: httpx.Request) -> httpx.Response:
        if content is not None:
            return httpx.Response(status, content=content, headers=headers)
        if body is None:
            return httpx.Response(status, headers=headers)
        return httpx.Response(status, json=body, headers=headers)

    return make


def fail(exc_type: type[httpx.TransportError], message: str = "boom") -> Reply:
    """A reply that never comes: the transport raises ``exc_type``."""

    def make(request: httpx.Request) -> httpx.Response:
        raise exc_type(message, request=request)

    return make


class FakeAPI:
    """A tiny fake of the endpoints API: ``on(method, path, *replies)``; records every request."""

    def __init__(self) -> None:
        self.routes: dict[tuple[str, str], list[Reply]] = {}
        self.requests: list[httpx.Request] = []

    def on(self, method: str, path: str, *replies: Reply) -> FakeAPI:
        self.routes[(method, path)] = list(replies)
        return self

    def handler(self, request: httpx.Request) -> httpx.Response:
        request.read()
        self.requests.append(request)
        queue = self.routes.get((request.method, request.url.path))
        if not queue:
            return httpx.Response(404, json={"detail": f"no fake route for {request.method} {request.url.path}"})
        return (queue.pop(0) if len(queue) > 1 else queue[0])(request)

    def calls(self, method: str, path: str) -> list[httpx.Request]:
        return [r for r in self.requests if r.method == method and r.url.path == path]

    def sync_client(self, **kwargs: Any) -> httpx.Client:
        return httpx.Client(transport=httpx.MockTransport(self.handler), trust_env=False, **kwargs)

    def async_client(self, **kwargs: Any) -> httpx.AsyncClient:
        return httpx.AsyncClient(transport=httpx.MockTransport(self.handler), trust_env=False, **kwargs)


class Recorder:
    """A fake sleep that records instead of waiting, and a clock only those sleeps move."""

    def __init__(self) -> None:
        self.now = 1000.0
        self.sleeps: list[float] = []

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds

    async def async_sleep(self, seconds: float) -> None:
        self.sleep(seconds)

    def clock(self) -> float:
        return self.now


def make_client(api: FakeAPI, time: Recorder | None = None, **kwargs: Any) -> fd.Client:
    time = time or Recorder()
    kwargs.setdefault("token", TOKEN)
    kwargs.setdefault("base_url", BASE)
    return fd.Client(http_client=api.sync_client(), sleep=time.sleep, clock=time.clock, random=lambda: 0.5, **kwargs)


def make_async_client(api: FakeAPI, time: Recorder | None = None, **kwargs: Any) -> fd.AsyncClient:
    time = time or Recorder()
    kwargs.setdefault("token", TOKEN)
    kwargs.setdefault("base_url", BASE)
    return fd.AsyncClient(
        http_client=api.async_client(), sleep=time.async_sleep, clock=time.clock, random=lambda: 0.5, **kwargs
    )


def status_json(status: str = "RUNNING", **extra: Any) -> dict[str, Any]:
    return {"status": status, "createdAt": CREATED, **extra}


def spec_json(name: str = "chat", **extra: Any) -> dict[str, Any]:
    return {
        "name": name,
        "gpuType": "NVIDIA H100",
        "numGpu": 1,
        "projectId": "proj",
        "creatorId": "user-1",
        "teamId": TEAM,
        "autoscalingMin": 0,
        "autoscalingMax": 2,
        "autoscalingCooldown": 300,
        "maxBatchSize": 256,
        "maxInputLength": 4096,
        "tokenizerSkipSpecialTokens": False,
        "tokenizerAddSpecialTokens": True,
        **extra,
    }


def listing(*ids: str, cursor: str | None = None, status: str = "RUNNING") -> Reply:
    return reply(200, {"data": {i: status_json(status) for i in ids}, "nextCursor": cursor})


def body_of(request: httpx.Request) -> Any:
    return json.loads(request.content)


def assert_headers(request: httpx.Request, *, team: str | None = TEAM, has_body: bool = False) -> None:
    """The headers every contract call carries: token, User-Agent, Accept, the team when set."""
    assert request.headers["Authorization"] == f"Bearer {TOKEN}"
    assert request.headers["User-Agent"].startswith("friendli-dedicated/")
    assert fd.CONTRACT_PIN.short() in request.headers["User-Agent"]
    assert request.headers["Accept"] == "application/json"
    if team is None:
        assert "X-Friendli-Team" not in request.headers
    else:
        assert request.headers["X-Friendli-Team"] == team
    if has_body:
        assert request.headers["Content-Type"] == "application/json"
    else:
        assert request.content == b""


def _advanced_defaults() -> dict[str, Any]:
    """The advanced block a create sends when no engine option is given, read from the contract's table:
    the contract's defaults, and True for a required flag without one."""
    from friendli_dedicated_api._contract import ENGINE_OPTIONS

    defaults: dict[str, Any] = {}
    for option in ENGINE_OPTIONS:
        if option.default is not None:
            defaults[option.name] = option.default
        elif option.required and option.kind == "boolean":
            defaults[option.name] = True
    return defaults


ADVANCED_DEFAULTS = _advanced_defaults()


def valid_value(option: EngineOption) -> Any:
    """A value the contract accepts for the engine option ``option`` that differs from its default."""
    if option.enum:
        return option.enum[-1]
    if option.kind == "boolean":
        return not option.default if isinstance(option.default, bool) else False
    if option.kind == "integer":
        return int(option.minimum or 0) + 7
    if option.kind == "number":
        return float(option.minimum or 0) + 0.5
    return "x" * int(option.min_length or 1)


WANDB = "/dedicated/endpoint/wandb-artifact-create"


def wandb_response(endpoint_id: str = "ep-wb") -> dict[str, Any]:
    return {
        "endpointId": endpoint_id,
        "endpointName": "wb",
        "projectId": "proj",
        "projectName": "Project",
        "teamId": TEAM,
        "teamName": None,
    }
