"""A plan: what ``apply`` would do to each endpoint, and what it was planned against; as text, JSON, a file.

``client.plan(desired)`` returns a ``Plan`` (``_planner`` makes it). Each ``PlannedAction`` says, for
one endpoint of the file (project and name), whether it is created, updated (each field old -> new),
left as it is (``noop``), terminated (``prune``), or cannot be planned (``error``: two endpoints of
its name, a create without a model, ...). Fields that could not be compared are listed as
``unknown`` and sent, never reported as unchanged; fields the file no longer states are ``released``:
they keep their value, and the plan says so.

What the CLI needs is here as data: ``render()`` (a readable diff), ``to_json()`` (the list of
actions), ``exit_code(detailed=...)`` (0 no change, 2 changes, 1 errors), and ``save``/``load`` for a
plan applied later. A saved plan carries what it was planned against (the state record's lineage and
serial, the endpoints listed, a fingerprint of each specification it acts on), and ``apply`` refuses
it with ``PlanStaleError`` if that changed since.

>>> action = PlannedAction("p", "chat", "update", "ep-1", changes={"engine.max_batch_size": (128, 64)})
>>> action.to_json()["changes"]
{'engine.max_batch_size': [128, 64]}
"""

from __future__ import annotations

import json
import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import attrs

from friendli_dedicated._desired import Desired, DesiredEndpoint
from friendli_dedicated._validate import path_text
from friendli_dedicated._version import __version__
from friendli_dedicated.errors import InvalidInputError

__all__ = ["ACTIONS", "CHANGING", "FOREIGN", "FORMAT", "Plan", "PlannedAction"]

FORMAT = "friendli-dedicated-plan"
VERSION = 1
ACTIONS = ("create", "update", "noop", "terminate", "error")
"""What a plan may do to an endpoint (``unmanaged`` marks the endpoints of ``Plan.unmanaged``)."""
CHANGING = frozenset({"create", "update", "terminate"})
FOREIGN = "not in the file"
"""The reason of an unmanaged endpoint the record never knew (``_planner`` gives it)."""
_SIGNS = {"create": "+", "update": "~", "noop": "=", "terminate": "-", "error": "!", "unmanaged": "."}
_WORDS = {"create": "create", "update": "update", "noop": "no change", "terminate": "terminate", "error": "error"}


def _json_value(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False)


@attrs.frozen
class PlannedAction:
    """What a plan does to one endpoint.

    - ``action``: ``create``, ``update``, ``noop``, ``terminate`` or ``error`` (``unmanaged`` in
      ``Plan.unmanaged``); ``endpoint_id``: the existing endpoint's id (None for a create);
    - ``changes``: field -> (old, new) for every field sent (old None where it is unknown);
      ``unknown``: those of them that could not be compared; ``released``: fields no longer in the
      file, which keep their value (shown); ``status``: the endpoint's listed status;
    - ``reason``: why an ``error`` (or an ``unmanaged`` endpoint) is what it is;
    - ``desired``: the endpoint as the file wants it (None for a terminate).
    """

    project_id: str
    name: str
    action: str
    endpoint_id: str | None = None
    changes: Mapping[str, tuple[Any, Any]] = attrs.field(factory=dict)
    unknown: tuple[str, ...] = ()
    released: Mapping[str, Any] = attrs.field(factory=dict)
    status: str | None = None
    reason: str | None = None
    desired: DesiredEndpoint | None = attrs.field(default=None, repr=False)
    fingerprint: str | None = attrs.field(default=None, repr=False)
    """What the plan read of the endpoint's specification (``_diff.fingerprint``), to refuse a change since."""

    def to_json(self) -> dict[str, Any]:
        """The action as ``plan --json`` prints it: ``project``, ``name``, ``action``, ``changes``
        (field -> [old, new]) and ``endpoint_id``, ``unknown``, ``released``, ``status``, ``reason``."""
        return {
            "project": self.project_id,
            "name": self.name,
            "action": self.action,
            "endpoint_id": self.endpoint_id,
            "changes": {field: [old, new] for field, (old, new) in self.changes.items()},
            "unknown": list(self.unknown),
            "released": dict(self.released),
            "status": self.status,
            "reason": self.reason,
        }

    def render(self) -> list[str]:
        """The action as lines of the readable diff."""
        who = self.name if self.endpoint_id is None else f"{self.name} ({self.endpoint_id})"
        if self.action in ("error", "unmanaged"):
            head = f"  {_SIGNS[self.action]} {who}: {self.reason}"
        else:
            status = f" [{self.status}]" if self.status not in (None, "RUNNING", "READY") else ""
            head = f"  {_SIGNS[self.action]} {who}: {_WORDS[self.action]}{status}"
        lines = [head]
        if self.reason is not None and self.action not in ("error", "unmanaged"):
            lines.append(f"      ({self.reason})")
        for field, (old, new) in self.changes.items():
            if self.action == "create":
                lines.append(f"      {field}: {_json_value(new)}")
            elif field in self.unknown:
                lines.append(f"      {field}: (unknown: not readable, not recorded) -> {_json_value(new)}")
            else:
                lines.append(f"      {field}: {_json_value(old)} -> {_json_value(new)}")
        lines += [f"      {field}: no longer in the file; keeps {_json_value(v)}" for field, v in self.released.items()]
        return lines

    def to_saved(self) -> dict[str, Any]:
        saved = self.to_json()
        saved["fingerprint"] = self.fingerprint
        saved["desired"] = None if self.desired is None else self.desired.to_mapping()
        return saved

    @classmethod
    def from_saved(cls, data: Mapping[str, Any]) -> PlannedAction:
        project, name, desired = data["project"], data["name"], data.get("desired")
        endpoint = None
        if desired is not None:
            document = {"projects": {project: {"endpoints": {name: desired}}}}
            endpoint = Desired.from_mapping(document).get(project, name)
        return cls(
            project_id=project,
            name=name,
            action=data["action"],
            endpoint_id=data.get("endpoint_id"),
            changes={field: (pair[0], pair[1]) for field, pair in (data.get("changes") or {}).items()},
            unknown=tuple(data.get("unknown") or ()),
            released=dict(data.get("released") or {}),
            status=data.get("status"),
            reason=data.get("reason"),
            desired=endpoint,
            fingerprint=data.get("fingerprint"),
        )


@attrs.frozen
class Plan:
    """What ``apply`` would do, endpoint by endpoint, and what it was planned against.

    ``actions`` covers every endpoint of the file (and, with ``prune``, those to terminate);
    ``unmanaged`` lists the endpoints of the file's projects that it leaves alone. ``render()`` is
    the readable diff, ``to_json()`` the list of actions, ``exit_code(detailed=True)`` 0 / 2 / 1 for
    no change / changes / errors; ``save(path)`` and ``Plan.load(path)`` keep it for a later apply.

    >>> import pathlib, tempfile
    >>> plan = client.plan(fd.Desired.from_mapping(
    ...     {"projects": {"proj": {"endpoints": {"chat": {"model": "org/model", "instance": "1x H100"}}}}}),
    ...     state=pathlib.Path(tempfile.mkdtemp()) / "state.json")
    >>> [(a.name, a.action) for a in plan.actions], plan.exit_code(detailed=True)
    ([('chat', 'create')], 2)
    """

    actions: tuple[PlannedAction, ...]
    projects: tuple[str, ...]
    prune: bool = False
    team_id: str | None = None
    state_path: str | None = None
    state: Mapping[str, Any] = attrs.field(factory=dict)
    """The state record it read: ``{"lineage": ..., "serial": ...}``."""
    listed: Mapping[str, tuple[str, ...]] = attrs.field(factory=dict, repr=False)
    """Project -> the ids of the live endpoints it listed there."""
    unmanaged: tuple[PlannedAction, ...] = ()

    @property
    def has_changes(self) -> bool:
        """Whether applying it would create, update or terminate anything (or change the record)."""
        return any(action.action in CHANGING for action in self.actions)

    @property
    def has_errors(self) -> bool:
        """Whether some endpoint could not be planned (its action is ``error``)."""
        return any(action.action == "error" for action in self.actions)

    def exit_code(self, *, detailed: bool = False) -> int:
        """1 if some endpoint could not be planned; else, with ``detailed``, 2 for changes and 0 for
        none (``plan --detailed-exitcode``, for scheduled drift checks); else 0."""
        if self.has_errors:
            return 1
        return 2 if detailed and self.has_changes else 0

    def counts(self) -> dict[str, int]:
        """How many endpoints of each action (every action named, 0 included)."""
        counts = dict.fromkeys(ACTIONS, 0)
        for action in self.actions:
            counts[action.action] = counts.get(action.action, 0) + 1
        return counts

    def summary(self) -> str:
        """One line: "2 to create, 1 to update, 0 to terminate, 5 unchanged, 0 errors"."""
        counts = self.counts()
        return (
            f"{counts['create']} to create, {counts['update']} to update, {counts['terminate']} to terminate, "
            f"{counts['noop']} unchanged, {counts['error']} errors"
        )

    def render(self) -> str:
        """The readable diff: each project's endpoints with their action and changes, then the summary."""
        lines: list[str] = []
        for project in self.projects:
            lines.append(f"project {project}:")
            lines += [line for a in self.actions if a.project_id == project for line in a.render()]
            # Those the record knew are named (they left the file); the others are counted.
            others = [a for a in self.unmanaged if a.project_id == project]
            lines += [line for a in others if a.reason != FOREIGN for line in a.render()]
            foreign = sum(1 for a in others if a.reason == FOREIGN)
            if foreign:
                lines.append(f"  . {foreign} other endpoint{'s' if foreign > 1 else ''} not in the file: left alone")
        lines.append(f"Plan: {self.summary()}.")
        return "\n".join(lines) + "\n"

    def to_json(self) -> list[dict[str, Any]]:
        """The actions as ``plan --json`` prints them (see ``PlannedAction.to_json``)."""
        return [action.to_json() for action in self.actions]

    def to_dict(self) -> dict[str, Any]:
        """The whole plan, as ``save`` writes it (versioned JSON)."""
        return {
            "format": FORMAT,
            "version": VERSION,
            "sdk_version": __version__,
            "team_id": self.team_id,
            "prune": self.prune,
            "projects": list(self.projects),
            "state": {"path": self.state_path, **self.state},
            "listed": {project: list(ids) for project, ids in self.listed.items()},
            "actions": [action.to_saved() for action in self.actions],
            "unmanaged": [action.to_saved() for action in self.unmanaged],
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any], *, source: str = "plan") -> Plan:
        """Read a saved plan (``InvalidInputError`` naming ``source`` if it is not one, or is damaged)."""
        if not isinstance(data, Mapping) or data.get("format") != FORMAT:
            raise InvalidInputError(source, f"is not a saved plan of friendli-dedicated (no format {FORMAT!r})")
        if data.get("version") != VERSION:
            raise InvalidInputError(
                source, f"is a plan of format version {data.get('version')!r}; this SDK reads {VERSION}"
            )
        try:
            state = dict(data["state"])
            plan = cls(
                actions=tuple(PlannedAction.from_saved(item) for item in data["actions"]),
                projects=tuple(data["projects"]),
                prune=data["prune"] is True,
                team_id=data.get("team_id"),
                state_path=state.pop("path", None),
                state=state,
                listed={project: tuple(ids) for project, ids in data["listed"].items()},
                unmanaged=tuple(PlannedAction.from_saved(item) for item in data.get("unmanaged") or ()),
            )
            problem = plan.damage()
        except InvalidInputError as error:
            raise InvalidInputError(source, f"holds an endpoint that is no longer valid ({error})") from None
        except (KeyError, TypeError, ValueError, AttributeError, IndexError) as error:
            raise InvalidInputError(source, f"is a damaged plan ({type(error).__name__}: {error})") from None
        if problem is not None:
            raise InvalidInputError(source, f"is a damaged plan ({problem})")
        return plan

    def damage(self) -> str | None:
        """What makes the plan one ``apply`` must not carry out (None: nothing), as a plan edited by hand
        or pieced together may be: an action of no known kind or outside the plan's projects, one
        endpoint given two actions (two creates of one name would make two endpoints), an action
        without what it needs (a create without the endpoint it makes does nothing).

        >>> chat = PlannedAction("p", "chat", "noop", "ep-1")
        >>> Plan(actions=(chat, chat), projects=("p",)).damage()
        'p/chat: two actions for the endpoint ep-1'
        """
        named: set[tuple[str, str]] = set()
        ids: set[str] = set()
        for action in self.actions:
            where = f"{action.project_id}/{action.name}"
            if action.action not in ACTIONS:
                return f"{where}: {action.action!r} is not an action (one of: {', '.join(ACTIONS)})"
            if action.project_id not in self.projects:
                return f"{where}: its project is not one of the plan's ({', '.join(self.projects)})"
            key = (action.project_id, action.name)
            if action.desired is not None:  # the file's endpoints; prune may act on two of one name
                if key in named:
                    return f"{where}: two actions for one endpoint"
                named.add(key)
            if action.endpoint_id is not None:
                if action.endpoint_id in ids:
                    return f"{where}: two actions for the endpoint {action.endpoint_id}"
                ids.add(action.endpoint_id)
            needs_id = action.action in ("update", "noop", "terminate")
            if (needs_id and action.endpoint_id is None) or (action.action == "create" and action.endpoint_id):
                return f"{where}: a {action.action} {'without' if needs_id else 'with'} an endpoint id"
            if action.action in ("create", "update") and action.desired is None:
                return f"{where}: a {action.action} without the endpoint the file wants"
        return None

    def save(self, path: str | os.PathLike[str]) -> None:
        """Write the plan to ``path`` (JSON), for ``apply`` later (``plan --out PLAN``)."""
        Path(path_text(path, "path")).write_text(
            json.dumps(self.to_dict(), indent=2, ensure_ascii=False) + "\n", "utf-8"
        )

    @classmethod
    def load(cls, path: str | os.PathLike[str]) -> Plan:
        """Read a plan ``save`` wrote."""
        source = path_text(path, "path")
        try:
            data = json.loads(Path(source).read_text(encoding="utf-8-sig"))  # a BOM an editor added
        except (OSError, UnicodeDecodeError, json.JSONDecodeError) as error:
            raise InvalidInputError(source, f"cannot be read as a plan: {error}") from None
        except RecursionError:
            raise InvalidInputError(source, "cannot be read as a plan: it is nested too deeply") from None
        return cls.from_dict(data, source=source)
