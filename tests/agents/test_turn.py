"""One turn as typed events (agents/turn.py): the order a consumer sees, the true source, the tool
calls as they ran, the approval before the reply, usage and timings per stage. Scripted models."""

from __future__ import annotations

from datetime import timedelta

import pytest
from pydantic_ai.messages import ModelMessage, ModelResponse
from pydantic_ai.models.function import AgentInfo

from agents.assistant import Assistant
from agents.deps import ServiceDeps
from agents.models import CalendarEvent
from agents.turn import (
    ApprovalRequested,
    IntentRecognized,
    ReplyDone,
    ToolCalled,
    TurnEvent,
    TurnStarted,
)
from tests.agents.conftest import NOW
from tests.agents.fakes import MemoryCalendar
from tests.agents.scripted import Script, call, final, streaming_model, tool_returns

pytestmark = pytest.mark.unit


def kinds(events: list[TurnEvent]) -> list[str]:
    return [str(getattr(e, "kind", "")) for e in events]


def done(events: list[TurnEvent]) -> ReplyDone:
    assert isinstance(events[-1], ReplyDone), kinds(events)
    return events[-1]


def test_local_turn_names_its_intent_and_times_it(assistant: Assistant) -> None:
    events = list(assistant.run("what time is it", "t-1"))
    assert kinds(events) == ["turn_started", "intent", "reply_delta", "reply_done"]
    assert isinstance(events[0], TurnStarted) and events[0].text == "what time is it"
    intent = events[1]
    assert isinstance(intent, IntentRecognized) and intent.source == "local" and intent.name == "GetTime"
    reply = done(events).reply
    assert reply.source == "local" and reply.turn_id == "t-1" and reply.user_text == "what time is it"
    assert set(reply.timings) == {"intent", "total"} and reply.usage.requests == 0


def test_model_turn_events_come_in_the_order_they_happen(assistant: Assistant, services: ServiceDeps) -> None:
    cal = services.calendar
    assert isinstance(cal, MemoryCalendar)
    cal.items.append(CalendarEvent(uid="1", title="Dentist", start=NOW + timedelta(days=1),
                                   end=NOW + timedelta(days=1, hours=1)))

    def delegate(messages: list[ModelMessage], info: AgentInfo) -> ModelResponse:
        if "calendar_events" not in tool_returns(messages):
            return call("calendar_events", start=(NOW + timedelta(days=1)).date().isoformat() + "T00:00:00",
                        end=(NOW + timedelta(days=2)).date().isoformat() + "T00:00:00")
        return final(info, "Tomorrow you have the dentist.")

    assistant.model_factory = Script(delegate).model
    events = list(assistant.run("move the dentist in my agenda to friday", stream=False))
    k = kinds(events)
    assert k[0] == "turn_started" and k[-1] == "reply_done"
    assert k.index("intent") < k.index("tool_call") < k.index("reply_delta")
    intent = next(e for e in events if isinstance(e, IntentRecognized))
    assert intent.source == "llm" and intent.name == "communication" and "agenda" in intent.slots["request"]
    assert [e.name for e in events if isinstance(e, ToolCalled)] == ["calendar_events"]
    reply = done(events).reply
    assert reply.source == "llm" and reply.usage.requests == 4
    assert {"intent", "llm", "total"} <= set(reply.timings) and reply.timings["llm"] <= reply.timings["total"]


def test_streamed_model_turn_has_the_whole_reply_at_the_end(assistant: Assistant) -> None:
    assistant.model_factory = lambda: streaming_model(["It is ", "sunny today. Take ", "a hat!"])
    assistant.tool_answers = False  # the model words the answer (streamed sentence by sentence)
    events = list(assistant.run("how is the weather"))
    assert [e.text for e in events if e.kind == "reply_delta"] == ["It is sunny today. ", "Take a hat! "]  # type: ignore[attr-defined]
    reply = done(events).reply
    assert reply.source == "llm" and reply.spoken == "It is sunny today. Take a hat!" and reply.text == reply.spoken


def test_approval_is_asked_before_the_reply_and_the_yes_is_its_own_intent(assistant: Assistant) -> None:
    events = list(assistant.run("create an event dentist tomorrow at 3 pm"))
    assert kinds(events)[-2:] == ["approval_requested", "reply_done"]
    asked = events[-2]
    assert isinstance(asked, ApprovalRequested) and asked.approval == done(events).reply.approval
    assert asked.approval.details["Title"] == "Dentist" and asked.approval.created_at is not None
    yes = list(assistant.run("yes"))
    intent = next(e for e in yes if isinstance(e, IntentRecognized))
    assert intent.source == "approval" and intent.name == "Confirm"
    assert [e.name for e in yes if isinstance(e, ToolCalled)] == ["calendar.create_event"]
    reply = done(yes).reply
    assert reply.source == "approval" and "approval" in reply.timings


def test_empty_request_is_one_reply_not_stored(assistant: Assistant) -> None:
    events = list(assistant.run("   "))
    assert kinds(events) == ["turn_started", "reply_done"]
    assert done(events).reply.error == "empty input" and assistant.memory.count_turns() == 0
