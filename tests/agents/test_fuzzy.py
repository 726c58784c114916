"""The fuzzy stage of the offline recognizer: close paraphrases with a confidence, asking back
("Did you mean …?"), and the yes that runs the suggestion."""

from __future__ import annotations

import pytest
from pydantic_ai.messages import ModelMessage, ModelResponse, TextPart
from pydantic_ai.models.function import AgentInfo, FunctionModel

from agents.assistant import Assistant
from agents.local.fuzzy import ASK, ROUTE, match_fuzzy
from agents.local.recognizer import CLASSIFIER_ASK, CLASSIFIER_ROUTE, recognize, understand
from agents.turn import IntentRecognized
from tests.agents.conftest import NOW, Clock

pytestmark = pytest.mark.unit

ASKED_BACK = "current hour"  # the classifier thinks GetTime, not sure enough to run it
FUZZY_ASKED_BACK = "tell me what the time is"  # close to "tell me what time it is", not close enough to run


def test_a_template_match_is_certain_and_a_paraphrase_carries_its_confidence() -> None:
    exact = recognize("what time is it", NOW)
    assert exact is not None and exact.confidence == 1.0
    near = recognize("set the timer on 7 minutes", NOW)
    assert near is not None and near.intent == "SetTimer" and ROUTE <= near.confidence < 1.0
    assert near.values["duration"].total_seconds() == 420 and near.slots == {"duration": "7 minutes"}
    fuzzy = match_fuzzy(FUZZY_ASKED_BACK, NOW)
    assert fuzzy is not None and fuzzy.intent == "GetTime" and ASK <= fuzzy.confidence < ROUTE
    ask = understand(ASKED_BACK, NOW)
    assert ask.match is None and ask.suggestion is not None and ask.suggestion.intent == "GetTime"
    assert CLASSIFIER_ASK <= ask.suggestion.confidence < CLASSIFIER_ROUTE


@pytest.mark.parametrize("said", [
    "book me a haircut", "write an email to anna saying I'm late", "what time does the bakery open",
    "forward all my mail to bob", "what's the weather", "what's the weather like", "wie wird das Wetter",
    "delete all my notes", "what's the time in tokyo", "cancel the meeting", "don't set a timer",
    "timer", "send a message to bob", "what is the capital of france", "read me the news", "was gibt es neues",
])
def test_a_request_that_needs_a_model_is_neither_routed_nor_asked_back(said: str) -> None:
    r = understand(said, NOW)
    assert r.match is None and r.suggestion is None, (said, r)


def test_a_slot_that_cannot_be_parsed_is_not_guessed() -> None:
    """A timer needs its length: without one the fuzzy stage does not route a timer."""
    found = match_fuzzy("please set the timer for the pasta", NOW)
    assert found is None or found.intent != "SetTimer"


def test_asking_back_then_yes_runs_the_suggestion(assistant: Assistant) -> None:
    events = list(assistant.run(ASKED_BACK))
    intent = next(e for e in events if isinstance(e, IntentRecognized))
    assert intent.suggested and intent.name == "GetTime" and intent.confidence is not None
    assert assistant.ask(ASKED_BACK).spoken == "Did you mean: what time is it?"
    done = assistant.ask("yes")
    assert done.spoken == "It's 11:20." and done.intent == "GetTime"
    assert assistant.ask("yes").spoken == "There's nothing waiting for your confirmation."  # used once


def test_asking_back_in_german_and_ja(assistant: Assistant) -> None:
    asked = assistant.ask("wie lange geht timer")
    assert asked.spoken == "Meintest du: wie lange läuft der Timer noch?" and asked.language == "de"
    assert assistant.ask("ja").spoken == "Es läuft kein Timer."


def test_no_or_anything_else_drops_the_suggestion(assistant: Assistant) -> None:
    assistant.ask(ASKED_BACK)
    assert assistant.ask("no").spoken == "Okay, never mind."
    assert assistant.ask("yes").spoken == "There's nothing waiting for your confirmation."
    assistant.ask(ASKED_BACK)
    assert assistant.ask("what's the date today").intent == "GetDate"
    assert assistant.ask("yes").spoken == "There's nothing waiting for your confirmation."


def test_a_suggestion_lasts_about_two_minutes(assistant: Assistant, clock: Clock) -> None:
    assistant.ask(ASKED_BACK)
    clock.advance(minutes=3)
    assert assistant.ask("yes").spoken == "There's nothing waiting for your confirmation."


def test_a_yes_answers_the_question_just_asked_not_an_older_approval(assistant: Assistant) -> None:
    asked = assistant.ask("create an event dentist tomorrow at 3 pm")
    assert asked.approval is not None
    assistant._suggestion = None
    assistant.ask(ASKED_BACK)  # a suggestion made while the approval waits
    done = assistant.ask("yes")
    assert done.source == "local" and done.intent != "Confirm"  # the suggested request ran
    approval = assistant.approvals.pending(NOW)
    assert approval is not None and approval.id == asked.approval.id  # the event still waits for its own yes


def test_a_roughly_understood_request_is_asked_back_even_with_a_model(assistant: Assistant) -> None:
    def model(messages: list[ModelMessage], info: AgentInfo) -> ModelResponse:
        return ModelResponse(parts=[TextPart("from the model")])

    assistant.model_factory = lambda: FunctionModel(model)
    assert assistant.ask(ASKED_BACK).spoken == "Did you mean: what time is it?"
    assert assistant.ask("book me a haircut").source == "llm"
