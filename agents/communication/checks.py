"""The communication tools' arguments, checked before a send, reply, create or delete waits for approval
(agents/tool_guard.py): the user is never asked to approve something that can only fail after the yes.

- a recipient is an e-mail address the user gave (now, earlier in the conversation or in a note) or has mail
  from, or a name that resolves to exactly one address the user has mail from; never one the model made up
  or read in someone else's text;
- a mail to reply to exists; an event to delete exists;
- a new event starts in the future and ends after it starts; a message has a recipient and a text."""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta
from typing import Any

from rapidfuzz import fuzz

from agents.deps import AssistantDeps, MailService, ServiceError
from agents.local.normalize import normalize
from agents.local.slots import longest_span
from agents.local.timeparse import When, parse_duration, parse_when
from agents.models import CalendarEvent, MailQuery, MailSummary
from agents.tool_guard import ArgumentProblem, checks
from agents.toolkit import user_named

from .lexicon import other_language, with_other_language

_ADDRESS = re.compile(r"^[^@\s<>(),;:\"]+@[^@\s<>(),;:\"]+\.[A-Za-z]{2,}$")
_NAMED = re.compile(r"<([^<>]+)>\s*$")
_GRACE = timedelta(minutes=5)  # "now" said a little while ago is not the past


def _said_or_known(deps: AssistantDeps, address: str) -> bool:
    """The user said or typed the address (this turn or a recent one), a note holds it, or mail came from
    it. An address the model made up ("recipient@example.com") or read in someone else's text is none."""
    a = address.lower()
    if a in deps.request.lower():
        return True
    if any(a in t.text.lower() for t in deps.memory.recent_turns(12) if t.role == "user"):
        return True
    if any(a in f.text.lower() for f in deps.memory.facts()):
        return True
    if deps.services.mail is not None:
        try:
            return any(a in m.sender.lower() for m in deps.services.mail.search(MailQuery(sender=address, limit=5)))
        except ServiceError:
            return False
    return False


def _address_of(deps: AssistantDeps, who: str) -> str:
    who = who.strip()
    named = _NAMED.search(who)
    if named:
        who = named.group(1).strip()
    if _ADDRESS.match(who):
        if not _said_or_known(deps, who):
            raise ArgumentProblem(f"The user never gave the address {who} and no mail from it is known. Ask the "
                                  "user for the recipient's address; never use an address from a mail's text "
                                  "or make one up.")
        return who
    if "@" in who:
        raise ArgumentProblem(f"{who!r} is not a valid e-mail address. Ask the user for the right address.")
    found: dict[str, None] = {}
    if deps.services.mail is not None and who:
        try:
            for m in deps.services.mail.search(MailQuery(sender=who, limit=20)):
                addr = _NAMED.search(m.sender)
                found[(addr.group(1) if addr else m.sender).strip().lower()] = None
        except ServiceError:
            pass
    if len(found) == 1:
        return next(iter(found))
    if len(found) > 1:
        raise ArgumentProblem(f"{who!r} matches several addresses ({', '.join(found)}). Ask the user which one.")
    raise ArgumentProblem(f"{who!r} is not an e-mail address and no mail from anyone called that was found. "
                          "Ask the user for the e-mail address; do not invent one.")


_CHAT = re.compile(r"(?<![\w-])(whats\s?app|messages?|nachrichte?n?|sms|chat|text(ed)?)\b", re.IGNORECASE)
_MAIL = re.compile(r"(?<![\w-])(e-?mails?|mails?|inbox|posteingang|postfach|@)", re.IGNORECASE)


def _not_a_chat(deps: AssistantDeps) -> None:
    """The user asked about an instant message, not an e-mail ("reply to Tom's message", "schreib ihm per
    WhatsApp"): a mail would go the wrong way, however right its text."""
    said = deps.request
    if _CHAT.search(said) and not _MAIL.search(said):
        raise ArgumentProblem("The user means an instant message (WhatsApp), not an e-mail: use send_message.")


_MONEY = re.compile(r"(?i)(?:\d+(?:[.,]\d+)?\s*(?:€|euros?|eur)\b|€\s*\d)")


def _not_money(deps: AssistantDeps) -> None:
    """"Schick Anna 25 Euro fürs Essen" sends money, not a mail or a message with "25 Euro" in it (found by the
    real-model eval: a mail went out after the yes). Only when no mail or message is named."""
    said = deps.request
    if not deps.approved and _MONEY.search(said) and not _MAIL.search(said) and not _CHAT.search(said):
        raise ArgumentProblem("The user wants to send money (a bank transfer), not an e-mail or a message: send "
                              "nothing; tell the user to ask for a transfer, e.g. 'transfer 25 euros to Anna'.")


def _addresses(deps: AssistantDeps, value: Any) -> list[str]:
    items = value if isinstance(value, list) else [value]
    return [_address_of(deps, str(v)) for v in items if str(v).strip()]


@checks("send_mail")
def check_send_mail(deps: AssistantDeps, args: dict[str, Any]) -> dict[str, Any]:
    _not_a_chat(deps)
    _not_money(deps)
    to = _addresses(deps, args.get("to") or [])
    if not to:
        raise ArgumentProblem("The e-mail has no recipient. Ask the user whom to send it to.")
    if not str(args.get("body") or "").strip():
        raise ArgumentProblem("The e-mail has no text. Ask the user what it should say.")
    if deps.approved:
        return {**args, "to": to, "cc": _addresses(deps, args.get("cc") or []) or None}
    if not _says_what(deps.request, to):
        raise ArgumentProblem("The user has not said what the e-mail should say: ask them (never write it "
                              "yourself).")
    if not _echoes_request(deps.request, str(args["body"]), _names_of(to)):
        raise ArgumentProblem("The e-mail's text says nothing the user asked for: write what the user said, in "
                              "their words.")
    return {**args, "to": to, "cc": _addresses(deps, args.get("cc") or []) or None}


# the words of a request to write that say nothing of what to write ("send an e-mail to Tom", "schreib Anna
# eine Mail"); a request made only of these and the recipient leaves the text to the user, not to the model
_ONLY_ASKING = frozenset(["send", "write", "mail", "email", "e-mail", "an", "a", "the", "to", "please", "new",
                          "quick", "short", "message", "schick", "schicke", "schreib", "schreibe", "sende",
                          "maile", "eine", "einen", "ein", "die", "der", "das", "bitte", "kurze", "neue",
                          "nachricht", "per", "can", "could", "you", "would", "kannst", "du", "mal", "mir",
                          "me", "my", "meinem", "meiner"])


# words of four letters or more that carry no content of their own (and the verbs of asking to write)
_FUNCTION_WORDS = frozenset(["that", "this", "with", "have", "will", "your", "from", "about", "what", "when", "them",
                             "they", "there", "here", "just", "also", "would", "could", "should", "dass", "sind",
                             "habe", "wird", "dein", "deine", "mein", "meine", "nicht", "auch", "noch", "doch",
                             "reply", "answer", "antworte", "antworten", "thanks", "danke", "hello", "hallo",
                             "dear", "liebe", "lieber", "best", "regards", "grüße", "gruß", "viele",
                             "i", "im", "is", "it", "of", "on", "in", "at", "be", "so", "we", "us", "he", "she", "him",
                             "her", "his", "and", "or", "but", "for", "not", "can", "are", "was", "all", "any", "ich",
                             "ist", "es", "er", "sie", "und", "oder", "aber", "für", "mit", "von", "zu", "am", "um",
                             "wir", "uns", "ihm", "ihr", "den", "dem", "des", "s", "ll", "ve", "re", "d", "m", "t"])


def _stems(text: str, drop: set[str]) -> set[str]:
    """The content words of a text, cut to five letters (German and English endings aside), and its numbers."""
    words = re.findall(r"[^\W_]+", text.lower())
    return {w[:5] for w in words if w not in drop and w not in _ONLY_ASKING and w not in _FUNCTION_WORDS}


def _echoes_request(request: str, body: str, names: set[str]) -> bool:
    """The text to send holds at least one word or number of the user's own request (a text the model wrote
    about something else, "I'm sorry, I can't help with that", does not)."""
    return bool(_stems(request, names) & _stems(body, names))


def _names_of(addresses: list[str]) -> set[str]:
    return {w for a in addresses for w in re.split(r"[^\w]+", a.lower()) if w}


def _says_what(request: str, to: list[str]) -> bool:
    names = _names_of(to)
    words = re.findall(r"[\w@.-]+", request.lower().replace("e-mail", "email"))
    return any(w.strip(".") not in _ONLY_ASKING and w.strip(".") not in names and "@" not in w for w in words)


def _mail_to_answer(deps: AssistantDeps, args: dict[str, Any]) -> str:
    """The id of the mail a reply answers: the id given, else the newest mail from the sender (about the
    words given; the words are dropped when no mail has them)."""
    mail = deps.services.mail
    assert mail is not None
    given = str(args.get("message_id") or "").strip()
    if given:
        try:
            return mail.get(given).id
        except ServiceError:
            pass  # not an id: a small model passes the sender's name here too
    sender = str(args.get("sender") or "").strip() or (given if given and not given.isdigit() else "")
    if not deps.approved and (not sender or not user_named(deps, sender)):
        sender = _sender_said(deps) or ""  # "Reply to Tom: …" became sender="Your Name"
    about = str(args.get("about") or "").strip() or None
    shown = deps.pointed_at("mail")
    if len(shown) == 1 and not deps.approved and not (sender and user_named(deps, sender) and
                                                      sender.lower() not in shown[0].label.lower()):
        return shown[0].id  # "Antworte ihm, dass …" after his mail was read: that mail
    if not sender and not about:
        if given:
            raise ArgumentProblem(f"There is no e-mail with id {given!r}. Give the sender's name (sender) and words "
                                  "of its subject (about) instead; never make up an id.")
        raise ArgumentProblem("Say whose e-mail to answer: give the sender's name (sender) and words of its subject "
                              "(about), or ask the user which e-mail.")
    try:
        found = _mails_of(mail, sender, about)
        said = None if found or deps.approved else _sender_said(deps)
        if said and said.lower() != sender.lower():  # "Antworte Anna auf die Mail wegen Samstag": the 1.5B
            sender, found = said, _mails_of(mail, said, about)  # model gave "Samstag" as the sender
    except ServiceError as exc:
        raise ArgumentProblem(f"The mailbox could not be searched ({exc}).") from exc
    if not found:
        who = f" from {sender}" if sender else ""
        raise ArgumentProblem(f"There is no e-mail{who}{' about ' + about if about else ''}. Ask the user which "
                              "e-mail to answer; never make up an id.")
    named = [m for m in found if _stems(m.subject, set()) & _stems(with_other_language(deps.request), set())]
    return (named or found)[0].id  # "reply to Anna's dinner mail": her mail about dinner, not her newest


def _mails_of(mail: MailService, sender: str, about: str | None) -> list[MailSummary]:
    """A sender's mail about some words: as said, in the other language, else any of the sender's."""
    query = MailQuery(sender=sender or None, text=about, limit=5)
    return mail.search(query) or search_wider(mail, query)


def search_wider(mail: MailService, query: MailQuery) -> list[MailSummary]:
    """What to find when a search with words found nothing: the words in the other language ("die Mail wegen
    Samstag": "Dinner on Saturday"), else the sender's mail about anything ("Annas Mail zur Rechnung": her mail
    may say "invoice")."""
    other = other_language(query.text) if query.text else None
    found = mail.search(query.model_copy(update={"text": other})) if other else []
    if not found and query.sender and query.text:
        found = mail.search(query.model_copy(update={"text": None}))
    return found


def _sender_said(deps: AssistantDeps) -> str | None:
    """A name the user said whose mail is in the mailbox ("Reply to Tom: …", "Antworte Annas Mail"): the
    request's capitalized words (a possessive's "'s" or German "s" taken off), the first with mail from it."""
    mail = deps.services.mail
    assert mail is not None
    tried: set[str] = set()
    for word in re.findall(r"\b[A-ZÄÖÜ][\wäöüß-]+", deps.request):
        for name in (re.sub(r"'s$", "", word), word[:-1] if word.endswith("s") else ""):
            if len(name) < 2 or name.lower() in tried or len(tried) >= 6:
                continue
            tried.add(name.lower())
            try:
                if mail.search(MailQuery(sender=name, limit=1)):
                    return name
            except ServiceError:
                return None
    return None


@checks("reply_mail")
def check_reply_mail(deps: AssistantDeps, args: dict[str, Any]) -> dict[str, Any]:
    if deps.services.mail is None:
        return args  # the tool says that no mail account is connected
    _not_a_chat(deps)
    if not str(args.get("body") or "").strip():
        raise ArgumentProblem("The reply has no text. Ask the user what it should say.")
    message_id = _mail_to_answer(deps, args)
    if not deps.approved and not _echoes_request(deps.request, str(args["body"]),
                                                 _names_of([str(args.get("sender") or "")])):
        raise ArgumentProblem("The reply's text says nothing the user asked for: write what the user said, in "
                              "their words.")
    return {"message_id": message_id, "body": args["body"]}


def _aware(deps: AssistantDeps, value: Any) -> datetime | None:
    if not isinstance(value, datetime):
        return None
    return value.replace(tzinfo=deps.tz) if value.tzinfo is None else value


def _said_when(request: str, now: datetime) -> tuple[list[str], tuple[int, int, When]] | None:
    """The request's words and the longest run of them that the local time parser reads as a time; a bare
    number is none ("2 tickets")."""
    words = normalize(request).split()
    span = longest_span(words, lambda s: parse_when(s, now))
    if span is None or (span[1] - span[0] == 1 and not re.search(r"\D", words[span[0]])):
        return None
    return words, span


def said_time(request: str, now: datetime) -> tuple[datetime, timedelta | None] | None:
    """The start (and length) that the user's own words give ("Saturday from 10 to 12", "nächsten Dienstag um
    8 Uhr"); None when they give no clock time (a day alone leaves the time to the model)."""
    found = _said_when(request, now)
    if found is None or not found[1][2].has_time:
        return None
    words, (i, j, when) = found
    length = longest_span(words[:i] + words[j:], parse_duration)
    return when.at, (length[2] if length else None)


def said_day(request: str, now: datetime) -> date | None:
    """The day that the user's own words give ("am Freitag", "tomorrow")."""
    found = _said_when(request, now)
    return None if found is None else found[1][2].at.date()


@checks("create_event")
def check_create_event(deps: AssistantDeps, args: dict[str, Any]) -> dict[str, Any]:
    start, end = _aware(deps, args.get("start")), _aware(deps, args.get("end"))
    said = None if deps.approved else said_time(deps.request, deps.now())
    if said is not None and said[0] != start:  # the user's words decide the time, not the model's date arithmetic
        length = said[1] or (end - start if start is not None and end is not None and end > start
                             else timedelta(hours=1))
        start, end = said[0], said[0] + length
        args = {**args, "start": start.isoformat(), "end": end.isoformat()}  # stored with the approval as JSON
    if start is not None and start < deps.now() - _GRACE:
        now = deps.now()
        raise ArgumentProblem(f"The start {start:%Y-%m-%d %H:%M} is in the past (now it is {now:%Y-%m-%d %H:%M}). "
                              "Use the date the user meant, or ask.")
    if start is not None and end is not None and end <= start:
        raise ArgumentProblem("The end is not after the start. Use the duration the user said, else one hour.")
    if not str(args.get("title") or "").strip():
        raise ArgumentProblem("The event has no title. Ask the user what it is.")
    if deps.approved:
        return args
    if start is not None and abs(start - deps.now()) < _GRACE and not _NOW_SAID.search(deps.request):
        raise ArgumentProblem("The start is the current time, which the user did not say. Use the day and time "
                              "the user said (see the dates above), or ask.")
    if not _user_said_some_of(deps, str(args["title"])):
        raise ArgumentProblem("The title is not what the user said. Use the user's words for it, or ask what "
                              "the event is.")
    if deps.request and not any(_said_when(s, deps.now()) for s in _said_lately(deps)):
        # "book me something": when is the user's to say (the 1.5B model made up today 12:00, a title and a room)
        raise ArgumentProblem("The user said no day or time for the event: ask them when (ask_user); never pick "
                              "one.")
    return args


def _said_lately(deps: AssistantDeps) -> list[str]:
    """What the user said in this turn and the two before it (a day said just before counts)."""
    return [deps.request, *[t.text for t in deps.memory.recent_turns(4) if t.role == "user"][-2:]]


_NOW_SAID = re.compile(r"(?i)(?:now|right away|jetzt|sofort|gleich)")


def _user_said_some_of(deps: AssistantDeps, text: str) -> bool:
    """A word of ``text`` (cut to five letters) was said by the user this turn or in a recent one: a title
    the model made up ("Meeting" for "book me something") is not."""
    said = [deps.request] + [t.text for t in deps.memory.recent_turns(6) if t.role == "user"]
    return any(_stems(text, set()) & _stems(s, set()) for s in said)


@checks("delete_event")
def check_delete_event(deps: AssistantDeps, args: dict[str, Any]) -> dict[str, Any]:
    """The event exists: the uid given, else the one event whose title has the words given (on the day given)."""
    cal = deps.services.calendar
    if cal is None:
        return args
    uid = str(args.get("uid") or "").strip()
    now = deps.now()
    try:
        known = cal.events(now - timedelta(days=1), now + timedelta(days=366))
    except ServiceError:
        return args  # cannot check: the delete itself will say what is wrong
    by_uid = [e for e in known if uid and e.uid == uid]
    if by_uid:
        return _chosen(by_uid[0], deps)
    named, words = day_in_words(str(args.get("title") or "").strip() or uid, now)  # "Friday" as the title
    day = args.get("day") or named
    said = None if deps.approved else said_day(deps.request, now)
    if said is not None:  # the day the user's words give, not the model's date arithmetic
        day = said
    hits = [e for e in known if (not words or title_has(e.title, words))
            and (not isinstance(day, date) or e.start.astimezone(deps.tz).date() == day)]
    shown = {r.id for r in deps.pointed_at("event")}
    meant = [e for e in known if e.uid in shown]
    if shown and (len(hits) != 1 or hits[0].uid not in shown):
        # "Cancel that one" after the calendar was read: the model has no words for it ("that one"), or
        # words that miss it; of the events the last answer showed, the one the words fit, else the only one
        fitting = [e for e in meant if words and title_has(e.title, words)]
        if len(fitting) == 1 or len(meant) == 1:
            return _chosen((fitting or meant)[0], deps)
    if not words and not isinstance(day, date):
        raise ArgumentProblem("Say which event to delete (words of its title, its day), or ask the user.")
    if len(hits) == 1:
        return _chosen(hits[0], deps)
    if not hits:
        raise ArgumentProblem(f"No event matches {words!r}{' on ' + str(day) if day else ''}. Ask the user which "
                              "event; never make up a uid.")
    listed = "; ".join(f"{e.title} {e.start.astimezone(deps.tz):%Y-%m-%d %H:%M}" for e in hits[:5])
    raise ArgumentProblem(f"Several events match ({listed}). Ask the user which one.")


def _chosen(event: CalendarEvent, deps: AssistantDeps) -> dict[str, Any]:
    """The event to delete, as the approval shows it (title and start) and the tool deletes it (uid)."""
    return {"uid": event.uid, "title": f"{event.title} ({event.start.astimezone(deps.tz):%Y-%m-%d %H:%M})"}


def title_has(title: str, words: str) -> bool:
    """Every word of three letters or more is in the title (or the words are, as they were said); the words
    that only say it is an event ("dentist appointment", "Termin Project Review") need not be. A word is in
    the title as a compound or spelled the other language's way too ("Projektreview": "Project review")."""
    t = title.lower()
    said = [w for w in re.findall(r"\w+", words.lower()) if len(w) > 2 and w not in _EVENT_WORDS]
    return all(_in_title(w, t) for w in said) or words.lower() in t  # only such words: any event (the day decides)


def _in_title(word: str, title: str) -> bool:
    if word in title:
        return True
    other = other_language(word)
    if other and other.lower() in title:
        return True
    squashed = re.sub(r"[\W_]+", "", title)  # "project review" -> "projectreview", to meet a German compound
    return word in squashed or (len(word) >= 6 and fuzz.partial_ratio(word, squashed) >= 85)


# a day said among an event's words ("Friday", "am Freitag", "tomorrow"): the day to look at, not a title word
_DAY_SAID = re.compile(
    r"\b(?:(?:on|am|next|this|coming|nächsten|kommenden|diesen)\s+)?(?:monday|tuesday|wednesday|thursday|friday|"
    r"saturday|sunday|montag|dienstag|mittwoch|donnerstag|freitag|samstag|sonntag|today|tomorrow|heute|"
    r"übermorgen|morgen)\b", re.IGNORECASE)


def day_in_words(words: str, now: datetime) -> tuple[date | None, str]:
    """The day that ``words`` name (as the local time parser reads it) and the words without it."""
    m = _DAY_SAID.search(words)
    if m is None:
        return None, words
    when = parse_when(m.group(0), now)
    if when is None:
        return None, words
    rest = re.sub(r"\s+", " ", words[:m.start()] + words[m.end():]).strip(" ,.")
    return when.at.date(), rest


_EVENT_WORDS = frozenset(["appointment", "appointments", "event", "meeting", "termin", "termine", "the", "my", "der",
                          "den", "die", "das", "meinen", "mein", "meine"])


@checks("send_message")
def check_send_message(deps: AssistantDeps, args: dict[str, Any]) -> dict[str, Any]:
    _not_money(deps)
    if not str(args.get("to") or "").strip():
        raise ArgumentProblem("The message has no recipient. Ask the user whom to write to.")
    if not str(args.get("text") or "").strip():
        raise ArgumentProblem("The message has no text. Ask the user what it should say.")
    return args
