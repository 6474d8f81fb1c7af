"""The desired-state file: what endpoints each project should have, loaded and checked with the SDK's own rules.

The file (YAML, or JSON; ``desired.schema.json`` is its JSON Schema, built from the contract)::

    version: 1                       # optional
    projects:
      <project id>:
        endpoints:
          <endpoint name>:
            model: org/model         # required; null: unknown (not managed; no create)
            revision: main           # optional
            instance: 1x H100        # required: as InstanceOption.parse reads it, or a contract id
            autoscaling: {min: 0, max: 2, cooldown: 300}   # optional, each key too; or {replicas: 2}
            engine: {max_batch_size: 256}                  # optional: the contract's engine options
            comment: bigger batches  # optional: the comment of the version a change makes
            delete_protection: true  # optional: prune never terminates it

Every value is checked as ``create`` checks it (``InstanceOption.parse``, ``Autoscaling``, the
contract's engine-option table, the SDK's text and id rules), before any request: a refusal is an
``InvalidInputError`` whose ``field`` is the place in the file
(``projects.p.endpoints.chat.engine.max_batch_size``), with the line in YAML files. Only the fields a
file states are managed (see ``_diff``); a key given twice is refused rather than silently dropped.

>>> desired = Desired.from_mapping({"projects": {"p": {"endpoints": {"chat": {"model": "org/m", "instance": "H100"}}}}})
>>> [(ep.project_id, ep.name, str(ep.instance)) for ep in desired.endpoints()]
[('p', 'chat', '1x NVIDIA H100')]
"""

from __future__ import annotations

import datetime as dt
import json
import os
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

import attrs

from friendli_dedicated import _desired_schema
from friendli_dedicated._autoscaling import Autoscaling
from friendli_dedicated._engine import OPTIONS, check_value
from friendli_dedicated._instances import InstanceOption, UnlistedInstanceOption
from friendli_dedicated._validate import identifier, path_text, shown, text
from friendli_dedicated.errors import InvalidInputError

__all__ = ["ENDPOINT_KEYS", "Desired", "DesiredEndpoint", "in_file_words", "instance_text", "read_text", "scaling"]

ENDPOINT_KEYS = ("model", "revision", "instance", "autoscaling", "engine", "comment", "delete_protection")
"""The keys of an endpoint in the file, in the order ``to_mapping`` writes them."""
_POLICY_KEYS = ("min", "max", "cooldown")
_EXPORT_HEADER = (
    "# Desired state of Friendli Dedicated Endpoints (friendli-dedicated plan/apply).\n"
    "# model: null means the API cannot say which model runs there: set it to manage the model.\n"
)


def instance_text(option: InstanceOption | UnlistedInstanceOption) -> str:
    """How the file writes an instance: "2x H100" (an unlisted option: its id).

    >>> instance_text(InstanceOption.parse("2x NVIDIA H100"))
    '2x H100'
    """
    if isinstance(option, UnlistedInstanceOption):
        return option.id
    return f"{option.count}x {option.gpu.value.removeprefix('NVIDIA ')}"


def scaling(stated: Mapping[str, int], current: Mapping[str, int] | None = None) -> Autoscaling | None:
    """The ``Autoscaling`` the stated keys of a file's block ask for, the others taken from ``current``
    (an endpoint's ``min``, ``max``, ``cooldown``) or, for a create, from the defaults: min 0, max at
    least 1 and at least min, cooldown 300. None for no block; ``{replicas: n}`` is ``fixed(n)``.

    >>> scaling({"max": 3}), scaling({"replicas": 2})
    (Autoscaling(min_replicas=0, max_replicas=3, cooldown=300), Autoscaling.fixed(2))
    >>> scaling({"min": 1}, {"min": 0, "max": 4, "cooldown": 60})
    Autoscaling(min_replicas=1, max_replicas=4, cooldown=60)
    """
    if not stated:
        return None
    if "replicas" in stated:
        return Autoscaling.fixed(stated["replicas"])
    base = dict(current or {})
    low = stated.get("min", base.get("min", 0))
    high = stated.get("max", base.get("max", max(1, low)))
    cooldown = stated.get("cooldown", base.get("cooldown", 300))
    return Autoscaling(min_replicas=low, max_replicas=high, cooldown=cooldown)


def in_file_words(message: str) -> str:
    """An ``Autoscaling`` refusal in the words of the file, whose keys are ``min`` and ``max``.

    >>> in_file_words("must be at least min_replicas (3), got 1")
    'must be at least min (3), got 1'
    """
    return message.replace("min_replicas", "min").replace("max_replicas", "max")


@attrs.frozen
class DesiredEndpoint:
    """One endpoint of a desired state: what the file states of it, checked (unstated: None or empty).

    ``autoscaling`` holds the stated keys of the file's block (``min``, ``max``, ``cooldown``, or
    ``replicas``); ``engine`` the stated engine options. ``model`` None means unknown: not managed.
    """

    project_id: str
    name: str
    model: str | None
    instance: InstanceOption | UnlistedInstanceOption
    revision: str | None = None
    autoscaling: Mapping[str, int] = attrs.field(factory=dict)
    engine: Mapping[str, Any] = attrs.field(factory=dict)
    comment: str | None = None
    delete_protection: bool = False

    @property
    def place(self) -> str:
        """Where it is in the file: ``projects.<project>.endpoints.<name>``."""
        return f"projects.{self.project_id}.endpoints.{self.name}"

    def fields(self) -> dict[str, Any]:
        """The fields it manages, as ``field -> value`` (``model``, ``instance``, ``autoscaling.min``,
        ``engine.max_batch_size``, ...): those the file states (a fixed count states min, max and cooldown)."""
        fields: dict[str, Any] = {"instance": self.instance}
        if self.model is not None:
            fields["model"] = self.model
        if self.revision is not None:
            fields["revision"] = self.revision
        scaling = dict(self.autoscaling)
        if "replicas" in scaling:
            count = scaling.pop("replicas")
            scaling = {"min": count, "max": count, "cooldown": 0}
        fields.update((f"autoscaling.{key}", value) for key, value in scaling.items())
        fields.update((f"engine.{name}", value) for name, value in self.engine.items())
        return fields

    def scaling_for(self, current: Mapping[str, int] | None = None) -> Autoscaling | None:
        """The ``Autoscaling`` to send: the stated keys over ``current`` (the endpoint's ``min``, ``max``
        and ``cooldown``), or over the defaults (see ``scaling``). None when the file states none."""
        return scaling(self.autoscaling, current)

    def to_mapping(self) -> dict[str, Any]:
        """The endpoint as the file writes it (stated keys only)."""
        entry: dict[str, Any] = {"model": self.model}
        if self.revision is not None:
            entry["revision"] = self.revision
        entry["instance"] = instance_text(self.instance)
        if self.autoscaling:
            entry["autoscaling"] = dict(self.autoscaling)
        if self.engine:
            entry["engine"] = dict(self.engine)
        if self.comment is not None:
            entry["comment"] = self.comment
        if self.delete_protection:
            entry["delete_protection"] = True
        return entry


@attrs.frozen
class Desired:
    """A desired state: the endpoints each project should have (``fd.Desired.load("endpoints.yaml")``).

    Only the projects it names are looked at by ``plan``; in them, only the endpoints it names are
    changed, and only in the fields it states (``prune`` terminates the others).

    >>> desired = fd.Desired.from_mapping({
    ...     "projects": {"proj": {"endpoints": {
    ...         "chat": {"model": "org/model", "instance": "1x H100", "engine": {"max_batch_size": 64}}}}}})
    >>> desired.get("proj", "chat").fields()["engine.max_batch_size"]
    64
    >>> fd.Desired.from_mapping({"projects": {"proj": {"endpoints": {"chat": {"model": "org/model"}}}}})
    Traceback (most recent call last):
    friendli_dedicated.errors.InvalidInputError: projects.proj.endpoints.chat.instance: is required (...)
    """

    projects: Mapping[str, Mapping[str, DesiredEndpoint]]

    @classmethod
    def load(cls, path: str | os.PathLike[str]) -> Desired:
        """Read and check a desired-state file: YAML (``.yaml``, ``.yml``: the ``manage`` extra) or JSON
        (``.json``, or any other file whose text starts with ``{``). Refusals name the place in it."""
        source = path_text(path, "path")
        return cls._parse(read_text(source), source)

    @classmethod
    def _parse(cls, raw: str, source: str) -> Desired:
        """``load``, of the text ``raw`` read from ``source`` (read once: it may be a pipe, ``<(...)``)."""
        suffix = Path(source).suffix.lower()
        if suffix == ".json" or (suffix not in (".yaml", ".yml") and raw.lstrip().startswith("{")):
            return cls.from_mapping(_load_json(raw, source))
        from friendli_dedicated import _manage

        data, where = _manage.load_yaml(raw, source)
        return cls._read(data, where)

    @classmethod
    def from_mapping(cls, data: Mapping[str, Any]) -> Desired:
        """Check a desired state given as data (what the file holds, parsed)."""
        return cls._read(data, lambda _mapping, _key: None)

    @classmethod
    def _read(cls, data: object, where: Any) -> Desired:
        return _Reader(where).desired(data)

    @staticmethod
    def json_schema() -> dict[str, Any]:
        """The file's JSON Schema (draft 2020-12), built from the pinned contract; the package ships it
        as ``friendli_dedicated/desired.schema.json`` for editors.

        >>> fd.Desired.json_schema()["$defs"]["engine"]["properties"]["max_batch_size"]["type"]
        'integer'
        """
        return _desired_schema.current()

    def endpoints(self) -> Iterator[DesiredEndpoint]:
        """Every endpoint, project by project, in the file's order."""
        for endpoints in self.projects.values():
            yield from endpoints.values()

    def get(self, project_id: str, name: str) -> DesiredEndpoint | None:
        """The endpoint ``name`` of ``project_id``, or None."""
        return self.projects.get(project_id, {}).get(name)

    def to_mapping(self) -> dict[str, Any]:
        """The desired state as the file writes it (``from_mapping`` reads it back to an equal value)."""
        projects = {
            project: {"endpoints": {name: ep.to_mapping() for name, ep in endpoints.items()}}
            for project, endpoints in self.projects.items()
        }
        return {"version": _desired_schema.FORMAT_VERSION, "projects": projects}

    def to_json(self) -> str:
        """The file as JSON text."""
        return json.dumps(self.to_mapping(), indent=2, ensure_ascii=False) + "\n"

    def to_yaml(self) -> str:
        """The file as YAML text, with a header that says what ``model: null`` means (the ``manage`` extra)."""
        from friendli_dedicated import _manage

        return _manage.dump_yaml(self.to_mapping(), header=_EXPORT_HEADER)

    def dump(self, path: str | os.PathLike[str]) -> None:
        """Write the file: JSON for a ``.json`` path, else YAML."""
        target = Path(path_text(path, "path"))
        content = self.to_json() if target.suffix.lower() == ".json" else self.to_yaml()
        target.write_text(content, encoding="utf-8")


def read_text(path: str | os.PathLike[str]) -> str:
    """The text of the file ``path``, or an ``InvalidInputError`` naming it (unreadable, not UTF-8)."""
    source = path_text(path, "path")
    try:
        # utf-8-sig: an editor's byte-order mark (Windows PowerShell writes one) is not part of the text.
        return Path(source).read_text(encoding="utf-8-sig")
    except UnicodeDecodeError as error:
        raise InvalidInputError(
            source, f"is not UTF-8 text (byte {error.start}): save it as UTF-8 (UTF-16 is not read)"
        ) from None
    except OSError as error:
        raise InvalidInputError(source, f"cannot be read: {error}") from None


def _load_json(raw: str, source: str) -> Any:
    def pairs(items: list[tuple[str, Any]]) -> dict[str, Any]:
        mapping: dict[str, Any] = {}
        for key, value in items:
            if key in mapping:
                raise InvalidInputError(source, f"the key {key!r} is given twice in one object")
            mapping[key] = value
        return mapping

    try:
        return json.loads(raw, object_pairs_hook=pairs)
    except json.JSONDecodeError as error:
        raise InvalidInputError(
            source, f"is not valid JSON: line {error.lineno}, column {error.colno}: {error.msg}"
        ) from None
    except RecursionError:
        raise InvalidInputError(source, "is nested too deeply to be a desired-state file") from None


class _Reader:
    """Checks a parsed file, naming each refusal's place (and its line, where ``where`` knows it)."""

    def __init__(self, where: Any) -> None:
        self.where = where

    def refuse(self, field: str, message: str, mapping: object = None, key: object = None) -> InvalidInputError:
        location = self.where(mapping, key) if mapping is not None else None
        return InvalidInputError(field, f"{message} ({location})" if location else message)

    def mapping(self, value: object, field: str, parent: object = None, key: object = None) -> Mapping[Any, Any]:
        if not isinstance(value, Mapping):
            raise self.refuse(field, f"must be a mapping, got {_kind(value)}", parent, key)
        return value

    def keys(self, mapping: Mapping[Any, Any], field: str, allowed: tuple[str, ...]) -> None:
        for key in mapping:
            if key not in allowed:
                where = f"{field}.{key}" if field else str(key)
                raise self.refuse(where, f"is not a key here (expected one of: {', '.join(allowed)})", mapping, key)

    def desired(self, data: object) -> Desired:
        root = self.mapping(data, "(file)")
        self.keys(root, "", ("version", "projects"))
        if "version" in root and (type(root["version"]) is not int or root["version"] != 1):
            raise self.refuse("version", f"must be 1, got {shown(root['version'])}", root, "version")
        if "projects" not in root:
            raise self.refuse("projects", "is required (a mapping of project ids to their endpoints)")
        projects = self.mapping(root["projects"], "projects", root, "projects")
        checked: dict[str, dict[str, DesiredEndpoint]] = {}
        for project_key, body in projects.items():
            field = f"projects.{project_key}"
            if not isinstance(project_key, str):
                raise self.refuse(field, f"a project id must be text, got {_kind(project_key)}", projects, project_key)
            try:
                project = identifier(project_key, field)
            except InvalidInputError as error:
                raise self.refuse(field, error.message, projects, project_key) from None
            section = self.mapping(body, field, projects, project_key)
            self.keys(section, field, ("endpoints",))
            if "endpoints" not in section:
                raise self.refuse(
                    f"{field}.endpoints", "is required (a mapping of names to endpoints)", projects, project_key
                )
            endpoints = self.mapping(section["endpoints"], f"{field}.endpoints", section, "endpoints")
            checked[project] = {}
            for name_key, entry in endpoints.items():
                place = f"{field}.endpoints.{name_key}"
                if not isinstance(name_key, str):
                    raise self.refuse(
                        place, f"an endpoint name must be text, got {_kind(name_key)}", endpoints, name_key
                    )
                try:
                    name = text(name_key, place)
                except InvalidInputError as error:
                    raise self.refuse(place, error.message, endpoints, name_key) from None
                assert name is not None
                checked[project][name] = self.endpoint(project, name, place, entry, endpoints)
        return Desired(checked)

    def endpoint(
        self, project: str, name: str, place: str, entry: object, parent: Mapping[Any, Any]
    ) -> DesiredEndpoint:
        body = self.mapping(entry, place, parent, name)
        self.keys(body, place, ENDPOINT_KEYS)
        for required in ("model", "instance"):
            if required not in body:
                what = "null for an unknown model" if required == "model" else "e.g. '1x H100'"
                raise self.refuse(f"{place}.{required}", f"is required ({what})", parent, name)
        model = None if body["model"] is None else self.text(body, "model", place)
        instance_value = body["instance"]
        if not isinstance(instance_value, str):
            raise self.refuse(
                f"{place}.instance", f"must be text such as '2x H100', got {_kind(instance_value)}", body, "instance"
            )
        try:
            instance = InstanceOption.coerce(instance_value, field=f"{place}.instance")
        except InvalidInputError as error:
            raise self.refuse(error.field, error.message, body, "instance") from None
        protection = body.get("delete_protection", False)
        if not isinstance(protection, bool):
            raise self.refuse(
                f"{place}.delete_protection",
                f"must be true or false, got {_kind(protection)}",
                body,
                "delete_protection",
            )
        return DesiredEndpoint(
            project_id=project,
            name=name,
            model=model,
            instance=instance,
            revision=self.text(body, "revision", place) if "revision" in body else None,
            autoscaling=self.autoscaling(body, place) if "autoscaling" in body else {},
            engine=self.engine(body, place) if "engine" in body else {},
            comment=self.text(body, "comment", place) if "comment" in body else None,
            delete_protection=protection,
        )

    def text(self, body: Mapping[Any, Any], key: str, place: str) -> str:
        value, field = body[key], f"{place}.{key}"
        if not isinstance(value, str):
            raise self.refuse(field, f"must be text, got {_kind(value)}", body, key)
        try:
            checked = text(value, field)
        except InvalidInputError as error:
            raise self.refuse(field, error.message, body, key) from None
        assert checked is not None
        return checked

    def autoscaling(self, body: Mapping[Any, Any], place: str) -> dict[str, int]:
        field = f"{place}.autoscaling"
        block = self.mapping(body["autoscaling"], field, body, "autoscaling")
        fixed = "replicas" in block
        self.keys(block, field, ("replicas",) if fixed else _POLICY_KEYS)
        stated: dict[str, int] = {}
        for key, value in block.items():
            if type(value) is not int:
                raise self.refuse(f"{field}.{key}", f"must be a whole number, got {_kind(value)}", block, key)
            stated[key] = value
        try:
            scaling(stated)
        except InvalidInputError as error:
            blamed = error.field.rpartition(".")[2]
            key = {"min_replicas": "min", "max_replicas": "max"}.get(blamed, blamed)
            raise self.refuse(f"{field}.{key}", in_file_words(error.message), block, key) from None
        return stated

    def engine(self, body: Mapping[Any, Any], place: str) -> dict[str, Any]:
        field = f"{place}.engine"
        block = self.mapping(body["engine"], field, body, "engine")
        checked: dict[str, Any] = {}
        for key, value in block.items():
            option = OPTIONS.get(key) if isinstance(key, str) else None
            if option is None:
                valid = ", ".join(OPTIONS)
                raise self.refuse(
                    f"{field}.{key}", f"is not an engine option of the pinned contract (valid: {valid})", block, key
                )
            if value is None:
                raise self.refuse(
                    f"{field}.{key}",
                    "cannot be null (the API keeps a value it is not sent: remove the key instead)",
                    block,
                    key,
                )
            if option.enum and value not in option.enum:
                raise self.refuse(
                    f"{field}.{key}", f"must be one of {', '.join(option.enum)}, got {_kind(value)}", block, key
                )
            try:
                checked[key] = check_value(option, value, field=f"{field}.{key}")
            except InvalidInputError as error:
                raise self.refuse(error.field, error.message, block, key) from None
        return checked


def _kind(value: object) -> str:
    """A value as a refusal shows it, with YAML's usual surprises pointed out."""
    if isinstance(value, bool):
        return f"{shown(value)} (YAML reads yes/no/on/off/true/false as booleans: quote it if it is text)"
    if isinstance(value, int | float):  # an int: digits, or YAML's octal (0123 is 83) and hex (0x10 is 16)
        return f"the number {shown(value)} (quote it if it is text)"
    if isinstance(value, dt.date):  # YAML reads 2024-01-01 as a date
        return f"the date {value.isoformat()} (quote it if it is text)"
    if isinstance(value, list | tuple):
        return "a list"
    if isinstance(value, Mapping):
        return "a mapping"
    if value is None:
        return "null (an empty value)"
    return shown(value)
