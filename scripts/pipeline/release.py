"""A release in the project files: CHANGELOG.md entries, docs/versions.md, and pyproject.toml's version and summary.

Both ways a version moves go through here: ``nox -s regenerate`` (a contract change) and ``nox -s bump``
(a change of the hand-written layer). Each writes one CHANGELOG.md entry, newest first::

    ## 1.1.0 - 2026-12-01

    Release: MINOR (additive contract changes).

    Contract: https://.../openapi.yaml retrieved 2026-12-01 (sha256 `...`, surface sha256 `...`).

    - additive  components.schemas.InferenceDeploymentStatus: enum value 'SCALING' added

and sets the version and the summary (which carries the pin into the installed metadata) in
pyproject.toml. ``docs/versions.md`` is rendered from CHANGELOG.md alone, so the two cannot disagree;
``problems(root)`` lists every way the committed files could (the tests run it).

>>> render_release_line(Level.PATCH, "fixes of the hand-written layer")
'Release: PATCH (fixes of the hand-written layer).'
"""

from __future__ import annotations

import argparse
import itertools
import re
import sys
from dataclasses import dataclass, field
from pathlib import Path

if __package__ in (None, ""):  # run as `python scripts/<name>.py`: make `scripts` importable
    sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from scripts.pipeline import contract
from scripts.pipeline.contract import Document
from scripts.pipeline.versioning import Level, Version, VersionError, current_version, with_version

ROOT = Path(__file__).resolve().parents[2]
CHANGELOG_TITLE = "# Changelog\n"
VERSIONS_PATH = Path("docs") / "versions.md"
SUMMARY = "Python SDK for Friendli Dedicated Endpoints"
# What a bump writes where a person has to say what changed; a committed CHANGELOG.md must not have it.
PLACEHOLDER = "(say what changed in the hand-written layer, for users)"

# Why a version moved: the words of each entry's "Release:" line.
FIRST_CONTRACT = "the first contract"
BREAKING_CONTRACT = "breaking contract changes"
ADDITIVE_CONTRACT = "additive contract changes"
FACADE_REASONS = {
    Level.MAJOR: "a breaking change of the hand-written layer",
    Level.MINOR: "additions to the hand-written layer",
    Level.PATCH: "fixes of the hand-written layer",
}

_DESCRIPTION_LINE = re.compile(r'^description = "[^"]*"$', re.MULTILINE)
_HEADING = re.compile(r"^## (?P<version>\S+) - (?P<date>\d{4}-\d{2}-\d{2})$")
_RELEASE = re.compile(r"^Release: (?P<level>MAJOR|MINOR|PATCH) \((?P<reason>[^)]+)\)\.$", re.MULTILINE)
_CONTRACT = re.compile(
    r"^Contract: (?P<url>\S+) retrieved (?P<retrieved>\d{4}-\d{2}-\d{2}) "
    r"\(sha256 `(?P<sha256>[0-9a-f]{64})`, surface sha256 `(?P<surface_sha256>[0-9a-f]{64})`\)\.$",
    re.MULTILINE,
)
_CONTRACT_CHANGE = re.compile(r"^- (?P<kind>BREAKING|additive)  ", re.MULTILINE)
_BULLET = re.compile(r"^- ", re.MULTILINE)


class ReleaseError(RuntimeError):
    """Raised when the project files cannot take a release (the message names the file and the line)."""


@dataclass(frozen=True)
class Entry:
    """One CHANGELOG.md entry, as written by ``render_entry``."""

    version: str
    date: str
    level: Level
    reason: str
    pin: dict[str, str]
    text: str
    contract_changes: dict[str, int] = field(default_factory=dict)  # "BREAKING"/"additive" -> count
    other_changes: int = 0

    def anchor(self) -> str:
        """The heading's anchor as GitHub renders it (``1.0.0 - 2026-11-30`` -> ``100---2026-11-30``)."""
        return re.sub(r"[^a-z0-9 _-]", "", f"{self.version} - {self.date}".lower()).replace(" ", "-")


# -- pyproject.toml ---------------------------------------------------------------------------------
def summary(pin: dict[str, str]) -> str:
    """The distribution's one-line summary, which carries the pin into the installed metadata."""
    return (
        f"{SUMMARY} (API contract: upstream sha256 {pin['sha256']}, "
        f"surface sha256 {pin['surface_sha256']}, retrieved {pin['retrieved']})"
    )


def with_release(pyproject_text: str, version: Version, pin: dict[str, str]) -> str:
    """pyproject.toml's text with ``version`` and the summary naming ``pin``; nothing else changed."""
    if _DESCRIPTION_LINE.search(pyproject_text) is None:
        raise ReleaseError('pyproject.toml has no `description = "..."` line in [project]')
    try:
        text = with_version(pyproject_text, version)
    except VersionError as exc:
        raise ReleaseError(str(exc)) from exc
    return _DESCRIPTION_LINE.sub(f'description = "{summary(pin)}"', text, count=1)


# -- CHANGELOG.md -----------------------------------------------------------------------------------
def render_release_line(level: Level, reason: str) -> str:
    return f"Release: {level.name} ({reason})."


def render_contract_line(pin: dict[str, str]) -> str:
    return (
        f"Contract: {pin['url']} retrieved {pin['retrieved']} "
        f"(sha256 `{pin['sha256']}`, surface sha256 `{pin['surface_sha256']}`)."
    )


def render_entry(
    version: Version, date: str, level: Level, reason: str, pin: dict[str, str], bullets: list[str]
) -> str:
    """A CHANGELOG.md entry: heading, why the version moved, the contract pin, then one bullet per change."""
    lines = [
        f"## {version} - {date}",
        "",
        render_release_line(level, reason),
        "",
        render_contract_line(pin),
        "",
        *(f"- {bullet}" for bullet in bullets),
    ]
    return "\n".join(lines) + "\n"


def first_contract_bullet(document: Document) -> str:
    operations = sum(len(item) for item in document["paths"].values())
    schemas = len(document["components"].get("schemas", {}))
    options = len(document.get(contract.INSTANCE_OPTIONS_KEY) or [])
    return f"First contract: {operations} operations, {schemas} schemas, {options} instance options."


def with_entry(changelog_text: str, entry: str) -> str:
    """CHANGELOG.md's text with ``entry`` below the title, newest first."""
    if not changelog_text.startswith(CHANGELOG_TITLE):
        raise ReleaseError(f"CHANGELOG.md does not start with {CHANGELOG_TITLE.strip()!r}")
    rest = changelog_text[len(CHANGELOG_TITLE) :].lstrip("\n")
    return f"{CHANGELOG_TITLE}\n{entry}" + (f"\n{rest}" if rest else "")


def entries(changelog_text: str) -> list[Entry]:
    """Every entry of CHANGELOG.md, newest first; an entry not in the written form is an error naming it."""
    if not changelog_text.startswith(CHANGELOG_TITLE):
        raise ReleaseError(f"CHANGELOG.md does not start with {CHANGELOG_TITLE.strip()!r}")
    found = []
    for chunk in changelog_text.split("\n## ")[1:]:
        text = f"## {chunk.rstrip()}\n"
        heading = _HEADING.match(text.splitlines()[0])
        if heading is None:
            raise ReleaseError(f"CHANGELOG.md: heading {text.splitlines()[0]!r} is not '## VERSION - YYYY-MM-DD'")
        release, pin = _RELEASE.search(text), _CONTRACT.search(text)
        if release is None or pin is None:
            missing = "'Release: LEVEL (why).'" if release is None else "'Contract: URL retrieved DATE (...).'"
            raise ReleaseError(f"CHANGELOG.md: the entry {heading['version']} has no {missing} line")
        kinds = _CONTRACT_CHANGE.findall(text)
        found.append(
            Entry(
                version=heading["version"],
                date=heading["date"],
                level=Level(release["level"].lower()),
                reason=release["reason"],
                pin={key: pin[key] for key in ("url", "sha256", "surface_sha256", "retrieved")},
                text=text,
                contract_changes={kind: kinds.count(kind) for kind in ("BREAKING", "additive") if kind in kinds},
                other_changes=len(_BULLET.findall(text)) - len(kinds),
            )
        )
    return found


# -- docs/versions.md -------------------------------------------------------------------------------
VERSIONS_INTRO = """\
# Versions

<!-- Rendered from CHANGELOG.md by scripts/pipeline/release.py (nox -s regenerate, nox -s bump): do not edit. -->

Every version of `friendli-dedicated`, the API contract it was generated from, and why its number
moved. The full list of changes of each is in [CHANGELOG.md](../CHANGELOG.md).

## The promise

Versions are semantic, `MAJOR.MINOR.PATCH`, and the tooling moves them, not a person's judgement:

- **MAJOR** moves for a *breaking* change of the API contract (the drift check's classes: an
  operation, parameter, property, enum value or instance option removed, an input narrowed, an output
  widened, ...) or of the facade's public Python API (a public name of `friendli_dedicated` or of its
  public modules removed, a parameter removed, renamed, made required or moved, ...: griffe's check
  against the last release, `nox -s api`).
- **MINOR** moves for *additive* contract changes only (an operation, an optional parameter, an enum
  value, an instance option added, ...) or for additions to the facade.
- **PATCH** moves for fixes of the hand-written layer that change neither the contract nor the public
  API.

So a downstream service that declares `friendli-dedicated~=1.2` (that is `>=1.2,<2`) takes every
additive contract and every fix from 1.2 on, and never a breaking contract change or a breaking facade
change. `~=1.2.0` (`>=1.2.0,<1.3`) takes fixes only; `==1.2.0` pins one contract and one facade.

A new upstream document whose surface is the pinned one (the same bytes, or a change of prose or of
operations outside the SDK's surface) makes no version at all: the pin of a version is the upstream
document its contract was first extracted from.

What the promise does not cover: names starting with `_` (private modules included); the behaviour of
the service behind the API, which the contract describes but does not fix; and changes of behaviour
that keep every signature (these are described in the changelog, and a change that breaks a
documented behaviour is released as MAJOR by hand: `nox -s bump -- major`).

Each version names its contract three ways: the distribution's summary (`pip show friendli-dedicated`),
`friendli_dedicated.CONTRACT_PIN` at run time, and the `User-Agent` header of every request
(`friendli-dedicated/VERSION (contract <upstream sha256[:12]>/<surface sha256[:12]>; ...)`).

## Every version

| Version | Date | Release | Contract retrieved | Surface sha256 | Upstream sha256 | Changes |
| --- | --- | --- | --- | --- | --- | --- |
"""


def render_versions(changelog_entries: list[Entry]) -> str:
    """docs/versions.md for the entries of CHANGELOG.md (newest first)."""
    rows = [
        f"| {entry.version} | {entry.date} | {entry.level.name}: {_cell(entry.reason)} | {entry.pin['retrieved']} "
        f"| `{entry.pin['surface_sha256']}` | `{entry.pin['sha256']}` "
        f"| [{_changes(entry)}](../CHANGELOG.md#{entry.anchor()}) |"
        for entry in changelog_entries
    ]
    return VERSIONS_INTRO + "\n".join(rows) + "\n"


def _cell(text: str) -> str:
    """Text safe in a Markdown table cell."""
    return text.replace("|", "\\|")


def _changes(entry: Entry) -> str:
    """``contract: 1 breaking, 2 additive; 3 notes``: the entry's bullets, counted."""
    counts = [
        f"{count} {kind.lower()}" for kind in ("BREAKING", "additive") if (count := entry.contract_changes.get(kind))
    ]
    parts = [f"contract: {', '.join(counts)}"] if counts else []
    if entry.other_changes:
        parts.append(f"{entry.other_changes} note{'s' if entry.other_changes > 1 else ''}")
    return "; ".join(parts) or "none listed"


# -- the project ------------------------------------------------------------------------------------
@dataclass(frozen=True)
class ProjectTexts:
    """The new texts of the files a release writes (computed, and checked, before any is written)."""

    pyproject: str
    changelog: str
    versions: str


def prepare(root: Path, version: Version, entry: str, pin: dict[str, str]) -> ProjectTexts:
    """The release's texts for the project under ``root``: raises ``ReleaseError`` and writes nothing."""
    pyproject = with_release((root / "pyproject.toml").read_text(encoding="utf-8"), version, pin)
    changelog_path = root / "CHANGELOG.md"
    old_changelog = changelog_path.read_text(encoding="utf-8") if changelog_path.exists() else CHANGELOG_TITLE
    changelog = with_entry(old_changelog, entry)
    return ProjectTexts(pyproject=pyproject, changelog=changelog, versions=render_versions(entries(changelog)))


def write(root: Path, texts: ProjectTexts) -> None:
    (root / "pyproject.toml").write_text(texts.pyproject, encoding="utf-8")
    (root / "CHANGELOG.md").write_text(texts.changelog, encoding="utf-8")
    versions = root / VERSIONS_PATH
    versions.parent.mkdir(parents=True, exist_ok=True)
    versions.write_text(texts.versions, encoding="utf-8")


def problems(root: Path) -> list[str]:
    """Every way the project's version, summary, pin, CHANGELOG.md and docs/versions.md disagree (empty: none).

    - CHANGELOG.md parses, its newest entry is pyproject.toml's version, and each entry's "Release:"
      level is the step from the entry before it;
    - the newest entry's contract line is openapi.yaml's pin, and the summary names it;
    - docs/versions.md is the rendering of CHANGELOG.md;
    - no entry still has the placeholder a bump writes.
    """
    found: list[str] = []
    pyproject = (root / "pyproject.toml").read_text(encoding="utf-8")
    changelog = (root / "CHANGELOG.md").read_text(encoding="utf-8")
    try:
        all_entries = entries(changelog)
    except ReleaseError as exc:
        return [str(exc)]
    if not all_entries:
        return ["CHANGELOG.md has no entry"]
    newest = all_entries[0]
    version = current_version(pyproject)
    if newest.version != version:
        found.append(f"pyproject.toml's version is {version} but the newest CHANGELOG.md entry is {newest.version}")
    pin = contract.pin(contract.load(root / "openapi.yaml"))
    if newest.pin != pin:
        found.append(f"the newest CHANGELOG.md entry's contract line is not openapi.yaml's pin {pin}")
    if f'description = "{summary(pin)}"' not in pyproject.splitlines():
        found.append("pyproject.toml's description does not name openapi.yaml's pin (run nox -s bump or regenerate)")
    for newer, older in itertools.pairwise(all_entries):
        try:
            new_version, old_version = Version.parse(newer.version), Version.parse(older.version)
        except VersionError as exc:
            found.append(f"CHANGELOG.md: {exc}")
            continue
        if new_version.step_from(old_version) is not newer.level:
            found.append(f"CHANGELOG.md: {older.version} -> {newer.version} is not one {newer.level.name} step")
    for entry in all_entries:
        if PLACEHOLDER in entry.text:
            found.append(f"CHANGELOG.md: the entry {entry.version} still says {PLACEHOLDER!r}: write what changed")
    versions_path = root / VERSIONS_PATH
    if not versions_path.exists() or versions_path.read_text(encoding="utf-8") != render_versions(all_entries):
        found.append(f"{VERSIONS_PATH.as_posix()} is not the rendering of CHANGELOG.md (run nox -s versions)")
    return found


def main(argv: list[str] | None = None) -> int:
    """Render docs/versions.md from CHANGELOG.md again (after a hand edit of an entry), then list any problem."""
    parser = argparse.ArgumentParser(
        description="Render docs/versions.md from CHANGELOG.md and check the release files."
    )
    parser.add_argument("--root", type=Path, default=ROOT, help="the project root")
    root = parser.parse_args(argv).root
    changelog = (root / "CHANGELOG.md").read_text(encoding="utf-8")
    try:
        rendered = render_versions(entries(changelog))
    except ReleaseError as exc:
        print(f"release: {exc}")
        return 1
    (root / VERSIONS_PATH).write_text(rendered, encoding="utf-8")
    print(f"wrote {VERSIONS_PATH.as_posix()}")
    found = problems(root)
    for problem in found:
        print(f"release: {problem}")
    return 1 if found else 0


if __name__ == "__main__":
    raise SystemExit(main())
