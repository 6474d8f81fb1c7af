"""Sessions: `nox` runs tests, lint and typecheck (the README's test command and CI's).

- ``nox -s tests``: pytest (offline; includes the generated/ staleness check).
- ``nox -s lint``: ruff check and ruff format --check (generated/ excluded).
- ``nox -s typecheck``: mypy --strict over facade/ and scripts/.
- ``nox -s regenerate -- [--upstream URL_OR_PATH]``: re-pin the contract and regenerate generated/.
- ``nox -s drift -- [--upstream URL_OR_PATH] [--json]``: compare the upstream with the pinned contract.
- ``nox -s bench``: benchmarks as ratios against same-run baselines; writes BENCHMARKS.md.
"""

from __future__ import annotations

import nox

nox.options.sessions = ["tests", "lint", "typecheck"]
nox.options.reuse_venv = "yes"
nox.options.error_on_missing_interpreters = True

PYPROJECT = nox.project.load_toml("pyproject.toml")


def install_groups(session: nox.Session, *groups: str) -> None:
    for group in groups:
        session.install(*nox.project.dependency_groups(PYPROJECT, group))


@nox.session
def tests(session: nox.Session) -> None:
    """Run the test suite against the installed package (not the source tree)."""
    install_groups(session, "test")
    session.install(".")
    session.run("pytest", *session.posargs)


@nox.session
def lint(session: nox.Session) -> None:
    """ruff check and format check; generated/ is the generator's business."""
    install_groups(session, "lint")
    session.run("ruff", "check", ".")
    session.run("ruff", "format", "--check", ".")


@nox.session
def typecheck(session: nox.Session) -> None:
    """mypy --strict over the hand-written code (facade/ and scripts/)."""
    install_groups(session, "typecheck")
    session.install(".")
    session.run("mypy")


@nox.session
def regenerate(session: nox.Session) -> None:
    """Re-pin openapi.yaml from the upstream, regenerate generated/, update CHANGELOG.md and the version."""
    install_groups(session, "codegen")
    session.run("python", "scripts/regenerate.py", *session.posargs)


@nox.session
def drift(session: nox.Session) -> None:
    """Compare the upstream's contract with openapi.yaml; fails (exit 1) on any difference."""
    install_groups(session, "codegen")
    session.run("python", "scripts/drift.py", *session.posargs)


@nox.session
def bench(session: nox.Session) -> None:
    """Benchmarks as same-run ratios (per-call overhead, cold import, waiter); writes BENCHMARKS.md."""
    session.install(".")
    session.run("python", "scripts/bench.py", *session.posargs)
