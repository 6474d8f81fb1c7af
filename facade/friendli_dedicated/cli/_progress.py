"""Showing a wait: a live spinner line on a terminal, one plain line per change elsewhere.

The facade's ``wait_until_running(on_progress=...)`` calls back on the first state and on every
change of (status, phase), with the seconds elapsed on the client's clock. ``WaitDisplay`` is that
callback:

- on a terminal, a rich status line (spinner, endpoint, status, phase, elapsed time ticking
  between polls) stays at the bottom while each change is also printed above it, so the history
  is kept in the scrollback;
- otherwise (a pipe, a file, CI logs), each change is one line and nothing else is written:
  ``   15s  INITIALIZING  DOWNLOADING_MODEL``.
"""

from __future__ import annotations

import time
from types import TracebackType

from rich.console import Console, ConsoleOptions, RenderResult
from rich.status import Status
from rich.text import Text

import friendli_dedicated as fd
from friendli_dedicated.cli._output import duration

__all__ = ["WaitDisplay", "change_line"]

_STATUS_WIDTH = 12  # "INITIALIZING", the longest status an endpoint passes through on its way up


def change_line(state: fd.EndpointState, elapsed: float) -> str:
    """The line printed for one change of status or phase.

    >>> from friendli_dedicated._models import EndpointState, Status
    >>> change_line(EndpointState(status=Status.RUNNING), 95.2)
    ' 1m35s  RUNNING'
    """
    phase = state.phase.value if state.phase is not None else ""
    return f"{duration(elapsed):>6}  {state.status.value:<{_STATUS_WIDTH}}  {phase}".rstrip()


class _Line:
    """The live status line; rendered on every refresh, so the elapsed time ticks between polls."""

    def __init__(self, endpoint_id: str) -> None:
        self.endpoint_id = endpoint_id
        self.status = "waiting"
        self.phase = ""
        self.elapsed = 0.0
        self.seen_at = time.monotonic()

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        elapsed = self.elapsed + (time.monotonic() - self.seen_at)
        text = Text.assemble(
            (self.endpoint_id, "bold"),
            "  ",
            (self.status, "cyan"),
            (f"  {self.phase}" if self.phase else "", "dim"),
            f"  {duration(elapsed)}",
        )
        yield text


class WaitDisplay:
    """The ``on_progress`` callback of a wait, as a context manager around the wait.

    ``live`` draws the spinner line (use it when ``console`` is a terminal); otherwise each change
    is printed as one line.
    """

    def __init__(self, console: Console, endpoint_id: str, *, live: bool) -> None:
        self.console = console
        self.live = live
        self.changes: list[str] = []
        self._line = _Line(endpoint_id)
        self._status: Status | None = None

    @property
    def elapsed(self) -> float:
        """Seconds from the start of the wait to the last change seen."""
        return self._line.elapsed

    def __enter__(self) -> WaitDisplay:
        if self.live:
            self._status = Status(self._line, console=self.console, spinner="dots")
            self._status.start()
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        if self._status is not None:
            self._status.stop()
            self._status = None

    def __call__(self, state: fd.EndpointState, elapsed: float) -> None:
        line = change_line(state, elapsed)
        self.changes.append(line)
        self._line.status = state.status.value
        self._line.phase = state.phase.value if state.phase is not None else ""
        self._line.elapsed = elapsed
        self._line.seen_at = time.monotonic()
        self.console.print(Text(line), soft_wrap=True)
