"""The emulator over real HTTP on 127.0.0.1 (port 0): raw httpx, the SDK, dropped connections, the CLI,
and bodies it must not read (without a token, over the limit, a chunked body that never ends)."""

from __future__ import annotations

import http.client
import io
import json
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import redirect_stdout
from urllib.parse import urlsplit

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


# -- bodies the server must not read ------------------------------------------------------------------
CREATE = {
    "projectId": "p",
    "name": "n",
    "instanceOptionId": "TwD5AqnBSVN0",
    "hfModelRepo": "org/model",
    "advanced": {"tokenizer_skip_special_tokens": True, "tokenizer_add_special_tokens": True},
}


def exchange(base_url: str, head: str, body: bytes = b"") -> tuple[int, dict[str, object]]:
    """Send a request head (and part of a body) on a raw socket, and read the answer without ever
    sending the rest: a server that waited for the body would time the client out (10 s), failing."""
    address = urlsplit(base_url)
    assert address.hostname is not None
    assert address.port is not None
    with socket.create_connection((address.hostname, address.port), timeout=10) as sock:
        sock.sendall(head.replace("\n", "\r\n").encode() + b"\r\n" + body)
        response = http.client.HTTPResponse(sock, method="POST")
        response.begin()
        return response.status, json.loads(response.read())


def head(*lines: str) -> str:
    return "POST /dedicated/beta/endpoint HTTP/1.1\nHost: emulator\nContent-Type: application/json\n" + "".join(
        line + "\n" for line in lines
    )


def test_the_server_answers_before_a_body_it_will_not_read() -> None:
    emu = Emulator(max_body_size=1000)
    with emu.serve() as base_url:
        # 100 MB announced, nothing sent: no token is a 401 at once, a token is a 413 at once.
        status, body = exchange(base_url, head("Content-Length: 100000000"), b'{"name": "')
        assert (status, body["detail"]) == (401, "Not authenticated: send Authorization: Bearer <token>")
        status, body = exchange(base_url, head("Content-Length: 100000000", f"Authorization: Bearer {DEFAULT_TOKEN}"))
        assert status == 413
        assert body == {"detail": "Request body too large: the emulator reads at most 1000 bytes"}
        # Chunked, never ending: read up to the limit, then refused.
        chunk = b"400\r\n" + b"x" * 0x400 + b"\r\n"
        chunked = head("Transfer-Encoding: chunked", f"Authorization: Bearer {DEFAULT_TOKEN}")
        assert exchange(base_url, chunked, chunk * 2)[0] == 413
        # Within the limit, chunked or not, the body is read and used.
        status, _ = exchange(
            base_url,
            head(f"Authorization: Bearer {DEFAULT_TOKEN}", f"Content-Length: {len(json.dumps(CREATE))}"),
            json.dumps(CREATE).encode(),
        )
        assert status == 200
    assert emu.stats.responses == {401: 1, 413: 2, 200: 1}
    assert len(emu.endpoint_ids()) == 1


def _chunks(size: int) -> Iterator[bytes]:
    for _ in range(size // 65536):
        yield b" " * 65536


def test_a_kept_alive_connection_survives_bodies_left_unread() -> None:
    emu = Emulator()
    with emu.serve() as base_url, httpx.Client(base_url=base_url, timeout=30) as client:
        path = "/dedicated/beta/endpoint"
        assert client.post(path, content=b" " * (3 << 20)).status_code == 401
        assert client.get(path, headers=AUTH).status_code == 200
        assert client.post(path, content=_chunks(3 << 20), headers=AUTH).status_code == 413
        assert client.post(path, content=b" " * (3 << 20), headers=AUTH).status_code == 413
        created = client.post(path, content=iter([json.dumps(CREATE).encode()]), headers=AUTH)
        assert created.status_code == 200
        refused = client.post(path, content=json.dumps(CREATE).encode(), headers={**AUTH, "Content-Type": "text/plain"})
        assert refused.status_code == 422
        assert refused.json()["detail"][0]["type"] == "model_attributes_type"
    assert len(emu.endpoint_ids()) == 1
