"""The HTTP runner: the same core behind a real server on loopback (starlette + uvicorn).

For code that must talk over a socket (other languages, ``curl``, a CLI under test). One catch-all
route hands every request to the core; uvicorn runs in a background thread on a socket bound before
the thread starts, so ``port=0`` picks a free port and the URL is known at once. Faults' ``latency``
is added here. A dropped request closes the connection without a response. starlette and uvicorn
are imported only here (the ``emulator`` extra).

A body is read only after ``Emulator.handle_head`` let the request through (token, route, team, a
declared Content-Length within ``max_body_size``), and then at most one byte past the limit, so a
chunked body that keeps coming is cut off there and answered 413. Memory per request is bounded by
the limit whatever a client sends. What the server does not read of an answered request, uvicorn
reads and throws away (a keep-alive connection must get past it), holding none of it.

>>> from friendli_dedicated.emulator import Emulator
>>> import httpx
>>> with Emulator().serve() as base_url:  # a real server, on loopback
...     httpx.get(base_url + "/dedicated/beta/endpoint", headers={"Authorization": "Bearer emulator-token"})
<Response [200 OK]>
"""

from __future__ import annotations

import asyncio
import contextlib
import socket
import threading
import time
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from friendli_dedicated.emulator._extra import extra_required
from friendli_dedicated.emulator._http import RequestHead

if TYPE_CHECKING:
    from starlette.applications import Starlette
    from starlette.requests import Request
    from starlette.responses import Response as StarletteResponse

    from friendli_dedicated.emulator._core import Emulator

__all__ = ["app", "serve"]

_METHODS = ["GET", "POST", "PUT", "DELETE", "PATCH", "HEAD", "OPTIONS"]


def app(emulator: Emulator) -> Starlette:
    """A starlette application serving ``emulator`` on every path."""
    from starlette.applications import Starlette
    from starlette.responses import Response as StarletteResponse
    from starlette.routing import Route

    async def endpoint(request: Request) -> StarletteResponse:
        head = emulator.handle_head(
            request.method,
            request.url.path,
            request.query_params.multi_items(),
            request.headers,
            content_length=_content_length(request),
        )
        if isinstance(head, RequestHead):
            response = emulator.handle_body(head, await _read(request, head.body_limit))
        else:
            response = head
        latency = emulator.faults.latency if emulator.faults is not None else 0.0
        if latency:
            await asyncio.sleep(latency)
        if response.dropped:
            await _drop(request)
        return StarletteResponse(response.body, status_code=response.status, headers=dict(response.headers))

    return Starlette(routes=[Route("/{path:path}", endpoint, methods=_METHODS)])


def _content_length(request: Request) -> int | None:
    """The declared body size (h11 has already refused a malformed Content-Length), or None."""
    declared = request.headers.get("content-length")
    return int(declared) if declared is not None and declared.isdigit() else None


async def _read(request: Request, limit: int) -> bytes:
    """The body, or its first ``limit`` bytes or a little more if it is longer (then it is refused)."""
    chunks: list[bytes] = []
    size = 0
    stream = request.stream()
    try:
        async for chunk in stream:
            chunks.append(chunk)
            size += len(chunk)
            if size >= limit:
                break
    finally:
        await stream.aclose()
    return b"".join(chunks)


class _Dropped(Exception):
    """Raised when the connection could not be closed directly (the server then answers 500)."""


# After the connection is closed the response below is still handed to the server, which
# writes nothing to a connection it knows is lost.


async def _drop(request: Request) -> None:
    # uvicorn's receive() is a method of its per-request cycle, which holds the connection's
    # transport: closing it answers nothing, as a crashed server or a proxy reset would. Once the
    # loop has seen the connection lost, uvicorn sends nothing more for this request.
    cycle: Any = getattr(request.receive, "__self__", None)
    transport: Any = getattr(cycle, "transport", None)
    if transport is None:
        raise _Dropped("the server does not expose the connection; answering 500 instead")
    transport.close()
    for _ in range(100):
        if getattr(cycle, "disconnected", True):
            return
        await asyncio.sleep(0)
    raise _Dropped("the connection did not close; answering 500 instead")


def serve(emulator: Emulator, *, host: str = "127.0.0.1", port: int = 0) -> contextlib.AbstractContextManager[str]:
    """Serve ``emulator`` at ``http://host:port`` until the block ends (port 0: a free port).

    starlette and uvicorn are imported now (an ``ImportError`` naming the extra if either is
    missing); the socket is bound when the block is entered.
    """
    with extra_required():
        import starlette  # noqa: F401 (imported now so that a missing one is reported now)
        import uvicorn  # noqa: F401
    return _serving(emulator, host, port)


@contextlib.contextmanager
def _serving(emulator: Emulator, host: str, port: int) -> Iterator[str]:
    import uvicorn

    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    # uvicorn's h11 protocol writes a response's head and body separately; without TCP_NODELAY
    # (which accepted sockets inherit on Linux) Nagle's algorithm meets the client's delayed ACK
    # and every request on a kept-alive connection waits about 40 ms.
    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    sock.bind((host, port))
    sock.listen(4096)  # thousands of clients may connect at once (a load test): no SYN retries
    sock.setblocking(False)
    bound_port = sock.getsockname()[1]
    config = uvicorn.Config(
        app(emulator), http="h11", lifespan="off", log_level="warning", access_log=False, timeout_graceful_shutdown=1
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, name="friendli-emulator", daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            sock.close()
            raise RuntimeError(f"the emulator's server did not start on {host}:{bound_port}")
        time.sleep(0.01)
    url_host = f"[{host}]" if family == socket.AF_INET6 else host
    try:
        yield f"http://{url_host}:{bound_port}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)
        sock.close()
