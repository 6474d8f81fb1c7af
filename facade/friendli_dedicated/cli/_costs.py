"""The ``costs`` command: what the team's endpoints cost over some days, per endpoint and per project.

A thin layer over ``client.costs``: ``--start`` and ``--end`` are days (``2026-01-01``; ``--end`` is
the day after the last one), checked by the facade against the API's limits, so a refused one is
named by its flag. Tables for people; with ``--json``, one document whose amounts are decimal
strings, exact to the last digit (``costs_json``).
"""

import datetime as dt
from decimal import Decimal
from typing import Annotated, Any

import typer

import friendli_dedicated as fd
from friendli_dedicated._cost_report import sum_amounts
from friendli_dedicated.cli._options import JsonOpt
from friendli_dedicated.cli._session import command
from friendli_dedicated.errors import InvalidInputError

__all__ = ["costs", "costs_json", "day"]

StartOpt = Annotated[
    str, typer.Option("--start", metavar="DATE", help="The first day (UTC), e.g. 2026-01-01.", show_default=False)
]
EndOpt = Annotated[
    str,
    typer.Option(
        "--end",
        metavar="DATE",
        help="The day after the last day (UTC): at most 366 days after --start.",
        show_default=False,
    ),
]
CostProjectOpt = Annotated[
    str | None, typer.Option("--project", "-p", help="Only this project's endpoints.", show_default=False)
]


def day(text: str, field: str) -> dt.date | dt.datetime:
    """A ``--start`` or ``--end`` value: a date (``2026-01-01``), or an RFC 3339 date-time at midnight
    UTC (``2026-01-01T00:00:00Z``), which the facade checks.

    >>> day("2026-01-31", "start"), day("2026-01-01T00:00:00Z", "end").isoformat()
    (datetime.date(2026, 1, 31), '2026-01-01T00:00:00+00:00')
    >>> day("31/01/2026", "start")
    Traceback (most recent call last):
    friendli_dedicated.errors.InvalidInputError: start: must be a date such as 2026-01-01, got '31/01/2026'
    """
    value = text.strip()
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        pass
    try:
        return dt.datetime.fromisoformat(value)
    except ValueError:
        raise InvalidInputError(field, f"must be a date such as 2026-01-01, got {text[:40]!r}") from None


def _amount(value: Decimal | None) -> str | None:
    return None if value is None else format(value, "f")


def _entry_json(entry: fd.CostEntry) -> dict[str, Any]:
    return {
        "day": entry.day.isoformat(),
        "kind": entry.kind,
        "lineItem": entry.line_item,
        "endpointId": entry.endpoint_id,
        "endpointName": entry.endpoint_name,
        "projectId": entry.project_id,
        "gpuType": entry.gpu_type,
        "quantity": _amount(entry.quantity),
        "unitPrice": _amount(entry.unit_price),
        "amount": _amount(entry.amount),
    }


def _endpoint_rows(report: fd.CostReport) -> list[dict[str, Any]]:
    rows = []
    for endpoint_id, amount in report.by_endpoint().items():
        entries = [entry for entry in report.entries if entry.endpoint_id == endpoint_id]
        quantities = [entry.quantity for entry in entries]
        first = entries[0]  # every entry of an endpoint was joined alike
        rows.append(
            {
                "endpointId": endpoint_id,
                "name": first.endpoint_name,
                "projectId": first.project_id,
                "gpuTypes": sorted({entry.gpu_type for entry in entries if entry.gpu_type is not None}),
                "gpuHours": None
                if None in quantities
                else _amount(sum_amounts(q for q in quantities if q is not None)),
                "cost": _amount(amount),
            }
        )
    return sorted(rows, key=lambda row: (row["projectId"] is None, row["projectId"] or "", row["endpointId"]))


def _project_rows(report: fd.CostReport) -> list[dict[str, Any]]:
    counts: dict[str | None, set[str]] = {}
    for entry in report.entries:
        counts.setdefault(entry.project_id, set()).update([entry.endpoint_id] if entry.endpoint_id else [])
    return [
        {"projectId": project, "endpoints": len(counts.get(project, ())), "cost": _amount(amount)}
        for project, amount in report.by_project().items()
    ]


def costs_json(report: fd.CostReport) -> dict[str, Any]:
    """The report as one JSON document: totals per endpoint, per project and per day, every entry, and
    the endpoints whose project is not known (deleted); amounts as decimal strings."""
    return {
        "start": report.start.isoformat(),
        "end": report.end.isoformat(),
        "projectId": report.project_id,
        "total": _amount(report.total),
        "endpoints": _endpoint_rows(report),
        "projects": _project_rows(report),
        "days": [{"day": day.isoformat(), "cost": _amount(amount)} for day, amount in report.by_day().items()],
        "entries": [_entry_json(entry) for entry in report.entries],
        "unjoined": sorted(report.unjoined),
    }


def costs(
    ctx: typer.Context, start: StartOpt, end: EndOpt, project: CostProjectOpt = None, json_: JsonOpt = False
) -> None:
    """Show what the team's endpoints cost from --start to --end (UTC days), per endpoint and per project.

    Amounts are in the team's billing currency (the API names none). An endpoint deleted since
    still shows its cost, without a name or project. The API keeps 365 days of cost.
    """
    with command(ctx, json_) as session:
        first, last = day(start, "start"), day(end, "end")
        report = session.client.costs(first, last, project_id=project)
        data = costs_json(report)
        out = session.out
        if out.json_mode:
            out.emit(data)
            return
        period = f"from {data['start']} to {data['end']} (end excluded)"
        if not report.entries:
            out.note(f"No cost {period}.")
            return
        endpoint_rows = [{**row, "gpuTypes": ", ".join(row["gpuTypes"])} for row in data["endpoints"]]
        out.rows(
            ("ENDPOINT", "NAME", "PROJECT", "GPU", "GPU-HOURS", "COST"),
            ("endpointId", "name", "projectId", "gpuTypes", "gpuHours", "cost"),
            endpoint_rows,
        )
        out.note("")
        out.rows(("PROJECT", "ENDPOINTS", "COST"), ("projectId", "endpoints", "cost"), data["projects"])
        others = [entry for entry in report.entries if entry.kind == "other"]
        if others:
            out.note(f"Other line items (of no endpoint): {_amount(sum_amounts(e.amount for e in others))}.")
        if report.unjoined:
            out.note(f"No longer there, so of no known project: {', '.join(sorted(report.unjoined))}.")
        out.note(f"Total {data['total']} {period}.")
