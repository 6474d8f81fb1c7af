"""The ``manage`` extra: YAML for desired-state files and the lock of the state record (PyYAML, filelock).

Neither library is a dependency of the SDK: JSON desired files and plans need neither, and the rest
of the SDK never imports this module. Each import happens inside ``extra_required()``, which turns a
missing module into an ``ImportError`` that names the extra (its ``name`` is the missing module), as
the emulator's extra does.

YAML is read with PyYAML's safe loader, with two changes: a key that appears twice in one mapping
is refused (the loader would keep the last one silently: two endpoints of one name would become
one), and the line of every key is kept, so that a refusal can say where it is in the file.

>>> data, where = load_yaml("projects:\\n  p:\\n    endpoints: {}\\n", "endpoints.yaml")
>>> data, where(data["projects"], "p")
({'projects': {'p': {'endpoints': {}}}}, 'endpoints.yaml, line 2')
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Generator, Iterator, Mapping
from pathlib import Path
from typing import Any

from friendli_dedicated.errors import InvalidInputError, StateLockedError

__all__ = ["INSTALL", "Locator", "dump_yaml", "extra_required", "hold_lock", "load_yaml", "need_lock"]

INSTALL = 'pip install "friendli-dedicated[manage]"'
"""The command that installs what YAML files and applies need."""

Locator = Callable[[object, object], str | None]
"""``where(mapping, key)``: the place of ``key`` in the file ("endpoints.yaml, line 9"), or None."""


@contextlib.contextmanager
def extra_required(what: str) -> Iterator[None]:
    """Turn a ``ModuleNotFoundError`` raised inside the block into the extra's ``ImportError``."""
    try:
        yield
    except ModuleNotFoundError as missing:
        message = f"{what} needs the 'manage' extra ({missing.name} is missing): {INSTALL}"
        raise ImportError(message, name=missing.name, path=missing.path) from missing


def load_yaml(text: str, source: str) -> tuple[Any, Locator]:
    """Parse YAML ``text`` (from ``source``, for messages); the data, and where each key of it is.

    A syntax error or a key given twice is an ``InvalidInputError`` whose field is ``source``.
    """
    with extra_required("reading a YAML desired-state file"):
        import yaml

    marks: dict[int, dict[object, int]] = {}

    class Loader(yaml.SafeLoader):
        def construct_mapping(self, node: Any, deep: bool = False) -> dict[Any, Any]:
            seen: dict[object, int] = {}
            for key_node, _value in node.value:
                if key_node.tag == "tag:yaml.org,2002:merge":
                    continue
                key = self.construct_object(key_node, deep=True)
                line = key_node.start_mark.line + 1
                if _hashable(key) and key in seen:
                    raise InvalidInputError(
                        source,
                        f"line {line}: the key {key!r} is given twice in one mapping (first on line {seen[key]}); "
                        "YAML would keep only the last",
                    )
                if _hashable(key):
                    seen[key] = line
            mapping = super().construct_mapping(node, deep=deep)  # merges ``<<`` keys into node.value
            lines: dict[object, int] = {}
            for key_node, _value in node.value:
                key = self.construct_object(key_node, deep=True)
                if _hashable(key):
                    lines[key] = key_node.start_mark.line + 1  # the last: it is the one kept
            marks[id(mapping)] = lines
            return mapping

        def construct_yaml_map(self, node: Any) -> Generator[dict[Any, Any], None, None]:
            data: dict[Any, Any] = {}
            yield data
            value = self.construct_mapping(node)
            data.update(value)
            marks[id(data)] = marks.pop(id(value), {})

    Loader.add_constructor("tag:yaml.org,2002:map", Loader.construct_yaml_map)

    try:
        data = yaml.load(text, Loader=Loader)  # noqa: S506 (a subclass of the safe loader)
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        at = f"line {mark.line + 1}, column {mark.column + 1}: " if mark is not None else ""
        problem = getattr(error, "problem", None) or str(error)
        raise InvalidInputError(source, f"is not valid YAML: {at}{problem}") from None
    except RecursionError:
        raise InvalidInputError(source, "is nested too deeply to be a desired-state file") from None

    def where(mapping: object, key: object) -> str | None:
        line = marks.get(id(mapping), {}).get(key) if _hashable(key) else None
        return None if line is None else f"{source}, line {line}"

    return data, where


def _hashable(value: object) -> bool:
    try:
        hash(value)
    except TypeError:
        return False
    return True


def dump_yaml(data: Mapping[str, Any], header: str = "") -> str:
    """``data`` as block-style YAML, keys in their order; ``header`` (comment lines) first."""
    with extra_required("writing a YAML desired-state file"):
        import yaml

    text = yaml.safe_dump(dict(data), sort_keys=False, allow_unicode=True, default_flow_style=False, width=120)
    return header + text


def need_lock() -> None:
    """Raise the extra's ``ImportError`` now if filelock is missing (``apply`` on the command line checks
    it before planning, so that nothing is sent for an apply that cannot hold the lock)."""
    with extra_required("locking the state record"):
        import filelock  # noqa: F401


@contextlib.contextmanager
def hold_lock(lock_path: Path) -> Iterator[None]:
    """Hold the lock file ``lock_path`` for the block, or raise ``StateLockedError`` at once if another
    process (or another apply of this one) holds it. The operating system releases it if the holder dies."""
    with extra_required("locking the state record"):
        import filelock

    lock = filelock.FileLock(str(lock_path), timeout=0, thread_local=False)
    try:
        lock.acquire()
    except filelock.Timeout:
        raise StateLockedError(
            f"another apply holds the lock {lock_path} on the state record: wait until it ends "
            "(the lock is released when that process ends, even if it crashed)",
            lock_path=str(lock_path),
        ) from None
    try:
        yield
    finally:
        lock.release()
