"""One turn, one run object, one typed event stream (like Home Assistant's ``PipelineRun``).

A turn starts with a typed or transcribed request and ends with exactly one :class:`ReplyDone`
(whose ``reply`` is the final :class:`~agents.replies.AgentReply`: source, language, tool calls,
approval, usage, timings per stage) or one :class:`TurnError`. Between them come, in order of
happening: the transcript (interim/final, from the voice stage), the recognized intent (local or
the LLM's delegate), each tool call, a requested approval, the reply text in chunks, and the speech
speech output (the assistant speaking, stopped on barge-in).

The engine, the home server and the CLI consume these same events; nobody rebuilds a reply.
Plain pydantic data: it serializes to JSON (``model_dump(mode="json")``) and back."""

from __future__ import annotations

import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from typing import Any, Literal

from opentelemetry import trace
from opentelemetry.trace import Status, StatusCode
from pydantic import BaseModel, Field

from agents.replies import AgentReply, ApprovalInfo, Source

Stage = Literal["stt", "intent", "approval", "llm", "fallback", "tts", "total"]
TRACER_NAME = "personal_agent.turn"  # the turn's spans (agents/turn_context.py; app/tracing.py installs them)


def new_turn_id() -> str:
    return uuid.uuid4().hex[:10]


class TurnEvent(BaseModel):
    at: datetime = Field(default_factory=lambda: datetime.now().astimezone())


class TurnStarted(TurnEvent):
    kind: Literal["turn_started"] = "turn_started"
    turn_id: str
    text: str = Field(description="the request as typed or transcribed")


class TranscriptInterim(TurnEvent):
    kind: Literal["interim"] = "interim"
    turn_id: str
    text: str


class TranscriptFinal(TurnEvent):
    """What the user said; ``addressed`` False = heard in hands-free mode but not meant for us."""

    kind: Literal["final"] = "final"
    turn_id: str
    text: str
    language: str | None = None
    addressed: bool = True


class IntentRecognized(TurnEvent):
    """Who answers: a local intent (name and slots), a yes/no to an approval, or the LLM's delegate
    (name = the domain, slot ``request`` = what the orchestrator passed on). A local intent understood
    only roughly is ``suggested``: the assistant asks back and runs it after a yes."""

    kind: Literal["intent"] = "intent"
    turn_id: str
    source: Source
    name: str
    slots: dict[str, str] = Field(default_factory=dict)
    confidence: float | None = Field(None, description="local intents: 1.0 a template, less a close paraphrase")
    suggested: bool = Field(False, description="only asked back about (\"Did you mean …?\"), not run")


class ToolCalled(TurnEvent):
    kind: Literal["tool_call"] = "tool_call"
    turn_id: str
    name: str
    args: dict[str, Any] = Field(default_factory=dict)


class ApprovalRequested(TurnEvent):
    """An action with a side effect waits for yes/no; nothing has been done."""

    kind: Literal["approval_requested"] = "approval_requested"
    turn_id: str = ""
    approval: ApprovalInfo


class ReplyDelta(TurnEvent):
    """A piece of the reply text as it streams (append to the turn's reply)."""

    kind: Literal["reply_delta"] = "reply_delta"
    turn_id: str
    text: str


class SpeakingStarted(TurnEvent):
    """The assistant began speaking the reply: its first audio was handed to the client or queued for
    the speaker. ``after_s``: from the finished reply to then (speech synthesis); ``first_audio_s``: from
    the end of the user's speech (push-to-talk release, or the end-point hands-free) to then, the whole
    voice turn as the user waits for it (None for a typed turn). The user's own speech is
    ``audio.events.SpeechStarted``."""

    kind: Literal["speaking_started"] = "speaking_started"
    turn_id: str
    after_s: float | None = None
    first_audio_s: float | None = None


class SpeechStopped(TurnEvent):
    """Stop playing the assistant's speech now (the user interrupted it: barge-in)."""

    kind: Literal["speech_stopped"] = "speech_stopped"
    reason: Literal["barge_in", "user"] = "barge_in"


class ReplyDone(TurnEvent):
    """The turn's final reply: the last event of a turn that did not fail."""

    kind: Literal["reply_done"] = "reply_done"
    reply: AgentReply


class TurnError(TurnEvent):
    """The turn failed where no reply could be made; ``message`` is one line for the user."""

    kind: Literal["turn_error"] = "turn_error"
    turn_id: str
    message: str


class StageTimer:
    """Wall time per stage of one turn, in seconds (a stage entered twice adds up). Each stage is also
    a span ``turn.<stage>`` under the turn's span (a no-op unless the app traces: app/tracing.py)."""

    def __init__(self) -> None:
        self.started = time.perf_counter()
        self.timings: dict[str, float] = {}

    @contextmanager
    def stage(self, name: Stage) -> Iterator[None]:
        t0 = time.perf_counter()
        # started, not made current: a stage may span a yield of the turn's generator (agents/turn_context.py)
        span = trace.get_tracer(TRACER_NAME).start_span(f"turn.{name}", attributes={"pa.stage": name})
        try:
            yield
        except BaseException as exc:
            if not isinstance(exc, GeneratorExit):
                span.set_status(Status(StatusCode.ERROR, type(exc).__name__))
            raise
        finally:
            self.add(name, time.perf_counter() - t0)
            span.end()

    def add(self, name: Stage, seconds: float) -> None:
        self.timings[name] = round(self.timings.get(name, 0.0) + seconds, 6)

    def finish(self) -> dict[str, float]:
        self.timings["total"] = round(time.perf_counter() - self.started, 6)
        return dict(self.timings)


def final_reply(events: Iterator[TurnEvent]) -> AgentReply:
    """Run a turn's events to the end and return its reply (for callers that need no stream)."""
    reply: AgentReply | None = None
    for ev in events:
        if isinstance(ev, ReplyDone):
            reply = ev.reply
    if reply is None:  # Assistant.run always ends with ReplyDone; a broken stream is a bug
        raise RuntimeError("the turn ended without a reply")
    return reply
