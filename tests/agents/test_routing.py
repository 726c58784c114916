"""Picking the domain before the model (agents/routing.py): a request that names exactly one domain goes
straight to its delegate, which may answer in plain text; anything else goes through the orchestrator."""

from __future__ import annotations

from datetime import timedelta

import pytest
from pydantic_ai.messages import ModelMessage, ModelResponse, TextPart, ToolCallPart
from pydantic_ai.models.function import AgentInfo, FunctionModel

from agents.assistant import Assistant
from agents.models import CalendarEvent, MailMessage
from agents.routing import pick_domain, refers_back

from .conftest import NOW, Clock
from .fakes import MemoryCalendar, MemoryMail
from .test_agents_llm import with_model


@pytest.mark.parametrize(("said", "domain"), [
    ("reply to anna that I'll come", "communication"),
    ("schreib bitte eine Nachricht an Tom", "communication"),
    ("Trag mir für Freitag um 16 Uhr einen Friseurtermin ein", "communication"),  # a German compound
    ("was steht in der Mail von Anna", "communication"),
    ("start the recording", "meetings"),
    ("was wurde im Protokoll zum Budget gesagt", "meetings"),
    ("Was schreibt Jörg im Protokoll über das nächste Treffen?", "communication"),  # written: a mail, not speech
    ("what did Tom write in the minutes of the last meeting", "communication"),
    ("was hat Tom im letzten Meeting gesagt", "meetings"),
    ("what did we decide in the last team meeting", "meetings"),
    ("Wer hat laut Besprechung die Folien übernommen?", "meetings"),
    ("is there a meeting tomorrow", None),  # when a meeting is: the calendar, through the orchestrator
    ("please make sure you remind me to call mom later", "general"),
    ("merk dir meinen Code 1234", "general"),
    ("what is on my calendar and set a timer", None),  # two domains: the orchestrator decides
    ("book me a haircut", None),
    ("Antworte Lena auf ihre Rechnung, dass ich bis Montag überweise", "communication"),  # the verb that leads
    ("reply to Tom that the transfer went out", "communication"),
    ("überweise Anna 20 Euro und schreib ihr eine Mail", None),  # two requests: the orchestrator
    ("How much is Anna's invoice?", "communication"),  # what her mail says (finance answered with the balance)
    ("Wie hoch ist Lenas Rechnung?", "communication"),
    ("pay Anna's invoice", "finance"),  # paying it is a transfer: the verb that leads decides
    ("Bezahl die Rechnung von Lena", "finance"),
    ("did I pay the rent this month", "finance"),
    ("Using your tools, find out which weekday it is for me and tell me in one sentence.", "general"),
    ("Welcher Wochentag ist der 12. März?", "general"),
    ("what time is the dentist tomorrow", None),  # when an event is: the calendar's, through the orchestrator
])
def test_a_request_naming_one_domain_picks_it(said: str, domain: str | None) -> None:
    assert pick_domain(said) == domain


def test_the_named_domain_answers_without_the_orchestrator(assistant: Assistant) -> None:
    seen: list[str] = []

    def model(messages: list[ModelMessage], info: AgentInfo) -> ModelResponse:
        names = {t.name for t in info.function_tools}
        seen.append("orchestrator" if "ask_communication" in names else "delegate")
        return ModelResponse(parts=[TextPart("You have no mail from Anna.")])  # plain text, no output tool

    with_model(assistant, FunctionModel(model))
    reply = assistant.ask("could you check whether anna sent me a mail about the invoice")
    assert seen == ["delegate"] and reply.source == "llm"
    assert reply.spoken == "You have no mail from Anna."
    seen.clear()
    assistant.ask("book me a haircut")
    assert seen[0] == "orchestrator"


def test_a_request_about_one_kind_of_thing_sees_only_its_tools(assistant: Assistant) -> None:
    """Few tools per call: the kind of thing named (mail, calendar, messages), and of those the tools that
    change something only when the user's words ask for that change (agents/toolkit.py: asked_for)."""
    seen: list[set[str]] = []

    def model(messages: list[ModelMessage], info: AgentInfo) -> ModelResponse:
        seen.append({t.name for t in info.function_tools})
        return ModelResponse(parts=[TextPart("Nothing new.")])

    with_model(assistant, FunctionModel(model), tool_answers=False)  # several calls a turn: reading tools too
    assistant.ask("forward the landlord's last mail to my sister")
    assert seen[-1] == {"search_mail", "read_mail", "send_mail", "reply_mail", "ask_user"}
    assistant.ask("schick Tom eine WhatsApp, dass ich später komme")
    assert seen[-1] == {"recent_messages", "send_message", "ask_user"}
    assistant.ask("mail Tom the appointment from my calendar")  # two kinds: every tool of the domain ...
    assert seen[-1] == {"calendar_events", "search_mail", "read_mail", "send_mail", "reply_mail", "recent_messages",
                        "send_message", "ask_user"}  # ... that the request asks for: it creates and deletes no event
    assistant.ask("is there a mail from Anna about the invoice? what is it about?")  # a question: reading only
    assert seen[-1] == {"search_mail", "read_mail"}
    assistant.ask("Did Lena send me a mail?")  # a question with a verb that acts: still reading only
    assert seen[-1] == {"search_mail", "read_mail"}
    assistant.ask("Was schreibt Jörg im Protokoll über das nächste Treffen?")  # written: mail or message, not an
    assert seen[-1] == {"search_mail", "read_mail", "recent_messages"}  # event (the model looked for a "Treffen")
    assistant.ask("What did Jörg write in his mail about the budget?")  # the mail named: the mail's tools
    assert seen[-1] == {"search_mail", "read_mail"}
    assistant.ask("Lösch den Termin Project Review am Freitag")
    assert seen[-1] == {"calendar_events", "delete_event", "ask_user"}
    with_model(assistant, FunctionModel(model))  # one call a turn (the tools word the answer): the change asked for,
    assistant.ask("Lösch den Termin Project Review am Freitag")  # and ask_user only after a refused first try
    assert seen[-1] == {"delete_event"}
    assistant.ask("Schedule a call with the landlord next Monday at 5 pm for half an hour, the usual room")
    assert seen[-1] == {"create_event"}
    # "reply" is the mail's unless a message is named (the 1.5B model answered Tom's WhatsApp with a mail)
    assistant.ask("Reply to Tom's message: yes, I'll be at training at 7")
    assert seen[-1] == {"send_message"}
    assistant.ask("Reply to Tom: Thursday works, see you at 12:30")
    assert seen[-1] == {"send_mail", "reply_mail"}
    assistant.ask("Antworte Anna: das Meeting passt mir")  # a reply that names a meeting: mail and calendar
    assert {"send_mail", "reply_mail"} <= seen[-1]


def test_a_delegate_must_call_a_tool_first_then_may_answer(assistant: Assistant) -> None:
    """tool_choice 'required' on the delegate's first step (a server constrains it by grammar); free after."""
    choices: list[object] = []
    outputs: list[bool] = []

    def model(messages: list[ModelMessage], info: AgentInfo) -> ModelResponse:
        choices.append((info.model_settings or {}).get("tool_choice"))
        outputs.append(bool(info.output_tools) or info.allow_text_output)
        if len(choices) == 1:
            return ModelResponse(parts=[ToolCallPart("search_mail", {"sender": "Max"})])
        return ModelResponse(parts=[TextPart("Max asks about the quarterly report.")])

    with_model(assistant, FunctionModel(model), tool_answers=False)
    reply = assistant.ask("what does the mail from Max say")
    assert choices == ["required", None] and reply.spoken == "Max asks about the quarterly report."
    assert outputs == [False, True]  # no output tool and no text on the first step: only a tool call


@pytest.mark.parametrize(("said", "back"), [
    ("Cancel that one", True), ("Delete it", True), ("Move it to Friday", True), ("what is it about", True),
    ("Tell her no problem, I'll order for her", True), ("Lösch den bitte", True), ("Sag den ab", True),
    ("Schreib ihm zurück, dass ich um sieben komme", True), ("Was kostet das?", True),
    ("Wie ist das Wetter?", False), ("Remind me that the bins go out", False), ("book me a haircut", False),
    ("Lösch den Termin am Freitag", False),  # "den" before its noun points at nothing said before
])
def test_a_request_that_points_back_is_told_apart(said: str, back: bool) -> None:
    assert refers_back(said) is back


def test_a_request_that_points_back_goes_to_the_last_answers_domain_and_tools(assistant: Assistant,
                                                                              clock: Clock) -> None:
    """"Lösch den bitte" after the calendar was read: that event (not "did you mean: cancel the timer?"), by
    the calendar's delegate; "tell her …" after Anna's WhatsApp messages: a message, not a mail."""
    seen: list[set[str]] = []

    def model(messages: list[ModelMessage], info: AgentInfo) -> ModelResponse:
        seen.append({t.name for t in info.function_tools})
        return ModelResponse(parts=[TextPart("Okay.")])

    with_model(assistant, FunctionModel(model))
    assistant.ask("Was steht am Freitag an?")  # answered locally from the calendar
    assert seen == []
    reply = assistant.ask("Lösch den bitte")
    assert seen == [{"delete_event"}], reply.text
    assistant.ask("What did Anna write on WhatsApp?")  # local: her messages
    assistant.ask("Tell her no problem, I'll order for her")
    assert seen[-1] == {"send_message"}
    assistant.ask("Wie ist das Wetter?")  # points at nothing: the orchestrator
    assert "ask_communication" in seen[-1]
    assistant.ask("What did Anna write on WhatsApp?")
    clock.advance(minutes=6)  # later on, "her" is not the last answer's any more
    assistant.ask("Tell her no problem, I'll order for her")
    assert "ask_communication" in seen[-1]


def test_that_one_is_what_the_last_answer_showed(assistant: Assistant) -> None:
    """The model has no words for "that one" (it called delete_event and reply_mail without a title or a
    sender): the event the calendar answer showed, the mail read out, is the one meant."""
    cal, mail = assistant.services.calendar, assistant.services.mail
    assert isinstance(cal, MemoryCalendar) and isinstance(mail, MemoryMail)
    friday = NOW.replace(hour=10, minute=0) + timedelta(days=2)  # NOW: Wednesday, 4 March 2026
    cal.items += [CalendarEvent(uid="rev", title="Project review", start=friday, end=friday + timedelta(hours=1)),
                  CalendarEvent(uid="gym", title="Gym", start=friday + timedelta(days=1),
                                end=friday + timedelta(days=1, hours=1))]
    mail.messages += [MailMessage(id="m1", sender="tom@example.net", sender_name="Tom Becker",
                                  subject="Lunch on Thursday?", date=NOW - timedelta(hours=2), unread=True),
                      MailMessage(id="m2", sender="anna@example.org", sender_name="Anna Schmidt", subject="Dinner",
                                  date=NOW - timedelta(hours=1), unread=True)]
    calls = iter([("delete_event", {}), ("reply_mail", {"body": "Donnerstag passt"})])

    def model(messages: list[ModelMessage], info: AgentInfo) -> ModelResponse:
        name, args = next(calls)
        return ModelResponse(parts=[ToolCallPart(name, args)])

    with_model(assistant, FunctionModel(model))
    assistant.ask("Was steht am Freitag an?")  # local: the review
    reply = assistant.ask("Lösch den bitte")
    assert reply.approval is not None and "Project review" in reply.approval.summary, reply.text
    assistant.ask("nein")
    assistant.ask("Was hat Tom geschrieben?")  # local: his mail read out
    reply = assistant.ask("Antworte ihm, dass Donnerstag passt")
    assert reply.approval is not None and "Tom Becker" in reply.approval.summary, reply.text
