"""Release a change of the hand-written layer: ``nox -s bump -- patch|minor|major``.

Contract changes are released by ``nox -s regenerate``; everything else a person writes (the facade,
the templates and the generator configuration, the emulator, the CLI) is released with this command:

- ``patch``: fixes; ``minor``: additions to the public API; ``major``: a breaking change of it;
- it runs the facade's API check (``scripts/pipeline/api_check.py``, as ``nox -s api`` does) and refuses a
  PATCH or a MINOR when the public API broke since the last release, or when there is no last release
  to compare with (a shallow clone: ``git fetch --unshallow``); a MAJOR needs no check, and its
  changelog entry lists the breaks found;
- it writes the version in pyproject.toml (and the summary, which names the unchanged contract pin),
  a CHANGELOG.md entry whose bullet a person then writes (the tests fail while it still holds the
  placeholder), and docs/versions.md.

Command line (exit 0: written; 1: refused, nothing written)::

    python scripts/pipeline/bump.py patch|minor|major [--date YYYY-MM-DD]
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

if __package__ in (None, ""):  # run as `python scripts/<name>.py`: make `scripts` importable
    sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from scripts.pipeline import api_check, contract, release
from scripts.pipeline.api_check import ApiReport
from scripts.pipeline.contract import ContractFormatError
from scripts.pipeline.release import ReleaseError
from scripts.pipeline.versioning import Level, Version, VersionError, current_version

ROOT = Path(__file__).resolve().parents[2]


class BumpRefusedError(RuntimeError):
    """Raised when the bump would break the promise of the version numbers; nothing is written."""


@dataclass(frozen=True)
class Bumped:
    """What a bump wrote."""

    old: str
    new: str
    level: Level
    report: ApiReport


def bump(
    level: Level,
    *,
    root: Path = ROOT,
    today: dt.date | None = None,
    api: Callable[[Path], ApiReport] = api_check.check,
) -> Bumped:
    """Move the version of the project under ``root`` by ``level``; ``api`` is the facade's API check."""
    try:
        old = Version.parse(current_version((root / "pyproject.toml").read_text(encoding="utf-8")))
    except VersionError as exc:
        raise ReleaseError(f"pyproject.toml: {exc}") from exc
    new = old.bump(level)
    report = api(root)
    if level is not Level.MAJOR:
        if report.baseline is None:
            raise BumpRefusedError(
                f"cannot check the facade's public API against the last release ({report.unavailable}); "
                f"a {level.name} needs that check"
            )
        if not report.allows(new):
            lines = "\n".join(f"  {line}" for line in report.breaks)
            raise BumpRefusedError(
                f"the facade's public API broke since {report.baseline.version} "
                f"(commit {report.baseline.commit[:12]}):\n{lines}\n"
                f"a {level.name} release cannot carry a break: nox -s bump -- major"
            )
    pin = contract.pin(contract.load(root / "openapi.yaml"))
    bullets = [release.PLACEHOLDER, *(f"BREAKING facade: {line}" for line in report.breaks)]
    date = (today or dt.datetime.now(dt.UTC).date()).isoformat()
    entry = release.render_entry(new, date, level, release.FACADE_REASONS[level], pin, bullets)
    release.write(root, release.prepare(root, new, entry, pin))
    return Bumped(old=str(old), new=str(new), level=level, report=report)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Release a change of the hand-written layer.")
    parser.add_argument("level", type=Level, choices=list(Level), help="patch: fixes; minor: additions; major: breaks")
    parser.add_argument("--date", type=dt.date.fromisoformat, help="the release date (default: today, UTC)")
    args = parser.parse_args(argv)
    try:
        bumped = bump(args.level, root=ROOT, today=args.date)
    except BumpRefusedError as exc:
        print(f"bump: refused: {exc}", file=sys.stderr)
        return 1
    except (ReleaseError, ContractFormatError, OSError, api_check.ApiCheckError) as exc:
        print(f"bump: {exc}", file=sys.stderr)
        return 1
    print(f"version {bumped.old} -> {bumped.new} ({bumped.level.name}: {release.FACADE_REASONS[bumped.level]})")
    if bumped.report.baseline is None:
        print(f"  the facade's API was not checked: {bumped.report.unavailable}")
    for line in bumped.report.breaks:
        print(f"  BREAKING facade: {line}")
    print(f"now write what changed in CHANGELOG.md, in place of {release.PLACEHOLDER!r}, then run nox")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
