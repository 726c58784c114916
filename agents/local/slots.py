"""Slots found anywhere in an utterance the classifier routed (``agents.local.classifier``), not at a
template's fixed place: a duration or a point in time is the longest run of words the time parsers
accept ("heut abend um sieben", "friday at noon"); a free-text slot is what is left once the words
that only ask for the intent ("remind me", "erinner mi", "dass", "to") are taken off its edges.
When a required slot cannot be found the intent is not run (``None``): never with a wrong slot."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import datetime
from typing import Any

from agents.local.timeparse import has_time_words, parse_day_range, parse_duration, parse_when

MAX_SPAN = 7
Slots = tuple[dict[str, str], dict[str, Any]]

# words that ask for the intent, not part of what it is about (taken off the edges of a free-text slot)
_EDGE_WORDS = {
    "remind", "reminder", "reminded", "me", "i", "want", "wanna", "need", "to", "be", "set", "create", "add", "make",
    "a", "an", "the", "for", "about", "that", "of", "please", "hey", "ok", "okay", "so", "and", "don't", "let",
    "forget", "remember", "note", "down", "write", "save", "keep", "in", "mind", "my", "on", "at", "new", "put",
    "calendar", "appointment", "event", "entry", "schedule", "book", "can", "you", "could", "delete", "erase",
    "remove", "notes", "from", "memory", "with", "it", "is", "um", "uh", "just", "again", "tell", "what",
    "erinnere", "erinner", "erinnern", "erinnerung", "mich", "mi", "mir", "dass", "daß", "das", "des", "die",
    "der", "den", "dem", "eine", "einen", "ein", "für", "sag", "bescheid", "geh", "bitte", "mal", "ma", "merk",
    "merke", "dir", "da", "notiz", "notiere", "notier", "schreib", "schreibe", "auf", "termin", "kalender",
    "kalendereintrag", "eintrag", "leg", "lege", "trag", "trage", "im", "mach", "mache", "machen",
    "kannst", "kannste", "du", "und", "zu", "zum", "zur", "vergiss", "lösch", "lösche", "löschen", "entferne",
    "über", "ich", "muss", "soll", "nicht", "vergessen", "ähm", "äh", "also", "wegen", "neuen", "neue", "neuer",
}
# who is nobody in particular: not a sender to look for
NOBODY = {"anyone", "anybody", "someone", "somebody", "everyone", "jemand", "irgendwer", "irgendjemand", "wer", "alle"}
_PERSON_START = re.compile(r"\b(?:from|von|vom)\b")
_PERSON_STOP = {"in", "im", "on", "today", "heute", "gekommen", "bekommen", "gekriegt", "this", "diese", "da",
                "yesterday", "gestern", "recently", "lately", "neulich", "schon", "for", "für", "to", "an"}
_QUERY_START = re.compile(r"\b(?:for|about|regarding|nach|über|zum thema|wegen)\b")
_QUERY_STOP = re.compile(r"\b(?:in (?:the|a|an|our|my|old|any) (?:last )?(?:meetings?|transcripts?|recordings?)|"
                         r"(?:at |in )?(?:the |our )?last (?:meeting|call)|im (?:letzten )?(?:meeting|protokoll)|in (?:den|der|einem|meinen) .*|gesagt|geredet|"
                         r"gesprochen|besprochen)\b.*$")


def longest_span(words: list[str], parse: Callable[[str], Any]) -> tuple[int, int, Any] | None:
    best: tuple[int, int, Any] | None = None
    for i in range(len(words)):
        for j in range(min(len(words), i + MAX_SPAN), i, -1):
            if best is not None and j - i <= best[1] - best[0]:
                break
            value = parse(" ".join(words[i:j]))
            if value is not None:
                best = (i, j, value)
                break
    return best


def _trimmed(words: list[str]) -> str:
    """Edge words off both ends."""
    s, e = 0, len(words)
    while s < e and words[s] in _EDGE_WORDS:
        s += 1
    while e > s and words[e - 1] in _EDGE_WORDS:
        e -= 1
    return " ".join(words[s:e])


def _without(words: list[str], span: tuple[int, int, Any]) -> list[str]:
    return words[: span[0]] + words[span[1] :]


def _timed_text(norm: str, now: datetime, text_slot: str) -> Slots | None:
    words = norm.split()
    span = longest_span(words, lambda s: parse_when(s, now))
    # a bare number is no time ("lent tom fifty euros"); "at 5", "um sieben", "5 o'clock" are
    if span is None or (span[1] - span[0] == 1 and not re.search(r"\D", words[span[0]])):
        return None
    text = _trimmed(_without(words, span))
    if len(text.split()) < 1 or not re.search(r"[^\W\d]{3}", text):
        return None
    if text_slot == "title" and has_time_words(text):  # a time left in the title was not understood whole
        return None
    when = " ".join(words[span[0] : span[1]])
    return {"when": when, text_slot: text}, {"when": span[2], text_slot: text}


def _duration(norm: str, now: datetime) -> Slots | None:
    span = longest_span(norm.split(), parse_duration)
    if span is None:
        return None
    said = " ".join(norm.split()[span[0] : span[1]])
    return {"duration": said}, {"duration": span[2]}


def _range(norm: str, now: datetime) -> Slots | None:
    words = norm.split()
    span = longest_span(words, lambda s: parse_day_range(s, now))
    if span is not None:
        start = span[0] + (words[span[0]] in ("for", "für") and span[1] - span[0] > 1)  # "for monday" is "monday"
        said = " ".join(words[start : span[1]])
        return {"range": said}, {"range": span[2]}
    if re.search(r"\d|week|woche|month|monat|year|jahr|morgen|tomorrow|day|tag", norm):
        return None  # a day was said that is not understood: not today's calendar
    return {}, {}


def _after(start: re.Pattern[str], stop: Callable[[list[str]], list[str]], slot: str) -> Callable[[str, datetime], Slots | None]:
    def find(norm: str, now: datetime) -> Slots | None:
        m = start.search(norm)
        if m is None:
            return None
        value = _trimmed(stop(norm[m.end():].split()))
        return ({slot: value}, {slot: value}) if value else None
    return find


def _person_words(words: list[str]) -> list[str]:
    if words and words[0] in NOBODY:
        return []
    out: list[str] = []
    for w in words:
        if w in _PERSON_STOP or len(out) == 3:
            break
        out.append(w)
    return out


def _query_words(words: list[str]) -> list[str]:
    return _QUERY_STOP.sub("", " ".join(words)).split()


def _free_text(slot: str) -> Callable[[str, datetime], Slots | None]:
    def find(norm: str, now: datetime) -> Slots | None:
        value = _trimmed(norm.split())
        return ({slot: value}, {slot: value}) if re.search(r"[^\W\d]{3}", value) else None
    return find


_SPEAKER_IS = re.compile(r"\b(?:(?:speaker|sprecher(?:in)?) (\w+)|(?:the|der|die) (\w+) (?:speaker|sprecher(?:in)?))"
                         r" (?:is|was|ist|war) (\w+(?: \w+){0,3})")


def _speaker_is(norm: str, now: datetime) -> Slots | None:
    """ "the second speaker was anna": which speaker and who (the handler reads the number)."""
    m = _SPEAKER_IS.search(norm)
    if m is None:
        return None
    values = {"which": m.group(1) or m.group(2), "person": m.group(3).title()}
    return values, dict(values)


def _fact(norm: str, now: datetime) -> Slots | None:
    """A question answered from the notes: the handler looks for the note with the question's key words."""
    return {"fact": norm}, {"fact": norm}


def _nothing(norm: str, now: datetime) -> Slots | None:
    return {}, {}


FINDERS: dict[str, Callable[[str, datetime], Slots | None]] = {
    "SetTimer": _duration,
    "SetReminder": lambda n, now: _timed_text(n, now, "text"),
    "CreateEvent": lambda n, now: _timed_text(n, now, "title"),
    "CalendarQuery": _range,
    "MailFrom": _after(_PERSON_START, _person_words, "person"),
    "SearchTranscripts": _after(_QUERY_START, _query_words, "query"),
    "NameSpeaker": _speaker_is,
    "AddNote": _free_text("text"),
    "Forget": _free_text("topic"),
    "RecallNote": _fact,
}


def find_slots(intent: str, norm: str, now: datetime) -> Slots | None:
    """The slots of ``intent`` found in the normalised utterance; None when a required one is missing.
    Intents without slots get empty ones."""
    return FINDERS.get(intent, _nothing)(norm, now)
