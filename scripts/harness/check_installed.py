"""What a user gets from ``pip install "friendli-dedicated[...]"``: checks run inside such an environment.

``nox -s installed`` builds the sdist and the wheel, installs the wheel into fresh virtualenvs (one
per extra, no development dependencies, the newest versions the ranges allow) and runs this file
with each environment's own python. It imports only the standard library and what that install
brought, never the source tree::

    python scripts/harness/check_installed.py core            # no extra
    python scripts/harness/check_installed.py cli [--typer VERSION]
    python scripts/harness/check_installed.py emulator
    python scripts/harness/check_installed.py emulator-manage   # the same, with the manage extra's examples
    python scripts/harness/check_installed.py cli-emulator [--guide docs/getting-started.md]
    python scripts/harness/check_installed.py otel
    python scripts/harness/check_installed.py emulator-openai
    python scripts/harness/check_installed.py dist WHEEL SDIST ROOT   # what the archives carry

Each check prints one line per fact it verified and stops with exit status 1 at the first that
does not hold.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import doctest
import importlib
import importlib.metadata
import importlib.util
import json
import os
import pkgutil
import queue
import re
import shutil
import signal
import subprocess
import sys
import tarfile
import threading
import traceback
import zipfile
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path

# Generous: these guard against a hang, they do not measure anything.
_COMMAND_TIMEOUT = 120
_SERVER_TIMEOUT = 60

# The extras' top-level modules: an environment without the extra must not have them.
_CLI_MODULES = ("typer", "rich")
_EMULATOR_MODULES = ("starlette", "uvicorn", "jsonschema")
_OTEL_MODULES = ("opentelemetry",)
_OPENAI_EXTRA = "friendli-dedicated[openai]"

# The files the test suite reads besides tests/: the sdist must carry them (and tests/) to test.
_SDIST_TREES = ("tests", "scripts", "docs", "facade", "generated")
_SDIST_FILES = ("LICENSE", "pyproject.toml", "openapi.yaml", "README.md", "CHANGELOG.md")


class CheckFailed(Exception):
    """A fact about the installed package did not hold, and the checks after it depend on it."""


_FAILED: list[str] = []


def check(condition: object, fact: str, detail: object = "", *, needed: bool = False) -> None:
    """Print whether ``fact`` holds; a failure is counted, and stops the run when the rest ``needed`` it."""
    if condition:
        print(f"  ok: {fact}", flush=True)
        return
    failure = f"{fact}: NO {detail}".rstrip()
    if needed:
        raise CheckFailed(failure)
    _FAILED.append(failure)
    print(f"  FAILED: {failure}", flush=True)


# -- running what a user runs ------------------------------------------------------------------------
def _environment(**extra: str) -> dict[str, str]:
    """The caller's environment without FRIENDLI_* (a developer's token must not leak in)."""
    env = {key: value for key, value in os.environ.items() if not key.startswith("FRIENDLI_")}
    env.update(extra)
    return env


def _script(name: str) -> str:
    """A console script of this environment (next to its python)."""
    path = Path(sys.executable).with_name(name)
    check(path.exists(), f"the console script {name} is installed", path, needed=True)
    return str(path)


def run(*command: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        command, env=env or _environment(), capture_output=True, text=True, timeout=_COMMAND_TIMEOUT, check=False
    )


def _describe(result: subprocess.CompletedProcess[str]) -> str:
    return f"(exit {result.returncode})\nstdout: {result.stdout[-2000:]}\nstderr: {result.stderr[-2000:]}"


def succeeds(*command: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    result = run(*command, env=env)
    shown = " ".join(Path(command[0]).name if i == 0 else part for i, part in enumerate(command))
    check(result.returncode == 0, f"`{shown}` exits 0", _describe(result), needed=True)
    return result


@contextlib.contextmanager
def served(*command: str) -> Iterator[tuple[subprocess.Popen[str], queue.Queue[str | None]]]:
    """A server process whose stdout lines arrive on a queue (None: stdout closed); killed if left running."""
    process = subprocess.Popen(
        command, env=_environment(), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, bufsize=1
    )
    lines: queue.Queue[str | None] = queue.Queue()

    def pump() -> None:
        assert process.stdout is not None
        for line in process.stdout:
            lines.put(line.rstrip("\n"))
        lines.put(None)

    threading.Thread(target=pump, daemon=True).start()
    try:
        yield process, lines
    finally:
        if process.poll() is None:
            process.kill()
        process.wait()


def read_until(lines: queue.Queue[str | None], done: Callable[[str], bool]) -> list[str]:
    """Lines up to and including the first for which ``done`` is true."""
    seen: list[str] = []
    while True:
        try:
            line = lines.get(timeout=_SERVER_TIMEOUT)
        except queue.Empty:
            raise CheckFailed(f"no line came within {_SERVER_TIMEOUT}s after {seen}") from None
        if line is None:
            raise CheckFailed(f"the server's output ended after {seen}")
        seen.append(line)
        if done(line):
            return seen


def stops_cleanly(process: subprocess.Popen[str], number: signal.Signals) -> None:
    process.send_signal(number)
    try:
        _, stderr = process.communicate(timeout=_SERVER_TIMEOUT)
    except subprocess.TimeoutExpired:
        raise CheckFailed(f"the server did not stop on {number.name}") from None
    check(process.returncode == 0, f"the server stops on {number.name} with exit status 0", stderr)
    check(stderr == f"stopping ({number.name})\n", "and says so on stderr, nothing else", repr(stderr))


# -- the checks of each environment ------------------------------------------------------------------
def _the_installed_package() -> None:
    import friendli_dedicated as fd

    where = Path(fd.__file__).resolve()
    check(where.is_relative_to(Path(sys.prefix).resolve()), "friendli_dedicated is the installed one", where)
    print(f"  friendli-dedicated {fd.__version__} at {where.parent}")
    names = ("httpx", "attrs", "python-dateutil", "typer", "click", "rich", "starlette", "uvicorn", "jsonschema")
    for name in (*names, "opentelemetry-api", "openai"):
        with contextlib.suppress(importlib.metadata.PackageNotFoundError):
            print(f"  with {name} {importlib.metadata.version(name)}")


def _absent(*modules: str) -> None:
    present = [name for name in modules if importlib.util.find_spec(name) is not None]
    check(not present, f"no {', '.join(modules)} (not asked for)", present)


def check_core() -> None:
    """No extra: the library and a request; the emulator and the CLI say which extra they need.

    The docstring examples run where the ``emulator`` extra is installed (``check_emulator``): every one
    runs inside ``mock_friendli``, as tests/docs/test_doctests.py runs them.
    """
    import friendli_dedicated as fd

    _the_installed_package()
    _absent(*_CLI_MODULES, *_EMULATOR_MODULES, *_OTEL_MODULES)
    option = fd.InstanceOption.parse("2x H100")
    check((option.count, option.gpu.value) == (2, "NVIDIA H100"), 'fd.InstanceOption.parse("2x H100")', option)

    import httpx

    def answer(request: httpx.Request) -> httpx.Response:
        # A timestamp in ISO 8601's basic format takes the python-dateutil path; unknown fields are kept.
        body = {"status": "INITIALIZING", "phase": "DOWNLOADING_MODEL", "createdAt": "20250101T000000Z", "new": 1}
        return httpx.Response(200, json=body)

    mock = httpx.Client(transport=httpx.MockTransport(answer))
    with fd.Client(token="mock-token", http_client=mock) as client:  # noqa: S106 (nothing is sent anywhere)
        state = client.endpoints.status("ep-1")
    parsed = (state.status, state.phase, state.created_at)
    expected = (fd.Status.INITIALIZING, fd.DeploymentPhase.DOWNLOADING_MODEL, dt.datetime(2025, 1, 1, tzinfo=dt.UTC))
    check(
        parsed == expected,
        "a status request through the client parses status, phase and timestamp",
        state,
    )

    try:
        importlib.import_module("friendli_dedicated.emulator")
    except ImportError as exc:
        message = str(exc)
    else:
        message = "(it imported)"
    names_extra = re.search(r"friendli-dedicated\[emulator\]|'emulator' extra|\"emulator\" extra", message)
    check(names_extra, "import friendli_dedicated.emulator raises an ImportError naming the 'emulator' extra", message)

    result = run(_script("friendli-dedicated"), "--version")
    check(
        result.returncode == 1 and "friendli-dedicated[cli]" in result.stderr and "Traceback" not in result.stderr,
        "friendli-dedicated (no extra) exits 1 naming the 'cli' extra",
        _describe(result),
    )


def _opentelemetry_loaded() -> list[str]:
    return sorted(name for name in sys.modules if name == "opentelemetry" or name.startswith("opentelemetry."))


def check_otel() -> None:
    """The ``otel`` extra (the OpenTelemetry API, no SDK): imported only by a client that wants it, and
    the current trace context reaches the requests (``traceparent``) with the API alone."""
    import friendli_dedicated as fd

    _the_installed_package()
    _absent(*_CLI_MODULES, *_EMULATOR_MODULES)
    check(
        not _opentelemetry_loaded(),
        "import friendli_dedicated imports nothing of OpenTelemetry",
        _opentelemetry_loaded(),
    )

    import httpx

    sent: list[httpx.Request] = []

    def answer(request: httpx.Request) -> httpx.Response:
        sent.append(request)
        return httpx.Response(200, json={"status": "RUNNING"})

    mock = httpx.Client(transport=httpx.MockTransport(answer))
    with fd.Client(token="mock-token", http_client=mock, telemetry=False) as client:  # noqa: S106
        client.endpoints.status("ep-1")
    check(not _opentelemetry_loaded(), "a client with telemetry=False imports nothing of OpenTelemetry")

    from opentelemetry import trace

    trace_id, span_id = 0x0AF7651916CD43DD8448EB211C80319C, 0x00F067AA0BA902B7
    parent = trace.NonRecordingSpan(
        trace.SpanContext(trace_id, span_id, is_remote=True, trace_flags=trace.TraceFlags(trace.TraceFlags.SAMPLED))
    )
    with fd.Client(token="mock-token", http_client=mock) as client, trace.use_span(parent):  # noqa: S106
        state = client.endpoints.status("ep-1")
    header = sent[-1].headers.get("traceparent", "")
    check(state.status is fd.Status.RUNNING, "a client with the default (telemetry on) sends and parses", state)
    check(header.startswith(f"00-{trace_id:032x}-"), "its request carries the current trace (traceparent)", header)


def check_cli(typer_version: str | None = None) -> None:
    """The ``cli`` extra alone: the console script's version, help and offline commands."""
    import friendli_dedicated as fd

    _the_installed_package()
    _absent(*_EMULATOR_MODULES)
    if typer_version is not None:
        installed = importlib.metadata.version("typer")
        same = _release(installed) == _release(typer_version)
        check(same, f"typer is {typer_version}, the cli extra's lower bound", installed, needed=True)
    cli = _script("friendli-dedicated")
    version = succeeds(cli, "--version").stdout
    check(version.startswith(f"friendli-dedicated {fd.__version__} (API contract "), "--version names it", version)
    check("Exit codes: 0 success" in " ".join(succeeds(cli, "--help").stdout.split()), "--help lists the exit codes")
    check("--instance" in succeeds(cli, "endpoints", "create", "--help").stdout, "endpoints create --help")
    rows = json.loads(succeeds(cli, "instance-options", "--json").stdout)
    check(isinstance(rows, list) and rows, "instance-options --json is a non-empty JSON list", rows, needed=True)
    check(all({"id", "gpu", "count", "instance"} <= set(row) for row in rows), "each names an option", rows[0])
    check(
        all(fd.InstanceOption.parse(row["instance"]).id == row["id"] for row in rows),
        "each `instance` spelling parses to its id",
    )
    result = run(cli, "emulator", "--port", "0")
    check(
        result.returncode == 2 and "friendli-dedicated[emulator]" in result.stderr,
        "friendli-dedicated emulator (no emulator extra) exits 2 naming the extra",
        _describe(result),
    )


def _release(version: str) -> tuple[int, ...]:
    """``0.16`` and ``0.16.0`` alike (plain release numbers are all a lower bound needs).

    >>> _release("0.16") == _release("0.16.0") != _release("0.16.1")
    True
    """
    numbers = [int(part) for part in version.split(".")]
    while numbers and numbers[-1] == 0:
        numbers.pop()
    return tuple(numbers)


def check_emulator() -> None:
    """The ``emulator`` extra alone: ``python -m friendli_dedicated.emulator`` serves the SDK and stops on Ctrl-C."""
    import friendli_dedicated as fd

    _the_installed_package()
    _absent("typer", "openai")
    from friendli_dedicated.emulator import DEFAULT_TOKEN

    help_text = succeeds(sys.executable, "-m", "friendli_dedicated.emulator", "--help").stdout
    check("--time-scale" in help_text, "python -m friendli_dedicated.emulator --help lists its options")
    command = (sys.executable, "-m", "friendli_dedicated.emulator", "--port", "0", "--time-scale", "0.01")
    with served(*command) as (process, lines):
        shown = read_until(lines, lambda line: "FRIENDLI_TEAM=" in line)
        match = re.search(r"http://127\.0\.0\.1:\d+", shown[0])
        check(match, "it prints its loopback URL", shown, needed=True)
        assert match is not None
        with fd.Client(token=DEFAULT_TOKEN, base_url=match.group(0)) as client:
            endpoint = client.endpoints.create("demo", "chat", "org/model", "1x H100")
            endpoint.wait_until_running(timeout=_SERVER_TIMEOUT)
            listed = [found.id for found in client.endpoints.list("demo")]
        check(listed == [endpoint.id], "the SDK creates, waits for and lists an endpoint on it", listed)
        stops_cleanly(process, signal.SIGINT)
    _docstring_examples()
    with contextlib.closing(fd.Client(token=DEFAULT_TOKEN, base_url="http://127.0.0.1:9")) as client:
        try:
            client.endpoints.get_handle("ep-1").openai_client()
        except ImportError as exc:
            message = str(exc)
        else:
            message = "(it built one)"
    check(_OPENAI_EXTRA in message, "endpoint.openai_client() raises an ImportError naming the 'openai' extra", message)


# Modules whose examples apply a plan or read YAML: they need the manage extra (its lock, PyYAML).
_MANAGE_EXAMPLES = frozenset({"friendli_dedicated._manage", "friendli_dedicated._declarative"})


def _importable(*names: str) -> bool:
    return all(importlib.util.find_spec(name) is not None for name in names)


def _docstring_examples() -> None:
    """Every docstring example of the installed library (the CLI's aside), as tests/docs/test_doctests.py runs
    them: inside ``mock_friendli`` with a ``client`` on the emulator (the testing kit's open their own)."""
    import friendli_dedicated as fd
    from friendli_dedicated.testing import mock_friendli

    for variable in ("FRIENDLI_TOKEN", "FRIENDLI_TEAM", "FRIENDLI_BASE_URL"):
        os.environ.pop(variable, None)
    flags = doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE
    attempted = 0
    for info in pkgutil.walk_packages(fd.__path__, "friendli_dedicated."):
        if info.name.startswith("friendli_dedicated.cli") or info.name.endswith("__main__"):
            continue  # the cli extra's
        if info.name == "friendli_dedicated.testing._plugin":
            continue  # pytest's plugin imports pytest; the service-project case runs its fixtures
        if info.name in _MANAGE_EXAMPLES and not _importable("filelock", "yaml"):
            print(f"  left out: the docstring examples of {info.name} (they need the manage extra)", flush=True)
            continue
        if info.name == "friendli_dedicated._openai" and importlib.util.find_spec("openai") is None:
            print("  (the openai bridge's examples need the openai extra: the emulator-openai case runs them)")
            continue
        module = importlib.import_module(info.name)
        if info.name.startswith("friendli_dedicated.testing"):
            examples = doctest.testmod(module, extraglobs={"fd": fd}, optionflags=flags)
        else:
            with mock_friendli(), fd.Client() as client:
                examples = doctest.testmod(module, extraglobs={"fd": fd, "client": client}, optionflags=flags)
        check(examples.failed == 0, f"the docstring examples of {info.name}", examples)
        attempted += examples.attempted
    check(attempted >= 20, f"{attempted} docstring examples ran")


def _guide_steps(guide: Path) -> tuple[list[str], str, str]:
    """Getting started's no-account path: the emulator command's options, the first program, its output.

    Read from the guide as a user reads it: its ``$ friendli-dedicated emulator ...`` line, and the
    ``python`` block that is the file ``first_endpoint.py`` with the output block after it.
    """
    text = guide.read_text(encoding="utf-8")
    command = re.search(r"^\$ friendli-dedicated emulator(?P<options>.*)$", text, flags=re.MULTILINE)
    program = re.search(
        r'^```python\n(?P<code># first_endpoint\.py\n.*?)^```\n\n```text title="Output"\n(?P<output>.*?)^```$',
        text,
        flags=re.MULTILINE | re.DOTALL,
    )
    check(command, f"{guide.name} shows the emulator command", needed=True)
    check(program, f"{guide.name} shows first_endpoint.py and its output", needed=True)
    assert command is not None
    assert program is not None
    return command["options"].split(), program["code"], program["output"]


def _getting_started(cli: str, guide: Path) -> None:
    """The guide from the top, in this environment and a folder of its own: the emulator as it says
    (on a free port), the variables it prints, then ``python first_endpoint.py``, which must print what
    the guide shows (the endpoint's id aside; a progress line may be missed by a poll on a slow machine)."""
    options, code, shown = _guide_steps(guide)
    with served(cli, "emulator", *options, "--port", "0") as (process, lines):
        exports = [line for line in read_until(lines, lambda line: "FRIENDLI_TEAM=" in line) if "export " in line]
        variables = dict(line.split("export ", 1)[1].split("=", 1) for line in exports)
        wanted = ["FRIENDLI_BASE_URL", "FRIENDLI_TEAM", "FRIENDLI_TOKEN"]
        check(sorted(variables) == wanted, "the emulator prints the exports the guide shows", exports, needed=True)
        folder = Path.cwd() / "getting-started"
        folder.mkdir(exist_ok=True)
        (folder / "first_endpoint.py").write_text(code, encoding="utf-8")
        result = subprocess.run(
            [sys.executable, "first_endpoint.py"],
            cwd=folder,
            env=_environment(**variables),
            capture_output=True,
            text=True,
            timeout=_COMMAND_TIMEOUT,
            check=False,
        )
        check(result.returncode == 0, "python first_endpoint.py exits 0", _describe(result), needed=True)
        # Progress lines (indented) come one per change of phase the polls saw; the others are fixed.
        printed, expected = result.stdout.splitlines(), shown.splitlines()
        steps = [line for line in printed if not line.startswith(" ")]
        shown_steps = [line for line in expected if not line.startswith(" ")]
        checker = doctest.OutputChecker()
        check(
            len(steps) == len(shown_steps)
            and all(
                checker.check_output(f"{want}\n", f"{got}\n", doctest.ELLIPSIS)
                for want, got in zip(shown_steps, steps, strict=False)
            ),
            "it prints what the guide shows",
            result.stdout,
        )
        progress = [line for line in printed if line.startswith(" ")]
        shown_progress = [line for line in expected if line.startswith(" ")]
        check(
            progress and set(progress) <= set(shown_progress) and progress[-1] == shown_progress[-1],
            "with progress lines the guide shows, the last the serving one",
            result.stdout,
        )
        stops_cleanly(process, signal.SIGINT)


def check_cli_emulator(guide: Path | None = None) -> None:
    """Both extras: ``friendli-dedicated emulator`` serves, the CLI drives it, SIGTERM stops it; and
    getting started's first program runs on it as the guide says (``guide``: docs/getting-started.md)."""
    _the_installed_package()
    cli = _script("friendli-dedicated")
    check("--time-scale" in succeeds(cli, "emulator", "--help").stdout, "friendli-dedicated emulator --help")
    with served(cli, "emulator", "--port", "0", "--time-scale", "0.01", "--json") as (process, lines):
        document = json.loads("\n".join(read_until(lines, lambda line: line == "}")))
        check(document["baseUrl"].startswith("http://127.0.0.1:"), "it prints its URL, token and team as JSON")
        env = _environment(FRIENDLI_BASE_URL=document["baseUrl"], FRIENDLI_TOKEN=document["token"])
        create = ("endpoints", "create", "-p", "demo", "-n", "chat", "-m", "org/model", "-i", "1x H100")
        created = json.loads(succeeds(cli, *create, "--wait", "--timeout", "60", "--json", env=env).stdout)
        check(created["status"] == "RUNNING", "endpoints create --wait reaches RUNNING", created)
        listed = json.loads(succeeds(cli, "endpoints", "list", "--json", env=env).stdout)
        check([row["id"] for row in listed] == [created["id"]], "endpoints list shows it", listed)
        stops_cleanly(process, signal.SIGTERM)
    if guide is not None:
        _getting_started(cli, guide)


def check_emulator_openai() -> None:
    """The ``emulator`` and ``openai`` extras: an endpoint's OpenAI client completes a chat on the emulator,
    plain and streamed, in-process and over loopback; the bridge's docstring examples run."""
    from openai.types.chat import ChatCompletionMessageParam

    import friendli_dedicated as fd
    from friendli_dedicated.emulator import DEFAULT_TOKEN, Emulator, ManualClock

    _the_installed_package()
    hello: list[ChatCompletionMessageParam] = [{"role": "user", "content": "Hello there"}]
    emulator = Emulator(clock=ManualClock())
    with emulator.client() as client:
        endpoint = client.endpoints.create("demo", "chat", "org/model", "1x H100")
        running = endpoint.wait_until_running(timeout=900, serving=True)  # emulated time: no real wait
        check(running.state.status == fd.Status.RUNNING, "wait_until_running(serving=True) in-process", endpoint)
        chat = endpoint.openai_client(max_retries=0)
        answer = chat.chat.completions.create(model=endpoint.id, messages=hello)
        text = answer.choices[0].message.content
        check(text == "Echo: Hello there", "openai_client() completes a chat in-process", text)
        stream = chat.chat.completions.create(model=endpoint.id, messages=hello, stream=True)
        streamed = "".join(chunk.choices[0].delta.content or "" for chunk in stream if chunk.choices)
        check(streamed == "Echo: Hello there", "and streamed", streamed)
    command = (sys.executable, "-m", "friendli_dedicated.emulator", "--port", "0", "--time-scale", "0.01")
    with served(*command) as (process, lines):
        match = re.search(r"http://127\.0\.0\.1:\d+", read_until(lines, lambda line: "FRIENDLI_TEAM=" in line)[0])
        check(match, "the emulator prints its loopback URL", needed=True)
        assert match is not None
        with fd.Client(token=DEFAULT_TOKEN, base_url=match.group(0)) as client:
            endpoint = client.endpoints.create("demo", "chat", "org/model", "1x H100")
            endpoint.wait_until_running(timeout=_SERVER_TIMEOUT, serving=True)
            with endpoint.openai_client(max_retries=0) as chat:
                answer = chat.chat.completions.create(model=endpoint.id, messages=hello)
                stream = chat.chat.completions.create(model=endpoint.id, messages=hello, stream=True)
                streamed = "".join(chunk.choices[0].delta.content or "" for chunk in stream if chunk.choices)
        texts = (answer.choices[0].message.content, streamed)
        check(texts == ("Echo: Hello there",) * 2, "over loopback too, plain and streamed", texts)
        stops_cleanly(process, signal.SIGINT)
    from friendli_dedicated import _openai
    from friendli_dedicated.testing import mock_friendli

    flags = doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE
    with mock_friendli(), fd.Client() as client:
        examples = doctest.testmod(_openai, extraglobs={"fd": fd, "client": client}, optionflags=flags)
    check(examples.failed == 0 and examples.attempted > 0, "the bridge's docstring examples", examples)


def check_dist(wheel: Path, sdist: Path, root: Path) -> None:
    """The wheel carries LICENSE and the desired-state schema; the sdist carries LICENSE, tests/ and every
    file the tests read."""
    license_text = (root / "LICENSE").read_bytes()
    check(b"Apache License" in license_text and b"Version 2.0" in license_text, "LICENSE is the Apache License 2.0")
    with zipfile.ZipFile(wheel) as archive:
        names = archive.namelist()
        licenses = [name for name in names if re.fullmatch(r"[^/]+\.dist-info/licenses/LICENSE", name)]
        check(licenses, f"{wheel.name} carries LICENSE", [n for n in names if "dist-info" in n], needed=True)
        check(archive.read(licenses[0]) == license_text, "the same LICENSE as the repository")
        [metadata] = [name for name in names if name.endswith(".dist-info/METADATA")]
        headers = archive.read(metadata).decode()
        check("License-Expression: Apache-2.0" in headers, "its metadata says Apache-2.0")
        check("License-File: LICENSE" in headers, "its metadata lists the license file")
        check(
            "friendli_dedicated/desired.schema.json" in names,
            f"{wheel.name} carries the desired-state file's JSON Schema (friendli_dedicated/desired.schema.json)",
        )
    with tarfile.open(sdist) as archive:
        members = {member.name.split("/", 1)[1]: member for member in archive.getmembers() if "/" in member.name}
        expected = [*_SDIST_FILES, *_source_files(root, _SDIST_TREES)]
        missing = [name for name in expected if name not in members]
        check(
            not missing,
            f"{sdist.name} carries LICENSE, tests/ and what the tests read ({len(expected)} files)",
            missing,
        )
        extracted = archive.extractfile(members["LICENSE"])
        assert extracted is not None
        check(extracted.read() == license_text, "the same LICENSE as the repository")


def _source_files(root: Path, trees: Sequence[str]) -> list[str]:
    """The project's files under ``trees``: git's list when it is a clone, else the files on disk."""
    git = shutil.which("git")
    if git is not None:
        listed = subprocess.run(
            [git, "-C", str(root), "ls-files", "-z", "--", *trees], capture_output=True, check=False
        )
        if listed.returncode == 0 and listed.stdout:
            return sorted(name for name in listed.stdout.decode().split("\0") if name)
    return sorted(
        path.relative_to(root).as_posix()
        for tree in trees
        for path in (root / tree).rglob("*")
        if path.is_file() and "__pycache__" not in path.parts
    )


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Checks of an installed friendli-dedicated (see the docstring).")
    commands = parser.add_subparsers(dest="check", required=True)
    commands.add_parser("core")
    commands.add_parser("cli").add_argument("--typer", help="the typer version the environment must have")
    commands.add_parser("emulator")
    commands.add_parser("emulator-manage")
    commands.add_parser("cli-emulator").add_argument(
        "--guide", type=Path, help="getting started: run its first program as it says (docs/getting-started.md)"
    )
    commands.add_parser("otel")
    commands.add_parser("emulator-openai")
    dist = commands.add_parser("dist")
    for name in ("wheel", "sdist", "root"):
        dist.add_argument(name, type=Path)
    args = parser.parse_args(argv)
    print(f"{args.check}: {sys.executable}", flush=True)
    try:
        if args.check == "core":
            check_core()
        elif args.check == "cli":
            check_cli(args.typer)
        elif args.check == "emulator":
            check_emulator()
        elif args.check == "emulator-manage":
            check(_importable("filelock", "yaml"), "the manage extra's PyYAML and filelock are installed", needed=True)
            check_emulator()
        elif args.check == "cli-emulator":
            check_cli_emulator(args.guide)
        elif args.check == "otel":
            check_otel()
        elif args.check == "emulator-openai":
            check_emulator_openai()
        else:
            check_dist(args.wheel, args.sdist, args.root)
    except CheckFailed as stopped:
        _FAILED.append(f"{stopped} (the checks after it were not run)")
    except Exception as exc:  # a crash is a failure too: show where
        traceback.print_exc()
        _FAILED.append(f"unexpected {type(exc).__name__}: {exc} (the checks after it were not run)")
    if _FAILED:
        print(f"{args.check}: {len(_FAILED)} check(s) FAILED:", file=sys.stderr, flush=True)
        for failure in _FAILED:
            print(f"  {failure}", file=sys.stderr, flush=True)
        return 1
    print(f"{args.check}: every check passed", flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
