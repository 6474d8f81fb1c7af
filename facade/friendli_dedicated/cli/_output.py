"""What commands print: rich tables for people, JSON for scripts (``--json``), errors on stderr.

Every value is turned into plain JSON-able data first (``*_json``); tables are drawn from the same
data, so both modes always show the same facts. With ``--json``, stdout carries exactly one JSON
document and nothing else; notes and progress go to stderr.
"""

from __future__ import annotations

import datetime as dt
import functools
import importlib.resources
import json
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import typer
from rich import box
from rich.console import Console
from rich.table import Table
from rich.text import Text

import friendli_dedicated as fd
from friendli_dedicated._hints import hint_for
from friendli_dedicated.cli._exit import Failure
from friendli_dedicated_api.models import DedicatedEndpointSpec

__all__ = [
    "Output",
    "contract_pin_json",
    "duration",
    "instance_options_json",
    "spec_fields",
    "spec_json",
    "state_json",
    "version_json",
]

# Without a terminal there is no width to fit: wide enough that ids and messages never wrap.
_PIPE_WIDTH = 200


def duration(seconds: float) -> str:
    """``42s``, ``1m35s``, ``1h02m``.

    >>> duration(42.4), duration(95), duration(3720)
    ('42s', '1m35s', '1h02m')
    """
    whole = max(0, round(seconds))
    if whole < 60:
        return f"{whole}s"
    if whole < 3600:
        return f"{whole // 60}m{whole % 60:02d}s"
    return f"{whole // 3600}h{whole % 3600 // 60:02d}m"


def _iso(moment: dt.datetime | None) -> str | None:
    if moment is None:
        return None
    if moment.tzinfo is not None:
        moment = moment.astimezone(dt.UTC)
        return moment.isoformat().replace("+00:00", "Z")
    return moment.isoformat()


def _when(moment: dt.datetime | None) -> str:
    if moment is None:
        return ""
    if moment.tzinfo is not None:
        return moment.astimezone(dt.UTC).strftime("%Y-%m-%d %H:%M:%S UTC")
    return moment.strftime("%Y-%m-%d %H:%M:%S")


# -- data ------------------------------------------------------------------------------------------
def state_json(endpoint_id: str, state: fd.EndpointState | None) -> dict[str, Any]:
    """An endpoint's status as JSON: ``id``, ``status``, ``phase``, ``errorCode``, timestamps."""
    if state is None:
        return {"id": endpoint_id, "status": None, "phase": None, "errorCode": None}
    data: dict[str, Any] = {
        "id": endpoint_id,
        "status": state.status.value,
        "phase": state.phase.value if state.phase is not None else None,
        "errorCode": state.error_code.value if state.error_code is not None else None,
        "createdAt": _iso(state.created_at),
        "updatedAt": _iso(state.updated_at),
    }
    if state.error_code is not None:
        data["hint"] = hint_for(state.error_code.value)
    return data


def spec_json(endpoint_id: str, spec: fd.EndpointSpec) -> dict[str, Any]:
    """An endpoint's specification as JSON: ``id`` and the contract's fields (camelCase)."""
    return {"id": endpoint_id, **spec.to_dict()}


@functools.cache
def _spec_titles() -> Mapping[str, str]:
    """The contract's title of each field of an endpoint's specification: ``gpuType`` is ``GPU Type``."""
    contract = importlib.resources.files("friendli_dedicated_api").joinpath("openapi.json")
    schema = json.loads(contract.read_text(encoding="utf-8"))["components"]["schemas"][DedicatedEndpointSpec.__name__]
    return {name: str(field.get("title") or name) for name, field in schema["properties"].items()}


def spec_fields(endpoint_id: str, spec: fd.EndpointSpec) -> dict[str, Any]:
    """An endpoint's specification for people: its id and instance, then each field the response
    has, by its title in the contract (``GPU Type``, ``Current Replica Count``), in the contract's
    order; a field the pinned contract does not list is shown by the name it came with.

    >>> ep = client.endpoints.create("proj", "chat", "org/model", "2x H100", max_batch_size=64)
    >>> fields = spec_fields(ep.id, ep.spec())
    >>> list(fields)[:4], fields["Instance"], fields["Maximum Batch Size"]
    (['ID', 'Instance', 'Name', 'GPU Type'], '2x NVIDIA H100', 64)
    """
    instance = spec.instance
    shown: dict[str, Any] = {"ID": endpoint_id, "Instance": None if instance is None else str(instance)}
    titles = _spec_titles()
    data = spec.to_dict()
    shown.update((title, data[name]) for name, title in titles.items() if name in data)
    shown.update((name, value) for name, value in data.items() if name not in titles and name not in shown)
    return shown


def version_json(version: fd.EndpointVersion) -> dict[str, Any]:
    """One entry of the version history: ``versionId`` and the specification of that version."""
    return {"versionId": version.version_id, **version.spec.to_dict()}


def instance_options_json() -> list[dict[str, Any]]:
    """Every instance option of the contract: id, GPU, count, and a spelling ``--instance`` reads."""
    return [
        {
            "id": option.id,
            "gpu": option.gpu.value,
            "count": option.count,
            "instance": f"{option.count}x {option.gpu.value.removeprefix('NVIDIA ')}",
        }
        for option in fd.InstanceOption.all()
    ]


def contract_pin_json(sdk_version: str) -> dict[str, Any]:
    """The pinned API contract and the SDK's version."""
    pin = fd.CONTRACT_PIN
    return {
        "url": pin.url,
        "upstreamSha256": pin.sha256,
        "surfaceSha256": pin.surface_sha256,
        "retrieved": pin.retrieved,
        "sdkVersion": sdk_version,
    }


# -- drawing ---------------------------------------------------------------------------------------
def _table(*columns: str) -> Table:
    table = Table(box=box.SIMPLE_HEAD, show_edge=False, pad_edge=False, header_style="bold", highlight=False)
    for column in columns:
        table.add_column(column, no_wrap=True, overflow="fold")
    return table


def _cell(value: object) -> str:
    if value is None:
        return "-"
    if isinstance(value, bool):
        return "yes" if value else "no"
    return str(value)


_STATUS_STYLES = {
    "RUNNING": "green",
    "READY": "green",
    "FAILED": "red",
    "TERMINATED": "dim",
    "TERMINATING": "yellow",
    "SLEEPING": "blue",
}


def _status_text(status: str | None) -> Text:
    return Text(_cell(status), style=_STATUS_STYLES.get(status or "", ""))


class Output:
    """One command's output: ``json`` mode or tables; ``out`` is stdout, ``err`` stderr."""

    def __init__(self, *, json_mode: bool) -> None:
        self.json_mode = json_mode
        self.out = _console(stderr=False)
        self.err = _console(stderr=True)

    @property
    def notes(self) -> Console:
        """Where notes and progress go: stdout for people, stderr with ``--json``."""
        return self.err if self.json_mode else self.out

    def note(self, text: str) -> None:
        """A line for the person at the terminal (never on stdout with ``--json``)."""
        self.notes.print(Text(text), soft_wrap=True)

    def emit(self, data: object) -> None:
        """The one JSON document of a ``--json`` run."""
        typer.echo(json.dumps(data, indent=2, ensure_ascii=False, default=str))

    def failure(self, failure: Failure) -> None:
        """An error: one line (and a hint) on stderr, and with ``--json`` the error document on stdout."""
        if self.json_mode:
            self.emit(failure.to_json())
        typer.echo(typer.style("Error:", fg="red", bold=True) + " " + failure.message, err=True)
        if failure.hint:
            typer.echo(typer.style("Hint:", fg="yellow", bold=True) + " " + failure.hint, err=True)

    def warning(self, text: str) -> None:
        """A warning (an escape hatch was used): one line on stderr, in both modes."""
        typer.echo(typer.style("Warning:", fg="yellow", bold=True) + " " + text, err=True)

    def _print(self, table: Table) -> None:
        """A table on stdout; without a terminal, without the padding that ends rich's lines."""
        if self.out.is_terminal:
            self.out.print(table)
            return
        with self.out.capture() as captured:
            self.out.print(table)
        typer.echo("\n".join(line.rstrip() for line in captured.get().splitlines()))

    # -- results -----------------------------------------------------------------------------------
    def states(self, rows: Sequence[Mapping[str, Any]], *, wide: bool = False, empty: str = "No endpoints.") -> None:
        if self.json_mode:
            self.emit(list(rows))
            return
        if not rows:
            self.note(empty)
            return
        columns = ["ID", "STATUS", "PHASE", "ERROR", "UPDATED"]
        if wide:
            columns[1:1] = ["NAME", "PROJECT", "INSTANCE", "REPLICAS"]
        table = _table(*columns)
        for row in rows:
            cells: list[str | Text] = [
                row["id"],
                _status_text(row.get("status")),
                _cell(row.get("phase")),
                _cell(row.get("errorCode")),
                _when(_parse(row.get("updatedAt"))),
            ]
            if wide:
                cells[1:1] = [
                    _cell(row.get("name")),
                    _cell(row.get("projectId")),
                    _cell(row.get("instance")),
                    _cell(row.get("replicas")),
                ]
            table.add_row(*cells)
        self._print(table)
        hints = {row["hint"] for row in rows if row.get("hint")}
        for hint in sorted(hints):
            self.note(f"Hint: {hint}")

    def state(self, row: Mapping[str, Any]) -> None:
        if self.json_mode:
            self.emit(dict(row))
            return
        self.states([row])

    def versions(self, rows: Sequence[Mapping[str, Any]]) -> None:
        if self.json_mode:
            self.emit(list(rows))
            return
        if not rows:
            self.note("No versions.")
            return
        table = _table("VERSION", "NAME", "INSTANCE", "REPLICAS", "COOLDOWN", "MAX BATCH")
        for row in rows:
            table.add_row(
                row["versionId"],
                _cell(row.get("name")),
                f"{row.get('numGpu')}x {row.get('gpuType')}",
                f"{row.get('autoscalingMin')}-{row.get('autoscalingMax')}",
                duration(row.get("autoscalingCooldown") or 0),
                _cell(row.get("maxBatchSize")),
            )
        self._print(table)

    def rows(self, columns: Iterable[str], keys: Iterable[str], rows: Sequence[Mapping[str, Any]]) -> None:
        if self.json_mode:
            self.emit(list(rows))
            return
        table = _table(*columns)
        names = list(keys)
        for row in rows:
            table.add_row(*(_cell(row.get(name)) for name in names))
        self._print(table)

    def spec(self, endpoint_id: str, spec: fd.EndpointSpec) -> None:
        """An endpoint's specification: ``spec_json`` with ``--json`` (the contract's camelCase fields),
        else a table of ``spec_fields`` (the contract's titles of the fields)."""
        if self.json_mode:
            self.emit(spec_json(endpoint_id, spec))
            return
        self.fields(spec_fields(endpoint_id, spec))

    def fields(self, data: Mapping[str, Any]) -> None:
        if self.json_mode:
            self.emit(dict(data))
            return
        table = _table("FIELD", "VALUE")
        for key, value in data.items():
            table.add_row(key, _cell(value))
        self._print(table)


def _parse(value: object) -> dt.datetime | None:
    if not isinstance(value, str):
        return None
    try:
        return dt.datetime.fromisoformat(value)
    except ValueError:
        return None


def _console(*, stderr: bool) -> Console:
    console = Console(stderr=stderr, highlight=False, soft_wrap=False)
    if not console.is_terminal:
        return Console(stderr=stderr, highlight=False, width=_PIPE_WIDTH, no_color=True)
    return console
