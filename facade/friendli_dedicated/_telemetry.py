"""The OpenTelemetry binding: the SDK's tracer and instruments, and the only importer of ``opentelemetry``.

It follows OpenTelemetry's rules for libraries: it depends on the API only (the ``otel`` extra,
``opentelemetry-api``), takes its tracer and meter from the globally configured providers (no-ops
until the application configures one: spans and measurements then cost a few microseconds and go
nowhere) and configures nothing itself. ``shared()`` imports the API on the first client built with
telemetry on (``Client(telemetry=True)``, the default) and caches the answer, so that
``import friendli_dedicated`` imports nothing of OpenTelemetry, and a client without the extra, or
with ``telemetry=False``, never does (``_observe`` then skips every report but the logs).

What is reported, and when, is ``_observe``'s: this module only turns it into spans, events and
measurements. The names (span names, attributes, instruments) are listed in docs/observability.md.

>>> shared() is shared()  # one tracer and one set of instruments per process (or None without the extra)
True
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Mapping, MutableMapping
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from opentelemetry.context import Context
    from opentelemetry.metrics import MeterProvider
    from opentelemetry.trace import Span, TracerProvider

__all__ = ["SCOPE_NAME", "Telemetry", "shared"]

SCOPE_NAME = "friendli_dedicated"
"""The instrumentation scope of the SDK's tracer and meter (the package's name)."""

Attributes = Mapping[str, str | int | float | bool]

# The bucket boundaries OpenTelemetry's HTTP conventions give http.client.request.duration (seconds),
# and, for calls and waits that may last half an hour, coarser ones.
_REQUEST_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5, 0.75, 1.0, 2.5, 5.0, 7.5, 10.0)
_LONG_BUCKETS = (0.01, 0.1, 0.5, 1.0, 5.0, 10.0, 30.0, 60.0, 120.0, 300.0, 600.0, 900.0, 1800.0, 3600.0)


class Telemetry:
    """The SDK's tracer and instruments, and the few OpenTelemetry calls ``_observe`` needs.

    Built from the global providers by ``shared()``, or from given ones (``Telemetry(tracer_provider,
    meter_provider)``: the tests' in-memory exporters). Every method is safe to call with the API's
    no-op providers.
    """

    def __init__(
        self, tracer_provider: TracerProvider | None = None, meter_provider: MeterProvider | None = None
    ) -> None:
        from opentelemetry import context, metrics, propagate, trace

        from friendli_dedicated._version import __version__

        self._trace = trace
        self._metrics = metrics
        self._context = context
        self._inject = propagate.inject
        self._error = trace.Status(trace.StatusCode.ERROR)
        self._client_kind = trace.SpanKind.CLIENT
        self.tracer = trace.get_tracer(SCOPE_NAME, __version__, tracer_provider)
        meter = metrics.get_meter(SCOPE_NAME, __version__, meter_provider)
        # The API's stand-ins while the application has configured no provider: spans and
        # measurements go nowhere, and ``live`` says so cheaply. Given providers are live.
        tracers, meters = trace.get_tracer_provider(), metrics.get_meter_provider()
        self._unset_tracers = tracers if tracer_provider is None and _stand_in(tracers) else None
        self._unset_meters = meters if meter_provider is None and _stand_in(meters) else None
        self._live = self._unset_tracers is None or self._unset_meters is None
        from opentelemetry.metrics import _internal as meters_module

        found = hasattr(trace, "_TRACER_PROVIDER") and hasattr(meters_module, "_METER_PROVIDER")
        self._globals = (trace, meters_module) if found else None
        self.request_duration = meter.create_histogram(
            "http.client.request.duration",
            unit="s",
            description="Duration of HTTP client requests (one per attempt).",
            explicit_bucket_boundaries_advisory=_REQUEST_BUCKETS,
        )
        self.call_duration = meter.create_histogram(
            "friendli.client.call.duration",
            unit="s",
            description="Duration of SDK calls, retries, backoff, pauses and polls included.",
            explicit_bucket_boundaries_advisory=_LONG_BUCKETS,
        )
        self.retries = meter.create_counter(
            "friendli.client.retries", unit="{retry}", description="Requests sent again after a failed attempt."
        )
        self.paused = meter.create_histogram(
            "friendli.client.rate_limit.pause",
            unit="s",
            description="Time a request waited at the client's rate-limit gate (after a 429).",
            explicit_bucket_boundaries_advisory=_REQUEST_BUCKETS,
        )
        self.phase_duration = meter.create_histogram(
            "friendli.endpoint.phase.duration",
            unit="s",
            description="Time an endpoint was seen in one status and phase on its way to RUNNING.",
            explicit_bucket_boundaries_advisory=_LONG_BUCKETS,
        )
        self.time_to_running = meter.create_histogram(
            "friendli.endpoint.time_to_running",
            unit="s",
            description="Time from the start of a wait to the poll that saw the endpoint serve.",
            explicit_bucket_boundaries_advisory=_LONG_BUCKETS,
        )
        self.outcomes = meter.create_counter(
            "friendli.endpoints.outcome",
            unit="{endpoint}",
            description="Endpoints of fleet waits and applies, by how they ended.",
        )

    def live(self) -> bool:
        """Whether anything listens: a tracer or meter provider is configured (for good: OpenTelemetry
        refuses to replace one), or the current span has a context to propagate.

        Until then a call reports nothing, at the cost of this check (about a microsecond).
        """
        if self._live:
            return True
        if self._providers_set():
            self._live = True
            return True
        return bool(self._trace.get_current_span().get_span_context().is_valid)

    def _providers_set(self) -> bool:
        # The API's own globals, read directly: get_tracer_provider() and get_meter_provider() also
        # look at os.environ (for a provider named there, which the first of them, in __init__,
        # already loaded), which costs more than the rest of a call's check. The public calls where an
        # API version has no such globals.
        if self._globals is not None:
            tracers, meters = self._globals
            return tracers._TRACER_PROVIDER is not None or meters._METER_PROVIDER is not None
        return (
            self._trace.get_tracer_provider() is not self._unset_tracers
            or self._metrics.get_meter_provider() is not self._unset_meters
        )

    # -- spans -----------------------------------------------------------------------------------
    def start_call(self, name: str, attributes: Attributes) -> Span:
        """The span of one SDK call (INTERNAL), a child of the current span."""
        return self.tracer.start_span(name, attributes=attributes)

    def start_attempt(self, name: str, attributes: Attributes) -> Span:
        """The span of one HTTP attempt (CLIENT), a child of the current span (its call's)."""
        return self.tracer.start_span(name, kind=self._client_kind, attributes=attributes)

    def enter(self, span: Span) -> object:
        """Make ``span`` the current one (of this thread or task); give the token to ``leave``."""
        return self._context.attach(self._trace.set_span_in_context(span))

    def leave(self, token: object) -> None:
        self._context.detach(token)  # type: ignore[arg-type] # the token enter() returned

    def inject(self, span: Span, headers: MutableMapping[str, str]) -> None:
        """Put the context of ``span`` in ``headers`` with the global propagator (W3C ``traceparent``
        by default): the server's spans of the request then join the trace."""
        context: Context = self._trace.set_span_in_context(span)
        self._inject(headers, context=context)

    def fail(self, span: Span, error: BaseException | None, error_type: str) -> None:
        """Mark ``span`` failed: ``error.type``, status ERROR, and the exception if there is one."""
        span.set_attribute("error.type", error_type)
        if error is not None:
            span.record_exception(error)
        span.set_status(self._error)


def _stand_in(provider: object) -> bool:
    """Whether ``provider`` is one of the API's own: the proxies that stand in until the application
    sets a provider (the meter's is not exported: matched by name), or the no-op ones."""
    from opentelemetry import metrics, trace

    return isinstance(provider, trace.ProxyTracerProvider | trace.NoOpTracerProvider | metrics.NoOpMeterProvider) or (
        type(provider).__name__ == "_ProxyMeterProvider"
    )


_shared: Telemetry | None = None
_loaded = False
_loading = threading.Lock()


def shared() -> Telemetry | None:
    """The process's ``Telemetry`` on the global providers, or None when ``opentelemetry-api`` is not
    installed (imported on the first call, then cached).

    An API older than the ``otel`` extra asks for (installed by another package) leaves telemetry
    off, with a warning, rather than failing the client.
    """
    global _shared, _loaded
    if _loaded:
        return _shared
    with _loading:  # clients built at once in several threads share one set of instruments
        if not _loaded:
            try:
                _shared = Telemetry()
            except ImportError:
                _shared = None
            except TypeError:  # explicit_bucket_boundaries_advisory: opentelemetry-api 1.30
                logging.getLogger("friendli_dedicated").warning(
                    "telemetry is off: the installed opentelemetry-api is older than 1.30, which "
                    "friendli-dedicated's 'otel' extra requires (pip install 'friendli-dedicated[otel]')"
                )
                _shared = None
            _loaded = True
    return _shared
