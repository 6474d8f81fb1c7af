"""Sessions: `nox` runs tests, lint and typecheck (the README's test command and CI's).

- ``nox -s tests``: pytest (offline; includes the generated/ staleness check).
- ``nox -s lint``: ruff check and ruff format --check (generated/ excluded).
- ``nox -s typecheck``: mypy --strict over facade/ and scripts/.
- ``nox -s regenerate -- [--upstream URL_OR_PATH]``: re-pin the contract and regenerate generated/.
- ``nox -s drift -- [--upstream URL_OR_PATH] [--json]``: compare the upstream with the pinned contract.
- ``nox -s bench``: benchmarks as ratios against same-run baselines; writes BENCHMARKS.md.
- ``nox -s demo``: start the emulator on loopback and run examples/demo.py against it.
- ``nox -s chaos``: 100 endpoint lifecycles per seed under 20% injected faults (and a loopback run).
- ``nox -s conformance``: schemathesis against the emulator's loopback server (all checks, fixed seed).
"""

from __future__ import annotations

import os
import re
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager

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
    """Benchmarks as same-run ratios (per-call overhead, cold import, waiter, load); writes BENCHMARKS.md."""
    session.install(".[emulator]")
    session.run("python", "scripts/bench.py", *session.posargs)


EMULATOR_TOKEN, EMULATOR_TEAM = "emulator-token", "emulator-team"


@contextmanager
def emulator_server(session: nox.Session, *args: str) -> Iterator[str]:
    """Run ``python -m friendli_dedicated.emulator`` on a free loopback port; yield its base URL."""
    python = os.path.join(session.bin, "python")
    command = [python, "-u", "-m", "friendli_dedicated.emulator", "--host", "127.0.0.1", "--port", "0", *args]
    server = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        assert server.stdout is not None
        deadline = time.monotonic() + 30
        base_url = None
        while base_url is None and time.monotonic() < deadline:
            line = server.stdout.readline()
            if not line:
                break
            session.log(f"emulator: {line.rstrip()}")
            match = re.search(r"http://127\.0\.0\.1:\d+", line)
            base_url = match.group(0) if match else None
        if base_url is None:
            session.error("the emulator did not report its URL within 30 s")
        yield base_url
    finally:
        server.terminate()
        try:
            server.wait(timeout=10)
        except subprocess.TimeoutExpired:
            server.kill()


@nox.session
def demo(session: nox.Session) -> None:
    """The SDK's main job on the embedded emulator: create, wait, list, update, sleep, wake, terminate."""
    session.install(".[emulator]")
    with emulator_server(session, "--time-scale", "0.1") as base_url:
        env = {"FRIENDLI_BASE_URL": base_url, "FRIENDLI_TOKEN": EMULATOR_TOKEN, "FRIENDLI_TEAM": EMULATOR_TEAM}
        session.run("python", "examples/demo.py", env=env)


@nox.session
def chaos(session: nox.Session) -> None:
    """Lifecycles under injected faults: in-process (100 endpoints x 5 seeds), then on loopback."""
    session.install(".[emulator]")
    session.run("python", "scripts/chaos.py", "--endpoints", "100", "--seeds", "1", "2", "3", "4", "5")
    session.run("python", "scripts/chaos.py", "--endpoints", "10", "--seeds", "1", "--server")


@nox.session
def conformance(session: nox.Session) -> None:
    """schemathesis against the emulator's loopback server: every operation, zero failures."""
    install_groups(session, "conformance")
    session.install(".[emulator]")
    session.run("python", "scripts/conformance.py", *session.posargs)
