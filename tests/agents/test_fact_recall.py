"""Questions about stored facts answered from the notes (EN+DE), and questions the notes cannot answer."""

from __future__ import annotations

import pytest
from pydantic_ai.messages import ModelMessage, ModelResponse, TextPart
from pydantic_ai.models.function import AgentInfo, FunctionModel

from agents.assistant import Assistant
from agents.local.facts import as_told, best_note, question_keywords
from agents.memory import FactOut
from tests.agents.conftest import NOW

pytestmark = pytest.mark.unit


def _notes(*texts: str) -> list[FactOut]:
    return [FactOut(id=i, created_at=NOW, kind="note", text=t) for i, t in enumerate(texts, 1)]


def test_key_words_are_lemmatised_lightly() -> None:
    assert question_keywords("what is my sister's name") == ["sister", "name"]
    assert question_keywords("wie heißt meine Schwester") == ["name", "sister"]
    assert question_keywords("wann hat meine Mutter Geburtstag") == ["mother", "birthday"]
    assert question_keywords("where did I park") == ["park"]


@pytest.mark.parametrize(("question", "note"), [
    ("what is my sister's name", "my sister's name is Julia"),
    ("wie heißt meine Schwester", "my sister's name is Julia"),
    ("what's my locker code", "my locker code is 4711"),
    ("wie ist mein Spindcode", "der Code für meinen Spind ist 1234"),
    ("where did I park", "I parked on level 3"),
    ("wie heißt der Hausmeister", "der Hausmeister heißt Herr Kaya"),
    ("wann hat meine Mutter Geburtstag", "Mamas Geburtstag ist am 12. Mai"),
    ("when is my mom's birthday", "meine Mutter hat am 12. Mai Geburtstag"),
])
def test_the_note_that_holds_every_key_word_answers(question: str, note: str) -> None:
    notes = _notes("the plumber comes on Tuesday", note, "Paul Erdnüsse nicht verträgt")
    found = best_note(question, notes)
    assert found is not None and found.text == note


def test_nothing_answers_a_question_about_something_else() -> None:
    notes = _notes("my sister's name is Julia", "the wifi password is hunter2")
    assert best_note("what is the capital of France", notes) is None
    assert best_note("what is my brother's name", notes) is None


def test_a_note_is_said_back_to_the_user() -> None:
    assert as_told("my sister's name is Julia", "en") == "your sister's name is Julia"
    assert as_told("I parked on level 3", "en") == "you parked on level 3"
    assert as_told("mein Auto steht auf Ebene 2", "de") == "dein Auto steht auf Ebene 2"


def test_questions_through_the_assistant(assistant: Assistant) -> None:
    assistant.ask("remember that my sister's name is Julia")
    assistant.ask("merk dir, der Hausmeister heißt Herr Kaya")
    assistant.ask("remember my locker code is 4711")
    assistant.ask("merk dir dass meine Mutter am 12. Mai Geburtstag hat")
    assistant.ask("remember I parked on level 3")
    r = assistant.ask("what is my sister's name")
    assert r.intent == "RecallNote" and r.spoken == "You told me: your sister's name is Julia."
    assert "4711" in assistant.ask("what's my locker code").spoken
    r = assistant.ask("wie heißt der Hausmeister")
    assert r.intent == "RecallNote" and r.spoken == "Du hast mir gesagt: der Hausmeister heißt Herr Kaya."
    assert "12. Mai" in assistant.ask("wann hat meine Mutter Geburtstag").spoken
    assert "level 3" in assistant.ask("where did I park").spoken


def test_a_question_no_note_answers(assistant: Assistant) -> None:
    assistant.ask("remember that my sister's name is Julia")
    r = assistant.ask("what is the capital of France")
    assert r.intent != "RecallNote" and r.source == "fallback"
    r = assistant.ask("what's my locker code")
    assert r.intent == "RecallNote" and r.spoken == "I have no note about that."
    assert assistant.ask("wie heißt mein Zahnarzt").spoken == "Dazu habe ich keine Notiz."


def test_with_a_model_connected_a_question_no_note_answers_goes_to_the_model(assistant: Assistant) -> None:
    def model(messages: list[ModelMessage], info: AgentInfo) -> ModelResponse:
        return ModelResponse(parts=[TextPart("I don't know your locker code.")])

    assistant.model_factory = lambda: FunctionModel(model)
    assert assistant.ask("what's my locker code").source == "llm"
    assistant.ask("remember my locker code is 4711")
    assert assistant.ask("what's my locker code").source == "local"
