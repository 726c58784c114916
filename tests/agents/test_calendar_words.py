"""What a small model puts into a calendar call, read as the user meant it: a day given as the event's words
("Friday") is that day; a German compound or the other language's spelling still finds the title
("Projektreview": "Project review"); a calendar question whose answer is in a mail ("When is Anna's invoice
due?") is answered from the mail; "take it out of my calendar" asks for a delete; the orchestrator's request
to a delegate is one line (a schema-held step cannot start copying the request's date note)."""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from pydantic_ai.messages import ModelMessage, ModelResponse
from pydantic_ai.models.function import AgentInfo, FunctionModel

from agents import domains
from agents.assistant import Assistant
from agents.communication.agent import _ACTIONS
from agents.communication.checks import day_in_words, title_has
from agents.deps import ServiceDeps
from agents.models import CalendarEvent, MailMessage
from agents.orchestrator import _delegation_tools
from tests.agents.fakes import MemoryCalendar, MemoryMail

from .conftest import NOW
from .scripted import call
from .test_agents_llm import with_model

pytestmark = pytest.mark.unit

WED = datetime(2026, 3, 4, 11, 20, tzinfo=ZoneInfo("Europe/Berlin"))


@pytest.mark.parametrize(("words", "day", "rest"), [
    ("Friday", date(2026, 3, 6), ""),
    ("Project review on Friday", date(2026, 3, 6), "Project review"),
    ("Termin am Freitag", date(2026, 3, 6), "Termin"),
    ("morgen", date(2026, 3, 5), ""),
    ("Dentist", None, "Dentist"),
])
def test_a_day_among_the_words_is_the_day(words: str, day: date | None, rest: str) -> None:
    assert day_in_words(words, WED) == (day, rest)


@pytest.mark.parametrize(("title", "words", "found"), [
    ("Project review", "Projektreview", True),  # a German compound of the English title
    ("Project review", "project review", True),
    ("Lunch with Tom", "Mittagessen", True),  # the other language's word
    ("Team meeting", "Projektreview", False),
    ("Dentist", "Zahnarzt", False),  # not a translator
])
def test_a_title_is_found_by_its_words_in_either_spelling(title: str, words: str, found: bool) -> None:
    assert title_has(title, words) is found


@pytest.mark.parametrize("said", ["I can't make the project review on Friday, take it out of my calendar",
                                  "Nimm den Zahnarzt bitte raus", "Trag das Projektreview am Freitag aus"])
def test_taking_an_event_out_asks_for_a_delete(said: str) -> None:
    assert re.search(_ACTIONS["delete_event"], said.lower())


def test_what_the_orchestrator_hands_a_delegate_is_one_line() -> None:
    for tool in _delegation_tools(tuple(domains.DOMAINS)).tools.values():
        schema = tool.tool_def.parameters_json_schema["properties"]["request"]
        assert not re.fullmatch(schema["pattern"], "When is it? (Now it is Wednesday, 2026-03-04 11:20 …")
        assert re.fullmatch(schema["pattern"], "When do I have to be at the dentist?")


def test_a_day_the_model_gave_as_words_shows_that_day(assistant: Assistant, services: ServiceDeps) -> None:
    cal = services.calendar
    assert isinstance(cal, MemoryCalendar)
    friday = (NOW + timedelta(days=2)).replace(hour=10, minute=0)
    cal.items += [CalendarEvent(uid="r", title="Project review", start=friday, end=friday + timedelta(hours=1)),
                  CalendarEvent(uid="t", title="Team meeting", start=NOW + timedelta(days=9),
                                end=NOW + timedelta(days=9, hours=1))]

    def delegate(messages: list[ModelMessage], info: AgentInfo) -> ModelResponse:
        return call("calendar_events", text="Friday")

    with_model(assistant, FunctionModel(delegate))
    reply = assistant.ask("What's in my calendar on Friday?")
    assert "Project review" in reply.text and "Team meeting" not in reply.text, reply.text


def test_a_calendar_question_answered_by_a_mail(assistant: Assistant, services: ServiceDeps) -> None:
    mail = services.mail
    assert isinstance(mail, MemoryMail)
    mail.messages.append(MailMessage(
        id="1", sender="anna@example.org", sender_name="Anna Schmidt", subject="Invoice 2026-031 kitchen",
        date=NOW - timedelta(days=1), body="Here is the invoice: 1,240 EUR, payable within 14 days."))

    def delegate(messages: list[ModelMessage], info: AgentInfo) -> ModelResponse:
        return call("calendar_events", text="invoice")  # the 1.5B model's pick for "when … due?"

    with_model(assistant, FunctionModel(delegate))
    reply = assistant.ask("When is Anna's invoice due in my calendar?")
    assert "no event" in reply.text and "within 14 days" in reply.text, reply.text
