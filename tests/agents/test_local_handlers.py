"""Local intents answered through the Assistant with in-memory services (no model)."""

from __future__ import annotations

from datetime import timedelta

import pytest

from agents.assistant import Assistant
from agents.deps import ServiceDeps, ServiceError
from agents.models import CalendarEvent, MailMessage, NewEvent, TranscriptHit
from tests.agents.conftest import NOW, Clock
from tests.agents.fakes import MemoryCalendar, MemoryMail, MemoryMeetings

pytestmark = pytest.mark.unit


def test_time_and_date_in_both_languages(assistant: Assistant) -> None:
    assert assistant.ask("wie spät ist es").spoken == "Es ist 11:20 Uhr."
    assert assistant.ask("what's the date today").spoken == "Today is Wednesday, 4 March 2026."
    assert assistant.ask("welcher Tag ist heute").spoken == "Heute ist Mittwoch, 4. März 2026."


def test_weekday_of_a_date_and_days_until_it(assistant: Assistant) -> None:
    assert assistant.ask("What day of the week is the 10th of March?").spoken == "10 March 2026 is a Tuesday."
    assert assistant.ask("Welcher Wochentag ist der 10. März?").spoken == "Der 10. März 2026 ist ein Dienstag."
    assert assistant.ask("How many days is it until the 1st of April?").spoken == \
        "28 days until Wednesday, 1 April 2026."
    assert assistant.ask("wie viele Tage sind es noch bis zum 5. März").spoken == \
        "Noch 1 Tag bis Donnerstag, 5. März 2026."


def test_timer_lifecycle(assistant: Assistant, clock: Clock) -> None:
    assert "ends at 11:25" in assistant.ask("set a timer for 5 minutes").spoken
    clock.advance(minutes=2)
    assert assistant.ask("how much time is left on my timer").spoken == "3 minutes left."
    assert assistant.ask("timer abbrechen").spoken == "1 Timer abgebrochen."
    assert assistant.ask("how long is left on the timer").spoken == "No timer is running."


def test_reminders_and_past_times(assistant: Assistant) -> None:
    r = assistant.ask("remind me tomorrow at 9 to water the plants")
    assert r.spoken == "I'll remind you tomorrow at 09:00: water the plants."
    bad = assistant.ask("remind me yesterday at 9 to time travel")
    assert bad.error == "time in the past"
    listed = assistant.ask("what are my reminders")
    assert "1 reminder" in listed.spoken and "water the plants" in listed.text
    due = assistant.memory.due_reminders(NOW + timedelta(days=1))
    assert [x.text for x in due] == ["water the plants"]


def test_two_requests_in_one_sentence_both_run(assistant: Assistant) -> None:
    r = assistant.ask("Set a timer for 10 minutes and remind me at 6 pm to water the plants")
    assert r.spoken == ("Timer set for 10 minutes, it ends at 11:30. "
                        "I'll remind you today at 18:00: water the plants."), r.spoken
    assert [t.label for t in assistant.memory.active_timers(NOW)] == [""]
    assert [x.text for x in assistant.memory.reminders()] == ["water the plants"]
    de = assistant.ask("wie spät ist es und welcher Tag ist heute")
    assert de.spoken == "Es ist 11:20 Uhr. Heute ist Mittwoch, 4. März 2026."
    one = assistant.ask("remind me tomorrow at 9 to buy bread and milk")  # an "and" inside a slot: one request
    assert one.spoken == "I'll remind you tomorrow at 09:00: buy bread and milk."


@pytest.mark.parametrize(("text", "says"), [
    ("set a timer for 99999999999 hours", "too long: a timer can run at most 7 days"),
    ("stell einen timer auf 99999999999 stunden", "zu lang: Ein Timer läuft höchstens 7 Tage"),
    ("stell einen Timer auf 10 Tage", "zu lang"),
    ("timer for 99999999999h", "at most 7 days"),
    ("remind me in 99999999999 minutes to stretch", "too far ahead"),
    ("erinnere mich in 99999999999 minuten ans dehnen", "zu weit"),
    ("remind me in 99999999999 days to stretch", "too far ahead"),
])
def test_huge_durations_get_a_spoken_answer_not_an_overflow(assistant: Assistant, text: str, says: str) -> None:
    r = assistant.ask(text)
    assert says in r.spoken, (text, r.spoken, r.intent)
    assert assistant.memory.reminders() == []


def test_notes_recall_and_forget(assistant: Assistant) -> None:
    assistant.ask("merk dir, dass Paul Erdnüsse nicht verträgt")
    assistant.ask("remember that the wifi password is hunter2")
    assert "Erdnüsse" in assistant.ask("was weißt du über Paul").spoken
    wifi = assistant.ask("what did I say about wifi")
    assert "hunter2" in wifi.spoken
    assert wifi.text.count("hunter2") == 1, wifi.text  # the one note is not printed twice
    assert "2 things" in assistant.ask("what are my notes").spoken
    asked = assistant.ask("forget the wifi password")
    assert asked.approval is not None and asked.spoken == (
        "Delete 1 note about the wifi password: “the wifi password is hunter2”. Shall I?")
    assert len(assistant.memory.facts()) == 2  # nothing is deleted before the yes
    assert assistant.ask("nein").spoken.startswith("Okay, ich mache es nicht")
    assert len(assistant.memory.facts()) == 2
    assistant.ask("forget the wifi password")
    assert assistant.ask("yes").spoken == "Done, 1 note deleted."
    assert [f.text for f in assistant.memory.facts()] == ["Paul Erdnüsse nicht verträgt"]


def test_calendar_day_and_week(assistant: Assistant, services: ServiceDeps) -> None:
    cal = services.calendar
    assert isinstance(cal, MemoryCalendar)
    tomorrow_9 = NOW.replace(hour=9, minute=0) + timedelta(days=1)
    cal.items += [
        CalendarEvent(uid="a", title="Standup", start=tomorrow_9, end=tomorrow_9 + timedelta(minutes=15)),
        CalendarEvent(uid="b", title="Review", start=tomorrow_9 + timedelta(days=6), end=tomorrow_9 + timedelta(days=6, hours=1)),
    ]
    r = assistant.ask("was steht morgen im Kalender")
    assert r.spoken == "Du hast 1 Termin morgen. Zuerst: 09:00 Uhr: Standup."
    assert r.text.count("Standup") == 1, r.text  # the screen does not repeat the spoken event
    week = assistant.ask("what's on my calendar next week")
    assert "Review" in week.text and "Standup" not in week.text
    assert assistant.ask("what do I have on friday").spoken == "Nothing on your calendar for friday."


def test_mail_unread_and_from_person(assistant: Assistant, services: ServiceDeps) -> None:
    mail = services.mail
    assert isinstance(mail, MemoryMail)
    mail.messages += [
        MailMessage(id="1", sender="bob@example.com", sender_name="Bob", subject="Lunch?", date=NOW, unread=True),
        MailMessage(id="2", sender="anna@example.com", sender_name="Anna", subject="Slides", date=NOW, unread=False),
    ]
    r = assistant.ask("do I have new mail")
    assert r.spoken == "You have 1 unread e-mail. Latest from Bob: Lunch?."
    assert r.text.count("Lunch") == 1, r.text  # the screen does not list the spoken mail again
    assert assistant.ask("hat Anna mir geschrieben").spoken.startswith("1 Mail von Anna")
    assert assistant.ask("any emails from Carol").spoken == "No e-mails from Carol."


def test_meetings_without_recorder_say_so(assistant: Assistant) -> None:
    assistant.services.meetings = None
    for text in ("start recording the meeting", "durchsuche die Transkripte nach Budget"):
        r = assistant.ask(text)
        assert r.error == "meeting recording not available"
        assert ("not available" in r.spoken) or ("nicht verfügbar" in r.spoken)


def test_meetings_with_recorder(assistant: Assistant, services: ServiceDeps) -> None:
    mc = services.meetings
    assert isinstance(mc, MemoryMeetings)
    mc.hits.append(TranscriptHit(recording_id="r1", title="Weekly", at=NOW, text="the budget is approved"))
    assert assistant.ask("start recording").spoken == "Recording started." and mc.state == "recording"
    assert assistant.ask("start recording").error == "a recording is already running"
    assert assistant.ask("pausiere die Aufnahme").spoken == "Aufnahme pausiert." and mc.state == "paused"
    assert assistant.ask("stop recording").spoken == "Recording stopped." and mc.state == "idle"
    found = assistant.ask("search the transcripts for budget")
    assert "Weekly" in found.text and "approved" in found.text
    mc.hits.append(TranscriptHit(recording_id="r1", title="Weekly", at=NOW, text="the budget needs a cut",
                                 speaker="Anna"))
    anna = assistant.ask("what did Anna say about the budget")
    assert "needs a cut" in anna.text and "approved" not in anna.text  # only what Anna said
    ben = assistant.ask("was hat Ben über das Budget gesagt")
    assert ben.spoken.startswith("Ben hat in den Transkripten nichts")
    named = assistant.ask("the second speaker was Anna")
    assert mc.named == {2: "Anna"} and named.spoken.startswith("Speaker 2 in Weekly is now Anna")
    assert assistant.ask("Sprecher 3 ist Ben").error == "the last meeting has no speaker 3" and mc.named == {2: "Anna"}


def test_services_not_connected_answer_honestly(assistant: Assistant) -> None:
    assistant.services.calendar = None
    assistant.services.mail = None
    cal = assistant.ask("what's on my calendar today").spoken
    assert cal.startswith("No calendar is connected.") and "settings" in cal and "--kind" not in cal
    mail = assistant.ask("any unread emails").spoken
    assert mail.startswith("No mail account is connected.") and "personal-agent" not in mail
    r = assistant.ask("create an event dentist tomorrow at 3 pm")
    assert r.approval is None and r.error == "service not connected"


def test_bad_input_loses_nothing(assistant: Assistant) -> None:
    assistant.ask("remember that the boiler code is 1234")
    assert assistant.ask("").error == "empty input"
    long_note = "remember that " + "x" * 5000
    r = assistant.ask(long_note)
    assert r.error and "too long" in r.error
    assert [f.text for f in assistant.memory.facts()] == ["the boiler code is 1234"]
    assert assistant.ask("yes").spoken == "There's nothing waiting for your confirmation."


def test_failed_approved_action_is_not_reported_as_done(assistant: Assistant, services: ServiceDeps) -> None:
    class DownCalendar(MemoryCalendar):
        def create_event(self, event: NewEvent) -> CalendarEvent:
            raise ServiceError("cannot reach the calendar server")

    services.calendar = DownCalendar()
    asked = assistant.ask("schedule lunch with Tom on Friday at 1")
    assert asked.approval is not None
    done = assistant.ask("yes")
    assert done.error and "cannot reach" in done.error
    assert not done.spoken.lower().startswith("done") and "failed" in done.spoken.lower()


def test_a_miss_without_a_model_is_one_short_sentence_in_the_users_language(assistant: Assistant) -> None:
    for said, lang in [("wie wird das Wetter morgen", "de"), ("what's the weather like tomorrow", "en")]:
        r = assistant.ask(said)
        assert r.source == "fallback" and r.language == lang
        assert r.spoken.count(".") == 1 and len(r.spoken) < 90
        assert not any(k in r.text for k in ("[llm]", "provider", "config.toml", "personal-agent", "PA_LLM"))
