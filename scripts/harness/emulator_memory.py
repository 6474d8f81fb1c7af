"""Peak memory of the emulator's HTTP server under oversized request bodies (a harness, not a test).

Starts ``python -m friendli_dedicated.emulator --port 0`` in a child process for each scenario,
sends ``--concurrency`` POSTs of ``--size-mib`` MiB at once, and reads the server process's peak
resident memory (``VmHWM`` in ``/proc/<pid>/status``, Linux only) before and after. Scenarios:
with no token and with the right one, each with a ``Content-Length`` body and a chunked one. A
fresh server per scenario keeps each peak its own.

The bodies are generated in 1 MiB chunks, so the client's own memory stays small. The server may
answer before the body is sent (401, 413): the client still sends the rest, which the server drains
and throws away, and then reads the answer; a connection closed under the client counts as "closed".

To compare with another version of the emulator, put its sources first on ``PYTHONPATH`` (the
child process inherits it)::

    python scripts/harness/emulator_memory.py [--size-mib 100] [--concurrency 4] [--json]
"""

from __future__ import annotations

import argparse
import json
import os
import re
import subprocess
import sys
import threading
import time
from collections import Counter
from collections.abc import Iterator
from dataclasses import asdict, dataclass
from pathlib import Path

import httpx

TOKEN = "emulator-token"  # noqa: S105 (the emulator's well-known dummy token)
PATH = "/dedicated/beta/endpoint"
CHUNK = 1 << 20


@dataclass
class Scenario:
    """What one run of the harness measured."""

    name: str
    baseline_mib: float
    peak_mib: float
    outcomes: dict[str, int]
    seconds: float

    @property
    def growth_mib(self) -> float:
        return self.peak_mib - self.baseline_mib

    def line(self) -> str:
        outcomes = ", ".join(f"{outcome} x{count}" for outcome, count in sorted(self.outcomes.items()))
        return (
            f"{self.name:<28} peak RSS {self.baseline_mib:6.1f} -> {self.peak_mib:6.1f} MiB "
            f"(+{self.growth_mib:5.1f}) in {self.seconds:5.1f} s; answers: {outcomes}"
        )


def memory_mib(pid: int, field: str) -> float:
    """A memory figure of a process from /proc (``VmHWM``: peak resident set; ``VmRSS``: now), in MiB."""
    text = Path(f"/proc/{pid}/status").read_text(encoding="ascii")
    found = re.search(rf"^{field}:\s+(\d+) kB", text, re.MULTILINE)
    if found is None:
        raise RuntimeError(f"/proc/{pid}/status has no {field}")
    return int(found.group(1)) / 1024


def start_server() -> tuple[subprocess.Popen[str], str]:
    """The emulator in a child process, and its base URL (read from what it prints)."""
    command = [sys.executable, "-u", "-m", "friendli_dedicated.emulator", "--host", "127.0.0.1", "--port", "0"]
    server = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=os.environ)
    assert server.stdout is not None
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        line = server.stdout.readline()
        if not line:
            break
        found = re.search(r"http://127\.0\.0\.1:\d+", line)
        if found:
            return server, found.group(0)
    server.kill()
    raise RuntimeError("the emulator did not print its URL within 30 s")


def chunks(size: int) -> Iterator[bytes]:
    """``size`` bytes of a JSON object's start (an endless name), 1 MiB at a time."""
    head = b'{"name": "'
    yield head
    left = size - len(head)
    block = b"x" * CHUNK
    while left > 0:
        yield block[: min(left, CHUNK)]
        left -= CHUNK


def post(base_url: str, size: int, *, token: str | None, chunked: bool) -> str:
    """One oversized POST; its answer as a status code, or what went wrong."""
    headers = {"Content-Type": "application/json"}
    if token is not None:
        headers["Authorization"] = f"Bearer {token}"
    if not chunked:
        headers["Content-Length"] = str(size)
    try:
        with httpx.Client(base_url=base_url, timeout=120) as client:
            return str(client.post(PATH, content=chunks(size), headers=headers).status_code)
    except httpx.HTTPError as exc:
        return f"closed ({type(exc).__name__})"


def scenario(name: str, size: int, concurrency: int, *, token: str | None, chunked: bool) -> Scenario:
    """Fresh server, ``concurrency`` POSTs at once, peak memory before and after."""
    server, base_url = start_server()
    try:
        httpx.get(base_url + PATH, headers={"Authorization": f"Bearer {TOKEN}"}, timeout=10)  # warm up
        baseline = memory_mib(server.pid, "VmHWM")
        outcomes: list[str] = []
        lock = threading.Lock()

        def one() -> None:
            outcome = post(base_url, size, token=token, chunked=chunked)
            with lock:
                outcomes.append(outcome)

        started = time.monotonic()
        threads = [threading.Thread(target=one) for _ in range(concurrency)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        seconds = time.monotonic() - started
        return Scenario(name, baseline, memory_mib(server.pid, "VmHWM"), dict(Counter(outcomes)), seconds)
    finally:
        server.terminate()
        try:
            server.wait(timeout=10)
        except subprocess.TimeoutExpired:
            server.kill()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--size-mib", type=int, default=100, help="size of each body in MiB (default 100)")
    parser.add_argument("--concurrency", type=int, default=4, help="bodies sent at once (default 4)")
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    args = parser.parse_args(argv)
    if not Path("/proc/self/status").exists():
        parser.error("needs Linux's /proc to read the server's peak memory")
    size = args.size_mib * CHUNK
    results = [
        scenario(f"{label}, {framing}", size, args.concurrency, token=token, chunked=framing == "chunked")
        for label, token in (("no token (401)", None), ("right token", TOKEN))
        for framing in ("content-length", "chunked")
    ]
    if args.json:
        print(json.dumps([{**asdict(result), "growth_mib": result.growth_mib} for result in results], indent=2))
    else:
        print(f"{args.concurrency} concurrent POSTs of {args.size_mib} MiB each, one fresh server per line:")
        for result in results:
            print("  " + result.line())
    return 0


if __name__ == "__main__":
    sys.exit(main())
