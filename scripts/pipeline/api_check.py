"""The facade's public Python API against the last release: griffe's breaking-change check.

The last release is the commit that set the version pyproject.toml has at HEAD, found in the git
history (``git log --first-parent -G`` on the version line), so no tag is needed: on main, the commit
(or the merge) that brought that version into main, whose facade is the one released. The facade of that commit
(``facade/`` and ``generated/``, taken with ``git archive``: no worktree, no branch) and the facade
in the working tree are loaded by griffe without importing them, and ``griffe.find_breaking_changes``
lists what breaks: a public name of ``friendli_dedicated`` or of its public modules removed, a
parameter removed, renamed, moved, made required or given another kind, a default changed, an
attribute's type changed, a base class removed. (Not a renamed ``*args`` or ``**kwargs``: no call
can tell, although griffe reports the old name removed.)

A break is allowed only when the working tree's version is a MAJOR release over the last one (its
MAJOR is higher): ``nox -s bump -- major`` makes it so, and ``nox -s bump -- patch|minor`` refuses.

Without a baseline (not a git checkout, as in an unpacked sdist; a shallow clone whose history stops
before the commit that set the version; pyproject.toml never committed) the check cannot be made:
the command says why in one line and exits 0 (``git fetch --unshallow`` brings the history back).

Command line (exit 0: no break, a break in a MAJOR release, or no baseline; 1: a break without a
MAJOR release; 2: git or griffe failed)::

    python scripts/pipeline/api_check.py [--root .]
"""

from __future__ import annotations

import argparse
import io
import shutil
import subprocess
import sys
import tarfile
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

if __package__ in (None, ""):  # run as `python scripts/<name>.py`: make `scripts` importable
    sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

import griffe

from scripts.pipeline.versioning import Version, VersionError, current_version, version_line_pattern

ROOT = Path(__file__).resolve().parents[2]
PACKAGE = "friendli_dedicated"
# Where the package and what it imports live, relative to the project root.
SEARCH_PATHS = ("facade", "generated")


class ApiCheckError(RuntimeError):
    """Raised when git or griffe fail for a reason other than a missing baseline (the message says which)."""


class BaselineUnavailableError(Exception):
    """Raised when the last release's commit cannot be found; the message says why, in one line."""


@dataclass(frozen=True)
class Baseline:
    """The last release: its version and the commit that set it."""

    version: str
    commit: str


@dataclass(frozen=True)
class ApiReport:
    """The outcome of a check: the baseline (None: unavailable, ``unavailable`` says why) and the breaks."""

    baseline: Baseline | None
    breaks: list[str] = field(default_factory=list)
    unavailable: str = ""

    def allows(self, version: Version) -> bool:
        """Whether a release numbered ``version`` may carry these breaks: none, or a MAJOR over the baseline.

        >>> ApiReport(Baseline("1.2.0", "c0ffee"), ["x"]).allows(Version(1, 3, 0))
        False
        >>> ApiReport(Baseline("1.2.0", "c0ffee"), ["x"]).allows(Version(2, 0, 0))
        True
        """
        if not self.breaks or self.baseline is None:
            return True
        return version.major > Version.parse(self.baseline.version).major


def check(root: Path = ROOT, *, package: str = PACKAGE, search_paths: tuple[str, ...] = SEARCH_PATHS) -> ApiReport:
    """The breaking changes of ``package`` in the working tree under ``root`` since the last release."""
    try:
        baseline = find_baseline(root)
    except BaselineUnavailableError as exc:
        return ApiReport(baseline=None, unavailable=str(exc))
    with tempfile.TemporaryDirectory(prefix="friendli-api-baseline-") as tmp:
        old_root = Path(tmp)
        _export(root, baseline.commit, search_paths, old_root)
        breaks = breaking_changes(old_root, root, package=package, search_paths=search_paths)
    return ApiReport(baseline=baseline, breaks=breaks)


def find_baseline(root: Path) -> Baseline:
    """The commit that set the version pyproject.toml has at HEAD (the most recent one adding that line)."""
    if _git(root, "rev-parse", "--is-inside-work-tree", check=False).strip() != "true":
        raise BaselineUnavailableError(f"{root} is not a git checkout")
    prefix = _git(root, "rev-parse", "--show-prefix").strip()
    committed = _git(root, "show", f"HEAD:{prefix}pyproject.toml", check=False)
    if not committed:
        raise BaselineUnavailableError("pyproject.toml is not committed at HEAD")
    try:
        released = current_version(committed)
    except VersionError as exc:
        raise BaselineUnavailableError(f"pyproject.toml at HEAD: {exc}") from exc
    # First parents only: on main, the commit that brought the version into main's line (a merge is
    # compared with its first parent), whose facade is the one released; on a branch, the same.
    pattern = version_line_pattern(released)
    commit = _git(
        root, "log", "-1", "--format=%H", "--first-parent", "-G", pattern, "HEAD", "--", "pyproject.toml"
    ).strip()
    shallow = _git(root, "rev-parse", "--is-shallow-repository").strip() == "true"
    if shallow and (not commit or commit in _shallow_boundary(root)):
        raise BaselineUnavailableError(
            f"this is a shallow clone and its history stops before the commit that set version {released}"
            " (git fetch --unshallow brings it)"
        )
    if not commit:
        raise BaselineUnavailableError(f"no commit in HEAD's history sets version {released} in pyproject.toml")
    return Baseline(version=released, commit=commit)


def breaking_changes(
    old_root: Path, new_root: Path, *, package: str = PACKAGE, search_paths: tuple[str, ...] = SEARCH_PATHS
) -> list[str]:
    """griffe's breaking changes from ``package`` under ``old_root`` to it under ``new_root``, one line each."""
    old, new = _load(old_root, package, search_paths), _load(new_root, package, search_paths)
    breakages = griffe.find_breaking_changes(old, new)
    return [_explain(breakage) for breakage in breakages if not _renamed_variadic(breakage)]


def _renamed_variadic(breakage: griffe.Breakage) -> bool:
    """``**options`` renamed ``**changes`` (or ``*args`` renamed): griffe says "removed", no caller can tell.

    A variadic parameter's name is not part of how a function is called, so a function that still has
    a variadic of the same kind accepts every call it accepted before.
    """
    if not isinstance(breakage, griffe.ParameterRemovedBreakage):
        return False
    removed = breakage.old_value
    if removed.kind not in (griffe.ParameterKind.var_keyword, griffe.ParameterKind.var_positional):
        return False
    function = breakage.obj
    return isinstance(function, griffe.Function) and any(p.kind is removed.kind for p in function.parameters)


def _load(root: Path, package: str, search_paths: tuple[str, ...]) -> griffe.Object | griffe.Alias:
    paths = [root / path for path in search_paths]
    try:
        return griffe.load(
            package,
            search_paths=paths,
            try_relative_path=False,
            allow_inspection=False,  # read the source, never import it
            resolve_aliases=True,
            resolve_external=False,
        )
    except (ImportError, OSError) as exc:
        raise ApiCheckError(f"griffe cannot load {package} from {', '.join(map(str, paths))}: {exc}") from exc


def _explain(breakage: griffe.Breakage) -> str:
    """``friendli_dedicated.Client.create: Parameter was removed: timeout`` (griffe's words)."""
    old, new = str(breakage.old_value or ""), str(breakage.new_value or "")
    values = f"{old} -> {new}" if old and new else old or new
    return f"{breakage.obj.path}: {breakage.kind.value}" + (f": {values}" if values else "")


def _export(root: Path, commit: str, search_paths: tuple[str, ...], destination: Path) -> None:
    """The files of ``search_paths`` at ``commit``, written under ``destination`` (git archive, no worktree)."""
    top = _git(root, "rev-parse", "--show-toplevel").strip()
    prefix = _git(root, "rev-parse", "--show-prefix").strip()
    tree = f"{commit}:{prefix}" if prefix else commit  # the project's folder of that commit
    archive = subprocess.run(
        [_git_path(), "-C", top, "archive", "--format=tar", tree, "--", *search_paths], capture_output=True, check=False
    )
    if archive.returncode != 0:
        raise ApiCheckError(f"git archive {tree} failed: {archive.stderr.decode(errors='replace').strip()}")
    with tarfile.open(fileobj=io.BytesIO(archive.stdout)) as tar:
        tar.extractall(destination, filter="data")


def _shallow_boundary(root: Path) -> set[str]:
    shallow_file = Path(root, _git(root, "rev-parse", "--git-path", "shallow").strip())
    return set(shallow_file.read_text(encoding="utf-8").split()) if shallow_file.exists() else set()


def _git_path() -> str:
    path = shutil.which("git")
    if path is None:
        raise BaselineUnavailableError("git is not installed")
    return path


def _git(root: Path, *args: str, check: bool = True) -> str:
    result = subprocess.run([_git_path(), "-C", str(root), *args], capture_output=True, text=True, check=False)
    if result.returncode != 0:
        if check:
            raise ApiCheckError(f"git {' '.join(args)} failed: {result.stderr.strip()}")
        return ""
    return result.stdout


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="griffe's breaking-change check of the facade since the last release.")
    parser.add_argument("--root", type=Path, default=ROOT, help="the project root (a git checkout)")
    args = parser.parse_args(argv)
    try:
        report = check(args.root)
        version = Version.parse(current_version((args.root / "pyproject.toml").read_text(encoding="utf-8")))
    except (ApiCheckError, VersionError) as exc:
        print(f"api: {exc}", file=sys.stderr)
        return 2
    if report.baseline is None:
        print(f"api: skipped, no baseline to compare with: {report.unavailable}")
        return 0
    since = f"since {report.baseline.version} (commit {report.baseline.commit[:12]})"
    if not report.breaks:
        print(f"api: no breaking change of {PACKAGE}'s public API {since}")
        return 0
    print(f"api: {len(report.breaks)} breaking change(s) of {PACKAGE}'s public API {since}:")
    for line in report.breaks:
        print(f"  {line}")
    if report.allows(version):
        print(f"api: version {version} is a MAJOR release over {report.baseline.version}: the breaks are allowed")
        return 0
    print(f"api: version {version} is not a MAJOR release over {report.baseline.version}: run nox -s bump -- major")
    return 1


if __name__ == "__main__":
    raise SystemExit(main())
