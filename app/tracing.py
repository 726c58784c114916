"""OpenTelemetry traces, off by default: with ``[traces] otlp_endpoint`` set, the process gets a tracer
provider that sends spans over OTLP/HTTP to a collector (Jaeger, Tempo, the OpenTelemetry Collector),
and the FastAPI app, SQLAlchemy and httpx are instrumented.

What a trace holds: a home-server request is a server span (method, route, status), a turn is a span
``turn`` with one child per stage (``turn.intent``, ``turn.approval``, ``turn.llm``, ``turn.fallback``;
agents/turn.py, agents/turn_context.py), the database statements and outgoing HTTP calls it made are
spans under it; an audio turn adds ``turn.stt`` and ``turn.tts``. Spans carry ids, names and durations:
never the request's or the reply's text (SQL statements carry placeholders, not values), and every
string attribute passes the secrets scrubber before it leaves the process (a token in a query string,
a password in a URL)."""

from __future__ import annotations

import logging
import re
import threading
from collections.abc import Sequence
from contextlib import AbstractContextManager
from typing import Any

from opentelemetry import trace
from opentelemetry.context import Context
from opentelemetry.sdk.resources import Resource
from opentelemetry.sdk.trace import Event, ReadableSpan, Span, SpanProcessor, TracerProvider
from opentelemetry.sdk.trace.export import (
    BatchSpanProcessor,
    SimpleSpanProcessor,
    SpanExporter,
    SpanExportResult,
)
from opentelemetry.sdk.trace.sampling import ParentBased, TraceIdRatioBased
from opentelemetry.trace import Status
from opentelemetry.util.types import Attributes

from app.settings import TraceSettings
from storage.audit import scrub

log = logging.getLogger(__name__)
APP_TRACER = "personal_agent.app"
_EXCLUDED_URLS = "api/v1/health"  # probes every few seconds: no trace each


class ScrubbedExporter(SpanExporter):
    """Hands spans on with every string attribute (and span event attribute) scrubbed of secrets."""

    def __init__(self, inner: SpanExporter) -> None:
        self.inner = inner

    def export(self, spans: Sequence[ReadableSpan]) -> SpanExportResult:
        return self.inner.export([_scrubbed(s) for s in spans])

    def shutdown(self) -> None:
        self.inner.shutdown()

    def force_flush(self, timeout_millis: int = 30000) -> bool:
        return self.inner.force_flush(timeout_millis)


_TYPE_NAME = re.compile(r"[A-Za-z_][\w.]{0,99}")  # a status that names only the exception's type stays
_CONTENT_KEYS = frozenset({"exception.message", "exception.stacktrace"})  # may quote what was sent: dropped


def _clean(attrs: Attributes) -> tuple[dict[str, Any], bool]:
    out: dict[str, Any] = {}
    changed = False
    for key, value in (attrs or {}).items():
        if key in _CONTENT_KEYS:
            changed = True
            continue
        if isinstance(value, str):
            new: Any = scrub(value)
        elif isinstance(value, tuple | list) and any(isinstance(v, str) for v in value):
            new = tuple(scrub(v) if isinstance(v, str) else v for v in value)
        else:
            new = value
        changed = changed or new != value
        out[key] = new
    return out, changed


def _scrubbed(span: ReadableSpan) -> ReadableSpan:
    """The span as it may leave the process: string attributes scrubbed, an exception's message and
    stack trace dropped (its type stays), a status description that quotes more than a type dropped."""
    attrs, changed = _clean(span.attributes)
    events = []
    for ev in span.events:
        ev_attrs, ev_changed = _clean(ev.attributes)
        changed = changed or ev_changed
        events.append((ev, ev_attrs))
    status = span.status
    if status.description and not _TYPE_NAME.fullmatch(status.description):
        status, changed = Status(status.status_code), True
    if not changed:
        return span
    return ReadableSpan(
        name=span.name, context=span.context, parent=span.parent, resource=span.resource, attributes=attrs,
        events=[Event(ev.name, a, ev.timestamp) for ev, a in events], links=span.links, kind=span.kind,
        status=status, start_time=span.start_time, end_time=span.end_time,
        instrumentation_scope=span.instrumentation_scope)


class _Exporters(SpanProcessor):
    """The span processors in use; the process's provider keeps this one for good (OpenTelemetry's
    global provider can be set once), so traces can be switched off and on again (tests)."""

    def __init__(self) -> None:
        self.processors: tuple[SpanProcessor, ...] = ()

    def on_start(self, span: Span, parent_context: Context | None = None) -> None:
        for p in self.processors:
            p.on_start(span, parent_context)

    def on_end(self, span: ReadableSpan) -> None:
        for p in self.processors:
            p.on_end(span)

    def shutdown(self) -> None:
        processors, self.processors = self.processors, ()
        for p in processors:
            p.shutdown()

    def force_flush(self, timeout_millis: int = 30000) -> bool:
        return all(p.force_flush(timeout_millis) for p in self.processors)


class _Tracing:
    def __init__(self) -> None:
        self.provider: TracerProvider | None = None
        self.exporters = _Exporters()
        self.on = False
        self.lock = threading.Lock()


_state = _Tracing()


def enabled() -> bool:
    return _state.on


def setup_tracing(cfg: TraceSettings, exporter: SpanExporter | None = None) -> bool:
    """Turn traces on when ``cfg.otlp_endpoint`` is set (or an ``exporter`` is given: tests pass an
    in-memory one, exported at once); True when traces are on. Call it before the database is opened
    and the FastAPI app is made (engines and apps made earlier are not instrumented)."""
    if exporter is None and not cfg.otlp_endpoint:
        return enabled()
    if exporter is None:
        from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter

        processor: SpanProcessor = BatchSpanProcessor(ScrubbedExporter(OTLPSpanExporter(endpoint=cfg.otlp_endpoint)))
    else:
        processor = SimpleSpanProcessor(ScrubbedExporter(exporter))
    with _state.lock:
        if _state.provider is None:
            _state.provider = TracerProvider(resource=Resource.create({"service.name": cfg.service_name}),
                                             sampler=ParentBased(TraceIdRatioBased(cfg.sample_ratio)))
            _state.provider.add_span_processor(_state.exporters)
            trace.set_tracer_provider(_state.provider)
        if not _state.on:
            _instrument_libraries(_state.provider)
            _state.on = True
        _state.exporters.processors = (*_state.exporters.processors, processor)
    log.info("traces on")
    return True


def _instrument_libraries(provider: TracerProvider) -> None:
    from opentelemetry.instrumentation.httpx import HTTPXClientInstrumentor
    from opentelemetry.instrumentation.sqlalchemy import SQLAlchemyInstrumentor

    SQLAlchemyInstrumentor().instrument(tracer_provider=provider, enable_commenter=False)
    HTTPXClientInstrumentor().instrument(tracer_provider=provider)


def instrument_app(app: Any) -> None:
    """The FastAPI app's requests as server spans (when traces are on)."""
    if not _state.on or _state.provider is None:
        return
    from opentelemetry.instrumentation.fastapi import FastAPIInstrumentor

    FastAPIInstrumentor.instrument_app(app, tracer_provider=_state.provider, excluded_urls=_EXCLUDED_URLS,
                                       exclude_spans=["receive", "send"])


def shutdown_tracing() -> None:
    """Send what is buffered and stop: no more spans, the libraries no longer instrumented (process
    end, tests)."""
    with _state.lock:
        if not _state.on:
            return
        _state.on = False
        from opentelemetry.instrumentation.httpx import HTTPXClientInstrumentor
        from opentelemetry.instrumentation.sqlalchemy import SQLAlchemyInstrumentor

        SQLAlchemyInstrumentor().uninstrument()
        HTTPXClientInstrumentor().uninstrument()
        _state.exporters.shutdown()


def stage_span(stage: str) -> AbstractContextManager[trace.Span]:
    """A current span ``turn.<stage>`` for a stage the app runs itself (the server's speech recognition
    and output); an exception's message may quote what the user sent, so it is not recorded."""
    return trace.get_tracer(APP_TRACER).start_as_current_span(
        f"turn.{stage}", attributes={"pa.stage": stage}, record_exception=False, set_status_on_exception=False)
