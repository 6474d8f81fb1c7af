"""Fleet load: thousands of endpoints created and awaited in ONE project, against the loopback emulator.

The emulator's HTTP server runs in a child process (so the peak memory reported is the client's
own), on real time scaled so that a deployment takes ``--deployment`` seconds. One ``AsyncClient``,
with its default retry policy and deadline, creates ``--endpoints`` endpoints in one project,
``--concurrency`` at a time (creates in flight share their listings of the project), then waits for
all of them with ``endpoints.wait_all``.

Reported (the figures go in BENCHMARKS.md and the closing note; nothing here is a test):

- requests per endpoint, for the creates and for the wait, counted by the client;
- the share of requests answered 429 (with ``--rate-limit``, the emulator's token bucket);
- wall time, from the first create to the last endpoint seen RUNNING, against the simulated time,
  from the first create to the end of the last endpoint's deployment (``createdAt`` + deployment,
  on the server's clock, which is this machine's);
- detection lag: for each endpoint, when ``wait_all`` first reported it RUNNING, after the moment
  its deployment ended (median and max);
- the client process's peak RSS.

Command line::

    python scripts/harness/load.py [--endpoints 1000] [--deployment 60] [--concurrency 50] [--rate-limit R]
"""

from __future__ import annotations

import argparse
import asyncio
import multiprocessing
import resource
import statistics
import time
from dataclasses import dataclass
from typing import Any

import httpx

import friendli_dedicated as fd

PROJECT = "fleet"
SIMULATED = 90.0  # the emulator's default deployment: 15 + 45 + 30 s before time_scale


@dataclass
class FleetReport:
    endpoints: int
    running: int
    duplicates: int
    deployment: float
    rate_limit: float | None
    create_requests: int
    wait_requests: int
    rate_limited: int
    create_seconds: float
    wall_seconds: float
    ideal_seconds: float
    lag_median: float
    lag_max: float
    peak_rss_mib: float

    @property
    def requests(self) -> int:
        return self.create_requests + self.wait_requests

    @property
    def ratio(self) -> float:
        return self.wall_seconds / self.ideal_seconds

    @property
    def limited_share(self) -> float:
        return self.rate_limited / self.requests if self.requests else 0.0


def _serve(time_scale: float, rate_limit: float | None, urls: Any, stop: Any, counts: Any) -> None:
    """Child process: run the emulator's server until told to stop, then report its duplicate creates."""
    from friendli_dedicated.emulator import Emulator

    emulator = Emulator(time_scale=time_scale, rate_limit=rate_limit, request_log=0)
    with emulator.serve() as base_url:
        urls.put(base_url)
        stop.wait()
    counts.put(len(emulator.stats.duplicate_creates()))


class _Counter:
    def __init__(self) -> None:
        self.requests = 0
        self.limited = 0

    async def request(self, _request: httpx.Request) -> None:
        self.requests += 1

    async def response(self, response: httpx.Response) -> None:
        if response.status_code == 429:
            self.limited += 1


async def _run(base_url: str, endpoints: int, deployment: float, concurrency: int) -> dict[str, Any]:
    from friendli_dedicated.emulator import DEFAULT_TOKEN

    counter = _Counter()
    http = httpx.AsyncClient(
        limits=httpx.Limits(max_connections=20, max_keepalive_connections=20),
        timeout=httpx.Timeout(60.0),
        event_hooks={"request": [counter.request], "response": [counter.response]},
    )
    # The client's own retry policy and deadline, as a user gets them: a burst that meets --rate-limit
    # must be absorbed by the client's pacing, not by a budget of retries raised for the benchmark.
    client = fd.AsyncClient(token=DEFAULT_TOKEN, base_url=base_url, http_client=http)
    gate = asyncio.Semaphore(concurrency)

    async def create(index: int) -> fd.AsyncEndpoint:
        async with gate:
            return await client.endpoints.create(PROJECT, f"worker-{index}", "org/model", "1x H100")

    started_wall, started = time.time(), time.monotonic()
    created = await asyncio.gather(*(create(n) for n in range(endpoints)))
    create_seconds = time.monotonic() - started
    create_requests = counter.requests
    seen: dict[str, float] = {}

    def progress(endpoint_id: str, state: fd.EndpointState, _elapsed: float) -> None:
        if state.is_serving:
            seen.setdefault(endpoint_id, time.time())

    result = await client.endpoints.wait_all(created, timeout=20 * deployment + 600, on_progress=progress)
    wall_seconds = time.monotonic() - started
    ready_at = {
        endpoint.id: endpoint.state.created_at.timestamp() + deployment
        for endpoint in created
        if endpoint.state is not None and endpoint.state.created_at is not None
    }
    lags = [seen[endpoint_id] - ready for endpoint_id, ready in ready_at.items() if endpoint_id in seen]
    await http.aclose()
    return {
        "running": len(result.running),
        "create_requests": create_requests,
        "wait_requests": counter.requests - create_requests,
        "rate_limited": counter.limited,
        "create_seconds": create_seconds,
        "wall_seconds": wall_seconds,
        "ideal_seconds": max(ready_at.values()) - started_wall,
        "lag_median": statistics.median(lags) if lags else float("nan"),
        "lag_max": max(lags) if lags else float("nan"),
    }


def run(
    endpoints: int = 1000, deployment: float = 60.0, concurrency: int = 50, rate_limit: float | None = None
) -> FleetReport:
    context = multiprocessing.get_context("spawn")
    urls, stop, counts = context.Queue(), context.Event(), context.Queue()
    server = context.Process(target=_serve, args=(deployment / SIMULATED, rate_limit, urls, stop, counts), daemon=True)
    server.start()
    try:
        base_url = urls.get(timeout=60)
        figures = asyncio.run(_run(base_url, endpoints, deployment, concurrency))
    finally:
        stop.set()
    duplicates = counts.get(timeout=60)
    server.join(timeout=10)
    if server.is_alive():
        server.kill()
    return FleetReport(
        endpoints=endpoints,
        duplicates=duplicates,
        deployment=deployment,
        rate_limit=rate_limit,
        peak_rss_mib=resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        **figures,
    )


def markdown_row(report: FleetReport) -> str:
    limit = f", rate_limit={report.rate_limit:g}/s" if report.rate_limit else ""
    return (
        f"| fleet: {report.endpoints} endpoints in one project{limit}, created then awaited with wait_all, "
        f"loopback server "
        f"| {report.running}/{report.endpoints} RUNNING, {report.duplicates} duplicates; "
        f"{report.create_requests / report.endpoints:.2f} requests/endpoint to create, "
        f"{report.wait_requests / report.endpoints:.2f} to wait; 429s {100 * report.limited_share:.2f}% of "
        f"{report.requests} requests; wall {report.wall_seconds:.1f} s (creates {report.create_seconds:.1f} s); "
        f"lag after RUNNING median {report.lag_median:.2f} s, max {report.lag_max:.2f} s; "
        f"client peak RSS {report.peak_rss_mib:.0f} MiB "
        f"| simulated: {report.ideal_seconds:.1f} s from the first create to the last deployment's end "
        f"({report.deployment:.0f} s each) | {report.ratio:.3f}x wall "
        "| create <= 3 req/ep, wait <= 0.5 req/ep, wall <= 1.05x, lag median <= 2 s, 429s <= 2%, RSS <= 300 MB |"
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="A fleet created and awaited in one project, on loopback.")
    parser.add_argument("--endpoints", type=int, default=1000)
    parser.add_argument("--deployment", type=float, default=60.0, help="simulated deployment seconds")
    parser.add_argument("--concurrency", type=int, default=50, help="creates in flight at once")
    parser.add_argument("--rate-limit", type=float, default=None, help="the emulator's requests per second")
    args = parser.parse_args(argv)
    report = run(args.endpoints, args.deployment, args.concurrency, args.rate_limit)
    print(markdown_row(report))
    return 0 if report.running == report.endpoints and report.duplicates == 0 else 1


if __name__ == "__main__":
    raise SystemExit(main())
