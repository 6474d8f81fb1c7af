"""The state record of plan and apply: what was last applied to each endpoint, in a local JSON file.

The API cannot read back some of what it was sent (an endpoint's model repository and revision, and
the engine options its specification does not report), so ``plan`` compares those with what the last
``apply`` sent, which this record keeps. It also knows which fields a file managed (so a field taken
out of the file is reported, not silently forgotten), which endpoint an entry is (its id: a same-named
endpoint made outside is not taken for it), and which endpoints are protected from ``prune``.

The file's format (version 1), documented so that a CI job can keep it between runs::

    {
      "format": "friendli-dedicated-state",
      "version": 1,
      "lineage": "5f0c…",          # made with the file; a saved plan names the record it read
      "serial": 4,                 # +1 on every write; a saved plan refuses a record that moved
      "team_id": "team-1",         # the team it was kept for (null: none); another team's is refused
      "updated_at": "2026-01-01T00:00:00Z",
      "projects": {
        "<project id>": {
          "<endpoint name>": {
            "endpoint_id": "ep-…",
            "applied": {"model": "org/model", "instance": "1x H100", "engine.max_batch_size": 64},
            "delete_protection": false,
            "created_at": "…", "updated_at": "…"
          }
        }
      }
    }

It holds no token and no secret. It is written atomically (a temporary file in the same folder,
flushed to disk, then renamed over the old one), so a reader sees the old record or the new one,
never half of one; an apply holds its lock (``<path>.lock``, the ``manage`` extra) from start to end,
so two applies cannot run at once: the second fails at once with ``StateLockedError`` naming the lock.

>>> record = StateRecord.from_json('{"format": "friendli-dedicated-state", "version": 1, "serial": 2}', "s.json")
>>> record.serial, record.get("p", "chat")
(2, None)
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import os
import secrets
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

import attrs

from friendli_dedicated._validate import path_text
from friendli_dedicated.errors import StateFileError

__all__ = ["DEFAULT_STATE_PATH", "FORMAT", "VERSION", "StateEntry", "StateFile", "StateRecord", "now_text"]

FORMAT = "friendli-dedicated-state"
VERSION = 1
DEFAULT_STATE_PATH = "friendli-dedicated.state.json"
"""Where the record is kept when no path is given (relative to the working directory)."""


def now_text() -> str:
    """The wall-clock time, UTC, as the record writes timestamps (for people; nothing compares them)."""
    return dt.datetime.now(dt.UTC).isoformat(timespec="seconds").replace("+00:00", "Z")


@attrs.frozen
class StateEntry:
    """What the record knows of one endpoint (``endpoint_id``) named in a desired state.

    ``applied``: the fields the file managed when it was last applied, with the values sent (the
    instance as the file writes it); ``delete_protection``: ``prune`` must not terminate it.
    """

    endpoint_id: str
    applied: Mapping[str, Any] = attrs.field(factory=dict)
    delete_protection: bool = False
    created_at: str | None = None
    updated_at: str | None = None

    def to_mapping(self) -> dict[str, Any]:
        return {
            "endpoint_id": self.endpoint_id,
            "applied": dict(self.applied),
            "delete_protection": self.delete_protection,
            "created_at": self.created_at,
            "updated_at": self.updated_at,
        }


@attrs.frozen
class StateRecord:
    """The state record's content: ``(project, name) -> StateEntry``, and the file's lineage and serial.

    A record that was never written has no ``lineage`` and ``serial`` 0.
    """

    entries: Mapping[tuple[str, str], StateEntry] = attrs.field(factory=dict)
    lineage: str | None = None
    serial: int = 0
    team_id: str | None = None
    updated_at: str | None = None

    def get(self, project_id: str, name: str) -> StateEntry | None:
        """The entry of endpoint ``name`` of ``project_id``, or None."""
        return self.entries.get((project_id, name))

    def fingerprint(self) -> dict[str, Any]:
        """What a plan notes of the record it read, to refuse a record that moved since."""
        return {"lineage": self.lineage, "serial": self.serial}

    def to_json(self) -> str:
        projects: dict[str, dict[str, Any]] = {}
        for (project, name), entry in sorted(self.entries.items()):
            projects.setdefault(project, {})[name] = entry.to_mapping()
        document = {
            "format": FORMAT,
            "version": VERSION,
            "lineage": self.lineage,
            "serial": self.serial,
            "team_id": self.team_id,
            "updated_at": self.updated_at,
            "projects": projects,
        }
        return json.dumps(document, indent=2, ensure_ascii=False) + "\n"

    @classmethod
    def from_json(cls, text: str, path: str) -> StateRecord:
        """Read a record's text; ``StateFileError`` (naming ``path``) if it is not one this SDK can use."""
        try:
            document = json.loads(text)
        except json.JSONDecodeError as error:
            raise StateFileError(f"{path} is not JSON ({error}): is it a state record?", path=path) from None
        if not isinstance(document, dict) or document.get("format") != FORMAT:
            raise StateFileError(
                f"{path} is not a state record of friendli-dedicated (no format {FORMAT!r})", path=path
            )
        version = document.get("version")
        if version != VERSION:
            raise StateFileError(
                f"{path} is a state record of format version {version!r}; this SDK reads version {VERSION} "
                "(a newer SDK wrote it: upgrade friendli-dedicated)",
                path=path,
            )
        try:
            return cls._parse(document)
        except (TypeError, ValueError, AttributeError, KeyError) as error:
            raise StateFileError(
                f"{path} is a damaged state record ({type(error).__name__}: {error})", path=path
            ) from None

    @classmethod
    def _parse(cls, document: Mapping[str, Any]) -> StateRecord:
        entries: dict[tuple[str, str], StateEntry] = {}
        for project, names in (document.get("projects") or {}).items():
            for name, entry in names.items():
                applied = entry.get("applied") or {}
                if not isinstance(entry["endpoint_id"], str) or not isinstance(applied, dict):
                    raise ValueError(f"the entry of {project}/{name}")
                entries[(str(project), str(name))] = StateEntry(
                    endpoint_id=entry["endpoint_id"],
                    applied=applied,
                    delete_protection=entry.get("delete_protection") is True,
                    created_at=entry.get("created_at"),
                    updated_at=entry.get("updated_at"),
                )
        serial = document.get("serial", 0)
        if type(serial) is not int or serial < 0:
            raise ValueError(f"serial {serial!r}")
        lineage, team = document.get("lineage"), document.get("team_id")
        if not (lineage is None or isinstance(lineage, str)) or not (team is None or isinstance(team, str)):
            raise ValueError("lineage or team_id")
        return cls(entries, lineage, serial, team, document.get("updated_at"))


class StateFile:
    """Where the state record is kept: a local JSON file (``fd.StateFile("infra/endpoints.state.json")``).

    ``read()`` gives the record (an empty one if the file does not exist yet); ``write`` replaces it
    atomically; ``lock()`` holds ``<path>.lock`` (the ``manage`` extra), as every apply does. The
    format is documented in the reference (version 1, JSON).

    >>> import pathlib, tempfile
    >>> state = fd.StateFile(pathlib.Path(tempfile.mkdtemp()) / "endpoints.state.json")
    >>> state.read().serial, state.lock_path.name
    (0, 'endpoints.state.json.lock')
    """

    def __init__(self, path: str | os.PathLike[str] = DEFAULT_STATE_PATH) -> None:
        self.path = Path(path_text(path, "path"))
        self.lock_path = self.path.with_name(self.path.name + ".lock")

    def __repr__(self) -> str:
        return f"StateFile({os.fspath(self.path)!r})"

    @classmethod
    def coerce(cls, value: StateFile | str | os.PathLike[str] | None) -> StateFile:
        """A ``StateFile`` as given, or of a path (None: ``DEFAULT_STATE_PATH``); else ``InvalidInputError``
        naming ``state``."""
        if isinstance(value, StateFile):
            return value
        if value is None:
            return cls()
        return cls(path_text(value, "state"))

    def read(self, team_id: str | None = None) -> StateRecord:
        """The record (empty if there is none yet). With ``team_id``, a record kept for another team is
        refused: its endpoint ids would mean nothing to this one."""
        try:
            text = self.path.read_text(encoding="utf-8")
        except FileNotFoundError:
            return StateRecord(team_id=team_id)
        except (OSError, UnicodeDecodeError) as error:
            raise StateFileError(f"{self.path} cannot be read: {error}", path=str(self.path)) from None
        record = StateRecord.from_json(text, str(self.path))
        if team_id is not None and record.team_id is not None and record.team_id != team_id:
            raise StateFileError(
                f"{self.path} is the state record of team {record.team_id!r}; this client acts as team {team_id!r}",
                path=str(self.path),
            )
        return record

    def write(self, record: StateRecord) -> StateRecord:
        """Replace the record atomically with ``record``, its serial one more (a lineage made for a new
        file); returns what was written."""
        written = attrs.evolve(
            record,
            lineage=record.lineage or secrets.token_hex(16),
            serial=record.serial + 1,
            updated_at=now_text(),
        )
        _replace(self.path, written.to_json())
        return written

    @contextlib.contextmanager
    def lock(self) -> Iterator[None]:
        """Hold the record's lock for the block; ``StateLockedError`` at once if an apply holds it."""
        from friendli_dedicated import _manage

        with _manage.hold_lock(self.lock_path):
            yield


def _replace(path: Path, text: str) -> None:
    """Write ``text`` to ``path`` atomically: a temporary file beside it, synced, renamed over it."""
    temporary = path.with_name(f".{path.name}.{secrets.token_hex(4)}.tmp")
    try:
        descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
        with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temporary, path)
    except OSError as error:
        with contextlib.suppress(OSError):
            temporary.unlink()
        raise StateFileError(f"{path} could not be written: {error}", path=str(path)) from None
    if hasattr(os, "O_DIRECTORY"):  # the rename itself, on disk (POSIX)
        with contextlib.suppress(OSError):
            folder = os.open(path.parent, os.O_RDONLY | os.O_DIRECTORY)
            try:
                os.fsync(folder)
            finally:
                os.close(folder)
