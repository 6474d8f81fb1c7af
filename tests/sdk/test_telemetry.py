"""Traces, metrics and logs of the SDK's calls (``_observe``, ``_telemetry``), against the emulator.

OpenTelemetry's SDK records into in-memory exporters here: the clients use a ``Telemetry`` built on
those providers (``_telemetry._shared``, what ``shared()`` would give them on the global ones, which a
process can set only once). The global path, and what is imported when, are checked in subprocesses.
The emulator sends no request id, so a transport in front of it adds one (``x-request-id``), as an
API gateway does.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import logging
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from opentelemetry.sdk.metrics import MeterProvider
from opentelemetry.sdk.metrics.export import InMemoryMetricReader
from opentelemetry.sdk.trace import ReadableSpan, TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from opentelemetry.trace import SpanKind, StatusCode

import friendli_dedicated as fd
from friendli_dedicated import _calls as calls, _telemetry
from friendli_dedicated.emulator import Emulator, ManualClock

ROOT = Path(__file__).resolve().parents[2]
TOKEN = "flp_telemetry-secret-3f9c2a71"
TEAM = "team-otel"
BASE_URL = "http://emulator.invalid"


class RequestIds(httpx.BaseTransport, httpx.AsyncBaseTransport):
    """The emulator's transport, with an ``x-request-id`` on every response, and the requests kept."""

    def __init__(self, emulator: Emulator) -> None:
        self.inner = emulator.transport()
        self.sent: list[httpx.Request] = []

    def _identified(self, request: httpx.Request, response: httpx.Response) -> httpx.Response:
        self.sent.append(request)
        response.headers["x-request-id"] = f"req-{len(self.sent)}"
        return response

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        return self._identified(request, self.inner.handle_request(request))

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        return self._identified(request, await self.inner.handle_async_request(request))


class Recorded:
    """The spans and metrics recorded, read back."""

    def __init__(self) -> None:
        self.exporter = InMemorySpanExporter()
        tracer_provider = TracerProvider()
        tracer_provider.add_span_processor(SimpleSpanProcessor(self.exporter))
        self.reader = InMemoryMetricReader()
        self.telemetry = _telemetry.Telemetry(tracer_provider, MeterProvider(metric_readers=[self.reader]))
        self._metrics: Any = None

    def spans(self) -> list[ReadableSpan]:
        return list(self.exporter.get_finished_spans())

    def calls(self) -> list[ReadableSpan]:
        return [span for span in self.spans() if span.kind is SpanKind.INTERNAL]

    def attempts(self) -> list[ReadableSpan]:
        return [span for span in self.spans() if span.kind is SpanKind.CLIENT]

    def children(self, parent: ReadableSpan) -> list[ReadableSpan]:
        return [span for span in self.attempts() if span.parent is not None and span.parent.span_id == _id(parent)]

    def metrics(self) -> dict[str, list[Any]]:
        """Instrument name -> its data points (read once: a reader collects what was recorded since)."""
        if self._metrics is None:
            self._metrics = self.reader.get_metrics_data()
        points: dict[str, list[Any]] = {}
        for resource in self._metrics.resource_metrics if self._metrics else []:
            for scope in resource.scope_metrics:
                for metric in scope.metrics:
                    points.setdefault(metric.name, []).extend(metric.data.data_points)
        return points

    def everything(self) -> str:
        """Every span (names, attributes, events, status, resource) and every measurement, as text."""
        metrics = self._metrics.to_json() if self._metrics is not None else ""
        return "\n".join(span.to_json() for span in self.spans()) + metrics


def _id(span: ReadableSpan) -> int:
    assert span.context is not None
    return span.context.span_id


def count(points: list[Any], attributes: dict[str, object] | None = None) -> int:
    """The measurements (histogram counts, counter sums) of the points with these attributes."""
    total = 0
    for point in points:
        if all(point.attributes.get(key) == value for key, value in (attributes or {}).items()):
            total += point.count if hasattr(point, "count") else point.value
    return total


@pytest.fixture
def recorded(monkeypatch: pytest.MonkeyPatch) -> Recorded:
    recorded = Recorded()
    monkeypatch.setattr(_telemetry, "_shared", recorded.telemetry)
    monkeypatch.setattr(_telemetry, "_loaded", True)
    return recorded


@pytest.fixture
def emulator() -> Emulator:
    return Emulator(clock=ManualClock(), tokens={TOKEN: [TEAM]}, seed=5)


def make_client(emulator: Emulator, transport: RequestIds, **options: Any) -> fd.Client:
    return fd.Client(
        token=TOKEN,
        team_id=TEAM,
        base_url=BASE_URL,
        allow_insecure=True,
        http_client=httpx.Client(transport=transport),
        sleep=emulator.sleep,
        clock=emulator.clock,
        random=lambda: 0.5,
        **options,
    )


def make_async_client(emulator: Emulator, transport: RequestIds, **options: Any) -> fd.AsyncClient:
    return fd.AsyncClient(
        token=TOKEN,
        team_id=TEAM,
        base_url=BASE_URL,
        allow_insecure=True,
        http_client=httpx.AsyncClient(transport=transport),
        sleep=emulator.async_sleep,
        clock=emulator.clock,
        random=lambda: 0.5,
        **options,
    )


@pytest.fixture
def logs(caplog: pytest.LogCaptureFixture) -> Iterator[pytest.LogCaptureFixture]:
    with caplog.at_level(logging.DEBUG, logger="friendli_dedicated"):
        yield caplog


def attempt_names(emulator: Emulator) -> list[str]:
    return [f"{entry.method} {entry.path}" for entry in emulator.requests]


# -- the scenario of the issue -----------------------------------------------------------------------
def test_create_and_wait_with_one_503_is_a_span_per_call_and_a_child_per_attempt(
    recorded: Recorded, emulator: Emulator, logs: pytest.LogCaptureFixture
) -> None:
    transport = RequestIds(emulator)
    seen: list[tuple[str, str | None]] = []
    with make_client(emulator, transport) as client:
        ep = client.endpoints.create("proj", "chat", "org/model", "H100")
        emulator.inject("status", 503)
        ep.wait_until_running(
            timeout=900,
            on_progress=lambda state, _: seen.append((state.status.value, state.phase and state.phase.value)),
        )

    create, wait = recorded.calls()
    assert (create.name, wait.name) == ("friendli.endpoints.create", "friendli.endpoints.wait_until_running")
    assert create.parent is None
    assert wait.parent is None
    assert create.attributes is not None
    assert wait.attributes is not None
    assert create.attributes["friendli.project.id"] == "proj"
    assert create.attributes["friendli.endpoint.id"] == wait.attributes["friendli.endpoint.id"] == ep.id
    assert create.attributes["friendli.team.id"] == TEAM
    assert wait.attributes["friendli.endpoint.status"] == "RUNNING"

    # One child span per attempt, each under the call that sent it, in the order sent.
    attempts = recorded.attempts()
    assert len(attempts) == len(transport.sent) == len(emulator.requests)
    assert len(recorded.children(create)) + len(recorded.children(wait)) == len(attempts)
    assert [span.attributes and span.attributes["url.full"] for span in attempts] == [
        str(request.url) for request in transport.sent
    ]
    for number, span in enumerate(attempts, start=1):
        attributes = span.attributes or {}
        assert span.name in {f"{attributes['http.request.method']} {attributes['url.template']}"}
        assert attributes["server.address"] == "emulator.invalid"
        assert attributes["server.port"] == 80
        assert attributes["friendli.team.id"] == TEAM
        assert attributes["friendli.request.id"] == f"req-{number}"
        assert isinstance(attributes["http.response.status_code"], int)
        if "{endpoint_id}" in str(attributes["url.template"]):
            assert attributes["friendli.endpoint.id"] == ep.id
        else:
            assert attributes["friendli.project.id"] == "proj"
    statuses = [(span.attributes or {})["http.response.status_code"] for span in recorded.children(wait)]
    assert statuses[:2] == [503, 200]
    assert set(statuses[2:]) == {200}

    # The 503 failed its span; the retry is the only resend.
    failed, retried = recorded.children(wait)[:2]
    assert (failed.attributes or {})["error.type"] == "503"
    assert failed.status.status_code is StatusCode.ERROR
    assert (retried.attributes or {})["http.request.resend_count"] == 1
    assert [span for span in attempts if "http.request.resend_count" in (span.attributes or {})] == [retried]
    assert all("error.type" not in (span.attributes or {}) for span in attempts if span is not failed)

    # The wait's span has an event for each change of status or phase, as on_progress saw them.
    events = [
        (event.attributes["friendli.endpoint.status"], event.attributes.get("friendli.endpoint.phase"))
        for event in wait.events
        if event.name == "friendli.endpoint.state_change" and event.attributes is not None
    ]
    assert events == seen
    assert events[-1] == ("RUNNING", None)
    assert len(events) >= 3

    points = recorded.metrics()
    requests = points["http.client.request.duration"]
    assert count(requests) == len(attempts)
    assert count(requests, {"http.response.status_code": 503}) == 1
    assert count(requests, {"friendli.operation": "friendli.endpoints.create"}) == len(recorded.children(create))
    assert count(points["friendli.client.retries"]) == 1
    assert count(points["friendli.client.retries"], {"error.type": "503"}) == 1
    durations = points["friendli.client.call.duration"]
    assert count(durations, {"friendli.operation": "friendli.endpoints.create"}) == 1
    assert count(durations, {"friendli.operation": "friendli.endpoints.wait_until_running"}) == 1
    assert count(points["friendli.endpoint.time_to_running"]) == 1
    assert count(points["friendli.endpoint.phase.duration"]) == len(events) - 1
    assert "friendli.client.rate_limit.pause" not in points

    # The token is in no span, event, measurement or log record (and neither is the header).
    everything = recorded.everything()
    assert TOKEN not in everything
    assert "Bearer" not in everything
    assert "authorization" not in everything.lower()
    for record in logs.records:
        assert TOKEN not in record.getMessage()
        assert TOKEN not in repr(vars(record))
    # Every request carried its own span's context.
    for request, span in zip(transport.sent, attempts, strict=True):
        context = span.context
        assert context is not None
        assert request.headers["traceparent"].startswith(f"00-{context.trace_id:032x}-{context.span_id:016x}-")


def test_log_records_carry_the_operation_status_request_id_and_endpoint_as_fields(
    recorded: Recorded, emulator: Emulator, logs: pytest.LogCaptureFixture
) -> None:
    transport = RequestIds(emulator)
    with make_client(emulator, transport, telemetry=False) as client:  # the logs need no telemetry
        ep = client.endpoints.create("proj", "chat", "org/model", "H100")
        emulator.inject("status", 503)
        ep.wait_until_running(timeout=900)
    attempts = [record for record in logs.records if record.levelno == logging.DEBUG and hasattr(record, "http_status")]
    assert len(attempts) == len(emulator.requests)  # one record per attempt
    first_poll = next(record for record in attempts if record.http_status == 503)  # type: ignore[attr-defined]
    assert {
        "operation": "friendli.endpoints.wait_until_running",
        "api_operation": "dedicatedGetEndpointStatus",
        "http_status": 503,
        "error_type": "503",
        "endpoint_id": ep.id,
        "attempt": 1,
    }.items() <= vars(first_poll).items()
    assert [record.request_id for record in attempts] == [f"req-{n}" for n in range(1, len(attempts) + 1)]  # type: ignore[attr-defined]
    changes = [record for record in logs.records if record.name == "friendli_dedicated.waiter"]
    assert all(record.levelno == logging.INFO for record in changes)
    assert [(r.endpoint_status, r.phase) for r in changes][-1] == ("RUNNING", None)  # type: ignore[attr-defined]
    last = changes[-1]
    assert (last.operation, last.endpoint_id) == ("friendli.endpoints.wait_until_running", ep.id)  # type: ignore[attr-defined]
    assert last.request_id == attempts[-1].request_id  # type: ignore[attr-defined] # the poll that saw it
    assert not recorded.spans()  # telemetry=False
    for record in logs.records:
        assert TOKEN not in record.getMessage()
        assert TOKEN not in repr(vars(record))


def test_a_client_with_telemetry_off_emits_nothing_and_sends_no_trace_context(
    recorded: Recorded, emulator: Emulator
) -> None:
    transport = RequestIds(emulator)
    with make_client(emulator, transport, telemetry=False) as client:
        client.endpoints.create("proj", "chat", "org/model", "H100").wait_until_running(timeout=900)
    assert recorded.spans() == []
    assert recorded.metrics() == {}
    assert all("traceparent" not in request.headers for request in transport.sent)


def test_the_telemetry_argument_is_checked() -> None:
    with pytest.raises(fd.InvalidInputError, match="telemetry"):
        fd.Client(token="flp_x", telemetry="no")  # type: ignore[arg-type]


def test_a_failed_call_is_an_error_span_with_the_api_request_id(recorded: Recorded, emulator: Emulator) -> None:
    with make_client(emulator, RequestIds(emulator)) as client, pytest.raises(fd.NotFoundError):
        client.endpoints.status("ep-missing")
    [call] = recorded.calls()
    [attempt] = recorded.children(call)
    assert call.status.status_code is StatusCode.ERROR
    assert call.attributes is not None
    assert attempt.attributes is not None
    assert call.attributes["error.type"] == "NotFoundError"
    assert call.attributes["friendli.request.id"] == attempt.attributes["friendli.request.id"] == "req-1"
    assert call.attributes["friendli.endpoint.id"] == "ep-missing"
    assert attempt.attributes["error.type"] == "404"
    assert [event.name for event in call.events] == ["exception"]
    assert count(recorded.metrics()["friendli.client.call.duration"], {"error.type": "NotFoundError"}) == 1


def test_a_pause_at_the_rate_limit_gate_is_an_event_with_its_length(recorded: Recorded, emulator: Emulator) -> None:
    with make_client(emulator, RequestIds(emulator)) as client:
        emulator.inject("status", 429, retry_after=2.0)
        with pytest.raises(fd.NotFoundError):  # after the pause, the 404 of an endpoint that does not exist
            client.endpoints.status("ep-missing")
    [call] = recorded.calls()
    [pause] = [event for event in call.events if event.name == "friendli.rate_limit.pause"]
    assert pause.attributes == {"friendli.rate_limit.pause.duration": pytest.approx(2.0)}
    [point] = recorded.metrics()["friendli.client.rate_limit.pause"]
    assert (point.count, point.sum) == (1, pytest.approx(2.0))
    assert [(span.attributes or {})["http.response.status_code"] for span in recorded.children(call)] == [429, 404]


def test_a_listing_is_one_call_over_its_pages_even_when_left_early(recorded: Recorded, emulator: Emulator) -> None:
    with make_client(emulator, RequestIds(emulator)) as client:
        for number in range(5):
            client.endpoints.create("proj", f"ep-{number}", "org/model", "H100")
        recorded.exporter.clear()
        assert len(list(client.endpoints.list("proj", page_size=2))) == 5
        listing = client.endpoints.list("proj", page_size=2)
        next(listing)
        listing.close()  # left after the first page
        assert recorded.calls()[-1].name == "friendli.endpoints.list"
        unused = client.endpoints.list("proj")  # never iterated: no call
        del unused
    whole, early = recorded.calls()
    assert [span.name for span in (whole, early)] == ["friendli.endpoints.list"] * 2
    assert len(recorded.children(whole)) == 3
    assert len(recorded.children(early)) == 1
    assert (whole.attributes or {})["friendli.project.id"] == "proj"


def test_a_fleet_wait_reports_each_endpoints_changes_and_how_they_ended(recorded: Recorded, emulator: Emulator) -> None:
    with make_client(emulator, RequestIds(emulator)) as client:
        fleet = [client.endpoints.create("proj", f"w{n}", "org/model", "H100") for n in range(2)]
        failing = client.endpoints.create("proj", "bad", "emulator/fail-INFERENCE_ENGINE_MEMORY_ERROR", "H100")
        result = client.endpoints.wait_all([*fleet, failing], timeout=900)
    assert (len(result.running), len(result.failed)) == (2, 1)
    wait = recorded.calls()[-1]
    assert wait.name == "friendli.endpoints.wait_all"
    changes = [event.attributes for event in wait.events if event.name == "friendli.endpoint.state_change"]
    assert {change["friendli.endpoint.id"] for change in changes if change} == {ep.id for ep in [*fleet, failing]}
    assert (wait.attributes or {})["friendli.endpoints.running"] == 2
    assert (wait.attributes or {})["friendli.endpoints.failed"] == 1
    outcomes = recorded.metrics()["friendli.endpoints.outcome"]
    assert count(outcomes, {"friendli.outcome": "running"}) == 2
    assert count(outcomes, {"friendli.outcome": "failed"}) == 1
    assert count(recorded.metrics()["friendli.endpoint.time_to_running"]) == 2


# -- async: the same, and concurrent calls keep their own spans -------------------------------------------
def test_async_calls_each_parent_their_own_attempts(recorded: Recorded, emulator: Emulator) -> None:
    transport = RequestIds(emulator)

    async def deploy() -> None:
        async with make_async_client(emulator, transport) as client:
            created = await asyncio.gather(
                *(client.endpoints.create("proj", f"a{n}", "org/model", "H100") for n in range(3))
            )
            emulator.inject("status", 503)
            await asyncio.gather(*(ep.wait_until_running(timeout=900) for ep in created))
            listed = [ep.id async for ep in client.endpoints.list("proj", page_size=2)]
            assert sorted(listed) == sorted(ep.id for ep in created)

    asyncio.run(deploy())
    listing = recorded.calls()[-1]
    assert listing.name == "friendli.endpoints.list"
    assert len(recorded.children(listing)) == 2  # its two pages
    calls_ = recorded.calls()[:-1]
    assert (
        sorted(span.name for span in calls_)
        == ["friendli.endpoints.create"] * 3 + ["friendli.endpoints.wait_until_running"] * 3
    )
    every_call = [*calls_, listing]
    assert sum(len(recorded.children(span)) for span in every_call) == len(recorded.attempts()) == len(transport.sent)
    for span in calls_:
        if span.name.endswith("wait_until_running"):  # its polls are its endpoint's, and no other's
            endpoint = (span.attributes or {})["friendli.endpoint.id"]
            polls = recorded.children(span)
            assert polls
            assert all((poll.attributes or {})["friendli.endpoint.id"] == endpoint for poll in polls)
            assert any(event.name == "friendli.endpoint.state_change" for event in span.events)
    assert count(recorded.metrics()["friendli.client.retries"]) == 1
    assert TOKEN not in recorded.everything()


def test_a_callbacks_client_without_telemetry_is_not_reported_under_the_wait(
    recorded: Recorded, emulator: Emulator
) -> None:
    traced = RequestIds(emulator)
    untraced = RequestIds(emulator)
    with make_client(emulator, traced) as client, make_client(emulator, untraced, telemetry=False) as other:
        ep = client.endpoints.create("proj", "chat", "org/model", "H100")
        ep.wait_until_running(timeout=900, on_progress=lambda state, _: other.endpoints.status(ep.id))
    assert untraced.sent  # the callback's requests went, on the other client
    assert len(recorded.attempts()) == len(traced.sent)  # and only the traced client's were reported
    assert all("traceparent" not in request.headers for request in untraced.sent)


def test_every_call_names_the_contracts_operation_id() -> None:
    contract = json.loads((ROOT / "generated" / "friendli_dedicated_api" / "openapi.json").read_text())
    operation_ids = {
        op["operationId"] for path in contract["paths"].values() for op in path.values() if "operationId" in op
    }
    built = [
        calls.status("ep-1", None),
        calls.spec("ep-1", None),
        calls.delete("ep-1", None),
        calls.list_page("proj", None, 10, None),
        calls.versions_page("ep-1", None, 10, None),
        *(calls.lifecycle(action, "ep-1", None) for action in calls.LIFECYCLE_ACTIONS),
    ]
    assert {call.operation for call in built} <= operation_ids
    assert len({call.operation for call in built}) == len(built)


# -- the client's own calls: plan, apply, export, costs ---------------------------------------------------
def four_endpoints() -> fd.Desired:
    endpoints = {f"e{n}": {"model": "org/model", "instance": "1x H100"} for n in range(4)}
    return fd.Desired.from_mapping({"projects": {"proj": {"endpoints": endpoints}}})


def cost_days(emulator: Emulator) -> tuple[dt.date, dt.date]:
    """The emulator's day so far, and the next: what the endpoints it ran have cost."""
    today = dt.datetime.fromtimestamp(emulator.clock(), dt.UTC).date()
    return today, today + dt.timedelta(days=1)


def assert_calls_hold_every_request(recorded: Recorded, transport: RequestIds, names: list[str]) -> None:
    calls_ = recorded.calls()
    assert [span.name for span in calls_] == names
    for span in calls_:
        assert recorded.children(span), span.name  # each sent requests, as its children
    # Every request, those sent from the batches' threads too, is a child of the call that made it.
    assert sum(len(recorded.children(span)) for span in calls_) == len(recorded.attempts()) == len(transport.sent)
    assert TOKEN not in recorded.everything()


def test_plan_apply_export_and_costs_are_calls_whose_requests_are_their_children(
    recorded: Recorded, emulator: Emulator, tmp_path: Path
) -> None:
    transport, state = RequestIds(emulator), tmp_path / "state.json"
    with make_client(emulator, transport) as client:
        plan = client.plan(four_endpoints(), state=state, parallelism=4)
        assert client.apply(plan, parallelism=4).ok  # four creates at once, on four threads
        client.export("proj", state=state)
        emulator.sleep(3600)  # an hour of the endpoints running, on the emulated clock
        report = client.costs(*cost_days(emulator), parallelism=4)  # four specifications at once
    assert len(report.by_endpoint()) == 4
    names = ["friendli.plan", "friendli.apply", "friendli.export", "friendli.costs"]
    assert_calls_hold_every_request(recorded, transport, names)
    apply_ = recorded.calls()[1]
    assert (apply_.attributes or {})["friendli.endpoints.done"] == 4
    outcomes = recorded.metrics()["friendli.endpoints.outcome"]
    assert count(outcomes, {"friendli.operation": "friendli.apply", "friendli.outcome": "done"}) == 4
    # The apply's wait for its endpoints is a step of the apply: its outcomes are not counted again.
    assert count(outcomes, {"friendli.operation": "friendli.apply", "friendli.outcome": "running"}) == 0
    durations = recorded.metrics()["friendli.client.call.duration"]
    assert all(count(durations, {"friendli.operation": name}) == 1 for name in names)


def test_the_async_clients_plan_apply_export_and_costs_are_calls_the_same(
    recorded: Recorded, emulator: Emulator, tmp_path: Path
) -> None:
    transport, state = RequestIds(emulator), tmp_path / "state.json"

    async def scenario() -> fd.CostReport:
        async with make_async_client(emulator, transport) as client:
            plan = await client.plan(four_endpoints(), state=state, parallelism=4)
            assert (await client.apply(plan, parallelism=4)).ok
            await client.export("proj", state=state)
            emulator.sleep(3600)  # an hour of the endpoints running, on the emulated clock
            return await client.costs(*cost_days(emulator), parallelism=4)

    assert len(asyncio.run(scenario()).by_endpoint()) == 4
    names = ["friendli.plan", "friendli.apply", "friendli.export", "friendli.costs"]
    assert_calls_hold_every_request(recorded, transport, names)


# -- what is imported, and the global providers (fresh interpreters) ---------------------------------------
def run_python(code: str, *, block_opentelemetry: bool = False) -> str:
    """Run ``code`` in a fresh interpreter on this tree; with ``block_opentelemetry``, as if the
    ``otel`` extra were not installed."""
    prelude = ""
    if block_opentelemetry:
        prelude = (
            "import sys\n"
            "class _Blocked:\n"
            "    def find_spec(self, name, path=None, target=None):\n"
            "        if name == 'opentelemetry' or name.startswith('opentelemetry.'):\n"
            "            raise ModuleNotFoundError(name)\n"
            "sys.meta_path.insert(0, _Blocked())\n"
        )
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(str(ROOT / part) for part in ("facade", "generated"))}
    for variable in ("FRIENDLI_TOKEN", "FRIENDLI_TEAM", "FRIENDLI_BASE_URL", "OTEL_PYTHON_TRACER_PROVIDER"):
        env.pop(variable, None)
    result = subprocess.run(
        [sys.executable, "-c", prelude + code], capture_output=True, text=True, env=env, timeout=120, check=False
    )
    assert result.returncode == 0, result.stderr
    return result.stdout


LOADED = "sorted(m for m in sys.modules if m.split('.')[0] == 'opentelemetry')"
STATUS_CLIENT = """
import httpx, sys
import friendli_dedicated as fd
sent = []
def answer(request):
    sent.append(request)
    return httpx.Response(200, json={"status": "RUNNING"})
def client(**options):
    return fd.Client(token="flp_x", http_client=httpx.Client(transport=httpx.MockTransport(answer)), **options)
"""


def test_opentelemetry_is_imported_only_by_a_client_that_wants_it() -> None:
    out = run_python(
        "import sys\nimport friendli_dedicated\n"
        f"print({LOADED})\n" + STATUS_CLIENT + f"client(telemetry=False).endpoints.status('ep-1')\nprint({LOADED})\n"
        f"client().endpoints.status('ep-1')\nprint('opentelemetry.trace' in sys.modules)\n"
    )
    assert out.splitlines() == ["[]", "[]", "True"]


def test_without_the_extra_a_client_works_and_imports_nothing_of_it() -> None:
    out = run_python(
        STATUS_CLIENT + "import logging\nlogging.basicConfig(level=logging.DEBUG)\n"  # the logs' path too
        "c = client()\nprint(c.endpoints.status('ep-1').status.value, c._telemetry)\n"
        f"print({LOADED}, 'traceparent' in sent[-1].headers)\n",
        block_opentelemetry=True,
    )
    assert out.splitlines() == ["RUNNING None", "[] False"]


def test_the_global_providers_are_used_from_when_the_application_sets_them() -> None:
    out = run_python(
        STATUS_CLIENT
        + """
from opentelemetry import trace
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
c = client()  # built before the application configures OpenTelemetry
c.endpoints.status("ep-1")
print("traceparent" in sent[-1].headers)
exporter = InMemorySpanExporter()
provider = TracerProvider()
provider.add_span_processor(SimpleSpanProcessor(exporter))
trace.set_tracer_provider(provider)
c.endpoints.status("ep-1")
print("traceparent" in sent[-1].headers, [span.name for span in exporter.get_finished_spans()])
"""
    )
    assert out.splitlines() == [
        "False",
        "True ['GET /dedicated/beta/endpoint/{endpoint_id}/status', 'friendli.endpoints.status']",
    ]


def test_an_opentelemetry_api_too_old_leaves_telemetry_off_with_a_warning(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    def too_old(*_: object) -> None:
        raise TypeError("create_histogram() got an unexpected keyword argument 'explicit_bucket_boundaries_advisory'")

    monkeypatch.setattr(_telemetry, "_loaded", False)  # both restored after the test
    monkeypatch.setattr(_telemetry, "_shared", None)
    monkeypatch.setattr(_telemetry.Telemetry, "__init__", too_old)
    assert _telemetry.shared() is None
    assert "older than 1.30" in caplog.text
    assert fd.Client(token="flp_x")._telemetry is None
