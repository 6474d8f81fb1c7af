"""The emulator over real HTTP on 127.0.0.1 (port 0): raw httpx, the SDK, dropped connections, the CLI."""

from __future__ import annotations

import io
import threading
import time
from contextlib import redirect_stdout

import httpx
import pytest

import friendli_dedicated as fd
from friendli_dedicated.emulator import DEFAULT_TEAM, DEFAULT_TOKEN, Emulator, Faults, Timings
from friendli_dedicated.emulator.__main__ import main

pytest.importorskip("uvicorn")
pytest.importorskip("starlette")

FAST = Timings(requesting_virtual_machine=0.05, downloading_model=0.05, engine_initializing=0.05)
AUTH = {"Authorization": f"Bearer {DEFAULT_TOKEN}"}


def test_server_with_httpx_and_the_sdk() -> None:
    emu = Emulator(timings=FAST)
    with emu.serve(host="127.0.0.1", port=0) as base_url:
        assert base_url.startswith("http://127.0.0.1:")
        assert not base_url.endswith(":0")
        assert httpx.get(base_url + "/dedicated/beta/endpoint").status_code == 401
        listing = httpx.get(base_url + "/dedicated/beta/endpoint", headers=AUTH, params={"limit": 0})
        assert listing.status_code == 422
        assert listing.json()["detail"][0]["loc"] == ["query", "limit"]
        with fd.Client(token=DEFAULT_TOKEN, base_url=base_url) as client:
            ep = client.endpoints.create("p", "chat", "org/model", "H100")
            ep.wait_until_running(timeout=30, poll=fd.Backoff(initial=0.05, multiplier=1.0, maximum=0.05, jitter=0.0))
            assert ep.state is not None
            assert ep.state.status is fd.Status.RUNNING
            assert [e.id for e in client.endpoints.list("p")] == [ep.id]
        spec = httpx.get(f"{base_url}/dedicated/beta/endpoint/{ep.id}", headers=AUTH).json()
        assert spec["teamId"] == DEFAULT_TEAM


def test_server_drops_connections_without_answering() -> None:
    emu = Emulator(faults=Faults(rate=1.0, kinds=("drop",), latency=0.01))
    with emu.serve() as base_url:
        with pytest.raises(httpx.RemoteProtocolError):
            httpx.get(base_url + "/dedicated/beta/endpoint", headers=AUTH)
        with (
            fd.Client(token=DEFAULT_TOKEN, base_url=base_url, max_retries=0) as client,
            pytest.raises(fd.TransportError),
        ):
            client.endpoints.status("ep-1")
    assert emu.stats.faults["drop"] == 2


def test_cli_prints_url_token_and_team() -> None:
    stop = threading.Event()
    out = io.StringIO()
    result: list[int] = []

    def run() -> None:
        with redirect_stdout(out):
            result.append(main(["--port", "0", "--time-scale", "0.1", "--fault-rate", "0.2", "--seed", "1"], stop=stop))

    thread = threading.Thread(target=run)
    thread.start()
    deadline = time.monotonic() + 10
    while "FRIENDLI_TEAM" not in out.getvalue() and time.monotonic() < deadline:
        time.sleep(0.02)
    stop.set()
    thread.join(timeout=10)
    text = out.getvalue()
    assert "http://127.0.0.1:" in text
    assert f"FRIENDLI_TOKEN={DEFAULT_TOKEN}" in text
    assert f"FRIENDLI_TEAM={DEFAULT_TEAM}" in text
    assert result == [0]
