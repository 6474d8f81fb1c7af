"""Benchmarks of the facade, each a ratio against a baseline measured in the same run.

1. Per-call overhead: ``status()`` through the facade versus a bare ``httpx.Client`` plus
   ``json.loads``, both on the same in-process ``httpx.MockTransport``: without telemetry (what a
   client without the ``otel`` extra runs), and where OpenTelemetry is installed, with the client's
   default before any provider is configured, and with tracing and metrics recorded by the SDK (its
   cost per call, against a client without telemetry in the same run).
2. Cold import: ``python -c "import friendli_dedicated"`` versus ``python -c "import httpx"``.
3. Waiter efficiency: a simulated 10-minute deployment on an injected clock; polls and detection
   lag of ``wait_until_running`` versus a fixed 5-second poller.
4. Endpoints as code, on the in-process emulator (emulated time): an apply of 1,000 new endpoints in
   one project (its plan, creates and wait; requests per endpoint), a plan of them unchanged by a fresh
   client (requests per endpoint, wall time), and an apply with nothing to do (requests that write).
5. Fleets (``scripts/harness/load.py``): 1,000 and 10,000 endpoints created and awaited (``wait_all``) in
   one project on the emulator's loopback server, versus the simulated deployment time; and 1,000
   under the emulator's ``rate_limit=50``, for the share of requests answered 429 (with the client's
   default retries: the pacing after a 429, not a raised retry budget, must absorb the burst).

Medians throughout. Prints a table and writes BENCHMARKS.md with the command that produced it.

Command line::

    python scripts/harness/bench.py [--calls 5000] [--rounds 7] [--imports 15] [--declarative 1000]
                                    [--output BENCHMARKS.md]
"""

from __future__ import annotations

import argparse
import gc
import json
import platform
import statistics
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import httpx

ROOT = Path(__file__).resolve().parents[2]
if __package__ in (None, ""):  # run as `python scripts/<name>.py`: make `scripts` importable
    sys.path.insert(0, str(ROOT))
STATUS_BODY = json.dumps(
    {"status": "RUNNING", "createdAt": "2025-01-01T00:00:00Z", "updatedAt": "2025-01-01T00:05:00Z", "phase": None}
).encode()
DEPLOYMENT_SECONDS = 600.0
FIXED_INTERVAL = 5.0


def _handler(request: httpx.Request) -> httpx.Response:
    return httpx.Response(200, content=STATUS_BODY, headers={"content-type": "application/json"})


def per_call_overhead(
    calls: int, rounds: int, sides: dict[str, dict[str, Any]], chunk: int = 250
) -> tuple[dict[str, tuple[float, float]], float]:
    """Per side (a facade client built with these options), the median seconds per round and the
    median of its per-round ratios to bare httpx; and the bare side's median seconds per round.

    Each round makes ``calls`` calls per side in alternating chunks of ``chunk``, so that the
    machine's drift (shared CPUs, frequency changes) lands on every side of every ratio alike.
    """
    import friendli_dedicated as fd

    clients = {
        name: fd.Client(
            token="bench-token",
            base_url="https://bench.invalid",
            http_client=httpx.Client(transport=httpx.MockTransport(_handler)),
            **options,
        )
        for name, options in sides.items()
    }
    # Absolute URL, as the facade sends: a base_url join would make the baseline slower than it need be.
    bare = httpx.Client(transport=httpx.MockTransport(_handler))
    url = "https://bench.invalid/dedicated/beta/endpoint/ep-1/status"
    headers = {"Authorization": "Bearer bench-token"}

    def facade_chunk(client: Any) -> Callable[[], None]:
        def run() -> None:
            for _ in range(chunk):
                client.endpoints.status("ep-1")

        return run

    def bare_chunk() -> None:
        for _ in range(chunk):
            json.loads(bare.get(url, headers=headers).content)

    chunks = {name: facade_chunk(client) for name, client in clients.items()}
    for run in chunks.values():  # warm up every path
        run()
    bare_chunk()
    times: dict[str, list[float]] = {name: [] for name in chunks}
    ratios: dict[str, list[float]] = {name: [] for name in chunks}
    bare_times = []
    for _ in range(rounds):
        totals = dict.fromkeys(chunks, 0.0)
        bare_total = 0.0
        for _ in range(max(1, calls // chunk)):
            for name, run in chunks.items():
                totals[name] += _timed(run)
            bare_total += _timed(bare_chunk)
        bare_times.append(bare_total)
        for name, total in totals.items():
            times[name].append(total)
            ratios[name].append(total / bare_total)
    result = {name: (statistics.median(times[name]), statistics.median(ratios[name])) for name in chunks}
    return result, statistics.median(bare_times)


def _opentelemetry_sdk() -> bool:
    """Whether OpenTelemetry's API and SDK are installed (``nox -s bench`` installs both)."""
    try:
        import opentelemetry.sdk.trace  # noqa: F401
    except ImportError:
        return False
    return True


def configure_tracing() -> None:
    """Set OpenTelemetry's global providers as an application does: every span recorded and handed to
    an exporter (one that drops them: exporting is the application's cost), every measurement kept."""
    from opentelemetry import metrics, trace
    from opentelemetry.sdk.metrics import MeterProvider
    from opentelemetry.sdk.metrics.export import InMemoryMetricReader
    from opentelemetry.sdk.trace import ReadableSpan, TracerProvider
    from opentelemetry.sdk.trace.export import SimpleSpanProcessor, SpanExporter, SpanExportResult

    class Dropped(SpanExporter):
        def export(self, spans: Sequence[ReadableSpan]) -> SpanExportResult:
            return SpanExportResult.SUCCESS

    provider = TracerProvider()
    provider.add_span_processor(SimpleSpanProcessor(Dropped()))
    trace.set_tracer_provider(provider)
    metrics.set_meter_provider(MeterProvider(metric_readers=[InMemoryMetricReader()]))


def cold_import(runs: int) -> tuple[float, float, float]:
    """Median seconds of a fresh interpreter importing the SDK versus importing httpx."""

    def run(code: str) -> float:
        start = time.perf_counter()
        subprocess.run([sys.executable, "-c", code], check=True)
        return time.perf_counter() - start

    sdk_times, first_use_times, httpx_times = [], [], []
    for _ in range(runs):
        sdk_times.append(run("import friendli_dedicated"))
        # Public names load on first use: this is what a service pays once it builds a client.
        first_use_times.append(run("import friendli_dedicated; friendli_dedicated.Client"))
        httpx_times.append(run("import httpx"))
    sdk, first_use = statistics.median(sdk_times), statistics.median(first_use_times)
    baseline = statistics.median(httpx_times)
    return sdk, first_use, baseline


class _SimulatedDeployment:
    """An endpoint that turns RUNNING at DEPLOYMENT_SECONDS on a fake clock."""

    def __init__(self) -> None:
        self.now = 0.0
        self.polls = 0

    def clock(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.now += seconds

    def status(self) -> str:
        self.polls += 1
        return "RUNNING" if self.now >= DEPLOYMENT_SECONDS else "INITIALIZING"


def waiter_efficiency(seeds: int) -> dict[str, float]:
    """Median polls and detection lag of the SDK's waiter and of a fixed 5 s poller."""
    import random

    import friendli_dedicated as fd
    from friendli_dedicated._models import EndpointState

    sdk_polls, sdk_lags = [], []
    for seed in range(seeds):
        sim = _SimulatedDeployment()
        rng = random.Random(seed)

        def status(call: object, *, deadline: float | None = None, sim: _SimulatedDeployment = sim) -> EndpointState:
            return EndpointState.from_json({"status": sim.status()})

        # The client's own wait, its status requests answered by the simulation instead of a server.
        with fd.Client(token="bench", clock=sim.clock, sleep=sim.sleep, random=rng.random) as client:
            rng.seed(seed)  # the client drew one sample to check its source: the wait's jitter starts the sequence
            client._send = status  # type: ignore[method-assign,assignment]
            client.endpoints.wait_until_running("ep-bench", timeout=3600.0)
        sdk_polls.append(sim.polls)
        sdk_lags.append(sim.now - DEPLOYMENT_SECONDS)

    fixed = _SimulatedDeployment()
    while fixed.status() != "RUNNING":
        fixed.sleep(FIXED_INTERVAL)
    return {
        "sdk_polls": statistics.median(sdk_polls),
        "sdk_lag": statistics.median(sdk_lags),
        "sdk_lag_max": max(sdk_lags),
        "fixed_polls": fixed.polls,
        "fixed_lag": fixed.now - DEPLOYMENT_SECONDS,
    }


def declarative(count: int) -> dict[str, float]:
    """Endpoints as code against the in-process emulator on a ``ManualClock`` (the waits cost no real
    time): requests per endpoint of an apply of ``count`` new endpoints in one project (plan, creates
    and the wait for RUNNING, default parallelism, as ``friendli-dedicated apply`` runs it), of a plan
    of them unchanged by a fresh client (and its wall time), and the requests of an apply with nothing
    to do (all of them, and those that write)."""
    import tempfile

    import friendli_dedicated as fd
    from friendli_dedicated.emulator import Emulator, ManualClock

    emulator = Emulator(clock=ManualClock(), request_log=None)
    endpoints = {f"ep-{n:05d}": {"model": "org/model", "instance": "1x H100"} for n in range(count)}
    desired = fd.Desired.from_mapping({"projects": {"bench": {"endpoints": endpoints}}})
    with tempfile.TemporaryDirectory() as folder:
        state = Path(folder) / "friendli-dedicated.state.json"
        with emulator.client() as client:
            start = time.perf_counter()
            result = client.apply(client.plan(desired, state=state))
            apply_wall = time.perf_counter() - start
        if not result.ok or len(emulator.endpoint_ids()) != count:
            raise RuntimeError(f"the apply of {count} endpoints did not converge: {result.summary()}")
        apply_requests = len(emulator.requests)
        with emulator.client() as fresh:  # no cache of the client that made them helps the plan
            sent = len(emulator.requests)
            start = time.perf_counter()
            unchanged = fresh.plan(desired, state=state)
            plan_wall = time.perf_counter() - start
            plan_requests = len(emulator.requests) - sent
            if unchanged.has_changes:
                raise RuntimeError(f"the plan after the apply is not empty: {unchanged.summary()}")
            sent = len(emulator.requests)
            fresh.apply(unchanged)
            noop = emulator.requests[sent:]
    return {
        "apply_per_endpoint": apply_requests / count,
        "apply_wall": apply_wall,
        "plan_per_endpoint": plan_requests / count,
        "plan_wall": plan_wall,
        "noop_requests": len(noop),
        "noop_writes": sum(1 for request in noop if request.method != "GET"),
    }


def declarative_rows(count: int) -> list[tuple[str, str, str, str, str]]:
    """The rows of ``declarative(count)``: goals of their own, with no baseline to compare with."""
    found = declarative(count)
    none = "(none: a goal of its own)"
    where = f"{count} endpoints in one project, in-process emulator on emulated time"
    return [
        (
            f"endpoints as code: plan of {where}, all unchanged, by a fresh client",
            f"{found['plan_per_endpoint']:.2f} requests/endpoint; wall {found['plan_wall']:.2f} s",
            none,
            "-",
            "<= 1.1 req/ep",
        ),
        (
            f"endpoints as code: apply of {where}, all new (plan, creates, wait for RUNNING; parallelism 10)",
            f"{found['apply_per_endpoint']:.2f} requests/endpoint; wall {found['apply_wall']:.1f} s",
            none,
            "-",
            "<= 3.5 req/ep",
        ),
        (
            f"endpoints as code: apply with nothing to do ({count} unchanged endpoints)",
            f"{found['noop_writes']:.0f} writes ({found['noop_requests']:.0f} requests)",
            none,
            "-",
            "0 writes",
        ),
    ]


def _timed(function: Callable[[], None]) -> float:
    """Seconds one round takes, with the garbage collector paused as ``timeit`` does, so that a
    collection triggered by one side's garbage does not land in the other side's round."""
    gc.collect()
    gc.disable()
    try:
        start = time.perf_counter()
        function()
        return time.perf_counter() - start
    finally:
        gc.enable()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Benchmark the facade against same-run baselines.")
    parser.add_argument("--calls", type=int, default=5000)
    parser.add_argument("--rounds", type=int, default=11)
    parser.add_argument("--imports", type=int, default=15)
    parser.add_argument("--seeds", type=int, default=25)
    parser.add_argument(
        "--fleets",
        type=int,
        nargs="*",
        default=[1000, 10000],
        help="fleet sizes created and awaited (scripts/harness/load.py); none: skip",
    )
    parser.add_argument(
        "--rate-limited-fleet", type=int, default=1000, help="the fleet run under --rate-limit (0: skip)"
    )
    parser.add_argument("--rate-limit", type=float, default=50.0, help="the emulator's requests per second")
    parser.add_argument("--declarative", type=int, default=1000, help="endpoints planned and applied as code (0: skip)")
    parser.add_argument("--output", type=Path, default=ROOT / "BENCHMARKS.md")
    args = parser.parse_args(argv)

    # The client without telemetry runs what a client without the otel extra runs (no Telemetry at all);
    # with the extra and no provider configured, the client's default. Before any provider is set.
    with_otel = _opentelemetry_sdk()
    sides: dict[str, dict[str, Any]] = {"off": {"telemetry": False}}
    if with_otel:
        sides["unconfigured"] = {}
    overhead, bare = per_call_overhead(args.calls, args.rounds, sides)
    facade, call_ratio = overhead["off"]
    sdk_import, first_use_import, httpx_import = cold_import(args.imports)
    wait = waiter_efficiency(args.seeds)
    poll_ratio = wait["sdk_polls"] / wait["fixed_polls"]
    per_call = f"{args.calls} status() calls per side, MockTransport (median of {args.rounds} rounds)"

    rows = [
        (
            f"per-call overhead: {per_call}; telemetry off, as without the `otel` extra",
            f"{facade * 1e6 / args.calls:.1f} us/call",
            f"{bare * 1e6 / args.calls:.1f} us/call (bare httpx + json.loads)",
            f"{call_ratio:.3f}x",
            "<= 1.15x",
        ),
        (
            f"cold import (median of {args.imports} fresh interpreters)",
            f"{sdk_import * 1e3:.1f} ms",
            f"{httpx_import * 1e3:.1f} ms (import httpx)",
            f"{sdk_import / httpx_import:.3f}x",
            "<= 1.5x",
        ),
        (
            "cold import and first use (`friendli_dedicated.Client` loaded)",
            f"{first_use_import * 1e3:.1f} ms",
            f"{httpx_import * 1e3:.1f} ms (import httpx)",
            f"{first_use_import / httpx_import:.3f}x",
            "(for information)",
        ),
        (
            f"waiter, 10-minute deployment, injected clock (median of {args.seeds} seeds)",
            f"{wait['sdk_polls']:.0f} polls, lag {wait['sdk_lag']:.2f} s (max {wait['sdk_lag_max']:.2f} s)",
            f"{wait['fixed_polls']} polls, lag {wait['fixed_lag']:.2f} s (fixed 5 s poller)",
            f"{poll_ratio:.3f}x polls",
            "polls <= 0.6x, lag <= 10 s cap",
        ),
    ]
    if with_otel:
        unconfigured, unconfigured_ratio = overhead["unconfigured"]
        rows.insert(
            1,
            (
                "per-call overhead, the `otel` extra installed and no OpenTelemetry provider configured (the default)",
                f"{unconfigured * 1e6 / args.calls:.1f} us/call",
                f"{bare * 1e6 / args.calls:.1f} us/call (bare httpx + json.loads)",
                f"{unconfigured_ratio:.3f}x",
                "<= 1.15x",
            ),
        )
        # Last of the in-process benchmarks: a process sets OpenTelemetry's providers once, for good.
        configure_tracing()
        traced_sides, traced_bare = per_call_overhead(
            args.calls, args.rounds, {"off": {"telemetry": False}, "traced": {}}
        )
        (off, _), (traced, traced_ratio) = traced_sides["off"], traced_sides["traced"]
        rows.insert(
            2,
            (
                "per-call overhead, tracing and metrics on (OpenTelemetry SDK providers: 2 spans and 2 measurements "
                "per call, spans to an exporter that drops them)",
                f"{traced * 1e6 / args.calls:.1f} us/call: {(traced - off) * 1e6 / args.calls:.1f} us/call more "
                "than telemetry off, same run",
                f"{traced_bare * 1e6 / args.calls:.1f} us/call (bare httpx + json.loads)",
                f"{traced_ratio:.3f}x",
                "(for information: its cost per call)",
            ),
        )
    if args.declarative:
        rows.extend(declarative_rows(args.declarative))
    header = ("benchmark", "friendli-dedicated", "baseline", "ratio", "goal")
    table = [header, tuple("---" for _ in header), *rows]
    markdown = "\n".join("| " + " | ".join(row) + " |" for row in table)
    for endpoints in args.fleets:
        # Larger fleets take longer to create: a longer deployment keeps creation a small part of the run.
        deployment = 60.0 if endpoints <= 1000 else 120.0
        markdown += "\n" + _fleet_row("--endpoints", str(endpoints), "--deployment", str(deployment))
    if args.rate_limited_fleet:
        size, limit = str(args.rate_limited_fleet), str(args.rate_limit)
        markdown += "\n" + _fleet_row("--endpoints", size, "--deployment", "60", "--rate-limit", limit)
    command = "python3 -m nox -s bench" + (f" -- {' '.join(argv)}" if argv else "")
    text = (
        "# Benchmarks\n\n"
        f"Produced by `{command}` (scripts/harness/bench.py) on Python {platform.python_version()}, "
        f"{platform.machine()}, {_cpu_count()} CPUs. Ratios compare with a baseline measured in the same run.\n\n"
        f"{markdown}\n"
    )
    print(markdown)
    args.output.write_text(text, encoding="utf-8")
    print(f"\nwrote {args.output}")
    return 0


def _fleet_row(*arguments: str) -> str:
    """One fleet run of scripts/harness/load.py in a fresh interpreter (so its peak memory is its own)."""
    script = ROOT / "scripts" / "harness" / "load.py"
    result = subprocess.run([sys.executable, str(script), *arguments], capture_output=True, text=True, check=False)
    rows = [line for line in result.stdout.splitlines() if line.startswith("| fleet:")]
    if not rows:
        raise RuntimeError(f"load.py {' '.join(arguments)} failed: {result.stderr[-2000:]}")
    return rows[-1]


def _cpu_count() -> int:
    import os

    return os.cpu_count() or 1


if __name__ == "__main__":
    raise SystemExit(main())
