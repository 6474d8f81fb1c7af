"""Reliability under faults: many endpoint lifecycles while the API fails on purpose.

Each endpoint goes create -> wait -> update -> wait -> sleep -> wake -> wait -> terminate against the
emulator while a share of requests is answered 429 or 503 or dropped. The run checks that every
lifecycle completes, that no endpoint is created twice, and that the SDK never retries a request
more than its policy allows (``max_retries`` after failures; 429s, refusals before any processing,
on their own count, ``max_rate_limited_retries``); it prints the figures.

Two modes over the same driver:

- in-process (default): the emulator without sockets, on a manual clock that the SDK's sleeps
  advance, so a hundred lifecycles with minutes of simulated deployment take seconds, and every
  run with the same seed is identical;
- ``--server``: the emulator's HTTP server on loopback, real sockets and real (scaled) time, where
  a dropped request is a closed connection.

How the driver creates an endpoint exactly once is the pattern docs/errors.md recommends: the SDK
never re-sends a create that may have reached the server, so after a failed create the driver
looks for the endpoint by name before trying again.

Command line::

    python scripts/harness/chaos.py [--endpoints 100] [--fault-rate 0.2] [--seeds 1 2 3] [--server]
"""

from __future__ import annotations

import argparse
import logging
import random
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import TypeVar

if __package__ in (None, ""):  # run as `python scripts/<name>.py`: make `scripts` importable
    sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

import friendli_dedicated as fd
from friendli_dedicated.emulator import Emulator, Faults, ManualClock

T = TypeVar("T")
TRANSIENT = (fd.TransportError, fd.RateLimitError, fd.ServerError)
APP_ATTEMPTS = 20  # application-level attempts of one step before the lifecycle counts as failed


@dataclass
class ChaosReport:
    """The figures of one run."""

    seed: int
    endpoints: int
    completed: int = 0
    failed: list[str] = field(default_factory=list)
    requests: int = 0
    faults: dict[str, int] = field(default_factory=dict)
    sdk_retries: int = 0
    max_sdk_retries_per_request: int = 0
    """The most retries after failures (not 429s) of one request."""
    max_sdk_429_retries_per_request: int = 0
    """The most retries after 429s of one request (counted apart: ``RetryPolicy.max_rate_limited_retries``)."""
    app_retries: int = 0
    duplicates: int = 0
    seconds: float = 0.0

    def line(self) -> str:
        faults = ", ".join(f"{kind} {count}" for kind, count in sorted(self.faults.items()))
        return (
            f"seed {self.seed}: {self.completed}/{self.endpoints} lifecycles completed, "
            f"{self.requests} requests, faults injected {sum(self.faults.values())} ({faults}), "
            f"SDK retries {self.sdk_retries} (at most {self.max_sdk_retries_per_request} for one request, "
            f"and {self.max_sdk_429_retries_per_request} after 429s), "
            f"application retries {self.app_retries}, duplicates {self.duplicates}, {self.seconds:.1f}s"
        )


class _RetryCounter(logging.Handler):
    """Counts the SDK's "retrying ... (retry N)" records: how many retries, and the largest N, after
    failures and after 429s apart (the SDK counts them apart)."""

    def __init__(self) -> None:
        super().__init__(logging.INFO)
        self.retries = 0
        self.largest = 0
        self.largest_429 = 0

    def emit(self, record: logging.LogRecord) -> None:
        if record.getMessage().startswith("retrying ") and isinstance(record.args, tuple):
            self.retries += 1
            number = int(str(record.args[-1]))
            if record.args[1] == 429:  # the status the record names (after an exception: its name)
                self.largest_429 = max(self.largest_429, number)
            else:
                self.largest = max(self.largest, number)


@contextmanager
def _counting_retries() -> Iterator[_RetryCounter]:
    counter = _RetryCounter()
    logger = logging.getLogger("friendli_dedicated")
    previous = logger.level
    logger.addHandler(counter)
    logger.setLevel(logging.INFO)
    try:
        yield counter
    finally:
        logger.removeHandler(counter)
        logger.setLevel(previous)


class _Driver:
    def __init__(self, client: fd.Client, report: ChaosReport) -> None:
        self.client = client
        self.report = report

    def step(self, action: Callable[[], T]) -> T:
        """Run one step, retrying at application level what the SDK gave up on (it is transient)."""
        for attempt in range(APP_ATTEMPTS):
            try:
                return action()
            except TRANSIENT:
                if attempt == APP_ATTEMPTS - 1:
                    raise
                self.report.app_retries += 1
        raise AssertionError("unreachable")

    def find(self, project: str, name: str) -> fd.Endpoint | None:
        """The endpoint of that name in the project, if one exists."""
        for endpoint in self.step(lambda: list(self.client.endpoints.list(project, page_size=100))):
            if self.step(endpoint.spec).name == name:
                return endpoint
        return None

    def create_once(self, project: str, name: str, instance: fd.InstanceOption) -> fd.Endpoint:
        """Create, and after any failure look the endpoint up before creating again."""
        for _ in range(APP_ATTEMPTS):
            try:
                return self.client.endpoints.create(project, name, "meta-llama/Llama-3.1-8B-Instruct", instance)
            except (*TRANSIENT, fd.EndpointCreationUnresolvedError):
                self.report.app_retries += 1
                existing = self.find(project, name)
                if existing is not None:
                    return existing
        raise RuntimeError(f"could not create {name}")

    def lifecycle(self, index: int) -> None:
        project, name = f"chaos-project-{index % 10}", f"chaos-{index}"
        endpoint = self.create_once(project, name, fd.InstanceOption(fd.GPU.H100, 1))
        wait = lambda: endpoint.wait_until_running(timeout=3600)  # noqa: E731 - reused four times
        self.step(wait)
        self.step(lambda: self.client.endpoints.update(endpoint.id, max_batch_size=64, comment="chaos"))
        self.step(wait)
        self.step(endpoint.sleep)
        self.step(endpoint.wake)
        self.step(wait)
        self.step(endpoint.terminate)


def run(*, endpoints: int, fault_rate: float, seed: int, max_retries: int = 2, server: bool = False) -> ChaosReport:
    """One chaos run; deterministic for a seed in-process."""
    report = ChaosReport(seed=seed, endpoints=endpoints)
    faults = Faults(rate=fault_rate, retry_after=0.05, seed=seed)  # kinds: 429, 503 and dropped connections
    rng = random.Random(seed)
    started = time.perf_counter()
    with _counting_retries() as counter:
        if server:
            emulator = Emulator(faults=faults, time_scale=0.01)
            with emulator.serve() as base_url:
                client = fd.Client(
                    token=emulator_token(), base_url=base_url, max_retries=max_retries, random=rng.random
                )
                _drive(client, report, endpoints)
        else:
            clock = ManualClock()
            emulator = Emulator(faults=faults, clock=clock)
            client = emulator.client(max_retries=max_retries, sleep=clock.advance, clock=clock, random=rng.random)
            _drive(client, report, endpoints)
    report.seconds = time.perf_counter() - started
    report.sdk_retries, report.max_sdk_retries_per_request = counter.retries, counter.largest
    report.max_sdk_429_retries_per_request = counter.largest_429
    stats = emulator.stats
    report.requests = stats.requests
    report.faults = dict(stats.faults)
    report.duplicates = sum(count - 1 for count in stats.creates.values() if count > 1)
    return report


def emulator_token() -> str:
    from friendli_dedicated.emulator import DEFAULT_TOKEN

    return DEFAULT_TOKEN


def _drive(client: fd.Client, report: ChaosReport, endpoints: int) -> None:
    driver = _Driver(client, report)
    for index in range(endpoints):
        try:
            driver.lifecycle(index)
            report.completed += 1
        except fd.FriendliError as exc:
            report.failed.append(f"chaos-{index}: {type(exc).__name__}: {exc}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Endpoint lifecycles against the emulator under injected faults.")
    parser.add_argument("--endpoints", type=int, default=100)
    parser.add_argument("--fault-rate", type=float, default=0.2)
    parser.add_argument("--seeds", type=int, nargs="+", default=[1, 2, 3])
    parser.add_argument("--max-retries", type=int, default=2)
    parser.add_argument("--server", action="store_true", help="use the loopback HTTP server (real sockets)")
    args = parser.parse_args(argv)
    ok = True
    for seed in args.seeds:
        report = run(
            endpoints=args.endpoints,
            fault_rate=args.fault_rate,
            seed=seed,
            max_retries=args.max_retries,
            server=args.server,
        )
        print(report.line(), flush=True)
        for failure in report.failed[:5]:
            print(f"  failed: {failure}")
        ok &= report.completed == report.endpoints and report.duplicates == 0
        ok &= report.max_sdk_retries_per_request <= args.max_retries
        policy = fd.RetryPolicy(max_retries=args.max_retries)
        ok &= report.max_sdk_429_retries_per_request <= policy.max_rate_limited_retries
    print("chaos: every lifecycle completed, no duplicates" if ok else "chaos: FAILED")
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
