"""A hostile HTTP server on loopback, and a harness that measures how waits keep their deadline.

The server answers every request with one ``Behaviour``: never answering, asking for an hour's
Retry-After, trickling its body a byte at a time, answering late, or sending bodies no parser
should have to take. The tests use it to check outcomes (``tests/sdk/test_deadlines.py``); the harness
measures, for each behaviour and both clients, how far past its ``timeout`` a wait returned.

Command line (prints a table; the worst overshoot is the figure to quote)::

    python scripts/harness/hostile.py [--timeout 2] [--runs 3]
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import socket
import statistics
import sys
import threading
import time
from collections.abc import Awaitable, Callable, Iterator
from pathlib import Path

import attrs

if __package__ in (None, ""):  # run as `python scripts/<name>.py`: make `scripts` importable
    sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

__all__ = ["BEHAVIOURS", "Behaviour", "HostileServer", "measure", "serve"]

RUNNING = b'{"status":"RUNNING"}'
TOKEN = "hostile-token"  # noqa: S105 (a dummy: the hostile server checks nothing)

Writer = asyncio.StreamWriter
Handler = Callable[[bytes, Writer], Awaitable[None]]


def _head(status: int, reason: str, headers: dict[str, str], length: int | None) -> bytes:
    lines = [
        f"HTTP/1.1 {status} {reason}",
        "Content-Type: application/json",
        *(f"{k}: {v}" for k, v in headers.items()),
    ]
    if length is not None:
        lines.append(f"Content-Length: {length}")
    return ("\r\n".join(lines) + "\r\n\r\n").encode()


@attrs.frozen
class Behaviour:
    """How the server answers: ``handler(request_head, writer)`` writes (or withholds) the response."""

    name: str
    handler: Handler
    description: str


async def _silent(_head_bytes: bytes, _writer: Writer, *, for_seconds: float = 3600.0) -> None:
    await asyncio.sleep(for_seconds)


async def _late(_head_bytes: bytes, writer: Writer, *, after: float) -> None:
    await asyncio.sleep(after)
    writer.write(_head(200, "OK", {}, len(RUNNING)) + RUNNING)
    await writer.drain()


async def _retry_after(_head_bytes: bytes, writer: Writer) -> None:
    body = b'{"detail":"slow down"}'
    writer.write(_head(429, "Too Many Requests", {"Retry-After": "3600"}, len(body)) + body)
    await writer.drain()


async def _trickle(_head_bytes: bytes, writer: Writer, *, interval: float) -> None:
    # A valid answer, one byte at a time: a client that waits for all of it sees RUNNING.
    writer.write(_head(200, "OK", {}, len(RUNNING)))
    await writer.drain()
    for byte in RUNNING:
        await asyncio.sleep(interval)
        writer.write(bytes([byte]))
        await writer.drain()


def silent(for_seconds: float = 3600.0) -> Behaviour:
    """Accept the request and answer nothing for ``for_seconds``."""

    async def handler(head: bytes, writer: Writer) -> None:
        await _silent(head, writer, for_seconds=for_seconds)

    return Behaviour("silent", handler, f"accepts, answers nothing for {for_seconds:g} s")


def late(after: float) -> Behaviour:
    """Answer RUNNING, but only after ``after`` seconds."""

    async def handler(head: bytes, writer: Writer) -> None:
        await _late(head, writer, after=after)

    return Behaviour("late", handler, f"answers RUNNING after {after:g} s")


def retry_after() -> Behaviour:
    """429 with ``Retry-After: 3600`` to every request."""
    return Behaviour("retry-after", _retry_after, "429 with Retry-After: 3600")


def trickle(interval: float = 1.0) -> Behaviour:
    """RUNNING, its body sent one byte every ``interval`` seconds."""

    async def handler(head: bytes, writer: Writer) -> None:
        await _trickle(head, writer, interval=interval)

    return Behaviour("trickle", handler, f"RUNNING trickled 1 byte every {interval:g} s")


def raw(status: int, body: bytes, headers: dict[str, str] | None = None) -> Behaviour:
    """A fixed response: ``status``, ``headers`` and ``body`` exactly as given."""

    async def handler(_head_bytes: bytes, writer: Writer) -> None:
        writer.write(_head(status, "Whatever", headers or {}, len(body)) + body)
        await writer.drain()

    return Behaviour("raw", handler, f"{status} with a {len(body)}-byte body")


BEHAVIOURS: dict[str, Callable[[], Behaviour]] = {
    "silent": silent,
    "retry-after": retry_after,
    "trickle": trickle,
}
"""The behaviours the harness measures (each makes an unprotected wait overrun its timeout)."""


class HostileServer:
    """A loopback HTTP/1.1 server in a background thread, answering every request with ``behaviour``."""

    def __init__(self, behaviour: Behaviour) -> None:
        self.behaviour = behaviour
        self.requests = 0
        self._loop = asyncio.new_event_loop()
        self._sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self._sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self._sock.bind(("127.0.0.1", 0))
        self._sock.listen(64)
        self.base_url = f"http://127.0.0.1:{self._sock.getsockname()[1]}"
        self._started = threading.Event()
        self._thread = threading.Thread(target=self._run, name="hostile-server", daemon=True)

    def _run(self) -> None:
        asyncio.set_event_loop(self._loop)

        async def main() -> asyncio.Server:
            server = await asyncio.start_server(self._connection, sock=self._sock)
            self._started.set()
            return server

        self._server = self._loop.run_until_complete(main())
        self._loop.run_forever()

    async def _connection(self, reader: asyncio.StreamReader, writer: Writer) -> None:
        try:
            while True:
                head = await reader.readuntil(b"\r\n\r\n")
                length = 0
                for line in head.split(b"\r\n"):
                    if line.lower().startswith(b"content-length:"):
                        length = int(line.split(b":", 1)[1])
                if length:
                    await reader.readexactly(length)
                self.requests += 1
                await self.behaviour.handler(head, writer)
        except (asyncio.IncompleteReadError, ConnectionError, asyncio.CancelledError):
            pass
        finally:
            writer.close()

    def __enter__(self) -> HostileServer:
        self._thread.start()
        self._started.wait(10)
        return self

    def __exit__(self, *exc: object) -> None:
        async def stop() -> None:
            self._server.close()
            for task in asyncio.all_tasks():
                if task is not asyncio.current_task():
                    task.cancel()

        asyncio.run_coroutine_threadsafe(stop(), self._loop).result(10)
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(10)


@contextlib.contextmanager
def serve(behaviour: Behaviour) -> Iterator[HostileServer]:
    """``with serve(silent()) as server: ... server.base_url``."""
    with HostileServer(behaviour) as server:
        yield server


# -- the harness ----------------------------------------------------------------------------------
def _wait_sync(base_url: str, timeout: float) -> str:
    import friendli_dedicated as fd

    with fd.Client(token=TOKEN, base_url=base_url) as client:
        try:
            client.endpoints.wait_until_running("ep-1", timeout=timeout)
        except fd.FriendliError as exc:
            return type(exc).__name__
    return "RUNNING"


def _wait_async(base_url: str, timeout: float) -> str:
    import friendli_dedicated as fd

    async def run() -> str:
        async with fd.AsyncClient(token=TOKEN, base_url=base_url) as client:
            try:
                await client.endpoints.wait_until_running("ep-1", timeout=timeout)
            except fd.FriendliError as exc:
                return type(exc).__name__
        return "RUNNING"

    return asyncio.run(run())


def measure(timeout: float, runs: int) -> list[tuple[str, str, float, float, str]]:
    """(behaviour, client, median overshoot, worst overshoot, outcome) for every case."""
    rows = []
    for name, make in BEHAVIOURS.items():
        for label, wait in (("Client", _wait_sync), ("AsyncClient", _wait_async)):
            overshoots, outcome = [], ""
            for _ in range(runs):
                with serve(make()) as server:
                    start = time.monotonic()
                    outcome = wait(server.base_url, timeout)
                    overshoots.append(time.monotonic() - start - timeout)
            rows.append((name, label, statistics.median(overshoots), max(overshoots), outcome))
    return rows


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="How far past its timeout a wait returns, per hostile server.")
    parser.add_argument("--timeout", type=float, default=2.0, help="the wait's timeout (default 2 s)")
    parser.add_argument("--runs", type=int, default=3, help="runs per case (default 3)")
    args = parser.parse_args(argv)
    rows = measure(args.timeout, args.runs)
    print(f"wait_until_running(timeout={args.timeout:g}), {args.runs} runs per case")
    print(f"{'server':<12} {'client':<12} {'median overshoot':>17} {'worst':>8}  outcome")
    for name, label, median, worst, outcome in rows:
        print(f"{name:<12} {label:<12} {median:>16.3f}s {worst:>7.3f}s  {outcome}")
    print(f"worst overshoot over all cases: {max(row[3] for row in rows):.3f} s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
