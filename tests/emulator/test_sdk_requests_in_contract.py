"""Every request the SDK sends is an operation of openapi.yaml: a broad scenario, sync and async, and
the inference calls the official ``openai`` package makes for it (through ``endpoint.openai_client()``),
checked over the emulator's request log.

Each logged request is matched against openapi.yaml itself (method and path template), not against the
emulator's routing; the emulator must have matched the same operation. The scenario must reach every
operation the SDK names (``OPERATION_NAMES``), so the check cannot pass by sending little.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import re
from pathlib import Path

import httpx
import yaml

import friendli_dedicated as fd
from friendli_dedicated.emulator import (
    OPERATION_NAMES,
    Emulator,
    LoggedRequest,
    ManualClock,
)

ROOT = Path(__file__).resolve().parents[2]
METHODS = ("get", "put", "post", "delete", "patch", "head", "options", "trace")


def contract_operations() -> list[tuple[str, re.Pattern[str], str]]:
    """(METHOD, path template as a pattern, operationId) of every operation of openapi.yaml."""
    document = yaml.safe_load((ROOT / "openapi.yaml").read_text(encoding="utf-8"))
    found = []
    for template, item in document["paths"].items():
        pattern = re.compile("^" + re.sub(r"\\\{[^}/]+\\\}", "[^/]+", re.escape(template)) + "$")
        for method in METHODS:
            if method in item:
                found.append((method.upper(), pattern, item[method]["operationId"]))
    return found


def operation_of(request: LoggedRequest, operations: list[tuple[str, re.Pattern[str], str]]) -> list[str]:
    return [op for method, pattern, op in operations if method == request.method and pattern.match(request.path)]


def scenario(client: fd.Client, emu: Emulator) -> fd.Endpoint:
    """Create, read, list, update, versions, sleep, wake, terminate, restart, delete, wait, costs: the SDK's verbs."""
    ep = client.endpoints.create("proj", "chat", "org/model", "H100")
    ep.wait_until_running(timeout=900, serving=True)
    ep.check_serving()
    client.endpoints.get(ep.id)
    client.endpoints.status(ep.id)
    list(client.endpoints.list("proj"))
    list(client.endpoints.list())
    ep.update(name="chat-2").wait_until_running(timeout=900)
    list(client.endpoints.versions(ep.id))
    ep.sleep().wake().wait_until_running(timeout=900)
    ep.terminate()
    emu.advance(10)  # TERMINATED: restart brings it back
    client.endpoints.restart(ep.id)
    ep.wait_until_running(timeout=900)
    fleet = [client.endpoints.create("proj", f"w{n}", "org/model", "H100") for n in range(2)]
    client.endpoints.wait_all(fleet, timeout=1800).raise_for_failures()
    wandb = client.endpoints.create_from_wandb("team/proj/model:v1", project_id="proj", idempotency_key="k")
    client.endpoints.get_handle(wandb.id).refresh().spec()
    for endpoint in fleet:
        endpoint.delete()
    report = client.costs(dt.date(2026, 1, 1), dt.date(2026, 1, 2), page_size=1)
    assert report.unjoined == {endpoint.id for endpoint in fleet}  # deleted, yet billed: their reads were 404s
    with client.endpoints.ephemeral("proj", "brief", "org/model", "H100", timeout=900, wait_terminated=True):
        pass
    return ep


async def async_scenario(client: fd.AsyncClient) -> None:
    ep = await client.endpoints.create("proj", "async", "org/model", "H100")
    await ep.wait_until_running(timeout=900, serving=True)
    await ep.check_serving()
    async with client.endpoints.ephemeral("proj", "async-brief", "org/model", "H100", timeout=900) as brief:
        await brief.async_openai_client(max_retries=0).chat.completions.create(
            model=brief.id, messages=[{"role": "user", "content": "Hi"}], max_tokens=1
        )
    await ep.update(name="async-2")
    await ep.terminate()
    await ep.refresh()
    await ep.delete()
    await client.costs(dt.date(2026, 1, 1), dt.date(2026, 1, 2), join=False)


def test_every_request_of_the_sdk_and_its_inference_calls_is_a_contract_operation() -> None:
    emu = Emulator(clock=ManualClock(), seed=11)
    with emu.client() as client:
        running = scenario(client, emu)
    asyncio.run(_run_async(emu))
    chat = running.openai_client(max_retries=0)
    chat.chat.completions.create(model=running.id, messages=[{"role": "user", "content": "Hi"}], max_tokens=1)
    list(chat.chat.completions.create(model=running.id, messages=[{"role": "user", "content": "Hi"}], stream=True))
    chat.completions.create(model=running.id, prompt="Hi")
    chat.post("/tokenize", body={"model": running.id, "prompt": "Hi"}, cast_to=httpx.Response)
    chat.post("/detokenize", body={"model": running.id, "tokens": [72]}, cast_to=httpx.Response)

    operations = contract_operations()
    log = emu.requests
    outside = [(r.method, r.path) for r in log if len(operation_of(r, operations)) != 1]
    assert outside == [], "requests that are no single operation of openapi.yaml"
    assert all(operation_of(r, operations) == [r.operation] for r in log)  # the emulator agrees
    # The only errors: the specifications of the deleted endpoints that costs tried to join.
    failed = [(r.operation, r.status) for r in log if r.status is None or r.status >= 400]
    assert failed == [("dedicatedGetEndpoint", 404)] * 2, failed
    sent = {r.operation for r in log}
    assert set(OPERATION_NAMES.values()) <= sent, sorted(set(OPERATION_NAMES.values()) - sent)
    assert {"dedicatedChatComplete", "dedicatedTokenization", "getCost"} <= sent
    # The SDK's own inference request (the check that an endpoint serves) is among them.
    assert any(
        r.operation == "dedicatedTokenization" and r.body == {"model": running.id, "prompt": "ping"} for r in log
    )


async def _run_async(emu: Emulator) -> None:
    async with emu.async_client() as client:
        await async_scenario(client)
