"""What a verified rollout did: ``Rollout``, with both versions, what differed, and how a rollback ended.

``outcome`` is one of ``ROLLOUT_OUTCOMES``:

- ``rolled_out``: the new version serves, and its specification shows what was asked (``ok``);
- ``rolled_back``: the new version failed, timed out, did not answer requests (``serving``) or did
  not show what was asked (``failure`` says which), and the previous version's specification was
  sent back, and serves again;
- ``rollback_failed``: as ``rolled_back``, but the rollback itself was refused, failed, timed out or
  did not show the previous values (``rollback_error``, ``rollback_mismatches``);
- ``not_rolled_back``: the new version did not serve as asked, and nothing was rolled back:
  ``rollback=False``, no previous version to go back to, or an end that a rollback would not mend
  (the endpoint stopped or was deleted meanwhile, an error other than the version's own);
- ``not_updated``: the update was not made (refused, or its request failed and no new version
  appeared in the history): nothing changed, and nothing needed rolling back.

>>> result = Rollout("ep-1", "rolled_out", requested={"max_batch_size": 64})
>>> result.ok, result.exit_code, result.failure
(True, 0, None)
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import attrs

from friendli_dedicated._models import EndpointSpec, EndpointState, EndpointVersion
from friendli_dedicated.errors import (
    EndpointFailedError,
    EndpointNotServingError,
    EndpointStoppedError,
    FriendliError,
    RolloutError,
    WaitTimeoutError,
)

__all__ = ["ROLLOUT_OUTCOMES", "Rollout"]

ROLLOUT_OUTCOMES = ("rolled_out", "rolled_back", "rollback_failed", "not_rolled_back", "not_updated")


def _version_id(version: EndpointVersion | None) -> str | None:
    return None if version is None else version.version_id


def _version_repr(version: EndpointVersion | None) -> str:
    """A version in a ``Rollout``'s repr: its id (its specification is on the object)."""
    return "None" if version is None else f"EndpointVersion(version_id={version.version_id!r}, ...)"


@attrs.frozen
class Rollout:
    """How a verified rollout (``endpoint.rollout(...)``, ``client.endpoints.rollout(id, ...)``) ended.

    - ``outcome``: ``rolled_out``, ``rolled_back``, ``rollback_failed``, ``not_rolled_back`` or
      ``not_updated`` (see the module); ``ok`` is true only for ``rolled_out``;
    - ``previous``, ``new``: the version before the update and the one it made (``EndpointVersion``:
      id and specification, from the version history; None where it could not be read), and
      ``rollback_version``, the one the rollback made;
    - ``requested``: what the update asked for, by the specification's field names (``gpu_type``,
      ``num_gpu``, ``autoscaling_min``, ``max_batch_size``, ...; ``model``, ``revision``,
      ``instance_id`` and the engine options a specification does not show, by theirs);
      ``unverified``: those of them the specification read back does not show, so they were not
      checked (the model, always: the API does not report it);
    - ``mismatches``: field -> (requested, read back) for each field the specification shows with
      another value once the new version served: a silent revert;
    - ``error``: what ended the new version (``EndpointFailedError``, ``WaitTimeoutError``, ...) or
      the update's own error; for a version that ran but did not answer, the wait's
      ``WaitTimeoutError`` (its cause the last check's ``EndpointNotServingError``) or, when it
      refused while it said RUNNING, that ``EndpointNotServingError``; None when it served (a
      mismatch, or ``rolled_out``);
    - ``restored``: what the rollback sent back, by the same names; ``unrestored``: the fields the
      update changed that it could not send back (the model and revision, unless the previous ones
      were given: the API cannot say them); ``rollback_error``, ``rollback_mismatches``: how the
      rollback failed, if it did;
    - ``state``, ``spec``: the last status and specification seen.

    ``raise_for_failure()`` raises ``fd.RolloutError`` unless ``ok``; ``summary()`` says it in one
    line, ``to_json()`` as ``apply --json`` shows it.

    >>> result = Rollout("ep-1", "rolled_back", mismatches={"max_batch_size": (64, 256)})
    >>> result.ok, result.failure, result.exit_code
    (False, 'mismatch', 1)
    """

    endpoint_id: str
    outcome: str
    requested: Mapping[str, Any] = attrs.field(factory=dict)
    previous: EndpointVersion | None = attrs.field(default=None, repr=_version_repr)
    new: EndpointVersion | None = attrs.field(default=None, repr=_version_repr)
    rollback_version: EndpointVersion | None = attrs.field(default=None, repr=_version_repr)
    mismatches: Mapping[str, tuple[Any, Any]] = attrs.field(factory=dict)
    unverified: tuple[str, ...] = ()
    error: FriendliError | None = attrs.field(default=None, eq=False)
    restored: Mapping[str, Any] = attrs.field(factory=dict)
    unrestored: tuple[str, ...] = ()
    rollback_error: FriendliError | None = attrs.field(default=None, eq=False)
    rollback_mismatches: Mapping[str, tuple[Any, Any]] = attrs.field(factory=dict)
    state: EndpointState | None = None
    spec: EndpointSpec | None = attrs.field(default=None, repr=False)

    @property
    def ok(self) -> bool:
        """Whether the new version serves as asked (``rolled_out``)."""
        return self.outcome == "rolled_out"

    @property
    def rolled_back(self) -> bool:
        """Whether the previous version's specification was restored, and serves (``rolled_back``)."""
        return self.outcome == "rolled_back"

    @property
    def exit_code(self) -> int:
        """0 when ``ok``, else 1 (the CLI's exit status)."""
        return 0 if self.ok else 1

    @property
    def failure(self) -> str | None:
        """Why the new version was not kept: ``update_failed``, ``failed``, ``not_serving`` (it said
        RUNNING but did not answer requests until the deadline, or refused them), ``timed_out``,
        ``stopped``, ``mismatch`` or ``error`` (another error while waiting or reading back); None when ``ok``.

        >>> never_answered = fd.WaitTimeoutError("did not become RUNNING and serve", endpoint_id="ep-1", state=None)
        >>> never_answered.__cause__ = fd.EndpointNotServingError(
        ...     "503", endpoint_id="ep-1", reason="warming_up", error=fd.ServerError("503", status_code=503))
        >>> Rollout("ep-1", "rolled_back", error=never_answered).failure
        'not_serving'
        """
        if self.outcome == "not_updated":
            return "update_failed"
        error = self.error
        if isinstance(error, EndpointNotServingError) or (
            isinstance(error, WaitTimeoutError) and isinstance(error.__cause__, EndpointNotServingError)
        ):
            return "not_serving"
        kinds = ((EndpointFailedError, "failed"), (WaitTimeoutError, "timed_out"), (EndpointStoppedError, "stopped"))
        for kind, name in kinds:
            if isinstance(self.error, kind):
                return name
        if self.error is not None:
            return "error"
        return "mismatch" if self.mismatches else None

    def summary(self) -> str:
        """One line: the versions, what went wrong, and how the rollback ended.

        >>> print(Rollout("ep-1", "not_updated", error=fd.BadRequestError("refused", status_code=400)).summary())
        endpoint ep-1: not updated: refused
        """
        new, previous = _version_id(self.new) or "the new version", _version_id(self.previous) or "the previous one"
        head = f"endpoint {self.endpoint_id}"
        if self.outcome == "not_updated":
            return f"{head}: not updated: {self.error}"
        if self.ok:
            return f"{head}: {new} rolled out (was {previous})"
        why = self._why()
        if self.outcome == "not_rolled_back":
            return f"{head}: {new} {why}; not rolled back"
        if self.outcome == "rolled_back":
            made = f" as {self.rollback_version.version_id}" if self.rollback_version is not None else ""
            return f"{head}: {new} {why}; rolled back to {previous}{made}" + self._unrestored()
        rollback = self.rollback_error or _shown_mismatches(self.rollback_mismatches)
        return f"{head}: {new} {why}; the rollback to {previous} failed too: {rollback}" + self._unrestored()

    def _why(self) -> str:
        if self.error is not None:
            return f"did not serve ({self.error})"
        return f"does not show what was asked: {_shown_mismatches(self.mismatches)}"

    def _unrestored(self) -> str:
        return f" (not restored: {', '.join(self.unrestored)})" if self.unrestored else ""

    def raise_for_failure(self) -> Rollout:
        """Raise ``fd.RolloutError`` (its ``rollout`` is this result, its cause the ``error``) unless the
        new version rolled out; else return the result, to chain."""
        if self.ok:
            return self
        raise RolloutError(self.summary(), rollout=self) from self.error

    def to_json(self) -> dict[str, Any]:
        """As ``apply --json`` shows an endpoint's rollout: the versions' ids, the fields, the errors' messages."""
        return {
            "endpoint_id": self.endpoint_id,
            "outcome": self.outcome,
            "failure": self.failure,
            "previous_version": _version_id(self.previous),
            "new_version": _version_id(self.new),
            "rollback_version": _version_id(self.rollback_version),
            "requested": dict(self.requested),
            "mismatches": {field: list(pair) for field, pair in self.mismatches.items()},
            "unverified": list(self.unverified),
            "error": None if self.error is None else str(self.error),
            "restored": dict(self.restored),
            "unrestored": list(self.unrestored),
            "rollback_error": None if self.rollback_error is None else str(self.rollback_error),
            "rollback_mismatches": {field: list(pair) for field, pair in self.rollback_mismatches.items()},
            "status": None if self.state is None else self.state.status.value,
        }


def _shown_mismatches(mismatches: Mapping[str, tuple[Any, Any]]) -> str:
    return "; ".join(f"{field} is {found!r} (asked {asked!r})" for field, (asked, found) in mismatches.items())
