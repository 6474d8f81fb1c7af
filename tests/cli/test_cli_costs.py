"""``friendli-dedicated costs``: what the endpoints cost, per endpoint and per project, in tables and JSON.

Run in-process against the emulator on a ManualClock: a simulated day costs what the emulator's price
table says for the replica time; bad dates name their flag, and nothing is sent for them.
"""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any

import pytest
from typer.testing import CliRunner, Result

import friendli_dedicated as fd
from friendli_dedicated.cli import _app, _session
from friendli_dedicated.emulator import DEFAULT_TEAM, GPU_PRICES, Emulator, ManualClock

TOKEN = "flp_cli-costs-secret-55e1"
ENV: dict[str, str | None] = {
    "FRIENDLI_TOKEN": TOKEN,
    "FRIENDLI_TEAM": None,
    "FRIENDLI_BASE_URL": None,
    "FORCE_COLOR": None,
    "FORCE_TERMINAL": None,
    "TTY_COMPATIBLE": None,
    "TTY_INTERACTIVE": None,
    "NO_COLOR": None,
    "COLUMNS": None,
}
HOUR = 3600
H100, H200 = fd.GPU.H100.value, fd.GPU.H200.value


@pytest.fixture
def emulator(monkeypatch: pytest.MonkeyPatch) -> Emulator:
    emu = Emulator(clock=ManualClock(), tokens={TOKEN: [DEFAULT_TEAM]}, seed=5)

    def factory(settings: _session.Settings) -> fd.Client:
        return emu.client(token=settings.token, team_id=settings.team, random=lambda: 0.5)

    monkeypatch.setattr(_session, "client_factory", factory)
    return emu


def run(*args: str) -> Result:
    result = CliRunner().invoke(_app.app, list(args), env=ENV, catch_exceptions=False)
    assert TOKEN not in result.stdout + result.stderr
    assert "Traceback" not in result.stderr
    return result


def lines(text: str) -> list[str]:
    return [" ".join(line.split()) for line in text.splitlines() if line.strip()]


def a_day(emu: Emulator) -> tuple[str, str]:
    """Two endpoints for a simulated day: one all day, one (two replicas of 2x H200) asleep from noon."""
    with emu.client(token=TOKEN) as client:
        whole = client.endpoints.create("web", "whole-day", "org/model", "1x H100")
        half = client.endpoints.create("batch", "half-day", "org/model", "2x H200", autoscaling=fd.Autoscaling.fixed(2))
        emu.advance(12 * HOUR)
        half.sleep()
        emu.advance(12 * HOUR)
    return whole.id, half.id


def test_costs_prints_each_endpoint_and_each_project(emulator: Emulator) -> None:
    whole, half = a_day(emulator)
    result = run("costs", "--start", "2026-01-01", "--end", "2026-01-02")
    assert result.exit_code == 0, result.stderr
    whole_cost, half_cost = GPU_PRICES[H100] * 24, GPU_PRICES[H200] * 2 * 2 * 12  # price x GPU-hours
    shown = lines(result.stdout)
    assert shown[0] == "ENDPOINT NAME PROJECT GPU GPU-HOURS COST"
    assert f"{half} half-day batch {H200} 48.000000 {half_cost:.6f}" in shown
    assert f"{whole} whole-day web {H100} 24.000000 {whole_cost:.6f}" in shown
    assert "PROJECT ENDPOINTS COST" in shown
    assert f"batch 1 {half_cost:.6f}" in shown
    assert f"web 1 {whole_cost:.6f}" in shown
    assert shown[-1] == f"Total {whole_cost + half_cost:.6f} from 2026-01-01 to 2026-01-02 (end excluded)."


def test_costs_json_is_one_document_with_exact_amounts(emulator: Emulator) -> None:
    whole, half = a_day(emulator)
    result = run("costs", "--start", "2026-01-01", "--end", "2026-01-02", "--json")
    assert result.exit_code == 0, result.stderr
    data: dict[str, Any] = json.loads(result.stdout)
    whole_cost, half_cost = GPU_PRICES[H100] * 24, GPU_PRICES[H200] * 48
    assert (data["start"], data["end"], data["projectId"]) == ("2026-01-01", "2026-01-02", None)
    assert Decimal(data["total"]) == whole_cost + half_cost
    by_endpoint = {row["endpointId"]: row for row in data["endpoints"]}
    assert by_endpoint[whole] == {
        "endpointId": whole,
        "name": "whole-day",
        "projectId": "web",
        "gpuTypes": [H100],
        "gpuHours": "24.000000",
        "cost": f"{whole_cost:.6f}",
    }
    assert Decimal(by_endpoint[half]["cost"]) == half_cost
    assert {row["projectId"]: Decimal(row["cost"]) for row in data["projects"]} == {
        "web": whole_cost,
        "batch": half_cost,
    }
    assert data["days"] == [{"day": "2026-01-01", "cost": f"{whole_cost + half_cost:.6f}"}]
    assert {entry["lineItem"] for entry in data["entries"]} == {
        f"{whole}, {H100}, gpu time cost",
        f"{half}, {H200}, gpu time cost",
    }
    assert all(isinstance(entry["amount"], str) for entry in data["entries"])  # never a float
    assert data["unjoined"] == []


def test_costs_of_one_project_and_of_a_deleted_endpoint(emulator: Emulator) -> None:
    whole, half = a_day(emulator)
    only = json.loads(run("costs", "--start", "2026-01-01", "--end", "2026-01-02", "-p", "web", "--json").stdout)
    assert [row["endpointId"] for row in only["endpoints"]] == [whole]
    assert only["projectId"] == "web"
    with emulator.client(token=TOKEN) as client:
        client.endpoints.delete(half)
    result = run("costs", "--start", "2026-01-01", "--end", "2026-01-02")
    assert f"{half} - - {H200} 48.000000 {GPU_PRICES[H200] * 48:.6f}" in lines(result.stdout)
    assert f"No longer there, so of no known project: {half}." in lines(result.stdout)


def test_a_period_without_cost_says_so(emulator: Emulator) -> None:
    result = run("costs", "--start", "2025-12-01", "--end", "2026-01-01")
    assert result.exit_code == 0
    assert lines(result.stdout) == ["No cost from 2025-12-01 to 2026-01-01 (end excluded)."]


@pytest.mark.parametrize(
    ("dates", "flag"),
    [
        (("01/01/2026", "2026-01-02"), "--start"),
        (("2026-01-01T00:00:00", "2026-01-02"), "--start"),  # no offset: which day is not known
        (("2026-01-01T06:00:00Z", "2026-01-02"), "--start"),
        (("2026-01-01", "tomorrow"), "--end"),
        (("2026-01-02", "2026-01-01"), "--end"),
        (("2024-12-01", "2026-01-01"), "--end"),  # longer than the API keeps
    ],
)
def test_bad_dates_name_their_flag_and_send_nothing(emulator: Emulator, dates: tuple[str, str], flag: str) -> None:
    result = run("costs", "--start", dates[0], "--end", dates[1])
    assert result.exit_code == 2
    assert result.stderr.startswith(f"Error: invalid {flag}: ")
    assert "=" not in result.stderr  # no Python keyword (join=..., start=...)
    assert emulator.requests == []
    document = json.loads(run("costs", "--start", dates[0], "--end", dates[1], "--json").stdout)
    assert document["error"]["option"] == flag


def test_costs_help_names_its_flags() -> None:
    text = " ".join(run("costs", "--help").stdout.split())
    assert "--start DATE" in text
    assert "--end DATE" in text
    assert "--project" in text
    assert "Exit codes:" in text
