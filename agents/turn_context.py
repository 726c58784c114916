"""What a running turn carries into everything it calls: its id (a context variable the app's log
lines read) and its trace (an OpenTelemetry span per turn with a child span per stage).

Spans go through the OpenTelemetry API only: they cost next to nothing and go nowhere unless the app
installed a tracer provider (``app/tracing.py``, off by default). A turn's span is the child of what is
current when the turn starts (the home server's request span), else the root of its own trace.

Privacy: spans carry ids, names and durations, never what the user said or the reply: the turn span's
attributes are its id, the reply's source, language, intent name, tool names and whether it failed or
asked for an approval.

A turn is a generator that may be resumed from different threads (the server streams it from a thread
pool), so nothing is attached across a ``yield``: :func:`in_turn` sets the turn id and makes the turn's
span current around each resumption and takes both back before handing the event on."""

from __future__ import annotations

from collections.abc import Iterator
from contextvars import ContextVar

from opentelemetry import context as otel_context
from opentelemetry import trace
from opentelemetry.trace import Span, Status, StatusCode

from agents.turn import TRACER_NAME, ReplyDone, TurnError, TurnEvent

current_turn_id: ContextVar[str | None] = ContextVar("pa_turn_id", default=None)


def _tracer() -> trace.Tracer:
    return trace.get_tracer(TRACER_NAME)


def _describe(span: Span, ev: TurnEvent) -> None:
    if isinstance(ev, ReplyDone):
        reply = ev.reply
        span.set_attribute("pa.source", reply.source)
        span.set_attribute("pa.language", reply.language)
        if reply.intent:
            span.set_attribute("pa.intent", reply.intent[:80])
        if reply.tool_calls:
            span.set_attribute("pa.tools", [c.name[:80] for c in reply.tool_calls])
        span.set_attribute("pa.approval_requested", reply.approval is not None)
        if reply.error:  # the error text may quote the request: only that there was one
            span.set_attribute("pa.error", True)
            span.set_status(Status(StatusCode.ERROR))
    elif isinstance(ev, TurnError):
        span.set_attribute("pa.error", True)
        span.set_status(Status(StatusCode.ERROR))


def in_turn(turn_id: str, events: Iterator[TurnEvent]) -> Iterator[TurnEvent]:
    """Run a turn's events with its id set and its span current; the span ends with the turn
    (its last event, a failure, or the consumer closing the stream)."""
    span = _tracer().start_span("turn", attributes={"pa.turn_id": turn_id})
    ctx = trace.set_span_in_context(span)
    try:
        while True:
            id_token = current_turn_id.set(turn_id)
            ctx_token = otel_context.attach(ctx)
            try:
                ev = next(events)
            except StopIteration:
                return
            finally:
                otel_context.detach(ctx_token)
                current_turn_id.reset(id_token)
            _describe(span, ev)
            yield ev
    except BaseException as exc:
        if not isinstance(exc, GeneratorExit):
            span.set_attribute("pa.error", True)
            span.set_status(Status(StatusCode.ERROR, type(exc).__name__))
        raise
    finally:
        close = getattr(events, "close", None)
        if close is not None:  # a stage left open by a closed stream ends now, inside the turn's span
            close()
        span.end()
