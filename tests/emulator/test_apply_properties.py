"""Properties of apply, on desired states drawn from the contract (``desired_strategies``), on the emulator.

- apply, then plan: no change, and applying that plan sends nothing;
- an apply interrupted at any point (Ctrl-C in the sync client, the task's cancellation in the async
  one), then another apply: every endpoint of the file exists exactly once, none was terminated, and
  a plan shows no change.

Hypothesis runs derandomized with a bounded number of examples; time is the emulator's manual clock.
"""

from __future__ import annotations

import asyncio
import tempfile
from collections import Counter
from pathlib import Path
from typing import Any

from desired_strategies import desired_files
from hypothesis import given, settings, strategies as st

import friendli_dedicated as fd
from friendli_dedicated.emulator import Emulator, ManualClock


def live_names(emu: Emulator, client: fd.Client, projects: list[str]) -> tuple[Counter[tuple[str, str]], int]:
    """(project, name) -> how many live endpoints have it; and how many endpoints are terminated."""
    names: Counter[tuple[str, str]] = Counter()
    terminated = 0
    for project in projects:
        for endpoint in client.endpoints.list(project):
            if endpoint.state.status.value in ("TERMINATED", "TERMINATING"):
                terminated += 1
            else:
                names[(project, client.endpoints.get(endpoint.id).name)] += 1
    return names, terminated


def converged(emu: Emulator, client: fd.Client, desired: fd.Desired, state: Path) -> None:
    names, terminated = live_names(emu, client, list(desired.projects))
    assert names == Counter((ep.project_id, ep.name) for ep in desired.endpoints())  # each exactly once
    assert terminated == 0
    final = client.plan(desired, state=state)
    assert {a.action for a in final.actions} == {"noop"}, final.render()


@settings(max_examples=25, derandomize=True, deadline=None)
@given(desired_files())
def test_apply_then_plan_shows_no_change(data: dict[str, Any]) -> None:
    desired = fd.Desired.from_mapping(data)
    emu = Emulator(clock=ManualClock(), request_log=None, time_scale=0.01)  # lifecycles in a second: short waits
    with tempfile.TemporaryDirectory() as folder, emu.client() as client:
        state = Path(folder) / "state.json"
        result = client.apply(client.plan(desired, state=state), parallelism=3)
        assert result.ok, result.render()
        again = client.plan(desired, state=state)
        assert {a.action for a in again.actions} == {"noop"}, again.render()
        before = len(emu.requests)
        assert client.apply(again).ok
        assert emu.requests[before:] == []


@settings(max_examples=25, derandomize=True, deadline=None)
@given(desired_files(max_endpoints=3), st.integers(min_value=0, max_value=14), st.integers(min_value=1, max_value=4))
def test_an_interrupted_apply_then_another_converges(data: dict[str, Any], stop_at: int, parallelism: int) -> None:
    desired = fd.Desired.from_mapping(data)
    emu = Emulator(clock=ManualClock(), request_log=None, time_scale=0.01)  # lifecycles in a second: short waits
    seen: list[fd.AppliedAction] = []

    def ctrl_c(action: fd.AppliedAction) -> None:
        seen.append(action)
        if len(seen) == stop_at + 1:
            raise KeyboardInterrupt

    with tempfile.TemporaryDirectory() as folder, emu.client() as client:
        state = Path(folder) / "state.json"
        try:
            first = client.apply(client.plan(desired, state=state), parallelism=parallelism, on_progress=ctrl_c)
        except fd.ApplyInterrupted as interrupted:
            first = interrupted.result
            assert first.interrupted
            assert not first.ok
            # Ctrl-C lets what is in flight end: nothing is left half-known.
            assert first.in_flight == ()
        assert len(first.actions) == len(list(desired.endpoints()))
        record = fd.StateFile(state).read()
        for action in first.actions:  # what completed is in the record, interrupted or not
            if action.action == "create" and action.outcome in ("applied", "done"):
                entry = record.get(action.project_id, action.name)
                assert entry is not None
                assert entry.endpoint_id == action.endpoint_id
        second = client.apply(client.plan(desired, state=state), parallelism=parallelism)
        assert second.ok, second.render()
        converged(emu, client, desired, state)


@settings(max_examples=20, derandomize=True, deadline=None)
@given(desired_files(max_endpoints=3), st.integers(min_value=0, max_value=14), st.integers(min_value=1, max_value=4))
def test_a_cancelled_async_apply_then_another_converges(data: dict[str, Any], stop_at: int, parallelism: int) -> None:
    desired = fd.Desired.from_mapping(data)
    emu = Emulator(clock=ManualClock(), request_log=None, time_scale=0.01)  # lifecycles in a second: short waits

    async def run(state: Path) -> None:
        async with emu.async_client() as client:
            task = asyncio.current_task()
            assert task is not None
            seen: list[fd.AppliedAction] = []

            def cancel(action: fd.AppliedAction) -> None:
                seen.append(action)
                if len(seen) == stop_at + 1:
                    task.cancel()

            applying = asyncio.ensure_future(
                client.apply(await client.plan(desired, state=state), parallelism=parallelism, on_progress=cancel)
            )
            task = applying  # the hook cancels the apply's own task
            try:
                await applying
            except asyncio.CancelledError:
                assert applying.cancelled()
            second = await client.apply(await client.plan(desired, state=state), parallelism=parallelism)
            assert second.ok, second.render()

    with tempfile.TemporaryDirectory() as folder:
        state = Path(folder) / "state.json"
        asyncio.run(run(state))
        with emu.client() as client:
            converged(emu, client, desired, state)
