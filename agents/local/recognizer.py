"""Deterministic intent recognition: templates (``agents.local.templates``) compiled to regular
expressions once, typed slots checked by the time parsers; what no template matches goes to the fuzzy
matcher (``agents.local.fuzzy``: close paraphrases, with a confidence). No model, a fraction of a
millisecond per utterance."""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from functools import lru_cache
from typing import Any

from agents import domains
from agents.local.classifier import NONE, classify
from agents.local.fuzzy import ROUTE, intent_words, match_fuzzy
from agents.local.match import IntentMatch, Recognition
from agents.local.normalize import guess_language, prepare
from agents.local.normalize import normalize as normalize
from agents.local.numbers import NUMBER_RE, WORDS
from agents.local.slots import NOBODY, find_slots
from agents.local.templates import Lang
from agents.local.timeparse import (
    MONTHS,
    TIME_WORDS_INSIDE,
    WEEKDAYS,
    DayRange,
    When,
    parse_day_range,
    parse_duration,
    parse_when,
)

# ---------------------------------------------------------------- slot vocabularies

_TIME_WORDS = {
    "today", "tonight", "tomorrow", "yesterday", "day", "days", "after", "the", "next", "coming", "this",
    "on", "at", "in", "a", "an", "of", "week", "weeks", "noon", "midday", "midnight", "morning", "afternoon",
    "evening", "night", "o'clock", "oclock", "half", "past", "quarter", "to", "and", "hour", "hours",
    "minute", "minutes", "min", "mins", "am", "pm", "a.m.", "p.m.",
    "heute", "morgen", "übermorgen", "gestern", "um", "gegen", "nächsten", "nächster", "nächste",
    "kommenden", "kommender", "diesen", "dieser", "diesem", "einer", "halben", "stunde", "stunden",
    "minuten", "tag", "tage", "tagen", "woche", "wochen", "uhr", "halb", "viertel", "nach", "vor", "früh",
    "morgens", "abends", "abend", "nachmittags", "nachmittag", "vormittags", "vormittag", "mittag",
    "mitternacht", "nachts", "der", "nacht", "und", "zu",
}
_DURATION_WORDS = {
    "a", "an", "and", "half", "quarter", "of", "hour", "hours", "hr", "hrs", "h", "m", "minute", "minutes",
    "min", "mins", "second", "seconds", "sec", "secs", "one", "und", "eine", "einer", "halbe", "stunde",
    "stunden", "std", "minuten", "sekunde", "sekunden", "eineinhalb", "anderthalb", "viertelstunde",
    "dreiviertelstunde", "couple", "few", "paar", "ein", "viertel", "dreiviertel", "drei", "three", "quarters",
    *(f"{u}einhalb" for u in ("zwei", "drei", "vier", "fünf", "sechs", "sieben", "acht", "neun", "zehn")),
}
_RANGE_WORDS = {
    "today", "tonight", "tomorrow", "day", "after", "the", "next", "coming", "this", "on", "for", "week",
    "weekend", "of", "heute", "morgen", "übermorgen", "nächste", "nächsten", "kommende", "kommenden",
    "diese", "dieser", "dieses", "diesen", "woche", "wochenende", "am", "in", "der", "die", "für", "den",
}
_NUMBER_TOKEN = r"\d{1,4}(?:[:.]\d{2})?(?:st|nd|rd|th|\.|h|m|am|pm|a\.m\.|p\.m\.)?|\d{1,2}\.\d{1,2}\.(?:\d{4})?"


def _vocab_re(words: set[str], with_calendar_names: bool) -> str:
    allw = set(words) | set(WORDS) | {w for w in WORDS if " " not in w}
    if with_calendar_names:
        allw |= set(WEEKDAYS) | set(MONTHS)
    alts = "|".join(sorted((re.escape(w) for w in allw), key=len, reverse=True))
    token = rf"(?:(?:{_NUMBER_TOKEN})(?!\w)|(?<![\w'])(?:{NUMBER_RE}|{alts})(?![\w']))"
    return rf"{token}(?: {token})*"


def _limited(body: str, max_extra: int | None) -> str:
    """A vocabulary slot regex allowed at most ``max_extra`` + 1 words."""
    if max_extra is None:
        return body
    return body[: -len("*")] + "{0," + str(max_extra) + "}" if body.endswith(")*") else body


_SLOT_RES: dict[str, str] = {
    "when": _vocab_re(_TIME_WORDS, True),
    "duration": _vocab_re(_DURATION_WORDS, False),
    "range": _vocab_re(_RANGE_WORDS, True),
    "person": r"[^\s]+(?: [^\s]+){0,3}?",
    # an event's title never starts with whom it is for: "book me a table for tonight" is a reservation
    # nor holds a day or a time: then the time was not understood whole ("… next Monday from 5 to 5:30 pm")
    "title": r"(?!(?:me|us|him|her|them|mir|uns|ihm|ihr)\b)(?:(?!" + TIME_WORDS_INSIDE + r")\S)(?:(?!"
             + TIME_WORDS_INSIDE + r").)*?",
    # a stored fact asked about (never one the finance intents answer: the balance, budgets, subscriptions) ("what's my {fact}"): never the calendar, mail, reminders or notes themselves
    "fact": r"(?!(?:calendar|schedule|agenda|diary|reminders?|notes?|timers?|mails?|e-?mails?|inbox|mailbox|"
            r"messages|next|first|last|upcoming|kalender|termine?|erinnerungen|notizen|posteingang|postfach|"
            r"nachrichten|mails|nächste[rnms]?|erste[rnms]?|letzte[rnms]?|(?:(?:bank|account|current) )?balance|"
            r"kontostand|budgets?|subscriptions|abos|spending|ausgaben)\b)\S.*?",
    # a TAN: digits (in groups, "482 913"), or digits said one by one ("vier acht zwei"); never the words
    # before it ("tan lautet 663 901" is the TAN 663901)
    "tan": r"(?:\S*\d\S*|" + NUMBER_RE + r")(?: (?:\S*\d\S*|" + NUMBER_RE + r"))*",
    # an amount of money: digits ("12.50", "12,50") or number words ("fifty", "zwölf fünfzig")
    # (a decimal comma reaches the templates as a space: "12,50" -> "12 50")
    "amount": r"(?:(?:\d{1,3}(?:[.,]\d{3})+|\d+)(?:[.,]\d{1,2}| \d{2}(?!\d))?|" + NUMBER_RE + r")",
    # a note's topic is never someone's voice: "forget Anna's voice" deletes a voice profile (meetings)
    "topic": r"(?!.*(?:'s|s)? (?:voice|stimme|stimmprofil)(?: profile)?$)(?!(?:die |the )?(?:voice|stimme|stimmprofil)"
             r"(?: profile)? (?:of|von) )\S.*?",
    # an e-mail address, written or said ("bob dot smith at example dot com"): the meeting notes' recipients
    "address": r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+|[\w+-]+(?: (?:dot|punkt) [\w+-]+)* (?:at|ät) [\w-]+(?: (?:dot|punkt) [\w-]+)+",
}


# ---------------------------------------------------------------- template compiler


def _word_re(word: str) -> str:
    esc = re.escape(word)
    start = r"(?<![\w'])" if re.match(r"\w", word) else ""
    end = r"(?![\w'])" if re.search(r"\w$", word) else ""
    return rf" ?{start}{esc}{end}"


class _Compiler:
    def __init__(self, template: str, limits: dict[str, int] | None = None) -> None:
        self.s = template
        self.i = 0
        self.limits = limits or {}

    def parse(self) -> str:
        out = self._alternatives(end=None)
        if self.i != len(self.s):
            raise ValueError(f"bad template {self.s!r} at {self.i}")
        return out

    def _alternatives(self, end: str | None) -> str:
        alts = [self._sequence(end)]
        while self.i < len(self.s) and self.s[self.i] == "|":
            self.i += 1
            alts.append(self._sequence(end))
        return alts[0] if len(alts) == 1 else "(?:" + "|".join(alts) + ")"

    def _sequence(self, end: str | None) -> str:
        parts: list[str] = []
        while self.i < len(self.s):
            c = self.s[self.i]
            if c == "|" or (end is not None and c == end):
                break
            if c == " ":
                self.i += 1
            elif c == "[":
                self.i += 1
                inner = self._alternatives("]")
                self._expect("]")
                parts.append(f"(?:{inner})?")
            elif c == "(":
                self.i += 1
                inner = self._alternatives(")")
                self._expect(")")
                parts.append(f"(?:{inner})")
            elif c == "{":
                j = self.s.index("}", self.i)
                name = self.s[self.i + 1 : j]
                self.i = j + 1
                body = _SLOT_RES.get(name, r".+?")
                if name in self.limits:
                    body = _limited(body, self.limits[name])
                parts.append(rf" ?(?P<{name}>{body})")
            else:
                m = re.compile(r"[^\s\[\]()|{}]+").match(self.s, self.i)
                if not m:
                    raise ValueError(f"bad template {self.s!r} at {self.i}")
                parts.append(_word_re(m.group(0)))
                self.i = m.end()
        return "".join(parts)

    def _expect(self, ch: str) -> None:
        if self.i >= len(self.s) or self.s[self.i] != ch:
            raise ValueError(f"bad template {self.s!r}: expected {ch!r} at {self.i}")
        self.i += 1


def required_words(template: str) -> tuple[str, ...]:
    """Words every match of the template must contain (outside optional parts, choices and slots)."""
    t = template
    for _ in range(3):
        t = re.sub(r"\[[^\[\]]*\]", " ", t)
        t = re.sub(r"\([^()]*\)", " ", t)
    t = re.sub(r"\{[^}]*\}", " ", t)
    return tuple(w for w in t.split() if w)


class _Compiled:
    """A template, its cheap pre-check (required words) and its regex, compiled on first use."""

    def __init__(self, intent: str, language: Lang, template: str) -> None:
        self.intent = intent
        self.language = language
        self.template = template
        self.required = required_words(template)
        self._regex: re.Pattern[str] | None = None

    @property
    def regex(self) -> re.Pattern[str]:
        if self._regex is None:
            self._regex = compile_template(self.template)
        return self._regex

    def may_match(self, norm: str) -> bool:
        return all(w in norm for w in self.required)


@lru_cache(maxsize=2048)
def _compile_limited(template: str, limits: tuple[tuple[str, int], ...]) -> re.Pattern[str]:
    return re.compile(_Compiler(template, dict(limits)).parse(), re.IGNORECASE)


def compile_template(template: str, limits: dict[str, int] | None = None) -> re.Pattern[str]:
    return _compile_limited(template, tuple(sorted((limits or {}).items())))


def compiled_templates() -> tuple[_Compiled, ...]:
    """Every registered domain's templates, in registry order (compiled once per registry content)."""
    return _compiled(tuple(domains.DOMAINS))


@lru_cache(maxsize=4)
def _compiled(registry: tuple[str, ...]) -> tuple[_Compiled, ...]:
    out: list[_Compiled] = []
    for intent, langs in domains.intents(registry).items():
        for lang, templates in langs.items():
            for t in templates:
                out.append(_Compiled(intent, lang, t))
    return tuple(out)


def compile_all() -> int:
    """Compile every template now (tests, warm-up); returns how many there are."""
    for c in compiled_templates():
        _ = c.regex
    return len(compiled_templates())


# ---------------------------------------------------------------- recognition


# words no name holds: a person slot with one of them took the rest of the sentence ("Anna mir auf WhatsApp")
_NAME_WORDS = frozenset({"mir", "mich", "me", "auf", "on", "via", "per", "eine", "einen", "ein",
                         "mail", "e-mail", "email", "mails", "whatsapp", "sms", "nachricht",
                         "message", "heute", "today", "gestern", "yesterday", "schon", "already", "noch", "was", "etwas",
                         "anything", "something", "say", "says", "said", "sagt", "sagte", "want", "wants", "wanted",
                         "will", "wollte", "about", "über", "writes", "schreibt"})

# names of channels: a request naming one the intent's templates never use is about that channel, not this
# intent's ("hat Anna mir auf WhatsApp geschrieben" is not a question about mail)
_CHANNELS = re.compile(r"\b(?:whatsapp|sms|signal|telegram|threema|chat|mastodon|bluesky|toot|"
                       r"e-?mails?|mails?|kalender|calendar)\b")


def _other_channel(intent: str, norm: str) -> bool:
    named = {m.group(0) for m in _CHANNELS.finditer(norm)}
    return bool(named) and not named <= intent_words(intent)  # the vocabulary only when a channel is named


def _typed(name: str, raw: str, now: datetime) -> Any:
    """The typed value of a slot, or None if the words do not mean what the slot needs."""
    if name == "when":
        w: When | None = parse_when(raw, now)
        return w
    if name == "duration":
        d: timedelta | None = parse_duration(raw)
        return d
    if name == "range":
        r: DayRange | None = parse_day_range(raw, now)
        return r
    value = raw.strip()
    value = re.sub(r"(?i)^(?:that|dass|das) ", "", value)
    if name == "person" and (value.lower() in NOBODY or not _NAME_WORDS.isdisjoint(value.lower().split())):
        return None
    if name == "title":  # "book a call with Maria": the event is "call with Maria"
        value = re.sub(r"(?i)^(?:a|an|the) (?=\S)", "", value)
    return value or None


def _match(c: _Compiled, cased: str, now: datetime) -> IntentMatch | None:
    """Match one template; when a typed slot took words it cannot use, retry with that slot shorter."""
    regex = c.regex
    limits: dict[str, int] = {}
    for _ in range(8):
        m = regex.fullmatch(" " + cased) or regex.fullmatch(cased)
        if not m:
            return None
        slots: dict[str, str] = {}
        values: dict[str, Any] = {}
        failed: str | None = None
        for name, raw in m.groupdict().items():
            if raw is None:
                continue
            value = _typed(name, raw, now)
            if value is None:
                failed = name if name in ("when", "duration", "range") else ""
                words = raw.strip().count(" ")
                if failed and words > 0:
                    limits[failed] = words - 1
                break
            slots[name] = value if name == "title" else raw.strip()  # a title as it goes into the calendar
            values[name] = value
        if failed is None:
            return IntentMatch(intent=c.intent, language=c.language, text=cased.lower(), slots=slots, values=values,
                               template=c.template)
        if not failed or failed not in limits:
            return None
        regex = compile_template(c.template, limits)
    return None


def match_template(text: str, now: datetime) -> IntentMatch | None:
    """The first template that matches the whole utterance with valid slots, else None."""
    cased = prepare(text)
    norm = cased.lower()
    if not norm:
        return None
    for c in compiled_templates():
        if not c.may_match(norm):
            continue
        found = _match(c, cased, now)
        if found is not None and not _other_channel(found.intent, norm):
            return found
    return None


# the classifier's confidence (``agents.local.classifier``) to run an intent, to ask back about it, and to
# take a yes or a no (those are never asked back: "Did you mean: yes?" helps nobody)
CLASSIFIER_ROUTE = 0.6
CLASSIFIER_ASK = 0.45
CLASSIFIER_YES_NO = 0.8
_YES_NO = {"Confirm", "Reject"}
# intents that take no words of the request as a slot (a place named in the request is nobody's slot)
_SLOTLESS = {"GetTime", "GetDate", "Help", "TimerStatus", "CancelTimer", "ListReminders", "ListNotes",
             "FinanceBalance", "FinanceSubscriptions", "MeetingStop", "MeetingPause", "MeetingResume"}
# verbs of requests no local intent serves; one that the guessed intent's templates never use means the
# request is another one ("delete all my notes" is not "list my notes"): neither run nor asked back
_FOREIGN_VERBS = re.compile(
    r"\b(?:delete|erase|remove|send|write|reply|answer|forward|cancel|move|reschedule|book|order|call|phone|"
    r"play|buy|translate|summari[sz]e|invite|turn|switch|open|close|"
    r"lösch\w*|entfern\w*|schick\w*|send\w*|schreib\w*|antwort\w*|leite\w*|sag\w* ab|verschieb\w*|buch\w*|"
    r"bestell\w*|ruf\w*|spiel\w*|kauf\w*|übersetz\w*|fass\w*|lade\w*|mach\w* (?:auf|an|aus|zu)|dreh\w*)\b")


def match_classified(text: str, now: datetime) -> IntentMatch | None:
    """The classifier's intent with its slots found anywhere in the utterance (``agents.local.slots``);
    None for the class 'none', below ``CLASSIFIER_ASK``, or when a required slot is not there."""
    norm = normalize(text)
    if not norm:
        return None
    guess = classify(text)
    if guess.intent == NONE or guess.confidence < CLASSIFIER_ASK:
        return None
    if guess.intent in _YES_NO and guess.confidence < CLASSIFIER_YES_NO:
        return None
    if " " not in norm and guess.intent not in _YES_NO:  # "timer" alone: set, check or cancel? (templates know)
        return None
    if _foreign_verb(guess.intent, norm) or _elsewhere(guess.intent, norm) or _other_channel(guess.intent, norm):
        return None
    found = find_slots(guess.intent, norm, now)
    if found is None:
        return None
    slots, values = found
    if _other_addressee(guess.intent, norm, slots):
        return None
    if "person" in slots and _typed("person", slots["person"], now) is None:  # "max say": no name
        return None
    lang = guess_language(norm) or ("en" if re.fullmatch(r"[a-z' ]+", norm) and guess.intent not in _YES_NO else "de")
    return IntentMatch(intent=guess.intent, language="de" if lang == "de" else "en", text=norm, slots=slots,
                       values=values, template="(classifier)", confidence=round(guess.confidence, 3))


# "in Sydney", "at the bakery", "in Tokio": a place the intent's templates never name makes a request about
# somewhere else ("what time is it in Sydney" is not the time here)
_PLACE = re.compile(r"\b(?:in|at|im|bei|beim)(?: (?:the|a|my|your|der|die|das|dem|den|meinem|meiner|einem|einer))? "
                    r"([^\W\d]+)")


_NO_PLACE = {"moment", "present", "once", "all", "least", "last", "first", "augenblick", "grunde"}


def _elsewhere(intent: str, norm: str) -> bool:
    if intent not in _SLOTLESS:
        return False
    used = intent_words(intent)
    return any(w not in used and w not in _TIME_WORDS and w not in _NO_PLACE and w not in WEEKDAYS and w not in MONTHS
               for w in (m.group(1) for m in _PLACE.finditer(norm)))


def _foreign_verb(intent: str, norm: str) -> bool:
    used = intent_words(intent)
    return any(not set(m.group(0).split()) <= used for m in _FOREIGN_VERBS.finditer(norm))


# "to X" / "an X": a slotless intent whose templates name their addressee ("send the notes to everyone") is
# not meant when the request names another ("send the notes to Anna" is a mail to Anna, not to everyone)
_ADDRESSEE = re.compile(r"\b(?:to|an)\s+([^\W\d]+)")
_SENDS = re.compile(r"\b(?:send|mail|e-?mail|forward|schick\w*|send\w*|mail\w*|leite\w*)\b")


def _other_addressee(intent: str, norm: str, slots: dict[str, str]) -> bool:
    used = intent_words(intent)
    if slots or not {"to", "an"} & used or not _SENDS.search(norm):
        return False
    return any(m.group(1) not in used for m in _ADDRESSEE.finditer(norm))


def understand(text: str, now: datetime) -> Recognition:
    """A template match; else a close paraphrase or the classifier's intent: routed when sure enough,
    else a suggestion ("Did you mean …?")."""
    exact = match_template(text, now)
    if exact is not None:
        return Recognition(match=exact)
    near = match_fuzzy(text, now)
    if near is not None and near.confidence >= ROUTE:
        return Recognition(match=near)
    learned = match_classified(text, now)
    if learned is not None and learned.confidence >= CLASSIFIER_ROUTE:
        return Recognition(match=learned)
    if near is not None:
        return Recognition(suggestion=near)
    if learned is not None and learned.intent not in _YES_NO:
        return Recognition(suggestion=learned)
    return Recognition()


def recognize(text: str, now: datetime) -> IntentMatch | None:
    """The intent to act on: a template match, or a close paraphrase with a high confidence."""
    return understand(text, now).match
