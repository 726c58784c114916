"""The local intent recognizer against the committed utterance set (EN + DE)."""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from agents.domains import intents as registered_intents
from agents.local.recognizer import normalize, recognize

pytestmark = pytest.mark.unit
DATA = json.loads((Path(__file__).parent / "utterances.json").read_text(encoding="utf-8"))
NOW = datetime.fromisoformat(DATA["now"]).astimezone(ZoneInfo(DATA["timezone"]))


def test_the_set_is_big_and_covers_both_languages_and_every_intent() -> None:
    cases = DATA["cases"]
    assert len(cases) >= 150
    intents = {c[1] for c in cases if c[1]}
    assert intents == set(registered_intents())
    german = [c for c in cases if any(ch in c[0].lower() for ch in "äöüß") or c[0].lower().startswith(
        ("wie", "was", "welch", "erinner", "stell", "zeig", "hab", "gibt", "timer", "nimm", "starte"))]
    assert len(german) >= 50
    assert sum(1 for c in cases if c[1] is None) >= 5  # requests that must NOT match


def test_every_committed_utterance_is_understood() -> None:
    misses = []
    for utterance, intent, slots in DATA["cases"]:
        m = recognize(utterance, NOW)
        got = (m.intent, {k: v.lower() for k, v in m.slots.items()}) if m else (None, {})
        if got != (intent, slots):
            misses.append((utterance, intent, slots, got))
    accuracy = 1 - len(misses) / len(DATA["cases"])
    assert accuracy == 1.0, f"accuracy {accuracy:.3f}; misses: {misses}"


@pytest.mark.parametrize(
    ("utterance", "expected"),
    [
        ("remind me next friday at 3 pm to call Bob", datetime(2026, 3, 6, 15, 0)),
        ("erinnere mich übermorgen um 10 an den Zahnarzt", datetime(2026, 3, 6, 10, 0)),
        ("remind me tomorrow at 9 to water the plants", datetime(2026, 3, 5, 9, 0)),
        ("erinnere mich morgen früh um 7 an das Training", datetime(2026, 3, 5, 7, 0)),
        ("remind me at 5 to stretch", datetime(2026, 3, 4, 17, 0)),
        ("erinnere mich um halb 3 an den Anruf", datetime(2026, 3, 4, 14, 30)),
        ("remind me on monday at 15:30 to pay", datetime(2026, 3, 9, 15, 30)),
        ("erinnere mich am 5. April um 14 Uhr an die Steuer", datetime(2026, 4, 5, 14, 0)),
        ("remind me on friday next week at 8 am to run", datetime(2026, 3, 13, 8, 0)),
        ("erinnere mich heute abend um 8 an den Müll", datetime(2026, 3, 4, 20, 0)),
        ("remind me in 20 minutes to check the oven", datetime(2026, 3, 4, 11, 40)),
        ("remind me tomorrow at twelve thirty to eat", datetime(2026, 3, 5, 12, 30)),  # clock times as words
        ("remind me tomorrow at nine forty five to leave", datetime(2026, 3, 5, 9, 45)),
        ("remind me to call the doctor at three pm", datetime(2026, 3, 4, 15, 0)),
    ],
)
def test_dates_resolve_in_the_users_time_zone(utterance: str, expected: datetime) -> None:
    m = recognize(utterance, NOW)
    assert m is not None and m.intent == "SetReminder"
    when = m.values["when"]
    assert when.at == expected.replace(tzinfo=NOW.tzinfo)
    assert when.at.utcoffset() == timedelta(hours=1 if expected.month < 4 else 2)  # CET / CEST


def test_next_week_range_is_monday_to_monday() -> None:
    m = recognize("what's on my calendar next week", NOW)
    assert m is not None
    rng = m.values["range"]
    assert (rng.start.date().isoformat(), rng.end.date().isoformat()) == ("2026-03-09", "2026-03-16")


def test_durations() -> None:
    for text, secs in [("set a timer for an hour and a half", 5400), ("stell einen Timer auf eineinhalb Stunden", 5400),
                       ("timer for twenty-five minutes", 1500), ("Timer auf 90 Sekunden", 90)]:
        m = recognize(text, NOW)
        assert m is not None and m.intent == "SetTimer", text
        assert m.values["duration"].total_seconds() == secs


def test_bad_time_in_a_slot_does_not_match_as_that_intent() -> None:
    m = recognize("remind me on the 31st of february to fail", NOW)
    assert m is None or m.intent != "SetReminder"


def test_normalize_strips_politeness_and_punctuation() -> None:
    assert normalize("  Hey Assistant, could you please tell me the time? ") == "tell me the time"
    assert normalize("Kannst du bitte den Timer abbrechen!") == "brich den timer ab"  # the verb goes first
    assert normalize("") == ""


HELDOUT = json.loads((Path(__file__).parent / "utterances_heldout.json").read_text(encoding="utf-8"))


def test_held_apart_requests_are_routed() -> None:
    """Written as people talk and never tuned on: 59 of 66 when measured (bench/intents.py reports it);
    this guards against falling back, it is not the figure to tune to."""
    now = datetime.fromisoformat(HELDOUT["now"])
    right = sum((m.intent if (m := recognize(u, now)) else None) == intent for u, intent in HELDOUT["cases"])
    assert right / len(HELDOUT["cases"]) >= 0.85


@pytest.mark.parametrize(("said", "means"), [
    ("hey okay um what time is it now", "what time is it"), ("sag mal, wie spät ist es?", "wie spät ist es"),
    ("stell mal einen Timer auf 5 Minuten", "stell einen timer auf 5 minuten"),
    ("erinnere mich morgen um 9 an den Müll", "erinnere mich morgen um 9 an den müll"),  # German "um" stays
    ("okay", "okay"), ("hey", "hey"),  # a yes alone stays a yes; nothing left means keep it
    ("Remind me to water the plants at 6 p.m.", "remind me to water the plants at 6 pm"),  # as Whisper writes it
])
def test_what_speech_recognition_hands_over_is_normalised(said: str, means: str) -> None:
    assert normalize(said) == means


@pytest.mark.parametrize(("said", "seconds"), [
    ("set a timer for eleven minutes", 660), ("stell einen Timer auf zweiundzwanzig Minuten", 1320),
    ("timer for half an hour", 1800), ("Timer auf anderthalb Stunden", 5400),
    ("set a timer for a quarter of an hour", 900), ("stell einen Timer auf eine viertel Stunde", 900),
    ("set a timer for two and a half hours", 9000), ("Timer für zweieinhalb Stunden", 9000),
    ("set a timer for seventy five minutes", 4500), ("set a timer for ninety seconds", 90),
    ("time her for five minutes", 300), ("kannst du mal einen Timer auf fünfundvierzig Sekunden stellen", 45),
    ("Timer auf eine Dreiviertelstunde", 2700), ("set a timer for a minute and a half", 90),
])
def test_numbers_as_words(said: str, seconds: int) -> None:
    m = recognize(said, NOW)
    assert m is not None and m.intent == "SetTimer", said
    assert m.values["duration"].total_seconds() == seconds


@pytest.mark.parametrize(("said", "means"), [
    ("Would you mind setting a timer for ten minutes?", "set a timer for ten minutes"),
    ("could you please tell me the time", "tell me the time"),
    ("I need you to check my calendar for tomorrow", "check my calendar for tomorrow"),
    ("kannst du mal die Aufnahme starten", "starte die aufnahme"),
    ("Könntest du mir bitte die Uhrzeit sagen?", "sag mir die uhrzeit"),
    ("sei so nett und stell einen Timer auf 5 Minuten", "stell einen timer auf 5 minuten"),
    ("stell bitte einen Timer auf 5 Minuten", "stell einen timer auf 5 minuten"),
    ("whats the time", "what's the time"), ("set a time her for 5 minutes", "set a timer for 5 minutes"),
    ("what's on my calender today", "what's on my calendar today"),
    ("set set a timer for for five minutes", "set a timer for five minutes"),
    ("wie spät is es", "wie spät ist es"), ("Okay... so – what time is it?", "what time is it"),
    # German particles, Whisper's slips, "again"
    ("was steht denn morgen so an", "was steht morgen an"), ("halt die Aufnahme kurz an", "halt die aufnahme an"),
    ("was ist halt los", "was ist los"), ("denk dran, dass die Oma kommt", "denk daran dass die oma kommt"),
    ("remained me tomorrow at nine to call the bank", "remind me tomorrow at nine to call the bank"),
    ("I wanna be reminded on Saturday at ten to buy flowers", "remind me on saturday at ten to buy flowers"),
    ("what was the wifi password again?", "what was the wifi password"),
])
def test_politeness_and_slips_are_normalised(said: str, means: str) -> None:
    assert normalize(said) == means


@pytest.mark.parametrize("said", ["Block Saturday from 10 to 12 for the gym"])
def test_an_event_whose_time_is_not_understood_whole_is_not_made_locally(said: str) -> None:
    """Found by the real-model eval: the title took 'next Monday from 5 to' and the event went to Wed 17:30."""
    m = recognize(said, datetime.fromisoformat(HELDOUT["now"]))
    assert m is None or m.intent != "CreateEvent"


@pytest.mark.parametrize(("said", "intent", "slots"), [
    ("did anyone email me", "UnreadMail", {}), ("hat mir jemand geschrieben", "UnreadMail", {}),  # nobody's name
    ("wie schaut's morgen aus", "CalendarQuery", {"range": "morgen"}),  # "schaut … aus" is "sieht … aus"
    ("erinner mich in ner stunde an die Wäsche", "SetReminder", {"when": "in einer stunde", "text": "die wäsche"}),
    ("set a timer for a couple minutes", "SetTimer", {"duration": "a couple minutes"}),
    ("note to self buy eggs", "AddNote", {"text": "buy eggs"}),
    ("schedule a dentist appointment for friday at 3 pm", "CreateEvent", {"title": "dentist", "when": "friday at 3 pm"}),
    ("book a call with Maria next Wednesday at 4 pm", "CreateEvent",
     {"title": "call with maria", "when": "next wednesday at 4 pm"}),
])
def test_general_rules_learned_from_the_second_blind_set(said: str, intent: str, slots: dict[str, str]) -> None:
    m = recognize(said, NOW)
    assert m is not None and (m.intent, {k: v.lower() for k, v in m.slots.items()}) == (intent, slots), m


@pytest.mark.parametrize("text", ["Hat Anna mir auf WhatsApp geschrieben?", "did Tom message me on WhatsApp?",
                                  "Any new WhatsApp messages?", "hat mir jemand per SMS geschrieben",
                                  "what's new on Mastodon"])
def test_a_request_about_another_channel_is_not_a_mail_intent(text: str) -> None:
    """The eval's w-anna-de: "auf WhatsApp" went to the mail intent, with "Anna mir auf WhatsApp" as the
    sender; a channel the intent's templates never name makes the request someone else's."""
    from agents.local.recognizer import understand

    got = understand(text, NOW)
    assert not any(m is not None and m.intent in ("MailFrom", "UnreadMail") for m in (got.match, got.suggestion)), got


def test_a_sender_is_a_name_not_the_rest_of_the_sentence() -> None:
    match = recognize("Hat Anna mir eine Mail geschrieben?", NOW)
    assert match is not None and match.intent == "MailFrom" and match.slots["person"] == "Anna", match


@pytest.mark.parametrize(("utterance", "start", "minutes"), [
    ("schedule a call with the landlord next monday from 5 to 5:30 pm", datetime(2026, 3, 9, 17, 0), 30),
    ("plan dinner on friday from 7 pm to 10 pm", datetime(2026, 3, 6, 19, 0), 180),
    ("book a review tomorrow from 11 to 1 pm", datetime(2026, 3, 5, 11, 0), 120),
    ("Trag mir am Freitag von 14 bis 15:30 Uhr Zahnarzt ein", datetime(2026, 3, 6, 14, 0), 90),
])
def test_a_span_of_clock_times_is_a_start_and_a_length(utterance: str, start: datetime, minutes: int) -> None:
    """The eval's c-landlord-en ("next Monday from 5 to 5:30 pm") had no template and went to the model."""
    m = recognize(utterance, NOW)
    assert m is not None and m.intent == "CreateEvent", m
    assert m.values["when"].at.replace(tzinfo=None) == start and m.values["duration"] == timedelta(minutes=minutes)


@pytest.mark.parametrize("text", ["I work from 9 to 5", "from 9 to 23:30", "von 8 bis 7 Uhr"])
def test_a_span_that_is_no_event_time_is_left_as_said(text: str) -> None:
    from agents.local.normalize import prepare

    said = prepare(text)
    assert ("for 480 minutes" in said) == (text == "I work from 9 to 5")  # 9 to 5: eight hours, read as a span
    assert "from 9 to 23:30" in said or text != "from 9 to 23:30"  # over 12 hours: as said
    assert "von 8 bis 7" in said or text != "von 8 bis 7 Uhr"  # 23 hours: as said
