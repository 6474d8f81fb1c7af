"""``friendli-dedicated --verbose``: the SDK's log records on stderr, one line each, without the token."""

from __future__ import annotations

import json
import logging

import pytest
from typer.testing import CliRunner

import friendli_dedicated as fd
from friendli_dedicated.cli import _app, _session
from friendli_dedicated.emulator import DEFAULT_TEAM, Emulator, ManualClock

TOKEN = "flp_cli-verbose-secret-51c0"
ENV = {
    "FRIENDLI_TOKEN": TOKEN,
    "FRIENDLI_TEAM": None,
    "FRIENDLI_BASE_URL": None,
    "FRIENDLI_PROJECT": None,
    "NO_COLOR": None,
    "COLUMNS": None,
}


@pytest.fixture
def emulator(monkeypatch: pytest.MonkeyPatch) -> Emulator:
    emulator = Emulator(clock=ManualClock(), tokens={TOKEN: [DEFAULT_TEAM]}, seed=3)

    def factory(settings: _session.Settings) -> fd.Client:
        return emulator.client(token=settings.token, team_id=settings.team, random=lambda: 0.5)

    monkeypatch.setattr(_session, "client_factory", factory)
    return emulator


def invoke(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(_app.app, list(args), env=ENV, catch_exceptions=False)
    return result.exit_code, result.stdout, result.stderr


def test_verbose_shows_each_request_and_each_change_of_state_on_stderr(emulator: Emulator) -> None:
    emulator.inject("status", 503)
    code, out, err = invoke(
        "--verbose",
        "endpoints",
        "create",
        "-p",
        "proj",
        "-n",
        "chat",
        "-m",
        "org/model",
        "-i",
        "H100",
        "--wait",
        "--json",
    )
    assert code == 0, err
    endpoint_id = json.loads(out)["id"]  # stdout is still the one JSON document
    lines = err.splitlines()
    requests = [line for line in lines if line.startswith("debug: ") and " -> " in line]
    assert len(requests) == len(emulator.requests)  # one line per attempt
    assert "debug: POST /dedicated/beta/endpoint -> 200" in err
    assert f"debug: GET /dedicated/beta/endpoint/{endpoint_id}/status -> 503" in err
    assert (
        f"[operation=friendli.endpoints.wait_until_running http_status=503 error_type=503 endpoint_id={endpoint_id}]"
        in err
    )
    changes = [line for line in lines if line.startswith(f"info: endpoint {endpoint_id}: ")]
    assert changes[-1].startswith(f"info: endpoint {endpoint_id}: RUNNING (")
    assert "endpoint_status=RUNNING" in changes[-1]
    assert TOKEN not in out
    assert TOKEN not in err


def test_without_verbose_nothing_is_logged_and_the_logger_is_left_as_it_was(emulator: Emulator) -> None:
    code, _out, err = invoke("endpoints", "list", "--json")
    assert code == 0
    assert "debug:" not in err
    logger = logging.getLogger("friendli_dedicated")
    handlers, level = list(logger.handlers), logger.level
    code, _out, err = invoke("-v", "endpoints", "list", "--json")
    assert code == 0
    assert "debug: GET /dedicated/beta/endpoint -> 200" in err
    assert (logger.handlers, logger.level) == (handlers, level)  # restored after the command
