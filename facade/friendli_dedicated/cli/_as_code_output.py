"""What the endpoints-as-code commands print: a refused file, an apply's progress, its table, its end.

``_as_code`` runs the commands; this module turns what the SDK gives them (an ``InvalidInputError``
from a file, each ``AppliedAction`` as it changes, the ``ApplyResult``, an ``ApplyInterrupted``) into
lines, rows and ``Failure``s that name the command line's flags, never the Python API's arguments.

>>> refused = file_failure("endpoints.json", fd.InvalidInputError("projects.p.endpoints.chat.model", "is required"))
>>> refused.code.value, refused.message
(2, 'invalid projects.p.endpoints.chat.model: is required (in endpoints.json)')
"""

from __future__ import annotations

import re
import signal
import threading
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any

import friendli_dedicated as fd
from friendli_dedicated._diff import RECORD_ONLY
from friendli_dedicated.cli._exit import ExitCode, Failure, Interrupted, spoken

__all__ = [
    "RESULT_COLUMNS",
    "RESULT_KEYS",
    "ApplyDisplay",
    "cli_error",
    "count",
    "extra_failure",
    "failed_line",
    "file_failure",
    "interrupted_apply",
    "result_rows",
    "result_table",
    "stale_failure",
]

RESULT_COLUMNS = ("PROJECT", "NAME", "ACTION", "ENDPOINT", "OUTCOME", "STATUS", "ERROR")
RESULT_KEYS = ("project", "name", "action", "endpoint_id", "outcome", "status", "error")

# What an action's change is called while it is made, and once the API accepted it.
_MAKING = {"create": "creating", "update": "updating", "terminate": "terminating"}
_NOT_MADE = frozenset({"unchanged", "skipped", "not_started", "in_flight"})
_MADE = {"create": "created", "update": "updated", "terminate": "terminated"}


def count(number: int, noun: str) -> str:
    """``number`` and ``noun``, plural when it is not 1.

    >>> count(1, "endpoint"), count(3, "change")
    ('1 endpoint', '3 changes')
    """
    return f"{number} {noun}{'' if number == 1 else 's'}"


def file_failure(path: str, error: fd.InvalidInputError) -> Failure:
    """A refused desired-state file or saved plan: exit code 2, the place in the file and why.

    >>> file_failure("e.yaml", fd.InvalidInputError("e.yaml", "is not valid YAML: line 2, column 1: oops")).message
    'e.yaml is not valid YAML: line 2, column 1: oops'
    """
    details: dict[str, Any] = {"type": type(error).__name__, "field": error.field, "file": path}
    if error.field == "path":  # the path itself is not one (blank, a NUL in it)
        return Failure(ExitCode.USAGE, f"invalid FILE: {spoken(error.message)}", details=details)
    if error.field == path:  # the file itself: unreadable, not YAML or JSON, a key given twice
        return Failure(ExitCode.USAGE, f"{path} {error.message}", details=details)
    # YAML refusals name the file and line already; a JSON file's do not.
    where = "" if path in error.message else f" (in {path})"
    return Failure(ExitCode.USAGE, f"invalid {error.field}: {error.message}{where}", details=details)


def extra_failure(error: ImportError) -> Failure:
    """The ``manage`` extra is missing (PyYAML for YAML files, filelock for the state record's lock)."""
    return Failure(ExitCode.USAGE, str(error), details={"type": "ImportError", "missing": error.name})


def stale_failure(target: str, error: fd.PlanStaleError) -> Failure:
    """A saved plan refused because what it was made against changed: exit code 1, each change named."""
    changes = "; ".join(error.changes)
    return Failure(
        ExitCode.API_ERROR,
        f"the saved plan {target} no longer matches what it was made against, so nothing was changed: {changes}",
        "make a new plan (friendli-dedicated plan FILE --out PLAN) and apply that one",
        {"type": type(error).__name__, "changes": list(error.changes)},
    )


def _who(action: fd.AppliedAction) -> str:
    return f"{action.project_id}/{action.name}"


def _deploying(action: fd.AppliedAction) -> bool:
    """Whether the endpoint of a change the API accepted is on its way (not yet waited for)."""
    return (
        action.outcome == "applied"
        and action.action in ("create", "update")
        and action.status not in (None, "RUNNING", "SLEEPING")
    )


class ApplyDisplay:
    """The ``on_progress`` of an apply: one line per change that ended, and what is in flight.

    A change being made is remembered, not printed (a thousand "creating" lines say nothing); a line
    is printed when the API accepted it, when its endpoint is RUNNING (or terminating), and when it
    failed or timed out. ``in_flight`` is what a Ctrl-C leaves under way.
    """

    def __init__(self, note: Callable[[str], None], header: str | None = None) -> None:
        self.note = note
        self.header = header
        """Printed before the first change is made (not before a refusal: a saved plan gone stale)."""
        self.in_flight: dict[tuple[str, str], fd.AppliedAction] = {}
        self.waiting: dict[tuple[str, str], fd.AppliedAction] = {}
        self.interrupts = 0

    def __call__(self, action: fd.AppliedAction) -> None:
        if self.header is not None:
            self.note(self.header)
            self.header = None
        key = (action.project_id, action.name)
        self.in_flight.pop(key, None)
        self.waiting.pop(key, None)
        endpoint = action.endpoint_id or "-"
        if action.outcome == "in_flight":
            self.in_flight[key] = action
        elif action.outcome == "applied":
            if action.changes and set(action.changes) <= RECORD_ONLY:
                self.note(f"{_who(action)}: recorded {', '.join(action.changes)} in the state record")
                return
            if _deploying(action):
                self.waiting[key] = action
            self.note(f"{_who(action)}: {_MADE.get(action.action, action.action)} {endpoint}")
        elif action.outcome == "done":
            self.note(f"{_who(action)}: {endpoint} is {action.status or 'done'}")
        elif action.outcome == "failed":
            self.note(f"{_who(action)}: {action.action} failed: {cli_error(action.error)}")
        elif action.outcome == "timed_out":
            self.note(f"{_who(action)}: {endpoint} is still {action.status or '-'} at the end of --timeout")

    def interrupt_note(self) -> str:
        """What the first Ctrl-C stops, and what goes on."""
        if self.in_flight:
            changes = ", ".join(f"{_who(a)} ({_MAKING.get(a.action, a.action)})" for a in self.in_flight.values())
            return (
                f"Stopping: no new change starts. In flight: {changes}; what ends is recorded "
                "(Ctrl-C again stops waiting for them)."
            )
        if self.waiting:
            return (
                f"Stopping: the changes are made and recorded; {count(len(self.waiting), 'endpoint')} keep deploying "
                "without this command."
            )
        return "Stopping: no new change starts."

    @contextmanager
    def on_sigint(self) -> Iterator[None]:
        """While applying: Ctrl-C first says what is in flight, then interrupts as it always does (the
        SDK lets what is in flight end and records it). Only where Python's own handler is in place."""
        if threading.current_thread() is not threading.main_thread():
            yield
            return
        previous = signal.getsignal(signal.SIGINT)
        if previous is not signal.default_int_handler:  # ignored (a background job) or someone else's
            yield
            return

        def interrupt(signum: int, frame: Any) -> None:
            self.interrupts += 1
            if self.interrupts == 1:
                self.note(self.interrupt_note())
            else:
                self.note("Stopping the wait for the changes in flight: their outcome is unknown.")
            raise KeyboardInterrupt

        signal.signal(signal.SIGINT, interrupt)
        try:
            yield
        finally:
            signal.signal(signal.SIGINT, previous)


def cli_error(text: str | None) -> str | None:
    """An outcome's error as the command line words it (``endpoints wait`` words a FAILED endpoint so).

    >>> cli_error("endpoint ep-1 failed (error_code=DISK_FULL, phase=DOWNLOADING_MODEL): Try less.")
    'endpoint ep-1 FAILED with DISK_FULL in phase DOWNLOADING_MODEL: Try less.'
    """
    if text is None:
        return None
    return _FAILED.sub(_failed_words, text)


_FAILED = re.compile(r"endpoint (?P<id>\S+) failed \(error_code=(?P<code>[^,]+), phase=(?P<phase>[^)]+)\)")


def _failed_words(match: re.Match[str]) -> str:
    code = "no error code" if match["code"] == "none" else match["code"]
    phase = "" if match["phase"] == "none" else f" in phase {match['phase']}"
    return f"endpoint {match['id']} FAILED with {code}{phase}"


def result_rows(result: fd.ApplyResult, *, with_unchanged: bool) -> list[dict[str, Any]]:
    """The result's rows (``ApplyResult.to_json``, errors worded for the command line), without the
    unchanged endpoints unless asked."""
    return [
        {**row, "error": cli_error(row["error"])}
        for row in result.to_json()
        if with_unchanged or row["outcome"] != "unchanged"
    ]


def result_table(rows: Sequence[dict[str, Any]]) -> str:
    """The rows as a plain table, the error last and never cut (a CI log keeps all of it).

    >>> print(result_table([{"project": "p", "name": "chat", "action": "create", "endpoint_id": "ep-1",
    ...                      "outcome": "done", "status": "RUNNING", "error": None}]))
    PROJECT   NAME   ACTION   ENDPOINT   OUTCOME   STATUS    ERROR
    ──────────────────────────────────────────────────────────────
    p         chat   create   ep-1       done      RUNNING   -
    """
    table = [list(RESULT_COLUMNS)] + [
        [str(row[key] if row[key] is not None else "-") for key in RESULT_KEYS] for row in rows
    ]
    widths = [max(len(line[column]) for line in table) for column in range(len(RESULT_COLUMNS) - 1)]
    lines = [
        "   ".join([*(cell.ljust(width) for cell, width in zip(line, widths, strict=False)), line[-1]])
        for line in table
    ]
    lines.insert(1, "─" * len(lines[0]))
    return "\n".join(lines)


def failed_line(result: fd.ApplyResult) -> str | None:
    """One line naming the endpoints that did not end as planned, or None when all did."""
    failed = [a for a in result.actions if not a.ok]
    if not failed:
        return None
    names = ", ".join(f"{_who(a)} ({a.outcome.replace('_', ' ')})" for a in failed[:10])
    more = f" and {len(failed) - 10} more" if len(failed) > 10 else ""
    return f"{len(failed)} of {count(len(result.actions), 'endpoint')} did not end as planned: {names}{more}"


def interrupted_apply(result: fd.ApplyResult, rows: Sequence[dict[str, Any]]) -> Interrupted:
    """Ctrl-C ended an apply: what was made (and recorded), what is unknown, how to converge."""
    counts = result.counts()
    # Every change that was sent and ended, whatever became of it (a rollback too, with rollouts).
    made = sum(n for outcome, n in counts.items() if outcome not in _NOT_MADE)
    parts = [f"{count(made, 'change')} made and recorded", f"{counts['not_started']} not started"]
    unknown = result.in_flight
    if unknown:
        parts.append(f"{len(unknown)} in flight, their outcome unknown ({', '.join(_who(a) for a in unknown)})")
    deploying = [a for a in result.actions if _deploying(a)]
    goes_on = f"; {count(len(deploying), 'endpoint')} keep deploying without this command" if deploying else ""
    return Interrupted(
        f"apply interrupted: {', '.join(parts)}{goes_on}",
        "run the same apply again: it converges (an endpoint is adopted by its name, never made twice)",
        {"actions": list(rows)},
    )
