"""The emulator's launcher (``_launcher``): its options, its lines, and stopping on a signal at any moment.

Both command lines (``python -m friendli_dedicated.emulator`` and ``friendli-dedicated emulator``)
are this launcher. The signal tests send SIGINT or SIGTERM to this very process at the moments
that used to race (while the server starts, right after the lines are printed): the launcher must
turn each into a clean stop, never a ``KeyboardInterrupt``.
"""

from __future__ import annotations

import inspect
import io
import os
import signal
import socket
import threading
from collections.abc import Callable
from contextlib import redirect_stderr
from typing import Any

import attrs
import httpx
import pytest

import friendli_dedicated as fd
import friendli_dedicated.emulator.__main__ as emulator_main
from friendli_dedicated.emulator import DEFAULT_TEAM, DEFAULT_TOKEN, _launcher
from friendli_dedicated.emulator.__main__ import main, parse_args
from friendli_dedicated.emulator._launcher import LaunchOptions, connection, export_lines, serve_until_stopped
from friendli_dedicated.errors import InvalidInputError, TransportError

LOOPBACK = LaunchOptions(port=0, time_scale=0.01)


# -- options ---------------------------------------------------------------------------------------
def test_defaults_bind_loopback_on_8080() -> None:
    options = LaunchOptions()
    assert (options.host, options.port, options.time_scale, options.fault_rate, options.seed) == (
        "127.0.0.1",
        8080,
        1.0,
        0.0,
        1234,
    )
    assert options.emulator().faults is None


def test_a_fault_rate_gives_seeded_faults() -> None:
    emulator = LaunchOptions(fault_rate=0.25, seed=9, time_scale=0.5).emulator()
    assert emulator.faults is not None
    assert (emulator.faults.rate, emulator.faults.seed, emulator.time_scale) == (0.25, 9, 0.5)


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("host", ""),
        ("host", "local host"),
        ("host", "h\x00st"),
        ("host", "hôte"),
        ("host", "http://127.0.0.1"),
        ("port", -1),
        ("port", 65536),
        ("port", 10**30),
        ("port", True),
        ("time_scale", -0.5),
        ("time_scale", float("nan")),
        ("time_scale", float("inf")),
        ("fault_rate", 1.5),
        ("fault_rate", -0.1),
        ("fault_rate", float("nan")),
        ("seed", 1.5),
    ],
)
def test_bad_options_are_refused_naming_the_field(field: str, value: Any) -> None:
    with pytest.raises(InvalidInputError) as caught:
        LaunchOptions(**{field: value})
    assert caught.value.field == field


def test_the_lines_to_export_and_their_json() -> None:
    url = "http://127.0.0.1:8123"
    assert export_lines(url) == [
        f"Friendli Dedicated emulator at {url} (Ctrl-C to stop)",
        f"  export FRIENDLI_BASE_URL={url}",
        f"  export FRIENDLI_TOKEN={DEFAULT_TOKEN}",
        f"  export FRIENDLI_TEAM={DEFAULT_TEAM}",
    ]
    assert connection(url) == {"baseUrl": url, "token": DEFAULT_TOKEN, "team": DEFAULT_TEAM}


@pytest.mark.parametrize(
    ("bound", "local"),
    [("http://0.0.0.0:8123", "http://127.0.0.1:8123"), ("http://[::]:8123", "http://[::1]:8123")],
)
def test_bound_to_every_interface_the_lines_export_the_loopback_url_and_say_so(bound: str, local: str) -> None:
    # Found by a newcomer: `--host 0.0.0.0` printed `export FRIENDLI_BASE_URL=http://0.0.0.0:8123`, which
    # every client refuses (plain http to a host that is not loopback).
    lines = export_lines(bound)
    assert lines[0] == f"Friendli Dedicated emulator at {local} (Ctrl-C to stop)"
    assert "every interface" in lines[1]
    assert f"  export FRIENDLI_BASE_URL={local}" in lines
    assert connection(bound)["baseUrl"] == local
    fd.Client(token=DEFAULT_TOKEN, base_url=local).close()  # taken as it is, without allow_insecure


# -- serving ---------------------------------------------------------------------------------------
def _serve_in_thread(options: LaunchOptions) -> tuple[threading.Thread, threading.Event, list[str], list[str]]:
    stop, urls, outcome = threading.Event(), [], []
    ready = threading.Event()

    def announce(base_url: str) -> None:
        urls.append(base_url)
        ready.set()

    def run() -> None:
        outcome.append(serve_until_stopped(options, announce, stop=stop, on_stopping=lambda reason: None))

    thread = threading.Thread(target=run)
    thread.start()
    assert ready.wait(timeout=20), "the server never announced its URL"
    return thread, stop, urls, outcome


def test_serves_until_the_stop_event_then_closes_the_socket() -> None:
    thread, stop, [base_url], outcome = _serve_in_thread(LOOPBACK)
    try:
        assert base_url.startswith("http://127.0.0.1:")
        assert httpx.get(base_url + "/dedicated/beta/endpoint").status_code == 401  # served: auth is required
    finally:
        stop.set()
        thread.join(timeout=20)
    assert not thread.is_alive()
    assert outcome == ["stop"]
    with pytest.raises(httpx.ConnectError):
        httpx.get(base_url + "/dedicated/beta/endpoint")


def test_a_taken_port_is_a_transport_error_naming_it() -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen(1)
        port = taken.getsockname()[1]
        with pytest.raises(TransportError, match=f"cannot serve on 127.0.0.1:{port}"):
            serve_until_stopped(LaunchOptions(port=port), lambda url: pytest.fail(f"served at {url}"))


def _raise_signal(number: signal.Signals) -> None:
    os.kill(os.getpid(), number)


@pytest.mark.parametrize("number", [signal.SIGINT, signal.SIGTERM], ids=["SIGINT", "SIGTERM"])
def test_a_signal_right_after_the_lines_are_printed_stops_cleanly(number: signal.Signals) -> None:
    # The old race: the lines were out, the waiting had not begun, and Ctrl-C became exit 130.
    before = {sig: signal.getsignal(sig) for sig in _launcher.STOP_SIGNALS}
    stopping: list[str] = []
    urls: list[str] = []

    def announce(base_url: str) -> None:
        urls.append(base_url)
        _raise_signal(number)

    reason = serve_until_stopped(LOOPBACK, announce, on_stopping=stopping.append)
    assert reason == stopping[0] == number.name
    assert len(urls) == 1
    with pytest.raises(httpx.ConnectError):  # the server was shut down, not abandoned
        httpx.get(urls[0] + "/dedicated/beta/endpoint")
    assert {sig: signal.getsignal(sig) for sig in _launcher.STOP_SIGNALS} == before  # handlers restored


def test_a_signal_while_the_server_starts_stops_it_cleanly(monkeypatch: pytest.MonkeyPatch) -> None:
    build: Callable[[LaunchOptions], Any] = LaunchOptions.emulator

    def interrupted_build(self: LaunchOptions) -> Any:
        _raise_signal(signal.SIGINT)
        return build(self)

    monkeypatch.setattr(LaunchOptions, "emulator", interrupted_build)
    urls: list[str] = []
    assert serve_until_stopped(LOOPBACK, urls.append, on_stopping=lambda reason: None) == "SIGINT"
    assert len(urls) == 1  # it still came up (and said where) before stopping


def test_the_default_stopping_line_goes_to_stderr() -> None:
    err = io.StringIO()
    with redirect_stderr(err):
        serve_until_stopped(LOOPBACK, lambda url: _raise_signal(signal.SIGTERM))
    assert err.getvalue() == "stopping (SIGTERM)\n"


def test_off_the_main_thread_signals_are_left_alone() -> None:
    before = signal.getsignal(signal.SIGINT)
    seen: list[object] = []
    thread, stop, _, outcome = _serve_in_thread(LOOPBACK)
    seen.append(signal.getsignal(signal.SIGINT))
    stop.set()
    thread.join(timeout=20)
    assert seen == [before]
    assert outcome == ["stop"]


# -- python -m friendli_dedicated.emulator ---------------------------------------------------------
def test_module_command_line_reads_every_option() -> None:
    options = parse_args(["--host", "::1", "--port", "0", "--time-scale", "0.1", "--fault-rate", "0.2", "--seed", "7"])
    assert options == LaunchOptions(host="::1", port=0, time_scale=0.1, fault_rate=0.2, seed=7)


@pytest.mark.parametrize(
    ("args", "named"),
    [
        (["--port", "70000"], "--port"),
        (["--time-scale", "nan"], "--time-scale"),
        (["--fault-rate", "2"], "--fault-rate"),
        (["--host", ""], "--host"),
    ],
)
def test_module_command_line_refuses_bad_values_with_exit_2(
    args: list[str], named: str, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as caught:
        parse_args(args)
    assert caught.value.code == 2
    assert f"argument {named}: " in capsys.readouterr().err


def test_module_main_prints_the_launcher_lines_and_exits_0_on_sigint(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    def lines_then_interrupt(base_url: str) -> list[str]:
        _raise_signal(signal.SIGINT)  # Ctrl-C while the lines are being printed
        return export_lines(base_url)

    monkeypatch.setattr(emulator_main, "export_lines", lines_then_interrupt)
    assert main(["--port", "0", "--time-scale", "0.01"]) == 0
    captured = capsys.readouterr()
    printed = captured.out.splitlines()
    assert printed[0].startswith("Friendli Dedicated emulator at http://127.0.0.1:")
    assert printed == export_lines(printed[0].split()[4])
    assert captured.err == "stopping (SIGINT)\n"


def test_module_main_exits_2_for_a_host_name_without_looking_it_up(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    def no_lookups(*args: object, **kwargs: object) -> None:
        raise AssertionError("a name lookup was attempted")

    monkeypatch.setattr(socket, "getaddrinfo", no_lookups)
    with pytest.raises(SystemExit) as caught:
        main(["--host", "no-such-host.invalid", "--port", "0"])
    assert caught.value.code == 2
    error = capsys.readouterr().err
    assert "argument --host: must be an IP address" in error
    assert "no-such-host.invalid" in error


def test_the_cli_command_has_the_launcher_defaults() -> None:
    # The CLI declares its options without importing the emulator (an extra it may not have).
    from friendli_dedicated.cli import _app

    parameters = inspect.signature(_app.emulator).parameters
    defaults = attrs.asdict(LaunchOptions())
    assert {name: parameters[name].default for name in defaults} == defaults
