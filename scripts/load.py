"""Load: ``AsyncClient.wait_until_running`` on many endpoints at once against the loopback emulator.

The emulator's HTTP server runs in a child process, so the peak memory reported is the client's
own. All endpoints are created concurrently (untimed), then waited for concurrently. The wait's wall
time (from its start to the last endpoint seen RUNNING) is compared with the simulated time: from
the same start to the moment the last-created endpoint's simulated deployment ends. Creating a
thousand endpoints takes seconds, so each starts with a different head start; this compares the
waiters with the ideal of seeing each endpoint RUNNING the instant it is. Also reported: the whole
run's wall time, requests per endpoint and the client process's peak RSS.

The client uses a pool of 20 connections: httpx's async pool spends time proportional to its
connections and queued requests on each request, so a larger pool is slower here, not faster.

Command line::

    python scripts/load.py [--endpoints 1000] [--deployment 60]
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


@dataclass
class LoadReport:
    endpoints: int
    running: int
    deployment: float
    create_seconds: float
    wait_seconds: float
    ideal_wait_seconds: float
    wall_seconds: float
    requests: int
    lag_median: float
    lag_max: float
    peak_rss_mib: float

    @property
    def ratio(self) -> float:
        return self.wait_seconds / self.ideal_wait_seconds


def _serve(time_scale: float, urls: Any, stop: Any) -> None:
    """Child process: run the emulator's server until told to stop."""
    from friendli_dedicated.emulator import Emulator

    with Emulator(time_scale=time_scale).serve() as base_url:
        urls.put(base_url)
        stop.wait()


async def _run(base_url: str, endpoints: int, deployment: float) -> LoadReport:
    from friendli_dedicated.emulator import DEFAULT_TOKEN

    requests = 0

    async def count(_request: httpx.Request) -> None:
        nonlocal requests
        requests += 1

    http = httpx.AsyncClient(
        limits=httpx.Limits(max_connections=20, max_keepalive_connections=20),
        timeout=httpx.Timeout(60.0),
        event_hooks={"request": [count]},
    )
    client = fd.AsyncClient(token=DEFAULT_TOKEN, base_url=base_url, http_client=http)
    instance = fd.InstanceOption(fd.GPU.H100, 1)
    gate = asyncio.Semaphore(20)  # creates in flight at once

    async def create(index: int) -> tuple[fd.AsyncEndpoint, float]:
        async with gate:
            # One project per endpoint: create lists the project before and after to find the id.
            endpoint = await client.endpoints.create(f"load-{index}", f"load-{index}", "org/model", instance)
            return endpoint, time.monotonic()

    async def wait(endpoint: fd.AsyncEndpoint, created: float) -> float:
        await endpoint.wait_until_running(timeout=10 * deployment)
        return time.monotonic() - created - deployment  # detection lag after it turned RUNNING

    started = time.monotonic()
    created = await asyncio.gather(*(create(i) for i in range(endpoints)))
    waiting = time.monotonic()
    lags = await asyncio.gather(*(wait(endpoint, at) for endpoint, at in created))
    finished = time.monotonic()
    last_ready = max(at for _, at in created) + deployment
    await http.aclose()
    return LoadReport(
        endpoints=endpoints,
        running=len(lags),
        deployment=deployment,
        create_seconds=waiting - started,
        wait_seconds=finished - waiting,
        ideal_wait_seconds=last_ready - waiting,
        wall_seconds=finished - started,
        requests=requests,
        lag_median=statistics.median(lags),
        lag_max=max(lags),
        peak_rss_mib=resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    )


def run(endpoints: int = 1000, deployment: float = 60.0) -> LoadReport:
    from friendli_dedicated.emulator import Timings

    timings = Timings()
    simulated = timings.requesting_virtual_machine + timings.downloading_model + timings.engine_initializing
    context = multiprocessing.get_context("spawn")
    urls, stop = context.Queue(), context.Event()
    server = context.Process(target=_serve, args=(deployment / simulated, urls, stop), daemon=True)
    server.start()
    try:
        base_url = urls.get(timeout=60)
        return asyncio.run(_run(base_url, endpoints, deployment))
    finally:
        stop.set()
        server.join(timeout=10)
        if server.is_alive():
            server.kill()


def markdown_row(report: LoadReport) -> str:
    return (
        f"| load: AsyncClient.wait_until_running on {report.endpoints} endpoints at once, loopback server "
        f"| {report.running}/{report.endpoints} RUNNING; wait {report.wait_seconds:.1f} s; "
        f"whole run {report.wall_seconds:.1f} s (creates {report.create_seconds:.1f} s); "
        f"{report.requests / report.endpoints:.1f} requests/endpoint; "
        f"lag after RUNNING median {report.lag_median:.1f} s, max {report.lag_max:.1f} s; "
        f"client peak RSS {report.peak_rss_mib:.0f} MiB "
        f"| simulated: {report.ideal_wait_seconds:.1f} s until the last deployment ends "
        f"({report.deployment:.0f} s each) | {report.ratio:.3f}x wait "
        "| wall <= 1.2x, memory <= 200 MB |"
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Many concurrent waiters against the loopback emulator.")
    parser.add_argument("--endpoints", type=int, default=1000)
    parser.add_argument("--deployment", type=float, default=60.0, help="simulated deployment seconds")
    args = parser.parse_args(argv)
    report = run(args.endpoints, args.deployment)
    print(markdown_row(report))
    return 0 if report.running == report.endpoints else 1


if __name__ == "__main__":
    raise SystemExit(main())
