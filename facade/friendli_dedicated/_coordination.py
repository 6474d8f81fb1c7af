"""Driving flows that share state with other calls of the same client: the one sync/async pair of them.

A flow (``_flows``) is a generator that yields what it needs done. The creates of one client share
what they know of a project (``_project_view.ProjectView``): its listing rounds, the specifications
read, the claims. Such a flow may also yield ``Until(ready, deadline)``: park until ``ready()``
holds, because another call is doing what this one needs (listing the project, reading a
specification), or until the deadline.

The rules the drivers keep, so that no call can leave the others stuck:

- the flow's code runs under the coordinator's lock (sync: a ``threading.Condition``; async: the
  event loop, one step at a time), so the shared state is only ever changed by whole steps; the
  lock is released while a request is in flight, a pause is slept, or the flow is parked;
- after every step the parked calls are woken (sync: all of them, each re-checks its condition;
  async: those whose condition now holds);
- a parked call never waits past its deadline: it is woken then, and its flow decides what to raise;
- whatever ends a call (its result, an error, ``KeyboardInterrupt`` in a thread, the cancellation
  of its task), the flow is closed under the lock: its ``finally`` blocks give back what it owned
  (a listing round, a specification being read, its place in a queue), and the others are woken to
  take it over.

The same coordinators run a flow's ``Batch`` (``_flows``): its jobs at once, at most ``limit`` in
flight (sync: a daemon thread per job in flight, so that an abandoned one never holds up the
interpreter's exit; async: a task per job), each driven by ``run``, with their ``started``/``done``
callbacks called on the caller's thread or loop, one at a time.

Only this module has sync and async twins; what the flows decide is written once.
"""

from __future__ import annotations

import asyncio
import contextvars
import queue
import threading
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, TypeVar

from friendli_dedicated._flows import Batch, Finished, Flow, Pause, Until
from friendli_dedicated._transport import Call
from friendli_dedicated.errors import FriendliError

if TYPE_CHECKING:
    from friendli_dedicated._client import AsyncClient, Client

__all__ = ["AsyncCoordinator", "Coordinator"]

T = TypeVar("T")

_LONGEST_WAIT = 3600.0
"""The longest single wait on the lock (the deadline is checked again after it): below every
platform's ``threading.TIMEOUT_MAX``, and no parked call relies on it, since every change wakes them."""


class Coordinator:
    """Runs a sync client's shared flows, from any number of threads (one per client and its copies)."""

    def __init__(self) -> None:
        self._condition = threading.Condition()

    def run(self, client: Client, flow: Flow[T], *, deadline: float | None) -> T:
        """Drive ``flow`` to its end: its requests are sent with ``client``, each within ``deadline``."""
        condition = self._condition
        outcome: Any = None
        error: FriendliError | None = None
        try:
            while True:
                with condition:
                    try:
                        step = flow.send(outcome) if error is None else flow.throw(error)
                    except StopIteration as stop:
                        return stop.value  # type: ignore[no-any-return]
                    finally:
                        condition.notify_all()  # the step may have changed what others wait for
                    outcome, error = None, None
                    if isinstance(step, Until):
                        outcome = self._park(step, client._sender.clock)
                        continue
                if isinstance(step, Pause):
                    client._sleep(step.seconds)
                elif isinstance(step, Call):
                    try:
                        outcome = client._send(step, deadline=deadline)
                    except FriendliError as exc:
                        error = exc
                else:
                    raise TypeError(f"a shared flow yielded {step!r}")
        finally:
            with condition:
                flow.close()  # a flow cut short gives back what it owns (its finally blocks)
                condition.notify_all()

    def apply(self, change: Callable[[], None]) -> None:
        """Make ``change`` to the shared state under the lock, and wake the parked calls."""
        with self._condition:
            try:
                change()
            finally:
                self._condition.notify_all()

    def batch(self, client: Client, step: Batch) -> list[Finished]:
        """Run a ``Batch``'s jobs (see ``_flows.Batch``); one ``Finished`` per job, in order."""
        results: list[Finished] = [Finished()] * len(step.jobs)
        ended: queue.Queue[tuple[int, Finished | None, BaseException | None]] = queue.Queue()
        running: set[int] = set()
        bug: BaseException | None = None

        inline = step.limit <= 1

        def work(index: int, flow: Flow[Any], deadline: float | None) -> None:
            try:
                ended.put((index, Finished(self.run(client, flow, deadline=deadline)), None))
            except FriendliError as exc:
                ended.put((index, Finished(error=exc), None))
            except BaseException as exc:  # a bug: the batch stops and raises it
                if inline and isinstance(exc, KeyboardInterrupt):
                    raise  # Ctrl-C, in this thread: handled below
                ended.put((index, None, exc))

        def collect() -> None:
            nonlocal bug
            index, finished, error = ended.get()
            running.discard(index)
            if finished is None:
                bug = bug or error
                return
            results[index] = finished
            if step.done is not None:
                step.done(index, finished)

        try:
            for index, job in enumerate(step.jobs):
                if bug is not None:
                    break
                while len(running) >= max(step.limit, 1):
                    collect()
                flow, deadline = job.start()
                if inline:  # in this thread: a Ctrl-C reaches the flow itself
                    if step.started is not None:
                        step.started(index)
                    running.add(index)
                    work(index, flow, deadline)
                    collect()
                else:
                    running.add(index)
                    # In a copy of the caller's context: the call's telemetry scope (its requests are
                    # the call's children) and the application's span, as an async task gets them.
                    context = contextvars.copy_context()
                    thread = threading.Thread(target=context.run, args=(work, index, flow, deadline), daemon=True)
                    thread.start()
                    if step.started is not None:  # once it runs: what it raises finds the job in flight
                        step.started(index)
            while running:
                collect()
        except KeyboardInterrupt:
            if step.interrupted is not None:
                step.interrupted(sorted(running))
            if step.finish_on_interrupt and not inline:
                try:
                    while running:
                        collect()
                except KeyboardInterrupt:
                    pass  # a second Ctrl-C: stop waiting for them
            raise
        if bug is not None:
            raise bug
        return results

    def _park(self, step: Until, clock: Callable[[], float]) -> bool:
        """Under the lock: wait until ``step.ready()`` or its deadline; whether it is ready."""
        while not step.ready():
            left = step.deadline - clock()
            if left <= 0:
                return False
            self._condition.wait(min(left, _LONGEST_WAIT))
        return True


class AsyncCoordinator:
    """Runs an async client's shared flows, from any number of tasks on one event loop at a time."""

    def __init__(self) -> None:
        self._parked: list[tuple[Until, asyncio.Future[None]]] = []

    async def run(self, client: AsyncClient, flow: Flow[T], *, deadline: float | None) -> T:
        """See ``Coordinator.run``; cancelling the task closes the flow like any other error."""
        outcome: Any = None
        error: FriendliError | None = None
        try:
            while True:
                try:
                    step = flow.send(outcome) if error is None else flow.throw(error)
                except StopIteration as stop:
                    return stop.value  # type: ignore[no-any-return]
                finally:
                    self._wake()
                outcome, error = None, None
                if isinstance(step, Until):
                    outcome = await self._park(step, client._sender.clock)
                elif isinstance(step, Pause):
                    await client._sleep(step.seconds)
                elif isinstance(step, Call):
                    try:
                        outcome = await client._send(step, deadline=deadline)
                    except FriendliError as exc:
                        error = exc
                else:
                    raise TypeError(f"a shared flow yielded {step!r}")
        finally:
            flow.close()  # no await before it: a cancelled task still gives back what it owns
            self._wake()

    def apply(self, change: Callable[[], None]) -> None:
        """Make ``change`` to the shared state (on the event loop, between steps), and wake the parked calls."""
        try:
            change()
        finally:
            self._wake()

    async def batch(self, client: AsyncClient, step: Batch) -> list[Finished]:
        """See ``Coordinator.batch``: a task per job in flight; cancelled when this one is."""
        results: list[Finished] = [Finished()] * len(step.jobs)
        running: dict[asyncio.Future[Any], int] = {}
        bug: BaseException | None = None

        def settle(task: asyncio.Future[Any]) -> None:
            nonlocal bug
            index = running.pop(task)
            if task.cancelled():
                return
            error = task.exception()
            if error is not None and not isinstance(error, FriendliError):
                bug = bug or error
                return
            finished = Finished(error=error) if error is not None else Finished(task.result())
            results[index] = finished
            if step.done is not None:
                step.done(index, finished)

        async def collect() -> None:
            ended, _ = await asyncio.wait(running, return_when=asyncio.FIRST_COMPLETED)
            for task in sorted(ended, key=running.__getitem__):
                settle(task)

        try:
            for index, job in enumerate(step.jobs):
                if bug is not None:
                    break
                while len(running) >= max(step.limit, 1):
                    await collect()
                flow, deadline = job.start()
                running[asyncio.ensure_future(self.run(client, flow, deadline=deadline))] = index
                if step.started is not None:
                    step.started(index)
            while running:
                await collect()
        except (asyncio.CancelledError, KeyboardInterrupt):
            if step.interrupted is not None:
                step.interrupted(sorted(running.values()))
            tasks = list(running)
            for task in tasks:
                task.cancel()
            if tasks:
                await asyncio.wait(tasks)
            for task in tasks:
                settle(task)
            raise
        if bug is not None:
            raise bug
        return results

    def _wake(self) -> None:
        """Wake the parked calls whose condition now holds."""
        parked = []
        for step, future in self._parked:
            if future.done():
                continue
            if step.ready():
                future.set_result(None)
            else:
                parked.append((step, future))
        self._parked = parked

    async def _park(self, step: Until, clock: Callable[[], float]) -> bool:
        while not step.ready():
            left = step.deadline - clock()
            if left <= 0:
                return False
            future: asyncio.Future[None] = asyncio.get_running_loop().create_future()
            self._parked.append((step, future))
            try:
                async with asyncio.timeout(min(left, _LONGEST_WAIT)):
                    await future
            except TimeoutError:
                pass  # the deadline is checked on the client's clock, above
            finally:
                if not future.done():
                    future.cancel()
        return True
