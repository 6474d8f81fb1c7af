"""The real console script, as a separate process, against the emulator's loopback server.

These run what a user runs: the installed ``friendli-dedicated`` script when the environment has
one (else ``python -m friendli_dedicated.cli``), over real sockets, and once inside a
pseudo-terminal to see the live progress display. The process sleeps for real between its polls,
but the served emulator's time moves with the polls, not with real time (``PolledClock``), so what
each poll sees does not depend on how slow the machine is.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import pty
import queue
import re
import select
import signal
import struct
import subprocess
import sys
import termios
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

import friendli_dedicated
import friendli_dedicated as fd
import friendli_dedicated_api
from friendli_dedicated.emulator import DEFAULT_TEAM, DEFAULT_TOKEN, Clock, Emulator, Timings

TOKEN = "flp_process-secret-51c0ffee"
SPINNER_FRAMES = set("⠋⠙⠹⠸⠼⠴⠦⠧⠇⠏")  # rich's "dots" spinner
ANSI = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]")


def cli_command() -> list[str]:
    """The installed console script next to this interpreter, or the module when there is none."""
    script = Path(sys.executable).with_name("friendli-dedicated")
    if script.exists():
        return [str(script)]
    return [sys.executable, "-m", "friendli_dedicated.cli"]


def cli_env(base_url: str, **extra: str) -> dict[str, str]:
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith("FRIENDLI_") and key not in ("FORCE_COLOR", "NO_COLOR", "TTY_COMPATIBLE", "COLUMNS")
    }
    # The source tree, for a run without an installed package (harmless when installed).
    paths = [str(Path(friendli_dedicated.__file__).parents[1]), str(Path(friendli_dedicated_api.__file__).parents[1])]
    env["PYTHONPATH"] = os.pathsep.join([*paths, env.get("PYTHONPATH", "")]).rstrip(os.pathsep)
    env.update({"FRIENDLI_BASE_URL": base_url, "FRIENDLI_TOKEN": TOKEN, "PYTHONIOENCODING": "utf-8", **extra})
    return env


def run(base_url: str, *args: str, timeout: float = 30) -> subprocess.CompletedProcess[str]:
    result = subprocess.run(
        [*cli_command(), *args], env=cli_env(base_url), capture_output=True, text=True, timeout=timeout, check=False
    )
    assert TOKEN not in result.stdout + result.stderr
    assert "Traceback" not in result.stderr
    return result


class PolledClock(Clock):
    """The served emulator's time: ``STEP`` seconds per status request it answered before, never real time.

    A wait's first poll sees its endpoint as just created (REQUESTING_VIRTUAL_MACHINE), its second
    sees it ``STEP`` seconds later, deployed (``DEPLOY``: 9 s): whatever the machine's load, a CLI
    ``--wait`` shows one INITIALIZING line, sleeps once (drawing its spinner) and ends RUNNING, and
    a ``--timeout`` shorter than one poll interval times out.
    """

    START = 1_767_225_600.0  # 2026-01-01T00:00:00Z, where a ManualClock starts
    STEP = 10.0
    DEPLOY = Timings(requesting_virtual_machine=5, downloading_model=2, engine_initializing=2)

    def __init__(self) -> None:
        self.emulator: Emulator | None = None

    def __call__(self) -> float:
        if self.emulator is None:  # the emulator reads its clock once while it is being built
            return self.START
        polls = sum(1 for request in self.emulator.requests if request.facade_name == "status")
        return self.START + self.STEP * polls


@pytest.fixture(scope="module")
def served() -> Iterator[str]:
    clock = PolledClock()
    emulator = Emulator(clock=clock, timings=PolledClock.DEPLOY, tokens={TOKEN: [DEFAULT_TEAM]})
    clock.emulator = emulator
    with emulator.serve() as base_url:
        yield base_url


def test_console_script_session_over_http(served: str) -> None:
    created = run(served, "endpoints", "create", "-p", "demo", "-n", "chat", "-m", "org/model", "-i", "2x H100",
                  "--wait", "--timeout", "60", "--json")  # fmt: skip
    assert created.returncode == 0, created.stderr
    state = json.loads(created.stdout)
    assert state["status"] == "RUNNING"
    assert "INITIALIZING  REQUESTING_VIRTUAL_MACHINE" in created.stderr  # progress on stderr with --json
    listed = run(served, "endpoints", "list", "--wide")
    assert listed.returncode == 0
    assert re.search(rf"{state['id']}\s+chat\s+demo\s+2x NVIDIA H100\s+1/1\s+RUNNING", listed.stdout), listed.stdout
    terminated = run(served, "endpoints", "terminate", state["id"], "--json")
    assert json.loads(terminated.stdout)["status"] == "TERMINATING"
    missing = run(served, "endpoints", "status", "ep-missing")
    assert missing.returncode == 1
    assert missing.stderr.splitlines() == [
        "Error: GET /dedicated/beta/endpoint/ep-missing/status: 404 Not Found: Endpoint 'ep-missing' not found"
    ]


def test_console_script_exit_codes_3_and_4(served: str) -> None:
    failed = run(served, "endpoints", "create", "-p", "demo", "-n", "bad", "-m",
                 "emulator/fail-INFERENCE_ENGINE_MEMORY_ERROR", "--gpu", "H100", "--wait")  # fmt: skip
    assert failed.returncode == 3
    assert "INFERENCE_ENGINE_MEMORY_ERROR" in failed.stderr
    assert "Hint: The model does not fit" in failed.stderr
    slow = run(served, "endpoints", "create", "-p", "demo", "-n", "slow", "-m", "org/m", "-i", "H100",
               "--wait", "--timeout", "0.2")  # fmt: skip
    assert slow.returncode == 4
    assert "did not become RUNNING within 0.2s" in slow.stderr


def test_progress_in_a_pseudo_terminal_shows_a_spinner_and_ends_running(served: str) -> None:
    controller, terminal = pty.openpty()
    fcntl.ioctl(terminal, termios.TIOCSWINSZ, struct.pack("HHHH", 40, 120, 0, 0))
    env = cli_env(served, TERM="xterm-256color", LANG="C.UTF-8")
    args = ["endpoints", "create", "-p", "demo", "-n", "tty", "-m", "org/model", "-i", "H100", "--wait"]
    process = subprocess.Popen(
        [*cli_command(), *args], stdin=terminal, stdout=terminal, stderr=terminal, env=env, close_fds=True
    )
    os.close(terminal)
    chunks: list[bytes] = []
    deadline = time.monotonic() + 30
    try:
        while time.monotonic() < deadline:
            ready, _, _ = select.select([controller], [], [], 0.5)
            if not ready:
                if process.poll() is not None:
                    break
                continue
            try:
                chunk = os.read(controller, 4096)
            except OSError:  # EIO: the child closed the terminal
                break
            if not chunk:
                break
            chunks.append(chunk)
        assert process.wait(timeout=10) == 0
    finally:
        os.close(controller)
        if process.poll() is None:
            process.kill()
    raw = b"".join(chunks).decode("utf-8", errors="replace")
    assert TOKEN not in raw
    assert SPINNER_FRAMES & set(raw), "no spinner frame was drawn"
    assert "\x1b[" in raw  # the live line is redrawn with cursor controls
    plain = ANSI.sub("", raw).replace("\r", "\n")
    assert re.search(r"ep-\w+\s+INITIALIZING\s+REQUESTING_VIRTUAL_MACHINE\s+\d+s", plain), plain  # the status line
    last = [line.strip() for line in plain.splitlines() if line.strip()][-1]
    assert re.fullmatch(r"ep-\w+ is RUNNING after \d+s\.", last), last


@contextlib.contextmanager
def emulator_process(*args: str) -> Iterator[tuple[subprocess.Popen[str], list[str]]]:
    process = subprocess.Popen(
        [*cli_command(), "emulator", "--port", "0", *args],
        env=cli_env("http://unused.invalid"),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        yield process, []
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
        assert process.stdout is not None
        assert process.stderr is not None
        process.stdout.close()
        process.stderr.close()


def read_until(process: subprocess.Popen[str], done: str, timeout: float = 20) -> list[str]:
    """Lines of the process's stdout up to the first containing ``done`` (a thread reads, so no
    buffering between select and readline can hide a line)."""
    assert process.stdout is not None
    stream = process.stdout
    found: queue.Queue[str | None] = queue.Queue()

    def pump() -> None:
        for line in stream:
            found.put(line.rstrip("\n"))
            if done in line:
                return
        found.put(None)

    threading.Thread(target=pump, daemon=True).start()
    lines: list[str] = []
    deadline = time.monotonic() + timeout
    while (left := deadline - time.monotonic()) > 0:
        try:
            line = found.get(timeout=left)
        except queue.Empty:
            break
        if line is None:
            break
        lines.append(line)
        if done in line:
            return lines
    raise AssertionError(f"the emulator printed {lines} without {done!r}")


def test_emulator_command_serves_on_loopback_until_interrupted() -> None:
    with emulator_process("--time-scale", "0.01", "--seed", "3", "--json") as (process, _):
        document = json.loads("\n".join(read_until(process, "}")))
        assert document["baseUrl"].startswith("http://127.0.0.1:")
        assert (document["token"], document["team"]) == (DEFAULT_TOKEN, DEFAULT_TEAM)
        env = cli_env(document["baseUrl"], FRIENDLI_TOKEN=DEFAULT_TOKEN)
        listed = subprocess.run(
            [*cli_command(), "endpoints", "list", "--json"], env=env, capture_output=True, text=True, timeout=30
        )
        assert (listed.returncode, json.loads(listed.stdout)) == (0, [])
        process.send_signal(signal.SIGINT)
        assert process.wait(timeout=15) == 0
        assert process.stderr is not None
        assert "stopping" in process.stderr.read()


@pytest.mark.parametrize("launcher", ["cli", "module"])
def test_both_launchers_stop_cleanly_on_sigterm(launcher: str) -> None:
    # A supervisor (or nox, or `kill`) sends SIGTERM: the server shuts down and the exit status is 0.
    command = cli_command() if launcher == "cli" else [sys.executable, "-m", "friendli_dedicated.emulator"]
    process = subprocess.Popen(
        [*command, *([] if launcher == "module" else ["emulator"]), "--port", "0"],
        env=cli_env("http://unused.invalid"),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        lines = read_until(process, "FRIENDLI_TEAM")  # ends with what to export
        assert lines[0].startswith("Friendli Dedicated emulator at http://127.0.0.1:")
        assert f"export FRIENDLI_TOKEN={DEFAULT_TOKEN}" in [line.strip() for line in lines]
        process.send_signal(signal.SIGTERM)
        _, stderr = process.communicate(timeout=15)
        assert process.returncode == 0, stderr
        assert stderr == "stopping (SIGTERM)\n"
    finally:
        if process.poll() is None:
            process.kill()
            process.communicate()


def test_emulator_command_refuses_a_bad_fault_rate() -> None:
    result = run("http://unused.invalid", "emulator", "--fault-rate", "2")
    assert result.returncode == 2
    assert result.stderr.startswith("Error: invalid --fault-rate")


def test_apply_interrupted_with_sigint_then_run_again_makes_each_endpoint_exactly_once(tmp_path: Path) -> None:
    # One change at a time, deployments that take no time, and the third create held by the server until
    # the test lets it go: the SIGINT lands while that create is in flight (its outcome unknown to the
    # command: the server makes the endpoint once it is let go), two are made and three not started.
    emulator = Emulator(
        timings=Timings(requesting_virtual_machine=0, downloading_model=0, engine_initializing=0, updating=0),
        tokens={TOKEN: [DEFAULT_TEAM]},
    )
    held, release = threading.Event(), threading.Event()
    creates = 0
    answer = emulator.handle_body

    def hold_the_third_create(head: Any, body: bytes) -> Any:
        nonlocal creates
        if head.method == "POST" and head.path.endswith("/endpoint"):
            creates += 1
            if creates == 3:
                held.set()
                release.wait(timeout=30)
        return answer(head, body)

    emulator.handle_body = hold_the_third_create  # type: ignore[method-assign]
    names = [f"ep-{n}" for n in range(6)]
    desired = {
        "projects": {"demo": {"endpoints": {name: {"model": "org/model", "instance": "H100"} for name in names}}}
    }
    (tmp_path / "endpoints.json").write_text(json.dumps(desired), encoding="utf-8")
    args = ["apply", "endpoints.json", "--yes", "--parallelism", "1"]
    with emulator.serve() as base_url:
        process = subprocess.Popen(
            [*cli_command(), *args],
            env=cli_env(base_url),
            cwd=tmp_path,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        try:
            assert held.wait(timeout=30), "the apply never sent its third create"
            process.send_signal(signal.SIGINT)
            stopping = read_until(process, "Stopping: no new change starts.")[-1]
            rest, stderr = process.communicate(timeout=30)
        finally:
            release.set()  # the held create ends on the server: the endpoint is made
            if process.poll() is None:
                process.kill()
                process.communicate()
        assert process.returncode == 130, stderr
        assert "In flight: demo/ep-2 (creating)" in stopping
        assert stderr.splitlines() == [
            "Error: apply interrupted: 2 changes made and recorded, 3 not started, 1 in flight, their outcome unknown "
            "(demo/ep-2)",
            "Hint: run the same apply again: it converges (an endpoint is adopted by its name, never made twice)",
        ]
        assert re.search(r"demo\s+ep-2\s+create\s+-\s+in_flight", rest), rest
        assert len(re.findall(r"\bnot_started\b", rest)) == 3

        again = subprocess.run(
            [*cli_command(), *args, "--json"],
            env=cli_env(base_url),
            cwd=tmp_path,
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert again.returncode == 0, again.stderr
        outcomes = {row["name"]: (row["action"], row["outcome"]) for row in json.loads(again.stdout)}
        assert (
            outcomes
            == {
                "ep-0": ("noop", "unchanged"),
                "ep-1": ("noop", "unchanged"),
                "ep-2": ("update", "done"),  # made by the interrupted create: adopted by its name, its model sent
                **dict.fromkeys(names[3:], ("create", "done")),
            }
        )
        with emulator.client(token=TOKEN) as client:
            made = sorted(client.endpoints.get(endpoint_id).name for endpoint_id in emulator.endpoint_ids())
            assert made == names  # each endpoint exactly once
            assert {ep.state.status for ep in client.endpoints.list("demo")} == {fd.Status.RUNNING}
    for output in (stopping, rest, stderr, again.stdout, again.stderr):
        assert TOKEN not in output
        assert "Traceback" not in output
