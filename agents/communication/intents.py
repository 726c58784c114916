"""Local intents of the communication domain (EN+DE): the calendar for a day or week, a new event
(waits for the user's yes), unread mail and mail from a person (with that person's chat messages when the
request names no channel), and chat messages (WhatsApp): the newest, or a person's. Templates first, then
handlers."""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import datetime, timedelta

from agents.deps import AssistantDeps, MailService, ServiceError
from agents.domains import Handler
from agents.local.handlers import no_service, reply
from agents.local.phrases import fmt_date, fmt_time, fmt_when, tr
from agents.local.recognizer import IntentMatch
from agents.local.templates import WHAT_IS, Intents, Lang
from agents.local.timeparse import DayRange, When
from agents.models import ChatMessage, MailQuery, MailSummary, NewEvent
from agents.phrasebook import phrase
from agents.replies import AgentReply, ToolCallInfo

from . import wording

MAIL = "(mail|mails|email|emails|e-mail|e-mails|messages)"
MAIL_DE = "(mails|e-mails|emails|mail|e-mail|nachrichten|post)"
CAL = "(calendar|schedule|agenda|diary)"
EVENT = "(event|appointment|meeting|entry|calendar entry|calendar event)"
EVENT_DE = "(termin|eintrag|kalendereintrag|meeting|ereignis|besprechung|treffen)"
CHATS = "(whatsapp|whatsapps|whatsapp messages|whatsapp message|chat messages|chats)"
CHATS_DE = "(whatsapp|whatsapps|whatsapp-nachrichten|whatsapp nachrichten|whatsapp-nachricht|chat-nachrichten|chats)"
DEFAULT_EVENT_LENGTH = timedelta(hours=1)
# a request that names mail asks about mail only; "what did Tom write" asks about mail and chats
_NAMES_MAIL = re.compile(r"\b(?:e-?mails?|mails?|gemailt|e-?mailed|post|inbox|posteingang|postfach)\b")

INTENTS: Intents = {
    "UnreadMail": {
        "en": [f"[do] i have [any] (new|unread) {MAIL}", f"(any|are there any) (new|unread) {MAIL}",
               "(check|open) my (mail|email|emails|inbox|mailbox)", f"(read|show|give) [me] my (new|unread|latest) {MAIL}",
               f"how many (unread|new) {MAIL} [do i have]", "(what's|what is|anything) new in my inbox",
               "did i get (any|new) (mail|email|emails)", "(did|has) (anyone|someone|somebody) (emailed|written|write) [me|to me]", f"[any] (unread|new) {MAIL}",
               "(take a look at|look at|look in) my (inbox|mail|mailbox)",
               "(did|has) (anything|something) (come|come in|arrived) [in|to] my (inbox|mailbox)"],
        "de": [f"(habe|hab) ich [neue|ungelesene] {MAIL_DE}", f"gibt es (neue|ungelesene) {MAIL_DE}",
               "(prüfe|prüf|check|checke) [meine|mein] (mails|e-mails|emails|posteingang|postfach)",
               f"(lies|zeig|zeige) [mir] [meine] (neuen|ungelesenen|letzten) {MAIL_DE} [vor]",
               f"wie viele (ungelesene|neue) {MAIL_DE} (habe|hab) ich", f"(ungelesene|neue) {MAIL_DE}",
               "was ist neu im posteingang", "ist post (da|gekommen)", "hat [mir] (jemand|irgendwer|irgendjemand|wer) [mir] (geschrieben|gemailt)",
               "(schau|guck) in [mein|meinen] (postfach|posteingang)"],
    },
    "MailFrom": {
        "en": [f"[do] i have [any] [new|unread] {MAIL} from {{person}}", f"(any|are there any) [new|unread] {MAIL} from {{person}}",
               "(did|has) {person} (email|emailed|write|written|wrote|mail|mailed|message|messaged) [me|to me]",
               f"(show|read|give|find) [me] [the|my] [new|latest|last] {MAIL} from {{person}}",
               f"{MAIL} from {{person}}", "what did {person} (write|send) [me]",
               "(anything|something) from {person} in my (inbox|mail|mailbox)",
               "did i (get|receive) (anything|something|mail|any mail|an email|an e-mail|any emails) from {person}",
               "what (does|did) {person} want [from me]",
               f"(what's|what is) in the [last|latest|new] {MAIL} from {{person}}"],
        "de": [f"(habe|hab) ich [neue|eine] {MAIL_DE} von {{person}}", f"gibt es [neue] {MAIL_DE} von {{person}}",
               "hat [mir] {person} [mir] (geschrieben|gemailt|eine mail geschickt|eine e-mail geschickt|eine mail geschrieben|eine e-mail geschrieben)",
               f"(zeig|zeige|lies|finde) [mir] [die|meine] [neuen|letzten] {MAIL_DE} von {{person}} [vor]",
               f"{MAIL_DE} von {{person}}", "was hat {person} [mir] geschrieben", "(kam|ist) (was|etwas) (von|vom) {person} [gekommen|da]",
               f"(habe|hab) ich [neue|eine] {MAIL_DE} vom {{person}}", f"{MAIL_DE} vom {{person}}",
               "was (will|wollte) {person} [von mir]",
               f"was (steht|stand) in der [letzten|neuen] {MAIL_DE} (von|vom) {{person}}"],
    },
    "NewChats": {
        "en": [f"[do] i have [any] (new|unread) {CHATS}", f"(any|are there any) [new|unread] {CHATS}",
               f"(check|read|show|give) [me] my [new|latest] {CHATS}", "(what's|what is|anything) new on whatsapp",
               f"did i get (any|new) {CHATS}", "(did|has) (anyone|someone|somebody) (message|messaged|texted|written|write) "
               "[me|to me] (on|via) whatsapp"],
        "de": [f"(habe|hab) ich [neue|ungelesene] {CHATS_DE}", f"gibt es [neue|ungelesene] {CHATS_DE}",
               f"(lies|zeig|zeige|prüf|prüfe|check) [mir] [meine] [neuen|letzten] {CHATS_DE} [vor]",
               "hat [mir] (jemand|irgendwer|wer) [mir] (auf|per|über) whatsapp "
               "geschrieben"],
    },
    "ChatsFrom": {
        "en": ["(did|has) {person} (message|messaged|text|texted|write|written|wrote) [me|to me] (on|via) whatsapp",
               "(did|has) {person} (texted|whatsapped) [me]", f"[any] [new] {CHATS} from {{person}}",
               f"[do] i have [any] [new] {CHATS} from {{person}}",
               "what did {person} (write|send) [me] (on|via) whatsapp", f"(read|show|give) [me] [the] {CHATS} from {{person}}"],
        "de": ["hat [mir] {person} [mir] (auf|per|über) whatsapp geschrieben",
               "hat [mir] {person} [mir] (eine whatsapp|eine whatsapp-nachricht|eine nachricht auf whatsapp) (geschickt|geschrieben)",
               f"[neue] {CHATS_DE} von {{person}}", f"(habe|hab) ich [neue|eine] {CHATS_DE} von {{person}}",
               "was hat {person} [mir] (auf|per|über) whatsapp geschrieben",
               f"(lies|zeig|zeige) [mir] [die] {CHATS_DE} von {{person}} [vor]"],
    },
    "CreateEvent": {
        "en": [f"(create|add|make|schedule|put|book|set up|plan) [an|a|the|new] [new] {EVENT} [(called|named|titled|for|about)] {{title}} {{when}} [for {{duration}}]",
               f"(create|add|make|schedule|put|book|set up|plan) [an|a|the] [new] {EVENT} {{when}} [(called|named|titled|for|about)] {{title}}",
               "(add|put) {title} (to|in|on|into) my calendar {when} [for {duration}]",
               "(add|put) {title} {when} (to|in|on|into) my calendar",
               f"(create|add|make|schedule|book|set up|plan) [a|an|the] [new] {{title}} {EVENT} [for] {{when}} [for {{duration}}]",
               "(schedule|book|plan) {title} {when} [for {duration}]"],
        "de": [f"(erstelle|erstell|lege|leg|mach|mache|plane|plan|trage|trag) [mir] [einen|ein|eine|den|neuen|einen neuen] {EVENT_DE} [an] [(namens|mit dem titel|für|zum thema)] {{title}} {{when}} [für {{duration}}] [an|ein]",
               f"(erstelle|erstell|lege|leg|mach|mache|plane|plan|trage|trag) [mir] [einen|ein|eine|den|neuen|einen neuen] {EVENT_DE} {{when}} [an] [(namens|mit dem titel|für|zum thema)] {{title}} [an|ein]",
               "(trag|trage|setz|setze) [mir] [für] {when} [für {duration}] {title} [in den kalender|in meinen kalender] ein",
               "(trag|trage|setz|setze) [mir] {title} {when} [in den kalender|in meinen kalender] ein",
               "(plane|plan) {title} {when} [für {duration}]",
               "(schreib|schreibe|trag|trage|setz|setze) [mir] (in den|in meinen) kalender [für] {when} {title}",
               "(schreib|schreibe|trag|trage|setz|setze) [mir] (in den|in meinen) kalender {title} [für] {when}"],
    },
    "CalendarQuery": {
        "en": [f"{WHAT_IS} (on|in) [my|the] {CAL} [for] [{{range}}]", f"{WHAT_IS} on [for] {{range}}",
               f"{WHAT_IS} {{range}} on my {CAL}", f"{WHAT_IS} my {CAL} [for|like] [{{range}}]",
               "what do i have [on|planned|scheduled|going on] [for] {range}", "what (have i got|do i have) [on] [for] {range}",
               f"what (does|will) my (day|week|{CAL[1:-1]}) look like [{{range}}]", "what am i doing {range}", f"{WHAT_IS} (happening|going on) [on] {{range}}",
               "(do|have) i [have|got] (anything|any meetings|any appointments|any events|meetings|appointments|something) [planned|scheduled|on] [for] {range}",
               f"(show|read|tell|give) [me] my {CAL} [for] [{{range}}]",
               "(show|read|tell|give|list) [me] my (appointments|meetings|events) [for] [{range}]",
               "what (are|were) my (appointments|meetings|events) [for] [{range}]", f"my {CAL} [for] [{{range}}]",
               f"(check|open) my {CAL} [for] [{{range}}]", "am i (free|busy) [on] {range}"],
        "de": ["was steht {range} (im|in meinem|in dem) kalender [an]", "was steht (im|in meinem) kalender [für] [{range}] [an]",
               "was (steht|liegt) {range} an", "was (habe|hab) ich {range} [vor|geplant|für termine]",
               "(habe|hab) ich {range} (termine|einen termin|etwas vor|was vor|zeit|etwas|was)",
               "welche termine (habe|hab) ich [{range}]", "welche termine stehen {range} an",
               "(zeig|zeige|lies) [mir] [meine] termine [für] [{range}] [vor]",
               "(zeig|zeige|lies) [mir] [meinen|den] kalender [für] [{range}] [vor]", "[meine] termine [für] {range}",
               "wie sieht (mein kalender|mein tag) [für] [{range}] aus", "wie sieht [es] {range} aus", "was ist {range} im kalender",
               "bin ich {range} (frei|beschäftigt)"],
    },
}


SAY_BACK: dict[str, dict[Lang, str]] = {
    "UnreadMail": {"en": "do I have new e-mail", "de": "habe ich neue Mails"},
    "CalendarQuery": {"en": "what's on my calendar {range}", "de": "was steht {range} im Kalender"},
}


def _calendar(m: IntentMatch, d: AssistantDeps) -> AgentReply:
    cal = d.services.calendar
    if cal is None:
        return no_service(m, "calendar", "Kalender")
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
        return reply(m, tr(lang, f"I couldn't read the calendar: {exc}", f"Ich konnte den Kalender nicht lesen: {exc}"),
                      error=str(exc), tool_calls=[call])
    label = rng.label
    if not events:
        return reply(m, tr(lang, f"Nothing on your calendar for {label}.", f"Für {label} steht nichts im Kalender."),
                      tool_calls=[call])
    multi_day = (rng.end - rng.start) > timedelta(days=1)

    def line(e_start: datetime, title: str, all_day: bool) -> str:
        st = e_start.astimezone(d.tz)
        day = fmt_date(st.date(), lang) + " " if multi_day else ""
        return f"{day}{tr(lang, 'all day', 'ganztägig') if all_day else fmt_time(st, lang)}: {title}"

    for e in events:
        d.showed("event", e.uid, e.title)
    lines = [line(e.start, e.title, e.all_day) for e in events]
    n = len(events)
    spoken = tr(lang, f"You have {n} event{'s' if n > 1 else ''} {label}. First: {lines[0]}.",
                f"Du hast {n} Termin{'e' if n > 1 else ''} {label}. Zuerst: {lines[0]}.")
    # the screen lists the others: the first is in the spoken sentence ("13:00: Lunch" came twice)
    return reply(m, spoken, "\n".join(lines[1:]), tool_calls=[call])


def _create_event(m: IntentMatch, d: AssistantDeps) -> AgentReply:
    if d.services.calendar is None:
        return no_service(m, "calendar", "Kalender")
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
    spoken = summary + phrase("approval.question", lang)
    return reply(m, spoken, approval=rec.info())


def _mail_lines(mails: list[MailSummary], lang: str) -> list[str]:
    return [f"{x.sender_name or x.sender}: {x.subject}" for x in mails]


def _unread(m: IntentMatch, d: AssistantDeps) -> AgentReply:
    return _mail(m, d, MailQuery(unread_only=True, limit=20))


_ARTICLE = re.compile(r"(?i)^(?:the|die|der|den|dem|das)\s+")


def _mail_from(m: IntentMatch, d: AssistantDeps) -> AgentReply:
    person = _ARTICLE.sub("", str(m.values["person"])).strip() or str(m.values["person"])  # "the Stadtwerke"
    if _NAMES_MAIL.search(m.text) or d.services.messaging is None:
        return _mail(m, d, MailQuery(sender=person, limit=20))
    if d.services.mail is None:
        return _chats(m, d, person)
    mail, chats = _mail(m, d, MailQuery(sender=person, limit=20)), _chats(m, d, person, quiet=True)
    if not chats.spoken:
        return mail
    return mail.model_copy(update={"spoken": f"{mail.spoken} {chats.spoken}",
                                   "text": "\n".join(x for x in (mail.text, chats.text) if x),
                                   "tool_calls": [*mail.tool_calls, *chats.tool_calls]})


def _new_chats(m: IntentMatch, d: AssistantDeps) -> AgentReply:
    return _chats(m, d, None)


def _chats_from(m: IntentMatch, d: AssistantDeps) -> AgentReply:
    return _chats(m, d, str(m.values["person"]))


def _chats(m: IntentMatch, d: AssistantDeps, person: str | None, quiet: bool = False) -> AgentReply:
    """The newest chat messages (all, or one person's) read out; ``quiet``: nothing said when there are none
    (beside a person's mail)."""
    lang = m.language
    messaging = d.services.messaging
    if messaging is None:
        return no_service(m, "messaging account", "Messenger-Konto")
    call = ToolCallInfo(name="messages.recent", args={"chat": person} if person else {})
    try:
        found: list[ChatMessage] = messaging.recent(person, 10)
    except ServiceError as exc:
        return reply(m, tr(lang, f"I couldn't read your messages: {exc}", f"Ich konnte deine Nachrichten nicht lesen: {exc}"),
                     error=str(exc), tool_calls=[call])
    if not found:
        if quiet:
            return reply(m, "", tool_calls=[call])
        return reply(m, tr(lang, f"No WhatsApp messages from {person}." if person else "No WhatsApp messages.",
                           f"Keine WhatsApp-Nachrichten von {person}." if person else "Keine WhatsApp-Nachrichten."),
                     tool_calls=[call])
    for x in found:
        d.heard_from(f"the message from {x.sender} in {x.chat}")
    shown = wording.chats(found[:3], replace(d, language=lang))
    n = len(found)
    head = (tr(lang, f"On WhatsApp, {n} message{'s' if n > 1 else ''} from {person}:",
               f"Auf WhatsApp {n} Nachricht{'en' if n > 1 else ''} von {person}:") if person
            else tr(lang, "Your newest WhatsApp messages:", "Deine neuesten WhatsApp-Nachrichten:"))
    return reply(m, f"{head} {shown}", tool_calls=[call])


def _newest_text(mail: MailService, newest: MailSummary, d: AssistantDeps) -> str:
    """The newest mail read out with its text; its subject alone when it cannot be fetched now."""
    try:
        return wording.mail(mail.get(newest.id), d)
    except ServiceError:
        return f"{newest.subject}."


def _mail(m: IntentMatch, d: AssistantDeps, q: MailQuery) -> AgentReply:
    mail = d.services.mail
    lang = m.language
    if mail is None:
        return no_service(m, "mail account", "Mailkonto")
    call = ToolCallInfo(name="mail.search", args=q.model_dump(mode="json", exclude_defaults=True))
    try:
        mails = mail.search(q)
    except ServiceError as exc:
        return reply(m, tr(lang, f"I couldn't read your mail: {exc}", f"Ich konnte deine Mails nicht lesen: {exc}"),
                      error=str(exc), tool_calls=[call])
    who = q.sender
    if not mails:
        msg = (tr(lang, f"No e-mails from {who}.", f"Keine Mails von {who}.") if who
               else tr(lang, "No unread e-mails.", "Keine ungelesenen Mails."))
        return reply(m, msg, tool_calls=[call])
    lines = _mail_lines(mails, lang)
    n = len(mails)
    for x in mails[:1] if who else mails:  # a person's: the newest is read out
        d.showed("mail", x.id, f"{x.sender_name or ''} <{x.sender}>: {x.subject}")
    if who:  # "what did Lena write": the newest is read out (quoted: someone else's text), the others listed
        newest = _newest_text(mail, mails[0], replace(d, language=lang))
        spoken = tr(lang, f"{n} e-mail{'s' if n > 1 else ''} from {who}. Latest: {newest}",
                    f"{n} Mail{'s' if n > 1 else ''} von {who}. Die neueste: {newest}")
    else:
        spoken = tr(lang, f"You have {n} unread e-mail{'s' if n > 1 else ''}. Latest from {lines[0]}.",
                    f"Du hast {n} ungelesene Mail{'s' if n > 1 else ''}. Die neueste von {lines[0]}.")
    found, calls = _after_read(replace(d, language=lang), mails)
    if found:
        spoken = f"{spoken} {' '.join(found)}"
    approval = d.pending[-1].info() if d.pending else None
    # the screen lists the others: the newest is in the spoken sentence (it came twice, as the calendar's did)
    return reply(m, spoken, "\n".join(lines[1:]), tool_calls=[call, *calls], approval=approval)


def _after_read(d: AssistantDeps, mails: list[MailSummary]) -> tuple[list[str], list[ToolCallInfo]]:
    """What other domains do with the mail just read (the finance domain files invoice attachments and
    proposes their payment): their sentences, and the tools they ran."""
    before = len(d.tool_calls)
    said: list[str] = []
    for hook in d.services.mail_read:
        said.extend(hook.mail_read(d, mails))
    return said, d.tool_calls[before:]


HANDLERS: dict[str, Handler] = {
    "CalendarQuery": _calendar, "CreateEvent": _create_event, "UnreadMail": _unread, "MailFrom": _mail_from,
    "NewChats": _new_chats, "ChatsFrom": _chats_from,
}
