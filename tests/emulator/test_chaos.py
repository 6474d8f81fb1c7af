"""Reliability under faults, with fixed seeds (the larger run is `nox -s chaos`)."""

from __future__ import annotations

import pytest

import friendli_dedicated as fd
from scripts.harness import chaos


@pytest.mark.parametrize("seed", [7, 11])
def test_lifecycles_complete_under_faults_without_duplicates(seed: int) -> None:
    report = chaos.run(endpoints=20, fault_rate=0.2, seed=seed, max_retries=2)

    assert report.failed == []
    assert report.completed == 20
    assert report.duplicates == 0
    # Faults really happened, of every kind, and the SDK really retried them...
    assert set(report.faults) == {"429", "503", "drop"}
    assert sum(report.faults.values()) > 0.1 * report.requests
    assert report.sdk_retries > 0
    # ...but never more often than configured for one request (429s, refusals before any processing,
    # on a count of their own).
    assert report.max_sdk_retries_per_request <= 2
    assert report.max_sdk_429_retries_per_request <= fd.RetryPolicy().max_rate_limited_retries


def test_the_same_seed_gives_the_same_run() -> None:
    first = chaos.run(endpoints=5, fault_rate=0.2, seed=3)
    second = chaos.run(endpoints=5, fault_rate=0.2, seed=3)
    assert (first.requests, first.faults, first.sdk_retries) == (second.requests, second.faults, second.sdk_retries)


def test_without_retries_the_application_still_completes_every_lifecycle() -> None:
    """max_retries=0: every fault reaches the driver, which must still avoid duplicate creates."""
    report = chaos.run(endpoints=10, fault_rate=0.2, seed=5, max_retries=0)
    assert report.completed == 10
    assert report.duplicates == 0
    assert report.sdk_retries == 0
    assert report.app_retries > 0
