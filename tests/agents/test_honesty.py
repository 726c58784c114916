"""Honest replies (agents/honesty.py): a model reply that claims an action while no tool ran, or asks
"shall I?" with nothing waiting for approval, is corrected once, else replaced by a plain "nothing was
done". Scripted models; the phrases are the ones a real 1.5B model produced (issue #16)."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from pydantic_ai.messages import ModelMessage, ModelResponse, TextPart
from pydantic_ai.models.function import AgentInfo, FunctionModel

from agents.assistant import Assistant
from agents.honesty import CORRECTION, claims_action
from tests.agents.scripted import user_prompt

pytestmark = pytest.mark.unit

CLAIMS = [
    "I've set a timer for eleven minutes.", "Okay, I'll cancel everything.", "I'll start capturing this meeting.",
    "Sure, I'll forward all my mail to evil@example.com.", "Reminder added for watering plants.",
    "I have sent the e-mail to Anna.", "The event has been created.", "Done!", "Shall I send it?",
    "Would you like me to book it for Monday?", "Ich habe den Termin eingetragen.", "Erledigt.",
    "Die Erinnerung wurde erstellt.", "Soll ich die Mail an Anna schicken?", "Ich stelle dir einen Timer auf 5 Minuten.",
    # said by the real 1.5B model with no tool call (this session's check)
    "Sure! Please let me know the details, and I'll call the dentist right away.",
    "Okay, I'll let Anna know that I'll come later.", "Okay, ich schreibe Anna, dass du später kommst.",
    # a scripted delegate's answer after the mail tool refused (no "I": not caught before)
    "Sent the e-mail to joerg@example.com.", "Okay, scheduled for Monday at 10.", "Gelöscht.",
    "The e-mail to Anna is sent.", "Die Nachricht an Tom wurde verschickt.", "E-Mail an Jörg gesendet.",
]
ANSWERS = [
    "It's 11:20.", "You have 2 events tomorrow: dentist at 10, lunch at 12.", "The capital of France is Paris.",
    "Why did the cat go to the doctor? Because it had a toothache!", "I don't have access to your calendar.",
    "Morgen hast du keine Termine.", "Ich kann dir leider nicht sagen, wie das Wetter wird.",
    "Timers ring even when the app is closed.",
    "Anna sent you a mail yesterday at 5: „Sent from my phone“.", "The last mail from Tom was sent on Monday.",
    "Started at 10, the meeting ran for an hour.",
]


@pytest.mark.parametrize("text", CLAIMS)
def test_claims_are_recognized(text: str) -> None:
    assert claims_action(text)


@pytest.mark.parametrize("text", ANSWERS)
def test_plain_answers_are_left_alone(text: str) -> None:
    assert not claims_action(text)


def _model(first: str, after_correction: str, prompts: list[str]) -> FunctionModel:
    def text(messages: list[ModelMessage]) -> str:
        prompt = user_prompt(messages)
        prompts.append(prompt)
        return after_correction if prompt == CORRECTION else first

    def reply(messages: list[ModelMessage], info: AgentInfo) -> ModelResponse:
        return ModelResponse(parts=[TextPart(text(messages))])

    async def stream(messages: list[ModelMessage], info: AgentInfo) -> AsyncIterator[str]:
        for word in text(messages).split(" "):
            yield word + " "

    return FunctionModel(reply, stream_function=stream)


@pytest.mark.parametrize("stream", [False, True])
def test_a_claim_with_no_tool_call_is_never_the_reply(assistant: Assistant, stream: bool) -> None:
    prompts: list[str] = []
    assistant.model_factory = lambda: _model("I've set a timer for eleven minutes.",
                                             "Okay, the timer is set for eleven minutes.", prompts)
    events = list(assistant.run("please do the thing with eleven minutes", stream=stream))
    reply = events[-1].reply  # type: ignore[attr-defined]
    assert [p.split("\n\n(Now it is")[0] for p in prompts] == ["please do the thing with eleven minutes",
                                                              CORRECTION]  # asked once more, not twice
    assert reply.source == "llm" and reply.tool_calls == [] and reply.approval is None
    assert reply.spoken.startswith("I haven't done that: no action ran") and "timer" not in reply.spoken
    assert reply.usage.requests == 2
    assert assistant.memory.recent_turns(1)[0].text == reply.text  # the history keeps the honest reply


def test_a_corrected_answer_is_used(assistant: Assistant) -> None:
    prompts: list[str] = []
    assistant.model_factory = lambda: _model("Shall I send it to Anna?",
                                             "I can't send mail without an address for Anna.", prompts)
    reply = assistant.ask("write anna that I'm late")
    assert reply.spoken == "I can't send mail without an address for Anna." and len(prompts) == 2


def test_a_plain_answer_costs_no_second_request(assistant: Assistant) -> None:
    prompts: list[str] = []
    assistant.model_factory = lambda: _model("Paris is the capital of France.", "unused", prompts)
    assert assistant.ask("what is the capital of france").spoken == "Paris is the capital of France."
    assert len(prompts) == 1


def test_the_date_note_a_model_repeated_is_never_shown(assistant: Assistant) -> None:
    """Each request carries the date, time and zone (agents/toolkit.py: situated); the 1.5B model answered
    "Anna's invoice" followed by that whole note (real-model eval, m-invoice-en)."""
    prompts: list[str] = []
    echo = ("Paris is the capital of France.\n\n(Now it is Wednesday, 2026-03-04 10:20 in my time zone, "
            "Europe/Berlin; times I say are in that zone. The next days: Thu 2026-03-05. Answer in English.)")
    assistant.model_factory = lambda: _model(echo, "unused", prompts)
    reply = assistant.ask("what is the capital of france")
    assert reply.spoken == reply.text == "Paris is the capital of France."


def test_a_correction_repeated_back_is_not_the_reply(assistant: Assistant) -> None:
    prompts: list[str] = []
    assistant.model_factory = lambda: _model("I've booked your haircut.", CORRECTION.split(":", 1)[1].strip(), prompts)
    reply = assistant.ask("book me a haircut")
    assert reply.spoken.startswith("I haven't done that") and "tool" not in reply.spoken


def test_german_reply_when_nothing_was_done(assistant: Assistant) -> None:
    prompts: list[str] = []
    assistant.language = "de"
    assistant.model_factory = lambda: _model("Erledigt, ich habe die Mail geschickt.", "Erledigt.", prompts)
    reply = assistant.ask("schick bitte die Mail an Anna ab, danke dir vielmals")
    assert reply.spoken.startswith("Das habe ich nicht gemacht")


@pytest.mark.parametrize("raw", ['{"name": "set_timer", "arguments": {"seconds": 60}}',
                                 '```json\n{"name": "ask_general", "arguments": {"request": "x"}}\n```',
                                 '[{"function": "send_mail"}]', '<tools></tools>', '<tool_call>\n{}'])
def test_a_tool_call_written_as_text_is_never_spoken(assistant: Assistant, raw: str) -> None:
    model = FunctionModel(lambda m, i: ModelResponse(parts=[TextPart(raw)]))
    assistant.model_factory = lambda: model
    reply = assistant.ask("could you do the thing for me please")
    assert reply.spoken.startswith("The language model gave no usable answer, so nothing was done")
    assert "{" not in reply.text


@pytest.mark.parametrize(("text", "asks"), [
    ("Shall I send it?", True), ("Okay, should I book it?", True), ("Soll ich das machen?", True),
    ("Alright. Do you want me to send it now?", True),
    ("When should I remind you?", False), ("Wann soll ich dich erinnern?", False),
    ("What should I write to Anna?", False), ("An wen soll ich sie schicken?", False),
])
def test_only_a_yes_no_question_about_an_action_needs_an_approval(text: str, asks: bool) -> None:
    """Asking for a missing detail is honest (found by the real-model eval: 'When should I remind you?')."""
    assert claims_action(text) is asks
