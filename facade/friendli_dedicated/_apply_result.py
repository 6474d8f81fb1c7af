"""What an apply did, endpoint by endpoint: ``ApplyResult`` (a table and JSON for the CLI), and the
``ApplyInterrupted`` a Ctrl-C becomes once what was in flight has ended and the record is written.

Each endpoint of the plan gets an ``AppliedAction`` whose ``outcome`` is one of ``OUTCOMES``:

- ``done``: the change was accepted and the endpoint serves (or, for a terminate, is terminating);
- ``applied``: the change was accepted, and was not waited for (``wait=False``), or changed only
  the state record;
- ``unchanged``: there was nothing to do (``noop``);
- ``failed``: the request failed, or the endpoint failed or stopped after it (``error`` says why), or
  an update's rollback failed too;
- ``rolled_back``: an update's new version failed, timed out or did not show what was asked, and the
  previous version's specification was restored (``rollout`` says what happened);
- ``timed_out``: accepted, but not serving when the wait's deadline passed;
- ``skipped``: the plan could not plan it (its action was ``error``);
- ``in_flight``: under way when the apply was interrupted (its outcome is unknown: plan again);
- ``not_started``: the apply was interrupted before it started.

>>> result = ApplyResult((AppliedAction("p", "chat", "create", "ep-1", "done", status="RUNNING"),))
>>> result.ok, result.exit_code, result.counts()["done"]
(True, 0, 1)
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import attrs

from friendli_dedicated._rollout_result import Rollout

__all__ = ["OK_OUTCOMES", "OUTCOMES", "AppliedAction", "ApplyInterrupted", "ApplyResult"]

OUTCOMES = (
    "done",
    "applied",
    "unchanged",
    "failed",
    "rolled_back",
    "timed_out",
    "skipped",
    "in_flight",
    "not_started",
)
OK_OUTCOMES = frozenset({"done", "applied", "unchanged"})


@attrs.frozen
class AppliedAction:
    """What an apply did to one endpoint: the plan's ``action``, and how it ended (``outcome``, one of
    ``done``, ``applied``, ``unchanged``, ``failed``, ``rolled_back``, ``timed_out``, ``skipped``,
    ``in_flight``, ``not_started``), with the endpoint's last ``status`` seen and the ``error`` message,
    if any; for an update that the apply waited for, its ``rollout`` (``fd.Rollout``: both versions,
    what differed, how a rollback ended)."""

    project_id: str
    name: str
    action: str
    endpoint_id: str | None
    outcome: str
    status: str | None = None
    error: str | None = None
    changes: Mapping[str, tuple[Any, Any]] = attrs.field(factory=dict, repr=False)
    rollout: Rollout | None = attrs.field(default=None, repr=False)

    @property
    def ok(self) -> bool:
        """Whether it ended as planned (``done``, ``applied`` or ``unchanged``)."""
        return self.outcome in OK_OUTCOMES

    def to_json(self) -> dict[str, Any]:
        """As ``apply --json`` prints it."""
        return {
            "project": self.project_id,
            "name": self.name,
            "action": self.action,
            "endpoint_id": self.endpoint_id,
            "outcome": self.outcome,
            "status": self.status,
            "error": self.error,
            "changes": {field: [old, new] for field, (old, new) in self.changes.items()},
            "rollout": None if self.rollout is None else self.rollout.to_json(),
        }


@attrs.frozen
class ApplyResult:
    """How an apply ended, endpoint by endpoint (``actions``, in the plan's order).

    ``ok`` is true when every endpoint ended as planned and nothing interrupted it; ``exit_code`` is 0
    then, else 1; ``render()`` is a table, ``to_json()`` a list (``apply --json``).
    """

    actions: tuple[AppliedAction, ...]
    interrupted: bool = False

    @property
    def ok(self) -> bool:
        """Whether every endpoint ended as planned, and the apply was not interrupted."""
        return not self.interrupted and all(action.ok for action in self.actions)

    @property
    def exit_code(self) -> int:
        """0 when ``ok``, else 1 (the CLI's exit status)."""
        return 0 if self.ok else 1

    @property
    def in_flight(self) -> tuple[AppliedAction, ...]:
        """The endpoints whose change was under way when the apply was interrupted."""
        return tuple(action for action in self.actions if action.outcome == "in_flight")

    def counts(self) -> dict[str, int]:
        """How many endpoints ended each way (every outcome named, 0 included)."""
        counts = dict.fromkeys(OUTCOMES, 0)
        for action in self.actions:
            counts[action.outcome] += 1
        return counts

    def summary(self) -> str:
        """One line: the outcomes that occurred, with their counts."""
        shown = ", ".join(f"{n} {outcome.replace('_', ' ')}" for outcome, n in self.counts().items() if n)
        return ("interrupted: " if self.interrupted else "") + (shown or "nothing to do")

    def render(self) -> str:
        """A table: project, name, action, endpoint, outcome, status, error; then the summary."""
        header = ("PROJECT", "NAME", "ACTION", "ENDPOINT", "OUTCOME", "STATUS", "ERROR")
        rows = [header] + [
            (a.project_id, a.name, a.action, a.endpoint_id or "-", a.outcome, a.status or "-", a.error or "")
            for a in self.actions
        ]
        widths = [max(len(row[column]) for row in rows) for column in range(len(header) - 1)]
        lines = [
            "  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=False)) + "  " + row[-1]
            for row in rows
        ]
        return "\n".join(line.rstrip() for line in lines) + f"\nApply: {self.summary()}.\n"

    def to_json(self) -> list[dict[str, Any]]:
        """The endpoints' outcomes, as ``apply --json`` prints them."""
        return [action.to_json() for action in self.actions]


class ApplyInterrupted(KeyboardInterrupt):
    """Raised by ``Client.apply`` on Ctrl-C, once the changes in flight have ended (a second Ctrl-C
    stops waiting for them) and the state record holds those that completed; ``result`` says what was
    done, what was in flight and what never started. A ``KeyboardInterrupt``, so that code which
    handles Ctrl-C goes on doing so; another apply of the same file converges (endpoints are adopted
    by name: none is made twice). ``AsyncClient.apply`` re-raises its task's cancellation instead,
    after recording the same, with the summary as a note."""

    def __init__(self, result: ApplyResult) -> None:
        super().__init__(f"apply interrupted: {result.summary()}")
        self.result = result
