"""Handlers of the local intents: each takes the recognized intent and the deps and returns the
reply. Reading (time, calendar, mail, notes) happens at once; anything that changes the outside
world (a calendar event) becomes a pending approval that waits for the user's yes."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta

from agents.deps import AssistantDeps, ServiceError
from agents.local.phrases import fmt_date, fmt_duration, fmt_time, fmt_when, tr
from agents.local.recognizer import IntentMatch
from agents.local.timeparse import DayRange, When
from agents.memory import MemoryInputError
from agents.models import MailQuery, MailSummary, NewEvent
from agents.replies import AgentReply, ToolCallInfo

DEFAULT_EVENT_LENGTH = timedelta(hours=1)
DEFAULT_REMINDER_HOUR = 9


def _reply(m: IntentMatch, spoken: str, text: str | None = None, **kw: object) -> AgentReply:
    full = spoken if not text or text == spoken else f"{spoken}\n{text}"
    return AgentReply(spoken=spoken, text=full, source="local", language=m.language,
                      intent=m.intent, slots=m.slots, **kw)  # type: ignore[arg-type]


def help_text(lang: str) -> str:
    return tr(
        lang,
        "Offline I can tell the time and date, set timers and reminders, remember notes and "
        "recall or forget them, read your calendar for a day or week and add events, check unread mail "
        "and mail from a person, and control meeting recording. For anything else, connect a language "
        "model: set llm.provider in config.toml (openai, anthropic or openai-compatible with llm.base_url) "
        "and store its key with `personal-agent accounts add --kind llm`.",
        "Offline kann ich Uhrzeit und Datum sagen, Timer und Erinnerungen stellen, Notizen merken, "
        "wiederfinden und vergessen, deinen Kalender für einen Tag oder eine Woche vorlesen und Termine "
        "eintragen, ungelesene Mails und Mails von einer Person prüfen und die Meeting-Aufnahme steuern. "
        "Für alles andere verbinde ein Sprachmodell: llm.provider in config.toml setzen (openai, anthropic "
        "oder openai-compatible mit llm.base_url) und den Schlüssel mit `personal-agent accounts add "
        "--kind llm` speichern.",
    )


def _time(m: IntentMatch, d: AssistantDeps) -> AgentReply:
    now = d.now()
    return _reply(m, tr(m.language, f"It's {fmt_time(now, 'en')}.", f"Es ist {fmt_time(now, 'de')}."))


def _date(m: IntentMatch, d: AssistantDeps) -> AgentReply:
    today = d.now().date()
    return _reply(m, tr(m.language, f"Today is {fmt_date(today, 'en', year=True)}.",
                        f"Heute ist {fmt_date(today, 'de', year=True)}."))


def _help(m: IntentMatch, d: AssistantDeps) -> AgentReply:
    full = help_text(m.language)
    return _reply(m, full.split(". ")[0] + ".", full)


def _set_timer(m: IntentMatch, d: AssistantDeps) -> AgentReply:
    dur: timedelta = m.values["duration"]
    label = str(m.values.get("label", ""))
    try:
        t = d.memory.add_timer(dur, d.now(), label)
    except MemoryInputError as exc:
        return _reply(m, str(exc), error=str(exc))
    ends = t.ends_at.astimezone(d.tz)
    lang = m.language
    return _reply(m, tr(lang, f"Timer set for {fmt_duration(dur, lang)}, it ends at {fmt_time(ends, lang)}.",
                        f"Timer für {fmt_duration(dur, lang)} gestellt, er endet um {fmt_time(ends, lang)}."))


def _timer_status(m: IntentMatch, d: AssistantDeps) -> AgentReply:
    now = d.now()
    timers = d.memory.active_timers(now)
    lang = m.language
    if not timers:
        return _reply(m, tr(lang, "No timer is running.", "Es läuft kein Timer."))
    parts = [fmt_duration(t.ends_at - now, lang) + (f" ({t.label})" if t.label else "") for t in timers]
    return _reply(m, tr(lang, f"{parts[0]} left.", f"Noch {parts[0]}."),
                  tr(lang, "Timers: ", "Timer: ") + "; ".join(parts))


def _cancel_timer(m: IntentMatch, d: AssistantDeps) -> AgentReply:
    n = d.memory.cancel_timers(d.now())
    lang = m.language
    if n == 0:
        return _reply(m, tr(lang, "There was no timer running.", "Es lief kein Timer."))
    return _reply(m, tr(lang, f"Cancelled {n} timer{'s' if n > 1 else ''}.", f"{n} Timer abgebrochen."))


def _set_reminder(m: IntentMatch, d: AssistantDeps) -> AgentReply:
    when: When = m.values["when"]
    at = when.at if when.has_time else when.at.replace(hour=DEFAULT_REMINDER_HOUR)
    lang = m.language
    if at <= d.now():
        msg = tr(lang, "That time has already passed. When should I remind you?",
                 "Dieser Zeitpunkt ist schon vorbei. Wann soll ich dich erinnern?")
        return _reply(m, msg, error="time in the past")
    text = str(m.values["text"])
    try:
        d.memory.add_reminder(at, text)
    except MemoryInputError as exc:
        return _reply(m, str(exc), error=str(exc))
    return _reply(m, tr(lang, f"I'll remind you {fmt_when(at, d.now(), lang)}: {text}.",
                        f"Ich erinnere dich {fmt_when(at, d.now(), lang)}: {text}."))


def _list_reminders(m: IntentMatch, d: AssistantDeps) -> AgentReply:
    rs = d.memory.reminders()
    lang = m.language
    if not rs:
        return _reply(m, tr(lang, "You have no reminders.", "Du hast keine Erinnerungen."))
    now = d.now()
    lines = [f"{fmt_when(r.due_at.astimezone(d.tz), now, lang)}: {r.text}" for r in rs]
    spoken = tr(lang, f"You have {len(rs)} reminder{'s' if len(rs) > 1 else ''}. The next is {lines[0]}.",
                f"Du hast {len(rs)} Erinnerung{'en' if len(rs) > 1 else ''}. Die nächste: {lines[0]}.")
    return _reply(m, spoken, "\n".join(lines))


def _add_note(m: IntentMatch, d: AssistantDeps) -> AgentReply:
    text = str(m.values["text"])
    try:
        d.memory.remember(text)
    except MemoryInputError as exc:
        return _reply(m, str(exc), error=str(exc))
    return _reply(m, tr(m.language, f"Okay, I'll remember: {text}.", f"Okay, ich merke mir: {text}."))


def _recall(m: IntentMatch, d: AssistantDeps) -> AgentReply:
    topic = str(m.values["topic"])
    facts = d.memory.recall(topic)
    lang = m.language
    if not facts:
        return _reply(m, tr(lang, f"You haven't told me anything about {topic}.",
                            f"Du hast mir nichts über {topic} gesagt."))
    return _reply(m, tr(lang, f"You told me: {facts[0].text}.", f"Du hast mir gesagt: {facts[0].text}."),
                  "\n".join(f"- {f.text}" for f in facts))


def _list_notes(m: IntentMatch, d: AssistantDeps) -> AgentReply:
    facts = d.memory.facts()
    lang = m.language
    if not facts:
        return _reply(m, tr(lang, "I haven't stored any notes yet.", "Ich habe noch keine Notizen."))
    return _reply(m, tr(lang, f"I remember {len(facts)} thing{'s' if len(facts) > 1 else ''}.",
                        f"Ich habe mir {len(facts)} Dinge gemerkt." if len(facts) > 1 else "Ich habe mir eine Sache gemerkt."),
                  "\n".join(f"- {f.text}" for f in facts))


def _forget(m: IntentMatch, d: AssistantDeps) -> AgentReply:
    topic = str(m.values["topic"])
    gone = d.memory.forget(topic)
    lang = m.language
    if not gone:
        return _reply(m, tr(lang, f"I had nothing stored about {topic}.", f"Ich hatte nichts über {topic} gespeichert."))
    return _reply(m, tr(lang, f"Done, I forgot {len(gone)} note{'s' if len(gone) > 1 else ''} about {topic}.",
                        f"Erledigt, ich habe {len(gone)} Notiz{'en' if len(gone) > 1 else ''} über {topic} vergessen."),
                  "\n".join(f"- {f.text}" for f in gone))


def _no_service(m: IntentMatch, what_en: str, what_de: str, how: str) -> AgentReply:
    msg = tr(m.language, f"No {what_en} is connected. {how}", f"Kein {what_de} verbunden. {how}")
    return _reply(m, msg, error="service not connected")


_CAL_HOW = "personal-agent accounts add --kind caldav"
_MAIL_HOW = "personal-agent accounts add --kind mail"


def _calendar(m: IntentMatch, d: AssistantDeps) -> AgentReply:
    cal = d.services.calendar
    if cal is None:
        return _no_service(m, "calendar", "Kalender", f"(`{_CAL_HOW}`)")
    now = d.now()
    rng: DayRange | None = m.values.get("range")
    if rng is None:
        start = now.replace(hour=0, minute=0, second=0, microsecond=0)
        rng = DayRange(start, start + timedelta(days=1), tr(m.language, "today", "heute"))
    lang = m.language
    call = ToolCallInfo(name="calendar.events", args={"start": rng.start.isoformat(), "end": rng.end.isoformat()})
    try:
        events = cal.events(rng.start, rng.end)
    except ServiceError as exc:
        return _reply(m, tr(lang, f"I couldn't read the calendar: {exc}", f"Ich konnte den Kalender nicht lesen: {exc}"),
                      error=str(exc), tool_calls=[call])
    label = rng.label
    if not events:
        return _reply(m, tr(lang, f"Nothing on your calendar for {label}.", f"Für {label} steht nichts im Kalender."),
                      tool_calls=[call])
    multi_day = (rng.end - rng.start) > timedelta(days=1)

    def line(e_start: datetime, title: str, all_day: bool) -> str:
        st = e_start.astimezone(d.tz)
        day = fmt_date(st.date(), lang) + " " if multi_day else ""
        return f"{day}{tr(lang, 'all day', 'ganztägig') if all_day else fmt_time(st, lang)}: {title}"

    lines = [line(e.start, e.title, e.all_day) for e in events]
    n = len(events)
    spoken = tr(lang, f"You have {n} event{'s' if n > 1 else ''} {label}. First: {lines[0]}.",
                f"Du hast {n} Termin{'e' if n > 1 else ''} {label}. Zuerst: {lines[0]}.")
    return _reply(m, spoken, "\n".join(lines), tool_calls=[call])


def _create_event(m: IntentMatch, d: AssistantDeps) -> AgentReply:
    if d.services.calendar is None:
        return _no_service(m, "calendar", "Kalender", f"(`{_CAL_HOW}`)")
    when: When = m.values["when"]
    lang = m.language
    title = str(m.values["title"]).strip()
    title = title[:1].upper() + title[1:]
    dur: timedelta = m.values.get("duration") or DEFAULT_EVENT_LENGTH
    if when.has_time:
        event = NewEvent(title=title, start=when.at, end=when.at + dur)
        what = fmt_when(when.at, d.now(), lang) + f"–{fmt_time(when.at + dur, lang)}"
    else:
        start = when.at.replace(hour=0, minute=0)
        event = NewEvent(title=title, start=start, end=start + timedelta(days=1), all_day=True)
        what = tr(lang, "on ", "am ") + fmt_date(start.date(), lang) + tr(lang, " (all day)", " (ganztägig)")
    summary = tr(lang, f"Create the event \"{title}\" {what} in your calendar.",
                 f"Den Termin „{title}“ {what} in deinen Kalender eintragen.")
    rec = d.approvals.request("calendar.create_event", summary, {"event": event.model_dump(mode="json")}, d.now())
    d.pending.append(rec)
    spoken = summary + tr(lang, " Shall I?", " Soll ich?")
    return _reply(m, spoken, approval=rec.info())


def _mail_lines(mails: list[MailSummary], lang: str) -> list[str]:
    return [f"{x.sender_name or x.sender}: {x.subject}" for x in mails]


def _unread(m: IntentMatch, d: AssistantDeps) -> AgentReply:
    return _mail(m, d, MailQuery(unread_only=True, limit=20))


def _mail_from(m: IntentMatch, d: AssistantDeps) -> AgentReply:
    return _mail(m, d, MailQuery(sender=str(m.values["person"]), limit=20))


def _mail(m: IntentMatch, d: AssistantDeps, q: MailQuery) -> AgentReply:
    mail = d.services.mail
    lang = m.language
    if mail is None:
        return _no_service(m, "mail account", "Mailkonto", f"(`{_MAIL_HOW}`)")
    call = ToolCallInfo(name="mail.search", args=q.model_dump(mode="json", exclude_defaults=True))
    try:
        mails = mail.search(q)
    except ServiceError as exc:
        return _reply(m, tr(lang, f"I couldn't read your mail: {exc}", f"Ich konnte deine Mails nicht lesen: {exc}"),
                      error=str(exc), tool_calls=[call])
    who = q.sender
    if not mails:
        msg = (tr(lang, f"No e-mails from {who}.", f"Keine Mails von {who}.") if who
               else tr(lang, "No unread e-mails.", "Keine ungelesenen Mails."))
        return _reply(m, msg, tool_calls=[call])
    lines = _mail_lines(mails, lang)
    n = len(mails)
    if who:
        spoken = tr(lang, f"{n} e-mail{'s' if n > 1 else ''} from {who}. Latest: {mails[0].subject}.",
                    f"{n} Mail{'s' if n > 1 else ''} von {who}. Die neueste: {mails[0].subject}.")
    else:
        spoken = tr(lang, f"You have {n} unread e-mail{'s' if n > 1 else ''}. Latest from {lines[0]}.",
                    f"Du hast {n} ungelesene Mail{'s' if n > 1 else ''}. Die neueste von {lines[0]}.")
    return _reply(m, spoken, "\n".join(lines), tool_calls=[call])


def _meeting(m: IntentMatch, d: AssistantDeps) -> AgentReply:
    mc = d.services.meetings
    lang = m.language
    if mc is None:
        msg = tr(lang, "Meeting recording is not available in this installation yet.",
                 "Meeting-Aufnahme ist in dieser Installation noch nicht verfügbar.")
        return _reply(m, msg, error="meeting recording not available")
    try:
        if m.intent == "SearchTranscripts":
            query = str(m.values["query"])
            hits = mc.search_transcripts(query, limit=5)
            call = ToolCallInfo(name="meetings.search_transcripts", args={"query": query})
            if not hits:
                return _reply(m, tr(lang, f"Nothing about {query} in the transcripts.",
                                    f"In den Transkripten steht nichts zu {query}."), tool_calls=[call])
            lines = [f"{h.title} ({fmt_date(h.at.astimezone(d.tz).date(), lang)}): {h.text}" for h in hits]
            return _reply(m, tr(lang, f"Found {len(hits)} passage(s). First, in {hits[0].title}.",
                                f"{len(hits)} Stelle(n) gefunden. Zuerst in {hits[0].title}."),
                          "\n".join(lines), tool_calls=[call])
        actions: dict[str, tuple[Callable[[], object], str, str]] = {
            "MeetingStart": (lambda: mc.start(m.values.get("title")), "Recording started.", "Aufnahme gestartet."),
            "MeetingStop": (mc.stop, "Recording stopped.", "Aufnahme beendet."),
            "MeetingPause": (mc.pause, "Recording paused.", "Aufnahme pausiert."),
            "MeetingResume": (mc.resume, "Recording resumed.", "Aufnahme fortgesetzt."),
        }
        fn, en, de = actions[m.intent]
        fn()
        return _reply(m, tr(lang, en, de), tool_calls=[ToolCallInfo(name=f"meetings.{m.intent[7:].lower()}")])
    except ServiceError as exc:
        return _reply(m, str(exc), error=str(exc))


def _nothing_pending(m: IntentMatch, d: AssistantDeps) -> AgentReply:
    return _reply(m, tr(m.language, "There's nothing waiting for your confirmation.",
                        "Es wartet nichts auf deine Bestätigung."))


HANDLERS: dict[str, Callable[[IntentMatch, AssistantDeps], AgentReply]] = {
    "GetTime": _time, "GetDate": _date, "Help": _help,
    "SetTimer": _set_timer, "TimerStatus": _timer_status, "CancelTimer": _cancel_timer,
    "SetReminder": _set_reminder, "ListReminders": _list_reminders,
    "AddNote": _add_note, "RecallNote": _recall, "ListNotes": _list_notes, "Forget": _forget,
    "CalendarQuery": _calendar, "CreateEvent": _create_event,
    "UnreadMail": _unread, "MailFrom": _mail_from,
    "MeetingStart": _meeting, "MeetingStop": _meeting, "MeetingPause": _meeting, "MeetingResume": _meeting,
    "SearchTranscripts": _meeting,
    "Confirm": _nothing_pending, "Reject": _nothing_pending,
}


def handle(m: IntentMatch, deps: AssistantDeps) -> AgentReply:
    return HANDLERS[m.intent](m, deps)
