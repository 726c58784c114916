"""Local intents of the general domain (EN+DE): yes/no, time and date, help, timers, reminders and
notes. Templates first, then their handlers."""

from __future__ import annotations

from datetime import timedelta

from agents.deps import AssistantDeps, MemoryInputError
from agents.domains import Handler
from agents.local.facts import NO_NOTE, answer, best_note
from agents.local.handlers import help_text, reply
from agents.local.phrases import fmt_date, fmt_duration, fmt_time, fmt_when, tr
from agents.local.recognizer import IntentMatch
from agents.local.templates import WHAT_IS, Intents, Lang
from agents.local.timeparse import When
from agents.phrasebook import phrase
from agents.replies import AgentReply

DEFAULT_REMINDER_HOUR = 9
MAX_REMINDER_AHEAD = timedelta(days=3653)  # ten years
MY_DE = "(mein|meine|meinen|meinem|meiner|meines)"

INTENTS: Intents = {
    "Confirm": {
        "en": ["(yes|yeah|yep|yup|sure|ok|okay|confirm|confirmed|approve|approved|affirmative|correct)",
               "(yes|ok|okay) [please|do it|go ahead|send it]", "(do it|go ahead|send it|go for it|proceed)",
               "(yes|yeah|yep|yup|sure|ok|okay) (do it|do that|go ahead|go on|go on then|send it|that's right|that is right|that's correct|that works|please|sounds good|that's fine|fine|perfect|absolutely|of course|go for it|why not|please do)",
               "(sure|why not|that works|works for me|please do|go on then)",
               "(absolutely|definitely|of course|sounds good|that's fine|fine by me|perfect|alright|all right|sure thing|jup)"],
        "de": ["(ja|jawohl|jawoll|jap|jep|jo|genau|klar|bestätigen|bestätige|bestätigt|einverstanden|passt|richtig|gerne|natürlich|auf jeden fall|genau so|sehr gut|passt so|jup)",
               "ja [bitte|gerne|mach das|mach es|schick es|senden|genau|klar|natürlich|gerne|passt]",
               "(mach das|mach es|mach schon|schick es ab|schick es|abschicken|leg los)"],
    },
    "Reject": {
        "en": ["(no|nope|nah|cancel|cancel it|cancel that|don't|do not|never mind|nevermind|deny|abort)",
               "(no|nope|nah) (thanks|thank you|don't|do not|cancel|cancel it|cancel that|never mind|don't send it|leave it)",
               "(don't|do not) (do it|send it|do that)", "(not|not yet|not today|forget it|no way)",
               "(no|nope|nah) (forget it|not now|not yet|no way|not today|i'm good|i am good|stop|not that|don't bother|leave it)",
               "[(no|nope|nah)] (i changed my mind|i've changed my mind|changed my mind|don't bother|scratch that)",
               "[(no|nope|nah)] (that's|thats|that is) (wrong|not right|not what i (said|meant|asked for))"],
        "de": ["(nein|ne|nö|abbrechen|abbruch|lass es|lass das|vergiss es|auf keinen fall|stopp das)",
               "nein [danke|lass es|nicht|abbrechen|nicht senden|nicht schicken|lieber nicht|bloß nicht|besser nicht|jetzt nicht]",
               "nein danke (lass|lass es|lass gut sein)",
               "(lieber nicht|besser nicht|bloß nicht|jetzt nicht|nicht jetzt|noch nicht) [danke]",
               "(nicht senden|nicht schicken|nicht machen)", "(nein|ne|nö) (stopp|stop|halt|doch nicht|lieber doch nicht)",
               "(auf gar keinen fall|auf keinen fall|keinesfalls|doch nicht|lieber doch nicht)"],
    },
    "GetTime": {
        "en": [f"{WHAT_IS} the [current] time [now|right now|please]", "what time is it [now|right now]",
               "(tell|give) me the [current] time", "do you (have|know) the time", "[the] (current) time",
               "time", "what's the time now", "what time do we have",
               "(tell me|do you know) what time it is", "what hour is it [now]", "what time (have we got|we got|do we have)",
               "(check|look at) the time", "what (does|do) the clock say", "what's the clock say"],
        "de": ["wie spät ist es [jetzt|gerade]", "wie spät (haben wir|ist's)",
               "(wie viel|wieviel) uhr (ist es|haben wir) [jetzt|gerade]", "(sag|nenn) mir die uhrzeit",
               "[die] [aktuelle] uhrzeit", "welche [uhrzeit|zeit] haben wir", "was ist die uhrzeit",
               "[kannst du] [mir] (sagen|sag mir) wie spät es ist", "(weißt du|sag mir) wie spät es ist",
               "sag mir wie viel uhr es ist"],
    },
    "GetDate": {
        "en": [f"{WHAT_IS} (the date|today's date|the date today|today) [today]", "what day is (it|today) [today]",
               "what date is (it|today) [today]", "which day is (it|today)", "today's date",
               f"{WHAT_IS} (the day|the day today|the weekday)", "what's today",
               "(tell|give) me [the|today's] date [today]",
               "(what|which) day of the (month|week) is (it|today) [today]", "(do you know|tell me) what (day|date) it is [today]"],
        "de": ["welcher (tag|wochentag) ist heute", "welches datum (haben wir|ist heute|ist) [heute]",
               "der wievielte ist heute", "den wievielten haben wir [heute]", "was ist heute für ein tag",
               "welchen tag haben wir [heute]", "[das] [heutige] datum", "was für ein tag ist heute",
               "(sag|nenn) mir [das] [heutige] datum"],
    },
    "WeekdayOf": {
        "en": ["(what|which) day [of the week] (is|was|will be|falls on) {when}", "what weekday is {when}",
               "(what|which) day of the week (is|was) {when} [on]", "what day does {when} fall on",
               "is {when} a weekday"],
        "de": ["(welcher|was für ein) (tag|wochentag) ist [der|am] {when}", "auf welchen (tag|wochentag) fällt [der] {when}",
               "was für ein wochentag ist [der] {when}", "welcher wochentag war [der] {when}"],
    },
    "DaysUntil": {
        "en": ["how many days [is it|are there|are left|left|to go] (until|till|to|before) {when}",
               "how many days (until|till|to) {when} [is it|are there|are left]",
               "how long is it (until|till) {when}", "how many days away is {when}"],
        "de": ["(wie viele|wieviele) tage (sind es|ist es|noch|sind es noch|dauert es noch|bleiben) bis [zum|zur|am] {when}",
               "(wie viele|wieviele) tage noch bis [zum|zur] {when}", "wie lange (ist es|dauert es) noch bis [zum|zur] {when}",
               "in wie vielen tagen ist [der] {when}"],
    },
    "Help": {
        "en": ["what can you do", "help", "help me", "what do you (do|know how to do)",
               "what are your (skills|features|abilities|functions|options)", "(i need|i want|need) [some] help",
               "what (sort|kind|type|sorts|kinds) of (stuff|things) can you do", "how can you help [me]",
               "what (can you|are you able to) help [me] with", "what are you able to do", "what are you (capable of|good at|good for)",
               "how does (this|it|this thing) work", "what can i (say|ask) [to] you", "what (can|should) i ask [you]"],
        "de": ["was kannst du [alles]", "hilfe", "wobei (kannst du [mir] helfen|hilfst du [mir])", "was kannst du für mich tun",
               "hilf mir", "(ich brauche|ich brauch) hilfe", "was kann ich dich [alles] fragen", "wie funktionierst du",
               "wie funktioniert (das|das hier)", "was kann ich [zu dir] sagen", "was kannst du [alles] (machen|tun)"],
    },
    "SetTimer": {
        "en": ["(set|start|create|make) [a|an|the] [new] timer (for|of|to) {duration} [(called|named|for) {label}]",
               "(set|start|create|make) (a|an) {duration} timer [(called|named|for) {label}]",
               "timer (for|of) {duration}", "{duration} timer", "count down {duration}", "time {duration}",
               "(set|start) [a] timer {duration}"],
        "de": ["(stell|stelle|starte|start|setze|setz|mach|mache) [mir] [einen|den|einen neuen|nen] timer (auf|für|von|über) {duration} [(für|namens) {label}]",
               "(stell|stelle|starte|setze|mach) [mir] [einen|nen] {duration} timer",
               "timer (auf|für|von|über) {duration}", "{duration} timer", "timer {duration}",
               "weck mich in {duration}"],
    },
    "TimerStatus": {
        "en": ["how (much|long) [time] [is] (left|remaining) [on] [the|my] [timer]",
               "when (will|does) [the|my] timer (go off|ring|be done)",
               "how (long|much longer) [is left] on [the|my] timer", f"{WHAT_IS} [the|my] timer [at|status]",
               "how much longer", "is my timer (still running|running|done)", "check [the|my] timer",
               "(how's|how is) [the|my] timer [doing|going]"],
        "de": ["wie (lange|lang) (läuft|dauert|geht) der timer noch", "wie viel zeit (ist|bleibt|hat der timer) noch [übrig] [auf dem timer]",
               "wie (lange|lang) noch", "wie steht der timer", "läuft der timer noch", "wie viel zeit ist noch auf dem timer",
               "wann (ist|klingelt) [der] timer [fertig]",
               "wie (lange|lang) (dauert|braucht) (es|der timer) noch [beim timer]"],
    },
    "CancelTimer": {
        "en": ["(cancel|stop|delete|remove|clear|end|kill) [the|my|all|all the|all my] (timer|timers)",
               "(turn|switch|shut) off [the|my] (timer|timers)", "(turn|switch|shut) [the|my] (timer|timers) off",
               "get rid of [the|my] (timer|timers)", "never mind [the|my] timer [cancel it]",
               "i (don't|do not) need the (timer|timers) [anymore|any more]"],
        "de": ["(stopp|stoppe|stop|lösche|lösch|beende|beend|entferne) [den|die|alle|meinen|meine] (timer|timers)",
               "(brich|brech) [den|alle] timer ab", "timer (abbrechen|stoppen|löschen|beenden|aus)",
               "(mach|schalt) [den|meinen] timer (aus|ab)", "[den] timer (brauch|brauche) ich nicht mehr",
               "ich (brauch|brauche) den timer nicht mehr"],
    },
    "SetReminder": {
        "en": ["remind me {when} to {text}", "remind me to {text} {when}", "remind me {when} (about|of|that) {text}",
               "remind me (about|of|that) {text} {when}",
               "(set|create|add|make) [a|an] reminder {when} (to|for|about) {text}",
               "(set|create|add|make) [a|an] reminder (to|for|about) {text} {when}",
               "(set|create|add|make) [a|an] reminder (for|at|on) {when} (to|about|that) {text}",
               "don't let me forget (to|about) {text} {when}", "don't let me forget {when} (to|about) {text}",
               "{text} {when} remind me"],
        "de": ["(erinnere|erinner) mich {when} (an|daran|dass) {text}", "(erinnere|erinner) mich (an|daran|dass) {text} {when}",
               "(erinnere|erinner) mich {when} {text}",
               "(stell|stelle|erstelle|setze|mach) [mir] [eine] erinnerung {when} (für|an|zu) {text}",
               "(stell|stelle|erstelle|setze|mach) [mir] [eine] erinnerung (für|an|zu) {text} {when}",
               "(stell|stelle|erstelle|setze|mach) [mir] [eine] erinnerung (für|auf) {when} [für|an|zu|zum] {text}",
               "(sag|gib) mir {when} bescheid [dass|wegen] {text}", "{text} {when} (erinnere|erinner) mich [daran]"],
    },
    "ListReminders": {
        "en": [f"{WHAT_IS} my reminders", "what are my reminders", "(show|list|read|tell) [me] [all] my reminders",
               "(show|list|read) [me] (every|each) reminder [i have|i've got|i set]",
               "what reminders do i have", "do i have any reminders", "any reminders",
               "(which|what) reminders (are|do i have) [coming up|upcoming|pending|set]"],
        "de": ["welche erinnerungen (habe|hab) ich", "(zeig|zeige|lies) [mir] [alle] meine erinnerungen [vor]",
               "was sind meine erinnerungen", "(habe|hab) ich erinnerungen", "meine erinnerungen",
               "welche erinnerungen (sind|stehen) [noch] (offen|an)"],
    },
    "ListNotes": {
        "en": [f"{WHAT_IS} [in] my notes", "what are my notes", "(show|list|read|tell) [me] [all] my notes",
               "(show|list|read) [me] (every|each) note [i have|i've got|you have]",
               "what (have|did) i (ask|asked|tell|told) you to remember", "what do you remember [about me]",
               "(what|which) notes (do i have|have i got|are there)",
               "(list|show) [me] everything (you've|you have) (saved|stored)", "what have you (saved|stored|noted)"],
        "de": ["was hast du dir [alles] gemerkt", "(zeig|zeige|lies) [mir] [alle] meine notizen [vor]",
               "welche notizen (habe|hab) ich", "was sind meine notizen", "woran erinnerst du dich",
               "was steht [alles] in meinen notizen", "welche notizen (hast du|gibt es)"],
    },
    "RecallNote": {
        "en": ["what did i (say|tell you|note|write down|mention) (about|regarding|on) {topic}",
               "what do you (know|remember) about {topic}", "do you remember [anything] about {topic}",
               "(find|search|check) [my|the] notes (about|for|on) {topic}",
               "what have i (said|told you) about {topic}", "do you remember what i (said|told you) about {topic}",
               f"{WHAT_IS} my {{fact}}", "what was my {fact}", "(who's|who is|who was) my {fact}",
               "(where's|where is|where are) my {fact}", "where (did|have|had) i {fact}",
               "(when's|when is) my {fact}", "(do you know|do you remember|tell me) my {fact}"],
        "de": ["was (habe|hab) ich [dir] (über|zu|wegen) {topic} (gesagt|erzählt|notiert)",
               "was weißt du (über|zu|von) {topic}", "erinnerst du dich an {topic}",
               "(suche|such|durchsuche) [in] [meine|meinen] notizen (nach|über|zu) {topic}",
               "was hatte ich (über|zu) {topic} gesagt",
               "(weißt du noch|erinnerst du dich) was ich [dir] (über|zu) {topic} (gesagt|erzählt) [habe|hab|hatte]",
               f"(wie|was) (heißt|heisst|lautet|ist|war) {MY_DE} {{fact}}", f"(wer|wo) (ist|sind|war) {MY_DE} {{fact}}",
               f"wann hat {MY_DE} {{fact}} geburtstag", f"wann ist {MY_DE} {{fact}}",
               "wo (habe|hab|hatte) ich {fact}", f"(weißt du|kennst du) {MY_DE} {{fact}}"],
    },
    "Forget": {
        "en": ["forget (what i said about|what i told you about|everything about|about|that) {topic}",
               "forget {topic}", "(delete|remove|erase) [the|my] (note|notes) (about|on|regarding) {topic}",
               "(delete|remove|erase) {topic} from [your] memory"],
        "de": ["vergiss (alles über|das mit|was ich über|was ich zu|dass) {topic} [gesagt habe]", "vergiss {topic}",
               "(lösche|lösch|entferne) [die|meine] (notiz|notizen) (über|zu|zum|zur) {topic}"],
    },
    "AddNote": {
        "en": ["note to self [that] {text}", "remember (that|this) {text}", "remember {text}", "(note down|write down|jot down|note) [that] {text}",
               "(take|make|add|save|create) a note [that|saying|to] {text}", "(please remember|keep in mind) [that] {text}"],
        "de": ["(merk|merke) dir[,] [dass|das] {text}", "(notiere|notier) [dir] [dass] {text}",
               "(schreib|schreibe) [dir|mir] auf [dass] {text}", "(mach|mache|erstelle) [dir] eine notiz [dass] {text}",
               "denk daran [dass] {text}", "(speichere|speicher) [die] notiz {text}"],
    },
}


SAY_BACK: dict[str, dict[Lang, str]] = {
    "GetTime": {"en": "what time is it", "de": "wie spät ist es"},
    "GetDate": {"en": "what's the date today", "de": "welches Datum haben wir heute"},
    "WeekdayOf": {"en": "what day of the week is {when}", "de": "welcher Wochentag ist {when}"},
    "DaysUntil": {"en": "how many days until {when}", "de": "wie viele Tage noch bis {when}"},
    "Help": {"en": "what can you do", "de": "was kannst du"},
    "SetTimer": {"en": "set a timer for {duration}", "de": "stell einen Timer auf {duration}"},
    "TimerStatus": {"en": "how much time is left on the timer", "de": "wie lange läuft der Timer noch"},
    "CancelTimer": {"en": "cancel the timer", "de": "brich den Timer ab"},
    "ListReminders": {"en": "what are my reminders", "de": "welche Erinnerungen habe ich"},
    "ListNotes": {"en": "what are my notes", "de": "zeig mir meine Notizen"},
}


def _time(m: IntentMatch, d: AssistantDeps) -> AgentReply:
    now = d.now()
    return reply(m, tr(m.language, f"It's {fmt_time(now, 'en')}.", f"Es ist {fmt_time(now, 'de')}."))


def _date(m: IntentMatch, d: AssistantDeps) -> AgentReply:
    today = d.now().date()
    return reply(m, tr(m.language, f"Today is {fmt_date(today, 'en', year=True)}.",
                        f"Heute ist {fmt_date(today, 'de', year=True)}."))


def _weekday_of(m: IntentMatch, d: AssistantDeps) -> AgentReply:
    day = m.values["when"].at.date()
    weekday, _, rest = fmt_date(day, m.language, year=True).partition(", ")
    return reply(m, tr(m.language, f"{rest} is a {weekday}.", f"Der {rest} ist ein {weekday}."))


def _days_until(m: IntentMatch, d: AssistantDeps) -> AgentReply:
    day = m.values["when"].at.date()
    n = (day - d.now().date()).days
    lang = m.language
    shown = fmt_date(day, lang, year=True)
    if n < 0:
        return reply(m, tr(lang, f"{shown} was {-n} day{'s' if n != -1 else ''} ago.",
                            f"{shown} war vor {-n} Tag{'en' if n != -1 else ''}."))
    if n == 0:
        return reply(m, tr(lang, f"{shown} is today.", f"{shown} ist heute."))
    return reply(m, tr(lang, f"{n} day{'s' if n != 1 else ''} until {shown}.",
                        f"Noch {n} Tag{'e' if n != 1 else ''} bis {shown}."))


def _help(m: IntentMatch, d: AssistantDeps) -> AgentReply:
    full = help_text(m.language)
    return reply(m, full.split(". ")[0] + ".", full)


def _set_timer(m: IntentMatch, d: AssistantDeps) -> AgentReply:
    dur: timedelta = m.values["duration"]
    label = str(m.values.get("label", ""))
    try:
        t = d.memory.add_timer(dur, d.now(), label)
    except MemoryInputError as exc:
        return reply(m, exc.in_language(m.language), error=str(exc))
    ends = t.ends_at.astimezone(d.tz)
    lang = m.language
    return reply(m, tr(lang, f"Timer set for {fmt_duration(dur, lang)}, it ends at {fmt_time(ends, lang)}.",
                        f"Timer für {fmt_duration(dur, lang)} gestellt, er endet um {fmt_time(ends, lang)}."))


def _timer_status(m: IntentMatch, d: AssistantDeps) -> AgentReply:
    now = d.now()
    timers = d.memory.active_timers(now)
    lang = m.language
    if not timers:
        return reply(m, tr(lang, "No timer is running.", "Es läuft kein Timer."))
    parts = [fmt_duration(t.ends_at - now, lang) + (f" ({t.label})" if t.label else "") for t in timers]
    return reply(m, tr(lang, f"{parts[0]} left.", f"Noch {parts[0]}."),
                  tr(lang, "Timers: ", "Timer: ") + "; ".join(parts))


def _cancel_timer(m: IntentMatch, d: AssistantDeps) -> AgentReply:
    n = d.memory.cancel_timers(d.now())
    lang = m.language
    if n == 0:
        return reply(m, tr(lang, "There was no timer running.", "Es lief kein Timer."))
    return reply(m, tr(lang, f"Cancelled {n} timer{'s' if n > 1 else ''}.", f"{n} Timer abgebrochen."))


def _set_reminder(m: IntentMatch, d: AssistantDeps) -> AgentReply:
    when: When = m.values["when"]
    at = when.at if when.has_time else when.at.replace(hour=DEFAULT_REMINDER_HOUR)
    lang = m.language
    if at <= d.now():
        msg = tr(lang, "That time has already passed. When should I remind you?",
                 "Dieser Zeitpunkt ist schon vorbei. Wann soll ich dich erinnern?")
        return reply(m, msg, error="time in the past")
    if at > d.now() + MAX_REMINDER_AHEAD:
        msg = tr(lang, "That is too far ahead: I can remind you up to ten years from now.",
                 "Das ist zu weit in der Zukunft: Ich erinnere dich höchstens zehn Jahre im Voraus.")
        return reply(m, msg, error="time too far ahead")
    text = str(m.values["text"])
    try:
        d.memory.add_reminder(at, text)
    except MemoryInputError as exc:
        return reply(m, exc.in_language(m.language), error=str(exc))
    return reply(m, tr(lang, f"I'll remind you {fmt_when(at, d.now(), lang)}: {text}.",
                        f"Ich erinnere dich {fmt_when(at, d.now(), lang)}: {text}."))


def _list_reminders(m: IntentMatch, d: AssistantDeps) -> AgentReply:
    rs = d.memory.reminders()
    lang = m.language
    if not rs:
        return reply(m, tr(lang, "You have no reminders.", "Du hast keine Erinnerungen."))
    now = d.now()
    lines = [f"{fmt_when(r.due_at.astimezone(d.tz), now, lang)}: {r.text}" for r in rs]
    spoken = tr(lang, f"You have {len(rs)} reminder{'s' if len(rs) > 1 else ''}. The next is {lines[0]}.",
                f"Du hast {len(rs)} Erinnerung{'en' if len(rs) > 1 else ''}. Die nächste: {lines[0]}.")
    return reply(m, spoken, "\n".join(lines))


def _add_note(m: IntentMatch, d: AssistantDeps) -> AgentReply:
    text = str(m.values["text"])
    try:
        d.memory.remember(text)
    except MemoryInputError as exc:
        return reply(m, exc.in_language(m.language), error=str(exc))
    return reply(m, tr(m.language, f"Okay, I'll remember: {text}.", f"Okay, ich merke mir: {text}."))


def _recall(m: IntentMatch, d: AssistantDeps) -> AgentReply:
    if "fact" in m.values:
        return _answer_from_notes(m, d)
    topic = str(m.values["topic"])
    facts = d.memory.recall(topic)
    lang = m.language
    if not facts:
        return reply(m, tr(lang, f"You haven't told me anything about {topic}.",
                            f"Du hast mir nichts über {topic} gesagt."))
    # the screen lists the other notes only: the first one is in the spoken sentence already
    return reply(m, answer(facts[0].text, lang), "\n".join(f"- {f.text}" for f in facts[1:]))


def _answer_from_notes(m: IntentMatch, d: AssistantDeps) -> AgentReply:
    """A question about a stored fact ("what's my locker code"): the note that holds its key words."""
    note = best_note(m.text, d.memory.facts())
    lang = m.language
    if note is None:
        return reply(m, tr(lang, "I have no note about that.", "Dazu habe ich keine Notiz."), error=NO_NOTE)
    return reply(m, answer(note.text, lang))


def _list_notes(m: IntentMatch, d: AssistantDeps) -> AgentReply:
    facts = d.memory.facts()
    lang = m.language
    if not facts:
        return reply(m, tr(lang, "I haven't stored any notes yet.", "Ich habe noch keine Notizen."))
    return reply(m, tr(lang, f"I remember {len(facts)} thing{'s' if len(facts) > 1 else ''}.",
                        f"Ich habe mir {len(facts)} Dinge gemerkt." if len(facts) > 1 else "Ich habe mir eine Sache gemerkt."),
                  "\n".join(f"- {f.text}" for f in facts))


def _forget(m: IntentMatch, d: AssistantDeps) -> AgentReply:
    """Deleting notes waits for the user's yes, like every action that cannot be undone."""
    topic = str(m.values["topic"])
    found = d.memory.about(topic)
    lang = m.language
    if not found:
        return reply(m, tr(lang, f"I had nothing stored about {topic}.", f"Ich hatte nichts über {topic} gespeichert."))
    shown = "; ".join(f"“{f.text}”" for f in found)
    n = len(found)
    summary = tr(lang, f"Delete {n} note{'s' if n > 1 else ''} about {topic}: {shown}.",
                 f"{n} Notiz{'en' if n > 1 else ''} über {topic} löschen: {shown}.")
    rec = d.approvals.request("memory.forget", summary, {"topic": topic, "ids": [f.id for f in found]}, d.now())
    d.pending.append(rec)
    return reply(m, summary + phrase("approval.question", lang), approval=rec.info())


def _nothing_pending(m: IntentMatch, d: AssistantDeps) -> AgentReply:
    return reply(m, tr(m.language, "There's nothing waiting for your confirmation.",
                        "Es wartet nichts auf deine Bestätigung."))


HANDLERS: dict[str, Handler] = {
    "GetTime": _time, "GetDate": _date, "WeekdayOf": _weekday_of, "DaysUntil": _days_until, "Help": _help,
    "SetTimer": _set_timer, "TimerStatus": _timer_status, "CancelTimer": _cancel_timer,
    "SetReminder": _set_reminder, "ListReminders": _list_reminders,
    "AddNote": _add_note, "RecallNote": _recall, "ListNotes": _list_notes, "Forget": _forget,
    "Confirm": _nothing_pending, "Reject": _nothing_pending,
}
