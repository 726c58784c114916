"""The learned intent classifier (agents/local/classifier.py): confidence, the class 'none', requests
that need a model, slots found anywhere, and the saved weights kept in step with their sources."""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from agents.local.classifier import NONE, SAVED, classify, load, train
from agents.local.corpus import EXAMPLES, fingerprint
from agents.local.recognizer import CLASSIFIER_ROUTE, recognize, understand
from agents.local.slots import find_slots
from tests.agents.conftest import NOW

pytestmark = pytest.mark.unit
HERE = Path(__file__).parent
TRAIN2 = json.loads((HERE / "utterances_train2.json").read_text(encoding="utf-8"))
TRAIN3 = json.loads((HERE / "utterances_train3.json").read_text(encoding="utf-8"))
TRAIN4 = json.loads((HERE / "utterances_train4.json").read_text(encoding="utf-8"))
TRAIN5 = json.loads((HERE / "utterances_train5.json").read_text(encoding="utf-8"))


def test_the_confidence_is_a_probability_and_high_for_a_plain_request() -> None:
    p = classify("could you tell me how late it is")
    assert p.intent == "GetTime" and CLASSIFIER_ROUTE <= p.confidence <= 1.0
    assert 0.0 <= p.runner_up_confidence <= p.confidence and p.runner_up != p.intent


@pytest.mark.parametrize("said", [
    "book me a table at the italian place for tonight", "what time does the pharmacy close",
    "how long do I boil an egg", "set the alarm for 6", "wie wird das Wetter morgen", "bestell mir ein Taxi",
])
def test_a_request_that_needs_a_model_is_class_none_and_not_routed(said: str) -> None:
    assert classify(said).intent == NONE
    r = understand(said, NOW)
    assert r.match is None and r.suggestion is None, r


@pytest.mark.parametrize("said", ["delete all my notes", "send the notes to anna", "lösch alle Erinnerungen"])
def test_a_verb_the_intent_never_uses_keeps_it_from_running(said: str) -> None:
    r = understand(said, NOW)
    assert r.match is None and r.suggestion is None, r


def test_a_tiny_model_learns_and_keeps_none_apart() -> None:
    m = train([("what time is it", "GetTime"), ("wie spät ist es", "GetTime"), ("tell me a joke", NONE),
               ("what's the weather", NONE), ("list my notes", "ListNotes"), ("zeig meine notizen", "ListNotes")],
              epochs=80)
    assert m.predict("what time is it now").intent == "GetTime"
    assert m.predict("zeig mir alle notizen").intent == "ListNotes"
    assert m.predict("a joke please").intent == NONE


@pytest.mark.parametrize(("said", "intent", "slots"), [
    ("erinner mi heut abend um sieben dass ich die oma anruf", "SetReminder",
     {"when": "heute abend um sieben", "text": "ich die oma anruf"}),
    ("okay so i need a timer uh one hour and fifteen minutes for the roast", "SetTimer",
     {"duration": "one hour and fifteen minutes"}),
    ("is a mail vom stefan gekommen", "MailFrom", {"person": "stefan"}),
])
def test_slots_are_found_anywhere(said: str, intent: str, slots: dict[str, str]) -> None:
    m = recognize(said, NOW)
    assert m is not None and m.intent == intent and m.slots == slots, m


def test_a_required_slot_that_is_not_there_is_not_guessed() -> None:
    assert find_slots("SetReminder", "remind me to call grandma", NOW) is None
    assert find_slots("SetTimer", "start a timer for the pasta", NOW) is None
    assert find_slots("CalendarQuery", "what's on next month", NOW) is None


def test_the_saved_model_fits_the_templates_and_examples() -> None:
    """After changing a template, intent_examples.json, normalize.py or features.py:
    python -m agents.local.train_intents (else the model is trained at start-up, some seconds)."""
    assert load(SAVED, fingerprint()) is not None


def test_the_examples_hold_every_committed_utterance() -> None:
    examples = {(t, i) for t, i in json.loads(EXAMPLES.read_text(encoding="utf-8"))["from_tests"]}
    for name in ("utterances.json", "utterances_train2.json", "utterances_train3.json", "utterances_train4.json",
                 "utterances_train5.json"):
        cases = json.loads((HERE / name).read_text(encoding="utf-8"))["cases"]
        assert {(c[0], c[1]) for c in cases} <= examples, name


def test_the_blind_written_set_is_routed() -> None:
    """utterances_train2.json: 300 requests written blind, as many kinds of people talk. They are in the
    training examples, so this guards the floor; the figure that generalises is bench/nlu_split.py's."""
    now = datetime.fromisoformat(TRAIN2["now"]).astimezone(ZoneInfo(TRAIN2["timezone"]))
    misses = [(t, i, m.intent if (m := recognize(t, now)) else None) for t, i, _ in TRAIN2["cases"]]
    misses = [x for x in misses if x[1] != x[2]]
    assert len(misses) <= 6, misses


def test_the_second_blind_written_set_is_routed_with_its_slots() -> None:
    """utterances_train3.json: 375 requests written before the recognizer was run on them (87.2 % routed
    right then, 84.3 % with the slots; docs/agents.md). Now in the training examples, so this guards the
    floor: intent and slots as the committed set is scored, bar a question's fact (the classifier keeps the
    whole question; the notes are searched with it)."""
    now = datetime.fromisoformat(TRAIN3["now"]).astimezone(ZoneInfo(TRAIN3["timezone"]))
    misses = []
    for text, intent, slots in TRAIN3["cases"]:
        m = recognize(text, now)
        got = (m.intent, {k: v.lower() for k, v in m.slots.items() if k != "fact"}) if m else (None, {})
        if got != (intent, {k: v for k, v in slots.items() if k != "fact"}):
            misses.append((text, intent, slots, got))
    assert not misses, misses


def test_the_third_blind_written_set_is_routed_with_its_slots() -> None:
    """utterances_train4.json: 407 requests of all four domains written before the recognizer ran on them
    (88.5 % routed right with their slots then; docs/agents.md). In the training examples now, so this guards
    the floor: intent and slots, bar a question's fact and the finance 'what' (their handlers read the whole
    request). Three cases stay as written and are known misses: see ``KNOWN_MISSES_TRAIN4``."""
    now = datetime.fromisoformat(TRAIN4["now"]).astimezone(ZoneInfo(TRAIN4["timezone"]))
    ignored = {"fact", "what"}
    misses = []
    for text, intent, slots in TRAIN4["cases"]:
        m = recognize(text, now)
        got = (m.intent, {k: v.lower() for k, v in m.slots.items() if k not in ignored}) if m else (None, {})
        if got != (intent, {k: v for k, v in slots.items() if k not in ignored}) and text not in KNOWN_MISSES_TRAIN4:
            misses.append((text, intent, slots, got))
    assert not misses, misses


def test_the_fourth_blind_written_set_is_routed() -> None:
    """utterances_train5.json: 191 requests (EN+DE, all domains, ASR-style) written before the recognizer ran
    on them: 142 = 74.3 % routed right then (note questions count as misses here: the assistant answers them
    from the notes it holds, which this set has none of). In the training examples now: a floor."""
    now = datetime.fromisoformat(TRAIN5["now"]).astimezone(ZoneInfo(TRAIN5["timezone"]))
    misses = [(t, i, m.intent if (m := recognize(t, now)) else None) for t, i, _ in TRAIN5["cases"]]
    misses = [x for x in misses if x[1] != x[2]]
    assert len(misses) <= 6, misses


# misses of utterances_train4.json left as they are (a fix would only have made the one sentence pass)
KNOWN_MISSES_TRAIN4 = {
    "what's my horoscope",  # asked of the notes ("what's my {fact}"); with no such note the model answers
    "note the irony",  # "note …" is a note; no rule tells a figure of speech from one
}
