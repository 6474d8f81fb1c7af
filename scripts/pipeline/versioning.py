"""The package's semantic version: ``MAJOR.MINOR.PATCH``, read from and written to pyproject.toml.

What moves which number (docs/upkeep.md, "Versions and releases"; docs/versions.md says it to users):

- MAJOR: a breaking contract change (``nox -s regenerate``, from the drift classes) or a breaking change
  of the facade's public Python API (``nox -s bump -- major``; ``nox -s api`` finds them);
- MINOR: additive contract changes only (``regenerate``), or additions to the facade (``bump -- minor``);
- PATCH: fixes of the hand-written layer with neither (``bump -- patch``).

This module needs nothing outside the standard library, so that ``nox -s api`` installs griffe only.

>>> str(Version.parse("1.4.2").bump(Level.MINOR))
'1.5.0'
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum

_VERSION_LINE = re.compile(r'^version = "(?P<version>[^"]*)"$', re.MULTILINE)
_NUMBER = r"(0|[1-9][0-9]*)"
_VERSION = re.compile(rf"{_NUMBER}\.{_NUMBER}\.{_NUMBER}")


class VersionError(ValueError):
    """Raised when a version, or pyproject.toml's version line, is not what this tooling writes."""


class Level(StrEnum):
    """Which number a release moves."""

    MAJOR = "major"
    MINOR = "minor"
    PATCH = "patch"


@dataclass(frozen=True, order=True)
class Version:
    """``MAJOR.MINOR.PATCH``, ordered as numbers.

    >>> Version.parse("2.0.10") > Version.parse("2.0.9")
    True
    """

    major: int
    minor: int
    patch: int

    @classmethod
    def parse(cls, text: str) -> Version:
        """Three numbers without leading zeros; anything else (``1.0``, ``1.0.0rc1``) is refused.

        >>> Version.parse("1.0")
        Traceback (most recent call last):
        ...
        scripts.pipeline.versioning.VersionError: version '1.0' is not MAJOR.MINOR.PATCH (three numbers, e.g. 1.4.2)
        """
        match = _VERSION.fullmatch(text)
        if match is None:
            raise VersionError(f"version {text!r} is not MAJOR.MINOR.PATCH (three numbers, e.g. 1.4.2)")
        return cls(*(int(part) for part in match.groups()))

    def bump(self, level: Level) -> Version:
        """The next version at ``level``: the numbers after it go back to 0.

        >>> [str(Version(1, 4, 2).bump(level)) for level in Level]
        ['2.0.0', '1.5.0', '1.4.3']
        """
        if level is Level.MAJOR:
            return Version(self.major + 1, 0, 0)
        if level is Level.MINOR:
            return Version(self.major, self.minor + 1, 0)
        return Version(self.major, self.minor, self.patch + 1)

    def step_from(self, older: Version) -> Level | None:
        """The level of a release that went from ``older`` to this version (None: not one bump).

        >>> Version(2, 0, 0).step_from(Version(1, 4, 2))
        <Level.MAJOR: 'major'>
        >>> Version(1, 6, 0).step_from(Version(1, 4, 2)) is None
        True
        """
        return next((level for level in Level if older.bump(level) == self), None)

    def __str__(self) -> str:
        return f"{self.major}.{self.minor}.{self.patch}"


def current_version(pyproject_text: str) -> str:
    """The ``version = "..."`` of pyproject.toml's text (the first such line: ``[project]``'s)."""
    match = _VERSION_LINE.search(pyproject_text)
    if match is None:
        raise VersionError('pyproject.toml has no `version = "..."` line in [project]')
    return match["version"]


def with_version(pyproject_text: str, version: Version) -> str:
    """pyproject.toml's text with ``version`` on its version line, nothing else changed."""
    current_version(pyproject_text)  # the same error when the line is missing
    return _VERSION_LINE.sub(f'version = "{version}"', pyproject_text, count=1)


def version_line_pattern(version: str) -> str:
    """A POSIX extended regular expression matching exactly pyproject.toml's line for ``version``
    (for ``git log -G``, which finds the commit that set it).

    >>> version_line_pattern("1.0.0")
    '^version = "1\\\\.0\\\\.0"$'
    """
    return '^version = "' + re.sub(r"([.^$*+?()\[\]{}|\\])", r"\\\1", version) + '"$'
